"""Score KPI identity against hand-written gold: coverage, KPI precision, and label-key series that mix indicators.

Usage: ``.venv/bin/python -m pipeline.kpi_eval PAPERS... --gold GOLD.jsonl [--out CHECK.jsonl]``.

Gold lines (see tests/fixtures/kpi_eval/README.md) name, for every printed figure, its paper, page, value, the
indicator in words, a ``series`` id stable across one council's reports, and the taxonomy ``kpi`` it is (or
null) with other defensible ids in ``kpi_ok``. Each extracted figure is matched to the gold line of its paper and
page with the same value (the one whose quote the sentence holds, when several). ``--out`` writes every KPI
assignment, in random order (seed 12), with its verdict: ``correct`` (the gold KPI or one of ``kpi_ok``),
``wrong``, or ``no_gold`` (no gold line has this value: judge it by hand).

A ``late_kpis.json`` beside the gold (``{"council|series": [kpi, note]}``) names series whose KPI entered the
taxonomy after the gold was written (the gold says null, or the nearest KPI there was then: "physical library
loans" as library visits): an assignment of that KPI to a figure of that series is judged by hand, not by the
gold, and counted ``correct`` with ``verdict_by: hand``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

from pipeline.kpi_coverage import _rows, print_coverage, series_key_of


def load_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _words(text: str) -> set[str]:
    return {w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if len(w) > 2}


def match(row: dict, gold: list[dict]) -> dict | None:
    """The gold line a figure is: same paper, page and value; the quote the sentence best holds breaks ties."""
    same = [
        g
        for g in gold
        if g["paper"] == row["paper"]
        and g.get("page") in (None, row["page"])
        and abs(_in_units(g) - row["value"]) < 1e-6 * max(1.0, abs(row["value"]))
    ]
    if not same:
        return None
    sentence = " ".join(row["sentence"].split()).lower()
    held = [g for g in same if " ".join(str(g.get("quote", "")).split()).lower() in sentence]
    pool = held or same
    label = _words(row.get("label") or "") | _words(row["sentence"])
    return max(pool, key=lambda g: (g.get("role") == row["role"], len(_words(str(g.get("indicator", ""))) & label)))


def _in_units(g: dict) -> float:
    """A gold line's value in the extractor's units: the gold writes £m figures in millions (unit "gbp_m") and £k
    figures in thousands ("gbp_k"), the extractor stores pounds."""
    return g["value"] * {"gbp_m": 1e6, "gbp_k": 1e3}.get(g.get("unit"), 1)


def verdict(row: dict, g: dict | None) -> str:
    if g is None:
        return "no_gold"
    return "correct" if row["kpi"] == g.get("kpi") or row["kpi"] in (g.get("kpi_ok") or []) else "wrong"


def judge(row: dict, g: dict | None, late: dict[tuple[str, str], tuple[str, str]]) -> tuple[str, str, str | None]:
    """(verdict, verdict_by, note) of a KPI assignment: by the gold, or by hand for a KPI added after it."""
    v = verdict(row, g)
    added = late.get((g["council"], g["series"])) if g is not None else None
    if v == "wrong" and added is not None and added[0] == row["kpi"]:
        return "correct", "hand", added[1]
    return v, "gold", None


def load_late(gold_path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(council, series) -> (kpi, note) for KPIs added to the taxonomy after the gold was written."""
    path = gold_path.with_name("late_kpis.json")
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {tuple(k.split("|", 1)): (v[0], v[1]) for k, v in data.items()}  # type: ignore[misc]


def mixed_series(rows: list[dict], gold: list[dict]) -> list[tuple[tuple, set[str]]]:
    """(council, series key, unit) series spanning papers whose figures are of more than one gold series (the
    series key: the label_key, or the one restated figures join it to)."""
    groups: dict[tuple, set[str]] = defaultdict(set)
    papers: dict[tuple, set[str]] = defaultdict(set)
    for r in rows:
        key_text = series_key_of(r)
        if r["role"] != "actual" or not key_text:
            continue
        g = match(r, gold)
        key = (r["council"], key_text, r["unit"])
        papers[key].add(r["paper"])
        if g is not None:
            groups[key].add(g["series"])
    return [(k, s) for k, s in groups.items() if len(papers[k]) > 1 and len(s) > 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.kpi_eval", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="papers or folders")
    parser.add_argument("--gold", type=Path, required=True, help="gold JSON lines")
    parser.add_argument("--out", type=Path, help="write every KPI assignment with its verdict (JSON lines)")
    args = parser.parse_args(argv)
    gold = load_gold(args.gold)
    rows = _rows(args.paths)
    print_coverage(rows)
    assigned = [r for r in rows if r["kpi"]]
    random.Random(12).shuffle(assigned)
    late = load_late(args.gold)
    checks = []
    for i, r in enumerate(assigned, 1):
        g = match(r, gold)
        check = {
            "n": i,
            **{k: r[k] for k in ("paper", "council", "page", "value", "unit", "role", "value_text", "label")},
            "kpi": r["kpi"],
            "verdict": None,
            "gold_indicator": g and g.get("indicator"),
            "gold_kpi": g and g.get("kpi"),
            "gold_kpi_ok": g and g.get("kpi_ok"),
            "sentence": r["sentence"],
        }
        check["verdict"], check["verdict_by"], note = judge(r, g, late)
        if note:
            check["note"] = note
        checks.append(check)
    tally = defaultdict(int)
    for c in checks:
        tally[c["verdict"]] += 1
    judged = tally["correct"] + tally["wrong"]
    print(
        f"{len(checks)} KPI assignments: {tally['correct']} correct, {tally['wrong']} wrong, {tally['no_gold']} "
        f"without a gold line" + (f"; precision {tally['correct'] / judged:.3f}" if judged else "")
    )
    dated = [(r, g) for r in rows if (g := match(r, gold)) is not None and g.get("period")]
    agree = sum(1 for r, g in dated if r["period"] == g["period"])
    print(f"{len(dated)} figures with a gold period: {agree} have that period ({agree / max(1, len(dated)):.1%})")
    found = [(r, g) for r in rows if (g := match(r, gold)) is not None]
    same_role = sum(1 for r, g in found if r["role"] == g["role"])
    print(f"{len(found)} figures with a gold line: {same_role} have its role ({same_role / max(1, len(found)):.1%})")
    mixed = mixed_series(rows, gold)
    print(f"{len(mixed)} label-key series across papers mix gold series")
    for (council, key, unit), series in mixed:
        print(f"  {council} | {key} | {unit}: {sorted(series)}")
    if args.out:
        args.out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in checks), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
