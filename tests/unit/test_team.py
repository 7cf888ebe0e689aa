"""Loading the team file and agents' availability."""

from __future__ import annotations

import datetime as dt
import re
import json
from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.team import Agent, AvailabilityWindow, Contract, Preference, load_team

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cashback" / "team.toml"
QUEUES = ("chat", "email", "social")
SHIFTS = ("early", "day")  # the config's [[roster.shifts]] names

CONTRACTS = """\
[[contracts]]
name = "full_time"
min_hours_per_week = 32
max_hours_per_week = 40
max_shifts_per_week = 5
"""


def agent_toml(agent_id: str = "a1", contract: str = "full_time", channels: str = '["chat"]', extra: str = "") -> str:
    return (
        f'\n[[agents]]\nid = "{agent_id}"\nname = "Agent {agent_id}"\ncontract = "{contract}"\n'
        f"channels = {channels}\n{extra}"
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "team.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_text(path: Path, queues: tuple[str, ...] = QUEUES, shifts: tuple[str, ...] = SHIFTS) -> str:
    with pytest.raises(InputError) as error:
        load_team(path, queues, shifts=shifts)
    return str(error.value)


FULL_TIME = Contract(name="full_time", min_hours_per_week=32, max_hours_per_week=40, max_shifts_per_week=5)


def test_example_team_loads() -> None:
    team = load_team(EXAMPLE, QUEUES, shifts=SHIFTS)
    assert [agent.id for agent in team.agents] == [f"a{n:02d}" for n in range(1, 24)]
    assert [contract.name for contract in team.contracts] == ["full_time", "part_time", "student"]
    a09 = next(agent for agent in team.agents if agent.id == "a09")
    assert a09.name == 'Kirill "Kir" Orlov'
    assert a09.contract == Contract(name="student", min_hours_per_week=16, max_hours_per_week=24, max_shifts_per_week=5)
    assert a09.channels == ("chat", "social")
    assert a09.availability == (
        AvailabilityWindow(weekdays=(0, 1, 2, 3, 4), start=dt.time(13), end=dt.time(23)),
        AvailabilityWindow(weekdays=(5, 6), start=dt.time(8), end=dt.time(23)),
    )
    # channels keep the config's queue order, not the file's.
    a10 = next(agent for agent in team.agents if agent.id == "a10")
    assert a10.channels == ("chat", "email")
    monday, saturday = dt.date(2026, 11, 23), dt.date(2026, 11, 28)
    assert not a09.available(monday, dt.time(9), 8 * 60)
    assert a09.available(monday, dt.time(15), 8 * 60)
    assert not a09.available(monday, dt.time(16), 8 * 60)  # would end at 00:00, after 23:00
    assert a09.available(saturday, dt.time(9), 8 * 60)


def test_unknown_channel_names_agent_and_config_channels(tmp_path: Path) -> None:
    path = write(tmp_path, CONTRACTS + agent_toml(channels='["chat", "phone"]'))
    assert error_text(path) == (
        f"{path}: agent 'a1'.channels: unknown channel 'phone'; the config defines chat, email, social"
    )


def test_an_agent_serving_no_channel_is_named(tmp_path: Path) -> None:
    """channels = [] passed validate: an agent who serves nothing cannot be rostered."""
    path = write(tmp_path, CONTRACTS + agent_toml(channels="[]"))
    assert error_text(path) == f"{path}: agent 'a1'.channels = []: list the channels the agent serves, e.g. ['chat', 'email']"


def test_unknown_contract(tmp_path: Path) -> None:
    path = write(tmp_path, CONTRACTS + agent_toml(contract="intern"))
    assert error_text(path) == f"{path}: agent 'a1'.contract = 'intern': unknown contract; the [[contracts]] are full_time"


def test_duplicate_agent_id(tmp_path: Path) -> None:
    path = write(tmp_path, CONTRACTS + agent_toml("a1") + agent_toml("a2") + agent_toml("a1"))
    assert error_text(path) == f"{path}: agent id 'a1' is used twice (ids name feed files, so case does not tell them apart)"


@pytest.mark.parametrize("bad", ["anna petrova", "a/1", "-a1", "ä1", "x" * 65])
def test_bad_agent_id(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, CONTRACTS + agent_toml(bad))
    assert error_text(path) == (
        f"{path}: agents[0].id = {bad!r}: the id names the agent's feed file and may only use letters, digits, "
        "'-' and '_' (starting with a letter or digit, at most 64 characters)"
    )


def test_min_hours_above_max_hours(tmp_path: Path) -> None:
    path = write(tmp_path, CONTRACTS.replace("min_hours_per_week = 32", "min_hours_per_week = 41") + agent_toml())
    assert error_text(path) == f"{path}: contract 'full_time': min_hours_per_week 41 exceeds max_hours_per_week 40"


def test_unknown_key_in_agent(tmp_path: Path) -> None:
    path = write(tmp_path, CONTRACTS + agent_toml(extra='skills = ["x"]\n'))
    assert error_text(path) == (
        f"{path}: unknown key 'skills' in [agent 'a1']; valid keys: id, name, email, timezone, contract, "
        "channels, languages, availability, time_off, preferences, secondary_languages, topics, secondary_topics"
    )


def test_no_agents(tmp_path: Path) -> None:
    path = write(tmp_path, CONTRACTS)
    assert error_text(path) == f"{path}: no [[agents]] defined"


def test_bad_availability_day(tmp_path: Path) -> None:
    extra = 'availability = [{ days = ["mon", "funday"], from = "09:00", to = "17:00" }]\n'
    path = write(tmp_path, CONTRACTS + agent_toml(extra=extra))
    assert error_text(path) == (
        f"{path}: agent 'a1'.availability[0].days has unknown day(s) ['funday']; use mon, tue, wed, thu, fri, sat, sun"
    )


def test_time_off_dates(tmp_path: Path) -> None:
    extra = 'time_off = [2026-11-27, "2026-11-25", 2026-11-27]\n'
    team = load_team(write(tmp_path, CONTRACTS + agent_toml(extra=extra)), QUEUES, shifts=SHIFTS)
    assert team.agents[0].time_off == (dt.date(2026, 11, 25), dt.date(2026, 11, 27))
    bad = write(tmp_path, CONTRACTS + agent_toml(extra='time_off = ["27.11.2026"]\n'))
    assert error_text(bad) == f"{bad}: agent 'a1'.time_off: '27.11.2026' is not a date like 2026-11-27"


def test_availability_windows() -> None:
    student = Agent(
        id="s1",
        name="Student",
        email="",
        contract=FULL_TIME,
        channels=("chat",),
        availability=(
            AvailabilityWindow(weekdays=(0, 2), start=dt.time(13), end=dt.time(18)),
            AvailabilityWindow(weekdays=(5,), start=dt.time(20), end=dt.time(0)),
        ),
        time_off=(dt.date(2026, 11, 25),),
    )
    monday, tuesday, wednesday, saturday = (dt.date(2026, 11, d) for d in (23, 24, 25, 28))
    assert student.available(monday, dt.time(13), 5 * 60)  # exactly the window
    assert student.available(monday, dt.time(14), 4 * 60)
    assert not student.available(monday, dt.time(12), 4 * 60)  # starts before
    assert not student.available(monday, dt.time(14), 5 * 60)  # ends after 18:00
    assert not student.available(tuesday, dt.time(13), 4 * 60)  # not a window day
    assert not student.available(wednesday, dt.time(13), 4 * 60)  # time off
    assert student.available(saturday, dt.time(20), 4 * 60)  # to = 00:00 is midnight
    assert not student.available(saturday, dt.time(21), 4 * 60)  # would run past midnight
    anyone = Agent(id="x", name="X", email="", contract=FULL_TIME, channels=("chat",))
    assert anyone.available(tuesday, dt.time(0), 24 * 60)


def test_window_to_midnight_written_as_2400(tmp_path: Path) -> None:
    extra = 'availability = [{ days = ["sat"], from = "18:00", to = "24:00" }]\n'
    team = load_team(write(tmp_path, CONTRACTS + agent_toml(extra=extra)), QUEUES, shifts=SHIFTS)
    assert team.agents[0].availability == (AvailabilityWindow(weekdays=(5,), start=dt.time(18), end=dt.time(0)),)
    assert team.agents[0].available(dt.date(2026, 11, 28), dt.time(18), 6 * 60)


def test_missing_team_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=re.escape(f"team file {tmp_path / 'team.toml'} not found")):
        load_team(tmp_path / "team.toml", QUEUES, shifts=SHIFTS)


