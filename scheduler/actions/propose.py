"""Peak actions, priced: what a lead can do about the gap the regular roster leaves.

In order of cost, each within the labour rules:

1. ``move_days_off`` — already in the roster: on a day the sale calendar
   touches, more agents work than on an ordinary day of the plan, their days
   off moved to the ordinary days (no extra pay).
2. ``add_hours`` — agents below their contract's maximum give more hours:
   a shift extended, split (a second part of the day) or an extra shift
   (regular hourly cost).
3. ``overtime`` / ``overtime_shift`` — beyond the contract's maximum, up to
   ``[peak] overtime_hours_per_week``: shifts extended or split (up to
   ``max_shift_hours`` paid a day) or extra shifts, at ``overtime_premium`` x
   the hourly cost.
4. ``temp_agents`` — people from a ``[[peak.pool]]`` source: their skills,
   weekdays and hours per week, at their own hourly cost.
5. ``remaining_gap`` — what is still short: how many more agents with one
   skill each, on which day and shifts, would close it.
6. ``uncovered`` — what is left after all of it, per day and queue: single
   intervals short by less than half an agent, where calling someone in
   would mostly pay for idle time (no agents, no cost: the lead accepts it).

The stages run cheapest first (overtime and the pool sources ordered by
their hourly cost), each on the gap the earlier ones left
(:class:`~scheduler.actions.gap.Gap`), and propose an hour only where it
closes at least half an agent of shortfall on average. Nothing here depends
on the team: the rules, the forecast and the costs decide.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasts.grid import zone
from scheduler.actions.agents import Shift, Worker, option_ok, rest_ok, rostered_workers, week_of, window_ok
from scheduler.actions.gap import Gap
from scheduler.config import Config, PoolEntry
from scheduler.rostering.problem import RosterProblem, ShiftOption, build_problem
from scheduler.team import Team

ACTION_COLUMNS = ("date", "queue", "kind", "agents", "agent_hours", "closes_hours", "cost", "note")
"""``actions.csv``: one row per action and day. ``queue`` is the queue the hours serve most
(``all`` for days off moved); ``agents`` people involved; ``agent_hours`` paid hours added (or
moved); ``closes_hours`` the required agent-hours they cover; ``cost`` in ``[peak] currency``."""

DAY_COLUMNS = ("date", "events", "required_hours", "scheduled_hours", "short_hours", "short_share")
"""Per local day of the plan: required and scheduled agent-hours, the shortfall and its share."""

# A split shift's second part: an hour or more after (or before) the first, 2 to 4 hours long.
SPLIT_GAP_MINUTES = 60
SPLIT_PART_MINUTES = (120, 180, 240)
SHAPE_NOTES = {"split": "split shift", "shift": "extra shift"}

KINDS = ("move_days_off", "add_hours", "overtime", "overtime_shift", "temp_agents", "remaining_gap", "uncovered")
UNCOVERED_MIN_HOURS = 0.5  # smaller remnants of a day and queue are not listed


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionsResult:
    actions: pd.DataFrame  # ACTION_COLUMNS, in order of cost
    days: pd.DataFrame  # DAY_COLUMNS
    short_hours: float  # the roster's shortfall, agent-hours
    short_after_hours: float  # left after every priced action (before the remaining-gap agents)
    currency: str


@dataclass(slots=True)
class _Step:
    """One proposal applied to the gap."""

    kind: str
    day_index: int
    who: str
    first: int
    last: int
    paid_minutes: int
    closed: dict[str, float]
    unit_cost: float
    source: str = ""
    shape: str = ""  # "split" (a second part of the day) or "shift" (an extra day); "" extends a shift


def event_days(forecast: pd.DataFrame, tz: str) -> dict[dt.date, str]:
    """Local days the sale calendar touches, with the event names of the day."""
    if "events" not in forecast.columns:
        return {}
    rows = forecast[forecast["events"].fillna("").astype(str).str.len() > 0]
    names: dict[dt.date, set[str]] = {}
    for ds, text in zip(rows["ds"], rows["events"].astype(str), strict=True):
        day = pd.Timestamp(ds).tz_convert(tz).date()
        names.setdefault(day, set()).update(part.strip() for part in text.split(";") if part.strip())
    return {day: "; ".join(sorted(values)) for day, values in sorted(names.items())}


def day_figures(coverage: pd.DataFrame, events: dict[dt.date, str], tz: str, interval_minutes: int) -> pd.DataFrame:
    """:data:`DAY_COLUMNS` from the plan's coverage (all queues together)."""
    hours = interval_minutes / 60
    day = coverage["ds"].dt.tz_convert(tz).dt.date
    grouped = coverage.assign(day=day).groupby("day", sort=True)[["agents_required", "agents_scheduled", "shortfall"]].sum()
    frame = pd.DataFrame(
        {
            "date": [d.isoformat() for d in grouped.index],
            "events": [events.get(d, "") for d in grouped.index],
            "required_hours": grouped["agents_required"].to_numpy() * hours,
            "scheduled_hours": grouped["agents_scheduled"].to_numpy() * hours,
            "short_hours": grouped["shortfall"].to_numpy() * hours,
        }
    )
    frame["short_share"] = np.where(frame["required_hours"] > 0, frame["short_hours"] / frame["required_hours"].where(frame["required_hours"] > 0, 1.0), 0.0)
    return frame.loc[:, list(DAY_COLUMNS)]


