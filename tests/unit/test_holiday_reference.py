"""Which weekday a holiday looks like: the rest day, or the short day where it draws past holidays better."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecasts.forecast import forecast
from forecasts.grid import interval_grid
from forecasts.predict import closed_before_a_holiday
from forecasts.references import poisson_deviance
from forecasts.settings import ModelOptions

SP = "America/Sao_Paulo"
SAO_PAULO_60 = ModelOptions(tz=SP, interval_minutes=60)
PAST = ("2024-05-01", "2024-05-29")  # Wednesdays
NEXT = "2024-06-19"  # a Wednesday, never seen by name


def centre_volume(stamps: pd.DatetimeIndex) -> np.ndarray:
    """A contact centre: Mon-Fri 08-20 at 20 an hour, Saturday 08-14 at 10, Sunday closed."""
    local = stamps.tz_convert(SP)
    hour, weekday = local.hour.to_numpy(), local.day_of_week.to_numpy()
    volume = np.where((hour >= 8) & (hour < 20), 20.0, 0.2)
    saturday = np.where((hour >= 8) & (hour < 14), 10.0, 0.2)
    return np.where(weekday == 6, 0.2, np.where(weekday == 5, saturday, volume))


def centre(past_holiday: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ten weeks of a centre whose past holidays are ``saturday`` (Saturday hours) or ``closed``; the events."""
    grid = interval_grid(dt.date(2024, 4, 15), 70, SP, 60).as_unit("ns")
    local = grid.tz_convert(SP)
    mean = centre_volume(grid)
    day = np.array(local.strftime("%Y-%m-%d"))
    for past in PAST:
        like = centre_volume(grid + pd.Timedelta(days=3)) if past_holiday == "saturday" else np.full(len(grid), 0.2)
        mean = np.where(day == past, like, mean)  # three days on, a Wednesday is a Saturday
    y = np.random.default_rng(11).poisson(mean).astype(float)
    events = pd.DataFrame(
        {
            "event_id": [f"hol-{d}" for d in (*PAST, NEXT)],
            "name": ["Worker's Day", "Corpus Christi", "Juneteenth"],
            "category": "holiday",
            "start": [pd.Timestamp(d, tz=SP).tz_convert("UTC") for d in (*PAST, NEXT)],
            "end": [(pd.Timestamp(d, tz=SP) + pd.Timedelta(days=1)).tz_convert("UTC") for d in (*PAST, NEXT)],
            "all_day": True,
            "uplift": np.nan,
        }
    )
    return pd.DataFrame({"ds": grid, "queue": "calls", "y": y}), events


@pytest.mark.parametrize("past_holiday", ["saturday", "closed"])
def test_a_team_that_works_its_holidays_with_saturday_hours_gets_saturday_hours(past_holiday: str) -> None:
    # Sunday (the rest day) is closed: a Wednesday holiday worked 08-14 at half a weekday is no mix of a
    # Wednesday and a Sunday; read against the short day (Saturday) it is a Saturday. A team closed on its
    # holidays keeps the rest day (nothing on the holiday, no Saturday hours either)
    history, events = centre(past_holiday)
    result = forecast(history, events, start=dt.date(2024, 6, 17), days=7, options=SAO_PAULO_60)
    frame = result.frame
    hours = frame[frame["ds"].dt.tz_convert(SP).dt.strftime("%Y-%m-%d") == NEXT]
    hour = hours["ds"].dt.tz_convert(SP).dt.hour
    total = float(hours["yhat"].sum())
    if past_holiday == "saturday":
        np.testing.assert_allclose(total, 60.0, rtol=0.15)  # a Saturday's volume
        assert hours.loc[hour >= 14, "yhat"].sum() < 0.05 * total  # ... in a Saturday's hours: closed from 14:00
        np.testing.assert_allclose(hours.loc[(hour >= 8) & (hour < 14), "yhat"], 10.0, rtol=0.3)
    else:
        assert total < 0.05 * float(hours["baseline"].sum())  # closed, like Sunday
        assert hours.loc[(hour >= 8) & (hour < 14), "yhat"].max() < 1.0  # no Saturday hours
    assert result.uplifts.iloc[-1]["source"] == "group"


def test_poisson_deviance_is_zero_on_a_perfect_fit_and_finite_where_the_fit_expects_nothing() -> None:
    counts = np.array([[0.0, 3.0, 10.0]])
    np.testing.assert_allclose(poisson_deviance(counts, counts), [[1 / 8, 0.0, 0.0]])  # the floor on an empty hour
    assert np.isfinite(poisson_deviance(counts, np.zeros_like(counts))).all()
    assert (poisson_deviance(counts, counts + 2.0) > 0).all()


IL = "Asia/Jerusalem"
JERUSALEM_60 = ModelOptions(tz=IL, interval_minutes=60)


def bank_volume(stamps: pd.DatetimeIndex) -> np.ndarray:
    """A bank: Sunday-Thursday 08-20 at 100 an hour, Friday until 13:00, Saturday closed until 20:00."""
    local = stamps.tz_convert(IL)
    hour, weekday = local.hour.to_numpy(), local.day_of_week.to_numpy()
    volume = np.where((hour >= 8) & (hour < 20), 100.0, 4.0)
    volume = np.where((weekday == 4) & (hour >= 13), 1.0, volume)
    return np.where(weekday == 5, np.where(hour >= 20, 30.0, 0.5), volume)


