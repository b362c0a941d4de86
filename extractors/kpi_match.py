"""Decide which taxonomy KPI a figure measures, only when unit, counted noun and phrase agree; else none."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractors.number_words import words_to_number
from extractors.periods import MONTH_RE
from models.taxonomy import Kpi, Taxonomy, load_taxonomy


@dataclass(frozen=True)
class KpiMention:
    """A taxonomy phrase found in a sentence: the KPI it names and where it sits (offsets in the sentence)."""

    kpi: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class KpiChoice:
    """The KPI chosen for a figure (or None) and the id of the rule that decided it."""

    kpi: str | None
    rule: str


# words that end the head noun phrase of a label ("visits for children looked after" -> "visits")
_HEAD_BREAK = re.compile(
    r"\b(?:of|for|in|on|with|who|whom|that|which|were|was|is|are|had|have|has|been|by|to|at|from|per|than|"
    r"whose|where|when|being|remain|remained|received|receiving|having|using|within|during|became|become|becomes|not)\b",
    re.I,
)
# a word that may follow the head noun of a label: a participle or adverb ("children looked after", "visits
# completed"), not another noun ("household waste")
_HEAD_FOLLOWER = re.compile(
    r"^(?:\w+(?:ed|ing|en)|held|made|seen|kept|met|paid|sent|left|set|run|won|lost|found|known|built|shown|"
    r"now|currently|still|only|who|all|both|each|together)$",
    re.I,
)
_CLAUSE_BREAK = re.compile(r";|\.(?:\s|(?=[A-Z]))|\bwhile\b|\bwhereas\b|\bbut\b|:\s")
# "of whom 100% …", "of these, 58% …": a share of a sub-group named earlier; only its own label can name the KPI
_OF_SUBGROUP = re.compile(
    r"\b(?:of\s+whom|of\s+which|of\s+these|of\s+those|of\s+them)\s*,?\s*(?:over|around|about|nearly|almost|only|just)?\s*$",
    re.I,
)
# "40.4% of children with EHCPs are educated in a special school": the phrase names the base, not the measure
_BASE_LEAD = re.compile(r"\b(?:with|who\s+(?:have|had|are|were)|subject\s+to|on)\s+(?:an?\s+|the\s+|their\s+)?$", re.I)
_BASE_VERB = re.compile(
    r"^\s*(?:in\s+\w+\s+)?(?:are|were|is|was|have|had|live|lived|attend|attended|achieved|achieve|received|receive|"
    r"got|gained|made|left|moved|went)\b",
    re.I,
)
# "prevented ten children from coming into care": the count is of what did not happen
_COUNTERFACTUAL = re.compile(r"\b(?:prevent\w*|avoid\w*|divert\w*)\s+(?:\w+\s+){0,3}$", re.I)
# "9−4 standard pass", "aged 16-19", "1-2 years": a number inside a range of grades, ages or years
_RANGE_NEIGHBOUR_BEFORE = re.compile(r"\d\s?[−–-]\s?$")
_RANGE_NEIGHBOUR_AFTER = re.compile(r"^\s?[−–-]\s?\d")
# "an inequality in life expectancy", "the gap in attainment": the phrase qualifies another measure
_MODIFIER_BEFORE = re.compile(
    r"\b(?:(?:inequality|inequalities|gap|gaps|difference)\s+(?:in|for|between|of)\s+(?:the\s+)?|"
    # "children placed in *unregistered* children's homes": a kind of the thing the KPI counts, not the KPI
    r"(?:unregistered|unregulated|unauthori[sz]ed|illegal|unlicensed)\s+|"
    # "12 newly qualified social workers", "18 international social workers": a cohort of the workforce
    r"(?:newly(?:\s+qualified|\s+recruited)?|internationally\s+recruited|international|trainee|student)\s+)$",
    re.I,
)
# a population count ("102 children looked after") is the population's size only when nothing else is said of
# it: not "Twelve children looked after *have an advocate*", "*working with* 11 children looked after"
_POPULATION_PREDICATE = re.compile(r"^\s*(?:have|has|had|who|with|receiv\w*|attend\w*|get|got|gain\w*)\b", re.I)
_POPULATION_OBJECT = re.compile(
    r"\b(?:with|for|to|supporting|supported|support|helped|helping|visited|seen|working with|worked with)\s+"
    r"(?:(?:a|an|the|around|about|approximately|over|nearly|almost|some|only|just)\s+)*$",
    re.I,
)
_SHARE_OF = re.compile(r"(?:%|\bper\s?cent|\bpercentage|\bproportion)\s+of\s+(?:all\s+|new\s+|the\s+)?$", re.I)
_BASE_GAP = re.compile(r"\s+(?:were|was|are|is|have\s+been|has\s+been|had\s+been)\s+", re.I)
_OF_BASE = re.compile(r"\bof\s+(?:the\s+|all\s+|our\s+|these\s+)?$", re.I)
_COMMA_ONLY = re.compile(r"\s*,\s*")
# a count of people who moved ("left", "joined", "were recruited"), a sample someone spoke to or a plan to recruit,
# or a part of an earlier count ("241 agency workers …, 44 of them social workers"): not the stock a KPI counts
_FLOW_AFTER = re.compile(
    r"^\s+(?:have\s+|had\s+|were\s+|was\s+)?(?P<verb>left|leaving|recruited|resigned|"
    r"interviewed|appointed|joined)\b",
    re.I,
)
_SAMPLE_BEFORE = re.compile(
    r"\b(?:recruit|recruiting|recruited|appointed|to\s+recruit|spoke\s+to|speak\s+to|spoken\s+to|interviewed|"
    r"met\s+with|met|surveyed|sampled|audited|all\s+but)\s+(?:an?\s+additional\s+|a\s+further\s+|another\s+)?$",
    re.I,
)
# "overspent by £6.8m", "forecast to overspend by £23.0m", "an in-year overspend of": the year's addition to a
# deficit, not the deficit
_IN_YEAR_OVERSPEND = re.compile(
    r"\b(?:overspen[dt]\w*|in-year\s+(?:overspend|deficit)|pressure)\s+(?:by\s+|of\s+)?(?:an?\s+)?"
    r"(?:estimated\s+|forecast\s+|further\s+)?$",
    re.I,
)
_PART_OF = re.compile(r"^\s+of\s+(?:them|these|those|whom)\s+$", re.I)
# "among pupils eligible for free school meals", "for pupils with an EHC plan": a group whose rate of another measure
# the percentage is, not the group's share of all pupils
_SUBGROUP_RATE = re.compile(
    r"\b(?:among(?:st)?\s+(?:the\s+)?|(?:for|and|or)\s+(?:pupils|children|people|adults|young\s+people)\s+"
    r"(?:with\s+(?:an?\s+)?|eligible\s+for\s+|on\s+|who\s+(?:are|have)\s+))(?:[\w-]+\s+){0,3}$",
    re.I,
)


def _flow_or_sample(sentence: str, m: KpiMention, f0: int, f1: int, kpi: Kpi) -> bool:
    """Does the count measure a movement, a sample or a part rather than the stock the KPI counts?"""
    flow = _FLOW_AFTER.match(sentence[m.end : m.end + 40])
    if flow and _stem(flow.group("verb").lower()) not in _own_stems(kpi):
        return True
    if m.start >= f1 and _PART_OF.match(sentence[f1 : m.start]):
        return True
    return bool(_SAMPLE_BEFORE.search(sentence[max(0, f0 - 40) : f0]))


_FOR_ANOTHER = re.compile(r"\b(?P<head>[a-z][\w-]*s)\s+(?:for|about|regarding|against)\s+(?:the\s+|an?\s+)?$", re.I)
_MEASURE_HEADS = frozenset(
    "number numbers percentage proportion rate rates share total count level levels timeliness performance "
    "satisfaction average time times days weeks months wait waiting".split()
)


def _of_another(sentence: str, label_start: int, m: KpiMention, mentions: list[KpiMention]) -> bool:
    """Do the label's words before a KPI phrase end in other things (a plural noun) and "for"/"about" ("Fixed
    penalty notices for"), so the phrase names what those are for, not what is counted? Not a verb ("Entered for"),
    a measure's word ("Days for") or a KPI's own phrase ("CP plans for a second or subsequent time")."""
    found = _FOR_ANOTHER.search(sentence[label_start : m.start])
    if not found:
        return False
    head = found.group("head").lower()
    h0, h1 = label_start + found.start("head"), label_start + found.end("head")
    if head in _MEASURE_HEADS or re.search(r"(?:ed|ing)$", head):
        return False
    return not any(o is not m and o.start < h1 and o.end > h0 for o in mentions)


_MEASURE_BETWEEN = re.compile(r"(?<![\w/.])\d[\d,.]*\s*(?:%|per\s?cent)|£\s?\d", re.I)
_NEW_CLAUSE = re.compile(
    r",\s+(?:and|while|whilst|with|whereas)\s|\band\s+(?:close|reduce|increase|improve|narrow|maintain|deliver|"
    r"raise|cut|halve|double)\b",
    re.I,
)
_SUBGROUP_BETWEEN = re.compile(r"\b(?:all\s+|some\s+|most\s+|none\s+)?of\s+(?:whom|which|these|those|them)\b", re.I)
_BESIDE = 12
"""A qualifier KPI (a population) must sit this close to the figure (characters) unless its label names it."""
_CLAUSE_BEFORE = 90
_CLAUSE_AFTER = 60
"""How far (characters) a KPI phrase may sit before or after a figure whose label does not name it."""


@lru_cache(maxsize=4)
def _noun_pattern(taxonomy: Taxonomy) -> tuple[re.Pattern[str], dict[str, str]]:
    group_of = {w.lower(): group for group, words in taxonomy.nouns.items() for w in words}
    words = sorted(group_of, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.I)
    return pattern, group_of


def counted_noun(label: str | None, taxonomy: Taxonomy | None = None) -> str | None:
    """The counted-noun group of a label's head noun phrase: "review health assessments" -> assessments,
    "children looked after" -> children, "statutory visits for children" -> visits; None if it names none."""
    if not label:
        return None
    taxonomy = taxonomy or load_taxonomy()
    pattern, group_of = _noun_pattern(taxonomy)
    label = _KEY_LEAD.sub("", label.strip())  # "Percentage of care leavers …" counts care leavers
    cut = _HEAD_BREAK.search(label)
    head = label[: cut.start()] if cut and cut.start() > 0 else label
    found = list(pattern.finditer(head))
    if not found:
        return None
    last = found[-1]
    following = head[last.end() :].split()
    if following and not _HEAD_FOLLOWER.match(following[0]):
        return None  # "household waste": the counted word only qualifies another noun
    return group_of[last.group(0).lower()]


def _unit_fits(kpi: Kpi, unit: str, role: str) -> bool:
    if kpi.takes_unit(unit):
        return True
    # a rise or fall of a count is often given in percent ("referrals rose by 12%")
    return role == "change" and unit == "percent" and "count" in kpi.units


def _noun_fits(kpi: Kpi, noun: str | None) -> bool:
    return noun is None or noun in kpi.counts


def _between_has_figure(lo: int, hi: int, others: list[tuple[int, int]]) -> bool:
    return any(lo <= s < hi or lo < e <= hi for s, e in others)


def choose_kpi(
    sentence: str,
    mentions: list[KpiMention],
    figure: tuple[int, int],
    others: list[tuple[int, int]],
    label: str | None,
    unit: str,
    role: str,
    taxonomy: Taxonomy | None = None,
) -> KpiChoice:
    """The KPI a figure (``figure`` = its start and unit end in the sentence) measures.

    In order: a KPI phrase inside the figure's own label; a population KPI right beside the figure; the nearest
    KPI phrase of the figure's clause with no other figure in between. Each candidate must take the figure's
    unit and the counted noun of its label (2,356 *meetings* is no KPI of children); two different KPIs
    equally near are a doubt, and a doubt gives no KPI.
    """
    taxonomy = taxonomy or load_taxonomy()
    f0, f1 = figure
    before = sentence[max(0, f0 - 40) : f0]
    if unit == "count" and _BASE_OF.search(before) and _PERCENT_LATER.search(sentence[f1:]):
        return KpiChoice(None, "kpi.none.base_count")  # "Of the 120 case audits completed, 67% were good"
    if _OF_SUBGROUP.search(before[-30:]):
        return KpiChoice(None, "kpi.none.subgroup")
    if _COUNTERFACTUAL.search(before[-30:]):
        return KpiChoice(None, "kpi.none.counterfactual")
    if unit == "count" and (_RANGE_NEIGHBOUR_BEFORE.search(before) or _RANGE_NEIGHBOUR_AFTER.match(sentence[f1:])):
        return KpiChoice(None, "kpi.none.range")
    if _in_tile_grid(sentence, figure, others, mentions):
        return KpiChoice(None, "kpi.none.tile_grid")
    noun = counted_noun(label, taxonomy)
    low_label = (label or "").lower()
    # where the label sits in the sentence: after the figure, else before it
    label_at = _label_span(sentence, low_label, f0, f1)
    population = _population(mentions, taxonomy, label_at, f0, f1)
    candidates: list[tuple[KpiMention, Kpi]] = []
    rejected = "kpi.none"
    low_sentence = " ".join(sentence.lower().replace("’", "'").split())
    base = _BASE_CLAUSE.search(sentence[:f0])
    for m in mentions:
        kpi = taxonomy.get(m.kpi)
        if kpi is None:
            continue
        if base is not None and base.start("base") <= m.start < base.end():
            rejected = "kpi.none.base_clause"  # "Of the 3,012 people in long-term support, 1,835 had been reviewed"
            continue
        if _MODIFIER_BEFORE.search(sentence[max(0, m.start - 30) : m.start]):
            rejected = "kpi.none.modifier"
            continue
        if unit == "count" and _flow_or_sample(sentence, m, f0, f1, kpi):
            # "21 social workers left", "spoke to 23 social workers", "44 of them social workers"
            rejected = "kpi.none.flow"
            continue
        if (
            unit == "gbp"
            and "deficit" in kpi.name.lower()
            and _IN_YEAR_OVERSPEND.search(sentence[max(0, f0 - 40) : f0])
        ):
            # "the high needs block is forecast to overspend by £23.0m, taking the cumulative deficit to £60.3m"
            rejected = "kpi.none.in_year_overspend"
            continue
        if unit == "percent" and _SUBGROUP_RATE.search(sentence[max(0, m.start - 40) : m.start]):
            rejected = "kpi.none.subgroup_rate"  # "Among pupils eligible for free school meals the rate was 31.2%"
            continue
        if label_at and label_at[0] <= m.start < label_at[1] and _of_another(sentence, label_at[0], m, mentions):
            rejected = "kpi.none.attribute"  # "Fixed penalty notices for fly-tipping": notices, not fly-tips
            continue
        if not kpi.qualifier and not kpi.takes_population(population or _population_after(m, mentions, sentence)):
            rejected = "kpi.none.population"
            continue
        if kpi.not_after and re.search(
            r"\b(?:" + "|".join(map(re.escape, kpi.not_after)) + r")\s+$",
            sentence[max(0, m.start - 40) : m.start],
            re.I,
        ):
            rejected = "kpi.none.not_after"  # "468 *new* EHC plans were issued" are not the plans maintained
            continue
        if kpi.not_in_clause:
            if any(re.search(p, sentence, re.I) for p in kpi.not_in_clause):
                rejected = "kpi.none.not_in_clause"  # one service's budget, not the council's
                continue
        if unit == "count" and _timely_only(kpi) and not _TIME_LIMIT.search(sentence[m.start : m.end + 60]):
            rejected = "kpi.none.not_timely"  # "412 FOI requests" received, not answered in time
            continue
        if kpi.context and not any(c in low_sentence for c in kpi.context):
            rejected = "kpi.none.context"  # "agency staff" of the whole workforce is no figure of agency social workers
            continue
        if not _unit_fits(kpi, unit, role):
            rejected = "kpi.none.unit"
            continue
        if not _noun_fits(kpi, noun):
            rejected = "kpi.none.noun"
            continue
        if unit == "percent" and m.start >= f1 and _names_base(sentence, m):
            rejected = "kpi.none.base"
            continue
        if unit == "count" and _PERCENT_MEASURE.search(sentence[max(0, m.start - 40) : m.start]):
            rejected = "kpi.none.percent_measure"  # "Percentage of care leavers in suitable accommodation … 10"
            continue
        if unit == "count" and _timely(kpi) and _PERCENT_LATER.search(sentence[f1:]):
            rejected = "kpi.none.base_count"  # "286 FOI requests … responded to 88.4% within 20 working days"
            continue
        if _narrowed_after(sentence, m, kpi):
            rejected = "kpi.none.narrowed"  # "care leavers at university", "enquiries where risk was reduced"
            continue
        if _TEAM_AFTER.match(sentence[m.end :]):
            rejected = "kpi.none.team"  # "19 in the children in care teams": a team's name, not the population
            continue
        if m.start >= f1 and _OF_THE.fullmatch(sentence[f1 : m.start]) and _STATE_AFTER.match(sentence[m.end :]):
            rejected = "kpi.none.subgroup_of"  # "61 of the children in care are unaccompanied": a part of them
            continue
        if label_at and label_at[0] <= m.start and m.end <= label_at[1] and _modifies_next(sentence, m, label_at, kpi):
            rejected = "kpi.none.modifier"  # "318 food hygiene inspections": the phrase qualifies another noun
            continue
        candidates.append((m, kpi))
    if unit == "percent" and len(candidates) > 1:
        # "41% of new Education, Health and Care Plans were issued within 20 weeks": the first phrase is the base
        # of the share, the phrase after the verb what is measured
        candidates = [
            (m, k)
            for m, k in candidates
            if not (
                m.start >= f1
                and _SHARE_OF.search(sentence[max(0, m.start - 30) : m.start])
                and any(o.start >= m.end and _BASE_GAP.fullmatch(sentence[m.end : o.start]) for o, _ in candidates)
            )
        ]
    if not candidates:
        return KpiChoice(None, rejected if mentions else "kpi.none")

    def distance(m: KpiMention) -> int:
        return m.start - f1 if m.start >= f1 else f0 - m.end if m.end <= f0 else 0

    named = [(m, k) for m, k in candidates if label_at and m.start < label_at[1] and m.end > label_at[0]]
    specific = [(m, k) for m, k in named if not k.qualifier]
    if specific:
        best = max(specific, key=lambda mk: (len(mk[0].text), -distance(mk[0])))
        same = {k.id for m, k in specific if (m.start, m.end) == (best[0].start, best[0].end)}
        if len(same) > 1:  # one phrase, two KPIs that both take this figure: a doubt
            return KpiChoice(None, "kpi.none.ambiguous")
        return KpiChoice(best[1].id, "kpi.label")

    def base_of(m: KpiMention) -> bool:
        """ "Of the children in care, 86 were …": the phrase is the base the figure is a part of."""
        return (
            m.end <= f0
            and bool(_OF_BASE.search(sentence[max(0, m.start - 12) : m.start]))
            and bool(_COMMA_ONLY.fullmatch(sentence[m.end : f0]))
        )

    def beside_it(m: KpiMention, k: Kpi) -> bool:
        if base_of(m):
            return False
        if m.end <= f0 and _follows_other(sentence, m, others) and not _LEADS_TO.match(sentence[m.end : f0]):
            return False  # "Of the 471 children in care, 87 …": the phrase is the earlier figure's
        if distance(m) <= _BESIDE:
            return True
        # "102 children are in the care of the local authority": the counted noun, then the population's phrase
        gap = sentence[f1 : m.start] if m.start >= f1 else ""
        return (
            noun is not None
            and noun in k.counts
            and m.start >= f1
            and distance(m) <= 30
            and not _CLAUSE_BREAK.search(gap)
            and not _between_has_figure(f1, m.start, others)
        )

    def population_size(m: KpiMention) -> bool:
        if _POPULATION_PREDICATE.match(sentence[m.end :]):
            return False
        # "cares for 865 children" names the population itself; "working with 11 children looked after" does not
        return (m.end <= f0 and f0 - m.end <= _BESIDE) or not _POPULATION_OBJECT.search(before)

    beside = [(m, k) for m, k in candidates if k.qualifier and beside_it(m, k) and population_size(m)]
    if beside:
        return KpiChoice(min(beside, key=lambda mk: distance(mk[0]))[1].id, "kpi.beside")
    named = [(m, k) for m, k in named if population_size(m)]
    if named:
        best_m, best_k = max(named, key=lambda mk: len(mk[0].text))
        if label_at and _narrows(sentence[label_at[0] : label_at[1]], best_m, label_at[0]):
            return KpiChoice(None, "kpi.none.subpopulation")  # "care leavers in custody" are not all care leavers
        return KpiChoice(best_k.id, "kpi.label")
    cut = label_at is not None and any(m.start < label_at[1] < m.end for m in mentions)  # "new Education, Health …"
    if not cut and _specific(label, noun) and not _covered_by_population(mentions, taxonomy, label_at):
        return KpiChoice(None, "kpi.none.own_label")  # the figure's own label names something the taxonomy lacks
    clause = []
    for m, k in candidates:
        if k.qualifier:
            continue
        lo, hi = (f1, m.start) if m.start >= f1 else (m.end, f0)
        if hi < lo:
            lo, hi = hi, lo
        limit = _CLAUSE_AFTER if m.start >= f1 else _CLAUSE_BEFORE
        if hi - lo > limit or _CLAUSE_BREAK.search(sentence[lo:hi]) or _between_has_figure(lo, hi, others):
            continue
        if m.end <= f0 and _follows_other(sentence, m, others) and not _LEADS_TO.match(sentence[m.end : f0]):
            continue  # "86% have a health review and 70% …": the phrase after a figure is that figure's
        if base_of(m):
            continue  # "Of the children in care, 86 were unaccompanied asylum-seeking children": the base
        if _MEASURE_BETWEEN.search(sentence[lo:hi]):
            continue  # "£59.27m a year ago, reflecting the 4.99% increase in the Band D charge": another measure's
        if m.start >= f1 and _NEW_CLAUSE.search(sentence[f1 : m.start]):
            continue  # "close to the 50% target, and successful completion of treatment …": the next clause's
        if m.start >= f1 and _SUBGROUP_BETWEEN.search(sentence[f1 : m.start]):
            continue  # "4 live in special schools, all of whom live out of the area": the phrase is the sub-group's
        if m.start >= f1 and _names_next(sentence, m, f1, others):
            continue  # "Turnover was 17.5% (21.8%), the vacancy rate 12.4%": the phrase names the figure after it
        clause.append((m, k))
    if not clause:
        return KpiChoice(None, "kpi.none.far")
    clause.sort(key=lambda mk: (distance(mk[0]), -len(mk[0].text)))
    first = clause[0]
    for m, k in candidates:
        # "a child protection plan for a second or subsequent time": the phrase right after qualifies the first
        if k.id != first[1].id and m.start >= first[0].end and _QUALIFIES.match(sentence[first[0].end : m.start]):
            return KpiChoice(k.id, "kpi.clause.qualified")
    rivals = [mk for mk in clause[1:] if mk[1].id != first[1].id and distance(mk[0]) - distance(first[0]) < 10]
    if rivals:
        return KpiChoice(None, "kpi.none.ambiguous")
    return KpiChoice(first[1].id, "kpi.clause")


_PERCENT_MEASURE = re.compile(r"\b(?:percentage|proportion|per\s?cent|%)\s+(?:of\s+)?(?:[\w'’-]+\s+){0,3}$", re.I)
# "Of the 3,012 people receiving long-term support at 31 March, 1,835 (60.9%) had been reviewed": the phrases of
# the opening "of the …" clause name the whole the figure right after its comma is a part of
_BASE_CLAUSE = re.compile(
    r"(?:^|[.;:]\s+)(?:\d+(?:\.\d+)*\s+)?(?P<base>of\s+(?:the\s+|these\s+|all\s+)?[\d,.]+%?\s[^,;]{3,160}),\s*$",
    re.I,
)
_PERCENT_LATER = re.compile(r"\d\s?(?:%|per\s?cent)", re.I)
_BASE_OF = re.compile(r"(?:^|[,;:(]\s*|\b)of\s+(?:the\s+|these\s+|all\s+)?$", re.I)


# "the children in care teams": a phrase naming a team
_TEAM_AFTER = re.compile(r"^\s+teams?\b", re.I)
# "61 of the children in care are …", "12 of our care leavers were …": a part of the population the phrase names
_OF_THE = re.compile(r"\s+of\s+(?:the|our|these|those|all)\s+", re.I)
_STATE_AFTER = re.compile(
    r"^\s*(?:are|were|is|was|have|had|live|lived|living|(?:had|have|has)\s+been)\b(?!\s+(?:looked\s+after|in\s+care)\b)",
    re.I,
)
_NARROWING = re.compile(
    r"^\s+(?:and\s+(?P<c>(?:have\s+|had\s+)?(?:moved|went|returned|now|then|since|subsequently|are\s+now|"
    r"were\s+then)\b)|(?P<n>naming|attending|awaiting\s+a\s+place)\b|"
    # "children with an EHC plan who are electively home educated": a part of them
    r"who\s+(?:are|were)\s+(?:an?\s+|the\s+|now\s+)?(?P<e>[a-z]+)|(?:where|whose|awaiting|waiting\s+for)\s+(?:an?\s+|the\s+)?(?P<a>[a-z]+)|"
    # "44 care leavers were at university", "12 care leavers were living in unsuitable accommodation"
    r"(?:(?P<v>(?:were|are|was|is)\s+(?:living\s+)?)(?:at|in)|at)\s+(?!\d|the\s+(?:end|time|point|start|same)|end\b|present\b|"
    r"any\b|least\b|most\b|risk\b)(?P<b>[a-z]+))",
    re.I,
)


def _narrowed_after(sentence: str, m: KpiMention, kpi: Kpi) -> bool:
    """Is the phrase followed by words that narrow it to something else ("care leavers *at university*",
    "safeguarding enquiries *where risk was reduced*"), words the KPI's own name does not have?"""
    found = _NARROWING.match(sentence[m.end :])
    if not found:
        return False
    if found.group("c") or found.group("n"):
        return True  # "ceased to be looked after *and moved on to independent living*": a part of them
    if found.group("v") and not kpi.qualifier:
        return False  # "171 apprentices are in post", "6.5% of B and C roads were in poor condition": the measure
    word = (found.group("a") or found.group("b") or found.group("e")).lower()
    return _singular(word) not in _own_words(kpi) and word not in _KEY_STOP


