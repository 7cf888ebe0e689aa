"""The events table checked, and the calendar laid over the dates of a series.

Every all-day event touches three kinds of dates: the *day before* (ramp-up;
the eve of a holiday), its own days, and the *day after* (the next open
weekday: catch-up, post-sale tail). A timed event touches the intervals it
overlaps. Touched dates are not *normal* and do not train the baseline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calendars.errors import InputError
from forecasts.daytypes import BRIDGE, INSIDE, DayTypes, assign_day_types
from forecasts.grid import local_dates, local_midnight, zone
from forecasts.holidays_calendar import HOLIDAY_CATEGORY
from forecasts.outages import outage_mask
from forecasts.series import NS_PER_MINUTE, Series, utc_column

EVENT_REQUIRED_COLUMNS: tuple[str, ...] = ("event_id", "name", "category", "start", "end", "uplift")
"""Columns of the events table the forecast reads (``all_day`` is optional)."""

CLOSED_SHARE = 0.2  # a weekday below this share of the busiest weekday's volume is closed

OFFSET_BEFORE, OFFSET_DURING, OFFSET_AFTER = -1, 0, 1
OFFSET_LABEL = {OFFSET_BEFORE: "day before", OFFSET_AFTER: "day after"}
TIMED = "timed"


@dataclass(slots=True, kw_only=True)
class CalendarState:
    """The calendar laid over the series as of one cutoff, and the outage days before it."""

    ev: pd.DataFrame
    entries: list[list[tuple[int, int]]]  # per date: (event row, offset) of all-day events
    timed: dict[int, np.ndarray]  # event row -> intervals it overlaps (positions into the grid)
    touched: np.ndarray  # (D,) any effect or timed event on the date
    during: np.ndarray  # (D,) an event runs on the date (all-day or timed)
    eve: np.ndarray  # (D,) the day before an all-day event
    outage: np.ndarray  # (D,) outage days before the cutoff
    open_weekday: np.ndarray  # (7,) bool
    types: DayTypes  # the day type of every date
    first_day: np.ndarray  # (E,) date index of each event's first local day
    last_day: np.ndarray  # (E,) date index of each event's last local day

    @classmethod
    def prepare(cls, series: Series, ev: pd.DataFrame, cutoff: int) -> CalendarState:
        n_days = len(series.dates)
        open_weekday = open_weekdays(series, cutoff)
        entries: list[list[tuple[int, int]]] = [[] for _ in range(n_days)]
        timed: dict[int, np.ndarray] = {}
        touched = np.zeros(n_days, dtype=bool)
        during = np.zeros(n_days, dtype=bool)
        eve = np.zeros(n_days, dtype=bool)
        step = series.interval_minutes * NS_PER_MINUTE
        grid_ns = series.grid.asi8
        holiday_names: list[list[str]] = [[] for _ in range(n_days)]
        sale = np.zeros(n_days, dtype=bool)
        after_event = np.zeros(n_days, dtype=bool)
        first_idx = (ev["first_day"].to_numpy().astype("datetime64[D]") - series.dates[0]).astype(int)
        last_idx = (ev["last_day"].to_numpy().astype("datetime64[D]") - series.dates[0]).astype(int)
        for row, event in enumerate(ev.itertuples(index=False)):
            if event.all_day:
                first, last = int(first_idx[row]), int(last_idx[row])
                after = last + 1
                while 0 <= after < n_days and after - last <= 7 and not open_weekday[series.weekday[after]]:
                    after += 1
                for day, offset in ((first - 1, OFFSET_BEFORE), (after, OFFSET_AFTER)):
                    if 0 <= day < n_days:
                        entries[day].append((row, offset))
                        touched[day] = True
                if first - 1 >= 0 and first - 1 < n_days:
                    eve[first - 1] = True
                if 0 <= after < n_days:
                    after_event[after] = True
                # a holiday with a stated uplift is priced like a sale: the team said what it does
                profiled = str(event.category).casefold() == HOLIDAY_CATEGORY and np.isnan(event.uplift)
                for day in range(max(first, 0), min(last, n_days - 1) + 1):
                    entries[day].append((row, OFFSET_DURING))
                    touched[day] = during[day] = True
                    if profiled:
                        holiday_names[day].append(str(event.name))
                    else:
                        sale[day] = True
            else:
                lo = np.searchsorted(grid_ns, event.start_eff.value - step, side="right")
                hi = np.searchsorted(grid_ns, event.end_eff.value, side="left")
                if hi > lo:
                    positions = np.arange(lo, hi)
                    timed[row] = positions
                    days = np.unique(series.interval_date[positions])
                    touched[days] = during[days] = sale[days] = True
        types = assign_day_types(series.weekday, holiday_names, sale, after_event, open_weekday)
        touched |= np.isin(types.kind, (BRIDGE, INSIDE))
        outage = np.zeros(n_days, dtype=bool)
        totals = series.totals.sum(axis=0)
        excluded = touched | ~series.present
        outage[:cutoff] = outage_mask(
            totals[:cutoff], series.cube.sum(axis=0)[:cutoff], series.dates[:cutoff],
            series.weekday[:cutoff], excluded[:cutoff],
        )  # fmt: skip
        return cls(
            ev=ev, entries=entries, timed=timed, touched=touched, during=during, eve=eve,
            outage=outage, open_weekday=open_weekday, types=types, first_day=first_idx, last_day=last_idx,
        )  # fmt: skip

    def normal(self, series: Series, cutoff: int) -> np.ndarray:
        mask = series.present & ~self.touched & ~self.outage
        mask[cutoff:] = False
        return mask


def open_weekdays(series: Series, cutoff: int) -> np.ndarray:
    """Weekdays whose median volume before the cutoff is at least CLOSED_SHARE of the busiest one's."""
    totals = series.totals.sum(axis=0)[:cutoff]
    present = series.present[:cutoff]
    medians = np.zeros(7)
    for w in range(7):
        values = totals[present & (series.weekday[:cutoff] == w)]
        medians[w] = float(np.median(values)) if len(values) else 0.0
    top = medians.max()
    return medians >= CLOSED_SHARE * top if top > 0 else np.ones(7, dtype=bool)


