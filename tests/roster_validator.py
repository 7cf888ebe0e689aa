"""An independent check of a roster's hard rules.

Reads only the roster table (the roster contract in README.md, "Data contracts"), the
team, the config and the horizon; it never looks at the solver's model, so a
rule the model forgets to state shows up here as a violation. Every check is
written out again from the contract instead of calling the scheduler's helpers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from zoneinfo import ZoneInfo

import pandas as pd

from scheduler.config import Config
from scheduler.team import Agent, Team

COLUMNS = ["agent_id", "queue", "activity", "start", "end", "shift_id"]


def _minutes(clock: dt.time) -> int:
    return clock.hour * 60 + clock.minute


def _end_minutes(clock: dt.time) -> int:
    """A window end of 00:00 means midnight at the end of the day."""
    return _minutes(clock) or 24 * 60


def _queue_open(config: Config, queue: str, local: pd.Timestamp) -> bool:
    channel = next((channel for channel in config.channels if channel.name == queue), None)
    if channel is None:
        return False
    minute = local.hour * 60 + local.minute
    return _minutes(channel.open.open) <= minute < _end_minutes(channel.open.close)


def _in_availability(agent: Agent, local_start: pd.Timestamp, minutes: int) -> bool:
    day = local_start.date()
    if day in agent.time_off:
        return False
    if not agent.availability:
        return True
    begin = local_start.hour * 60 + local_start.minute
    return any(
        day.weekday() in window.weekdays
        and _minutes(window.start) <= begin
        and begin + minutes <= _end_minutes(window.end)
        for window in agent.availability
    )


def _counted_minutes(config: Config, local_start: pd.Timestamp, worked: int, clipped: bool) -> int | None:
    """Length the contract counts for a shift: its template's hours (a shift cut at the horizon end counts whole)."""
    start_time = dt.time(local_start.hour, local_start.minute)
    lengths = sorted(int(round(t.hours * 60)) for t in config.roster.shifts if start_time in t.starts)
    if worked in lengths:
        return worked
    if clipped:
        longer = [length for length in lengths if length > worked]
        if longer:
            return longer[0]
    return None


