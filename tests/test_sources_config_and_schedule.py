"""The sources configuration (clear errors, the shipped example) and the scheduled Prefect deployment."""

from __future__ import annotations

import pytest

from pipeline.cli import main
from pipeline.sources.config import ConfigError, load_config, parse_config
from tests.conftest import ROOT

EXAMPLE = ROOT / "councilkpi.example.toml"


def _parse(tmp_path, text: str):
    path = tmp_path / "councilkpi.toml"
    path.write_text(text)
    return parse_config(text, path)


def test_the_example_config_is_valid_and_documents_every_source_type():
    cfg = load_config(EXAMPLE)
    assert {s.type for s in cfg.sources} == {"moderngov", "rss", "url", "folder"}
    assert cfg.db == ROOT / "data" / "warehouse.duckdb"
    folder = next(s for s in cfg.sources if s.type == "folder")
    assert folder.path == ROOT / "data" / "samples" / "pdf" and any(folder.path.glob(folder.glob))
    assert "performance-team@example.org" in cfg.fetch.user_agent


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[[source]]\nname = "X"\ntype = "ftp"\nurl = "ftp://x"', "type = 'ftp'"),
        ('[[source]]\nname = "X"\ntype = "moderngov"', "needs url"),
        ('[[source]]\nname = "X"\ntype = "url"\nurl = "file:///etc/passwd"', "http:// or https://"),
        ('[[source]]\ntype = "rss"\nurl = "https://x"', "needs a name"),
        ('[collect]\nschedule = "daily"', "cron"),
        ('[fetch]\ntimeout = "fast"', "timeout"),
        ("[fetch]\nworkers = 0", "workers"),
        ("[fetch]\nspeed = 1", "unknown setting"),
        (
            '[[source]]\nname = "X"\ntype = "rss"\nurl = "https://x"\n[[source]]\nname = "x"\ntype = "rss"\nurl = "https://y"',
            "same name",
        ),
        ("[collect\n", "not valid TOML"),
    ],
)
def test_config_mistakes_are_clear_errors_naming_the_file(tmp_path, text, needle):
    with pytest.raises(ConfigError) as err:
        _parse(tmp_path, text)
    assert needle in str(err.value) and "councilkpi.toml" in str(err.value)


def test_unknown_source_or_missing_config_is_a_user_error_on_the_cli(tmp_path, capsys):
    assert main(["ingest", "--source", "Nowhere", "--config", str(EXAMPLE), "--no-prefect"]) == 2
    err = capsys.readouterr().err
    assert "no source named 'Nowhere'" in err and "West Sussex" in err and "Traceback" not in err
    assert main(["ingest", "--source", "all", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "councilkpi.example.toml" in capsys.readouterr().err


def test_committee_filter_matches_ids_and_title_words(tmp_path):
    cfg = _parse(
        tmp_path, '[[source]]\nname = "X"\ntype = "moderngov"\nurl = "https://x/"\ncommittees = ["140", "scrutiny"]'
    )
    (source,) = cfg.sources
    assert source.wants_committee("140", "Cabinet")
    assert source.wants_committee("7", "Health Scrutiny Committee")
    assert not source.wants_committee("7", "Planning Committee")


def test_serve_registers_a_deployment_with_the_configured_cron(tmp_path):
    from pipeline.sources.flow import build_deployment

    cfg = _parse(
        tmp_path,
        '[collect]\nschedule = "15 7 * * 1-5"\ntimezone = "Europe/London"\n'
        '[[source]]\nname = "West Sussex"\ntype = "moderngov"\nurl = "https://westsussex.moderngov.co.uk/"\n',
    )
    deployment = build_deployment(cfg, ["West Sussex"], "nightly")
    assert deployment.name == "nightly" and deployment.flow_name == "collect"
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "15 7 * * 1-5"
    assert schedule.schedule.timezone == "Europe/London"
    assert deployment.parameters == {"config": str(cfg.path.resolve()), "sources": ["West Sussex"]}


def test_serve_dry_run_checks_the_config_and_prints_the_schedule(capsys):
    try:
        main(["serve", "--help"])
    except SystemExit as exc:
        assert exc.code == 0
    assert "usage: councilkpi serve" in capsys.readouterr().out
    assert main(["serve", "--config", str(EXAMPLE), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "cron '0 6 * * *'" in out and "Europe/London" in out
