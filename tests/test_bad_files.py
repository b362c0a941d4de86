"""Bad files are recorded failures with a specific reason (or successes), and the run goes on."""

from __future__ import annotations

import random
import shutil

import pytest

from extractors.errors import REASONS
from pipeline.cli import main
from pipeline.collect import collect
from pipeline.pool import Limits
from pipeline.stages import ingest
from tests.conftest import FIXTURES, sample_pdf
from warehouse.db import connect

BAD = FIXTURES / "bad"
# what each fixture is, by its name: the reason it must fail with (None: pdfplumber may read it, or not)
EXPECTED = {
    "empty.pdf": "empty",
    "encrypted-aes-256.pdf": "encrypted",
    "password-example.pdf": "encrypted",
    "not-a-pdf.pdf": "not_pdf",
    "truncated.pdf": "truncated",
    "scanned-ccitt-image-only.pdf": "no_text_layer",
    "issue-1113-evil-xobjects.pdf": None,
    "malformed-from-issue-932.pdf": None,
    "unreadable-metadata.pdf": None,
    "zen_of_python_corrupted.pdf": None,
}


def test_the_fixture_list_is_complete():
    assert {p.name for p in BAD.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("workers,backend", [(0, "pdfplumber"), (1, "pdfplumber"), (1, "pdfium")])
def test_every_bad_file_is_recorded_with_its_reason_and_the_run_goes_on(tmp_path, capsys, workers, backend):
    db = tmp_path / "w.duckdb"
    good = sample_pdf("003")
    options = ["--no-prefect", "-q", "--workers", str(workers), "--pdf-backend", backend]
    rc = main(["ingest", str(BAD), str(good), "--db", str(db), *options])
    out = capsys.readouterr()
    assert rc == 1  # some papers failed
    assert "Traceback" not in out.out + out.err
    con = connect(db, read_only=True)
    rows = con.execute("SELECT source, status, error_reason, error, needs_ocr, ocr_status FROM papers").fetchall()
    failures = {r[0] for r in con.execute("SELECT source FROM failures").fetchall()}
    con.close()
    by_name = {src.rsplit("/", 1)[-1]: row for src, *row in rows}
    assert set(by_name) == set(EXPECTED) | {good.name}
    assert by_name[good.name][0] == "ok"  # the run went on past the bad files
    for name, expected in EXPECTED.items():
        status, reason, error, ocr, ocr_status = by_name[name]
        if expected is not None:
            assert (status, reason) == ("failed", expected), name
        if status == "failed":
            assert reason in REASONS and error, name
            assert name in {f.rsplit("/", 1)[-1] for f in failures}
        else:
            assert reason is None
        assert ocr == (reason == "no_text_layer"), name
        if ocr:  # OCR is on by default: it read the scan and found no text, or it is not installed
            assert ocr_status in ("read", "missing"), name
        else:
            assert ocr_status is None, name
    # the failures are listed to the user too, one line per file with its reason
    for name, expected in EXPECTED.items():
        if expected is not None:
            assert name in out.out and expected in out.out


def test_exit_code_is_0_when_nothing_failed(tmp_path, capsys):
    rc = main(["ingest", str(sample_pdf("004")), "--db", str(tmp_path / "w.duckdb"), "--no-prefect", "-q"])
    assert rc == 0, capsys.readouterr()


def test_retry_failed_tries_failures_again(tmp_path):
    db = tmp_path / "w.duckdb"
    paper = tmp_path / "late.pdf"
    data = sample_pdf("004").read_bytes()
    paper.write_bytes(data[: len(data) // 2])  # truncated copy: fails
    con = connect(db)
    first = ingest(con, collect([paper]))
    again = ingest(con, collect([paper]))
    retried = ingest(con, collect([paper]), retry_failed=True)
    n = con.execute("SELECT count(*) FROM papers").fetchone()[0]
    con.close()
    assert [o.status for o in first.outcomes] == ["failed"]
    assert [o.status for o in again.outcomes] == ["skipped"]
    assert [o.status for o in retried.outcomes] == ["failed"]
    assert n == 1


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """One random corruption: flipped bytes, a cut, a deleted, repeated or inserted chunk."""
    b = bytearray(data)
    kind = rng.choice(["flip", "truncate", "delete", "repeat", "insert"])
    i = rng.randrange(len(b))
    n = rng.randint(1, 512)
    if kind == "flip":
        for _ in range(rng.randint(1, 40)):
            j = rng.randrange(len(b))
            b[j] ^= rng.randint(1, 255)
    elif kind == "truncate":
        del b[i:]
    elif kind == "delete":
        del b[i : i + n]
    elif kind == "repeat":
        b[i:i] = b[i : i + n]
    else:
        b[i:i] = bytes(rng.randrange(256) for _ in range(n))
    if bytes(b) == data:  # a repeat of an empty chunk: make it differ
        b.append(0x0A)
    return bytes(b)


def test_fuzzed_pdfs_end_as_success_or_recorded_failure(tmp_path):
    rng = random.Random(20211)
    data = sample_pdf("004").read_bytes()
    folder = tmp_path / "fuzz"
    folder.mkdir()
    for k in range(30):
        (folder / f"case{k:02}.pdf").write_bytes(_mutate(data, rng))
    shutil.copy(sample_pdf("003"), folder / "zz_good.pdf")
    db = tmp_path / "w.duckdb"
    con = connect(db)
    summary = ingest(con, collect([folder]), limits=Limits(timeout=30, workers=2))
    statuses = con.execute("SELECT status, error_reason FROM papers").fetchall()
    broken = con.execute(
        """SELECT count(*) FROM observations o JOIN pages p USING (paper_id, page)
           WHERE substr(p.text, o.page_start + 1, o.page_end - o.page_start) <> o.value_text"""
    ).fetchone()[0]
    con.close()
    assert len(summary.outcomes) == 31
    assert {o.status for o in summary.outcomes} <= {"loaded", "failed", "skipped"}
    for o in summary.outcomes:
        if o.status == "failed":
            assert o.reason in REASONS, o
    assert len(statuses) == len({o.paper_id for o in summary.outcomes})
    assert all(s in ("ok", "failed") for s, _ in statuses)
    assert any(s == "ok" for s, _ in statuses)
    assert broken == 0
