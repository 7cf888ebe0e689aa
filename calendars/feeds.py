"""Roster feeds: one subscribable ``.ics`` per agent plus a team feed, and an index page.

The iCalendar text is written here by hand rather than through icalendar's
serializer: the bytes are the product (clients drop a whole feed over one bad
fold), and icalendar 7 gets several of them wrong for feeds (untyped
``NAME``/``X-WR-CALNAME``, ``X-PUBLISHED-TTL`` as ``12:00:00``, VTIMEZONE as
RDATE lists). Tests parse every feed back with icalendar, vobject and ical.

Stable updates (README, "Calendar feeds and publishing"): each feed is
rendered against the feed it replaces (the file already in the output folder,
or ``previous`` given explicitly, e.g. the events on a CalDAV server).

- An event whose content is unchanged keeps the previous DTSTAMP,
  LAST-MODIFIED and SEQUENCE, so its bytes are identical to the last run's,
  whatever ``generated_at`` is now. DTSTAMP therefore means "the run that
  last changed this event", the same instant as LAST-MODIFIED.
- A changed event gets DTSTAMP = LAST-MODIFIED = ``generated_at``; its
  SEQUENCE goes up by one only if its start, end or status changed (a new
  queue in the description is not a reschedule).
- A shift no longer in the roster is dropped (not sent as STATUS:CANCELLED:
  a client that ignores STATUS would show a cancelled shift as one to work).
- Events of the previous feed outside the days this roster plans (the
  ``horizon``) are carried over verbatim, so planning next week does not wipe
  the rest of this week, until they ended ``keep_days`` ago.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pandas as pd

from calendars.colors import CSS_COLORS
from calendars.errors import InputError
from calendars.files import write_bytes_atomic
from calendars.ics import ParsedEvent, event_fingerprint, own_properties, parse_line, read_calendar
from calendars.vtimezone import load_zone, vtimezone_lines

__all__ = [
    "ROSTER_COLUMNS",
    "PRODID",
    "DEFAULT_REFRESH",
    "DEFAULT_KEEP_DAYS",
    "FeedAgent",
    "FeedShift",
    "FeedOptions",
    "FeedChanges",
    "RenderedFeed",
    "FeedsResult",
    "roster_shifts",
    "roster_days",
    "render_agent_feed",
    "render_team_feed",
    "render_feeds",
    "write_feeds",
    "prepare_feeds",
    "PreparedFeeds",
    "read_previous_feeds",
    "feed_file_name",
    "escape_text",
    "fold_line",
    "check_refresh",
    "check_color",
    "check_base_url",
]

ROSTER_COLUMNS = ("agent_id", "queue", "activity", "start", "end", "shift_id")
PRODID = "-//peakplan//peakplan 0.1//EN"
UID_DOMAIN = "peakplan"
TEAM_FEED_NAME = "team"
INDEX_FILE = "index.html"
# Clients that honour these re-poll twice a day; Google ignores both (NOTES.md).
DEFAULT_REFRESH = "PT12H"
DEFAULT_KEEP_DAYS = 28
# Written by the writer itself; excluded when asking "did the content change?".
STAMP_PROPERTIES = ("DTSTAMP", "LAST-MODIFIED", "SEQUENCE")
# A change in any of these is a reschedule: SEQUENCE goes up.
SCHEDULE_PROPERTIES = ("DTSTART", "DTEND", "STATUS")
WORK = "work"

_SAFE_ID = re.compile(r"[A-Za-z0-9_-]+")
# Device names Windows refuses as file names, with any extension.
_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
_DURATION = re.compile(r"P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)")
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
    activities: tuple[str, ...] = ()  # non-work activities (lunch, break, ...) in order of first appearance


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedOptions:
    """Calendar-level settings (``[feeds]`` in the config).

    Args:
        refresh: how often clients should re-poll, an RFC 5545 duration
            (``REFRESH-INTERVAL`` and ``X-PUBLISHED-TTL``).
        color: a CSS3 colour keyword for ``COLOR`` (and Apple's hex form), or None.
        base_url: where the feed folder is served (``https://host/path/``);
            gives ``SOURCE`` in each feed and absolute links in ``index.html``.
        keep_days: how long events outside the planned days are carried over
            after they ended.
    """

    refresh: str = DEFAULT_REFRESH
    color: str | None = None
    base_url: str | None = None
    keep_days: int = DEFAULT_KEEP_DAYS

    def __post_init__(self) -> None:
        check_refresh(self.refresh)
        if self.color is not None:
            check_color(self.color)
        if self.base_url is not None:
            check_base_url(self.base_url)
        if self.keep_days < 0:
            raise InputError(f"keep_days must be 0 or more, got {self.keep_days}")


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedChanges:
    """What happened to each event (by UID) compared with the previous feed."""

    added: tuple[str, ...] = ()  # not in the previous feed
    rescheduled: tuple[str, ...] = ()  # start, end or status changed: SEQUENCE + 1
    changed: tuple[str, ...] = ()  # other content changed (description, summary)
    unchanged: tuple[str, ...] = ()  # byte-identical to the previous feed
    removed: tuple[str, ...] = ()  # in the planned days but no longer in the roster
    kept: tuple[str, ...] = ()  # outside the planned days: carried over verbatim
    expired: tuple[str, ...] = ()  # outside the planned days and ended over keep_days ago

    def summary(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.__dataclass_fields__}  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedFeed:
    """One feed file's bytes and its changes against the previous feed."""

    file_name: str
    agent_id: str | None  # None for the team feed
    data: bytes
    changes: FeedChanges = field(default_factory=FeedChanges)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedsResult:
    """What :func:`write_feeds` did."""

    feeds: tuple[RenderedFeed, ...]
    paths: tuple[Path, ...]  # every feed and the index, in writing order
    written: tuple[Path, ...]  # files whose bytes changed (others were left untouched)

    def totals(self) -> dict[str, int]:
        """Event counts over the agent feeds (the team feed repeats them)."""
        out: dict[str, int] = {}
        for feed in self.feeds:
            if feed.agent_id is None:
                continue
            for name, count in feed.changes.summary().items():
                out[name] = out.get(name, 0) + count
        return out


# ----------------------------------------------------------------------- options


def check_refresh(value: str) -> timedelta:
    """Validate an RFC 5545 duration such as ``PT12H`` or ``P1D`` (positive).

    Raises:
        InputError: not such a duration, or zero.
    """
    match = _DURATION.fullmatch(value or "")
    if not match or value in ("P", "PT") or value.endswith("T"):
        raise InputError(f"refresh {value!r} is not an iCalendar duration like PT12H, PT30M or P1D")
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    length = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    if length <= timedelta(0):
        raise InputError(f"refresh {value!r} must be longer than zero")
    return length


def check_color(value: str) -> str:
    """Validate a CSS3 colour keyword (RFC 7986 ``COLOR``); returns it lower-cased.

    Raises:
        InputError: not a CSS3 colour name (``#hex`` is not allowed by RFC 7986).
    """
    name = (value or "").strip().lower()
    if name not in CSS_COLORS:
        raise InputError(
            f"color {value!r} is not a CSS3 colour name (RFC 7986 COLOR takes names such as "
            "'steelblue', 'darkorange', 'seagreen'; not #hex)"
        )
    return name


def check_base_url(value: str) -> str:
    """Validate the URL of the served feed folder; returns it ending in ``/``.

    Raises:
        InputError: not an absolute http(s) URL, or it has a query, fragment or password.
    """
    parts = urlsplit(value or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"base_url {value!r} must be an absolute http(s) URL such as https://example.com/feeds/")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InputError(f"base_url {value!r} must not carry a query, a fragment or credentials")
    if any(ch in value for ch in ' "<>\\^`{|}'):
        raise InputError(f"base_url {value!r} has characters that must be percent-encoded")
    return value if value.endswith("/") else value + "/"


# --------------------------------------------------------------------------- input


def roster_shifts(roster: pd.DataFrame) -> tuple[FeedShift, ...]:
    """Group roster rows into shifts, validating the roster contract on the way.

    Rows with ``activity`` other than ``work`` (``lunch``, ``break``, ...) are
    part of their shift: they extend it like any block and are listed in its
    description, but give it no queue.

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
        if pd.isna(shift_id) or not str(shift_id).strip():
            raise InputError(f"roster row {pos + 1}: shift_id is empty")
        queue_s = "" if pd.isna(queue) else str(queue).strip()
        activity_s = WORK if pd.isna(activity) or not str(activity).strip() else str(activity).strip()
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
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > _MAX_OCTETS:
            out.append(bytes(current))
            current = bytearray(b" ")
        current += encoded
    out.append(bytes(current))
    return b"".join(part + b"\r\n" for part in out)


def _utc_stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


_UTC_STAMP = re.compile(r"\d{8}T\d{6}Z")


def _date_time_property(name: str, instant: datetime, tzid: str, zone: ZoneInfo, *, utc: bool = False) -> str:
    if utc:
        return f"{name}:{_utc_stamp(instant)}"
    return f"{name};TZID={tzid}:{instant.astimezone(zone):%Y%m%dT%H%M%S}"


def _needs_utc(start: datetime, end: datetime, zone: ZoneInfo) -> bool:
    """Whether a shift must be written with UTC times.

    The second occurrence of a repeated wall-clock hour cannot be written with
    TZID (RFC 5545 resolves it to the first). Then both ends go out in UTC:
    with only one end in UTC, recurring-ical-events (and clients that subtract
    wall-clock times) got the length wrong by the DST hour.
    """
    return bool(start.astimezone(zone).fold or end.astimezone(zone).fold)


def _local_hhmm(instant: datetime, zone: ZoneInfo) -> str:
    return f"{instant.astimezone(zone):%H:%M}"


# ---------------------------------------------------------------------- rendering

@dataclass(frozen=True, slots=True, kw_only=True)
class _Draft:
    """A new event before its DTSTAMP, LAST-MODIFIED and SEQUENCE are known."""

    uid: str
    start: datetime  # UTC
    end: datetime  # UTC
    body: tuple[str, ...]  # DTSTART ... TRANSP

    def lines(self, *, dtstamp: str, last_modified: str, sequence: int) -> tuple[str, ...]:
        return (
            "BEGIN:VEVENT",
            f"UID:{escape_text(self.uid)}",
            f"DTSTAMP:{dtstamp}",
            f"LAST-MODIFIED:{last_modified}",
            f"SEQUENCE:{sequence}",
            *self.body,
            "END:VEVENT",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Final:
    uid: str
    start: datetime | None
    end: datetime | None
    lines: tuple[str, ...]
    tzids: frozenset[str]


def _draft(shift: FeedShift, *, summary: str, uid: str, tzid: str, zone: ZoneInfo) -> _Draft:
    # Breaks and lunch are lines of the description, not events of their own:
    # an overlapping event would halve the shift's width in day views, count
    # as a second busy block and churn its own UID whenever the solver moves it.
    description = "\n".join(
        f"{_local_hhmm(b.start, zone)}–{_local_hhmm(b.end, zone)} {b.label}" for b in shift.blocks
    )
    body = (
        _date_time_property("DTSTART", shift.start, tzid, zone, utc=_needs_utc(shift.start, shift.end, zone)),
        _date_time_property("DTEND", shift.end, tzid, zone, utc=_needs_utc(shift.start, shift.end, zone)),
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
    )
    return _Draft(uid=uid, start=shift.start, end=shift.end, body=body)


def _shift_title(shift: FeedShift) -> str:
    """Queues served, or the activity when the shift serves none (e.g. training)."""
    return ", ".join(shift.queues) or ", ".join(shift.activities) or WORK


def _merge(
    drafts: Sequence[_Draft],
    previous: Sequence[ParsedEvent],
    *,
    zone: ZoneInfo,
    generated_at: datetime,
    horizon: tuple[date, date] | None,
    keep_days: int,
) -> tuple[list[_Final], FeedChanges]:
    """The feed's events: new drafts stamped against the previous feed, plus carried-over events."""
    stamp = _utc_stamp(generated_at)
    prev_by_uid: dict[str, ParsedEvent] = {}
    for event in previous:
        prev_by_uid.setdefault(event.uid, event)  # a RECURRENCE-ID override shares the UID; ours have none
    changes: dict[str, list[str]] = {name: [] for name in FeedChanges.__dataclass_fields__}  # type: ignore[attr-defined]
    finals: list[_Final] = []
    for draft in drafts:
        before = prev_by_uid.get(draft.uid)
        if before is None:
            lines = draft.lines(dtstamp=stamp, last_modified=stamp, sequence=0)
            changes["added"].append(draft.uid)
        else:
            fresh = draft.lines(dtstamp=stamp, last_modified=stamp, sequence=before.sequence)
            props = [parse_line(line, f"event {draft.uid}") for line in fresh[1:-1]]
            if event_fingerprint(props, exclude=STAMP_PROPERTIES) == event_fingerprint(
                own_properties(before.props), exclude=STAMP_PROPERTIES
            ):
                dtstamp = _previous_stamp(before, "DTSTAMP") or stamp
                modified = _previous_stamp(before, "LAST-MODIFIED") or dtstamp
                lines = draft.lines(dtstamp=dtstamp, last_modified=modified, sequence=before.sequence)
                changes["unchanged"].append(draft.uid)
            else:
                moved = any(
                    event_fingerprint(p for p in props if p.name == name)
                    != event_fingerprint(p for p in before.props if p.name == name)
                    for name in SCHEDULE_PROPERTIES
                )
                lines = fresh
                if moved:
                    lines = draft.lines(dtstamp=stamp, last_modified=stamp, sequence=before.sequence + 1)
                changes["rescheduled" if moved else "changed"].append(draft.uid)
        finals.append(
            _Final(uid=draft.uid, start=draft.start, end=draft.end, lines=lines, tzids=_tzids_of(lines))
        )
    new_uids = {draft.uid for draft in drafts}
    oldest_kept = generated_at - timedelta(days=keep_days)
    for uid, event in prev_by_uid.items():
        if uid in new_uids:
            continue
        day = event.start.astimezone(zone).date() if event.start is not None else None
        if horizon is None or day is None or horizon[0] <= day <= horizon[1]:
            changes["removed"].append(uid)
        elif event.end is None or event.end < oldest_kept:
            changes["expired"].append(uid)
        else:
            finals.append(_Final(uid=uid, start=event.start, end=event.end, lines=event.lines, tzids=event.tzids))
            changes["kept"].append(uid)
    return finals, FeedChanges(**{name: tuple(sorted(uids)) for name, uids in changes.items()})


def _previous_stamp(event: ParsedEvent, name: str) -> str | None:
    prop = event.first(name)
    if prop is None or not _UTC_STAMP.fullmatch(prop.value.strip()):
        return None
    return prop.value.strip()


def _tzids_of(lines: Sequence[str]) -> frozenset[str]:
    return frozenset(m.group(1) for line in lines if (m := re.search(r";TZID=([^;:]+)", line)))


def _calendar_bytes(
    *, cal_name: str, file_name: str, tzid: str, events: Sequence[_Final], generated_at: datetime, options: FeedOptions
) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(cal_name)}",
        f"X-WR-CALNAME:{escape_text(cal_name)}",
        # No X-WR-TIMEZONE: every time carries a TZID (or is UTC), and consumers that
        # apply X-WR-TIMEZONE rewrite UTC times into the zone, which loses the second
        # occurrence of a repeated DST hour (found by the round-trip property test
        # through recurring-ical-events / x-wr-timezone).
        f"REFRESH-INTERVAL;VALUE=DURATION:{options.refresh}",
        f"X-PUBLISHED-TTL:{options.refresh}",
    ]
    if options.color is not None:
        color = check_color(options.color)
        lines += [f"COLOR:{color}", f"X-APPLE-CALENDAR-COLOR:{CSS_COLORS[color]}"]
    if options.base_url is not None:
        lines.append(f"SOURCE;VALUE=URI:{check_base_url(options.base_url)}{file_name}")
    starts = [e.start for e in events if e.start is not None]
    ends = [e.end for e in events if e.end is not None]
    span = (min(starts, default=generated_at), max(ends, default=generated_at))
    # The team zone's VTIMEZONE is always written, even for an empty feed,
    # so clients adding events later find the zone.
    used = sorted(set().union(*(e.tzids for e in events)) - {tzid})
    for name in (tzid, *used):
        lines += vtimezone_lines(name, span[0], max(span))
    for event in sorted(events, key=lambda e: (e.start or span[0], e.uid)):
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


