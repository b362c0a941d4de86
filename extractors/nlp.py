"""The spaCy pipeline (on spacy.blank("en"), no model download): sentences, KPI phrases and dated figures."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.kpi_match import (
    KpiMention,
    choose_kpi,
    find_mentions,
    kpi_for_label,
    label_key,
    partner_kpi,
    partners,
)
from extractors.labels import done_to_label, figure_line, label_for, share_label
from extractors.numbers import NumberMention, find_numbers
from extractors.period_kinds import change_between, paired_with_next, present_tense, refers_back, respectively
from extractors.periods import MONTH_RE, Period, find_periods, month_end, paper_date_period, window_ending
from extractors.roles import classify_role
from extractors.sentences import sentence_spans
from extractors.tokenizer import PageTokenizer
from models.taxonomy import load_taxonomy

if not Doc.has_extension("figures"):
    Doc.set_extension("figures", default=None)
if not Doc.has_extension("sentence_bounds"):
    Doc.set_extension("sentence_bounds", default=None)
if not Span.has_extension("kpi"):
    Span.set_extension("kpi", default=None)


@dataclass(frozen=True)
class Figure:
    """A figure found by the pipeline, with offsets into the page text (``doc.text``)."""

    sentence_start: int
    sentence_end: int
    start: int
    end: int
    value: float
    unit: str
    rule: str
    role: str
    role_rule: str
    period: Period | None
    period_rule: str
    label: str | None
    kpi: str | None
    confidence: float
    rag: str | None = None


def _text(doc: Doc) -> str:
    """The page text: ``doc.text`` rebuilds it from every token on each access, so ``analyse`` passes it along."""
    text = doc.user_data.get("text")
    return text if text is not None else doc.text


@Language.component("councilkpi_sentences")
def set_sentences(doc: Doc) -> Doc:
    """Sentence starts from line structure, bullets and punctuation (see extractors/sentences.py); the trimmed
    character bounds of every sentence go to ``doc._.sentence_bounds``."""
    if not len(doc):
        doc._.sentence_bounds = []
        return doc
    text = _text(doc)
    boilerplate = doc.user_data.get("boilerplate", frozenset())
    starts = [s for s, _ in sentence_spans(text, boilerplate)]
    # token arrays instead of Token objects: a page has thousands of tokens
    idx = doc.to_array("IDX").astype("int64")
    lengths = doc.to_array("LENGTH").astype("int64")
    is_start = numpy.isin(idx, starts)
    is_start[0] = True
    flags = numpy.where(is_start, 1, -1).astype("int64").astype("uint64").reshape(-1, 1)  # spaCy wants uint64
    doc.from_array([SENT_START], flags)
    first = numpy.flatnonzero(is_start)
    last = numpy.append(first[1:] - 1, len(doc) - 1)
    bounds = []
    for a, b in zip(first, last, strict=True):
        start, end = int(idx[a]), int(idx[b] + lengths[b])
        raw = text[start:end]
        start, end = start + len(raw) - len(raw.lstrip()), end - (len(raw) - len(raw.rstrip()))
        if end > start:
            bounds.append((start, end))
    doc._.sentence_bounds = bounds
    return doc


@Language.factory("councilkpi_kpi_matcher")
def make_kpi_matcher(nlp: Language, name: str) -> KpiMatcher:
    return KpiMatcher(nlp)


class KpiMatcher:
    """Mark taxonomy phrases (models/kpi_taxonomy.toml) in ``doc.spans['kpi']``, each span's label the KPI id;
    the phrases found (across line breaks, longest first) go to ``doc.user_data['kpi_mentions']``."""

    def __init__(self, nlp: Language) -> None:
        self.taxonomy = load_taxonomy()

    def __call__(self, doc: Doc) -> Doc:
        mentions = find_mentions(_text(doc), self.taxonomy)
        spans = []
        for m in mentions:
            span = doc.char_span(m.start, m.end, label=m.kpi, alignment_mode="expand")
            if span is not None:
                span._.kpi = m.kpi
                spans.append(span)
        doc.spans["kpi"] = spans
        doc.user_data["kpi_mentions"] = mentions
        return doc


@Language.component("councilkpi_figures")
def find_figures(doc: Doc) -> Doc:
    """Find the figures of every sentence and attach period, role, label and KPI to each."""
    paper_date: date | None = doc.user_data.get("paper_date")
    kpi_spans: list[KpiMention] = doc.user_data.get("kpi_mentions") or []
    figures: list[Figure] = []
    text = _text(doc)
    context = _Context(doc.user_data.get("report_period"))
    prev_end = 0
    for s0, s1 in doc._.sentence_bounds:
        sentence = text[s0:s1]
        periods = find_periods(sentence, paper_date) if _MAY_HAVE_PERIOD.search(sentence) else []
        context.enter(sentence, text[prev_end:s0])
        found = _sentence_figures(sentence, s0, paper_date, kpi_spans, periods, context)
        figures.extend(found)
        context.leave(sentence, periods, found)
        prev_end = s0 + len(sentence)
    doc._.figures = figures
    return doc


# a cheap test before the period rules: every period phrase holds a digit, a month or one of these words
_MAY_HAVE_PERIOD = re.compile(
    r"\d|January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Oct|Nov|Dec|current|present|time of|to date|this month|this time|last|past|previous|"
    r"preceding|months|years|year|ago|first",
    re.I,
)
_LIST_ITEM = re.compile(r"^(?:[•·▪●◦■□➢✓*\-\ue000-\uf8ff]|\(?[a-z0-9]{1,3}[.)])\s*")
_NEW_PARAGRAPH = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z]")
_AS_AT = re.compile(r"^\W{0,3}(?:At|As at|As of|On|At the end of|By the end of)\s+$")
# "In 2021–22, 9% of children …": a period opening the sentence, before a comma, scopes all of it
_OPENING = re.compile(
    r"^\W{0,3}(?:(?:In|During|For|Over|Throughout|Across)\s+(?:the\s+)?)?$"
)  # not "By 2028, …": a deadline
_HEADING = re.compile(r"^[A-Z][^.:;!?\d]{2,60}$")
_ANAPHORA = re.compile(r"^(?:This|These|That|Those|It|Which)\b")
_SPAN_KINDS = ("year", "financial_year", "academic_year", "quarter", "range", "month")


class _Context:
    """Periods that carry over from one sentence to the next within a paragraph or a bulleted list.

    - a list lead-in ("… comparing April to October 2021 with April to October 2020:") dates its items;
    - a sentence that sets a single period ("During the academic year 2020/21, 95% …") dates the next
      sentence of the same paragraph when that sentence gives none.
    """

    def __init__(self, report_period: Period | None = None) -> None:
        self.report_period = report_period
        self.lead_in: Period | None = None
        self.lead_in_rule = "period.list_lead_in"
        self.referent: Period | None = None  # the stated period of the previous sentence's last actual figure
        self.previous: Period | None = None
        self.anchor: Period | None = None  # "At 3 March 2015, 102 children …": the date a data block is as at
        self.last_dated: Period | None = None  # the one explicit date of the previous sentence, of any kind

    def enter(self, sentence: str, gap: str) -> None:
        if "\n\n" in gap.replace(" ", "") or _NEW_PARAGRAPH.match(sentence) or _LIST_ITEM.match(sentence):
            self.previous = None  # each paragraph and each list item starts afresh
        if self.lead_in is not None and not _LIST_ITEM.match(sentence):
            self.lead_in = None

    def leave(self, sentence: str, periods: list[Period], figures: list[Figure] | None = None) -> None:
        explicit = [p for p in periods if not p.relative and p.kind != "since"]
        self.last_dated = explicit[0] if len(explicit) == 1 else None
        stated = [f for f in figures or [] if f.role == "actual" and f.period_rule in _STATED_RULES and f.period]
        self.referent = stated[-1].period if stated else None
        if periods and periods[0].kind in ("day", "month") and _AS_AT.match(sentence[: periods[0].start_char]):
            self.anchor = periods[0]
        elif _HEADING.match(sentence):
            self.anchor = None
        if sentence.rstrip().endswith(":"):
            dated = [p for p in periods if not p.relative]
            windows = [p for p in periods if p.kind == "relative" and p.start < p.end]
            self.lead_in_rule = "period.list_lead_in"
            if dated:
                self.lead_in = dated[0]
            elif windows:
                # "In the last 12 months:" dates its items with the window, ending at the data block's date
                self.lead_in = self.rebase(windows[0])
                self.lead_in_rule = "period.list_lead_in.relative"
            else:
                self.lead_in = self.anchor
            if self.lead_in is not None and self.lead_in.kind == "since" and self.anchor is not None:
                a = self.lead_in
                self.lead_in = Period(a.start_char, a.end_char, a.text, a.start, self.anchor.end, a.kind, a.rule)
            self.previous = None
            return
        if _LIST_ITEM.match(sentence) and self.lead_in is not None:
            return
        if not periods and self.previous is not None and not present_tense(sentence):
            return  # "Severe absence was 1.9%." keeps the paragraph's period for the sentence after it
        # a baseline's period ("a small increase from nine in 2020") is not the period of the paragraph
        baselines = {id(f.period) for f in figures or [] if f.role == "baseline" and f.period_rule in _STATED_RULES}
        explicit = [p for p in explicit if id(p) not in baselines]
        spans = [p for p in explicit if p.kind in _SPAN_KINDS]
        self.previous = spans[0] if len(spans) == 1 and len(explicit) == 1 else None

    def rebase(self, period: Period) -> Period:
        """A relative window inside a data block dated "At 31 December 2015" ends at that date."""
        if self.anchor is None or period.kind != "relative" or period.start >= period.end:
            return period
        return window_ending(period, self.anchor.end)

    def period(self, sentence: str) -> tuple[Period | None, str]:
        """The period an undated figure carries over: its list's lead-in; else, in a sentence that refers back
        ("Eleven per cent of these children"), the period of the figures it refers to; else the previous
        sentence's period, unless the sentence is in the present tense (then it speaks of now)."""
        if self.lead_in is not None:
            return self.lead_in, self.lead_in_rule
        if refers_back(sentence):
            for period in (self.referent, self.anchor, self.last_dated, self.previous):
                if period is not None and not period.relative:
                    return period, "period.referent"
        if self.previous is not None:
            if present_tense(sentence):
                return None, "period.current"
            return self.previous, "period.previous_sentence"
        return None, "period.none"


