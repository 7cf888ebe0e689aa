"""The aggregate relaxation: shift counts per class of interchangeable agents, as a linear program.

Agents with the same skills, allowed shift options, rules and preferences form
a class. Instead of one boolean per agent and option, the relaxation has one
count per class and option: how many of the class work it. Every per-agent
rule is summed over the class (any roster's counts satisfy the sums), working
agents may idle, counts are continuous, and the soft terms that are linear in
the counts (preferences, hours below target) are kept while fairness and
stability are bounded below by zero. So its optimum is a **lower bound** on
the full model's objective.

Coverage is charged one of three ways, all lower bounds:

- *per queue* (default): agents of a skill group serve its queues as
  fractions, at most as many as work; understaffing in its two tiers and
  overstaffing per queue and interval. It knows skills, but lets a fraction
  of an agent cover each queue's fractional requirement exactly.
- *whole agents* (``whole_agents=True``): each interval costs its whole-agent
  curve (:func:`interval_cost_curve`) at the number working, skills ignored.
  In a roster a queue needing 2.4 agents costs at least 0.4 of an agent's
  shortfall; this bound knows that. On the 100-agent benchmark it is 0.78%
  higher (151.35M vs 150.19M).
- *whole agents per queue* (``whole_queues=True``): per queue, the convex
  hull of its cost at whole numbers of agents serving it
  (:func:`_queue_curve`), and every agent working serves an open queue of
  its skills (no idling: the checker requires a queue on every work row).
  It knows skills and indivisible agents per queue; it is never below the
  per-queue bound and was above the whole-agent one on every benchmark
  instance (100 agents: 171.68M vs 171.38M mixed skills, 116.34M vs 112.71M
  binding), and GLOP solves it about as fast as the per-queue one.
- *plans* (``plans=True``, with whole queues): besides, the agents of a
  multi-skilled group on an option split among whole-shift plans that keep
  the block and switch rules (:mod:`.plans`), each charged its switches,
  instead of among queues interval by interval. It knows blocks and the
  switch cap, and is far larger (minutes of GLOP at 4 weeks): the
  benchmark's measuring stick, not solved within the budget.

Both are solved with GLOP, OR-Tools' simplex (deterministic, no time limit
needed), on 100 agents over 4 weeks in about 4 s and 2.6 s; CP-SAT's own
bound on the full model stays below 5% of either. Writing the curve as the
largest of its segments' lines made GLOP take 50-160 s; as bounded segment
variables filled cheapest first (the curve is convex) it is the faster one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from scheduler.errors import InfeasibleError
from scheduler.rostering.model import skill_groups
from scheduler.rostering.plans import block_lengths, enumerable, option_plans, option_queues
from scheduler.rostering.problem import (
    SCALE,
    RosterProblem,
    preference_days,
    preference_matches,
    queue_interval_cost,
    understaffing_weight,
)

# GLOP's deterministic time units per second of budget (GLOP counts work differently from CP-SAT):
# a limit of 1.0 stops GLOP after 0.6-0.8 s of CPU on the benchmark machine.
GLOP_TIME_SCALE = 1.4
# Seconds of budget charged for building the relaxation, per term of a shift-option count in an
# interval (known before building): its CPU time on the benchmark machine, about 1 s per 250k terms.
BUILD_SECONDS_PER_TERM = 4e-6
# Solving, charged after the fact by simplex iterations times rows (deterministic, unlike its
# clock): 1-3e-8 s of CPU per iteration and row measured at 100 and 500 agents, the upper end taken.
SECONDS_PER_ITERATION_ROW = 3e-8


@dataclass(frozen=True, slots=True, kw_only=True)
class AggregateResult:
    classes: tuple[tuple[int, ...], ...]
    bound: float
    optimal: bool  # solved to optimality within its time limit: only then is ``bound`` proven
    seconds: float = 0.0  # budget charged: building by size, solving by simplex iterations (deterministic)


def _row(lp: pywraplp.Solver, lower: float, upper: float, terms: Iterable[tuple[float, pywraplp.Variable]]) -> None:
    """``lower <= sum(coef * var) <= upper`` through the solver's own row API.

    pywraplp's expression API (``lp.Add(lp.Sum(...) <= ...)``) builds and walks
    a Python expression tree per constraint: most of the relaxation's build
    time (7 of 10 s at 100 agents) went there. ``terms`` name each variable once.
    """
    row = lp.Constraint(lower, upper)
    for coef, var in terms:
        row.SetCoefficient(var, coef)


def agent_classes(problem: RosterProblem) -> tuple[tuple[int, ...], ...]:
    """Agents grouped by everything the model distinguishes; frozen or previously rostered agents stand alone."""
    groups: dict[object, list[int]] = defaultdict(list)
    for a, agent in enumerate(problem.agents):
        history = (problem.worked_before.get(a, 0), problem.off_before.get(a, 0))  # the days just before the plan
        signature: object = (
            agent.channels,
            problem.allowed[a],
            problem.rules[a],
            agent.preferences,
            agent.contract.name,
            history,
        )
        if problem.fixed.get(a) or problem.previous.get(a):
            signature = ("alone", a)
        groups[signature].append(a)
    return tuple(sorted(tuple(members) for members in groups.values()))


def interval_cost_curve(problem: RosterProblem, t: int, most: int) -> list[int]:
    """Least coverage cost of interval ``t`` with ``W = 0..most`` whole agents working, skills ignored.

    In any roster the agents working in an interval serve open queues one each,
    so the interval costs at least the best split of that whole number among
    the queues. Each queue's cost is convex in its agents (understaffing costs
    more per agent the deeper it goes, overstaffing a constant), so adding
    agents one at a time where they save most is optimal and the curve is
    convex too.
    """
    settings = problem.settings
    base = 0
    steps: list[np.ndarray] = []
    agents = np.arange(most + 1, dtype=np.int64)
    for q in range(len(problem.queues)):
        if not problem.is_open[q, t]:
            continue
        need = round(problem.required[q, t] * SCALE)
        weight = understaffing_weight(settings, bool(problem.peak[q, t]))
        # queue_interval_cost over 0..most agents at once (integers, so exactly the same values)
        short = need - SCALE * agents
        cost = np.where(
            short > 0,
            weight * np.minimum(short, SCALE) + 2 * weight * np.maximum(short - SCALE, 0),
            settings.overstaffing_weight * -short,
        )
        base += int(cost[0])
        steps.append(np.diff(cost))
    ordered = np.sort(np.concatenate(steps))[:most] if steps else np.zeros(0, dtype=np.int64)
    return [base, *(base + np.cumsum(ordered)).tolist()]


def segment_lines(curve: list[int]) -> list[tuple[int, int, int]]:
    """``(k, curve[k], slope)`` for each segment of a convex curve where the slope changes."""
    lines = []
    previous = None
    for k in range(len(curve) - 1):
        slope = curve[k + 1] - curve[k]
        if slope != previous:
            lines.append((k, curve[k], slope))
            previous = slope
    return lines


def build_seconds(problem: RosterProblem) -> float:
    """The budget building the relaxation is charged: counted from its size, before building it."""
    terms = sum(
        problem.options[o].last_interval - problem.options[o].first_interval
        for members in agent_classes(problem)
        for o in problem.allowed[members[0]]
    )
    return BUILD_SECONDS_PER_TERM * terms


def solve_aggregate(
    problem: RosterProblem,
    *,
    whole_agents: bool = False,
    whole_queues: bool = False,
    plans: bool = False,
    time_limit: float | None = None,
) -> AggregateResult:
    """Solve the linear relaxation; its objective is a lower bound on any roster's objective.

    Args:
        whole_agents: charge each interval its whole-agent cost curve
            instead of fractional per-queue coverage (see the module docstring).
        whole_queues: per queue the convex hull of its cost at whole agents.
        plans: multi-skilled groups split among whole-shift plans (:mod:`.plans`).
        time_limit: seconds of budget for building (charged by :func:`build_seconds`)
            and solving (GLOP's deterministic time, reproducible); a relaxation
            whose building alone would use it up is not built (not optimal).
            None = no limit.

    Raises:
        InfeasibleError: the summed rules admit no counts at all (some agent's
            rules are infeasible; the caller explains which).
        ValueError: ``plans`` with ``whole_agents`` (the whole-agent curve
            counts agents working, not the queues their plans serve).
    """
    if plans and whole_agents:
        raise ValueError("plans need per-queue coverage: combine them with whole_queues or the default")
    classes = agent_classes(problem)
    building = build_seconds(problem)
    if time_limit is not None:
        if building >= time_limit:
            return AggregateResult(classes=classes, bound=0.0, optimal=False, seconds=0.0)
        time_limit -= building
    lp = pywraplp.Solver.CreateSolver("GLOP")
    infinity = lp.infinity()
    objective = lp.Objective()
    counts: dict[tuple[int, int], pywraplp.Variable] = {}
    group_of = {skills: g for g, skills in enumerate(skill_groups(problem))}
    # (group, interval) -> (coefficient, variable) terms summing to the agents of the group working then
    working: dict[tuple[int, int], list[tuple[float, pywraplp.Variable]]] = defaultdict(list)
    settings = problem.settings
    # Options whose lunch may start at several places: the roster places it later, anywhere in
    # its window, so the relaxation must allow every placement (see _lunch_anywhere).
    flexible: dict[int, dict[int, list[pywraplp.Variable]]] = {
        option.index: {}
        for option in problem.options
        if len(option.lunch_starts) > 1 and option.day_index not in problem.frozen_days
    }
    # Multi-skilled groups' options whose agents split among whole-shift plans (see .plans).
    planned: dict[tuple[int, int], list[pywraplp.Variable]] = {}
    plan_queues: dict[tuple[int, int], list[int]] = {}
    if plans and enumerable(problem):
        for skills, g in group_of.items():
            if len(skills) < 2:
                continue
            for o in sorted(
                {o for a, agent in enumerate(problem.agents) if agent.channels == skills for o in problem.allowed[a]}
            ):
                if problem.options[o].day_index in problem.frozen_days:
                    continue
                queues = option_queues(problem, skills, o)
                if queues is not None:
                    plan_queues[g, o] = queues
                    planned[g, o] = []

    for c, members in enumerate(classes):
        size = len(members)
        first = members[0]
        rules = problem.rules[first]
        agent = problem.agents[first]
        by_day = problem.options_by_day(first)
        g = group_of[agent.channels]
        for o in problem.allowed[first]:
            var = lp.NumVar(0, size, f"count[{c},{o}]")
            counts[c, o] = var
            covered: Iterable[int]
            if (g, o) in planned:
                planned[g, o].append(var)
                continue
            if o in flexible:
                flexible[o].setdefault(g, []).append(var)
                covered = range(problem.options[o].first_interval, problem.options[o].last_interval)
            else:
                covered = problem.covering_intervals(o)
            for t in covered:
                working[g, t].append((1.0, var))

        def day_sum(d: int, c: int = c, by_day: dict = by_day) -> list[tuple[float, pywraplp.Variable]]:
            return [(1.0, counts[c, o]) for o in by_day.get(d, [])]

        for d in range(len(problem.days)):
            if by_day.get(d):
                _row(lp, -infinity, size, day_sum(d))
        for week, (low, high, target) in zip(problem.weeks, rules.week_minutes, strict=True):
            in_week = set(week)
            terms = [
                (float(problem.options[o].paid_minutes), counts[c, o])
                for o in problem.allowed[first]
                if problem.options[o].day_index in in_week
            ]
            _row(lp, size * low, size * high, terms)
            if len(week) > rules.max_shifts_per_week:
                _row(lp, -infinity, size * rules.max_shifts_per_week, [term for d in week for term in day_sum(d)])
            if settings.hours_weight and target > low:
                under = lp.NumVar(0, infinity, f"under[{c},{week[0]}]")
                _row(lp, size * target, infinity, [(1.0, under), *terms])
                objective.SetCoefficient(under, settings.hours_weight)
        for d, today in sorted(by_day.items()):
            tomorrow = [(problem.options[o2].start_minute, counts[c, o2]) for o2 in by_day.get(d + 1, [])]
            for o in today:
                latest = problem.options[o].end_minute + rules.min_rest_minutes
                clash = [(1.0, var) for begin, var in tomorrow if begin < latest]
                if clash:
                    _row(lp, -infinity, size, [(1.0, counts[c, o]), *clash])
        limit = rules.max_consecutive_days
        for begin in range(len(problem.days) - limit):
            window = [term for d in range(begin, begin + limit + 1) for term in day_sum(d)]
            if window:
                _row(lp, -infinity, size * limit, window)
        if problem.weekends and rules.max_weekends < len(problem.weekends):
            workers = []
            for days in problem.weekends:
                worker = lp.NumVar(0, size, f"weekend[{c},{days[0]}]")
                for d in days:
                    _row(lp, 0.0, infinity, [(1.0, worker), *((-coef, var) for coef, var in day_sum(d))])
                workers.append((1.0, worker))
            _row(lp, -infinity, size * rules.max_weekends, workers)
        for a in members:
            for d, kept in problem.fixed.get(a, {}).items():
                if kept is None:
                    for term in day_sum(d):
                        _row(lp, 0.0, 0.0, [term])
                elif (c, kept) in counts:
                    _row(lp, 1.0, 1.0, [(1.0, counts[c, kept])])
        for preference in agent.preferences:
            matching = [o for o in problem.allowed[first] if preference_matches(preference, problem.options[o])]
            if preference.kind == "avoid":
                for o in matching:
                    objective.SetCoefficient(
                        counts[c, o], objective.GetCoefficient(counts[c, o]) + SCALE * preference.weight
                    )
                continue
            for d in preference_days(preference, problem.days):
                on_day = [(1.0, counts[c, o]) for o in matching if problem.options[o].day_index == d]
                missed = lp.NumVar(0, size, f"missed[{c},{d}]")
                _row(lp, size, infinity, [(1.0, missed), *on_day])
                objective.SetCoefficient(missed, SCALE * preference.weight)

    _lunch_anywhere(lp, problem, flexible, working)
    staffed = _plan_columns(lp, problem, planned, plan_queues)
    if whole_agents:
        _whole_agent_coverage(lp, problem, working, len(group_of))
    else:
        _queue_coverage(lp, problem, working, whole=whole_queues, staffed=staffed)
    objective.SetMinimization()
    if time_limit is not None:
        lp.SetSolverSpecificParametersAsString(f"max_deterministic_time: {max(time_limit, 0.01) * GLOP_TIME_SCALE:g}")
    status = lp.Solve()
    allowed = time_limit + building if time_limit is not None else float("inf")
    if status == pywraplp.Solver.INFEASIBLE:
        raise InfeasibleError("the rules admit no roster")
    if status != pywraplp.Solver.OPTIMAL:
        return AggregateResult(classes=classes, bound=0.0, optimal=False, seconds=allowed)
    # A hair below the LP optimum: simplex tolerances must not turn a bound into an overestimate.
    bound = max(0.0, objective.Value() * (1 - 1e-7) - 1e-6)
    used = building + SECONDS_PER_ITERATION_ROW * lp.iterations() * lp.NumConstraints()
    return AggregateResult(classes=classes, bound=bound, optimal=True, seconds=min(used, allowed))


def _lunch_anywhere(
    lp: pywraplp.Solver,
    problem: RosterProblem,
    flexible: dict[int, dict[int, list[pywraplp.Variable]]],
    working: dict[tuple[int, int], list],
) -> None:
    """Lunch at any start of its window: per skill group and option, agents per lunch start.

    The ``n`` agents of a group on the option split among the window's
    starts (``sum(at[start]) = n``), and each start's agents are away for the
    lunch's intervals. Every placement the roster can choose is such a split,
    so the bound stays valid wherever lunches end up.
    """
    for o, by_group in sorted(flexible.items()):
        option = problem.options[o]
        for g, count_vars in sorted(by_group.items()):
            at = {start: lp.NumVar(0, lp.infinity(), f"lunch[{g},{o},{start}]") for start in option.lunch_starts}
            _row(lp, 0.0, 0.0, [*((1.0, var) for var in at.values()), *((-1.0, var) for var in count_vars)])
            for start, var in at.items():
                for t in range(start, start + option.lunch_intervals):
                    working[g, t].append((-1.0, var))


def _plan_columns(
    lp: pywraplp.Solver,
    problem: RosterProblem,
    planned: dict[tuple[int, int], list[pywraplp.Variable]],
    plan_queues: dict[tuple[int, int], list[int]],
) -> dict[tuple[int, int], list[pywraplp.Variable]]:
    """The agents of a group on an option split among its plans, each charged its switches.

    Returns the plan variables serving each (queue, interval).
    """
    staffed: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
    blocks = block_lengths(problem)
    objective = lp.Objective()
    for (g, o), count_vars in sorted(planned.items(), key=lambda item: item[0]):
        if not count_vars:
            continue
        columns = []
        for j, plan in enumerate(option_plans(problem, o, plan_queues[g, o], blocks)):
            var = lp.NumVar(0, lp.infinity(), f"plan[{g},{o},{j}]")
            if plan.switches:
                objective.SetCoefficient(var, problem.settings.switch_weight * plan.switches)
            for t, q in plan.cover:
                staffed[q, t].append(var)
            columns.append((1.0, var))
        _row(lp, 0.0, 0.0, [*columns, *((-1.0, var) for var in count_vars)])
    return staffed


def _queue_coverage(
    lp: pywraplp.Solver,
    problem: RosterProblem,
    working: dict[tuple[int, int], list[tuple[float, pywraplp.Variable]]],
    *,
    whole: bool = False,
    staffed: dict[tuple[int, int], list[pywraplp.Variable]] | None = None,
) -> None:
    """Coverage with fractional agents serving each queue: the two understaffing tiers and overstaffing.

    ``staffed``: agents already on a queue (plan columns), per (queue, interval).
    """
    settings = problem.settings
    infinity = lp.infinity()
    objective = lp.Objective()
    # Coverage: agents of a group serve its queues, at most as many as work (they may idle).
    serve: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
    for key, columns in (staffed or {}).items():
        serve[key].extend(columns)
    for g, skills in enumerate(skill_groups(problem)):
        skill_queues = [q for q, queue in enumerate(problem.queues) if queue in skills]
        for t in range(len(problem.grid)):
            present = working.get((g, t))
            if not present:
                continue
            serving = []
            for q in skill_queues:
                if problem.is_open[q, t]:
                    var = lp.NumVar(0, infinity, f"serve[{g},{t},{q}]")
                    serving.append(var)
                    serve[q, t].append(var)
            if serving:
                # With whole queues every working agent serves (as in every roster the checker passes).
                _row(
                    lp,
                    0.0 if whole else -infinity,
                    0.0,
                    [*((1.0, var) for var in serving), *((-coef, var) for coef, var in present)],
                )
    for q in range(len(problem.queues)):
        for t in range(len(problem.grid)):
            need = round(problem.required[q, t] * SCALE)
            staff = serve.get((q, t), [])
            if problem.min_agents[q, t] and staff:
                _row(lp, int(problem.min_agents[q, t]), infinity, [(1.0, var) for var in staff])
            if need == 0 and not staff:
                continue
            if whole and staff:
                _queue_curve(lp, problem, q, t, need, staff)
                continue
            covered = [(float(SCALE), var) for var in staff]
            weight = understaffing_weight(settings, bool(problem.peak[q, t]))
            first_tier = lp.NumVar(0, min(need, SCALE), f"short1[{q},{t}]")
            second_tier = lp.NumVar(0, max(need - SCALE, 0), f"short2[{q},{t}]")
            _row(lp, need, infinity, [(1.0, first_tier), (1.0, second_tier), *covered])
            objective.SetCoefficient(first_tier, weight)
            objective.SetCoefficient(second_tier, 2 * weight)
            if staff and settings.overstaffing_weight:
                over = lp.NumVar(0, infinity, f"over[{q},{t}]")
                _row(lp, -need, infinity, [(1.0, over), *((-coef, var) for coef, var in covered)])
                objective.SetCoefficient(over, settings.overstaffing_weight)


def _queue_curve(
    lp: pywraplp.Solver, problem: RosterProblem, q: int, t: int, need: int, staff: list[pywraplp.Variable]
) -> None:
    """A queue-interval charged the convex hull of its cost at whole numbers of agents.

    In a roster the agents serving a queue in an interval are a whole number
    ``n`` and the queue costs ``queue_interval_cost(n)``, convex in ``n``; the
    line through consecutive whole numbers is never above it there, so the
    piecewise-linear interpolation of those points is a valid lower bound on
    any roster, and above the fractional cost (2.4 agents needed: 2 cost
    0.4 of an agent short, 3 cost 0.6 over; serving 2.4 costs in between).
    """
    settings = problem.settings
    weight = understaffing_weight(settings, bool(problem.peak[q, t]))
    most = need // SCALE + 2  # past this the curve goes on at the overstaffing slope
    curve = [queue_interval_cost(need, weight, settings.overstaffing_weight, n) for n in range(most + 1)]
    objective = lp.Objective()
    objective.SetOffset(objective.offset() + curve[0])
    lines = segment_lines(curve)
    segments = []
    for j, (k, _value, slope) in enumerate(lines):
        end = lines[j + 1][0] if j + 1 < len(lines) else None
        segment = lp.NumVar(0, lp.infinity() if end is None else end - k, f"qseg[{q},{t},{j}]")
        objective.SetCoefficient(segment, slope)
        segments.append((1.0, segment))
    _row(lp, 0.0, 0.0, [*segments, *((-1.0, var) for var in staff)])


def _whole_agent_coverage(
    lp: pywraplp.Solver,
    problem: RosterProblem,
    working: dict[tuple[int, int], list[tuple[float, pywraplp.Variable]]],
    groups: int,
) -> None:
    """Coverage charged by each interval's whole-agent cost curve of the number working.

    The convex curve is written as segments between its changes of slope,
    each a bounded variable with the segment's slope as cost; since slopes
    increase, the cheapest segments fill first and their sum is the curve.
    Skills are ignored here (any agent may serve any open queue), which only
    lowers the curve, as do the queue minimums, which are left out.
    """
    objective = lp.Objective()
    constant = 0.0
    most = len(problem.agents)
    for t in range(len(problem.grid)):
        present = [term for g in range(groups) for term in working.get((g, t), [])]
        curve = interval_cost_curve(problem, t, most if present else 0)
        constant += curve[0]
        if not present:
            continue
        lines = segment_lines(curve)
        segments = []
        for j, (k, _value, slope) in enumerate(lines):
            end = lines[j + 1][0] if j + 1 < len(lines) else len(curve) - 1
            segment = lp.NumVar(0, end - k, f"segment[{t},{j}]")
            objective.SetCoefficient(segment, slope)
            segments.append((1.0, segment))
        _row(lp, 0.0, 0.0, [*segments, *((-coef, var) for coef, var in present)])
    objective.SetOffset(objective.offset() + constant)
