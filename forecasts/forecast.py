"""Demand forecast: level x weekday profile x learned calendar effects, with calibrated intervals.

The model is one a support lead can follow by hand, and it beats the 8-week
same-weekday average that commercial WFM tools default to on real call-centre
data (README, "Forecast accuracy"), because the calendar enters explicitly.
Per queue:

* **Normal days.** A day is *normal* when no event, holiday, eve or day-after
  touches it and it is not an outage (:func:`detect_outage_days`: a day below
  20% of the same weekday around it, or one with hours of silence where there
  are normally many contacts). Only normal days train the baseline.
* **Baseline** = level x weekday total x weekday intraday shape.
  The *weekday total* is the mean daily volume of the last ``baseline_weeks``
  normal days of that weekday; the *shape* is each slot's share of the day
  over the same days, per weekday (a bank closes early on Friday, a shop is
  busiest on Sunday evening). Slots are local wall-clock times, so DST days
  work: on a 25-hour day both ``02:30`` intervals get the ``02:30`` value; on a
  23-hour day the skipped hour has no interval. The *level* corrects the
  weekday totals for the last four weeks' drift: the ratio of the recent
  normal days' volume to their weekday totals, halfway (damped to 1). With a
  flat history the baseline is exactly the old 8-normal-weeks slot average.
* **Calendar effects.** Every all-day event (sale, campaign, public holiday)
  has three effects per ``(category, queue)``: the *day before* (ramp-up; the
  eve of a holiday), the *days of the event*, and the *day after* (the next
  open weekday: catch-up, post-sale tail). Each effect is learned from the
  past occurrences of the category in the history: a daily ratio (actual
  volume / the volume expected from normal same-weekday days within four weeks
  either side) and an intraday profile (per slot, actual / expected, shrunk
  towards the daily ratio by empirical Bayes: flat when the slots differ no
  more than noise), because a holiday eve closes early and a holiday opens
  after sundown while a sale lifts every hour alike. A timed event (a
  three-hour flash sale) multiplies only the intervals it overlaps, learned the
  same way. A day-before or day-after effect is used only where it stands
  out from the queue's ordinary day-to-day variation (two standard errors,
  measured on its normal days) and by more than 5%: one past occurrence of a
  small queue proves little. An uplift stated for an event
  (``X-PEAKPLAN-UPLIFT``, the CSV ``uplift`` column) replaces the learned
  effect of its days with a flat multiplier. A category with neither gets x1.0 and a warning. Public
  holidays are events of category ``holiday``.
* **Overlaps.** The effects of the event days (and timed events) come first,
  the day-before/day-after effects only where no event runs; within a tier
  the largest multiplier applies (a sale on a holiday is planned as the sale).
* **Intervals.** P80 (``yhat_lo``/``yhat_hi``) and P95 bands come from a
  rolling backtest on the history itself: the model is refitted at each of the
  last ``calibration_weeks`` weekly origins before ``start`` and its errors on
  normal days give the over-dispersion of the counts (variance ``yhat +
  phi^2 yhat^2``) and the empirical quantiles of the standardised errors. On
  event days the spread of the effect over its past occurrences widens the
  band (``phi^2 + psi^2``, ``psi`` at least 0.5: a handful of occurrences
  understates the next one's spread). A band always holds ``yhat``.

Only history strictly before ``start`` is used, so a backtest on a longer
history is honest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from calendars.errors import InputError
from forecasts.grid import interval_grid, local_midnight, zone

FORECAST_COLUMNS: tuple[str, ...] = (
    "ds",
    "queue",
    "yhat",
    "baseline",
    "uplift",
    "events",
    "yhat_lo",
    "yhat_hi",
    "yhat_lo95",
    "yhat_hi95",
)
"""Columns of the forecast table (README, "Data contracts"), in order."""

UPLIFT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "name",
    "category",
    "queue",
    "multiplier",
    "source",
    "occurrences",
    "before",
    "after",
)
"""Columns of :attr:`ForecastResult.uplifts`: one row per event in the window and queue.