def test_an_eve_of_a_closed_holiday_learns_from_the_eves_of_closed_holidays_only() -> None:
    # two closed holidays (like Saturday) whose eves closed at 13:00 like a Friday, and a holiday worked at 40%
    # whose eve was an ordinary day: past eves disagree, but the next holiday is closed (its group's median), so
    # its eve, never seen by name, is priced from the eves of closed holidays: a Friday, not an ordinary day
    grid = interval_grid(dt.date(2024, 1, 7), 22 * 7, IL, 60).as_unit("ns")
    local = grid.tz_convert(IL)
    day = np.array(local.strftime("%Y-%m-%d"))
    mean = bank_volume(grid)
    three_days_on = bank_volume(grid + pd.Timedelta(days=3))  # a Tuesday's Friday, a Wednesday's Saturday
    for eve, holiday_day in (("2024-03-05", "2024-03-06"), ("2024-04-09", "2024-04-10")):  # Tuesday eves
        mean = np.where(day == eve, three_days_on, mean)
        mean = np.where(day == holiday_day, three_days_on, mean)
    mean = np.where(day == "2024-05-08", 0.4 * mean, mean)  # worked at 40%; its eve (05-07) as usual
    y = np.random.default_rng(5).poisson(mean).astype(float)
    history = pd.DataFrame({"ds": grid, "queue": "calls", "y": y})
    days = ("2024-03-06", "2024-04-10", "2024-05-08", "2024-06-05")
    events = pd.DataFrame(
        {
            "event_id": [f"hol-{d}" for d in days],
            "name": ["Purim", "Pesach", "Independence Day", "Shavuot"],
            "category": "holiday",
            "start": [pd.Timestamp(d, tz=IL).tz_convert("UTC") for d in days],
            "end": [(pd.Timestamp(d, tz=IL) + pd.Timedelta(days=1)).tz_convert("UTC") for d in days],
            "all_day": True,
            "uplift": np.nan,
        }
    )
    result = forecast(history, events, start=dt.date(2024, 6, 2), days=7, options=JERUSALEM_60)
    frame = result.frame
    eve = frame[frame["ds"].dt.tz_convert(IL).dt.strftime("%Y-%m-%d") == "2024-06-04"]
    eve_hour = eve["ds"].dt.tz_convert(IL).dt.hour
    np.testing.assert_allclose(eve["yhat"].sum(), 5 * 100.0 + 19 * 1.0, rtol=0.25)  # a Friday's volume
    afternoon = eve[eve_hour >= 14]
    assert afternoon["yhat"].sum() < 0.1 * afternoon["baseline"].sum()  # closed after 13:00 like a Friday


def test_a_closed_weekday_with_hours_in_its_middle_is_not_closed_by_the_holiday_after_it() -> None:
    hours = np.arange(24)
    sabbath = np.where(hours >= 20, 30.0, 0.5)  # closed until sundown, then open
    short_sunday = np.where((hours >= 10) & (hours < 16), 10.0, 0.2)  # a few hours in the middle of the day
    quiet = np.full(24, 0.3)  # closed: a few calls spread over the day
    for profile, closed in ((sabbath, True), (short_sunday, False), (quiet, True)):
        shape = (profile / profile.sum())[None, :]
        assert closed_before_a_holiday(shape, np.array([profile.sum()])) is closed


def test_a_short_sunday_before_a_holiday_is_a_sunday_as_usual() -> None:
    # Sunday 10-16 is under a fifth of a weekday (a closed weekday by the forecast's measure) but has no reopening at
    # its end for a Monday holiday to take away: it is forecast as a usual Sunday, not as the holiday's share of it
    grid = interval_grid(dt.date(2024, 4, 15), 70, SP, 60).as_unit("ns")
    local = grid.tz_convert(SP)
    hour, weekday = local.hour.to_numpy(), local.day_of_week.to_numpy()
    weekdays = np.where((hour >= 8) & (hour < 20), 20.0, 0.2)
    sunday = np.where((hour >= 10) & (hour < 16), 6.0, 0.1)
    mean = np.where(weekday == 6, sunday, weekdays)
    day = np.array(local.strftime("%Y-%m-%d"))
    holidays_ = ("2024-05-06", "2024-06-03", "2024-06-24")  # Mondays, worked with Sunday hours
    for holiday_day in holidays_:
        mean = np.where(day == holiday_day, np.where((hour >= 10) & (hour < 16), 6.0, 0.1), mean)
    y = np.random.default_rng(2).poisson(mean).astype(float)
    events = pd.DataFrame(
        {
            "event_id": [f"hol-{d}" for d in holidays_],
            "name": ["First", "Second", "Third"],
            "category": "holiday",
            "start": [pd.Timestamp(d, tz=SP).tz_convert("UTC") for d in holidays_],
            "end": [(pd.Timestamp(d, tz=SP) + pd.Timedelta(days=1)).tz_convert("UTC") for d in holidays_],
            "all_day": True,
            "uplift": np.nan,
        }
    )
    history = pd.DataFrame({"ds": grid, "queue": "calls", "y": y})
    result = forecast(history, events, start=dt.date(2024, 6, 17), days=7, options=SAO_PAULO_60)
    frame = result.frame
    sunday_before = frame[frame["ds"].dt.tz_convert(SP).dt.strftime("%Y-%m-%d") == "2024-06-23"]
    np.testing.assert_allclose(sunday_before["yhat"].sum(), 6 * 6.0 + 18 * 0.1, rtol=0.25)
