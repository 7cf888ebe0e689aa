"""Every feed reads the same in icalendar, vobject, ical and recurring-ical-events, DST nights included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendars.feed_options import FeedOptions
from calendars.feeds import render_agent_feed, render_team_feed
from calendars.shifts import FeedAgent
from feeds_support import (
    GENERATED_AT,
    parse_ical,
    parse_icalendar,
    parse_everywhere,
    parse_vobject,
    roster,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "feeds"
AGENT = FeedAgent(agent_id="anna", name="Anna")
PARSERS_WITH_VTIMEZONE = {"icalendar": parse_icalendar, "vobject": parse_vobject, "ical": parse_ical}


def night(tz: str, start: str, end: str) -> bytes:
    rows = [
        ("anna", "chat", start, end, "anna-night"),
    ]
    return render_agent_feed(roster(rows), AGENT, tz=tz, team_name="T", generated_at=GENERATED_AT)


@pytest.mark.parametrize(
    ("tz", "start", "end", "hours"),
    [
        # 22:00 to 07:00 on the wall clock; the clocks go back at 03:00 on 2026-10-25: 10 hours.
        ("Europe/Berlin", "2026-10-24T22:00:00+02:00", "2026-10-25T07:00:00+01:00", 10),
        # ... and forward at 02:00 on 2026-03-29: 8 hours.
        ("Europe/Berlin", "2026-03-28T22:00:00+01:00", "2026-03-29T07:00:00+02:00", 8),
        ("America/New_York", "2026-03-07T22:00:00-05:00", "2026-03-08T07:00:00-04:00", 8),
        ("America/New_York", "2026-10-31T22:00:00-04:00", "2026-11-01T07:00:00-05:00", 10),
        ("Asia/Jerusalem", "2026-03-26T22:00:00+02:00", "2026-03-27T07:00:00+03:00", 8),
    ],
)
def test_dst_night_shift_has_its_real_length_in_every_parser(tz, start, end, hours):
    data = night(tz, start, end)
    ((_, begin, finish),) = parse_everywhere(data)
    assert finish - begin == timedelta(hours=hours)
    assert begin == datetime.fromisoformat(start).astimezone(UTC)


@pytest.mark.parametrize("name", sorted(PARSERS_WITH_VTIMEZONE))
def test_parsers_use_the_feeds_own_vtimezone(name):
    # With the TZID renamed no parser can fall back to its IANA database:
    # the length must come from our RRULE-form VTIMEZONE.
    data = night("Europe/Berlin", "2026-10-24T22:00:00+02:00", "2026-10-25T07:00:00+01:00")
    # vobject remembers a TZID's definition process-wide: a name per test.
    renamed = data.replace(b"Europe/Berlin", f"X-Peakplan-Test/{name}".encode())
    ((_, begin, finish),) = PARSERS_WITH_VTIMEZONE[name](renamed)
    assert (begin, finish - begin) == (datetime(2026, 10, 24, 20, tzinfo=UTC), timedelta(hours=10))


def test_rdate_style_vtimezone_would_be_caught():
    # Guards the check above: a VTIMEZONE that only has the first DST change
    # (what ical.js makes of an RDATE list) gives the wrong length.
    data = night("Europe/Berlin", "2026-10-24T22:00:00+02:00", "2026-10-25T07:00:00+01:00")
    broken = data.replace(b"Europe/Berlin", b"X-Peakplan-Test/Broken")
    broken = broken.replace(b"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n", b"")
    for parse in PARSERS_WITH_VTIMEZONE.values():
        ((_, begin, finish),) = parse(broken)
        assert finish - begin == timedelta(hours=9)


@pytest.mark.parametrize("path", sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*.ics")))
def test_golden_feeds_parse_everywhere(path):
    assert parse_everywhere((GOLDEN / path).read_bytes())


def test_team_feed_with_options_parses_everywhere():
    rows = [
        ("anna", "chat", "2026-11-27T09:00:00+03:00", "2026-11-27T17:00:00+03:00", "a-1"),
        ("bob", "", "2026-11-27T12:00:00+03:00", "2026-11-27T12:30:00+03:00", "b-1"),
        ("bob", "email", "2026-11-27T12:30:00+03:00", "2026-11-27T20:00:00+03:00", "b-1"),
    ]
    agents = (AGENT, FeedAgent(agent_id="bob", name="Bob; \"the\" \\ builder,\nnight"))
    data = render_team_feed(
        roster(rows),
        agents,
        tz="Europe/Moscow",
        team_name="Support, EU",
        generated_at=GENERATED_AT,
        options=FeedOptions(color="seagreen", base_url="https://example.com/f/", refresh="P1D"),
    )
    assert [uid for uid, _, _ in parse_everywhere(data)] == ["a-1-team@peakplan", "b-1-team@peakplan"]


# ----------------------------------------------------------------------------- property

ZONES = ["Europe/Berlin", "America/New_York", "Europe/Moscow", "Asia/Jerusalem", "Australia/Lord_Howe", "UTC"]
NAMES = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)


@st.composite
def rosters(draw):
    rows, activities, expected = [], [], []
    base = datetime(2026, 1, 1, tzinfo=UTC)
    start = base + timedelta(minutes=15 * draw(st.integers(0, 4 * 24 * 365)))
    for n in range(draw(st.integers(0, 4))):
        shift_id = f"anna-{n}"
        t = start
        for _ in range(draw(st.integers(1, 4))):
            length = timedelta(minutes=15 * draw(st.integers(1, 24)))
            activity = draw(st.sampled_from(["work", "work", "lunch", "break"]))
            queue = draw(st.sampled_from(["chat", "email", "voice, vip"])) if activity == "work" else ""
            rows.append(("anna", queue, t.isoformat(), (t + length).isoformat(), shift_id))
            activities.append(activity)
            t += length
        expected.append((f"{shift_id}@peakplan", start, t))
        start = t + timedelta(hours=draw(st.integers(11, 60)))
    return rows, activities, expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rosters(), tz=st.sampled_from(ZONES), name=NAMES)
def test_property_roster_feed_parse_round_trip_in_every_parser(data, tz, name):
    rows, activities, expected = data
    feed = render_agent_feed(
        roster(rows, activities), FeedAgent(agent_id="anna", name=name), tz=tz, team_name="T", generated_at=GENERATED_AT
    )
    assert parse_everywhere(feed) == sorted(expected)
    # A second run on the same roster, later, changes nothing.
    again = render_agent_feed(
        roster(rows, activities),
        FeedAgent(agent_id="anna", name=name),
        tz=tz,
        team_name="T",
        generated_at=GENERATED_AT + timedelta(days=3),
        previous=feed,
    )
    assert again == feed
