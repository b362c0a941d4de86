"""`councilkpi schema`: the warehouse's tables and views with their columns and what each means."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.output import UserError, add_db_argument, format_table, write_rows


def cmd_schema(args: argparse.Namespace) -> int:
    from warehouse.api import schema_frame
    from warehouse.catalog import load_catalog, render_markdown
    from warehouse.db import connect

    if args.format == "markdown":
        print(render_markdown(), end="")
        return 0
    db = Path(args.db)
    con = connect(db, read_only=True) if db.exists() else None
    try:
        frame = schema_frame(con)
    finally:
        if con is not None:
            con.close()
    if args.relation:
        unknown = sorted(set(args.relation) - set(frame["relation"]))
        if unknown:
            known = ", ".join(dict.fromkeys(frame["relation"]))
            raise UserError(f"no table or view named {', '.join(unknown)}; there are: {known}")
        frame = frame[frame["relation"].isin(args.relation)]
    if args.format != "text":
        write_rows(list(frame.columns), [list(r) for r in frame.itertuples(index=False)], args.format)
        return 0
    catalog = {r.name: r for r in load_catalog()}
    if con is None:
        print(f"({db} does not exist: types not shown)\n")
    for name, group in frame.groupby("relation", sort=False):
        rel = catalog.get(name)
        kind = group["kind"].iloc[0]
        print(f"{name} ({kind}{', one row per ' + rel.grain if rel else ''})")
        if rel:
            print(f"  {rel.description}")
        rows = [[c, t or "", m] for c, t, m in group[["column", "type", "meaning"]].itertuples(index=False)]
        table = format_table(["column", "type", "meaning"], rows, max_width=200)
        print("\n".join("  " + line for line in table.splitlines()) + "\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schema",
        help="describe the tables and views and their columns",
        description="Print the warehouse's tables and views with each column's type and meaning. The "
        "descriptions live in warehouse/catalog.toml; types come from the database when it exists.",
    )
    p.add_argument("relation", nargs="*", help="only these tables/views (default: all)")
    p.add_argument(
        "--format", choices=["text", "markdown", "csv", "json"], default="text", help="output (default: %(default)s)"
    )
    add_db_argument(p)
    p.set_defaults(func=cmd_schema)
