"""Tables: find them (PDF ruled and aligned, HTML <table>) and read their cells as dated, labelled figures."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import numpy

from extractors.frequency import NAME_NOTE, TO_DATE, frequency_period
from extractors.nlp import Figure
from extractors.periods import MONTH_RE, Period, find_periods, month_end, resolve_month
from extractors.scorecards import load_terms
from models.records import BBox, Page, Table, TableCell

HEADERS_PATH = Path(__file__).parent.parent / "models" / "table_headers.toml"

# --------------------------------------------------------------------------------------------------------------
# Values: what a cell must look like to be a figure
# --------------------------------------------------------------------------------------------------------------

_ARROWS = "▲▼►◄↑↓→←⬆⬇➔▶◀△▽"
_RAG = r"(?:red|amber|green|blue|grey|r|a|g|a/g|r/a|on track|off track|monitor|improving|worsening|no change|same)"
VALUE_RE = re.compile(
    rf"^(?P<pre>(?:[{_ARROWS}]\s*)?)"
    r"(?P<value>(?P<open>\()?(?P<sign>[-−–+])?\s?(?P<cur>£)?\s?(?P<sign2>[-−–])?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<suffix>\s?(?:%|pp|m|k|bn)(?![a-z]))?(?P<close>\))?)"
    rf"(?P<post>(?:\s*[{_ARROWS}])?(?:\s+{_RAG})?\s*)$",
    re.I,
)
_YEAR_ONLY = re.compile(r"^(?:19[5-9]\d|20[0-4]\d)(?:\s?[/-]\s?(?:\d{2}|20[0-4]\d))?$")


@dataclass(frozen=True)
class CellValue:
    """A number printed alone in a cell: where it sits (in the span's text) and what it says."""

    start: int
    end: int
    value: float
    currency: bool
    percent: bool
    scale: float


def parse_value(text: str) -> CellValue | None:
    """'£6,317,351', '-25.1', '(1,234)', '94.2%', '£150m', '▲ 45 Green' → the value; anything else → None."""
    m = VALUE_RE.match(text.strip())
    if not m or _YEAR_ONLY.match(text.strip()) or re.fullmatch(r"0\d+", m.group("num")):
        return None  # a year heading, or "£000" / "007": a unit or a reference, not a figure
    if bool(m.group("open")) != bool(m.group("close")):
        return None
    lead = len(text) - len(text.lstrip())
    value = float(m.group("num").replace(",", ""))
    suffix = (m.group("suffix") or "").strip().lower()
    scale = {"m": 1e6, "k": 1e3, "bn": 1e9}.get(suffix, 1.0)
    if suffix in ("m", "k", "bn") and not m.group("cur"):
        return None  # "12m" without £ is more often months than millions
    negative = (m.group("sign") or m.group("sign2") or "") in "-−–" and (m.group("sign") or m.group("sign2"))
    if negative or m.group("open"):
        value = -value
    start, end = m.span("value")
    return CellValue(lead + start, lead + end, value, bool(m.group("cur")), suffix in ("%", "pp"), scale)


def _is_number_cell(text: str) -> bool:
    return parse_value(text) is not None


# --------------------------------------------------------------------------------------------------------------
# Header vocabulary (models/table_headers.toml)
# --------------------------------------------------------------------------------------------------------------


def _words(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w£])(?:" + "|".join(patterns) + r")(?![\w])", re.I)


@dataclass(frozen=True)
class Vocabulary:
    roles: tuple[tuple[str, re.Pattern[str]], ...]
    skip: re.Pattern[str]
    drop: re.Pattern[str]
    units: tuple[tuple[str, float, re.Pattern[str]], ...]
    money: re.Pattern[str]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = tomllib.loads(HEADERS_PATH.read_text(encoding="utf-8"))
    return Vocabulary(
        roles=tuple((r["role"], _words(r["patterns"])) for r in data["role"]),
        skip=re.compile(r"^\s*(?:" + "|".join(data["skip"]["patterns"]) + r")\s*$", re.I),
        drop=_words(data["label"]["drop"]),
        units=tuple((u["unit"], float(u["scale"]), _words(u["patterns"])) for u in data["unit"]),
        money=_words(data["money"]["patterns"]),
    )


def header_unit(text: str) -> tuple[str, float, tuple[int, int]] | None:
    """The unit a heading (or a unit cell) states: (unit, scale to pounds, where)."""
    for unit, scale, pattern in vocabulary().units:
        for m in pattern.finditer(text):
            if unit in ("days", "weeks", "months") and _NUMBER_BEFORE.search(text[: m.start()]):
                continue  # "rolling 12 months", "(12 months)": the window counted over, not the unit
            return unit, scale, m.span()
    return None


_ROW_UNIT_HINT = re.compile(
    r"\((?P<u>[^()]{1,12})\)\s*$|(?P<rate>per\s+1(?:00?)?,?000\b)|^(?P<pct>percentage|%|proportion)\b|"
    # "Resignations as % of average headcount (12 months)"
    r"\bas\s+(?:an?\s+)?(?P<pct_of>%|percentage|proportion|share)\s+of\b|"
    # "Other planning applications decided in time %": a bare % closing the name (not "above 95%")
    r"(?<![\d.])(?<![\d.]\s)(?P<pct_end>%)\s*$",
    re.I,
)


# "within 10 working days", "for more than six weeks": a time limit or threshold in the name, not the unit
_NUMBER_BEFORE = re.compile(
    r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty))\s*"
    r"(?:working\s+|calendar\s+|clear\s+)?$",
    re.I,
)


def row_unit(label: str) -> tuple[str, float] | None:
    """A unit the row heading states: "(days)", "(%)", "… per 10,000", "Percentage of …", or a duration it
    measures ("Average days to repair …", "working days lost …"; not "… within 10 working days")."""
    m = _ROW_UNIT_HINT.search(label)
    if m and (m.group("pct") or m.group("pct_end") or m.group("pct_of")):
        return "percent", 1.0
    found = header_unit(m.group("u") or m.group("rate") or "") if m else None
    if found:
        return found[0], found[1]
    for d in re.finditer(r"\b(days|weeks|months)\b", label, re.I):
        if not _NUMBER_BEFORE.search(label[: d.start()]):
            return d.group(1).lower(), 1.0
    return None


def header_role(text: str) -> tuple[str, str]:
    """The role a column heading gives its figures, and the word that decided it."""
    for role, pattern in vocabulary().roles:
        m = pattern.search(text)
        if m:
            return role, m.group(0).lower()
    return "actual", "default"


# --------------------------------------------------------------------------------------------------------------
# Periods in headings ("Q1 2024/25", "Dec-24", "31-Mar-24", "March 23", "Apr–Jun" under "2024/25")
# --------------------------------------------------------------------------------------------------------------

_MON = (
    r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|June|July|"
    r"August|September|October|November|December)\.?"
)
_MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}
_DAY_NUMERIC = re.compile(r"(?<![\d/])(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)[/.](?P<y>(?:19|20)?\d\d)(?![\d/])")
_DAY_MON = re.compile(rf"(?<!\d)(?P<d>[0-3]?\d)[-\s]{_MON}[-\s](?P<y>(?:19|20)?\d\d)(?!\d)", re.I)
_MON_YY = re.compile(rf"(?<![\w-]){_MON}(?:[-'’]\s?|\s)?(?P<y>\d\d)(?![\d/-])", re.I)
_MON_RANGE = re.compile(
    rf"(?<![\w]){_MON}\s?[-–—]\s?(?P<mon2>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?!\s*\d)",
    re.I,
)
_HALF = re.compile(r"(?<![\w])(?:H|Half(?:[- ]?year)?[- ]?)\s?(?P<h>[12])(?![\w/])", re.I)
_QUARTER = re.compile(r"(?<![\w])(?:Q|Qtr\s?|Quarter\s)(?P<q>[1-4])(?![\w/])", re.I)
_FIN_YEAR = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)\s?[/-]\s?(?P<y2>\d{2}|\d{4})(?![\d/])")
_FIN_SHORT = re.compile(r"(?<![\d/.,])(?P<y>\d\d)/(?P<y2>\d\d)(?![\d/%])")
"""'24/25' in a heading: the financial year 2024/25 (the second year follows the first)"""
_MON_RANGE_Y = re.compile(
    rf"(?<![\w]){_MON}\s?[-–—]\s?(?P<mon2>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s"
    r"(?P<y>(?:19|20)?\d\d)(?![\d/])",
    re.I,
)
"""'Oct–Dec 25', 'Jul–Sep 2025': three months ending in that year"""


def _fin_year(text: str) -> int | None:
    """The first year of the financial year a heading names ('2024/25', '2024-2025', '24/25')."""
    m = _FIN_YEAR.search(text)
    if m:
        return int(m.group("y"))
    for m in _FIN_SHORT.finditer(text):
        y, y2 = int(m.group("y")), int(m.group("y2"))
        if y2 == (y + 1) % 100:
            return 2000 + y
    return None


def _year(text: str) -> int:
    y = int(text)
    return y + 2000 if y < 100 else y


def _mon(text: str) -> int:
    return _MONTHS[text[:3].lower()]


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


_MONTH_ALONE = re.compile(r"\s*(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s*", re.I)


_TERM_HEADING = re.compile(
    r"\b(?P<t>Aut(?:umn)?|Spr(?:ing)?|Sum(?:mer)?)\.?(?:\s+[Tt]erm)?\s+(?P<y>20\d{2}|\d{2})(?![\d/])", re.I
)


