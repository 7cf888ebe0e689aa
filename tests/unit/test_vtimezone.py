"""VTIMEZONE in RRULE form: exact blocks for known zones, and offsets that match zoneinfo."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.tz import tzical

from calendars.errors import InputError
from calendars.vtimezone import vtimezone_lines

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 12, 31, tzinfo=UTC)


def _blocks(lines: list[str]) -> list[list[str]]:
    """The STANDARD/DAYLIGHT blocks, each as its lines between BEGIN and END."""
    blocks, current = [], None
    for line in lines:
        if line in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT"):
            current = [line]
        elif current is not None:
            current.append(line)
            if line.startswith("END:"):
                blocks.append(current)
                current = None
    return blocks


def _offsets_match(tzid: str, lines: list[str], start: datetime, end: datetime) -> list[datetime]:
    """Instants in [start, end] where the VTIMEZONE (read by dateutil) disagrees with zoneinfo.

    The TZID is renamed so no parser can shortcut to the IANA database.
    """
    renamed = [("TZID:X-Under-Test" if line.startswith("TZID:") else line) for line in lines]
    parsed = tzical(io.StringIO("\r\n".join(renamed) + "\r\n")).get()
    zone = ZoneInfo(tzid)
    samples = []
    day = start
    while day <= end:
        # Every 30 min on days where the offset changes, every 6 h elsewhere.
        changes = day.astimezone(zone).utcoffset() != (day + timedelta(days=1)).astimezone(zone).utcoffset()
        step = timedelta(minutes=30) if changes else timedelta(hours=6)
        samples += [day + i * step for i in range(int(timedelta(days=1) / step))]
        day += timedelta(days=1)
    return [t for t in samples if t.astimezone(parsed).utcoffset() != t.astimezone(zone).utcoffset()]


def test_berlin_last_sundays():
    lines = vtimezone_lines("Europe/Berlin", START, END)
    assert lines[:2] == ["BEGIN:VTIMEZONE", "TZID:Europe/Berlin"]
    assert lines[-1] == "END:VTIMEZONE"
    assert _blocks(lines) == [
        [
            "BEGIN:DAYLIGHT",
            "DTSTART:20250330T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "TZNAME:CEST",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200",
            "END:DAYLIGHT",
        ],
        [
            "BEGIN:STANDARD",
            "DTSTART:20251026T030000",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            "TZNAME:CET",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "END:STANDARD",
        ],
    ]
    assert not any(line.startswith("RDATE") for line in lines)


def test_new_york_second_and_first_sunday():
    blocks = _blocks(vtimezone_lines("America/New_York", START, END))
    rules = {b[0]: b[2] for b in blocks}
    assert rules == {
        "BEGIN:DAYLIGHT": "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
        "BEGIN:STANDARD": "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
    }
    assert "TZOFFSETTO:-0400" in blocks[0] and "TZNAME:EST" in blocks[1]


@pytest.mark.parametrize(("tzid", "offset", "name"), [("Europe/Moscow", "+0300", "MSK"), ("UTC", "+0000", "UTC")])
def test_zone_without_dst_is_one_standard_block(tzid, offset, name):
    lines = vtimezone_lines(tzid, START, END)
    assert _blocks(lines) == [
        [
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            f"TZNAME:{name}",
            f"TZOFFSETFROM:{offset}",
            f"TZOFFSETTO:{offset}",
            "END:STANDARD",
        ]
    ]


@pytest.mark.parametrize("tzid", ["Europe/Berlin", "Europe/Moscow", "America/New_York", "Asia/Jerusalem", "UTC"])
@pytest.mark.parametrize("year", [2023, 2026, 2027])
def test_offsets_agree_with_zoneinfo(tzid, year):
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year, 12, 31, 23, tzinfo=UTC)
    lines = vtimezone_lines(tzid, start, end)
    assert _offsets_match(tzid, lines, start, end) == []
    assert not any(line.startswith("RDATE") for line in lines)


def test_jerusalem_falls_back_to_single_blocks_when_no_rule_fits():
    # Israel's DST starts on the Friday before the last Sunday of March: in
    # 2022-2024 that is not one "n-th Friday" rule, so each onset is its own block.
    lines = vtimezone_lines("Asia/Jerusalem", datetime(2023, 6, 1, tzinfo=UTC), datetime(2023, 7, 1, tzinfo=UTC))
    daylight = [b for b in _blocks(lines) if b[0] == "BEGIN:DAYLIGHT"]
    assert [b[1] for b in daylight] == ["DTSTART:20220325T020000", "DTSTART:20230324T020000", "DTSTART:20240329T020000"]
    assert all(not line.startswith("RRULE") for b in daylight for line in b)
    standard = [b for b in _blocks(lines) if b[0] == "BEGIN:STANDARD"]
    assert [b[2] for b in standard] == ["RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"]


def test_same_years_give_same_lines():
    a = vtimezone_lines("Europe/Berlin", datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    b = vtimezone_lines("Europe/Berlin", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    assert a == b


def test_errors():
    with pytest.raises(InputError, match="unknown time zone 'Mars/Olympus'"):
        vtimezone_lines("Mars/Olympus", START, END)
    with pytest.raises(InputError, match="tz-aware"):
        vtimezone_lines("UTC", datetime(2026, 1, 1), END)
    with pytest.raises(InputError, match="before it starts"):
        vtimezone_lines("UTC", END, START)


def test_offset_check_catches_a_wrong_rule():
    # Guards the checker above: an RDATE-style misreading or a wrong BYDAY must show.
    lines = [line.replace("BYDAY=-1SU", "BYDAY=-2SU") for line in vtimezone_lines("Europe/Berlin", START, END)]
    assert _offsets_match("Europe/Berlin", lines, START, END) != []
