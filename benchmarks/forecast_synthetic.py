"""Synthetic hourly series with other countries' holidays and customs, for the forecast benchmark.

Each series is a Poisson draw around a mean written from a team's custom (its
opening hours, what it does on each kind of holiday, eves, catch-up days, periods
the ``holidays`` calendar does not name), with only ``holidays CC`` given to the
model: the held-out scoring of issue 18 in miniature. The generators are not the
model: each was written before it was first run, and not changed after (the
tenth pass's six, Brazil, India, China, France, Korea and Australia, were
written before the model was run on them; the eleventh pass's three, a US retailer with its sale calendar, a
Bavarian team and a Dutch team whose history starts before Christmas, too).

    python -m benchmarks.forecast_synthetic       # or: make bench

prints, per series, the model's and the baselines' hourly WAPE overall, on event days and on normal days, per day
type and per holiday; the first holiday weeks of a short history; and every two-year series again with a short
history. Exit status 0 when the model beats the 8-week average and both readings of the day-type rule, overall and
on event days, on every series (the held-out scoring of issue 18), 1 otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from dateutil.easter import easter

if TYPE_CHECKING:  # imported for real by the caller, after it pinned itself to one core
    from forecasts.backtest import BacktestResult

INTERVAL = 60
SYNTH_TZ = "America/New_York"
# the synthetic second series: a US bank closed on these federal holidays and open as normal on the others
SYNTH_CLOSED = ("New Year's Day", "Memorial Day", "Independence Day", "Labor Day", "Thanksgiving Day", "Christmas Day")
SYNTH_EARLY_EVES = ("Thanksgiving Day", "Christmas Day")  # their eves close at 14:00
EU_TZ = "Europe/Berlin"  # the synthetic third series: a German team (closed weekends, bridge days, Christmas)
UK_TZ = "Europe/London"  # the fourth: a UK team (closed on bank holidays, a quiet Christmas week)
RU_TZ = "Europe/Moscow"  # the fifth: a Russian shop open every day, working its holidays at a reduced level
IL_TZ = "Asia/Jerusalem"  # the sixth: an Israeli bank, the custom of the second half of 1999 in other years
SA_TZ = "Asia/Riyadh"  # the seventh: a Saudi desk (Friday closed, multi-day Eids)
JP_TZ = "Asia/Tokyo"  # the eighth: a Japanese desk (Golden Week, a year-end closure the calendar does not name)
BR_TZ = "America/Sao_Paulo"  # the ninth: a Brazilian centre with five months of history (Carnival unnamed)
IN_TZ = "Asia/Kolkata"  # the tenth: an Indian helpdesk with five months of history (closed, reduced, late, open)
CN_TZ = "Asia/Shanghai"  # the eleventh: a Chinese shop (Spring Festival break, make-up working weekends)
FR_TZ = "Europe/Paris"  # the twelfth: a French team (Pentecost Monday worked, a bridge Friday, August at 60%)
KR_TZ = "Asia/Seoul"  # the thirteenth: a Korean desk (three-day Seollal and Chuseok, election days half worked)
AU_TZ = "Australia/Sydney"  # the fourteenth: an Australian centre open every day (holidays with Sunday hours)
# the eleventh pass of issue 18, written before the model was first run on them:
RETAIL_TZ = "America/Chicago"  # a US online retailer open every day, with its own sale calendar
BY_TZ = "Europe/Berlin"  # a Bavarian team: regional holidays the national calendar does not name, a year-end closure
NL_TZ = "Europe/Amsterdam"  # a Dutch team whose history starts three weeks before Christmas

MeanOf = Callable[[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame], np.ndarray]


def _holiday_dates(events: pd.DataFrame, tz: str) -> list[tuple[dt.date, str]]:
    from forecasts.daytypes import holiday_key

    return sorted((row["start"].tz_convert(tz).date(), holiday_key(row["name"])) for _, row in events.iterrows())


def _next_open_weekday(day: dt.date, closed: set[dt.date] | frozenset[dt.date] = frozenset()) -> dt.date:
    """The first Monday-Friday after ``day`` that is not in ``closed``: where a closed holiday's catch-up lands."""
    following = day + dt.timedelta(days=1)
    while following.weekday() >= 5 or following in closed:
        following += dt.timedelta(days=1)
    return following


