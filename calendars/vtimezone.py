"""VTIMEZONE components in RRULE form, built from the system's zoneinfo data.

Why not icalendar's ``Timezone.from_tzid()``: it writes each observance as a
long RDATE list, and ical.js (used by many web calendar clients) reads only
the first RDATE, so a DST night shift came out an hour short. Here every
observance is a yearly RRULE (``BYMONTH`` + ``BYDAY=<n>WD``) derived from the
transitions Python actually observes, and checked to reproduce each of them;
when no such rule fits, each transition becomes its own block with its own
DTSTART (still no RDATE lists).

The span covered is whole calendar years, one year either side of the
requested instants, so every feed covering the same years carries the same
bytes and the result can be cached.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from calendars.errors import InputError

__all__ = ["vtimezone_lines", "load_zone"]

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# A zone's transitions are found by sampling; two transitions less than this
# apart would be missed (none exist in the tz database since 1970).
_STEP = timedelta(hours=6)
# Written for zones without transitions in the span, as most generators do.
_EPOCH_DTSTART = "19700101T000000"


def load_zone(tzid: str) -> ZoneInfo:
    """Return the ``ZoneInfo`` for an IANA name.

    Raises:
        InputError: the name is not a known IANA time zone.
    """
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise InputError(f"unknown time zone {tzid!r}: use an IANA name such as 'Europe/Berlin'") from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class _Transition:
    """One change of offset or abbreviation, as observed through zoneinfo."""

    at_utc: datetime
    offset_from: timedelta
    offset_to: timedelta
    tzname: str
    daylight: bool

    @property
    def local_onset(self) -> datetime:
        """Wall time of the change in the *old* offset: what RFC 5545 DTSTART means."""
        return (self.at_utc + self.offset_from).replace(tzinfo=None)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Block:
    """One STANDARD/DAYLIGHT observance, ready to serialise."""

    daylight: bool
    dtstart: datetime  # naive local wall time in offset_from
    offset_from: timedelta
    offset_to: timedelta
    tzname: str
    rrule: str | None = None

    def lines(self) -> list[str]:
        kind = "DAYLIGHT" if self.daylight else "STANDARD"
        out = [f"BEGIN:{kind}", f"DTSTART:{self.dtstart:%Y%m%dT%H%M%S}"]
        if self.rrule:
            out.append(f"RRULE:{self.rrule}")
        out += [
            f"TZNAME:{_escape(self.tzname)}",
            f"TZOFFSETFROM:{_format_offset(self.offset_from)}",
            f"TZOFFSETTO:{_format_offset(self.offset_to)}",
            f"END:{kind}",
        ]
        return out


def vtimezone_lines(tzid: str, start: datetime, end: datetime) -> list[str]:
    """Build a VTIMEZONE for ``tzid`` valid for every instant in ``[start, end]``.

    Args:
        tzid: IANA zone name; also written as the TZID.
        start: first instant that must be covered (tz-aware).
        end: last instant that must be covered (tz-aware).

    Returns:
        Unfolded content lines (no line endings), ``BEGIN:VTIMEZONE`` to
        ``END:VTIMEZONE``. Lines are ASCII for IANA zones and short, but callers
        should still fold them like any other line.

    Raises:
        InputError: unknown zone, naive datetimes or ``end`` before ``start``.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise InputError("vtimezone_lines needs tz-aware start and end datetimes")
    if end < start:
        raise InputError(f"time zone span ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    if start.year < 2 or end.year > 9997:
        # The span is widened by a year each side; datetime stops at the years 1 and 9999.
        raise InputError(f"time zone span {start:%Y-%m-%d} to {end:%Y-%m-%d} is beyond the calendar peakplan writes")
    load_zone(tzid)
    start_utc = start.astimezone(UTC)
    return list(_assemble_lines(tzid, start_utc.year - 1, end.astimezone(UTC).year + 1, start_utc))


def _assemble_lines(tzid: str, first_year: int, last_year: int, start_utc: datetime) -> tuple[str, ...]:
    blocks = _blocks_for_years(tzid, first_year, last_year)
    first_onset = min((b for b in blocks), key=lambda b: b.dtstart - b.offset_from, default=None)
    zone = ZoneInfo(tzid)
    extra: list[_Block] = []
    if first_onset is not None and (first_onset.dtstart - first_onset.offset_from).replace(tzinfo=UTC) > start_utc:
        # The zone's first change in the span comes after the first instant we
        # must cover (e.g. a zone that starts DST mid-span): without a block in
        # force before it, parsers would have to guess the offset.
        local = start_utc.astimezone(zone)
        offset = local.utcoffset() or timedelta(0)
        extra.append(
            _Block(
                daylight=bool(local.dst()),
                dtstart=datetime.strptime(_EPOCH_DTSTART, "%Y%m%dT%H%M%S"),
                offset_from=offset,
                offset_to=offset,
                tzname=local.tzname() or tzid,
            )
        )
    lines = ["BEGIN:VTIMEZONE", f"TZID:{_escape(tzid)}"]
    for block in sorted(extra + list(blocks), key=lambda b: (b.dtstart, b.daylight)):
        lines += block.lines()
    lines.append("END:VTIMEZONE")
    return tuple(lines)


@lru_cache(maxsize=64)
def _blocks_for_years(tzid: str, first_year: int, last_year: int) -> tuple[_Block, ...]:
    """Observances for ``[Jan 1 first_year, Jan 1 last_year+1)`` in UTC."""
    zone = ZoneInfo(tzid)
    lo = datetime(first_year, 1, 1, tzinfo=UTC)
    hi = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    transitions = _transitions(zone, lo, hi)
    if not transitions:
        local = lo.astimezone(zone)
        offset = local.utcoffset() or timedelta(0)
        return (
            _Block(
                daylight=False,
                dtstart=datetime.strptime(_EPOCH_DTSTART, "%Y%m%dT%H%M%S"),
                offset_from=offset,
                offset_to=offset,
                tzname=local.tzname() or tzid,
            ),
        )
    groups: dict[tuple[bool, timedelta, timedelta, str], list[_Transition]] = {}
    for tr in transitions:  # chronological, so each group stays chronological
        groups.setdefault((tr.daylight, tr.offset_from, tr.offset_to, tr.tzname), []).append(tr)
    blocks: list[_Block] = []
    for group in groups.values():
        blocks += _blocks_for_group(group, hi)
    return tuple(blocks)


def _state(zone: ZoneInfo, at: datetime) -> tuple[timedelta, timedelta, str]:
    local = at.astimezone(zone)
    return (local.utcoffset() or timedelta(0), local.dst() or timedelta(0), local.tzname() or "")


def _transitions(zone: ZoneInfo, lo: datetime, hi: datetime) -> list[_Transition]:
    """Every change of (offset, dst, abbreviation) in ``[lo, hi)``, to the second."""
    found: list[_Transition] = []
    t = lo
    state = _state(zone, t)
    while t < hi:
        nxt = min(t + _STEP, hi)
        nxt_state = _state(zone, nxt)
        if nxt_state != state:
            a, b = t, nxt  # state(a) == state, state(b) != state
            while b - a > timedelta(seconds=1):
                mid = a + (b - a) // 2
                mid = mid.replace(microsecond=0)
                if _state(zone, mid) == state:
                    a = mid
                else:
                    b = mid
            new_state = _state(zone, b)
            found.append(
                _Transition(
                    at_utc=b,
                    offset_from=state[0],
                    offset_to=new_state[0],
                    tzname=new_state[2],
                    daylight=bool(new_state[1]),
                )
            )
            state = new_state
            # Resume just after the change so a second one in the same step is seen.
            t = b
            continue
        t, state = nxt, nxt_state
    return found


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1..5) or last (-1) ``weekday`` of a month."""
    if n == -1:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _derive_rule(group: list[_Transition]) -> tuple[int, int, int, time] | None:
    """(month, n, weekday, local time) shared by every onset in the group, if any."""
    onsets = [tr.local_onset for tr in group]
    months = {o.month for o in onsets}
    weekdays = {o.weekday() for o in onsets}
    times = {o.time() for o in onsets}
    if len(months) != 1 or len(weekdays) != 1 or len(times) != 1:
        return None
    month, weekday, tod = months.pop(), weekdays.pop(), times.pop()
    # "Last" is preferred when it fits: with few years observed a last-Sunday
    # rule can also look like "4th Sunday", which would be wrong in other years.
    if all(o.day > calendar.monthrange(o.year, o.month)[1] - 7 for o in onsets):
        return month, -1, weekday, tod
    ordinals = {(o.day - 1) // 7 + 1 for o in onsets}
    if len(ordinals) == 1:
        return month, ordinals.pop(), weekday, tod
    return None


def _blocks_for_group(group: list[_Transition], hi: datetime) -> list[_Block]:
    first = group[0]
    rule = _derive_rule(group)
    if rule is not None:
        month, n, weekday, tod = rule
        expected: list[datetime] = []
        for year in range(first.local_onset.year, hi.year + 1):
            onset = datetime.combine(_nth_weekday(year, month, weekday, n), tod)
            at_utc = (onset - first.offset_from).replace(tzinfo=UTC)
            if first.at_utc <= at_utc < hi:
                expected.append(at_utc)
        observed = [tr.at_utc for tr in group]
        rrule = f"FREQ=YEARLY;BYMONTH={month};BYDAY={n}{_WEEKDAYS[weekday]}"
        if expected[: len(observed)] == observed:
            if len(expected) > len(observed):
                # The rule stops inside the span (e.g. DST abolished): bound it.
                rrule += f";UNTIL={observed[-1]:%Y%m%dT%H%M%SZ}"
            return [_block(first, rrule=rrule)]
    return [_block(tr) for tr in group]


def _block(transition: _Transition, *, rrule: str | None = None) -> _Block:
    """The observance that starts with ``transition`` (repeating by ``rrule`` if given)."""
    return _Block(
        daylight=transition.daylight,
        dtstart=transition.local_onset,
        offset_from=transition.offset_from,
        offset_to=transition.offset_to,
        tzname=transition.tzname,
        rrule=rrule,
    )


def _format_offset(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
