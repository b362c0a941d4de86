"""Check the provenance invariants of a whole warehouse against the stored original files."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pdfplumber

from models.audit import VerifyReport
from warehouse.digest import FIELDS as DIGEST_FIELDS
from warehouse.digest import mismatched_fields
from warehouse.store import locate, sha256_of_file

logging.getLogger("pdfminer").setLevel(logging.ERROR)

TOLERANCE = 0.5
"""Points a character's box may stick out of the stored box (rounding of stored boxes to 0.01pt and more)."""

CHECKS = {
    "values": "value, unit, period, role, kpi, offsets and paper id are as loaded (the digest made at load time)",
    "offsets": "page text at page_start:page_end equals value_text",
    "sentence": "sentence text at sentence_start:sentence_end equals value_text, and the sentence is in its page",
    "bbox_in_page": "a PDF figure has a box, inside its page",
    "stored_file": "the paper's original file is in the store and its sha256 equals the paper id",
    "original_text": "the original PDF's text at the stored offsets equals value_text",
    "bbox_covers": "every character of the value in the original PDF lies inside the stored box",
    "ocr_page": "a figure read by OCR is on a page read by OCR (it has no text layer to re-read: check it by eye)",
}

PAPERS_SQL = "SELECT id, kind, source FROM papers WHERE status = 'ok' ORDER BY id"
PAGES_SQL = "SELECT page, text, width, height FROM pages WHERE paper_id = ?"
SENTENCES_SQL = "SELECT id, page, start_char, text FROM sentences WHERE paper_id = ?"
OBSERVATIONS_SQL = """
SELECT id, page, sentence_id, value_text, page_start, page_end, sentence_start, sentence_end,
       bbox_x0, bbox_top, bbox_x1, bbox_bottom
FROM observations WHERE paper_id = ? ORDER BY page, page_start
"""
DIGEST_FIELDS_SQL = f"""
SELECT id, digest, {", ".join(DIGEST_FIELDS)} FROM observations ORDER BY paper_id, page, page_start, id
"""  # noqa: S608 (fixed column names)
OCR_SQL = """
SELECT o.id, pg.text_source FROM observations o JOIN pages pg ON pg.paper_id = o.paper_id AND pg.page = o.page
WHERE o.paper_id = ? AND o.text_source = 'ocr'
"""
ORPHANS_SQL = """
SELECT o.id FROM observations o LEFT JOIN papers p ON p.id = o.paper_id
WHERE p.id IS NULL OR p.status <> 'ok'
"""