def _clock(problem: RosterProblem, first: int, last: int) -> str:
    tz = zone(problem.timezone)
    begin = problem.grid[first].tz_convert(tz)
    end = begin + pd.Timedelta(minutes=problem.interval_minutes * (last - first))
    return f"{begin:%H:%M}-{end:%H:%M}"


def _greedy(gap: Gap, candidates: Callable[[], Iterator[tuple[float, tuple, Callable[[], _Step]]]]) -> list[_Step]:
    """Apply the best candidate (most shortfall closed) until none is worth it; deterministic ties."""
    steps: list[_Step] = []
    while True:
        best: tuple[float, tuple, Callable[[], _Step]] | None = None
        for gain, key, make in candidates():
            if best is None or gain > best[0] + 1e-9 or (abs(gain - best[0]) <= 1e-9 and key < best[1]):
                best = (gain, key, make)
        if best is None:
            return steps
        steps.append(best[2]())


def _extensions(problem: RosterProblem, gap: Gap, workers: list[Worker], caps: list[list[int]], max_shift_minutes: int,
                kind: str, unit_cost: float) -> Callable[[], Iterator[tuple[float, tuple, Callable[[], _Step]]]]:  # fmt: skip
    """Candidates: a shift started earlier or ended later, within ``caps`` (paid minutes per worker and week)."""
    step = problem.interval_minutes
    horizon = len(problem.grid)

    def generate() -> Iterator[tuple[float, tuple, Callable[[], _Step]]]:
        for w, worker in enumerate(workers):
            rows = gap.rows(worker.skills)
            for d, shift in sorted(worker.shifts.items()):
                if shift.parts:
                    continue  # a split shift keeps its parts as proposed
                week = week_of(problem, d)
                room = caps[w][week] - worker.week_minutes(problem, week)
                longest = min(room, max_shift_minutes - (shift.last - shift.first) * step) // step
                for side in (0, 1):
                    best_k, best_gain = 0, 0.0
                    for k in range(1, int(longest) + 1):
                        first, last = (shift.first - k, shift.last) if side == 0 else (shift.first, shift.last + k)
                        if first < 0 or last > horizon:
                            break
                        if not (rest_ok(problem, worker, d, first, last) and window_ok(problem, worker, d, first, last)):
                            break
                        added = range(first, shift.first) if side == 0 else range(shift.last, last)
                        value = gap.gain(rows, list(added))
                        if gap.worth_it(value, k) and value > best_gain + 1e-9:
                            best_k, best_gain = k, value
                    if best_k:
                        yield best_gain, (w, d, side), _extend(problem, gap, worker, shift, rows, side, best_k, kind, unit_cost)

    return generate


def _extend(problem: RosterProblem, gap: Gap, worker: Worker, shift: Shift, rows: np.ndarray, side: int, k: int,
            kind: str, unit_cost: float) -> Callable[[], _Step]:  # fmt: skip
    def apply() -> _Step:
        if side == 0:
            added = list(range(shift.first - k, shift.first))
            shift.first -= k
        else:
            added = list(range(shift.last, shift.last + k))
            shift.last += k
        shift.paid_minutes += k * problem.interval_minutes
        closed = gap.apply(rows, added)
        return _Step(kind=kind, day_index=shift.day_index, who=worker.label, first=added[0], last=added[-1] + 1,
                     paid_minutes=k * problem.interval_minutes, closed=closed, unit_cost=unit_cost)  # fmt: skip

    return apply


