"""Interval grids in the team's timezone."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from calendars.errors import InputError
from forecasts.grid import interval_grid, local_midnight, parse_week, zone


def test_normal_day_has_24_hours_stored_in_utc() -> None:
    grid = interval_grid(dt.date(2026, 11, 23), 1, "Europe/Moscow", 30)
    assert len(grid) == 48
    assert str(grid.tz) == "UTC"
    assert grid[0] == pd.Timestamp("2026-11-23T00:00:00+03:00")
    assert grid[-1] == pd.Timestamp("2026-11-23T23:30:00+03:00")


@pytest.mark.parametrize(("day", "intervals"), [(dt.date(2026, 3, 29), 46), (dt.date(2026, 10, 25), 50)])
def test_dst_days_have_23_and_25_hours(day: dt.date, intervals: int) -> None:
    assert len(interval_grid(day, 1, "Europe/Berlin", 30)) == intervals


def test_days_are_contiguous_across_a_dst_change() -> None:
    week = interval_grid(dt.date(2026, 10, 19), 7, "Europe/Berlin", 15)
    assert len(week) == 7 * 96 + 4
    assert (week[1:] - week[:-1] == pd.Timedelta(minutes=15)).all()


@pytest.mark.parametrize("minutes", [0, -15, 7, 25])
def test_interval_must_divide_a_day(minutes: int) -> None:
    with pytest.raises(InputError, match="must divide a day"):
        interval_grid(dt.date(2026, 11, 23), 1, "UTC", minutes)


def test_zone_and_week_errors() -> None:
    with pytest.raises(InputError, match="unknown timezone 'Nowhere/City'"):
        zone("Nowhere/City")
    assert parse_week("2026-W48") == dt.date(2026, 11, 23)
    with pytest.raises(InputError, match="not an ISO week"):
        parse_week("2026-48")
    with pytest.raises(InputError, match="does not exist"):
        parse_week("2026-W54")


def test_local_midnight_is_aware() -> None:
    midnight = local_midnight(dt.date(2026, 11, 23), "Europe/Moscow")
    assert midnight.utcoffset() == dt.timedelta(hours=3)
