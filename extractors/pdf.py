"""PDF text extraction with pdfplumber: page text plus the box of every character of that text."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError

from extractors.errors import ExtractionError
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
                textmap = page.get_textmap()
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
                )
            except (ExtractionError, MemoryError):
                raise
            except Exception as exc:
                raise ExtractionError("corrupt", f"page {page.page_number}: {type(exc).__name__}: {exc}") from exc
            finally:
                page.close()
