"""Whose paper it is: the council named on its cover, heading or Ofsted title page, when metadata gives none."""

from __future__ import annotations

import re
from collections import Counter

from models.records import Page

_KIND = r"(?:County|City|Borough|District|Town|Parish|Community|Metropolitan Borough|County Borough|Unitary)"
_WORD = r"(?!Council\b)[A-Z][A-Za-z'’.&-]+"
_NAME = rf"{_WORD}(?:[ ](?:and|upon|on|under|in|of|le|by|the|{_WORD})){{0,5}}"
# "West Sussex County Council", "Royal Borough of Windsor and Maidenhead", "London Borough of Barking and Dagenham"
_COUNCIL = re.compile(
    rf"(?<![A-Za-z])(?:(?P<a>{_NAME})[ ]{_KIND}[ ]Council|(?P<b>(?:Royal|London)[ ]Borough[ ]of[ ]{_NAME})"
    rf"|(?P<c>(?:City|County|Borough)[ ]of[ ]{_NAME})[ ]Council)(?![A-Za-z])"
)
_PLAIN_COUNCIL = re.compile(rf"{_NAME}[ ]Council")
# "Brackenmoor Council – Cabinet, 22 September 2025", "Lydcombe Council · Scrutiny Committee · 20 January 2025":
# the council, then the meeting, on the paper's first line
_THEN = r"[ ]+[-–—·|•][ ]+[A-Z]"
_PLAIN_COUNCIL_THEN = re.compile(rf"(?P<name>{_NAME}[ ]Council){_THEN}")
_OFSTED_TITLE = re.compile(r"^\s*Inspection of (?:services for children|children.s social care|local authority)", re.I)
_NOT_A_PLACE = re.compile(
    r"^(?:The|This|Our|Each|Every|A|An|All|Any|Local|Joint|Full|Special|Annual|Cabinet|Report|Agenda|Minutes|"
    r"Meeting|Item|Appendix|Subject|To|From|Dear)$"
)
_LAST_WORD = re.compile(r"\s+(?:and|upon|on|under|in|of|le|by|the)$")


def normalise_council(name: str | None) -> str | None:
    """One spelling for one council: whitespace collapsed, a leading "The" dropped."""
    if not name:
        return None
    name = re.sub(r"\s+", " ", name).strip(" .,;:-")
    name = re.sub(r"^the\s+", "", name, flags=re.I)
    return name or None


def _councils_in(text: str) -> list[str]:
    found = []
    for m in _COUNCIL.finditer(re.sub(r"[ \t]*\n[ \t]*", " ", text)):
        name = m.group(0)
        if m.group("a"):
            words = m.group("a").split()
            while words and _NOT_A_PLACE.match(words[0]):
                words = words[1:]
            if not words:
                continue
            name = " ".join(words) + name[len(m.group("a")) :]
        found.append(normalise_council(name))
    return [f for f in found if f]


def detect_council(pages: list[Page]) -> tuple[str, str] | None:
    """(council, how) from a paper's own text: an Ofsted report's local authority (the line above "Inspection
    of …"), a council named on its own line of the first page, else the one council its first pages name most
    (at least twice, or once when it is the only one). None when the text names no council clearly."""
    if not pages:
        return None
    lines = [ln.strip() for ln in pages[0].text.splitlines() if ln.strip()][:12]
    for i, line in enumerate(lines[1:4], start=1):
        if _OFSTED_TITLE.match(line) and len(lines[i - 1]) <= 60 and re.match(r"^[A-Z][\w'’ &-]+$", lines[i - 1]):
            return normalise_council(lines[i - 1]) or "", "text:ofsted"
    for line in lines:
        if line.isupper():  # "TINTERN COMMUNITY COUNCIL - BUDGET"
            line = line.title()
        names = _councils_in(line)
        if names and (len(names[0]) >= len(line) - 3 or re.match(re.escape(names[0]) + _THEN, line)):
            return names[0], "text:heading"
        # a unitary council named "<Place> Council" ("Cornwall Council", "Buckinghamshire Council") on a line alone
        own = _PLAIN_COUNCIL.fullmatch(line) or _PLAIN_COUNCIL_THEN.match(line)
        if own and not _NOT_A_PLACE.match(line.split()[0]):
            return normalise_council(own.group("name") if own.re is _PLAIN_COUNCIL_THEN else line) or "", "text:heading"
    counts = Counter(n for p in pages[:3] for n in _councils_in(p.text))
    if not counts:
        return None
    (best, n), *rest = counts.most_common()
    if n >= 2 and (not rest or rest[0][1] < n):
        return best, "text:mentions"
    if n == 1 and not rest:
        return best, "text:mention"
    return None