def _modifies_next(sentence: str, m: KpiMention, label_at: tuple[int, int], kpi: Kpi) -> bool:
    """Does the phrase qualify a noun that follows it in the label ("food hygiene *inspections*")?"""
    following = sentence[m.end : label_at[1]].split()
    if not following:
        return False
    if following[0].startswith("("):
        return False  # "temporary accommodation (snapshot)": an aside, not a noun the phrase qualifies
    word = following[0].lower().strip(",.;:()'’")
    if not word.isalpha() or word in _KEY_STOP or word in _LABEL_FILLER or _HEAD_BREAK.fullmatch(word):
        return False
    if _HEAD_FOLLOWER.match(word) or _singular(word) in _own_words(kpi):
        return False
    _, group_of = _noun_pattern(load_taxonomy())
    group = group_of.get(word) or group_of.get(_singular(word))
    return group is None or group not in kpi.counts


_QUALIFIES = re.compile(r"^\s*(?:for|of|in|at|within|by|lasting)\s+(?:a|an|the|their)?\s*$", re.I)


def _narrows(label: str, m: KpiMention, label_start: int) -> bool:
    """Does the label name a part of the population its phrase names ("care leavers *in custody*")?"""
    rest = label[: max(0, m.start - label_start)] + " " + label[max(0, m.end - label_start) :]
    key = label_key(_RATE_BASE.sub(" ", rest))
    return key is not None and not all(w in _LABEL_FILLER for w in key.split())


