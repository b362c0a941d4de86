"""Shared CLI helpers: the user-error exception, date arguments and table/CSV/JSON output."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date
from typing import Any


class UserError(Exception):
    """A mistake the user can fix: printed as one line, no traceback."""


def parse_date(text: str) -> date:
    """A --paper-date: YYYY-MM-DD, or YYYY-MM (the first of the month) as in manifest.csv."""
    from pipeline.collect import parse_paper_date

    try:
        return parse_paper_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD or YYYY-MM") from exc


def format_table(headers: list[str], rows: list[list[Any]], max_width: int = 60) -> str:
    """Rows as an aligned plain-text table."""

    def cell(v: Any) -> str:
        text = "" if v is None else (_number(v) if isinstance(v, float) else str(v))
        text = " ".join(text.split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in cells]
    return "\n".join(lines)


def _number(v: float) -> str:
    """A float in full: 2500000.0 as 2500000 and 0.1 as 0.1 (never rounded like `:g` would: 1.23457e+06)."""
    if v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return repr(v)


def write_rows(headers: list[str], rows: list[list[Any]], fmt: str, out=None) -> None:
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


class ProgressBar:
    """A rich progress bar on stderr when it is a terminal, silent otherwise (the logs already say each paper).
    ``found(n)`` grows the total as sources list their papers."""

    def __init__(self, label: str, total: int, enabled: bool = True) -> None:
        self.bar = None
        if enabled and sys.stderr.isatty():
            from rich.progress import Progress

            self.bar = Progress(transient=True)
            self.bar.start()
            self.task = self.bar.add_task(label, total=total)

    def found(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, total=(self.bar.tasks[0].total or 0) + n)

    def advance(self, outcome: object = None) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """The `--db FILE` option every warehouse command shares."""
    from pipeline.paths import DEFAULT_DB

    parser.add_argument("--db", default=str(DEFAULT_DB), help="warehouse file (default: %(default)s)")
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long to wait while an ingest is writing to the warehouse (default: 5, or $COUNCILKPI_READ_WAIT)",
    )
