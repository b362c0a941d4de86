"""Number rules: each kind of phrasing the extractor accepts or rejects, with at least two variants each."""

from __future__ import annotations

import pytest

from extractors.numbers import find_numbers


def figures(sentence: str) -> list[tuple[str, float, str]]:
    return [(sentence[n.start : n.end], n.value, n.unit) for n in find_numbers(sentence)]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        # percentages: symbol, "per cent", words
        ("Performance stood at 96% in October.", [("96", 96, "percent")]),
        ("Some 96 per cent of plans were reviewed.", [("96", 96, "percent")]),
        ("Ten per cent of children were placed at a distance.", [("Ten", 10, "percent")]),
        ("Nearly a quarter (24%) of referrals were repeat referrals.", [("24", 24, "percent")]),
        ("Caseloads fell from an average of 27 in 2021.", [("27", 27, "count")]),
        ("The vacancy rate is 1.9 percent.", [("1.9", 1.9, "percent")]),
        # counts with thousands separators and decimals with a unit
        ("Meetings have more than doubled, to 2,356.", [("2,356", 2356, "count")]),
        ("The authority looks after 12,045 children.", [("12,045", 12045, "count")]),
        ("This equates to 9.8 FTE posts.", [("9.8", 9.8, "fte")]),
        ("There are 14.5 full-time equivalent social workers.", [("14.5", 14.5, "fte")]),
        # rates, money, durations, scores
        ("The rate is 36 per 10,000 children.", [("36", 36, "rate_per_10000")]),
        ("This is a rate of 31 per 10000 children.", [("31", 31, "rate_per_10000")]),
        ("The service costs £2,000 per week.", [("£2,000", 2000, "gbp")]),
        ("A further £1.5m was invested.", [("£1.5m", 1_500_000, "gbp")]),
        ("Children waited an average of 586 days.", [("586", 586, "days")]),
        ("The average was 30 weeks for care proceedings.", [("30", 30, "weeks")]),
        ("Carers rated support as 8/10 or above.", [("8", 8, "score")]),
        ("The mean score was 7 out of 10.", [("7", 7, "score")]),
        # a range shares the unit printed after its second number
        ("It fell from 288 to 286 days.", [("288", 288, "days"), ("286", 286, "days")]),
        ("Monthly rates were between 20 and 59% in 2021.", [("20", 20, "percent"), ("59", 59, "percent")]),
        # "under"/"over" with a count is a figure, not an age
        ("The number fell to under 500 children.", [("500", 500, "count")]),
        # rates per 100,000 and per 1,000; a unit named before the figure
        ("Admissions were 538.2 per 100,000 people.", [("538.2", 538.2, "rate_per_100000")]),
        ("Infant deaths were 3.1 per 1,000 live births.", [("3.1", 3.1, "rate_per_1000")]),
        ("The rate per 10,000 children aged under 18 is 45.", [("45", 45, "rate_per_10000")]),
        (
            "The average Attainment 8 score was 44.1, down from 45.9.",
            [("44.1", 44.1, "score"), ("45.9", 45.9, "score")],
        ),
        # numbers in words that are counts
        ("Of these, five live in residential special schools.", [("five", 5, "count")]),
        ("We opened three new residential homes.", [("three", 3, "count")]),
    ],
)
def test_figures_are_found_with_value_and_unit(sentence, expected):
    assert figures(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        # paragraph and section numbers
        "2.24 The service has improved its practice.",
        "42.1 The Cabinet Member introduced the item.",
        "This is set out at para 2.6-2.10 of the report.",
        "Not applicable – this is a report for information 8.",
        # years and dates on their own
        "In 2019 Ofsted found an inconsistent approach.",
        "The panel met on 20, 21 and 22 October.",
        "The visit took place between 12 and 22 October 2020.",
        # ages and age bands
        "Young people aged 4-18 attend the service.",
        "The scheme supports 10–16-year-olds.",
        "Most applicants are in their 40s.",
        "Some 16- and 17-year-old young people presenting as homeless.",
        "Support for children aged six to 17 in the last year.",
        "Services for under-18s and over 16s.",
        "Children aged 11 to 17 were seen by the team.",
        # definitions of an indicator
        "The proportion of older people still at home 91 days after discharge is measured.",
        # identifiers, addresses, named measures
        "Unique reference number: 80123",
        "The office is at 1 Market Street, Chichester.",
        "Progress 8 and Attainment 8 are the headline measures.",
        # legislation and references
        "Children have rights under Article 8.",
        "Duties under Sections 17, 37 and 39 apply.",
        "Accommodation under section 20 of the Children Act 1989.",
        "Recommendation 6 called for improvement.",
        "At Key Stages 1 and 2 the attainment was good.",
        # phone numbers, times, ordinals
        "Telephone number: 01403 229900",
        "Contact Officer: Lance John, 033 022 23456, email",
        "Tuesday, 8th December 2020, 10:54 am",
        "Plans are in place by the 2nd review.",
        # definitions of a standard
        "Assessments should be completed within 20 working days.",
        "Visits happen within the required 72-hour period.",
        "Schools that look after children for 295 days or less per year.",
        # references to known things
        "Practice in the three homes is well evidenced.",
        "These two events will have an impact.",
        # compound adjectives
        "The service includes a 12-session adolescent group.",
        "The council adopted a 5-year plan for care.",
        # Covid-19 and page numbers
        "Visits were disrupted by the Covid-19 lockdown.",
        "Page 4",
        # rating bands, listed ages, a RAG rating's margin, counts of a report's own measures by status
        "Food businesses rated 4 or 5 under the Food Hygiene Rating Scheme.",
        "Care leavers aged 19, 20 and 21 whose activity is known.",
        "Children (under 16) in absolute low income families.",
        "Amber means within 5% of target.",
        "Of the indicators, 6 are green, 4 amber and 9 red.",
        "Plans were issued within the 20-week limit.",
        # counts of a report's measures by status, a measure's window, the wards a report covers
        "Of the 40 measures, 27 were on track, 5 within tolerance and 8 off track.",
        "Nine are on target this quarter.",
        "Good is lower · Rolling 12 months",
        "Major applications decided in time, 24 months to the end of the quarter",
        "Wards: all wards (17).",
        "Electoral divisions: all (54).",
        # a measure's code in brackets, short telephone numbers, more counts of a report's own measures
        "5.2 Assessment timeliness (CYP 2).",
        "5.7 Customers (CS 1 and CS 2).",
        "Report it online, by calling 101, or on 999 in an emergency.",
        "The Samaritans can be reached free at any time on 116 123.",
        "Report ASB to the council online, or call 101 (999 in an emergency).",
        "Of these, 3 are for monitoring only; 4 have worsened and 0 are unchanged.",
        "This report presents the council's 22 key performance indicators.",
        "Three measures have been added and two are now reported annually.",
        # samples, deprivation bands, entitlements, ranges, a plan's structure, school days and word-number limits
        "Inspectors looked at the records of 46 children and spoke to 23 social workers.",
        "A dip sample of 40 re-referrals is under way.",
        "Courses target the most deprived 20% of wards and the 10% most deprived streets.",
        "Working age claimants can receive up to 80% of their liability.",
        "The service works within the 28% to 40% range SafeLives recommends.",
        "The Board is asked to adopt its 6 recommendations and the plan's three priorities.",
        "Inspectors identified four areas for improvement.",
        "Appeals are heard within 40 school days; supervision is due within the required four weeks.",
        "Long-term absence is an absence of 28 calendar days or more.",
        "Report crime on 101, or 999 in an emergency; Fire Control answers emergency (999) calls.",
    ],
)
def test_non_figures_are_rejected(sentence):
    assert figures(sentence) == []


