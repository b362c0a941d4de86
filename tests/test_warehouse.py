"""Warehouse checks over the sample warehouse: provenance offsets, boxes, idempotent re-runs, query CLI."""

from __future__ import annotations

from pipeline.cli import main
from pipeline.collect import collect
from pipeline.stages import ingest
from tests.conftest import SAMPLES_PDF
from warehouse.db import connect

COUNTS = (
    "SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM pages), (SELECT count(*) FROM sentences), "
    "(SELECT count(*) FROM observations), (SELECT count(*) FROM paper_sources)"
)


def test_every_observation_cuts_back_to_its_value_text(demo_con):
    rows = demo_con.execute(
        """SELECT o.id, o.value_text, o.page_start, o.page_end, p.text, s.text, o.sentence_start, o.sentence_end,
                  s.start_char
           FROM observations o JOIN pages p USING (paper_id, page) JOIN sentences s ON s.id = o.sentence_id"""
    ).fetchall()
    assert len(rows) > 50
    for oid, value_text, start, end, page_text, sentence, s_start, s_end, sent_off in rows:
        assert page_text[start:end] == value_text, oid
        assert sentence[s_start:s_end] == value_text, oid
        assert page_text[sent_off : sent_off + len(sentence)] == sentence, oid


def test_every_pdf_observation_has_a_box_inside_its_page(demo_con):
    rows = demo_con.execute(
        """SELECT o.bbox_x0, o.bbox_top, o.bbox_x1, o.bbox_bottom, p.width, p.height
           FROM observations o JOIN pages p USING (paper_id, page)"""
    ).fetchall()
    for x0, top, x1, bottom, width, height in rows:
        assert None not in (x0, top, x1, bottom)
        assert 0 <= x0 < x1 <= width + 0.5 and 0 <= top < bottom <= height + 0.5


def test_paper_id_is_the_sha256_of_the_bytes(demo_con):
    import hashlib

    ids = {row[0] for row in demo_con.execute("SELECT id FROM papers").fetchall()}
    assert ids == {hashlib.sha256(p.read_bytes()).hexdigest() for p in SAMPLES_PDF.glob("*.pdf")}


def test_reingesting_the_same_bytes_adds_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    counts = []
    for _ in range(2):
        con = connect(db)
        ingest(con, collect([SAMPLES_PDF]))
        counts.append(con.execute(COUNTS).fetchone())
        con.close()
    assert counts[0] == counts[1]
    assert counts[0][0] == 5 and counts[0][3] > 50
    con = connect(db, read_only=True)
    runs = con.execute("SELECT n_loaded, n_skipped FROM runs ORDER BY started_at").fetchall()
    con.close()
    assert runs == [(5, 0), (0, 5)]


def test_the_same_bytes_under_two_names_are_one_paper_with_two_sources(tmp_path):
    src = next(SAMPLES_PDF.glob("003*.pdf"))
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes(src.read_bytes())
    con = connect(tmp_path / "w.duckdb")
    summary = ingest(con, collect([tmp_path]))
    papers, sources = con.execute(
        "SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM paper_sources)"
    ).fetchone()
    con.close()
    assert [o.status for o in summary.outcomes] == ["loaded", "skipped"]
    assert (papers, sources) == (1, 2)


def test_kpi_series_view_links_figures_to_papers_and_sentences(demo_con):
    rows = demo_con.execute(
        "SELECT value, unit, paper_title, sentence, value_text FROM kpi_series WHERE kpi = 'children_looked_after'"
    ).fetchall()
    assert any(r[0] == 865 and r[1] == "count" for r in rows)
    for _value, _, title, sentence, value_text in rows:
        assert title and value_text in sentence


def test_query_is_read_only(demo_db, capsys):
    assert main(["query", "SELECT count(*) AS n FROM papers", "--db", str(demo_db)]) == 0
    assert "5" in capsys.readouterr().out
    assert main(["query", "DELETE FROM papers", "--db", str(demo_db)]) == 2
    assert "read-only" in capsys.readouterr().err.lower()
