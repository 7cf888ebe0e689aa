"""Roster feeds: one subscribable ``.ics`` per agent plus a team feed.

The iCalendar text is written here by hand rather than through icalendar's
serializer: the bytes are the product (clients drop a whole feed over one bad
fold), and icalendar 7 gets several of them wrong for feeds (untyped
``NAME``/``X-WR-CALNAME``, ``X-PUBLISHED-TTL`` as ``12:00:00``, VTIMEZONE as
RDATE lists). Tests parse every feed back with icalendar to check it.

Output is deterministic: events sorted by start then UID, UIDs derived from
``shift_id``, DTSTAMP/LAST-MODIFIED from ``generated_at`` (never the clock),
so an unchanged shift stays byte-identical between runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from calendars.errors import InputError
from calendars.files import write_bytes_atomic
from calendars.vtimezone import load_zone, vtimezone_lines

__all__ = [
    "ROSTER_COLUMNS",
    "PRODID",
    "FeedAgent",
    "FeedShift",
    "roster_shifts",
    "render_agent_feed",
    "render_team_feed",
    "write_feeds",
    "feed_file_name",
    "escape_text",
    "fold_line",
]

ROSTER_COLUMNS = ("agent_id", "queue", "activity", "start", "end", "shift_id")
PRODID = "-//peakplan//peakplan 0.1//EN"
UID_DOMAIN = "peakplan"
TEAM_FEED_NAME = "team"
# Clients that honour these re-poll twice a day; Google ignores both (NOTES.md).
REFRESH = "PT12H"

_SAFE_ID = re.compile(r"[A-Za-z0-9_-]+")
_MAX_OCTETS = 75


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


# --------------------------------------------------------------------------- input


def roster_shifts(roster: pd.DataFrame) -> tuple[FeedShift, ...]:
    """Group roster rows into shifts, validating the roster contract on the way.

    Args:
        roster: DataFrame with ``ROSTER_COLUMNS``; ``start``/``end`` tz-aware.

    Returns:
        Shifts sorted by start, then shift id.

    Raises:
        InputError: missing columns, naive timestamps, a block that ends before
            it starts, or a ``shift_id`` shared by two agents.
    """
    missing = [c for c in ROSTER_COLUMNS if c not in roster.columns]
    if missing:
        raise InputError(f"missing columns {missing} in roster (expected {list(ROSTER_COLUMNS)})")
    if roster.empty:
        return ()  # an empty frame often loses its datetime dtype on the way; nothing to misread
    for col in ("start", "end"):
        if not isinstance(roster[col].dtype, pd.DatetimeTZDtype):
            raise InputError(
                f"roster column {col!r} must hold timezone-aware timestamps, got dtype {roster[col].dtype}"
            )
    rows: dict[str, list[tuple[datetime, datetime, str, str, str]]] = {}
    starts = roster["start"].dt.tz_convert("UTC")
    ends = roster["end"].dt.tz_convert("UTC")
    for pos, (agent_id, queue, activity, shift_id, start, end) in enumerate(
        zip(roster["agent_id"], roster["queue"], roster["activity"], roster["shift_id"], starts, ends, strict=True)
    ):
        where = f"roster row {pos + 1} (shift {shift_id!r})"
        if pd.isna(start) or pd.isna(end):
            raise InputError(f"{where}: start and end are required")
        if end <= start:
            raise InputError(f"{where}: end {end.isoformat()} is not after start {start.isoformat()}")
        queue_s = "" if pd.isna(queue) else str(queue)
        activity_s = "work" if pd.isna(activity) or str(activity) == "" else str(activity)
        rows.setdefault(str(shift_id), []).append(
            (start.to_pydatetime(), end.to_pydatetime(), str(agent_id), queue_s, activity_s)
        )
    shifts = []
    for shift_id, blocks in rows.items():
        agent_ids = sorted({b[2] for b in blocks})
        if len(agent_ids) != 1:
            raise InputError(f"roster shift {shift_id!r} belongs to several agents {agent_ids}")
        blocks.sort()
        queues: list[str] = []
        for _, _, _, queue, activity in blocks:
            if activity == "work" and queue and queue not in queues:
                queues.append(queue)
        shifts.append(
            FeedShift(
                shift_id=shift_id,
                agent_id=agent_ids[0],
                start=min(b[0] for b in blocks),
                end=max(b[1] for b in blocks),
                queues=tuple(queues),
                blocks=tuple(
                    FeedBlock(label=(q if a == "work" and q else a), start=s, end=e) for s, e, _, q, a in blocks
                ),
            )
        )
    return tuple(sorted(shifts, key=lambda s: (s.start, s.shift_id)))


# ------------------------------------------------------------------ text encoding


def escape_text(value: str) -> str:
    """RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold_line(line: str) -> bytes:
    """Encode one content line as UTF-8 folded at 75 octets, with CRLF endings.

    Continuation lines start with a space that counts toward their 75 octets.
    A fold never splits a multi-byte character (Google rejects such feeds).
    """
    out: list[bytes] = []
    current = bytearray()
    limit = _MAX_OCTETS
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            out.append(bytes(current))
            current = bytearray(b" ")
            limit = _MAX_OCTETS
        current += encoded
    out.append(bytes(current))
    return b"".join(part + b"\r\n" for part in out)


