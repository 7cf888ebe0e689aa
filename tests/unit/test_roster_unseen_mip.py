"""The named-agent week MIP (benchmarks/roster_unseen_mip.py): a bound below any roster, above the class LP."""

from __future__ import annotations

from benchmarks.roster_instances import make_instance
from benchmarks.roster_unseen_mip import roster_shifts, solve_week
from scheduler.rostering import make_roster
from scheduler.rostering.aggregate import solve_aggregate
from scheduler.rostering.bound import week_blocks
from scheduler.rostering.previous import apply_previous
from scheduler.rostering.problem import build_problem


def test_the_named_week_mip_lies_between_the_class_relaxation_and_the_roster() -> None:
    # One week, 8 agents: the week is the whole horizon, so the roster's objective is its share.
    config, team, requirements, start, days = make_instance(8, 1, seed=4, time_limit_seconds=0.5)
    result = make_roster(config, team, requirements, start, days)
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    (block,) = week_blocks(problem)
    chosen = roster_shifts(problem, result.roster)
    assert len(chosen) == result.shifts
    plain = solve_aggregate(problem, whole_queues=True, block=block).bound
    named = solve_aggregate(problem, whole_queues=True, block=block, named=True).bound
    # Dual bounds hold whenever HiGHS stops (1 s each): the test claims validity, not optimality.
    _primal, dual = solve_week(problem, block, "week", 1.0, None)
    _primal, hood = solve_week(problem, block, "hood", 1.0, chosen)
    fixed, _dual = solve_week(problem, block, "fixed", 10.0, chosen)
    assert fixed is not None
    # Named agents keep their rules one by one (never weaker than summed over a class); whole
    # numbers and days off in blocks only add rows; the roster's own shifts are one solution of the
    # week re-split freely (fixed) and of its neighbourhood (hood); the roster pays blocks on top.
    tolerance = 1e-6 * result.objective + 1
    assert plain <= named + tolerance
    assert dual <= fixed + tolerance and hood <= fixed + tolerance
    assert fixed <= result.objective + tolerance
