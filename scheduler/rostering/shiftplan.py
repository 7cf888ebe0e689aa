"""One shift's plan: its lunch start and a queue per interval, and the best one by dynamic program.

The exact piece of the activity stage (:mod:`.activities`): with every other
shift fixed, a shift's best lunch and queue sequence under the block and switch
rules is a dynamic program over its intervals (state: queue, length of the
current block, whether it began its stretch, switches so far). Also what a
given plan breaks and costs, so a stage can compare plans by the same measure.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.rostering.problem import RosterProblem
from scheduler.rostering.shiftprogram import LUNCH, program_for, run_program

# A one-queue shift's plan without the program (:func:`_single_queue_plan`): seconds charged per call
# and per interval and lunch start added up, calibrated to CPU like the program's (:mod:`.shiftprogram`).
# (Fitted with the program's charges, same instances and level: the walk's steps had charged 3e-8 s a term.)
SINGLE_SECONDS = 1.2e-5
SINGLE_SECONDS_PER_TERM = 1.1e-7

# Per problem, the shapes of shift whose compiling has been charged (:func:`charged_shapes`).
_CHARGED: dict[int, tuple[weakref.ref[np.ndarray], set[object]]] = {}


def charged_shapes(problem: RosterProblem) -> set[object]:
    """The shapes of shift whose program's compiling was charged while planning ``problem``.

    Every stage planning shifts of one problem shares it, so a shape is charged once however many
    stages use its program. Kept beside the problem's demand array (the problem itself has slots
    and takes no weak reference) for as long as that array lives.
    """
    anchor = problem.required
    key = id(anchor)
    entry = _CHARGED.get(key)
    if entry is not None and entry[0]() is anchor:
        return entry[1]

    def drop(ref: weakref.ref[np.ndarray], key: int = key) -> None:
        if key in _CHARGED and _CHARGED[key][0] is ref:
            del _CHARGED[key]

    shapes: set[object] = set()
    _CHARGED[key] = (weakref.ref(anchor, drop), shapes)
    return shapes


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftPlan:
    """What a shift does: its lunch start (grid index, None: no lunch) and a queue per interval."""

    lunch: int | None
    queues: tuple[int, ...]  # per interval first..last-1: queue index, or LUNCH


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanRules:
    switch: int  # cost of a change of queue
    max_switches: int  # changes of queue a shift may have
    penalty: float  # a short block, or a switch past the maximum (math.inf: not allowed at all)


class PlanShift:
    """Static data of one shift for the dynamic program."""

    def __init__(self, problem: RosterProblem, a: int, o: int, block_lengths: np.ndarray) -> None:
        option = problem.options[o]
        self.key = (a, o)
        self.first, self.last = option.first_interval, option.last_interval
        self.t = np.arange(self.first, self.last)
        skills = np.array([queue in problem.agents[a].channels for queue in problem.queues])
        self.allowed = (problem.is_open[:, self.first : self.last].astype(bool) & skills[:, None]).T  # [i, q]
        self.lunch_starts: tuple[int | None, ...] = option.lunch_starts or (None,)
        self.lunch_length = option.lunch_intervals
        self.queues = [q for q in range(len(problem.queues)) if skills[q]]
        # Serving with a secondary language/topic costs secondary_skill_weight per interval, as scored.
        self.secondary = (
            np.array([queue in problem.agents[a].secondary_queues for queue in problem.queues])
            * problem.settings.secondary_skill_weight
        )
        self.blocks = block_lengths
        self.charged = charged_shapes(problem)  # shapes whose compiling this problem was charged

    def lunch_set(self, lunch: int | None) -> range:
        return range(lunch, lunch + self.lunch_length) if lunch is not None else range(0)


def cheapest_plan(
    shift: PlanShift, delta: np.ndarray, rules: PlanRules, lunches: tuple[int | None, ...] | None = None
) -> tuple[int, ShiftPlan | None, float]:
    """The cheapest plan of ``shift`` given ``delta[i, q]``, the cost of it serving q in its i-th interval.

    Returns ``(cost, plan, seconds)``; ``plan`` is None only when ``rules.penalty``
    is infinite and no plan keeps the block and switch rules. A state is (queue, length of the current
    block capped at the queue's minimum, whether the block began its stretch,
    switches so far capped at the maximum). A block may end (switch, lunch,
    shift end) once it reached its minimum, or when it began its stretch and
    the stretch ends with it (a stretch shorter than the minimum); otherwise,
    and for a switch past the maximum, it pays ``rules.penalty``. The program
    is compiled once per shape of shift and run with numpy (:mod:`.shiftprogram`);
    ``seconds`` is what the caller charges for it: the run, and the compiling the first time
    the problem meets the shape (``shift.charged``).
    """
    if len(shift.queues) == 1:
        single = _single_queue_plan(shift, delta, lunches)
        if single is not None:
            return single
    options = shift.lunch_starts if lunches is None else lunches
    program, seconds = program_for(
        len(shift.t),
        shift.allowed,
        shift.queues,
        {q: max(int(shift.blocks[q]), 1) for q in shift.queues},
        options,
        shift.first,
        shift.lunch_length,
        switch=rules.switch,
        most=rules.max_switches,
        penalty=rules.penalty,
        charged=shift.charged,
    )
    found = run_program(program, delta, options)
    if found is None:
        return 0, None, seconds
    cost, lunch, queues = found
    return int(cost), ShiftPlan(lunch=lunch, queues=queues), seconds


def _single_queue_plan(
    shift: PlanShift, delta: np.ndarray, lunches: tuple[int | None, ...] | None
) -> tuple[int, ShiftPlan, float] | None:
    """The dynamic program's answer for a shift that serves one queue, without the program.

    Such a shift has one plan per lunch start: its queue in every interval outside lunch.
    Each stretch is one block (never short) and nothing switches, so the cost is the sum
    of its intervals' deltas, added in the program's order (the same float) and the
    earliest cheapest lunch kept, as the program keeps it. Most agents of a team whose
    skills bind know one queue: this is most of the activity stage's first sweep.
    None when the queue closes inside the shift (the program handles the forced change).
    """
    (q,) = shift.queues
    n = len(shift.t)
    if not all(row[q] for row in shift.allowed.tolist()):
        return None
    column = delta[:, q].tolist()
    best: tuple[float, int | None] = (math.inf, None)
    options = shift.lunch_starts if lunches is None else lunches
    for lunch in options:
        at_lunch = shift.lunch_set(lunch)
        begin = at_lunch.start - shift.first if lunch is not None else n
        end = at_lunch.stop - shift.first if lunch is not None else n
        total = 0.0
        first = True
        for i in range(n):
            if begin <= i < end:
                continue
            total = column[i] if first else total + column[i]
            first = False
        if total < best[0]:
            best = (total, lunch)
    lunch = best[1]
    at_lunch = shift.lunch_set(lunch)
    plan = tuple(LUNCH if i + shift.first in at_lunch else q for i in range(n))
    return (
        int(best[0]),
        ShiftPlan(lunch=lunch, queues=plan),
        SINGLE_SECONDS + SINGLE_SECONDS_PER_TERM * n * len(options),
    )


def plan_rule_counts(shift: PlanShift, plan: ShiftPlan) -> tuple[int, int, int]:
    """A plan's changes of queue, those counted against the cap (not forced by a closing queue), short blocks."""
    return _rule_counts(plan.queues, lambda i, q: bool(shift.allowed[i, q]), shift.blocks)


