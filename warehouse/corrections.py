"""Append-only review log: accept, reject or correct a figure without ever changing the observation itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
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


@dataclass
class Decision:
    """One review decision to record: what to do with which figure, why and by whom."""

    observation_id: str
    action: str
    reason: str
    reviewer: str
    changes: dict[str, object] | None = None


def _check(decision: Decision) -> None:
    action, changes = decision.action, decision.changes or {}
    if action not in ACTIONS:
        raise CorrectionError(f"unknown action {action!r} (one of {', '.join(ACTIONS)})")
    if not decision.reason or not decision.reason.strip():
        raise CorrectionError("a reason is needed")
    if not decision.reviewer or not decision.reviewer.strip():
        raise CorrectionError("the reviewer's name is needed")
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise CorrectionError(f"cannot set {', '.join(sorted(unknown))} (settable: {', '.join(FIELDS)})")
    if action == "set" and not changes:
        raise CorrectionError("set needs at least one field to change")
    if action != "set" and changes:
        raise CorrectionError(f"{action} takes no field changes")


def _insert(con: duckdb.DuckDBPyConnection, decision: Decision, now: datetime) -> Correction:
    """Write one checked decision (inside the caller's transaction); values chain on earlier ones."""
    values = current_values(con, decision.observation_id)
    changed = None
    if decision.action == "set":
        values.update(decision.changes or {})
        start, end = values["period_start"], values["period_end"]
        if isinstance(start, date) and isinstance(end, date) and end < start:
            raise CorrectionError(f"the period ends ({end}) before it starts ({start})")
        changed = ",".join(f for f in FIELDS if f in (decision.changes or {}))
    elif decision.action == "reject":
        values = dict.fromkeys(FIELDS)
    seq = con.execute(NEXT_SEQ_SQL).fetchone()[0]
    cid = str(uuid.uuid4())
    reason, reviewer = decision.reason.strip(), decision.reviewer.strip()
    row = [cid, seq, decision.observation_id, decision.action, *(values[f] for f in FIELDS), changed, reason]
    con.execute(INSERT_SQL, [*row, reviewer, now])
    return Correction(*row, reviewer, now)


def append_many(
    con: duckdb.DuckDBPyConnection, decisions: list[Decision], now: datetime | None = None
) -> list[Correction]:
    """Record many decisions in one transaction: all of them, or (on any error) none.

    A CorrectionError names the decision (1-based) that failed.
    """
    for i, decision in enumerate(decisions, 1):
        try:
            _check(decision)
        except CorrectionError as exc:
            raise CorrectionError(f"decision {i}: {exc}") from exc
    now = now or datetime.now(UTC).replace(tzinfo=None)
    written = []
    con.execute("BEGIN TRANSACTION")
    try:
        for i, decision in enumerate(decisions, 1):
            try:
                written.append(_insert(con, decision, now))
            except CorrectionError as exc:
                raise CorrectionError(f"decision {i}: {exc}") from exc
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return written


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
    decision = Decision(observation_id, action, reason, reviewer, dict(changes or {}))
    _check(decision)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        correction = _insert(con, decision, now)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return correction


def history(con: duckdb.DuckDBPyConnection, observation_id: str) -> list[Correction]:
    """Every correction of an observation, oldest first."""
    return [Correction(*row) for row in con.execute(HISTORY_SQL, [observation_id]).fetchall()]


@dataclass
class HistoryStep:
    """A correction with what it changed: (field, old, new) against the values in force before it."""

    correction: Correction
    changes: list[tuple[str, object, object]]


def history_steps(con: duckdb.DuckDBPyConnection, observation_id: str) -> list[HistoryStep]:
    """Every correction of an observation, oldest first, each with the old -> new value of each field it changed.

    A reject shows no field changes (the figure is left out); the next accept or set starts again from the
    values in force before the reject.
    """
    row = con.execute(OBSERVATION_VALUES_SQL, [observation_id]).fetchone()
    if row is None:
        raise CorrectionError(f"no observation with id {observation_id!r}")
    current = dict(zip(FIELDS, row, strict=True))
    steps = []
    for c in history(con, observation_id):
        if c.action == "reject":
            steps.append(HistoryStep(c, []))
            continue
        after = {f: getattr(c, f) for f in FIELDS}
        steps.append(HistoryStep(c, [(f, current[f], after[f]) for f in FIELDS if after[f] != current[f]]))
        current = after
    return steps


HAS_CORRECTIONS_SQL = "SELECT count(*) FROM duckdb_views() WHERE view_name = 'kpi_latest_raw'"


def upgrade_if_needed(db) -> None:
    """Give a warehouse made before corrections applied everywhere its current tables and views (one write connection)."""
    from warehouse.db import connect

    con = connect(db, read_only=True)
    try:
        current = con.execute(HAS_CORRECTIONS_SQL).fetchone()[0] > 0
    finally:
        con.close()
    if not current:
        connect(db).close()
