"""Seeded roster instances unlike the benchmark's: teams written as a user writes them, then read back.

:mod:`benchmarks.roster_instances` draws one shape of team (Berlin, three
queues open 07:00-24:00, 30-minute intervals, one day off at a time, no
preferences). Issue 14's figures are to hold on teams the project has not
tuned to, so this module writes others, each as the three files a user has
(``peakplan.toml``, ``team.toml``, ``requirements.csv``), and reads them back
through the project's own loaders (:func:`load_instance`): what is measured
is what ``peakplan roster`` plans.

What the teams vary (:data:`TEAMS`; everything else drawn from the seed):

- a time zone whose clocks change inside the 4 weeks (a 25-hour day in New
  York, Berlin and London, a 23-hour day in Chicago and Sydney);
- queues by language (``chat/en``, ``chat/de``, ``email/es`` ..., a pooled
  ``chat/ja+ko``), some with their own hours and weekdays (docs/queues.md),
  minimums on two or three queues;
- a queue open around the clock with night shifts (New York's voice,
  Chicago's English chat with at least two agents), chat open past midnight
  (London);
- 15-, 30- and 60-minute intervals (Berlin at 15 with 15-minute lunches);
- contracts: full time with days off in pairs (``min_consecutive_days_off =
  2``), part time without night work on weekday afternoons, a flex contract
  with 12 h rest and two weekends in four;
- time off of 1-5 days, avoid/prefer preferences (a third of the agents),
  secondary languages;
- demand: two daily peaks, weekends lower, nights low, a one-day sale at
  +80%, scaled so a normal week needs 92% of the team's paid hours at
  contract maximum.

``python -m benchmarks.roster_unseen`` rosters them and prints issue 14's
figures; ``write_instance(name, folder)`` leaves the files for the CLI:
``peakplan roster --config folder/peakplan.toml --requirements
folder/requirements.csv --start START --weeks 4 --out roster.csv``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from forecasts.grid import interval_grid
from scheduler.config import Config, load_config
from scheduler.staffing.requirements import open_mask
from scheduler.stage_files import read_requirements
from scheduler.team import Team, load_config_team

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Queue:
    """A channel: its model, hours and how its demand splits by language (``{}``: not split)."""

    channel: str
    model: str
    aht_seconds: int
    open: str  # "HH:MM-HH:MM"; "00:00-24:00" around the clock
    share: float  # of the team's demand
    languages: dict[str, float] = dataclasses.field(default_factory=dict)  # queue language -> share of the channel
    concurrency: int = 1
    own_hours: dict[str, tuple[str, tuple[str, ...]]] = dataclasses.field(
        default_factory=dict
    )  # language -> hours, days


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class TeamShape:
    """What a generated team is: its zone, start (a Monday), grid, queues, shifts and rules."""

    timezone: str
    start: dt.date
    agents: int
    interval: int
    queues: tuple[Queue, ...]
    languages: dict[str, float]  # a primary language's share of agents (an agent may speak two)
    min_agents: dict[str, int]
    shifts: str  # the [[roster.shifts]] tables
    days_off_in_pairs: bool = True
    max_consecutive_days: int = 5
    night_share: float = 0.0  # demand at night against the day's mean (queues open around the clock)
    summary: str = ""


def _shift(name: str, hours: float, starts: list[str], lunch: int = 0, breaks: int = 0) -> str:
    text = f'\n[[roster.shifts]]\nname = "{name}"\nhours = {hours:g}\nstarts = {starts!r}\n'.replace("'", '"')
    if lunch:
        text += f"lunch_minutes = {lunch}\nlunch_after_hours = [3, 5]\n"
    return text + (f"breaks = {breaks}\n" if breaks else "")


def _clocks(first: str, last: str, step: int) -> list[str]:
    begin = int(first[:2]) * 60 + int(first[3:])
    end = int(last[:2]) * 60 + int(last[3:])
    return [f"{m // 60:02d}:{m % 60:02d}" for m in range(begin, end + 1, step)]


TEAMS: dict[str, TeamShape] = {
    "ny30": TeamShape(
        timezone="America/New_York",
        start=dt.date(2026, 10, 26),  # 2026-11-01 has 25 hours
        agents=30,
        interval=30,
        queues=(
            Queue(channel="voice", model="erlang_c", aht_seconds=300, open="00:00-24:00", share=0.4),
            Queue(
                channel="chat",
                model="erlang_c",
                aht_seconds=480,
                open="07:00-23:00",
                share=0.4,
                concurrency=2,
                languages={"en": 0.8, "es": 0.2},
                own_hours={"es": ("10:00-18:00", WEEKDAYS[:5])},
            ),
            Queue(
                channel="email",
                model="deferred",
                aht_seconds=360,
                open="08:00-20:00",
                share=0.2,
                languages={"en": 0.85, "es": 0.15},
                own_hours={"en": ("10:00-18:00", WEEKDAYS[:5])},
            ),
        ),  # fmt: skip
        languages={"en": 0.9, "es": 0.3},
        min_agents={"voice": 1, "chat/en": 1},
        # 05:00 starts: the night shift of the 25-hour day ends at 05:00, an hour before 06:00 starts
        shifts=_shift("day", 8.5, _clocks("05:00", "14:30", 30), lunch=30)
        + _shift("night", 8, ["22:00"])
        + _shift("short", 5, _clocks("10:00", "18:00", 60)),
        night_share=0.25,
        summary="New York, voice 24/7 with nights, chat/email by language (en, es)",
    ),
    "ber100": TeamShape(
        timezone="Europe/Berlin",
        start=dt.date(2026, 10, 19),  # 2026-10-25 has 25 hours
        agents=100,
        interval=15,
        queues=(
            Queue(
                channel="chat",
                model="erlang_c",
                aht_seconds=420,
                open="07:00-22:00",
                share=0.5,
                concurrency=2,
                languages={"de": 0.6, "en": 0.25, "fr": 0.1, "nl": 0.05},
                own_hours={"fr": ("09:00-18:00", WEEKDAYS[:5]), "nl": ("09:00-17:00", WEEKDAYS[:5])},
            ),
            Queue(
                channel="email",
                model="deferred",
                aht_seconds=360,
                open="08:00-20:00",
                share=0.35,
                languages={"de": 0.6, "en": 0.3, "fr": 0.1},
            ),
            Queue(channel="social", model="deferred", aht_seconds=300, open="09:00-18:00", share=0.15),
        ),  # fmt: skip
        languages={"de": 0.75, "en": 0.45, "fr": 0.12, "nl": 0.08},
        min_agents={"chat/de": 2, "email/en": 1},
        shifts=_shift("day", 8.25, _clocks("07:00", "13:45", 15), lunch=15, breaks=1)
        + _shift("late", 8.25, _clocks("12:00", "13:45", 15), lunch=15, breaks=1)
        + _shift("half", 4, _clocks("07:00", "18:00", 60)),
        summary="Berlin, 15-minute grid and lunches, chat/email by language (de, en, fr, nl)",
    ),
    "chi100": TeamShape(
        timezone="America/Chicago",
        start=dt.date(2026, 3, 2),  # 2026-03-08 has 23 hours
        agents=100,
        interval=30,
        queues=(
            Queue(
                channel="chat",
                model="erlang_c",
                aht_seconds=480,
                open="00:00-24:00",
                share=0.65,
                concurrency=2,
                languages={"en": 0.85, "es": 0.15},
                own_hours={"es": ("08:00-20:00", WEEKDAYS)},
            ),
            Queue(
                channel="email",
                model="deferred",
                aht_seconds=360,
                open="08:00-18:00",
                share=0.35,
                languages={"en": 0.85, "es": 0.15},
            ),
        ),  # fmt: skip
        languages={"en": 0.9, "es": 0.25},
        min_agents={"chat/en": 2},
        shifts=_shift("day", 9, _clocks("06:00", "14:00", 30), lunch=60, breaks=2)
        + _shift("evening", 8, _clocks("15:00", "17:00", 60), lunch=30)
        + _shift("night", 8, ["22:00", "23:00"]),
        night_share=0.3,
        summary="Chicago, chat/en 24/7 (at least 2) with nights, hour-long lunches",
    ),
    "lon60": TeamShape(
        timezone="Europe/London",
        start=dt.date(2026, 10, 19),  # 2026-10-25 has 25 hours
        agents=60,
        interval=60,
        queues=(
            Queue(
                channel="chat",
                model="erlang_c",
                aht_seconds=480,
                open="08:00-02:00",
                share=0.6,
                concurrency=2,
                languages={"en": 0.8, "pl": 0.2},
                own_hours={"pl": ("09:00-18:00", WEEKDAYS[:6])},
            ),
            Queue(channel="email", model="deferred", aht_seconds=360, open="08:00-18:00", share=0.4),
        ),  # fmt: skip
        languages={"en": 0.95, "pl": 0.3},
        min_agents={"chat/en": 2},
        shifts=_shift("day", 9, _clocks("08:00", "11:00", 60), lunch=60)
        + _shift("late", 8, _clocks("14:00", "19:00", 60), lunch=60)  # 19:00: to 02:00 on the 25-hour night
        + _shift("short", 4, _clocks("09:00", "13:00", 60)),
        max_consecutive_days=4,
        summary="London, 60-minute grid, chat to 02:00, 4 days in a row at most",
    ),
    "syd300": TeamShape(
        timezone="Australia/Sydney",
        start=dt.date(2026, 9, 28),  # 2026-10-04 has 23 hours
        agents=300,
        interval=30,
        queues=(
            Queue(
                channel="chat",
                model="erlang_c",
                aht_seconds=480,
                open="07:00-23:00",
                share=0.45,
                concurrency=2,
                languages={"en": 0.7, "zh": 0.2, "ja+ko": 0.1},
                own_hours={"ja+ko": ("09:00-19:00", WEEKDAYS[:5])},
            ),
            Queue(
                channel="email",
                model="deferred",
                aht_seconds=360,
                open="08:00-20:00",
                share=0.35,
                languages={"en": 0.75, "zh": 0.25},
                own_hours={"zh": ("09:00-17:00", WEEKDAYS)},
            ),
            Queue(channel="voice", model="erlang_c", aht_seconds=300, open="08:00-18:00", share=0.2),
        ),  # fmt: skip
        languages={"en": 0.9, "zh": 0.3, "ja": 0.1, "ko": 0.1},
        min_agents={"chat/en": 3, "chat/zh": 1, "voice": 1},
        shifts=_shift("day", 8.5, _clocks("07:00", "14:30", 30), lunch=30, breaks=1)
        + _shift("half", 4, _clocks("08:00", "19:00", 60)),
        summary="Sydney, chat/email by language (en, zh, pooled ja+ko), voice",
    ),
}
# The Berlin team on a 30-minute grid: what the 15-minute grid alone changes.
TEAMS["ber100h"] = dataclasses.replace(
    TEAMS["ber100"],
    interval=30,
    shifts=_shift("day", 8.5, _clocks("07:00", "13:30", 30), lunch=30, breaks=1)
    + _shift("late", 8.5, _clocks("12:00", "13:30", 30), lunch=30, breaks=1)
    + _shift("half", 4, _clocks("07:00", "18:00", 60)),
    summary="ber100 on a 30-minute grid, 30-minute lunches",
)
DEFAULT_TEAMS = ("ny30", "ber100", "chi100", "lon60", "syd300")


def _queue_ids(shape: TeamShape) -> list[tuple[Queue, str, str]]:
    """(queue, language or "", queue id) for every queue of the team."""
    return [
        (queue, language, f"{queue.channel}/{language}" if language else queue.channel)
        for queue in shape.queues
        for language in (queue.languages or {"": 1.0})
    ]


def config_text(name: str, shape: TeamShape) -> str:
    routed = [queue for queue in shape.queues if queue.languages]
    languages = sorted({part for queue in routed for language in queue.languages for part in language.split("+")})
    pools = sorted({tuple(language.split("+")) for queue in routed for language in queue.languages if "+" in language})
    lines = [
        "[team]",
        f'name = "Unseen team {name}"',
        f'timezone = "{shape.timezone}"',
        'file = "team.toml"',
        "",
        "[forecast]",
        f"interval_minutes = {shape.interval}",
        "",
        "[staffing]",
        "shrinkage = 0.25",
        "",
    ]
    for queue in shape.queues:
        lines += [
            f"[channels.{queue.channel}]",
            f'model = "{queue.model}"',
            f"aht_seconds = {queue.aht_seconds}",
            f'open = "{queue.open}"',
            *([f"concurrency = {queue.concurrency}"] if queue.concurrency > 1 else []),
            "",
        ]
    own = {f"{queue.channel}/{language}": hours for queue in routed for language, hours in queue.own_hours.items()}
    lines += [
        "[routing]",
        'by = "language"',
        f"channels = {[queue.channel for queue in routed]!r}",
        f"languages = {languages!r}",
        *([f"language_pools = {[list(pool) for pool in pools]!r}"] if pools else []),
        "open = { " + ", ".join(f'"{queue}" = "{hours}"' for queue, (hours, _days) in own.items()) + " }",
        "open_days = { " + ", ".join(f'"{queue}" = {list(days)!r}' for queue, (_hours, days) in own.items()) + " }",
        "",
        "[roster]",
        "min_rest_hours = 11",
        f"max_consecutive_days = {shape.max_consecutive_days}",
        f"min_consecutive_days_off = {2 if shape.days_off_in_pairs else 1}",
        "max_weekends_per_4_weeks = 3",
        "min_agents = { " + ", ".join(f'"{queue}" = {count}' for queue, count in shape.min_agents.items()) + " }",
    ]
    return "\n".join(lines).replace("'", '"') + "\n" + shape.shifts


CONTRACTS = """\
[[contracts]]
name = "full_time"
min_hours_per_week = 30
max_hours_per_week = 40
max_shifts_per_week = 5

