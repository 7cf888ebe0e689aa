"""Load contact history into interval counts on the team's grid.

Two input shapes are accepted (``inputs.history_format`` in the config):

* ``tickets``: one row per ticket with a creation timestamp and a queue column
  (:func:`load_ticket_history`);
* ``intervals``: pre-aggregated ``ds,queue,y`` rows (:func:`load_interval_history`).

Both return the *interval counts* table of the README ("Data contracts"): columns
:data:`HISTORY_COLUMNS` (``ds`` UTC interval start, ``queue``, ``y`` float),
zero-filled on the interval grid of every local day from the first to the last
contact (whole days), sorted by ``queue, ds``.

Row numbers in error messages are 1-based lines of the file with the header on
line 1, so the first data row is row 2 (a quoted field spanning several lines
would shift them; exports do not contain such fields).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from calendars.errors import InputError
from forecasts.grid import interval_grid, local_midnight, zone

HISTORY_COLUMNS: tuple[str, ...] = ("ds", "queue", "y")
"""Columns of the interval-count table, in order."""

INTERVAL_FILE_COLUMNS: tuple[str, ...] = ("ds", "queue", "y")
"""Columns of an ``intervals`` history file; ``queue`` is optional."""

DEFAULT_QUEUE = "all"
"""Queue given to the rows of an ``intervals`` file without a ``queue`` column."""

_FIRST_DATA_LINE = 2  # header is line 1
_OFFSET_SUFFIX = r"(?:[zZ]|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)$"
_SHOWN_QUEUES = 20


def load_ticket_history(
    path: str | os.PathLike[str],
    *,
    tz: str,
    interval_minutes: int,
    timestamp_column: str = "created_at",
    queue_column: str = "channel",
    queues: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Count tickets per interval and queue from a ticket-level CSV export.

    Args:
        path: CSV file with one row per ticket; other columns are ignored.
        tz: the team's IANA timezone; days and intervals are cut in it.
        interval_minutes: interval length (must divide a day).
        timestamp_column: column holding the creation time, ISO 8601 with a
            UTC offset or ``Z``.
        queue_column: column naming the ticket's queue.
        queues: the known queues (config channels). When given, a ticket in
            another queue is an error and every listed queue appears in the
            result, zero-filled if it had no tickets. When ``None`` the queues
            found in the file are used.

    Returns:
        Interval counts with :data:`HISTORY_COLUMNS`, zero-filled over the local
        days from the first to the last ticket, sorted by ``queue, ds``.

    Raises:
        InputError: unreadable file, missing columns, empty file, a timestamp
            without offset or unparsable, an empty or unknown queue. Messages
            name the file and the first offending row.
    """
    name = _display_name(path)
    zone(tz)
    frame = _read_columns(path, name, required=(timestamp_column, queue_column))
    if frame.empty:
        raise InputError(f"{name} has no tickets: the history needs at least one row")
    stamps = _parse_timestamps(frame[timestamp_column], name, timestamp_column)
    queue = _check_queues(frame[queue_column], name, queue_column, queues)
    ds = _bin_to_grid(stamps, tz, interval_minutes)
    counts = pd.DataFrame({"queue": queue.to_numpy(), "ds": ds}).groupby(["queue", "ds"], sort=True).size()
    return _zero_filled(counts.astype(float), stamps, tz, interval_minutes, queue, queues)