def _split_parts(problem: RosterProblem, gap: Gap, workers: list[Worker], caps: list[list[int]], max_shift_minutes: int,
                 kind: str, unit_cost: float) -> Callable[[], Iterator[tuple[float, tuple, Callable[[], _Step]]]]:  # fmt: skip
    """Candidates: a second part of a worked day (a split shift), at least an hour from the first part.

    Both parts together are paid at most ``max_shift_minutes``; rest to the
    neighbouring days and availability count from the first start to the last end.
    """
    step = problem.interval_minutes
    horizon = len(problem.grid)
    gap_intervals = max(1, SPLIT_GAP_MINUTES // step)
    lengths = sorted({max(1, minutes // step) for minutes in SPLIT_PART_MINUTES})

    def generate() -> Iterator[tuple[float, tuple, Callable[[], _Step]]]:
        for w, worker in enumerate(workers):
            rows = gap.rows(worker.skills)
            if rows.size == 0:
                continue
            for d, shift in sorted(worker.shifts.items()):
                if shift.parts:
                    continue
                room = min(caps[w][week_of(problem, d)] - worker.week_minutes(problem, week_of(problem, d)),
                           max_shift_minutes - shift.paid_minutes)  # fmt: skip
                for k in lengths:
                    if k * step > room:
                        continue
                    starts = [*range(shift.last + gap_intervals, horizon - k + 1), *range(0, shift.first - gap_intervals - k + 1)]
                    for first in starts:
                        last = first + k
                        if problem.days[d] != problem.grid[first].tz_convert(problem.timezone).date():
                            continue
                        value = gap.gain(rows, range(first, last))
                        if not gap.worth_it(value, k):
                            continue
                        begin, end = min(first, shift.first), max(last, shift.last)
                        if rest_ok(problem, worker, d, begin, end) and window_ok(problem, worker, d, begin, end):
                            yield value, (k, w, d, first), _split(problem, gap, worker, shift, rows, first, last, kind, unit_cost)

    return generate


def _split(problem: RosterProblem, gap: Gap, worker: Worker, shift: Shift, rows: np.ndarray, first: int, last: int,
           kind: str, unit_cost: float) -> Callable[[], _Step]:  # fmt: skip
    def apply() -> _Step:
        shift.parts.append((first, last))
        shift.paid_minutes += (last - first) * problem.interval_minutes
        closed = gap.apply(rows, list(range(first, last)))
        return _Step(kind=kind, day_index=shift.day_index, who=worker.label, first=first, last=last,
                     paid_minutes=(last - first) * problem.interval_minutes, closed=closed, unit_cost=unit_cost,
                     shape="split")  # fmt: skip

    return apply


def _extra_shifts(problem: RosterProblem, gap: Gap, workers: list[Worker], caps: list[list[int]],
                  options: list[list[ShiftOption]], kind: str, unit_cost: float,
                  source: str = "") -> Callable[[], Iterator[tuple[float, tuple, Callable[[], _Step]]]]:  # fmt: skip
    """Candidates: one more shift for a worker on a day off, from the worker's allowed ``options``."""

    def generate() -> Iterator[tuple[float, tuple, Callable[[], _Step]]]:
        for w, worker in enumerate(workers):
            rows = gap.rows(worker.skills)
            for option in options[w]:
                if not option_ok(problem, worker, option, caps[w][week_of(problem, option.day_index)]):
                    continue
                intervals = option.working_intervals(option.nominal_lunch)
                value = gap.gain(rows, intervals)
                if gap.worth_it(value, len(intervals)):
                    yield value, (w, option.index), _add(problem, gap, worker, option, rows, kind, unit_cost, source)

    return generate


def _add(problem: RosterProblem, gap: Gap, worker: Worker, option: ShiftOption, rows: np.ndarray, kind: str,
         unit_cost: float, source: str) -> Callable[[], _Step]:  # fmt: skip
    def apply() -> _Step:
        lunch = option.nominal_lunch
        intervals = option.working_intervals(lunch)
        worker.shifts[option.day_index] = Shift(
            day_index=option.day_index, first=option.first_interval, last=option.last_interval,
            paid_minutes=option.paid_minutes,
            lunch=frozenset(range(lunch, lunch + option.lunch_intervals)) if lunch is not None else frozenset(),
        )  # fmt: skip
        closed = gap.apply(rows, intervals)
        return _Step(kind=kind, day_index=option.day_index, who=worker.label, first=option.first_interval,
                     last=option.last_interval, paid_minutes=option.paid_minutes, closed=closed,
                     unit_cost=unit_cost, source=source, shape="shift" if worker.agent is not None else "")  # fmt: skip

    return apply


def _servable(problem: RosterProblem, skills: tuple[str, ...]) -> list[ShiftOption]:
    """Shift options whose every interval has one of ``skills`` open, not touching the night window."""
    rows = [q for q, queue in enumerate(problem.queues) if queue in skills]
    if not rows:
        return []
    return [
        option
        for option in problem.options
        if not option.night and problem.is_open[rows, option.first_interval : option.last_interval].any(axis=0).all()
    ]


def _pool_workers(problem: RosterProblem, entry: PoolEntry) -> list[Worker]:
    settings = problem.settings
    cap = int(round(entry.hours_per_week * 60))
    return [
        Worker(
            label=f"{entry.name} #{i + 1}",
            skills=entry.channels,
            agent=None,
            max_consecutive_days=settings.max_consecutive_days,
            min_consecutive_days_off=1,
            min_rest_minutes=int(round(settings.min_rest_hours * 60)),
            max_shifts_per_week=7,
            week_cap_minutes=[cap for _ in problem.weeks],
            weekdays=entry.days,
            night_work=False,
        )
        for i in range(entry.agents)
    ]


def _remaining(problem: RosterProblem, gap: Gap, hourly_cost: float) -> list[_Step]:
    """Hypothetical one-skill agents, one shift each, until each queue's gap is closed to scattered remnants."""
    steps: list[_Step] = []
    for q, queue in enumerate(problem.queues):
        rows = np.array([q], dtype=np.int64)
        options = _servable(problem, (queue,))
        count = 0

        def generate() -> Iterator[tuple[float, tuple, Callable[[], _Step]]]:
            for option in options:
                intervals = option.working_intervals(option.nominal_lunch)
                value = gap.gain(rows, intervals)
                if gap.worth_it(value, len(intervals)):
                    yield value, (option.index,), _new_agent(option, intervals)

        def _new_agent(option: ShiftOption, intervals: list[int]) -> Callable[[], _Step]:
            def apply() -> _Step:
                nonlocal count
                count += 1
                closed = gap.apply(rows, intervals)
                return _Step(kind="remaining_gap", day_index=option.day_index, who=f"new {queue} agent {count}",
                             first=option.first_interval, last=option.last_interval, paid_minutes=option.paid_minutes,
                             closed=closed, unit_cost=hourly_cost)  # fmt: skip

            return apply

        steps.extend(_greedy(gap, generate))
    return steps


def _uncovered(problem: RosterProblem, gap: Gap) -> list[dict[str, object]]:
    """Per day and queue, the shortfall no stage proposes anything for (scattered remnants)."""
    hours = problem.interval_minutes / 60
    tz = zone(problem.timezone)
    days = np.array([(stamp.tz_convert(tz).date() - problem.days[0]).days for stamp in problem.grid])
    rows = []
    for d, day in enumerate(problem.days):
        for q, queue in enumerate(problem.queues):
            short = gap.short[q, days == d]
            total = float(short.sum()) * hours
            if total < UNCOVERED_MIN_HOURS:
                continue
            count = int((short > 1e-9).sum())
            rows.append(
                {"date": day.isoformat(), "queue": queue, "kind": "uncovered", "agents": 0, "agent_hours": 0.0,
                 "closes_hours": 0.0, "cost": 0.0,
                 "note": f"{total:.1f} h short in {count} interval(s), at most {float(short.max()):.2f} of an agent each"}
            )  # fmt: skip
    return rows


def _rows(problem: RosterProblem, steps: list[_Step], order: dict[str, int]) -> list[dict[str, object]]:
    hours = problem.interval_minutes / 60
    grouped: dict[tuple[int, str, str, int, str], list[_Step]] = {}
    for step in steps:
        queue = max(sorted(step.closed), key=lambda name: step.closed[name]) if step.closed else ""
        key = (order[step.kind + step.source], step.kind, step.source, step.day_index, queue)
        grouped.setdefault(key, []).append(step)
    rows = []
    for (_rank, kind, source, d, queue), group in sorted(grouped.items()):
        who = sorted({step.who for step in group})
        paid = sum(step.paid_minutes for step in group) / 60
        closes = sum(sum(step.closed.values()) for step in group) * hours
        cost = sum(step.paid_minutes / 60 * step.unit_cost for step in group)
        times = ", ".join(
            f"{step.who} {_clock(problem, step.first, step.last)}" + (f" ({SHAPE_NOTES[step.shape]})" if step.shape else "")
            for step in sorted(group, key=lambda s: (s.who, s.first))
        )
        if kind == "remaining_gap":
            note = f"{len(who)} more {queue} agent(s) needed: " + ", ".join(
                sorted(_clock(problem, step.first, step.last) for step in group)
            )
        elif kind == "temp_agents":
            note = f"{source}: {times}"
        else:
            note = times
        rows.append(
            {"date": problem.days[d].isoformat(), "queue": queue, "kind": kind, "agents": len(who),
             "agent_hours": paid, "closes_hours": closes, "cost": cost, "note": note}  # fmt: skip
        )
    return rows


def _moved_days_off(problem: RosterProblem, coverage: pd.DataFrame, roster: pd.DataFrame,
                    events: dict[dt.date, str]) -> list[dict[str, object]]:  # fmt: skip
    """Event days staffed above the plan's ordinary days (the roster moved days off there)."""
    tz = zone(problem.timezone)
    hours = problem.interval_minutes / 60
    local = coverage["ds"].dt.tz_convert(tz).dt.date
    scheduled = coverage.groupby(local)["agents_scheduled"].sum() * hours
    useful = coverage.assign(useful=np.minimum(coverage["agents_scheduled"], coverage["agents_required"])).groupby(local)["useful"].sum() * hours
    starts = pd.to_datetime(roster.groupby("shift_id")["start"].min(), utc=True).dt.tz_convert(tz).dt.date
    agents = starts.groupby(starts).size() if len(starts) else pd.Series(dtype=int)
    ordinary = [day for day in problem.days if day not in events]
    if not ordinary:
        return []
    base_hours = float(np.mean([scheduled.get(day, 0.0) for day in ordinary]))
    base_useful = float(np.mean([useful.get(day, 0.0) for day in ordinary]))
    base_agents = float(np.mean([agents.get(day, 0) for day in ordinary]))
    off_days = ", ".join(f"{day:%a}" for day in ordinary)
    rows = []
    for day in problem.days:
        if day not in events or scheduled.get(day, 0.0) <= base_hours + 1e-9:
            continue
        working = int(agents.get(day, 0))
        rows.append(
            {
                "date": day.isoformat(),
                "queue": "all",
                "kind": "move_days_off",
                "agents": max(0, int(round(working - base_agents))),
                "agent_hours": float(scheduled.get(day, 0.0)) - base_hours,
                "closes_hours": max(0.0, float(useful.get(day, 0.0)) - base_useful),
                "cost": 0.0,
                "note": f"in the roster: {working} agents work ({base_agents:.1f} on an ordinary day: {off_days}); "
                "days off moved to the ordinary days",
            }
        )
    return rows


def propose_actions(
    config: Config,
    team: Team,
    requirements: pd.DataFrame,
    roster: pd.DataFrame,
    coverage: pd.DataFrame,
    forecast: pd.DataFrame,
    start: dt.date,
    days: int,
) -> ActionsResult:
    """The priced peak actions for a planned roster (see the module docstring).

    Args:
        requirements, roster, coverage, forecast: the plan's tables (contracts in
            :mod:`scheduler.staffing.requirements`, :mod:`scheduler.rostering`, :mod:`scheduler.coverage`
            and :mod:`forecasts.forecast`).
    """
    peak = config.peak
    problem = build_problem(config, team, requirements, start, days)
    events = event_days(forecast, config.timezone)
    step_hours = config.interval_minutes / 60
    gap = Gap.of_roster(problem.queues, problem.grid, problem.required, problem.is_open, roster, config.interval_minutes)
    short_hours = float(gap.short.sum()) * step_hours
    workers = rostered_workers(problem, roster)
    contract_caps = [list(worker.week_cap_minutes) for worker in workers]
    overtime = int(round(peak.overtime_hours_per_week * 60))
    overtime_caps = [[cap + overtime for cap in caps] for caps in contract_caps]
    longest = int(round(peak.max_shift_hours * 60))
    allowed = [[problem.options[o] for o in problem.allowed[a]] for a in range(len(workers))]

    # (unit cost, tie order, kind + source, candidate generators): cheapest first.
    stages: list[tuple[float, int, str, list[Callable[[], Iterator[tuple[float, tuple, Callable[[], _Step]]]]]]] = [
        (peak.hourly_cost, 0, "add_hours", [
            _extensions(problem, gap, workers, contract_caps, longest, "add_hours", peak.hourly_cost),
            _split_parts(problem, gap, workers, contract_caps, longest, "add_hours", peak.hourly_cost),
            _extra_shifts(problem, gap, workers, contract_caps, allowed, "add_hours", peak.hourly_cost),
        ]),
    ]  # fmt: skip
    if overtime:
        unit = peak.hourly_cost * peak.overtime_premium
        stages.append((unit, 1, "overtime", [
            _extensions(problem, gap, workers, overtime_caps, longest, "overtime", unit),
            _split_parts(problem, gap, workers, overtime_caps, longest, "overtime", unit),
        ]))  # fmt: skip
        stages.append((unit, 2, "overtime_shift", [_extra_shifts(problem, gap, workers, overtime_caps, allowed, "overtime_shift", unit)]))
    for i, entry in enumerate(peak.pool):
        people = _pool_workers(problem, entry)
        options = _servable(problem, entry.channels)
        stages.append((entry.cost_per_hour, 3 + i, "temp_agents" + entry.name, [
            _extra_shifts(problem, gap, people, [p.week_cap_minutes for p in people], [options] * len(people),
                          "temp_agents", entry.cost_per_hour, entry.name),
        ]))  # fmt: skip
    stages.sort(key=lambda stage: (stage[0], stage[1]))
    order: dict[str, int] = {"move_days_off": -1}
    steps: list[_Step] = []
    for rank, (_unit, _tie, key, generators) in enumerate(stages):
        order[key] = rank
        for generate in generators:
            steps.extend(_greedy(gap, generate))
    short_after = float(gap.short.sum()) * step_hours
    order["remaining_gap"] = len(stages)
    steps.extend(_remaining(problem, gap, peak.hourly_cost))

    rows = _moved_days_off(problem, coverage, roster, events) + _rows(problem, steps, order) + _uncovered(problem, gap)
    frame = pd.DataFrame(rows, columns=list(ACTION_COLUMNS))
    for column in ("agent_hours", "closes_hours", "cost"):
        frame[column] = frame[column].astype(float).round(2)
    frame["agents"] = frame["agents"].astype(int)
    return ActionsResult(
        actions=frame.reset_index(drop=True),
        days=day_figures(coverage, events, config.timezone, config.interval_minutes),
        short_hours=short_hours,
        short_after_hours=short_after,
        currency=peak.currency,
    )


def read_actions(path: Path) -> pd.DataFrame:
    """``actions.csv`` as :data:`ACTION_COLUMNS` (numbers as numbers).

    Raises:
        InputError: the file is missing, not CSV, or lacks a column (all named).
    """
    from scheduler.tables import read_table

    frame = read_table(path, ACTION_COLUMNS, (), numeric_columns=("agents", "agent_hours", "closes_hours", "cost"),
                       what="actions")  # fmt: skip
    frame["agents"] = frame["agents"].astype(int)
    return frame.loc[:, list(ACTION_COLUMNS)]


def remaining_agents(actions: pd.DataFrame) -> dict[str, int]:
    """Per queue, the most extra agents any one day still needs after every priced action."""
    gap = actions[actions["kind"] == "remaining_gap"]
    if gap.empty:
        return {}
    return {str(queue): int(group["agents"].max()) for queue, group in gap.groupby("queue", sort=True)}


def actions_json(result: ActionsResult) -> dict[str, object]:
    """The ``actions`` object of ``plan --json``: per-day figures, every action, the gap left per queue."""
    return {
        "currency": result.currency,
        "short_hours": round(result.short_hours, 2),
        "short_after_actions_hours": round(result.short_after_hours, 2),
        "days": [
            {
                "date": row.date,
                "events": row.events,
                "required_hours": round(float(row.required_hours), 2),
                "scheduled_hours": round(float(row.scheduled_hours), 2),
                "short_hours": round(float(row.short_hours), 2),
                "short_share": round(float(row.short_share), 4),
            }
            for row in result.days.itertuples(index=False)
        ],
        "proposed": [
            {
                "date": row.date,
                "queue": row.queue,
                "kind": row.kind,
                "agents": int(row.agents),
                "agent_hours": float(row.agent_hours),
                "closes_hours": float(row.closes_hours),
                "cost": float(row.cost),
                "note": row.note,
            }
            for row in result.actions.itertuples(index=False)
        ],
        "remaining_agents": remaining_agents(result.actions),
    }


__all__ = [
    "ACTION_COLUMNS",
    "DAY_COLUMNS",
    "KINDS",
    "ActionsResult",
    "actions_json",
    "day_figures",
    "event_days",
    "propose_actions",
    "read_actions",
    "remaining_agents",
]
