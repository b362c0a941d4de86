"""Find a paper's own date (meeting, publication or report date) and title in its first pages."""

from __future__ import annotations

import re
from datetime import date

from extractors.periods import DAY_RE, MONTH_RE, YEAR_RE, Period, month_number
from models.records import Page

_D = rf"(?P<d>{DAY_RE})\s+(?P<m>{MONTH_RE}),?\s+(?P<y>{YEAR_RE})"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+"
# "…, 10.00am", "at 2pm": the meeting's time after its date
_AT_TIME = r"(?:,?[ \t]*(?:at[ \t]+)?\d{1,2}(?:[.:]\d{2})?[ \t]*(?:am|pm|a\.m\.|p\.m\.))?"
# "… – Agenda item 6", "… | Item 7": the agenda item after the meeting's date on its header line
_ITEM = r"(?:[ \t]*[-–—|·,][ \t]*(?:(?:Agenda|Information|Decision)[ \t]+)?(?:[Ii]tem|[Pp]art|[Pp]aper)\b[^\n]{0,30})?"
# (source label, pattern); earlier patterns win. An inspection's own dates come before its publication
# date: "currently" in an inspection report means at the time of the inspection.
_DATED: list[tuple[str, re.Pattern[str]]] = [
    ("inspection", re.compile(rf"\b[Ii]nspection dates?:?\s+.{{0,40}}?(?:to|–|-)\s+{_D}")),
    ("published", re.compile(rf"\b(?:Report\s+published|Published|Publication date)(?:\s+on)?:?\s+{_D}")),
    # a meeting header line: "Cabinet – 14 November 2023", "Meeting of the County Council, Thursday 13 March 2025"
    (
        "meeting_header",
        re.compile(
            rf"^[ \t]*(?:To:\s*)?(?:Meeting\s+of\s+(?:the\s+)?)?(?:[A-Z][\w&,'’ -]{{0,80}}?[\s-])?(?:Cabinet|Council|Committee|Board|Panel|"
            rf"Executive|Team|Forum|Group|Commission)[ \t]*(?:[-–—,:]|\bon\b)[ \t]*(?:{_WEEKDAY})?{_D}{_AT_TIME}{_ITEM}[ \t]*$",
            re.M,
        ),
    ),
    # the meeting's name on one line, its date alone on the next: "Health Scrutiny Committee" / "6 March 2025"
    (
        "meeting_header",
        re.compile(
            rf"^[ \t]*(?:Meeting\s+of\s+(?:the\s+)?)?(?:[A-Z][\w&,'’ -]{{0,80}}?[\s-])?(?:Cabinet|Council|Committee|Board|"
            rf"Panel|Executive|Forum|Commission)[ \t]*\n[ \t]*(?:{_WEEKDAY})?{_D}[ \t]*$",
            re.M,
        ),
    ),
    (
        "meeting",
        # not "Council on …": "responsibilities transferred to the county council on 1 April 2013"
        re.compile(rf"\b(?:[Mm]eeting|[Cc]ommittee)\s+(?:on|of|held on|dated?)\s+(?:{_WEEKDAY})?{_D}"),
    ),
    ("dated", re.compile(rf"\bDate(?:\s+of\s+(?:meeting|report|publication|decision))?:\s*(?:{_WEEKDAY})?{_D}", re.I)),
    # a cover sheet's table row, without a colon: "Date of meeting 12 September 2023", "Meeting date 5 March 2024"
    (
        "dated",
        re.compile(
            rf"(?:^|\n)\s*(?:Date\s+of\s+(?:the\s+)?(?:meeting|report|publication|decision)|Meeting\s+date|Report\s+date)"
            rf"\s*:?\s+(?:{_WEEKDAY})?{_D}",
            re.I | re.M,
        ),
    ),
    ("dateline", re.compile(rf"(?:^|\n)\s*{_WEEKDAY}{_D}", re.M)),
]
_TITLE_MONTH = re.compile(rf"(?:[-–—:]|\b[Rr]eport)\s*(?P<m>{MONTH_RE})\s+(?P<y>{YEAR_RE})\b")
_PUBLISHED_MONTH = re.compile(
    rf"(?:^|\n)[ \t]*(?:Published|Publication date:?)[ \t]+(?P<m>{MONTH_RE})[ \t]+(?P<y>{YEAR_RE})\b"
)
_MEETING_NO_YEAR = re.compile(
    rf"\bmeeting\s+(?:on|of)\s+(?:{_WEEKDAY})?(?P<d>{DAY_RE})\s+(?P<m>{MONTH_RE})\b(?!,?\s+\d)"
)


def _mk(d: str, m: str, y: str) -> date | None:
    try:
        return date(int(y), month_number(m), int(re.sub(r"\D", "", d)))
    except (ValueError, KeyError):
        return None


def detect_paper_date(pages: list[Page]) -> tuple[date, str] | None:
    """The paper's date and where it came from, or None if the first pages do not state it."""
    head = "\n".join(p.text for p in pages[:2])[:8000]
    for label, pattern in _DATED:
        m = pattern.search(head)
        if m:
            found = _mk(m.group("d"), m.group("m"), m.group("y"))
            if found:
                return found, f"text:{label}"
    published = _PUBLISHED_MONTH.search(head[:1500])
    if published:
        # "Published October 2025" on a report for residents: its month, the first of it
        return date(int(published.group("y")), month_number(published.group("m")), 1), "text:published_month"
    title = _TITLE_MONTH.search(head[:1500])
    if title:
        month, year = month_number(title.group("m")), int(title.group("y"))
        meeting = _MEETING_NO_YEAR.search(head)
        if meeting and month_number(meeting.group("m")) == month:
            found = _mk(meeting.group("d"), meeting.group("m"), str(year))
            if found:
                return found, "text:meeting+title"
        return date(year, month, 1), "text:title_month"
    return None


# a cover sheet's title row: "Title Quarter 1 2023/24 Corporate Performance Report", "Report title: …"
_TITLE_ROW = re.compile(r"^\s*(?:Report\s+)?[Tt]itle(?:\s+of\s+(?:the\s+)?report)?\s*:?\s+(?P<t>\S.{10,})$", re.M)


def detect_title(pages: list[Page]) -> str | None:
    """The cover sheet's title row, else the first substantial line of the paper, as a fallback title."""
    for page in pages[:1]:
        row = _TITLE_ROW.search(page.text)
        if row:
            return re.sub(r"\s+", " ", row.group("t")).strip()[:200]
    for page in pages[:1]:
        for line in page.text.splitlines():
            clean = re.sub(r"[#*_>\s]+", " ", line).strip(" -")
            if len(clean) >= 12 and re.search(r"[A-Za-z]{3}", clean):
                return clean[:200]
    return None


def detect_reporting_period(pages: list[Page], paper_date: date | None) -> Period | None:
    """The period a report covers (see extractors/reporting_period.py), as a Period; None when not stated."""
    from extractors.reporting_period import detect_reporting_period as detect

    found = detect(pages, paper_date)
    return found.period if found is not None else None
