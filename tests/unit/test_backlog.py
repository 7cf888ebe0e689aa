"""The deferred-work model (FIFO backlog in open time) by hand and against a discrete-event simulation."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.staffing.backlog import cohorts, deadline_bounds, evaluate_capacity, plan_capacity, taut_string, window_intervals
from scheduler.staffing.simulation import simulate_deferred
from scheduler.staffing.requirements import compute_requirements, evaluate_staffing, open_mask
from staffing_support import channel, hours, make_config, make_forecast


def test_cohorts_start_the_clock_at_the_next_opening() -> None:
    work = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    is_open = np.array([False, True, True, False, False, True, False])
    groups = cohorts(work, is_open)
    assert groups.positions.tolist() == [1, 2, 5]
    assert groups.work.tolist() == [3.0, 3.0, 15.0]  # 1 waits for 1; 4 and 5 wait for 5
    assert groups.own.tolist() == [2.0, 3.0, 6.0]
    assert groups.left_over == 7.0  # after the last opening: the next span's


def test_window_in_intervals() -> None:
    assert window_intervals(4.0, 30) == 8
    assert window_intervals(0.1, 60) == 1
    assert window_intervals(2.0, 15) == 8


def test_one_interval_window_and_every_ticket_forces_the_plan() -> None:
    work = np.array([1.0, 0.0, 3.0, 2.0])
    assert plan_capacity(work, 1, 1.0).tolist() == pytest.approx(work.tolist())


def test_a_burst_is_spread_over_its_window() -> None:
    # 4 h of work at once, 4 intervals to answer it: 1 h per interval.
    assert plan_capacity(np.array([4.0, 0, 0, 0, 0, 0]), 4, 1.0).tolist() == pytest.approx([1, 1, 1, 1, 0, 0])
    # Only 75% due in time: 3 h within the window, the last hour by the end of the span.
    share = plan_capacity(np.array([4.0, 0, 0, 0, 0, 0]), 4, 0.75)
    assert share.tolist() == pytest.approx([0.75, 0.75, 0.75, 0.75, 0.5, 0.5])
    # A later ticket must wait for the whole burst (FIFO), which pulls the tail in.
    later = plan_capacity(np.array([4.0, 0, 0, 0, 1.0, 0]), 4, 0.75)
    assert np.cumsum(later)[4] >= 4.0 - 1e-12


def min_possible_peak(lower: np.ndarray, upper: np.ndarray) -> float:
    """Brute force: the largest average rate any path must reach between two points."""
    n = len(lower) - 1
    return max((lower[t] - upper[s]) / (t - s) for s, t in itertools.combinations(range(n + 1), 2))


@settings(max_examples=60, deadline=None)
@given(
    work=st.lists(st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=10.0)), min_size=1, max_size=30),
    window=st.integers(min_value=1, max_value=8),
    share=st.sampled_from((0.5, 0.8, 0.9, 1.0)),
)
def test_plan_meets_every_deadline_with_the_lowest_possible_peak(work: list[float], window: int, share: float) -> None:
    values = np.array(work)
    capacity = plan_capacity(values, window, share)
    done = np.cumsum(capacity)
    lower, upper = deadline_bounds(values, window, share)
    scale = max(1.0, values.sum())
    assert (capacity >= 0).all()
    assert capacity.sum() == pytest.approx(values.sum(), abs=1e-9 * scale)
    assert (done >= lower - 1e-9 * scale).all()
    assert (done <= upper + 1e-9 * scale).all()
    padded_lower, padded_upper = np.concatenate(([0.0], lower)), np.concatenate(([0.0], upper))
    assert capacity.max(initial=0.0) == pytest.approx(min_possible_peak(padded_lower, padded_upper), abs=1e-9 * scale)
    figures = evaluate_capacity(values, values, capacity, window)
    assert (figures.share_in_target >= share - 1e-9).all()


def test_taut_string_bends_around_both_walls() -> None:
    lower = np.array([0.0, 0.0, 3.0, 3.0, 3.0, 6.0])
    upper = np.array([0.0, 1.0, 3.0, 9.0, 9.0, 6.0])
    path = taut_string(lower, upper)
    assert path.tolist() == pytest.approx([0.0, 1.0, 3.0, 4.0, 5.0, 6.0])


def test_evaluation_of_no_capacity_answers_nothing() -> None:
    figures = evaluate_capacity(np.array([2.0, 1.0]), np.array([2.0, 1.0]), np.zeros(2), 1)
    assert figures.share_in_target.tolist() == [0.0, 0.0]
    assert figures.done.tolist() == [0.0, 0.0]
    # Unanswered work counts as answered at the span's end (a lower bound): 2 - 0.5 and 2 - 1.5 intervals.
    assert figures.mean_wait.tolist() == pytest.approx([1.5, 0.5])


def test_evaluation_by_hand() -> None:
    # 2 h at the first opening (all from the night), 1 h per interval of capacity, 1-interval target:
    # half is answered in the first interval, half in the second (late).
    figures = evaluate_capacity(np.array([2.0, 0.0, 0.0]), np.array([0.0, 0.0, 0.0]), np.ones(3), 1)
    assert figures.done.tolist() == [1.0, 2.0, 2.0]
    assert figures.share_in_target.tolist() == [0.5, 1.0, 1.0]
    assert figures.mean_wait.tolist() == pytest.approx([1.0, 0.0, 0.0])  # answered at 0.5 and 1.5 on average


def ticket_times(volume: list[float]) -> np.ndarray:
    """Whole tickets spread evenly inside their interval."""
    return np.concatenate([index + (np.arange(int(count)) + 0.5) / count for index, count in enumerate(volume) if count])


def cohort_of(arrival: np.ndarray, is_open: np.ndarray) -> np.ndarray:
    positions = np.flatnonzero(is_open)
    return np.searchsorted(positions, np.floor(arrival).astype(int), side="left")


@pytest.mark.parametrize("share", [1.0, 0.9, 0.7])
def test_planned_requirements_meet_the_share_in_a_simulation(share: float) -> None:
    email = channel("email", "deferred", aht_seconds=360.0, target_hours=3.0, service_level=share)
    config = make_config(email, interval=60)
    rng = np.random.default_rng(11)
    days = 3
    volume = [float(count) for count in rng.poisson(np.tile(hours({9: 20, 10: 30, 11: 25, 14: 40, 15: 10, 20: 15, 2: 5}), days) + 2)]
    forecast = make_forecast(config, {"email": volume}, days=days)
    requirements = compute_requirements(forecast, config)
    is_open = requirements["open"].to_numpy()
    capacity = requirements["agents_net"].to_numpy() * config.max_occupancy  # agent-hours per 1-hour interval
    arrival = ticket_times(volume)
    run = simulate_deferred(arrival, 0.1, capacity, is_open, window_intervals(3.0, 60))

    last_open = np.flatnonzero(is_open)[-1]
    planned = arrival < last_open + 1  # the rest are the next span's
    assert np.isnan(run.answered[~planned]).all()
    assert not np.isnan(run.answered[planned]).any()
    groups = cohort_of(run.arrival[planned], is_open)
    for group in np.unique(groups):
        members = run.in_target[planned][groups == group]
        assert members.mean() >= share - 1.0 / members.size - 1e-9, (group, members.mean())
    # Backlog at each interval end: the fluid model and the simulation agree within a ticket or two
    # (the simulation answers whole tickets).
    assert np.abs(run.backlog - requirements["backlog"].to_numpy()).max() <= 2.0


def test_evaluated_understaffing_agrees_with_a_simulation() -> None:
    email = channel("email", "deferred", aht_seconds=300.0, target_hours=2.0, service_level=0.9)
    config = make_config(email, interval=60, shrinkage=0.0)
    volume = hours({9: 30, 10: 30, 11: 30, 12: 30, 13: 10, 14: 10, 15: 10, 16: 10})
    forecast = make_forecast(config, {"email": volume})
    staffed = forecast.loc[:, ["ds", "queue"]].assign(agents_scheduled=2.0)  # 1.7 h/h against 2.5 h/h at the peak
    evaluation = evaluate_staffing(forecast, staffed, config)
    is_open = open_mask(forecast["ds"], email, "UTC")
    run = simulate_deferred(ticket_times(volume), 300 / 3600, np.full(24, 2.0 * 0.85), is_open, 2)
    assert np.abs(run.backlog - evaluation["backlog"].to_numpy()).max() <= 2.0
    groups = cohort_of(run.arrival, is_open)
    predicted = evaluation.loc[evaluation["open"], "service_level"].to_numpy()
    simulated = pd.Series(run.in_target).groupby(groups).mean().to_numpy()
    # Tickets spread inside their hour have later deadlines than the fluid model's hour start: never worse.
    assert (simulated >= predicted - 1 / 30 - 1e-9).all()
    assert predicted.min() < 0.9  # the peak really is understaffed
    assert (evaluation["backlog"] >= 0).all()
