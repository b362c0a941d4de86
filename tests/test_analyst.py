"""Analyst experience: the read-only Python API, kpi_latest/kpi_wide, exports, schema docs, README SQL, CLI."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import duckdb
import pandas as pd
import pytest

from models.taxonomy import load_taxonomy
from pipeline.cli import main
from pipeline.output import format_table
from tests.conftest import ROOT
from warehouse.api import UnknownKpiError, schema_frame
from warehouse.catalog import load_catalog, readme_section, render_markdown
from warehouse.db import WarehouseError

README = ROOT / "README.md"


def test_package_connect_is_the_read_only_api_and_db_connect_is_unchanged(demo_db):
    from warehouse import Warehouse, connect
    from warehouse.db import connect as db_connect

    with connect(demo_db) as wh:
        assert isinstance(wh, Warehouse)
        frame = wh.series("children_looked_after")
        with pytest.raises(duckdb.Error, match="(?i)read-only"):
            wh.query("DELETE FROM papers")
    assert isinstance(frame, pd.DataFrame)
    assert ((frame["value"] == 865) & (frame["unit"] == "count")).any()
    assert set(frame["kpi"]) == {"children_looked_after"}
    assert frame["period_end"].dropna().is_monotonic_increasing
    with pytest.raises(WarehouseError, match="closed"):
        wh.latest()
    con = db_connect(demo_db, read_only=True)  # existing callers get a raw DuckDB connection, as before
    assert isinstance(con, duckdb.DuckDBPyConnection)
    con.close()


def test_connect_defaults_to_the_environment_or_data_warehouse(demo_db, monkeypatch):
    from warehouse import connect

    monkeypatch.setenv("COUNCILKPI_DB", str(demo_db))
    assert connect().path == demo_db
    monkeypatch.delenv("COUNCILKPI_DB")
    monkeypatch.chdir(demo_db.parent)
    with pytest.raises(WarehouseError, match="data/warehouse.duckdb"):
        connect()


def test_unknown_kpi_suggests_close_matches(demo_db, capsys):
    from warehouse import connect

    with pytest.raises(UnknownKpiError, match="children_looked_after"):
        connect(demo_db).series("children_looked")
    assert main(["series", "chidren_looked_after", "--db", str(demo_db)]) == 2
    err = capsys.readouterr().err
    assert "did you mean" in err and "children_looked_after" in err and "Traceback" not in err


def test_a_known_kpi_without_figures_is_empty_not_an_error(tmp_path):
    from warehouse import connect
    from warehouse.db import connect as db_connect

    db = tmp_path / "empty.duckdb"
    db_connect(db).close()
    wh = connect(db)
    for kpi in load_taxonomy().kpis:
        assert wh.series(kpi.id).empty
    assert wh.wide().columns.tolist() == ["council", "month"]
    with pytest.raises(UnknownKpiError):
        wh.series("no_such_kpi")


def test_readers_get_a_clear_message_while_a_writer_holds_the_lock(tmp_path):
    from warehouse import connect
    from warehouse.db import connect as db_connect

    db = tmp_path / "locked.duckdb"
    db_connect(db).close()
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        started = time.monotonic()
        with pytest.raises(WarehouseError, match=r"locked by (process \d+|another process).*after waiting 0\.5 s"):
            connect(db, wait=0.5)  # a reader waits for the writer, then says why it gave up
        assert time.monotonic() - started >= 0.5
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)
    assert connect(db).papers().empty  # usable again once the writer has gone


def test_kpi_latest_is_the_latest_actual_per_council_kpi_and_unit(demo_db):
    from warehouse import connect

    wh = connect(demo_db)
    latest = wh.latest()
    series = wh.query("SELECT * FROM kpi_series WHERE kpi IS NOT NULL AND role = 'actual'")
    assert not latest.empty
    assert set(latest.council) == {"West Sussex County Council"}  # the samples' manifest names the council
    assert not latest.duplicated(["council", "kpi", "unit"]).any()
    assert set(zip(latest.kpi, latest.unit, strict=True)) == set(zip(series.kpi, series.unit, strict=True))
    fallback = ("paper_date", "report")
    for row in latest.itertuples():
        figures = series[(series.kpi == row.kpi) & (series.unit == row.unit)]
        assert row.n_actuals == len(figures)
        dated = figures[~figures.period_kind.isin(fallback)]
        if not dated.empty:  # a figure dated by the paper's own text wins over fallback-dated ones
            assert row.period_kind not in fallback
            figures = dated
        if figures.period_end.notna().any():
            newest = figures[figures.period_end == figures.period_end.max()]
            assert row.period_end == newest.period_end.iloc[0]
            assert row.paper_date == newest.paper_date.max()
        source = figures[figures.observation_id == row.observation_id].iloc[0]
        assert (source.value, source.paper_id, source.page, source.value_text) == (
            row.value,
            row.paper_id,
            row.page,
            row.value_text,
        )


def test_kpi_wide_cells_come_from_dated_actual_figures(demo_db):
    from warehouse import connect

    wh = connect(demo_db)
    wide = wh.wide()
    figures = wh.query(
        "SELECT kpi, unit, value, period_end FROM kpi_series "
        "WHERE kpi IS NOT NULL AND role = 'actual' AND period_end IS NOT NULL AND period_kind <> 'paper_date'"
    )
    figures["month"] = pd.to_datetime(figures.period_end).dt.to_period("M")
    figures["column"] = figures.kpi + "__" + figures.unit
    assert wide.columns[:2].tolist() == ["council", "month"] and set(wide.columns[2:]) == set(figures.column)
    assert len(wide) == figures.month.nunique()  # one council in the samples
    n_cells = 0
    for row in wide.to_dict("records"):
        assert row.pop("council") == "West Sussex County Council"
        month = pd.Timestamp(row.pop("month")).to_period("M")
        for column, value in row.items():
            if pd.notna(value):
                n_cells += 1
                candidates = figures[(figures.month == month) & (figures.column == column)]
                assert value in set(candidates.value), (month, column)
    assert n_cells == len(figures.groupby(["month", "column"]))


def test_parquet_export_reads_back_equal_to_every_table_and_view(demo_db, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["export", "--format", "parquet", "--out", str(out), "--db", str(demo_db)]) == 0
    capsys.readouterr()
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        for rel in load_catalog():
            if not rel.in_sql:
                continue
            path = str(out / f"{rel.name}.parquet")
            back = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
            orig = con.execute(f"DESCRIBE SELECT * FROM {rel.name}").fetchall()
            assert [r[:2] for r in back] == [r[:2] for r in orig], rel.name
            n = con.execute(f"SELECT count(*) FROM {rel.name}").fetchone()[0]
            assert con.execute("SELECT count(*) FROM read_parquet(?)", [path]).fetchone()[0] == n
            for sql in (
                f"SELECT count(*) FROM (SELECT * FROM read_parquet(?) EXCEPT ALL SELECT * FROM {rel.name})",
                f"SELECT count(*) FROM (SELECT * FROM {rel.name} EXCEPT ALL SELECT * FROM read_parquet(?))",
            ):
                assert con.execute(sql, [path]).fetchone()[0] == 0, rel.name
        n_series = con.execute("SELECT count(*) FROM kpi_series").fetchone()[0]
        assert n_series > 50
    finally:
        con.close()
    from warehouse import connect

    wide = pd.read_parquet(out / "kpi_wide.parquet")
    expected = connect(demo_db).wide()
    assert wide.columns.tolist() == expected.columns.tolist()
    pd.testing.assert_frame_equal(wide.drop(columns="month"), expected.drop(columns="month"))
    assert (pd.to_datetime(wide.month) == pd.to_datetime(expected.month)).all()


def test_csv_export_has_every_row(demo_db, tmp_path, capsys):
    out = tmp_path / "csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--db", str(demo_db)]) == 0
    capsys.readouterr()
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        for rel in load_catalog():
            if rel.in_sql:
                path = str(out / f"{rel.name}.csv")
                n = con.execute(f"SELECT count(*) FROM {rel.name}").fetchone()[0]
                assert con.execute("SELECT count(*) FROM read_csv(?, header = true)", [path]).fetchone()[0] == n
        obs = con.execute(
            "SELECT count(*) FROM read_csv(?, header = true) c JOIN observations o ON o.id = c.id "
            "WHERE c.value_text = o.value_text AND c.value = o.value",
            [str(out / "observations.csv")],
        ).fetchone()[0]
        assert obs == con.execute("SELECT count(*) FROM observations").fetchone()[0]
    finally:
        con.close()
    assert (out / "kpi_wide.csv").read_text().startswith("council,month,")


def test_every_column_in_the_database_is_described_in_the_catalog(demo_con):
    frame = schema_frame(demo_con)
    undocumented = frame[frame.meaning == "(undocumented)"]
    assert undocumented.empty, f"describe these in warehouse/catalog.toml:\n{undocumented}"
    sql_rows = frame[frame.kind.isin(["table", "view"])]
    missing = sql_rows[sql_rows.type.isna()]
    assert missing.empty, f"described in warehouse/catalog.toml but not in the database:\n{missing}"
    assert (frame.meaning.str.len() > 3).all()


def test_readme_schema_section_is_generated_from_the_catalog():
    section = readme_section(README.read_text())
    assert section, "README.md lost its schema markers"
    assert section == render_markdown(), "README schema section is stale: run .venv/bin/python -m warehouse.catalog"


def test_schema_command_prints_every_relation_with_meanings(demo_db, capsys):
    assert main(["schema", "--db", str(demo_db)]) == 0
    out = capsys.readouterr().out
    for rel in load_catalog():
        assert re.search(rf"^{rel.name} \({rel.kind}", out, re.M), rel.name
        for meaning in rel.columns.values():
            assert meaning in out
    assert main(["schema", "observations", "--format", "csv", "--db", str(demo_db)]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "relation,kind,column,type,meaning" and len(rows) == 1 + len(
        next(r for r in load_catalog() if r.name == "observations").columns
    )
    assert main(["schema", "no_such_table", "--db", str(demo_db)]) == 2
    assert "kpi_series" in capsys.readouterr().err


def _readme_analyst_queries() -> list[str]:
    text = README.read_text()
    section = text.split("## For analysts", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def test_readme_analyst_queries_run_on_the_demo_warehouse(demo_con):
    queries = _readme_analyst_queries()
    assert len(queries) >= 3
    for sql in queries:
        cursor = demo_con.execute(sql)
        rows = cursor.fetchall()
        assert rows, sql
        assert all(any(v is not None for v in row) for row in rows), sql


def test_series_command_formats(demo_db, capsys):
    assert main(["series", "children_looked_after", "--db", str(demo_db)]) == 0
    captured = capsys.readouterr()
    assert "865" in captured.out and "figure(s) of children_looked_after" in captured.err
    assert main(["series", "children_looked_after", "--format", "csv", "--role", "actual", "--db", str(demo_db)]) == 0
    csv_rows = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert set(csv_rows.role) == {"actual"} and "sentence" in csv_rows.columns and 865 in set(csv_rows.value)
    assert main(["series", "children_looked_after", "--format", "json", "--db", str(demo_db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith("{") for line in lines)


def test_kpis_command_counts_figures_per_kpi(demo_db, demo_con, capsys):
    assert main(["kpis", "--format", "csv", "--db", str(demo_db)]) == 0
    frame = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert [k.id for k in load_taxonomy().kpis] == frame.kpi.tolist()[: len(load_taxonomy().kpis)]
    total = demo_con.execute("SELECT count(*) FROM kpi_series WHERE kpi IS NOT NULL").fetchone()[0]
    assert frame.n_figures.sum() == total
    n_cla = demo_con.execute("SELECT count(*) FROM kpi_series WHERE kpi = 'children_looked_after'").fetchone()[0]
    assert frame.set_index("kpi").n_figures["children_looked_after"] == n_cla


def test_query_output_keeps_numbers_whole_and_says_when_rows_were_cut(demo_db, capsys):
    table = format_table(["a"], [[2500000.0], [1234567.0], [0.1], [96.5]])
    for text in ("2500000", "1234567", "0.1", "96.5"):
        assert re.search(rf"^{re.escape(text)}\s*$", table, re.M), table
    assert main(["query", "SELECT * FROM range(5) t(i)", "--format", "csv", "--limit", "2", "--db", str(demo_db)]) == 0
    captured = capsys.readouterr()
    assert captured.out.split() == ["i", "0", "1"] and "first 2 rows" in captured.err


def test_help_for_the_analyst_commands(capsys):
    for command in ["series", "kpis", "export", "schema"]:
        with pytest.raises(SystemExit) as exc:
            main([command, "--help"])
        assert exc.value.code == 0
        assert "usage: councilkpi " + command in capsys.readouterr().out


def test_notebook_runs_headless_and_writes_real_plots(demo_db, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient
    from PIL import Image

    notebook = ROOT / "notebooks" / "kpi_series.ipynb"
    plots = tmp_path / "plots"
    for name, value in {
        "COUNCILKPI_DB": str(demo_db),
        "COUNCILKPI_PLOTS": str(plots),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime"),
        "IPYTHONDIR": str(tmp_path / "ipython"),
        "MPLCONFIGDIR": str(tmp_path / "matplotlib"),
    }.items():
        monkeypatch.setenv(name, value)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.prefix)"))
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}
    ).execute()
    assert nb.cells[-1].outputs[0]["text"].strip() == sys.prefix  # the kernel is the venv's python
    images = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert len(images) >= 2  # the plots are shown inline too
    pngs = sorted(plots.glob("*.png"))
    assert [p.stem for p in pngs] == sorted(["children_looked_after", "care_plans_reviewed"])
    for png in pngs:
        assert png.stat().st_size > 10_000, png
        with Image.open(png) as image:
            assert image.format == "PNG" and image.width >= 500 and image.height >= 300
            colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
            assert len(colours) > 50, png  # axes, text, points: not a blank canvas
