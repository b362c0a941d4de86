"""Tables: ruled and aligned PDF tables, HTML <table>; columns dated, roled and unit-scaled by their headings."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from extractors.document import extract_document
from extractors.metrics import extract_metrics
from extractors.tables import header_period, header_role, header_unit, parse_value
from models.records import Observation, SourceFile
from pipeline.collect import collect
from pipeline.evaluate import evaluate, totals
from pipeline.stages import ingest
from tests.conftest import FIXTURES, GOLD
from warehouse.db import connect

TABLES = FIXTURES / "tables"
KENT = TABLES / "council" / "kent-Council Report Mid Year 24-25.pdf"
TINTERN = TABLES / "council" / "tintern-cc-Budget 2018-19.pdf"
GLOUCESTER = TABLES / "council" / "gloucester-Local Council Tax Support Scheme.pdf"


def _observations(path: Path) -> list[Observation]:
    document = extract_document(SourceFile(path=path, source=str(path)))
    return extract_metrics(document).observations


def _table(path: Path) -> list[Observation]:
    return [o for o in _observations(path) if o.rule.startswith("table.")]


def _one(obs: list[Observation], value_text: str, page: int | None = None) -> Observation:
    found = [o for o in obs if o.value_text == value_text and (page is None or o.page == page)]
    assert len(found) == 1, (value_text, [(o.page, o.label) for o in found])
    return found[0]


# --- headings ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading, start, end",
    [
        ("Q1 2024/25", date(2024, 4, 1), date(2024, 6, 30)),
        ("Dec-24", date(2024, 12, 1), date(2024, 12, 31)),
        ("Oct- 24", date(2024, 10, 1), date(2024, 10, 31)),  # "Oct-" and "24" on two lines of a narrow cell
        ("2023/24", date(2023, 4, 1), date(2024, 3, 31)),
        ("31-Mar-24 Balance £m", date(2024, 3, 31), date(2024, 3, 31)),
        ("30/09/2024", date(2024, 9, 30), date(2024, 9, 30)),
        ("Balance at 31/03/2023 £k", date(2023, 3, 31), date(2023, 3, 31)),
        ("Dec 2023", date(2023, 12, 1), date(2023, 12, 31)),
        ("March 23", date(2023, 3, 1), date(2023, 3, 31)),
        ("Sept 25", date(2025, 9, 1), date(2025, 9, 30)),
        ("2024/25 Apr–Jun", date(2024, 4, 1), date(2024, 6, 30)),  # a merged year heading over month ranges
        ("2024/25 Oct–Dec", date(2024, 10, 1), date(2024, 12, 31)),
        ("2024/25 Jan–Mar", date(2025, 1, 1), date(2025, 3, 31)),
        ("2023/24 Q4", date(2024, 1, 1), date(2024, 3, 31)),
        ("Outturn 2022/23", date(2022, 4, 1), date(2023, 3, 31)),
        ("Half- 1 2025/26 (to", date(2025, 4, 1), date(2025, 9, 30)),  # a half-year of a financial year
        ("H2 2024/25", date(2024, 10, 1), date(2025, 3, 31)),
        ("Aut 25", date(2025, 9, 1), date(2025, 12, 31)),  # school terms (set 92's termly scorecard)
        ("Spr 26", date(2026, 1, 1), date(2026, 4, 15)),
        ("Summer term 2025", date(2025, 4, 16), date(2025, 7, 31)),
    ],
)
def test_a_column_heading_names_its_period(heading, start, end):
    p = header_period(heading, date(2025, 3, 13))
    assert p is not None and (p.start, p.end) == (start, end), p


@pytest.mark.parametrize("heading", ["Target", "RAG", "Indicator", "Balance £m", "Variance %", "Status"])
def test_headings_without_a_period(heading):
    assert header_period(heading, date(2025, 3, 13)) is None


@pytest.mark.parametrize(
    "heading, role",
    [
        ("Target", "target"),
        ("Target 2024/25", "target"),
        ("Budget 2017-18", "target"),
        ("Floor", "floor"),
        ("Tolerance", "floor"),
        ("Minimum", "floor"),
        ("National", "benchmark"),
        ("Statistical neighbours", "benchmark"),
        ("England average", "benchmark"),
        ("Housemark median", "benchmark"),  # a landlord's peer comparator (set 74)
        ("Peer", "benchmark"),
        ("Most similar group", "benchmark"),
        ("Baseline 2021/22", "baseline"),
        ("Change", "change"),
        ("2024-25 Movement £m", "change"),
        ("Variance £000", "change"),
        ("Q3 2024/25", "actual"),
        ("Outturn 2023/24", "actual"),
    ],
)
def test_a_column_heading_gives_the_role(heading, role):
    assert header_role(heading)[0] == role


@pytest.mark.parametrize(
    "heading, unit, scale",
    [
        ("Balance £m", "gbp", 1e6),
        ("Budget £000", "gbp", 1e3),
        ("Outturn £'000", "gbp", 1e3),
        ("Spend £k", "gbp", 1e3),
        ("Average Rate %", "percent", 1),
        ("days", "days", 1),
        ("Rate per 10,000", "rate_per_10000", 1),
        ("per 100,000", "rate_per_100000", 1),
    ],
)
def test_a_column_heading_gives_the_unit_and_scale(heading, unit, scale):
    found = header_unit(heading)
    assert found is not None and found[:2] == (unit, scale)


@pytest.mark.parametrize(
    "text, value",
    [
        ("£6,317,351", 6317351),
        ("-25.1", -25.1),
        ("(28,812)", -28812),
        ("94.2%", 94.2),
        ("£150m", 150e6),
        ("-£3.1m", -3.1e6),
        ("▲ 45.5", 45.5),
        ("87% Green", 87),
        ("0.0", 0.0),
    ],
)
def test_cell_values(text, value):
    v = parse_value(text)
    assert v is not None and v.value * v.scale == pytest.approx(value)


@pytest.mark.parametrize("text", ["£000", "2023/24", "2024", "Amber", "BSRC - 183", "12m", "Q3", "1 story each"])
def test_cells_that_are_not_figures(text):
    assert parse_value(text) is None


# --- ruled PDF tables (pdfplumber's table finder) ------------------------------------------------------------


def test_ruled_treasury_table_dates_each_column_and_stores_pounds():
    obs = _table(KENT)
    opening = _one(obs, "280.1", page=4)  # Long-term investments, 31-Mar-24 Balance £m
    assert (opening.value, opening.unit, opening.role) == (280_100_000, "gbp", "actual")
    assert (opening.period_start, opening.period_end) == (date(2024, 3, 31), date(2024, 3, 31))
    assert "Long-term investments" in opening.label
    movement = _one(obs, "-74.4", page=4)  # Net borrowing, 2024-25 Movement £m: between the two balance dates
    assert (movement.value, movement.role) == (-74_400_000, "change")
    assert (movement.period_start, movement.period_end) == (date(2024, 3, 31), date(2024, 9, 30))
    rate = _one(obs, "4.82", page=4)  # Total investments, 30-Sep-24 Average Rate %
    assert (rate.value, rate.unit, rate.period_end) == (4.82, "percent", date(2024, 9, 30))


def test_ruled_rows_without_rules_between_them_are_split_and_keep_their_two_line_names():
    obs = _table(KENT)
    # "Cash and cash / equivalents" is printed on two lines around its figures, in a ruled cell shared with
    # the two rows above it
    cash = _one(obs, "128.9", page=4)
    assert cash.label.startswith("Cash and cash equivalents")
    assert _one(obs, "44.4", page=4).label.startswith("Short-term investments")


def test_ruled_multi_line_names_and_merged_headings():
    obs = _table(KENT)
    income = _one(obs, "0.43", page=8)  # "6 months return" heading merged over Income | Total
    assert income.label.startswith("CCLA Diversified Income Fund")
    assert income.unit == "percent" and income.period_end == date(2024, 9, 30)
    value = _one(obs, "4.9", page=8)
    assert (value.value, value.period_end) == (4_900_000, date(2024, 9, 30))


def test_ruled_own_layouts_quarterly_and_monthly_columns():
    q = _table(TABLES / "pdf" / "quarterly_rag_a.pdf")
    assert not [o for o in q if o.value_text in ("Green", "Amber", "Red")]
    targets = [o for o in q if o.role == "target"]
    assert len(targets) == 8 and all(o.period_start is None for o in targets)
    assert {(o.period_start, o.period_end) for o in q if o.role == "actual"} == {
        (date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), date(2024, 9, 30)),
        (date(2024, 10, 1), date(2024, 12, 31)),
    }
    m = _table(TABLES / "pdf" / "monthly_b.pdf")  # "Oct-24" headings, a unit column, two comparators
    units = {o.label: o.unit for o in m}
    assert units["Children looked after"] == "rate_per_10000"
    assert units["Average time from entering care to adoption"] == "days"
    assert units["Children missing education"] == "count"
    assert sum(o.role == "benchmark" for o in m) == 12
    assert {o.period_start for o in m if o.role == "actual"} == {
        date(2024, 10, 1),
        date(2024, 11, 1),
        date(2024, 12, 1),
    }


def test_a_ruled_table_headed_by_months_of_two_years():
    g = _table(GLOUCESTER)
    caseload = [o for o in g if o.page == 3 and o.unit == "count"]
    assert [(o.value, o.period_start) for o in caseload] == [
        (5627, date(2023, 3, 1)),
        (5322, date(2024, 3, 1)),
        (5217, date(2025, 3, 1)),
        (5164, date(2025, 9, 1)),
    ]


# --- unruled PDF tables (text alignment) ---------------------------------------------------------------------


def test_unruled_budget_reads_budget_and_spend_per_year():
    obs = _table(TINTERN)
    salary = [o for o in obs if o.label == "Clerk's Salary"]
    assert [(o.value, o.role, o.unit) for o in salary] == [
        (3500, "target", "gbp"),
        (3421, "actual", "gbp"),
        (3500, "target", "gbp"),
    ]
    assert [o.period_start for o in salary] == [date(2017, 4, 1), date(2017, 4, 1), date(2018, 4, 1)]
    assert not [o for o in obs if o.label in ("REVENUE", "CAPITAL")]  # section headings hold no figures
    assert len(obs) == 75


def test_unruled_own_layouts_monthly_dashboard_and_outturn_in_thousands():
    m = _table(TABLES / "pdf" / "monthly_a.pdf")
    wait = [o for o in m if o.label and o.label.startswith("Average wait for an occupational therapy assessment")]
    assert len(wait) == 5 and {o.unit for o in wait} == {"days"}  # three-line name, unit in "(days)"
    assert [o.period_start for o in wait if o.role == "actual"] == [
        date(2023, 12, 1),
        date(2024, 1, 1),
        date(2024, 2, 1),
        date(2024, 3, 1),
    ]
    assert [o.role for o in wait][-1] == "benchmark" and wait[-1].period_start is None
    b = _table(TABLES / "pdf" / "outturn_target_b.pdf")
    budget = [o for o in b if o.role == "target"]
    assert budget and all(o.unit == "gbp" and o.value == int(o.value_text.replace(",", "")) * 1000 for o in budget)
    underspend = [o for o in b if o.role == "change" and o.value_text.startswith("(")]
    assert underspend and all(o.value < 0 for o in underspend)


def test_narrative_text_is_not_read_as_a_table():
    obs = _observations(KENT)
    assert not [o for o in obs if o.rule.startswith("table.") and o.page in (1, 2, 3, 6, 9, 12)]


# --- HTML tables --------------------------------------------------------------------------------------------


def test_html_merged_year_headings_over_quarters_and_a_tolerance_column():
    obs = _table(TABLES / "html" / "quarterly_rag_b.html")
    floors = [o for o in obs if o.role == "floor"]
    assert len(floors) == 7 and all(o.period_start is None for o in floors)
    quarters = sorted({(o.period_start, o.period_end) for o in obs if o.role == "actual"})
    assert quarters == [
        (date(2023, 10, 1), date(2023, 12, 31)),
        (date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), date(2024, 9, 30)),
    ]
    relet = [o for o in obs if o.label == "Average time to re-let council homes"]  # <br> inside the name
    assert len(relet) == 5 and {o.unit for o in relet} == {"days"}


def test_html_outturn_table_baseline_target_and_change_between_years():
    obs = _table(TABLES / "html" / "outturn_target_a.html")
    assert {o.role for o in obs} == {"baseline", "actual", "target", "change"}
    change = [o for o in obs if o.role == "change"]
    assert all((o.period_start, o.period_end) == (date(2022, 4, 1), date(2024, 3, 31)) for o in change)
    smokers = [o for o in change if o.label == "Adults who smoke"]
    assert smokers[0].unit == "percent"  # a bare "+1.2" beside percentages: percentage points


def test_html_months_in_rows_and_report_period_for_an_undated_actual_column():
    rows = _table(TABLES / "heldout" / "h5_months_in_rows.html")
    calls = [o for o in rows if o.label == "Calls received"]
    assert [o.period_start for o in calls] == [date(2024, m, 1) for m in (4, 5, 6, 7, 8)]
    status = _table(TABLES / "heldout" / "h4_actual_target_status.html")
    actual = [o for o in status if o.role == "actual"]
    assert actual and all((o.period_start, o.period_end) == (date(2024, 7, 1), date(2024, 9, 30)) for o in actual)
    assert not [o for o in status if "target" in (o.value_text or "").lower()]


# --- no double counting, provenance -------------------------------------------------------------------------


@pytest.mark.parametrize("path", [KENT, TINTERN, TABLES / "html" / "monthly_b.html", TABLES / "pdf" / "monthly_a.pdf"])
def test_a_table_cell_is_read_once(path):
    obs = _observations(path)
    keys = [(o.page, o.page_start, o.page_end) for o in obs]
    assert len(keys) == len(set(keys))
    table = [(o.page, o.page_start, o.page_end) for o in obs if o.rule.startswith("table.")]
    text = [o for o in obs if not o.rule.startswith("table.")]
    for o in text:  # no narrative figure inside a table row's cells
        assert not any(p == o.page and s <= o.page_start < e for p, s, e in table)


@pytest.fixture(scope="module")
def table_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding every table fixture: three council papers, own PDFs and HTML."""
    db = tmp_path_factory.mktemp("tables") / "tables.duckdb"
    con = connect(db)
    try:
        paths = [TABLES / "council", TABLES / "pdf", TABLES / "html", TABLES / "heldout"]
        summary = ingest(con, collect(paths), command="test")
        assert summary.count("loaded") == 3 + 6 + 7 + 5, summary.outcomes
        again = ingest(con, collect(paths), command="test")
        assert again.count("loaded") == 0
    finally:
        con.close()
    return db


