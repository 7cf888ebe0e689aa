"""The team file (TOML): contracts and named agents with skills and availability."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecasts.grid import zone
from scheduler.config import _Section, parse_clock
from scheduler.errors import InputError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Preference shift names that match by time (see rostering.problem.preference_matches), not a template.
SHIFT_KINDS = ("late", "night")
# Agent ids become file names of calendar feeds and parts of iCalendar UIDs.
_AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Contract:
    """Working-time rules of a contract; ``None`` fields take the config's ``[roster]`` default.

    Hours are paid hours (shift length minus unpaid lunch). Weekly minimums are
    reduced pro rata for days of time off and for weeks the horizon only partly
    covers, because leave counts as worked time.
    """

    name: str
    min_hours_per_week: float
    max_hours_per_week: float
    max_shifts_per_week: int
    target_hours_per_week: float | None = None  # fairness: hours close to this (default: the maximum)
    min_rest_hours: float | None = None
    max_consecutive_days: int | None = None
    min_consecutive_days_off: int | None = None
    max_weekends_per_4_weeks: int | None = None
    night_work: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Preference:
    """A wish about shifts: ``avoid`` costs ``weight`` per matching shift worked;
    ``prefer`` costs ``weight`` per matching day on which no matching shift is worked.

    A shift matches when it meets every given criterion (empty = any).
    """

    kind: str  # "prefer" or "avoid"
    weight: int
    weekdays: tuple[int, ...] = ()
    dates: tuple[dt.date, ...] = ()
    shifts: tuple[str, ...] = ()  # template names, or "late" / "night"
    start_from: dt.time | None = None
    start_to: dt.time | None = None


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
    channels: tuple[str, ...]  # queues the agent may serve (queue ids when the config routes by language/topic)
    languages: tuple[str, ...] = ()
    secondary_languages: tuple[str, ...] = ()  # spoken well enough to help out, at a cost in the roster
    topics: tuple[str, ...] = ()
    secondary_topics: tuple[str, ...] = ()
    secondary_queues: tuple[str, ...] = ()  # the channels served only with a secondary skill
    availability: tuple[AvailabilityWindow, ...] = ()  # empty: always available
    time_off: tuple[dt.date, ...] = ()
    preferences: tuple[Preference, ...] = ()
    timezone: str | None = None  # the agent's own zone for their feed; default the team's

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
    section.check_keys(
        (
            "name",
            "min_hours_per_week",
            "max_hours_per_week",
            "max_shifts_per_week",
            "target_hours_per_week",
            "min_rest_hours",
            "max_consecutive_days",
            "min_consecutive_days_off",
            "max_weekends_per_4_weeks",
            "night_work",
        )
    )
    night_work = section.table.get("night_work", True)
    if not isinstance(night_work, bool):
        raise InputError(f"{source}: contracts[{index}].night_work must be true or false")

    def optional_number(key: str, *, high: float | None = None) -> float | None:
        return section.number(key, low=0, high=high) if key in section.table else None

    def optional_integer(key: str, low: int) -> int | None:
        return section.integer(key, low=low) if key in section.table else None

    contract = Contract(
        name=section.string("name"),
        min_hours_per_week=section.number("min_hours_per_week", 0.0, low=0),
        max_hours_per_week=section.number("max_hours_per_week", low=0, high=7 * 24),
        max_shifts_per_week=section.integer("max_shifts_per_week", 5, low=0),
        target_hours_per_week=optional_number("target_hours_per_week", high=7 * 24),
        min_rest_hours=optional_number("min_rest_hours", high=24),
        max_consecutive_days=optional_integer("max_consecutive_days", 1),
        min_consecutive_days_off=optional_integer("min_consecutive_days_off", 1),
        max_weekends_per_4_weeks=optional_integer("max_weekends_per_4_weeks", 0),
        night_work=night_work,
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


def _as_list(value: Any, where: str, source: Path) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"{source}: {where} must be a list")
    return value


def _agent_timezone(value: Any, where: str, source: Path) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{source}: {where}: timezone must be an IANA name like 'Europe/Berlin'")
    try:
        zone(value)
    except InputError as error:
        raise InputError(f"{source}: {where}: {error}") from None
    return value


def _parse_preference(table: Any, where: str, source: Path, templates: Sequence[str]) -> Preference:
    section = _Section(table, where, source)
    section.check_keys(("kind", "weight", "days", "dates", "shifts", "start_from", "start_to"))
    kind = section.string("kind")
    if kind not in ("prefer", "avoid"):
        raise InputError(f"{source}: {where}.kind must be 'prefer' or 'avoid', got {kind!r}")
    days = _as_list(section.table.get("days", []), f"{where}.days", source)
    unknown = [day for day in days if day not in WEEKDAYS]
    if unknown:
        raise InputError(f"{source}: {where}.days has unknown day(s) {unknown}; use {', '.join(WEEKDAYS)}")
    dates = []
    for item in _as_list(section.table.get("dates", []), f"{where}.dates", source):
        try:
            dates.append(item if isinstance(item, dt.date) else dt.date.fromisoformat(str(item)))
        except ValueError:
            raise InputError(f"{source}: {where}.dates value {item!r} is not a date like 2026-11-27") from None
    shifts = _as_list(section.table.get("shifts", []), f"{where}.shifts", source)
    # A misspelt name would match no shift, so the wish would be dropped without a word.
    unknown = [name for name in shifts if name not in templates and name not in SHIFT_KINDS]
    if unknown:
        raise InputError(
            f"{source}: {where}.shifts has unknown shift(s) {unknown}; "
            f"use a [[roster.shifts]] name of the config ({', '.join(templates)}) or {' / '.join(SHIFT_KINDS)}"
        )
    return Preference(
        kind=kind,
        weight=section.integer("weight", 10, low=1),
        weekdays=tuple(sorted({WEEKDAYS.index(day) for day in days})),
        dates=tuple(sorted(set(dates))),
        shifts=tuple(str(name) for name in shifts),
        start_from=parse_clock(section.string("start_from"), f"{source}: {where}.start_from")
        if "start_from" in section.table
        else None,
        start_to=parse_clock(section.string("start_to"), f"{source}: {where}.start_to")
        if "start_to" in section.table
        else None,
    )


def _parse_agent(
    index: int,
    table: Any,
    source: Path,
    contracts: dict[str, Contract],
    queues: Sequence[str],
    templates: Sequence[str],
) -> Agent:
    where = f"agents[{index}]"
    section = _Section(table, where, source)
    section.check_keys(
        ("id", "name", "email", "timezone", "contract", "channels", "languages", "availability", "time_off", "preferences",
         *SKILL_KEYS)
    )  # fmt: skip
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
    known = sorted({*queues, *(queue.split("/", 1)[0] for queue in queues)})
    unknown = [channel for channel in channels if channel not in known]
    if unknown:
        raise InputError(
            f"{source}: {where}: unknown channel(s) {unknown}; the config defines {list(known)}"
        )
    skills = _parse_skills(table, where, source)
    served, secondary = _served_queues(channels, skills, queues, where, source)
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
        channels=served,
        secondary_queues=secondary,
        **skills,
        availability=tuple(
            _parse_window(window, f"{where}.availability[{number}]", source)
            for number, window in enumerate(windows)
        ),
        time_off=tuple(sorted(set(time_off))),
        preferences=tuple(
            _parse_preference(item, f"{where}.preferences[{number}]", source, templates)
            for number, item in enumerate(_as_list(table.get("preferences", []), f"{where}.preferences", source))
        ),
        timezone=_agent_timezone(table.get("timezone"), where, source),
    )


def load_team(path: str | Path, queues: Sequence[str], *, shifts: Sequence[str]) -> Team:
    """Read the team file; every agent's channels must be queues of the config.

    Args:
        queues: the config's channel names (``Config.queue_names``).
        shifts: the config's shift template names (``Config.shift_names``);
            preferences may name these or ``late`` / ``night``.

    Raises:
        InputError: missing file, bad TOML, unknown key, unknown contract,
            channel or preferred shift, duplicate agent id.
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
    agents = [_parse_agent(index, table, source, contracts, queues, shifts) for index, table in enumerate(agents_raw)]
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


