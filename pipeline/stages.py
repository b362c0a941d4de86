"""The pipeline's stages as plain functions (no Prefect needed): fingerprint → extract text → metrics → load."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import duckdb

from extractors import metrics
from extractors.document import new_paper
from extractors.metrics import extract_metrics
from models.records import (
    ExtractedDocument,
    ExtractionResult,
    FailedPaper,
    PaperOutcome,
    RunSummary,
    SourceFile,
)
from pipeline.pool import Limits, WorkerFailure, WorkerPool
from pipeline.worker import extract_paper, extract_text
from warehouse import load as wl
from warehouse import store
from warehouse.db import HeldConnection, WriteSession
from warehouse.pause import pause
from warehouse.series_links import refresh_series_links

Writer = HeldConnection | WriteSession
"""Where a run writes: a connection held for the whole run, or a session that opens it only to write."""


@dataclass
class Fingerprint:
    """A source file's bytes and identity, read once, and whether the warehouse already holds it."""

    source: SourceFile
    data: bytes
    paper_id: str
    mtime: float | None
    skip: bool
    skip_reason: str | None = None


def _skip(state: tuple[str, str | None] | None, retry_failed: bool, force: bool) -> tuple[bool, str | None]:
    if state is not None and not force:
        status, version = state
        if status == "ok" and version == metrics.extractor_version():
            return True, "already loaded"
        if status == "failed" and not retry_failed:
            return True, "failed before (use --retry-failed)"
    return False, None


def local_path(src: SourceFile) -> str:
    return str(src.path.resolve())


def unchanged(
    con: duckdb.DuckDBPyConnection, src: SourceFile, *, retry_failed: bool = False, force: bool = False
) -> PaperOutcome | None:
    """A skip decided without reading the file: same path, size and mtime as a paper already stored."""
    if force:
        return None
    try:
        stat = src.path.stat()
    except OSError:
        return None
    row = wl.source_state(con, local_path(src), stat.st_size, stat.st_mtime)
    if row is None:
        return None
    paper_id, status, version = row
    skip, why = _skip((status, version), retry_failed, force)
    if not skip:
        return None
    # the same file may be reached under another source (a second URL whose bytes are in the store)
    wl.record_source(con, paper_id, src.source, stat.st_size, stat.st_mtime, local_path(src))
    return PaperOutcome(src.source, paper_id, "skipped", message=f"{why} (same file)")


def fingerprint(
    con: duckdb.DuckDBPyConnection, src: SourceFile, *, retry_failed: bool = False, force: bool = False
) -> Fingerprint:
    """Read a file and decide whether it needs work: new bytes, a failure being retried, or a newer extractor."""
    try:
        mtime: float | None = src.path.stat().st_mtime  # before reading: a later change shows as a new mtime
    except OSError:
        mtime = None
    data = src.path.read_bytes()
    paper_id = new_paper(src, data, "").id
    skip, why = _skip(wl.paper_state(con, paper_id), retry_failed, force)
    return Fingerprint(src, data, paper_id, mtime, skip, why)


def _record_source(con: duckdb.DuckDBPyConnection, fp: Fingerprint) -> None:
    wl.record_source(con, fp.paper_id, fp.source.source, len(fp.data), fp.mtime, local_path(fp.source))


def load(
    con: duckdb.DuckDBPyConnection, outcome: ExtractionResult | FailedPaper, fp: Fingerprint, run_id: str
) -> PaperOutcome:
    """Write a paper (or its failure) in one transaction and remember where its bytes were seen."""
    version = metrics.extractor_version()
    if isinstance(outcome, FailedPaper):
        wl.load_failure(con, outcome, run_id, version)
        _record_source(con, fp)
        return PaperOutcome(fp.source.source, fp.paper_id, "failed", reason=outcome.reason, message=outcome.message)
    store.put_for_connection(con, fp.data, fp.paper_id)  # the original bytes, for audits (verify, trace --png)
    n = wl.load_result(con, outcome, run_id, version)
    _record_source(con, fp)
    return PaperOutcome(fp.source.source, fp.paper_id, "loaded", len(outcome.document.pages), n)


def _source_row(fp: Fingerprint) -> wl.SourceRow:
    return (fp.paper_id, fp.source.source, len(fp.data), fp.mtime, local_path(fp.source))


