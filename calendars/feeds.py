"""Roster feeds: one subscribable ``.ics`` per agent plus a team feed, and an index page.

The iCalendar text is written here by hand rather than through icalendar's
serializer: the bytes are the product (clients drop a whole feed over one bad
fold), and icalendar 7 gets several of them wrong for feeds (untyped
``NAME``/``X-WR-CALNAME``, ``X-PUBLISHED-TTL`` as ``12:00:00``, VTIMEZONE as
RDATE lists). Tests parse every feed back with icalendar, vobject and ical.

Stable updates (README, "Calendar feeds and publishing"): each feed is
rendered against the feed it replaces (the file already in the output folder,
or ``previous`` given explicitly, e.g. the events on a CalDAV server).

- An event whose content is unchanged keeps the previous DTSTAMP,
  LAST-MODIFIED and SEQUENCE, so its bytes are identical to the last run's,
  whatever ``generated_at`` is now. DTSTAMP therefore means "the run that
  last changed this event", the same instant as LAST-MODIFIED.
- A changed event gets DTSTAMP = LAST-MODIFIED = ``generated_at``; its
  SEQUENCE goes up by one only if its start, end or status changed (a new
  queue in the description is not a reschedule).
- A shift no longer in the roster is dropped (not sent as STATUS:CANCELLED:
  a client that ignores STATUS would show a cancelled shift as one to work).
- Events of the previous feed outside the days this roster plans (the
  ``horizon``) are carried over verbatim, so planning next week does not wipe
  the rest of this week, until they ended ``keep_days`` ago.

Where each part lives: :mod:`calendars.shifts` reads the roster into shifts,
:mod:`calendars.events` turns a shift into a VEVENT, :mod:`calendars.updates`
compares with the previous feed, this module assembles the calendars, and
:mod:`calendars.feed_folder` writes the folder with ``index.html``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Required, TypedDict, Unpack
from zoneinfo import ZoneInfo

import pandas as pd

from calendars.colors import CSS_COLORS
from calendars.errors import InputError
from calendars.events import UID_DOMAIN, draft_event, shift_title
from calendars.feed_options import FeedOptions, check_base_url, check_color
from calendars.ics import ParsedEvent, escape_text, fold_line
from calendars.shifts import (
    TEAM_FEED_NAME,
    FeedAgent,
    FeedShift,
    agents_by_id,
    check_known_agents,
    feed_file_name,
    roster_shifts,
)
from calendars.updates import FeedChanges, FinalEvent, check_kept_events, merge_events, previous_events
from calendars.vtimezone import load_zone, vtimezone_lines

__all__ = [
    "PRODID",
    "RenderSettings",
    "RenderedFeed",
    "render_feeds",
    "render_agent_feed",
    "render_team_feed",
]

PRODID = "-//peakplan//peakplan 0.1//EN"


class RenderSettings(TypedDict, total=False):
    """The keyword arguments every feed renderer takes (see :func:`render_feeds`)."""

    tz: Required[str]
    team_name: Required[str]
    generated_at: Required[datetime]
    horizon: tuple[date, date] | None
    options: FeedOptions | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedFeed:
    """One feed file's bytes and its changes against the previous feed."""

    file_name: str
    agent_id: str | None  # None for the team feed
    data: bytes
    changes: FeedChanges = field(default_factory=FeedChanges)


def _calendar_bytes(
    *,
    cal_name: str,
    file_name: str,
    tzid: str,
    events: Sequence[FinalEvent],
    generated_at: datetime,
    options: FeedOptions,
) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(cal_name)}",
        f"X-WR-CALNAME:{escape_text(cal_name)}",
        # No X-WR-TIMEZONE: every time carries a TZID (or is UTC), and consumers that
        # apply X-WR-TIMEZONE rewrite UTC times into the zone, which loses the second
        # occurrence of a repeated DST hour (found by the round-trip property test
        # through recurring-ical-events / x-wr-timezone).
        f"REFRESH-INTERVAL;VALUE=DURATION:{options.refresh}",
        f"X-PUBLISHED-TTL:{options.refresh}",
    ]
    if options.color is not None:
        color = check_color(options.color)
        lines += [f"COLOR:{color}", f"X-APPLE-CALENDAR-COLOR:{CSS_COLORS[color]}"]
    if options.base_url is not None:
        lines.append(f"SOURCE;VALUE=URI:{check_base_url(options.base_url)}{file_name}")
    starts = [e.start for e in events if e.start is not None]
    ends = [e.end for e in events if e.end is not None]
    span = (min(starts, default=generated_at), max(ends, default=generated_at))
    # The team zone's VTIMEZONE is always written, even for an empty feed,
    # so clients adding events later find the zone.
    used = sorted(set().union(*(e.tzids for e in events)) - {tzid})
    for name in (tzid, *used):
        lines += vtimezone_lines(name, span[0], max(span))
    for event in sorted(events, key=lambda e: (e.start or span[0], e.uid)):
        lines += event.lines
    lines.append("END:VCALENDAR")
    return b"".join(fold_line(line) for line in lines)


def _check_inputs(tz: str, generated_at: datetime) -> ZoneInfo:
    zone = load_zone(tz)
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise InputError(
            f"generated_at {generated_at.isoformat()} has no time zone: give it with an offset, e.g. ...T09:00:00+03:00"
        )
    return zone


