"""Narrative period kinds (issue 18): each kind of phrasing with at least two variants in different wording,
checked through the whole rule pipeline (period, the period rule that fired, role)."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.nlp import analyse
from extractors.numbers import find_numbers
from extractors.periods import find_periods

PAPER = date(2022, 1, 12)


def _figs(text: str, paper_date: date = PAPER) -> dict[float, object]:
    return {f.value: f for f in analyse(text, paper_date)._.figures}


def _span(f) -> tuple[date, date]:
    return f.period.start, f.period.end


# 1. a comparator shares the stated period of the figure it is compared with
@pytest.mark.parametrize(
    "text",
    [
        "Re-referrals were 23% in 2020/21, higher than the national average of 21%.",
        "In 2020/21, 23% of referrals were repeat referrals, compared with 21% nationally and 20% for statistical "
        "neighbours.",
        "The rate of 23% for 2020/21 is above the England average of 21%.",
    ],
)
def test_a_comparator_shares_the_period_of_the_figure_it_is_compared_with(text):
    figs = _figs(text)
    assert figs[23].role == "actual" and _span(figs[23]) == (date(2020, 4, 1), date(2021, 3, 31))
    assert figs[21].role == "benchmark"
    assert _span(figs[21]) == _span(figs[23])
    assert figs[21].period_rule in ("period.comparator", "period.sentence")


def test_a_comparator_beside_an_undated_figure_stays_undated():
    figs = _figs("The proportion in primary schools is 14% (the national average is 15.6%).")
    assert figs[15.6].role == "benchmark" and figs[15.6].period is None


# 2. relative list lead-ins: the window, ending at the data block's date when there is one
@pytest.mark.parametrize(
    "text, start, end",
    [
        (
            "In the last 12 months:\n• 310 families were supported\n• 42 families were referred again\n",
            date(2021, 1, 1),
            date(2021, 12, 31),
        ),
        (
            "Over the past year:\n- there were 310 contacts\n- 42 contacts led to an assessment\n",
            date(2021, 1, 1),
            date(2021, 12, 31),
        ),
        (
            "At 30 September 2021, 51 children were in care.\nIn the last six months:\n- 310 contacts were made\n"
            "- 42 children became looked after\n",
            date(2021, 4, 1),
            date(2021, 9, 30),
        ),
    ],
)
def test_a_relative_list_lead_in_dates_its_items_with_the_window(text, start, end):
    figs = _figs(text)
    for value in (310, 42):
        assert _span(figs[value]) == (start, end)
        assert figs[value].period_rule == "period.list_lead_in.relative"


@pytest.mark.parametrize(
    "text",
    ["In the past year, 25 care leavers started university.", "Over the last quarter, 25 new carers were approved."],
)
def test_a_relative_window_in_a_sentence_is_an_interval_not_a_day(text):
    (f,) = _figs(text).values()
    assert f.period.start < f.period.end <= PAPER and f.period.kind == "relative"


# 3. a sentence that refers back takes the period of the figures it refers to
@pytest.mark.parametrize(
    "text, value, expected",
    [
        (
            "As at 30 September 2021, there were 477 children subject to plans. Six per cent of these children had a "
            "disability.",
            6,
            date(2021, 9, 30),
        ),
        (
            "The number rose from 612 at 1 October 2020 to 1,046 at 1 October 2021. Of these pupils, 38% were known "
            "to early help.",
            38,
            date(2021, 10, 1),
        ),
        (
            "At 31 March 2021, 213 households were in temporary accommodation. Nineteen of these households had "
            "children.",
            19,
            date(2021, 3, 31),
        ),
    ],
)
def test_a_referring_sentence_takes_the_period_of_what_it_refers_to(text, value, expected):
    f = _figs(text)[value]
    assert _span(f) == (expected, expected) and f.period_rule == "period.referent"


# 4. respectively
@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Completions were 201 and 285 in 2019/20 and 2020/21 respectively.",
            {201: date(2019, 4, 1), 285: date(2020, 4, 1)},
        ),
        (
            "Visits on time were 93% and 88% in October and November 2021 respectively.",
            {93: date(2021, 10, 1), 88: date(2021, 11, 1)},
        ),
        (
            "The rates were 0.7% and 4.7% in 2020/21, reduced from 0.8% and 7.2% respectively in 2019/20.",
            {0.7: date(2020, 4, 1), 4.7: date(2020, 4, 1), 0.8: date(2019, 4, 1), 7.2: date(2019, 4, 1)},
        ),
    ],
)
def test_respectively_pairs_figures_with_periods_in_order(text, expected):
    figs = _figs(text)
    assert {v: figs[v].period.start for v in expected} == expected
    assert figs[0.8 if 0.8 in figs else list(expected)[0]].period_rule == "period.respectively"


def test_the_first_of_a_pair_shares_the_period_after_the_second():
    figs = _figs("Permanent and fixed-term exclusion rates were 0.4% and 5.2% in the 2020/21 academic year.")
    assert figs[0.4].period == figs[5.2].period and figs[0.4].period_rule == "period.pair"
    figs = _figs("Placements ended for 12 and 19 children in 2020/21.")
    assert figs[12].period_rule == "period.pair" and figs[12].period.start == date(2020, 4, 1)


# 5. windows ending at a date, in other words
@pytest.mark.parametrize(
    "sentence, start, end",
    [
        ("in the 12 months up to and including September 2021, 63%", date(2020, 10, 1), date(2021, 9, 30)),
        ("for the three years to the end of March 2021, 498 days", date(2018, 4, 1), date(2021, 3, 31)),
        ("In the year ending 31 March, 4,310 children", date(2020, 4, 1), date(2021, 3, 31)),
        ("over the two years until December 2021, 486 homes", date(2020, 1, 1), date(2021, 12, 31)),
    ],
)
def test_windows_ending_at_a_date_in_other_words(sentence, start, end):
    (p,) = find_periods(sentence, PAPER)
    assert (p.start, p.end, p.rule) == (start, end, "window_to")


# 6. a figure's own clause names its period, beating its list's lead-in
@pytest.mark.parametrize(
    "item, start, end",
    [
        (
            "- between April 2021 up to the end of December 2021, nine young people moved on",
            date(2021, 4, 1),
            date(2021, 12, 31),
        ),
        (
            "- from 1 May 2021 up to and including 30 November 2021, 14 young people moved on",
            date(2021, 5, 1),
            date(2021, 11, 30),
        ),
    ],
)
def test_a_figures_own_period_beats_the_list_lead_in(item, start, end):
    text = "In the last 12 months:\n- there were 38 adoptions\n" + item + "\n"
    figs = _figs(text)
    assert figs[38].period_rule == "period.list_lead_in.relative"
    (own,) = [f for v, f in figs.items() if v != 38]
    assert _span(own) == (start, end)


# 7. present tense after a sentence about the past: current
@pytest.mark.parametrize(
    "text, value",
    [
        (
            "Care leavers in suitable accommodation rose to 86% in 2020/21. Staff promote staying put, and 43 of 51 "
            "young people do so.",
            43,
        ),
        ("The re-referral rate was 21% in 2020/21. Local data show that it remains at 24%.", 24),
        ("In 2020/21, 71% of assessments were completed on time. Today 89% of assessments are completed on time.", 89),
    ],
)
def test_a_present_tense_figure_after_a_dated_sentence_is_current(text, value):
    f = _figs(text)[value]
    assert _span(f) == (PAPER, PAPER) and f.period_rule == "period.current"


def test_a_past_tense_sentence_still_carries_the_paragraphs_period():
    figs = _figs("Persistent absence was 19.8% in 2020/21. Severe absence was 1.9%. For boys it was 2.2%.")
    assert figs[1.9].period == figs[19.8].period == figs[2.2].period


# 8. academic years for exam results; forecasts are not actuals
@pytest.mark.parametrize(
    "sentence, start",
    [
        ("Provisional results for the summer 2021 examinations show 66%", date(2020, 9, 1)),
        ("In the 2021 GCSE results, 14% of children", date(2020, 9, 1)),
        ("14% achieved five A* to C grades in 2020/21", date(2020, 9, 1)),
    ],
)
def test_exam_results_are_for_an_academic_year(sentence, start):
    (p,) = find_periods(sentence, PAPER)
    assert p.kind == "academic_year" and p.start == start


@pytest.mark.parametrize(
    "text, value",
    [
        ("The virtual school's prediction for 2021/22 is 18%.", 18),
        ("The virtual school forecasts that 52% of pupils will pass English and mathematics in 2021/22.", 52),
        ("The budget is forecast to overspend by £3,450,000 in 2021/22.", 3_450_000),
        ("The projection for 2022/23 assumes that the number of households will reach 240.", 240),
    ],
)
def test_a_forecast_is_not_an_actual_and_keeps_the_period_it_is_for(text, value):
    f = _figs(text)[value]
    assert f.role == "forecast" and f.period is not None and f.period.kind in ("financial_year", "academic_year")


# 9. baseline periods: a change over an interval between two dates
@pytest.mark.parametrize(
    "text, start, end",
    [
        ("There was a decrease of 65% from 31 March 2019 to 31 March 2021.", date(2019, 3, 31), date(2021, 3, 31)),
        ("Numbers waiting fell by 23% form 31 March 2019 to 31 March 2021.", date(2019, 3, 31), date(2021, 3, 31)),
        (
            "It rose from 612 at 1 October 2019 to 1,046 at 1 October 2021, an increase of 71%.",
            date(2019, 10, 1),
            date(2021, 10, 1),
        ),
        (
            "There were 9,870 contacts in 2019/20 and 13,412 in 2020/21, an increase of 36%.",
            date(2019, 4, 1),
            date(2021, 3, 31),
        ),
    ],
)
def test_a_change_between_two_dates_covers_the_interval(text, start, end):
    (change,) = [f for f in _figs(text).values() if f.role == "change"]
    assert _span(change) == (start, end)


# misses of the same tour: counted words, proportions, rates with a population
def _numbers(sentence: str) -> list[tuple[str, float, str]]:
    return [(sentence[n.start : n.end], n.value, n.unit) for n in find_numbers(sentence)]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Caseloads remain low at four.", [("four", 4, "count")]),
        ("This is a small increase from three at 31 March 2021.", [("three", 3, "count")]),
        (
            "Of 61 referrals, of which eight resulted in a plan, most were from schools.",
            [("61", 61, "count"), ("eight", 8, "count")],
        ),
        ("Six special guardianship orders were granted.", [("Six", 6, "count")]),
        ("- Seven foster carer households were approved.", [("Seven", 7, "count")]),
        ("Nineteen of these households had children.", [("Nineteen", 19, "count")]),
    ],
)
def test_counted_number_words_after_a_verb_or_at_a_sentence_start(sentence, expected):
    assert _numbers(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "We covered three extremely relevant topics.",
        "None has stayed longer than six weeks.",
        "The council works up to three times a year with them.",
    ],
)
def test_number_words_that_are_not_counts_stay_out(sentence):
    assert _numbers(sentence) == []


@pytest.mark.parametrize(
    "sentence, text, value",
    [
        ("Around one in four families are referred by schools.", "one in four", 25.0),
        ("Roughly one in five applicants is in the highest band.", "one in five", 20.0),
        ("Two in three participants feel more confident.", "Two in three", 66.7),
        ("Some 1 in 10 children have a plan.", "1 in 10", 10.0),
    ],
)
def test_proportions_in_words_are_percentages_with_their_words_as_value_text(sentence, text, value):
    assert _numbers(sentence) == [(text, value, "percent")]


@pytest.mark.parametrize(
    "sentence, value, unit",
    [
        ("The rate was 20.7 children per 10,000 population.", 20.7, "rate_per_10000"),
        ("Admissions were 512.4 per 100,000 population.", 512.4, "rate_per_100000"),
        ("(a rate of\n  65.5 per 10,000 children)", 65.5, "rate_per_10000"),
    ],
)
def test_rates_with_a_population(sentence, value, unit):
    assert [(n.value, n.unit) for n in find_numbers(sentence)] == [(value, unit)]


def test_a_year_after_the_word_year_is_not_a_reference_number():
    assert _numbers("In the calendar year 2022, 71.4% of plans were on time.") == [("71.4", 71.4, "percent")]


def test_the_period_rule_names_the_pattern_that_read_the_period():
    from extractors.metrics import extract_metrics
    from models.records import ExtractedDocument, Page, Paper

    paper = Paper(id="x" * 64, source="t", title=None, paper_date=PAPER, paper_date_source="cli", kind="text", size=1)
    doc = ExtractedDocument(
        paper=paper, pages=[Page(number=1, text="In the 12 months to September 2021, 63% were seen.")]
    )
    (obs,) = extract_metrics(doc).observations
    assert obs.rule.endswith("|period.before:window_to")


# kinds found on the held-out paper (tests/fixtures/gold/narrative_heldout.README.md)
@pytest.mark.parametrize(
    "text, value, start",
    [
        (
            "In 2020–21, 9% of children had three or more moves, down from 12% in 2019–20, and the proportion in "
            "long-term placements was 74%.",
            74,
            date(2020, 4, 1),
        ),
        ("During 2021, 310 carers were approved, compared with 280 in 2020, and 45 carers left.", 45, date(2021, 1, 1)),
    ],
)
def test_a_period_opening_the_sentence_scopes_all_of_it(text, value, start):
    f = _figs(text)[value]
    assert f.period.start == start and f.period_rule == "period.opening"


@pytest.mark.parametrize(
    "text, value, start",
    [
        ("Numbers have risen by 14% since March 2020, when 353 children were in care.", 353, date(2020, 3, 1)),
        ("Referrals fell after 1 April 2021, when there were 412 open cases.", 412, date(2021, 4, 1)),
    ],
)
def test_the_figure_of_a_when_clause_is_at_that_date(text, value, start):
    f = _figs(text)[value]
    assert f.period.start == start and f.period_rule == "period.when"


@pytest.mark.parametrize(
    "text, first, second",
    [
        ("The number in custody fell from seven to three between 2019 and 2021.", 7, 3),
        ("Waiting times went from 41 to 28 weeks between 2019 and 2021.", 41, 28),
    ],
)
def test_from_x_to_y_between_two_dates_pairs_them_in_order(text, first, second):
    figs = _figs(text)
    assert figs[first].period.start == date(2019, 1, 1) and figs[second].period.start == date(2021, 1, 1)
    assert figs[first].role == "baseline"


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Staff turnover has reduced to 12%, from 21% in 2021–22.", [("12", "actual"), ("21", "baseline")]),
        ("Vacancies now stand at 9%, from 15% last year.", [("9", "actual"), ("15", "baseline")]),
        ("Agency workers make up one in six of the workforce.", [("one in six", "actual")]),
        ("The headteacher projects 26% for 2023.", [("26", "forecast")]),
        ("The service predicts 140 referrals in the spring.", [("140", "forecast")]),
    ],
)
def test_roles_of_the_held_out_kinds(sentence, expected):
    from extractors.roles import classify_role

    found = find_numbers(sentence)
    assert [(sentence[n.start : n.end], classify_role(sentence, n, found)[0]) for n in found] == expected


@pytest.mark.parametrize(
    "sentence, kind",
    [
        (
            "21% achieved grade 4 or above in the 2022 GCSE examinations, and 26% are projected for 2023",
            "academic_year",
        ),
        ("the rough sleeping estimate rose in 2022 and in 2023", "year"),
    ],
)
def test_a_bare_year_is_a_school_year_only_in_a_sentence_about_exams(sentence, kind):
    assert {p.kind for p in find_periods(sentence, PAPER) if p.rule == "year"} == {kind}


def test_a_grade_is_not_a_figure():
    assert _numbers("Pupils achieved grade 4 or above in both subjects.") == []


@pytest.mark.parametrize(
    "sentence, start, end",
    [
        ("the autumn count found 14 people", date(2021, 9, 1), date(2021, 11, 30)),
        ("the summer 2021 survey found 24%", date(2021, 6, 1), date(2021, 8, 31)),
    ],
)
def test_a_season_count_or_survey_is_a_range(sentence, start, end):
    (p,) = find_periods(sentence, PAPER)
    assert (p.start, p.end) == (start, end)


def test_at_the_end_of_a_month_dates_a_data_block_for_a_referring_sentence():
    text = (
        "At the end of January 2021, there were 402 children in care. The number has risen by 14% since March 2019, "
        "when 353 children were in care. Of these children, 58 are unaccompanied asylum-seeking children."
    )
    f = _figs(text)[58]
    assert f.period.start == date(2021, 1, 1) and f.period_rule == "period.referent"


@pytest.mark.parametrize(
    "text, role",
    [
        ("The England average was 22% in the 12 months to September 2023.", "benchmark"),
        ("Nationally, 22% of referrals were repeat referrals in the 12 months to September 2023.", "actual"),
    ],
)
def test_a_stated_period_is_never_replaced_by_an_earlier_paper_date(text, role):
    (f,) = _figs(text, date(2021, 2, 1)).values()
    assert f.role == role
    if role == "benchmark":  # a comparator keeps its own stated period
        assert _span(f) == (date(2022, 10, 1), date(2023, 9, 30))
    else:  # a period after the paper date is not a measurement date: undated, never the paper date
        assert f.period is None and f.period_rule == "period.none.future"


def test_a_deadline_opening_the_sentence_does_not_date_its_figures():
    figs = _figs("By 2028, smoking prevalence will be reduced to 12%, from 14% now.", paper_date=None)
    assert all(f.period_rule != "period.opening" for f in figs.values())


@pytest.mark.parametrize(
    "sentence, periods",
    [
        ("The team processed 1,264 applications under the Licensing Act 2003 in 2023/24.", ["2023/24"]),
        ("Under the Gambling Act 2005, 96.8% were decided within the target time.", []),
        ("In 2023 the Order was made.", ["2023"]),
    ],
)
def test_the_year_in_a_law_s_name_is_no_period(sentence, periods):
    """Set 89: "under the Licensing Act 2003" dated 1,264 applications to 2003."""
    assert [p.text for p in find_periods(sentence, date(2024, 6, 1))] == periods