def header_period(text: str, ref: date | None) -> Period | None:
    """The period a column heading (all its header rows joined) names; the most specific one wins."""
    found: list[Period] = []

    def add(m: re.Match[str], start: date | None, end: date | None, kind: str) -> None:
        if start is not None and end is not None and start <= end:
            found.append(Period(m.start(), m.end(), m.group(0), start, end, kind))

    for m in _DAY_NUMERIC.finditer(text):
        d = _safe(_year(m.group("y")), int(m.group("m")), int(m.group("d")))
        add(m, d, d, "day")
    for m in _DAY_MON.finditer(text):
        d = _safe(_year(m.group("y")), _mon(m.group("mon")), int(m.group("d")))
        add(m, d, d, "day")
    for m in _MON_RANGE_Y.finditer(text):
        m1, m2, y2 = _mon(m.group("mon")), _mon(m.group("mon2")), _year(m.group("y"))
        add(m, date(y2 if m1 <= m2 else y2 - 1, m1, 1), month_end(y2, m2), "range")
    for m in _TERM_HEADING.finditer(text):
        # "Aut 25", "Spring 2026", "Summer term 2025": a school term (the spans periods.py gives a named term)
        y, t = _year(m.group("y")), m.group("t")[:2].lower()
        if t == "au":
            add(m, date(y, 9, 1), date(y, 12, 31), "range")
        elif t == "sp":
            add(m, date(y, 1, 1), date(y, 4, 15), "range")
        else:
            add(m, date(y, 4, 16), date(y, 7, 31), "range")
    taken = [(p.start_char, p.end_char) for p in found]
    for m in _MON_YY.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        y, mo = _year(m.group("y")), _mon(m.group("mon"))
        add(m, date(y, mo, 1), month_end(y, mo), "month")
    fin = _fin_year(text)
    quarter = _QUARTER.search(text)
    if quarter and fin is not None:
        # "Q3" under a merged "2023/24" heading: the quarter of that financial year
        y, q = fin, int(quarter.group("q"))
        first = (4 + 3 * (q - 1) - 1) % 12 + 1
        year = y if q <= 3 else y + 1
        add(quarter, date(year, first, 1), month_end(year, first + 2), "quarter")
    half = _HALF.search(text)
    if half and fin is not None and not quarter:
        # "Half-1 2025/26", "H2 2024/25": April to September, October to March of that financial year
        if half.group("h") == "1":
            add(half, date(fin, 4, 1), date(fin, 9, 30), "range")
        else:
            add(half, date(fin, 10, 1), date(fin + 1, 3, 31), "range")
    rng = _MON_RANGE.search(text)
    if rng and not _MON_YY.search(text):
        m1, m2 = _mon(rng.group("mon")), _mon(rng.group("mon2"))
        if fin is not None:
            y1 = fin if m1 >= 4 else fin + 1
            y2 = y1 if m2 >= m1 else y1 + 1
            add(rng, date(y1, m1, 1), month_end(y2, m2), "range")
        elif ref is not None and not _QUARTER.search(text):
            # "Q-1 (Jul–Sep)" with no year: the latest such months not after the period the paper reports on
            y2 = resolve_month(m2, ref)
            assert y2 is not None
            add(rng, date(y2 if m1 <= m2 else y2 - 1, m1, 1), month_end(y2, m2), "range")
    alone = _MONTH_ALONE.fullmatch(text)
    if alone and ref is not None and not found:
        # "Apr" … "Sep" over a monthly table's columns: months of the year the paper reports on
        mo = _mon(alone.group("mon"))
        y = resolve_month(mo, ref)
        assert y is not None
        found.append(
            Period(alone.start("mon"), alone.end("mon"), alone.group("mon"), date(y, mo, 1), month_end(y, mo), "month")
        )
    for p in find_periods(text, ref):
        if p.relative or p.kind in ("since", "paper_date"):
            continue
        if any(p.start_char < q.end_char and q.start_char < p.end_char for q in found):
            continue
        found.append(p)
    if not found:
        return None
    return min(found, key=lambda p: ((p.end - p.start).days, p.start_char))


# --------------------------------------------------------------------------------------------------------------
# PDF: cells from pdfplumber's table finder (ruled) and from text alignment (unruled)
# --------------------------------------------------------------------------------------------------------------


class _CharIndex:
    """Page-text offsets of the characters whose box centre falls in a rectangle."""

    def __init__(self, text: str, boxes: list[BBox | None]) -> None:
        self.text = text
        self.idx = numpy.array([i for i, b in enumerate(boxes) if b is not None], dtype=numpy.int64)
        self.cx = numpy.array([(b[0] + b[2]) / 2 for b in boxes if b is not None])
        self.cy = numpy.array([(b[1] + b[3]) / 2 for b in boxes if b is not None])
        self.boxes = boxes

    def inside(self, bbox: BBox) -> list[int]:
        x0, top, x1, bottom = bbox
        mask = (self.cx >= x0) & (self.cx <= x1) & (self.cy >= top) & (self.cy <= bottom)
        return sorted(int(i) for i in self.idx[mask])

    def spans(self, indices: list[int]) -> tuple[tuple[int, int], ...]:
        """Runs of offsets that read as one line of text (only spaces between them)."""
        out: list[tuple[int, int]] = []
        for i in indices:
            if out and not self.text[out[-1][1] : i].strip() and "\n" not in self.text[out[-1][1] : i]:
                out[-1] = (out[-1][0], i + 1)
            else:
                out.append((i, i + 1))
        return tuple(s for s in out if self.text[s[0] : s[1]].strip())

    def box(self, span: tuple[int, int]) -> BBox | None:
        boxes = [b for b in self.boxes[span[0] : span[1]] if b is not None]
        if not boxes:
            return None
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _numeric_lines(text: str) -> int:
    n = 0
    for line in text.split("\n"):
        toks = line.split()
        if sum(bool(parse_value(t)) for t in toks) >= 2:
            n += 1
    return n


def _draws(page) -> bool:
    """Whether the page's (already parsed) layout holds any line, rectangle or curve, also inside figures."""
    from pdfminer.layout import LTCurve, LTFigure

    todo = list(page.layout)
    while todo:
        obj = todo.pop()
        if isinstance(obj, LTCurve):  # LTLine and LTRect are curves too
            return True
        if isinstance(obj, LTFigure):
            todo.extend(obj)
    return False


def find_pdf_tables(page, text: str, boxes: list[BBox | None]) -> list[Table]:
    """The tables of a pdfplumber page: ruled ones by its table finder, unruled ones by text alignment."""
    if _numeric_lines(text) < 2:
        return []
    chars = _CharIndex(text, boxes)
    tables: list[Table] = []
    try:
        # the finder parses every object of the page again; a page that draws no lines has no ruled table
        found = page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"}) if _draws(page) else []
    except Exception:  # a damaged drawing: read the page as text only
        found = []
    foot = 0.9 * float(page.height) if getattr(page, "height", None) else None
    for t in found:
        table = _ruled_table(t, chars)
        if table is None and foot is not None:
            table = _foot_header(t, chars, foot)
        if table is not None:
            tables.append(table)
    lines = _phrase_lines(text, chars)
    taken = [t.bbox for t in tables if t.bbox]
    tables.extend(_aligned_tables(text, _outside(lines, taken)))
    taken = [t.bbox for t in tables if t.bbox]
    tables.extend(_block_tables(text, _outside(lines, taken)))
    return tables


_Lines = list[tuple[int, int, list["_Phrase"]]]


def _phrase_lines(text: str, chars: _CharIndex) -> _Lines:
    """Each line of the page text as (start, end, phrases); a blank line has no phrases."""
    lines: _Lines = []
    pos = 0
    for raw in text.split("\n"):
        a, b = pos, pos + len(raw)
        pos = b + 1
        lines.append((a, b, _line_phrases(text, chars, a, b) if raw.strip() else []))
    return lines


def _outside(lines: _Lines, taken: list[BBox]) -> _Lines:
    """The lines with no phrases where a line lies in a table already found."""
    return [(a, b, [] if any(_inside(p, box) for p in ph for box in taken) else ph) for a, b, ph in lines]


def _ruled_table(t, chars: _CharIndex) -> Table | None:
    """A table of pdfplumber's finder as cells; a cell followed by empty slots (None) spans them."""
    rows = t.rows
    n_cols = max(len(r.cells) for r in rows) if rows else 0
    if len(rows) < 2 or n_cols < 2:
        return None
    # where each column lies: from the cells that are followed by a cell of their own (not by an empty slot)
    centres: dict[int, float] = {}
    for r in rows:
        cells = list(r.cells)
        for c, bbox in enumerate(cells):
            if bbox is not None and (c + 1 == len(cells) or cells[c + 1] is not None):
                centres.setdefault(c, (bbox[0] + bbox[2]) / 2)
    out_rows: list[list[TableCell]] = []
    for r in rows:
        cells = list(r.cells)
        row: list[TableCell] = []
        for c, bbox in enumerate(cells):
            if bbox is None:
                continue
            span = 1  # an empty slot is part of this cell only if it lies under it (else a cell merged from above)
            while (
                c + span < len(cells)
                and cells[c + span] is None
                and bbox[0] <= centres.get(c + span, bbox[2] + 1) <= bbox[2]
            ):
                span += 1
            row.append(TableCell(0, c, chars.spans(chars.inside(bbox)), False, span, _round(bbox)))
        out_rows.append(row)
    out_rows = _split_stacked_rows(out_rows, chars)
    return _assemble("ruled", out_rows, n_cols, _round(t.bbox), chars.text)