def _population(
    mentions: list[KpiMention], taxonomy: Taxonomy, label_at: tuple[int, int] | None, f0: int, f1: int
) -> str | None:
    """The population (a qualifier KPI) the figure's label or its immediate neighbourhood names, if any."""
    for m in mentions:
        kpi = taxonomy.get(m.kpi)
        if kpi is None or not kpi.qualifier:
            continue
        inside = label_at is not None and label_at[0] <= m.start and m.end <= label_at[1]
        near = (m.start >= f1 and m.start - f1 <= 12) or (m.end <= f0 and f0 - m.end <= 12)
        if inside or near:
            return kpi.id
    return None


_PREDICATE_START = re.compile(
    r"^(?:have|has|had|live|lives|lived|living|are|were|is|was|be|been|being|remain\w*|stay\w*|achiev\w*|get|got|"
    r"completed?|received?|receiving|attend\w*|placed|seen|visited|gained|made|left|moved|went|returned|reviewed)\b",
    re.I,
)


_OF_POPULATION = re.compile(r"^\s*(?:of|for|among|amongst|by)\s+(?:the\s+|all\s+|our\s+)?$", re.I)


def _population_after(m: KpiMention, mentions: list[KpiMention], sentence: str) -> str | None:
    """ "fixed term exclusions *of children looked after*": the population a KPI phrase is said of."""
    taxonomy = load_taxonomy()
    for q in mentions:
        kpi = taxonomy.get(q.kpi)
        if kpi is not None and kpi.qualifier and q.start >= m.end and _OF_POPULATION.match(sentence[m.end : q.start]):
            return kpi.id
    return None


