"""Parsers of the optional sections: holidays, report, helpdesk export, feeds, routing and peak."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from calendars.feed_options import DEFAULT_KEEP_DAYS, DEFAULT_REFRESH, FeedOptions
from forecasts.exports import EXPORT_PRESETS, export_preset
from forecasts.routing import ROUTING_KINDS, Dimension, Routing
from scheduler.config.model import (
    WEEKDAY_NAMES,
    Channel,
    OpeningHours,
    PeakSettings,
    PoolEntry,
)
from scheduler.config.sections import parse_open_days, parse_opening_hours
from scheduler.errors import InputError, Problems
from scheduler.tomlfile import Section, did_you_mean


def parse_holidays(inputs: Section) -> str:
    """``inputs.holidays``: an ISO 3166 code the ``holidays`` package knows, or ``""``."""
    code = inputs.string("holidays", "")
    if not inputs.ok("holidays") or not code.strip():
        return ""
    import holidays as holidays_lib  # imported here: loading it takes a noticeable moment

    known = holidays_lib.list_supported_countries()
    if code.strip().upper() not in known:
        inputs.fail(
            f"inputs.holidays = {code!r}: not a country the holidays package knows; use an ISO 3166 code "
            f"such as 'RU' or 'DE'{did_you_mean(code.strip().upper(), known)}, or \"\" for none",
            "holidays",
        )
        return ""
    return code


def parse_report(table: Any, source: Path, problems: Problems) -> float | None:
    """``[report]``: the CI threshold ``max_understaffed_share`` (0-1; absent = never fail)."""
    section = Section(table, "report", source, problems)
    section.check_keys(("max_understaffed_share",))
    if "max_understaffed_share" not in section.table:
        return None
    return section.number("max_understaffed_share", low=0, high=1)


def parse_export(inputs: Section, history_format: str, source: Path) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``inputs.export`` (a helpdesk preset) and ``inputs.queue_map`` (its channel names -> channels)."""
    export = inputs.string("export", "").strip().lower()
    if export:
        try:
            export_preset(export)
        except InputError:
            inputs.fail(
                f"inputs.export = {export!r}: unknown helpdesk export{did_you_mean(export, EXPORT_PRESETS)}; "
                f"use one of {', '.join(sorted(EXPORT_PRESETS))}, or leave it out and set timestamp_column and "
                "queue_column",
                "export",
            )
            export = ""
        if export and history_format != "tickets":
            inputs.fail('inputs.export needs history_format = "tickets" (a ticket export)', "export")
    table = inputs.table.get("queue_map", {})
    if not isinstance(table, Mapping) or not all(isinstance(v, str) for v in table.values()):
        inputs.fail('inputs.queue_map must be a table of strings, e.g. { web_form = "email" }', "queue_map")
        return export, ()
    if table and not export and inputs.ok("export"):
        inputs.fail("inputs.queue_map only applies with inputs.export (a helpdesk preset)", "queue_map")
    return export, tuple(sorted((str(k), str(v)) for k, v in table.items()))


def parse_feeds(table: Any, source: Path, problems: Problems) -> FeedOptions:
    """``[feeds]``: calendar-level settings of the iCalendar feeds (all optional)."""
    section = Section(table, "feeds", source, problems)
    section.check_keys(("base_url", "color", "refresh", "keep_days"))
    try:
        return FeedOptions(
            base_url=section.string("base_url", "") or None,
            color=section.string("color", "") or None,
            refresh=section.string("refresh", DEFAULT_REFRESH),
            keep_days=section.integer("keep_days", DEFAULT_KEEP_DAYS, low=0, high=3660),
        )
    except InputError as error:
        problems.add(str(error) if str(error).startswith(str(source)) else f"{source}: [feeds] {error}")
        return FeedOptions()


