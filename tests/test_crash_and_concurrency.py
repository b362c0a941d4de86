"""kill -9 mid-run loses nothing and leaves no partial paper; a second ingest waits for the lock; re-runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractors import metrics
from pipeline.cli import main
from pipeline.collect import collect
from pipeline.stages import ingest
from tests.conftest import ROOT, SAMPLES_PDF, sample_pdf
from warehouse.db import connect

PER_PAPER = """
SELECT p.id, p.status, p.n_pages,
       (SELECT count(*) FROM pages g WHERE g.paper_id = p.id),
       (SELECT count(*) FROM sentences s WHERE s.paper_id = p.id),
       (SELECT count(*) FROM observations o WHERE o.paper_id = p.id)
FROM papers p ORDER BY p.id
"""
ORPHANS = """
SELECT (SELECT count(*) FROM pages WHERE paper_id NOT IN (SELECT id FROM papers))
     + (SELECT count(*) FROM sentences WHERE paper_id NOT IN (SELECT id FROM papers))
     + (SELECT count(*) FROM observations WHERE paper_id NOT IN (SELECT id FROM papers))
"""


def _start_paused_ingest(tmp_path: Path, db: Path, point: str, seconds: float, *paths: Path) -> tuple:
    marker = tmp_path / f"paused-{point}"
    env = dict(
        os.environ,
        COUNCILKPI_PAUSE_AT=point,
        COUNCILKPI_PAUSE_FILE=str(marker),
        COUNCILKPI_PAUSE_SECONDS=str(seconds),
        PREFECT_HOME=str(tmp_path / "prefect"),
    )
    args = [sys.executable, "-m", "pipeline.cli", "ingest", *map(str, paths), "--db", str(db), "--no-prefect", "-q"]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (marker.exists() and marker.read_text()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"the ingest never reached {point}: rc={proc.returncode}\n{out}\n{err}")
        time.sleep(0.05)
    return proc, marker


def _per_paper(db: Path) -> dict:
    con = connect(db, read_only=True)
    try:
        rows = con.execute(PER_PAPER).fetchall()
        orphans = con.execute(ORPHANS).fetchone()[0]
        runs = con.execute("SELECT status FROM runs ORDER BY started_at").fetchall()
    finally:
        con.close()
    assert orphans == 0
    return {"papers": {r[0]: r[1:] for r in rows}, "runs": [r[0] for r in runs]}


@pytest.mark.parametrize("point", ["after_paper", "in_transaction"])
def test_kill_9_mid_run_leaves_no_partial_paper_and_the_next_run_completes(tmp_path, demo_db, point):
    reference = _per_paper(demo_db)["papers"]  # the five samples, ingested cleanly
    db = tmp_path / "w.duckdb"
    proc, _ = _start_paused_ingest(tmp_path, db, point, 60, SAMPLES_PDF)
    proc.kill()  # SIGKILL: no cleanup of any kind
    proc.communicate()

    after_kill = _per_paper(db)
    assert after_kill["runs"] == ["running"]
    if point == "in_transaction":
        assert after_kill["papers"] == {}  # the paper being written was not committed: nothing of it remains
    else:
        assert 1 <= len(after_kill["papers"]) < 5
    for paper_id, counts in after_kill["papers"].items():
        assert counts == reference[paper_id]  # complete papers only: every page, sentence and figure

    con = connect(db)
    summary = ingest(con, collect([SAMPLES_PDF]), command="test")
    con.close()
    assert len(summary.crashed_runs) == 1
    assert summary.count("loaded") == 5 - len(after_kill["papers"])
    assert summary.count("skipped") == len(after_kill["papers"])
    final = _per_paper(db)
    assert final["papers"] == reference
    assert final["runs"] == ["crashed", "ok"]


def test_a_second_ingest_waits_for_the_lock_or_gives_up_clearly(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    # the first ingest holds the write lock while it pauses after its only paper
    first, _ = _start_paused_ingest(tmp_path, db, "after_paper", 4, sample_pdf("003"))
    try:
        rc = main(["ingest", str(SAMPLES_PDF), "--db", str(db), "--no-prefect", "-q", "--lock-timeout", "0.5"])
        err = capsys.readouterr().err
        assert rc == 2
        assert "locked by process" in err and str(first.pid) in err and "0.5 s" in err
        assert "Traceback" not in err

        # a reader waits too, and a writer with enough patience gets in once the first run ends
        rc = main(["ingest", str(SAMPLES_PDF), "--db", str(db), "--no-prefect", "-q", "--lock-timeout", "60"])
        out = capsys.readouterr()
        assert rc == 0, out.err
        assert "waiting up to 60 s" in out.err and "Traceback" not in out.err
    finally:
        first.kill() if first.poll() is None else None
        first.communicate()
    assert first.returncode == 0
    state = _per_paper(db)
    assert len(state["papers"]) == 5 and state["runs"] == ["ok", "ok"]


def test_query_waits_for_the_lock(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    first, _ = _start_paused_ingest(tmp_path, db, "after_paper", 4, sample_pdf("004"))
    try:
        rc = main(["query", "SELECT count(*) AS n FROM papers", "--db", str(db), "--lock-timeout", "60"])
        out = capsys.readouterr()
    finally:
        first.communicate(timeout=60)
    assert rc == 0 and "waiting" in out.err and "1" in out.out


def test_rerun_after_an_extractor_change_re_extracts_without_duplicating(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    papers = [sample_pdf("001"), sample_pdf("003")]
    counts_sql = "SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM pages), (SELECT count(*) FROM sentences), (SELECT count(*) FROM observations)"
    con = connect(db)
    first = ingest(con, collect(papers))
    before = con.execute(counts_sql).fetchone()
    unchanged = ingest(con, collect(papers))
    monkeypatch.setattr(metrics, "extractor_version", lambda: "0.1.0+changed-rules")
    changed = ingest(con, collect(papers))
    after = con.execute(counts_sql).fetchone()
    versions = con.execute(
        "SELECT DISTINCT extractor_version FROM observations UNION SELECT DISTINCT extractor_version FROM papers"
    ).fetchall()
    con.close()
    assert [o.status for o in first.outcomes] == ["loaded", "loaded"]
    assert [o.status for o in unchanged.outcomes] == ["skipped", "skipped"]
    assert [o.status for o in changed.outcomes] == ["loaded", "loaded"]
    assert before == after and before[3] > 0
    assert versions == [("0.1.0+changed-rules",)]
