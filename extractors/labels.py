"""Read a short, readable label for what a figure measures from the words around it."""

from __future__ import annotations

import re

from extractors.numbers import NumberMention
from extractors.periods import ANY_REF, find_periods

_STOP_AFTER = re.compile(
    r"\b(?:was|were|is|are|has|have|had|been|being|will|would|in|at|on|by|which|who|that|compared|since|from|"
    r"to|than|against|during|between|over|under|as|per|currently|across|with|this|these|while|whilst|when|"
    r"where|because|due|and|but|or|it|its|an|a|for|so|such|remains?|now|more|less|than|nearly|almost|double|doubled|there)\b|[,;:()\[\]\"“”.!?]|\s[-–—]\s",
    re.I,
)
_LEAD_IN = re.compile(r"^(?:of\s+(?:the\s+|all\s+|our\s+)?|the\s+)", re.I)
_BEFORE_SUBJECT = re.compile(
    r"(?:the\s+)?(?:percentage|proportion|number|rate|share|level|performance|timeliness|compliance)\s+"
    r"(?:of|for|on|in)\s+(?P<np>[\w\s’'/-]{3,90}?)\s+(?:was|were|is|are|has|had|stood|remains?|stands|rose|fell|increased|improved|at|to|of|reached)\b"
    # not across a second clause: "The number of mainstream households fell …, while connected persons households
    # rose to 83"
    r"(?:(?!\b(?:while|whilst|whereas|but)\b)[^.;])*$",
    re.I,
)
_BEFORE_NOUN = re.compile(
    r"(?P<np>(?:[A-Za-z][\w’'/-]*\s+){1,6}?)(?:compliance\s+)?(?:was|were|is|are|stood|stands|remains?|reached|"
    r"took|takes|averaged|totalled|totaled|came\s+to)\s+(?:at\s+|now\s+|currently\s+|around\s+|about\s+|only\s+|an\s+average\s+of\s+)*$",
    re.I,
)
# a code or note in brackets after a measure's name: "Overall satisfaction (TP01) was 64.2%"
_BRACKET_NOTE = re.compile(r"\s*\([^()]{1,25}\)")
# "The Early Help Hub received 5,932 requests", "Family hubs recorded 18,460 contacts": what was done to the
# counted things names them
_DONE_TO = re.compile(
    r"\b(?P<verb>received|recorded|handled|processed|completed|issued|served|supervised|supported|assessed|"
    r"reviewed|inspected|investigated|resolved|registered|approved|determined|collected|removed|repaired|answered)"
    r"\s+(?:a\s+total\s+of\s+|around\s+|about\s+|nearly\s+|almost\s+|over\s+|some\s+)?$",
    re.I,
)
# a counted noun's own phrase after it: "requests for support", "households in temporary accommodation"
_NOUN_PHRASE = re.compile(r"^\s+(?P<pp>(?:for|with|in|into|from|on)\s+(?:[a-z][\w’'-]*\s*){1,5})", re.I)
_BEFORE_CHANGE = re.compile(
    r"(?:^|[.;:•\ue000-\uf8ff]|\s[-–]\s|\b(?:while|whilst|whereas)\s|,\s+(?:and|but)\s)\s*(?:\d{1,2}(?:\.\d{1,2}){0,2}\s+)?(?P<np>(?:[A-Za-z][\w’'/+-]*\s+|\d+\s+(?=(?:working\s+)?(?:days|weeks|months|hours)\b)){1,9}?)(?:have|has|had)?\s*(?:been\s+)?"
    r"(?:increased|decreased|risen|rose|fallen|fell|grown|grew|reduced|improved|dropped|declined|doubled|recovered|"
    r"slipped|deteriorated|climbed|eased|worsened|dipped|jumped|crept\s+up|ticked\s+(?:up|down)|edged\s+(?:up|down))\s+"
    r"(?:again\s+|further\s+|slightly\s+|sharply\s+|steadily\s+|back\s+)?"
    r"(?:by\s+[\d.,]+\s*(?:%|per\s?cent|(?:percentage\s+)?points?|pts)?\s+)?"  # "fell by 1.6 percentage points to"
    r"(?:by|to|of)\s+(?:around\s+|about\s+|nearly\s+|almost\s+|over\s+|an\s+estimated\s+|a\s+record\s+)?$",
    re.I,
)
# a bare counted noun after a figure ("611 households", "1,106 offences"): what is counted, not which measure
_COUNTED = re.compile(
    r"(?:households?|people|persons?|children|adults|families|offences|crimes|incidents|cases|homes|properties|"
    r"applications|calls|visits|contacts|referrals|complaints|requests|claims|journeys|vehicles|reports|days|weeks)",
    re.I,
)
_PREDICATE = re.compile(
    r"^(?:have|has|had|were|are|was|is)\s+(?P<vp>(?:had|been|received|got|an?|the|their)\b.{3,120})", re.I
)
_TRIM = re.compile(r"^(?:the|a|an|our|their|all|of|and|that|this|these|those)\s+|\s+(?:the|a|an|of|and|that)$", re.I)


