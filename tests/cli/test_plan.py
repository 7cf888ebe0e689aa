"""`peakplan plan` end to end on the bundled example: files, feeds, CSV timestamps, determinism."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import re
import shutil
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest
from icalendar import Calendar

from cli_support import EXAMPLE, PlanRun, by_channel, demo_args, invoke, plan_args, snapshot, team_agent_ids
from scheduler.config import load_config
from scheduler.pipeline import run_plan
from scheduler.stage_files import read_requirements, read_roster
from scheduler.rostering import RosterResult, make_roster
from scheduler.rostering.checker import find_violations
from scheduler.rostering.previous import replanned_shifts
from scheduler.team import load_config_team

CSV_FILES = ("forecast.csv", "requirements.csv", "roster.csv")
TIME_COLUMNS = {"forecast.csv": ("ds",), "requirements.csv": ("ds",), "roster.csv": ("start", "end")}
MONDAY = dt.date(2026, 11, 23)  # WEEK
MOSCOW_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+03:00$")


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_plan_succeeds_and_writes_every_file(example_plan: PlanRun) -> None:
    result = example_plan.result
    assert result.exit_code == 0, result.output
    for name in CSV_FILES:
        assert (example_plan.out / name).is_file(), name
    feeds = sorted(path.name for path in (example_plan.out / "feeds").iterdir())
    expected = sorted(
        [f"{agent_id}.ics" for agent_id in team_agent_ids(EXAMPLE / "team.toml")] + ["team.ics", "index.html"]
    )
    assert feeds == expected


def test_plan_summary_names_team_and_understaffing(example_plan: PlanRun) -> None:
    assert example_plan.result.exit_code == 0
    assert "Cashback Support" in example_plan.result.stdout
    assert "understaffed" in example_plan.result.stdout
    assert "Traceback" not in example_plan.result.output
    # the solver line says how long the roster took and how soon a valid one existed
    text = " ".join(example_plan.result.stdout.split())  # the console wraps long lines
    solver = re.search(r"Solver: [^;]* ([0-9.]+) s \(a valid roster after ([0-9.]+) s\);", text)
    assert solver is not None, example_plan.result.stdout
    assert 0 < float(solver[2]) <= float(solver[1])


@pytest.mark.slow  # a week at the example's 5 s budget: 11.9 s of CPU on the loaded VM of session 17
def test_ten_agent_example_roster_is_near_optimal(tmp_path: Path) -> None:
    """Regression guard on the example as it was before issue 13 (ten agents, ``peak_weight = 2``, by channel),
    with the example's configured budget (as `make demo` runs it).

    A model change that made CP-SAT search worse once took this from 0.12% to
    17.9% with every other test green (they use a 1-second budget). Since live
    requirements are slots / concurrency (half agents on two-chat queues), CP-SAT's
    own bound is looser on this instance. Since the search keeps to its deterministic
    budget (it ran 3.5 times past it before, on 19 s of CPU): 10.1% measured at the
    example's budget, so the guard is 12%, still below such a regression. The
    example's own team is not a near-optimality case yet (docs/peak.md).
    """
    folder = tmp_path / "cashback"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(Path(__file__).parent / "data" / "ten_agents_team.toml", folder / "team.toml")
    config = folder / "peakplan.toml"
    text = by_channel(config.read_text(encoding="utf-8"))  # the ten agents' team plans by channel
    start = text.index("peak_weight = ")
    config.write_text(text[:start] + "peak_weight = 2\n" + text[text.index("fairness_weight", start):], encoding="utf-8")
    # The printed gap is the written roster's (lunches placed, queues in blocks) against a bound
    # valid for any lunch placement; CP-SAT's search is judged in its own model (issue 14).
    result = run_plan(load_config(config), dt.date(2026, 11, 23), 7)  # WEEK
    assert result.roster.hard_violations == ()
    assert result.roster.model_gap is not None and result.roster.model_gap < 0.12


def test_feeds_parse_and_follow_rfc5545_line_rules(example_plan: PlanRun) -> None:
    feeds = sorted((example_plan.out / "feeds").glob("*.ics"))
    assert feeds
    for path in feeds:
        data = path.read_bytes()
        assert data.endswith(b"\r\n"), path.name
        assert b"\n" not in data.replace(b"\r\n", b""), f"{path.name}: bare LF"
        assert b"\r" not in data.replace(b"\r\n", b""), f"{path.name}: bare CR"
        long_lines = [line for line in data.split(b"\r\n") if len(line) > 75]
        assert not long_lines, f"{path.name}: {len(long_lines)} line(s) over 75 octets, first {long_lines[0]!r}"
        calendar = Calendar.from_ical(data)
        assert calendar.name == "VCALENDAR", path.name


def test_agent_feeds_hold_that_agents_shifts(example_plan: PlanRun) -> None:
    rows = read_rows(example_plan.out / "roster.csv")
    shifts_by_agent: dict[str, set[str]] = {}
    for row in rows:
        shifts_by_agent.setdefault(row["agent_id"], set()).add(row["shift_id"])
    for agent_id, shift_ids in shifts_by_agent.items():
        calendar = Calendar.from_ical((example_plan.out / "feeds" / f"{agent_id}.ics").read_bytes())
        events = calendar.walk("VEVENT")
        assert len(events) == len(shift_ids), agent_id


def test_roster_agents_are_team_agents(example_plan: PlanRun) -> None:
    rows = read_rows(example_plan.out / "roster.csv")
    assert rows, "empty roster"
    assert {row["agent_id"] for row in rows} <= set(team_agent_ids(EXAMPLE / "team.toml"))


def test_csv_timestamps_carry_the_team_offset(example_plan: PlanRun) -> None:
    for name, columns in TIME_COLUMNS.items():
        rows = read_rows(example_plan.out / name)
        assert rows, name
        for column in columns:
            bad = [row[column] for row in rows if not MOSCOW_TIMESTAMP.match(row[column])]
            assert not bad, f"{name}.{column}: {bad[:3]}"


@pytest.mark.fresh_forecast  # the rerun forecasts again: determinism is the claim
def test_plan_is_byte_identical_when_run_again(example_plan: PlanRun, tmp_path: Path) -> None:
    assert example_plan.result.exit_code == 0
    again = tmp_path / "again"
    result = invoke(plan_args(EXAMPLE / "peakplan.toml", again))
    assert result.exit_code == 0, result.output
    first, second = snapshot(example_plan.out), snapshot(again)
    assert first is not None and second is not None
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert not differing


def test_forecast_works_on_a_short_history(small_example: Path, tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    result = invoke(["forecast", "--config", small_example, "--week", "2026-W48", "--out", out])
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert len(rows) == 7 * 48 * 7  # days x half-hours x queues (Moscow has no DST)
    volumes = [float(row["yhat"]) for row in rows]
    assert min(volumes) >= 0
    assert sum(volumes) > 0
    assert {row["queue"] for row in rows} == {"chat/ru", "chat/en", "chat/es+pt", "email/ru", "email/en", "email/es+pt", "social"}


def replan_after_a_day_off(published: PlanRun, tmp_path: Path, time_limit: float | None = None) -> tuple[str, pd.DataFrame, RosterResult]:
    """The example replanned over ``published``'s roster.csv after the first agent (by id) working
    Wednesday got Wednesday off; returns that agent, the published shifts and the new roster."""
    assert published.result.exit_code == 0, published.result.output
    folder = tmp_path / "cashback"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    first = read_roster(published.out / "roster.csv")
    shifts = first.groupby("shift_id").agg(agent_id=("agent_id", "first"), start=("start", "min"), end=("end", "max"))
    wednesday = shifts[shifts["start"].dt.tz_convert("Europe/Moscow").dt.date == dt.date(2026, 11, 25)]
    absent = sorted(wednesday["agent_id"])[0]
    team = folder / "team.toml"
    text = team.read_text(encoding="utf-8")
    team.write_text(text.replace(f'id = "{absent}"\n', f'id = "{absent}"\ntime_off = ["2026-11-25"]\n', 1), encoding="utf-8")
    config = load_config(folder / "peakplan.toml")
    if time_limit is not None:
        config = dataclasses.replace(config, roster=dataclasses.replace(config.roster, time_limit_seconds=time_limit))
    # The published run's requirements.csv: a day off changes the roster stage only.
    requirements = read_requirements(published.out / "requirements.csv")
    return absent, shifts, make_roster(config, load_config_team(config), requirements, MONDAY, 7, previous=first)


@pytest.mark.slow
def test_replanning_after_one_day_off_keeps_the_other_agents_shifts(demo_plan: PlanRun, tmp_path: Path) -> None:
    """Issue 14: regenerating over the published roster after one agent's day off moves at most
    5 of the other agents' shifts (each change costs roster.stability_weight), and keeps every
    hard rule at max_switches_per_shift = 1 (the activity stage mends a shift that cannot keep a
    queue minimum and the switch cap alone).

    The published roster is `make demo`'s (the session's demo_plan); the replan runs on 2 counted seconds,
    not the example's 5: over that roster it changes no other agent's day at 2 s as at 5 s, and with
    stability_weight 20, 50 or 0 instead of 200 it changes 109-110 at either budget (so the check fails as
    soon as stability stops counting); 1 s changed 4 (session 20: 6.1 -> 3.2 s of CPU for the replan)."""
    absent, shifts, again = replan_after_a_day_off(demo_plan, tmp_path, time_limit=2.0)
    assert again.hard_violations == ()
    before = {(row.agent_id, row.start, row.end) for row in shifts.itertuples() if row.agent_id != absent}
    after_shifts = again.roster.groupby("shift_id").agg(agent_id=("agent_id", "first"), start=("start", "min"), end=("end", "max"))
    after = {(row.agent_id, row.start, row.end) for row in after_shifts.itertuples() if row.agent_id != absent}
    changed_days = {(agent, start.tz_convert("Europe/Moscow").date()) for agent, start, _end in before ^ after}
    assert len(changed_days) <= 5, sorted(changed_days)
    # and the kept shifts keep their published blocks, breaks and lunch unless changing one pays more than
    # re-planning a kept shift costs (session 22: 82 before the activity stage priced it, then 2; since the
    # guide's own limit, 38a67f9, the polish moves 6 agents at 2 s and re-plans 14, of which 6 go back: 8)
    assert replanned_shifts(read_roster(demo_plan.out / "roster.csv"), again.roster) <= 10


def test_replanning_on_a_one_second_budget_keeps_every_hard_rule_and_the_kept_plans(example_plan: PlanRun, tmp_path: Path) -> None:
    # On a 1-second budget the activity stage once left a shift breaking the block and switch
    # rules where a queue minimum binds (plan warned); the mending keeps them (issue 14).
    _absent, _shifts, again = replan_after_a_day_off(example_plan, tmp_path, time_limit=1.0)
    assert again.hard_violations == ()
    # Issue 14, stable by default: the kept shifts keep their published plans unless changing one pays
    # more than a quarter of a changed shift (session 22: 12 of 108 change; 95 when the activity stage
    # planned them afresh, each a changed calendar event).
    assert replanned_shifts(read_roster(example_plan.out / "roster.csv"), again.roster) <= 15


@pytest.mark.parametrize("fixture", ["example_plan", "demo_plan"])
def test_the_example_roster_has_one_switch_per_shift_and_hour_blocks(fixture: str, request: pytest.FixtureRequest) -> None:
    """Issue 14's done-when: at most one switch per shift and no block under 60 minutes, checked by
    the independent checker from roster.csv alone, on the 1-second and `make demo`'s budget."""
    run: PlanRun = request.getfixturevalue(fixture)
    assert run.result.exit_code == 0, run.result.output
    config = load_config(EXAMPLE / "peakplan.toml")
    assert (config.roster.max_switches_per_shift, config.roster.min_block_minutes) == (1, 60)
    roster = read_roster(run.out / "roster.csv")
    assert find_violations(roster, load_config_team(config), config, MONDAY, 7) == []
    assert "hard rule" not in run.result.output  # no warning, printed or in --json