def test_every_table_figure_in_the_warehouse_cuts_back_to_its_value_text(table_db):
    con = connect(table_db, read_only=True)
    try:
        rows = con.execute(
            """SELECT o.id, o.value_text, o.page_start, o.page_end, p.text, s.text, o.sentence_start,
                      o.sentence_end, s.start_char, o.bbox_x0, o.bbox_top, o.bbox_x1, o.bbox_bottom, p.width,
                      p.height, o.paper_id
               FROM observations o JOIN pages p USING (paper_id, page) JOIN sentences s ON s.id = o.sentence_id
               WHERE o.rule LIKE 'table.%'"""
        ).fetchall()
        n_ids = con.execute("SELECT count(*), count(DISTINCT id) FROM observations").fetchone()
        kinds = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT split_part(rule, '.', 3) FROM observations WHERE rule LIKE 'table.%'"
            ).fetchall()
        }
    finally:
        con.close()
    assert len(rows) > 500
    assert n_ids[0] == n_ids[1]
    assert kinds == {"ruled", "aligned", "html"}
    for oid, vt, start, end, page_text, sentence, s0, s1, soff, x0, top, x1, bottom, width, height, _ in rows:
        assert page_text[start:end] == vt, oid
        assert sentence[s0:s1] == vt, oid
        assert page_text[soff : soff + len(sentence)] == sentence, oid
        if width is not None:  # a PDF page: the value's box lies on the page
            assert None not in (x0, top, x1, bottom), oid
            assert 0 <= x0 < x1 <= width + 0.5 and 0 <= top < bottom <= height + 0.5, oid


