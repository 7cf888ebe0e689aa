"""A whole day's lunches and queue plans chosen jointly: one linear program per day, the shifts fixed.

The activity stage (:mod:`.activities`) places lunches and queue blocks one
shift at a time, each against everyone else as they are; with hour-long
lunches that leaves a lot behind, because where one agent's lunch is best
depends on where every colleague's falls (100 agents, 9-hour shifts with an
hour's lunch, benchmark seed 3: the day's lunches of the single-skilled agents
alone, chosen jointly, take coverage from 11.61M to 11.46M on the polished
roster, where the shift-by-shift dynamic program found nothing more).

With the day's shifts fixed, choosing their plans is an assignment: each shift
takes one plan, and coverage cost per queue and interval is convex in the
agents serving. The plans first offered per shift: every lunch start with one
queue for the whole shift or, when the switch cap allows one, one queue before
lunch and another after (each stretch of work on one queue is one block, so
every such plan keeps the block and switch rules), and the plan the shift has
now, so the day as it is is a solution. As a linear program (GLOP,
deterministic time; per queue and interval the cost is the largest of its
chords at whole agents, the queue minimum a floor on the agents serving, never
below what the day gives it now) this is solved, then for a few rounds every
plan with one switch anywhere (blocks at least their minimum) of the
multi-skilled shifts is priced with the LP's duals at once (column
generation: per lunch start, pair of queues and switching interval, in numpy)
and the cheapest of each shift added when it would lower the optimum. The
optimum is integral for most shifts; each shift takes the plan it weighs most,
the activity stage's dynamic program sweeps the day's shifts (it mends what
the rounding left), and the day is kept only when its cost (coverage over the
day's span with the minimums' penalty, switches, secondary skills) strictly
falls. Every plan keeps the skills, opening hours, block and switch rules and
one agent missing from a queue minimum costs more than any saving, so no hard
rule can be lost.

Days go worst first (coverage cost over their span), and the work is counted,
so the stage stops within its share of the budget whatever the machine.

Not called by ``make_roster`` since session 14: its share given to the polish
instead wrote better rosters on most benchmark instances (docs/roster-history.md,
"Hand-over to the blocks (session 14)").
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from scheduler.rostering.activities import _Costs, _Planner
from scheduler.rostering.aggregate_coverage import _set_coefficient, add_row
from scheduler.rostering.problem import RosterProblem
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan, _apply, _plan_rules, _Rules, _Shift

# Budget charged, calibrated to CPU seconds on the 2-core benchmark machine (100 agents, 4 weeks,
# seeds 1-3, every day of the polished roster; measured at load 4-8, so on the safe side): per plan
# offered and per interval it serves, per entry of a coverage row (a plan serving it, a cost chord),
# per simplex iteration times the LP's rows plus columns (its copy for a re-solve included), per
# shift priced, and per day (its plans enumerated, its cost before and after). GLOP's own limit is
# deterministic time at the rate the bound uses (:mod:`.aggregate`).
SECONDS_PER_PLAN = 8e-6
SECONDS_PER_ENTRY = 6e-7
SECONDS_PER_COVER_ENTRY = 2e-6
SECONDS_PER_ITERATION_ENTRY = 3e-8
SECONDS_PER_PRICING = 2.5e-4
SECONDS_PER_DAY = 0.012
GLOP_TIME_SCALE = 0.85
# Rounds of pricing the multi-skilled shifts' plans of one switch anywhere against the day's LP
# (100 agents, seed 3, every day of the polished roster: coverage -1.7% without, -2.3% / -2.9% /
# -3.0% with 1 / 2 / 3 rounds, for 2.3 / 4.0 / 5.0 / 5.9 s charged).
PRICING_ROUNDS = 2
SWEEPS = 2  # dynamic-program passes over a day's shifts once its plans are taken


@dataclass(frozen=True, slots=True, kw_only=True)
class DayPlansResult:
    plans: dict[tuple[int, int], ShiftPlan]
    days_improved: int
    days_tried: int
    seconds: float  # budget charged (deterministic)


def replan_days(problem: RosterProblem, plans: dict[tuple[int, int], ShiftPlan], time_limit: float) -> DayPlansResult:
    """Each day's lunches and plans chosen jointly, worst day first, within ``time_limit`` counted seconds.

    Args:
        plans: every live shift's plan (frozen days are not in it; they are
            kept verbatim); the starting point. Not modified.
    """
    settings = problem.settings
    costs = _Costs(problem)
    step = problem.interval_minutes
    blocks = np.array([math.ceil(settings.min_block(queue) / step) for queue in problem.queues], dtype=np.int64)
    rules = _Rules(switch=settings.switch_weight, max_switches=settings.max_switches_per_shift, penalty=math.inf)
    plans = dict(plans)
    shifts = {key: _Shift(problem, key[0], key[1], blocks) for key in sorted(plans)}
    counts = np.zeros(problem.required.shape, dtype=np.int64)
    for key, plan in plans.items():
        _apply(counts, shifts[key], plan, +1)
    by_day: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for key in sorted(plans):
        by_day[problem.options[key[1]].day_index].append(key)
    spans = {d: (min(shifts[k].first for k in keys), max(shifts[k].last for k in keys)) for d, keys in by_day.items()}
    worth = {d: int(costs.cost(counts[:, first:last], slice(first, last)).sum()) for d, (first, last) in spans.items()}
    planner = _Planner(costs=costs, shifts=shifts, plans=plans, counts=counts, rules=rules)
    seconds = 0.0
    improved = tried = 0
    for d in sorted(by_day, key=lambda d: (-worth[d], d)):
        if seconds + planner.seconds >= time_limit:
            break
        tried += 1
        seconds += SECONDS_PER_DAY
        keys = by_day[d]
        first, last = spans[d]
        before = _day_cost(planner, keys, first, last)
        saved = {key: plans[key] for key in keys}
        chosen, charged = _solve_day(planner, keys, time_limit - seconds - planner.seconds)
        seconds += charged
        if chosen is None:
            continue
        for key in keys:
            if chosen[key] != plans[key]:
                planner._set(key, chosen[key])
        for _sweep in range(SWEEPS):
            if not planner.sweep(keys, math.inf):
                break
        if _day_cost(planner, keys, first, last) < before:
            improved += 1
            continue
        for key in keys:  # no better: the day as it was
            if plans[key] != saved[key]:
                planner._set(key, saved[key])
    return DayPlansResult(plans=plans, days_improved=improved, days_tried=tried, seconds=seconds + planner.seconds)


def lunch_plans(shift: _Shift, rules: _Rules) -> list[ShiftPlan]:
    """Per lunch start: one queue for the whole shift, or (cap of one switch or more) one before lunch, one after.

    Only queues the agent knows and that are open throughout the stretch they
    fill; each stretch holds one block, so every plan keeps the block rule.
    """
    n = len(shift.t)
    found: list[ShiftPlan] = []
    for lunch in shift.lunch_starts:
        at = shift.lunch_set(lunch)
        begin = at.start - shift.first if lunch is not None else n
        end = at.stop - shift.first if lunch is not None else n
        head = [q for q in shift.queues if shift.allowed[:begin, q].all()]
        tail = [q for q in shift.queues if shift.allowed[end:, q].all()]
        pairs = [(q, q) for q in head if q in tail]
        if rules.max_switches >= 1 and lunch is not None and begin > 0 and end < n:
            pairs += [(q1, q2) for q1 in head for q2 in tail if q1 != q2]
        for before, after in pairs:
            found.append(
                ShiftPlan(lunch=lunch, queues=(before,) * begin + (LUNCH,) * (end - begin) + (after,) * (n - end))
            )
    return found


def _extra(planner: _Planner, key: tuple[int, int], plan: ShiftPlan) -> int:
    """A plan's cost besides coverage, as scored: its changes of queue and secondary-skill intervals."""
    shift = planner.shifts[key]
    changes = _plan_rules(shift, plan)[0]
    return planner.rules.switch * changes + int(sum(int(shift.secondary[q]) for q in plan.queues if q != LUNCH))


