"""The roster as feeds see it: agents, shifts grouped from roster rows, feed file names.

The roster contract (``ROSTER_COLUMNS``) is validated here, where the table
enters the calendars stage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from calendars.errors import InputError
from calendars.ics import FIRST_YEAR, LAST_YEAR
from calendars.vtimezone import load_zone

__all__ = [
    "ROSTER_COLUMNS",
    "TEAM_FEED_NAME",
    "WORK",
    "FeedAgent",
    "FeedBlock",
    "FeedShift",
    "roster_shifts",
    "roster_days",
    "agents_by_id",
    "check_known_agents",
    "feed_file_name",
]

ROSTER_COLUMNS = ("agent_id", "queue", "activity", "start", "end", "shift_id")
TEAM_FEED_NAME = "team"
WORK = "work"

_SAFE_ID = re.compile(r"[A-Za-z0-9_-]+")
# Device names Windows refuses as file names, with any extension.
_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedAgent:
    """The person a feed is for: ``agent_id`` names the file, ``name`` the calendar."""

    agent_id: str
    name: str
    email: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedBlock:
    """One contiguous roster row inside a shift (a queue served, or a break)."""

    label: str
    start: datetime  # UTC
    end: datetime  # UTC


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedShift:
    """One shift as it appears in a feed: roster rows grouped by ``shift_id``."""

    shift_id: str
    agent_id: str
    start: datetime  # UTC, earliest block start
    end: datetime  # UTC, latest block end
    queues: tuple[str, ...]  # work queues in order of first appearance
    blocks: tuple[FeedBlock, ...]  # sorted by start
    activities: tuple[str, ...] = ()  # non-work activities (lunch, break, ...) in order of first appearance


def roster_shifts(roster: pd.DataFrame, source: str | None = None) -> tuple[FeedShift, ...]:
    """Group roster rows into shifts, validating the roster contract on the way.

    Rows with ``activity`` other than ``work`` (``lunch``, ``break``, ...) are
    part of their shift: they extend it like any block and are listed in its
    description, but give it no queue.

    Args:
        roster: DataFrame with ``ROSTER_COLUMNS``; ``start``/``end`` tz-aware.
        source: the file the roster was read from, in its original row order:
            errors then name it and its spreadsheet row (the header is row 1).

    Returns:
        Shifts sorted by start, then shift id.

    Raises:
        InputError: missing columns, naive timestamps, a block that ends before
            it starts or lies outside the years 1900-2200, or a ``shift_id``
            shared by two agents.
    """
    name = "roster" if source is None else f"roster {source}"
    first_row = 1 if source is None else 2
    missing = [c for c in ROSTER_COLUMNS if c not in roster.columns]
    if missing:
        raise InputError(f"missing columns {missing} in {name} (expected {list(ROSTER_COLUMNS)})")
    if roster.empty:
        return ()  # an empty frame often loses its datetime dtype on the way; nothing to misread
    for col in ("start", "end"):
        if not isinstance(roster[col].dtype, pd.DatetimeTZDtype):
            raise InputError(
                f"{name} column {col!r} must hold timezone-aware timestamps, got dtype {roster[col].dtype}"
            )
    rows: dict[str, list[tuple[datetime, datetime, str, str, str]]] = {}
    starts = roster["start"].dt.tz_convert("UTC")
    ends = roster["end"].dt.tz_convert("UTC")
    for pos, (agent_id, queue, activity, shift_id, start, end) in enumerate(
        zip(roster["agent_id"], roster["queue"], roster["activity"], roster["shift_id"], starts, ends, strict=True)
    ):
        where = f"{name} row {pos + first_row} (shift {shift_id!r})"
        if pd.isna(start) or pd.isna(end):
            raise InputError(f"{where}: start and end are required")
        if end <= start:
            raise InputError(f"{where}: end {end.isoformat()} is not after start {start.isoformat()}")
        if not (FIRST_YEAR <= start.year and end.year <= LAST_YEAR):
            raise InputError(
                f"{where}: {start:%Y-%m-%d} to {end:%Y-%m-%d} is outside the years {FIRST_YEAR}-{LAST_YEAR}"
            )
        if pd.isna(shift_id) or not str(shift_id).strip():
            raise InputError(f"{name} row {pos + first_row}: shift_id is empty")
        queue_s = "" if pd.isna(queue) else str(queue).strip()
        activity_s = WORK if pd.isna(activity) or not str(activity).strip() else str(activity).strip()
        rows.setdefault(str(shift_id), []).append(
            (start.to_pydatetime(), end.to_pydatetime(), str(agent_id), queue_s, activity_s)
        )
    shifts = []
    for shift_id, blocks in rows.items():
        agent_ids = sorted({b[2] for b in blocks})
        if len(agent_ids) != 1:
            raise InputError(f"{name}: shift {shift_id!r} belongs to several agents {agent_ids}")
        blocks.sort()
        queues: list[str] = []
        activities: list[str] = []
        for _, _, _, queue, activity in blocks:
            if activity == WORK and queue and queue not in queues:
                queues.append(queue)
            if activity != WORK and activity not in activities:
                activities.append(activity)
        shifts.append(
            FeedShift(
                shift_id=shift_id,
                agent_id=agent_ids[0],
                start=blocks[0][0],
                end=max(b[1] for b in blocks),
                queues=tuple(queues),
                activities=tuple(activities),
                blocks=tuple(
                    FeedBlock(label=(q if a == WORK and q else a), start=s, end=e) for s, e, _, q, a in blocks
                ),
            )
        )
    return tuple(sorted(shifts, key=lambda s: (s.start, s.shift_id)))


def roster_days(roster: pd.DataFrame, tz: str) -> tuple[date, date] | None:
    """First and last local day on which a shift of ``roster`` starts; None if empty.

    ``export`` without ``--week`` takes these as the days the roster plans.
    """
    shifts = roster_shifts(roster)
    if not shifts:
        return None
    zone = load_zone(tz)
    days = [s.start.astimezone(zone).date() for s in shifts]
    return min(days), max(days)


def agents_by_id(agents: Sequence[FeedAgent]) -> dict[str, FeedAgent]:
    by_id: dict[str, FeedAgent] = {}
    folded: dict[str, str] = {}
    for agent in agents:
        feed_file_name(agent.agent_id)  # refuse unsafe ids before anything is written
        if agent.agent_id in by_id:
            raise InputError(f"agent {agent.agent_id!r} is listed twice")
        # Case-insensitive file systems (macOS, Windows) would merge these files.
        other = folded.get(agent.agent_id.casefold())
        if other is not None:
            raise InputError(
                f"agent ids {other!r} and {agent.agent_id!r} differ only in case; their feed files would collide"
            )
        folded[agent.agent_id.casefold()] = agent.agent_id
        by_id[agent.agent_id] = agent
    return by_id


def check_known_agents(shifts: Sequence[FeedShift], by_id: dict[str, FeedAgent]) -> None:
    unknown = sorted({s.agent_id for s in shifts} - set(by_id))
    if unknown:
        raise InputError(f"roster has shifts for agents not in the team: {unknown}")


def feed_file_name(agent_id: str) -> str:
    """The feed's file name for an agent id, refusing anything that is not a plain id.

    Ids are validated upstream to ``[A-Za-z0-9_-]+``; this is the last guard
    against path traversal (``../x``), against overwriting ``team.ics`` and
    against names Windows cannot store (``con``, ``nul``, ``com1``, ...).

    Raises:
        InputError: the id is empty, has other characters, is ``team`` or a
            reserved device name.
    """
    if not _SAFE_ID.fullmatch(agent_id or ""):
        raise InputError(f"agent id {agent_id!r} cannot name a feed file: use only letters, digits, '-' and '_'")
    if agent_id.casefold() == TEAM_FEED_NAME:
        raise InputError(f"agent id {agent_id!r} would overwrite the team feed {TEAM_FEED_NAME}.ics: rename the agent")
    if agent_id.casefold() in _RESERVED_NAMES:
        raise InputError(
            f"agent id {agent_id!r} is a reserved device name on Windows and cannot name a file: rename the agent"
        )
    return f"{agent_id}.ics"