def _utc_stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _date_time_property(name: str, instant: datetime, tzid: str, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    if local.fold:
        # The second occurrence of a repeated wall-clock hour cannot be written
        # with TZID (RFC 5545 resolves it to the first); UTC keeps it exact and
        # still is not a floating time.
        return f"{name}:{_utc_stamp(instant)}"
    return f"{name};TZID={tzid}:{local:%Y%m%dT%H%M%S}"


def _local_hhmm(instant: datetime, zone: ZoneInfo) -> str:
    return f"{instant.astimezone(zone):%H:%M}"


# ---------------------------------------------------------------------- rendering


@dataclass(frozen=True, slots=True, kw_only=True)
class _EventText:
    uid: str
    start: datetime
    lines: tuple[str, ...]


def _event(
    shift: FeedShift, *, summary: str, uid: str, tzid: str, zone: ZoneInfo, stamp: str
) -> _EventText:
    description = "\n".join(
        f"{_local_hhmm(b.start, zone)}–{_local_hhmm(b.end, zone)} {b.label}" for b in shift.blocks
    )
    lines = (
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{stamp}",
        "SEQUENCE:0",
        _date_time_property("DTSTART", shift.start, tzid, zone),
        _date_time_property("DTEND", shift.end, tzid, zone),
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    )
    return _EventText(uid=uid, start=shift.start, lines=lines)


def _calendar_bytes(
    *, cal_name: str, tzid: str, events: Iterable[_EventText], span: tuple[datetime, datetime]
) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(cal_name)}",
        f"X-WR-CALNAME:{escape_text(cal_name)}",
        f"X-WR-TIMEZONE:{escape_text(tzid)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    # Always written, even for an empty feed: X-WR-TIMEZONE names the zone and
    # clients adding events later expect its definition.
    lines += vtimezone_lines(tzid, span[0], span[1])
    for event in sorted(events, key=lambda e: (e.start, e.uid)):
        lines += event.lines
    lines.append("END:VCALENDAR")
    return b"".join(fold_line(line) for line in lines)


def _check_inputs(tz: str, generated_at: datetime) -> ZoneInfo:
    zone = load_zone(tz)
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise InputError(
            f"generated_at {generated_at.isoformat()} has no time zone: give it with an offset, e.g. ...T09:00:00+03:00"
        )
    return zone


def _span(shifts: Sequence[FeedShift], generated_at: datetime) -> tuple[datetime, datetime]:
    if not shifts:
        return generated_at, generated_at
    return min(s.start for s in shifts), max(s.end for s in shifts)


def render_agent_feed(
    roster: pd.DataFrame,
    agent: FeedAgent,
    *,
    tz: str,
    team_name: str,
    generated_at: datetime,
) -> bytes:
    """Render one agent's feed: a VEVENT per shift of ``agent`` in ``roster``.

    Args:
        roster: the roster table (``ROSTER_COLUMNS``); other agents' rows are ignored.
        agent: whose feed this is.
        tz: team time zone (IANA); events carry ``TZID=<tz>`` local times.
        team_name: used in the calendar name.
        generated_at: tz-aware run timestamp, written as DTSTAMP/LAST-MODIFIED.

    Returns:
        The ``.ics`` bytes (UTF-8, CRLF, folded). An agent with no shifts gets a
        valid calendar without events.

    Raises:
        InputError: invalid roster, unknown zone or naive ``generated_at``.
    """
    zone = _check_inputs(tz, generated_at)
    shifts = [s for s in roster_shifts(roster) if s.agent_id == agent.agent_id]
    return _render_agent(shifts, agent, tz=tz, zone=zone, team_name=team_name, generated_at=generated_at)


def _render_agent(
    shifts: Sequence[FeedShift],
    agent: FeedAgent,
    *,
    tz: str,
    zone: ZoneInfo,
    team_name: str,
    generated_at: datetime,
) -> bytes:
    stamp = _utc_stamp(generated_at)
    events = [
        _event(
            s,
            summary="Shift: " + (", ".join(s.queues) or "work"),
            uid=f"{s.shift_id}@{UID_DOMAIN}",
            tzid=tz,
            zone=zone,
            stamp=stamp,
        )
        for s in shifts
    ]
    return _calendar_bytes(
        cal_name=f"{agent.name} — {team_name} shifts", tzid=tz, events=events, span=_span(shifts, generated_at)
    )


