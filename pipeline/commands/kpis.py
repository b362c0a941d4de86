"""`councilkpi kpis`: the KPI taxonomy with figure counts, and the most frequent labels that match no KPI."""

from __future__ import annotations

import argparse
import sys

from pipeline.commands.series import _plain
from pipeline.output import add_db_argument, write_rows


def cmd_kpis(args: argparse.Namespace) -> int:
    from models.taxonomy import load_taxonomy
    from warehouse.api import connect

    warehouse = connect(args.db)
    if args.labels:
        labels = warehouse.unmatched_labels(args.top)
        write_rows(list(labels.columns), [[_plain(v) for v in r] for r in labels.itertuples(index=False)], args.format)
        return 0
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
            f"{unmatched} figure(s) name no known KPI (see kpi_series.label_key)",
            file=sys.stderr,
        )
        labels = warehouse.unmatched_labels(args.top)
        if not labels.empty:
            print("\nMost frequent label_keys without a KPI (add them to models/kpi_taxonomy.toml):")
            write_rows(list(labels.columns), [[_plain(v) for v in r] for r in labels.itertuples(index=False)], "table")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "kpis",
        help="list the KPI taxonomy with counts of figures",
        description="List the KPIs of models/kpi_taxonomy.toml (service, standard code, polarity) with, for each, "
        "the figures, actual values and papers in the warehouse (after review: rejected figures are not counted), "
        "its units and the span of its periods; then the most frequent label_keys of figures that match no KPI, "
        "for a person to add to the taxonomy.",
    )
    p.add_argument("--labels", action="store_true", help="list only the unmatched label_keys (in --format)")
    p.add_argument("--top", type=int, default=20, metavar="N", help="how many label_keys (default: %(default)s)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output (default: %(default)s)")
    p.add_argument("--short", action="store_true", help="table without the label column")
    p.add_argument("--raw", action="store_true", help="count the figures as extracted (rejected ones too)")
    add_db_argument(p)
    p.set_defaults(func=cmd_kpis)
