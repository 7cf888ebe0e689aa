"""Seasonal baseline x event uplift forecast, and holidays as events."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from calendars.errors import InputError
from forecasts.forecast import FORECAST_COLUMNS, UPLIFT_COLUMNS, detect_outage_days, forecast
from forecasts.grid import interval_grid
from forecasts.holidays_calendar import EVENT_COLUMNS, holiday_events
from forecasts.queue_shares import BAND_COLUMNS
from forecasts.settings import DEFAULT_SETTINGS, ModelOptions

TZ = "Europe/Berlin"
BERLIN_30 = ModelOptions(tz=TZ, interval_minutes=30)
QUEUES = {"chat": 1.0, "email": 0.5}


def expected_volume(stamps: pd.DatetimeIndex, tz: str = TZ) -> np.ndarray:
    """Noise-free weekly x intraday shape: depends on local weekday and wall-clock time only."""
    local = stamps.tz_convert(tz)
    weekday = local.day_of_week.to_numpy()
    minutes = (local.hour * 60 + local.minute).to_numpy()
    intraday = 1.0 + np.sin(np.pi * minutes / (24 * 60)) * 9.0
    return intraday * (10.0 + 2.0 * weekday)


def make_history(
    first: dt.date, days: int, *, tz: str = TZ, interval: int = 30, noise: np.random.Generator | None = None
) -> pd.DataFrame:
    grid = interval_grid(first, days, tz, interval).as_unit("ns")
    frames = []
    for queue, scale in QUEUES.items():
        y = expected_volume(grid, tz) * scale
        if noise is not None:
            y = noise.poisson(y).astype(float)
        frames.append(pd.DataFrame({"ds": grid, "queue": queue, "y": y}))
    return pd.concat(frames, ignore_index=True)


def make_events(rows: list[tuple[str, str, str, str, float]], *, tz: str = TZ, all_day: bool = True) -> pd.DataFrame:
    """Events from ``(event_id, category, local start, local end, uplift)``."""
    frame = pd.DataFrame(
        {
            "event_id": [r[0] for r in rows],
            "name": [r[0].title() for r in rows],
            "category": [r[1] for r in rows],
            "start": [pd.Timestamp(r[2], tz=tz).tz_convert("UTC") for r in rows],
            "end": [pd.Timestamp(r[3], tz=tz).tz_convert("UTC") for r in rows],
            "all_day": all_day,
            "uplift": [r[4] for r in rows],
        }
    )
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    return frame


def scale_days(history: pd.DataFrame, days: list[str], factor: float, tz: str = TZ) -> pd.DataFrame:
    out = history.copy()
    local = out["ds"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d")
    out.loc[local.isin(days), "y"] *= factor
    return out


def test_noise_free_history_reproduces_the_baseline_exactly() -> None:
    history = make_history(dt.date(2026, 8, 3), 70)
    result = forecast(history, None, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    frame = result.frame
    assert tuple(frame.columns) == FORECAST_COLUMNS
    grid = interval_grid(dt.date(2026, 10, 12), 7, TZ, 30)
    for queue, scale in QUEUES.items():
        rows = frame[frame["queue"] == queue]
        assert rows["ds"].tolist() == list(grid)
        np.testing.assert_allclose(rows["baseline"], expected_volume(grid) * scale, rtol=1e-12)
    assert (frame["uplift"] == 0.0).all()
    assert (frame["yhat"] == frame["baseline"]).all()
    assert (frame["events"] == "").all()
    assert result.warnings == ()
    assert frame["queue"].tolist() == sorted(frame["queue"].tolist())


def test_dst_week_has_50_intervals_on_the_long_day_and_repeats_the_slot() -> None:
    history = make_history(dt.date(2026, 8, 3), 70)
    result = forecast(history, None, start=dt.date(2026, 10, 19), days=7, options=BERLIN_30)
    chat = result.frame[result.frame["queue"] == "chat"]
    local = chat["ds"].dt.tz_convert(TZ)
    long_day = chat[local.dt.date == dt.date(2026, 10, 25)]
    assert len(long_day) == 50
    np.testing.assert_allclose(long_day["baseline"], expected_volume(pd.DatetimeIndex(long_day["ds"])), rtol=1e-12)
    at_0230 = long_day[local[long_day.index].dt.strftime("%H:%M") == "02:30"]
    assert len(at_0230) == 2 and at_0230["baseline"].nunique() == 1


def test_history_spanning_dst_changes_still_matches_wall_clock_slots() -> None:
    # history covers the spring change (23-hour day), forecast a week after the autumn one
    history = make_history(dt.date(2026, 3, 2), 250, interval=60)
    result = forecast(history, None, start=dt.date(2026, 11, 9), days=7, options=ModelOptions(tz=TZ, interval_minutes=60))
    grid = interval_grid(dt.date(2026, 11, 9), 7, TZ, 60)
    chat = result.frame[result.frame["queue"] == "chat"]
    np.testing.assert_allclose(chat["baseline"], expected_volume(grid), rtol=1e-12)


def test_injected_uplift_is_learned_within_ten_percent() -> None:
    rng = np.random.default_rng(7)
    history = make_history(dt.date(2026, 5, 4), 161, noise=rng)
    sales = ["2026-07-03", "2026-08-07", "2026-09-11"]  # Fridays
    history = scale_days(history, sales, 2.5)  # +150 %
    past = [(f"sale-{d}", "sale", d, str(dt.date.fromisoformat(d) + dt.timedelta(days=1)), np.nan) for d in sales]
    future = [("sale-next", "sale", "2026-10-16", "2026-10-17", np.nan)]
    result = forecast(
        history, make_events(past + future), start=dt.date(2026, 10, 12), days=7, options=BERLIN_30
    )
    uplifts = result.uplifts
    assert tuple(uplifts.columns) == UPLIFT_COLUMNS
    assert (uplifts["source"] == "learned").all() and (uplifts["occurrences"] == 3).all()
    assert np.allclose(uplifts["multiplier"], 2.5, rtol=0.10)
    frame = result.frame
    on_sale = frame["ds"].dt.tz_convert(TZ).dt.date == dt.date(2026, 10, 16)
    assert (frame.loc[on_sale, "events"] == "Sale-Next").all()
    assert (frame.loc[~on_sale, "uplift"] == 0.0).all()
    assert np.allclose(frame.loc[on_sale, "uplift"], 1.5, atol=0.25)  # the extra volume: x2.5 is +150 %
    assert np.allclose(frame["yhat"], frame["baseline"] * (1.0 + frame["uplift"]))


def test_past_event_days_do_not_leak_into_the_baseline() -> None:
    history = scale_days(make_history(dt.date(2026, 8, 3), 70), ["2026-10-09"], 5.0)
    events = make_events([("sale-a", "sale", "2026-10-09", "2026-10-10", np.nan)])
    result = forecast(history, events, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    grid = interval_grid(dt.date(2026, 10, 12), 7, TZ, 30)
    chat = result.frame[result.frame["queue"] == "chat"]
    np.testing.assert_allclose(chat["baseline"], expected_volume(grid), rtol=1e-12)


def test_stated_uplift_overrides_the_learned_one() -> None:
    history = scale_days(make_history(dt.date(2026, 6, 1), 133), ["2026-09-04"], 2.5)
    events = make_events(
        [
            ("sale-past", "sale", "2026-09-04", "2026-09-05", np.nan),
            ("sale-next", "sale", "2026-10-16", "2026-10-17", 0.2),
        ]
    )
    result = forecast(history, events, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    assert set(result.uplifts["source"]) == {"stated"}
    assert np.allclose(result.uplifts["multiplier"], 1.2)
    on_sale = result.frame["events"] != ""
    assert np.allclose(result.frame.loc[on_sale, "uplift"], 0.2)  # as stated


def test_unknown_category_gets_no_uplift_and_a_warning() -> None:
    history = make_history(dt.date(2026, 8, 3), 70)
    events = make_events([("flash", "flash", "2026-10-14", "2026-10-15", np.nan)])
    result = forecast(history, events, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    assert set(result.uplifts["source"]) == {"none"}
    assert (result.frame["uplift"] == 0.0).all()
    assert (result.frame["events"] != "").sum() == 2 * 48
    assert any("no past 'flash' event" in w for w in result.warnings)


def test_overlapping_events_take_the_largest_multiplier_and_list_both_names() -> None:
    history = make_history(dt.date(2026, 8, 3), 70)
    events = make_events(
        [
            ("big", "promo", "2026-10-14", "2026-10-16", 1.0),
            ("small", "promo", "2026-10-15", "2026-10-16", 0.5),
            ("quiet", "holiday", "2026-10-16", "2026-10-17", -0.6),
        ]
    )
    result = forecast(history, events, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    chat = result.frame[result.frame["queue"] == "chat"]
    by_day = chat.groupby(chat["ds"].dt.tz_convert(TZ).dt.date)
    assert by_day["uplift"].max().to_dict()[dt.date(2026, 10, 15)] == 1.0
    assert by_day["events"].first().to_dict()[dt.date(2026, 10, 15)] == "Big;Small"
    assert np.isclose(by_day["uplift"].max().to_dict()[dt.date(2026, 10, 16)], -0.6)  # a lone holiday lowers volume


def test_timed_event_lifts_only_the_intervals_it_overlaps() -> None:
    history = make_history(dt.date(2026, 8, 3), 70)
    events = make_events([("flash", "flash", "2026-10-14T18:15", "2026-10-14T20:00", 1.0)], all_day=False)
    result = forecast(history, events, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    chat = result.frame[result.frame["queue"] == "chat"]
    lifted = chat.loc[chat["uplift"] == 1.0, "ds"].dt.tz_convert(TZ).dt.strftime("%H:%M").tolist()
    assert lifted == ["18:00", "18:30", "19:00", "19:30"]


def test_learned_holiday_effect_from_holiday_events() -> None:
    tz = "Europe/Moscow"
    history = make_history(dt.date(2025, 10, 6), 182, tz=tz, interval=60)
    holidays = holiday_events("RU", dt.date(2025, 10, 6), dt.date(2026, 5, 31), tz)
    past_days = [d.tz_convert(tz).strftime("%Y-%m-%d") for d in holidays["start"] if d < pd.Timestamp("2026-04-06", tz=tz)]
    history = scale_days(history, past_days, 0.3, tz=tz)
    result = forecast(history, holidays, start=dt.date(2026, 4, 27), days=14, options=ModelOptions(tz=tz, interval_minutes=60))
    learned = result.uplifts[result.uplifts["category"] == "holiday"]
    # holidays never seen by name are priced from their group, which agrees here (all at 0.3)
    assert len(learned) > 0 and set(learned["source"]) <= {"learned", "group"}
    assert np.allclose(learned["multiplier"], 0.3, rtol=0.05)
    may_day = result.frame[result.frame["ds"].dt.tz_convert(tz).dt.date == dt.date(2026, 5, 1)]
    assert np.allclose(may_day["uplift"], -0.7, atol=0.015)
    # the lead is told which holidays rest on other holidays alone, and the key that settles each
    group = sorted({str(n) for n in learned.loc[learned["source"] == "group", "name"]})
    told = [w for w in result.warnings if "was never seen in the history: forecast as the past holidays went" in w]
    assert group and len(told) == len(group) and all('[forecast.holidays] "' in w for w in told)
    assert any("2026-05-01 (Friday)" in w for w in told)


def test_outage_days_are_reported_and_left_out() -> None:
    history = scale_days(make_history(dt.date(2026, 8, 3), 70), ["2026-09-30"], 0.05)
    result = forecast(history, None, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    assert result.outage_days == (dt.date(2026, 9, 30),)
    assert any("outage" in w and "2026-09-30" in w for w in result.warnings)
    grid = interval_grid(dt.date(2026, 10, 12), 7, TZ, 30)
    chat = result.frame[result.frame["queue"] == "chat"]
    np.testing.assert_allclose(chat["baseline"], expected_volume(grid), rtol=1e-12)
    assert detect_outage_days(history, TZ) == (dt.date(2026, 9, 30),)
    closed = make_events([("closed", "holiday", "2026-09-30", "2026-10-01", np.nan)])
    assert detect_outage_days(history, TZ, events=closed) == ()


def test_history_after_start_is_ignored() -> None:
    history = make_history(dt.date(2026, 8, 3), 70)
    later = scale_days(make_history(dt.date(2026, 8, 3), 90), [f"2026-10-{d}" for d in range(12, 32)], 3.0)
    a = forecast(history, None, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    b = forecast(later, None, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    pd.testing.assert_frame_equal(a.frame, b.frame)


def test_stale_history_warns() -> None:
    history = make_history(dt.date(2026, 3, 2), 70)
    result = forecast(history, None, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    assert any("days before the planned start 2026-10-12" in w for w in result.warnings)


def test_too_little_history_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"no history before 2026-08-03 in tickets\.csv \(the history starts on 2026-08-03\)"):
        forecast(
            make_history(dt.date(2026, 8, 3), 70),
            None,
            start=dt.date(2026, 8, 3),
            days=7,
            options=dataclasses.replace(BERLIN_30, source="tickets.csv"),
        )
    with pytest.raises(InputError, match=r"need at least 2 normal weeks before 2026-08-13 .*1 normal Wednesday"):
        forecast(make_history(dt.date(2026, 8, 3), 9), None, start=dt.date(2026, 8, 13), days=7, options=BERLIN_30)


def test_malformed_inputs_are_input_errors() -> None:
    history = make_history(dt.date(2026, 8, 3), 21)
    with pytest.raises(InputError, match=r"missing columns \['start', 'end'\] in events"):
        forecast(history, pd.DataFrame(columns=["event_id", "name", "category", "uplift"]), start=dt.date(2026, 8, 24),
                 days=1, options=BERLIN_30)
    with pytest.raises(InputError, match=r"missing columns \['queue'\] in history"):
        forecast(history.drop(columns="queue"), None, start=dt.date(2026, 8, 24), days=1, options=BERLIN_30)
    with pytest.raises(InputError, match="not on the 60-minute grid"):
        forecast(history, None, start=dt.date(2026, 8, 24), days=1, options=ModelOptions(tz=TZ, interval_minutes=60))
    naive = history.assign(ds=history["ds"].dt.tz_localize(None))
    with pytest.raises(InputError, match="timezone-aware"):
        forecast(naive, None, start=dt.date(2026, 8, 24), days=1, options=BERLIN_30)
    negative = make_events([("oops", "sale", "2026-08-24", "2026-08-25", -2.0)])
    with pytest.raises(InputError, match="would make volume negative"):
        forecast(history, negative, start=dt.date(2026, 8, 24), days=1, options=BERLIN_30)


# -- holidays --------------------------------------------------------------------


def test_holiday_events_ru_2026() -> None:
    events = holiday_events("RU", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "Europe/Moscow")
    assert tuple(events.columns) == EVENT_COLUMNS
    first = events.iloc[0]
    assert first["event_id"] == "holiday-RU-2026-01-01"
    assert first["name"] and first["category"] == "holiday" and bool(first["all_day"])
    assert np.isnan(first["uplift"])
    assert first["start"] == pd.Timestamp("2026-01-01T00:00:00+03:00")
    assert first["end"] == pd.Timestamp("2026-01-02T00:00:00+03:00")
    assert events["start"].is_monotonic_increasing
    assert str(events["start"].dtype) == "datetime64[ns, UTC]"


def test_holiday_events_unknown_country() -> None:
    with pytest.raises(InputError, match="unknown holiday country 'XX'"):
        holiday_events("XX", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "Europe/Moscow")


def test_event_of_unknown_effect_does_not_cancel_a_known_one() -> None:
    history = make_history(dt.date(2026, 8, 3), 70)
    events = make_events(
        [("closed", "holiday", "2026-10-14", "2026-10-15", -0.5), ("mystery", "flash", "2026-10-14", "2026-10-15", np.nan)]
    )
    result = forecast(history, events, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    on_day = result.frame["events"] == "Closed;Mystery"
    assert on_day.sum() == 2 * 48
    assert np.allclose(result.frame.loc[on_day, "uplift"], -0.5)


# -- the calendar model: eves, days after, shapes ---------------------------------------

IL = "Asia/Jerusalem"
JERUSALEM_60 = ModelOptions(tz=IL, interval_minutes=60)


def bank_volume(stamps: pd.DatetimeIndex, tz: str = IL) -> np.ndarray:
    """A bank's hourly calls: busy 08-20 Sunday-Thursday, Friday until 13:00, Saturday closed until sundown."""
    local = stamps.tz_convert(tz)
    hour = local.hour.to_numpy()
    weekday = local.day_of_week.to_numpy()
    open_hours = (hour >= 8) & (hour < 20)
    volume = np.where(open_hours, 100.0, 4.0)
    volume = np.where((weekday == 4) & (hour >= 13), 1.0, volume)  # Friday closes early
    return np.where(weekday == 5, np.where(hour >= 20, 30.0, 0.5), volume)  # Saturday


