"""Scorecards and KPI boxes: label–value runs ("Latest: 94% Target: 90%") named by the heading above or the row header."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from extractors.frequency import NAME_NOTE, frequency_period, span_start
from extractors.numbers import NumberMention
from extractors.period_kinds import only_periods
from extractors.periods import (
    ANY_REF,
    MONTH_RE,
    Period,
    find_periods,
    month_end,
    month_number,
    paper_date_period,
    resolve_month,
)
from extractors.reporting_period import ReportingPeriod, previous_period
from models.records import Page

TERMS_PATH = Path(__file__).resolve().parent.parent / "models" / "scorecard_terms.toml"
_GAP = 8.0  # points of empty space between two characters of a line that separate two cells or columns


@dataclass(frozen=True)
class Key:
    """A scorecard label ("Latest", "Target", "Floor") with the role and period its values take."""

    id: str
    role: str
    period: str


@dataclass(frozen=True)
class Terms:
    """The scorecard vocabulary of models/scorecard_terms.toml, compiled."""

    keys: dict[str, Key]
    key_re: re.Pattern[str]
    precheck: re.Pattern[str]
    header_cell: re.Pattern[str]
    rag_re: re.Pattern[str]
    status_re: re.Pattern[str]
    version: str


_PERIOD_IN_KEY = (
    rf"(?:(?:Quarter|Q)\s*[1-4](?:\s+(?:19|20)?\d\d\s?[/-]\s?\d{{2,4}})?|(?:19|20)?\d\d\s?[/-]\s?\d{{2,4}}|"
    rf"{MONTH_RE}[\s-]+(?:(?:19|20)\d\d|\d\d)|(?:19|20)\d\d)"
)


_LETTERS = {"R": "Red", "A": "Amber", "G": "Green", "B": "Blue", "RA": "Red/Amber", "AG": "Amber/Green"}


def _rag(m: re.Match[str]) -> str:
    """The rating a RAG match names: its word, or the word of a bracketed letter ("[A]" → Amber)."""
    if m.group("rag"):
        return m.group("rag")
    letter = m.group("letter").upper()
    return _LETTERS.get(letter, letter)


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def load_terms(path: Path = TERMS_PATH) -> Terms:
    """Read and compile the scorecard vocabulary."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    keys: dict[str, Key] = {}
    for entry in data["key"]:
        for word in entry["words"]:
            keys[word.lower()] = Key(entry["id"], entry["role"], entry["period"])
    words = _alternation([w for e in data["key"] for w in e["words"]])
    # a key is a label ("Q1 result", "Target"), or a period alone with a colon ("November 2024: 2,305",
    # "2023/24: 2,212"): the value of that period
    key_re = re.compile(
        rf"(?:(?:(?P<pre>{_PERIOD_IN_KEY})\s+)?(?P<key>{words})(?:\s+(?P<post>{_PERIOD_IN_KEY}))?"
        r"(?:\s*\((?P<paren>[^)\d]{1,25})\))?\s*[:=]?"
        rf"|(?P<dated>{_PERIOD_IN_KEY}|{MONTH_RE})\s*:)\s*",
        re.I,
    )
    rag = data["rag"]
    status = _alternation(rag["status_keys"])
    header_words = _alternation([w for e in data["key"] for w in e["words"]] + rag["status_keys"])
    header_words += "|" + _alternation(data["header"]["label_words"])
    return Terms(
        keys=keys,
        key_re=key_re,
        precheck=re.compile(
            rf"\b(?:{words})\b(?:\s+{_PERIOD_IN_KEY})?(?:\s*\([^)\d]{{1,25}}\))?\s*[:=]?\s*£?\d"
            rf"|(?:^|\n|\s{{2}})(?:{_PERIOD_IN_KEY}|{MONTH_RE}):\s*£?\d"
            r"|\bActual\b.{0,80}\bTarget\b|\bTarget\b.{0,80}\bActual\b",
            re.I,
        ),
        header_cell=re.compile(rf"^(?:{header_words})(?:\s+{_PERIOD_IN_KEY})?\s*:?$", re.I),
        rag_re=re.compile(
            rf"(?<![\w/])(?P<rag>{_alternation(rag['words'])})(?![\w/])"
            rf"|[\[(]\s*(?P<letter>(?-i:{_alternation(rag['letters'])}))\s*[\])]",
            re.I,
        ),
        status_re=re.compile(rf"^\(?\s*(?:(?:{status})\s*:?\s*)?(?P<rest>.*?)\)?$", re.I),
        version=str(data.get("version", "0")),
    )


@dataclass
class Segment:
    """A cell of a line: the characters between two wide gaps (PDF) or between runs of spaces, tabs and bars."""

    start: int
    end: int
    line: int
    x0: float | None = None
    x1: float | None = None
    top: float | None = None
    bottom: float | None = None
    kind: str = "text"
    """text | run (label–value pairs) | values (numbers only) | status (RAG, direction of travel) | header"""
    values: list[tuple[Key | None, str, NumberMention, int]] = field(default_factory=list)
    """(key, key text, number, offset of the number in the page text)"""
    rag: str | None = None
    parts: list[Segment] = field(default_factory=list)
    """a run's segments (itself, then its wrapped lines)"""
    inline_label: bool = False
    """the name at the start of a line that goes on with its labelled values ("Library visits Latest: 48,210 …")"""


