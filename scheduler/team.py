"""The team file (TOML): contracts and named agents with skills and availability."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.config import _Section, parse_clock
from scheduler.errors import InputError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Agent ids become file names of calendar feeds and parts of iCalendar UIDs.
_AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Contract:
    name: str
    min_hours_per_week: float
    max_hours_per_week: float
    max_shifts_per_week: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AvailabilityWindow:
    """A recurring weekly window in local time in which the agent may work."""

    weekdays: tuple[int, ...]  # 0 = Monday
    start: dt.time
    end: dt.time  # 00:00 means midnight at the end of the day

    def covers(self, weekday: int, shift_start: dt.time, shift_minutes: int) -> bool:
        """True when a shift starting on ``weekday`` at ``shift_start`` lies inside the window."""
        if weekday not in self.weekdays:
            return False
        begin = shift_start.hour * 60 + shift_start.minute
        window_start = self.start.hour * 60 + self.start.minute
        window_end = self.end.hour * 60 + self.end.minute or 24 * 60
        return window_start <= begin and begin + shift_minutes <= window_end


@dataclass(frozen=True, slots=True, kw_only=True)
class Agent:
    id: str
    name: str
    email: str
    contract: Contract
    channels: tuple[str, ...]
    languages: tuple[str, ...] = ()
    availability: tuple[AvailabilityWindow, ...] = ()  # empty: always available
    time_off: tuple[dt.date, ...] = ()

    def available(self, day: dt.date, shift_start: dt.time, shift_minutes: int) -> bool:
        if day in self.time_off:
            return False
        if not self.availability:
            return True
        return any(window.covers(day.weekday(), shift_start, shift_minutes) for window in self.availability)


@dataclass(frozen=True, slots=True, kw_only=True)
class Team:
    path: Path
    contracts: tuple[Contract, ...]
    agents: tuple[Agent, ...]


def _parse_contract(index: int, table: Any, source: Path) -> Contract:
    section = _Section(table, f"contracts[{index}]", source)
    section.check_keys(("name", "min_hours_per_week", "max_hours_per_week", "max_shifts_per_week"))
    contract = Contract(
        name=section.string("name"),
        min_hours_per_week=section.number("min_hours_per_week", 0.0, low=0),
        max_hours_per_week=section.number("max_hours_per_week", low=0, high=7 * 24),
        max_shifts_per_week=section.integer("max_shifts_per_week", 5, low=0),
    )
    if contract.min_hours_per_week > contract.max_hours_per_week:
        raise InputError(
            f"{source}: contract {contract.name!r}: min_hours_per_week {contract.min_hours_per_week:g} "
            f"exceeds max_hours_per_week {contract.max_hours_per_week:g}"
        )
    return contract


def _parse_window(table: Any, where: str, source: Path) -> AvailabilityWindow:
    section = _Section(table, where, source)
    section.check_keys(("days", "from", "to"))
    days = section.require("days")
    if not isinstance(days, list) or not days:
        raise InputError(f"{source}: {where}.days must be a list such as ['mon', 'tue']")
    unknown = [day for day in days if day not in WEEKDAYS]
    if unknown:
        raise InputError(f"{source}: {where}.days has unknown day(s) {unknown}; use {', '.join(WEEKDAYS)}")
    end_text = section.string("to")
    return AvailabilityWindow(
        weekdays=tuple(sorted({WEEKDAYS.index(day) for day in days})),
        start=parse_clock(section.string("from"), f"{source}: {where}.from"),
        end=parse_clock("00:00" if end_text == "24:00" else end_text, f"{source}: {where}.to"),
    )


def _parse_agent(
    index: int, table: Any, source: Path, contracts: dict[str, Contract], queues: Sequence[str]
) -> Agent:
    where = f"agents[{index}]"
    section = _Section(table, where, source)
    section.check_keys(("id", "name", "email", "contract", "channels", "languages", "availability", "time_off"))
    agent_id = section.string("id")
    if not _AGENT_ID.match(agent_id):
        raise InputError(
            f"{source}: {where}.id {agent_id!r} may only use letters, digits, '-' and '_' (max 64 characters)"
        )
    where = f"agent {agent_id!r}"
    contract_name = section.string("contract")
    if contract_name not in contracts:
        raise InputError(f"{source}: {where}: unknown contract {contract_name!r}; known: {sorted(contracts)}")
    channels = section.require("channels")
    if not isinstance(channels, list) or not all(isinstance(item, str) for item in channels):
        raise InputError(f"{source}: {where}: channels must be a list of channel names")
    unknown = [channel for channel in channels if channel not in queues]
    if unknown:
        raise InputError(
            f"{source}: {where}: unknown channel(s) {unknown}; the config defines {list(queues)}"
        )
    languages = table.get("languages", [])
    if not isinstance(languages, list) or not all(isinstance(item, str) for item in languages):
        raise InputError(f"{source}: {where}: languages must be a list of language codes")
    windows = table.get("availability", [])
    if not isinstance(windows, list):
        raise InputError(f"{source}: {where}: availability must be a list of {{days, from, to}} tables")
    time_off_raw = table.get("time_off", [])
    time_off: list[dt.date] = []
    for item in time_off_raw if isinstance(time_off_raw, list) else [time_off_raw]:
        if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            time_off.append(item)
            continue
        try:
            time_off.append(dt.date.fromisoformat(str(item)))
        except ValueError:
            raise InputError(f"{source}: {where}: time_off value {item!r} is not a date like 2026-11-27") from None
    return Agent(
        id=agent_id,
        name=section.string("name"),
        email=section.string("email", ""),
        contract=contracts[contract_name],
        channels=tuple(channel for channel in queues if channel in channels),
        languages=tuple(languages),
        availability=tuple(
            _parse_window(window, f"{where}.availability[{number}]", source)
            for number, window in enumerate(windows)
        ),
        time_off=tuple(sorted(set(time_off))),
    )


def load_team(path: str | Path, queues: Sequence[str]) -> Team:
    """Read the team file; every agent's channels must be queues of the config.

    Raises:
        InputError: missing file, bad TOML, unknown key, unknown contract or
            channel, duplicate agent id.
    """
    source = Path(path)
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"team file {source} not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{source}: not valid TOML: {error}") from None
    _Section(raw, "top level", source).check_keys(("contracts", "agents"))
    contracts: dict[str, Contract] = {}
    for index, table in enumerate(raw.get("contracts", [])):
        contract = _parse_contract(index, table, source)
        if contract.name in contracts:
            raise InputError(f"{source}: contract {contract.name!r} is defined twice")
        contracts[contract.name] = contract
    agents_raw = raw.get("agents", [])
    if not agents_raw:
        raise InputError(f"{source}: no [[agents]] defined")
    agents = [_parse_agent(index, table, source, contracts, queues) for index, table in enumerate(agents_raw)]
    seen: set[str] = set()
    for agent in agents:
        if agent.id in seen:
            raise InputError(f"{source}: agent id {agent.id!r} is used twice")
        seen.add(agent.id)
    return Team(
        path=source,
        contracts=tuple(contracts.values()),
        agents=tuple(sorted(agents, key=lambda agent: agent.id)),
    )
