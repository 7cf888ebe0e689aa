"""Coverage accounting from hand-built roster blocks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecasts.grid import interval_grid
from scheduler.coverage import (
    COVERAGE_COLUMNS,
    SUMMARY_COLUMNS,
    _overlaps,
    daily_summary,
    roster_coverage,
    scheduled_agents,
)

TZ = "Europe/Moscow"


def requirements(values: dict[str, list[float]], day: dt.date = dt.date(2026, 11, 23), days: int = 1) -> pd.DataFrame:
    grid = interval_grid(day, days, TZ, 60)
    return pd.concat(
        [pd.DataFrame({"ds": grid, "queue": queue, "agents_required": need}) for queue, need in values.items()],
        ignore_index=True,
    )


def roster(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    """Rows of (agent, queue, activity, local start, local end) on 2026-11-23 in Moscow."""
    frame = pd.DataFrame(rows, columns=["agent_id", "queue", "activity", "start", "end"])
    for column in ("start", "end"):
        frame[column] = pd.to_datetime("2026-11-23 " + frame[column]).dt.tz_localize(TZ).dt.tz_convert("UTC")
    frame["shift_id"] = frame["agent_id"] + "-2026-11-23"
    return frame


def test_blocks_count_per_queue_and_partly_when_ending_mid_interval() -> None:
    need = {"chat": [0.0] * 9 + [2.0] * 4 + [0.0] * 11, "email": [0.0] * 9 + [0.5] * 4 + [0.0] * 11}
    blocks = roster(
        [
            ("a1", "chat", "work", "09:00", "13:00"),
            ("a2", "chat", "work", "09:00", "10:30"),  # ends mid-interval: half of 10:00
            ("a2", "email", "work", "10:30", "13:00"),
            ("a3", "", "lunch", "09:00", "13:00"),  # not work: never counts
            ("a3", "chat", "work", "12:45", "14:00"),  # starts mid-interval
        ]
    )
    coverage = scheduled_agents(blocks, requirements(need), 60)
    assert list(coverage.columns) == list(COVERAGE_COLUMNS)
    assert coverage["queue"].tolist() == ["chat"] * 24 + ["email"] * 24
    by_hour = coverage.set_index([coverage["queue"], coverage["ds"].dt.tz_convert(TZ).dt.hour])
    chat, email = by_hour.loc["chat"], by_hour.loc["email"]
    assert chat.loc[8:13, "agents_scheduled"].tolist() == [0.0, 2.0, 1.5, 1.0, 1.25, 1.0]
    assert chat.loc[8:13, "shortfall"].tolist() == [0.0, 0.0, 0.5, 1.0, 0.75, 0.0]
    assert email.loc[9:13, "agents_scheduled"].tolist() == [0.0, 0.5, 1.0, 1.0, 0.0]
    assert email.loc[9:13, "shortfall"].tolist() == [0.5, 0.0, 0.0, 0.0, 0.0]
    assert coverage["agents_scheduled"].sum() == pytest.approx(6.75 + 2.5)


def test_daily_summary_sums_hours_and_understaffed_intervals() -> None:
    need = {"chat": [1.0] * 24 + [0.0] * 24, "email": [0.25] * 48}
    blocks = roster([("a1", "chat", "work", "00:00", "10:00"), ("a2", "email", "work", "08:00", "08:30")])
    coverage = scheduled_agents(blocks, requirements(need, days=2), 60)
    summary = daily_summary(coverage, 60, TZ)
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert summary.to_dict("records") == [
        {"day": "2026-11-23 Mon", "queue": "chat", "required_hours": 24.0, "scheduled_hours": 10.0, "understaffed_intervals": 14},
        {"day": "2026-11-23 Mon", "queue": "email", "required_hours": 6.0, "scheduled_hours": 0.5, "understaffed_intervals": 23},
        {"day": "2026-11-24 Tue", "queue": "chat", "required_hours": 0.0, "scheduled_hours": 0.0, "understaffed_intervals": 0},
        {"day": "2026-11-24 Tue", "queue": "email", "required_hours": 6.0, "scheduled_hours": 0.0, "understaffed_intervals": 24},
    ]


def test_daily_summary_with_half_hour_intervals() -> None:
    grid = interval_grid(dt.date(2026, 11, 23), 1, TZ, 30)
    coverage = pd.DataFrame(
        {"ds": grid, "queue": "chat", "agents_required": 2.0, "agents_scheduled": 2.0, "shortfall": 0.0}
    )
    coverage.loc[5, ["agents_scheduled", "shortfall"]] = [1.0, 1.0]
    summary = daily_summary(coverage, 30, TZ)
    assert summary.to_dict("records") == [
        {"day": "2026-11-23 Mon", "queue": "chat", "required_hours": 48.0, "scheduled_hours": 47.5, "understaffed_intervals": 1}
    ]


def test_empty_roster_schedules_nobody() -> None:
    empty = pd.DataFrame(columns=["agent_id", "queue", "activity", "start", "end", "shift_id"])
    empty["start"] = pd.to_datetime(empty["start"], utc=True)
    empty["end"] = pd.to_datetime(empty["end"], utc=True)
    coverage = scheduled_agents(empty, requirements({"chat": [1.0] * 24}), 60)
    assert (coverage["agents_scheduled"] == 0).all()
    assert coverage["shortfall"].sum() == 24.0


def test_roster_coverage_is_the_intervals_and_their_daily_roll_up() -> None:
    need = {"chat": [1.0] * 48}
    blocks = roster([("a1", "chat", "work", "08:00", "12:30")])
    covered = roster_coverage(blocks, requirements(need, days=2), 60, TZ)
    assert covered.intervals.equals(scheduled_agents(blocks, requirements(need, days=2), 60))
    assert covered.daily.equals(daily_summary(covered.intervals, 60, TZ))
    assert covered.daily["scheduled_hours"].tolist() == [4.5, 0.0]


def test_the_blocks_overlaps_at_once_are_the_sums_block_after_block() -> None:
    """Same floats as adding each block's parts in turn (its touched intervals only), whatever the blocks' order."""
    rng = np.random.default_rng(7)
    step = np.timedelta64(15 * 60 * 10**9, "ns")
    starts = np.datetime64("2026-11-23T00:00", "ns") + step * np.arange(600)
    ends = starts + step
    minute, second = np.timedelta64(60 * 10**9, "ns"), np.timedelta64(10**9, "ns")
    begins = starts[0] + minute * rng.integers(-30, 4_500, 400) + second * rng.integers(0, 60, 400)
    finishes = begins + minute * rng.integers(0, 600, 400)  # empty, inside one interval, past the grid's ends
    expected = np.zeros(len(starts))
    for begin, end in zip(begins, finishes, strict=True):
        first, last = np.searchsorted(ends, begin, side="right"), np.searchsorted(starts, end, side="left")
        part = (np.minimum(ends[first:last], end) - np.maximum(starts[first:last], begin)) / step
        expected[first:last] += np.clip(part, 0.0, 1.0)
    total = _overlaps(starts, ends, begins, finishes, step)
    assert total.dtype == np.float64
    assert total.tolist() == expected.tolist()
    assert 0 < np.count_nonzero(total) < len(total)
    assert _overlaps(starts, ends, begins[:0], finishes[:0], step).tolist() == [0.0] * len(starts)


def test_requirements_out_of_order_in_a_queue_are_counted_all_the_same() -> None:
    """Two rows for one interval (the intervals not ordered): each gets the agents working it."""
    need = requirements({"chat": [1.0] * 24})
    need = pd.concat([need, need.iloc[[10]]], ignore_index=True)
    blocks = roster([("a1", "chat", "work", "09:30", "11:00"), ("a2", "chat", "work", "10:00", "12:00")])
    coverage = scheduled_agents(blocks, need, 60)
    hours = coverage["ds"].dt.tz_convert(TZ).dt.hour.tolist()
    scheduled = dict(zip(hours, coverage["agents_scheduled"], strict=True))
    assert hours.count(10) == 2
    assert coverage.loc[[h == 10 for h in hours], "agents_scheduled"].tolist() == [2.0, 2.0]
    assert (scheduled[9], scheduled[11], scheduled[12]) == (0.5, 1.0, 0.0)
