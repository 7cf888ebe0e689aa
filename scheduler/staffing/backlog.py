"""Deferred work (email, social): capacity per interval and the backlog it leaves.

Tickets may wait up to a response target counted in *open* time: a ticket that
arrives while the queue is closed starts its clock at the next opening, and
the night does not count. Work is answered oldest first (FIFO) and every
figure is computed on the fluid model: tickets are work (agent-hours) that the
planned capacity drains in arrival order, carrying a backlog across intervals
and across the night.

Open-time coordinates. Only the ``m`` open intervals of the span exist; a
*cohort* is the work whose clock starts in open interval ``j``: what arrives
during it plus what arrived while closed before it. ``A_j`` is cumulative
cohort work, ``D_j`` cumulative work answered by the end of open interval
``j``. With a target of ``k`` intervals, cohort ``j`` is due by the end of
interval ``j + k - 1``; FIFO answers the first ``share`` of it in time when

    D_{j+k-1} >= A_{j-1} + share * a_j  for every cohort with work   (deadline)
    D_t <= A_t                                                (nothing answered before it arrives)

Work whose deadline falls after the span is due by the span's last open
interval, so each span finishes the work that arrived during its open hours;
tickets arriving after the last opening belong to the next span and are left
as backlog.

**Plan** (:func:`plan_capacity`): among all answered-work curves between those
bounds, the taut string (the shortest path through the corridor). It is the
smoothest capacity that meets every deadline: it minimises the peak capacity
and every other convex measure of unevenness, so the deferred queue fills the
valleys of the day instead of adding to its peaks.

**Evaluate** (:func:`evaluate_capacity`): for any capacity per interval, the
FIFO fluid ``D_t = min(D_{t-1} + c_t, A_t)``, the share of each cohort
answered by its deadline, the backlog at every interval end and the mean wait
of each cohort in open time. A discrete-event simulation
(:mod:`scheduler.staffing.simulation`) checks both in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Cohorts:
    """Work per open interval of a span, in any unit of work (agent-hours here)."""

    positions: IntArray  # grid index of each open interval
    work: FloatArray  # cohort work: arrivals during the interval plus while closed before it
    own: FloatArray  # the part that arrives during the open interval itself
    left_over: float  # work arriving after the last opening (the next span's)


@dataclass(frozen=True, slots=True, kw_only=True)
class BacklogFigures:
    """Per open interval (cohort) figures of a capacity plan."""

    done: FloatArray  # cumulative work answered by the end of each open interval
    share_in_target: FloatArray  # share of the cohort answered by its deadline
    mean_wait: FloatArray  # mean wait of the cohort, in open intervals


def cohorts(work: npt.ArrayLike, is_open: npt.ArrayLike) -> Cohorts:
    """Group work arriving per grid interval into cohorts of open intervals."""
    values = np.asarray(work, dtype=float)
    opened = np.asarray(is_open, dtype=bool)
    positions = np.flatnonzero(opened)
    if positions.size == 0:
        return Cohorts(positions=positions, work=np.zeros(0), own=np.zeros(0), left_over=float(values.sum()))
    owner = np.searchsorted(positions, np.arange(values.size), side="left")
    planned = owner < positions.size
    cohort_work = np.bincount(owner[planned], weights=values[planned], minlength=positions.size).astype(float)
    return Cohorts(
        positions=positions,
        work=cohort_work,
        own=values[positions],
        left_over=float(values[~planned].sum()),
    )


def window_intervals(target_hours: float, interval_minutes: int) -> int:
    """The response target in whole intervals (at least one)."""
    return max(1, int(round(target_hours * 60 / interval_minutes)))


def deadline_bounds(work: FloatArray, window: int, share: float) -> tuple[FloatArray, FloatArray]:
    """Lower (deadlines) and upper (arrivals) bounds on cumulative answered work per open interval."""
    arrived = np.cumsum(work)
    before = arrived - work
    # Under FIFO, cohort j's share in time needs everything before it answered first; an empty
    # cohort asks for nothing, and a later deadline must also keep every earlier one.
    needed = np.maximum.accumulate(np.where(work > 0, before + share * work, 0.0))
    lower = np.zeros(work.size)
    if work.size:
        due = np.arange(window - 1, work.size)  # cohort due - window + 1 is due by interval `due`
        lower[due] = needed[due - window + 1]
        lower[-1] = arrived[-1]
    return np.minimum(lower, arrived), arrived


def plan_capacity(work: npt.ArrayLike, window: int, share: float) -> FloatArray:
    """Smoothest capacity per open interval answering ``share`` of every cohort in time.

    Args:
        work: cohort work per open interval (:attr:`Cohorts.work`).
        window: response target in intervals (``>= 1``).
        share: share of each cohort to answer within the target, in ``(0, 1]``.

    Returns:
        Capacity per open interval (same unit as ``work``); it sums to the total work.
    """
    values = np.asarray(work, dtype=float)
    if values.size == 0:
        return np.zeros(0)
    lower, upper = deadline_bounds(values, window, share)
    path = taut_string(np.concatenate(([0.0], lower)), np.concatenate(([0.0], upper)))
    path = np.clip(path, np.concatenate(([0.0], lower)), np.concatenate(([0.0], upper)))
    return np.maximum(np.diff(path), 0.0)


def taut_string(lower: npt.ArrayLike, upper: npt.ArrayLike) -> FloatArray:
    """Shortest path through a corridor ``lower[i] <= y[i] <= upper[i]`` at ``x = 0..n``.

    The first and last points are pinned (``lower == upper`` there). Greedy
    funnel: from the current anchor, the range of slopes that still reaches
    every point seen so far narrows; when it empties, the string bends at the
    point that closed it (an upper-bound point when a later lower bound needs a
    steeper line, a lower-bound point otherwise) and continues from there.
    Points are scanned in numpy blocks, so the Python loop runs once per bend.
    """
    low = np.asarray(lower, dtype=float)
    high = np.asarray(upper, dtype=float)
    n = low.size - 1
    path = np.empty(n + 1)
    path[0] = low[0]
    if n == 0:
        return path
    tolerance = 1e-12 * max(1.0, float(np.abs(high).max()))
    if np.all(high - low <= tolerance):  # no slack anywhere: the path is forced
        return high.copy()
    anchor, height = 0, float(low[0])
    while anchor < n:
        block = 64
        while True:
            stop = min(n, anchor + block)
            steps = np.arange(1, stop - anchor + 1, dtype=float)
            low_slopes = (low[anchor + 1 : stop + 1] - height) / steps
            high_slopes = (high[anchor + 1 : stop + 1] - height) / steps
            steepest_low = np.maximum.accumulate(low_slopes)
            flattest_high = np.minimum.accumulate(high_slopes)
            crossed = np.flatnonzero(steepest_low > flattest_high + tolerance / steps)
            if crossed.size or stop == n:
                break
            block *= 4
        if crossed.size == 0:  # straight to the pinned end point
            path[anchor + 1 : n + 1] = height + high_slopes[-1] * steps
            break
        first = int(crossed[0])  # >= 1, since lower <= upper at every point
        if low_slopes[first] > flattest_high[first - 1] + tolerance / steps[first]:
            seen = high_slopes[:first]
            bend = first - 1 - int(np.argmin(seen[::-1]))  # the farthest point of the flattest upper slope
            level = high[anchor + 1 + bend]
        else:
            seen = low_slopes[:first]
            bend = first - 1 - int(np.argmax(seen[::-1]))
            level = low[anchor + 1 + bend]
        path[anchor + 1 : anchor + 2 + bend] = height + seen[bend] * steps[: bend + 1]
        path[anchor + 1 + bend] = level
        anchor, height = anchor + 1 + bend, float(level)
    return path


def answered_work(arrived: FloatArray, offered: FloatArray) -> FloatArray:
    """FIFO fluid ``D_t = min(D_{t-1} + c_t, A_t)`` in closed form, along the last axis.

    Args:
        arrived: cumulative cohort work ``A`` per open interval; a leading axis
            holds independent scenarios (``scenarios x intervals``) if present.
        offered: cumulative capacity per open interval (broadcast against ``arrived``).

    Returns:
        Cumulative work answered by the end of each open interval, shaped like ``arrived``.
    """
    done = offered + np.minimum(np.minimum.accumulate(arrived - offered, axis=-1), 0.0)
    return np.minimum(np.maximum.accumulate(done, axis=-1), arrived)


def evaluate_capacity(work: npt.ArrayLike, own: npt.ArrayLike, capacity: npt.ArrayLike, window: int) -> BacklogFigures:
    """FIFO fluid figures of a given capacity per open interval.

    Args:
        work: cohort work per open interval.
        own: the part of each cohort arriving during its interval (spread
            evenly over it); the rest arrived while closed and waits from the opening.
        capacity: work that can be answered in each open interval.
        window: response target in intervals.

    Returns:
        :class:`BacklogFigures`. Work still unanswered at the span's end is
        counted as answered at the end (its mean wait is then a lower bound).
    """
    values = np.asarray(work, dtype=float)
    m = values.size
    if m == 0:
        return BacklogFigures(done=np.zeros(0), share_in_target=np.zeros(0), mean_wait=np.zeros(0))
    arrived = np.cumsum(values)
    before = arrived - values
    done = answered_work(arrived, np.cumsum(np.asarray(capacity, dtype=float)))

    due = np.minimum(np.arange(m) + window - 1, m - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(values > 0, (done[due] - before) / values, 1.0)
    share = np.clip(share, 0.0, 1.0)

    # Mean completion time of a cohort: integrate the inverse of the answered-work curve.
    knots = np.concatenate(([0.0], done))
    times = np.arange(m + 1, dtype=float)
    area = np.concatenate(([0.0], np.cumsum(np.diff(knots) * (times[:-1] + times[1:]) / 2)))

    def integral(level: FloatArray) -> FloatArray:
        inside = np.minimum(level, knots[-1])
        index = np.clip(np.searchsorted(knots, inside, side="left"), 1, m)
        width = knots[index] - knots[index - 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = np.where(width > 0, (inside - knots[index - 1]) / width, 0.0)
        partial = (inside - knots[index - 1]) * (times[index - 1] + (times[index - 1] + fraction)) / 2
        result = np.where(inside > 0, area[index - 1] + partial, 0.0)
        return result + (level - inside) * m

    with np.errstate(divide="ignore", invalid="ignore"):
        completion = np.where(values > 0, (integral(arrived) - integral(before)) / values, 0.0)
        arrival = np.arange(m) + np.where(values > 0, 0.5 * np.asarray(own, dtype=float) / values, 0.0)
    wait = np.where(values > 0, np.maximum(completion - arrival, 0.0), 0.0)
    return BacklogFigures(done=done, share_in_target=share, mean_wait=wait)
