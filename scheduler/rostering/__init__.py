"""Named-agent rosters with OR-Tools CP-SAT.

Modules, in the order a roster is made:

- :mod:`.problem` – agents, concrete shift options and demand, index-addressable
- :mod:`.previous` – stability against a published roster, frozen days
- :mod:`.model` – the per-agent model: one ``add_<rule>`` per labour rule, soft terms
- :mod:`.aggregate` – the relaxations over shift counts per class: the lower bound
- :mod:`.descent` – agent-by-agent descent: the roster for large teams
- :mod:`.sat` – CP-SAT solvers run reproducibly (seed, deterministic time)
- :mod:`.solve` – bound, then direct search or descent scored by the full model; infeasibility explained per agent
- :mod:`.breaks` – lunch placement and short breaks
- :mod:`.extract` – roster rows
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from scheduler.config import Config
from scheduler.coverage import scheduled_agents
from scheduler.rostering.breaks import place_lunches
from scheduler.rostering.extract import ACTIVITIES, ROSTER_COLUMNS, roster_rows
from scheduler.rostering.previous import apply_previous
from scheduler.rostering.problem import RosterProblem, build_problem
from scheduler.rostering.solve import solve_problem
from scheduler.team import Team

__all__ = ["ACTIVITIES", "ROSTER_COLUMNS", "RosterResult", "build_problem", "make_roster"]

LUNCH_SHARE = 0.1


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterResult:
    """A roster and how good it is.

    ``objective``/``best_bound``/``gap`` are the roster model's (lunch at the
    middle of its window); ``violations`` lists soft-rule penalties by name,
    largest first, as ``(rule, subject, cost)``.
    """

    roster: pd.DataFrame
    status: str
    objective: float
    best_bound: float
    gap: float
    aggregate_bound: float
    first_feasible_seconds: float
    wall_seconds: float
    understaffed_intervals: int
    understaffing_agent_hours: float
    queue_switches: int
    violations: tuple[tuple[str, str, float], ...]


def make_roster(
    config: Config,
    team: Team,
    requirements: pd.DataFrame,
    start: dt.date,
    days: int,
    *,
    previous: pd.DataFrame | None = None,
    freeze_until: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> RosterResult:
    """Build, solve and extract a roster for ``days`` local days from ``start``.

    Raises:
        InputError: requirements or previous roster that do not fit the horizon.
        InfeasibleError: the hard rules admit no roster; the message names the
            agents and rules in conflict.
    """
    began = time.perf_counter()
    problem: RosterProblem = apply_previous(build_problem(config, team, requirements, start, days), previous, freeze_until)
    building = time.perf_counter() - began  # counted in the time to a first roster: the user waits for it too
    solution = solve_problem(problem, progress)
    lunch, lunch_serve = place_lunches(problem, solution.chosen, config.roster.time_limit_seconds * LUNCH_SHARE)
    frame, switches = roster_rows(problem, solution.chosen, lunch, lunch_serve if lunch_serve is not None else solution.serve)
    horizon = requirements[
        (requirements["ds"] >= problem.grid[0]) & (requirements["ds"] <= problem.grid[-1])
    ]
    coverage = scheduled_agents(frame, horizon, config.interval_minutes)
    short = coverage["shortfall"]
    return RosterResult(
        roster=frame,
        status=solution.status,
        objective=solution.objective,
        best_bound=solution.bound,
        gap=solution.gap,
        aggregate_bound=solution.aggregate_bound,
        first_feasible_seconds=building + solution.first_feasible_seconds,
        wall_seconds=building + solution.wall_seconds,
        understaffed_intervals=int((short > 1e-9).sum()),
        understaffing_agent_hours=float(short.sum()) * config.interval_minutes / 60,
        queue_switches=switches,
        violations=solution.violations,
    )
