"""The objective of a written roster, recomputed from its rows.

What ``plan`` prints and stores as the roster's objective and penalty list is
computed here from the roster table itself (with the team, the config and the
requirements), not taken from a solver's variables: the figures describe the
roster agents receive. Like :mod:`.checker`, it never looks at the solver's
model or problem; the terms are written out again from the documented
objective (docs/roster.md, "Objective"):

- understaffing per queue and interval, in hundredths of an agent: the first
  missing agent costs ``understaffing_weight`` per hundredth, every further one
  twice that, both times ``peak_weight`` in peak intervals (rounded to a whole
  weight, at least 1);
- overstaffing: ``overstaffing_weight`` per hundredth over;
- ``100 x weight`` per undesired shift worked and per preferred day missed;
- ``hours_weight`` per paid minute below the week's target;
- ``100 x fairness_weight`` per unit of spread in weekends, late shifts and
  undesired shifts between agents on the same contract;
- ``100 x stability_weight`` per agent-day changed against the previous roster
  (days not frozen);
- ``switch_weight`` per change of queue inside a shift;
- ``secondary_skill_weight`` per interval worked on a queue the agent serves
  with a secondary language or topic only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from scheduler.config import Config
from scheduler.coverage import scheduled_agents
from scheduler.rostering.checker import (
    carried_in_until,
    iso_weeks,
    queue_blocks,
    shift_rows,
    shift_template,
    touches_night,
)
from scheduler.team import Agent, Preference, Team

SCALE = 100  # requirements in hundredths of an agent, as the documented objective counts them


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterScore:
    """The written roster's objective and what makes it up.

    ``penalties`` are ``(rule, subject, cost)``, one per rule and subject,
    largest first; they sum to ``objective``.
    """

    objective: float
    penalties: tuple[tuple[str, str, float], ...]
    shifts: int
    switches: int
    shortest_block_minutes: float  # over blocks that are not their stretch's only block; inf if none


@dataclass(frozen=True, slots=True, kw_only=True)
class _Shift:
    agent_id: str
    day: dt.date
    start: pd.Timestamp
    end: pd.Timestamp  # as stored (cut at the horizon end)
    template: str
    local_start: dt.time
    paid: int
    late: bool
    night: bool
    switches: int


def _matches(preference: Preference, shift: _Shift) -> bool:
    if preference.weekdays and shift.day.weekday() not in preference.weekdays:
        return False
    if preference.dates and shift.day not in preference.dates:
        return False
    if preference.shifts:
        kinds = {shift.template} | ({"late"} if shift.late else set()) | ({"night"} if shift.night else set())
        if not kinds & set(preference.shifts):
            return False
    if preference.start_from is not None and shift.local_start < preference.start_from:
        return False
    return not (preference.start_to is not None and shift.local_start > preference.start_to)


def _shifts(roster: pd.DataFrame, config: Config, horizon_end: pd.Timestamp) -> tuple[list[_Shift], list[float]]:
    tz = ZoneInfo(config.timezone)
    late_after = config.roster.late_end_after.hour * 60 + config.roster.late_end_after.minute
    shifts: list[_Shift] = []
    blocks: list[float] = []
    night: dict[tuple[pd.Timestamp, int], bool] = {}  # many shifts share a start and length
    for shift_id, rows in shift_rows(roster):
        begin, finish = rows[0].start, rows[-1].end
        local = begin.tz_convert(tz)
        lunch = sum(int((row.end - row.start).total_seconds() // 60) for row in rows if row.activity == "lunch")
        span = int((finish - begin).total_seconds() // 60)
        template = shift_template(config, local, span, lunch, finish == horizon_end)
        length = int(round(template.hours * 60)) if template is not None else span
        paid = length - (template.lunch_minutes if template is not None else lunch)
        full_end = (begin + pd.Timedelta(minutes=length)).tz_convert(tz)
        end_minutes = full_end.hour * 60 + full_end.minute + (1440 if full_end.date() > local.date() else 0)
        queues = [row.queue for row in rows if row.activity == "work"]
        runs = [queue for i, queue in enumerate(queues) if i == 0 or queue != queues[i - 1]]
        for stretch in queue_blocks(rows):
            if len(stretch) > 1:
                blocks.extend((end - start).total_seconds() / 60 for _queue, start, end in stretch)
        shifts.append(
            _Shift(
                agent_id=str(rows[0].agent_id),
                day=local.date(),
                start=begin,
                end=finish,
                template=template.name if template is not None else str(shift_id),
                local_start=dt.time(local.hour, local.minute),
                paid=paid,
                late=end_minutes > late_after,
                night=night[begin, length]
                if (begin, length) in night
                else night.setdefault((begin, length), touches_night(config, begin, length, tz)),
                switches=len(runs) - 1,
            )
        )
    return shifts, blocks


def _coverage_penalties(
    roster: pd.DataFrame, config: Config, requirements: pd.DataFrame
) -> list[tuple[str, str, float]]:
    settings = config.roster
    coverage = scheduled_agents(roster, requirements, config.interval_minutes)
    penalties = []
    for queue, rows in coverage.groupby("queue", sort=True):
        required = rows["agents_required"].to_numpy(dtype=float)
        positive = required[required > 0]
        median = float(np.median(positive)) if positive.size else math.inf
        need = np.rint(required * SCALE)
        served = rows["agents_scheduled"].to_numpy(dtype=float) * SCALE
        short = np.maximum(need - served, 0.0)
        over = np.maximum(served - need, 0.0)
        # Whole weights per hundredth: a fractional peak_weight is rounded (at least 1).
        peak = (
            max(1, round(settings.understaffing_weight * settings.peak_weight)) if settings.understaffing_weight else 0
        )
        weight = np.where(required >= settings.peak_factor * median, peak, settings.understaffing_weight)
        under = weight * np.minimum(short, SCALE) + 2 * weight * np.maximum(short - SCALE, 0.0)
        labels = rows["ds"].dt.tz_convert(config.timezone).dt.strftime("%Y-%m-%d %H:%M").to_numpy()
        for label, cost in zip(labels[under > 0], under[under > 0], strict=True):
            penalties.append(("understaffing", f"{queue} {label}", float(cost)))
        if settings.overstaffing_weight:
            extra = settings.overstaffing_weight * over
            for label, cost in zip(labels[extra > 0], extra[extra > 0], strict=True):
                penalties.append(("overstaffing", f"{queue} {label}", float(cost)))
    return penalties


def _week_target(agent: Agent, week_days: list[dt.date]) -> tuple[int, int]:
    """(minimum, target) paid minutes of a week, pro-rated for leave and days outside the plan."""
    contract = agent.contract
    present = sum(1 for day in week_days if day not in agent.time_off) / 7
    target = (
        contract.target_hours_per_week if contract.target_hours_per_week is not None else contract.max_hours_per_week
    )
    return (
        math.floor(contract.min_hours_per_week * present * 60),
        math.floor(min(target, contract.max_hours_per_week) * present * 60),
    )


def score_roster(
    roster: pd.DataFrame,
    team: Team,
    config: Config,
    requirements: pd.DataFrame,
    start: dt.date,
    days: int,
    *,
    previous: pd.DataFrame | None = None,
    freeze_until: dt.date | None = None,
) -> RosterScore:
    """The objective of ``roster`` over ``days`` local days from ``start``, term by term.

    Args:
        requirements: agents required per queue and interval (``ds``, ``queue``,
            ``agents_required``); rows outside the horizon are ignored.
        previous: the roster regenerated over; each agent-day it covers (and
            not frozen up to ``freeze_until``) whose shift differs costs.
    """
    settings = config.roster
    tz = ZoneInfo(config.timezone)
    horizon_start = pd.Timestamp(dt.datetime.combine(start, dt.time(0), tzinfo=tz))
    horizon_end = pd.Timestamp(dt.datetime.combine(start + dt.timedelta(days=days), dt.time(0), tzinfo=tz))
    ds = pd.to_datetime(requirements["ds"], utc=True)
    # The hours before the carried-in ones end are the previous plan's last shifts' (checker).
    horizon = requirements[(ds >= carried_in_until(config, start)) & (ds < horizon_end)]
    penalties = _coverage_penalties(roster, config, horizon)
    shifts, blocks = _shifts(roster, config, horizon_end)
    horizon_days = [start + dt.timedelta(days=n) for n in range(days)]
    by_agent: dict[str, list[_Shift]] = defaultdict(list)
    for shift in shifts:
        by_agent[shift.agent_id].append(shift)

    weeks, weekends = iso_weeks(horizon_days)

    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )  # contract -> what -> agent -> n
    for agent in team.agents:
        own = by_agent.get(agent.id, [])
        worked_days = {shift.day for shift in own}
        undesired = 0
        for preference in agent.preferences:
            matching = [shift for shift in own if _matches(preference, shift)]
            if preference.kind == "avoid":
                undesired += len(matching)
                penalties.extend(
                    ("undesired shift", f"{agent.id} {shift.day}", float(SCALE * preference.weight))
                    for shift in matching
                )
                continue
            matched_days = {shift.day for shift in matching}
            for day in horizon_days:
                if preference.weekdays and day.weekday() not in preference.weekdays:
                    continue
                if preference.dates and day not in preference.dates:
                    continue
                if day in agent.time_off or day in matched_days:
                    continue
                penalties.append(("preferred shift missed", f"{agent.id} {day}", float(SCALE * preference.weight)))
        if settings.hours_weight:
            for week_days in weeks.values():
                low, target = _week_target(agent, week_days)
                worked = sum(shift.paid for shift in own if shift.day in week_days)
                if target > low and worked < target:
                    penalties.append(
                        (
                            "hours below target",
                            f"{agent.id} week of {week_days[0]}",
                            float(settings.hours_weight * (target - worked)),
                        )
                    )
        contract = agent.contract.name
        counts[contract]["weekends"][agent.id] = sum(1 for weekend in weekends.values() if worked_days & set(weekend))
        counts[contract]["late shifts"][agent.id] = sum(1 for shift in own if shift.late)
        counts[contract]["undesired shifts"][agent.id] = undesired
    if settings.fairness_weight:
        for contract, table in sorted(counts.items()):
            for what, values in table.items():
                if len(values) < 2:
                    continue
                spread = max(values.values()) - min(values.values())
                if spread:
                    penalties.append(
                        (f"uneven {what}", f"contract {contract}", float(SCALE * settings.fairness_weight * spread))
                    )
    if previous is not None and not previous.empty and settings.stability_weight:
        penalties.extend(_changes(previous, by_agent, team, horizon_days, freeze_until, tz, settings.stability_weight))
    switches = sum(shift.switches for shift in shifts)
    if settings.switch_weight:
        for shift in shifts:
            if shift.switches:
                penalties.append(
                    ("queue switch", f"{shift.agent_id} {shift.day}", float(settings.switch_weight * shift.switches))
                )
    if settings.secondary_skill_weight:
        penalties.extend(_secondary_use(roster, team, config, horizon_start, horizon_end))

    totals: dict[tuple[str, str], float] = defaultdict(float)
    for rule, subject, cost in penalties:
        totals[rule, subject] += cost
    ordered = sorted(
        ((rule, subject, cost) for (rule, subject), cost in totals.items()),
        key=lambda item: (-item[2], item[0], item[1]),
    )
    return RosterScore(
        objective=float(sum(cost for _rule, _subject, cost in ordered)),
        penalties=tuple(ordered),
        shifts=len(shifts),
        switches=switches,
        shortest_block_minutes=min(blocks) if blocks else math.inf,
    )


def _secondary_use(
    roster: pd.DataFrame, team: Team, config: Config, horizon_start: pd.Timestamp, horizon_end: pd.Timestamp
) -> list[tuple[str, str, float]]:
    """``secondary_skill_weight`` per interval of work on a queue served with a secondary skill only."""
    helped = {agent.id: set(agent.secondary_queues) for agent in team.agents if agent.secondary_queues}
    if not helped or roster.empty:
        return []
    rows = roster[(roster["activity"] == "work") & roster["agent_id"].isin(list(helped))]
    start = pd.to_datetime(rows["start"], utc=True).clip(lower=horizon_start)
    end = pd.to_datetime(rows["end"], utc=True).clip(upper=horizon_end)
    intervals = ((end - start).dt.total_seconds() / 60 / config.interval_minutes).clip(lower=0)
    result = []
    for agent_id, queue, count in zip(rows["agent_id"], rows["queue"], intervals, strict=True):
        if queue in helped[agent_id] and count > 0:
            result.append(
                ("secondary skill", f"{agent_id} {queue}", float(config.roster.secondary_skill_weight * count))
            )
    return result


def _changes(
    previous: pd.DataFrame,
    by_agent: dict[str, list[_Shift]],
    team: Team,
    horizon_days: list[dt.date],
    freeze_until: dt.date | None,
    tz: ZoneInfo,
    weight: int,
) -> list[tuple[str, str, float]]:
    """Agent-days whose shift (start and end) differs from the previous roster's, over the days it planned."""
    spans = (
        previous.groupby(["agent_id", "shift_id"], sort=True)
        .agg(start=("start", "min"), end=("end", "max"))
        .reset_index()
    )
    spans["day"] = spans["start"].dt.tz_convert(tz).dt.date
    planned = set(pd.date_range(spans["day"].min(), spans["day"].max(), freq="D").date)
    before = {(row.agent_id, row.day): (row.start, row.end) for row in spans.itertuples(index=False)}
    penalties = []
    for agent in team.agents:
        now = {shift.day: (shift.start, shift.end) for shift in by_agent.get(agent.id, [])}
        for day in horizon_days:
            if day not in planned or (freeze_until is not None and day <= freeze_until):
                continue
            if now.get(day) != before.get((agent.id, day)):
                penalties.append(("changed shift", f"{agent.id} {day}", float(SCALE * weight)))
    return penalties
