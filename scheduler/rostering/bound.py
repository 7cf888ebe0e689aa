"""The proven lower bound: which relaxations, over which blocks of days, within a deterministic budget.

The relaxations of :mod:`.aggregate` are solved **per week** (:func:`week_blocks`):
each week's relaxation charges its own intervals' coverage and its own days'
soft terms and drops the rules that span two weeks (rest from Sunday into
Monday, consecutive days across the week boundary, the horizon's weekend
cap), so the weeks' optima add up to a valid bound (module docstring of
:mod:`.aggregate`). On every benchmark instance the sum equals the
whole-horizon relaxation (those coupling rules do not bind there) at a
quarter to a third of its CPU: four small LPs instead of one large.

:data:`RELAXATIONS` are tried in order within one deterministic budget, and
the largest bound proven is kept: whole agents per queue (cheap: 3-7 s of CPU
at 100 agents over 4 weeks), then span plans (knows the switch cap and that
an agent serves one queue for a stretch: +0.3-0.9%, 4-5x the cost), then the
whole horizon at once (knows the cross-week rules; only with what is left).
A relaxation stops at its first week that does not finish within what is left
(charged what it used); a week no relaxation finished counts 0 in the sum.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from scheduler.errors import InfeasibleError
from scheduler.rostering.aggregate import (
    BUILD_SECONDS_PER_TERM,
    Block,
    PlanKind,
    agent_classes,
    build_seconds,
    count_terms,
    solve_aggregate,
)
from scheduler.rostering.guide import Guide
from scheduler.rostering.model import skill_groups
from scheduler.rostering.plans import enumerable
from scheduler.rostering.problem import RosterProblem


@dataclass(frozen=True, slots=True, kw_only=True)
class Relaxation:
    name: str
    plans: PlanKind | None = None
    weekly: bool = True


# In order; each gets what the ones before left of the budget.
RELAXATIONS: tuple[Relaxation, ...] = (
    Relaxation(name="whole agents per queue, per week"),
    Relaxation(name="span plans, per week", plans="span"),
    Relaxation(name="whole agents per queue, whole horizon", weekly=False),
)


# The whole horizon is tried only with this many times its building charge left: it needed
# 3-6x (100 and 500 agents, whole agents per queue), and one that does not finish costs all.
WHOLE_HORIZON_MARGIN = 10

# Fine grids: the first relaxation's weeks are solved with their intervals merged in runs
# (aggregate_coverage.merged_coverage: a weaker bound from an LP about 1/merge the size) when the
# fine LPs' expected charge does not fit the week's share of what is left (run_length); runs of
# at most MAX_RUN_MINUTES. Expected charge: the building charge times SOLVE_PER_BUILD and
# MERGE_MARGIN before the first week, then times the charge per building charge of the weeks
# done (the first week's runs are chosen on a guess, hence the margin); the building charge of
# the LP's own count terms (aggregate.count_terms, in runs). Measured (one week's LP, charged /
# building, 2026-12-02): 2.9-6.2 on the benchmark's instances (500/2,
# 100/5, 100/3), 6.4-14.6 on the unseen Chicago, New York and Sydney teams (30 minutes) and 32 on
# the Berlin team at 30 minutes, 13-19 on its 15-minute grid merged in runs of 2-8 (about 1.3x
# those since session 17's solve charges). Runs of four hours were tried there (session 17): the
# weeks so merged proved a tenth of what runs of two hours do (53.6M against 95.7M in all).
SOLVE_PER_BUILD = 8.0
MERGE_MARGIN = 1.5
MAX_RUN_MINUTES = 120


@dataclass(frozen=True, slots=True, kw_only=True)
class Proven:
    """The bound proven within a budget (0 and not available when no relaxation finished)."""

    bound: float
    available: bool
    seconds: float  # budget charged (deterministic)
    relaxation: str = ""  # the relaxation that gave it


def week_blocks(problem: RosterProblem) -> tuple[Block, ...]:
    """One block per week; each interval's coverage charged in exactly one of them.

    An interval belongs to the week of the earliest day whose shift options
    reach it (a Sunday's late shift running past midnight takes Monday's first
    hours with it), or of its own local day when no option does.
    """
    local = problem.grid.tz_convert(problem.timezone)
    index = {day: d for d, day in enumerate(problem.days)}
    owner = np.array([index.get(stamp.date(), len(problem.days) - 1) for stamp in local], dtype=np.int64)
    for option in problem.options:
        span = slice(option.first_interval, option.last_interval)
        owner[span] = np.minimum(owner[span], option.day_index)
    week_of = np.zeros(len(problem.days), dtype=np.int64)
    for w, week in enumerate(problem.weeks):
        week_of[list(week)] = w
    owning_week = week_of[owner]
    return tuple(
        Block(days=tuple(week), intervals=tuple(np.flatnonzero(owning_week == w).tolist()))
        for w, week in enumerate(problem.weeks)
    )


def run_length(problem: RosterProblem, block: Block, share: float, rate: float, merge: int = 1) -> int:
    """How many intervals a run merges in the week's first relaxation (1: none).

    The finest runs, from ``merge`` (the weeks before's) up, whose expected charge (``rate`` times
    the LP's size: its count terms at the building charge per term) fits ``share``, the week's share of what is left; the coarsest allowed
    (runs of :data:`MAX_RUN_MINUTES`) when none does. Never finer than the weeks before: measured
    on merged weeks, the rate underestimates a finer LP (New York's team: 7.2 merged in pairs, 10.8
    fine), and a week that overruns all that is left costs the whole relaxation.
    """
    while True:
        if rate * BUILD_SECONDS_PER_TERM * count_terms(problem, block, merge) <= share:
            return merge
        if 2 * merge * problem.interval_minutes > MAX_RUN_MINUTES:
            return merge
        merge *= 2


def _would_overrun(
    problem: RosterProblem,
    block: Block | None,
    relaxation: Relaxation,
    index: int,
    left: float,
    merge: int,
    rate: float,
) -> bool:
    """Whether a week, at ``rate`` (the first relaxation's charge per building charge), would not finish in ``left``.

    Such a week is not started: its unfinished solve would be charged all that is left and prove
    nothing (the weeks before still count, the rest count 0). Only once the rate is measured (0
    before) and for weeks: the whole horizon keeps its own margin. The first relaxation's weeks are
    sized by their count terms, as :func:`run_length` sizes them; a later one's by its building
    charge (span plans: at least the first's rate on every instance measured, 1-2x).
    """
    if rate <= 0 or block is None or not relaxation.weekly:
        return False
    if index == 0:
        return rate * BUILD_SECONDS_PER_TERM * count_terms(problem, block, merge) > left
    return rate * build_seconds(problem, block, relaxation.plans) > left


def _plans_apply(problem: RosterProblem) -> bool:
    """Plans change the relaxation only where a multi-skilled group exists and the cap is small."""
    return enumerable(problem) and any(len(skills) > 1 for skills in skill_groups(problem))


def lower_bound(
    problem: RosterProblem,
    time_limit: float,
    cancelled: threading.Event | None = None,
    on_solve: Callable[[pywraplp.Solver], None] | None = None,
    on_guide: Callable[[Guide | None], None] | None = None,
    *,
    runs: bool = False,
) -> Proven:
    """The largest bound :data:`RELAXATIONS` prove within ``time_limit`` counted seconds.

    Per week the largest of the weekly relaxations that finished counts: each
    is a valid bound on that week's share of the objective (its coverage, its
    days' soft terms), so their sum is a valid bound even when the budget
    runs out before a stronger relaxation has done every week; a week none
    finished counts 0 (every objective term is at least 0). It is available
    once some week has one. ``cancelled``: checked between solves
    (a bound run beside the search stops early when the roster stage fails);
    ``on_solve``: given each solver before it solves, so that it can be interrupted.
    ``on_guide``: called once, as soon as the first relaxation is done, with its
    counts (:class:`~scheduler.rostering.guide.Guide`; None when some week did
    not finish or merged its intervals): the search beside it steers by them. ``runs``: the first
    relaxation's weeks merge their intervals in runs where the fine LP does not
    fit (:func:`run_length`; the bound beside the search, which has no CP-SAT
    bound to fall back on).

    Raises:
        InfeasibleError: the summed rules admit no roster.
    """
    charged = 0.0
    blocks = week_blocks(problem)
    weekly: list[tuple[float, str] | None] = [None] * len(blocks)  # per week: best bound, its relaxation
    whole: tuple[float, str] | None = None
    guided: dict[tuple[int, int], float] | None = {} if on_guide is not None else None
    first_rate = 0.0  # the first relaxation's charge per building charge (run_length's rate), once known
    for index, relaxation in enumerate(RELAXATIONS):
        built = used = 0.0  # this relaxation's weeks so far: building charge, charge
        merge = 1
        if relaxation.plans and not _plans_apply(problem):
            continue
        if not relaxation.weekly and len(blocks) == 1:
            continue  # the same as the per-week one
        if not relaxation.weekly and time_limit - charged < WHOLE_HORIZON_MARGIN * build_seconds(problem):
            continue  # too little left to solve it: an unfinished solve costs its whole limit for nothing
        for w, block in enumerate(blocks if relaxation.weekly else (None,)):
            left = time_limit - charged
            if left <= 0 or (cancelled is not None and cancelled.is_set()):
                break
            if runs and index == 0 and block is not None:
                rate = used / built if built > 0 else MERGE_MARGIN * SOLVE_PER_BUILD
                merge = run_length(problem, block, left / (len(blocks) - w), rate, merge)
            measured = (used / built if built > 0 else 0.0) if index == 0 else first_rate
            if (runs or index > 0) and _would_overrun(problem, block, relaxation, index, left, merge, measured):
                break  # not started: at the first relaxation's charge per building charge it would not finish
            result = solve_aggregate(
                problem,
                whole_queues=True,
                plans=relaxation.plans,
                block=block,
                time_limit=left,
                on_solve=on_solve,
                keep_counts=index == 0 and guided is not None,
                merge=merge,
            )
            charged += result.seconds
            if index == 0 and block is not None:
                built += BUILD_SECONDS_PER_TERM * count_terms(problem, block, merge)
                used += result.seconds
            if not result.optimal:
                break
            if index == 0 and guided is not None:
                guided.update(result.counts)
            name = relaxation.name + (f", intervals in runs of {merge}" if merge > 1 else "")
            if block is None:
                whole = (result.bound, name)
            elif weekly[w] is None or result.bound > weekly[w][0]:  # type: ignore[index]
                weekly[w] = (result.bound, name)
        if index == 0 and built > 0:
            first_rate = used / built
        if index == 0 and on_guide is not None:
            # Counts of merged runs are no guide: agents moved within a run (the 15-minute team's
            # roster came out 0.9% dearer steered by them, New York's 0.4%, 2026-12-02).
            done = relaxation.weekly and merge == 1 and all(found is not None for found in weekly)
            on_guide(Guide(classes=agent_classes(problem), counts=guided or {}) if done else None)
            on_guide = None
    candidates: list[tuple[float, str]] = []
    proven = [found for found in weekly if found is not None]
    if proven:
        # A week no relaxation finished counts 0: every objective term is at least 0, so the weeks
        # proven still add up to a valid bound (the budget ran out before the last week, the
        # 15-minute team's fourth in runs of 8 at session 17's charges: a bound, not none).
        name = " + ".join(sorted({found[1] for found in proven}))
        if len(proven) < len(weekly):
            name += f", {len(proven)} of {len(weekly)} weeks (the others counted 0)"
        candidates.append((sum(found[0] for found in proven), name))
    if whole is not None:
        candidates.append(whole)
    if on_guide is not None:  # the first relaxation was never tried
        on_guide(None)
    if not candidates:
        return Proven(bound=0.0, available=False, seconds=charged)
    bound, name = max(candidates)
    return Proven(bound=bound, available=True, seconds=charged, relaxation=name)


def first_guide(problem: RosterProblem, time_limit: float, *, runs: bool = False) -> Guide | None:
    """The counts :func:`lower_bound` hands ``on_guide``, computed alone (the first relaxation only)."""
    found: list[Guide | None] = []
    stop = threading.Event()

    def keep(guide: Guide | None) -> None:
        found.append(guide)
        stop.set()  # the first relaxation is done: nothing after it is needed

    try:
        lower_bound(problem, time_limit, stop, on_guide=keep, runs=runs)
    except InfeasibleError:
        return None
    return found[0] if found else None
