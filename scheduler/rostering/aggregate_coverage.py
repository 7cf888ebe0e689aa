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


def whole_agent_costs(need: int, weight: int, overstaffing_weight: int, agents: np.ndarray) -> np.ndarray:
    """``queue_interval_cost`` at each whole number of ``agents`` at once (integers: exactly the same values)."""
    short = need - SCALE * agents
    return np.where(
        short > 0,
        weight * np.minimum(short, SCALE) + 2 * weight * np.maximum(short - SCALE, 0),
        overstaffing_weight * -short,
    )


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
        cost = whole_agent_costs(need, weight, settings.overstaffing_weight, agents)
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


class Runs:
    """Intervals merged in runs of ``merge`` (:func:`merged_coverage`): which of them count for a group.

    An interval counts for skill group ``g`` when it is charged (``owned``)
    and some queue of the group is open then, as in the fine relaxation, where
    a group's agents in an interval with none of its queues open serve nothing.
    A count variable enters its run's row once, with the number of counted
    intervals of the run it covers as coefficient, found from prefix sums
    (a few operations per run instead of one term per interval).
    """

    def __init__(self, problem: RosterProblem, owned: np.ndarray, merge: int) -> None:
        self.merge = merge
        self.problem = problem
        self.owned = owned
        groups = skill_groups(problem)
        self.counted = np.zeros((len(groups), len(problem.grid)), dtype=bool)
        for g, skills in enumerate(groups):
            rows = [q for q, queue in enumerate(problem.queues) if queue in skills]
            if rows:
                self.counted[g] = problem.is_open[rows].any(axis=0) & owned
        self.prefix = np.concatenate(
            [np.zeros((len(groups), 1), dtype=np.int64), np.cumsum(self.counted, axis=1)], axis=1
        ).tolist()
        self.touched = np.zeros_like(self.counted)  # (group, interval) some count of the group covers

    def add(
        self, working: dict[tuple[int, int], Terms], g: int, o: int, var: pywraplp.Variable, flexible: bool
    ) -> None:
        """Option ``o``'s count of group ``g`` into the rows of the runs it covers (``working[g, run]``)."""
        option = self.problem.options[o]
        if option.day_index in self.problem.frozen_days:
            return
        first, last, merge, prefix = option.first_interval, option.last_interval, self.merge, self.prefix[g]
        self.touched[g, first:last] = True
        lunch = None if flexible or option.nominal_lunch is None else option.nominal_lunch
        for k in range(first // merge, (last - 1) // merge + 1):
            low, high = max(first, k * merge), min(last, (k + 1) * merge)
            count = prefix[high] - prefix[low]
            if lunch is not None:  # the lunch at the middle of its window (covering_intervals)
                away_low, away_high = max(low, lunch), min(high, lunch + option.lunch_intervals)
                if away_high > away_low:
                    count -= prefix[away_high] - prefix[away_low]
            if count:
                working[g, k].append((float(count), var))

    def key(self, g: int, t: int) -> object:
        """The run whose row ``t`` counts in for group ``g`` (its index), or a sink when it does not count."""
        return t // self.merge if self.counted[g, t] else ("out", t // self.merge)


def lunch_in_runs(
    lp: pywraplp.Solver,
    problem: RosterProblem,
    flexible: dict[int, dict[int, list[pywraplp.Variable]]],
    working: dict[tuple[int, int], Terms],
    runs: Runs,
) -> None:
    """:func:`lunch_anywhere` for :func:`merged_coverage`: lunch intervals per run, not per start.

    A run's coverage row sees only how many lunch intervals fall in it, so per
    skill group the lunches of every option whose window's intervals lie in
    the same runs are split among those runs together: ``sum(in_run) =
    lunch intervals x agents on those options``, no run capped. Every roster's
    placement is such a split (an option's lunches add up to its lunch length,
    and summing options only widens the set), so the bound stays valid. An
    interval that does not count for the group (:class:`Runs`) takes its share
    into a sink that subtracts nothing. A few rows per group and day instead
    of one per option and a variable per lunch start.
    """
    pooled: dict[tuple[int, int, tuple[object, ...]], list[pywraplp.Variable]] = defaultdict(list)
    for o, by_group in sorted(flexible.items()):
        option = problem.options[o]
        reach = range(option.lunch_starts[0], option.lunch_starts[-1] + option.lunch_intervals)
        for g, count_vars in sorted(by_group.items()):
            keys = tuple(sorted({runs.key(g, t) for t in reach}, key=str))
            pooled[g, option.lunch_intervals, keys].extend(count_vars)
    for (g, length, keys), count_vars in sorted(pooled.items(), key=lambda item: str(item[0])):
        shares = []
        for key in keys:
            var = lp.NumVar(0, lp.infinity(), f"lunchrun[{g},{key}]")
            shares.append((1.0, var))
            if isinstance(key, int):
                working[g, key].append((-1.0, var))
        add_row(lp, 0.0, 0.0, [*shares, *((-float(length), var) for var in count_vars)])


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


def merged_coverage(
    lp: pywraplp.Solver,
    problem: RosterProblem,
    working: dict[tuple[int, int], Terms],
    runs: Runs,
    staffed: dict[tuple[int, int], Terms] | None = None,
) -> None:
    """Whole agents per queue with runs of consecutive intervals (:class:`Runs`) charged as one coverage row.

    A cheaper relaxation of :func:`queue_coverage` (``whole=True``) for fine
    grids. ``working[g, run]``: the agents of skill group ``g`` working in the
    run's counted intervals, counted once per interval; they serve the group's
    queues open then, and per queue the run is charged the *infimal
    convolution* of its intervals' cost curves at the total: ``h(X) = min
    f1(y1) + f2(y2) over y1 + y2 = X``. Any point of the fine relaxation gives
    one here (serve and staff summed over the run) costing no more, since
    ``f1(x1) + f2(x2) >= h(x1 + x2)``: the merged optimum is a lower bound on
    the fine one, hence on every roster. The convolution of convex curves
    with whole-agent breakpoints is the sum of their values at 0 plus their
    one-agent steps taken cheapest first (the way :func:`interval_cost_curve`
    merges queues), written as segments like :func:`_queue_curve`. A queue
    minimum becomes the sum of its intervals' minimums over the run. About
    ``1 / merge`` of the coverage rows and nonzeros.

    A queue-interval no group reaches (none of its skilled groups' counts
    covers it) is charged its cost at zero agents, as in the fine relaxation;
    a generous reach only weakens the bound. ``staffed``: plan columns per
    (queue, interval), summed into their runs.
    """
    settings = problem.settings
    infinity = lp.infinity()
    objective = lp.Objective()
    merge = runs.merge
    owned_runs: dict[int, list[int]] = defaultdict(list)
    for t in np.flatnonzero(runs.owned).tolist():
        owned_runs[t // merge].append(t)
    reachable = np.zeros((len(problem.queues), len(problem.grid)), dtype=bool)
    serve: dict[tuple[int, int], dict[int, list]] = defaultdict(dict)  # (queue, run) -> var index -> [coef, var]
    for (q, t), columns in (staffed or {}).items():
        if columns and runs.owned[t]:
            reachable[q, t] = True
            _accumulate(serve[q, t // merge], columns)
    reached = runs.counted & runs.touched
    for g, skills in enumerate(skill_groups(problem)):
        skill_queues = [q for q, queue in enumerate(problem.queues) if queue in skills]
        for k, members in sorted(owned_runs.items()):
            present = working.get((g, k))
            if not present:
                continue
            open_queues: set[int] = set()
            for t in members:
                if reached[g, t]:
                    here = [q for q in skill_queues if problem.is_open[q, t]]
                    open_queues.update(here)
                    reachable[here, t] = True
            if not open_queues:
                continue
            serving = []
            for q in sorted(open_queues):
                var = lp.NumVar(0, infinity, f"serve[{g},{k},{q}]")
                serving.append((1.0, var))
                serve[q, k][-len(serve[q, k]) - 1] = [1.0, var]  # a new variable: a key of its own
            # Runs.add and lunch_in_runs name each variable once per run: no coefficients to sum.
            add_row(lp, 0.0, 0.0, [*serving, *((-coef, var) for coef, var in present)])
    constant = 0
    for q in range(len(problem.queues)):
        for k, members in sorted(owned_runs.items()):
            steps: list[np.ndarray] = []
            least = 0
            for t in members:
                need = round(problem.required[q, t] * SCALE)
                weight = understaffing_weight(settings, bool(problem.peak[q, t]))
                if not reachable[q, t]:
                    constant += queue_interval_cost(need, weight, settings.overstaffing_weight, 0) if need else 0
                    continue
                least += int(problem.min_agents[q, t])
                agents = np.arange(need // SCALE + 3, dtype=np.int64)  # to need // SCALE + 2, as _queue_curve
                costs = whole_agent_costs(need, weight, settings.overstaffing_weight, agents)
                constant += int(costs[0])
                steps.append(np.diff(costs))
            staff = serve.get((q, k))
            if not steps or not staff:
                continue
            staffing: Terms = [(coef, var) for coef, var in staff.values()]
            if least:
                add_row(lp, least, infinity, staffing)
            # The convolution: each interval's one-agent steps, cheapest first; past them, overstaffing.
            ordered = np.sort(np.concatenate(steps))
            curve = [0, *np.cumsum(ordered).tolist()]
            lines = segment_lines(curve)
            segments = []
            for j, (at, _value, slope) in enumerate(lines):
                end = lines[j + 1][0] if j + 1 < len(lines) else len(curve) - 1
                segment = lp.NumVar(0, end - at, f"mseg[{q},{k},{j}]")
                objective.SetCoefficient(segment, slope)
                segments.append((1.0, segment))
            tail = lp.NumVar(0, infinity, f"mover[{q},{k}]")
            objective.SetCoefficient(tail, SCALE * settings.overstaffing_weight)
            add_row(lp, 0.0, 0.0, [*segments, (1.0, tail), *((-coef, var) for coef, var in staffing)])
    objective.SetOffset(objective.offset() + constant)


def _accumulate(into: dict[int, list], terms: Iterable[tuple[float, pywraplp.Variable]]) -> None:
    """Add ``terms`` into ``into`` (variable index -> [coefficient, variable]), summing a variable's coefficients."""
    for coef, var in terms:
        entry = into.get(var.index())
        if entry is None:
            into[var.index()] = [coef, var]
        else:
            entry[0] += coef


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
