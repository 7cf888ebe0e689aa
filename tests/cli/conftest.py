"""Shared fixtures for the CLI tests: the example plan (run once), small example copies, result checks.

The full example plan is the slow part (the CP-SAT solve), so it runs once per
session into a temporary folder and every test that needs a good previous run
reuses or copies its outputs. Tests that only need the pipeline to start use a
copy of the example whose history is cut to the last ~12 weeks.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cli_support import EXAMPLE, HISTORY_FROM, WEEK, PlanRun, demo_args, invoke, plan_args, run_once, team_agent_ids


_FORECASTS: dict[str, Any] = {}  # one worker's forecasts, by a hash of their pickled arguments
_memo_on = False  # while a CLI test not marked fresh_forecast runs (set up and teardown included)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    global _memo_on
    _memo_on = item.get_closest_marker("fresh_forecast") is None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    global _memo_on
    _memo_on = False  # the tests of other folders (org, browser) run after on this worker forecast as written


@pytest.fixture(scope="session", autouse=True)
def one_forecast_per_input() -> Iterator[dict[str, Any]]:
    """The plans of the CLI tests forecast each set of inputs once per worker (session 24).

    Eight plans of the example week (a rerun, a budget, a what-if) handed the forecast the same history,
    events, week and options: the same forecast, ~1 s of CPU each. ``scheduler.pipeline.forecast`` (the
    only forecast the commands call, through ``run_forecast``) is wrapped: arguments seen before, whose
    pickled bytes hash alike, get a deep copy of the result computed the first time; the commands run as
    written around it. Tests whose claim is that a run gives the same bytes again (`plan` run twice, the
    stages against `plan`) are marked ``fresh_forecast`` and forecast again: they keep the forecast's
    determinism checked. A worker's first plan of each set of inputs forecasts as before.
    """
    import scheduler.pipeline  # here: loaded by the CLI tests anyway, not by the collection of others

    real = scheduler.pipeline.forecast

    def memo(*args: Any, **kwargs: Any) -> Any:
        if not _memo_on:
            return real(*args, **kwargs)
        key = hashlib.sha256(pickle.dumps((args, sorted(kwargs.items())), protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
        if key not in _FORECASTS:
            _FORECASTS[key] = real(*args, **kwargs)
        return copy.deepcopy(_FORECASTS[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scheduler.pipeline, "forecast", memo)
        yield _FORECASTS


@pytest.fixture(scope="session")
def truncated_history() -> str:
    """The example ticket history from HISTORY_FROM on (header kept), as text."""
    lines = (EXAMPLE / "history" / "tickets.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    column = lines[0].rstrip("\n").split(",").index("created_at")
    kept = [line for line in lines[1:] if line.split(",")[column] >= HISTORY_FROM]
    return lines[0] + "".join(kept)


@pytest.fixture
def small_example(tmp_path: Path, truncated_history: str) -> Path:
    """A private copy of the example folder with a short history; returns its config path."""
    folder = tmp_path / "cashback"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("history", "__pycache__"))
    (folder / "history").mkdir()
    (folder / "history" / "tickets.csv").write_text(truncated_history, encoding="utf-8")
    return folder / "peakplan.toml"


@pytest.fixture(scope="session")
def example_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanRun:
    """`peakplan plan` on the bundled example (solver budget TIME_LIMIT), run once for the whole
    session and shared by the xdist workers. Read-only: copy the folder to change it."""
    return run_once(tmp_path_factory, "example_plan", lambda out: plan_args(EXAMPLE / "peakplan.toml", out))


@pytest.fixture(scope="session")
def demo_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanRun:
    """`make demo`'s plan (the example's own solver budget) with --json, run once per session."""
    return run_once(tmp_path_factory, "demo_plan", demo_args)


@pytest.fixture
def previous_run(tmp_path: Path, example_plan: PlanRun) -> Path:
    """An output folder holding a good earlier run (a copy of the example plan's outputs)."""
    assert example_plan.result.exit_code == 0, example_plan.result.output
    out = tmp_path / "previous"
    shutil.copytree(example_plan.out, out)
    return out


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    """Replace one exact occurrence of ``old`` by ``new`` in a file; fail if it is not there once."""

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return replace


@pytest.fixture(scope="session")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`peakplan init` for WEEK into a temporary folder, run once; returns the folder."""
    folder = tmp_path_factory.mktemp("starter") / "team"
    result = invoke(["init", folder, "--week", WEEK])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="session")
def starter_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanRun:
    """`peakplan init` for WEEK, then `plan --json` of the starter at the 1 s budget, run once per session.

    test_init checks it; the README quick start's plan of the starter stands on it. Its report is
    not drawn (report.html is one line): no test reads it, and the starter's report for the same
    week is drawn by the weekly script's plan (tests/cli/test_workflow.py).
    """

    def args(out: Path) -> list[str]:
        folder = out.parent / "team"
        result = invoke(["init", folder, "--week", WEEK, "--quiet"])
        assert result.exit_code == 0, result.output
        return plan_args(folder / "peakplan.toml", out, "--json")

    return run_once(tmp_path_factory, "starter_plan", args, draw_report=False)


@pytest.fixture(scope="session")
def understaffed_day(tmp_path_factory: pytest.TempPathFactory) -> PlanRun:
    """A one-day `plan --json` of the example on Black Friday with `[report] max_understaffed_share = 0.01`: exit 5.

    The whole team covers that day within a fraction of a percent, so the copy gives every third
    agent the day off (time off, as a lead would record sickness): the rest cannot cover it.
    (tests/cli/test_workflow.py covers the --max-understaffed-share option.) Its report is not drawn
    (report.html is one line): the tests read its exit code, JSON and files, not the report's content, and
    `make test`'s wheel smoke draws the report of the same day (Black Friday, 1 s) from the installed wheel.
    """

    def args(out: Path) -> list[str]:
        folder = out.parent / "cashback"
        shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
        config = folder / "peakplan.toml"
        config.write_text(config.read_text(encoding="utf-8") + "\n[report]\nmax_understaffed_share = 0.01\n", encoding="utf-8")
        team = folder / "team.toml"
        text = team.read_text(encoding="utf-8")
        for agent_id in team_agent_ids(team)[::3]:
            text = text.replace(f'id = "{agent_id}"\n', f'id = "{agent_id}"\ntime_off = ["2026-11-27"]\n', 1)
        team.write_text(text, encoding="utf-8")
        arguments = plan_args(config, out, "--json")
        week_at = arguments.index("--week")
        arguments[week_at : week_at + 2] = ["--start", "2026-11-27", "--days", "1"]
        return arguments

    return run_once(tmp_path_factory, "understaffed_day", args, draw_report=False)