# period rules that read the figure's period from its own sentence
_STATED_RULES = (
    "period.after",
    "period.before",
    "period.sentence",
    "period.label",
    "period.respectively",
    "period.pair",
    "period.since_base",
    "period.change_between",
    "period.comparator",
)

_CLAUSE_BREAK = re.compile(r";|\.\s|\bwhile\b|\bwhereas\b|\bbut\b|,\s+and\b")
_LABELLED = re.compile(r"^\s*[:=–-]\s*$")


def _owner_after(p: Period, figures: list[NumberMention], sentence: str) -> NumberMention | None:
    """The figure a period directly follows ("89% in August 2020"), if any: that figure owns it."""
    for f in figures:
        gap = sentence[f.unit_end : p.start_char] if p.start_char >= f.unit_end else None
        if gap is not None and len(gap) <= 15 and not any(f.unit_end <= g.start < p.start_char for g in figures):
            if not _CLAUSE_BREAK.search(gap):
                return f
    return None


def _labels_other(p: Period, figure: NumberMention, figures: list[NumberMention], sentence: str) -> bool:
    """'(Q1 2023/24: 84%)': a period followed by a colon labels the figure after it, and no other."""
    for f in figures:
        if f.start >= p.end_char and _LABELLED.match(sentence[p.end_char : f.start]):
            return f is not figure
    return False