def _clean(text: str) -> str | None:
    text = re.sub(r"\s+", " ", text).strip(" -–—'’\"")
    for _ in range(3):
        text = _TRIM.sub("", text).strip()
    if len(text) < 3 or not re.search(r"[a-z]{3}", text, re.I):
        return None
    return text[:120]


_QUOTED = re.compile(
    r"(?:indicator|measure|KPI|target)\s+(?:entitled|called|named|of)?\s*[‘'\"“](?P<name>[^’'\"”]{5,120})[’'\"”]", re.I
)
_VERB_AFTER = re.compile(
    r"^\s*(?:(?:have|has|had|were|was|are|is)\s+(?:been\s+)?|(?:now\s+)?)(?!(?:during|including|excluding|following|according|regarding|concerning)\b)(?P<verb>[a-z]+(?:ed|ing)|had|have)\b",
    re.I,
)
# the words of a label that name something: not a counted noun, a verb's auxiliary, a preposition or a when
_NAMING = re.compile(
    r"\b(?!(?:people|were|was|are|is|have|has|had|been|being|at|in|on|by|the|a|an|of|for|to|end|month|year|quarter|"
    r"week|day|date|january|february|march|april|may|june|july|august|september|october|november|december)\b)"
    r"[a-z]{2,}\b",
    re.I,
)
_GENERIC = re.compile(r"(?:times?|people|more|less|fewer|increase|cent|points?|achieved|year|years|there|them)", re.I)
_ANIMATE = re.compile(
    r"^(?:children|young people|people|individuals|families|staff|carers|foster carers|pupils|"
    r"cases|visits|referrals|plans|applicants|adopters|adoptions|posts|social workers|households|homes|"
    r"properties|applications|complaints|requests|claims)\b",
    re.I,
)
# "Relief success of 29.4%", "a collection rate of 97.2%", "an average Attainment 8 score of 44.6"
_BEFORE_OF = re.compile(
    r"(?:^|[.;:,(]\s*|\b(?:a|an|the|with|achieved|recorded|reported)\s+)(?P<np>(?:[A-Za-z0-9][\w’'/-]*\s+){1,4}?"
    r"(?:rate|success|score|level|performance|proportion|percentage|share|average|ratio|satisfaction|attendance|"
    r"absence|uptake|take-up|coverage|compliance|timeliness))\s+(?:of|at)\s+(?:around\s+|about\s+|just\s+)?$",
    re.I,
)
_SUB_GROUP = re.compile(r"\b(?:of\s+(?:whom|which|these|them)|including|includes)\s+$", re.I)
_LAST_NP = re.compile(r"\b(?:a|an|the|with|achieved|recorded|reported|was|were|is|are|had|has)\b", re.I)
# "Overall absence fell to 7.1% and persistent absence to 20.3%": the second subject of one verb
_SECOND_SUBJECT = re.compile(
    r"\b(?:rose|fell|increased|decreased|improved|dropped|declined|reached|was|were)\b[^;]*?"
    r"(?:,|\band|\bwhile|\bwhilst)\s+(?:(?P<np>(?:[A-Za-z][\w’'/-]*\s+){1,5}?)(?:to|at)\s+|"
    # "Breast screening coverage was 72.0% and cervical screening 66.1%": the name right before the figure
    r"(?P<named>(?!(?:against|compared|than|from|with|of|in|for|and|or|but|by|on|at|to|only|just|nearly|almost|"
    r"around|about|over|under|some|another|all|most|a\s+further)\b)(?:[A-Za-z][\w’'/-]*\s+){0,4}?"
    r"(?!(?:and|or|but|of|in|for|with|from|than|against|by|on|at|to|the|a|an|was|were|is|are|has|have|had|stood|"
    r"reached|totalled|only|just|nearly|almost|around|about|over|under)\b)[A-Za-z][\w’'/-]*)\s*(?:\(\s*)?)$",
    re.I,
)