def _split_line(page: Page, lo: int, hi: int, line: int) -> list[Segment]:
    text = page.text
    out: list[Segment] = []
    if page.char_boxes is None:
        pos = lo
        for m in re.finditer(r"\s{2,}|\t|\s\|\s|\|", text[lo:hi]):
            out.append(Segment(pos, lo + m.start(), line))
            pos = lo + m.end()
        out.append(Segment(pos, hi, line))
    else:
        boxes = page.char_boxes
        seg_start, prev = None, None
        for i in range(lo, hi):
            box = boxes[i] if i < len(boxes) else None
            if box is None or not text[i].strip():
                continue
            if seg_start is None:
                seg_start = i
            elif prev is not None and box[0] - boxes[prev][2] > _GAP:
                out.append(Segment(seg_start, prev + 1, line))
                seg_start = i
            prev = i
        if seg_start is not None and prev is not None:
            out.append(Segment(seg_start, prev + 1, line))
    kept = []
    for s in out:
        raw = text[s.start : s.end]
        s.start += len(raw) - len(raw.lstrip())
        s.end -= len(raw) - len(raw.rstrip())
        if s.end > s.start:
            if page.char_boxes is not None:
                bs = [b for b in page.char_boxes[s.start : s.end] if b is not None]
                if bs:
                    s.x0, s.x1 = min(b[0] for b in bs), max(b[2] for b in bs)
                    s.top, s.bottom = min(b[1] for b in bs), max(b[3] for b in bs)
            kept.append(s)
    return kept


def segments(page: Page) -> list[list[Segment]]:
    """The page's lines, each a list of segments left to right."""
    lines, pos = [], 0
    for n, raw in enumerate(page.text.split("\n")):
        lines.append(_split_line(page, pos, pos + len(raw), n))
        pos += len(raw) + 1
    return lines


_VALUE = re.compile(
    r"(?P<gbp>£\s?)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\d|[,/.]\d)"
    r"(?P<scale>\s?(?:m|k|bn|million|billion)\b)?"
    r"(?P<unit>\s?%|\s?per\s?cent\b|\s?(?:per|/)\s?100,?000\b|\s?(?:per|/)\s?10,?000\b|\s?(?:per|/)\s?1,?000\b"
    r"|\s+(?:working\s+|calendar\s+)?(?-i:days?|weeks?|months?)(?-i:(?![a-z]))|\s?FTE\b)?",
    re.I,
)
_SCALE = {"m": 1e6, "million": 1e6, "k": 1e3, "bn": 1e9, "billion": 1e9}


def _unit_of(m: re.Match[str]) -> tuple[str, str]:
    if m.group("gbp"):
        return "gbp", "num.money"
    u = re.sub(r"\s+", " ", (m.group("unit") or "").strip().lower())
    if not u:
        return "count", "num.count"
    if u in ("%", "per cent", "percent", "percent"):
        return "percent", "num.percent"
    if "100,000" in u or "100000" in u:
        return "rate_per_100000", "num.rate100k"
    if "10,000" in u or "10000" in u:
        return "rate_per_10000", "num.rate10k"
    if "1,000" in u or "1000" in u:
        return "rate_per_1000", "num.rate1k"
    for word, unit in (("day", "days"), ("week", "weeks"), ("month", "months")):
        if word in u:
            return unit, f"num.{unit}"
    return "fte", "num.fte"


def _value_at(text: str, pos: int) -> tuple[NumberMention, int] | None:
    """A scorecard value starting at ``pos`` of ``text``: the figure (offsets relative to ``pos``) and where its
    unit ends. A cell's value needs no context words, so the narrative rules' guards do not apply here."""
    m = _VALUE.match(text, pos)
    if m is None:
        return None
    unit, rule = _unit_of(m)
    value = float(m.group("num").replace(",", ""))
    end = m.end("num")
    if unit == "gbp":
        value *= _SCALE.get((m.group("scale") or "").strip().lower(), 1.0)
        end = m.end("scale") if m.group("scale") else end
    elif m.group("scale"):
        return None  # "12k" without £: not a figure this reader knows
    return NumberMention(m.start() - pos, end - pos, value, unit, rule, m.end() - pos), m.end()


# a key printed with no value: "Target –", "National: n/a", "Target 25/26: none set"
_BLANK = r"(?:[–—-]|n/?a|none(?:\s+set)?|not\s+set)"
_NO_VALUE = re.compile(rf"{_BLANK}(?=\s*\|)", re.I)  # … and more keys after a bar
_SEP = re.compile(r"[\s,;|·•–—-]*")


class _Chain:
    """Segments read as one run of text (a box's label–value lines wrap): joined with spaces, offsets mapped back."""

    def __init__(self, page: Page, segs: list[Segment]) -> None:
        self.segs = segs
        self.text = ""
        self.starts: list[int] = []
        for seg in segs:
            if self.text:
                self.text += " "
            self.starts.append(len(self.text))
            self.text += page.text[seg.start : seg.end]

    def to_page(self, i: int) -> int | None:
        for k in range(len(self.segs) - 1, -1, -1):
            if i >= self.starts[k]:
                off = i - self.starts[k]
                seg = self.segs[k]
                return seg.start + off if off <= seg.end - seg.start else None
        return None


DATED = Key("dated", "actual", "report")
"""the key of a value printed after its period alone ("November 2024: 2,305"): the actual of that period"""


# a month printed before its value after a bar, as a tile's comparison line does ("Target 90% | October 88.1%");
# not a year ("October 2025") nor a day ("October 12")
_MONTH_KEY = re.compile(
    rf"(?P<dated>{MONTH_RE})\s+(?=£?\d)(?!(?:19|20)\d\d\b|\d{{1,2}}\b(?![.,]\d|\s*%|\s+(?:days?|weeks?|months?)\b))"
)


