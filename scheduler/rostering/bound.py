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
(charged what it used), or that its own charge per size so far says would not
(:data:`LATER_RATE_PRIOR` before its first week); a week no relaxation finished
counts 0 in the sum.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from scheduler.errors import InfeasibleError
from scheduler.rostering.aggregate import (
    BUILD_SECONDS_PER_TERM,
    COUNT_NOISE,
    Block,
    PlanKind,
    agent_classes,
    build_seconds,
    count_terms,
    day_cap,
    solve_aggregate,
)
from scheduler.rostering.bound_ahead import Ahead
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
# fine LPs' expected charge does not fit the week's share of what is left (coarsening); runs of
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
# A week of the first relaxation that does not fit what is left even in runs of MAX_RUN_MINUTES
# is tried in runs up to this long before it is left to count 0: four hours proved a sixth to a
# half of what two do on the 15-minute team (session 17: 53.6M against 95.7M over its weeks;
# session 18: its fourth week 3.17M against about 20.8M).
LAST_RESORT_RUN_MINUTES = 240
# A later relaxation's charge per building charge before its first week is done: the first
# relaxation's (per count-term charge) times this; its own from its first week on. The span
# plans' own rate was 1-2x the first relaxation's on all nine instances measured in session 17
# (benchmark seeds 2, 3, 5, 9 and the five unseen teams), and a week that does not finish costs
# all that is left for nothing where one not started loses a span week's +0.3-0.9%: the top of
# that range.
LATER_RATE_PRIOR = 2.0
# A level not solved yet, finer than the one solved: its charge per size is the coarser level's
# times (its size / the coarser's) to this power. Measured from the coarsest level of the ladder
# to each finer one (one week's LP, 2026-12-03, session 19): New York's team 0.22-0.42 (its
# runs of 2 from pooled runs of 4: 0.22; pooled, fine: 0.42), the 15-minute team -0.03 to 0.09,
# London's up to 0.17, Chicago's and the benchmark's seed 5 below 0 (a merged LP's building
# charge per term is the dearer). Above them all: a week chosen on it does not overrun its share.
FINER_RATE_EXPONENT = 0.5


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Coarsening:
    """How the first relaxation's week is made cheaper where its exact LP does not fit (beside the search)."""

    pooled: bool = False  # agents differing only in their preferences one class, no preference charged
    merge: int = 1  # intervals per run (aggregate_coverage.merged_coverage)

    def describe(self) -> str:
        parts = (["classes pooled across preferences"] if self.pooled else []) + (
            [f"intervals in runs of {self.merge}"] if self.merge > 1 else []
        )
        return "".join(f", {part}" for part in parts)


EXACT = Coarsening()


def coarsenings(problem: RosterProblem, *, last_resort: bool = False) -> tuple[Coarsening, ...]:
    """From the exact LP to the cheapest: classes pooled, then runs of 2, 4, ... intervals, each
    first with the exact classes, then pooled.

    Pooling agents that differ only in their preferences drops what the preferences cost (each at
    least 0) for fewer columns; measured on the 15-minute team (82 classes, 68 pooled): a week's
    LP in runs of 8 charged 4.43 s instead of 6.86 s for 20.79M instead of 20.86M, where runs of
    4 instead of 8 prove 26.5M; on New York's team pooled weeks in runs of 2 proved 1.1% less
    (7.45M against 7.54M). So pooling comes before the next run length. Only where it pools some
    agents. Runs of at most :data:`MAX_RUN_MINUTES`, or with ``last_resort``
    :data:`LAST_RESORT_RUN_MINUTES` (a week that would otherwise count 0).
    """
    pool = len(agent_classes(problem, preferences=False)) < len(agent_classes(problem))
    ladder = [EXACT, *([Coarsening(pooled=True)] if pool else [])]
    merge = 2
    while merge * problem.interval_minutes <= (LAST_RESORT_RUN_MINUTES if last_resort else MAX_RUN_MINUTES):
        ladder.append(Coarsening(merge=merge))
        if pool:
            ladder.append(Coarsening(pooled=True, merge=merge))
        merge *= 2
    return tuple(ladder)


