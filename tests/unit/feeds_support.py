"""Test helpers for the feed tests: roster frames, raw byte checks, and four independent parsers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
import vobject
from feed_rows import GENERATED_AT as GENERATED_AT  # re-exported with the parsers
from feed_rows import roster as roster
from ical.calendar_stream import IcsCalendarStream

# (uid, start UTC, end UTC) per event, sorted.
Shifts = list[tuple[str, datetime, datetime]]


def unescape_text(value: str) -> str:
    """Undo RFC 5545 TEXT escaping (test-side, independent of the writer)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def unfolded_lines(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def check_raw(data: bytes) -> None:
    """Line endings, fold width, UTF-8 fold boundaries, VTIMEZONE per TZID, required properties."""
    assert data.endswith(b"\r\n")
    physical = data.split(b"\r\n")[:-1]
    for line in physical:
        assert b"\r" not in line and b"\n" not in line
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold inside a character would fail here
        assert line, "empty content line"
    lines = unfolded_lines(data)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines[1] == "VERSION:2.0" and lines[2].startswith("PRODID:")
    unfolded = "\r\n".join(lines)
    tzids_used = set(re.findall(r";TZID=([^:;]+)", unfolded))
    tzids_defined = [line[5:] for line in lines if line.startswith("TZID:")]
    assert tzids_used <= set(tzids_defined) and len(tzids_defined) == len(set(tzids_defined))
    assert "RDATE" not in unfolded
    events = [block for block in unfolded.split("BEGIN:VEVENT")[1:]]
    for block in events:
        names = [line.split(":")[0].split(";")[0] for line in block.split("\r\n") if line]
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "LAST-MODIFIED", "SUMMARY"):
            assert names.count(required) == 1, (required, block)
    in_event = False
    for line in lines:
        in_event = (in_event or line == "BEGIN:VEVENT") and line != "END:VEVENT"
        if in_event and line.startswith(("DTSTART", "DTEND")):
            # Outlook rejects floating times: TZID-qualified or UTC only.
            assert line.startswith(("DTSTART;TZID=", "DTEND;TZID=")) or line.endswith("Z"), line


def _utc(value: datetime) -> datetime:
    assert isinstance(value, datetime) and value.tzinfo is not None, f"floating or all-day time {value!r}"
    # Subtracting two aware datetimes of one zone is wall-clock arithmetic in
    # Python; only UTC gives the real length of a shift across a DST change.
    return value.astimezone(UTC)


def parse_icalendar(data: bytes) -> Shifts:
    cal = icalendar.Calendar.from_ical(data)
    return sorted((str(e["UID"]), _utc(e["DTSTART"].dt), _utc(e["DTEND"].dt)) for e in cal.walk("VEVENT"))


def parse_vobject(data: bytes) -> Shifts:
    cal = vobject.readOne(data.decode("utf-8"), validate=True)
    events = cal.contents.get("vevent", [])
    return sorted((e.uid.value, _utc(e.dtstart.value), _utc(e.dtend.value)) for e in events)


def parse_ical(data: bytes) -> Shifts:
    cal = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return sorted((e.uid, _utc(e.dtstart), _utc(e.dtend)) for e in cal.events)


def parse_recurring(data: bytes) -> Shifts:
    cal = icalendar.Calendar.from_ical(data)
    events = recurring_ical_events.of(cal).between(datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))
    return sorted((str(e["UID"]), _utc(e["DTSTART"].dt), _utc(e["DTEND"].dt)) for e in events)


def _iana_only(data: bytes) -> bool:
    for tzid in set(re.findall(r";TZID=([^:;]+)", data.decode("utf-8").replace("\r\n ", ""))):
        try:
            ZoneInfo(tzid)
        except (ZoneInfoNotFoundError, ValueError):
            return False
    return True


def parse_everywhere(data: bytes) -> Shifts:
    """The events as icalendar, vobject (validating), ical and recurring-ical-events read them; all must agree.

    recurring-ical-events is skipped for feeds with non-IANA TZIDs (it needs IANA names).
    """
    check_raw(data)
    results = {
        "icalendar": parse_icalendar(data),
        "vobject": parse_vobject(data),
        "ical": parse_ical(data),
    }
    if _iana_only(data):
        results["recurring-ical-events"] = parse_recurring(data)
    first = results["icalendar"]
    for name, got in results.items():
        assert got == first, f"{name} reads other events than icalendar: {got} != {first}"
    return first


def vevent_blocks(data: bytes) -> dict[str, bytes]:
    """Each VEVENT's raw bytes (folded, CRLF), by UID."""
    text = data.decode("utf-8")
    out = {}
    for match in re.finditer(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", text, flags=re.S):
        block = match.group(0)
        uid = re.search(r"\r\nUID:([^\r]*)\r\n", block.replace("\r\n ", ""))
        assert uid is not None
        out[uid.group(1)] = block.encode("utf-8")
    return out
