"""Kept shifts put back on their published plans where a later stage re-planned them for less than it pays.

The activity stage charges any plan of a kept shift other than its published one (:mod:`.activities`),
but the stages after it do not: the polish's agent moves and whole days (large teams) re-plan shifts for
any gain in coverage, and the mending for a broken rule. Once they are done, each kept shift whose plan
changed is compared with its published plan, every other shift as it is: the published plan comes back
when its cost (coverage, switches, secondary skills; no block or switch rule broken) is below the current
plan's plus the re-planning charge. A queue minimum it would lose outweighs any charge, so none is lost.
The written roster's objective plus the charges of the shifts it re-plans (what ``make_roster`` compares
with the published roster) only falls.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from scheduler.rostering.activities import SECONDS_PER_SHIFT_SET_UP, ServingCosts, ShiftPlanner
from scheduler.rostering.problem import RosterProblem
from scheduler.rostering.shiftplan import PlanRules, ShiftPlan, apply_plan, counts_of, shifts_of

PASSES = 3  # a shift put back changes its neighbours' costs: look at those still re-planned again


def republish(
    problem: RosterProblem,
    plans: dict[tuple[int, int], ShiftPlan],
    published: Mapping[tuple[int, int], ShiftPlan],
    charge: float,
) -> tuple[dict[tuple[int, int], ShiftPlan], int, float]:
    """``plans`` with kept shifts back on their published plans where that pays; how many; seconds counted."""
    if charge <= 0 or not any(key in plans and plans[key] != plan for key, plan in published.items()):
        return plans, 0, 0.0
    settings = problem.settings
    costs = ServingCosts(problem)
    shifts = shifts_of(problem, sorted(plans))
    rules = PlanRules(switch=settings.switch_weight, max_switches=settings.max_switches_per_shift, penalty=math.inf)
    planner = ShiftPlanner(
        costs=costs,
        shifts=shifts,
        plans=dict(plans),
        counts=counts_of(shifts, plans, problem.required.shape),
        rules=rules,
        published={key: plan for key, plan in published.items() if key in shifts},
    )
    planner.charge = charge
    planner.seconds += SECONDS_PER_SHIFT_SET_UP * len(shifts)
    restored = 0
    for _pass in range(PASSES):
        changed = [key for key, plan in sorted(planner.published.items()) if planner.plans[key] != plan]
        back = 0
        for key in changed:
            shift, plan = shifts[key], planner.plans[key]
            apply_plan(planner.counts, shift, plan, -1)
            delta = costs.marginal(planner.counts[:, shift.first : shift.last], shift.first, shift.last).T
            apply_plan(planner.counts, shift, plan, +1)
            better = planner._better(key, math.inf, None, delta + shift.secondary, rules)
            if better is not None:
                planner._set(key, better)
                back += 1
        restored += back
        if not back:
            break
    return planner.plans, restored, planner.seconds
