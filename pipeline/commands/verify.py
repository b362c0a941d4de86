"""`councilkpi verify`: check every figure's provenance against the warehouse and the stored original files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.output import add_db_argument, format_table


def cmd_verify(args: argparse.Namespace) -> int:
    from warehouse.db import connect
    from warehouse.store import store_root
    from warehouse.verify import verify

    db = Path(args.db)
    con = connect(db, read_only=True)
    try:
        n_papers = con.execute("SELECT count(*) FROM papers WHERE status = 'ok'").fetchone()[0]
        bar = task = None
        if sys.stderr.isatty() and not args.quiet:
            from rich.progress import Progress

            bar = Progress(transient=True)
            bar.start()
            task = bar.add_task("verifying papers", total=n_papers)
        try:
            report = verify(
                con,
                store_root(db),
                reopen_pdfs=not args.quick,
                on_paper=(lambda _id: bar.advance(task)) if bar else None,
            )
        finally:
            if bar is not None:
                bar.stop()
    finally:
        con.close()
    rows = [[c.check, c.checked, c.failed, c.description] for c in report.checks.values()]
    print(format_table(["check", "checked", "failed", "what"], rows, 100))
    if report.violations:
        shown = report.violations[: args.max or None]
        print(f"\n{len(report.violations)} violation(s):")
        print(format_table(["check", "where", "what is wrong"], [[v.check, v.subject, v.detail] for v in shown], 110))
        if len(shown) < len(report.violations):
            print(f"(first {len(shown)}; use --max 0 for all)")
        print(f"\nFAILED: {db} breaks its provenance invariants ({n_papers} paper(s) checked)")
        return 1
    print(f"\nOK: every figure in {db} traces back to its stored original ({n_papers} paper(s) checked)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify",
        help="check every figure's provenance; exit 1 on any violation",
        description="Check the provenance invariants over the whole warehouse: the page and sentence text at "
        "the stored offsets equal value_text; a PDF figure's box lies inside its page; each paper's original "
        "file is in the store (<db folder>/store) and hashes to the paper id; and, re-reading the original PDF, "
        "its text at the offsets is the value and the value's characters lie inside the stored box "
        "(0.5pt tolerance). Prints a summary; exit code 1 if anything is violated.",
    )
    add_db_argument(p)
    p.add_argument("--quick", action="store_true", help="skip re-reading the original PDFs (text and box checks)")
    p.add_argument("--max", type=int, default=50, help="violations to list, 0 for all (default: %(default)s)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_verify)