def bank_history(first: dt.date, days: int, rng: np.random.Generator | None = None) -> pd.DataFrame:
    grid = interval_grid(first, days, IL, 60).as_unit("ns")
    y = bank_volume(grid)
    if rng is not None:
        y = rng.poisson(y).astype(float)
    return pd.DataFrame({"ds": grid, "queue": "calls", "y": y})


def holiday(day: str) -> tuple[str, str, str, str, float]:
    return (f"hol-{day}", "holiday", day, str(dt.date.fromisoformat(day) + dt.timedelta(days=1)), np.nan)


def local_day(frame: pd.DataFrame, day: str, tz: str = IL) -> pd.DataFrame:
    return frame[frame["ds"].dt.tz_convert(tz).dt.date == dt.date.fromisoformat(day)]


def test_holiday_eve_learns_to_close_early_and_the_holiday_to_open_at_sundown() -> None:
    rng = np.random.default_rng(3)
    history = bank_history(dt.date(1999, 1, 3), 20 * 7, rng)
    local = history["ds"].dt.tz_convert(IL)
    hour, day = local.dt.hour, local.dt.strftime("%Y-%m-%d")
    past = ["1999-02-10", "1999-03-10", "1999-04-07"]  # Wednesdays
    for holiday_day in past:
        eve = str(dt.date.fromisoformat(holiday_day) - dt.timedelta(days=1))
        history.loc[(day == eve) & (hour >= 13), "y"] = 0.0  # eves close at 13:00
        on = day == holiday_day
        history.loc[on, "y"] = np.where(hour[on] >= 20, 40.0, 0.0)  # the holiday opens after sundown
    events = make_events([holiday(d) for d in [*past, "1999-05-26"]], tz=IL)
    result = forecast(history, events, start=dt.date(1999, 5, 23), days=7, options=JERUSALEM_60)

    eve = local_day(result.frame, "1999-05-25")
    eve_hour = eve["ds"].dt.tz_convert(IL).dt.hour
    assert (eve["events"] == "Hol-1999-05-26 (day before)").all()
    afternoon = eve[eve_hour >= 14]
    assert afternoon["yhat"].sum() < 0.05 * afternoon["baseline"].sum()  # closed after 13:00
    morning = eve[(eve_hour >= 8) & (eve_hour < 13)]
    np.testing.assert_allclose(morning["yhat"], 100.0, rtol=0.15)  # the open hours keep their volume
    day_of = local_day(result.frame, "1999-05-26")
    day_hour = day_of["ds"].dt.tz_convert(IL).dt.hour
    np.testing.assert_allclose(day_of["yhat"].sum(), 4 * 40.0, rtol=0.10)
    assert day_of.loc[day_hour < 20, "yhat"].sum() < 0.10 * day_of["yhat"].sum()  # closed until sundown
    row = result.uplifts.iloc[0]
    # never seen by name: priced from the three past holidays, which agree (all closed until sundown)
    assert row["source"] == "group" and row["occurrences"] == 0
    np.testing.assert_allclose(row["before"], eve["yhat"].sum() / eve["baseline"].sum(), rtol=1e-9)


