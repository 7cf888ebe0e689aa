"""Required agents per queue and interval from the forecast, and the reverse.

:func:`compute_requirements` turns a forecast into the agents to schedule;
:func:`evaluate_staffing` turns any staffing (a roster's, a what-if's) back
into the service level, ASA, abandonment and backlog it gives. Both use the
same models, so evaluating the requirements' own staffing returns the
requirements' figures.

Models, chosen per channel in the config:

- ``erlang_c`` (chat, phone): answered live. An agent works ``concurrency``
  contacts at once, so ``N`` agents offer ``N x concurrency`` parallel slots,
  each contact taking :attr:`~scheduler.config.Channel.handle_seconds` (the
  handle time grows with concurrency as configured). Erlang C over the slots
  gives the share answered within ``target_seconds``
  (:mod:`scheduler.staffing.erlang`).
- ``erlang_a``: the same with customers who abandon after
  ``patience_seconds`` on average (:mod:`scheduler.staffing.erlang_a`); abandoned
  contacts count as missed in the service level.
- ``deferred`` (email, social): a ticket may wait ``target_hours`` of open
  time; the capacity per interval is the smoothest that answers
  ``service_level`` of every interval's tickets in time, oldest first,
  carrying the backlog across intervals and nights (:mod:`scheduler.staffing.backlog`).
  Agents are fractional (hundredths) because such work is shared and shifted.

Then the **occupancy cap** and **shrinkage**, explicitly and in this order:
live queues need the fewest slots that meet the service level *and* keep
occupancy at or below ``max_occupancy``, divided by ``concurrency`` (net agents
are fractional, a time average, so the requirement is exactly the slots the
evaluation counts back); deferred capacity is divided by
``max_occupancy`` (an agent handles tickets at most that share of an
interval). That gives ``agents_net``, the agents actually on the queue;
``agents_required = agents_net / (1 - shrinkage)`` are the paid agents to
schedule so that ``agents_net`` remain after breaks, meetings and absence.
Evaluation runs the other way: ``agents_net = agents_scheduled x (1 - shrinkage)``.

Unstable live queues (Erlang C with traffic at or above the slots, only
possible when evaluating a given staffing) are never NaN or infinite: the
excess contacts are carried to the next interval as a queue (fluid model),
the service level is 0 and ``asa_seconds`` is the fluid mean wait, capped at
:data:`ASA_CAP_SECONDS` (a day), which is also what an open queue with
contacts and no agent shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scheduler.config import Channel, Config
from scheduler.errors import InputError
from scheduler.staffing.backlog import cohorts, evaluate_capacity, plan_capacity, window_intervals
from scheduler.staffing.erlang import average_speed_of_answer, occupancy, required_servers, service_level
from scheduler.staffing.erlang_a import erlang_a, required_servers_a

FIGURE_COLUMNS = ("service_level", "asa_seconds", "abandon_rate", "backlog", "occupancy")
"""What a staffing gives per interval and queue (``_live_figures``, ``_deferred_figures``): the same figures in
the requirements and in an evaluation."""

REQUIREMENT_COLUMNS = (
    "ds",
    "queue",
    "volume",
    "aht_seconds",
    "workload_hours",
    "agents_net",
    *FIGURE_COLUMNS,
    "max_occupancy",
    "shrinkage",
    "agents_required",
    "open",
)

EVALUATION_COLUMNS = ("ds", "queue", "volume", "offered", "agents_scheduled", "agents_net", *FIGURE_COLUMNS, "open")

ASA_CAP_SECONDS = 86_400.0
"""``asa_seconds`` of an overflowing live queue never exceeds a day (also shown with no agent at all)."""

# Evaluated staffing is rounded down to whole slots (a fraction of an agent
# cannot answer a chat); this much is forgiven first, so the 4-decimal
# agents_required of requirements.csv times (1 - shrinkage) gives back agents_net.
_WHOLE_SLOT_SLACK = 1e-3


def open_mask(ds: pd.Series | pd.DatetimeIndex, channel: Channel, tz: str) -> np.ndarray:
    """True for intervals whose local start lies inside the channel's opening hours and days (overnight windows too)."""
    local = pd.DatetimeIndex(ds).tz_convert(tz)
    return channel.open.open_at(
        np.asarray(local.hour * 60 + local.minute), np.asarray(local.day_of_week), channel.open_days
    )


# --- live queues ---------------------------------------------------------------------------------------


def _live_traffic(volume: np.ndarray, is_open: np.ndarray, channel: Channel, config: Config) -> np.ndarray:
    """Offered slot-Erlangs per interval (0 while closed: a closed live queue takes no contacts)."""
    return np.where(is_open, volume * channel.handle_seconds / (config.interval_minutes * 60), 0.0)


