"""The Prefect flow `collect` over configured sources, and its scheduled deployment (cron from the config)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger, task  # noqa: I001
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.utilities.annotations import quote

from models.records import Discovery, FetchResult, PaperOutcome, RunSummary
from pipeline import prefect_env  # noqa: F401  (must precede the prefect import)
from pipeline.flow import TASK_STEPS
from pipeline.sources import collector
from pipeline.sources.config import Config, Source, load_config
from pipeline.sources.dates import Window
from pipeline.sources.http import Fetcher
from warehouse.db import WriteSession

DEPLOYMENT_NAME = "councilkpi-collect"


@task(name="discover", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[10, 60])
def discover_task(source: Source, fetcher: Fetcher, window: Window) -> Discovery:
    """List a source's papers; a source that cannot be read at all raises, and Prefect retries it."""
    return collector.discover(source, fetcher, window)


@task(name="fetch", cache_policy=NO_CACHE, task_run_name="fetch {job.paper.url}")
def fetch_task(fetcher: Fetcher, job: collector.Job) -> FetchResult:
    """One conditional GET (the Fetcher itself retries 5xx responses and timeouts with backoff)."""
    return collector.fetch_job(fetcher, job)


def _fetch_many(fetcher: Fetcher, jobs: list[collector.Job]) -> Iterator[tuple[collector.Job, FetchResult]]:
    """Fetch tasks on Prefect's task runner, at most ``workers`` at a time (the Fetcher caps each host)."""
    size = fetcher.settings.workers
    for i in range(0, len(jobs), size):
        futures = {fetch_task.submit(quote(fetcher), quote(job)): job for job in jobs[i : i + size]}
        for future in as_completed(list(futures)):
            yield futures[future], future.result()


TASK_COLLECT_STEPS = collector.CollectSteps(
    discover=lambda source, fetcher, window: discover_task(quote(source), quote(fetcher), quote(window)),
    fetch_many=_fetch_many,
    stages=TASK_STEPS,
)


@flow(name="collect", validate_parameters=False)
def collect_flow(
    config: str = "councilkpi.toml",
    sources: list[str] | None = None,
    db: str | None = None,
    retry_failed: bool = False,
    force: bool = False,
    today: date | None = None,
    on_found: Callable[[int], None] | None = None,
    on_paper: Callable[[PaperOutcome], None] | None = None,
) -> RunSummary:
    """Collect papers from the configured sources (all, or those named) into the warehouse (config db or ``db``)."""
    logger = get_run_logger()
    cfg = load_config(config)
    if db:
        cfg = replace(cfg, db=Path(db))
    chosen = cfg.select(sources)

    def report(outcome: PaperOutcome) -> None:
        detail = f" ({outcome.reason}: {outcome.message})" if outcome.status == "failed" else ""
        logger.info("%s %s%s", outcome.status, outcome.source, detail)
        if on_paper is not None:
            on_paper(outcome)

    session = WriteSession(cfg.db)  # the warehouse is open only while this run writes: readers get in between
    try:
        with Fetcher(cfg.fetch) as fetcher:
            return collector.collect_sources(
                session,
                cfg,
                chosen,
                fetcher=fetcher,
                today=today,
                steps=TASK_COLLECT_STEPS,
                retry_failed=retry_failed,
                force=force,
                command="flow:collect",
                on_found=on_found,
                on_paper=report,
                log=logger.info,
            )
    finally:
        session.close()


def build_deployment(cfg: Config, sources: list[str] | None = None, name: str = DEPLOYMENT_NAME):
    """The `collect` deployment on the configured cron schedule (and time zone), for the named sources or all."""
    from prefect.schedules import Cron

    return collect_flow.to_deployment(
        name=name,
        schedules=[Cron(cfg.schedule, timezone=cfg.timezone)],
        parameters={"config": str(Path(cfg.path).resolve()), "sources": list(sources or [])},
        description=f"Collect council papers from {cfg.path} on the schedule {cfg.schedule!r} ({cfg.timezone})",
        tags=["councilkpi"],
    )
