"""Parsers of the core sections: opening hours, channels, shift templates, queue minimums and blocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scheduler.config.model import (
    CHANNEL_MODELS,
    LIVE_MODELS,
    WEEKDAY_NAMES,
    Channel,
    OpeningHours,
    ShiftTemplate,
)
from scheduler.errors import InputError, Problems
from scheduler.tomlfile import Section, did_you_mean


def parse_clock(text: Any, where: str) -> dt.time:
    """Parse ``HH:MM`` local wall-clock time (24:00 is not a start time)."""
    try:
        hours, minutes = str(text).split(":")
        return dt.time(int(hours), int(minutes))
    except (ValueError, TypeError):
        raise InputError(f"{where}: {text!r} is not a time like 09:30") from None


def parse_opening_hours(text: Any, where: str) -> OpeningHours:
    """Parse ``"HH:MM-HH:MM"``; ``24:00`` or ``00:00`` as the close means midnight, a close before the open the next day."""
    parts = str(text).split("-")
    if len(parts) != 2:
        raise InputError(f"{where}: {text!r} is not opening hours like 08:00-23:00")
    close_text = "00:00" if parts[1].strip() == "24:00" else parts[1].strip()
    hours = OpeningHours(open=parse_clock(parts[0].strip(), where), close=parse_clock(close_text, where))
    if hours.close == hours.open and hours.open != dt.time(0):
        raise InputError(
            f"{where}: opening hours {text!r} open and close at the same time (around the clock: 00:00-24:00)"
        )
    return hours


_CHANNEL_KEYS = (
    "model", "aht_seconds", "concurrency", "concurrency_aht_growth", "service_level", "target_seconds",
    "target_hours", "patience_seconds", "open", "open_days",
)  # fmt: skip


def parse_channel(name: str, table: Any, source: Path, problems: Problems) -> Channel:
    where = f"channels.{name}"
    section = Section(table, where, source, problems)
    section.check_keys(_CHANNEL_KEYS)
    model = section.string("model")
    if section.ok("model") and model not in CHANNEL_MODELS:
        section.fail(
            f"{where}.model = {model!r}: must be one of {', '.join(CHANNEL_MODELS)}{did_you_mean(model, CHANNEL_MODELS)}",
            "model",
        )
        model = "erlang_c"
    live = model in LIVE_MODELS
    level = section.table.get("service_level", 0.8)
    if live and isinstance(level, int | float) and not isinstance(level, bool) and level >= 1:
        section.fail(
            f"{where}.service_level = {level!r}: must be below 1 for a live channel "
            "(every contact answered within a finite target needs infinitely many agents; use e.g. 0.95)",
            "service_level",
        )
        service_level = 0.8
    else:
        service_level = section.number("service_level", 0.8 if live else 1.0, low=0, high=1, low_inclusive=False)
    patience = None
    if model == "erlang_a":
        patience = section.number("patience_seconds", low=0, low_inclusive=False)
    elif "patience_seconds" in section.table:
        section.fail(f'{where}.patience_seconds applies only to model = "erlang_a", not {model!r}', "patience_seconds")
    if not live and ("concurrency_aht_growth" in section.table or "concurrency" in section.table):
        section.fail(
            f"{where}: concurrency and concurrency_aht_growth apply only to live channels "
            f"(erlang_c, erlang_a), not {model!r}",
            "concurrency",
        )
    hours = problems.attempt(
        lambda: parse_opening_hours(section.string("open", "00:00-24:00"), f"{source}: {where}.open"),
        OpeningHours(open=dt.time(0), close=dt.time(0)),
    )
    every_day: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    days = problems.attempt(
        lambda: parse_open_days(section.table.get("open_days", list(WEEKDAY_NAMES)), f"{source}: {where}.open_days"),
        every_day,
    )
    return Channel(
        name=name,
        model=model,
        aht_seconds=section.number("aht_seconds", low=0, low_inclusive=False) or 1.0,
        open=hours or OpeningHours(open=dt.time(0), close=dt.time(0)),
        concurrency=section.integer("concurrency", 1, low=1) if live else 1,
        service_level=service_level,
        target_seconds=section.number("target_seconds", 30.0, low=0),
        target_hours=section.number("target_hours", 4.0, low=0, low_inclusive=False),
        patience_seconds=patience,
        concurrency_aht_growth=section.number("concurrency_aht_growth", 0.0, low=0, high=10) if live else 0.0,
        open_days=days or (0, 1, 2, 3, 4, 5, 6),
    )


def parse_open_days(value: Any, where: str) -> tuple[int, ...]:
    """``["mon", "tue", ...]`` -> weekday numbers (0 = Monday), sorted."""
    if not isinstance(value, list) or not value or not all(isinstance(day, str) for day in value):
        raise InputError(f'{where} = {value!r}: must be a non-empty list of days like ["mon", "tue"]')
    unknown = sorted({day for day in value if day.lower() not in WEEKDAY_NAMES})
    if unknown:
        raise InputError(f"{where}: unknown day(s) {unknown}; valid days: {', '.join(WEEKDAY_NAMES)}")
    return tuple(sorted({WEEKDAY_NAMES.index(day.lower()) for day in value}))


def parse_shift(index: int, table: Any, source: Path, problems: Problems) -> ShiftTemplate | None:
    where = f"roster.shifts[{index}]"
    section = Section(table, where, source, problems)
    section.check_keys(("name", "hours", "starts", "lunch_minutes", "lunch_after_hours", "breaks"))
    starts = section.require("starts")
    parsed: tuple[dt.time, ...] = ()
    if "starts" in section.table:
        if not isinstance(starts, list) or not starts:
            section.fail(f"{where}.starts = {starts!r}: must be a non-empty list of times like '09:00'", "starts")
        else:
            clocks = [problems.attempt(_clock_parser(start, f"{source}: {where}.starts")) for start in starts]
            if all(clock is not None for clock in clocks):
                parsed = tuple(sorted(set(clocks)))  # type: ignore[arg-type]
            else:
                section.failed.add("starts")
    window = section.table.get("lunch_after_hours", [3.0, 5.0])
    if (
        not isinstance(window, list)
        or len(window) != 2
        or not all(isinstance(value, int | float) and not isinstance(value, bool) for value in window)
        or window[0] > window[1]
    ):
        section.fail(
            f"{where}.lunch_after_hours = {window!r}: must be [earliest, latest] hours, e.g. [3, 5]",
            "lunch_after_hours",
        )
        window = [3.0, 5.0]
    template = ShiftTemplate(
        name=section.string("name"),
        hours=section.number("hours", low=0.5, high=16),
        starts=parsed,
        lunch_minutes=section.integer("lunch_minutes", 0, low=0),
        lunch_after_hours=(float(window[0]), float(window[1])),
        breaks=section.integer("breaks", 0, low=0),
    )
    if not section.ok("hours", "lunch_minutes", "lunch_after_hours", "*"):
        return None
    if template.lunch_minutes and template.lunch_after_hours[0] <= 0:
        section.fail(f"{where}: the lunch window must start after the shift starts (lunch_after_hours > 0)")
    elif template.lunch_minutes and template.lunch_after_hours[1] * 60 + template.lunch_minutes >= template.hours * 60:
        section.fail(f"{where}: the lunch window must end before the shift ends")
    return template if section.ok("name", "starts") else None


def parse_night(text: str, source: Path) -> OpeningHours:
    """Night window ``"22:00-06:00"``: it may wrap past midnight, unlike opening hours."""
    parts = text.split("-")
    if len(parts) != 2:
        raise InputError(f"{source}: roster.night = {text!r}: must be a window like 22:00-06:00")
    where = f"{source}: roster.night"
    return OpeningHours(open=parse_clock(parts[0].strip(), where), close=parse_clock(parts[1].strip(), where))


def parse_min_agents(
    table: Any, queues: tuple[str, ...], source: Path, problems: Problems
) -> tuple[tuple[str, int], ...]:
    if not isinstance(table, Mapping):
        problems.add(f"{source}: roster.min_agents = {table!r}: must be a table like {{ chat = 1 }}")
        return ()
    return _per_queue(table, "min_agents", "", queues, source, problems)


def parse_min_block(
    value: Any, queues: tuple[str, ...], source: Path, problems: Problems
) -> tuple[int, tuple[tuple[str, int], ...]]:
    """``min_block_minutes``: one length for every queue (``60``) or per queue (``{ chat = 60, email = 120 }``, others 60)."""
    if not isinstance(value, Mapping):
        length = _whole_number(value, "min_block_minutes", " of minutes", source, problems)
        return (60 if length is None else length), ()
    return 60, _per_queue(value, "min_block_minutes", " of minutes", queues, source, problems)


def _per_queue(
    table: Mapping[str, Any], key: str, unit: str, queues: tuple[str, ...], source: Path, problems: Problems
) -> tuple[tuple[str, int], ...]:
    """``roster.<key>`` as a table of whole numbers per queue (``unit``: " of minutes", or "" for a count)."""
    result = []
    for queue, raw in sorted(table.items()):
        if queue not in queues:
            problems.add(
                f"{source}: roster.{key} names unknown queue {queue!r}{did_you_mean(queue, queues)}; "
                f"queues: {', '.join(queues)}"
            )
            continue
        number = _whole_number(raw, f"{key}.{queue}", unit, source, problems)
        if number is not None:
            result.append((queue, number))
    return tuple(result)


def _whole_number(raw: Any, key: str, unit: str, source: Path, problems: Problems) -> int | None:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        problems.add(f"{source}: roster.{key} = {raw!r}: must be a whole number{unit} >= 0")
        return None
    return raw


def _clock_parser(text: Any, where: str) -> Callable[[], dt.time]:
    """A deferred :func:`parse_clock` of one value (a lambda in a loop would see only the last one)."""
    return lambda: parse_clock(text, where)
