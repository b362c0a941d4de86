"""Table figures carry their cell's box: the value's box lies in it, and a ruled cell is the table finder's cell."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pdfplumber
import pytest

from extractors.document import extract_document
from extractors.metrics import extract_metrics
from models.records import Observation, SourceFile
from pipeline.cli import main
from pipeline.collect import collect
from pipeline.stages import ingest
from tests.conftest import FIXTURES
from warehouse.db import connect

TABLES = FIXTURES / "tables"
RULED = [TABLES / "pdf" / "quarterly_rag_a.pdf", TABLES / "council" / "kent-Council Report Mid Year 24-25.pdf"]
ALIGNED = [TABLES / "pdf" / "monthly_a.pdf", TABLES / "council" / "tintern-cc-Budget 2018-19.pdf"]
HTML = TABLES / "html" / "quarterly_rag_b.html"
TOLERANCE = 0.5  # points: a character whose centre is in a ruled cell may stick out of its rules a little
CELL_COLUMNS = ("cell_x0", "cell_top", "cell_x1", "cell_bottom")


def _observations(path: Path) -> list[Observation]:
    return extract_metrics(extract_document(SourceFile(path=path, source=str(path)))).observations


def _table(obs: list[Observation], kind: str) -> list[Observation]:
    found = [o for o in obs if o.rule.startswith(f"table.cell.{kind}.")]
    assert found, f"no {kind} table figures"
    return found


def _inside(inner, outer, tol: float = TOLERANCE) -> bool:
    return (
        outer[0] - tol <= inner[0]
        and inner[2] <= outer[2] + tol
        and outer[1] - tol <= inner[1]
        and inner[3] <= outer[3] + tol
    )


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.01 and min(a[3], b[3]) - max(a[1], b[1]) > 0.01


def _page_sizes(path: Path) -> dict[int, tuple[float, float]]:
    with pdfplumber.open(path) as pdf:
        return {i: (float(p.width), float(p.height)) for i, p in enumerate(pdf.pages, 1)}


def _check_value_in_cell_in_page(path: Path, figures: list[Observation]) -> None:
    sizes = _page_sizes(path)
    for o in figures:
        assert o.bbox is not None and o.cell_bbox is not None, (o.value_text, o.page)
        x0, top, x1, bottom = o.cell_bbox
        width, height = sizes[o.page]
        assert 0 <= x0 < x1 <= width + TOLERANCE and 0 <= top < bottom <= height + TOLERANCE, (o.value_text, o.page)
        assert _inside(o.bbox, o.cell_bbox), (o.value_text, o.page, o.bbox, o.cell_bbox)


@pytest.mark.parametrize("path", RULED, ids=lambda p: p.stem[:20])
def test_a_ruled_table_figure_lies_in_one_of_the_table_finders_cells(path):
    obs = _observations(path)
    ruled = _table(obs, "ruled")
    _check_value_in_cell_in_page(path, ruled)
    with pdfplumber.open(path) as pdf:  # pdfplumber's own table finder, not the project's reading of it
        rects = {
            n: {tuple(round(v, 2) for v in c) for t in pdf.pages[n - 1].find_tables() for c in t.cells}
            for n in {o.page for o in ruled}
        }
    for o in ruled:
        assert o.cell_bbox in rects[o.page], (o.value_text, o.page, o.cell_bbox)
    # two figures share a cell only when a ruled cell holds several printed rows; cells never overlap otherwise
    for i, a in enumerate(ruled):
        for b in ruled[i + 1 :]:
            if a.page == b.page and a.cell_bbox != b.cell_bbox:
                assert not _overlap(a.cell_bbox, b.cell_bbox), (a.value_text, b.value_text, a.page)


@pytest.mark.parametrize("path", ALIGNED, ids=lambda p: p.stem[:20])
def test_an_aligned_table_figure_has_the_box_of_its_cells_characters(path):
    obs = _observations(path)
    aligned = _table(obs, "aligned")
    _check_value_in_cell_in_page(path, aligned)
    with pdfplumber.open(path) as pdf:
        chars = {n: pdf.pages[n - 1].chars for n in {o.page for o in aligned}}
    rows = {}
    for o in obs:
        rows.setdefault(o.sentence_id, o)
    for o in aligned:
        # the characters pdfplumber puts inside the cell box: the printed value, and nothing of another cell
        inside = "".join(
            c["text"]
            for c in chars[o.page]
            if o.cell_bbox[0] <= (c["x0"] + c["x1"]) / 2 <= o.cell_bbox[2]
            and o.cell_bbox[1] <= (c["top"] + c["bottom"]) / 2 <= o.cell_bbox[3]
        )
        inside = "".join(inside.split())
        assert "".join(o.value_text.split()) in inside, (o.value_text, o.page, inside)
        assert len(inside) <= len("".join(o.value_text.split())) + 8, (o.value_text, o.page, inside)
    for i, a in enumerate(aligned):
        for b in aligned[i + 1 :]:
            assert a.page != b.page or not _overlap(a.cell_bbox, b.cell_bbox), (a.value_text, b.value_text)


def test_html_and_text_figures_have_no_cell_box():
    html = _observations(HTML)
    assert _table(html, "html") and all(o.cell_bbox is None for o in html)
    kent = _observations(RULED[1])
    narrative = [o for o in kent if not o.rule.startswith("table.")]
    assert narrative and all(o.bbox is not None and o.cell_bbox is None for o in narrative)


def test_the_cell_box_round_trips_through_the_warehouse(tmp_path, capsys):
    paths = [RULED[0], ALIGNED[0], HTML]
    expected = {o.id: o.cell_bbox for p in paths for o in _observations(p)}
    db = tmp_path / "cells.duckdb"
    con = connect(db)
    try:
        summary = ingest(con, collect(paths), command="test")
        assert summary.count("loaded") == 3, summary.outcomes
        stored = con.execute(f"SELECT id, {', '.join(CELL_COLUMNS)} FROM observations").fetchall()  # noqa: S608
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'observations'"
            ).fetchall()
        )
    finally:
        con.close()
    assert {types[c] for c in CELL_COLUMNS} == {"DOUBLE"}
    assert {r[0] for r in stored} == set(expected)
    boxed = 0
    for oid, *cell in stored:
        want = expected[oid]
        if want is None:
            assert cell == [None] * 4, oid
        else:
            assert tuple(cell) == want, oid
            boxed += 1
    assert boxed == sum(1 for o in expected.values() if o is not None) > 40
    # trace shows it for a PDF table figure, and has no such line for one without a cell box
    with_cell = next(oid for oid, *cell in stored if cell[0] is not None)
    assert main(["trace", with_cell, "--db", str(db)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("cell box")]
    assert len(lines) == 1
    numbers = [float(v) for v in lines[0].split(None, 2)[2].split("(")[0].split(",")]
    assert tuple(numbers) == expected[with_cell]
    without = next(oid for oid, *cell in stored if cell[0] is None)
    assert main(["trace", without, "--db", str(db)]) == 0
    assert "cell box" not in capsys.readouterr().out


def test_an_older_warehouse_gets_the_cell_columns(tmp_path):
    db = tmp_path / "old.duckdb"
    con = connect(db)
    con.close()
    raw = duckdb.connect(str(db))  # a warehouse made before the cell columns existed
    for column in CELL_COLUMNS:
        raw.execute(f"ALTER TABLE observations DROP COLUMN {column}")
    raw.execute("CHECKPOINT")
    raw.close()
    con = connect(db)
    try:
        ingest(con, collect([RULED[0]]), command="test")
        n = con.execute("SELECT count(*) FROM observations WHERE cell_x0 IS NOT NULL AND cell_x0 < cell_x1").fetchone()
    finally:
        con.close()
    assert n[0] > 0