def _in_brackets(sentence: str, f: NumberMention, lo: int, hi: int) -> bool:
    """Is the figure inside a bracketed aside that lies wholly between lo and hi?"""
    open_at = sentence.rfind("(", lo, f.start)
    close_at = sentence.find(")", f.end, hi)
    return open_at >= 0 and close_at >= 0 and sentence.rfind(")", open_at, f.start) < 0


def _attach_period(
    sentence: str, figure: NumberMention, figures: list[NumberMention], periods: list[Period]
) -> tuple[Period | None, str]:
    """The period closest to the figure with no other figure and no clause break in between."""
    for p in periods:
        if _LABELLED.match(sentence[p.end_char : figure.start]) and p.end_char <= figure.start:
            return p, "period.label"  # "Q1 2023/24: 84%"
    periods = [p for p in periods if not _labels_other(p, figure, figures, sentence)]
    best: tuple[float, Period, str] | None = None
    for p in periods:
        if p.start_char >= figure.unit_end:
            lo, hi, where, weight = figure.unit_end, p.start_char, "after", 1.0
        elif p.end_char <= figure.start:
            owner = _owner_after(p, figures, sentence)
            if owner is not None and owner is not figure:
                continue
            lo, hi, where, weight = p.end_char, figure.start, "before", 1.3
        else:
            continue
        between = sentence[lo:hi]
        # a bracketed aside ("from 107 (33 per 10,000 children) at 31 March 2014") does not separate them
        if any(lo <= f.start < hi and not _in_brackets(sentence, f, lo, hi) for f in figures if f is not figure):
            continue
        if _CLAUSE_BREAK.search(between):
            continue
        limit = 60 if where == "after" else 90
        if len(between) > limit:
            continue
        score = len(between) * weight + (40 if p.relative else 0)  # an exact date nearby beats "currently"
        if best is None or score < best[0]:
            best = (score, p, f"period.{where}")
    if best is not None:
        return best[1], best[2]
    # a scene-setting period earlier in the sentence ("(between July and September 2020), … over 450 staff")
    # that is not the period of a figure it directly follows
    earlier = [p for p in periods if p.end_char <= figure.start and _owner_after(p, figures, sentence) is None]
    if len(periods) == 1 and earlier:
        return earlier[0], "period.sentence"
    # a year, quarter or financial/academic year closing the figure's clause scopes it ("… was 12% above …
    # in 2013–2014"; "… 49.2% of assessments were completed within 20 weeks in calendar year 2022")
    for p in periods:
        between = sentence[figure.unit_end : p.start_char]
        if (
            p.start_char >= figure.unit_end
            and p.kind in ("year", "financial_year", "academic_year", "quarter")
            and not any(figure.unit_end <= f.start < p.start_char for f in figures)
            and not _CLAUSE_BREAK.search(between)
        ):
            return p, "period.sentence"
    return None, "period.none"


