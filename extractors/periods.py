"""Find dates and reporting periods in a sentence and resolve them to (start, end) dates."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from extractors.number_words import words_to_number

MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
DAY_RE = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR_RE = r"(?:19[89][0-9]|20[0-4][0-9])"
DASH = r"\s?[-–—/]\s?"
ACADEMIC_CONTEXT = re.compile(
    r"\b(?:school|schools|pupils?|GCSEs?|key stage|KS[1-5]|PEPs?|personal education plans?|"
    r"academic|attainment|exams?|examinations?|exclusions?|excluded|A[- ]levels?|virtual school|Year 1[1-3]|"
    r"education|educational|university|college|progress 8|attendance|grades?)\b|\bA\*",
    re.IGNORECASE,
)


_EXAMS = re.compile(r"\b(?:GCSEs?|A[- ]levels?|examinations?|exams?|(?:test|exam) results)\b", re.I)


@dataclass(frozen=True)
class Period:
    """A period found in a sentence: the matched text and the dates it covers."""

    start_char: int
    end_char: int
    text: str
    start: date
    end: date
    kind: str
    """month, day, year, financial_year, academic_year, quarter, range, since, relative, paper_date."""
    rule: str = ""
    """The pattern that read it (``window_to``, ``day_range`` …), stored in the figure's period rule."""

    @property
    def relative(self) -> bool:
        return self.kind in ("relative", "paper_date")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_number(name: str) -> int:
    """'March', 'Mar', 'Mar.' -> 3."""
    return MONTHS[name.lower().rstrip(".")]


