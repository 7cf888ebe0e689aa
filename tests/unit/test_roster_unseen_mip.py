"""The named-agent week MIP (benchmarks/roster_unseen_mip.py): a bound below any roster, above the class LP."""

from __future__ import annotations

import dataclasses

from benchmarks.roster_instances import make_instance
from benchmarks.roster_unseen_mip import roster_shifts, solve_week
from scheduler.rostering import make_roster
from scheduler.rostering.aggregate import solve_aggregate
from scheduler.rostering.bound import week_blocks
from scheduler.rostering.previous import apply_previous
from scheduler.rostering.problem import build_problem


def test_the_named_week_mip_lies_between_the_class_relaxation_and_the_roster() -> None:
    # Two weeks, 8 agents, days off in pairs (as on the unseen teams): the second week has edges.
    config, team, requirements, start, days = make_instance(8, 2, seed=4, time_limit_seconds=0.5)
    config = dataclasses.replace(config, roster=dataclasses.replace(config.roster, min_consecutive_days_off=2))
    result = make_roster(config, team, requirements, start, days)
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    assert all(rules.min_consecutive_days_off == 2 for rules in problem.rules)
    block = week_blocks(problem)[1]
    chosen = roster_shifts(problem, result.roster)
    assert len(chosen) == result.shifts
    plain = solve_aggregate(problem, whole_queues=True, block=block).bound
    named = solve_aggregate(problem, whole_queues=True, block=block, named=True).bound
    fixed, _dual = solve_week(problem, block, "fixed", 10.0, chosen)
    # The rows each mode adds (days off in pairs; the week's edges) admit the roster's own shifts:
    # with them fixed besides, the program is feasible and costs what ``fixed`` costs.
    paired, _dual = solve_week(problem, block, "week", 10.0, chosen, fix=True)
    edged, _dual = solve_week(problem, block, "hood", 10.0, chosen, fix=True)
    assert fixed is not None and paired == fixed and edged == fixed
    # Named agents keep their rules one by one (never weaker than summed over a class); the
    # roster's shifts re-split freely are one solution of its week, the roster pays blocks and its
    # other week on top.
    tolerance = 1e-6 * result.objective + 1
    assert plain <= named + tolerance
    assert named <= fixed + tolerance <= result.objective + 2 * tolerance