def _rule_counts(
    queues: Sequence[int], still_open: Callable[[int, int], bool], blocks: Sequence[int] | np.ndarray
) -> tuple[int, int, int]:
    """Changes of queue, those counted against the cap, short blocks of a shift's queue per interval.

    ``still_open(i, q)``: whether queue ``q`` is open in the shift's ``i``-th interval (leaving a closed
    queue is forced, not counted); ``blocks[q]``: its minimum block in intervals.
    """
    changes = counted = 0
    stretches: list[list[int]] = [[]]
    previous = None
    for i, q in enumerate(queues):
        if q == LUNCH:
            if stretches[-1]:
                stretches.append([])
            continue
        if previous is not None and q != previous:
            changes += 1
            counted += int(still_open(i, previous))
        previous = q
        stretches[-1].append(q)
    short = 0
    for stretch in stretches:
        runs: list[list[int]] = []
        for q in stretch:
            if runs and runs[-1][0] == q:
                runs[-1][1] += 1
            else:
                runs.append([q, 1])
        if len(runs) > 1:  # a stretch worked on one queue is one block, however short
            short += sum(1 for q, length in runs if length < blocks[q])
    return changes, counted, short


def broken_rules(shift: PlanShift, plan: ShiftPlan, rules: PlanRules) -> int:
    """How many block and switch rules a plan breaks (short blocks, switches past the cap)."""
    _changes, counted, short = plan_rule_counts(shift, plan)
    return short + max(counted - rules.max_switches, 0)


def plan_cost(shift: PlanShift, plan: ShiftPlan, delta: np.ndarray, rules: PlanRules) -> float:
    """The dynamic program's objective for a given plan (to compare it with the best one)."""
    rows = delta.tolist()
    total = sum(int(rows[i][q]) for i, q in enumerate(plan.queues) if q != LUNCH)
    changes, counted, short = plan_rule_counts(shift, plan)
    broken = short + max(counted - rules.max_switches, 0)  # as broken_rules counts them
    return total + rules.switch * changes + (rules.penalty * broken if broken else 0)


def apply_plan(counts: np.ndarray, shift: PlanShift, plan: ShiftPlan, sign: int) -> None:
    queues = np.asarray(plan.queues)
    working = queues != LUNCH
    np.add.at(counts, (queues[working], shift.t[working]), sign)


def plan_breaks(problem: RosterProblem, blocks: Sequence[int], o: int, plan: ShiftPlan) -> bool:
    """Whether option ``o``'s ``plan`` breaks a block or switch rule, as the checker reads the written shift.

    ``blocks``: each queue's minimum block in intervals. A block shorter than its queue's minimum where
    its stretch (between the shift's ends and lunch) has other blocks; more changes of queue than the
    cap, a change away from a queue that has closed not counted. (Skills and opening hours: no stage
    writes a plan breaking them.)
    """
    first = problem.options[o].first_interval
    is_open = problem.is_open
    _changes, counted, short = _rule_counts(plan.queues, lambda i, q: bool(is_open[q, first + i]), blocks)
    return short > 0 or counted > problem.settings.max_switches_per_shift


def shifts_of(problem: RosterProblem, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], PlanShift]:
    """Each ``(agent, option)`` as the dynamic program sees it, with every queue's minimum block in intervals."""
    step = problem.interval_minutes
    blocks = np.array([math.ceil(problem.settings.min_block(queue) / step) for queue in problem.queues], dtype=np.int64)
    return {key: PlanShift(problem, key[0], key[1], blocks) for key in keys}


def counts_of(
    shifts: dict[tuple[int, int], PlanShift], plans: dict[tuple[int, int], ShiftPlan], shape: tuple[int, ...]
) -> np.ndarray:
    """Agents serving each queue and interval under ``plans``."""
    counts = np.zeros(shape, dtype=np.int64)
    for key, plan in plans.items():
        apply_plan(counts, shifts[key], plan, +1)
    return counts
