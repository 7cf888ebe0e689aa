"""Who can still give hours, and which extra shift or extension keeps every labour rule.

Each rostered agent's week as the roster left it (shifts per day as grid
intervals, paid minutes per ISO week), and the checks an extra hour must pass:
rest between shifts, consecutive days and blocks of days off, shifts and paid
hours per week (up to the contract's maximum, or beyond it by the allowed
overtime), availability, night work and the longest shift allowed. Temporary
agents from the pool get the same checks with the team-wide rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from forecasts.grid import zone
from scheduler.rostering.problem import RosterProblem, ShiftOption, overlaps_night
from scheduler.team import Agent

MINUTE_NS = 60_000_000_000


@dataclass(slots=True, kw_only=True)
class Shift:
    """One worked day: grid intervals [first, last) and paid minutes."""

    day_index: int
    first: int
    last: int
    paid_minutes: int
    lunch: frozenset[int] = frozenset()  # grid intervals of the unpaid lunch
    parts: list[tuple[int, int]] = field(default_factory=list)  # further [first, last) parts of a split shift

    @property
    def span_first(self) -> int:
        return min([self.first, *(first for first, _last in self.parts)])

    @property
    def span_last(self) -> int:
        return max([self.last, *(last for _first, last in self.parts)])


@dataclass(slots=True, kw_only=True)
class Worker:
    """A rostered agent or a pool person, with the week as planned so far."""

    label: str
    skills: tuple[str, ...]
    agent: Agent | None  # None: a pool person (team-wide rules, no availability windows)
    max_consecutive_days: int
    min_consecutive_days_off: int
    min_rest_minutes: int
    max_shifts_per_week: int
    week_cap_minutes: list[int]  # per ISO week of the problem: most paid minutes allowed
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    night_work: bool = True
    shifts: dict[int, Shift] = field(default_factory=dict)

    def week_minutes(self, problem: RosterProblem, week: int) -> int:
        days = set(problem.weeks[week])
        return sum(shift.paid_minutes for d, shift in self.shifts.items() if d in days)

    def week_shifts(self, problem: RosterProblem, week: int) -> int:
        days = set(problem.weeks[week])
        return sum(1 for d in self.shifts if d in days)


def week_of(problem: RosterProblem, day_index: int) -> int:
    return next(w for w, days in enumerate(problem.weeks) if day_index in days)


def rostered_workers(problem: RosterProblem, roster: pd.DataFrame) -> list[Worker]:
    """The team's agents with the shifts ``roster`` gives them (caps at the contract maximum)."""
    tz = zone(problem.timezone)
    step = pd.Timedelta(minutes=problem.interval_minutes)
    # One pass over the roster's rows (filtering the frame per agent and shift cost more than
    # pricing every peak action on a 23-agent week): agent -> shift -> (start, end, activity).
    parts_of: dict[str, dict[Any, list[tuple[pd.Timestamp, pd.Timestamp, str]]]] = {}
    columns = roster.loc[:, ["agent_id", "shift_id", "start", "end", "activity"]]
    for agent_id, shift_id, start, end, activity in columns.itertuples(index=False, name=None):
        if not pd.isna(shift_id):  # as groupby, which leaves rows without a shift out
            parts_of.setdefault(agent_id, {}).setdefault(shift_id, []).append((start, end, activity))
    workers = []
    for a, agent in enumerate(problem.agents):
        rules = problem.rules[a]
        worker = Worker(
            label=agent.id,
            skills=agent.channels,
            agent=agent,
            max_consecutive_days=rules.max_consecutive_days,
            min_consecutive_days_off=rules.min_consecutive_days_off,
            min_rest_minutes=rules.min_rest_minutes,
            max_shifts_per_week=rules.max_shifts_per_week,
            week_cap_minutes=[high for _low, high, _target in rules.week_minutes],
            night_work=agent.contract.night_work,
        )
        for shift_id in sorted(parts_of.get(agent.id, {})):
            part = parts_of[agent.id][shift_id]
            start, end = min(row[0] for row in part), max(row[1] for row in part)
            day = start.tz_convert(tz).date()
            if day not in problem.days:
                continue
            lunch_intervals = frozenset(
                int(t)
                for begin, stop, activity in part
                if activity == "lunch"
                for t in range(int(problem.grid.searchsorted(begin)), int(problem.grid.searchsorted(stop)))
            )
            paid_seconds = sum((stop - begin).total_seconds() for begin, stop, activity in part if activity != "lunch")
            worker.shifts[problem.days.index(day)] = Shift(
                day_index=problem.days.index(day),
                first=int(problem.grid.searchsorted(start)),
                last=int(problem.grid.searchsorted(end - step) + 1),
                paid_minutes=int(round(paid_seconds / 60)),
                lunch=lunch_intervals,
            )
        workers.append(worker)
    return workers