def shift_spans(path: Path) -> set[tuple[str, str, str]]:
    rows = read_rows(path)
    spans: dict[str, list[str]] = {}
    for row in rows:
        spans.setdefault(row["shift_id"], []).extend([row["start"], row["end"]])
    return {(shift_id, min(times), max(times)) for shift_id, times in spans.items()}


def test_rerun_into_the_same_folder_keeps_the_published_shifts(previous_run: Path, report_not_drawn: list) -> None:
    """Stable by default (issue 14): the roster.csv already in --out is the previous roster."""
    published = shift_spans(previous_run / "roster.csv")
    published_roster = read_roster(previous_run / "roster.csv")
    result = invoke(plan_args(EXAMPLE / "peakplan.toml", previous_run))
    assert result.exit_code == 0, result.output
    # Nothing changed in the inputs: not a shift moves, and a kept shift's queue blocks and breaks change only
    # where that pays more than a quarter of a changed shift. The 1-second roster is not the activity stage's
    # fixed point: starting from its plans, the stage re-plans 4 shifts for 20,200 less objective, 20,000
    # charged (session 22; make demo's budget writes every row again: the slow test below).
    rerun = read_roster(previous_run / "roster.csv")
    assert replanned_shifts(published_roster, rerun) <= 4
    assert f"Note: planning over the published roster {previous_run / 'roster.csv'} (--no-previous to ignore it)" in result.stderr
    assert shift_spans(previous_run / "roster.csv") == published
    # the report's "What changed" compares against the published roster
    (inputs,) = report_not_drawn
    assert inputs.previous is not None and inputs.previous.equals(published_roster)
    # Generated mid-week, the days already begun are kept as published (frozen at any budget: 0.1 s, ~1.5 s of CPU less).
    result = invoke(plan_args(EXAMPLE / "peakplan.toml", previous_run)[:-4] + ["--generated-at", "2026-11-25T12:00:00+03:00", "--time-limit", "0.1"])
    assert result.exit_code == 0, result.output
    assert "days up to 2026-11-25 kept as published" in result.stderr
    kept = {span for span in published if span[1] < "2026-11-26"}
    assert kept <= shift_spans(previous_run / "roster.csv")

