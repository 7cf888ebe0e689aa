"""Reading a config file: every section parsed, every problem collected, one Config or all the problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import available_timezones

from forecasts.daytypes import NO_SPECIAL_DAYS, parse_special_days
from forecasts.exports import export_preset
from forecasts.grid import zone
from forecasts.routing import Routing
from scheduler.config.model import (
    HISTORY_FORMATS,
    INTERVAL_MINUTES,
    Channel,
    Config,
    PeakSettings,
    RosterSettings,
    ShiftTemplate,
)
from scheduler.config.optional import (
    parse_export,
    parse_feeds,
    parse_holidays,
    parse_peak,
    parse_queue_hours,
    parse_report,
    parse_routing,
)
from scheduler.config.sections import (
    parse_channel,
    parse_clock,
    parse_min_agents,
    parse_min_block,
    parse_night,
    parse_shift,
)
from scheduler.errors import InputError, Problems
from scheduler.tomlfile import Section, did_you_mean, read_toml

_TOP_KEYS = ("team", "inputs", "forecast", "staffing", "channels", "roster", "feeds", "report", "routing", "peak")
_INPUT_KEYS = (
    "history", "history_format", "timestamp_column", "queue_column", "events", "holidays", "export", "queue_map",
)  # fmt: skip
_ROSTER_KEYS = (
    "min_rest_hours", "max_consecutive_days", "min_consecutive_days_off", "max_weekends_per_4_weeks", "night",
    "late_end_after", "time_limit_seconds", "understaffing_weight", "overstaffing_weight", "peak_factor",
    "peak_weight", "fairness_weight", "hours_weight", "stability_weight", "min_agents", "min_block_minutes",
    "switch_weight", "max_switches_per_shift", "secondary_skill_weight", "shifts", "workers",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigRead:
    """A config as far as it could be read, its problems, and whether its inputs can still be checked.

    ``usable`` is True when the parts other files depend on (team file, inputs,
    timezone, interval, channel names, shift names) were read without a problem: the
    pre-flight pass then checks the team file and the history as well, so a
    mistake in ``[staffing]`` does not hide one in the history.
    """

    config: Config
    problems: tuple[str, ...]
    usable: bool


def load_config(path: str | Path) -> Config:
    """Read and validate a peakplan TOML config.

    Every problem is collected; one :class:`InputError` lists them all, one per
    line, each naming the file, the key, the bad value and what is allowed.

    Raises:
        InputError: the file is missing, a folder or not TOML, keys are unknown
            or missing, values are of the wrong type or out of range.
    """
    read = read_config(path)
    if read.problems:
        problems = Problems()
        for problem in read.problems:
            problems.add(problem)
        problems.raise_if_any()
    return read.config


def read_config(path: str | Path) -> ConfigRead:
    """The config and every problem in it (:class:`ConfigRead`).

    Raises:
        InputError: the file cannot be read or is not TOML (nothing to go on).
    """
    source = Path(path)
    raw = read_toml(source, "config file")
    base = source.parent
    problems = Problems()

    top = Section(raw, "top level", source, problems)
    top.check_keys(_TOP_KEYS)
    team = Section(top.require("team") or {}, "team", source, problems)
    team.check_keys(("name", "timezone", "file"))
    # [inputs] may be absent: `roster`, `staff` and `export` run from the previous stage's file; the
    # commands that read the history ask for inputs.history themselves (preflight, Reads.history).
    inputs = Section(raw.get("inputs", {}), "inputs", source, problems)
    inputs.check_keys(_INPUT_KEYS)
    forecast = Section(raw.get("forecast", {}), "forecast", source, problems)
    forecast.check_keys(("interval_minutes", "baseline_weeks", "holidays", "special_days"))
    staffing = Section(raw.get("staffing", {}), "staffing", source, problems)
    staffing.check_keys(("shrinkage", "max_occupancy"))
    roster = Section(raw.get("roster", {}), "roster", source, problems)
    roster.check_keys(_ROSTER_KEYS)

    timezone = team.string("timezone")
    if team.ok("timezone"):
        try:
            zone(timezone)
        except InputError:
            team.fail(
                f"team.timezone = {timezone!r}: unknown timezone{did_you_mean(timezone, available_timezones())}; "
                "use an IANA name such as 'Europe/Moscow'",
                "timezone",
            )
    history_format = inputs.string("history_format", "tickets")
    if inputs.ok("history_format") and history_format not in HISTORY_FORMATS:
        inputs.fail(
            f"inputs.history_format = {history_format!r}: must be one of {', '.join(HISTORY_FORMATS)}"
            f"{did_you_mean(history_format, HISTORY_FORMATS)}",
            "history_format",
        )

    channels_table = top.require("channels")
    channels: tuple[Channel, ...] = ()
    if channels_table is not None:
        if not isinstance(channels_table, Mapping) or not channels_table:
            problems.add(f"{source}: [channels] must define at least one channel, e.g. [channels.chat]")
        else:
            channels = tuple(
                parse_channel(str(name), table, source, problems) for name, table in sorted(channels_table.items())
            )
    names = tuple(channel.name for channel in channels)

    shifts_raw = roster.table.get("shifts", [])
    shifts: tuple[ShiftTemplate, ...] = ()
    if not isinstance(shifts_raw, list) or not shifts_raw:
        problems.add(f"{source}: define at least one [[roster.shifts]] template (name, hours, starts)")
    else:
        parsed_shifts = [parse_shift(index, table, source, problems) for index, table in enumerate(shifts_raw)]
        shifts = tuple(shift for shift in parsed_shifts if shift is not None)
        seen = [shift.name for shift in shifts]
        for name in sorted({name for name in seen if seen.count(name) > 1}):
            problems.add(f"{source}: [[roster.shifts]] name {name!r} is used twice: shift names must be unique")

    interval_minutes = forecast.integer("interval_minutes", 30, low=1)
    if forecast.ok("interval_minutes") and interval_minutes not in INTERVAL_MINUTES:
        forecast.fail(
            f"forecast.interval_minutes = {interval_minutes}: must divide an hour: one of "
            f"{', '.join(map(str, INTERVAL_MINUTES))} (15 or 30 are usual)",
            "interval_minutes",
        )
    elif forecast.ok("interval_minutes"):
        for shift in shifts:
            if (shift.hours * 60) % interval_minutes or any(
                (start.hour * 60 + start.minute) % interval_minutes for start in shift.starts
            ):
                problems.add(
                    f"{source}: shift template {shift.name!r} (hours {shift.hours:g}, starts "
                    f"{', '.join(f'{start:%H:%M}' for start in shift.starts)}) must start and end on "
                    f"{interval_minutes}-minute intervals (forecast.interval_minutes)"
                )

    night = problems.attempt(lambda: parse_night(roster.string("night", "22:00-06:00"), source))
    late_end = problems.attempt(
        lambda: parse_clock(roster.string("late_end_after", "20:00"), f"{source}: roster.late_end_after")
    )
    events_text = inputs.string("events", "")
    export, queue_map = parse_export(inputs, history_format, source)
    preset = export_preset(export) if export and inputs.ok("export") else None
    holidays = parse_holidays(inputs)
    routing = problems.attempt(lambda: parse_routing(raw.get("routing", {}), names, source), Routing()) or Routing()
    special_days = problems.attempt(
        lambda: parse_special_days(
            forecast.table.get("holidays", {}), forecast.table.get("special_days", {}), str(source)
        ),
        NO_SPECIAL_DAYS,
    )
    history = inputs.string("history", "")
    team_file = team.string("file")
    for section, key, value in (
        (inputs, "history", history),
        (team, "file", team_file),
        (inputs, "events", events_text),
    ):
        if section.ok(key) and value and ("\n" in value or "\0" in value):
            section.fail(f"{section.key(key)} = {value!r}: must be a file path", key)
    min_block, min_block_by_queue = parse_min_block(
        roster.table.get("min_block_minutes", 60), routing.all_queue_ids(names), source, problems
    )
    roster_settings = RosterSettings(
        min_rest_hours=roster.number("min_rest_hours", 11.0, low=0, high=24),
        max_consecutive_days=roster.integer("max_consecutive_days", 5, low=1),
        min_consecutive_days_off=roster.integer("min_consecutive_days_off", 1, low=1),
        max_weekends_per_4_weeks=roster.integer("max_weekends_per_4_weeks", 4, low=0),
        night_start=night.open if night else dt.time(22),
        night_end=night.close if night else dt.time(6),
        late_end_after=late_end or dt.time(20),
        time_limit_seconds=_time_limit(roster),
        understaffing_weight=roster.integer("understaffing_weight", 100, low=0, high=10**6),
        overstaffing_weight=roster.integer("overstaffing_weight", 2, low=0, high=10**6),
        peak_factor=roster.number("peak_factor", 1.5, low=1.0, high=100),
        peak_weight=roster.number("peak_weight", 2.0, low=0, high=1000, low_inclusive=False),
        fairness_weight=roster.integer("fairness_weight", 20, low=0, high=10**6),
        hours_weight=roster.integer("hours_weight", 1, low=0, high=10**6),
        stability_weight=roster.integer("stability_weight", 200, low=0, high=10**6),
        min_agents=parse_min_agents(roster.table.get("min_agents", {}), routing.all_queue_ids(names), source, problems),
        min_block_minutes=min_block,
        min_block_by_queue=min_block_by_queue,
        switch_weight=roster.integer("switch_weight", 500, low=0, high=10**9),
        max_switches_per_shift=roster.integer("max_switches_per_shift", 1, low=0, high=1000),
        secondary_skill_weight=roster.integer("secondary_skill_weight", 100, low=0, high=10**6),
        shifts=shifts,
        workers=roster.integer("workers", 2, low=1, high=2),
    )
    config = Config(
        path=source,
        team_name=team.string("name"),
        timezone=timezone,
        team_file=base / team_file,
        history=base / history if history else None,
        history_format=history_format,
        timestamp_column=inputs.string("timestamp_column", preset.timestamp_column if preset else "created_at"),
        queue_column=inputs.string("queue_column", preset.queue_column if preset else "channel"),
        events=base / events_text if events_text else None,
        holidays=holidays,
        interval_minutes=interval_minutes,
        baseline_weeks=forecast.integer("baseline_weeks", 8, low=1, high=520),
        shrinkage=staffing.number("shrinkage", 0.3, low=0, high=0.95),
        max_occupancy=staffing.number("max_occupancy", 0.85, low=0, high=1, low_inclusive=False),
        channels=channels,
        roster=roster_settings,
        feeds=parse_feeds(raw.get("feeds", {}), source, problems),
        export=export,
        queue_map=queue_map,
        max_understaffed_share=parse_report(raw.get("report", {}), source, problems),
        routing=routing,
        queue_hours=parse_queue_hours(raw.get("routing", {}), routing, channels, source, problems),
        special_days=special_days or NO_SPECIAL_DAYS,
        peak=problems.attempt(lambda: parse_peak(raw.get("peak", {}), names, routing, source), PeakSettings())
        or PeakSettings(),
    )
    usable = (
        not top.failed.intersection(("team", "inputs", "channels"))
        and not team.failed.intersection(("timezone", "file", "*"))
        and not inputs.failed
        and forecast.ok("interval_minutes")
        and bool(channels)  # the other files need the channels' names only: a bad aht hides nothing
        and bool(shifts)
    )
    return ConfigRead(config=config, problems=tuple(problems.items), usable=usable)


def _time_limit(roster: Section) -> float | None:
    """``roster.time_limit_seconds``: counted seconds, or None for ``"auto"`` and when unset (rostering/budget.py)."""
    value = roster.table.get("time_limit_seconds", "auto")
    if value == "auto":
        return None
    if isinstance(value, str):
        roster.bad("time_limit_seconds", 'a number of seconds or "auto"')
        return None
    return roster.number("time_limit_seconds", None, low=0, high=86_400, low_inclusive=False)
