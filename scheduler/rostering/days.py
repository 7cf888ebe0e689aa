"""Whole days re-chosen jointly: every agent's shift on one day and the plans of that day's shifts.

The descent and the polish move one agent at a time; a roster they leave can
still improve when many agents change together (one starts earlier while
another takes the six-hour shift instead of the eight, say), which no single
move finds. On the binding-skill benchmark (100 agents, seed 2) each day of the
polished roster solved exactly this way, everyone's other days fixed, was up
to 3.4% cheaper in that day's intervals, the roster 0.86%
(``benchmarks/roster_day_mip.py``, docs/roster.md).

One program per day, everyone's other days fixed as they are:

- each agent works one of its options that day or none, within its rules given
  its other days (rest to the shifts of the day before and after, weekly paid
  minutes and shift count, consecutive days, weekends), and pays its hours
  below target; agents this cannot model exactly (fixed days, preferences,
  secondary skills, a previous roster, longer blocks of days off) keep their
  day as it is;
- the agents of a skill group on an option split among its *plans* in whole
  numbers: a lunch start and one queue, or two queues changing at lunch (a
  subset of what the block and switch rules allow, see :mod:`.plans`; the
  plans the day's shifts already follow are offered too, so the day as it is
  is one of its solutions);
- coverage is charged per queue and interval as the objective does, a queue
  minimum never falls below what the day already gives it.

The day's linear relaxation (GLOP) over every choice and plan comes first,
then the same program in whole agents (SCIP) over the choices and plans the
relaxation uses and the day as it is: a few hundred variables, solved in a
few nodes. SCIP runs single-threaded with its fixed seeds and a node limit
and no time limit, so its answer does not depend on the machine or its load.

A day's answer replaces the day only when it is strictly cheaper. The solves
are charged by their simplex iterations and nodes and the Python work is
counted, so the stage stops within its budget whatever the machine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from scheduler.rostering.model import skill_groups
from scheduler.rostering.plans import PlanColumn, block_lengths, option_plans, option_queues
from scheduler.rostering.problem import SCALE, RosterProblem, understaffing_weight
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan

# Seconds of budget charged, calibrated to CPU time on the 2-core benchmark machine (100 agents,
# 4 weeks: 0.26 s of CPU per day with binding skills, up to 1.4 s with hour-long lunches): per
# agent option weighed for a day, per plan column built (with its intervals), per coverage interval
# and queue; building a program, per term; GLOP's simplex per iteration and row or column; SCIP per
# iteration and row or column of its LPs (its presolve, cuts and heuristics scale with them: 1.2e-7
# s on the binding-skill days, 2.5e-7 on the hour-long-lunch days, whose programs branch), per node
# and per program solved.
SECONDS_PER_OPTION = 2e-6
SECONDS_PER_COLUMN_INTERVAL = 1e-6
SECONDS_PER_INTERVAL = 5e-5
BUILD_SECONDS_PER_TERM = 4e-6
SECONDS_PER_ITERATION_ENTRY = 2.5e-8
SECONDS_PER_MIP_ENTRY = 2.5e-7
SECONDS_PER_NODE = 0.01
SOLVE_OVERHEAD = 0.05
# A day's relaxation may use this much of GLOP's deterministic time; its program in whole agents
# (the choices and plans the relaxation uses) at most this many branch-and-bound nodes.
LP_LIMIT = 2.0
NODE_LIMIT = 10

Column = tuple[int | None, tuple[tuple[int, int], ...]]  # lunch start, (interval, queue) worked


@dataclass(frozen=True, slots=True, kw_only=True)
class DaysResult:
    chosen: tuple[tuple[int, int], ...]  # (agent, option) worked, sorted (frozen days included)
    plans: dict[tuple[int, int], ShiftPlan]
    improved: int  # days replaced
    solved: int  # days solved
    seconds: float  # budget charged (deterministic)


def column_of(problem: RosterProblem, o: int, plan: ShiftPlan) -> Column:
    first = problem.options[o].first_interval
    return plan.lunch, tuple((first + i, q) for i, q in enumerate(plan.queues) if q != LUNCH)


def plan_of_column(problem: RosterProblem, o: int, column: Column) -> ShiftPlan:
    option = problem.options[o]
    queue_at = dict(column[1])
    return ShiftPlan(
        lunch=column[0],
        queues=tuple(queue_at.get(t, LUNCH) for t in range(option.first_interval, option.last_interval)),
    )


def changes_at_lunch(column: PlanColumn) -> bool:
    """One queue throughout, or a single change of queue exactly across the lunch."""
    if not column.switches:
        return True
    for (t1, q1), (t2, q2) in zip(column.cover, column.cover[1:], strict=False):
        if q1 != q2:
            return t2 != t1 + 1
    return True


def _switches(plan: ShiftPlan) -> int:
    worked = [q for q in plan.queues if q != LUNCH]
    return sum(1 for before, after in zip(worked, worked[1:], strict=False) if before != after)


class _Days:
    """The roster's shifts and plans, and one day's model around them."""

    def __init__(self, problem: RosterProblem, chosen: Sequence[tuple[int, int]], plans: dict) -> None:
        self.problem = problem
        self.groups = skill_groups(problem)
        self.group_of = [self.groups.index(agent.channels) for agent in problem.agents]
        self.blocks = block_lengths(problem)
        self.shift_on: dict[tuple[int, int], int] = {(a, problem.options[o].day_index): o for a, o in chosen}
        self.plans = dict(plans)
        self.counts = np.zeros(problem.required.shape, dtype=np.int64)
        for (_a, o), plan in self.plans.items():
            self._apply(self.counts, o, plan, +1)
        self.need = np.rint(problem.required * SCALE).astype(np.int64)
        settings = problem.settings
        ordinary, peak = understaffing_weight(settings, False), understaffing_weight(settings, True)
        self.weight = np.where(problem.peak, peak, ordinary).astype(np.int64)
        self.charged = problem.is_open.astype(bool) | (self.need > 0)
        self.week_of = {d: w for w, days in enumerate(problem.weeks) for d in days}
        self.column_cache: dict[tuple[int, int], list[PlanColumn] | None] = {}
        self.on_day: list[dict[int, list[int]]] = []  # per agent: day -> its options that day
        for a in range(len(problem.agents)):
            by_day: dict[int, list[int]] = defaultdict(list)
            for o in problem.allowed[a]:
                by_day[problem.options[o].day_index].append(o)
            self.on_day.append(by_day)
        self.seconds = 0.0
        # Agents kept as they are: what this model does not price or check exactly.
        self.kept = {
            a
            for a, agent in enumerate(problem.agents)
            if agent.preferences
            or agent.secondary_queues
            or problem.fixed.get(a)
            or problem.previous.get(a)
            or problem.rules[a].min_consecutive_days_off > 1
        }

    def cost(self, counts: np.ndarray, reach: np.ndarray) -> int:
        """Coverage cost over the intervals ``reach`` (as the objective charges it)."""
        need, weight = self.need[:, reach], self.weight[:, reach]
        short = np.maximum(need - SCALE * counts[:, reach], 0)
        over = np.maximum(SCALE * counts[:, reach] - need, 0)
        cost = weight * np.minimum(short, SCALE) + 2 * weight * np.maximum(short - SCALE, 0)
        cost = cost + self.problem.settings.overstaffing_weight * over
        return int(np.where(self.charged[:, reach], cost, 0).sum())

    def choices(self, a: int, d: int) -> tuple[list[int], bool, dict[int | None, int]]:
        """Agent ``a``'s options on day ``d`` within its rules given its other days, whether it may rest,
        and the hours-below-target cost of each choice."""
        problem = self.problem
        current = self.shift_on.get((a, d))
        if a in self.kept:
            return ([current] if current is not None else []), current is None, {current: 0}
        rules = problem.rules[a]
        week = self.week_of[d]
        low, high, target = rules.week_minutes[week]
        other = [self.shift_on[a, day] for day in problem.weeks[week] if day != d and (a, day) in self.shift_on]
        minutes = sum(problem.options[o].paid_minutes for o in other)
        before, after = self.shift_on.get((a, d - 1)), self.shift_on.get((a, d + 1))
        left = 0
        while (a, d - 1 - left) in self.shift_on:
            left += 1
        if left == d:
            left += problem.worked_before.get(a, 0)
        right = 0
        while (a, d + 1 + right) in self.shift_on:
            right += 1
        weekend = next((days for days in problem.weekends if d in days), None)
        others = sum(1 for days in problem.weekends if days != weekend and any((a, x) in self.shift_on for x in days))
        weekend_taken = weekend is not None and any((a, x) in self.shift_on for x in weekend if x != d)
        may_work = len(other) + 1 <= rules.max_shifts_per_week and left + 1 + right <= rules.max_consecutive_days
        if weekend is not None and not weekend_taken and others + 1 > rules.max_weekends:
            may_work = False
        weight = problem.settings.hours_weight if target > low else 0

        def hours(paid: int) -> int:
            return weight * max(target - minutes - paid, 0)

        options = []
        for o in self.on_day[a].get(d, ()) if may_work else ():
            option = problem.options[o]
            if not low <= minutes + option.paid_minutes <= high:
                continue
            if before is not None and option.start_minute < problem.options[before].end_minute + rules.min_rest_minutes:
                continue
            if after is not None and problem.options[after].start_minute < option.end_minute + rules.min_rest_minutes:
                continue
            options.append(o)
        self.seconds += SECONDS_PER_OPTION * len(self.on_day[a].get(d, ()))
        if current is not None and current not in options:  # the day as it is stays possible
            options.append(current)
        may_rest = low <= minutes <= high or current is None
        costs: dict[int | None, int] = {o: hours(problem.options[o].paid_minutes) for o in options}
        costs[None] = hours(0)
        return options, may_rest, costs

    def columns(self, g: int, o: int) -> list[PlanColumn] | None:
        """The plans offered to group ``g`` on option ``o`` (None: the group's queues change inside it)."""
        if (g, o) not in self.column_cache:
            queues = option_queues(self.problem, self.groups[g], o)
            offered = None
            if queues is not None:
                offered = [c for c in option_plans(self.problem, o, queues, self.blocks) if changes_at_lunch(c)]
                self.seconds += SECONDS_PER_COLUMN_INTERVAL * sum(len(c.cover) for c in offered)
            self.column_cache[g, o] = offered
        return self.column_cache[g, o]

    def _program(
        self,
        offered: dict[int, tuple[list[int], bool]],
        hours: dict[int, dict[int | None, int]],
        keyed: dict[tuple[int, int], dict[Column, int]],
        base: np.ndarray,
        reach: np.ndarray,
        *,
        integer: bool,
    ) -> tuple[dict[tuple[int, int], float], dict[tuple[int, int, Column], float]] | None:
        """The day's program: its linear relaxation (GLOP), or (``integer``) the MIP (SCIP, to optimality).

        Returns the agents' choices and the plans' agent counts (None: not solved).
        """
        problem = self.problem
        lp = pywraplp.Solver.CreateSolver("SCIP" if integer else "GLOP")
        infinity = lp.infinity()
        objective = lp.Objective()
        objective.SetMinimization()
        x: dict[tuple[int, int], pywraplp.Variable] = {}
        members: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
        terms = 0
        for a, (options, may_rest) in offered.items():
            row = lp.Constraint(0.0 if may_rest else 1.0, 1.0)
            costs = hours[a]
            for o in options:
                var = lp.BoolVar("") if integer else lp.NumVar(0.0, 1.0, "")
                x[a, o] = var
                row.SetCoefficient(var, 1.0)
                members[self.group_of[a], o].append(var)
                objective.SetCoefficient(var, float(costs[o] - (costs[None] if may_rest else 0)))
        rows: dict[tuple[int, int], pywraplp.Constraint] = {}
        floors: dict[tuple[int, int], pywraplp.Constraint] = {}
        over_weight = float(problem.settings.overstaffing_weight)
        for q in range(len(problem.queues)):
            for t in np.flatnonzero(reach & self.charged[q]).tolist():
                need = float(self.need[q, t] - SCALE * base[q, t])
                row = lp.Constraint(need, need)
                short1, short2, over = (
                    lp.NumVar(0.0, SCALE, ""),
                    lp.NumVar(0.0, infinity, ""),
                    lp.NumVar(0.0, infinity, ""),
                )
                row.SetCoefficient(short1, 1.0)
                row.SetCoefficient(short2, 1.0)
                row.SetCoefficient(over, -1.0)
                weight = float(self.weight[q, t])
                objective.SetCoefficient(short1, weight)
                objective.SetCoefficient(short2, 2 * weight)
                objective.SetCoefficient(over, over_weight)
                rows[q, t] = row
                # A queue minimum never falls below what the day gives it now.
                minimum = min(int(problem.min_agents[q, t]), int(self.counts[q, t])) - int(base[q, t])
                if minimum > 0:
                    floors[q, t] = lp.Constraint(float(minimum), infinity)
        z: dict[tuple[int, int, Column], pywraplp.Variable] = {}
        switch_weight = float(problem.settings.switch_weight)
        for (g, o), variables in sorted(members.items()):
            link = lp.Constraint(0.0, 0.0)
            for var in variables:
                link.SetCoefficient(var, -1.0)
            for key, switches in keyed[g, o].items():
                var = lp.IntVar(0.0, len(variables), "") if integer else lp.NumVar(0.0, infinity, "")
                z[g, o, key] = var
                link.SetCoefficient(var, 1.0)
                objective.SetCoefficient(var, switch_weight * switches)
                for t, q in key[1]:
                    if (q, t) in rows:
                        rows[q, t].SetCoefficient(var, SCALE)
                    if (q, t) in floors:
                        floors[q, t].SetCoefficient(var, 1.0)
                terms += len(key[1])
        self.seconds += BUILD_SECONDS_PER_TERM * (terms + len(x))
        if not integer:
            lp.SetSolverSpecificParametersAsString(f"max_deterministic_time: {LP_LIMIT:g}")
        else:
            # SCIP runs single-threaded with fixed seeds: without a time limit its answer is the same
            # on any machine; the node limit bounds its work deterministically.
            lp.SetSolverSpecificParametersAsString(f"limits/nodes = {NODE_LIMIT}")
        status = lp.Solve()
        entries = lp.iterations() * (lp.NumConstraints() + lp.NumVariables())
        if integer:
            self.seconds += SECONDS_PER_MIP_ENTRY * entries + SECONDS_PER_NODE * lp.nodes() + SOLVE_OVERHEAD
        else:
            self.seconds += SECONDS_PER_ITERATION_ENTRY * entries
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None
        return (
            {key: var.solution_value() for key, var in x.items()},
            {key: var.solution_value() for key, var in z.items()},
        )

    def improve(self, d: int) -> bool | None:
        """Day ``d`` re-chosen; True when it was replaced, False when not better, None when not solved.

        The day's linear relaxation (GLOP) over every choice and plan first; then the program in
        whole agents (SCIP) over the choices and plans the relaxation uses and the day as it is.
        """
        problem = self.problem
        current = {a: o for (a, day), o in self.shift_on.items() if day == d}
        hours: dict[int, dict[int | None, int]] = {}
        offered: dict[int, tuple[list[int], bool]] = {}
        for a in range(len(problem.agents)):
            options, may_rest, costs = self.choices(a, d)
            hours[a] = costs
            if options:
                offered[a] = (options, may_rest)
        # Plans per group and option: whole agents per plan; the day's own plans offered too.
        written: dict[tuple[int, int], dict[Column, int]] = defaultdict(lambda: defaultdict(int))
        for a, o in current.items():
            written[self.group_of[a], o][column_of(problem, o, self.plans[a, o])] += 1
        keyed: dict[tuple[int, int], dict[Column, int]] = {}
        for a, (options, _rest) in offered.items():
            g = self.group_of[a]
            for o in options:
                if (g, o) in keyed:
                    continue
                columns: dict[Column, int] = {}
                for column in self.columns(g, o) or ():
                    columns.setdefault((column.lunch, column.cover), column.switches)
                for key in written.get((g, o), {}):
                    columns.setdefault(key, _switches(plan_of_column(problem, o, key)))
                keyed[g, o] = columns
        base = self.counts.copy()
        for a, o in current.items():
            self._apply(base, o, self.plans[a, o], -1)
        reach = np.zeros(len(problem.grid), dtype=bool)
        for options, _rest in offered.values():
            for o in options:
                reach[problem.options[o].first_interval : problem.options[o].last_interval] = True
        relaxed = self._program(offered, hours, keyed, base, reach, integer=False)
        if relaxed is None:
            return None
        used_x, used_z = relaxed
        narrowed = {
            a: ([o for o in options if used_x[a, o] > 1e-6 or current.get(a) == o], may_rest)
            for a, (options, may_rest) in offered.items()
        }
        narrowed_keys = {
            (g, o): {
                key: switches
                for key, switches in columns.items()
                if key in written.get((g, o), {}) or used_z.get((g, o, key), 0.0) > 1e-6
            }
            for (g, o), columns in keyed.items()
        }
        solved = self._program(narrowed, hours, narrowed_keys, base, reach, integer=True)
        if solved is None:
            return None
        chosen_x, counts_z = solved
        # The new day: each agent on a plan its group's counts give its option.
        new_plans: dict[tuple[int, int], ShiftPlan] = {}
        on: dict[tuple[int, int], list[int]] = defaultdict(list)
        for (a, o), value in sorted(chosen_x.items()):
            if value > 0.5:
                on[self.group_of[a], o].append(a)
        for (g, o), agents in on.items():
            pool: list[Column] = []
            for key in narrowed_keys[g, o]:
                pool.extend([key] * round(counts_z[g, o, key]))
            waiting = []
            for a in agents:  # an agent whose plan is among those chosen keeps it
                mine = column_of(problem, o, self.plans[a, o]) if current.get(a) == o else None
                if mine is not None and mine in pool:
                    pool.remove(mine)
                    new_plans[a, o] = self.plans[a, o]
                else:
                    waiting.append(a)
            for a, key in zip(waiting, pool, strict=True):
                new_plans[a, o] = plan_of_column(problem, o, key)
        counts = base.copy()
        for (_a, o), plan in new_plans.items():
            self._apply(counts, o, plan, +1)
        switch_weight = problem.settings.switch_weight
        after_hours = {a: o for a, o in new_plans}
        before = (
            self.cost(self.counts, reach)
            + sum(costs.get(current.get(a), 0) for a, costs in hours.items())
            + switch_weight * sum(_switches(self.plans[a, o]) for a, o in current.items())
        )
        after = (
            self.cost(counts, reach)
            + sum(costs.get(after_hours.get(a), 0) for a, costs in hours.items())
            + switch_weight * sum(_switches(plan) for plan in new_plans.values())
        )
        missing_before = np.maximum(problem.min_agents - self.counts, 0)
        if after >= before or (np.maximum(problem.min_agents - counts, 0) > missing_before).any():
            return False
        for a, o in current.items():
            del self.plans[a, o]
            del self.shift_on[a, d]
        for (a, o), plan in new_plans.items():
            self.plans[a, o] = plan
            self.shift_on[a, d] = o
        self.counts = counts
        return True

    def _apply(self, counts: np.ndarray, o: int, plan: ShiftPlan, sign: int) -> None:
        first = self.problem.options[o].first_interval
        queues = np.asarray(plan.queues)
        working = queues != LUNCH
        np.add.at(counts, (queues[working], first + np.nonzero(working)[0]), sign)


def improve_days(
    problem: RosterProblem,
    chosen: Sequence[tuple[int, int]],
    plans: dict[tuple[int, int], ShiftPlan],
    time_limit: float,
) -> DaysResult:
    """Each live day in turn re-chosen jointly (see the module docstring) within ``time_limit`` counted seconds.

    Args:
        chosen: every ``(agent, option)`` worked, frozen days included.
        plans: the plans of the live shifts (frozen days are kept verbatim, outside them).
    """
    days = _Days(problem, chosen, plans)
    frozen = [(a, o) for a, o in chosen if problem.options[o].day_index in problem.frozen_days]
    improved = solved = 0
    for d in range(len(problem.days)):
        if d in problem.frozen_days:
            continue
        left = time_limit - days.seconds
        if left < SOLVE_OVERHEAD * 2:
            break
        outcome = days.improve(d)
        solved += outcome is not None
        improved += bool(outcome)
    chosen_after = sorted({*frozen, *((a, o) for a, o in days.plans)})
    return DaysResult(
        chosen=tuple(chosen_after), plans=days.plans, improved=improved, solved=solved, seconds=days.seconds
    )
