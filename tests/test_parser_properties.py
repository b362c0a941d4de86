"""Property tests of the number and period parsers and the page pipeline: no exception, offsets always exact."""

from __future__ import annotations

import os
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.metrics import extract_metrics
from extractors.nlp import _STATED_RULES, analyse
from extractors.numbers import find_numbers
from extractors.periods import find_periods
from models.records import ExtractedDocument, Page, Paper

# pieces of council-paper prose, so that random text often contains figures and periods
TOKENS = [
    "96%",
    "96.5 %",
    "865",
    "1,234",
    "£2.5m",
    "£1,200",
    "12 per 10,000",
    "3/5",
    "8 out of 10",
    "14 days",
    "six weeks",
    "twelve",
    "per cent",
    "0.5",
    "-3",
    "1.",
    ",",
    ".",
    "%",
    "£",
    "(",
    ")",
    "-",
    "–",
    "/",
    "\n",
    "\n\n",
    "• ",
    " ",
    "October 2021",
    "Oct-21",
    "31 March 2021",
    "2020/21",
    "2020-21",
    "Q3",
    "Q2 2021/22",
    "in the last 12 months",
    "currently",
    "since April 2019",
    "between January and March 2022",
    "academic year 2019/20",
    "target",
    "was",
    "of children looked after",
    "care plans reviewed",
    "compared to",
    "national average",
    "01243 777100",
    "increased from",
    "to",
    "The",
]
prose = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=6)), max_size=30).map(" ".join)
texts = st.one_of(prose, st.text(max_size=200))
refs = st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)))
# bounded for CI; set COUNCILKPI_HYPOTHESIS_EXAMPLES higher for a longer hunt
EXAMPLES = int(os.environ.get("COUNCILKPI_HYPOTHESIS_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(texts)
def test_find_numbers_offsets_are_inside_the_sentence(sentence):
    for n in find_numbers(sentence):
        assert 0 <= n.start < n.end <= len(sentence), n
        assert n.end <= n.unit_end <= len(sentence), n
        assert sentence[n.start : n.end].strip() == sentence[n.start : n.end], n  # no stray spaces at the ends
        assert n.value == n.value  # not NaN


@SETTINGS
@given(texts, refs)
def test_find_periods_text_is_found_at_its_offsets(sentence, ref):
    for p in find_periods(sentence, ref):
        assert 0 <= p.start_char < p.end_char <= len(sentence), p
        assert sentence[p.start_char : p.end_char] == p.text, p
        assert p.start <= p.end, p


@SETTINGS
@given(texts, refs)
def test_analyse_figures_sit_inside_their_sentences(text, ref):
    doc = analyse(text, ref)
    for f in doc._.figures:
        assert 0 <= f.sentence_start <= f.start < f.end <= f.sentence_end <= len(text), f
        assert text[f.start : f.end].strip(), f
        if f.period is not None and f.period_rule in _STATED_RULES:
            # a period read from the figure's own sentence is located in it
            sentence = text[f.sentence_start : f.sentence_end]
            assert sentence[f.period.start_char : f.period.end_char] == f.period.text, f
        elif f.period is not None and f.period.kind not in ("paper_date", "report"):
            # a period carried over (previous sentence, list lead-in, referent, range) was read in the text so far
            assert f.period.text and f.period.text in text[: f.sentence_end], f


@SETTINGS
@given(st.lists(texts, min_size=1, max_size=3), refs)
def test_every_observation_cuts_back_to_its_value_text(pages, ref):
    paper = Paper("0" * 64, "prop", None, ref, None, "text", 0)
    document = ExtractedDocument(paper, [Page(number=i + 1, text=t) for i, t in enumerate(pages)])
    result = extract_metrics(document)
    sentences = {s.id: s for s in result.sentences}
    for s in result.sentences:
        assert pages[s.page - 1][s.start : s.end] == s.text
    for o in result.observations:
        page_text = pages[o.page - 1]
        assert page_text[o.page_start : o.page_end] == o.value_text and o.value_text, o
        assert sentences[o.sentence_id].text[o.sentence_start : o.sentence_end] == o.value_text, o
