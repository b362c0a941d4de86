"""Unchanged files are skipped without being read; parallel, batched ingest stores the same rows as the plain one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipeline.collect import collect
from pipeline.pool import Limits
from pipeline.stages import ingest
from tests.conftest import SAMPLES_PDF
from warehouse.db import connect

PER_PAPER = """
SELECT p.id, p.status, p.n_pages,
       (SELECT count(*) FROM pages g WHERE g.paper_id = p.id),
       (SELECT count(*) FROM sentences s WHERE s.paper_id = p.id),
       (SELECT count(*) FROM observations o WHERE o.paper_id = p.id),
       (SELECT count(*) FROM paper_sources s WHERE s.paper_id = p.id)
FROM papers p ORDER BY p.id
"""


def _rows(db: Path, sql: str) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_unchanged_files_are_skipped_without_reading_them(tmp_path, monkeypatch):
    folder = tmp_path / "papers"
    shutil.copytree(SAMPLES_PDF, folder)
    db = tmp_path / "w.duckdb"
    con = connect(db)
    ingest(con, collect([folder]))
    touched = sorted(folder.glob("*.pdf"))[0]
    os.utime(touched, (1_000_000_000, 1_000_000_000))  # same bytes, new mtime: must be read and hashed again

    reads: list[str] = []
    real = Path.read_bytes

    def counting_read_bytes(self: Path) -> bytes:
        reads.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counting_read_bytes)
    summary = ingest(con, collect([folder]))
    con.close()
    assert [o.status for o in summary.outcomes] == ["skipped"] * 5
    assert reads == [touched.name]
    # the new mtime was recorded: a third run reads nothing
    reads.clear()
    con = connect(db)
    ingest(con, collect([folder]))
    con.close()
    assert reads == []


def test_parallel_batched_ingest_stores_what_the_plain_ingest_stores(tmp_path, demo_db):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    summary = ingest(con, collect([SAMPLES_PDF]), limits=Limits(workers=2))
    con.close()
    assert summary.count("loaded") == 5
    assert _rows(db, PER_PAPER) == _rows(demo_db, PER_PAPER)
    runs = _rows(db, "SELECT status, n_loaded FROM runs")
    assert runs == [("ok", 5)]
