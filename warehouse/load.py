"""Load stage: write one paper's records in one transaction (DataFrame inserts), or record its failure."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import duckdb
import pandas as pd

from models.records import ExtractionResult, FailedPaper, Paper
from warehouse.digest import digest
from warehouse.pause import pause

PAPER_COLUMNS = [
    "id",
    "source",
    "title",
    "paper_date",
    "paper_date_source",
    "kind",
    "size",
    "n_pages",
    "status",
    "error_reason",
    "error",
    "extractor_version",
    "run_id",
    "needs_ocr",
    "reporting_period_start",
    "reporting_period_end",
    "reporting_period_source",
    "ocr_status",
    "council",
    "council_source",
]
PAGE_COLUMNS = ["paper_id", "page", "text", "width", "height", "needs_ocr", "text_source"]
SENTENCE_COLUMNS = ["id", "paper_id", "page", "idx", "start_char", "end_char", "text"]
OBSERVATION_COLUMNS = [
    "id",
    "paper_id",
    "page",
    "sentence_id",
    "value",
    "unit",
    "value_text",
    "page_start",
    "page_end",
    "sentence_start",
    "sentence_end",
    "period_start",
    "period_end",
    "period_text",
    "period_kind",
    "role",
    "label",
    "kpi",
    "rule",
    "confidence",
    "extractor_version",
    "paper_date",
    "bbox_x0",
    "bbox_top",
    "bbox_x1",
    "bbox_bottom",
    "digest",
    "rag",
    "text_source",
    "label_key",
    "cell_x0",
    "cell_top",
    "cell_x1",
    "cell_bottom",
]
DELETE_PAPER = [
    "DELETE FROM observations WHERE paper_id = ?",
    "DELETE FROM sentences WHERE paper_id = ?",
    "DELETE FROM pages WHERE paper_id = ?",
    "DELETE FROM papers WHERE id = ?",
]
UPSERT_SOURCE = """
INSERT INTO paper_sources (paper_id, source, size, mtime, path) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (paper_id, source) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, path = excluded.path
"""
SOURCE_STATE = """
SELECT s.paper_id, p.status, p.extractor_version
FROM paper_sources s JOIN papers p ON p.id = s.paper_id
WHERE s.path = ? AND s.size = ? AND s.mtime = ?
LIMIT 1
"""
PAPER_STATE = "SELECT status, extractor_version FROM papers WHERE id = ?"
INSERT_RUN = "INSERT INTO runs (id, started_at, status, extractor_version, command) VALUES (?, ?, 'running', ?, ?)"
MARK_CRASHED = """
UPDATE runs SET status = 'crashed', finished_at = ? WHERE status = 'running' RETURNING id
"""
FINISH_RUN = """
UPDATE runs SET finished_at = ?, status = ?, n_files = ?, n_loaded = ?, n_skipped = ?, n_failed = ? WHERE id = ?
"""


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    con.register("_incoming", frame[columns])
    try:
        cols = ", ".join(columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")  # noqa: S608 (fixed names)
    finally:
        con.unregister("_incoming")


def _paper_row(
    paper: Paper, extractor_version: str | None, run_id: str, reason: str | None, needs_ocr: bool = False
) -> dict:
    row = asdict(paper)
    row.update(error_reason=reason, extractor_version=extractor_version, run_id=run_id, needs_ocr=needs_ocr)
    return row


def paper_state(con: duckdb.DuckDBPyConnection, paper_id: str) -> tuple[str, str | None] | None:
    """(status, extractor_version) of a stored paper, or None if it has never been loaded."""
    row = con.execute(PAPER_STATE, [paper_id]).fetchone()
    return (row[0], row[1]) if row else None


def record_source(
    con: duckdb.DuckDBPyConnection,
    paper_id: str,
    source: str,
    size: int,
    mtime: float | None,
    path: str | None = None,
) -> None:
    con.execute(UPSERT_SOURCE, [paper_id, source, size, mtime, path])


def source_state(
    con: duckdb.DuckDBPyConnection, path: str, size: int, mtime: float
) -> tuple[str, str, str | None] | None:
    """(paper_id, status, extractor_version) of the paper last read from this local file at this size and mtime."""
    row = con.execute(SOURCE_STATE, [path, size, mtime]).fetchone()
    return (row[0], row[1], row[2]) if row else None


SourceRow = tuple[str, str, int, float | None, str | None]
"""(paper_id, source, size, mtime, path) for paper_sources"""

DELETE_PAPERS = [sql.replace("= ?", "IN (SELECT unnest(?::VARCHAR[]))") for sql in DELETE_PAPER]
STORED_PAPERS = "SELECT id FROM papers WHERE id IN (SELECT unnest(?::VARCHAR[]))"


def _page_rows(result: ExtractionResult) -> list[dict]:
    paper_id = result.document.paper.id
    return [
        {
            "paper_id": paper_id,
            "page": p.number,
            "text": p.text,
            "width": p.width,
            "height": p.height,
            "needs_ocr": p.needs_ocr,
            "text_source": p.text_source,
        }
        for p in result.document.pages
    ]


def _sentence_rows(result: ExtractionResult) -> list[dict]:
    return [
        {
            "id": s.id,
            "paper_id": s.paper_id,
            "page": s.page,
            "idx": s.index,
            "start_char": s.start,
            "end_char": s.end,
            "text": s.text,
        }
        for s in result.sentences
    ]


def _observation_rows(result: ExtractionResult) -> list[dict]:
    rows = []
    for o in result.observations:
        row = o.to_dict()
        box = o.bbox or (None, None, None, None)
        row.update(bbox_x0=box[0], bbox_top=box[1], bbox_x1=box[2], bbox_bottom=box[3])
        cell = o.cell_bbox or (None, None, None, None)
        row.update(cell_x0=cell[0], cell_top=cell[1], cell_x1=cell[2], cell_bottom=cell[3])
        row["digest"] = digest(row["id"], row)
        rows.append(row)
    return rows


def _failure_row(failed: FailedPaper, run_id: str, extractor_version: str) -> dict:
    paper = failed.paper
    paper.status = "failed"
    paper.error = failed.message
    return _paper_row(paper, extractor_version, run_id, failed.reason, failed.reason == "no_text_layer")


def load_batch(
    con: duckdb.DuckDBPyConnection,
    outcomes: list[ExtractionResult | FailedPaper],
    run_id: str,
    extractor_version: str,
    sources: list[SourceRow] = (),  # type: ignore[assignment]
) -> list[int]:
    """Replace everything stored for these papers, and record where they were seen, in one transaction.

    A failed paper keeps only its papers row (no pages, sentences or observations). Returns the observations
    written per paper. Either every paper of the batch is stored complete, or none is.
    """
    papers, pages, sentences, observations, counts = [], [], [], [], []
    for outcome in outcomes:
        if isinstance(outcome, FailedPaper):
            papers.append(_failure_row(outcome, run_id, extractor_version))
            counts.append(0)
            continue
        needs_ocr = any(p.needs_ocr for p in outcome.document.pages)
        papers.append(_paper_row(outcome.document.paper, extractor_version, run_id, None, needs_ocr))
        pages += _page_rows(outcome)
        sentences += _sentence_rows(outcome)
        rows = _observation_rows(outcome)
        observations += rows
        counts.append(len(rows))
    obs = pd.DataFrame(observations, columns=OBSERVATION_COLUMNS)
    for col in ("period_start", "period_end", "paper_date"):
        obs[col] = pd.to_datetime(obs[col]).dt.date
    ids = [row["id"] for row in papers]
    con.execute("BEGIN TRANSACTION")
    try:
        stored = [row[0] for row in con.execute(STORED_PAPERS, [ids]).fetchall()]
        if stored:  # a re-extraction replaces everything of the paper (new papers have nothing to delete)
            for sql in DELETE_PAPERS:
                con.execute(sql, [stored])
        _insert(con, "papers", PAPER_COLUMNS, pd.DataFrame(papers, columns=PAPER_COLUMNS))
        _insert(con, "pages", PAGE_COLUMNS, pd.DataFrame(pages, columns=PAGE_COLUMNS))
        _insert(con, "sentences", SENTENCE_COLUMNS, pd.DataFrame(sentences, columns=SENTENCE_COLUMNS))
        _insert(con, "observations", OBSERVATION_COLUMNS, obs)
        if sources:
            con.executemany(UPSERT_SOURCE, [list(row) for row in sources])
        pause("in_transaction")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def load_result(con: duckdb.DuckDBPyConnection, result: ExtractionResult, run_id: str, extractor_version: str) -> int:
    """Replace everything stored for the paper with this result, atomically. Returns observations written."""
    return load_batch(con, [result], run_id, extractor_version)[0]


def load_failure(con: duckdb.DuckDBPyConnection, failed: FailedPaper, run_id: str, extractor_version: str) -> None:
    """Record a paper that could not be read: no pages, sentences or observations are kept for it."""
    load_batch(con, [failed], run_id, extractor_version)


def mark_crashed_runs(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Runs still 'running' when a new run gets the write lock were killed: mark them 'crashed'."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return [row[0] for row in con.execute(MARK_CRASHED, [now]).fetchall()]


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, extractor_version: str, command: str) -> None:
    con.execute(INSERT_RUN, [run_id, datetime.now(UTC).replace(tzinfo=None), extractor_version, command])


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str, n_files: int, n_loaded: int, n_skipped: int, n_failed: int
) -> None:
    con.execute(
        FINISH_RUN,
        [datetime.now(UTC).replace(tzinfo=None), status, n_files, n_loaded, n_skipped, n_failed, run_id],
    )
