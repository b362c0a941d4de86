"""RSS and Atom feeds (including ModernGov's mgRss.aspx): each item links a paper or a meeting's document list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from models.records import Discovery, RemotePaper
from pipeline.sources.config import Source
from pipeline.sources.dates import Window, parse_feed_date, parse_uk_date
from pipeline.sources.http import Fetcher, SourceUnavailable
from pipeline.sources.pages import ListingError, child_text, find_all, local, parse_xml

if TYPE_CHECKING:
    from pipeline.sources.moderngov import ModernGov


@dataclass(frozen=True)
class FeedItem:
    title: str | None
    link: str
    published: date | None
    category: str | None


def parse_feed(text: str, base: str) -> list[FeedItem]:
    """The items of an RSS 2.0 or Atom feed (link, or a PDF enclosure when there is one)."""
    root = parse_xml(text, base)
    items = []
    for el in find_all(root, "item") + find_all(root, "entry"):
        link = None
        for child in el:
            name = local(child.tag)
            if name == "enclosure" and "pdf" in (child.get("type") or "").lower() and child.get("url"):
                link = child.get("url")
                break
            if name == "link" and link is None:
                link = (child.text or "").strip() or child.get("href")
        if not link:
            continue
        items.append(
            FeedItem(
                title=child_text(el, "title"),
                link=urljoin(base, link),
                published=parse_feed_date(child_text(el, "pubdate", "published", "updated", "date")),
                category=child_text(el, "category"),
            )
        )
    return items


def discover_feed(
    source: Source, fetcher: Fetcher, window: Window, feed_url: str | None = None, moderngov: ModernGov | None = None
) -> Discovery:
    """Papers linked from a feed, inside the window; meeting pages (ieListDocuments.aspx) are opened for theirs."""
    from pipeline.sources.moderngov import ModernGov, Unavailable, is_document_link

    url = feed_url or source.url or ""
    try:
        items = parse_feed(fetcher.get_text(url, source.hosts), url)
    except ListingError as exc:
        raise SourceUnavailable(str(exc)) from exc
    found = Discovery()
    site = moderngov or ModernGov(source, fetcher, window)
    for item in items:
        text = " ".join(filter(None, [item.title, item.category]))
        meeting_date = parse_uk_date(item.title)
        if not window.contains(meeting_date or item.published):
            continue
        if source.committees and not source.wants_committee(None, text):
            continue
        if urlsplit(item.link).path.lower().endswith("ielistdocuments.aspx"):
            try:
                papers = site.listed_documents(item.link, None, meeting_date)
            except Unavailable as exc:
                site._problem(item.link, exc)
                continue
            found.papers.extend(papers)
            continue
        found.papers.append(
            RemotePaper(
                url=item.link,
                source_name=source.name,
                council=source.council_name,
                title=item.title,
                committee=item.category,
                meeting_date=meeting_date,
                publication_date=item.published,
            )
        )
        if not is_document_link(item.link):
            found.notes.append(f"{item.link}: not a document link; fetched as a page")
    found.problems.extend(site.found.problems)
    return found


def discover(source: Source, fetcher: Fetcher, window: Window) -> Discovery:
    return discover_feed(source, fetcher, window)