def _foot_header(t, chars: _CharIndex, foot: float) -> Table | None:
    """The heading rows of a ruled table that the page break cut from its body: short words in three or more
    cells, no figure, and nothing but a page footer below them. Its body, on the next page, is read under it."""
    rows = t.rows
    if not rows or t.bbox is None:
        return None
    cells: list[TableCell] = []
    for r, row in enumerate(rows):
        for c, bbox in enumerate(row.cells):
            if bbox is None:
                continue
            spans = chars.spans(chars.inside(bbox))
            words = " ".join(chars.text[a:b] for a, b in spans)
            if _is_number_cell(words) or len(words.split()) > 6:
                return None
            cells.append(TableCell(r, c, spans, True, 1, _round(bbox)))
    n_cols = max(len(r.cells) for r in rows)
    if n_cols < 3 or sum(1 for c in cells if c.spans) < 3:
        return None
    bottom = t.bbox[3]
    if bool(((chars.cy > bottom) & (chars.cy < foot)).any()):
        return None  # text follows on this page: not a heading cut off by the page break
    return Table("ruled", len(rows), n_cols, tuple(cells), _round(t.bbox))


def _round(b: BBox | None) -> BBox | None:
    return None if b is None else (round(b[0], 2), round(b[1], 2), round(b[2], 2), round(b[3], 2))


def _split_stacked_rows(rows: list[list[TableCell]], chars: _CharIndex) -> list[list[TableCell]]:
    """A ruled row that holds several printed rows (no rule between them: every value cell has the same number
    of numeric lines) becomes one row per line; the label lines go to the value line nearest them."""
    out: list[list[TableCell]] = []
    for row in rows:
        values = [c for c in row if c.col > 0 and c.spans]
        counts = {sum(_is_number_cell(chars.text[a:b]) for a, b in c.spans) for c in values}
        n = counts.pop() if len(counts) == 1 else 1
        if n < 2 or not values or any(len(c.spans) != n for c in values):
            out.append(row)
            continue
        ys = [(_mid(chars.box(values[0].spans[k]))) for k in range(n)]
        parts: list[list[TableCell]] = [[] for _ in range(n)]
        for c in row:
            if c in values:
                for k in range(n):
                    parts[k].append(TableCell(0, c.col, (c.spans[k],), False, c.colspan, c.bbox))
                continue
            per: list[list[tuple[int, int]]] = [[] for _ in range(n)]
            for s in c.spans:
                y = _mid(chars.box(s))
                k = min(range(n), key=lambda k: abs(ys[k] - y))
                per[k].append(s)
            for k in range(n):
                parts[k].append(TableCell(0, c.col, tuple(per[k]), False, c.colspan, c.bbox))
        out.extend(parts)
    return out


def _mid(b: BBox | None) -> float:
    return 0.0 if b is None else (b[1] + b[3]) / 2


def _assemble(
    kind: str, rows: list[list[TableCell]], n_cols: int, bbox: BBox | None, text: str, header_rows: int | None = None
) -> Table | None:
    """Number the rows, mark the header rows (those before the first row with a figure) and find the caption."""
    if header_rows is None:
        header_rows = 0
        for row in rows:
            if any(c.col > 0 and _is_number_cell(_cell_text(text, c)) for c in row):
                break
            header_rows += 1
        # a row with words in one cell only, just above the first figures, heads a group of rows ("Housing and
        # Communities"), not the columns
        while header_rows > 1 and sum(1 for c in rows[header_rows - 1] if _cell_text(text, c)) == 1:
            header_rows -= 1
    if header_rows >= len(rows):
        return None
    cells = []
    for r, row in enumerate(rows):
        for c in row:
            cells.append(TableCell(r, c.col, c.spans, r < header_rows, c.colspan, c.bbox))
    starts = [a for c in cells for a, _ in c.spans]
    caption = None
    if starts:
        first = min(starts)
        line_end = text.rfind("\n", 0, first)
        if line_end > 0:
            line_start = text.rfind("\n", 0, line_end) + 1
            if text[line_start:line_end].strip():
                caption = (line_start, line_end)
    return Table(kind, len(rows), n_cols, tuple(cells), bbox, caption)


# --- unruled: columns from the alignment of the figures ------------------------------------------------------


@dataclass
class _Phrase:
    start: int
    end: int
    x0: float
    x1: float
    top: float
    bottom: float
    numeric: bool
    blank: bool = False
    """an empty-cell mark ("–", "n/a"): it holds a column's place but is no figure"""
    aside: str = ""
    """"code" (a reference code before the row heading, "HT01") or "words" (a word column between the heading
    and the figures, "Quarterly", "Rolling 12"): neither names the row nor is a figure"""


def _line_phrases(text: str, chars: _CharIndex, a: int, b: int) -> list[_Phrase]:
    """The line's words grouped into phrases: a gap wider than about half a letter height starts a new one."""
    phrases: list[_Phrase] = []
    for m in re.finditer(r"\S+", text[a:b]):
        s, e = a + m.start(), a + m.end()
        box = chars.box((s, e))
        if box is None:
            continue
        height = box[3] - box[1]
        if phrases and box[0] - phrases[-1].x1 < max(2.5, 0.55 * height):
            p = phrases[-1]  # an ordinary word space: the same phrase ("at home 91", "4.35 %")
            p.end, p.x1 = e, box[2]
            p.top, p.bottom = min(p.top, box[1]), max(p.bottom, box[3])
            p.numeric = _is_number_cell(text[p.start : p.end])
            continue
        phrases.append(_Phrase(s, e, box[0], box[2], box[1], box[3], _is_number_cell(m.group(0))))
    # a money or percent sign printed apart from its number ("£ 1,234") joins it
    for p in phrases:
        if not p.numeric and _BLANK_CELL.match(text[p.start : p.end]):
            p.numeric = p.blank = True  # "–", "n/a": an empty cell in a column of figures
    # a status printed after the figures ("On track", wrapped "On" / "track"), and a word column between the row
    # heading and the figures ("Quarterly", "Higher"): neither names the row nor is a figure
    # a word from a column of frequencies where a figure would be ("Annual" under "Previous quarter"): no figure
    for k, p in enumerate(phrases):
        if 0 < k < len(phrases) - 1 and not p.numeric and phrases[k - 1].numeric and phrases[k - 1].x1 < p.x0:
            if _WORD_COLUMN.match(text[p.start : p.end]) and not _STATUS_CELL.match(text[p.start : p.end]):
                p.numeric = p.blank = True
    last_num = max((k for k, p in enumerate(phrases) if p.numeric and not p.blank), default=-1)

    def status(k: int, p: _Phrase) -> bool:
        words = text[p.start : p.end]
        if k > last_num >= 0 and _RAG_LETTER.match(words):
            return True  # "R", "A", "G" after the figures: a RAG column
        if k == 0 or not _STATUS_CELL.match(words):
            return False
        # after the figures; on a line without figures only the wrapped end of one ("(%)  target"), lower case
        # unlike a column heading ("Target")
        return k > last_num if last_num >= 0 else bool(_STATUS_END.match(words))

    kept = [p for k, p in enumerate(phrases) if not status(k, p)]
    real = [k for k, p in enumerate(kept) if p.numeric]
    if (
        len(kept) >= 3
        and real
        and real[0] >= 2
        and _WORD_COLUMN.match(text[kept[real[0] - 1].start : kept[real[0] - 1].end])
    ):
        kept[real[0] - 1].aside = "words"
    named = [k for k, p in enumerate(kept) if not p.numeric and not p.aside and (not real or k < real[0])]
    if (
        len(named) >= 2
        and named[0] == 0
        and (_CODE.match(text[kept[0].start : kept[0].end]) or _SERVICE_CODE.match(text[kept[0].start : kept[0].end]))
    ):
        kept[0].aside = "code"  # "HT01", or a service's letters ("CSC", "ASC") in a column before the names
    return kept


# the wrapped second line of a status ("On" / "track"), lower case unlike a column heading ("Target"); not a
# status's first word ("behind" ends "a quarter / behind" in a frequency column)
_STATUS_END = re.compile(r"^(?:track|target|met|achieved|change|only|(?:of|on)\s+target)$")
_RAG_LETTER = re.compile(r"^(?:R|A|G|B|RA|AG|R/A|A/G)$")
_SERVICE_CODE = re.compile(r"^[A-Z]{2,6}$")
_CODE_PART = re.compile(r"^[A-Z0-9]{1,4}[a-z]?$")
_BLANK_CELL = re.compile(r"^(?:[–—-]|n/?a|\.\.|x)$", re.I)
_STATUS_CELL = re.compile(
    r"^(?:on\s+track|off\s+track|on\s+target|off\s+target|near(?:\s+target)?|(?:below|above|behind|ahead\s+of|at)\s+target|below|above|behind|on|off|track|target|red|amber|green|"
    r"blue|met|not\s+met|achieved|not\s+achieved|yes|no|improving|improved|declining|declined|worse|worsening|"
    r"deteriorat(?:ing|ed)|better|same|stable|up|down|"
    r"no\s+change|monitor(?:ing)?(?:\s+only)?|[↑↓→←▲▼►◄⬆⬇]+)$",
    re.I,
)
_WORD_COLUMN = re.compile(
    r"^(?:monthly|quarterly|annual(?:ly)?|termly|weekly|half[- ]yearly|bi-?annual|six[- ]monthly|higher|lower|"
    r"high|low|cumulative|snapshot|rolling(?:\s+(?:12|twelve|3|three|6|six)(?:[- ]months?)?)?|annual\s+survey|"
    r"survey|in\s+arrears|ytd|year\s+to\s+date)[,;]?$",
    re.I,
)