def _outcome(outcome: ExtractionResult | FailedPaper, fp: Fingerprint, n_observations: int) -> PaperOutcome:
    if isinstance(outcome, FailedPaper):
        return PaperOutcome(fp.source.source, fp.paper_id, "failed", reason=outcome.reason, message=outcome.message)
    return PaperOutcome(fp.source.source, fp.paper_id, "loaded", len(outcome.document.pages), n_observations)


def load_many(
    con: duckdb.DuckDBPyConnection, batch: list[tuple[ExtractionResult | FailedPaper, Fingerprint]], run_id: str
) -> list[PaperOutcome]:
    """Write several papers (and where they were seen) in one transaction: fewer, larger writes."""
    outcomes = [outcome for outcome, _ in batch]
    sources = [_source_row(fp) for _, fp in batch]
    for outcome, fp in batch:
        if not isinstance(outcome, FailedPaper):
            store.put_for_connection(con, fp.data, fp.paper_id)  # the original bytes, for audits
    counts = wl.load_batch(con, outcomes, run_id, metrics.extractor_version(), sources)
    return [_outcome(outcome, fp, n) for (outcome, fp), n in zip(batch, counts, strict=True)]


@dataclass(frozen=True)
class Steps:
    """The stage functions a run calls; the Prefect flow swaps in task-wrapped versions of the same."""

    extract_text: Callable[[SourceFile, bytes, str, bool], ExtractedDocument | FailedPaper] = extract_text
    extract_metrics: Callable[[ExtractedDocument], ExtractionResult] = extract_metrics
    load: Callable[..., PaperOutcome] = load
    load_many: Callable[..., list[PaperOutcome]] = load_many


PLAIN = Steps()


def process(
    con: duckdb.DuckDBPyConnection | Writer,
    src: SourceFile,
    run_id: str,
    *,
    retry_failed: bool = False,
    force: bool = False,
    steps: Steps = PLAIN,
    pdf_backend: str = "pdfplumber",
    ocr: bool = True,
) -> PaperOutcome:
    """All stages for one file (a write session lets go of the warehouse while the paper is extracted)."""
    writer = writer_for(con)
    fp = _prepare(writer.con, src, set(), retry_failed=retry_failed, force=force)
    if isinstance(fp, PaperOutcome):
        return fp
    writer.release()
    extracted = steps.extract_text(src, fp.data, pdf_backend, ocr)
    if not isinstance(extracted, FailedPaper):
        extracted = steps.extract_metrics(extracted)
    return steps.load(writer.con, extracted, fp, run_id)


def writer_for(con: duckdb.DuckDBPyConnection | Writer) -> Writer:
    """A WriteSession as it is; a plain connection wrapped, to be held for the whole run."""
    return con if isinstance(con, HeldConnection | WriteSession) else HeldConnection(con)


def ingest(
    con: duckdb.DuckDBPyConnection | Writer,
    sources: list[SourceFile],
    *,
    retry_failed: bool = False,
    force: bool = False,
    command: str = "api",
    on_paper: Callable[[PaperOutcome], None] | None = None,
    db: Path | str = "",
    steps: Steps = PLAIN,
    limits: Limits | None = None,
    pdf_backend: str = "pdfplumber",
    ocr: bool = True,
    executor: Executor | None = None,
) -> RunSummary:
    """Ingest papers, recording the run; a bad paper is recorded and the run goes on.

    Without ``limits`` every stage runs in this process, one paper after another. With ``limits`` the text and
    figures of each paper are extracted in worker processes under a time and memory limit (or by ``executor``,
    e.g. Dask workers), and this process loads the results (DuckDB has one writer). ``con`` may be a
    WriteSession: the warehouse is then open only while this process writes, so readers can get in between.
    Image-only PDF pages are read by OCR unless ``ocr`` is False.
    """
    writer = writer_for(con)
    run_id = str(uuid.uuid4())
    summary = RunSummary(run_id=run_id, db=str(db))
    summary.crashed_runs = wl.mark_crashed_runs(writer.con)
    wl.start_run(writer.con, run_id, metrics.extractor_version(), command)

    def record(outcome: PaperOutcome) -> None:
        summary.outcomes.append(outcome)
        if on_paper is not None:
            on_paper(outcome)
        pause("after_paper")

    if limits is None and executor is None:
        for src in sources:
            outcome = process(
                writer,
                src,
                run_id,
                retry_failed=retry_failed,
                force=force,
                steps=steps,
                pdf_backend=pdf_backend,
                ocr=ocr,
            )
            record(outcome)
    else:
        _ingest_in_workers(
            writer,
            sources,
            run_id,
            record,
            retry_failed=retry_failed,
            force=force,
            steps=steps,
            executor=executor or WorkerPool(extract_paper, limits or Limits()),
            pdf_backend=pdf_backend,
            ocr=ocr,
        )
    if any(o.status == "loaded" for o in summary.outcomes):
        refresh_series_links(writer.con)  # a new report may restate an earlier one's figures under new names
    finish(writer.con, summary)
    writer.release()
    return summary


