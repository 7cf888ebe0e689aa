"""The roster problem: agents, concrete shift options, demand and rules, index-addressable.

Everything the models need is computed here once, in plain Python and numpy,
so the CP-SAT models only create variables and constraints: which shift
options each agent may work (availability, time off, night work, skills open,
frozen days), the per-agent rule parameters after contract overrides, demand
net of frozen coverage, and peak intervals.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from forecasts.grid import interval_grid, zone
from scheduler.config import Config, RosterSettings
from scheduler.errors import InputError
from scheduler.rostering.budget import time_limit
from scheduler.staffing.requirements import open_mask
from scheduler.team import Agent, Preference, Team

# Requirements are fractional agents; the models count in hundredths of an agent.
SCALE = 100


def queue_interval_cost(need: int, weight: int, over_weight: int, agents: int) -> int:
    """Coverage cost of ``agents`` serving a queue needing ``need`` hundredths of an agent.

    The first missing agent costs ``weight`` per hundredth, every further one
    twice that (convex: deep shortfalls hurt more); each hundredth over costs
    ``over_weight``. The full model's ``add_coverage`` states the same with
    variables; the relaxation and the descent evaluate it directly.
    """
    short = need - SCALE * agents
    if short > 0:
        return weight * min(short, SCALE) + 2 * weight * max(short - SCALE, 0)
    return over_weight * -short


def understaffing_weight(settings: RosterSettings, peak: bool) -> int:
    """Objective weight per hundredth of an agent missing in an interval (first tier).

    ``peak_weight`` may be fractional: below 1 a peak interval weighs less
    than an ordinary one, so the roster does not take agents from ordinary
    days for a peak it cannot cover (the peak actions price that gap instead).
    """
    return (
        max(1, round(settings.understaffing_weight * (settings.peak_weight if peak else 1.0)))
        if settings.understaffing_weight
        else 0
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftOption:
    """One concrete shift: a template start on a local day."""

    index: int
    day_index: int
    day: dt.date
    template: str
    start: pd.Timestamp  # UTC
    end: pd.Timestamp  # UTC
    first_interval: int
    last_interval: int  # exclusive; clipped to the horizon
    paid_minutes: int
    lunch_intervals: int  # length of the unpaid lunch in intervals (0: none)
    lunch_starts: tuple[int, ...]  # grid indices where the lunch may start
    breaks: int
    local_start: dt.time
    late: bool
    night: bool

    @property
    def start_minute(self) -> int:
        """Start in whole minutes since the epoch (cheap to compare in model building)."""
        return int(self.start.value // 60_000_000_000)

    @property
    def end_minute(self) -> int:
        return int(self.end.value // 60_000_000_000)

    @property
    def nominal_lunch(self) -> int | None:
        """The lunch start the first stage assumes (middle of the window)."""
        if not self.lunch_starts:
            return None
        return self.lunch_starts[len(self.lunch_starts) // 2]

    def working_intervals(self, lunch_start: int | None) -> list[int]:
        """Grid indices worked, without the lunch starting at ``lunch_start``."""
        lunch = set(range(lunch_start, lunch_start + self.lunch_intervals)) if lunch_start is not None else set()
        return [t for t in range(self.first_interval, self.last_interval) if t not in lunch]


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentRules:
    """An agent's labour rules after contract overrides and pro-rating."""

    min_rest_minutes: int
    max_consecutive_days: int
    min_consecutive_days_off: int
    max_weekends: int  # over the horizon
    week_minutes: tuple[tuple[int, int, int], ...]  # per week: (min, max, target) paid minutes
    max_shifts_per_week: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterProblem:
    agents: tuple[Agent, ...]
    queues: tuple[str, ...]
    days: tuple[dt.date, ...]
    weeks: tuple[tuple[int, ...], ...]  # day indices per ISO week
    weekends: tuple[tuple[int, ...], ...]  # day indices of each Saturday/Sunday pair in the horizon
    grid: pd.DatetimeIndex
    interval_minutes: int
    timezone: str
    settings: RosterSettings
    options: tuple[ShiftOption, ...]
    allowed: tuple[tuple[int, ...], ...]  # per agent: option indices they may work
    rules: tuple[AgentRules, ...]
    required: np.ndarray  # [queue, interval] agents to schedule, after frozen coverage
    is_open: np.ndarray  # [queue, interval]
    peak: np.ndarray  # [queue, interval] bool
    min_agents: np.ndarray  # [queue, interval] hard minimum, after frozen coverage
    fixed: dict[int, dict[int, int | None]] = field(default_factory=dict)  # agent -> day -> option (None = off)
    previous: dict[int, dict[int, int | None]] = field(default_factory=dict)  # same, for stability costs
    frozen_rows: pd.DataFrame | None = None  # previous roster rows kept verbatim
    frozen_days: frozenset[int] = frozenset()  # day indices kept as published (coverage already subtracted)
    # From the previous roster, the days just before the horizon: per agent, consecutive days
    # worked up to the day before it; or consecutive days off up to then, after a worked day.
    worked_before: dict[int, int] = field(default_factory=dict)
    off_before: dict[int, int] = field(default_factory=dict)

    @property
    def time_limit_seconds(self) -> float:
        """The roster stage's budget: the team's own, or in proportion to agents and days (:mod:`.budget`)."""
        return time_limit(self.settings, len(self.agents), len(self.days))

    def covering_intervals(self, o: int) -> list[int]:
        """Grid indices option ``o`` covers in the coverage models (lunch at the middle of its window).

        Empty on a frozen day: those shifts keep their published queues and
        their coverage is already subtracted from demand.
        """
        option = self.options[o]
        if option.day_index in self.frozen_days:
            return []
        return option.working_intervals(option.nominal_lunch)

    def options_by_day(self, agent: int) -> dict[int, list[int]]:
        by_day: dict[int, list[int]] = defaultdict(list)
        for o in self.allowed[agent]:
            by_day[self.options[o].day_index].append(o)
        return by_day


