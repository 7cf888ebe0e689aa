"""Roster feeds: parse back with icalendar, check raw bytes, golden files, round-trip property."""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from dateutil.tz import tzical
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendars.errors import InputError
from calendars.feed_folder import write_feeds
from calendars.feeds import render_agent_feed, render_team_feed
from calendars.ics import escape_text, fold_line
from calendars.shifts import FeedAgent, feed_file_name, roster_shifts

from feeds_support import GENERATED_AT, check_raw, parse_everywhere, roster, unescape_text

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "feeds"


def parse_events(data: bytes) -> list[dict]:
    """VEVENTs as dicts with UTC start/end, read by icalendar."""
    cal = icalendar.Calendar.from_ical(data)
    out = []
    for ev in cal.walk("VEVENT"):
        start, end = ev["DTSTART"].dt, ev["DTEND"].dt
        assert start.tzinfo is not None and end.tzinfo is not None, "floating time in feed"
        out.append(
            {
                "uid": str(ev["UID"]),
                "summary": str(ev["SUMMARY"]),
                "description": str(ev["DESCRIPTION"]),
                "start": start.astimezone(UTC),
                "end": end.astimezone(UTC),
            }
        )
    return out


def vevent_starts_via_vtimezone(data: bytes) -> list[datetime]:
    """DTSTARTs resolved through the feed's own VTIMEZONE (dateutil), not the IANA name."""
    text = data.decode("utf-8").replace("\r\n ", "")
    vtz = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE") + len("END:VTIMEZONE")]
    zone = tzical(io.StringIO(vtz.replace("\r\n", "\n"))).get()
    starts = []
    for m in re.finditer(r"\r\nDTSTART;TZID=[^:]+:(\d{8}T\d{6})", text):
        starts.append(datetime.strptime(m.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=zone).astimezone(UTC))
    return starts


AGENTS = (
    FeedAgent(agent_id="anna", name="Анна Петрова", email="anna@example.com"),
    FeedAgent(agent_id="bob_2", name='Bob "Bobby" Smith, Jr.; night', email="bob@example.com"),
)

MOSCOW_ROSTER = [
    ("anna", "chat", "2026-11-27T09:00:00+03:00", "2026-11-27T13:00:00+03:00", "anna-2026-11-27-0900"),
    ("anna", "", "2026-11-27T13:00:00+03:00", "2026-11-27T13:30:00+03:00", "anna-2026-11-27-0900"),
    ("anna", "email", "2026-11-27T13:30:00+03:00", "2026-11-27T17:30:00+03:00", "anna-2026-11-27-0900"),
    ("anna", "chat", "2026-11-28T10:00:00+03:00", "2026-11-28T18:00:00+03:00", "anna-2026-11-28-1000"),
    ("bob_2", "email", "2026-11-27T22:00:00+03:00", "2026-11-28T02:00:00+03:00", "bob_2-2026-11-27-2200"),
    ("bob_2", "chat", "2026-11-28T02:00:00+03:00", "2026-11-28T07:00:00+03:00", "bob_2-2026-11-27-2200"),
]


def test_agent_feed_round_trips_and_reads_well():
    data = render_agent_feed(
        roster(MOSCOW_ROSTER), AGENTS[0], tz="Europe/Moscow", team_name="Cashback Support", generated_at=GENERATED_AT
    )
    check_raw(data)
    events = parse_events(data)
    assert [(e["uid"], e["start"], e["end"]) for e in events] == [
        ("anna-2026-11-27-0900@peakplan", datetime(2026, 11, 27, 6, tzinfo=UTC), datetime(2026, 11, 27, 14, 30, tzinfo=UTC)),
        ("anna-2026-11-28-1000@peakplan", datetime(2026, 11, 28, 7, tzinfo=UTC), datetime(2026, 11, 28, 15, tzinfo=UTC)),
    ]
    assert events[0]["summary"] == "Shift: chat, email"
    assert events[0]["description"] == "09:00–13:00 chat\n13:00–13:30 lunch\n13:30–17:30 email"
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["X-WR-CALNAME"]) == "Анна Петрова — Cashback Support shifts"
    assert str(cal["NAME"]) == "Анна Петрова — Cashback Support shifts"
    assert str(cal["METHOD"]) == "PUBLISH" and str(cal["PRODID"]) == "-//peakplan//peakplan 0.1//EN"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in data
    assert b"\r\nX-PUBLISHED-TTL:PT12H\r\n" in data
    assert b"\r\nDTSTAMP:20261120T120000Z\r\n" in data and b"\r\nLAST-MODIFIED:20261120T120000Z\r\n" in data
    for ev in cal.walk("VEVENT"):
        assert (str(ev["STATUS"]), str(ev["TRANSP"]), int(ev["SEQUENCE"])) == ("CONFIRMED", "OPAQUE", 0)


