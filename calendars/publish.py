"""Publishing the agent feeds to a CalDAV server: one calendar per agent.

Layout: the calendar of agent ``a01`` is the collection
``<server URL>/<path template>``, by default ``{user}/{agent_id}/`` (Radicale,
Baïkal and most servers keep a user's calendars under ``/<user>/``; Nextcloud
wants ``remote.php/dav/calendars/{user}/{agent_id}/``). The publishing
account owns the calendars; agents get read access through the server's
sharing or rights (README, "Calendar feeds and publishing"). Each shift is one
calendar object resource named after its UID.

A run synchronises every agent calendar with that agent's feed:

1. PROPFIND the calendar; MKCALENDAR it when missing, PROPPATCH its name or
   colour when they changed.
2. REPORT (calendar-query) the events on the server with their ETags.
3. PUT what is new (``If-None-Match: *``) or changed (``If-Match: <etag>``),
   DELETE peakplan events (UID ``...@peakplan``) that are no longer in the
   feed; events of other origin in the calendar are left alone.

"Changed" compares meaning, not bytes (the server re-serialises what it
stores): the properties peakplan writes, with times as instants and text
unescaped. So a second run with the same feed sends no write at all.

The HTTP client is the standard library's: five verbs with Basic auth do not
justify the ``caldav`` package (and its lxml, niquests, dnspython, ...), which
also bumps SEQUENCE itself on save.
"""

from __future__ import annotations

import base64
import http.client
import ssl
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit
from xml.sax.saxutils import escape as xml_escape

from calendars.colors import CSS_COLORS
from calendars.errors import InputError, PublishError
from calendars.feeds import PRODID
from calendars.ics import ParsedEvent, event_fingerprint, fold_line, own_properties, read_calendar, unescape_text
from calendars.shifts import TEAM_FEED_NAME, feed_file_name
from calendars.updates import check_event_tzids, check_event_years
from calendars.vtimezone import vtimezone_lines

__all__ = [
    "DEFAULT_PATH_TEMPLATE",
    "AgentCalendar",
    "CalDAVClient",
    "CalendarReport",
    "PublishReport",
    "calendar_from_feed",
    "read_feed_folder",
    "publish_calendars",
    "event_object",
]

DEFAULT_PATH_TEMPLATE = "{user}/{agent_id}/"
UID_SUFFIX = "@peakplan"
WRITE_METHODS = ("MKCALENDAR", "PROPPATCH", "PUT", "DELETE")

_NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav", "A": "http://apple.com/ns/ical/"}
_XML_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n'


