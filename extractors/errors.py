"""The error raised when a paper cannot be read, carrying a short reason code for the warehouse."""

from __future__ import annotations

REASONS = {
    "empty": "the file is empty",
    "not_pdf": "the file is not a PDF (no %PDF header)",
    "encrypted": "the PDF is encrypted or password-protected",
    "truncated": "the PDF is truncated (no end-of-file marker)",
    "corrupt": "the PDF is corrupt and could not be parsed",
    "no_text_layer": "the PDF has no text layer (scanned)",
    "unsupported": "the file type is not supported",
    "unreadable": "the file could not be read",
    "timeout": "extraction took longer than the per-paper time limit",
    "memory": "extraction exceeded the per-paper memory limit",
    "crashed": "the extraction worker process died (a parser crash)",
    "extractor_error": "the figure extractor failed on this paper (a bug: please report it)",
}


class ExtractionError(Exception):
    """A paper could not be turned into text; ``reason`` is one of ``REASONS``."""

    def __init__(self, reason: str, detail: str = "", ocr_status: str | None = None) -> None:
        self.reason = reason
        self.detail = detail
        self.ocr_status = ocr_status
        """for a paper with image-only pages: what OCR did (see Paper.ocr_status)"""
        message = REASONS.get(reason, reason)
        super().__init__(f"{message}: {detail}" if detail else message)
