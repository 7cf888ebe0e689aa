"""Which shifts are worked: where the polished roster loses against the relaxation, and crews (issue 14).

A probe outside any budget (session 16, docs/roster-history.md "Which shifts are worked (session
16)"). It runs ``make_roster`` on one benchmark instance with the automatic budget, keeping what
each stage hands on (the descent's free split, the activity stage's and the polish's plans), then:

``--where``: the coverage cost of the written roster, of the same shifts with queues split freely
per skill group (:meth:`~scheduler.rostering.coveragecost.CoverageCost.rebalance`), of the
descent's free split and of the bound's first relaxation (whole agents per queue, per week: its
agents per queue and interval read from its solved LP), per week, local day, queue and hour, and
the agents each skill group serves per queue and week in the roster and the relaxation.

``--crews N``: N *crews* re-chosen on the polished roster, each a few agents (``--size``, a
deterministic shuffle of the agents the programs model exactly) and one week, or every such agent
on the days ``--days D1,D2`` (a run of days): every member's shifts on those days re-chosen jointly,
the other days and agents fixed (:class:`Crews`), printed with the relaxation's promise, what was
gained in whole numbers, its CPU and its charge.

    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.roster_crews --seed 5 --where
    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.roster_crews --seed 3 --crews 8 --size 8
    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.roster_crews --seed 5 --crews 1 --days 14,15

A crew's program (every member and day: its options or none within its rules given its other
days, weekly paid minutes and shifts, rest, consecutive days, weekends; the members of a skill
group on an option split among its plans of one queue or a change at lunch and their own plans;
coverage as the objective charges it, queue minimums kept) is solved as an LP (GLOP), then in
whole numbers over what the LP uses and the crew as it is (SCIP's root, from a complete hint);
the new plans are mended by the activity stage's dynamic program (:mod:`scheduler.rostering.daymend`),
every changed member's shifts checked against its own model (every hard rule), and the crew
replaced only when strictly cheaper. Measured in session 16: the LPs promise 0.07-1M a crew and
the whole numbers realise 0-35k, 5-10k per CPU second, where the polish's last moves gain 40-80k
per counted second: not in the product.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from unittest import mock

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

import scheduler.rostering as rostering
from benchmarks.roster_instances import make_instance
from scheduler.rostering.agentmodels import AgentModels
from scheduler.rostering.aggregate import solve_aggregate
from scheduler.rostering.bound import week_blocks
from scheduler.rostering.coveragecost import CoverageCost
from scheduler.rostering.daymend import DayMender
from scheduler.rostering.days import column_of, plan_of_column
from scheduler.rostering.freedays import ProgramArrays
from scheduler.rostering.model import skill_groups
from scheduler.rostering.plans import lunch_change_plans, option_queues
from scheduler.rostering.problem import SCALE, RosterProblem, understaffing_weight
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan

# Members of a crew, and the plans a multi-skilled group keeps per option (the best against what
# one more agent saves; its single-queue plans and the members' own are always kept).
CREW_SIZE = 8
CHANGE_PLANS = 4
# What a crew would be charged in the product: the descent's whole days' rates (freedays.py: GLOP
# per simplex iteration and nonzero, SCIP per iteration and nonzero and per program), per term
# written and program, per plan interval valued, per crew drawn. Not fitted on crews: under load
# 5-6 they ran 0.7-1.5 times their charge (session 16); the agents' checks are the agent solves'.
BUILD_SECONDS_PER_TERM = 6e-7
BUILD_SECONDS_PER_PROGRAM = 0.004
SECONDS_PER_ITERATION_NONZERO = 4.3e-9
SECONDS_PER_MIP_ENTRY = 1.6e-8
SOLVE_OVERHEAD = 0.015
SECONDS_PER_PLAN_INTERVAL = 1.5e-7
SECONDS_PER_CREW = 0.002
LP_LIMIT = 2.0
SCIP_PARAMETERS = "limits/nodes = 1\n"
WHOLE = 1e-6

Cover = tuple[int | None, tuple[tuple[int, int], ...]]  # lunch start, (interval, queue) worked


@dataclass(frozen=True, slots=True, kw_only=True)
class CrewOutcome:
    days: tuple[int, ...]
    members: tuple[int, ...]
    promise: float  # the crew's cost as it was less its relaxation's optimum
    gain: int  # the crew's cost before less after (0: not replaced)
    touched: frozenset[int]  # days whose shifts changed


def switches_of(plan: ShiftPlan) -> int:
    worked = [q for q in plan.queues if q != LUNCH]
    return sum(1 for before, after in zip(worked, worked[1:], strict=False) if before != after)


class Crews:
    """Crews drawn and re-chosen over the polish's state (its ``current``, ``plans`` and ``counts``)."""

    def __init__(
        self, problem: RosterProblem, models: AgentModels, *, narrow: bool = True, size: int = CREW_SIZE
    ) -> None:
        self.size = size
        self.problem = problem
        self.narrow = narrow  # the program in whole numbers over what the LP uses (False: over every choice)
        self.models = models
        settings = problem.settings
        self.groups = skill_groups(problem)
        self.group_of = [self.groups.index(agent.channels) for agent in problem.agents]
        self.need = np.rint(problem.required * SCALE).astype(np.int64)
        ordinary, peak = understaffing_weight(settings, False), understaffing_weight(settings, True)
        self.weight = np.where(problem.peak, peak, ordinary).astype(np.int64)
        self.charged = problem.is_open.astype(bool) | (self.need > 0)
        self.over = settings.overstaffing_weight
        self.switch = settings.switch_weight
        self.mender = DayMender(problem)
        self.seconds = 0.0
        self.week_of = {d: w for w, days in enumerate(problem.weeks) for d in days}
        self.weeks = [w for w, days in enumerate(problem.weeks) if not any(d in problem.frozen_days for d in days)]
        # Agents the program models exactly: their rules and costs are the ones written below.
        self.members = [
            a
            for a, agent in enumerate(problem.agents)
            if not (agent.secondary_queues or agent.preferences or problem.fixed.get(a) or problem.previous.get(a))
            and problem.rules[a].min_consecutive_days_off <= 1
        ]
        self.on_day: list[dict[int, list[int]]] = []
        for a in range(len(problem.agents)):
            by_day: dict[int, list[int]] = defaultdict(list)
            for o in problem.allowed[a]:
                by_day[problem.options[o].day_index].append(o)
            self.on_day.append(by_day)
        self.plan_cache: dict[tuple[int, int], list[tuple[Cover, int]] | None] = {}
        self.rounds = 0
        self.order: list[tuple[int, int]] = []  # (week, crew) of the round
        self.crews: list[tuple[int, ...]] = []
        self.cursor = 0

    # ------------------------------------------------------------------ choosing crews

    def next_crew(self) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """The next week and members: each round every week once, members a fresh deterministic shuffle."""
        if not self.weeks or len(self.members) < 2:
            return None
        if self.cursor >= len(self.order):
            rng = np.random.default_rng([20261202, self.rounds])
            self.rounds += 1
            shuffled = [self.members[i] for i in rng.permutation(len(self.members)).tolist()]
            crews = [tuple(sorted(shuffled[i : i + self.size])) for i in range(0, len(shuffled), self.size)]
            crews = [crew for crew in crews if len(crew) >= 2]
            self.order = [(w, c) for c in range(len(crews)) for w in self.weeks]
            self.crews = crews
            self.cursor = 0
            if not self.order:
                return None
        w, c = self.order[self.cursor]
        self.cursor += 1
        self.seconds += SECONDS_PER_CREW
        return self.problem.weeks[w], self.crews[c]

    # ------------------------------------------------------------------ costs

    def cost(self, counts: np.ndarray, reach: np.ndarray) -> int:
        need, weight = self.need[:, reach], self.weight[:, reach]
        short = np.maximum(need - SCALE * counts[:, reach], 0)
        over = np.maximum(SCALE * counts[:, reach] - need, 0)
        cost = weight * np.minimum(short, SCALE) + 2 * weight * np.maximum(short - SCALE, 0) + self.over * over
        return int(np.where(self.charged[:, reach], cost, 0).sum())

    def _plans(self, g: int, o: int, gain: np.ndarray) -> list[tuple[Cover, int]] | None:
        """Group ``g``'s plans on option ``o``: every single-queue plan, the best few changing at lunch."""
        key = (g, o)
        if key not in self.plan_cache:
            queues = option_queues(self.problem, self.groups[g], o)
            if queues is None:
                self.plan_cache[key] = None
            else:
                listed = lunch_change_plans(self.problem, o, queues)
                self.plan_cache[key] = [((c.lunch, c.cover), c.switches) for c in listed]
                self.seconds += SECONDS_PER_PLAN_INTERVAL * sum(len(c.cover) for c in listed)
        listed = self.plan_cache[key]
        if listed is None:
            return None
        single = [(cover, s) for cover, s in listed if s == 0]
        changing = [(cover, s) for cover, s in listed if s > 0]
        if len(changing) > CHANGE_PLANS:
            self.seconds += SECONDS_PER_PLAN_INTERVAL * sum(len(cover[1]) for cover, _s in changing)

            def worth(item: tuple[Cover, int]) -> float:
                cover, s = item
                return sum(float(gain[q, t]) for t, q in cover[1]) - self.switch * s

            changing = sorted(changing, key=worth, reverse=True)[:CHANGE_PLANS]
        return single + changing

    # ------------------------------------------------------------------ one crew

    def improve(
        self,
        days: Sequence[int],
        crew: Sequence[int],
        current: dict[int, list[int]],
        plans: dict[tuple[int, int], ShiftPlan],
        counts: np.ndarray,
    ) -> CrewOutcome | None:
        """The crew's week re-chosen; ``current``, ``plans`` and ``counts`` updated in place when replaced.

        None: a program was not solved.
        """
        problem = self.problem
        days = tuple(sorted(days))
        in_week = set(days)
        shift_on = {(a, problem.options[o].day_index): o for a in crew for o in current[a]}
        old = {a: [o for o in current[a] if problem.options[o].day_index in in_week] for a in crew}
        base = counts.copy()
        for a in crew:
            for o in old[a]:
                _apply(base, problem, o, plans[a, o], -1)
        # The options each member may take, and its rows.
        choices: dict[int, dict[int, list[int]]] = {}
        for a in crew:
            rules = problem.rules[a]
            first, last = days[0], days[-1]
            before, after = shift_on.get((a, first - 1)), shift_on.get((a, last + 1))
            per_day: dict[int, list[int]] = {}
            for d in days:
                options = []
                for o in self.on_day[a].get(d, ()):
                    option = problem.options[o]
                    if d == first and before is not None:
                        if option.start_minute < problem.options[before].end_minute + rules.min_rest_minutes:
                            continue
                    if d == last and after is not None:
                        if problem.options[after].start_minute < option.end_minute + rules.min_rest_minutes:
                            continue
                    options.append(o)
                for o in old[a]:
                    if problem.options[o].day_index == d and o not in options:
                        options.append(o)
                per_day[d] = options
            choices[a] = per_day
            self.seconds += SECONDS_PER_PLAN_INTERVAL * sum(len(v) for v in per_day.values())
        reach = np.zeros(len(problem.grid), dtype=bool)
        for per_day in choices.values():
            for options in per_day.values():
                for o in options:
                    reach[problem.options[o].first_interval : problem.options[o].last_interval] = True
        if not reach.any():
            return CrewOutcome(days=days, members=tuple(crew), promise=0.0, gain=0, touched=frozenset())
        saving = self._saving(base)
        hours_before = sum(self._hours(a, days, old[a], shift_on) for a in crew)
        old_switches = sum(switches_of(plans[a, o]) for a in crew for o in old[a])
        before = self.cost(counts, reach) + self.switch * old_switches + hours_before
        written: dict[tuple[int, int], dict[Cover, int]] = defaultdict(dict)
        held: dict[tuple[int, int, Cover], int] = defaultdict(int)
        for a in crew:
            for o in old[a]:
                plan = plans[a, o]
                key = column_of(problem, o, plan)
                written[self.group_of[a], o][key] = switches_of(plan)
                held[self.group_of[a], o, key] += 1
        relaxed = self._solve(
            days, crew, choices, base, counts, reach, saving, written, shift_on, integer=False, old=old
        )
        if relaxed is None:
            return None
        value, x, z = relaxed
        promise = max(before - value, 0.0)
        if promise < 1:
            return CrewOutcome(days=days, members=tuple(crew), promise=promise, gain=0, touched=frozenset())
        whole = all(abs(v - round(v)) <= WHOLE for v in x.values()) and all(
            abs(v - round(v)) <= WHOLE for v in z.values()
        )
        if not whole:
            narrowed = (
                choices
                if not self.narrow
                else {
                    a: {
                        d: [o for o in options if x.get((a, o), 0.0) > WHOLE or o in old[a]]
                        for d, options in per_day.items()
                    }
                    for a, per_day in choices.items()
                }
            )
            used = {key for key, v in z.items() if v > WHOLE} if self.narrow else None
            solved = self._solve(
                days,
                crew,
                narrowed,
                base,
                counts,
                reach,
                saving,
                written,
                shift_on,
                integer=True,
                used=used,
                old=old,
                held=held,
            )
            if solved is None:
                return None
            _value, x, z = solved
        return self._apply(days, crew, old, x, z, current, plans, counts, base, reach, before, promise, shift_on)

    def _saving(self, base: np.ndarray) -> np.ndarray:
        need, weight = self.need, self.weight

        def cost(n: np.ndarray) -> np.ndarray:
            short = np.maximum(need - SCALE * n, 0)
            over = np.maximum(SCALE * n - need, 0)
            return weight * np.minimum(short, SCALE) + 2 * weight * np.maximum(short - SCALE, 0) + self.over * over

        self.seconds += SECONDS_PER_PLAN_INTERVAL * base.size
        return np.where(self.charged, cost(base) - cost(base + 1), 0)

    def _hours(self, a: int, days: Sequence[int], shifts: Sequence[int], shift_on: dict[tuple[int, int], int]) -> int:
        """Agent ``a``'s hours below target in the weeks of ``days``, working ``shifts`` on them (the rest as it is)."""
        problem = self.problem
        total = 0
        for w in sorted({self.week_of[d] for d in days}):
            low, _high, target = problem.rules[a].week_minutes[w]
            if target <= low:
                continue
            minutes = sum(
                problem.options[o].paid_minutes
                for o in [*shifts, *(shift_on[a, d] for d in problem.weeks[w] if d not in days and (a, d) in shift_on)]
                if problem.options[o].day_index in problem.weeks[w]
            )
            total += problem.settings.hours_weight * max(target - minutes, 0)
        return total

    def _solve(
        self,
        days: Sequence[int],
        crew: Sequence[int],
        choices: dict[int, dict[int, list[int]]],
        base: np.ndarray,
        counts: np.ndarray,
        reach: np.ndarray,
        saving: np.ndarray,
        written: dict[tuple[int, int], dict[Cover, int]],
        shift_on: dict[tuple[int, int], int],
        *,
        integer: bool,
        used: set[tuple[int, int, Cover]] | None = None,
        old: dict[int, list[int]] | None = None,
        held: dict[tuple[int, int, Cover], int] | None = None,
    ) -> tuple[float, dict[tuple[int, int], float], dict[tuple[int, int, Cover], float]] | None:
        """The crew's program: its LP, or (``integer``) in whole numbers over ``used``, from the crew as it is.

        Returns its optimum (on the scale of the crew's cost), the members' choices and the plans' agents.
        """
        problem = self.problem
        program = ProgramArrays([], [], [], [], [])
        inf = float("inf")
        start_values: dict[int, float] = {}  # the crew as it is, beside its choices and plans (a complete hint)
        x_index: dict[tuple[int, int], int] = {}
        members: dict[tuple[int, int], list[int]] = defaultdict(list)
        for a in crew:
            rules = problem.rules[a]
            per_day = choices[a]
            works: dict[int, list[int]] = {}
            paid: dict[int, list[tuple[int, float]]] = defaultdict(list)  # week -> (variable, paid minutes)
            for d, options in per_day.items():
                span = []
                for o in options:
                    x_index[a, o] = v = program.add(0.0, 1.0, 0.0, integer=integer)
                    members[self.group_of[a], o].append(v)
                    span.append(v)
                    paid[self.week_of[d]].append((v, float(problem.options[o].paid_minutes)))
                works[d] = span
                if span:
                    program.rows.append((0.0, 1.0, span, [1.0] * len(span)))
            # Per week touched: paid minutes and shifts within the contract, the week's other days as they are.
            for w, terms in sorted(paid.items()):
                low, high, target = rules.week_minutes[w]
                others = [shift_on[a, d] for d in problem.weeks[w] if d not in per_day and (a, d) in shift_on]
                minutes = float(sum(problem.options[o].paid_minutes for o in others))
                every = [v for v, _m in terms]
                program.rows.append((low - minutes, high - minutes, every, [m for _v, m in terms]))
                program.rows.append((0.0, float(rules.max_shifts_per_week - len(others)), every, [1.0] * len(every)))
                weight = problem.settings.hours_weight if target > low else 0
                minutes_now = minutes + sum(
                    problem.options[o].paid_minutes
                    for o in (old or {}).get(a, ())
                    if self.week_of[problem.options[o].day_index] == w
                )
                if weight:
                    under = program.add(0.0, inf, float(weight))
                    start_values[under] = float(max(target - minutes_now, 0))
                    program.rows.append((target - minutes, inf, [under, *every], [1.0] + [m for _v, m in terms]))
            # Rest between the crew's days.
            for d in per_day:
                if d + 1 not in per_day:
                    continue
                tomorrow = [(problem.options[o2].start_minute, x_index[a, o2]) for o2 in per_day[d + 1]]
                for o in per_day[d]:
                    latest = problem.options[o].end_minute + rules.min_rest_minutes
                    clash = [v for start, v in tomorrow if start < latest]
                    if clash:
                        program.rows.append((0.0, 1.0, [x_index[a, o], *clash], [1.0] * (len(clash) + 1)))
            # Consecutive days: every window of limit + 1 days touching the week, days outside it as they are
            # (before the horizon: the run the previous roster ends with; after it: none).
            limit = rules.max_consecutive_days
            earlier = min(problem.worked_before.get(a, 0), limit)
            for start in range(min(per_day) - limit, max(per_day) + 1):
                window = range(start, start + limit + 1)
                inside = [v for d in window if d in works for v in works[d]]
                if not inside:
                    continue
                fixed = sum(1 for d in window if d not in works and ((a, d) in shift_on or -earlier <= d < 0))
                room = limit - fixed
                if sum(1 for d in window if d in works) > room:
                    program.rows.append((-inf, float(room), inside, [1.0] * len(inside)))
            # Weekends: at most max_weekends over the horizon, those outside the week as they are.
            if rules.max_weekends < len(problem.weekends):
                elsewhere = 0
                indicators = []
                for weekend in problem.weekends:
                    here = [d for d in weekend if d in works and works[d]]
                    outside = any((a, d) in shift_on for d in weekend if d not in works)
                    if outside or not here:
                        elsewhere += outside
                        continue
                    v = program.add(0.0, 1.0, 0.0)
                    start_values[v] = float(any((a, d) in shift_on for d in here))
                    indicators.append(v)
                    for d in here:
                        program.rows.append((0.0, inf, [v, *works[d]], [1.0] + [-1.0] * len(works[d])))
                if indicators:
                    program.rows.append(
                        (-inf, float(rules.max_weekends - elsewhere), indicators, [1.0] * len(indicators))
                    )
        # Coverage per queue and interval: need - SCALE * (base + served) = short1 + short2 - over.
        cover: dict[tuple[int, int], list[int]] = {}
        floors: dict[tuple[int, int], list[int]] = {}
        heads: list[tuple[tuple[int, int], float, int]] = []
        for q in range(len(problem.queues)):
            for t in np.flatnonzero(reach & self.charged[q]).tolist():
                w = float(self.weight[q, t])
                first = program.add(0.0, float(SCALE), w)
                program.add(0.0, inf, 2 * w)
                program.add(0.0, inf, float(self.over))
                short = int(self.need[q, t]) - SCALE * int(counts[q, t])
                start_values[first] = float(min(max(short, 0), SCALE))
                start_values[first + 1] = float(max(short - SCALE, 0))
                start_values[first + 2] = float(max(-short, 0))
                heads.append(((q, t), float(self.need[q, t] - SCALE * base[q, t]), first))
                cover[q, t] = []
                if min(int(problem.min_agents[q, t]), int(counts[q, t])) - int(base[q, t]) > 0:
                    floors[q, t] = []
        z_index: dict[tuple[int, int, Cover], int] = {}
        links = []
        for (g, o), agents in sorted(members.items()):
            offered = self._plans(g, o, saving) or []
            keyed = dict(offered)
            for key, s in written.get((g, o), {}).items():
                keyed.setdefault(key, s)
            if used is not None:
                keyed = {key: s for key, s in keyed.items() if (g, o, key) in used or key in written.get((g, o), {})}
                if not keyed:  # the relaxation used none: the best single plan keeps the option open
                    keyed = dict(offered[:1])
            plan_vars = []
            for key, s in keyed.items():
                z = program.add(0.0, float(len(agents)) if integer else inf, float(self.switch * s), integer=integer)
                z_index[g, o, key] = z
                plan_vars.append(z)
                for t, q in key[1]:
                    served = cover.get((q, t))
                    if served is not None:
                        served.append(z)
                        floor = floors.get((q, t))
                        if floor is not None:
                            floor.append(z)
            links.append((agents, plan_vars))
        for (q, t), need, first in heads:
            served = cover[q, t]
            program.rows.append(
                (need, need, [first, first + 1, first + 2, *served], [1.0, 1.0, -1.0] + [float(SCALE)] * len(served))
            )
            floor = floors.get((q, t))
            if floor is not None:
                minimum = min(int(problem.min_agents[q, t]), int(counts[q, t])) - int(base[q, t])
                program.rows.append((float(minimum), inf, floor, [1.0] * len(floor)))
        for agents, plan_vars in links:
            program.rows.append((0.0, 0.0, [*agents, *plan_vars], [-1.0] * len(agents) + [1.0] * len(plan_vars)))
        model = program.proto()
        nonzeros = program.nonzeros()
        self.seconds += BUILD_SECONDS_PER_TERM * (len(program.lower) + nonzeros) + BUILD_SECONDS_PER_PROGRAM
        solver = pywraplp.Solver.CreateSolver("SCIP" if integer else "GLOP")
        if solver is None or solver.LoadModelFromProto(model):
            return None
        if integer:
            solver.SetSolverSpecificParametersAsString(SCIP_PARAMETERS)
            # A complete solution (every variable): SCIP completes a partial one only by search.
            assert old is not None and held is not None
            for (a, o), i in x_index.items():
                start_values[i] = 1.0 if o in old[a] else 0.0
            for key, i in z_index.items():
                start_values[i] = float(held.get(key, 0))
            every = solver.variables()
            solver.SetHint(every, [start_values.get(i, 0.0) for i in range(len(every))])
        else:
            solver.SetSolverSpecificParametersAsString(f"max_deterministic_time: {LP_LIMIT:g}")
        status = solver.Solve()
        if integer:
            self.seconds += SOLVE_OVERHEAD + SECONDS_PER_MIP_ENTRY * solver.iterations() * nonzeros
        else:
            self.seconds += SECONDS_PER_ITERATION_NONZERO * solver.iterations() * nonzeros
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None
        response = linear_solver_pb2.MPSolutionResponse()
        solver.FillSolutionResponseProto(response)
        values = response.variable_value
        self.seconds += 1e-7 * len(values)
        x = {key: values[i] for key, i in x_index.items()}
        z = {key: values[i] for key, i in z_index.items()}
        return solver.Objective().Value(), x, z

    def _apply(
        self,
        days: Sequence[int],
        crew: Sequence[int],
        old: dict[int, list[int]],
        x: dict[tuple[int, int], float],
        z: dict[tuple[int, int, Cover], float],
        current: dict[int, list[int]],
        plans: dict[tuple[int, int], ShiftPlan],
        counts: np.ndarray,
        base: np.ndarray,
        reach: np.ndarray,
        before: int,
        promise: float,
        shift_on: dict[tuple[int, int], int],
    ) -> CrewOutcome:
        problem = self.problem
        nothing = CrewOutcome(days=days, members=tuple(crew), promise=promise, gain=0, touched=frozenset())
        new = {a: sorted(o for (b, o), v in x.items() if b == a and v > 0.5) for a in crew}
        # Plans handed out per (group, option): the members keeping their option keep their plan if offered.
        pool: dict[tuple[int, int], list[Cover]] = defaultdict(list)
        for (g, o, key), v in sorted(z.items(), key=lambda item: (item[0][0], item[0][1], -item[1])):
            pool[g, o].extend([key] * round(v))
        new_plans: dict[tuple[int, int], ShiftPlan] = {}
        for a in crew:
            for o in new[a]:
                if o in old[a]:
                    key = column_of(problem, o, plans[a, o])
                    if key in pool[self.group_of[a], o]:
                        pool[self.group_of[a], o].remove(key)
                        new_plans[a, o] = plans[a, o]
        for a in crew:
            for o in new[a]:
                if (a, o) in new_plans:
                    continue
                if not pool[self.group_of[a], o]:
                    return nothing  # not the program's answer (it could not be): keep the crew
                new_plans[a, o] = plan_of_column(problem, o, pool[self.group_of[a], o].pop(0))
        changed = [a for a in crew if new[a] != sorted(old[a])]
        if not changed and all(new_plans[a, o] == plans[a, o] for a in crew for o in new[a]):
            return nothing
        trial = base.copy()
        for (_a, o), plan in new_plans.items():
            _apply(trial, problem, o, plan, +1)
        trial_plans = dict(plans)
        for a in crew:
            for o in old[a]:
                del trial_plans[a, o]
        trial_plans.update(new_plans)
        self.seconds += self.mender.mend(trial_plans, trial, sorted(new_plans))
        missing_before = np.maximum(problem.min_agents - counts, 0).sum()
        if np.maximum(problem.min_agents - trial, 0).sum() > missing_before:
            return nothing
        switches = sum(switches_of(trial_plans[key]) for key in new_plans)
        after = (
            self.cost(trial, reach) + self.switch * switches + sum(self._hours(a, days, new[a], shift_on) for a in crew)
        )
        if after >= before:
            return nothing
        # Every changed member's shifts against its own model: every hard rule, and its own soft cost.
        models = self.models
        saved = {a: models.remembered_cost(a) for a in changed}
        own_change = 0
        new_current = {}
        for a in changed:
            shifts = sorted([o for o in current[a] if problem.options[o].day_index not in days] + new[a])
            if saved[a] is None:
                models.remember(a, current[a])
                saved[a] = models.remembered_cost(a)
            models.restore_cost(a, None)
            models.remember(a, shifts)
            if models.remembered_cost(a) is None or saved[a] is None:
                for b, cost in saved.items():
                    models.restore_cost(b, cost)
                return nothing
            own_change += (models.remembered_cost(a) or 0) - saved[a]
            new_current[a] = shifts
        hours_change = sum(
            self._hours(a, days, new[a], shift_on) - self._hours(a, days, old[a], shift_on) for a in crew
        )
        gain = before - after - (own_change - hours_change)
        if gain <= 0:
            for b, cost in saved.items():
                models.restore_cost(b, cost)
            return nothing
        for a in crew:
            for o in old[a]:
                del plans[a, o]
        for key in new_plans:
            plans[key] = trial_plans[key]
        counts[...] = trial
        for a, shifts in new_current.items():
            current[a] = shifts
        touched = {problem.options[o].day_index for a in crew for o in (*old[a], *new[a])}
        return CrewOutcome(days=days, members=tuple(crew), promise=promise, gain=int(gain), touched=frozenset(touched))


