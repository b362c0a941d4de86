"""ModernGov sites: the mgWebService.asmx web service, falling back to the HTML pages and then to mgRss.aspx."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from models.records import Discovery, RemotePaper
from pipeline.sources.config import Source
from pipeline.sources.dates import Window, dmy, parse_uk_date
from pipeline.sources.http import Fetcher, FetchError, SourceUnavailable
from pipeline.sources.pages import ListingError, child_text, clean_link_text, find_all, local, parse_html, parse_xml

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
    status: str | None = None
    """ModernGov's meetingstatus, e.g. "Confirmed", "Confirmed; Special Meeting" or "Cancelled"."""

    @property
    def cancelled(self) -> bool:
        return is_cancelled(self.status)

    def describe(self) -> str:
        day = self.date.strftime("%d/%m/%Y") if self.date else "date unknown"
        return f"meeting {self.id} ({self.committee.title or 'committee ' + self.committee.id}, {day})"


@dataclass
class MeetingDocuments:
    """What GetMeeting says about one meeting: the documents to fetch and the ones left out."""

    papers: list[RemotePaper] = field(default_factory=list)
    cancelled: bool = False
    agenda_published: bool | None = None
    """the meeting's agendapublished flag (None when the response has none)"""
    restricted: int = 0
    external: list[str] = field(default_factory=list)
    """isurl links to pages off the source's hosts"""


def is_cancelled(status: str | None) -> bool:
    """A meetingstatus such as "Cancelled" (parts are separated by ';', as in "Confirmed; Special Meeting")."""
    return bool(status) and any(part.strip().lower().startswith("cancel") for part in status.split(";"))


def flag(text: str | None) -> bool | None:
    """A web-service boolean ("True"/"False"); None when absent or anything else."""
    value = (text or "").strip().lower()
    return True if value == "true" else False if value == "false" else None


def unescaped(text: str | None) -> str | None:
    """Titles in the web service are HTML-escaped inside the XML ("Members&#39; Question Time")."""
    return " ".join(html.unescape(text).split()) if text else None