def test_team_feed_escapes_user_names():
    data = render_team_feed(
        roster(MOSCOW_ROSTER), AGENTS, tz="Europe/Moscow", team_name="Cashback; Support, EU", generated_at=GENERATED_AT
    )
    check_raw(data)
    assert b'SUMMARY:Bob "Bobby" Smith\\, Jr.\\; night: email\\, chat\r\n' in data
    assert b"X-WR-CALNAME:Cashback\\; Support\\, EU \xe2\x80\x94 team shifts\r\n" in data
    events = parse_events(data)
    assert [e["uid"] for e in events] == [
        "anna-2026-11-27-0900-team@peakplan",
        "bob_2-2026-11-27-2200-team@peakplan",
        "anna-2026-11-28-1000-team@peakplan",
    ]
    assert events[1]["summary"] == 'Bob "Bobby" Smith, Jr.; night: email, chat'
    # icalendar keeps X- and NAME values raw (untyped), so unescape them as TEXT here.
    cal = icalendar.Calendar.from_ical(data)
    for prop in ("X-WR-CALNAME", "NAME"):
        assert unescape_text(str(cal[prop])) == "Cashback; Support, EU — team shifts"


def test_berlin_night_shift_over_dst_end_is_ten_hours():
    rows = [
        ("anna", "chat", "2026-10-24T22:00:00+02:00", "2026-10-25T03:00:00+01:00", "anna-2026-10-24-2200"),
        ("anna", "email", "2026-10-25T03:00:00+01:00", "2026-10-25T07:00:00+01:00", "anna-2026-10-24-2200"),
    ]
    data = render_agent_feed(roster(rows), AGENTS[0], tz="Europe/Berlin", team_name="T", generated_at=GENERATED_AT)
    check_raw(data)
    assert b"DTSTART;TZID=Europe/Berlin:20261024T220000\r\n" in data
    assert b"DTEND;TZID=Europe/Berlin:20261025T070000\r\n" in data
    (event,) = parse_events(data)
    assert event["end"] - event["start"] == timedelta(hours=10)
    # The feed's own VTIMEZONE gives the same instant as the IANA zone.
    assert vevent_starts_via_vtimezone(data) == [event["start"]]
    assert b"RDATE" not in data


def test_repeated_hour_end_is_written_in_utc():
    # 02:30 on 2026-10-25 happens twice in Berlin; TZID form would mean the first.
    rows = [("anna", "chat", "2026-10-24T22:00:00+02:00", "2026-10-25T02:30:00+01:00", "anna-x")]
    data = render_agent_feed(roster(rows), AGENTS[0], tz="Europe/Berlin", team_name="T", generated_at=GENERATED_AT)
    assert b"DTEND:20261025T013000Z\r\n" in data
    (event,) = parse_events(data)
    assert event["end"] - event["start"] == timedelta(hours=5, minutes=30)