def _render_one(
    shifts: Sequence[FeedShift],
    *,
    file_name: str,
    agent_id: str | None,
    cal_name: str,
    title: Mapping[str, str] | str,
    uid_suffix: str,
    tz: str,
    zone: ZoneInfo,
    generated_at: datetime,
    previous: Sequence[ParsedEvent],
    horizon: tuple[date, date] | None,
    options: FeedOptions,
) -> RenderedFeed:
    drafts = [
        draft_event(
            s,
            summary=(title if isinstance(title, str) else title[s.agent_id]) + shift_title(s),
            uid=f"{s.shift_id}{uid_suffix}@{UID_DOMAIN}",
            tzid=tz,
            zone=zone,
        )
        for s in shifts
    ]
    finals, changes = merge_events(
        drafts, previous, zone=zone, generated_at=generated_at, horizon=horizon, keep_days=options.keep_days
    )
    kept = set(changes.kept)
    check_kept_events([f for f in finals if f.uid in kept], f"previous feed {file_name}", generated_at)
    data = _calendar_bytes(
        cal_name=cal_name, file_name=file_name, tzid=tz, events=finals, generated_at=generated_at, options=options
    )
    return RenderedFeed(file_name=file_name, agent_id=agent_id, data=data, changes=changes)


def render_feeds(
    roster: pd.DataFrame,
    agents: Sequence[FeedAgent],
    *,
    tz: str,
    team_name: str,
    generated_at: datetime,
    previous: Mapping[str, bytes | Sequence[ParsedEvent]] | None = None,
    horizon: tuple[date, date] | None = None,
    options: FeedOptions | None = None,
    team_feed: bool = True,
) -> tuple[RenderedFeed, ...]:
    """Render every agent's feed (sorted by agent id) and the team feed, in memory.

    Args:
        roster: the roster table (``ROSTER_COLUMNS``).
        agents: the team; every roster agent must be listed.
        tz: team time zone (IANA); events carry ``TZID=<tz>`` local times.
        team_name: used in the calendar names.
        generated_at: tz-aware run timestamp: DTSTAMP/LAST-MODIFIED of what changed.
        previous: the feeds being replaced, by file name (``a01.ics``,
            ``team.ics``): their bytes or their parsed events.
        horizon: first and last local day this roster plans; previous events
            starting outside it are carried over. None: the roster replaces
            the whole feed.
        options: calendar-level settings.
        team_feed: also render ``team.ics``.

    Raises:
        InputError: invalid roster, unknown or unsafe agents, unknown zone,
            naive ``generated_at`` or an unreadable previous feed.
    """
    zone = _check_inputs(tz, generated_at)
    options = options or FeedOptions()
    by_id = agents_by_id(agents)
    shifts = roster_shifts(roster)
    check_known_agents(shifts, by_id)
    previous = previous or {}
    common = {"tz": tz, "zone": zone, "generated_at": generated_at, "horizon": horizon, "options": options}
    feeds = []
    for agent_id in sorted(by_id):
        name = feed_file_name(agent_id)
        feeds.append(
            _render_one(
                [s for s in shifts if s.agent_id == agent_id],
                file_name=name,
                agent_id=agent_id,
                cal_name=f"{by_id[agent_id].name} — {team_name} shifts",
                title="Shift: ",
                uid_suffix="",
                previous=previous_events(previous.get(name), f"previous feed {name}"),
                **common,  # type: ignore[arg-type]
            )
        )
    if team_feed:
        name = f"{TEAM_FEED_NAME}.ics"
        # Own UIDs, so that someone subscribed to both their feed and the team
        # feed does not see two calendars fight over one UID.
        feeds.append(
            _render_one(
                shifts,
                file_name=name,
                agent_id=None,
                cal_name=f"{team_name} — team shifts",
                title={agent_id: f"{agent.name}: " for agent_id, agent in by_id.items()},
                uid_suffix="-team",
                previous=previous_events(previous.get(name), f"previous feed {name}"),
                **common,  # type: ignore[arg-type]
            )
        )
    return tuple(feeds)


def render_agent_feed(
    roster: pd.DataFrame,
    agent: FeedAgent,
    *,
    previous: bytes | Sequence[ParsedEvent] | None = None,
    **settings: Unpack[RenderSettings],
) -> bytes:
    """Render one agent's feed: a VEVENT per shift of ``agent`` in ``roster``.

    Other agents' rows are ignored. An agent with no shifts gets a valid
    calendar without events. ``previous`` is that feed's last version; see
    :func:`render_feeds` for the other arguments.
    """
    own = roster[roster["agent_id"] == agent.agent_id] if "agent_id" in roster.columns else roster
    name = feed_file_name(agent.agent_id)
    (feed,) = render_feeds(own, [agent], previous=_previous_of(name, previous), team_feed=False, **settings)
    return feed.data


def render_team_feed(
    roster: pd.DataFrame,
    agents: Sequence[FeedAgent],
    *,
    previous: bytes | Sequence[ParsedEvent] | None = None,
    **settings: Unpack[RenderSettings],
) -> bytes:
    """Render the team feed: every shift of every agent, titled with the agent's name.

    UIDs are ``<shift_id>-team@peakplan``. See :func:`render_feeds`.

    Raises:
        InputError: invalid roster, a roster agent missing from ``agents``,
            duplicate agents, unknown zone or naive ``generated_at``.
    """
    name = f"{TEAM_FEED_NAME}.ics"
    return render_feeds(roster, agents, previous=_previous_of(name, previous), **settings)[-1].data


def _previous_of(
    file_name: str, previous: bytes | Sequence[ParsedEvent] | None
) -> dict[str, bytes | Sequence[ParsedEvent]] | None:
    return {file_name: previous} if previous is not None else None
