"""The work one paper needs (text, then figures), as run inside an extraction worker process; never raises."""

from __future__ import annotations

from extractors.document import extract_document, new_paper, sniff_kind
from extractors.errors import ExtractionError
from extractors.metrics import extract_metrics
from models.records import ExtractedDocument, ExtractionResult, FailedPaper, SourceFile


def extract_text(
    src: SourceFile, data: bytes | None = None, pdf_backend: str = "pdfplumber", ocr: bool = True
) -> ExtractedDocument | FailedPaper:
    """Text extraction that never raises for a bad paper: failures come back as FailedPaper with a reason."""
    if data is None:
        try:
            data = src.path.read_bytes()
        except OSError as exc:
            paper = new_paper(src, b"", "unknown")
            return FailedPaper(paper, "unreadable", f"{src.path}: {exc}")
    try:
        return extract_document(src, data, pdf_backend, ocr)
    except ExtractionError as exc:
        paper = new_paper(src, data, sniff_kind(src.path, data))
        paper.ocr_status = exc.ocr_status
        return FailedPaper(paper, exc.reason, str(exc))
    except MemoryError:  # the per-paper memory limit, handled by the worker
        raise
    except Exception as exc:  # a parser bug must not stop the run; the paper is recorded as failed
        kind = sniff_kind(src.path, data)
        return FailedPaper(new_paper(src, data, kind), "corrupt", f"{type(exc).__name__}: {exc}")


def extract_paper(
    src: SourceFile, data: bytes, pdf_backend: str = "pdfplumber", ocr: bool = True
) -> ExtractionResult | FailedPaper:
    """Text and figures of one paper (OCR time included: it counts against the worker's per-paper time limit).
    Character boxes and OCR confidences are dropped once the figures have theirs (not stored)."""
    extracted = extract_text(src, data, pdf_backend, ocr)
    if isinstance(extracted, FailedPaper):
        return extracted
    try:
        result = extract_metrics(extracted)
    except MemoryError:
        raise
    except Exception as exc:
        return FailedPaper(extracted.paper, "extractor_error", f"{type(exc).__name__}: {exc}")
    for page in result.document.pages:
        page.char_boxes = page.char_confidence = None
    return result
