"""The baseline: its intraday shape window, weekdays pooled where their hours agree, the weekly pattern's window."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecasts.baseline import alike_weekdays, pooled_shapes, rescaled_profile, shape_windows
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


def weekday_counts(rng: np.random.Generator, hours: list[np.ndarray], days: int = 8) -> np.ndarray:
    """(1, 7, S) contacts over ``days`` Poisson days of each weekday's hours."""
    return np.stack([rng.poisson(h, size=(days, len(h))).sum(axis=0) for h in hours]).astype(float)[None]


def office_hours(opens: int, closes: int, per_hour: float) -> np.ndarray:
    out = np.zeros(24)
    out[opens:closes] = per_hour * (1.0 + 0.5 * np.sin(np.linspace(0.0, np.pi, closes - opens)))
    return out


def test_weekdays_with_the_same_hours_pool_their_shape_and_others_keep_their_own() -> None:
    weekday, friday, closed = office_hours(8, 18, 320.0), office_hours(8, 13, 240.0), np.zeros(24)
    counts = np.stack([weekday, weekday * 1.1, weekday, weekday, friday, closed, weekday * 0.5])[None]
    counts[0, 1, 9] += 200.0  # Tuesday: a busier 09:00 than Poisson noise allows; pooled with none
    alike = alike_weekdays(counts[0], 0.95)
    assert alike[[0, 0, 2, 2, 3], [2, 6, 3, 6, 6]].all()  # Sunday at half the volume, the same hours
    assert not alike[1, [0, 2, 3, 4, 5, 6]].any()
    assert not alike[4, :4].any() and not alike[5, :5].any()  # Friday closes at 13:00; Saturday is closed
    shape = pooled_shapes(counts, 0.95)
    pooled = counts[0, [0, 2, 3, 6]].sum(axis=0)
    np.testing.assert_allclose(shape[0, 0], pooled / pooled.sum())
    for own in (1, 4):
        np.testing.assert_allclose(shape[0, own], counts[0, own] / counts[0, own].sum())
    assert (shape[0, 5] == 0).all()
    alone = pooled_shapes(counts, 1.0)  # level 1 pools nothing: each weekday its own window's shape
    np.testing.assert_allclose(alone[0], counts[0] / np.maximum(counts[0].sum(axis=1, keepdims=True), 1.0))


def test_poisson_weekdays_with_the_same_hours_are_alike_at_the_test_level() -> None:
    rng = np.random.default_rng(5)
    same = other = 0
    for _ in range(40):
        counts = weekday_counts(rng, [office_hours(8, 18, 40.0)] * 2 + [office_hours(9, 19, 40.0)] + [np.zeros(24)] * 4)
        alike = alike_weekdays(counts[0], 0.95)
        same += int(alike[0, 1])
        other += int(alike[0, 2] or alike[1, 2])
    assert same >= 34 and other == 0  # 95% of same-hours pairs pool (here 38 of 40); an hour later never does


def test_pooling_weekdays_with_the_same_hours_draws_their_shape_closer() -> None:
    rng = np.random.default_rng(6)
    truth = office_hours(8, 18, 6.0)
    errors = {0.95: 0.0, 1.0: 0.0}
    for _ in range(20):
        counts = weekday_counts(rng, [truth] * 5 + [np.zeros(24)] * 2)
        for level in errors:
            errors[level] += float(np.abs(pooled_shapes(counts, level)[0, 0] - truth / truth.sum()).sum())
    assert errors[0.95] < 0.6 * errors[1.0]  # five weekdays' days instead of one's: noise falls by ~sqrt(5)


def test_the_weekly_pattern_comes_from_the_long_window_and_the_volume_from_the_short_one() -> None:
    long = np.array([[100.0, 100.0, 100.0, 100.0, 50.0, 0.0, 0.0]])  # Friday half a weekday, the weekend closed
    short = np.array([[130.0, 120.0, 110.0, 125.0, 60.0, 0.0, 3.0]])  # the last weeks: busier, noisier
    days = [np.arange(8)] * 7
    got = rescaled_profile(long, short, days)
    assert got[0, :5] / got[0, 0] == pytest.approx([1.0, 1.0, 1.0, 1.0, 0.5])  # the long window's shares
    assert got[0, :5].sum() == pytest.approx(short[0, :5].sum())  # the short window's volume over its days
    assert got[0, 5] == 0.0 and got[0, 6] == 3.0  # a weekday the long window has no volume for keeps its mean


def test_a_step_in_volume_is_followed_although_the_weekly_pattern_reaches_further_back() -> None:
    first, start = dt.date(2025, 1, 6), dt.date(2025, 6, 2)  # 21 weeks: a 30% step 8 weeks before the start
    grid = interval_grid(first, (start - first).days, TZ, 60).as_unit("ns")
    local = grid.tz_convert(TZ)
    hours = np.zeros(24)
    hours[8:18] = 20.0
    mean = hours[local.hour.to_numpy()] * np.where(local.day_of_week.to_numpy() == 4, 0.5, 1.0)
    mean = mean * np.where(np.array(local.date) >= start - dt.timedelta(weeks=8), 1.3, 1.0)
    history = pd.DataFrame({"ds": grid, "queue": "q", "y": np.random.default_rng(2).poisson(mean).astype(float)})
    frame = forecast(history, None, start=start, days=7, options=ModelOptions(tz=TZ, interval_minutes=60), bands=False)
    daily = frame.frame.groupby(frame.frame["ds"].dt.tz_convert(TZ).dt.day_of_week)["yhat"].sum()
    assert daily[0] == pytest.approx(200.0 * 1.3, rel=0.05)  # the new level, not the 16-week average's
    assert daily[4] / daily[0] == pytest.approx(0.5, rel=0.06)
