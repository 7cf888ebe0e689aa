"""The coverage gap a roster leaves, interval by interval, and what an extra agent-hour closes.

The peak actions fill this gap step by step: every proposal (an extended
shift, an added shift, a temporary agent) is scored by how much of the
remaining shortfall its intervals close, and the gap is reduced by it before
the next proposal is scored, so two actions never claim the same shortfall.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from scheduler.coverage import scheduled_agents

# A proposed hour must close at least this much of an agent's shortfall on average: an
# action that mostly overstaffs is not worth asking for, and the lead would not call
# someone in for it. Half an agent is where the added hour does more good than idle time.
MIN_COVER_PER_INTERVAL = 0.5


class Gap:
    """Shortfall per queue and interval (agents), reduced as actions are applied."""

    def __init__(self, queues: Sequence[str], grid: pd.DatetimeIndex, required: np.ndarray, scheduled: np.ndarray,
                 is_open: np.ndarray) -> None:  # fmt: skip
        self.queues = tuple(queues)
        self.grid = grid
        self.required = required
        self.is_open = is_open.astype(bool)
        self.short = np.clip(required - scheduled, 0.0, None) * self.is_open

    @classmethod
    def of_roster(
        cls,
        queues: Sequence[str],
        grid: pd.DatetimeIndex,
        required: np.ndarray,
        is_open: np.ndarray,
        roster: pd.DataFrame,
        interval_minutes: int,
    ) -> Gap:
        """The gap ``roster`` leaves against ``required`` ([queue, interval] on ``grid``)."""
        frame = pd.DataFrame(
            {
                "ds": np.tile(grid, len(queues)),
                "queue": np.repeat(list(queues), len(grid)),
                "agents_required": required.reshape(-1),
            }
        )
        coverage = scheduled_agents(roster, frame, interval_minutes)
        table = coverage.pivot(index="queue", columns="ds", values="agents_scheduled")
        scheduled = table.reindex(index=list(queues), columns=grid).fillna(0.0).to_numpy(dtype=float)
        return cls(queues, grid, required, scheduled, is_open)

    def rows(self, skills: Iterable[str]) -> np.ndarray:
        return np.array([q for q, queue in enumerate(self.queues) if queue in set(skills)], dtype=np.int64)

    def gain(self, rows: np.ndarray, intervals: Sequence[int] | np.ndarray) -> float:
        """Shortfall one more agent closes over ``intervals``, serving the neediest of ``rows`` in each."""
        index = np.asarray(intervals, dtype=np.int64)
        if index.size == 0 or rows.size == 0:
            return 0.0
        return float(np.minimum(self.short[rows[:, None], index], 1.0).max(axis=0).sum())

    def per_interval(self, rows: np.ndarray) -> np.ndarray:
        """What one more agent closes in each interval: ``gain`` over ``[a, b)`` is ``per_interval(rows)[a:b].sum()``."""
        if rows.size == 0:
            return np.zeros(self.short.shape[1])
        return np.minimum(self.short[rows], 1.0).max(axis=0)

    def cumulative(self, rows: np.ndarray) -> np.ndarray:
        """Prefix sums of what one more agent closes per interval (``gain`` of [a, b) is ``c[b] - c[a]``)."""
        return np.concatenate(([0.0], np.cumsum(self.per_interval(rows))))

    def apply(self, rows: np.ndarray, intervals: Sequence[int] | np.ndarray) -> dict[str, float]:
        """Put one agent on ``intervals``; returns the shortfall closed per queue (agent-intervals)."""
        closed: dict[str, float] = {}
        for t in np.asarray(intervals, dtype=np.int64):
            if rows.size == 0:
                break
            values = np.minimum(self.short[rows, t], 1.0)
            best = int(np.argmax(values))
            if values[best] <= 0:
                continue
            q = int(rows[best])
            self.short[q, t] -= values[best]
            closed[self.queues[q]] = closed.get(self.queues[q], 0.0) + float(values[best])
        return closed

    def worth_it(self, gain: float, intervals: int) -> bool:
        return intervals > 0 and gain >= MIN_COVER_PER_INTERVAL * intervals - 1e-9
