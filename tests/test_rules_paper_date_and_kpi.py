"""Paper date detection, KPI ids from the taxonomy and readable labels: kinds of phrasing, two variants each."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.nlp import analyse
from extractors.paper_date import detect_paper_date, detect_title
from models.records import Page
from models.taxonomy import load_taxonomy


def _date(text: str):
    return detect_paper_date([Page(number=1, text=text)])


@pytest.mark.parametrize(
    "text, expected, source",
    [
        ("Ofsted report\nReport published: 20 January 2016\n", date(2016, 1, 20), "text:published"),
        (
            "Inspection date: 3 March 2015 – 25 March 2015\nReport published: 13 May 2015",
            date(2015, 3, 25),
            "text:inspection",
        ),
        ("Inspection dates: 16 July 2018 to 20 July 2018", date(2018, 7, 20), "text:inspection"),
        (
            "An update to coincide with the County Council meeting on 12 February 2021.",
            date(2021, 2, 12),
            "text:meeting",
        ),
        (
            "Progress Report – November 2020\nthe County Council meeting on 6 November.",
            date(2020, 11, 6),
            "text:meeting+title",
        ),
        ("Programme: Progress Report – February 2021\nIntroduction", date(2021, 2, 1), "text:title_month"),
        ("Headline\nTuesday, 8th December 2020, 10:54 am\nCounty Hall", date(2020, 12, 8), "text:dateline"),
    ],
)
def test_paper_date_is_read_from_the_paper(text, expected, source):
    assert _date(text) == (expected, source)


def test_a_future_publication_mentioned_in_passing_is_not_the_paper_date():
    assert _date("The formal findings are due to be published on 4 December 2020.") is None


def _figures(text: str, paper_date: date = date(2022, 1, 12)):
    return analyse(text, paper_date)._.figures


def test_kpi_ids_come_from_the_taxonomy_synonyms():
    text = (
        "The percentage of statutory visits for Children Looked After in timescales is at 89% in October.\n\n"
        "At 31 March 2021 dental check compliance was at 52%.\n"
    )
    kpis = [(f.value, f.kpi) for f in _figures(text)]
    assert kpis == [(89, "statutory_visits_in_time"), (52, "dental_checks")]


def test_a_population_named_in_passing_does_not_win_over_the_measure():
    text = "Permanence plans for children looked after were in place for 98% of children in October 2021."
    assert [f.kpi for f in _figures(text)] == ["permanence_plans_by_second_review"]


def test_unmatched_figures_keep_their_label_and_a_null_kpi():
    text = "There were 330 individuals nominated for the awards in November 2021."
    (fig,) = _figures(text)
    assert fig.kpi is None
    assert fig.label and "individuals" in fig.label


@pytest.mark.parametrize(
    "text, label",
    [
        ("In October 2021, 96% of care plans reviewed were on time.", "care plans reviewed"),
        ("The council currently cares for 865 children (October 2021).", "children"),
        ("Fostering enquiries have increased by 36%.", "Fostering enquiries"),
        ("Visitors to the fostering website have increased by 76%.", "Visitors to the fostering website"),
        ("Of these, 70% have had a dental check.", "had a dental check"),
        # a bare counted noun after the figure: the subject before the verb names the measure
        ("Homeless applications rose again to 611 households in May 2024.", "Homeless applications"),
        ("Vehicle thefts slipped to 214 offences in 2023.", "Vehicle thefts"),
        # ... its own phrase, or what was done to the things counted; a code in brackets is no part of the name
        ("The Early Help Hub received 5,932 requests for support.", "requests for support"),
        ("Family hubs recorded 18,460 contacts.", "contacts recorded"),
        ("The service supervised 187 children during the year.", "children supervised"),
        ("Overall satisfaction (TP01) was 64.2%.", "Overall satisfaction"),
        ("A non-emergency repair took 17.8 days on average.", "non-emergency repair"),
        # a period inside the subject, a change before the figure, people and what they were doing
        ("The recycling rate for January to March 2025 was 25.3%.", "recycling rate"),
        ("1,126 people were waiting for a Care Act assessment.", "people were waiting for a Care Act assessment"),
        # "people were waiting" names nothing; the name before the colon does
        ("Occupational therapy: 188 people were waiting at month end.", "Occupational therapy"),
        ("188 people were waiting at month end.", None),
        # "<name> of N", and the second subject of one verb
        ("Relief success of 29.4% was below target.", "Relief success"),
        ("The council achieved a collection rate of 97.2%.", "collection rate"),
        ("The rate of 29% was low.", None),
        ("19 households were accepted as owed the main duty.", "households were accepted as owed the main duty"),
    ],
)
def test_labels_are_the_measured_noun_phrase_in_the_papers_words(text, label):
    assert [f.label for f in _figures(text)] == [label]


def test_a_sub_group_after_of_whom_does_not_take_the_subject_s_name():
    """Marrickshire (69th blind set): "children in care increased to 927, of whom 74 are unaccompanied
    asylum-seeking children" put 74 in the children-in-care series."""
    figs = _figures("The number of children in care increased to 927, of whom 74 are unaccompanied children.")
    assert [(f.value, f.label) for f in figs] == [(927, "children in care"), (74, None)]


