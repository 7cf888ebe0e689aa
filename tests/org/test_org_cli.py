"""`peakplan plan --org` and `peakplan validate --org` through the CLI: exit codes, messages, one team's bytes."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

from org_support import DAYS, EXAMPLE_ORG, GENERATED_AT, START, TIME_LIMIT, org_with_broken_team, snapshot
from typer.testing import CliRunner, Result

from scheduler.cli import app
from scheduler.errors import ExitCode

HORIZON = ["--start", START.isoformat(), "--days", str(DAYS)]


def invoke(*args: object) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def _one_team_org(folder: Path, team: str) -> Path:
    """The example org's defaults with only ``team`` (its config in the example folder)."""
    text = (EXAMPLE_ORG / "org.toml").read_text(encoding="utf-8")
    head, _, rest = text.partition("[teams]")
    _, _, defaults = rest.partition("[defaults]")
    org = folder / "org.toml"
    org.write_text(f'{head}[teams]\n{team} = "{EXAMPLE_ORG / team / "peakplan.toml"}"\n\n[defaults]{defaults}',
                   encoding="utf-8")  # fmt: skip
    return org


def test_an_org_team_folder_is_what_plan_writes_for_the_team(tmp_path: Path) -> None:
    org = _one_team_org(tmp_path, "apac")
    result = invoke(
        "plan", "--org", org, *HORIZON, "--out", tmp_path / "org", "--generated-at", GENERATED_AT.isoformat(),
        "--time-limit", TIME_LIMIT, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [(team["team"], team["status"]) for team in payload["teams"]] == [("apac", "ok")]
    # the org's defaults, given to the single-team command as options: the team sets none of them itself
    single = invoke(
        "plan", "--config", EXAMPLE_ORG / "apac" / "peakplan.toml", *HORIZON, "--out", tmp_path / "single",
        "--generated-at", GENERATED_AT.isoformat(), "--time-limit", TIME_LIMIT,
        "--base-url", "https://plans.example.com/org/apac/feeds/", "--quiet",
    )  # fmt: skip
    assert single.exit_code == 0, single.output
    assert snapshot(tmp_path / "org" / "apac") == snapshot(tmp_path / "single")
    assert (tmp_path / "org" / "index.html").is_file()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_scheduler_exits_3_naming_it(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    result = invoke(
        "plan", "--org", EXAMPLE_ORG / "org.toml", "--week", "2026-W48", "--out", tmp_path,
        "--executor", "dask", "--scheduler", address, "--connect-timeout", "1",
    )  # fmt: skip
    assert result.exit_code == ExitCode.INPUT
    assert result.stderr.startswith(f"Error: cannot reach the dask scheduler at {address} (connection refused")
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_bad_org_file_lists_every_problem_and_exits_3(tmp_path: Path) -> None:
    org = tmp_path / "org.toml"
    org.write_text('[teams]\nx = "missing.toml"\n[defaults]\nbudget = 1\n', encoding="utf-8")
    result = invoke("plan", "--org", org, "--week", "2026-W48", "--out", tmp_path / "out")
    assert result.exit_code == ExitCode.INPUT
    assert f"Error: {org}: 2 problems:" in result.stderr
    assert "teams.x: config file" in result.stderr and "unknown key(s) ['budget'] in [defaults]" in result.stderr


def test_options_that_do_not_go_together_are_usage_errors(tmp_path: Path) -> None:
    org = EXAMPLE_ORG / "org.toml"
    cases = [
        (
            ["--org", org, "--config", EXAMPLE_ORG / "apac" / "peakplan.toml"],
            "give either --config (one team) or --org (many teams), not both",
        ),
        (["--org", org, "--scheduler", "tcp://127.0.0.1:1"], "--scheduler and --workers go with --executor dask"),
        (["--org", org, "--executor", "ray"], "--executor 'ray': choose one of serial, dask"),
        (
            ["--org", org, "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"],
            "--workers sizes a local cluster: it does not go with --scheduler",
        ),
        (["--config", EXAMPLE_ORG / "apac" / "peakplan.toml", "--executor", "dask"], "go with --org"),
        ([], "give --config (one team) or --org (many teams)"),
        (["--org", org, "--previous", "roster.csv"], "--previous go with --config (one team), not with --org"),
    ]
    for options, message in cases:
        result = invoke("plan", *options, "--week", "2026-W48", "--out", tmp_path / "out")
        assert result.exit_code == ExitCode.USAGE, (options, result.output)
        assert message in result.stderr, (options, result.stderr)


def apac_and_broken(folder: Path) -> Path:
    """The example org with only its apac team and a team ``broken`` whose history is missing; returns org.toml."""
    org = org_with_broken_team(folder)
    text = org.read_text(encoding="utf-8")
    for line in ('emea = "emea/peakplan.toml"\n', 'americas = "americas/peakplan.toml"\n'):
        text = text.replace(line, "")
    org.write_text(text, encoding="utf-8")
    return org


def test_validate_org_reports_every_team_and_exits_3_for_a_broken_one(tmp_path: Path) -> None:
    org = apac_and_broken(tmp_path / "org")
    result = invoke("validate", "--org", org, *HORIZON, "--json")
    assert result.exit_code == ExitCode.INPUT, result.output
    payload = json.loads(result.stdout)
    assert sorted(payload["teams"]) == ["apac", "broken"]
    assert payload["teams"]["apac"]["ok"] is True
    assert payload["teams"]["broken"]["exit_code"] == ExitCode.INPUT
    assert "Error: broken: history:" in result.stderr and "broken/history.csv" in result.stderr


def test_validate_org_lists_the_mistakes_of_every_team_at_once(tmp_path: Path) -> None:
    """Three teams, four mistakes: every one on its own line naming its team, exit 3, nothing solved."""
    folder = tmp_path / "org"
    shutil.copytree(EXAMPLE_ORG, folder, ignore=shutil.ignore_patterns("__pycache__", "generate_history.py"))
    edits = {
        "emea": [("aht_seconds = 480", "aht_seconds = -5")],
        "apac": [
            ('timezone = "Asia/Tokyo"', 'timezone = "Asia/Tokio"'),
            ("max_occupancy = 0.85", "max_occupancy = 1.7"),
        ],
    }
    for team, replacements in edits.items():
        config = folder / team / "peakplan.toml"
        text = config.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text
            text = text.replace(old, new, 1)
        config.write_text(text, encoding="utf-8")
    (folder / "americas" / "history.csv").unlink()
    result = invoke("validate", "--org", folder / "org.toml", "--week", "2026-W48", "--quiet")
    assert result.exit_code == ExitCode.INPUT, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 4, lines
    assert lines[0] == f"Error: americas: history: history file {folder}/americas/history.csv not found"
    assert lines[1].startswith(f"Error: apac: config: {folder}/apac/peakplan.toml: team.timezone = 'Asia/Tokio'")
    assert lines[2] == f"apac: {folder}/apac/peakplan.toml: staffing.max_occupancy = 1.7: must be > 0 and <= 1"
    assert lines[3] == f"Error: emea: config: {folder}/emea/peakplan.toml: channels.chat.aht_seconds = -5: must be > 0"


def test_a_team_with_wrong_inputs_fails_alone_and_the_summary_names_its_error(
    tmp_path: Path, report_not_drawn: list
) -> None:
    org = apac_and_broken(tmp_path / "org")
    out = tmp_path / "out"
    result = invoke(
        "plan", "--org", org, *HORIZON, "--out", out, "--generated-at", GENERATED_AT.isoformat(),
        "--time-limit", TIME_LIMIT,
    )  # fmt: skip
    assert result.exit_code == ExitCode.TEAMS_FAILED, result.output
    missing = tmp_path / "org" / "broken" / "history.csv"
    assert "broken: failed (exit 3, " in result.stderr and "apac: ok, " in result.stderr
    assert "[1/2 teams done, 0 running, 1 failed]" in result.stderr
    assert result.stderr.rstrip().endswith(f"Error: team broken: history file {missing} not found")
    assert (out / "apac" / "roster.csv").is_file() and not (out / "broken").exists()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "1 of 2 teams planned" in page and f"history file {missing} not found" in page
