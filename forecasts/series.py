"""The history as a (queue, date, wall-clock slot) cube, and the time helpers it is built with.

Slots are local wall-clock times, so DST days work: on a 25-hour day both
``02:30`` intervals fall in the ``02:30`` slot (the cube holds their mean); on a
23-hour day the skipped hour's slot does not exist (``exists`` is False).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calendars.errors import InputError
from forecasts.grid import interval_grid, local_dates, local_midnight, zone

NS_PER_MINUTE = 60 * 1_000_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
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
    ) -> Series:
        """The cube of ``history`` rows before local date ``before``, its dates extended to ``until``."""
        check_history_columns(history, source)
        ds = utc_column(history["ds"], source, "ds")
        y = pd.to_numeric(history["y"], errors="coerce").to_numpy(dtype=float)
        if np.isnan(y).any() or (y < 0).any() or np.isinf(y).any():
            pos = int(np.flatnonzero(np.isnan(y) | (y < 0) | np.isinf(y))[0])
            raise InputError(f"{source}: y must be a number >= 0, got {history['y'].iloc[pos]!r} at {ds.iloc[pos]}")
        queue = history["queue"].astype(str).to_numpy()
        if before is not None:
            keep = (ds < local_midnight(before, tz).tz_convert("UTC")).to_numpy()
            if not keep.any():
                first = local_dates(pd.DatetimeIndex(ds), tz).min() if len(ds) else None
                since = f" (the history starts on {first})" if first is not None else " (the history is empty)"
                raise InputError(
                    f"no history before {before} in {source}{since}: load history up to the forecast start"
                )
            ds, y, queue = pd.DatetimeIndex(ds[keep]), y[keep], queue[keep]
        elif len(ds) == 0:
            raise InputError(f"{source} is empty: no history to learn from")
        ds = pd.DatetimeIndex(ds)
        row_dates = local_dates(ds, tz)
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
        interval_date = (local_dates(grid, tz) - dates[0]).astype(int)
        present = np.zeros(len(dates), dtype=bool)
        present[(row_dates - dates[0]).astype(int)] = True
        _, wall = weekday_and_slot(grid, tz)
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
            weekday=weekday_of(dates),
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


def check_history_columns(history: pd.DataFrame, source: str) -> None:
    found = [str(c) for c in history.columns]
    missing = [c for c in ("ds", "queue", "y") if c not in found]
    if missing:
        raise InputError(f"missing columns {missing} in {source} (found columns {found})")


def utc_column(values: pd.Series, source: str, column: str) -> pd.Series:
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        if len(values) == 0:
            return pd.Series(values, dtype="datetime64[ns, UTC]")
        raise InputError(f"{source}: column {column!r} must hold timezone-aware timestamps, got {values.dtype}")
    return values.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")


def weekday_of(dates: np.ndarray) -> np.ndarray:
    # 1970-01-01 was a Thursday (3 with Monday = 0)
    return ((dates.astype("datetime64[D]").astype(np.int64) + 3) % 7).astype(int)


def weekday_and_slot(grid: pd.DatetimeIndex, tz: str) -> tuple[np.ndarray, np.ndarray]:
    local = grid.tz_convert(zone(tz))
    return local.day_of_week.to_numpy(dtype=int), (local.hour * 60 + local.minute).to_numpy(dtype=int)


def guess_interval(ds: pd.DatetimeIndex) -> int:
    """The grid step of a loaded history: the gcd of the steps between its intervals, in minutes."""
    minutes = np.unique(ds.asi8 // NS_PER_MINUTE)
    if len(minutes) < 2:
        return 60
    step = int(np.gcd.reduce(np.diff(minutes)))
    return step if step > 0 and (24 * 60) % step == 0 else 60