def _live_slots_needed(traffic: np.ndarray, channel: Channel, config: Config) -> np.ndarray:
    assert channel.service_level is not None
    try:
        if channel.model == "erlang_a":
            assert channel.patience_seconds is not None
            return required_servers_a(
                traffic,
                channel.handle_seconds,
                channel.patience_seconds,
                channel.target_seconds,
                channel.service_level,
                config.max_occupancy,
            )
        return required_servers(
            traffic, channel.handle_seconds, channel.target_seconds, channel.service_level, config.max_occupancy
        )
    except ValueError as error:
        raise InputError(f"channel {channel.name!r}: {error}") from None


def _live_figures(slots: np.ndarray, volume: np.ndarray, is_open: np.ndarray, channel: Channel, config: Config) -> dict:
    """Service level, ASA, abandonment, queue and occupancy of whole ``slots`` per interval."""
    interval_seconds = config.interval_minutes * 60
    aht = channel.handle_seconds
    offered = np.where(is_open, volume, 0.0)
    if channel.model == "erlang_a":
        assert channel.patience_seconds is not None
        traffic = offered * aht / interval_seconds
        figures = erlang_a(slots, traffic, aht, channel.patience_seconds, channel.target_seconds)
        return {
            "service_level": figures.service_level,
            "asa_seconds": np.minimum(figures.asa_seconds, ASA_CAP_SECONDS),
            "abandon_rate": figures.abandon_rate,
            "backlog": np.zeros(volume.shape),  # abandonment keeps the queue stable: nothing carries over
            "occupancy": figures.occupancy,
        }

    capacity = slots * interval_seconds / aht  # contacts the slots can answer in an interval
    carried = _carried_contacts(offered, capacity, is_open)
    load = offered + carried
    traffic = load * aht / interval_seconds
    stable = slots > traffic
    level = np.where(stable, service_level(slots, traffic, aht, channel.target_seconds), 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        steady_asa = average_speed_of_answer(slots, traffic, aht)  # inf where unstable, replaced below
        # Overflow: the queue grows (or drains) linearly through the interval; mean wait of its arrivals.
        overflow_asa = np.where(slots > 0, (carried + (offered - capacity) / 2) * aht / slots, ASA_CAP_SECONDS)
    asa = np.where(stable, steady_asa, np.clip(overflow_asa, 0.0, None))
    left = np.where(stable, 0.0, load - capacity)
    level = np.where(offered > 0, level, 1.0)
    return {
        "service_level": level,
        "asa_seconds": np.where(offered > 0, np.minimum(asa, ASA_CAP_SECONDS), 0.0),
        "abandon_rate": np.zeros(volume.shape),
        "backlog": np.where(is_open, left, 0.0),
        "occupancy": np.where(stable, occupancy(slots, traffic), np.where(slots > 0, 1.0, 0.0)),
    }


def _carried_contacts(offered: np.ndarray, capacity: np.ndarray, is_open: np.ndarray) -> np.ndarray:
    """Contacts left over from the previous interval when a live Erlang C queue overflows.

    Fluid: what arrives beyond the slots' capacity waits into the next
    interval; the queue is cleared at closing (agents finish it). Only runs
    that start at an overflowing interval are walked, so a well-staffed queue
    costs nothing.
    """
    carried = np.zeros(offered.shape)
    size = offered.size
    for begin in np.flatnonzero((offered > 0) & (offered >= capacity)):
        if carried[begin] > 0:
            continue  # already inside a walked run
        left = 0.0
        index = int(begin)
        while index < size and is_open[index]:
            carried[index] = left
            total = offered[index] + left
            if total < capacity[index]:
                break
            left = total - capacity[index]
            index += 1
    return carried


def _whole_slots(agents_net: np.ndarray, channel: Channel) -> np.ndarray:
    return np.floor(agents_net * channel.concurrency + _WHOLE_SLOT_SLACK)


# --- deferred queues -----------------------------------------------------------------------------------


def _deferred_capacity(volume: np.ndarray, is_open: np.ndarray, channel: Channel, config: Config) -> np.ndarray:
    """Agent-hours of handling planned per interval (the smoothest plan meeting the share in target)."""
    assert channel.service_level is not None
    work = volume * channel.aht_seconds / 3600
    groups = cohorts(work, is_open)
    planned = np.zeros(volume.shape)
    planned[groups.positions] = plan_capacity(
        groups.work, window_intervals(channel.target_hours, config.interval_minutes), channel.service_level
    )
    return planned


def _deferred_figures(
    agents_net: np.ndarray, volume: np.ndarray, is_open: np.ndarray, channel: Channel, config: Config
) -> dict:
    """FIFO figures of ``agents_net`` agents working at the occupancy cap while the queue is open."""
    interval_hours = config.interval_minutes / 60
    ticket_hours = channel.aht_seconds / 3600
    work = volume * ticket_hours
    capacity = np.where(is_open, agents_net * interval_hours * config.max_occupancy, 0.0)
    groups = cohorts(work, is_open)
    window = window_intervals(channel.target_hours, config.interval_minutes)
    figures = evaluate_capacity(groups.work, groups.own, capacity[groups.positions], window)

    level = np.ones(volume.shape)
    asa = np.zeros(volume.shape)
    offered = np.zeros(volume.shape)
    answered = np.zeros(volume.shape)
    done = np.zeros(volume.shape)
    if groups.positions.size:
        level[groups.positions] = figures.share_in_target
        asa[groups.positions] = figures.mean_wait * config.interval_minutes * 60
        offered[groups.positions] = groups.work / ticket_hours
        answered[groups.positions] = np.diff(figures.done, prepend=0.0)
        latest = np.searchsorted(groups.positions, np.arange(volume.size), side="right") - 1
        done = np.where(latest >= 0, figures.done[np.maximum(latest, 0)], 0.0)
    backlog = np.clip((np.cumsum(work) - done) / ticket_hours, 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(agents_net > 0, answered / (agents_net * interval_hours), 0.0)
    return {
        "service_level": level,
        "asa_seconds": asa,
        "abandon_rate": np.zeros(volume.shape),
        "backlog": backlog,
        "occupancy": np.clip(busy, 0.0, 1.0),
        "offered": offered,
    }


# --- the two directions --------------------------------------------------------------------------------


def _check_forecast(forecast: pd.DataFrame, config: Config, volume_column: str) -> None:
    missing = [column for column in ("ds", "queue", volume_column) if column not in forecast.columns]
    if missing:
        raise InputError(f"forecast is missing column(s) {missing}")
    unknown = sorted(set(forecast["queue"].unique()) - set(config.queue_names))
    if unknown:
        raise InputError(f"forecast has queue(s) {unknown} with no [channels.<name>] in {config.path}")
    volumes = forecast[volume_column].to_numpy(dtype=float)
    if np.isnan(volumes).any() or np.isinf(volumes).any() or (volumes < 0).any():
        raise InputError(f"forecast has missing or negative {volume_column} values")


def compute_requirements(forecast: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Agents needed per queue and interval, with the figures a lead checks.

    Args:
        forecast: the forecast contract (``ds, queue, yhat, ...``), one
            contiguous interval grid per queue.
        config: channels, interval length, shrinkage and occupancy cap.

    Returns:
        The requirements contract (:data:`REQUIREMENT_COLUMNS`), sorted by
        queue, ds; every number finite.

    Raises:
        InputError: a queue in the forecast has no channel in the config, a
            forecast value is negative or missing, or no staffing up to
            100,000 slots meets a live target.
    """
    _check_forecast(forecast, config, "yhat")
    frames: list[pd.DataFrame] = []
    for queue, part in forecast.sort_values(["queue", "ds"]).groupby("queue", sort=True):
        channel = config.channel(str(queue))
        volume = part["yhat"].to_numpy(dtype=float)
        is_open = open_mask(part["ds"], channel, config.timezone)
        interval_hours = config.interval_minutes / 60
        if channel.live:
            traffic = _live_traffic(volume, is_open, channel, config)
            # Slots are what Erlang counts; an agent offers `concurrency` of them. Net agents stay
            # fractional like shrinkage makes them (a time average on the queue), so the requirement
            # asks for exactly the slots that meet the target, as the evaluation counts them back
            # (whole slots of scheduled x (1 - shrinkage) x concurrency): a queue needing one slot of
            # a two-chat agent needs half a net agent, not a whole one.
            agents_net = _live_slots_needed(traffic, channel, config).astype(float) / channel.concurrency
            figures = _live_figures(agents_net * channel.concurrency, volume, is_open, channel, config)
            workload = traffic * interval_hours / channel.concurrency
            aht = channel.handle_seconds
        else:
            workload = _deferred_capacity(volume, is_open, channel, config)
            # Shared, shiftable work: hundredths of an agent rounded up (after removing float noise),
            # so a queue with two hours of work a day does not need a whole agent all day.
            agents_net = np.ceil(np.round(workload / (interval_hours * config.max_occupancy) * 100, 6)) / 100
            figures = _deferred_figures(agents_net, volume, is_open, channel, config)
            aht = channel.aht_seconds
        agents_net = np.where(is_open, agents_net, 0.0)
        frames.append(
            pd.DataFrame(
                {
                    "ds": pd.to_datetime(part["ds"], utc=True).array,
                    "queue": str(queue),
                    "volume": volume,
                    "aht_seconds": float(aht),
                    "workload_hours": workload,
                    "agents_net": agents_net,
                    **{column: figures[column] for column in FIGURE_COLUMNS},
                    "max_occupancy": config.max_occupancy,
                    "shrinkage": config.shrinkage,
                    "agents_required": agents_net / (1.0 - config.shrinkage),
                    "open": is_open,
                }
            )
        )
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(REQUIREMENT_COLUMNS))
    result["ds"] = pd.to_datetime(result["ds"], utc=True)
    return result.loc[:, list(REQUIREMENT_COLUMNS)]


def evaluate_staffing(
    demand: pd.DataFrame, staffing: pd.DataFrame, config: Config, *, agents_column: str = "agents_scheduled"
) -> pd.DataFrame:
    """Predicted service level, ASA, abandonment and backlog of a given staffing.

    Args:
        demand: contacts per queue and interval: a forecast (``ds, queue, yhat``)
            or requirements (``ds, queue, volume``).
        staffing: ``ds, queue`` and ``agents_column``: paid agents on the queue
            in the interval (e.g. :func:`scheduler.coverage.scheduled_agents`
            of a roster, or requirements with ``agents_column="agents_required"``).
            Intervals without a row have nobody.
        config: the models, shrinkage and occupancy cap.

    Returns:
        :data:`EVALUATION_COLUMNS`, sorted by queue, ds. ``offered`` counts the
        contacts the row's service level refers to (deferred: the tickets whose
        response clock starts in the interval), so shares aggregate as
        ``sum(offered x service_level) / sum(offered)``.

    Raises:
        InputError: missing columns, unknown queues, negative or missing numbers.
    """
    volume_column = "yhat" if "yhat" in demand.columns else "volume"
    _check_forecast(demand, config, volume_column)
    missing = [column for column in ("ds", "queue", agents_column) if column not in staffing.columns]
    if missing:
        raise InputError(f"staffing is missing column(s) {missing}")
    agents = pd.to_numeric(staffing[agents_column], errors="coerce").to_numpy(dtype=float)
    if np.isnan(agents).any() or np.isinf(agents).any() or (agents < 0).any():
        raise InputError(f"staffing has missing or negative {agents_column} values")
    on_queue = (
        staffing.assign(ds=pd.to_datetime(staffing["ds"], utc=True), _agents=agents)
        .groupby(["queue", "ds"])["_agents"]
        .sum()
    )

    frames: list[pd.DataFrame] = []
    for queue, part in demand.sort_values(["queue", "ds"]).groupby("queue", sort=True):
        channel = config.channel(str(queue))
        ds = pd.to_datetime(part["ds"], utc=True)
        volume = part[volume_column].to_numpy(dtype=float)
        is_open = open_mask(ds, channel, config.timezone)
        index = pd.MultiIndex.from_arrays([np.full(len(ds), str(queue)), ds])
        scheduled = on_queue.reindex(index, fill_value=0.0).to_numpy(dtype=float)
        agents_net = scheduled * (1.0 - config.shrinkage)
        if channel.live:
            figures = _live_figures(_whole_slots(agents_net, channel), volume, is_open, channel, config)
            figures["offered"] = np.where(is_open, volume, 0.0)
        else:
            figures = _deferred_figures(np.where(is_open, agents_net, 0.0), volume, is_open, channel, config)
        frames.append(
            pd.DataFrame(
                {
                    "ds": ds.array,
                    "queue": str(queue),
                    "volume": volume,
                    "offered": figures["offered"],
                    "agents_scheduled": scheduled,
                    "agents_net": agents_net,
                    **{column: figures[column] for column in FIGURE_COLUMNS},
                    "open": is_open,
                }
            )
        )
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(EVALUATION_COLUMNS))
    result["ds"] = pd.to_datetime(result["ds"], utc=True)
    return result.loc[:, list(EVALUATION_COLUMNS)]


def summarize_evaluation(evaluation: pd.DataFrame) -> pd.DataFrame:
    """Per queue: offered-weighted service level, ASA and abandonment, peak backlog.

    Returns:
        ``queue, offered, service_level, asa_seconds, abandon_rate, max_backlog``, sorted by queue.
    """
    rows = []
    for queue, part in evaluation.groupby("queue", sort=True):
        weight = part["offered"].to_numpy(dtype=float)
        total = float(weight.sum())

        def weighted(
            column: str, empty: float, values: pd.DataFrame = part, weights: np.ndarray = weight, total: float = total
        ) -> float:
            return float((values[column].to_numpy(dtype=float) * weights).sum() / total) if total > 0 else empty

        rows.append(
            {
                "queue": str(queue),
                "offered": total,
                "service_level": weighted("service_level", 1.0),
                "asa_seconds": weighted("asa_seconds", 0.0),
                "abandon_rate": weighted("abandon_rate", 0.0),
                "max_backlog": float(part["backlog"].max()) if len(part) else 0.0,
            }
        )
    columns = ["queue", "offered", "service_level", "asa_seconds", "abandon_rate", "max_backlog"]
    return pd.DataFrame(rows, columns=columns)
