"""`councilkpi ingest --source` through the Prefect flow (folders and single URLs), then again without Prefect."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import date

import duckdb

from pipeline.cli import main
from tests.conftest import SAMPLES_TEXT
from tests.council_server import CouncilServer, sample

CONFIG = """
[collect]
db = "w.duckdb"
data_dir = "data"
schedule = "0 6 * * *"

[fetch]
timeout = 5
per_host_delay = 0

[[source]]
name = "Local minutes"
council = "West Sussex"
type = "folder"
path = "{samples}"
glob = "00[23]_*.txt"

[[source]]
name = "Inspection"
council = "West Sussex"
type = "url"
url = "{base}/c/documents/s7001/Performance.pdf"
title = "Inspection report"
paper_date = 2021-12-01
"""


def test_ingest_source_runs_the_collect_flow_then_reruns_find_nothing_new(tmp_path, capsys):
    with CouncilServer() as council:
        config = tmp_path / "councilkpi.toml"
        config.write_text(CONFIG.format(samples=SAMPLES_TEXT, base=council.base))
        env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"))
        cmd = [sys.executable, "-m", "pipeline.cli", "ingest", "--source", "all", "--config", str(config)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, output
        assert "Flow run" in output and "Finished in state Completed" in output
        assert "Inspection: 1 paper(s) listed" in output and "Local minutes: 2 file(s)" in output
        for bad in ("Traceback", "ERROR", "Failed to send"):
            assert bad not in output, output
        assert len(council.requests("Performance.pdf")) == 1

        assert main(["ingest", "--source", "Inspection", "--config", str(config), "--no-prefect", "-q"]) == 0
        assert "0 loaded, 1 unchanged, 0 failed" in capsys.readouterr().out
        (again,) = council.requests("Performance.pdf")[1:]
        assert again.status == 304

    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        papers = con.execute("SELECT id, title, paper_date, kind FROM papers ORDER BY kind, id").fetchall()
        meta = con.execute("SELECT council, source_name FROM paper_meta ORDER BY source_name").fetchall()
        runs = con.execute("SELECT command, n_loaded FROM runs ORDER BY started_at").fetchall()
    finally:
        con.close()
    pdf = hashlib.sha256(sample("004")).hexdigest()
    assert (pdf, "Inspection report", date(2021, 12, 1), "pdf") in papers
    assert [p[3] for p in papers].count("text") == 2
    assert meta == [("West Sussex", "Inspection"), ("West Sussex", "Local minutes"), ("West Sussex", "Local minutes")]
    assert runs == [("flow:collect", 3), ("cli:collect", 0)]
    stored = {p.name for p in (tmp_path / "data" / "store").rglob("*") if p.is_file()}
    texts = {hashlib.sha256(p.read_bytes()).hexdigest() for p in SAMPLES_TEXT.glob("00[23]_*.txt")}
    assert stored == texts | {pdf}