``multiplier`` is the daily ratio of the event's days; ``before``/``after`` the
daily ratios of the day before and the day after (NaN when none applies).
"""

EVENT_REQUIRED_COLUMNS: tuple[str, ...] = ("event_id", "name", "category", "start", "end", "uplift")
"""Columns of the events table the forecast reads (``all_day`` is optional)."""

MIN_NORMAL_OCCURRENCES = 2
OUTAGE_SHARE = 0.2
OUTAGE_WINDOW_DAYS = 28  # "surrounding 8 weeks": 4 weeks either side
PARTIAL_OUTAGE_CONTACTS = 20.0  # silence where >= this many contacts are normal cannot be chance (P < 1e-8)
PARTIAL_OUTAGE_SHARE = 0.1  # ... and where at least this share of the day's volume normally arrives
CLOSED_SHARE = 0.2  # a weekday below this share of the busiest weekday's volume is closed
STALE_HISTORY_DAYS = 7
P80 = (0.10, 0.90)
P95 = (0.025, 0.975)
_NORMAL_QUANTILES = {0.10: -1.2816, 0.90: 1.2816, 0.025: -1.96, 0.975: 1.96}
_MIN_CALIBRATION_POINTS = 50

SOURCE_LEARNED = "learned"
SOURCE_STATED = "stated"
SOURCE_NONE = "none"

OFFSET_BEFORE, OFFSET_DURING, OFFSET_AFTER = -1, 0, 1
_OFFSET_LABEL = {OFFSET_BEFORE: "day before", OFFSET_AFTER: "day after"}
_TIMED = "timed"

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NS_PER_MINUTE = 60 * 1_000_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelSettings:
    """Knobs of the model; the defaults are the ones the README's figures were measured with.

    They were chosen on origins January-March 1999 of the Technion data and
    then scored on April-June (``benchmarks/forecast_technion.py``).
    """

    level_days: int = 28  # recent normal days whose volume sets the level
    level_damping: float = 0.5  # share of the recent drift applied (0 = none, 1 = all)
    shape_weeks: int | None = None  # normal days per weekday for the intraday shape (None: baseline_weeks)
    effect_window_days: int = 28  # expected volume of a past event day: normal same weekdays within +-this
    shape_prior_contacts: float = 10.0  # per-slot effect shrunk to the daily ratio with at least this many contacts
    shape_min_variation: float = 0.15  # an effect's per-slot ratios varying less than this (relative) are flat
    side_effect_min: float = 0.05  # day-before/after effects within this of x1 (log) are none
    side_effect_z: float = 2.0  # ... or within this many standard errors of ordinary day-to-day variation
    calibration_weeks: int = 8  # weekly origins of the internal backtest that calibrates the intervals
    effect_log_sd: float = 0.5  # spread of an effect seen once (or stated), log scale


DEFAULT_SETTINGS = ModelSettings()


@dataclass(frozen=True, slots=True, kw_only=True)
class ForecastResult:
    """What :func:`forecast` returns.

    Attributes:
        frame: the forecast table, columns :data:`FORECAST_COLUMNS`, sorted by ``queue, ds``.
        uplifts: how each event in the window was priced, columns :data:`UPLIFT_COLUMNS`,
            sorted by event ``start, event_id`` then ``queue``; ``source`` is
            ``learned``, ``stated`` or ``none``; ``occurrences`` counts the past
            events of the category the learned multiplier is drawn from.
        warnings: human-readable warnings for the caller to show, in a fixed order.
        outage_days: local dates left out of training as outages.
    """

    frame: pd.DataFrame
    uplifts: pd.DataFrame
    warnings: tuple[str, ...]
    outage_days: tuple[dt.date, ...]


def forecast(
    history: pd.DataFrame,
    events: pd.DataFrame | None,
    *,
    start: dt.date,
    days: int,
    tz: str,
    interval_minutes: int,
    baseline_weeks: int = 8,
    source: str = "history",
    settings: ModelSettings = DEFAULT_SETTINGS,
) -> ForecastResult:
    """Forecast contacts per interval and queue for ``days`` local days from ``start``.

    Args:
        history: interval counts (``ds`` UTC, ``queue``, ``y``) as loaded by
            :mod:`forecasts.history`; intervals missing from it count as zero.
        events: the events table (sales and holidays, past and future), or None.
        start: first local date of the forecast.
        days: number of local days to forecast.
        tz: the team's IANA timezone.
        interval_minutes: interval length; ``history`` must be on this grid.
        baseline_weeks: normal same-weekday days averaged for the baseline.
        source: name of the history input for messages (e.g. ``tickets.csv``).
        settings: model knobs (the defaults are the measured ones).

    Returns:
        A :class:`ForecastResult`.

    Raises:
        InputError: malformed history or events, no history before ``start``, or
            fewer than 2 normal days of some weekday before ``start``.
    """
    zone(tz)
    if days <= 0:
        raise InputError(f"forecast length must be at least one day, got {days}")
    if baseline_weeks < 1:
        raise InputError(f"baseline_weeks must be at least 1, got {baseline_weeks}")
    series = _Series.build(
        history, tz=tz, interval_minutes=interval_minutes, source=source, before=start,
        until=start + dt.timedelta(days=days - 1),
    )  # fmt: skip
    ev = _validate_events(events, tz)
    cutoff = series.index_of(start)
    state = _State.prepare(series, ev, cutoff)
    warnings: list[str] = []

    fit = _fit(series, state, cutoff, baseline_weeks, settings)
    short = [w for w in range(7) if fit.used[w] < MIN_NORMAL_OCCURRENCES]
    if short:
        detail = ", ".join(f"{fit.used[w]} normal {_WEEKDAYS[w]}" for w in short)
        history_days = series.present[:cutoff]
        first, last = series.dates[:cutoff][history_days][[0, -1]]
        raise InputError(
            f"need at least {MIN_NORMAL_OCCURRENCES} normal weeks before {start} in {source}: only {detail} "
            f"(history {first}..{last}; {int((state.touched[:cutoff] & history_days).sum())} event days and "
            f"{int(state.outage.sum())} outage days do not count): load a longer history"
        )
    thin = [w for w in range(7) if fit.used[w] < baseline_weeks]
    if thin:
        detail = ", ".join(f"{_WEEKDAYS[w]} {fit.used[w]}" for w in thin)
        warnings.append(f"baseline uses fewer than {baseline_weeks} normal weeks for some weekdays ({detail})")

    last_day = series.dates[:cutoff][series.present[:cutoff]][-1].astype(object)
    gap = (start - last_day).days - 1
    if gap > STALE_HISTORY_DAYS:
        warnings.append(
            f"history in {source} ends on {last_day}, {gap} days before the forecast start {start}: "
            "the baseline reflects the volume of back then"
        )
    outage_days = tuple(d.astype(object) for d in series.dates[state.outage])
    if outage_days:
        shown = ", ".join(str(d) for d in outage_days[:10]) + (", ..." if len(outage_days) > 10 else "")
        warnings.append(
            f"{len(outage_days)} outage day(s) in {source} left out of training "
            f"(volume below {OUTAGE_SHARE:.0%} of the same weekday around them, or hours without contacts "
            f"when there normally are many): {shown}"
        )

    target = np.arange(cutoff, cutoff + days)
    prediction = _predict(series, state, fit, target, settings, describe=True)
    calibration = _calibrate(series, state, cutoff, min(days, 7), baseline_weeks, settings)
    bands = _bands(prediction, calibration)

    for category, queues in prediction.missing.items():
        warnings.append(
            f"no past {category!r} event in {source} and no stated uplift: forecast without uplift (x1.0) "
            f"for queues {', '.join(queues)}; state an uplift for the event or load history covering a past one"
        )

    grid = series.grid[prediction.intervals]
    frames = []
    for q, queue in enumerate(series.queues):
        base = prediction.baseline[q]
        mult = prediction.uplift[q]
        frames.append(
            pd.DataFrame(
                {
                    "ds": grid,
                    "queue": queue,
                    "yhat": base * mult,
                    "baseline": base,
                    "uplift": mult,
                    "events": prediction.names,
                    "yhat_lo": bands["yhat_lo"][q],
                    "yhat_hi": bands["yhat_hi"][q],
                    "yhat_lo95": bands["yhat_lo95"][q],
                    "yhat_hi95": bands["yhat_hi95"][q],
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True).loc[:, list(FORECAST_COLUMNS)]
    frame["ds"] = frame["ds"].astype("datetime64[ns, UTC]")
    frame["queue"] = frame["queue"].astype(str)
    frame["events"] = frame["events"].astype(str)
    uplifts = pd.DataFrame(prediction.uplift_rows, columns=list(UPLIFT_COLUMNS))
    for column in ("multiplier", "before", "after"):
        uplifts[column] = uplifts[column].astype(float)
    uplifts["occurrences"] = uplifts["occurrences"].astype(int)
    return ForecastResult(frame=frame, uplifts=uplifts, warnings=tuple(warnings), outage_days=outage_days)


def detect_outage_days(
    history: pd.DataFrame,
    tz: str,
    *,
    events: pd.DataFrame | None = None,
) -> tuple[dt.date, ...]:
    """Local dates whose volume (all queues) looks like an outage.

    A day is an outage when its total is below 20% of the median total of the
    same weekday within 4 weeks either side (at least 2 such days needed), or
    when it has a run of intervals without a single contact where the same
    weekday around it normally has at least 20 contacts and 10% of its volume
    (the phone system was down for the afternoon). Days touched by an event
    (or its day before/after) are neither judged nor used as references: a
    closed holiday is an event, not an outage.
    """
    zone(tz)
    _check_history_columns(history, "history")
    ds = _utc(history["ds"], "history", "ds")
    if len(ds) == 0:
        return ()
    interval = _guess_interval(pd.DatetimeIndex(ds))
    series = _Series.build(history, tz=tz, interval_minutes=interval, source="history")
    state = _State.prepare(series, _validate_events(events, tz), len(series.dates))
    return tuple(d.astype(object) for d in series.dates[state.outage])


# -- the history as a (queue, date, slot) cube -------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Series:
    queues: tuple[str, ...]
    tz: str
    grid: pd.DatetimeIndex  # intervals of every date, UTC
    interval_minutes: int
    y: np.ndarray  # (Q, N) volume per interval (0 where no data)
    dates: np.ndarray  # (D,) datetime64[D], every local date of the grid
    weekday: np.ndarray  # (D,) 0 = Monday
    present: np.ndarray  # (D,) the input had rows on that date
    interval_date: np.ndarray  # (N,) index into dates
    interval_slot: np.ndarray  # (N,) index into slots
    day_start: np.ndarray  # (D + 1,) first interval of each date (and the end)
    slots: np.ndarray  # (S,) wall-clock minutes after local midnight
    cube: np.ndarray  # (Q, D, S) mean volume per slot and date, 0 where the slot does not exist
    exists: np.ndarray  # (D, S) the slot exists on the date (DST)
    totals: np.ndarray  # (Q, D) volume per date, one value per wall-clock slot

    @classmethod
    def build(
        cls,
        history: pd.DataFrame,
        *,
        tz: str,
        interval_minutes: int,
        source: str,
        before: dt.date | None = None,
        until: dt.date | None = None,
    ) -> _Series:
        """The cube of ``history`` rows before local date ``before``, its dates extended to ``until``."""
        _check_history_columns(history, source)
        ds = _utc(history["ds"], source, "ds")
        y = pd.to_numeric(history["y"], errors="coerce").to_numpy(dtype=float)
        if np.isnan(y).any() or (y < 0).any() or np.isinf(y).any():
            pos = int(np.flatnonzero(np.isnan(y) | (y < 0) | np.isinf(y))[0])
            raise InputError(f"{source}: y must be a number >= 0, got {history['y'].iloc[pos]!r} at {ds.iloc[pos]}")
        queue = history["queue"].astype(str).to_numpy()
        if before is not None:
            keep = (ds < local_midnight(before, tz).tz_convert("UTC")).to_numpy()
            if not keep.any():
                first = _local_dates(pd.DatetimeIndex(ds), tz).min() if len(ds) else None
                since = f" (the history starts on {first})" if first is not None else " (the history is empty)"
                raise InputError(f"no history before {before} in {source}{since}: load history up to the forecast start")
            ds, y, queue = pd.DatetimeIndex(ds[keep]), y[keep], queue[keep]
        elif len(ds) == 0:
            raise InputError(f"{source} is empty: no history to learn from")
        ds = pd.DatetimeIndex(ds)
        row_dates = _local_dates(ds, tz)
        first = row_dates.min().astype(object)
        last = row_dates.max().astype(object)
        if until is not None and until > last:
            last = until
        if before is not None and before > last:
            last = before
        grid = interval_grid(first, (last - first).days + 1, tz, interval_minutes).as_unit("ns")
        pos = grid.get_indexer(ds)
        if (pos < 0).any():
            bad = ds[int(np.flatnonzero(pos < 0)[0])]
            raise InputError(
                f"{source}: interval {bad.tz_convert(zone(tz)).isoformat()} is not on the {interval_minutes}-minute "
                f"grid of {tz}: load the history with the same interval length"
            )
        queues = tuple(sorted(set(queue.tolist())))
        q_idx = np.searchsorted(np.array(queues, dtype=object), queue)
        flat = pd.Series(q_idx * len(grid) + pos)
        if flat.duplicated().any():
            i = int(np.flatnonzero(flat.duplicated().to_numpy())[0])
            raise InputError(f"{source}: interval {ds[i].isoformat()} of queue {queue[i]!r} appears twice")
        values = np.zeros((len(queues), len(grid)))
        values[q_idx, pos] = y

        dates = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
        interval_date = (_local_dates(grid, tz) - dates[0]).astype(int)
        present = np.zeros(len(dates), dtype=bool)
        present[(row_dates - dates[0]).astype(int)] = True
        _, wall = _weekday_and_slot(grid, tz)
        slots = np.unique(wall)
        interval_slot = np.searchsorted(slots, wall)
        counts = np.zeros((len(dates), len(slots)))
        np.add.at(counts, (interval_date, interval_slot), 1.0)
        sums = np.zeros((len(queues), len(dates), len(slots)))
        for q in range(len(queues)):
            np.add.at(sums[q], (interval_date, interval_slot), values[q])
        exists = counts > 0
        cube = np.divide(sums, counts, out=np.zeros_like(sums), where=exists)
        day_start = np.searchsorted(interval_date, np.arange(len(dates) + 1))
        return cls(
            queues=queues,
            tz=tz,
            grid=grid,
            interval_minutes=interval_minutes,
            y=values,
            dates=dates,
            weekday=_weekday_of(dates),
            present=present,
            interval_date=interval_date,
            interval_slot=interval_slot,
            day_start=day_start,
            slots=slots,
            cube=cube,
            exists=exists,
            totals=cube.sum(axis=2),
        )

    def index_of(self, day: dt.date) -> int:
        return int((np.datetime64(day, "D") - self.dates[0]).astype(int))

    def intervals_of(self, day_indices: np.ndarray) -> np.ndarray:
        """Interval positions of the given (ascending) date indices."""
        if len(day_indices) == 0:
            return np.zeros(0, dtype=int)
        return np.concatenate([np.arange(self.day_start[d], self.day_start[d + 1]) for d in day_indices])


# -- events placed on the dates --------------------------------------------------


@dataclass(slots=True, kw_only=True)
class _State:
    """The calendar laid over the series as of one cutoff, and the outage days before it."""

    ev: pd.DataFrame
    entries: list[list[tuple[int, int]]]  # per date: (event row, offset) of all-day events
    timed: dict[int, np.ndarray]  # event row -> intervals it overlaps (positions into the grid)
    touched: np.ndarray  # (D,) any effect or timed event on the date
    during: np.ndarray  # (D,) an event runs on the date (all-day or timed)
    eve: np.ndarray  # (D,) the day before an all-day event
    outage: np.ndarray  # (D,) outage days before the cutoff
    open_weekday: np.ndarray  # (7,) bool

    @classmethod
    def prepare(cls, series: _Series, ev: pd.DataFrame, cutoff: int) -> _State:
        n_days = len(series.dates)
        open_weekday = _open_weekdays(series, cutoff)
        entries: list[list[tuple[int, int]]] = [[] for _ in range(n_days)]
        timed: dict[int, np.ndarray] = {}
        touched = np.zeros(n_days, dtype=bool)
        during = np.zeros(n_days, dtype=bool)
        eve = np.zeros(n_days, dtype=bool)
        step = series.interval_minutes * _NS_PER_MINUTE
        grid_ns = series.grid.asi8
        first_idx = (ev["first_day"].to_numpy().astype("datetime64[D]") - series.dates[0]).astype(int)
        last_idx = (ev["last_day"].to_numpy().astype("datetime64[D]") - series.dates[0]).astype(int)
        for row, event in enumerate(ev.itertuples(index=False)):
            if event.all_day:
                first, last = int(first_idx[row]), int(last_idx[row])
                after = last + 1
                while 0 <= after < n_days and after - last <= 7 and not open_weekday[series.weekday[after]]:
                    after += 1
                for day, offset in ((first - 1, OFFSET_BEFORE), (after, OFFSET_AFTER)):
                    if 0 <= day < n_days:
                        entries[day].append((row, offset))
                        touched[day] = True
                if first - 1 >= 0 and first - 1 < n_days:
                    eve[first - 1] = True
                for day in range(max(first, 0), min(last, n_days - 1) + 1):
                    entries[day].append((row, OFFSET_DURING))
                    touched[day] = during[day] = True
            else:
                lo = np.searchsorted(grid_ns, event.start_eff.value - step, side="right")
                hi = np.searchsorted(grid_ns, event.end_eff.value, side="left")
                if hi > lo:
                    positions = np.arange(lo, hi)
                    timed[row] = positions
                    days = np.unique(series.interval_date[positions])
                    touched[days] = during[days] = True
        outage = np.zeros(n_days, dtype=bool)
        totals = series.totals.sum(axis=0)
        excluded = touched | ~series.present
        outage[:cutoff] = _outage_mask(
            totals[:cutoff], series.cube.sum(axis=0)[:cutoff], series.dates[:cutoff],
            series.weekday[:cutoff], excluded[:cutoff],
        )  # fmt: skip
        return cls(
            ev=ev, entries=entries, timed=timed, touched=touched, during=during, eve=eve,
            outage=outage, open_weekday=open_weekday,
        )  # fmt: skip

    def normal(self, series: _Series, cutoff: int) -> np.ndarray:
        mask = series.present & ~self.touched & ~self.outage
        mask[cutoff:] = False
        return mask


def _open_weekdays(series: _Series, cutoff: int) -> np.ndarray:
    """Weekdays whose median volume before the cutoff is at least CLOSED_SHARE of the busiest one's."""
    totals = series.totals.sum(axis=0)[:cutoff]
    present = series.present[:cutoff]
    medians = np.zeros(7)
    for w in range(7):
        values = totals[present & (series.weekday[:cutoff] == w)]
        medians[w] = float(np.median(values)) if len(values) else 0.0
    top = medians.max()
    return medians >= CLOSED_SHARE * top if top > 0 else np.ones(7, dtype=bool)


