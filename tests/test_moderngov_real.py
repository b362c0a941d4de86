"""ModernGov against Gloucester's real mgWebService.asmx responses: parsing, cancelled meetings, restricted
documents, the meeting-page cross-check, warnings and the source_runs status table."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.commands.ingest import print_summary
from pipeline.sources.collector import collect_sources
from pipeline.sources.config import Source, parse_config
from pipeline.sources.dates import Window
from pipeline.sources.moderngov import ModernGov, agenda_label
from pipeline.sources.pages import find_all, parse_xml
from tests.council_server import GLOUCESTER_PDFS, GLOUCESTER_SITE, REAL, CouncilServer, sample
from warehouse.db import connect

LGR = "55. Final Proposals for Local Government Reorganisation in Gloucestershire"
QUESTIONS = "52. Public Question Time (15 minutes)"
# read off gloucester-GetMeeting_7837.xml by eye: (attachment id, title, agenda item)
MEETING_7837 = [
    ("65461", "Cabinet - Public Questions", QUESTIONS),
    ("65412", "Final proposals for Local Government Reorganisation in Gloucestershire", LGR),
    ("65413", "Appendix 1 Option 1 - Single Countywide Unitary", LGR),
    ("65414", "Appendix 2 Option 2 - East/West 2 Unitary", LGR),
    ("65415", "Appendix 3 Option 3 - Gloucester/Gloucestershire 2 Unitary", LGR),
    ("65416", "Appendix 3B Inner Circle Report: A Case for Cities", LGR),
    ("65417", "Appendix 3E Cratus Public Engagement Report", LGR),
]
SITE = "https://democracy.gloucester.gov.uk/"


def real(name: str) -> str:
    return (REAL / f"gloucester-{name}.xml").read_text(encoding="utf-8")


# -- the fixtures are the saved responses --------------------------------------------------------------------------
def test_the_real_fixtures_are_byte_for_byte_the_saved_responses():
    listed = re.findall(r"^ {4}([0-9a-f]{64})  (\S+)$", (REAL / "README.md").read_text(), re.M)
    assert len(listed) == 4
    for digest, name in listed:
        data = (REAL / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
        assert b"\r\n" in data  # line ends as saved (git must not normalise them)


# -- parsing, with a fetcher that answers from strings -------------------------------------------------------------
class Answers:
    """A stand-in Fetcher: the text for each URL (a missing URL is a 404)."""

    def __init__(self, pages: dict[str, str]) -> None:
        self.pages = pages
        self.asked: list[str] = []

    def get_text(self, url: str, hosts) -> str:
        from models.records import FetchResult
        from pipeline.sources.http import FetchError

        self.asked.append(url)
        if url not in self.pages:
            raise FetchError(FetchResult(url, "failed", reason="http_404", message="404"))
        return self.pages[url]


def site(pages: dict[str, str], today: date = date(2025, 11, 24)) -> ModernGov:
    source = Source(name="Gloucester", council="Gloucester City Council", type="moderngov", url=SITE)
    return ModernGov(source, Answers(pages), Window.around(today, 5, 7))


MEETING_URL = f"{SITE}mgWebService.asmx/GetMeeting?lMeetingId=7837"


def test_get_meetings_lists_the_cabinet_meetings_with_their_status():
    from pipeline.sources.moderngov import Committee

    meetings = site(_site_pages(real("GetMeeting_7837"), None)).ws_meetings(Committee("129", "Cabinet"))
    assert len(meetings) == 20
    cancelled = [m.id for m in meetings if m.cancelled]
    assert cancelled == ["7506"]
    by_id = {m.id: m for m in meetings}
    assert by_id["7506"].date == date(2024, 6, 12)
    assert by_id["7837"].date == date(2025, 11, 21) and not by_id["7837"].cancelled  # "Confirmed; Special Meeting"


def test_get_committees_lists_all_131():
    mg = site({f"{SITE}mgWebService.asmx/GetCommittees": real("GetCommittees")})
    committees = mg.ws_committees()
    assert len(committees) == 131
    assert ("129", "Cabinet") in {(c.id, c.title) for c in committees}


def test_get_meeting_gives_every_linked_document_with_its_agenda_item():
    mg = site({MEETING_URL: real("GetMeeting_7837")})
    from pipeline.sources.moderngov import Committee, Meeting

    docs = mg.ws_meeting(Meeting("7837", Committee("129", "Cabinet"), date(2025, 11, 21)))
    assert not docs.cancelled and docs.agenda_published is True and docs.restricted == 0
    got = [(p.url, p.title, p.agenda_item) for p in docs.papers]
    assert got == [(f"https://democracy.Gloucester.gov.uk/mgConvert2PDF.aspx?ID={i}", t, a) for i, t, a in MEETING_7837]
    for paper in docs.papers:
        assert paper.council == "Gloucester City Council" and paper.committee == "Cabinet"
        assert paper.meeting_date == date(2025, 11, 21) and paper.publication_date == date(2025, 11, 13)


def test_agenda_items_are_shown_as_on_the_site_with_entities_decoded():
    root = parse_xml(real("GetMeeting_7837"), "GetMeeting")
    labels = [agenda_label(item) for item in find_all(root, "agendaitem")]
    assert labels == [
        "51. Declarations of Interest",
        QUESTIONS,
        "53. Petitions and Deputations (15 minutes)",
        "54. Leader and Cabinet Members' Question Time (15 minutes)",
        LGR,
    ]


def _flag_document(xml: str, attachment: str, tag: str, value: str) -> str:
    """The response with one <linkeddoc>'s ``tag`` set to ``value`` (a case the saved response lacks)."""
    start = xml.index(f"<attachmentid>{attachment}</attachmentid>")
    end = xml.index("</linkeddoc>", start)
    doc = re.sub(f"<{tag}>[^<]*</{tag}>", f"<{tag}>{value}</{tag}>", xml[start:end], count=1)
    return xml[:start] + doc + xml[end:]


