"""Unusual days: a day whose hours lie far from its weekday's is left out of the baseline; Poisson days are kept."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecasts.forecast import forecast
from forecasts.grid import interval_grid
from forecasts.settings import DEFAULT_SETTINGS, ModelOptions, ModelSettings
from forecasts.unusual_days import day_distances, unusual_days

SPREAD = DEFAULT_SETTINGS.unusual_hours_spread
WINDOW = DEFAULT_SETTINGS.effect_window_days
SHAPE = np.array([0, 0, 0, 0, 0, 0, 1, 4, 8, 10, 10, 9, 8, 9, 10, 9, 8, 6, 4, 3, 2, 1, 0, 0], dtype=float)


def poisson_days(rng: np.random.Generator, n_days: int, per_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(D, 24) Poisson hours of ``per_day[weekday]`` contacts a day in :data:`SHAPE`, and the weekdays."""
    weekday = np.arange(n_days) % 7
    mean = per_day[weekday][:, None] * SHAPE[None, :] / SHAPE.sum()
    return rng.poisson(mean).astype(float), weekday


def test_a_day_with_a_rush_in_one_hour_is_unusual_and_no_other() -> None:
    slots, weekday = poisson_days(np.random.default_rng(3), 12 * 7, np.array([1500, 1400, 1400, 1400, 600, 200, 1600]))
    election = 9 * 7  # a Monday: 400 contacts at 07:00 where ~36 are usual, a quiet rest of the day
    slots[election] = np.round(slots[election] * 0.6)
    slots[election, 7] = 400.0
    normal = np.ones(len(slots), dtype=bool)
    found = unusual_days(slots, weekday, normal, SPREAD, WINDOW)
    assert np.flatnonzero(found).tolist() == [election]


def test_only_normal_days_are_judged_and_drawn_from() -> None:
    slots, weekday = poisson_days(np.random.default_rng(4), 10 * 7, np.full(7, 800.0))
    slots[21, 12] = 600.0  # a holiday that looked odd: not a normal day, neither judged nor a neighbour
    normal = np.ones(len(slots), dtype=bool)
    normal[21] = False
    assert not unusual_days(slots, weekday, normal, SPREAD, WINDOW).any()
    assert np.isnan(day_distances(slots, weekday, normal, WINDOW)[21])


@pytest.mark.parametrize(("per_day", "seed"), [(1000.0, 0), (1000.0, 1), (120.0, 2), (120.0, 3), (3.0, 4), (3.0, 5)])
def test_poisson_days_are_kept(per_day: float, seed: int) -> None:
    """A history without anomalies loses (almost) nothing, whether busy or a few contacts a day."""
    slots, weekday = poisson_days(np.random.default_rng(seed), 26 * 7, np.full(7, per_day))
    found = unusual_days(slots, weekday, np.ones(len(slots), dtype=bool), SPREAD, WINDOW)
    assert found.sum() <= 1


def test_day_distances_are_the_pearson_distance_from_the_neighbours_shape() -> None:
    rng = np.random.default_rng(7)
    slots = rng.poisson(3.0, (60, 6)).astype(float)
    weekday = (np.arange(60) + 2) % 7
    normal = rng.random(60) < 0.8
    got = day_distances(slots, weekday, normal, WINDOW)
    day = np.arange(60)
    for i in range(60):
        near = normal & (weekday == weekday[i]) & (np.abs(day - i) <= WINDOW) & (day != i)
        if not normal[i] or near.sum() < 2:
            assert np.isnan(got[i])
            continue
        pooled = slots[near].sum(axis=0)
        mu = slots[i].sum() * pooled / pooled.sum()
        assert got[i] == pytest.approx(((slots[i] - mu) ** 2 / (mu + 1.0)).sum())


def test_an_unusual_day_does_not_shape_the_weeks_after_it() -> None:
    tz = "Asia/Jerusalem"
    first, start = dt.date(2025, 1, 5), dt.date(2025, 4, 6)
    grid = interval_grid(first, (start - first).days, tz, 60).as_unit("ns")
    local = grid.tz_convert(tz)
    y = np.random.default_rng(11).poisson(60.0 * SHAPE[local.hour.to_numpy()] / SHAPE.mean()).astype(float)
    rush = (local.date == dt.date(2025, 3, 24)) & (local.hour == 7)  # a Monday two weeks before the start
    y[rush] = 450.0
    history = pd.DataFrame({"ds": grid, "queue": "calls", "y": y})
    options = ModelOptions(tz=tz, interval_minutes=60)
    result = forecast(history, None, start=start, days=7, options=options, bands=False)
    frame = result.frame.assign(local=result.frame["ds"].dt.tz_convert(tz))
    monday_seven = frame[(frame["local"].dt.day_of_week == 0) & (frame["local"].dt.hour == 7)]["yhat"]
    usual = 60.0 * SHAPE[7] / SHAPE.mean()
    assert float(monday_seven.iloc[0]) == pytest.approx(usual, rel=0.15)
    assert any("unusual day(s)" in w and "2025-03-24" in w for w in result.warnings)
    kept = ModelOptions(tz=tz, interval_minutes=60, settings=ModelSettings(unusual_hours_spread=float("inf")))
    averaged = forecast(history, None, start=start, days=7, options=kept, bands=False).frame
    before = averaged.assign(local=averaged["ds"].dt.tz_convert(tz))
    drawn = before[(before["local"].dt.day_of_week == 0) & (before["local"].dt.hour == 7)]["yhat"]
    assert float(drawn.iloc[0]) > usual * 1.5  # what it did before: the rush spread over the next Mondays