def _day_cost(planner: _Planner, keys: Sequence[tuple[int, int]], first: int, last: int) -> int:
    coverage = int(planner.costs.cost(planner.counts[:, first:last], slice(first, last)).sum())
    return coverage + sum(_extra(planner, key, planner.plans[key]) for key in keys)


def _solve_day(
    planner: _Planner, keys: Sequence[tuple[int, int]], time_limit: float
) -> tuple[dict[tuple[int, int], ShiftPlan] | None, float]:
    """The day's plans: the LP's, each shift the plan it weighs most (None: not solved). Returns them and the charge.

    The LP starts from :func:`lunch_plans`; each round then prices every
    plan of at most one switch of the multi-skilled shifts with the LP's duals
    (:func:`_cheapest_plan`) and adds those that would lower its optimum.
    """
    base = planner.counts.copy()
    for key in keys:
        _apply(base, planner.shifts[key], planner.plans[key], -1)
    program = _Program(planner, base)
    for key in keys:
        options = lunch_plans(planner.shifts[key], planner.rules)
        if planner.plans[key] not in options:
            options.append(planner.plans[key])
        program.add_shift(key, options)
    program.add_coverage()
    flexible = [key for key in keys if len(planner.shifts[key].queues) > 1] if planner.rules.max_switches >= 1 else []
    chosen = None
    for round_ in range(PRICING_ROUNDS + 1):
        if not program.solve(time_limit - program.seconds):
            break  # the last round's optimum stands (a re-solve cut short by the budget, say)
        chosen = program.chosen()
        if round_ == PRICING_ROUNDS or not flexible:
            break
        priced = [(key, _cheapest_plan(planner, key, program.prices(key), program.shift_dual(key))) for key in flexible]
        program.seconds += SECONDS_PER_PRICING * len(flexible)
        if not sum(program.add_plan(key, plan) for key, plan in priced if plan is not None):
            break
    return chosen, program.seconds


