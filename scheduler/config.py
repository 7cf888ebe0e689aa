"""The peakplan configuration file (TOML) read into frozen dataclasses.

One file describes a team's planning setup: where its inputs are, the interval
length, the service targets per channel, shrinkage, shift templates and labour
rules. Agents and contracts live in a separate team file (:mod:`scheduler.team`)
because they change more often and are edited by other people.

An unknown key is an error that lists the valid keys: a typo must not silently
fall back to a default.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from calendars.feed_options import DEFAULT_KEEP_DAYS, DEFAULT_REFRESH, FeedOptions
from forecasts.daytypes import NO_SPECIAL_DAYS, SpecialDays, parse_special_days
from forecasts.exports import EXPORT_PRESETS, export_preset
from forecasts.grid import zone
from forecasts.routing import ROUTING_KINDS, Dimension, Routing
from scheduler.errors import InputError, Problems
from scheduler.tomlfile import Section, did_you_mean, read_toml

CHANNEL_MODELS = ("erlang_c", "erlang_a", "deferred")
LIVE_MODELS = ("erlang_c", "erlang_a")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HISTORY_FORMATS = ("tickets", "intervals")
# Interval lengths: divisors of an hour, so shifts starting on the hour fit any of them.
INTERVAL_MINUTES = (5, 10, 15, 20, 30, 60)


@dataclass(frozen=True, slots=True, kw_only=True)
class OpeningHours:
    """Daily opening window in local time; ``close`` 00:00 means midnight."""

    open: dt.time
    close: dt.time

    def contains(self, local_time: dt.time) -> bool:
        minutes = local_time.hour * 60 + local_time.minute
        start = self.open.hour * 60 + self.open.minute
        end = self.close.hour * 60 + self.close.minute or 24 * 60
        return start <= minutes < end

    def __str__(self) -> str:
        return f"{self.open:%H:%M}-{self.close:%H:%M}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    """A queue and how its staffing is computed.

    Live channels (chat, phone) are answered while the customer waits:
    ``erlang_c`` (nobody hangs up) or ``erlang_a`` (customers abandon after
    ``patience_seconds`` on average) over ``agents * concurrency`` parallel
    slots gives the service level within ``target_seconds``. ``deferred``
    channels (email, social) may wait up to ``target_hours`` of open time; the
    capacity answers ``service_level`` of each interval's tickets in time.
    """

    name: str
    model: str
    aht_seconds: float  # handle time of one contact worked alone (see handle_seconds)
    open: OpeningHours
    concurrency: int = 1
    service_level: float | None = None  # None: 0.8 for live channels, 1.0 for deferred ones
    target_seconds: float = 30.0
    target_hours: float = 4.0
    patience_seconds: float | None = None  # erlang_a: mean time a waiting customer stays
    concurrency_aht_growth: float = 0.0  # each extra simultaneous chat adds this share to every chat's handle time
    open_days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # weekdays open, 0 = Monday

    def __post_init__(self) -> None:
        if self.service_level is None:  # frozen: fill the model's default once
            object.__setattr__(self, "service_level", 1.0 if self.model == "deferred" else 0.8)

    @property
    def live(self) -> bool:
        """Answered while the customer waits (Erlang C or A), not deferred."""
        return self.model in LIVE_MODELS

    @property
    def handle_seconds(self) -> float:
        """Handle time of one contact when worked ``concurrency`` at a time."""
        return self.aht_seconds * (1.0 + self.concurrency_aht_growth * (self.concurrency - 1))


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftTemplate:
    """Shifts of ``hours`` length (start to end) that may start at any of ``starts`` (local time).

    An unpaid lunch of ``lunch_minutes`` starts between ``lunch_after_hours``
    (earliest, latest) after the shift start; ``breaks`` paid 15-minute breaks
    sit in the middle of the work before and after lunch (they are part of
    shrinkage, so they do not reduce coverage).
    """

    name: str
    hours: float
    starts: tuple[dt.time, ...]
    lunch_minutes: int = 0
    lunch_after_hours: tuple[float, float] = (3.0, 5.0)
    breaks: int = 0

    @property
    def paid_minutes(self) -> int:
        return int(round(self.hours * 60)) - self.lunch_minutes


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterSettings:
    """Team-wide labour rules (contracts may override some) and objective weights."""

    min_rest_hours: float = 11.0
    max_consecutive_days: int = 5
    min_consecutive_days_off: int = 1
    max_weekends_per_4_weeks: int = 4
    night_start: dt.time = dt.time(22, 0)
    night_end: dt.time = dt.time(6, 0)
    late_end_after: dt.time = dt.time(20, 0)
    time_limit_seconds: float = 20.0
    understaffing_weight: int = 100
    overstaffing_weight: int = 2
    peak_factor: float = 1.5  # an interval needing >= this x the queue's median is a peak
    # understaffing in peak intervals weighs this many times more; below 1 protects ordinary
    # intervals: agents are not taken from them for a peak the team cannot cover anyway
    peak_weight: float = 2.0
    fairness_weight: int = 20
    hours_weight: int = 1
    stability_weight: int = 200
    min_agents: tuple[tuple[str, int], ...] = ()  # (queue, agents) that must serve it whenever open
    # Queue activities come in blocks: an agent stays on a queue at least this long
    # (a stretch of work shorter than that is one block), and each change of queue costs.
    min_block_minutes: int = 60
    min_block_by_queue: tuple[tuple[str, int], ...] = ()  # per-queue overrides of min_block_minutes
    switch_weight: int = 500  # per change of queue inside a shift (an agent missing for an interval: 10,000)
    max_switches_per_shift: int = 1  # hard: changes of queue a shift may have (across lunch too)
    shifts: tuple[ShiftTemplate, ...] = ()

    def min_block(self, queue: str) -> int:
        """Minimum block length on ``queue`` in minutes."""
        return dict(self.min_block_by_queue).get(queue, self.min_block_minutes)


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolEntry:
    """Temporary or borrowed agents a lead can bring in for a peak (``[[peak.pool]]``)."""

    name: str
    agents: int  # people available from this source
    channels: tuple[str, ...]  # queues they can serve
    languages: tuple[str, ...] = ()
    hours_per_week: float = 40.0  # paid hours each can give in a week
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # weekdays they can come, 0 = Monday
    cost_per_hour: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class PeakSettings:
    """``[peak]``: what extra capacity costs and how far overtime may go (the peak actions)."""

    currency: str = ""
    hourly_cost: float = 0.0  # one regular paid agent-hour
    overtime_premium: float = 1.5  # an overtime hour costs this x hourly_cost
    overtime_hours_per_week: float = 0.0  # per agent above the contract's maximum (0: no overtime)
    max_shift_hours: float = 12.0  # a shift extended with overtime lasts at most this long, start to end
    pool: tuple[PoolEntry, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """A team's planning setup. :func:`load_config` fills every field from the TOML
    file; code that builds one directly (tests, benchmarks) gives the zone, channels
    and roster settings and may leave the file-related fields at their defaults.
    """

    timezone: str
    channels: tuple[Channel, ...]
    roster: RosterSettings
    path: Path = Path("<in memory>")
    team_name: str = ""
    team_file: Path = Path("<in memory>")
    history: Path = Path("<in memory>")
    history_format: str = "tickets"
    timestamp_column: str = "created_at"
    queue_column: str = "channel"
    events: Path | None = None
    holidays: str = ""
    interval_minutes: int = 30
    baseline_weeks: int = 8
    shrinkage: float = 0.3
    max_occupancy: float = 0.85
    feeds: FeedOptions = FeedOptions()
    export: str = ""  # helpdesk export preset of the ticket history (forecasts.exports), "" for none
    queue_map: tuple[tuple[str, str], ...] = ()  # helpdesk queue value -> channel, with export
    # [report] max_understaffed_share: `plan` exits 5 when a larger share of the required
    # agent-hours is unscheduled (None: never)
    max_understaffed_share: float | None = None
    routing: Routing = Routing()  # [routing]: queues as channel x language (x topic); default by channel only
    # [forecast.holidays] / [forecast.special_days]: what the team declares about special days
    special_days: SpecialDays = NO_SPECIAL_DAYS
    peak: PeakSettings = PeakSettings()

    @property
    def queue_names(self) -> tuple[str, ...]:
        """Queue ids: the channels, split by ``[routing]`` (``email/ru``, ``email/es+pt``)."""
        return self.routing.all_queue_ids(tuple(channel.name for channel in self.channels))

    @property
    def shift_names(self) -> tuple[str, ...]:
        return tuple(shift.name for shift in self.roster.shifts)

    @property
    def channel_names(self) -> tuple[str, ...]:
        """The channels (what the history records); ``queue_names`` splits them by ``[routing]``."""
        return tuple(channel.name for channel in self.channels)

    def channel(self, name: str) -> Channel:
        """The channel of a channel name or a queue id (``email/es+pt``: email's settings under the queue's name)."""
        for channel in self.channels:
            if channel.name == name:
                return channel
        if name in self.queue_names:
            return dataclasses.replace(self.channel(self.routing.channel_of(name)), name=name)
        raise KeyError(name)


def parse_clock(text: Any, where: str) -> dt.time:
    """Parse ``HH:MM`` local wall-clock time (24:00 is not a start time)."""
    try:
        hours, minutes = str(text).split(":")
        return dt.time(int(hours), int(minutes))
    except (ValueError, TypeError):
        raise InputError(f"{where}: {text!r} is not a time like 09:30") from None


def parse_opening_hours(text: Any, where: str) -> OpeningHours:
    """Parse ``"HH:MM-HH:MM"``; ``24:00`` or ``00:00`` as the close means midnight."""
    parts = str(text).split("-")
    if len(parts) != 2:
        raise InputError(f"{where}: {text!r} is not opening hours like 08:00-23:00")
    close_text = "00:00" if parts[1].strip() == "24:00" else parts[1].strip()
    hours = OpeningHours(open=parse_clock(parts[0].strip(), where), close=parse_clock(close_text, where))
    if hours.close != dt.time(0) and hours.close <= hours.open:
        raise InputError(f"{where}: opening hours {text!r} close before they open")
    return hours


_CHANNEL_KEYS = (
    "model", "aht_seconds", "concurrency", "concurrency_aht_growth", "service_level", "target_seconds",
    "target_hours", "patience_seconds", "open", "open_days",
)  # fmt: skip


def _parse_channel(name: str, table: Any, source: Path, problems: Problems) -> Channel:
    where = f"channels.{name}"
    section = Section(table, where, source, problems)
    section.check_keys(_CHANNEL_KEYS)
    model = section.string("model")
    if section.ok("model") and model not in CHANNEL_MODELS:
        section.fail(f"{where}.model = {model!r}: must be one of {', '.join(CHANNEL_MODELS)}{did_you_mean(model, CHANNEL_MODELS)}", "model")
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
    days = problems.attempt(
        lambda: _parse_open_days(section.table.get("open_days", list(WEEKDAY_NAMES)), f"{source}: {where}.open_days"),
        (0, 1, 2, 3, 4, 5, 6),
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


def _parse_open_days(value: Any, where: str) -> tuple[int, ...]:
    """``["mon", "tue", ...]`` -> weekday numbers (0 = Monday), sorted."""
    if not isinstance(value, list) or not value or not all(isinstance(day, str) for day in value):
        raise InputError(f"{where} = {value!r}: must be a non-empty list of days like [\"mon\", \"tue\"]")
    unknown = sorted({day for day in value if day.lower() not in WEEKDAY_NAMES})
    if unknown:
        raise InputError(f"{where}: unknown day(s) {unknown}; valid days: {', '.join(WEEKDAY_NAMES)}")
    return tuple(sorted({WEEKDAY_NAMES.index(day.lower()) for day in value}))


def _parse_shift(index: int, table: Any, source: Path, problems: Problems) -> ShiftTemplate | None:
    where = f"roster.shifts[{index}]"
    section = Section(table, where, source, problems)
    section.check_keys(("name", "hours", "starts", "lunch_minutes", "lunch_after_hours", "breaks"))
    starts = section.require("starts")
    parsed: tuple[dt.time, ...] = ()
    if "starts" in section.table:
        if not isinstance(starts, list) or not starts:
            section.fail(f"{where}.starts = {starts!r}: must be a non-empty list of times like '09:00'", "starts")
        else:
            clocks = [problems.attempt(lambda start=start: parse_clock(start, f"{source}: {where}.starts")) for start in starts]
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
        section.fail(f"{where}.lunch_after_hours = {window!r}: must be [earliest, latest] hours, e.g. [3, 5]", "lunch_after_hours")
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


def _parse_night(text: str, source: Path) -> OpeningHours:
    """Night window ``"22:00-06:00"``: it may wrap past midnight, unlike opening hours."""
    parts = text.split("-")
    if len(parts) != 2:
        raise InputError(f"{source}: roster.night = {text!r}: must be a window like 22:00-06:00")
    where = f"{source}: roster.night"
    return OpeningHours(open=parse_clock(parts[0].strip(), where), close=parse_clock(parts[1].strip(), where))


def _parse_min_agents(table: Any, queues: tuple[str, ...], source: Path, problems: Problems) -> tuple[tuple[str, int], ...]:
    if not isinstance(table, Mapping):
        problems.add(f"{source}: roster.min_agents = {table!r}: must be a table like {{ chat = 1 }}")
        return ()
    result = []
    for queue, count in sorted(table.items()):
        if queue not in queues:
            problems.add(
                f"{source}: roster.min_agents names unknown queue {queue!r}{did_you_mean(queue, queues)}; "
                f"queues: {', '.join(queues)}"
            )
        elif isinstance(count, bool) or not isinstance(count, int) or count < 0:
            problems.add(f"{source}: roster.min_agents.{queue} = {count!r}: must be a whole number >= 0")
        else:
            result.append((queue, count))
    return tuple(result)


def _parse_min_block(value: Any, queues: tuple[str, ...], source: Path, problems: Problems) -> tuple[int, tuple[tuple[str, int], ...]]:
    """``min_block_minutes``: one length for every queue (``60``) or per queue (``{ chat = 60, email = 120 }``, others 60)."""

    def minutes(raw: Any, key: str) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            problems.add(f"{source}: roster.{key} = {raw!r}: must be a whole number of minutes >= 0")
            return None
        return raw

    if not isinstance(value, Mapping):
        length = minutes(value, "min_block_minutes")
        return (60 if length is None else length), ()
    per_queue = []
    for queue, raw in sorted(value.items()):
        if queue not in queues:
            problems.add(
                f"{source}: roster.min_block_minutes names unknown queue {queue!r}{did_you_mean(queue, queues)}; "
                f"queues: {', '.join(queues)}"
            )
            continue
        length = minutes(raw, f"min_block_minutes.{queue}")
        if length is not None:
            per_queue.append((queue, length))
    return 60, tuple(per_queue)


_TOP_KEYS = ("team", "inputs", "forecast", "staffing", "channels", "roster", "feeds", "report", "routing", "peak")
_INPUT_KEYS = (
    "history", "history_format", "timestamp_column", "queue_column", "events", "holidays", "export", "queue_map",
)  # fmt: skip
_ROSTER_KEYS = (
    "min_rest_hours", "max_consecutive_days", "min_consecutive_days_off", "max_weekends_per_4_weeks", "night",
    "late_end_after", "time_limit_seconds", "understaffing_weight", "overstaffing_weight", "peak_factor",
    "peak_weight", "fairness_weight", "hours_weight", "stability_weight", "min_agents", "min_block_minutes",
    "switch_weight", "max_switches_per_shift", "shifts",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigRead:
    """A config as far as it could be read, its problems, and whether its inputs can still be checked.

    ``usable`` is True when the parts other files depend on (team file, inputs,
    timezone, interval, channels, shift names) were read without a problem: the
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
    inputs = Section(top.require("inputs") or {}, "inputs", source, problems)
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

    before_channels = problems.total
    channels_table = top.require("channels")
    channels: tuple[Channel, ...] = ()
    if channels_table is not None:
        if not isinstance(channels_table, Mapping) or not channels_table:
            problems.add(f"{source}: [channels] must define at least one channel, e.g. [channels.chat]")
        else:
            channels = tuple(_parse_channel(str(name), table, source, problems) for name, table in sorted(channels_table.items()))
    names = tuple(channel.name for channel in channels)
    channel_problems = problems.total - before_channels

    shifts_raw = roster.table.get("shifts", [])
    shifts: tuple[ShiftTemplate, ...] = ()
    if not isinstance(shifts_raw, list) or not shifts_raw:
        problems.add(f"{source}: define at least one [[roster.shifts]] template (name, hours, starts)")
    else:
        parsed_shifts = [_parse_shift(index, table, source, problems) for index, table in enumerate(shifts_raw)]
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

    night = problems.attempt(lambda: _parse_night(roster.string("night", "22:00-06:00"), source))
    late_end = problems.attempt(
        lambda: parse_clock(roster.string("late_end_after", "20:00"), f"{source}: roster.late_end_after")
    )
    events_text = inputs.string("events", "")
    export, queue_map = _parse_export(inputs, history_format, source)
    preset = export_preset(export) if export and inputs.ok("export") else None
    holidays = _parse_holidays(inputs)
    routing = problems.attempt(lambda: _parse_routing(raw.get("routing", {}), names, source), Routing()) or Routing()
    special_days = problems.attempt(
        lambda: parse_special_days(forecast.table.get("holidays", {}), forecast.table.get("special_days", {}), str(source)),
        NO_SPECIAL_DAYS,
    )
    history = inputs.string("history")
    team_file = team.string("file")
    for section, key, value in ((inputs, "history", history), (team, "file", team_file), (inputs, "events", events_text)):
        if section.ok(key) and value and ("\n" in value or "\0" in value):
            section.fail(f"{section.key(key)} = {value!r}: must be a file path", key)
    min_block, min_block_by_queue = _parse_min_block(
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
        time_limit_seconds=roster.number("time_limit_seconds", 20.0, low=0, high=86_400, low_inclusive=False),
        understaffing_weight=roster.integer("understaffing_weight", 100, low=0, high=10**6),
        overstaffing_weight=roster.integer("overstaffing_weight", 2, low=0, high=10**6),
        peak_factor=roster.number("peak_factor", 1.5, low=1.0, high=100),
        peak_weight=roster.number("peak_weight", 2.0, low=0, high=1000, low_inclusive=False),
        fairness_weight=roster.integer("fairness_weight", 20, low=0, high=10**6),
        hours_weight=roster.integer("hours_weight", 1, low=0, high=10**6),
        stability_weight=roster.integer("stability_weight", 200, low=0, high=10**6),
        min_agents=_parse_min_agents(roster.table.get("min_agents", {}), routing.all_queue_ids(names), source, problems),
        min_block_minutes=min_block,
        min_block_by_queue=min_block_by_queue,
        switch_weight=roster.integer("switch_weight", 500, low=0, high=10**9),
        max_switches_per_shift=roster.integer("max_switches_per_shift", 1, low=0, high=1000),
        shifts=shifts,
    )
    config = Config(
        path=source,
        team_name=team.string("name"),
        timezone=timezone,
        team_file=base / team_file,
        history=base / history,
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
        feeds=_parse_feeds(raw.get("feeds", {}), source, problems),
        export=export,
        queue_map=queue_map,
        max_understaffed_share=_parse_report(raw.get("report", {}), source, problems),
        routing=routing,
        special_days=special_days or NO_SPECIAL_DAYS,
        peak=problems.attempt(lambda: _parse_peak(raw.get("peak", {}), names, routing, source), PeakSettings())
        or PeakSettings(),
    )
    usable = (
        not top.failed.intersection(("team", "inputs", "channels"))
        and not team.failed.intersection(("timezone", "file", "*"))
        and not inputs.failed
        and forecast.ok("interval_minutes")
        and bool(channels)
        and channel_problems == 0
        and bool(shifts)
    )
    return ConfigRead(config=config, problems=tuple(problems.items), usable=usable)