# -- the model ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Effect:
    ratio: np.ndarray  # (Q,) daily ratio actual / expected
    slot: np.ndarray | None  # (Q, S) per-slot ratio (all-day effects)
    occurrences: np.ndarray  # (Q,) past events (instances) it is drawn from; 0 = unknown for that queue
    log_sd: np.ndarray  # (Q,) spread of the instance ratios, log scale (NaN: fewer than 2)
    days: int  # past days it is measured on


@dataclass(frozen=True, slots=True, kw_only=True)
class _Fit:
    level: np.ndarray  # (Q,)
    day_mean: np.ndarray  # (Q, 7)
    shape: np.ndarray  # (Q, 7, S)
    used: list[int]
    effects: dict[tuple[str, int], _Effect]  # (category, offset) of all-day events; (category, _TIMED) for timed
    day_noise: np.ndarray  # (Q,) sd of log(actual / expected) over normal days: ordinary day-to-day variation


def _fit(series: _Series, state: _State, cutoff: int, weeks: int, settings: ModelSettings) -> _Fit:
    normal = state.normal(series, cutoff)
    n_q, _, n_s = series.cube.shape
    day_mean = np.full((n_q, 7), np.nan)
    shape = np.zeros((n_q, 7, n_s))
    used: list[int] = []
    shape_weeks = settings.shape_weeks or weeks
    for w in range(7):
        idx = np.flatnonzero(normal & (series.weekday == w))
        level_idx, shape_idx = idx[-weeks:], idx[-shape_weeks:]
        used.append(len(level_idx))
        if len(level_idx) == 0:
            continue
        day_mean[:, w] = series.totals[:, level_idx].mean(axis=1)
        total = series.totals[:, shape_idx].sum(axis=1)
        slot_sum = series.cube[:, shape_idx, :].sum(axis=1)
        shape[:, w, :] = np.divide(slot_sum, total[:, None], out=np.zeros_like(slot_sum), where=total[:, None] > 0)
    day_mean = np.nan_to_num(day_mean, nan=0.0)

    recent = normal & (np.arange(len(series.dates)) >= cutoff - settings.level_days)
    expected_recent = day_mean[:, series.weekday[recent]].sum(axis=1)
    actual_recent = series.totals[:, recent].sum(axis=1)
    drift = np.divide(actual_recent, expected_recent, out=np.ones(n_q), where=expected_recent > 0)
    level = 1.0 + settings.level_damping * (drift - 1.0)

    expected_total = _expected_totals(series, normal, day_mean, settings.effect_window_days)
    effects = _learn_effects(series, state, cutoff, expected_total, shape, settings)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log((series.totals[:, normal] + 0.5) / (expected_total[:, normal] + 0.5))
    day_noise = log_ratio.std(axis=1, ddof=1) if log_ratio.shape[1] >= 3 else np.full(n_q, np.inf)
    return _Fit(level=level, day_mean=day_mean, shape=shape, used=used, effects=effects, day_noise=day_noise)