def _apply(counts: np.ndarray, problem: RosterProblem, o: int, plan: ShiftPlan, sign: int) -> None:
    first = problem.options[o].first_interval
    queues = np.asarray(plan.queues)
    working = queues != LUNCH
    np.add.at(counts, (queues[working], first + np.nonzero(working)[0]), sign)


# ---------------------------------------------------------------------- the run and its stages


@dataclass(slots=True)
class Captured:
    """What ``make_roster`` handed from stage to stage on one instance."""

    problem: RosterProblem
    serve: dict[tuple[int, int, int], int]  # the descent's free split: (group, interval, queue) -> agents
    activities: dict[tuple[int, int], ShiftPlan]  # the activity stage's plans
    chosen: tuple[tuple[int, int], ...]  # the polish's shifts
    plans: dict[tuple[int, int], ShiftPlan]  # the polish's plans
    objective: float
    bound: float

    def polished(self) -> tuple[dict[tuple[int, int], ShiftPlan], dict[int, list[int]], np.ndarray]:
        """The polished roster as crews start from it: a copy of its plans, each agent's options, the counts."""
        plans = dict(self.plans)
        current: dict[int, list[int]] = defaultdict(list)
        for a, o in self.chosen:
            current[a].append(o)
        return plans, current, staffed(self.problem, plans)


