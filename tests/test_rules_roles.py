"""Role rules: actual, target, baseline, change, benchmark, range ends; two variants or more each."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.numbers import find_numbers
from extractors.roles import classify_role


def roles(sentence: str) -> list[tuple[str, str]]:
    found = find_numbers(sentence)
    return [(sentence[n.start : n.end], classify_role(sentence, n, found)[0]) for n in found]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The indicator carries an expectation of 100%.", [("100", "target")]),
        (
            "Collection reached 83.4% by 31 December against a profile of 83.8%.",
            [("83.4", "actual"), ("83.8", "target")],
        ),
        ("Uptake was 43.3%, still short of the 45% contract level.", [("43.3", "actual"), ("45", "target")]),
        ("It is forecast to deliver 5,700 checks by March.", [("5,700", "forecast")]),
        ("Absence fell to 8.7 days against a London median of 8.1 days.", [("8.7", "actual"), ("8.1", "benchmark")]),
        ("A quit rate of 55.8% (England 2022/23: 56.0%).", [("55.8", "actual"), ("56.0", "benchmark")]),
        ("There are 64 households, 11 fewer than in January 2023.", [("64", "actual"), ("11", "change")]),
        ("The rate of 98.0% was 0.1 percentage points lower than in 2023/24.", [("98.0", "actual"), ("0.1", "change")]),
        ("4,208,115 journeys were made, 5.5% more than a year earlier.", [("4,208,115", "actual"), ("5.5", "change")]),
        ("634 homes were completed, 34 more than the target.", [("634", "actual"), ("34", "actual")]),
        ("The target for children to have a care plan in place and reviewed is 100%.", [("100", "target")]),
        ("The team is expected to work with a further 470 families.", [("470", "target")]),
        ("There was a recommendation of 240 placements.", [("240", "target")]),
        ("Enquiries have increased by 36%.", [("36", "change")]),
        ("Numbers fell by 12% over the year.", [("12", "change")]),
        ("Timeliness was 85%, up 5 percentage points.", [("85", "actual"), ("5", "change")]),
        ("Caseloads are down by 3 on last quarter.", [("3", "change")]),
        ("This is an increase of 30% since 2018.", [("30", "change")]),
        ("It exceeds the national average of 69%.", [("69", "benchmark")]),
        ("This compares with statistical neighbours, at 41%.", [("41", "benchmark")]),
        ("Turnover was 20%, against 17% nationally.", [("20", "actual"), ("17", "benchmark")]),
        ("Rates ranged between 20% and 59% during the year.", [("20", "range_low"), ("59", "range_high")]),
        ("Monthly figures ranging from 3 to 12 were seen.", [("3", "range_low"), ("12", "range_high")]),
        ("It improved from 89% in August 2020 to 98% now.", [("89", "baseline"), ("98", "actual")]),
        ("Placements rose to 245 from a base of 108 in February 2020.", [("245", "actual"), ("108", "baseline")]),
        ("This is a reduction from 107 at 31 March 2014.", [("107", "baseline")]),
        ("Caseloads have reduced from an average of 27 in 2021 to 19 now.", [("27", "baseline"), ("19", "actual")]),
        ("The council's target for 2023/24 is 520 per 100,000.", [("520", "target")]),
        ("The statutory limit of 6 weeks applies.", [("6", "target")]),
        ("Attainment was 29% above the national average.", [("29", "actual")]),
        ("It took 196 days over the national threshold.", [("196", "actual")]),
        ("The council cares for 865 children.", [("865", "actual")]),
        ("Of these, 93% of visits were on time.", [("93", "actual")]),
        # the figure compared with: "to A from B", "A against B", "A (B)", "(B in the previous year)"
        ("Burglaries dropped to 842 offences from 910.", [("842", "actual"), ("910", "baseline")]),
        ("Arrests stood at 1,204 in the year to March against 1,377.", [("1,204", "actual"), ("1,377", "baseline")]),
        ("Lettings increased to 318 (296).", [("318", "actual"), ("296", "baseline")]),
        ("Voids took 27 days (31 in the previous quarter).", [("27", "actual"), ("31", "baseline")]),
        ("Reablement reached 81.5%, against 79.0% a year ago.", [("81.5", "actual"), ("79.0", "baseline")]),
        ("Rough sleepers counted were 14 (Quarter 3: 19).", [("14", "actual"), ("19", "baseline")]),
        ("It held 2,140 households (2024: 2,008).", [("2,140", "actual"), ("2,008", "baseline")]),
        ("Target 2026/27 92.0%", [("92.0", "target")]),
        ("Trajectory to June 2026 40.0%", [("40.0", "target")]),
        ("Uptake was 61.2% (England, 2024/25) in the survey.", [("61.2", "benchmark")]),
        ("Uptake was 61.2% (England 2024/25: 63.0%).", [("61.2", "actual"), ("63.0", "benchmark")]),
        ("Households rose to 160 (55 per 10,000).", [("160", "actual"), ("55", "actual")]),
    ],
)
def test_roles(sentence, expected):
    assert roles(sentence) == expected


def test_a_figure_followed_by_the_word_target_is_the_target():
    from extractors.nlp import analyse

    text = "Prevention work succeeded in 55.3% of cases, meeting the 55% target for the first time since 2022/23."
    roles = {f.value: f.role for f in analyse(text, date(2024, 12, 30))._.figures}
    assert roles == {55.3: "actual", 55.0: "target"}
    assert [f.role for f in analyse("We worked in 5 target areas in May 2024.", date(2024, 12, 30))._.figures] == [
        "actual"
    ]
