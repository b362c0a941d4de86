"""Fast PDF text extraction with pypdfium2: page text plus the box of every character, like extractors/pdf.py."""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors.errors import ExtractionError
from extractors.numbers import _WORD_RE, PROPORTION
from models.records import BBox, Page

_LINE_END_HYPHEN = {"\x02", "\ufffe"}  # pdfium's marks for a hyphen at a line break
_VALUE_CHARS = re.compile(
    PROPORTION.pattern + r"|[\d£$%.,/]+|(?<![^\W\d_])" + _WORD_RE + r"(?![^\W\d_])", re.I
)  # a proportion in words ("one in four") is a value too


def classify_open_error(exc: BaseException) -> ExtractionError:
    text = str(exc)
    if "password" in text.lower() or "security" in text.lower():
        return ExtractionError("encrypted", "a password is needed to open it")
    return ExtractionError("corrupt", text or type(exc).__name__)


def _page_text(textpage: pdfium.PdfTextPage, height: float) -> tuple[str, list[BBox | None]]:
    """The page's characters with their boxes (top-left origin, as pdfplumber), CR dropped, no space before a
    line break, so the text reads like pdfplumber's."""
    n = textpage.count_chars()
    raw = textpage.get_text_range(0, n) if n else ""
    if len(raw) != n:  # characters outside the BMP: fetch one at a time to keep index and box aligned
        raw = "".join(textpage.get_text_range(i, 1)[:1] or " " for i in range(n))
    # Boxes are only ever read for figures' value text (digits, £, %, number words), so only those characters
    # get one: asking pdfium for every character's box was a third of the time spent on a page.
    wanted = {i for m in _VALUE_CHARS.finditer(raw) for i in range(m.start(), m.end())}
    chars: list[str] = []
    boxes: list[BBox | None] = []
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    handle = textpage.raw
    get_box = pdfium_c.FPDFText_GetLooseCharBox
    for i, ch in enumerate(raw):
        if ch == "\r":
            continue
        if ch == "\n":
            while chars and chars[-1] in " \t":  # pdfium's generated space at the end of a line
                chars.pop()
                boxes.pop()
        if ch.isspace() or (i not in wanted and ch not in _LINE_END_HYPHEN):
            chars.append(ch)
            boxes.append(None)
            continue
        if not get_box(handle, i, rect_ref):  # the raw call: the wrapper costs more than the lookup
            raise ExtractionError("corrupt", f"no box for character {i}")
        left, bottom, right, top = rect.left, rect.bottom, rect.right, rect.top
        if ch in _LINE_END_HYPHEN:  # a word broken over two lines: keep the hyphen and the break, as pdfplumber
            chars += ["-", "\n"]
            boxes += [(left, height - top, right, height - bottom), None]
            continue
        chars.append(ch)
        boxes.append((left, height - top, right, height - bottom))
    return "".join(chars), boxes


def _has_images(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def iter_pdfium_pages(data: bytes) -> Iterator[Page]:
    """Yield the pages of a PDF one at a time, closing each before the next is opened."""
    try:
        pdf = pdfium.PdfDocument(data)
    except MemoryError:
        raise
    except Exception as exc:
        raise classify_open_error(exc) from exc
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = None
            try:
                width, height = page.get_size()
                textpage = page.get_textpage()
                text, boxes = _page_text(textpage, height)
                yield Page(
                    number=index + 1,
                    text=text,
                    width=float(width),
                    height=float(height),
                    char_boxes=boxes,
                    needs_ocr=not text.strip() and _has_images(page),
                )
            except (ExtractionError, MemoryError):
                raise
            except Exception as exc:
                raise ExtractionError("corrupt", f"page {index + 1}: {type(exc).__name__}: {exc}") from exc
            finally:
                if textpage is not None:
                    textpage.close()
                page.close()
    finally:
        pdf.close()
