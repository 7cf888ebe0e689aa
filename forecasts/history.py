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

**Timestamps without an offset.** By default every timestamp needs a UTC offset.
With ``local_naive=True`` (the standalone ``peakplan forecast --history``, and
helpdesk exports, see :mod:`forecasts.exports`) timestamps without one are
wall-clock times in ``tz``. DST is resolved without guessing silently:

* a wall-clock time the spring change skips (``1999-04-02T02:00`` in
  Asia/Jerusalem) does not exist; its contacts are counted in the first
  interval after the gap, with a warning;
* a wall-clock time the autumn change repeats (``1999-09-03T01:00``) is the
  first (summer-time) hour the first time it occurs in a queue and the second
  hour the second time, so an interval file listing the hour twice loads both;
  listed once, it is the first hour and the warning says so.

The ``read_*`` functions return the table and these warnings
(:class:`LoadedHistory`); the ``load_*`` functions return the table only.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calendars.errors import InputError
from forecasts.exports import export_preset, normalize_queue_names
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
_SHOWN_WARNINGS = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadedHistory:
    """Interval counts (:data:`HISTORY_COLUMNS`) and what the loader had to tell about them."""

    frame: pd.DataFrame
    warnings: tuple[str, ...] = ()


def load_ticket_history(
    path: str | os.PathLike[str],
    *,
    tz: str,
    interval_minutes: int,
    timestamp_column: str | None = None,
    queue_column: str | None = None,
    queues: Sequence[str] | None = None,
    export: str | None = None,
    queue_map: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Count tickets per interval and queue from a ticket-level CSV export.

    The table of :func:`read_ticket_history`, without the warnings.
    """
    return read_ticket_history(
        path,
        tz=tz,
        interval_minutes=interval_minutes,
        timestamp_column=timestamp_column,
        queue_column=queue_column,
        queues=queues,
        export=export,
        queue_map=queue_map,
    ).frame


def read_ticket_history(
    path: str | os.PathLike[str],
    *,
    tz: str,
    interval_minutes: int,
    timestamp_column: str | None = None,
    queue_column: str | None = None,
    queues: Sequence[str] | None = None,
    export: str | None = None,
    queue_map: Mapping[str, str] | None = None,
) -> LoadedHistory:
    """Count tickets per interval and queue from a ticket-level CSV export.

    Args:
        path: CSV file with one row per ticket; other columns are ignored; rows
            may come in any order.
        tz: the team's IANA timezone; days and intervals are cut in it.
        interval_minutes: interval length (must divide a day).
        timestamp_column: column holding the creation time, ISO 8601 with a
            UTC offset or ``Z`` (default ``created_at``, or the export preset's).
        queue_column: column naming the ticket's queue (default ``channel``,
            or the export preset's).
        queues: the known queues (config channels). When given, a ticket in
            another queue is an error and every listed queue appears in the
            result, zero-filled if it had no tickets. When ``None`` the queues
            found in the file are used.
        export: a helpdesk preset (``zendesk``, ``freshdesk``, ``helpscout``;
            see :mod:`forecasts.exports`): its columns become the defaults,
            timestamps without offset are read in ``tz`` and queue names are
            normalised.
        queue_map: renames of (normalised) queue values, applied with ``export``.

    Returns:
        Interval counts with :data:`HISTORY_COLUMNS`, zero-filled over the local
        days from the first to the last ticket, sorted by ``queue, ds``, and
        DST warnings.

    Raises:
        InputError: unreadable file, missing columns, empty file, a timestamp
            without offset (unless an export preset allows it) or unparsable,
            an empty or unknown queue, an unknown export preset. Messages name
            the file and the first offending row.
    """
    name = _display_name(path)
    zone(tz)
    preset = export_preset(export) if export else None
    ts_col = timestamp_column or (preset.timestamp_column if preset else "created_at")
    q_col = queue_column or (preset.queue_column if preset else "channel")
    frame = _read_columns(path, name, required=(ts_col, q_col))
    if frame.empty:
        raise InputError(f"{name} has no tickets: the history needs at least one row")
    stamps, warnings, _ = _parse_timestamps(frame[ts_col], name, ts_col, tz=tz if preset else None)
    raw_queue = normalize_queue_names(frame[q_col], queue_map) if preset else frame[q_col]
    queue = _check_queues(raw_queue, name, q_col, queues)
    ds = _bin_to_grid(stamps, tz, interval_minutes)
    counts = pd.DataFrame({"queue": queue.to_numpy(), "ds": ds}).groupby(["queue", "ds"], sort=True).size()
    table = _zero_filled(counts.astype(float), stamps, tz, interval_minutes, queue, queues)
    return LoadedHistory(frame=table, warnings=tuple(warnings))


def load_interval_history(
    path: str | os.PathLike[str],
    *,
    tz: str,
    interval_minutes: int,
    queues: Sequence[str] | None = None,
    local_naive: bool = False,
) -> pd.DataFrame:
    """Load pre-aggregated ``ds[,queue],y`` history: the table of :func:`read_interval_history`."""
    return read_interval_history(
        path, tz=tz, interval_minutes=interval_minutes, queues=queues, local_naive=local_naive
    ).frame


def read_interval_history(
    path: str | os.PathLike[str],
    *,
    tz: str,
    interval_minutes: int,
    queues: Sequence[str] | None = None,
    local_naive: bool = False,
) -> LoadedHistory:
    """Load pre-aggregated ``ds,queue,y`` history and re-bin it onto the grid.

    ``ds`` is the interval start with a UTC offset (or, with ``local_naive``,
    wall-clock time in ``tz``); ``queue`` is optional (all rows then belong to
    queue :data:`DEFAULT_QUEUE`). Rows of one queue must be in time order, each
    interval once. Rows falling into the same grid interval are summed, so a
    15-minute file loads onto a 30-minute grid; the file's intervals must not
    be longer than ``interval_minutes`` (a longer interval is counted whole in
    the grid interval where it starts).

    Returns:
        Interval counts with :data:`HISTORY_COLUMNS`, zero-filled over the local
        days from the first to the last row, sorted by ``queue, ds``, and DST
        warnings.

    Raises:
        InputError: missing columns, a naive (unless ``local_naive``) or
            unparsable ``ds``, a missing, non-numeric or negative ``y``, an
            unknown queue, rows out of time order, or the same ``(ds, queue)``
            twice. Messages name the file and row.
    """
    name = _display_name(path)
    zone(tz)
    frame = _read_columns(path, name, required=("ds", "y"), optional=("queue",))
    if frame.empty:
        raise InputError(f"{name} has no rows: the history needs at least one interval")
    if "queue" in frame.columns:
        queue = _check_queues(frame["queue"], name, "queue", queues)
    else:
        queue = pd.Series(DEFAULT_QUEUE, index=frame.index, dtype=str)
        if queues is not None and DEFAULT_QUEUE not in queues:
            raise InputError(
                f"{name} has no 'queue' column, so its rows belong to queue {DEFAULT_QUEUE!r}, "
                f"which is not a known queue ({_list_queues(queues)}): add a 'queue' column"
            )
    stamps, warnings, skipped = _parse_timestamps(
        frame["ds"], name, "ds", tz=tz if local_naive else None, order_by=queue
    )
    y = _parse_counts(frame["y"], name)
    _check_order(stamps, queue, frame["ds"], name, skipped)
    ds = _bin_to_grid(stamps, tz, interval_minutes)
    sums = pd.DataFrame({"queue": queue.to_numpy(), "ds": ds, "y": y.to_numpy()}).groupby(["queue", "ds"])["y"].sum()
    table = _zero_filled(sums.astype(float), stamps, tz, interval_minutes, queue, queues)
    return LoadedHistory(frame=table, warnings=tuple(warnings))


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


def _parse_timestamps(
    raw: pd.Series,
    name: str,
    column: str,
    *,
    tz: str | None = None,
    order_by: pd.Series | None = None,
) -> tuple[pd.Series, list[str], np.ndarray]:
    """Parse ISO 8601 strings to UTC; bad values name their row.

    With ``tz`` a value without offset is wall-clock time in ``tz`` (see the
    module docstring for the DST rules); ``order_by`` (the queue of each row)
    makes the second occurrence of a repeated wall-clock hour within a queue
    the later hour. Returns the UTC instants, the DST warnings and the mask of
    rows whose wall-clock time the DST gap skips (moved past the gap).
    """
    text = raw.str.strip()
    has_offset = text.str.contains(_OFFSET_SUFFIX, regex=True) & text.str.contains(r"\d[T ]\d", regex=True)
    stamps = pd.to_datetime(text.where(has_offset), format="ISO8601", utc=True, errors="coerce")
    warnings: list[str] = []
    skipped = np.zeros(len(text), dtype=bool)
    if tz is not None and not has_offset.all():
        naive_text = text.where(~has_offset & text.str.contains(r"\d[T ]\d", regex=True))
        naive = pd.to_datetime(naive_text, format="ISO8601", errors="coerce")
        if isinstance(naive.dtype, pd.DatetimeTZDtype):  # mixed offsets parse as aware: not naive after all
            naive = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        local, warnings, skipped = _localize(naive, tz, name, column, raw, order_by)
        stamps = stamps.where(has_offset, local)
    bad = stamps.isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        value = raw.iloc[pos]
        row = pos + _FIRST_DATA_LINE
        if not value.strip():
            reason = f"column {column!r} is empty"
        elif not has_offset.iloc[pos] and _parses(value.strip()) and tz is None:
            reason = f"{column} {value!r} has no UTC offset (write e.g. '2026-11-27T09:30:00+03:00' or a 'Z' suffix)"
        elif tz is not None:
            reason = f"{column} {value!r} is not an ISO 8601 date and time (e.g. '2026-11-27T09:30:00')"
        else:
            reason = f"{column} {value!r} is not an ISO 8601 timestamp with offset (e.g. '2026-11-27T09:30:00+03:00')"
        more = int(bad.sum()) - 1
        suffix = f" ({more} more bad rows)" if more else ""
        raise InputError(f"{name} row {row}: {reason}{suffix}")
    return pd.to_datetime(stamps, utc=True).astype("datetime64[ns, UTC]"), warnings, skipped


def _localize(
    naive: pd.Series,
    tz: str,
    name: str,
    column: str,
    raw: pd.Series,
    order_by: pd.Series | None,
) -> tuple[pd.Series, list[str], np.ndarray]:
    """Wall-clock times in ``tz`` to UTC, resolving the DST gap and the repeated hour."""
    warnings: list[str] = []
    valid = naive.notna().to_numpy()
    strict = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    probe_first = naive.dt.tz_localize(tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT")
    ambiguous = (valid & strict.isna().to_numpy() & probe_first.notna().to_numpy())
    skipped = valid & strict.isna().to_numpy() & ~ambiguous
    first_hour = np.ones(len(naive), dtype=bool)  # pandas: True = the summer-time (first) instant
    if ambiguous.any():
        keys = pd.DataFrame(
            {"queue": order_by.to_numpy() if order_by is not None else "", "wall": naive.to_numpy()}
        ).loc[ambiguous]
        occurrence = keys.groupby(["queue", "wall"], sort=False).cumcount().to_numpy()
        if order_by is not None:
            over = occurrence >= 2
            if over.any():
                pos = int(np.flatnonzero(ambiguous)[np.flatnonzero(over)[0]])
                raise InputError(
                    f"{name} row {pos + _FIRST_DATA_LINE}: {column} {raw.iloc[pos]!r} occurs a third time; "
                    "a wall-clock time the DST change repeats can occur at most twice (first and second hour)"
                )
            first_hour[np.flatnonzero(ambiguous)] = occurrence == 0
            counts = keys.groupby(["queue", "wall"], sort=False).size()
            once = counts[counts == 1]
            if len(once):
                walls = sorted({str(pd.Timestamp(w)) for _, w in once.index})
                warnings.append(
                    f"{name}: wall-clock time(s) {_shown(walls)} occur twice in {tz} (DST ends) but once in the "
                    "file: taken as the first (summer-time) hour; list the hour twice to load both"
                )
        else:
            warnings.append(
                f"{name}: {int(ambiguous.sum())} timestamp(s) without offset fall in the hour {tz} repeats when "
                "DST ends and were counted in its first (summer-time) hour; export with UTC offsets to avoid this"
            )
    local = naive.dt.tz_localize(tz, ambiguous=first_hour, nonexistent="shift_forward")
    if skipped.any():
        walls = sorted({str(pd.Timestamp(w)) for w in naive[skipped]})
        warnings.append(
            f"{name}: {column} value(s) {_shown(walls)} do not exist in {tz} (DST starts); "
            f"{int(skipped.sum())} row(s) counted in the first interval after the gap"
        )
    return local.dt.tz_convert("UTC"), warnings, skipped


def _shown(values: Sequence[str]) -> str:
    text = ", ".join(values[:_SHOWN_WARNINGS])
    return text + (f", ... ({len(values)} in all)" if len(values) > _SHOWN_WARNINGS else "")


def _check_order(stamps: pd.Series, queue: pd.Series, raw: pd.Series, name: str, skipped: np.ndarray) -> None:
    """Rows of each queue strictly in time order: a repeat or a step back names both rows.

    Rows in the DST gap share their instant with the first row after it, so
    they are only checked for repeats of their own wall-clock text.
    """
    text = raw.str.strip()
    if skipped.any():
        keys = pd.DataFrame({"queue": queue.to_numpy(), "wall": text.to_numpy()})[skipped]
        repeated = keys.duplicated().to_numpy()
        if repeated.any():
            pos = int(np.flatnonzero(skipped)[np.flatnonzero(repeated)[0]])
            first = int(np.flatnonzero(skipped)[np.flatnonzero((keys == keys.iloc[np.flatnonzero(repeated)[0]]).all(axis=1).to_numpy())[0]])
            raise InputError(
                f"{name} row {pos + _FIRST_DATA_LINE}: interval {raw.iloc[pos].strip()!r} of queue {queue.iloc[pos]!r} "
                f"repeats row {first + _FIRST_DATA_LINE}: keep one row per ds and queue"
            )
        kept = ~skipped
        stamps, queue = stamps[kept], queue[kept]
        positions = np.flatnonzero(kept)
    else:
        positions = np.arange(len(stamps))
    frame = pd.DataFrame({"ds": stamps.to_numpy(), "queue": queue.to_numpy(), "pos": positions})
    previous = frame.groupby("queue", sort=False)["ds"].shift(1)
    previous_pos = frame.groupby("queue", sort=False)["pos"].shift(1)
    not_after = (frame["ds"] <= previous).to_numpy()
    if not not_after.any():
        return
    i = int(np.flatnonzero(not_after)[0])
    row, before = int(frame["pos"].iloc[i]), int(previous_pos.iloc[i])
    where = f"{name} row {row + _FIRST_DATA_LINE}: interval {text.iloc[row]!r} of queue {queue.iloc[i]!r}"
    if frame["ds"].iloc[i] == previous.iloc[i]:
        raise InputError(f"{where} repeats row {before + _FIRST_DATA_LINE}: keep one row per ds and queue")
    raise InputError(
        f"{where} is earlier than row {before + _FIRST_DATA_LINE} ({text.iloc[before]!r}): "
        "the file is not in time order; sort it by ds (within each queue)"
    )


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