# ------------------------------------------------------------------------ model


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentCalendar:
    """What one agent's CalDAV calendar should hold."""

    agent_id: str
    display_name: str
    color: str | None  # CSS3 keyword
    events: tuple[ParsedEvent, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarReport:
    """What a run did (or, dry, would do) to one agent's calendar."""

    agent_id: str
    url: str
    calendar_created: bool = False
    calendar_updated: bool = False
    created: tuple[str, ...] = ()  # UIDs
    updated: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unchanged: int = 0
    foreign: int = 0  # events in the calendar that peakplan did not write: left alone


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishReport:
    calendars: tuple[CalendarReport, ...]
    requests: Mapping[str, int] = field(default_factory=dict)  # HTTP requests sent, by method
    dry_run: bool = False

    def totals(self) -> dict[str, int]:
        return {
            "calendars": len(self.calendars),
            "calendars_created": sum(c.calendar_created for c in self.calendars),
            "calendars_updated": sum(c.calendar_updated for c in self.calendars),
            "created": sum(len(c.created) for c in self.calendars),
            "updated": sum(len(c.updated) for c in self.calendars),
            "deleted": sum(len(c.deleted) for c in self.calendars),
            "unchanged": sum(c.unchanged for c in self.calendars),
            "writes": sum(self.requests.get(m, 0) for m in WRITE_METHODS),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class _ServerObject:
    href: str
    etag: str | None
    event: ParsedEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class _ServerCalendar:
    exists: bool
    display_name: str | None = None
    color: str | None = None  # as the server holds it (#RRGGBB or #RRGGBBAA)
    objects: tuple[_ServerObject, ...] = ()


# ----------------------------------------------------------------------- client


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


class CalDAVClient:
    """A minimal CalDAV client over one keep-alive connection, with Basic auth.

    Args:
        url: the server's base URL (``https://cal.example.com/`` or
            ``http://127.0.0.1:5232/``); calendar paths are resolved against it.
        user: the publishing account.
        password: its password.
        timeout: seconds per request.
    """

    def __init__(self, url: str, user: str, password: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"--caldav {url!r} must be an http(s) URL such as https://cal.example.com/")
        if parts.query or parts.fragment or parts.username:
            raise InputError(f"--caldav {url!r} must not carry a query, fragment or credentials (use --user)")
        if not user:
            raise InputError("--user is empty: give the CalDAV account that publishes the calendars")
        self.url = url if url.endswith("/") else url + "/"
        self.user = user
        self._parts = urlsplit(self.url)
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self._auth = f"Basic {token}"
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self.requests: dict[str, int] = {}

    @property
    def insecure(self) -> bool:
        """Plain http to a host other than loopback: the password travels in clear."""
        host = self._parts.hostname or ""
        return self._parts.scheme == "http" and host not in ("localhost", "::1") and not host.startswith("127.")

    def absolute(self, path: str) -> str:
        return urljoin(self.url, path)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            host, port = self._parts.hostname or "", self._parts.port
            if self._parts.scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    host, port, timeout=self._timeout, context=ssl.create_default_context()
                )
            else:
                self._conn = http.client.HTTPConnection(host, port, timeout=self._timeout)
        return self._conn

    def request(
        self, method: str, url: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> _Response:
        """Send one request; reconnects once if the kept-alive connection was closed.

        Raises:
            PublishError: the server cannot be reached.
        """
        target = urlsplit(self.absolute(url))
        if (target.scheme, target.netloc) != (self._parts.scheme, self._parts.netloc):
            raise PublishError(f"refusing to follow {url!r} off the CalDAV server {self._parts.netloc}")
        path = target.path + (f"?{target.query}" if target.query else "")
        all_headers = {"Authorization": self._auth, "User-Agent": "peakplan", **(headers or {})}
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=all_headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise PublishError(
                        f"CalDAV server {self._parts.netloc} closed the connection ({method} {path})"
                    ) from None
                continue
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise PublishError(f"cannot reach CalDAV server {self._parts.netloc}: {exc}") from None
            self.requests[method] = self.requests.get(method, 0) + 1
            if response.will_close:
                self.close()
            return _Response(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        raise AssertionError("unreachable")

    def check(self, response: _Response, method: str, url: str, *, ok: Iterable[int]) -> _Response:
        """Return ``response`` if its status is in ``ok``, else raise a readable PublishError."""
        if response.status in tuple(ok):
            return response
        where = f"{method} {self.absolute(url)}"
        if response.status == 401:
            raise PublishError(
                f"{where}: 401 Unauthorized: the server refused user {self.user!r} (check --user and the password)"
            )
        if response.status == 403:
            raise PublishError(
                f"{where}: 403 Forbidden: user {self.user!r} may not write there (check the server's rights)"
            )
        if response.status == 412:
            raise PublishError(
                f"{where}: 412 Precondition Failed: the event changed on the server meanwhile; run publish again"
            )
        snippet = response.body[:200].decode("utf-8", "replace").strip()
        raise PublishError(f"{where}: HTTP {response.status}" + (f": {snippet}" if snippet else ""))


# --------------------------------------------------------------------- feeds in


def calendar_from_feed(agent_id: str, data: bytes, source: str) -> AgentCalendar:
    """The calendar an agent feed describes: its name, colour and events.

    Raises:
        InputError: unreadable feed, or an event without an IANA TZID or without
            a readable DTSTART.
    """
    parsed = read_calendar(data, source)
    props = {p.name: p for p in reversed(parsed.properties)}  # first occurrence wins
    name_prop = props.get("NAME") or props.get("X-WR-CALNAME")
    color = props.get("COLOR")
    check_event_years(parsed.events, source)
    for event in parsed.events:
        if event.start is None:
            raise InputError(f"{source}: event {event.uid!r} has no DTSTART with a time zone or UTC")
        check_event_tzids(event.uid, event.tzids, source)
    return AgentCalendar(
        agent_id=agent_id,
        display_name=unescape_text(name_prop.value) if name_prop else agent_id,
        color=color.value.strip().lower() if color and color.value.strip().lower() in CSS_COLORS else None,
        events=parsed.events,
    )


def read_feed_folder(folder: str | Path) -> tuple[AgentCalendar, ...]:
    """Every agent feed ``<agent_id>.ics`` in ``folder`` (not ``team.ics``), sorted by id.

    Raises:
        InputError: the folder is missing or holds no agent feed, or a feed is unreadable.
    """
    base = Path(folder)
    if not base.is_dir():
        raise InputError(f"feeds folder {base} not found (run peakplan export or plan first)")
    calendars = []
    for path in sorted(base.glob("*.ics")):
        if path.stem == TEAM_FEED_NAME:
            continue
        try:
            feed_file_name(path.stem)
        except InputError:
            continue  # not a name peakplan writes: not an agent feed
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"feed {path}: cannot read ({exc.strerror})") from None
        calendars.append(calendar_from_feed(path.stem, data, str(path)))
    if not calendars:
        raise InputError(f"feeds folder {base} holds no agent feed <agent_id>.ics")
    return tuple(calendars)


def event_object(event: ParsedEvent) -> bytes:
    """One event as a CalDAV calendar object resource: VCALENDAR, its VTIMEZONEs, the VEVENT.

    No METHOD: RFC 4791 forbids it in stored calendar objects.
    """
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    start = event.start
    end = event.end or start
    assert start is not None and end is not None  # checked by calendar_from_feed
    for tzid in sorted(event.tzids):
        lines += vtimezone_lines(tzid, start, max(start, end))
    lines += event.lines
    lines.append("END:VCALENDAR")
    return b"".join(fold_line(line) for line in lines)


# ------------------------------------------------------------------ server side

_PROPFIND = (
    _XML_HEADER
    + '<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/">'
    "<D:prop><D:resourcetype/><D:displayname/><A:calendar-color/></D:prop></D:propfind>"
).encode()

_QUERY = (
    _XML_HEADER + '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
    '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>'
    "</C:calendar-query>"
).encode()


def _calendar_props(display_name: str, color: str | None) -> str:
    props = f"<D:displayname>{xml_escape(display_name)}</D:displayname>"
    if color is not None:
        props += f"<A:calendar-color>{CSS_COLORS[color]}</A:calendar-color>"
    return props


def _multistatus(response: _Response, where: str) -> list[ET.Element]:
    try:
        root = ET.fromstring(response.body)
    except ET.ParseError as exc:
        raise PublishError(f"{where}: the server's answer is not XML ({exc})") from None
    return root.findall("D:response", _NS)


def _ok_prop(response: ET.Element, path: str) -> ET.Element | None:
    for propstat in response.findall("D:propstat", _NS):
        status = propstat.findtext("D:status", default="", namespaces=_NS)
        if " 200 " in f"{status} ":
            found = propstat.find(f"D:prop/{path}", _NS)
            if found is not None:
                return found
    return None


def _fetch(client: CalDAVClient, url: str) -> _ServerCalendar:
    where = f"PROPFIND {client.absolute(url)}"
    response = client.request(
        "PROPFIND", url, _PROPFIND, {"Depth": "0", "Content-Type": "application/xml; charset=utf-8"}
    )
    if response.status == 404:
        return _ServerCalendar(exists=False)
    client.check(response, "PROPFIND", url, ok=(207,))
    responses = _multistatus(response, where)
    if not responses:
        raise PublishError(f"{where}: empty answer")
    first = responses[0]
    kind = _ok_prop(first, "D:resourcetype")
    if kind is None or kind.find("C:calendar", _NS) is None:
        raise PublishError(f"{client.absolute(url)} exists but is not a calendar: choose another --path-template")
    name = _ok_prop(first, "D:displayname")
    color = _ok_prop(first, "A:calendar-color")

    where = f"REPORT {client.absolute(url)}"
    response = client.request("REPORT", url, _QUERY, {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
    client.check(response, "REPORT", url, ok=(207,))
    objects = []
    for item in _multistatus(response, where):
        href = item.findtext("D:href", default="", namespaces=_NS).strip()
        data = _ok_prop(item, "C:calendar-data")
        if not href or data is None or not (data.text or "").strip():
            continue
        etag_prop = _ok_prop(item, "D:getetag")
        etag = (etag_prop.text or "").strip() or None if etag_prop is not None else None
        try:
            events = read_calendar((data.text or "").encode("utf-8"), f"{client.absolute(href)}").events
        except InputError:
            continue  # not ours to judge; an unreadable object is never a peakplan event
        for event in events:
            objects.append(_ServerObject(href=href, etag=etag, event=event))
    return _ServerCalendar(
        exists=True,
        display_name=(name.text or "") if name is not None else None,
        color=(color.text or "").strip() if color is not None else None,
        objects=tuple(objects),
    )


def _same(a: ParsedEvent, b: ParsedEvent) -> bool:
    return event_fingerprint(own_properties(a.props)) == event_fingerprint(own_properties(b.props))


def _same_color(server: str | None, wanted: str | None) -> bool:
    if wanted is None:
        return True
    return (server or "").upper()[:7] == CSS_COLORS[wanted]


def _sync(
    client: CalDAVClient, url: str, calendar: AgentCalendar, server: _ServerCalendar, *, dry_run: bool
) -> CalendarReport:
    created_calendar = updated_calendar = False
    if not server.exists:
        created_calendar = True
        if not dry_run:
            body = (
                _XML_HEADER
                + '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/">'
                f"<D:set><D:prop>{_calendar_props(calendar.display_name, calendar.color)}"
                '<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>'
                "</D:prop></D:set></C:mkcalendar>"
            ).encode()
            response = client.request("MKCALENDAR", url, body, {"Content-Type": "application/xml; charset=utf-8"})
            client.check(response, "MKCALENDAR", url, ok=(201,))
    elif server.display_name != calendar.display_name or not _same_color(server.color, calendar.color):
        updated_calendar = True
        if not dry_run:
            body = (
                _XML_HEADER + '<D:propertyupdate xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/">'
                f"<D:set><D:prop>{_calendar_props(calendar.display_name, calendar.color)}</D:prop></D:set>"
                "</D:propertyupdate>"
            ).encode()
            response = client.request("PROPPATCH", url, body, {"Content-Type": "application/xml; charset=utf-8"})
            client.check(response, "PROPPATCH", url, ok=(207, 200))

    on_server: dict[str, _ServerObject] = {}
    duplicates: list[_ServerObject] = []
    foreign_hrefs: set[str] = set()
    for obj in server.objects:
        if not obj.event.uid.endswith(UID_SUFFIX):
            foreign_hrefs.add(obj.href)
        elif obj.event.uid in on_server:
            if on_server[obj.event.uid].href != obj.href:
                duplicates.append(obj)
        else:
            on_server[obj.event.uid] = obj

    created, updated, unchanged = [], [], 0
    wanted = {event.uid: event for event in calendar.events}
    for uid in sorted(wanted):
        event = wanted[uid]
        current = on_server.get(uid)
        if current is not None and _same(event, current.event):
            unchanged += 1
            continue
        if current is None:
            href, condition = url + quote(uid, safe="-_.~") + ".ics", {"If-None-Match": "*"}
            created.append(uid)
        else:
            href = current.href
            condition = {"If-Match": current.etag} if current.etag else {}
            updated.append(uid)
        if not dry_run:
            response = client.request(
                "PUT", href, event_object(event), {"Content-Type": "text/calendar; charset=utf-8", **condition}
            )
            client.check(response, "PUT", href, ok=(200, 201, 204))

    gone = [obj for uid, obj in sorted(on_server.items()) if uid not in wanted] + duplicates
    for obj in gone:
        if not dry_run:
            response = client.request("DELETE", obj.href, None, {"If-Match": obj.etag} if obj.etag else {})
            client.check(response, "DELETE", obj.href, ok=(200, 204, 404))
    return CalendarReport(
        agent_id=calendar.agent_id,
        url=client.absolute(url),
        calendar_created=created_calendar,
        calendar_updated=updated_calendar,
        created=tuple(created),
        updated=tuple(updated),
        deleted=tuple(sorted({obj.event.uid for obj in gone})),
        unchanged=unchanged,
        foreign=len(foreign_hrefs),
    )


def calendar_path(client: CalDAVClient, agent_id: str, path_template: str) -> str:
    """The agent's calendar URL path, relative to the server URL, ending in ``/``.

    Raises:
        InputError: the template lacks ``{agent_id}`` or has unknown placeholders.
    """
    if "{agent_id}" not in path_template:
        raise InputError(f"--path-template {path_template!r} must contain {{agent_id}}, e.g. {DEFAULT_PATH_TEMPLATE}")
    feed_file_name(agent_id)  # a safe id: no '/', no '..'
    try:
        path = path_template.format(user=quote(client.user, safe=""), agent_id=agent_id)
    except (KeyError, IndexError, ValueError) as exc:
        raise InputError(
            f"--path-template {path_template!r}: only {{user}} and {{agent_id}} may be used ({exc})"
        ) from None
    path = path.lstrip("/")
    return path if path.endswith("/") else path + "/"


def publish_calendars(
    client: CalDAVClient,
    agents: Sequence[str],
    calendar_for: Callable[[str, tuple[ParsedEvent, ...]], AgentCalendar],
    *,
    path_template: str = DEFAULT_PATH_TEMPLATE,
    dry_run: bool = False,
) -> PublishReport:
    """Synchronise each agent's CalDAV calendar with what ``calendar_for`` says it should hold.

    Args:
        client: connected to the server as the publishing account.
        agents: agent ids, in the order to publish.
        calendar_for: ``(agent_id, peakplan events now on the server) -> AgentCalendar``;
            rendering from a roster uses the server's events as the previous
            feed (SEQUENCE, DTSTAMP), a feed folder ignores them.
        path_template: where each agent's calendar lives (``{user}``, ``{agent_id}``).
        dry_run: read the server, report, write nothing.

    Raises:
        PublishError: the server refused a request (the message says which).
        InputError: bad path template or feed.
    """
    reports = []
    try:
        for agent_id in agents:
            url = calendar_path(client, agent_id, path_template)
            server = _fetch(client, url)
            ours = tuple(obj.event for obj in server.objects if obj.event.uid.endswith(UID_SUFFIX))
            calendar = calendar_for(agent_id, ours)
            reports.append(_sync(client, url, calendar, server, dry_run=dry_run))
    finally:
        client.close()
    return PublishReport(calendars=tuple(reports), requests=dict(sorted(client.requests.items())), dry_run=dry_run)
