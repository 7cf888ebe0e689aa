"""Every command in the README's quick start works when pasted.

The quick start is what a newcomer copies first, so it is run here line by line,
in a copy of the checkout's examples, with `.venv/bin/peakplan` pointing at the
peakplan installed next to the interpreter running the tests. One line is `make
demo`'s plan, which the session already runs once (``demo_plan``, the same
arguments plus ``--json``): its outputs stand for that line's instead of a
second run of the example at its full budget. The starter project `init` writes
is planned at a 1 s budget instead of its own 5 s (the config is edited after
`init`; the commands are run as written).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import GENERATED_AT, WEEK, PlanRun

ROOT = Path(__file__).resolve().parents[2]
STARTER_TIME_LIMIT = "1"
DEMO_PLAN = (
    f".venv/bin/peakplan plan --config examples/cashback/peakplan.toml --week {WEEK} --out out --generated-at {GENERATED_AT}"
)


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "the README's quick start has no sh block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_quick_start_uses_the_installed_tool_not_a_bare_name() -> None:
    # After `make demo` nothing puts peakplan on PATH, so a bare `peakplan` would fail when pasted.
    for command in quick_start_commands():
        assert not command.startswith("peakplan "), command


def test_the_quick_start_plans_what_make_demo_plans() -> None:
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    make_demo = " ".join(recipe.replace("\\\n", " ").split()[2:])  # after the stamp and $(BIN)/peakplan
    expanded = make_demo.replace("$(EXAMPLE)", "examples/cashback").replace("$(WEEK)", WEEK).replace("$(OUT)", "out")
    assert DEMO_PLAN == ".venv/bin/peakplan " + expanded
    assert DEMO_PLAN in quick_start_commands()


@pytest.mark.slow
def test_every_quick_start_command_runs(tmp_path: Path, demo_plan: PlanRun) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / ".venv").symlink_to(Path(sys.prefix) if _is_venv() else _shim(tmp_path))
    environment = {**os.environ, "NO_COLOR": "1"}
    for command in quick_start_commands():
        if command == DEMO_PLAN:
            assert demo_plan.result.exit_code in (0, 5), demo_plan.result.output
            shutil.copytree(demo_plan.out, tmp_path / "out")
            continue
        done = subprocess.run(command, shell=True, cwd=tmp_path, env=environment, capture_output=True, text=True)
        # 5 = planned but understaffed beyond the configured share: the plan was written.
        assert done.returncode in (0, 5), f"{command}\nexit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        if command.startswith(".venv/bin/peakplan init "):
            # The starter's 5 s budget on both cores is 10 s of the suite's CPU; test_init plans it at 1 s too.
            _set_time_limit(tmp_path / command.split()[2] / "peakplan.toml", STARTER_TIME_LIMIT)
    assert (tmp_path / "out" / "roster.csv").is_file()
    assert (tmp_path / "my-team" / "out" / "roster.csv").is_file()


def _set_time_limit(config: Path, seconds: str) -> None:
    text = config.read_text(encoding="utf-8")
    assert text.count("\ntime_limit_seconds = ") == 1, "the starter config names its solver budget once"
    config.write_text(re.sub(r"\ntime_limit_seconds = [0-9.]+", f"\ntime_limit_seconds = {seconds}", text), encoding="utf-8")


def _is_venv() -> bool:
    return (Path(sys.prefix) / "bin" / "peakplan").exists()


def _shim(tmp_path: Path) -> Path:
    """A stand-in .venv whose bin/peakplan runs this interpreter's peakplan (tests outside a venv)."""
    folder = tmp_path / "shim-venv"
    (folder / "bin").mkdir(parents=True)
    script = folder / "bin" / "peakplan"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m scheduler.cli "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return folder
