"""Look up one observation with its full provenance (paper, page text, sentence, offsets, box)."""

from __future__ import annotations

import duckdb

from models.audit import TracedFigure
from warehouse.digest import FIELDS as DIGEST_FIELDS
from warehouse.digest import mismatched_fields

FIND_IDS_SQL = "SELECT id FROM observations WHERE starts_with(id, ?) ORDER BY id LIMIT 2"
TRACE_SQL = """
SELECT o.id, o.value, o.unit, o.value_text, o.kpi, o.label, o.period_start, o.period_end, o.period_text,
       o.period_kind, o.role, o.rule, o.confidence,
       p.id, p.title, p.source, p.paper_date, p.kind,
       o.page, pg.text, pg.width, pg.height, o.page_start, o.page_end,
       s.text, o.sentence_start, o.sentence_end, s.start_char,
       o.bbox_x0, o.bbox_top, o.bbox_x1, o.bbox_bottom, o.text_source,
       o.cell_x0, o.cell_top, o.cell_x1, o.cell_bottom
FROM observations o
JOIN papers p ON p.id = o.paper_id
JOIN pages pg ON pg.paper_id = o.paper_id AND pg.page = o.page
JOIN sentences s ON s.id = o.sentence_id
WHERE o.id = ?
"""
SOURCES_SQL = "SELECT source FROM paper_sources WHERE paper_id = ? ORDER BY first_seen, source"
DIGEST_SQL = f"SELECT digest, {', '.join(DIGEST_FIELDS)} FROM observations WHERE id = ?"  # noqa: S608 (fixed names)


class TraceError(LookupError):
    """No observation (or more than one) matches the id given."""


def resolve_id(con: duckdb.DuckDBPyConnection, given: str) -> str:
    """The full observation id for an id or a unique prefix of one."""
    given = given.strip()
    if not given:
        raise TraceError("an observation id is needed")
    ids = [r[0] for r in con.execute(FIND_IDS_SQL, [given]).fetchall()]
    if not ids:
        raise TraceError(f"no observation with id {given!r}")
    if len(ids) > 1 and given not in ids:
        raise TraceError(f"{given!r} matches several observations; give more of the id")
    return given if given in ids else ids[0]


def trace(con: duckdb.DuckDBPyConnection, observation_id: str) -> TracedFigure:
    """The figure with its paper, page and sentence (``observation_id`` may be a unique prefix)."""
    oid = resolve_id(con, observation_id)
    row = con.execute(TRACE_SQL, [oid]).fetchone()
    if row is None:
        raise TraceError(f"observation {oid}: its paper, page or sentence is missing from the warehouse")
    box, cell = row[28:32], row[33:37]
    figure = TracedFigure(
        *row[:28],
        bbox=None if None in box else tuple(float(v) for v in box),
        text_source=row[32] or "text",
        cell_bbox=None if None in cell else tuple(float(v) for v in cell),
    )
    figure.sources = [r[0] for r in con.execute(SOURCES_SQL, [figure.paper_id]).fetchall()]
    return figure


def changed_since_load(con: duckdb.DuckDBPyConnection, observation_id: str) -> list[str] | None:
    """The fields of a figure that differ from its digest made at load time; None when it has no digest."""
    row = con.execute(DIGEST_SQL, [observation_id]).fetchone()
    if row is None or row[0] is None:
        return None
    return mismatched_fields(observation_id, dict(zip(DIGEST_FIELDS, row[1:], strict=True)), row[0])
