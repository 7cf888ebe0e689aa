"""An independent check of a roster's hard rules.

Reads only the roster table (the roster contract in docs/roster.md), the
team, the config and the horizon (and, for rules that reach across the plan
start, the previous roster); it never looks at the solver's model or its
problem, so a rule the model forgets to state shows up here as a violation.
Every check is written out again from the contract instead of calling the
solver's helpers. ``make_roster`` runs it on every roster it returns, the tests
and the benchmark report what it finds, and :mod:`.score` recomputes the
objective from the same rows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pandas as pd

from scheduler.config import Config, RosterSettings, ShiftTemplate
from scheduler.team import Agent, Team

COLUMNS = ["agent_id", "queue", "activity", "start", "end", "shift_id"]


def _minutes(clock: dt.time) -> int:
    return clock.hour * 60 + clock.minute


def _end_minutes(clock: dt.time) -> int:
    """A window end of 00:00 means midnight at the end of the day."""
    return _minutes(clock) or 24 * 60


def carried_in_until(config: Config, start: dt.date) -> pd.Timestamp:
    """The end of the latest shift a template could start the day before ``start`` (at least ``start``'s midnight).

    The plan's first hours before it (the tail of a night shift from 22:00,
    of a late shift to 02:00) belong to the previous plan's last shifts: no
    shift of this plan reaches them, so neither a minimum nor demand counts there.
    """
    tz = ZoneInfo(config.timezone)
    eve = start - dt.timedelta(days=1)
    latest = pd.Timestamp(dt.datetime.combine(start, dt.time(0), tzinfo=tz))
    for template in config.roster.shifts:
        for begin in template.starts:
            # Shift length is absolute time, across a DST change too.
            end = pd.Timestamp(dt.datetime.combine(eve, begin, tzinfo=tz)) + pd.Timedelta(hours=template.hours)
            latest = max(latest, end)
    return latest


def _queue_open(config: Config, queue: str, local: pd.Timestamp) -> bool:
    try:
        channel = config.channel(queue)  # a routed queue (chat/ru) has its channel's hours, or its own
    except KeyError:
        return False
    return bool(channel.open.open_at(local.hour * 60 + local.minute, local.weekday(), channel.open_days))


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


BREAK_MINUTES = 15  # the roster contract's short break
ACTIVITIES = ("work", "lunch", "break")


def _night_minute(config: Config, local: dt.datetime) -> bool:
    """Whether a local wall-clock minute lies in the night window (which may wrap midnight)."""
    low, high = _minutes(config.roster.night_start), _minutes(config.roster.night_end)
    minute = local.hour * 60 + local.minute
    if low == high:
        return False
    if low < high:
        return low <= minute < high
    return minute >= low or minute < high


def touches_night(config: Config, begin: pd.Timestamp, minutes: int, tz: ZoneInfo) -> bool:
    """Whether any minute of the shift, on the local clock, lies in the night window.

    Without a change of UTC offset during the shift the local minutes run on
    from the start, and the window (repeated each day) is compared with them
    as one range; across a DST change the shift is walked minute by minute in
    absolute time.
    """
    moment = begin.to_pydatetime()
    local_begin = moment.astimezone(tz)
    if local_begin.utcoffset() != (moment + dt.timedelta(minutes=minutes)).astimezone(tz).utcoffset():
        return any(
            _night_minute(config, (moment + dt.timedelta(minutes=offset)).astimezone(tz)) for offset in range(minutes)
        )
    low, high = _minutes(config.roster.night_start), _minutes(config.roster.night_end)
    if low == high:
        return False
    if low > high:  # wraps midnight: [low, high + 1440) on each day
        high += 24 * 60
    first = local_begin.hour * 60 + local_begin.minute
    last = first + minutes  # exclusive
    return any(first < high + 24 * 60 * day and low + 24 * 60 * day < last for day in range(-1, last // (24 * 60) + 2))


class _Memo:
    """Opening hours and the night window per moment, each computed once.

    Thousands of shifts share their start times and intervals; the checks are
    the same functions as above, only remembered (a 500-agent month: 60 s to a few).
    """

    def __init__(self, config: Config, tz: ZoneInfo) -> None:
        self.config, self.tz = config, tz
        self._open: dict[tuple[str, int], bool] = {}
        self._night: dict[tuple[pd.Timestamp, int], bool] = {}

    def is_open(self, queue: str, moment: pd.Timestamp) -> bool:
        return self.open_at(queue, moment.value)

    def open_at(self, queue: str, nanoseconds: int) -> bool:
        """``is_open`` for a moment given as UTC nanoseconds (integers are cheap to step and hash)."""
        key = (queue, nanoseconds)
        known = self._open.get(key)
        if known is None:
            known = self._open[key] = _queue_open(self.config, queue, self.moment(nanoseconds))
        return known

    def moment(self, nanoseconds: int) -> pd.Timestamp:
        """UTC nanoseconds as a timestamp in the team's timezone (as messages show it)."""
        return pd.Timestamp(nanoseconds, tz="UTC").tz_convert(self.tz)

    def night(self, begin: pd.Timestamp, minutes: int) -> bool:
        key = (begin, minutes)
        known = self._night.get(key)
        if known is None:
            known = self._night[key] = touches_night(self.config, begin, minutes, self.tz)
        return known


