"""OCR of image-only pages: scans made here from the sample text PDFs yield the text version's figures, with
boxes where the text version has them, marked as OCR; without OCR the pages are left unread and the run says so."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from extractors import ocr
from extractors.document import extract_document
from extractors.metrics import extract_metrics
from extractors.ocr import OcrWord, words_to_text
from models.records import ExtractionResult, SourceFile
from pipeline.cli import main
from pipeline.pool import Limits
from pipeline.worker import extract_paper
from tests.conftest import sample_pdf
from tests.scans import pdf_pages, rotated_box, scan_pdf
from warehouse.db import connect
from warehouse.review_queue import review_queue

needs_ocr_engine = pytest.mark.skipif(
    not ocr.available(), reason=f"OCR is not available ({ocr.engine_problem()}); `make setup` installs it"
)

# Two pages of sample 002 (a scrutiny committee report with many figures in running text) and one of 001.
TEXT_PAGES = [("002", [4, 6]), ("001", [2])]
SCANS = {
    "200dpi_upright_clean": dict(dpi=200),
    "300dpi_turned_noisy": dict(dpi=300, angle=0.8, noise=20, seed=1),
    "200dpi_turned_back_noisy": dict(dpi=200, angle=-1.0, noise=12, seed=2),
}


def _text_pdf() -> bytes:
    """The chosen pages of the samples as one text PDF."""
    merged = pdfium.PdfDocument.new()
    for stem, pages in TEXT_PAGES:
        merged.import_pages(pdfium.PdfDocument(pdf_pages(sample_pdf(stem).read_bytes(), pages)))
    import io

    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


def _figures(data: bytes, name: str = "paper.pdf") -> ExtractionResult:
    return extract_metrics(extract_document(SourceFile(Path(name), "test"), data))


@pytest.fixture(scope="module")
def text_version() -> tuple[bytes, ExtractionResult]:
    data = _text_pdf()
    result = _figures(data)
    assert len(result.observations) >= 20  # enough figures for a 95% share to mean something
    assert all(o.text_source == "text" for o in result.observations)
    return data, result


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


@needs_ocr_engine
@pytest.mark.parametrize("scan", SCANS)
def test_a_scan_yields_the_text_versions_figures_with_overlapping_boxes(text_version, scan):
    data, text = text_version
    options = SCANS[scan]
    scanned = _figures(scan_pdf(data, **options), "scan.pdf")
    pages = scanned.document.pages
    assert all(p.needs_ocr and p.text_source == "ocr" for p in pages)
    assert scanned.document.paper.ocr_status == "read"

    want = Counter((o.page, o.value, o.unit) for o in text.observations)
    have = Counter((o.page, o.value, o.unit) for o in scanned.observations)
    found = sum((want & have).values())
    assert found >= 0.95 * sum(want.values()), f"{scan}: missing {sorted((want - have).elements())}"

    by_key: dict[tuple, list] = {}
    for o in scanned.observations:
        by_key.setdefault((o.page, o.value, o.unit), []).append(o)
    angle = options.get("angle", 0.0)
    for o in text.observations:
        candidates = by_key.get((o.page, o.value, o.unit), [])
        if not candidates:
            continue
        page = text.document.pages[o.page - 1]
        true_box = rotated_box(o.bbox, angle, page.width, page.height) if angle else o.bbox
        overlapping = [c for c in candidates if _overlap(c.bbox, true_box)]
        assert overlapping, f"{scan}: {o.value_text!r} on page {o.page} at {true_box}: {[c.bbox for c in candidates]}"

    for o in scanned.observations:  # every OCR figure keeps its provenance like any other
        page = pages[o.page - 1]
        assert o.text_source == "ocr"
        assert page.text[o.page_start : o.page_end] == o.value_text
        assert o.bbox is not None
        assert 0 <= o.bbox[0] < o.bbox[2] <= page.width and 0 <= o.bbox[1] < o.bbox[3] <= page.height
        assert 0 <= o.confidence < 1

    # the OCR's doubt is folded in: the same text without word confidences gives each figure more confidence
    for page in pages:
        page.char_confidence = None
    unfolded = {o.id: o.confidence for o in extract_metrics(scanned.document).observations}
    assert all(o.confidence <= unfolded[o.id] for o in scanned.observations)
    assert sum(o.confidence < unfolded[o.id] for o in scanned.observations) > len(scanned.observations) / 2


def test_word_boxes_are_shared_out_over_the_characters_in_pdf_points():
    words = [
        OcrWord("85%", (100, 50, 160, 80), 0.9, True),
        OcrWord("in", (180, 50, 200, 80), 0.5, False),
        OcrWord("2021", (100, 100, 180, 130), 0.8, True),
    ]
    text, boxes, conf = words_to_text(words, 0.5, 0.25)  # e.g. 144 dpi across, 288 dpi down
    assert text == "85% in\n2021"
    assert len(boxes) == len(conf) == len(text)
    # "85%" spans pixels 100-160: 20 pixels a character, half a point each across, a quarter down
    assert boxes[0] == (50.0, 12.5, 60.0, 20.0)
    assert boxes[2] == (70.0, 12.5, 80.0, 20.0)
    assert boxes[3] is None and conf[3] is None  # the space between words
    assert boxes[6] is None and text[6] == "\n"
    assert boxes[7] == (50.0, 25.0, 60.0, 32.5)
    assert conf[:3] == [0.9] * 3 and conf[4:6] == [0.5] * 2


def _mixed_pdf(tmp_path: Path) -> Path:
    """Page 1 with its text layer, page 2 scanned: the common appendix case."""
    text = sample_pdf("002").read_bytes()
    merged = pdfium.PdfDocument.new()
    merged.import_pages(pdfium.PdfDocument(pdf_pages(text, [4])))
    merged.import_pages(pdfium.PdfDocument(scan_pdf(pdf_pages(text, [6]), dpi=200)))
    path = tmp_path / "mixed.pdf"
    merged.save(path)
    return path


@needs_ocr_engine
def test_ingest_marks_ocr_pages_and_figures_and_verify_and_trace_say_so(tmp_path, capsys):
    paper = _mixed_pdf(tmp_path)
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(paper), "--db", str(db), "--no-prefect", "-q"]) == 0
    con = connect(db, read_only=True)
    try:
        assert con.execute("SELECT status, needs_ocr, ocr_status FROM papers").fetchall() == [("ok", True, "read")]
        pages = con.execute("SELECT page, needs_ocr, text_source FROM pages ORDER BY page").fetchall()
        assert pages == [(1, False, "text"), (2, True, "ocr")]
        by_page = dict(
            con.execute("SELECT page, list(DISTINCT text_source) FROM observations GROUP BY page").fetchall()
        )
        sources = dict(con.execute("SELECT id, text_source FROM observations WHERE kpi IS NOT NULL").fetchall())
        queue = review_queue(con)
    finally:
        con.close()
    assert by_page == {1: ["text"], 2: ["ocr"]}
    ocr_ids = sorted(oid for oid, source in sources.items() if source == "ocr")
    assert ocr_ids, "the scanned page has KPI figures"
    # every OCR figure with a KPI waits in the review queue, marked OCR; no text-layer figure is marked so
    marked = {i.observation_id for i in queue if any(r.startswith("OCR") for r in i.reasons)}
    assert marked == set(ocr_ids)
    capsys.readouterr()
    assert main(["verify", "--db", str(db)]) == 0
    assert "ocr_page" in capsys.readouterr().out
    assert main(["trace", ocr_ids[0], "--db", str(db)]) == 0
    assert "OCR: read by Tesseract" in capsys.readouterr().out
    out = tmp_path / "report"
    assert main(["report", "--out", str(out), "--db", str(db)]) == 0
    assert "<b>OCR</b>" in (out / "figures" / f"{ocr_ids[0]}.html").read_text()
    text_id = next(oid for oid, source in sources.items() if source == "text")
    assert "<b>OCR</b>" not in (out / "figures" / f"{text_id}.html").read_text()


def test_no_ocr_leaves_scans_unread_with_the_reason(tmp_path, capsys):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scan_pdf(pdf_pages(sample_pdf("001").read_bytes(), [2]), dpi=100))
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(scan), "--db", str(db), "--no-prefect", "-q", "--no-ocr"]) == 1
    out = capsys.readouterr()
    assert "OCR is off (--no-ocr)" in out.out
    assert "OCR is not available" not in out.err  # switched off is not missing
    con = connect(db, read_only=True)
    try:
        row = con.execute("SELECT status, error_reason, needs_ocr, ocr_status, error FROM papers").fetchone()
    finally:
        con.close()
    assert row[:4] == ("failed", "no_text_layer", True, "off")
    assert "OCR is off (--no-ocr), 1 page(s)" in row[4]


def test_a_missing_engine_is_said_once_per_run_and_the_papers_are_marked(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ocr, "engine_problem", lambda: "the tesserocr package is not installed")
    folder = tmp_path / "papers"
    folder.mkdir()
    scanned_only = scan_pdf(pdf_pages(sample_pdf("001").read_bytes(), [2]), dpi=100)
    (folder / "scan-a.pdf").write_bytes(scanned_only)
    (folder / "scan-b.pdf").write_bytes(scan_pdf(pdf_pages(sample_pdf("001").read_bytes(), [1]), dpi=100))
    _mixed_pdf(folder)
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(folder), "--db", str(db), "--no-prefect", "-q", "--workers", "0"]) == 1
    err = capsys.readouterr().err
    assert err.count("OCR is not available") == 1
    assert "the image-only pages of 3 paper(s) were left unread" in err
    con = connect(db, read_only=True)
    try:
        rows = con.execute("SELECT source, status, error_reason, ocr_status FROM papers ORDER BY source").fetchall()
        texts = con.execute("SELECT count(*) FROM observations WHERE text_source = 'ocr'").fetchone()
    finally:
        con.close()
    assert [(Path(s).name, st, why, o) for s, st, why, o in rows] == [
        ("mixed.pdf", "ok", None, "missing"),  # its text page is read, its scanned page left unread
        ("scan-a.pdf", "failed", "no_text_layer", "missing"),
        ("scan-b.pdf", "failed", "no_text_layer", "missing"),
    ]
    assert texts == (0,)


@needs_ocr_engine
def test_ocr_time_counts_against_the_per_paper_time_limit(tmp_path):
    from pipeline.collect import collect
    from pipeline.stages import ingest

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scan_pdf(pdf_pages(sample_pdf("002").read_bytes(), [4, 5, 6]), dpi=300))
    outcomes = {}
    for ocr_on in (False, True):
        con = connect(tmp_path / f"w-{ocr_on}.duckdb")
        try:
            ingest(con, collect([scan]), command="test", limits=Limits(timeout=1.0, workers=1), ocr=ocr_on)
            outcomes[ocr_on] = con.execute("SELECT status, error_reason FROM papers").fetchone()
        finally:
            con.close()
    # without OCR the paper is opened and found image-only well within the second; reading its three A4 pages
    # at 300 dpi takes Tesseract several seconds of CPU, so the worker is stopped at the limit
    assert outcomes == {False: ("failed", "no_text_layer"), True: ("failed", "timeout")}


@needs_ocr_engine
def test_the_worker_reads_a_scan_like_the_stage_does(tmp_path):
    data = scan_pdf(pdf_pages(sample_pdf("001").read_bytes(), [2]), dpi=200)
    result = extract_paper(SourceFile(tmp_path / "scan.pdf", "test"), data)
    assert isinstance(result, ExtractionResult)
    assert result.document.paper.ocr_status == "read"
    assert result.observations and all(o.text_source == "ocr" for o in result.observations)
    # boxes and confidences are not shipped back from the worker, as for text pages
    assert all(p.char_boxes is None and p.char_confidence is None for p in result.document.pages)


def test_a_warehouse_from_before_ocr_gets_the_new_columns_and_loads(tmp_path):
    db = tmp_path / "old.duckdb"
    con = connect(db)
    for table, column in NEW_COLUMNS:  # as the warehouse was before OCR
        con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.execute("CHECKPOINT")
    con.close()
    assert main(["ingest", str(sample_pdf("001")), "--db", str(db), "--no-prefect", "-q"]) == 0
    con = connect(db, read_only=True)
    try:
        cols = set(con.execute(COLUMNS_SQL).fetchall())
        sources = con.execute("SELECT DISTINCT text_source FROM observations").fetchall()
    finally:
        con.close()
    assert cols == set(NEW_COLUMNS)
    assert sources == [("text",)]


NEW_COLUMNS = [("papers", "ocr_status"), ("pages", "text_source"), ("observations", "text_source")]
COLUMNS_SQL = """
SELECT table_name, column_name FROM information_schema.columns
WHERE (table_name, column_name) IN (('papers', 'ocr_status'), ('pages', 'text_source'), ('observations', 'text_source'))
"""
