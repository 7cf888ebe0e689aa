"""A multi-skilled group's queue switches between intervals, priced in a day's program (:mod:`.freedays`).

With its split free, a day's program lets a skill group follow every queue's need
interval by interval, which its agents' plans (blocks of an hour, a switch or two a
shift) cannot; on the 60-minute-lunch seeds the lunches it chooses are then ones no
block plan serves (docs/roster-history.md, "Lunches priced with switches (session 25)").
Priced, a group's split may change from one interval to the next only as its agents
arrive (a shift starting, a lunch ending, an agent of another day) or switch queue:

- per group, open queue and interval a column ``gained >= s[q,t] - s[q,t-1]``;
- per group and interval ``sum_q gained - switched <= arrivals``, each switch charged
  ``switch_weight``, as the objective charges one;
- agents leaving (lunch, a shift's end) may leave any queue; where the group's open
  queues change, or an interval does not follow the one before, the split starts afresh.

The day as it is is charged the same way, its switches read from its split (:meth:`DaySwitches.charge`).
Over a published roster a kept shift's agent counts as arriving wherever it works: its plan
is the published one, which the activity stage charges for changing, so its switches are not
priced again (session 26: priced, the example's replan after a day off re-planned 11 kept shifts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from scheduler.rostering.coveragecost import CoverageCost
from scheduler.rostering.problem import RosterProblem


class Program(Protocol):
    """A program being written as arrays (:class:`.freedays.ProgramArrays`)."""

    rows: list[tuple[float, float, list[int], list[float]]]

    def add(self, lower: float, upper: float, cost: float, *, integer: bool = False) -> int: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class DaySwitches:
    """What a day's program prices, per group and interval position (of the day's intervals ``ts``)."""

    priced: np.ndarray  # bool: the split there changes only by arrivals and switches
    fixed: np.ndarray  # arrivals without the day's own shifts (other days' agents, kept shifts' agents)
    now: np.ndarray  # arrivals with the day's shifts as they are
    weight: int  # switch_weight

    def arrivals(self, shifts: Sequence[tuple[int, np.ndarray]]) -> np.ndarray:
        """``fixed`` plus the ``shifts`` (group, positions worked) arriving at each position."""
        arrivals = self.fixed.copy()
        for g, positions in shifts:
            arrivals[g, arriving(positions, arrivals.shape[1])] += 1
        return arrivals

    def charge(self, served: np.ndarray, arrivals: np.ndarray) -> int:
        """A split's charge ([group, queue, position]): the fewest switches its rises need past the arrivals."""
        rises = np.maximum(np.diff(served, axis=2), 0).sum(axis=1)
        switched = np.where(self.priced[:, 1:], np.maximum(rises - arrivals[:, 1:], 0), 0)
        return self.weight * int(switched.sum())


def arriving(positions: np.ndarray, count: int) -> np.ndarray:
    """The positions (of ``count``) a shift working ``positions`` works without the one before."""
    worked = np.zeros(count, dtype=bool)
    worked[positions] = True
    return np.flatnonzero(worked[1:] & ~worked[:-1]) + 1


def following(coverage: CoverageCost, ts: np.ndarray) -> np.ndarray:
    """Per group and position: a multi-skilled group's, where the interval follows the one before it and
    the same (two or more) queues are open in both (elsewhere its split starts afresh)."""
    result = np.zeros((len(coverage.group_queues), len(ts)), dtype=bool)
    if len(ts) < 2:
        return result
    contiguous = np.diff(ts) == 1
    for g, queues in enumerate(coverage.group_queues):
        if len(queues) < 2:
            continue
        opened = coverage.is_open[queues][:, ts]
        same = (opened[:, 1:] == opened[:, :-1]).all(axis=0)
        result[g, 1:] = contiguous & same & (opened[:, 1:].sum(axis=0) >= 2)
    return result


