"""Language and topic gaps: a routed queue open with contacts and nobody on it who speaks its language.

The roster only puts agents on queues whose languages and topics they have
(:mod:`scheduler.team`), so a small language queue whose few speakers are off
is simply empty. Such hours are listed with the action that would close them,
never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduler.team import Team

GAP_COLUMNS = ("queue", "start", "end", "intervals", "volume", "speakers", "action")
"""One row per run of consecutive open intervals of a routed queue with contacts and nobody on it."""


def language_gaps(
    coverage: pd.DataFrame, requirements: pd.DataFrame, team: Team, tz: str, roster: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Runs of open intervals where a routed queue (``email/es+pt``) expects contacts and nobody serves it.

    Args:
        coverage: ``ds, queue, agents_scheduled`` (:func:`scheduler.coverage.scheduled_agents`).
        requirements: ``ds, queue, volume, open``.
        team: the agents, with the queues they may serve.
        tz: the team's timezone (for the action text).
        roster: the roster, to say which speakers work another queue then and which are off.

    Returns:
        :data:`GAP_COLUMNS`, sorted by queue and start; ``start``/``end`` UTC.
    """
    routed = requirements[requirements["queue"].astype(str).str.contains("/", regex=False)]
    if routed.empty:
        return pd.DataFrame(columns=list(GAP_COLUMNS))
    merged = routed.loc[:, ["ds", "queue", "volume", "open"]].merge(
        coverage.loc[:, ["ds", "queue", "agents_scheduled"]], on=["ds", "queue"], how="left"
    )
    merged["agents_scheduled"] = merged["agents_scheduled"].fillna(0.0)
    is_open = merged["open"].astype(str).str.lower().isin(("true", "1"))
    merged["gap"] = is_open & (merged["volume"] > 0) & (merged["agents_scheduled"] < 1e-9)
    work = _work_rows(roster)
    rows = []
    for queue, part in merged.sort_values(["queue", "ds"]).groupby("queue", sort=True):
        part = part.reset_index(drop=True)
        step = part["ds"].diff().min() if len(part) > 1 else pd.Timedelta(minutes=30)
        run = (part["gap"] != part["gap"].shift()).cumsum()
        speakers = tuple(agent.id for agent in team.agents if queue in agent.channels)
        shifts = _speaker_work(work, speakers)
        for _, block in part[part["gap"]].groupby(run[part["gap"]]):
            start, end = block["ds"].iloc[0], block["ds"].iloc[-1] + step
            rows.append(
                {
                    "queue": str(queue),
                    "start": start,
                    "end": end,
                    "intervals": len(block),
                    "volume": float(block["volume"].sum()),
                    "speakers": ", ".join(speakers),
                    "action": _action(str(queue), start, end, speakers, _busy(shifts, start, end), tz),
                }
            )
    return pd.DataFrame(rows, columns=list(GAP_COLUMNS))


def _work_rows(roster: pd.DataFrame | None) -> pd.DataFrame | None:
    """The roster's work rows with ``start``/``end`` parsed once (UTC), for :func:`_busy` on every gap."""
    if roster is None or roster.empty:
        return None
    rows = roster[roster["activity"] == "work"]
    return rows.assign(start=pd.to_datetime(rows["start"], utc=True), end=pd.to_datetime(rows["end"], utc=True))


@dataclass(frozen=True, slots=True)
class SpeakerWork:
    """The work rows of one queue's speakers as arrays (UTC nanoseconds), for :func:`_busy` on each gap."""

    agents: np.ndarray
    queues: np.ndarray
    starts: np.ndarray
    ends: np.ndarray


def _speaker_work(work: pd.DataFrame | None, speakers: tuple[str, ...]) -> SpeakerWork | None:
    """``work``'s rows of ``speakers``, once per queue rather than filtered again for every gap."""
    if work is None:
        return None
    rows = work[work["agent_id"].isin(speakers)]
    return SpeakerWork(
        agents=rows["agent_id"].astype(str).to_numpy(),
        queues=rows["queue"].astype(str).to_numpy(),
        starts=rows["start"].to_numpy(dtype="datetime64[ns]").astype(np.int64),
        ends=rows["end"].to_numpy(dtype="datetime64[ns]").astype(np.int64),
    )


def _busy(work: SpeakerWork | None, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, str]:
    """Speakers working during [start, end) and the queue they mostly serve then (ties: the first by name)."""
    if work is None:
        return {}
    overlap = np.minimum(work.ends, end.value) - np.maximum(work.starts, start.value)
    totals: dict[str, dict[str, int]] = {}
    for i in np.flatnonzero(overlap > 0).tolist():
        per_queue = totals.setdefault(str(work.agents[i]), {})
        queue = str(work.queues[i])
        per_queue[queue] = per_queue.get(queue, 0) + int(overlap[i])
    busy = {}
    for agent in sorted(totals):
        per_queue = totals[agent]
        busy[agent] = max(sorted(per_queue), key=lambda queue: per_queue[queue])  # max keeps the first of equals
    return busy


def _action(
    queue: str, start: pd.Timestamp, end: pd.Timestamp, speakers: tuple[str, ...], busy: dict[str, str], tz: str
) -> str:
    channel, *parts = queue.split("/")
    needed = " and ".join(part.replace("+", "/") for part in parts)
    local_start, local_end = start.tz_convert(tz), end.tz_convert(tz)
    when = f"{local_start:%a %d %b %H:%M}-{local_end:%H:%M}"
    if not speakers:
        return (
            f"nobody in the team serves {queue}: hire or cross-train a {needed} speaker for {channel}, "
            f"or route {queue} to another queue"
        )
    off = [agent for agent in speakers if agent not in busy]
    parts = []
    if busy:
        on = ", ".join(f"{agent} on {busy[agent]}" for agent in sorted(busy))
        parts.append(f"the {needed} speakers working then are needed elsewhere ({on}): more {needed} hours are needed")
    if off:
        parts.append(f"add or move a shift of {', '.join(off)} (off then) or widen their availability")
    parts.append(f"or hire / cross-train a {needed} speaker")
    return f"{when}: " + "; ".join(parts)
