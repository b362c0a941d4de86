"""The Prefect flow runs offline on the ephemeral server: clean output, same result as the plain stages."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import duckdb

from tests.conftest import sample_pdf


def _ingest(tmp_path, db, *options: str) -> str:
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"))
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "ingest",
            str(sample_pdf("002")),
            str(sample_pdf("003")),
            "--db",
            str(db),
        ]
        + list(options),
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    return output


def test_ingest_through_prefect_runs_offline_without_errors(tmp_path):
    db = tmp_path / "flow.duckdb"
    output = _ingest(tmp_path, db)
    assert "Flow run" in output and "Finished in state Completed" in output
    # the temporary server's start-up is reported on its own line, apart from the run
    assert re.search(r"Prefect: a temporary server took \d+\.\d s to start", output), output
    for bad in ("Traceback", "telemetry", "ERROR", "Failed to send"):
        assert bad not in output, output
    con = duckdb.connect(str(db), read_only=True)
    n_papers, n_obs = con.execute(
        "SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM observations)"
    ).fetchone()
    flow_runs = con.execute("SELECT command FROM runs").fetchall()
    con.close()
    assert n_papers == 2 and n_obs > 30
    assert flow_runs == [("flow",)]


def test_quiet_prints_only_the_summary(tmp_path):
    output = _ingest(tmp_path, tmp_path / "quiet.duckdb", "-q")
    assert "2 loaded" in output
    for noise in ("INFO", "Flow run", "temporary server", "Task run"):
        assert noise not in output, output
