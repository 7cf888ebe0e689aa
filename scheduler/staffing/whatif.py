"""What-if for peaks: "chat +200% for three days: what does it take, and what if we add nobody?"

The scenario multiplies the forecast of some queues inside a window of local
days. Against the baseline forecast it answers, per queue and in total:

- **extra agent-hours required**: scenario minus baseline requirements
  (``agents_required``, so shrinkage included) inside the window;
- **overtime hours**: agent-hours the scenario needs beyond the staffing in
  place, interval by interval (``sum(max(0, required - staffed)) x interval``);
  the staffing in place is a roster's scheduled agents when one is given,
  otherwise the baseline requirements (the team staffed exactly to plan);
- **extra agents**: those overtime hours as full-time equivalents working
  ``fte_hours`` a week over the window, and the largest gap at any one
  interval (agents needed on top at the worst moment);
- **if nobody is added**: the service level, ASA, abandonment and backlog
  the staffing in place gives under the scenario volume
  (:func:`scheduler.staffing.requirements.evaluate_staffing`), next to the same staffing
  under the baseline volume.

The whole horizon is evaluated, so a deferred backlog built in the window
carries on after it; the summary covers the window.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from calendars.uplift import UpliftValueError, uplift_multiplier
from forecasts.grid import local_midnight
from scheduler.config import Config
from scheduler.coverage import scheduled_agents
from scheduler.errors import InputError
from scheduler.staffing.requirements import compute_requirements, evaluate_staffing, summarize_evaluation
from scheduler.tables import write_table

ALL_QUEUES = "all"
INTERVAL_COLUMNS = (
    "ds",
    "queue",
    "volume_base",
    "volume",
    "agents_required_base",
    "agents_required",
    "agents_scheduled",
    "shortfall",
    "service_level",
    "asa_seconds",
    "abandon_rate",
    "backlog",
    "offered",
    "open",
)
SUMMARY_COLUMNS = (
    "queue",
    "multiplier",
    "volume_base",
    "volume",
    "required_hours_base",
    "required_hours",
    "extra_hours",
    "staffed_hours",
    "overtime_hours",
    "extra_fte",
    "peak_extra_agents",
    "service_level_base",
    "service_level",
    "asa_seconds_base",
    "asa_seconds",
    "abandon_rate",
    "max_backlog",
)

_UPLIFT = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=\s*(.+?)\s*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Uplift:
    """Volume of ``queue`` (or every queue for ``all``) times ``multiplier``."""

    queue: str
    multiplier: float


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatIfResult:
    summary: pd.DataFrame  # SUMMARY_COLUMNS, one row per queue and a "total" row
    intervals: pd.DataFrame  # INTERVAL_COLUMNS inside the window
    start: pd.Timestamp  # window start (UTC)
    end: pd.Timestamp  # window end, exclusive (UTC)
    days: float  # window length in days
    fte_hours: float
    staffed_from: str  # "roster" or "baseline requirements"


def parse_uplift(text: str) -> Uplift:
    """``chat=+200%`` (x3), ``chat=-20%`` (x0.8), ``chat=2`` (+200 %) or ``chat=x3``.

    CHANGE follows the one uplift convention of the sale calendar
    (:func:`calendars.uplift.parse_uplift`, docs/calendars.md "Uplift"): the
    extra volume as a percentage or a fraction, or ``x`` and the multiplier;
    a bare ``80`` (a percentage without its ``%``) is refused, not taken as x81.

    Raises:
        InputError: not ``QUEUE=CHANGE``, or a CHANGE the convention refuses.
    """
    match = _UPLIFT.match(text)
    if not match:
        raise InputError(f"--uplift {text!r} is not QUEUE=CHANGE like chat=+200% (or all=+50%, chat=x3)")
    queue, change = match.group(1), match.group(2)
    try:
        multiplier = uplift_multiplier(change)
    except UpliftValueError as error:
        raise InputError(f"--uplift {text!r}: {error}") from None
    return Uplift(queue=queue, multiplier=multiplier)


def multipliers(uplifts: Sequence[Uplift], queues: Sequence[str]) -> dict[str, float]:
    """Multiplier per queue; ``all`` first, then queue-specific ones on top (they multiply).

    A channel name covers every queue of that channel (``chat`` = ``chat/ru``, ``chat/en``, ... with [routing]).
    """
    channels = {queue.split("/", 1)[0] for queue in queues}
    unknown = sorted({uplift.queue for uplift in uplifts} - set(queues) - channels - {ALL_QUEUES})
    if unknown:
        raise InputError(f"--uplift names unknown queue(s) {unknown}; queues: {', '.join(queues)} (or {ALL_QUEUES})")
    result = {queue: 1.0 for queue in queues}
    for uplift in uplifts:
        if uplift.queue == ALL_QUEUES:
            chosen = tuple(queues)
        elif uplift.queue in queues:
            chosen = (uplift.queue,)
        else:
            chosen = tuple(queue for queue in queues if queue.split("/", 1)[0] == uplift.queue)
        for queue in chosen:
            result[queue] *= uplift.multiplier
    return result


def window(
    forecast: pd.DataFrame, tz: str, start: dt.date | None, days: int | None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The window ``[start, start + days)`` in local days, as UTC instants; defaults: the whole forecast."""
    ds = pd.to_datetime(forecast["ds"], utc=True)
    if ds.empty:
        raise InputError("the forecast has no rows")
    first_day = ds.min().tz_convert(tz).date()
    last_day = ds.max().tz_convert(tz).date()
    begin_day = start or first_day
    if days is None:
        end_day = last_day + dt.timedelta(days=1)
    else:
        end_day = begin_day + dt.timedelta(days=days)
    if begin_day > last_day or end_day <= first_day:
        span = f"--from {begin_day}" + (f" --days {days}" if days is not None else "")
        raise InputError(f"{span} lies outside the forecast ({first_day} to {last_day})")
    return local_midnight(begin_day, tz).tz_convert("UTC"), local_midnight(end_day, tz).tz_convert("UTC")


