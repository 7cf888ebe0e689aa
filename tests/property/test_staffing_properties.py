"""Invariants of the staffing stage on random forecasts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasts.grid import interval_grid
from scheduler.staffing.backlog import cohorts, window_intervals
from scheduler.config import Channel, Config, OpeningHours, RosterSettings, ShiftTemplate
from scheduler.staffing.requirements import compute_requirements, evaluate_staffing

ZONES = ("UTC", "Europe/Berlin", "Europe/Moscow", "America/New_York")


def make_config(channels: tuple[Channel, ...], tz: str, interval: int, shrinkage: float) -> Config:
    return Config(
        team_name="T",
        timezone=tz,
        interval_minutes=interval,
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
    hours_open = OpeningHours(open=dt.time(opens), close=dt.time(closes % 24))
    email = Channel(
        name="email",
        model="deferred",
        aht_seconds=draw(st.sampled_from((60.0, 300.0, 900.0))),
        open=hours_open,
        target_hours=draw(st.sampled_from((0.5, 1.0, 2.0, 4.0, 8.0))),
        service_level=draw(st.sampled_from((0.8, 0.9, 1.0))),
        open_days=draw(st.sampled_from(((0, 1, 2, 3, 4, 5, 6), (0, 1, 2, 3, 4)))),
    )
    chat_model = draw(st.sampled_from(("erlang_c", "erlang_a")))
    chat = Channel(
        name="chat",
        model=chat_model,
        aht_seconds=draw(st.sampled_from((120.0, 480.0))),
        open=hours_open,
        concurrency=draw(st.integers(min_value=1, max_value=3)),
        concurrency_aht_growth=draw(st.sampled_from((0.0, 0.2))),
        target_seconds=30.0,
        patience_seconds=draw(st.sampled_from((60.0, 300.0))) if chat_model == "erlang_a" else None,
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


@settings(max_examples=30, deadline=None)
@given(scenario=scenarios())
def test_requirements_are_finite_meet_their_targets_and_conserve_work(scenario: dict[str, object]) -> None:
    config: Config = scenario["config"]  # type: ignore[assignment]
    forecast: pd.DataFrame = scenario["forecast"]  # type: ignore[assignment]
    result = compute_requirements(forecast, config)
    assert np.isfinite(result.select_dtypes("number").to_numpy()).all()
    assert (result.loc[~result["open"], "agents_net"] == 0).all()
    np.testing.assert_allclose(result["agents_required"], result["agents_net"] / (1 - config.shrinkage))
    assert (result["occupancy"] <= config.max_occupancy + 1e-9).all()

    email = result[result["queue"] == "email"]
    channel = config.channel("email")
    work = forecast.loc[forecast["queue"] == "email", "yhat"].to_numpy() * channel.aht_seconds / 3600
    # Everything arriving up to the last opening is planned inside the span; later work is the next span's.
    planned_work = work.sum() - cohorts(work, email["open"].to_numpy()).left_over
    assert np.isclose(email["workload_hours"].sum(), planned_work, rtol=1e-9, atol=1e-9)
    assert (email.loc[~email["open"], "workload_hours"] == 0).all()
    # Agents cover the planned work at the occupancy cap (hundredths rounded up).
    capacity = email["agents_net"] * config.interval_minutes / 60 * config.max_occupancy
    assert (capacity >= email["workload_hours"] - 1e-7).all()
    assert (capacity - email["workload_hours"] < 0.01 * config.interval_minutes / 60 * config.max_occupancy + 1e-9).all()
    assert (email["service_level"] >= channel.service_level - 1e-6).all()
    assert (email["backlog"] >= 0).all()

    chat = result[result["queue"] == "chat"]
    slots = chat["agents_net"] * config.channel("chat").concurrency
    assert np.allclose(slots, np.round(slots))  # whole slots: net agents are slots / concurrency
    assert ((chat["agents_net"] > 0) == (chat["open"] & (chat["volume"] > 0))).all()  # volumes >= 0.001 or 0
    assert (chat["service_level"] >= config.channel("chat").service_level - 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(scenario=scenarios(), cut=st.sampled_from((0.5, 0.8, 1.0)), extra=st.sampled_from((1.0, 2.0)))
def test_more_staff_never_gives_worse_service(scenario: dict[str, object], cut: float, extra: float) -> None:
    config: Config = scenario["config"]  # type: ignore[assignment]
    forecast: pd.DataFrame = scenario["forecast"]  # type: ignore[assignment]
    requirements = compute_requirements(forecast, config)
    fewer = requirements.loc[:, ["ds", "queue"]].assign(agents_scheduled=np.floor(requirements["agents_required"] * cut))
    more = fewer.assign(agents_scheduled=fewer["agents_scheduled"] + extra)
    worse, better = evaluate_staffing(forecast, fewer, config), evaluate_staffing(forecast, more, config)
    for evaluation in (worse, better):
        assert np.isfinite(evaluation.select_dtypes("number").to_numpy()).all()
        assert evaluation["service_level"].between(0, 1).all()
    assert (better["service_level"] >= worse["service_level"] - 1e-9).all()
    assert (better["backlog"] <= worse["backlog"] + 1e-9).all()
    assert (better["abandon_rate"] <= worse["abandon_rate"] + 1e-9).all()
    # At full staffing the evaluation meets the targets the requirements were built for.
    if cut == 1.0:
        own = evaluate_staffing(forecast, requirements, config, agents_column="agents_required")
        for queue in ("chat", "email"):
            rows = own["queue"] == queue
            assert (own.loc[rows, "service_level"] >= config.channel(queue).service_level - 1e-6).all()


@settings(max_examples=30, deadline=None)
@given(scenario=scenarios(), data=st.data())
def test_one_arrival_is_answered_within_its_window_of_open_time(scenario: dict[str, object], data: st.DataObject) -> None:
    config: Config = scenario["config"]  # type: ignore[assignment]
    forecast: pd.DataFrame = scenario["forecast"]  # type: ignore[assignment]
    email = forecast[forecast["queue"] == "email"].reset_index(drop=True)
    position = data.draw(st.integers(min_value=0, max_value=len(email) - 1))
    email["yhat"] = 0.0
    email.loc[position, "yhat"] = 12.0
    result = compute_requirements(email, config)
    channel = config.channel("email")
    window = window_intervals(channel.target_hours, config.interval_minutes)
    open_after = np.flatnonzero(result["open"].to_numpy() & (np.arange(len(result)) >= position))
    planned = np.flatnonzero(result["workload_hours"].to_numpy() > 1e-12)
    work = 12.0 * channel.aht_seconds / 3600
    if len(open_after) == 0:  # after the last opening: the next span's
        assert len(planned) == 0
        assert np.isclose(result["backlog"].iloc[-1], 12.0)
        return
    span = open_after[:window]
    assert np.isclose(result["workload_hours"].sum(), work)
    assert planned.min() == span[0]
    if channel.service_level == 1.0:  # a lone burst is spread evenly over its window (or what is left of the span)
        assert planned.tolist() == span.tolist()
        np.testing.assert_allclose(result["workload_hours"].to_numpy()[planned], work / len(span))
    else:  # the share is answered within the window, the tail after it
        in_window = result["workload_hours"].to_numpy()[span].sum()
        assert in_window >= channel.service_level * work - 1e-9
