"""Dates on council websites (dd/mm/yyyy, "16th January 2023", RFC 822 in feeds) and the rolling fetch window."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from email.utils import parsedate_to_datetime

MONTHS = {
    m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
}
DMY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
WORDY = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Window:
    """The rolling window of meeting dates to collect: ``start`` to ``end`` inclusive."""

    start: date
    end: date
    today: date | None = None
    """the day the window was drawn around: meetings after it need not have papers yet"""

    @classmethod
    def around(cls, today: date, days_back: int, days_forward: int) -> Window:
        return cls(today - timedelta(days=days_back), today + timedelta(days=days_forward), today)

    def is_past(self, day: date | None) -> bool:
        """Whether a meeting on ``day`` has taken place (an unknown date or today counts as past)."""
        return day is None or self.today is None or day <= self.today

    def contains(self, day: date | None) -> bool:
        """Whether ``day`` is in the window; an unknown date is kept (better fetched than missed)."""
        return day is None or self.start <= day <= self.end

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))


def dmy(day: date) -> str:
    """A date as ModernGov's web service wants it: dd/mm/yyyy."""
    return day.strftime("%d/%m/%Y")


def parse_uk_date(text: str | None) -> date | None:
    """The first date in ``text`` written dd/mm/yyyy or as "16th January 2023" / "16 Jan 2023"; None if none."""
    if not text:
        return None
    for match in (DMY.search(text), WORDY.search(text)):
        if not match:
            continue
        day, month, year = match.groups()
        month_no = int(month) if month.isdigit() else MONTHS[month[:3].lower()]
        try:
            return date(int(year), month_no, int(day))
        except ValueError:
            continue
    return None


def parse_feed_date(text: str | None) -> date | None:
    """An RSS pubDate (RFC 822) or Atom date (ISO 8601), falling back to UK formats."""
    if not text:
        return None
    text = text.strip()
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return parse_uk_date(text)
