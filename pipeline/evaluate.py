"""Score extraction against hand-annotated gold figures: precision, core recall, period, role and label accuracy."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from extractors.metrics import extract_metrics
from extractors.periods import month_end
from extractors.roles import ROLES as EXTRACTOR_ROLES
from models.records import ExtractionResult, FailedPaper, Observation
from pipeline.collect import collect
from pipeline.stages import extract_text


@dataclass(frozen=True)
class GoldFigure:
    """One hand-annotated figure (format: tests/fixtures/gold/README.md, from ../shared/gold/README.md)."""

    doc: str
    value: float
    unit: str
    period: str | None
    kpi: str
    role: str
    core: bool
    quote: str
    page: int | None = None
    exhaustive_page: bool | None = None


def _role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    return role


def read_gold(path: Path) -> list[GoldFigure]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(
                GoldFigure(
                    doc=d["doc"],
                    value=float(d["value"]),
                    unit=d["unit"],
                    period=d.get("period"),
                    kpi=d["kpi"],
                    role=_role(d["role"]),
                    core=bool(d["core"]),
                    quote=d["quote"],
                    page=d.get("page"),
                    exhaustive_page=d.get("exhaustive_page"),
                )
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a gold figure: {exc}") from exc
    return out


def _point(text: str, end: bool) -> date:
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 2:
        return month_end(parts[0], parts[1]) if end else date(parts[0], parts[1], 1)
    return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)


def gold_interval(period: str) -> tuple[date, date]:
    """'2021-10' → Oct 2021; '2021-03-31' → that day; '2018' → the year; 'A/B' or 'A..B' → from A to B."""
    for sep in ("..", "/"):
        if sep in period:
            a, b = period.split(sep, 1)
            return _point(a, False), _point(b, True)
    return _point(period, False), _point(period, True)


def period_correct(gold: GoldFigure, obs: Observation, exact: bool = False) -> bool:
    """Null matches null; otherwise the predicted period must lie within the gold one (or equal it: exact)."""
    if gold.period is None:
        return obs.period_start is None
    if obs.period_start is None or obs.period_end is None:
        return False
    start, end = gold_interval(gold.period)
    if exact:
        return (obs.period_start, obs.period_end) == (start, end)
    return start <= obs.period_start and obs.period_end <= end


ROLES = EXTRACTOR_ROLES
_STOPWORDS = frozenset(
    "the of a an and in for to by with on at as from or per than who which that is are was were be been its their "
    "our all".split()
)


def label_tokens(text: str | None) -> set[str]:
    """Words of a label for matching: lower case, letters and digits only, stopwords dropped, plurals folded."""
    words = re.findall(r"[a-z0-9]+", (text or "").lower())
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words} - _STOPWORDS


def label_correct(gold: GoldFigure, obs: Observation) -> bool:
    """Does the figure's label name the gold indicator (the gold ``kpi`` field)?

    Rule: with both reduced to label_tokens, at least 60% of the gold's words are in the label (it names the
    indicator) and at least half of the label's words are the gold's (it is not a paragraph that happens to
    contain the name). A figure with no label is wrong."""
    g, lab = label_tokens(gold.kpi), label_tokens(obs.label)
    if not g or not lab:
        return False
    common = len(g & lab)
    return common >= 0.6 * len(g) and common >= 0.5 * len(lab)


def period_spans(gold: GoldFigure, obs: Observation) -> bool:
    """Stricter than period_correct: where the gold period is an interval ``A/B`` longer than a month, the
    prediction must also cover at least half of it (a single day inside "the last 12 months" is wrong). Gold
    files that write windows as ``A/B`` instead of ``A..B`` (seeds.jsonl: "currently") score lower on it."""
    if not period_correct(gold, obs) or gold.period is None or obs.period_start is None or obs.period_end is None:
        return period_correct(gold, obs)
    start, end = gold_interval(gold.period)
    span = (end - start).days + 1
    if ".." in gold.period or "/" not in gold.period or span <= 31:
        return True
    return ((obs.period_end - obs.period_start).days + 1) * 2 >= span


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass
class Match:
    gold: GoldFigure
    obs: Observation


@dataclass
class PaperScore:
    doc: str
    matches: list[Match] = field(default_factory=list)
    misses: list[GoldFigure] = field(default_factory=list)
    false_positives: list[tuple[Observation, str]] = field(default_factory=list)
    unverified: list[tuple[Observation, str]] = field(default_factory=list)
    n_gold_core: int = 0
    error: str | None = None

    @property
    def core_matches(self) -> list[Match]:
        return [m for m in self.matches if m.gold.core]


def _quote_near(page_text: str, obs: Observation, quote: str) -> bool:
    pad = len(quote) + 8
    window = _norm(page_text[max(0, obs.page_start - pad) : obs.page_end + pad])
    return _norm(quote) in window


def score_paper(doc: str, gold: list[GoldFigure], result: ExtractionResult) -> PaperScore:
    """Match gold figures to observations one-to-one: same value and unit, quote around the value."""
    pages = {p.number: p.text for p in result.document.pages}
    score = PaperScore(doc, n_gold_core=sum(g.core for g in gold))
    unmatched = list(result.observations)
    for g in sorted(gold, key=lambda g: not g.core):
        found = None
        for obs in unmatched:
            if abs(obs.value - g.value) > 1e-6 * max(1.0, abs(g.value)) or obs.unit != g.unit:
                continue
            if g.page is not None and obs.page != g.page:
                continue
            if _quote_near(pages[obs.page], obs, g.quote):
                found = obs
                break
        if found is None:
            if g.core:
                score.misses.append(g)
            continue
        unmatched.remove(found)
        score.matches.append(Match(g, found))
    sentences = {s.id: s.text for s in result.sentences}
    # a gold file that marks exhaustively annotated pages only vouches for those pages: a figure elsewhere
    # that it does not list is "unverified", not a false positive
    marked = [g for g in gold if g.exhaustive_page is not None]
    exhaustive = {g.page for g in marked if g.exhaustive_page} if marked else None
    for o in unmatched:
        entry = (o, " ".join(sentences[o.sentence_id].split()))
        if exhaustive is None or o.page in exhaustive:
            score.false_positives.append(entry)
        else:
            score.unverified.append(entry)
    return score


@dataclass
class Totals:
    tp: int
    fp: int
    gold_core: int
    period_ok: int
    period_exact: int
    role_ok: int
    label_ok: int = 0
    period_span: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold_core if self.gold_core else 1.0

    @property
    def period_accuracy(self) -> float:
        return self.period_ok / self.tp if self.tp else 1.0

    @property
    def period_span_accuracy(self) -> float:
        return self.period_span / self.tp if self.tp else 1.0

    @property
    def period_exact_accuracy(self) -> float:
        return self.period_exact / self.tp if self.tp else 1.0

    @property
    def role_accuracy(self) -> float:
        return self.role_ok / self.tp if self.tp else 1.0

    @property
    def label_accuracy(self) -> float:
        return self.label_ok / self.tp if self.tp else 1.0


def totals(scores: list[PaperScore]) -> Totals:
    """Precision counts core matches against unmatched observations (non-core matches count neither way)."""
    core = [m for s in scores for m in s.core_matches]
    return Totals(
        tp=len(core),
        fp=sum(len(s.false_positives) for s in scores),
        gold_core=sum(s.n_gold_core for s in scores),
        period_ok=sum(period_correct(m.gold, m.obs) for m in core),
        period_exact=sum(period_correct(m.gold, m.obs, exact=True) for m in core),
        role_ok=sum(m.gold.role == m.obs.role for m in core),
        label_ok=sum(label_correct(m.gold, m.obs) for m in core),
        period_span=sum(period_spans(m.gold, m.obs) for m in core),
    )


def find_paper(papers: Path, doc: str) -> Path | None:
    candidates = sorted(p for p in papers.glob(f"{doc}.*") if p.suffix.lower() != ".csv")
    pdfs = [p for p in candidates if p.suffix.lower() == ".pdf"]
    return (pdfs or candidates or [None])[0]


def _unscored(doc: str, figures: list[GoldFigure], error: str) -> PaperScore:
    """A paper that could not be extracted: all its core figures are misses."""
    core = [g for g in figures if g.core]
    return PaperScore(doc, misses=core, n_gold_core=len(core), error=error)


def evaluate(gold_path: Path, papers: Path) -> list[PaperScore]:
    """Extract every paper named in the gold file from ``papers`` and score it."""
    gold = read_gold(gold_path)
    by_doc: dict[str, list[GoldFigure]] = defaultdict(list)
    for g in gold:
        by_doc[g.doc].append(g)
    scores = []
    for doc, figures in by_doc.items():
        path = find_paper(papers, doc)
        if path is None:
            scores.append(_unscored(doc, figures, f"no paper named {doc}.* in {papers}"))
            continue
        (src,) = collect([path])
        document = extract_text(src)
        if isinstance(document, FailedPaper):
            scores.append(_unscored(doc, figures, f"{path}: {document.reason}: {document.message}"))
            continue
        scores.append(score_paper(doc, figures, extract_metrics(document)))
    return scores
