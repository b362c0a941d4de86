"""A new user's tour (issue 17): read-only means read-only, exit codes, and the small things users trip on."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from pipeline.cli import main
from tests.conftest import GOLD, ROOT, SAMPLES_TEXT, sample_pdf
from warehouse.catalog import load_catalog

# ---------------------------------------------------------------------------------------------------------------
# query: every statement kind that could write a file, read one, load code or change settings is refused

LEAK = "leak.csv"
REFUSED = {
    "copy_to": f"COPY (SELECT * FROM observations) TO '{LEAK}'",
    "copy_to_parquet": f"COPY observations TO '{LEAK}' (FORMAT parquet)",
    "copy_from": "COPY papers FROM '/etc/passwd'",
    "export_database": "EXPORT DATABASE 'exported'",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "set_external_access": "SET enable_external_access = true",
    "set_allowed_directories": "SET allowed_directories = ['/']",
    "pragma_profiling": "PRAGMA enable_profiling = 'json'",
    "pragma_profile_output": f"PRAGMA profile_output = '{LEAK}'",
    "read_csv": "SELECT * FROM read_csv('/etc/passwd')",
    "read_text": "SELECT * FROM read_text('/etc/passwd')",
    "read_blob": "SELECT * FROM read_blob('/etc/passwd')",
    "glob": "SELECT * FROM glob('/etc/*')",
    "attach": "ATTACH 'other.duckdb' AS other",
    "attach_existing": "ATTACH '{other}' AS other (READ_ONLY)",
    "attach_memory": "ATTACH ':memory:' AS scratch",
    "create_secret": "CREATE SECRET (TYPE s3)",
    "explain_analyze_copy": f"EXPLAIN ANALYZE COPY (SELECT 1) TO '{LEAK}'",
    "two_statements": f"SELECT 1; COPY (SELECT 1) TO '{LEAK}'",
}


@pytest.fixture(scope="module")
def other_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another DuckDB file that a query must not be able to read."""
    path = tmp_path_factory.mktemp("other") / "secret.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE secret AS SELECT 'root:x:0:0' AS line")
    con.close()
    return path


