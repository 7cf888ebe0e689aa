"""The day-of-month cycle: learned where the month shows one, exactly none where it does not."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecasts.backtest import backtest, weekly_origins
from forecasts.daytypes import AFTER, EVE, HOLIDAY, ORDINARY, SALE
from forecasts.grid import interval_grid
from forecasts.monthcycle import N_PHASES, cycle_factors, learn_month_cycle, month_phase
from forecasts.settings import DEFAULT_SETTINGS, ModelOptions, ModelSettings

TRUE_CYCLE = np.array([1.2, 1.1, 1.05, 0.95, 0.9, 0.8])


def dates_from(first: str, days: int) -> np.ndarray:
    return np.datetime64(first, "D") + np.arange(days)


def daily(days: np.ndarray, cycle: np.ndarray | None, rng: np.random.Generator, mean: float = 2000.0):
    """(1, D) Poisson daily totals around ``mean`` x the cycle, and the flat expected volume."""
    factor = np.ones(len(days)) if cycle is None else cycle[month_phase(days)]
    totals = rng.poisson(mean * factor).astype(float)[None, :]
    return totals, np.full((1, len(days)), mean)


def test_month_phase_cuts_the_month_into_working_weeks() -> None:
    days = np.array(["1999-01-01", "1999-01-05", "1999-01-06", "1999-01-25", "1999-01-26", "1999-01-31",
                     "1999-02-28", "2000-02-29"], dtype="datetime64[D]")  # fmt: skip
    assert month_phase(days).tolist() == [0, 0, 1, 4, 5, 5, 5, 5]


def test_the_cycle_applies_to_ordinary_and_sale_days_only() -> None:
    days = np.array(["2025-03-01", "2025-03-02", "2025-03-03", "2025-03-30", "2025-03-31"], dtype="datetime64[D]")
    kind = np.array([ORDINARY, SALE, HOLIDAY, EVE, AFTER])
    factor = cycle_factors(TRUE_CYCLE[None, :], days, kind)
    assert factor.tolist() == [[1.2, 1.2, 1.0, 1.0, 1.0]]


def test_a_clear_cycle_is_learned_within_a_few_percent() -> None:
    days = dates_from("2025-01-01", 181)
    totals, expected = daily(days, TRUE_CYCLE, np.random.default_rng(1))
    factor = learn_month_cycle(totals, expected, np.ones(len(days), dtype=bool), days, DEFAULT_SETTINGS)
    centred = TRUE_CYCLE / np.exp(np.mean(np.log(TRUE_CYCLE)))
    assert factor.shape == (1, N_PHASES)
    np.testing.assert_allclose(factor[0], centred, rtol=0.04)


@pytest.mark.parametrize("seed", range(5))
def test_no_cycle_gives_exactly_one(seed: int) -> None:
    days = dates_from("2025-01-01", 181)
    totals, expected = daily(days, None, np.random.default_rng(seed))
    factor = learn_month_cycle(totals, expected, np.ones(len(days), dtype=bool), days, DEFAULT_SETTINGS)
    assert (factor == 1.0).all()


def test_too_few_months_give_exactly_one() -> None:
    days = dates_from("2025-01-01", 40)  # January and 9 days of February: phases 2-5 seen once
    totals, expected = daily(days, TRUE_CYCLE, np.random.default_rng(0))
    factor = learn_month_cycle(totals, expected, np.ones(len(days), dtype=bool), days, DEFAULT_SETTINGS)
    assert (factor == 1.0).all()


def test_days_that_are_not_normal_are_not_learned_from() -> None:
    days = dates_from("2025-01-01", 181)
    totals, expected = daily(days, TRUE_CYCLE, np.random.default_rng(2))
    normal = month_phase(days) < 3  # only the first half of each month: the end-of-month phases are never seen
    factor = learn_month_cycle(totals, expected, normal, days, DEFAULT_SETTINGS)
    assert (factor == 1.0).all()


def test_a_month_busy_throughout_is_a_level_not_a_cycle() -> None:
    days = dates_from("2025-01-01", 181)
    month = days.astype("datetime64[M]").astype(int)
    totals = np.where(month % 2 == 0, 2600.0, 1400.0)[None, :]  # alternate busy and quiet months, flat inside
    factor = learn_month_cycle(totals, np.full_like(totals, 2000.0), np.ones(len(days), dtype=bool), days,
                               DEFAULT_SETTINGS)  # fmt: skip
    np.testing.assert_allclose(factor, 1.0)


@given(
    st.integers(min_value=0, max_value=2**31 - 1),
    st.integers(min_value=1, max_value=200),
    st.floats(min_value=0.0, max_value=500.0),
    st.integers(min_value=0, max_value=4),
)
def test_factors_are_positive_finite_and_one_without_evidence(seed: int, days_: int, mean: float, months: int) -> None:
    rng = np.random.default_rng(seed)
    days = dates_from("2024-11-20", days_)
    cycle = np.exp(rng.normal(0.0, 0.3, N_PHASES))
    totals, expected = daily(days, cycle, rng, mean)
    normal = rng.random(days_) < 0.8
    settings = ModelSettings(month_cycle_min_months=months)
    factor = learn_month_cycle(totals, expected, normal, days, settings)
    assert factor.shape == (1, N_PHASES)
    assert np.isfinite(factor).all() and (factor > 0).all()
    if not normal.any() or mean < 1.0:
        assert (factor == 1.0).all()


def test_a_backtest_on_a_monthly_series_gains_from_the_cycle() -> None:
    tz = "Europe/Berlin"
    first = dt.date(2025, 1, 6)
    grid = interval_grid(first, 182, tz, 60).as_unit("ns")
    local = grid.tz_convert(tz)
    day = np.array(local.date, dtype="datetime64[D]")
    hour = local.hour.to_numpy()
    mean = np.where((hour >= 8) & (hour < 18), 30.0, 1.0) * TRUE_CYCLE[month_phase(day)]
    history = pd.DataFrame({"ds": grid, "queue": "calls", "y": np.random.default_rng(0).poisson(mean).astype(float)})
    origins = weekly_origins(dt.date(2025, 5, 5), dt.date(2025, 6, 30))
    result = backtest(history, None, origins=origins, options=ModelOptions(tz=tz, interval_minutes=60))
    off = ModelOptions(tz=tz, interval_minutes=60, settings=ModelSettings(month_cycle_min_months=99))
    flat = backtest(history, None, origins=origins, options=off)
    assert result.score("model")["wape"] < 0.9 * flat.score("model")["wape"]
    assert result.score("model")["wape"] < result.score("avg_8w")["wape"]


def test_a_quiet_weekday_of_a_few_contacts_does_not_make_a_cycle() -> None:
    # busy weekdays with no cycle at all, and Sundays of about two contacts that happen to be empty early in the
    # month and hold five late in it: each Sunday's ratio swings by a factor of ten, which an unweighted mean per
    # phase read as a cycle; weighted by the precision of each day's count, two contacts count for little
    days = dates_from("2025-01-06", 147)  # a Monday, five months
    weekday = (days.astype(int) - 4) % 7  # 0 = Monday
    expected = np.where(weekday == 6, 2.0, 250.0)[None, :]
    totals = np.random.default_rng(3).poisson(expected).astype(float)
    late = month_phase(days) >= 3
    totals[0, weekday == 6] = np.where(late[weekday == 6], 5.0, 0.0)
    factor = learn_month_cycle(totals, expected, np.ones(len(days), dtype=bool), days, DEFAULT_SETTINGS)
    assert (factor == 1.0).all()


def test_a_short_history_without_a_cycle_rarely_shows_one() -> None:
    # five months of a team with busy weekdays and quiet weekends, 5% day-to-day variation on top of Poisson noise,
    # no cycle: the test at 95% should find one about one time in twenty; with the noise taken from a few months of
    # residuals alone it found one in eight (their few degrees of freedom now and then come out small by chance)
    days = dates_from("2025-01-06", 150)
    weekday = (days.astype(int) - 4) % 7  # 0 = Monday
    expected = np.where(weekday >= 5, 60.0, 400.0)
    found = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        totals = rng.poisson(expected * np.exp(rng.normal(0.0, 0.05, len(days)))).astype(float)[None, :]
        factor = learn_month_cycle(totals, expected[None, :], np.ones(len(days), dtype=bool), days, DEFAULT_SETTINGS)
        found += bool((factor != 1.0).any())
    assert found <= 8
