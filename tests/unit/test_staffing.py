"""Required agents per queue and interval on tiny hand-made forecasts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasts.grid import interval_grid
from scheduler.config import Channel, Config, OpeningHours, RosterSettings, ShiftTemplate
from scheduler.erlang import required_servers
from scheduler.errors import InputError
from scheduler.staffing import REQUIREMENT_COLUMNS, compute_requirements, open_mask

DAY = dt.date(2026, 11, 23)  # a Monday


def channel(name: str, model: str, **kwargs: object) -> Channel:
    defaults: dict[str, object] = {"aht_seconds": 360.0, "open": OpeningHours(open=dt.time(9), close=dt.time(17))}
    defaults.update(kwargs)
    return Channel(name=name, model=model, **defaults)  # type: ignore[arg-type]


def make_config(*channels: Channel, tz: str = "UTC", shrinkage: float = 0.25, max_occupancy: float = 0.85) -> Config:
    return Config(
        path=Path("peakplan.toml"),
        team_name="T",
        timezone=tz,
        team_file=Path("team.toml"),
        history=Path("history.csv"),
        history_format="tickets",
        timestamp_column="created_at",
        queue_column="channel",
        events=None,
        holidays="",
        interval_minutes=60,
        baseline_weeks=8,
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
        channels=tuple(sorted(channels, key=lambda item: item.name)),
        roster=RosterSettings(shifts=(ShiftTemplate(name="day", hours=8, starts=(dt.time(9),)),)),
    )


def make_forecast(config: Config, volumes: dict[str, list[float]], days: int = 1) -> pd.DataFrame:
    grid = interval_grid(DAY, days, config.timezone, config.interval_minutes)
    return pd.concat(
        [pd.DataFrame({"ds": grid, "queue": queue, "yhat": values}) for queue, values in volumes.items()],
        ignore_index=True,
    )


def hours(values: dict[int, float], length: int = 24) -> list[float]:
    """A day of volumes: zero except ``{hour: volume}``."""
    return [float(values.get(hour, 0.0)) for hour in range(length)]


def test_erlang_channel_agents_are_slots_divided_by_concurrency() -> None:
    chat = channel("chat", "erlang_c", aht_seconds=180.0, concurrency=2, target_seconds=20.0)
    config = make_config(chat)
    # 180 s per chat in 60-min intervals: traffic = volume / 20 slot-Erlangs.
    volumes = hours({3: 200.0, 9: 200.0, 10: 20.0, 11: 1.0, 12: 0.0, 13: 2000.0})
    result = compute_requirements(make_forecast(config, {"chat": volumes}), config)
    assert list(result.columns) == list(REQUIREMENT_COLUMNS)
    assert len(result) == 24
    by_hour = result.set_index(result["ds"].dt.hour)
    # 10 Erlangs need 14 slots (the textbook case) = 7 agents at two chats each.
    assert by_hour.loc[9, "agents_net"] == 7.0
    slots = required_servers(np.array([1.0, 0.05, 100.0]), 180.0, 20.0, 0.8, 0.85)
    assert by_hour.loc[[10, 11, 13], "agents_net"].tolist() == np.ceil(slots / 2).tolist()
    assert by_hour.loc[[10, 11, 13], "agents_net"].tolist() == [2.0, 1.0, 59.0]  # 100 Erlangs: 118 slots (85% cap)
    assert by_hour.loc[12, "agents_net"] == 0.0
    # Closed at 03:00: nothing is required, whatever arrives.
    assert by_hour.loc[3, "agents_net"] == 0.0
    assert not by_hour.loc[3, "open"]
    assert by_hour.loc[3, "workload_hours"] == 0.0
    assert by_hour["open"].sum() == 8
    # 14 slots against 10 Erlangs: 88.84% within 20 s, 10/14 busy; 10 Erlangs of chats = 5 agent-hours.
    assert by_hour.loc[9, "service_level"] == pytest.approx(0.8884, abs=5e-5)
    assert by_hour.loc[9, "occupancy"] == pytest.approx(10 / 14)
    assert by_hour.loc[9, "workload_hours"] == pytest.approx(5.0)
    assert by_hour.loc[9, "agents_required"] == pytest.approx(7 / 0.75)
    np.testing.assert_allclose(result["agents_required"], result["agents_net"] / 0.75)
    assert (result["shrinkage"] == 0.25).all()
    assert (result["aht_seconds"] == 180.0).all()


def test_deferred_work_arriving_while_closed_waits_for_the_opening() -> None:
    email = channel("email", "deferred", target_hours=2.0)
    config = make_config(email)
    # 10 e-mails x 6 min = 1 agent-hour arriving at 03:00, spread over 09:00 and 10:00.
    result = compute_requirements(make_forecast(config, {"email": hours({3: 10.0})}), config)
    planned = dict(zip(result["ds"].dt.hour, result["workload_hours"], strict=True))
    assert {hour: value for hour, value in planned.items() if value} == {9: 0.5, 10: 0.5}
    by_hour = result.set_index(result["ds"].dt.hour)
    # 0.5 h / (1 h x 0.85) = 0.588 -> 0.59 agents (hundredths, rounded up); / (1 - 0.25) scheduled.
    assert by_hour.loc[9, "agents_net"] == 0.59
    assert by_hour.loc[9, "agents_required"] == pytest.approx(0.59 / 0.75)
    assert by_hour.loc[9, "occupancy"] == pytest.approx(0.5 / 0.59)
    assert by_hour.loc[9, "service_level"] == 1.0
    assert by_hour.loc[11, "agents_net"] == 0.0


def test_deferred_window_counts_open_time_across_the_night() -> None:
    email = channel("email", "deferred", target_hours=3.0)
    config = make_config(email)
    # 30 e-mails = 3 h of work at 15:00; open until 17:00, so 15:00, 16:00 and 09:00 next day.
    volumes = hours({15: 30.0}) + hours({})
    result = compute_requirements(make_forecast(config, {"email": volumes}, days=2), config)
    planned = result.loc[result["workload_hours"] > 0, ["ds", "workload_hours"]]
    assert planned["ds"].tolist() == [
        pd.Timestamp("2026-11-23T15:00Z"),
        pd.Timestamp("2026-11-23T16:00Z"),
        pd.Timestamp("2026-11-24T09:00Z"),
    ]
    assert planned["workload_hours"].tolist() == pytest.approx([1.0, 1.0, 1.0])


def test_deferred_work_is_conserved_at_the_horizon_end() -> None:
    email = channel("email", "deferred", target_hours=4.0)
    config = make_config(email)
    # 16:00 is the last open hour of the horizon, so the 4-hour window of 14:00 is cut to
    # 14:00-16:00 and the work of 16:00 and of 20:00 (after closing) lands at 16:00. Nothing is dropped.
    result = compute_requirements(make_forecast(config, {"email": hours({14: 10.0, 16: 10.0, 20: 10.0})}), config)
    planned = {hour: value for hour, value in zip(result["ds"].dt.hour, result["workload_hours"], strict=True) if value}
    assert planned == pytest.approx({14: 1 / 3, 15: 1 / 3, 16: 1 / 3 + 2.0})
    assert result["workload_hours"].sum() == pytest.approx(3.0)


def test_queues_are_sorted_and_independent() -> None:
    chat = channel("chat", "erlang_c", aht_seconds=180.0, target_seconds=20.0)
    email = channel("email", "deferred", target_hours=1.0)
    config = make_config(chat, email)
    forecast = make_forecast(config, {"email": hours({9: 10.0}), "chat": hours({9: 200.0})})
    result = compute_requirements(forecast.sample(frac=1.0, random_state=1), config)
    assert result["queue"].tolist() == ["chat"] * 24 + ["email"] * 24
    assert result["ds"].is_monotonic_increasing is False
    assert result.groupby("queue")["ds"].apply(lambda ds: ds.is_monotonic_increasing).all()
    assert str(result["ds"].dt.tz) == "UTC"
    nine = result[result["ds"].dt.hour == 9].set_index("queue")
    assert nine.loc["chat", "agents_net"] == 14.0
    assert nine.loc["email", "agents_net"] == pytest.approx(1.18)  # 1 h / 0.85 -> 1.1765 -> 1.18


def test_opening_hours_in_the_local_timezone() -> None:
    chat = channel("chat", "erlang_c", open=OpeningHours(open=dt.time(8), close=dt.time(0)))
    config = make_config(chat, tz="Europe/Moscow")
    grid = interval_grid(DAY, 1, "Europe/Moscow", 60)
    mask = open_mask(grid, chat, "Europe/Moscow")
    # Local 08:00 is 05:00 UTC; open to local midnight.
    assert mask.tolist() == [False] * 8 + [True] * 16
    assert grid[8] == pd.Timestamp("2026-11-23T05:00Z")
    assert config.timezone == "Europe/Moscow"


def test_no_nan_in_output() -> None:
    chat = channel("chat", "erlang_c", aht_seconds=180.0)
    email = channel("email", "deferred")
    config = make_config(chat, email)
    result = compute_requirements(make_forecast(config, {"chat": hours({}), "email": hours({})}), config)
    numbers = result.select_dtypes("number")
    assert not numbers.isna().any().any()
    assert (result["agents_net"] == 0).all()
    assert (result["service_level"] == 1.0).all()


def test_unknown_queue() -> None:
    config = make_config(channel("chat", "erlang_c"))
    forecast = make_forecast(config, {"chat": hours({}), "phone": hours({}), "fax": hours({})})
    with pytest.raises(InputError) as error:
        compute_requirements(forecast, config)
    assert str(error.value) == "forecast has queue(s) ['fax', 'phone'] with no [channels.<name>] in peakplan.toml"


@pytest.mark.parametrize("bad", [-1.0, float("nan")])
def test_negative_or_missing_yhat(bad: float) -> None:
    config = make_config(channel("chat", "erlang_c"))
    forecast = make_forecast(config, {"chat": hours({5: bad})})
    with pytest.raises(InputError) as error:
        compute_requirements(forecast, config)
    assert str(error.value) == "forecast has missing or negative yhat values"


def test_missing_columns() -> None:
    config = make_config(channel("chat", "erlang_c"))
    with pytest.raises(InputError) as error:
        compute_requirements(pd.DataFrame({"ds": [], "volume": []}), config)
    assert str(error.value) == "forecast is missing column(s) ['queue', 'yhat']"