def _expected_totals(series: _Series, normal: np.ndarray, day_mean: np.ndarray, window: int) -> np.ndarray:
    """(Q, D) volume a date would have had as a normal day: mean of normal same weekdays within +-window days."""
    n_q, n_d = series.totals.shape
    sums = np.zeros((n_q, n_d))
    counts = np.zeros(n_d)
    masked = series.totals * normal
    for k in range(1, window // 7 + 1):
        shift = 7 * k
        if shift >= n_d:
            break
        sums[:, shift:] += masked[:, :-shift]
        counts[shift:] += normal[:-shift]
        sums[:, :-shift] += masked[:, shift:]
        counts[:-shift] += normal[shift:]
    fallback = day_mean[:, series.weekday]
    return np.where(counts > 0, sums / np.maximum(counts, 1), fallback)


def _learn_effects(
    series: _Series,
    state: _State,
    cutoff: int,
    expected_total: np.ndarray,
    shape: np.ndarray,
    settings: ModelSettings,
) -> dict[tuple[str, int], _Effect]:
    usable = series.present & ~state.outage
    usable[cutoff:] = False
    groups: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
    categories = state.ev["category"].to_numpy()
    for day in np.flatnonzero(usable):
        entries = state.entries[day]
        if not entries:
            continue
        has_during = any(offset == OFFSET_DURING for _, offset in entries) or bool(state.during[day])
        for row, offset in entries:
            if offset != OFFSET_DURING and has_during:
                continue  # a day-before/after effect under a running event is not measurable
            days, rows = groups.setdefault((str(categories[row]), offset), ([], []))
            if not days or days[-1] != day:
                days.append(int(day))
                rows.append(row)
    effects: dict[tuple[str, int], _Effect] = {}
    n_q = len(series.queues)
    prior = settings.shape_prior_contacts
    for key, (days, rows) in sorted(groups.items()):
        d = np.array(days)
        actual = series.totals[:, d]  # (Q, n)
        expected = expected_total[:, d]
        ratio, occurrences, log_sd = _ratios(actual, expected, np.array(rows))
        expected_slots = expected[:, :, None] * shape[:, series.weekday[d], :] * series.exists[d][None, :, :]
        slot = _slot_ratios(
            series.cube[:, d, :].sum(axis=1), expected_slots.sum(axis=1), ratio, prior, settings.shape_min_variation
        )
        effects[key] = _Effect(ratio=ratio, slot=slot, occurrences=occurrences, log_sd=log_sd, days=len(d))

    timed_groups: dict[str, list[tuple[int, np.ndarray]]] = {}
    for row, positions in state.timed.items():
        days = series.interval_date[positions]
        keep = usable[days]
        if keep.any():
            timed_groups.setdefault(str(categories[row]), []).append((row, positions[keep]))
    for category, instances in sorted(timed_groups.items()):
        actual = np.zeros((n_q, len(instances)))
        expected = np.zeros((n_q, len(instances)))
        for j, (_, positions) in enumerate(instances):
            days = series.interval_date[positions]
            slots = series.interval_slot[positions]
            actual[:, j] = series.y[:, positions].sum(axis=1)
            expected[:, j] = (expected_total[:, days] * shape[:, series.weekday[days], slots]).sum(axis=1)
        ratio, occurrences, log_sd = _ratios(actual, expected, np.arange(len(instances)))
        effects[(category, _TIMED)] = _Effect(
            ratio=ratio, slot=None, occurrences=occurrences, log_sd=log_sd, days=len(instances)
        )
    return effects


def _slot_ratios(
    actual: np.ndarray, expected: np.ndarray, ratio: np.ndarray, prior: float, min_variation: float
) -> np.ndarray:
    """Per-slot ratios shrunk towards the daily ratio (empirical Bayes), (Q, S).

    Slot ``s`` gets ``(A_s + lam * r) / (E_s + lam)``: ``A_s`` actual, ``E_s``
    expected contacts, ``r`` the daily ratio. ``lam = 1 / (r * tau^2)`` where
    ``tau^2`` is the relative variation of the slot ratios beyond Poisson noise,
    estimated from the slots themselves: an effect that lifts every slot alike
    (a sale) stays flat, one that reshapes the day (an eve closing early) keeps
    its shape. ``prior`` (contacts) is the least shrinkage applied; a relative
    variation ``tau`` below ``min_variation`` is taken for noise (the expected
    volume is itself an estimate) and the effect stays flat.
    """
    n_q, n_s = actual.shape
    out = np.empty((n_q, n_s))
    for q in range(n_q):
        r = ratio[q]
        busy = expected[q] >= 1.0
        if r <= 0 or busy.sum() < 2:
            out[q] = r
            continue
        a, e = actual[q, busy], expected[q, busy]
        tau2 = ((a - r * e) ** 2 / e).sum() - r * busy.sum()
        tau2 /= r**2 * e.sum()
        if tau2 < min_variation**2:  # within the noise of the expected volume itself: a flat effect
            out[q] = r
            continue
        lam = max(prior, 1.0 / (r * tau2))
        out[q] = (actual[q] + lam * r) / (expected[q] + lam)
    return out


def _ratios(actual: np.ndarray, expected: np.ndarray, instance: np.ndarray) -> tuple[np.ndarray, ...]:
    """Ratio of sums per queue, the number of instances measured and the spread of their log ratios."""
    n_q = actual.shape[0]
    total_expected = expected.sum(axis=1)
    ratio = np.divide(actual.sum(axis=1), total_expected, out=np.ones(n_q), where=total_expected > 0)
    occurrences = np.zeros(n_q, dtype=int)
    log_sd = np.full(n_q, np.nan)
    ids = np.unique(instance)
    for q in range(n_q):
        per = []
        for i in ids:
            e = expected[q, instance == i].sum()
            if e > 0:
                per.append((actual[q, instance == i].sum() + 0.5) / (e + 0.5))
        occurrences[q] = len(per)
        if len(per) >= 2:
            log_sd[q] = float(np.std(np.log(per), ddof=1))
    return ratio, occurrences, log_sd


# -- prediction --------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class _Prediction:
    intervals: np.ndarray  # (n,) positions in the grid
    baseline: np.ndarray  # (Q, n)
    uplift: np.ndarray  # (Q, n)
    spread: np.ndarray  # (Q, n) log-scale spread of the applied effect, 0 where none
    names: np.ndarray  # (n,) object: ';'-joined names
    uplift_rows: list[dict[str, object]] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)


