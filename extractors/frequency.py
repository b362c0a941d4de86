"""How a table row's reporting-frequency words ("Cumulative", "YTD", "Rolling 12 months", "a quarter behind",
"Snapshot", "Annual survey") change the period its column heading names."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from extractors.periods import Period, month_end

_LAG = re.compile(
    r"\b(?P<n>a|one|1|two|2)\s+(?P<u>quarters?|months?)\s+(?:behind|in\s+arrears?|(?:in\s+)?lag|late)\b|"
    r"\b(?P<u2>quarter|month)\s+in\s+arrears?\b|\bin\s+arrears?\b(?P<bare>)",
    re.I,
)
TO_DATE = re.compile(r"\b(?:cumulative|year[- ]to[- ]date|ytd|so\s+far\s+this\s+year)\b", re.I)
_ROLLING = re.compile(
    r"\brolling\s+(?:(?P<n>\d{1,2}|three|six|twelve)[- ]?(?:months?|mths?)?|(?P<year>year|annual))\b|"
    r"\b(?P<n2>\d{1,2}|three|six|twelve)[- ]months?\s+rolling\b|"
    r"\((?:the\s+)?(?:last\s+|past\s+)?(?P<n3>12|twelve|3|three|6|six)\s+months(?:\s+to\s+date)?\)|"
    r"\bR(?P<n4>12|3|6)\b",
    re.I,
)
_SNAPSHOT = re.compile(
    r"\b(?:snapshot|snap|point[- ]in[- ]time|as\s+at|at\s+(?:the\s+)?(?:month|quarter|year)[- ]end)\b", re.I
)
_ANNUAL = re.compile(r"\bannual(?:ly)?\b|\byearly\b", re.I)
# a name's bracketed note on how it is counted ("Potholes repaired (cumulative)", "… (12 months)", "(NI 192, YTD,
# one month in arrears)"): the words frequency_period reads
NAME_NOTE = re.compile(
    r"\([^()]*\b(?:cumulative|ytd|year[- ]to[- ]date|rolling|snapshot|in\s+arrears?|behind|"
    r"at\s+(?:the\s+)?(?:month|quarter|year)[- ]end)\b[^()]*\)|"
    r"\((?:the\s+)?(?:last\s+|past\s+)?\d{1,2}\s+months\)",
    re.I,
)
_WORD_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "six": 6, "twelve": 12}


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _WORD_NUMBERS[word.lower()]


def _shift(d: date, months: int) -> date:
    k = d.year * 12 + d.month - 1 - months
    return month_end(k // 12, k % 12 + 1)


def span_start(end: date, months: int) -> date:
    """The first day of a span of ``months`` months that ends with ``end``'s month."""
    k = end.year * 12 + end.month - months
    return date(k // 12, k % 12 + 1, 1)


def _lag_months(words: str) -> int:
    m = _LAG.search(words)
    if m is None:
        return 0
    if m.group("bare") is not None:
        return 3  # "in arrears" beside a quarter's heading: a quarter behind
    n = _count(m.group("n")) if m.group("n") else 1
    unit = (m.group("u") or m.group("u2") or "").lower()
    return 3 * n if unit.startswith("quarter") else n


def frequency_period(
    period: Period, words: str, report_end: date | None = None, columns: frozenset[tuple[date, date]] = frozenset()
) -> tuple[Period, str] | None:
    """The period a figure measures when its row says how it is counted; None when the words change nothing.

    ``period`` comes from the column heading ("Q2 2025/26": July to September 2025). "a quarter behind" moves it
    back a quarter; "cumulative" / "YTD" starts it in April of its financial year; "rolling 12 months" makes it
    the 12 months to its end; "snapshot" makes it its last month; "annual" (an annual survey under a quarter's
    heading) makes it the last whole financial year to its end. A year-to-date figure under a whole year's
    heading ("2025/26 YTD") ends with the reporting period (``report_end``). "in arrears" is no lag where the
    table has a column for the period before (``columns``: the periods of its headings). Returns the period and
    the rule's name."""
    if not words or not words.strip():
        return None
    lag = _lag_months(words) if (period.end - period.start).days < 360 else 0  # a year's outturn is that year's
    if lag and (span_start(_shift(period.start, lag), 1), _shift(period.end, lag)) in columns:
        lag = 0  # the table has a column for the period before ("Q1" beside "Q2"): its headings are the data's
    end = _shift(period.end, lag) if lag else period.end
    if report_end is not None and TO_DATE.search(words) and period.start < report_end < end:
        end = report_end
    start = span_start(_shift(period.start, lag), 1) if lag else period.start
    names = [f"lag{lag}"] if lag else []
    short = (period.end - period.start).days < 360
    rolling = _ROLLING.search(words)
    if rolling:
        n = (
            12
            if rolling.group("year")
            else _count(
                rolling.group("n") or rolling.group("n2") or rolling.group("n3") or rolling.group("n4") or "twelve"
            )
        )
        start, names = span_start(end, n), [*names, f"rolling{n}"]
    elif _SNAPSHOT.search(words):  # before "cumulative": a snapshot of a running total is the total then
        start, names = date(end.year, end.month, 1), [*names, "snapshot"]
    elif TO_DATE.search(words):
        fy = end.year if end.month >= 4 else end.year - 1
        start, names = date(fy, 4, 1), [*names, "to_date"]
    elif _ANNUAL.search(words) and short:
        last = end.year if end >= date(end.year, 3, 31) else end.year - 1  # the financial year ending by then
        start, end, names = date(last - 1, 4, 1), date(last, 3, 31), [*names, "annual"]
    if not names or (start, end) == (period.start, period.end):
        return None
    kind = "month" if (start.year, start.month) == (end.year, end.month) else "range"
    return replace(period, start=start, end=end, kind=kind), "+".join(names)
