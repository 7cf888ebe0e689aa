"""Day types: what kind of day each date is, and what the team declared about its special days.

Every date gets one type (the first that applies, in this order):

* ``holiday``: a public holiday or a team's own special day runs on it
  (an all-day event of category ``holiday`` without a stated uplift);
* ``eve``: the day before a holiday;
* ``bridge``: an open weekday squeezed between a holiday and a closed day
  (the Friday after a Thursday holiday when the weekend is closed);
* ``inside``: a day inside a holiday period (strictly between two holidays at
  most :data:`PERIOD_DAYS` apart: the days between Christmas and New Year,
  the intermediate days of Passover);
* ``sale``: any other event runs on it (learned sale effects of
  :mod:`forecasts.effects`, where the first, middle and last days of an event,
  sale day *k*, have their own effect when it stands out from the pooled one);
* ``after``: the first open day after a holiday (catch-up, learned as the
  holiday category's day-after effect);
* ``ordinary``: everything else.

Holiday, eve, bridge and inside days are forecast by :mod:`forecasts.dayprofiles`
(their own intraday shape and level, with a fallback chain); sale and after
days by the learned effects; ordinary days by the baseline.

A team can declare in its config (``[forecast.holidays]``) that it is
``closed``, ``open`` or ``reduced`` (a share of an ordinary day) on a holiday,
by name or by date, and add its own days (``[forecast.special_days]``: date =
name); what it declares wins over what history learned.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from calendars.errors import InputError
from forecasts.holidays_calendar import HOLIDAY_CATEGORY, all_day_holidays

ORDINARY, HOLIDAY, EVE, BRIDGE, INSIDE, SALE, AFTER = range(7)
DAY_TYPES: tuple[str, ...] = ("ordinary", "holiday", "eve", "bridge", "inside", "sale", "after")
"""Names of the day types, indexed by their codes."""

PROFILED = (HOLIDAY, EVE, BRIDGE, INSIDE)
"""Day types with their own shape and level (forecasts.dayprofiles)."""

PERIOD_DAYS = 7  # two holidays at most this many days apart make one holiday period

HOLIDAYS_KEY = "forecast.holidays"
SPECIAL_DAYS_KEY = "forecast.special_days"

# the qualifiers the ``holidays`` package appends to a holiday's name when it moves or is not yet fixed: the day
# is still that holiday ("Unity Day (observed)"), or one kind of day ("Day off (substituted from 01/06/2024)",
# a Russian day off moved from a weekend: each has another date in its name, so without this none is ever seen)
_OBSERVED = re.compile(
    r"\s*\((observed|estimated|observed, estimated|substituted from [^()]*|in lieu|substitute day)\)\s*$",
    re.IGNORECASE,
)
_SHARE = re.compile(r"^\s*reduced\s+(\d+(?:\.\d+)?)\s*(%?)\s*$", re.IGNORECASE)


def holiday_key(name: str) -> str:
    """The name a holiday is learned under: ``"Independence Day (observed)"`` -> ``"Independence Day"``.

    ``"Day off (substituted from 01/06/2024)"`` -> ``"Day off"``; other parentheses are part of the name.
    """
    return _OBSERVED.sub("", str(name)).strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecialDays:
    """What the team declared: shares of an ordinary day per holiday, and its own days.

    Attributes:
        by_name: holiday name -> share of an ordinary day (0 closed, 1 open).
        by_date: local date -> share (wins over ``by_name``).
        own_days: the team's own special days, (date, name), learned like holidays.
    """

    by_name: tuple[tuple[str, float], ...] = ()
    by_date: tuple[tuple[dt.date, float], ...] = ()
    own_days: tuple[tuple[dt.date, str], ...] = ()

    def share(self, day: dt.date, name: str) -> float:
        """The declared share for a holiday on ``day`` called ``name``, NaN when nothing is declared."""
        dates = dict(self.by_date)
        if day in dates:
            return dates[day]
        names = {key.casefold(): value for key, value in self.by_name}
        for part in str(name).split("; "):
            if holiday_key(part).casefold() in names:
                return names[holiday_key(part).casefold()]
        return float("nan")


NO_SPECIAL_DAYS = SpecialDays()


def parse_special_days(holidays: Any, special_days: Any, where: str) -> SpecialDays:
    """Read ``[forecast.holidays]`` and ``[forecast.special_days]`` of a config.

    ``[forecast.holidays]`` maps a holiday name or a ``YYYY-MM-DD`` date to
    ``"closed"``, ``"open"``, ``"reduced 40%"`` or a share between 0 and 1;
    ``[forecast.special_days]`` maps a ``YYYY-MM-DD`` date to the day's name.

    Raises:
        InputError: every malformed entry at once, naming the key and value.
    """
    problems: list[str] = []
    by_name: list[tuple[str, float]] = []
    by_date: list[tuple[dt.date, float]] = []
    own: list[tuple[dt.date, str]] = []
    for table, key in ((holidays, HOLIDAYS_KEY), (special_days, SPECIAL_DAYS_KEY)):
        if not isinstance(table, Mapping):
            problems.append(f"{where}: [{key}] must be a table, got {table!r}")
    if problems:
        raise InputError("\n".join(problems))
    for name, value in holidays.items():
        share = _share(value)
        if share is None:
            problems.append(
                f'{where}: {HOLIDAYS_KEY}.{name!r} = {value!r}: use "closed", "open", "reduced 40%" '
                "or a share between 0 and 1"
            )
            continue
        day = _date(name)
        if day is not None:
            by_date.append((day, share))
        elif re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", str(name)):
            # "2026-13-01" or "2026-1-5" read as a holiday name would silently match nothing
            problems.append(f"{where}: {HOLIDAYS_KEY}.{name!r}: not a date (use YYYY-MM-DD) nor a holiday's name")
        else:
            by_name.append((holiday_key(name), share))
    for key, name in special_days.items():
        day = _date(key)
        if day is None or not isinstance(name, str) or not name.strip():
            problems.append(f'{where}: {SPECIAL_DAYS_KEY}.{key!r} = {name!r}: use "YYYY-MM-DD" = "name of the day"')
            continue
        own.append((day, name.strip()))
    if problems:
        raise InputError("\n".join(problems))
    return SpecialDays(by_name=tuple(sorted(by_name)), by_date=tuple(sorted(by_date)), own_days=tuple(sorted(own)))


def unmatched_holiday_names(special: SpecialDays, events: pd.DataFrame | None) -> list[str]:
    """One warning per holiday name declared in the config that no holiday of the events carries.

    A misspelt name ("Chrismas Day") would otherwise change nothing, silently: the
    warning names the key and the closest known names, so the lead can fix it.
    Matching is the one :meth:`SpecialDays.share` uses (case-folded, "(observed)" dropped,
    each part of a "; "-joined name).
    """
    if not special.by_name:
        return []
    known: dict[str, str] = {}
    if events is not None and {"category", "name"} <= set(events.columns):
        holidays = events[events["category"].astype(str).str.casefold() == HOLIDAY_CATEGORY]
        for name in holidays["name"].astype(str):
            for part in name.split("; "):
                known.setdefault(holiday_key(part).casefold(), holiday_key(part))
    out: list[str] = []
    for name, _ in special.by_name:
        if name.casefold() in known:
            continue
        close = difflib.get_close_matches(name.casefold(), sorted(known), n=3, cutoff=0.75)
        hint = f"; did you mean {', '.join(repr(known[c]) for c in close)}?" if close else ""
        out.append(
            f"[{HOLIDAYS_KEY}] {name!r} matches no holiday of the calendar or of the holidays in the history and "
            f"the planned days, so it changes nothing{hint}"
        )
    return out


def own_day_events(special: SpecialDays, tz: str) -> pd.DataFrame:
    """The team's own special days as all-day ``holiday`` events (rows of the events table)."""
    return all_day_holidays(((f"special-{day.isoformat()}", name, day) for day, name in special.own_days), tz)