def _previous_events(previous: bytes | Sequence[ParsedEvent] | None, source: str) -> tuple[ParsedEvent, ...]:
    if previous is None:
        return ()
    if isinstance(previous, bytes | bytearray):
        return read_calendar(bytes(previous), source).events
    return tuple(previous)


def _check_kept_zones(finals: Sequence[_Final], source: str) -> None:
    for final in finals:
        for tzid in sorted(final.tzids):
            try:
                load_zone(tzid)
            except InputError:
                raise InputError(
                    f"{source}: event {final.uid!r} uses TZID {tzid!r}, which is not an IANA time zone "
                    "(delete the previous feed to start it afresh)"
                ) from None


def _render_one(
    shifts: Sequence[FeedShift],
    *,
    file_name: str,
    agent_id: str | None,
    cal_name: str,
    title: Mapping[str, str] | str,
    uid_suffix: str,
    tz: str,
    zone: ZoneInfo,
    generated_at: datetime,
    previous: Sequence[ParsedEvent],
    horizon: tuple[date, date] | None,
    options: FeedOptions,
) -> RenderedFeed:
    drafts = [
        _draft(
            s,
            summary=(title if isinstance(title, str) else title[s.agent_id]) + _shift_title(s),
            uid=f"{s.shift_id}{uid_suffix}@{UID_DOMAIN}",
            tzid=tz,
            zone=zone,
        )
        for s in shifts
    ]
    finals, changes = _merge(
        drafts, previous, zone=zone, generated_at=generated_at, horizon=horizon, keep_days=options.keep_days
    )
    _check_kept_zones(finals, f"previous feed {file_name}")
    data = _calendar_bytes(
        cal_name=cal_name, file_name=file_name, tzid=tz, events=finals, generated_at=generated_at, options=options
    )
    return RenderedFeed(file_name=file_name, agent_id=agent_id, data=data, changes=changes)


