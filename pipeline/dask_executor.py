"""Per-paper extraction as Prefect tasks on a Dask cluster (prefect-dask's DaskTaskRunner); the flow stays the writer."""

from __future__ import annotations

import atexit
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from models.records import ExtractionResult, FailedPaper, SourceFile
from pipeline import prefect_env  # noqa: F401  (before prefect is used)
from pipeline.pool import Limits, WorkerFailure, WorkerPool
from pipeline.worker import extract_paper

log = logging.getLogger(__name__)

IN_FLIGHT_PER_WORKER = 2
"""papers handed to the cluster per worker at once: enough to keep workers busy, few enough to bound memory"""


@dataclass(frozen=True)
class DaskSettings:
    """Where extraction runs: a running scheduler (``address``) or a temporary LocalCluster of ``workers``."""

    address: str | None = None
    workers: int = 2

    def task_runner(self):  # -> DaskTaskRunner (imported late: distributed is slow to import)
        import dask
        from prefect_dask import DaskTaskRunner

        # the scheduler's and nannies' INFO lines (workers joining, leaving) are not the user's business
        dask.config.set({"logging.distributed": "warning"})
        logging.getLogger("distributed").setLevel(logging.WARNING)

        if self.address:
            return DaskTaskRunner(address=self.address)
        # Worker processes must be allowed children: each runs its papers in a limited child process (below).
        dask.config.set({"distributed.worker.daemon": False})
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": max(1, self.workers),
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": ":0",
                # task logs stay in the workers' output: flushing them to the API at shutdown held the workers
                # past the nanny's grace period (they were then killed, with tracebacks)
                "env": {"PREFECT_LOGGING_TO_API_ENABLED": "false"},
            }
        )


_POOL: list[WorkerPool] = []  # one limited child process per Dask worker process, kept between tasks


def extract_limited(
    src: SourceFile, data: bytes, pdf_backend: str, ocr: bool, limits: Limits
) -> ExtractionResult | FailedPaper | WorkerFailure:
    """One paper under the per-paper time and memory limits, as the local pool runs it.

    The paper is extracted in a child process of the Dask worker (kept for later papers), killed and replaced
    when over the time limit. A Dask worker that may not have children (started as a daemon, the Dask default
    for workers not started by councilkpi) extracts in its own process, without the limits.
    """
    if not _POOL:
        _POOL.append(WorkerPool(extract_paper, Limits(limits.timeout, limits.memory, workers=1)))
        atexit.register(_POOL[0].close)  # the child goes when the Dask worker does
    pool = _POOL[0]
    try:
        for _key, result in pool.map_unordered([(0, (src, data, pdf_backend, ocr))]):
            return result
    except AssertionError as exc:  # "daemonic processes are not allowed to have children"
        log.warning("Dask worker cannot start a limited child process (%s); extracting without limits", exc)
        return extract_paper(src, data, pdf_backend, ocr)
    return WorkerFailure("crashed", "the extraction worker returned nothing")


@task(name="extract_paper", cache_policy=NO_CACHE, retries=0)
def extract_paper_task(
    src: SourceFile, data: bytes, pdf_backend: str, ocr: bool, limits: Limits
) -> ExtractionResult | FailedPaper | WorkerFailure:
    return extract_limited(src, data, pdf_backend, ocr, limits)


class DaskExecutor:
    """Runs ``extract_paper`` jobs as Prefect tasks on the flow's DaskTaskRunner; results in completion order.

    Same shape as WorkerPool.map_unordered, so the ingest loop (batched loads by the single writer) is shared. A
    task that fails on the cluster (its worker died more often than Dask retries) yields WorkerFailure('crashed').
    """

    def __init__(self, limits: Limits, workers: int) -> None:
        self.limits = limits
        self.capacity = max(1, workers) * IN_FLIGHT_PER_WORKER

    def map_unordered(
        self, jobs: Iterable[tuple[Any, tuple]], on_idle: Callable[[], float | None] | None = None
    ) -> Iterator[tuple[Any, Any]]:
        from distributed import wait

        todo = iter(jobs)
        running: dict[Any, Any] = {}  # distributed future -> (key, Prefect future)
        exhausted = False
        while True:
            while not exhausted and len(running) < self.capacity:
                job = next(todo, None)
                if job is None:
                    exhausted = True
                    break
                key, (src, data, backend, ocr) = job
                # not quote()d: the Dask task runner passes such wrappers through to the task unopened
                future = extract_paper_task.submit(src, data, backend, ocr, self.limits)
                running[future.wrapped_future] = (key, future)
            if not running:
                return
            done = [f for f in running if f.done()]
            if not done:
                again = on_idle() if on_idle is not None else None
                futures = list(running)
                try:
                    with futures[0].client.as_current():  # wait() looks for the client of the futures
                        finished = wait(futures, timeout=again, return_when="FIRST_COMPLETED").done
                except TimeoutError:  # nothing finished in time: back to on_idle (it writes what is waiting)
                    finished = set()
                done = [f for f in running if f in finished]
            for wrapped in done:
                key, future = running.pop(wrapped)
                yield key, _result(future)

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _result(future: Any) -> Any:
    try:
        result = future.result(raise_on_failure=True)
    except Exception as exc:  # the task failed on the cluster: e.g. its worker was killed (KilledWorker)
        name = type(exc).__name__
        if name == "KilledWorker":
            return WorkerFailure("crashed", f"the Dask worker running this paper died repeatedly: {exc}")
        return WorkerFailure("crashed", f"extraction failed on the Dask cluster: {name}: {exc}")
    return result