def _parse_holidays(inputs: Section) -> str:
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


def _parse_report(table: Any, source: Path, problems: Problems) -> float | None:
    """``[report]``: the CI threshold ``max_understaffed_share`` (0-1; absent = never fail)."""
    section = Section(table, "report", source, problems)
    section.check_keys(("max_understaffed_share",))
    if "max_understaffed_share" not in section.table:
        return None
    return section.number("max_understaffed_share", low=0, high=1)


def _parse_export(inputs: Section, history_format: str, source: Path) -> tuple[str, tuple[tuple[str, str], ...]]:
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


def _parse_feeds(table: Any, source: Path, problems: Problems) -> FeedOptions:
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


def _parse_routing(table: Any, channels: tuple[str, ...], source: Path) -> Routing:
    """``[routing]``: which channels are split by language and/or topic, and the pooled values."""
    section = Section(table, "routing", source)
    section.check_keys(
        ("by", "channels", "languages", "language_pools", "other_language", "language_column", "language_map",
         "topics", "topic_pools", "other_topic", "topic_column", "topic_map")
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
        raise InputError(f"{source}: routing.{name}_pools must be a list of lists like [[\"es\", \"pt\"]]")
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


def _parse_peak(table: Any, names: tuple[str, ...], routing: Routing, source: Path) -> PeakSettings:
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
            raise InputError(f"{source}: {where}.channels must be a non-empty list of channel names, e.g. [\"chat\"]")
        known = sorted({*queues, *(queue.split("/", 1)[0] for queue in queues)})
        unknown = sorted(set(channels) - set(known))
        if unknown:
            raise InputError(f"{source}: {where}.channels {unknown} have no [channels.<name>]; valid: {', '.join(known)}")
        languages = item.table.get("languages", [])
        if not isinstance(languages, list) or not all(isinstance(code, str) for code in languages):
            raise InputError(f"{source}: {where}.languages must be a list of language codes, e.g. [\"ru\", \"en\"]")
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