def _local_minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def _shift_options(days: Sequence[dt.date], config: Config, grid: pd.DatetimeIndex) -> list[ShiftOption]:
    tz = zone(config.timezone)
    settings = config.roster
    step = config.interval_minutes
    night_start, night_end = _local_minutes(settings.night_start), _local_minutes(settings.night_end)
    late_after = _local_minutes(settings.late_end_after)
    seen: dict[tuple[int, pd.Timestamp, pd.Timestamp, int], None] = {}
    options: list[ShiftOption] = []
    for day_index, day in enumerate(days):
        for template in settings.shifts:
            if template.lunch_minutes % step or any((hours * 60) % step for hours in template.lunch_after_hours):
                raise InputError(
                    f"{config.path}: shift template {template.name!r}: lunch must fall on {step}-minute intervals"
                )
            for start_time in template.starts:
                # Shift length is absolute time: an 8 h shift across a DST change is 8 h worked.
                start = pd.Timestamp(dt.datetime.combine(day, start_time, tzinfo=tz)).tz_convert("UTC")
                end = start + pd.Timedelta(hours=template.hours)
                first = int(grid.searchsorted(start))
                last = int(grid.searchsorted(end))
                if first >= len(grid) or first == last or grid[first] != start:
                    continue  # outside the horizon, or a start inside a skipped DST hour
                key = (day_index, start, end, template.lunch_minutes)
                if key in seen:
                    continue
                seen[key] = None
                lunch_intervals = template.lunch_minutes // step
                lunch_starts: tuple[int, ...] = ()
                if lunch_intervals:
                    earliest = first + int(template.lunch_after_hours[0] * 60 // step)
                    latest = first + int(template.lunch_after_hours[1] * 60 // step)
                    # Lunch lies inside the shift, work before and after it (also when the horizon cuts the shift).
                    lunch_starts = tuple(
                        t for t in range(max(earliest, first + 1), latest + 1) if t + lunch_intervals < last
                    )
                local_end = end.tz_convert(tz)
                end_minutes = _local_minutes(local_end.time()) + (1440 if local_end.date() > day else 0)
                begin_minutes = _local_minutes(start_time)
                night = overlaps_night(begin_minutes, end_minutes, night_start, night_end)
                options.append(
                    ShiftOption(
                        index=len(options),
                        day_index=day_index,
                        day=day,
                        template=template.name,
                        start=start,
                        end=end,
                        first_interval=first,
                        last_interval=last,
                        paid_minutes=template.paid_minutes,
                        lunch_intervals=lunch_intervals if lunch_starts else 0,
                        lunch_starts=lunch_starts,
                        breaks=template.breaks,
                        local_start=start_time,
                        late=end_minutes > late_after,
                        night=night,
                    )
                )
    return options


def overlaps_night(begin: int, end: int, night_start: int, night_end: int) -> bool:
    """Whether local minutes [begin, end) (end may pass 1440) touch the night window."""
    if night_start == night_end:
        return False
    windows = []
    for offset in (-1440, 0, 1440):
        if night_start < night_end:
            windows.append((night_start + offset, night_end + offset))
        else:  # wraps midnight, e.g. 22:00-06:00
            windows.append((night_start + offset, night_end + 1440 + offset))
    return any(begin < high and low < end for low, high in windows)


def preference_matches(preference: Preference, option: ShiftOption) -> bool:
    if preference.weekdays and option.day.weekday() not in preference.weekdays:
        return False
    if preference.dates and option.day not in preference.dates:
        return False
    if preference.shifts:
        kinds = {option.template}
        if option.late:
            kinds.add("late")
        if option.night:
            kinds.add("night")
        if not kinds & set(preference.shifts):
            return False
    if preference.start_from is not None and option.local_start < preference.start_from:
        return False
    return not (preference.start_to is not None and option.local_start > preference.start_to)


def preference_days(preference: Preference, days: Sequence[dt.date]) -> list[int]:
    """Day indices a ``prefer`` wish applies to."""
    return [
        d
        for d, day in enumerate(days)
        if (not preference.weekdays or day.weekday() in preference.weekdays)
        and (not preference.dates or day in preference.dates)
    ]


def _agent_rules(
    agent: Agent, settings: RosterSettings, weeks: Sequence[Sequence[int]], days: Sequence[dt.date], weekend_count: int
) -> AgentRules:
    contract = agent.contract
    rest = contract.min_rest_hours if contract.min_rest_hours is not None else settings.min_rest_hours
    consecutive = contract.max_consecutive_days or settings.max_consecutive_days
    days_off = contract.min_consecutive_days_off or settings.min_consecutive_days_off
    per_4_weeks = (
        contract.max_weekends_per_4_weeks
        if contract.max_weekends_per_4_weeks is not None
        else settings.max_weekends_per_4_weeks
    )
    target = (
        contract.target_hours_per_week if contract.target_hours_per_week is not None else contract.max_hours_per_week
    )
    week_minutes = []
    off = set(agent.time_off)
    for week in weeks:
        # Leave and days outside the horizon count as worked time for the minimum.
        present = sum(1 for d in week if days[d] not in off) / 7
        week_minutes.append(
            (
                math.floor(contract.min_hours_per_week * present * 60),
                math.floor(contract.max_hours_per_week * 60),
                math.floor(min(target, contract.max_hours_per_week) * present * 60),
            )
        )
    return AgentRules(
        min_rest_minutes=int(round(rest * 60)),
        max_consecutive_days=int(consecutive),
        min_consecutive_days_off=int(days_off),
        max_weekends=min(weekend_count, math.ceil(per_4_weeks * weekend_count / 4)),
        week_minutes=tuple(week_minutes),
        max_shifts_per_week=contract.max_shifts_per_week,
    )


def _may_work(agent: Agent, option: ShiftOption, servable: frozenset[int]) -> bool:
    if option.index not in servable:
        return False
    if option.night and not agent.contract.night_work:
        return False
    return agent.available(option.day, option.local_start, option.end_minute - option.start_minute)


def _allowed_options(
    agents: Sequence[Agent], options: Sequence[ShiftOption], servable: dict[tuple[str, ...], frozenset[int]]
) -> tuple[tuple[int, ...], ...]:
    """Per agent, the options it may work (:func:`_may_work`), in option order.

    Worked out once per skills, night work and availability windows, then each agent's days off
    taken out: per agent and option it was most of building a 500-agent problem (0.9 s of CPU).
    """
    shared: dict[object, tuple[int, ...]] = {}
    allowed = []
    for agent in agents:
        key = (agent.channels, agent.contract.night_work, agent.availability)
        if key not in shared:
            unbound = replace(agent, time_off=())
            shared[key] = tuple(
                option.index for option in options if _may_work(unbound, option, servable[agent.channels])
            )
        off = set(agent.time_off)
        allowed.append(tuple(o for o in shared[key] if options[o].day not in off) if off else shared[key])
    return tuple(allowed)


def _servable_options(
    options: Sequence[ShiftOption], skills: tuple[str, ...], is_open: np.ndarray, queues: Sequence[str]
) -> frozenset[int]:
    """Options every worked interval of which has one of ``skills`` open: paid time with nothing to serve is not offered."""
    rows = [q for q, queue in enumerate(queues) if queue in skills]
    if not rows:
        return frozenset()
    # Intervals with none of the skills open, counted up to each interval: an option is servable
    # when none lies within it (per option, two numpy reductions cost 0.4 s on a 15-minute grid).
    closed = np.concatenate(([0], np.cumsum(~is_open[rows].any(axis=0))))
    first = np.array([option.first_interval for option in options], dtype=np.int64)
    last = np.array([option.last_interval for option in options], dtype=np.int64)
    servable = closed[np.maximum(last, first)] - closed[first] == 0
    return frozenset(option.index for option, ok in zip(options, servable.tolist(), strict=True) if ok)


def _requirements_matrix(
    requirements: pd.DataFrame, grid: pd.DatetimeIndex, queues: Sequence[str], config: Config
) -> np.ndarray:
    missing = [column for column in ("ds", "queue", "agents_required") if column not in requirements.columns]
    if missing:
        raise InputError(f"requirements are missing column(s) {missing}")
    unknown = sorted(set(requirements["queue"]) - set(queues))
    if unknown:
        raise InputError(f"requirements have queue(s) {unknown} with no [channels.<name>] in {config.path}")
    table = requirements.pivot_table(index="ds", columns="queue", values="agents_required", aggfunc="sum")
    table.index = pd.DatetimeIndex(table.index).tz_convert("UTC")
    table = table.reindex(index=grid.tz_convert("UTC"), columns=list(queues))
    absent = table.index[table.isna().all(axis=1)]
    if len(absent):
        first = absent[0].tz_convert(config.timezone)
        # A generator stepping through wall-clock times writes the hour the clocks go back once.
        again = first + pd.Timedelta(hours=1) if first.dst() else first - pd.Timedelta(hours=1)
        repeated = again.tz_convert(config.timezone).tz_localize(None) == first.tz_localize(None)
        raise InputError(
            f"requirements have no rows for {len(absent)} interval(s) of the roster horizon, "
            f"first {first.isoformat()}"
            + (
                f" (the hour {first:%H:%M} comes twice on {first.date()}, when the clocks go back: give it a row "
                "for each UTC offset)"
                if repeated
                else ""
            )
        )
    return table.fillna(0.0).to_numpy(dtype=float).T


def _carried_in_until(config: Config, start: dt.date) -> pd.Timestamp:
    """Where the latest shift a template could start on the day before ``start`` ends (at least at its midnight)."""
    tz = zone(config.timezone)
    eve = start - dt.timedelta(days=1)
    ends = [
        pd.Timestamp(dt.datetime.combine(eve, begin, tzinfo=tz)).tz_convert("UTC") + pd.Timedelta(hours=template.hours)
        for template in config.roster.shifts
        for begin in template.starts
    ]
    return max([pd.Timestamp(dt.datetime.combine(start, dt.time(0), tzinfo=tz)).tz_convert("UTC"), *ends])


def build_problem(
    config: Config,
    team: Team,
    requirements: pd.DataFrame,
    start: dt.date,
    days: int,
) -> RosterProblem:
    """Assemble the roster problem for ``days`` local days from ``start``, without a previous roster.

    A published roster to regenerate over is applied afterwards by
    :func:`scheduler.rostering.previous.apply_previous` (which imports this
    module, never the other way round).

    Raises:
        InputError: requirements that do not cover the horizon, unknown queues.
    """
    grid = interval_grid(start, days, config.timezone, config.interval_minutes)
    queues = config.queue_names
    required = _requirements_matrix(requirements, grid, queues, config)
    is_open = np.vstack([open_mask(grid, config.channel(queue), config.timezone) for queue in queues])
    day_list = tuple(start + dt.timedelta(days=offset) for offset in range(days))
    week_groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, day in enumerate(day_list):
        week_groups[day.isocalendar()[:2]].append(index)
    weeks = tuple(tuple(week_groups[key]) for key in sorted(week_groups))
    weekend_groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, day in enumerate(day_list):
        if day.weekday() >= 5:
            weekend_groups[day.isocalendar()[:2]].append(index)
    weekends = tuple(tuple(weekend_groups[key]) for key in sorted(weekend_groups))
    options = _shift_options(day_list, config, grid)
    # Opening hours depend on the skills only: checked once per skill set, not per agent.
    servable = {
        skills: _servable_options(options, skills, is_open, queues)
        for skills in {agent.channels for agent in team.agents}
    }
    allowed = _allowed_options(team.agents, options, servable)
    rules = tuple(_agent_rules(agent, config.roster, weeks, day_list, len(weekends)) for agent in team.agents)

    # Peak intervals: demand well above the queue's typical open-interval demand weighs more.
    peak = np.zeros_like(is_open)
    for q in range(len(queues)):
        positive = required[q][required[q] > 0]
        if positive.size:
            peak[q] = required[q] >= config.roster.peak_factor * float(np.median(positive))
    minimum = np.zeros(required.shape, dtype=np.int64)
    for queue, count in config.roster.min_agents:
        q = queues.index(queue)
        minimum[q] = np.where(is_open[q], count, 0)
    # The first hours only a shift of the day before reaches (a night shift from 22:00, a late shift
    # to 02:00) are the previous plan's: without this a team open around the clock has no roster.
    carried = np.asarray(grid < _carried_in_until(config, start))
    required = np.where(carried, 0.0, required)
    minimum[:, carried] = 0

    problem = RosterProblem(
        agents=team.agents,
        queues=queues,
        days=day_list,
        weeks=weeks,
        weekends=weekends,
        grid=grid,
        interval_minutes=config.interval_minutes,
        timezone=config.timezone,
        settings=config.roster,
        options=tuple(options),
        allowed=allowed,
        rules=rules,
        required=required,
        is_open=is_open,
        peak=peak,
        min_agents=minimum,
    )
    return problem


def uncovered_minimums(problem: RosterProblem) -> list[str]:
    """Queue minimums at open intervals that fewer skilled agents can reach than the minimum asks.

    An agent reaches an interval when one of its allowed shifts spans it
    (availability, time off, night work and opening hours already applied).
    Such a minimum is infeasible whatever else the roster does, and this is
    seen without a solver: the search and the conflict explanation otherwise
    spend the whole budget, and more, before saying so (30 agents around the
    clock, 2026-11-01 in New York: 16 s of CPU for a 7.6 s budget). A day with
    23 or 25 hours is named: shifts last their hours in absolute time, so on
    the night the clocks go back a 22:00-06:00 template ends at 05:00 and the
    next start must reach back to it. Runs that freeze days are left to the
    solver (frozen shifts are kept as published, whatever their cover).

    Returns:
        One message per queue, empty when every such interval can be reached.
    """
    if problem.frozen_days:
        return []
    intervals = len(problem.grid)
    reach: dict[tuple[int, ...], np.ndarray] = {}  # agents with the same shifts reach the same intervals

    def reached(allowed: tuple[int, ...]) -> np.ndarray:
        if allowed not in reach:
            spans = np.zeros(intervals + 1, dtype=np.int64)  # a difference array over the grid
            for o in allowed:
                spans[problem.options[o].first_interval] += 1
                spans[problem.options[o].last_interval] -= 1
            reach[allowed] = np.cumsum(spans)[:intervals] > 0
        return reach[allowed]

    messages = []
    for q, queue in enumerate(problem.queues):
        minimum = problem.min_agents[q]
        if not (minimum > 0).any():
            continue
        agents = np.zeros(intervals, dtype=np.int64)
        for a, agent in enumerate(problem.agents):
            if queue in agent.channels:
                agents += reached(problem.allowed[a])
        gaps = np.flatnonzero(agents < minimum)
        if not gaps.size:
            continue
        t = int(gaps[0])
        first = problem.grid[t].tz_convert(problem.timezone)
        day = first.date()
        midnight = pd.Timestamp(dt.datetime.combine(day, dt.time(0)), tz=problem.timezone)
        hours = (
            pd.Timestamp(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0)), tz=problem.timezone) - midnight
        ) / pd.Timedelta(hours=1)
        dst = (
            f"; {day} has {hours:g} hours (a DST change) and shifts last their hours in absolute time: "
            "add a shift start that reaches this hour"
            if hours != 24
            else ""
        )
        who = "no agent can" if agents[t] == 0 else f"only {agents[t]} agent(s) can"
        messages.append(
            f"queue {queue}: at least {int(minimum[t])} agent(s) whenever open cannot be met: "
            f"{who} work {queue} at {first:%Y-%m-%d %H:%M} ({gaps.size} such intervals){dst}"
        )
    return messages
