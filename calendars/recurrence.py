"""Recurring sales: RRULE, RDATE and EXDATE expanded over the days asked for, bounded in work.

dateutil does the RFC 5545 arithmetic. What it does not do is stop: a rule
without end is infinite, a dense one (``FREQ=MINUTELY``) gives millions of
instances, and a rule no date satisfies (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30``)
is walked period by period to the year 9999 (10-40 s). Here the expansion
stops at the end of the span asked for, keeps at most ``MAX_INSTANCES`` and
walks at most ``MAX_STEPS``.
"""

from __future__ import annotations

import datetime as _datetime_module
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateutil.rrule
import icalendar
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

from calendars.errors import InputError

__all__ = ["RECURRENCE_HORIZON", "MAX_INSTANCES", "MAX_STEPS", "occurrences"]

# Sale calendars are planned months ahead; a rule without end would otherwise
# be infinite, and forecasts never look further than this (used without a window).
RECURRENCE_HORIZON = relativedelta(years=5)
# More sales than this from one recurring event in the asked-for days is a
# mistake (FREQ=MINUTELY, HOURLY without end), not a campaign plan.
MAX_INSTANCES = 5_000
# Rule steps walked from DTSTART before giving up (DTSTART decades back, dense rules).
MAX_STEPS = 200_000


def occurrences(
    ev: icalendar.cal.Component,
    dtstart: date | datetime,
    all_day: bool,
    zone: ZoneInfo,
    window: tuple[datetime, datetime] | None,
    where: str,
) -> list[date | datetime]:
    """Instance starts of a recurring VEVENT, in its own zone, within the window (or horizon).

    The rule is expanded on naive wall-clock times of the event's zone (RFC
    5545 keeps the local time across DST), then re-attached to that zone.

    Raises:
        InputError: the rule gives more than ``MAX_INSTANCES`` instances in the
            window, or needs more than ``MAX_STEPS`` steps to get there.
    """
    event_zone = dtstart.tzinfo if isinstance(dtstart, datetime) and dtstart.tzinfo else zone
    if all_day:
        wall_start = datetime.combine(dtstart, time(0))
    else:
        assert isinstance(dtstart, datetime)  # not all-day: a date-time
        wall_start = dtstart.replace(tzinfo=None)

    def wall(value: date | datetime, *, end_of_day: bool = False) -> datetime:
        if not isinstance(value, datetime):
            return datetime.combine(value, time.max if end_of_day and not all_day else time(0))
        if value.tzinfo is not None:
            value = value.astimezone(event_zone)
        return value.replace(tzinfo=None)

    if window is None:
        begin, horizon = wall_start, wall_start + RECURRENCE_HORIZON
    else:
        # A day either side: wall times of another zone than the window's.
        begin, horizon = wall(window[0]) - timedelta(days=1), wall(window[1]) + timedelta(days=1)

    found: set[datetime] = set()
    for rule_prop in _as_list(ev.get("RRULE")):
        rule_dict = dict(rule_prop)
        if "COUNT" in rule_dict and "UNTIL" in rule_dict:
            raise InputError(f"{where}: the RRULE has both COUNT and UNTIL; RFC 5545 allows one of them")
        until = rule_dict.pop("UNTIL", None)
        text = type(rule_prop)(rule_dict).to_ical().decode()
        rule = rrulestr(text, dtstart=wall_start)
        assert isinstance(rule, rrule)  # one RRULE line without forceset gives one rule, never a set
        if until:
            rule = rule.replace(until=wall(until[0], end_of_day=True))
        found.update(_bounded_instances(rule, begin, horizon, where))
    for rdate_prop in _as_list(ev.get("RDATE")):
        for item in rdate_prop.dts:
            value = item.dt
            if isinstance(value, tuple):  # PERIOD: its start is the instance start
                value = value[0]
            found.add(wall(value))
    found.add(wall_start)  # DTSTART is always the first instance

    excluded_times: set[datetime] = set()
    excluded_days: set[date] = set()
    for ex_prop in _as_list(ev.get("EXDATE")):
        for item in ex_prop.dts:
            value = item.dt
            if isinstance(value, datetime):
                excluded_times.add(wall(value))
            else:
                excluded_days.add(value)
    kept = sorted(t for t in found if t not in excluded_times and t.date() not in excluded_days and t <= horizon)
    if all_day:
        return [t.date() for t in kept]
    return [t.replace(tzinfo=event_zone) for t in kept]


def _bounded_instances(rule: dateutil.rrule.rrule, begin: datetime, end: datetime, where: str) -> list[datetime]:
    """The rule's instances from ``begin`` to ``end``, walking at most ``MAX_STEPS`` of them.

    The whole expansion runs under one lock and returns a list: the year bound it
    sets is a module global of dateutil, so two threads (an org plan's dask worker
    runs teams side by side) must not interleave setting and restoring it.

    Raises:
        InputError: more than ``MAX_INSTANCES`` in the span or ``MAX_STEPS`` before its end.
    """
    found: list[datetime] = []
    with _RRULE_BOUND_LOCK, _rrule_years_up_to(end.year + 1):
        for step, instant in enumerate(rule, start=1):
            if instant > end:
                break
            if instant >= begin:
                if len(found) >= MAX_INSTANCES:
                    raise InputError(
                        f"{where}: the RRULE gives more than {MAX_INSTANCES:,} sales between {begin:%Y-%m-%d} and "
                        f"{end:%Y-%m-%d}: give it an end (UNTIL or COUNT) or a coarser FREQ (a sale recurs daily at most)"
                    )
                found.append(instant)
            if step >= MAX_STEPS:
                raise InputError(
                    f"{where}: the RRULE needs more than {MAX_STEPS:,} repetitions from DTSTART to reach "
                    f"{end:%Y-%m-%d}: start it later (DTSTART) or use a coarser FREQ"
                )
    return found


_RRULE_BOUND_LOCK = threading.Lock()


class _YearBoundedDatetime:
    """The ``datetime`` module as dateutil's rrule sees it, with a lower ``MAXYEAR``.

    dateutil walks a rule period by period until an instance passes UNTIL, or
    else until the year 9999: a rule no date can satisfy
    (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30``) yields nothing for millions of
    periods (10-30 s, minutes for FREQ=MINUTELY). Its only stop for such a
    rule is ``datetime.MAXYEAR``, read from its module global at every year
    change; this stand-in lowers it for one expansion.
    """

    def __init__(self, max_year: int) -> None:
        self.MAXYEAR = max_year

    def __getattr__(self, name: str) -> object:
        return getattr(_datetime_module, name)


@contextmanager
def _rrule_years_up_to(year: int) -> Iterator[None]:
    saved = dateutil.rrule.datetime  # type: ignore[attr-defined]
    dateutil.rrule.datetime = _YearBoundedDatetime(min(year, _datetime_module.MAXYEAR))  # type: ignore[attr-defined,assignment]
    try:
        yield
    finally:
        dateutil.rrule.datetime = saved  # type: ignore[attr-defined]


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
