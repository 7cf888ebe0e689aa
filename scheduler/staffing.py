"""Required agents per queue and interval from the forecast.

Two models, chosen per channel in the config:

- ``erlang_c`` (chat, phone): contacts are answered live. An agent works
  ``concurrency`` contacts at once, so ``N`` agents offer ``N x concurrency``
  parallel slots; Erlang C over the slots, with the per-contact handle time
  measured at that concurrency, gives the service level within the target.
- ``deferred`` (email, social): a contact may wait up to ``target_hours`` of
  *open* time; agents are fractional because such work is shared and shifted. The handling work of the contacts arriving in an interval is
  spread evenly over the open intervals of their response window (contacts
  arriving while the queue is closed wait for the opening), so each contact is
  finished by its deadline when the planned capacity is worked.

Then ``agents_required = agents_net / (1 - shrinkage)``: paid agents to
schedule so that ``agents_net`` are actually available for contacts.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from scheduler.config import Channel, Config
from scheduler.erlang import occupancy, required_servers, service_level
from scheduler.errors import InputError

REQUIREMENT_COLUMNS = (
    "ds",
    "queue",
    "volume",
    "aht_seconds",
    "workload_hours",
    "agents_net",
    "service_level",
    "occupancy",
    "shrinkage",
    "agents_required",
    "open",
)


def open_mask(ds: pd.Series | pd.DatetimeIndex, channel: Channel, tz: str) -> np.ndarray:
    """True for intervals whose local start time lies inside the channel's opening hours."""
    local = pd.DatetimeIndex(ds).tz_convert(tz)
    minutes = local.hour * 60 + local.minute
    start = channel.open.open.hour * 60 + channel.open.open.minute
    end = channel.open.close.hour * 60 + channel.open.close.minute or 24 * 60
    return np.asarray((minutes >= start) & (minutes < end))


def _erlang_requirements(volume: np.ndarray, is_open: np.ndarray, channel: Channel, config: Config) -> dict:
    interval_seconds = config.interval_minutes * 60
    traffic = volume * channel.aht_seconds / interval_seconds  # slot-Erlangs
    offered = np.where(is_open, traffic, 0.0)
    try:
        slots = required_servers(
            offered, channel.aht_seconds, channel.target_seconds, channel.service_level, config.max_occupancy
        )
    except ValueError as error:
        raise InputError(f"channel {channel.name!r}: {error}") from None
    agents = np.ceil(slots / channel.concurrency)
    servers = agents * channel.concurrency
    return {
        "workload_hours": offered * interval_seconds / 3600 / channel.concurrency,
        "agents_net": agents,
        "service_level": np.where(is_open, service_level(servers, offered, channel.aht_seconds, channel.target_seconds), 1.0),
        "occupancy": occupancy(servers, offered),
    }


def _deferred_workload(volume: np.ndarray, is_open: np.ndarray, channel: Channel, config: Config) -> np.ndarray:
    """Agent-hours of work planned per interval for a deferred channel.

    Work arriving at interval ``i`` is spread evenly over the first ``k`` open
    intervals at or after ``i`` (``k`` = target in intervals). Work whose window
    runs past the end of the horizon is kept in the last open intervals, so no
    contact is dropped from the plan.
    """
    window = max(1, int(round(channel.target_hours * 60 / config.interval_minutes)))
    work_hours = volume * channel.aht_seconds / 3600
    open_positions = np.flatnonzero(is_open)
    planned = np.zeros_like(work_hours)
    if open_positions.size == 0:
        return planned
    # For each interval, index (into open_positions) of the first open interval at or after it.
    first_open = np.searchsorted(open_positions, np.arange(len(volume)), side="left")
    for index in np.flatnonzero(work_hours > 0):
        begin = first_open[index]
        if begin >= open_positions.size:  # arrives after the last opening in the horizon
            begin = open_positions.size - 1
        end = min(begin + window, open_positions.size)
        begin = min(begin, end - 1)
        share = work_hours[index] / (end - begin)
        planned[open_positions[begin:end]] += share
    return planned


def _deferred_requirements(volume: np.ndarray, is_open: np.ndarray, channel: Channel, config: Config) -> dict:
    interval_hours = config.interval_minutes / 60
    workload = _deferred_workload(volume, is_open, channel, config)
    capacity_per_agent = interval_hours * config.max_occupancy
    # Deferred work can be split between agents and shifted within its window,
    # so whole-agent rounding per interval would overstate small queues (a
    # queue with 2 h of work a day would need a full agent all day). Agents are
    # kept fractional, rounded up to hundredths (after removing float noise).
    agents = np.ceil(np.round(workload / capacity_per_agent * 100, 6)) / 100
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(agents > 0, workload / (agents * interval_hours), 0.0)
    return {
        "workload_hours": workload,
        "agents_net": agents,
        "service_level": np.ones_like(workload),
        "occupancy": np.clip(busy, 0.0, 1.0),
    }


def compute_requirements(forecast: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Agents needed per queue and interval, with the figures a lead checks.

    Args:
        forecast: the forecast contract (``ds, queue, yhat, ...``).
        config: channels, interval length, shrinkage and occupancy cap.

    Returns:
        The requirements contract (:data:`REQUIREMENT_COLUMNS`), sorted by queue, ds.

    Raises:
        InputError: a queue in the forecast has no channel in the config, or
            a forecast value is negative or missing.
    """
    missing = [column for column in ("ds", "queue", "yhat") if column not in forecast.columns]
    if missing:
        raise InputError(f"forecast is missing column(s) {missing}")
    unknown = sorted(set(forecast["queue"]) - set(config.queue_names))
    if unknown:
        raise InputError(f"forecast has queue(s) {unknown} with no [channels.<name>] in {config.path}")
    volumes = forecast["yhat"].to_numpy(dtype=float)
    if np.isnan(volumes).any() or (volumes < 0).any():
        raise InputError("forecast has missing or negative yhat values")

    frames: list[pd.DataFrame] = []
    for queue, part in forecast.sort_values(["queue", "ds"]).groupby("queue", sort=True):
        channel = config.channel(str(queue))
        volume = part["yhat"].to_numpy(dtype=float)
        is_open = open_mask(part["ds"], channel, config.timezone)
        if channel.model == "erlang_c":
            figures = _erlang_requirements(volume, is_open, channel, config)
        else:
            figures = _deferred_requirements(volume, is_open, channel, config)
        agents_net = np.where(is_open, figures["agents_net"], 0.0).astype(float)
        frames.append(
            pd.DataFrame(
                {
                    "ds": part["ds"].to_numpy(),
                    "queue": str(queue),
                    "volume": volume,
                    "aht_seconds": float(channel.aht_seconds),
                    "workload_hours": figures["workload_hours"],
                    "agents_net": agents_net,
                    "service_level": figures["service_level"],
                    "occupancy": figures["occupancy"],
                    "shrinkage": config.shrinkage,
                    "agents_required": agents_net / (1.0 - config.shrinkage),
                    "open": is_open,
                }
            )
        )
    result = pd.concat(frames, ignore_index=True)
    result["ds"] = pd.to_datetime(result["ds"], utc=True)
    return result.loc[:, list(REQUIREMENT_COLUMNS)]
