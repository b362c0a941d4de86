"""A figure printed twice in one paper: the running-text copy of a table or scorecard figure takes its series key."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from models.records import Observation

RULE = "label.restated_in_table"


def distinctive(value: float, unit: str) -> bool:
    """A value unlikely to agree by chance: not a small whole number, not a round percentage (95, 90, 100)."""
    if float(value).is_integer() and abs(value) < 20:
        return False
    return not (unit == "percent" and float(value).is_integer() and value % 5 == 0)


def _from_a_table(o: Observation) -> bool:
    return o.rule.startswith(("table.", "scorecard."))


def _stems(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z]{3,}", text.lower())}


def _named_alike(key: str, sentence: str) -> bool:
    """The sentence names what the row does: two of the row key's words (one, for a one-word key) are in it; 498
    requests for an EHC assessment are not the 498 children on a child protection plan of the same quarter."""
    words = _stems(key)
    return len(words & _stems(sentence)) >= min(2, len(words))


def _part_of(key: str | None, row_key: str) -> bool:
    """A running-text label key that may stand for the row's: none, or one sharing a word with it ("312 planning
    applications" for the row "Planning applications determined")."""
    return key is None or bool(_stems(key) & _stems(row_key))


def restated_in_tables(observations: list[Observation], sentences: dict[str, str]) -> list[Observation]:
    """A running-text figure without a label key ("Noise complaints peaked at 187 in July", "352 in the quarter"), or
    with one sharing a word with the row's ("determined 312 planning applications"),
    that gives the same distinctive value, unit, role and period as a table or scorecard figure of the same paper,
    and as only one of its rows, is that row's figure told again: it takes the row's label key, and its KPI when it
    has none (rule ``label.restated_in_table`` added to its rule), when its sentence (``sentences``: text by id)
    names the row alike."""
    rows: dict[tuple, set[tuple[str, str | None]]] = defaultdict(set)
    for o in observations:
        if _from_a_table(o) and o.label_key and o.period_start is not None:
            rows[(o.unit, o.role, o.period_start, o.period_end, round(o.value, 6))].add((o.label_key, o.kpi))
    out = []
    for o in observations:
        if not _from_a_table(o) and o.period_start is not None and distinctive(o.value, o.unit):
            found = rows.get((o.unit, o.role, o.period_start, o.period_end, round(o.value, 6)), set())
            keys = {k for k, _ in found}
            if (
                len(keys) == 1
                and o.label_key not in keys
                and _part_of(o.label_key, next(iter(keys)))
                and _named_alike(next(iter(keys)), sentences.get(o.sentence_id, ""))
            ):
                kpis = {k for _, k in found if k}
                kpi = o.kpi or (kpis.pop() if len(kpis) == 1 else None)
                o = replace(o, label_key=keys.pop(), kpi=kpi, rule=f"{o.rule}|{RULE}")
        out.append(o)
    return out
