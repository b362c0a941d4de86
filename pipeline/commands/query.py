"""`councilkpi query`: run SQL on a read-only connection and print the result."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.output import UserError, add_db_argument, write_rows


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from warehouse.db import connect
    from warehouse.readonly import ReadOnlyError, check_read_only, explain_error

    try:
        check_read_only(args.sql)
    except ReadOnlyError as exc:
        raise UserError(str(exc)) from exc
    except duckdb.Error as exc:
        raise UserError(explain_error(exc)) from exc

    def say(message: str) -> None:
        print(f"councilkpi query: {message}", file=sys.stderr)

    con = connect(Path(args.db), read_only=True, on_wait=say, sandbox=True)
    try:
        cursor = con.execute(args.sql)
        if cursor.description is None:
            return 0
        headers = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(args.limit + 1) if args.limit else cursor.fetchall()
    except duckdb.Error as exc:
        raise UserError(explain_error(exc)) from exc
    finally:
        con.close()
    truncated = bool(args.limit) and len(rows) > args.limit
    rows = [list(r) for r in rows[: args.limit or None]]
    write_rows(headers, rows, args.format)
    if truncated:  # also for csv/json: an export cut short without a word would lose rows silently
        print(f"(first {args.limit} rows; use --limit 0 for all)", file=sys.stderr)
    return 0


def _description() -> str:
    """The help text, naming every table and view of the catalog (warehouse/catalog.toml)."""
    from warehouse.catalog import load_catalog
    from warehouse.readonly import ALLOWED_TEXT

    relations = [r for r in load_catalog() if r.in_sql]
    tables = ", ".join(r.name for r in relations if r.kind == "table")
    views = ", ".join(r.name for r in relations if r.kind == "view")
    return (
        f"Run one SQL statement on a read-only connection to the warehouse: {ALLOWED_TEXT}. Nothing can be "
        "written, and no file but the warehouse can be read (no COPY, EXPORT, ATTACH, INSTALL/LOAD, SET, "
        f"read_csv, glob, ...). Tables: {tables}. Views: {views}. `councilkpi schema` describes every column."
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("query", help="run SQL on the warehouse (read-only)", description=_description())
    p.add_argument("sql", help='the SQL statement, e.g. "SELECT * FROM kpi_series LIMIT 5"')
    add_db_argument(p)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format")
    p.add_argument("--limit", type=int, default=100, help="rows to print, 0 for all (default: %(default)s)")
    p.set_defaults(func=cmd_query)
