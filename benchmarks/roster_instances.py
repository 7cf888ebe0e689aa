"""Seeded generator of roster instances for the roster benchmark and tests.

Everything that shapes an instance comes from its seed, so the benchmark
measures the method on many teams rather than tuning it to one:

- **skills**: "mixed" (most agents know two or three queues) or "binding"
  (most know one, so who is rostered decides which queue is served);
- **contracts**: full-time, part-time and students (weekday afternoons only),
  a week of leave for some agents;
- **shift templates** (one of three sets): 8 h without lunch plus 4 h;
  8.5 h with a 30-minute lunch 3-5 h in plus 6 h; 9 h with an hour's lunch
  3-5 h in and two breaks plus 4 h with one break; half-hourly starts;
- **demand**: a daily curve with one or two peaks at seed-drawn hours, a
  weekly rhythm, noise, and a sale of 1-3 days at +50% to +150% somewhere in
  the horizon; scaled so a normal week needs about 95% of the team's paid
  hours at contract maximum (the peak cannot be covered: the case a support
  lead actually faces);
- 30-minute intervals, 11 h rest, ``min_agents = { chat = 2 }`` (one for the
  tiny teams of the tests: 14 agents cannot always keep two on chat 17 hours a day).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from forecasts.grid import interval_grid
from scheduler.config import Channel, Config, OpeningHours, RosterSettings, ShiftTemplate
from scheduler.staffing.requirements import open_mask
from scheduler.team import Agent, AvailabilityWindow, Contract, Team

TIMEZONE = "Europe/Berlin"
START = dt.date(2026, 11, 2)  # a Monday
QUEUES = ("chat", "email", "social")
SKILL_MIXES = {  # (share, channels)
    "mixed": (
        (0.45, ("chat", "email")),
        (0.20, ("chat", "email", "social")),
        (0.15, ("email", "social")),
        (0.20, ("chat",)),
    ),
    "binding": (
        (0.40, ("chat",)),
        (0.30, ("email",)),
        (0.10, ("social",)),
        (0.20, ("chat", "email", "social")),
    ),
}
FULL_TIME = Contract(name="full_time", min_hours_per_week=32, max_hours_per_week=40, max_shifts_per_week=5)
PART_TIME = Contract(name="part_time", min_hours_per_week=16, max_hours_per_week=24, max_shifts_per_week=4)
STUDENT = Contract(name="student", min_hours_per_week=16, max_hours_per_week=24, max_shifts_per_week=4)


def _starts(first: int, last: int) -> tuple[dt.time, ...]:
    """Half-hourly starts from ``first`` to ``last`` o'clock."""
    return tuple(dt.time(first + minutes // 60, minutes % 60) for minutes in range(0, (last - first) * 60 + 1, 30))


def shift_sets() -> dict[str, tuple[ShiftTemplate, ...]]:
    day = _starts(7, 17)
    return {
        "8h+4h": (
            ShiftTemplate(name="day", hours=8, starts=day),
            ShiftTemplate(name="half", hours=4, starts=day[::4] + (dt.time(19, 0),)),
        ),
        "8.5h lunch 30+6h": (
            ShiftTemplate(name="day", hours=8.5, starts=_starts(7, 15), lunch_minutes=30, lunch_after_hours=(3.0, 5.0)),
            ShiftTemplate(name="six", hours=6, starts=_starts(7, 18)[::2]),
        ),
        "9h lunch 60+4h": (
            ShiftTemplate(name="day", hours=9, starts=_starts(7, 15), lunch_minutes=60, lunch_after_hours=(3.0, 5.0), breaks=2),
            ShiftTemplate(name="half", hours=4, starts=_starts(7, 20)[::2], breaks=1),
        ),
    }


def describe(seed: int) -> dict[str, str]:
    """What the seed chose, for the benchmark table."""
    rng = np.random.default_rng([seed, 99])
    skills = "binding" if rng.random() < 0.5 else "mixed"
    shifts = list(shift_sets())[int(rng.integers(0, 3))]
    return {"skills": skills, "shifts": shifts}


def make_config(time_limit_seconds: float | None = 30.0, seed: int = 7, min_chat: int = 2) -> Config:
    """Channels open 07:00-24:00, the seed's shift templates, chat never below two agents."""
    return Config(
        team_name="Benchmark team",
        timezone=TIMEZONE,
        interval_minutes=30,
        shrinkage=0.25,
        max_occupancy=0.85,
        channels=(
            Channel(name="chat", model="erlang_c", aht_seconds=480, open=OpeningHours(open=dt.time(7), close=dt.time(0)), concurrency=2),
            Channel(name="email", model="deferred", aht_seconds=360, open=OpeningHours(open=dt.time(7), close=dt.time(0))),
            Channel(name="social", model="deferred", aht_seconds=300, open=OpeningHours(open=dt.time(7), close=dt.time(0))),
        ),
        roster=RosterSettings(
            min_rest_hours=11,
            max_consecutive_days=6,
            time_limit_seconds=time_limit_seconds,
            min_agents=(("chat", min_chat),),
            shifts=shift_sets()[describe(seed)["shifts"]],
        ),
    )


def make_team(agents: int, seed: int, weeks: int = 4) -> Team:
    rng = np.random.default_rng(seed)
    mix = SKILL_MIXES[describe(seed)["skills"]]
    members: list[Agent] = []
    shares = np.array([share for share, _ in mix])
    for index in range(agents):
        skills = mix[int(rng.choice(len(mix), p=shares / shares.sum()))][1]
        draw = rng.random()
        availability: tuple[AvailabilityWindow, ...] = ()
        if draw < 0.75:
            contract = FULL_TIME
        elif draw < 0.90:
            contract = PART_TIME
        else:
            contract = STUDENT
            availability = (
                AvailabilityWindow(weekdays=(0, 1, 2, 3, 4), start=dt.time(13), end=dt.time(0)),
                AvailabilityWindow(weekdays=(5, 6), start=dt.time(7), end=dt.time(0)),
            )
        time_off: tuple[dt.date, ...] = ()
        if rng.random() < 0.15:  # a week of leave somewhere in the horizon
            first = START + dt.timedelta(days=int(rng.integers(0, max(7 * weeks - 6, 1))))
            time_off = tuple(first + dt.timedelta(days=offset) for offset in range(5))
        members.append(
            Agent(
                id=f"b{index:04d}",
                name=f"Agent {index:04d}",
                email=f"agent{index:04d}@example.com",
                contract=contract,
                channels=skills,
                availability=availability,
                time_off=time_off,
            )
        )
    return Team(path=Path("<generated>"), contracts=(FULL_TIME, PART_TIME, STUDENT), agents=tuple(members))


def make_requirements(config: Config, team: Team, weeks: int, seed: int) -> pd.DataFrame:
    """Agents required per queue and interval, scaled to the team's paid capacity."""
    rng = np.random.default_rng(seed + 1)
    grid = interval_grid(START, 7 * weeks, config.timezone, config.interval_minutes)
    local = grid.tz_convert(config.timezone)
    hour = np.asarray(local.hour + local.minute / 60)
    weekday = np.asarray(local.day_of_week)
    dates = np.asarray(local.date)
    first_peak, second_peak = rng.uniform(10.0, 14.0), rng.uniform(17.0, 21.0)
    evening = rng.uniform(0.2, 1.0)
    intraday = np.exp(-(((hour - first_peak) / 3.5) ** 2)) + evening * np.exp(-(((hour - second_peak) / 2.5) ** 2))
    weekly = np.where(weekday >= 5, rng.uniform(0.5, 0.8), 1.0) * np.where(weekday == 0, 1.15, 1.0)
    sale_start = START + dt.timedelta(days=int(rng.integers(3, max(7 * weeks - 3, 4))))
    sale_days = {sale_start + dt.timedelta(days=n) for n in range(int(rng.integers(1, 4)))}
    uplift = rng.uniform(1.5, 2.5)
    event = np.where([day in sale_days for day in dates], uplift, 1.0)
    mix = {"chat": 0.5, "email": 0.35, "social": 0.15}
    frames = []
    for channel in config.channels:
        is_open = open_mask(grid, channel, config.timezone)
        shape = intraday * weekly * event * rng.lognormal(0.0, 0.08, len(grid)) * is_open
        frames.append(pd.DataFrame({"ds": grid, "queue": channel.name, "shape": shape * mix[channel.name]}))
    frame = pd.concat(frames, ignore_index=True)
    # Scale: a normal week's required agent-hours = 95% of the team's paid hours at contract max.
    capacity_hours = sum(agent.contract.max_hours_per_week for agent in team.agents)
    normal = frame[~frame["ds"].dt.tz_convert(config.timezone).dt.date.isin(sale_days)]
    normal_days = 7 * weeks - len({day for day in sale_days if day < START + dt.timedelta(days=7 * weeks)})
    normal_week_shape = normal["shape"].sum() / max(normal_days, 1) * 7
    per_interval_hours = config.interval_minutes / 60
    scale = 0.95 * capacity_hours / (normal_week_shape * per_interval_hours)
    frame["agents_required"] = np.round(frame["shape"] * scale, 2)
    return frame.loc[:, ["ds", "queue", "agents_required"]]


def make_instance(agents: int, weeks: int = 4, seed: int = 7, time_limit_seconds: float | None = 30.0):
    config = make_config(time_limit_seconds, seed, min_chat=2 if agents >= 40 else 1)
    team = make_team(agents, seed, weeks)
    requirements = make_requirements(config, team, weeks, seed)
    return config, team, requirements, START, 7 * weeks