def agenda_label(item: ET.Element) -> str | None:
    """An agenda item as the site shows it: its display number and title ("55. Final Proposals for ...")."""
    title = unescaped(child_text(item, "agendaitemtitle", "title"))
    number = child_text(item, "fulldisplaynumberformat")
    if not number:
        main, sub = child_text(item, "agendaitemnumber"), child_text(item, "agendaitemsubnumber")
        number = f"{main}{sub or ''}." if main else None
    if not title or not number or title.startswith(number.rstrip(".")):
        return title
    return f"{number} {title}"


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
        self.held = 0
        """meetings in the window that took place (not cancelled, agenda not known to be unpublished)"""

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
        for el in find_all(root, "meeting"):  # real responses nest them in committee/committeemeetings
            mid = child_text(el, "meetingid", "id")
            if mid:
                day = parse_uk_date(child_text(el, "meetingdate"))
                meetings.append(Meeting(mid, committee, day, status=child_text(el, "meetingstatus")))
        return meetings

    def ws_meeting(self, meeting: Meeting) -> MeetingDocuments:
        """GetMeeting: the <linkeddoc> documents of each agenda item, leaving out restricted ones and off-site
        links (counted); nothing for a meeting whose own status says cancelled."""
        try:
            root = parse_xml(self._ws("GetMeeting", lMeetingId=meeting.id), "GetMeeting")
        except (FetchError, ListingError) as exc:
            raise Unavailable(str(exc)) from exc
        top = root if local(root.tag) == "meeting" else next(iter(find_all(root, "meeting")), root)
        found = MeetingDocuments(
            cancelled=is_cancelled(child_text(top, "meetingstatus")),
            agenda_published=flag(child_text(top, "agendapublished")),
        )
        if found.cancelled:
            return found
        day = parse_uk_date(child_text(top, "meetingdate")) or meeting.date
        in_items: set[int] = set()
        for item in find_all(root, "agendaitem"):
            docs = find_all(item, "linkeddoc")
            in_items.update(id(d) for d in docs)
            self._ws_documents(found, docs, top, meeting, day, item)
        loose = [d for d in find_all(root, "linkeddoc") if id(d) not in in_items]  # documents of the meeting itself
        self._ws_documents(found, loose, top, meeting, day, None)
        return found

    def _ws_documents(self, found, docs, top, meeting: Meeting, day, item: ET.Element | None) -> None:
        item_restricted = item is not None and flag(child_text(item, "isrestricted")) is True
        item_label = agenda_label(item) if item is not None else None
        for doc in docs:
            url = child_text(doc, "url")
            if not url:
                continue
            if item_restricted or flag(child_text(doc, "isrestricted")) is True:
                found.restricted += 1
                continue
            url = urljoin(self.base, url)
            if flag(child_text(doc, "isurl")) and (urlsplit(url).hostname or "").lower() not in self.source.hosts:
                found.external.append(url)
                continue
            found.papers.append(
                self._paper(
                    url,
                    title=unescaped(child_text(doc, "title")),
                    committee=child_text(top, "committeetitle")
                    or meeting.committee.title
                    or unescaped(child_text(doc, "committeetitle")),
                    meeting_date=day,
                    agenda_item=item_label or unescaped(child_text(doc, "ownertitle")),
                    published=parse_uk_date(child_text(doc, "publicationdate")),
                )
            )

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
                        status = "Cancelled" if "cancelled" in link.text.lower() else None
                        meetings[mid] = Meeting(mid, committee, parse_uk_date(link.text), link.href, status)
        return list(meetings.values())

    def meeting_page(self, meeting: Meeting) -> str:
        """The meeting's ieListDocuments.aspx page."""
        return (
            meeting.url
            or f"{self.base}ieListDocuments.aspx?{urlencode({'CId': meeting.committee.id, 'MId': meeting.id})}"
        )

    def html_papers(self, meeting: Meeting) -> list[RemotePaper]:
        return self.listed_documents(self.meeting_page(meeting), meeting.committee.title, meeting.date)

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
        if self.held and not self.found.papers:
            self.found.warnings.append(
                f"{self.held} meeting(s) held in the window {self.window.start} to {self.window.end}, "
                "but no documents listed for any of them"
            )
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
        expected, n_papers = 0, 0
        for meeting in meetings:
            if not self.window.contains(meeting.date):
                continue
            self.found.meetings_seen += 1
            if meeting.cancelled:
                self.found.meetings_cancelled += 1
                self.found.notes.append(f"{meeting.describe()} cancelled: skipped")
                continue
            papers = self._meeting(meeting, via_ws)
            if papers is None:  # cancelled after all, or no agenda yet
                continue
            expected += self.window.is_past(meeting.date)
            self.held += self.window.is_past(meeting.date)
            n_papers += len(papers)
            self.found.papers.extend(papers)
        if not via_ws and expected and not n_papers:
            self.found.warnings.append(
                f"committee {committee.title or committee.id}: {expected} meeting(s) held in the window, no documents"
            )

    def _meeting(self, meeting: Meeting, via_ws: bool) -> list[RemotePaper] | None:
        """A meeting's documents: GetMeeting's, cross-checked against the meeting's page when it lists none
        (a warning either way); None for a meeting GetMeeting says is cancelled or has no agenda yet."""
        page = self.meeting_page(meeting)
        if via_ws:
            try:
                docs = self.ws_meeting(meeting)
            except Unavailable as exc:
                self.found.notes.append(f"GetMeeting failed for meeting {meeting.id} ({exc}); HTML fallback")
            else:
                if docs.cancelled:
                    self.found.meetings_cancelled += 1
                    self.found.notes.append(f"{meeting.describe()} cancelled: skipped")
                    return None
                self.found.skipped_restricted += docs.restricted
                self.found.skipped_links += len(docs.external)
                for url in docs.external:
                    self.found.notes.append(f"{meeting.describe()}: link to another site not fetched: {url}")
                if docs.papers or docs.restricted or docs.external:
                    return docs.papers
                if docs.agenda_published is False or (
                    docs.agenda_published is None and not self.window.is_past(meeting.date)
                ):
                    self.found.notes.append(f"{meeting.describe()}: no agenda published yet")
                    return None
                return self._cross_check(meeting, page)
        try:
            return self.html_papers(meeting)
        except Unavailable as exc:
            self._problem(page, exc)
            return []

    def _cross_check(self, meeting: Meeting, page: str) -> list[RemotePaper]:
        """The web service lists no documents for a meeting with an agenda: read its ieListDocuments page."""
        what = f"{meeting.describe()}: the web service lists no documents"
        try:
            papers = self.html_papers(meeting)
        except Unavailable as exc:
            self._problem(page, exc)
            self.found.warnings.append(f"{what}, and its page {page} could not be read ({exc})")
            return []
        if papers:
            self.found.warnings.append(f"{what}; {len(papers)} found on its page {page}")
        else:
            self.found.warnings.append(f"{what}, nor does its page {page}")
        return papers

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