def _terms(problem: RosterProblem, block: Block, level: Coarsening) -> int:
    """The LP's size at ``level``: its count terms (:func:`~.aggregate.count_terms`)."""
    return count_terms(problem, block, level.merge, preferences=not level.pooled)


def _size(problem: RosterProblem, block: Block, relaxation: Relaxation, level: Coarsening) -> float:
    """What a week's rate multiplies: the first relaxation's count terms (at the building charge per
    term), a later one's building charge."""
    if relaxation is RELAXATIONS[0]:
        return BUILD_SECONDS_PER_TERM * _terms(problem, block, level)
    return build_seconds(problem, block, relaxation.plans)


Expected = Callable[[Block, Coarsening], float]


def at_rate(problem: RosterProblem, rate: float) -> Expected:
    """A week's expected charge at one charge per size (:func:`_size`) for every level."""
    return lambda block, level: rate * BUILD_SECONDS_PER_TERM * _terms(problem, block, level)


def coarsening(
    problem: RosterProblem, block: Block, share: float, expected: Expected, start: Coarsening = EXACT
) -> Coarsening:
    """How the week's first relaxation is coarsened (:func:`coarsenings`; :data:`EXACT`: not at all).

    The finest, from ``start`` on, whose ``expected`` charge fits ``share``, the week's share of
    what is left; the coarsest when none does. ``start``: the week before's level (never finer:
    a week that overruns all that is left costs the whole relaxation) or, after the first week's
    probe (:class:`Rates`), the level the guess chose.
    """
    ladder = coarsenings(problem)
    for level in ladder[ladder.index(start) :]:
        if expected(block, level) <= share:
            return level
    return ladder[-1]


class Rates:
    """The first relaxation's charge per size (:func:`_size`) at each level it has solved, and a week's expected charge.

    At a level solved, its own charge per size; at another, the nearest finer level's (the rate
    grows with the LP: the basis fills, :func:`~.aggregate.solve_seconds`, so a finer level's
    rate does not underestimate a coarser one's), else the nearest coarser level's times the
    size ratio to the :data:`FINER_RATE_EXPONENT`.
    """

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = problem
        self.ladder = coarsenings(problem, last_resort=True)
        self.solved: dict[Coarsening, tuple[float, float]] = {}  # level -> charge, size

    def __bool__(self) -> bool:
        return bool(self.solved)

    def add(self, level: Coarsening, charge: float, size: float) -> None:
        used, sized = self.solved.get(level, (0.0, 0.0))
        self.solved[level] = (used + charge, sized + size)

    def rate(self, level: Coarsening) -> float:
        used, size = self.solved[level]
        return used / size if size > 0 else 0.0

    def expected(self, block: Block, level: Coarsening) -> float:
        size = _size(self.problem, block, RELAXATIONS[0], level)
        if level in self.solved:
            return self.rate(level) * size
        at = self.ladder.index(level)
        finer = [known for known in self.ladder[:at] if known in self.solved]
        if finer:
            return self.rate(finer[-1]) * size
        coarser = next(known for known in self.ladder[at + 1 :] if known in self.solved)
        ratio = size / max(_size(self.problem, block, RELAXATIONS[0], coarser), 1e-12)
        return self.rate(coarser) * size * max(ratio, 1.0) ** FINER_RATE_EXPONENT