def test_a_holiday_priced_from_one_past_holiday_lies_halfway_to_the_rest_day() -> None:
    # one past holiday opened after sundown at half a Saturday's volume; the next, never seen by name, is priced
    # from that group of one, which weighs as much as the chain's fallback (the rest day): halfway between them
    rng = np.random.default_rng(7)
    history = bank_history(dt.date(1999, 1, 3), 12 * 7, rng)
    local = history["ds"].dt.tz_convert(IL)
    on = local.dt.strftime("%Y-%m-%d") == "1999-02-17"  # a Wednesday
    history.loc[on, "y"] = rng.poisson(np.where(local.dt.hour[on] >= 20, 15.0, 0.0)).astype(float)
    events = make_events([holiday("1999-02-17"), holiday("1999-04-07")], tz=IL)
    result = forecast(history, events, start=dt.date(1999, 4, 4), days=7, options=JERUSALEM_60)
    day_of = local_day(result.frame, "1999-04-07")
    saturday = bank_volume(pd.DatetimeIndex(day_of["ds"]) + pd.Timedelta(days=3)).sum()
    past_day = float(history.loc[on, "y"].sum())
    np.testing.assert_allclose(day_of["yhat"].sum(), (past_day + saturday) / 2, rtol=0.1)
    assert result.uplifts.iloc[-1]["source"] == "group"


