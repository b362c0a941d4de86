"""Extraction quality against hand-annotated gold: the issue's thresholds on the seeds, floors on Ofsted."""

from __future__ import annotations

from pipeline.evaluate import evaluate, gold_interval, totals
from tests.conftest import FIXTURES, GOLD, SAMPLES_PDF


def test_seed_papers_meet_the_quality_bar():
    t = totals(evaluate(GOLD / "seeds.jsonl", SAMPLES_PDF))
    assert t.gold_core >= 50
    assert t.precision >= 0.95, t
    assert t.recall >= 0.95, t
    assert t.period_accuracy >= 0.90, t
    assert t.role_accuracy >= 0.85, t


def test_ofsted_report_never_seen_by_the_seed_rules_stays_precise():
    # own gold for the Windsor and Maidenhead inspection report (pages 10-11 exhaustive; see its README)
    t = totals(evaluate(GOLD / "ofsted_windsor.jsonl", FIXTURES / "ofsted"))
    assert t.gold_core >= 40
    assert t.precision >= 0.95, t
    assert t.recall >= 0.90, t
    assert t.role_accuracy >= 0.85, t
    assert t.period_accuracy >= 0.75, t


def test_a_sparse_ofsted_report_gives_no_false_positives_on_its_exhaustive_pages():
    scores = evaluate(GOLD / "ofsted_east_sussex.jsonl", FIXTURES / "ofsted")
    assert sum(len(s.false_positives) for s in scores) == 0


def test_gold_periods_parse_as_intervals():
    from datetime import date

    assert gold_interval("2021-10") == (date(2021, 10, 1), date(2021, 10, 31))
    assert gold_interval("2018/2021-10") == (date(2018, 1, 1), date(2021, 10, 31))
    assert gold_interval("2021-03-31") == (date(2021, 3, 31), date(2021, 3, 31))
    assert gold_interval("2015-04..2015-09") == (date(2015, 4, 1), date(2015, 9, 30))