def horizon_may_gain(problem: RosterProblem, counts: dict[tuple[int, int], float]) -> bool:
    """Whether the whole horizon may prove more than the first relaxation's weeks, whose optima's counts are ``counts``.

    Over the weeks it adds only the rules that span them: each class's day cap
    (:func:`~.aggregate.day_cap`), the weekend cap, rest and runs of days across the weeks'
    boundaries. Where the weeks' optima together keep every class's day cap and no class has a
    weekend cap over the horizon, it proved exactly their sum wherever it ran (benchmark seed 20
    at 100 agents, seeds 2 and 5 at 500, to the unit; session 18) at 11-17 times its building
    charge (500 agents' seed 5: 40 counted seconds), and is not tried; London's team, whose days
    off in pairs cap its agents' days, keeps it (18.1M over the weeks, 23.5M the whole horizon).
    ``counts``: (class of :func:`~.aggregate.agent_classes`, option) -> agents, each week's own days.
    """
    worked: dict[int, float] = defaultdict(float)
    for (c, _option), agents in counts.items():
        worked[c] += agents
    for c, members in enumerate(agent_classes(problem)):
        if problem.weekends and problem.rules[members[0]].max_weekends < len(problem.weekends):
            return True
        most = day_cap(problem, members[0])
        if most is not None and worked[c] > len(members) * most + COUNT_NOISE:
            return True
    return False


def _plans_apply(problem: RosterProblem) -> bool:
    """Plans change the relaxation only where a multi-skilled group exists and the cap is small."""
    return enumerable(problem) and any(len(skills) > 1 for skills in skill_groups(problem))


def _first_level(
    problem: RosterProblem, block: Block, left: float, weeks: int, rates: Rates, start: Coarsening
) -> tuple[Coarsening | None, Coarsening]:
    """The first relaxation's level for a week beside the search, and the finest the next week may take.

    The finest from ``start`` whose expected charge (:class:`Rates`) fits the week's share of
    what is left (``weeks``: this and those after it); one coarser than any other week's, up to
    :data:`LAST_RESORT_RUN_MINUTES`, where that does not fit what is left; None where nothing does.
    The first week, before any rate is known: at :data:`MERGE_MARGIN` x :data:`SOLVE_PER_BUILD`,
    a guess. Where it says the exact LP fits, the week is exact (the benchmark's teams); where it
    coarsens, it is the least reliable (charges per size 11 on New York's team, 21 on the 15-minute
    team's), so, where the budget would still hold every week at the guessed level should the guess
    be right, the week is first solved at the coarsest level (four-hour runs, pooled: the
    *probe*), which measures the team's rate cheaply; the next week may be as fine as the guess
    said, and the probed week is solved again at the finest level the others took
    (:func:`_refine`), counted among the weeks still to solve (``weeks``).
    """
    share = left / weeks
    if not rates:
        guess = at_rate(problem, MERGE_MARGIN * SOLVE_PER_BUILD)
        guessed = coarsening(problem, block, share, guess)
        probe = rates.ladder[-1]
        if guessed == EXACT or guess(block, probe) + weeks * guess(block, guessed) > left:
            return guessed, guessed  # no room for a probe should the guess be right
        return probe, guessed
    level = coarsening(problem, block, share, rates.expected, start)
    if rates.expected(block, level) > left:
        # Coarser runs than any other week's rather than a week counted 0.
        ladder = rates.ladder
        coarser = [other for other in ladder[ladder.index(level) + 1 :] if rates.expected(block, other) <= left]
        return (coarser[0] if coarser else None), level
    return level, level