def _kpi_for(
    kpi_spans: list[KpiMention],
    s0: int,
    sentence: str,
    figure: NumberMention,
    numbers: list[NumberMention],
    label: str | None,
    role: str,
) -> str | None:
    """The KPI the figure measures (extractors/kpi_match.py): named by its label, or beside it, or the nearest
    phrase of its clause, and only when the KPI takes the figure's unit and counted noun."""
    s1 = s0 + len(sentence)
    mentions = [KpiMention(m.kpi, m.start - s0, m.end - s0, m.text) for m in kpi_spans if m.start >= s0 and m.end <= s1]
    if not mentions:
        return None
    others = [(n.start, n.unit_end) for n in numbers if n is not figure]
    return choose_kpi(sentence, mentions, (figure.start, figure.unit_end), others, label, figure.unit, role).kpi


_BASE_CONFIDENCE = {
    "percent": 0.9,
    "rate_per_10000": 0.9,
    "rate_per_100000": 0.9,
    "rate_per_1000": 0.85,
    "gbp": 0.85,
    "fte": 0.85,
    "score": 0.7,
    "days": 0.75,
    "weeks": 0.75,
    "months": 0.7,
    "count": 0.7,
}


_NUMERIC_TOKEN = re.compile(r"^[(£]?\d[\d,.]*%?\)?$")


def _in_table_row(sentence: str, n: NumberMention) -> bool:
    """Is the figure on a line that is mostly numbers (three or more), as a table row read as text is?"""
    tokens = figure_line(sentence, n)[1].split()
    numeric = sum(bool(_NUMERIC_TOKEN.match(t)) for t in tokens)
    return numeric >= 3 and numeric * 2 >= len(tokens)


_COMPARISON_BASE = re.compile(
    r"\b(?:on|from|compared (?:with|to)|than|over|since|against)\s+(?:the\s+)?(?:same\s+\w+\s+(?:in|of)\s+)?$", re.I
)


_WHEN = re.compile(r"^,?\s+when\s+(?:there\s+were\s+|it\s+was\s+)?$", re.I)


def _when_clause(sentence: str, periods: list[Period], figure: NumberMention) -> Period | None:
    """'… since March 2020, when 353 children were in care': the figure of a 'when' clause is at that date."""
    for p in periods:
        if p.end_char <= figure.start and _WHEN.match(sentence[p.end_char : figure.start]):
            if p.kind == "since":  # the start of the window: its first month
                return Period(
                    p.start_char, p.end_char, p.text, p.start, month_end(p.start.year, p.start.month), "month", p.rule
                )
            return p
    return None


def _opening_period(sentence: str, periods: list[Period], figure: NumberMention) -> Period | None:
    """The period that opens the sentence ("In 2021–22, …", "During 2022, …"), if the figure comes after it."""
    if not periods:
        return None
    first = periods[0]
    if first.relative or first.end_char > figure.start or not _OPENING.match(sentence[: first.start_char]):
        return None
    return first if sentence[first.end_char : first.end_char + 2].startswith(",") else None


def _future(period: Period, paper_date: date | None) -> bool:
    """A period that starts after the paper was written is a plan or a deadline, not when a figure was measured."""
    return paper_date is not None and period.start > month_end(paper_date.year, paper_date.month)


def _since_end(period: Period, periods: list[Period], paper_date: date | None) -> Period:
    """'865 children (October 2021), an increase of 30% since 2018': the change runs to the sentence's latest
    dated point, else to the paper date."""
    ends = [p.end for p in periods if p is not period and not p.relative and p.end > period.start]
    if paper_date is not None:
        ends = [e for e in ends if e <= month_end(paper_date.year, paper_date.month)]
    if not ends:
        return period
    return Period(period.start_char, period.end_char, period.text, period.start, max(ends), period.kind)


