"""Stage by stage (forecast -> staff -> roster -> export) must give the files `plan` gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cli_support import EXAMPLE, GENERATED_AT, TIME_LIMIT, WEEK, PlanRun, assert_clean_error, invoke, snapshot

COMMANDS = ("plan", "forecast", "staff", "roster", "export", "report", "validate")


def test_stages_reproduce_plan(example_plan: PlanRun, tmp_path: Path) -> None:
    assert example_plan.result.exit_code == 0, example_plan.result.output
    config = EXAMPLE / "peakplan.toml"
    out = tmp_path / "staged"
    out.mkdir()
    steps = [
        ["forecast", "--config", config, "--week", WEEK, "--out", out / "forecast.csv"],
        ["staff", "--config", config, "--forecast", out / "forecast.csv", "--out", out / "requirements.csv"],
        [
            "roster", "--config", config, "--requirements", out / "requirements.csv", "--week", WEEK,
            "--out", out / "roster.csv", "--time-limit", TIME_LIMIT,
        ],
        ["export", "--config", config, "--roster", out / "roster.csv", "--out", out / "feeds", "--generated-at", GENERATED_AT],
        ["report", "--config", config, "--out-dir", out],
    ]  # fmt: skip
    for step in steps:
        result = invoke(step)
        assert result.exit_code == 0, (step[0], result.output)

    planned, staged = snapshot(example_plan.out), snapshot(out)
    assert planned is not None and staged is not None
    # Only `plan` proposes peak actions: they need the forecast, requirements and roster at once.
    plan_only = {"actions.csv"}
    assert sorted(staged) == sorted(set(planned) - plan_only)
    assert plan_only <= set(planned)
    # Each stage reads the previous stage's file, so `plan` must compute from the
    # values as written (rounded), not from the unrounded ones it holds in memory.
    # report.html differs on purpose: plan's adds the solver's figures and --generated-at.
    differing = [name for name in sorted(staged) if planned[name] != staged[name] and name != "report.html"]
    assert not differing


def test_stages_that_do_not_forecast_run_without_a_history_in_the_config(example_plan: PlanRun, tmp_path: Path) -> None:
    """A lead with requirements from elsewhere needs no [inputs]; the commands that forecast still ask for it."""
    text = (EXAMPLE / "peakplan.toml").read_text(encoding="utf-8")
    start = text.index("\n[inputs]\n")
    config = tmp_path / "peakplan.toml"
    config.write_text(text[:start] + text[text.index("\n[", start + 1) :], encoding="utf-8")
    shutil.copy(EXAMPLE / "team.toml", tmp_path / "team.toml")
    planned = example_plan.out
    steps = [
        ["staff", "--config", config, "--forecast", planned / "forecast.csv", "--out", tmp_path / "requirements.csv"],
        [
            "roster", "--config", config, "--requirements", planned / "requirements.csv", "--week", WEEK,
            "--out", tmp_path / "roster.csv", "--time-limit", TIME_LIMIT,
        ],
    ]  # fmt: skip
    for step in steps:
        result = invoke(step)
        assert result.exit_code == 0, (step[0], result.output)
    for name in ("requirements.csv", "roster.csv"):
        assert (tmp_path / name).read_bytes() == (planned / name).read_bytes(), name
    result = invoke(["forecast", "--config", config, "--week", WEEK, "--out", tmp_path / "forecast.csv"])
    assert_clean_error(result, 3, "peakplan.toml: missing key inputs.history", '[inputs] history = "')
    assert not (tmp_path / "forecast.csv").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_an_example(command: str) -> None:
    result = invoke([command, "--help"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())  # rich wraps help text at the terminal width
    assert f"Example: peakplan {command} --config examples/cashback/peakplan.toml" in text


def test_top_level_help_lists_every_command() -> None:
    result = invoke(["--help"])
    assert result.exit_code == 0, result.output
    for command in COMMANDS:
        assert command in result.stdout
