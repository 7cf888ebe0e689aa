"""org.toml: the example reads, every problem of a bad file is listed at once, defaults fill only gaps."""

from __future__ import annotations

from pathlib import Path

import pytest
from org_support import EXAMPLE_ORG

from scheduler.errors import InputError
from scheduler.org import OrgDefaults, OrgTeam, load_org, team_config


def test_the_example_org_reads() -> None:
    org = load_org(EXAMPLE_ORG / "org.toml")
    assert org.name == "Cashback Group"
    assert [team.slug for team in org.teams] == ["americas", "apac", "emea"]
    assert all(team.config.is_absolute() and team.config.is_file() for team in org.teams)
    assert org.defaults == OrgDefaults(
        holidays="DE", time_limit_seconds=5.0, feeds_base_url="https://plans.example.com/org/{team}/feeds/",
        feeds_refresh="PT12H",
    )  # fmt: skip


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "peakplan.toml").write_text("", encoding="utf-8")
    org = tmp_path / "org.toml"
    org.write_text(
        """
colour = "red"
[org]
name = "X"
title = "Y"
[teams]
a = "a/peakplan.toml"
b = "b/peakplan.toml"
"bad/slug" = "a/peakplan.toml"
c = 3
d = "a/peakplan.toml"
[defaults]
holidays = "XX"
time_limit_seconds = 0
budget = 5
[defaults.feeds]
base_url = "ftp://x/{team}/"
refresh = "soon"
""",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_org(org)
    message = str(caught.value)
    expected = [
        f"{org}: 11 problems:",
        "unknown key(s) ['colour'] in [top level]; valid keys: org, teams, defaults",
        "unknown key(s) ['title'] in [org]; valid keys: name",
        f"teams.b: config file {tmp_path / 'b/peakplan.toml'} not found",
        "teams.bad/slug: a team name becomes a folder name",
        "teams.c must be the path of the team's peakplan.toml, got 3",
        f"teams.d and teams.a name the same config {tmp_path / 'a/peakplan.toml'}",
        "unknown key(s) ['budget'] in [defaults]; valid keys: holidays, time_limit_seconds, feeds",
        "defaults.holidays: unknown holiday country 'XX'",
        'defaults.time_limit_seconds must be a number > 0 (CP-SAT deterministic seconds) or "auto", got 0',
        "defaults.feeds.base_url: base_url 'ftp://x/a/' must be an absolute http(s) URL",
        "defaults.feeds.refresh: refresh 'soon' is not an iCalendar duration",
    ]
    for text in expected:
        assert text in message
    assert message.count("\n  - ") == 11


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[org]\n", "missing [teams]"),
        ("[teams]\n", "[teams] is empty"),
        ("teams = 3\n", "[teams] must be a table, got 3"),
        ("[teams\n", "not valid TOML"),
    ],
)
def test_a_single_problem_is_one_line(tmp_path: Path, text: str, expected: str) -> None:
    org = tmp_path / "org.toml"
    org.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_org(org)
    assert expected in str(caught.value)
    assert str(caught.value).startswith(str(org))


def test_a_missing_org_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"org file {tmp_path / 'nope.toml'} not found"):
        load_org(tmp_path / "nope.toml")


def test_defaults_fill_only_what_the_team_leaves_out() -> None:
    org = load_org(EXAMPLE_ORG / "org.toml")
    emea = team_config(org.team("emea"), org.defaults)  # sets no holidays and no budget
    assert emea.holidays == "DE"
    assert emea.roster.time_limit_seconds == 5.0
    assert emea.feeds.base_url == "https://plans.example.com/org/emea/feeds/"
    assert emea.feeds.refresh == "PT12H"
    apac = team_config(org.team("apac"), org.defaults)  # names its own holidays
    assert apac.holidays == "JP"
    assert team_config(org.team("apac"), org.defaults, time_limit_seconds=0.5).roster.time_limit_seconds == 0.5


def test_a_team_budget_wins_over_the_org_default(tmp_path: Path) -> None:
    config = tmp_path / "peakplan.toml"
    text = (EXAMPLE_ORG / "apac" / "peakplan.toml").read_text(encoding="utf-8")
    config.write_text(
        text.replace("[roster]\n", "[roster]\ntime_limit_seconds = 9\n")
        .replace('history = "history.csv"', f'history = "{EXAMPLE_ORG / "apac" / "history.csv"}"')
        .replace('file = "team.toml"', f'file = "{EXAMPLE_ORG / "apac" / "team.toml"}"')
        .replace('events = "../sales.ics"', f'events = "{EXAMPLE_ORG / "sales.ics"}"'),
        encoding="utf-8",
    )
    team = OrgTeam(slug="apac", config=config)
    assert team_config(team, OrgDefaults(time_limit_seconds=2)).roster.time_limit_seconds == 9
    assert team_config(team, OrgDefaults(time_limit_seconds=2), time_limit_seconds=1).roster.time_limit_seconds == 1


def test_files_saved_with_a_byte_order_mark_read_as_any_config(tmp_path: Path) -> None:
    """Notepad's UTF-8 BOM: the team config read for the org defaults used to raise a bare TOMLDecodeError."""
    config = tmp_path / "peakplan.toml"
    text = (EXAMPLE_ORG / "apac" / "peakplan.toml").read_text(encoding="utf-8")
    config.write_text(
        "\ufeff"
        + text.replace('history = "history.csv"', f'history = "{EXAMPLE_ORG / "apac" / "history.csv"}"')
        .replace('file = "team.toml"', f'file = "{EXAMPLE_ORG / "apac" / "team.toml"}"')
        .replace('events = "../sales.ics"', f'events = "{EXAMPLE_ORG / "sales.ics"}"'),
        encoding="utf-8",
    )
    assert team_config(OrgTeam(slug="apac", config=config), OrgDefaults(time_limit_seconds=2)).holidays == "JP"
    org = tmp_path / "org.toml"
    org.write_text(f'\ufeff[org]\nname = "X"\n\n[teams]\napac = "{config}"\n', encoding="utf-8")
    assert [team.slug for team in load_org(org).teams] == ["apac"]


@pytest.mark.parametrize("target", ["folder", "device"])
def test_an_org_file_that_is_not_a_file_is_named(tmp_path: Path, target: str) -> None:
    path = tmp_path if target == "folder" else Path("/dev/zero")
    with pytest.raises(InputError, match=f"^{path}"):
        load_org(path)
