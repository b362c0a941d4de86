"""Find numeric figures in a sentence (value, unit, exact span) and reject numbers that are not figures."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.number_words import words_to_number

_WORD_RE = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|ten"
    r"|two|three|four|five|six|seven|eight|nine|one hundred|a hundred|hundred)"
)
_MONTH_NAMES = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
PARA_NUMBER = (
    r"(?:\d{1,2}(?:\.\d{1,2})+\.?(?=\s)(?!\s*(?:%|per\s?cent\b|percent\b|per\s+1|FTE\b))|\d{1,3}[.)](?=\s)|\(\d{1,2}\)|[a-z]{1,3}\)|"
    r"\d{1,2}(?=[ \t]+(?!FTE\b|" + _MONTH_NAMES + r")[A-Z•·▪*]))"
)
"""A paragraph or list number at the start of a line: 2.4, 3., (2), b), or "1 I am providing"."""
NUM = r"(?<![\w.,/£$-])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\w|[.,]\d|-[A-Za-z])"
WORD = rf"(?<![\w-])(?P<word>{_WORD_RE})(?![\w-])"


@dataclass(frozen=True)
class NumberMention:
    """A candidate figure: where its value text sits in the sentence, the parsed value and unit, the rule."""

    start: int
    end: int
    value: float
    unit: str
    rule: str
    unit_end: int
    """Where the figure's unit phrase ends (``% of`` …), for reading the label that follows."""
    in_words: bool = False


_RATE_PEOPLE = r"(?:\s(?:children|young people|people|residents|adults|pupils|households|births))?"
# Unit rules: the number then what follows it. (rule id, unit, pattern after the number)
_UNIT_RULES: list[tuple[str, str, re.Pattern[str]]] = [
    ("num.percent", "percent", re.compile(r"\s?(?:%|per\s?cent\b|percent\b|pc\b)", re.I)),
    ("num.percentage_points", "percent", re.compile(r"\s?(?:percentage points?|pp|% points?)\b", re.I)),
    # "36 per 10,000", "20.7 children per 10,000 population": the counted people may stand between
    ("num.rate10k", "rate_per_10000", re.compile(_RATE_PEOPLE + r"\s?(?:per|in every|for every)\s+10,?000\b", re.I)),
    ("num.rate100k", "rate_per_100000", re.compile(_RATE_PEOPLE + r"\s?(?:per|in every|for every)\s+100,?000\b", re.I)),
    (
        "num.rate1k",
        "rate_per_1000",
        re.compile(_RATE_PEOPLE + r"\s?(?:per|in every|for every)\s+1,?000\b(?!,?\d)", re.I),
    ),
    ("num.fte", "fte", re.compile(r"\s?(?:FTE|full[- ]time equivalents?)\b")),
    ("num.score", "score", re.compile(r"\s?/\s?(?:10|5|100)\b(?!\d)|\s+out of\s+(?:10|ten|5|five)\b")),
    ("num.days", "days", re.compile(r"\s(?:calendar\s+)?days?\b")),
    ("num.weeks", "weeks", re.compile(r"\s(?:weeks?)\b")),
    ("num.months", "months", re.compile(r"\s(?:months?)\b")),
]
_MONEY = re.compile(
    r"(?<![\w])£\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s?(?P<scale>m\b|million\b|k\b|bn\b|billion\b))?"
)
_SCALES = {"m": 1e6, "million": 1e6, "k": 1e3, "bn": 1e9, "billion": 1e9}
_SMALL_WORDS = r"(?:one|two|three|four|five|six|seven|eight|nine|ten)"
PROPORTION = re.compile(
    rf"(?<![\w.,-])(?P<n>{_SMALL_WORDS}|\d{{1,2}})\s+in\s+(?:every\s+)?(?P<m>{_SMALL_WORDS}|twenty|fifty|hundred|\d{{1,3}})\b"
    r"(?![\w,.]\d|\s*%|\s*(?:per\s?cent|years?|months?|weeks?|days?)\b)",
    re.I,
)
"""'one in four families', '1 in 10 children', 'Two in three participants': a share, as a percentage."""
_NUM_RE = re.compile(NUM)
_WORD_NUM_RE = re.compile(WORD, re.I)

