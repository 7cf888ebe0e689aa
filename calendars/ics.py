"""iCalendar content lines, read and written: previously published feeds, CalDAV objects, our feeds.

The feed writer needs the events of the feed it is about to replace as
*lines*, to carry an unchanged event over byte for byte, and it needs to
compare events by meaning, not by bytes, because a CalDAV server stores what
it was sent re-serialised (Radicale writes it back through vobject: other
folding, other escaping). icalendar would give values but lose the lines, so
this module reads just enough of RFC 5545 for both: unfolding, property
names, parameters (quoted or not), and a normalised form of each value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from calendars.errors import InputError

__all__ = [
    "ContentLine",
    "ParsedEvent",
    "ParsedCalendar",
    "unfold",
    "parse_line",
    "read_calendar",
    "unescape_text",
    "normalized_value",
    "event_fingerprint",
    "OWN_PROPERTIES",
    "FIRST_YEAR",
    "LAST_YEAR",
    "own_properties",
    "escape_text",
    "fold_line",
    "utc_stamp",
    "UTC_STAMP",
]

# Properties whose value is TEXT: compared unescaped, since servers re-escape freely.
TEXT_PROPERTIES = frozenset(
    {"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT", "NAME", "X-WR-CALNAME", "X-WR-CALDESC", "TZNAME"}
)
# Properties whose value is a DATE-TIME (or DATE): compared as UTC instants.
TIME_PROPERTIES = frozenset(
    {"DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "DTSTAMP", "LAST-MODIFIED", "CREATED", "EXDATE", "RDATE"}
)
# The VEVENT properties peakplan writes. Only these are compared with an
# earlier version of an event: a CalDAV server or client may add its own
# (X-MOZ-LASTACK, X-APPLE-*, a VALARM) and that is no change of ours.
OWN_PROPERTIES = frozenset(
    {"UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "DTSTART", "DTEND", "DURATION", "SUMMARY", "DESCRIPTION",
     "STATUS", "TRANSP", "LOCATION", "CATEGORIES", "URL", "CLASS"}
)  # fmt: skip
# Dates peakplan reads anywhere (sale calendars, feeds): pandas stores times in
# nanoseconds (years 1677-2262), and a year outside these is a typo, not a plan.
FIRST_YEAR, LAST_YEAR = 1900, 2200
_NAME = re.compile(r"[A-Za-z0-9-]+")
_DATE_TIME = re.compile(r"(\d{8})T(\d{6})(Z?)")
_DATE = re.compile(r"\d{8}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ContentLine:
    """One unfolded property: ``NAME;PARAM=value:VALUE``."""

    name: str  # upper case
    params: tuple[tuple[str, str], ...]  # (upper-case name, unquoted value) in file order
    value: str  # raw, still escaped

    def param(self, name: str) -> str | None:
        for key, value in self.params:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedEvent:
    """A VEVENT: its unfolded lines (for carrying it over) and its own properties."""

    uid: str
    lines: tuple[str, ...]  # BEGIN:VEVENT ... END:VEVENT, unfolded
    props: tuple[ContentLine, ...]  # the VEVENT's properties, not those of a nested VALARM
    start: datetime | None  # UTC; None when DTSTART is floating or unreadable
    end: datetime | None  # UTC; DTEND, else DTSTART

    def first(self, name: str) -> ContentLine | None:
        for prop in self.props:
            if prop.name == name:
                return prop
        return None

    @property
    def sequence(self) -> int:
        prop = self.first("SEQUENCE")
        try:
            return max(0, int(prop.value)) if prop is not None else 0
        except ValueError:  # not a number (or 4,300+ digits): start again from 0
            return 0

    @property
    def tzids(self) -> frozenset[str]:
        return frozenset(p.param("TZID") for p in self.props if p.param("TZID"))  # type: ignore[misc]


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedCalendar:
    properties: tuple[ContentLine, ...]  # VCALENDAR-level properties
    events: tuple[ParsedEvent, ...]  # in file order


def unfold(data: bytes, source: str) -> list[str]:
    """Content lines of ``data`` with folds joined; CRLF or bare LF accepted.

    Raises:
        InputError: not UTF-8.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    lines: list[str] = []
    for raw in re.split(r"\r\n|\n|\r", text):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def parse_line(line: str, source: str) -> ContentLine:
    """Split one unfolded line into name, parameters and value.

    Raises:
        InputError: no ``:`` or a malformed name or parameter.
    """
    i, n = 0, len(line)
    while i < n and line[i] not in ";:":
        i += 1
    name = line[:i]
    if not _NAME.fullmatch(name) or i == n:
        raise InputError(f"{source}: not an iCalendar content line: {line[:60]!r}")
    params: list[tuple[str, str]] = []
    while line[i] == ";":
        eq = line.find("=", i)
        if eq < 0:
            raise InputError(f"{source}: parameter without '=' in {line[:60]!r}")
        key = line[i + 1 : eq]
        i = eq + 1
        values: list[str] = []
        while True:
            if i < n and line[i] == '"':
                close = line.find('"', i + 1)
                if close < 0:
                    raise InputError(f"{source}: unclosed quote in {line[:60]!r}")
                values.append(line[i + 1 : close])
                i = close + 1
            else:
                start = i
                while i < n and line[i] not in ";:,":
                    i += 1
                values.append(line[start:i])
            if i < n and line[i] == ",":
                i += 1
                continue
            break
        if i >= n or not _NAME.fullmatch(key):
            raise InputError(f"{source}: malformed parameter in {line[:60]!r}")
        params.append((key.upper(), ",".join(values)))
    return ContentLine(name=name.upper(), params=tuple(params), value=line[i + 1 :])


