"""The HTML audit report, opened in headless Chromium: highlighted values and page images are there."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from pipeline.cli import main
from pipeline.page_image import OUTLINE
from tests.audit_helpers import figure_865
from tests.conftest import ROOT

TEST_OUTPUT = ROOT / "test-output"


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("Chromium is not installed and `make browser` could not install it (apt-get install -y chromium)")


def _browse(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *extra,
        url,
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


@pytest.fixture(scope="module")
def report(demo_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    assert main(["report", "--db", str(demo_db), "--kpi", "children_looked_after", "--out", str(out), "-q"]) == 0
    return out


def test_report_in_chromium_shows_highlighted_values_and_page_images(report, demo_con, tmp_path):
    oid = figure_865(demo_con)
    dom = _browse((report / "index.html").as_uri(), tmp_path / "profile", "--dump-dom").stdout
    row = re.search(rf'<tr id="obs-{oid}".*?</tr>', dom, re.S)
    assert row, "the 865 figure has a row in the report"
    assert '<mark class="value">865</mark>' in row.group(0)
    src = re.search(r'<img class="crop" src="([^"]+)"', row.group(0)).group(1)
    image = Image.open(report / src).convert("RGB")
    assert {c: n for n, c in image.getcolors(maxcolors=1 << 24)}.get(OUTLINE, 0) > 20
    assert "<svg" in dom and "<circle" in dom
    assert not re.search(r'(src|href)="https?://', dom), "the report must not load anything from the network"

    figure = _browse((report / "figures" / f"{oid}.html").as_uri(), tmp_path / "profile", "--dump-dom").stdout
    assert figure.count('<mark class="value">865</mark>') == 2  # in the sentence and in the page text
    assert re.search(r'<img class="page" src="\.\./img/[0-9a-f]+-page\.png"', figure)

    TEST_OUTPUT.mkdir(exist_ok=True)
    shot = TEST_OUTPUT / "report.png"
    shot.unlink(missing_ok=True)
    _browse(
        (report / "index.html").as_uri(),
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1200,1600",
        "--hide-scrollbars",
    )
    with Image.open(shot) as img:
        assert img.size == (1200, 1600)
        assert len(img.convert("RGB").getcolors(maxcolors=1 << 24)) > 50, "the screenshot is not blank"