def test_the_second_subject_of_one_verb_names_its_figure():
    figs = _figures("Overall absence fell to 7.1% and persistent absence to 20.3%.")
    assert [(f.value, f.label) for f in figs] == [(7.1, "Overall absence"), (20.3, "persistent absence")]


def test_a_change_by_points_before_the_figure_keeps_the_subject():
    figs = _figures("Persistent absence fell by 1.6 percentage points to 21.5%.")
    assert [(f.value, f.role, f.label) for f in figs] == [
        (1.6, "change", "Persistent absence"),
        (21.5, "actual", "Persistent absence"),
    ]


def test_every_figure_carries_a_rule_id_and_a_confidence():
    figs = _figures("The rate was 36 per 10,000 children at 31 March 2021, against 41 per 10,000 nationally.")
    assert [(f.value, f.unit, f.role) for f in figs] == [
        (36, "rate_per_10000", "actual"),
        (41, "rate_per_10000", "benchmark"),
    ]
    for f in figs:
        assert f.rule.startswith("num.") and f.role_rule.startswith("role.") and f.period_rule.startswith("period")
        assert 0 < f.confidence < 1
    # an undated figure is less certain than a dated one
    (undated,) = _figures("The council supports 120 care leavers.")
    assert undated.period_rule == "period.paper_date" and undated.confidence < figs[0].confidence


def test_taxonomy_is_versioned_and_ids_are_unique():
    tax = load_taxonomy()
    ids = [k.id for k in tax.kpis]
    assert tax.version and len(ids) == len(set(ids))
    assert all(k.synonyms for k in tax.kpis)


def test_a_table_row_read_as_text_is_flagged_as_less_certain():
    prose = _figures("In 2020/21 the council looked after 865 children.")[0]
    table = _figures("Children looked after\n2019/20 2020/21 2021/22\n842 865 880\n")
    assert table and all(f.confidence <= prose.confidence - 0.2 for f in table)


@pytest.mark.parametrize(
    "text, expected_start",
    [
        # a year closing the sentence scopes its figures
        ("The proportion gaining five GCSEs was 12% above the national rate in 2013–2014.", date(2013, 9, 1)),
        ("Re-referrals stood at 18% of all referrals during 2019/20.", date(2019, 4, 1)),
        # a list lead-in dates its items
        (
            "Comparing April to October 2021 with April to October 2020:\n• Enquiries have increased by 36%\n",
            date(2021, 4, 1),
        ),
        ("In the year to March 2021:\n• 45 children were adopted\n", date(2020, 4, 1)),
    ],
)
def test_periods_that_scope_more_than_their_neighbourhood(text, expected_start):
    figs = _figures(text)
    assert figs and figs[-1].period is not None and figs[-1].period.start == expected_start


@pytest.mark.parametrize(
    "text",
    [
        "At 31 March 2014, 64% of care leavers were in suitable accommodation. This compared with figures of "
        "74% for comparable authorities.",
        "In 2014, re-referrals were 21%. This is below the national average of 24%.",
    ],
)
def test_a_benchmark_that_refers_back_takes_the_previous_sentences_date(text):
    figs = _figures(text)
    assert [f.role for f in figs] == ["actual", "benchmark"]
    assert figs[1].period == figs[0].period and figs[1].period_rule == "period.previous_sentence"


def test_a_benchmark_without_a_date_of_its_own_stays_undated():
    figs = _figures("Performance exceeds the national average of 69%.")
    assert [(f.role, f.period) for f in figs] == [("benchmark", None)]


