"""Feeds across runs: SEQUENCE, DTSTAMP, LAST-MODIFIED, removed and carried-over shifts, file writing."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from calendars.errors import InputError
from calendars.feed_folder import write_feeds
from calendars.feed_options import FeedOptions
from calendars.feeds import render_agent_feed
from calendars.shifts import FeedAgent
from feeds_support import GENERATED_AT, parse_everywhere, roster, unfolded_lines, vevent_blocks

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "feeds"
LATER = GENERATED_AT + timedelta(days=7, hours=3)
ANNA = FeedAgent(agent_id="anna", name="Anna")
BOB = FeedAgent(agent_id="bob", name="Bob")
TZ = "Europe/Berlin"

WEEK_ROWS = [
    ("anna", "chat", "2026-11-23T09:00:00+01:00", "2026-11-23T17:00:00+01:00", "anna-2026-11-23-0900"),
    ("anna", "chat", "2026-11-24T09:00:00+01:00", "2026-11-24T17:00:00+01:00", "anna-2026-11-24-0900"),
    ("anna", "email", "2026-11-25T09:00:00+01:00", "2026-11-25T17:00:00+01:00", "anna-2026-11-25-0900"),
    ("bob", "chat", "2026-11-23T12:00:00+01:00", "2026-11-23T20:00:00+01:00", "bob-2026-11-23-1200"),
]
WEEK = (date(2026, 11, 23), date(2026, 11, 29))


def feed(rows, *, at=GENERATED_AT, previous=None, horizon=WEEK, options=None) -> bytes:
    return render_agent_feed(
        roster(rows), ANNA, tz=TZ, team_name="T", generated_at=at, previous=previous, horizon=horizon, options=options
    )


def props(data: bytes, uid: str) -> dict[str, str]:
    """The unfolded properties of one VEVENT, name (with parameters) -> value."""
    block = vevent_blocks(data)[uid].decode("utf-8").replace("\r\n ", "")
    out = {}
    for line in block.split("\r\n"):
        if ":" in line and not line.startswith(("BEGIN:", "END:")):
            name, value = line.split(":", 1)
            out[name.split(";")[0]] = value
    return out


def test_unchanged_roster_later_run_is_byte_identical():
    first = feed(WEEK_ROWS)
    second = feed(WEEK_ROWS, at=LATER, previous=first)
    assert second == first
    assert props(second, "anna-2026-11-23-0900@peakplan")["DTSTAMP"] == "20261120T120000Z"


def test_moved_shift_bumps_sequence_and_stamps_only_that_event():
    first = feed(WEEK_ROWS)
    moved = [r if r[4] != "anna-2026-11-24-0900" else (*r[:2], "2026-11-24T10:00:00+01:00", "2026-11-24T18:00:00+01:00", r[4]) for r in WEEK_ROWS]
    second = feed(moved, at=LATER, previous=first)
    uid = "anna-2026-11-24-0900@peakplan"
    assert props(second, uid)["SEQUENCE"] == "1"
    assert props(second, uid)["DTSTAMP"] == props(second, uid)["LAST-MODIFIED"] == "20261127T150000Z"
    before, after = vevent_blocks(first), vevent_blocks(second)
    for other in ("anna-2026-11-23-0900@peakplan", "anna-2026-11-25-0900@peakplan"):
        assert after[other] == before[other]
    # Moved again in a third run: SEQUENCE keeps counting.
    again = [r if r[4] != "anna-2026-11-24-0900" else (*r[:2], "2026-11-24T11:00:00+01:00", r[3], r[4]) for r in moved]
    third = feed(again, at=LATER + timedelta(days=1), previous=second)
    assert props(third, uid)["SEQUENCE"] == "2"
    # And back to the second run's times with no other change: SEQUENCE never goes down.
    assert props(feed(moved, at=LATER + timedelta(days=2), previous=third), uid)["SEQUENCE"] == "3"


def test_new_queue_changes_description_but_not_sequence():
    first = feed(WEEK_ROWS)
    requeued = [r if r[4] != "anna-2026-11-25-0900" else ("anna", "social", *r[2:]) for r in WEEK_ROWS]
    second = feed(requeued, at=LATER, previous=first)
    p = props(second, "anna-2026-11-25-0900@peakplan")
    assert p["SEQUENCE"] == "0" and p["LAST-MODIFIED"] == "20261127T150000Z" and p["SUMMARY"] == "Shift: social"


def test_removed_shift_is_dropped_not_cancelled():
    first = feed(WEEK_ROWS)
    second = feed([r for r in WEEK_ROWS if r[4] != "anna-2026-11-24-0900"], at=LATER, previous=first)
    assert "anna-2026-11-24-0900@peakplan" not in vevent_blocks(second)
    assert b"CANCELLED" not in second
    assert len(parse_everywhere(second)) == 2


def test_next_week_keeps_this_weeks_shifts_until_keep_days():
    first = feed(WEEK_ROWS)
    next_week = [("anna", "chat", "2026-12-01T09:00:00+01:00", "2026-12-01T17:00:00+01:00", "anna-2026-12-01-0900")]
    second = feed(next_week, at=LATER, previous=first, horizon=(date(2026, 11, 30), date(2026, 12, 6)))
    blocks, before = vevent_blocks(second), vevent_blocks(first)
    assert sorted(blocks) == sorted([*before, "anna-2026-12-01-0900@peakplan"])
    for uid, block in before.items():
        assert blocks[uid] == block  # carried over byte for byte
    # Four weeks after they ended they are dropped.
    late = GENERATED_AT + timedelta(days=40)
    third = feed(next_week, at=late, previous=second, horizon=(date(2026, 11, 30), date(2026, 12, 6)))
    assert sorted(vevent_blocks(third)) == ["anna-2026-12-01-0900@peakplan"]
    kept_longer = feed(
        next_week, at=late, previous=second, horizon=(date(2026, 11, 30), date(2026, 12, 6)), options=FeedOptions(keep_days=60)
    )
    assert len(vevent_blocks(kept_longer)) == 4


def test_without_horizon_the_roster_replaces_the_feed():
    first = feed(WEEK_ROWS)
    other = [("anna", "chat", "2026-12-01T09:00:00+01:00", "2026-12-01T17:00:00+01:00", "anna-2026-12-01-0900")]
    assert sorted(vevent_blocks(feed(other, previous=first, horizon=None))) == ["anna-2026-12-01-0900@peakplan"]


def test_server_reserialised_previous_is_matched_by_meaning():
    # A CalDAV server hands back the event re-serialised: other order, UTC times, escaped differently.
    first = feed(WEEK_ROWS[:1])
    reserialised = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:anna-2026-11-23-0900@peakplan\r\n"
        "SUMMARY:Shift: chat\r\nDTEND:20261123T160000Z\r\nDTSTART:20261123T080000Z\r\n"
        "DESCRIPTION:09:00–17:00 chat\r\nSTATUS:CONFIRMED\r\nTRANSP:OPAQUE\r\nSEQUENCE:4\r\n"
        "DTSTAMP:20261101T000000Z\r\nLAST-MODIFIED:20261101T000000Z\r\nX-MOZ-LASTACK:20261102T000000Z\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    second = feed(WEEK_ROWS[:1], at=LATER, previous=reserialised)
    p = props(second, "anna-2026-11-23-0900@peakplan")
    assert (p["SEQUENCE"], p["DTSTAMP"], p["LAST-MODIFIED"]) == ("4", "20261101T000000Z", "20261101T000000Z")
    assert vevent_blocks(second).keys() == vevent_blocks(first).keys()


def test_write_feeds_reads_the_output_folder_and_skips_unchanged_files(tmp_path):
    agents = (ANNA, BOB)
    first = write_feeds(roster(WEEK_ROWS), agents, out_dir=tmp_path, tz=TZ, team_name="T", generated_at=GENERATED_AT, horizon=WEEK)
    assert [p.name for p in first.written] == ["anna.ics", "bob.ics", "team.ics", "index.html"]
    mtimes = {p.name: p.stat().st_mtime_ns for p in first.paths}
    again = write_feeds(roster(WEEK_ROWS), agents, out_dir=tmp_path, tz=TZ, team_name="T", generated_at=LATER, horizon=WEEK)
    assert again.written == ()
    assert {p.name: p.stat().st_mtime_ns for p in again.paths} == mtimes
    assert again.totals() == {"added": 0, "rescheduled": 0, "changed": 0, "unchanged": 4, "removed": 0, "kept": 0, "expired": 0}
    moved = [r if r[0] != "bob" else (*r[:2], "2026-11-23T13:00:00+01:00", "2026-11-23T21:00:00+01:00", r[4]) for r in WEEK_ROWS]
    third = write_feeds(roster(moved), agents, out_dir=tmp_path, tz=TZ, team_name="T", generated_at=LATER, horizon=WEEK)
    assert [p.name for p in third.written] == ["bob.ics", "team.ics"]
    assert third.totals()["rescheduled"] == 1
    team = (tmp_path / "team.ics").read_bytes()
    assert props(team, "bob-2026-11-23-1200-team@peakplan")["SEQUENCE"] == "1"
    assert props(team, "anna-2026-11-23-0900-team@peakplan")["SEQUENCE"] == "0"


def test_previous_feeds_folder_overrides_the_output_folder(tmp_path):
    published = tmp_path / "published"
    write_feeds(roster(WEEK_ROWS), (ANNA, BOB), out_dir=published, tz=TZ, team_name="T", generated_at=GENERATED_AT, horizon=WEEK)
    fresh = tmp_path / "fresh"  # a CI checkout: the output folder is empty, the published copies are elsewhere
    write_feeds(
        roster(WEEK_ROWS), (ANNA, BOB), out_dir=fresh, tz=TZ, team_name="T", generated_at=LATER, horizon=WEEK, previous_dir=published
    )
    for name in ("anna.ics", "bob.ics", "team.ics"):
        assert (fresh / name).read_bytes() == (published / name).read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello\r\n", "not an iCalendar file"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n", "never closed"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261123T080000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "no UID"),
        (b"BEGIN:VCALENDAR\r\n\xff\xfe\r\nEND:VCALENDAR\r\n", "not UTF-8"),
    ],
)
def test_unreadable_previous_feed_fails_before_writing(tmp_path, content, message):
    (tmp_path / "anna.ics").write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        write_feeds(roster(WEEK_ROWS), (ANNA, BOB), out_dir=tmp_path, tz=TZ, team_name="T", generated_at=GENERATED_AT)
    assert "anna.ics" in str(info.value) and "--previous-feeds" in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["anna.ics"]
    assert (tmp_path / "anna.ics").read_bytes() == content


def test_breaks_and_lunch_are_listed_in_the_shift():
    rows = [
        ("anna", "chat", "2026-11-23T09:00:00+01:00", "2026-11-23T11:00:00+01:00", "s1"),
        ("anna", "", "2026-11-23T11:00:00+01:00", "2026-11-23T11:15:00+01:00", "s1"),
        ("anna", "chat", "2026-11-23T11:15:00+01:00", "2026-11-23T13:00:00+01:00", "s1"),
        ("anna", "", "2026-11-23T13:00:00+01:00", "2026-11-23T13:30:00+01:00", "s1"),
        ("anna", "email", "2026-11-23T13:30:00+01:00", "2026-11-23T17:30:00+01:00", "s1"),
        ("anna", "", "2026-11-24T09:00:00+01:00", "2026-11-24T13:00:00+01:00", "s2"),
    ]
    activities = ["work", "break", "work", "lunch", "work", "training"]
    data = render_agent_feed(roster(rows, activities), ANNA, tz=TZ, team_name="T", generated_at=GENERATED_AT)
    assert [uid for uid, _, _ in parse_everywhere(data)] == ["s1@peakplan", "s2@peakplan"]
    p1 = props(data, "s1@peakplan")
    assert p1["SUMMARY"] == "Shift: chat\\, email"
    assert p1["DESCRIPTION"] == "09:00–11:00 chat\\n11:00–11:15 break\\n11:15–13:00 chat\\n13:00–13:30 lunch\\n13:30–17:30 email"
    assert (p1["DTSTART"], p1["DTEND"]) == ("20261123T090000", "20261123T173000")
    assert props(data, "s2@peakplan")["SUMMARY"] == "Shift: training"
    assert len(vevent_blocks(data)) == 2  # breaks are not events of their own


def test_calendar_properties_are_typed():
    options = FeedOptions(refresh="PT6H", color="SteelBlue", base_url="https://example.com/team feeds/".replace(" ", "%20"))
    data = feed(WEEK_ROWS, options=options)
    lines = unfolded_lines(data)
    header = lines[: lines.index("BEGIN:VTIMEZONE")]
    assert header == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//peakplan//peakplan 0.1//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "NAME:Anna — T shifts",
        "X-WR-CALNAME:Anna — T shifts",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
        "COLOR:steelblue",
        "X-APPLE-CALENDAR-COLOR:#4682B4",
        "SOURCE;VALUE=URI:https://example.com/team%20feeds/anna.ics",
    ]
    parse_everywhere(data)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"refresh": "12h"}, "not an iCalendar duration"),
        ({"refresh": "PT0H"}, "longer than zero"),
        ({"refresh": "PT"}, "not an iCalendar duration"),
        ({"color": "#ff0000"}, "not a CSS3 colour name"),
        ({"color": "blurple"}, "not a CSS3 colour name"),
        ({"base_url": "ftp://example.com/"}, "absolute http"),
        ({"base_url": "example.com/feeds"}, "absolute http"),
        ({"base_url": "https://u:p@example.com/"}, "credentials"),
        ({"base_url": "https://example.com/?a=1"}, "query"),
        ({"keep_days": -1}, "keep_days"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(InputError, match=message):
        FeedOptions(**kwargs)


def test_fixed_instants_survive_a_time_zone_change_of_the_team():
    # The team moves its zone setting; unchanged instants are not reschedules.
    first = feed(WEEK_ROWS[:1])
    data = render_agent_feed(
        roster(WEEK_ROWS[:1]), ANNA, tz="Europe/Paris", team_name="T", generated_at=LATER, previous=first, horizon=WEEK
    )
    p = props(data, "anna-2026-11-23-0900@peakplan")
    # The TZID text changed, the instants did not: same event, stamps kept.
    assert (p["SEQUENCE"], p["LAST-MODIFIED"]) == ("0", "20261120T120000Z")
    assert b"DTSTART;TZID=Europe/Paris:20261123T090000\r\n" in data and b"TZID:Europe/Berlin" not in data


def test_golden_two_runs(tmp_path):
    """Run 1 writes a Berlin week with a DST-crossing night shift; run 2 moves one shift, drops one, adds one."""
    agents = (FeedAgent(agent_id="anna", name="Anna <Ä>"), FeedAgent(agent_id="night-owl", name="Night, Owl"))
    options = FeedOptions(color="darkorange", base_url="https://shifts.example.com/feeds/")
    run1 = [
        ("anna", "chat", "2026-10-24T09:00:00+02:00", "2026-10-24T13:00:00+02:00", "anna-2026-10-24-0900"),
        ("anna", "", "2026-10-24T13:00:00+02:00", "2026-10-24T13:30:00+02:00", "anna-2026-10-24-0900"),
        ("anna", "email", "2026-10-24T13:30:00+02:00", "2026-10-24T17:30:00+02:00", "anna-2026-10-24-0900"),
        ("anna", "chat", "2026-10-26T09:00:00+01:00", "2026-10-26T17:00:00+01:00", "anna-2026-10-26-0900"),
        ("night-owl", "chat", "2026-10-24T22:00:00+02:00", "2026-10-25T03:00:00+01:00", "night-owl-2026-10-24-2200"),
        ("night-owl", "email", "2026-10-25T03:00:00+01:00", "2026-10-25T07:00:00+01:00", "night-owl-2026-10-24-2200"),
    ]
    run2 = [r for r in run1 if r[4] != "anna-2026-10-26-0900"]
    run2 = [r if r[4] != "anna-2026-10-24-0900" else (*r[:2], r[2].replace("T09:", "T10:"), r[3], r[4]) for r in run2]
    run2.append(("anna", "social", "2026-10-27T12:00:00+01:00", "2026-10-27T20:00:00+01:00", "anna-2026-10-27-1200"))
    week = (date(2026, 10, 19), date(2026, 10, 27))
    out = {}
    for name, rows, at in (("first", run1, GENERATED_AT), ("second", run2, LATER)):
        write_feeds(
            roster(rows), agents, out_dir=tmp_path, tz=TZ, team_name="Support", generated_at=at, horizon=week, options=options
        )
        out[name] = {p.name: p.read_bytes() for p in sorted(tmp_path.iterdir())}
        for data in out[name].values():
            if data.startswith(b"BEGIN:VCALENDAR"):
                parse_everywhere(data)
    case = GOLDEN / "berlin_two_runs"
    if os.environ.get("PEAKPLAN_REGEN_GOLDEN") == "1":
        for name, written in out.items():
            (case / name).mkdir(parents=True, exist_ok=True)
            for file_name, data in written.items():
                (case / name / file_name).write_bytes(data)
    for name, written in out.items():
        expected = {p.name: p.read_bytes() for p in sorted((case / name).iterdir())}
        assert sorted(expected) == sorted(written), "golden files missing: run with PEAKPLAN_REGEN_GOLDEN=1"
        for file_name, data in written.items():
            assert data == expected[file_name], f"{name}/{file_name} differs from golden"
    night = vevent_blocks(out["second"]["night-owl.ics"])["night-owl-2026-10-24-2200@peakplan"]
    assert night == vevent_blocks(out["first"]["night-owl.ics"])["night-owl-2026-10-24-2200@peakplan"]
    assert out["second"]["night-owl.ics"] == out["first"]["night-owl.ics"]


def test_kept_events_in_another_zone_bring_their_vtimezone():
    first = feed(WEEK_ROWS)  # Europe/Berlin
    next_week = [("anna", "chat", "2026-12-01T09:00:00+03:00", "2026-12-01T17:00:00+03:00", "anna-2026-12-01-0900")]
    data = render_agent_feed(
        roster(next_week), ANNA, tz="Europe/Moscow", team_name="T", generated_at=LATER, previous=first,
        horizon=(date(2026, 11, 30), date(2026, 12, 6)),
    )  # fmt: skip
    tzids = [line for line in unfolded_lines(data) if line.startswith("TZID:")]
    assert tzids == ["TZID:Europe/Moscow", "TZID:Europe/Berlin"]  # the team zone first
    assert len(parse_everywhere(data)) == 4


@pytest.mark.parametrize(
    ("dtstart", "message"),
    [
        ("99991231T230000Z", "outside the years 1900-2200"),
        ("00010101T000000Z", "outside the years 1900-2200"),
        ("21500101T090000Z", "more than 5 years after this run"),
    ],
)
def test_previous_feed_event_at_an_absurd_date_is_named(tmp_path, dtstart, message):
    """Such an event once made the VTIMEZONE reach the year 10001 (a traceback) or span centuries."""
    first = feed(WEEK_ROWS)
    broken = first.replace(b"DTSTART;TZID=Europe/Berlin:20261123T090000", f"DTSTART:{dtstart}".encode(), 1)
    broken = broken.replace(b"DTEND;TZID=Europe/Berlin:20261123T170000", f"DTEND:{dtstart}".encode(), 1)
    broken = broken.replace(b"UID:anna-2026-11-23-0900@peakplan", b"UID:odd@peakplan", 1)
    assert broken != first
    (tmp_path / "anna.ics").write_bytes(broken)
    with pytest.raises(InputError, match=message) as info:
        write_feeds(roster(WEEK_ROWS), (ANNA, BOB), out_dir=tmp_path, tz=TZ, team_name="T", generated_at=LATER, horizon=WEEK)
    assert "anna.ics" in str(info.value) and "'odd@peakplan'" in str(info.value)
    assert (tmp_path / "anna.ics").read_bytes() == broken
