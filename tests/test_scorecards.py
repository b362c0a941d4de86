"""Scorecards: KPI boxes, label–value rows and header-row columns (PDF, HTML and text), each kind in two or more
variants; the indicator's name is the label, Latest/Previous take the reporting period and the one before it,
Floor is a role, RAG words are an attribute and never a value; every figure keeps its provenance."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from extractors.metrics import extract_metrics
from models.records import ExtractionResult
from pipeline.collect import collect
from pipeline.evaluate import label_correct, period_correct, read_gold, score_paper
from pipeline.stages import extract_text, ingest
from warehouse.db import connect

from .conftest import FIXTURES, GOLD

CARDS = FIXTURES / "scorecards"
Q3_2425 = (date(2024, 10, 1), date(2024, 12, 31))
Q2_2425 = (date(2024, 7, 1), date(2024, 9, 30))


def _extract(path: Path) -> ExtractionResult:
    (src,) = collect([path])
    return extract_metrics(extract_text(src))


def _text_paper(tmp_path: Path, name: str, text: str) -> ExtractionResult:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return _extract(path)


def _by_text(result: ExtractionResult) -> dict[str, object]:
    return {o.value_text: o for o in result.observations}


def _period(o) -> tuple[date, date] | None:
    return (o.period_start, o.period_end) if o.period_start else None


# --- KPI boxes -----------------------------------------------------------------------------------------------


def test_kpi_box_inline_run_under_a_wrapped_heading_two_columns():
    result = _extract(CARDS / "scorecard_boxes_a.pdf")
    obs = [o for o in result.observations if o.label and o.label.startswith("Calls to the contact centre")]
    got = {(o.value_text, o.role, _period(o), o.rag) for o in obs}
    assert got == {
        ("88", "actual", Q3_2425, "Amber"),
        ("90", "target", None, None),
        ("85", "floor", None, None),
        ("89", "actual", Q2_2425, None),
    }
    assert {o.label for o in obs} == {"Calls to the contact centre answered within 60 seconds"}
    # the box beside it in the other column keeps its own name
    waste = [o for o in result.observations if o.value_text == "46.2"]
    assert [o.label for o in waste] == ["Household waste sent for reuse, recycling and composting"]


def test_kpi_box_stacked_lines_three_columns_with_status_and_direction_of_travel():
    result = _extract(CARDS / "scorecard_boxes_b.pdf")
    q2, q1 = (date(2023, 7, 1), date(2023, 9, 30)), (date(2023, 4, 1), date(2023, 6, 30))
    box = [o for o in result.observations if o.label == "Education, health and care plans issued within 20 weeks"]
    assert {(o.value_text, o.role, _period(o), o.rag) for o in box} == {
        ("54", "actual", q2, "Red"),
        ("65", "target", None, None),
        ("55", "floor", None, None),
        ("49", "actual", q1, None),
    }
    # a unit wrapped onto the next line ("Current: 38 per / 100,000") and a name ending in "per 100,000"
    bins = [o for o in result.observations if o.label == "Missed bin collections per 100,000"]
    assert sorted((o.value, o.unit) for o in bins) == [(38, "rate_per_100000"), (40, "rate_per_100000")] + [
        (44, "rate_per_100000"),
        (60, "rate_per_100000"),
    ]


def test_kpi_box_monthly_with_keys_wrapped_over_lines():
    result = _extract(CARDS / "scorecard_monthly_b.pdf")
    dec, nov = (date(2024, 12, 1), date(2024, 12, 31)), (date(2024, 11, 1), date(2024, 11, 30))
    carers = [o for o in result.observations if o.label == "Carers receiving a direct payment"]
    assert {(o.value, o.role, _period(o)) for o in carers} == {
        (1874, "actual", dec),
        (1800, "target", None),
        (1650, "floor", None),  # "Minimum / standard: 1,650" over a line break
        (1861, "actual", nov),  # "Previous month: / 1,861 (Green)"
    }


def test_kpi_box_grid_with_rag_letters_and_values_on_the_line_after_their_key():
    result = _extract(CARDS / "heldout2_dashboard.pdf")
    q2 = (date(2024, 7, 1), date(2024, 9, 30))
    bus = [o for o in result.observations if o.label == "Bus services running on time"]
    # "Actual performance:" / "81% [A]": the key at a line end, its value and letter below; the heading of the box
    # to the left ("… should be / considered") on the same line as this box's values is not this box's name
    assert {(o.value, o.role, _period(o), o.rag) for o in bus} == {
        (81, "actual", q2, "Amber"),
        (85, "target", None, None),
        (75, "floor", None, None),
        (79, "actual", (date(2024, 4, 1), date(2024, 6, 30)), None),
    }
    assert {o.rag for o in result.observations} == {None, "Amber", "Green", "Red"}


def test_kpi_boxes_in_plain_text(tmp_path):
    text = (
        "Quarterly Performance Report\nQuarter 3\n2024/25\n\n"
        "Percentage of calls answered within 60 seconds\n"
        "Latest: 94% Target: 90%, Floor: 85% Previous: 89% (Green)\n\n"
        "Number of households in temporary accommodation\n"
        "Current 412\nTarget 380\nThreshold 420\nLast quarter 398\nRAG: Red\n"
    )
    result = _text_paper(tmp_path, "boxes.txt", text)
    got = sorted((o.value, o.role, _period(o), o.label, o.rag) for o in result.observations)
    calls, homes = "Percentage of calls answered within 60 seconds", "Number of households in temporary accommodation"
    assert got == sorted(
        [
            (94, "actual", Q3_2425, calls, "Green"),
            (90, "target", None, calls, None),
            (85, "floor", None, calls, None),
            (89, "actual", Q2_2425, calls, None),
            (412, "actual", Q3_2425, homes, "Red"),
            (380, "target", None, homes, None),
            (420, "floor", None, homes, None),
            (398, "actual", Q2_2425, homes, None),
        ]
    )


# --- label–value rows (row header at the left) -----------------------------------------------------------------


def test_rows_quarter_result_previous_quarter_and_last_years_outturn():
    result = _extract(CARDS / "scorecard_quarterly_a.pdf")
    homes = {o.value_text: o for o in result.observations if o.label == "New homes completed"}
    assert set(homes) == {"164", "150", "120", "201", "702"}
    assert _period(homes["164"]) == (date(2024, 4, 1), date(2024, 6, 30))  # "Q1 result" of 2024/25
    assert _period(homes["201"]) == (date(2024, 1, 1), date(2024, 3, 31))  # previous quarter: Q4 2023/24
    assert _period(homes["702"]) == (date(2023, 4, 1), date(2024, 3, 31))  # "Outturn 2023/24"
    assert homes["120"].role == "floor" and homes["150"].role == "target"
    assert homes["164"].rag == "Green"
    # a row header wrapped over five lines, with a number in it that is not a figure
    reab = [o for o in result.observations if o.label == "Reablement clients independent after 91 days"]
    assert len(reab) == 5 and not any(o.value == 91 for o in result.observations)


def test_rows_monthly_year_to_date_and_rolling_twelve_months():
    result = _extract(CARDS / "scorecard_monthly_a.pdf")
    row = {o.rule.split("|")[1]: o for o in result.observations if o.label == "Leisure centre attendances"}
    assert _period(row["scorecard.role.latest"]) == (date(2024, 11, 1), date(2024, 11, 30))  # Period 8 = November
    assert _period(row["scorecard.role.ytd"]) == (date(2024, 4, 1), date(2024, 11, 30))
    assert _period(row["scorecard.role.rolling12"]) == (date(2023, 12, 1), date(2024, 11, 30))
    assert _period(row["scorecard.role.previous"]) == (date(2024, 10, 1), date(2024, 10, 31))
    assert row["scorecard.role.rolling12"].value == 733918
    assert not any(o.value_text == "8" for o in result.observations)  # "Period 8" on the cover is a period


def test_rows_in_text_with_bars(tmp_path):
    text = (
        "Performance Report\nQ2 2023-24\n\n"
        "Invoices paid on time | Actual: 96.4% | Target: 97% | Tolerance: 95% | Previous quarter: 95.8% | Amber\n"
        "Staff sickness absence | Actual: 9.8 days | Target: 8.5 days | Tolerance: 10 days | RAG: Red\n"
    )
    result = _text_paper(tmp_path, "rows.txt", text)
    got = {(o.label, o.value, o.unit, o.role, o.rag) for o in result.observations}
    assert ("Invoices paid on time", 96.4, "percent", "actual", "Amber") in got
    assert ("Invoices paid on time", 95, "percent", "floor", None) in got
    assert ("Staff sickness absence", 9.8, "days", "actual", "Red") in got
    assert ("Staff sickness absence", 10, "days", "floor", None) in got
    assert len(result.observations) == 7


# --- columns under a header row ------------------------------------------------------------------------------------


def test_columns_under_a_header_row_pdf():
    result = _extract(CARDS / "scorecard_quarterly_b.pdf")
    q4, q3 = (date(2024, 1, 1), date(2024, 3, 31)), (date(2023, 10, 1), date(2023, 12, 31))
    lac = [o for o in result.observations if o.label == "Looked after children with three or more placements"]
    assert {(o.value, o.role, _period(o), o.rag) for o in lac} == {
        (9.4, "actual", q4, "Green"),
        (10, "target", None, None),
        (12, "floor", None, None),
        (10.7, "actual", q3, None),
    }
    assert not any(o.value_text in ("Amber", "Red", "Green") for o in result.observations)


def test_columns_under_a_header_row_text(tmp_path):
    text = (
        "Corporate Scorecard\nQuarter 1 2024/25\n\n"
        "Indicator        Actual    Target    Threshold    Status\n"
        "Library visits   48,210    45,000    40,000       Green\n"
        "Potholes repaired within 28 days   78%   90%   80%   Red\n"
    )
    result = _text_paper(tmp_path, "columns.txt", text)
    got = {(o.label, o.value, o.role, o.rag) for o in result.observations}
    assert got == {
        ("Library visits", 48210, "actual", "Green"),
        ("Library visits", 45000, "target", None),
        ("Library visits", 40000, "floor", None),
        ("Potholes repaired within 28 days", 78, "actual", "Red"),
        ("Potholes repaired within 28 days", 90, "target", None),
        ("Potholes repaired within 28 days", 80, "floor", None),
    }


# --- what is not a figure ---------------------------------------------------------------------------------------


def test_a_previous_value_without_a_reporting_period_is_not_dated(tmp_path):
    text = "Customer services\n\nCalls answered within 60 seconds\nLatest: 94% Target: 90% Previous: 89%\n"
    result = _text_paper(tmp_path, "undated.txt", text)
    by = {o.value: o for o in result.observations}
    assert by[89].period_start is None and by[89].role == "actual"
    assert by[90].role == "target"


def test_narrative_text_is_not_read_as_a_scorecard(tmp_path):
    text = "Summary\n\nThe target is 90% and performance was 88% in the quarter, up from 85%.\n"
    result = _text_paper(tmp_path, "prose.txt", text)
    assert all(not o.rule.split("|")[1].startswith("scorecard.") for o in result.observations)


# --- the whole gold, and provenance -------------------------------------------------------------------------------


@pytest.mark.parametrize("gold_file", ["scorecards.jsonl", "scorecards_heldout.jsonl", "scorecards_heldout2.jsonl"])
def test_scorecard_gold(gold_file):
    gold = read_gold(GOLD / gold_file)
    scores = []
    for doc in sorted({g.doc for g in gold}):
        scores.append(score_paper(doc, [g for g in gold if g.doc == doc], _extract(CARDS / f"{doc}.pdf")))
    matches = [m for s in scores for m in s.core_matches]
    n_core = sum(s.n_gold_core for s in scores)
    fp = sum(len(s.false_positives) for s in scores)
    assert len(matches) / n_core >= 0.95
    assert len(matches) / (len(matches) + fp) >= 0.95
    assert sum(period_correct(m.gold, m.obs) for m in matches) / len(matches) >= 0.95
    assert sum(m.gold.role == m.obs.role for m in matches) / len(matches) >= 0.95
    assert sum(label_correct(m.gold, m.obs) for m in matches) / len(matches) >= 0.95


def test_offsets_and_boxes_of_every_scorecard_figure(tmp_path):
    db = tmp_path / "cards.duckdb"
    con = connect(db)
    try:
        summary = ingest(con, collect(sorted(CARDS.glob("*.pdf"))), command="test")
        assert summary.count("loaded") == len(list(CARDS.glob("*.pdf")))
        rows = con.execute(
            "SELECT o.value_text, substr(p.text, o.page_start + 1, o.page_end - o.page_start), "
            "substr(s.text, o.sentence_start + 1, o.sentence_end - o.sentence_start), o.bbox_x0, o.rule, o.rag "
            "FROM observations o JOIN pages p ON p.paper_id = o.paper_id AND p.page = o.page "
            "JOIN sentences s ON s.id = o.sentence_id"
        ).fetchall()
        papers = con.execute(
            "SELECT count(*) FROM papers WHERE reporting_period_start IS NOT NULL AND reporting_period_source LIKE 'text:%'"
        ).fetchone()[0]
    finally:
        con.close()
    cards = [r for r in rows if "scorecard." in r[4]]
    assert len(cards) >= 190
    assert all(r[0] == r[1] == r[2] and r[3] is not None for r in cards)
    assert {r[5] for r in cards} >= {"Red", "Amber", "Green", None}
    assert papers == len(list(CARDS.glob("*.pdf")))


def test_extract_prints_the_rag_rating_of_a_scorecard_figure(capsys):
    import json

    from pipeline.cli import main

    assert main(["extract", str(CARDS / "scorecard_boxes_b.pdf")]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    current = [r for r in rows if r["label"] == "Households in temporary accommodation" and r["value"] == 412]
    assert [(r["role"], r["rag"], r["period_start"]) for r in current] == [("actual", "Red", "2023-07-01")]
    assert not any(r["rag"] for r in rows if r["role"] != "actual")


def test_html_table_rows_holding_a_name_and_its_labelled_values(tmp_path):
    html = (
        "<html><body><h1>Quarterly Performance Report</h1><p>Quarter 3 2024/25</p><table>"
        "<tr><th>Measure</th><th>Result</th></tr>"
        "<tr><td>Calls answered within 60 seconds</td><td>Latest: 94% Target: 90% Floor: 85% (Green)</td></tr>"
        "<tr><td>Invoices paid on time</td><td>Latest: 96% Target: 97% Previous: 95.5% (Amber)</td></tr>"
        "</table></body></html>"
    )
    result = _text_paper(tmp_path, "rows.html", html)
    got = {(o.label, o.value, o.role, _period(o), o.rag) for o in result.observations}
    calls, invoices = "Calls answered within 60 seconds", "Invoices paid on time"
    assert got == {
        (calls, 94, "actual", Q3_2425, "Green"),
        (calls, 90, "target", None, None),
        (calls, 85, "floor", None, None),
        (invoices, 96, "actual", Q3_2425, "Amber"),
        (invoices, 97, "target", None, None),
        (invoices, 95.5, "actual", Q2_2425, None),
    }
    text = result.document.pages[0].text
    assert all(text[o.page_start : o.page_end] == o.value_text for o in result.observations)


def test_kpi_boxes_two_a_row_whose_values_are_keyed_by_their_period():
    """ "November 2024: 2,305" / "Target 2,150 · Status: Red" / "2023/24: 2,212 · Good is lower", two boxes a row."""
    result = _extract(FIXTURES / "kpi_eval2" / "ashcombe_corporate_performance_p8_2024-25.pdf")
    obs = [o for o in result.observations if o.label == "Households living in temporary accommodation at month end"]
    got = {(o.value_text, o.role, _period(o)) for o in obs}
    assert got == {
        ("2,305", "actual", (date(2024, 11, 1), date(2024, 11, 30))),
        ("2,150", "target", None),
        ("2,212", "actual", (date(2023, 4, 1), date(2024, 3, 31))),
    }
    beside = [o for o in result.observations if o.value_text == "18" and o.rule.startswith("num.count|scorecard")]
    assert [o.label for o in beside] == ["Number of families with children in B&B for more than 6 weeks"]


def test_kpi_tiles_with_a_headline_value_a_previous_month_and_a_rate_in_the_name():
    """Medbury's August tiles: name, headline value (August), "July: …", "England: … · RAG: Red"."""
    result = _extract(FIXTURES / "kpi_eval4" / "medbury_childrens_scorecard_2025-08.pdf")
    obs = [o for o in result.observations if o.label == "Children looked after per 10,000"]
    got = {(o.value_text, o.unit, o.role, _period(o)) for o in obs}
    assert got == {
        ("93.5", "rate_per_10000", "actual", (date(2025, 8, 1), date(2025, 8, 31))),
        ("94.6", "rate_per_10000", "actual", (date(2025, 7, 1), date(2025, 7, 31))),
        ("70", "rate_per_10000", "benchmark", None),
    }
    assert {o.kpi for o in obs} == {"children_looked_after_rate"}
    rerefs = {o.value_text: o.role for o in result.observations if (o.label or "").startswith("Re-referrals within")}
    assert rerefs == {"22.7": "actual", "21.9": "actual", "20.0": "target", "22.4": "benchmark"}


