"""The marketing sale calendar: ``.ics`` or ``.csv`` in, the events table out.

The table follows the ``events`` contract in docs/data-contracts.md (``EVENT_COLUMNS``,
:mod:`calendars.sale_event`).

Rules worth knowing:

- ``.ics``: DATE events run from local midnight (in the team zone) of DTSTART
  to local midnight of DTEND (exclusive, as RFC 5545 says); a DATE event
  without DTEND/DURATION lasts one day. Timed events keep their TZID or UTC;
  floating times are read in the calendar's ``X-WR-TIMEZONE`` (as Google and
  Apple write it) or else the team zone; a TZID that is neither IANA nor
  defined by a VTIMEZONE in the file is an error. STATUS:CANCELLED events (and
  cancelled instances) are skipped; two events with one UID and no
  RECURRENCE-ID are an error. RRULE/RDATE/EXDATE recurrences are
  expanded over the days asked for (``days``: the history and the planned
  week), else up to 5 years after DTSTART; a rule giving more than
  5,000 sales there is an error (:mod:`calendars.recurrence`). Each instance gets the event id
  ``<UID>/<recurrence id>`` (``20261127`` for dates, ``20261127T060000Z`` for
  times) and instances replaced by a RECURRENCE-ID override are skipped in
  favour of the override.
- ``.csv`` (``name,category,start,end[,uplift]``): read by :mod:`calendars.sales_csv`
  (date-only ``end`` is the inclusive last day, as people write sale dates).
- Uplift (``X-PEAKPLAN-UPLIFT`` or the ``uplift`` column): the extra volume,
  ``+150%`` or ``1.5`` (or ``x2.5``), see :mod:`calendars.uplift`; a bare
  ``80`` is refused as a percentage without its ``%``. Absent means NaN (learn it).
- Dates must fall in the years ``FIRST_YEAR``..``LAST_YEAR``; with ``days``
  given, events wholly outside those days (with a month's margin) are left out.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd

from calendars.errors import InputError
from calendars.files import refuse_special_file
from calendars.ics import FIRST_YEAR, LAST_YEAR
from calendars.recurrence import occurrences
from calendars.sale_event import EVENT_COLUMNS, SaleEvent, calendar_text, check_years, events_frame
from calendars.sales_csv import CSV_COLUMNS, read_sales_csv
from calendars.uplift import UpliftValueError, parse_uplift
from calendars.vtimezone import load_zone

__all__ = [
    "EVENT_COLUMNS",
    "CSV_COLUMNS",
    "SaleEvent",
    "load_sale_calendar",
    "load_sale_events",
    "events_frame",
    "parse_uplift",
]

UPLIFT_PROPERTY = "X-PEAKPLAN-UPLIFT"
MAX_CALENDAR_EVENTS = 10_000  # VEVENTs (a sale a day for 27 years): more is another kind of calendar
# Properties a VEVENT holds at most once (RFC 5545; the uplift is ours).
_SINGLE_PROPERTIES = ("UID", "SUMMARY", "DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", UPLIFT_PROPERTY)
# Events this far outside the asked-for days cannot touch them (the forecast
# looks one day before and after an event); they are left out.
DAYS_MARGIN = timedelta(days=31)


# --------------------------------------------------------------------------- API


def _value(component: icalendar.cal.Component, name: str) -> Any:
    """The decoded value of a date, date-time or duration property (icalendar types it as any property)."""
    prop: Any = component[name]
    return prop.dt


def load_sale_calendar(path: str | Path, tz: str, *, days: tuple[date, date] | None = None) -> pd.DataFrame:
    """Read a sale calendar into the events table.

    Args:
        path: ``.ics`` or ``.csv`` file.
        tz: team time zone (IANA), used for all-day and floating times.
        days: first and last local day of interest (history start, planned
            week's end): recurrences are expanded over these days only, and
            events wholly outside them (with ``DAYS_MARGIN``) are left out.
            None: everything, recurrences up to 5 years after their start.

    Returns:
        DataFrame with ``EVENT_COLUMNS``; ``start``/``end`` as
        ``datetime64[ns, UTC]``, ``uplift`` NaN when not stated; sorted by
        ``start, event_id``.

    Raises:
        InputError: missing or unreadable file, not a calendar, bad events.
    """
    return events_frame(load_sale_events(path, tz, days=days))


def load_sale_events(path: str | Path, tz: str, *, days: tuple[date, date] | None = None) -> tuple[SaleEvent, ...]:
    """Read a sale calendar into ``SaleEvent`` objects sorted by start (UTC), id.

    Raises:
        InputError: see :func:`load_sale_calendar`.
    """
    zone = load_zone(tz)
    file = Path(path)
    if file.is_dir():
        raise InputError(f"sale calendar {file} is a folder: give the .ics or .csv file")
    refuse_special_file(file, "sale calendar")
    if not file.is_file():
        raise InputError(f"sale calendar {file} not found")
    suffix = file.suffix.lower()
    window = _window(days, zone)
    if suffix in (".ics", ".ical", ".ifb", ".icalendar"):
        events = _read_ics(file, zone, window)
    elif suffix == ".csv":
        events = read_sales_csv(file, zone)
    else:
        raise InputError(f"sale calendar {file}: unsupported file type {file.suffix!r}, expected .ics or .csv")
    if window is not None:
        events = [e for e in events if e.end >= window[0] and e.start <= window[1]]
    return tuple(sorted(events, key=lambda e: (e.start.astimezone(UTC), e.event_id)))


def _window(days: tuple[date, date] | None, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The instants of interest: ``days`` widened by ``DAYS_MARGIN`` (None: no window)."""
    if days is None:
        return None
    # The history's first day comes from another file; a typo there (1678, 9999) must not overflow here.
    first = min(max(days[0], date(FIRST_YEAR, 1, 1)), date(LAST_YEAR, 12, 1))
    last = max(min(days[1], date(LAST_YEAR, 12, 1)), first)
    return (
        datetime.combine(first, time(0), tzinfo=zone) - DAYS_MARGIN,
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone) + DAYS_MARGIN,
    )


