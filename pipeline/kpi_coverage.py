"""Measure KPI identity on papers: actual figures with a KPI id, or a label_key another paper of the council shares.

Usage: ``.venv/bin/python -m pipeline.kpi_coverage PATH... [--jsonl FILE]`` (no warehouse). A paper's council is
the one ingest would record; when neither metadata nor text names one, the file name up to its first "-" stands
in (the shared corpus names files "<council>-<title>.pdf").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from extractors.document import extract_document
from extractors.metrics import extract_metrics
from pipeline.collect import collect
from warehouse.series_links import LinkFigure, find_links


def _rows(paths: list[Path]) -> list[dict]:
    """Every figure of the papers as a dict; ``series_key`` is its label_key, or the series key of an earlier
    paper of its council whose figures it restates (warehouse/series_links.py, as the warehouse links them)."""
    rows = []
    linkable = []
    for src in collect(paths):
        result = extract_metrics(extract_document(src))
        paper = result.document.paper
        council = paper.council or src.path.name.split("-", 1)[0]
        sentences = {s.id: s.text for s in result.sentences}
        for o in result.observations:
            rows.append(
                {
                    "paper": src.path.name,
                    "council": council,
                    "page": o.page,
                    "value": o.value,
                    "unit": o.unit,
                    "role": o.role,
                    "value_text": o.value_text,
                    "label": o.label,
                    "label_key": o.label_key,
                    "kpi": o.kpi,
                    "period": _period_text(o.period_start, o.period_end),
                    "rule": o.rule,
                    "sentence": " ".join(sentences[o.sentence_id].split()),
                }
            )
            linkable.append(
                LinkFigure(
                    council,
                    o.unit,
                    src.path.name,
                    paper.paper_date or paper.reporting_period_end,
                    o.label_key,
                    o.role,
                    o.period_start,
                    o.period_end,
                    o.rule,
                    o.value,
                )  # fmt: skip
            )
    joined = {(k.council, k.unit, k.paper_id, k.label_key): k.series_key for k in find_links(linkable)}
    for r in rows:
        r["series_key"] = joined.get((r["council"], r["unit"], r["paper"], r["label_key"]), r["label_key"])
    return rows


def _period_text(start, end) -> str | None:
    """A period as the gold writes it: "2025-09" for one month, "2025-04/2025-09" for a span."""
    if start is None or end is None:
        return None
    a, b = f"{start:%Y-%m}", f"{end:%Y-%m}"
    return a if a == b else f"{a}/{b}"


def identified(rows: list[dict]) -> list[bool]:
    """For each row: an actual figure with a KPI id or a series key (its label_key, or the one an earlier report's
    restated figures join it to) that another paper of its council shares."""
    papers: dict[tuple, set[str]] = defaultdict(set)
    for r in rows:
        if r["role"] == "actual" and series_key_of(r):
            papers[(r["council"], series_key_of(r), r["unit"])].add(r["paper"])
    return [
        r["role"] == "actual"
        and bool(r["kpi"] or (series_key_of(r) and len(papers[(r["council"], series_key_of(r), r["unit"])]) > 1))
        for r in rows
    ]


def series_key_of(row: dict) -> str | None:
    """A row's series key: the one restated figures join its label_key to, else the label_key."""
    return row.get("series_key", row["label_key"])


def coverage(rows: list[dict], among: list[dict] | None = None) -> tuple[int, int, int]:
    """(actual figures, with a KPI id, with a KPI id or a label_key shared with another paper of the council) of
    ``rows``; label keys are shared among ``among`` (default: the same rows)."""
    among = rows if among is None else among
    flags = dict(zip(map(id, among), identified(among), strict=True))
    actual = [r for r in rows if r["role"] == "actual"]
    return len(actual), sum(1 for r in actual if r["kpi"]), sum(1 for r in actual if flags.get(id(r)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.kpi_coverage", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="papers or folders")
    parser.add_argument("--jsonl", type=Path, help="also write every figure (paper, council, kpi, label_key, ...)")
    args = parser.parse_args(argv)
    rows = _rows(args.paths)
    if args.jsonl:
        args.jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print_coverage(rows)
    return 0


def print_coverage(rows: list[dict]) -> None:
    """The coverage of all papers, then of each paper (label keys shared among all of them)."""
    n, with_kpi, known = coverage(rows)
    print(f"{n} actual figures; {with_kpi} with a KPI id; {known} with a KPI id or a shared label_key", end="")
    print(f" ({known / n:.1%})" if n else "")
    for paper in sorted({r["paper"] for r in rows}):
        n, with_kpi, known = coverage([r for r in rows if r["paper"] == paper], rows)
        print(f"  {paper[:60]:60}  {n:4d} actual  {with_kpi:4d} KPI  {known:4d} identified")


if __name__ == "__main__":
    sys.exit(main())
