"""The team file (TOML): contracts and named agents with skills and availability."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecasts.grid import zone
from scheduler.config import Config, parse_clock
from scheduler.errors import InputError, Problems
from scheduler.tomlfile import Section, did_you_mean, read_toml

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Preference shift names that match by time (see rostering.problem.preference_matches), not a template.
SHIFT_KINDS = ("late", "night")
# Agent ids become file names of calendar feeds and parts of iCalendar UIDs.
_AGENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # fullmatch: no trailing newline
# Names Windows refuses as files whatever the extension (con.ics cannot be created there).
RESERVED_IDS = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"{port}{n}" for port in ("com", "lpt") for n in "0123456789¹²³"]
)


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


def _parse_contract(index: int, table: Any, source: Path, problems: Problems) -> Contract | None:
    section = Section(table, f"contracts[{index}]", source, problems)
    section.check_keys(
        (
            "name", "min_hours_per_week", "max_hours_per_week", "max_shifts_per_week", "target_hours_per_week",
            "min_rest_hours", "max_consecutive_days", "min_consecutive_days_off", "max_weekends_per_4_weeks",
            "night_work",
        )
    )  # fmt: skip

    def optional_number(key: str, *, high: float | None = None) -> float | None:
        return section.number(key, low=0, high=high) if key in section.table else None

    def optional_integer(key: str, low: int) -> int | None:
        return section.integer(key, low=low, high=10_000) if key in section.table else None

    contract = Contract(
        name=section.string("name"),
        min_hours_per_week=section.number("min_hours_per_week", 0.0, low=0, high=7 * 24),
        max_hours_per_week=section.number("max_hours_per_week", low=0, high=7 * 24),
        max_shifts_per_week=section.integer("max_shifts_per_week", 5, low=0, high=7 * 24),
        target_hours_per_week=optional_number("target_hours_per_week", high=7 * 24),
        min_rest_hours=optional_number("min_rest_hours", high=24),
        max_consecutive_days=optional_integer("max_consecutive_days", 1),
        min_consecutive_days_off=optional_integer("min_consecutive_days_off", 1),
        max_weekends_per_4_weeks=optional_integer("max_weekends_per_4_weeks", 0),
        night_work=section.boolean("night_work", True),
    )
    if (
        section.ok("min_hours_per_week", "max_hours_per_week")
        and contract.min_hours_per_week > contract.max_hours_per_week
    ):
        section.fail(
            f"contract {contract.name!r}: min_hours_per_week {contract.min_hours_per_week:g} "
            f"exceeds max_hours_per_week {contract.max_hours_per_week:g}"
        )
    return contract if section.ok("name") else None


def _weekdays(value: Any, key: str, section: Section) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(day, str) for day in value):
        section.fail(f'{section.key(key)} = {value!r}: must be a list of days such as ["mon", "tue"]', key)
        return ()
    unknown = [day for day in value if day not in WEEKDAYS]
    if unknown:
        hints = "".join(did_you_mean(day, WEEKDAYS) for day in unknown[:1])
        section.fail(f"{section.key(key)} has unknown day(s) {unknown}{hints}; use {', '.join(WEEKDAYS)}", key)
        return ()
    return tuple(sorted({WEEKDAYS.index(day) for day in value}))


def _clock(section: Section, key: str, problems: Problems, *, midnight_end: bool = False) -> dt.time | None:
    text = section.string(key)
    if not section.ok(key):
        return None
    if midnight_end and text == "24:00":
        text = "00:00"
    return problems.attempt(lambda: parse_clock(text, f"{section.source}: {section.key(key)}"))


def _parse_window(table: Any, where: str, source: Path, problems: Problems) -> AvailabilityWindow | None:
    section = Section(table, where, source, problems)
    section.check_keys(("days", "from", "to"))
    days = section.require("days")
    weekdays = _weekdays(days, "days", section) if "days" in section.table else ()
    if "days" in section.table and section.ok("days") and not weekdays:
        section.fail(f"{where}.days must name at least one day", "days")
    start = _clock(section, "from", problems)
    end = _clock(section, "to", problems, midnight_end=True)
    if start is None or end is None or not section.ok("days", "*"):
        return None
    return AvailabilityWindow(weekdays=weekdays, start=start, end=end)


def _parse_preference(
    table: Any, where: str, source: Path, templates: Sequence[str], problems: Problems
) -> Preference | None:
    section = Section(table, where, source, problems)
    section.check_keys(("kind", "weight", "days", "dates", "shifts", "start_from", "start_to"))
    kind = section.string("kind")
    if section.ok("kind") and kind not in ("prefer", "avoid"):
        section.fail(
            f"{where}.kind = {kind!r}: must be 'prefer' or 'avoid'{did_you_mean(kind, ('prefer', 'avoid'))}", "kind"
        )
    weekdays = _weekdays(section.table.get("days", []), "days", section)
    dates = _dates(section.table.get("dates", []), "dates", section)
    shifts = section.string_list("shifts", what="shift names")
    # A misspelt name would match no shift, so the wish would be dropped without a word.
    for name in [name for name in shifts if name not in templates and name not in SHIFT_KINDS]:
        section.fail(
            f"{where}.shifts: unknown shift {name!r}{did_you_mean(name, (*templates, *SHIFT_KINDS))}; "
            f"use a [[roster.shifts]] name of the config ({', '.join(templates)}) or {' / '.join(SHIFT_KINDS)}",
            "shifts",
        )
    weight = section.integer("weight", 10, low=1, high=1_000_000)
    start_from = _clock(section, "start_from", problems) if "start_from" in section.table else None
    start_to = _clock(section, "start_to", problems) if "start_to" in section.table else None
    if not section.ok("*", "kind", "days", "dates", "shifts", "weight", "start_from", "start_to"):
        return None
    return Preference(
        kind=kind, weight=weight, weekdays=weekdays, dates=dates, shifts=tuple(shifts),
        start_from=start_from, start_to=start_to,
    )  # fmt: skip


def _dates(value: Any, key: str, section: Section) -> tuple[dt.date, ...]:
    """A list of dates (TOML dates or ``"YYYY-MM-DD"`` strings); a single date is taken as a list of one."""
    items = value if isinstance(value, list) else [value]
    dates: list[dt.date] = []
    for item in items:
        if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            dates.append(item)
            continue
        try:
            dates.append(dt.date.fromisoformat(item) if isinstance(item, str) else dt.date.fromisoformat(""))
        except ValueError:
            section.fail(f"{section.key(key)}: {item!r} is not a date like 2026-11-27", key)
    return tuple(sorted(set(dates)))


def unsafe_agent_id(agent_id: str) -> str | None:
    """Why ``agent_id`` cannot name a feed file (``<id>.ics``) on every system, or None when it can."""
    if not _AGENT_ID.fullmatch(agent_id):
        return "may only use letters, digits, '-' and '_' (starting with a letter or digit, at most 64 characters)"
    if agent_id.lower() in RESERVED_IDS:
        return "is a device name Windows reserves (con, prn, aux, nul, com1-9, lpt1-9): its feed file cannot be created there"
    return None


def _parse_agent(
    index: int,
    table: Any,
    source: Path,
    contracts: dict[str, Contract],
    queues: Sequence[str],
    templates: Sequence[str],
    problems: Problems,
) -> Agent | None:
    section = Section(table, f"agents[{index}]", source, problems)
    agent_id = section.string("id")
    if section.ok("id"):
        reason = unsafe_agent_id(agent_id)
        if reason:
            section.fail(f"agents[{index}].id = {agent_id!r}: the id names the agent's feed file and {reason}", "id")
        else:
            section.where = f"agent {agent_id!r}"
    section.check_keys(
        ("id", "name", "email", "timezone", "contract", "channels", "languages", "availability", "time_off", "preferences",
         *SKILL_KEYS)
    )  # fmt: skip
    where = section.where
    contract_name = section.string("contract")
    if section.ok("contract") and contract_name not in contracts:
        section.fail(
            f"{where}.contract = {contract_name!r}: unknown contract{did_you_mean(contract_name, contracts)}; "
            f"the [[contracts]] are {', '.join(sorted(contracts)) or 'none'}",
            "contract",
        )
    channels = (
        section.string_list("channels", what="channel names")
        if "channels" in section.table
        else section.require("channels") or []
    )
    known = sorted({*queues, *(queue.split("/", 1)[0] for queue in queues)})
    if section.ok("channels") and "channels" in section.table and not channels:
        # an agent who serves nothing cannot be rostered (the contract's minimum hours cannot be met)
        section.fail(f"{where}.channels = []: list the channels the agent serves, e.g. {known[:2]}", "channels")
    for channel in [channel for channel in channels if channel not in known]:
        section.fail(
            f"{where}.channels: unknown channel {channel!r}{did_you_mean(channel, known)}; "
            f"the config defines {', '.join(known)}",
            "channels",
        )
    skills = problems.attempt(lambda: _parse_skills(section.table, where, source))
    served = None
    if skills is not None and section.ok("channels", "*"):
        served = problems.attempt(lambda: _served_queues(channels, skills, queues, where, source))
    availability = [
        _parse_window(window, f"{where}.availability[{number}]", source, problems)
        for number, window in enumerate(section.table_list("availability"))
    ]
    time_off = _dates(section.table.get("time_off", []), "time_off", section)
    preferences = [
        _parse_preference(item, f"{where}.preferences[{number}]", source, templates, problems)
        for number, item in enumerate(section.table_list("preferences"))
    ]
    timezone = _agent_timezone(section)
    name = section.string("name")
    email = section.string("email", "")
    if (
        not section.ok("*", "id", "contract", "channels", "name")
        or None in availability
        or None in preferences
        or skills is None
        or served is None
    ):
        return None
    return Agent(
        id=agent_id,
        name=name,
        email=email,
        contract=contracts[contract_name],
        channels=served[0],
        secondary_queues=served[1],
        **skills,
        availability=tuple(window for window in availability if window is not None),
        time_off=time_off,
        preferences=tuple(item for item in preferences if item is not None),
        timezone=timezone,
    )


def _agent_timezone(section: Section) -> str | None:
    if "timezone" not in section.table:
        return None
    value = section.string("timezone")
    if not section.ok("timezone"):
        return None
    try:
        zone(value)
    except InputError:
        from zoneinfo import available_timezones

        section.fail(
            f"{section.key('timezone')} = {value!r}: unknown timezone{did_you_mean(value, available_timezones())}; "
            "use an IANA name like 'Europe/Berlin'",
            "timezone",
        )
        return None
    return value


def load_config_team(config: Config, path: str | Path | None = None) -> Team:
    """The config's team file (or ``path`` instead), its agents checked against the config's queues and shifts.

    Raises:
        InputError: as :func:`load_team`.
    """
    return load_team(path or config.team_file, config.queue_names, shifts=config.shift_names)


def load_team(path: str | Path, queues: Sequence[str], *, shifts: Sequence[str]) -> Team:
    """Read the team file; every agent's channels must be queues of the config.

    Every problem is collected; one :class:`InputError` lists them all (one per
    line), each naming the file, the agent or contract, the key and the value.

    Args:
        queues: the config's channel names (``Config.queue_names``).
        shifts: the config's shift template names (``Config.shift_names``);
            preferences may name these or ``late`` / ``night``.

    Raises:
        InputError: missing file, bad TOML, unknown key, unknown contract,
            channel or preferred shift (with "did you mean" for near misses),
            an agent id unsafe as a file name, duplicate agent id.
    """
    source = Path(path)
    raw = read_toml(source, "team file")
    problems = Problems()
    top = Section(raw, "top level", source, problems)
    top.check_keys(("contracts", "agents"))
    contracts: dict[str, Contract] = {}
    for index, table in enumerate(top.table_list("contracts")):
        contract = _parse_contract(index, table, source, problems)
        if contract is None:
            continue
        if contract.name in contracts:
            problems.add(f"{source}: contracts[{index}]: contract {contract.name!r} is defined twice")
        contracts[contract.name] = contract
    agents_raw = top.table_list("agents")
    if top.ok("agents") and not agents_raw:
        problems.add(f"{source}: no [[agents]] defined")
    parsed = [
        _parse_agent(index, table, source, contracts, queues, shifts, problems)
        for index, table in enumerate(agents_raw)
    ]
    agents = [agent for agent in parsed if agent is not None]
    seen: set[str] = set()
    for agent in agents:
        if agent.id.lower() in seen:
            problems.add(
                f"{source}: agent id {agent.id!r} is used twice (ids name feed files, so case does not tell them apart)"
            )
        seen.add(agent.id.lower())
    problems.raise_if_any()
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
            raise InputError(f"{source}: {where}.{key} = {values!r}: must be a list of names like ['ru', 'en']")
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
            'give the agent\'s languages (and topics), e.g. languages = ["ru"]'
        )
    return tuple(served), tuple(helped)
