"""Which move the polish makes next: a batch of agent moves or one whole day, by gain per counted second.

:mod:`.polish` alternates two kinds of move on the written plans: agent moves
(one agent's shifts re-chosen with their blocks) and whole days re-chosen
jointly (:mod:`.days`). This module keeps the accounts that decide between
them, and :func:`block_loss`, the cheap estimate that orders the days not yet
relaxed (it returns what it charges); it solves nothing, so it is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from scheduler.rostering.coveragecost import CoverageCost
from scheduler.rostering.days import DayOutcome, Relaxed
from scheduler.rostering.problem import RosterProblem
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan

# Agent moves are made in batches of this share of the team between looks at the days.
AGENT_BATCHES = 4
# Seconds charged for :func:`block_loss`, calibrated to CPU time on the 2-core benchmark machine
# (4 weeks, 3 queues: 5.7 ms at 100 agents with binding skills, 364 multi-skilled plans and 18
# passes; 21 ms with mixed skills, 1,489 and 71; 30 ms at 500 agents, 1,998 and 95): per call, per
# multi-skilled agent's plan read, per queue-interval of a pass handing out one agent each.
BLOCK_LOSS_SECONDS = 1e-3
BLOCK_LOSS_SECONDS_PER_PLAN = 8e-6
BLOCK_LOSS_SECONDS_PER_ENTRY = 3.3e-8


class Schedule:
    """Which move next: a batch of agent moves or one whole day, by what each gains per charged second.

    Agent moves come first (they mend what lunch and blocks cost the descent's
    shifts); days are then tried for as long as that first batch took, to
    measure them; from then on the kind with the larger expected gain per
    charged second goes next. An agent batch is expected to gain what the last
    one did. A day is expected to gain what its relaxation promised when it
    was last solved (a day not yet solved: its coverage cost now times what
    the first relaxations promised per unit of their days' cost: a sale week's
    short days first), times the share of their promises the days settled so
    far realised; it
    costs a relaxation and a settling, each what they cost on average. Among days not yet
    relaxed whose guesses tie (the cheap days, at the mean first promise), the
    one whose queue blocks cost most goes first (``day_losses``: coverage as
    planned against the multi-skilled agents split freely, :func:`block_loss`).
    A relaxed day is always settled: its relaxation is paid for, and left
    unsettled it goes stale under the next agent batch. A day is worth another
    look only once something in its week or the days next to it has changed
    since its relaxation, its own settling excepted (the relaxation's bound
    still holds for it). All of it is counted, so the choices are
    deterministic.
    """

    def __init__(
        self,
        problem: RosterProblem,
        live: list[int],
        day_costs: Callable[[], np.ndarray] | None = None,
        day_losses: Callable[[], np.ndarray] | None = None,
    ) -> None:
        self.live = live
        self.day_costs = day_costs  # each day's coverage cost now (None: unrelaxed days get the mean first promise)
        self.costs: tuple[int, np.ndarray] | None = None  # (clock, day_costs() then)
        self.day_losses = day_losses  # each day's block loss now (None: ties among unrelaxed days go by date)
        self.losses: tuple[int, np.ndarray] | None = None  # (clock, day_losses() then)
        self.first_cost = 0.0  # the days' costs when their first relaxation was solved
        self.week_of = {d: w for w, days in enumerate(problem.weeks) for d in days}
        self.weeks = problem.weeks
        self.clock = 1  # counts changes
        self.changed: dict[int, int] = dict.fromkeys(live, 1)  # day -> the last change on it
        self.solved: dict[int, int] = {}  # day -> the clock when its relaxation was last solved
        self.promise: dict[int, float] = {}  # day -> what its last relaxation promised (less what it gained)
        self.first: list[float] = []  # what each day's first relaxation promised
        self.agent_rate: float | None = None
        self.explore = 0.0  # what the days are charged before their rate is trusted
        self.batches = 0  # agent batches done
        self.relaxing: list[float] = []  # charge of each relaxation
        self.settling: list[float] = []  # charge of each settling
        self.promised = self.gained = 0.0

    def touch(self, days: set[int]) -> None:
        self.clock += 1
        for d in days:
            if d in self.changed:
                self.changed[d] = self.clock

    def settled(self, d: int) -> None:
        """Day ``d`` was replaced by its settling: its week and neighbours are stale, the day itself is not."""
        self.touch({d})
        self.solved[d] = self.clock

    def _stale(self, d: int) -> bool:
        """Something in the day's week or next to it changed since its relaxation was last solved."""
        last = self.solved.get(d)
        if last is None:
            return True
        near = {*self.weeks[self.week_of[d]], d - 1, d + 1}
        return any(self.changed.get(x, 0) > last for x in near)

    def _cost(self, d: int) -> float:
        if self.day_costs is None:
            return 0.0
        if self.costs is None or self.costs[0] != self.clock:
            self.costs = (self.clock, self.day_costs())
        return float(self.costs[1][d])

    def _loss(self, d: int) -> float:
        if self.day_losses is None or d in self.solved:
            return 0.0
        if self.losses is None or self.losses[0] != self.clock:
            self.losses = (self.clock, self.day_losses())
        return float(self.losses[1][d])

    def _expected(self, d: int) -> float:
        if d in self.promise:
            return self.promise[d]
        if not self.first:
            return math.inf
        mean = sum(self.first) / len(self.first)
        return max(mean, sum(self.first) / self.first_cost * self._cost(d)) if self.first_cost > 0 else mean

    @staticmethod
    def _mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    def _measured(self) -> bool:
        """Whether the days have been tried for as long as the first agent batch ran."""
        return bool(self.settling) and sum(self.relaxing) + sum(self.settling) >= self.explore

    def _share(self) -> float:
        return self.gained / self.promised if self.promised > 0 else 0.0

    def next_day(self) -> int:
        """The stale day expected to gain most (ties: the larger block loss, then the earliest)."""
        return max((d for d in self.live if self._stale(d)), key=lambda d: (self._expected(d), self._loss(d), -d))

    def day_rate(self) -> float | None:
        """Expected gain per charged second of the next day (None: not measured enough yet)."""
        if not any(self._stale(d) for d in self.live):
            return 0.0
        if not self._measured():
            return None
        seconds = self._mean(self.relaxing) + self._mean(self.settling)
        return self._share() * self._expected(self.next_day()) / max(seconds, 1e-9)

    def next_kind(self, *, agents_idle: bool, left: float) -> str | None:
        """``"agents"``, ``"days"``, or None (nothing is worth doing); ``left``: the budget left.

        A day is not started with less budget left than the longest relaxation and settling took.
        """
        days = self.day_rate()
        if self.settling and left < max(self.relaxing) + max(self.settling):
            days = 0.0
        if agents_idle:
            return "days" if days is None or days > 0 else None
        if self.agent_rate is None or self.batches < AGENT_BATCHES or days == 0:
            return "agents"  # a whole sweep first: it mends what lunch and blocks cost the descent's shifts
        if days is None:
            return "days"
        return "agents" if self.agent_rate >= days else "days"

    @staticmethod
    def worth_settling(relaxed: Relaxed) -> bool:
        """Whether a relaxed day is settled: whenever it promises anything (costs are whole numbers).

        Weighing its promise against the agents' last rate left days relaxed and unsettled, and the
        next agent batch made them stale: their relaxation was lost (benchmark seed 2 at 100 agents:
        4 of its first 6 days).
        """
        return relaxed.promise >= 1

    def agents_done(self, gain: int, seconds: float) -> None:
        if self.agent_rate is None:
            self.explore = seconds
        self.batches += 1
        self.agent_rate = gain / max(seconds, 1e-9)

    def day_done(
        self, d: int, relaxed: Relaxed | None, outcome: DayOutcome | None, relaxing: float, settling: float
    ) -> None:
        """A day's relaxation (None: not solved) and settling (None: not settled) and their charges."""
        self.solved[d] = self.clock
        self.relaxing.append(relaxing)
        if relaxed is None:
            self.promise[d] = 0.0
            return
        if d not in self.promise:
            self.first.append(relaxed.promise)
            self.first_cost += self._cost(d)
        self.promise[d] = relaxed.promise
        if outcome is None:
            return
        self.settling.append(settling)
        self.promised += relaxed.promise
        self.gained += outcome.gain
        # A day whose settling found nothing expects nothing more until its relaxation is solved again
        # (else, its promise the largest, it was relaxed and settled in vain after every change near it).
        # (The mending after a settling may gain beyond the promise, whose plans change queue at lunch only.)
        self.promise[d] = max(relaxed.promise - outcome.gain, 0.0) if outcome.replaced else 0.0


