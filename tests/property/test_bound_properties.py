"""The lower bound never exceeds an optimum: per week, over the whole horizon, with span plans.

On tiny random teams (the roster property tests' strategy: 1-4 days from any
date, so some cross a week boundary) CP-SAT proves the full model's optimum;
every relaxation must stay at or below it, the weekly sum below the
whole-horizon relaxation, and the bound the roster stage proves below the
objective of the roster it writes.
"""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from ortools.sat.python import cp_model

from scheduler.errors import InfeasibleError
from scheduler.rostering import build_problem, make_roster
from scheduler.rostering.aggregate import solve_aggregate
from scheduler.rostering.bound import lower_bound, week_blocks
from scheduler.rostering.model import build_full_model
from scheduler.rostering.sat import make_solver
from tests.costly_examples import examples
from tests.property.test_roster_properties import instance, problems

TOLERANCE = 1e-6


@settings(max_examples=examples(ci=30, explore=60), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(problem=problems())
def test_no_relaxation_exceeds_the_optimum_or_the_roster(problem: dict[str, object]) -> None:
    config, team, requirements, start, days = instance(problem)
    roster_problem = build_problem(config, team, requirements, start, days)
    try:
        whole = solve_aggregate(roster_problem, whole_queues=True).bound
        weekly = sum(
            solve_aggregate(roster_problem, whole_queues=True, block=block).bound
            for block in week_blocks(roster_problem)
        )
        proven = lower_bound(roster_problem, 1e6)
    except InfeasibleError:
        event("infeasible")
        return
    event(f"{len(roster_problem.weeks)} week(s)")
    assert weekly <= whole * (1 + TOLERANCE) + TOLERANCE
    assert proven.available and proven.bound >= weekly * (1 - TOLERANCE) - TOLERANCE
    full = build_full_model(roster_problem)
    for literal in full.rule_literals.values():
        full.model.add(literal == 1)
    solver = make_solver(20.0, workers=1)
    if solver.solve(full.model) == cp_model.OPTIMAL:
        event("optimum proven")
        # The model's queues split freely every interval: the relaxations without plans bound it.
        assert whole <= solver.objective_value * (1 + TOLERANCE) + TOLERANCE
    try:
        roster = make_roster(config, team, requirements, start, days)
    except InfeasibleError:
        return
    assert proven.bound <= roster.objective * (1 + TOLERANCE) + TOLERANCE
    assert roster.best_bound <= roster.objective
