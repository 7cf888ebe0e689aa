"""First-response times of deferred queues (scheduler.staffing.response_times)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.errors import InputError
from scheduler.staffing.backlog import cohorts, evaluate_capacity
from scheduler.staffing.response_times import (
    DeferredQueue,
    answer_times,
    day_dispersion,
    response_times,
    scenario_tickets,
    simulate,
    waiting_work,
)

STEP = pd.Timedelta(minutes=30)


def make_queue(
    volume: np.ndarray,
    agents: np.ndarray,
    *,
    days: int = 2,
    open_from: int = 9,
    open_to: int = 17,
    aht_minutes: float = 6.0,
) -> DeferredQueue:
    """A UTC queue on a 30-minute grid open ``open_from``-``open_to`` every day; agents work at full capacity."""
    n = 48 * days
    starts = pd.date_range("2026-11-23", periods=n, freq=STEP, tz="UTC")
    hours = starts.hour
    is_open = np.asarray((hours >= open_from) & (hours < open_to))
    return DeferredQueue(
        queue="email",
        starts=starts,
        step=STEP,
        volume=np.asarray(volume, dtype=float),
        day=np.repeat(np.arange(days), 48).astype(np.int64),
        day_dispersion=np.zeros(days),
        is_open=is_open,
        capacity=np.where(is_open, np.asarray(agents, dtype=float) * 0.5, 0.0),
        ticket_hours=aht_minutes / 60,
    )


def at(text: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([pd.Timestamp(text)])


def test_an_empty_queue_answers_after_one_handle_time() -> None:
    queue = make_queue(np.zeros(96), np.ones(96))
    times = answer_times(queue, at("2026-11-23T10:00:00Z"), scenarios=20)
    assert times.expected_at[0] == pd.Timestamp("2026-11-23T10:06:00Z")
    assert times.p80_at[0] == pd.Timestamp("2026-11-23T10:06:00Z")
    assert times.expected_minutes[0] == pytest.approx(6.0)


def test_a_message_at_night_waits_for_the_opening() -> None:
    queue = make_queue(np.zeros(96), np.ones(96))
    times = answer_times(queue, at("2026-11-23T03:10:00+00:00"), scenarios=20)
    assert times.expected_at[0] == pd.Timestamp("2026-11-23T09:06:00Z")


def test_work_left_at_closing_continues_the_next_morning() -> None:
    queue = make_queue(np.zeros(96), np.ones(96))
    # 3 minutes of work before the 17:00 closing, the other 3 after the 09:00 opening
    times = answer_times(queue, at("2026-11-23T16:57:00Z"), scenarios=20)
    assert times.expected_at[0] == pd.Timestamp("2026-11-24T09:03:00Z")


def test_nobody_on_the_queue_means_an_answer_when_someone_is() -> None:
    agents = np.ones(96)
    agents[20:24] = 0.0  # nobody 10:00-12:00 on the first day
    queue = make_queue(np.zeros(96), agents)
    times = answer_times(queue, at("2026-11-23T10:30:00Z"), scenarios=20)
    assert times.expected_at[0] == pd.Timestamp("2026-11-23T12:06:00Z")


def test_answers_beyond_the_horizon_are_missing() -> None:
    queue = make_queue(np.zeros(96), np.ones(96))
    times = answer_times(queue, at("2026-11-24T20:00:00Z"), scenarios=20)
    assert pd.isna(times.expected_at[0]) and pd.isna(times.p80_at[0])


def test_a_moment_outside_the_plan_is_an_input_error() -> None:
    queue = make_queue(np.zeros(96), np.ones(96))
    with pytest.raises(InputError, match="outside the plan of queue 'email'"):
        answer_times(queue, at("2026-11-22T10:00:00Z"), scenarios=20)


def test_a_night_backlog_delays_the_morning_by_its_work() -> None:
    volume = np.zeros(96)
    volume[0:18] = 1.0  # 18 tickets expected overnight (00:00-09:00), Poisson
    queue = make_queue(volume, np.ones(96))
    times = answer_times(queue, at("2026-11-23T09:00:00Z"), scenarios=400)
    # FIFO: the message waits for the night's tickets (18 x 6 min on average) and then takes its own 6 minutes
    assert times.expected_minutes[0] == pytest.approx(19 * 6, rel=0.05)
    assert times.p80_minutes[0] > times.expected_minutes[0]  # Poisson: 80% of nights bring fewer than ~21.6


def test_the_band_gives_day_dispersion_beyond_poisson() -> None:
    yhat = np.array([10.0, 10.0, 4.0, 4.0])
    pure_poisson = yhat + 1.2816 * np.sqrt(yhat)
    assert day_dispersion(yhat, pure_poisson, np.array([0, 0, 1, 1])) == pytest.approx([0.0, 0.0], abs=1e-9)
    wide = yhat + 1.2816 * np.sqrt(yhat + 0.25 * yhat**2)
    assert day_dispersion(yhat, wide, np.array([0, 0, 1, 1])) == pytest.approx([0.25, 0.25])


def test_response_times_rows_and_determinism() -> None:
    volume = np.full(96, 2.0)
    queue = make_queue(volume, np.full(96, 1.0))
    first = response_times((queue,), scenarios=50)
    second = response_times((queue,), scenarios=50)
    assert list(first.columns) == ["queue", "ds", "expected_minutes", "p80_minutes", "expected_at", "p80_at"]
    assert len(first) == 96
    pd.testing.assert_frame_equal(first, second)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    volume=st.lists(st.floats(0.0, 4.0), min_size=96, max_size=96),
    agents=st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0]), min_size=96, max_size=96),
    open_from=st.integers(0, 12),
    length=st.integers(2, 12),
    dispersion=st.floats(0.0, 0.5),
)
def test_answers_are_inside_opening_hours_later_than_the_message_and_monotone(
    volume: list[float], agents: list[float], open_from: int, length: int, dispersion: float
) -> None:
    base = make_queue(np.asarray(volume), np.asarray(agents), open_from=open_from, open_to=open_from + length)
    queue = DeferredQueue(
        **{**{f: getattr(base, f) for f in base.__slots__}, "day_dispersion": np.array([0.0, dispersion])}
    )
    received = queue.starts[::3]
    times = answer_times(queue, received, scenarios=30)
    for column in (times.expected_at, times.p80_at):
        known = ~pd.isna(column)
        answered = pd.DatetimeIndex(column[known])
        assert (answered >= received[known]).all()
        minutes = answered.hour * 60 + answered.minute
        # inside [open, close]: the close itself is the end of the last open interval
        assert ((minutes >= open_from * 60) & (minutes <= (open_from + length) * 60)).all()
        values = np.asarray(column.asi8, dtype=float)
        values[~known] = 1e30  # beyond the horizon: later than any answer
        assert (np.diff(values) >= 0).all()  # a later message is never answered earlier (FIFO)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    volume=st.lists(st.floats(0.0, 4.0), min_size=96, max_size=96),
    agents=st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0]), min_size=96, max_size=96),
    open_from=st.integers(0, 23),
    length=st.integers(0, 24),
)
def test_waiting_work_of_all_scenarios_is_the_one_row_model_bit_for_bit(
    volume: list[float], agents: list[float], open_from: int, length: int
) -> None:
    queue = make_queue(np.asarray(volume), np.asarray(agents), open_from=open_from, open_to=open_from + length)
    tickets = scenario_tickets(queue, 12)
    waiting = waiting_work(queue, tickets)
    work = tickets * queue.ticket_hours
    positions = np.flatnonzero(queue.is_open)
    latest = np.searchsorted(positions, np.arange(queue.volume.size), side="right") - 1
    for row in range(work.shape[0]):  # the backlog model run on each scenario alone
        groups = cohorts(work[row], queue.is_open)
        done = evaluate_capacity(groups.work, groups.own, queue.capacity[groups.positions], 1).done
        answered = np.where(latest >= 0, done[np.maximum(latest, 0)] if done.size else 0.0, 0.0)
        left = np.cumsum(work[row]) - answered
        expected = np.concatenate(([0.0], np.clip(left[:-1], 0.0, None)))
        assert waiting[row].tobytes() == expected.tobytes()


def test_answer_times_from_shared_scenarios_equal_a_fresh_draw() -> None:
    queue = make_queue(np.full(96, 3.0), np.full(96, 1.0))
    ends = queue.starts + queue.step
    fresh = answer_times(queue, ends, scenarios=40)
    shared = answer_times(queue, ends, simulated=simulate(queue, 40))
    pd.testing.assert_index_equal(fresh.expected_at, shared.expected_at)
    pd.testing.assert_index_equal(fresh.p80_at, shared.p80_at)
    drawn = {queue.queue: simulate(queue, 40)}
    pd.testing.assert_frame_equal(response_times((queue,), 40), response_times((queue,), 40, simulated=drawn))
