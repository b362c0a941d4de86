"""Append-only corrections (latest wins in kpi_series) and the kpi_conflicts view."""

from __future__ import annotations

import csv

from pipeline.cli import main
from pipeline.collect import collect
from pipeline.stages import ingest
from tests.audit_helpers import copy_warehouse, figure_865
from tests.conftest import SAMPLES_TEXT
from warehouse.db import connect

CORRECTED = """
SELECT value, period_start, period_end, review_status, accepted, corrected, reviewed_by, review_reason,
       extracted_value
FROM kpi_series WHERE observation_id = ?
"""


def _review(db, oid, *args) -> None:
    assert main(["review", oid, *args, "--db", str(db)]) == 0


def test_two_corrections_are_both_kept_and_the_latest_wins(tmp_path, demo_db, demo_con, capsys):
    oid = figure_865(demo_con)
    db = copy_warehouse(demo_db, tmp_path / "copy")
    _review(db, oid, "--set", "value=866", "--reason", "misread", "--by", "Ann")
    _review(db, oid, "--set", "value=867,period=2021-11", "--reason", "table 2 says 867", "--by", "Bob")
    con = connect(db, read_only=True)
    log = con.execute(
        "SELECT seq, action, value, reviewer, reason FROM corrections WHERE observation_id = ? ORDER BY seq", [oid]
    ).fetchall()
    assert log == [(1, "set", 866.0, "Ann", "misread"), (2, "set", 867.0, "Bob", "table 2 says 867")]
    value, start, end, status, accepted, corrected, by, why, extracted = con.execute(CORRECTED, [oid]).fetchone()
    assert (value, start.isoformat(), end.isoformat()) == (867.0, "2021-11-01", "2021-11-30")
    assert (status, accepted, corrected, by, why, extracted) == ("set", False, True, "Bob", "table 2 says 867", 865)
    assert con.execute("SELECT value, value_text FROM observations WHERE id = ?", [oid]).fetchone() == (865, "865")
    con.close()
    capsys.readouterr()


def test_rejected_figures_leave_the_corrected_series_and_accept_brings_them_back(tmp_path, demo_db, demo_con):
    oid = figure_865(demo_con)
    db = copy_warehouse(demo_db, tmp_path / "copy")
    _review(db, oid, "--reject", "--reason", "double counted", "--by", "Ann")
    con = connect(db, read_only=True)
    assert con.execute(CORRECTED, [oid]).fetchall() == []
    assert con.execute("SELECT count(*) FROM kpi_series_raw WHERE observation_id = ?", [oid]).fetchone() == (1,)
    con.close()
    _review(db, oid, "--accept", "--reason", "checked against the register", "--by", "Bob")
    con = connect(db, read_only=True)
    value, *_, status, accepted, corrected, by, why, _extracted = con.execute(CORRECTED, [oid]).fetchone()
    assert (value, status, accepted, corrected, by) == (865, "accept", True, False, "Bob")
    assert con.execute("SELECT count(*) FROM corrections").fetchone() == (2,)
    con.close()


def test_review_needs_a_reason_and_a_reviewer_and_a_known_figure(tmp_path, demo_db, demo_con, capsys):
    oid = figure_865(demo_con)
    db = copy_warehouse(demo_db, tmp_path / "copy")
    assert main(["review", oid, "--accept", "--by", "Ann", "--db", str(db)]) == 2
    assert main(["review", oid, "--accept", "--reason", "ok", "--db", str(db)]) == 2
    assert main(["review", "nope", "--accept", "--reason", "ok", "--by", "Ann", "--db", str(db)]) == 2
    assert main(["review", oid, "--set", "value=abc", "--reason", "ok", "--by", "Ann", "--db", str(db)]) == 2
    assert "--reason is required" in capsys.readouterr().err
    con = connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM corrections").fetchone() == (0,)
    con.close()