def find_violations(roster: pd.DataFrame, team: Team, config: Config, start: dt.date, days: int) -> list[str]:
    """Every hard-rule violation of ``roster`` for the horizon of ``days`` local days from ``start``.

    Returns:
        Human-readable violations; empty when the roster keeps every rule.
    """
    problems: list[str] = []
    if list(roster.columns) != COLUMNS:
        return [f"columns {list(roster.columns)} are not {COLUMNS}"]
    if roster.empty:
        frame = roster
    else:
        for column in ("start", "end"):
            if getattr(roster[column].dt, "tz", None) is None:
                return [f"{column} is not timezone-aware"]
        frame = roster
        ordered = frame.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
        if not ordered.equals(frame.reset_index(drop=True)):
            problems.append("rows are not sorted by agent_id, start")

    tz = ZoneInfo(config.timezone)
    horizon_start = pd.Timestamp(dt.datetime.combine(start, dt.time(0), tzinfo=tz))
    horizon_end = pd.Timestamp(dt.datetime.combine(start + dt.timedelta(days=days), dt.time(0), tzinfo=tz))
    step = pd.Timedelta(minutes=config.interval_minutes)
    agents = {agent.id: agent for agent in team.agents}
    horizon_days = [start + dt.timedelta(days=offset) for offset in range(days)]

    # shift_id -> (agent, local start, counted minutes)
    shifts: dict[str, tuple[str, pd.Timestamp, pd.Timestamp, int]] = {}
    for shift_id, blocks in frame.groupby("shift_id", sort=True):
        blocks = blocks.sort_values("start")
        agent_ids = set(blocks["agent_id"])
        if len(agent_ids) != 1:
            problems.append(f"shift {shift_id}: blocks of several agents {sorted(agent_ids)}")
            continue
        agent_id = agent_ids.pop()
        agent = agents.get(agent_id)
        if agent is None:
            problems.append(f"shift {shift_id}: agent {agent_id!r} is not in the team")
            continue
        begin, finish = blocks["start"].iloc[0], blocks["end"].iloc[-1]
        local_begin = begin.tz_convert(tz)
        expected_id = f"{agent_id}-{local_begin.date().isoformat()}-{local_begin:%H%M}"
        if shift_id != expected_id:
            problems.append(f"shift {shift_id}: id should be {expected_id}")
        if begin < horizon_start or finish > horizon_end:
            problems.append(f"shift {shift_id}: outside the horizon")
        previous_end, previous_queue = None, None
        for row in blocks.itertuples(index=False):
            if row.activity != "work":
                problems.append(f"shift {shift_id}: activity {row.activity!r}")
            if not row.start < row.end:
                problems.append(f"shift {shift_id}: block {row.start} has no length")
            if previous_end is not None and row.start != previous_end:
                problems.append(f"shift {shift_id}: gap or overlap at {row.start}")
            if previous_queue is not None and row.queue == previous_queue:
                problems.append(f"shift {shift_id}: two adjacent blocks on {row.queue!r} should be one")
            previous_end, previous_queue = row.end, row.queue
            if row.queue not in agent.channels:
                problems.append(f"shift {shift_id}: queue {row.queue!r} at {row.start} is not a skill of {agent_id}")
            moment = row.start
            while moment < row.end:
                if not _queue_open(config, row.queue, moment.tz_convert(tz)):
                    problems.append(f"shift {shift_id}: queue {row.queue!r} is closed at {moment}")
                if (moment - horizon_start) % step != pd.Timedelta(0):
                    problems.append(f"shift {shift_id}: {moment} is off the interval grid")
                moment += step
        worked = int((finish - begin).total_seconds() // 60)
        counted = _counted_minutes(config, local_begin, worked, clipped=finish == horizon_end)
        if counted is None:
            problems.append(f"shift {shift_id}: {worked} min from {local_begin:%H:%M} matches no shift template")
            counted = worked
        if not _in_availability(agent, local_begin, counted):
            problems.append(f"shift {shift_id}: outside the availability or time off of {agent_id}")
        shifts[shift_id] = (agent_id, begin, begin + pd.Timedelta(minutes=counted), counted)

    by_agent: dict[str, list[tuple[pd.Timestamp, pd.Timestamp, int, str]]] = defaultdict(list)
    for shift_id, (agent_id, begin, end, counted) in shifts.items():
        by_agent[agent_id].append((begin, end, counted, shift_id))

    rest = pd.Timedelta(hours=config.roster.min_rest_hours)
    weeks: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for day in horizon_days:
        weeks[day.isocalendar()[:2]].append(day)

    for agent in team.agents:
        own = sorted(by_agent.get(agent.id, []))
        local_days = [begin.tz_convert(tz).date() for begin, _, _, _ in own]
        for day in sorted(set(local_days)):
            if local_days.count(day) > 1:
                problems.append(f"agent {agent.id}: {local_days.count(day)} shifts on {day}")
        for (begin1, end1, _, id1), (begin2, _, _, id2) in zip(own, own[1:]):
            if begin2 < end1:
                problems.append(f"agent {agent.id}: shifts {id1} and {id2} overlap")
            elif begin2 - end1 < rest:
                problems.append(f"agent {agent.id}: only {begin2 - end1} rest between {id1} and {id2}")
        contract = agent.contract
        for week_days in weeks.values():
            # Leave and days outside the horizon count as worked time for the minimum.
            share = sum(1 for day in week_days if day not in agent.time_off) / 7
            in_week = [counted for begin, _, counted, _ in own if begin.tz_convert(tz).date() in week_days]
            worked = sum(in_week)
            low = math.floor(contract.min_hours_per_week * share * 60)
            high = math.floor(contract.max_hours_per_week * 60)  # the maximum is not pro-rated
            if not low <= worked <= high:
                problems.append(
                    f"agent {agent.id}: {worked} min in week of {week_days[0]}, contract allows {low}-{high}"
                )
            if len(in_week) > contract.max_shifts_per_week:
                problems.append(f"agent {agent.id}: {len(in_week)} shifts in week of {week_days[0]}")
        run = 0
        for day in horizon_days:
            run = run + 1 if day in local_days else 0
            if run > config.roster.max_consecutive_days:
                problems.append(f"agent {agent.id}: more than {config.roster.max_consecutive_days} days in a row to {day}")
    return problems
