"""How the aggregate relaxation (:mod:`.aggregate`) charges coverage: rows and costs per queue and interval.

Every function here adds rows to a GLOP model whose count variables
:func:`~scheduler.rostering.aggregate.solve_aggregate` has built, and only for
the intervals it is given (``owned``): a relaxation over one block of days
(:mod:`.bound`) charges the coverage of its own intervals only, so that the
blocks' objectives add up to the whole horizon's and no interval is counted
twice.

``working[g, t]`` holds ``(coefficient, count variable)`` terms summing to
the agents of skill group ``g`` working in interval ``t`` and free to serve any
of the group's queues; ``staffed[q, t]`` holds terms already committed to
queue ``q`` (plan columns, :mod:`.plans`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
from ortools.linear_solver import _pywraplp, pywraplp

from scheduler.rostering.model import skill_groups
from scheduler.rostering.plans import block_lengths, option_plans, span_plans
from scheduler.rostering.problem import SCALE, RosterProblem, queue_interval_cost, understaffing_weight

Terms = list[tuple[float, pywraplp.Variable]]

# The row API's C++ call without its Python wrapper (one frame less per nonzero: the span-plan
# relaxation sets about 700k of them per week at 100 agents).
_set_coefficient = _pywraplp.Constraint_SetCoefficient


def add_row(lp: pywraplp.Solver, lower: float, upper: float, terms: Iterable[tuple[float, pywraplp.Variable]]) -> None:
    """``lower <= sum(coef * var) <= upper`` through the solver's own row API.

    pywraplp's expression API (``lp.Add(lp.Sum(...) <= ...)``) builds and walks
    a Python expression tree per constraint: most of the relaxation's build
    time (7 of 10 s at 100 agents) went there. ``terms`` name each variable once.
    """
    row = lp.Constraint(lower, upper)
    for coef, var in terms:
        _set_coefficient(row, var, coef)


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


def lunch_anywhere(
    lp: pywraplp.Solver,
    problem: RosterProblem,
    flexible: dict[int, dict[int, list[pywraplp.Variable]]],
    working: dict[tuple[int, int], Terms],
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
            at = _lunch_split(lp, option.lunch_starts, g, o, count_vars)
            for start, var in at.items():
                for t in range(start, start + option.lunch_intervals):
                    working[g, t].append((-1.0, var))


def _lunch_split(
    lp: pywraplp.Solver, starts: tuple[int, ...], g: int, o: int, count_vars: list[pywraplp.Variable]
) -> dict[int, pywraplp.Variable]:
    at = {start: lp.NumVar(0, lp.infinity(), f"lunch[{g},{o},{start}]") for start in starts}
    add_row(lp, 0.0, 0.0, [*((1.0, var) for var in at.values()), *((-1.0, var) for var in count_vars)])
    return at


def plan_columns(
    lp: pywraplp.Solver,
    problem: RosterProblem,
    planned: dict[tuple[int, int], list[pywraplp.Variable]],
    plan_queues: dict[tuple[int, int], list[int]],
    *,
    span: bool = False,
) -> dict[tuple[int, int], Terms]:
    """The agents of a group on an option split among its plans, each charged its switches.

    ``span``: plans over the shift's whole span (:func:`~.plans.span_plans`,
    lunch left out), the group's lunches then taken, per interval, from the
    queues its planned agents serve (:func:`_span_lunches`).

    Returns the terms serving each (queue, interval).
    """
    staffed: dict[tuple[int, int], Terms] = defaultdict(list)
    blocks = block_lengths(problem)
    objective = lp.Objective()
    # span: (group, interval) -> agents of the group's planned options at lunch then
    away: dict[tuple[int, int], Terms] = defaultdict(list)
    group_cover: dict[tuple[int, int, int], Terms] = defaultdict(list)  # span: (group, interval, queue)
    for (g, o), count_vars in sorted(planned.items(), key=lambda item: item[0]):
        if not count_vars:
            continue
        option = problem.options[o]
        columns = []
        listed = (
            span_plans(problem, o, plan_queues[g, o]) if span else option_plans(problem, o, plan_queues[g, o], blocks)
        )
        for j, plan in enumerate(listed):
            var = lp.NumVar(0, lp.infinity(), f"plan[{g},{o},{j}]")
            if plan.switches:
                objective.SetCoefficient(var, problem.settings.switch_weight * plan.switches)
            for t, q in plan.cover:
                (group_cover[g, t, q] if span else staffed[q, t]).append((1.0, var))
            columns.append((1.0, var))
        add_row(lp, 0.0, 0.0, [*columns, *((-1.0, var) for var in count_vars)])
        if span and option.lunch_starts:
            for start, var in _lunch_split(lp, option.lunch_starts, g, o, count_vars).items():
                for t in range(start, start + option.lunch_intervals):
                    away[g, t].append((1.0, var))
    if span:
        _span_lunches(lp, problem, away, group_cover, staffed)
    return staffed


def _span_lunches(
    lp: pywraplp.Solver,
    problem: RosterProblem,
    away: dict[tuple[int, int], Terms],
    group_cover: dict[tuple[int, int, int], Terms],
    staffed: dict[tuple[int, int], Terms],
) -> None:
    """Span plans: the group's agents at lunch in ``t`` leave the queues its planned agents serve then.

    A roster's plan of one shift, its lunch intervals filled with the queue
    worked just before them, is a span plan with the same switches (filling a
    lunch with that queue adds no change). So, per group and interval, the
    agents at lunch are taken from queues the group's span plans cover then,
    at most what each covers, and every roster's split is one of these: a
    valid bound, weaker than pairing each lunch with its own plan and much
    smaller. Written ``cover[q] = taken[q] + kept[q]``, the queue served by
    ``kept[q]`` alone, so each plan column enters once per interval (it
    entered the queue's row and the lunch's: half the nonzeros, the same
    optimum; building takes half the time, GLOP 10-35% less where
    lunches are long, 18:28 UTC measurements in docs/roster-history.md).
    """
    for (g, t, q), terms in sorted(group_cover.items(), key=lambda item: item[0]):
        if (g, t) not in away:
            staffed[q, t].extend(terms)
    for (g, t), lunching in sorted(away.items(), key=lambda item: item[0]):
        taken = []
        for q in range(len(problem.queues)):
            columns = group_cover.get((g, t, q))
            if not columns:
                continue
            var = lp.NumVar(0, lp.infinity(), f"taken[{g},{t},{q}]")
            kept = lp.NumVar(0, lp.infinity(), f"kept[{g},{t},{q}]")
            add_row(lp, 0.0, 0.0, [*columns, (-1.0, var), (-1.0, kept)])
            staffed[q, t].append((1.0, kept))
            taken.append((1.0, var))
        add_row(lp, 0.0, 0.0, [*taken, *((-coef, var) for coef, var in lunching)])


def queue_coverage(
    lp: pywraplp.Solver,
    problem: RosterProblem,
    working: dict[tuple[int, int], Terms],
    owned: np.ndarray,
    *,
    whole: bool = False,
    staffed: dict[tuple[int, int], Terms] | None = None,
) -> None:
    """Coverage with fractional agents serving each queue: the two understaffing tiers and overstaffing.

    ``owned``: the intervals charged (bool per interval). ``staffed``: agents
    already on a queue (plan columns), per (queue, interval).
    """
    settings = problem.settings
    infinity = lp.infinity()
    objective = lp.Objective()
    intervals = np.flatnonzero(owned).tolist()
    # Coverage: agents of a group serve its queues, at most as many as work (they may idle).
    serve: dict[tuple[int, int], Terms] = defaultdict(list)
    for key, columns in (staffed or {}).items():
        serve[key].extend(columns)
    for g, skills in enumerate(skill_groups(problem)):
        skill_queues = [q for q, queue in enumerate(problem.queues) if queue in skills]
        for t in intervals:
            present = working.get((g, t))
            if not present:
                continue
            serving = []
            for q in skill_queues:
                if problem.is_open[q, t]:
                    var = lp.NumVar(0, infinity, f"serve[{g},{t},{q}]")
                    serving.append(var)
                    serve[q, t].append((1.0, var))
            if serving:
                # With whole queues every working agent serves (as in every roster the checker passes).
                add_row(
                    lp,
                    0.0 if whole else -infinity,
                    0.0,
                    [*((1.0, var) for var in serving), *((-coef, var) for coef, var in present)],
                )
    for q in range(len(problem.queues)):
        for t in intervals:
            need = round(problem.required[q, t] * SCALE)
            staff = serve.get((q, t), [])
            if problem.min_agents[q, t] and staff:
                add_row(lp, int(problem.min_agents[q, t]), infinity, staff)
            if need == 0 and not staff:
                continue
            if whole and staff:
                _queue_curve(lp, problem, q, t, need, staff)
                continue
            covered = [(SCALE * coef, var) for coef, var in staff]
            weight = understaffing_weight(settings, bool(problem.peak[q, t]))
            first_tier = lp.NumVar(0, min(need, SCALE), f"short1[{q},{t}]")
            second_tier = lp.NumVar(0, max(need - SCALE, 0), f"short2[{q},{t}]")
            add_row(lp, need, infinity, [(1.0, first_tier), (1.0, second_tier), *covered])
            objective.SetCoefficient(first_tier, weight)
            objective.SetCoefficient(second_tier, 2 * weight)
            if staff and settings.overstaffing_weight:
                over = lp.NumVar(0, infinity, f"over[{q},{t}]")
                add_row(lp, -need, infinity, [(1.0, over), *((-coef, var) for coef, var in covered)])
                objective.SetCoefficient(over, settings.overstaffing_weight)


def _queue_curve(lp: pywraplp.Solver, problem: RosterProblem, q: int, t: int, need: int, staff: Terms) -> None:
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
    add_row(lp, 0.0, 0.0, [*segments, *((-coef, var) for coef, var in staff)])


def whole_agent_coverage(
    lp: pywraplp.Solver, problem: RosterProblem, working: dict[tuple[int, int], Terms], groups: int, owned: np.ndarray
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
    for t in np.flatnonzero(owned).tolist():
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
        add_row(lp, 0.0, 0.0, [*segments, *((-coef, var) for coef, var in present)])
    objective.SetOffset(objective.offset() + constant)
