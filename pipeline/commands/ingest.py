"""`councilkpi ingest`: run the pipeline over files or folders into the warehouse."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from pipeline.output import ProgressBar, UserError, format_table, parse_date
from pipeline.paths import DEFAULT_DB, SAMPLES
from pipeline.sources.config import DEFAULT_CONFIG


def _say(message: str) -> None:
    print(f"councilkpi ingest: {message}", file=sys.stderr)


def _size(text: str) -> int:
    from pipeline.pool import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size such as 2G, 512M or 0 (no limit)") from exc


def _non_negative(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from exc
        if value < 0:
            raise argparse.ArgumentTypeError(f"{text!r}: must be 0 or more")
        return value

    return parse


def _extract_settings(args: argparse.Namespace):
    """executor, Dask address and workers: the options, else the configuration's [extract], else local/1."""
    from pipeline.sources.config import ConfigError, ExtractSettings, load_config

    settings = ExtractSettings()
    config = Path(args.config)
    if config.exists():
        try:
            settings = load_config(config).extract
        except ConfigError as exc:
            raise UserError(str(exc)) from exc
    executor = args.executor or ("dask" if args.dask_address else settings.executor)
    workers = args.workers if args.workers is not None else settings.workers
    address = args.dask_address or settings.dask_address
    if executor == "dask":
        if args.no_prefect:
            raise UserError("--executor dask runs the Prefect flow; leave out --no-prefect")
        if not workers and not address:
            raise UserError("--executor dask needs --workers N (a temporary cluster) or --dask-address")
    return executor, address, workers


def cmd_ingest(args: argparse.Namespace) -> int:
    if args.source:
        from pipeline.sources.cli import ingest_sources

        if args.no_ocr:
            raise UserError(
                "--no-ocr applies to PATHS only: collecting with --source reads scans by OCR whenever it is installed"
            )
        return ingest_sources(args)
    from pipeline.collect import CollectError, collect
    from pipeline.pool import Limits
    from warehouse.db import WriteSession, connect

    paths = [Path(p) for p in args.paths] or [SAMPLES]
    try:
        sources = collect(paths, args.paper_date)
    except CollectError as exc:
        raise UserError(str(exc)) from exc
    if not sources:
        raise UserError(f"no papers (PDF, HTML, text) found in {', '.join(map(str, paths))}")
    executor, address, workers = _extract_settings(args)
    db = Path(args.db or DEFAULT_DB)
    limits = Limits(timeout=args.timeout, memory=args.memory_limit, workers=workers) if workers else None
    progress = ProgressBar("ingesting papers", len(sources), enabled=not args.quiet)
    startup: float | None = None
    if args.no_prefect:
        from pipeline.stages import ingest

        session = WriteSession(db, lock_timeout=args.lock_timeout, on_wait=_say)
        try:
            summary = ingest(
                session,
                sources,
                retry_failed=args.retry_failed,
                force=args.force,
                command="cli",
                on_paper=progress.advance,
                db=db,
                limits=limits,
                pdf_backend=args.pdf_backend,
                ocr=not args.no_ocr,
            )
        finally:
            session.close()
    else:
        from pipeline import prefect_env
        from pipeline.flow import dask_ingest_flow, ingest_flow

        run = ingest_flow
        if executor == "dask":
            from pipeline.dask_executor import DaskSettings

            run = dask_ingest_flow(DaskSettings(address=address, workers=workers or 1))
        with prefect_env.quiet(args.quiet), prefect_env.prefect_api() as startup:
            summary = run(
                [str(p) for p in paths],
                str(db),
                paper_date=args.paper_date,
                retry_failed=args.retry_failed,
                force=args.force,
                on_paper=progress.advance,
                limits=limits,
                lock_timeout=args.lock_timeout,
                pdf_backend=args.pdf_backend,
                ocr=not args.no_ocr,
                dask_workers=(workers or 1) if executor == "dask" else 0,
            )
    progress.close()
    if summary.crashed_runs:
        _say(f"{len(summary.crashed_runs)} earlier run(s) had been killed and are now marked 'crashed'")
    con = connect(db, read_only=True, lock_timeout=args.lock_timeout, on_wait=_say)
    try:
        print_summary(con, summary)
    finally:
        con.close()
    if startup is not None and not args.quiet:
        print(
            f"\nPrefect: a temporary server took {startup:.1f} s to start (not counted above); set PREFECT_API_URL "
            "to a running server (`prefect server start`) to skip it"
        )
    return 1 if summary.failed else 0


SUMMARY_SQL = """
SELECT count(*) FILTER (WHERE status = 'ok'), count(*) FILTER (WHERE status = 'failed'),
       coalesce(sum(n_pages) FILTER (WHERE status = 'ok'), 0),
       (SELECT count(*) FROM observations), (SELECT count(DISTINCT kpi) FROM observations)
FROM papers
"""
EXAMPLE_SERIES_SQL = """
SELECT kpi, unit FROM kpi_series WHERE kpi IS NOT NULL AND role = 'actual' AND period_kind <> 'paper_date'
GROUP BY kpi, unit ORDER BY count(DISTINCT period_start) DESC, count(*) DESC, kpi LIMIT 1
"""
UNDATED_SQL = """
SELECT source FROM papers
WHERE run_id = ? AND status = 'ok' AND paper_date IS NULL AND reporting_period_start IS NULL ORDER BY source
"""
OCR_MISSING_SQL = "SELECT count(*) FROM papers WHERE run_id = ? AND ocr_status = 'missing'"
SERIES_SQL = """
SELECT period_start, period_end, value, unit, role, paper_date, page, value_text
FROM kpi_series WHERE kpi = ? AND unit = ? AND role = 'actual' ORDER BY period_start NULLS LAST, paper_date
"""


