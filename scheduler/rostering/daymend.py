"""A settled day's plans mended shift by shift: the activity stage's dynamic program over one day.

A day re-chosen jointly (:mod:`.days`) offers each shift a lunch start with
one queue, or two changing at lunch: the plans whose every stretch of work is
one block, a few per shift, so that the day's program stays small. The
activity stage allows more (one switch anywhere, blocks at least their
minimum), and its exact dynamic program finds each shift's best such plan
with every other shift fixed (:class:`~scheduler.rostering.activities.ShiftPlanner`).
Two of its sweeps over the settled day's shifts gain a further 12% of what the
day's program gained (100 agents, binding skills, benchmark seed 2: 74k on
601k over eight days) for a tenth of the day's CPU, where the next agent moves
would have found it only agent by agent. A sweep replaces a plan only on strict
improvement and never loses a queue minimum (one agent missing from one costs
more than any saving), so no hard rule can be lost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from scheduler.rostering.activities import ServingCosts, ShiftPlanner
from scheduler.rostering.problem import RosterProblem
from scheduler.rostering.shiftplan import PlanRules, PlanShift, ShiftPlan

SWEEPS = 2  # dynamic-program passes over the day's shifts (a second pass changes little more)
# Seconds charged per shift whose static data is built (first time only; calibrated to CPU on the
# 2-core benchmark machine like the dynamic program's own charges in :mod:`.activities`).
SECONDS_PER_SHIFT_BUILT = 3e-5


class DayMender:
    """The dynamic program over one day's shifts, its shifts' static data kept between days."""

    def __init__(self, problem: RosterProblem) -> None:
        settings = problem.settings
        self.problem = problem
        self.costs = ServingCosts(problem)
        step = problem.interval_minutes
        self.blocks = np.array(
            [math.ceil(settings.min_block(queue) / step) for queue in problem.queues], dtype=np.int64
        )
        self.rules = PlanRules(
            switch=settings.switch_weight, max_switches=settings.max_switches_per_shift, penalty=math.inf
        )
        self.shifts: dict[tuple[int, int], PlanShift] = {}
        self.seconds = 0.0

    def mend(
        self, plans: dict[tuple[int, int], ShiftPlan], counts: np.ndarray, keys: Sequence[tuple[int, int]]
    ) -> float:
        """Sweeps over the shifts ``keys``: their plans in ``plans`` and ``counts`` improved in place.

        ``counts`` must hold every shift's current plan. Returns the seconds charged for it.
        """
        charged = self.seconds
        keys = sorted(keys)
        for key in keys:
            if key not in self.shifts:
                self.shifts[key] = PlanShift(self.problem, key[0], key[1], self.blocks)
                self.seconds += SECONDS_PER_SHIFT_BUILT
        day = {key: plans[key] for key in keys}
        planner = ShiftPlanner(
            costs=self.costs, shifts={key: self.shifts[key] for key in keys}, plans=day, counts=counts, rules=self.rules
        )
        for _sweep in range(SWEEPS):
            if not planner.sweep(keys, math.inf):
                break
        self.seconds += planner.seconds
        plans.update(day)
        return self.seconds - charged
