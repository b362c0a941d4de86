"""Acceptance checks of the walking skeleton: extract on the 002 sample, no phone numbers, CLI basics."""

from __future__ import annotations

import json
import re

from pipeline.cli import main
from tests.conftest import sample_pdf


def _extract(capsys, path, *extra) -> list[dict]:
    assert main(["extract", str(path), "--format", "jsonl", *extra]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_extract_002_reports_the_headline_figures_with_their_months(capsys):
    rows = _extract(capsys, sample_pdf("002"))
    found = {(r["value"], r["unit"], (r["period_start"] or "")[:7]) for r in rows}
    # figures as printed in the paper, with the month each refers to
    for expected in [
        (865, "count", "2021-10"),
        (96, "percent", "2021-10"),
        (87, "percent", "2021-03"),
        (89, "percent", "2020-08"),
        (93, "percent", "2021-11"),
        (98, "percent", "2021-10"),
        (89, "percent", "2021-10"),
    ]:
        assert expected in found, f"missing {expected}"


def test_extract_jsonl_has_the_documented_fields(capsys):
    rows = _extract(capsys, sample_pdf("002"))
    assert rows
    for field in [
        "value",
        "unit",
        "period_start",
        "period_end",
        "role",
        "label",
        "kpi",
        "sentence",
        "page",
        "value_text",
        "rule",
        "confidence",
        "paper_date",
    ]:
        assert field in rows[0], field
    for r in rows:
        assert r["value_text"] in r["sentence"] or r["value_text"] in r["sentence"].replace(" ", "")


def test_no_telephone_numbers_from_000(capsys):
    path = sample_pdf("000")
    rows = _extract(capsys, path)
    phones = ["01403", "229900", "033", "022", "23456"]
    for r in rows:
        assert r["value_text"] not in phones, r
        digits = re.sub(r"\D", "", r["value_text"])
        assert not (len(digits) >= 5 and digits.startswith("0")), r


def test_extract_on_a_bad_file_is_a_clear_error_not_a_traceback(capsys, tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n garbage")
    assert main(["extract", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "broken.pdf" in err and "Traceback" not in err


def test_missing_path_is_a_user_error(capsys, tmp_path):
    assert main(["ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "w.duckdb"), "--no-prefect"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_help_for_every_command(capsys):
    for command in ["ingest", "extract", "query"]:
        try:
            main([command, "--help"])
        except SystemExit as exc:
            assert exc.code == 0
        assert "usage: councilkpi " + command in capsys.readouterr().out
