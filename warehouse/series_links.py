"""Join a reworded indicator to its series: one council's reports whose restated figures agree, period by period,
or whose names use the same words."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb

from extractors.kpi_match import _KEY_WEAK, _LABEL_FILLER, _stem
from extractors.restated import distinctive

RULE = "series.link.restated_values"
WORDS_RULE = "series.link.same_words"
# periods read from the paper's own words count; a figure dated only by a fallback (the period the report covers,
# the paper's date: rules "period.report", "table.period.paper_date", ...) says nothing about which period it is
_FALLBACK_RULE = re.compile(r"\bperiod\.(?:report|paper_date|current)\b")
_ROLES = frozenset({"actual", "baseline"})


@dataclass(frozen=True)
class LinkFigure:
    """What linking needs of a figure: whose, which paper, its label key, and the value it gives for a period."""

    council: str | None
    unit: str
    paper_id: str
    paper_date: date | None  # or, when the paper has none, the end of the period it reports on: orders the papers
    label_key: str | None
    role: str
    period_start: date | None
    period_end: date | None
    rule: str
    value: float


@dataclass(frozen=True)
class Link:
    """A label key of a later paper joined to the series key of an earlier paper of the same council."""

    council: str
    unit: str
    paper_id: str
    label_key: str
    series_key: str
    linked_paper_id: str
    n_agreeing: int
    evidence: str
    rule: str = RULE


def find_links(figures: Iterable[LinkFigure]) -> list[Link]:
    """Links between the label keys of two papers of a council: the two keys give the same value, in the same unit,
    for periods that end on the same day (read from the papers' text), at least twice, or once for the same period
    with a distinctive value when the keys share a word; and each key agrees so with only that one key of the other paper. A key joins the series
    of the nearest earlier paper it agrees with, and through it that paper's own series ("Contamination in
    blue-bin recycling" in September, "Dry recycling contamination rate" in October, both printing 18.4% for
    April to 16.9% for September)."""
    figures = list(figures)
    cells: dict[tuple, list[LinkFigure]] = defaultdict(list)
    rank: dict[str, tuple[date, str]] = {}  # papers in order: by date, then by id (the direction of a link)
    for f in figures:
        if not (f.council and f.label_key and f.period_start and f.period_end) or f.role not in _ROLES:
            continue
        if _FALLBACK_RULE.search(f.rule):
            continue
        # by the period's end: one report dates a rolling year's 11.6% "2024-10/2025-09", the next "at September"
        cells[(f.council, f.unit, f.period_end, round(f.value, 6))].append(f)
        rank[f.paper_id] = (f.paper_date or date.min, f.paper_id)
    agree: dict[tuple, set[tuple]] = defaultdict(set)
    for (council, unit, end, value), group in cells.items():
        for a in group:
            for b in group:
                if a.label_key != b.label_key and rank[a.paper_id] < rank[b.paper_id]:
                    exact = a.period_start == b.period_start
                    agree[(council, unit, a.paper_id, a.label_key, b.paper_id, b.label_key)].add(
                        (a.period_start, end, value, exact)
                    )
    kept = {
        k: v
        for k, v in agree.items()
        if len({(x[1], x[2]) for x in v}) >= 2
        or (any(x[3] and distinctive(x[2], k[1]) for x in v) and _share_a_word(k[3], k[5]))
    }
    # unique both ways within one pair of papers: a key that agrees with two keys of the other paper joins neither,
    # unless one of them agrees on more periods than any other (a table's month columns beside a tile's one month)
    forward: dict[tuple, dict[str, int]] = defaultdict(dict)
    backward: dict[tuple, dict[str, int]] = defaultdict(dict)
    for (council, unit, pa, ka, pb, kb), hits in kept.items():
        forward[(council, unit, pa, ka, pb)][kb] = len(hits)
        backward[(council, unit, pb, kb, pa)][ka] = len(hits)
    nearest: dict[tuple, tuple] = {}
    for key, hits in kept.items():
        council, unit, pa, ka, pb, kb = key
        if not (_sole(forward[(council, unit, pa, ka, pb)], kb) and _sole(backward[(council, unit, pb, kb, pa)], ka)):
            continue
        later = (council, unit, pb, kb)
        if later not in nearest or rank[pa] > rank[nearest[later][0]]:
            nearest[later] = (pa, ka, hits)
    # a key whose figures agree with another paper's but that lost to a better-agreeing key is contested: its
    # words join nothing either ("Sep: 4,108 jobs" beside the table row that restates every month)
    contested = {(c, u, pb, kb) for (c, u, _pa, _ka, pb, kb) in kept} - nearest.keys()
    worded = {k: v for k, v in _word_links(figures, rank, nearest).items() if k not in contested}
    links = []
    for (council, unit, pb, kb), (pa, ka, hits) in {**nearest, **worded}.items():
        series = _resolve((council, unit, pa, ka), {**nearest, **worded})
        if series == kb:
            continue
        if (council, unit, pb, kb) in worded:
            links.append(Link(council, unit, pb, kb, series, pa, 0, f"same words: {kb} / {ka}", WORDS_RULE))
            continue
        shown = sorted(hits)[:3]
        evidence = "; ".join(f"{s:%Y-%m}/{e:%Y-%m} {v:g}" for s, e, v, _ in shown)
        links.append(Link(council, unit, pb, kb, series, pa, len(hits), evidence))
    return sorted(links, key=lambda k: (k.council, k.unit, k.paper_id, k.label_key))


# words that make a name a part or a variant of another ("new food businesses registered", "major applications
# decided", "complaints excluding exceptions"), or a sentence read as a name ("recycling rate fell"): a name with
# one of them more than another is not the other reworded
_VARIANT = frozenset(
    "new major minor other non net gross repeat first second subsequent excluding including exception exceptions without "
    "one two three four five six seven eight nine ten eleven twelve "
    "under over aged male female boy girl disadvantaged fell rose increased decreased reduced up down".split()
)


def _words(key: str) -> frozenset[str]:
    """A key's words, a word reports use for another as that one, inflections cut ("completed", "completion")."""
    key = _SAME_SPAN.sub(lambda m: _SPANS[m.group(0)], key)
    return frozenset(
        _stem(_SAME_WORD.get(w, w)) for w in key.split() if (len(w) > 1 or w.isdigit()) and w not in _NO_MATTER
    )