def test_plan_records_versions_and_solver_settings(example_plan: PlanRun, understaffed_day: PlanRun) -> None:
    # Rosters are byte-identical only under the same versions and solver settings: the plan names them.
    report = (example_plan.out / "report.html").read_text(encoding="utf-8")
    assert "Versions and solver settings" in report
    assert f"OR-Tools {metadata.version('ortools')}" in report
    assert "of deterministic time" in report and "search workers" in report
    provenance = json.loads(understaffed_day.result.stdout)["provenance"]
    assert provenance["versions"]["OR-Tools"] == metadata.version("ortools")
    assert set(provenance["versions"]) == {"peakplan", "Python", "OR-Tools", "pandas", "numpy"}
    assert provenance["solver"]["time_limit"] == "deterministic"
    assert provenance["solver"]["num_workers"] >= 1 and provenance["solver"]["random_seed"] == 0


@pytest.mark.slow
def test_rerun_at_the_examples_own_budget_keeps_every_published_row(
    demo_plan: PlanRun, tmp_path: Path, report_not_drawn: list
) -> None:
    """`make demo` twice into one folder (issue 14, stable by default): each shift re-planned at the same times
    costs a quarter of a changed shift (roster.previous.REPLANNED_SHIFT_SHARE), so the published roster stands,
    row for row, and no subscribed calendar changes. (Session 21: the second run re-planned 86 of its 115 shifts
    for a roster a little better, which this charge kept out; session 22: the activity stage starts the kept
    shifts from their published plans and charges any other, and re-plans none.)"""
    out = tmp_path / "out"
    shutil.copytree(demo_plan.out, out)
    published = (out / "roster.csv").read_bytes()
    feeds = {path.name: path.read_bytes() for path in sorted((out / "feeds").glob("*.ics"))}
    result = invoke(demo_args(out))
    assert result.exit_code == 0, result.output
    assert (out / "roster.csv").read_bytes() == published
    assert {path.name: path.read_bytes() for path in sorted((out / "feeds").glob("*.ics"))} == feeds
