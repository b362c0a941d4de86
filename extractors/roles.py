"""Decide what part a figure plays in its sentence: actual, forecast, target, baseline, change, benchmark or range end."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.numbers import NumberMention
from extractors.periods import MONTH_RE

ROLES = ("actual", "forecast", "target", "baseline", "change", "benchmark", "range_low", "range_high", "floor")


@dataclass(frozen=True)
class RoleRule:
    """A phrasing that gives a figure its role: text just before (``before``) or after (``after``) it."""

    id: str
    role: str
    before: re.Pattern[str] | None = None
    after: re.Pattern[str] | None = None


def _b(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{pattern})\W{{0,3}}$", re.I)


def _listed(pattern: str) -> re.Pattern[str]:
    # the period right before the figure, inside the list: not closed by a bracket ("Latest (Sep 2025) 26.4%")
    return re.compile(rf"(?:{pattern})[ :]{{0,2}}$", re.I)


def _a(pattern: str) -> re.Pattern[str]:
    # straight after the figure: a parenthesis or a new clause starts something else
    return re.compile(rf"^[ ,]{{0,2}}(?:{pattern})", re.I)


# Tried in order; the first rule whose context matches sets the role.
ROLE_RULES: list[RoleRule] = [
    RoleRule(
        # a predicted or projected value is not an actual: "The virtual school's prediction for 2015/16 is 18%",
        # "forecasts that 52% … will", "is forecast to overspend by £3,450,000", "The projection … will reach 240"
        "role.forecast",
        "forecast",
        before=_b(
            r"(?:forecasts?|forecasted|forecasting|predictions?|predicted|predicts?|projections?|projected|projects|"
            r"estimated outturn|forecast outturn|projected outturn)"
            r"(?: (?:for|of) [\w/–-]+(?: [\w/–-]+){0,3}?)?"
            r"(?: (?:is|was|are|of|at|that|to be|to reach|to rise to|to fall to|to increase to|to \w+ by|by|"
            r"to (?:deliver|complete|achieve|spend|collect|make|provide|carry out|see|support|receive)))+"
            r"(?: around| about| approximately| some)?"
            r"|\b(?:projects|predicts|forecasts|expects)(?: around| about| approximately| some)?"
            r"|(?:forecasts?|predictions?|projections?|projected|predicted|expects?)\b[^.;]{0,80}\bwill (?:reach|be|rise to|fall to|total)"
            r"(?: around| about| approximately)?"
        ),
    ),
    RoleRule(
        # "11 fewer than in January 2023", "9.6% more than in September 2023", "0.1 percentage points lower than
        # in 2023/24", "5.5% more than a year earlier": a change since an earlier time, not this period's value
        "role.change.than",
        "change",
        after=_a(
            r"(?:percentage points? |points? |days? |weeks? |[a-z]+ )?(?:more|fewer|less|higher|lower|greater|up|down|ahead of|"
            r"behind|quicker|faster|slower|longer|shorter|better|worse|above|below)\s+"
            r"(?:than\s+|on\s+|compared\s+(?:with|to)\s+)?(?:in\s+|at\s+|on\s+|during\s+|for\s+|over\s+)?(?:the\s+)?"
            # "44 fewer than at the inspection", "8.2% more than the 1,518 received in 2022/23"
            r"(?:(?:last\s+|previous\s+|first\s+)?(?:inspection|visit|focused\s+visit|monitoring\s+visit)\b|"
            r"\d[\d,.]*%?\s+(?:[a-z]+\s+){0,3}?(?:in|at|for|during|over|a\s+year|last)\b|"
            r"same\b|previous\b|last\b|prior\b|a year\b|year\b|quarter\b|month\b|end of\b|start of\b|"
            r"(?:\d{1,2}\s+)?(?:january|february|march|april|may|june|july|august|september|october|november|december)\b|"
            r"(?:19|20)\d\d\b|q[1-4]\b|quarter [1-4]\b|period [1-9]\b)"
        ),
    ),
    RoleRule(
        # "29% above the national average", "196 days over the threshold": a gap to a comparator, measured here
        "role.gap",
        "actual",
        after=_a(
            r"(?:percentage points? )?(?:above|below)\b|(?:percentage points? )?(?:higher than|lower than|more than|"
            r"less than|over|under|longer than|shorter than)\s+(?:the\s+|that of\s+|those of\s+)?(?:national|england|"
            r"english|regional|average|threshold|target|performance threshold|comparable|statistical|similar|peers|"
            r"their|all children|other|expected)"
        ),
    ),
    RoleRule(
        "role.benchmark.comparator",
        "benchmark",
        before=_b(
            r"(?:national|england|regional|south east|statistical neighbours?'?|comparators?'?|comparator group'?s?|similar (?:authorities|areas|councils)|"
            # a region's figure: "the London median of 8.1 days", "(England 2022/23: 56.0%)"
            r"(?:london|inner london|outer london|north east|north west|south west|west midlands|east midlands|"
            r"yorkshire and (?:the )?humber|east of england|wales|scotland|core cities|shire districts|"
            r"(?:all )?english (?:counties|districts|unitaries|authorities)) (?:average|median|mean|rate|figure|level)|"
            r"(?:england|national|london) (?:19|20)\d\d(?:/\d\d)?:)"
            r"(?: (?:average|averages|figure|figures|rate|rates|performance|level|mean|median|benchmark))?(?:\s?(?:of|is|was|at|were|are|being|stands at|,))*(?: around| about| approximately| just)?"
        ),
    ),
    RoleRule(
        "role.benchmark.after",
        "benchmark",
        after=_a(
            r"(?!(?:[a-z]+ )?(?:against|compared|than|versus|vs)\b)(?:[a-z,]+ ){0,2}(?:nationally|(?:for|of) (?:[a-z]+ ){1,4}nationally|in england|across england|national average|for england|statistical neighbours?|"
            r"the national figure|in the country as a whole|across the country|regionally|"
            # "6.8% in the South East", "19.8% for the region": the region's figure beside this council's
            r"(?:in|for|across) (?:the )?(?:south east|south west|north east|north west|west midlands|east midlands|"
            r"east of england|yorkshire and (?:the )?humber|region)(?! of\b)|"
            r"for (?:both )?(?:comparable|similar|statistical neighbour) (?:authorities|councils|areas)|"
            r"(?:rate|figure|average|level)s? (?:of|for|in) (?:comparable|similar|statistical neighbour|other) (?:authorities|councils|areas))\b"
        ),
    ),
    RoleRule(
        # "46.4% (England, calendar year 2024)", "64.2% (South West, 2024/25)": the comparator named in a bracket
        "role.benchmark.bracket",
        "benchmark",
        after=re.compile(
            r"^\s?\(\s*(?:england|national(?: average)?|nationally|statistical neighbours?|stat(?:istical)? neighbours?|"
            r"region(?:al)?(?: average)?|similar (?:authorities|councils)|london|inner london|outer london|north east|"
            r"north west|south east|south west|west midlands|east midlands|yorkshire and (?:the )?humber|"
            r"east of england|cipfa (?:nearest )?neighbours?)\b(?![^)]{0,40}:)",  # not "(England 2022/23: 56.0%)"
            re.I,
        ),
    ),
    RoleRule(
        "role.benchmark.compared",
        "benchmark",
        before=_b(
            r"(?:compared (?:with|to)|against|than)(?: the)?(?: national| england| statistical neighbour| regional)[\w\s']{0,30}?(?: of| at)?"
        ),
    ),
    RoleRule(
        "role.target",
        "target",
        before=_b(
            r"(?:target|targets|expectation|expected|aim|aiming|ambition|goal|aspiration|threshold|standard|limit|"
            r"maximum|minimum|budget|budgeted|profile|profiled target|trajectory)"
            r"(?: (?:of|is|was|to be|to reach|to achieve|for [\w/–-]+(?: [\w/–-]+){0,6} is|set at|at|for))*"
            r"(?: at least| around| no more than)?"
            r"|(?:target|trajectory|ambition)(?: (?:for|to|by|at))? (?:(?:the )?end of )?(?:\d{4}/\d{2}|\d{4}[-–]\d{2,4}|"
            rf"(?:\d{{1,2}} )?{MONTH_RE} \d{{4}}|q[1-4](?: \d{{4}}/\d{{2}})?|quarter [1-4]|year[- ]end)"  # "Target 2025/26 20.0%"
            r"|(?:target|targets|aim|goal|ambition) (?:of|is|was|to) \w+ing"
            r"|(?:is|are|being|were|was) (?:expected|required|set|planned|commissioned|intended|aiming|planning|intending) to(?: \w+){1,4}?(?: a further| an additional| at least| around)?"
            r"|(?:recommendation|recommended|planned|plans|planning) (?:of|for|to \w+)(?: around| about| up to)?"
            r"|reviewed is"
        ),
    ),
    RoleRule(
        # "meeting the 55% target", "against an 18-day target", "missing its 90% ambition"
        "role.target.after",
        "target",
        after=_a(
            r"(?:annual |monthly |quarterly |year-end |local |national )?(?:target|ambition|goal)\b"
            r"(?!\s+(?:areas?|wards?|groups?|schools?|cohorts?|populations?|audiences?|dates?|families|households)\b)"
            # "short of the 45% contract level", "below the 45% the provider contract requires"
            r"|contract(?:ed|ual)? (?:level|target|requirement|standard)\b|(?:the )?(?:[a-z]+ ){0,2}contract requires\b"
        ),
    ),
    RoleRule(
        # "A further 150 places are planned by September 2025", "200 homes are due to be completed"
        "role.target.planned",
        "target",
        after=_a(
            r"(?:[a-z]+ ){0,3}(?:are|is) (?:planned|proposed|due|scheduled|to be (?:built|opened|created|delivered))\b"
        ),
    ),
    RoleRule(
        # "Domestic abuse-related crimes rose 2.7% to 4,402": the amount the verb moved by, straight after it
        "role.change.moved",
        "change",
        before=re.compile(r"\b(?:rose|fell|grew|dropped|declined|climbed|jumped)\s*$", re.I),
        after=None,
    ),
    RoleRule(
        "role.change.by",
        "change",
        before=_b(
            r"(?:increase[ds]?|rise|rises|rose|risen|fall|falls|fell|fallen|drop|dropped|reduction|reduced|decrease[ds]?|"
            r"improvement|improved|grown|growth|grew|up|down|higher|lower|declined?|increasing|decreasing|narrowed|"
            r"widened|closed)"
            r"(?: \w+){0,2}? (?:by|of)(?: around| about| approximately| nearly| almost| over| more than)?"
            r"|\b(?<!make )(?<!makes )(?<!made )(?:up|down)(?: by)?"
        ),
    ),
    RoleRule(
        "role.change.after",
        "change",
        after=_a(
            r"(?:percentage points? )?(?:increase|rise|reduction|decrease|fall|drop|improvement|uplift|growth)\b(?! (?:than|on|from))"
        ),
    ),
    RoleRule(
        "role.baseline.base",
        "baseline",
        before=_b(
            r"(?:from a (?:base|baseline|starting point|position) of|baseline of|up from|down from|compared (?:with|to)|"
            r"\b(?:to|at) [\d.,]+(?:%| per cent)?, from|since [\w\s–-]{3,20}, when|"
            r"from (?:a low|a high) of|previously|was previously|"
            r"(?:(?:increase|rise|reduction|decrease|fall|drop|improvement|change|down|up|move|shift)s?|increased|reduced|"
            r"decreased|fell|fallen|rose|risen|dropped|improved|declined|grown|grew) (?:from|on)"
            r"(?: an? (?:average|base|baseline|high|low|peak) of)?)"
            r"(?: around| about| over| approximately)?"
        ),
    ),
    RoleRule(
        # "fell to 1,106 offences from 1,247", "stood at 7,036 incidents in the 12 months to September against
        # 8,417", "2,215 offences against 1,684", "rose to 412 (376)": the figure the first one is compared with
        "role.baseline.then",
        "baseline",
        before=_b(
            r"(?:\b(?:to|at)|^|[:;(]) ?[\d.,]+(?:%| per cent| per [\d,]+)?(?: [a-z’'-]+){0,3}"
            r"(?: (?:in|by|over|during|for) (?:the )?[\w /–-]{1,30}?)?,? (?:from|against|versus|vs\.?)"
        ),
    ),
    RoleRule(
        # "(2,811 in the previous year)", "against 42.6 a year ago", "(8,417 in the previous 12 months)"
        "role.baseline.earlier",
        "baseline",
        after=_a(
            r"(?:[a-z]+ ){0,2}?(?:(?:in|at|for|during|over|on) )?(?:the )?(?:previous|prior|preceding) "
            r"(?:year|quarter|month|period|financial year|12 months|twelve months|three months|six months)\b"
            r"|(?:[a-z]+ ){0,2}?(?:(?:in|at|for|during|over) )?(?:the )?same (?:quarter|period|month|point|time) "
            r"(?:last|a|the previous) year\b"
            r"|(?:[a-z]+ ){0,2}?(?:a|one|twelve months|12 months) (?:year )?(?:earlier|ago|before)\b"
        ),
    ),
    RoleRule(
        # "(target 250; last quarter 219; same quarter last year 241)", "(target 380; 31 March 2025 398)", "(…;
        # 2024/25 outturn 507; end of Quarter 1 212)": earlier periods listed beside a figure to compare with it
        "role.baseline.listed",
        "baseline",
        before=_listed(
            r"[(;]\s*(?:(?:last|previous|prior) (?:quarter|month|year)|same (?:quarter|point|period|month|time|week) "
            r"(?:last|a|the previous) year|(?:at the )?end of (?:quarter|q) ?[1-4]|\d{4}/\d{2}(?: outturn| out-turn)?|"
            rf"(?:\d{{1,2}} )?{MONTH_RE}(?: \d{{4}})?(?: (?:to|–|-) {MONTH_RE})? \d{{4}}|"
            rf"(?:the )?(?:12|24|3|6) months to {MONTH_RE} \d{{4}}|"
            # "(Quarter 1: 23)", "(2023: 338)", "(30 September: 158)"
            rf"(?:quarter|q) ?[1-4](?: \d{{4}}/\d{{2}})?:|(?:19|20)\d{{2}}:|\d{{1,2}} {MONTH_RE}:)"
            # "A year ago: 212 secs" on a tile's comparison line
            r"|(?:^|[(;.]\s*|\n)(?:a year (?:ago|earlier)|last year|same (?:quarter|period|month) last year):"
            # "(52.8%; same period of 2024: 49.0%)"
            r"|[(;]\s*(?:the )?same (?:quarter|period|month|point) (?:of|in) (?:19|20)\d{2}(?:/\d{2})?:"
        ),
    ),
]

# "above national averages, at around 85%": the comparator is named to say how this figure compares
_BEATS = re.compile(
    r"\b(?:above|below|than|exceeds?|exceeding|exceeded|outperform\w*|better|worse|beyond|in line with)\s+(?:the\s+)?$",
    re.I,
)
_RANGING = re.compile(r"\b(?:rang(?:ing|ed|es)|var(?:ying|ied|ies))\s+from\s*$", re.I)
_RANGE = re.compile(
    r"\b(?:between|ranging from|ranged from|ranging between|ranged between|varied between|varying between|from)\s*$",
    re.I,
)


_BRACKET_GAP = re.compile(r"^(?: [a-z’'-]+){0,2} \($")
_CHANGED_TO = re.compile(
    r"\b(?:rose|risen|fell|fallen|increased|decreased|dropped|reduced|grew|grown|improved|declined) to\s*$", re.I
)
_ASIDE = re.compile(r"^[\w ,'’-]{0,25}\((?:or |a rate of |that is |i\.e\.? )?$")
_PAIR = re.compile(r"^\s*(?:and|,|, and)\s*$")
_COMPARED_BEFORE = re.compile(
    r"\b(?:compared\s+(?:with|to)|against|than|versus|vs\.?|(?:england|nationally|region|statistical\s+neighbours|"
    r"south\s+east|south\s+west|north\s+east|north\s+west|midlands|humber|east\s+of\s+england)\s+and)\s*$",
    re.I,
)


def classify_role(sentence: str, figure: NumberMention, figures: list[NumberMention]) -> tuple[str, str]:
    """The figure's role and the id of the rule that decided it."""
    role, rule = _own_role(sentence, figure, figures)
    index = figures.index(figure)
    nxt = figures[index + 1] if index + 1 < len(figures) else None
    if (
        role in ("actual", "baseline")
        and nxt is not None
        and nxt.unit == figure.unit
        and _PAIR.match(sentence[figure.unit_end : nxt.start])
        and _COMPARED_BEFORE.search(sentence, max(0, figure.start - 40), figure.start)
        and _own_role(sentence, nxt, figures)[1] == "role.benchmark.after"
    ):
        # "compared with 9.2% and 22.7% in England": the first of a pair plays the second one's part
        return "benchmark", "role.pair.before"
    if rule != "role.actual":
        return role, rule
    if index == 0:
        return role, rule
    prev = figures[index - 1]
    gap = sentence[prev.unit_end : figure.start]
    if _ASIDE.match(gap) and ")" in sentence[figure.unit_end : figure.unit_end + 25]:
        # "an increase from 331 children (54 per 10,000) at 31 March": the aside restates the baseline
        prev_role, _ = classify_role(sentence, prev, figures)
        if prev_role in ("baseline", "benchmark", "target", "forecast", "change"):
            return prev_role, "role.aside"  # "fell by 165 offences (5.5%)": the change restated
    if (
        prev.unit == figure.unit
        and _BRACKET_GAP.match(gap)
        and _CHANGED_TO.search(sentence, 0, prev.start)
        and sentence[figure.unit_end : figure.unit_end + 1] == ")"
    ):
        return "baseline", "role.baseline.then"  # "rose to 412 (376)": the earlier figure, bare in a bracket
    if _PAIR.match(gap) and prev.unit == figure.unit:
        # "down from 0.9% and 8.1% respectively": the second of a pair plays the first one's part
        prev_role, _ = classify_role(sentence, prev, figures)
        if prev_role in ("baseline", "benchmark", "forecast"):
            return prev_role, "role.pair"
    return role, rule