def capture(agents: int, seed: int, weeks: int = 4, time_limit_seconds: float | None = None) -> Captured:
    """``make_roster`` on the benchmark instance (default: the automatic budget), its stages' hand-overs kept."""
    config, team, requirements, start, days = make_instance(
        agents, weeks, seed=seed, time_limit_seconds=time_limit_seconds
    )
    kept: dict[str, object] = {}
    solve, activities, polish = rostering.solve_problem, rostering.plan_activities, rostering.polish

    def solved(problem: RosterProblem, *args: object, **kwargs: object) -> object:
        result = solve(problem, *args, **kwargs)  # type: ignore[arg-type]
        kept["problem"], kept["serve"] = problem, result.serve
        return result

    def planned(*args: object, **kwargs: object) -> object:
        result = activities(*args, **kwargs)  # type: ignore[arg-type]
        kept["activities"] = result.plans
        return result

    def polished(*args: object, **kwargs: object) -> object:
        result = polish(*args, **kwargs)  # type: ignore[arg-type]
        kept["chosen"], kept["plans"] = result.chosen, result.plans
        return result

    with (
        mock.patch.object(rostering, "solve_problem", solved),
        mock.patch.object(rostering, "plan_activities", planned),
        mock.patch.object(rostering, "polish", polished),
    ):
        result = rostering.make_roster(config, team, requirements, start, days)
    return Captured(
        problem=kept["problem"],  # type: ignore[arg-type]
        serve=kept["serve"],  # type: ignore[arg-type]
        activities=kept["activities"],  # type: ignore[arg-type]
        chosen=kept["chosen"],  # type: ignore[arg-type]
        plans=kept["plans"],  # type: ignore[arg-type]
        objective=result.objective,
        bound=result.best_bound,
    )


