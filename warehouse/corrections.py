"""Append-only review log: accept, reject or correct a figure without ever changing the observation itself."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import duckdb

from models.audit import Correction

ACTIONS = ("accept", "reject", "set")
FIELDS = ("value", "unit", "period_start", "period_end", "role", "kpi")

OBSERVATION_VALUES_SQL = "SELECT value, unit, period_start, period_end, role, kpi FROM observations WHERE id = ?"
LAST_VALUES_SQL = """
SELECT value, unit, period_start, period_end, role, kpi FROM corrections
WHERE observation_id = ? AND action <> 'reject' ORDER BY seq DESC LIMIT 1
"""
NEXT_SEQ_SQL = "SELECT coalesce(max(seq), 0) + 1 FROM corrections"
INSERT_SQL = """
INSERT INTO corrections (id, seq, observation_id, action, value, unit, period_start, period_end, role, kpi,
                         changed, reason, reviewer, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
HISTORY_SQL = """
SELECT id, seq, observation_id, action, value, unit, period_start, period_end, role, kpi, changed, reason,
       reviewer, created_at
FROM corrections WHERE observation_id = ? ORDER BY seq
"""


class CorrectionError(ValueError):
    """A correction that cannot be recorded: unknown observation, bad action, missing reason or reviewer."""


def current_values(con: duckdb.DuckDBPyConnection, observation_id: str) -> dict[str, object]:
    """The figure's values as reviewed so far: the latest accept/set correction's, else the extracted ones."""
    row = con.execute(LAST_VALUES_SQL, [observation_id]).fetchone()
    if row is None:
        row = con.execute(OBSERVATION_VALUES_SQL, [observation_id]).fetchone()
    if row is None:
        raise CorrectionError(f"no observation with id {observation_id!r}")
    return dict(zip(FIELDS, row, strict=True))


def append(
    con: duckdb.DuckDBPyConnection,
    observation_id: str,
    action: str,
    reason: str,
    reviewer: str,
    changes: dict[str, object] | None = None,
    now: datetime | None = None,
) -> Correction:
    """Record one review decision. Each row carries the figure's full values after it (none for a reject)."""
    if action not in ACTIONS:
        raise CorrectionError(f"unknown action {action!r} (one of {', '.join(ACTIONS)})")
    if not reason or not reason.strip():
        raise CorrectionError("a reason is needed")
    if not reviewer or not reviewer.strip():
        raise CorrectionError("the reviewer's name is needed")
    changes = dict(changes or {})
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise CorrectionError(f"cannot set {', '.join(sorted(unknown))} (settable: {', '.join(FIELDS)})")
    if action == "set" and not changes:
        raise CorrectionError("set needs at least one field to change")
    if action != "set" and changes:
        raise CorrectionError(f"{action} takes no field changes")
    values = current_values(con, observation_id)
    changed = None
    if action == "set":
        values.update(changes)
        start, end = values["period_start"], values["period_end"]
        if isinstance(start, date) and isinstance(end, date) and end < start:
            raise CorrectionError(f"the period ends ({end}) before it starts ({start})")
        changed = ",".join(f for f in FIELDS if f in changes)
    elif action == "reject":
        values = dict.fromkeys(FIELDS)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        seq = con.execute(NEXT_SEQ_SQL).fetchone()[0]
        cid = str(uuid.uuid4())
        row = [cid, seq, observation_id, action, *(values[f] for f in FIELDS), changed, reason.strip()]
        con.execute(INSERT_SQL, [*row, reviewer.strip(), now])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return Correction(
        cid, seq, observation_id, action, *(values[f] for f in FIELDS), changed, reason.strip(), reviewer.strip(), now
    )


def history(con: duckdb.DuckDBPyConnection, observation_id: str) -> list[Correction]:
    """Every correction of an observation, oldest first."""
    return [Correction(*row) for row in con.execute(HISTORY_SQL, [observation_id]).fetchall()]


HAS_CORRECTIONS_SQL = "SELECT count(*) FROM duckdb_views() WHERE view_name = 'kpi_conflicts'"


def upgrade_if_needed(db) -> None:
    """Give a warehouse made before corrections existed its `corrections` table and views (one write connection)."""
    from warehouse.db import connect

    con = connect(db, read_only=True)
    try:
        current = con.execute(HAS_CORRECTIONS_SQL).fetchone()[0] > 0
    finally:
        con.close()
    if not current:
        connect(db).close()