def key_of(m: re.Match[str], terms: Terms) -> Key | None:
    """The key a match of ``terms.key_re`` names."""
    if m.group("dated"):
        return DATED
    return terms.keys.get(re.sub(r"\s+", " ", m.group("key")).lower())


def _parse_pairs(chain: _Chain, terms: Terms) -> tuple[list, str, int]:
    """Key–value pairs of a chain's text, the text after the last pair, and how far the pairs reach."""
    text, pos, pairs = chain.text, 0, []
    while pos < len(text):
        sep = _SEP.match(text, pos)
        pos = sep.end()
        m = terms.key_re.match(text, pos)
        if not m and pos > 0 and "|" in sep.group(0):
            m = _MONTH_KEY.match(text, pos)  # "Target 90% | October 88.1%": the month's value, no colon
        if not m:
            break
        found = _value_at(text, m.end())
        if found is None:
            blank = _NO_VALUE.match(text, m.end())
            if blank is not None:
                pos = blank.end()  # "Target – | October 487": no target set; read on
                continue
            break
        n, after = found
        a, b = chain.to_page(m.end() + n.start), chain.to_page(m.end() + n.end - 1)
        if a is None or b is None or b + 1 - a != n.end - n.start:
            break  # a value cut by a line break: leave it
        key = key_of(m, terms)
        pairs.append((key, m.group(0).strip(" :="), NumberMention(0, n.end - n.start, n.value, n.unit, n.rule, 0), a))
        pos = after
    return pairs, text[pos:], pos


def _classify(page: Page, seg: Segment, terms: Terms) -> None:
    """Mark a segment as a RAG status, a header cell, a single value cell, or plain text (runs come later)."""
    body = page.text[seg.start : seg.end]
    status = terms.status_re.match(body)
    rated = _rating(status.group("rest"), terms) if status else None
    if rated:
        seg.kind, seg.rag = "status", rated
        return
    if re.match(r"^(?:Direction of travel|DoT|Trend)\b", body, re.I) or re.fullmatch(r"[↑↓→←▲▼►◄⬆⬇\s]+\w*", body):
        seg.kind = "status"
        return
    if terms.header_cell.match(body) and not body.endswith(":") and not re.search(r"\d", body.replace("12", "")):
        seg.kind = "header"
        return
    found = _value_at(body, 0)
    if found is not None and found[1] == len(body):
        n = found[0]
        seg.kind, seg.values = "values", [(None, "", n, seg.start)]
    elif found is not None and _COUNTED.fullmatch(body, found[1]) and seg.kind == "text":
        # a tile's headline with its counted noun: "3,866 jobs", "152 homes"
        seg.kind, seg.values = "values", [(None, "", found[0], seg.start)]
    elif found is not None and _dated_rest(body, found[1]):
        # a tile's headline with its date: "418 at end of May 2025", "24.1% May 2025 (12 months)"
        seg.kind, seg.values = "values", [(None, body[found[1] :].strip(), found[0], seg.start)]


_COUNTED = re.compile(r"\s+[a-z]{3,}s(?:\s+[a-z]{3,})?\s*")
_DATE_GLUE = re.compile(
    r"^[\s,()]*(?:(?:at|as|the|end|of|on|to|in|for|year|date|rolling|last|months?|12|twelve|provisional)[\s,()]*)*$",
    re.I,
)


def _dated_rest(body: str, after: int) -> bool:
    """Is the text after a value its period alone ("at end of May 2025", "May 2025 (year to date)"), and the
    value no part of a date ("31 March 2025")?"""
    rest = body[after:]
    if not rest.strip() or not rest[:1].isspace():
        return False
    if any(p.start_char == 0 for p in find_periods(body, None)):
        return False  # "31 March 2025": a date, not a value and its date
    periods = [p for p in find_periods(rest, None) if not p.relative and p.kind != "since"]
    return bool(periods) and only_periods(rest, periods, 0, _DATE_GLUE)


def _starts_run(page: Page, seg: Segment, terms: Terms) -> bool:
    body = page.text[seg.start : seg.end]
    m = terms.key_re.match(body)
    return bool(m) and (
        m.end() == len(body) or _value_at(body, m.end()) is not None or _NO_VALUE.match(body, m.end()) is not None
    )


def _continues_run(page: Page, prev: Segment, seg: Segment) -> bool:
    """A wrapped line of a run: the value of a key left dangling ("… Floor:" / "82% …"), the rest of a unit
    ("… Target: 38.0" / "per 10,000 …"), or the RAG rating in brackets."""
    body = page.text[seg.start : seg.end]
    if _dangling(page, prev):
        return bool(re.match(r"^£?\d", body))
    if re.match(r"^(?:per\b|%|days?\b|weeks?\b|months?\b)", body, re.I):
        return bool(re.search(r"\d\s*$", page.text[prev.start : prev.end]))
    return seg.kind == "status" and body.startswith(("(", "["))


def _bounds(page: Page, seg: Segment) -> Segment:
    if page.char_boxes is not None:
        bs = [b for b in page.char_boxes[seg.start : seg.end] if b is not None]
        if bs:
            seg.x0, seg.x1 = min(b[0] for b in bs), max(b[2] for b in bs)
            seg.top, seg.bottom = min(b[1] for b in bs), max(b[3] for b in bs)
    return seg