def test_an_eve_priced_from_its_group_keeps_the_groups_level_in_the_shape_of_the_day_before_the_rest_day() -> None:
    # two past eves of other holidays: one closes at 13:00, the other is worked at half volume all day;
    # the next eve takes their mean share of an ordinary day, shaped like Friday (closing at 13:00), not half of each
    rng = np.random.default_rng(4)
    history = bank_history(dt.date(1999, 1, 3), 20 * 7, rng)
    local = history["ds"].dt.tz_convert(IL)
    hour, day = local.dt.hour, local.dt.strftime("%Y-%m-%d")
    history.loc[(day == "1999-03-09") & (hour >= 13), "y"] = 0.0
    history.loc[day == "1999-04-06", "y"] = rng.poisson(0.5 * bank_volume(pd.DatetimeIndex(history.loc[day == "1999-04-06", "ds"])))
    for holiday_day in ("1999-03-10", "1999-04-07"):
        on = day == holiday_day
        history.loc[on, "y"] = np.where(hour[on] >= 20, 40.0, 0.0)
    events = make_events([holiday(d) for d in ("1999-03-10", "1999-04-07", "1999-05-26")], tz=IL)
    result = forecast(history, events, start=dt.date(1999, 5, 23), days=7, options=JERUSALEM_60)
    eve = local_day(result.frame, "1999-05-25")
    eve_hour = eve["ds"].dt.tz_convert(IL).dt.hour
    share = eve["yhat"].sum() / eve["baseline"].sum()
    ordinary = local_day(history, "1999-03-02")["y"].sum()  # an ordinary Tuesday
    past_shares = [local_day(history, past_eve)["y"].sum() / ordinary for past_eve in ("1999-03-09", "1999-04-06")]
    friday = local_day(history, "1999-03-05")["y"].sum() / ordinary
    # the two past eves' mean share, shrunk towards a Friday with one pseudo-occurrence
    np.testing.assert_allclose(share, (sum(past_shares) + friday) / 3, rtol=0.1)
    afternoon = eve[eve_hour >= 14]
    assert afternoon["yhat"].sum() < 0.05 * afternoon["baseline"].sum()  # shaped like Friday: closed after 13:00


def test_an_eve_learned_from_its_own_past_keeps_its_own_intraday_shape() -> None:
    # the eve of "Feast" closes at 15:00, unlike any weekday (Friday closes at 13:00): the next one does too
    rng = np.random.default_rng(6)
    history = bank_history(dt.date(1999, 1, 3), 20 * 7, rng)
    local = history["ds"].dt.tz_convert(IL)
    hour, day = local.dt.hour, local.dt.strftime("%Y-%m-%d")
    for holiday_day in ("1999-02-10", "1999-04-07"):  # Wednesdays
        eve = str(dt.date.fromisoformat(holiday_day) - dt.timedelta(days=1))
        history.loc[(day == eve) & (hour >= 15), "y"] = 0.0
        history.loc[day == holiday_day, "y"] = 0.0
    events = make_events([holiday(d) for d in ("1999-02-10", "1999-04-07", "1999-05-26")], tz=IL)
    events["name"] = "Feast"
    result = forecast(history, events, start=dt.date(1999, 5, 23), days=7, options=JERUSALEM_60)
    eve = local_day(result.frame, "1999-05-25")
    eve_hour = eve["ds"].dt.tz_convert(IL).dt.hour
    np.testing.assert_allclose(eve.loc[(eve_hour >= 8) & (eve_hour < 15), "yhat"], 100.0, rtol=0.2)  # open to 15:00
    # closed after 15:00 in the hours its weekday is busy (the quiet late hours' ratios, read from a few expected
    # contacts, are shrunk towards the day's: a call or two)
    late = eve[(eve_hour >= 15) & (eve["baseline"] >= 20)]
    assert len(late) >= 3 and late["yhat"].sum() < 0.05 * late["baseline"].sum()