def _aligned_tables(text: str, lines: _Lines) -> list[Table]:
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        if not _is_figure_line(lines[i][2], text):
            i += 1
            continue
        j, last_figure, gaps = i, i, 0
        while j + 1 < len(lines):
            nxt = lines[j + 1][2]
            if _is_figure_line(nxt, text):
                j, last_figure, gaps = j + 1, j + 1, 0
            elif nxt and all(_STATUS_CELL.match(text[p.start : p.end]) for p in nxt):
                j += 1  # the wrapped end of a row's status ("On" / "track")
            elif nxt and gaps < 6 and _in_label_area(_unstatused(nxt, lines[i][2], text), lines[i][2]):
                j, gaps = j + 1, gaps + 1
            elif not nxt and gaps < 1:
                j, gaps = j + 1, gaps + 1
            else:
                break
        first = i  # the first row's heading may start on the lines above it ("Permanent admissions to")
        while first > 0 and i - first < 2 and _in_label_area(lines[first - 1][2], lines[i][2]):
            own = [p for p in lines[first][2] if not p.numeric]
            if own and text[own[0].start : own[0].end][:1].isupper():
                break
            first -= 1
        last = last_figure  # and end on the lines below it ("2024" of "August 2024", "assessment (days)")
        coded = lines[last_figure][2][0].aside == "code"
        while (
            last + 1 < len(lines)
            and last - last_figure < 5
            and _in_label_area(_unstatused(lines[last + 1][2], lines[i][2], text), lines[i][2])
        ):
            words = lines[last + 1][2]
            # a line at the row headings' place right of a code column goes on with the heading ("Public EV" /
            # "charge points"); else only a line in lower case does
            if coded and words[0].x0 > lines[last_figure][2][0].x0 + 8:
                pass
            elif text[words[0].start : words[0].end][:1].isupper() or last - last_figure >= 2:
                break
            last += 1
        block = lines[first : last + 1]
        table = _aligned_table(block, lines[max(0, first - 6) : first], text)
        if table is not None:
            tables.append(table)
        i = last + 1
    return tables


# a column heading of a measure block ("Baseline (2023/24)", "Target 2025/26", "Latest", "Date of latest data")
_BLOCK_HEADING = re.compile(
    r"\b(?:baseline|target|latest|actual|current|previous|outturn|result|performance|value|date|period|direction|"
    r"trend|travel|status|rag|benchmark|england|national|regional|comparator|average|polarity|good\s+is|"
    r"last\s+(?:quarter|year|month)|this\s+(?:quarter|year|month)|q[1-4])\b",
    re.I,
)