@pytest.mark.parametrize(
    "text, value, start",
    [
        # a period followed by a colon labels the figure after it
        ("Children visited within timescale: 88% (Q1 2021/22: 84%).", 84, date(2021, 4, 1)),
        ("Re-referrals: 21% (2020/21: 24%).", 24, date(2020, 4, 1)),
    ],
)
def test_a_labelled_period_belongs_to_the_figure_it_labels(text, value, start):
    figs = {f.value: f for f in _figures(text)}
    assert figs[value].period.start == start and figs[value].period_rule == "period.label"
    other = next(f for v, f in figs.items() if v != value)
    assert other.period_rule != "period.sentence" and other.period.start != start


@pytest.mark.parametrize(
    "text",
    [
        "Timeliness rose to 91%, an increase of 3 percentage points on 2020/21.",
        "Enquiries were up 12% compared with 2020/21.",
    ],
)
def test_a_change_on_an_earlier_period_runs_from_it_to_now(text):
    (change,) = [f for f in _figures(text) if f.role == "change"]
    assert change.period.start == date(2020, 4, 1) and change.period.end >= date(2021, 12, 31)
    assert change.period_rule == "period.since_base"


def test_a_bracketed_aside_does_not_cut_a_figure_from_its_period():
    text = "This is a reduction from 107 (33 per 10,000 children) at 31 March 2014."
    figs = {f.value: f for f in _figures(text, date(2015, 3, 25))}
    assert figs[107].period.start == date(2014, 3, 31) and figs[107].role == "baseline"


def test_a_clause_after_a_comma_and_keeps_its_own_period():
    text = (
        "There were 2,846 referrals as at January 2021, and 49.2% of assessments were completed within "
        "20 weeks in calendar year 2020."
    )
    figs = {f.value: f for f in _figures(text)}
    assert figs[2846].period.start == date(2021, 1, 1)
    assert figs[49.2].period.start == date(2020, 1, 1) and figs[49.2].period.end == date(2020, 12, 31)


@pytest.mark.parametrize(
    "title, start, end",
    [
        ("Quarter 2 Performance Report 2023/24\n\n1.1 Introduction", date(2023, 7, 1), date(2023, 9, 30)),
        ("Annual Performance Report 2022/23\nCabinet, 12 July 2023", date(2022, 4, 1), date(2023, 3, 31)),
        (
            "Scrutiny Committee\nThis report sets out performance for April to June 2023.",
            date(2023, 4, 1),
            date(2023, 6, 30),
        ),
    ],
)
def test_undated_figures_in_a_performance_report_take_the_period_it_covers(title, start, end):
    from extractors.paper_date import detect_reporting_period

    pages = [Page(number=1, text=title + "\n\nThe service completed 1,146 assessments.\n")]
    period = detect_reporting_period(pages, date(2023, 11, 15))
    assert (period.start, period.end) == (start, end)
    (fig,) = analyse(pages[0].text, date(2023, 11, 15), report_period=period)._.figures
    assert (fig.period.start, fig.period.end, fig.period_rule) == (start, end, "period.report")


def test_a_month_in_a_title_is_the_reports_date_not_its_period():
    from extractors.paper_date import detect_reporting_period

    pages = [Page(number=1, text="Children First Programme: Progress Report – February 2021\nIntroduction")]
    assert detect_reporting_period(pages, date(2021, 2, 12)) is None


@pytest.mark.parametrize(
    "cover, when",
    [
        (
            "Borough Council\nReport to Cabinet\nDate of meeting 12 September 2023\nReport of Director",
            date(2023, 9, 12),
        ),
        (
            "County Council\nPeople Scrutiny Committee\nMeeting date Thursday 16 November 2023\nAgenda item 6",
            date(2023, 11, 16),
        ),
    ],
)
def test_a_cover_sheet_row_without_a_colon_dates_the_paper(cover, when):
    found = detect_paper_date([Page(number=1, text=cover)])
    assert found is not None and found[0] == when


def test_a_cover_sheet_title_row_is_the_title():
    cover = (
        "Kestrel Borough Council\nReport to Cabinet\nTitle Quarter 1 2023/24 Corporate Performance Report\nWards All"
    )
    assert detect_title([Page(number=1, text=cover)]) == "Quarter 1 2023/24 Corporate Performance Report"


def test_a_meeting_date_alone_on_the_line_under_the_committee_is_the_paper_date():
    from extractors.paper_date import detect_paper_date

    text = (
        "Wexcombe County Council\nHealth and Adult Social Care Scrutiny Committee\n6 March 2025\n"
        "This report presents the measures agreed by the Committee on 14 March 2024."
    )
    assert detect_paper_date([Page(number=1, text=text)]) == (date(2025, 3, 6), "text:meeting_header")
