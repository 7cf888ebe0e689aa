"""Merged intervals never raise the bound: the cheaper relaxation for fine grids stays below the exact one.

:func:`~scheduler.rostering.aggregate_coverage.merged_coverage` charges runs of
consecutive intervals by the infimal convolution of their cost curves; every
point of the fine relaxation maps to a merged one costing no more, so on any
team the merged optimum is at most the fine optimum (whose own validity
against CP-SAT's optimum and the written roster is
``tests/property/test_bound_properties.py``'s), per week and with span plans.
"""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scheduler.errors import InfeasibleError
from scheduler.rostering import build_problem, make_roster
from scheduler.rostering.aggregate import solve_aggregate
from scheduler.rostering.bound import week_blocks
from tests.costly_examples import examples
from tests.property.test_roster_properties import instance, problems

TOLERANCE = 1e-6


@settings(max_examples=examples(ci=25, explore=50), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(problem=problems(), merge=st.sampled_from((2, 3, 4)), plans=st.sampled_from((None, "span")))
def test_merged_runs_never_exceed_the_fine_relaxation(problem: dict[str, object], merge: int, plans: str | None) -> None:
    config, team, requirements, start, days = instance(problem)
    roster_problem = build_problem(config, team, requirements, start, days)
    for block in (None, *week_blocks(roster_problem)):
        try:
            fine = solve_aggregate(roster_problem, whole_queues=True, plans=plans, block=block)  # type: ignore[arg-type]
            merged = solve_aggregate(roster_problem, whole_queues=True, plans=plans, block=block, merge=merge)  # type: ignore[arg-type]
        except InfeasibleError:
            event("infeasible")
            return
        assert fine.optimal and merged.optimal
        event("merged below" if merged.bound < fine.bound - TOLERANCE else "merged equal")
        assert merged.bound <= fine.bound * (1 + TOLERANCE) + TOLERANCE


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(problem=problems(), merge=st.sampled_from((2, 4)))
def test_merged_runs_never_exceed_the_written_roster(problem: dict[str, object], merge: int) -> None:
    config, team, requirements, start, days = instance(problem)
    try:
        roster = make_roster(config, team, requirements, start, days)
    except InfeasibleError:
        event("infeasible")
        return
    roster_problem = build_problem(config, team, requirements, start, days)
    merged = solve_aggregate(roster_problem, whole_queues=True, merge=merge)
    assert merged.optimal
    assert merged.bound <= roster.objective * (1 + TOLERANCE) + TOLERANCE