def _tiles(path: Path, page: int) -> dict[tuple[str, float], tuple[str, tuple[date, date] | None]]:
    result = _extract(path)
    return {
        (o.label, o.value): (o.role, _period(o))
        for o in result.observations
        if o.page == page and o.rule.split("|")[1].startswith("scorecard.") and o.label
    }


def test_a_grid_of_tiles_with_a_date_line_under_each_headline_and_bar_separated_comparisons():
    """Marrowgate (62nd blind set): tiles "Safeguarding decisions within / 2 working days", "91.2%", "in November",
    "Target 90% | October 88.1%" three to a row, and one tile's date line ("12 months to November") level with
    its neighbours' comparison lines. Each value takes its tile's name and the month it names (read before as
    prose: no name, "October 88.1%" a target); "Target –" (none set) is skipped."""
    tiles = _tiles(FIXTURES / "kpi_eval62" / "marrowgate_asc_dashboard_november_2025.pdf", 1)
    nov, octo = (date(2025, 11, 1), date(2025, 11, 30)), (date(2025, 10, 1), date(2025, 10, 31))
    assert tiles[("Safeguarding decisions within 2 working days", 91.2)] == ("actual", nov)
    assert tiles[("Safeguarding decisions within 2 working days", 88.1)] == ("actual", octo)
    assert tiles[("Safeguarding decisions within 2 working days", 90)] == ("target", None)
    assert tiles[("Concerns raised in month", 455)] == ("actual", nov)
    assert tiles[("Concerns raised in month", 487)] == ("actual", octo)
    # "April to November" over "October 95.1%": the year to October
    ytd = "Making Safeguarding Personal – outcomes fully or partly met"
    assert tiles[(ytd, 94.6)] == ("actual", (date(2025, 4, 1), date(2025, 11, 30)))
    assert tiles[(ytd, 95.1)] == ("actual", (date(2025, 4, 1), date(2025, 10, 31)))
    page2 = _tiles(FIXTURES / "kpi_eval62" / "marrowgate_asc_dashboard_november_2025.pdf", 2)
    assert page2[("Reviews overdue (people in long-term support)", 1406)] == ("actual", octo)
    assert not [k for k in page2 if k[0].startswith("12 months")]


