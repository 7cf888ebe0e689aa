"""Whole days re-chosen jointly with every plan the block and switch rules allow, by column generation.

The polish's whole days (:mod:`.days`) offer each shift a lunch start and one
queue, or two changing at lunch: a few plans per shift, so the day's program
stays small. A multi-skilled agent whose best plan changes queue inside a
stretch of work (the chat peak at 10:00, email after it) is then only found by
the dynamic program after the day is settled (:mod:`.daymend`), one shift at a
time, and the day's program weighs its shifts as if they could not.

Here the day's relaxation prices the other plans instead of listing them: its
duals value one more agent on each queue and interval (the coverage row's dual
times the agent's hundredths, plus the queue minimum's floor), and per skill
group and option the activity stage's dynamic program (:func:`.shiftplan.cheapest_plan`:
runs at least their block, at most ``max_switches_per_shift`` changes, the
option's lunch window) finds the plan of least reduced cost. Plans that would
lower the relaxation are added to it and it is solved again, warm, for a few
rounds. Everything after is :class:`~.days.DayMoves`' own: the program in whole
agents over the plans the relaxation uses and the day as it is, the mending, the
day replaced only when strictly cheaper and no queue minimum is missed more.

What it changes, measured (benchmark, 100 agents, the polish's input saved from
``make_roster``): the relaxation itself barely moves (seed 3, one pass over the
28 days: each day's promise within 0.5% of the listed plans'; 2-5 rounds, 3-20
plans added a day), but its answer does: the program in whole agents then
holds the plans changing queue inside a stretch that the relaxation uses, and
the same pass gains more (seed 2 2.27M against 1.68M). Written, nine of the
benchmark's ten 100-agent rosters end lower for the same budget (seed 3 11.94%
-> 11.32%, seed 2 0.95% -> 0.65%; docs/roster-history.md, "Whole days in blocks
(session 15)").

The pricing runs are charged as the activity stage charges its dynamic
program, the relaxation's rounds as :mod:`.days` charges GLOP, so a caller stops
within its budget whatever the machine.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from scheduler.rostering.activities import SECONDS_PER_SHIFT as SECONDS_PER_RUN
from scheduler.rostering.daymend import SECONDS_PER_SHIFT_BUILT
from scheduler.rostering.dayprogram import Column, build_program
from scheduler.rostering.days import (
    BUILD_SECONDS_PER_PROGRAM,
    BUILD_SECONDS_PER_TERM,
    LP_LIMIT,
    SECONDS_PER_ITERATION_ENTRY,
    DayMoves,
    DayOutcome,
    Relaxed,
    column_of,
)
from scheduler.rostering.problem import SCALE, RosterProblem
from scheduler.rostering.shiftplan import LUNCH, PlanRules, PlanShift, ShiftPlan, cheapest_plan

# Rounds of pricing a day's relaxation gets at most: each adds the cheapest plan of every group and
# option that lowers it, then solves it again from the last basis.
ROUNDS = 8
# A plan enters when its reduced cost is below this (costs are whole numbers; duals need not be).
ENTERING = -0.5
# Seconds charged per term added to the relaxation (a plan's coefficients set one call at a time).
SECONDS_PER_ADDED_TERM = 3e-6
# Per round solved again from the last basis (handing the grown program to GLOP), per coverage cell
# whose worth is read from the duals, per value read back. Fitted on one pass over the 28 days of the
# benchmark's 100-agent seed 3 from the activity stage's plans (load 5-6): GLOP 2.70 s of CPU for
# 1.82 s charged by :mod:`.days`' rate per iteration and 53 rounds solved again.
SECONDS_PER_RESOLVE = 0.015
SECONDS_PER_PRICED_CELL = 2e-7
SECONDS_PER_VALUE = 3e-7
# A settling (:meth:`~.days.DayMoves.settle`) over these plans costs this much more CPU per second
# charged than over the plans changing queue at lunch (its program in whole agents holds more plans
# that change queue inside a stretch, which the mending then weighs): one pass over the 28 days,
# back to back, seed 2 2.34 against 2.17 and seed 3 1.51 against 1.36 (CPU per second charged under
# load 5-6; the days' rates, fitted on a quieter machine, are the reference).
SETTLE_SURCHARGE = 0.1


class BlockDays(DayMoves):
    """:class:`~.days.DayMoves` whose relaxation prices every plan by the dynamic program."""

    def __init__(self, problem: RosterProblem, chosen: Sequence[tuple[int, int]], plans: dict) -> None:
        super().__init__(problem, chosen, plans)
        settings = problem.settings
        self.rules = PlanRules(
            switch=settings.switch_weight, max_switches=settings.max_switches_per_shift, penalty=math.inf
        )
        self.block_array = np.array(self.blocks, dtype=np.int64)
        # Per group: an agent of it whose shifts stand for the group's (no secondary queue when one exists).
        self.standing: dict[int, int] = {}
        for a, agent in enumerate(problem.agents):
            g = self.group_of[a]
            if g not in self.standing or (
                problem.agents[self.standing[g]].secondary_queues and not agent.secondary_queues
            ):
                self.standing[g] = a
        self.shift_cache: dict[tuple[int, int], PlanShift] = {}
        self.rounds = 0  # pricing rounds run (for measurements)
        self.added = 0  # plans added by pricing

    def _priced(self, g: int, o: int) -> bool:
        """Whether group ``g``'s plans on option ``o`` are priced: the group serves more than one queue
        (a single queue's plans, one per lunch start, are all listed already), or none are listed (a
        queue of the group opens or closes inside the option: only the day's own plans are)."""
        return len(self.groups[g]) > 1 or self.columns(g, o) is None

    def _shift(self, g: int, o: int) -> PlanShift:
        if (g, o) not in self.shift_cache:
            self.shift_cache[g, o] = PlanShift(self.problem, self.standing[g], o, self.block_array)
            self.seconds += SECONDS_PER_SHIFT_BUILT
        return self.shift_cache[g, o]

    def settle(self, relaxed: Relaxed) -> DayOutcome | None:
        """:meth:`~.days.DayMoves.settle`, charged :data:`SETTLE_SURCHARGE` more."""
        began = self.seconds
        outcome = super().settle(relaxed)
        self.seconds += SETTLE_SURCHARGE * (self.seconds - began)
        return outcome

    def relax(self, d: int) -> Relaxed | None:
        """Day ``d``'s relaxation, its plans priced by the dynamic program for a few rounds (None: not solved)."""
        problem = self.problem
        day = self.day_setup(d)
        keyed = dict(
            day.choices.keyed
        )  # a group-option's plans are copied before the first is added (they may be cached)
        grown: set[tuple[int, int]] = set()
        program = build_program(self.data, self.counts, dataclasses.replace(day.choices, keyed=keyed), integer=False)
        self.seconds += BUILD_SECONDS_PER_TERM * program.terms + BUILD_SECONDS_PER_PROGRAM
        lp = pywraplp.Solver.CreateSolver("GLOP")
        if lp is None or lp.LoadModelFromProto(program.model):
            return None
        # Without presolve GLOP starts each round from the last basis: the plans added are new columns.
        lp.SetSolverSpecificParametersAsString(f"max_deterministic_time: {LP_LIMIT:g} use_preprocessing: false")
        rows = lp.constraints()
        columns = lp.variables()
        z_index = dict(program.z_index)
        # Where one more agent's worth is read from the duals: each coverage row, and its floor if any.
        cells = sorted(program.cover_rows)
        cell_queue = np.array([q for q, _t in cells], dtype=np.int64)
        cell_time = np.array([t for _q, t in cells], dtype=np.int64)
        cell_row = np.array([program.cover_rows[cell] for cell in cells], dtype=np.int64)
        cell_floor = np.array([program.floor_rows.get(cell, -1) for cell in cells], dtype=np.int64)
        priced = sorted(key for key in program.link_rows if self._priced(*key))
        switch_weight = problem.settings.switch_weight
        objective = lp.Objective()
        response = linear_solver_pb2.MPSolutionResponse()
        status = None
        for round_ in range(ROUNDS + 1):
            status = lp.Solve()
            self.seconds += SECONDS_PER_ITERATION_ENTRY * lp.iterations() * (lp.NumConstraints() + lp.NumVariables())
            if round_:
                self.seconds += SECONDS_PER_RESOLVE
            if status != pywraplp.Solver.OPTIMAL or round_ == ROUNDS or not priced:
                break
            self.rounds += 1
            lp.FillSolutionResponseProto(response)
            duals = np.append(np.asarray(response.dual_value), 0.0)  # [-1]: no floor
            worth = np.zeros((len(problem.queues), len(problem.grid)))  # one more agent's worth
            worth[cell_queue, cell_time] = SCALE * duals[cell_row] + duals[cell_floor]
            self.seconds += SECONDS_PER_PRICED_CELL * len(cells)
            added = 0
            for g, o in priced:
                option = problem.options[o]
                delta = -worth[:, option.first_interval : option.last_interval].T
                _cost, plan, seconds = cheapest_plan(self._shift(g, o), delta, self.rules)
                self.seconds += SECONDS_PER_RUN + seconds
                if plan is None:
                    continue
                column = column_of(problem, o, plan)
                if column in keyed[g, o]:
                    continue
                switches = _switches(plan)
                served = sum(worth[q, t] for t, q in column[1])
                if switch_weight * switches - served - duals[program.link_rows[g, o]] >= ENTERING:
                    continue  # it would not lower the relaxation
                if (g, o) not in grown:
                    keyed[g, o] = dict(keyed[g, o])
                    grown.add((g, o))
                keyed[g, o][column] = switches
                variable = lp.NumVar(0.0, math.inf, "")
                objective.SetCoefficient(variable, float(switch_weight * switches))
                for t, q in column[1]:
                    row = program.cover_rows.get((q, t))
                    if row is not None:
                        rows[row].SetCoefficient(variable, float(SCALE))
                        floor = program.floor_rows.get((q, t))
                        if floor is not None:
                            rows[floor].SetCoefficient(variable, 1.0)
                rows[program.link_rows[g, o]].SetCoefficient(variable, 1.0)
                self.seconds += SECONDS_PER_ADDED_TERM * (len(column[1]) + 2)
                z_index[g, o, column] = variable.index()
                columns.append(variable)
                added += 1
            self.added += added
            if not added:
                break
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None
        lp.FillSolutionResponseProto(response)
        values = response.variable_value
        x = {key: values[i] for key, i in program.x_index.items()}
        z = {key: values[i] for key, i in z_index.items()}
        self.seconds += SECONDS_PER_VALUE * len(values)
        relaxed = day.relaxed(objective.Value(), x, z)
        return dataclasses.replace(relaxed, choices=dataclasses.replace(relaxed.choices, keyed=keyed))


def _switches(plan: ShiftPlan) -> int:
    worked = [q for q in plan.queues if q != LUNCH]
    return sum(1 for before, after in zip(worked, worked[1:], strict=False) if before != after)


__all__ = ["BlockDays", "Column"]