# "DTaP/IPV/Hib/HepB at 12 months" one quarter, "… at 1 year" the next
_SPANS = {"12 month": "1 year", "24 month": "2 year", "twelve month": "1 year"}
_SAME_SPAN = re.compile(r"\b(?:12|24|twelve) month\b")


# "answered in 10 working days" and "answered within 10 working days" ("in" is no word of a key)
_NO_MATTER = frozenset({"within"})


# how a figure was counted, not what: a name may add one of these and stay the same measure; not the words of a
# period ("cumulative", "monthly"): "Rent collection rate (cumulative)" is not the quarter's "Rent collected"
_FILLER = frozenset(_stem(w) for w in _LABEL_FILLER) - frozenset(
    _stem(w) for w in (*_VARIANT, *"cumulative ytd rolling annual monthly quarterly year month quarter in-year".split())
)
_WEAK = frozenset(_stem(w) for w in _KEY_WEAK)


def _worded_alike(a: str, b: str) -> int:
    """2 when two label keys use the same words in any order ("open enforcement case", "enforcement case open"),
    1 when one adds at most three words to the other's three or more (not counting numbers), none a number or a
    word that makes a part or variant ("search returned within 10 working day", "official search returned within 10
    working day"), or one such word to two that name something ("criminal damage", "criminal damage arson"), else
    0."""
    wa, wb = _words(a), _words(b)
    if len(wa) < 2 or len(wb) < 2:
        return 0
    if wa == wb:
        return 2
    small, large = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    extra = large - small
    if small < large and len(extra) <= 3 and not any(w.isdigit() or w in _VARIANT for w in extra):
        named = [w for w in small if not w.isdigit() and w not in _FILLER and w not in _WEAK]
        if sum(not w.isdigit() for w in small) >= 3 or (len(named) >= 2 and extra <= _FILLER):
            return 1
        # "criminal damage" and "criminal damage arson", "food business" and "registered food business": two words
        # that name something, and one more that is no count, period, rating or consequence
        if len([w for w in named if w not in _VARIANT]) >= 2 and len(extra) == 1 and not extra & _NOT_ONE_MORE:
            return 1
    # "home required fire risk assessment carried out" and "fire risk assessment up date": three or more words that
    # name something in common, at most four more on either side (six in all), none a number or a word of a part or
    # variant
    common = [w for w in wa & wb if not w.isdigit() and w not in _FILLER and w not in _WEAK]
    apart = wa ^ wb
    if (
        len(common) >= 3
        and len(wa - wb) <= 4
        and len(wb - wa) <= 4
        and len(apart) <= 6
        and not any(w.isdigit() or w in _VARIANT or w in _NOT_ONE_MORE for w in apart)
    ):
        return 1
    return 0


_NOT_ONE_MORE = frozenset(
    _stem(w) for w in "cumulative ytd rolling annual monthly quarterly red amber green led resulting".split()
)