# ------------------------------------------------------------------------ .ics


def _read_ics(file: Path, zone: ZoneInfo, window: tuple[datetime, datetime] | None) -> list[SaleEvent]:
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"sale calendar {file}: cannot read ({exc.strerror})") from exc
    # RFC 5545 text is UTF-8 with CRLF; accept UTF-16 (with BOM) and any line ending, refuse other encodings.
    lines = re.split(r"\r\n|\r|\n", calendar_text(data, file))
    data = "\r\n".join(lines).encode("utf-8") + b"\r\n"
    if b"BEGIN:VCALENDAR" not in data[:4096].upper():
        raise InputError(f"sale calendar {file} is not an iCalendar file (no BEGIN:VCALENDAR)")
    _check_structure(lines, file)
    count = sum(1 for line in lines if line.strip().upper() == "BEGIN:VEVENT")
    if count > MAX_CALENDAR_EVENTS:  # parsing takes seconds per ten thousand: refuse before it
        raise InputError(
            f"sale calendar {file} holds {count:,} events, more than the {MAX_CALENDAR_EVENTS:,} a sale calendar "
            "is read with: is it the right file (a shared team calendar, an export of every meeting)?"
        )
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as exc:  # icalendar raises ValueError, KeyError, ... on bad input
        raise InputError(f"sale calendar {file} could not be parsed as iCalendar: {exc}") from exc

    if not calendars:
        # icalendar silently drops a VCALENDAR whose BEGIN/END lines do not pair up.
        raise InputError(f"sale calendar {file} could not be parsed as iCalendar: unbalanced BEGIN/END lines")
    # Floating times mean the calendar's X-WR-TIMEZONE (Google and Apple
    # exports), else the team zone; all-day events are days in the team zone.
    vevents = [(c, _floating_zone(cal, zone)) for cal in calendars for c in cal.walk("VEVENT")]
    # Instances moved, edited or cancelled via RECURRENCE-ID replace the generated ones.
    overridden: dict[str, set[datetime]] = {}
    for ev, floating in vevents:
        if "RECURRENCE-ID" in ev and not ev.errors:  # broken values are reported per event below
            rid_value = _value(ev, "RECURRENCE-ID")
            if isinstance(rid_value, date):
                rid = _instant(rid_value, floating if isinstance(rid_value, datetime) else zone)
                overridden.setdefault(str(ev.get("UID", "")), set()).add(rid)

    events: list[SaleEvent] = []
    for index, (ev, floating) in enumerate(vevents, start=1):
        if str(ev.get("STATUS", "")).strip().upper() == "CANCELLED":
            continue  # a cancelled sale brings no extra contacts
        try:
            events += _expand_vevent(ev, index, file, zone, overridden, floating=floating, window=window)
        except (OverflowError, ValueError, TypeError, AttributeError, KeyError) as exc:
            # icalendar hands over whatever it could make of a value (a period,
            # a vBroken, a date at the calendar's edge): one clear line, not a traceback.
            raise InputError(
                f"sale calendar {file}, {_describe(ev, index)}: cannot read the event ({type(exc).__name__}: {exc})"
            ) from exc
    seen: dict[str, int] = {}
    for event in events:
        seen[event.event_id] = seen.get(event.event_id, 0) + 1
    twice = sorted(event_id for event_id, count in seen.items() if count > 1)
    if twice:
        raise InputError(
            f"sale calendar {file}: event id(s) {twice} occur more than once: every sale needs its own UID "
            "(an edited instance of a recurring sale carries RECURRENCE-ID)"
        )
    return events