def _prepare(
    con: duckdb.DuckDBPyConnection, src: SourceFile, seen: set[str], *, retry_failed: bool, force: bool
) -> Fingerprint | PaperOutcome:
    """The fingerprint of a file that needs extracting, or its outcome if it does not (skipped, unreadable)."""
    quick = unchanged(con, src, retry_failed=retry_failed, force=force)
    if quick is not None:
        return quick
    try:
        fp = fingerprint(con, src, retry_failed=retry_failed, force=force)
    except OSError as exc:
        return PaperOutcome(src.source, None, "failed", reason="unreadable", message=f"{src.path}: {exc}")
    if fp.skip or fp.paper_id in seen:
        _record_source(con, fp)
        if fp.skip_reason == "already loaded":
            store.put_for_connection(con, fp.data, fp.paper_id)  # fills the store for papers loaded before it existed
        why = fp.skip_reason if fp.skip else "same bytes as another file in this run"
        return PaperOutcome(src.source, fp.paper_id, "skipped", message=why)
    seen.add(fp.paper_id)
    return fp


def _as_failed(failure: WorkerFailure, fp: Fingerprint) -> FailedPaper:
    from extractors.document import sniff_kind

    paper = new_paper(fp.source, fp.data, sniff_kind(fp.source.path, fp.data))
    return FailedPaper(paper, failure.reason, f"{fp.source.path}: {failure.message}")


LOAD_BATCH = 32
"""most papers written in one transaction"""
LOAD_DELAY = 0.25
"""seconds a result may wait for others to share its transaction"""


class Executor(Protocol):
    """Runs ``extract_paper`` jobs somewhere (worker processes, a Dask cluster); results in completion order."""

    def map_unordered(
        self, jobs: Iterable[tuple[Any, tuple]], on_idle: Callable[[], float | None] | None = None
    ) -> Iterator[tuple[Any, Any]]: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


def _ingest_in_workers(
    writer: Writer,
    sources: list[SourceFile],
    run_id: str,
    record: Callable[[PaperOutcome], None],
    *,
    retry_failed: bool,
    force: bool,
    steps: Steps,
    executor: Executor,
    pdf_backend: str = "pdfplumber",
    ocr: bool = True,
) -> None:
    seen: set[str] = set()
    waiting: dict[int, Fingerprint] = {}
    ready: list[PaperOutcome] = []  # outcomes decided while choosing jobs (skips), reported between results

    def jobs() -> Iterator[tuple[int, tuple]]:
        for i, src in enumerate(sources):
            prepared = _prepare(writer.con, src, seen, retry_failed=retry_failed, force=force)
            if isinstance(prepared, PaperOutcome):
                ready.append(prepared)
                continue
            waiting[i] = prepared
            yield i, (src, prepared.data, pdf_backend, ocr)

    batch: list[tuple[ExtractionResult | FailedPaper, Fingerprint]] = []
    oldest = [0.0]  # when the oldest result in the batch arrived

    def flush() -> None:
        """Write the results waiting in the batch, then report them and any skips."""
        if batch:
            outcomes = steps.load_many(writer.con, list(batch), run_id)
            batch.clear()
            for outcome in outcomes:
                record(outcome)
        while ready:
            record(ready.pop(0))

    def on_idle() -> float | None:
        age = time.monotonic() - oldest[0]
        if not batch or age >= LOAD_DELAY:
            flush()
            return writer.release_soon()  # nothing to write until a worker finishes: let readers in (soon)
        return LOAD_DELAY - age  # come back then, even if no worker has finished

    # Results are written while the workers are all busy and nothing else is ready, so writing overlaps
    # extraction; results that come in quickly are held a moment (LOAD_DELAY) to share one transaction.
    with executor as pool:
        for key, result in pool.map_unordered(jobs(), on_idle=on_idle):
            fp = waiting.pop(key)
            if isinstance(result, WorkerFailure):
                result = _as_failed(result, fp)
            if not batch:
                oldest[0] = time.monotonic()
            batch.append((result, fp))
            if len(batch) >= LOAD_BATCH:
                flush()
        flush()


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
