"""Set-ups the roster's unit tests share: a small seeded problem and a day's relaxation stub."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools

import numpy as np
import pytest

from benchmarks.roster_instances import make_instance
from scheduler.rostering import solve
from scheduler.rostering.activities import plan_activities
from scheduler.rostering.bound import Proven, lower_bound
from scheduler.rostering.dayprogram import DayChoices
from scheduler.rostering.days import Relaxed
from scheduler.rostering.extract import roster_rows
from scheduler.rostering.previous import apply_previous
from scheduler.rostering.problem import RosterProblem, build_problem
from scheduler.rostering.score import score_roster
from scheduler.rostering.solve import solve_problem
from tests.session_once import once_per_session


def small_problem(seed: int):  # noqa: ANN201
    """A 14-agent week of the benchmark's generator: (config, team, requirements, start, days, problem)."""
    config, team, requirements, start, days = make_instance(14, weeks=1, seed=seed, time_limit_seconds=2.0)
    return (
        config,
        team,
        requirements,
        start,
        days,
        apply_previous(build_problem(config, team, requirements, start, days), None, None),
    )


def two_weeks_inputs():  # noqa: ANN201
    """Thursday to the next Wednesday (two ISO weeks) of a 14-agent team, shifts starting every two hours
    (small LPs): ``(config, team, requirements, start, days)``. The bound and guide tests' problem."""
    config, team, requirements, start, _days = make_instance(14, weeks=2, seed=2, time_limit_seconds=1.0)
    shifts = tuple(
        dataclasses.replace(template, starts=tuple(sorted({*template.starts[::4], template.starts[-1]})))
        for template in config.roster.shifts
    )
    config = dataclasses.replace(config, roster=dataclasses.replace(config.roster, shifts=shifts))
    return config, team, requirements, start + dt.timedelta(days=3), 7


def two_weeks_bound(tmp_path_factory: pytest.TempPathFactory, problem: RosterProblem) -> Proven:
    """``lower_bound(problem, 1.0)`` of the two-week problem, computed once per session (both the bound and
    the guide tests compare against it, and work stealing may put them on both xdist workers)."""
    return once_per_session(tmp_path_factory, "roster-weeks-bound", lambda _folder: lower_bound(problem, 1.0))[1]


@functools.cache
def written_week(seed: int):  # noqa: ANN201
    """A 14-agent week through the shift and activity stages (the large-team path), as the days stage finds it.

    Cached here, in a module every test file imports under one name (a test file imported by another is a
    second module, with a cache of its own): the days, day-mending and day-program tests share one per worker.
    Callers must not change what it returns.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(solve, "DIRECT_MAX_AGENT_DAYS", 0)
        config, team, requirements, start, days = make_instance(14, weeks=1, seed=seed, time_limit_seconds=2.0)
        problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
        solution = solve_problem(problem, time_limit=0.5)
        activities = plan_activities(problem, solution.chosen, solution.lunch, solution.serve, 0.5)
    return config, team, requirements, start, days, problem, solution.chosen, activities.plans


@functools.cache
def written_objective(seed: int) -> float:
    """``written_week(seed)``'s roster as written, scored: the objective the day tests start from (one score per worker)."""
    config, team, requirements, start, days, problem, _chosen, plans = written_week(seed)
    return score_roster(roster_rows(problem, plans), team, config, requirements, start, days).objective


@functools.cache
def _solved_small(seed: int):  # noqa: ANN202
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(solve, "DIRECT_MAX_AGENT_DAYS", 0)
        instance = small_problem(seed)
        problem = instance[-1]
        solution = solve_problem(problem, time_limit=1.0)
        activities = plan_activities(problem, solution.chosen, solution.lunch, solution.serve, 1.0)
    return instance, solution, activities


def solved_small(seed: int):  # noqa: ANN201
    """``small_problem(seed)`` through the large-team path's shift stage and activity stage (1 s each), as the
    polish and the whole-day replanning find it: ``(instance, solution, activities)``.

    Solved once per worker (the polish and day-plan tests each solved it again); the solution and the
    activities are deep copies per call, since the polish changes the agents' models (a copy's polish moves
    are those of a fresh solve's, checked on seeds 2 and 3).
    """
    instance, solution, activities = _solved_small(seed)
    return instance, copy.deepcopy(solution), copy.deepcopy(activities)


def relaxed_day(day: int, promise: float) -> Relaxed:
    """A relaxed day that promises ``promise`` and holds nothing else: what the move schedule reads."""
    return Relaxed(
        day=day,
        before=int(promise),
        bound=0.0,
        current={},
        choices=DayChoices(offered={}, hours={}, keyed={}, base=np.zeros((1, 1)), reach=np.zeros(1, dtype=bool)),
        written={},
        x={},
        z={},
    )