def _check_structure(lines: list[str], file: Path) -> None:
    """BEGIN/END lines pair up, and a VEVENT holds nothing but VALARMs (RFC 5545 3.6.1).

    Checked before icalendar parses the file, to name the line: icalendar
    either drops an unbalanced calendar or reads a VEVENT inside another as
    a second sale, and a calendar of thousands of events nested in one is
    then slow to forecast, not refused.

    Raises:
        InputError: naming the line and the component it breaks.
    """
    stack: list[tuple[str, int]] = []
    for number, line in enumerate(lines, start=1):
        upper = line.upper()
        if upper.startswith("BEGIN:"):
            name = upper[6:].strip()
            if stack and stack[-1][0] == "VEVENT" and name != "VALARM":
                raise InputError(
                    f"sale calendar {file}, line {number}: BEGIN:{name} inside the VEVENT begun on line "
                    f"{stack[-1][1]} (a VEVENT holds only VALARMs: is an END:VEVENT missing before it?)"
                )
            stack.append((name, number))
        elif upper.startswith("END:"):
            name = upper[4:].strip()
            if not stack or stack[-1][0] != name:
                opened = f"BEGIN:{stack[-1][0]} of line {stack[-1][1]}" if stack else "any BEGIN"
                raise InputError(f"sale calendar {file}, line {number}: END:{name} does not close {opened}")
            stack.pop()
    if stack:
        name, number = stack[-1]
        raise InputError(
            f"sale calendar {file}: BEGIN:{name} on line {number} is never closed (is the file cut short?)"
        )


def _floating_zone(cal: icalendar.cal.Component, zone: ZoneInfo) -> ZoneInfo:
    name = str(cal.get("X-WR-TIMEZONE", "")).strip()
    if not name:
        return zone
    try:
        return load_zone(name)
    except InputError:
        return zone  # not an IANA name (some Outlook exports): the team zone, as for no header


def _describe(ev: icalendar.cal.Component, index: int) -> str:
    uid = ev.get("UID")
    summary = ev.get("SUMMARY")
    parts = [f"event #{index}"]
    if uid is not None:
        parts.append(f"UID {str(uid)!r}")
    if summary is not None:
        parts.append(f"SUMMARY {str(summary)!r}")
    return " ".join(parts)


def _attach(value: date | datetime, zone: ZoneInfo) -> date | datetime:
    """A floating date-time read in ``zone``; dates and zoned values unchanged."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """Aware datetime for a DATE (local midnight), floating or zoned value."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=zone)
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value