def render_feeds(
    roster: pd.DataFrame,
    agents: Sequence[FeedAgent],
    *,
    tz: str,
    team_name: str,
    generated_at: datetime,
    previous: Mapping[str, bytes | Sequence[ParsedEvent]] | None = None,
    horizon: tuple[date, date] | None = None,
    options: FeedOptions | None = None,
    team_feed: bool = True,
) -> tuple[RenderedFeed, ...]:
    """Render every agent's feed (sorted by agent id) and the team feed, in memory.

    Args:
        roster: the roster table (``ROSTER_COLUMNS``).
        agents: the team; every roster agent must be listed.
        tz: team time zone (IANA); events carry ``TZID=<tz>`` local times.
        team_name: used in the calendar names.
        generated_at: tz-aware run timestamp: DTSTAMP/LAST-MODIFIED of what changed.
        previous: the feeds being replaced, by file name (``a01.ics``,
            ``team.ics``): their bytes or their parsed events.
        horizon: first and last local day this roster plans; previous events
            starting outside it are carried over. None: the roster replaces
            the whole feed.
        options: calendar-level settings.
        team_feed: also render ``team.ics``.

    Raises:
        InputError: invalid roster, unknown or unsafe agents, unknown zone,
            naive ``generated_at`` or an unreadable previous feed.
    """
    zone = _check_inputs(tz, generated_at)
    options = options or FeedOptions()
    by_id = _agents_by_id(agents)
    shifts = roster_shifts(roster)
    _check_known(shifts, by_id)
    previous = previous or {}
    common = {"tz": tz, "zone": zone, "generated_at": generated_at, "horizon": horizon, "options": options}
    feeds = []
    for agent_id in sorted(by_id):
        name = feed_file_name(agent_id)
        feeds.append(
            _render_one(
                [s for s in shifts if s.agent_id == agent_id],
                file_name=name,
                agent_id=agent_id,
                cal_name=f"{by_id[agent_id].name} — {team_name} shifts",
                title="Shift: ",
                uid_suffix="",
                previous=_previous_events(previous.get(name), f"previous feed {name}"),
                **common,  # type: ignore[arg-type]
            )
        )
    if team_feed:
        name = f"{TEAM_FEED_NAME}.ics"
        # Own UIDs, so that someone subscribed to both their feed and the team
        # feed does not see two calendars fight over one UID.
        feeds.append(
            _render_one(
                shifts,
                file_name=name,
                agent_id=None,
                cal_name=f"{team_name} — team shifts",
                title={agent_id: f"{agent.name}: " for agent_id, agent in by_id.items()},
                uid_suffix="-team",
                previous=_previous_events(previous.get(name), f"previous feed {name}"),
                **common,  # type: ignore[arg-type]
            )
        )
    return tuple(feeds)