def test_restricted_documents_are_skipped_and_counted():
    from pipeline.sources.moderngov import Committee, Meeting

    xml = _flag_document(real("GetMeeting_7837"), "65417", "isrestricted", "True")
    xml = _flag_document(xml, "65416", "isrestricted", "True")
    docs = site({MEETING_URL: xml}).ws_meeting(Meeting("7837", Committee("129", "Cabinet"), date(2025, 11, 21)))
    assert docs.restricted == 2
    assert [p.url[-5:] for p in docs.papers] == ["65461", "65412", "65413", "65414", "65415"]


def test_a_restricted_agenda_item_withholds_all_its_documents():
    from pipeline.sources.moderngov import Committee, Meeting

    xml = real("GetMeeting_7837")
    item = xml.index("<agendaitemid>44127</agendaitemid>")
    flag = xml.index("<isrestricted>False</isrestricted>", item)
    xml = xml[:flag] + "<isrestricted>True</isrestricted>" + xml[flag + len("<isrestricted>False</isrestricted>") :]
    docs = site({MEETING_URL: xml}).ws_meeting(Meeting("7837", Committee("129", "Cabinet"), date(2025, 11, 21)))
    assert docs.restricted == 6 and [p.url[-5:] for p in docs.papers] == ["65461"]


def test_a_link_to_another_site_is_not_fetched():
    from pipeline.sources.moderngov import Committee, Meeting

    xml = _flag_document(real("GetMeeting_7837"), "65461", "isurl", "True")
    xml = _flag_document(xml, "65461", "url", "https://www.youtube.com/watch?v=abc")
    xml = _flag_document(xml, "65412", "isurl", "True")  # a link, but to the council's own site: fetched
    docs = site({MEETING_URL: xml}).ws_meeting(Meeting("7837", Committee("129", "Cabinet"), date(2025, 11, 21)))
    assert docs.external == ["https://www.youtube.com/watch?v=abc"]
    assert len(docs.papers) == 6 and docs.papers[0].url.endswith("ID=65412")