def parse_routing(table: Any, channels: tuple[str, ...], source: Path) -> Routing:
    """``[routing]``: which channels are split by language and/or topic, and the pooled values."""
    section = Section(table, "routing", source)
    section.check_keys(
        ("by", "channels", "languages", "language_pools", "other_language", "language_column", "language_map",
         "topics", "topic_pools", "other_topic", "topic_column", "topic_map", "open", "open_days")
    )  # fmt: skip
    kind = section.string("by", "none")
    if kind not in ROUTING_KINDS:
        raise InputError(f"{source}: routing.by must be one of {list(ROUTING_KINDS)}, got {kind!r}")
    if kind == "none":
        return Routing()
    split = _string_list(section, "channels", list(channels))
    unknown = [name for name in split if name not in channels]
    if unknown:
        raise InputError(f"{source}: routing.channels names unknown channel(s) {unknown}; channels: {list(channels)}")
    names = ("language", "topic") if kind == "both" else (kind,)
    dimensions = tuple(_parse_dimension(section, name, source) for name in names)
    return Routing(channels=tuple(name for name in channels if name in split), dimensions=dimensions)


def parse_queue_hours(
    table: Any, routing: Routing, channels: tuple[Channel, ...], source: Path, problems: Problems
) -> tuple[tuple[str, OpeningHours, tuple[int, ...]], ...]:
    """``routing.open`` / ``routing.open_days``: hours of a routed queue other than its channel's.

    A small language queue is often offered for fewer hours than its channel
    (Spanish chat on weekdays 10-19): outside them the queue is closed, like a
    channel outside its opening hours.
    """
    if not isinstance(table, Mapping):
        return ()
    routed = [queue for queue in routing.all_queue_ids(tuple(c.name for c in channels)) if "/" in queue]
    by_name = {channel.name: channel for channel in channels}
    parsed: dict[str, dict[str, Any]] = {"open": {}, "open_days": {}}
    for key, parse in (("open", parse_opening_hours), ("open_days", parse_open_days)):
        values = table.get(key, {})
        if not isinstance(values, Mapping):
            problems.add(f'{source}: routing.{key} must map queue ids to values, like {{ "chat/es+pt" = ... }}')
            continue
        for queue, value in sorted(values.items()):
            where = f"{source}: routing.{key}.{queue!r}"
            if queue not in routed:
                problems.add(f"{where}: not a routed queue; routed queues: {routed}{did_you_mean(queue, routed)}")
                continue
            try:
                parsed[key][queue] = parse(value, where)
            except InputError as error:
                problems.add(str(error))
    hours, days = parsed["open"], parsed["open_days"]
    result = []
    for queue in sorted({*hours, *days}):
        channel = by_name[routing.channel_of(queue)]
        result.append((queue, hours.get(queue, channel.open), days.get(queue, channel.open_days)))
    return tuple(result)


def _string_list(section: Section, key: str, default: list[str] | None = None) -> list[str]:
    value = section.table.get(key, default)
    if value is None:
        section.require(key)
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        section.bad(key, "a list of names")
    return [item.strip() for item in value]


def _parse_dimension(section: Section, name: str, source: Path) -> Dimension:
    """One routing field: ``<name>s``, ``<name>_pools``, ``other_<name>``, ``<name>_column``, ``<name>_map``."""
    values = [value.lower() for value in _string_list(section, f"{name}s")]
    if not values or len(set(values)) != len(values):
        raise InputError(f"{source}: routing.{name}s must list each {name} once, got {values}")
    bad = [value for value in values if not all(part.isalnum() or part in "_-" for part in value)]
    if bad:
        raise InputError(f"{source}: routing.{name}s {bad}: use letters, digits, '-' and '_' (they name queues)")
    pools_raw = section.table.get(f"{name}_pools", [])
    if not isinstance(pools_raw, list) or not all(isinstance(pool, list) for pool in pools_raw):
        raise InputError(f'{source}: routing.{name}_pools must be a list of lists like [["es", "pt"]]')
    pools = [[str(value).lower() for value in pool] for pool in pools_raw]
    pooled = [value for pool in pools for value in pool]
    unknown = sorted(set(pooled) - set(values))
    if unknown or len(set(pooled)) != len(pooled) or any(len(pool) < 2 for pool in pools):
        raise InputError(
            f"{source}: routing.{name}_pools {pools}: each pool joins two or more of routing.{name}s {values}, "
            "and a value is in one pool at most"
        )
    groups: list[tuple[str, ...]] = []
    for value in values:  # queues in the declared order; a pool sits where its first value is declared
        pool = next((tuple(v for v in values if v in p) for p in pools if value in p), (value,))
        if pool not in groups:
            groups.append(pool)
    other = section.string(f"other_{name}", values[0]).lower()
    if other not in values:
        raise InputError(f"{source}: routing.other_{name} {other!r} is not one of routing.{name}s {values}")
    value_map = section.table.get(f"{name}_map", {})
    if not isinstance(value_map, Mapping) or any(str(target).lower() not in values for target in value_map.values()):
        raise InputError(f"{source}: routing.{name}_map must map ticket values to routing.{name}s {values}")
    return Dimension(
        name=name,
        groups=tuple(groups),
        other=other,
        column=section.string(f"{name}_column", name),
        value_map=tuple(sorted((str(key), str(target).lower()) for key, target in value_map.items())),
    )


