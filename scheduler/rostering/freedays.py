"""Whole days re-chosen jointly inside the descent, queues split per skill group.

The descent moves one agent at a time and settles 3-6% above the lower bound's
relaxation on teams whose skills bind and whose sale cannot be covered: a better
day needs several agents to change together (one starts earlier while another
takes the short shift instead of the long one), which no single move finds. The
polish re-chooses whole days too (:mod:`.days`), but with every shift's plan of
queue blocks in the program; here, before the blocks, a day is a much smaller
program of the descent's own bookkeeping (:class:`~.coveragecost.CoverageCost`):

- each agent works one of its options that day or none, within its rules given
  its other days (:class:`~.days.DayRules`: rest, weekly minutes and shifts,
  consecutive days, weekends, days off in blocks), and pays its hours below
  target and its preferences;
- the agents of a skill group on an option split among its lunch starts in
  whole numbers;
- in each interval the agents of a skill group working split among the
  group's open queues in whole numbers, as the descent counts them; every
  queue and interval costs what the objective charges at whole agents (its
  chords between whole numbers, the queue minimum's penalty included);
- the split changes from one interval to the next only as the group's agents
  arrive or switch queue, each switch charged (:mod:`.dayswitches`; the day as
  it is charged the same way, the program's split handed over as it is), so
  that the lunches and shifts chosen are ones a plan in blocks can serve.
  ``switches=False``, or a round that cannot afford the dearer programs
  (:func:`.descent.round_affords`), keeps the split free, rebalanced afterwards.

A day is first solved as a linear program (GLOP) over every choice: its optimum
below the day's cost as it is is what re-choosing it may gain. If that is
worth it, the program in whole numbers (SCIP, single thread, its root node only,
started from the day as it is: deterministic) over the choices, lunch starts and
splits the relaxation uses and the day as it is. The day is replaced only when
strictly cheaper and no queue minimum is missed more.

Both programs are written as arrays (an ``MPModelProto``) and charged by their
size, simplex iterations times nonzeros and nodes, so a caller stops within its budget.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from scheduler.rostering.coveragecost import CoverageCost
from scheduler.rostering.days import DayRules
from scheduler.rostering.dayswitches import DaySwitches, add_switches, arriving, day_switches, switch_hints
from scheduler.rostering.problem import RosterProblem

if TYPE_CHECKING:
    from scheduler.rostering.lunches import Lunches

# Seconds of budget charged, calibrated to CPU time: per term of a program built (its coefficients,
# written in Python), per program; GLOP per simplex iteration and row or column; SCIP per iteration
# and nonzero, per node beyond the root, per program; per shift loaded or value read. Fitted on the
# benchmark's 100-agent seed 3 (one pass over the 28 days from the descent's fixed point: LPs of
# 2,000-3,300 columns and 300-350 rows, 700-1,100 iterations, 0.03-0.06 s; programs in whole
# numbers of 640-790 columns, 640-2,600 iterations, 0.03-0.11 s without cuts): 3.36 s charged for
# 3.3-4.2 s of CPU at a load of 5-7 (a fixed loop 2.6-3.2 s, the fast phase's 2.2-2.4 s), seed 9
# 2.19 s for 2.42 s.
BUILD_SECONDS_PER_TERM = 5e-7
BUILD_SECONDS_PER_PROGRAM = 0.002
# GLOP per simplex iteration and nonzero of its program (it was per iteration and row or column, 1.5e-8):
# its work per iteration follows the nonzeros. Over the descent's and the polish's day LPs of 100 agents
# (seeds 3, 9) and 500 (seed 5) its CPU was 3.8-4.7 ns per iteration and nonzero, where per row or
# column it was 15 ns at 100 agents and 9.4 ns at 500 (500 agents' programs have 3.2 times the columns
# for 2.2 times the nonzeros), so 500 agents' LPs were charged 1.4 times what 100 agents' were for the
# same CPU (docs/roster-history.md, "Budget at 500 agents (session 15)"). The level is 100 agents':
# 1.5e-8 times their (rows + columns) per nonzero, 0.29.
SECONDS_PER_ITERATION_NONZERO = 4.3e-9
SECONDS_PER_MIP_ENTRY = 1.6e-8
SECONDS_PER_NODE = 0.06
SOLVE_OVERHEAD = 0.015
SECONDS_PER_SHIFT = 2e-6
# Setting up, per (agent, option) allowed: each agent's options by day (500 agents: 374k in 0.024 s).
SECONDS_PER_ALLOWED = 1e-7
# GLOP's deterministic time per relaxation; SCIP's nodes (the root only).
LP_LIMIT = 2.0
NODE_LIMIT = 1
# SCIP's root without cutting planes: on the benchmark's seed 3 the same days (9,699,486 against
# 9,692,554 with cuts after one pass over the 28 days from the descent's fixed point) in 41% of the CPU.
SCIP_PARAMETERS = f"limits/nodes = {NODE_LIMIT}\nseparating/maxroundsroot = 0\n"
# A priced day's whole charge (its relaxation, its program in whole numbers, both built) against its relaxation
# at one simplex iteration per row over every nonzero: 2.9-10.7 times (85 priced days of seeds 3, 5, 9 and syd300,
# median 7; syd300's first day 5.9: 2.91 s against 0.49 s); the least of it is expected (session 26, est26).
PRICED_DAY_PER_ITERATION_ROW = 3.0
# The least a day re-chosen in whole numbers is charged: its two programs built, the second's overhead.
LEAST_DAY_SECONDS = 2 * BUILD_SECONDS_PER_PROGRAM + SOLVE_OVERHEAD
# A relaxation value this close to a whole number is whole; one above it is used.
WHOLE = 1e-6


@dataclass(frozen=True, slots=True, kw_only=True)
class FreeDayOutcome:
    day: int
    promise: float  # the day's cost as it was less its relaxation's optimum (what re-choosing may gain)
    gain: int  # the day's cost before less after (0: not replaced)
    own: dict[int, int]  # agents whose shift changed -> change of their own cost (hours, preferences)


@dataclass(slots=True)
class ProgramArrays:
    """A program being written: variables and rows as arrays for an ``MPModelProto`` (a day's here)."""

    lower: list[float]
    upper: list[float]
    cost: list[float]
    integer: list[bool]
    rows: list[tuple[float, float, list[int], list[float]]]

    def add(self, lower: float, upper: float, cost: float, *, integer: bool = False) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.cost.append(cost)
        self.integer.append(integer)
        return len(self.lower) - 1

    def proto(self) -> linear_solver_pb2.MPModelProto:
        model = linear_solver_pb2.MPModelProto()
        model.variable.extend(
            linear_solver_pb2.MPVariableProto(lower_bound=lo, upper_bound=up, objective_coefficient=c, is_integer=i)
            for lo, up, c, i in zip(self.lower, self.upper, self.cost, self.integer, strict=True)
        )
        model.constraint.extend(
            linear_solver_pb2.MPConstraintProto(lower_bound=lo, upper_bound=up, var_index=index, coefficient=coef)
            for lo, up, index, coef in self.rows
        )
        return model

    def terms(self) -> int:
        return len(self.lower) + self.nonzeros()

    def nonzeros(self) -> int:
        return sum(len(row[2]) for row in self.rows)


class FreeDays:
    """One day at a time re-chosen jointly over the descent's state (``current``, ``coverage``, ``lunches``)."""

    def __init__(
        self, problem: RosterProblem, coverage: CoverageCost, lunches: Lunches, *, switches: bool = True
    ) -> None:
        self.problem = problem
        self.switches = switches
        self.coverage = coverage
        self.lunches = lunches
        self.rules = DayRules(problem)
        self.seconds = SECONDS_PER_ALLOWED * sum(len(options) for options in problem.allowed)
        # Whether the last day's priced program was expected dearer than its share (and left for the free split's).
        self.dear = False
        self._worked: dict[tuple[int, int | None], np.ndarray] = {}
        # Per option, the lunch starts an agent may take (the descent's), one when it has no lunch.
        self._starts: dict[int, list[int | None]] = {}

    def _starts_of(self, o: int) -> list[int | None]:
        if o not in self._starts:
            if self.lunches.length[o] > 0:
                self._starts[o] = sorted(set(self.lunches.starts[o].tolist()))
            else:
                self._starts[o] = [None]
        return self._starts[o]

    def _intervals(self, o: int, start: int | None) -> np.ndarray:
        key = (o, start)
        if key not in self._worked:
            option = self.problem.options[o]
            if start is None or start == option.nominal_lunch:
                self._worked[key] = np.array(self.problem.covering_intervals(o), dtype=np.int64)
            else:
                self._worked[key] = np.array(option.working_intervals(start), dtype=np.int64)
        return self._worked[key]

    def _day_cost(self, served: np.ndarray, ts: np.ndarray) -> int:
        coverage = self.coverage
        staffed = served.sum(axis=0)[:, ts]
        charged = (coverage.is_open | (coverage.need > 0))[:, ts]
        return int(np.where(charged, coverage.cost(staffed, slice(None), ts), 0).sum())

    def improve(
        self, d: int, current: dict[int, list[int]], *, priced: bool = True, share: float | None = None
    ) -> FreeDayOutcome | None:
        """Day ``d`` re-chosen; ``current`` and the coverage and lunches updated in place when it is replaced.

        ``priced`` (with ``switches``): a multi-skilled group's split changes between intervals only as its
        agents arrive or switch queue, each switch charged ``switch_weight``, and the day as it is is charged
        its own switches; otherwise the split is free. ``share``: the most the priced day may be expected
        to be charged, estimated from its relaxation's size before it is solved (one simplex iteration per
        row, each over every nonzero, times ``PRICED_DAY_PER_ITERATION_ROW``: its program in whole numbers
        too); a priced day expected dearer is left for the free split's program. None: a program was not solved.
        """
        problem, coverage, lunches = self.problem, self.coverage, self.lunches
        rules = self.rules
        rules.shift_on = {(a, problem.options[o].day_index): o for a, shifts in current.items() for o in shifts}
        self.seconds += SECONDS_PER_SHIFT * len(rules.shift_on)
        today = {a: o for (a, day), o in rules.shift_on.items() if day == d}
        offered: dict[int, tuple[list[int], bool]] = {}
        hours: dict[int, dict[int | None, int]] = {}
        spent_before = rules.seconds
        for a in range(len(problem.agents)):
            options, may_rest, costs = rules.choices(a, d)
            hours[a] = costs
            if options:
                offered[a] = (options, may_rest)
        self.seconds += rules.seconds - spent_before
        rules.seconds = spent_before
        reach = np.zeros(len(problem.grid), dtype=bool)
        for options, _rest in offered.values():
            for o in options:
                reach[problem.options[o].first_interval : problem.options[o].last_interval] = True
        ts = np.flatnonzero(reach)
        if not len(ts):
            return FreeDayOutcome(day=d, promise=0.0, gain=0, own={})
        position = np.full(len(problem.grid), -1, dtype=np.int64)
        position[ts] = np.arange(len(ts))
        # Agents per group and interval without the day's shifts.
        base = coverage.served.sum(axis=1)[:, ts]
        for a, o in today.items():
            base[coverage.group_of[a], position[self._intervals(o, lunches.at.get((a, o)))]] -= 1
        before = self._day_cost(coverage.served, ts) + sum(costs.get(today.get(a), 0) for a, costs in hours.items())
        switching = None
        if priced and self.switches:
            worked = {a: (o, position[self._intervals(o, lunches.at.get((a, o)))]) for a, o in today.items()}
            switching = day_switches(problem, coverage, d, worked, offered, base, ts, position)
        relaxed, self.dear = None, False
        if switching is not None:
            relaxed = self._solve(d, offered, hours, base, ts, position, today, switching, integer=False, share=share)
            if isinstance(relaxed, str):  # expected dearer than its share: the free split's program
                switching, relaxed, self.dear = None, None, True
            else:
                before += switching.charge(coverage.served[:, :, ts], switching.now)
        if switching is None:
            relaxed = self._solve(d, offered, hours, base, ts, position, today, None, integer=False)
        if relaxed is None or isinstance(relaxed, str):
            return None
        value, x, z, s, whole = relaxed
        promise = max(before - value, 0.0)
        if promise < 1:
            return FreeDayOutcome(day=d, promise=promise, gain=0, own={})
        if not whole:
            narrowed = {
                a: ([o for o in options if x[a, o] > WHOLE or today.get(a) == o], may_rest)
                for a, (options, may_rest) in offered.items()
            }
            lunch_used = {key for key, v in z.items() if v > WHOLE}
            lunch_used |= {(coverage.group_of[a], o, lunches.at.get((a, o))) for a, o in today.items()}
            solved = self._solve(
                d, narrowed, hours, base, ts, position, today, switching, integer=True, lunch_used=lunch_used
            )
            if solved is None or isinstance(solved, str):
                return None
            _value, x, z, s, _whole = solved
        return self._apply(d, current, today, hours, x, z, s, base, ts, before, promise, switching)

    def _solve(
        self,
        d: int,
        offered: dict[int, tuple[list[int], bool]],
        hours: dict[int, dict[int | None, int]],
        base: np.ndarray,
        ts: np.ndarray,
        position: np.ndarray,
        today: dict[int, int],
        switching: DaySwitches | None,
        *,
        integer: bool,
        lunch_used: set[tuple[int, int, int | None]] | None = None,
        share: float | None = None,
    ) -> (
        tuple[
            float,
            dict[tuple[int, int], float],
            dict[tuple[int, int, int | None], float],
            dict[tuple[int, int, int], float],
            bool,
        ]
        | None
        | Literal["dear"]
    ):
        """The day's program: its LP, or (``integer``) in whole numbers from the day as it is.

        Returns its optimum (the day's cost on the scale of ``before``), the agents' choices,
        the agents per (group, option, lunch start), per (group, queue, interval) and whether all are whole.
        ``switching``: the split's switches charged (:mod:`.dayswitches`), the day as it is their hint.
        "dear": built, and the day expected to be charged more than ``share`` (not solved).
        """
        problem, coverage, lunches = self.problem, self.coverage, self.lunches
        program = ProgramArrays([], [], [], [], [])
        inf = float("inf")
        constant = 0.0
        x_index: dict[tuple[int, int], int] = {}
        members: dict[tuple[int, int], list[int]] = defaultdict(list)
        for a in range(len(problem.agents)):
            costs = hours[a]
            if a not in offered:
                constant += costs.get(None, 0)
                continue
            options, may_rest = offered[a]
            rest = costs[None] if may_rest else 0
            constant += rest
            span = []
            for o in options:
                x_index[a, o] = program.add(0.0, 1.0, float(costs[o] - rest), integer=integer)
                span.append(x_index[a, o])
                members[coverage.group_of[a], o].append(x_index[a, o])
            program.rows.append((0.0 if may_rest else 1.0, 1.0, span, [1.0] * len(span)))
        # Lunch starts: whole agents of a group on an option split among them.
        z_index: dict[tuple[int, int, int | None], int] = {}
        serving: dict[tuple[int, int], list[int]] = defaultdict(list)  # (group, interval position) -> z
        arriving_at: dict[tuple[int, int], list[int]] = defaultdict(list)  # (group, position) -> z arriving there
        for (g, o), xs in sorted(members.items()):
            starts = [
                start for start in self._starts_of(o) if lunch_used is None or (g, o, start) in lunch_used
            ] or self._starts_of(o)[:1]
            zs = []
            for start in starts:
                column = program.add(0.0, float(len(xs)) if integer else inf, 0.0, integer=integer)
                z_index[g, o, start] = column
                zs.append(column)
                positions = position[self._intervals(o, start)]
                for p in positions.tolist():
                    serving[g, p].append(column)
                if switching is not None:
                    for p in arriving(positions, len(ts)).tolist():
                        arriving_at[g, p].append(column)
            program.rows.append((0.0, 0.0, [*zs, *xs], [1.0] * len(zs) + [-1.0] * len(xs)))
        # Per group and interval: its agents split among its open queues (one open queue: all of them).
        is_open = coverage.is_open[:, ts]
        direct: dict[tuple[int, int], list[int]] = defaultdict(list)  # (queue, position) -> variables
        fixed = np.zeros((is_open.shape[0], len(ts)), dtype=np.int64)  # agents a queue has without choice
        s_index: dict[tuple[int, int, int], int] = {}
        split_at: dict[tuple[int, int], dict[int, int]] = {}  # (group, position) -> queue -> split column
        for g, queues in enumerate(coverage.group_queues):
            for p in range(len(ts)):
                chosen = serving.get((g, p), [])
                if not chosen and base[g, p] == 0:
                    continue
                open_queues = [q for q in queues.tolist() if is_open[q, p]]
                if not open_queues:
                    continue
                if len(open_queues) == 1:
                    fixed[open_queues[0], p] += base[g, p]
                    direct[open_queues[0], p].extend(chosen)
                    continue
                split = []
                for q in open_queues:
                    s_index[g, q, int(ts[p])] = v = program.add(0.0, inf, 0.0, integer=integer)
                    direct[q, p].append(v)
                    split.append(v)
                split_at[g, p] = dict(zip(open_queues, split, strict=True))
                program.rows.append(
                    (float(base[g, p]), float(base[g, p]), [*split, *chosen], [1.0] * len(split) + [-1.0] * len(chosen))
                )
        # A group's split changes only as its agents arrive (a shift starting, a lunch ending, an agent of
        # another day) or switch queue, each switch charged; agents leaving may leave any queue.
        gained_index: dict[tuple[int, int, int], int] = {}
        switched_index: dict[tuple[int, int], int] = {}
        if switching is not None:
            gained_index, switched_index = add_switches(program, switching, split_at, arriving_at)
        # Per open queue and interval: its cost at whole agents, as segments of equal slope from what it has
        # (every queue and interval's costs from what it has to a little above its need read in one call).
        keys = sorted(direct)
        key_queues = np.array([q for q, _p in keys], dtype=np.int64)
        key_positions = np.array([p for _q, p in keys], dtype=np.int64)
        key_times = ts[key_positions]
        lows = fixed[key_queues, key_positions]
        need_above = -(-coverage.need[key_queues, key_times] // 100)
        tops = np.maximum(np.maximum(lows, need_above), coverage.minimum[key_queues, key_times]) + 2
        width = int((tops - lows).max()) + 1 if keys else 0
        points = lows[:, None] + np.arange(width)[None, :]
        table = coverage.cost(points, key_queues[:, None], key_times[:, None]).tolist()
        for (q, p), row, low, top in zip(keys, table, lows.tolist(), tops.tolist(), strict=True):
            values = row[: top - low + 1]
            constant += float(values[0])
            slopes = [after - before for before, after in zip(values, values[1:], strict=False)]
            segments: list[int] = []
            begin = 0
            for k in range(1, len(slopes) + 1):
                if k == len(slopes) or slopes[k] != slopes[begin]:
                    last = k == len(slopes)
                    segments.append(
                        program.add(0.0, inf if last else float(k - begin), float(slopes[begin]), integer=False)
                    )
                    begin = k
            # The agents it gets by choice equal the segments filled above what it has without choice.
            row = direct[q, p]
            program.rows.append((0.0, 0.0, [*row, *segments], [1.0] * len(row) + [-1.0] * len(segments)))
        # Queues and intervals no choice reaches cost what they cost now.
        charged = (coverage.is_open | (coverage.need > 0))[:, ts]
        for q, p in zip(*np.nonzero(charged), strict=True):
            if (int(q), int(p)) not in direct:
                t = int(ts[p])
                constant += float(coverage.cost(coverage.served[:, q, t].sum(), int(q), np.array(t)))
        model = program.proto()
        solver = pywraplp.Solver.CreateSolver("SCIP" if integer else "GLOP")
        self.seconds += BUILD_SECONDS_PER_TERM * program.terms() + BUILD_SECONDS_PER_PROGRAM
        expected = PRICED_DAY_PER_ITERATION_ROW * SECONDS_PER_ITERATION_NONZERO * len(program.rows) * program.nonzeros()
        if share is not None and expected > share:
            return "dear"
        if solver is None or solver.LoadModelFromProto(model):
            return None
        if integer:
            solver.SetSolverSpecificParametersAsString(SCIP_PARAMETERS)
            every = solver.variables()
            hinted = [(every[i], 1.0 if today.get(a) == o else 0.0) for (a, o), i in x_index.items()]
            counts: dict[tuple[int, int, int | None], int] = defaultdict(int)
            for a, o in today.items():
                counts[coverage.group_of[a], o, lunches.at.get((a, o))] += 1
            hinted += [(every[i], float(counts.get(key, 0))) for key, i in z_index.items()]
            hinted += [(every[i], float(coverage.served[key])) for key, i in s_index.items()]
            if switching is not None:  # the day as it is: its switches from its split
                hints = switch_hints(switching, coverage.served, ts, gained_index, switched_index)
                hinted += [(every[i], value) for i, value in hints]
            solver.SetHint([var for var, _ in hinted], [value for _, value in hinted])
        else:
            solver.SetSolverSpecificParametersAsString(f"max_deterministic_time: {LP_LIMIT:g}")
        status = solver.Solve()
        nonzeros = sum(len(row[2]) for row in program.rows)
        if integer:
            self.seconds += (
                SECONDS_PER_MIP_ENTRY * solver.iterations() * nonzeros
                + SECONDS_PER_NODE * max(solver.nodes() - 1, 0)
                + SOLVE_OVERHEAD
            )
        else:
            self.seconds += SECONDS_PER_ITERATION_NONZERO * solver.iterations() * nonzeros
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None
        response = linear_solver_pb2.MPSolutionResponse()
        solver.FillSolutionResponseProto(response)
        values = response.variable_value
        x = {key: values[i] for key, i in x_index.items()}
        z = {key: values[i] for key, i in z_index.items()}
        s = {key: values[i] for key, i in s_index.items()}
        whole = all(abs(v - round(v)) <= WHOLE for v in [*x.values(), *z.values(), *s.values()])
        # (the segments need not be whole: with the agents whole, filled cheapest first they are)
        self.seconds += SECONDS_PER_SHIFT * len(values)
        return solver.Objective().Value() + constant, x, z, s, whole

    def _apply(
        self,
        d: int,
        current: dict[int, list[int]],
        today: dict[int, int],
        hours: dict[int, dict[int | None, int]],
        x: dict[tuple[int, int], float],
        z: dict[tuple[int, int, int | None], float],
        s: dict[tuple[int, int, int], float],
        base: np.ndarray,
        ts: np.ndarray,
        before: int,
        promise: float,
        switching: DaySwitches | None,
    ) -> FreeDayOutcome:
        """The whole answer made the day when strictly cheaper and no minimum is missed more.

        With ``switching`` the program's split is handed over as it is (not re-split freely), and the
        day's cost counts its switches the way ``before`` does.
        """
        problem, coverage, lunches = self.problem, self.coverage, self.lunches
        after_choice = {a: o for (a, o), v in sorted(x.items()) if v > 0.5}
        on: dict[tuple[int, int], list[int]] = defaultdict(list)
        for a, o in sorted(after_choice.items()):
            on[coverage.group_of[a], o].append(a)
        lunch_of: dict[tuple[int, int], int | None] = {}
        for (g, o), agents in on.items():
            pool: list[int | None] = []
            for start in self._starts_of(o):
                pool.extend([start] * round(z.get((g, o, start), 0.0)))
            waiting = []
            for a in agents:  # an agent keeping its option keeps its lunch when the counts allow
                mine = lunches.at.get((a, o)) if today.get(a) == o else None
                if today.get(a) == o and mine in pool:
                    pool.remove(mine)
                    lunch_of[a, o] = mine
                else:
                    waiting.append(a)
            if len(pool) != len(waiting):
                return FreeDayOutcome(day=d, promise=promise, gain=0, own={})
            for a, start in zip(waiting, pool, strict=True):
                lunch_of[a, o] = start
        # The new counts: each group's agents per interval, split as the program says.
        totals = base.copy()
        for (a, o), start in lunch_of.items():
            totals[coverage.group_of[a], np.searchsorted(ts, self._intervals(o, start))] += 1
        served = coverage.served.copy()
        served[:, :, ts] = 0
        is_open = coverage.is_open[:, ts]
        for g, queues in enumerate(coverage.group_queues):
            for p in np.flatnonzero(totals[g]).tolist():
                open_queues = [q for q in queues.tolist() if is_open[q, p]]
                if not open_queues:  # (no shift serves where its group has no open queue)
                    served[g, :, ts[p]] = coverage.served[g, :, ts[p]]
                    continue
                if len(open_queues) == 1:
                    served[g, open_queues[0], ts[p]] = totals[g, p]
                    continue
                split = [round(s.get((g, q, int(ts[p])), 0.0)) for q in open_queues]
                if sum(split) != totals[g, p]:  # not the program's answer (it could not be): a fresh split
                    split = [int(totals[g, p])] + [0] * (len(open_queues) - 1)
                for q, n in zip(open_queues, split, strict=True):
                    served[g, q, ts[p]] = n
        self.seconds += SECONDS_PER_SHIFT * (len(lunch_of) + served.shape[0] * served.shape[1] * len(ts) // 10)
        saved = coverage.served.copy()
        coverage.served[...] = served
        if switching is None:
            coverage.rebalance(ts)
        after = self._day_cost(coverage.served, ts) + sum(
            costs.get(after_choice.get(a), 0) for a, costs in hours.items()
        )
        if switching is not None:
            shifts = [
                (coverage.group_of[a], np.searchsorted(ts, self._intervals(o, start)))
                for (a, o), start in lunch_of.items()
            ]
            after += switching.charge(coverage.served[:, :, ts], switching.arrivals(shifts))
        missing_before = np.maximum(coverage.minimum - saved.sum(axis=0), 0)
        missing_after = np.maximum(coverage.minimum - coverage.served.sum(axis=0), 0)
        if after >= before or (missing_after > missing_before).any():
            coverage.served[...] = saved
            return FreeDayOutcome(day=d, promise=promise, gain=0, own={})
        own = {}
        for a in sorted(set(today) | set(after_choice)):
            old, new = today.get(a), after_choice.get(a)
            if old != new:
                own[a] = hours[a].get(new, 0) - hours[a].get(old, 0)
                current[a] = [o for o in current[a] if problem.options[o].day_index != d] + (
                    [new] if new is not None else []
                )
        for (a, o), start in lunch_of.items():
            if start is None:
                lunches.at.pop((a, o), None)
            else:
                lunches.at[a, o] = start
        return FreeDayOutcome(day=d, promise=promise, gain=before - after, own=own)