def _refine(
    problem: RosterProblem,
    blocks: tuple[Block, ...],
    time_limit: float,
    charged: float,
    rates: Rates,
    levels: list[Coarsening | None],
    weekly: list[tuple[float, str] | None],
    cancelled: threading.Event | None,
    on_solve: Callable[[pywraplp.Solver], None] | None,
) -> float:
    """The first relaxation's weeks proven coarser than the finest level any week was, solved again at that level.

    With what the weeks left (the probed first week, :func:`_first_level`, or a week squeezed by
    the ones before), each where its expected charge fits; a week's larger bound counts. Updates
    ``levels`` and ``weekly``; returns the budget charged in all.
    """
    proven = [level for level in levels if level is not None]
    if not proven:
        return charged
    ladder = rates.ladder
    finest = min(proven, key=ladder.index)
    for w, block in enumerate(blocks):
        level, found = levels[w], weekly[w]
        if level is None or found is None or ladder.index(level) <= ladder.index(finest):
            continue
        left = time_limit - charged
        if (cancelled is not None and cancelled.is_set()) or rates.expected(block, finest) > left:
            break
        result = solve_aggregate(
            problem,
            whole_queues=True,
            block=block,
            time_limit=left,
            on_solve=on_solve,
            merge=finest.merge,
            preferences=not finest.pooled,
        )
        charged += result.seconds
        rates.add(finest, result.seconds, _size(problem, block, RELAXATIONS[0], finest))
        if not result.optimal:
            break
        levels[w] = finest
        if result.bound > found[0]:
            weekly[w] = (result.bound, RELAXATIONS[0].name + finest.describe())
    return charged


