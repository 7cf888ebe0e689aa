"""What the forecast says about the special days of its window: the ``validate`` list and the warnings.

The fallback chain (:mod:`forecasts.dayprofiles`) decides how each holiday, eve,
bridge day and day inside a holiday period is forecast; this module turns those
decisions into what a lead reads: one line per special day of the planned week
(``peakplan validate --week W``) and one warning per holiday the history has not
shown by name (cannot place, or places only from other holidays), naming the
config key that settles it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from forecasts.dayprofiles import (
    SOURCE_CLOSED_WEEKDAY,
    SOURCE_DECLARED,
    SOURCE_GROUP,
    SOURCE_NO_EFFECT,
    SOURCE_ORDINARY,
    SOURCE_OWN,
    SOURCE_REST_DAY,
)
from forecasts.daytypes import DAY_TYPES, HOLIDAY, HOLIDAYS_KEY, holiday_key


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecialDayForecast:
    """How a special day in the forecast window is forecast (``peakplan validate`` lists these)."""

    date: dt.date
    day_type: str
    name: str
    queue: str
    source: str
    share: float  # forecast volume / ordinary volume of the day
    occurrences: int


def describe_special_days(days: tuple[SpecialDayForecast, ...] | list[SpecialDayForecast]) -> tuple[str, ...]:
    """One line per special day of the window: its type, name and how it is forecast (queues joined).

    ``peakplan validate --week W`` lists these.
    """
    grouped: dict[tuple[dt.date, str, str, str], list[str]] = {}
    for day in days:
        grouped.setdefault((day.date, day.day_type, day.name, day.source), []).append(
            f"{day.queue} {day.share:.0%}" + (f" ({day.occurrences} past)" if day.occurrences else "")
        )
    how = {
        SOURCE_DECLARED: "as declared in the config",
        SOURCE_OWN: "from its own past occurrences, shrunk to its group",
        SOURCE_GROUP: "from past days of its type",
        SOURCE_ORDINARY: "as an ordinary day with a wider band (never seen)",
        SOURCE_CLOSED_WEEKDAY: "as the closed weekday it falls on",
        SOURCE_NO_EFFECT: "as an ordinary day (past ones did not differ from ordinary days)",
        SOURCE_REST_DAY: "as the team's rest day (the day before it for an eve) with a wider band (no past one)",
    }
    lines = tuple(
        f"{date} ({date:%a}) {day_type} {name!r}: {how[source]}; share of an ordinary day: {', '.join(queues)}"
        for (date, day_type, name, source), queues in sorted(grouped.items())
    )
    return lines or ("none in the window: every day is forecast as an ordinary day or a sale day",)


def unseen_holiday_warnings(days: list[SpecialDayForecast] | tuple[SpecialDayForecast, ...]) -> list[str]:
    """One warning per holiday the history has never shown by name, naming the config key that settles it.

    Forecast as an ordinary day (past holidays disagree), as the rest day (no
    past holiday at all) or from past holidays that agree: the last is the
    likeliest reading, not a certainty (a team that works every holiday may
    close its first Christmas), so the lead is told which days rest on other
    holidays alone.
    """
    out: list[str] = []
    for day in days:
        if day.day_type != DAY_TYPES[HOLIDAY]:
            continue
        unseen = day.source in (SOURCE_ORDINARY, SOURCE_REST_DAY)
        from_group = day.source in (SOURCE_GROUP, SOURCE_NO_EFFECT) and day.occurrences == 0
        if not unseen and not from_group:
            continue
        key = holiday_key(day.name.split("; ")[0])
        if from_group:
            text = (
                f"holiday {day.name!r} on {day.date} ({day.date:%A}) was never seen in the history: forecast as "
                f"the past holidays went, which agree on what the team does; if the team does otherwise this "
                f'time, say it in the config: [{HOLIDAYS_KEY}] "{key}" = "closed", "open" or "reduced 50%"'
            )
        elif day.source == SOURCE_REST_DAY:
            text = (
                f"holiday {day.name!r} on {day.date} ({day.date:%A}): the history shows no past holiday to learn "
                f"from: forecast as the team's quietest weekday with a wider band; if the team works it, say it "
                f'in the config: [{HOLIDAYS_KEY}] "{key}" = "open" or "reduced 50%" ("closed" silences this)'
            )
        else:
            text = (
                f"holiday {day.name!r} on {day.date} ({day.date:%A}) was never seen in the history and past "
                f"holidays do not agree on what the team does: forecast as an ordinary day with a wider band; say "
                f'it in the config: [{HOLIDAYS_KEY}] "{key}" = "closed", "open" or "reduced 50%"'
            )
        if text not in out:
            out.append(text)
    return out


__all__ = ("SpecialDayForecast", "describe_special_days", "unseen_holiday_warnings")