_WILL = re.compile(
    r"\bwill (?:reach|be|rise to|fall to|increase to|grow to|total|exceed)(?: around| about| some)?\s*$", re.I
)
_FORECAST_WORD = re.compile(
    r"\b(?:forecasts?|projections?|projected|predictions?|predicted|modelling|estimates?)\b", re.I
)


def _own_role(sentence: str, figure: NumberMention, figures: list[NumberMention]) -> tuple[str, str]:
    """The role read from the figure's own context."""
    if _WILL.search(sentence, 0, figure.start) and _FORECAST_WORD.search(sentence, 0, figure.start):
        # "The projection for 2022–23 assumes that the number of households … will reach 240"
        return "forecast", "role.forecast.will"
    # line breaks inside a PDF sentence read as spaces for the phrase rules
    before = sentence[max(0, figure.start - 90) : figure.start].replace("\n", " ")
    after = sentence[figure.unit_end : figure.unit_end + 60].replace("\n", " ")
    index = figures.index(figure)
    nxt = figures[index + 1] if index + 1 < len(figures) else None
    prev = figures[index - 1] if index > 0 else None
    # ranges: "between 20% and 59%", "ranging from 3 to 12"; a bare "from X to Y" is a baseline and a value
    if nxt is not None and nxt.unit == figure.unit and _RANGE.search(before):
        gap = sentence[figure.unit_end : nxt.start]
        if re.fullmatch(r"\s*(?:and|to|-|–)\s*", gap):
            if before.rstrip().lower().endswith("from") and not _RANGING.search(before):
                return "baseline", "role.baseline.from_to"
            return "range_low", "role.range"
    if prev is not None and prev.unit == figure.unit:
        gap = sentence[prev.unit_end : figure.start]
        prev_before = sentence[max(0, prev.start - 40) : prev.start]
        from_only = prev_before.rstrip().lower().endswith("from") and not _RANGING.search(prev_before)
        if re.fullmatch(r"\s*(?:and|to|-|–)\s*", gap) and _RANGE.search(prev_before) and not from_only:
            return "range_high", "role.range"
    for rule in ROLE_RULES:
        if rule.before is not None:
            m = rule.before.search(before)
            # "above national averages, at around 85%" (the subject's figure) but "exceeds the national
            # average of 69%" (the comparator's figure)
            if m and not (rule.role == "benchmark" and "," in m.group(0) and _BEATS.search(before, 0, m.start())):
                return rule.role, rule.id
        if rule.after is not None and rule.after.search(after):
            return rule.role, rule.id
    # "from 89% in August 2020 to 98% currently": the first of a from/to pair is the baseline
    if nxt is not None and re.search(
        r"\bfrom\s+(?:an?\s+(?:average|base|baseline|high|low|peak)\s+of\s+|around\s+|about\s+|over\s+)?$", before, re.I
    ):
        between = sentence[figure.unit_end : nxt.start]
        if re.search(r"\bto\b", between, re.I) and len(between) < 80:
            return "baseline", "role.baseline.from_to"
    return "actual", "role.actual"
