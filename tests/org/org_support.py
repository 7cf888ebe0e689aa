"""Shared by the org tests: the example org, a short horizon and a small solver budget."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from scheduler.org import OrgRun

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_ORG = REPO / "examples" / "org"
# Two days from Black Friday with a small CP-SAT budget: a real roster per team, fast enough for the suite.
START = dt.date(2026, 11, 27)
DAYS = 2
TIME_LIMIT = 0.2
GENERATED_AT = dt.datetime.fromisoformat("2026-11-20T09:00:00+00:00")


def org_run(out: Path) -> OrgRun:
    """The org plan the tests run: the short horizon and small budget above, into ``out``."""
    return OrgRun(start=START, days=DAYS, out=out, generated_at=GENERATED_AT, time_limit_seconds=TIME_LIMIT)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, as bytes."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def org_with_broken_team(folder: Path) -> Path:
    """A copy of the example org plus a team ``broken`` whose history file does not exist; returns org.toml."""
    shutil.copytree(EXAMPLE_ORG, folder, ignore=shutil.ignore_patterns("__pycache__", "generate_history.py"))
    broken = folder / "broken"
    shutil.copytree(folder / "apac", broken)
    (broken / "history.csv").unlink()
    org = folder / "org.toml"
    org.write_text(org.read_text(encoding="utf-8").replace(
        'apac = "apac/peakplan.toml"', 'apac = "apac/peakplan.toml"\nbroken = "broken/peakplan.toml"'
    ), encoding="utf-8")  # fmt: skip
    return org
