"""Worker processes: a paper over the time or memory limit is a recorded failure and the pool carries on."""

from __future__ import annotations

import os
import signal
import time

from pipeline.collect import collect
from pipeline.pool import Limits, WorkerFailure, WorkerPool, parse_size
from pipeline.stages import ingest
from tests.conftest import sample_pdf
from warehouse.db import connect


# jobs run in the workers (module-level so the worker can import them)
def job(kind: str) -> str:
    if kind == "hang":
        time.sleep(3600)
    elif kind == "hog":
        blocks = []
        while True:  # grow until the address-space limit stops it
            blocks.append(bytearray(64 * 1024**2))
    elif kind == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif kind == "exit":
        os._exit(3)
    return f"done {kind} in {os.getpid()}"


def test_time_memory_and_crash_failures_and_the_pool_recovers():
    jobs = [(i, (kind,)) for i, kind in enumerate(["ok", "hang", "ok", "hog", "ok", "segfault", "exit", "ok"])]
    limits = Limits(timeout=2, memory=parse_size("1G"), workers=2)
    started = time.monotonic()
    with WorkerPool(job, limits) as pool:
        results = dict(pool.map_unordered(jobs))
    assert time.monotonic() - started < 30
    assert sorted(results) == list(range(8))
    for i, (kind,) in jobs:
        r = results[i]
        if kind == "ok":
            assert isinstance(r, str) and r.startswith("done ok"), r
        else:
            assert isinstance(r, WorkerFailure), (kind, r)
    assert results[1].reason == "timeout"
    assert results[3].reason == "memory"
    assert results[5].reason == "crashed" and "SIGSEGV" in results[5].message
    assert results[6].reason == "crashed"


def test_parse_size():
    assert parse_size("2G") == 2 * 1024**3
    assert parse_size("512M") == 512 * 1024**2
    assert parse_size("1.5GiB") == int(1.5 * 1024**3)
    assert parse_size("0") == 0


def test_a_paper_over_the_time_limit_is_a_recorded_timeout(tmp_path):
    # the limit is far below what the 14-page sample takes (seconds), so it must time out
    db = tmp_path / "w.duckdb"
    con = connect(db)
    summary = ingest(con, collect([sample_pdf("002")]), limits=Limits(timeout=0.05, workers=1))
    rows = con.execute("SELECT status, error_reason, error FROM papers").fetchall()
    n_pages = con.execute("SELECT count(*) FROM pages").fetchone()[0]
    con.close()
    assert [o.status for o in summary.outcomes] == ["failed"]
    assert [(r[0], r[1]) for r in rows] == [("failed", "timeout")] and "0.05 s" in rows[0][2]
    assert n_pages == 0