def day_switches(
    problem: RosterProblem,
    coverage: CoverageCost,
    d: int,
    today: dict[int, tuple[int, np.ndarray]],
    offered: dict[int, tuple[list[int], bool]],
    base: np.ndarray,
    ts: np.ndarray,
    position: np.ndarray,
) -> DaySwitches | None:
    """Day ``d``'s pricing, or None where nothing is priced.

    ``today``: each agent's shift that day (option, positions worked); ``offered``: the options each
    agent may take; ``base``: each group's agents per position without the day's shifts. Where the
    arrivals without the day's shifts cover every agent the group could have, nothing is priced: over
    a published roster every shift is kept, and the day is the free split's, as cheap to solve.
    """
    fixed = np.zeros_like(base)
    fixed[:, 1:] = np.maximum(base[:, 1:] - base[:, :-1], 0)
    for a, (o, _positions) in today.items():
        if problem.previous.get(a, {}).get(d) == o:
            span = position[problem.options[o].first_interval : problem.options[o].last_interval]
            fixed[coverage.group_of[a], span[span >= 0]] += 1
    most = base.copy()  # the most agents each group could have
    for a, (options, _rest) in offered.items():
        covered = np.zeros(len(ts), dtype=bool)
        for o in options:
            span = position[problem.options[o].first_interval : problem.options[o].last_interval]
            covered[span[span >= 0]] = True
        most[coverage.group_of[a], covered] += 1
    priced = following(coverage, ts) & (fixed < most)
    if not priced.any():
        return None
    switches = DaySwitches(priced=priced, fixed=fixed, now=fixed, weight=problem.settings.switch_weight)
    now = switches.arrivals([(coverage.group_of[a], positions) for a, (_o, positions) in today.items()])
    return DaySwitches(priced=priced, fixed=fixed, now=now, weight=switches.weight)


def add_switches(
    program: Program,
    switches: DaySwitches,
    split_at: dict[tuple[int, int], dict[int, int]],
    arriving_at: dict[tuple[int, int], list[int]],
) -> tuple[dict[tuple[int, int, int], int], dict[tuple[int, int], int]]:
    """The pricing's columns and rows in a day's ``program``.

    ``split_at``: per (group, position) its split's column per open queue; ``arriving_at``: per
    (group, position) the lunch-start columns whose agents arrive there. Returns the ``gained``
    columns per (group, queue, position) and the ``switched`` ones per (group, position).
    """
    inf = float("inf")
    gained_index: dict[tuple[int, int, int], int] = {}
    switched_index: dict[tuple[int, int], int] = {}
    for (g, p), columns in sorted(split_at.items()):
        previous = split_at.get((g, p - 1))
        if not switches.priced[g, p] or previous is None:
            continue
        gained = []
        for q, column in columns.items():
            gained_index[g, q, p] = v = program.add(0.0, inf, 0.0)
            program.rows.append((0.0, inf, [v, column, previous[q]], [1.0, -1.0, 1.0]))
            gained.append(v)
        switched_index[g, p] = w = program.add(0.0, inf, float(switches.weight))
        arrivals = arriving_at.get((g, p), [])
        program.rows.append(
            (
                -inf,
                float(switches.fixed[g, p]),
                [*gained, w, *arrivals],
                [1.0] * len(gained) + [-1.0] * (1 + len(arrivals)),
            )
        )
    return gained_index, switched_index


def switch_hints(
    switches: DaySwitches,
    served: np.ndarray,
    ts: np.ndarray,
    gained_index: dict[tuple[int, int, int], int],
    switched_index: dict[tuple[int, int], int],
) -> list[tuple[int, float]]:
    """The day as it is in the pricing's columns (column, value): its switches read from its split."""
    rise = {(g, q, p): max(int(served[g, q, ts[p]]) - int(served[g, q, ts[p - 1]]), 0) for g, q, p in gained_index}
    rises: dict[tuple[int, int], int] = defaultdict(int)
    for (g, _q, p), n in rise.items():
        rises[g, p] += n
    return [(i, float(rise[key])) for key, i in gained_index.items()] + [
        (i, float(max(rises[g, p] - int(switches.now[g, p]), 0))) for (g, p), i in switched_index.items()
    ]
