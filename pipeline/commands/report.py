"""`councilkpi report`: write a static HTML audit report (charts, tables, highlighted sources, page images)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.output import UserError, add_db_argument

KPI_EXISTS_SQL = (
    "SELECT 1 FROM observations WHERE kpi = ? UNION ALL SELECT 1 FROM latest_corrections WHERE kpi = ? LIMIT 1"
)


def cmd_report(args: argparse.Namespace) -> int:
    from pipeline.audit_report import ReportError, write_report
    from warehouse.corrections import upgrade_if_needed
    from warehouse.db import connect
    from warehouse.store import store_root

    db = Path(args.db)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: exists and is not a folder")
    upgrade_if_needed(db)
    con = connect(db, read_only=True)
    bar = None
    try:
        if args.kpi and not con.execute(KPI_EXISTS_SQL, [args.kpi, args.kpi]).fetchone():
            raise UserError(
                f'no figures with KPI {args.kpi!r} in {db} (see: councilkpi query "SELECT DISTINCT kpi '
                'FROM observations")'
            )
        if (
            args.paper
            and not con.execute("SELECT 1 FROM papers WHERE starts_with(id, ?) LIMIT 1", [args.paper]).fetchone()
        ):
            raise UserError(f"no paper whose id starts with {args.paper!r} in {db}")
        tick = None
        if sys.stderr.isatty() and not args.quiet:
            from rich.progress import Progress

            bar = Progress(transient=True)
            bar.start()
            task = bar.add_task("rendering figures", total=None)

            def tick() -> None:
                bar.advance(task)

        try:
            summary = write_report(
                con,
                store_root(db),
                out,
                kpi=args.kpi,
                paper=args.paper,
                resolution=args.resolution,
                on_figure=tick,
                db_label=str(db),
                raw=args.raw,
            )
        except ReportError as exc:
            raise UserError(str(exc)) from exc
        except OSError as exc:
            raise UserError(f"{out}: cannot write the report: {exc.strerror or exc}") from exc
    finally:
        if bar is not None:
            bar.stop()
        con.close()
    print(
        f"wrote {summary.index}: {summary.n_kpis} KPI(s), {summary.n_figures} figure(s), "
        f"{summary.n_images} page image(s)"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write a static HTML audit report",
        description="Write a self-contained HTML audit report to a folder: per KPI a chart of the series and a "
        "table of its figures, each with its source sentence (value highlighted), a crop of the original PDF "
        "page (value outlined) and a page per figure with its full provenance. Reviewers' corrections apply "
        "(rejected figures struck through and left out of the charts) unless --raw. The report is written to a "
        "temporary folder and renamed to OUT when complete (an earlier report there is replaced). Open "
        "OUT/index.html in a browser; nothing is fetched from the network.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write index.html, figures/ and img/ to")
    p.add_argument("--kpi", help="only this KPI id")
    p.add_argument("--paper", metavar="ID", help="only figures from this paper (sha256 or a prefix of it)")
    add_db_argument(p)
    p.add_argument("--resolution", type=int, default=110, help="page image resolution in dpi (default: %(default)s)")
    p.add_argument("--raw", action="store_true", help="the figures as extracted: corrections not applied or shown")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_report)
