"""Whole days re-chosen for agents with preferences and days off in blocks of two (``days.DayMoves``)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from benchmarks.roster_instances import make_instance
from scheduler.rostering import solve
from scheduler.rostering.activities import plan_activities
from scheduler.rostering.checker import find_violations
from scheduler.rostering.days import DayMoves
from scheduler.rostering.extract import roster_rows
from scheduler.rostering.previous import apply_previous
from scheduler.rostering.problem import build_problem
from scheduler.rostering.score import score_roster
from scheduler.rostering.solve import solve_problem
from scheduler.team import Preference


def _instance():  # noqa: ANN202
    """A 14-agent week, days off in blocks of two, every third agent avoiding early shifts, every fourth preferring Friday."""
    config, team, requirements, start, days = make_instance(14, weeks=1, seed=2, time_limit_seconds=2.0)
    config = dataclasses.replace(config, roster=dataclasses.replace(config.roster, min_consecutive_days_off=2))
    agents = []
    for index, agent in enumerate(team.agents):
        wishes: tuple[Preference, ...] = ()
        if index % 3 == 0:
            wishes += (Preference(kind="avoid", weight=3, start_to=dt.time(8, 0)),)
        if index % 4 == 0:
            wishes += (Preference(kind="prefer", weight=2, weekdays=(4,)),)
        agents.append(dataclasses.replace(agent, preferences=wishes))
    team = dataclasses.replace(team, agents=tuple(agents))
    return config, team, requirements, start, days


def test_days_re_chosen_with_preferences_and_blocks_of_days_off_keep_every_rule_and_never_do_worse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(solve, "DIRECT_MAX_AGENT_DAYS", 0)  # the large-team path: the descent's roster
    config, team, requirements, start, days = _instance()
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    solution = solve_problem(problem, time_limit=1.0)
    activities = plan_activities(problem, solution.chosen, solution.lunch, solution.serve, 1.0)
    moves = DayMoves(problem, solution.chosen, activities.plans)
    assert not moves.kept  # no agent here has a secondary skill, a fixed day or a previous roster
    before = score_roster(roster_rows(problem, moves.plans), team, config, requirements, start, days).objective
    replaced = [moves.improve(d) for d in range(days)]
    frame = roster_rows(problem, moves.plans)
    assert find_violations(frame, team, config, start, days) == []
    assert score_roster(frame, team, config, requirements, start, days).objective <= before
    assert any(replaced)  # the days did change something (the test is not vacuous)


def test_a_day_worked_or_rested_must_leave_days_off_in_blocks_of_two() -> None:
    config, team, requirements, start, days = _instance()
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    moves = DayMoves(problem, [], {})
    a = 0
    moves.shift_on = {(a, d): -1 for d in (0, 1, 2, 6)}  # worked Monday-Wednesday and Sunday; the option is not read
    assert not moves._days_off_hold(a, 4, working=True)  # Thursday alone off
    assert moves._days_off_hold(a, 4, working=False)  # Thursday-Saturday off
    assert moves._days_off_hold(a, 3, working=True)  # Friday-Saturday off
    moves.shift_on = {(a, d): -1 for d in (0, 1, 4, 5, 6)}  # Wednesday and Thursday off
    assert not moves._days_off_hold(a, 2, working=True)  # working Wednesday leaves Thursday alone
    assert moves._days_off_hold(a, 4, working=False)  # resting Friday too: a block of three