def unescape_text(value: str) -> str:
    """Undo RFC 5545 TEXT escaping (``\\\\ \\; \\, \\n``)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _zone(tzid: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None


def _instant(prop: ContentLine) -> datetime | date | str:
    """The property's time as a UTC datetime, a date, or (unresolvable) its raw text."""
    value = prop.value.strip()
    match = _DATE_TIME.fullmatch(value)
    if match:
        try:
            naive = datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")
        except ValueError:
            return value
        if match.group(3):
            return naive.replace(tzinfo=UTC)
        tzid = prop.param("TZID")
        zone = _zone(tzid) if tzid else None
        if zone is None:
            return f"{tzid or ''}|{value}"  # floating or non-IANA: compared as written
        try:
            return naive.replace(tzinfo=zone).astimezone(UTC)
        except OverflowError:  # year 1 or 9999 shifted past the calendar's edge
            return value
    if _DATE.fullmatch(value):
        try:
            return datetime.strptime(value, "%Y%m%d").date()
        except ValueError:
            return value
    return value


def normalized_value(prop: ContentLine) -> tuple[object, ...]:
    """What a property means, for comparing two serialisations of it.

    Times become UTC instants (a TZID local time and the same instant in UTC
    compare equal), TEXT is unescaped, parameter order and the redundant
    ``VALUE=DATE-TIME``/``TZID`` (already folded into the instant) are ignored.
    """
    if prop.name in TIME_PROPERTIES and "," not in prop.value:
        params = tuple(sorted((k, v) for k, v in prop.params if k not in ("TZID", "VALUE")))
        return (prop.name, params, _instant(prop))
    params = tuple(sorted((k, v) for k, v in prop.params if not (k == "VALUE" and v.upper() == "TEXT")))
    value = unescape_text(prop.value) if prop.name in TEXT_PROPERTIES else prop.value
    return (prop.name, params, value)


