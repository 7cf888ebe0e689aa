"""The staffing keys of [channels.<name>]: models, patience, concurrency growth, shares, open days."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.errors import InputError

BASE = """\
[team]
name = "T"
timezone = "Europe/Berlin"
file = "team.toml"

[inputs]
history = "history.csv"

[[roster.shifts]]
name = "day"
hours = 8
starts = ["08:00"]

[channels.chat]
{chat}

[channels.email]
{email}
"""
CHAT = 'model = "erlang_c"\naht_seconds = 300'
EMAIL = 'model = "deferred"\naht_seconds = 360'


def load(tmp_path: Path, chat: str = CHAT, email: str = EMAIL):  # type: ignore[no-untyped-def]
    path = tmp_path / "peakplan.toml"
    path.write_text(BASE.format(chat=chat, email=email), encoding="utf-8")
    return path, load_config(path)


def error_of(tmp_path: Path, chat: str = CHAT, email: str = EMAIL) -> str:
    path = tmp_path / "peakplan.toml"
    path.write_text(BASE.format(chat=chat, email=email), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_config(path)
    return str(error.value).replace(f"{path}: ", "")


def test_defaults_per_model(tmp_path: Path) -> None:
    _path, config = load(tmp_path)
    chat, email = config.channel("chat"), config.channel("email")
    assert chat.live and not email.live
    assert chat.service_level == 0.8
    assert email.service_level == 1.0  # every ticket within target unless a share is configured
    assert chat.patience_seconds is None and chat.concurrency_aht_growth == 0.0
    assert chat.open_days == email.open_days == (0, 1, 2, 3, 4, 5, 6)


def test_erlang_a_concurrency_growth_share_and_days(tmp_path: Path) -> None:
    chat = 'model = "erlang_a"\naht_seconds = 300\npatience_seconds = 90\nconcurrency = 3\nconcurrency_aht_growth = 0.25'
    email = 'model = "deferred"\naht_seconds = 360\nservice_level = 0.9\nopen_days = ["mon", "tue", "WED", "thu", "fri"]'
    _path, config = load(tmp_path, chat, email)
    assert config.channel("chat").patience_seconds == 90.0
    assert config.channel("chat").handle_seconds == 300 * 1.5
    assert config.channel("email").service_level == 0.9
    assert config.channel("email").open_days == (0, 1, 2, 3, 4)


@pytest.mark.parametrize(
    ("chat", "email", "message"),
    [
        ('model = "erlang_a"\naht_seconds = 300', EMAIL, "missing key channels.chat.patience_seconds"),
        (
            'model = "erlang_a"\naht_seconds = 300\npatience_seconds = 0',
            EMAIL,
            "channels.chat.patience_seconds = 0: must be > 0",
        ),
        (
            CHAT + "\npatience_seconds = 60",
            EMAIL,
            'channels.chat.patience_seconds applies only to model = "erlang_a", not \'erlang_c\'',
        ),
        (
            CHAT + "\nservice_level = 1.0",
            EMAIL,
            "channels.chat.service_level = 1.0: must be below 1 for a live channel (every contact answered "
            "within a finite target needs infinitely many agents; use e.g. 0.95)",
        ),
        (CHAT, EMAIL + "\nservice_level = 1.5", "channels.email.service_level = 1.5: must be > 0 and <= 1"),
        (
            CHAT,
            EMAIL + "\nconcurrency = 2",
            "channels.email: concurrency and concurrency_aht_growth apply only to live channels (erlang_c, erlang_a), "
            "not 'deferred'",
        ),
        (CHAT + "\nconcurrency_aht_growth = -0.1", EMAIL, "channels.chat.concurrency_aht_growth = -0.1: must be >= 0 and <= 10"),
        (CHAT, EMAIL + '\nopen_days = ["mon", "funday"]', "channels.email.open_days: unknown day(s) ['funday']; valid days: mon, tue, wed, thu, fri, sat, sun"),
        (CHAT, EMAIL + "\nopen_days = []", 'channels.email.open_days = []: must be a non-empty list of days like ["mon", "tue"]'),
        (CHAT + "\npatience = 60", EMAIL, "unknown key 'patience' in [channels.chat] (did you mean 'patience_seconds'?); valid keys:"),
    ],
)
def test_bad_staffing_keys(tmp_path: Path, chat: str, email: str, message: str) -> None:
    assert error_of(tmp_path, chat, email).startswith(message)
