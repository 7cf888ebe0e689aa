"""ISO 8601 timestamps of history files, parsed to UTC with the row of every bad value.

The rules (the README's "Time rules" and :mod:`forecasts.history`):

* a value needs a UTC offset or ``Z``; with ``tz`` (helpdesk exports and the
  standalone ``forecast --history``) a value without one is wall-clock time in
  ``tz``, with the DST gap and the repeated hour resolved as
  :func:`_localize` says;
* the year must lie in :data:`MIN_YEAR`..:data:`MAX_YEAR`. A later year is
  refused with its row (pandas cannot even hold times after 2262-04-11, and no
  ticket is dated there); an earlier one (``1678-01-01``, ``0001-01-01``) is
  not an error but *ancient*: the caller drops such rows with a warning, as it
  drops any row far older than the forecast needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calendars.errors import InputError

MIN_YEAR = 1900
"""Rows dated before this year are ancient: dropped with a warning, never gridded."""

MAX_YEAR = 2200
"""Rows dated after this year are refused: well inside pandas' range (to 2262-04-11), past any real ticket."""

_OFFSET_SUFFIX = r"(?:[zZ]|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)$"
_DATE_TIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"
_SHOWN = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedTimestamps:
    """UTC instants of a column (NaT where ``ancient``) and what parsing had to tell."""

    stamps: pd.Series  # datetime64[ns, UTC], NaT for ancient rows
    warnings: tuple[str, ...]
    skipped: np.ndarray  # rows whose wall-clock time the DST gap skips (moved past the gap)
    ancient: np.ndarray  # rows dated before MIN_YEAR (left NaT; the caller drops them)


def row_label(values: pd.Series, pos: int) -> str:
    """``row N``: the file line of position ``pos`` (the index of the reader's frame)."""
    return f"row {values.index[pos]}"


def shown(values: Sequence[str]) -> str:
    """The first few of ``values`` joined, with the count when there are more."""
    text = ", ".join(values[:_SHOWN])
    return text + (f", ... ({len(values)} in all)" if len(values) > _SHOWN else "")


def parse_timestamps(
    raw: pd.Series,
    name: str,
    column: str,
    *,
    tz: str | None = None,
    order_by: pd.Series | None = None,
) -> ParsedTimestamps:
    """Parse ISO 8601 strings to UTC; a bad value names its row (the index of ``raw``).

    With ``tz`` a value without offset is wall-clock time in ``tz``;
    ``order_by`` (the queue of each row) makes the second occurrence of a
    repeated wall-clock hour within a queue the later hour.

    Raises:
        InputError: an empty, malformed or offset-less (without ``tz``) value,
            or a year after :data:`MAX_YEAR`; the first bad row is named and
            the others counted.
    """
    text = raw.str.strip()
    shaped = text.str.contains(_DATE_TIME, regex=True)
    year = pd.to_numeric(text.str.slice(0, 4).where(shaped), errors="coerce")
    future = (year > MAX_YEAR).to_numpy()
    ancient = (year < MIN_YEAR).to_numpy()
    usable = shaped & ~(year > MAX_YEAR) & ~(year < MIN_YEAR)
    has_offset = usable & text.str.contains(_OFFSET_SUFFIX, regex=True)
    stamps = pd.to_datetime(text.where(has_offset), format="ISO8601", utc=True, errors="coerce")
    warnings: list[str] = []
    skipped = np.zeros(len(text), dtype=bool)
    if tz is not None and not has_offset.all():
        naive_text = text.where(usable & ~has_offset)
        naive = pd.to_datetime(naive_text, format="ISO8601", errors="coerce")
        if isinstance(naive.dtype, pd.DatetimeTZDtype):  # mixed offsets parse as aware: not naive after all
            naive = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        local, warnings, skipped = _localize(naive, tz, name, column, raw, order_by)
        stamps = stamps.where(has_offset, local)
    bad = stamps.isna().to_numpy() & ~ancient
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        value = raw.iloc[pos]
        if not value.strip():
            reason = f"column {column!r} is empty"
        elif future[pos]:
            reason = f"{column} {value!r} lies after the year {MAX_YEAR}: not a real contact time"
        elif value.strip()[:1].isdigit() and not has_offset.iloc[pos] and _parses(value.strip()) and tz is None:
            reason = f"{column} {value!r} has no UTC offset (write e.g. '2026-11-27T09:30:00+03:00' or a 'Z' suffix)"
        elif tz is not None:
            reason = f"{column} {value!r} is not an ISO 8601 date and time (e.g. '2026-11-27T09:30:00')"
        else:
            reason = f"{column} {value!r} is not an ISO 8601 timestamp with offset (e.g. '2026-11-27T09:30:00+03:00')"
        more = int(bad.sum()) - 1
        suffix = f" ({more} more bad rows)" if more else ""
        raise InputError(f"{name} {row_label(raw, pos)}: {reason}{suffix}")
    utc = pd.to_datetime(stamps, utc=True).astype("datetime64[ns, UTC]")
    return ParsedTimestamps(stamps=utc, warnings=tuple(warnings), skipped=skipped, ancient=ancient)


def _localize(
    naive: pd.Series,
    tz: str,
    name: str,
    column: str,
    raw: pd.Series,
    order_by: pd.Series | None,
) -> tuple[pd.Series, list[str], np.ndarray]:
    """Wall-clock times in ``tz`` to UTC, resolving the DST gap and the repeated hour.

    * a wall-clock time the spring change skips does not exist; it is counted
      in the first interval after the gap, with a warning;
    * a wall-clock time the autumn change repeats is the first (summer-time)
      hour the first time it occurs in a queue and the second hour the second
      time; listed once, it is the first hour and the warning says so.
    """
    warnings: list[str] = []
    valid = naive.notna().to_numpy()
    strict = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    probe_first = naive.dt.tz_localize(tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT")
    ambiguous = valid & strict.isna().to_numpy() & probe_first.notna().to_numpy()
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
                    f"{name} {row_label(raw, pos)}: {column} {raw.iloc[pos]!r} occurs a third time; "
                    "a wall-clock time the DST change repeats can occur at most twice (first and second hour)"
                )
            first_hour[np.flatnonzero(ambiguous)] = occurrence == 0
            counts = keys.groupby(["queue", "wall"], sort=False).size()
            once = counts[counts == 1]
            if len(once):
                walls = sorted({str(pd.Timestamp(w)) for _, w in once.index})
                warnings.append(
                    f"{name}: wall-clock time(s) {shown(walls)} occur twice in {tz} (DST ends) but once in the "
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
            f"{name}: {column} value(s) {shown(walls)} do not exist in {tz} (DST starts); "
            f"{int(skipped.sum())} row(s) counted in the first interval after the gap"
        )
    return local.dt.tz_convert("UTC"), warnings, skipped


def _parses(value: str) -> bool:
    try:
        pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return False
    return True


__all__ = ("MAX_YEAR", "MIN_YEAR", "ParsedTimestamps", "parse_timestamps", "row_label", "shown")