def _split_inline_names(page: Page, lines: list[list[Segment]], terms: Terms) -> None:
    """ "Calls answered within 60 seconds Latest: 94% Target: 90% (Green)": a name followed on the same cell by
    labelled values (an HTML table row read as one line, cells close together) is cut into the name and the run.
    Only where every word after the name is read as key: value pairs and a RAG rating."""
    for segs in lines:
        for seg in list(segs):
            body = page.text[seg.start : seg.end]
            if seg.kind != "text" or _starts_run(page, seg, terms):
                continue
            for m in terms.key_re.finditer(body):
                if m.start() == 0 or body[m.start() - 1] != " " or not m.group(0).rstrip().endswith(":"):
                    continue
                name = body[: m.start()].rstrip()
                if (
                    not re.search(r"[A-Za-z]{3}", name)
                    or name.endswith((".", ";", ":"))
                    or _value_at(body, m.end()) is None
                ):
                    continue
                run = Segment(seg.start + m.start(), seg.end, seg.line)
                pairs, rest, _ = _parse_pairs(_Chain(page, [run]), terms)
                if not pairs or not _only_rag(rest, terms):
                    continue
                head = _bounds(page, Segment(seg.start, seg.start + len(name), seg.line, inline_label=True))
                at = segs.index(seg)
                segs[at : at + 1] = [head, _bounds(page, run)]
                break


def _find_runs(page: Page, lines: list[list[Segment]], terms: Terms) -> None:
    """Join wrapped label–value lines of one column into chains and mark the segments of each as runs."""
    _split_inline_names(page, lines, terms)
    used: set[int] = set()
    for segs in lines:
        for seg in segs:
            if seg.start in used or seg.kind in ("header", "values", "status") or not _starts_run(page, seg, terms):
                continue
            chain = [seg]
            while True:
                pairs, rest, _ = _parse_pairs(_Chain(page, chain), terms)
                nxt = _below(lines, chain[-1])
                if nxt is None or nxt.start in used or not _close_below(chain[-1], nxt, 1.6):
                    break
                open_end = bool(re.search(r"[A-Za-z:]", rest)) and not _only_rag(rest, terms)
                if not (open_end and nxt.kind != "status") and not _continues_run(page, chain[-1], nxt):
                    break
                chain.append(nxt)
                if nxt.kind == "status":
                    break
            pairs, rest, read_to = _parse_pairs(_Chain(page, chain), terms)
            while len(chain) > 1 and not _covers(_Chain(page, chain), read_to):
                chain.pop()  # a line the run did not read belongs to something else
                pairs, rest, read_to = _parse_pairs(_Chain(page, chain), terms)
            if not pairs or re.search(r"\d", rest):
                continue
            rag = terms.rag_re.search(rest)
            rag_word = _rag(rag) if rag else None
            for k, part in enumerate(chain):
                used.add(part.start)
                part.kind = "run" if k == 0 else "run_part"
            seg.values = pairs
            seg.rag = rag_word
            seg.parts = chain


def _rating(text: str, terms: Terms) -> str | None:
    """The RAG rating a cell is made of ("Amber", "(Green)", "[A]"), or None if it holds anything else."""
    body = text.strip(" .,;")
    m = terms.rag_re.fullmatch(body) or terms.rag_re.fullmatch(body.strip("()[] "))
    return _rag(m) if m else None


def _only_rag(rest: str, terms: Terms) -> bool:
    """Is the text after a run's last value only its RAG rating ("(Amber)", "RAG: Red", "[A]") or nothing?"""
    body = rest.strip(" ,;.")
    status = terms.status_re.match(body)
    return not body or bool(status and _rating(status.group("rest"), terms))


def _covers(chain: _Chain, read_to: int) -> bool:
    """Did the run read into its last line, or is that line its RAG rating?"""
    return chain.starts[-1] < read_to or chain.segs[-1].kind == "status"


def _dangling(page: Page, seg: Segment) -> bool:
    """Does a line end with a key whose value is on the next line ("… Floor:")?"""
    body = page.text[seg.start : seg.end]
    return bool(re.search(r"[:=]\s*$", body))


def _below(lines: list[list[Segment]], seg: Segment) -> Segment | None:
    """The nearest segment below ``seg`` in the same column."""
    for ln in range(seg.line + 1, min(len(lines), seg.line + 4)):
        for other in lines[ln]:
            if _overlap(other, seg):
                return other
    return None


@dataclass(frozen=True)
class ScorecardFigure:
    """A value of a scorecard with its indicator name, role, period and RAG rating; offsets into the page text."""

    start: int
    end: int
    value: float
    unit: str
    number_rule: str
    role: str
    role_rule: str
    period: Period | None
    period_rule: str
    label: str | None
    rag: str | None
    label_start: int | None = None
    label_end: int | None = None


@dataclass
class ScorecardPage:
    """What the scorecard reader found on a page: figures, and the spans (values, labels, RAG cells) it read."""

    figures: list[ScorecardFigure]
    claimed: list[tuple[int, int]]


def _overlap(a: Segment, b: Segment) -> bool:
    if a.x0 is None or b.x0 is None:
        return True
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0


def _line_height(seg: Segment) -> float:
    return (seg.bottom - seg.top) if seg.top is not None and seg.bottom is not None else 0.0


def _close_below(upper: Segment, lower: Segment, factor: float = 1.9) -> bool:
    """Is ``lower`` the next line of the same block as ``upper`` (no wide vertical gap)?"""
    if upper.top is None or lower.top is None:
        return 0 < lower.line - upper.line <= 2  # text and HTML: the next line, or the one after a blank line
    h = max(_line_height(upper), _line_height(lower), 1.0)
    return 0 < lower.top - upper.top <= factor * h