def _covered_by_population(mentions: list[KpiMention], taxonomy: Taxonomy, label_at: tuple[int, int] | None) -> bool:
    """Is the label a population's name ("children looked after"), which other KPIs qualify?"""
    for m in mentions:
        kpi = taxonomy.get(m.kpi)
        if kpi is not None and kpi.qualifier and label_at and m.start < label_at[1] and m.end > label_at[0]:
            return True
    return False


def _specific(label: str | None, noun: str | None) -> bool:
    """Does the label name a thing of its own ("existing loans", "liquidity allowance"): a noun phrase that is no
    counted noun of the taxonomy ("local authority's children") and no predicate ("completed within …")?"""
    key = label_key(label, series=False)
    if key is None or noun is not None or not label:
        return False
    return not _PREDICATE_START.match(label.strip())


def _names_base(sentence: str, m: KpiMention) -> bool:
    """Does the phrase qualify the base of a percentage ("% of children *with EHCPs* are …") rather than name
    what is measured?"""
    return bool(_BASE_LEAD.search(sentence[max(0, m.start - 25) : m.start]) and _BASE_VERB.match(sentence[m.end :]))


# "…, with an average wait to answer of 196 seconds": a phrase joined to the figure right after it is that figure's,
# though it follows another figure of the clause
_LEADS_TO = re.compile(
    r"^\s*(?:(?:of|was|were|is|are|at|stood at|stands at|reached|rose to|fell to|:)\s*)?(?:around|about|approximately)?\s*$",
    re.I,
)


def _in_tile_grid(
    sentence: str, figure: tuple[int, int], others: list[tuple[int, int]], mentions: list[KpiMention]
) -> bool:
    """Is the figure one of a run of bare values ("12.4% 78% 84%") after the names of two or more different KPIs
    ("Staff turnover Resolved at first contact Customer satisfaction"): a row of tiles read across, whose names and
    values cannot be paired by position with any certainty?"""
    spans = sorted({*others, figure})
    i = spans.index(figure)
    lo = hi = i
    while lo > 0 and not sentence[spans[lo - 1][1] : spans[lo][0]].strip():
        lo -= 1
    while hi + 1 < len(spans) and not sentence[spans[hi][1] : spans[hi + 1][0]].strip():
        hi += 1
    if hi == lo:
        return False
    start = spans[lo - 1][1] if lo > 0 else 0
    names: list[tuple[int, int, set[str]]] = []  # the KPI phrases before the run, overlapping ones merged
    for m in sorted((m for m in mentions if start <= m.start and m.end <= spans[lo][0]), key=lambda m: m.start):
        if names and m.start < names[-1][1]:
            names[-1] = (names[-1][0], max(names[-1][1], m.end), names[-1][2] | {m.kpi})
        else:
            names.append((m.start, m.end, {m.kpi}))
    return len(names) >= 2 and len(set().union(*(ids for _, _, ids in names))) >= 2


def _names_next(sentence: str, m: KpiMention, f1: int, others: list[tuple[int, int]]) -> bool:
    """Is the phrase the name of the figure right after it ("…, the vacancy rate 12.4%", "the vacancy rate was
    12.4%"), and not compared with this one ("spending of £213.6m against the net budget of £209.8m")?"""
    after = [s for s, _e in others if s >= m.end]
    if not after or _COMPARED.search(sentence[f1 : m.start]):
        return False
    gap = sentence[m.end : min(after)]
    if gap.strip() == "(":
        return True  # "… and pupils with an EHC plan (31.6%)"
    if ")" in sentence[f1 : m.start] and _NEXT_ITEM.fullmatch(gap):
        # "Overall satisfaction: 64.8% (London median 66.0%) Satisfaction with repairs: 68.9%": items of a list run
        # into one sentence; after the bracket closes, a name and colon begin the next item
        return True
    return ":" not in gap and bool(_LEADS_TO.match(gap))  # "living in care homes: 683 in residential care" breaks down


