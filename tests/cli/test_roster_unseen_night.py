"""A team open around the clock in New York, planned over the night the clocks go back (helper "check", session 13).

The config names no history (the stage commands run from a requirements
file), the 25-hour day leaves 05:00-06:00 out of reach of every shift, and
both `validate --requirements` and `roster` say so at once, naming the day.
With a start at 05:00 it is rostered, and `roster --json` gives the figures
of the roster written: its objective is the one recomputed from the file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from cli_support import assert_clean_error, invoke

from scheduler.config import load_config
from scheduler.rostering.checker import find_violations
from scheduler.rostering.score import score_roster
from scheduler.stage_files import read_requirements, read_roster
from scheduler.team import load_config_team

INFEASIBLE = 4
START = dt.date(2026, 10, 31)
CONFIG = """\
[team]
name = "Night desk"
timezone = "America/New_York"
file = "team.toml"

[forecast]
interval_minutes = 30

[channels.voice]
model = "erlang_c"
aht_seconds = 300
open = "00:00-24:00"

[roster]
min_agents = { voice = 1 }

[[roster.shifts]]
name = "eight"
hours = 8
starts = ["06:00", "14:00", "22:00"]
"""
TEAM = """\
[[contracts]]
name = "any"
min_hours_per_week = 0
max_hours_per_week = 48
max_shifts_per_week = 6
""" + "".join(
    f'\n[[agents]]\nid = "a{n}"\nname = "A{n}"\nemail = "a{n}@example.org"\ncontract = "any"\nchannels = ["voice"]\n'
    for n in range(6)
)


def write_team(folder: Path, starts: str = '"06:00", "14:00", "22:00"') -> Path:
    (folder / "peakplan.toml").write_text(CONFIG.replace('"06:00", "14:00", "22:00"', starts), encoding="utf-8")
    (folder / "team.toml").write_text(TEAM, encoding="utf-8")
    grid = pd.date_range("2026-10-31T04:00Z", "2026-11-02T05:00Z", freq="30min", inclusive="left")
    frame = pd.DataFrame({"ds": grid.tz_convert("America/New_York"), "queue": "voice", "agents_required": 0.5})
    frame["ds"] = frame["ds"].map(lambda stamp: stamp.isoformat())
    frame.to_csv(folder / "requirements.csv", index=False)
    return folder / "peakplan.toml"


def test_validate_and_roster_name_the_hour_no_shift_reaches(tmp_path: Path) -> None:
    config = write_team(tmp_path)
    horizon = ["--requirements", tmp_path / "requirements.csv", "--start", "2026-10-31", "--days", "2"]
    expected = ("no agent can work voice at 2026-11-01 05:00 (2 such intervals)", "2026-11-01 has 25 hours")
    checked = invoke(["validate", "--config", config, *horizon, "--json"])
    assert checked.exit_code == INFEASIBLE, checked.output
    assert all(text in checked.stdout for text in expected)
    assert '"skipped"' in checked.stdout  # no history, none needed
    result = invoke(["roster", "--config", config, *horizon, "--out", tmp_path / "roster.csv"])
    assert_clean_error(result, INFEASIBLE, *expected)
    assert not (tmp_path / "roster.csv").exists()


def test_a_start_reaching_the_extra_hour_is_rostered_and_its_json_figures_are_the_file_s(tmp_path: Path) -> None:
    config = write_team(tmp_path, starts='"05:00", "06:00", "14:00", "22:00"')
    out = tmp_path / "roster.csv"
    args = ["--requirements", tmp_path / "requirements.csv", "--start", "2026-10-31", "--days", "2"]
    result = invoke(["roster", "--config", config, *args, "--out", out, "--time-limit", "0.3", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    settings = load_config(config)
    team = load_config_team(settings)
    roster = read_roster(out)
    written = score_roster(roster, team, settings, read_requirements(tmp_path / "requirements.csv"), START, 2)
    assert figures["solver"]["objective"] == written.objective
    assert figures["blocks"]["shifts"] == written.shifts
    assert figures["hard_violations"] == [] == find_violations(roster, team, settings, START, 2)
    assert set(figures["seconds"]) == {"budget", "wall", "first_roster"}
    night = roster[roster["shift_id"].str.endswith("2026-10-31-2200")]
    assert (night["end"].max() - night["start"].min()) == pd.Timedelta(hours=8)  # 22:00 EDT to 05:00 EST