def apply_uplifts(
    forecast: pd.DataFrame, factors: dict[str, float], begin: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """The forecast with ``yhat`` of each queue times its factor inside ``[begin, end)``."""
    scenario = forecast.copy()
    ds = pd.to_datetime(scenario["ds"], utc=True)
    inside = ((ds >= begin) & (ds < end)).to_numpy()
    factor = scenario["queue"].map(factors).fillna(1.0).to_numpy(dtype=float)
    scenario["yhat"] = scenario["yhat"].to_numpy(dtype=float) * np.where(inside, factor, 1.0)
    return scenario


def what_if(
    forecast: pd.DataFrame,
    config: Config,
    uplifts: Sequence[Uplift],
    *,
    start: dt.date | None = None,
    days: int | None = None,
    roster: pd.DataFrame | None = None,
    fte_hours: float = 40.0,
) -> WhatIfResult:
    """Requirements and predicted service of an uplift scenario against the baseline.

    Args:
        forecast: the baseline forecast (``ds, queue, yhat``).
        config: the team's config.
        uplifts: parsed ``--uplift`` options.
        start, days: the window in local days (default: the whole forecast).
        roster: the roster in place (``roster.csv``); default: the baseline requirements are staffed.
        fte_hours: weekly contract hours of one full-time agent.

    Raises:
        InputError: unknown queues, a window outside the forecast, ``fte_hours <= 0``.
    """
    if not uplifts:
        raise InputError("give at least one --uplift QUEUE=CHANGE, e.g. --uplift chat=+200%")
    if not math.isfinite(fte_hours) or fte_hours <= 0:
        raise InputError(f"--fte-hours must be > 0, got {fte_hours!r}")
    queues = sorted(set(forecast["queue"].astype(str))) if "queue" in forecast.columns else []
    factors = multipliers(uplifts, queues or config.queue_names)
    begin, end = window(forecast, config.timezone, start, days)
    scenario = apply_uplifts(forecast, factors, begin, end)

    base = compute_requirements(forecast, config)
    need = compute_requirements(scenario, config)
    if roster is None:
        staffed = base.loc[:, ["ds", "queue"]].assign(agents_scheduled=base["agents_required"].to_numpy())
        source = "baseline requirements"
    else:
        staffed = scheduled_agents(roster, base, config.interval_minutes).loc[:, ["ds", "queue", "agents_scheduled"]]
        source = "roster"
    before = evaluate_staffing(forecast, staffed, config)
    after = evaluate_staffing(scenario, staffed, config)

    inside = ((after["ds"] >= begin) & (after["ds"] < end)).to_numpy()
    intervals = pd.DataFrame(
        {
            "ds": after["ds"],
            "queue": after["queue"],
            "volume_base": before["volume"],
            "volume": after["volume"],
            "agents_required_base": base["agents_required"].to_numpy(),
            "agents_required": need["agents_required"].to_numpy(),
            "agents_scheduled": after["agents_scheduled"],
            "shortfall": np.clip(need["agents_required"].to_numpy() - after["agents_scheduled"].to_numpy(), 0.0, None),
            "service_level": after["service_level"],
            "asa_seconds": after["asa_seconds"],
            "abandon_rate": after["abandon_rate"],
            "backlog": after["backlog"],
            "offered": after["offered"],
            "open": after["open"],
        }
    )[inside].reset_index(drop=True)
    window_days = (end - begin).total_seconds() / 86_400
    summary = _summary(intervals, before[inside], after[inside], factors, config, fte_hours, window_days)
    return WhatIfResult(
        summary=summary,
        intervals=intervals.loc[:, list(INTERVAL_COLUMNS)],
        start=begin,
        end=end,
        days=window_days,
        fte_hours=fte_hours,
        staffed_from=source,
    )


def _summary(
    intervals: pd.DataFrame,
    before: pd.DataFrame,
    after: pd.DataFrame,
    factors: dict[str, float],
    config: Config,
    fte_hours: float,
    window_days: float,
) -> pd.DataFrame:
    hours = config.interval_minutes / 60
    fte_window_hours = fte_hours * window_days / 7
    service_before = summarize_evaluation(before).set_index("queue")
    service_after = summarize_evaluation(after).set_index("queue")
    rows = []
    for queue, part in intervals.groupby("queue", sort=True):
        required_base = float(part["agents_required_base"].sum() * hours)
        required = float(part["agents_required"].sum() * hours)
        overtime = float(part["shortfall"].sum() * hours)
        rows.append(
            {
                "queue": str(queue),
                "multiplier": factors.get(str(queue), 1.0),
                "volume_base": float(part["volume_base"].sum()),
                "volume": float(part["volume"].sum()),
                "required_hours_base": required_base,
                "required_hours": required,
                "extra_hours": required - required_base,
                "staffed_hours": float(part["agents_scheduled"].sum() * hours),
                "overtime_hours": overtime,
                "extra_fte": overtime / fte_window_hours,
                "peak_extra_agents": float(part["shortfall"].max()) if len(part) else 0.0,
                "service_level_base": float(service_before.loc[queue, "service_level"]),
                "service_level": float(service_after.loc[queue, "service_level"]),
                "asa_seconds_base": float(service_before.loc[queue, "asa_seconds"]),
                "asa_seconds": float(service_after.loc[queue, "asa_seconds"]),
                "abandon_rate": float(service_after.loc[queue, "abandon_rate"]),
                "max_backlog": float(service_after.loc[queue, "max_backlog"]),
            }
        )
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    total_shortfall = intervals.groupby("ds")["shortfall"].sum()
    total = {column: float(summary[column].sum()) for column in SUMMARY_COLUMNS[2:10]}
    total["extra_fte"] = total["overtime_hours"] / fte_window_hours
    total["peak_extra_agents"] = float(total_shortfall.max()) if len(total_shortfall) else 0.0
    total_row = {"queue": "total", "multiplier": math.nan, **total}
    for column in SUMMARY_COLUMNS[11:]:
        total_row[column] = math.nan  # shares of different channels do not add up
    return pd.concat([summary, pd.DataFrame([total_row], columns=list(SUMMARY_COLUMNS))], ignore_index=True)


def write_whatif(result: WhatIfResult, path: str | Path, tz: str) -> None:
    """Write the window's intervals (:data:`INTERVAL_COLUMNS`) atomically, timestamps in ``tz``."""
    write_table(result.intervals.loc[:, list(INTERVAL_COLUMNS)], path, tz, ("ds",))