# Spans that look like numbers but are not figures. (rule id, pattern); any number inside is dropped.
_NOT_FIGURES: list[tuple[str, re.Pattern[str]]] = [
    ("not.phone", re.compile(r"(?<![\w.,])(?:\+44[\s-]?(?:\(0\))?|\(0\d{2,4}\)\s?|0)\d(?:[\s-]?\d){8,10}(?!\d|,\d)")),
    (
        "not.day_month",
        re.compile(
            r"\b\d{1,2}(?:st|nd|rd|th)?(?:\s*,\s*\d{1,2}(?:st|nd|rd|th)?)*(?:\s*(?:and|to|&|-|–)\s*\d{1,2}(?:st|nd|rd|th)?)?"
            r"\s+" + _MONTH_NAMES + r"\b|\b" + _MONTH_NAMES + r"\s+\d{1,2}(?:st|nd|rd|th)?,"
        ),
    ),
    (
        "not.time",
        re.compile(r"\b\d{1,2}[:.]\d{2}\s?(?:am|pm|a\.m\.|p\.m\.)?|\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)\b", re.I),
    ),
    # "Quarter 4", "Period 6" name a period ("During the quarter 1,822 households …" is a figure)
    (
        "not.quarter",
        re.compile(r"\b(?:Quarters?|Qtr)\s+[1-4](?![\d,.]\d)|\bPeriods?\s+(?:1[0-3]|[1-9])(?![\d,.]\d)", re.I),
    ),
    ("not.ordinal", re.compile(r"\b\d+(?:st|nd|rd|th)\b", re.I)),
    (
        "not.reference",
        re.compile(
            r"\b(?:Articles?|Sections?|s\.|Paragraphs?|paras?\.?|Regulations?|Schedules?|Parts?|Chapters?|"
            r"Recommendations?|Appendix|[Gg]rades?|Appendices|Annex(?:es)?|Tables?|Figures?|Fig\.|Items?|Agenda item|"
            r"pages?|pp?\.|No\.|Nos\.|numbers?|Priority|Priorities|Level|Levels|Tier|Stages?|Key Stages?|KS|"
            r"Year|Years|Phase|Ward|Room|Version|v|Rule|Standard|Clause|Option|Objective|Outcome|Action|"
            r"Minute|Minutes|Step|Principle|Question|Q|Box|Chart|Graph|Point|Points|Area|Areas|"
            r"Ofsted Recommendation|Category|Categories|Cat\.?|Lot|Lots|Month|Band|Bands)"
            r"\s+(?!(?:19|20)\d\d\b)\d+(?:\.\d+)*[A-Za-z]?"
            r"(?:\s*(?:,|and|or|&|to|-|–)\s*\d+(?:\.\d+)*[A-Za-z]?(?![\d.]*\s*(?:%|per\s?cent)))*",
            re.I,
        ),
    ),
    (
        "not.identifier",
        re.compile(
            r"\b(?:reference number|ref(?:erence)?\.?|URN|UPRN|unique reference number|case number|ID|no\.)\s*:?\s*[A-Z]{0,3}\d+\b",
            re.I,
        ),
    ),
    # an indicator's code ("NI 192", "ASCOF 2A(1)", "1C(2)") or a zero-padded row number ("08") names a row
    (
        "not.indicator_code",
        re.compile(
            r"\b(?:NI|BVPI|BV|ASCOF|KPI|LPI|PI)\s?\d+[A-Z]?(?:\s?\(\d\))?|\b\d[A-Z](?:\s?\(\d\))?(?![\w(])|\b\d[A-Z]\(\d\)|"
            r"(?<![\w.,£$])0\d(?![\d.,%]|\s*(?:per\s?cent|percent))"
        ),
    ),
    (
        "not.address",
        re.compile(
            r"\b\d{1,4}[A-Za-z]?(?:\s*[–-]\s*\d{1,4}[A-Za-z]?)?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|Road|Avenue|Lane|Way|Close|Drive|Place|Square|Court|"
            r"Crescent|Gardens|Terrace|Park|Hill|Walk|Row|Parade)\b"
        ),
    ),
    # "24/01192/FUL", "APP/X1234/W/25/3345678": a planning application's or appeal's reference
    ("not.planning_reference", re.compile(r"\b(?:\d{2}/\d{3,6}/[A-Z]{2,6}|APP/[A-Z]\d{4}/[A-Z]/\d{2}/\d{5,8})\b")),
    # "routes 14, 14A and 27", "the A6180": bus routes and road numbers
    (
        "not.route",
        re.compile(
            r"\b(?:routes?|services?\s+(?=\d+[A-Z]?\s*(?:,|and|&)))\s+\d{1,3}[A-Z]?(?:\s*(?:,|and|&)\s*\d{1,3}[A-Z]?)*\b",
            re.I,
        ),
    ),
    # "(CYP 2)", "(CS 1 and CS 2)", "(TP01)": a measure's code in brackets after its heading
    (
        "not.code_in_brackets",
        re.compile(r"\(\s*[A-Z]{2,5}\s?\d{1,3}[a-z]?(?:\s*(?:,|and|&|/)\s*[A-Z]{2,5}\s?\d{1,3}[a-z]?)*\s*\)"),
    ),
    # "by calling 101", "on 999 in an emergency", "(999 in an emergency)", "Samaritans on 116 123": a telephone number
    (
        "not.phone_short",
        re.compile(
            r"\b(?i:call(?:ing|s)?|dial(?:ling)?|ring(?:ing)?|phon(?:e|ing)|telephon(?:e|ing)|text(?:ing)?)\s+"
            r"(?:101|999|111|112|116\s?\d{3})\b|\b(?i:on|or)\s+(?:999|116\s\d{3})\b|"
            # "call 101 (999 in an emergency)"
            r"\b999(?=\s+(?i:in\s+(?:an?\s+)?|for\s+)?emergenc)|"
            # "report crime on 101, or 999 in an emergency", "emergency (999) calls"
            r"\b(?i:on)\s+101(?=\s*(?:,|or\b|\.|$))|\(\s*999\s*\)"
        ),
    ),
    ("not.named_measure", re.compile(r"\b(?:Attainment|Progress)\s+8\b|\bEBacc\b|\bKS\d\b|\bNHS\s+111\b")),
    ("not.act", re.compile(r"\b(?:Act|Regulations|Order|Rules|Measure|Code)\s+(?:of\s+)?(?:19|20)\d{2}\b")),
    (
        "not.age",
        re.compile(
            r"\b(?:aged(?:\s+(?:under|over|between))?|ages?|age of|under the age of|over the age of|between the ages of|up to the age of)\s+(?:\d+|"
            + _WORD_RE
            + r")"
            r"(?:\s*(?:-|–|to|and)\s*(?:\d+|"
            + _WORD_RE
            + r"))?|\b\d+\s*(?:-|–|to)\s*\d+[- ]year[- ]olds?\b|\b\d+[- ]years?[- ]olds?\b|"
            r"\b\d+\s+years\s+old\b|\b\d+-?\s*(?:and|or|to)\s*\d+[- ]year[- ]olds?\b|\b\d+[- ]year[- ]olds?\b|\b\d+\s*(?:and|to|-|–)\s*\d+\s+years\s+of\s+age\b|"
            r"\b\d+\s+years\s+of\s+age\b|\b(?:those|people|children|young people|pupils|adults)\s+(?:over|under|aged)\s+\d+(?:\s*(?:-|–|to|and)\s*\d+)?\b|\b(?:in\s+)?(?:their|the)\s+\d0s\b|\b\d0s\b|\b(?:under|over)[- ](?:[5-9]|1\d|2[0-5])s\b|\bunder[- ](?:[5-9]|1\d|2[0-5])(?=[- ]year)|\b\d{1,2}\+",
            re.I,
        ),
    ),
    (
        "not.standard",
        re.compile(
            r"\b(?:within|in under|no (?:more|later) than|at least every|every|each|beyond|exceeding|outside)\s+(?:the\s+)?"
            r"(?:required\s+|statutory\s+|agreed\s+)?"
            r"(?:\d+|"
            + _WORD_RE
            + r")(?:[-\s](?:working|school|calendar|clear))?[-\s](?:(?:working|school|calendar|clear)\s+)?"
            r"(?:days?|weeks?|months?|hours?|hour|day|week|month|seconds|minutes|mins|secs)(?:[- ]period)?\b",
            re.I,
        ),
    ),
    (
        # "none has stayed longer than six weeks", "for more than 18 months": a threshold, not a measurement
        "not.threshold",
        re.compile(
            # "most social workers now hold fewer than 20 children": a caseload limit
            r"\bhold(?:s|ing)?\s+(?:no\s+more|fewer|more|less)\s+than\s+\d+\b|"
            r"\b(?:longer|more|less|fewer|shorter)\s+than\s+(?:\d+|"
            + _WORD_RE
            + r")\s+(?:working\s+|calendar\s+)?(?:days?|weeks?|months?|years?)\b",
            re.I,
        ),
    ),
    # "within 5% of target", "more than 5% from target": a RAG rating's margin, not a measurement
    (
        "not.rag_margin",
        re.compile(
            r"\b(?:within|more\s+than|over|less\s+than|under|at\s+least)\s+\d+(?:\.\d+)?\s*(?:%|per\s?cent)\s+"
            r"(?:of|from|below|above|outside|off)\s+(?:the\s+|its\s+)?(?:target|it\b|them\b|England|the\s+England)",
            re.I,
        ),
    ),
    # "6 are green, 4 amber and 9 red", "19 have a target", "three indicators have been added": counts of a
    # report's own measures by status, not measurements
    (
        "not.measure_count",
        re.compile(
            r"\b(?:\d+|"
            + _WORD_RE
            + r")\s+(?:(?:are|were|is|was|have\s+been|has\s+been|rated|measures?|indicators?)\s+)*(?:green|amber|red)\b"
            r"(?![\w-])|"
            r"\b\d+\s+(?:have|has|had)\s+(?:a\s+)?targets?\b|"
            # "3 are for monitoring only", "4 have worsened and 0 are unchanged"
            r"\b\d{1,3}\s+(?:are|were)\s+(?:for\s+)?(?:monitoring|information)\b|"
            r"\b\d{1,3}\s+(?:have|has)\s+(?:improved|worsened|deteriorated|stayed\s+the\s+same)(?=[\s,;.])|"
            # "green for 2, amber for 11 … and red for 5"; "6 are better than the England average, 6 are similar"
            r"\b(?:green|amber|red)\s+for\s+\d{1,3}\b|"
            r"\b\d{1,3}\s+(?:are|were)\s+(?:better|worse|similar)\b|\band\s+\d{1,3}\s+(?:are|were)\s+worse\b|"
            r"\b\d{1,3}\s+(?:met|missed)\s+(?:their|its|the)\s+targets?\b|"
            r"\b\d{1,3}\s+(?:are|is)\s+(?:unchanged|the\s+same|stable)\b|"
            # "two are now reported annually", "3 are no longer reported": measures moved out of the report
            r"\b(?:\d{1,2}|"
            + _WORD_RE
            + r")\s+(?:are|is|were|was)\s+(?:now\s+|no\s+longer\s+)(?:reported|measured|shown|collected)\b|"
            r"\b(?:\d+|"
            + _WORD_RE
            + r")\s+(?:of\s+(?:the|our)\s+\d+\s+)?(?:(?:corporate|key|performance|new|headline)\s+)*"
            r"(?:indicators|measures|KPIs|PIs)\b",
            re.I,
        ),
    ),
    # "the 20-week limit", "a 20 working day limit": a statutory time limit, not a measurement
    (
        "not.limit",
        re.compile(
            r"\b\d+[- ]?\s?(?:working\s+|calendar\s+)?(?:days?|weeks?|months?)[- ](?:limit|timescale|deadline)\b", re.I
        ),
    ),
    # "quit at 4 weeks", "breastfed at 6 to 8 weeks": the time point a measure is taken at
    (
        "not.time_point",
        re.compile(
            r"\bat\s+(?:\d+|"
            + _WORD_RE
            + r")(?:\s*(?:-|–|to|and)\s*(?:\d+|"
            + _WORD_RE
            + r"))?\s+(?:weeks?|months?|days?)\b",
            re.I,
        ),
    ),
    # "Food businesses rated 4 or 5", "rated 5": a rating band in a measure's name
    # "a food hygiene rating of 4 or 5" too
    (
        "not.rating_band",
        re.compile(r"\b(?:rated|ratings?\s+of)\s+\d(?:\s*(?:,|or|and|to|-|–)\s*\d)*\b(?!\s*(?:%|per\s?cent))", re.I),
    ),
    # "care leavers aged 19, 20 and 21", "children (under 16)": ages listed in a measure's name
    (
        "not.age_list",
        re.compile(
            r"\baged\s+\d{1,2}(?:\s*,\s*\d{1,2})*\s*(?:,?\s*(?:and|or)\s*\d{1,2})\b|\(\s*(?:aged\s+)?under\s+\d{1,2}s?\s*\)",
            re.I,
        ),
    ),
    (
        "not.wards",
        re.compile(
            r"\b(?:Wards?|(?:Electoral\s+)?divisions?)(?:\s+affected)?\s*:?\s*all(?:\s+(?:wards|divisions))?\s*\(?\d+\)?",
            re.I,
        ),
    ),
    # "31 were on track, 3 within tolerance and 12 off track": counts of a report's measures by status
    (
        "not.measure_status",
        re.compile(
            r"\b(?:\d+|"
            + _WORD_RE
            + r")\s+(?:(?:are|were|is|was)\s+)?(?:on\s+track|off\s+track|within\s+tolerance|on\s+target|"
            r"off\s+target|close\s+to\s+target)\b",
            re.I,
        ),
    ),
    # "Rolling 12 months", "24 months to the end of the quarter", "12 months ending June": a measure's window
    (
        "not.rolling_window",
        re.compile(
            r"\brolling\s+(?:\d+|"
            + _WORD_RE
            + r")[- ]months?\b|\b\d+\s+months?\s+(?:to|ending|ended)\s+(?:the\s+end\b|end\b|\d|(?:jan|feb|mar|apr|may|"
            r"jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)",
            re.I,
        ),
    ),
    ("not.scope", re.compile(r"\bscopes?\s+\d(?:\s*(?:,|and|&)\s*\d)*\b", re.I)),
    # "passed 1,000 for the first time: 1,012 at 31 March": a round mark passed, not the count
    (
        "not.mark_passed",
        re.compile(
            r"\b(?:passed|exceeded|topped|surpassed|broke)\s+(?:the\s+)?\d[\d,]*(?:\s+mark)?\s+for\s+the\s+first\s+time\b",
            re.I,
        ),
    ),
    # "designates an authority as underperforming if fewer than 60% of major or 70% of non-major decisions are in
    # time", "the national designation threshold of 60%": the government's bar, not the council's figure
    (
        "not.designation_threshold",
        re.compile(
            r"\bdesignation\s+threshold\s+(?:of\s+)?\d+(?:\.\d+)?\s*%|"
            r"\b(?:underperforming|designat\w+)\b[^.;]{0,80}?\b(?:fewer|less)\s+than\s+\d+(?:\.\d+)?\s*%\s+of\s+"
            r"(?:major|non-major|minor|other)\b(?:\s+(?:or|and)\s+\d+(?:\.\d+)?\s*%\s+of\s+(?:major|non-major|minor|"
            r"other)\b)?",
            re.I,
        ),
    ),
    ("not.hours", re.compile(r"\b(?:\d+|" + _WORD_RE + r")[- ]hours?\b", re.I)),
    # "The scorecard contains 19 indicators, 18 of them with a target", "Fifteen of the seventeen measures", "KPIs 1
    # to 8", "Twelve are measured through a survey": the report's own measures counted, not a measurement
    (
        "not.report_structure",
        re.compile(
            r"\b(?:\d+|" + _WORD_RE + r")\s+(?:of\s+(?:(?:the|our|its)\s+)?(?:\d+|" + _WORD_RE + r")\s+)?"
            r"(?:(?:new|local|key|performance|corporate|headline|other)\s+)?(?:indicators|measures|kpis|pis)\b"
            r"|\b(?:indicators|measures|kpis)\s+\d+\s+(?:to|and|-|–)\s+\d+\b"
            r"|\b(?:\d+|" + _WORD_RE + r")\s+of\s+them\s+with\s+an?\s+(?:\d{4}/\d{2}\s+)?target\b"
            r"|^\s*(?:\d+|" + _WORD_RE + r")\s+are\s+(?:measured|calculated|collected)\b",
            re.I,
        ),
    ),
    # "still at home 91 days later", "risen for three quarters in a row", "reported three months in arrears", "for up
    # to six weeks", "the 95% confidence level", "Reference no: 80126": a definition, a run, a lag or a reference
    (
        "not.duration_or_reference",
        re.compile(
            r"\b(?:\d+|" + _WORD_RE + r")\s+(?:days?|weeks?|months?|quarters?|years?)\s+(?:later|in\s+a\s+row|running|"
            r"in\s+arrears|behind)\b|\bup\s+to\s+(?:\d+|" + _WORD_RE + r")\s+(?:days?|weeks?|months?)\b"
            r"|\b\d+\s*%\s+confidence\b|\bconfidence\s+(?:level|interval)\s+(?:of\s+)?\d+\s*%"
            r"|\b(?:reference\s+(?:no|number)|urn|ref)\.?\s*:?\s*\d+\b",
            re.I,
        ),
    ),
    # "stage one and stage two complaints", "seconded two days a week": a stage's name, a working pattern
    (
        "not.stage_or_pattern",
        re.compile(
            r"\bstage\s+(?:one|two|three|four)\b|\b(?:\d|one|two|three|four|five)\s+days?\s+(?:a|per|each)\s+week\b",
            re.I,
        ),
    ),
    (
        "not.distance",
        re.compile(
            r"\b(?:more\s+than|over|within|under|less\s+than|up\s+to)\s+\d+\s+(?:miles?|km|kilometres?)\b", re.I
        ),
    ),
    (
        "not.definition_after",
        re.compile(
            r"\b\d+\s+(?:days?|weeks?|months?)\s+(?:after|following)\s+(?:their\s+|the\s+)?(?:discharge|admission|"
            r"leaving|referral|birth|diagnosis|placement|assessment|reablement|hospital)\b",
            re.I,
        ),
    ),
    (
        "not.definition",
        re.compile(
            r"\b\d+\s+(?:(?:calendar|working|school|clear)\s+)?(?:days?|weeks?|months?|hours?|nights?)(?:\s+\w+)?\s+or\s+"
            r"(?:less|more|fewer|longer)\b|"
            # "3 or more placements in 12 months", "missing 10% or more of possible sessions": a measure's threshold
            r"\b\d+\s+or\s+more\s+(?:placements?|moves|times|occasions|admissions|episodes|referrals|plans|incidents|"
            r"visits|sessions|changes)\b|\bmissing\s+\d+(?:\.\d+)?%\s+or\s+more\b",
            re.I,
        ),
    ),
    # "looked at the records of 58 children", "spoke to 23 social workers", "an audit of 20 step-ups", "36% of the 96
    # case audits": what inspectors or auditors sampled, not a measurement
    (
        "not.sample",
        re.compile(
            r"\b(?:records|case\s+files|files)\s+of\s+(?:the\s+)?\d[\d,]*\b|"
            r"\b(?:spoke|talked|met)\s+(?:to|with)\s+(?:the\s+)?\d[\d,]*\b|"
            r"\b(?:an?|the|our)\s+(?:(?:dip|random|case|themed|multi-agency)[- ])?(?:audit|sample|review)\s+of\s+(?:the\s+)?"
            r"\d[\d,]*\b(?!\s*(?:%|per\s?cent))|"
            r"(?<=%)\s+of\s+the\s+\d[\d,]*\s+(?:case\s+)?(?:audits|cases\s+audited|files|records|cases\s+(?:sampled|reviewed))\b|"
            # "the survey was sent to 1,180 people", "read 28 of the local authority's own case audits"
            r"\b(?:sent|posted|emailed|issued)\s+to\s+\d[\d,]*\s+(?:people|residents|adults|carers|tenants|households|"
            r"service\s+users|clients|parents)\b|\bread\s+\d[\d,]*\s+of\s+the\b",
            re.I,
        ),
    ),
    # "the most deprived 20% of wards", "the 10% most deprived areas": a deprivation band, not a measurement
    (
        "not.deprivation_band",
        re.compile(r"\b(?:most|least)\s+deprived\s+\d+\s*%|\b\d+\s*%\s+(?:most|least)\s+deprived\b", re.I),
    ),
    # "up to 80% of their liability", "a range of 28% to 40%": an entitlement or a recommended range
    (
        "not.entitlement",
        re.compile(
            r"\bup\s+to\s+\d+(?:\.\d+)?\s*%\s+of\s+(?:their|the|its|a|his|her)\b|"
            r"\b\d+(?:\.\d+)?\s*%\s+(?:to|-|–)\s+\d+(?:\.\d+)?\s*%\s+range\b",
            re.I,
        ),
    ),
    # "the plan's 5 priorities", "four areas for improvement", "the 3 priorities in section 8": a plan's structure
    (
        "not.plan_structure",
        re.compile(
            r"\b(?:\d{1,2}|"
            + _WORD_RE
            + r")\s+(?:(?:key|strategic|improvement|headline)\s+)?(?:priorities|areas\s+for\s+(?:improvement|priority\s+action)|"
            r"recommendations|workstreams|strategic\s+objectives)\b",
            re.I,
        ),
    ),
    ("not.page_number", re.compile(r"^\s*Page\s+\d{1,4}(?:\s+of\s+\d{1,4})?\s*$", re.I)),
    ("not.para", re.compile(r"(?:(?<=\n)|^)[ \t]*" + PARA_NUMBER)),
    ("not.covid", re.compile(r"\bCovid[- ]?\s?19\b", re.I)),
    (
        "not.window",
        re.compile(
            r"\b(?:in|over|during|across|for|within|after|past|last|next|previous|first|every|each|the)\s+"
            r"(?:the\s+)?(?:last|past|next|previous|first|coming|following|preceding|subsequent)?\s*"
            r"(?:at least\s+|more than\s+|over\s+|around\s+)?(?:\d+|"
            + _WORD_RE
            + r")\s+(?:(?:working|school|calendar)\s+)?(?:days?|weeks?|months?|years?|nights?)\b",
            re.I,
        ),
    ),
    ("not.short_year_span", re.compile(r"\b(?:FY\s?)?\d{2}/\d{2}\b(?!/)")),
    ("not.date", re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")),
    # "per 1,000", "102.6 for every 1,000 pupils": the base of a rate
    ("not.rate_base", re.compile(r"\b(?:per|for\s+every|for\s+each)\s+\d{1,3}(?:,?\d{3})*\b", re.I)),
    # "… per" / "10,000" on the next line of a heading, the words of a neighbouring box between them
    (
        "not.rate_base_split",
        re.compile(r"(?<=\bper\b)[^\d.;:%]{1,60}?(?<![\w,.])(?:1,000|10,000|100,000)\b(?!\s*(?:%|per\b))", re.I),
    ),
    (
        "not.denominator",
        re.compile(
            r"(?<=\d)\s+(?:out\s+)?of\s+(?:the\s+)?\d[\d,]*\b|\b(?:one|\d{1,3})\s+in\s+(?:every\s+)?(?:\d{1,3}(?:,\d{3})?|two|three|four|five|six|seven|eight|nine|ten)\b(?!\s*%)",
            re.I,
        ),
    ),
    ("not.list_marker", re.compile(r"(?:(?<=\n)|^)\s*\(?[a-z0-9]{1,3}\)(?=\s)")),
    ("not.decimal_ref", re.compile(r"(?<![\w.£])\d+\.\d+(?:\.\d+)+")),
    ("not.postcode", re.compile(r"\b[A-Z]{1,2}\d{1,2}[A-Z]?\s\d[A-Z]{2}\b")),
    ("not.trailing_ref", re.compile(r"(?<=[.!?:])\s+\d{1,3}\.?\s*$")),
    ("not.year_span", re.compile(r"\b(?:19|20)\d{2}\s?[-–/]\s?(?:\d{2}|(?:19|20)\d{2})\b")),
]


def blocked_spans(sentence: str) -> list[tuple[int, int, str]]:
    """Spans of the sentence that hold numbers which are not figures, with the rule that blocked them."""
    out = []
    for rule, pattern in _NOT_FIGURES:
        for m in pattern.finditer(sentence):
            if m.end() > m.start():
                out.append((m.start(), m.end(), rule))
    return out


def _parse(num: str) -> float:
    return float(num.replace(",", ""))


def _unit_after(sentence: str, end: int) -> tuple[str, str, int] | None:
    for rule, unit, pattern in _UNIT_RULES:
        m = pattern.match(sentence, end)
        if m:
            return rule, unit, m.end()
    return None


# A unit named before the figure in the same clause: "the rate per 10,000 children … is 45", "the average
# Attainment 8 score … was 44.1". (rule id, unit, pattern on the text before the number)
_UNIT_BEFORE: list[tuple[str, str, re.Pattern[str]]] = [
    ("num.rate10k.before", "rate_per_10000", re.compile(r"\brate\s+per\s+10,?000\b[^.;:]{0,80}$", re.I)),
    ("num.rate100k.before", "rate_per_100000", re.compile(r"\brate\s+per\s+100,?000\b[^.;:]{0,80}$", re.I)),
    (
        "num.score.before",
        "score",
        re.compile(
            r"\bscores?\b[^.;:%]{0,40}\b(?:was|is|of|at|were|stood at|reached)\s+(?:an?\s+)?(?:average\s+of\s+)?$", re.I
        ),
    ),
]


_COMPARED = re.compile(
    r"\b(?:from|on|compared (?:with|to)|than|against|versus|vs\.?)\s+(?:an?\s+)?(?:average\s+of\s+|around\s+|about\s+)?$",
    re.I,
)


def _unit_before(sentence: str, start: int) -> tuple[str, str] | None:
    before = sentence[max(0, start - 140) : start]
    for rule, unit, pattern in _UNIT_BEFORE:
        if pattern.search(before):
            return rule, unit
    return None


def _small_number(text: str) -> float | None:
    if text.isdigit():
        return float(text)
    if text.lower() == "one":
        return 1.0
    return words_to_number(text)


def _is_bare_year(value_text: str, value: float) -> bool:
    return bool(re.fullmatch(r"(?:19[5-9]\d|20[0-4]\d)", value_text)) and 1950 <= value <= 2049


_ANY_NUMBER = re.compile(r"\d|" + _WORD_RE, re.I)


def find_numbers(sentence: str) -> list[NumberMention]:
    """Candidate figures in a sentence, before period and role are attached; non-figures already removed."""
    if not _ANY_NUMBER.search(sentence):
        return []
    blocked = blocked_spans(sentence)

    def is_blocked(s: int, e: int) -> bool:
        return any(bs <= s and e <= be for bs, be, _ in blocked)

    found: list[NumberMention] = []
    taken: list[tuple[int, int]] = []
    for m in PROPORTION.finditer(sentence):
        n, d = _small_number(m.group("n")), _small_number(m.group("m"))
        if n is None or not d or not 0 < n < d:
            continue
        found.append(
            NumberMention(
                m.start(),
                m.end(),
                round(100 * n / d, 1),
                "percent",
                "num.proportion",
                m.end(),
                not m.group("n").isdigit(),
            )
        )
        taken.append((m.start(), m.end()))
    for m in _MONEY.finditer(sentence):
        value = _parse(m.group("num")) * _SCALES.get((m.group("scale") or "").lower(), 1)
        found.append(NumberMention(m.start(), m.end(), value, "gbp", "num.money", m.end()))
        taken.append((m.start(), m.end()))
    for m in _NUM_RE.finditer(sentence):
        s, e = m.span("num")
        if any(ts <= s < te for ts, te in taken) or is_blocked(s, e):
            continue
        text = m.group("num")
        value = _parse(text)
        unit = _unit_after(sentence, e)
        if unit is None:
            if _is_bare_year(text, value):
                continue
            named = _unit_before(sentence, s)
            # the figure compared is the last one outside brackets: "619 (94.6 per 10,000), up from 611" compares
            # 611 with 619, not with the rate beside it
            outside = [f for f in found if sentence.count("(", 0, f.start) <= sentence.count(")", 0, f.start)]
            if named is None and outside and outside[-1].unit != "count" and _COMPARED.search(sentence, 0, s):
                named = ("num.unit_of_comparison", outside[-1].unit)  # "44.1, down from 45.9": the same measure
            if named is not None:
                found.append(NumberMention(s, e, value, named[1], named[0], e))
                continue
            if "." in text:
                continue  # a bare decimal with no unit is a reference number far more often than a figure
            found.append(NumberMention(s, e, value, "count", "num.count", e))
        else:
            rule, unit_name, unit_end = unit
            if unit_name == "percent" and value > 1000:
                continue
            found.append(NumberMention(s, e, value, unit_name, rule, unit_end))
    for m in _WORD_NUM_RE.finditer(sentence):
        s, e = m.span("word")
        if any(ts <= s < te for ts, te in taken) or is_blocked(s, e):
            continue
        if _DEFINITE.search(sentence, 0, s):
            continue  # "the three homes", "these two events": a reference to known things, not a count
        value = words_to_number(m.group("word"))
        if value is None:
            continue
        unit = _unit_after(sentence, e)
        if unit is not None:
            rule, unit_name, unit_end = unit
            found.append(NumberMention(s, e, value, unit_name, rule + ".words", unit_end, True))
        elif _looks_like_counted_noun(sentence, s, e):
            found.append(NumberMention(s, e, value, "count", "num.count.words", e, True))
        elif _COUNT_OF.match(sentence, e):
            # "Nineteen of these households", "two of them": a count of a group named before
            found.append(NumberMention(s, e, value, "count", "num.count.words.of", e, True))
        elif _AFTER_VERB.search(sentence, 0, s) and _ENDS_CLAUSE.match(sentence, e):
            # "remain low at four.", "a small increase from three at 31 March", "of which eight resulted"
            found.append(NumberMention(s, e, value, "count", "num.count.words.after_verb", e, True))
    found.sort(key=lambda n: n.start)
    found = _share_range_units(sentence, found)
    return [n for n in found if not _is_run_in_section_number(sentence, n)]


_RANGE_JOIN = re.compile(r"\s*(?:to|and|-|–)\s*(?:around\s+|about\s+)?")


def _share_range_units(sentence: str, found: list[NumberMention]) -> list[NumberMention]:
    """'from 288 to 286 days', 'between 20 and 59%': the first number takes the unit printed after the second."""
    out = list(found)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.unit == "count" and not a.in_words and b.unit != "count" and b.unit != "gbp":
            if _RANGE_JOIN.fullmatch(sentence[a.end : b.start]):
                out[i] = NumberMention(a.start, a.end, a.value, b.unit, a.rule + ".range_unit", a.end)
    return out


_RUN_IN_VERBS = re.compile(
    r"\b(?:to|of|at|was|were|is|are|by|from|reached|about|around|only|just|over|under|than|be|been|totalled|"
    r"with|and|or|nearly|almost|approximately|some|had|has|have|rose|fell|stands|stood|now|reach|reaches|exceed|total)\s+$",
    re.I,
)


def _is_run_in_section_number(sentence: str, n: NumberMention) -> bool:
    """'… a report for information 8.' or a contents line '… strengths 5': a bare number closing a line or
    sentence straight after a noun is a section or page number run into the text, not a figure."""
    if n.unit != "count" or n.in_words or n.value >= 1000 or "." in sentence[n.start : n.end]:
        return False
    rest = sentence[n.end :]
    if not re.match(r"\.?[ \t]*(?:$|\n[ \t]*[A-Z\d\ue000-\uf8ff•])|[ \t]+[A-Z][a-z]+(?: [a-z’']+)* \d{1,3}\b", rest):
        return False
    before = sentence[: n.start]
    return bool(re.search(r"(?:[A-Za-z]|[?%)])[ \t]+$", before)) and not _RUN_IN_VERBS.search(before)


_DEFINITE = re.compile(r"\b(?:the|these|those|our|its|their|both|all|each|every|first|last|other)\s+$", re.I)
_COUNTED = re.compile(
    r"\s+(?:(?:new|more|further|other|additional|full|recent|open|separate|virtual|face-to-face|on-line|online|"
    r"specialist|residential|dedicated|permanent|experienced|qualified|young|vacant|key|senior|newly)\s+){0,2}"
    r"(?P<noun>[a-z][a-z-]+s|children|people|staff|live|were|are|have|had)\b"
)


_NOT_COUNTED = (
    "years",
    "times",
    "ways",
    "things",
    "days",
    "others",
    "reasons",
    "aspects",
    "weeks",
    "months",
    "hours",
    "minutes",
    "nights",
    "miles",
    "sessions",
    "grades",
    "stages",
    "levels",
    "tiers",
)
# "Six special guardianship orders", "two serious incident notifications": up to three plain words before the
# plural noun, none of them a word that starts another phrase
_COUNTED_LOOSE = re.compile(r"\s+(?P<words>(?:[a-z][a-z-]*\s+){1,3})(?P<noun>[a-z][a-z-]+s)\b")
_GLUE = re.compile(
    r"\b(?:of|in|on|at|to|for|by|and|or|the|a|an|more|less|than|per|from|with|times|years?|"
    r"months?|weeks?|days?|hours?|is|are|was|were|be|been|has|have|had|will|would)\b"
)
_SENTENCE_START = re.compile(r"\s*(?:[•·▪●◦■□➢✓*\-\ue000-\uf8ff]\s*)?")
_COUNT_OF = re.compile(r"\s+of\s+(?:these|those|them|the|this|whom|which|our)\b")
_AFTER_VERB = re.compile(
    r"(?:\b(?:at|from|to|of which|of whom|only|just)|\b(?:remains?|remained|stands?|stood|fell|rose|totalled)(?:\s+\w+)?"
    r"\s+(?:at|to))\s+(?:around\s+|about\s+|only\s+|just\s+)?$",
    re.I,
)
_ENDS_CLAUSE = re.compile(
    r"(?:\s*[.,;:()]|\s*$|\s+(?:at|in|on|by|for|since|compared|against|last|this|and|were|was|are|is|have|had|has|"
    r"resulted|led|did|do|remain|remained|to|between)\b)(?!\s*(?:\d+\s*)?(?:years?|months?|weeks?|days?|hours?)\b)"
)


def _looks_like_counted_noun(sentence: str, start: int, end: int) -> bool:
    m = _COUNTED.match(sentence, end)
    if m:
        return m.group("noun") not in _NOT_COUNTED
    if not _SENTENCE_START.fullmatch(sentence[:start]):
        return False  # loosely only at the start of a sentence or list item: "Six special guardianship orders …"
    m = _COUNTED_LOOSE.match(sentence, end)
    if not m or m.group("noun") in _NOT_COUNTED or _GLUE.search(m.group("words")):
        return False
    return True
