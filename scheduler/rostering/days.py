"""Whole days re-chosen jointly: every agent's shift on one day and the plans of that day's shifts.

The descent and the polish move one agent at a time; a roster they leave can
still improve when many agents change together (one starts earlier while
another takes the six-hour shift instead of the eight, say), which no single
move finds. On the binding-skill benchmark (100 agents, seed 2) each day of the
polished roster solved exactly this way, everyone's other days fixed, was up
to 3.4% cheaper in that day's intervals, the roster 0.86%
(``benchmarks/roster_day_mip.py``, docs/roster-history.md).

One program per day, everyone's other days fixed as they are:

- each agent works one of its options that day or none, within its rules given
  its other days (rest to the shifts of the day before and after, weekly paid
  minutes and shift count, consecutive days, weekends), and pays its hours
  below target and its preferences (a shift it would avoid, a preferred shift
  missed), and keeps its days off in blocks of the length its rules ask;
  agents this cannot model exactly (fixed days, secondary skills, a previous
  roster) keep their day as it is;
- the agents of a skill group on an option split among its *plans* in whole
  numbers: a lunch start and one queue, or two queues changing at lunch (a
  subset of what the block and switch rules allow, see :mod:`.plans`; the
  plans the day's shifts already follow are offered too, so the day as it is
  is one of its solutions);
- coverage is charged per queue and interval as the objective does, a queue
  minimum never falls below what the day already gives it.

A day is worked in two steps, so that a caller can choose which days deserve
the expensive one (:class:`DayMoves`):

1. :meth:`DayMoves.relax`: the day's linear relaxation (GLOP) over every
   choice and plan. Its optimum bounds what re-choosing the day can gain: the
   day's *promise*, its cost as it is less the relaxation's optimum.
2. :meth:`DayMoves.settle`: the day in whole agents. When the relaxation's
   optimum is already whole it is the answer; otherwise the same program in
   whole agents (SCIP) over the choices and plans the relaxation uses and the
   day as it is: a few hundred variables, its root node only (cuts and
   heuristics; the best whole answer found there). SCIP runs
   single-threaded with its fixed seeds and a node limit and no time limit,
   so its answer does not depend on the machine or its load. The dynamic
   program then mends the day's plans (:mod:`.daymend`).

A day's answer replaces the day only when it is strictly cheaper. The solves
are charged by their simplex iterations and nodes and the Python work is
counted, so a caller stops within its budget whatever the machine.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.rostering.daymend import DayMender
from scheduler.rostering.dayprogram import Column, DayChoices, DayData, solve_program
from scheduler.rostering.dayrules import DayRules
from scheduler.rostering.model import skill_groups
from scheduler.rostering.plans import PlanColumn, block_lengths, lunch_change_plans, option_queues
from scheduler.rostering.problem import SCALE, RosterProblem, understaffing_weight
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan

# Seconds of budget charged, calibrated to CPU time on the 2-core benchmark machine (100 agents,
# 4 weeks: 0.2-0.3 s of CPU per day with binding skills, up to 2 s with hour-long lunches; each
# agent option weighed for a day is charged in :mod:`.dayrules`): per plan column built (with its intervals), per coverage interval
# and queue; building a program, per term and per program (written as arrays, :mod:`.dayprogram`:
# 0.8-1.5 s for 56 programs and 156k-584k terms, seeds 1, 2, 3, 5 at 100 agents, load 5-6); GLOP's simplex per iteration and row or column (1e-8 to
# 2e-8 s measured); SCIP per iteration and nonzero of its LPs (its presolve, cuts and heuristics
# scale with them), per node beyond the root and per program solved; per shift loaded or applied
# (its plan added to the counts). SCIP was charged per iteration and row or column (1.9e-7 s):
# over 123 root-only settlings of the benchmark's 100-agent seeds 1-6 and 9 (session 12, load 4-10)
# that charged seed 1's days 1.5 times their CPU and seed 3's (hour-long lunches, 2,900 iterations
# a day against 700) 0.9 times, the stage that ran the roster process over its budget there; per
# iteration and nonzero the seeds' ratios spread over 0.92-1.13 instead of 0.55-1.10. Building: the
# relaxations' programs were charged 1.4 times their CPU, the settlings' 0.65 times (creating SCIP,
# loading the program and its hint: about 18 ms a settling), hence less per term and more per solve.
SECONDS_PER_COLUMN_INTERVAL = 1e-6
SECONDS_PER_INTERVAL = 5e-5
BUILD_SECONDS_PER_TERM = 9e-7
BUILD_SECONDS_PER_PROGRAM = 0.01
SECONDS_PER_ITERATION_ENTRY = 2e-8
SECONDS_PER_MIP_ENTRY = 5.5e-8
SECONDS_PER_NODE = 0.06
SOLVE_OVERHEAD = 0.028
SECONDS_PER_SHIFT = 5e-6
# A day's relaxation may use this much of GLOP's deterministic time; its program in whole agents
# (the choices and plans the relaxation uses) at most this many branch-and-bound nodes: the root.
# What SCIP's root finds is most of what its branching finds, at a fraction of the charge, and the
# budget it saves settles more days (the polish replayed from make_roster's state, benchmark
# instances at 100 agents, seeds 1 / 2 / 3 / held-out 5, objective with 10 / 3 / 1 nodes:
# 172,575,498 / 172,575,498 / 172,581,700; 118,615,089 / 118,593,591 / 118,585,675; 11,254,250 /
# 11,112,118 / 11,044,090; 78,934,378 / 78,831,160 / 78,566,185; 500 agents seed 2: the same
# roster, its days' programs close at the root).
LP_LIMIT = 2.0
NODE_LIMIT = 1
# A relaxation value this close to a whole number is whole (GLOP's primal tolerance is 1e-7).
WHOLE = 1e-6


@dataclass(frozen=True, slots=True, kw_only=True)
class DaysResult:
    chosen: tuple[tuple[int, int], ...]  # (agent, option) worked, sorted (frozen days included)
    plans: dict[tuple[int, int], ShiftPlan]
    improved: int  # days replaced
    solved: int  # days solved
    seconds: float  # budget charged (deterministic)


@dataclass(frozen=True, slots=True, kw_only=True)
class Relaxed:
    """One day's relaxation, solved: what :meth:`DayMoves.settle` needs to finish the day."""

    day: int
    before: int  # the day's cost as it is (its intervals' coverage, its hours below target, its switches)
    bound: float  # the relaxation's optimum on the same scale
    current: dict[int, int]  # agent -> option worked that day
    choices: DayChoices  # what the day's program chooses among
    written: dict[tuple[int, int], dict[Column, int]]  # (group, option) -> the day's own plans -> agents
    x: dict[tuple[int, int], float]  # the relaxation's (agent, option) values
    z: dict[tuple[int, int, Column], float]  # its agents per (group, option, plan)

    @property
    def promise(self) -> float:
        """What re-choosing the day may gain at most (within what it offers)."""
        return max(self.before - self.bound, 0.0)

    @property
    def whole(self) -> bool:
        """Whether the relaxation's optimum is already in whole agents."""
        return all(abs(v - round(v)) <= WHOLE for v in self.x.values()) and all(
            abs(v - round(v)) <= WHOLE for v in self.z.values()
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DaySetup:
    """One day's program before it is solved: :class:`Relaxed` without the relaxation's answer."""

    day: int
    before: int
    constant: int  # the hours below target of those who rest, which the program leaves out
    current: dict[int, int]
    choices: DayChoices
    written: dict[tuple[int, int], dict[Column, int]]

    def relaxed(
        self, value: float, x: dict[tuple[int, int], float], z: dict[tuple[int, int, Column], float]
    ) -> Relaxed:
        """The day with its relaxation's optimum ``value`` (without the constant) and answer."""
        return Relaxed(
            day=self.day,
            before=self.before,
            bound=value + self.constant,
            current=self.current,
            choices=self.choices,
            written=self.written,
            x=x,
            z=z,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DayOutcome:
    day: int
    replaced: bool
    gain: int  # the day's cost before less after (0 when not replaced)
    # Agents whose shift that day changed (not only its plan), and how much their own soft cost
    # (hours below target, the only one of an agent this stage moves) changed with it.
    moved: dict[int, int]


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


class DayMoves(DayRules):
    """The roster's shifts and plans, and one day's programs around them.

    Built once; :meth:`load` takes the roster as it is now (after agent moves,
    say) and keeps what does not depend on it (each group's plans per option).
    """

    def __init__(self, problem: RosterProblem, chosen: Sequence[tuple[int, int]], plans: dict) -> None:
        super().__init__(problem)
        self.groups = skill_groups(problem)
        self.group_of = [self.groups.index(agent.channels) for agent in problem.agents]
        self.blocks = block_lengths(problem)
        self.need = np.rint(problem.required * SCALE).astype(np.int64)
        settings = problem.settings
        ordinary, peak = understaffing_weight(settings, False), understaffing_weight(settings, True)
        self.weight = np.where(problem.peak, peak, ordinary).astype(np.int64)
        self.charged = problem.is_open.astype(bool) | (self.need > 0)
        self.data = DayData(
            problem=problem, group_of=self.group_of, need=self.need, weight=self.weight, charged=self.charged
        )
        self.column_cache: dict[tuple[int, int], dict[Column, int] | None] = {}
        self.mender = DayMender(problem)
        self.plans: dict[tuple[int, int], ShiftPlan] = {}
        self.counts = np.zeros(problem.required.shape, dtype=np.int64)
        self.load(chosen, plans)

    def load(self, chosen: Iterable[tuple[int, int]], plans: dict[tuple[int, int], ShiftPlan]) -> None:
        """Take the roster as it is: every ``(agent, option)`` worked, frozen days included, and the live plans."""
        problem = self.problem
        self.shift_on = {(a, problem.options[o].day_index): o for a, o in chosen}
        self.plans = dict(plans)
        self.counts = np.zeros(problem.required.shape, dtype=np.int64)
        for (_a, o), plan in self.plans.items():
            self._apply(self.counts, o, plan, +1)
        self.seconds += SECONDS_PER_SHIFT * len(self.plans)

    def chosen(self) -> list[tuple[int, int]]:
        """Every ``(agent, option)`` worked, sorted."""
        return sorted((a, o) for (a, _d), o in self.shift_on.items())

    def cost(self, counts: np.ndarray, reach: np.ndarray) -> int:
        """Coverage cost over the intervals ``reach`` (as the objective charges it)."""
        need, weight = self.need[:, reach], self.weight[:, reach]
        short = np.maximum(need - SCALE * counts[:, reach], 0)
        over = np.maximum(SCALE * counts[:, reach] - need, 0)
        cost = weight * np.minimum(short, SCALE) + 2 * weight * np.maximum(short - SCALE, 0)
        cost = cost + self.problem.settings.overstaffing_weight * over
        return int(np.where(self.charged[:, reach], cost, 0).sum())

    def columns(self, g: int, o: int) -> dict[Column, int] | None:
        """The plans offered to group ``g`` on option ``o`` and their switches (None: a queue opens or closes inside it)."""
        if (g, o) not in self.column_cache:
            queues = option_queues(self.problem, self.groups[g], o)
            offered: dict[Column, int] | None = None
            if queues is not None:
                offered = {}
                for c in lunch_change_plans(self.problem, o, queues):
                    offered.setdefault((c.lunch, c.cover), c.switches)
                self.seconds += SECONDS_PER_COLUMN_INTERVAL * sum(len(key[1]) for key in offered)
            self.column_cache[g, o] = offered
        return self.column_cache[g, o]

    def _program(
        self,
        choices: DayChoices,
        *,
        integer: bool,
        hint: tuple[dict[tuple[int, int], int], dict[tuple[int, int, Column], int]] | None = None,
    ) -> tuple[float, dict[tuple[int, int], float], dict[tuple[int, int, Column], float]] | None:
        """The day's program (:mod:`.dayprogram`): its LP (GLOP), or (``integer``) the MIP (SCIP, node limit).

        ``hint``: a solution to start from, as agents' choices and plans' agent counts (the others 0).
        Returns its optimum (without the hours of those who rest), the agents' choices and the plans'
        agent counts (None: not solved).
        """
        # SCIP runs single-threaded with fixed seeds: without a time limit its answer is the same on
        # any machine; the node limit bounds its work deterministically (GLOP: deterministic time).
        parameters = f"limits/nodes = {NODE_LIMIT}" if integer else f"max_deterministic_time: {LP_LIMIT:g}"
        solved, terms, entries, nodes = solve_program(
            self.data,
            self.counts,
            choices,
            integer=integer,
            parameters=parameters,
            hint=hint,
        )
        self.seconds += BUILD_SECONDS_PER_TERM * terms + BUILD_SECONDS_PER_PROGRAM
        if integer:
            self.seconds += SECONDS_PER_MIP_ENTRY * entries + SECONDS_PER_NODE * max(nodes - 1, 0) + SOLVE_OVERHEAD
        else:
            self.seconds += SECONDS_PER_ITERATION_ENTRY * entries
        return None if solved is None else (solved.value, solved.x, solved.z)

    def relax(self, d: int) -> Relaxed | None:
        """Day ``d``'s linear relaxation over every choice and plan (None: not solved)."""
        day = self.day_setup(d)
        solved = self._program(day.choices, integer=False)
        if solved is None:
            return None
        value, x, z = solved
        return day.relaxed(value, x, z)

    def day_setup(self, d: int) -> DaySetup:
        """What day ``d``'s programs are built from: its agents' choices and costs, the plans offered, the counts."""
        problem = self.problem
        current = {a: o for (a, day), o in self.shift_on.items() if day == d}
        hours: dict[int, dict[int | None, int]] = {}
        offered: dict[int, tuple[list[int], bool]] = {}
        constant = 0  # the hours below target of those who rest, which the program leaves out
        for a in range(len(problem.agents)):
            options, may_rest, costs = self.choices(a, d)
            hours[a] = costs
            if options:
                offered[a] = (options, may_rest)
            if not options or may_rest:
                constant += costs.get(None, 0)
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
                columns = self.columns(g, o)
                own = written.get((g, o), {})
                if columns is not None and all(key in columns for key in own):
                    keyed[g, o] = columns
                    continue
                extended = dict(columns or {})
                for key in own:
                    extended.setdefault(key, _switches(plan_of_column(problem, o, key)))
                keyed[g, o] = extended
        base = self.counts.copy()
        for a, o in current.items():
            self._apply(base, o, self.plans[a, o], -1)
        reach = np.zeros(len(problem.grid), dtype=bool)
        for options, _rest in offered.values():
            for o in options:
                reach[problem.options[o].first_interval : problem.options[o].last_interval] = True
        self.seconds += SECONDS_PER_INTERVAL * len(problem.queues) * int(reach.sum()) + SECONDS_PER_SHIFT * len(current)
        before = (
            self.cost(self.counts, reach)
            + sum(costs.get(current.get(a), 0) for a, costs in hours.items())
            + problem.settings.switch_weight * sum(_switches(self.plans[a, o]) for a, o in current.items())
        )
        return DaySetup(
            day=d,
            before=before,
            constant=constant,
            current=current,
            choices=DayChoices(offered=offered, hours=hours, keyed=keyed, base=base, reach=reach),
            written=written,
        )

    def settle(self, relaxed: Relaxed) -> DayOutcome | None:
        """The day in whole agents, from its relaxation; applied when strictly cheaper (None: not solved).

        The relaxation's optimum when it is whole; otherwise the program in whole agents (SCIP) over
        the choices and plans the relaxation uses and the day as it is.
        """
        problem = self.problem
        d, current, offered = relaxed.day, relaxed.current, relaxed.choices.offered
        if relaxed.promise < 1:  # costs are whole numbers: nothing to gain
            return DayOutcome(day=d, replaced=False, gain=0, moved={})
        if relaxed.whole:
            chosen_x, counts_z, keys = relaxed.x, relaxed.z, relaxed.choices.keyed
        else:
            narrowed = {
                a: ([o for o in options if relaxed.x[a, o] > WHOLE or current.get(a) == o], may_rest)
                for a, (options, may_rest) in offered.items()
            }
            keys = {
                (g, o): {
                    key: switches
                    for key, switches in columns.items()
                    if key in relaxed.written.get((g, o), {}) or relaxed.z.get((g, o, key), 0.0) > WHOLE
                }
                for (g, o), columns in relaxed.choices.keyed.items()
            }
            # The day as it is, a solution of the program, as SCIP's first incumbent: its root heuristics
            # start from it (fewer iterations, and better answers where the root alone finds none).
            hint = (
                {(a, o): 1 for a, o in current.items()},
                {(g, o, key): n for (g, o), plans in relaxed.written.items() for key, n in plans.items()},
            )
            narrowed_choices = dataclasses.replace(relaxed.choices, offered=narrowed, keyed=keys)
            solved = self._program(narrowed_choices, integer=True, hint=hint)
            if solved is None:
                return None
            _value, chosen_x, counts_z = solved
        # The new day: each agent on a plan its group's counts give its option.
        new_plans: dict[tuple[int, int], ShiftPlan] = {}
        on: dict[tuple[int, int], list[int]] = defaultdict(list)
        for (a, o), value in sorted(chosen_x.items()):
            if value > 0.5:
                on[self.group_of[a], o].append(a)
        for (g, o), agents in on.items():
            pool: list[Column] = []
            for key in keys[g, o]:
                pool.extend([key] * round(counts_z.get((g, o, key), 0.0)))
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
        counts = relaxed.choices.base.copy()
        for (_a, o), plan in new_plans.items():
            self._apply(counts, o, plan, +1)
        self.seconds += SECONDS_PER_SHIFT * len(new_plans)
        # The program offers plans changing queue at lunch only; the dynamic program mends them (daymend.py).
        self.seconds += self.mender.mend(new_plans, counts, list(new_plans))
        after_hours = {a: o for a, o in new_plans}
        after = (
            self.cost(counts, relaxed.choices.reach)
            + sum(costs.get(after_hours.get(a), 0) for a, costs in relaxed.choices.hours.items())
            + problem.settings.switch_weight * sum(_switches(plan) for plan in new_plans.values())
        )
        missing_before = np.maximum(problem.min_agents - self.counts, 0)
        if after >= relaxed.before or (np.maximum(problem.min_agents - counts, 0) > missing_before).any():
            return DayOutcome(day=d, replaced=False, gain=0, moved={})
        for a, o in current.items():
            del self.plans[a, o]
            del self.shift_on[a, d]
        for (a, o), plan in new_plans.items():
            self.plans[a, o] = plan
            self.shift_on[a, d] = o
        self.counts = counts
        moved = {
            a: relaxed.choices.hours[a].get(after_hours.get(a), 0) - relaxed.choices.hours[a].get(current.get(a), 0)
            for a in sorted(set(current) | set(after_hours))
            if current.get(a) != after_hours.get(a)
        }
        return DayOutcome(day=d, replaced=True, gain=relaxed.before - after, moved=moved)

    def improve(self, d: int) -> bool | None:
        """Day ``d`` re-chosen; True when it was replaced, False when not better, None when not solved."""
        relaxed = self.relax(d)
        if relaxed is None:
            return None
        outcome = self.settle(relaxed)
        return None if outcome is None else outcome.replaced

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
    days = DayMoves(problem, chosen, plans)
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
    return DaysResult(
        chosen=tuple(days.chosen()), plans=days.plans, improved=improved, solved=solved, seconds=days.seconds
    )