def _block_tables(text: str, lines: _Lines) -> list[Table]:
    """Measure blocks: a measure's name on its own line(s), a line of column headings ("Baseline (2023/24)  Target
    2025/26  Latest  Date of latest data  Direction") and one line of figures under them, as one-row tables
    (kind ``block``) whose row heading is the name above."""
    out: list[Table] = []
    for i in range(1, len(lines) - 1):
        head, values = lines[i][2], lines[i + 1][2]
        if len(head) < 3 or any(p.numeric and not _YEAR_ONLY.match(text[p.start : p.end]) for p in head):
            continue
        if sum(bool(_BLOCK_HEADING.search(text[p.start : p.end])) for p in head) < max(2, len(head) - 1):
            continue
        figures = [p for p in values if p.numeric and not p.blank]
        if len(figures) < 2 or any(not p.numeric for p in values[: values.index(figures[0])]):
            continue  # the figures start the line under the headings
        name = _block_name(lines, i, text)
        if name is None:
            continue
        cols = [(p.x0, p.x1) for p in head]
        cells = [TableCell(0, k + 1, ((p.start, p.end),), True, 1, _phrase_box(p)) for k, p in enumerate(head)]
        cells.append(TableCell(0, 0, (), True))
        row = [TableCell(1, 0, tuple(name), False)]
        for p in values:
            k = max(range(len(cols)), key=lambda k: min(cols[k][1], p.x1) - max(cols[k][0], p.x0))
            if min(cols[k][1], p.x1) - max(cols[k][0], p.x0) <= 0:
                continue  # under no heading
            row.append(TableCell(1, k + 1, ((p.start, p.end),), False, 1, _phrase_box(p)))
        boxes = [c.bbox for c in cells + row if c.bbox]
        bbox = _round(
            (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        )
        out.append(Table("block", 2, len(cols) + 1, tuple(cells + row), bbox))
    return out


_DATE_OF_DATA = re.compile(
    r"^\s*(?:date\s+of\s+(?:latest\s+)?data|data\s+(?:date|period)|as\s+at|(?:latest\s+|time\s+|reporting\s+)?period|"
    r"latest\s+data|date)\s*$",
    re.I,
)


def _row_date(
    table: Table, text: str, cols: list[_Column], row_cells: list[TableCell], ref: date | None
) -> Period | None:
    """A row's own period, in a column headed "Date of latest data", "Period" or "Latest period" ("Summer 2025",
    "Apr–Jun 2025", "2022/23", "Aug 2025"): the period of the row's undated figures ("Latest", "Value", "Local")."""
    for c in row_cells:
        if c.col < len(cols) and _DATE_OF_DATA.match(cols[c.col].heading):
            found = [p for p in find_periods(_cell_text(text, c), ref) if not p.relative and p.kind != "paper_date"]
            if found:
                return found[0]
    return None


def _block_name(lines: _Lines, i: int, text: str) -> list[tuple[int, int]] | None:
    """The name above a block's headings: the line just above, and the lines above it while each line read so
    far goes on from the one before it (starts in lower case or with a bracket: "(academic year)")."""
    spans: list[tuple[int, int]] = []
    k = i - 1
    while k >= 0 and len(spans) < 3:
        a, b, phrases = lines[k]
        words = text[a:b].strip()
        if (
            not phrases
            or _is_figure_line(phrases, text)
            or any(p.numeric and not _YEAR_ONLY.match(text[p.start : p.end]) for p in phrases if p is phrases[-1])
        ):
            break
        start = a + len(text[a:b]) - len(text[a:b].lstrip())
        spans.insert(0, (start, start + len(words)))
        if not re.match(r"[a-z(]", words):
            break
        k -= 1
    if not spans or text[spans[0][0] : spans[0][1]].rstrip().endswith((".", ":")):
        return None
    return spans


def _phrase_box(p: _Phrase) -> BBox | None:
    return _round((p.x0, p.top, p.x1, p.bottom))


def _inside(p: _Phrase, box: BBox) -> bool:
    cx, cy = (p.x0 + p.x1) / 2, (p.top + p.bottom) / 2
    return box[0] - 1 <= cx <= box[2] + 1 and box[1] - 1 <= cy <= box[3] + 1


def _is_figure_line(phrases: list[_Phrase], text: str | None = None) -> bool:
    """Two or more figures standing apart, to the right of any words: a table row read as text (not a line of
    years under column headings: "2024 2024 2024 2023/24 2024/25")."""
    phrases = [p for p in phrases if not p.aside]
    nums = [p for p in phrases if p.numeric]
    if len(nums) < 2 or all(p.blank for p in nums):
        return False
    if text is not None and all(p.blank or _YEAR_ONLY.match(text[p.start : p.end]) for p in nums):
        return False
    first_num = phrases.index(nums[0])
    return all(p.numeric for p in phrases[first_num:]) and first_num <= 1


def _unstatused(phrases: list[_Phrase], ref: list[_Phrase], text: str) -> list[_Phrase]:
    """A line's phrases without the status words right of the first figure of table row ``ref`` (a trend
    "Worse" printed on the second line of its row)."""
    first_num = next((q for q in ref if q.numeric), None)
    if first_num is None:
        return phrases
    return [p for p in phrases if not (p.x0 > first_num.x0 and _STATUS_CELL.match(text[p.start : p.end]))]


def _in_label_area(phrases: list[_Phrase], ref: list[_Phrase]) -> bool:
    """Words only left of the first figure of a table row ``ref``: a line of a row heading."""
    first_num = next((q for q in ref if q.numeric), None)
    return bool(phrases) and first_num is not None and all(p.x1 < first_num.x0 + 1 for p in phrases)


def _aligned_table(block, above, text: str) -> Table | None:
    figure_lines = [ph for _, _, ph in block if _is_figure_line(ph, text)]
    if len(figure_lines) < 3:
        return None
    # columns: the figures' horizontal extents, merged where they overlap from line to line
    # (an empty-cell mark outside every column of figures, "n/a" in a "Good is" column, makes no column)
    spans = sorted((p.x0, p.x1) for ph in figure_lines for p in ph if p.numeric and not p.blank)
    cols: list[list[float]] = []
    for x0, x1 in spans:
        if cols and x0 <= cols[-1][1] + 0.5:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    if len(cols) < 2:
        return None
    label_right = cols[0][0]
    centres = [(x0 + x1) / 2 for x0, x1 in cols]
    pitch = sorted(b - a for a, b in zip(centres, centres[1:], strict=False))[(len(centres) - 1) // 2]
    label_edge = max((p.x1 for ph in figure_lines for p in ph if not p.numeric and not p.aside), default=label_right)

    # a word column between the row headings and the figures ("Frequency": "Quarterly", "Rolling 12 months, a
    # quarter behind") is a column of its own, left of the figures'
    words_x = min((p.x0 for ph in figure_lines for p in ph if p.aside == "words"), default=None)
    shift = 0 if words_x is None else 1

    def in_words(p: _Phrase) -> bool:
        return words_x is not None and p.x0 >= words_x - 3 and p.x1 <= label_right + 1

    def col_of(p: _Phrase) -> int | None:
        best, overlap = None, 0.0
        for k, (x0, x1) in enumerate(cols):
            o = min(x1, p.x1) - max(x0, p.x0)
            if o > overlap:
                best, overlap = k + 1 + shift, o
        return best

    # header lines: right above the first row, no figures, words over the columns, no wider than two columns
    headers: list[list[_Phrase]] = []
    for _a, _b, ph in reversed(above):
        if ph and all(p.x1 <= label_right for p in ph):
            if not headers:
                continue  # a section heading ("REVENUE") between the column headings and the first row
            headers.insert(0, ph)  # the heading of the row headings ("Reserve"), set between heading lines
            continue
        if not ph or any(p.numeric and not _YEAR_ONLY.match(text[p.start : p.end]) for p in ph):
            break
        over = [p for p in ph if p.x1 > label_right]
        if not over or any(
            _width_in_cols(p, cols) > 2
            or p.x1 - p.x0 > 1.6 * pitch
            or (p.x0 < label_edge - 5 and p.x1 > label_right + 5)
            for p in over
        ):
            break  # words across the columns: a title or running text, not a column heading
        headers.insert(0, ph)
    while headers and all(p.x1 <= label_right for p in headers[0]):
        headers.pop(0)  # words above the column headings in the row headings' place: a title, running text
    rows: list[list[TableCell]] = []
    for ph in headers:
        row: list[TableCell] = []
        periodish = all(header_period(text[p.start : p.end], None) for p in ph if p.x1 > label_right)
        placed = [(p, col_of(p)) for p in ph]
        for n, (p, k) in enumerate(placed):
            if p.x1 <= label_right:
                row.append(TableCell(0, 1 if in_words(p) else 0, ((p.start, p.end),), True, bbox=_phrase_box(p)))
                continue
            if k is None:  # a heading over no figures (an empty column) unless it runs on over the next ones
                if not periodish:
                    continue
                k = min(range(len(cols)), key=lambda c: abs((cols[c][0] + cols[c][1]) / 2 - (p.x0 + p.x1) / 2))
                k += 1 + shift
            span = 1
            if periodish:  # "2017-18" over "Budget | Spent": the heading runs on to the next one
                nxt = next((q for q, kk in placed[n + 1 :] if q.x1 > label_right), None)
                nk = col_of(nxt) if nxt is not None else len(cols) + 1 + shift
                span = max(1, (nk or len(cols) + 1 + shift) - k)
            row.append(TableCell(0, k, ((p.start, p.end),), True, span, _phrase_box(p)))
        rows.append(row)
    rows = _stop_runs_at_roles(rows, text)
    pending: list[tuple[int, int]] = []
    indented: set[tuple[int, int]] = set()  # lines right of a reference-code column: a row heading's words
    code_x = min((p.x0 for ph in figure_lines for p in ph if p.aside == "code"), default=None)
    code_right = max((p.x1 for ph in figure_lines for p in ph if p.aside == "code"), default=None)

    def in_codes(p: _Phrase) -> bool:
        """The wrapped end of a row's code ("CSC" / "01") under the code column."""
        return (
            code_x is not None
            and abs(p.x0 - code_x) < 3
            and p.x1 <= code_right + 8
            and bool(_CODE_PART.match(text[p.start : p.end]))
        )

    body: list[list[TableCell]] = []
    words: dict[int, list[tuple[int, int]]] = {}  # body row -> the spans of its word-column cell

    def continues(span: tuple[int, int]) -> bool:
        lead = text[span[0] : span[1]].lstrip()[:1]
        if span in indented:
            return True  # "LED (%)" under "Streetlights converted to", not "Transport" under the codes
        return not (lead.isupper() or lead.isdigit() or lead in "%£")  # "% potholes …" starts a row of its own

    def flush(next_label: tuple[tuple[int, int], ...] | None) -> tuple[tuple[int, int], ...]:
        """Lines of words between figure rows: the end of the row above ("assessment (days)"), the start of
        the next row's heading, or a section heading of their own ("REVENUE"); returns the next row's lead."""
        lead: list[tuple[int, int]] = []
        for span in pending:
            if body and not lead and (continues(span) or _closes_bracket(body[-1][0], span)):
                prev = body[-1][0]
                body[-1][0] = TableCell(0, 0, prev.spans + (span,))
            elif next_label is None or not next_label or continues(next_label[0]) or lead:
                lead.append(span)
            else:
                body.append([TableCell(0, 0, (span,))])  # a section heading: a row without figures
        pending.clear()
        if next_label is None and lead:
            for span in lead:
                body.append([TableCell(0, 0, (span,))])
            return ()
        return tuple(lead)

    def _closes_bracket(cell: TableCell, span: tuple[int, int]) -> bool:
        """ "DVDs)" under "Items issued (books, audiobooks,": the end of the row above's open bracket."""
        above = " ".join(text[a:b] for a, b in cell.spans)
        line = text[span[0] : span[1]]
        return above.count("(") > above.count(")") and ")" in line and line.count("(") < line.count(")")

    for _a, _b, ph in block:
        if not ph or all(_STATUS_CELL.match(text[p.start : p.end]) and not in_words(p) for p in ph):
            continue
        if not _is_figure_line(ph, text):
            rest = [p for p in ph if not in_words(p) and p.aside != "code" and not in_codes(p)]
            rest = [p for p in rest if not (p.x0 >= label_right and _STATUS_CELL.match(text[p.start : p.end]))]
            if body and any(in_words(p) for p in ph):  # the wrapped end of the row's word cell ("months, a")
                words.setdefault(len(body) - 1, []).extend((p.start, p.end) for p in ph if in_words(p))
            if rest:
                pending.append((rest[0].start, rest[-1].end))
                if code_x is not None and rest[0].x0 > code_x + 8:
                    indented.add(pending[-1])
            continue
        own = tuple((p.start, p.end) for p in ph if not p.numeric and not p.aside)
        label = flush(own) + own
        row = [TableCell(0, 0, label)]
        if any(p.aside == "words" for p in ph):
            words[len(body)] = [(p.start, p.end) for p in ph if p.aside == "words"]
        for p in ph:
            if p.numeric:
                k = col_of(p)
                if k is not None:  # the cell's box: its characters' box in the column slot
                    row.append(TableCell(0, k, ((p.start, p.end),), bbox=_phrase_box(p)))
        body.append(row)
    flush(None)
    for r, spans in words.items():
        body[r].insert(1, TableCell(0, 1, tuple(spans)))
    all_rows = rows + body
    x0 = min(p.x0 for ph in figure_lines for p in ph)
    top = min(p.top for ph in figure_lines for p in ph)
    x1 = max(p.x1 for ph in figure_lines for p in ph)
    bottom = max(p.bottom for ph in figure_lines for p in ph)
    return _assemble("aligned", all_rows, len(cols) + 1 + shift, _round((x0, top, x1, bottom)), text, len(rows))


def _stop_runs_at_roles(rows: list[list[TableCell]], text: str) -> list[list[TableCell]]:
    """A period heading that runs on over the next columns stops at one headed as a target, comparator, change
    ("2024" over "Mar" does not date the "National" column beside it)."""
    own: dict[int, str] = {}
    for row in rows:
        for c in row:
            if c.colspan == 1:
                own[c.col] = f"{own.get(c.col, '')} {_cell_text(text, c)}"
    out = []
    for row in rows:
        new_row = []
        for c in row:
            span = c.colspan
            for k in range(c.col + 1, c.col + c.colspan):
                if header_role(own.get(k, ""))[0] not in ("actual", header_role(own.get(c.col, ""))[0]):
                    span = k - c.col
                    break
            new_row.append(TableCell(c.row, c.col, c.spans, c.header, span, c.bbox))
        out.append(new_row)
    return out


def _width_in_cols(p: _Phrase, cols: list[list[float]]) -> int:
    return sum(1 for x0, x1 in cols if min(x1, p.x1) - max(x0, p.x0) > 0)


# --------------------------------------------------------------------------------------------------------------
# HTML <table>
# --------------------------------------------------------------------------------------------------------------


class _TableParser(HTMLParser):
    """Rows of cells (text, colspan, rowspan, is <th>) of every outermost <table>, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[tuple[str, int, int, bool]]]] = []
        self._depth = 0
        self._cell: list[str] | None = None
        self._cell_attrs: tuple[int, int, bool] = (1, 1, False)
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "noscript", "template", "head"):
            self._skip += 1
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
        elif self._depth == 1 and tag == "tr":
            self.tables[-1].append([])
        elif self._depth == 1 and tag in ("td", "th"):
            a = dict(attrs)
            self._cell = []
            self._cell_attrs = (_int(a.get("colspan")), _int(a.get("rowspan")), tag == "th")
        elif self._cell is not None and tag == "br":
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript", "template", "head"):
            self._skip = max(0, self._skip - 1)
        if tag == "table":
            self._close_cell()
            self._depth = max(0, self._depth - 1)
        elif self._depth == 1 and tag in ("td", "th", "tr"):
            self._close_cell()

    def _close_cell(self) -> None:
        if self._cell is not None and self.tables and self._depth == 1:
            if not self.tables[-1]:
                self.tables[-1].append([])
            self.tables[-1][-1].append(("".join(self._cell), *self._cell_attrs))
        self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._skip:
            self._cell.append(data)


def _int(v: str | None) -> int:
    try:
        return max(1, min(int(v or 1), 50))
    except ValueError:
        return 1


def html_tables(html: str, page_text: str) -> list[Table]:
    """The <table>s of an HTML paper with each cell located in the page text that html_to_text made of it."""
    parser = _TableParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # malformed markup: no tables rather than a failed paper
        return []
    out: list[Table] = []
    cursor = 0
    for raw_rows in parser.tables:
        grid: list[list[TableCell]] = []
        carry: dict[int, int] = {}  # column → rows still covered by a rowspan from above
        for raw in raw_rows:
            row: list[TableCell] = []
            col = 0
            for cell_text, colspan, rowspan, _is_th in raw:
                while carry.get(col, 0) > 0:
                    carry[col] -= 1
                    col += 1
                spans, cursor = _locate(cell_text, page_text, cursor)
                row.append(TableCell(0, col, spans, False, colspan))
                if rowspan > 1:
                    for k in range(col, col + colspan):
                        carry[k] = rowspan - 1
                col += colspan
            for k in list(carry):
                if k >= col and carry[k] > 0:
                    carry[k] -= 1
            grid.append(row)
        n_cols = max((c.col + c.colspan for r in grid for c in r), default=0)
        if len(grid) >= 2 and n_cols >= 2:
            table = _assemble("html", grid, n_cols, None, page_text)
            if table is not None:
                out.append(table)
    return out


def _locate(cell_text: str, page_text: str, cursor: int) -> tuple[tuple[tuple[int, int], ...], int]:
    """Find a cell's words, in order, in the page text from ``cursor``; one span per line of the cell."""
    words = cell_text.split()
    if not words:
        return (), cursor
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    m = pattern.search(page_text, cursor)
    if m is None:
        return (), cursor
    spans = []
    pos = m.start()
    for part in page_text[m.start() : m.end()].split("\n"):
        lead = len(part) - len(part.lstrip())
        if part.strip():
            spans.append((pos + lead, pos + lead + len(part.strip())))
        pos += len(part) + 1
    return tuple(spans), m.end()


# --------------------------------------------------------------------------------------------------------------
# Reading a table: columns get a period, role and unit from their headings, rows a label
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _Column:
    index: int
    heading: str
    period: Period | None
    role: str
    role_word: str
    unit: tuple[str, float] | None
    skip: bool
    measure: str
    unit_column: bool = False


def _cell_text(text: str, cell: TableCell) -> str:
    out = ""
    for a, b in cell.spans:
        part = text[a:b].strip()
        if out.endswith("-") and part[:1].islower():
            out += part
        else:
            out = f"{out} {part}" if out else part
    return " ".join(out.split())


def _columns(table: Table, text: str, ref: date | None) -> list[_Column]:
    headings: dict[int, list[str]] = {k: [] for k in range(table.n_cols)}
    for cell in table.cells:
        if cell.header:
            t = _cell_text(text, cell)
            for k in range(cell.col, min(table.n_cols, cell.col + cell.colspan)):
                if t:
                    headings[k].append(t)
    body = [c for c in table.cells if not c.header]
    cols = []
    voc = vocabulary()
    for k in range(table.n_cols):
        heading = " ".join(headings[k])
        period = header_period(heading, ref)
        role, word = header_role(heading)
        unit = header_unit(heading)
        skip = bool(voc.skip.match(heading)) or (bool(heading) and any(voc.skip.match(h) for h in headings[k][-1:]))
        measure = heading
        for cut in sorted([(period.start_char, period.end_char)] if period else [], reverse=True):
            measure = measure[: cut[0]] + " " + measure[cut[1] :]
        measure = _measure(measure)
        unit_col = bool(re.fullmatch(r"\s*units?\s*(?:of measure)?\s*", heading, re.I))
        if not unit_col and k > 0:
            values = [_cell_text(text, c) for c in body if c.col == k]
            values = [v for v in values if v]
            if values and all(header_unit(v) and len(v) <= 14 and not _is_number_cell(v) for v in values):
                unit_col = True
        money = unit is None and voc.money.search(heading)
        cols.append(
            _Column(
                k,
                heading,
                period,
                role,
                word,
                (unit[0], unit[1]) if unit else (("gbp", 1.0) if money else None),
                skip,
                measure,
                unit_col,
            )
        )
    return _drop_lone_measures(cols)


def _drop_lone_measures(cols: list[_Column]) -> list[_Column]:
    """A period column's leftover heading words that no other period column has, where at least two others have
    none, are words of something printed above the table ("Aug-25" under a tile's "(312 responses)"), not a
    measure: the row's series is the same in every month column."""
    dated = [c for c in cols if c.period is not None and not c.skip]
    for c in dated:
        others = [o for o in dated if o is not c]
        if (
            c.measure
            and len(others) >= 2
            and all(not o.measure and _months(o.period) == _months(c.period) for o in others)
            and not _unitish(c.measure)
        ):
            c.measure = ""
    return cols


def _months(p: Period | None) -> int:
    """How many months a column's period spans (a rolling year beside quarters is another measure's column)."""
    return 0 if p is None else (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1


def _unitish(words: str) -> bool:
    """Leftover heading words that say what is counted ("Rate", "Number", "%"): a measure, not stray text."""
    return bool(
        re.search(r"\b(?:rate|number|no\.|count|percentage|proportion|share|average|total|per)\b|%", words, re.I)
    )


def _measure(heading: str) -> str:
    """What a heading says is measured, once its period, unit, role and filler words are gone."""
    voc = vocabulary()
    out = heading
    for _unit_name, _scale, pattern in voc.units:
        out = pattern.sub(" ", out)
    for _role, pattern in voc.roles:
        out = pattern.sub(" ", out)
    out = voc.drop.sub(" ", out)
    # what is left of a period: "Half- 1 2025/26 (to Sep)" once "Half- 1" is read as the period
    out = re.sub(
        rf"(?<!\w)(?:(?:19|20)\d\d(?:\s?[/-]\s?\d{{2,4}})?|\d\d\s?/\s?\d\d|(?:(?:to|from|until)\s+)?(?:{MONTH_RE})|"
        r"H[12]|Half(?:[- ]?year)?[- ]?\s?[12])(?!\w)|\(\s*to\b",
        " ",
        out,
        flags=re.I,
    )
    out = re.sub(
        r"(?<!\w)(?:(?:this|current|latest|last|previous|prior)\s+(?:period|month|quarter|year|half(?:[- ]year)?)|"
        r"(?:period|month|week|quarter)\s+\d{1,2}|P\d{1,2}|M\d{1,2}|Q[1-4]|quarter|month|year|half|period|to date|"
        r"monthly|quarterly|annual|annually|[-–/:()|,])(?!\w)",
        " ",
        out,
        flags=re.I,
    )
    out = " ".join(out.split())
    return out if len(re.sub(r"[^A-Za-z]", "", out)) >= 3 else ""


_LABEL_HEADINGS = re.compile(
    r"^(?:indicators?|measures?|kpis?|key performance indicators?|performance indicators?|metrics?|items?|"
    r"description|service(?: area)?|areas?|outcomes?|priority|category|name)$",
    re.I,
)


def _label(text: str, row_cells: list[TableCell], label_col: int) -> tuple[str | None, str]:
    """The row heading as the figure's label (a unit hint such as "(days)" dropped), and as printed."""
    cells = [c for c in row_cells if c.col == label_col]
    raw = " ".join(_cell_text(text, c) for c in cells).strip()
    label = re.sub(r"\s*\((?:%|days?|weeks?|number|no\.?|£m|£k|£000|£|per 10,000|rate)\)\s*$", "", raw, flags=re.I)
    return (label or None), raw


@dataclass(frozen=True)
class TableFigure:
    """A figure read from a table cell, with the row it belongs to (the row's text is its sentence) and the
    cell's box on a PDF page (None for HTML)."""

    figure: Figure
    row_start: int
    row_end: int
    cell_bbox: BBox | None = None


_PREVIOUS = re.compile(
    r"^\s*(?:previous|last|prior)(?:\s+(?:quarter|month|year|period|result|value|actual))?\s*$", re.I
)
_YEAR_EARLIER = re.compile(
    r"^\s*(?:the\s+)?(?:same|corresponding)\s+(?:month|quarter|period|point|time|date)(?:\s+(?:of|in))?\s+"
    r"(?:last|previous|prior|a)\s+year\s*$",
    re.I,
)
# a column of the whole year's result: the financial year of the period the paper reports on
_YEAR_END = re.compile(
    r"^\s*(?:year[\s-]*end|outturn|full[\s-]*year)(?:\s+(?:outturn|position|actual|result))?\s*$", re.I
)


def _year_earlier(p: Period) -> Period:
    if p.start == p.end:  # "31 Mar 2026": 31 March 2025
        last = p.end == month_end(p.end.year, p.end.month)
        d = month_end(p.end.year - 1, p.end.month) if last else (_safe(p.end.year - 1, p.end.month, p.end.day) or p.end)
        return Period(-1, -1, "same point last year", d, d, p.kind)
    start = _safe(p.start.year - 1, p.start.month, 1) or p.start
    return Period(-1, -1, "same period last year", start, month_end(p.end.year - 1, p.end.month), p.kind)


_STATUS_HEADING = re.compile(r"\b(?:rag|status|rating)\b", re.I)


def _rag_of(text: str) -> str | None:
    """The RAG rating a status cell prints ("Amber", "G", "▲ On track"), with the scorecard reader's vocabulary."""
    m = load_terms().rag_re.search(text)
    if m:
        return m.group("rag")
    letter = re.fullmatch(rf"[{_ARROWS}\s]*(?P<rag>{'|'.join(_rag_letters())})[{_ARROWS}\s]*", text)
    return letter.group("rag") if letter else None  # a status column of letters: "R", "A", "G"


@lru_cache(maxsize=1)
def _rag_letters() -> tuple[str, ...]:
    from extractors.scorecards import TERMS_PATH

    data = tomllib.loads(TERMS_PATH.read_text(encoding="utf-8"))
    return tuple(sorted((re.escape(x) for x in data["rag"]["letters"]), key=len, reverse=True))


def table_figures(
    page: Page,
    table: Table,
    paper_date: date | None,
    report_period: Period | None,
    previous_period: Period | None = None,
    headed_by: tuple[Page, Table] | None = None,
    council: str | None = None,
) -> list[TableFigure]:
    """The figures of one table: every number standing alone in a body cell under a column that holds figures.

    ``report_period`` dates an undated "Actual"/"Latest" column, ``previous_period`` a "Previous" one.
    ``headed_by`` is the table (and its page) whose header rows head this one: a table carried over from the
    page before without its header (see ``continues``). A column headed by the paper's own ``council``'s name
    ("Harrowfield" beside "England") holds its figures: the name is no part of what is measured."""
    text = page.text
    head_page, head = headed_by if headed_by is not None else (page, table)
    # a bare "Q1" or "June" heading is of the year the paper reports on, not of a date the paper mentions
    cols = _columns(head, head_page.text, report_period.end if report_period is not None else paper_date)
    dated = [c.period for c in cols if c.period is not None and c.role == "actual"]
    latest = max(dated, key=lambda p: (p.end, p.start)) if dated else report_period
    ref = report_period.end if report_period is not None else paper_date
    for col in cols:
        if col.period is None and _PREVIOUS.match(col.heading) and previous_period is not None:
            col.period, col.role_word = previous_period, "previous"
        elif col.period is None and _YEAR_EARLIER.match(col.heading) and latest is not None:
            # "Same month last year", "Same point last year" beside "31 Mar 2026": the latest dated column's
            # period (else the reported one) a year earlier; no word of it names the measure
            col.period, col.role_word, col.measure = _year_earlier(latest), "year_earlier", ""
        elif col.period is None and _YEAR_END.match(col.heading) and ref is not None:
            first = ref.year if ref.month >= 4 else ref.year - 1
            col.period = Period(
                0, len(col.heading), col.heading, date(first, 4, 1), date(first + 1, 3, 31), "financial_year"
            )
            col.measure = ""
    caption_period = _caption_period(head_page.text, head, paper_date)
    body_rows: dict[int, list[TableCell]] = {}
    for c in table.cells:
        if not c.header:
            body_rows.setdefault(c.row, []).append(c)
    label_col = _label_column(table, text)
    unit_cols = [c.index for c in cols if c.unit_column]
    freq_cols = _frequency_columns(table, text, cols, label_col)
    headed = frozenset(
        (c.period.start, c.period.end)
        for c in cols
        if c.period is not None and c.role_word not in ("previous", "year_earlier")
    )
    out: list[TableFigure] = []
    for r in sorted(body_rows):
        row_cells = sorted(body_rows[r], key=lambda c: c.col)
        label, raw_label = _label(text, row_cells, label_col)
        lunit = row_unit(raw_label) if raw_label else None
        row_period = _row_period(raw_label, paper_date)
        if row_period is not None:
            lunit = None
        ucell = next((c for c in row_cells if c.col in unit_cols), None)
        uunit = header_unit(_cell_text(text, ucell)) if ucell else None
        values: list[tuple[TableCell, CellValue, int, int]] = []
        for c in row_cells:
            if c.col <= label_col or c.col in unit_cols or c.col >= len(cols) or cols[c.col].skip:
                continue
            numeric = [(a, b) for a, b in c.spans if _is_number_cell(text[a:b])]
            if len(numeric) != 1:
                continue  # an empty cell, words, or several numbers (a value and a note): not one figure
            a, b = numeric[0]
            v = parse_value(text[a:b])
            assert v is not None
            values.append((c, v, a + v.start, a + v.end))
        row_percent = any(v.percent for _, v, _, _ in values)  # a bare change beside percentages: points
        status = [
            _cell_text(text, c) for c in row_cells if c.col < len(cols) and _STATUS_HEADING.search(cols[c.col].heading)
        ]
        rag = next((r for r in (_rag_of(t) for t in status if t) if r), None)
        how = " ".join(_cell_text(text, c) for c in row_cells if c.col in freq_cols)
        row_date = _row_date(table, text, cols, row_cells, report_period.end if report_period else paper_date)
        how = " ".join([how, *NAME_NOTE.findall(raw_label)])  # "Potholes repaired (cumulative)"
        first_out = len(out)
        row_money = next((v.scale for _, v, _, _ in values if v.currency), None)
        row_start = min((a for c in row_cells for a, _ in c.spans), default=0)
        row_end = max((b for c in row_cells for _, b in c.spans), default=0)
        for c, v, start, end in values:
            col = cols[c.col]
            unit, scale, unit_rule = _unit(v, text[start:end], col, uunit, lunit, row_percent, row_money)
            if unit is None:
                continue
            role, role_rule = col.role, f"table.role.{col.role_word.replace(' ', '_')}"
            period, period_rule = _period(col, cols, role, caption_period, report_period, paper_date)
            if row_date is not None and col.period is None and role == "actual":
                period, period_rule = row_date, "table.period.date_of_data"  # "Latest" beside "Summer 2025"
            elif row_date is not None and col.role_word == "previous":
                # "Previous value" beside a row's own latest period: the period before that one, not the paper's
                role, role_rule, period, period_rule = (
                    "baseline",
                    "table.role.previous",
                    None,
                    "table.period.none.previous",
                )
            if period is not None and role != "change" and period_rule != "table.period.date_of_data":
                adjusted = frequency_period(period, how, columns=headed)
                if adjusted is None and TO_DATE.search(col.heading) and report_period is not None:
                    adjusted = frequency_period(period, col.heading, report_period.end)  # "2025/26 YTD"
                if adjusted is not None:
                    period, period_rule = adjusted[0], f"{period_rule}+{adjusted[1]}"
            value = v.value * scale
            name = label
            if row_period is not None and col.period is None and role != "change":
                # months down the rows, measures across: the row heading is the period, the column the measure
                period, period_rule, name = row_period, "table.period.row_heading", col.measure or col.heading or None
            elif col.measure and not _LABEL_HEADINGS.match(col.measure) and not _names_council(col.measure, council):
                name = f"{label} – {col.measure}" if label else col.measure
            confidence = 0.9 if period_rule.startswith(("table.period.heading", "table.period.between")) else 0.75
            if period_rule in ("table.period.paper_date",):
                confidence = 0.6
            if role in ("target", "benchmark", "floor") and period is None:
                confidence = 0.85
            if name is None or not label:
                confidence -= 0.15  # no row heading: the column heading alone does not name the indicator
            fig = Figure(
                sentence_start=row_start,
                sentence_end=row_end,
                start=start,
                end=end,
                value=round(value, 6),
                unit=unit,
                rule=f"table.cell.{table.kind}.{unit_rule}",
                role=role,
                role_rule=role_rule,
                period=period,
                period_rule=period_rule,
                label=name,
                kpi=None,
                confidence=round(confidence, 2),
            )
            out.append(TableFigure(fig, row_start, row_end, c.bbox))
        actuals = [k for k in range(first_out, len(out)) if out[k].figure.role == "actual"]
        if rag is not None and actuals:  # the row's RAG rating goes with its latest actual
            k = max(actuals, key=lambda k: (out[k].figure.period.end if out[k].figure.period else date.min, k))
            out[k] = replace(out[k], figure=replace(out[k].figure, rag=rag))
    return out


_FREQUENCY_HEADING = re.compile(
    r"^(?:reporting\s+)?(?:frequency|period|cycle|measure\s+type|type|timescale|basis|collection)$", re.I
)
_FREQUENCY_WORDS = re.compile(
    r"\b(?:monthly|quarterly|annual(?:ly)?|termly|cumulative|rolling|snapshot|snap|ytd|year\s+to\s+date|arrears?|"
    r"behind|qtr|r12|r3|r6)\b",
    re.I,
)


def _frequency_columns(table: Table, text: str, cols: list[_Column], label_col: int) -> set[int]:
    """Columns saying how each row is counted ("Frequency": "Quarterly", "Rolling 12 months, a quarter
    behind"): a column of words (no figures) headed so, or whose every cell is such words."""
    out = set()
    for col in cols:
        if col.index <= label_col:
            continue
        cells = [_cell_text(text, c) for c in table.cells if not c.header and c.col == col.index]
        cells = [t for t in cells if t]
        if not cells or any(_is_number_cell(t) for t in cells):
            continue
        if _FREQUENCY_HEADING.match(col.heading.strip()) or all(
            len(t) <= 45 and _FREQUENCY_WORDS.search(t) for t in cells
        ):
            out.add(col.index)
    return out


def _column_lefts(table: Table) -> dict[int, float]:
    lefts: dict[int, float] = {}
    for c in table.cells:
        if c.bbox is not None and c.colspan == 1:
            lefts[c.col] = min(lefts.get(c.col, c.bbox[0]), c.bbox[0])
    return lefts


def continues(previous: Table | None, table: Table) -> bool:
    """Is ``table`` the continuation of ``previous`` (the last table of the page before) whose header rows were
    printed only on that page: a ruled table with no header rows of its own, the same number of columns, and every
    column starting where the other's does?"""
    if previous is None or table.kind != previous.kind or table.kind == "html" or previous.n_cols != table.n_cols:
        return False
    if not any(c.header for c in previous.cells):
        return False
    # the words of a row broken by the page break may open the page, above the first figures: not a header
    if any(c.header and c.col > 1 and c.spans for c in table.cells):
        return False
    if table.kind == "aligned":  # figures set right: their right edges line up
        a, b = _column_rights(previous), _column_rights(table)
        return len(a) >= 2 and set(b) <= set(a) and all(abs(a[k] - b[k]) <= 8.0 for k in b)
    # a table cut by a page break is laid out again on the next page: its rules may move a little (1% of its width)
    a, b = _column_lefts(previous), _column_lefts(table)
    slack = max(3.0, 0.01 * (table.bbox[2] - table.bbox[0])) if table.bbox else 3.0
    return len(a) == table.n_cols and a.keys() == b.keys() and all(abs(a[k] - b[k]) <= slack for k in a)


def _column_rights(table: Table) -> dict[int, float]:
    rights: dict[int, float] = {}
    for c in table.cells:
        if c.bbox is not None and c.colspan == 1 and c.col > 0 and not c.header:
            rights[c.col] = max(rights.get(c.col, c.bbox[2]), c.bbox[2])
    return rights


def headless(table: Table, text: str | None = None) -> bool:
    """A table with figures in several columns and no heading over them (unruled, or ruled and continuing no
    table before it): their periods and roles are unknown, so its figures are not read (neither as table cells nor
    as running text)."""
    if table.n_cols <= 2 or any(c.header for c in table.cells):
        return False
    if table.kind == "aligned":
        return True
    if table.kind != "ruled" or text is None:
        return False
    return len({c.col for c in table.cells if c.col > 0 and _is_number_cell(_cell_text(text, c))}) >= 2


_COUNCIL_WORDS = frozenset(
    "council county borough city district metropolitan london royal of the and cc bc mbc dc la local authority "
    "unitary".split()
)


_HEADING_FILLER = frozenset(
    "to at as end year date latest current actual january february march april may june july august september "
    "october november december jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


def _names_council(measure: str, council: str | None) -> bool:
    """Is a column heading the paper's own council ("Harrowfield", "Kent CC", "Local authority")?"""
    words = set(re.findall(r"[a-z]+", measure.lower()))
    if words and words <= {"la", "local", "authority", "council"}:
        return True
    if not council:
        return False
    place = {w for w in re.findall(r"[a-z]+", council.lower()) if w not in _COUNCIL_WORDS}
    # "Marlowshire 2025/26 (to March)": the council's name with its period
    rest = words - _COUNCIL_WORDS - _HEADING_FILLER
    return bool(words & place) and rest <= place


_CODE = re.compile(
    # "ASCOF 1C(1A)" printed over two lines of the cell; "ASC L3", a service's local measure
    r"^(?:(?:ASCOF|PHOF|NI|BVPI|LPI|KPI)\s|[A-Z]{2,6}\s(?=[A-Z]{1,3}\d))?"
    r"(?:[A-Z]{1,6}(?:[ _.]|-\s?)?\d{1,3}(?:[.(]\w{1,3}\)?)?[a-z]?|\d{1,2}(?:\.\d{1,2}){0,2}[a-z]?"
    r"|\d[A-Z](?:\(\d?[A-Z]?\d?\))?)$"  # ASCOF measures: "1B", "1C(2A)", "2B(1)"; "WAS- 05" wrapped after its "-"
)


_NO_CODE = re.compile(r"^(?:[-–—]|n/?a|none|local)$", re.I)


def _label_column(table: Table, text: str) -> int:
    """The column of the row headings: the first, unless it holds only reference codes ("ASC01", "PH 03",
    "2.1") and the second holds the measures' names."""
    first = [_cell_text(text, c) for c in table.cells if not c.header and c.col == 0 and c.colspan == 1]
    second = [_cell_text(text, c) for c in table.cells if not c.header and c.col == 1]
    codes = [t for t in first if t and not _NO_CODE.match(t)]  # "–": a row without a code (a local measure)
    named = [t for t in second if re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{2,}", t)]
    if len(codes) >= 2 and all(_CODE.match(t) for t in codes) and len(named) >= len([t for t in first if t]) - 1:
        return 1
    return 0


def _row_period(label: str, ref: date | None) -> Period | None:
    """A row heading that is nothing but a period ("April 2024", "Q2 2024/25", "2023/24")."""
    if not label:
        return None
    p = header_period(label, ref)
    if p is None or len(re.sub(r"[^A-Za-z]", "", label[: p.start_char] + label[p.end_char :])) > 2:
        return None
    return p


def _unit(
    v: CellValue,
    printed: str,
    col: _Column,
    unit_cell: tuple[str, float, tuple[int, int]] | None,
    row_unit_: tuple[str, float] | None,
    row_percent: bool,
    row_money: float | None,
) -> tuple[str | None, float, str]:
    """The unit of a cell's figure: printed in the cell, else a unit column, the column heading, the row heading,
    the other figures of the row; a bare whole number is a count; a bare decimal with no unit is not read."""
    if v.percent:
        return "percent", 1.0, "cell"
    if v.currency:
        scale = v.scale if v.scale != 1.0 else (col.unit[1] if col.unit and col.unit[0] == "gbp" else 1.0)
        return "gbp", scale, "cell"
    if unit_cell is not None:
        return unit_cell[0], unit_cell[1], "unit_column"
    if col.unit is not None:
        return col.unit[0], col.unit[1], "heading"
    if row_unit_ is not None:
        return row_unit_[0], row_unit_[1], "row"
    if row_percent and col.role == "change":
        return "percent", 1.0, "row_cells"
    if row_money is not None and col.role == "change":
        return "gbp", row_money, "row_cells"
    if "." not in printed:
        return "count", 1.0, "count"
    return None, 1.0, "none"


_CAPTION = re.compile(r"^(?:Table|Figure|Chart)\s*[\dA-Z]*\b|\b(?:as at|as of|position at|snapshot|at)\s+\S", re.I)


def _caption_period(text: str, table: Table, ref: date | None) -> Period | None:
    if table.caption is None:
        return None
    line = text[table.caption[0] : table.caption[1]].strip()
    if not _CAPTION.search(line) or len(line) > 120:
        return None  # a meeting line ("Cabinet – 13 March 2025") above a table does not date its figures
    found = [p for p in find_periods(line, ref) if not p.relative and p.kind not in ("since", "paper_date")]
    return found[0] if len(found) == 1 else None


def _period(
    col: _Column,
    cols: list[_Column],
    role: str,
    caption: Period | None,
    report: Period | None,
    paper_date: date | None,
) -> tuple[Period | None, str]:
    if role == "change":
        left = [c for c in cols[: col.index] if c.period is not None and c.role != "change" and not c.skip]
        right = [c for c in cols[col.index + 1 :] if c.period is not None and c.role != "change" and not c.skip]
        if left and right and left[-1].period.end <= right[0].period.end:
            a, b = left[-1].period, right[0].period
            return _between(a, b), "table.period.between"
        if len(left) >= 2:
            a, b = left[-2].period, left[-1].period
            if a.start <= b.start:
                return _between(a, b), "table.period.between"
        if col.period is not None:
            return col.period, "table.period.heading"
        return None, "table.period.none.change"
    if col.period is not None:
        return col.period, "table.period.heading"
    if role in ("target", "benchmark", "floor", "baseline"):
        return None, f"table.period.none.{role}"
    if caption is not None:
        return caption, "table.period.caption"
    if report is not None:
        return report, "table.period.report"
    if paper_date is not None:
        from extractors.periods import paper_date_period

        return paper_date_period(paper_date), "table.period.paper_date"
    return None, "table.period.none"


def _between(a: Period, b: Period) -> Period:
    start = a.start if a.kind == "day" else a.start
    return Period(-1, -1, f"{a.text} to {b.text}", start, b.end, "range")


def claimed_spans(tables: list[Table]) -> list[tuple[int, int]]:
    """Every stretch of page text a recognised table holds: narrative rules leave these alone."""
    return sorted(s for t in tables for c in t.cells for s in c.spans)


def table_kpi(fig: Figure) -> Figure:
    """The figure with the taxonomy KPI its row label names, only when the KPI takes the figure's unit and the
    label's counted noun (extractors/kpi_match.py, the same checks as for narrative figures)."""
    if not fig.label:
        return fig
    from extractors.kpi_match import kpi_for_label

    return replace(fig, kpi=kpi_for_label(fig.label, fig.unit, fig.role).kpi)