def relaxation(problem: RosterProblem) -> tuple[float, np.ndarray, dict[tuple[int, int, int], float]]:
    """The bound's first relaxation per week: its bound, agents per queue and interval, per (group, queue, interval)."""
    served = np.zeros(problem.required.shape)
    by_group: dict[tuple[int, int, int], float] = defaultdict(float)
    solve = pywraplp.Solver.Solve

    def read(lp: pywraplp.Solver, *args: object) -> int:
        status = solve(lp, *args)
        for var in lp.variables():
            name = var.name()
            if name.startswith("serve[") and var.solution_value() > 1e-9:
                g, t, q = (int(part) for part in name[6:-1].split(","))
                served[q, t] += var.solution_value()
                by_group[g, q, t] += var.solution_value()
        return status

    bound = 0.0
    with mock.patch.object(pywraplp.Solver, "Solve", read):
        for block in week_blocks(problem):
            bound += solve_aggregate(problem, whole_queues=True, block=block).bound
    return bound, served, by_group


def staffed(problem: RosterProblem, plans: dict[tuple[int, int], ShiftPlan]) -> np.ndarray:
    counts = np.zeros(problem.required.shape, dtype=np.int64)
    for (_a, o), plan in plans.items():
        _apply(counts, problem, o, plan, +1)
    return counts


