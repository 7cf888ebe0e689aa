"""Required agents per queue and interval on tiny hand-made forecasts, and the reverse."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasts.grid import interval_grid
from scheduler.config import OpeningHours
from scheduler.staffing.erlang import average_speed_of_answer, required_servers, service_level
from scheduler.staffing.erlang_a import erlang_a, required_servers_a
from scheduler.errors import InputError
from scheduler.staffing.requirements import (
    ASA_CAP_SECONDS,
    EVALUATION_COLUMNS,
    REQUIREMENT_COLUMNS,
    compute_requirements,
    evaluate_staffing,
    open_mask,
    summarize_evaluation,
)
from staffing_support import DAY, channel, hours, make_config, make_forecast


def staffing_of(requirements: pd.DataFrame, agents: dict[int, float] | float) -> pd.DataFrame:
    """Scheduled agents per interval: one number for all, or {hour: agents} (others 0)."""
    hour = requirements["ds"].dt.hour
    values = hour.map(agents).fillna(0.0) if isinstance(agents, dict) else pd.Series(float(agents), index=hour.index)
    return requirements.loc[:, ["ds", "queue"]].assign(agents_scheduled=values.to_numpy(dtype=float))


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
    assert by_hour.loc[[10, 11, 13], "agents_net"].tolist() == (slots / 2).tolist()
    # 1 Erlang: 3 slots = 1.5 net agents (a time average, as shrinkage makes it); 0.05: one slot, half an
    # agent (one agent's two chats would be twice what the target needs); 100 Erlangs: 118 slots (85% cap).
    assert by_hour.loc[[10, 11, 13], "agents_net"].tolist() == [1.5, 0.5, 59.0]
    assert by_hour.loc[12, "agents_net"] == 0.0
    # Closed at 03:00: nothing is required, whatever arrives.
    assert by_hour.loc[3, "agents_net"] == 0.0
    assert not by_hour.loc[3, "open"]
    assert by_hour.loc[3, "workload_hours"] == 0.0
    assert by_hour["open"].sum() == 8
    # 14 slots against 10 Erlangs: 88.84% within 20 s, 10/14 busy, ASA 7.84 s; 10 Erlangs of chats = 5 agent-hours.
    assert by_hour.loc[9, "service_level"] == pytest.approx(0.8884, abs=5e-5)
    assert by_hour.loc[9, "asa_seconds"] == pytest.approx(7.836, abs=5e-4)
    assert by_hour.loc[9, "occupancy"] == pytest.approx(10 / 14)
    assert by_hour.loc[9, "max_occupancy"] == 0.85
    assert by_hour.loc[9, "workload_hours"] == pytest.approx(5.0)
    assert by_hour.loc[9, "backlog"] == 0.0  # a stable live queue carries nothing into the next interval
    assert by_hour.loc[9, "agents_required"] == pytest.approx(7 / 0.75)
    np.testing.assert_allclose(result["agents_required"], result["agents_net"] / 0.75)
    assert (result["shrinkage"] == 0.25).all()
    assert (result["aht_seconds"] == 180.0).all()
    assert (result["abandon_rate"] == 0.0).all()


def test_handle_time_grows_with_concurrency_as_configured() -> None:
    # 300 s alone; +25% per extra simultaneous chat: at 3 chats each takes 300 x 1.5 = 450 s.
    chat = channel("chat", "erlang_c", aht_seconds=300.0, concurrency=3, concurrency_aht_growth=0.25, target_seconds=30.0)
    config = make_config(chat)
    result = compute_requirements(make_forecast(config, {"chat": hours({10: 160.0})}), config)
    ten = result.set_index(result["ds"].dt.hour).loc[10]
    assert ten["aht_seconds"] == 450.0
    traffic = 160 * 450 / 3600  # 20 slot-Erlangs
    slots = int(required_servers(np.array([traffic]), 450.0, 30.0, 0.8, 0.85)[0])
    assert ten["agents_net"] == slots / 3
    assert ten["workload_hours"] == pytest.approx(traffic / 3)
    assert ten["service_level"] == pytest.approx(float(service_level(ten["agents_net"] * 3, traffic, 450.0, 30.0)))


def test_erlang_a_channel_counts_abandonment() -> None:
    patient = channel("chat", "erlang_c", aht_seconds=180.0, target_seconds=20.0)
    impatient = channel("chat", "erlang_a", aht_seconds=180.0, target_seconds=20.0, patience_seconds=120.0)
    volumes = {"chat": hours({9: 200.0, 10: 600.0})}
    config_c, config_a = make_config(patient), make_config(impatient)
    erlang_c = compute_requirements(make_forecast(config_c, volumes), config_c).set_index("ds")
    erlang_a_result = compute_requirements(make_forecast(config_a, volumes), config_a).set_index("ds")
    busy = erlang_a_result["volume"] > 0
    # Abandonment shortens the queue: never more agents than Erlang C at a patience longer than the target.
    assert (erlang_a_result.loc[busy, "agents_net"] <= erlang_c.loc[busy, "agents_net"]).all()
    nine = erlang_a_result[erlang_a_result.index.hour == 9].iloc[0]
    slots = int(required_servers_a(np.array([10.0]), 180.0, 120.0, 20.0, 0.8, 0.85)[0])
    assert nine["agents_net"] == slots
    figures = erlang_a(slots, 10.0, 180.0, 120.0, 20.0)
    assert nine["service_level"] == pytest.approx(float(figures.service_level))
    assert nine["abandon_rate"] == pytest.approx(float(figures.abandon_rate))
    assert 0 < nine["abandon_rate"] < 0.1
    assert nine["service_level"] >= 0.8


def test_deferred_work_arriving_while_closed_waits_for_the_opening() -> None:
    email = channel("email", "deferred", target_hours=2.0)
    config = make_config(email)
    # 10 e-mails x 6 min = 1 agent-hour arriving at 03:00, answered over 09:00 and 10:00 (the smoothest plan).
    result = compute_requirements(make_forecast(config, {"email": hours({3: 10.0})}), config)
    planned = dict(zip(result["ds"].dt.hour, result["workload_hours"], strict=True))
    assert {hour: value for hour, value in planned.items() if value} == pytest.approx({9: 0.5, 10: 0.5})
    by_hour = result.set_index(result["ds"].dt.hour)
    # 0.5 h / (1 h x 0.85) = 0.588 -> 0.59 agents (hundredths, rounded up); / (1 - 0.25) scheduled.
    assert by_hour.loc[9, "agents_net"] == 0.59
    assert by_hour.loc[9, "agents_required"] == pytest.approx(0.59 / 0.75)
    # 0.59 agents at the 85% cap answer 0.5015 h in the first hour, the remaining 0.4985 h in the second.
    assert by_hour.loc[9, "occupancy"] == pytest.approx(0.85)
    assert by_hour.loc[10, "occupancy"] == pytest.approx(0.4985 / 0.59)
    assert by_hour.loc[9, "service_level"] == 1.0  # all answered by 11:00
    # The backlog waits overnight (10 tickets), 4.985 are left after 09:00, none after 10:00.
    assert by_hour.loc[[3, 8], "backlog"].tolist() == pytest.approx([10.0, 10.0])
    assert by_hour.loc[9, "backlog"] == pytest.approx(4.985)
    assert by_hour.loc[10, "backlog"] == pytest.approx(0.0, abs=1e-9)
    # Mean wait from the opening (the night does not count): 0.5015 x 0.5 h + 0.4985 x 1.5 h = 0.9985 h.
    assert by_hour.loc[9, "asa_seconds"] == pytest.approx(0.9985 * 3600)
    assert by_hour.loc[11, "agents_net"] == 0.0


def test_deferred_window_counts_open_time_across_the_night() -> None:
    email = channel("email", "deferred", target_hours=3.0)
    config = make_config(email)
    # 30 e-mails = 3 h of work at 15:00; open until 17:00, so 15:00, 16:00 and 09:00 next day.
    volumes = hours({15: 30.0}) + hours({})
    result = compute_requirements(make_forecast(config, {"email": volumes}, days=2), config)
    planned = result.loc[result["workload_hours"] > 1e-12, ["ds", "workload_hours"]]
    assert planned["ds"].tolist() == [
        pd.Timestamp("2026-11-23T15:00Z"),
        pd.Timestamp("2026-11-23T16:00Z"),
        pd.Timestamp("2026-11-24T09:00Z"),
    ]
    assert planned["workload_hours"].tolist() == pytest.approx([1.0, 1.0, 1.0])
    overnight = result[(result["ds"] >= pd.Timestamp("2026-11-23T17:00Z")) & (result["ds"] < pd.Timestamp("2026-11-24T09:00Z"))]
    assert overnight["backlog"].to_numpy() == pytest.approx(np.full(len(overnight), 30 - 2 * 1.18 * 0.85 * 10))


def test_deferred_share_below_one_answers_that_share_of_every_interval_in_time() -> None:
    full = channel("email", "deferred", target_hours=2.0, service_level=1.0)
    most = channel("email", "deferred", target_hours=2.0, service_level=0.8)
    volumes = {"email": hours({9: 40.0, 10: 5.0, 11: 5.0, 14: 30.0})}
    config_full, config_most = make_config(full), make_config(most)
    needed_full = compute_requirements(make_forecast(config_full, volumes), config_full)
    needed_most = compute_requirements(make_forecast(config_most, volumes), config_most)
    # A lower share needs a lower peak and never more agent-hours in total.
    assert needed_most["agents_net"].max() < needed_full["agents_net"].max()
    assert needed_most["workload_hours"].sum() == pytest.approx(needed_full["workload_hours"].sum())
    opened = needed_most["open"] & (needed_most["volume"] > 0)
    assert (needed_most.loc[opened, "service_level"] >= 0.8 - 1e-9).all()
    assert (needed_full.loc[opened, "service_level"] >= 1.0 - 1e-9).all()


def test_deferred_work_after_the_last_opening_is_left_for_the_next_span() -> None:
    email = channel("email", "deferred", target_hours=4.0)
    config = make_config(email)
    # 16:00 is the last open hour, so the work of 14:00 and 16:00 must be done by 17:00; the smoothest way is
    # 0.5 h at 14:00 and 15:00 and 1 h at 16:00. The 20:00 tickets (after closing) are the next span's backlog.
    result = compute_requirements(make_forecast(config, {"email": hours({14: 10.0, 16: 10.0, 20: 10.0})}), config)
    planned = {hour: value for hour, value in zip(result["ds"].dt.hour, result["workload_hours"], strict=True) if value > 1e-12}
    assert planned == pytest.approx({14: 0.5, 15: 0.5, 16: 1.0})
    by_hour = result.set_index(result["ds"].dt.hour)
    assert by_hour.loc[23, "backlog"] == pytest.approx(10.0)
    assert by_hour.loc[18, "backlog"] == pytest.approx(0.0, abs=1e-9)


def test_open_days_close_a_queue_on_the_weekend() -> None:
    email = channel("email", "deferred", target_hours=2.0, open_days=(0, 1, 2, 3, 4))
    config = make_config(email)
    saturday = dt.date(2026, 11, 28)
    # 10 e-mails on Saturday at 10:00 wait until Monday 09:00.
    volumes = hours({10: 10.0}) + hours({}) + hours({})
    result = compute_requirements(make_forecast(config, {"email": volumes}, days=3, start=saturday), config)
    assert not result.loc[result["ds"] < pd.Timestamp("2026-11-30T00:00Z"), "open"].any()
    planned = result.loc[result["workload_hours"] > 1e-12, "ds"].tolist()
    assert planned == [pd.Timestamp("2026-11-30T09:00Z"), pd.Timestamp("2026-11-30T10:00Z")]
    sunday_night = result.set_index("ds").loc[pd.Timestamp("2026-11-29T23:00Z")]
    assert sunday_night["backlog"] == pytest.approx(10.0)
    mask = open_mask(interval_grid(saturday, 3, "UTC", 60), email, "UTC")
    assert mask.sum() == 8  # Monday 09:00-17:00 only


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


def test_overnight_opening_hours_across_a_dst_change() -> None:
    """Chat 18:00-02:00 on weekdays, over the night Berlin's clocks go back (Sunday 2026-10-25)."""
    chat = channel("chat", "erlang_c", open=OpeningHours(open=dt.time(18), close=dt.time(2)), open_days=(0, 1, 2, 3, 4))
    grid = interval_grid(dt.date(2026, 10, 23), 4, "Europe/Berlin", 60)  # Friday to Monday: 97 hours
    local = grid.tz_convert("Europe/Berlin")
    opened = [
        f"{moment:%a %H}"
        for moment, is_open in zip(local, open_mask(grid, chat, "Europe/Berlin"), strict=True)
        if is_open
    ]
    # Thursday's and Friday's evenings run into the next morning; Sunday's window is closed, so Monday's
    # small hours are too.
    evening = [f"{hour:02d}" for hour in range(18, 24)]
    assert opened == [
        "Fri 00",
        "Fri 01",
        *(f"Fri {hour}" for hour in evening),
        "Sat 00",
        "Sat 01",
        *(f"Mon {hour}" for hour in evening),
    ]
    assert len(grid) == 97


