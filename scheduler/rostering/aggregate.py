"""The aggregate relaxation: shift counts per class of interchangeable agents, as a linear program.

Agents with the same skills, allowed shift options, rules and preferences form
a class. Instead of one boolean per agent and option, the relaxation has one
count per class and option: how many of the class work it. Every per-agent
rule is summed over the class (any roster's counts satisfy the sums), working
agents may idle, counts are continuous, and the soft terms that are linear in
the counts (preferences, hours below target) are kept while fairness and
stability are bounded below by zero. So its optimum is a **lower bound** on
the full model's objective.

Coverage is charged one of these ways (:mod:`.aggregate_coverage`), all lower bounds:

- *per queue* (default): agents of a skill group serve its queues as
  fractions, at most as many as work; understaffing in its two tiers and
  overstaffing per queue and interval. It knows skills, but lets a fraction
  of an agent cover each queue's fractional requirement exactly.
- *whole agents* (``whole_agents=True``): each interval costs its whole-agent
  curve at the number working, skills ignored. In a roster a queue needing
  2.4 agents costs at least 0.4 of an agent's shortfall; this bound knows it.
- *whole agents per queue* (``whole_queues=True``): per queue, the convex
  hull of its cost at whole numbers of agents serving it, and every agent
  working serves an open queue of its skills (no idling: the checker
  requires a queue on every work row). It knows skills and indivisible
  agents per queue; it is never below the per-queue bound and was above the
  whole-agent one on every benchmark instance (100 agents: 171.68M vs
  171.38M mixed skills, 116.34M vs 112.71M binding).
- *plans* (``plans="exact"`` or ``"span"``, with whole queues): besides, the
  agents of a multi-skilled group on an option split among whole-shift plans
  (:mod:`.plans`), each charged its switches, instead of among queues
  interval by interval. ``"exact"``: the plans the block and switch rules
  allow, lunch included; ``"span"``: plans over the shift's whole span with
  at most the switch cap, lunches taken per interval from the queues the
  group serves (smaller, a little weaker). They know the switch cap.

**Blocks of days.** ``block`` restricts the relaxation to some days
(:class:`Block`; :mod:`.bound` uses the weeks) and charges only the
coverage of the intervals the block owns. The rules that span days outside it
(rest into the next week, consecutive days and weekends across it) are
dropped, the options of other days that reach into its intervals are kept
with one shift a day only and charged nothing. Every objective term (an
interval's coverage, an option's preference and switches, a week's hours) is
charged in exactly one block, and each block's rows are a subset of the whole
horizon's, so the blocks' optima add up to at most the whole relaxation's:
a valid bound, from LPs a fraction of the size. Over the whole horizon a class's
worked days are also capped at the most one agent's day patterns allow
(:func:`~.daypatterns.most_days`: days off in blocks, runs of days, weekends),
which summed rules over fractions miss; ``day_patterns=True`` goes further
and mixes the patterns themselves (column generation, outside any budget).

Solved with GLOP, OR-Tools' simplex (deterministic). Writing the curves as
the largest of their segments' lines made GLOP take 50-160 s; as bounded
segment variables filled cheapest first (the curve is convex) it is fast.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from ortools.linear_solver import pywraplp

from scheduler.errors import InfeasibleError
from scheduler.rostering.aggregate_coverage import (
    Runs,
    Terms,
    add_row,
    lunch_anywhere,
    lunch_in_runs,
    merged_coverage,
    plan_columns,
    queue_coverage,
    whole_agent_coverage,
)
from scheduler.rostering.daypatterns import PatternColumns, day_rules, most_days
from scheduler.rostering.model import skill_groups
from scheduler.rostering.plans import enumerable, option_queues
from scheduler.rostering.problem import SCALE, RosterProblem, preference_days, preference_matches

# GLOP's deterministic time units per second of budget (GLOP counts work differently from CP-SAT).
# Its units per CPU second on the benchmark machine: 0.87 on the 60-minute-lunch instance's LP,
# 1.15 on a whole-agents one, 1.4-1.7 elsewhere; the lowest is taken so that a solve stopped by
# its limit has used no more CPU than the budget allows.
GLOP_TIME_SCALE = 0.85
# Seconds of budget charged for building the relaxation, per term of a shift-option count in an
# interval (known before building): its CPU time on the benchmark machine, about 1 s per 250k terms.
BUILD_SECONDS_PER_TERM = 4e-6
# The same with intervals merged in runs (aggregate_coverage.Runs), per count term in a run: the
# class rules (rest, days, weeks) and the per-interval cost curves stay while the coverage terms
# shrink, so a term carries more. An envelope over one week's building CPU (2026-12-02, the VM's
# slow phase scaled to its fast one): 7 us on the benchmark's 100/2 in runs of 2, 8 us on the New
# York team in runs of 2, 10 us on the Berlin team's 15-minute grid in runs of 8.
MERGED_BUILD_SECONDS_PER_TERM = 1e-5
# Solving, charged after the fact from simplex iterations (deterministic, unlike its clock):
# per iteration and row, plus per iteration squared (the basis fills as the simplex goes, so long
# solves cost more per iteration: the 60-minute-lunch instance's span-plan LPs run twice as many
# iterations as the binding-skill instance's on the same size, at twice the CPU per iteration).
# Refitted in session 17 (2026-12-02, docs/roster-history.md "The bound's charges on unseen
# teams (session 17)"): 50 finished weekly and whole-horizon LPs of the benchmark's seeds 2, 3, 5
# and 9 and the unseen teams ny30, chi100, ber100 (runs of 8), lon60 and syd300, each one's CPU
# divided by that of a reference LP (seed 1's first week) solved right after it, so that the
# VM's drifting speed cancels. Per row, not per row or column: columns added nothing to the fit
# (GLOP's basis is as large as the rows), and the unseen teams' LPs have more rows per column
# (night shifts, queues by language). Their CPU over the old charge (4e-9 per iteration and row
# or column plus 1.6e-8) was 1.21-1.66 where the benchmark's was 0.87-1.36; over this one
# 0.98-1.27 and 0.73-1.04 (geometric means per instance; the level: the pooled mean at the
# reference LP's own old charge, about its CPU in the VM's better phases).
SECONDS_PER_ITERATION_ROW = 1.1e-8
SECONDS_PER_ITERATION_SQUARED = 2.67e-8

# Maros' crash basis: a one-week block-aware relaxation (100 agents) in 11,250 iterations and 3.4 s
# of CPU against 16,360 and 5.6 s from GLOP's default basis; no slower on the others.
GLOP_PARAMETERS = "initial_basis: MAROS"
# With day patterns the program is solved again after each round of new columns: without
# presolve GLOP starts from the last basis (8 agents, 2 weeks: 40 solves 39 s from scratch).
PATTERN_GLOP_PARAMETERS = "use_preprocessing: false"
# A count below this is the simplex's tolerance, not an agent (GLOP's primal tolerance is 1e-7).
COUNT_NOISE = 1e-6

PlanKind = Literal["exact", "span"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AggregateResult:
    classes: tuple[tuple[int, ...], ...]
    bound: float
    optimal: bool  # solved to optimality within its time limit: only then is ``bound`` proven
    seconds: float = 0.0  # budget charged: building by size, solving by simplex iterations (deterministic)
    # With ``keep_counts``: (class, option) -> the class's agents on it in the optimum, for the options
    # of the block's own days that it uses (:mod:`.guide`).
    counts: dict[tuple[int, int], float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """Some days of the horizon and the intervals whose coverage a relaxation over them charges."""

    days: tuple[int, ...]
    intervals: tuple[int, ...]


def agent_classes(
    problem: RosterProblem, *, by_skills: bool = True, preferences: bool = True
) -> tuple[tuple[int, ...], ...]:
    """Agents grouped by everything the model distinguishes; frozen or previously rostered agents stand alone.

    ``by_skills=False``: by everything an agent's own model distinguishes (its
    shift options, rules, preferences, contract and history), whatever queues
    it serves: agents whose shifts are chosen without regard to coverage.
    ``preferences=False``: agents differing only in their preferences pooled (the relaxation
    then charges no preference: see :func:`solve_aggregate`).
    """
    groups: dict[object, list[int]] = defaultdict(list)
    for a, agent in enumerate(problem.agents):
        history = (problem.worked_before.get(a, 0), problem.off_before.get(a, 0))  # the days just before the plan
        signature: object = (
            agent.channels if by_skills else (),
            problem.allowed[a],
            problem.rules[a],
            agent.preferences if preferences else (),
            agent.contract.name,
            history,
        )
        if problem.fixed.get(a) or problem.previous.get(a):
            signature = ("alone", a)
        groups[signature].append(a)
    return tuple(sorted(tuple(members) for members in groups.values()))


def _owned(problem: RosterProblem, block: Block | None) -> np.ndarray:
    owned = np.zeros(len(problem.grid), dtype=bool)
    owned[list(block.intervals) if block is not None else slice(None)] = True
    return owned


def _included(problem: RosterProblem, block: Block | None) -> np.ndarray:
    """Per option, whether it is in the block: on its days, or reaching into its intervals.

    Over every option at once (prefix sums of the owned intervals): per option and class, a
    Python loop took 0.3 s of uncounted CPU a week on the 15-minute team (2026-12-02, session 17).
    """
    if block is None:
        return np.ones(len(problem.options), dtype=bool)
    first, last, day = _option_arrays(problem)
    owned = np.concatenate(([0], np.cumsum(_owned(problem, block), dtype=np.int64)))
    on_days = np.zeros(len(problem.days), dtype=bool)
    on_days[list(block.days)] = True
    return on_days[day] | (owned[last] > owned[first])


def _option_arrays(problem: RosterProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every option's first interval, last interval (exclusive) and day, as arrays."""
    size = len(problem.options)
    first = np.fromiter((option.first_interval for option in problem.options), dtype=np.int64, count=size)
    last = np.fromiter((option.last_interval for option in problem.options), dtype=np.int64, count=size)
    day = np.fromiter((option.day_index for option in problem.options), dtype=np.int64, count=size)
    return first, last, day


