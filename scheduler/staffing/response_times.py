"""First-response times of deferred queues (email, social) under a roster: what an auto-reply may promise.

A message received at moment ``t`` is answered, oldest first, once the
capacity the roster puts on its queue has worked off everything waiting ahead
of it and then the message itself. In the fluid FIFO model of
:mod:`scheduler.staffing.backlog` (the one staffing plans and evaluates with)
that is the first moment ``u`` with

    C(u) >= C(t) + Q(t) + h

where ``C`` is the cumulative capacity (agent-hours of handling the scheduled
agents give while the queue is open), ``Q(t)`` the work waiting at ``t`` and
``h`` one ticket's handle time. ``Q`` comes from
:func:`~scheduler.staffing.backlog.evaluate_capacity` at interval ends and
moves linearly inside an interval (arrivals and capacity are both spread
evenly over it).

**The distribution.** The answer moment is uncertain because the volume is:
each of :data:`SCENARIOS` seeded scenarios draws ticket counts per interval,
runs the FIFO model, and gives one answer moment. The counts reproduce the
forecast's P80 band, whose variance is ``yhat + k * yhat^2`` (read back per
local day from ``yhat_hi``): Poisson noise, the queue's ordinary
over-dispersion (the smallest day's ``k``) as independent gamma noise per
interval, and what a day has beyond that (an event's uncertain uplift, which
the forecast widens the band for) as a log-normal level shared by the whole
day: a sale that brings more than expected does so all day.

*Expected* is the mean answer moment measured in open time (minutes the queue
is open), mapped back to the clock, so it always falls inside opening hours,
even when some scenarios answer before closing and others the next morning;
*P80* is the moment by which 80 % of the scenarios have answered (an actual
scenario's answer, so also inside opening hours). The plan starts with an
empty queue; a message whose answer falls beyond the planned horizon in more
than a fifth of the scenarios gets no P80 (and no expectation when any
scenario runs out): the next plan answers it.

The discrete-event simulation (:func:`scheduler.staffing.simulation.simulate_deferred`)
checks these figures in the tests.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from scheduler.errors import InputError
from scheduler.staffing.backlog import answered_work

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

RESPONSE_TIME_COLUMNS = ("queue", "ds", "expected_minutes", "p80_minutes", "expected_at", "p80_at")
"""``response_times.csv``: per deferred queue and interval start ``ds``, a message received at ``ds``."""

SCENARIOS = 400
"""Volume scenarios per queue: the P80 of 400 draws moves by about a minute between seeds on the example."""

P80 = 0.8
_Z80 = 1.2816  # the normal 90 % quantile: yhat_hi sits this many standard deviations above yhat


@dataclass(frozen=True, slots=True, kw_only=True)
class DeferredQueue:
    """What the FIFO model needs about one deferred queue over the planned horizon."""

    queue: str
    starts: pd.DatetimeIndex  # interval starts (UTC), contiguous
    step: pd.Timedelta
    volume: FloatArray  # expected tickets per interval
    day: IntArray  # local day of each interval (0, 1, ...): intervals of a day share the level error
    day_dispersion: FloatArray  # per local day: relative variance of the level beyond Poisson noise
    is_open: BoolArray
    capacity: FloatArray  # agent-hours of handling per interval (0 while closed)
    ticket_hours: float


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerTimes:
    """Answer moments of messages received at ``received``; NaT where beyond the horizon."""

    received: pd.DatetimeIndex
    expected_at: pd.DatetimeIndex
    p80_at: pd.DatetimeIndex

    @property
    def expected_minutes(self) -> FloatArray:
        return np.asarray((self.expected_at - self.received) / pd.Timedelta(minutes=1), dtype=float)

    @property
    def p80_minutes(self) -> FloatArray:
        return np.asarray((self.p80_at - self.received) / pd.Timedelta(minutes=1), dtype=float)


def day_dispersion(yhat: FloatArray, yhat_hi: FloatArray, day: IntArray) -> FloatArray:
    """Per local day, ``k`` of the band's variance ``yhat + k * yhat^2`` (0 when the band is pure Poisson)."""
    sd = np.maximum(yhat_hi - yhat, 0.0) / _Z80
    excess = np.bincount(day, weights=np.where(yhat > 0, sd**2 - yhat, 0.0))
    scale = np.bincount(day, weights=yhat**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scale > 0, np.clip(excess / scale, 0.0, None), 0.0)