def _word_links(
    figures: list[LinkFigure], rank: dict[str, tuple[date, str]], nearest: dict[tuple, tuple]
) -> dict[tuple, tuple]:
    """Label keys of a later paper worded like one key of the nearest earlier paper of its council that has one,
    and like no other (nor is another key of the later paper so worded like it), with no period for which the two
    give different values; keys already joined by restated figures, or printed as they are in another paper, keep
    that. (council, unit, later paper, key) -> (earlier paper, key, ())."""
    keys: dict[tuple, set[tuple[str, str]]] = defaultdict(set)
    values: dict[tuple, dict[date, set[float]]] = defaultdict(lambda: defaultdict(set))
    for f in figures:
        if not (f.council and f.label_key) or f.role not in _ROLES:
            continue
        keys[(f.council, f.unit)].add((f.paper_id, f.label_key))
        rank.setdefault(f.paper_id, (f.paper_date or date.min, f.paper_id))
        if f.period_end and not _FALLBACK_RULE.search(f.rule):
            values[(f.council, f.unit, f.paper_id, f.label_key)][f.period_end].add(round(f.value, 6))
    out: dict[tuple, tuple] = {}
    for (council, unit), pairs in keys.items():
        by_paper: dict[str, set[str]] = defaultdict(set)
        for paper, key in pairs:
            by_paper[paper].add(key)
        papers = sorted(by_paper, key=lambda p: rank[p])
        for i, pb in enumerate(papers):
            for kb in sorted(by_paper[pb]):
                if (council, unit, pb, kb) in nearest or any(kb in by_paper[p] for p in papers if p != pb):
                    continue
                for pa in reversed(papers[:i]):
                    scored = [(_worded_alike(ka, kb), ka) for ka in by_paper[pa] - by_paper[pb]]
                    scored = [(n, ka) for n, ka in scored if n]
                    if not scored:
                        continue
                    best = max(n for n, _ in scored)
                    top = [ka for n, ka in scored if n == best]
                    back = [k for k in by_paper[pb] - by_paper[pa] if _worded_alike(top[0], k) >= best]
                    va, vb = values[(council, unit, pa, top[0])], values[(council, unit, pb, kb)]
                    if len(top) == 1 and back == [kb] and all(va[e] == vb[e] for e in va.keys() & vb.keys()):
                        out[(council, unit, pb, kb)] = (pa, top[0], ())
                    break
    return out


def _sole(candidates: dict[str, int], key: str) -> bool:
    """Is ``key`` the one candidate, or the one that agrees on at least two periods more than any other, or the
    only one to agree on more than one?"""
    others = [n for k, n in candidates.items() if k != key]
    mine = candidates[key]
    return not others or mine >= max(others) + 2 or (mine >= 2 and max(others) == 1)


# words reports use for one another when they reword a measure ("applications determined", "decisions issued")
_SAME_WORD = {
    "determined": "decision",
    "decided": "decision",
    "determination": "decision",
    "responded": "answered",
    "response": "answered",
    "replied": "answered",
    "reply": "answered",
    "receipt": "received",
    "lodged": "received",
    "submitted": "received",
    "projected": "forecast",  # a budget's "Forecast" column one quarter, "Projected" the next
    "projection": "forecast",
    "filled": "repaired",  # "potholes filled", "potholes repaired"
    "fixed": "repaired",
    "cleared": "removed",  # "fly-tips cleared within 2 working days", "removed within 2 working days"
    "awaiting": "waiting",
    "offence": "crime",  # "knife offences", "knife crime"
}


def _share_a_word(a: str, b: str) -> bool:
    """Two label keys with a word in common ("pothole filled", "pothole repaired"), or words reports use for one
    another ("applications determined", "decisions issued"): one agreeing value is enough."""

    def words(key: str) -> set[str]:
        return {_SAME_WORD.get(w, w) for w in key.split() if len(w) > 2}

    return bool(words(a) & words(b))


def _resolve(node: tuple, nearest: dict[tuple, tuple]) -> str:
    """The series key a paper's label key stands for: its own, or that of the earliest report it is joined to."""
    council, unit, paper, key = node
    seen = set()
    while (council, unit, paper, key) in nearest and (paper, key) not in seen:
        seen.add((paper, key))
        paper, key, _ = nearest[(council, unit, paper, key)]
    return key


_FIGURES_SQL = """
SELECT p.council, o.unit, o.paper_id, coalesce(p.paper_date, p.reporting_period_end), o.label_key, o.role, o.period_start, o.period_end,
       o.rule, o.value
FROM observations o
JOIN papers p ON p.id = o.paper_id AND p.status = 'ok'
WHERE o.label_key IS NOT NULL AND p.council IS NOT NULL
"""
_INSERT_SQL = """
INSERT INTO label_key_links (council, unit, paper_id, label_key, series_key, linked_paper_id, n_agreeing, evidence, rule)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def refresh_series_links(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute label_key_links from every loaded figure (after an ingest); returns the number of links."""
    figures = [LinkFigure(*row) for row in con.execute(_FIGURES_SQL).fetchall()]
    links = find_links(figures)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM label_key_links")
        if links:
            con.executemany(
                _INSERT_SQL,
                [
                    (
                        k.council,
                        k.unit,
                        k.paper_id,
                        k.label_key,
                        k.series_key,
                        k.linked_paper_id,
                        k.n_agreeing,
                        k.evidence,
                        k.rule,
                    )
                    for k in links
                ],
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(links)
