"""The actions table: its columns, the per-day figures, reading it back and its JSON form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ACTION_COLUMNS = ("date", "queue", "kind", "agents", "agent_hours", "closes_hours", "cost", "note")
"""``actions.csv``: one row per action and day. ``queue`` is the queue the hours serve most
(``all`` for days off moved); ``agents`` people involved; ``agent_hours`` paid hours added (or
moved); ``closes_hours`` the required agent-hours they cover; ``cost`` in ``[peak] currency``."""

DAY_COLUMNS = ("date", "events", "required_hours", "scheduled_hours", "short_hours", "short_share")
"""Per local day of the plan: required and scheduled agent-hours, the shortfall and its share."""

KINDS = ("move_days_off", "add_hours", "overtime", "overtime_shift", "temp_agents", "remaining_gap", "uncovered")


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionsResult:
    actions: pd.DataFrame  # ACTION_COLUMNS, in order of cost
    days: pd.DataFrame  # DAY_COLUMNS
    short_hours: float  # the roster's shortfall, agent-hours
    short_after_hours: float  # left after every priced action (before the remaining-gap agents)
    currency: str


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
    grouped = (
        coverage.assign(day=day).groupby("day", sort=True)[["agents_required", "agents_scheduled", "shortfall"]].sum()
    )
    frame = pd.DataFrame(
        {
            "date": [d.isoformat() for d in grouped.index],
            "events": [events.get(d, "") for d in grouped.index],
            "required_hours": grouped["agents_required"].to_numpy() * hours,
            "scheduled_hours": grouped["agents_scheduled"].to_numpy() * hours,
            "short_hours": grouped["shortfall"].to_numpy() * hours,
        }
    )
    frame["short_share"] = np.where(
        frame["required_hours"] > 0,
        frame["short_hours"] / frame["required_hours"].where(frame["required_hours"] > 0, 1.0),
        0.0,
    )
    return frame.loc[:, list(DAY_COLUMNS)]


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
