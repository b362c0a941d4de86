"""`councilkpi browse`, driven in headless Chromium: KPI -> chart point -> trace -> reject -> the series changes;
text from papers is shown as text; read-only unless --allow-review."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from fastapi.testclient import TestClient

from pipeline.collect import collect
from pipeline.stages import ingest
from tests.audit_helpers import copy_warehouse
from tests.cdp import Chromium, chromium_path
from tests.conftest import ROOT
from warehouse.db import connect

TEST_OUTPUT = ROOT / "test-output"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def served(tmp_path):
    """Start `councilkpi browse` on a warehouse; yields a function (db, *args) -> base URL."""
    procs = []

    def start(db, *args) -> str:
        port = _free_port()
        command = [sys.executable, "-m", "pipeline.cli", "browse", "--db", str(db), "--port", str(port), *args]
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=5).read()
                return url
            except OSError:
                assert proc.poll() is None, proc.communicate()[1][-2000:]
                assert time.monotonic() < deadline, "browse did not start"
                time.sleep(0.2)

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture()
def chromium(tmp_path):
    if chromium_path() is None:
        pytest.skip("Chromium is not installed and `make browser` could not install it (apt-get install -y chromium)")
    browser = Chromium(tmp_path / "profile")
    yield browser
    browser.close()


def _points(browser) -> list[str]:
    return browser.js(
        "[...document.querySelectorAll('svg.chart a')].filter(a => a.querySelector('circle'))"
        ".map(a => a.getAttribute('href'))"
    )


def test_browse_follow_a_point_to_its_trace_reject_it_and_see_the_series_change(tmp_path, demo_db, served, chromium):
    db = copy_warehouse(demo_db, tmp_path / "copy")
    url = served(db, "--allow-review")
    TEST_OUTPUT.mkdir(exist_ok=True)

    chromium.open(url + "/")
    assert chromium.js("document.querySelectorAll('a.kpi').length") > 3
    chromium.screenshot(TEST_OUTPUT / "browse-1-kpis.png")
    chromium.click('a.kpi[href^="/kpi/statutory_visits_in_time"]')
    assert "/kpi/statutory_visits_in_time" in chromium.url()
    before = _points(chromium)
    assert len(before) >= 2, before
    chromium.screenshot(TEST_OUTPUT / "browse-2-series.png")

    chromium.click(f'svg.chart a[href="{before[1]}"]')
    oid = before[1].rsplit("/", 1)[1]
    assert chromium.url().endswith(f"/figure/{oid}")
    assert chromium.js("document.querySelector('p.sentence-line mark.value') !== null")
    assert chromium.js("document.querySelector('img.page') === null || document.querySelector('img.page').complete")
    assert chromium.js("document.querySelector('img.page').naturalWidth") > 300  # the page image with its box
    chromium.screenshot(TEST_OUTPUT / "browse-3-trace.png")

    reject = "form.review:has(input[name=action][value=reject])"
    chromium.type_into(f"{reject} input[name=reviewer]", "Ann Auditor")  # asked for on the first review
    chromium.type_into(f"{reject} input[name=reason]", "not a statutory visits figure")
    chromium.click(f"{reject} button")
    assert chromium.url().endswith(f"/figure/{oid}")
    assert "rejected" in chromium.js("document.querySelector('ul.history').innerText")
    assert chromium.js("document.querySelector('b.reviewer').innerText") == "Ann Auditor"  # asked once
    assert chromium.js("document.querySelectorAll('input[name=reviewer]').length") == 0
    chromium.screenshot(TEST_OUTPUT / "browse-4-rejected.png")

    chromium.click('a[href^="/kpi/statutory_visits_in_time"]')
    after = _points(chromium)
    assert len(after) == len(before) - 1 and before[1] not in after
    assert chromium.js(f"document.getElementById('obs-{oid}').className") == "rejected"
    chromium.screenshot(TEST_OUTPUT / "browse-5-series-after.png")

    con = connect(db, read_only=True)
    rows = con.execute("SELECT observation_id, action, reviewer, reason FROM corrections").fetchall()
    con.close()
    assert rows == [(oid, "reject", "Ann Auditor", "not a statutory visits figure")]

    chromium.open(url + "/queue")
    assert chromium.js("document.querySelectorAll('table tbody tr').length") > 0
    assert oid not in chromium.js("document.body.innerText")


def test_text_from_a_paper_with_script_in_it_is_shown_as_text(tmp_path, served, chromium):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "evil.txt").write_text(
        "Meeting held on 12 January 2022.\n\n"
        "The proportion of care plans reviewed was 96% (October 2021) "
        "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">.\n",
        encoding="utf-8",
    )
    (folder / "manifest.csv").write_text(
        "file,title,paper_date,source_url\nevil.txt,\"<script>document.title='pwned'</script> Report\",2022-01-12,\n"
    )
    db = tmp_path / "w.duckdb"
    con = connect(db)
    ingest(con, collect([folder]))
    (oid,) = con.execute("SELECT id FROM observations WHERE value_text = '96'").fetchone()
    kpi = con.execute("SELECT kpi FROM observations WHERE id = ?", [oid]).fetchone()[0]
    con.close()
    url = served(db, "--allow-review")
    pages = [f"/figure/{oid}", "/queue", "/"] + ([f"/kpi/{kpi}"] if kpi else [])
    for path in pages:
        chromium.open(url + path)
        assert chromium.js("document.querySelectorAll('script').length") == 0, path
        assert chromium.js("document.querySelectorAll('img[src=x]').length") == 0, path
        assert chromium.js("document.title") != "pwned", path
    chromium.open(url + f"/figure/{oid}")
    text = chromium.js("document.body.innerText")
    assert "<script>document.title='pwned'</script>" in text
    assert "<img src=x onerror=" in text
    chromium.screenshot(TEST_OUTPUT / "browse-escaped.png")


def test_browse_is_read_only_without_allow_review_and_local_only(demo_db):
    from pipeline.browse import create_app

    client = TestClient(create_app(demo_db), base_url="http://127.0.0.1")
    con = connect(demo_db, read_only=True)
    (oid,) = con.execute("SELECT id FROM observations WHERE kpi IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    con.close()
    page = client.get(f"/figure/{oid}")
    assert page.status_code == 200 and "<form" not in page.text and "--allow-review" in page.text
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none': no scripts
    token = re.search(r'name="token" value="([^"]+)"', client.get("/reviewer").text).group(1)
    posted = client.post(f"/figure/{oid}/review", data={"token": token, "action": "reject", "reason": "x"})
    assert posted.status_code == 403
    assert TestClient(create_app(demo_db), base_url="http://evil.example").get("/").status_code == 403
    assert client.get("/figure/nope").status_code == 404


def test_review_form_without_the_apps_token_is_refused(tmp_path, demo_db):
    from pipeline.browse import create_app

    db = copy_warehouse(demo_db, tmp_path / "copy")
    client = TestClient(create_app(db, allow_review=True), base_url="http://127.0.0.1", follow_redirects=False)
    con = connect(db, read_only=True)
    (oid,) = con.execute("SELECT id FROM observations WHERE kpi IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    con.close()
    form = {"action": "reject", "reason": "x", "reviewer": "Eve"}
    assert client.post(f"/figure/{oid}/review", data={**form, "token": "guess"}).status_code == 403
    token = re.search(r'name="token" value="([^"]+)"', client.get(f"/figure/{oid}").text).group(1)
    bad = client.post(f"/figure/{oid}/review", data={**form, "token": token, "action": "set", "value": "abc"})
    assert bad.status_code == 303 and "error=" in bad.headers["location"]
    ok = client.post(f"/figure/{oid}/review", data={**form, "token": token})
    assert ok.status_code == 303 and ok.headers["location"] == f"/figure/{oid}"
    con = connect(db, read_only=True)
    assert con.execute("SELECT action, reviewer FROM corrections").fetchall() == [("reject", "Eve")]
    con.close()


def test_index_lists_kpis_by_council_and_a_kpi_page_keeps_to_its_council(tmp_path, demo_db):
    from pipeline.browse import create_app

    db = copy_warehouse(demo_db, tmp_path / "copy")
    con = connect(db)
    (paper,) = con.execute("SELECT paper_id FROM kpi_series WHERE kpi = 'adoptions' LIMIT 1").fetchone()
    con.execute(
        "INSERT INTO paper_meta (paper_id, url, council) VALUES (?, 'https://example.org/p.pdf', 'West Sussex')",
        [paper],
    )
    con.execute("UPDATE papers SET council = NULL")  # only the collector's paper_meta says whose the paper is
    n_council = con.execute("SELECT count(*) FROM kpi_series WHERE kpi = 'adoptions' AND paper_id = ?", [paper])
    n_council = n_council.fetchone()[0]
    con.close()
    client = TestClient(create_app(db), base_url="http://127.0.0.1")
    index = client.get("/").text
    assert "<h2>West Sussex</h2>" in index and "<h2>(council not known)</h2>" in index
    west = index.split("<h2>West Sussex</h2>", 1)[1].split("<h2>", 1)[0]
    assert 'href="/kpi/adoptions?council=West+Sussex"' in west
    page = client.get("/kpi/adoptions", params={"council": "West Sussex"}).text
    assert page.count('<tr id="obs-') == n_council
    assert client.get("/kpi/adoptions", params={"council": "Nowhere"}).status_code == 404
