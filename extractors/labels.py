"""Read a short, readable label for what a figure measures from the words around it."""

from __future__ import annotations

import re

from extractors.numbers import NumberMention

_STOP_AFTER = re.compile(
    r"\b(?:was|were|is|are|has|have|had|been|being|will|would|in|at|on|by|which|who|that|compared|since|from|"
    r"to|than|against|during|between|over|under|as|per|currently|across|with|this|these|while|whilst|when|"
    r"where|because|due|and|but|or|it|its|an|a|for|so|such|remains?|now|more|less|than|nearly|almost|double|doubled|there)\b|[,;:()\[\]\"“”.!?]|\s[-–—]\s",
    re.I,
)
_LEAD_IN = re.compile(r"^(?:of\s+(?:the\s+|all\s+|our\s+)?|the\s+)", re.I)
_BEFORE_SUBJECT = re.compile(
    r"(?:the\s+)?(?:percentage|proportion|number|rate|share|level|performance|timeliness|compliance)\s+"
    r"(?:of|for|on|in)\s+(?P<np>[\w\s’'/-]{3,90}?)\s+(?:was|were|is|are|has|had|stood|remains?|stands|rose|fell|increased|improved|at|to|of|reached)\b[^.;]*$",
    re.I,
)
_BEFORE_NOUN = re.compile(
    r"(?P<np>(?:[A-Za-z][\w’'/-]*\s+){1,6}?)(?:compliance\s+)?(?:was|were|is|are|stood|stands|remains?|reached)\s+(?:at\s+|now\s+|currently\s+|around\s+|about\s+|only\s+)*$",
    re.I,
)
_TRIM = re.compile(r"^(?:the|a|an|our|their|all|of|and|that|this|these|those)\s+|\s+(?:the|a|an|of|and|that)$", re.I)


def _clean(text: str) -> str | None:
    text = re.sub(r"\s+", " ", text).strip(" -–—'’\"")
    for _ in range(3):
        text = _TRIM.sub("", text).strip()
    if len(text) < 3 or not re.search(r"[a-z]{3}", text, re.I):
        return None
    return text[:120]


def label_for(sentence: str, figure: NumberMention) -> str | None:
    """The measured noun phrase: after the figure ("96% of care plans reviewed") or before it."""
    after = sentence[figure.unit_end : figure.unit_end + 160]
    after = _LEAD_IN.sub("", after.lstrip())
    words = after.split()
    if words:
        cut = _STOP_AFTER.search(after)
        phrase = after[: cut.start()] if cut else after
        phrase = " ".join(phrase.split()[:8])
        label = _clean(phrase)
        if label and not re.fullmatch(r"(?:times?|people|more|less|fewer|increase|cent|points?)", label, re.I):
            return label
    before = sentence[max(0, figure.start - 200) : figure.start]
    m = _BEFORE_SUBJECT.search(before)
    if m:
        return _clean(m.group("np"))
    m = _BEFORE_NOUN.search(before)
    if m:
        return _clean(m.group("np"))
    return None
