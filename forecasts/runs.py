"""Forecast and backtest straight from files, without a team config.

``peakplan forecast --history H.csv ...`` and ``peakplan forecast backtest
--history H.csv ...`` call these: one function each, taking paths and
options, returning the library results with every loader warning included.
The history file holds ``ds,y`` (and optionally ``queue``); ``ds`` may carry a
UTC offset or be wall-clock time in ``tz`` (the DST rules are in
:mod:`forecasts.history`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from calendars.errors import InputError
from calendars.sales import load_sale_calendar
from forecasts.backtest import BacktestResult, backtest, weekly_origins
from forecasts.forecast import ForecastResult, forecast
from forecasts.history import read_interval_history
from forecasts.holidays_calendar import holiday_events
from forecasts.settings import ModelOptions

_HORIZON = re.compile(r"^\s*(\d+)\s*(d|day|days|w|week|weeks)?\s*$", re.IGNORECASE)
_INTERVAL = re.compile(r"^\s*(\d+)\s*(m|min|mins|minute|minutes|h|hour|hours)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Inputs:
    """A history file and its calendar, loaded."""

    history: pd.DataFrame
    events: pd.DataFrame
    warnings: tuple[str, ...]
    first_day: dt.date
    last_day: dt.date


def parse_horizon(text: str) -> int:
    """``"7d"``, ``"14 days"``, ``"2w"`` or ``"7"`` -> days.

    Raises:
        InputError: not a positive number of days or weeks.
    """
    match = _HORIZON.match(text)
    if not match or int(match.group(1)) < 1:
        raise InputError(f"horizon {text!r} is not a number of days or weeks like 7d or 2w")
    unit = (match.group(2) or "d").lower()
    return int(match.group(1)) * (7 if unit.startswith("w") else 1)


def parse_interval(text: str) -> int:
    """``"60min"``, ``"30m"``, ``"1h"`` or ``"15"`` -> minutes (must divide a day).

    Raises:
        InputError: not minutes or hours, or not dividing a day.
    """
    match = _INTERVAL.match(text)
    if not match:
        raise InputError(f"interval {text!r} is not a length like 15min, 30min or 1h")
    unit = (match.group(2) or "min").lower()
    minutes = int(match.group(1)) * (60 if unit.startswith("h") else 1)
    if minutes <= 0 or (24 * 60) % minutes:
        raise InputError(f"interval {text!r} must divide a day (e.g. 15min, 30min, 60min)")
    return minutes


def load_inputs(
    history_path: str | os.PathLike[str],
    *,
    tz: str,
    interval_minutes: int,
    until: dt.date,
    events_path: str | os.PathLike[str] | None = None,
    holidays: str = "",
) -> Inputs:
    """Load the history (naive times read in ``tz``), the sale calendar and public holidays up to ``until``.

    Raises:
        InputError: from the loaders (file, row and fix in the message).
    """
    loaded = read_interval_history(history_path, tz=tz, interval_minutes=interval_minutes, local_naive=True)
    history = loaded.frame
    first_day = history["ds"].min().tz_convert(tz).date()
    last_day = history["ds"].max().tz_convert(tz).date()
    end = max(until, last_day)
    events = load_calendar(
        tz, first_day, end, events_path=events_path, holidays=holidays,
        holidays_until=end + dt.timedelta(days=1),  # the eve of a holiday right after the window is in it
    )  # fmt: skip
    return Inputs(history=history, events=events, warnings=loaded.warnings, first_day=first_day, last_day=last_day)


def load_calendar(
    tz: str,
    first_day: dt.date,
    last_day: dt.date,
    *,
    events_path: str | os.PathLike[str] | None = None,
    holidays: str = "",
    holidays_until: dt.date | None = None,
) -> pd.DataFrame:
    """The sale calendar's events from ``first_day`` to ``last_day`` plus the public holidays of the
    ``holidays`` country up to ``holidays_until`` (default ``last_day``), sorted by ``start, event_id``.

    An empty frame when there is neither or both hold nothing in the range.

    Raises:
        InputError: from the loaders (file, row and fix in the message).
    """
    frames = []
    if events_path is not None:
        frames.append(load_sale_calendar(Path(events_path), tz, days=(first_day, last_day)))
    if holidays.strip():
        frames.append(holiday_events(holidays, first_day, holidays_until or last_day, tz))
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame()
    events = pd.concat(frames, ignore_index=True)
    return events.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)


def forecast_file(
    history_path: str | os.PathLike[str],
    *,
    start: dt.date,
    days: int,
    options: ModelOptions,
    events_path: str | os.PathLike[str] | None = None,
    holidays: str = "",
) -> ForecastResult:
    """Forecast ``days`` days from ``start`` from a history file; everything before ``start`` trains.

    The file's path names the history in messages (it replaces ``options.source``).

    Raises:
        InputError: bad files or options, too little history before ``start``.
    """
    inputs = load_inputs(
        history_path, tz=options.tz, interval_minutes=options.interval_minutes, until=start + dt.timedelta(days=days),
        events_path=events_path, holidays=holidays,
    )  # fmt: skip
    named = dataclasses.replace(options, source=os.fspath(history_path))
    result = forecast(inputs.history, inputs.events, start=start, days=days, options=named)
    return dataclasses.replace(result, warnings=inputs.warnings + result.warnings)


def backtest_file(
    history_path: str | os.PathLike[str],
    *,
    first_origin: dt.date | None,
    last_origin: dt.date | None,
    horizon_days: int,
    options: ModelOptions,
    events_path: str | os.PathLike[str] | None = None,
    holidays: str = "",
) -> BacktestResult:
    """Backtest from every Monday between ``first_origin`` and ``last_origin`` (defaults: see below).

    Without ``first_origin`` the origins start on the first Monday with
    ``options.baseline_weeks`` weeks of history before it; without
    ``last_origin`` they run to the last Monday inside the history. The file's
    path names the history in messages (it replaces ``options.source``).

    Raises:
        InputError: bad files or options, no Monday in the range, too little history.
    """
    until = last_origin + dt.timedelta(days=horizon_days) if last_origin else dt.date.min  # min: the history's end
    inputs = load_inputs(
        history_path, tz=options.tz, interval_minutes=options.interval_minutes, until=until, events_path=events_path,
        holidays=holidays,
    )  # fmt: skip
    return backtest_frames(
        inputs, first_origin=first_origin, last_origin=last_origin, horizon_days=horizon_days,
        options=dataclasses.replace(options, source=os.fspath(history_path)),
    )  # fmt: skip


def backtest_frames(
    inputs: Inputs,
    *,
    first_origin: dt.date | None,
    last_origin: dt.date | None,
    horizon_days: int,
    options: ModelOptions,
) -> BacktestResult:
    """:func:`backtest_file` on already loaded inputs (the config-based command uses it too)."""
    first = first_origin or inputs.first_day + dt.timedelta(weeks=options.baseline_weeks)
    last = last_origin or inputs.last_day
    if last < first:
        raise InputError(f"backtest range ends ({last}) before it starts ({first})")
    origins = tuple(day for day in weekly_origins(first, last) if day <= inputs.last_day)
    if not origins:
        raise InputError(
            f"no Monday between {first} and {last} inside the history ({inputs.first_day}..{inputs.last_day}): "
            "widen --from/--to"
        )
    result = backtest(inputs.history, inputs.events, origins=origins, horizon_days=horizon_days, options=options)
    return dataclasses.replace(result, warnings=inputs.warnings + result.warnings)


__all__ = (
    "Inputs",
    "backtest_file",
    "backtest_frames",
    "forecast_file",
    "load_calendar",
    "load_inputs",
    "parse_horizon",
    "parse_interval",
)
