"""The baseline's intraday shape window: long where the hours stay put, short where they move."""

from __future__ import annotations

import datetime as dt

import numpy as np

from forecasts.baseline import shape_windows
from forecasts.forecast import forecast
from forecasts.grid import interval_grid
from forecasts.settings import ModelOptions

TZ = "Asia/Jerusalem"


def test_steady_hours_keep_the_long_window_and_moving_hours_take_the_short_one() -> None:
    rng = np.random.default_rng(0)
    hours = np.zeros(24)
    hours[8:18] = 50.0
    steady = rng.poisson(np.tile(hours, (1, 16, 1))).astype(float)  # (Q=1, 16 weeks, 24 slots)
    assert shape_windows(steady, (8, 2), 8).tolist() == [8]  # Poisson noise: the long average draws them best
    moving = np.zeros((1, 16, 24))
    for week in range(16):
        opens = 12 + week // 3  # reopens after sundown: an hour later every three weeks
        moving[0, week, opens : opens + 4] = rng.poisson(60.0, 4)
    assert shape_windows(moving, (8, 2), 8).tolist() == [2]
    two_queues = np.concatenate([steady, moving], axis=0)
    assert shape_windows(two_queues, (8, 2), 8).tolist() == [8, 2]  # each queue chooses for itself
    assert shape_windows(moving[:, :9], (8, 2), 8).tolist() == [8]  # too few days to check: the default


def test_a_sparse_queue_keeps_the_long_window() -> None:
    # three contacts a day over 48 slots: a two-day shape is mostly empty slots, which match the next day's empty
    # slots and so miss fewer contacts by chance (a third of the time); in units of Poisson noise it is worse
    rng = np.random.default_rng(0)
    profile = np.zeros(48)
    profile[16:40] = 1.0 + np.sin(np.linspace(0.0, np.pi, 24))
    days = rng.poisson(3.0 * profile / profile.sum(), size=(200, 16, 48)).astype(float)
    assert (shape_windows(days, (8, 2), 8) == 8).mean() >= 0.99


def test_a_saturday_that_reopens_later_each_week_is_forecast_to_reopen_late() -> None:
    # weekdays 08-20 at 100 an hour; Saturday quiet until it reopens after sundown, an hour later every three
    # weeks: the forecast Saturday opens when the last ones did, not at the 8-week average
    first = dt.date(2026, 1, 4)
    grid = interval_grid(first, 16 * 7, TZ, 60).as_unit("ns")
    local = grid.tz_convert(TZ)
    hour, weekday = local.hour.to_numpy(), local.day_of_week.to_numpy()
    week = (np.array(local.date) - first).astype("timedelta64[D]").astype(int) // 7
    y = np.where((hour >= 8) & (hour < 20), 100.0, 2.0)
    opens = 14 + week // 3
    y = np.where(weekday == 5, np.where((hour >= opens) & (hour < opens + 3), 60.0, 5.0), y)
    history = pd_frame(grid, np.random.default_rng(1).poisson(y).astype(float))
    start = first + dt.timedelta(weeks=15)
    result = forecast(history, None, start=start, days=7, options=ModelOptions(tz=TZ, interval_minutes=60))
    frame = result.frame
    saturday = frame[frame["ds"].dt.tz_convert(TZ).dt.day_of_week == 5]
    at = saturday["ds"].dt.tz_convert(TZ).dt.hour
    # the last two Saturdays (weeks 13 and 14) reopened at 18:00; the eight before the start at 16, 17 and 18
    evening = saturday.loc[(at >= 14) & (at < 21), "yhat"].to_numpy()
    assert evening[4:].sum() > 0.8 * evening.sum()


def pd_frame(grid, y):  # type: ignore[no-untyped-def]
    import pandas as pd

    return pd.DataFrame({"ds": grid, "queue": "calls", "y": y})