def _conflict_papers(tmp_path):
    """The 002 text sample and a copy in which one dated, KPI-tagged actual figure is changed."""
    original = next(SAMPLES_TEXT.glob("002*.txt"))
    folder = tmp_path / "papers"
    folder.mkdir()
    text = original.read_text(encoding="utf-8")
    (folder / "a.txt").write_text(text, encoding="utf-8")
    with (SAMPLES_TEXT / "manifest.csv").open(newline="") as fh:
        paper_date = next(r["paper_date"] for r in csv.DictReader(fh) if r["file"] == original.name)
    (folder / "manifest.csv").write_text(f"file,title,paper_date,source_url\na.txt,A,{paper_date},\n")
    db = tmp_path / "w.duckdb"
    con = connect(db)
    ingest(con, collect([folder]))
    candidates = con.execute(
        """SELECT o.page, o.page_start, o.value_text, o.value, o.kpi, o.period_start, o.period_end, o.unit
           FROM observations o WHERE o.kpi IS NOT NULL AND o.role = 'actual' AND o.period_kind <> 'paper_date'
             AND regexp_full_match(o.value_text, '[0-9]+') ORDER BY o.page, o.page_start"""
    ).fetchall()
    assert candidates, "the 002 text sample should give at least one dated actual KPI figure"
    page, start, value_text, value, kpi, p_start, p_end, unit = candidates[0]
    assert con.execute("SELECT count(*) FROM kpi_conflicts").fetchone() == (0,), "one paper cannot conflict"
    pages = text.split("\f")
    offset = sum(len(p) + 1 for p in pages[: page - 1]) + start
    assert text[offset : offset + len(value_text)] == value_text
    changed = str(int(value) + 1)
    (folder / "b.txt").write_text(text[:offset] + changed + text[offset + len(value_text) :], encoding="utf-8")
    with (folder / "manifest.csv").open("a") as fh:
        fh.write(f"b.txt,B,{paper_date},\n")
    ingest(con, collect([folder]))
    return con, (kpi, p_start, p_end, unit), {value, float(changed)}


def test_conflicts_view_lists_a_kpi_month_two_papers_disagree_on(tmp_path):
    con, key, values = _conflict_papers(tmp_path)
    rows = con.execute(
        """SELECT "values", n_papers, observation_ids FROM kpi_conflicts
           WHERE kpi = ? AND period_start = ? AND period_end = ? AND unit = ?""",
        list(key),
    ).fetchall()
    assert len(rows) == 1
    listed, n_papers, obs_ids = rows[0]
    assert values <= set(listed) and n_papers == 2
    # rejecting the altered figure resolves the conflict
    (altered,) = con.execute(
        "SELECT o.id FROM observations o JOIN papers p ON p.id = o.paper_id WHERE p.title = 'B' AND o.value = ?",
        [max(values)],
    ).fetchone()
    assert altered in obs_ids
    from warehouse.corrections import append

    append(con, altered, "reject", "typo in the copy", "tester")
    still = con.execute(
        """SELECT "values" FROM kpi_conflicts WHERE kpi = ? AND period_start = ? AND period_end = ? AND unit = ?""",
        list(key),
    ).fetchall()
    assert all(max(values) not in row[0] for row in still)
    con.close()


def test_report_strikes_out_rejected_figures_and_keeps_them_out_of_the_chart(tmp_path, demo_db, demo_con):
    oid = figure_865(demo_con)
    db = copy_warehouse(demo_db, tmp_path / "copy")
    out = tmp_path / "report"
    args = ["report", "--db", str(db), "--kpi", "children_looked_after", "--out", str(out), "-q"]
    assert main(args) == 0
    before = (out / "index.html").read_text()
    assert f'href="figures/{oid}.html"><title>' in before  # a point of the chart
    _review(db, oid, "--reject", "--reason", "double counted", "--by", "Ann")
    assert main(args) == 0
    after = (out / "index.html").read_text()
    assert f'<tr id="obs-{oid}" class=rejected>' in after and "double counted" in after
    assert f'href="figures/{oid}.html"><title>' not in after
