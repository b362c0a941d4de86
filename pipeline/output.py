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
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from exc


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
