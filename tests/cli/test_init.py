"""`peakplan init DIR`: a starter project that validates and plans at once; `--help` on every command."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import typer

from cli_support import WEEK, PlanRun, assert_clean_error, invoke
from scheduler.cli import app


def test_init_writes_a_commented_config_team_and_inputs(starter: Path) -> None:
    names = sorted(path.relative_to(starter).as_posix() for path in starter.rglob("*") if path.is_file())
    assert names == ["README.md", "history/contacts.csv", "peakplan.toml", "sales.csv", "team.toml"]
    config = (starter / "peakplan.toml").read_text(encoding="utf-8")
    assert config.count("#") > 20  # commented for a new team
    parsed = tomllib.loads(config)
    assert parsed["report"]["max_understaffed_share"] == 0.25
    team = tomllib.loads((starter / "team.toml").read_text(encoding="utf-8"))
    assert len(team["agents"]) == 7
    history = (starter / "history" / "contacts.csv").read_text(encoding="utf-8").splitlines()
    assert history[0] == "ds,queue,y"
    assert history[-1].startswith("2026-11-22T23:30:00+01:00,")  # the day before the week, Berlin time
    assert "Flash sale November,flash-sale,2026-11-27,2026-11-27," in (starter / "sales.csv").read_text(encoding="utf-8")


def test_init_is_deterministic(starter: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert invoke(["init", again, "--week", WEEK, "--quiet"]).exit_code == 0
    for path in starter.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (again / path.relative_to(starter)).read_bytes(), path.name


def test_starter_project_validates_and_plans(starter: Path, starter_plan: PlanRun) -> None:
    checked = invoke(["validate", "--config", starter / "peakplan.toml", "--week", WEEK, "--json"])
    assert checked.exit_code == 0, checked.output
    assert all(check["status"] == "ok" for check in json.loads(checked.stdout)["checks"]), checked.stdout

    # `init` for WEEK planned with --json at a 1 s budget (the session's run, shared with the README test)
    out, result = starter_plan.out, starter_plan.result
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "ok"
    assert summary["coverage"]["understaffed_share"] <= 0.25
    assert (out / "report.html").is_file() and (out / "feeds" / "alex.ics").is_file()


def test_init_refuses_to_overwrite_without_force(starter: Path, tmp_path: Path) -> None:
    folder = tmp_path / "team"
    assert invoke(["init", folder, "--week", WEEK]).exit_code == 0
    result = invoke(["init", folder, "--week", WEEK])
    assert_clean_error(result, 3, f"{folder / 'peakplan.toml'} already exists", "--force")
    assert invoke(["init", folder, "--week", WEEK, "--force", "--quiet"]).exit_code == 0


def test_init_with_a_bad_week_exits_3(tmp_path: Path) -> None:
    result = invoke(["init", tmp_path / "team", "--week", "2026-48"])
    assert result.exit_code == 3 and result.stderr.startswith("Error: ")
    assert not (tmp_path / "team").exists()


def all_commands() -> list[list[str]]:
    """Every command path of the app, sub-apps' commands included, e.g. ['staff', 'whatif']."""
    command = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(group: object, prefix: list[str]) -> None:
        for name, sub in sorted(getattr(group, "commands", {}).items()):
            paths.append([*prefix, name])
            walk(sub, [*prefix, name])

    walk(command, [])
    return paths


@pytest.mark.parametrize("path", all_commands(), ids=lambda path: " ".join(path))
def test_every_command_has_help_with_an_example(path: list[str]) -> None:
    result = invoke([*path, "--help"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert f"Example: peakplan {' '.join(path)} " in text or f"Example (CI): peakplan {' '.join(path)} " in text, text[:400]
