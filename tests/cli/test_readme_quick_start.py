"""Every command in the README's quick start works when pasted.

The quick start is what a newcomer copies first, so it is run here line by line,
in a copy of the checkout's examples, with `.venv/bin/peakplan` pointing at the
peakplan installed next to the interpreter running the tests. Two lines are plans
the session already runs once, and their outputs stand for those lines' instead of
a second run in a fresh process (~5 s of CPU each at the least): `make demo`'s plan
(``demo_plan``, the same arguments plus ``--json``) and the plan of the starter
project `init` writes (``starter_plan``: the same `init` and week, at a 1 s budget
instead of the starter's own 5 s, plus ``--generated-at`` and ``--json``). Every
other line runs as written.
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
DEMO_PLAN = (
    f".venv/bin/peakplan plan --config examples/cashback/peakplan.toml --week {WEEK} --out out --generated-at {GENERATED_AT}"
)
STARTER_INIT = f".venv/bin/peakplan init my-team --week {WEEK}"
STARTER_PLAN = f".venv/bin/peakplan plan --config my-team/peakplan.toml --week {WEEK} --out my-team/out"


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


def test_the_quick_start_plans_the_starter_it_inits() -> None:
    commands = quick_start_commands()
    assert STARTER_INIT in commands and STARTER_PLAN in commands
    assert commands.index(STARTER_INIT) < commands.index(STARTER_PLAN)


@pytest.mark.slow
def test_every_quick_start_command_runs(tmp_path: Path, demo_plan: PlanRun, starter_plan: PlanRun) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / ".venv").symlink_to(Path(sys.prefix) if _is_venv() else _shim(tmp_path))
    environment = {**os.environ, "NO_COLOR": "1"}
    planned = {DEMO_PLAN: (demo_plan, tmp_path / "out"), STARTER_PLAN: (starter_plan, tmp_path / "my-team" / "out")}
    for command in quick_start_commands():
        if command in planned:
            run, out = planned[command]
            assert run.result.exit_code in (0, 5), run.result.output
            shutil.copytree(run.out, out)
            continue
        done = subprocess.run(command, shell=True, cwd=tmp_path, env=environment, capture_output=True, text=True)
        # 5 = planned but understaffed beyond the configured share: the plan was written.
        assert done.returncode in (0, 5), f"{command}\nexit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert (tmp_path / "out" / "roster.csv").is_file()
    assert (tmp_path / "my-team" / "out" / "roster.csv").is_file()


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
