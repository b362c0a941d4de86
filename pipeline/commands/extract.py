"""`councilkpi extract`: print the figures of one paper without touching the warehouse."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path

from pipeline.output import UserError, format_table, parse_date

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
    "cell_bbox",
    "rag",
    "id",
]


STRUCTURED_RULES = ("table.", "scorecard.")


def period_cell(start: str | None, end: str | None) -> str:
    """A period as few characters as it needs: '2024-03-31', '2024-10' (a whole month), else 'start..end'."""
    if not start or not end:
        return ""
    if start == end:
        return start
    whole_months = (
        start.endswith("-01") and date.fromisoformat(end).month != (date.fromisoformat(end) + timedelta(days=1)).month
    )
    if whole_months:
        return start[:7] if start[:7] == end[:7] else f"{start[:7]}..{end[:7]}"
    return f"{start}..{end}"


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
    document = extract_text(src, None, args.pdf_backend)
    if isinstance(document, FailedPaper):
        raise UserError(f"{path}: {document.reason}: {document.message}")
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
        if args.tables:
            rows = [d for d in rows if d["rule"].startswith(STRUCTURED_RULES)]
        rows.sort(key=lambda d: (d["page"], d["page_start"]))
        headers = ["page", "label", "period", "role", "value", "unit", "printed", "rag", "from", "confidence"]
        table = [
            [
                d["page"],
                d["label"],
                period_cell(d["period_start"], d["period_end"]),
                d["role"],
                d["value"],
                d["unit"],
                d["value_text"],
                d["rag"],
                d["rule"].split(".", 1)[0].replace("num", "text"),
                d["confidence"],
            ]
            for d in rows
        ]
        print(format_table(headers, table, 60))
        paper = document.paper
        print(
            f"\n{len(rows)} figure(s) in {path} (paper date {paper.paper_date or 'unknown'}, {paper.n_pages} page(s))",
            file=sys.stderr,
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "extract",
        help="print the figures of one paper (no database)",
        description="Extract the figures of one paper and print them, one observation per line (jsonl) or as "
        "a table. Nothing is written.",
    )
    p.add_argument("path", help="a PDF, HTML or text paper")
    p.add_argument(
        "--paper-date", type=parse_date, help="the paper's date (YYYY-MM-DD or YYYY-MM) for relative periods"
    )
    p.add_argument(
        "--format",
        choices=["jsonl", "table"],
        default="jsonl",
        help="output (default: %(default)s); table: one line per figure in page order with its label, period, role, "
        "value, unit and where it was read from (a table, a scorecard or running text)",
    )
    p.add_argument(
        "--tables", action="store_true", help="with --format table: only figures read from tables and scorecards"
    )
    p.add_argument(
        "--pdf-backend",
        choices=["pdfplumber", "pdfium"],
        default="pdfplumber",
        help="PDF text extraction (default: %(default)s; pdfium is faster)",
    )
    p.set_defaults(func=cmd_extract)
