"""Invariants of the staffing stage on random forecasts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasts.grid import interval_grid
from scheduler.config import Channel, Config, OpeningHours, RosterSettings, ShiftTemplate
from scheduler.staffing import compute_requirements

ZONES = ("UTC", "Europe/Berlin", "Europe/Moscow", "America/New_York")


def make_config(channels: tuple[Channel, ...], tz: str, interval: int, shrinkage: float) -> Config:
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
        interval_minutes=interval,
        baseline_weeks=8,
        shrinkage=shrinkage,
        max_occupancy=0.85,
        channels=channels,
        roster=RosterSettings(shifts=(ShiftTemplate(name="day", hours=8, starts=(dt.time(9),)),)),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    tz = draw(st.sampled_from(ZONES))
    interval = draw(st.sampled_from((30, 60)))
    days = draw(st.integers(min_value=1, max_value=3))
    first = draw(st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 28)))
    opens = draw(st.integers(min_value=0, max_value=20))
    closes = draw(st.integers(min_value=opens + 1, max_value=24))
    email = Channel(
        name="email",
        model="deferred",
        aht_seconds=draw(st.sampled_from((60.0, 300.0, 900.0))),
        open=OpeningHours(open=dt.time(opens), close=dt.time(closes % 24)),
        target_hours=draw(st.sampled_from((0.5, 1.0, 2.0, 4.0, 8.0))),
    )
    chat = Channel(
        name="chat",
        model="erlang_c",
        aht_seconds=draw(st.sampled_from((120.0, 480.0))),
        open=OpeningHours(open=dt.time(opens), close=dt.time(closes % 24)),
        concurrency=draw(st.integers(min_value=1, max_value=3)),
        target_seconds=30.0,
    )
    config = make_config((chat, email), tz, interval, draw(st.sampled_from((0.0, 0.3))))
    grid = interval_grid(first, days, tz, interval)
    # Volumes from a seeded generator (drawing hundreds of floats one by one is slow), with zero runs.
    rng = np.random.default_rng(draw(st.integers(min_value=0, max_value=2**32 - 1)))
    zero_share = draw(st.sampled_from((0.0, 0.5, 0.9)))

    def volumes() -> np.ndarray:
        values = np.round(rng.gamma(2.0, 5.0, len(grid)), 3)
        return np.where(rng.random(len(grid)) < zero_share, 0.0, values)

    frames = [pd.DataFrame({"ds": grid, "queue": queue, "yhat": volumes()}) for queue in ("email", "chat")]
    return {"config": config, "forecast": pd.concat(frames, ignore_index=True)}


@settings(max_examples=40, deadline=None)
@given(scenario=scenarios())
def test_deferred_work_is_conserved_and_planned_while_open(scenario: dict[str, object]) -> None:
    config: Config = scenario["config"]  # type: ignore[assignment]
    forecast: pd.DataFrame = scenario["forecast"]  # type: ignore[assignment]
    result = compute_requirements(forecast, config)
    assert not result.select_dtypes("number").isna().any().any()
    email = result[result["queue"] == "email"]
    arriving = (forecast.loc[forecast["queue"] == "email", "yhat"] * config.channel("email").aht_seconds / 3600).sum()
    if email["open"].any():
        assert np.isclose(email["workload_hours"].sum(), arriving, rtol=1e-9, atol=1e-9)
    assert (email.loc[~email["open"], "workload_hours"] == 0).all()
    assert (result.loc[~result["open"], "agents_net"] == 0).all()
    # Agents cover the planned work at the occupancy cap (hundredths rounded up).
    capacity = email["agents_net"] * config.interval_minutes / 60 * config.max_occupancy
    # Float noise below a millionth of a hundredth of an agent is dropped before rounding up.
    assert (capacity >= email["workload_hours"] - 1e-7).all()
    assert (capacity - email["workload_hours"] < 0.01 * config.interval_minutes / 60 * config.max_occupancy + 1e-9).all()
    np.testing.assert_allclose(result["agents_required"], result["agents_net"] / (1 - config.shrinkage))
    chat = result[result["queue"] == "chat"]
    assert (chat["agents_net"] == np.round(chat["agents_net"])).all()
    assert ((chat["agents_net"] > 0) == (chat["open"] & (chat["volume"] > 0))).all()  # volumes >= 0.001 or 0


@settings(max_examples=40, deadline=None)
@given(scenario=scenarios(), data=st.data())
def test_one_arrival_lands_in_its_window_of_open_time(scenario: dict[str, object], data: st.DataObject) -> None:
    config: Config = scenario["config"]  # type: ignore[assignment]
    forecast: pd.DataFrame = scenario["forecast"]  # type: ignore[assignment]
    email = forecast[forecast["queue"] == "email"].reset_index(drop=True)
    position = data.draw(st.integers(min_value=0, max_value=len(email) - 1))
    email["yhat"] = 0.0
    email.loc[position, "yhat"] = 12.0
    result = compute_requirements(email, config)
    channel = config.channel("email")
    window = max(1, round(channel.target_hours * 60 / config.interval_minutes))
    open_after = np.flatnonzero(result["open"].to_numpy() & (np.arange(len(result)) >= position))
    planned = np.flatnonzero(result["workload_hours"].to_numpy() > 0)
    work = 12.0 * channel.aht_seconds / 3600
    if len(open_after) >= window:  # the response window fits in the horizon
        assert planned.tolist() == open_after[:window].tolist()
        np.testing.assert_allclose(result["workload_hours"].to_numpy()[planned], work / window)
    elif len(open_after):  # cut at the horizon end: the rest of the open time
        assert planned.tolist() == open_after.tolist()
    if len(planned):
        assert np.isclose(result["workload_hours"].sum(), work)