[[contracts]]
name = "part_time"
min_hours_per_week = 12
max_hours_per_week = 24
max_shifts_per_week = 5
min_consecutive_days_off = 1
night_work = false

[[contracts]]
name = "flex"
min_hours_per_week = 16
max_hours_per_week = 40
max_shifts_per_week = 5
min_rest_hours = 12
max_weekends_per_4_weeks = 2
min_consecutive_days_off = 1
"""


def _preference(rng: np.random.Generator, templates: list[str]) -> str:
    kind = int(rng.integers(0, 4))
    weight = int(rng.choice([5, 10, 20]))
    if kind == 0:
        days = sorted(rng.choice(7, size=int(rng.integers(1, 3)), replace=False).tolist())
        return f'{{ kind = "avoid", days = {[WEEKDAYS[d] for d in days]!r}, weight = {weight} }}'
    if kind == 1:
        return f'{{ kind = "avoid", shifts = ["late"], weight = {weight} }}'
    if kind == 2:
        day = WEEKDAYS[int(rng.integers(0, 5))]
        return f'{{ kind = "prefer", days = ["{day}"], shifts = ["{templates[0]}"], weight = {weight} }}'
    return f'{{ kind = "prefer", start_from = "07:00", start_to = "09:30", weight = {weight} }}'


def team_text(shape: TeamShape, seed: int) -> str:
    rng = np.random.default_rng([seed, shape.agents, sum(shape.timezone.encode())])  # ber100h: ber100's team
    templates = [line.split('"')[1] for line in shape.shifts.splitlines() if line.startswith("name = ")]
    channels = [queue.channel for queue in shape.queues]
    spoken = list(shape.languages)
    main = spoken[0]
    days = 28
    parts = [CONTRACTS]
    for index in range(shape.agents):
        draw = rng.random()
        contract = "full_time" if draw < 0.7 else "part_time" if draw < 0.85 else "flex"
        languages = [language for language in spoken if rng.random() < shape.languages[language]]
        if not any(shape.languages[language] >= 0.5 for language in languages):
            languages.insert(0, main)  # the rare languages come with the main one (or a pool's half alone serves none)
        secondary = [language for language in spoken if language not in languages and rng.random() < 0.25]
        known = [channel for channel in channels if rng.random() < 0.6] or [channels[int(rng.integers(len(channels)))]]
        if "voice" in channels and "voice" not in known and rng.random() < 0.5:
            known.append("voice")
        if contract == "part_time" and channels[0] not in known:
            known.insert(0, channels[0])  # afternoons and evenings: the first channel is open then
        lines = [
            "[[agents]]",
            f'id = "u{index:03d}"',
            f'name = "Agent {index:03d}"',
            f'email = "u{index:03d}@example.org"',
            f'contract = "{contract}"',
            f"channels = {known!r}",
            f"languages = {languages!r}",
        ]
        if secondary:
            lines.append(f"secondary_languages = {secondary!r}")
        if contract == "part_time":
            lines.append(
                'availability = [{ days = ["mon", "tue", "wed", "thu", "fri"], from = "12:00", to = "24:00" }]'
            )
        if rng.random() < 0.15:
            first = shape.start + dt.timedelta(days=int(rng.integers(0, days - 5)))
            off = [first + dt.timedelta(days=n) for n in range(int(rng.integers(1, 6)))]
            lines.append(f"time_off = {[day.isoformat() for day in off]!r}")
        if rng.random() < 0.33:
            wishes = [_preference(rng, templates) for _ in range(int(rng.integers(1, 3)))]
            lines.append(f"preferences = [{', '.join(wishes)}]")
        parts.append("\n".join(line.replace("'", '"') for line in lines) + "\n")
    return "\n".join(parts)


def requirements_frame(config: Config, shape: TeamShape, team: Team, seed: int, weeks: int = 4) -> pd.DataFrame:
    """Agents required per queue and interval (two daily peaks, low nights, a sale), scaled to the team."""
    rng = np.random.default_rng([seed, 7, sum(shape.timezone.encode())])
    grid = interval_grid(shape.start, 7 * weeks, shape.timezone, shape.interval)
    local = grid.tz_convert(shape.timezone)
    hour = np.asarray(local.hour + local.minute / 60)
    weekday = np.asarray(local.day_of_week)
    dates = np.asarray(local.date)
    first_peak, second_peak = rng.uniform(10.0, 13.0), rng.uniform(16.0, 20.0)
    day_curve = (
        0.25
        + np.exp(-(((hour - first_peak) / 3.0) ** 2))
        + rng.uniform(0.4, 0.9) * np.exp(-(((hour - second_peak) / 2.5) ** 2))
    )
    night = (hour < 6) | (hour >= 22)
    intraday = np.where(night, shape.night_share * day_curve.mean(), day_curve)
    weekly = np.where(weekday >= 5, rng.uniform(0.55, 0.8), 1.0)
    sale = shape.start + dt.timedelta(days=int(rng.integers(3, 7 * weeks - 3)))
    event = np.where(dates == sale, 1.8, 1.0)
    frames = []
    for queue, language, queue_id in _queue_ids(shape):
        is_open = open_mask(grid, config.channel(queue_id), shape.timezone)
        share = queue.share * (queue.languages[language] if language else 1.0)
        shape_ = intraday * weekly * event * rng.lognormal(0.0, 0.1, len(grid)) * is_open * share
        frames.append(pd.DataFrame({"ds": grid, "queue": queue_id, "shape": shape_}))
    frame = pd.concat(frames, ignore_index=True)
    capacity = sum(agent.contract.max_hours_per_week for agent in team.agents)
    normal = frame[frame["ds"].dt.tz_convert(shape.timezone).dt.date != sale]
    normal_week = normal["shape"].sum() / (7 * weeks - 1) * 7
    scale = 0.92 * capacity / (normal_week * shape.interval / 60)
    frame["agents_required"] = np.round(frame["shape"] * scale, 2)
    frame["ds"] = frame["ds"].dt.tz_convert(shape.timezone)
    return frame.loc[:, ["ds", "queue", "agents_required"]]


def write_instance(name: str, folder: Path, seed: int = 1, weeks: int = 4) -> tuple[dt.date, int]:
    """``peakplan.toml``, ``team.toml`` and ``requirements.csv`` of team ``name`` in ``folder``; (start, days)."""
    shape = TEAMS[name]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "peakplan.toml").write_text(config_text(name, shape), encoding="utf-8")
    (folder / "team.toml").write_text(team_text(shape, seed), encoding="utf-8")
    config = load_config(folder / "peakplan.toml")
    frame = requirements_frame(config, shape, load_config_team(config), seed, weeks)
    frame.assign(ds=frame["ds"].map(lambda stamp: stamp.isoformat())).to_csv(folder / "requirements.csv", index=False)
    return shape.start, 7 * weeks


def load_instance(name: str, seed: int = 1, weeks: int = 4) -> tuple[Config, Team, pd.DataFrame, dt.date, int]:
    """(config, team, requirements, start, days) of team ``name``, read back as ``peakplan roster`` reads them."""
    with tempfile.TemporaryDirectory(prefix=f"unseen-{name}-") as folder:
        start, days = write_instance(name, Path(folder), seed, weeks)
        config = load_config(Path(folder) / "peakplan.toml")
        team = load_config_team(config)
        requirements = read_requirements(Path(folder) / "requirements.csv")
    return config, team, requirements, start, days


def describe(name: str) -> dict[str, object]:
    shape = TEAMS[name]
    return {"team": name, "agents": shape.agents, "grid": shape.interval, "summary": shape.summary}
