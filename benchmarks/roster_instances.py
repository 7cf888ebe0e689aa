"""Seeded generator of realistic roster instances for the roster benchmark.

An instance is a team (skills mix, full-time, part-time and student contracts,
afternoon-only availability, some time off), a config (30-minute intervals,
half-hourly shift starts, 11 h rest) and a requirements table over N weeks
with daily and weekly rhythm and a three-day +150% sale peak. Demand is scaled
to the team so that a normal week is covered at about 95% of capacity and the
peak cannot be: the case a support lead actually faces.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from forecasts.grid import interval_grid
from scheduler.config import Channel, Config, OpeningHours, RosterSettings, ShiftTemplate
from scheduler.staffing.requirements import open_mask
from scheduler.team import AvailabilityWindow, Agent, Contract, Team

TIMEZONE = "Europe/Berlin"
START = dt.date(2026, 11, 2)  # a Monday; the peak falls on Black Friday weekend 2026-11-27..29
QUEUES = ("chat", "email", "social")
SKILL_MIX = (  # (share, channels)
    (0.45, ("chat", "email")),
    (0.20, ("chat", "email", "social")),
    (0.15, ("email", "social")),
    (0.20, ("chat",)),
)
FULL_TIME = Contract(name="full_time", min_hours_per_week=32, max_hours_per_week=40, max_shifts_per_week=5)
PART_TIME = Contract(name="part_time", min_hours_per_week=16, max_hours_per_week=24, max_shifts_per_week=4)
STUDENT = Contract(name="student", min_hours_per_week=16, max_hours_per_week=24, max_shifts_per_week=4)


def make_config(time_limit_seconds: float = 30.0) -> Config:
    """Half-hourly starts 07:00-17:00 for 8 h shifts (21 starts), 4 h shifts for part-timers."""
    starts = tuple(dt.time(7 + minutes // 60, minutes % 60) for minutes in range(0, 10 * 60 + 1, 30))
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
            shifts=(
                ShiftTemplate(name="day", hours=8, starts=starts),
                ShiftTemplate(name="half", hours=4, starts=starts[::4] + (dt.time(19, 0),)),
            ),
        ),
    )


def make_team(agents: int, seed: int) -> Team:
    rng = np.random.default_rng(seed)
    members: list[Agent] = []
    shares = np.array([share for share, _ in SKILL_MIX])
    for index in range(agents):
        skills = SKILL_MIX[int(rng.choice(len(SKILL_MIX), p=shares / shares.sum()))][1]
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
            first = START + dt.timedelta(days=int(rng.integers(0, 21)))
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


def make_requirements(config: Config, team: Team, weeks: int, seed: int, peak: float = 2.5) -> pd.DataFrame:
    """Agents required per queue and interval, scaled to the team's paid capacity."""
    rng = np.random.default_rng(seed + 1)
    grid = interval_grid(START, 7 * weeks, config.timezone, config.interval_minutes)
    local = grid.tz_convert(config.timezone)
    hour = np.asarray(local.hour + local.minute / 60)
    weekday = np.asarray(local.day_of_week)
    dates = np.asarray(local.date)
    intraday = np.exp(-(((hour - 12.5) / 3.5) ** 2)) + 0.8 * np.exp(-(((hour - 20) / 2.5) ** 2))
    weekly = np.where(weekday >= 5, 0.65, 1.0) * np.where(weekday == 0, 1.15, 1.0)
    sale_days = {dt.date(2026, 11, 27), dt.date(2026, 11, 28), dt.date(2026, 11, 29)}
    event = np.where([day in sale_days for day in dates], peak, 1.0)
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
    normal_week_shape = normal["shape"].sum() / (7 * weeks - len(sale_days)) * 7
    per_interval_hours = config.interval_minutes / 60
    scale = 0.95 * capacity_hours / (normal_week_shape * per_interval_hours)
    frame["agents_required"] = np.round(frame["shape"] * scale, 2)
    return frame.loc[:, ["ds", "queue", "agents_required"]]


def make_instance(agents: int, weeks: int = 4, seed: int = 7, time_limit_seconds: float = 30.0):
    config = make_config(time_limit_seconds)
    team = make_team(agents, seed)
    requirements = make_requirements(config, team, weeks, seed)
    return config, team, requirements, START, 7 * weeks