def test_shift_ending_in_the_repeated_hour_reads_the_same_in_every_parser():
    # Found by the round-trip property test: 02:00 CET on 2026-10-25 (01:00 UTC, the second
    # 02:00) came back as 00:00 UTC from recurring-ical-events while the feed carried
    # X-WR-TIMEZONE, which its x-wr-timezone step applies to UTC times.
    rows = [("anna", "chat", "2026-10-24T21:00:00+02:00", "2026-10-25T02:00:00+01:00", "anna-y")]
    data = render_agent_feed(roster(rows), AGENTS[0], tz="Europe/Berlin", team_name="T", generated_at=GENERATED_AT)
    assert b"X-WR-TIMEZONE" not in data
    assert parse_everywhere(data) == [
        ("anna-y@peakplan", datetime(2026, 10, 24, 19, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC))
    ]


def test_agent_without_shifts_gets_valid_empty_feed(tmp_path):
    lonely = FeedAgent(agent_id="carol", name="Carol", email="")
    result = write_feeds(
        roster(MOSCOW_ROSTER), (*AGENTS, lonely), out_dir=tmp_path, tz="Europe/Moscow", team_name="T", generated_at=GENERATED_AT
    )
    assert [p.name for p in result.paths] == ["anna.ics", "bob_2.ics", "carol.ics", "team.ics", "index.html"]
    data = (tmp_path / "carol.ics").read_bytes()
    check_raw(data)
    cal = icalendar.Calendar.from_ical(data)
    assert cal.walk("VEVENT") == [] and len(cal.walk("VTIMEZONE")) == 1
    assert len(parse_events((tmp_path / "team.ics").read_bytes())) == 3


def test_long_lines_fold_without_splitting_characters():
    name = "Жанна-Мария Иванова-Петрова, старший специалист поддержки; смена " * 3
    line = "SUMMARY:" + escape_text(name)
    folded = fold_line(line)
    parts = folded.split(b"\r\n")[:-1]
    assert len(parts) > 2 and all(len(p) <= 75 for p in parts)
    assert all(p.startswith(b" ") for p in parts[1:])
    assert b"".join(p[1:] if i else p for i, p in enumerate(parts)).decode("utf-8") == line
    for p in parts:
        p.decode("utf-8")


def test_escape_text():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_same_input_same_bytes_and_row_order_does_not_matter():
    frame = roster(MOSCOW_ROSTER)
    a = render_team_feed(frame, AGENTS, tz="Europe/Moscow", team_name="T", generated_at=GENERATED_AT)
    b = render_team_feed(frame.iloc[::-1], AGENTS[::-1], tz="Europe/Moscow", team_name="T", generated_at=GENERATED_AT)
    assert a == b


@pytest.mark.parametrize("bad", ["../evil", "a/b", "", "x.ics", "team", "TEAM", "a b", "ä", "con", "NUL", "com1", "lpt9"])
def test_unsafe_agent_ids_are_refused(bad, tmp_path):
    with pytest.raises(InputError, match="agent id"):
        feed_file_name(bad)
    with pytest.raises(InputError):
        write_feeds(roster([]), (FeedAgent(agent_id=bad, name="x"),), out_dir=tmp_path, tz="UTC", team_name="T", generated_at=GENERATED_AT)
    assert list(tmp_path.iterdir()) == []


def test_input_errors(tmp_path):
    frame = roster(MOSCOW_ROSTER)
    with pytest.raises(InputError, match=r"missing columns \['queue', 'shift_id'\] in roster"):
        render_team_feed(frame.drop(columns=["queue", "shift_id"]), AGENTS, tz="UTC", team_name="T", generated_at=GENERATED_AT)
    with pytest.raises(InputError, match=r"not in the team: \['bob_2'\]"):
        render_team_feed(frame, AGENTS[:1], tz="UTC", team_name="T", generated_at=GENERATED_AT)
    with pytest.raises(InputError, match="no time zone"):
        render_team_feed(frame, AGENTS, tz="UTC", team_name="T", generated_at=datetime(2026, 1, 1))
    with pytest.raises(InputError, match="unknown time zone"):
        render_team_feed(frame, AGENTS, tz="Moscow", team_name="T", generated_at=GENERATED_AT)
    naive = frame.assign(start=frame["start"].dt.tz_localize(None))
    with pytest.raises(InputError, match="timezone-aware"):
        render_team_feed(naive, AGENTS, tz="UTC", team_name="T", generated_at=GENERATED_AT)
    backwards = frame.assign(end=frame["start"])
    with pytest.raises(InputError, match="roster row 1 .* is not after start"):
        render_team_feed(backwards, AGENTS, tz="UTC", team_name="T", generated_at=GENERATED_AT)
    with pytest.raises(InputError, match="differ only in case"):
        write_feeds(frame, (*AGENTS, FeedAgent(agent_id="Anna", name="x")), out_dir=tmp_path, tz="UTC", team_name="T", generated_at=GENERATED_AT)
    assert list(tmp_path.iterdir()) == []


