"""Plan sentences: a figure a strategy says will be reached ("By 2028, 65% of …", "will have fallen … to 20%") is a
target, not a measurement; the figure it starts from ("from 22.3% in 2020/21") is a baseline."""

from __future__ import annotations

import re
from dataclasses import replace

# the clause says what will be: "will have fallen", "will be 45%", "will increase by 1.5 years"
_WILL = re.compile(
    r"\bwill\s+(?:have\s+)?(?:been\s+)?(?:\w+\s+){0,2}?(?:\w+(?:ed|en)|be|reach|increase|decrease|reduce|"
    r"fall|rise|improve|remain|meet|exceed|achieve|maintain)\b|\bwith an (?:ambition|aim) to\b",
    re.I,
)
# "By 2028, …", "By April 2027, …", "By 2028/29, …" at the start of the sentence
_BY_YEAR = re.compile(r"^\W{0,3}By\s+(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d(?:\s?[/-]\s?\d{2,4})?\s*,", re.I)
# a forecast or a possibility is not a plan: "There is a possibility that gilt yields will rise …"
_HEDGED = re.compile(
    r"\b(?:possib\w*|may|might|could|likely|unlikely|expect\w*|forecast\w*|predict\w*|project\w*|anticipat\w*|"
    r"estimat\w*|risk)\b",
    re.I,
)
_FROM = re.compile(r"\bfrom\s+(?:an?\s+\w+\s+of\s+)?$", re.I)
_CLAUSE = re.compile(r"[.;]\s")


def _planned(sentence: str, at: int) -> bool:
    """Does the figure at ``at`` sit in a clause that states what will be, after its "will" or under "By 2028,"?"""
    clause_start = max((m.end() for m in _CLAUSE.finditer(sentence, 0, at)), default=0)
    head = sentence[clause_start:at]
    if _HEDGED.search(sentence):
        return False
    return bool(_WILL.search(head)) or bool(_BY_YEAR.match(sentence[clause_start:]))


def _starts_from(sentence: str, at: int) -> bool:
    """ "… from 28.1% in Kent and 20.1% in Medway in 2021": a figure after "from" and before any "to" is where the
    plan starts."""
    head = sentence[:at]
    frm = head.lower().rfind(" from ")
    return (
        frm >= 0
        and not re.search(r"\bto\b", head[frm:], re.I)
        and bool(re.search(r"\d", head[frm:]) or _FROM.search(head))
    )


def apply_plans(figures: list, text: str) -> list:
    """Figures of plan sentences: actuals and changes a clause says will be reached become targets (no period);
    those the plan starts from become baselines (their own period kept)."""
    out = []
    for f in figures:
        if f.role not in ("actual", "change"):
            out.append(f)
            continue
        sentence = text[f.sentence_start : f.sentence_end]
        at = f.start - f.sentence_start
        if not _planned(sentence, at):
            out.append(f)
        elif _starts_from(sentence, at):
            out.append(replace(f, role="baseline", role_rule="role.baseline.plan"))
        else:
            out.append(
                replace(f, role="target", role_rule="role.target.plan", period=None, period_rule="period.none.target")
            )
    return out