_NEXT_ITEM = re.compile(r"[^():;\d]{0,40}:\s*")
_COMPARED = re.compile(r"\b(?:against|compared|than|versus|vs\.?|relative\s+to)\b", re.I)


def _follows_other(sentence: str, m: KpiMention, others: list[tuple[int, int]]) -> bool:
    """Does the phrase read as what another, earlier figure measures (it follows that figure in its clause)?"""
    for _start, s1 in others:
        if s1 <= m.start and m.start - s1 <= _CLAUSE_AFTER and not _CLAUSE_BREAK.search(sentence[s1 : m.start]):
            return True
    return False


def _label_span(sentence: str, low_label: str, f0: int, f1: int) -> tuple[int, int] | None:
    """Where the figure's label sits in the sentence (the label has its whitespace collapsed)."""
    if not low_label.strip():
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in low_label.split()), re.I)
    found = [(m.start(), m.end()) for m in pattern.finditer(sentence)]
    if not found:
        return None
    after = [f for f in found if f[0] >= f1 and f[0] - f1 <= 30]
    if after:
        return after[0]
    before = [f for f in found if f[1] <= f0]
    return before[-1] if before else found[0]


@lru_cache(maxsize=4)
def _phrase_pattern(taxonomy: Taxonomy) -> tuple[re.Pattern[str], dict[str, list[str]]]:
    owners: dict[str, list[str]] = {}
    for kpi in taxonomy.kpis:
        for s in kpi.synonyms:
            owners.setdefault(s.lower(), []).append(kpi.id)
    phrases = sorted(owners, key=len, reverse=True)
    # words may be split by line breaks and runs of spaces in a PDF's text, and by a short aside in brackets
    # ("Business Rates (NNDR) collected")
    gap = r"(?:\s+\([^()]{1,24}\))?\s+"
    # a hyphenated word may be broken at a line end ("asylum-" / "seeking")
    alternatives = [gap.join(re.escape(w).replace(r"\-", r"-\s*") for w in p.split()) for p in phrases]
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])", re.I)
    return pattern, owners


def find_mentions(text: str, taxonomy: Taxonomy | None = None) -> list[KpiMention]:
    """Taxonomy phrases in a piece of text (longest first, no overlaps), for labels read outside spaCy."""
    taxonomy = taxonomy or load_taxonomy()
    pattern, owners = _phrase_pattern(taxonomy)
    out = []
    for m in pattern.finditer(text):
        phrase = " ".join(re.sub(r"-\s+", "-", _ASIDE.sub(" ", m.group(0))).lower().split())
        out += [KpiMention(kpi, m.start(), m.end(), phrase) for kpi in owners.get(phrase, ())]
    return out


_ASIDE = re.compile(r"\s\([^()]*\)")

# words a row label may add to a KPI's phrase without naming something else ("Total borrowing – Balance")
_LABEL_FILLER = frozenset(
    "total totals balance balances overall all number no percentage proportion rate per cent percent actual actuals "
    "current latest year ytd month monthly quarter quarterly annual cumulative figure value count indicator measure "
    "kpi performance outturn forecast position level end council councils authority local customer customers "
    "aged plus over above completed undertaken days day weeks week months hours minutes kg tonnes "
    # how and when a figure was counted, not what: "Fly-tipping incidents *reported*", "Section 42 enquiries
    # *started*", "requests received *during the calendar year*", "at their *most recent* inspection"
    "reported recorded received started maintained delivered provided made during calendar financial academic "
    "initial most recent inspection combined both services service use using eligible coverage report old "
    "average mean median responded answered collected processed processing living placed receiving receive in-year "
    "survey scheduled decided determined centre one full-time equivalent held previous young supported "
    # where, or how long: "in the borough", "on the county's roads", "rolling year", "live applications", "installed"
    "rolling borough district county city physical installed live community long-term receipt surveyed attended "
    # when: "cumulative from April", "April–September", "in the period", "to date", "average processing time"
    "time starting period date january february march april may june july august september october november "
    "december "
    # how fast: "Speed of processing: changes of circumstances", "Time taken to process new claims"
    "speed taken "
    # done, in other words: "assessments authorised in 45 working days", "finished in 45 working days", "missed
    # collections per 100,000 bins emptied", "issued within the 20-week statutory limit", "KSI casualties, all ages"
    "authorised finished emptied statutory ages "
    # "decided in 13 weeks / within an agreed extension", "MMR two doses by age 5", "families with dependent children"
    "agreed extension age dependent".split()
)


# how a row's figure is counted in time, not what it counts (its period comes from these words, extractors.frequency)
_NOTE_WORDS = (
    r"rolling\s+(?:12|twelve|3|three|6|six|24)(?:[- ]months?)?|(?:in\s+the\s+)?(?:last|past)\s+12\s+months|"
    r"(?:a\s+|one\s+)?(?:quarter|month)\s+in\s+arrears?|in\s+arrears?|year[- ]to[- ]date|(?<!up[- ])to[- ]date|ytd|"
    r"cumulative|snapshot"
)
_PERIOD_NOTE = re.compile(
    rf"\(\s*(?:{_NOTE_WORDS}|(?:12|twelve|3|6)\s+months)\s*\)|[,–-]?\s*\b(?:{_NOTE_WORDS})\b(?=\s*[,;(–)]|\s*$)|"
    r"\b(?:at|as\s+at)\s+(?:the\s+)?(?:quarter|month|year)[- ]end\b|\bin\s+the\s+(?:month|quarter|half(?:[- ]year)?)\b|"
    # "Apprenticeship starts in the half year", "(half year)"
    r"\b(?:in\s+the\s+|this\s+)?half[- ]year\b|"
    # "at period end", "at end of quarter", "12 months to the quarter end", "since 1 April", "(rolling": when the
    # figure was counted (the months of a rolling window stay: "24 months" is a measure of its own)
    r"\b(?:(?:at|as\s+at|to)\s+)?(?:the\s+)?(?:(?:quarter|period|month|year)[- ]end|end\s+of\s+(?:the\s+)?"
    r"(?:quarter|period|month))\b|\bsince\s+(?:1(?:st)?\s+)?april\b|\bsince\s*$|\(\s*rolling(?:\s+(?:12|twelve))?\s*$|"
    # "Knife offences – Rolling 12 to": a "Rolling 12 months to June" heading joined to the row's name
    r"[,–-]?\s*\brolling(?:\s+(?:12|twelve|3|6))?(?:\s+months?)?(?:\s+to)?\s*$",
    re.I,
)
_BASE_ASIDE = re.compile(r"\((?:as\s+)?(?:%|a\s+percentage|a\s+proportion|share)\s+of\b[^)]*\)?", re.I)


def kpi_for_label(label: str | None, unit: str, role: str = "actual") -> KpiChoice:
    """The KPI a row or box label names ("Percentage of care leavers in suitable accommodation"), when the
    figure's unit and the label's counted noun agree, and the label adds nothing to the KPI's phrase but a
    population, a counted noun, filler ("Total borrowing – Balance"), words of the KPI's own name or phrases
    ("Working days lost to sickness per FTE"), or the time limit of a KPI that is about timeliness ("FOI
    requests answered within 20 working days"); not "Net borrowing", "PWLB Loan", "Emergency calls answered",
    "Money Market Funds – Rate of Return": for scorecard and table figures."""
    if not label:
        return KpiChoice(None, "kpi.none")
    taxonomy = load_taxonomy()
    by_code = _kpi_by_code(label, unit, taxonomy)
    label = _CODE_PREFIX.sub("", label)  # "Local ASC7 People awaiting …": the row's code, not what it counts
    label = _VALUE_FIRST.sub("", label)  # "83.3% of major applications on time": a tile's value, then its name
    label = _PERIOD_NOTE.sub(" ", label)  # "(rolling 12 months)", "at quarter end": when, not what
    label = _strip_column_tails(label)  # "… – Stat. neighbours", "… – (Oct– Dec)": the column, not the measure
    choice = _kpi_for_words(label, unit, role, taxonomy)
    if choice.kpi is None and _DASH.search(label):
        # "Council tax – collection rate to date": a dash between the service and what of it is measured
        joined = _kpi_for_words(_DASH.sub(" ", label), unit, role, taxonomy)
        if joined.kpi is not None:
            choice = KpiChoice(joined.kpi, "kpi.label.dash")
    if choice.kpi is None and by_code is not None and len(_content_words(label) & _own_words(by_code)) >= 2:
        return KpiChoice(by_code.id, "kpi.label.code")  # "ASCOF 2A(2) Long-term support needs … met by admission"
    return choice


