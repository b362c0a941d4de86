"""ModernGov sites: the mgWebService.asmx web service, falling back to the HTML pages and then to mgRss.aspx."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from models.records import Discovery, RemotePaper
from pipeline.sources.config import Source
from pipeline.sources.dates import Window, dmy, parse_uk_date
from pipeline.sources.http import Fetcher, FetchError, SourceUnavailable
from pipeline.sources.pages import ListingError, child_text, clean_link_text, find_all, parse_html, parse_xml

AGENDA_TITLE = re.compile(
    r"^(?:Agenda|Minutes|Agenda and minutes|Agenda, decisions and minutes)\s+(?:for|:)\s*(.+?)(?:\s+on\s+|,\s)", re.I
)


class Unavailable(Exception):
    """A way of reading the site (web service, HTML pages) failed; the caller falls back to the next."""


@dataclass(frozen=True)
class Committee:
    id: str
    title: str | None


@dataclass(frozen=True)
class Meeting:
    id: str
    committee: Committee
    date: date | None
    url: str | None = None
    """the ieListDocuments page, when known"""


def site_base(url: str) -> str:
    """The site root that mgWebService.asmx and the ie*.aspx pages hang off (a page URL is cut back to it)."""
    parts = urlsplit(url)
    path, low = parts.path, parts.path.lower()
    cut = low.find("/mgwebservice.asmx")
    if cut >= 0:
        path = path[: cut + 1]
    elif low.endswith((".aspx", ".asmx")):
        path = path.rsplit("/", 1)[0] + "/"
    if not path.endswith("/"):
        path += "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def is_document_link(href: str) -> bool:
    """A ModernGov document: mgConvert2PDF.aspx?ID=…, documents/…, or any .pdf."""
    path = urlsplit(href).path.lower()
    return path.endswith(".pdf") or "/documents/" in path or path.endswith("mgconvert2pdf.aspx")


class ModernGov:
    """Find the papers of one ModernGov site inside a window of meeting dates."""

    def __init__(self, source: Source, fetcher: Fetcher, window: Window) -> None:
        self.source = source
        self.fetcher = fetcher
        self.window = window
        self.base = site_base(source.url or "")
        self.found = Discovery()

    # -- fetching -------------------------------------------------------------------------------------------
    def _get(self, url: str) -> str:
        return self.fetcher.get_text(url, self.source.hosts)

    def _ws(self, method: str, **params: str) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return self._get(f"{self.base}mgWebService.asmx/{method}{query}")

    # -- web service ----------------------------------------------------------------------------------------
    def ws_committees(self) -> list[Committee]:
        try:
            root = parse_xml(self._ws("GetCommittees"), "GetCommittees")
        except (FetchError, ListingError) as exc:
            raise Unavailable(str(exc)) from exc
        committees = []
        for el in find_all(root, "committee"):
            cid = child_text(el, "committeeid", "id")
            if cid:
                committees.append(Committee(cid, child_text(el, "committeetitle", "title", "committeename")))
        if not committees:
            raise Unavailable("GetCommittees listed no committees")
        return committees

    def ws_meetings(self, committee: Committee) -> list[Meeting]:
        try:
            text = self._ws(
                "GetMeetings",
                lCommitteeId=committee.id,
                sFromDate=dmy(self.window.start),
                sToDate=dmy(self.window.end),
            )
            root = parse_xml(text, "GetMeetings")
        except (FetchError, ListingError) as exc:
            raise Unavailable(str(exc)) from exc
        meetings = []
        for el in find_all(root, "meeting"):
            mid = child_text(el, "meetingid", "id")
            if mid:
                meetings.append(Meeting(mid, committee, parse_uk_date(child_text(el, "meetingdate"))))
        return meetings

    def ws_papers(self, meeting: Meeting) -> list[RemotePaper]:
        try:
            root = parse_xml(self._ws("GetMeeting", lMeetingId=meeting.id), "GetMeeting")
        except (FetchError, ListingError) as exc:
            raise Unavailable(str(exc)) from exc
        meeting_el = find_all(root, "meeting")
        top = meeting_el[0] if meeting_el else root
        day = parse_uk_date(child_text(top, "meetingdate")) or meeting.date
        committee = child_text(top, "committeetitle") or meeting.committee.title
        papers = []
        for item in find_all(root, "agendaitem"):
            item_title = child_text(item, "agendaitemtitle", "title")
            for doc in find_all(item, "linkeddocument"):
                url = child_text(doc, "url")
                if not url:
                    continue
                papers.append(
                    self._paper(
                        urljoin(self.base, url),
                        title=child_text(doc, "title"),
                        committee=committee,
                        meeting_date=day,
                        agenda_item=item_title,
                        published=parse_uk_date(child_text(doc, "publicationdate")),
                    )
                )
        return papers

    # -- HTML pages -----------------------------------------------------------------------------------------
    def html_committees(self) -> list[Committee]:
        try:
            page = parse_html(self._get(f"{self.base}mgListCommittees.aspx"), self.base)
        except FetchError as exc:
            raise Unavailable(str(exc)) from exc
        committees: dict[str, Committee] = {}
        for link in page.links:
            path = urlsplit(link.href).path.lower()
            if path.endswith("mgcommitteedetails.aspx"):
                cid = _query(link.href, "id")
                if cid and cid not in committees:
                    committees[cid] = Committee(cid, link.text or None)
        if not committees:
            raise Unavailable("mgListCommittees.aspx lists no committees")
        return list(committees.values())

    def html_meetings(self, committee: Committee) -> list[Meeting]:
        meetings: dict[str, Meeting] = {}
        for year in self.window.years:
            url = f"{self.base}ieListMeetings.aspx?{urlencode({'CId': committee.id, 'Year': year})}"
            try:
                page = parse_html(self._get(url), url)
            except FetchError as exc:
                raise Unavailable(str(exc)) from exc
            for link in page.links:
                if urlsplit(link.href).path.lower().endswith("ielistdocuments.aspx"):
                    mid = _query(link.href, "mid")
                    if mid and mid not in meetings:
                        meetings[mid] = Meeting(mid, committee, parse_uk_date(link.text), link.href)
        return list(meetings.values())

    def html_papers(self, meeting: Meeting) -> list[RemotePaper]:
        url = (
            meeting.url
            or f"{self.base}ieListDocuments.aspx?{urlencode({'CId': meeting.committee.id, 'MId': meeting.id})}"
        )
        return self.listed_documents(url, meeting.committee.title, meeting.date)

    def listed_documents(self, url: str, committee: str | None, meeting_date: date | None) -> list[RemotePaper]:
        """The documents linked from an ieListDocuments.aspx page."""
        try:
            page = parse_html(self._get(url), url)
        except FetchError as exc:
            raise Unavailable(str(exc)) from exc
        heading = page.heading or page.title
        day = meeting_date or parse_uk_date(heading) or parse_uk_date(page.title)
        if committee is None:
            match = AGENDA_TITLE.match(heading) or AGENDA_TITLE.match(page.title)
            committee = match.group(1).strip() if match else None
        seen, papers = set(), []
        for link in page.links:
            if is_document_link(link.href) and link.href not in seen:
                seen.add(link.href)
                papers.append(
                    self._paper(
                        link.href,
                        title=clean_link_text(link.text) or None,
                        committee=committee,
                        meeting_date=day,
                        agenda_item=link.agenda_item,
                        published=None,
                    )
                )
        return papers

    # -- the whole site -------------------------------------------------------------------------------------
    def _paper(self, url, *, title, committee, meeting_date, agenda_item, published) -> RemotePaper:
        return RemotePaper(
            url=url,
            source_name=self.source.name,
            council=self.source.council_name,
            title=title,
            committee=committee,
            meeting_date=meeting_date,
            agenda_item=agenda_item,
            publication_date=published,
        )

    def discover(self) -> Discovery:
        """Every paper of the wanted committees' meetings in the window, by the best way the site allows."""
        try:
            committees, via_ws = self.ws_committees(), True
        except Unavailable as exc:
            self.found.notes.append(f"web service unavailable ({exc}); reading the HTML pages")
            try:
                committees, via_ws = self.html_committees(), False
            except Unavailable as exc2:
                self.found.notes.append(f"HTML committee list unavailable ({exc2}); reading mgRss.aspx")
                return self._from_rss()
        for committee in committees:
            if not self.source.wants_committee(committee.id, committee.title):
                continue
            self._committee(committee, via_ws)
        return self.found

    def _listing(self, via_ws: bool, ws: Callable[[], list], html: Callable[[], list], ws_failed: str, url: str):
        """The web service's answer, else the HTML pages' (noting why); None, recorded as a problem, if neither
        answers. Returns (items, whether they came from the web service)."""
        if via_ws:
            try:
                return ws(), True
            except Unavailable as exc:
                self.found.notes.append(f"{ws_failed} ({exc}); HTML fallback")
        try:
            return html(), False
        except Unavailable as exc:
            self._problem(url, exc)
            return None, False

    def _committee(self, committee: Committee, via_ws: bool) -> None:
        meetings, via_ws = self._listing(
            via_ws,
            lambda: self.ws_meetings(committee),
            lambda: self.html_meetings(committee),
            f"GetMeetings failed for committee {committee.id}",
            f"{self.base}ieListMeetings.aspx?CId={committee.id}",
        )
        if meetings is None:
            self.found.notes.append(f"no meetings list for committee {committee.id}")
            return
        for meeting in meetings:
            if not self.window.contains(meeting.date):
                continue
            papers, _ = self._listing(
                via_ws,
                lambda m=meeting: self.ws_papers(m),
                lambda m=meeting: self.html_papers(m),
                f"GetMeeting failed for meeting {meeting.id}",
                meeting.url or f"{self.base}ieListDocuments.aspx?MId={meeting.id}",
            )
            if papers is not None:
                self.found.papers.extend(papers)

    def _from_rss(self) -> Discovery:
        from pipeline.sources.rss import discover_feed

        feed = f"{self.base}mgRss.aspx"
        try:
            found = discover_feed(self.source, self.fetcher, self.window, feed, moderngov=self)
        except (FetchError, SourceUnavailable) as exc:
            raise SourceUnavailable(f"web service, HTML pages and feed all unavailable; last: {exc}") from exc
        found.notes[:0] = self.found.notes
        return found

    def _problem(self, url: str, exc: Exception) -> None:
        from models.records import FetchResult

        cause = exc.__cause__ if isinstance(exc, Unavailable) else exc
        if isinstance(cause, FetchError):
            result = cause.result
            self.found.problems.append(FetchResult(url, "failed", reason=result.reason, message=result.message))
        else:
            self.found.problems.append(FetchResult(url, "failed", reason="listing", message=str(exc)))


def _query(url: str, key: str) -> str | None:
    for k, values in parse_qs(urlsplit(url).query).items():
        if k.lower() == key and values:
            return values[0]
    return None


def discover(source: Source, fetcher: Fetcher, window: Window) -> Discovery:
    return ModernGov(source, fetcher, window).discover()