def _predict(
    series: _Series,
    state: _State,
    fit: _Fit,
    target: np.ndarray,
    settings: ModelSettings,
    *,
    describe: bool = False,
) -> _Prediction:
    """Baseline x effects for the dates ``target`` (ascending date indices)."""
    intervals = series.intervals_of(target)
    days = series.interval_date[intervals]
    weekday = series.weekday[days]
    slot = series.interval_slot[intervals]
    baseline = fit.level[:, None] * fit.day_mean[:, weekday] * fit.shape[:, weekday, slot]
    n_q = len(series.queues)
    uplift = np.ones_like(baseline)
    spread = np.zeros_like(baseline)
    names: list[list[str]] = [[] for _ in range(len(intervals))]
    ev = state.ev
    applied: dict[int, dict[str, object]] = {}  # event row -> its uplift-table entry
    missing: dict[str, list[str]] = {}

    def resolve(row: int, offset: int, q: int) -> tuple[float, np.ndarray | None, float, str, int]:
        """(daily ratio, per-slot ratio or None for flat, spread, source, occurrences)."""
        category = str(ev["category"].iat[row])
        stated = float(ev["uplift"].iat[row])
        key = (category, offset if ev["all_day"].iat[row] else _TIMED)
        effect = fit.effects.get(key)
        count = int(effect.occurrences[q]) if effect is not None else 0
        if offset == OFFSET_DURING and not np.isnan(stated):
            return 1.0 + stated, None, settings.effect_log_sd, SOURCE_STATED, count
        if count == 0:
            return 1.0, None, 0.0, SOURCE_NONE, 0
        ratio = float(effect.ratio[q])
        if offset != OFFSET_DURING:
            # a ramp-up or tail must stand out from ordinary day-to-day variation to be used
            noise = float(fit.day_noise[q]) / np.sqrt(effect.days)
            if abs(np.log(max(ratio, 1e-9))) < max(settings.side_effect_z * noise, settings.side_effect_min):
                return 1.0, None, 0.0, SOURCE_NONE, count
        # the spread of a handful of occurrences understates the next one's: never below the default
        psi = float(np.fmax(effect.log_sd[q], settings.effect_log_sd))
        return ratio, effect.slot[q] if effect.slot is not None else None, psi, SOURCE_LEARNED, count

    start = 0
    for d in target:
        n = series.day_start[d + 1] - series.day_start[d]
        span = slice(start, start + n)
        start += n
        entries = state.entries[d] if d < len(state.entries) else []
        timed_rows = [row for row, positions in state.timed.items() if positions[0] < series.day_start[d + 1]
                      and positions[-1] >= series.day_start[d]]  # fmt: skip
        if not entries and not timed_rows:
            continue
        day_positions = np.arange(series.day_start[d], series.day_start[d + 1])
        labels: list[str] = [str(ev["name"].iat[row]) for row, offset in entries if offset == OFFSET_DURING]
        interval_labels: list[list[str]] = [[] for _ in range(n)]
        for q in range(n_q):
            queue = series.queues[q]
            best: dict[int, tuple[float, np.ndarray, float]] = {}  # tier -> (ratio, per-interval uplift, spread)
            for row, offset in entries:
                ratio, slot_ratio, psi, src, count = resolve(row, offset, q)
                if describe:
                    _describe(applied, missing, ev, row, queue, offset, resolve(row, OFFSET_DURING, q), ratio, src)
                if src == SOURCE_NONE:
                    continue
                if offset != OFFSET_DURING:
                    label = f"{ev['name'].iat[row]} ({_OFFSET_LABEL[offset]})"
                    if label not in labels:
                        labels.append(label)
                tier = 0 if offset == OFFSET_DURING else 1
                if tier in best and best[tier][0] >= ratio:
                    continue
                base = baseline[q, span]
                if slot_ratio is None:
                    per = np.full(n, ratio)
                else:
                    raw = slot_ratio[slot[span]]
                    weight = float((base * raw).sum())
                    per = raw * (ratio * float(base.sum()) / weight) if weight > 0 else np.full(n, ratio)
                best[tier] = (ratio, per, psi)
            chosen = best.get(0) or best.get(1)
            per_interval = chosen[1].copy() if chosen else np.ones(n)
            psi_interval = np.full(n, chosen[2] if chosen else 0.0)
            tier_zero = np.full(n, 0 in best)
            for row in timed_rows:
                ratio, _, psi, src, count = resolve(row, OFFSET_DURING, q)
                if describe:
                    _describe(applied, missing, ev, row, queue, OFFSET_DURING, (ratio, None, psi, src, count), ratio, src)
                active = np.isin(day_positions, state.timed[row])
                for i in np.flatnonzero(active):
                    if str(ev["name"].iat[row]) not in interval_labels[i]:
                        interval_labels[i].append(str(ev["name"].iat[row]))
                if src == SOURCE_NONE:
                    continue
                better = active & (~tier_zero | (ratio > per_interval))
                per_interval[better] = ratio
                psi_interval[better] = psi
                tier_zero |= active
            uplift[q, span] = per_interval
            spread[q, span] = psi_interval
        for i in range(n):
            names[span.start + i] = labels + [label for label in interval_labels[i] if label not in labels]
    # day-before/after names only where their effect applies, so "no event, no uplift" holds
    prediction = _Prediction(
        intervals=intervals,
        baseline=baseline,
        uplift=uplift,
        spread=spread,
        names=np.array([";".join(n) for n in names], dtype=object),
    )
    if describe:
        prediction.uplift_rows = _flatten_rows([entry for _, entry in sorted(applied.items())])
        prediction.missing = missing
    return prediction