def shift_rows(frame: pd.DataFrame) -> list[tuple[str, list]]:
    """The roster's rows grouped per shift (sorted by shift id, rows by start), as plain named tuples.

    One pass over the table instead of a group, a sort and a tuple conversion per shift.
    """
    if frame.empty:
        return []
    ordered = frame.sort_values(["shift_id", "start"], kind="stable")
    grouped: list[tuple[str, list]] = []
    for row in ordered.itertuples(index=False):
        if grouped and grouped[-1][0] == row.shift_id:
            grouped[-1][1].append(row)
        else:
            grouped.append((row.shift_id, [row]))
    return grouped


def shift_template(
    config: Config, local_start: pd.Timestamp, span: int, lunch: int, clipped: bool
) -> ShiftTemplate | None:
    """The template a shift comes from: same start, same length (or longer, when cut at the horizon end) and lunch.

    A shift cut at the horizon end may have no lunch row when no lunch of its window fits with work after it.
    """
    start_time = dt.time(local_start.hour, local_start.minute)
    candidates = sorted(
        (t for t in config.roster.shifts if start_time in t.starts),
        key=lambda t: (int(round(t.hours * 60)), t.lunch_minutes, t.name),
    )
    for t in candidates:
        length = int(round(t.hours * 60))
        if length != span and not (clipped and length > span):
            continue
        if t.lunch_minutes == lunch:
            return t
        lunch_cut_off = clipped and lunch == 0 and t.lunch_after_hours[0] * 60 + t.lunch_minutes >= span
        if lunch_cut_off:
            return t
    return None