@pytest.mark.parametrize(
    "text",
    [
        "Children subject to a child Child protection plans per protection plan 10,000",
        "Children looked after per Looked-after children with 10,000 three or more placement moves",
        "23.4% of children in care were placed more\nthan 20 miles from home.",
    ],
)
def test_a_rate_base_on_the_next_line_and_a_distance_over_a_line_break_are_not_figures(text):
    assert [n.value for n in find_numbers(text)] == ([23.4] if "miles" in text else [])


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("There were 10,697 suspensions, 102.6 for every 1,000 pupils.", [10697, 102.6]),
        ("Only 36% of the 96 case audits were graded good.", [36]),
        ("Families in bed and breakfast beyond six weeks fell to 12.", [12]),
    ],
)
def test_a_rate_base_an_audit_sample_and_a_word_limit_beside_a_figure_leave_the_figure(sentence, expected):
    assert [n.value for n in find_numbers(sentence)] == expected


def test_counts_of_the_report_s_own_measures_runs_lags_and_references_are_not_figures():
    """Blind sets 97-104 (nogold lines at their first runs): "The scorecard contains 19 indicators, 18 of them with a
    target", "Fifteen of the seventeen measures", "still at home 91 days later", "risen for three quarters in a row",
    "95% confidence intervals", "Reference no: 80126" were stored as figures."""
    from extractors.numbers import find_numbers

    def values(text: str) -> list[str]:
        return [text[n.start : n.end] for n in find_numbers(text)]

    assert values("The scorecard contains 19 indicators, 18 of them with a 2025/26 target.") == []
    assert values("Fifteen of the seventeen measures with a target met it.") == []
    assert "91" not in values("84.0% were still living at home 91 days later.")
    assert values("84.0% were still living at home 91 days later.")[:1] in (["84.0%"], ["84.0"])
    assert values("The number waiting has risen for three quarters in a row.") == []
    assert values("Comparison with England uses 95% confidence intervals.") == []
    assert values("Reference no: 80126.") == []
    assert values("The council completed 412 assessments in the quarter.") == ["412"]
