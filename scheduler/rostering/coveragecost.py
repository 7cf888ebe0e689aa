"""The descent's coverage bookkeeping: queue service counts per skill group and interval, and exact marginal costs.

Coverage cost is a sum over queue and interval of a convex function of the agents
serving, so one agent's worth in an interval is the cost it saves there once the
queues are re-split (:meth:`CoverageCost.gains`), and a split is optimal once no
chain of moves between queues lowers it (:meth:`CoverageCost.rebalance`). Every
operation counts its work (``work``), which the caller charges to its budget.
"""

from __future__ import annotations

import numpy as np

from scheduler.rostering.charges import (
    CHANGE_ELEMENTS_PER_UNIT,
    CHANGE_UNITS,
    REBALANCE_INTERVAL_STEPS,
    REBALANCE_UNITS_PER_STEP,
)
from scheduler.rostering.model import skill_groups
from scheduler.rostering.problem import SCALE, RosterProblem, understaffing_weight

# A shift that takes a queue below its configured minimum costs this many times the peak
# understaffing weight per missing agent: far above any saving, so minimums come first.
MINIMUM_PENALTY_FACTOR = 50
# Masks for the argmax/argmin over queues (``np.iinfo`` built anew on every call was a few percent of a move).
_NEVER = np.iinfo(np.int64).min // 4
_ALWAYS = np.iinfo(np.int64).max // 4