def load_interval_history(
    path: str | os.PathLike[str],
    *,
    tz: str,
    interval_minutes: int,
    queues: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Load pre-aggregated ``ds,queue,y`` history and re-bin it onto the grid.

    ``ds`` is the interval start with a UTC offset; ``queue`` is optional (all
    rows then belong to queue :data:`DEFAULT_QUEUE`). Rows falling into the same
    grid interval are summed, so a 15-minute file loads onto a 30-minute grid;
    the file's intervals must not be longer than ``interval_minutes`` (a longer
    interval is counted whole in the grid interval where it starts).

    Returns:
        Interval counts with :data:`HISTORY_COLUMNS`, zero-filled over the local
        days from the first to the last row, sorted by ``queue, ds``.

    Raises:
        InputError: missing columns, a naive or unparsable ``ds``, a missing,
            non-numeric or negative ``y``, an unknown queue, or the same
            ``(ds, queue)`` twice. Messages name the file and row.
    """
    name = _display_name(path)
    zone(tz)
    frame = _read_columns(path, name, required=("ds", "y"), optional=("queue",))
    if frame.empty:
        raise InputError(f"{name} has no rows: the history needs at least one interval")
    stamps = _parse_timestamps(frame["ds"], name, "ds")
    if "queue" in frame.columns:
        queue = _check_queues(frame["queue"], name, "queue", queues)
    else:
        queue = pd.Series(DEFAULT_QUEUE, index=frame.index, dtype=str)
        if queues is not None and DEFAULT_QUEUE not in queues:
            raise InputError(
                f"{name} has no 'queue' column, so its rows belong to queue {DEFAULT_QUEUE!r}, "
                f"which is not a known queue ({_list_queues(queues)}): add a 'queue' column"
            )
    y = _parse_counts(frame["y"], name)
    dup = pd.DataFrame({"ds": stamps, "queue": queue}).duplicated(keep="first").to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        first = pd.DataFrame({"ds": stamps, "queue": queue}).iloc[:pos]
        earlier = int(np.flatnonzero((first["ds"] == stamps.iloc[pos]) & (first["queue"] == queue.iloc[pos]))[0])
        raise InputError(
            f"{name} row {pos + _FIRST_DATA_LINE}: interval {frame['ds'].iloc[pos].strip()!r} of queue "
            f"{queue.iloc[pos]!r} repeats row {earlier + _FIRST_DATA_LINE}: keep one row per ds and queue"
        )
    ds = _bin_to_grid(stamps, tz, interval_minutes)
    sums = pd.DataFrame({"queue": queue.to_numpy(), "ds": ds, "y": y.to_numpy()}).groupby(["queue", "ds"])["y"].sum()
    return _zero_filled(sums.astype(float), stamps, tz, interval_minutes, queue, queues)


# -- helpers -------------------------------------------------------------------


def _display_name(path: str | os.PathLike[str]) -> str:
    # The path as given, like every other peakplan message: two teams' tickets.csv must be told apart.
    return os.fspath(path)


def _read_columns(
    path: str | os.PathLike[str],
    name: str,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> pd.DataFrame:
    """Read only the needed columns as strings; list every missing column at once."""
    try:
        header = pd.read_csv(path, nrows=0)
    except FileNotFoundError:
        raise InputError(f"history file {os.fspath(path)!r} not found") from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{name} is empty: expected a CSV header with columns {list(required)}") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read {name} as CSV: {exc}") from None
    found = [str(c) for c in header.columns]
    missing = [c for c in required if c not in found]
    if missing:
        raise InputError(f"{name}: missing column(s) {missing}; found {found}")
    wanted = [c for c in (*required, *optional) if c in found]
    try:
        return pd.read_csv(path, usecols=wanted, dtype=str, keep_default_na=False, na_filter=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read {name} as CSV: {exc}") from None


def _parse_timestamps(raw: pd.Series, name: str, column: str) -> pd.Series:
    """Parse ISO 8601 strings with offsets to UTC; naive or bad values name their row."""
    text = raw.str.strip()
    has_offset = text.str.contains(_OFFSET_SUFFIX, regex=True) & text.str.contains(r"\d[T ]\d", regex=True)
    stamps = pd.to_datetime(text.where(has_offset), format="ISO8601", utc=True, errors="coerce")
    bad = stamps.isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        value = raw.iloc[pos]
        row = pos + _FIRST_DATA_LINE
        if not value.strip():
            reason = f"column {column!r} is empty"
        elif not has_offset.iloc[pos] and _parses(value.strip()):
            reason = f"{column} {value!r} has no UTC offset (write e.g. '2026-11-27T09:30:00+03:00' or a 'Z' suffix)"
        else:
            reason = f"{column} {value!r} is not an ISO 8601 timestamp with offset (e.g. '2026-11-27T09:30:00+03:00')"
        more = int(bad.sum()) - 1
        suffix = f" ({more} more bad rows)" if more else ""
        raise InputError(f"{name} row {row}: {reason}{suffix}")
    return stamps.astype("datetime64[ns, UTC]")


def _parses(value: str) -> bool:
    try:
        pd.Timestamp(value)
    except (ValueError, TypeError):
        return False
    return True


def _check_queues(raw: pd.Series, name: str, column: str, queues: Sequence[str] | None) -> pd.Series:
    queue = raw.str.strip()
    empty = (queue == "").to_numpy()
    if empty.any():
        pos = int(np.flatnonzero(empty)[0])
        raise InputError(f"{name} row {pos + _FIRST_DATA_LINE}: column {column!r} is empty: every row needs a queue")
    if queues is not None:
        unknown = (~queue.isin(list(queues))).to_numpy()
        if unknown.any():
            pos = int(np.flatnonzero(unknown)[0])
            raise InputError(
                f"{name} row {pos + _FIRST_DATA_LINE}: unknown queue {queue.iloc[pos]!r} in column {column!r} "
                f"(known queues: {_list_queues(queues)}): add it to the config's channels or fix the row"
            )
    return queue


def _list_queues(queues: Sequence[str]) -> str:
    shown = sorted(queues)
    text = ", ".join(shown[:_SHOWN_QUEUES])
    return text + (f", ... ({len(shown)} in all)" if len(shown) > _SHOWN_QUEUES else "") if shown else "none"


def _parse_counts(raw: pd.Series, name: str) -> pd.Series:
    y = pd.to_numeric(raw.str.strip(), errors="coerce")
    bad = (y.isna() | ~np.isfinite(y)).to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name} row {pos + _FIRST_DATA_LINE}: y {raw.iloc[pos]!r} is not a number")
    negative = (y < 0).to_numpy()
    if negative.any():
        pos = int(np.flatnonzero(negative)[0])
        raise InputError(f"{name} row {pos + _FIRST_DATA_LINE}: y {raw.iloc[pos]!r} is negative: counts must be >= 0")
    return y.astype(float)


def _local_dates(stamps: pd.Series | pd.DatetimeIndex, tz: str) -> np.ndarray:
    """Local calendar date of each UTC instant, as ``datetime64[D]``."""
    local = pd.DatetimeIndex(stamps).tz_convert(zone(tz)).tz_localize(None)
    return local.to_numpy().astype("datetime64[D]")


def _bin_to_grid(stamps: pd.Series, tz: str, interval_minutes: int) -> pd.DatetimeIndex:
    """Start (UTC) of the grid interval holding each instant.

    Intervals are counted in absolute time from the local midnight of the
    instant's local date, exactly as :func:`forecasts.grid.interval_grid` cuts
    them (so zones with a half-hour offset bin correctly too).
    """
    interval_grid(dt.date(2000, 1, 1), 1, "UTC", interval_minutes)  # validates the length
    days = _local_dates(stamps, tz)
    unique_days = np.unique(days)
    midnights = np.array(
        [local_midnight(d.astype(object), tz).tz_convert("UTC").as_unit("ns").value for d in unique_days],
        dtype=np.int64,
    )
    midnight = midnights[np.searchsorted(unique_days, days)]
    step = np.int64(interval_minutes) * 60 * 1_000_000_000
    ns = pd.DatetimeIndex(stamps).as_unit("ns").asi8
    start = midnight + (ns - midnight) // step * step
    return pd.DatetimeIndex(start.view("datetime64[ns]")).tz_localize("UTC")


def _zero_filled(
    values: pd.Series,
    stamps: pd.Series,
    tz: str,
    interval_minutes: int,
    queue: pd.Series,
    queues: Sequence[str] | None,
) -> pd.DataFrame:
    days = _local_dates(stamps, tz)
    first, last = days.min().astype(object), days.max().astype(object)
    grid = interval_grid(first, (last - first).days + 1, tz, interval_minutes).as_unit("ns")
    names = sorted(set(queues)) if queues is not None else sorted(queue.unique().tolist())
    full = pd.MultiIndex.from_product([names, grid], names=["queue", "ds"])
    y = values.reindex(full, fill_value=0.0)
    out = y.rename("y").reset_index()
    out["queue"] = out["queue"].astype(str)
    out["y"] = out["y"].astype(float)
    return out.loc[:, list(HISTORY_COLUMNS)].reset_index(drop=True)