_DASH = re.compile(r"\s+[–—-]\s+")
# a column heading (or part of one) that a table joined to the row's name: a comparator, a term, a period, a
# status, a RAG word; it says which column or when, never what is measured
_COLUMN_TAIL = re.compile(
    r"(?:\s+[–—-]\s+|\s*·\s*)\(?\s*(?:stat\.?\s*neighbours?|statistical\s+neighbours?|same(?:\s+period|\s+month|\s+quarter)?|"
    r"(?:(?:this|last|previous|prior|current|latest)\s+)?half-?(?:year)?|(?:forecast\s+)?outturn|forecast|projected|projection|borough|county|district|england|national|regional|annual|full(?:\s+year)?|autumn|spring|"
    r"quarterly|monthly|group|avg\.?|(?:stat\.?\s*)?neighbours?\s+avg\.?|"
    r"summer|standard|reported|provisional|revised|final|validated|snapshot|red|amber|green|"
    rf"{MONTH_RE}(?:\s*[–-]\s*{MONTH_RE})?(?:\s+\d{{2}}(?:\d{{2}})?)?|\d{{4}}/\d{{2}}(?:\s+provisional)?)\s*\)?\s*$",
    re.I,
)


def _strip_column_tails(label: str) -> str:
    """The row's name without the column headings joined after it ("Absence rate – all schools – Autumn")."""
    for _ in range(3):
        cut = _COLUMN_TAIL.sub("", label)
        if cut == label or not cut.strip():
            break
        label = cut
    return label


# a row's own reference at the start of its name: "ASCOF 2A(2)", "Local ASC7", "HS02", "NI 192:"
_CODE_PREFIX = re.compile(
    r"^\s*(?:(?:Local|National|Statutory|Corporate)\s+)?(?:(?:ASCOF|PHOF|NI|BVPI|BV|LPI|KPI|PI)\s?\d+[A-Z]?"
    r"(?:\s?\(\d+\))?|(?!KS\d)[A-Z]{2,5}\d{1,3}[a-z]?|[A-Z]\d{2,3}|\d[A-H]\(\d\))\s*[:–-]?\s+(?=[A-Z%])"
)
# a tile's headline printed as its name: "83.3% of …", "46 missed bins …", "19.4 days to process …"
_VALUE_FIRST = re.compile(
    r"^\s*£?\d[\d,]*(?:\.\d+)?\s*(?:%|per\s?cent|[km]\b|days?\s+(?:to|for)\b)?\s*(?:of\s+(?:the\s+)?)?(?=[A-Za-z])",
    re.I,
)
_STANDARD_CODE = re.compile(r"\b(ASCOF|NI|BVPI|PHOF)\s?(\d+[A-Z]?)(?:\s?(\(\d+\)))?")


def _norm_code(m: re.Match[str]) -> str:
    return f"{m.group(1).upper()} {m.group(2).upper()}{m.group(3) or ''}"


def _code_of(text: str) -> str | None:
    m = _STANDARD_CODE.fullmatch(text.strip())
    return _norm_code(m) if m else None


def _kpi_by_code(label: str, unit: str, taxonomy: Taxonomy) -> Kpi | None:
    """The one KPI whose standard indicator code ("ASCOF 2A(2)", "NI 192") the label prints, if it takes the unit."""
    codes = {_norm_code(m) for m in _STANDARD_CODE.finditer(label)}
    if len(codes) != 1:
        return None
    found = _kpis_by_code(taxonomy).get(codes.pop(), [])
    return found[0] if len(found) == 1 and found[0].takes_unit(unit) else None


@lru_cache(maxsize=4)
def _kpis_by_code(taxonomy: Taxonomy) -> dict[str, list[Kpi]]:
    """The taxonomy's KPIs by their standard indicator code, normalised ("ASCOF 2A(2)")."""
    out: dict[str, list[Kpi]] = {}
    for k in taxonomy.kpis:
        code = _code_of(k.code) if k.code else None
        if code:
            out.setdefault(code, []).append(k)
    return out


def _content_words(label: str) -> set[str]:
    return {
        _singular(w)
        for w in re.findall(r"[a-z][a-z'-]+", label.lower())
        if w not in _KEY_STOP and w not in _LABEL_FILLER
    }


def _kpi_for_words(label: str, unit: str, role: str, taxonomy: Taxonomy) -> KpiChoice:
    # "People using direct payments (% of self-directed support)": the phrase in the bracket is the share's base
    bases = [(m.start(), m.end()) for m in _BASE_ASIDE.finditer(label)]
    mentions = [m for m in find_mentions(label, taxonomy) if not any(a <= m.start < b for a, b in bases)]
    choice = choose_kpi(label, mentions, (len(label), len(label)), [], label, unit, role, taxonomy)
    if choice.kpi is None:
        return choice
    kpi = taxonomy.get(choice.kpi)
    assert kpi is not None
    first = choice.kpi
    bands = _age_bands(label)
    if bands and not bands & _kpi_bands(kpi):
        sibling = _age_sibling(kpi, bands, unit, taxonomy)
        if sibling is not None:  # "Permanent admissions …, aged 18-64": the 18-64 KPI, not the 65+ one
            kpi, choice = sibling, KpiChoice(sibling.id, "kpi.label.age_band")
    covered = [(m.start, m.end) for m in mentions if m.kpi in (choice.kpi, first) or _is_population(m, taxonomy)]
    limits = [(m.start(), m.end()) for m in _TIME_LIMIT.finditer(label)]
    if limits:
        limit_number = _TIME_LIMIT_NUMBER.findall(kpi.label)
        stated = _TIME_LIMIT_NUMBER.findall(label)
        if not _timely(kpi) or (limit_number and stated and set(stated) != set(limit_number)):
            return KpiChoice(None, "kpi.none.time_limit")  # "within 10 days" for a KPI of 20 working days
        covered += limits
    if bands:
        own_bands = _kpi_bands(kpi)
        if own_bands and not bands & own_bands:
            return KpiChoice(None, "kpi.none.age_band")  # "(18-64)" for a KPI of people aged 65 and over
        covered += [(m.start(), m.end()) for m in _AGE_BAND.finditer(label)]  # the KPI's own population
    rest = "".join(" " if any(a <= i < b for a, b in covered) else ch for i, ch in enumerate(label))
    rest = re.sub(r"\([^)]*\)", " ", rest)  # "(%)", "(kg)", "(cumulative)": units and notes
    rest = _RATE_BASE.sub(" ", rest)  # "per 10,000": the figure's unit says it (rate_per_10000)
    rest = _LABEL_DATE.sub(" ", rest)  # "Schools judged good or outstanding at 31 August": when, not what
    if unit == "percent":
        rest = _PERCENT_BASE.sub(" ", rest)  # "Apprentices as % of headcount": the base of the percentage
    own = _own_words(kpi)
    _, group_of = _noun_pattern(taxonomy)
    for m in _DURATION.finditer(rest):  # "for more than 6 weeks" for a KPI "(and over six weeks)"
        if _durations(m.group(0)) <= _kpi_durations(kpi):
            rest = rest[: m.start()] + " " * (m.end() - m.start()) + rest[m.end() :]
    for word in re.findall(r"[a-z0-9][a-z0-9'’-]*", rest.lower()):
        word = re.sub(r"['’]s$", "", word)  # "children's social workers": the possessive names the same group
        if word in _KEY_STOP or word in _LABEL_FILLER or word in group_of or _singular(word) in group_of:
            continue
        if _singular(word) in own or _stem(word) in _own_stems(kpi):
            continue  # "recycled, reused and composted" for "reuse, recycling and composting"
        return KpiChoice(None, "kpi.none.label_qualifier")
    return choice


def _age_sibling(kpi: Kpi, bands: set[tuple[int, int]], unit: str, taxonomy: Taxonomy) -> Kpi | None:
    """The KPI of the same family (ids sharing all but their age part: asc_permanent_admissions_65_plus /
    _18_64) whose age band is the label's."""
    stem = re.sub(r"(?:_\d+(?:_\d+|_plus)?)+$", "", kpi.id)
    if stem == kpi.id:
        return None
    found = [
        k
        for k in taxonomy.kpis
        if k.id != kpi.id and k.id.startswith(stem + "_") and k.takes_unit(unit) and bands & _kpi_bands(k)
    ]
    return found[0] if len(found) == 1 else None


