"""Period rules that need more than the nearest date: "respectively", pairs, changes between two dates,
comparators, references back to an earlier sentence and present-tense sentences."""

from __future__ import annotations

import re

from extractors.numbers import NumberMention
from extractors.periods import Period, split_months

_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)
_PAIR_GAP = re.compile(r"^\s*(?:,|and|, and|&)\s*$")
# what may stand between a pair of figures and its list of periods: the periods themselves and glue words
_PERIOD_GLUE = re.compile(r"^[\s,]*(?:(?:in|for|at|during|the|and|academic|financial|year|years|of|,)\s*)*$", re.I)


def _pair_group(sentence: str, figures: list[NumberMention], last: int) -> list[int]:
    """Indexes of the figures joined by 'and' or commas that end with figure ``last`` ("93% and 88%")."""
    group = [last]
    i = last
    while i > 0 and _PAIR_GAP.match(sentence[figures[i - 1].unit_end : figures[i].start]):
        i -= 1
        group.insert(0, i)
    return group


def only_periods(text: str, periods: list[Period], offset: int, glue: re.Pattern[str]) -> bool:
    """Is ``text`` (starting at ``offset`` in the sentence) made only of these periods and ``glue`` words?"""
    chars = list(text)
    for p in periods:
        for k in range(max(p.start_char - offset, 0), min(p.end_char - offset, len(chars))):
            chars[k] = " "
    return bool(glue.match("".join(chars)))


def _glue_only(text: str, periods: list[Period], offset: int) -> bool:
    return only_periods(text, periods, offset, _PERIOD_GLUE)


def respectively(sentence: str, figures: list[NumberMention], periods: list[Period]) -> dict[int, Period]:
    """'93% and 88% in October and November 2015 respectively', '0.9% and 8.1% respectively in 2013/14':
    the figures of a pair take the listed periods in order, or all the one period named."""
    out: dict[int, Period] = {}
    for m in _RESPECTIVELY.finditer(sentence):
        before = [i for i, f in enumerate(figures) if f.unit_end <= m.start()]
        if not before:
            continue
        group = _pair_group(sentence, figures, before[-1])
        if len(group) < 2:
            continue
        end_of_group = figures[group[-1]].unit_end
        inside = [p for p in periods if end_of_group <= p.start_char and p.end_char <= m.start()]
        if inside and _glue_only(sentence[end_of_group : m.start()], inside, end_of_group):
            listed = [q for p in inside for q in split_months(p)]
        elif not sentence[end_of_group : m.start()].strip():
            after = [p for p in periods if p.start_char >= m.end() and len(sentence[m.end() : p.start_char]) <= 12]
            listed = after[:1] if after and _glue_only(sentence[m.end() : after[0].start_char], [], m.end()) else []
        else:
            continue
        if len(listed) == len(group):
            out.update(zip(group, listed, strict=True))
        elif len(listed) == 1:
            out.update((i, listed[0]) for i in group)
    for m in _FROM_TO_BETWEEN.finditer(sentence):
        # "fell from seven to three between 2020 and 2022": the first value at the first date, the second at the last
        pair = [i for i, f in enumerate(figures) if m.start() <= f.start < m.start("between")]
        listed = [p for p in periods if p.start_char >= m.start("between")][:2]
        if len(pair) == 2 and len(listed) == 2 and listed[0].start < listed[1].start:
            out.update(zip(pair, listed, strict=True))
    return out


_FROM_TO_BETWEEN = re.compile(r"\bfrom\s+\S+(?:\s+\S+)?\s+to\s+\S+(?:\s+\S+)?\s+(?P<between>between)\b", re.I)


def paired_with_next(sentence: str, figures: list[NumberMention], index: int) -> int | None:
    """'0.4% and 5.2% in the 2014/15 academic year': the figure after ``index`` it is paired with, if any."""
    j = index + 1
    while j < len(figures) and _PAIR_GAP.match(sentence[figures[j - 1].unit_end : figures[j].start]):
        if figures[j].unit == figures[index].unit:
            return j
        j += 1
    return None


def change_between(periods: list[Period], figure: NumberMention) -> Period | None:
    """'from 612 at 1 October 2021 to 1,046 at 1 October 2023, an increase of 71%', 'received 9,870 contacts in
    2013–14 and 13,412 in 2014–15, an increase of 36%': a change after two dated values runs from the first to the
    last of them."""
    earlier = [p for p in periods if p.end_char <= figure.start and not p.relative and p.kind != "since"]
    if len(earlier) < 2:
        return None
    first = min(earlier, key=lambda p: p.start)
    last = max(earlier, key=lambda p: p.end)
    if first.start >= last.start:
        return None
    text = f"{first.text} … {last.text}"
    return Period(first.start_char, last.end_char, text, first.start, last.end, "range", "change_between")


_REFERS_BACK = re.compile(
    r"\b(?:these|those|this number)\b|^(?:This|These|That|Those|It)\b|\bof this (?:group|cohort)\b",
    re.I,
)


def refers_back(sentence: str) -> bool:
    """'Eleven per cent of these children', 'Of these pupils, 38%', 'Nineteen of these households': the sentence
    speaks of a group counted in an earlier sentence."""
    return bool(_REFERS_BACK.search(sentence))


_PRESENT = re.compile(
    r"\b(?:is|are|remains?|stands?|now|currently|today|do|does|lives?|stays?|holds?|covers?|shows?|show|has|have|"
    r"says?|feels?|tells?)\b",
    re.I,
)
_PAST = re.compile(
    r"\b(?:was|were|had|did|rose|fell|grew|became|left|saw|went|took|made|reached|achieved|gained|received|"
    r"increased|decreased|declined|dropped|improved|ended|started|found|completed|recorded|reported|supported|"
    r"placed|adopted|referred|assessed|visited|issued|approved|funded|reduced|doubled|halved)\b",
    re.I,
)
_AUXILIARY = re.compile(r"\b(?:is|are|be|been|being|has|have|will|would|to)\s+(?:\w+\s+)?$", re.I)
_ED = re.compile(r"\b[a-z-]{3,}ed\b", re.I)
# words in -ed that are adjectives far more often than past verbs in these papers
_ADJECTIVES_ED = frozenset(
    "looked unaccompanied qualified registered disadvantaged based related skilled experienced dedicated detailed "
    "limited mixed required expected agreed named allocated accommodated needed targeted specialised specialist "
    "advanced shared extended balanced integrated supported assessed approved".split()
)


def present_tense(sentence: str) -> bool:
    """'Local data show that it remains at 21%', '89% of assessments are completed on time': a sentence in the
    present tense (and no past one) speaks of now, not of the period of the sentence before it."""
    if not _PRESENT.search(sentence):
        return False
    for m in _PAST.finditer(sentence):
        if not _AUXILIARY.search(sentence, 0, m.start()) or m.group(0).lower() in ("was", "were", "had", "did"):
            return False
    for m in _ED.finditer(sentence):
        # "children looked after out-performed their peers": a past verb in -ed
        if m.group(0).lower() not in _ADJECTIVES_ED and not _AUXILIARY.search(sentence, 0, m.start()):
            return False
    return True
