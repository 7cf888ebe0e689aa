"""What a forced change re-plans: the example published, one agent's day off, planned again over it.

``python -m benchmarks.roster_replan [--publish SECONDS] [--replan SECONDS]`` runs ``peakplan plan`` on
``examples/cashback`` (week 2026-W48) into a fresh folder, gives the first agent working Wednesday
2026-11-25 that day off in ``team.toml`` and plans again into the same folder (which takes the published
``roster.csv`` as the previous roster). It prints the other agents' shifts moved (agent-days), the kept
shifts re-planned (same times, other rows: other queue blocks, breaks or lunch), the calendar events added,
removed and changed (per UID in ``feeds/<agent>.ics``, DTSTAMP, SEQUENCE and LAST-MODIFIED left out) and
both objectives. Without ``--publish``/``--replan``: the example's own budget. Issue 14 item 4,
docs/roster-history.md "Kept shifts keep their plans (session 22)"; a minute or so.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.rostering.previous import replanned_shifts
from scheduler.stage_files import read_roster

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cashback"
WEEK, GENERATED_AT, DAY_OFF, TIMEZONE = "2026-W48", "2026-11-20T09:00:00+03:00", "2026-11-25", "Europe/Moscow"
STAMPS = re.compile(r"^(DTSTAMP|SEQUENCE|LAST-MODIFIED)[:;].*\r?\n", re.M)


def plan(config: Path, out: Path, seconds: float | None) -> float:
    """``peakplan plan --json`` into ``out``; returns the roster's objective."""
    args = ["plan", "--config", str(config), "--week", WEEK, "--out", str(out), "--generated-at", GENERATED_AT]
    args += ["--json"] + ([] if seconds is None else ["--time-limit", str(seconds)])
    result = CliRunner().invoke(app, args)
    if result.exit_code not in (0, 5):
        raise SystemExit(f"plan failed ({result.exit_code}): {result.output}")
    return float(json.loads(result.stdout)["solver"]["objective"])


def spans(roster: pd.DataFrame) -> set[tuple[str, pd.Timestamp, pd.Timestamp]]:
    shifts = roster.groupby("shift_id").agg(agent_id=("agent_id", "first"), start=("start", "min"), end=("end", "max"))
    return {(row.agent_id, row.start, row.end) for row in shifts.itertuples()}


def events(folder: Path) -> dict[tuple[str, str], str]:
    """Every agent feed's VEVENTs by (feed, UID), without the lines a re-export always changes."""
    found = {}
    for path in sorted(folder.glob("*.ics")):
        if path.name == "team.ics":
            continue
        for body in re.findall(r"BEGIN:VEVENT\r?\n(.*?)END:VEVENT", path.read_text(encoding="utf-8"), re.S):
            uid = re.search(r"^UID:(.*)$", body, re.M)
            found[path.name, uid.group(1).strip() if uid else ""] = STAMPS.sub("", body)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publish", type=float, default=None, help="budget of the published plan (s)")
    parser.add_argument("--replan", type=float, default=None, help="budget of the plan after the day off (s)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder, out = Path(temporary) / "cashback", Path(temporary) / "out"
        shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
        published_objective = plan(folder / "peakplan.toml", out, options.publish)
        published = read_roster(out / "roster.csv")
        before_events = events(out / "feeds")
        starts = published.groupby("shift_id").agg(agent_id=("agent_id", "first"), start=("start", "min"))
        wednesday = starts[starts["start"].dt.tz_convert(TIMEZONE).dt.date.astype(str) == DAY_OFF]
        absent = sorted(wednesday["agent_id"])[0]
        team = folder / "team.toml"
        text = team.read_text(encoding="utf-8")
        team.write_text(
            text.replace(f'id = "{absent}"\n', f'id = "{absent}"\ntime_off = ["{DAY_OFF}"]\n', 1), encoding="utf-8"
        )
        replanned_objective = plan(folder / "peakplan.toml", out, options.replan)
        again = read_roster(out / "roster.csv")
        after_events = events(out / "feeds")
    before = {span for span in spans(published) if span[0] != absent}
    after = {span for span in spans(again) if span[0] != absent}
    moved = {(agent, start.tz_convert(TIMEZONE).date()) for agent, start, _end in before ^ after}
    others = published[published["agent_id"] != absent]
    changed = sum(1 for key in before_events.keys() & after_events.keys() if before_events[key] != after_events[key])
    print(
        f"budgets: published {options.publish or 'own'} s, replanned {options.replan or 'own'} s; {absent} off {DAY_OFF}"
    )
    print(f"other agents' shifts: {len(before)}, moved (agent-days) {len(moved)}, kept {len(before & after)}")
    print(f"kept shifts re-planned: {replanned_shifts(others, again[again['agent_id'] != absent])}")
    print(
        f"events: added {len(after_events.keys() - before_events.keys())}, "
        f"removed {len(before_events.keys() - after_events.keys())}, changed {changed}"
    )
    print(f"objective: published {published_objective:,.0f}, replanned {replanned_objective:,.0f}")


if __name__ == "__main__":
    main()
