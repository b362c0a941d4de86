"""Auditor tools: the store of originals, `trace` (text and PNG) and `verify` on good and corrupted warehouses."""

from __future__ import annotations

import csv
import hashlib
import os
import re

import duckdb
from PIL import Image

from pipeline.cli import main
from pipeline.collect import collect
from pipeline.page_image import OUTLINE
from pipeline.stages import ingest
from tests.audit_helpers import copy_warehouse, figure_865
from tests.conftest import SAMPLES_PDF, sample_pdf
from warehouse.db import connect
from warehouse.store import path_for, store_root
from warehouse.verify import verify


def test_loading_stores_each_original_under_its_sha256(demo_db):
    for pdf in SAMPLES_PDF.glob("*.pdf"):
        data = pdf.read_bytes()
        stored = path_for(store_root(demo_db), hashlib.sha256(data).hexdigest())
        assert stored.read_bytes() == data
    leftovers = [p for p in store_root(demo_db).rglob("*") if p.is_file() and p.name.endswith(".tmp")]
    assert leftovers == []


def test_trace_prints_figure_paper_page_and_marked_sentence(demo_db, demo_con, capsys, tmp_path):
    oid = figure_865(demo_con)
    page, kpi, role, rule = demo_con.execute(
        "SELECT page, kpi, role, rule FROM observations WHERE id = ?", [oid]
    ).fetchone()
    png = tmp_path / "865.png"
    assert main(["trace", oid[:10], "--db", str(demo_db), "--png", str(png)]) == 0
    out = capsys.readouterr().out
    pdf = sample_pdf("002")
    with (SAMPLES_PDF / "manifest.csv").open() as fh:
        title = next(r["title"] for r in csv.DictReader(fh) if r["file"] == pdf.name)
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() in out
    assert title in out and str(pdf) in out
    assert re.search(rf"^page\s+{page}\b", out, re.M)
    assert "«865» children" in out
    for text in (oid, kpi, role, rule, "2021-10-01"):
        assert text in out
    image = Image.open(png).convert("RGB")
    outlined = {color: n for n, color in image.getcolors(maxcolors=1 << 24)}.get(OUTLINE, 0)
    assert image.width > 200 and outlined > 20


def test_trace_unknown_id_is_a_clear_error(demo_db, capsys):
    assert main(["trace", "no-such-id", "--db", str(demo_db)]) == 2
    assert "no observation with id 'no-such-id'" in capsys.readouterr().err


def test_verify_passes_on_the_demo_warehouse(demo_db, demo_con, capsys):
    assert main(["verify", "--db", str(demo_db), "--quiet"]) == 0
    assert "OK:" in capsys.readouterr().out
    report = verify(demo_con, store_root(demo_db))
    n_obs = demo_con.execute("SELECT count(*) FROM observations").fetchone()[0]
    assert report.ok
    assert report.checks["bbox_covers"].checked == n_obs > 0
    assert report.checks["stored_file"].checked == 5


def _corrupt(tmp_path, demo_db, sql: str, params: list) -> tuple:
    db = copy_warehouse(demo_db, tmp_path / "copy")
    con = duckdb.connect(str(db))
    con.execute(sql, params)
    con.close()
    return db


def test_verify_fails_when_a_value_text_is_altered(tmp_path, demo_db, demo_con, capsys):
    oid = figure_865(demo_con)
    db = _corrupt(tmp_path, demo_db, "UPDATE observations SET value_text = '866' WHERE id = ?", [oid])
    assert main(["verify", "--db", str(db), "--quiet", "--quick"]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and oid in out
    con = connect(db, read_only=True)
    report = verify(con, store_root(db))
    con.close()
    assert {(v.check, oid in v.subject) for v in report.violations} == {
        ("values", True),
        ("offsets", True),
        ("sentence", True),
        ("original_text", True),
    }


def test_verify_fails_when_a_box_no_longer_covers_the_value(tmp_path, demo_db, demo_con):
    oid = figure_865(demo_con)
    db = _corrupt(tmp_path, demo_db, "UPDATE observations SET bbox_x1 = bbox_x1 - 3 WHERE id = ?", [oid])
    con = connect(db, read_only=True)
    report = verify(con, store_root(db))
    con.close()
    assert [(v.check, oid in v.subject) for v in report.violations] == [("bbox_covers", True)]


def test_verify_fails_when_a_stored_original_is_changed_or_missing(tmp_path, demo_db, capsys):
    db = copy_warehouse(demo_db, tmp_path / "copy")
    sha = hashlib.sha256(sample_pdf("002").read_bytes()).hexdigest()
    stored = path_for(store_root(db), sha)
    os.chmod(stored, 0o644)
    stored.write_bytes(stored.read_bytes() + b"\n% tampered\n")
    other = path_for(store_root(db), hashlib.sha256(sample_pdf("003").read_bytes()).hexdigest())
    other.unlink()
    assert main(["verify", "--db", str(db), "--quiet", "--quick"]) == 1
    con = connect(db, read_only=True)
    report = verify(con, store_root(db))
    con.close()
    details = {v.subject[6:18]: v.detail for v in report.violations if v.check == "stored_file"}
    assert set(details) == {sha[:12], other.name[:12]}
    assert "hashes to" in details[sha[:12]] and "missing" in details[other.name[:12]]
    assert {v.check for v in report.violations} == {"stored_file"}


def test_html_figures_trace_without_a_box_and_verify_against_their_stored_file(tmp_path, capsys):
    folder = tmp_path / "html"
    folder.mkdir()
    page = folder / "minutes.html"
    page.write_text(
        "<html><body><p>Meeting held on 12 January 2022.</p>"
        "<p>The proportion of care plans reviewed was 96% (October 2021).</p></body></html>"
    )
    db = tmp_path / "w.duckdb"
    con = connect(db)
    ingest(con, collect([folder]))
    ids = [r[0] for r in con.execute("SELECT id FROM observations WHERE value_text = '96'").fetchall()]
    con.close()
    assert len(ids) == 1
    assert main(["trace", ids[0], "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "«96»%" in out and "html paper: no box" in out
    assert main(["trace", ids[0], "--db", str(db), "--png", str(tmp_path / "x.png")]) == 2
    assert "no box to draw" in capsys.readouterr().err
    assert main(["verify", "--db", str(db), "--quiet"]) == 0
    assert path_for(store_root(db), hashlib.sha256(page.read_bytes()).hexdigest()).read_bytes() == page.read_bytes()