def parse_peak(table: Any, names: tuple[str, ...], routing: Routing, source: Path) -> PeakSettings:
    """``[peak]`` costs and overtime limits and its ``[[peak.pool]]`` entries (all optional).

    A pool entry names channels or queue ids; a routed channel stands for its
    queues whose every language (and topic) the entry lists.
    """
    ids = routing.all_queue_ids(names)  # the queues there are (a routed channel is not one itself)
    queues = tuple(dict.fromkeys((*names, *ids)))
    section = Section(table, "peak", source)
    section.check_keys(
        ("currency", "hourly_cost", "overtime_premium", "overtime_hours_per_week", "max_shift_hours", "pool")
    )
    entries = section.table.get("pool", [])
    if not isinstance(entries, list):
        raise InputError(f"{source}: peak.pool must be an array of tables ([[peak.pool]])")
    pool = []
    for index, entry in enumerate(entries):
        where = f"peak.pool[{index}]"
        item = Section(entry, where, source)
        item.check_keys(("name", "agents", "channels", "languages", "hours_per_week", "days", "cost_per_hour"))
        channels = item.table.get("channels")
        if not isinstance(channels, list) or not channels or not all(isinstance(c, str) for c in channels):
            raise InputError(f'{source}: {where}.channels must be a non-empty list of channel names, e.g. ["chat"]')
        known = sorted({*queues, *(queue.split("/", 1)[0] for queue in queues)})
        unknown = sorted(set(channels) - set(known))
        if unknown:
            raise InputError(
                f"{source}: {where}.channels {unknown} have no [channels.<name>]; valid: {', '.join(known)}"
            )
        languages = item.table.get("languages", [])
        if not isinstance(languages, list) or not all(isinstance(code, str) for code in languages):
            raise InputError(f'{source}: {where}.languages must be a list of language codes, e.g. ["ru", "en"]')
        channels = _routed_queues(channels, languages, ids)
        days = item.table.get("days", list(WEEKDAY_NAMES))
        if not isinstance(days, list) or not days or any(day not in WEEKDAY_NAMES for day in days):
            raise InputError(f"{source}: {where}.days must be a list of {', '.join(WEEKDAY_NAMES)}, got {days!r}")
        pool.append(
            PoolEntry(
                name=item.string("name"),
                agents=item.integer("agents", low=1),
                channels=tuple(channels),
                languages=tuple(languages),
                hours_per_week=item.number("hours_per_week", 40.0, low=0, low_inclusive=False),
                days=tuple(sorted({WEEKDAY_NAMES.index(day) for day in days})),
                cost_per_hour=item.number("cost_per_hour", 0.0, low=0),
            )
        )
    return PeakSettings(
        currency=section.string("currency", ""),
        hourly_cost=section.number("hourly_cost", 0.0, low=0),
        overtime_premium=section.number("overtime_premium", 1.5, low=1),
        overtime_hours_per_week=section.number("overtime_hours_per_week", 0.0, low=0),
        max_shift_hours=section.number("max_shift_hours", 12.0, low=1, high=24),
        pool=tuple(pool),
    )


def _routed_queues(listed: list[str], skills: list[str], queues: tuple[str, ...]) -> list[str]:
    """The queues of ``listed`` channels (or queue ids) whose every language/topic is in ``skills``."""
    spoken = {value.strip().lower() for value in skills}
    served = []
    for queue in queues:
        channel, *parts = queue.split("/")
        needed = {value for part in parts for value in part.split("+")}
        if (queue in listed or channel in listed) and needed <= spoken:
            served.append(queue)
    return served
