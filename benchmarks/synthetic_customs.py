"""The customs of the synthetic held-out-style series: each team's mean contacts per hour.

One function per team (``hour, weekday, date, holiday rows -> Poisson mean``),
written from a custom (opening hours, what the team does on each kind of
holiday, eves, catch-up days, periods the ``holidays`` calendar does not name)
before the model was first run on it, and not changed after;
:mod:`benchmarks.forecast_synthetic` draws the series and scores them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
from dateutil.easter import easter

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


def us_bank(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def german_team(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def uk_team(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def russian_shop(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def israeli_bank(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def saudi_desk(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def japanese_desk(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def brazilian_centre(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def indian_helpdesk(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def chinese_shop(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def french_team(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def korean_desk(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def australian_centre(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def retail_sales(first: dt.date, last: dt.date, tz: str) -> pd.DataFrame:
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


def us_retailer(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def bavarian_team(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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


def dutch_team(hour: np.ndarray, weekday: np.ndarray, date: np.ndarray, events: pd.DataFrame) -> np.ndarray:
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
