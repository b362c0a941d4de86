"""`councilkpi kpis`: the KPI taxonomy with how many figures each KPI has in the warehouse."""

from __future__ import annotations

import argparse
import sys

from pipeline.commands.series import _plain
from pipeline.output import add_db_argument, write_rows


def cmd_kpis(args: argparse.Namespace) -> int:
    from models.taxonomy import load_taxonomy
    from warehouse.api import connect

    warehouse = connect(args.db)
    frame = warehouse.kpis(raw=args.raw)
    if args.format == "table":
        frame = frame.drop(columns=["label"]) if args.short else frame
    rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False)]
    write_rows(list(frame.columns), rows, args.format)
    if args.format == "table":
        unmatched = warehouse.unmatched_count(raw=args.raw)
        with_figures = int((frame["n_figures"] > 0).sum())
        print(
            f"\n{with_figures} of {len(frame)} KPI(s) have figures (taxonomy version {load_taxonomy().version}); "
            f"{unmatched} figure(s) name no known KPI (see kpi_series.label)",
            file=sys.stderr,
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "kpis",
        help="list the KPI taxonomy with counts of figures",
        description="List the KPIs of models/kpi_taxonomy.toml with, for each, the figures, actual values and "
        "papers in the warehouse (after review: rejected figures are not counted), its units and the span of its "
        "periods.",
    )
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output (default: %(default)s)")
    p.add_argument("--short", action="store_true", help="table without the label column")
    p.add_argument("--raw", action="store_true", help="count the figures as extracted (rejected ones too)")
    add_db_argument(p)
    p.set_defaults(func=cmd_kpis)
