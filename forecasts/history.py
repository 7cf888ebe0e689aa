"""Load contact history into interval counts on the team's grid.

Two input shapes are accepted (``inputs.history_format`` in the config):

* ``tickets``: one row per ticket with a creation timestamp and a queue column
  (:func:`load_ticket_history`);
* ``intervals``: pre-aggregated ``ds,queue,y`` rows (:func:`load_interval_history`).

Both return the *interval counts* table of the README ("Data contracts"): columns
:data:`HISTORY_COLUMNS` (``ds`` UTC interval start, ``queue``, ``y`` float),
zero-filled on the interval grid of every local day from the first to the last
contact (whole days), sorted by ``queue, ds``.

Files are read by :func:`forecasts.csvread.read_csv_columns`; row numbers in
messages are lines of the file (the header is line 1, the first data row 2).

**Timestamps** follow :mod:`forecasts.timestamps`: a UTC offset is required
unless ``local_naive`` / an export preset allows wall-clock time in ``tz``
(the DST gap and the repeated hour are resolved with a warning).

**How much history is kept.** The forecast averages the last weeks and learns
event effects from earlier occurrences; nothing it does reaches back more than
:data:`HISTORY_KEEP_DAYS` before the last contact. Older rows (and rows dated
before :data:`~forecasts.timestamps.MIN_YEAR`) are dropped with a warning
instead of being gridded (one ticket dated 1678 would otherwise make a grid of
three centuries). A row more than a year after nearly all others
(:data:`FUTURE_SLACK_DAYS` past the 99th percentile) is refused: it is a typo,
and keeping it would stretch the grid the same way.

**Counts** (``y`` of an interval file) are numbers from 0 to
:data:`MAX_COUNT`; NaN, inf, 1e308 or 2^63 are refused with their row.

**Intervals coarser than the plan.** An interval file whose intervals are
longer than ``interval_minutes`` (30-minute counts planned at 15 minutes) is
spread: each row's count is split evenly over the planning intervals it covers,
with a warning. Files coarser than an hour are refused (an even split of a
day's total over its hours would invent an intraday shape); the message names
the interval the file has. The file's interval is the largest that every row's
start (minutes after local midnight) is a multiple of.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec

import numpy as np
import pandas as pd

from calendars.errors import InputError
from forecasts.csvread import read_csv_columns
from forecasts.exports import export_preset, normalize_queue_names
from forecasts.grid import interval_grid, local_dates, local_midnight, zone
from forecasts.timestamps import MIN_YEAR, ParsedTimestamps, parse_timestamps, row_label

P = ParamSpec("P")

HISTORY_COLUMNS: tuple[str, ...] = ("ds", "queue", "y")
"""Columns of the interval-count table, in order."""

INTERVAL_FILE_COLUMNS: tuple[str, ...] = ("ds", "queue", "y")
"""Columns of an ``intervals`` history file; ``queue`` is optional."""

DEFAULT_QUEUE = "all"
"""Queue given to the rows of an ``intervals`` file without a ``queue`` column."""

HISTORY_KEEP_DAYS = 3 * 366
"""Rows older than this many days before the last contact are dropped with a warning."""

FUTURE_SLACK_DAYS = 366
"""A row this many days after the 99th percentile of the rows' times is refused."""

MAX_COUNT = 1e9
"""Largest count of one interval row: far above any support queue, far below float overflow."""

MAX_SPREAD_MINUTES = 60
"""Coarsest interval file that is spread evenly over finer planning intervals."""

_SHOWN_QUEUES = 20

STALE_HISTORY_DAYS = 7
"""A history ending more days than this before the planned start is warned about (a stale export)."""