def split_freely(problem: RosterProblem, plans: dict[tuple[int, int], ShiftPlan]) -> np.ndarray:
    """The same shifts and lunches, each group's agents split freely among its queues per interval."""
    coverage = CoverageCost(problem)
    for (a, o), plan in plans.items():
        first = problem.options[o].first_interval
        worked = np.array([first + i for i, q in enumerate(plan.queues) if q != LUNCH], dtype=np.int64)
        coverage.add(coverage.group_of[a], worked, rebalance=False)
    coverage.rebalance(np.arange(len(problem.grid)))
    return coverage.served.sum(axis=0)


def hull_cost(problem: RosterProblem, agents: np.ndarray) -> np.ndarray:
    """Per queue and interval: the objective's coverage cost, between whole agents on the line joining them."""
    need = np.rint(problem.required * SCALE).astype(np.int64)
    settings = problem.settings
    weight = np.where(problem.peak, understaffing_weight(settings, True), understaffing_weight(settings, False))
    charged = problem.is_open.astype(bool) | (need > 0)
    low = np.floor(agents + 1e-9).astype(np.int64)
    share = np.clip(agents - low, 0.0, 1.0)

    def at(n: np.ndarray) -> np.ndarray:
        short = need - SCALE * n
        under = weight * np.minimum(np.maximum(short, 0), SCALE) + 2 * weight * np.maximum(short - SCALE, 0)
        return np.where(short > 0, under, settings.overstaffing_weight * -short)

    return np.where(charged, (1 - share) * at(low) + share * at(low + 1), 0.0)


