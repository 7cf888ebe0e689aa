"""A new feed against the one it replaces: stamps, SEQUENCE, carried-over events.

See :mod:`calendars.feeds` for the rules (unchanged events keep their bytes,
SEQUENCE goes up only for a reschedule, events outside the planned days are
carried over until ``keep_days`` after they ended).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from calendars.errors import InputError
from calendars.events import DraftEvent
from calendars.ics import (
    FIRST_YEAR,
    LAST_YEAR,
    UTC_STAMP,
    ParsedEvent,
    event_fingerprint,
    own_properties,
    parse_line,
    read_calendar,
    utc_stamp,
)
from calendars.vtimezone import load_zone

__all__ = [
    "STAMP_PROPERTIES",
    "SCHEDULE_PROPERTIES",
    "FeedChanges",
    "FinalEvent",
    "merge_events",
    "previous_events",
    "check_event_tzids",
    "check_event_years",
    "check_kept_events",
    "read_previous_feeds",
]

# Written by the writer itself; excluded when asking "did the content change?".
STAMP_PROPERTIES = ("DTSTAMP", "LAST-MODIFIED", "SEQUENCE")
# A change in any of these is a reschedule: SEQUENCE goes up.
SCHEDULE_PROPERTIES = ("DTSTART", "DTEND", "STATUS")
# Rosters are published weeks ahead; an event years ahead is no shift of ours.
MAX_AHEAD = timedelta(days=5 * 365)
_FRESH_START = "delete the previous feed to start it afresh"


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
        return {name: len(getattr(self, name)) for name in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True, kw_only=True)
class FinalEvent:
    uid: str
    start: datetime | None
    end: datetime | None
    lines: tuple[str, ...]
    tzids: frozenset[str]


def merge_events(
    drafts: Sequence[DraftEvent],
    previous: Sequence[ParsedEvent],
    *,
    zone: ZoneInfo,
    generated_at: datetime,
    horizon: tuple[date, date] | None,
    keep_days: int,
) -> tuple[list[FinalEvent], FeedChanges]:
    """The feed's events: new drafts stamped against the previous feed, plus carried-over events."""
    stamp = utc_stamp(generated_at)
    prev_by_uid: dict[str, ParsedEvent] = {}
    for event in previous:
        prev_by_uid.setdefault(event.uid, event)  # a RECURRENCE-ID override shares the UID; ours have none
    changes: dict[str, list[str]] = {name: [] for name in FeedChanges.__dataclass_fields__}
    finals: list[FinalEvent] = []
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
        finals.append(FinalEvent(uid=draft.uid, start=draft.start, end=draft.end, lines=lines, tzids=_tzids_of(lines)))
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
            finals.append(FinalEvent(uid=uid, start=event.start, end=event.end, lines=event.lines, tzids=event.tzids))
            changes["kept"].append(uid)
    return finals, FeedChanges(**{name: tuple(sorted(uids)) for name, uids in changes.items()})


def _previous_stamp(event: ParsedEvent, name: str) -> str | None:
    prop = event.first(name)
    if prop is None or not UTC_STAMP.fullmatch(prop.value.strip()):
        return None
    return prop.value.strip()


def _tzids_of(lines: Sequence[str]) -> frozenset[str]:
    return frozenset(m.group(1) for line in lines if (m := re.search(r";TZID=([^;:]+)", line)))


def previous_events(previous: bytes | Sequence[ParsedEvent] | None, source: str) -> tuple[ParsedEvent, ...]:
    """The events of a previous feed given as bytes or as parsed events, checked.

    Raises:
        InputError: unreadable, or an event dated outside the years peakplan reads.
    """
    if previous is None:
        return ()
    if isinstance(previous, bytes | bytearray):
        events = read_calendar(bytes(previous), source).events
    else:
        events = tuple(previous)
    check_event_years(events, source)
    return events


def check_event_years(events: Sequence[ParsedEvent], source: str) -> None:
    """Refuse events of a previous feed dated outside ``FIRST_YEAR``..``LAST_YEAR``.

    Raises:
        InputError: naming the event and its date.
    """
    for event in events:
        for what, instant in (("starts", event.start), ("ends", event.end)):
            if instant is not None and not FIRST_YEAR <= instant.year <= LAST_YEAR:
                raise InputError(
                    f"{source}: event {event.uid!r} {what} {instant:%Y-%m-%d}, outside the years "
                    f"{FIRST_YEAR}-{LAST_YEAR}: not a shift peakplan wrote ({_FRESH_START})"
                )


def check_kept_events(finals: Sequence[FinalEvent], source: str, generated_at: datetime) -> None:
    """Refuse carried-over events peakplan cannot write back.

    Raises:
        InputError: a TZID that is no IANA zone, or an event more than
            ``MAX_AHEAD`` after this run (its VTIMEZONE would span decades).
    """
    latest = generated_at + MAX_AHEAD
    for final in finals:
        if final.end is not None and final.end > latest:
            raise InputError(
                f"{source}: event {final.uid!r} ends {final.end:%Y-%m-%d}, more than {MAX_AHEAD.days // 365} years "
                f"after this run: not a shift peakplan wrote ({_FRESH_START})"
            )
        check_event_tzids(final.uid, final.tzids, source, hint=f" ({_FRESH_START})")


def check_event_tzids(uid: str, tzids: Iterable[str], source: str, *, hint: str = "") -> None:
    """Refuse an event read back whose TZIDs are not all IANA zones (peakplan writes only those).

    Raises:
        InputError: naming the event and the first such TZID, then ``hint``.
    """
    for tzid in sorted(tzids):
        try:
            load_zone(tzid)
        except InputError:
            raise InputError(
                f"{source}: event {uid!r} uses TZID {tzid!r}, which is not an IANA time zone{hint}"
            ) from None


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
            check_event_years(out[name], f"previous feed {path}")
        except InputError as exc:
            raise InputError(
                f"{exc} (SEQUENCE and DTSTAMP continue from the previous feed: repair or delete it, "
                "or pass --previous-feeds with the published copies)"
            ) from None
    return out