def find_violations(
    roster: pd.DataFrame, team: Team, config: Config, start: dt.date, days: int, *, previous: pd.DataFrame | None = None
) -> list[str]:
    """Every hard-rule violation of ``roster`` for the horizon of ``days`` local days from ``start``.

    ``previous``: a roster published before; its days before ``start`` count
    for consecutive working days and blocks of days off (runs reaching into
    the horizon), as the agents lived them.

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
    settings = config.roster
    horizon_start = pd.Timestamp(dt.datetime.combine(start, dt.time(0), tzinfo=tz))
    horizon_end = pd.Timestamp(dt.datetime.combine(start + dt.timedelta(days=days), dt.time(0), tzinfo=tz))
    step = pd.Timedelta(minutes=config.interval_minutes)
    quarter = pd.Timedelta(minutes=BREAK_MINUTES)
    agents = {agent.id: agent for agent in team.agents}
    horizon_days = [start + dt.timedelta(days=offset) for offset in range(days)]

    def on_grid(moment: pd.Timestamp, unit: pd.Timedelta) -> bool:
        return (moment.value - horizon_start.value) % unit.value == 0

    # shift_id -> (agent, start, end as the template runs, paid minutes)
    shifts: dict[str, tuple[str, pd.Timestamp, pd.Timestamp, int]] = {}
    memo = _Memo(config, tz)
    origin, step_ns = horizon_start.value, step.value  # UTC nanoseconds: the interval grid as integers
    grouped = shift_rows(frame)
    for shift_id, rows in grouped:
        agent_ids = {row.agent_id for row in rows}
        if len(agent_ids) != 1:
            problems.append(f"shift {shift_id}: blocks of several agents {sorted(agent_ids)}")
            continue
        agent_id = agent_ids.pop()
        agent = agents.get(agent_id)
        if agent is None:
            problems.append(f"shift {shift_id}: agent {agent_id!r} is not in the team")
            continue
        begin, finish = rows[0].start, rows[-1].end
        local_begin = begin.tz_convert(tz)
        expected_id = f"{agent_id}-{local_begin.date().isoformat()}-{local_begin:%H%M}"
        if shift_id != expected_id:
            problems.append(f"shift {shift_id}: id should be {expected_id}")
        if begin < horizon_start or finish > horizon_end:
            problems.append(f"shift {shift_id}: outside the horizon")
        if not on_grid(begin, step):
            problems.append(f"shift {shift_id}: starts at {begin}, off the interval grid")
        if rows[0].activity != "work" or rows[-1].activity != "work":
            problems.append(f"shift {shift_id}: does not begin and end with work")
        last_block = None
        for row in rows:
            if row.activity not in ACTIVITIES:
                problems.append(f"shift {shift_id}: activity {row.activity!r}")
            if not row.start < row.end:
                problems.append(f"shift {shift_id}: block {row.start} has no length")
            if last_block is not None and row.start != last_block.end:
                problems.append(f"shift {shift_id}: gap or overlap at {row.start}")
            if (
                last_block is not None
                and last_block.activity == row.activity == "work"
                and row.queue == last_block.queue
            ):
                problems.append(f"shift {shift_id}: two adjacent blocks on {row.queue!r} should be one")
            last_block = row
            if row.activity != "work":
                if row.queue != "":
                    problems.append(f"shift {shift_id}: {row.activity} at {row.start} names queue {row.queue!r}")
                continue
            if row.queue not in agent.channels:
                problems.append(f"shift {shift_id}: queue {row.queue!r} at {row.start} is not a skill of {agent_id}")
            # Every grid interval the block touches must have its queue open.
            first = origin + ((row.start.value - origin) // step_ns) * step_ns
            for moment in range(first, row.end.value, step_ns):
                if not memo.open_at(row.queue, moment):
                    problems.append(f"shift {shift_id}: queue {row.queue!r} is closed at {memo.moment(moment)}")

        lunches = [row for row in rows if row.activity == "lunch"]
        breaks = [row for row in rows if row.activity == "break"]
        lunch_minutes = sum(int((row.end - row.start).total_seconds() // 60) for row in lunches)
        span = int((finish - begin).total_seconds() // 60)
        clipped = finish == horizon_end
        template = shift_template(config, local_begin, span, lunch_minutes, clipped)
        if template is None:
            problems.append(
                f"shift {shift_id}: {span} min from {local_begin:%H:%M} with {lunch_minutes} min lunch matches no shift template"
            )
            length, paid = span, span - lunch_minutes
        else:
            length = int(round(template.hours * 60))  # a shift cut at the horizon end counts whole
            paid = length - template.lunch_minutes
            if len(lunches) > 1:
                problems.append(f"shift {shift_id}: {len(lunches)} lunches")
            for row in lunches:
                after = (row.start - begin).total_seconds() / 3600
                earliest, latest = template.lunch_after_hours
                if not earliest <= after <= latest:
                    problems.append(
                        f"shift {shift_id}: lunch {after:g} h after the start, outside {earliest:g}-{latest:g} h"
                    )
                if not (on_grid(row.start, step) and on_grid(row.end, step)):
                    problems.append(f"shift {shift_id}: lunch at {row.start} is off the interval grid")
            if len(breaks) > template.breaks or (not clipped and len(breaks) != template.breaks):
                problems.append(
                    f"shift {shift_id}: {len(breaks)} breaks, template {template.name!r} has {template.breaks}"
                )
        for row in breaks:
            if row.end - row.start != quarter:
                problems.append(f"shift {shift_id}: break at {row.start} lasts {row.end - row.start}, not {quarter}")
            if not on_grid(row.start, quarter):
                problems.append(f"shift {shift_id}: break at {row.start} is off the quarter hours")
            if not begin < row.start or not row.end < finish:
                problems.append(f"shift {shift_id}: break at {row.start} is not inside the shift")
        problems.extend(_block_violations(shift_id, rows, settings, memo.is_open))
        if not _in_availability(agent, local_begin, length):
            problems.append(f"shift {shift_id}: outside the availability or time off of {agent_id}")
        if not agent.contract.night_work and memo.night(begin, length):
            problems.append(f"shift {shift_id}: touches the night window but {agent_id} does no night work")
        shifts[shift_id] = (agent_id, begin, begin + pd.Timedelta(minutes=length), paid)

    by_agent: dict[str, list[tuple[pd.Timestamp, pd.Timestamp, int, str]]] = defaultdict(list)
    for shift_id, (agent_id, begin, end, paid) in shifts.items():
        by_agent[agent_id].append((begin, end, paid, shift_id))

    weeks, weekends = iso_weeks(horizon_days)

    problems.extend(_minimum_violations(grouped, config, horizon_start, horizon_end, memo))

    # The previous roster's days before the horizon: from its first shift's day to the day before.
    before_days: list[dt.date] = []
    worked_before: dict[str, set[dt.date]] = defaultdict(set)
    if previous is not None and not previous.empty:
        work = previous[previous["activity"] == "work"]
        work_days = work["start"].dt.tz_convert(tz).dt.date
        first_day = min(work_days)
        before_days = [first_day + dt.timedelta(days=n) for n in range((start - first_day).days)]
        for agent_id, day in zip(work["agent_id"], work_days, strict=True):
            if day < start:
                worked_before[agent_id].add(day)

    for agent in team.agents:
        contract = agent.contract
        rest_hours = contract.min_rest_hours if contract.min_rest_hours is not None else settings.min_rest_hours
        rest = pd.Timedelta(hours=rest_hours)
        own = sorted(by_agent.get(agent.id, []))
        local_days = [begin.tz_convert(tz).date() for begin, _, _, _ in own]
        for day in sorted(set(local_days)):
            if local_days.count(day) > 1:
                problems.append(f"agent {agent.id}: {local_days.count(day)} shifts on {day}")
        for (_begin1, end1, _, id1), (begin2, _, _, id2) in zip(own, own[1:], strict=False):
            if begin2 < end1:
                problems.append(f"agent {agent.id}: shifts {id1} and {id2} overlap")
            elif begin2 - end1 < rest:
                problems.append(f"agent {agent.id}: only {begin2 - end1} rest between {id1} and {id2}")
        for week_days in weeks.values():
            # Leave and days outside the horizon count as worked time for the minimum.
            share = sum(1 for day in week_days if day not in agent.time_off) / 7
            in_week = [paid for day, (_, _, paid, _) in zip(local_days, own, strict=True) if day in week_days]
            worked = sum(in_week)  # paid minutes: shift length less unpaid lunch
            low = math.floor(contract.min_hours_per_week * share * 60)
            high = math.floor(contract.max_hours_per_week * 60)  # the maximum is not pro-rated
            if not low <= worked <= high:
                problems.append(
                    f"agent {agent.id}: {worked} paid min in week of {week_days[0]}, contract allows {low}-{high}"
                )
            if len(in_week) > contract.max_shifts_per_week:
                problems.append(f"agent {agent.id}: {len(in_week)} shifts in week of {week_days[0]}")
        longest = contract.max_consecutive_days or settings.max_consecutive_days
        lived = before_days + list(horizon_days)
        worked_days = set(local_days) | worked_before.get(agent.id, set())
        run = 0
        for day in lived:
            run = run + 1 if day in worked_days else 0
            if run > longest and day >= start:
                problems.append(f"agent {agent.id}: more than {longest} days in a row to {day}")
        # Days off between two worked days come in blocks of at least k.
        k = contract.min_consecutive_days_off or settings.min_consecutive_days_off
        worked_at = [index for index, day in enumerate(lived) if day in worked_days]
        for first, second in zip(worked_at, worked_at[1:], strict=False):
            if 0 < second - first - 1 < k and lived[second] >= start:
                problems.append(
                    f"agent {agent.id}: only {second - first - 1} day(s) off between {lived[first]} and "
                    f"{lived[second]}, contract wants blocks of {k}"
                )
        per_4_weeks = (
            contract.max_weekends_per_4_weeks
            if contract.max_weekends_per_4_weeks is not None
            else settings.max_weekends_per_4_weeks
        )
        count = len(weekends)
        allowed = min(count, math.ceil(per_4_weeks * count / 4))  # pro-rated to the weekends planned
        worked_weekends = [key for key, weekend in weekends.items() if any(day in local_days for day in weekend)]
        if len(worked_weekends) > allowed:
            problems.append(f"agent {agent.id}: works {len(worked_weekends)} of {count} weekends, at most {allowed}")
    return problems


def queue_blocks(rows: list) -> list[list[tuple[str, pd.Timestamp, pd.Timestamp]]]:
    """A shift's queue blocks, per stretch of work between the shift's ends and lunch.

    A block is a run of work on one queue; a short break inside it does not end
    it (the agent comes back to the same queue), lunch does. ``rows`` are the
    shift's rows in time order. Returns per stretch ``(queue, begin, end)``.
    """
    stretches: list[list[tuple[str, pd.Timestamp, pd.Timestamp]]] = [[]]
    for row in rows:
        if row.activity == "lunch":
            stretches.append([])
        elif row.activity == "work":
            runs = stretches[-1]
            if runs and runs[-1][0] == row.queue:
                runs[-1] = (row.queue, runs[-1][1], row.end)
            else:
                runs.append((row.queue, row.start, row.end))
    return [runs for runs in stretches if runs]


def iso_weeks(days: list[dt.date]) -> tuple[dict[tuple[int, int], list[dt.date]], dict[tuple[int, int], list[dt.date]]]:
    """``days`` by ISO week (year, week), and their Saturdays and Sundays by ISO week, in the given order.

    The periods the weekly rules count over; :mod:`.score` uses the same grouping.
    """
    weeks: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    weekends: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for day in days:
        weeks[day.isocalendar()[:2]].append(day)
        if day.weekday() >= 5:
            weekends[day.isocalendar()[:2]].append(day)
    return weeks, weekends


def _block_violations(
    shift_id: str, rows: list, settings: RosterSettings, is_open: Callable[[str, pd.Timestamp], bool]
) -> list[str]:
    """Every queue block lasts ``min_block_minutes`` (per queue), unless it is its stretch's only block;
    at most ``max_switches_per_shift`` changes of queue (across breaks and lunch).

    A change away from a queue that has closed when the next block begins is
    forced by opening hours, not chosen: it does not count towards the maximum.
    """
    problems = []
    work = [row for row in rows if row.activity == "work"]
    switches = sum(
        1
        for first, second in zip(work, work[1:], strict=False)
        if first.queue != second.queue and is_open(first.queue, second.start)
    )
    if switches > settings.max_switches_per_shift:
        problems.append(f"shift {shift_id}: {switches} changes of queue, at most {settings.max_switches_per_shift}")
    for runs in queue_blocks(rows):
        if len(runs) < 2:
            continue
        for queue, begin, end in runs:
            minutes = (end - begin).total_seconds() / 60
            if minutes < settings.min_block(queue):
                problems.append(
                    f"shift {shift_id}: block on {queue!r} from {begin} lasts {minutes:g} min, minimum {settings.min_block(queue)}"
                )
    return problems


def _minimum_violations(
    grouped: list[tuple[str, list]],
    config: Config,
    horizon_start: pd.Timestamp,
    horizon_end: pd.Timestamp,
    memo: _Memo,
) -> list[str]:
    """``[roster] min_agents``: that many agents on the queue in every open interval (from the carried-in hours' end).

    An agent on a short break still serves the queue worked before it (breaks are shrinkage); lunch does not.
    """
    if not config.roster.min_agents:
        return []
    origin, end, step = horizon_start.value, horizon_end.value, pd.Timedelta(minutes=config.interval_minutes).value
    serving: dict[tuple[str, int], set[str]] = defaultdict(set)
    for _, rows in grouped:
        queue = ""
        for row in rows:
            if row.activity == "work":
                queue = row.queue
            elif row.activity != "break":
                continue
            first = origin + ((row.start.value - origin) // step) * step
            for moment in range(first, row.end.value, step):
                serving[queue, moment].add(row.agent_id)
    problems = []
    carried = carried_in_until(config, horizon_start.date()).value
    for queue, count in config.roster.min_agents:
        for moment in range(origin, end, step):
            if count and moment >= carried and memo.open_at(queue, moment) and len(serving[queue, moment]) < count:
                problems.append(
                    f"queue {queue}: {len(serving[queue, moment])} agent(s) at {memo.moment(moment)}, minimum {count}"
                )
    return problems