class _Program:
    """The day's LP over the plans offered so far (GLOP), columns added between solves."""

    def __init__(self, planner: _Planner, base: np.ndarray) -> None:
        self.planner, self.base = planner, base
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.objective = self.lp.Objective()
        self.objective.SetMinimization()
        self.choose: dict[tuple[int, int], pywraplp.Constraint] = {}
        self.candidates: dict[tuple[int, int], list[tuple[ShiftPlan, pywraplp.Variable]]] = {}
        self.cover: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
        self.rows: dict[tuple[int, int], pywraplp.Constraint] = {}
        self.seconds = 0.0
        self.solves = 0

    def add_shift(self, key: tuple[int, int], options: list[ShiftPlan]) -> None:
        self.choose[key] = self.lp.Constraint(1, 1)
        self.candidates[key] = []
        for plan in options:
            self._column(key, plan)

    def _column(self, key: tuple[int, int], plan: ShiftPlan) -> None:
        var = self.lp.NumVar(0, 1, "")
        _set_coefficient(self.choose[key], var, 1.0)
        self.objective.SetCoefficient(var, _extra(self.planner, key, plan))
        self.candidates[key].append((plan, var))
        first = self.planner.shifts[key].first
        for i, q in enumerate(plan.queues):
            if q != LUNCH:
                if (q, first + i) in self.rows:
                    _set_coefficient(self.rows[q, first + i], var, 1.0)
                else:
                    self.cover[q, first + i].append(var)
        self.seconds += SECONDS_PER_PLAN + SECONDS_PER_ENTRY * len(plan.queues)

    def add_plan(self, key: tuple[int, int], plan: ShiftPlan) -> bool:
        """A priced plan as a new column (False: it is offered already, or would need a coverage row the day lacks)."""
        first = self.planner.shifts[key].first
        if any(q != LUNCH and (q, first + i) not in self.rows for i, q in enumerate(plan.queues)):
            return False
        if any(plan == known for known, _var in self.candidates[key]):
            return False
        self._column(key, plan)
        return True

    def add_coverage(self) -> None:
        """Per queue and interval some plan serves: the agents serving and their cost (the largest of its chords)."""
        lp, costs = self.lp, self.planner.costs
        queue_count = self.base.shape[0]
        for (q, t), served in sorted(self.cover.items()):
            low = int(self.base[q, t])
            # up to every shift of the day that may serve it (priced plans may add more than offered now)
            most = sum(
                1 for key in self.candidates if self.planner.shifts[key].first <= t < self.planner.shifts[key].last
            )
            agents = np.arange(low, low + most + 1)
            # The queue minimum as a floor on the agents (never below what the day gives it now) rather
            # than its penalty: a penalty that dwarfs every other cost leaves GLOP's solution imprecise.
            minimum = int(costs.minimum[q, t])
            values = (
                costs.cost(np.tile(agents, (queue_count, 1)), np.array([t]))[q]
                - costs.missing * np.maximum(minimum - agents, 0)
            ).tolist()
            floor = max(min(minimum, int(self.planner.counts[q, t])) - low, 0)
            count = lp.NumVar(floor, most, "")
            row = lp.Constraint(0, 0)
            _set_coefficient(row, count, -1.0)
            for var in served:
                _set_coefficient(row, var, 1.0)
            self.rows[q, t] = row
            cost = lp.NumVar(float(min(values)), lp.infinity(), "")
            self.objective.SetCoefficient(cost, 1)
            entries = len(served) + 1
            for j in range(len(values) - 1):  # convex in whole agents: the largest of its chords
                slope = values[j + 1] - values[j]
                if j and slope == values[j] - values[j - 1]:
                    continue  # the same line as the chord before
                add_row(lp, float(values[j] - slope * j), lp.infinity(), [(1.0, cost), (-float(slope), count)])
                entries += 2
            self.seconds += SECONDS_PER_COVER_ENTRY * entries
        self.cover.clear()

    def solve(self, time_limit: float) -> bool:
        """Solve the LP as it stands; its solution and duals are read from ``self.solved``.

        After new columns GLOP's incremental solve in pywraplp ends abnormally,
        so a re-solve runs on a copy of the model (through its proto).
        """
        if self.solves:
            proto = linear_solver_pb2.MPModelProto()
            self.lp.ExportModelToProto(proto)
            solver = pywraplp.Solver.CreateSolver("GLOP")
            solver.LoadModelFromProto(proto)
        else:
            solver = self.lp
        self.solves += 1
        # Unscaled: these LPs' coefficients are moderate (no minimum penalty), and GLOP solves them in
        # half the iterations and time without scaling (100 agents, seed 3: 2.5 s against 4.7 s for 112 LPs).
        solver.SetSolverSpecificParametersAsString(
            f"max_deterministic_time: {max(time_limit, 0.01) * GLOP_TIME_SCALE:g}, use_scaling: false"
        )
        status = solver.Solve()
        self.seconds += (
            SECONDS_PER_ITERATION_ENTRY * solver.iterations() * (solver.NumConstraints() + solver.NumVariables())
        )
        self.solved = solver
        self._variables = solver.variables()
        self._rows = solver.constraints()
        return status == pywraplp.Solver.OPTIMAL

    def _dual(self, row: pywraplp.Constraint) -> float:
        return float(self._rows[row.index()].dual_value())

    def _value(self, var: pywraplp.Variable) -> float:
        return float(self._variables[var.index()].solution_value())

    def prices(self, key: tuple[int, int]) -> np.ndarray:
        """``[i, q]``: what one more agent serving queue q in the shift's i-th interval costs at the LP's optimum.

        Minus the dual of the queue and interval's row (``served - agents = 0``):
        the row's right-hand side raised by one is one agent fewer counted.
        """
        shift = self.planner.shifts[key]
        price = np.full((len(shift.t), self.base.shape[0]), np.inf)
        for q in shift.queues:
            for i, t in enumerate(shift.t.tolist()):
                row = self.rows.get((q, t))
                if row is not None:
                    price[i, q] = -self._dual(row)
        return price

    def shift_dual(self, key: tuple[int, int]) -> float:
        return self._dual(self.choose[key])

    def chosen(self) -> dict[tuple[int, int], ShiftPlan]:
        return {key: max(options, key=lambda item: self._value(item[1]))[0] for key, options in self.candidates.items()}