def label_for(sentence: str, figure: NumberMention) -> str | None:
    """The measured noun phrase, in the paper's words: a table row's name when the figure's line is that row read
    as text ("Safeguarding concerns received 13,204 7,388"), else the words after the figure ("96% of care plans
    reviewed", "865 children"), else the subject before it ("the percentage of statutory visits … is … 89%", "and
    cervical screening 66.1%"), else the name of the indicator the sentence quotes, else a name and colon
    ("Jobs safeguarded: 92")."""
    row = row_label(sentence, figure)
    if row:
        return row
    text = sentence.replace("\n", " ")
    after = _LEAD_IN.sub("", text[figure.unit_end : figure.unit_end + 160].lstrip())
    label = None
    if after.split():
        cut = _STOP_AFTER.search(after)
        phrase = " ".join((after[: cut.start()] if cut else after).split()[:8])
        label = _clean(phrase)
        if label and re.fullmatch(r"[a-z]{3,}ed", label) and figure.unit == "percent":
            # "19.8% lived more than 20 miles from home", "14.8% lived with family or friends": the verb alone
            # names nothing; with what follows it, the measure
            label = _clean(" ".join(re.split(r"[,;:.()]", after)[0].split()[:7])) or label
        if (
            label
            and _GENERIC.fullmatch(label)
            and not (_ANIMATE.match(label) and _VERB_AFTER.match(after[len(phrase) :]))
        ):
            label = None  # "people" alone; not "1,126 people were waiting for a Care Act assessment"
        if label and _ANIMATE.match(label):
            # "5 have subsequently been adopted" has no noun; "93% of visits were on time" reads on
            verb = _VERB_AFTER.match(after[len(phrase) :] if after.startswith(phrase) else "")
            if verb and len(label.split()) == 1:
                label = (
                    f"{label} {_clean(after[len(phrase) :].split('.')[0].split(';')[0].split(',')[0]) or ''}".strip()
                )
                label = " ".join(label.split()[:8])
            if _GENERIC.fullmatch(phrase.strip()) and len(_NAMING.findall(label)) < 2:
                label = None  # "people were waiting at 31 August": no measure named
    if label and not _COUNTED.fullmatch(label):
        return label  # the common case: the words before the figure are not needed
    before = _without_periods(_BRACKET_NOTE.sub("", text[max(0, figure.start - 220) : figure.start]))
    if label and _COUNTED.fullmatch(label):
        # "Approaches rose again to 611 households": the subject names the measure, the noun only what it counts
        m = _BEFORE_CHANGE.search(before)
        subject = _clean(m.group("np")) if m else None
        if subject and not _GENERIC.fullmatch(subject) and not _COUNTED.fullmatch(subject):
            return subject
        if figure.unit == "count":  # "12% of children in care …": the population, not what is measured
            return _counted_phrase(label, after, before)
    if label:
        return label
    if _SUB_GROUP.search(before):
        return None  # "children in care increased to 927, of whom 74 are …": the sub-group is named after it
    predicate = _PREDICATE.match(after)
    if predicate:
        label = _clean(" ".join(re.split(r"[,;:.()]", predicate.group("vp"))[0].split()[:8]))
        if label:
            return label
    m = _BEFORE_SUBJECT.search(before)
    if m and _clean(m.group("np")):
        return _clean(m.group("np"))
    m = _BEFORE_OF.search(before)
    named = _clean(_LAST_NP.split(m.group("np"))[-1]) if m else None
    if named and " " in named and not _GENERIC.fullmatch(named):
        return named
    m = _BEFORE_CHANGE.search(before)  # the subject of the verb right before the figure, first
    if m and _clean(m.group("np")):
        return _clean(m.group("np"))
    m = _SECOND_SUBJECT.search(before)
    second = _clean(m.group("np") or m.group("named")) if m else None
    if second and not _GENERIC.fullmatch(second) and not _NOT_A_NAME.match(second):
        return second
    m = _BEFORE_NOUN.search(before)
    if m and _clean(m.group("np")) and not _GENERIC.fullmatch(_clean(m.group("np")) or ""):
        return _clean(m.group("np"))
    m = _QUOTED.search(text)
    if m:
        return _clean(m.group("name"))
    m = _NAME_COLON.search(before)
    named = _clean(m.group("np")) if m else None
    if named and not _GENERIC.fullmatch(named) and not _NOT_A_NAME.match(named):
        return named  # "Jobs safeguarded: 92"
    return None


