"""The command line starts without its heavy libraries (issue 11), and `--version` / `python -m peakplan` work.

Not a timing test: benchmarks/cli_startup.py measures the CPU seconds. This one
checks what makes them small, in a fresh interpreter: which modules `--help`,
`--version`, `validate --help` and the Erlang calculator import (``python -X
importtime`` lists every module a process loads).
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from cli_support import REPO, invoke

# Loaded only by the commands that forecast, staff, solve, draw or write calendars.
HEAVY = ("pandas", "pyarrow", "ortools", "icalendar", "holidays", "scipy", "dateutil")
ERLANG = ("erlang", "--volume", "200", "--interval-minutes", "60", "--aht", "180", "--target-seconds", "20")


def imported_modules(*args: str, extra_path: Path | None = None) -> set[str]:
    """Top-level names of every module a fresh ``python -m scheduler.cli ARGS`` imports."""
    paths = [str(REPO)] + ([str(extra_path)] if extra_path else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scheduler.cli", *args],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    names = set()
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "scheduler" in names  # the listing was read
    return names


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("validate", "--help"), ("plan", "--help")])
def test_help_and_version_load_no_heavy_library(args: tuple[str, ...]) -> None:
    loaded = imported_modules(*args)
    assert not loaded & {*HEAVY, "numpy"}, sorted(loaded & {*HEAVY, "numpy"})


def test_erlang_calculator_needs_numpy_only() -> None:
    loaded = imported_modules(*ERLANG)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_version_names_peakplan_python_and_the_libraries() -> None:
    result = invoke(["--version"])
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()
    assert first == f"peakplan {metadata.version('peakplan')}"
    assert f"OR-Tools {metadata.version('ortools')}" in second
    assert f"pandas {metadata.version('pandas')}" in second
    assert f"numpy {metadata.version('numpy')}" in second
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}." in second


def test_python_dash_m_peakplan_runs_the_cli() -> None:
    # The package as pyproject installs it under the top-level name `peakplan`
    # (an installed wheel is checked by .ci/wheel-smoke).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "scheduler" / "entry")])}
    run = subprocess.run([sys.executable, "-m", "peakplan", "--help"], cwd=REPO, env=env, capture_output=True,
                         text=True, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "forecast -> staffing -> roster" in run.stdout


def test_publish_help_default_is_the_library_default() -> None:
    # Written out in the CLI so that its start-up does not import calendars.publish (pandas).
    from calendars.publish import DEFAULT_PATH_TEMPLATE
    from scheduler.cli.publish import PATH_TEMPLATE

    assert PATH_TEMPLATE == DEFAULT_PATH_TEMPLATE