def _us_bank(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """A US bank: Mon-Fri 8-20 with a midday peak, Saturday 9-14, Sunday closed; closed on six federal
    holidays (a 30% catch-up on the next working day), open as normal on the others; the eves of
    Thanksgiving and Christmas close at 14:00 (seed 0)."""
    mean = np.where((hour >= 8) & (hour < 20), 40 + 80 * np.exp(-((hour - 12.5) ** 2) / 18.0), 2.0)
    mean = np.where(weekday == 5, np.where((hour >= 9) & (hour < 14), 30.0, 1.0), mean)
    mean = np.where(weekday == 6, 0.5, mean)
    for day, key in _holiday_dates(events, SYNTH_TZ):
        if key in SYNTH_CLOSED:
            mean = np.where(date == day, 0.5, mean)
            mean = np.where(date == _next_open_weekday(day), 1.3 * mean, mean)
        if key in SYNTH_EARLY_EVES:
            mean = np.where((date == day - dt.timedelta(days=1)) & (hour >= 14), 1.0, mean)
    return mean


def _german_team(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """A German support team: Mon-Fri 8-18 with a morning peak, weekends closed; closed on every national
    holiday with a 20% catch-up on the next open day; a Friday after a Thursday holiday a bridge day at 60%;
    27-30 December at half volume; 24 and 31 December close at 12:00 (not public holidays in ``holidays``
    DE) (seed 1)."""
    mean = np.where((hour >= 8) & (hour < 18), 20 + 40 * np.exp(-((hour - 10.5) ** 2) / 8.0), 0.5)
    mean = np.where(weekday >= 5, 0.3, mean)
    holidays_ = {day for day, _ in _holiday_dates(events, EU_TZ)}
    for year in (2023, 2024):
        for day in (dt.date(year, 12, d) for d in range(27, 31)):
            mean = np.where((date == day) & (weekday < 5), 0.5 * mean, mean)
        for day in (dt.date(year, 12, 24), dt.date(year, 12, 31)):
            mean = np.where((date == day) & (hour >= 12), 0.3, mean)
    for day in sorted(holidays_):
        mean = np.where(date == day, 0.3, mean)
        if day.weekday() == 3:
            mean = np.where(date == day + dt.timedelta(days=1), 0.6 * mean, mean)  # the bridge Friday
            continue
        mean = np.where(date == _next_open_weekday(day, holidays_), 1.2 * mean, mean)
    return mean


def _uk_team(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """A UK team: Mon-Fri 9-17 with a morning peak, Saturday 10-14 quiet, Sunday closed; closed on bank
    holidays with a 25% catch-up on the next open weekday; 24 December closes at 13:00; the weekdays of
    27-31 December at half volume (seed 2)."""
    mean = np.where((hour >= 9) & (hour < 17), 15 + 30 * np.exp(-((hour - 10.5) ** 2) / 6.0), 0.3)
    mean = np.where(weekday == 5, np.where((hour >= 10) & (hour < 14), 8.0, 0.2), mean)
    mean = np.where(weekday == 6, 0.1, mean)
    holidays_ = {day for day, _ in _holiday_dates(events, UK_TZ)}
    for year in (2023, 2024):
        for d in range(27, 32):
            mean = np.where((date == dt.date(year, 12, d)) & (weekday < 5), 0.5 * mean, mean)
        mean = np.where((date == dt.date(year, 12, 24)) & (hour >= 13), 0.2, mean)
    for day in sorted(holidays_):
        mean = np.where(date == day, 0.2, mean)
        mean = np.where(date == _next_open_weekday(day, holidays_), 1.25 * mean, mean)
    return mean


def _russian_shop(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """A Russian e-commerce support desk: open every day 8-22, weekends at 70%; public holidays worked at
    60% with the evening (from 17:00) half as busy again; the New Year holidays (1-8 January) at 40%; no
    catch-up (seed 3)."""
    base = np.where((hour >= 8) & (hour < 22), 20 + 25 * np.exp(-((hour - 13) ** 2) / 20.0), 1.0)
    mean = np.where(weekday >= 5, 0.7 * base, base)
    for day, _ in _holiday_dates(events, RU_TZ):
        if day.month == 1 and day.day <= 8:
            mean = np.where(date == day, 0.4 * base, mean)
        else:
            mean = np.where(date == day, 0.6 * base * np.where(hour >= 17, 1.5, 1.0), mean)
    return mean


def _israeli_bank(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """An Israeli bank: Sun-Thu 8-22, Friday 8-13, Saturday closed until 20:00 then quiet to 23; religious
    holidays like a Saturday (closed, reopening at 20:00 unless the next day is a holiday too), their eves like a
    Friday; Independence Day worked at 40% all day (seed 4)."""
    base = np.where((hour >= 8) & (hour < 22), 40 + 40 * np.exp(-((hour - 11) ** 2) / 10.0), 2.0)
    fri = np.where((hour >= 8) & (hour < 13), 35.0, 1.0)
    sat = np.where((hour >= 20) & (hour < 23), 20.0, 0.5)
    mean = np.where(weekday == 4, fri, np.where(weekday == 5, sat, base))
    days = _holiday_dates(events, IL_TZ)
    hol = {d for d, _ in days}
    for day, key in days:
        if key == "Independence Day":
            mean = np.where(date == day, 0.4 * base, mean)
            continue
        closed = np.where(day + dt.timedelta(days=1) in hol, 0.5, sat)
        mean = np.where(date == day, closed, mean)
        eve = day - dt.timedelta(days=1)
        if eve not in hol:
            mean = np.where(date == eve, np.minimum(fri, mean), mean)
    return mean


def _saudi_desk(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """Saudi support desk: Sun-Thu 9-21 (evening peak), Friday closed, Saturday 12-18 at half; closed on every
    holiday (multi-day Eids included) like a Friday; the day after a holiday run +25% (seed 5)."""
    base = np.where((hour >= 9) & (hour < 21), 25 + 20 * np.exp(-((hour - 18) ** 2) / 8.0), 0.5)
    sat = np.where((hour >= 12) & (hour < 18), 15.0, 0.3)
    mean = np.where(weekday == 4, 0.3, np.where(weekday == 5, sat, base))
    hol = {d for d, _ in _holiday_dates(events, SA_TZ)}
    for day in sorted(hol):
        mean = np.where(date == day, 0.3, mean)
        if day + dt.timedelta(days=1) not in hol:
            nxt = day + dt.timedelta(days=1)
            while nxt.weekday() in (4,) or nxt in hol:
                nxt += dt.timedelta(days=1)
            mean = np.where(date == nxt, 1.25 * mean, mean)
    return mean


def _japanese_desk(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """Japanese support desk: Mon-Fri 9-18, weekends closed; holidays closed; Dec 29 - Jan 3 closed (only Jan 1
    is a public holiday); Golden Week days between holidays at 50% (seed 6)."""
    mean = np.where((hour >= 9) & (hour < 18), 30 + 15 * np.exp(-((hour - 10) ** 2) / 4.0), 0.2)
    mean = np.where(weekday >= 5, 0.1, mean)
    hol = {d for d, _ in _holiday_dates(events, JP_TZ)}
    for day in sorted(hol):
        mean = np.where(date == day, 0.1, mean)
    for y in (2023, 2024):
        for d in [dt.date(y, 12, 29), dt.date(y, 12, 30), dt.date(y, 12, 31), dt.date(y, 1, 2), dt.date(y, 1, 3)]:
            mean = np.where(date == d, 0.1, mean)
        for d in [dt.date(y, 5, 1), dt.date(y, 5, 2)]:
            mean = np.where((date == d) & (weekday < 5), 0.5 * mean, mean)
    return mean


BR_CLOSED = ("Universal Fraternization Day", "Good Friday", "Christmas Day")


def _brazilian_centre(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """A Brazilian contact centre: Mon-Fri 8-20 with peaks at 10:00 and 15:00, Saturday 8-14 at half, Sunday
    closed; closed on New Year's Day, Good Friday and Christmas (a 20% catch-up on the next open weekday); every
    other national holiday worked like a Saturday (8-14 at half a weekday); Christmas Eve and New Year's Eve
    close at 14:00; Carnival Monday and Tuesday (not in ``holidays`` BR) at 30%, Ash Wednesday opens at 13:00
    (seed 7)."""
    peaks = 18 + 22 * np.exp(-((hour - 10) ** 2) / 3.0) + 16 * np.exp(-((hour - 15) ** 2) / 4.0)
    weekday_mean = np.where((hour >= 8) & (hour < 20), peaks, 0.4)
    saturday = np.where((hour >= 8) & (hour < 14), 0.5 * weekday_mean, 0.3)
    mean = np.where(weekday == 5, saturday, np.where(weekday == 6, 0.3, weekday_mean))
    days = _holiday_dates(events, BR_TZ)
    closed = {day for day, key in days if key in BR_CLOSED}
    for day, key in days:
        if key in BR_CLOSED:
            mean = np.where(date == day, 0.3, mean)
            mean = np.where(date == _next_open_weekday(day, closed), 1.2 * mean, mean)
        else:
            mean = np.where(date == day, np.minimum(saturday, mean), mean)
    for year in (2024, 2025):
        for day in (dt.date(year, 12, 24), dt.date(year, 12, 31)):
            mean = np.where((date == day) & (hour >= 14), 0.3, mean)
        tuesday = easter(year) - dt.timedelta(days=47)
        for day in (tuesday - dt.timedelta(days=1), tuesday):
            mean = np.where(date == day, 0.3 * mean, mean)
        mean = np.where((date == tuesday + dt.timedelta(days=1)) & (hour < 13), 0.3, mean)
    return mean


IN_CLOSED = ("Republic Day", "Independence Day", "Mahatma Gandhi's Birthday", "Diwali", "Good Friday", "Christmas")
IN_REDUCED = ("Eid al-Fitr", "Eid al-Adha")  # worked at 60%
IN_LATE = ("Holi",)  # opens at 14:00


def _indian_helpdesk(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """An Indian IT helpdesk: Mon-Fri 9-19 with a lunch dip at 13:00, Saturday 9-14 at 40%, Sunday closed;
    closed on the three national days, Diwali, Good Friday and Christmas; the two Eids worked at 60%; Holi
    opens at 14:00; every other gazetted holiday worked as usual; the day after Diwali at 50% (seed 8)."""
    hours = 30 + 15 * np.exp(-((hour - 11) ** 2) / 3.0) - 12 * np.exp(-((hour - 13) ** 2) / 0.8)
    weekday_mean = np.where((hour >= 9) & (hour < 19), hours + 10 * np.exp(-((hour - 16) ** 2) / 3.0), 0.5)
    saturday = np.where((hour >= 9) & (hour < 14), 0.4 * weekday_mean, 0.3)
    mean = np.where(weekday == 5, saturday, np.where(weekday == 6, 0.2, weekday_mean))
    for day, key in _holiday_dates(events, IN_TZ):
        if day.weekday() == 6:
            continue
        names = key.split("; ")
        if any(name in IN_CLOSED for name in names):
            mean = np.where(date == day, 0.3, mean)
        elif any(name in IN_REDUCED for name in names):
            mean = np.where(date == day, 0.6 * mean, mean)
        elif any(name in IN_LATE for name in names):
            mean = np.where((date == day) & (hour < 14), 0.3, mean)
        if "Diwali" in names:
            mean = np.where(date == day + dt.timedelta(days=1), 0.5 * mean, mean)
    return mean


_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


def _chinese_shop(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """A Chinese e-commerce service desk: open every day 9-22 with an evening peak at 20:00, weekends 20%
    busier; on the days of a statutory break (its holidays and days off in lieu, and the weekend days that
    run on from them) a reduced staff answers 10-18 at 60% of a weekday; the Spring Festival break at 15% all
    day, its eve closing at 16:00; the first day back after the Spring Festival and National Day breaks +30%;
    the make-up working weekend days (the dates the days off were substituted from) like a weekday (seed 9)."""
    weekday_mean = np.where((hour >= 9) & (hour < 22), 20 + 25 * np.exp(-((hour - 20) ** 2) / 6.0), 0.5)
    mean = np.where(weekday >= 5, 1.2 * weekday_mean, weekday_mean)
    rows = [(row.start.tz_convert(CN_TZ).date(), str(row.name)) for row in events.itertuples()]
    holidays_ = {day for day, _ in rows}
    makeup = {dt.date(int(y), int(m), int(d)) for _, name in rows for m, d, y in _SUBSTITUTED.findall(name)}
    for day in makeup:
        mean = np.where(date == day, weekday_mean, mean)
    off, day = set(), min(holidays_)
    while day <= max(holidays_) + dt.timedelta(days=2):
        if day in holidays_ or (day.weekday() >= 5 and day - dt.timedelta(days=1) in off and day not in makeup):
            off.add(day)
        day += dt.timedelta(days=1)
    breaks: list[list[dt.date]] = []  # runs of consecutive days off
    for day in sorted(off):
        if breaks and breaks[-1][-1] == day - dt.timedelta(days=1):
            breaks[-1].append(day)
        else:
            breaks.append([day])
    for run in breaks:
        names = " ".join(name for day, name in rows if day in run)
        spring = "Spring Festival" in names
        for day in run:
            level = np.where((hour >= 10) & (hour < 18), 0.6 * weekday_mean, 0.5)
            mean = np.where(date == day, 0.15 * weekday_mean if spring else level, mean)
        if spring:
            mean = np.where((date == run[0] - dt.timedelta(days=1)) & (hour >= 16), 0.5, mean)
        if spring or "National Day" in names:
            mean = np.where(date == run[-1] + dt.timedelta(days=1), 1.3 * mean, mean)
    return mean


def _french_team(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """A French team: Mon-Fri 9-18 with a peak at 11:00 and a lunch dip 12-14, weekends closed; closed on the public
    holidays except Pentecost Monday (worked as usual); the Friday after Ascension at 40%; 1-15 August at 60%; 24 and
    31 December close at 16:00 (seed 10)."""
    lunch = 10 * ((hour >= 12) & (hour < 14))
    base = np.where((hour >= 9) & (hour < 18), 25 + 15 * np.exp(-((hour - 11) ** 2) / 2.0) - lunch, 0.3)
    mean = np.where(weekday >= 5, 0.2, base)
    for day, key in _holiday_dates(events, FR_TZ):
        if key == "Pentecost Monday":
            continue
        mean = np.where(date == day, 0.2, mean)
        if key == "Ascension Day":
            mean = np.where(date == day + dt.timedelta(days=1), 0.4 * mean, mean)
    for year in (2024, 2025):
        for d in range(1, 16):
            mean = np.where(date == dt.date(year, 8, d), 0.6 * mean, mean)
        for day in (dt.date(year, 12, 24), dt.date(year, 12, 31)):
            mean = np.where((date == day) & (hour >= 16), 0.2, mean)
    return mean


def _korean_desk(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """A Korean desk: Mon-Fri 9-18 with an afternoon peak, Saturday 9-13 at half, Sunday closed; closed on every
    public holiday except election days (from 13:00 at half: staff vote in the morning); Seollal and Chuseok closed
    with +40% on the first open weekday after them (seed 11)."""
    base = np.where((hour >= 9) & (hour < 18), 30 + 20 * np.exp(-((hour - 14) ** 2) / 5.0), 0.4)
    sat = np.where((hour >= 9) & (hour < 13), 0.5 * base, 0.3)
    mean = np.where(weekday == 6, 0.3, np.where(weekday == 5, sat, base))
    days = _holiday_dates(events, KR_TZ)
    hol = {day for day, _ in days}
    for day, key in days:
        if "Election" in key:
            mean = np.where(date == day, np.where(hour >= 13, 0.5 * mean, 0.3), mean)
            continue
        mean = np.where(date == day, 0.3, mean)
        if ("Korean New Year" in key or "Chuseok" in key) and day + dt.timedelta(days=1) not in hol:
            mean = np.where(date == _next_open_weekday(day, hol), 1.4 * mean, mean)
    return mean


def _australian_centre(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """An Australian centre open every day: Mon-Fri 8-20, Saturday 9-17 at 60%, Sunday 10-16 at 30%; public holidays
    worked with Sunday hours, except Christmas Day and Good Friday (closed) and Boxing Day (Saturday hours); 27-31
    December at 70% (seed 12)."""
    base = np.where((hour >= 8) & (hour < 20), 30 + 20 * np.exp(-((hour - 10) ** 2) / 4.0), 0.5)
    sat = np.where((hour >= 9) & (hour < 17), 0.6 * base, 0.3)
    sun = np.where((hour >= 10) & (hour < 16), 0.3 * base, 0.2)
    mean = np.where(weekday == 6, sun, np.where(weekday == 5, sat, base))
    for day, key in _holiday_dates(events, AU_TZ):
        if key in ("Christmas Day", "Good Friday"):
            mean = np.where(date == day, 0.2, mean)
        else:
            mean = np.where(date == day, sat if key == "Boxing Day" else sun, mean)
    for year in (2024, 2025):
        for d in range(27, 32):
            mean = np.where(date == dt.date(year, 12, d), 0.7 * mean, mean)
    return mean


def _fourth_thursday_of_november(year: int) -> dt.date:
    first = dt.date(year, 11, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)


def _weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


RETAIL_UPLIFT = {
    "Black Friday": 1.9,
    "Cyber Monday": 1.7,
    "Spring sale": 1.4,
    "Summer sale": 1.5,
    "Back to school": 1.3,
}


def _retail_sales(first: dt.date, last: dt.date, tz: str) -> pd.DataFrame:
    """The retailer's own sale calendar, as a team would load it: Black Friday and Cyber Monday (each its own
    category), and three seasonal sales of 2-3 days (category ``sale``); no uplift stated."""
    from forecasts.grid import local_midnight
    from forecasts.holidays_calendar import EVENT_COLUMNS

    rows = []
    for year in range(first.year, last.year + 1):
        thanksgiving = _fourth_thursday_of_november(year)
        sales = [
            ("Black Friday", "black friday", thanksgiving + dt.timedelta(days=1), 1),
            ("Cyber Monday", "cyber monday", thanksgiving + dt.timedelta(days=4), 1),
            ("Spring sale", "sale", _weekday_on_or_after(dt.date(year, 3, 15), 3), 3),
            ("Summer sale", "sale", _weekday_on_or_after(dt.date(year, 7, 8), 1), 2),
            ("Back to school", "sale", _weekday_on_or_after(dt.date(year, 8, 10), 4), 3),
        ]
        for name, category, start, days in sales:
            if first <= start <= last:
                rows.append({
                    "event_id": f"sale-{start.isoformat()}", "name": name, "category": category,
                    "start": local_midnight(start, tz).tz_convert("UTC"),
                    "end": local_midnight(start + dt.timedelta(days=days), tz).tz_convert("UTC"),
                    "all_day": True, "uplift": np.nan,
                })  # fmt: skip
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS))


def _us_retailer(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """A US online retailer's customer service, open every day 7-23: a lunch bump and an evening peak at 20:00 on
    weekdays, weekends at 85% with a flatter afternoon; 1-23 December +25% and 26-31 December +30% (returns), not
    named; Thanksgiving staffed 9-17 at 35%, Christmas Day closed, Christmas Eve closing at 17:00, New Year's Day at
    50%, every other federal holiday +10%; its sales (Black Friday x1.9, Cyber Monday x1.7, the seasonal sales x1.3-1.5)
    and +15% on the day after a sale (seed 13)."""
    open_ = (hour >= 7) & (hour < 23)
    weekday_mean = np.where(
        open_, 25 + 12 * np.exp(-((hour - 12.5) ** 2) / 4.0) + 30 * np.exp(-((hour - 20) ** 2) / 5.0), 0.5
    )
    weekend_mean = np.where(open_, 0.85 * (25 + 25 * np.exp(-((hour - 14) ** 2) / 12.0)), 0.5)
    mean = np.where(weekday >= 5, weekend_mean, weekday_mean)
    month = np.array([d.month for d in date])
    day_of_month = np.array([d.day for d in date])
    mean = np.where((month == 12) & (day_of_month <= 23), 1.25 * mean, mean)
    mean = np.where((month == 12) & (day_of_month >= 26), 1.3 * mean, mean)
    for row in events.itertuples():
        start = row.start.tz_convert(RETAIL_TZ).date()
        if row.category != "holiday":
            last = row.end.tz_convert(RETAIL_TZ).date() - dt.timedelta(days=1)
            during = (date >= start) & (date <= last)
            mean = np.where(during, RETAIL_UPLIFT[str(row.name)] * mean, mean)
            mean = np.where(date == last + dt.timedelta(days=1), 1.15 * mean, mean)
            continue
        key = str(row.name)
        if key.startswith("Thanksgiving"):
            mean = np.where(date == start, np.where((hour >= 9) & (hour < 17), 0.35 * mean, 0.3), mean)
        elif key.startswith("Christmas Day"):
            mean = np.where(date == start, 0.3, mean)
            mean = np.where((date == start - dt.timedelta(days=1)) & (hour >= 17), 0.3, mean)
        elif key.startswith("New Year's Day"):
            mean = np.where(date == start, 0.5 * mean, mean)
        else:
            mean = np.where(date == start, 1.1 * mean, mean)
    return mean


def _bavarian_team(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """A team in Bavaria: Mon-Fri 8-17 with a morning peak and a lunch dip at 12:00, weekends closed; closed on the
    national holidays and on Bavaria's own (Epiphany, Corpus Christi, Assumption, All Saints' Day: not in ``holidays``
    DE without a region), and from 24 December to 1 January (company closure); the Fridays after Ascension and Corpus
    Christi at 50% (bridge days); the first open weekday after a closed day +20%, after the year-end closure +35%
    (seed 14)."""
    base = np.where((hour >= 8) & (hour < 17), 22 + 18 * np.exp(-((hour - 9.5) ** 2) / 3.0) - 8.0 * (hour == 12), 0.4)
    mean = np.where(weekday >= 5, 0.2, base)
    national = {day for day, _ in _holiday_dates(events, BY_TZ)}
    years = sorted({d.year for d in date})
    regional, closure, bridges = set(), set(), set()
    for year in years:
        sunday = easter(year)
        regional |= {dt.date(year, 1, 6), sunday + dt.timedelta(days=60), dt.date(year, 8, 15), dt.date(year, 11, 1)}
        closure |= {dt.date(year, 12, d) for d in range(24, 32)} | {dt.date(year, 1, 1)}
        bridges |= {sunday + dt.timedelta(days=40), sunday + dt.timedelta(days=61)}  # Fridays after the Thursdays
    closed = national | regional | closure
    catch_up: dict[dt.date, float] = {}
    for day in sorted(closed):
        following = _next_open_weekday(day, closed)
        factor = 1.35 if day in closure else 1.2
        catch_up[following] = max(catch_up.get(following, 1.0), factor)
    for day in sorted(closed):
        mean = np.where(date == day, 0.2, mean)
    for day in sorted(bridges - closed):
        mean = np.where(date == day, 0.5 * mean, mean)
    for day, factor in sorted(catch_up.items()):
        mean = np.where(date == day, factor * mean, mean)
    return mean


def _dutch_team(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """A Dutch service team: Mon-Fri 8-18 with peaks at 10:00 and 15:00, Saturday 10-16 at 30%, Sunday closed; closed
    on the public holidays except King's Day (at half), Liberation Day (as usual) and Good Friday (at 70%); a 20%
    catch-up on the next open weekday after a closed holiday; 24 and 31 December close at 16:00, the weekdays of 27-31
    December at 70% (seed 15)."""
    base = np.where((hour >= 8) & (hour < 18), 20 + 15 * np.exp(-((hour - 10) ** 2) / 5.0)
                    + 8 * np.exp(-((hour - 15) ** 2) / 3.0), 0.3)  # fmt: skip
    sat = np.where((hour >= 10) & (hour < 16), 0.3 * base, 0.2)
    mean = np.where(weekday == 6, 0.1, np.where(weekday == 5, sat, base))
    days = _holiday_dates(events, NL_TZ)
    closed = {day for day, key in days if key not in ("King's Day", "Liberation Day", "Good Friday")}
    for day, key in days:
        if key == "King's Day":
            mean = np.where(date == day, 0.5 * mean, mean)
        elif key == "Good Friday":
            mean = np.where(date == day, 0.7 * mean, mean)
        elif key != "Liberation Day":
            mean = np.where(date == day, np.minimum(0.2, mean), mean)
    for day in sorted(closed):
        following = _next_open_weekday(day, closed)
        if following - day <= dt.timedelta(days=4):
            mean = np.where(date == following, 1.2 * mean, mean)
    for year in sorted({d.year for d in date}):
        for d in range(27, 32):
            mean = np.where((date == dt.date(year, 12, d)) & (weekday < 5), 0.7 * mean, mean)
        for day in (dt.date(year, 12, 24), dt.date(year, 12, 31)):
            mean = np.where((date == day) & (hour >= 16), 0.2, mean)
    return mean


@dataclass(frozen=True, slots=True, kw_only=True)
class Synthetic:
    """One synthetic series: where it lives, how it was drawn, which Mondays score it."""

    name: str  # short name in the target lines
    title: str  # what the team does, printed above its scores
    country: str  # the ``holidays`` code the model is given, and nothing else
    tz: str
    seed: int
    mean_of: MeanOf  # the Poisson mean of every hour (hour, weekday, date, holiday rows)
    first: dt.date = dt.date(2023, 1, 2)  # first day of the history
    days: int = 2 * 364 + 7
    origins: tuple[dt.date, dt.date] = (dt.date(2024, 1, 1), dt.date(2024, 12, 23))  # first and last Monday scored
    # the team's own calendar (sales), given to the model with its holidays: (first, last day, tz) -> events rows
    calendar: Callable[[dt.date, dt.date, str], pd.DataFrame] | None = None


SYNTHETIC_SERIES = (
    Synthetic(
        name="US bank",
        title=f"synthetic US bank (closed on {len(SYNTH_CLOSED)} federal holidays, open on the rest)",
        country="US",
        tz=SYNTH_TZ,
        seed=0,
        mean_of=_us_bank,
    ),
    Synthetic(
        name="German team",
        title="synthetic German team (closed weekends and holidays, bridge days, Christmas period)",
        country="DE",
        tz=EU_TZ,
        seed=1,
        mean_of=_german_team,
    ),
    Synthetic(
        name="UK team",
        title="synthetic UK team (closed on bank holidays, short Christmas Eve, a quiet Christmas week)",
        country="GB",
        tz=UK_TZ,
        seed=2,
        mean_of=_uk_team,
    ),
    Synthetic(
        name="Russian shop",
        title="synthetic Russian shop (open every day, holidays worked at 60%, long New Year holidays)",
        country="RU",
        tz=RU_TZ,
        seed=3,
        mean_of=_russian_shop,
    ),
    Synthetic(
        name="Israeli bank",
        title="synthetic Israeli bank (holidays like its Saturday, eves like its Friday, 2023-2024)",
        country="IL",
        tz=IL_TZ,
        seed=4,
        mean_of=_israeli_bank,
    ),
    Synthetic(
        name="Saudi desk",
        title="synthetic Saudi desk (Friday closed, closed on every holiday, multi-day Eids, catch-up after)",
        country="SA",
        tz=SA_TZ,
        seed=5,
        mean_of=_saudi_desk,
    ),
    Synthetic(
        name="Japanese desk",
        title="synthetic Japanese desk (weekends and holidays closed, Golden Week, year-end closure)",
        country="JP",
        tz=JP_TZ,
        seed=6,
        mean_of=_japanese_desk,
    ),
    Synthetic(
        name="Brazilian centre",
        title="synthetic Brazilian centre (history from April 2024; three holidays "
        "closed, the rest like a Saturday; unnamed Carnival)",
        country="BR",
        tz=BR_TZ,
        seed=7,
        mean_of=_brazilian_centre,
        first=dt.date(2024, 4, 1),
        days=53 * 7,
        origins=(dt.date(2024, 9, 2), dt.date(2025, 3, 31)),
    ),
    Synthetic(
        name="Indian helpdesk",
        title="synthetic Indian helpdesk (history from January 2024; holidays closed, at 60%, from 14:00 or as usual)",
        country="IN",
        tz=IN_TZ,
        seed=8,
        mean_of=_indian_helpdesk,
        first=dt.date(2024, 1, 1),
        days=53 * 7,
        origins=(dt.date(2024, 6, 3), dt.date(2024, 12, 30)),
    ),
    Synthetic(
        name="Chinese shop",
        title="synthetic Chinese shop (open daily; reduced staff on breaks, Spring "
        "Festival at 15%, make-up working weekends)",
        country="CN",
        tz=CN_TZ,
        seed=9,
        mean_of=_chinese_shop,
    ),
    Synthetic(
        name="French team",
        title="synthetic French team (history from March 2024; Pentecost Monday worked, a bridge Friday, August at 60%)",
        country="FR",
        tz=FR_TZ,
        seed=10,
        mean_of=_french_team,
        first=dt.date(2024, 3, 4),
        days=60 * 7,
        origins=(dt.date(2024, 7, 1), dt.date(2025, 4, 21)),
    ),
    Synthetic(
        name="Korean desk",
        title="synthetic Korean desk (three-day Seollal and Chuseok, election days from 13:00, catch-up after)",
        country="KR",
        tz=KR_TZ,
        seed=11,
        mean_of=_korean_desk,
        days=2 * 364 + 7 + 35,
        origins=(dt.date(2024, 1, 1), dt.date(2025, 1, 27)),
    ),
    Synthetic(
        name="Australian centre",
        title="synthetic Australian centre (history from February 2024; open daily, holidays with Sunday hours)",
        country="AU",
        tz=AU_TZ,
        seed=12,
        mean_of=_australian_centre,
        first=dt.date(2024, 2, 5),
        days=70 * 7,
        origins=(dt.date(2024, 7, 1), dt.date(2025, 5, 26)),
    ),
    Synthetic(
        name="US retailer",
        title="synthetic US online retailer (open daily; its sale calendar given: Black Friday, Cyber Monday, "
        "seasonal sales; Thanksgiving at 35%, Christmas closed, a December season not named)",
        country="US",
        tz=RETAIL_TZ,
        seed=13,
        mean_of=_us_retailer,
        calendar=_retail_sales,
    ),
    Synthetic(
        name="Bavarian team",
        title="synthetic Bavarian team (regional holidays and a 24 Dec-1 Jan closure the national calendar does not "
        "name, bridge Fridays, catch-up after)",
        country="DE",
        tz=BY_TZ,
        seed=14,
        mean_of=_bavarian_team,
    ),
    Synthetic(
        name="Dutch team",
        title="synthetic Dutch team (history from three weeks before Christmas 2024; holidays closed except King's "
        "Day at half, Liberation Day, Good Friday at 70%)",
        country="NL",
        tz=NL_TZ,
        seed=15,
        mean_of=_dutch_team,
        first=dt.date(2024, 11, 25),
        days=32 * 7,
        origins=(dt.date(2024, 12, 16), dt.date(2025, 6, 30)),
    ),
)
"""The held-out-style series, the last six added in the tenth pass of issue 18."""


def synthetic_series(series: Synthetic) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The hourly Poisson counts of ``series`` around its mean, and its country's holidays."""
    from forecasts.grid import interval_grid
    from forecasts.holidays_calendar import holiday_events

    grid = interval_grid(series.first, series.days, series.tz, INTERVAL).as_unit("ns")
    local = grid.tz_convert(series.tz)
    last = series.first + dt.timedelta(days=series.days)
    events = holiday_events(series.country, series.first, last, series.tz)
    if series.calendar is not None:
        events = pd.concat([events, series.calendar(series.first, last, series.tz)], ignore_index=True)
        events = events.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)
    mean = series.mean_of(local.hour.to_numpy(), local.day_of_week.to_numpy(), np.array(local.date), events)
    y = np.random.default_rng(series.seed).poisson(mean).astype(float)
    return pd.DataFrame({"ds": grid, "queue": "calls", "y": y}), events


def run_synthetic(series: Synthetic, *, show: bool = True) -> BacktestResult:
    """Backtest ``series`` from every Monday of its scored range, only its holidays given; print the scores."""
    from forecasts.backtest import backtest, weekly_origins
    from forecasts.settings import ModelOptions

    history, events = synthetic_series(series)
    origins = weekly_origins(*series.origins)
    result = backtest(history, events, origins=origins, options=ModelOptions(tz=series.tz, interval_minutes=INTERVAL))
    if show:
        print_generalisation(series, origins, result)
    return result


def print_generalisation(series: Synthetic, origins: tuple[dt.date, ...], result: BacktestResult) -> None:
    from forecasts.backtest import METHOD_NAMES, format_breakdown

    print()
    print(f"generalisation: {series.title}, {len(origins)} Mondays {origins[0]}..{origins[-1]}, only holidays "
          f"{series.country} given")  # fmt: skip
    print(f"{'hourly, all origins':<20} {'WAPE %':>8} {'holiday+eve':>12} {'normal':>8} {'bias %':>8} {'P80 cov':>8}")
    for method, name in METHOD_NAMES.items():
        row = {d: result.score(method, d) for d in ("all", "event", "normal")}
        cover = f"{100 * row['all']['coverage_p80']:>7.0f}%" if method == "model" else ""
        print(f"{name:<20} {100 * row['all']['wape']:>8.1f} {100 * row['event']['wape']:>12.1f} "
              f"{100 * row['normal']['wape']:>8.1f} {100 * row['all']['bias']:>+8.1f} {cover}")  # fmt: skip
    print(format_breakdown(result))


SHORT_FIRST, SHORT_ORIGINS = dt.date(2024, 1, 1), (dt.date(2024, 6, 3), dt.date(2024, 12, 23))
"""The short-history reading of a two-year series: history from January 2024, scored June-December 2024."""


def short_histories() -> tuple[Synthetic, ...]:
    """Every two-year series again with only five months of history before its first origin (a new team's year)."""
    return tuple(
        replace(series, first=SHORT_FIRST, days=(SHORT_ORIGINS[1] - SHORT_FIRST).days + 14, origins=SHORT_ORIGINS)
        for series in SYNTHETIC_SERIES
        if series.first < SHORT_FIRST
    )


def format_short_history(series: Synthetic, result: BacktestResult) -> str:
    """One line: overall / holiday+eve WAPE % of the model, the 8-week average and both rules, and the verdict."""
    cells = [
        f"{name} {100 * result.score(m, 'all')['wape']:.2f} / {100 * result.score(m, 'event')['wape']:.1f}"
        for m, name in (
            ("model", "model"),
            ("avg_8w", "8-week average"),
            *zip(RULES, ("rule", "unscaled rule"), strict=True),
        )
    ]
    verdict = "beats all three" if beats_baselines(result) else "does NOT beat all three"
    return f"  {series.name}: " + ", ".join(cells) + f"; {verdict}"


RULES = ("day_type_rule", "rest_day_rule")
"""The day-type rule read two ways (scaled by past holidays as worded, and unscaled): the targets take the stronger."""


def beats_baselines(result: BacktestResult) -> bool:
    """The model beats the 8-week average and both readings of the day-type rule, overall and on event days."""
    return all(
        result.score("model", d)["wape"] < min(result.score(m, d)["wape"] for m in ("avg_8w", *RULES))
        for d in ("all", "event")
    )


FIRST_HOLIDAY_WEEKS = 4  # the history a team has when it starts: its first holidays have no past one to learn from


def first_holidays(history: pd.DataFrame, events: pd.DataFrame, tz: str) -> tuple[int, float, dict[str, float]]:
    """The event-day WAPE of every method in the weeks of a history's first holidays.

    For each holiday, the Monday of its week is an origin when the
    :data:`FIRST_HOLIDAY_WEEKS` weeks before it hold no holiday and no eve; the
    model is fitted on those weeks only (a team that has just started) and the
    holidays and eves of the week are scored. Returns (weeks, actual calls,
    WAPE per method).
    """
    from forecasts.backtest import METHOD_COLUMNS, METHODS, backtest
    from forecasts.holidays_calendar import HOLIDAY_CATEGORY
    from forecasts.settings import ModelOptions

    local = history["ds"].dt.tz_convert(tz).dt.date
    holidays_ = events[events["category"].str.casefold() == HOLIDAY_CATEGORY]
    days = sorted({row.start.tz_convert(tz).date() for row in holidays_.itertuples()})
    error = dict.fromkeys(METHODS, 0.0)
    actual, origins = 0.0, set()
    for day in days:
        origin = day - dt.timedelta(days=day.weekday())
        start = origin - dt.timedelta(weeks=FIRST_HOLIDAY_WEEKS)
        seen = any(start - dt.timedelta(days=1) <= d < origin for d in days)  # a holiday, or its eve, before
        if origin in origins or seen or start < local.min() or day > local.max():
            continue
        origins.add(origin)
        part = history[(local >= start) & (local < origin + dt.timedelta(days=7))]
        scored = backtest(part, events, origins=[origin], options=ModelOptions(tz=tz, interval_minutes=INTERVAL))
        rows = scored.predictions[scored.predictions["day_class"] == "event"]
        actual += float(rows["y"].sum())
        for method in METHODS:
            error[method] += float((rows["y"] - rows[METHOD_COLUMNS[method]]).abs().sum())
    return len(origins), actual, {method: e / actual if actual > 0 else np.nan for method, e in error.items()}


def main() -> int:
    """Score every series, its first holidays and its short-history reading; 0 when every series beats all."""
    from forecasts.backtest import METHOD_NAMES, weekly_origins

    print("peakplan forecast benchmark: held-out-style synthetic series, only holidays CC given (issue 18)")
    results = [(series.name, run_synthetic(series)) for series in SYNTHETIC_SERIES]
    print()
    print(f"first holidays of a history: the week of each holiday with no holiday or eve in the {FIRST_HOLIDAY_WEEKS} "
          "weeks of history before it (fitted on those weeks only; not a target); holiday+eve WAPE %")  # fmt: skip
    for series in SYNTHETIC_SERIES:
        history, events = synthetic_series(series)
        weeks, calls, wape = first_holidays(history, events, series.tz)
        print(f"  {series.name}: {weeks} week{'s' if weeks != 1 else ''}, {calls:,.0f} calls: "
              + ", ".join(f"{METHOD_NAMES[m]} {100 * w:.1f}" for m, w in wape.items()))  # fmt: skip
    print()
    print(f"short histories: each two-year synthetic series with history from {SHORT_FIRST} only, "
          f"{len(weekly_origins(*SHORT_ORIGINS))} Mondays {SHORT_ORIGINS[0]}..{SHORT_ORIGINS[1]} "
          "(not a target); hourly WAPE % all / holiday+eve")  # fmt: skip
    for series in short_histories():
        print(format_short_history(series, run_synthetic(series, show=False)))
    print()
    for name, result in results:
        ok = beats_baselines(result)
        print(f"{'met ' if ok else 'MISSED'} synthetic {name}: beats the 8-week average and both day-type rules, "
              "overall and on event days: see above")  # fmt: skip
    return 0 if all(beats_baselines(result) for _, result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
