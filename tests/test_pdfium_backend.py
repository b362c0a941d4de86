"""The pypdfium2 backend finds the same figures as pdfplumber on the samples, with exact offsets and boxes."""

from __future__ import annotations

from collections import Counter

import pytest

from models.records import ExtractionResult, SourceFile
from pipeline.worker import extract_paper
from tests.conftest import SAMPLES_PDF


def _figures(backend: str) -> dict[str, ExtractionResult]:
    out = {}
    for path in sorted(SAMPLES_PDF.glob("*.pdf")):
        result = extract_paper(SourceFile(path, str(path)), path.read_bytes(), backend)
        assert isinstance(result, ExtractionResult), result
        out[path.name] = result
    return out


@pytest.fixture(scope="module")
def both() -> tuple[dict[str, ExtractionResult], dict[str, ExtractionResult]]:
    return _figures("pdfplumber"), _figures("pdfium")


def _key(name: str, o) -> tuple:
    return (name, o.page, o.value, o.unit, o.period_start, o.period_end)


def test_at_least_99_percent_of_figures_are_identical(both):
    plumber, pdfium = both
    a = Counter(_key(n, o) for n, r in plumber.items() for o in r.observations)
    b = Counter(_key(n, o) for n, r in pdfium.items() for o in r.observations)
    assert sum(a.values()) > 50
    same = sum((a & b).values())
    share = same / sum((a | b).values())
    assert share >= 0.99, (share, sorted((a - b).elements()), sorted((b - a).elements()))


def test_pdfium_figures_keep_exact_offsets_and_boxes_near_pdfplumbers(both):
    plumber, pdfium = both
    for name, result in pdfium.items():
        pages = {p.number: p for p in result.document.pages}
        sentences = {s.id: s for s in result.sentences}
        theirs = {}
        for o in plumber[name].observations:
            theirs.setdefault((o.page, o.value_text, o.sentence_start), []).append(o)
        for o in result.observations:
            page = pages[o.page]
            assert page.text[o.page_start : o.page_end] == o.value_text
            assert sentences[o.sentence_id].text[o.sentence_start : o.sentence_end] == o.value_text
            assert o.bbox is not None
            x0, top, x1, bottom = o.bbox
            assert 0 <= x0 < x1 <= page.width + 0.5 and 0 <= top < bottom <= page.height + 0.5
            match = theirs.get((o.page, o.value_text, o.sentence_start))
            if match and len(match) == 1 and match[0].bbox:
                # the same characters: same left and right edges; pdfium's glyph box starts a little lower than
                # pdfplumber's font-size box (its top is the font's ascent), so the vertical edges get 4 points
                tolerance = (1, 4, 1, 4)
                diffs = [abs(u - v) for u, v in zip(o.bbox, match[0].bbox, strict=True)]
                assert all(d <= t for d, t in zip(diffs, tolerance, strict=True)), (o.bbox, match[0].bbox)