# what a scorecard prints before a value in place of a measure's name: "Performance this quarter: 236", "Latest"
_NOT_A_NAME = re.compile(
    r"^(?:performance|latest|current|result|actual|outturn|value|figure|position|this|last|previous|prior|target|"
    r"ytd|year|month|quarter|same|direction|trend|status|rag|england|national|average|total)\b",
    re.I,
)


# a measure's name and a colon right before its figure, opening a sentence, bullet or clause: "Jobs created: 156"
_NAME_COLON = re.compile(
    r"(?:^|[.;•\ue000-\uf8ff]\s|^\s*\d{1,2}(?:\.\d{1,2}){0,2}\s+)\s*(?P<np>[A-Z][A-Za-z’'/-]*(?:\s+[A-Za-z0-9][\w’'/-]*){0,7}?)"
    r"\s*,?\s*:\s*$"
)
_ROW_NUMBER = re.compile(r"^[(+\u2212-]?[£]?(?!(?:19|20)\d\d\)?$)\d[\d,.]*(?:%|m|k|bn)?\)?$")


def figure_line(sentence: str, figure: NumberMention) -> tuple[int, str]:
    """Where the figure's line starts in the sentence, and the line."""
    line_start = sentence.rfind("\n", 0, figure.start) + 1
    line_end = sentence.find("\n", figure.end)
    return line_start, sentence[line_start : None if line_end < 0 else line_end]


def row_label(sentence: str, figure: NumberMention) -> str | None:
    """The name of a table row read as text ("Safeguarding concerns received 13,204 7,388 7,733"): the words that
    open the figure's line when everything after them is numbers, two or more; else None."""
    line_start, line = figure_line(sentence, figure)
    tokens = line.split()
    first = next((i for i, t in enumerate(tokens) if _ROW_NUMBER.match(t)), None)
    if first is None or first < 2 or len(tokens) - first < 2:
        return None
    own = next((t for t in line[figure.start - line_start :].split()[:1]), "")
    before = sentence[max(line_start, figure.start - 1) : figure.start]
    if before in "+-\u2212" and before or ("%" in own) != ("%" in tokens[first]):
        return None  # "Subject access requests 519 447 +16.1%": the change column, not the row's measure
    if not all(_ROW_NUMBER.match(t) for t in tokens[first:]) or re.search(r"\d", " ".join(tokens[:first])):
        return None
    name = _clean(" ".join(tokens[:first]))
    if not name or _GENERIC.fullmatch(name) or _NOT_A_NAME.match(name) or name.count("(") != name.count(")"):
        return None
    return name


def _counted_phrase(noun: str, after: str, before: str) -> str:
    """A bare counted noun with the words that say which: its own phrase ("requests for support"), else what was
    done to it ("contacts recorded", "children supervised"); else the noun alone."""
    rest = after[after.lower().find(noun.lower()) + len(noun) :] if noun.lower() in after.lower() else ""
    pp = _NOUN_PHRASE.match(rest)
    if pp:
        words = []
        for w in pp.group("pp").split():
            if _STOP_AFTER.fullmatch(w) and words or re.search(r"\d", w) or w.lower() in _WHEN_WORDS:
                break
            words.append(w.strip(",;:."))
        phrase = _clean(" ".join(words))
        if phrase and len(words) >= 2 and not _WHEN.match(" ".join(words[1:])):
            return f"{noun} {' '.join(words)}"
    done = _DONE_TO.search(before)
    if done:
        return f"{noun} {done.group('verb').lower()}"
    return noun


_WHEN_WORDS = {"the", "year", "quarter", "month", "period", "total", "all"}
_WHEN = re.compile(
    r"^(?:january|february|march|april|may|june|july|august|september|october|november|december|q[1-4]|"
    r"(?:the\s+)?(?:year|quarter|month|period|week)s?)\b",
    re.I,
)