def _describe(
    applied: dict[int, dict[str, dict[str, object]]],
    missing: dict[str, list[str]],
    ev: pd.DataFrame,
    row: int,
    queue: str,
    offset: int,
    during: tuple[float, np.ndarray | None, float, str, int],
    ratio: float,
    src: str,
) -> None:
    """Record how an event touching the window was priced for the uplift table and the warnings."""
    record = applied.setdefault(row, {}).setdefault(queue, {
        "event_id": str(ev["event_id"].iat[row]), "name": str(ev["name"].iat[row]),
        "category": str(ev["category"].iat[row]), "queue": queue, "multiplier": float(during[0]),
        "source": during[3], "occurrences": int(during[4]), "before": np.nan, "after": np.nan,
    })  # fmt: skip
    if offset == OFFSET_DURING:
        if src == SOURCE_NONE:
            queues = missing.setdefault(str(ev["category"].iat[row]), [])
            if queue not in queues:
                queues.append(queue)
    elif src == SOURCE_LEARNED:
        record["before" if offset == OFFSET_BEFORE else "after"] = float(ratio)


def _flatten_rows(entries: list[dict[str, dict[str, object]]]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for entry in entries:
        for queue in sorted(entry):
            rows.append(entry[queue])
    return rows


# -- prediction intervals ------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Calibration:
    phi2: float  # over-dispersion: variance = yhat + phi2 * yhat^2
    quantiles: dict[float, float]  # standardised-error quantiles
    points: int  # intervals the calibration saw


def _calibrate(
    series: _Series, state: _State, cutoff: int, horizon: int, weeks: int, settings: ModelSettings
) -> _Calibration:
    """Errors of the model refitted at the last ``calibration_weeks`` weekly origins before ``cutoff``."""
    ys: list[np.ndarray] = []
    yhats: list[np.ndarray] = []
    for k in range(1, settings.calibration_weeks + 1):
        origin = cutoff - 7 * k
        if origin <= 0:
            break
        fit = _fit(series, state, origin, weeks, settings)
        if min(fit.used) < MIN_NORMAL_OCCURRENCES:
            break
        target = np.arange(origin, min(origin + horizon, cutoff))
        target = target[series.present[target] & ~state.outage[target] & ~state.touched[target]]
        if len(target) == 0:
            continue
        prediction = _predict(series, state, fit, target, settings)
        yhats.append((prediction.baseline * prediction.uplift).ravel())
        ys.append(series.y[:, prediction.intervals].ravel())
    y = np.concatenate(ys) if ys else np.zeros(0)
    return _calibration_from_errors(y, np.concatenate(yhats) if yhats else np.zeros(0))


def _calibration_from_errors(y: np.ndarray, yhat: np.ndarray) -> _Calibration:
    """Over-dispersion and standardised-error quantiles from paired actuals and forecasts."""
    keep = yhat > 0
    y, yhat = y[keep], yhat[keep]
    if len(y) < _MIN_CALIBRATION_POINTS:
        return _Calibration(phi2=0.0, quantiles=dict(_NORMAL_QUANTILES), points=int(len(y)))
    resid = y - yhat
    phi2 = max(0.0, float(((resid**2 - yhat).sum()) / (yhat**2).sum()))
    z = resid / np.sqrt(yhat + phi2 * yhat**2)
    levels = sorted(_NORMAL_QUANTILES)
    quantiles = {p: float(np.quantile(z, p)) for p in levels}
    return _Calibration(phi2=phi2, quantiles=quantiles, points=int(len(y)))


def _bands(prediction: _Prediction, calibration: _Calibration) -> dict[str, np.ndarray]:
    yhat = prediction.baseline * prediction.uplift
    sd = np.sqrt(yhat + (calibration.phi2 + prediction.spread**2) * yhat**2)
    # a band always holds the point forecast, even if the calibration errors all lean one way
    q = {p: min(v, 0.0) if p < 0.5 else max(v, 0.0) for p, v in calibration.quantiles.items()}
    return {
        "yhat_lo": np.maximum(0.0, yhat + q[P80[0]] * sd),
        "yhat_hi": yhat + q[P80[1]] * sd,
        "yhat_lo95": np.maximum(0.0, yhat + q[P95[0]] * sd),
        "yhat_hi95": yhat + q[P95[1]] * sd,
    }


# -- events ----------------------------------------------------------------------


def _validate_events(events: pd.DataFrame | None, tz: str) -> pd.DataFrame:
    """Check the events table and add ``start_eff``/``end_eff`` (all-day events widened to local midnights)."""
    columns = [*EVENT_REQUIRED_COLUMNS, "all_day", "start_eff", "end_eff", "first_day", "last_day"]
    if events is None or (len(events) == 0 and len(events.columns) == 0):
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        for c in ("start", "end", "start_eff", "end_eff"):
            empty[c] = pd.Series(dtype="datetime64[ns, UTC]")
        for c in ("first_day", "last_day"):
            empty[c] = pd.Series(dtype="datetime64[s]")
        empty["uplift"] = pd.Series(dtype=float)
        empty["all_day"] = pd.Series(dtype=bool)
        return empty
    found = [str(c) for c in events.columns]
    missing = [c for c in EVENT_REQUIRED_COLUMNS if c not in found]
    if missing:
        raise InputError(f"missing columns {missing} in events (found columns {found})")
    ev = events.copy()
    ev["start"] = _utc(ev["start"], "events", "start")
    ev["end"] = _utc(ev["end"], "events", "end")
    ev["all_day"] = ev["all_day"].fillna(False).astype(bool) if "all_day" in ev.columns else False
    ev["uplift"] = pd.to_numeric(ev["uplift"], errors="coerce").astype(float)
    for c in ("event_id", "name", "category"):
        ev[c] = ev[c].astype(str)
    bad = ev[ev["end"] <= ev["start"]]
    if len(bad):
        raise InputError(f"event {bad['event_id'].iloc[0]!r} ends before it starts: fix its start and end")
    negative = ev[ev["uplift"] < -1]
    if len(negative):
        row = negative.iloc[0]
        raise InputError(
            f"event {row['event_id']!r} states uplift {row['uplift']:g}, which would make volume negative: "
            "use a fraction >= -1 (1.5 = +150%, -0.3 = -30%)"
        )
    start_eff, end_eff = ev["start"].copy(), ev["end"].copy()
    for i in np.flatnonzero(ev["all_day"].to_numpy()):
        first = ev["start"].iloc[i].tz_convert(zone(tz)).date()
        last = (ev["end"].iloc[i] - pd.Timedelta(1, "ns")).tz_convert(zone(tz)).date()
        start_eff.iloc[i] = local_midnight(first, tz).tz_convert("UTC")
        end_eff.iloc[i] = local_midnight(last + dt.timedelta(days=1), tz).tz_convert("UTC")
    ev["start_eff"], ev["end_eff"] = start_eff.astype("datetime64[ns, UTC]"), end_eff.astype("datetime64[ns, UTC]")
    # local dates an event touches: used to keep event days out of the baseline
    ev["first_day"] = _local_dates(pd.DatetimeIndex(ev["start"]), tz)
    ev["last_day"] = _local_dates(pd.DatetimeIndex(ev["end"] - pd.Timedelta(1, "ns")), tz)
    return ev.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)[columns]