def _fallback_period(
    sentence: str, role: str, context: _Context, paper_date: date | None, rule: str
) -> tuple[Period | None, str]:
    """The period of a figure its own sentence does not date: carried over (lead-in, referent, previous
    sentence), else the period a performance report covers, else the paper date (a baseline never takes it)."""
    current = False
    if role not in ("target", "benchmark"):
        period, rule = context.period(sentence)
        if period is not None:
            return period, rule
        current = rule == "period.current"
    if role in ("target", "benchmark", "baseline"):
        return None, rule
    if context.report_period is not None:
        # an undated figure in a performance report is for the period the report covers
        return context.report_period, "period.report"
    if paper_date is not None:
        # the paper date stands in for an undated current figure; a present-tense sentence after a dated one
        # speaks of now ("period.current")
        return paper_date_period(paper_date), "period.current" if current else "period.paper_date"
    return None, rule


def _sentence_figures(
    sentence: str,
    s0: int,
    paper_date: date | None,
    kpi_spans: list[KpiMention],
    periods: list[Period],
    context: _Context,
) -> list[Figure]:
    numbers = find_numbers(sentence)
    if not numbers or not re.search(r"[A-Za-z]{2,}", sentence):
        return []
    # a number inside a date or period ("31 March 2021", "the last 12 months") is part of it, not a figure
    numbers = [n for n in numbers if not any(p.start_char <= n.start < p.end_char for p in periods)]
    out: list[Figure] = []
    paired = respectively(sentence, numbers, periods)
    for i, n in enumerate(numbers):
        role, role_rule = classify_role(sentence, n, numbers)
        if i in paired:
            period, period_rule = paired[i], "period.respectively"
        else:
            period, period_rule = _attach_period(sentence, n, numbers, periods)
        if (when := _when_clause(sentence, periods, n)) is not None:
            period, period_rule = when, "period.when"
        if period is None and (opening := _opening_period(sentence, periods, n)) is not None:
            period, period_rule = opening, "period.opening"
        if period is None and (j := paired_with_next(sentence, numbers, i)) is not None:
            # "0.4% and 5.2% in the 2014/15 academic year": the first of a pair shares the second's period
            other, other_rule = _attach_period(sentence, numbers[j], numbers, periods)
            if other is not None and other_rule == "period.after":
                period, period_rule = other, "period.pair"
        if period is None and role == "change":
            between = change_between(periods, n)
            if between is not None:
                period, period_rule = between, "period.change_between"
        stated_future = False
        if period is not None and role not in ("forecast", "benchmark") and _future(period, paper_date):
            # a plan or deadline, not a measurement date; the figure stays undated rather than taking a fallback
            # (a forecast keeps the period it is for, a comparator its own stated period)
            period, period_rule, stated_future = None, "period.none.future", True
        if period is not None and period.kind == "relative" and period.start < period.end:
            period = context.rebase(period)
        if period is not None and period.kind == "since":
            period = _since_end(period, periods, paper_date)
        if role == "change" and period is not None and period_rule == "period.after":
            if period.start_char >= n.unit_end and _COMPARISON_BASE.search(sentence[n.unit_end : period.start_char]):
                # "up 3 percentage points on 2022/23": the change runs from that period to now
                base = Period(
                    period.start_char, period.end_char, period.text, period.start, period.end, "since", period.rule
                )
                period, period_rule = _since_end(base, periods, paper_date), "period.since_base"
                if period.end == base.end and paper_date is not None:
                    period = Period(
                        base.start_char, base.end_char, base.text, base.start, paper_date, "since", base.rule
                    )
        if role == "target":
            period, period_rule = None, "period.none.target"
        elif role == "benchmark" and (period is None or period.relative or period_rule not in _STATED_RULES):
            # a comparator is dated only by its own sentence, never by the paper date: it shares the stated
            # period of the figure it is compared with ("21% in 2014–15, above the national average of 17%"),
            # or, in a sentence that refers back, the previous one's ("This compared with figures of 74% …")
            period, period_rule = None, "period.none.benchmark"
            compared = [f for f in out if f.role == "actual" and f.period and f.period_rule in _STATED_RULES]
            if compared and not compared[-1].period.relative:
                period, period_rule = compared[-1].period, "period.comparator"
            elif _ANAPHORA.match(sentence) and context.last_dated is not None:
                period, period_rule = context.last_dated, "period.previous_sentence"
        elif role == "range_high" and out and out[-1].role == "range_low":
            period, period_rule = out[-1].period, "period.range"
        if period is None and not stated_future:
            period, period_rule = _fallback_period(sentence, role, context, paper_date, period_rule)
        label = label_for(sentence, n)
        kpi = _kpi_for(kpi_spans, s0, sentence, n, numbers, label, role)
        confidence = _BASE_CONFIDENCE.get(n.unit, 0.6)
        if n.in_words:
            confidence -= 0.15
        if period is None or period.kind in ("paper_date", "report"):
            confidence -= 0.15
        elif period_rule in ("period.list_lead_in", "period.previous_sentence"):
            confidence -= 0.1
        elif period.relative or period_rule == "period.sentence":
            confidence -= 0.05
        if label is None:
            confidence -= 0.1
        if _in_table_row(sentence, n):
            # a row of a table read as text: its column headings (often the periods) are not in the sentence
            confidence -= 0.25
        if kpi is not None:
            confidence += 0.05
        out.append(
            Figure(
                sentence_start=s0,
                sentence_end=s0 + len(sentence),
                start=s0 + n.start,
                end=s0 + n.end,
                value=n.value,
                unit=n.unit,
                rule=n.rule,
                role=role,
                role_rule=role_rule,
                period=period,
                period_rule=period_rule,
                label=label,
                kpi=kpi,
                confidence=round(max(0.05, min(confidence, 0.99)), 2),
            )
        )
    return _named_by_their_verb(_share_partner_kpis(out, sentence, s0), numbers, sentence)