def _is_heading(page: Page, seg: Segment) -> bool:
    body = page.text[seg.start : seg.end].strip()
    return (
        seg.kind == "text"
        and 3 <= len(body) <= 140
        and bool(re.search(r"[A-Za-z]{3}", body))
        and not body.endswith((".", ";"))
        and not re.match(r"^(?:Page\s+\d|(?:Enquiries|Contact(?: officer)?|Tel(?:ephone)?|E-?mail)\s*:)", body, re.I)
    )


def _is_continuation(page: Page, seg: Segment) -> bool:
    """A wrapped line of a name: any short text ("to", "days lost")."""
    body = page.text[seg.start : seg.end].strip()
    return seg.kind == "text" and bool(re.search(r"[A-Za-z]", body)) and len(body) <= 140 and not body.endswith(".")


_UNFINISHED = re.compile(r"\b(?:per|of|in|than|to|within|over|under|by|aged)$", re.I)


def _above(lines: list[list[Segment]], seg: Segment) -> Segment | None:
    """The nearest segment above ``seg`` in the same column."""
    for ln in range(seg.line - 1, max(-1, seg.line - 12), -1):
        for other in lines[ln]:
            if _overlap(other, seg):
                return other
    return None


def _heading_above(page: Page, lines: list[list[Segment]], seg: Segment) -> list[Segment]:
    """The heading of a KPI box: the text lines right above its first label–value line (wrapped names joined)."""
    cur = seg
    while True:
        up = _above(lines, cur)
        if up is None or not _close_below(up, cur, 2.6):
            return []
        if up.kind in ("run", "run_part", "status"):
            if not _close_below(up, cur, 1.9):
                return []
            cur = up
            continue
        if up.kind == "text" and (_period_line_of_headline(page, lines, up) or _unset_key(page, up)):
            cur = up  # "in November" under a tile's headline value
            continue
        if up.kind == "values":
            if _headline(page, lines, up):
                cur = up  # a tile's headline value between its name and the keyed values below it
                continue
            # "Missed bin collections per / 100,000": the end of a wrapped name, not a value
            if not _name_end(page, lines, up):
                return []
        elif not _is_heading(page, up):
            return []
        found = [up]
        while len(found) < 5:
            higher = _above(lines, found[0])
            if higher is None or not _is_heading(page, higher) or not _close_below(higher, found[0], 1.5):
                break
            found.insert(0, higher)
        return found


def _name_end(page: Page, lines: list[list[Segment]], seg: Segment) -> bool:
    """Is a lone number the end of a wrapped name ("Missed bin collections per" / "100,000")?"""
    higher = _above(lines, seg)
    return (
        higher is not None
        and _is_heading(page, higher)
        and bool(_UNFINISHED.search(page.text[higher.start : higher.end]))
        and _close_below(higher, seg, 1.5)
    )


def _headline(page: Page, lines: list[list[Segment]], seg: Segment) -> bool:
    """Is a lone number a KPI tile's headline value: under the tile's name, over its keyed values ("July: 1,398",
    "England: 22.4%")?"""
    if seg.kind != "values" or _name_end(page, lines, seg):
        return False
    headline = seg
    higher, lower = _above(lines, seg), _below(lines, seg)
    dated = _period_below(page, lines, seg)
    if dated is not None:  # "91.2%" / "in November" / "Target 90% | October 88.1%"
        lower = _below(lines, dated)
        if lower is not None and not _close_below(dated, lower, 1.9):
            return False
        seg = dated
    if higher is None or lower is None or lower.kind not in ("run", "status") or not _close_below(seg, lower, 1.9):
        return False
    named = _is_heading(page, higher) or (higher.kind == "values" and _name_end(page, lines, higher))
    return named and _close_below(higher, headline, 2.6)


def _period_below(page: Page, lines: list[list[Segment]], seg: Segment) -> Segment | None:
    """The line right under a tile's headline value that only dates it ("in November", "at 30 November",
    "April to November"), if there is one."""
    lower = _below(lines, seg)
    if lower is None or lower.kind != "text" or not _close_below(seg, lower, 1.9):
        return None
    return lower if _only_dates(page.text[lower.start : lower.end]) else None


def _only_dates(body: str) -> bool:
    """Is a line nothing but a period ("in November", "at 30 November", "12 months to November")?"""
    found = [p for p in find_periods(body, ANY_REF) if p.kind not in ("since", "relative")]
    return bool(found) and only_periods(body, found, 0, _DATE_GLUE)


_UNSET = re.compile(rf"{_BLANK}\s*$", re.I)


def _unset_key(page: Page, seg: Segment) -> bool:
    """A key printed without a value ("Target 25/26: none set", "National: n/a"): a line of the box, no name."""
    body = page.text[seg.start : seg.end]
    m = load_terms().key_re.match(body)
    return m is not None and _UNSET.fullmatch(body, m.end()) is not None


def _period_line_of_headline(page: Page, lines: list[list[Segment]], seg: Segment) -> bool:
    higher = _above(lines, seg)
    return higher is not None and _period_below(page, lines, higher) is seg and _headline(page, lines, higher)


def _wrapped_line(page: Page, lines: list[list[Segment]], seg: Segment) -> bool:
    """Is this text line the continuation of a heading line right above it?"""
    if seg.x0 is None:
        return False  # text and HTML lines have no columns to tell a grid of boxes from rows
    up = _above(lines, seg)
    return up is not None and _is_heading(page, up) and _close_below(up, seg, 1.5)


