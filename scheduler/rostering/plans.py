"""Every plan a shift of a skill group may follow, for a bound that knows queue blocks and the switch cap.

A *plan* is what one agent does in one shift: a lunch start and a queue per
interval worked. The activity stage and the checker allow a plan when it
changes queue at most ``max_switches_per_shift`` times (across lunch too) and,
in every stretch of work between the shift's ends and lunch that holds more
than one block, every block lasts its queue's ``min_block_minutes``.

The relaxation (:mod:`.aggregate`) lets the agents of a multi-skilled group on
an option split among these plans instead of splitting among queues freely in
every interval, and charges each plan its switches. Enumerating the plans is
cheap only while the cap is small, so a group-option is enumerated only when

- the cap is 0 or 1 (beyond, the plans multiply with every extra change),
- each of the group's queues is open in all the option's intervals or in none
  (a change away from a queue that closes is forced and uncounted; such
  options keep the free split, which is a weaker but valid bound).

On the options it covers the set is exactly the plans the rules allow (the
tests compare it with every queue sequence the activity stage's own rule check
accepts), so every roster's split is one of its mixes and the bound stays
valid. It is large: a 17-interval shift with five lunch starts and three
queues has 405 plans, so the relaxation for 4 weeks has about 200k plan
columns per three-skill group, and GLOP takes minutes on it (measured in
docs/roster-history.md): a measuring stick outside the budget, not part of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.rostering.problem import RosterProblem


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanColumn:
    """One plan of a shift option: what it covers and what it costs beyond coverage."""

    lunch: int | None
    cover: tuple[tuple[int, int], ...]  # (interval, queue) worked
    switches: int


def block_lengths(problem: RosterProblem) -> list[int]:
    """Each queue's minimum block in intervals (at least one)."""
    step = problem.interval_minutes
    return [max(math.ceil(problem.settings.min_block(queue) / step), 1) for queue in problem.queues]


def option_queues(problem: RosterProblem, skills: tuple[str, ...], o: int) -> list[int] | None:
    """The group's queues open throughout option ``o``; None when one opens or closes inside it."""
    option = problem.options[o]
    span = slice(option.first_interval, option.last_interval)
    queues = []
    for q, queue in enumerate(problem.queues):
        if queue not in skills:
            continue
        is_open = problem.is_open[q, span].astype(bool)
        if is_open.all():
            queues.append(q)
        elif is_open.any():
            return None
    return queues


def enumerable(problem: RosterProblem) -> bool:
    """Whether plans are enumerated at all (the switch cap is small)."""
    return problem.settings.max_switches_per_shift <= 1


def option_plans(problem: RosterProblem, o: int, queues: list[int], blocks: list[int]) -> list[PlanColumn]:
    """Every plan of option ``o`` over ``queues`` keeping the block and switch rules, in a fixed order."""
    option = problem.options[o]
    most = problem.settings.max_switches_per_shift
    plans: list[PlanColumn] = []
    for lunch in option.lunch_starts or (None,):
        worked = option.working_intervals(lunch)
        # Stretches: runs of consecutive worked intervals (lunch splits the shift in two).
        stretch_of = np.zeros(len(worked), dtype=np.int64)
        for i in range(1, len(worked)):
            stretch_of[i] = stretch_of[i - 1] + (worked[i] != worked[i - 1] + 1)
        sizes = np.bincount(stretch_of)
        begins = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        for q in queues:
            plans.append(PlanColumn(lunch=lunch, cover=tuple((t, q) for t in worked), switches=0))
        if most < 1 or len(queues) < 2:
            continue
        for cut in range(1, len(worked)):  # the first interval on the second queue
            s = stretch_of[cut]
            at_stretch_edge = stretch_of[cut - 1] != s
            before = cut - begins[s] if not at_stretch_edge else 0  # first block's part in the cut stretch
            after = begins[s] + sizes[s] - cut  # second block's part in the cut stretch
            for q1 in queues:
                for q2 in queues:
                    if q1 == q2:
                        continue
                    if not at_stretch_edge and (before < blocks[q1] or after < blocks[q2]):
                        continue  # the cut stretch holds two blocks: both must last their minimum
                    cover = _changed_cover(worked, cut, q1, q2)
                    plans.append(PlanColumn(lunch=lunch, cover=cover, switches=1))
    return plans


def _changed_cover(intervals: Sequence[int], cut: int, q1: int, q2: int) -> tuple[tuple[int, int], ...]:
    """The (interval, queue) cover of a plan on ``q1`` until ``intervals[cut]`` and on ``q2`` from it."""
    return tuple((t, q1) for t in intervals[:cut]) + tuple((t, q2) for t in intervals[cut:])


def lunch_change_plans(problem: RosterProblem, o: int, queues: list[int]) -> list[PlanColumn]:
    """The plans of :func:`option_plans` whose only change of queue (if any) is across lunch, in its order.

    One queue for the whole shift, or one before lunch and another after: each
    stretch of work is one block, so no block rule applies. Enumerated directly
    (a day's program offers only these: :mod:`.days`), not filtered from every
    plan, which built ten times as many to keep these.
    """
    option = problem.options[o]
    switch = problem.settings.max_switches_per_shift >= 1 and len(queues) >= 2
    plans: list[PlanColumn] = []
    for lunch in option.lunch_starts or (None,):
        worked = option.working_intervals(lunch)
        for q in queues:
            plans.append(PlanColumn(lunch=lunch, cover=tuple((t, q) for t in worked), switches=0))
        if not switch:
            continue
        for cut in range(1, len(worked)):
            if worked[cut] == worked[cut - 1] + 1:
                continue  # inside a stretch of work: not across lunch
            for q1 in queues:
                for q2 in queues:
                    if q1 != q2:
                        cover = _changed_cover(worked, cut, q1, q2)
                        plans.append(PlanColumn(lunch=lunch, cover=cover, switches=1))
    return plans


def span_plans(problem: RosterProblem, o: int, queues: list[int]) -> list[PlanColumn]:
    """Plans over option ``o``'s whole span, lunch left out: one queue, or two with one change anywhere.

    A roster's plan with its lunch intervals filled with the queue worked just
    before them is one of these with as many changes (blocks not checked: a
    superset, so still a valid bound). The lunch is charged apart
    (:func:`~scheduler.rostering.aggregate_coverage.plan_columns`). About a
    quarter of :func:`option_plans`' columns for one lunch window of five starts.
    """
    option = problem.options[o]
    span = range(option.first_interval, option.last_interval)
    plans = [PlanColumn(lunch=None, cover=tuple((t, q) for t in span), switches=0) for q in queues]
    if problem.settings.max_switches_per_shift < 1 or len(queues) < 2:
        return plans
    for cut in range(1, len(span)):
        for q1 in queues:
            for q2 in queues:
                if q1 != q2:
                    cover = _changed_cover(span, cut, q1, q2)
                    plans.append(PlanColumn(lunch=None, cover=cover, switches=1))
    return plans
