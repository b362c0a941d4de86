"""Parse listing pages and XML without third-party parsers: links with their agenda item, and namespace-free XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin


class ListingError(Exception):
    """A listing page or feed is not in the expected shape."""


def parse_xml(text: str, where: str) -> ET.Element:
    try:
        return ET.fromstring(text.encode("utf-8") if text.lstrip().startswith("<?xml") else text)
    except ET.ParseError as exc:
        raise ListingError(f"{where}: not well-formed XML ({exc})") from exc


def local(tag: str) -> str:
    """An XML tag without its namespace, lower-cased."""
    return tag.rsplit("}", 1)[-1].lower()


def child_text(element: ET.Element, *names: str) -> str | None:
    """The stripped text of the first direct child with one of ``names`` (namespace-free, case-insensitive)."""
    wanted = [n.lower() for n in names]
    for name in wanted:
        for child in element:
            if local(child.tag) == name and child.text and child.text.strip():
                return child.text.strip()
    return None


def find_all(element: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in element.iter() if local(e.tag) == name.lower()]


@dataclass(frozen=True)
class Link:
    href: str
    """absolute URL"""
    text: str
    agenda_item: str | None


class _Links(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[Link] = []
        self.title_parts: list[str] = []
        self.heading_parts: list[str] = []
        self.agenda_item: str | None = None
        self._in_title = False
        self._heading_depth = 0
        self._item_depth = 0
        self._item_tag = ""
        self._item_parts: list[str] = []
        self._href: str | None = None
        self._link_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = (a.get("class") or "").lower()
        if tag == "title":
            self._in_title = True
        if tag == "h1":
            self._heading_depth += 1
        if self._item_depth and tag == self._item_tag:
            self._item_depth += 1
        elif not self._item_depth and "mgaititle" in cls:
            self._item_depth, self._item_tag = 1, tag
            self._item_parts = []
        if tag == "a" and a.get("href"):
            self._href = urljoin(self.base, a["href"].strip())
            self._link_parts = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "h1" and self._heading_depth:
            self._heading_depth -= 1
        if self._item_depth and tag == self._item_tag:
            self._item_depth -= 1
            text = " ".join(" ".join(self._item_parts).split())
            if text and not self._item_depth:
                self.agenda_item = text
        if tag == "a" and self._href is not None:
            text = " ".join(" ".join(self._link_parts).split())
            self.links.append(Link(self._href, text, self.agenda_item))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        if self._heading_depth:
            self.heading_parts.append(data)
        if self._item_depth:
            self._item_parts.append(data)
        if self._href is not None:
            self._link_parts.append(data)


@dataclass
class HtmlPage:
    title: str
    heading: str
    links: list[Link]


def parse_html(text: str, base: str) -> HtmlPage:
    """The title, first-level heading and links of a page; each link carries the agenda item it sits under."""
    parser = _Links(base)
    parser.feed(text)
    parser.close()
    return HtmlPage(
        " ".join("".join(parser.title_parts).split()),
        " ".join("".join(parser.heading_parts).split()),
        parser.links,
    )


SIZE_SUFFIX = re.compile(r"\s*\b(?:PDF|DOC|DOCX|HTML)\b\s*[\d.,]+\s*[KMG]?B\s*$", re.IGNORECASE)


def clean_link_text(text: str) -> str:
    """A document link's text without ModernGov's trailing "PDF 245 KB"."""
    return SIZE_SUFFIX.sub("", text).strip()
