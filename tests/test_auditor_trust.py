"""Auditors can trust what they see: the report with duplicate figures, value-level verify, hash checks in
trace, corrections applied everywhere (with --raw for the figures as extracted) and their history."""

from __future__ import annotations

import csv
import hashlib
import io
import os

import duckdb
import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.collect import collect
from pipeline.stages import ingest
from tests.audit_helpers import copy_warehouse, figure_865
from tests.conftest import SAMPLES_TEXT, sample_pdf
from warehouse.api import connect as api_connect
from warehouse.db import connect
from warehouse.store import path_for, store_root
from warehouse.verify import verify


def _review(db, oid, *args) -> None:
    assert main(["review", oid, *args, "--db", str(db)]) == 0


def _tamper(db, sql: str, params: list) -> None:
    con = duckdb.connect(str(db))
    con.execute(sql, params)
    con.close()


# --- report -------------------------------------------------------------------------------------------------


def _twin_papers(tmp_path):
    """The 002 text sample twice, as two papers (one trailing line differs): every figure is reported twice."""
    original = next(SAMPLES_TEXT.glob("002*.txt"))
    with (SAMPLES_TEXT / "manifest.csv").open(newline="") as fh:
        paper_date = next(r["paper_date"] for r in csv.DictReader(fh) if r["file"] == original.name)
    folder = tmp_path / "papers"
    folder.mkdir()
    text = original.read_text(encoding="utf-8")
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "b.txt").write_text(text + "\nRepublished.\n", encoding="utf-8")
    (folder / "manifest.csv").write_text(
        f"file,title,paper_date,source_url\na.txt,A,{paper_date},\nb.txt,B,{paper_date},\n"
    )
    db = tmp_path / "w.duckdb"
    con = connect(db)
    ingest(con, collect([folder]))
    con.close()
    return db


def test_report_with_two_equal_figures_of_one_kpi_and_period_is_written(tmp_path, capsys):
    db = _twin_papers(tmp_path)
    con = connect(db, read_only=True)
    twins = con.execute(
        """SELECT kpi, count(*) FROM kpi_series WHERE kpi IS NOT NULL AND role = 'actual'
           AND period_kind <> 'paper_date' GROUP BY kpi, unit, period_start, period_end, value HAVING count(*) = 2"""
    ).fetchall()
    con.close()
    assert twins, "the two papers give the same dated actual figures"
    out = tmp_path / "report"
    assert main(["report", "--db", str(db), "--out", str(out), "-q"]) == 0
    index = (out / "index.html").read_text()
    for kpi, _ in twins:
        assert f'id="kpi-{kpi}"' in index
    assert "Traceback" not in capsys.readouterr().err


def test_the_demo_report_of_every_kpi_is_written(tmp_path, demo_db, demo_con):
    out = tmp_path / "report"
    assert main(["report", "--db", str(demo_db), "--out", str(out), "-q"]) == 0
    kpis = {r[0] for r in demo_con.execute("SELECT DISTINCT kpi FROM kpi_series WHERE kpi IS NOT NULL").fetchall()}
    index = (out / "index.html").read_text()
    assert kpis and all(f'id="kpi-{k}"' in index for k in kpis)
    n_figures = demo_con.execute("SELECT count(*) FROM kpi_series WHERE kpi IS NOT NULL").fetchone()[0]
    assert len(list((out / "figures").glob("*.html"))) == n_figures