def block_loss(
    problem: RosterProblem, coverage: CoverageCost, counts: np.ndarray, plans: dict[tuple[int, int], ShiftPlan]
) -> tuple[np.ndarray, float]:
    """Per interval: what its coverage costs as planned more than with the multi-skilled agents split freely.

    Where queue blocks and the switch cap cost most, a day re-chosen jointly
    (:mod:`.days`) tends to gain most: on the binding-skill benchmark (100
    agents, seed 2) the days' block losses rank their gains with a correlation
    of 0.76, their relaxations' promises 0.95, for a few ms instead of 0.14 s
    each. The single-skilled agents stay where ``counts`` has them; each
    interval's multi-skilled agents (per skill group, as many as work it) are
    handed out one at a time to the open queue of their group that saves most
    (greedy: exact for one multi-skilled group, an estimate where groups
    overlap). Returns the loss per interval and the seconds charged for it.
    """
    multi = {g for g, queues in enumerate(coverage.group_queues) if len(queues) > 1}
    interval_count = counts.shape[1]
    working = np.zeros((len(coverage.groups), interval_count), dtype=np.int64)
    free = counts.copy()
    read = 0
    for (a, o), plan in plans.items():
        g = coverage.group_of[a]
        if g not in multi:
            continue
        read += 1
        queues = np.asarray(plan.queues)
        worked = np.flatnonzero(queues != LUNCH)
        at = problem.options[o].first_interval + worked
        working[g, at] += 1
        np.add.at(free, (queues[worked], at), -1)
    passes = 0
    for g in sorted(multi):
        queues = coverage.group_queues[g]
        left = working[g].copy()
        for _ in range(int(left.max(initial=0))):
            active = np.flatnonzero(left > 0)
            here = free[queues][:, active]
            saving = coverage.cost(here, queues[:, None], active) - coverage.cost(here + 1, queues[:, None], active)
            saving = np.where(coverage.is_open[queues][:, active], saving, np.iinfo(np.int64).min // 4)
            free[queues[saving.argmax(axis=0)], active] += 1
            left[active] -= 1
            passes += 1
    charged = coverage.is_open | (coverage.need > 0)
    loss = np.where(charged, coverage.cost(counts) - coverage.cost(free), 0).sum(axis=0)
    seconds = (
        BLOCK_LOSS_SECONDS + BLOCK_LOSS_SECONDS_PER_PLAN * read + BLOCK_LOSS_SECONDS_PER_ENTRY * counts.size * passes
    )
    return loss, seconds