# -- small helpers -----------------------------------------------------------------


def _check_history_columns(history: pd.DataFrame, source: str) -> None:
    found = [str(c) for c in history.columns]
    missing = [c for c in ("ds", "queue", "y") if c not in found]
    if missing:
        raise InputError(f"missing columns {missing} in {source} (found columns {found})")


def _utc(values: pd.Series, source: str, column: str) -> pd.Series:
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        if len(values) == 0:
            return pd.Series(values, dtype="datetime64[ns, UTC]")
        raise InputError(f"{source}: column {column!r} must hold timezone-aware timestamps, got {values.dtype}")
    return values.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")


def _local_dates(stamps: pd.DatetimeIndex, tz: str) -> np.ndarray:
    return stamps.tz_convert(zone(tz)).tz_localize(None).to_numpy().astype("datetime64[D]")


def _weekday_of(dates: np.ndarray) -> np.ndarray:
    # 1970-01-01 was a Thursday (3 with Monday = 0)
    return ((dates.astype("datetime64[D]").astype(np.int64) + 3) % 7).astype(int)


def _weekday_and_slot(grid: pd.DatetimeIndex, tz: str) -> tuple[np.ndarray, np.ndarray]:
    local = grid.tz_convert(zone(tz))
    return local.day_of_week.to_numpy(dtype=int), (local.hour * 60 + local.minute).to_numpy(dtype=int)