def build_seconds(
    problem: RosterProblem,
    block: Block | None = None,
    plans: PlanKind | None = None,
    merge: int = 1,
    *,
    preferences: bool = True,
) -> float:
    """The budget building the relaxation is charged: counted from its size, before building it.

    The terms of the count variables in the intervals they cover, and with
    ``plans`` those of the plan columns (:func:`_plan_terms`). With ``merge``:
    in the runs they reach (:class:`~.aggregate_coverage.Runs`), each at
    :data:`MERGED_BUILD_SECONDS_PER_TERM`. ``preferences=False``: over the classes pooled across
    preferences (:func:`agent_classes`).
    """
    if merge > 1:
        return MERGED_BUILD_SECONDS_PER_TERM * count_terms(problem, block, merge, preferences=preferences) + (
            build_seconds(problem, block, plans) - build_seconds(problem, block) if plans else 0.0
        )
    terms = count_terms(problem, block, preferences=preferences)
    if plans:
        days = set(block.days) if block is not None else None
        terms += sum(_plan_terms(problem, o, len(queues), plans) for (_g, o), queues in _planned(problem, days).items())
    return BUILD_SECONDS_PER_TERM * terms


def count_terms(problem: RosterProblem, block: Block | None = None, merge: int = 1, *, preferences: bool = True) -> int:
    """Nonzeros of the count variables in the coverage rows: the intervals (runs of ``merge``) they reach."""
    first, last, _day = _option_arrays(problem)
    terms = np.where(_included(problem, block), (last - 1) // merge - first // merge + 1, 0)
    classes = agent_classes(problem, preferences=preferences)
    return int(sum(int(terms[list(problem.allowed[members[0]])].sum()) for members in classes))


def _plan_terms(problem: RosterProblem, o: int, queues: int, plans: PlanKind) -> int:
    """About how many terms an option's plan columns hold: plans times intervals (blocks not counted)."""
    option = problem.options[o]
    length = option.last_interval - option.first_interval
    per_lunch = queues + queues * (queues - 1) * (length - 1) * min(problem.settings.max_switches_per_shift, 1)
    lunches = len(option.lunch_starts) if plans == "exact" and option.lunch_starts else 1
    return per_lunch * lunches * length


def _planned(problem: RosterProblem, days: set[int] | None) -> dict[tuple[int, int], list[int]]:
    """(skill group, option) -> the group's queues, for the multi-skilled groups' options split among plans.

    The block's own days only: an option reaching in from another block keeps the free split.
    """
    planned: dict[tuple[int, int], list[int]] = {}
    if not enumerable(problem):
        return planned
    for g, skills in enumerate(skill_groups(problem)):
        if len(skills) < 2:
            continue
        for o in sorted(
            {o for a, agent in enumerate(problem.agents) if agent.channels == skills for o in problem.allowed[a]}
        ):
            day = problem.options[o].day_index
            if day in problem.frozen_days or (days is not None and day not in days):
                continue
            queues = option_queues(problem, skills, o)
            if queues is not None:
                planned[g, o] = queues
    return planned


def solve_aggregate(
    problem: RosterProblem,
    *,
    whole_agents: bool = False,
    whole_queues: bool = False,
    plans: PlanKind | None = None,
    block: Block | None = None,
    time_limit: float | None = None,
    on_solve: Callable[[pywraplp.Solver], None] | None = None,
    keep_counts: bool = False,
    merge: int = 1,
    day_patterns: bool = False,
    named: bool = False,
    solver: str = "GLOP",
    preferences: bool = True,
) -> AggregateResult:
    """Solve the linear relaxation; its objective is a lower bound on any roster's objective.

    Args:
        whole_agents: charge each interval its whole-agent cost curve
            instead of fractional per-queue coverage (see the module docstring).
        whole_queues: per queue the convex hull of its cost at whole agents.
        plans: multi-skilled groups split among whole-shift plans (:mod:`.plans`).
        block: only these days and the coverage of these intervals (a bound on
            their share of the objective; see the module docstring).
        time_limit: seconds of budget for building (charged by :func:`build_seconds`)
            and solving (GLOP's deterministic time, reproducible); a relaxation
            whose building alone would use half of it is not built (not optimal).
            None = no limit.
        on_solve: called with the solver just before it solves (a caller in
            another thread may interrupt it: ``InterruptSolve``; the result is
            then not optimal).
        keep_counts: return the optimum's counts of the block's own days (``counts``).
        merge: with ``whole_queues``, charge coverage per run of this many consecutive
            intervals (:func:`~.aggregate_coverage.merged_coverage`): a weaker bound from
            an LP about ``1 / merge`` the size, for fine grids.
        day_patterns: each class's worked days a mix of day patterns its members' rules
            allow (:mod:`.daypatterns`, column generation): a stronger bound where days off
            in blocks, runs of days and weekends bind across weeks. Whole horizon and no time
            limit only (it re-solves the program until no pattern prices out: minutes).
        preferences: False: agents differing only in their preferences form one class and no
            preference is charged (each costs at least 0: a weaker bound from fewer columns,
            for teams whose preferences split most classes).

    Raises:
        InfeasibleError: the summed rules admit no counts at all (some agent's
            rules are infeasible; the caller explains which).
        ValueError: ``plans`` with ``whole_agents`` (the whole-agent curve
            counts agents working, not the queues their plans serve), ``merge``
            without ``whole_queues``, ``day_patterns`` with a ``block`` or a ``time_limit``.
    """
    if plans and whole_agents:
        raise ValueError("plans need per-queue coverage: combine them with whole_queues or the default")
    if merge > 1 and (whole_agents or not whole_queues):
        raise ValueError("merged intervals are charged whole agents per queue: use them with whole_queues")
    if day_patterns and (block is not None or time_limit is not None):
        raise ValueError("day patterns span the whole horizon and are solved without a time limit")
    classes = (
        tuple((a,) for a in range(len(problem.agents))) if named else agent_classes(problem, preferences=preferences)
    )
    building = build_seconds(problem, block, plans, merge, preferences=preferences)
    if time_limit is not None:
        # Building alone past half the limit: too little would be left to solve it (and the build,
        # Python, is the less exactly charged part).
        if 2 * building >= time_limit:
            return AggregateResult(classes=classes, bound=0.0, optimal=False, seconds=0.0)
        time_limit -= building
    lp = pywraplp.Solver.CreateSolver(solver)
    own = set(block.days) if block is not None else set(range(len(problem.days)))
    owned = _owned(problem, block)
    included = set(np.flatnonzero(_included(problem, block)).tolist())
    group_of = {skills: g for g, skills in enumerate(skill_groups(problem))}
    # (group, interval) -> (coefficient, variable) terms summing to the agents of the group working then
    working: dict[tuple[int, int], Terms] = defaultdict(list)
    # Options whose lunch may start at several places: the roster places it later, anywhere in
    # its window, so the relaxation must allow every placement (see lunch_anywhere).
    flexible: dict[int, dict[int, list[pywraplp.Variable]]] = {
        option.index: {}
        for option in problem.options
        if len(option.lunch_starts) > 1 and option.day_index not in problem.frozen_days and option.index in included
    }
    # Multi-skilled groups' options whose agents split among whole-shift plans (see .plans).
    plan_queues = _planned(problem, own) if plans else {}
    planned: dict[tuple[int, int], list[pywraplp.Variable]] = {key: [] for key in plan_queues}
    count_vars: dict[tuple[int, int], pywraplp.Variable] = {}
    runs = Runs(problem, owned, merge) if merge > 1 else None  # working then by (group, run)
    for c, members in enumerate(classes):
        added = _add_class(
            lp, problem, c, members, included, own, group_of, working, flexible, planned, runs, preferences
        )
        for o, var in added.items():
            count_vars[c, o] = var

    columns = PatternColumns(lp, problem, classes) if day_patterns else None
    if columns is not None:
        for c in range(len(classes)):
            by_day: dict[int, list[pywraplp.Variable]] = defaultdict(list)
            for (k, o), var in count_vars.items():
                if k == c:
                    by_day[problem.options[o].day_index].append(var)
            columns.link(c, by_day)
    if runs is not None:
        lunch_in_runs(lp, problem, flexible, working, runs)
    else:
        lunch_anywhere(lp, problem, flexible, working)
    staffed = plan_columns(lp, problem, planned, plan_queues, span=plans == "span")
    if whole_agents:
        whole_agent_coverage(lp, problem, working, len(group_of), owned)
    else:
        if runs is not None:
            merged_coverage(lp, problem, working, runs, staffed)
        else:
            queue_coverage(lp, problem, working, owned, whole=whole_queues, staffed=staffed)
    objective = lp.Objective()
    objective.SetMinimization()
    parameters = GLOP_PARAMETERS if columns is None else PATTERN_GLOP_PARAMETERS
    if time_limit is not None:
        parameters += f" max_deterministic_time: {max(time_limit, 0.01) * GLOP_TIME_SCALE:g}"
    if solver == "GLOP":
        lp.SetSolverSpecificParametersAsString(parameters)
    if on_solve is not None:
        on_solve(lp)
    if columns is not None:
        found = columns.solve(lambda: _optimum(lp))
        if found is None:
            return AggregateResult(classes=classes, bound=0.0, optimal=False, seconds=float("inf"))
        return AggregateResult(classes=classes, bound=max(0.0, found * (1 - 1e-7) - 1e-6), optimal=True)
    status = lp.Solve()
    allowed = time_limit + building if time_limit is not None else float("inf")
    if status == pywraplp.Solver.INFEASIBLE:
        raise InfeasibleError("the rules admit no roster")
    if status != pywraplp.Solver.OPTIMAL:
        return AggregateResult(classes=classes, bound=0.0, optimal=False, seconds=allowed)
    # A hair below the LP optimum: simplex tolerances must not turn a bound into an overestimate.
    bound = max(0.0, objective.Value() * (1 - 1e-7) - 1e-6)
    used = building + solve_seconds(lp.iterations(), lp.NumConstraints())
    counts = {}
    if keep_counts:
        for key, var in count_vars.items():
            value = var.solution_value()
            if value > COUNT_NOISE and problem.options[key[1]].day_index in own:
                counts[key] = value
    return AggregateResult(classes=classes, bound=bound, optimal=True, seconds=min(used, allowed), counts=counts)


def _optimum(lp: pywraplp.Solver) -> float | None:
    """Solve (again, once more from GLOP's default start if the simplex gives up) and return the optimum."""
    status = lp.Solve()
    if status == pywraplp.Solver.ABNORMAL:
        lp.SetSolverSpecificParametersAsString("")
        status = lp.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        raise InfeasibleError("the rules admit no roster")
    return lp.Objective().Value() if status == pywraplp.Solver.OPTIMAL else None


def solve_seconds(iterations: int, rows: int) -> float:
    """The budget a finished simplex solve is charged: its iterations and the LP's rows."""
    return iterations * (SECONDS_PER_ITERATION_ROW * rows + SECONDS_PER_ITERATION_SQUARED * iterations)


def day_cap(problem: RosterProblem, a: int) -> int | None:
    """The most days agent ``a``'s day patterns allow over the horizon, where its weekly shift counts allow more.

    None where it cuts nothing: no pattern at all (the agent's own rules explain that), or as many
    days as the weeks allow. The whole horizon's relaxation caps each class's days by it.
    """
    rules = problem.rules[a]
    most = most_days(day_rules(problem, a))
    if most is not None and most < sum(min(rules.max_shifts_per_week, len(week)) for week in problem.weeks):
        return most
    return None


def _add_class(
    lp: pywraplp.Solver,
    problem: RosterProblem,
    c: int,
    members: Sequence[int],
    included: set[int],
    own: set[int],
    group_of: dict[tuple[str, ...], int],
    working: dict[tuple[int, int], Terms],
    flexible: dict[int, dict[int, list[pywraplp.Variable]]],
    planned: dict[tuple[int, int], list[pywraplp.Variable]],
    runs: Runs | None = None,
    preferences: bool = True,
) -> dict[int, pywraplp.Variable]:
    """One class's counts (returned: option -> count), its summed rules within the block's days and its soft terms there."""
    infinity = lp.infinity()
    objective = lp.Objective()
    settings = problem.settings
    size = len(members)
    first = members[0]
    rules = problem.rules[first]
    agent = problem.agents[first]
    g = group_of[agent.channels]
    counts: dict[int, pywraplp.Variable] = {}
    by_day: dict[int, list[int]] = defaultdict(list)
    for o in problem.allowed[first]:
        if o not in included:
            continue
        var = lp.NumVar(0, size, f"count[{c},{o}]")
        counts[o] = var
        by_day[problem.options[o].day_index].append(o)
        covered: Iterable[int]
        if (g, o) in planned:
            planned[g, o].append(var)
            continue
        if o in flexible:
            flexible[o].setdefault(g, []).append(var)
        if runs is not None:
            runs.add(working, g, o, var, o in flexible)
            continue
        if o in flexible:
            covered = range(problem.options[o].first_interval, problem.options[o].last_interval)
        else:
            covered = problem.covering_intervals(o)
        for t in covered:
            working[g, t].append((1.0, var))

    def day_sum(d: int) -> Terms:
        return [(1.0, counts[o]) for o in by_day.get(d, [])]

    # Days reaching in from another block keep one shift a day only (and any fixed day below).
    for d in sorted(by_day):
        add_row(lp, -infinity, size, day_sum(d))
    for week, (low, high, target) in zip(problem.weeks, rules.week_minutes, strict=True):
        if not set(week) <= own:
            continue
        terms = [(float(problem.options[o].paid_minutes), counts[o]) for d in week for o in by_day.get(d, [])]
        add_row(lp, size * low, size * high, terms)
        if len(week) > rules.max_shifts_per_week:
            add_row(lp, -infinity, size * rules.max_shifts_per_week, [term for d in week for term in day_sum(d)])
        if settings.hours_weight and target > low:
            under = lp.NumVar(0, infinity, f"under[{c},{week[0]}]")
            add_row(lp, size * target, infinity, [(1.0, under), *terms])
            objective.SetCoefficient(under, settings.hours_weight)
    for d, today in sorted(by_day.items()):
        if d not in own or d + 1 not in own:
            continue
        tomorrow = [(problem.options[o2].start_minute, counts[o2]) for o2 in by_day.get(d + 1, [])]
        for o in today:
            latest = problem.options[o].end_minute + rules.min_rest_minutes
            clash = [(1.0, var) for begin, var in tomorrow if begin < latest]
            if clash:
                add_row(lp, -infinity, size, [(1.0, counts[o]), *clash])
    if len(own) == len(problem.days) and by_day:
        # The whole horizon: no agent works more days than its day patterns allow (days off in blocks,
        # runs of days and the weekend cap, summed over the class, let it count more: London's team
        # with 4 days in a row and days off in pairs, 18-19 days of 28 against 20).
        most = day_cap(problem, first)
        if most is not None:
            add_row(lp, -infinity, size * most, [(1.0, var) for var in counts.values()])
    limit = rules.max_consecutive_days
    for begin in range(len(problem.days) - limit):
        span = range(begin, begin + limit + 1)
        window = [term for d in span for term in day_sum(d)]
        if window and all(d in own for d in span):
            add_row(lp, -infinity, size * limit, window)
    weekends = [days for days in problem.weekends if set(days) <= own]
    if weekends and rules.max_weekends < len(weekends):
        workers = []
        for days in weekends:
            worker = lp.NumVar(0, size, f"weekend[{c},{days[0]}]")
            for d in days:
                add_row(lp, 0.0, infinity, [(1.0, worker), *((-coef, var) for coef, var in day_sum(d))])
            workers.append((1.0, worker))
        add_row(lp, -infinity, size * rules.max_weekends, workers)
    for a in members:
        for d, kept in problem.fixed.get(a, {}).items():
            if kept is None:
                for term in day_sum(d):
                    add_row(lp, 0.0, 0.0, [term])
            elif kept in counts:
                add_row(lp, 1.0, 1.0, [(1.0, counts[kept])])
    for preference in agent.preferences if preferences else ():
        matching = [o for o in counts if preference_matches(preference, problem.options[o])]
        if preference.kind == "avoid":
            for o in matching:
                if problem.options[o].day_index in own:
                    objective.SetCoefficient(counts[o], objective.GetCoefficient(counts[o]) + SCALE * preference.weight)
            continue
        for d in preference_days(preference, problem.days):
            if d not in own:
                continue
            on_day = [(1.0, counts[o]) for o in matching if problem.options[o].day_index == d]
            missed = lp.NumVar(0, size, f"missed[{c},{d}]")
            add_row(lp, size, infinity, [(1.0, missed), *on_day])
            objective.SetCoefficient(missed, SCALE * preference.weight)
    return counts
