"""Period rules: each kind of date or period phrasing, resolved to (start, end), two variants or more each."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.periods import find_periods

REF = date(2022, 1, 12)


def periods(sentence: str, ref: date | None = REF) -> list[tuple[date, date, str]]:
    return [(p.start, p.end, p.kind) for p in find_periods(sentence, ref)]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("in October 2021 it rose", (date(2021, 10, 1), date(2021, 10, 31), "month")),
        ("since Oct 2020 there", None),  # 'since' is a window, checked below
        ("at 31 March 2021 compliance was 52%", (date(2021, 3, 31), date(2021, 3, 31), "day")),
        ("as at 30 September 2015 there were", (date(2015, 9, 30), date(2015, 9, 30), "day")),
        ("in October performance was 89%", (date(2021, 10, 1), date(2021, 10, 31), "month")),
        ("In November, 93% were on time", (date(2021, 11, 1), date(2021, 11, 30), "month")),
        ("In 2018 it was used", (date(2018, 1, 1), date(2018, 12, 31), "year")),
        ("spending in 2014–15 fell", (date(2014, 4, 1), date(2015, 3, 31), "financial_year")),
        ("during 2020/21 budgets", (date(2020, 4, 1), date(2021, 3, 31), "financial_year")),
        ("GCSE results in 2020/21", (date(2020, 9, 1), date(2021, 8, 31), "academic_year")),
        ("During the academic year 2020/21", (date(2020, 9, 1), date(2021, 8, 31), "academic_year")),
        ("spending in 21/22 was", (date(2021, 4, 1), date(2022, 3, 31), "financial_year")),
        ("the FY20/21 budget", (date(2020, 4, 1), date(2021, 3, 31), "financial_year")),
        ("in Quarter 3 2018/19", (date(2018, 10, 1), date(2018, 12, 31), "quarter")),
        ("in Q3 performance", (date(2021, 10, 1), date(2021, 12, 31), "quarter")),
        ("from April to July 2020", (date(2020, 4, 1), date(2020, 7, 31), "range")),
        ("Between 1 April and 30 September 2015", (date(2015, 4, 1), date(2015, 9, 30), "range")),
        ("for the three years 2011–14", (date(2011, 4, 1), date(2014, 3, 31), "financial_year")),
        ("in the first six months of 2021", (date(2021, 1, 1), date(2021, 6, 30), "range")),
        ("in the last 12 months", (date(2021, 1, 1), date(2021, 12, 31), "relative")),
        ("over the past year", (date(2021, 1, 1), date(2021, 12, 31), "relative")),
        ("in the 12 months to September 2021, 63%", (date(2020, 10, 1), date(2021, 9, 30), "range")),
        ("In the year to 31 March 2021, 63%", (date(2020, 4, 1), date(2021, 3, 31), "range")),
        ("the nine months to 31 December 2021", (date(2021, 4, 1), date(2021, 12, 31), "range")),
        ("in the summer term 2021", (date(2021, 4, 16), date(2021, 7, 31), "range")),
        ("during the autumn term 2021", (date(2021, 9, 1), date(2021, 12, 31), "range")),
        ("Year to date, 612 contacts", (date(2021, 4, 1), REF, "relative")),
        ("currently", (REF, REF, "relative")),
        ("at the time of the inspection", (REF, REF, "relative")),
        ("turnover of 33% 12 months ago", (date(2021, 1, 1), date(2021, 1, 31), "month")),
    ],
)
def test_period_phrasings(sentence, expected):
    found = periods(sentence)
    if expected is None:
        assert found and found[0][2] == "since"
    else:
        assert found == [expected]


def test_since_runs_to_the_paper_date():
    assert periods("an increase of 30% since 2018") == [(date(2018, 1, 1), date(2022, 1, 31), "since")]
    assert periods("since March 2020 there has been") == [(date(2020, 3, 1), date(2022, 1, 31), "since")]


def test_each_figure_in_a_sentence_keeps_its_own_period():
    s = "from 89% in August 2020 to 98% currently (October 2021)"
    # "currently" defers to the exact date beside it
    assert [k for _, _, k in periods(s)] == ["month", "month"]
    s = "In 2018 it was used 127 times; 2019 417; 2020 677"
    assert [a.year for a, _, _ in periods(s)] == [2018, 2019, 2020]


def test_relative_periods_need_a_paper_date():
    assert periods("currently at 85%", ref=None) == []
    assert periods("in October performance was 89%", ref=None) == []


def test_a_month_resolves_to_the_latest_such_month_not_after_the_paper_date():
    assert periods("in November", ref=date(2022, 1, 12))[0][0] == date(2021, 11, 1)
    assert periods("in January", ref=date(2022, 1, 12))[0][0] == date(2022, 1, 1)


def test_months_to_months_without_a_year_are_one_span_of_the_latest_such_months():
    """ "April to November" on a November dashboard tile was two months, April and November; "in April and June"
    stays two months."""
    assert periods("April to November", ref=date(2025, 11, 30)) == [(date(2025, 4, 1), date(2025, 11, 30), "range")]
    assert periods("from October to March", ref=date(2026, 3, 31))[0][:2] == (date(2025, 10, 1), date(2026, 3, 31))
    assert [p[2] for p in periods("in April and June", ref=date(2025, 11, 30))] == ["month", "month"]
    assert periods("April to November", ref=None) == []


def test_may_the_verb_is_not_a_month():
    assert periods("We may see a rise") == []
    assert periods("May we see a rise") == []
    assert periods("in May performance fell")[0][0] == date(2021, 5, 1)


@pytest.mark.parametrize(
    "words, start, end",
    [
        # under "Q2 2025/26" (July to September 2025)
        ("Quarterly", None, None),  # the heading's own period: nothing changes
        ("Cumulative", date(2025, 4, 1), date(2025, 9, 30)),
        ("YTD", date(2025, 4, 1), date(2025, 9, 30)),
        ("Snapshot", date(2025, 9, 1), date(2025, 9, 30)),
        ("Rolling 12 months", date(2024, 10, 1), date(2025, 9, 30)),
        ("Rolling 12 months, a quarter behind", date(2024, 7, 1), date(2025, 6, 30)),
        ("Cumulative, a quarter behind", date(2025, 4, 1), date(2025, 6, 30)),
        ("Quarterly (one quarter in arrears)", date(2025, 4, 1), date(2025, 6, 30)),
        ("Annual survey", date(2024, 4, 1), date(2025, 3, 31)),  # the last whole financial year by September
        ("Snapshot (cumulative)", date(2025, 9, 1), date(2025, 9, 30)),
        ("R12", date(2024, 10, 1), date(2025, 9, 30)),  # a "Type" column's codes: R12 = rolling 12 months
        ("Snap", date(2025, 9, 1), date(2025, 9, 30)),
    ],
)
def test_a_table_row_s_frequency_words_change_its_column_s_period(words, start, end):
    from extractors.frequency import frequency_period
    from extractors.periods import Period

    q2 = Period(-1, -1, "Q2 2025/26", date(2025, 7, 1), date(2025, 9, 30), "quarter")
    got = frequency_period(q2, words)
    assert ((got[0].start, got[0].end) if got else (None, None)) == (start, end)


def test_a_year_to_date_column_under_a_whole_year_ends_with_the_reporting_period():
    from extractors.frequency import frequency_period
    from extractors.periods import Period

    year = Period(-1, -1, "2025/26", date(2025, 4, 1), date(2026, 3, 31), "financial_year")
    got = frequency_period(year, "2025/26 YTD", report_end=date(2025, 12, 31))
    assert got is not None and (got[0].start, got[0].end) == (date(2025, 4, 1), date(2025, 12, 31))
    assert frequency_period(year, "2025/26 YTD") is None  # no reporting period: the heading stands


def test_in_arrears_is_no_lag_where_the_table_has_a_column_for_the_quarter_before_or_the_period_is_a_year():
    from extractors.frequency import frequency_period
    from extractors.periods import Period

    q2 = Period(-1, -1, "Q2", date(2024, 7, 1), date(2024, 9, 30), "quarter")
    q1 = (date(2024, 4, 1), date(2024, 6, 30))
    assert frequency_period(q2, "(quarter in arrears)", columns=frozenset({q1})) is None
    got = frequency_period(q2, "(quarter in arrears)")
    assert got is not None and (got[0].start, got[0].end) == q1
    year = Period(-1, -1, "2023/24 outturn", date(2023, 4, 1), date(2024, 3, 31), "financial_year")
    assert frequency_period(year, "(quarter in arrears)") is None
