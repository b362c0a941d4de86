"""The Prefect flow runs offline on the ephemeral server: clean output, same result as the plain stages."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb

from tests.conftest import sample_pdf


def test_ingest_through_prefect_runs_offline_without_errors(tmp_path):
    db = tmp_path / "flow.duckdb"
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"))
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
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Flow run" in output and "Finished in state Completed" in output
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