def render_team_feed(
    roster: pd.DataFrame,
    agents: Sequence[FeedAgent],
    *,
    tz: str,
    team_name: str,
    generated_at: datetime,
) -> bytes:
    """Render the team feed: every shift of every agent, titled with the agent's name.

    UIDs are ``<shift_id>-team@peakplan`` so that a person subscribed to both
    their own feed and the team feed does not see two calendars fight over one UID.

    Raises:
        InputError: invalid roster, a roster agent missing from ``agents``,
            duplicate agents, unknown zone or naive ``generated_at``.
    """
    zone = _check_inputs(tz, generated_at)
    by_id = _agents_by_id(agents)
    shifts = roster_shifts(roster)
    _check_known(shifts, by_id)
    return _render_team(shifts, by_id, tz=tz, zone=zone, team_name=team_name, generated_at=generated_at)


def _render_team(
    shifts: Sequence[FeedShift],
    by_id: dict[str, FeedAgent],
    *,
    tz: str,
    zone: ZoneInfo,
    team_name: str,
    generated_at: datetime,
) -> bytes:
    stamp = _utc_stamp(generated_at)
    events = [
        _event(
            s,
            summary=f"{by_id[s.agent_id].name}: " + (", ".join(s.queues) or "work"),
            uid=f"{s.shift_id}-team@{UID_DOMAIN}",
            tzid=tz,
            zone=zone,
            stamp=stamp,
        )
        for s in shifts
    ]
    return _calendar_bytes(
        cal_name=f"{team_name} — team shifts", tzid=tz, events=events, span=_span(shifts, generated_at)
    )


def _agents_by_id(agents: Sequence[FeedAgent]) -> dict[str, FeedAgent]:
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


def _check_known(shifts: Sequence[FeedShift], by_id: dict[str, FeedAgent]) -> None:
    unknown = sorted({s.agent_id for s in shifts} - set(by_id))
    if unknown:
        raise InputError(f"roster has shifts for agents not in the team: {unknown}")


def feed_file_name(agent_id: str) -> str:
    """The feed's file name for an agent id, refusing anything that is not a plain id.

    Ids are validated upstream to ``[A-Za-z0-9_-]+``; this is the last guard
    against path traversal (``../x``) and against overwriting ``team.ics``.

    Raises:
        InputError: the id is empty, has other characters, or is ``team``.
    """
    if not _SAFE_ID.fullmatch(agent_id or ""):
        raise InputError(
            f"agent id {agent_id!r} cannot name a feed file: use only letters, digits, '-' and '_'"
        )
    if agent_id.casefold() == TEAM_FEED_NAME:
        raise InputError(f"agent id {agent_id!r} would overwrite the team feed {TEAM_FEED_NAME}.ics: rename the agent")
    return f"{agent_id}.ics"


def write_feeds(
    roster: pd.DataFrame,
    agents: Sequence[FeedAgent],
    *,
    out_dir: str | Path,
    tz: str,
    team_name: str,
    generated_at: datetime,
) -> list[Path]:
    """Write ``<agent_id>.ics`` for every agent and ``team.ics`` into ``out_dir``.

    Everything is validated and rendered before the first file is written, so
    bad input leaves the folder untouched; each file is replaced atomically.
    Feeds of agents no longer in ``agents`` are left in place (not deleted).

    Returns:
        Paths written: agent feeds sorted by agent id, then the team feed.

    Raises:
        InputError: see :func:`render_team_feed`.
    """
    zone = _check_inputs(tz, generated_at)
    by_id = _agents_by_id(agents)
    shifts = roster_shifts(roster)
    _check_known(shifts, by_id)
    out = Path(out_dir)
    rendered: list[tuple[Path, bytes]] = []
    for agent_id in sorted(by_id):
        own = [s for s in shifts if s.agent_id == agent_id]
        data = _render_agent(
            own, by_id[agent_id], tz=tz, zone=zone, team_name=team_name, generated_at=generated_at
        )
        rendered.append((out / feed_file_name(agent_id), data))
    team = _render_team(shifts, by_id, tz=tz, zone=zone, team_name=team_name, generated_at=generated_at)
    rendered.append((out / f"{TEAM_FEED_NAME}.ics", team))
    for path, data in rendered:
        write_bytes_atomic(path, data)
    return [path for path, _ in rendered]

