"""Worker processes for extraction: each paper under a time and memory limit; a killed or dead worker is replaced."""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import resource
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY = 2 * 1024**3
_READY = "__worker_ready__"


@dataclass(frozen=True)
class Limits:
    """Per-paper limits and the number of worker processes (0 for none, timeout/memory 0 for unlimited)."""

    timeout: float = DEFAULT_TIMEOUT
    """seconds one paper may take (text and figures)"""
    memory: int = DEFAULT_MEMORY
    """bytes of address space a worker may use (RLIMIT_AS)"""
    workers: int = 1


class WorkerStartError(RuntimeError):
    """Extraction workers keep dying before they take any work (e.g. a memory limit too low to start)."""


@dataclass(frozen=True)
class WorkerFailure:
    """A job the worker could not finish: reason is 'timeout', 'memory' or 'crashed'."""

    reason: str
    message: str


def parse_size(text: str) -> int:
    """'2G', '512M', '1.5GiB' or a number of bytes → bytes; '0' means no limit."""
    t = text.strip().upper().removesuffix("IB").removesuffix("B")
    scale = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}.get(t[-1:] or "", 1)
    number = t[:-1] if scale > 1 else t
    value = float(number)
    if value < 0:
        raise ValueError(text)
    return int(value * scale)


def _limit_memory(memory: int) -> None:
    if not memory:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        memory = min(memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (memory, hard))


