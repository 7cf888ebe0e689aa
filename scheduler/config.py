"""The peakplan configuration file (TOML) read into frozen dataclasses.

One file describes a team's planning setup: where its inputs are, the interval
length, the service targets per channel, shrinkage, shift templates and labour
rules. Agents and contracts live in a separate team file (:mod:`scheduler.team`)
because they change more often and are edited by other people.

An unknown key is an error that lists the valid keys: a typo must not silently
fall back to a default.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecasts.grid import zone
from scheduler.errors import InputError

CHANNEL_MODELS = ("erlang_c", "deferred")
HISTORY_FORMATS = ("tickets", "intervals")


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

    ``erlang_c`` channels (chat, phone) are answered live: Erlang C over
    ``agents * concurrency`` parallel slots gives the service level within
    ``target_seconds``. ``deferred`` channels (email, social) may wait up to
    ``target_hours`` while the queue is open.
    """

    name: str
    model: str
    aht_seconds: float
    open: OpeningHours
    concurrency: int = 1
    service_level: float = 0.8
    target_seconds: float = 30.0
    target_hours: float = 4.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftTemplate:
    """Shifts of ``hours`` length that may start at any of ``starts`` (local time)."""

    name: str
    hours: float
    starts: tuple[dt.time, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterSettings:
    min_rest_hours: float = 11.0
    max_consecutive_days: int = 5
    time_limit_seconds: float = 20.0
    understaffing_weight: int = 100
    overstaffing_weight: int = 2
    shifts: tuple[ShiftTemplate, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    path: Path
    team_name: str
    timezone: str
    team_file: Path
    history: Path
    history_format: str
    timestamp_column: str
    queue_column: str
    events: Path | None
    holidays: str
    interval_minutes: int
    baseline_weeks: int
    shrinkage: float
    max_occupancy: float
    channels: tuple[Channel, ...]
    roster: RosterSettings

    @property
    def queue_names(self) -> tuple[str, ...]:
        return tuple(channel.name for channel in self.channels)

    def channel(self, name: str) -> Channel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(name)


class _Section:
    """Typed access to one TOML table that tracks which keys were used."""

    def __init__(self, table: Any, where: str, source: Path) -> None:
        if not isinstance(table, Mapping):
            raise InputError(f"{source}: [{where}] must be a table")
        self.table = table
        self.where = where
        self.source = source

    def _fail(self, key: str, expected: str) -> InputError:
        return InputError(
            f"{self.source}: {self.where}.{key} must be {expected}, got {self.table[key]!r}"
        )

    def check_keys(self, allowed: tuple[str, ...]) -> None:
        unknown = sorted(set(self.table) - set(allowed))
        if unknown:
            raise InputError(
                f"{self.source}: unknown key(s) {unknown} in [{self.where}]; "
                f"valid keys: {', '.join(allowed)}"
            )

    def require(self, key: str) -> Any:
        if key not in self.table:
            raise InputError(f"{self.source}: missing key {self.where}.{key}")
        return self.table[key]

    def string(self, key: str, default: str | None = None) -> str:
        if key not in self.table:
            if default is None:
                self.require(key)
            return default  # type: ignore[return-value]
        value = self.table[key]
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def number(
        self,
        key: str,
        default: float | None = None,
        *,
        low: float | None = None,
        high: float | None = None,
        low_inclusive: bool = True,
    ) -> float:
        if key not in self.table:
            if default is None:
                self.require(key)
            return float(default)  # type: ignore[arg-type]
        value = self.table[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self._fail(key, "a number")
        too_low = low is not None and (value < low if low_inclusive else value <= low)
        too_high = high is not None and value > high
        if too_low or too_high:
            lower = "" if low is None else (f">= {low}" if low_inclusive else f"> {low}")
            upper = "" if high is None else f"<= {high}"
            raise self._fail(key, " and ".join(part for part in (lower, upper) if part))
        return float(value)

    def integer(self, key: str, default: int | None = None, *, low: int | None = None) -> int:
        if key in self.table and (isinstance(self.table[key], bool) or not isinstance(self.table[key], int)):
            raise self._fail(key, "a whole number")
        return int(self.number(key, default, low=low))


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


def _parse_channel(name: str, table: Any, source: Path) -> Channel:
    section = _Section(table, f"channels.{name}", source)
    section.check_keys(
        ("model", "aht_seconds", "concurrency", "service_level", "target_seconds", "target_hours", "open")
    )
    model = section.string("model")
    if model not in CHANNEL_MODELS:
        raise InputError(f"{source}: channels.{name}.model must be one of {list(CHANNEL_MODELS)}, got {model!r}")
    return Channel(
        name=name,
        model=model,
        aht_seconds=section.number("aht_seconds", low=0, low_inclusive=False),
        open=parse_opening_hours(section.string("open", "00:00-24:00"), f"{source}: channels.{name}.open"),
        concurrency=section.integer("concurrency", 1, low=1),
        service_level=section.number("service_level", 0.8, low=0, high=1, low_inclusive=False),
        target_seconds=section.number("target_seconds", 30.0, low=0),
        target_hours=section.number("target_hours", 4.0, low=0, low_inclusive=False),
    )


def _parse_shift(index: int, table: Any, source: Path) -> ShiftTemplate:
    where = f"roster.shifts[{index}]"
    section = _Section(table, where, source)
    section.check_keys(("name", "hours", "starts"))
    starts = section.require("starts")
    if not isinstance(starts, list) or not starts:
        raise InputError(f"{source}: {where}.starts must be a non-empty list of times like '09:00'")
    parsed = tuple(sorted({parse_clock(start, f"{source}: {where}.starts") for start in starts}))
    return ShiftTemplate(
        name=section.string("name"),
        hours=section.number("hours", low=0.5, high=16),
        starts=parsed,
    )


def load_config(path: str | Path) -> Config:
    """Read and validate a peakplan TOML config.

    Raises:
        InputError: the file is missing or not TOML, a key is unknown or
            missing, or a value is out of range. The message names the file
            and the key.
    """
    source = Path(path)
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"config file {source} not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{source}: not valid TOML: {error}") from None
    base = source.parent

    top = _Section(raw, "top level", source)
    top.check_keys(("team", "inputs", "forecast", "staffing", "channels", "roster"))
    team = _Section(top.require("team"), "team", source)
    team.check_keys(("name", "timezone", "file"))
    inputs = _Section(top.require("inputs"), "inputs", source)
    inputs.check_keys(("history", "history_format", "timestamp_column", "queue_column", "events", "holidays"))
    forecast = _Section(raw.get("forecast", {}), "forecast", source)
    forecast.check_keys(("interval_minutes", "baseline_weeks"))
    staffing = _Section(raw.get("staffing", {}), "staffing", source)
    staffing.check_keys(("shrinkage", "max_occupancy"))
    roster = _Section(raw.get("roster", {}), "roster", source)
    roster.check_keys(
        (
            "min_rest_hours",
            "max_consecutive_days",
            "time_limit_seconds",
            "understaffing_weight",
            "overstaffing_weight",
            "shifts",
        )
    )

    timezone = team.string("timezone")
    zone(timezone)  # fails early with a readable message
    history_format = inputs.string("history_format", "tickets")
    if history_format not in HISTORY_FORMATS:
        raise InputError(
            f"{source}: inputs.history_format must be one of {list(HISTORY_FORMATS)}, got {history_format!r}"
        )

    channels_table = top.require("channels")
    if not isinstance(channels_table, Mapping) or not channels_table:
        raise InputError(f"{source}: [channels] must define at least one channel, e.g. [channels.chat]")
    channels = tuple(_parse_channel(name, table, source) for name, table in sorted(channels_table.items()))

    shifts_raw = roster.table.get("shifts", [])
    if not isinstance(shifts_raw, list) or not shifts_raw:
        raise InputError(f"{source}: define at least one [[roster.shifts]] template")
    shifts = tuple(_parse_shift(index, table, source) for index, table in enumerate(shifts_raw))

    interval_minutes = forecast.integer("interval_minutes", 30, low=1)
    if (24 * 60) % interval_minutes:
        raise InputError(f"{source}: forecast.interval_minutes = {interval_minutes} must divide a day (15, 30, 60)")
    for shift in shifts:
        if (shift.hours * 60) % interval_minutes or any(
            (start.hour * 60 + start.minute) % interval_minutes for start in shift.starts
        ):
            raise InputError(
                f"{source}: shift template {shift.name!r} must start and end on {interval_minutes}-minute intervals"
            )

    events_text = inputs.string("events", "")
    return Config(
        path=source,
        team_name=team.string("name"),
        timezone=timezone,
        team_file=base / team.string("file"),
        history=base / inputs.string("history"),
        history_format=history_format,
        timestamp_column=inputs.string("timestamp_column", "created_at"),
        queue_column=inputs.string("queue_column", "channel"),
        events=base / events_text if events_text else None,
        holidays=inputs.string("holidays", ""),
        interval_minutes=interval_minutes,
        baseline_weeks=forecast.integer("baseline_weeks", 8, low=1),
        shrinkage=staffing.number("shrinkage", 0.3, low=0, high=0.95),
        max_occupancy=staffing.number("max_occupancy", 0.85, low=0, high=1, low_inclusive=False),
        channels=channels,
        roster=RosterSettings(
            min_rest_hours=roster.number("min_rest_hours", 11.0, low=0, high=24),
            max_consecutive_days=roster.integer("max_consecutive_days", 5, low=1),
            time_limit_seconds=roster.number("time_limit_seconds", 20.0, low=0, low_inclusive=False),
            understaffing_weight=roster.integer("understaffing_weight", 100, low=0),
            overstaffing_weight=roster.integer("overstaffing_weight", 2, low=0),
            shifts=shifts,
        ),
    )
