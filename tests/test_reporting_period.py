"""The reporting period of a paper read from its cover and headings, meeting headers as paper dates, and the
period before the reporting period."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from extractors.paper_date import detect_paper_date
from extractors.pdf import iter_pdf_pages
from extractors.periods import Period
from extractors.reporting_period import ReportingPeriod, detect_reporting_period, previous_period
from models.records import Page

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# real papers copied byte for byte from ../shared/corpus/council/pdf
COUNCIL = {
    "kent-Council Report Mid Year 24-25.pdf": FIXTURES / "tables" / "council",
    "gloucester-Local Council Tax Support Scheme.pdf": FIXTURES / "tables" / "council",
}


def _pages(text: str) -> list[Page]:
    return [Page(number=1, text=text)]


@pytest.mark.parametrize(
    "cover, start, end, source",
    [
        # a quarter of a financial year, on separate lines or one
        (
            "Quarterly Performance Report\nQuarter 3\n2024/25\nCabinet – 20 February 2025",
            (2024, 10, 1),
            (2024, 12, 31),
            "text:quarter",
        ),
        ("Corporate Scorecard\nQ2 2023-24\n", (2023, 7, 1), (2023, 9, 30), "text:quarter"),
        ("Performance Monitoring\n2024/25 Quarter 1\n", (2024, 4, 1), (2024, 6, 30), "text:quarter"),
        ("Quarter 2 Performance Report 2023/24\n\n1.1 Introduction", (2023, 7, 1), (2023, 9, 30), "text:quarter"),
        ("Council Plan Performance Dashboard\nQuarter Two 2024-25\n", (2024, 7, 1), (2024, 9, 30), "text:quarter"),
        ("Performance update for the Third Quarter of 2023/24\n", (2023, 10, 1), (2023, 12, 31), "text:quarter"),
        # a month: a financial period, or a month in a performance report's title
        (
            "Monthly Performance Dashboard\nPeriod 8 (November) 2024/25",
            (2024, 11, 1),
            (2024, 11, 30),
            "text:financial_period",
        ),
        ("Budget Monitoring\nP3 2023/24\n", (2023, 6, 1), (2023, 6, 30), "text:financial_period"),
        ("Adult Social Care Performance Report – December 2024\n", (2024, 12, 1), (2024, 12, 31), "text:month"),
        ("KPI Dashboard: March 2023\n", (2023, 3, 1), (2023, 3, 31), "text:month"),
        # half a year
        ("Subject: Treasury Management Mid-Year Update 2024-25\n", (2024, 4, 1), (2024, 9, 30), "text:mid_year"),
        ("Half-year performance report 2023/24\n", (2023, 4, 1), (2023, 9, 30), "text:mid_year"),
        # a position at a date
        ("Monthly KPI Report\nPosition as at 31 October 2024\n", (2024, 10, 31), (2024, 10, 31), "text:as_at"),
        ("Capital programme\nData as at 30 September 2024\n", (2024, 9, 30), (2024, 9, 30), "text:as_at"),
        # a year or a range named in a report's title or opening
        (
            "Annual Performance Report 2022/23\nCabinet, 12 July 2023",
            (2022, 4, 1),
            (2023, 3, 31),
            "text:financial_year",
        ),
        (
            "Scrutiny Committee\nThis report sets out performance for April to June 2023.",
            (2023, 4, 1),
            (2023, 6, 30),
            "text:range",
        ),
    ],
)
def test_reporting_period_forms(cover, start, end, source):
    found = detect_reporting_period(_pages(cover), date(2025, 3, 1))
    assert found is not None
    assert (found.period.start, found.period.end, found.source) == (date(*start), date(*end), source)


@pytest.mark.parametrize(
    "cover",
    [
        "Children First Programme: Progress Report – February 2021\nIntroduction",  # the month dates the report
        "To: Cabinet – 30 January 2025\nSubject: Commissioning Plan for Education Provision in Kent 2025-29",  # a plan
        "Agenda\nMeeting of the Council, 13 March 2025\n",  # a meeting date dates the paper, not its content
        "Service update\n\nThe service completed 1,146 assessments.\n",
    ],
)
def test_no_reporting_period_where_the_cover_names_none(cover):
    assert detect_reporting_period(_pages(cover), date(2025, 3, 1)) is None


@pytest.mark.parametrize(
    "header, expected",
    [
        ("Cabinet – 14 November 2023\nQuarterly performance", date(2023, 11, 14)),
        ("Meeting of the County Council, Thursday 13 March 2025\n", date(2025, 3, 13)),
        ("To: County Council – 13 March 2025\nSubject: Treasury Management", date(2025, 3, 13)),
        ("Health and Adult Social Care Scrutiny Committee – 22 January 2025\n", date(2025, 1, 22)),
    ],
)
def test_meeting_headers_date_the_paper(header, expected):
    assert detect_paper_date(_pages(header)) == (expected, "text:meeting_header")


def _rp(start: date, end: date, kind: str, freq: int | None = None) -> ReportingPeriod:
    return ReportingPeriod(Period(-1, -1, "", start, end, kind), "text:test", freq)


@pytest.mark.parametrize(
    "rp, start, end",
    [
        (_rp(date(2024, 10, 1), date(2024, 12, 31), "quarter", 3), date(2024, 7, 1), date(2024, 9, 30)),
        (_rp(date(2024, 4, 1), date(2024, 6, 30), "quarter", 3), date(2024, 1, 1), date(2024, 3, 31)),  # Q1 → Q4
        (_rp(date(2024, 11, 1), date(2024, 11, 30), "month", 1), date(2024, 10, 1), date(2024, 10, 31)),
        (
            _rp(date(2025, 1, 1), date(2025, 1, 31), "month", 1),
            date(2024, 12, 1),
            date(2024, 12, 31),
        ),  # over a year end
        (_rp(date(2023, 4, 1), date(2024, 3, 31), "financial_year"), date(2022, 4, 1), date(2023, 3, 31)),
        (_rp(date(2024, 10, 31), date(2024, 10, 31), "day", 1), date(2024, 9, 30), date(2024, 9, 30)),
        (_rp(date(2024, 4, 1), date(2024, 6, 30), "range", 3), date(2024, 1, 1), date(2024, 3, 31)),
    ],
)
def test_previous_period(rp, start, end):
    prev = previous_period(rp)
    assert prev is not None and (prev.start, prev.end) == (start, end)


def test_no_previous_period_when_the_rhythm_is_unknown():
    assert previous_period(_rp(date(2024, 9, 30), date(2024, 9, 30), "day")) is None


@pytest.mark.parametrize(
    "name, paper_date, period",
    [
        # expectations written from each cover before the detector ran on these papers
        ("kent-Council Report Mid Year 24-25.pdf", date(2025, 3, 13), (date(2024, 4, 1), date(2024, 9, 30))),
        (
            "kent-24-00096 - Commissioning Plan for Education Provision in Kent 2025-29 - Report.pdf",
            date(2025, 1, 30),
            None,
        ),
        ("gloucester-Local Council Tax Support Scheme.pdf", date(2025, 12, 10), None),
        ("kent-24-00115 - Appendix B - KCC ICS priorities measures.pdf", None, None),
    ],
)
def test_real_council_papers(name, paper_date, period):
    pages = list(iter_pdf_pages(COUNCIL.get(name, FIXTURES / "council") / name))[:2]
    found_date = detect_paper_date(pages)
    assert (found_date[0] if found_date else None) == paper_date
    rp = detect_reporting_period(pages, paper_date)
    assert ((rp.period.start, rp.period.end) if rp else None) == period


def test_ingest_warns_of_each_paper_with_neither_a_paper_date_nor_a_reporting_period(tmp_path, capsys):
    from pipeline.cli import main

    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "undated.txt").write_text("Service update\n\nThe service completed 1,146 assessments.\n")
    (papers / "also_undated.txt").write_text("Housing note\n\nThere are 412 households in temporary homes.\n")
    (papers / "quarterly.txt").write_text("Performance Report\nQuarter 2 2023/24\n\nLatest: 94%\n")
    (papers / "dated.txt").write_text("Cabinet – 14 November 2023\n\nThe service completed 1,146 assessments.\n")
    code = main(["ingest", str(papers), "--db", str(tmp_path / "w.duckdb"), "--no-prefect", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    warned = sorted(Path(line.split(": ")[1]).name for line in out.splitlines() if line.startswith("warning:"))
    assert warned == ["also_undated.txt", "undated.txt"]


def test_wrapped_body_lines_are_not_read_as_a_title():
    # issue 18: a paper whose paragraphs are wrapped at ~100 characters (as extracted PDFs are) names years in
    # its running text; those are the periods of single figures, not the period the paper reports on
    from datetime import date

    from extractors.reporting_period import detect_reporting_period
    from models.records import Page

    text = (
        "Kingsbridge City Council\nInspection of children's social care services\n\n"
        "Performance data show that 92% of assessments are completed within 45 working days, compared with\n"
        "84% in England. Staff turnover has reduced to 12%, from 21% in 2021–22. Agency workers make up\n\n"
        "4 Financial position\n"
        "4.1 Spending on temporary accommodation is forecast to be £1,870,000 in 2021–22, against a budget of\n"
        "£1,200,000.\n"
    )
    assert detect_reporting_period([Page(number=1, text=text)], date(2023, 3, 17)) is None


def test_a_meeting_date_with_a_day_is_not_the_month_reported_on():
    from extractors.reporting_period import detect_reporting_period

    text = (
        "Medbury Council\nCorporate Parenting Board, 2 October 2025\nDirectorate of Children's Services\n"
        "Children's Services Performance Scorecard – August 2025\n"
    )
    found = detect_reporting_period([Page(number=1, text=text)], date(2025, 10, 2))
    assert found is not None and (found.period.start, found.period.end) == (date(2025, 8, 1), date(2025, 8, 31))