def test_days_inside_a_holiday_period_keep_the_hours_past_ones_showed() -> None:
    # the working days between two holidays four days apart close at 15:00 (a bank's intermediate days of a
    # festival): the next period's days do too, at their level, instead of a flat share of every hour
    rng = np.random.default_rng(8)
    history = bank_history(dt.date(1999, 1, 3), 20 * 7, rng)
    local = history["ds"].dt.tz_convert(IL)
    hour, day = local.dt.hour, local.dt.strftime("%Y-%m-%d")
    inside = ["1999-03-02", "1999-03-03"]  # Tuesday and Wednesday (Thursday is the second holiday's eve)
    history.loc[day.isin(inside) & (hour >= 15), "y"] = 0.0
    events = make_events([holiday(d) for d in ("1999-03-01", "1999-03-05", "1999-05-24", "1999-05-28")], tz=IL)
    events["name"] = ["Festival", "Festival End", "Festival", "Festival End"]  # the same festival, a year apart
    result = forecast(history, events, start=dt.date(1999, 5, 23), days=7, options=JERUSALEM_60)
    for date in ("1999-05-25", "1999-05-26"):
        frame = local_day(result.frame, date)
        at = frame["ds"].dt.tz_convert(IL).dt.hour
        np.testing.assert_allclose(frame.loc[(at >= 8) & (at < 15), "yhat"], 100.0, rtol=0.15)
        assert frame.loc[(at >= 15) & (at < 20), "yhat"].sum() < 0.1 * frame.loc[(at >= 15) & (at < 20), "baseline"].sum()
    # another period (other holidays around it) is not that festival: its days are ordinary days
    events["name"] = ["Festival", "Festival End", "Other", "Other End"]
    other = forecast(history, events, start=dt.date(1999, 5, 23), days=7, options=JERUSALEM_60)
    for date in ("1999-05-25", "1999-05-26"):
        frame = local_day(other.frame, date)
        np.testing.assert_allclose(frame["yhat"], frame["baseline"])


def test_own_shape_keeps_the_volume_and_shrinks_a_thin_past_towards_the_mix() -> None:
    from forecasts.predict import own_shape

    mix = np.array([0.0, 50.0, 50.0, 0.0])
    shaped = own_shape(mix, np.array([0.0, 300.0, 0.0, 0.0]), DEFAULT_SETTINGS)
    assert shaped.sum() == pytest.approx(100.0) and shaped[1] > 95.0  # hundreds of contacts: their shape
    thin = own_shape(mix, np.array([0.0, 2.0, 0.0, 0.0]), DEFAULT_SETTINGS)
    assert thin.sum() == pytest.approx(100.0) and 50.0 < thin[1] < 70.0  # two contacts: mostly the mix's shape
    np.testing.assert_allclose(own_shape(mix, np.zeros(4), DEFAULT_SETTINGS), mix)


def test_day_after_is_the_next_open_day() -> None:
    # holidays on Fridays; the catch-up (+50%) comes on Sunday, because Saturday is closed
    rng = np.random.default_rng(5)
    history = bank_history(dt.date(1999, 1, 3), 20 * 7, rng)
    day = history["ds"].dt.tz_convert(IL).dt.strftime("%Y-%m-%d")
    fridays = ["1999-02-05", "1999-03-05", "1999-04-09"]
    for friday in fridays:
        history.loc[day == friday, "y"] *= 0.05
        sunday = str(dt.date.fromisoformat(friday) + dt.timedelta(days=2))
        history.loc[day == sunday, "y"] = rng.poisson(1.5 * history.loc[day == sunday, "y"]).astype(float)
    events = make_events([holiday(d) for d in [*fridays, "1999-05-28"]], tz=IL)
    result = forecast(history, events, start=dt.date(1999, 5, 23), days=14, options=JERUSALEM_60)
    saturday, sunday = local_day(result.frame, "1999-05-29"), local_day(result.frame, "1999-05-30")
    assert (saturday["uplift"] == 0.0).all() and (saturday["events"] == "").all()
    assert (sunday["events"] == "Hol-1999-05-28 (day after)").all()
    np.testing.assert_allclose(sunday["yhat"].sum() / sunday["baseline"].sum(), 1.5, rtol=0.10)
    np.testing.assert_allclose(result.uplifts["after"], 1.5, rtol=0.10)