def test_tiles_with_abbreviated_months_unset_targets_and_two_digit_years():
    """Hebbleswick (66th blind set): "Sep: 1,486" on an October tile is September (was the report's October);
    "Target 25/26: none set" is a line of the tile, not the name of the "National: 534.4" below it."""
    tiles = _tiles(FIXTURES / "kpi_eval66" / "hebbleswick_childrens_performance_october_2025.pdf", 1)
    assert tiles[("Front Door contacts received", 1486)] == ("actual", (date(2025, 9, 1), date(2025, 9, 30)))
    assert tiles[("Referrals per 10,000 aged 0-17, last 12 months", 534.4)] == ("benchmark", None)
    assert tiles[("Repeat referrals (within 12 months of last)", 20.0)] == ("target", None)
    assert not [k for k in tiles if k[0].startswith("Target")]


@pytest.mark.parametrize(
    "label, unit",
    [
        ("Days lost to sickness per FTE", "days"),  # 70th blind set: the tile's "11.1" over "days"
        ("Average days to re-let an empty home", "days"),
        ("Residents helped into work", "count"),
        ("Staff lost to other councils per FTE", "count"),
    ],
)
def test_a_tile_whose_name_measures_days_gives_days(label, unit):
    from extractors.numbers import find_numbers
    from extractors.scorecards import _unit

    (n,) = find_numbers("11")
    assert _unit(n, label)[0] == unit