def _named_by_their_verb(figures: list[Figure], numbers: list[NumberMention], sentence: str) -> list[Figure]:
    """After the KPIs are chosen (a longer name would hide them): a bare counted noun named by what was done to it
    ("18 agency workers were engaged"), a share with no noun by what the sentence's earlier figure counts
    ("Enquiries rose to 10,214; 76.8% were answered in 10 working days"), and a figure with no label in a bracket
    after another by that one's ("503 new plans were issued (468 in 2023/24)")."""
    out: list[Figure] = []
    for f, n in zip(figures, numbers, strict=True):
        label = f.label
        if label and f.unit == "count" and label_key(label) is None:
            label = done_to_label(sentence, n, label) or label
        elif label is None and f.unit == "percent":
            earlier = next((g.label for g in reversed(out) if g.unit == "count" and g.label), None)
            label = share_label(sentence, n, earlier)
        kpi = f.kpi
        if (label is None or label_key(label) is None) and (prior := _restated_count(out, f, sentence)):
            label = prior.label  # "668 children in care, 44 fewer …, a rate of 108 per 10,000", "35 (32.1%)"
            if kpi is None and prior.kpi:
                # the count's KPI in the rate's unit, else the rate's own KPI its words name ("205 stage 1
                # complaints, 15.3 per 1,000 homes": the complaints received, the TSM rate)
                kpi = partner_kpi(prior.kpi, f.unit, label) or kpi_for_label(label, f.unit, f.role).kpi
        if label is None:
            label = _bracketed_earlier_label(out, n, sentence)
        if label is None and (label := _from_earlier_label(out, n, sentence)) and kpi is None and out[-1].kpi:
            kpi = partner_kpi(out[-1].kpi, f.unit, label)  # the same measure's earlier value: its KPI too
        out.append(f if (label, kpi) == (f.label, f.kpi) else replace(f, label=label, kpi=kpi))
    return out


# "… a rate of 108 per 10,000", "(a rate of 12.2 per 100,000": a rate that restates the count it follows; "35
# (32.1%) reoffended", "212 (or 43%)": a share in a bracket opened straight after its count
_RATE_OF = re.compile(
    r"(?:,|\()\s*(?:(?:which\s+is\s+|this\s+is\s+|giving\s+|equivalent\s+to\s+)?an?\s+rate\s+of\s*)?$", re.I
)
# "668 children in care, 44 fewer than at the inspection, a rate of …": a difference between the count and its rate
_DIFFERENCE = re.compile(r"^\s*(?:fewer|more|less|lower|higher|up|down)\b", re.I)
_SHARE_BRACKET = re.compile(r"^\s*\(\s*(?:or\s+)?$")
_RESTATE_BREAK = re.compile(r";|\.\s|\bwhile\b|\bwhereas\b|\bbut\b|\band\b|\bagainst\b|\bcompared\b")


