"""The period a paper reports on, read from its cover and headings (title lines joined across line breaks)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extractors.periods import MONTH_RE, YEAR_RE, Period, find_periods, month_end, month_number
from models.records import Page

# a cover or heading line that names a report (its period is then the period reported on)
_REPORT_WORD = re.compile(
    r"\b(?:performance|monitoring|quarterly|monthly|annual|outturn|progress|scorecard|dashboard|KPIs?|"
    r"indicators?|measures?|report|update|position|data|mid[- ]?year|half[- ]year|year[- ]end|local account|"
    r"annual review|year in review)\b",
    re.I,
)
# a single month in a heading is the period covered only where the heading is about performance: in a
# "Progress Report – February 2021" the month is the date of the report
_MONTH_TITLE = re.compile(r"\b(?:performance|monitoring|scorecard|dashboard|KPIs?|indicators?|monthly)\b", re.I)


def _fy(tag: str = "") -> str:
    """A financial year "2024/25", "2024-2025", "24-25" with groups y1<tag>, y2<tag>."""
    return rf"(?P<y1{tag}>{YEAR_RE}|\d\d)\s?[/-]\s?(?P<y2{tag}>\d{{2}}|{YEAR_RE})\b"


_FY = _fy()
# "Quarter 3 2024/25", "Q2 2023-24", "Quarter 3 (October to December) 2024/25", "2024/25 Quarter 3"
_QUARTER = re.compile(
    rf"\b(?:Quarter|Qtr|Q)\s*(?P<q>[1-4])\b(?:\s*\([^)]{{0,40}}\))?[\s,:–-]*(?:(?:of|the|[A-Z][a-z]+)\s+){{0,4}}?{_FY}"
    rf"|\b{_fy('b')}[\s,:–-]*(?:Quarter|Qtr|Q)\s*(?P<q2>[1-4])\b",
    re.I,
)
_ORDINAL = {"one": 1, "two": 2, "three": 3, "four": 4, "first": 1, "second": 2, "third": 3, "fourth": 4}
_QUARTER_WORD = re.compile(r"\bQuarter\s+(One|Two|Three|Four)\b", re.I)
_ORDINAL_QUARTER = re.compile(r"\b(First|Second|Third|Fourth)\s+Quarter\b", re.I)
# "Period 8 (November) 2024/25", "P8 2024/25": month N of the financial year (P1 = April)
_FIN_PERIOD = re.compile(rf"\b(?:Period|P)\s*(?P<n>1[0-2]|0?[1-9])\b(?:\s*\([^)]{{0,20}}\))?[\s,:–-]*{_FY}", re.I)
# "Mid-year 2024/25", "Mid Year 24-25", "Half-year report 2024/25"
_MID_YEAR = re.compile(
    rf"\b(?:Mid|Half)[- ]?[Yy]ear\b[^\n]{{0,40}}?{_FY}|{_fy('b')}\s+(?:Mid|Half)[- ]?[Yy]ear\b", re.I
)
# "as at 30 September 2024", "Position at 31 March 2024", "Data to 30 June 2024"
_AS_AT = re.compile(
    rf"\b(?:as\s+at|as\s+of|position\s+at|data\s+(?:to|at))\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?P<m>{MONTH_RE}),?\s+(?P<y>{YEAR_RE})\b",
    re.I,
)
_MONTH = re.compile(rf"(?<![\d\w])(?P<m>{MONTH_RE}),?\s+(?P<y>{YEAR_RE})\b")
_QUARTERLY = re.compile(r"\b(?:quarterly|quarter|Q[1-4])\b", re.I)
_MONTHLY = re.compile(r"\b(?:monthly|period\s+\d{1,2})\b", re.I)
# meeting headers and agenda furniture carry the paper date, never the period reported on
_MEETING_LINE = re.compile(r"\b(?:meeting|agenda|minutes)\b", re.I)


@dataclass(frozen=True)
class ReportingPeriod:
    """The period a paper reports on, how often it reports (3 = quarterly, 1 = monthly) and the rule that read it."""

    period: Period
    source: str
    """text:<rule>, e.g. text:quarter, text:financial_period, text:mid_year, text:as_at, text:month, text:year"""
    frequency_months: int | None = None


def _fy_start(y1: str, y2: str) -> int | None:
    first = int(y1) if len(y1) == 4 else 2000 + int(y1)
    last = int(y2) if len(y2) == 4 else (first - first % 100) + int(y2)
    return first if last == first + 1 else None


def _quarter(fy: int, q: int) -> tuple[date, date]:
    index = fy * 12 + 3 + 3 * (q - 1)
    year, first = divmod(index, 12)
    return date(year, first + 1, 1), month_end(year, first + 3)


_SENTENCE_INSIDE = re.compile(r"[a-z%)][.,;:] [A-Za-z(£\d]")


def _running_text(line: str, next_line: str) -> bool:
    """A wrapped line of a paragraph ("Staff turnover has reduced to 12%, from 21% in 2021–22. Agency …"): very long,
    a numbered paragraph, or long with a sentence break or clause comma inside it or running on into a line that
    starts in lower case."""
    if len(line) < 60:
        return False
    if len(line) >= 90 or re.match(r"\d{1,2}\.\d{1,2}\.?\s", line):  # titles are shorter; "4.1 Spending …"
        return True
    return bool(_SENTENCE_INSIDE.search(line)) or next_line[:1].islower()


def _candidate_texts(pages: list[Page]) -> list[str]:
    """Windows of up to four consecutive short lines of the cover and first headings, joined with spaces:
    "Quarterly Performance Report / Quarter 3 / 2024/25" on three lines is one title."""
    lines = [ln.strip() for ln in "\n".join(p.text for p in pages[:2])[:4000].splitlines()]
    lines = [ln for ln in lines if ln][:40]
    out = []
    for i in range(len(lines)):
        window: list[str] = []
        for k, ln in enumerate(lines[i : i + 4], start=i):
            if len(ln) > 120 or _running_text(ln, lines[k + 1] if k + 1 < len(lines) else ""):
                break  # running text, not a title
            window.append(ln)
            out.append(" ".join(window))
    return out


_DAY_DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+(?:19|20)\d\d\b",
    re.I,
)


def _read(text: str, paper_date: date | None) -> tuple[Period, str] | None:
    """The period one title window names, most specific forms first."""
    if _MEETING_LINE.search(text):
        return None
    # "Quarter Two 2024-25", "Second Quarter 2024/25" → "Quarter 2 …"
    text = _QUARTER_WORD.sub(lambda w: f"Quarter {_ORDINAL[w.group(1).lower()]}", text)
    text = _ORDINAL_QUARTER.sub(lambda w: f"Quarter {_ORDINAL[w.group(1).lower()]}", text)
    m = _QUARTER.search(text)
    if m:
        q = int(m.group("q") or m.group("q2"))
        y1, y2 = (m.group("y1"), m.group("y2")) if m.group("y1") else (m.group("y1b"), m.group("y2b"))
        fy = _fy_start(y1, y2)
        if fy is not None:
            start, end = _quarter(fy, q)
            return Period(-1, -1, m.group(0), start, end, "quarter"), "text:quarter"
    m = _FIN_PERIOD.search(text)
    if m:
        fy = _fy_start(m.group("y1"), m.group("y2"))
        if fy is not None:
            index = fy * 12 + 3 + int(m.group("n")) - 1
            year, month = divmod(index, 12)
            return (
                Period(-1, -1, m.group(0), date(year, month + 1, 1), month_end(year, month + 1), "month"),
                "text:financial_period",
            )
    m = _MID_YEAR.search(text)
    if m:
        y1, y2 = (m.group("y1"), m.group("y2")) if m.group("y1") else (m.group("y1b"), m.group("y2b"))
        fy = _fy_start(y1, y2)
        if fy is not None:
            return Period(-1, -1, m.group(0), date(fy, 4, 1), date(fy, 9, 30), "range"), "text:mid_year"
    m = _AS_AT.search(text)
    if m:
        try:
            day = date(int(m.group("y")), month_number(m.group("m")), int(m.group("d")))
        except ValueError:
            day = None
        if day is not None:
            return Period(-1, -1, m.group(0), day, day, "day"), "text:as_at"
    if not _REPORT_WORD.search(text):
        return None
    found = [
        p
        for p in find_periods(text, paper_date)
        if p.kind in ("quarter", "financial_year", "academic_year", "range") and not p.relative
    ]
    if found:
        best = min(found, key=lambda p: (p.end - p.start).days)  # the most specific
        return Period(-1, -1, best.text, best.start, best.end, best.kind), f"text:{best.kind}"
    # "Corporate Parenting Board, 2 October 2025 … Scorecard – August 2025": a day's date is the meeting's
    m = _MONTH.search(_DAY_DATE.sub(" ", text))
    if m and _MONTH_TITLE.search(text):
        y, mo = int(m.group("y")), month_number(m.group("m"))
        return Period(-1, -1, m.group(0), date(y, mo, 1), month_end(y, mo), "month"), "text:month"
    return None


def detect_reporting_period(pages: list[Page], paper_date: date | None) -> ReportingPeriod | None:
    """The period a paper reports on, from its cover and first headings; None when they do not name one.

    Forms read: "Quarterly Performance Report / Quarter 3 / 2024/25" (across lines), "Q2 2023-24",
    "Period 8 (November) 2024/25", "Mid-year 2024/25", "as at 30 September 2024", "Performance Report –
    December 2024", "Annual Report 2023/24", "April to June 2024". Meeting headers are not read here: they date
    the paper (extractors/paper_date.py)."""
    head = "\n".join(p.text for p in pages[:2])[:4000]
    frequency = 3 if _QUARTERLY.search(head) else 1 if _MONTHLY.search(head) else None
    for text in _candidate_texts(pages):
        found = _read(text, paper_date)
        if found is None:
            continue
        period, source = found
        if paper_date is not None and period.start > month_end(paper_date.year, paper_date.month):
            continue  # a plan ("Commissioning Plan 2025-29"), not the period reported on
        freq = {"quarter": 3, "month": 1}.get(period.kind, frequency)
        return ReportingPeriod(period, source, freq)
    return None


def _months_back(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def previous_period(rp: ReportingPeriod) -> Period | None:
    """The period before the one reported on: the previous quarter of a quarterly report, the previous month of a
    monthly one, the previous year of an annual one; None when the report's rhythm is unknown."""
    p = rp.period
    if p.kind in ("financial_year", "academic_year", "year"):
        start = date(p.start.year - 1, p.start.month, p.start.day)
        end = month_end(p.end.year - 1, p.end.month)
        return Period(-1, -1, "previous year", start, end, p.kind)
    months = {"quarter": 3, "month": 1}.get(p.kind)
    if p.kind == "day" and rp.frequency_months:
        months = rp.frequency_months
        first = _months_back(p.end, months)
        end = month_end(first.year, first.month)
        return Period(-1, -1, "previous period", end, end, "day")
    if p.kind == "range":
        span = (p.end.year * 12 + p.end.month) - (p.start.year * 12 + p.start.month) + 1
        months = span if span in (3, 6) else None
    if months is None:
        return None
    start = _months_back(p.start, months)
    last = _months_back(p.end, months)
    kind = "quarter" if months == 3 and p.kind == "quarter" else p.kind
    return Period(-1, -1, "previous period", start, month_end(last.year, last.month), kind)


def reporting_period_spans(text: str, rp: ReportingPeriod) -> list[tuple[int, int]]:
    """Where a page states the reporting period (its words may run over line breaks)."""
    words = rp.period.text.split()
    if not words:
        return []
    pattern = r"\s+".join(re.escape(w) for w in words)
    return [m.span() for m in re.finditer(pattern, text)]
