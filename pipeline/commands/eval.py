"""`councilkpi eval`: score the extractor against a gold file of hand-annotated figures."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.output import UserError, format_table
from pipeline.paths import SAMPLES


def _pct(x: float) -> str:
    return f"{x:.3f}"


def _verdict(m) -> str:
    """'' when the period is right, 'wrong' when it lies outside the gold one, 'short' when it is inside a gold
    interval but covers too little of it (a day for "the last 12 months")."""
    from pipeline.evaluate import period_correct, period_spans

    if period_spans(m.gold, m.obs):
        return ""
    return "short" if period_correct(m.gold, m.obs) else "wrong"


def cmd_eval(args: argparse.Namespace) -> int:
    from pipeline.evaluate import evaluate, find_paper, label_correct, period_spans, read_gold, totals

    gold, papers = Path(args.gold), Path(args.papers)
    if not gold.is_file():
        raise UserError(f"{gold}: no such gold file")
    if not papers.is_dir():
        raise UserError(f"{papers}: no such folder of papers")
    try:
        docs = sorted({g.doc for g in read_gold(gold)})
        missing = [doc for doc in docs if find_paper(papers, doc) is None]
        if missing and not args.allow_missing:
            raise UserError(
                f"{len(missing)} paper(s) of the gold file are not in {papers}: {', '.join(missing)} "
                "(give the folder with --papers, or --allow-missing to score them as missed)"
            )
        scores = evaluate(gold, papers)
    except ValueError as exc:
        raise UserError(str(exc)) from exc

    def row(name: str, t) -> list:
        rates = (
            t.precision,
            t.recall,
            t.period_accuracy,
            t.period_span_accuracy,
            t.period_exact_accuracy,
            t.role_accuracy,
            t.label_accuracy,
        )
        return [name, t.tp, t.fp, t.gold_core, *(_pct(x) for x in rates)]

    rows = [row(s.doc, totals([s])) for s in scores]
    t = totals(scores)
    rows.append(row("ALL", t))
    if args.format == "json":
        print(
            json.dumps(
                {
                    "precision": t.precision,
                    "core_recall": t.recall,
                    "period_accuracy": t.period_accuracy,
                    "period_span_accuracy": t.period_span_accuracy,
                    "period_exact_accuracy": t.period_exact_accuracy,
                    "role_accuracy": t.role_accuracy,
                    "label_accuracy": t.label_accuracy,
                    "true_positives": t.tp,
                    "false_positives": t.fp,
                    "gold_core": t.gold_core,
                },
                indent=2,
            )
        )
        return 0
    print(
        format_table(
            [
                "paper",
                "TP",
                "FP",
                "gold core",
                "precision",
                "core recall",
                "period acc",
                "period span",
                "period exact",
                "role acc",
                "label acc",
            ],
            rows,
        )
    )
    for s in scores:
        if s.error:
            print(f"\n{s.doc}: {s.error}")
        if s.misses:
            print(f"\n{s.doc}: missed core figures")
            print(
                format_table(
                    ["value", "unit", "period", "role", "quote"],
                    [[g.value, g.unit, g.period, g.role, g.quote] for g in s.misses],
                    70,
                )
            )
        if s.false_positives:
            print(f"\n{s.doc}: false positives")
            print(
                format_table(
                    ["page", "value_text", "unit", "rule", "sentence"],
                    [[o.page, o.value_text, o.unit, o.rule, sent] for o, sent in s.false_positives],
                    90,
                )
            )
        if s.unverified:
            print(
                f"\n{s.doc}: {len(s.unverified)} figure(s) on pages the gold does not cover exhaustively (not scored)"
            )
            if args.verbose:
                print(
                    format_table(
                        ["page", "value_text", "unit", "rule", "sentence"],
                        [[o.page, o.value_text, o.unit, o.rule, sent] for o, sent in s.unverified],
                        90,
                    )
                )
        wrong = [
            m
            for m in s.core_matches
            if not period_spans(m.gold, m.obs) or m.gold.role != m.obs.role or not label_correct(m.gold, m.obs)
        ]
        if wrong and args.verbose:
            print(f"\n{s.doc}: matched with a wrong period, role or label")
            print(
                format_table(
                    [
                        "value",
                        "gold period",
                        "period_start",
                        "period_end",
                        "",
                        "period rule",
                        "gold role",
                        "role",
                        "gold kpi",
                        "label",
                    ],
                    [
                        [
                            m.gold.value,
                            m.gold.period,
                            m.obs.period_start,
                            m.obs.period_end,
                            _verdict(m),
                            m.obs.rule.rsplit("|", 1)[-1],
                            m.gold.role,
                            m.obs.role,
                            m.gold.kpi,
                            m.obs.label,
                        ]
                        for m in wrong
                    ],
                    50,
                )
            )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="score extraction against hand-annotated gold figures",
        description="Extract the papers named in a gold file (jsonl: doc, value, unit, period, kpi, role, core, "
        "quote; role may be floor or forecast) and report precision, core recall, period accuracy (predicted period "
        "within the gold one; 'span' = also covering at least half of a gold interval A/B longer than a month; "
        "'exact' = identical), role accuracy and label accuracy (the label names the gold kpi: 60%% of its words, "
        "and half the label's words are its), per paper and overall, with misses and false positives.",
    )
    p.add_argument("--gold", required=True, help="gold jsonl file")
    p.add_argument("--papers", default=str(SAMPLES), help="folder holding the papers (default: %(default)s)")
    p.add_argument(
        "--allow-missing",
        action="store_true",
        help="score papers of the gold file that are not in --papers as missed instead of stopping (exit 2)",
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also list matches with a wrong period, role or label, with the period rule that fired",
    )
    p.set_defaults(func=cmd_eval)