def _restated_count(before: list[Figure], f: Figure, sentence: str) -> Figure | None:
    """The labelled count an unlabelled rate or share restates: the nearest earlier count of the sentence, an actual
    or baseline, when the rate follows a comma or bracket (", a rate of") with no other clause between them (a
    difference, "44 fewer than at the inspection", may), or the share sits in a bracket opened right after the
    count."""
    s0 = f.sentence_start
    if f.unit.startswith("rate_per") and _RATE_OF.search(sentence[: f.start - s0]):
        for g in reversed(before):
            gap = sentence[g.end - s0 : f.start - s0]
            if len(gap) > 120 or _RESTATE_BREAK.search(gap):
                return None
            if g.unit == "count" and g.role in ("actual", "baseline") and g.label:
                return g
            if g.role in ("actual", "baseline") and not _DIFFERENCE.match(sentence[g.end - s0 :]):
                return None
        return None
    if f.unit == "percent" and before:
        g = before[-1]
        if g.unit == "count" and g.label and _SHARE_BRACKET.match(sentence[g.end - s0 : f.start - s0]):
            return g
    return None


# "The recycling rate rose to 44.7% from 44.0%", "museum visitors fell to 39,502 from 41,967": the figure after
# "from" is the same measure's earlier value
_FROM_GAP = re.compile(
    r"\s*(?:%|per\s?cent|days?|weeks?)?\s*(?:,\s*)?(?:(?:up|down)\s+)?(?:from|compared\s+with|compared\s+to)\s+"
    r"(?:the\s+|an?\s+)?",
    re.I,
)


def _from_earlier_label(before: list[Figure], n: NumberMention, sentence: str) -> str | None:
    """The label of the figure right before, in the same unit, when this one follows it after "from" ("rose to
    44.7% from 44.0%")."""
    prior = before[-1] if before else None
    if prior is None or not prior.label or prior.unit != n.unit:
        return None
    return prior.label if _FROM_GAP.fullmatch(sentence[prior.end - prior.sentence_start : n.start]) else None


# "(June: 2,847)", "(2024: 298)", "(468 in 2023/24)", "(1,538)": an earlier period's figure in a bracket
_EARLIER_OPEN = re.compile(r"\(\s*(?:(?:[A-Z][a-z]{2,8}\.?\s*)?(?:\d{4}(?:/\d{2,4})?)?\s*:\s*)?$")
_EARLIER_CLOSE = re.compile(
    r"^\s*(?:%|per\s?cent|days?|weeks?)?\s*(?:(?:in|at|for|during|by|on)\s+[^():;]{0,25})?\s*[),;]", re.I
)


def _bracketed_earlier_label(before: list[Figure], n: NumberMention, sentence: str) -> str | None:
    """The label of the figure a bracket after it restates for an earlier period ("503 new plans were issued
    (468 in 2023/24)", "received 1,691 requests, 9.9% more than in 2022/23 (1,538)"): the nearest earlier figure
    of the sentence in the same unit, when the bracket holds only this figure and its period."""
    prior = next((g for g in reversed(before) if g.unit == n.unit), None)
    if prior is None or not prior.label:
        return None
    gap = sentence[prior.end - prior.sentence_start : n.start]
    opened = gap.rfind("(")
    if opened < 0 or ")" in gap[opened:] or len(gap) > 90 or re.search(r"[;.]\s", gap):
        return None
    if not _EARLIER_OPEN.search(gap[opened:]) or not _EARLIER_CLOSE.match(sentence[n.unit_end :]):
        return None
    if _NEW_SUBJECT.search(gap[:opened]):
        return None  # "Overall absence was 6.9% and persistent absence (18.8%)": the bracket is the new subject's
    return prior.label


_NEW_SUBJECT = re.compile(
    r"\b(?:and|while|whilst|but|whereas)\s+(?:the\s+)?(?:[A-Za-z][\w’'-]*\s+){0,4}[A-Za-z][\w’'-]*\s*$", re.I
)


def _share_partner_kpis(figures: list[Figure], sentence: str, s0: int) -> list[Figure]:
    """A figure without a KPI that restates or continues one with a KPI ("from 647 days to 743 days", "212 (or
    43%)", "102 children (a rate of 31 per 10,000)") takes that KPI, when it takes the unit and counted noun."""
    spans = [(f.start - s0, f.end - s0) for f in figures]
    pairs = partners(sentence, spans)
    for i in range(len(figures) - 1):
        # "612 children were looked after (93.5 per 10,000)": a rate in brackets restates the count before it
        gap = sentence[spans[i][1] : spans[i + 1][0]]
        if (
            figures[i].unit == "count"
            and figures[i + 1].unit.startswith("rate_per")
            and gap.rstrip().endswith("(")
            and len(gap) <= 60
            and not re.search(r"[;:.]", gap)
        ):
            pairs.append((i, i + 1))
    for i, j in pairs:
        a, b = figures[i], figures[j]
        if (a.kpi is None) == (b.kpi is None):
            continue
        known, bare, k = (a, b, j) if a.kpi else (b, a, i)
        kpi = partner_kpi(known.kpi, bare.unit, bare.label)
        if kpi is not None:
            figures[k] = replace(bare, kpi=kpi, confidence=round(min(bare.confidence + 0.05, 0.99), 2))
    return _bracketed_kpis(figures, spans, sentence)