def test_a_meeting_cancelled_in_get_meeting_is_skipped():
    from pipeline.sources.moderngov import Committee, Meeting

    xml = real("GetMeeting_7837").replace("Confirmed; Special Meeting", "Cancelled")
    docs = site({MEETING_URL: xml}).ws_meeting(Meeting("7837", Committee("129", "Cabinet"), date(2025, 11, 21)))
    assert docs.cancelled and docs.papers == []


def _no_documents(xml: str) -> str:
    return re.sub(r"<linkeddocuments>.*?</linkeddocuments>\s*", "", xml, flags=re.S)


def _site_pages(meeting_xml: str, page: str | None) -> dict[str, str]:
    pages = {
        f"{SITE}mgWebService.asmx/GetCommittees": real("GetCommittees"),
        f"{SITE}mgWebService.asmx/GetMeetings?lCommitteeId=129&sFromDate=19%2F11%2F2025&sToDate=01%2F12%2F2025": real(
            "GetMeetings"
        ),
        MEETING_URL: meeting_xml,
    }
    if page is not None:
        pages[f"{SITE}ieListDocuments.aspx?CId=129&MId=7837"] = page
    return pages


def _discover(pages: dict[str, str]):
    source = Source(
        name="Gloucester", council="Gloucester City Council", type="moderngov", url=SITE, committees=("129",)
    )
    mg = ModernGov(source, Answers(pages), Window.around(date(2025, 11, 24), 5, 7))
    return mg.discover(), mg.fetcher.asked


def test_no_documents_anywhere_is_a_warning_not_silence():
    found, asked = _discover(_site_pages(_no_documents(real("GetMeeting_7837")), "<html><body></body></html>"))
    assert found.papers == [] and found.meetings_seen == 1
    assert asked[-1] == f"{SITE}ieListDocuments.aspx?CId=129&MId=7837"  # the meeting page was tried
    assert len(found.warnings) == 2
    assert (
        "meeting 7837 (Cabinet, 21/11/2025): the web service lists no documents, nor does its page" in found.warnings[0]
    )
    assert found.warnings[1].startswith("1 meeting(s) held in the window 2025-11-19 to 2025-12-01, but no documents")


def test_an_unreadable_meeting_page_is_a_failure_and_a_warning():
    found, _ = _discover(_site_pages(_no_documents(real("GetMeeting_7837")), None))
    assert [p.reason for p in found.problems] == ["http_404"]
    assert "could not be read" in found.warnings[0]


def test_a_meeting_without_an_agenda_yet_is_no_warning():
    xml = _no_documents(real("GetMeeting_7837")).replace(
        "<agendapublished>True</agendapublished>", "<agendapublished>False</agendapublished>"
    )
    found, asked = _discover(_site_pages(xml, None))
    assert found.papers == [] and found.warnings == [] and found.problems == []
    assert not any("ieListDocuments" in url for url in asked)


# -- collecting from the test server -------------------------------------------------------------------------------
CONFIG = """
[collect]
db = "warehouse.duckdb"
data_dir = "data"
days_back = {days_back}
days_forward = 7

[fetch]
timeout = 5
retries = 0
per_host_delay = 0

[[source]]
name = "Gloucester"
council = "Gloucester City Council"
type = "moderngov"
url = "{base}/{site}/"
committees = ["Cabinet"]
"""


@pytest.fixture(scope="module")
def council():
    with CouncilServer() as server:
        yield server


def _config(tmp_path: Path, base: str, site: str = "g", days_back: int = 5, extra: str = ""):
    path = tmp_path / "councilkpi.toml"
    path.write_text(CONFIG.format(base=base, site=site, days_back=days_back) + extra)
    return parse_config(path.read_text(), path)


