"""Small discrete-event simulations that check the analytic staffing models.

They follow individual contacts through time instead of formulas, so they
share no code with :mod:`scheduler.staffing.backlog` or :mod:`scheduler.staffing.erlang_a`; the
tests compare the two. Too slow for planning, fast enough for a few thousand
contacts.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeferredRun:
    """Per-ticket outcome of :func:`simulate_deferred` (times in grid intervals)."""

    arrival: FloatArray
    answered: FloatArray  # completion time; nan when unanswered at the end of the grid
    in_target: npt.NDArray[np.bool_]
    backlog: FloatArray  # tickets arrived and not answered at the end of each grid interval


def simulate_deferred(
    arrival: npt.ArrayLike,
    handle: float,
    capacity: npt.ArrayLike,
    is_open: npt.ArrayLike,
    window: int,
) -> DeferredRun:
    """FIFO service of tickets by a pool whose speed changes per interval.

    Time runs in grid intervals (``3.5`` is the middle of interval 3). The pool
    works ``capacity[i]`` units of work during interval ``i`` (at a constant
    speed inside it; nothing while closed), on the oldest ticket first; each
    ticket needs ``handle`` units. A ticket is in target when it is answered
    within ``window`` intervals of *open* time after it arrived (a ticket
    arriving while closed starts its clock at the opening).

    Events: ticket arrivals, interval boundaries (the speed changes) and
    completions, processed in time order.
    """
    times = np.sort(np.asarray(arrival, dtype=float))
    speed = np.asarray(capacity, dtype=float)
    opened = np.asarray(is_open, dtype=bool)
    intervals = speed.size
    speed = np.where(opened, speed, 0.0)
    open_before = np.concatenate(([0.0], np.cumsum(opened)))  # open intervals before each boundary

    def open_clock(moment: float) -> float:
        index = min(int(moment), intervals - 1)
        return float(open_before[index] + (moment - index if opened[index] else 0.0))

    answered = np.full(times.size, np.nan)
    backlog = np.zeros(intervals)
    queue: deque[int] = deque()
    remaining = 0.0  # work left on the ticket at the head of the queue
    now = 0.0
    next_ticket = 0
    for interval in range(intervals):
        end = interval + 1.0
        rate = speed[interval]
        while True:
            arrival_at = times[next_ticket] if next_ticket < times.size else np.inf
            finish_at = now + remaining / rate if queue and rate > 0 else np.inf
            if finish_at <= min(arrival_at, end):  # a completion (before an arrival at the same moment)
                now = finish_at
                answered[queue.popleft()] = now
                remaining = handle if queue else 0.0
            elif arrival_at < end:
                if queue and rate > 0:
                    remaining -= (arrival_at - now) * rate
                now = arrival_at
                if not queue:
                    remaining = handle
                queue.append(next_ticket)
                next_ticket += 1
            else:  # the interval ends; the speed changes
                if queue and rate > 0:
                    remaining -= (end - now) * rate
                now = end
                break
        backlog[interval] = len(queue)

    in_target = np.zeros(times.size, dtype=bool)
    for ticket in np.flatnonzero(~np.isnan(answered)):
        in_target[ticket] = open_clock(answered[ticket]) <= open_clock(times[ticket]) + window + 1e-9
    return DeferredRun(arrival=times, answered=answered, in_target=in_target, backlog=backlog)


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveRun:
    """Shares and means over the simulated contacts of :func:`simulate_live`."""

    p_wait: float
    service_level: float  # answered within the target, over all offered
    asa_seconds: float  # mean wait over all offered, until answered or abandoned
    abandon_rate: float


def simulate_live(
    servers: int,
    arrival_rate: float,
    aht_seconds: float,
    patience_seconds: float,
    target_seconds: float,
    contacts: int = 100_000,
    seed: int = 0,
) -> LiveRun:
    """M/M/N+M queue: Poisson arrivals, exponential handle times and patience, FIFO."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1.0 / arrival_rate, contacts))
    handles = rng.exponential(aht_seconds, contacts)
    patience = (
        rng.exponential(patience_seconds, contacts) if np.isfinite(patience_seconds) else np.full(contacts, np.inf)
    )
    free_at: list[float] = []  # completion times of busy servers
    waiting: deque[int] = deque()
    waited = within = abandoned = 0
    total_wait = 0.0

    def serve_queue(until: float) -> None:
        nonlocal within, abandoned, total_wait
        while free_at and free_at[0] <= until:
            moment = heapq.heappop(free_at)
            while waiting:
                contact = waiting.popleft()
                gives_up = arrivals[contact] + patience[contact]
                if gives_up < moment:
                    abandoned += 1
                    total_wait += patience[contact]
                    continue
                wait = moment - arrivals[contact]
                total_wait += wait
                within += wait <= target_seconds
                heapq.heappush(free_at, moment + handles[contact])
                break

    for contact in range(contacts):
        serve_queue(arrivals[contact])
        if len(free_at) < servers:
            within += 1
            heapq.heappush(free_at, arrivals[contact] + handles[contact])
        else:
            waited += 1
            waiting.append(contact)
    return LiveRun(
        p_wait=waited / contacts,
        service_level=within / contacts,
        asa_seconds=total_wait / contacts,
        abandon_rate=abandoned / contacts,
    )
