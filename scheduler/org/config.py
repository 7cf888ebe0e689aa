"""The org file (``org.toml``): which teams make up the organisation, and their shared defaults.

Example::

    [org]
    name = "Cashback Group"              # optional: the title of index.html

    [teams]                              # folder under --out = the team's peakplan.toml
    emea = "emea/peakplan.toml"          # relative to org.toml
    apac = "apac/peakplan.toml"

    [defaults]                           # where a team's own config leaves the key out
    holidays = "DE"                      # inputs.holidays
    time_limit_seconds = 5               # roster.time_limit_seconds

    [defaults.feeds]                     # [feeds] of every team; {team} is its folder name
    base_url = "https://plans.example.com/{team}/feeds/"
    refresh = "PT12H"

The file is checked strictly and every problem is reported at once (unknown
keys with the valid ones, team config files that do not exist, bad values):
one :class:`~scheduler.errors.InputError` whose message lists them all. The
teams' own configs are read later, each in its own task, so a team with a bad
config fails alone (see :mod:`scheduler.org.task`).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calendars.feed_options import check_base_url, check_color, check_refresh
from scheduler.config import Config, load_config
from scheduler.errors import InputError
from scheduler.tomlfile import read_toml

TOP_KEYS = ("org", "teams", "defaults")
ORG_KEYS = ("name",)
DEFAULT_KEYS = ("holidays", "time_limit_seconds", "feeds")
FEED_KEYS = ("base_url", "color", "refresh", "keep_days")
TEAM_PLACEHOLDER = "{team}"
# A team's folder name under --out (and its task key): no path separators, no dot files.
_TEAM_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgDefaults:
    """Values a team's config inherits where it leaves the key out (None: no default)."""

    holidays: str | None = None
    time_limit_seconds: float | None = None
    feeds_base_url: str | None = None  # may contain {team}
    feeds_color: str | None = None
    feeds_refresh: str | None = None
    feeds_keep_days: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgTeam:
    """One team of the org: its folder name under --out and its peakplan.toml (absolute)."""

    slug: str
    config: Path


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgConfig:
    path: Path
    name: str
    teams: tuple[OrgTeam, ...]  # sorted by slug
    defaults: OrgDefaults

    def team(self, slug: str) -> OrgTeam:
        for team in self.teams:
            if team.slug == slug:
                return team
        raise KeyError(slug)