def _row_header(page: Page, lines: list[list[Segment]], seg: Segment) -> list[Segment]:
    """The row header of a label–value row: the text cell at the left of its line, with its wrapped lines."""
    left = [s for s in lines[seg.line] if s.end <= seg.start]
    if not left or not _is_heading(page, left[0]) or any(s.kind == "text" for s in left[1:]):
        return []
    if _only_dates(page.text[left[0].start : left[0].end]):
        return []  # "12 months to November": the date line of the tile at the left, level with these values
    first = left[0]
    found = [first]
    for ln in range(first.line + 1, min(len(lines), first.line + 7)):
        cont = [s for s in lines[ln] if _overlap(s, first)]
        if len(lines[ln]) != 1 or len(cont) != 1 or not _is_continuation(page, cont[0]):
            break
        if not _close_below(found[-1], cont[0], 1.5):
            break
        found.append(cont[0])
    return found


def _label_text(page: Page, segs: list[Segment]) -> str | None:
    if not segs:
        return None
    text = " ".join(page.text[s.start : s.end] for s in segs)
    text = re.sub(r"(?<=[a-z])- (?=[a-z])", "-", re.sub(r"\s+", " ", text)).strip(" :-–")
    return text[:200] or None


def _fy_start(d: date) -> date:
    return date(d.year if d.month >= 4 else d.year - 1, 4, 1)