def read_calendar(data: bytes, source: str) -> ParsedCalendar:
    """Read the calendar properties and VEVENTs of an iCalendar object.

    Args:
        data: the bytes of a ``.ics`` file or a CalDAV calendar object.
        source: names the file or URL in error messages.

    Raises:
        InputError: not UTF-8, no VCALENDAR, unbalanced BEGIN/END, a VEVENT
            without UID, or a malformed content line.
    """
    lines = unfold(data, source)
    if not lines or lines[0].upper() != "BEGIN:VCALENDAR":
        raise InputError(f"{source}: not an iCalendar file (it does not start with BEGIN:VCALENDAR)")
    stack: list[str] = []
    cal_props: list[ContentLine] = []
    events: list[ParsedEvent] = []
    event_lines: list[str] = []
    event_props: list[ContentLine] = []
    for line in lines:
        prop = parse_line(line, source)
        if prop.name == "BEGIN":
            stack.append(prop.value.upper())
            if stack[-1] == "VEVENT":
                event_lines, event_props = [line], []
            elif event_lines:
                event_lines.append(line)
            continue
        if prop.name == "END":
            if not stack or stack[-1] != prop.value.upper():
                raise InputError(f"{source}: END:{prop.value} without matching BEGIN (the file is cut or broken)")
            ended = stack.pop()
            if event_lines:
                event_lines.append(line)
            if ended == "VEVENT":
                events.append(_event(tuple(event_lines), tuple(event_props), source))
                event_lines = []
            continue
        if event_lines:
            event_lines.append(line)
            if stack[-1] == "VEVENT":
                event_props.append(prop)
        elif stack == ["VCALENDAR"]:
            cal_props.append(prop)
    if stack:
        raise InputError(f"{source}: BEGIN:{stack[-1]} is never closed (the file is cut or broken)")
    return ParsedCalendar(properties=tuple(cal_props), events=tuple(events))


def _event(lines: tuple[str, ...], props: tuple[ContentLine, ...], source: str) -> ParsedEvent:
    uid = next((p.value for p in props if p.name == "UID"), "").strip()
    if not uid:
        raise InputError(f"{source}: a VEVENT has no UID")
    start_prop = next((p for p in props if p.name == "DTSTART"), None)
    end_prop = next((p for p in props if p.name == "DTEND"), None)
    start = _as_utc(start_prop)
    end = _as_utc(end_prop) if end_prop is not None else start
    return ParsedEvent(uid=uid, lines=lines, props=props, start=start, end=end)


def _as_utc(prop: ContentLine | None) -> datetime | None:
    if prop is None:
        return None
    value = _instant(prop)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def event_fingerprint(props: Iterable[ContentLine], *, exclude: Iterable[str] = ()) -> tuple[tuple[object, ...], ...]:
    """The normalised properties of an event, sorted, without the ``exclude`` names."""
    skip = set(exclude)
    return tuple(sorted((normalized_value(p) for p in props if p.name not in skip), key=repr))


def own_properties(props: Iterable[ContentLine]) -> list[ContentLine]:
    """The properties in ``props`` that peakplan writes (``OWN_PROPERTIES``)."""
    return [p for p in props if p.name in OWN_PROPERTIES]


# ------------------------------------------------------------------ writing

_MAX_OCTETS = 75


def escape_text(value: str) -> str:
    """RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold_line(line: str) -> bytes:
    """Encode one content line as UTF-8 folded at 75 octets, with CRLF endings.

    Continuation lines start with a space that counts toward their 75 octets.
    A fold never splits a multi-byte character (Google rejects such feeds).
    """
    out: list[bytes] = []
    current = bytearray()
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > _MAX_OCTETS:
            out.append(bytes(current))
            current = bytearray(b" ")
        current += encoded
    out.append(bytes(current))
    return b"".join(part + b"\r\n" for part in out)


def utc_stamp(value: datetime) -> str:
    """``YYYYMMDDTHHMMSSZ``: the UTC form of DTSTAMP and LAST-MODIFIED."""
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


UTC_STAMP = re.compile(r"\d{8}T\d{6}Z")
