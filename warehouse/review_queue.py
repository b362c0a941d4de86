"""The review queue: unreviewed KPI figures that need a person, each with the reasons it was picked."""

from __future__ import annotations

import duckdb

from models.audit import QueueItem

MIN_CONFIDENCE = 0.6
"""Figures below this confidence are queued."""
JUMP = 0.5
"""A relative change between the figures of neighbouring periods of a series above this (0.5 = 50%) queues both."""

SERIES_SQL = """
SELECT kpi, unit, period_end, value, observation_id FROM kpi_series
WHERE kpi IS NOT NULL AND role = 'actual' AND period_end IS NOT NULL AND period_kind IS DISTINCT FROM 'paper_date'
ORDER BY kpi, unit, period_end, paper_date NULLS FIRST, observation_id
"""
FALLBACK_PERIOD_RULES = "('period.paper_date', 'period.report', 'scorecard.period.report')"
"""Period rules that date a figure by its paper (its date, or the period the report covers), not its sentence."""
QUEUE_SQL = """
WITH conflicted AS (SELECT DISTINCT unnest(observation_ids) AS observation_id FROM kpi_conflicts)
SELECT k.observation_id, k.kpi, k.value, k.unit, k.role, k.period_start, k.period_end, k.period_kind, k.confidence,
       k.paper_title, k.page, k.sentence,
       k.confidence < ?                                                  AS low_confidence,
       k.period_kind IN ('paper_date', 'report') OR split_part(o.rule, '|', 3) IN FALLBACK_PERIOD_RULES
                                                                         AS fallback_dated,
       c.observation_id IS NOT NULL                                      AS in_conflict,
       o.text_source = 'ocr'                                             AS from_ocr
FROM kpi_series k
JOIN observations o ON o.id = k.observation_id
LEFT JOIN conflicted c ON c.observation_id = k.observation_id
WHERE k.kpi IS NOT NULL AND k.review_status = 'unreviewed' AND (?::VARCHAR IS NULL OR k.kpi = ?)
ORDER BY k.kpi, k.period_end NULLS LAST, k.paper_date NULLS LAST, k.page, k.observation_id
""".replace("FALLBACK_PERIOD_RULES", FALLBACK_PERIOD_RULES)

Neighbour = tuple[float, object]
"""(value, period_end) of the figure of the period before or after"""


def _neighbours(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[Neighbour | None, Neighbour | None]]:
    """For each dated actual figure: the figure of the series' previous period and of its next period.

    A series is a KPI in one unit; of several figures for one period the latest paper's stands for it. Figures
    of the same period are not compared with each other (that is a conflict, not a jump).
    """
    periods: dict[tuple, list[tuple]] = {}
    for kpi, unit, end, value, oid in con.execute(SERIES_SQL).fetchall():
        groups = periods.setdefault((kpi, unit), [])
        if groups and groups[-1][0] == end:
            groups[-1][1].append((value, oid))
        else:
            groups.append((end, [(value, oid)]))
    out: dict[str, tuple[Neighbour | None, Neighbour | None]] = {}
    for groups in periods.values():
        for i, (_end, figures) in enumerate(groups):
            before = (groups[i - 1][1][-1][0], groups[i - 1][0]) if i > 0 else None
            after = (groups[i + 1][1][-1][0], groups[i + 1][0]) if i + 1 < len(groups) else None
            for _value, oid in figures:
                out[oid] = (before, after)
    return out


def _jump(value: float, other: float | None, threshold: float) -> float | None:
    """The relative change from ``other`` to ``value`` when it is larger than the threshold."""
    if other is None or other == value:
        return None
    if other == 0:
        return float("inf")
    change = (value - other) / abs(other)
    return change if abs(change) > threshold else None


def _pct(change: float) -> str:
    return "from 0" if change == float("inf") else f"{change:+.0%}"


def review_queue(
    con: duckdb.DuckDBPyConnection,
    *,
    kpi: str | None = None,
    limit: int | None = None,
    min_confidence: float = MIN_CONFIDENCE,
    jump: float = JUMP,
) -> list[QueueItem]:
    """Unreviewed figures with a KPI that are low-confidence, dated by a fallback, in a conflict, in a jump or read
    by OCR.

    Most reasons first, then lowest confidence. Reviewed figures (accepted or corrected) leave the queue;
    rejected ones are out of the series altogether.
    """
    items = []
    neighbours = _neighbours(con)
    for row in con.execute(QUEUE_SQL, [min_confidence, kpi, kpi]).fetchall():
        *fields, low, fallback, conflict, from_ocr = row
        item = QueueItem(*fields, reasons=[])
        before, after_ = neighbours.get(item.observation_id, (None, None))
        prev_value, prev_end = before or (None, None)
        next_value, next_end = after_ or (None, None)
        if low:
            item.reasons.append(f"low confidence ({item.confidence:g} < {min_confidence:g})")
        if fallback:
            item.reasons.append("fallback-dated (by its paper's date or reporting period, not its sentence)")
        if conflict:
            item.reasons.append("conflict: another figure gives another value for this period")
        if from_ocr:
            item.reasons.append("OCR: read from a scanned page image")
        before = _jump(item.value, prev_value, jump)
        if before is not None:
            item.reasons.append(f"jump {_pct(before)} from {prev_value:g} ({prev_end})")
        after = _jump(next_value, item.value, jump) if next_value is not None else None
        if after is not None:
            item.reasons.append(f"jump {_pct(after)} to {next_value:g} ({next_end})")
        if item.reasons:
            items.append(item)
    items.sort(key=lambda i: (-len(i.reasons), i.confidence))  # stable: the SQL order breaks ties
    return items[:limit] if limit else items
