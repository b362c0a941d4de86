"""Join a reworded indicator to its series: one council's reports whose restated figures agree, period by period."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb

from extractors.restated import distinctive

RULE = "series.link.restated_values"
# periods read from the paper's own words count; a figure dated only by a fallback (the period the report covers,
# the paper's date: rules "period.report", "table.period.paper_date", ...) says nothing about which period it is
_FALLBACK_RULE = re.compile(r"\bperiod\.(?:report|paper_date|current)\b")
_ROLES = frozenset({"actual", "baseline"})


@dataclass(frozen=True)
class LinkFigure:
    """What linking needs of a figure: whose, which paper, its label key, and the value it gives for a period."""

    council: str | None
    unit: str
    paper_id: str
    paper_date: date | None  # or, when the paper has none, the end of the period it reports on: orders the papers
    label_key: str | None
    role: str
    period_start: date | None
    period_end: date | None
    rule: str
    value: float


@dataclass(frozen=True)
class Link:
    """A label key of a later paper joined to the series key of an earlier paper of the same council."""

    council: str
    unit: str
    paper_id: str
    label_key: str
    series_key: str
    linked_paper_id: str
    n_agreeing: int
    evidence: str


def find_links(figures: Iterable[LinkFigure]) -> list[Link]:
    """Links between the label keys of two papers of a council: the two keys give the same value, in the same unit,
    for periods that end on the same day (read from the papers' text), at least twice, or once for the same period
    with a distinctive value when the keys share a word; and each key agrees so with only that one key of the other paper. A key joins the series
    of the nearest earlier paper it agrees with, and through it that paper's own series ("Contamination in
    blue-bin recycling" in September, "Dry recycling contamination rate" in October, both printing 18.4% for
    April to 16.9% for September)."""
    cells: dict[tuple, list[LinkFigure]] = defaultdict(list)
    rank: dict[str, tuple[date, str]] = {}  # papers in order: by date, then by id (the direction of a link)
    for f in figures:
        if not (f.council and f.label_key and f.period_start and f.period_end) or f.role not in _ROLES:
            continue
        if _FALLBACK_RULE.search(f.rule):
            continue
        # by the period's end: one report dates a rolling year's 11.6% "2024-10/2025-09", the next "at September"
        cells[(f.council, f.unit, f.period_end, round(f.value, 6))].append(f)
        rank[f.paper_id] = (f.paper_date or date.min, f.paper_id)
    agree: dict[tuple, set[tuple]] = defaultdict(set)
    for (council, unit, end, value), group in cells.items():
        for a in group:
            for b in group:
                if a.label_key != b.label_key and rank[a.paper_id] < rank[b.paper_id]:
                    exact = a.period_start == b.period_start
                    agree[(council, unit, a.paper_id, a.label_key, b.paper_id, b.label_key)].add(
                        (a.period_start, end, value, exact)
                    )
    kept = {
        k: v
        for k, v in agree.items()
        if len({(x[1], x[2]) for x in v}) >= 2
        or (any(x[3] and distinctive(x[2], k[1]) for x in v) and _share_a_word(k[3], k[5]))
    }
    # unique both ways within one pair of papers: a key that agrees with two keys of the other paper joins neither,
    # unless one of them agrees on more periods than any other (a table's month columns beside a tile's one month)
    forward: dict[tuple, dict[str, int]] = defaultdict(dict)
    backward: dict[tuple, dict[str, int]] = defaultdict(dict)
    for (council, unit, pa, ka, pb, kb), hits in kept.items():
        forward[(council, unit, pa, ka, pb)][kb] = len(hits)
        backward[(council, unit, pb, kb, pa)][ka] = len(hits)
    nearest: dict[tuple, tuple] = {}
    for key, hits in kept.items():
        council, unit, pa, ka, pb, kb = key
        if not (_sole(forward[(council, unit, pa, ka, pb)], kb) and _sole(backward[(council, unit, pb, kb, pa)], ka)):
            continue
        later = (council, unit, pb, kb)
        if later not in nearest or rank[pa] > rank[nearest[later][0]]:
            nearest[later] = (pa, ka, hits)
    links = []
    for (council, unit, pb, kb), (pa, ka, hits) in nearest.items():
        series = _resolve((council, unit, pa, ka), nearest)
        if series == kb:
            continue
        shown = sorted(hits)[:3]
        evidence = "; ".join(f"{s:%Y-%m}/{e:%Y-%m} {v:g}" for s, e, v, _ in shown)
        links.append(Link(council, unit, pb, kb, series, pa, len(hits), evidence))
    return sorted(links, key=lambda k: (k.council, k.unit, k.paper_id, k.label_key))


def _sole(candidates: dict[str, int], key: str) -> bool:
    """Is ``key`` the one candidate, or the one that agrees on at least two periods more than any other, or the
    only one to agree on more than one?"""
    others = [n for k, n in candidates.items() if k != key]
    mine = candidates[key]
    return not others or mine >= max(others) + 2 or (mine >= 2 and max(others) == 1)


# words reports use for one another when they reword a measure ("applications determined", "decisions issued")
_SAME_WORD = {
    "determined": "decision",
    "decided": "decision",
    "determination": "decision",
    "responded": "answered",
    "response": "answered",
    "replied": "answered",
    "reply": "answered",
    "receipt": "received",
}


def _share_a_word(a: str, b: str) -> bool:
    """Two label keys with a word in common ("pothole filled", "pothole repaired"), or words reports use for one
    another ("applications determined", "decisions issued"): one agreeing value is enough."""

    def words(key: str) -> set[str]:
        return {_SAME_WORD.get(w, w) for w in key.split() if len(w) > 2}

    return bool(words(a) & words(b))


def _resolve(node: tuple, nearest: dict[tuple, tuple]) -> str:
    """The series key a paper's label key stands for: its own, or that of the earliest report it is joined to."""
    council, unit, paper, key = node
    seen = set()
    while (council, unit, paper, key) in nearest and (paper, key) not in seen:
        seen.add((paper, key))
        paper, key, _ = nearest[(council, unit, paper, key)]
    return key


_FIGURES_SQL = """
SELECT p.council, o.unit, o.paper_id, coalesce(p.paper_date, p.reporting_period_end), o.label_key, o.role, o.period_start, o.period_end,
       o.rule, o.value
FROM observations o
JOIN papers p ON p.id = o.paper_id AND p.status = 'ok'
WHERE o.label_key IS NOT NULL AND p.council IS NOT NULL
"""
_INSERT_SQL = """
INSERT INTO label_key_links (council, unit, paper_id, label_key, series_key, linked_paper_id, n_agreeing, evidence, rule)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def refresh_series_links(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute label_key_links from every loaded figure (after an ingest); returns the number of links."""
    figures = [LinkFigure(*row) for row in con.execute(_FIGURES_SQL).fetchall()]
    links = find_links(figures)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM label_key_links")
        if links:
            con.executemany(
                _INSERT_SQL,
                [
                    (
                        k.council,
                        k.unit,
                        k.paper_id,
                        k.label_key,
                        k.series_key,
                        k.linked_paper_id,
                        k.n_agreeing,
                        k.evidence,
                        RULE,
                    )
                    for k in links
                ],
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(links)