def test_a_failed_report_leaves_no_folder_and_an_earlier_report_intact(tmp_path, demo_db, monkeypatch):
    import pipeline.audit_report as audit_report

    out = tmp_path / "report"
    # a KPI with three figures, so that the second figure page fails
    args = ["report", "--db", str(demo_db), "--kpi", "permanence_plans_by_second_review", "--out", str(out), "-q"]
    calls = []

    def failing_page(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return original_page(*a, **k)

    original_page = audit_report.figure_page
    monkeypatch.setattr(audit_report, "figure_page", failing_page)
    assert main(args) == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [], "no temporary folder is left behind"

    monkeypatch.setattr(audit_report, "figure_page", original_page)
    assert main(args) == 0
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    index = (out / "index.html").read_text()
    calls.clear()
    monkeypatch.setattr(audit_report, "figure_page", failing_page)
    assert main(args) == 2
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert (out / "index.html").read_text() == index
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_report_will_not_replace_a_folder_that_is_not_a_report(tmp_path, demo_db, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(["report", "--db", str(demo_db), "--out", str(out), "-q"]) == 2
    assert "holds no report" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "keep me"


def test_report_crops_show_whole_lines_and_the_figure_page_has_a_larger_crop(tmp_path, demo_db, demo_con):
    from PIL import Image

    oid = figure_865(demo_con)
    out = tmp_path / "report"
    assert main(["report", "--db", str(demo_db), "--kpi", "children_looked_after", "--out", str(out), "-q"]) == 0
    small = Image.open(out / "img" / f"{oid}.png").convert("L")
    large_name = f"img/{oid}-page.png"
    assert f'src="../{large_name}"' in (out / "figures" / f"{oid}.html").read_text()
    large = Image.open(out / large_name).convert("L")
    # a real larger crop: more of the page at a higher resolution, not the small image scaled
    assert large.width > small.width and large.height > 2 * small.height
    for image in (small, large):  # no glyph is cut by the top or bottom edge: the edge rows are blank
        for y in (0, image.height - 1):
            assert image.crop((0, y, image.width, y + 1)).getextrema()[0] >= 245, (image.size, y)
    # whole lines: the crop spans the text column, not a fixed window around the value
    import pdfplumber

    x0, x1 = demo_con.execute("SELECT bbox_x0, bbox_x1 FROM observations WHERE id = ?", [oid]).fetchone()
    page_no = demo_con.execute("SELECT page FROM observations WHERE id = ?", [oid]).fetchone()[0]
    with pdfplumber.open(sample_pdf("002")) as pdf:
        page = pdf.pages[page_no - 1]
        top = demo_con.execute("SELECT bbox_top FROM observations WHERE id = ?", [oid]).fetchone()[0]
        line = [c for c in page.chars if abs(c["top"] - top) < 2]
        from pipeline.page_image import crop_region

        region = crop_region((x0, top, x1, top + 10), page.width, page.height, page.chars)
    assert region[0] <= min(c["x0"] for c in line) and region[2] >= max(c["x1"] for c in line)


# --- verify and trace ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "sql"),
    [
        ("value", "UPDATE observations SET value = 999 WHERE id = ?"),
        ("unit", "UPDATE observations SET unit = 'percent' WHERE id = ?"),
        ("period_start", "UPDATE observations SET period_start = DATE '2021-09-01' WHERE id = ?"),
        ("role", "UPDATE observations SET role = 'target' WHERE id = ?"),
        ("kpi", "UPDATE observations SET kpi = 'adoptions' WHERE id = ?"),
    ],
)
def test_verify_names_the_observation_and_field_changed_in_the_warehouse(
    tmp_path, demo_db, demo_con, capsys, field, sql
):
    oid = figure_865(demo_con)
    db = copy_warehouse(demo_db, tmp_path / "copy")
    _tamper(db, sql, [oid])
    assert main(["verify", "--db", str(db), "--quiet", "--quick"]) == 1
    out = capsys.readouterr().out
    assert f"observation {oid}" in out and f"field {field}" in out
    con = connect(db, read_only=True)
    report = verify(con, store_root(db), reopen_pdfs=False)
    con.close()
    assert [(v.check, v.subject.split()[1], v.subject.split()[-1]) for v in report.violations] == [
        ("values", oid, field)
    ]


def test_verify_checks_every_figure_value_on_an_untouched_warehouse(demo_db, demo_con):
    report = verify(demo_con, store_root(demo_db), reopen_pdfs=False)
    n_obs = demo_con.execute("SELECT count(*) FROM observations").fetchone()[0]
    assert report.ok and report.checks["values"].checked == n_obs > 0


def test_trace_warns_about_a_changed_value_and_a_changed_original(tmp_path, demo_db, demo_con, capsys):
    oid = figure_865(demo_con)
    db = copy_warehouse(demo_db, tmp_path / "copy")
    _tamper(db, "UPDATE observations SET value = 999 WHERE id = ?", [oid])
    assert main(["trace", oid, "--db", str(db)]) == 0
    captured = capsys.readouterr()
    assert "999 count  (printed as '865')" in captured.out
    assert "WARNING" in captured.out and "value changed in the warehouse" in captured.out
    assert "warning: value changed" in captured.err
    assert main(["trace", oid, "--db", str(db), "--strict"]) == 1
    capsys.readouterr()

    sha = hashlib.sha256(sample_pdf("002").read_bytes()).hexdigest()
    stored = path_for(store_root(db), sha)
    os.chmod(stored, 0o644)
    stored.write_bytes(stored.read_bytes() + b"\n% tampered\n")
    con = duckdb.connect(str(db))
    con.execute("UPDATE paper_sources SET source = ? WHERE paper_id = ?", [str(tmp_path / "gone.pdf"), sha])
    con.close()
    png = tmp_path / "x.png"
    assert main(["trace", oid, "--db", str(db), "--png", str(png)]) == 2
    captured = capsys.readouterr()
    assert "hashes to" in captured.out and "has changed since loading" in captured.out
    assert "not rendering" in captured.err and not png.exists()


def test_trace_renders_from_a_source_that_still_hashes_right_when_the_stored_copy_changed(
    tmp_path, demo_db, demo_con, capsys
):
    oid = figure_865(demo_con)
    db = copy_warehouse(demo_db, tmp_path / "copy")
    sha = hashlib.sha256(sample_pdf("002").read_bytes()).hexdigest()
    stored = path_for(store_root(db), sha)
    os.chmod(stored, 0o644)
    stored.write_bytes(b"%PDF-1.4 not the paper")
    png = tmp_path / "x.png"
    assert main(["trace", oid, "--db", str(db), "--png", str(png)]) == 0
    out = capsys.readouterr().out
    assert "hashes to" in out and "has changed since loading" in out
    assert f"of {sample_pdf('002').name}" in out  # rendered from the source file, whose bytes hash to the id
    assert png.stat().st_size > 1000


def test_trace_shows_each_correction_with_who_when_why_and_old_to_new(tmp_path, demo_db, demo_con, capsys):
    oid = figure_865(demo_con)
    db = copy_warehouse(demo_db, tmp_path / "copy")
    _review(db, oid, "--set", "value=866", "--reason", "misread", "--by", "Ann")
    _review(db, oid, "--reject", "--reason", "double counted", "--by", "Bob")
    _review(db, oid, "--set", "value=867,period=2021-11", "--reason", "table 2 says 867", "--by", "Cy")
    capsys.readouterr()
    assert main(["trace", oid, "--db", str(db)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("review")]
    assert len(lines) == 3
    assert "by Ann: corrected (value 865 -> 866); reason: misread" in lines[0]
    assert "by Bob: rejected" in lines[1] and "double counted" in lines[1]
    assert "by Cy: corrected (value 866 -> 867; period_start 2021-10-01 -> 2021-11-01; " in lines[2]
    assert "period_end 2021-10-31 -> 2021-11-30); reason: table 2 says 867" in lines[2]
    assert all(" UTC by " in line for line in lines)


# --- corrections everywhere ---------------------------------------------------------------------------------

SOLE_LATEST_SQL = """
SELECT l.kpi, l.unit, l.observation_id, l.value, date_trunc('month', l.period_end)::DATE
FROM kpi_latest l
WHERE l.period_kind <> 'paper_date' AND (
    SELECT count(*) FROM kpi_series s WHERE s.kpi = l.kpi AND s.unit = l.unit AND s.role = 'actual'
      AND s.period_kind <> 'paper_date' AND date_trunc('month', s.period_end) = date_trunc('month', l.period_end)
) = 1
ORDER BY l.kpi, l.unit LIMIT 1
"""


def _csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_rejected_figure_leaves_latest_series_wide_and_exports_and_raw_shows_it(tmp_path, demo_db, demo_con, capsys):
    kpi, unit, oid, value, month = demo_con.execute(SOLE_LATEST_SQL).fetchone()
    column = f"{kpi}__{unit}"
    db = copy_warehouse(demo_db, tmp_path / "copy")
    _review(db, oid, "--reject", "--reason", "not this council's figure", "--by", "Ann")
    capsys.readouterr()
    wh = api_connect(db)

    latest = wh.latest()
    assert oid not in set(latest.observation_id)
    assert oid in set(wh.latest(raw=True).observation_id)

    assert oid not in set(wh.series(kpi).observation_id)
    assert oid in set(wh.series(kpi, raw=True).observation_id)
    assert main(["series", kpi, "--db", str(db), "--format", "csv"]) == 0
    assert oid not in {r["observation_id"] for r in _csv_rows(capsys.readouterr().out)}
    assert main(["series", kpi, "--db", str(db), "--format", "csv", "--raw"]) == 0
    assert oid in {r["observation_id"] for r in _csv_rows(capsys.readouterr().out)}

    def cell(frame):
        rows = frame[pd.to_datetime(frame.month) == pd.Timestamp(month)]
        return None if rows.empty or column not in frame or pd.isna(rows[column].iloc[0]) else rows[column].iloc[0]

    assert cell(wh.wide()) is None
    assert cell(wh.wide(raw=True)) == value

    out, raw_out = tmp_path / "export", tmp_path / "export-raw"
    assert main(["export", "--db", str(db), "--out", str(out), "--format", "csv"]) == 0
    assert main(["export", "--db", str(db), "--out", str(raw_out), "--format", "csv", "--raw"]) == 0
    for name in ("kpi_series", "kpi_latest"):
        assert oid not in {r["observation_id"] for r in _csv_rows((out / f"{name}.csv").read_text())}
        assert oid in {r["observation_id"] for r in _csv_rows((raw_out / f"{name}.csv").read_text())}
    assert cell(pd.read_csv(out / "kpi_wide.csv")) is None
    assert cell(pd.read_csv(raw_out / "kpi_wide.csv")) == value
    # the as-extracted views are exported too, under their own names
    assert oid in {r["observation_id"] for r in _csv_rows((out / "kpi_series_raw.csv").read_text())}


def test_a_corrected_value_is_the_kpis_value_everywhere(tmp_path, demo_db, demo_con):
    kpi, unit, oid, value, month = demo_con.execute(SOLE_LATEST_SQL).fetchone()
    db = copy_warehouse(demo_db, tmp_path / "copy")
    _review(db, oid, "--set", f"value={value + 1:g}", "--reason", "typo", "--by", "Ann")
    wh = api_connect(db)
    latest = wh.latest().set_index("observation_id")
    assert latest.loc[oid, "value"] == value + 1
    assert wh.latest(raw=True).set_index("observation_id").loc[oid, "value"] == value
    row = wh.series(kpi).set_index("observation_id").loc[oid]
    assert (row.value, row.extracted_value, row.review_status, bool(row.corrected)) == (value + 1, value, "set", True)
    wide = wh.wide()
    assert wide[pd.to_datetime(wide.month) == pd.Timestamp(month)][f"{kpi}__{unit}"].iloc[0] == value + 1


def test_set_kpi_moves_a_figure_to_another_series_and_report_section(tmp_path, demo_db, demo_con, capsys):
    oid = figure_865(demo_con)
    db = copy_warehouse(demo_db, tmp_path / "copy")
    _review(
        db, oid, "--set", "kpi=child_protection_plans", "--reason", "these are child protection plans", "--by", "Ann"
    )
    wh = api_connect(db)
    assert oid in set(wh.series("child_protection_plans").observation_id)
    assert oid not in set(wh.series("children_looked_after").observation_id)
    assert oid in set(wh.series("children_looked_after", raw=True).observation_id)
    out = tmp_path / "report"
    assert main(["report", "--db", str(db), "--kpi", "child_protection_plans", "--out", str(out), "-q"]) == 0
    assert f'<tr id="obs-{oid}"' in (out / "index.html").read_text()
    page = (out / "figures" / f"{oid}.html").read_text()
    assert "child_protection_plans" in page and "extracted as children_looked_after" in page
    capsys.readouterr()