def _period_for(
    key: Key, key_text: str, rp: ReportingPeriod | None, paper_date: date | None
) -> tuple[Period | None, str]:
    """The period a scorecard value takes from its key and the paper's reporting period."""
    if key.period == "none":
        return None, f"scorecard.period.none.{key.id}"
    ref = rp.period.end if rp is not None else paper_date
    own = [p for p in find_periods(key_text, ref) if not p.relative and p.kind != "since"]
    month = re.fullmatch(rf"\s*({MONTH_RE})\s*:?\s*", key_text)
    if not own and month and ref is not None and key.id == "dated":
        # "Sep: 1,486" on an October tile: September, not the month reported on
        mo = month_number(month.group(1))
        y = resolve_month(mo, ref)
        assert y is not None
        own = [Period(0, len(key_text), key_text, date(y, mo, 1), month_end(y, mo), "month")]
    if own and key.period == "report":
        p = Period(-1, -1, own[0].text, own[0].start, own[0].end, own[0].kind)
        how = frequency_period(p, key_text)  # "May 2025 (12 months)", "May 2025 (year to date)"
        if how is not None:
            return how[0], f"scorecard.period.key+{how[1]}"
        return p, "scorecard.period.key"
    if rp is None:
        if key.period == "report" and paper_date is not None:
            return paper_date_period(paper_date), "scorecard.period.paper_date"
        return None, "scorecard.period.none.no_reporting_period"
    p = rp.period
    if key.period == "report":
        return p, "scorecard.period.report"
    # the words a derived period was read from: the key and the reporting period it is counted from
    words = f"{key_text} ({rp.period.text})"
    if key.period == "previous":
        prev = previous_period(rp)
        if prev is None:
            return None, "scorecard.period.none.previous_unknown"
        return Period(-1, -1, words, prev.start, prev.end, prev.kind), "scorecard.period.previous"
    if key.period == "ytd":
        return Period(-1, -1, words, _fy_start(p.end), p.end, "range"), "scorecard.period.ytd"
    if key.period == "rolling12":
        index = p.end.year * 12 + p.end.month - 12
        start = date(index // 12, index % 12 + 1, 1)
        return Period(-1, -1, words, start, p.end, "range"), "scorecard.period.rolling12"
    if key.period == "last_year":
        end = month_end(p.end.year - 1, p.end.month)
        return Period(-1, -1, words, date(p.start.year - 1, p.start.month, 1), end, p.kind), (
            "scorecard.period.last_year"
        )
    return None, "scorecard.period.none"


_PERCENT_LABEL = re.compile(r"^(?:percentage|proportion|%)\b|\(%\)|%\s*$|\bper\s?cent(?:age)?\b", re.I)
_DAYS_LABEL = re.compile(r"\b(?:average|mean|median)?\s*(?:number\s+of\s+)?(?:working\s+|calendar\s+)?days\b", re.I)


_RATE_LABEL = re.compile(r"\bper\s+(1,?000|10,?000|100,?000)\b", re.I)


def _unit(n: NumberMention, label: str | None) -> tuple[str, str]:
    """The value's unit: printed with it, else from the indicator's name ("Percentage of …", "(days)")."""
    if n.unit != "count" or not label:
        return n.unit, n.rule
    if _PERCENT_LABEL.search(label):
        return "percent", "num.percent_label"
    rate = _RATE_LABEL.search(label)
    if rate:  # "Children looked after per 10,000"
        base = rate.group(1).replace(",", "")
        return {"1000": "rate_per_1000", "10000": "rate_per_10000", "100000": "rate_per_100000"}[base], (
            "num.rate_label"
        )
    if (
        re.match(r"^(?:average|mean|median)\b.*\bdays\b", label, re.I)
        or re.search(r"\((?:working\s+)?days\)", label, re.I)
        # "Days lost to sickness per FTE": the days are the measure
        or re.search(r"\bdays\s+(?:lost|per\s+(?:fte|employee|head))\b", label, re.I)
    ):
        return "days", "num.days_label"
    return n.unit, n.rule


def _figures_of(
    values: list[tuple[Key | None, str, NumberMention, int]],
    label_segs: list[Segment],
    page: Page,
    rag: str | None,
    rp: ReportingPeriod | None,
    paper_date: date | None,
) -> list[ScorecardFigure]:
    label = _label_text(page, label_segs)
    out = []
    rag_given = False
    to_date: Period | None = None  # a tile's headline over months ("April to November"): its other months too
    for key, key_text, n, at in values:
        if key is None:
            continue
        period, period_rule = _period_for(key, key_text, rp, paper_date)
        if key.id == "dated" and period is not None:
            if to_date is None and period.kind == "range" and not out:
                to_date = period
            elif to_date is not None and period.kind == "month" and to_date.start < period.start < to_date.end:
                # "October 95.1%" under "April to November": April to October; under "12 months to November":
                # the 12 months to October
                start = to_date.start if to_date.start.month == 4 else span_start(period.end, _months(to_date))
                period = Period(-1, -1, f"{to_date.text} … {key_text}", start, period.end, "range")
                period_rule = f"{period_rule}+same_span"
        if period is not None and key.id == "dated" and "+" not in period_rule and label:
            # "April: 23.5%" in a box named "… (12 months)": the twelve months to April
            notes = " ".join(NAME_NOTE.findall(label))
            how = frequency_period(period, notes) if notes else None
            if how is not None:
                period, period_rule = how[0], f"{period_rule}+{how[1]}"
        unit, number_rule = _unit(n, label)
        this_rag = None
        if rag and not rag_given and key.role == "actual" and key.period == "report":
            this_rag, rag_given = rag, True
        out.append(
            ScorecardFigure(
                start=at + n.start,
                end=at + n.end,
                value=n.value,
                unit=unit,
                number_rule=number_rule,
                role=key.role,
                role_rule=f"scorecard.role.{key.id}",
                period=period,
                period_rule=period_rule,
                label=label,
                rag=this_rag,
                label_start=label_segs[0].start if label_segs else None,
                label_end=label_segs[-1].end if label_segs else None,
            )
        )
    return out


def _months(p: Period) -> int:
    return (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1


def _header_row(lines: list[list[Segment]], i: int, terms: Terms, page: Page) -> dict[int, Key | None] | None:
    """Column keys of a header row ("Measure | Actual | Target | Status"), by segment index, or None."""
    segs = lines[i]
    if len(segs) < 3 or not all(s.kind == "header" for s in segs):
        return None
    cols = {}
    for j, s in enumerate(segs):
        word = re.sub(r"\s+", " ", page.text[s.start : s.end]).strip(" :")
        m = terms.key_re.fullmatch(word)
        cols[j] = key_of(m, terms) if m and m.group("key") else None
    if sum(k is not None for k in cols.values()) < 2:
        return None
    return cols


def _column_of(seg: Segment, header: list[Segment], j: int) -> int | None:
    """The header cell a value sits under: overlapping in x (PDF), else the same position in the line."""
    if seg.x0 is None or header[0].x0 is None:
        return j if j < len(header) else None
    best, best_d = None, None
    for k, h in enumerate(header):
        if min(seg.x1, h.x1 + 12) - max(seg.x0, h.x0 - 12) > 0:
            d = abs((seg.x0 + seg.x1) / 2 - (h.x0 + h.x1) / 2)
            if best_d is None or d < best_d:
                best, best_d = k, d
    return best


def _split_at_columns(page: Page, segs: list[Segment], header: list[Segment], terms: Terms) -> list[Segment]:
    """Cut a segment that runs from one column into the next where the next column's heading starts (a wrapped
    name pressed against the first value: "… three or more 9.4%")."""
    if page.char_boxes is None or header[0].x0 is None:
        return segs
    out: list[Segment] = []
    for seg in segs:
        cut = None
        for h in header[1:]:
            if seg.x0 < h.x0 - 2 < seg.x1:
                for i in range(seg.start, seg.end):
                    box = page.char_boxes[i]
                    if box is not None and box[0] >= h.x0 - 2 and (i == seg.start or not page.text[i - 1].strip()):
                        cut = i
                        break
            if cut is not None:
                break
        if cut is None or cut <= seg.start:
            out.append(seg)
            continue
        for part in _split_line(page, seg.start, cut, seg.line) + _split_line(page, cut, seg.end, seg.line):
            _classify(page, part, terms)
            out.append(part)
    return out


def _read_columns(
    page: Page, lines: list[list[Segment]], start: int, cols: dict[int, Key | None], rp, paper_date, terms: Terms
) -> tuple[list[ScorecardFigure], list[tuple[int, int]], int]:
    """The rows under a header row; returns figures, claimed spans and the last line read."""
    header = lines[start]
    figures: list[ScorecardFigure] = []
    claimed = [(s.start, s.end) for s in header]
    row: tuple[list[Segment], list, str | None] | None = None
    i = start + 1

    def flush() -> None:
        if row is not None:
            figures.extend(_figures_of(row[1], row[0], page, row[2], rp, paper_date))

    while i < len(lines):
        segs = _split_at_columns(page, lines[i], header, terms)
        if not segs:
            i += 1
            continue
        values = [s for s in segs if s.kind == "values"]
        texts = [s for s in segs if s.kind == "text"]
        if values and texts and texts[0].end <= values[0].start:
            flush()
            keyed, rag = [], None
            for j, s in enumerate(segs):
                col = _column_of(s, header, j)
                if s.kind == "values" and col is not None and cols.get(col) is not None:
                    key, _, n, at = s.values[0]
                    keyed.append((cols[col], page.text[header[col].start : header[col].end], n, at))
                elif s.kind == "status":
                    rag = s.rag or rag
                claimed.append((s.start, s.end))
            row = ([texts[0]], keyed, rag)
        elif (
            row is not None
            and not values
            and len(segs) == 1
            and _is_continuation(page, segs[0])
            and _overlap(segs[0], row[0][0])
            and _close_below(row[0][-1], segs[0], 1.6)
        ):
            row[0].append(segs[0])  # a wrapped row header
            claimed.append((segs[0].start, segs[0].end))
        else:
            break
        i += 1
    flush()
    return figures, claimed, i - 1


def read_scorecards(
    page: Page, rp: ReportingPeriod | None, paper_date: date | None, terms: Terms | None = None
) -> ScorecardPage:
    """Read the label–value runs, KPI boxes and header-row scorecards of a page."""
    terms = terms or load_terms()
    lines = segments(page)
    for segs in lines:
        for s in segs:
            _classify(page, s, terms)
    _find_runs(page, lines, terms)
    figures: list[ScorecardFigure] = []
    claimed: list[tuple[int, int]] = []
    done_lines: set[int] = set()
    for i in range(len(lines)):
        cols = _header_row(lines, i, terms, page)
        if cols is None:
            continue
        f, c, last = _read_columns(page, lines, i, cols, rp, paper_date, terms)
        if f:
            figures += f
            claimed += c
            done_lines.update(range(i, last + 1))
    # label–value runs, with their box heading or row header; RAG cells join the run they follow
    groups: dict[tuple[int, ...], tuple[list[Segment], list, list[str]]] = {}
    order: list[tuple[int, ...]] = []
    latest = terms.keys.get("latest")
    for segs in lines:
        for s in segs:
            if s.line in done_lines:
                continue
            if s.kind == "values" and latest is not None and _headline(page, lines, s):
                label = _heading_above(page, lines, s)
                if label:
                    gid = tuple(x.start for x in label)
                    if gid not in groups:
                        groups[gid] = (label, [], [])
                        order.append(gid)
                    key, dated, n, at = s.values[0]
                    below = None if dated else _period_below(page, lines, s)
                    if below is not None:
                        dated = page.text[below.start : below.end]
                        claimed.append((below.start, below.end))
                    groups[gid][1].append((DATED if dated else latest, dated, n, at))
                    claimed.append((s.start, s.end))
                continue
            if s.kind not in ("run", "status"):
                continue
            left = _row_header(page, lines, s)
            cells_right = sum(x.kind in ("run", "status") for x in lines[s.line] if left and x.start > left[0].end)
            # a row header names a row of several cells; a lone run under a heading is a KPI box
            above = _heading_above(page, lines, s)
            # ... unless the text at the left is the wrapped end of another box's heading (a grid of boxes)
            wrapped = bool(left) and _wrapped_line(page, lines, left[0])
            if left and left[0].inline_label:
                label = left
            else:
                label = left if left and cells_right >= 2 and not (above and wrapped) else (above or left)
            if not label:
                continue
            gid = tuple(x.start for x in label)
            if gid not in groups:
                groups[gid] = (label, [], [])
                order.append(gid)
            groups[gid][1].extend(s.values)
            if s.rag:
                groups[gid][2].append(s.rag)
            claimed += [(x.start, x.end) for x in (s.parts or [s])]
    for gid in order:
        label, values, rags = groups[gid]
        if not values:
            continue
        claimed += [(x.start, x.end) for x in label]
        figures += _figures_of(values, label, page, rags[0] if rags else None, rp, paper_date)
    return ScorecardPage(figures=figures, claimed=claimed)


_PRECHECK = re.compile(r"[:=]?\s*£?\d")


def may_hold_scorecard(text: str, terms: Terms | None = None) -> bool:
    """A cheap test before the reader: a scorecard key directly followed by a figure, or a header row."""
    return (terms or load_terms()).precheck.search(text) is not None


_BASE_CONFIDENCE = {"percent": 0.9, "gbp": 0.85, "count": 0.8, "days": 0.85, "weeks": 0.85, "months": 0.8}


def _kpi_for_label(label: str | None, unit: str) -> str | None:
    """The taxonomy KPI the indicator's name names, only when the KPI takes the unit and the name's counted noun
    (extractors/kpi_match.py, the same checks as for narrative figures)."""
    from extractors.kpi_match import kpi_for_label

    return kpi_for_label(label, unit).kpi


def scorecard_figures(card: ScorecardPage, narrative: list, sentence_bounds: list[tuple[int, int]]) -> list:
    """The page's figures: the scorecard's, plus the narrative ones outside what the scorecard read."""
    from extractors.nlp import Figure

    if not card.figures and not card.claimed:
        return narrative
    taken = card.claimed + [(f.start, f.end) for f in card.figures]
    kept = [f for f in narrative if not any(a <= f.start < b or f.start <= a < f.end for a, b in taken)]
    out = []
    for f in card.figures:
        bounds = next(((s0, s1) for s0, s1 in sentence_bounds if s0 <= f.start and f.end <= s1), None)
        if bounds is None:
            continue  # cannot happen for text the sentence splitter saw; never store a figure without its sentence
        confidence = _BASE_CONFIDENCE.get(f.unit, 0.85)
        if f.period is None and f.role == "actual":
            confidence -= 0.25
        elif f.period is not None and f.period.kind == "paper_date":
            confidence -= 0.15
        if f.label is None:
            confidence -= 0.1
        out.append(
            Figure(
                sentence_start=bounds[0],
                sentence_end=bounds[1],
                start=f.start,
                end=f.end,
                value=f.value,
                unit=f.unit,
                rule=f.number_rule,
                role=f.role,
                role_rule=f.role_rule,
                period=f.period,
                period_rule=f.period_rule,
                label=f.label,
                kpi=_kpi_for_label(f.label, f.unit),
                confidence=round(max(0.05, min(confidence, 0.99)), 2),
                rag=f.rag,
            )
        )
    return sorted(kept + out, key=lambda f: f.start)
