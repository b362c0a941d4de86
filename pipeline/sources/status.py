"""Per-source status of collection runs (table source_runs): yield checks, warnings, and the latest row per source."""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import median

import duckdb

from models.records import SourceRun

INSERT_SOURCE_RUN = """
INSERT INTO source_runs (run_id, source_name, source_type, council, started_at, finished_at, status, meetings_seen,
                         meetings_cancelled, documents_listed, n_new, n_unchanged, n_failed, skipped_restricted,
                         skipped_links, n_warnings, warnings)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (run_id, source_name) DO UPDATE SET finished_at = excluded.finished_at, status = excluded.status,
    meetings_seen = excluded.meetings_seen, meetings_cancelled = excluded.meetings_cancelled,
    documents_listed = excluded.documents_listed, n_new = excluded.n_new, n_unchanged = excluded.n_unchanged,
    n_failed = excluded.n_failed, skipped_restricted = excluded.skipped_restricted,
    skipped_links = excluded.skipped_links, n_warnings = excluded.n_warnings, warnings = excluded.warnings
"""
PREVIOUS_YIELDS = """
SELECT documents_listed FROM source_runs
WHERE lower(source_name) = lower(?) AND run_id <> ? AND status <> 'unavailable'
ORDER BY started_at DESC LIMIT ?
"""
LATEST_SOURCE_RUNS = """
SELECT source_name, started_at, finished_at, status, meetings_seen, meetings_cancelled, documents_listed, n_new,
       n_unchanged, n_failed, skipped_restricted, skipped_links, n_warnings, warnings, run_id
FROM source_runs
QUALIFY row_number() OVER (PARTITION BY lower(source_name) ORDER BY started_at DESC) = 1
"""
HAS_SOURCE_RUNS = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'source_runs'"

HISTORY_RUNS = 5
"""the yield of a run is compared with the median of this many earlier runs of the same source"""
DROP_FRACTION = 0.5
"""a yield below this fraction of that median is a sharp drop ..."""
DROP_MIN_TYPICAL = 4
"""... when the median is at least this many documents (small sources vary too much to judge)"""


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def yield_warning(con: duckdb.DuckDBPyConnection, run: SourceRun) -> str | None:
    """A warning when this run listed far fewer documents than the source's previous runs usually do."""
    earlier = [r[0] for r in con.execute(PREVIOUS_YIELDS, [run.source_name, run.run_id, HISTORY_RUNS]).fetchall()]
    if not earlier:
        return None
    typical = median(earlier)
    if typical >= DROP_MIN_TYPICAL and run.documents_listed < DROP_FRACTION * typical:
        return (
            f"yield dropped: {run.documents_listed} document(s) listed, against a median of {typical:g} "
            f"over the previous {len(earlier)} run(s)"
        )
    return None


def settle(run: SourceRun) -> None:
    """Set the run's status from its counts and warnings."""
    if run.status == "unavailable":
        return
    run.status = "warning" if run.warnings else "failures" if run.n_failed else "ok"


def record(con: duckdb.DuckDBPyConnection, run: SourceRun) -> None:
    con.execute(
        INSERT_SOURCE_RUN,
        [
            run.run_id,
            run.source_name,
            run.source_type,
            run.council,
            run.started_at,
            run.finished_at,
            run.status,
            run.meetings_seen,
            run.meetings_cancelled,
            run.documents_listed,
            run.n_new,
            run.n_unchanged,
            run.n_failed,
            run.skipped_restricted,
            run.skipped_links,
            len(run.warnings),
            "\n".join(run.warnings) or None,
        ],
    )


def latest(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """The latest source_runs row of every source that has run, by lower-cased source name."""
    if not con.execute(HAS_SOURCE_RUNS).fetchone()[0]:
        return {}
    return {row[0].lower(): row for row in con.execute(LATEST_SOURCE_RUNS).fetchall()}
