"""Plan sentences: what a strategy says will be reached is a target (no period), where it starts from a baseline."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.nlp import analyse
from extractors.plans import apply_plans


def _roles(text: str, paper_date: date | None = None) -> dict[str, tuple[str, object]]:
    doc = analyse(text, paper_date)
    figures = apply_plans(doc._.figures, text)
    return {text[f.start : f.end]: (f.role, f.period) for f in figures}


@pytest.mark.parametrize(
    "sentence, baseline, target",
    [
        (
            "The proportion of adults who are physically inactive will have fallen from 22.3% in 2020/21 to 20%.",
            "22.3",
            "20",
        ),
        (
            "By 2028, the people describing their experience as good will have increased from 49% in 2022 to at least 60%.",
            "49",
            "60",
        ),
        ("Pupil absence rates will have fallen from 7.9% in 2021/22 to below 5% by 2028.", "7.9", "5"),
    ],
)
def test_from_to_in_a_plan_is_a_baseline_and_a_target(sentence, baseline, target):
    roles = _roles(sentence)
    assert roles[baseline][0] == "baseline"
    assert roles[target] == ("target", None)


@pytest.mark.parametrize(
    "sentence, value",
    [
        ("By 2028, 65% of employees report that their managers support their learning.", "65"),
        ("By April 2027, the spend by the council that is in the county will be 45%.", "45"),
        ("By 2028, the staff sickness rate will have reduced by 6%.", "6"),
    ],
)
def test_what_a_plan_says_will_be_is_a_target(sentence, value):
    assert _roles(sentence)[value] == ("target", None)


@pytest.mark.parametrize(
    "sentence, value, role",
    [
        ("In 2023, 65% of employees said their managers supported their learning.", "65", "actual"),
        ("Absence fell from 7.9% in 2021/22 to 6.1% in 2022/23.", "6.1", "actual"),
        (
            "The council will publish the results; 412 households were in temporary accommodation in March 2024.",
            "412",
            "actual",
        ),
    ],
)
def test_measurements_stay_actuals(sentence, value, role):
    assert _roles(sentence, date(2024, 6, 1))[value][0] == role


@pytest.mark.parametrize(
    "sentence, value",
    [
        ("There is a possibility that gilt yields will rise before declining as rates fall to 3.0%.", "3.0"),
        ("Demand is expected to grow, and by 2026 placements will have increased to 1,250.", "1,250"),
    ],
)
def test_forecasts_are_not_plans(sentence, value):
    doc = analyse(sentence, None)
    (fig,) = [f for f in apply_plans(doc._.figures, sentence) if sentence[f.start : f.end] == value]
    assert not fig.role_rule.endswith(".plan")
