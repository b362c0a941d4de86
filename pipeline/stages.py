"""The pipeline's stages as plain functions (no Prefect needed): fingerprint → extract text → metrics → load."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from extractors.document import extract_document, new_paper, sniff_kind
from extractors.errors import ExtractionError
from extractors.metrics import extract_metrics, extractor_version
from models.records import (
    ExtractedDocument,
    ExtractionResult,
    FailedPaper,
    PaperOutcome,
    RunSummary,
    SourceFile,
)
from warehouse import load as wl
from warehouse import store


@dataclass
class Fingerprint:
    """A source file's bytes and identity, read once, and whether the warehouse already holds it."""

    source: SourceFile
    data: bytes
    paper_id: str
    mtime: float | None
    skip: bool
    skip_reason: str | None = None


def fingerprint(
    con: duckdb.DuckDBPyConnection, src: SourceFile, *, retry_failed: bool = False, force: bool = False
) -> Fingerprint:
    """Read a file and decide whether it needs work: new bytes, a failure being retried, or a newer extractor."""
    data = src.path.read_bytes()
    paper_id = new_paper(src, data, "").id
    try:
        mtime: float | None = src.path.stat().st_mtime
    except OSError:
        mtime = None
    state = wl.paper_state(con, paper_id)
    skip, why = False, None
    if state is not None and not force:
        status, version = state
        if status == "ok" and version == extractor_version():
            skip, why = True, "already loaded"
        elif status == "failed" and not retry_failed:
            skip, why = True, "failed before (use --retry-failed)"
    return Fingerprint(src, data, paper_id, mtime, skip, why)


def extract_text(src: SourceFile, data: bytes | None = None) -> ExtractedDocument | FailedPaper:
    """Text extraction that never raises for a bad paper: failures come back as FailedPaper with a reason."""
    if data is None:
        try:
            data = src.path.read_bytes()
        except OSError as exc:
            paper = new_paper(src, b"", "unknown")
            return FailedPaper(paper, "unreadable", f"{src.path}: {exc}")
    try:
        return extract_document(src, data)
    except ExtractionError as exc:
        return FailedPaper(new_paper(src, data, sniff_kind(src.path, data)), exc.reason, str(exc))
    except Exception as exc:  # a parser bug must not stop the run; the paper is recorded as failed
        kind = sniff_kind(src.path, data)
        return FailedPaper(new_paper(src, data, kind), "corrupt", f"{type(exc).__name__}: {exc}")


def load(
    con: duckdb.DuckDBPyConnection, outcome: ExtractionResult | FailedPaper, fp: Fingerprint, run_id: str
) -> PaperOutcome:
    """Write a paper (or its failure) in one transaction and remember where its bytes were seen."""
    version = extractor_version()
    if isinstance(outcome, FailedPaper):
        wl.load_failure(con, outcome, run_id, version)
        wl.record_source(con, fp.paper_id, fp.source.source, len(fp.data), fp.mtime)
        return PaperOutcome(fp.source.source, fp.paper_id, "failed", reason=outcome.reason, message=outcome.message)
    store.put_for_connection(con, fp.data, fp.paper_id)  # the original bytes, for audits (verify, trace --png)
    n = wl.load_result(con, outcome, run_id, version)
    wl.record_source(con, fp.paper_id, fp.source.source, len(fp.data), fp.mtime)
    return PaperOutcome(fp.source.source, fp.paper_id, "loaded", len(outcome.document.pages), n)


@dataclass(frozen=True)
class Steps:
    """The stage functions a run calls; the Prefect flow swaps in task-wrapped versions of the same."""

    extract_text: Callable[[SourceFile, bytes], ExtractedDocument | FailedPaper] = extract_text
    extract_metrics: Callable[[ExtractedDocument], ExtractionResult] = extract_metrics
    load: Callable[..., PaperOutcome] = load


PLAIN = Steps()


def process(
    con: duckdb.DuckDBPyConnection,
    src: SourceFile,
    run_id: str,
    *,
    retry_failed: bool = False,
    force: bool = False,
    steps: Steps = PLAIN,
) -> PaperOutcome:
    """All stages for one file."""
    try:
        fp = fingerprint(con, src, retry_failed=retry_failed, force=force)
    except OSError as exc:
        return PaperOutcome(src.source, None, "failed", reason="unreadable", message=f"{src.path}: {exc}")
    if fp.skip:
        wl.record_source(con, fp.paper_id, src.source, len(fp.data), fp.mtime)
        if fp.skip_reason == "already loaded":
            store.put_for_connection(con, fp.data, fp.paper_id)  # fills the store for papers loaded before it existed
        return PaperOutcome(src.source, fp.paper_id, "skipped", message=fp.skip_reason)
    extracted = steps.extract_text(src, fp.data)
    if not isinstance(extracted, FailedPaper):
        extracted = steps.extract_metrics(extracted)
    return steps.load(con, extracted, fp, run_id)


def ingest(
    con: duckdb.DuckDBPyConnection,
    sources: list[SourceFile],
    *,
    retry_failed: bool = False,
    force: bool = False,
    command: str = "api",
    on_paper: Callable[[PaperOutcome], None] | None = None,
    db: Path | str = "",
    steps: Steps = PLAIN,
) -> RunSummary:
    """Ingest papers one by one, recording the run; a bad paper is recorded and the run goes on."""
    run_id = str(uuid.uuid4())
    wl.start_run(con, run_id, extractor_version(), command)
    summary = RunSummary(run_id=run_id, db=str(db))
    for src in sources:
        outcome = process(con, src, run_id, retry_failed=retry_failed, force=force, steps=steps)
        summary.outcomes.append(outcome)
        if on_paper is not None:
            on_paper(outcome)
    finish(con, summary)
    return summary


def finish(con: duckdb.DuckDBPyConnection, summary: RunSummary) -> None:
    status = "failures" if summary.failed else "ok"
    wl.finish_run(
        con,
        summary.run_id,
        status,
        len(summary.outcomes),
        summary.count("loaded"),
        summary.count("skipped"),
        summary.count("failed"),
    )
