"""Lunch placement (a second, small optimisation) and short breaks.

The roster model assumes each shift's unpaid lunch at the middle of its
window. Once shifts are fixed, this stage moves each lunch within its window
to where it hurts coverage least, so lunches are staggered instead of taken
all at once. It keeps the roster model's placement when nothing better is
found, so coverage never gets worse.

Short paid breaks (15 minutes) are part of shrinkage: they are placed in the
middle of the work before and after lunch and do not reduce coverage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import pandas as pd
from ortools.sat.python import cp_model

from scheduler.rostering.model import RosterModel, add_coverage, skill_groups
from scheduler.rostering.problem import RosterProblem, ShiftOption

BREAK_MINUTES = 15


def place_lunches(
    problem: RosterProblem, chosen: Sequence[tuple[int, int]], time_limit: float
) -> tuple[dict[tuple[int, int], int | None], dict[tuple[int, int, int], int] | None]:
    """Lunch start per chosen shift and the queue counts that go with it.

    Returns:
        ``(lunch, serve)``: lunch start interval per ``(agent, option)`` (None:
        no lunch); serve counts per ``(group, interval, queue)``, or None when
        no shift has a lunch (the roster model's counts stand).
    """
    chosen = [key for key in chosen if problem.options[key[1]].day_index not in problem.frozen_days]
    lunch: dict[tuple[int, int], int | None] = {key: problem.options[key[1]].nominal_lunch for key in chosen}
    flexible = [key for key in chosen if len(problem.options[key[1]].lunch_starts) > 1]
    if not any(problem.options[o].lunch_starts for _, o in chosen):
        return lunch, None
    model = cp_model.CpModel()
    roster = RosterModel(problem=problem, agents=(), model=model, shift={}, works={})
    group_of = {skills: g for g, skills in enumerate(skill_groups(problem))}
    working: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    choices: dict[tuple[int, int], dict[int, cp_model.IntVar]] = {}
    for key in chosen:
        a, o = key
        option = problem.options[o]
        g = group_of[problem.agents[a].channels]
        if key not in flexible:
            for t in option.working_intervals(lunch[key]):
                working[g][t].append((1, 1))
            continue
        picks = {start: model.new_bool_var(f"lunch[{a},{o},{start}]") for start in option.lunch_starts}
        model.add_exactly_one(picks.values())
        model.add_hint(picks[option.nominal_lunch], 1)  # type: ignore[index]
        choices[key] = picks
        for t in range(option.first_interval, option.last_interval):
            at_lunch = [var for start, var in picks.items() if start <= t < start + option.lunch_intervals]
            if at_lunch:
                working[g][t].append((1, 1))
                working[g][t].extend((-1, var) for var in at_lunch)
            else:
                working[g][t].append((1, 1))
    add_coverage(roster, working)
    model.minimize(roster.objective())
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = 0
    solver.parameters.num_workers = 8
    solver.parameters.interleave_search = True
    solver.parameters.max_deterministic_time = max(time_limit, 0.05)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return lunch, None
    for key, picks in choices.items():
        lunch[key] = next(start for start, var in sorted(picks.items()) if solver.boolean_value(var))
    return lunch, {key: int(solver.value(var)) for key, var in roster.serve.items()}


def break_times(option: ShiftOption, lunch_start: int | None, grid: pd.DatetimeIndex, interval_minutes: int) -> list[pd.Timestamp]:
    """Start times of the shift's short breaks: the middle of each stretch of work."""
    if option.breaks <= 0:
        return []
    step = pd.Timedelta(minutes=interval_minutes)
    if lunch_start is None:
        stretches = [(option.start, option.end)]
    else:
        lunch_begin = grid[lunch_start]
        stretches = [(option.start, lunch_begin), (lunch_begin + option.lunch_intervals * step, option.end)]
    per_stretch = [option.breaks // len(stretches) + (1 if i < option.breaks % len(stretches) else 0) for i in range(len(stretches))]
    starts = []
    quarter = pd.Timedelta(minutes=BREAK_MINUTES)
    for (begin, end), count in zip(stretches, per_stretch, strict=True):
        for number in range(count):
            middle = begin + (end - begin) * (number + 1) / (count + 1)
            # Round to the quarter hour so breaks start at readable times.
            rounded = pd.Timestamp(middle).floor(f"{BREAK_MINUTES}min")
            if begin <= rounded and rounded + quarter <= end:
                starts.append(rounded)
    return starts
