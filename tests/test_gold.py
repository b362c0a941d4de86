"""Extraction quality against hand-annotated gold: the issue's thresholds on the seeds, floors on Ofsted."""

from __future__ import annotations

from pipeline.evaluate import evaluate, gold_interval, totals
from tests.conftest import FIXTURES, GOLD, SAMPLES_PDF


def test_seed_papers_meet_the_quality_bar():
    t = totals(evaluate(GOLD / "seeds.jsonl", SAMPLES_PDF))
    assert t.gold_core >= 50
    assert t.precision >= 0.95, t
    assert t.recall >= 0.95, t
    assert t.period_accuracy >= 0.92, t
    assert t.role_accuracy >= 0.95, t


def test_ofsted_report_never_seen_by_the_seed_rules_stays_precise():
    # own gold for the Windsor and Maidenhead inspection report (pages 10-11 exhaustive; see its README)
    t = totals(evaluate(GOLD / "ofsted_windsor.jsonl", FIXTURES / "ofsted"))
    assert t.gold_core >= 40
    assert t.precision >= 0.95, t
    assert t.recall >= 0.95, t
    assert t.role_accuracy >= 0.97, t
    assert t.period_accuracy >= 0.89, t  # 0.810 before the narrative period kinds of issue 18, 0.906 after


def test_narrative_papers_get_their_periods_right():
    # issue 18: three narrative papers whose gold was written before the extractor ran on them (the period rules
    # were then built against their failures: 0.779 period, 0.626 span, 0.929 recall before; see the README)
    t = totals(evaluate(GOLD / "narrative.jsonl", FIXTURES / "narrative"))
    assert t.gold_core >= 80
    assert t.precision >= 0.98, t
    assert t.recall >= 0.97, t
    assert t.period_accuracy >= 0.95, t
    assert t.period_span_accuracy >= 0.95, t
    assert t.role_accuracy >= 0.97, t


def test_a_held_out_narrative_paper_stays_precise_and_dated():
    # written after the issue 18 rules, scored once before any change (0.974 / 0.949 / period 0.838), then its
    # failing kinds got rules too (see narrative_heldout.README.md); floors below the current figures
    t = totals(evaluate(GOLD / "narrative_heldout.jsonl", FIXTURES / "narrative_heldout"))
    assert t.precision >= 0.95, t
    assert t.recall >= 0.95, t
    assert t.period_accuracy >= 0.90, t
    assert t.period_span_accuracy >= 0.90, t


def test_a_gold_interval_must_be_covered_not_just_touched():
    from datetime import date
    from types import SimpleNamespace

    from pipeline.evaluate import GoldFigure, period_correct, period_spans

    def obs(start: date, end: date) -> SimpleNamespace:  # the scoring reads only the predicted period
        return SimpleNamespace(period_start=start, period_end=end)

    def gold(period: str) -> GoldFigure:
        return GoldFigure("d", 1.0, "count", period, "k", "actual", True, "q")

    day, year = obs(date(2015, 12, 31), date(2015, 12, 31)), obs(date(2015, 1, 1), date(2015, 12, 31))
    assert period_correct(gold("2015-01/2016-02"), day) and not period_spans(gold("2015-01/2016-02"), day)
    assert period_spans(gold("2015-01/2016-02"), year)
    assert period_spans(gold("2015-01..2016-02"), day)  # a window takes any point in it
    assert period_spans(gold("2015-12"), day)  # a month is short enough for a day inside it


def test_a_sparse_ofsted_report_gives_no_false_positives_on_its_exhaustive_pages():
    scores = evaluate(GOLD / "ofsted_east_sussex.jsonl", FIXTURES / "ofsted")
    assert sum(len(s.false_positives) for s in scores) == 0


def test_gold_periods_parse_as_intervals():
    from datetime import date

    assert gold_interval("2021-10") == (date(2021, 10, 1), date(2021, 10, 31))
    assert gold_interval("2018/2021-10") == (date(2018, 1, 1), date(2021, 10, 31))
    assert gold_interval("2021-03-31") == (date(2021, 3, 31), date(2021, 3, 31))
    assert gold_interval("2015-04..2015-09") == (date(2015, 4, 1), date(2015, 9, 30))
