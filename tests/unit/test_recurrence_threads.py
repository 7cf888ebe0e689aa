"""RRULE expansion from several threads at once (an org plan's dask worker runs teams side by side)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import dateutil.rrule
import icalendar

from calendars.recurrence import occurrences

ZONE = ZoneInfo("Europe/Berlin")


def weekly_sale(year: int) -> icalendar.Event:
    event = icalendar.Event()
    start = dt.datetime(year, 1, 5, 9, 0, tzinfo=ZONE)
    event.add("dtstart", start)
    event.add("rrule", {"freq": "weekly", "count": 30})
    return event


def expand(year: int) -> list:
    event = weekly_sale(year)
    window = (dt.datetime(year, 1, 1, tzinfo=ZONE), dt.datetime(year + 1, 1, 1, tzinfo=ZONE))
    return occurrences(event, event.decoded("dtstart"), False, ZONE, window, f"sales {year}")


def test_concurrent_expansions_give_each_its_own_instances_and_leave_dateutil_as_it_was() -> None:
    years = [2026 + offset % 40 for offset in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(expand, years))
    for year, found in zip(years, results, strict=True):
        assert found == expand(year)
        assert len(found) == 30 and found[0].year == year
    assert dateutil.rrule.datetime is dt  # the year bound is always put back