@lru_cache(maxsize=1024)
def _kpi_bands(kpi: Kpi) -> frozenset[tuple[int, int]]:
    """The age bands a KPI's name and phrases state ("65+", "aged 18-64")."""
    return frozenset(_age_bands(" ".join((kpi.label, *kpi.synonyms))))


def _stem(word: str) -> str:
    return re.sub(r"(?:ing|ion|ed|es|e|s)$", "", word) if len(word) > 5 else word


@lru_cache(maxsize=1024)
def _own_stems(kpi: Kpi) -> frozenset[str]:
    return frozenset(_stem(w) for w in _own_words(kpi))


# "within 20 working days", "in 13 weeks", "on time", "in timescale": the time limit of a timeliness measure
_TIME_LIMIT = re.compile(
    r"\b(?:(?:within|in|under|inside|less\s+than)\s+(?:the\s+)?(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|"
    r"eight|ten|twelve)\s+(?:working\s+|calendar\s+|clear\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?)"
    r"(?:\s+or\s+(?:fewer|less|under))?|"
    r"(?:on|in)\s+time|in\s+(?:agreed\s+|statutory\s+)?timescales?|within\s+(?:agreed\s+|statutory\s+|target\s+)?"
    r"(?:timescales?|target(?:\s+time)?|deadline)|"
    r"or\s+(?:an\s+|the\s+)?agreed\s+(?:extension(?:\s+of\s+time)?|time(?:scales?)?)|"
    r"within\s+(?:the\s+)?(?:complaint\s+handling\s+)?code\s+timescales?)\b",
    re.I,
)
# a duration a counted thing has lasted: "for more than 6 weeks", "longer than six weeks", "6+ months"
_NUMBER_WORD = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_DURATION = re.compile(
    rf"\b(?:(?:for\s+)?(?:more|longer)\s+than|beyond|over|exceeding|at\s+least)\s+(?:{_NUMBER_WORD})\s+"
    rf"(?:weeks?|months?|days?|years?)\b|\b\d+\s*\+\s*(?:weeks?|months?|days?|years?)\b",
    re.I,
)


def _durations(text: str) -> set[tuple[int, str]]:
    """(number, unit) of every duration in a text: "six weeks" and "6 weeks" are one."""
    found = re.findall(rf"\b({_NUMBER_WORD})\s*\+?\s*(week|month|day|year)s?\b", text, re.I)
    return {(int(n) if n.isdigit() else int(words_to_number(n) or 0), u.lower()) for n, u in found}


@lru_cache(maxsize=1024)
def _kpi_durations(kpi: Kpi) -> frozenset[tuple[int, str]]:
    return frozenset(_durations(" ".join((kpi.label, *kpi.synonyms))))


_TIME_LIMIT_NUMBER = re.compile(
    r"\b(\d+(?:\.\d+)?)\s+(?:working\s+|calendar\s+|clear\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?)\b", re.I
)
# "at 31 August"; "at 31" when the month went into the column heading
_LABEL_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTH_RE})\b(?:\s+\d{{4}})?|\b(?:as\s+)?at\s+\d{{1,2}}\s*$", re.I
)
_PERCENT_BASE = re.compile(
    r"\bas\s+(?:an?\s+)?(?:%|percentage|proportion|share)\s+of\s+(?:the\s+|all\s+|total\s+)*[a-z]+\b", re.I
)
_RATE_BASE = re.compile(
    r"\bper\s+(?:(?:1|10|100),?000|1k|10k|100k)\b(?:\s+(?:population|residents|children|people|households))?", re.I
)
# an age band: "aged 18 to 64", "(65+)", "65 and over", "at five years", "16 and 17 year olds"
_AGE_BAND = re.compile(
    r"\b(?P<aged_lo>aged\s+)?(?P<lo>\d{1,2})\s*(?:-|–|to|and)\s*(?P<hi>\d{1,2})(?P<years>\s*[- ]?years?(?:[- ]olds?)?)?"
    r"(?=\W|$)|"
    r"\b(?:aged\s+)?(?P<plus>1[6-9]|[2-9]\d)\s*(?:\+|and\s+over|or\s+over|and\s+above|plus)|"
    r"\b(?:aged|at)\s+(?P<at>\d{1,2}|one|two|three|four|five|six)\s+years?(?:\s+old)?\b|"
    r"\baged\s+(?P<aged>\d{1,2})\b|"
    r"\b(?:aged\s+)?under[- ](?P<under>1\d|2[0-5])s?\b",
    re.I,
)
_WORD_AGE = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _age_bands(text: str) -> set[tuple[int, int]]:
    bands = set()
    for m in _AGE_BAND.finditer(text):
        if m.group("lo"):
            lo, hi = int(m.group("lo")), int(m.group("hi"))
            if m.group("aged_lo") or m.group("years") or (lo < hi and hi >= 17):
                bands.add((lo, hi))  # not "3-4 placements"
        elif m.group("plus"):
            bands.add((int(m.group("plus")), 200))
        elif m.group("under"):
            bands.add((0, int(m.group("under")) - 1))
        elif m.group("aged"):
            bands.add((int(m.group("aged")), int(m.group("aged"))))
        else:
            age = m.group("at").lower()
            n = _WORD_AGE.get(age) or int(age)
            bands.add((n, n))
    return bands


_TIMELY = re.compile(r"\b(?:within|in\s+time|on\s+time|timescales?|timely|timeliness|target\s+time|deadline)\b", re.I)


def _timely_only(kpi: Kpi) -> bool:
    """Is the KPI only the share or number done in time ("FOI requests answered within 20 working days"), not
    also the number done ("Potholes repaired (and within target time)")?"""
    return bool(_TIMELY.search(kpi.label)) and not re.search(r"\band\s+(?:within|in\s+time|on\s+time)", kpi.label)


def _timely(kpi: Kpi) -> bool:
    """Is the KPI about doing something in time (its name or a phrase says within / on time / timescale)?"""
    return bool(_TIMELY.search(kpi.label) or any(_TIMELY.search(s) for s in kpi.synonyms))


@lru_cache(maxsize=1024)
def _own_words(kpi: Kpi) -> frozenset[str]:
    """The words of a KPI's name and phrases (singular): a row label may repeat them ("sickness", "FTE")."""
    text = " ".join((kpi.label, *kpi.synonyms)).lower().replace("’", "'")
    words = re.findall(r"[a-z0-9][a-z0-9'-]*", text)
    return frozenset(_singular(w) for w in words if w not in _KEY_STOP)


def _is_population(m: KpiMention, taxonomy: Taxonomy) -> bool:
    kpi = taxonomy.get(m.kpi)
    return kpi is not None and kpi.qualifier


# ---------------------------------------------------------------- label keys
# a standard indicator's code printed before its name: the name is the series, the code is another report's habit
_LEAD_CODE = re.compile(
    r"^\s*(?:YJB\s+)?(?:KPI|NI|ASCOF|BVPI|LPI|PI|TSM)\s?\d[\dA-Za-z().]{0,5}\s*[:–-]?\s+(?=[A-Za-z%])"
)
_KEY_LEAD = re.compile(
    r"^(?:(?:the|a|an)\s+)?(?:percentage|proportion|per\s?cent(?:age)?|%|number|no\.?|count|share|total(?:\s+number)?)"
    r"\s+(?:of|for)\s+",
    re.I,
)
_KEY_STOP = frozenset(
    "a an the of for in on to and or with by at as from who whom that which their our its his her they them "
    "were was is are be been being have has had do does did currently now all this these those there it we us "
    "per cent percent percentage proportion number".split()
)
_REFERS_BACK = re.compile(r"\b(?:it|this|that|these|those|the\s+figure|the\s+rate|the\s+proportion)\s*$", re.I)
_KEY_WEAK = frozenset(
    "total member figure case child young person people adult resident individual within year month week day "
    "time other more less increase decrease rise fall point level around approximately over under just nearly "
    "almost some many majority minority one two three four five six seven eight nine ten half quarter third "
    "average overall new same further additional last next previous current further item page table "
    "second minute hour aged bigger smaller better worse higher lower improving improved declining worsening "
    "stable good close monitor tolerance within death household offence crime incident home property application "
    "call visit contact referral complaint request claim journey vehicle report".split()
)
# a kind of thing counted or a base, not a measure: "collection", "fixed penalty notice", "concluded enquiry",
# "day lost", "development", "one of their top three", "met the expected standard", "non-major decisions" (each
# joined two indicators of a blind set into one series);
# such a label still names a thing of its own (it keeps a figure from a KPI phrase nearby)
_KEY_GENERIC = frozenset(
    "collection fixed penalty notice concluded enquiry lost development top attendance major minor non "
    "standard expected met "
    # what a percentage is of: "29.4% of the debit" (council tax or business rates), "34.7% of the programme"
    "debit programme budget grant".split()
)
_KEY_ROLE = frozenset(
    "target goal aim ambition actual actuals outturn baseline benchmark forecast projection plan status rag "
    "england national regional average mean median comparator statistical neighbour neighbours trend".split()
)
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
)
_KEY_PERIOD = re.compile(
    r"\b(?:19|20)\d{2}(?:\s*[/-]\s*(?:19|20)?\d{2})?\b|\bq[1-4]\b|\bquarter\s+(?:[1-4]|one|two|three|four)\b|"
    r"\b(?:\d{1,2}(?:st|nd|rd|th)?\s+)?"
    + _MONTH
    + r"\b(?:\s+\d{1,2}(?:st|nd|rd|th)?\b)?|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b",
    re.I,
)
_IRREGULAR = {"children": "child", "people": "person", "women": "woman", "men": "man", "data": "data"}
_KEEP_S = ("ss", "us", "is", "ics")