def where(captured: Captured, say: Callable[[str], None]) -> None:
    """The tables of ``--where``."""
    problem = captured.problem
    bound, relaxed, by_group = relaxation(problem)
    descent = np.zeros(problem.required.shape)
    for (_g, t, q), n in captured.serve.items():
        descent[q, t] += n
    agents = {
        "written": staffed(problem, captured.plans).astype(float),
        "split freely": split_freely(problem, captured.plans).astype(float),
        "descent": descent,
        "relaxation": relaxed,
    }
    costs = {name: hull_cost(problem, value) for name, value in agents.items()}
    say(f"objective {captured.objective:,.0f}, bound in budget {captured.bound:,.0f}, first relaxation {bound:,.0f}")
    say("coverage: " + ", ".join(f"{name} {cost.sum():,.0f}" for name, cost in costs.items()))
    local = problem.grid.tz_convert(problem.timezone)
    index = {day: d for d, day in enumerate(problem.days)}
    day_of = np.array([index.get(stamp.date(), len(problem.days) - 1) for stamp in local])
    hour = np.asarray(local.hour)
    names = list(costs)

    def row(label: str, mask: np.ndarray) -> str:
        figures = [costs[name][:, mask].sum() for name in names]
        return f"  {label:14s}" + "".join(f"{x:14,.0f}" for x in figures) + f"{figures[0] - figures[-1]:14,.0f}"

    head = "  " + " " * 14 + "".join(f"{name:>14s}" for name in names) + f"{'written-relax':>14s}"
    say("per week" + head[8:])
    for w, days in enumerate(problem.weeks):
        say(row(f"week {w}", np.isin(day_of, days)))
    say("per day" + head[7:])
    for d, day in enumerate(problem.days):
        say(row(f"{d:2d} {day:%a %m-%d}", day_of == d))
    say("per queue" + head[9:])
    for q, queue in enumerate(problem.queues):
        figures = [costs[name][q].sum() for name in names]
        say(f"  {queue:14s}" + "".join(f"{x:14,.0f}" for x in figures) + f"{figures[0] - figures[-1]:14,.0f}")
    say("per local hour" + head[14:])
    for h in range(24):
        if costs["written"][:, hour == h].sum() or costs["relaxation"][:, hour == h].sum():
            say(row(f"{h:02d}:00", hour == h))
    groups = skill_groups(problem)
    group_of = [groups.index(agent.channels) for agent in problem.agents]
    week_of_interval = np.zeros(len(problem.grid), dtype=np.int64)
    for w, days in enumerate(problem.weeks):
        week_of_interval[np.isin(day_of, days)] = w
    written: dict[tuple[int, int, int], int] = defaultdict(int)
    for (a, o), plan in captured.plans.items():
        first = problem.options[o].first_interval
        for i, q in enumerate(plan.queues):
            if q != LUNCH:
                written[group_of[a], q, int(week_of_interval[first + i])] += 1
    relaxed_groups: dict[tuple[int, int, int], float] = defaultdict(float)
    for (g, q, t), n in by_group.items():
        relaxed_groups[g, q, int(week_of_interval[t])] += n
    say("agent-intervals each skill group serves per queue, written / relaxation")
    for w in range(len(problem.weeks)):
        for g, skills in enumerate(groups):
            served = [
                f"{queue} {written[g, q, w]} / {relaxed_groups[g, q, w]:.0f}"
                for q, queue in enumerate(problem.queues)
                if queue in skills
            ]
            say(f"  week {w} {'+'.join(skills):20s} " + ", ".join(served))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--where", action="store_true", help="where the written roster loses against the relaxation")
    parser.add_argument("--crews", type=int, default=0, help="crews to re-choose on the polished roster")
    parser.add_argument("--size", type=int, default=CREW_SIZE, help="agents a crew")
    parser.add_argument("--days", help="every modelled agent on this run of days instead (D1,D2: day indices)")
    parser.add_argument("--full", action="store_true", help="whole numbers over every choice, not the LP's")
    args = parser.parse_args()
    began = time.process_time()

    def say(text: str) -> None:
        print(text, flush=True)

    captured = capture(args.agents, args.seed)
    say(
        f"{args.agents} agents, seed {args.seed}: written {captured.objective:,.0f} ({time.process_time() - began:.1f} s)"
    )
    if args.where:
        where(captured, say)
    if not args.crews:
        return
    problem = captured.problem
    plans, current, counts = captured.polished()
    models = AgentModels(problem)
    crews = Crews(problem, models, narrow=not args.full, size=args.size)
    gained = 0
    for n in range(args.crews):
        if args.days:
            first, last = (int(part) for part in args.days.split(","))
            chosen: tuple[tuple[int, ...], tuple[int, ...]] | None = (
                tuple(range(first, last + 1)),
                tuple(crews.members),
            )
        else:
            chosen = crews.next_crew()
        if chosen is None:
            break
        days, crew = chosen
        cpu, charged = time.process_time(), crews.seconds + models.deterministic_time
        outcome = crews.improve(days, crew, current, plans, counts)
        cpu, charged = time.process_time() - cpu, crews.seconds + models.deterministic_time - charged
        if outcome is None:
            say(f"crew {n}: days {days[0]}-{days[-1]}, {len(crew)} agents: not solved")
            continue
        gained += outcome.gain
        say(
            f"crew {n}: days {days[0]}-{days[-1]}, {len(crew)} agents: promise {outcome.promise:,.0f}, "
            f"gain {outcome.gain:,}, CPU {cpu:.2f} s, charged {charged:.2f} s"
        )
    say(f"crews gained {gained:,} in {time.process_time() - began:.1f} s of CPU in all")


if __name__ == "__main__":
    main()
