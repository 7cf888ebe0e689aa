"""The content-line reader behind previous-feed and CalDAV comparisons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from calendars.errors import InputError
from calendars.ics import event_fingerprint, own_properties, parse_line, read_calendar, unfold


def test_unfold_joins_space_and_tab_continuations_and_bare_lf():
    assert unfold(b"SUMMARY:a\r\n  b\r\n\tc\nDESCRIPTION:x\r\n", "f") == ["SUMMARY:a bc", "DESCRIPTION:x"]


def test_parse_line_with_quoted_and_multi_valued_params():
    line = parse_line('ATTENDEE;CN="Doe; John: Jr.";ROLE=REQ-PARTICIPANT;DELEGATED-TO="a","b":mailto:j@x', "f")
    assert line.name == "ATTENDEE"
    assert line.params == (("CN", "Doe; John: Jr."), ("ROLE", "REQ-PARTICIPANT"), ("DELEGATED-TO", "a,b"))
    assert line.value == "mailto:j@x"


@pytest.mark.parametrize("bad", ["NO COLON HERE", 'X;CN="open:x', "X;CN:x", ":x"])
def test_parse_line_rejects(bad):
    with pytest.raises(InputError, match="f:"):
        parse_line(bad, "f")


def calendar(*event_lines: str) -> bytes:
    body = "".join(f"{line}\r\n" for line in event_lines)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:c\r\n{body}END:VCALENDAR\r\n".encode()


def test_read_calendar_events_and_nested_alarm():
    data = calendar(
        "BEGIN:VEVENT", "UID:u1", "DTSTART;TZID=Europe/Berlin:20261025T020000", "DTEND:20261025T060000Z",
        "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT15M", "END:VALARM", "END:VEVENT",
    )  # fmt: skip
    parsed = read_calendar(data, "f")
    assert [p.name for p in parsed.properties] == ["VERSION", "X-WR-CALNAME"]
    (event,) = parsed.events
    assert event.uid == "u1" and event.sequence == 0 and event.tzids == {"Europe/Berlin"}
    assert [p.name for p in event.props] == ["UID", "DTSTART", "DTEND"]  # not the alarm's ACTION/TRIGGER
    assert event.lines[4] == "BEGIN:VALARM" and event.lines[-1] == "END:VEVENT"
    # 02:00 on the fall-back day is the first (summer time) occurrence.
    assert event.start == datetime(2026, 10, 25, 0, tzinfo=UTC)
    assert event.end == datetime(2026, 10, 25, 6, tzinfo=UTC)


def test_fingerprint_compares_meaning_not_bytes():
    a = read_calendar(
        calendar("BEGIN:VEVENT", "UID:u", "DTSTART;TZID=Europe/Moscow:20261127T090000", "SUMMARY:a\\, b", "END:VEVENT"), "a"
    ).events[0]
    b = read_calendar(
        calendar("BEGIN:VEVENT", "SUMMARY;VALUE=TEXT:a\\,", "  b", "DTSTART:20261127T060000Z", "UID:u", "X-MOZ-X:1", "END:VEVENT"), "b"
    ).events[0]
    assert event_fingerprint(own_properties(a.props)) == event_fingerprint(own_properties(b.props))
    c = read_calendar(
        calendar("BEGIN:VEVENT", "UID:u", "DTSTART:20261127T070000Z", "SUMMARY:a\\, b", "END:VEVENT"), "c"
    ).events[0]
    assert event_fingerprint(own_properties(a.props)) != event_fingerprint(own_properties(c.props))