def deferred_queues(
    forecast: pd.DataFrame,
    requirements: pd.DataFrame,
    coverage: pd.DataFrame,
    queues: tuple[str, ...],
    tz: str,
) -> tuple[DeferredQueue, ...]:
    """The FIFO inputs of ``queues`` from the plan's tables.

    Args:
        forecast: ``ds, queue, yhat, yhat_hi`` (the band gives the level uncertainty).
        requirements: ``ds, queue, volume, aht_seconds, shrinkage, max_occupancy, open``.
        coverage: ``ds, queue, agents_scheduled`` (:func:`scheduler.coverage.scheduled_agents`).
        queues: the deferred queues.
        tz: the team's timezone (local days).

    Raises:
        InputError: a queue is missing from a table or its grid has gaps.
    """
    result = []
    for queue in queues:
        need = requirements[requirements["queue"] == queue].sort_values("ds")
        if need.empty:
            raise InputError(f"requirements have no rows for queue {queue!r}")
        starts = pd.DatetimeIndex(pd.to_datetime(need["ds"], utc=True)).as_unit("ns")
        steps = (starts[1:] - starts[:-1]).unique()
        if len(steps) != 1:
            raise InputError(f"requirements for queue {queue!r} are not one contiguous grid of two or more intervals")
        step = pd.Timedelta(steps[0])
        band = _aligned(forecast, queue, starts, ("yhat", "yhat_hi"), "forecast")
        agents = _aligned(coverage, queue, starts, ("agents_scheduled",), "coverage")["agents_scheduled"]
        first = need.iloc[0]
        is_open = need["open"].astype(str).str.lower().isin(("true", "1")).to_numpy()
        interval_hours = step / pd.Timedelta(hours=1)
        capacity = agents * (1.0 - float(first["shrinkage"])) * interval_hours * float(first["max_occupancy"])
        local_days = pd.Series(starts.tz_convert(tz).date)
        day = pd.factorize(local_days, sort=True)[0].astype(np.int64)
        volume = need["volume"].to_numpy(dtype=float)
        result.append(
            DeferredQueue(
                queue=queue,
                starts=starts,
                step=step,
                volume=volume,
                day=day,
                day_dispersion=day_dispersion(band["yhat"], band["yhat_hi"], day),
                is_open=is_open,
                capacity=np.where(is_open, capacity, 0.0),
                ticket_hours=float(first["aht_seconds"]) / 3600,
            )
        )
    return tuple(result)


def _aligned(
    frame: pd.DataFrame, queue: str, starts: pd.DatetimeIndex, columns: tuple[str, ...], what: str
) -> dict[str, FloatArray]:
    rows = frame[frame["queue"] == queue]
    indexed = rows.assign(ds=pd.to_datetime(rows["ds"], utc=True)).set_index("ds")
    missing = starts.difference(indexed.index)
    if len(missing):
        raise InputError(f"{what} has no row for queue {queue!r} at {missing[0].isoformat()}")
    return {column: indexed.loc[starts, column].to_numpy(dtype=float) for column in columns}


