"""Loading and validating the peakplan TOML config."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from scheduler.config import OpeningHours, load_config
from scheduler.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cashback" / "peakplan.toml"

MINIMAL = """\
[team]
name = "T"
timezone = "Europe/Berlin"
file = "team.toml"

[inputs]
history = "history.csv"

[forecast]
interval_minutes = 60

[channels.chat]
model = "erlang_c"
aht_seconds = 300
open = "08:00-20:00"

[[roster.shifts]]
name = "day"
hours = 8
starts = ["08:00", "12:00"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "peakplan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads() -> None:
    config = load_config(EXAMPLE)
    assert config.team_name == "Cashback Support"
    assert config.timezone == "Europe/Moscow"
    assert config.team_file == EXAMPLE.parent / "team.toml"
    assert config.events == EXAMPLE.parent / "sales.ics"
    assert config.interval_minutes == 30
    assert config.channel_names == ("chat", "email", "social")
    assert config.queue_names == ("chat/ru", "chat/en", "chat/es+pt", "email/ru", "email/en", "email/es+pt", "social")
    assert config.shift_names == ("day", "half")
    chat = config.channel("chat")
    assert (chat.model, chat.aht_seconds, chat.concurrency, chat.target_seconds) == ("erlang_c", 480.0, 2, 30.0)
    assert chat.open == OpeningHours(open=dt.time(8), close=dt.time(23))
    assert config.channel("social").target_hours == 2.0
    assert (config.shrinkage, config.max_occupancy) == (0.30, 0.85)
    assert config.roster.min_rest_hours == 11.0
    assert [(shift.name, shift.hours, len(shift.starts), shift.paid_minutes, shift.breaks) for shift in config.roster.shifts] == [
        ("day", 9.0, 7, 480, 2),
        ("half", 4.0, 6, 240, 1),
    ]
    assert config.roster.min_agents == (("chat/ru", 1), ("email/en", 1), ("email/es+pt", 1))
    spanish = config.channel("chat/es+pt")  # a small language queue keeps shorter hours than its channel
    assert (spanish.open, spanish.open_days) == (OpeningHours(open=dt.time(10), close=dt.time(19)), (0, 1, 2, 3, 4))


def test_minimal_config_uses_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    assert config.events is None
    assert config.history_format == "tickets"
    assert config.shrinkage == 0.3
    chat = config.channel("chat")
    assert (chat.concurrency, chat.service_level, chat.target_seconds) == (1, 0.8, 30.0)
    assert config.roster.shifts[0].starts == (dt.time(8), dt.time(12))
    with pytest.raises(KeyError):
        config.channel("email")
    assert config.roster.time_limit_seconds is None  # automatic: in proportion to the team (rostering/budget.py)


@pytest.mark.parametrize(("line", "expected"), [('time_limit_seconds = "auto"', None), ("time_limit_seconds = 12", 12.0)])
def test_the_roster_budget_is_automatic_or_a_number(tmp_path: Path, line: str, expected: float | None) -> None:
    assert load_config(write(tmp_path, MINIMAL + "\n[roster]\n" + line + "\n")).roster.time_limit_seconds == expected


def test_a_roster_budget_that_is_neither_auto_nor_a_number_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="time_limit_seconds"):
        load_config(write(tmp_path, MINIMAL + '\n[roster]\ntime_limit_seconds = "fast"\n'))


def test_unknown_key_lists_valid_keys(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace('file = "team.toml"', 'file = "team.toml"\ntimezon = "UTC"'))
    with pytest.raises(InputError) as error:
        load_config(path)
    assert str(error.value) == (
        f"{path}: unknown key 'timezon' in [team] (did you mean 'timezone'?); valid keys: name, timezone, file"
    )


def test_unknown_channel_key(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("aht_seconds = 300", "aht_seconds = 300\nsla = 0.9"))
    with pytest.raises(InputError, match=re.escape("unknown key 'sla' in [channels.chat]; valid keys: model,")):
        load_config(path)


