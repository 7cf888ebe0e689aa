"""Where each worked shift's lunch lies in the descent's bookkeeping, and what an option is worth to an agent.

Apart from :mod:`.descent` so that the stages the descent calls (:mod:`.freedays`) can read it
without importing the descent back.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scheduler.rostering.problem import RosterProblem


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