def _cheapest_plan(planner: _Planner, key: tuple[int, int], price: np.ndarray, dual: float) -> ShiftPlan | None:
    """The shift's plan of at most one switch with the least reduced cost, if negative (None: none is).

    A plan's reduced cost: its own cost (switches, secondary skills) plus, per
    interval served, the dual of that queue and interval's row, less the dual of
    the shift's choice row. Evaluated for every lunch start, pair of queues and
    switching interval at once; a switch inside a stretch of work leaves both
    blocks at least their queue's minimum.
    """
    shift = planner.shifts[key]
    n = len(shift.t)
    queues = np.array(shift.queues)
    # cost[q, i] of serving q in interval i: what one more agent costs there, and its secondary skill
    allowed = shift.allowed[:, queues].T & np.isfinite(price[:, queues].T)
    cost = np.where(allowed, price[:, queues].T + shift.secondary[queues][:, None], 1e18)
    blocks = shift.blocks[queues]
    best: tuple[float, ShiftPlan | None] = (dual - 1e-6 * max(1.0, abs(dual)), None)
    switch = planner.rules.switch
    for lunch in shift.lunch_starts:
        at = shift.lunch_set(lunch)
        begin = at.start - shift.first if lunch is not None else n
        end = at.stop - shift.first if lunch is not None else n
        worked = np.ones(n, dtype=bool)
        worked[begin:end] = False
        masked = np.where(worked[None, :], cost, 0.0)
        prefix = np.concatenate([np.zeros((len(queues), 1)), np.cumsum(masked, axis=1)], axis=1)  # [q, s]
        head = prefix[:, 1:n]  # q1 on intervals < s, s = 1..n-1
        tail = prefix[:, n : n + 1] - prefix[:, 1:n]  # q2 on intervals >= s
        cuts = np.arange(1, n)
        # blocks: a cut strictly inside a stretch needs both parts at least their queue's minimum
        stretches = [(0, begin), (end, n)] if lunch is not None else [(0, n)]
        ok = np.ones((len(queues), len(queues), n - 1), dtype=bool)
        inside_any = np.zeros(n - 1, dtype=bool)
        for lo, hi in stretches:
            inside = (cuts > lo) & (cuts < hi)
            inside_any |= inside
            ok &= ~inside[None, None, :] | (
                ((cuts - lo)[None, :] >= blocks[:, None])[:, None, :]
                & ((hi - cuts)[None, :] >= blocks[:, None])[None, :, :]
            )
        ok &= inside_any[None, None, :] | (cuts >= begin) & (cuts <= end)  # else a cut at the lunch (any one will do)
        total = head[:, None, :] + tail[None, :, :] + switch
        total = np.where(ok & ~np.eye(len(queues), dtype=bool)[:, :, None], total, np.inf)
        flat = int(np.argmin(total))
        value = float(total.flat[flat])
        if value < best[0]:
            first, rest = divmod(flat, len(queues) * (n - 1))
            second, cut = divmod(rest, n - 1)
            q1, q2, s = int(queues[first]), int(queues[second]), int(cuts[cut])
            best = (
                value,
                ShiftPlan(
                    lunch=lunch,
                    queues=tuple(LUNCH if i in range(begin, end) else (q1 if i < s else q2) for i in range(n)),
                ),
            )
    return best[1]