def render_agent_feed(
    roster: pd.DataFrame,
    agent: FeedAgent,
    *,
    tz: str,
    team_name: str,
    generated_at: datetime,
    previous: bytes | Sequence[ParsedEvent] | None = None,
    horizon: tuple[date, date] | None = None,
    options: FeedOptions | None = None,
) -> bytes:
    """Render one agent's feed: a VEVENT per shift of ``agent`` in ``roster``.

    Other agents' rows are ignored. An agent with no shifts gets a valid
    calendar without events. See :func:`render_feeds` for the arguments.
    """
    own = roster[roster["agent_id"] == agent.agent_id] if "agent_id" in roster.columns else roster
    (feed,) = render_feeds(
        own,
        [agent],
        tz=tz,
        team_name=team_name,
        generated_at=generated_at,
        previous={feed_file_name(agent.agent_id): previous} if previous is not None else None,
        horizon=horizon,
        options=options,
        team_feed=False,
    )
    return feed.data


def render_team_feed(
    roster: pd.DataFrame,
    agents: Sequence[FeedAgent],
    *,
    tz: str,
    team_name: str,
    generated_at: datetime,
    previous: bytes | Sequence[ParsedEvent] | None = None,
    horizon: tuple[date, date] | None = None,
    options: FeedOptions | None = None,
) -> bytes:
    """Render the team feed: every shift of every agent, titled with the agent's name.

    UIDs are ``<shift_id>-team@peakplan``. See :func:`render_feeds`.

    Raises:
        InputError: invalid roster, a roster agent missing from ``agents``,
            duplicate agents, unknown zone or naive ``generated_at``.
    """
    feeds = render_feeds(
        roster,
        agents,
        tz=tz,
        team_name=team_name,
        generated_at=generated_at,
        previous={f"{TEAM_FEED_NAME}.ics": previous} if previous is not None else None,
        horizon=horizon,
        options=options,
    )
    return feeds[-1].data


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
    against path traversal (``../x``), against overwriting ``team.ics`` and
    against names Windows cannot store (``con``, ``nul``, ``com1``, ...).

    Raises:
        InputError: the id is empty, has other characters, is ``team`` or a
            reserved device name.
    """
    if not _SAFE_ID.fullmatch(agent_id or ""):
        raise InputError(
            f"agent id {agent_id!r} cannot name a feed file: use only letters, digits, '-' and '_'"
        )
    if agent_id.casefold() == TEAM_FEED_NAME:
        raise InputError(f"agent id {agent_id!r} would overwrite the team feed {TEAM_FEED_NAME}.ics: rename the agent")
    if agent_id.casefold() in _RESERVED_NAMES:
        raise InputError(f"agent id {agent_id!r} is a reserved device name on Windows and cannot name a file: rename the agent")
    return f"{agent_id}.ics"


def read_previous_feeds(folder: str | Path, file_names: Sequence[str]) -> dict[str, tuple[ParsedEvent, ...]]:
    """The events of the feeds in ``folder`` that ``file_names`` would replace.

    Missing files are skipped (a first run, a new agent).

    Raises:
        InputError: a file exists but is not a readable iCalendar feed.
    """
    base = Path(folder)
    out: dict[str, tuple[ParsedEvent, ...]] = {}
    for name in file_names:
        path = base / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise InputError(f"previous feed {path}: cannot read ({exc.strerror})") from None
        try:
            out[name] = read_calendar(data, f"previous feed {path}").events
        except InputError as exc:
            raise InputError(
                f"{exc} (SEQUENCE and DTSTAMP continue from the previous feed: repair or delete it, "
                "or pass --previous-feeds with the published copies)"
            ) from None
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedFeeds:
    """Feeds rendered and checked, not yet written (see :func:`prepare_feeds`)."""

    feeds: tuple[RenderedFeed, ...]
    files: tuple[tuple[Path, bytes], ...]  # agent feeds, team feed, index.html

    def write(self) -> FeedsResult:
        """Write every file atomically; files whose bytes would not change are not touched."""
        written = []
        for path, data in self.files:
            try:
                if path.read_bytes() == data:
                    continue
            except OSError:
                pass
            write_bytes_atomic(path, data)
            written.append(path)
        return FeedsResult(feeds=self.feeds, paths=tuple(p for p, _ in self.files), written=tuple(written))


def prepare_feeds(
    roster: pd.DataFrame,
    agents: Sequence[FeedAgent],
    *,
    out_dir: str | Path,
    tz: str,
    team_name: str,
    generated_at: datetime,
    previous_dir: str | Path | None = None,
    horizon: tuple[date, date] | None = None,
    options: FeedOptions | None = None,
) -> PreparedFeeds:
    """Read the previous feeds and render the new ones and the index, writing nothing.

    ``plan`` prepares the feeds before it writes its CSV files, so a previous
    feed it cannot read fails the run before anything is replaced.
    Arguments as for :func:`write_feeds`.
    """
    # Imported here: index_page builds on this module (names, URL checks).
    from calendars.index_page import render_index

    options = options or FeedOptions()
    out = Path(out_dir)
    by_id = _agents_by_id(agents)
    names = [feed_file_name(agent_id) for agent_id in sorted(by_id)] + [f"{TEAM_FEED_NAME}.ics"]
    previous = read_previous_feeds(out if previous_dir is None else Path(previous_dir), names)
    feeds = render_feeds(
        roster,
        agents,
        tz=tz,
        team_name=team_name,
        generated_at=generated_at,
        previous=previous,
        horizon=horizon,
        options=options,
    )
    index = render_index([by_id[a] for a in sorted(by_id)], team_name=team_name, base_url=options.base_url)
    files = tuple((out / feed.file_name, feed.data) for feed in feeds) + ((out / INDEX_FILE, index),)
    return PreparedFeeds(feeds=feeds, files=files)


def write_feeds(
    roster: pd.DataFrame,
    agents: Sequence[FeedAgent],
    *,
    out_dir: str | Path,
    tz: str,
    team_name: str,
    generated_at: datetime,
    previous_dir: str | Path | None = None,
    horizon: tuple[date, date] | None = None,
    options: FeedOptions | None = None,
) -> FeedsResult:
    """Write ``<agent_id>.ics`` for every agent, ``team.ics`` and ``index.html`` into ``out_dir``.

    Each feed is rendered against the one it replaces, read from
    ``previous_dir`` (default: ``out_dir`` itself). Everything is validated and
    rendered before the first file is written, so bad input leaves the folder
    untouched; each file is replaced atomically, and a file whose bytes would
    not change is not rewritten (its mtime, and so HTTP caching, stays).
    Feeds of agents no longer in ``agents`` are left in place (not deleted).

    Raises:
        InputError: see :func:`render_feeds` and :func:`read_previous_feeds`.
    """
    return prepare_feeds(
        roster,
        agents,
        out_dir=out_dir,
        tz=tz,
        team_name=team_name,
        generated_at=generated_at,
        previous_dir=previous_dir,
        horizon=horizon,
        options=options,
    ).write()
