"""The Prefect flow `ingest`: a thin orchestration layer over the plain stage functions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from extractors.metrics import extract_metrics
from models.records import ExtractedDocument, ExtractionResult, FailedPaper, PaperOutcome, RunSummary, SourceFile
from pipeline import (
    prefect_env,  # noqa: F401  (must precede the prefect import)
    stages,
)
from pipeline.collect import collect
from pipeline.pool import Limits
from warehouse.db import WriteSession


@task(name="collect", cache_policy=NO_CACHE)
def collect_task(paths: list[str], paper_date: date | None) -> list[SourceFile]:
    return collect([Path(p) for p in paths], paper_date)


@task(name="extract_text", cache_policy=NO_CACHE)
def extract_text_task(src: SourceFile, data: bytes, pdf_backend: str, ocr: bool) -> ExtractedDocument | FailedPaper:
    return stages.extract_text(src, data, pdf_backend, ocr)


@task(name="extract_metrics", cache_policy=NO_CACHE)
def extract_metrics_task(document: ExtractedDocument) -> ExtractionResult:
    return extract_metrics(document)


@task(name="load", cache_policy=NO_CACHE)
def load_task(con, outcome, fp: stages.Fingerprint, run_id: str) -> PaperOutcome:
    return stages.load(con, outcome, fp, run_id)


@task(name="load_batch", cache_policy=NO_CACHE)
def load_many_task(con, batch, run_id: str) -> list[PaperOutcome]:
    return stages.load_many(con, batch, run_id)


# Large arguments are quoted so Prefect does not walk them looking for upstream futures.
TASK_STEPS = stages.Steps(
    extract_text=lambda src, data, backend, ocr: extract_text_task(quote(src), quote(data), backend, ocr),
    extract_metrics=lambda document: extract_metrics_task(quote(document)),
    load=lambda con, outcome, fp, run_id: load_task(quote(con), quote(outcome), quote(fp), run_id),
    load_many=lambda con, batch, run_id: load_many_task(quote(con), quote(batch), run_id),
)


@flow(name="ingest", validate_parameters=False)
def ingest_flow(
    paths: list[str],
    db: str,
    paper_date: date | None = None,
    retry_failed: bool = False,
    force: bool = False,
    on_paper: Callable[[PaperOutcome], None] | None = None,
    limits: Limits | None = None,
    lock_timeout: float = 0.0,
    pdf_backend: str = "pdfplumber",
    ocr: bool = True,
    dask_workers: int = 0,
) -> RunSummary:
    """Collect papers, extract their text and figures, and load them into the DuckDB warehouse.

    With ``limits`` each paper is extracted in a worker process under a time and memory limit (the load stays a
    task of this flow); without, the extract_text and extract_metrics tasks run in the flow's process. With
    ``dask_workers`` (run the flow with a DaskTaskRunner: ``dask_ingest_flow``) each paper is an
    ``extract_paper`` task on the Dask cluster, under the same limits. The warehouse is open for writing only
    while a batch is loaded, so readers get in between.
    """
    logger = get_run_logger()

    def report(outcome: PaperOutcome) -> None:
        detail = f" ({outcome.reason}: {outcome.message})" if outcome.status == "failed" else ""
        logger.info("%s %s%s", outcome.status, outcome.source, detail)
        if on_paper is not None:
            on_paper(outcome)

    sources = collect_task(paths, paper_date)
    executor = None
    if dask_workers:
        from pipeline.dask_executor import DaskExecutor

        executor = DaskExecutor(limits or Limits(), dask_workers, papers=len(sources))
    session = WriteSession(db, lock_timeout=lock_timeout, on_wait=logger.warning)
    try:
        return stages.ingest(
            session,
            sources,
            retry_failed=retry_failed,
            force=force,
            command="flow",
            on_paper=report,
            db=db,
            steps=TASK_STEPS,
            limits=limits,
            pdf_backend=pdf_backend,
            ocr=ocr,
            executor=executor,
        )
    finally:
        session.close()


def dask_ingest_flow(settings):  # settings: pipeline.dask_executor.DaskSettings
    """The ingest flow on a Dask cluster: a running scheduler, or a temporary LocalCluster."""
    return ingest_flow.with_options(task_runner=settings.task_runner())