def test_missing_key(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace('timezone = "Europe/Berlin"\n', ""))
    with pytest.raises(InputError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: missing key team.timezone"


def test_a_config_without_inputs_has_no_history_until_a_command_needs_one(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL.replace('[inputs]\nhistory = "history.csv"\n', "")))
    assert config.history is None
    with pytest.raises(InputError, match=re.escape("peakplan.toml: missing key inputs.history: the contact history")):
        config.history_file()
    assert load_config(write(tmp_path, MINIMAL)).history_file() == tmp_path / "history.csv"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="config file .*nope.toml not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("08:00-08:00", "opening hours '08:00-08:00' open and close at the same time (around the clock: 00:00-24:00)"),
        ("08:00", "'08:00' is not opening hours like 08:00-23:00"),
        ("8am-5pm", "'8am' is not a time like 09:30"),
        ("25:00-26:00", "'25:00' is not a time like 09:30"),
    ],
)
def test_bad_opening_hours(tmp_path: Path, hours: str, message: str) -> None:
    path = write(tmp_path, MINIMAL.replace("08:00-20:00", hours))
    with pytest.raises(InputError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: channels.chat.open: {message}"


@pytest.mark.parametrize("close", ["24:00", "00:00"])
def test_midnight_close(tmp_path: Path, close: str) -> None:
    config = load_config(write(tmp_path, MINIMAL.replace("08:00-20:00", f"08:00-{close}")))
    assert config.channel("chat").open.close == dt.time(0)
    hours = config.channel("chat").open
    assert not hours.overnight
    assert hours.open_at(23 * 60 + 59, 0, range(7)) and not hours.open_at(7 * 60 + 59, 0, range(7))


def test_overnight_opening_hours(tmp_path: Path) -> None:
    """08:00-02:00 runs past midnight: the small hours belong to the day before's window."""
    config = load_config(write(tmp_path, MINIMAL.replace("08:00-20:00", "08:00-02:00")))
    hours = config.channel("chat").open
    assert hours.overnight and str(hours) == "08:00-02:00"
    weekdays = (0, 1, 2, 3, 4)
    assert hours.open_at(23 * 60, 4, weekdays)  # Friday 23:00
    assert hours.open_at(60, 5, weekdays)  # Saturday 01:00: Friday's evening
    assert not hours.open_at(2 * 60, 5, weekdays)  # Saturday 02:00: closed
    assert not hours.open_at(60, 0, weekdays)  # Monday 01:00: Sunday's evening, a closed day
    assert not hours.open_at(7 * 60 + 59, 1, weekdays)



def test_bad_timezone(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("Europe/Berlin", "Mars/Olympus"))
    with pytest.raises(InputError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: team.timezone = 'Mars/Olympus': unknown timezone; use an IANA name such as 'Europe/Moscow'"


@pytest.mark.parametrize("minutes", [7, 25, 50])
def test_interval_must_divide_a_day(tmp_path: Path, minutes: int) -> None:
    path = write(tmp_path, MINIMAL.replace("interval_minutes = 60", f"interval_minutes = {minutes}"))
    with pytest.raises(InputError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: forecast.interval_minutes = {minutes}: must divide an hour: one of 5, 10, 15, 20, 30, 60 (15 or 30 are usual)"


@pytest.mark.parametrize(
    ("old", "new"),
    [('starts = ["08:00", "12:00"]', 'starts = ["08:00", "12:30"]'), ("hours = 8", "hours = 7.5")],
)
def test_shift_template_off_the_interval_grid(tmp_path: Path, old: str, new: str) -> None:
    path = write(tmp_path, MINIMAL.replace(old, new))
    with pytest.raises(InputError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}: shift template 'day' (hours ")
    assert str(error.value).endswith("must start and end on 60-minute intervals (forecast.interval_minutes)")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("aht_seconds = 300", 'aht_seconds = "300"', "channels.chat.aht_seconds = '300': must be a number"),
        ("aht_seconds = 300", "aht_seconds = true", "channels.chat.aht_seconds = True: must be a number"),
        ("aht_seconds = 300", "aht_seconds = 0", "channels.chat.aht_seconds = 0: must be > 0"),
        ("interval_minutes = 60", "interval_minutes = 60.0", "forecast.interval_minutes = 60.0: must be a whole number"),
        ("interval_minutes = 60", "interval_minutes = true", "forecast.interval_minutes = True: must be a whole number"),
        ("hours = 8", 'hours = "8"', "roster.shifts[0].hours = '8': must be a number"),
        ('name = "T"', "name = 5", "team.name = 5: must be a string"),
    ],
)
def test_wrong_types(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(InputError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: {message}"


def test_out_of_range_number(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "\n[staffing]\nshrinkage = 0.99\n")
    with pytest.raises(InputError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: staffing.shrinkage = 0.99: must be >= 0 and <= 0.95"


def test_unknown_channel_model(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace('model = "erlang_c"', 'model = "erlang_b"'))
    with pytest.raises(InputError) as error:
        load_config(path)
    assert str(error.value) == (
        f"{path}: channels.chat.model = 'erlang_b': must be one of erlang_c, erlang_a, deferred (did you mean 'erlang_c'?)"
    )


def test_no_shift_templates(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.split("[[roster.shifts]]")[0])
    with pytest.raises(InputError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: define at least one [[roster.shifts]] template (name, hours, starts)"


def test_not_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[team\nname = ")
    with pytest.raises(InputError, match=re.escape(f"{path}: not valid TOML:")):
        load_config(path)


def test_every_mistake_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace('timezone = "Europe/Berlin"', 'timezone = "Europe/Berln"')
        .replace("aht_seconds = 300", "aht_seconds = -1")
        .replace("interval_minutes = 60", "interval_minutes = 45")
    )
    path = write(tmp_path, text)
    with pytest.raises(InputError) as error:
        load_config(path)
    lines = str(error.value).splitlines()
    assert len(lines) == 3, lines
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert "team.timezone = 'Europe/Berln': unknown timezone (did you mean 'Europe/Berlin'?)" in lines[0]
    assert "channels.chat.aht_seconds = -1: must be > 0" in lines[1]
    # 45 minutes is refused as an interval, not blamed on a shift template
    assert lines[2].startswith(f"{path}: forecast.interval_minutes = 45: must divide an hour")


def test_unknown_holiday_country_names_file_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("[inputs]", '[inputs]\nholidays = "ZZZ"'))
    with pytest.raises(InputError, match=re.escape(f"{path}: inputs.holidays = 'ZZZ': not a country")):
        load_config(path)


@pytest.mark.parametrize("content", [b"\xff\xfe[team]", b"[team]\nname = \"\xe9\""])
def test_undecodable_config_names_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "peakplan.toml"
    path.write_bytes(content)
    with pytest.raises(InputError, match=re.escape(str(path))):
        load_config(path)


def test_config_path_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder: give the config file"):
        load_config(tmp_path)
