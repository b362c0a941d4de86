"""The `councilkpi` command line: ingest papers, extract figures from one paper, query the warehouse."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLES = PROJECT_ROOT / "data" / "samples" / "pdf"
DEFAULT_DB = Path(os.environ.get("COUNCILKPI_DB", "data/warehouse.duckdb"))

EXTRACT_FIELDS = [
    "value",
    "unit",
    "period_start",
    "period_end",
    "role",
    "label",
    "kpi",
    "sentence",
    "page",
    "value_text",
    "rule",
    "confidence",
    "paper_date",
    "period_text",
    "period_kind",
    "page_start",
    "page_end",
    "sentence_start",
    "sentence_end",
    "bbox",
    "id",
]


class UserError(Exception):
    """A mistake the user can fix: printed as one line, no traceback."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from exc


def format_table(headers: list[str], rows: list[list[Any]], max_width: int = 60) -> str:
    """Rows as an aligned plain-text table."""

    def cell(v: Any) -> str:
        text = "" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))
        text = " ".join(text.split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in cells]
    return "\n".join(lines)


def _write_rows(headers: list[str], rows: list[list[Any]], fmt: str, out=None) -> None:
    out = out or sys.stdout
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)
    elif fmt == "json":
        for row in rows:
            out.write(json.dumps(dict(zip(headers, row, strict=False)), default=str) + "\n")
    else:
        out.write(format_table(headers, rows) + "\n")


# --- ingest -------------------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace) -> int:
    from pipeline.collect import CollectError, collect
    from warehouse.db import connect

    paths = [Path(p) for p in args.paths] or [SAMPLES]
    try:
        sources = collect(paths, args.paper_date)
    except CollectError as exc:
        raise UserError(str(exc)) from exc
    if not sources:
        raise UserError(f"no papers (PDF, HTML, text) found in {', '.join(map(str, paths))}")
    db = Path(args.db)
    progress = _Progress(len(sources), enabled=not args.quiet)
    if args.no_prefect:
        from pipeline.stages import ingest

        con = connect(db)
        try:
            summary = ingest(
                con,
                sources,
                retry_failed=args.retry_failed,
                force=args.force,
                command="cli",
                on_paper=progress.advance,
                db=db,
            )
        finally:
            con.close()
    else:
        from pipeline.flow import ingest_flow

        summary = ingest_flow(
            [str(p) for p in paths],
            str(db),
            paper_date=args.paper_date,
            retry_failed=args.retry_failed,
            force=args.force,
            on_paper=progress.advance,
        )
    progress.close()
    con = connect(db, read_only=True)
    try:
        print_summary(con, summary)
    finally:
        con.close()
    return 1 if summary.failed else 0


class _Progress:
    """A progress bar on stderr when it is a terminal; silent otherwise (logs already say each paper)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar = None
        if enabled and sys.stderr.isatty():
            from rich.progress import Progress

            self.bar = Progress(transient=True)
            self.bar.start()
            self.task = self.bar.add_task("ingesting papers", total=total)

    def advance(self, outcome) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


SUMMARY_SQL = """
SELECT count(*) FILTER (WHERE status = 'ok'), count(*) FILTER (WHERE status = 'failed'),
       coalesce(sum(n_pages) FILTER (WHERE status = 'ok'), 0),
       (SELECT count(*) FROM observations), (SELECT count(DISTINCT kpi) FROM observations)
FROM papers
"""
EXAMPLE_SERIES_SQL = """
SELECT kpi FROM kpi_series WHERE kpi IS NOT NULL AND role = 'actual' AND period_kind <> 'paper_date'
GROUP BY kpi ORDER BY count(DISTINCT period_start) DESC, count(*) DESC, kpi LIMIT 1
"""
SERIES_SQL = """
SELECT period_start, period_end, value, unit, role, paper_date, page, value_text
FROM kpi_series WHERE kpi = ? ORDER BY period_start NULLS LAST, paper_date
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
    if summary.failed:
        print("\nFailures this run:")
        print(
            format_table(["file", "reason", "message"], [[o.source, o.reason, o.message] for o in summary.failed], 70)
        )
    row = con.execute(EXAMPLE_SERIES_SQL).fetchone()
    if row:
        print(f"\nExample series: {row[0]}")
        rows = con.execute(SERIES_SQL, [row[0]]).fetchall()
        print(
            format_table(
                ["period_start", "period_end", "value", "unit", "role", "paper_date", "page", "as printed"], rows
            )
        )


# --- extract ------------------------------------------------------------------------------------------


