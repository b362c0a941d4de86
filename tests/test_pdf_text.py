"""The lean character path gives exactly pdfplumber's own text and character boxes."""

from __future__ import annotations

import io
import random

import pdfplumber

from extractors.pdf import page_textmap
from tests.conftest import FIXTURES, SAMPLES_PDF
from tests.test_bad_files import _mutate


def _pdfs() -> list[tuple[str, bytes]]:
    files = sorted(SAMPLES_PDF.glob("*.pdf")) + sorted((FIXTURES / "bad").glob("*.pdf"))
    out = [(p.name, p.read_bytes()) for p in files]
    rng = random.Random(5)
    out += [(f"mutated-{k}", _mutate(out[k % 5][1], rng)) for k in range(10)]
    return out


def _layout(textmap) -> tuple[str, list]:
    boxes = [None if o is None else (o["x0"], o["top"], o["x1"], o["bottom"]) for _, o in textmap.tuples]
    return textmap.as_string, boxes


def test_lean_textmap_equals_pdfplumbers():
    compared: dict[str, int] = {}
    for name, data in _pdfs():
        try:
            pdf = pdfplumber.open(io.BytesIO(data))
            pages = pdf.pages
        except Exception:
            continue  # cannot be opened at all: a recorded failure either way (tests/test_bad_files.py)
        with pdf:
            for page in pages:
                try:
                    theirs = _layout(page.get_textmap())
                except Exception:
                    continue  # a page pdfplumber cannot read is a recorded failure either way
                page.close()
                ours = _layout(page_textmap(page))
                page.close()
                assert ours == theirs, (name, page.page_number)
                compared[name] = compared.get(name, 0) + 1
    assert sum(n for name, n in compared.items() if name[0].isdigit()) == 26  # every page of the five samples
    assert sum(1 for name in compared if name.startswith("mutated")) >= 5
