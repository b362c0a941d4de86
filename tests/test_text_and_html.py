"""Plain-text and HTML papers are read too; their figures carry offsets but no boxes."""

from __future__ import annotations

from extractors.document import extract_document
from extractors.html import html_to_text
from extractors.metrics import extract_metrics
from models.records import SourceFile
from tests.conftest import SAMPLES_TEXT


def test_html_minutes_page_keeps_block_structure_and_skips_scripts():
    html = """<html><head><title>Minutes - Scrutiny</title><script>var x = 99;</script></head>
    <body><h2>42.1 Performance</h2><p>Visits on time were at 93% in November 2021.</p>
    <ul><li>There are 865 children looked after.</li></ul></body></html>"""
    text, title = html_to_text(html)
    assert title == "Minutes - Scrutiny"
    assert "99" not in text
    assert "93% in November 2021" in text and "\n" in text


def test_html_file_extracts_figures(tmp_path):
    page = tmp_path / "minutes.html"
    page.write_text(
        "<html><body><p>Meeting held on 12 January 2022.</p>"
        "<p>The proportion of care plans reviewed was 96% (October 2021).</p>"
        "<p>Contact 01243 777100 for details.</p></body></html>"
    )
    doc = extract_document(SourceFile(page, str(page)))
    result = extract_metrics(doc)
    assert doc.paper.kind == "html"
    values = [(o.value, o.unit, o.period_start.isoformat()[:7]) for o in result.observations]
    assert values == [(96.0, "percent", "2021-10")]
    o = result.observations[0]
    assert doc.pages[0].text[o.page_start : o.page_end] == o.value_text and o.bbox is None


def test_text_versions_of_the_samples_give_the_same_core_figures_as_the_pdfs():
    path = next(SAMPLES_TEXT.glob("002*.txt"))
    doc = extract_document(SourceFile(path, str(path)))
    result = extract_metrics(doc)
    assert doc.paper.kind == "text"
    found = {(o.value, o.unit) for o in result.observations}
    for expected in [(865, "count"), (96, "percent"), (87, "percent"), (98, "percent"), (2356, "count")]:
        assert expected in found