def scenario_tickets(queue: DeferredQueue, scenarios: int = SCENARIOS, seed: int | None = None) -> FloatArray:
    """Ticket counts per scenario and interval (``scenarios x intervals``), seeded by the queue id by default.

    The band's over-dispersion ``k`` splits in two: the smallest day's ``k`` is
    the queue's ordinary interval-to-interval noise (gamma, independent per
    interval); what a day has beyond it (an event's uncertain uplift) moves the
    whole day (log-normal level).
    """
    rng = np.random.default_rng(zlib.crc32(queue.queue.encode("utf-8")) if seed is None else seed)
    ordinary = float(queue.day_dispersion.min()) if queue.day_dispersion.size else 0.0
    sigma = np.sqrt(np.log1p(queue.day_dispersion - ordinary))
    level = rng.lognormal(-(sigma**2) / 2, sigma, size=(scenarios, sigma.size))  # mean 1 per day
    shape = (scenarios, queue.volume.size)
    noise = rng.gamma(1.0 / ordinary, ordinary, size=shape) if ordinary > 0 else np.ones(shape)
    return rng.poisson(queue.volume[None, :] * level[:, queue.day] * noise).astype(float)


def waiting_work(queue: DeferredQueue, tickets: FloatArray) -> FloatArray:
    """Work waiting at each interval start (``scenarios x intervals``), from the FIFO backlog model.

    All scenarios at once: each row goes through the same floating-point
    operations, in the same order, as :func:`~scheduler.staffing.backlog.cohorts`
    and :func:`~scheduler.staffing.backlog.evaluate_capacity` on that row alone
    (cohort sums are added interval by interval, as ``np.bincount`` does), so
    the figures are those of the one-row model, bit for bit.
    """
    work = tickets * queue.ticket_hours
    n = queue.volume.size
    waiting = np.zeros_like(work)
    positions = np.flatnonzero(queue.is_open)
    latest = np.searchsorted(positions, np.arange(n), side="right") - 1
    if positions.size == 0:
        answered: FloatArray | float = 0.0
    else:
        owner = np.searchsorted(positions, np.arange(n), side="left")
        by_interval = np.ascontiguousarray(work.T)
        grouped = np.zeros((positions.size, work.shape[0]))
        for interval in np.flatnonzero(owner < positions.size):
            grouped[owner[interval]] += by_interval[interval]
        arrived = np.cumsum(grouped.T, axis=1)
        done = answered_work(arrived, np.cumsum(queue.capacity[positions]))
        answered = np.where(latest >= 0, done[:, np.maximum(latest, 0)], 0.0)
    left = np.cumsum(work, axis=1) - answered  # waiting at each interval's end
    waiting[:, 1:] = np.clip(left[:, :-1], 0.0, None)
    return waiting


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenarios:
    """The volume scenarios of one queue run through the FIFO model (``scenarios x intervals``)."""

    work: FloatArray  # agent-hours arriving per interval
    waiting: FloatArray  # work waiting at each interval start


def simulate(queue: DeferredQueue, scenarios: int = SCENARIOS) -> Scenarios:
    """Draw the queue's seeded volume scenarios and their backlog; the same queue always gives the same arrays."""
    tickets = scenario_tickets(queue, scenarios)
    return Scenarios(work=tickets * queue.ticket_hours, waiting=waiting_work(queue, tickets))