def _shown(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else repr(value)


def _check_values(report: VerifyReport, con: duckdb.DuckDBPyConnection) -> None:
    """Each figure against the digest made when it was loaded: one violation per changed field."""
    for oid, stored, *values in con.execute(DIGEST_FIELDS_SQL).fetchall():
        row = dict(zip(DIGEST_FIELDS, values, strict=True))
        subject = f"observation {oid} (paper {str(row['paper_id'])[:12]}, page {row['page']})"
        if stored is None:
            report.failed("values", subject, "no digest (loaded before digests were kept): re-ingest with --force")
            continue
        changed = mismatched_fields(oid, row, stored)
        if not changed:
            report.passed("values")
        for name in changed:
            detail = (
                f"{name} is {_shown(row[name])}: not the value it was loaded with"
                if name in row
                else f"the stored digest {stored!r} is not one this version can read"
            )
            report.failed("values", f"{subject} field {name}", detail)
        if len(changed) > 1:  # one figure checked, however many of its fields changed
            report.checks["values"].checked -= len(changed) - 1


def _check_rows(report: VerifyReport, paper_id: str, kind: str, pages: dict, sentences: dict, observations) -> list:
    """Checks that need only the warehouse; returns the PDF observations whose box can be checked further."""
    boxed = []
    for oid, page, sid, value_text, ps, pe, ss, se, *box in observations:
        subject = f"observation {oid} (paper {paper_id[:12]}, page {page})"
        page_row = pages.get(page)
        if page_row is None:
            report.failed("offsets", subject, f"page {page} is missing from the pages table")
            continue
        text, width, height = page_row
        if 0 <= ps < pe <= len(text) and text[ps:pe] == value_text:
            report.passed("offsets")
        else:
            report.failed(
                "offsets", subject, f"page text at {ps}:{pe} is {text[ps:pe]!r}, value_text is {value_text!r}"
            )
        sentence = sentences.get(sid)
        if sentence is None:
            report.failed("sentence", subject, f"sentence {sid} is missing")
        else:
            s_page, s_start, s_text = sentence
            in_page = s_page == page and text[s_start : s_start + len(s_text)] == s_text
            if s_text[ss:se] == value_text and in_page and s_start + ss == ps:
                report.passed("sentence")
            else:
                report.failed(
                    "sentence", subject, f"sentence text at {ss}:{se} is {s_text[ss:se]!r}, value_text {value_text!r}"
                )
        if kind != "pdf":
            continue
        if None in box:
            report.failed("bbox_in_page", subject, "no box stored for a PDF figure")
            continue
        x0, top, x1, bottom = box
        if 0 <= x0 <= x1 <= width + TOLERANCE and 0 <= top <= bottom <= height + TOLERANCE:
            report.passed("bbox_in_page")
            boxed.append((oid, page, value_text, ps, pe, box, subject))
        else:
            report.failed("bbox_in_page", subject, f"box {box} is not inside the {width:g} x {height:g} page")
    return boxed


def _check_pdf(report: VerifyReport, path: Path, paper_id: str, boxed: list) -> None:
    """Re-read the original PDF and check each value's characters against the stored offsets and box."""
    by_page: dict[int, list] = {}
    for item in boxed:
        by_page.setdefault(item[1], []).append(item)
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # a stored file that no longer opens is a violation, not a crash
        report.failed("original_text", f"paper {paper_id[:12]}", f"{path}: cannot open the PDF: {exc}")
        return
    with pdf:
        for number, items in sorted(by_page.items()):
            if not 1 <= number <= len(pdf.pages):
                for *_rest, subject in items:
                    report.failed("original_text", subject, f"the original PDF has no page {number}")
                continue
            page = pdf.pages[number - 1]
            try:
                textmap = page.get_textmap()
                text, tuples = textmap.as_string, textmap.tuples
            finally:
                page.close()
            for _oid, _page, value_text, ps, pe, box, subject in items:
                if text[ps:pe] != value_text:
                    report.failed("original_text", subject, f"the PDF's text at {ps}:{pe} is {text[ps:pe]!r}")
                    continue
                report.passed("original_text")
                chars = [obj for _, obj in tuples[ps:pe] if obj is not None]
                x0, top, x1, bottom = box
                outside = [
                    c["text"]
                    for c in chars
                    if c["x0"] < x0 - TOLERANCE
                    or c["x1"] > x1 + TOLERANCE
                    or c["top"] < top - TOLERANCE
                    or c["bottom"] > bottom + TOLERANCE
                ]
                if not chars:
                    report.failed("bbox_covers", subject, "no positioned characters at the stored offsets")
                elif outside:
                    report.failed("bbox_covers", subject, f"characters {''.join(outside)!r} lie outside box {box}")
                else:
                    report.passed("bbox_covers")


def _check_ocr(report: VerifyReport, con: duckdb.DuckDBPyConnection, paper_id: str) -> set[str]:
    """The paper's figures read by OCR, each checked to lie on a page whose text came from OCR."""
    found = set()
    for oid, page_source in con.execute(OCR_SQL, [paper_id]).fetchall():
        found.add(oid)
        if page_source == "ocr":
            report.passed("ocr_page")
        else:
            report.failed("ocr_page", f"observation {oid}", f"marked OCR, but its page's text is from {page_source}")
    return found


def verify(
    con: duckdb.DuckDBPyConnection,
    store: Path,
    *,
    reopen_pdfs: bool = True,
    on_paper: Callable[[str], None] | None = None,
) -> VerifyReport:
    """Check every stored figure and paper; the report lists each violation found."""
    report = VerifyReport()
    for check, description in CHECKS.items():
        if reopen_pdfs or check not in ("original_text", "bbox_covers"):
            report.add_check(check, description)
    _check_values(report, con)
    for (oid,) in con.execute(ORPHANS_SQL).fetchall():
        report.failed("offsets", f"observation {oid}", "its paper is missing or failed")
    for paper_id, kind, source in con.execute(PAPERS_SQL).fetchall():
        pages = {r[0]: r[1:] for r in con.execute(PAGES_SQL, [paper_id]).fetchall()}
        sentences = {r[0]: r[1:] for r in con.execute(SENTENCES_SQL, [paper_id]).fetchall()}
        observations = con.execute(OBSERVATIONS_SQL, [paper_id]).fetchall()
        boxed = _check_rows(report, paper_id, kind, pages, sentences, observations)
        ocr = _check_ocr(report, con, paper_id)
        boxed = [item for item in boxed if item[0] not in ocr]  # OCR pages have no text layer to re-read
        subject = f"paper {paper_id[:12]} ({source})"
        path = locate(store, paper_id)
        if path is None:
            report.failed("stored_file", subject, f"missing from the store {store}")
        elif (digest := sha256_of_file(path)) != paper_id:
            report.failed("stored_file", subject, f"{path} hashes to {digest}")
        else:
            report.passed("stored_file")
            if reopen_pdfs and kind == "pdf" and boxed:
                _check_pdf(report, path, paper_id, boxed)
        if on_paper is not None:
            on_paper(paper_id)
    return report
