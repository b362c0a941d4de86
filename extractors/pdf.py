"""PDF text extraction with pdfplumber: page text plus the box of every character of that text."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pdfplumber
from pdfminer.layout import LTChar, LTContainer
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.text import TextMap, chars_to_textmap

from extractors.errors import ExtractionError
from extractors.tables import find_pdf_tables
from models.records import BBox, Page

# pdfminer logs every recoverable oddity of a damaged file at WARNING; the run records failures itself.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _char_box(obj: dict | None) -> BBox | None:
    if obj is None:
        return None
    return (obj["x0"], obj["top"], obj["x1"], obj["bottom"])


def check_pdf_bytes(data: bytes) -> None:
    """Raise ExtractionError for inputs that are not worth handing to the parser."""
    if not data.strip():
        raise ExtractionError("empty")
    if b"%PDF" not in data[:1024]:
        raise ExtractionError("not_pdf")
    if b"%%EOF" not in data[-2048:] and b"%%EOF" not in data:
        raise ExtractionError("truncated")


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, the exceptions it wraps (pdfplumber wraps pdfminer's in args) and its causes."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop()
        if e in seen:
            continue
        seen.append(e)
        todo += [a for a in e.args if isinstance(a, BaseException)]
        todo += [c for c in (e.__cause__, e.__context__) if c is not None]
    return seen


def classify_open_error(exc: BaseException) -> ExtractionError:
    """Turn whatever pdfplumber/pdfminer raised on opening a file into a reasoned ExtractionError."""
    chain = _chain(exc)
    if any(
        isinstance(e, (PDFPasswordIncorrect, PDFEncryptionError))
        or "Password" in type(e).__name__
        or "Encrypt" in type(e).__name__
        for e in chain
    ):
        return ExtractionError("encrypted", "a password is needed to open it")
    innermost = chain[-1]
    if any(isinstance(e, PDFSyntaxError) for e in chain):
        return ExtractionError("corrupt", str(innermost) or type(innermost).__name__)
    return ExtractionError("corrupt", f"{type(innermost).__name__}: {innermost}".rstrip(": "))


def _chars(page: pdfplumber.page.Page) -> list[dict]:
    """The page's characters with only the attributes text layout reads, in pdfplumber's coordinates.

    pdfplumber's own ``page.chars`` resolves every attribute of every object (colours, patterns, ...), which costs
    about as much as parsing the page; the text and boxes built from these are the same (see the tests).
    """
    mb_x0, mb_top = page.mediabox[:2]
    height, doctop = page.height, page.initial_doctop
    chars: list[dict] = []

    def walk(objs: list) -> None:
        for obj in objs:
            if isinstance(obj, LTContainer):
                walk(obj._objs)
            elif isinstance(obj, LTChar):
                top = (height - obj.y1) + mb_top
                chars.append(
                    {
                        "object_type": "char",
                        "page_number": page.page_number,
                        "text": obj.get_text(),
                        "x0": obj.x0 + mb_x0,
                        "x1": obj.x1 + mb_x0,
                        "top": top,
                        "bottom": (height - obj.y0) + mb_top,
                        "doctop": doctop + top,
                        "width": obj.width,
                        "height": obj.height,
                        "size": obj.size,
                        "upright": obj.upright,
                        "fontname": obj.fontname,
                        "matrix": obj.matrix,
                    }
                )

    walk(page.layout._objs)
    return chars


def page_textmap(page: pdfplumber.page.Page) -> TextMap:
    """``page.get_textmap()`` (same defaults) built from the lean characters of ``_chars``."""
    if page.pdf.unicode_norm is not None:  # pdfplumber normalises text then: let it do all the work
        return page.get_textmap()
    return chars_to_textmap(_chars(page), layout_bbox=page.bbox, layout_width=page.width, layout_height=page.height)


def iter_pdf_pages(path: Path | BinaryIO) -> Iterator[Page]:
    """Yield the pages of a PDF (a path or a binary stream) one at a time, closing each before the next."""
    try:
        pdf = pdfplumber.open(path)
    except MemoryError:  # the per-paper memory limit: not a property of the file
        raise
    except Exception as exc:  # pdfminer raises many kinds of error on damaged files
        raise classify_open_error(exc) from exc
    with pdf:
        try:
            pages = pdf.pages
        except MemoryError:
            raise
        except Exception as exc:
            raise ExtractionError("corrupt", f"{type(exc).__name__}: {exc}") from exc
        for page in pages:
            try:
                textmap = page_textmap(page)
                text = textmap.as_string
                boxes = [_char_box(obj) for _, obj in textmap.tuples]
                needs_ocr = not text.strip() and bool(page.images)
                yield Page(
                    number=page.page_number,
                    text=text,
                    width=float(page.width),
                    height=float(page.height),
                    char_boxes=boxes,
                    needs_ocr=needs_ocr,
                    tables=find_pdf_tables(page, text, boxes),
                )
            except (ExtractionError, MemoryError):
                raise
            except Exception as exc:
                raise ExtractionError("corrupt", f"page {page.page_number}: {type(exc).__name__}: {exc}") from exc
            finally:
                page.close()