def _expand_vevent(
    ev: icalendar.cal.Component,
    index: int,
    file: Path,
    zone: ZoneInfo,
    overridden: dict[str, set[datetime]],
    *,
    floating: ZoneInfo | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> list[SaleEvent]:
    """The SaleEvents of one VEVENT: itself, or its instances when it recurs (within ``window``)."""
    where = f"sale calendar {file}, {_describe(ev, index)}"
    if ev.errors:
        # icalendar is lenient and keeps unparsable values as vBroken; report them.
        problems = "; ".join(f"{prop}: {problem}" for prop, problem in ev.errors)
        raise InputError(f"{where}: cannot read {problems}")
    repeated = [prop for prop in _SINGLE_PROPERTIES if isinstance(ev.get(prop), list)]
    if repeated:  # icalendar hands over a list: "unreadable date ('list' object has no attribute 'dt')"
        raise InputError(f"{where}: {', '.join(repeated)} given more than once; keep one")
    if "DTSTART" not in ev:
        raise InputError(f"{where}: has no DTSTART; every sale event needs a start")
    for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        value = ev.get(prop)
        tzid = value.params.get("TZID") if value is not None and hasattr(value, "params") else None
        if tzid and isinstance(getattr(value, "dt", None), datetime) and value.dt.tzinfo is None:
            # icalendar reads an unknown TZID as floating time: that would silently shift the sale.
            raise InputError(
                f"{where}: {prop} has TZID {tzid!r}, which is neither an IANA time zone nor defined by a "
                "VTIMEZONE in the file (add the VTIMEZONE or use a name like Europe/Berlin)"
            )
    floating = floating or zone
    try:
        dtstart = _attach(_value(ev, "DTSTART"), floating)
        dtend = _attach(_value(ev, "DTEND"), floating) if "DTEND" in ev else None
        duration = _value(ev, "DURATION") if "DURATION" in ev else None
    except Exception as exc:
        raise InputError(f"{where}: unreadable date ({exc})") from exc
    for what, value in (("DTSTART", dtstart), ("DTEND", dtend)):
        if value is not None and not isinstance(value, date):
            raise InputError(f"{where}: {what} {value!r} is not a date or date-time")
        if value is not None:
            check_years(where, what, value)
    if duration is not None and not isinstance(duration, timedelta):
        raise InputError(f"{where}: DURATION {duration!r} is not a duration like PT3H or P2D")
    all_day = not isinstance(dtstart, datetime)

    name = str(ev.get("SUMMARY", "")).strip()
    uid = str(ev.get("UID", "")).strip()
    category = _category(ev, name)
    uplift = None
    if UPLIFT_PROPERTY in ev:
        try:
            uplift = parse_uplift(str(ev[UPLIFT_PROPERTY]))
        except UpliftValueError as exc:
            raise InputError(f"{where}: {UPLIFT_PROPERTY}: {exc}") from exc

    # The event's length, applied to every instance.
    if all_day:
        if dtend is not None:
            end_date = dtend.date() if isinstance(dtend, datetime) else dtend
            days = (end_date - dtstart).days
        elif duration is not None:
            days = duration.days
        else:
            days = 1
        if days < 0:
            raise InputError(f"{where}: ends ({dtend or duration}) before it starts ({dtstart.isoformat()})")
        days = max(days, 1)  # DTEND == DTSTART on a DATE event is a common generator slip: one day
        length = timedelta(days=days)
    else:
        start_at = _instant(dtstart, zone)
        if dtend is not None:
            length = _instant(dtend, zone).astimezone(UTC) - start_at.astimezone(UTC)
        elif duration is not None:
            length = duration
        else:
            length = timedelta(0)
        if length < timedelta(0):
            raise InputError(f"{where}: ends ({dtend or duration}) before it starts ({dtstart.isoformat()})")

    if not name:
        name = uid or f"event #{index}"
    if not uid:
        uid = f"{name}@{_rid(dtstart, all_day)}"

    def make(event_id: str, start_value: date | datetime) -> SaleEvent:
        if all_day:
            start_date = start_value.date() if isinstance(start_value, datetime) else start_value
            start = datetime.combine(start_date, time(0), tzinfo=zone)
            end = datetime.combine(start_date + length, time(0), tzinfo=zone)
        else:
            start = _instant(start_value, zone)
            end = (start.astimezone(UTC) + length).astimezone(start.tzinfo)
        check_years(where, "end", end)
        return SaleEvent(
            event_id=event_id, name=name, category=category, start=start, end=end, all_day=all_day, uplift=uplift
        )

    if "RECURRENCE-ID" in ev:
        # An edited instance of a recurring event: same id as the instance it replaces.
        rid_value = _value(ev, "RECURRENCE-ID")
        return [make(f"{uid}/{_rid(rid_value, not isinstance(rid_value, datetime))}", dtstart)]
    if "RRULE" not in ev and "RDATE" not in ev:
        return [make(uid, dtstart)]
    try:
        starts = occurrences(ev, dtstart, all_day, zone, window, where)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"{where}: cannot expand the recurrence ({exc})") from exc
    skip = overridden.get(str(ev.get("UID", "")), set())
    out = []
    for occurrence in starts:
        if _instant(occurrence, zone) in skip:
            continue
        out.append(make(f"{uid}/{_rid(occurrence, all_day)}", occurrence))
    return out


def _category(ev: icalendar.cal.Component, name: str) -> str:
    cats = ev.get("CATEGORIES")
    values: list[str] = []
    for item in cats if isinstance(cats, list) else [cats] if cats is not None else []:
        values += [str(c) for c in getattr(item, "cats", [item])]
    for value in values:
        if value.strip():
            return value.strip().lower()
    return name.strip().lower()


def _rid(value: date | datetime, all_day: bool) -> str:
    if all_day or not isinstance(value, datetime):
        day = value.date() if isinstance(value, datetime) else value
        return f"{day:%Y%m%d}"
    if value.tzinfo is None:
        return f"{value:%Y%m%dT%H%M%S}"
    return f"{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"
