"""Public holidays as forecast events (category ``holiday``).

The forecast treats a public holiday like a sale: its days are left out of the
baseline and its effect is learned from past holidays in the history. This
module turns the ``holidays`` package's calendar into rows of the ``events``
table of the README ("Data contracts") so the CLI can concatenate them with the sale
calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays as holidays_lib
import numpy as np
import pandas as pd

from calendars.errors import InputError
from forecasts.grid import local_midnight, zone

EVENT_COLUMNS: tuple[str, ...] = ("event_id", "name", "category", "start", "end", "all_day", "uplift")
"""Columns of the ``events`` table (README, "Data contracts"); the sale-calendar loader produces the same."""

HOLIDAY_CATEGORY = "holiday"


def holiday_events(
    country: str,
    start_date: dt.date,
    end_date: dt.date,
    tz: str,
    *,
    language: str | None = None,
) -> pd.DataFrame:
    """Public holidays of ``country`` from ``start_date`` to ``end_date`` (both included).

    Args:
        country: ISO 3166 country code understood by the ``holidays`` package ("RU", "DE").
        start_date: first local date to include.
        end_date: last local date to include.
        tz: the team's timezone; a holiday runs from local midnight to the next.
        language: language of the names, if the country supports it (default:
            the package's default for the country).

    Returns:
        One all-day event per holiday date with :data:`EVENT_COLUMNS`:
        ``event_id`` ``holiday-<CC>-<YYYY-MM-DD>``, ``name`` from the package
        (several holidays on one date are joined by ``"; "``), ``category``
        ``"holiday"``, ``start``/``end`` local midnights in UTC, ``all_day``
        True, ``uplift`` NaN (learned from history). Sorted by ``start, event_id``.

    Raises:
        InputError: unknown country code or timezone, or ``end_date`` before ``start_date``.
    """
    zone(tz)
    code = country.strip().upper()
    if end_date < start_date:
        raise InputError(f"holiday range ends ({end_date}) before it starts ({start_date})")
    try:
        calendar = holidays_lib.country_holidays(
            code, years=range(start_date.year, end_date.year + 1), language=language
        )
    except NotImplementedError:
        raise InputError(
            f"unknown holiday country {country!r}: use an ISO 3166 code such as 'RU' or 'DE', or '' for none"
        ) from None
    days = sorted(day for day in calendar if start_date <= day <= end_date)
    return all_day_holidays(((f"holiday-{code}-{day.isoformat()}", str(calendar[day]), day) for day in days), tz)


def all_day_holidays(days: Iterable[tuple[str, str, dt.date]], tz: str) -> pd.DataFrame:
    """Rows of the events table for whole local days of category ``holiday``.

    Public holidays (:func:`holiday_events`) and a team's own special days
    (:func:`forecasts.daytypes.own_day_events`) are the same kind of event; this
    is the one place their rows are built.

    Args:
        days: ``(event_id, name, local date)`` per event.
        tz: the team's timezone; each event runs from local midnight to the next.

    Returns:
        :data:`EVENT_COLUMNS`, ``start``/``end`` in UTC, ``all_day`` True, ``uplift``
        NaN (learned from history); sorted by ``start, event_id`` (stable).
    """
    rows = [
        {
            "event_id": event_id,
            "name": name,
            "category": HOLIDAY_CATEGORY,
            "start": local_midnight(day, tz).tz_convert("UTC"),
            "end": local_midnight(day + dt.timedelta(days=1), tz).tz_convert("UTC"),
            "all_day": True,
            "uplift": np.nan,
        }
        for event_id, name, day in days
    ]
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    frame["start"] = pd.to_datetime(frame["start"], utc=True).astype("datetime64[ns, UTC]")
    frame["end"] = pd.to_datetime(frame["end"], utc=True).astype("datetime64[ns, UTC]")
    frame["all_day"] = frame["all_day"].astype(bool)
    frame["uplift"] = frame["uplift"].astype(float)
    for column in ("event_id", "name", "category"):
        frame[column] = frame[column].astype(str)
    return frame.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)
