"""Metric extraction stage: run the spaCy pipeline over each page and build Sentence and Observation records."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from extractors.headings import heading_kpis
from extractors.kpi_match import label_key
from extractors.nlp import Figure, analyse
from extractors.plans import apply_plans
from extractors.reporting_period import detect_reporting_period, previous_period, reporting_period_spans
from extractors.restated import restated_in_tables
from extractors.scope import council_kpis_in_service_paper
from extractors.scorecards import TERMS_PATH, may_hold_scorecard, read_scorecards, scorecard_figures
from extractors.sentences import repeated_lines
from extractors.tables import HEADERS_PATH, claimed_spans, continues, headless, table_figures, table_kpi
from models.records import BBox, ExtractedDocument, ExtractionResult, Observation, Page, Sentence, Table
from models.taxonomy import TAXONOMY_PATH

PACKAGE_VERSION = "0.1.0"
_RULE_FILES = (
    "numbers.py",
    "number_words.py",
    "periods.py",
    "period_kinds.py",
    "roles.py",
    "labels.py",
    "kpi_match.py",
    "council.py",
    "nlp.py",
    "sentences.py",
    "tokenizer.py",
    "metrics.py",
    "reporting_period.py",
    "scorecards.py",
    "plans.py",
    "paper_date.py",
    "tables.py",
    "ocr.py",
    "headings.py",
    "frequency.py",
    "restated.py",
    "scope.py",
)


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """The package version plus a digest of the rule code and taxonomy: it changes whenever a rule changes."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _RULE_FILES:
        digest.update((here / name).read_bytes())
    digest.update(TAXONOMY_PATH.read_bytes())
    digest.update(TERMS_PATH.read_bytes())
    digest.update(HEADERS_PATH.read_bytes())
    return f"{PACKAGE_VERSION}+{digest.hexdigest()[:10]}"


def _observation(
    paper_id: str, page: Page, sentence: Sentence, fig: Figure, paper_date, cell_bbox: BBox | None = None
) -> Observation:
    period = fig.period
    ocr_confidence = page.ocr_confidence_of(fig.start, fig.end)  # None unless the page was read by OCR
    confidence = fig.confidence if ocr_confidence is None else round(fig.confidence * ocr_confidence, 3)
    return Observation(
        id=Observation.make_id(paper_id, page.number, fig.start, fig.end),
        paper_id=paper_id,
        page=page.number,
        sentence_id=sentence.id,
        value=fig.value,
        unit=fig.unit,
        value_text=page.text[fig.start : fig.end],
        page_start=fig.start,
        page_end=fig.end,
        sentence_start=fig.start - sentence.start,
        sentence_end=fig.end - sentence.start,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        period_text=(period.text or None) if period else None,
        period_kind=period.kind if period else None,
        role=fig.role,
        label=fig.label,
        kpi=fig.kpi,
        rule=f"{fig.rule}|{fig.role_rule}|{fig.period_rule}" + (f":{period.rule}" if period and period.rule else ""),
        confidence=confidence,
        extractor_version=extractor_version(),
        paper_date=paper_date,
        bbox=page.bbox_of(fig.start, fig.end),
        rag=fig.rag,
        text_source=page.text_source,
        label_key=label_key(fig.label),
        cell_bbox=cell_bbox,
    )


def _claimed(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def extract_metrics(document: ExtractedDocument) -> ExtractionResult:
    """Find the dated figures of a paper; every observation points into its page's text by offsets."""
    paper = document.paper
    boilerplate = repeated_lines([p.text for p in document.pages])
    reporting = detect_reporting_period(document.pages, paper.paper_date)
    report_period = reporting.period if reporting is not None else None
    previous = previous_period(reporting) if reporting is not None else None
    sentences: list[Sentence] = []
    observations: list[Observation] = []
    headed: tuple[Page, Table] | None = None  # the last table of the page before, and the page: it may go on here
    for page in document.pages:
        if not page.text.strip():
            headed = None
            continue
        doc = analyse(page.text, paper.paper_date, boilerplate, report_period)
        by_start: dict[int, Sentence] = {}
        for start, end in doc._.sentence_bounds:
            sentence = Sentence(
                id=f"{paper.id[:16]}-{page.number}-{start}",
                paper_id=paper.id,
                page=page.number,
                index=len(sentences),
                start=start,
                end=end,
                text=page.text[start:end],
            )
            sentences.append(sentence)
            by_start[start] = sentence
        figures = heading_kpis(apply_plans(doc._.figures, page.text), page.text, doc._.sentence_bounds)
        if reporting is not None and page.number <= 2:
            # "Period 8 (November) 2024/25" on the cover: its numbers are the period, not figures
            stated = reporting_period_spans(page.text, reporting)
            figures = [f for f in figures if not any(a <= f.start < b for a, b in stated)]
        if may_hold_scorecard(page.text):
            # scorecard values replace what the narrative rules read at the same place
            card = read_scorecards(page, reporting, paper.paper_date)
            figures = scorecard_figures(card, figures, doc._.sentence_bounds)
        claimed = claimed_spans(page.tables)
        cards = [(f.start, f.end) for f in figures if f.role_rule.startswith("scorecard.")]
        for fig in figures:
            if _claimed(claimed, fig.start, fig.end) and not fig.role_rule.startswith("scorecard."):
                continue  # a table cell: read below with its column's period and role, not as running text
            sentence = by_start[fig.sentence_start]
            observations.append(_observation(paper.id, page, sentence, fig, paper.paper_date))
        rows: dict[tuple[int, int], Sentence] = {}
        carried, headed = headed, None
        for n, table in enumerate(page.tables):
            before = carried if n == 0 else headed  # the table before it, on this page or the one before
            head = before if before is not None and continues(before[1], table) else None
            headed = head or (page, table)
            if head is None and headless(table, page.text):
                continue
            for tf in table_figures(page, table, paper.paper_date, report_period, previous, head, paper.council):
                if any(a < tf.figure.end and tf.figure.start < b for a, b in cards):
                    continue  # read already as a scorecard value
                key = (tf.row_start, tf.row_end)
                if key not in rows:
                    rows[key] = Sentence(
                        id=f"{paper.id[:16]}-{page.number}-{tf.row_start}-row",
                        paper_id=paper.id,
                        page=page.number,
                        index=len(sentences),
                        start=tf.row_start,
                        end=tf.row_end,
                        text=page.text[tf.row_start : tf.row_end],
                    )
                    sentences.append(rows[key])
                fig = table_kpi(tf.figure)
                observations.append(_observation(paper.id, page, rows[key], fig, paper.paper_date, tf.cell_bbox))
    texts = {s.id: s.text for s in sentences}
    return ExtractionResult(
        document=document,
        sentences=sentences,
        observations=council_kpis_in_service_paper(restated_in_tables(observations, texts), document.pages, texts),
    )