def stale_history_warning(source: str | os.PathLike[str], last_day: dt.date, start: dt.date) -> str | None:
    """The warning when the history ends long before the planned start, else None.

    One wording for the pre-flight pass and the forecast, so a run that does both prints it once.
    """
    gap = (start - last_day).days - 1
    if gap <= STALE_HISTORY_DAYS:
        return None
    return (
        f"history in {os.fspath(source)} ends on {last_day}, {gap} days before the planned start {start}: "
        "the forecast reflects the volume of back then; load a newer export"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadedHistory:
    """Interval counts (:data:`HISTORY_COLUMNS`) and what the loader had to tell about them."""

    frame: pd.DataFrame
    warnings: tuple[str, ...] = ()


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
        warnings (DST, old rows dropped).

    Raises:
        InputError: unreadable file, missing columns, empty file, a timestamp
            without offset (unless an export preset allows it), unparsable or
            after 2200, an empty or unknown queue, an unknown export preset.
            Messages name the file and the first offending row.
    """
    name = _display_name(path)
    zone(tz)
    _check_interval(interval_minutes)
    preset = export_preset(export) if export else None
    ts_col = timestamp_column or (preset.timestamp_column if preset else "created_at")
    q_col = queue_column or (preset.queue_column if preset else "channel")
    frame = read_csv_columns(path, required=(ts_col, q_col), what="history file")
    if frame.empty:
        raise InputError(f"{name} has no tickets: the history needs at least one row")
    raw_queue = normalize_queue_names(frame[q_col], queue_map) if preset else frame[q_col]
    parsed, queue = _all_problems(
        lambda: parse_timestamps(frame[ts_col], name, ts_col, tz=tz if preset else None),
        lambda: _check_queues(raw_queue, name, q_col, queues),
    )
    keep, kept_warnings = _recent_rows(parsed, frame[ts_col], name)
    stamps, queue = parsed.stamps[keep], queue[keep]
    ds = _bin_to_grid(stamps, tz, interval_minutes)
    counts = pd.DataFrame({"queue": queue.to_numpy(), "ds": ds}).groupby(["queue", "ds"], sort=True).size()
    table = _zero_filled(counts.astype(float), stamps, tz, interval_minutes, queue, queues)
    return LoadedHistory(frame=table, warnings=parsed.warnings + kept_warnings)


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
    15-minute file loads onto a 30-minute grid; a file with longer intervals
    (up to an hour) is spread evenly over the finer grid (module docstring).

    Returns:
        Interval counts with :data:`HISTORY_COLUMNS`, zero-filled over the local
        days from the first to the last row, sorted by ``queue, ds``, and
        warnings (DST, old rows dropped, coarse intervals spread).

    Raises:
        InputError: missing columns, a naive (unless ``local_naive``) or
            unparsable ``ds``, a missing, non-numeric, negative or absurd ``y``,
            an unknown queue, rows out of time order, the same ``(ds, queue)``
            twice, intervals coarser than an hour. Messages name the file and row.
    """
    name = _display_name(path)
    zone(tz)
    _check_interval(interval_minutes)
    frame = read_csv_columns(path, required=("ds", "y"), optional=("queue",), what="history file")
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
    parsed, y = _all_problems(
        lambda: parse_timestamps(frame["ds"], name, "ds", tz=tz if local_naive else None, order_by=queue),
        lambda: _parse_counts(frame["y"], name),
    )
    keep, warnings = _recent_rows(parsed, frame["ds"], name)
    stamps, queue, y, raw_ds = parsed.stamps[keep], queue[keep], y[keep], frame["ds"][keep]
    _check_order(stamps, queue, raw_ds, name, parsed.skipped[keep])
    step = _file_interval(stamps, queue, tz)
    if step > interval_minutes:
        stamps, queue, y, spread_warning = _spread(stamps, queue, y, step, interval_minutes, name)
        warnings += (spread_warning,)
    ds = _bin_to_grid(stamps, tz, interval_minutes)
    sums = pd.DataFrame({"queue": queue.to_numpy(), "ds": ds, "y": y.to_numpy()}).groupby(["queue", "ds"])["y"].sum()
    table = _zero_filled(sums.astype(float), stamps, tz, interval_minutes, queue, queues)
    return LoadedHistory(frame=table, warnings=parsed.warnings + warnings)


def _table_only(read: Callable[P, LoadedHistory]) -> Callable[P, pd.DataFrame]:
    """``read`` with the same parameters, returning only its table (for callers with no use for the warnings)."""

    def load(*args: P.args, **kwargs: P.kwargs) -> pd.DataFrame:
        return read(*args, **kwargs).frame

    load.__doc__ = f"The table of :func:`{read.__name__}` (same parameters), without its warnings."
    return load


load_ticket_history = _table_only(read_ticket_history)
"""Count tickets per interval and queue from a ticket-level CSV export: :func:`read_ticket_history`'s table."""
load_interval_history = _table_only(read_interval_history)
"""Load pre-aggregated ``ds[,queue],y`` history: :func:`read_interval_history`'s table."""


# -- helpers -------------------------------------------------------------------


def _display_name(path: str | os.PathLike[str]) -> str:
    # The path as given, like every other peakplan message: two teams' tickets.csv must be told apart.
    return os.fspath(path)


def _all_problems(*checks: Callable[[], Any]) -> tuple[Any, ...]:
    """Run every check; raise one InputError listing each failure on its own line (all at once)."""
    results, problems = [], []
    for check in checks:
        try:
            results.append(check())
        except InputError as error:
            problems.append(str(error))
    if problems:
        raise InputError("\n".join(problems))
    return tuple(results)


def _check_interval(interval_minutes: int) -> None:
    interval_grid(dt.date(2000, 1, 1), 1, "UTC", interval_minutes)  # validates the length


def _recent_rows(parsed: ParsedTimestamps, raw: pd.Series, name: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Rows to grid: not ancient, not older than HISTORY_KEEP_DAYS before the last; a far-future row is refused."""
    stamps = parsed.stamps
    dated = ~parsed.ancient
    if not dated.any():
        first = 0
        raise InputError(
            f"{name}: every row is dated before {MIN_YEAR} (e.g. {row_label(raw, first)}: {raw.iloc[first]!r}): "
            "no usable history"
        )
    ns = pd.DatetimeIndex(stamps[dated]).as_unit("ns").asi8
    typical_last = np.quantile(ns, 0.99, method="higher")
    limit = typical_last + FUTURE_SLACK_DAYS * 86_400 * 10**9
    future = np.zeros(len(stamps), dtype=bool)
    future[np.flatnonzero(dated)] = ns > limit
    if future.any():
        pos = int(np.flatnonzero(future)[0])
        bulk_end = pd.Timestamp(int(typical_last), tz="UTC").date()
        raise InputError(
            f"{name} {row_label(raw, pos)}: {raw.iloc[pos]!r} lies more than a year after nearly all other rows "
            f"(99% end by {bulk_end}): fix the date or drop the row"
        )
    last = int(ns.max())
    cutoff = last - HISTORY_KEEP_DAYS * 86_400 * 10**9
    old = parsed.ancient.copy()
    old[np.flatnonzero(dated)] = ns < cutoff
    if not old.any():
        return ~old, ()
    pos = int(np.flatnonzero(old)[0])
    cutoff_day = pd.Timestamp(cutoff, tz="UTC").date()
    warning = (
        f"{name}: ignored {int(old.sum()):,} row(s) dated before {cutoff_day} (first: {row_label(raw, pos)}, "
        f"{raw.iloc[pos].strip()!r}): the forecast uses at most {HISTORY_KEEP_DAYS} days before the last contact"
    )
    return ~old, (warning,)


def _file_interval(stamps: pd.Series, queue: pd.Series, tz: str) -> int:
    """Minutes of the file's intervals, or 0 when the file does not show them.

    The candidate is the gcd of every start's minutes after local midnight (and
    of a day); it counts only when it is also the most common step between
    consecutive rows of a queue, i.e. the file is dense at that interval. A
    sparse file (zero intervals left out, a handful of rows) proves nothing.
    """
    if len(stamps) < 2:
        return 0
    index = pd.DatetimeIndex(stamps)
    midnight = (
        index.tz_convert(zone(tz)).normalize().tz_convert("UTC")
    )  # local midnight; DST days keep absolute minutes
    seconds = (index - midnight).total_seconds().to_numpy()
    if (seconds % 60).any():
        return 0  # starts off whole minutes: not interval starts
    candidate = int(math.gcd(24 * 60, *np.unique(seconds.astype(np.int64) // 60).tolist()))
    steps = pd.Series(index.asi8, dtype="int64").groupby(queue.to_numpy()).diff().dropna()
    if steps.empty:
        return 0
    common = int(steps.mode().min()) // (60 * 10**9)
    return candidate if common == candidate else 0


def _spread(
    stamps: pd.Series, queue: pd.Series, y: pd.Series, step: int, interval_minutes: int, name: str
) -> tuple[pd.Series, pd.Series, pd.Series, str]:
    """Each row of a ``step``-minute file split evenly over its ``interval_minutes`` slots."""
    if step > MAX_SPREAD_MINUTES or step % interval_minutes:
        finer = [m for m in (5, 10, 15, 20, 30, 60) if step % m == 0 and m <= MAX_SPREAD_MINUTES]
        use = f"forecast.interval_minutes = {max(finer)}" if finer and step % max(finer) == 0 and step <= 60 else None
        raise InputError(
            f"{name}: the file's intervals are {step} minutes, coarser than the planning interval of "
            f"{interval_minutes} minutes"
            + (f"; plan with {use} or give finer counts" if use else "; give hourly or finer counts")
            + " (peakplan spreads counts evenly only within an hour and never plans a slot as zero for lack of data)"
        )
    parts = step // interval_minutes
    offsets = pd.to_timedelta(np.tile(np.arange(parts) * interval_minutes, len(stamps)), unit="min")
    spread_stamps = pd.Series(np.repeat(stamps.to_numpy(), parts)) + offsets
    warning = (
        f"{name}: counts are per {step} minutes, the plan per {interval_minutes}: each row's count is spread "
        f"evenly over its {parts} {interval_minutes}-minute intervals"
    )
    return (
        spread_stamps.dt.tz_localize("UTC") if spread_stamps.dt.tz is None else spread_stamps,
        pd.Series(np.repeat(queue.to_numpy(), parts)),
        pd.Series(np.repeat(y.to_numpy() / parts, parts)),
        warning,
    )


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
            first = int(
                np.flatnonzero(skipped)[
                    np.flatnonzero((keys == keys.iloc[np.flatnonzero(repeated)[0]]).all(axis=1).to_numpy())[0]
                ]
            )
            raise InputError(
                f"{name} {row_label(raw, pos)}: interval {raw.iloc[pos].strip()!r} of queue {queue.iloc[pos]!r} "
                f"repeats {row_label(raw, first)}: keep one row per ds and queue"
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
    where = f"{name} {row_label(raw, row)}: interval {text.iloc[row]!r} of queue {queue.iloc[i]!r}"
    if frame["ds"].iloc[i] == previous.iloc[i]:
        raise InputError(f"{where} repeats {row_label(raw, before)}: keep one row per ds and queue")
    raise InputError(
        f"{where} is earlier than {row_label(raw, before)} ({text.iloc[before]!r}): "
        "the file is not in time order; sort it by ds (within each queue)"
    )


def _check_queues(raw: pd.Series, name: str, column: str, queues: Sequence[str] | None) -> pd.Series:
    queue = raw.str.strip()
    empty = (queue == "").to_numpy()
    if empty.any():
        pos = int(np.flatnonzero(empty)[0])
        raise InputError(f"{name} {row_label(raw, pos)}: column {column!r} is empty: every row needs a queue")
    if queues is not None:
        unknown = (~queue.isin(list(queues))).to_numpy()
        if unknown.any():
            pos = int(np.flatnonzero(unknown)[0])
            value = str(queue.iloc[pos])
            close = difflib.get_close_matches(value, list(queues), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            others = sorted(set(queue[unknown]) - {value})
            more = f"; other unknown queues: {', '.join(map(repr, others[:5]))}" if others else ""
            raise InputError(
                f"{name} {row_label(raw, pos)}: unknown queue {value!r} in column {column!r}{hint} "
                f"(known queues: {_list_queues(queues)}): add it to the config's channels or fix the row{more}"
            )
    return queue


def _list_queues(queues: Sequence[str]) -> str:
    shown = sorted(queues)
    text = ", ".join(shown[:_SHOWN_QUEUES])
    return text + (f", ... ({len(shown)} in all)" if len(shown) > _SHOWN_QUEUES else "") if shown else "none"


def _parse_counts(raw: pd.Series, name: str) -> pd.Series:
    """``y`` as floats in 0..MAX_COUNT; the first bad row is named and the others counted."""
    y = pd.to_numeric(raw.str.strip(), errors="coerce").astype(float)
    checks = (
        (~np.isfinite(y.to_numpy()), "is not a number"),
        ((y < 0).to_numpy(), "is negative: counts must be >= 0"),
        (
            (y > MAX_COUNT).to_numpy() & np.isfinite(y.to_numpy()),
            f"is not a plausible count (at most {MAX_COUNT:,.0f} contacts in one interval)",
        ),
    )
    problems = []
    for bad, reason in checks:
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            more = int(bad.sum()) - 1
            problems.append(
                f"{name} {row_label(raw, pos)}: y {raw.iloc[pos]!r} {reason}"
                + (f" ({more} more such rows)" if more else "")
            )
    if problems:
        raise InputError("\n".join(problems))
    return y


def _bin_to_grid(stamps: pd.Series, tz: str, interval_minutes: int) -> pd.DatetimeIndex:
    """Start (UTC) of the grid interval holding each instant.

    Intervals are counted in absolute time from the local midnight of the
    instant's local date, exactly as :func:`forecasts.grid.interval_grid` cuts
    them (so zones with a half-hour offset bin correctly too).
    """
    interval_grid(dt.date(2000, 1, 1), 1, "UTC", interval_minutes)  # validates the length
    days = local_dates(stamps, tz)
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
    days = local_dates(stamps, tz)
    first, last = days.min().astype(object), days.max().astype(object)
    grid = interval_grid(first, (last - first).days + 1, tz, interval_minutes).as_unit("ns")
    names = sorted(set(queues)) if queues is not None else sorted(queue.unique().tolist())
    full = pd.MultiIndex.from_product([names, grid], names=["queue", "ds"])
    y = values.reindex(full, fill_value=0.0)
    out = y.rename("y").reset_index()
    out["queue"] = out["queue"].astype(str)
    out["y"] = out["y"].astype(float)
    return out.loc[:, list(HISTORY_COLUMNS)].reset_index(drop=True)
