"""Scale-out: Dask workers give the same rows as the local pool, survive a killed worker, and readers get in."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pipeline.collect import collect
from tests.conftest import FIXTURES, ROOT, SAMPLES_PDF
from warehouse import connect as api_connect
from warehouse.db import connect

PAPERS = [SAMPLES_PDF, FIXTURES / "ofsted"]
ROWS = {
    "papers": "SELECT id, status, n_pages, kind FROM papers ORDER BY id",
    "pages": "SELECT paper_id, page, text FROM pages ORDER BY paper_id, page",
    "observations": """
        SELECT id, paper_id, page, value, unit, value_text, page_start, page_end, period_start, period_end, role,
               label, kpi, rule, confidence, bbox_x0, bbox_top, bbox_x1, bbox_bottom
        FROM observations ORDER BY id""",
}
ORPHANS = """
SELECT (SELECT count(*) FROM pages WHERE paper_id NOT IN (SELECT id FROM papers))
     + (SELECT count(*) FROM observations WHERE paper_id NOT IN (SELECT id FROM papers))
"""


def _rows(db: Path) -> dict[str, list]:
    con = connect(db, read_only=True)
    try:
        assert con.execute(ORPHANS).fetchone()[0] == 0
        return {name: con.execute(sql).fetchall() for name, sql in ROWS.items()}
    finally:
        con.close()


def _flow_ingest(db: Path, *, dask_workers: int = 0, on_paper=None, settings=None):
    from pipeline import prefect_env
    from pipeline.flow import dask_ingest_flow, ingest_flow
    from pipeline.pool import Limits

    run = dask_ingest_flow(settings) if settings is not None else ingest_flow
    with prefect_env.prefect_api():
        return run(
            [str(p) for p in PAPERS],
            str(db),
            limits=Limits(timeout=300, workers=1),
            dask_workers=dask_workers,
            on_paper=on_paper,
        )


@pytest.fixture(scope="module")
def local_pool_rows(tmp_path_factory) -> dict[str, list]:
    db = tmp_path_factory.mktemp("local") / "local.duckdb"
    summary = _flow_ingest(db)
    assert summary.count("loaded") == len(collect(PAPERS))
    return _rows(db)


def test_dask_local_cluster_gives_the_same_rows_as_the_local_pool(tmp_path, local_pool_rows):
    from pipeline.dask_executor import DaskSettings

    db = tmp_path / "dask.duckdb"
    summary = _flow_ingest(db, dask_workers=2, settings=DaskSettings(workers=2))
    assert summary.count("loaded") == len(collect(PAPERS)), summary.outcomes
    rows = _rows(db)
    assert len(rows["observations"]) > 100
    for name in ROWS:
        assert rows[name] == local_pool_rows[name], name


def test_a_killed_dask_worker_leaves_every_paper_loaded_or_failed(tmp_path, local_pool_rows):
    import dask
    from distributed import Client, LocalCluster

    from pipeline.dask_executor import DaskSettings

    dask.config.set({"distributed.worker.daemon": False})
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        pids = list(client.run(os.getpid).values())
        killed: list[int] = []

        def kill_one_worker(outcome) -> None:  # after the first paper is written, while others are in flight
            if not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        db = tmp_path / "killed.duckdb"
        summary = _flow_ingest(
            db, dask_workers=2, on_paper=kill_one_worker, settings=DaskSettings(address=cluster.scheduler_address)
        )
    assert killed
    n = len(collect(PAPERS))
    assert len(summary.outcomes) == n
    assert {o.status for o in summary.outcomes} <= {"loaded", "failed"}
    rows = _rows(db)
    assert len(rows["papers"]) == n  # every paper recorded, loaded or failed with a reason
    reference = {r[0]: r for r in local_pool_rows["papers"]}
    loaded = {r[0] for r in rows["papers"] if r[1] == "ok"}
    assert loaded, "the surviving worker went on extracting"
    for paper in rows["papers"]:
        if paper[1] == "ok":
            assert paper == reference[paper[0]]  # complete papers only
    expected = [o for o in local_pool_rows["observations"] if o[1] in loaded]
    assert [o for o in rows["observations"] if o[1] in loaded] == expected


def test_readers_get_answers_while_an_ingest_runs(tmp_path):
    db = tmp_path / "busy.duckdb"
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"))
    args = [sys.executable, "-m", "pipeline.cli", "ingest", *map(str, PAPERS), "--db", str(db), "--no-prefect", "-q"]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    api_answers, query_answers, errors = 0, 0, []
    try:
        deadline = time.monotonic() + 120
        while not db.exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                frame = api_connect(db, wait=10).query("SELECT count(*) AS n FROM observations")
                assert len(frame) == 1
                api_answers += 1
            except Exception as exc:  # noqa: BLE001 (a lock error here is what the test is about)
                errors.append(f"api: {exc}")
            q = subprocess.run(
                [sys.executable, "-m", "pipeline.cli", "query", "SELECT count(*) FROM papers", "--db", str(db)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            if q.returncode == 0:
                query_answers += 1
            else:
                errors.append(f"query: {q.stderr}")
    finally:
        out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert errors == []
    assert api_answers >= 3 and query_answers >= 2, (api_answers, query_answers)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ingest_runs_against_a_configured_prefect_server(tmp_path):
    port = _free_port()
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    prefect = Path(sys.executable).with_name("prefect")
    server = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, "prefect server start exited"
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the Prefect server did not come up"
            time.sleep(0.5)
        run_env = dict(env, PREFECT_API_URL=api)
        db = tmp_path / "served.duckdb"
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "ingest", str(SAMPLES_PDF / "003_dc1b95b017f3c51c.pdf")]
            + ["--db", str(db)],
            cwd=ROOT,
            env=run_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, output
        assert "temporary server" not in output, output
        flow_runs = httpx.post(f"{api}/flow_runs/filter", json={}, timeout=10).json()
        assert [r["state_type"] for r in flow_runs] == ["COMPLETED"]
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


def test_tasks_hold_several_papers_large_ones_first():
    from pipeline.dask_executor import MAX_CHUNK, MIN_CHUNK, chunk_size

    left, sizes = 60, []
    while left > 0:
        sizes.append(min(left, chunk_size(left, 2)))
        left -= sizes[-1]
    assert sum(sizes) == 60
    assert len(sizes) <= 12  # not one task a paper: each costs Prefect and Dask bookkeeping
    assert sizes == sorted(sizes, reverse=True)  # smaller tasks at the end keep both workers busy to the last
    assert sizes[-1] <= MIN_CHUNK and max(sizes) <= MAX_CHUNK
    assert chunk_size(10_000, 2) == MAX_CHUNK


def test_a_task_that_fails_has_its_papers_run_again_one_a_task(tmp_path, local_pool_rows, monkeypatch):
    from distributed import LocalCluster

    import pipeline.dask_executor as dx

    sources = collect(PAPERS)
    poison = sources[1].path.name
    real = dx.extract_limited

    def failing(jobs, limits):  # the whole task fails whenever the poison paper is in it
        if any(src.path.name == poison for src, *_ in jobs):
            raise RuntimeError("this task's worker went away")
        return real(jobs, limits)

    monkeypatch.setattr(dx, "extract_limited", failing)
    # threads in this process: the patched function is the one the tasks call
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        db = tmp_path / "retried.duckdb"
        summary = _flow_ingest(db, dask_workers=2, settings=dx.DaskSettings(address=cluster.scheduler_address))
    failed = [o for o in summary.outcomes if o.status == "failed"]
    assert [Path(o.source).name for o in failed] == [poison]
    assert failed[0].reason == "crashed" and "RuntimeError" in failed[0].message
    assert summary.count("loaded") == len(sources) - 1
    rows = _rows(db)
    loaded = {r[0] for r in rows["papers"] if r[1] == "ok"}
    assert [o for o in rows["observations"] if o[1] in loaded] == [
        o for o in local_pool_rows["observations"] if o[1] in loaded
    ]