def _worker_main(conn: Connection, memory: int, func: Callable[..., Any]) -> None:
    """Run jobs from the pipe until told to stop; MemoryError under the limit becomes a WorkerFailure."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    _limit_memory(memory)
    conn.send((_READY, None))  # the time limit of a job starts once the worker is up
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        key, args = job
        try:
            result: Any = func(*args)
        except MemoryError:
            result = WorkerFailure("memory", f"more than {memory / 1024**3:.3g} GiB of memory")
        except Exception as exc:  # the function should not raise; report instead of dying
            result = WorkerFailure("crashed", f"{type(exc).__name__}: {exc}")
        try:
            conn.send((key, result))
        except MemoryError:
            conn.send((key, WorkerFailure("memory", "the result did not fit in the memory limit")))


class _Worker:
    def __init__(self, ctx: Any, func: Callable[..., Any], memory: int) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, memory, func), daemon=True)
        self.proc.start()
        child.close()
        self.key: Any = None
        self.deadline: float | None = None
        self.ready = False
        """it has said it is up (the time limit of a job starts then)"""

    def give(self, key: Any, args: tuple, timeout: float) -> None:
        self.key = key
        self.deadline = time.monotonic() + timeout if timeout else None
        self.conn.send((key, args))

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(2)
        self.kill()


def _death(exitcode: int | None, memory: int = 0) -> WorkerFailure:
    if exitcode == -signal.SIGKILL:
        return WorkerFailure("memory", "the worker was killed (SIGKILL, most likely out of memory)")
    # under an address-space limit, C code that cannot allocate may abort or crash instead of failing cleanly
    hint = f" (perhaps at the memory limit of {memory / 1024**2:.0f} MiB)" if memory else ""
    if exitcode is not None and exitcode < 0:
        return WorkerFailure("crashed", f"the worker died of signal {signal.Signals(-exitcode).name}{hint}")
    return WorkerFailure("crashed", f"the worker exited with code {exitcode}{hint}")


class WorkerPool:
    """``workers`` processes running ``func(*args)``; results come back in completion order.

    A job over the time limit has its worker killed and replaced and yields WorkerFailure('timeout'); a worker
    that dies yields WorkerFailure('memory' or 'crashed') and is replaced. Jobs are taken from the iterable only
    when a worker is free, so at most ``workers`` jobs are held at once.
    """

    def __init__(self, func: Callable[..., Any], limits: Limits, start_method: str | None = None) -> None:
        self.func = func
        self.limits = limits
        method = start_method or os.environ.get("COUNCILKPI_START_METHOD") or "forkserver"
        self.ctx = mp.get_context(method)
        if method == "forkserver":
            self.ctx.set_forkserver_preload(["pipeline.worker", "pipeline.worker_warmup"])
        self.workers: list[_Worker] = []  # started with the first job: a run with nothing to do starts none
        self.restarts = 0

    def _spawn(self) -> _Worker:
        return _Worker(self.ctx, self.func, self.limits.memory)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        self.restarts += 1
        new = self._spawn()
        self.workers[self.workers.index(worker)] = new
        return new

    def map_unordered(
        self, jobs: Iterable[tuple[Any, tuple]], on_idle: Callable[[], float | None] | None = None
    ) -> Iterator[tuple[Any, Any]]:
        """(key, result or WorkerFailure) for each (key, args) job.

        A worker gets its next job before the previous result is handed back, so workers keep busy while the
        caller uses the result. ``on_idle`` is called when every worker is busy and no result is ready (the caller
        can do deferred work then, e.g. write a batch); it may return seconds after which to be called again.
        """
        todo = iter(jobs)
        first = next(todo, None)
        if first is None:
            return
        todo = itertools.chain([first], todo)
        if not self.workers:
            self.workers = [self._spawn() for _ in range(max(1, self.limits.workers))]
        # a pool used for several calls (one per Dask task, say) keeps its workers: those already up are idle
        starting: dict[Connection, _Worker] = {w.conn: w for w in self.workers if not w.ready}
        idle: list[_Worker] = [w for w in self.workers if w.ready]
        busy: dict[Connection, _Worker] = {}
        done: list[tuple[Any, Any]] = []
        exhausted = False
        failed_starts = 0
        while True:
            while idle and not exhausted:
                job = next(todo, None)
                if job is None:
                    exhausted = True
                    break
                worker = idle.pop()
                try:
                    worker.give(job[0], job[1], self.limits.timeout)
                except (OSError, ValueError):  # the idle worker had died
                    done.append((job[0], _death(worker.proc.exitcode, self.limits.memory)))
                    new = self._replace(worker)
                    starting[new.conn] = new
                    continue
                busy[worker.conn] = worker
            while done:
                yield done.pop(0)
            if not busy and (exhausted or not starting):
                return
            waiting_on = [*busy, *starting]
            again = on_idle() if on_idle is not None and not wait(waiting_on, 0) else None
            deadlines = [w.deadline for w in busy.values() if w.deadline is not None]
            if again is not None:
                deadlines.append(time.monotonic() + again)
            wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            for conn in wait(waiting_on, wait_for):
                if conn in starting:
                    worker = starting.pop(conn)  # type: ignore[arg-type]
                    try:
                        conn.recv()  # type: ignore[union-attr]
                    except (EOFError, OSError):
                        failed_starts += 1
                        if failed_starts > 3:
                            death = _death(worker.proc.exitcode, self.limits.memory)
                            raise WorkerStartError(f"extraction workers die on start-up: {death.message}") from None
                        new = self._replace(worker)
                        starting[new.conn] = new
                        continue
                    worker.ready = True
                    idle.append(worker)
                    continue
                worker = busy.pop(conn)  # type: ignore[arg-type]
                try:
                    done.append(conn.recv())  # type: ignore[union-attr]
                except (EOFError, OSError):
                    worker.proc.join(5)
                    done.append((worker.key, _death(worker.proc.exitcode, self.limits.memory)))
                    new = self._replace(worker)
                    starting[new.conn] = new
                else:
                    idle.append(worker)
            now = time.monotonic()
            for conn, worker in list(busy.items()):
                if worker.deadline is not None and now >= worker.deadline:
                    del busy[conn]
                    done.append((worker.key, WorkerFailure("timeout", f"no result after {self.limits.timeout:g} s")))
                    new = self._replace(worker)
                    starting[new.conn] = new

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
