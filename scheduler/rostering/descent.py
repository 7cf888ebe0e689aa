"""Agent-by-agent descent: a fast first roster and steady improvement for large teams.

The full model of a large team (100 agents over 4 weeks: 93k variables) is
too big for CP-SAT to improve quickly on two cores, and its own bound stays
far below the linear relaxation's. But coverage cost is a sum over queue and
interval of a convex function of the agents serving, and every hard rule but
the queue minimums concerns a single agent. So one agent's best shifts, with
everyone else fixed, is a small exact problem: the agent's own model (hard
rules and personal soft rules, about 700 booleans) with each shift worth the
coverage cost it saves. Solving that for each agent in turn, and again until no
agent changes, is a descent on the full objective that never gets worse.

Stages, all deterministic (CP-SAT deterministic time, fixed order):

1. **First roster**: one solve per class of interchangeable agents (see
   :func:`~scheduler.rostering.aggregate.agent_classes`), its shifts copied to
   every member. Every member obeys its rules, so this is a valid roster in a
   fraction of a second; it is what a tiny budget returns.
2. **Construction**: agents enter one at a time, least flexible first, each
   choosing the shifts that save most against those already placed.
3. **Sweeps**: each agent in turn is taken out and put back at its best, and from
   the second sweep on **exchanges**: an agent out, a partner of another skill group
   sharing a queue (worked days most unlike its own) put back without it, then the
   agent, then the partner again; kept when the objective falls. Each kind of round
   goes next by its last gain per counted second, until neither gains.

Queue assignment is tracked as counts per skill group, queue and interval; an
agent put back is worth, in each interval, what the best re-split saves (it may
free a multi-skilled agent for a needier queue, :meth:`CoverageCost.gains`),
and the touched intervals are rebalanced by chains of moves between queues
until no move lowers the cost. Each agent also places its lunches where it is
missed least (:class:`Lunches`). On 100 agents with binding skills (benchmark
seed 2) these two took the descent's coverage cost from 120.6M to 117.3M
against a bound of 116.3M (fixed points at 22 s).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.rostering.agentmodels import AGENT_SOLVE_LIMIT, AgentModels
from scheduler.rostering.aggregate import agent_classes
from scheduler.rostering.charges import (
    CHANGE_ELEMENTS_PER_UNIT,
    CHANGE_UNITS,
    REBALANCE_INTERVAL_STEPS,
    REBALANCE_UNITS_PER_STEP,
    SECONDS_PER_WORK,
)
from scheduler.rostering.model import skill_groups
from scheduler.rostering.problem import SCALE, RosterProblem, queue_interval_cost, understaffing_weight

# Exchanges: a round tries one pair for this fraction of the agents that have partners (a pair is
# three agent solves, so a round costs about what a sweep does); weighing a partner's worked days
# is charged this many units of bookkeeping.
EXCHANGE_ROUND_FRACTION = 3
EXCHANGE_UNITS_PER_PARTNER = 3
# A shift that takes a queue below its configured minimum costs this many times the peak
# understaffing weight per missing agent: far above any saving, so minimums come first.
MINIMUM_PENALTY_FACTOR = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class DescentResult:
    chosen: dict[tuple[int, int], int]  # (agent, option) -> 1 for every shift worked
    served: np.ndarray  # [skill group, queue, interval] agents serving
    missing_minimum: int  # agent-intervals missing from the hard queue minimums (0: the roster is valid)
    lunch: dict[tuple[int, int], int | None]  # lunch start per shift worked, as ``served`` counts it
    seconds: float = 0.0  # budget charged (deterministic: CP-SAT's time and counted work)
    models: AgentModels | None = None  # the agents' own models, their own costs those of ``chosen``


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

    def _change_work(self, group: int, intervals: np.ndarray) -> int:
        """What adding or removing one agent costs, in units: numpy's call overhead, the sum over every group."""
        return (
            CHANGE_UNITS + self.served.size // CHANGE_ELEMENTS_PER_UNIT + len(intervals) * len(self.group_queues[group])
        )

    def add(self, group: int, intervals: np.ndarray, *, rebalance: bool = True) -> None:
        self.work += self._change_work(group, intervals)
        staffed = self.served.sum(axis=0)[:, intervals]
        queues = self.group_queues[group]
        saving = self.cost(staffed[queues], queues[:, None], intervals) - self.cost(
            staffed[queues] + 1, queues[:, None], intervals
        )
        saving = np.where(self.is_open[queues][:, intervals], saving, np.iinfo(np.int64).min // 4)
        best = queues[saving.argmax(axis=0)]
        np.add.at(self.served, (group, best, intervals), 1)  # type: ignore[arg-type]  # numpy's stubs reject a tuple index
        if rebalance:
            self.rebalance(intervals)

    def remove(self, group: int, intervals: np.ndarray) -> None:
        self.work += self._change_work(group, intervals)
        staffed = self.served.sum(axis=0)[:, intervals]
        queues = self.group_queues[group]
        loss = self.cost(np.maximum(staffed[queues] - 1, 0), queues[:, None], intervals) - self.cost(
            staffed[queues], queues[:, None], intervals
        )
        loss = np.where(self.served[group][queues][:, intervals] > 0, loss, np.iinfo(np.int64).max // 4)
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
        for t in np.unique(intervals).tolist():
            steps += REBALANCE_INTERVAL_STEPS + len(self.group_queues) * queue_count
            need = self.need[:, t].tolist()
            weight = self.weight[:, t].tolist()
            minimum = self.minimum[:, t].tolist()
            is_open = self.is_open[:, t].tolist()
            counts = self.served[:, :, t].tolist()
            staffed = [sum(column) for column in zip(*counts, strict=True)]

            # cost reads this interval's need, weight and minimum: it is only called within the interval
            def cost(q: int, agents: int) -> int:
                below = max(minimum[q] - agents, 0)  # noqa: B023
                return queue_interval_cost(need[q], weight[q], over_weight, agents) + minimum_weight * below  # noqa: B023

            moved = False
            while True:
                # From each queue with agents, the queues a chain of moves reaches (breadth first, so
                # each link is one agent of one group moving on); the best pair is moved.
                best: tuple[int, list[tuple[int, int, int]]] = (0, [])
                # What one agent more (less) costs on each queue: a chain's change is one of each.
                here_cost = [cost(q, staffed[q]) for q in range(queue_count)]
                gain = [cost(q, staffed[q] + 1) - here_cost[q] for q in range(queue_count)]
                cheapest_gain = min(gain)
                steps += 2 * queue_count
                for source in range(queue_count):
                    if staffed[source] == 0:
                        continue
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
                                if counts[g][here] == 0:
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


class Lunches:
    """Where each worked shift's lunch lies, and what each shift option is worth to one agent.

    A shift's lunch may start anywhere in its window; the roster places it
    later (:mod:`.activities`), but where it falls decides which intervals the
    agent serves. So an agent choosing its shifts values each option with the
    lunch where the agent is missed least (the intervals of least gain), and
    the bookkeeping counts it there. With ``movable`` False every lunch stays
    at the middle of its window (the full model's assumption, for the small
    teams it scores).
    """

    def __init__(self, problem: RosterProblem, *, movable: bool) -> None:
        self.problem = problem
        self.at: dict[tuple[int, int], int | None] = {}
        options = problem.options
        self._nominal = [np.array(problem.covering_intervals(o), dtype=np.int64) for o in range(len(options))]
        frozen = np.array([option.day_index in problem.frozen_days for option in options], dtype=bool)
        self.first = np.array([option.first_interval for option in options], dtype=np.int64)
        self.last = np.where(frozen, self.first, [option.last_interval for option in options])
        self.length = np.array([option.lunch_intervals for option in options], dtype=np.int64)
        widest = max((len(option.lunch_starts) for option in options), default=1) if movable else 1
        # starts[o, k]: the k-th lunch start of option o, padded with its first (no lunch: first interval, length 0)
        self.starts = np.zeros((len(options), max(widest, 1)), dtype=np.int64)
        for o, option in enumerate(options):
            window = (
                (option.lunch_starts if movable else (option.nominal_lunch,))
                if option.lunch_starts
                else (option.first_interval,)
            )
            self.starts[o] = [*window, *[window[0]] * (self.starts.shape[1] - len(window))]
        self.length[frozen] = 0

    def worked(self, a: int, o: int) -> np.ndarray:
        """Grid intervals agent ``a`` serves on option ``o``, its lunch where it was placed."""
        start = self.at.get((a, o))
        option = self.problem.options[o]
        if start is None or start == option.nominal_lunch or option.day_index in self.problem.frozen_days:
            return self._nominal[o]
        return np.array(option.working_intervals(start), dtype=np.int64)

    def values(self, options: Sequence[int], gain: np.ndarray) -> tuple[dict[int, int], dict[int, int | None]]:
        """Each option's worth (the gains of the intervals it serves) and the lunch start that gives it."""
        index = np.asarray(options, dtype=np.int64)
        prefix = np.concatenate(([0], np.cumsum(gain)))
        whole = prefix[self.last[index]] - prefix[self.first[index]]
        starts = self.starts[index]
        missed = prefix[starts + self.length[index, None]] - prefix[starts]
        best = missed.argmin(axis=1)
        value = whole - missed[np.arange(len(index)), best]
        lunch = starts[np.arange(len(index)), best]
        has_lunch = self.length[index] > 0
        return (
            dict(zip(options, value.tolist(), strict=True)),
            {o: (int(start) if keep else None) for o, start, keep in zip(options, lunch, has_lunch, strict=True)},
        )


def descend(
    problem: RosterProblem,
    time_limit: float,
    progress: Callable[[str], None] | None = None,
    on_first_feasible: Callable[[], None] | None = None,
    between: Callable[[], float] | None = None,
    *,
    move_lunch: bool = True,
) -> DescentResult | None:
    """Run the three stages within ``time_limit`` of summed deterministic time.

    ``move_lunch``: each agent places its lunches where it is missed least
    (:class:`Lunches`); False keeps them at the middle of their windows.
    ``between`` runs once the first valid roster exists, before construction
    (the lower bound, so that what it leaves of a shared budget goes to the
    descent); it returns the seconds it charged, counted in ``time_limit``.

    Returns None when some class's agent got no shifts at all within its
    limit: its rules conflict, or its model is too hard for the budget.
    """
    report = progress or (lambda _text: None)
    models = AgentModels(problem)
    coverage = CoverageCost(problem)
    lunches = Lunches(problem, movable=move_lunch)

    # 1. First roster: one solve per class, copied to its members. Coverage is not valued yet, so
    # agents whose own models are alike share a solve whatever queues they serve (a team with
    # queues by language has nearly one skill class per agent).
    current: dict[int, list[int]] = {}
    for members in agent_classes(problem, by_skills=False):
        shifts = models.best_shifts(members[0], {}, (), AGENT_SOLVE_LIMIT)
        if shifts is None:
            return None
        for a in members:
            current[a] = shifts
    copied = CoverageCost(problem)
    for a, shifts in current.items():
        for o in shifts:
            copied.add(copied.group_of[a], lunches.worked(a, o), rebalance=False)
    copied.rebalance(np.arange(len(problem.grid)))
    order = sorted(range(len(problem.agents)), key=lambda a: (len(problem.allowed[a]), problem.agents[a].id))
    if copied.missing_minimum():
        _repair(problem, models, copied, current, lunches, order)
    feasible = copied.missing_minimum() == 0
    # The best valid roster so far: what is returned should the budget end before construction does.
    fallback = (dict(current), copied.served.copy(), copied.total(), dict(lunches.at)) if feasible else None
    if feasible and on_first_feasible:
        on_first_feasible()
    elsewhere = between() if between is not None else 0.0
    placed: set[int] = set()

    def spent() -> float:
        """Budget used so far: CP-SAT's deterministic time, the counted Python work and ``between``'s."""
        return models.deterministic_time + (coverage.work + copied.work) * SECONDS_PER_WORK + elsewhere

    def place(a: int, budget_left: float) -> bool:
        group = coverage.group_of[a]
        if a in placed:
            for o in current[a]:
                coverage.remove(group, lunches.worked(a, o))
        value, lunch = lunches.values(problem.allowed[a], coverage.gains(group))
        coverage.work += len(problem.allowed[a]) * lunches.starts.shape[1]
        shifts = models.best_shifts(a, value, current[a], min(AGENT_SOLVE_LIMIT, max(budget_left, 0.01)))
        changed = shifts is not None and sorted(shifts) != sorted(current[a])
        if shifts is not None and changed:
            current[a] = shifts
        for o in current[a]:
            lunches.at[a, o] = lunch[o]
            coverage.add(group, lunches.worked(a, o))
        placed.add(a)
        return changed

    def objective() -> int:
        """The descent's objective: coverage and every agent's own soft cost (as remembered)."""
        coverage.work += coverage.served.size // CHANGE_ELEMENTS_PER_UNIT + len(order)
        return coverage.total() + sum(models.remembered_cost(a) or 0 for a in order)

    def exchange(a: int, b: int, budget_left: float) -> bool:
        """``a`` and ``b`` re-placed together: ``b``'s best without ``a``, then ``a``'s, then ``b``'s again.

        A move one agent at a time cannot make: a chat-only agent taking a Saturday that a
        multi-skilled agent leaves for a Monday it was needed on, neither change paying alone.
        Kept when the objective falls, undone otherwise.
        """
        own_a, own_b = models.remembered_cost(a), models.remembered_cost(b)
        if own_a is None or own_b is None:
            return False
        before = coverage.total() + own_a + own_b
        saved = coverage.served.copy(), list(current[a]), list(current[b])
        lunch_saved = {
            key: lunches.at[key] for key in [(x, o) for x in (a, b) for o in current[x]] if key in lunches.at
        }
        for o in current[a]:
            coverage.remove(coverage.group_of[a], lunches.worked(a, o))
        placed.discard(a)
        for agent in (b, a, b):
            place(agent, budget_left)
        after = coverage.total() + (models.remembered_cost(a) or 0) + (models.remembered_cost(b) or 0)
        if after < before:
            return True
        coverage.served[...] = saved[0]
        current[a], current[b] = saved[1], saved[2]
        lunches.at.update(lunch_saved)
        models.restore_cost(a, own_a)
        models.restore_cost(b, own_b)
        return False

    # Exchange partners: agents of another skill group sharing a queue (same-group agents have the
    # same worth in every interval, so exchanging their days changes no coverage).
    queues_of = [set(coverage.group_queues[coverage.group_of[a]].tolist()) for a in range(len(problem.agents))]
    partners = {
        a: [b for b in order if coverage.group_of[b] != coverage.group_of[a] and queues_of[a] & queues_of[b]]
        for a in order
    }
    coverage.work += sum(len(candidates) for candidates in partners.values())
    takers = [a for a in order if partners[a]]
    failed: set[tuple[int, int]] = set()  # pairs tried without gain since the last change

    def days_worked(a: int) -> int:
        """Agent ``a``'s worked days as bits."""
        return sum(1 << problem.options[o].day_index for o in set(current[a]))

    def partner(a: int) -> int | None:
        """The untried partner whose worked days differ most from ``a``'s: where an exchange can help."""
        mine = days_worked(a)
        best, best_key = None, (-1, 0)
        for rank, b in enumerate(partners[a]):
            if (a, b) in failed:
                continue
            key = ((mine ^ worked_days[b]).bit_count(), -rank)
            if key > best_key:
                best, best_key = b, key
        coverage.work += EXCHANGE_UNITS_PER_PARTNER * len(partners[a])
        return best

    # 2. Construction, 3. sweeps, and from the second sweep on 4. exchanges: each kind of round next
    # by what its last round gained per counted second (exchanges first tried once sweep 2 is done).
    sweeps = exchanges = cursor = 0
    rate = {"sweep": float("inf"), "exchange": float("inf")}
    while spent() < time_limit or (sweeps == 0 and not feasible):
        began, before = spent(), objective() if sweeps >= 1 else 0
        changes = 0
        if sweeps >= 2 and takers and rate["exchange"] > rate["sweep"]:
            kind = "exchange"
            worked_days = [days_worked(x) for x in range(len(problem.agents))]
            coverage.work += EXCHANGE_UNITS_PER_PARTNER * len(worked_days)
            for _ in range(max(1, len(takers) // EXCHANGE_ROUND_FRACTION)):
                left = time_limit - spent()
                if left <= 0:
                    break
                a = takers[cursor % len(takers)]
                cursor += 1
                b = partner(a)
                if b is None:
                    continue
                if exchange(a, b, max(left, 0.05)):
                    changes += 1
                    failed.clear()
                    worked_days[a], worked_days[b] = days_worked(a), days_worked(b)
                else:
                    failed.add((a, b))
            exchanges += 1
            report(f"descent exchanges {exchanges}: coverage cost {coverage.total():,}, {changes} pairs changed")
        else:
            kind = "sweep"
            for a in order:
                left = time_limit - spent()
                if left <= 0 and (sweeps > 0 or feasible):
                    break
                # Construction finishes even past the budget when the first roster misses a queue
                # minimum: a valid roster comes first (it takes one pass, well under a second per 20 agents).
                changes += place(a, max(left, 0.05))
            sweeps += 1
            if changes:
                failed.clear()
            report(f"descent sweep {sweeps}: coverage cost {coverage.total():,}, {changes} agents changed")
            if not feasible and coverage.missing_minimum() == 0:
                feasible = True
                if on_first_feasible:
                    on_first_feasible()
        if sweeps >= 2:
            rate[kind] = (before - objective()) / max(spent() - began, 1e-9) if changes else 0.0
        if sweeps > 1 and not any(rate.values()):
            break
        if sweeps > 1 and changes == 0 and kind == "sweep" and not takers:
            break
    unplaced = [a for a in order if a not in placed]
    for a in unplaced:  # the budget ran out during construction: they keep the first roster's shifts
        for o in current[a]:
            coverage.add(coverage.group_of[a], lunches.worked(a, o), rebalance=False)
    if unplaced:
        coverage.rebalance(np.arange(len(problem.grid)))
        if coverage.missing_minimum():  # a construction cut short may leave a minimum open: mend it the same way
            _repair(problem, models, coverage, current, lunches, order)
    if fallback is not None and (coverage.missing_minimum() > 0 or coverage.total() > fallback[2]):
        # Construction cut short by the budget did worse (or broke a minimum): the first valid roster stands.
        report(f"descent: keeping the first valid roster, coverage cost {fallback[2]:,}")
        current, served, lunches.at = fallback[0], fallback[1], fallback[3]
        models.forget()  # the remembered own costs belong to the shifts construction chose
    else:
        served = coverage.served
    chosen = {(a, o): 1 for a, shifts in current.items() for o in shifts}
    lunch = {
        (a, o): lunches.at.get((a, o), problem.options[o].nominal_lunch) if problem.options[o].lunch_starts else None
        for a, o in chosen
    }
    missing = int(np.maximum(coverage.minimum - served.sum(axis=0), 0).sum())
    return DescentResult(
        chosen=chosen, served=served, missing_minimum=missing, lunch=lunch, seconds=spent(), models=models
    )


def _repair(
    problem: RosterProblem,
    models: AgentModels,
    coverage: CoverageCost,
    current: dict[int, list[int]],
    lunches: Lunches,
    order: Sequence[int],
) -> None:
    """Re-place agents who know a queue below its minimum until no minimum is missed (or none is left to try).

    The copied first roster puts a whole class on the same shifts, which can
    leave an early or late interval without its minimum. Each agent re-placed
    against everyone else sees the minimum's penalty in its shift values, so a
    few such solves make the roster valid: a valid roster in seconds at 500
    agents, where a full construction pass takes half a minute. The most
    flexible agents go first (they can reach odd hours). ``current`` and
    ``coverage`` are updated in place.
    """
    for a in reversed(order):
        short = (coverage.minimum > coverage.served.sum(axis=0)).any(axis=1)
        if not short.any():
            return
        if not any(short[q] for q in coverage.group_queues[coverage.group_of[a]]):
            continue
        group = coverage.group_of[a]
        for o in current[a]:
            coverage.remove(group, lunches.worked(a, o))
        value, lunch = lunches.values(problem.allowed[a], coverage.gains(group))
        shifts = models.best_shifts(a, value, current[a], AGENT_SOLVE_LIMIT)
        if shifts is not None:
            current[a] = shifts
        for o in current[a]:
            lunches.at[a, o] = lunch[o]
            coverage.add(group, lunches.worked(a, o))