def _guess_interval(ds: pd.DatetimeIndex) -> int:
    """The grid step of a loaded history: the gcd of the steps between its intervals, in minutes."""
    minutes = np.unique(ds.asi8 // _NS_PER_MINUTE)
    if len(minutes) < 2:
        return 60
    step = int(np.gcd.reduce(np.diff(minutes)))
    return step if step > 0 and (24 * 60) % step == 0 else 60


def _outage_mask(
    totals: np.ndarray, slots: np.ndarray, dates: np.ndarray, weekday: np.ndarray, excluded: np.ndarray
) -> np.ndarray:
    """Days below ``OUTAGE_SHARE`` of the same weekday nearby, or silent for hours that are normally busy.

    ``totals`` (D,) and ``slots`` (D, S) are volumes over all queues.
    """
    mask = np.zeros(len(dates), dtype=bool)
    day = dates.astype("datetime64[D]").astype(np.int64)
    index = np.arange(len(dates))
    for i in np.flatnonzero(~excluded):
        near = ~excluded & (weekday == weekday[i]) & (np.abs(day - day[i]) <= OUTAGE_WINDOW_DAYS) & (index != i)
        if near.sum() < MIN_NORMAL_OCCURRENCES:
            continue
        median = float(np.median(totals[near]))
        if median <= 0:
            continue
        if totals[i] < OUTAGE_SHARE * median:
            mask[i] = True
            continue
        typical = np.median(slots[near], axis=0)
        mask[i] = _longest_silence(slots[i], typical) >= max(PARTIAL_OUTAGE_CONTACTS, PARTIAL_OUTAGE_SHARE * median)
    return mask


def _longest_silence(actual: np.ndarray, typical: np.ndarray) -> float:
    """The largest typical volume of a run of consecutive slots without a single contact."""
    best = run = 0.0
    for value, expected in zip(actual, typical, strict=True):
        if value == 0:
            run += expected
            best = max(best, run)
        else:
            run = 0.0
    return best


__all__ = (
    "DEFAULT_SETTINGS",
    "EVENT_REQUIRED_COLUMNS",
    "FORECAST_COLUMNS",
    "ForecastResult",
    "ModelSettings",
    "UPLIFT_COLUMNS",
    "detect_outage_days",
    "forecast",
)
