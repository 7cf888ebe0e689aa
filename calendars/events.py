"""One shift as one VEVENT: its content lines before the stamps of a run are known.

Breaks and lunch go into the description; a shift whose end or start falls in
the second occurrence of a repeated DST hour is written in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from calendars.ics import escape_text, utc_stamp
from calendars.shifts import WORK, FeedShift

__all__ = ["UID_DOMAIN", "DraftEvent", "draft_event", "shift_title"]

UID_DOMAIN = "peakplan"


def _date_time_property(name: str, instant: datetime, tzid: str, zone: ZoneInfo, *, utc: bool = False) -> str:
    if utc:
        return f"{name}:{utc_stamp(instant)}"
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


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftEvent:
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


def draft_event(shift: FeedShift, *, summary: str, uid: str, tzid: str, zone: ZoneInfo) -> DraftEvent:
    # Breaks and lunch are lines of the description, not events of their own:
    # an overlapping event would halve the shift's width in day views, count
    # as a second busy block and churn its own UID whenever the solver moves it.
    description = "\n".join(f"{_local_hhmm(b.start, zone)}–{_local_hhmm(b.end, zone)} {b.label}" for b in shift.blocks)
    body = (
        _date_time_property("DTSTART", shift.start, tzid, zone, utc=_needs_utc(shift.start, shift.end, zone)),
        _date_time_property("DTEND", shift.end, tzid, zone, utc=_needs_utc(shift.start, shift.end, zone)),
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
    )
    return DraftEvent(uid=uid, start=shift.start, end=shift.end, body=body)


def shift_title(shift: FeedShift) -> str:
    """Queues served, or the activity when the shift serves none (e.g. training)."""
    return ", ".join(shift.queues) or ", ".join(shift.activities) or WORK