@settings(max_examples=300)
@given(
    open_minute=st.integers(0, 47).map(lambda half_hours: half_hours * 30),
    close_minute=st.integers(0, 47).map(lambda half_hours: half_hours * 30),
    open_days=st.sets(st.integers(0, 6)),
    weekday=st.integers(0, 6),
    minute=st.integers(0, 24 * 60 - 1),
)
def test_open_at_matches_the_windows_it_describes(
    open_minute: int, close_minute: int, open_days: set[int], weekday: int, minute: int
) -> None:
    """Open exactly when the moment lies in the window opened today or yesterday (if that one runs past midnight)."""
    hours = OpeningHours(
        open=dt.time(open_minute // 60, open_minute % 60), close=dt.time(close_minute // 60, close_minute % 60)
    )
    length = (close_minute - open_minute) % (24 * 60) or 24 * 60  # 00:00 closes at midnight; equal ends: all day
    windows = [
        (day_offset * 24 * 60 + open_minute, day_offset * 24 * 60 + open_minute + length)
        for day_offset, day in ((0, weekday), (-1, (weekday - 1) % 7))
        if day in open_days
    ]
    expected = any(start <= minute < end for start, end in windows)
    assert bool(hours.open_at(minute, weekday, sorted(open_days))) == expected


def test_no_nan_in_output() -> None:
    chat = channel("chat", "erlang_c", aht_seconds=180.0)
    email = channel("email", "deferred")
    config = make_config(chat, email)
    result = compute_requirements(make_forecast(config, {"chat": hours({}), "email": hours({})}), config)
    numbers = result.select_dtypes("number")
    assert np.isfinite(numbers.to_numpy()).all()
    assert (result["agents_net"] == 0).all()
    assert (result["service_level"] == 1.0).all()


def test_unknown_queue() -> None:
    config = make_config(channel("chat", "erlang_c"))
    forecast = make_forecast(config, {"chat": hours({}), "phone": hours({}), "fax": hours({})})
    with pytest.raises(InputError) as error:
        compute_requirements(forecast, config)
    assert str(error.value) == "forecast has queue(s) ['fax', 'phone'] with no [channels.<name>] in peakplan.toml"


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
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


# --- the reverse: what a given staffing gives -----------------------------------------------------------


def test_evaluating_the_requirements_gives_back_their_figures() -> None:
    chat = channel("chat", "erlang_c", aht_seconds=180.0, concurrency=2, target_seconds=20.0)
    phone = channel("phone", "erlang_a", aht_seconds=240.0, target_seconds=20.0, patience_seconds=90.0)
    email = channel("email", "deferred", target_hours=2.0, service_level=0.9)
    config = make_config(chat, email, phone)
    forecast = make_forecast(
        config,
        {"chat": hours({9: 200.0, 12: 50.0}), "phone": hours({10: 80.0}), "email": hours({2: 20.0, 9: 15.0, 13: 8.0})},
        days=1,
    )
    requirements = compute_requirements(forecast, config)
    evaluation = evaluate_staffing(requirements, requirements, config, agents_column="agents_required")
    assert list(evaluation.columns) == list(EVALUATION_COLUMNS)
    for column in ("service_level", "asa_seconds", "abandon_rate", "backlog", "occupancy", "agents_net"):
        np.testing.assert_allclose(evaluation[column], requirements[column], rtol=1e-9, atol=1e-9, err_msg=column)


def test_understaffed_erlang_c_carries_a_queue_into_the_next_interval() -> None:
    chat = channel("chat", "erlang_c", aht_seconds=360.0, target_seconds=20.0)
    config = make_config(chat, shrinkage=0.0)
    # 100 chats of 6 min at 09:00 = 10 Erlangs on 5 agents: 50 answered, 50 carried; at 10:00 none arrive.
    forecast = make_forecast(config, {"chat": hours({9: 100.0})})
    result = evaluate_staffing(forecast, staffing_of(forecast, 5.0), config).set_index(forecast["ds"].dt.hour)
    assert result.loc[9, "service_level"] == 0.0
    assert result.loc[9, "backlog"] == pytest.approx(50.0)
    assert result.loc[9, "occupancy"] == 1.0
    # Fluid mean wait of the 09:00 arrivals: the queue grows from 0 to 50, served at 5 / 360 s -> 25 x 72 s.
    assert result.loc[9, "asa_seconds"] == pytest.approx(25 * 72)
    # 10:00: the 50 carried chats are 5 Erlangs on 5 agents: still saturated, then gone.
    assert result.loc[10, "backlog"] == pytest.approx(0.0)
    assert result.loc[10, "service_level"] == 1.0  # nobody new arrived
    assert np.isfinite(result.select_dtypes("number").to_numpy()).all()


def test_a_live_queue_with_contacts_and_nobody_shows_the_asa_cap() -> None:
    chat = channel("chat", "erlang_c", aht_seconds=180.0)
    email = channel("email", "deferred")
    config = make_config(chat, email)
    forecast = make_forecast(config, {"chat": hours({9: 20.0}), "email": hours({9: 5.0})})
    result = evaluate_staffing(forecast, pd.DataFrame({"ds": [], "queue": [], "agents_scheduled": []}), config)
    nine = result[result["ds"].dt.hour == 9].set_index("queue")
    assert nine.loc["chat", "asa_seconds"] == ASA_CAP_SECONDS
    assert nine.loc["chat", "service_level"] == 0.0
    assert nine.loc["email", "service_level"] == 0.0
    assert result.loc[result["queue"] == "email", "backlog"].iloc[-1] == pytest.approx(5.0)
    assert np.isfinite(result.select_dtypes("number").to_numpy()).all()


def test_evaluation_rounds_live_agents_down_to_whole_slots() -> None:
    chat = channel("chat", "erlang_c", aht_seconds=180.0, concurrency=2, target_seconds=20.0)
    config = make_config(chat, shrinkage=0.3)
    forecast = make_forecast(config, {"chat": hours({9: 200.0})})
    # 10 scheduled x 0.7 = 7 agents = 14 slots; 9.9 scheduled -> 6.93 agents = 13.86 -> 13 slots.
    ten = evaluate_staffing(forecast, staffing_of(forecast, 10.0), config).set_index(forecast["ds"].dt.hour).loc[9]
    short = evaluate_staffing(forecast, staffing_of(forecast, 9.9), config).set_index(forecast["ds"].dt.hour).loc[9]
    assert ten["service_level"] == pytest.approx(float(service_level(14, 10.0, 180.0, 20.0)))
    assert short["service_level"] == pytest.approx(float(service_level(13, 10.0, 180.0, 20.0)))
    assert short["asa_seconds"] == pytest.approx(float(average_speed_of_answer(13, 10.0, 180.0)))
    assert ten["agents_net"] == pytest.approx(7.0)


def test_summary_weights_by_offered_contacts() -> None:
    chat = channel("chat", "erlang_c", aht_seconds=180.0, target_seconds=20.0)
    config = make_config(chat, shrinkage=0.0)
    forecast = make_forecast(config, {"chat": hours({9: 200.0, 10: 100.0})})
    evaluation = evaluate_staffing(forecast, staffing_of(forecast, 14.0), config)
    summary = summarize_evaluation(evaluation).set_index("queue")
    nine, ten = float(service_level(14, 10.0, 180.0, 20.0)), float(service_level(14, 5.0, 180.0, 20.0))
    assert summary.loc["chat", "service_level"] == pytest.approx((200 * nine + 100 * ten) / 300)
    assert summary.loc["chat", "offered"] == 300.0


def test_evaluation_input_errors() -> None:
    config = make_config(channel("chat", "erlang_c"))
    forecast = make_forecast(config, {"chat": hours({9: 10.0})})
    with pytest.raises(InputError, match=r"staffing is missing column\(s\) \['agents_scheduled'\]"):
        evaluate_staffing(forecast, forecast, config)
    negative = staffing_of(forecast, -1.0)
    with pytest.raises(InputError, match="staffing has missing or negative agents_scheduled values"):
        evaluate_staffing(forecast, negative, config)


def test_a_roster_is_scored_by_its_scheduled_agents() -> None:
    from scheduler.pipeline import roster_service

    chat = channel("chat", "erlang_c", aht_seconds=180.0, target_seconds=20.0)
    config = make_config(chat, shrinkage=0.0)
    requirements = compute_requirements(make_forecast(config, {"chat": hours({9: 200.0, 10: 200.0})}), config)
    # 14 agents at 09:00, 13 at 10:00 (one leaves at 10:00).
    roster = pd.DataFrame(
        {
            "agent_id": [f"a{number}" for number in range(14)],
            "queue": "chat",
            "activity": "work",
            "start": pd.Timestamp("2026-11-23T09:00Z"),
            "end": [pd.Timestamp("2026-11-23T10:00Z")] + [pd.Timestamp("2026-11-23T11:00Z")] * 13,
            "shift_id": [f"a{number}-x" for number in range(14)],
        }
    )
    service = roster_service(config, requirements, roster).set_index(requirements["ds"].dt.hour)
    assert service.loc[9, "agents_scheduled"] == 14.0 and service.loc[10, "agents_scheduled"] == 13.0
    assert service.loc[9, "service_level"] == pytest.approx(0.8884, abs=5e-5)
    assert service.loc[10, "service_level"] == pytest.approx(0.7956, abs=5e-5)