def answer_times(
    queue: DeferredQueue,
    received: pd.DatetimeIndex,
    scenarios: int = SCENARIOS,
    *,
    simulated: Scenarios | None = None,
) -> AnswerTimes:
    """Expected and P80 answer moments for messages received at ``received`` (inside the horizon).

    Args:
        queue: the queue's FIFO inputs.
        received: the moments messages arrive.
        scenarios: volume scenarios drawn when ``simulated`` is not given.
        simulated: :func:`simulate` of this queue, computed once when several
            sets of moments are asked of the same plan.

    Raises:
        InputError: a moment lies outside the planned horizon.
    """
    moments = pd.DatetimeIndex(received).tz_convert("UTC")
    n = queue.volume.size
    position = np.asarray((moments - queue.starts[0]) / queue.step, dtype=float)
    outside = (position < 0) | (position > n)
    if outside.any():
        first = moments[np.flatnonzero(outside)[0]]
        end = queue.starts[-1] + queue.step
        raise InputError(
            f"{first.isoformat()} is outside the plan of queue {queue.queue!r} "
            f"({queue.starts[0].isoformat()} to {end.isoformat()})"
        )
    index = np.minimum(np.floor(position).astype(np.int64), n - 1)
    fraction = position - index

    drawn = simulate(queue, scenarios) if simulated is None else simulated
    waiting, work = drawn.waiting, drawn.work
    capacity = queue.capacity
    ends = np.cumsum(capacity)
    begins = ends - capacity
    # Work ahead of the message when it arrives, then its own handle time.
    ahead = np.clip(waiting[:, index] + (work[:, index] - capacity[index]) * fraction, 0.0, None)
    level = begins[index] + capacity[index] * fraction + ahead + queue.ticket_hours
    slot = np.searchsorted(ends, level, side="left")
    inside = slot < n
    slot = np.minimum(slot, n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        answered = np.where(inside, slot + (level - begins[slot]) / capacity[slot], np.inf)

    # Open-time coordinate: the mean of answers before a closing and after the next opening is an open moment.
    opened = queue.is_open.astype(float)
    open_ends = np.cumsum(opened)
    open_begins = open_ends - opened
    finite = np.isfinite(answered)
    safe = np.where(finite, answered, 0.0)
    whole = np.minimum(np.floor(safe).astype(np.int64), n - 1)
    open_time = np.where(finite, open_begins[whole] + (safe - whole) * opened[whole], np.inf)
    mean_open = np.where(finite.all(axis=0), np.where(finite, open_time, 0.0).mean(axis=0), np.nan)
    expected = _from_open_time(mean_open, open_begins, open_ends, queue.is_open)
    p80 = np.quantile(answered, P80, axis=0, method="inverted_cdf")
    p80 = np.where(np.isfinite(p80), p80, np.nan)
    return AnswerTimes(
        received=moments,
        expected_at=_to_clock(queue, expected),
        p80_at=_to_clock(queue, p80),
    )


def _from_open_time(value: FloatArray, begins: FloatArray, ends: FloatArray, is_open: BoolArray) -> FloatArray:
    """Grid position of an open-time coordinate (NaN stays NaN); lands in an open interval."""
    known = np.isfinite(value)
    target = np.where(known, value, 0.0)
    open_slots = np.flatnonzero(is_open)
    if open_slots.size == 0:
        return np.full(value.shape, np.nan)
    pick = np.clip(np.searchsorted(ends[open_slots], target, side="left"), 0, open_slots.size - 1)
    slot = open_slots[pick]
    return np.where(known, slot + np.clip(target - begins[slot], 0.0, 1.0), np.nan)


def _to_clock(queue: DeferredQueue, position: FloatArray) -> pd.DatetimeIndex:
    """Grid positions as UTC moments, rounded up to the whole minute (NaN -> NaT)."""
    known = np.isfinite(position)
    nanoseconds = queue.starts[0].value + np.where(known, position, 0.0) * queue.step.value
    moments = pd.DatetimeIndex(np.round(nanoseconds).astype("int64"), tz="UTC").ceil("min")
    return moments.where(known, pd.NaT)


def response_times(
    queues: tuple[DeferredQueue, ...],
    scenarios: int = SCENARIOS,
    *,
    simulated: dict[str, Scenarios] | None = None,
) -> pd.DataFrame:
    """:data:`RESPONSE_TIME_COLUMNS` for a message received at every interval start, sorted by queue, ds.

    ``simulated``: :func:`simulate` per queue name, when the caller already ran them.
    """
    frames = []
    for queue in sorted(queues, key=lambda item: item.queue):
        drawn = simulated.get(queue.queue) if simulated else None
        times = answer_times(queue, queue.starts, scenarios, simulated=drawn)
        frames.append(
            pd.DataFrame(
                {
                    "queue": queue.queue,
                    "ds": queue.starts,
                    "expected_minutes": times.expected_minutes,
                    "p80_minutes": times.p80_minutes,
                    "expected_at": times.expected_at,
                    "p80_at": times.p80_at,
                }
            )
        )
    if not frames:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in RESPONSE_TIME_COLUMNS})
    return pd.concat(frames, ignore_index=True).loc[:, list(RESPONSE_TIME_COLUMNS)]