@dataclass(frozen=True, slots=True)
class _Clock:
    """A problem's grid as plain numbers: the checks run tens of thousands of times per plan."""

    minutes: tuple[int, ...]  # minutes since the epoch of each boundary, the horizon's end included
    local: tuple[tuple[dt.date, int], ...]  # local date and minute of the day of each interval start


_clocks: dict[int, tuple[RosterProblem, _Clock]] = {}


def _clock(problem: RosterProblem) -> _Clock:
    cached = _clocks.get(id(problem))
    if cached is not None and cached[0] is problem:
        return cached[1]
    starts = [int(value) // MINUTE_NS for value in problem.grid.as_unit("ns").asi8]
    local = problem.grid.tz_convert(zone(problem.timezone))
    clock = _Clock(
        minutes=(*starts, starts[-1] + problem.interval_minutes),
        local=tuple((stamp.date(), stamp.hour * 60 + stamp.minute) for stamp in local),
    )
    _clocks.clear()  # one problem at a time: no cache growth across plans
    _clocks[id(problem)] = (problem, clock)
    return clock


def _minute(problem: RosterProblem, t: int) -> int:
    """Minutes since the epoch of grid boundary ``t`` (``t == len(grid)`` is the horizon's end)."""
    minutes = _clock(problem).minutes
    if t < len(minutes):
        return minutes[t]
    return minutes[-1] + problem.interval_minutes * (t - len(minutes) + 1)


def rest_ok(problem: RosterProblem, worker: Worker, day_index: int, first: int, last: int) -> bool:
    """Rest from the previous shift and to the next one, for a shift over [first, last) on ``day_index``."""
    begin, end = _minute(problem, first), _minute(problem, last)
    before = worker.shifts.get(day_index - 1)
    after = worker.shifts.get(day_index + 1)
    if before is not None and _minute(problem, before.span_last) + worker.min_rest_minutes > begin:
        return False
    return after is None or end + worker.min_rest_minutes <= _minute(problem, after.span_first)


def days_ok(problem: RosterProblem, worker: Worker, day_index: int) -> bool:
    """Working ``day_index`` too keeps runs of work and of days off within the worker's rules."""
    worked = set(worker.shifts) | {day_index}
    run = 1
    d = day_index - 1
    while d in worked:
        run, d = run + 1, d - 1
    d = day_index + 1
    while d in worked:
        run, d = run + 1, d + 1
    if run > worker.max_consecutive_days:
        return False
    if worker.min_consecutive_days_off <= 1:
        return True
    # A block of days off between two worked days must stay long enough (the plan's edges are open).
    flags = [d in worked for d in range(len(problem.days))]
    gap = 0
    seen_work = False
    for flag in flags:
        if flag:
            if seen_work and 0 < gap < worker.min_consecutive_days_off:
                return False
            seen_work, gap = True, 0
        else:
            gap += 1
    return True


def window_ok(problem: RosterProblem, worker: Worker, day_index: int, first: int, last: int) -> bool:
    """Availability, weekday and night work for a shift over [first, last) starting on ``day_index``."""
    day = problem.days[day_index]
    if day.weekday() not in worker.weekdays:
        return False
    start_day, begin = _clock(problem).local[first]
    minutes = _minute(problem, last) - _minute(problem, first)
    if start_day != day:
        return False
    if not worker.night_work:
        settings = problem.settings
        night = overlaps_night(
            begin,
            begin + minutes,
            settings.night_start.hour * 60 + settings.night_start.minute,
            settings.night_end.hour * 60 + settings.night_end.minute,
        )
        if night:
            return False
    return worker.agent is None or worker.agent.available(day, dt.time(begin // 60, begin % 60), minutes)


def option_ok(problem: RosterProblem, worker: Worker, option: ShiftOption, cap_minutes: int) -> bool:
    """Whether ``worker`` may take ``option`` as an extra shift with at most ``cap_minutes`` paid that week."""
    d = option.day_index
    if d in worker.shifts:
        return False
    week = week_of(problem, d)
    if worker.week_shifts(problem, week) >= worker.max_shifts_per_week:
        return False
    if worker.week_minutes(problem, week) + option.paid_minutes > cap_minutes:
        return False
    if not days_ok(problem, worker, d):
        return False
    return rest_ok(problem, worker, d, option.first_interval, option.last_interval) and window_ok(
        problem, worker, d, option.first_interval, option.last_interval
    )
