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

import numpy as np
import pandas as pd

from forecasts.grid import zone
from scheduler.actions.agents import rostered_workers
from scheduler.actions.candidates import (
    Candidates,
    Step,
    extensions,
    extra_shifts,
    greedy,
    pool_workers,
    remaining_agents_needed,
    servable,
    split_parts,
)
from scheduler.actions.gap import Gap
from scheduler.actions.table import ACTION_COLUMNS, ActionsResult, day_figures, event_days
from scheduler.config import Config
from scheduler.rostering.problem import RosterProblem, build_problem
from scheduler.team import Team

SHAPE_NOTES = {"split": "split shift", "shift": "extra shift"}
UNCOVERED_MIN_HOURS = 0.5  # smaller remnants of a day and queue are not listed


def _clock(problem: RosterProblem, first: int, last: int) -> str:
    tz = zone(problem.timezone)
    begin = problem.grid[first].tz_convert(tz)
    end = begin + pd.Timedelta(minutes=problem.interval_minutes * (last - first))
    return f"{begin:%H:%M}-{end:%H:%M}"


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
                 "note": f"{total:.1f} h short in {count} interval(s), "
                         f"at most {float(short.max()):.2f} of an agent each"}
            )  # fmt: skip
    return rows


def _rows(problem: RosterProblem, steps: list[Step], order: dict[str, int]) -> list[dict[str, object]]:
    hours = problem.interval_minutes / 60
    grouped: dict[tuple[int, str, str, int, str], list[Step]] = {}
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
            f"{step.who} {_clock(problem, step.first, step.last)}"
            + (f" ({SHAPE_NOTES[step.shape]})" if step.shape else "")
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
            {
                "date": problem.days[d].isoformat(),
                "queue": queue,
                "kind": kind,
                "agents": len(who),
                "agent_hours": paid,
                "closes_hours": closes,
                "cost": cost,
                "note": note,
            }  # fmt: skip
        )
    return rows


def _moved_days_off(problem: RosterProblem, coverage: pd.DataFrame, roster: pd.DataFrame,
                    events: dict[dt.date, str]) -> list[dict[str, object]]:  # fmt: skip
    """Event days staffed above the plan's ordinary days (the roster moved days off there)."""
    tz = zone(problem.timezone)
    hours = problem.interval_minutes / 60
    local = coverage["ds"].dt.tz_convert(tz).dt.date
    scheduled = coverage.groupby(local)["agents_scheduled"].sum() * hours
    useful = (
        coverage.assign(useful=np.minimum(coverage["agents_scheduled"], coverage["agents_required"]))
        .groupby(local)["useful"]
        .sum()
        * hours
    )
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
    gap = Gap.of_roster(
        problem.queues, problem.grid, problem.required, problem.is_open, roster, config.interval_minutes
    )
    short_hours = float(gap.short.sum()) * step_hours
    workers = rostered_workers(problem, roster)
    contract_caps = [list(worker.week_cap_minutes) for worker in workers]
    overtime = int(round(peak.overtime_hours_per_week * 60))
    overtime_caps = [[cap + overtime for cap in caps] for caps in contract_caps]
    longest = int(round(peak.max_shift_hours * 60))
    allowed = [[problem.options[o] for o in problem.allowed[a]] for a in range(len(workers))]

    # (unit cost, tie order, kind + source, candidate generators): cheapest first.
    stages: list[tuple[float, int, str, list[Candidates]]] = [
        (peak.hourly_cost, 0, "add_hours", [
            extensions(problem, gap, workers, contract_caps, longest, "add_hours", peak.hourly_cost),
            split_parts(problem, gap, workers, contract_caps, longest, "add_hours", peak.hourly_cost),
            extra_shifts(problem, gap, workers, contract_caps, allowed, "add_hours", peak.hourly_cost),
        ]),
    ]  # fmt: skip
    if overtime:
        unit = peak.hourly_cost * peak.overtime_premium
        stages.append((unit, 1, "overtime", [
            extensions(problem, gap, workers, overtime_caps, longest, "overtime", unit),
            split_parts(problem, gap, workers, overtime_caps, longest, "overtime", unit),
        ]))  # fmt: skip
        stages.append(
            (
                unit,
                2,
                "overtime_shift",
                [extra_shifts(problem, gap, workers, overtime_caps, allowed, "overtime_shift", unit)],
            )
        )
    for i, entry in enumerate(peak.pool):
        people = pool_workers(problem, entry)
        options = servable(problem, entry.channels)
        stages.append((entry.cost_per_hour, 3 + i, "temp_agents" + entry.name, [
            extra_shifts(problem, gap, people, [p.week_cap_minutes for p in people], [options] * len(people),
                          "temp_agents", entry.cost_per_hour, entry.name),
        ]))  # fmt: skip
    stages.sort(key=lambda stage: (stage[0], stage[1]))
    order: dict[str, int] = {"move_days_off": -1}
    steps: list[Step] = []
    for rank, (_unit, _tie, key, generators) in enumerate(stages):
        order[key] = rank
        for generate in generators:
            steps.extend(greedy(gap, generate))
    short_after = float(gap.short.sum()) * step_hours
    order["remaining_gap"] = len(stages)
    steps.extend(remaining_agents_needed(problem, gap, peak.hourly_cost))

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