def test_golden_moscow_two_agents(tmp_path):
    case = GOLDEN / "moscow_two_agents"
    paths = write_feeds(
        roster(MOSCOW_ROSTER),
        AGENTS,
        out_dir=tmp_path,
        tz="Europe/Moscow",
        team_name="Cashback Support",
        generated_at=GENERATED_AT,
    ).paths
    if os.environ.get("PEAKPLAN_REGEN_GOLDEN") == "1":
        case.mkdir(parents=True, exist_ok=True)
        for path in paths:
            (case / path.name).write_bytes(path.read_bytes())
    expected = sorted(p.name for p in case.iterdir())
    assert expected == sorted(p.name for p in paths), "golden files missing: run with PEAKPLAN_REGEN_GOLDEN=1"
    for path in paths:
        assert path.read_bytes() == (case / path.name).read_bytes(), f"{path.name} differs from golden"


# ----------------------------------------------------------------------------- property

ZONES = ["Europe/Berlin", "America/New_York", "Europe/Moscow", "Asia/Jerusalem", "UTC"]


@st.composite
def rosters(draw):
    agents = draw(st.lists(st.sampled_from(["a1", "b-2", "c_3"]), min_size=1, max_size=3, unique=True))
    rows, expected = [], []
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for agent in agents:
        for n in range(draw(st.integers(0, 3))):
            start = base + timedelta(minutes=15 * draw(st.integers(0, 4 * 24 * 365)))
            shift_id = f"{agent}-{n}"
            t = start
            for _ in range(draw(st.integers(1, 3))):
                length = timedelta(minutes=15 * draw(st.integers(1, 24)))
                rows.append((agent, draw(st.sampled_from(["chat", "email", "voice"])), t.isoformat(), (t + length).isoformat(), shift_id))
                t += length
            expected.append((f"{shift_id}@peakplan", start, t))
    return agents, rows, expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rosters(), tz=st.sampled_from(ZONES))
def test_property_roster_feed_parse_round_trip(data, tz):
    agent_ids, rows, expected = data
    frame = roster(rows)
    for agent_id in agent_ids:
        agent = FeedAgent(agent_id=agent_id, name=f"Agent {agent_id}, QA")
        feed = render_agent_feed(frame, agent, tz=tz, team_name="T", generated_at=GENERATED_AT)
        got = parse_everywhere(feed)
        want = sorted(e for e in expected if e[0].startswith(f"{agent_id}-"))
        assert got == want


def test_roster_errors_name_the_file_and_its_row_when_given():
    frame = roster([("anna", "chat", "2026-11-23T09:00:00+01:00", "2026-11-23T17:00:00+01:00", "s1")])
    frame.loc[0, "shift_id"] = ""
    with pytest.raises(InputError, match=r"^roster out/roster.csv row 2: shift_id is empty$"):
        roster_shifts(frame, source="out/roster.csv")
    with pytest.raises(InputError, match=r"^roster row 1: shift_id is empty$"):
        roster_shifts(frame)
    far = roster([("anna", "chat", "2199-11-23T09:00:00+01:00", "2201-11-23T17:00:00+01:00", "s1")])
    with pytest.raises(InputError, match="outside the years 1900-2200"):
        roster_shifts(far, source="r.csv")
