"""Plain-text and markdown papers: pages split on form feeds, no boxes."""

from __future__ import annotations

from models.records import Page


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM), falling back to Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def text_pages(text: str) -> list[Page]:
    """Split text into pages at form feeds (one page when there are none)."""
    return [Page(number=i, text=chunk) for i, chunk in enumerate(text.split("\f"), start=1)]