def print_summary(con, summary) -> None:
    loaded, skipped, failed = summary.count("loaded"), summary.count("skipped"), summary.count("failed")
    print(
        f"\nRun {summary.run_id}: {len(summary.outcomes)} file(s): {loaded} loaded, {skipped} unchanged, "
        f"{failed} failed  →  {summary.db}"
    )
    ok, bad, pages, figures, kpis = con.execute(SUMMARY_SQL).fetchone()
    print()
    print(format_table(["papers", "pages", "figures found", "KPIs", "failures"], [[ok, pages, figures, kpis, bad]]))
    for (source,) in con.execute(UNDATED_SQL, [summary.run_id]).fetchall():
        print(
            f"\nwarning: {source}: neither a paper date nor a reporting period could be read from it; its undated "
            "figures have no period (give --paper-date or a manifest.csv)"
        )
    warn_ocr_missing(con, summary.run_id)
    if summary.failed:
        print("\nFailures this run:")
        for o in summary.failed:  # in full: a cut message may lose the part that says what to do
            print(f"- {o.source} ({o.reason})")
            print(textwrap.indent(o.message or "", "    "))
    if summary.warnings:
        print("\nWarnings this run (`councilkpi sources` shows every source's latest status):")
        print("\n".join(f"  - {w}" for w in summary.warnings))
    row = con.execute(EXAMPLE_SERIES_SQL).fetchone()
    if row:
        print(f"\nExample series: {row[0]} ({row[1]}, actual values; `councilkpi series {row[0]}` for all)")
        rows = con.execute(SERIES_SQL, [row[0], row[1]]).fetchall()
        print(
            format_table(
                ["period_start", "period_end", "value", "unit", "role", "paper_date", "page", "as printed"], rows
            )
        )


def warn_ocr_missing(con, run_id: str) -> None:
    """Say once per run how many papers had image-only pages left unread because no OCR engine is installed."""
    (n,) = con.execute(OCR_MISSING_SQL, [run_id]).fetchone()
    if n:
        from extractors.ocr import INSTALL_HINT, engine_problem

        _say(
            f"warning: OCR is not available ({engine_problem()}): the image-only pages of {n} paper(s) were left "
            f"unread. To read them, {INSTALL_HINT}, then ingest them again with --force."
        )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ingest",
        help="ingest papers into the warehouse",
        description="Extract figures from papers (PDF, HTML, text; folders are searched recursively) and load "
        "them into the DuckDB warehouse. Re-running on the same files adds nothing. Exit code 1 if any paper "
        "failed (the failures are recorded in the warehouse, see the `failures` view).",
    )
    p.add_argument("paths", nargs="*", help=f"files or folders (default: the bundled samples, {SAMPLES})")
    p.add_argument("--db", help=f"warehouse file (default: {DEFAULT_DB}; with --source: [collect] db of the config)")
    p.add_argument(
        "--paper-date", type=parse_date, help="date of the papers (YYYY-MM-DD or YYYY-MM), overriding metadata"
    )
    p.add_argument("--retry-failed", action="store_true", help="try again papers that failed before")
    p.add_argument("--force", action="store_true", help="re-extract papers even if already loaded")
    p.add_argument("--no-prefect", action="store_true", help="run the stages directly, without the Prefect flow")
    p.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="collect from the configured source NAME (repeatable; 'all' for every source) instead of PATHS",
    )
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help="sources configuration (default: %(default)s)")
    p.add_argument(
        "--workers",
        type=_non_negative(int),
        default=None,
        help="extraction worker processes, or Dask workers of a temporary cluster with --executor dask (default: "
        "[extract] workers of the configuration, else 1; 0: extract in this process, without limits)",
    )
    p.add_argument(
        "--executor",
        choices=["local", "dask"],
        default=None,
        help="where papers are extracted: local worker processes (default; fastest on one machine) or a Dask "
        "cluster, as Prefect tasks (default: [extract] executor of the configuration, else local)",
    )
    p.add_argument(
        "--dask-address",
        metavar="tcp://HOST:8786",
        help="a running Dask scheduler to extract on (implies --executor dask; default: a temporary LocalCluster)",
    )
    p.add_argument(
        "--timeout",
        type=_non_negative(float),
        default=120.0,
        metavar="SECONDS",
        help="time limit for one paper; over it the paper is recorded as failed (timeout) (default: %(default)g, "
        "0: none)",
    )
    p.add_argument(
        "--memory-limit",
        type=_size,
        default="2G",
        metavar="SIZE",
        help="memory limit of a worker, e.g. 2G or 512M; over it the paper is recorded as failed (memory) "
        "(default: %(default)s, 0: none)",
    )
    p.add_argument(
        "--pdf-backend",
        choices=["pdfplumber", "pdfium"],
        default="pdfplumber",
        help="PDF text extraction: pdfplumber (default) or pypdfium2 (several times faster; text may differ in "
        "line breaks and spacing)",
    )
    p.add_argument(
        "--no-ocr",
        action="store_true",
        help="do not read image-only (scanned) PDF pages by OCR (default: read them when Tesseract is installed)",
    )
    p.add_argument(
        "--lock-timeout",
        type=_non_negative(float),
        default=60.0,
        metavar="SECONDS",
        help="how long to wait while another ingest holds the warehouse (default: %(default)g)",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="quiet: only the summary and errors (no progress bar, no Prefect log lines)",
    )
    p.set_defaults(func=cmd_ingest)