def lower_bound(
    problem: RosterProblem,
    time_limit: float,
    cancelled: threading.Event | None = None,
    on_solve: Callable[[pywraplp.Solver], None] | None = None,
    on_guide: Callable[[Guide | None], None] | None = None,
    *,
    runs: bool = False,
    guide_limit: float | None = None,
    ahead: Ahead | None = None,
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
    not finish or was coarsened, or the relaxation was charged more than ``guide_limit`` counted
    seconds): the search beside it steers by them and may wait for them, so None is sent as soon as it
    is certain (a week coarsened, the limit passed), the bound going on as before. ``runs``: the first
    relaxation's weeks pool classes and merge their intervals in runs where the exact LP does
    not fit (:func:`coarsening`; the bound beside the search, which has no CP-SAT
    bound to fall back on); there a later relaxation's week is sized at its own rate
    (:data:`LATER_RATE_PRIOR` before its first) and the whole horizon is tried only where it
    may gain (:func:`horizon_may_gain`). ``ahead``: while the guide is awaited, the first
    relaxation's later weeks solved in a thread once the search waits (:mod:`.bound_ahead`: the
    same answers, sooner).

    Raises:
        InfeasibleError: the summed rules admit no roster.
    """
    charged = 0.0
    blocks = week_blocks(problem)
    weekly: list[tuple[float, str] | None] = [None] * len(blocks)  # per week: best bound, its relaxation
    whole: tuple[float, str] | None = None
    first_rate = 0.0  # the first relaxation's charge per size (_size), once known
    first_counts: dict[tuple[int, int], float] = {}  # its weeks' optima's counts (exact classes only)
    exact_weeks = False  # every week of the first relaxation proven, none coarsened
    rates = Rates(problem)  # beside the search: the first relaxation's charge per size at each level solved
    levels: list[Coarsening | None] = [None] * len(blocks)  # the level each week of it was proven at
    start = EXACT  # the finest level its next week may take (coarsening)
    probed = False  # its first week solved at the coarsest level to measure the rate (_first_level)
    for index, relaxation in enumerate(RELAXATIONS):
        size = used = 0.0  # this relaxation's weeks so far: their size (_size) and charge
        level = EXACT
        if relaxation.plans and not _plans_apply(problem):
            continue
        if not relaxation.weekly and len(blocks) == 1:
            continue  # the same as the per-week one
        if not relaxation.weekly and time_limit - charged < WHOLE_HORIZON_MARGIN * build_seconds(problem):
            continue  # too little left to solve it: an unfinished solve costs its whole limit for nothing
        if runs and not relaxation.weekly and exact_weeks and not horizon_may_gain(problem, first_counts):
            continue  # it would prove the weeks' sum again
        # The relaxation's week solve, written once: the weeks solved ahead (bound_ahead) are this LP.
        solve_week = functools.partial(
            solve_aggregate, problem, whole_queues=True, plans=relaxation.plans, keep_counts=index == 0
        )
        for w, block in enumerate(blocks if relaxation.weekly else (None,)):
            left = time_limit - charged
            if left <= 0 or (cancelled is not None and cancelled.is_set()):
                break
            if runs and index == 0 and block is not None:
                # The probed first week is still to be solved again (_refine): one more week to share.
                chosen, start = _first_level(problem, block, left, len(blocks) - w + probed, rates, start)
                if chosen is None:
                    break  # not started: even at the coarsest level it would not finish in what is left
                probed = probed or (w == 0 and chosen != start)
                level = chosen
                if level != EXACT and on_guide is not None:
                    on_guide(None)  # coarsened counts are no guide (below): the search need not wait for the rest
                    on_guide = None
            # A later relaxation's charge per size: beside the search, its own once a week of it is
            # done; before, the first relaxation's times LATER_RATE_PRIOR. In the budget (small teams,
            # whose search gets what the bound leaves): the first relaxation's, as in session 17.
            if runs:
                rate = used / size if size > 0 else LATER_RATE_PRIOR * first_rate
            else:
                rate = first_rate
            if index > 0 and block is not None and rate * _size(problem, block, relaxation, level) > left:
                break  # not started: at its charge per size it would not finish, and proves nothing unfinished
            result = None
            if ahead is not None and index == 0 and block is not None:
                if on_guide is None:
                    ahead.stop()
                result = ahead.take(w, level.merge, level.pooled, left)
                if on_guide is not None and rates:
                    later = list(enumerate(blocks))[w + 1 :]
                    expected = [rates.expected(other, start) for _k, other in [(w, block), *later]]
                    ahead.plan(later, left, (start.merge, start.pooled), expected, solve_week)
            if result is None:
                result = solve_week(
                    block=block, time_limit=left, on_solve=on_solve, merge=level.merge, preferences=not level.pooled
                )
            charged += result.seconds
            if block is not None:
                size += _size(problem, block, relaxation, level)
                used += result.seconds
                if index == 0:
                    rates.add(level, result.seconds, _size(problem, block, relaxation, level))
            if index == 0 and on_guide is not None and guide_limit is not None and charged > guide_limit:
                on_guide(None)  # past the guide's own limit: the search sweeps unguided, the bound goes on
                on_guide = None
            if not result.optimal:
                break
            if index == 0:
                first_counts.update(result.counts)
            name = relaxation.name + level.describe()
            if block is None:
                whole = (result.bound, name)
            else:
                if index == 0:
                    levels[w] = level
                if weekly[w] is None or result.bound > weekly[w][0]:  # type: ignore[index]
                    weekly[w] = (result.bound, name)
        if index == 0 and size > 0:
            first_rate = used / size
        if index == 0:
            exact_weeks = relaxation.weekly and all(found == EXACT for found in levels)
        if index == 0 and ahead is not None:
            ahead.stop()
        if index == 0 and on_guide is not None:
            # Counts of merged runs or pooled classes are no guide: agents moved within a run (the
            # 15-minute team's roster came out 0.9% dearer steered by them, New York's 0.4%, 2026-12-02).
            on_guide(Guide(classes=agent_classes(problem), counts=first_counts) if exact_weeks else None)
            on_guide = None
        if runs and index == 0:
            charged = _refine(problem, blocks, time_limit, charged, rates, levels, weekly, cancelled, on_solve)
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


def first_guide(
    problem: RosterProblem, time_limit: float, *, runs: bool = False, guide_limit: float | None = None
) -> Guide | None:
    """The counts :func:`lower_bound` hands ``on_guide``, computed alone (the first relaxation only)."""
    found: list[Guide | None] = []
    stop = threading.Event()

    def keep(guide: Guide | None) -> None:
        found.append(guide)
        stop.set()  # the first relaxation is done: nothing after it is needed

    try:
        lower_bound(problem, time_limit, stop, on_guide=keep, runs=runs, guide_limit=guide_limit)
    except InfeasibleError:
        return None
    return found[0] if found else None
