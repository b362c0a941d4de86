"""`councilkpi series`: print every figure of one KPI with its source, as a table, CSV or JSON lines."""

from __future__ import annotations

import argparse
import sys

from pipeline.output import UserError, add_db_argument, write_rows

TABLE_COLUMNS = [
    "council",
    "period_start",
    "period_end",
    "period_kind",
    "value",
    "unit",
    "role",
    "paper_date",
    "paper_title",
    "page",
    "value_text",
]


VALUES_SQL = "SELECT DISTINCT role, unit FROM kpi_series"


def check_filters(warehouse, role: str | None, unit: str | None) -> None:
    """A UserError listing the valid values if --role or --unit names none the rules or the warehouse know."""
    from extractors.roles import ROLES
    from models.taxonomy import UNITS

    if role is None and unit is None:
        return
    seen = warehouse.query(VALUES_SQL)
    for option, given, known in (("--role", role, ROLES), ("--unit", unit, UNITS)):
        valid = set(known) | {v for v in seen[option[2:]] if isinstance(v, str)}
        if given is not None and given not in valid:
            raise UserError(f"{option} {given!r} is not one of: {', '.join(sorted(valid))}")


def cmd_series(args: argparse.Namespace) -> int:
    from warehouse.api import UnknownKpiError, connect

    warehouse = connect(args.db)
    check_filters(warehouse, args.role, args.unit)
    try:
        frame = warehouse.series(args.kpi, role=args.role, unit=args.unit, council=args.council, raw=args.raw)
    except UnknownKpiError as exc:
        raise UserError(str(exc)) from exc
    columns = TABLE_COLUMNS if args.format == "table" else list(frame.columns)
    rows = [[_plain(v) for v in row] for row in frame[columns].itertuples(index=False)]
    write_rows(columns, rows, args.format)
    if args.format == "table":
        n_papers = frame["paper_id"].nunique()
        what = "as extracted, corrections not applied" if args.raw else "after review"
        print(f"\n{len(frame)} figure(s) of {args.kpi} from {n_papers} paper(s) ({what})", file=sys.stderr)
    return 0


def _plain(value):
    """pandas' missing values and timestamps as None and ISO dates, for printing."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "series",
        help="print the time series of one KPI with sources",
        description="Print every figure of one KPI (a taxonomy id such as children_looked_after, or a label_key "
        "of figures without a KPI) with its council, period, role and source paper, by council and unit, oldest "
        "period first. The table shows the main columns; csv and json give every column of the kpi_series view. "
        "Reviewers' corrections apply (`councilkpi review`): rejected figures are left out, corrected values shown; "
        "--raw shows the figures as extracted (kpi_series_raw). `councilkpi kpis` lists the KPIs.",
    )
    p.add_argument("kpi", help="KPI id, e.g. children_looked_after")
    p.add_argument("--role", help="only this role: actual, target, baseline, change, benchmark, ...")
    p.add_argument("--unit", help="only this unit: count, percent, ...")
    p.add_argument("--council", help='only this council, e.g. "West Sussex County Council"')
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output (default: %(default)s)")
    p.add_argument("--raw", action="store_true", help="the figures as extracted, corrections not applied")
    add_db_argument(p)
    p.set_defaults(func=cmd_series)