def _collect(cfg, today: date):
    con = connect(cfg.db)
    try:
        return collect_sources(con, cfg, list(cfg.sources), today=today)
    finally:
        con.close()


def _rows(cfg, sql: str, params=()):
    con = connect(cfg.db, read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


SOURCE_RUN_COLUMNS = """status, meetings_seen, meetings_cancelled, documents_listed, n_new, n_unchanged, n_failed,
    skipped_restricted, skipped_links, n_warnings, warnings"""


def test_the_server_serves_the_real_responses_unchanged_but_for_the_address(council):
    with urllib.request.urlopen(f"{council.base}/g/mgWebService.asmx/GetMeeting?lMeetingId=7837") as response:
        body = response.read()
    saved = (REAL / "gloucester-GetMeeting_7837.xml").read_bytes()
    assert GLOUCESTER_SITE in saved and GLOUCESTER_SITE not in body
    assert body == saved.replace(GLOUCESTER_SITE, f"{council.base}/g/".encode())


def test_ingest_from_the_real_gloucester_responses(council, tmp_path):
    cfg = _config(tmp_path, council.base)
    council.clear()
    summary = _collect(cfg, date(2025, 11, 24))  # window 19/11/2025 to 01/12/2025: meeting 7837 only
    log = council.requests("/g/")
    assert [r.query for r in log if r.path.endswith("/GetMeetings")] == [
        "lCommitteeId=129&sFromDate=19%2F11%2F2025&sToDate=01%2F12%2F2025"
    ]
    assert [r.query for r in log if r.path.endswith("/GetMeeting")] == ["lMeetingId=7837"]
    pdfs = sorted(r.query for r in log if r.path.endswith("mgConvert2PDF.aspx") and r.status == 200)
    assert pdfs == sorted(f"ID={i}" for i, _, _ in MEETING_7837)
    assert summary.failed == [] and summary.warnings == []
    assert summary.count("loaded") == 5 and summary.count("skipped") == 2  # 65416, 65417 repeat two samples' bytes

    meta = _rows(
        cfg,
        """SELECT m.url, m.council, m.committee, m.meeting_date, m.agenda_item, m.title, m.publication_date,
                  p.paper_date, p.id
           FROM paper_meta m JOIN papers p ON p.id = m.paper_id ORDER BY m.url""",
    )
    expected = {
        f"{council.base}/g/mgConvert2PDF.aspx?ID={i}": (
            "Gloucester City Council",
            "Cabinet",
            date(2025, 11, 21),
            item,
            title,
            date(2025, 11, 13),
            date(2025, 11, 21),
            hashlib.sha256(sample(GLOUCESTER_PDFS[i])).hexdigest(),
        )
        for i, title, item in MEETING_7837
    }
    assert {r[0]: r[1:] for r in meta} == expected
    (row,) = _rows(cfg, f"SELECT {SOURCE_RUN_COLUMNS}, source_name, council, source_type FROM source_runs")
    assert row == ("ok", 1, 0, 7, 5, 2, 0, 0, 0, 0, None, "Gloucester", "Gloucester City Council", "moderngov")


def test_cancelled_meetings_are_not_asked_for(council, tmp_path):
    cfg = _config(tmp_path, council.base, days_back=10)
    council.clear()
    summary = _collect(cfg, date(2024, 6, 20))  # window 10/06/2024 to 27/06/2024: meeting 7506, cancelled
    assert council.requests("/g/mgWebService.asmx/GetMeeting?") == []
    assert summary.outcomes == [] and summary.warnings == []
    (row,) = _rows(cfg, f"SELECT {SOURCE_RUN_COLUMNS} FROM source_runs")
    assert row == ("ok", 1, 1, 0, 0, 0, 0, 0, 0, 0, None)


def test_web_service_without_documents_falls_back_to_the_meeting_page_with_a_warning(council, tmp_path, capsys):
    cfg = _config(tmp_path, council.base, site="h")
    council.clear()
    summary = _collect(cfg, date(2025, 11, 24))
    assert len(council.requests("/h/ieListDocuments.aspx?CId=129&MId=7837")) == 1
    page = f"{council.base}/h/ieListDocuments.aspx?CId=129&MId=7837"
    assert summary.warnings == [
        f"Gloucester: meeting 7837 (Cabinet, 21/11/2025): the web service lists no documents; 2 found on its page {page}"
    ]
    assert summary.count("loaded") == 2 and summary.failed == []
    meta = _rows(
        cfg, "SELECT council, committee, meeting_date, agenda_item, title FROM paper_meta ORDER BY agenda_item"
    )
    assert meta == [
        ("Gloucester City Council", "Cabinet", date(2025, 11, 21), QUESTIONS, "Cabinet - Public Questions"),
        (
            "Gloucester City Council",
            "Cabinet",
            date(2025, 11, 21),
            LGR,
            "Final proposals for Local Government Reorganisation in Gloucestershire",
        ),
    ]
    (row,) = _rows(cfg, f"SELECT {SOURCE_RUN_COLUMNS} FROM source_runs")
    assert row[:10] == ("warning", 1, 0, 2, 2, 0, 0, 0, 0, 1)
    assert row[10] == summary.warnings[0].removeprefix("Gloucester: ")
    con = connect(cfg.db, read_only=True)
    try:
        print_summary(con, summary)
    finally:
        con.close()
    out = capsys.readouterr().out
    assert "Warnings this run" in out and "the web service lists no documents; 2 found on its page" in out


def test_a_sharp_drop_in_yield_is_a_warning_and_sources_shows_it(council, tmp_path, capsys):
    never = '\n[[source]]\nname = "Tintern"\ntype = "rss"\nurl = "https://example.org/feed.xml"\n'
    cfg = _config(tmp_path, council.base, extra=never)
    first = _collect(replace_sources(cfg, ["Gloucester"]), date(2025, 11, 24))
    assert first.warnings == []
    # the same source, the next night: its web service no longer lists documents
    cfg = _config(tmp_path, council.base, site="h", extra=never)
    second = _collect(replace_sources(cfg, ["Gloucester"]), date(2025, 11, 24))
    assert len(second.warnings) == 2
    assert second.warnings[1] == (
        "Gloucester: yield dropped: 2 document(s) listed, against a median of 7 over the previous 1 run(s)"
    )
    capsys.readouterr()
    code = main(["sources", "--config", str(cfg.path)])
    out = capsys.readouterr().out
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split() == [
        "source",
        "type",
        "last",
        "run",
        "(UTC)",
        "status",
        "meetings",
        "cancelled",
        "listed",
        "new",
        "unchanged",
        "failed",
        "restricted",
        "warnings",
    ]
    gloucester = lines[2].split()
    assert gloucester[0] == "Gloucester" and gloucester[1] == "moderngov"
    assert gloucester[4:] == ["warning", "1", "0", "2", "0", "2", "0", "0", "2"]
    assert lines[3].split() == ["Tintern", "rss", "never", "run"]
    assert "Gloucester: yield dropped: 2 document(s) listed" in out
    assert main(["sources", "--config", str(cfg.path), "--format", "json"]) == 1
    entries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["source"], e["status"]) for e in entries] == [("Gloucester", "warning"), ("Tintern", "never run")]
    assert entries[0]["documents_listed"] == 2 and len(entries[0]["warnings"]) == 2


def replace_sources(cfg, names: list[str]):
    from dataclasses import replace

    return replace(cfg, sources=tuple(cfg.select(names)))


def test_sources_without_a_warehouse_lists_every_source_as_never_run(tmp_path, capsys):
    cfg = _config(tmp_path, "http://127.0.0.1:9")
    assert main(["sources", "--config", str(cfg.path)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[2].split() == ["Gloucester", "moderngov", "never", "run"]