# --- quality on the gold (tests/fixtures/gold/README.md says which was written when) -----------------------


@pytest.mark.parametrize(
    "gold, papers",
    [
        ("tables_council.jsonl", "council"),
        ("tables_own.jsonl", "pdf"),
        ("tables_own.jsonl", "html"),
        ("tables_heldout.jsonl", "heldout"),
        ("tables_heldout.jsonl", "heldout_pdf"),
    ],
)
def test_table_gold_meets_the_quality_bar(gold, papers):
    t = totals(evaluate(GOLD / gold, TABLES / papers))
    assert t.gold_core >= 70
    assert t.precision >= 0.95, t
    assert t.recall >= 0.90, t
    assert t.period_accuracy >= 0.90, t
    assert t.role_accuracy >= 0.90, t
    assert t.label_accuracy >= 0.90, t


def test_extract_format_table_shows_label_period_role_of_table_figures(capsys):
    from pipeline.cli import main

    assert main(["extract", str(GLOUCESTER), "--format", "table", "--tables"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == [
        "page",
        "label",
        "period",
        "role",
        "value",
        "unit",
        "printed",
        "rag",
        "from",
        "confidence",
    ]
    caseload = [line.split() for line in out if "WA Caseload" in line]
    assert [(r[3], r[4], r[5], r[6]) for r in caseload] == [
        ("2023-03", "actual", "5627", "count"),
        ("2024-03", "actual", "5322", "count"),
        ("2025-03", "actual", "5217", "count"),
        ("2025-09", "actual", "5164", "count"),
    ]
    assert all(line.split()[-2] == "table" for line in out[2:])  # --tables: no figures from running text
    assert main(["extract", str(TABLES / "pdf" / "outturn_target_a.pdf"), "--format", "table"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[2:]]
    assert {"2021-04..2022-03", "2022-04..2024-03"} <= {r[-7] for r in rows}  # no rag in this table: 6 after


@pytest.mark.parametrize(
    "previous, latest, status, rag",
    [("Previous", "Latest", "RAG", "A"), ("Last quarter", "Actual", "Status", "Green")],
)
def test_undated_latest_and_previous_columns_take_the_reported_quarter_and_the_one_before(
    tmp_path, previous, latest, status, rag
):
    html = (
        "<html><body><h1>Quarterly Performance Report</h1><p>Quarter 3</p><p>2024/25</p>"
        f"<table><tr><th>Indicator</th><th>{previous}</th><th>{latest}</th><th>Target</th><th>{status}</th></tr>"
        f"<tr><td>Household waste recycled</td><td>41.2%</td><td>43.9%</td><td>45.0%</td><td>{rag}</td></tr>"
        f"<tr><td>Average days to process a new claim</td><td>18.4</td><td>16.1</td><td>20.0</td><td>{rag}</td></tr>"
        "</table></body></html>"
    )
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    obs = {o.value_text: o for o in _table(path)}
    assert (obs["41.2%"].period_start, obs["41.2%"].period_end) == (date(2024, 7, 1), date(2024, 9, 30))
    assert (obs["43.9%"].period_start, obs["43.9%"].period_end) == (date(2024, 10, 1), date(2024, 12, 31))
    assert obs["45.0%"].role == "target" and obs["45.0%"].period_start is None
    assert obs["16.1"].unit == "days" and obs["16.1"].label == "Average days to process a new claim"
    assert [o.rag for o in obs.values()] == [None, rag, None, None, rag, None]
    assert rag not in obs


ASHCOMBE_P6 = FIXTURES / "kpi_eval2" / "ashcombe_corporate_performance_p6_2024-25.pdf"


def test_a_table_carried_over_a_page_break_keeps_the_columns_of_its_header():
    """Page 2 of the paper continues page 1's table with no header row: its columns are still the outturn of
    2023/24, Period 6 (September 2024) and the target, not three undated actuals."""
    obs = [o for o in _table(ASHCOMBE_P6) if o.page == 2 and o.label and o.label.startswith("% of Stage 1")]
    by_value = {o.value_text: o for o in obs}
    assert set(by_value) == {"79.5%", "76.4%", "90.0%"}
    assert (by_value["79.5%"].period_start, by_value["79.5%"].period_end) == (date(2023, 4, 1), date(2024, 3, 31))
    assert (by_value["76.4%"].role, by_value["76.4%"].period_start) == ("actual", date(2024, 9, 1))
    assert by_value["90.0%"].role == "target"
    assert all(o.label == "% of Stage 1 complaints responded to within 10 working days" for o in obs)


def test_a_group_heading_row_above_the_first_figures_is_not_a_column_heading():
    """ "Housing and Communities" heads a group of rows: it is not part of every figure's label."""
    labels = {o.label for o in _table(ASHCOMBE_P6) if o.page == 1}
    assert "Number of households in temporary accommodation (snapshot)" in labels
    assert not any("Housing and Communities" in (label or "") for label in labels)


EVAL3 = FIXTURES / "kpi_eval3"


def test_an_unruled_table_with_a_word_column_blank_cells_and_a_wrapped_status():
    """Kelsham: "Measure | Frequency | Target 2024/25 | 2023/24 outturn | Q1 | Q2 | Status", with "Quarterly" before
    the figures, "–" for no figure and "On" / "track" wrapped under the status."""
    obs = _table(EVAL3 / "kelsham_performance_monitoring_q2_2024-25.pdf")
    cat1 = {o.value_text: o for o in obs if o.label == "% Cat 1 defects made safe in 24 hrs"}
    assert (cat1["98%"].role, cat1["98%"].period_start) == ("target", date(2024, 4, 1))
    assert (cat1["97.4%"].role, cat1["97.4%"].period_end) == ("actual", date(2024, 3, 31))
    assert (cat1["98.6%"].period_start, cat1["98.6%"].period_end) == (date(2024, 4, 1), date(2024, 6, 30))
    assert (cat1["97.9%"].period_start, cat1["97.9%"].period_end) == (date(2024, 7, 1), date(2024, 9, 30))
    potholes = [o for o in obs if o.label == "Potholes repaired (number)" or o.label == "Potholes repaired"]
    assert sorted(o.value for o in potholes) == [2431, 2914, 10872]
    labels = {o.label for o in obs}
    assert not any(w in (label or "") for label in labels for w in ("Quarterly", "track", "Highways and Transport"))


def test_a_line_of_years_under_the_headings_is_not_a_row_and_a_wrapped_unit_joins_its_row():
    obs = _table(EVAL3 / "lowmoor_performance_digest_q3_2024-25.pdf")
    recycled = {o.value_text: o for o in obs if (o.label or "").startswith("Household waste recycled")}
    assert recycled["46.2"].unit == "percent"
    assert (recycled["46.2"].period_start, recycled["46.2"].period_end) == (date(2024, 10, 1), date(2024, 10, 31))
    assert recycled["45.0"].role == "target"
    assert not any(o.value == 2024 for o in obs)


def test_a_reference_code_column_does_not_name_the_rows_and_bare_quarters_are_of_the_reporting_year():
    obs = _table(EVAL3 / "wexcombe_asc_public_health_q3_2024-25.pdf")
    assert not any(re.fullmatch(r"[A-Z]{2,4}\d{2}", o.label or "") for o in obs)
    direct = {
        o.value_text: o for o in obs if o.label == "Proportion of people who use services who receive direct payments"
    }
    # under "Q3" of 2024/25, and a "Snap" (snapshot) row: the quarter's last month, as the blind gold has it
    assert (direct["23.9%"].period_start, direct["23.9%"].period_end) == (date(2024, 12, 1), date(2024, 12, 31))
    assert direct["23.9%"].kpi == "asc_direct_payments"


def test_a_column_headed_by_the_council_s_own_name_adds_nothing_to_the_label():
    obs = _table(EVAL3 / "harrowfield_education_send_annual_2023-24.pdf")
    assert obs and not any("Harrowfield" in (o.label or "") for o in obs)


def test_unruled_tables_split_by_section_rows_keep_the_first_one_s_header():
    """Sheldwick: three unruled tables on one page, headings only over the first; the others take them, and a
    headless unruled table that continues nothing gives no figures (its columns' periods are unknown)."""
    obs = _table(FIXTURES / "kpi_eval4" / "sheldwick_housing_environment_performance_q2_2025-26.pdf")
    wait = {o.value_text: o for o in obs if o.label == "Average wait to answer (seconds)"}
    assert (wait["154"].role, wait["154"].period_start) == ("actual", date(2025, 7, 1))
    assert wait["120"].role == "target"
    assert wait["230"].period_start == date(2024, 7, 1)
    from extractors.tables import headless

    document = extract_document(
        SourceFile(path=FIXTURES / "kpi_eval4" / "sheldwick_housing_environment_performance_q2_2025-26.pdf", source="t")
    )
    assert [headless(t) for t in document.pages[0].tables] == [False, True, True]


def test_an_unruled_table_with_codes_a_frequency_column_and_names_wrapped_over_many_lines():
    """Wyvernshire (sixth blind set): "Ref | Measure | Frequency | Q2 2025/26 | Target | Q2 2024/25 | Status", names
    wrapped over up to six lines and frequencies such as "Rolling 12 months, a quarter behind". Every table row is
    read, no code or frequency word is in a label, and each actual takes the period the blind gold gives it."""
    from pipeline.kpi_coverage import _rows
    from pipeline.kpi_eval import load_gold, match

    gold = load_gold(FIXTURES / "kpi_eval6" / "gold.jsonl")
    rows = [
        r for r in _rows(sorted((FIXTURES / "kpi_eval6").glob("wyvernshire_*.pdf"))) if r["rule"].startswith("table.")
    ]
    checked = 0
    for r in rows:
        assert not re.search(r"\b(?:HT|TR|WE|EN)\d\d\b|Quarterly|Rolling|Snapshot|behind", r["label"] or ""), r
        g = match(r, gold)
        if g is None or g["role"] not in ("actual", "baseline") or r["role"] != "actual":
            continue
        assert r["period"] == g["period"], (r["label"], r["value_text"], r["period"], g["period"])
        checked += 1
    assert checked >= 50  # two reports of about 15 rows, each with this and last year's figure


def test_bare_month_headings_date_a_monthly_table_by_the_year_the_paper_reports_on():
    # "Measure Apr May Jun Jul Aug Sep Target 2024/25" (ninth blind set, Wendshire Q2 2025/26): its gold dates
    # each month column in 2025
    import json

    folder = FIXTURES / "kpi_eval9"
    paper = "wendshire_childrens_services_performance_q2_2025-26.pdf"
    gold = [json.loads(line) for line in (folder / "gold.jsonl").read_text().splitlines() if line.strip()]
    months = {
        g["value"]: g["period"]
        for g in gold
        if g["paper"] == paper and g["quote"].startswith("Children looked after (number at") and g["role"] != "target"
    }
    assert len(months) == 7  # six months and the 2024/25 outturn
    obs = [o for o in _table(folder / paper) if o.value in months and o.label.startswith("Children looked after")]
    assert {o.value: _gold_period(o) for o in obs} == months


def _gold_period(o: Observation) -> str | None:
    """A figure's period as the blind sets' gold writes it: "2025-09" for one month, "2024-04/2025-03" for a span."""
    if o.period_start is None or o.period_end is None:
        return None
    a, b = f"{o.period_start:%Y-%m}", f"{o.period_end:%Y-%m}"
    return a if a == b else f"{a}/{b}"


def test_a_measure_block_reads_its_figures_under_their_headings_and_its_name_above():
    # tenth blind set (Brackenmoor): a name line, "Baseline (2023/24)  Target 2025/26  Latest  Date of latest
    # data  Direction", and the figures under them; the gold gives each figure's role and period
    import json

    folder = FIXTURES / "kpi_eval10"
    paper = "brackenmoor_corporate_plan_performance_q1_2025-26.pdf"
    gold = [json.loads(line) for line in (folder / "gold.jsonl").read_text().splitlines() if line.strip()]
    blocks = [o for o in _table(folder / paper) if o.rule.startswith("table.cell.block")]
    assert len(blocks) >= 20
    for series, kpi in (("a_ehcp", "ehcp_issued_within_20_weeks"), ("a_asc_wait", "asc_waiting_for_assessment")):
        lines = [
            g for g in gold if g["paper"] == paper and g["series"] == series and g["role"] in ("actual", "baseline")
        ]
        lines = [g for g in lines if g["quote"].startswith(lines[0]["quote"][:30])]  # the block, not the text
        for g in lines:
            found = [o for o in blocks if o.value == g["value"] and o.kpi == kpi]
            assert len(found) == 1, (series, g["value"])
            o = found[0]
            assert (o.role, _gold_period(o), o.kpi) == (g["role"], g["period"], kpi)
            assert o.label.startswith(g["quote"].split(" Baseline")[0][:25])


def test_an_unruled_table_with_a_yes_no_met_column_keeps_its_rows_apart():
    # thirteenth blind set (Hartsmoor): "KPI 2022/23 2023/24 2024/25 Target 2024/25 Met?" with "Yes" / "No" after
    # each row's figures; read as running text, one row's figures took the next row's name
    import json

    folder = FIXTURES / "kpi_eval13"
    paper = "hartsmoor_annual_kpi_report_2024-25.pdf"
    gold = [json.loads(line) for line in (folder / "gold.jsonl").read_text().splitlines() if line.strip()]
    obs = _table(folder / paper)
    for series, kpi in (("hm_missed", "missed_bin_collections"),):
        lines = [
            g for g in gold if g["paper"] == paper and g["series"] == series and g["quote"].startswith("Missed bin")
        ]
        assert {g["role"] for g in lines} == {"baseline", "actual", "target"}
        actual = next(g for g in lines if g["role"] == "actual")
        found = [o for o in obs if o.value == actual["value"] and o.label.startswith("Missed bin collections")]
        assert len(found) == 1
        assert (found[0].kpi, _gold_period(found[0]), found[0].role) == (kpi, actual["period"], "actual")
        target = next(g for g in lines if g["role"] == "target")
        assert [o.role for o in obs if o.value == target["value"] and o.label.startswith("Missed bin")] == ["target"]


def test_trend_words_after_a_rows_figures_are_statuses_so_the_rows_make_a_table():
    # seventeenth blind set (Fallowby): "AH04 People waiting for a Care Act 412 356 301 300 Improving Amber", the
    # next rows ending "Worsening Red"; the gold dates each quarter column and names the target
    import json

    folder = FIXTURES / "kpi_eval17"
    paper = "fallowby_osc_performance_q2_2025-26.pdf"
    gold = [json.loads(line) for line in (folder / "gold.jsonl").read_text().splitlines() if line.strip()]
    lines = [g for g in gold if g["paper"] == paper and g["quote"].startswith("AH04 People waiting for a Care Act")]
    assert len(lines) == 4
    obs = [o for o in _table(folder / paper) if o.label and o.label.startswith("People waiting for a Care Act")]
    actual = next(g for g in lines if g["role"] == "actual")
    found = [o for o in obs if o.value == actual["value"]]
    assert len(found) == 1 and (found[0].role, _gold_period(found[0])) == ("actual", actual["period"])
    assert found[0].kpi == actual["kpi"]
    target = next(g for g in lines if g["role"] == "target")
    assert [o.role for o in obs if o.value == target["value"]] == ["target"]


def test_a_code_column_of_ascof_measures_is_not_the_label():
    # "1B", "1C(1A)", "1C(2A)" are the rows' codes; the Measure column names them, so 1C(1A) and 1C(2A) differ
    obs = _table(TABLES / "html" / "ascof_codes.html")
    latest = {o.value_text: o for o in obs if o.role == "actual" and o.period_end == date(2025, 3, 31)}
    assert latest["76.9%"].label.startswith("Proportion of people who use services who have control")
    assert latest["92.8%"].label_key != latest["23.9%"].label_key
    assert latest["76.9%"].kpi == "asc_control_over_daily_life"
    assert latest["23.9%"].kpi == "asc_direct_payments"


def _table_rows_against_gold(folder: Path, stems: list[str], same_end: bool = False) -> tuple[int, list[tuple]]:
    """Table-cell figures of blind papers next to the blind gold: (agreeing, disagreeing) on period and role."""
    from pipeline.kpi_coverage import _rows
    from pipeline.kpi_eval import load_gold, match

    gold = load_gold(folder / "gold.jsonl")
    rows = [r for r in _rows([folder / f"{s}.pdf" for s in stems]) if r["rule"].startswith("table.")]
    good, bad = 0, []
    for r in rows:
        g = match(r, gold)
        if g is None:
            continue
        if g["role"] == "target":
            ok = r["role"] == "target"
        elif same_end:  # a snapshot ("2025-12") or a rolling year may be dated by the month the column ends
            ok = r["role"] == "actual" and (r["period"] or "").split("/")[-1] == g["period"].split("/")[-1]
        else:
            ok = r["role"] == "actual" and r["period"] == g["period"]
        if ok:
            good += 1
        else:
            bad.append((r["paper"], r["value_text"], r["role"], r["period"], g["role"], g["period"]))
    return good, bad


def test_columns_headed_q3_24_25_and_oct_dec_25_are_those_quarters():
    """Varnham (26th blind set): a trend table headed "Q3 24/25 | Q4 24/25 | Q1 25/26 | Q2 25/26 | Target 25/26"
    and, in the next report, "Target 2025/26 | Oct–Dec 25 | Jul–Sep 25 | …" (headings wrapped over two lines):
    each column is the quarter it names (the blind gold's period), and no heading word joins the label."""
    folder = FIXTURES / "kpi_eval26"
    good, bad = _table_rows_against_gold(
        folder, ["varnham_customer_complaints_foi_q2_2025-26", "varnham_customer_complaints_foi_q3_2025-26"]
    )
    assert good >= 100 and bad == []
    assert header_period("Q3 24/25", date(2025, 9, 30)).start == date(2024, 10, 1)
    p = header_period("Jan–Mar 25", date(2025, 12, 31))
    assert (p.start, p.end) == (date(2025, 1, 1), date(2025, 3, 31))


def test_a_table_whose_heading_row_ends_one_page_is_read_under_it_on_the_next():
    """Bramleyshire (25th blind set): Chromium breaks a ruled scorecard after its heading row, or a few rows in,
    and does not print the heading again; the rows on the next page keep their columns' quarters and the target
    column stays a target (read before as actuals of the report's quarter, one period for all columns)."""
    folder = FIXTURES / "kpi_eval25"
    good, bad = _table_rows_against_gold(
        folder,
        ["bramleyshire_corporate_performance_q3_2025-26", "bramleyshire_corporate_performance_q4_2025-26"],
        same_end=True,
    )
    assert good >= 115 and bad == [], bad


def test_a_ruled_table_with_no_heading_over_its_figure_columns_gives_no_figures():
    from extractors.tables import headless
    from models.records import Table, TableCell

    text = "Calls answered 86.2% 90.0%\nComplaints 1,046 1,100"
    cells = (
        TableCell(0, 0, ((0, 14),)),
        TableCell(0, 1, ((15, 20),)),
        TableCell(0, 2, ((21, 26),)),
        TableCell(1, 0, ((27, 37),)),
        TableCell(1, 1, ((38, 43),)),
        TableCell(1, 2, ((44, 49),)),
    )
    assert headless(Table("ruled", 2, 3, cells), text)
    one_figure = Table("ruled", 2, 3, tuple(c for c in cells if c.col != 2) + (TableCell(0, 2, ((0, 0),)),))
    assert not headless(one_figure, text)


def test_a_region_s_column_is_a_benchmark_and_previous_period_adds_nothing_to_the_label():
    """Rookshire PHOF scorecard (35th blind set): "Code | Indicator | Period | Rookshire | Previous period | England
    | South West | Compared with England": the South West column holds the region's figures (the blind gold's
    benchmarks; they were read as actuals of the row's period), and no label ends in "– period"."""
    from pipeline.kpi_coverage import _rows
    from pipeline.kpi_eval import load_gold, match

    folder = FIXTURES / "kpi_eval35"
    gold = load_gold(folder / "gold.jsonl")
    rows = [r for r in _rows([folder / "rookshire_phof_scorecard_sep_2025.pdf"]) if r["rule"].startswith("table.")]
    region = [r for r in rows if "table.role.south_west" in r["rule"]]
    assert len(region) >= 10 and all(r["role"] == "benchmark" for r in region)
    assert sum(1 for r in region if (match(r, gold) or {}).get("role") == "benchmark") >= 10
    assert not any((r["label"] or "").endswith(("– period", "– South West")) for r in rows)


@pytest.mark.parametrize(
    "label, unit",
    [
        ("Other planning applications (incl. householder) decided in time %", ("percent", 1.0)),
        ("Smoking at time of delivery %", ("percent", 1.0)),
        ("Collection rate above 95%", None),
        ("Rate 95 %", None),
        # the window counted over is not the unit (22nd and 47th blind sets: "10.1 months", "9.1 months")
        ("Resignations as % of average headcount (12 months)", ("percent", 1.0)),
        ("Average working days lost to sickness per FTE (12 months)", ("days", 1.0)),
        ("Affordable homes delivered, rolling 12 months (no.)", ("count", 1.0)),
        ("Average days to process new claims (YTD)", ("days", 1.0)),
        ("Households in temporary accommodation (months)", ("months", 1.0)),
        ("Families in B&B for more than 6 weeks (snapshot)", None),
    ],
)
def test_a_bare_percent_sign_closing_a_row_name_is_its_unit(label, unit):
    from extractors.tables import row_unit

    assert row_unit(label) == unit


def test_a_ruled_row_whose_wrapped_name_ends_in_a_percent_sign_gives_its_figures():
    # a real layout of blind set 57: "Major planning applications decided in / time (13 weeks or extension of
    # time) / %" over three lines of one cell, the values without a % sign
    path = Path(__file__).parent / "fixtures" / "kpi_eval57" / "cullerton_planning_performance_q3_2025-26.pdf"
    obs = extract_metrics(extract_document(SourceFile(path=path, source="t"))).observations
    q3 = [o for o in obs if o.value_text == "75.0" and o.page == 1]
    assert [(o.unit, o.kpi) for o in q3] == [("percent", "major_planning_applications_in_time")]


def test_headings_q_minus_1_same_point_last_year_and_year_end_name_their_periods():
    """Wickenhall and Ellandshire (68th blind set): a scorecard headed "Q-1 (Jul–Sep) | Q (Oct–Dec) | YTD" with no
    year, the next one "Q4 (Jan– Mar) | Q3 (Oct– Dec) | Year end", and a workforce table with "Same point last year"
    beside "31 Mar 2026": each column is the period the blind gold gives it (read before as the report's own
    quarter, and "Same point"/"end" joined the row's name, so one row made three series)."""
    assert header_period("Q-1 (Jul–Sep)", date(2025, 12, 31)).start == date(2025, 7, 1)
    folder = FIXTURES / "kpi_eval68"
    good, bad = _table_rows_against_gold(
        folder, ["wickenhall_kpi_scorecard_q3_2025-26", "wickenhall_kpi_scorecard_q4_2025-26"], same_end=True
    )
    # left: the recycling row's own note "(one quarter in arrears: Q column = Jul–Sep)"
    assert good >= 100 and len(bad) <= 5 and all(v in ("51.4%", "52.0%", "43.8%", "49.3%") for _, v, *_ in bad)
    from pipeline.kpi_coverage import _rows

    rows = _rows([folder / "ellandshire_workforce_report_h2_2025-26.pdf"])
    headcount = [r for r in rows if r["rule"].startswith("table.") and r["label"] and "headcount" in r["label"]]
    assert {(r["value_text"], r["period"]) for r in headcount if r["role"] == "actual"} >= {
        ("6,951", "2026-03"),
        ("7,018", "2025-09"),
        ("6,905", "2025-03"),
    }
    assert len({r["label_key"] for r in headcount}) == 1


def test_codes_wrapped_in_their_cell_leave_the_names_as_the_row_labels():
    """Wethercote (67th blind set): a ruled ASC scorecard whose first column holds "WAS-\\n05" and "ASCOF\\n1C(1A)"
    (a code wrapped over two lines of its cell): the second column names the rows (the codes were the labels, so no
    row formed a series or got a KPI)."""
    from pipeline.kpi_coverage import _rows

    folder = FIXTURES / "kpi_eval67"
    rows = _rows(
        [folder / "wethercote_asc_performance_q4_2024-25.pdf", folder / "wethercote_asc_performance_q1_2025-26.pdf"]
    )
    table = [r for r in rows if r["rule"].startswith("table.") and r["role"] == "actual"]
    assert len(table) >= 40
    assert not [r["label"] for r in table if r["label"] and re.match(r"^(?:WAS|WLC|ASCOF)\b", r["label"])]
    concerns = {r["value_text"] for r in table if r["label"] and "safeguarding concerns received" in r["label"].lower()}
    assert concerns == {"1,146", "1,203", "1,158"}


def test_stray_words_over_one_month_column_a_bracket_wrapped_onto_the_next_line_and_two_word_codes():
    """Blind sets 81 and 83 at their first run (handcheck_v37): the caption "(312 responses)" of a tile above the
    table ran into the "Aug-25" heading and every August figure was labelled "… – responses)"; "DVDs)", the end of
    "Items issued (books, audiobooks," started the next row's label; "ASC L3" in a Ref column was taken for the
    measure's name; a "YJS family" column was read as the council's own figures."""
    kpi81 = FIXTURES / "kpi_eval81"
    library = _table(kpi81 / "fenwold_leisure_libraries_culture_dashboard_november_2025.pdf")
    assert _one(library, "44,915").label == _one(library, "38,642").label == "Library visits (all four libraries)"
    assert _one(library, "33,402").label == "Items issued (books, audiobooks, DVDs)"
    assert _one(library, "8,811").label == "eBook and eAudio loans"
    care = _observations(kpi81 / "kestrelshire_asc_performance_q2_2025-26.pdf")
    assert _one(care, "2,317").label.startswith("Deprivation of Liberty Safeguards applications")
    assert _one(care, "1,184").label.startswith("Number of people waiting for a Care Act assessment")
    assert _one(care, "16.2").kpi == "asc_permanent_admissions_18_64"  # ASCOF 2A(1) in the framework's words
    youth = _observations(FIXTURES / "kpi_eval83" / "kelsborough_youth_justice_plan_2024-25.pdf")
    family = [o for o in youth if o.value_text == "171" and o.rule.startswith("table")]
    assert family and all(o.role == "benchmark" for o in family)
