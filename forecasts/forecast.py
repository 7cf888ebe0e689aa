"""Demand forecast: a seasonal baseline times an event uplift.

The model is the one support leads already trust and can reproduce by hand
(see the forecasting notes in ``NOTES.md``: the 8-week same-weekday average beat
MSTL and Prophet on real call-centre data except on holidays):

* **Baseline.** For each queue, local weekday and local wall-clock slot
  (``09:30``), the mean volume of that slot over the last ``baseline_weeks``
  *normal* days of the same weekday before ``start``. A day is normal when no
  event or holiday touches it and it is not an outage (:func:`detect_outage_days`).
  Slots are matched by wall-clock time, so DST days work: on a 25-hour day both
  ``02:30`` intervals get the ``02:30`` value, on a 23-hour day the skipped hour
  simply has no intervals. A history day contributes to a slot the mean of its
  intervals with that wall-clock time. There is no level/trend factor in this
  walking-skeleton version: the baseline is the plain mean.
* **Uplift.** Each event in the window multiplies the baseline of the intervals
  it overlaps (all-day events: every interval of their local dates). The
  multiplier is ``1 + uplift`` when the event states an uplift; otherwise it is
  learned per ``(category, queue)`` from the past events of that category lying
  wholly inside the history: for each past occurrence, ratio = actual volume in
  the intervals it overlaps / the baseline of those intervals computed as of the
  occurrence's first local day (from the normal days before it, exactly as for
  the forecast). The multiplier is the mean ratio, capped to ``[0.1, 10]``. A
  category with neither gets 1.0 and a warning (and does not cancel another
  event's multiplier where they overlap). Public holidays are events of
  category ``holiday`` and are learned the same way. Where events overlap, the
  **largest** multiplier applies (a sale on a holiday is planned as the sale).

Only history strictly before ``start`` is used, so a backtest on a longer
history is honest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calendars.errors import InputError
from forecasts.grid import interval_grid, local_midnight, zone

FORECAST_COLUMNS: tuple[str, ...] = ("ds", "queue", "yhat", "baseline", "uplift", "events")
"""Columns of the forecast table (README, "Data contracts"), in order."""

UPLIFT_COLUMNS: tuple[str, ...] = ("event_id", "name", "category", "queue", "multiplier", "source", "occurrences")
"""Columns of :attr:`ForecastResult.uplifts`: one row per event in the window and queue."""

EVENT_REQUIRED_COLUMNS: tuple[str, ...] = ("event_id", "name", "category", "start", "end", "uplift")
"""Columns of the events table the forecast reads (``all_day`` is optional)."""

MIN_NORMAL_OCCURRENCES = 2
OUTAGE_SHARE = 0.2
OUTAGE_WINDOW_DAYS = 28  # "surrounding 8 weeks": 4 weeks either side
UPLIFT_BOUNDS = (0.1, 10.0)
STALE_HISTORY_DAYS = 7

SOURCE_LEARNED = "learned"
SOURCE_STATED = "stated"
SOURCE_NONE = "none"

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NS_PER_MINUTE = 60 * 1_000_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class ForecastResult:
    """What :func:`forecast` returns.

    Attributes:
        frame: the forecast table, columns :data:`FORECAST_COLUMNS`, sorted by ``queue, ds``.
        uplifts: how each event in the window was priced, columns :data:`UPLIFT_COLUMNS`,
            sorted by event ``start, event_id`` then ``queue``; ``source`` is
            ``learned``, ``stated`` or ``none``; ``occurrences`` counts the past
            events of the category the learned multiplier averages.
        warnings: human-readable warnings for the caller to show, in a fixed order.
        outage_days: local dates left out of the baseline as outages.
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
    series = _Series.build(history, start=start, tz=tz, interval_minutes=interval_minutes, source=source)
    ev = _validate_events(events, tz)
    warnings: list[str] = []

    covered = _covered_dates(ev, series.dates)
    outage = _outage_mask(series.daily_totals(), series.dates, series.weekday, covered | ~series.present)
    normal = series.present & ~covered & ~outage
    outage_days = tuple(d.astype(object) for d in series.dates[outage])

    cutoff = len(series.dates)  # every history date is before start
    profile, used = _profiles(series, normal, cutoff, baseline_weeks)
    short = [w for w in range(7) if used[w] < MIN_NORMAL_OCCURRENCES]
    if short:
        detail = ", ".join(f"{used[w]} normal {_WEEKDAYS[w]}" for w in short)
        raise InputError(
            f"need at least {MIN_NORMAL_OCCURRENCES} normal weeks before {start} in {source}: only {detail} "
            f"(history {series.dates[0]}..{series.dates[-1]}; {int((covered & series.present).sum())} event days and "
            f"{int(outage.sum())} outage days do not count): load a longer history"
        )
    thin = [w for w in range(7) if used[w] < baseline_weeks]
    if thin:
        detail = ", ".join(f"{_WEEKDAYS[w]} {used[w]}" for w in thin)
        warnings.append(f"baseline uses fewer than {baseline_weeks} normal weeks for some weekdays ({detail})")

    last_day = series.dates[-1].astype(object)
    gap = (start - last_day).days - 1
    if gap > STALE_HISTORY_DAYS:
        warnings.append(
            f"history in {source} ends on {last_day}, {gap} days before the forecast start {start}: "
            "the baseline reflects the volume of back then"
        )
    if outage_days:
        shown = ", ".join(str(d) for d in outage_days[:10]) + (", ..." if len(outage_days) > 10 else "")
        warnings.append(
            f"{len(outage_days)} outage day(s) in {source} left out of the baseline "
            f"(volume below {OUTAGE_SHARE:.0%} of the same weekday around them): {shown}"
        )

    learned = _learn_uplifts(series, ev, normal, baseline_weeks)

    grid = interval_grid(start, days, tz, interval_minutes).as_unit("ns")
    weekday, slot = _weekday_and_slot(grid, tz)
    slot_idx = np.searchsorted(series.slots, slot).clip(0, len(series.slots) - 1)
    known_slot = series.slots[slot_idx] == slot
    baseline = np.where(known_slot, profile[weekday, :, slot_idx].T, 0.0)  # (Q, N)
    baseline = np.nan_to_num(baseline, nan=0.0)

    window = ev[(ev["start_eff"] < grid[-1] + pd.Timedelta(minutes=interval_minutes)) & (ev["end_eff"] > grid[0])]
    multiplier = np.full_like(baseline, np.nan)  # NaN = no event; fmax keeps the largest of overlapping events
    names = [[] for _ in range(len(grid))]
    uplift_rows: list[dict[str, object]] = []
    missing: dict[str, list[str]] = {}
    for row in window.itertuples(index=False):
        active = _active(grid, interval_minutes, row.start_eff, row.end_eff)
        for i in np.flatnonzero(active):
            names[i].append(row.name)
        for q, queue in enumerate(series.queues):
            value, src, count = _event_multiplier(row, queue, learned)
            if src == SOURCE_NONE:
                # an event of unknown effect must not cancel a known one (a holiday under it)
                missing.setdefault(row.category, [])
                if queue not in missing[row.category]:
                    missing[row.category].append(queue)
            else:
                multiplier[q, active] = np.fmax(multiplier[q, active], value)
            uplift_rows.append(
                {
                    "event_id": row.event_id,
                    "name": row.name,
                    "category": row.category,
                    "queue": queue,
                    "multiplier": float(value),
                    "source": src,
                    "occurrences": int(count),
                }
            )
    for category, queues in missing.items():
        warnings.append(
            f"no past {category!r} event in {source} and no stated uplift: forecast without uplift (x1.0) "
            f"for queues {', '.join(queues)}; state an uplift for the event or load history covering a past one"
        )

    multiplier = np.nan_to_num(multiplier, nan=1.0)
    event_text = np.array([";".join(n) for n in names], dtype=object)
    frames = []
    for q, queue in enumerate(series.queues):
        base = baseline[q].astype(float)
        mult = multiplier[q].astype(float)
        frames.append(
            pd.DataFrame(
                {
                    "ds": grid,
                    "queue": queue,
                    "yhat": base * mult,
                    "baseline": base,
                    "uplift": mult,
                    "events": event_text,
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True).loc[:, list(FORECAST_COLUMNS)]
    frame["queue"] = frame["queue"].astype(str)
    frame["events"] = frame["events"].astype(str)
    uplifts = pd.DataFrame(uplift_rows, columns=list(UPLIFT_COLUMNS))
    uplifts["multiplier"] = uplifts["multiplier"].astype(float)
    uplifts["occurrences"] = uplifts["occurrences"].astype(int)
    return ForecastResult(frame=frame, uplifts=uplifts, warnings=tuple(warnings), outage_days=outage_days)


def detect_outage_days(
    history: pd.DataFrame,
    tz: str,
    *,
    events: pd.DataFrame | None = None,
) -> tuple[dt.date, ...]:
    """Local dates whose total volume (all queues) looks like an outage.

    A day is an outage when its total is below 20% of the median total of the
    same weekday within 4 weeks either side (at least 2 such days needed). Days
    touched by an event are neither judged nor used as references: a closed
    holiday is an event, not an outage.
    """
    zone(tz)
    _check_history_columns(history, "history")
    ds = _utc(history["ds"], "history", "ds")
    dates = _local_dates(pd.DatetimeIndex(ds), tz)
    totals = pd.Series(history["y"].to_numpy(dtype=float)).groupby(dates).sum()
    day_index = totals.index.to_numpy().astype("datetime64[D]")
    ev = _validate_events(events, tz)
    covered = _covered_dates(ev, day_index)
    weekday = _weekday_of(day_index)
    mask = _outage_mask(totals.to_numpy(dtype=float), day_index, weekday, covered)
    return tuple(d.astype(object) for d in day_index[mask])


# -- the history as a (queue, date, slot) cube -------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Series:
    queues: tuple[str, ...]
    grid: pd.DatetimeIndex  # history intervals, UTC
    interval_minutes: int
    y: np.ndarray  # (Q, N) volume per interval
    dates: np.ndarray  # (D,) datetime64[D], every local date of the grid
    weekday: np.ndarray  # (D,) 0 = Monday
    present: np.ndarray  # (D,) the input had rows on that date
    interval_date: np.ndarray  # (N,) index into dates
    interval_slot: np.ndarray  # (N,) index into slots
    slots: np.ndarray  # (S,) wall-clock minutes after local midnight
    cube: np.ndarray  # (Q, D, S) mean volume per slot and date, NaN where the slot does not exist

    @classmethod
    def build(cls, history: pd.DataFrame, *, start: dt.date, tz: str, interval_minutes: int, source: str) -> _Series:
        _check_history_columns(history, source)
        ds = _utc(history["ds"], source, "ds")
        y = pd.to_numeric(history["y"], errors="coerce").to_numpy(dtype=float)
        if np.isnan(y).any() or (y < 0).any():
            pos = int(np.flatnonzero(np.isnan(y) | (y < 0))[0])
            raise InputError(f"{source}: y must be a number >= 0, got {history['y'].iloc[pos]!r} at {ds.iloc[pos]}")
        queue = history["queue"].astype(str).to_numpy()
        begin = local_midnight(start, tz).tz_convert("UTC")
        keep = (ds < begin).to_numpy()
        if not keep.any():
            first = _local_dates(pd.DatetimeIndex(ds), tz).min() if len(ds) else None
            since = f" (the history starts on {first})" if first is not None else " (the history is empty)"
            raise InputError(f"no history before {start} in {source}{since}: load history up to the forecast start")
        ds, y, queue = pd.DatetimeIndex(ds[keep]), y[keep], queue[keep]
        row_dates = _local_dates(ds, tz)
        first, last = row_dates.min().astype(object), row_dates.max().astype(object)
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
        sums = np.zeros((len(queues), len(dates), len(slots)))
        counts = np.zeros((len(dates), len(slots)))
        np.add.at(counts, (interval_date, interval_slot), 1.0)
        for q in range(len(queues)):
            np.add.at(sums[q], (interval_date, interval_slot), values[q])
        with np.errstate(invalid="ignore", divide="ignore"):
            cube = np.where(counts > 0, sums / counts, np.nan)
        return cls(
            queues=queues,
            grid=grid,
            interval_minutes=interval_minutes,
            y=values,
            dates=dates,
            weekday=_weekday_of(dates),
            present=present,
            interval_date=interval_date,
            interval_slot=interval_slot,
            slots=slots,
            cube=cube,
        )

    def daily_totals(self) -> np.ndarray:
        return np.bincount(self.interval_date, weights=self.y.sum(axis=0), minlength=len(self.dates))


def _profiles(series: _Series, normal: np.ndarray, cutoff: int, weeks: int) -> tuple[np.ndarray, list[int]]:
    """Per weekday, the mean slot profile of the last ``weeks`` normal days before date index ``cutoff``.

    Returns the (7, Q, S) profile (NaN where no day had data) and, per weekday,
    how many days it averages.
    """
    q, _, s = series.cube.shape
    profile = np.full((7, q, s), np.nan)
    used: list[int] = []
    candidates = normal[:cutoff]
    for w in range(7):
        idx = np.flatnonzero(candidates & (series.weekday[:cutoff] == w))[-weeks:]
        used.append(len(idx))
        if len(idx) == 0:
            continue
        block = series.cube[:, idx, :]
        n = (~np.isnan(block)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            profile[w] = np.where(n > 0, np.nansum(block, axis=1) / n, np.nan)
    return profile, used


def _learn_uplifts(
    series: _Series, ev: pd.DataFrame, normal: np.ndarray, weeks: int
) -> dict[tuple[str, str], tuple[float, int]]:
    """``(category, queue) -> (multiplier, occurrences)`` from past events wholly inside the history."""
    step = pd.Timedelta(minutes=series.interval_minutes)
    begin, end = series.grid[0], series.grid[-1] + step
    past = ev[(ev["start_eff"] >= begin) & (ev["end_eff"] <= end)]
    ratios: dict[tuple[str, str], list[float]] = {}
    for row in past.itertuples(index=False):
        active = _active(series.grid, series.interval_minutes, row.start_eff, row.end_eff)
        if not active.any():
            continue
        cutoff = int(series.interval_date[np.flatnonzero(active)[0]])
        profile, used = _profiles(series, normal, cutoff, weeks)
        day = series.interval_date[active]
        if any(used[w] < MIN_NORMAL_OCCURRENCES for w in np.unique(series.weekday[day])):
            continue
        expected = np.nan_to_num(profile[series.weekday[day], :, series.interval_slot[active]].T, nan=0.0).sum(axis=1)
        actual = series.y[:, active].sum(axis=1)
        for q, queue in enumerate(series.queues):
            if expected[q] > 0:
                ratios.setdefault((row.category, queue), []).append(actual[q] / expected[q])
    low, high = UPLIFT_BOUNDS
    return {key: (float(np.clip(np.mean(r), low, high)), len(r)) for key, r in sorted(ratios.items())}


def _event_multiplier(
    row: object, queue: str, learned: dict[tuple[str, str], tuple[float, int]]
) -> tuple[float, str, int]:
    value, count = learned.get((row.category, queue), (1.0, 0))  # type: ignore[attr-defined]
    if not np.isnan(row.uplift):  # type: ignore[attr-defined]
        return 1.0 + float(row.uplift), SOURCE_STATED, count  # type: ignore[attr-defined]
    if count:
        return value, SOURCE_LEARNED, count
    return 1.0, SOURCE_NONE, 0


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
    ev["start_eff"], ev["end_eff"] = start_eff, end_eff
    # local dates an event touches: used to keep event days out of the baseline
    ev["first_day"] = _local_dates(pd.DatetimeIndex(ev["start"]), tz)
    ev["last_day"] = _local_dates(pd.DatetimeIndex(ev["end"] - pd.Timedelta(1, "ns")), tz)
    return ev.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)[columns]


def _covered_dates(ev: pd.DataFrame, dates: np.ndarray) -> np.ndarray:
    """Mask of ``dates`` (local) that any event overlaps."""
    covered = np.zeros(len(dates), dtype=bool)
    for first, last in zip(ev["first_day"].to_numpy(), ev["last_day"].to_numpy(), strict=True):
        covered |= (dates >= first) & (dates <= last)
    return covered


def _active(grid: pd.DatetimeIndex, interval_minutes: int, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Intervals of ``grid`` overlapping ``[start, end)``."""
    ns = grid.asi8
    step = interval_minutes * _NS_PER_MINUTE
    return (ns < end.as_unit("ns").value) & (ns + step > start.as_unit("ns").value)


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


def _outage_mask(totals: np.ndarray, dates: np.ndarray, weekday: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """Days whose total is below ``OUTAGE_SHARE`` of the median of the same weekday nearby."""
    mask = np.zeros(len(dates), dtype=bool)
    day = dates.astype("datetime64[D]").astype(np.int64)
    for i in np.flatnonzero(~excluded):
        near = (
            ~excluded
            & (weekday == weekday[i])
            & (np.abs(day - day[i]) <= OUTAGE_WINDOW_DAYS)
            & (np.arange(len(dates)) != i)
        )
        if near.sum() < MIN_NORMAL_OCCURRENCES:
            continue
        median = float(np.median(totals[near]))
        mask[i] = median > 0 and totals[i] < OUTAGE_SHARE * median
    return mask


__all__ = (
    "EVENT_REQUIRED_COLUMNS",
    "FORECAST_COLUMNS",
    "ForecastResult",
    "UPLIFT_COLUMNS",
    "detect_outage_days",
    "forecast",
)
