"""Text extraction stage: turn a source file's bytes into a Paper with Pages, whatever its format."""

from __future__ import annotations

import io
from pathlib import Path

from extractors.council import detect_council, normalise_council
from extractors.errors import ExtractionError
from extractors.html import html_to_text, looks_like_html
from extractors.ocr import engine_problem, read_image_pages
from extractors.paper_date import detect_paper_date, detect_title
from extractors.pdf import check_pdf_bytes, iter_pdf_pages
from extractors.pdfium import iter_pdfium_pages
from extractors.private_use import map_private_use
from extractors.reporting_period import detect_reporting_period
from extractors.tables import html_tables
from extractors.text import decode_text, text_pages
from models.records import ExtractedDocument, Paper, SourceFile

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
PDF_BACKENDS = ("pdfplumber", "pdfium")


def sniff_kind(path: Path, data: bytes) -> str:
    """Decide how to read a file: 'pdf', 'html' or 'text' (by content first, then by name)."""
    if data[:1024].lstrip().startswith(b"%PDF") or path.suffix.lower() == ".pdf":
        return "pdf"
    if path.suffix.lower() in HTML_SUFFIXES:
        return "html"
    if path.suffix.lower() in TEXT_SUFFIXES:
        return "html" if looks_like_html(decode_text(data[:4096])) else "text"
    if b"\x00" in data[:4096]:
        return "binary"
    return "html" if looks_like_html(decode_text(data[:4096])) else "text"


def new_paper(src: SourceFile, data: bytes, kind: str) -> Paper:
    """The Paper record for a source file before extraction (status ok until something fails)."""
    return Paper(
        id=Paper.id_for_bytes(data),
        source=src.source,
        title=src.title,
        paper_date=src.paper_date,
        paper_date_source=(src.paper_date_source or "metadata") if src.paper_date else None,
        kind=kind,
        size=len(data),
        council=normalise_council(src.council),
        council_source=("source" if src.source_name else "manifest") if src.council else None,
    )


def _no_text_detail(n_pages: int, ocr_status: str | None) -> str:
    why = {
        "off": "OCR is off (--no-ocr)",
        "missing": f"OCR is not available ({engine_problem()})",
        "failed": "OCR could not read it",
        "read": "OCR found no text",
    }.get(ocr_status or "", "no text")
    return f"{why}, {n_pages} page(s)"


def extract_document(
    src: SourceFile, data: bytes | None = None, pdf_backend: str = "pdfplumber", ocr: bool = True
) -> ExtractedDocument:
    """Read a paper into pages of text; raise ExtractionError with a reason code if it cannot be read.

    PDFs are read with pdfplumber, or with pypdfium2 (``pdf_backend='pdfium'``, much faster; same kind of pages).
    Image-only pages are read by OCR when ``ocr`` is on and Tesseract is installed (see extractors/ocr.py).
    """
    if data is None:
        try:
            data = src.path.read_bytes()
        except OSError as exc:
            raise ExtractionError("unreadable", str(exc)) from exc
    kind = sniff_kind(src.path, data)
    paper = new_paper(src, data, kind)
    title: str | None = None
    if kind == "pdf":
        check_pdf_bytes(data)
        if pdf_backend == "pdfium":
            pages = list(iter_pdfium_pages(data))
        else:  # the very bytes the paper id was computed from
            pages = list(iter_pdf_pages(io.BytesIO(data)))
        if not pages:
            raise ExtractionError("corrupt", "the PDF has no pages")
        if any(p.needs_ocr for p in pages):
            paper.ocr_status = read_image_pages(data, pages, ocr)
        if not any(p.text.strip() for p in pages):
            detail = _no_text_detail(len(pages), paper.ocr_status)
            raise ExtractionError("no_text_layer", detail, ocr_status=paper.ocr_status)
    elif kind == "binary":
        raise ExtractionError("unsupported", "binary file that is neither PDF, HTML nor text")
    else:
        if not data.strip():
            raise ExtractionError("empty")
        text = decode_text(data)
        html = text if kind == "html" else None
        if html is not None:
            text, title = html_to_text(html)
        pages = text_pages(text)
        if html is not None and len(pages) == 1:
            pages[0].tables = html_tables(html, pages[0].text)
    for page in pages:  # one character for one: offsets and character boxes stay valid
        page.text = map_private_use(page.text)
    paper.n_pages = len(pages)
    paper.title = paper.title or title or detect_title(pages)
    if paper.paper_date is None:
        found = detect_paper_date(pages)
        if found is not None:
            paper.paper_date, paper.paper_date_source = found
    reporting = detect_reporting_period(pages, paper.paper_date)
    if reporting is not None:
        paper.reporting_period_start, paper.reporting_period_end = reporting.period.start, reporting.period.end
        paper.reporting_period_source = reporting.source
    if paper.council is None:
        council = detect_council(pages)
        if council is not None:
            paper.council, paper.council_source = council
    return ExtractedDocument(paper=paper, pages=pages)
