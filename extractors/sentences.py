"""Split page text into sentences by character offsets, coping with PDF line breaks, headings and bullets."""

from __future__ import annotations

import re

from extractors.numbers import PARA_NUMBER

_ABBREV = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|Mr|Mrs|Ms|Dr|Cllr|No|Nos|St|vs|approx|para|paras|Fig|cf|Prof|Rev|Sgt|Inc|Ltd|Co)\.|\b[A-Z]\.)$"
)
_BULLET = re.compile(r"^[ \t]*(?:[•·▪●◦■□➢✓*\-\ue000-\uf8ff]|" + PARA_NUMBER + ")")
_LIST_NUMBER = re.compile(r"\s*\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-z]{1,3}|[ivx]{1,5})[.)]")
_PAGE_NUMBER = re.compile(r"^(?:Page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?$", re.I)
_END = re.compile(r"[.!?][\"'’”)\]]*$")
_INLINE_BREAK = re.compile(r"(?<=[.!?])[\"'’”)\]]*\s+(?=[A-Z(‘“\"'£•])")


def _split_line_breaks(text: str, boilerplate: frozenset[str]) -> list[int]:
    """Offsets where a new sentence starts because of the line structure."""
    starts = [0]
    lines = text.split("\n")
    lengths = sorted(len(ln.strip()) for ln in lines if ln.strip())
    typical = lengths[int(len(lengths) * 0.75)] if lengths else 0
    offset = 0
    prev = ""
    for line in lines:
        stripped = line.strip()
        if offset and stripped:
            prev_s = prev.strip()
            is_break = (
                not prev_s
                or stripped in boilerplate
                or prev_s in boilerplate
                or _PAGE_NUMBER.match(stripped) is not None
                or _PAGE_NUMBER.match(prev_s) is not None
                or _BULLET.match(line) is not None
                or (_END.search(prev_s) is not None and stripped[:1].isupper())
                or prev_s.endswith(":")
                or (
                    len(prev_s) < 0.6 * typical
                    and not re.search(r"[,;–-]$", prev_s)
                    and (stripped[:1].isupper() or stripped[:1].isdigit())
                )
            )
            if is_break:
                starts.append(offset + (len(line) - len(line.lstrip())))
        offset += len(line) + 1
        prev = line
    return starts


def repeated_lines(pages: list[str], min_share: float = 0.5) -> frozenset[str]:
    """Lines (running headers, footers) found on at least ``min_share`` of the pages of a paper."""
    if len(pages) < 3:
        return frozenset()
    counts: dict[str, int] = {}
    for text in pages:
        for line in {ln.strip() for ln in text.split("\n") if ln.strip()}:
            counts[line] = counts.get(line, 0) + 1
    return frozenset(line for line, n in counts.items() if n >= min_share * len(pages))


def sentence_spans(text: str, boilerplate: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, trimmed of surrounding white space."""
    starts = set(_split_line_breaks(text, boilerplate))
    for m in _INLINE_BREAK.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if _ABBREV.search(before):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        if _LIST_NUMBER.fullmatch(text[line_start : m.start()]):
            continue  # "2. To consider …": the number and its item are one sentence
        starts.add(m.end())
    ordered = sorted(starts) + [len(text)]
    spans = []
    for s, e in zip(ordered, ordered[1:], strict=False):
        chunk = text[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if e - trail > s + lead:
            spans.append((s + lead, e - trail))
    return spans
