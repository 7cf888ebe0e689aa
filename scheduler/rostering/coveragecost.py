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
from scheduler.rostering.problem import SCALE, RosterProblem, queue_interval_cost, understaffing_weight

# A shift that takes a queue below its configured minimum costs this many times the peak
# understaffing weight per missing agent: far above any saving, so minimums come first.
MINIMUM_PENALTY_FACTOR = 50


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
        need, weight = self.need[q, t], self.weight[q, t]
        short = np.maximum(need - SCALE * agents, 0)
        over = np.maximum(SCALE * agents - need, 0)
        missing = np.maximum(self.minimum[q, t] - agents, 0)
        return (
            weight * np.minimum(short, SCALE)
            + 2 * weight * np.maximum(short - SCALE, 0)
            + self.over_weight * over
            + self.minimum_weight * missing
        )

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
        return np.where(self.reachable(group), saving, np.iinfo(np.int64).min // 4).max(axis=0)

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
        staffed = self._staffed(queues, intervals)
        saving = self.cost(staffed, queues[:, None], intervals) - self.cost(staffed + 1, queues[:, None], intervals)
        saving = np.where(self.is_open[queues][:, intervals], saving, np.iinfo(np.int64).min // 4)
        return queues[saving.argmax(axis=0)]

    def add(self, group: int, intervals: np.ndarray, *, rebalance: bool = True) -> None:
        self.work += self._change_work(group, intervals)
        best = self._best_queues(group, intervals)
        np.add.at(self.served, (group, best, intervals), 1)  # type: ignore[arg-type]  # numpy's stubs reject a tuple index
        if rebalance:
            self.rebalance(intervals)

    def add_shifts(self, group: int, shifts: list[np.ndarray]) -> None:
        """One agent's shifts added at once, the split not rebalanced: as many :meth:`add` calls, in one.

        Each interval's queue is chosen from its own counts only, so shifts that share no interval
        (one agent's) can be added together; charged as the calls one by one.
        """
        if not shifts:
            return
        intervals = np.concatenate(shifts)
        if len(np.unique(intervals)) < len(intervals):  # overlapping shifts: one after the other
            for worked in shifts:
                self.add(group, worked, rebalance=False)
            return
        self.work += sum(self._change_work(group, worked) for worked in shifts)
        self.served[group, self._best_queues(group, intervals), intervals] += 1

    def remove(self, group: int, intervals: np.ndarray) -> None:
        self.work += self._change_work(group, intervals)
        queues = self.group_queues[group]
        staffed = self._staffed(queues, intervals)
        loss = self.cost(np.maximum(staffed - 1, 0), queues[:, None], intervals) - self.cost(
            staffed, queues[:, None], intervals
        )
        loss = np.where(self.served[group][np.ix_(queues, intervals)] > 0, loss, np.iinfo(np.int64).max // 4)
        cheapest = queues[loss.argmin(axis=0)]
        np.add.at(self.served, (group, cheapest, intervals), -1)  # type: ignore[arg-type]  # numpy's stubs reject a tuple index
        self.rebalance(intervals)

    def rebalance(self, intervals: np.ndarray) -> None:
        """Move agents between the queues they know while that lowers an interval's cost.

        A move lowers one queue by an agent and raises another, directly (a
        multi-skilled agent changes queue) or along a chain (an agent moves to
        a queue whose multi-skilled agent moves on, and so on), so two queues
        no group shares are balanced through a third. Each interval's cost is
        a sum of convex functions of its queues' counts, so once no move helps
        the split is optimal. Plain Python on a handful of numbers per
        interval: each move strictly lowers the cost, so the loop ends.
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
        # The first search's costs at once (most intervals need no move, so no other search): each queue
        # as it is, with one agent more and one less; :meth:`cost` is the closure's sum over arrays.
        here_now = self.cost(staffed_now, slice(None), ts)
        columns = zip(
            ts.tolist(),
            self.need[:, ts].T.tolist(),
            self.weight[:, ts].T.tolist(),
            self.minimum[:, ts].T.tolist(),
            self.is_open[:, ts].T.tolist(),
            served.transpose(2, 0, 1).tolist(),
            staffed_now.T.tolist(),
            here_now.T.tolist(),
            (self.cost(staffed_now + 1, slice(None), ts) - here_now).T.tolist(),
            (self.cost(np.maximum(staffed_now - 1, 0), slice(None), ts) - here_now).T.tolist(),
            strict=True,
        )
        for t, need, weight, minimum, is_open, counts, staffed, here_first, gain_first, lose_first in columns:
            steps += REBALANCE_INTERVAL_STEPS + len(self.group_queues) * queue_count

            # cost reads this interval's need, weight and minimum: it is only called within the interval
            def cost(q: int, agents: int) -> int:
                below = max(minimum[q] - agents, 0)  # noqa: B023
                return queue_interval_cost(need[q], weight[q], over_weight, agents) + minimum_weight * below  # noqa: B023

            moved = False
            first = True
            while True:
                # From each queue with agents, the queues a chain of moves reaches (breadth first, so
                # each link is one agent of one group moving on); the best pair is moved.
                best: tuple[int, list[tuple[int, int, int]]] = (0, [])
                # What one agent more (less) costs on each queue: a chain's change is one of each.
                if first:
                    here_cost, gain = here_first, gain_first
                else:
                    here_cost = [cost(q, staffed[q]) for q in range(queue_count)]
                    gain = [cost(q, staffed[q] + 1) - here_cost[q] for q in range(queue_count)]
                cheapest_gain = min(gain)
                steps += 2 * queue_count
                for source in range(queue_count):
                    if staffed[source] == 0:
                        continue
                    if first:
                        lose = lose_first[source]
                    else:
                        lose = cost(source, staffed[source] - 1) - here_cost[source]
                    if lose + cheapest_gain >= best[0]:
                        continue  # no chain from here can beat the best found
                    path: dict[int, list[tuple[int, int, int]]] = {source: []}
                    frontier = [source]
                    while frontier:
                        nxt = []
                        for here in frontier:
                            steps += len(groups_at[here])
                            for g, queues in groups_at[here]:
                                if counts[g][here] <= 0:  # (never below 0: a move needs an agent there)
                                    continue
                                for target in queues:
                                    if target not in path and is_open[target]:
                                        path[target] = [*path[here], (g, here, target)]
                                        nxt.append(target)
                        frontier = nxt
                    steps += len(path)
                    for target, links in path.items():
                        if not links:
                            continue
                        delta = lose + gain[target]
                        if delta < best[0]:
                            best = (delta, links)
                links = best[1]
                if not links:
                    break
                first = False
                source, target = links[0][1], links[-1][2]
                delta = best[0]
                while delta < 0 and all(counts[g][here] > 0 for g, here, _to in links):
                    # the same chain again while it still helps: one search, many agents moved
                    steps += len(links)
                    for g, here, to in links:
                        counts[g][here] -= 1
                        counts[g][to] += 1
                    staffed[source] -= 1
                    staffed[target] += 1
                    moved = True
                    delta = (
                        cost(source, staffed[source] - 1)
                        - cost(source, staffed[source])
                        + cost(target, staffed[target] + 1)
                        - cost(target, staffed[target])
                    )
            if moved:
                self.served[:, :, t] = counts
        self.work += round(steps * REBALANCE_UNITS_PER_STEP)
