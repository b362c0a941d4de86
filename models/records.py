"""Typed records passed between pipeline stages: source file, paper, page, sentence, observation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

BBox = tuple[float, float, float, float]
"""A box on a PDF page in pdfplumber's coordinates: (x0, top, x1, bottom), points from the top-left."""


@dataclass(frozen=True)
class SourceFile:
    """A paper to ingest, as found by the collect stage (before its bytes are read)."""

    path: Path
    source: str
    title: str | None = None
    paper_date: date | None = None
    paper_date_source: str | None = None
    """where paper_date came from when it is not the metadata: 'cli' for --paper-date"""
    # where a fetched paper was published (all optional; see pipeline/sources)
    council: str | None = None
    committee: str | None = None
    meeting_date: date | None = None
    agenda_item: str | None = None
    publication_date: date | None = None
    source_name: str | None = None

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclass(frozen=True)
class TableCell:
    """One cell of a table found on a page: its place in the grid, its box and the page text it holds.

    ``spans`` are offsets into the page text, one per printed line of the cell (a multi-line cell has several).
    """

    row: int
    col: int
    spans: tuple[tuple[int, int], ...]
    header: bool = False
    colspan: int = 1
    bbox: BBox | None = None


@dataclass(frozen=True)
class Table:
    """A table found on a page (kind: ruled | aligned | html) as a grid of cells; the first rows are headers."""

    kind: str
    n_rows: int
    n_cols: int
    cells: tuple[TableCell, ...]
    bbox: BBox | None = None
    caption: tuple[int, int] | None = None
    """offsets of the line just above the table (a title such as "Table 1: Comparison at May 2025")"""


@dataclass
class Page:
    """One page of a paper: its text, and for PDFs the box of every character of that text."""

    number: int
    text: str
    width: float | None = None
    height: float | None = None
    char_boxes: list[BBox | None] | None = field(default=None, repr=False)
    needs_ocr: bool = False
    tables: list[Table] = field(default_factory=list, repr=False)
    text_source: str = "text"
    """text (the file's own text) | ocr (read from the page image by OCR)"""
    char_confidence: list[float | None] | None = field(default=None, repr=False)
    """OCR pages: the confidence (0-1) of the word each character belongs to"""

    def bbox_of(self, start: int, end: int) -> BBox | None:
        """The union of the boxes of the characters in ``text[start:end]`` (None for non-PDF pages)."""
        if self.char_boxes is None:
            return None
        boxes = [b for b in self.char_boxes[start:end] if b is not None]
        if not boxes:
            return None
        return (
            round(min(b[0] for b in boxes), 2),
            round(min(b[1] for b in boxes), 2),
            round(max(b[2] for b in boxes), 2),
            round(max(b[3] for b in boxes), 2),
        )

    def ocr_confidence_of(self, start: int, end: int) -> float | None:
        """The lowest OCR confidence of the words in ``text[start:end]`` (None for pages not read by OCR)."""
        if self.char_confidence is None:
            return None
        found = [c for c in self.char_confidence[start:end] if c is not None]
        return min(found) if found else None


@dataclass
class Paper:
    """A paper identified by the sha256 of its bytes, with its metadata and the outcome of ingesting it."""

    id: str
    source: str
    title: str | None
    paper_date: date | None
    paper_date_source: str | None
    kind: str
    size: int
    status: str = "ok"
    error: str | None = None
    n_pages: int = 0
    reporting_period_start: date | None = None
    reporting_period_end: date | None = None
    reporting_period_source: str | None = None
    """text:<rule> (extractors/reporting_period.py): the period the paper reports on, read from its cover"""
    ocr_status: str | None = None
    """for papers with image-only pages: read (by OCR) | off (--no-ocr) | missing (no OCR engine) | failed"""
    council: str | None = None
    """whose paper it is: "West Sussex County Council" (see extractors/council.py)"""
    council_source: str | None = None
    """where the council came from: source | manifest | text:<how> | cli"""

    @staticmethod
    def id_for_bytes(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


@dataclass
class ExtractedDocument:
    """The output of text extraction: a paper with its pages."""

    paper: Paper
    pages: list[Page]


@dataclass
class Sentence:
    """A sentence of a page: ``page.text[start:end] == text``."""

    id: str
    paper_id: str
    page: int
    index: int
    start: int
    end: int
    text: str


@dataclass
class Observation:
    """One figure found in a paper, with everything needed to trace it back to its source."""

    id: str
    paper_id: str
    page: int
    sentence_id: str
    value: float
    unit: str
    value_text: str
    page_start: int
    page_end: int
    sentence_start: int
    sentence_end: int
    period_start: date | None
    period_end: date | None
    period_text: str | None
    period_kind: str | None
    role: str
    label: str | None
    kpi: str | None
    rule: str
    confidence: float
    extractor_version: str
    paper_date: date | None
    bbox: BBox | None = None
    rag: str | None = None
    """a scorecard's RAG rating of the figure (Red, Amber, Green, ...): an attribute, never a value"""
    text_source: str = "text"
    """text (the file's own text) | ocr (read by OCR from a page image; confidence includes the OCR's)"""
    label_key: str | None = None
    """the label normalised (extractors/kpi_match.label_key): one indicator's figures share it across papers"""
    cell_bbox: BBox | None = None
    """a PDF table figure's cell: the table finder's cell rectangle (ruled) or its characters' box (aligned)"""

    @staticmethod
    def make_id(paper_id: str, page: int, start: int, end: int) -> str:
        key = f"{paper_id}:{page}:{start}:{end}"
        return hashlib.sha256(key.encode()).hexdigest()[:20]

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}  # flat record: no deep copy needed
        for k in ("period_start", "period_end", "paper_date"):
            d[k] = d[k].isoformat() if d[k] else None
        d["bbox"] = list(self.bbox) if self.bbox else None
        d["cell_bbox"] = list(self.cell_bbox) if self.cell_bbox else None
        return d


