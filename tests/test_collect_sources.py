"""Collecting from a (fake) council web server: ModernGov web service, HTML fallback, RSS, failures, re-runs."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from pipeline.sources.collector import collect_sources
from pipeline.sources.config import parse_config
from tests.council_server import CouncilServer, sample
from warehouse.db import connect
from warehouse.store import store_path

TODAY = date(2022, 1, 20)  # window: 23/12/2021 to 27/01/2022
CYP = "Children and Young People's Services Scrutiny Committee"

CONFIG = """
[collect]
db = "warehouse.duckdb"
data_dir = "data"
schedule = "30 5 * * 1-5"

[fetch]
timeout = 0.5
retries = 1
backoff = 0.05
per_host_delay = 0
max_bytes = 1_000_000
contact = "papers@example.org"

[[source]]
name = "Westshire"
type = "moderngov"
url = "{base}/a/"
committees = ["Children and Young People"]

[[source]]
name = "Eastshire"
type = "moderngov"
url = "{base}/b/mgListCommittees.aspx"

[[source]]
name = "Northshire feed"
council = "Northshire"
type = "rss"
url = "{base}/c/feed.xml"

[[source]]
name = "Southshire"
type = "moderngov"
url = "{base}/d/"
"""


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def council():
    with CouncilServer(slow_seconds=1.2) as server:
        yield server


def _config(tmp_path: Path, base: str):
    path = tmp_path / "councilkpi.toml"
    path.write_text(CONFIG.format(base=base))
    return parse_config(path.read_text(), path)


def _run(cfg):
    con = connect(cfg.db)
    try:
        return collect_sources(con, cfg, list(cfg.sources), today=TODAY)
    finally:
        con.close()


@pytest.fixture(scope="module")
def two_runs(council, tmp_path_factory):
    """Collect everything twice; keep both summaries and the request logs of each run."""
    tmp = tmp_path_factory.mktemp("collect")
    cfg = _config(tmp, council.base)
    council.clear()
    first = _run(cfg)
    log1 = council.requests()
    council.clear()
    second = _run(cfg)
    log2 = council.requests()
    return cfg, first, log1, second, log2


def _count(log, path_part: str, status: int | None = None) -> int:
    return sum(1 for r in log if path_part in r.path + "?" + r.query and (status is None or r.status == status))


def test_first_run_loads_the_good_papers_and_records_the_bad_ones(two_runs):
    cfg, first, log1, _, _ = two_runs
    failed = {o.source.rsplit("/", 1)[-1]: o.reason for o in first.failed}
    assert failed == {
        "mgConvert2PDF.aspx?ID=9002": "http_500",
        "Dashboard.pdf": "timeout",
        "Moved.pdf": "redirect_off_host",
        "Bundle.pdf": "too_large",
    }
    con = connect(cfg.db, read_only=True)
    try:
        papers = dict(con.execute("SELECT id, status FROM papers").fetchall())
        failures = dict(con.execute("SELECT url, reason FROM fetch_failures").fetchall())
        n_obs = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    finally:
        con.close()
    # 002 (Westshire and Eastshire), 000 (Westshire), 003 (Eastshire, HTML fallback), 004 (RSS), 001 (mgRss)
    assert papers == {sha(sample(s)): "ok" for s in ("000", "001", "002", "003", "004")}
    assert n_obs > 0
    assert {url.rsplit("/", 1)[-1]: reason for url, reason in failures.items()} == failed
    assert first.count("loaded") == 5 and first.count("skipped") == 1


def test_each_paper_carries_council_committee_meeting_and_agenda_item(two_runs):
    cfg, *_ = two_runs
    con = connect(cfg.db, read_only=True)
    try:
        rows = con.execute(
            """SELECT m.url, m.council, m.committee, m.meeting_date, m.agenda_item, m.title, m.publication_date,
                      p.paper_date, p.paper_date_source
               FROM paper_meta m JOIN papers p ON p.id = m.paper_id"""
        ).fetchall()
    finally:
        con.close()
    meta = {r[0].split("/", 3)[-1]: r[1:] for r in rows}
    assert meta["a/mgConvert2PDF.aspx?ID=9001"] == (
        "Westshire",
        CYP,
        date(2022, 1, 12),
        "5. Children First Improvement Update: Children We Care For",
        "Children First Improvement Update: Children We Care For",
        date(2022, 1, 4),
        date(2022, 1, 12),
        "metadata",
    )
    # a relative URL in GetMeeting resolved against the site; the meeting date is the paper date
    assert meta["a/mgConvert2PDF.aspx?ID=9006"][2] == date(2022, 1, 19)
    assert meta["a/mgConvert2PDF.aspx?ID=9006"][6] == date(2022, 1, 19)
    # HTML fallback: committee from the listing, date from the meetings page, agenda item above the link
    report = meta["b/documents/s6001/Report.pdf?$LO$=1"]
    assert report[:4] == ("Eastshire", "Cabinet", date(2022, 1, 12), "7. Children's services update")
    assert report[4] == "Building blocks in place"
    # RSS feed: the council name from the config, the date in the item title
    assert meta["c/documents/s7001/Performance.pdf"][:3] == (
        "Northshire",
        "Corporate Parenting Panel",
        date(2022, 1, 14),
    )
    assert meta["c/documents/s7001/Performance.pdf"][5] == date(2022, 1, 14)
    # mgRss.aspx fallback: the meeting page gives committee and date
    progress = meta["d/documents/s8001/Progress%20Report.pdf"]
    assert progress[:4] == (
        "Southshire",
        "Health and Wellbeing Board",
        date(2022, 1, 18),
        "4. Improvement programme progress",
    )


def test_a_paper_at_two_urls_is_stored_once_with_both_sources(two_runs):
    cfg, *_ = two_runs
    paper = sha(sample("002"))
    con = connect(cfg.db, read_only=True)
    try:
        sources = sorted(
            r[0] for r in con.execute("SELECT source FROM paper_sources WHERE paper_id = ?", [paper]).fetchall()
        )
        metas = con.execute("SELECT count(*) FROM paper_meta WHERE paper_id = ?", [paper]).fetchone()[0]
    finally:
        con.close()
    assert [s.split("/", 3)[-1] for s in sources] == ["a/mgConvert2PDF.aspx?ID=9001", "b/documents/s6001/Scrutiny.pdf"]
    assert metas == 2


def test_the_store_keeps_the_exact_bytes_of_every_paper(two_runs):
    cfg, *_ = two_runs
    stored = sorted(p for p in (cfg.data_dir / "store").rglob("*") if p.is_file())
    expected = {sha(sample(s)) for s in ("000", "001", "002", "003", "004")}
    assert {p.name for p in stored} == expected
    for digest in expected:
        path = store_path(cfg.data_dir, digest)
        assert path.parent.name == digest[:2] and sha(path.read_bytes()) == digest


def test_requests_are_polite_and_stay_inside_the_window_and_filters(two_runs, council):
    _, _, log1, _, _ = two_runs
    assert log1 and all(r.user_agent.startswith("councilkpi/") and "papers@example.org" in r.user_agent for r in log1)
    assert all(r.host == f"127.0.0.1:{council.port}" for r in log1)  # the redirect to localhost was not followed
    meetings = [r for r in log1 if r.path.endswith("GetMeetings")]
    assert [r.query for r in meetings] == ["lCommitteeId=101&sFromDate=23%2F12%2F2021&sToDate=27%2F01%2F2022"]
    assert _count(log1, "lMeetingId=5003") == 0  # meeting outside the window
    assert _count(log1, "lCommitteeId=102") == 0  # committee filtered out
    assert _count(log1, "MId=6000") == 0 and _count(log1, "MId=6002") == 0
    assert _count(log1, "Old.pdf") == 0
    # retried: 5xx and timeouts (retries = 1); not retried: redirect, oversized
    assert _count(log1, "ID=9002") == 2 and _count(log1, "Dashboard.pdf") == 2
    assert _count(log1, "Moved.pdf") == 1 and _count(log1, "Bundle.pdf") == 1
    # the web service was tried on the sites where it is off, then the fallbacks were used
    assert _count(log1, "/b/mgWebService.asmx/GetCommittees") == 1 and _count(log1, "/b/ieListMeetings") == 4
    assert _count(log1, "/d/mgListCommittees.aspx", 404) == 1 and _count(log1, "/d/mgRss.aspx", 200) == 1


def test_second_run_downloads_nothing_new(two_runs):
    cfg, first, log1, second, log2 = two_runs
    pdfs = (
        "mgConvert2PDF.aspx?ID=9001",
        "ID=9006",
        "s6001/Report.pdf",
        "Scrutiny.pdf",
        "Performance.pdf",
        "Progress Report",
    )
    for part in pdfs:
        assert _count(log1, part, 200) == 1, part
        assert _count(log2, part) == 1 and _count(log2, part, 304) == 1, part
    assert all(r.conditional for r in log2 if r.status == 304)
    # with a body again: only listings, and the papers that failed last time (slow, oversized: still failing)
    failed_before = {"/a/documents/s5001/Dashboard.pdf", "/a/documents/s5002/Bundle.pdf"}
    assert {r.path for r in log2 if r.status == 200 and r.path.endswith(".pdf")} == failed_before
    assert second.count("loaded") == 0 and second.count("skipped") == 6
    assert len(second.failed) == len(first.failed) == 4
    con = connect(cfg.db, read_only=True)
    try:
        runs = con.execute("SELECT n_loaded, n_skipped, n_failed FROM runs ORDER BY started_at").fetchall()
        attempts = {r[0] for r in con.execute("SELECT attempts FROM fetch_failures").fetchall()}
        counts = con.execute(
            "SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM paper_sources), (SELECT count(*) FROM paper_meta)"
        ).fetchone()
    finally:
        con.close()
    assert runs == [(5, 1, 4), (0, 6, 4)]
    assert attempts == {2}
    assert counts == (5, 6, 6)


def test_an_unreachable_source_is_recorded_and_the_others_still_run(council, tmp_path):
    text = CONFIG.format(base=council.base).split("[[source]]")[0] + (
        f'[[source]]\nname = "Gone"\ntype = "rss"\nurl = "{council.base}/nowhere/feed.xml"\n'
        f'[[source]]\nname = "Northshire"\ntype = "rss"\nurl = "{council.base}/c/feed.xml"\n'
    )
    path = tmp_path / "councilkpi.toml"
    path.write_text(text)
    summary = _run(parse_config(text, path))
    (failed,) = summary.failed
    assert failed.reason == "source_unavailable" and "http_404" in failed.message
    assert summary.count("loaded") == 1