SKILL_KEYS = ("secondary_languages", "topics", "secondary_topics")


def _parse_skills(table: Any, where: str, source: Path) -> dict[str, tuple[str, ...]]:
    """``languages`` / ``topics`` (primary) and ``secondary_languages`` / ``secondary_topics``, lower-cased."""
    skills = {}
    for key in ("languages", *SKILL_KEYS):
        values = table.get(key, [])
        if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
            raise InputError(f"{source}: {where}: {key} must be a list of names like ['ru', 'en']")
        skills[key] = tuple(item.strip().lower() for item in values)
    for kind in ("languages", "topics"):
        both = sorted(set(skills[kind]) & set(skills[f"secondary_{kind}"]))
        if both:
            raise InputError(f"{source}: {where}: {both} listed in both {kind} and secondary_{kind}")
    return skills


def _served_queues(
    listed: Sequence[str], skills: dict[str, tuple[str, ...]], queues: Sequence[str], where: str, source: Path
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The queues an agent may serve, and those served with a secondary skill only.

    A queue split by language or topic (``email/es+pt``) needs every one of its
    values among the agent's languages and topics: nobody is put on a language
    they do not speak, and a pool needs someone who reads all of it. Listing a
    channel offers all of its queues the agent has the skills for; listing a
    queue id asks for exactly that one.
    """
    primary = {*skills["languages"], *skills["topics"]}
    secondary = {*skills["secondary_languages"], *skills["secondary_topics"]}
    served: list[str] = []
    helped: list[str] = []
    for queue in queues:
        channel, *parts = queue.split("/")
        if queue not in listed and channel not in listed:
            continue
        needed = {value for part in parts for value in part.split("+")}
        missing = sorted(needed - primary - secondary)
        if missing:
            if queue in listed:
                raise InputError(f"{source}: {where}: lists queue {queue!r} but speaks none of {missing}")
            continue
        served.append(queue)
        if needed - primary:
            helped.append(queue)
    empty = [channel for channel in listed if not any(q == channel or q.startswith(channel + "/") for q in served)]
    if empty:
        raise InputError(
            f"{source}: {where}: serves no queue of {empty}: the config routes them by language or topic; "
            "give the agent's languages (and topics), e.g. languages = [\"ru\"]"
        )
    return tuple(served), tuple(helped)
