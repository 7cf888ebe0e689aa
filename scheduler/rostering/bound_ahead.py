"""The first relaxation's later weeks solved ahead, on the core the waiting search leaves idle.

The search waits for the guide (the first relaxation's counts, :mod:`.guide`) once its
construction is done, and until they come its core is idle while the bound's child
(:mod:`.bound_job`) solves the relaxation's weeks one after another. :class:`Ahead` puts that
core to work: from the moment the search waits, a thread in the child solves the weeks not
yet started, the last first (the child's loop goes forwards, the two meet in the middle;
GLOP releases the GIL while it solves).

A week solved ahead is the very LP the loop would solve, so its answer is the same: the level
is the one the loop then chooses (checked, else the loop solves it itself), and the time
limit is no larger than the one the loop then gives it (a lower estimate: what is left now
less :data:`MARGIN` times the expected charge of every week before it). GLOP's deterministic
time limit only stops a solve, so a solve that proves its optimum within the lower limit takes
the same path, to the same basis, iterations and charge, as one with the higher; one that
does not is dropped and solved again. The guide, the bound and so the roster are the same
whether a week was solved ahead or not: only when the guide arrives changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from scheduler.rostering.aggregate import AggregateResult, Block

# A week solved ahead gets what is left less this many times the expected charge of each week
# before it: the lower its limit, the surer it is below the one the loop gives it later (else it
# is solved again, the time ahead lost), the likelier it stops short (lost too).
MARGIN = 2.0


class Waiting(Protocol):
    """Set once the search waits for the guide (a ``multiprocessing`` or ``threading`` event)."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class Ahead:
    """Weeks of the first relaxation solved ahead in a thread, once ``waiting`` is set.

    The relaxation's loop calls :meth:`take` before solving a week (the answer, when solved
    ahead at that level within a limit no larger than ``left``), :meth:`plan` with the weeks
    after it and the very call it solves its weeks with, and :meth:`stop` once the guide is sent.
    """

    def __init__(self, waiting: Waiting) -> None:
        self._waiting = waiting
        self._solve: Callable[..., AggregateResult] | None = None  # the loop's own week solve (plan)
        self._changed = threading.Condition()
        # Weeks to solve ahead, the one to start first first: (week, block, merge, pooled, limit).
        self._plan: list[tuple[int, Block, int, bool, float]] = []
        self._solved: dict[int, tuple[int, bool, float, AggregateResult | None]] = {}
        self._taken: set[int] = set()  # weeks the loop has reached: never started here
        self._busy: int | None = None  # the week being solved here
        self._stopped = False
        self._thread: threading.Thread | None = None
        self.used = 0  # weeks whose answer the loop took from here (for tests and traces)

    def plan(
        self,
        weeks: list[tuple[int, Block]],
        left: float,
        level: tuple[int, bool],
        expected: list[float],
        solve: Callable[..., AggregateResult],
    ) -> None:
        """The weeks after the loop's current one, in order, to solve ahead at ``level`` (merge, pooled).

        ``left``: the budget left before the current week; ``expected``: the expected charge at
        that level of the current week, then of each of ``weeks``; ``solve``: the loop's week solve
        (``solve_aggregate`` with the relaxation's arguments bound), called with ``block``,
        ``time_limit``, ``merge`` and ``preferences``: written once, so a week here is the loop's LP.
        """
        merge, pooled = level
        planned = []
        spent = 0.0
        for (k, block), before in zip(weeks, expected, strict=False):
            spent += MARGIN * before
            planned.append((k, block, merge, pooled, left - spent))
        with self._changed:
            self._solve = solve
            self._plan = [entry for entry in reversed(planned) if entry[4] > 0]
            self._changed.notify_all()
        if self._thread is None and self._plan:
            self._thread = threading.Thread(target=self._run, name="peakplan-bound-ahead", daemon=True)
            self._thread.start()

    def take(self, week: int, merge: int, pooled: bool, left: float) -> AggregateResult | None:
        """Week ``week``'s answer, when solved here at this level within a limit of at most ``left``.

        Waits for it when it is being solved here; otherwise it is never started here.
        """
        with self._changed:
            self._taken.add(week)
            while self._busy == week:
                self._changed.wait()
            found = self._solved.pop(week, None)
        if found is None:
            return None
        solved_merge, solved_pooled, limit, result = found
        if result is None or (solved_merge, solved_pooled) != (merge, pooled) or limit > left:
            return None
        # Within its limit: the same solve as with ``left`` (a capped charge means it was not).
        if not result.optimal or result.seconds >= limit:
            return None
        self.used += 1
        return result

    def stop(self) -> None:
        """No week started here from now on (one being solved finishes, unread)."""
        with self._changed:
            self._stopped = True
            self._plan = []
            self._changed.notify_all()

    def _next(self) -> tuple[int, Block, int, bool, float] | None:
        """The next week to solve here, once the search waits; None once stopped."""
        while True:
            with self._changed:
                if self._stopped:
                    return None
                if self._waiting.is_set():
                    for entry in self._plan:
                        if entry[0] not in self._taken and entry[0] not in self._solved:
                            self._busy = entry[0]
                            return entry
                    self._changed.wait()
                    continue
            self._waiting.wait(0.05)

    def _run(self) -> None:
        while (entry := self._next()) is not None:
            week, block, merge, pooled, limit = entry
            assert self._solve is not None  # set by plan() before the thread starts
            try:
                result: AggregateResult | None = self._solve(
                    block=block, time_limit=limit, merge=merge, preferences=not pooled
                )
            except Exception:  # noqa: BLE001 - the loop solves the week itself and meets the error there
                result = None
            with self._changed:
                self._solved[week] = (merge, pooled, limit, result)
                self._busy = None
                self._changed.notify_all()