# words that say the same in a measure's name: "per 1,000 residents" is "per 1,000 population"
_KEY_SAME = {"resident": "population", "inhabitant": "population"}


def _singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or word.endswith(_KEEP_S):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


@lru_cache(maxsize=1)
def _noun_phrases() -> frozenset[str]:
    """The taxonomy's counted nouns, singular word by word ("care leaver", "young person")."""
    _, group_of = _noun_pattern(load_taxonomy())
    return frozenset(" ".join(_singular(w) for w in noun.split()) for noun in group_of)


def label_key(label: str | None, series: bool = True) -> str | None:
    """A normalised form of a label, the same for the same indicator however a paper prints it:
    "Percentage of Care Leavers in suitable accommodation (%)" -> "care leaver suitable accommodation".
    None when nothing specific is left ("total", "children", "members"), and, for a series key (``series``), when
    only a kind of thing counted is ("fixed penalty notices", "collections")."""
    if not label:
        return None
    if _REFERS_BACK.search(label):
        return None  # "for pupils with an EHC plan it (was 26.4%)": the measure is named elsewhere in the sentence
    label = _LEAD_CODE.sub("", label)  # "KPI 3 Children with identified SEND", "NI 192 Household waste recycled"
    text = _PERIOD_NOTE.sub(" ", label.lower().replace("’", "'").replace("&", " and "))  # "rolling 12 months"
    text = re.sub(r"\([^)]*\)", " ", text)  # "(%)", "(cumulative)"
    text = text.replace("%", " percent ")
    text = _KEY_LEAD.sub("", text.strip())
    text = re.sub(r"'s\b", "", text)
    text = _KEY_PERIOD.sub(" ", text)  # "2023/24", "Q2", "31 March": when, not what
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # "10,000" -> "10000"
    text = re.sub(r"[^a-z0-9.]+|\.(?!\d)", " ", text)
    # numbers stay: "within 12 weeks" and "within 8 weeks", "aged 65+" and "aged 18-64" are different measures
    text = re.sub(r"\basb\b", "anti social behaviour", text)
    words = [_KEY_SAME.get(w, w) for w in (_singular(w) for w in text.split() if w not in _KEY_STOP)]
    _, group_of = _noun_pattern(load_taxonomy())
    # a counted noun alone ("households", "staff", "visits") names no indicator: it would join different ones
    ages = {str(n) for band in _age_bands(label) for n in band}
    # an age band ("care leavers aged 19-21") qualifies a population; alone with it, it names no indicator
    digits = [w for w in words if re.fullmatch(r"[\d.]+", w) and w not in ages]
    plain = [w for w in words if not re.fullmatch(r"[\d.]+", w)]
    weak = _KEY_WEAK | _KEY_GENERIC if series else _KEY_WEAK
    if not plain or (not digits and all(w in weak or w in group_of for w in plain)):
        return None
    if all(w in _KEY_ROLE for w in plain):
        return None  # "target", "England average": what kind of figure, not what it measures
    strong = " ".join(w for w in plain if w not in _KEY_WEAK)
    if not digits and strong in _noun_phrases():
        return None  # "care leavers aged 19": a counted noun and its age, no indicator
    return " ".join(words)[:120]


# ---------------------------------------------------------------- figures that are one measure told twice
# "increasing from 647 days to 743 days", "212 (or 43%) live outside …", "102 children (a rate of 31 per
# 10,000 children)": the second figure restates or continues the first, so they measure the same thing
_PARTNER_GAP = re.compile(
    r"^\s*(?:%|days?|weeks?|months?|per\s+cent|children|people|households)?\s*"
    # "from 89% in August 2020 to 98%": the first figure's own date may sit between them
    r"(?:,?\s*(?:in|at|on|by|during|for)\s+(?:the\s+)?(?:\d{1,2}\s+)?(?:[A-Z][a-z]+\s+)?"
    r"(?:\d{4}(?:\s*[/–-]\s*\d{2,4})?|Q[1-4]|quarter\s+[1-4])\s*)?"
    r"(?:(?:,\s*)?(?:rising|falling|increasing|decreasing|up|down)?\s*to|,?\s*(?:down|up)\s+from|"
    r"\(\s*(?:or|a\s+rate\s+of|the\s+equivalent\s+of|equivalent\s+to|which\s+is)?|"
    r",\s*(?:a\s+rate\s+of|the\s+equivalent\s+of|equivalent\s+to)|"
    # "44.1% in September, bringing the year to date to 47.1%", "45.8% in August …; the year-to-date rate of 47.7%":
    # the same measure over the year so far
    r",?\s*bringing\s+the\s+(?:year[- ]to[- ]date|ytd)(?:\s+(?:total|figure|rate))?\s+to|"
    r"[^;.()]{0,80}[;,]\s*(?:and\s+)?(?:the\s+)?(?:year[- ]to[- ]date|ytd|cumulative)(?:\s+(?:total|figure|rate|"
    r"position|performance))?\s*(?:of|is|was|stands\s+at|is\s+now|now\s+stands\s+at|reached|rose\s+to|fell\s+to)?)\s*$",
    re.I,
)


def partner_kpi(kpi_id: str, unit: str, label: str | None) -> str | None:
    """The KPI a figure takes from the figure it restates or continues: the same KPI when it takes the unit and
    the label's counted noun, else the KPI's rate sibling for a rate ("children_looked_after_rate")."""
    taxonomy = load_taxonomy()
    noun = counted_noun(label, taxonomy)
    for candidate in (kpi_id, f"{kpi_id}_rate"):
        kpi = taxonomy.get(candidate)
        if kpi is not None and kpi.takes_unit(unit) and _noun_fits(kpi, noun):
            return candidate
    return None


def partners(sentence: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Index pairs (i, i+1) of figures (``spans``: start and end in the sentence, in order) where the second
    restates or continues the first."""
    out = []
    for i in range(len(spans) - 1):
        gap = sentence[spans[i][1] : spans[i + 1][0]]
        if _PARTNER_GAP.match(gap) or (
            len(gap) <= _CLAUSE_BEFORE and _ASIDE_END.search(gap) and not _CLAUSE_BREAK.search(gap)
        ):
            out.append((i, i + 1))
        # "619 children were looked after (94.6 per 10,000), up from 611 in June": the aside between them
        if i + 2 < len(spans) and gap.rstrip().endswith("("):
            after = sentence[spans[i + 1][1] : spans[i + 2][0]]
            closed = re.match(r"^[^()]{0,24}\)", after)
            if (
                closed
                and _PARTNER_GAP.match(after[closed.end() :])
                and not after[closed.end() :].lstrip().startswith("(")
            ):
                out.append((i, i + 2))
    return out


# "102 children are in the care of the local authority (a rate of 31 …": a bracketed restatement ends the clause
_ASIDE_END = re.compile(
    r"(?:\(\s*(?:or|a\s+rate\s+of|the\s+equivalent\s+of|equivalent\s+to)|,\s*(?:a\s+rate\s+of|the\s+equivalent\s+of|"
    r"equivalent\s+to))\s*$",
    re.I,
)