def test_small_day_before_effect_within_daily_noise_is_ignored() -> None:
    history = make_history(dt.date(2026, 5, 4), 161, noise=np.random.default_rng(11))
    sales = ["2026-07-03", "2026-08-07", "2026-09-11"]
    history = scale_days(history, sales, 2.5)
    history = scale_days(history, ["2026-07-02", "2026-08-06", "2026-09-10"], 1.01)  # +1%: noise, not a ramp
    past = [(f"sale-{d}", "sale", d, str(dt.date.fromisoformat(d) + dt.timedelta(days=1)), np.nan) for d in sales]
    events = make_events([*past, ("sale-next", "sale", "2026-10-16", "2026-10-17", np.nan)])
    result = forecast(history, events, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    thursday = local_day(result.frame, "2026-10-15", TZ)
    assert (thursday["uplift"] == 0.0).all() and (thursday["events"] == "").all()
    assert result.uplifts["before"].isna().all()


def test_prediction_bands_hold_the_forecast_and_cover_about_80_percent() -> None:
    rng = np.random.default_rng(21)
    full = make_history(dt.date(2026, 5, 4), 21 * 7, noise=rng)
    start = dt.date(2026, 9, 21)
    result = forecast(full, None, start=start, days=7, options=BERLIN_30)
    frame = result.frame
    assert (frame["yhat_lo95"] <= frame["yhat_lo"]).all() and (frame["yhat_lo"] <= frame["yhat"]).all()
    assert (frame["yhat"] <= frame["yhat_hi"]).all() and (frame["yhat_hi"] <= frame["yhat_hi95"]).all()
    actual = full[full["ds"] >= pd.Timestamp(start.isoformat(), tz=TZ)].sort_values(["queue", "ds"])
    y = actual["y"].to_numpy()
    inside80 = (y >= frame["yhat_lo"].to_numpy()) & (y <= frame["yhat_hi"].to_numpy())
    inside95 = (y >= frame["yhat_lo95"].to_numpy()) & (y <= frame["yhat_hi95"].to_numpy())
    assert 0.72 <= inside80.mean() <= 0.90
    assert 0.90 <= inside95.mean() <= 0.99

    point = forecast(full, None, start=start, days=7, options=BERLIN_30, bands=False)  # what validate asks for
    assert point.frame.drop(columns=list(BAND_COLUMNS)).equals(frame.drop(columns=list(BAND_COLUMNS)))
    assert point.frame[list(BAND_COLUMNS)].isna().all().all() and point.warnings == result.warnings


def test_hours_of_silence_on_a_busy_day_are_a_partial_outage() -> None:
    history = make_history(dt.date(2026, 8, 3), 70)
    local = history["ds"].dt.tz_convert(TZ)
    broken = (local.dt.strftime("%Y-%m-%d") == "2026-09-23") & (local.dt.hour >= 12) & (local.dt.hour < 16)
    history.loc[broken, "y"] = 0.0
    result = forecast(history, None, start=dt.date(2026, 10, 12), days=7, options=BERLIN_30)
    assert result.outage_days == (dt.date(2026, 9, 23),)
    grid = interval_grid(dt.date(2026, 10, 12), 7, TZ, 30)
    chat = result.frame[result.frame["queue"] == "chat"]
    np.testing.assert_allclose(chat["baseline"], expected_volume(grid), rtol=1e-12)


@pytest.mark.parametrize(("start", "long_day", "intervals"), [("1999-03-29", "1999-04-02", 23), ("1999-08-30", "1999-09-03", 25)])
def test_israeli_dst_days_of_1999_have_their_hours(start: str, long_day: str, intervals: int) -> None:
    first = dt.date.fromisoformat(start) - dt.timedelta(weeks=10)
    history = bank_history(first, 70)
    history["queue"] = "all"
    result = forecast(history, None, start=dt.date.fromisoformat(start), days=7, options=JERUSALEM_60)
    frame = result.frame
    assert len(local_day(frame, long_day)) == intervals
    assert len(frame) == 6 * 24 + intervals
    np.testing.assert_allclose(frame["baseline"], bank_volume(pd.DatetimeIndex(frame["ds"])), rtol=1e-12)


def test_never_seen_holiday_with_a_disagreeing_group_is_ordinary_with_a_warning_unless_declared() -> None:
    from forecasts.daytypes import parse_special_days

    history = bank_history(dt.date(1999, 1, 3), 20 * 7, np.random.default_rng(7))
    day = history["ds"].dt.tz_convert(IL).dt.strftime("%Y-%m-%d")
    history.loc[day == "1999-03-10", "y"] = 0.0  # closed on one past holiday, open as normal on the other
    events = make_events([holiday(d) for d in ["1999-03-10", "1999-04-07", "1999-05-26"]], tz=IL)
    result = forecast(history, events, start=dt.date(1999, 5, 23), days=7, options=JERUSALEM_60)
    new = local_day(result.frame, "1999-05-26")
    np.testing.assert_allclose(new["uplift"], 0.0)
    assert any("'Hol-1999-05-26'" in w and '[forecast.holidays] "Hol-1999-05-26"' in w for w in result.warnings)
    band = (new["yhat_hi"] - new["yhat_lo"]).sum()
    ordinary = local_day(result.frame, "1999-05-24")  # an ordinary Monday for comparison of band widths
    assert band > 1.5 * (ordinary["yhat_hi"] - ordinary["yhat_lo"]).sum() * new["yhat"].sum() / ordinary["yhat"].sum()

    closed = parse_special_days({"Hol-1999-05-26": "closed"}, {"1999-05-25": "Team offsite"}, "t.toml")
    declared = forecast(history, events, start=dt.date(1999, 5, 23), days=7, options=ModelOptions(tz=IL, interval_minutes=60, special=closed))
    assert local_day(declared.frame, "1999-05-26")["yhat"].sum() < 0.1 * new["yhat"].sum()
    assert not any("never seen" in w and "Hol-1999-05-26" in w for w in declared.warnings)
    assert any("never seen" in w and "Team offsite" in w for w in declared.warnings)  # its own new day
    kinds = {(s.date, s.day_type, s.source) for s in declared.special_days}
    assert (dt.date(1999, 5, 26), "holiday", "declared") in kinds
    assert any(s.date == dt.date(1999, 5, 25) and s.name == "Team offsite" for s in declared.special_days)


def test_the_first_holiday_of_a_history_is_the_rest_day_with_a_warning_unless_declared() -> None:
    from forecasts.daytypes import parse_special_days

    history = bank_history(dt.date(1999, 1, 3), 8 * 7, np.random.default_rng(5))  # no holiday in it
    events = make_events([holiday("1999-03-03")], tz=IL)  # a Wednesday; its eve a Tuesday
    result = forecast(history, events, start=dt.date(1999, 2, 28), days=7, options=JERUSALEM_60)
    first, eve = local_day(result.frame, "1999-03-03"), local_day(result.frame, "1999-03-02")
    saturday, friday = (
        bank_volume(pd.DatetimeIndex(first["ds"]) + pd.Timedelta(days=3)),
        bank_volume(pd.DatetimeIndex(eve["ds"]) + pd.Timedelta(days=3)),
    )
    # the holiday looks like the rest day (closed until sundown), its eve like the day before it (closes at 13:00)
    np.testing.assert_allclose(first["yhat"].sum(), saturday.sum(), rtol=0.1)
    assert first["yhat"].to_numpy()[8:20].max() < 5 and first["yhat"].to_numpy()[20:].min() > 15
    np.testing.assert_allclose(eve["yhat"].sum(), friday.sum(), rtol=0.1)
    assert eve["yhat"].to_numpy()[14:20].max() < 5
    assert first["yhat_hi"].to_numpy()[8:20].min() > 30  # the team may work it: the band reaches far up
    (warning,) = [w for w in result.warnings if "Hol-1999-03-03" in w]
    assert "no past holiday" in warning and '[forecast.holidays] "Hol-1999-03-03" = "open"' in warning
    kinds = {(s.date, s.day_type, s.source) for s in result.special_days}
    assert {(dt.date(1999, 3, 3), "holiday", "rest day"), (dt.date(1999, 3, 2), "eve", "rest day")} <= kinds

    worked = parse_special_days({"Hol-1999-03-03": "open"}, {}, "t.toml")
    declared = forecast(history, events, start=dt.date(1999, 2, 28), days=7,
                        options=ModelOptions(tz=IL, interval_minutes=60, special=worked))  # fmt: skip
    np.testing.assert_allclose(local_day(declared.frame, "1999-03-03")["uplift"], 0.0)  # an ordinary Wednesday
    np.testing.assert_allclose(local_day(declared.frame, "1999-03-02")["uplift"], 0.0)  # nothing to wind down for
    assert not any("Hol-1999-03-03" in w for w in declared.warnings)


def test_the_first_holidays_of_a_team_open_every_day_are_its_quietest_day_not_closed() -> None:
    # two holidays in a row and no past one: the first is followed by a closed day, but a team with no closed
    # weekday gives no "closed all day" reference; nothing says it closes, so it looks like its quietest weekday
    tz = "Europe/Moscow"
    grid = interval_grid(dt.date(2024, 1, 15), 8 * 7, tz, 60).as_unit("ns")
    local = grid.tz_convert(tz)
    hour, weekday = local.hour.to_numpy(), local.day_of_week.to_numpy()
    mean = np.where((hour >= 8) & (hour < 22), np.where(weekday >= 5, 35.0, 50.0), 1.0)
    history = pd.DataFrame({"ds": grid, "queue": "orders", "y": np.random.default_rng(2).poisson(mean).astype(float)})
    events = make_events([holiday("2024-03-12"), holiday("2024-03-13")], tz=tz)  # a Tuesday and a Wednesday
    options = ModelOptions(tz=tz, interval_minutes=60)
    result = forecast(history, events, start=dt.date(2024, 3, 11), days=7, options=options)
    for day in ("2024-03-12", "2024-03-13"):
        np.testing.assert_allclose(local_day(result.frame, day, tz)["yhat"].sum(), 14 * 35 + 10, rtol=0.1)


def test_a_closed_weekday_before_a_holiday_does_not_reopen_and_one_before_an_open_day_does() -> None:
    rng = np.random.default_rng(11)
    history = bank_history(dt.date(1999, 1, 3), 20 * 7, rng)
    local = history["ds"].dt.tz_convert(IL)
    hour, day = local.dt.hour, local.dt.strftime("%Y-%m-%d")
    past = ["1999-02-10", "1999-03-10", "1999-04-07"]  # Wednesdays, closed until sundown
    for holiday_day in past:
        on = day == holiday_day
        history.loc[on, "y"] = np.where(hour[on] >= 20, 40.0, 0.0)
    # Saturday 1999-05-29 is followed by a Sunday holiday; Saturday 1999-06-05 is a holiday followed by a workday
    events = make_events([holiday(d) for d in [*past, "1999-05-30", "1999-06-05"]], tz=IL)
    result = forecast(history, events, start=dt.date(1999, 5, 24), days=14, options=JERUSALEM_60)
    evening = lambda frame: frame[frame["ds"].dt.tz_convert(IL).dt.hour >= 20]  # noqa: E731
    stays_closed = evening(local_day(result.frame, "1999-05-29"))
    reopens = evening(local_day(result.frame, "1999-06-05"))
    assert stays_closed["yhat"].sum() < 0.2 * stays_closed["baseline"].sum()
    np.testing.assert_allclose(reopens["yhat"], reopens["baseline"])  # a holiday on the rest day: as usual
    sources = {(s.date, s.source) for s in result.special_days}
    assert (dt.date(1999, 5, 29), "closed weekday") in sources and (dt.date(1999, 6, 5), "closed weekday") in sources


@pytest.mark.parametrize("holidays_closed", [False, True])
def test_an_eve_on_the_short_day_keeps_it_when_past_eves_closed_like_it(holidays_closed: bool) -> None:
    # past mid-week eves close at 13:00 like a Friday (the holidays themselves worked as usual, or closed and
    # open after sundown); the next holiday falls on a Saturday: its eve is a Friday, and past eves say
    # "a Friday", not "40% of the day the eve falls on"
    rng = np.random.default_rng(13)
    history = bank_history(dt.date(1999, 1, 3), 20 * 7, rng)
    local = history["ds"].dt.tz_convert(IL)
    hour, day = local.dt.hour, local.dt.strftime("%Y-%m-%d")
    past = ["1999-02-10", "1999-03-10", "1999-04-07"]
    for holiday_day in past:
        eve = str(dt.date.fromisoformat(holiday_day) - dt.timedelta(days=1))
        history.loc[(day == eve) & (hour >= 13), "y"] = 1.0
        if holidays_closed:
            on = day == holiday_day
            history.loc[on, "y"] = np.where(hour[on] >= 20, 40.0, 0.0)
    events = make_events([holiday(d) for d in [*past, "1999-05-29"]], tz=IL)
    result = forecast(history, events, start=dt.date(1999, 5, 24), days=7, options=JERUSALEM_60)
    friday = local_day(result.frame, "1999-05-28")
    assert (friday["events"] == "Hol-1999-05-29 (day before)").all()
    np.testing.assert_allclose(friday["yhat"].sum(), friday["baseline"].sum(), rtol=0.15)


def test_an_eve_silent_for_hours_where_both_its_profiles_are_busy_is_not_learned_from() -> None:
    # three past eves close at 13:00 like a Friday; a fourth is silent until 14:00 (the export lost the morning:
    # neither an ordinary day nor a Friday is silent then) and must not teach the next eve to be nearly empty
    rng = np.random.default_rng(21)
    history = bank_history(dt.date(1999, 1, 3), 20 * 7, rng)
    local = history["ds"].dt.tz_convert(IL)
    hour, day = local.dt.hour, local.dt.strftime("%Y-%m-%d")
    past = ["1999-02-10", "1999-03-10", "1999-04-07", "1999-04-21"]
    for holiday_day in past:
        eve = str(dt.date.fromisoformat(holiday_day) - dt.timedelta(days=1))
        history.loc[(day == eve) & (hour >= 13), "y"] = 0.0
        on = day == holiday_day
        history.loc[on, "y"] = np.where(hour[on] >= 20, 40.0, 0.0)
    history.loc[(day == "1999-04-20") & (hour < 14), "y"] = 0.0
    history.loc[(day == "1999-04-20") & (hour >= 14) & (hour < 17), "y"] = 10.0
    events = make_events([holiday(d) for d in [*past, "1999-05-26"]], tz=IL)
    result = forecast(history, events, start=dt.date(1999, 5, 23), days=7, options=JERUSALEM_60)
    eve = local_day(result.frame, "1999-05-25")
    eve_hour = eve["ds"].dt.tz_convert(IL).dt.hour
    np.testing.assert_allclose(eve.loc[(eve_hour >= 8) & (eve_hour < 13), "yhat"].mean(), 100.0, rtol=0.1)
    # nor calibrate the bands of special days (as outage days do not calibrate those of normal days)
    from forecasts.bands import special_calibration_days
    from forecasts.baseline import fit_model
    from forecasts.events import CalendarState, validate_events
    from forecasts.series import Series

    series = Series.build(history, tz=IL, interval_minutes=60, source="history")
    cutoff = series.index_of(dt.date(1999, 5, 23))
    state = CalendarState.prepare(series, validate_events(events, IL), cutoff)
    lost = series.index_of(dt.date(1999, 4, 20))
    assert fit_model(series, state, cutoff, 8, DEFAULT_SETTINGS).profiles.lost == (lost,)
    days = special_calibration_days(series, state, cutoff, DEFAULT_SETTINGS, (lost,))
    assert lost not in days and series.index_of(dt.date(1999, 4, 21)) in days
    assert lost in special_calibration_days(series, state, cutoff, DEFAULT_SETTINGS)


def test_sale_day_k_first_day_peak_is_learned_and_a_flat_sale_stays_flat() -> None:
    history = make_history(dt.date(2026, 6, 1), 133, noise=np.random.default_rng(17))
    past = [("2026-07-08", "2026-07-11"), ("2026-08-05", "2026-08-08"), ("2026-09-09", "2026-09-12")]  # Wed-Fri
    for first, _end in past:
        days = [str(dt.date.fromisoformat(first) + dt.timedelta(days=k)) for k in range(3)]
        history = scale_days(history, days[:1], 3.0)  # the first day triples
        history = scale_days(history, days[1:], 1.5)  # the next days +50%
    flat = [("2026-07-22", "2026-07-25"), ("2026-08-19", "2026-08-22")]
    for first, _ in flat:
        history = scale_days(history, [str(dt.date.fromisoformat(first) + dt.timedelta(days=k)) for k in range(3)], 2.0)
    rows = [(f"promo-{s}", "promo", s, e, np.nan) for s, e in [*past, ("2026-10-14", "2026-10-17")]]
    rows += [(f"even-{s}", "even", s, e, np.nan) for s, e in [*flat, ("2026-10-21", "2026-10-24")]]
    result = forecast(history, make_events(rows), start=dt.date(2026, 10, 12), days=14, options=BERLIN_30)
    chat = result.frame[result.frame["queue"] == "chat"]
    by_day = (chat.groupby(chat["ds"].dt.tz_convert(TZ).dt.date)["uplift"]).mean()
    # the uplift column is the extra volume: +200% on sale day 1, +50% after
    np.testing.assert_allclose(by_day[dt.date(2026, 10, 14)], 2.0, rtol=0.1)  # sale day 1
    np.testing.assert_allclose(by_day[dt.date(2026, 10, 15)], 0.5, rtol=0.2)  # sale day 2
    np.testing.assert_allclose(by_day[dt.date(2026, 10, 16)], 0.5, rtol=0.2)  # last day
    flat_days = [by_day[dt.date(2026, 10, 21) + dt.timedelta(days=k)] for k in range(3)]
    np.testing.assert_allclose(flat_days, flat_days[0], rtol=1e-9)  # no position stands out: the pooled effect
    promo = result.uplifts[(result.uplifts["category"] == "promo") & (result.uplifts["queue"] == "chat")]
    np.testing.assert_allclose(promo["multiplier"], 2.0, rtol=0.1)  # the table gives the event's pooled ratio


def test_the_eve_of_a_holiday_declared_open_is_an_ordinary_day() -> None:
    from forecasts.daytypes import parse_special_days

    rng = np.random.default_rng(19)
    history = bank_history(dt.date(1999, 1, 3), 20 * 7, rng)
    local = history["ds"].dt.tz_convert(IL)
    hour, day = local.dt.hour, local.dt.strftime("%Y-%m-%d")
    past = ["1999-02-10", "1999-03-10", "1999-04-07"]
    for holiday_day in past:
        eve = str(dt.date.fromisoformat(holiday_day) - dt.timedelta(days=1))
        history.loc[(day == eve) & (hour >= 13), "y"] = 0.0  # eves of closed holidays close at 13:00
        history.loc[day == holiday_day, "y"] = 0.0
    events = make_events([holiday(d) for d in [*past, "1999-05-26"]], tz=IL)
    closed = forecast(history, events, start=dt.date(1999, 5, 23), days=7, options=JERUSALEM_60)
    assert local_day(closed.frame, "1999-05-25")["uplift"].min() < -0.9  # like past eves: closes at 13:00
    opened = dataclasses.replace(JERUSALEM_60, special=parse_special_days({"Hol-1999-05-26": "open"}, {}, "t.toml"))
    worked = forecast(history, events, start=dt.date(1999, 5, 23), days=7, options=opened)
    np.testing.assert_allclose(local_day(worked.frame, "1999-05-25")["uplift"], 0.0, atol=1e-12)
    np.testing.assert_allclose(local_day(worked.frame, "1999-05-26")["uplift"], 0.0, atol=1e-12)