RULES_CONTRACT = """\
[[contracts]]
name = "nights_off"
min_hours_per_week = 20
max_hours_per_week = 30
max_shifts_per_week = 4
target_hours_per_week = 25
min_rest_hours = 12.5
max_consecutive_days = 3
min_consecutive_days_off = 2
max_weekends_per_4_weeks = 1
night_work = false
"""


def test_contract_labour_rules(tmp_path: Path) -> None:
    text = RULES_CONTRACT + agent_toml(contract="nights_off")
    assert Contract(
        name="nights_off",
        min_hours_per_week=20,
        max_hours_per_week=30,
        max_shifts_per_week=4,
        target_hours_per_week=25,
        min_rest_hours=12.5,
        max_consecutive_days=3,
        min_consecutive_days_off=2,
        max_weekends_per_4_weeks=1,
        night_work=False,
    ) == load_team(write(tmp_path, text), QUEUES, shifts=SHIFTS).agents[0].contract
    # Rules a contract leaves out take the config's [roster] defaults (None), night work is allowed.
    plain = load_team(write(tmp_path, CONTRACTS + agent_toml()), QUEUES, shifts=SHIFTS).agents[0].contract
    assert (plain.target_hours_per_week, plain.min_rest_hours, plain.max_consecutive_days) == (None, None, None)
    assert (plain.min_consecutive_days_off, plain.max_weekends_per_4_weeks, plain.night_work) == (None, None, True)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("night_work = false", 'night_work = "no"', "contracts[0].night_work = 'no': must be true or false"),
        ("min_consecutive_days_off = 2", "min_consecutive_days_off = 0", "contracts[0].min_consecutive_days_off = 0: must be >= 1"),
        ("max_consecutive_days = 3", "max_consecutive_days = 0", "contracts[0].max_consecutive_days = 0: must be >= 1"),
        ("max_weekends_per_4_weeks = 1", "max_weekends_per_4_weeks = -1", "contracts[0].max_weekends_per_4_weeks = -1: must be >= 0"),
        ("max_weekends_per_4_weeks = 1", "max_weekends_per_4_weeks = 1.5", "contracts[0].max_weekends_per_4_weeks = 1.5: must be a whole number"),
        ("min_rest_hours = 12.5", "min_rest_hours = 25", "contracts[0].min_rest_hours = 25: must be >= 0 and <= 24"),
        ("target_hours_per_week = 25", "target_hours_per_week = 200", "contracts[0].target_hours_per_week = 200: must be >= 0 and <= 168"),
        ("night_work = false", "nightwork = false", "unknown key 'nightwork' in [contracts[0]] (did you mean 'night_work'?); valid keys:"),
    ],
)
def test_bad_contract_rule(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = write(tmp_path, RULES_CONTRACT.replace(old, new) + agent_toml(contract="nights_off"))
    assert error_text(path).startswith(f"{path}: {message}")


PREFERENCES = """preferences = [
  { kind = "prefer", weight = 3, days = ["sat", "mon"], shifts = ["early"], start_from = "07:00", start_to = "09:30" },
  { kind = "avoid", weight = 7, dates = [2026-11-27, "2026-11-26"], shifts = ["late", "night"] },
]
"""


def test_preferences(tmp_path: Path) -> None:
    team = load_team(write(tmp_path, CONTRACTS + agent_toml(extra=PREFERENCES)), QUEUES, shifts=SHIFTS)
    assert team.agents[0].preferences == (
        Preference(kind="prefer", weight=3, weekdays=(0, 5), shifts=("early",), start_from=dt.time(7), start_to=dt.time(9, 30)),
        Preference(kind="avoid", weight=7, dates=(dt.date(2026, 11, 26), dt.date(2026, 11, 27)), shifts=("late", "night")),
    )
    path = write(tmp_path, CONTRACTS + agent_toml(extra='preferences = [{ kind = "avoid" }]\n'))
    default = load_team(path, QUEUES, shifts=SHIFTS)
    assert default.agents[0].preferences == (Preference(kind="avoid", weight=10),)


def test_preference_shifts_may_name_templates_and_kinds(tmp_path: Path) -> None:
    path = write(tmp_path, CONTRACTS + agent_toml(extra='preferences = [{ kind = "avoid", shifts = ["day", "late", "night"] }]\n'))
    assert load_team(path, QUEUES, shifts=SHIFTS).agents[0].preferences[0].shifts == ("day", "late", "night")


def test_preference_naming_an_unknown_shift_lists_the_templates(tmp_path: Path) -> None:
    path = write(tmp_path, CONTRACTS + agent_toml(extra='preferences = [{ kind = "avoid", shifts = ["late", "lat"] }]\n'))
    assert error_text(path) == (
        f"{path}: agent 'a1'.preferences[0].shifts: unknown shift 'lat' (did you mean 'late'?); "
        "use a [[roster.shifts]] name of the config (early, day) or late / night"
    )


@pytest.mark.parametrize(
    ("preference", "message"),
    [
        ('{ kind = "want" }', "agent 'a1'.preferences[0].kind = 'want': must be 'prefer' or 'avoid'"),
        ('{ kind = "avoid", weight = 0 }', "agent 'a1'.preferences[0].weight = 0: must be >= 1"),
        ('{ kind = "avoid", days = ["someday"] }', "agent 'a1'.preferences[0].days has unknown day(s) ['someday']"),
        ('{ kind = "avoid", dates = ["27.11."] }', "agent 'a1'.preferences[0].dates: '27.11.' is not a date like 2026-11-27"),
        ('{ kind = "avoid", start_from = "9am" }', "agent 'a1'.preferences[0].start_from: '9am' is not a time like 09:30"),
        ('{ kind = "avoid", shift = ["late"] }', "unknown key 'shift' in [agent 'a1'.preferences[0]] (did you mean 'shifts'?)"),
        ('{ kind = "avoid", shifts = "late" }', "agent 'a1'.preferences[0].shifts = 'late': must be a list of shift names"),
    ],
)
def test_bad_preference(tmp_path: Path, preference: str, message: str) -> None:
    path = write(tmp_path, CONTRACTS + agent_toml(extra=f"preferences = [{preference}]\n"))
    assert error_text(path).startswith(f"{path}: {message}")


@pytest.mark.parametrize("bad", ["con", "NUL", "com1", "Lpt9", "a01\n"])
def test_agent_id_unsafe_as_a_file_name_names_the_team_file(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, CONTRACTS + agent_toml().replace('id = "a1"', f"id = {json.dumps(bad)}"))
    text = error_text(path)
    assert text.startswith(f"{path}: agents[0].id = {bad!r}: the id names the agent's feed file"), text


@pytest.mark.parametrize("agents", ["agents = 1", 'agents = "a1"', "agents = [1, 2]"])
def test_agents_of_the_wrong_type_is_an_input_error(tmp_path: Path, agents: str) -> None:
    path = write(tmp_path, agents + "\n" + CONTRACTS)
    assert error_text(path).startswith(f"{path}: ")


def test_every_agent_mistake_is_reported_at_once(tmp_path: Path) -> None:
    text = CONTRACTS + agent_toml().replace('contract = "full_time"', 'contract = "ful_time"').replace(
        '["chat"]', '["chta"]'
    ) + agent_toml().replace('id = "a1"', 'id = "a2"').replace('name = ', 'nme = "x"\nname = ')
    path = write(tmp_path, text)
    lines = error_text(path).splitlines()
    assert len(lines) == 3, lines
    assert "agent 'a1'.contract = 'ful_time': unknown contract (did you mean 'full_time'?)" in lines[0]
    assert "agent 'a1'.channels: unknown channel 'chta' (did you mean 'chat'?)" in lines[1]
    assert "unknown key 'nme' in [agent 'a2'] (did you mean 'name'?)" in lines[2]


def test_config_team_is_read_against_the_configs_queues_and_shifts(tmp_path: Path) -> None:
    from scheduler.config import load_config
    from scheduler.team import load_config_team

    config = load_config(EXAMPLE.parent / "peakplan.toml")
    assert load_config_team(config).path == config.team_file
    # A shift template only this config has is a valid preference; an "early" shift (not in it) is not.
    half = 'preferences = [{ kind = "prefer", weight = 1, days = ["mon"], shifts = ["%s"] }]\nlanguages = ["ru"]\n'
    team = load_config_team(config, write(tmp_path, CONTRACTS + agent_toml(extra=half % config.shift_names[-1])))
    assert team.agents[0].preferences[0].shifts == (config.shift_names[-1],)
    with pytest.raises(InputError, match="early"):
        load_config_team(config, write(tmp_path, CONTRACTS + agent_toml(extra=half % "early")))