def cmd_extract(args: argparse.Namespace) -> int:
    from extractors.metrics import extract_metrics
    from models.records import FailedPaper
    from pipeline.collect import CollectError, collect
    from pipeline.stages import extract_text

    path = Path(args.path)
    if path.is_dir():
        raise UserError(f"{path}: extract takes one file; use `councilkpi ingest` for folders")
    try:
        (src,) = collect([path], args.paper_date)
    except CollectError as exc:
        raise UserError(str(exc)) from exc
    except ValueError as exc:
        raise UserError(f"{path}: not a supported paper (PDF, HTML, text)") from exc
    document = extract_text(src)
    if isinstance(document, FailedPaper):
        raise UserError(f"{path}: {document.reason}: {document.message}")
    if args.paper_date is not None:
        document.paper.paper_date, document.paper.paper_date_source = args.paper_date, "cli"
    result = extract_metrics(document)
    sentences = {s.id: s.text for s in result.sentences}
    rows = []
    for o in result.observations:
        d = o.to_dict()
        d["sentence"] = " ".join(sentences[o.sentence_id].split())
        rows.append(d)
    if args.format == "jsonl":
        for d in rows:
            print(json.dumps({k: d[k] for k in EXTRACT_FIELDS}, ensure_ascii=False))
    else:
        headers = ["page", "value_text", "unit", "period_start", "period_end", "role", "kpi", "label", "confidence"]
        print(format_table(headers, [[d[h] for h in headers] for d in rows], 40))
        paper = document.paper
        print(
            f"\n{len(rows)} figure(s) in {path} (paper date {paper.paper_date or 'unknown'}, {paper.n_pages} page(s))",
            file=sys.stderr,
        )
    return 0


# --- query --------------------------------------------------------------------------------------------


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from warehouse.db import connect

    con = connect(Path(args.db), read_only=True)
    try:
        cursor = con.execute(args.sql)
        if cursor.description is None:
            return 0
        headers = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(args.limit + 1) if args.limit else cursor.fetchall()
    except duckdb.Error as exc:
        raise UserError(f"query failed: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()
    truncated = bool(args.limit) and len(rows) > args.limit
    rows = [list(r) for r in rows[: args.limit or None]]
    _write_rows(headers, rows, args.format)
    if truncated and args.format == "table":
        print(f"(first {args.limit} rows; use --limit 0 for all)", file=sys.stderr)
    return 0


# --- parser -------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="councilkpi",
        description="Turn council committee papers into a traceable time series of performance figures.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "ingest",
        help="ingest papers into the warehouse",
        description="Extract figures from papers (PDF, HTML, text; folders are searched recursively) and load "
        "them into the DuckDB warehouse. Re-running on the same files adds nothing. Exit code 1 if any paper "
        "failed (the failures are recorded in the warehouse, see the `failures` view).",
    )
    p.add_argument("paths", nargs="*", help=f"files or folders (default: the bundled samples, {SAMPLES})")
    p.add_argument("--db", default=str(DEFAULT_DB), help="warehouse file (default: %(default)s)")
    p.add_argument("--paper-date", type=_date, help="date of the papers (YYYY-MM-DD), overriding metadata")
    p.add_argument("--retry-failed", action="store_true", help="try again papers that failed before")
    p.add_argument("--force", action="store_true", help="re-extract papers even if already loaded")
    p.add_argument("--no-prefect", action="store_true", help="run the stages directly, without the Prefect flow")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "extract",
        help="print the figures of one paper (no database)",
        description="Extract the figures of one paper and print them, one observation per line (jsonl) or as "
        "a table. Nothing is written.",
    )
    p.add_argument("path", help="a PDF, HTML or text paper")
    p.add_argument("--paper-date", type=_date, help="the paper's date (YYYY-MM-DD) for relative periods")
    p.add_argument("--format", choices=["jsonl", "table"], default="jsonl", help="output (default: %(default)s)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser(
        "query",
        help="run SQL on the warehouse (read-only)",
        description="Run one SQL statement on a read-only connection to the warehouse. Tables: papers, "
        "paper_sources, pages, sentences, observations, runs; views: kpi_series, paper_summary, failures.",
    )
    p.add_argument("sql", help='the SQL statement, e.g. "SELECT * FROM kpi_series LIMIT 5"')
    p.add_argument("--db", default=str(DEFAULT_DB), help="warehouse file (default: %(default)s)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format")
    p.add_argument("--limit", type=int, default=100, help="rows to print, 0 for all (default: %(default)s)")
    p.set_defaults(func=cmd_query)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from warehouse.db import WarehouseError

    try:
        return args.func(args)
    except (UserError, WarehouseError) as exc:
        print(f"councilkpi {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"councilkpi {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
