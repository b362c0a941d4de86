"""Per-paper extraction as Prefect tasks on a Dask cluster (prefect-dask's DaskTaskRunner); the flow stays the writer."""

from __future__ import annotations

import atexit
import itertools
import logging
import math
import threading
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
        return DaskTaskRunner(cluster_kwargs=local_cluster_kwargs(self.workers))


PRELOAD = "pipeline.dask_preload"
"""module each Dask worker imports as it starts, so that its first task does not wait for the imports"""


def local_cluster_kwargs(workers: int) -> dict[str, Any]:
    """How councilkpi starts a temporary LocalCluster (the workers must be allowed children: daemon False)."""
    return {
        "n_workers": max(1, workers),
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": ":0",
        "preload": [PRELOAD],
        # task logs stay in the workers' output: flushing them to the API at shutdown held the workers
        # past the nanny's grace period (they were then killed, with tracebacks)
        # and Dask's sampling profiler (every 10 ms, for the dashboard) would take CPU from the extraction
        "env": {"PREFECT_LOGGING_TO_API_ENABLED": "false", "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"},
    }


Job = tuple[SourceFile, bytes, str, bool]
"""one paper's arguments to ``extract_paper``: source, bytes, PDF backend, OCR on"""
Result = ExtractionResult | FailedPaper | WorkerFailure

_POOLS = threading.local()
"""each worker thread's limited child processes (one per set of limits), kept between tasks"""


def _child_pool(limits: Limits) -> WorkerPool:
    pools: dict[tuple[float, int], WorkerPool] = _POOLS.__dict__.setdefault("by_limits", {})
    key = (limits.timeout, limits.memory)
    if key not in pools:
        pools[key] = WorkerPool(extract_paper, Limits(limits.timeout, limits.memory, workers=1))
        atexit.register(pools[key].close)  # the child goes when the Dask worker does
    return pools[key]


def extract_limited(jobs: list[Job], limits: Limits) -> list[Result]:
    """Papers one after another under the per-paper time and memory limits, as the local pool runs them.

    They are extracted in a child process of the Dask worker (kept for later tasks), killed and replaced when a
    paper is over a limit, so each paper gets its own result or failure reason. A Dask worker that may not have
    children (started as a daemon, the Dask default for workers not started by councilkpi) extracts in its own
    process, without the limits. Results are in the order of ``jobs``.
    """
    results: list[Result | None] = [None] * len(jobs)
    try:
        for index, result in _child_pool(limits).map_unordered(enumerate(jobs)):
            results[index] = result
    except AssertionError as exc:  # "daemonic processes are not allowed to have children"
        log.warning("Dask worker cannot start a limited child process (%s); extracting without limits", exc)
        return [extract_paper(*job) for job in jobs]
    return [r if r is not None else WorkerFailure("crashed", "the extraction worker returned nothing") for r in results]


@task(name="extract_papers", cache_policy=NO_CACHE, retries=0)
def extract_papers_task(jobs: list[Job], limits: Limits) -> list[Result]:
    return extract_limited(jobs, limits)


IN_FLIGHT_PER_WORKER = 2
"""tasks handed to the cluster per worker at once: each worker has its next task waiting when it finishes one"""
TASKS_PER_WORKER = 2
"""the papers not yet handed out are cut into about this many tasks per worker (see chunk_size)"""
MAX_CHUNK = 16
"""most papers in one task (bounds what a worker holds, and what is re-run when a worker dies)"""
MIN_CHUNK = 2
"""fewest papers in one task while more are left (a task's bookkeeping costs about half a paper's extraction)"""


def chunk_size(remaining: int, workers: int) -> int:
    """Papers in the next task: large tasks while many papers are left, down to one at the end.

    Each task costs Prefect and Dask bookkeeping (about a third of a second of a worker's CPU on the 2-CPU
    development machine, more than half a paper's extraction), so papers go in several at a time; shrinking the
    tasks as the run nears its end keeps every worker busy until the last paper. Without a count of the run's
    papers (``remaining`` 0 or less) tasks have MIN_CHUNK papers.
    """
    return max(MIN_CHUNK, min(MAX_CHUNK, math.ceil(remaining / (max(1, workers) * TASKS_PER_WORKER))))


class DaskExecutor:
    """Runs ``extract_paper`` jobs, several to a Prefect task, on the flow's DaskTaskRunner; completion order.

    Same shape as WorkerPool.map_unordered, so the ingest loop (batched loads by the single writer) is shared.
    ``papers`` (the run's papers, some perhaps to be skipped) sizes the tasks (chunk_size). A task that fails on
    the cluster (its worker died more often than Dask retries) has its papers run again one to a task, so that only
    a paper whose own task fails that way is recorded as failed (WorkerFailure('crashed')).
    """

    def __init__(self, limits: Limits, workers: int, papers: int = 0) -> None:
        self.limits = limits
        self.workers = max(1, workers)
        self.capacity = self.workers * IN_FLIGHT_PER_WORKER
        self.papers = papers
        self.tasks = 0
        """tasks submitted so far"""

    def _chunks(self, jobs: Iterable[tuple[Any, Job]], retry: list[tuple[Any, Job]]) -> Iterator[list]:
        todo = iter(jobs)
        taken = 0
        while True:
            if retry:
                yield [retry.pop(0)]
                continue
            size = chunk_size(self.papers - taken, self.workers)
            chunk = list(itertools.islice(todo, size))
            taken += len(chunk)
            if not chunk:
                return
            yield chunk

    def map_unordered(
        self, jobs: Iterable[tuple[Any, tuple]], on_idle: Callable[[], float | None] | None = None
    ) -> Iterator[tuple[Any, Any]]:
        from distributed import wait

        retry: list[tuple[Any, Job]] = []  # papers of a failed task, to run again one to a task
        chunks = self._chunks(jobs, retry)
        running: dict[Any, tuple[list, Any]] = {}  # distributed future -> (its (key, job)s, Prefect future)
        exhausted = False
        while True:
            while len(running) < self.capacity and not (exhausted and not retry):
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    chunks = self._chunks((), retry)  # only retries from now on
                    continue
                # not quote()d: the Dask task runner passes such wrappers through to the task unopened
                future = extract_papers_task.submit([job for _, job in chunk], self.limits)
                self.tasks += 1
                running[future.wrapped_future] = (chunk, future)
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
                chunk, future = running.pop(wrapped)
                results = _results(future, len(chunk))
                if isinstance(results, WorkerFailure) and len(chunk) > 1:
                    retry.extend(chunk)
                    continue
                if isinstance(results, WorkerFailure):
                    results = [results]
                for (key, _job), result in zip(chunk, results, strict=True):
                    yield key, result

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _results(future: Any, n: int) -> list[Result] | WorkerFailure:
    """The task's results, or why it failed as a whole (then none of its papers has a result)."""
    try:
        results = future.result(raise_on_failure=True)
    except Exception as exc:  # the task failed on the cluster: e.g. its worker was killed (KilledWorker)
        name = type(exc).__name__
        if name == "KilledWorker":
            return WorkerFailure("crashed", f"the Dask worker running this paper died repeatedly: {exc}")
        return WorkerFailure("crashed", f"extraction failed on the Dask cluster: {name}: {exc}")
    if len(results) != n:
        return WorkerFailure("crashed", f"the Dask task returned {len(results)} results for {n} papers")
    return results
