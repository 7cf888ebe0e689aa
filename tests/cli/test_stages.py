"""Stage by stage (forecast -> staff -> roster -> export) must give the files `plan` gives."""

from __future__ import annotations

import shutil
from pathlib import Path
from unittest import mock

import pytest
from cli_support import (
    EXAMPLE,
    GENERATED_AT,
    NOT_DRAWN,
    TIME_LIMIT,
    WEEK,
    PlanRun,
    SavedResult,
    assert_clean_error,
    invoke,
    snapshot,
)
from session_once import once_per_session

# The stages forecast again, not from the CLI tests' memo: that they give plan's bytes is the claim.
pytestmark = pytest.mark.fresh_forecast

COMMANDS = ("plan", "forecast", "staff", "roster", "export", "report", "validate")


def without_inputs(folder: Path) -> Path:
    """The example's config without its [inputs] section, beside a copy of its team: what a lead with
    requirements from elsewhere has. Returns the config's path."""
    text = (EXAMPLE / "peakplan.toml").read_text(encoding="utf-8")
    start = text.index("\n[inputs]\n")
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "peakplan.toml"
    config.write_text(text[:start] + text[text.index("\n[", start + 1) :], encoding="utf-8")
    shutil.copy(EXAMPLE / "team.toml", folder / "team.toml")
    return config


def run_stages(folder: Path) -> list[tuple[str, SavedResult]]:
    """forecast -> staff -> roster -> export -> report into ``folder / "staged"``; staff and roster with the
    example's config without [inputs] (``folder / "bare"``: they read no history), the others with the example's.

    The report stage reads the staged folder and builds the report's inputs as always, but writes a one-line
    report.html instead of rendering it (~0.5 s of CPU): its report differs from plan's on purpose and
    no test reads it; the `report` command's drawing is checked in tests/cli/test_report.py."""
    config, bare, out = EXAMPLE / "peakplan.toml", without_inputs(folder / "bare"), folder / "staged"
    out.mkdir()
    steps = [
        ["forecast", "--config", config, "--week", WEEK, "--out", out / "forecast.csv"],
        ["staff", "--config", bare, "--forecast", out / "forecast.csv", "--out", out / "requirements.csv"],
        [
            "roster", "--config", bare, "--requirements", out / "requirements.csv", "--week", WEEK,
            "--out", out / "roster.csv", "--time-limit", TIME_LIMIT,
        ],
        ["export", "--config", config, "--roster", out / "roster.csv", "--out", out / "feeds", "--generated-at", GENERATED_AT],
        ["report", "--config", config, "--out-dir", out],
    ]  # fmt: skip
    results = []
    for step in steps:
        if step[0] == "report":
            import scheduler.report.page  # here: the report's modules load only for the tests that plan

            with mock.patch.object(scheduler.report.page, "render_report", lambda _inputs: NOT_DRAWN):
                result = invoke(step)
        else:
            result = invoke(step)
        results.append((str(step[0]), SavedResult(exit_code=result.exit_code, stdout=result.stdout, stderr=result.stderr,
                                                  output=result.output)))  # fmt: skip
        if result.exit_code != 0:
            break
    return results


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, SavedResult]]]:
    """The stages run once for the session (one roster stage of the example week, ~3 s of CPU, for both tests below)."""
    return once_per_session(tmp_path_factory, "stages", run_stages)


def test_stages_reproduce_plan(example_plan: PlanRun, staged: tuple[Path, list[tuple[str, SavedResult]]]) -> None:
    assert example_plan.result.exit_code == 0, example_plan.result.output
    folder, results = staged
    assert [name for name, _result in results] == ["forecast", "staff", "roster", "export", "report"]
    for name, result in results:
        assert result.exit_code == 0, (name, result.output)

    planned, staged_files = snapshot(example_plan.out), snapshot(folder / "staged")
    assert planned is not None and staged_files is not None
    # Only `plan` proposes peak actions: they need the forecast, requirements and roster at once.
    plan_only = {"actions.csv"}
    assert sorted(staged_files) == sorted(set(planned) - plan_only)
    assert plan_only <= set(planned)
    # Each stage reads the previous stage's file, so `plan` must compute from the
    # values as written (rounded), not from the unrounded ones it holds in memory.
    # report.html differs on purpose: plan's adds the solver's figures and --generated-at.
    differing = [name for name in sorted(staged_files) if planned[name] != staged_files[name] and name != "report.html"]
    assert not differing


def test_stages_that_do_not_forecast_run_without_a_history_in_the_config(
    example_plan: PlanRun, staged: tuple[Path, list[tuple[str, SavedResult]]], tmp_path: Path
) -> None:
    """A lead with requirements from elsewhere needs no [inputs]; the commands that forecast still ask for it.

    The session's stage run (``staged``) ran staff and roster with the config without [inputs]."""
    folder, results = staged
    ran = dict(results)
    for name in ("staff", "roster"):
        assert name in ran and ran[name].exit_code == 0, (name, ran[name].output if name in ran else results)
    planned = example_plan.out
    for name in ("requirements.csv", "roster.csv"):
        assert (folder / "staged" / name).read_bytes() == (planned / name).read_bytes(), name
    config = without_inputs(tmp_path / "bare")
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
