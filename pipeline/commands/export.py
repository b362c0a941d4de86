"""`councilkpi export`: write every table and view (and the wide KPI table) to Parquet or CSV files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.output import UserError, add_db_argument, format_table

RAW_SOURCES = {"kpi_series": "kpi_series_raw", "kpi_latest": "kpi_latest_raw"}
"""With --raw, these files are written from the as-extracted views."""


def export(db: Path, out: Path, fmt: str, raw: bool = False) -> list[tuple[str, Path, int]]:
    """Write one file per table/view of the catalog (plus kpi_wide) into ``out``; returns (name, file, rows).

    kpi_series, kpi_latest and kpi_wide hold the figures after review; with ``raw``, as extracted.
    """
    import duckdb

    from warehouse.api import Warehouse
    from warehouse.catalog import load_catalog
    from warehouse.db import connect

    written = []
    relations = load_catalog()
    warehouse = Warehouse(db)  # brings an older warehouse's views up to date
    # first, so a missing or locked warehouse leaves no empty folder behind; unsandboxed: DuckDB writes the files
    con = connect(db, read_only=True, sandbox=False)
    try:
        out.mkdir(parents=True, exist_ok=True)
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        for rel in relations:
            if not rel.in_sql or rel.name not in present:
                continue
            path = out / f"{rel.name}.{fmt}"
            source = RAW_SOURCES.get(rel.name, rel.name) if raw else rel.name
            data = con.table(source)  # names come from the catalog, never from the user
            _write(data, path, fmt)
            written.append((rel.name, path, int(data.aggregate("count(*)").fetchone()[0])))
    finally:
        con.close()
    wide = warehouse.wide(raw=raw)
    path = out / f"kpi_wide.{fmt}"
    mem = duckdb.connect()
    try:
        # pandas holds the month as a timestamp: written as a DATE, the CSV says 2020-11-01, not 2020-11-01 00:00:00
        _write(mem.from_df(wide).project("* REPLACE (CAST(month AS DATE) AS month)"), path, fmt)
    finally:
        mem.close()
    written.append(("kpi_wide", path, len(wide)))
    return written


def _write(relation, path: Path, fmt: str) -> None:
    tmp = path.with_name(path.name + ".partial")
    if fmt == "parquet":
        relation.write_parquet(str(tmp))
    else:
        relation.write_csv(str(tmp), header=True)
    tmp.replace(path)


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: not a folder")
    rows = export(Path(args.db), out, args.format, raw=args.raw)
    print(format_table(["table/view", "rows", "file"], [[name, n, str(path)] for name, path, n in rows], 100))
    print(f"\n{len(rows)} file(s) written to {out}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="export every table and view to Parquet or CSV",
        description="Write one file per table and view of the warehouse (papers, pages, sentences, observations, "
        "kpi_series, kpi_latest, paper_summary, ...) and kpi_wide (KPIs as columns by council and month) into a "
        "folder, replacing files of the same name. kpi_series, kpi_latest and kpi_wide hold the figures after review "
        "(rejected figures left out, corrections applied); with --raw, as extracted. `councilkpi schema` describes "
        "the columns.",
    )
    p.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="file format (default: %(default)s)")
    p.add_argument("--out", required=True, help="folder to write to (created if missing)")
    p.add_argument(
        "--raw", action="store_true", help="kpi_series, kpi_latest and kpi_wide as extracted, corrections not applied"
    )
    add_db_argument(p)
    p.set_defaults(func=cmd_export)
