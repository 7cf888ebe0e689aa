"""CalDAV publishing pieces that need no server: paths, calendar objects, client checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from calendars.errors import InputError, PublishError
from calendars.feed_options import FeedOptions
from calendars.feeds import render_agent_feed
from calendars.shifts import FeedAgent
from calendars.publish import CalDAVClient, calendar_from_feed, calendar_path, event_object, read_feed_folder
from feeds_support import GENERATED_AT, parse_everywhere, roster

ROWS = [
    ("a01", "chat", "2026-10-24T22:00:00+02:00", "2026-10-25T03:00:00+01:00", "a01-2026-10-24-2200"),
    ("a01", "email", "2026-10-25T03:00:00+01:00", "2026-10-25T07:00:00+01:00", "a01-2026-10-24-2200"),
]


def feed(options: FeedOptions | None = None) -> bytes:
    return render_agent_feed(
        roster(ROWS), FeedAgent(agent_id="a01", name="Anna, \"A\""), tz="Europe/Berlin", team_name="T",
        generated_at=GENERATED_AT, options=options,
    )  # fmt: skip


def test_calendar_from_feed_and_event_object():
    calendar = calendar_from_feed("a01", feed(FeedOptions(color="teal")), "a01.ics")
    assert (calendar.display_name, calendar.color) == ('Anna, "A" — T shifts', "teal")
    (event,) = calendar.events
    data = event_object(event)
    assert b"METHOD" not in data  # RFC 4791: no METHOD in stored calendar objects
    ((uid, start, end),) = parse_everywhere(data)
    assert uid == "a01-2026-10-24-2200@peakplan" and end - start == timedelta(hours=10)
    assert start == datetime(2026, 10, 24, 20, tzinfo=UTC)


def test_calendar_path():
    client = CalDAVClient("https://cal.example.com/dav", "peak plan", "pw")
    assert client.url == "https://cal.example.com/dav/"
    assert calendar_path(client, "a01", "{user}/{agent_id}/") == "peak%20plan/a01/"
    assert calendar_path(client, "a01", "/calendars/{user}/{agent_id}") == "calendars/peak%20plan/a01/"
    assert client.absolute("peak%20plan/a01/") == "https://cal.example.com/dav/peak%20plan/a01/"
    with pytest.raises(InputError, match="must contain"):
        calendar_path(client, "a01", "{user}/shifts/")
    with pytest.raises(InputError, match="only {user} and {agent_id}"):
        calendar_path(client, "a01", "{team}/{agent_id}/")
    with pytest.raises(InputError, match="agent id"):
        calendar_path(client, "../x", "{user}/{agent_id}/")


@pytest.mark.parametrize(
    ("url", "fragment"),
    [("ftp://x/", "http(s) URL"), ("cal.example.com", "http(s) URL"), ("https://u:p@x/", "credentials"), ("https://x/?a=1", "query")],
)
def test_client_rejects_bad_urls(url, fragment):
    with pytest.raises(InputError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        CalDAVClient(url, "u", "pw")


def test_client_flags_plain_http_off_loopback_and_stays_on_its_server():
    assert CalDAVClient("http://cal.example.com/", "u", "pw").insecure
    assert not CalDAVClient("http://127.0.0.1:5232/", "u", "pw").insecure
    assert not CalDAVClient("https://cal.example.com/", "u", "pw").insecure
    with pytest.raises(PublishError, match="refusing"):
        CalDAVClient("https://cal.example.com/", "u", "pw").request("GET", "https://evil.example.net/x")


def test_read_feed_folder(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_feed_folder(tmp_path / "nope")
    with pytest.raises(InputError, match="holds no agent feed"):
        read_feed_folder(tmp_path)
    (tmp_path / "a01.ics").write_bytes(feed())
    (tmp_path / "team.ics").write_bytes(feed())
    (tmp_path / "notes.txt.ics").write_bytes(b"x")  # not a name peakplan writes
    assert [c.agent_id for c in read_feed_folder(tmp_path)] == ["a01"]