class _Problems:
    """Collects every problem of the file, so the user fixes them in one pass."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, text: str) -> None:
        self.items.append(text)

    def table(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.add(f"[{where}] must be a table, got {value!r}")
            return {}
        return value

    def keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
        unknown = sorted(set(table) - set(allowed))
        if unknown:
            self.add(f"unknown key(s) {unknown} in [{where}]; valid keys: {', '.join(allowed)}")

    def raise_any(self) -> None:
        if len(self.items) == 1:
            raise InputError(f"{self.source}: {self.items[0]}")
        if self.items:
            lines = "\n".join(f"  - {item}" for item in self.items)
            raise InputError(f"{self.source}: {len(self.items)} problems:\n{lines}")


def load_org(path: str | Path) -> OrgConfig:
    """Read and check an org file.

    Raises:
        InputError: the file is missing or not TOML, or has problems (all of
            them listed, each naming its key and value).
    """
    source = Path(path)
    raw = read_toml(source, "org file")  # a folder, a BOM, a device: named as for any TOML file
    problems = _Problems(source)
    problems.keys(raw, TOP_KEYS, "top level")

    org = problems.table(raw.get("org", {}), "org")
    problems.keys(org, ORG_KEYS, "org")
    name = org.get("name", "")
    if not isinstance(name, str):
        problems.add(f"org.name must be a string, got {name!r}")
        name = ""

    teams = _parse_teams(raw, source.parent, problems)
    defaults = _parse_defaults(problems.table(raw.get("defaults", {}), "defaults"), teams, problems)
    problems.raise_any()
    return OrgConfig(path=source, name=name or "", teams=teams, defaults=defaults)


def _parse_teams(raw: Mapping[str, Any], base: Path, problems: _Problems) -> tuple[OrgTeam, ...]:
    if "teams" not in raw:
        problems.add('missing [teams]: list each team as name = "path/to/peakplan.toml"')
        return ()
    table = problems.table(raw["teams"], "teams")
    if not table and isinstance(raw["teams"], Mapping):
        problems.add('[teams] is empty: list each team as name = "path/to/peakplan.toml"')
    teams: list[OrgTeam] = []
    folders: dict[str, str] = {}
    configs: dict[Path, str] = {}
    for slug, value in sorted(table.items()):
        if not _TEAM_SLUG.match(slug):
            problems.add(
                f"teams.{slug}: a team name becomes a folder name: use letters, digits, '-' and '_' "
                "(up to 64, starting with a letter or digit)"
            )
            continue
        if slug.casefold() in folders:  # case-insensitive file systems would merge the two folders
            problems.add(f"teams.{slug} and teams.{folders[slug.casefold()]} differ only in case")
            continue
        folders[slug.casefold()] = slug
        if not isinstance(value, str) or not value.strip():
            problems.add(f"teams.{slug} must be the path of the team's peakplan.toml, got {value!r}")
            continue
        config = (base / value).resolve()
        if not config.is_file():
            problems.add(f"teams.{slug}: config file {base / value} not found")
            continue
        if config in configs:
            problems.add(f"teams.{slug} and teams.{configs[config]} name the same config {base / value}")
            continue
        configs[config] = slug
        teams.append(OrgTeam(slug=slug, config=config))
    return tuple(teams)


def _parse_defaults(table: Mapping[str, Any], teams: tuple[OrgTeam, ...], problems: _Problems) -> OrgDefaults:
    problems.keys(table, DEFAULT_KEYS, "defaults")
    values: dict[str, Any] = {}
    if "holidays" in table:
        holidays = table["holidays"]
        if not isinstance(holidays, str):
            problems.add(f"defaults.holidays must be an ISO country code such as 'DE' (or ''), got {holidays!r}")
        elif holidays.strip() and not _known_country(holidays):
            problems.add(f"defaults.holidays: unknown holiday country {holidays!r}: use an ISO 3166 code such as 'DE'")
        else:
            values["holidays"] = holidays
    if "time_limit_seconds" in table:
        limit = table["time_limit_seconds"]
        if limit == "auto":
            pass  # each team's budget in proportion to its agents and days, as when no one sets one
        elif isinstance(limit, bool) or not isinstance(limit, int | float) or not math.isfinite(limit) or limit <= 0:
            problems.add(
                f'defaults.time_limit_seconds must be a number > 0 (CP-SAT deterministic seconds) or "auto", got {limit!r}'
            )
        else:
            values["time_limit_seconds"] = float(limit)
    feeds = problems.table(table.get("feeds", {}), "defaults.feeds")
    problems.keys(feeds, FEED_KEYS, "defaults.feeds")
    for key in FEED_KEYS:
        if key in feeds:
            value = _feed_default(key, feeds[key], teams, problems)
            if value is not None:
                values[f"feeds_{key}"] = value
    return OrgDefaults(**values)


def _feed_default(key: str, value: Any, teams: tuple[OrgTeam, ...], problems: _Problems) -> Any:
    where = f"defaults.feeds.{key}"
    if key == "keep_days":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.add(f"{where} must be a whole number >= 0, got {value!r}")
            return None
        return value
    if not isinstance(value, str):
        problems.add(f"{where} must be a string, got {value!r}")
        return None
    try:
        if key == "base_url":
            for slug in [team.slug for team in teams] or ["team"]:
                check_base_url(value.replace(TEAM_PLACEHOLDER, slug))
        elif key == "color":
            check_color(value)
        else:
            check_refresh(value)
    except InputError as error:
        problems.add(f"{where}: {error}")
        return None
    return value


def _known_country(code: str) -> bool:
    import holidays as holidays_lib

    try:
        holidays_lib.country_holidays(code.strip().upper())
    except NotImplementedError:
        return False
    return True


def team_config(team: OrgTeam, defaults: OrgDefaults, *, time_limit_seconds: float | None = None) -> Config:
    """The team's own config with the org defaults filled in where the team's file leaves a key out.

    ``time_limit_seconds`` (``--time-limit``) overrides both.

    Raises:
        InputError: the team's config is missing, not TOML or invalid.
    """
    config = load_config(team.config)
    # load_config fills its own defaults; the raw file says which keys the team wrote itself
    raw = read_toml(team.config, "config file")
    inputs, roster, feeds = (raw.get(name, {}) for name in ("inputs", "roster", "feeds"))
    changes: dict[str, Any] = {}
    if defaults.holidays is not None and "holidays" not in inputs:
        changes["holidays"] = defaults.holidays
    limit = time_limit_seconds
    if limit is None and defaults.time_limit_seconds is not None and "time_limit_seconds" not in roster:
        limit = defaults.time_limit_seconds
    if limit is not None:
        changes["roster"] = dataclasses.replace(config.roster, time_limit_seconds=limit)
    feed_changes: dict[str, Any] = {}
    for key in FEED_KEYS:
        value = getattr(defaults, f"feeds_{key}")
        if value is not None and key not in feeds:
            feed_changes[key] = value.replace(TEAM_PLACEHOLDER, team.slug) if key == "base_url" else value
    if feed_changes:
        changes["feeds"] = dataclasses.replace(config.feeds, **feed_changes)  # checked again by FeedOptions
    return dataclasses.replace(config, **changes) if changes else config