class CoverageCost:
    """Queue service counts per skill group and interval, with exact marginal costs."""

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = problem
        settings = problem.settings
        self.groups = skill_groups(problem)
        self.group_of = [self.groups.index(agent.channels) for agent in problem.agents]
        queue_count, interval_count = problem.required.shape
        self.need = np.rint(problem.required * SCALE).astype(np.int64)
        ordinary, peak = understaffing_weight(settings, False), understaffing_weight(settings, True)
        self.weight = np.where(problem.peak, peak, ordinary).astype(np.int64)
        self.over_weight = settings.overstaffing_weight
        self.minimum = problem.min_agents.astype(np.int64)
        self.minimum_weight = MINIMUM_PENALTY_FACTOR * max(ordinary, peak) * SCALE
        self.is_open = problem.is_open.astype(bool)
        # served[g, q, t]: agents of skill group g serving queue q in interval t.
        self.served = np.zeros((len(self.groups), queue_count, interval_count), dtype=np.int64)
        self.group_queues = [
            np.array([q for q, queue in enumerate(problem.queues) if queue in skills], dtype=np.int64)
            for skills in self.groups
        ]
        self.work = 0  # units of bookkeeping done, charged to the budget (SECONDS_PER_WORK)

    def cost(
        self, agents: np.ndarray, q: np.ndarray | int | slice = slice(None), t: np.ndarray | slice = slice(None)
    ) -> np.ndarray:
        """Cost of ``agents`` serving queue(s) ``q`` in interval(s) ``t`` (broadcast).

        :func:`~scheduler.rostering.problem.queue_interval_cost` over arrays,
        plus the queue-minimum penalty.
        """
        return self._cost(agents, self.need[q, t], self.weight[q, t], self.minimum[q, t])

    def _cost(self, agents: np.ndarray, need: np.ndarray, weight: np.ndarray, minimum: np.ndarray) -> np.ndarray:
        """:meth:`cost` on the slice's own ``need``, ``weight`` and ``minimum`` (read once for several counts)."""
        short = np.maximum(need - SCALE * agents, 0)
        over = np.maximum(SCALE * agents - need, 0)
        missing = np.maximum(minimum - agents, 0)
        return (
            weight * np.minimum(short, SCALE)
            + 2 * weight * np.maximum(short - SCALE, 0)
            + self.over_weight * over
            + self.minimum_weight * missing
        )

    def _levels(self, levels: tuple[np.ndarray, ...], q: np.ndarray | slice, t: np.ndarray) -> np.ndarray:
        """:meth:`cost` of each count in ``levels`` (same shape) at ``q``, ``t``, stacked on a new first axis.

        One pass for all: numpy's per-call overhead, most of a small slice's cost, once instead of once per
        count. The same integers as a :meth:`cost` call per count.
        """
        return self._cost(np.stack(levels), self.need[q, t], self.weight[q, t], self.minimum[q, t])

    def total(self) -> int:
        staffed = self.served.sum(axis=0)
        return int(np.where(self.is_open | (self.need > 0), self.cost(staffed), 0).sum())

    def gains(self, group: int) -> np.ndarray:
        """Per interval, what one more agent of ``group`` saves once the queues are re-split (negative: it costs).

        Not only where the agent serves best itself: it may take over a queue
        from a multi-skilled agent who then moves on (a chat-only agent
        arriving where a chat-and-social agent serves chat frees them for
        social), along a chain of such moves. With the split optimal before
        (:meth:`rebalance`), one more agent changes it by one such chain,
        which raises exactly one queue by one: the saving is the best of the
        queues :meth:`reachable` from the group's own.
        """
        self.work += self.served[0].size // 4
        staffed = self.served.sum(axis=0)
        saving = self.cost(staffed) - self.cost(staffed + 1)
        return np.where(self.reachable(group), saving, _NEVER).max(axis=0)

    def reachable(self, group: int) -> np.ndarray:
        """``[queue, interval]``: the queues one more agent of ``group`` can raise by a chain of moves.

        Its own open queues, then any open queue of a group with an agent
        serving an already reachable queue (that agent moves on, the chain's
        previous link takes its place).
        """
        queue_count = self.is_open.shape[0]
        reach = self.is_open & np.isin(np.arange(queue_count), self.group_queues[group])[:, None]
        interval_count = self.served.shape[2]
        self.work += interval_count // 4
        for _ in range(queue_count - 1):
            grown = reach.copy()
            for h, queues in enumerate(self.group_queues):
                if len(queues) < 2:
                    continue
                self.work += interval_count // 25  # a few small array passes: their overhead, mostly
                via = ((self.served[h][queues] > 0) & reach[queues]).any(axis=0)
                grown[queues] |= via & self.is_open[queues]
            if (grown == reach).all():
                break
            reach = grown
        return reach

    def missing_minimum(self) -> int:
        """Agents missing from the configured queue minimums, summed over intervals."""
        return int(np.maximum(self.minimum - self.served.sum(axis=0), 0).sum())

    def _staffed(self, queues: np.ndarray, intervals: np.ndarray) -> np.ndarray:
        """``[queue, interval]``: agents serving ``queues`` in ``intervals``, summed over the groups.

        Summed over the slice only: the charge (:meth:`_change_work`) still counts a sum over every
        interval, which is what it was fitted on; with many skill groups and a fine grid the whole
        sum was most of a change's CPU (queues by language on 15 minutes: 2.6M elements a change).
        """
        return self.served[:, queues[:, None], intervals].sum(axis=0)

    def _change_work(self, group: int, intervals: np.ndarray) -> int:
        """What adding or removing one agent costs, in units: numpy's call overhead, the sum over every group."""
        return (
            CHANGE_UNITS + self.served.size // CHANGE_ELEMENTS_PER_UNIT + len(intervals) * len(self.group_queues[group])
        )

    def _best_queues(self, group: int, intervals: np.ndarray) -> np.ndarray:
        """Per interval, the open queue of the group where one more agent saves most (as counted now)."""
        queues = self.group_queues[group]
        if len(queues) == 1:  # the argmax over one queue: that queue, whatever the counts
            return np.full(len(intervals), queues[0], dtype=queues.dtype)
        staffed = self._staffed(queues, intervals)
        here, more = self._levels((staffed, staffed + 1), queues[:, None], intervals)
        saving = here - more
        saving = np.where(self.is_open[queues][:, intervals], saving, _NEVER)
        return queues[saving.argmax(axis=0)]

    def add(self, group: int, intervals: np.ndarray, *, rebalance: bool = True) -> None:
        self.work += self._change_work(group, intervals)
        best = self._best_queues(group, intervals)
        np.add.at(self.served, (group, best, intervals), 1)  # type: ignore[arg-type]  # numpy's stubs reject a tuple index
        if rebalance:
            self.rebalance(intervals)

    def add_shifts(self, group: int, shifts: list[np.ndarray], *, rebalance: bool = False) -> None:
        """One agent's shifts added at once: as many :meth:`add` calls, in one, the same counts and charges.

        Each interval's queue is chosen, and its split rebalanced, from its own counts only, so shifts
        that share no interval (one agent's) can be added together; charged as the calls one by one
        (the rebalance's steps rounded per shift, as each call rounded them).
        """
        intervals = _joined(shifts)
        if intervals is None:
            for worked in shifts:
                self.add(group, worked, rebalance=rebalance)
            return
        self.work += sum(self._change_work(group, worked) for worked in shifts)
        self.served[group, self._best_queues(group, intervals), intervals] += 1
        if rebalance:
            self.rebalance(intervals, shifts=shifts)

    def remove_shifts(self, group: int, shifts: list[np.ndarray]) -> None:
        """One agent's shifts removed at once: as many :meth:`remove` calls, in one (as :meth:`add_shifts`)."""
        intervals = _joined(shifts)
        if intervals is None:
            for worked in shifts:
                self.remove(group, worked)
            return
        self.work += sum(self._change_work(group, worked) for worked in shifts)
        self._take(group, intervals)
        self.rebalance(intervals, shifts=shifts)

    def remove(self, group: int, intervals: np.ndarray) -> None:
        self.work += self._change_work(group, intervals)
        self._take(group, intervals)
        self.rebalance(intervals)

    def _take(self, group: int, intervals: np.ndarray) -> None:
        """One agent of ``group`` fewer in each of ``intervals``, from the queue where that costs least."""
        queues = self.group_queues[group]
        if len(queues) == 1:  # the argmin over one queue: that queue, whatever the counts
            cheapest = np.full(len(intervals), queues[0], dtype=queues.dtype)
        else:
            staffed = self._staffed(queues, intervals)
            less, here = self._levels((np.maximum(staffed - 1, 0), staffed), queues[:, None], intervals)
            loss = np.where(self.served[group][np.ix_(queues, intervals)] > 0, less - here, _ALWAYS)
            cheapest = queues[loss.argmin(axis=0)]
        np.add.at(self.served, (group, cheapest, intervals), -1)  # type: ignore[arg-type]  # numpy's stubs reject a tuple index

    def rebalance(self, intervals: np.ndarray, *, shifts: list[np.ndarray] | None = None) -> None:
        """Move agents between the queues they know while that lowers an interval's cost.

        A move lowers one queue by an agent and raises another, directly (a
        multi-skilled agent changes queue) or along a chain (an agent moves to
        a queue whose multi-skilled agent moves on, and so on), so two queues
        no group shares are balanced through a third. Each interval's cost is
        a sum of convex functions of its queues' counts, so once no move helps
        the split is optimal. Plain Python on a handful of numbers per
        interval: each move strictly lowers the cost, so the loop ends.

        ``shifts``: ``intervals`` as the disjoint shifts they join, charged as a call per shift
        (each interval is rebalanced on its own counts, so only the rounding of the charge differs).
        """
        flexible = [(g, queues.tolist()) for g, queues in enumerate(self.group_queues) if len(queues) > 1]
        if not flexible:
            return
        over_weight, minimum_weight = self.over_weight, self.minimum_weight
        queue_count = self.need.shape[0]
        # Per queue, the multi-skilled groups that serve it (in group order, as a scan of them all
        # would meet them): with queues by language most groups know a few of a dozen queues.
        groups_at = [[(g, queues) for g, queues in flexible if q in queues] for q in range(queue_count)]
        # Charged as done: per interval, reading its numbers; per chain search, each (queue, group)
        # pair weighed and each queue reached.
        steps = 0
        # Every interval's numbers read at once (a numpy call per interval was most of a small
        # rebalance's CPU); the steps charged are still counted per interval, as fitted.
        ts = np.unique(intervals)
        served = self.served[:, :, ts]
        staffed_now = served.sum(axis=0)
        # The first search's costs at once (each queue as it is, with one agent more and one less; :meth:`cost`
        # is the closure's sum over arrays); after a move only the two queues whose counts changed are
        # costed again (the closure), so every search reads what one agent more or less costs from lists.
        here_now, more_now, less_now = self._levels(
            (staffed_now, staffed_now + 1, np.maximum(staffed_now - 1, 0)), slice(None), ts
        )
        gain_now, lose_now = more_now - here_now, less_now - here_now
        # Most intervals have no move: no queue with agents loses one for less than the cheapest gain
        # elsewhere, so their one search prunes every source (what it counts: the interval's reading
        # and that search). Found at once here; only the others are searched in Python.
        no_move = ((staffed_now == 0) | (lose_now + gain_now.min(axis=0) >= 0)).all(axis=0)
        idle_steps = REBALANCE_INTERVAL_STEPS + len(self.group_queues) * queue_count + 2 * queue_count
        live = np.flatnonzero(~no_move)
        columns = zip(
            ts[live].tolist(),
            self.need[:, ts[live]].T.tolist(),
            self.weight[:, ts[live]].T.tolist(),
            self.minimum[:, ts[live]].T.tolist(),
            self.is_open[:, ts[live]].T.tolist(),
            served[:, :, live].transpose(2, 0, 1).tolist(),
            staffed_now[:, live].T.tolist(),
            gain_now[:, live].T.tolist(),
            lose_now[:, live].T.tolist(),
            strict=True,
        )
        counted: list[int] = []  # the steps counted up to each searched interval's end (``shifts``' charges)
        for t, need, weight, minimum, is_open, counts, staffed, gain, lose in columns:
            steps += REBALANCE_INTERVAL_STEPS + len(self.group_queues) * queue_count

            # cost reads this interval's need, weight and minimum: it is only called within the interval.
            # queue_interval_cost's arithmetic written out, plus the minimum's penalty (the call was half its CPU).
            def cost(q: int, agents: int) -> int:
                short = need[q] - SCALE * agents  # noqa: B023
                if short > 0:
                    value = weight[q] * min(short, SCALE) + 2 * weight[q] * max(short - SCALE, 0)  # noqa: B023
                else:
                    value = over_weight * -short
                below = minimum[q] - agents  # noqa: B023
                return value + minimum_weight * below if below > 0 else value

            moved = False
            while True:
                # From each queue with agents, the queues a chain of moves reaches (breadth first, so
                # each link is one agent of one group moving on); the best pair is moved.
                best_delta, best_target = 0, -1
                best_parent: dict[int, tuple[int, int]] = {}
                # What one agent more (gain) or less (lose) costs on each queue: a chain's change is one of each.
                cheapest_gain = min(gain)
                steps += 2 * queue_count
                for source in range(queue_count):
                    if staffed[source] == 0:
                        continue
                    loss = lose[source]
                    if loss + cheapest_gain >= best_delta:
                        continue  # no chain from here can beat the best found
                    # Each queue reached, from which queue and by which group's agent (its chain is its
                    # parent's plus that link), in the order reached.
                    parent: dict[int, tuple[int, int]] = {source: (-1, -1)}
                    frontier = [source]
                    while frontier:
                        nxt = []
                        for here in frontier:
                            steps += len(groups_at[here])
                            for g, queues in groups_at[here]:
                                if counts[g][here] <= 0:  # (never below 0: a move needs an agent there)
                                    continue
                                for target in queues:
                                    if target not in parent and is_open[target]:
                                        parent[target] = (g, here)
                                        nxt.append(target)
                        frontier = nxt
                    steps += len(parent)
                    for target in parent:
                        if target != source and loss + gain[target] < best_delta:
                            best_delta, best_target, best_parent = loss + gain[target], target, parent
                if best_target < 0:
                    break
                links: list[tuple[int, int, int]] = []
                reached = best_target
                while best_parent[reached][0] >= 0:
                    g, here = best_parent[reached]
                    links.append((g, here, reached))
                    reached = here
                links.reverse()
                source, target = links[0][1], links[-1][2]
                delta = best_delta
                while delta < 0 and all(counts[g][here] > 0 for g, here, _to in links):
                    # the same chain again while it still helps: one search, many agents moved
                    steps += len(links)
                    for g, here, to in links:
                        counts[g][here] -= 1
                        counts[g][to] += 1
                    staffed[source] -= 1
                    staffed[target] += 1
                    moved = True
                    for q in (source, target):  # only these two queues' counts changed
                        now = cost(q, staffed[q])
                        gain[q] = cost(q, staffed[q] + 1) - now
                        lose[q] = cost(q, staffed[q] - 1) - now
                    delta = lose[source] + gain[target]
            if moved:
                self.served[:, :, t] = counts
            counted.append(steps)
        if shifts is None:
            self.work += round((steps + idle_steps * (len(ts) - len(live))) * REBALANCE_UNITS_PER_STEP)
            return
        per_interval = np.full(len(ts), idle_steps, dtype=np.int64)
        per_interval[live] = np.diff(np.array(counted, dtype=np.int64), prepend=0)
        for worked in shifts:
            self.work += round(int(per_interval[np.searchsorted(ts, worked)].sum()) * REBALANCE_UNITS_PER_STEP)


def _joined(shifts: list[np.ndarray]) -> np.ndarray | None:
    """The shifts' intervals in one array, or None where they go one call each: one shift (or none),
    or shifts that overlap (each then changes the counts the next one's queues are chosen from)."""
    if len(shifts) <= 1:
        return None
    intervals = np.concatenate(shifts)
    return intervals if len(np.unique(intervals)) == len(intervals) else None
