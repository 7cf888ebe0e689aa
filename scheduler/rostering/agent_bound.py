"""The agent-week bound: each class's week a convex mix of whole agent-weeks its rules allow (issue 14).

The aggregate relaxation (:mod:`.aggregate`) sums every per-agent rule over a
class, so a class may spread fractional agents over the week in ways no
agent's own week allows (hours, shift count, rest between days, runs of
days, days off summed instead of held per agent). Here, for one week block,
each class's counts on the week's own options are tied to a convex mix of
**agent-weeks**: the shift sets one agent of the class may work within the
week under its own rules (one shift a day, paid minutes within the week's
range, at most its shifts a week, rest between consecutive days, runs of days
and days off in blocks inside the week, frozen days), each charged its own
hours below target. Every agent's shifts in any roster, cut to the week, are
such an agent-week, so the linked program is still a relaxation of the
week's share of the objective (a Dantzig-Wolfe reformulation of the
aggregate's class rows), and its optimum is never below the aggregate's.

Agent-weeks are too many to list: :func:`cheapest_week` finds the one a set of
option prices makes cheapest (dynamic programming over the days, the rest
rule taken as a prefix minimum over yesterday's end times), and
:func:`solve_agent_week` grows the program's columns from it. The bound is
proven at every round: the program's optimum plus, per class, its size times
its least reduced cost (the Lagrangian, or Farley, bound); it is the largest
seen. Outside any budget (40 s to minutes of CPU a week at 100 agents): a
measurement of what the aggregate's class sums cost,
:mod:`benchmarks.roster_agent_bound`. On the benchmark's seed 5 it lifts the
sale week by 2.0M (42.29M to 44.30M, each agent's weekly paid minutes held
with the day its long shifts fall on), 2.5 points of that seed's 4.6, and
at 500 agents by 10.3M (3.74% to 1.53%); the other weeks measured (seeds 3,
5, 9) gain nothing (docs/roster-history.md, session 25).
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp

from scheduler.rostering.aggregate import Block, agent_classes, solve_aggregate
from scheduler.rostering.problem import SCALE, RosterProblem, understaffing_weight

# Pricing stops once the proven bound is within this share of the program's optimum.
CLOSE_ENOUGH = 1e-4
# A column enters when its reduced cost is below this share of the optimum (or 1).
REDUCED_COST_TOLERANCE = 1e-7
# Per class and round, at most this many agent-weeks enter (the cheapest per final minutes and shifts).
COLUMNS_PER_ROUND = 4
# What one agent-shift of a class's counts not matched by its agent-weeks costs (the artificial
# columns that keep the first restricted program feasible where queues have hard minimums), in
# times the most one agent-shift's coverage can cost (:func:`unmatched_cost`). Any value gives a
# valid bound; above the duals' scale it drives them out, far above it (1e7 flat) the first
# rounds' duals are its own and pricing tails off (8 agents: 50 rounds to within 20%).
UNMATCHED_FACTOR = 2.0
# The restricted program is re-solved from its last basis (GLOP without presolve).
GLOP_PARAMETERS = "use_preprocessing: false"


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekRules:
    """What one agent of a class may work inside one week block (its own rules cut to the week)."""

    days: tuple[int, ...]  # the block's days, in order
    options: tuple[tuple[int, ...], ...]  # per day: the options the agent may work
    start: dict[int, int]  # option -> start minute
    end: dict[int, int]  # option -> end minute
    paid: dict[int, int]  # option -> paid minutes
    must: tuple[int | None, ...]  # per day: a frozen option (or None)
    low: int
    high: int
    target: int
    hours_weight: int  # per minute below target (0: not charged)
    max_shifts: int
    max_run: int
    min_off: int
    run_before: int  # days worked just before the block (only at the horizon's start)
    rest: int


def week_rules(problem: RosterProblem, a: int, w: int) -> WeekRules:
    """Agent ``a``'s rules inside week ``w`` as the full model states them, rules across the week's edges dropped."""
    rules = problem.rules[a]
    days = tuple(problem.weeks[w])
    on_day: dict[int, list[int]] = defaultdict(list)
    for o in problem.allowed[a]:
        on_day[problem.options[o].day_index].append(o)
    fixed = problem.fixed.get(a, {})
    options = []
    must: list[int | None] = []
    for d in days:
        today = sorted(on_day.get(d, []))
        kept = fixed.get(d, -1)
        if kept is None:  # frozen off
            today = []
        elif kept in today:  # frozen to a shift
            today = [kept]
        must.append(kept if kept is not None and kept != -1 and kept in today else None)
        options.append(tuple(today))
    weekend_days = {d for weekend in problem.weekends for d in weekend if set(weekend) <= set(days)}
    if rules.max_weekends == 0:  # a week holds at most one weekend: only a cap of 0 binds inside it
        options = [() if d in weekend_days else today for d, today in zip(days, options, strict=True)]
    low, high, target = rules.week_minutes[w]
    every = [o for today in options for o in today]
    return WeekRules(
        days=days,
        options=tuple(options),
        start={o: problem.options[o].start_minute for o in every},
        end={o: problem.options[o].end_minute for o in every},
        paid={o: problem.options[o].paid_minutes for o in every},
        must=tuple(must),
        low=low,
        high=high,
        target=target,
        hours_weight=problem.settings.hours_weight if target > low else 0,
        max_shifts=rules.max_shifts_per_week if len(days) > rules.max_shifts_per_week else len(days),
        max_run=rules.max_consecutive_days,
        min_off=rules.min_consecutive_days_off,
        run_before=min(problem.worked_before.get(a, 0), rules.max_consecutive_days) if days[0] == 0 else 0,
        rest=rules.min_rest_minutes,
    )


def hours_cost(rules: WeekRules, minutes: int) -> float:
    """What an agent-week of ``minutes`` paid minutes costs in hours below target."""
    return float(rules.hours_weight * max(rules.target - minutes, 0))


# A state of the dynamic program: (shifts, minutes, days in a row worked, days off still owed).
_Key = tuple[int, int, int, int]
_NONE = -(10**12)  # yesterday's end when the agent did not work yesterday


def cheapest_week(rules: WeekRules, prices: dict[int, float], count: int = 1) -> list[tuple[float, tuple[int, ...]]]:
    """The cheapest agent-weeks under ``rules`` at option ``prices`` plus hours below target.

    Up to ``count`` of them, each the cheapest of its own (shifts, minutes) at
    the week's end, cheapest first; empty when no agent-week exists.
    """
    # Per state: yesterday's end -> (cost, back pointer (day index, previous state, previous end, option))
    layer: dict[_Key, dict[int, tuple[float, object]]] = {(0, 0, rules.run_before, 0): {_NONE: (0.0, None)}}
    layers: list[dict[_Key, dict[int, tuple[float, object]]]] = []
    for i, today in enumerate(rules.options):
        reached: dict[_Key, dict[int, tuple[float, object]]] = defaultdict(dict)

        def offer(key: _Key, end: int, cost: float, back: object, reached: dict = reached) -> None:
            now = reached[key].get(end)
            if now is None or cost < now[0]:
                reached[key][end] = (cost, back)

        for key, by_end in layer.items():
            shifts, minutes, run, owed = key
            ends = sorted(by_end)
            # Prefix minimum over yesterday's ends: the cheapest state whose shift ended early enough.
            best: list[tuple[float, int]] = []
            for end in ends:
                cost = by_end[end][0]
                best.append((cost, end) if not best or cost < best[-1][0] else best[-1])
            if rules.must[i] is None:  # a day off
                cost, end = min((by_end[e][0], e) for e in ends)
                rest_owed = owed - 1 if owed > 0 else (rules.min_off - 1 if run > 0 else 0)
                offer((shifts, minutes, 0, max(rest_owed, 0)), _NONE, cost, (i, key, end, None))
            if owed > 0 or run >= rules.max_run or shifts >= rules.max_shifts:
                continue
            kept = rules.must[i]
            for o in today if kept is None else (kept,):
                paid = minutes + rules.paid[o]
                if paid > rules.high:
                    continue
                at = bisect.bisect_right(ends, rules.start[o] - rules.rest) - 1
                if at < 0:
                    continue
                cost, end = best[at]
                offer((shifts + 1, paid, run + 1, 0), rules.end[o], cost + prices.get(o, 0.0), (i, key, end, o))
        layer = reached
        layers.append(layer)
    finals: dict[tuple[int, int], tuple[float, _Key, int]] = {}
    for key, by_end in layer.items():
        shifts, minutes, _run, _owed = key
        if not rules.low <= minutes <= rules.high:
            continue
        for end, (cost, _back) in by_end.items():
            total = cost + hours_cost(rules, minutes)
            if (shifts, minutes) not in finals or total < finals[shifts, minutes][0]:
                finals[shifts, minutes] = (total, key, end)
    found = []
    for total, key, end in sorted(finals.values(), key=lambda item: (item[0], item[1], item[2]))[:count]:
        worked = []
        for i in range(len(rules.options) - 1, -1, -1):
            _cost, back = layers[i][key][end]
            _day, key, end, o = back  # type: ignore[misc]
            if o is not None:
                worked.append(o)
        found.append((total, tuple(sorted(worked))))
    return found


@dataclass(slots=True, kw_only=True)
class AgentWeekResult:
    """The agent-week bound of one week block and how it was reached."""

    bound: float  # proven: the largest Lagrangian bound seen (0 when the program never solved)
    first: float  # the aggregate's optimum over the same block (the bound's first relaxation, unrounded)
    optimum: float  # the last restricted program's optimum (the bound once no column prices out)
    converged: bool
    rounds: int
    columns: int
    seconds: float  # CPU of the whole computation (process time)
    trace: list[tuple[int, float, float, float]] = field(default_factory=list)  # (round, optimum, bound, CPU s)
    # The last round's duals per class: its options' prices and its size row's (an agent-week's
    # reduced cost is its hours cost plus its options' prices less the size's).
    duals: list[tuple[dict[int, float], float]] = field(default_factory=list)


def unmatched_cost(problem: RosterProblem) -> float:
    """:data:`UNMATCHED_FACTOR` times the most one agent on one shift can change the coverage cost.

    An agent serves one queue an interval: at most the second tier's weight per hundredth times
    an agent's hundredths per interval, over the longest shift's intervals, or its overstaffing.
    """
    settings = problem.settings
    steepest = max(2 * understaffing_weight(settings, True), 2 * understaffing_weight(settings, False))
    steepest = max(steepest, settings.overstaffing_weight)
    longest = max((option.last_interval - option.first_interval for option in problem.options), default=1)
    most = max((option.paid_minutes for option in problem.options), default=0)
    return UNMATCHED_FACTOR * (SCALE * steepest * longest + settings.hours_weight * most)


class _Columns:
    """The agent-week columns of every class, linked to the aggregate's counts on the week's own options."""

    def __init__(self, problem: RosterProblem, w: int, classes: Sequence[Sequence[int]]) -> None:
        self.problem = problem
        self.w = w
        self.classes = classes
        self.rules = [week_rules(problem, members[0], w) for members in classes]
        self.links: list[dict[int, pywraplp.Constraint]] = []
        self.sizes: list[pywraplp.Constraint] = []
        self.seen: list[set[tuple[int, ...]]] = [set() for _ in classes]
        self.lp: pywraplp.Solver | None = None
        self.unmatched = unmatched_cost(problem)

    def link(self, lp: pywraplp.Solver, counts: dict[tuple[int, int], float]) -> None:
        """The linking rows and each class's first columns; the class's own hours row charged by the columns instead.

        ``counts``: the aggregate's optimum, (class, option) -> count; the first columns are its
        counts cut into agent-weeks greedily (each the agent-week most of the counts left lie on),
        so that the first restricted program starts near it.
        """
        self.lp = lp
        objective = lp.Objective()
        for c, members in enumerate(self.classes):
            rules = self.rules[c]
            rows = {}
            for today in rules.options:
                for o in today:
                    var = lp.LookupVariable(f"count[{c},{o}]")
                    if var is None:
                        continue
                    row = lp.Constraint(0.0, 0.0)
                    row.SetCoefficient(var, 1.0)
                    # The first columns need not meet the queues' hard minimums, nor keep off the options
                    # the aggregate's rows forbid (a working agent serves an open queue): counts apart
                    # from the columns' cost UNMATCHED_COST each (any value keeps the bound valid).
                    for sign in (1.0, -1.0):
                        unmatched = lp.NumVar(0.0, lp.infinity(), "")
                        row.SetCoefficient(unmatched, sign)
                        objective.SetCoefficient(unmatched, self.unmatched)
                    rows[o] = row
            self.links.append(rows)
            self.sizes.append(lp.Constraint(len(members), len(members)))
            under = lp.LookupVariable(f"under[{c},{rules.days[0]}]")
            if under is not None:  # each column carries its own agent's hours below target
                objective.SetCoefficient(under, 0.0)
            for price in (0.0, -1.0, 1.0):
                for _cost, worked in cheapest_week(rules, dict.fromkeys(rows, price), COLUMNS_PER_ROUND):
                    self.add(c, worked)
            left = {o: counts.get((c, o), 0.0) for o in rows}
            for _ in members:
                found = cheapest_week(rules, {o: -value for o, value in left.items()})
                if not found:
                    break
                self.add(c, found[0][1])
                for o in found[0][1]:
                    left[o] = max(left.get(o, 0.0) - 1.0, 0.0)

    def add(self, c: int, worked: tuple[int, ...]) -> bool:
        if worked in self.seen[c]:
            return False
        assert self.lp is not None
        lp = self.lp
        rules = self.rules[c]
        var = lp.NumVar(0.0, lp.infinity(), "")
        lp.Objective().SetCoefficient(var, hours_cost(rules, sum(rules.paid[o] for o in worked)))
        self.sizes[c].SetCoefficient(var, 1.0)
        for o in worked:
            if o in self.links[c]:
                self.links[c][o].SetCoefficient(var, -1.0)
        self.seen[c].add(worked)
        return True


def solve_agent_week(
    problem: RosterProblem,
    block: Block,
    w: int,
    *,
    whole_queues: bool = True,
    max_seconds: float = 600.0,
    max_rounds: int = 1000,
) -> AgentWeekResult:
    """The agent-week bound of week ``w`` (``block``: :func:`~.bound.week_blocks`' block of that week).

    The aggregate's program over the block (``whole_queues`` as the bound's
    first relaxation) with each class's counts tied to agent-weeks, priced
    until none lowers the optimum, ``max_rounds`` or ``max_seconds`` of CPU;
    the bound is proven whenever it stops.
    """
    if tuple(block.days) != tuple(problem.weeks[w]):
        raise ValueError("the agent-week bound takes one week's block")
    started = time.process_time()
    result = AgentWeekResult(bound=0.0, first=0.0, optimum=0.0, converged=False, rounds=0, columns=0, seconds=0.0)
    holder: dict[str, _Columns] = {}

    def grow(lp: pywraplp.Solver) -> None:
        if lp.Solve() != pywraplp.Solver.OPTIMAL:  # the aggregate's own optimum, the columns' start
            return
        result.first = lp.Objective().Value()
        counts = {}
        for var in lp.variables():
            name = var.name()
            if name.startswith("count[") and var.solution_value() > 0:
                c, o = name[6:-1].split(",")
                counts[int(c), int(o)] = var.solution_value()
        columns = _Columns(problem, w, agent_classes(problem))
        holder["columns"] = columns
        columns.link(lp, counts)
        lp.SetSolverSpecificParametersAsString(GLOP_PARAMETERS)
        for _ in range(max_rounds):
            status = lp.Solve()
            if status == pywraplp.Solver.ABNORMAL:
                lp.SetSolverSpecificParametersAsString("")
                status = lp.Solve()
                lp.SetSolverSpecificParametersAsString(GLOP_PARAMETERS)
            if status != pywraplp.Solver.OPTIMAL:
                return
            result.rounds += 1
            value = lp.Objective().Value()
            bound = value
            entering: list[tuple[int, tuple[int, ...]]] = []
            tolerance = REDUCED_COST_TOLERANCE * max(1.0, abs(value))
            for c, members in enumerate(columns.classes):
                prices = {o: row.dual_value() for o, row in columns.links[c].items()}
                weight = columns.sizes[c].dual_value()
                found = cheapest_week(columns.rules[c], prices, COLUMNS_PER_ROUND)
                if not found:
                    continue
                least = found[0][0] - weight
                if least < -tolerance:
                    bound += len(members) * least
                    entering.extend((c, worked) for cost, worked in found if cost - weight < -tolerance)
            result.optimum = value
            result.bound = max(result.bound, bound)
            result.duals = [
                ({o: row.dual_value() for o, row in links.items()}, size.dual_value())
                for links, size in zip(columns.links, columns.sizes, strict=True)
            ]
            spent = time.process_time() - started
            result.trace.append((result.rounds, value, bound, spent))
            if value - result.bound <= CLOSE_ENOUGH * abs(value):
                result.converged = True
                return
            if not sum(columns.add(c, worked) for c, worked in entering):
                # Every column that prices out is in already (its reduced cost is the simplex's tolerance).
                result.bound = max(result.bound, value)
                result.converged = True
                return
            if spent > max_seconds:
                return

    solve_aggregate(problem, whole_queues=whole_queues, block=block, on_solve=grow)
    result.columns = sum(len(seen) for seen in holder["columns"].seen) if holder else 0
    # A hair below: simplex tolerances must not turn a bound into an overestimate (as the aggregate).
    result.bound = max(0.0, result.bound * (1 - 1e-7) - 1e-6)
    result.seconds = time.process_time() - started
    return result
