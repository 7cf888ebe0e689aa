"""[routing] in the config and agents' languages/topics with levels in the team file."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.errors import InputError
from scheduler.team import load_team

CONFIG = """\
[team]
name = "T"
timezone = "Europe/Moscow"
file = "team.toml"

[inputs]
history = "history.csv"

[channels.chat]
model = "erlang_c"
aht_seconds = 300
open = "08:00-20:00"

[channels.email]
model = "deferred"
aht_seconds = 300
open = "09:00-18:00"

[channels.social]
model = "deferred"
aht_seconds = 300
open = "09:00-18:00"

[[roster.shifts]]
name = "day"
hours = 8
starts = ["08:00"]
"""

ROUTING = """
[routing]
by = "language"
channels = ["chat", "email"]
languages = ["ru", "en", "es", "pt"]
language_pools = [["es", "pt"]]
language_map = { Spanish = "es" }
"""

QUEUES = ("chat/ru", "chat/en", "chat/es+pt", "email/ru", "email/en", "email/es+pt", "social")


def load(tmp_path: Path, extra: str) -> object:
    path = tmp_path / "peakplan.toml"
    path.write_text(CONFIG + extra, encoding="utf-8")
    return load_config(path)


def error(tmp_path: Path, extra: str) -> str:
    with pytest.raises(InputError) as caught:
        load(tmp_path, extra)
    return str(caught.value)


def test_routing_splits_the_named_channels_into_queue_ids(tmp_path: Path) -> None:
    config = load(tmp_path, ROUTING)
    assert config.queue_names == QUEUES
    assert config.channel_names == ("chat", "email", "social")
    pooled = config.channel("email/es+pt")
    assert (pooled.name, pooled.model, pooled.open) == ("email/es+pt", "deferred", config.channel("email").open)
    (language,) = config.routing.dimensions
    assert language.value_map == (("Spanish", "es"),)
    assert language.other == "ru"


def test_a_routed_queue_may_have_its_own_hours(tmp_path: Path) -> None:
    import datetime as dt

    config = load(
        tmp_path,
        ROUTING + 'open = { "chat/es+pt" = "10:00-19:00" }\nopen_days = { "chat/es+pt" = ["mon", "fri"] }\n',
    )
    spanish, russian = config.channel("chat/es+pt"), config.channel("chat/ru")
    assert (spanish.open.open, spanish.open.close, spanish.open_days) == (dt.time(10), dt.time(19), (0, 4))
    assert (russian.open, russian.open_days) == (config.channel("chat").open, config.channel("chat").open_days)


def test_the_roster_checker_keeps_a_routed_queue_to_its_own_hours(tmp_path: Path) -> None:
    import datetime as dt

    import pandas as pd

    from scheduler.rostering.checker import find_violations

    config = load(tmp_path, ROUTING + 'open = { "chat/es+pt" = "10:00-19:00" }\n')
    members = load_team(team(tmp_path, agent("maria", '["chat"]', 'languages = ["es", "pt"]')), config.queue_names, shifts=config.shift_names)
    shift = "maria-2026-11-23-0900"
    roster = pd.DataFrame(
        {
            "agent_id": ["maria"] * 2,
            "queue": ["chat/es+pt"] * 2,
            "activity": ["work"] * 2,
            "start": pd.to_datetime(["2026-11-23T09:00:00+03:00", "2026-11-24T10:00:00+03:00"], utc=True),
            "end": pd.to_datetime(["2026-11-23T13:00:00+03:00", "2026-11-24T14:00:00+03:00"], utc=True),
            "shift_id": [shift, "maria-2026-11-24-1000"],
        }
    )
    problems = find_violations(roster, members, config, dt.date(2026, 11, 23), 2)
    # 09:00-10:00 Monday is inside chat's hours but before the Spanish/Portuguese queue opens; Tuesday is inside
    assert [p for p in problems if "closed" in p] == [
        f"shift {shift}: queue 'chat/es+pt' is closed at 2026-11-23 09:00:00+03:00",
        f"shift {shift}: queue 'chat/es+pt' is closed at 2026-11-23 09:30:00+03:00",
    ]


def test_queue_hours_name_routed_queues_and_valid_hours(tmp_path: Path) -> None:
    message = error(
        tmp_path, ROUTING + 'open = { "chat/xx" = "10:00-19:00", "chat/en" = "19:00-19:00" }\nopen_days = { social = ["mon"] }\n'
    )
    assert "routing.open.'chat/xx': not a routed queue" in message
    assert "routing.open.'chat/en'" in message and "open and close at the same time" in message
    assert "routing.open_days.'social': not a routed queue" in message


def test_no_routing_keeps_channels(tmp_path: Path) -> None:
    assert load(tmp_path, "").queue_names == ("chat", "email", "social")
    assert load(tmp_path, '[routing]\nby = "none"\n').queue_names == ("chat", "email", "social")


def test_routing_by_both_nests_topic_under_language(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        '[routing]\nby = "both"\nchannels = ["email"]\nlanguages = ["ru", "en"]\ntopics = ["billing", "other"]\n',
    )
    assert config.queue_names[:4] == ("chat", "email/ru/billing", "email/ru/other", "email/en/billing")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[routing]\nby = "lang"\n', "routing.by must be one of"),
        ('[routing]\nby = "language"\nchannels = ["fax"]\nlanguages = ["ru"]\n', "unknown channel(s) ['fax']"),
        ('[routing]\nby = "language"\n', "missing key routing.languages"),
        ('[routing]\nby = "language"\nlanguages = ["ru", "ru"]\n', "must list each language once"),
        ('[routing]\nby = "language"\nlanguages = ["ru"]\nlanguage_pools = [["ru", "xx"]]\n', "each pool joins"),
        ('[routing]\nby = "language"\nlanguages = ["ru"]\nother_language = "en"\n', "routing.other_language 'en'"),
        ('[routing]\nby = "language"\nlanguages = ["ru"]\ncolour = 1\n', "unknown key 'colour' in [routing]"),
        (ROUTING + "[roster]\nmin_agents = { chat = 1 }\n", "roster.min_agents names unknown queue 'chat'"),
    ],
)
def test_bad_routing_is_named(tmp_path: Path, extra: str, message: str) -> None:
    assert message in error(tmp_path, extra)


TEAM = """\
[[contracts]]
name = "ft"
min_hours_per_week = 0
max_hours_per_week = 40
max_shifts_per_week = 5
"""


def team(tmp_path: Path, agents: str) -> Path:
    path = tmp_path / "team.toml"
    path.write_text(TEAM + agents, encoding="utf-8")
    return path


def agent(agent_id: str, channels: str, extra: str) -> str:
    return f'\n[[agents]]\nid = "{agent_id}"\nname = "{agent_id}"\ncontract = "ft"\nchannels = {channels}\n{extra}\n'


def test_agents_serve_only_queues_in_languages_they_speak(tmp_path: Path) -> None:
    path = team(
        tmp_path,
        agent("ru_only", '["chat", "email", "social"]', 'languages = ["ru"]')
        + agent("polyglot", '["email"]', 'languages = ["ES", "pt", "ru"]\nsecondary_languages = ["en"]')
        + agent("es_only", '["chat"]', 'languages = ["ru", "es"]')
        + agent("picky", '["email/en"]', 'languages = ["en", "ru"]'),
    )
    agents = {member.id: member for member in load_team(path, QUEUES, shifts=("day",)).agents}
    assert agents["ru_only"].channels == ("chat/ru", "email/ru", "social")
    assert agents["polyglot"].channels == ("email/ru", "email/en", "email/es+pt")
    assert agents["polyglot"].secondary_queues == ("email/en",)
    assert agents["es_only"].channels == ("chat/ru",)  # a pool needs someone who reads all of it
    assert agents["picky"].channels == ("email/en",)


def test_an_agent_without_the_language_of_any_queue_is_an_error(tmp_path: Path) -> None:
    path = team(tmp_path, agent("mute", '["chat"]', ""))
    with pytest.raises(InputError, match=r"agent 'mute': serves no queue of \['chat'\].*languages"):
        load_team(path, QUEUES, shifts=("day",))
    path = team(tmp_path, agent("bold", '["email/es+pt"]', 'languages = ["es"]'))
    with pytest.raises(InputError, match=r"lists queue 'email/es\+pt' but speaks none of \['pt'\]"):
        load_team(path, QUEUES, shifts=("day",))
    path = team(tmp_path, agent("twice", '["email"]', 'languages = ["ru"]\nsecondary_languages = ["ru"]'))
    with pytest.raises(InputError, match="listed in both languages and secondary_languages"):
        load_team(path, QUEUES, shifts=("day",))


def test_a_whatif_uplift_on_a_channel_covers_its_queues() -> None:
    from scheduler.staffing.whatif import Uplift, multipliers

    result = multipliers((Uplift(queue="chat", multiplier=3.0), Uplift(queue="chat/en", multiplier=2.0)), QUEUES)
    assert result == {"chat/ru": 3.0, "chat/en": 6.0, "chat/es+pt": 3.0, "email/ru": 1.0, "email/en": 1.0,
                      "email/es+pt": 1.0, "social": 1.0}  # fmt: skip
    with pytest.raises(InputError, match=r"unknown queue\(s\) \['fax'\]"):
        multipliers((Uplift(queue="fax", multiplier=2.0),), QUEUES)


def test_named_agents_get_primary_language_queues_first() -> None:
    from types import SimpleNamespace

    import numpy as np

    from scheduler.rostering.activities import assign_queues

    queues = ("email/ru", "email/en")
    agents = (
        SimpleNamespace(channels=queues, secondary_queues=("email/en",)),  # reads English only as a second language
        SimpleNamespace(channels=queues, secondary_queues=()),
    )
    problem = SimpleNamespace(queues=queues, agents=agents, is_open=np.ones((2, 1), dtype=bool))
    assignment = assign_queues(problem, {0: [0, 1]}, {(0, 0): 1, (0, 1): 1})
    assert assignment == {(0, 0): queues.index("email/ru"), (1, 0): queues.index("email/en")}
