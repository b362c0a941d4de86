"""Typed records of the auditor's tools: a traced figure, a correction, and the outcome of verify."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from models.records import BBox


@dataclass
class TracedFigure:
    """One observation with everything needed to check it by hand: paper, page, sentence, offsets, box."""

    observation_id: str
    value: float
    unit: str
    value_text: str
    kpi: str | None
    label: str | None
    period_start: date | None
    period_end: date | None
    period_text: str | None
    period_kind: str | None
    role: str
    rule: str
    confidence: float
    paper_id: str
    paper_title: str | None
    paper_source: str
    paper_date: date | None
    paper_kind: str | None
    page: int
    page_text: str
    page_width: float | None
    page_height: float | None
    page_start: int
    page_end: int
    sentence: str
    sentence_start: int
    sentence_end: int
    sentence_page_start: int
    bbox: BBox | None
    sources: list[str] = field(default_factory=list)
    text_source: str = "text"
    """text | ocr (the page was read by OCR from its image)"""
    cell_bbox: BBox | None = None
    """a PDF table figure's cell box (x0, top, x1, bottom); None for HTML and for figures not read from a table"""

    @property
    def from_ocr(self) -> bool:
        return self.text_source == "ocr"

    def sentence_parts(self) -> tuple[str, str, str]:
        """The sentence on one line, split into (before the value, the value, after the value)."""
        s = self.sentence
        before, value, after = (
            s[: self.sentence_start],
            s[self.sentence_start : self.sentence_end],
            s[self.sentence_end :],
        )
        return _squash(before).lstrip(), value, _squash(after).rstrip()

    def marked_sentence(self, left: str = "«", right: str = "»") -> str:
        """The sentence on one line with the value wrapped in markers."""
        before, value, after = self.sentence_parts()
        return f"{before}{left}{value}{right}{after}"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@dataclass
class Correction:
    """One reviewer's decision about an observation, as appended to the `corrections` table."""

    id: str
    seq: int
    observation_id: str
    action: str
    """accept | reject | set"""
    value: float | None
    unit: str | None
    period_start: date | None
    period_end: date | None
    role: str | None
    kpi: str | None
    changed: str | None
    reason: str
    reviewer: str
    created_at: datetime


@dataclass
class Violation:
    """A broken provenance invariant: which check, on what (observation or paper) and why."""

    check: str
    subject: str
    detail: str


@dataclass
class CheckCount:
    """How many items a check looked at and how many failed it."""

    check: str
    description: str
    checked: int = 0
    failed: int = 0


@dataclass
class VerifyReport:
    """The outcome of `councilkpi verify` over a warehouse."""

    checks: dict[str, CheckCount] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)

    def add_check(self, check: str, description: str) -> CheckCount:
        return self.checks.setdefault(check, CheckCount(check, description))

    def passed(self, check: str, n: int = 1) -> None:
        self.checks[check].checked += n

    def failed(self, check: str, subject: str, detail: str) -> None:
        self.checks[check].checked += 1
        self.checks[check].failed += 1
        self.violations.append(Violation(check, subject, detail))

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass
class QueueItem:
    """A figure that needs a person (`councilkpi review --queue`), with why."""

    observation_id: str
    kpi: str
    value: float
    unit: str
    role: str
    period_start: date | None
    period_end: date | None
    period_kind: str | None
    confidence: float
    paper_title: str | None
    page: int
    sentence: str
    reasons: list[str]