@dataclass
class ExtractionResult:
    """The output of metric extraction for one paper: its sentences and the observations found in them."""

    document: ExtractedDocument
    sentences: list[Sentence]
    observations: list[Observation]


@dataclass
class FailedPaper:
    """A paper that could not be ingested, with the reason code and a human-readable message."""

    paper: Paper
    reason: str
    message: str


@dataclass
class PaperOutcome:
    """What happened to one source file in a run."""

    source: str
    paper_id: str | None
    status: str
    """loaded | skipped | failed"""
    n_pages: int = 0
    n_observations: int = 0
    reason: str | None = None
    message: str | None = None


@dataclass
class RunSummary:
    """The outcome of an ingest run, paper by paper."""

    run_id: str
    db: str
    outcomes: list[PaperOutcome] = field(default_factory=list)
    crashed_runs: list[str] = field(default_factory=list)
    """earlier runs found still 'running' (killed) and marked 'crashed' by this one"""
    source_runs: list[SourceRun] = field(default_factory=list)
    """collections only: one per source, with its warnings"""

    @property
    def warnings(self) -> list[str]:
        return [f"{r.source_name}: {w}" for r in self.source_runs for w in r.warnings]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[PaperOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


@dataclass(frozen=True)
class RemotePaper:
    """A paper found on a council website or feed, before it is downloaded, with where it was published."""

    url: str
    source_name: str
    council: str
    title: str | None = None
    committee: str | None = None
    meeting_date: date | None = None
    agenda_item: str | None = None
    publication_date: date | None = None
    paper_date: date | None = None
    """an explicit paper date (from the configuration); otherwise the meeting date stands for it"""

    def source_file(self, path: Path) -> SourceFile:
        """The SourceFile for the downloaded bytes at ``path``; the meeting date becomes the paper date."""
        return SourceFile(
            path=path,
            source=self.url,
            title=self.title,
            paper_date=self.paper_date or self.meeting_date,
            council=self.council,
            committee=self.committee,
            meeting_date=self.meeting_date,
            agenda_item=self.agenda_item,
            publication_date=self.publication_date,
            source_name=self.source_name,
        )


@dataclass
class FetchResult:
    """The outcome of one (conditional) GET: new bytes, not modified, or failed with a reason."""

    url: str
    status: str
    """ok | not_modified | failed"""
    data: bytes | None = field(default=None, repr=False)
    final_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    reason: str | None = None
    """failed only: bad_url | off_host | redirect_off_host | too_many_redirects | timeout | network |
    http_<status> | too_large"""
    message: str | None = None
    attempts: int = 0


@dataclass
class Discovery:
    """What a source listing found: papers to fetch, listing pages that failed, and notes (e.g. fallbacks used)."""

    papers: list[RemotePaper] = field(default_factory=list)
    problems: list[FetchResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """what an operator must look at: meetings without documents, a fallback that found what the web service did not"""
    meetings_seen: int = 0
    """meetings in the window (cancelled ones included)"""
    meetings_cancelled: int = 0
    skipped_restricted: int = 0
    """documents marked restricted (exempt from publication): not fetched"""
    skipped_links: int = 0
    """links to pages off the source's hosts (ModernGov isurl documents): not fetched"""


@dataclass
class SourceRun:
    """One source's part of a collection run: what its listing yielded and what became of it (table source_runs)."""

    run_id: str
    source_name: str
    source_type: str
    council: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "ok"
    """ok | failures (some papers failed) | warning | unavailable (the source could not be listed)"""
    meetings_seen: int = 0
    meetings_cancelled: int = 0
    documents_listed: int = 0
    n_new: int = 0
    n_unchanged: int = 0
    n_failed: int = 0
    skipped_restricted: int = 0
    skipped_links: int = 0
    warnings: list[str] = field(default_factory=list)