def _day(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _full_year(first: int, second: str) -> int:
    """The end year of a span like 2014-15 or 2011-2014."""
    if len(second) == 4:
        return int(second)
    century = first - first % 100
    year = century + int(second)
    return year + 100 if year < first else year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# a reference date only to find months named without a year (where the year does not matter, only that it is a month)
ANY_REF = date(2000, 12, 31)


def resolve_month(month: int, ref: date | None) -> int | None:
    """The year of a month named without a year: the latest such month not after the paper date."""
    if ref is None:
        return None
    return ref.year if month <= ref.month else ref.year - 1


def _span_kind(sentence: str) -> str:
    return "academic_year" if ACADEMIC_CONTEXT.search(sentence) else "financial_year"


def _year_span(first: int, last: int, kind: str) -> tuple[date, date]:
    if kind == "academic_year":
        return date(first, 9, 1), date(last, 8, 31)
    return date(first, 4, 1), date(last, 3, 31)


# Each rule: (name, compiled pattern). Earlier rules win where matches overlap.
_P = [
    (
        "day_range",
        # "from 31 March 2013 to 31 March 2015" (also the common typo "form"), "between 1 April and 30 September"
        rf"\b(?:[Bb]etween|[Ff]rom|[Ff]orm)\s+(?P<d1>{DAY_RE})\s+(?P<m1>{MONTH_RE})(?:,?\s+(?P<y1>{YEAR_RE}))?"
        rf",?\s+(?:and|to|until|up to(?: and including)?)\s+(?P<d2>{DAY_RE})\s+(?P<m2>{MONTH_RE}),?\s+(?P<y2>{YEAR_RE})\b",
    ),
    (
        "month_range",
        rf"\b(?:(?:[Bb]etween|[Ff]rom)\s+)?(?P<m1>{MONTH_RE})(?:\s+(?P<y1>{YEAR_RE}))?"
        rf"\s*(?:(?:up\s+)?(?:to|until)(?:\s+and\s+including)?(?:\s+the\s+end\s+of)?|and|[-–—])\s*"
        rf"(?P<m2>{MONTH_RE})\s+(?P<y2>{YEAR_RE})\b",
    ),
    (
        "window_to",
        # "in the 12 months to September 2023", "for the three years to the end of March 2015", "in the 12 months
        # up to and including December 2015", "the year ending 31 March" (the year left out: the latest such date)
        r"\b(?:(?i:in|over|during|for|across)\s+)?(?:the\s+)?(?:(?P<n>\d{1,2}|[a-z]+)\s+(?P<u>months?|weeks?|years?)|"
        r"(?P<year>(?:financial\s+)?year)|(?P<quarter>quarter))\s+"
        r"(?:to|ending|ended|up\s+to(?:\s+and\s+including)?|until|through)(?:\s+the\s+end\s+of)?\s+"
        rf"(?:(?P<d>{DAY_RE})\s+)?(?P<m>{MONTH_RE})(?:,?\s+(?P<y>{YEAR_RE}))?\b",
    ),
    (
        "term",
        rf"\b(?P<t>[Aa]utumn|[Ss]pring|[Ss]ummer)\s+[Tt]erm(?:\s+(?:of\s+)?(?P<y>{YEAR_RE}))?\b",
    ),
    (
        # "the autumn count", "the summer 2021 survey": a season (the latest one not after the paper date)
        "season",
        rf"\b(?P<s>[Aa]utumn|[Ss]pring|[Ss]ummer|[Ww]inter)\s+(?:(?P<y>{YEAR_RE})\s+)?"
        r"(?:rough sleeping\s+)?(?:count|snapshot|survey|census|estimate)s?\b",
    ),
    ("year_to_date", r"\b(?:financial\s+)?[Yy]ear[- ]to[- ]date\b|\bYTD\b"),
    ("since_month_year", rf"\b[Ss]ince\s+(?:(?P<d>{DAY_RE})\s+)?(?P<m>{MONTH_RE})\s+(?P<y>{YEAR_RE})\b"),
    (
        "quarter",
        rf"\b(?:[Qq]uarter\s*|Q)(?P<q>[1-4])(?:\s*(?:of\s+)?(?P<y1>{YEAR_RE})(?:{DASH}(?P<y2>\d{{2}}|{YEAR_RE}))?)?\b",
    ),
    ("day", rf"\b(?P<d>{DAY_RE})\s+(?P<m>{MONTH_RE}),?\s+(?P<y>{YEAR_RE})\b"),
    (
        # "April to November", "from July to September" with no year: the latest such months (not "April and
        # June", two months)
        "month_range_no_year",
        rf"\b(?:[Ff]rom\s+)?(?P<m1>{MONTH_RE})\s*(?:(?:up\s+)?(?:to|until)(?:\s+the\s+end\s+of)?|[-–—])\s*"
        rf"(?P<m2>{MONTH_RE})\b(?!,?\s+\d)",
    ),
    ("day_us", rf"\b(?P<m>{MONTH_RE})\s+(?P<d>{DAY_RE}),\s+(?P<y>{YEAR_RE})\b"),
    ("month", rf"\b(?P<m>{MONTH_RE}),?\s+(?P<y>{YEAR_RE})\b"),
    ("day_no_year", rf"\b(?P<d>{DAY_RE})\s+(?P<m>{MONTH_RE})\b(?!,?\s+\d)"),
    (
        # "the summer 2023 examinations", "2023 GCSE results": results of the academic year ending that summer
        "exam_year",
        rf"\b(?:[Ss]ummer\s+(?P<y1>{YEAR_RE})(?=\s+(?:GCSEs?|A[- ]levels?|exam|examinations?|results|tests|assessments))|"
        rf"(?P<y2>{YEAR_RE})\s+(?=(?:GCSE|A[- ]level|Key Stage \d|KS\d)\s+(?:exam|examinations?|results|tests)|"
        r"(?:exam|examination)\s+results))",
    ),
    (
        "named_span",
        rf"\b(?P<which>academic|financial|school)\s+year\s+(?P<y1>{YEAR_RE}){DASH}(?P<y2>\d{{2}}|{YEAR_RE})\b",
    ),
    ("short_span", r"\b(?:FY\s?)?(?P<a>[0-4]\d)/(?P<b>[0-4]\d)\b(?!/)"),
    ("span", rf"\b(?P<y1>{YEAR_RE}){DASH}(?P<y2>\d{{2}}|{YEAR_RE})\b(?!\s*%)"),
    (
        "first_months",
        r"\b(?:in\s+|during\s+|over\s+)?the\s+first\s+(?P<n>\w+)\s+months\s+of\s+(?:(?:the\s+)?year\s+)?(?P<y>"
        + YEAR_RE
        + r")\b",
    ),
    (
        "last_months",
        r"\b(?:(?i:in|over|during|across|for|within|throughout)\s+(?:the\s+)?(?:last|past|previous|preceding)\s+|"
        r"(?i:in|over|during|across|within|throughout)\s+(?:the\s+)?)"
        r"(?:(?P<n>\d{1,2}|[a-z]+(?:-[a-z]+)?)\s+)?(?P<u>months?|years?|quarters?)\b"
        r"(?!\s+(?:old|of age|ago|or more|or less|or longer|to|ending|ended|up to|until))",
    ),
    ("ago", r"\b(?P<n>\d{1,2}|[a-z]+)\s+(?P<u>months?|years?)\s+ago\b"),
    ("since_year", rf"\b[Ss]ince\s+(?P<y>{YEAR_RE})\b"),
    ("since_month", rf"\b[Ss]ince\s+(?P<m>{MONTH_RE})\b(?!\s+{YEAR_RE})"),
    ("year", rf"\b(?P<y>{YEAR_RE})\b(?![-–—/]\d)(?!\s*%)"),
    (
        "month_only",
        r"\b(?:(?P<prep>in|of|during|by|until|from|to|since|end of|as at|at)\s+)?"
        r"(?P<m>January|February|March|April|May|June|July|August|September|October|November|December)\b",
    ),
    (
        "current",
        r"\b(?:currently|at present|presently|at the time of (?:the |this )?(?:inspection|visit|writing|the report)|"
        r"as of now|to date|this month|at this time)\b",
    ),
]
RULES = [(name, re.compile(pattern)) for name, pattern in _P]


def _words_to_int(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    value = words_to_number(word)
    return int(value) if value is not None else None


def _build(name: str, m: re.Match[str], sentence: str, ref: date | None) -> tuple[date, date, str] | None:
    g = m.groupdict()
    if name == "day_range":
        y2 = int(g["y2"])
        m1, m2 = month_number(g["m1"]), month_number(g["m2"])
        y1 = int(g["y1"]) if g["y1"] else (y2 if m1 <= m2 else y2 - 1)
        s, e = _safe_date(y1, m1, _day(g["d1"])), _safe_date(y2, m2, _day(g["d2"]))
        return (s, e, "range") if s and e and s <= e else None
    if name == "month_range":
        y2 = int(g["y2"])
        m1, m2 = month_number(g["m1"]), month_number(g["m2"])
        y1 = int(g["y1"]) if g["y1"] else (y2 if m1 <= m2 else y2 - 1)
        s, e = date(y1, m1, 1), month_end(y2, m2)
        return (s, e, "range") if s <= e else None
    if name == "quarter":
        q = int(g["q"])
        if g["y1"] and not g["y2"]:
            # "Q3 2020": a calendar quarter of that year
            y = int(g["y1"])
            return date(y, 3 * q - 2, 1), month_end(y, 3 * q), "quarter"
        if g["y1"]:
            fy_start = int(g["y1"])
        elif ref is not None:
            # a bare "Q3" is a quarter of the financial year the paper belongs to
            fy_start = ref.year if ref.month >= 4 else ref.year - 1
        else:
            return None
        index = fy_start * 12 + 3 + 3 * (q - 1)  # months since year 0, April = 3
        year, first_month = divmod(index, 12)
        return date(year, first_month + 1, 1), month_end(year, first_month + 3), "quarter"
    if name in ("day", "day_us"):
        d = _safe_date(int(g["y"]), month_number(g["m"]), _day(g["d"]))
        return (d, d, "day") if d else None
    if name == "month_range_no_year":
        m1, m2 = month_number(g["m1"]), month_number(g["m2"])
        y2 = resolve_month(m2, ref)
        if y2 is None or m1 == m2:
            return None
        return date(y2 if m1 < m2 else y2 - 1, m1, 1), month_end(y2, m2), "range"
    if name == "day_no_year":
        mo = month_number(g["m"])
        year = resolve_month(mo, ref)
        if year is None:
            # without a paper date the day still is a date, not a figure: keep it, unresolved
            return None
        d = _safe_date(year, mo, _day(g["d"]))
        return (d, d, "day") if d else None
    if name == "month":
        y, mo = int(g["y"]), month_number(g["m"])
        return date(y, mo, 1), month_end(y, mo), "month"
    if name in ("named_span", "span"):
        first = int(g["y1"])
        last = _full_year(first, g["y2"])
        if not (0 < last - first <= 5):
            return None
        if name == "named_span":
            kind = "financial_year" if g["which"].lower() == "financial" else "academic_year"
        else:
            kind = _span_kind(sentence)
        s, e = _year_span(first, last, kind)
        return s, e, kind
    if name == "short_span":
        first, last = 2000 + int(g["a"]), 2000 + int(g["b"])
        if last != first + 1:
            return None
        kind = _span_kind(sentence)
        s, e = _year_span(first, last, kind)
        return s, e, kind
    if name == "first_months":
        n = _words_to_int(g["n"])
        if not n or n > 12:
            return None
        y = int(g["y"])
        return date(y, 1, 1), month_end(y, n), "range"
    if name == "last_months":
        if ref is None:
            return None
        if not g["n"] and not re.search(r"last|past|previous|preceding", m.group(0)):
            return None  # "in months" is not a period
        n = _words_to_int(g["n"]) if g["n"] else 1
        if n and g["u"].startswith("year"):
            n *= 12
        elif n and g["u"].startswith("quarter"):
            n *= 3
        if not n or n > 60:
            return None
        # a paper reports complete months: the window ends with the paper's month once most of it has passed,
        # else with the month before
        last_index = ref.year * 12 + ref.month - (1 if ref.day >= 15 else 2)
        end = month_end(last_index // 12, last_index % 12 + 1)
        start_index = last_index - n + 1
        return date(start_index // 12, start_index % 12 + 1, 1), end, "relative"
    if name == "ago":
        n = _words_to_int(g["n"])
        if ref is None or not n:
            return None
        n = n * 12 if g["u"].startswith("year") else n
        index = ref.year * 12 + ref.month - 1 - n
        y, mo = divmod(index, 12)
        return date(y, mo + 1, 1), month_end(y, mo + 1), "month"
    if name == "window_to":
        mo = month_number(g["m"])
        y = int(g["y"]) if g["y"] else resolve_month(mo, ref)
        if y is None:
            return None
        end = _safe_date(y, mo, _day(g["d"])) if g["d"] else month_end(y, mo)
        if end is None:
            return None
        if g["year"]:
            months = 12
        elif g["quarter"]:
            months = 3
        else:
            n = _words_to_int(g["n"])
            if not n:
                return None
            if g["u"].startswith("week"):
                start = date.fromordinal(end.toordinal() - 7 * n + 1)
                return start, end, "range"
            months = n * 12 if g["u"].startswith("year") else n
        index = end.year * 12 + end.month - 1 - months + 1  # the window's first month
        start = date(index // 12, index % 12 + 1, 1)
        return start, end, "range"
    if name == "season":
        first = {"spring": 3, "summer": 6, "autumn": 9, "winter": 12}[g["s"].lower()]
        if g["y"]:
            year = int(g["y"])
        elif ref is None:
            return None
        else:
            year = ref.year if date(ref.year, first, 1) <= ref else ref.year - 1
        last = (year * 12 + first - 1) + 2  # months since year 0 of the season's last month
        return date(year, first, 1), month_end(last // 12, last % 12 + 1), "range"
    if name == "term":
        year = int(g["y"]) if g["y"] else (ref.year if ref else None)
        if year is None:
            return None
        term = g["t"].lower()
        if term == "autumn":
            return date(year, 9, 1), date(year, 12, 31), "range"
        if term == "spring":
            return date(year, 1, 1), date(year, 4, 15), "range"
        return date(year, 4, 16), date(year, 7, 31), "range"
    if name == "year_to_date":
        if ref is None:
            return None
        fy = ref.year if ref.month >= 4 else ref.year - 1
        return date(fy, 4, 1), ref, "relative"
    if name == "since_month_year":
        if ref is None:
            return None
        start = _safe_date(int(g["y"]), month_number(g["m"]), _day(g["d"]) if g["d"] else 1)
        return (start, month_end(ref.year, ref.month), "since") if start and start <= ref else None
    if name == "since_year":
        if ref is None:
            return None
        y = int(g["y"])
        return date(y, 1, 1), month_end(ref.year, ref.month), "since"
    if name == "since_month":
        year = resolve_month(month_number(g["m"]), ref)
        if year is None or ref is None:
            return None
        return date(year, month_number(g["m"]), 1), month_end(ref.year, ref.month), "since"
    if name == "exam_year":
        y = int(g["y1"] or g["y2"])
        return date(y - 1, 9, 1), date(y, 8, 31), "academic_year"
    if name == "year":
        y = int(g["y"])
        if _EXAMS.search(sentence):
            # "the 2022 GCSE examinations …, and the headteacher projects 26% for 2023": results of a school year
            return date(y - 1, 9, 1), date(y, 8, 31), "academic_year"
        return date(y, 1, 1), date(y, 12, 31), "year"
    if name == "month_only":
        if g["m"] == "May" and not g["prep"]:
            return None  # "May" is far more often the verb than the month
        mo = month_number(g["m"])
        year = resolve_month(mo, ref)
        if year is None:
            return None
        return date(year, mo, 1), month_end(year, mo), "month"
    if name == "current":
        if ref is None:
            return None
        return ref, ref, "relative"
    return None


_LEGISLATION_BEFORE = re.compile(r"\b(?:Act|Regulations|Order|Rules|Code|Measure)\s+(?:of\s+)?$")


def find_periods(sentence: str, ref: date | None) -> list[Period]:
    """All non-overlapping periods in ``sentence``, in order; ``ref`` is the paper date for relative ones."""
    taken: list[tuple[int, int]] = []
    found: list[Period] = []
    for name, pattern in RULES:
        for m in pattern.finditer(sentence):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            if _LEGISLATION_BEFORE.search(sentence[max(0, s - 30) : s]) and re.fullmatch(r"(?:19|20)\d{2}", m.group(0)):
                continue  # "the Licensing Act 2003", "the Care Act 2014": a law's name, not when
            built = _build(name, m, sentence, ref)
            if built is None:
                continue
            start, end, kind = built
            taken.append((s, e))
            found.append(Period(s, e, m.group(0), start, end, kind, name))
    found.sort(key=lambda p: p.start_char)
    return _drop_vague_beside_exact(found, sentence)


def _drop_vague_beside_exact(periods: list[Period], sentence: str) -> list[Period]:
    """'98% currently (October 2021)': a relative period right beside an exact one defers to it."""
    keep = []
    for p in periods:
        if p.kind == "relative" and any(
            q is not p
            and not q.relative
            and (0 <= q.start_char - p.end_char <= 3 or 0 <= p.start_char - q.end_char <= 3)
            for q in periods
        ):
            continue
        keep.append(p)
    return keep


def paper_date_period(ref: date) -> Period:
    """The fallback period for a figure with no period in its sentence: the paper's date."""
    return Period(-1, -1, "", ref, ref, "paper_date")


def window_ending(period: Period, end: date) -> Period:
    """A relative window ("in the last 12 months") moved to end with the month of ``end`` (a data date)."""
    months = (period.end.year * 12 + period.end.month) - (period.start.year * 12 + period.start.month) + 1
    first = end.year * 12 + end.month - months  # months since year 0 of the window's first month
    start = date(first // 12, first % 12 + 1, 1)
    return Period(period.start_char, period.end_char, period.text, start, end, period.kind, period.rule)


_MONTH_LIST = re.compile(rf"(?P<m>{MONTH_RE})")


def split_months(period: Period) -> list[Period]:
    """'October and November 2015' read as one range: its months one by one (for "… respectively")."""
    if period.rule != "month_range" or not re.search(r"\band\b", period.text):
        return [period]
    out = []
    for m in _MONTH_LIST.finditer(period.text):
        mo = month_number(m.group("m"))
        year = period.end.year if mo <= period.end.month else period.start.year
        start = period.start_char + m.start()
        out.append(
            Period(
                start,
                start + len(m.group(0)),
                m.group(0),
                date(year, mo, 1),
                month_end(year, mo),
                "month",
                "month_range",
            )
        )
    return out