# a period and its preposition inside a measure's name: "The recycling rate for January to March 2025 was"
_PERIOD_PREP = re.compile(r"(?:\b(?:for|in|at|during|over|between|from|of|to)\s+)?(?:the\s+)?$", re.I)


def _without_periods(before: str) -> str:
    """The words before a figure with the periods they name cut out, so the subject reads on ("The recycling rate
    for January to March 2025 was 25.3%": "The recycling rate")."""
    out = before
    for p in sorted(find_periods(before, ANY_REF), key=lambda p: p.start_char, reverse=True):
        if p.kind in ("relative", "paper_date"):
            continue
        lead = _PERIOD_PREP.search(out[: p.start_char])
        start = lead.start() if lead else p.start_char
        out = out[:start].rstrip() + " " + out[p.end_char :].lstrip()
    return out


# a passive verb after a figure, with a particle and the object of "for" or "to": "were engaged", "were reported
# missed", "were waiting for an autism assessment", "were answered within 10 working days"
_PASSIVE = re.compile(
    r"^\s*(?:%|per\s?cent)?\s*(?P<noun>(?:[A-Za-z][\w’'-]*\s+){0,3}?)(?:have\s+been|has\s+been|had\s+been|were|was|"
    r"are|is)\s+(?:now\s+|still\s+|then\s+|also\s+)?"
    r"(?P<vp>(?!(?:during|including|excluding|following|according|regarding|concerning|being)\b)(?:[a-z]+(?:ed|en|ing)|"
    r"made|paid|held|done|kept|met|sent|put|set|found|won|lost|left|run|built|brought|sold|spent|heard|told)\b"
    r"(?:\s+(?:missed|rough|out|up|safe|late|early|on\s+time|in\s+time))?"
    r"(?:\s+(?:(?:within|for|to|into|by)\s+(?:(?:an?|the|their)\s+)?|in\s+(?=\d+\s+(?:working\s+)?(?:days|weeks|"
    r"months|hours)\b))(?:[\w’'-]+\s*){1,4}?"
    r"(?=\s*(?:[,;:.()]|$|\b(?:and|but|while|whilst|against|compared|than|at|on|in|from|since|during|after|"
    r"before|because|across|as)\b)))?)",
    re.I,
)
_HEAD_CUT = re.compile(r"\s+[a-z]+(?:ed|ing)\b.*$", re.I)
# "4.3 Emergency defects. 97.1% were made safe within 2 hours": a run-in heading names what the share is of
_RUN_IN = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?\s+)?(?P<h>[A-Z][\w’'-]+(?:\s+[a-z][\w’'-]*){0,3})\.\s+$")


def done_to_label(sentence: str, figure: NumberMention, label: str) -> str | None:
    """A bare counted noun with what was done to it, when the verb follows ("18 agency workers were engaged at
    30 September" -> "agency workers engaged"), else None."""
    after = sentence.replace("\n", " ")[figure.unit_end :]
    at = after.lower().find(label.lower())
    if at < 0 or at > 12:
        return None
    done = _done_to(after[at + len(label) :])
    return _clean(f"{label} {done}") if done else None


def share_label(sentence: str, figure: NumberMention, earlier: str | None) -> str | None:
    """A share with no noun of its own, of the things the sentence's earlier figure counts ("Enquiries rose to
    10,214; 76.8% were answered in 10 working days" -> "Enquiries answered in 10 working days") or its run-in
    heading names; None when neither does, or no passive verb follows the share."""
    text = sentence.replace("\n", " ")
    done = _done_to(text[figure.unit_end :])
    if not done:
        return None
    head = _HEAD_CUT.sub("", earlier) if earlier else None
    if not head:
        run_in = _RUN_IN.match(text[: figure.start])
        head = run_in.group("h") if run_in else None
    return _clean(f"{head} {done}") if head else None


def _done_to(after: str) -> str | None:
    """The passive verb phrase that opens ``after`` with no noun before it ("were answered in 10 working days" ->
    "answered in 10 working days"), else None."""
    m = _PASSIVE.match(after)
    if not m or m.group("noun").strip():
        return None
    return " ".join(m.group("vp").split())
