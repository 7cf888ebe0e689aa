"""`peakplan publish` against a real Radicale server on 127.0.0.1, checked from a second client.

The second client is the ``caldav`` package logged in as the agent (read-only
rights on their own calendar), so what we check is what an agent's calendar
app would see, through code that shares nothing with peakplan's client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

pytest.importorskip("radicale", reason="radicale is a test extra: pip install -e '.[test]'")
caldav = pytest.importorskip("caldav")

from calendars.errors import PublishError  # noqa: E402
from calendars.feeds import render_agent_feed  # noqa: E402
from calendars.shifts import FeedAgent  # noqa: E402
from calendars.publish import CalDAVClient, calendar_from_feed, publish_calendars  # noqa: E402
from radicale_server import PUBLISHER, Radicale, radicale_server  # noqa: E402
from scheduler.cli import app  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "examples" / "cashback" / "peakplan.toml"
AGENT_PASSWORD = "agent-pw"
HEADER = "agent_id,queue,activity,start,end,shift_id\n"
ROSTER_1 = HEADER + (
    "a01,chat/ru,work,2026-11-23T09:00:00+03:00,2026-11-23T13:00:00+03:00,a01-2026-11-23-0900\n"
    "a01,,lunch,2026-11-23T13:00:00+03:00,2026-11-23T13:30:00+03:00,a01-2026-11-23-0900\n"
    "a01,email/ru,work,2026-11-23T13:30:00+03:00,2026-11-23T17:30:00+03:00,a01-2026-11-23-0900\n"
    "a01,chat/ru,work,2026-11-24T09:00:00+03:00,2026-11-24T17:00:00+03:00,a01-2026-11-24-0900\n"
    "a01,chat/ru,work,2026-11-25T09:00:00+03:00,2026-11-25T17:00:00+03:00,a01-2026-11-25-0900\n"
    "a02,email/ru,work,2026-11-23T12:00:00+03:00,2026-11-23T20:00:00+03:00,a02-2026-11-23-1200\n"
)
# a01: the 24th moves an hour later, the 25th is dropped, the 27th is new.
ROSTER_2 = HEADER + (
    "a01,chat/ru,work,2026-11-23T09:00:00+03:00,2026-11-23T13:00:00+03:00,a01-2026-11-23-0900\n"
    "a01,,lunch,2026-11-23T13:00:00+03:00,2026-11-23T13:30:00+03:00,a01-2026-11-23-0900\n"
    "a01,email/ru,work,2026-11-23T13:30:00+03:00,2026-11-23T17:30:00+03:00,a01-2026-11-23-0900\n"
    "a01,chat/ru,work,2026-11-24T10:00:00+03:00,2026-11-24T18:00:00+03:00,a01-2026-11-24-0900\n"
    "a01,social,work,2026-11-27T09:00:00+03:00,2026-11-27T17:00:00+03:00,a01-2026-11-27-0900\n"
    "a02,email/ru,work,2026-11-23T12:00:00+03:00,2026-11-23T20:00:00+03:00,a02-2026-11-23-1200\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    users = {PUBLISHER[0]: PUBLISHER[1], "a01": AGENT_PASSWORD, "a02": AGENT_PASSWORD}
    with radicale_server(tmp_path_factory.mktemp("radicale"), users) as running:
        yield running


def invoke(args: list[object], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def publish(server: Radicale, *args: object, password: str = PUBLISHER[1]) -> dict:
    result = invoke(
        ["publish", "--caldav", server.url, "--user", PUBLISHER[0], "--password-env", "PEAKPLAN_TEST_PW", "--json", *args],
        env={"PEAKPLAN_TEST_PW": password},
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def export(tmp_path: Path, roster_text: str, generated_at: str) -> Path:
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_text, encoding="utf-8")
    out = tmp_path / "feeds"
    result = invoke(
        ["export", "--config", CONFIG, "--roster", roster, "--out", out, "--generated-at", generated_at, "--week", "2026-W48"]
    )
    assert result.exit_code == 0, result.output
    return out


def agent_view(server: Radicale, agent_id: str, path: str = "peakplan") -> dict[str, dict]:
    """The agent's calendar as the agent's own client reads it: UID -> properties."""
    with caldav.DAVClient(url=server.url, username=agent_id, password=AGENT_PASSWORD) as client:
        calendar = client.calendar(url=f"{server.url}{path}/{agent_id}/")
        events = {}
        for item in calendar.events():
            component = item.icalendar_component
            events[str(component["UID"])] = {
                "start": component["DTSTART"].dt.astimezone(UTC),
                "end": component["DTEND"].dt.astimezone(UTC),
                "sequence": int(component.get("SEQUENCE", 0)),
                "summary": str(component["SUMMARY"]),
                "description": str(component["DESCRIPTION"]),
                "dtstamp": component["DTSTAMP"].dt,
            }
        name = calendar.get_display_name()
    return {"name": name, "events": events}


def test_publish_feed_folder_creates_updates_deletes_and_then_sends_nothing(server: Radicale, tmp_path: Path) -> None:
    feeds = export(tmp_path, ROSTER_1, "2026-11-20T09:00:00+03:00")
    first = publish(server, "--feeds", feeds)
    agents = [p for p in Path(feeds).glob("*.ics") if p.stem != "team"]
    assert first["totals"]["calendars_created"] == len(agents) >= 10  # one per agent of the example team, shifts or not
    assert first["totals"]["created"] == 4 and first["totals"]["updated"] == 0 and first["totals"]["deleted"] == 0

    view = agent_view(server, "a01")
    assert view["name"] == "Anna Petrova — Cashback Support shifts"
    assert sorted(view["events"]) == [
        "a01-2026-11-23-0900@peakplan",
        "a01-2026-11-24-0900@peakplan",
        "a01-2026-11-25-0900@peakplan",
    ]
    monday = view["events"]["a01-2026-11-23-0900@peakplan"]
    assert (monday["start"], monday["end"]) == (datetime(2026, 11, 23, 6, tzinfo=UTC), datetime(2026, 11, 23, 14, 30, tzinfo=UTC))
    assert monday["description"] == "09:00–13:00 chat/ru\n13:00–13:30 lunch\n13:30–17:30 email/ru"

    again = publish(server, "--feeds", feeds)
    assert again["totals"]["writes"] == 0 and again["totals"]["unchanged"] == 4
    assert set(again["requests"]) <= {"PROPFIND", "REPORT"}

    feeds = export(tmp_path, ROSTER_2, "2026-11-21T09:00:00+03:00")
    third = publish(server, "--feeds", feeds)
    assert {k: third["totals"][k] for k in ("created", "updated", "deleted", "unchanged")} == {
        "created": 1, "updated": 1, "deleted": 1, "unchanged": 2,
    }  # fmt: skip
    events = agent_view(server, "a01")["events"]
    assert sorted(events) == [
        "a01-2026-11-23-0900@peakplan",
        "a01-2026-11-24-0900@peakplan",
        "a01-2026-11-27-0900@peakplan",
    ]
    moved = events["a01-2026-11-24-0900@peakplan"]
    assert moved["sequence"] == 1 and moved["start"] == datetime(2026, 11, 24, 7, tzinfo=UTC)
    assert events["a01-2026-11-23-0900@peakplan"]["sequence"] == 0
    assert events["a01-2026-11-23-0900@peakplan"]["dtstamp"] == datetime(2026, 11, 20, 6, tzinfo=UTC)
    assert publish(server, "--feeds", feeds)["totals"]["writes"] == 0


def test_publish_from_roster_continues_sequence_from_the_server(server: Radicale, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    template = "{user}/roster-{agent_id}/"
    common = ["--config", CONFIG, "--roster", roster, "--week", "2026-W48", "--path-template", template]
    roster.write_text(ROSTER_1, encoding="utf-8")
    first = publish(server, *common, "--generated-at", "2026-11-20T09:00:00+03:00")
    assert first["totals"]["created"] == 4
    assert publish(server, *common, "--generated-at", "2026-11-20T10:00:00+03:00")["totals"]["writes"] == 0

    roster.write_text(ROSTER_2, encoding="utf-8")
    dry = publish(server, *common, "--generated-at", "2026-11-21T09:00:00+03:00", "--dry-run")
    assert dry["dry_run"] and dry["totals"]["writes"] == 0 and dry["totals"]["updated"] == 1
    third = publish(server, *common, "--generated-at", "2026-11-21T09:00:00+03:00")
    assert (third["totals"]["created"], third["totals"]["updated"], third["totals"]["deleted"]) == (1, 1, 1)
    with caldav.DAVClient(url=server.url, username="a01", password=AGENT_PASSWORD) as client:
        # The rights file only lets agents read peakplan/<their id>: they cannot see this test's calendars.
        with pytest.raises(caldav.lib.error.AuthorizationError):
            client.calendar(url=f"{server.url}peakplan/roster-a01/").events()
    with caldav.DAVClient(url=server.url, username=PUBLISHER[0], password=PUBLISHER[1]) as client:
        items = client.calendar(url=f"{server.url}peakplan/roster-a01/").events()
        sequences = {str(i.icalendar_component["UID"]): int(i.icalendar_component["SEQUENCE"]) for i in items}
    assert sequences == {
        "a01-2026-11-23-0900@peakplan": 0,
        "a01-2026-11-24-0900@peakplan": 1,
        "a01-2026-11-27-0900@peakplan": 0,
    }


def test_events_of_other_origin_are_left_alone(server: Radicale, tmp_path: Path) -> None:
    agent = FeedAgent(agent_id="a03", name="Agent Three")
    template = "{user}/foreign-{agent_id}/"
    client = CalDAVClient(server.url, *PUBLISHER)
    empty = render_agent_feed(
        _empty_roster(), agent, tz="Europe/Moscow", team_name="T", generated_at=datetime(2026, 11, 20, tzinfo=UTC)
    )
    publish_calendars(client, ["a03"], lambda a, _: calendar_from_feed(a, empty, "x"), path_template=template)
    with caldav.DAVClient(url=server.url, username=PUBLISHER[0], password=PUBLISHER[1]) as other:
        calendar = other.calendar(url=f"{server.url}peakplan/foreign-a03/")
        calendar.save_event(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:dentist@example.com\r\n"
            "DTSTAMP:20261101T000000Z\r\nDTSTART:20261124T100000Z\r\nDTEND:20261124T110000Z\r\nSUMMARY:Dentist\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    report = publish_calendars(
        CalDAVClient(server.url, *PUBLISHER), ["a03"], lambda a, _: calendar_from_feed(a, empty, "x"), path_template=template
    )
    (calendar_report,) = report.calendars
    assert (calendar_report.foreign, calendar_report.deleted, report.totals()["writes"]) == (1, (), 0)

    # Rendering from a roster against the server's events (as publish --roster does)
    # must not take the foreign event for a peakplan shift to carry over.
    def from_roster(agent_id, on_server):
        data = render_agent_feed(
            _empty_roster(), agent, tz="Europe/Moscow", team_name="T", generated_at=datetime(2026, 11, 21, tzinfo=UTC),
            previous=on_server, horizon=(date(2026, 1, 5), date(2026, 1, 11)),
        )  # fmt: skip
        return calendar_from_feed(agent_id, data, "x")

    report = publish_calendars(CalDAVClient(server.url, *PUBLISHER), ["a03"], from_roster, path_template=template)
    assert report.totals()["writes"] == 0 and report.calendars[0].foreign == 1


def test_wrong_password_is_one_clean_error(server: Radicale, tmp_path: Path) -> None:
    feeds = export(tmp_path, ROSTER_1, "2026-11-20T09:00:00+03:00")
    result = invoke(
        ["publish", "--caldav", server.url, "--user", PUBLISHER[0], "--password-env", "PEAKPLAN_TEST_PW", "--feeds", feeds],
        env={"PEAKPLAN_TEST_PW": "wrong"},
    )
    assert result.exit_code == 6  # ExitCode.PUBLISH
    assert "401 Unauthorized" in result.stderr and "Traceback" not in result.output
    assert result.stderr.startswith("Error: PROPFIND http://127.0.0.1:")


def test_agent_account_cannot_publish(server: Radicale) -> None:
    agent = FeedAgent(agent_id="a02", name="x")
    data = render_agent_feed(_empty_roster(), agent, tz="UTC", team_name="T", generated_at=datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(PublishError, match="403 Forbidden"):
        publish_calendars(
            CalDAVClient(server.url, "a02", AGENT_PASSWORD),
            ["a02"],
            lambda a, _: calendar_from_feed(a, data, "x"),
            path_template="peakplan/{agent_id}/",
        )


def _empty_roster():
    import pandas as pd

    return pd.DataFrame(columns=["agent_id", "queue", "activity", "start", "end", "shift_id"])
