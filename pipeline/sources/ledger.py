"""The collector's bookkeeping in the warehouse: conditional-GET validators, fetch failures and paper metadata."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from models.records import FetchResult, SourceFile

GET_CACHE = "SELECT etag, last_modified, sha256 FROM http_cache WHERE url = ?"
UPSERT_CACHE = """
INSERT INTO http_cache (url, etag, last_modified, sha256, size, content_type, fetched_at, checked_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
    sha256 = excluded.sha256, size = excluded.size, content_type = excluded.content_type,
    fetched_at = excluded.fetched_at, checked_at = excluded.checked_at
"""
TOUCH_CACHE = "UPDATE http_cache SET checked_at = ? WHERE url = ?"
UPSERT_FAILURE = """
INSERT INTO fetch_failures (url, source_name, reason, message, attempts, run_id, first_failed, last_failed)
VALUES (?, ?, ?, ?, 1, ?, ?, ?)
ON CONFLICT (url) DO UPDATE SET source_name = excluded.source_name, reason = excluded.reason,
    message = excluded.message, attempts = fetch_failures.attempts + 1, run_id = excluded.run_id,
    last_failed = excluded.last_failed
"""
CLEAR_FAILURE = "DELETE FROM fetch_failures WHERE url = ?"
UPSERT_META = """
INSERT INTO paper_meta (paper_id, url, source_name, council, committee, meeting_date, agenda_item, title,
                        publication_date)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (paper_id, url) DO UPDATE SET source_name = excluded.source_name, council = excluded.council,
    committee = excluded.committee, meeting_date = excluded.meeting_date, agenda_item = excluded.agenda_item,
    title = excluded.title, publication_date = excluded.publication_date
"""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Cached:
    """What the last successful GET of a URL returned."""

    etag: str | None
    last_modified: str | None
    sha256: str


def cached(con: duckdb.DuckDBPyConnection, url: str) -> Cached | None:
    row = con.execute(GET_CACHE, [url]).fetchone()
    return Cached(*row) if row else None


def remember(con: duckdb.DuckDBPyConnection, result: FetchResult, sha256: str) -> None:
    """Keep the validators of a 200 response, and forget any earlier failure of the URL."""
    now = _now()
    size = len(result.data) if result.data is not None else None
    con.execute(
        UPSERT_CACHE, [result.url, result.etag, result.last_modified, sha256, size, result.content_type, now, now]
    )
    con.execute(CLEAR_FAILURE, [result.url])


def touch(con: duckdb.DuckDBPyConnection, url: str) -> None:
    """A 304: the stored bytes are still current."""
    con.execute(TOUCH_CACHE, [_now(), url])
    con.execute(CLEAR_FAILURE, [url])


def record_failure(con: duckdb.DuckDBPyConnection, result: FetchResult, source_name: str, run_id: str) -> None:
    now = _now()
    con.execute(UPSERT_FAILURE, [result.url, source_name, result.reason, result.message, run_id, now, now])


def record_meta(con: duckdb.DuckDBPyConnection, paper_id: str, src: SourceFile) -> None:
    """Where and when a paper was published (one row per paper and URL)."""
    con.execute(
        UPSERT_META,
        [
            paper_id,
            src.source,
            src.source_name,
            src.council,
            src.committee,
            src.meeting_date,
            src.agenda_item,
            src.title,
            src.publication_date,
        ],
    )
