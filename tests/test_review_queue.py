"""`councilkpi review --queue` (figures that need a person, with why) and `review --from-csv` (all or none)."""

from __future__ import annotations

import csv
import io

import pytest

from pipeline.cli import main
from tests.audit_helpers import add_text_paper, copy_warehouse
from warehouse.db import connect

# The samples give one adoptions figure for December 2021; a second report of the council gives two more for that
# month, so the series has three figures of one period (a conflict, not a jump) to review.
MORE_ADOPTIONS = (
    "Adoption update\n\nIn December 2021, 9 children were adopted.\n\nIn December 2021, 30 children were adopted.\n"
)


@pytest.fixture()
def adoptions_db(tmp_path, demo_db):
    db = copy_warehouse(demo_db, tmp_path / "adoptions")
    add_text_paper(db, tmp_path / "more", "more.txt", MORE_ADOPTIONS, "2022-01-20", "West Sussex County Council")
    return db


def _queue(db, capsys, *args) -> list[dict]:
    assert main(["review", "--queue", "--db", str(db), "--format", "csv", *args]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_queue_lists_low_confidence_and_fallback_dated_figures_with_why(demo_db, demo_con, capsys):
    rows = _queue(demo_db, capsys)
    by_id = {r["observation_id"]: r for r in rows}
    fallback = demo_con.execute(
        "SELECT id FROM observations WHERE kpi IS NOT NULL AND period_kind = 'paper_date'"
    ).fetchall()
    low = demo_con.execute(
        "SELECT id, confidence FROM observations WHERE kpi IS NOT NULL AND confidence < 0.7"
    ).fetchall()
    assert fallback and low
    for (oid,) in fallback:
        assert "fallback-dated" in by_id[oid]["reasons"]
    strict = {r["observation_id"]: r["reasons"] for r in _queue(demo_db, capsys, "--min-confidence", "0.7")}
    for oid, confidence in low:
        assert f"low confidence ({confidence:g} < 0.7)" in strict[oid]
    confident = demo_con.execute(
        "SELECT id FROM observations WHERE kpi IS NOT NULL AND confidence >= 0.85 AND period_kind <> 'paper_date'"
    ).fetchall()
    assert confident
    assert not [oid for (oid,) in confident if "low confidence" in by_id.get(oid, {}).get("reasons", "")]
    assert all(r["action"] == "" and r["reason"] == "" for r in rows)  # columns to fill in for --from-csv


def test_queue_kpi_and_limit_narrow_it_and_reviewed_figures_leave_it(tmp_path, adoptions_db, capsys):
    demo_db = adoptions_db
    rows = _queue(demo_db, capsys, "--kpi", "adoptions")
    assert rows and {r["kpi"] for r in rows} == {"adoptions"}
    assert len(_queue(demo_db, capsys, "--limit", "2")) == 2
    db = copy_warehouse(demo_db, tmp_path / "copy")
    first = rows[0]["observation_id"]
    assert main(["review", first, "--accept", "--reason", "checked", "--by", "Ann", "--db", str(db)]) == 0
    capsys.readouterr()
    assert first not in {r["observation_id"] for r in _queue(db, capsys, "--kpi", "adoptions")}


def test_queue_flags_the_figures_on_both_sides_of_a_jump_between_periods(tmp_path, adoptions_db, capsys):
    demo_db = adoptions_db
    demo_con = connect(demo_db, read_only=True)
    series = demo_con.execute(
        """SELECT observation_id, value, period_end FROM kpi_series WHERE kpi = 'adoptions' AND unit = 'count'
           AND role = 'actual' AND period_kind <> 'paper_date' ORDER BY period_end, paper_date, observation_id"""
    ).fetchall()
    demo_con.close()
    assert len(series) >= 3 and len({end for *_, end in series}) == 1, "one period: no jumps yet"
    before = {r["observation_id"]: r["reasons"] for r in _queue(demo_db, capsys, "--kpi", "adoptions")}
    assert not any("jump" in reasons for reasons in before.values())  # same-period figures are not a jump
    moved, *others = series
    db = copy_warehouse(demo_db, tmp_path / "copy")
    args = ["review", moved[0], "--set", "value=40,period=2020-06", "--reason", "June 2020", "--by", "Ann"]
    assert main([*args, "--db", str(db)]) == 0
    capsys.readouterr()
    rows = {r["observation_id"]: r["reasons"] for r in _queue(db, capsys, "--kpi", "adoptions")}
    assert moved[0] not in rows  # reviewed: not queued itself
    for oid, value, _end in others:
        if abs(value - 40) / 40 > 0.5:
            assert f"jump {(value - 40) / 40:+.0%} from 40 (2020-06-30)" in rows[oid]
        else:
            assert "jump" not in rows.get(oid, "")
    assert any(abs(value - 40) / 40 > 0.5 for _, value, _ in others)


def _write_csv(path, rows: list[dict]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["observation_id", "action", "set", "reason"])
        writer.writeheader()
        writer.writerows(rows)


def test_from_csv_records_every_decision_in_one_go(tmp_path, demo_db, demo_con, capsys):
    ids = [
        r[0]
        for r in demo_con.execute("SELECT id FROM observations WHERE kpi IS NOT NULL ORDER BY id LIMIT 4").fetchall()
    ]
    db = copy_warehouse(demo_db, tmp_path / "copy")
    decisions = tmp_path / "decisions.csv"
    _write_csv(
        decisions,
        [
            {"observation_id": ids[0][:10], "action": "accept", "set": "", "reason": "matches the register"},
            {"observation_id": ids[1], "action": "reject", "set": "", "reason": ""},
            {"observation_id": ids[2], "action": "set", "set": "value=12,period=2021-03", "reason": "table 1"},
            {"observation_id": ids[3], "action": "", "set": "", "reason": ""},
        ],
    )
    assert (
        main(["review", "--from-csv", str(decisions), "--by", "Ann", "--reason", "bulk review", "--db", str(db)]) == 0
    )
    assert "recorded 3 correction(s)" in capsys.readouterr().out
    con = connect(db, read_only=True)
    log = con.execute(
        "SELECT observation_id, action, value, period_start::VARCHAR, reason, reviewer FROM corrections ORDER BY seq"
    ).fetchall()
    con.close()
    assert [(r[0], r[1]) for r in log] == [(ids[0], "accept"), (ids[1], "reject"), (ids[2], "set")]
    assert log[1][4] == "bulk review" and log[2][2:4] == (12.0, "2021-03-01") and {r[5] for r in log} == {"Ann"}


def test_from_csv_with_any_bad_row_records_nothing_and_lists_each_problem(tmp_path, demo_db, demo_con, capsys):
    ids = [r[0] for r in demo_con.execute("SELECT id FROM observations ORDER BY id LIMIT 2").fetchall()]
    db = copy_warehouse(demo_db, tmp_path / "copy")
    decisions = tmp_path / "decisions.csv"
    _write_csv(
        decisions,
        [
            {"observation_id": ids[0], "action": "accept", "set": "", "reason": "fine"},
            {"observation_id": "no-such-id", "action": "reject", "set": "", "reason": "x"},
            {"observation_id": ids[1], "action": "set", "set": "value=abc", "reason": "x"},
            {"observation_id": ids[1], "action": "approve", "set": "", "reason": "x"},
            {"observation_id": ids[1], "action": "set", "set": "period=2021-05..2021-01-01", "reason": ""},
        ],
    )
    assert main(["review", "--from-csv", str(decisions), "--by", "Ann", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "nothing recorded" in err
    for line, text in [
        (3, "no observation with id 'no-such-id'"),
        (4, "'abc' is not a number"),
        (5, "'approve'"),
        (6, "no reason"),
    ]:
        assert f"line {line}: " in err and text in err, (line, err)
    con = connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM corrections").fetchone() == (0,)
    con.close()
    # a problem found only while writing (a period ending before it starts) also leaves nothing behind
    _write_csv(
        decisions,
        [
            {"observation_id": ids[0], "action": "accept", "set": "", "reason": "fine"},
            {"observation_id": ids[1], "action": "set", "set": "period_start=2030-01-01", "reason": "x"},
        ],
    )
    assert main(["review", "--from-csv", str(decisions), "--by", "Ann", "--db", str(db)]) == 2
    assert "decision 2" in capsys.readouterr().err
    con = connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM corrections").fetchone() == (0,)
    con.close()
