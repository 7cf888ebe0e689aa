"""Coverage accounting: what a roster actually staffs against what was required.

Computed from the roster table itself, independently of the solver's
variables, so the summary also checks the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

COVERAGE_COLUMNS = ("ds", "queue", "agents_required", "agents_scheduled", "shortfall")
SUMMARY_COLUMNS = ("day", "queue", "required_hours", "scheduled_hours", "understaffed_intervals")


@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    """What a roster staffs against the requirements, per interval and rolled up per local day."""

    intervals: pd.DataFrame  # COVERAGE_COLUMNS (see scheduled_agents)
    daily: pd.DataFrame  # SUMMARY_COLUMNS (see daily_summary)


def _utc_ns(values: pd.Series) -> np.ndarray:
    """tz-aware timestamps as naive UTC ``datetime64[ns]`` for vector arithmetic."""
    return pd.to_datetime(values, utc=True).dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def _with_break_queue(rows: pd.DataFrame) -> pd.DataFrame:
    """Give each break the queue of the work block just before it in the same shift."""
    if not (rows["activity"] == "break").any():
        return rows
    ordered = rows.sort_values(["agent_id", "start"], kind="stable").copy()
    queues = ordered["queue"].where(ordered["activity"] == "work")
    ordered["queue"] = queues.groupby([ordered["agent_id"], ordered["shift_id"]]).ffill().bfill().fillna("")
    return ordered


def _overlaps(
    starts: np.ndarray, ends: np.ndarray, begins: np.ndarray, finishes: np.ndarray, step: np.timedelta64
) -> np.ndarray:
    """Per interval (``starts`` ordered), the sum over blocks of the part of it each block covers.

    Only the intervals a block touches count (the others would add 0.0), found for every block at
    once; ``np.bincount`` adds each interval's parts in the blocks' order, starting from 0.0, so
    the sums are the same floats as adding block after block.
    """
    firsts = np.searchsorted(ends, begins, side="right")
    lengths = np.maximum(np.searchsorted(starts, finishes, side="left") - firsts, 0)
    block = np.repeat(np.arange(len(begins)), lengths)
    interval = np.repeat(firsts - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
    overlap = (np.minimum(ends[interval], finishes[block]) - np.maximum(starts[interval], begins[block])) / step
    return np.bincount(interval, weights=np.clip(overlap, 0.0, 1.0), minlength=len(starts)).astype(float)


def scheduled_agents(roster: pd.DataFrame, requirements: pd.DataFrame, interval_minutes: int) -> pd.DataFrame:
    """Agents working each queue in each interval of the requirements.

    An agent counts in an interval in proportion to the part of it they work a
    queue, so a block ending mid-interval counts partly.

    Returns:
        :data:`COVERAGE_COLUMNS`, one row per requirements row, sorted by queue, ds.
    """
    base = requirements.loc[:, ["ds", "queue", "agents_required"]].sort_values(["queue", "ds"]).reset_index(drop=True)
    scheduled = np.zeros(len(base))
    step = pd.Timedelta(minutes=interval_minutes)
    # Short breaks are part of shrinkage, so an agent on a break still counts; lunch does not.
    work = _with_break_queue(roster[roster["activity"].isin(("work", "break"))])
    for queue, rows in base.groupby("queue", sort=True):
        starts = _utc_ns(rows["ds"])
        ends = starts + step.to_timedelta64()
        blocks = work[work["queue"] == queue]
        begins, finishes = _utc_ns(blocks["start"]), _utc_ns(blocks["end"])
        if len(starts) < 2 or (np.diff(starts) > np.timedelta64(0)).all():
            total = _overlaps(starts, ends, begins, finishes, step.to_timedelta64())
        else:
            total = np.zeros(len(rows))
            for begin, end in zip(begins, finishes, strict=True):
                total += np.clip((np.minimum(ends, end) - np.maximum(starts, begin)) / step.to_timedelta64(), 0.0, 1.0)
        scheduled[rows.index.to_numpy()] = total
    base["agents_scheduled"] = scheduled
    base["shortfall"] = np.clip(base["agents_required"] - base["agents_scheduled"], 0.0, None)
    return base.loc[:, list(COVERAGE_COLUMNS)]


def daily_summary(coverage: pd.DataFrame, interval_minutes: int, tz: str) -> pd.DataFrame:
    """Required vs scheduled agent-hours and understaffed intervals per local day and queue."""
    hours = interval_minutes / 60
    frame = coverage.assign(
        day=coverage["ds"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d %a"),
        required_hours=coverage["agents_required"] * hours,
        scheduled_hours=coverage["agents_scheduled"] * hours,
        understaffed_intervals=(coverage["shortfall"] > 1e-9).astype(int),
    )
    summary = frame.groupby(["day", "queue"], as_index=False)[
        ["required_hours", "scheduled_hours", "understaffed_intervals"]
    ].sum()
    return summary.loc[:, list(SUMMARY_COLUMNS)].sort_values(["day", "queue"]).reset_index(drop=True)


def roster_coverage(roster: pd.DataFrame, requirements: pd.DataFrame, interval_minutes: int, tz: str) -> Coverage:
    """:func:`scheduled_agents` of ``roster`` and its :func:`daily_summary` in the team's timezone ``tz``."""
    intervals = scheduled_agents(roster, requirements, interval_minutes)
    return Coverage(intervals=intervals, daily=daily_summary(intervals, interval_minutes, tz))
