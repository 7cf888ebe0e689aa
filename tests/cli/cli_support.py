"""Helpers for the CLI tests: paths, the standard plan arguments, result checks."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from session_once import once_per_session
from typer.testing import CliRunner, Result

from scheduler.cli import app

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "cashback"
WEEK = "2026-W48"
GENERATED_AT = "2026-11-20T09:00:00+03:00"
# CP-SAT deterministic seconds: enough for a roster, small enough for the suite.
TIME_LIMIT = "1"
HISTORY_FROM = "2026-09-01"  # ISO strings with one offset sort like the instants they name

Snapshot = dict[str, bytes] | None
NOT_DRAWN = "<!doctype html><title>not drawn in this test session</title>\n"


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedResult:
    """What a test reads of a finished CLI run (a typer Result, kept as plain values)."""

    exit_code: int
    stdout: str
    stderr: str
    output: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanRun:
    out: Path
    result: Result | SavedResult


def run_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, args: Callable[[Path], Sequence[str]], *, draw_report: bool = True
) -> PlanRun:
    """``peakplan ARGS`` run once per test session, however many xdist workers ask for it.

    The output folder is ``<shared folder>/out``; tests must not change it (copy it first).
    ``args`` gets the output folder. ``draw_report=False``: a plan writes a one-line report.html
    instead of rendering it (~0.5 s of CPU: coverage, service, charts), for a run whose report no test reads.
    """

    def run(folder: Path) -> SavedResult:
        arguments = args(folder / "out")
        if draw_report:
            result = invoke(arguments)
        else:
            import scheduler.report.page  # here: the report's modules load only for the tests that plan

            with mock.patch.object(scheduler.report.page, "render_report", lambda _inputs: NOT_DRAWN):
                result = invoke(arguments)
        return SavedResult(exit_code=result.exit_code, stdout=result.stdout, stderr=result.stderr, output=result.output)

    folder, saved = once_per_session(tmp_path_factory, name, run)
    return PlanRun(out=folder / "out", result=saved)


def demo_args(out: Path, *extra: str) -> list[str]:
    """`make demo`'s plan (the example's own solver budget), with --json for the figures."""
    return [
        "plan", "--config", str(EXAMPLE / "peakplan.toml"), "--week", WEEK, "--out", str(out),
        "--generated-at", GENERATED_AT, "--json", *extra,
    ]  # fmt: skip


def invoke(args: Sequence[str]) -> Result:
    """Run ``peakplan ARGS`` in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(app, [str(arg) for arg in args])


def plan_args(config: Path, out: Path, *extra: str, week: str = WEEK) -> list[str]:
    return [
        "plan", "--config", str(config), "--week", week, "--out", str(out),
        "--generated-at", GENERATED_AT, "--time-limit", TIME_LIMIT, *extra,
    ]  # fmt: skip


def by_channel(config_text: str) -> str:
    """The example config without its ``[routing]`` section (queues are the channels, as before issue 15)."""
    start, end = config_text.index("\n[routing]\n"), config_text.index("\n[roster]\n")
    first, rest = config_text[end:].split("min_agents = ", 1)
    return config_text[:start] + first + "min_agents = { chat = 1 }" + rest[rest.index("\n") :]


def snapshot(folder: Path) -> Snapshot:
    """Every file under ``folder`` as bytes, keyed by relative path; None if the folder is absent."""
    if not folder.exists():
        return None
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


def team_agent_ids(team_file: Path) -> list[str]:
    return [agent["id"] for agent in tomllib.loads(team_file.read_text(encoding="utf-8"))["agents"]]


def assert_clean_error(result: Result, code: int, *fragments: str) -> str:
    """The command failed with ``code``, one 'Error: ...' line on stderr, nothing on stdout, no traceback.

    Returns the error line so a test can show or inspect it.
    """
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not a bug escaping the CLI
    assert "Traceback" not in result.output
    assert result.stdout == ""
    # warnings (a planned week in the past, ...) and notes (the published roster kept) come on their own
    # lines and never make a second error line
    lines = [line for line in result.stderr.splitlines() if not line.startswith(("Warning: ", "Note: "))]
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("Error: "), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line
