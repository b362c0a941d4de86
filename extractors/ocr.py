"""OCR of image-only PDF pages with Tesseract (tesserocr): page text, a box and a confidence for every character."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from models.records import BBox, Page

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one thread per worker process: the workers are the parallelism

DPI = 300
"""resolution image-only pages are rendered at for OCR"""
LANGUAGE = "eng"
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
INSTALL_HINT = "install Tesseract with `make setup` (or: apt-get install tesseract-ocr tesseract-ocr-eng)"


@dataclass
class OcrWord:
    """One word as Tesseract read it: text, box in image pixels, confidence 0-1, and where its line starts."""

    text: str
    box: tuple[int, int, int, int]
    """(left, top, right, bottom) in pixels of the rendered page"""
    confidence: float
    new_line: bool


def tessdata_dir() -> Path | None:
    """The folder holding Tesseract's English data (``TESSDATA_PREFIX`` first), or None if there is none."""
    candidates = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else []
    for folder in [*candidates, *TESSDATA_DIRS]:
        if (Path(folder) / f"{LANGUAGE}.traineddata").is_file():
            return Path(folder)
    return None


@lru_cache(maxsize=1)
def engine_problem() -> str | None:
    """Why OCR cannot run here (binding or language data missing), or None when it can."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return "the tesserocr package is not installed"
    if tessdata_dir() is None:
        return f"Tesseract's English data ({LANGUAGE}.traineddata) was not found"
    return None


def available() -> bool:
    """True when image-only pages can be read by OCR on this machine."""
    return engine_problem() is None


@lru_cache(maxsize=1)
def _api() -> Any:
    """One Tesseract engine per process (loading the model costs more than reading a page)."""
    from tesserocr import PSM, PyTessBaseAPI

    return PyTessBaseAPI(path=str(tessdata_dir()), lang=LANGUAGE, psm=PSM.AUTO)


def read_words(image: Any) -> list[OcrWord]:
    """The words Tesseract finds in a PIL image, in reading order (none for a blank or tiny image)."""
    from tesserocr import RIL, iterate_level

    api = _api()
    words: list[OcrWord] = []
    try:
        api.SetImage(image)
        api.Recognize()
        iterator = api.GetIterator()
        if iterator is None:
            return words
        for w in iterate_level(iterator, RIL.WORD):
            try:
                text = (w.GetUTF8Text(RIL.WORD) or "").strip()
            except RuntimeError:  # tesserocr's "No text returned": an empty result
                continue
            box = w.BoundingBox(RIL.WORD)
            if not text or box is None:
                continue
            confidence = max(0.0, min(1.0, w.Confidence(RIL.WORD) / 100))
            words.append(OcrWord(text, tuple(box), confidence, w.IsAtBeginningOf(RIL.TEXTLINE)))
    finally:
        api.Clear()
    return words


def words_to_text(
    words: list[OcrWord], scale_x: float, scale_y: float
) -> tuple[str, list[BBox | None], list[float | None]]:
    """Page text from OCR words (a space between words, a line break between lines), with a box in PDF points
    for every character (the word's box shared out evenly along its width) and the word's confidence."""
    parts: list[str] = []
    boxes: list[BBox | None] = []
    conf: list[float | None] = []
    for word in words:
        if parts:
            parts.append("\n" if word.new_line else " ")
            boxes.append(None)
            conf.append(None)
        left, top, right, bottom = word.box
        step = (right - left) / len(word.text)
        for i, _ in enumerate(word.text):
            x0, x1 = left + i * step, left + (i + 1) * step
            boxes.append((x0 * scale_x, top * scale_y, x1 * scale_x, bottom * scale_y))
            conf.append(word.confidence)
        parts.append(word.text)
    return "".join(parts), boxes, conf


def ocr_page(pdf_page: Any, page: Page, dpi: int = DPI) -> None:
    """Read an image-only page (a pypdfium2 page) by OCR into ``page``: text, character boxes and confidences."""
    image = pdf_page.render(scale=dpi / 72, grayscale=True).to_pil()
    words = read_words(image)
    width = page.width or image.width * 72 / dpi
    height = page.height or image.height * 72 / dpi
    text, boxes, conf = words_to_text(words, width / image.width, height / image.height)
    page.text, page.char_boxes, page.char_confidence = text, boxes, conf
    page.text_source = "ocr"


def read_image_pages(data: bytes, pages: list[Page], enabled: bool = True) -> str:
    """OCR the image-only pages of a PDF in place; returns the paper's ocr_status: read | off | missing | failed.

    A page OCR cannot read keeps its empty text (and needs_ocr); the others are still read.
    """
    if not enabled:
        return "off"
    if not available():
        return "missing"
    import pypdfium2 as pdfium

    status = "read"
    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:  # pdfplumber could open it, pdfium cannot: the pages stay unread
        return "failed"
    try:
        for page in pages:
            if not page.needs_ocr:
                continue
            try:
                pdf_page = pdf[page.number - 1]
            except Exception:
                status = "failed"
                continue
            try:
                ocr_page(pdf_page, page)
            except MemoryError:
                raise
            except Exception:  # an image pdfium cannot render or Tesseract cannot read
                status = "failed"
            finally:
                pdf_page.close()
    finally:
        pdf.close()
    return status