def with_own_days(events: pd.DataFrame | None, special: SpecialDays, tz: str) -> pd.DataFrame | None:
    """The events table plus the team's own special days (unchanged when it has none).

    A date declared in ``[forecast.holidays]`` on which no holiday falls is a
    special day of the team too (named ``declared day``), so "we close early on
    2026-12-31" works without a holiday of that name.
    """
    empty = events is None or (len(events) == 0 and len(events.columns) == 0)
    holiday_dates: set[dt.date] = set()
    if events is not None and not empty and {"category", "start", "end"} <= set(events.columns):
        for row in events[events["category"].astype(str).str.casefold() == HOLIDAY_CATEGORY].itertuples(index=False):
            first = pd.Timestamp(row.start).tz_convert(tz).date()
            last = (pd.Timestamp(row.end) - pd.Timedelta(1, "ns")).tz_convert(tz).date()
            holiday_dates.update(first + dt.timedelta(days=k) for k in range((last - first).days + 1))
    own_dates = {day for day, _ in special.own_days}
    declared = tuple(
        (day, "declared day") for day, _ in special.by_date if day not in holiday_dates and day not in own_dates
    )
    days = SpecialDays(own_days=tuple(sorted(special.own_days + declared)))
    if not days.own_days:
        return events
    own = own_day_events(days, tz)
    return own if events is None or empty else pd.concat([events, own], ignore_index=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class DayTypes:
    """The type of every date of a series.

    Attributes:
        kind: (D,) type codes (:data:`DAY_TYPES`).
        key: (D,) object: the holiday a holiday/eve is learned under; for a bridge day the holiday it
            joins to the closed day, for a day inside a holiday period the holiday that opens the period
            (the period it is learned under: the days after Christmas are not the days after Easter);
            "" otherwise.
        name: (D,) object: the name shown in the forecast ("Pesach", "Pesach (day before)").
        closed_next: (D,) the next date is a holiday or a closed weekday.
    """

    kind: np.ndarray
    key: np.ndarray
    name: np.ndarray
    closed_next: np.ndarray


def assign_day_types(
    weekday: np.ndarray,
    holiday_names: list[list[str]],
    sale: np.ndarray,
    after: np.ndarray,
    open_weekday: np.ndarray,
) -> DayTypes:
    """Give every date its day type.

    Args:
        weekday: (D,) weekday of each date, 0 = Monday.
        holiday_names: per date, the names of the holidays running on it (empty: none).
        sale: (D,) another event (sale, campaign) runs on the date.
        after: (D,) the date is the first open day after an event.
        open_weekday: (7,) the team works that weekday.

    Returns:
        :class:`DayTypes`.
    """
    n = len(weekday)
    holiday = np.array([bool(names) for names in holiday_names], dtype=bool)
    kind = np.full(n, ORDINARY, dtype=int)
    key = np.full(n, "", dtype=object)
    name = np.full(n, "", dtype=object)
    closed = ~open_weekday[weekday] | holiday
    index = np.arange(n)
    # the latest holiday on or before each date and the earliest on or after it (-inf/+inf: none)
    previous = np.maximum.accumulate(np.where(holiday, index, -(10**9)))
    following = np.minimum.accumulate(np.where(holiday, index, 10**9)[::-1])[::-1]
    for d in range(n):
        if holiday[d]:
            kind[d], key[d] = HOLIDAY, "; ".join(holiday_key(x) for x in holiday_names[d])
            name[d] = "; ".join(holiday_names[d])
        elif d + 1 < n and holiday[d + 1]:
            kind[d], key[d] = EVE, "; ".join(holiday_key(x) for x in holiday_names[d + 1])
            name[d] = f"{'; '.join(holiday_names[d + 1])} (day before)"
        elif (
            open_weekday[weekday[d]]
            and 0 < d < n - 1
            and ((holiday[d - 1] and closed[d + 1]) or (closed[d - 1] and holiday[d + 1]))
        ):
            names = holiday_names[d - 1] or holiday_names[d + 1]
            kind[d], name[d] = BRIDGE, f"{'; '.join(names)} (bridge)"
            key[d] = "; ".join(holiday_key(x) for x in names)
        elif following[d] - previous[d] <= PERIOD_DAYS:
            kind[d], name[d] = INSIDE, f"{'; '.join(holiday_names[previous[d]])} (holiday period)"
            key[d] = "; ".join(holiday_key(x) for x in holiday_names[previous[d]])
        elif sale[d]:
            kind[d] = SALE
        elif after[d]:
            kind[d] = AFTER
    closed_next = np.append(closed[1:], False)
    return DayTypes(kind=kind, key=key, name=name, closed_next=closed_next)


def _share(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if 0.0 <= float(value) <= 1.0 else None
    if not isinstance(value, str):
        return None
    text = value.strip().casefold()
    if text == "closed":
        return 0.0
    if text == "open":
        return 1.0
    match = _SHARE.match(text)
    if not match:
        return None
    share = float(match.group(1)) / (100.0 if match.group(2) or float(match.group(1)) > 1 else 1.0)
    return share if 0.0 <= share <= 1.0 else None


def _date(text: Any) -> dt.date | None:
    try:
        return (
            dt.date.fromisoformat(str(text).strip()) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(text).strip()) else None
        )
    except ValueError:
        return None


__all__ = (
    "DAY_TYPES",
    "NO_SPECIAL_DAYS",
    "PROFILED",
    "DayTypes",
    "SpecialDays",
    "assign_day_types",
    "holiday_key",
    "own_day_events",
    "parse_special_days",
    "unmatched_holiday_names",
    "with_own_days",
)