@pytest.mark.parametrize("sql", REFUSED.values(), ids=REFUSED.keys())
def test_query_refuses_statements_that_reach_outside_the_warehouse(
    sql, demo_db, other_db, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    assert main(["query", sql.format(other=other_db), "--db", str(demo_db)]) == 2
    out, err = capsys.readouterr()
    assert "read-only" in err or "one SQL statement" in err, err
    assert "Traceback" not in err and "root:" not in out
    assert list(tmp_path.iterdir()) == []  # no file written, no database attached


def test_query_still_runs_queries_of_every_kind(demo_db, capsys):
    for sql in [
        "SELECT count(*) AS n FROM papers",
        "WITH p AS (SELECT * FROM papers) SELECT count(*) AS n FROM p",
        "FROM papers SELECT count(*) AS n",
        "DESCRIBE papers",
        "SHOW TABLES",
        "SUMMARIZE papers",
        "PRAGMA table_info('papers')",
        "EXPLAIN SELECT * FROM kpi_series",
        "CALL pragma_version()",
        "SELECT count(*) AS n FROM papers;",
    ]:
        assert main(["query", sql, "--db", str(demo_db)]) == 0, (sql, capsys.readouterr().err)
    capsys.readouterr()


@pytest.mark.parametrize(
    "sql",
    [REFUSED[k] for k in ("copy_to", "export_database", "read_text", "glob", "attach_existing", "set_external_access")],
)
def test_the_query_connection_itself_is_shut_off_from_files(sql, demo_db, other_db, tmp_path, monkeypatch):
    """DuckDB's own settings refuse these even without the statement allow-list in front of them."""
    from warehouse.db import connect

    monkeypatch.chdir(tmp_path)
    con = connect(demo_db, read_only=True, sandbox=True)
    try:
        with pytest.raises(duckdb.Error):
            con.execute(sql.format(other=other_db)).fetchall()
    finally:
        con.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sql", REFUSED.values(), ids=REFUSED.keys())
def test_the_python_api_refuses_the_same_statements(sql, demo_db, other_db, tmp_path, monkeypatch):
    from warehouse import connect

    monkeypatch.chdir(tmp_path)
    wh = connect(demo_db)
    with pytest.raises(duckdb.Error) as caught:
        wh.query(sql.format(other=other_db))
    assert "read-only" in str(caught.value) or "disabled" in str(caught.value) or "one SQL" in str(caught.value)
    assert list(tmp_path.iterdir()) == []
    assert len(wh.query("SELECT * FROM papers")) == 5  # queries still work


def test_the_python_api_connection_cannot_read_other_files(demo_db):
    from warehouse import connect

    with connect(demo_db)._connection() as con, pytest.raises(duckdb.PermissionException):
        con.execute("SELECT * FROM read_text('/etc/passwd')").fetchall()


def test_query_help_lists_every_table_and_view_of_the_catalog(capsys):
    with pytest.raises(SystemExit):
        main(["query", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    names = [r.name for r in load_catalog() if r.in_sql]
    assert len(names) > 4
    for name in names:
        assert re.search(rf"\b{name}\b", text), name


# ---------------------------------------------------------------------------------------------------------------
# errors and exit codes


def test_eval_stops_with_exit_2_when_a_gold_paper_is_missing(tmp_path, capsys):
    gold = GOLD / "ofsted_windsor.jsonl"
    assert main(["eval", "--gold", str(gold), "--papers", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not in" in err and "--allow-missing" in err and "ofsted" in err


def test_eval_allow_missing_scores_a_missing_paper_as_missed(tmp_path, capsys):
    gold = GOLD / "ofsted_windsor.jsonl"
    assert main(["eval", "--gold", str(gold), "--papers", str(tmp_path), "--allow-missing"]) == 0
    out = capsys.readouterr().out
    assert "no paper named" in out


@pytest.mark.parametrize("option, value, listed", [("--role", "nonsense", "benchmark"), ("--unit", "pct", "percent")])
def test_series_rejects_an_unknown_role_or_unit_listing_the_valid_ones(option, value, listed, demo_db, capsys):
    assert main(["series", "children_looked_after", option, value, "--db", str(demo_db)]) == 2
    err = capsys.readouterr().err
    assert repr(value) in err and listed in err


def test_series_with_a_known_role_and_unit_still_works(demo_db, capsys):
    argv = ["series", "children_looked_after", "--role", "actual", "--unit", "count", "--db", str(demo_db)]
    assert main(argv) == 0
    assert "865" in capsys.readouterr().out


def test_an_unknown_option_prints_the_usage_of_its_subcommand(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["series", "children_looked_after", "--bogus"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: councilkpi series" in err and "--bogus" in err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"councilkpi {version('councilkpi')}"


def _paper_row(db: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT paper_date, paper_date_source FROM papers").fetchone()
    finally:
        con.close()


def test_paper_date_accepts_a_month_and_is_stored_as_from_the_cli(tmp_path, capsys):
    paper = tmp_path / "paper.txt"
    shutil.copy(sorted(SAMPLES_TEXT.glob("000_*.txt"))[0], paper)  # no manifest beside it
    db = tmp_path / "w.duckdb"
    argv = ["ingest", str(paper), "--db", str(db), "--no-prefect", "--workers", "0", "-q", "--paper-date", "2021-02"]
    assert main(argv) == 0, capsys.readouterr().err
    assert _paper_row(db) == (date(2021, 2, 1), "cli")


def test_a_bad_paper_date_names_both_accepted_forms(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["ingest", str(tmp_path), "--paper-date", "Feb 2021"])
    assert "YYYY-MM-DD or YYYY-MM" in capsys.readouterr().err


def test_paper_date_from_a_manifest_is_stored_as_metadata(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    argv = ["ingest", str(SAMPLES_TEXT / "000_ac54c472d00d4a58.txt"), "--db", str(db), "--no-prefect"]
    assert main([*argv, "--workers", "0", "-q"]) == 0, capsys.readouterr().err
    assert _paper_row(db)[1] == "metadata"


def test_serve_dry_run_says_what_it_would_register_and_exits(capsys):
    example = ROOT / "councilkpi.example.toml"
    assert main(["serve", "--config", str(example), "--source", "West Sussex", "--name", "ws", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert "Stop with Ctrl-C" not in out + err
    assert "nothing registered" in out
    assert "collect/ws" in out and "cron '0 6 * * *' (Europe/London)" in out
    assert len(re.findall(r"\d{4}-\d\d-\d\d 06:00", out)) == 3  # the next runs
    assert "West Sussex" in out and "westsussex.moderngov.co.uk" in out and "Horsham" not in out


def test_next_runs_follow_the_cron_in_its_time_zone():
    from pipeline.commands.serve import next_runs

    london = ZoneInfo("Europe/London")
    friday = datetime(2023, 11, 17, 8, 0, tzinfo=london)
    runs = next_runs("15 7 * * 1-5", "Europe/London", now=friday)  # weekdays at 07:15
    assert [(t.day, t.hour, t.minute) for t in runs] == [(20, 7, 15), (21, 7, 15), (22, 7, 15)]


def test_the_ingest_summary_prints_failure_messages_in_full(demo_db, capsys):
    from models.records import PaperOutcome, RunSummary
    from pipeline.commands.ingest import print_summary

    message = "the PDF is encrypted with a password; " + "ask the council for an unprotected copy " * 4 + "END"
    summary = RunSummary(
        "run1", str(demo_db), [PaperOutcome("a/very/long/path/paper.pdf", None, "failed", 0, 0, "encrypted", message)]
    )
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        print_summary(con, summary)
    finally:
        con.close()
    out = capsys.readouterr().out
    assert message in out and "a/very/long/path/paper.pdf" in out and "encrypted" in out


# ---------------------------------------------------------------------------------------------------------------
# output


def test_kpi_wide_month_is_a_date_in_csv_and_parquet(demo_db, tmp_path, capsys):
    for fmt in ("csv", "parquet"):
        assert main(["export", "--format", fmt, "--out", str(tmp_path / fmt), "--db", str(demo_db)]) == 0
    capsys.readouterr()
    import csv

    with (tmp_path / "csv" / "kpi_wide.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    assert all(re.fullmatch(r"\d{4}-\d\d-01", row["month"]) for row in rows), rows[0]["month"]
    con = duckdb.connect()
    try:
        (column,) = con.execute(
            "SELECT column_type FROM (DESCRIBE SELECT month FROM read_parquet(?))",
            [str(tmp_path / "parquet" / "kpi_wide.parquet")],
        ).fetchone()
    finally:
        con.close()
    assert column == "DATE"


def test_review_history_shows_the_kpi_and_the_changed_fields(demo_db, tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        (oid,) = con.execute("SELECT id FROM observations WHERE value = 865 LIMIT 1").fetchone()
    finally:
        con.close()
    argv = [
        "review",
        oid,
        "--set",
        "value=866,kpi=adoptions",
        "--reason",
        "typo",
        "--by",
        "A. Auditor",
        "--db",
        str(db),
    ]
    assert main(argv) == 0, capsys.readouterr().err
    header, _rule, row = capsys.readouterr().out.splitlines()[-3:]
    assert re.search(r"\bkpi\b", header) and re.search(r"\bchanged\b", header)
    assert "adoptions" in row and "value,kpi" in row


def test_private_use_bullets_show_as_bullets_and_offsets_still_hold():
    from extractors.document import extract_document
    from extractors.metrics import extract_metrics
    from extractors.pdf import iter_pdf_pages
    from pipeline.collect import collect

    path = sample_pdf("001")
    (src,) = collect([path])
    document = extract_document(src)
    raw = {p.number: p.text for p in iter_pdf_pages(path)}
    n_bullets = 0
    for page in document.pages:
        original = raw[page.number]
        assert len(page.text) == len(original) == len(page.char_boxes)
        for mine, theirs in zip(page.text, original, strict=True):
            assert mine == theirs or (theirs == "\uf0b7" and mine == "•")
        n_bullets += original.count("\uf0b7")
        assert not re.search("[\ue000-\uf8ff]", page.text)
    assert n_bullets > 0  # the sample really has Symbol-font bullets
    result = extract_metrics(document)
    pages = {p.number: p.text for p in document.pages}
    assert any("•" in s.text for s in result.sentences)
    for s in result.sentences:
        assert pages[s.page][s.start : s.end] == s.text and not re.search("[\ue000-\uf8ff]", s.text)
    for o in result.observations:
        assert pages[o.page][o.page_start : o.page_end] == o.value_text


def test_private_use_mapping_is_one_character_for_one():
    from extractors.private_use import PRIVATE_USE, map_private_use

    assert map_private_use("\uf0b7 Item one\n\uf0a7 Item two \uf0fc") == "• Item one\n• Item two ✓"
    assert all(len(k) == len(v) == 1 for k, v in PRIVATE_USE.items())


def test_a_stated_period_wins_over_the_paper_date():
    from extractors.nlp import analyse

    text = (
        "The England average was 22% in the 12 months to September 2023.\n\n"
        "Nationally, 31% of referrals were re-referrals in the 12 months to September 2023.\n"
    )
    for paper_date in (None, date(2023, 11, 20), date(2021, 2, 1)):
        figures = {f.value: f for f in analyse(text, paper_date)._.figures}
        bench = figures[22]
        assert bench.role == "benchmark"
        assert (bench.period.start, bench.period.end) == (date(2022, 10, 1), date(2023, 9, 30)), paper_date
        other = figures[31]  # an actual: undated when the paper date says its period is still to come
        if paper_date == date(2021, 2, 1):
            assert other.period is None and other.period_rule == "period.none.future"
        else:
            assert (other.period.start, other.period.end) == (date(2022, 10, 1), date(2023, 9, 30)), paper_date


@pytest.mark.parametrize(
    "first_line, expected",
    [
        ("Cabinet - 14 November 2023", date(2023, 11, 14)),
        ("Full Council: Thursday 3 March 2022", date(2022, 3, 3)),
        ("Health and Wellbeing Board, 5th July 2021", date(2021, 7, 5)),
    ],
)
def test_a_meeting_header_first_line_gives_the_paper_date(first_line, expected):
    from extractors.paper_date import detect_paper_date
    from models.records import Page

    text = f"{first_line}\n\nQuarterly performance report\n\nThe figures below are for the quarter.\n"
    assert detect_paper_date([Page(number=1, text=text)]) == (expected, "text:meeting_header")


def test_a_dated_line_that_is_not_a_header_is_not_the_paper_date():
    from extractors.paper_date import detect_paper_date
    from models.records import Page

    for text in ("Quarter 2 - 30 September 2023\nfigures", "Performance to 30 September 2023\n"):
        assert detect_paper_date([Page(number=1, text=text)]) is None


def test_every_read_only_warehouse_connection_is_sandboxed_unless_asked_not_to_be(demo_db):
    from warehouse.db import connect

    con = connect(demo_db, read_only=True)  # trace, verify, report, review history ... read through these
    try:
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM read_text('/etc/passwd')").fetchall()
    finally:
        con.close()
    con = connect(demo_db, read_only=True, sandbox=False)  # export: DuckDB writes the files
    try:
        assert "root:" in con.execute("SELECT content FROM read_text('/etc/passwd')").fetchone()[0]
    finally:
        con.close()


def test_a_plain_duckdb_connection_in_the_same_process_gives_a_clear_error(demo_db):
    from warehouse import WarehouseError, connect

    raw = duckdb.connect(str(demo_db), read_only=True)
    try:
        with pytest.raises(WarehouseError, match="already has the warehouse open"):
            connect(demo_db)
    finally:
        raw.close()
    assert len(connect(demo_db).papers()) == 5


def test_browse_reads_through_sandboxed_connections(demo_db, tmp_path):
    from pipeline.browse import Browser

    db = tmp_path / "w.duckdb"
    shutil.copy(demo_db, db)
    browser = Browser(db)  # read-only: no --allow-review
    with browser.connection() as con:
        assert con.execute("SELECT count(*) FROM papers").fetchone()[0] == 5
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"COPY (SELECT * FROM observations) TO '{tmp_path / LEAK}'")
    assert not (tmp_path / LEAK).exists()