def _bracketed_kpis(figures: list[Figure], spans: list[tuple[int, int]], sentence: str) -> list[Figure]:
    """Figures in a bracket opened straight after a figure ("new claims in 14.8 days (16.2 days in 2024/25, target
    18 days) and changes of circumstances …") are that figure's baseline, target or comparator: they take its KPI,
    not one named after the bracket, unless the bracket names a KPI of its own."""
    for i in range(len(figures)):
        if figures[i].kpi is None:
            continue
        after = sentence[spans[i][1] :]
        opened = re.match(r"^\s*(?:%|days?|weeks?|per\s+cent)?\s*\(", after)
        comparator_only = False
        if not opened:
            # "1,709 compliments were recorded (1,815 in 2023/24)": a bracket closing the figure's clause that holds
            # only earlier figures and their periods restates the same measure
            opened = _CLAUSE_THEN_BRACKET.match(after)
            if not opened or (i + 1 < len(figures) and spans[i + 1][0] < spans[i][1] + opened.end()):
                continue
            if _NEW_SUBJECT.search(after[: opened.end() - 1]):
                continue  # "Overall absence was 6.9% and persistent absence (18.8%)": the new subject's bracket
            comparator_only = True
        start = spans[i][1] + opened.end()
        close = sentence.find(")", start)
        if close < 0 or find_mentions(sentence[start:close]):
            continue
        if comparator_only:
            inside = [(a, b) for a, b in spans if start <= a < close]
            if len(inside) != 1:  # "(August: 254 and 162)"
                continue
            (a, b), words = inside[0], sentence[start:close]
            if not _COMPARATOR_WORDS.fullmatch(words[: a - start] + " " + words[b - start :]):
                continue
        inside = [j for j in range(i + 1, len(figures)) if spans[j][0] < close]
        clause = sentence.rfind(";", 0, spans[i][0]), sentence.rfind(":", 0, spans[i][0])
        listed = [j for j in range(i + 1) if spans[j][0] > max(clause) and figures[j].unit == figures[i].unit]
        if len(inside) >= 2 and len(inside) == len(listed):
            continue  # "Housing Benefit 3,861, Council Tax Support 5,608 (a year earlier 4,052 and 5,689)": each its own
        for j in inside:
            kpi = partner_kpi(figures[i].kpi, figures[j].unit, figures[j].label)
            if kpi is not None and figures[j].kpi != kpi:
                figures[j] = replace(figures[j], kpi=kpi)
    return figures


# the rest of a figure's clause, then a bracket: no other clause, bracket or sentence break between
_CLAUSE_THEN_BRACKET = re.compile(r"^[^;:.()\u2013\u2014]{1,80}?\(")
# what a bracket of earlier figures may hold besides them: periods and the words that date them
_COMPARATOR_WORDS = re.compile(
    r"(?:[\s,:;%]|\b(?:in|at|on|for|and|the|same|period|quarter|month|year|last|previous|prior|Q[1-4]|"
    rf"(?:19|20)\d\d(?:/\d\d(?:\d\d)?)?|\d{{1,2}}|{MONTH_RE})\b)*",
    re.I,
)


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    """A blank English pipeline with the councilkpi components; built once per process."""
    nlp = spacy.blank("en")
    nlp.tokenizer = PageTokenizer(nlp.vocab)
    nlp.add_pipe("councilkpi_sentences")
    nlp.add_pipe("councilkpi_kpi_matcher")
    nlp.add_pipe("councilkpi_figures")
    return nlp


def analyse(
    text: str, paper_date: date | None, boilerplate: frozenset[str] = frozenset(), report_period: Period | None = None
) -> Doc:
    """Run the pipeline over one page of text."""
    nlp = build_nlp()
    doc = nlp.make_doc(text)
    doc.user_data["paper_date"] = paper_date
    doc.user_data["text"] = text
    doc.user_data["report_period"] = report_period
    doc.user_data["boilerplate"] = boilerplate
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc
