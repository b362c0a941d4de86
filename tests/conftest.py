"""Shared fixtures: the bundled sample papers and a warehouse built from them once per test session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.collect import collect
from pipeline.stages import ingest
from warehouse.db import connect

ROOT = Path(__file__).resolve().parents[1]
SAMPLES_PDF = ROOT / "data" / "samples" / "pdf"
SAMPLES_TEXT = ROOT / "data" / "samples" / "text"
FIXTURES = ROOT / "tests" / "fixtures"
GOLD = FIXTURES / "gold"


def sample_pdf(stem: str) -> Path:
    """The bundled sample PDF whose name starts with ``stem`` (e.g. '002')."""
    (path,) = SAMPLES_PDF.glob(f"{stem}*.pdf")
    return path


def read_gold(name: str) -> list[dict]:
    return [json.loads(line) for line in (GOLD / name).read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the five sample PDFs (built without Prefect, once per session)."""
    db = tmp_path_factory.mktemp("warehouse") / "demo.duckdb"
    con = connect(db)
    try:
        summary = ingest(con, collect([SAMPLES_PDF]), command="test")
    finally:
        con.close()
    assert summary.count("loaded") == 5, summary.outcomes
    return db


@pytest.fixture()
def demo_con(demo_db: Path):
    con = connect(demo_db, read_only=True)
    yield con
    con.close()
