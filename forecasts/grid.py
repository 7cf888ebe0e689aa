"""Interval grids built in the team's timezone and stored in UTC.

A day is cut into intervals of wall-clock time in the team's zone, so a DST day
has 23 or 25 hours of intervals, not 24. Every timestamp that leaves this
module is timezone-aware.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from calendars.errors import InputError

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def zone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name`` or raise an InputError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown timezone {name!r}: use an IANA name such as 'Europe/Moscow'") from None


def parse_week(text: str) -> dt.date:
    """Return the Monday of ISO week ``YYYY-Www`` (e.g. ``2026-W48`` -> 2026-11-23)."""
    match = _ISO_WEEK.match(text.strip())
    if not match:
        raise InputError(f"week {text!r} is not an ISO week like 2026-W48")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        return dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InputError(f"week {text!r} does not exist in {year}") from None


def local_midnight(day: dt.date, tz: str) -> pd.Timestamp:
    """Midnight at the start of ``day`` in ``tz`` (tz-aware)."""
    return pd.Timestamp(dt.datetime.combine(day, dt.time(0), tzinfo=zone(tz)))


def interval_grid(start: dt.date, days: int, tz: str, interval_minutes: int) -> pd.DatetimeIndex:
    """Starts of all intervals of ``days`` local days from ``start``, in UTC.

    Intervals are steps of ``interval_minutes`` of absolute time from local
    midnight to the next local midnight, so a 23-hour DST day yields fewer
    intervals and a 25-hour day more.
    """
    if interval_minutes <= 0 or (24 * 60) % interval_minutes:
        raise InputError(f"interval length {interval_minutes} min must divide a day (e.g. 15, 30, 60)")
    begin = local_midnight(start, tz).tz_convert("UTC")
    end = local_midnight(start + dt.timedelta(days=days), tz).tz_convert("UTC")
    return pd.date_range(begin, end, freq=f"{interval_minutes}min", inclusive="left", name="ds")


def local_dates(stamps: pd.Series | pd.DatetimeIndex, tz: str) -> np.ndarray:
    """Local calendar date of each UTC instant in ``tz``, as ``datetime64[D]``."""
    return pd.DatetimeIndex(stamps).tz_convert(zone(tz)).tz_localize(None).to_numpy().astype("datetime64[D]")