def validate_events(events: pd.DataFrame | None, tz: str) -> pd.DataFrame:
    """Check the events table and add ``start_eff``/``end_eff`` (all-day events widened to local midnights)."""
    columns = [*EVENT_REQUIRED_COLUMNS, "all_day", "start_eff", "end_eff", "first_day", "last_day"]
    if events is None or (len(events) == 0 and len(events.columns) == 0):
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        for c in ("start", "end", "start_eff", "end_eff"):
            empty[c] = pd.Series(dtype="datetime64[ns, UTC]")
        for c in ("first_day", "last_day"):
            empty[c] = pd.Series(dtype="datetime64[s]")
        empty["uplift"] = pd.Series(dtype=float)
        empty["all_day"] = pd.Series(dtype=bool)
        return empty
    found = [str(c) for c in events.columns]
    missing = [c for c in EVENT_REQUIRED_COLUMNS if c not in found]
    if missing:
        raise InputError(f"missing columns {missing} in events (found columns {found})")
    ev = events.copy()
    ev["start"] = utc_column(ev["start"], "events", "start")
    ev["end"] = utc_column(ev["end"], "events", "end")
    ev["all_day"] = ev["all_day"].fillna(False).astype(bool) if "all_day" in ev.columns else False
    ev["uplift"] = pd.to_numeric(ev["uplift"], errors="coerce").astype(float)
    for c in ("event_id", "name", "category"):
        ev[c] = ev[c].astype(str)
    bad = ev[ev["end"] <= ev["start"]]
    if len(bad):
        raise InputError(f"event {bad['event_id'].iloc[0]!r} ends before it starts: fix its start and end")
    negative = ev[ev["uplift"] < -1]
    if len(negative):
        row = negative.iloc[0]
        raise InputError(
            f"event {row['event_id']!r} states uplift {row['uplift']:g}, which would make volume negative: "
            "use a fraction >= -1 (1.5 = +150%, -0.3 = -30%)"
        )
    start_eff, end_eff = ev["start"].copy(), ev["end"].copy()
    for i in np.flatnonzero(ev["all_day"].to_numpy()):
        first = ev["start"].iloc[i].tz_convert(zone(tz)).date()
        last = (ev["end"].iloc[i] - pd.Timedelta(1, "ns")).tz_convert(zone(tz)).date()
        start_eff.iloc[i] = local_midnight(first, tz).tz_convert("UTC")
        end_eff.iloc[i] = local_midnight(last + dt.timedelta(days=1), tz).tz_convert("UTC")
    ev["start_eff"], ev["end_eff"] = start_eff.astype("datetime64[ns, UTC]"), end_eff.astype("datetime64[ns, UTC]")
    # local dates an event touches: used to keep event days out of the baseline
    ev["first_day"] = local_dates(pd.DatetimeIndex(ev["start"]), tz)
    ev["last_day"] = local_dates(pd.DatetimeIndex(ev["end"] - pd.Timedelta(1, "ns")), tz)
    return ev.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)[columns]
