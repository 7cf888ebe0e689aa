"""Tiny hand-made configs and forecasts for the staffing tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from forecasts.grid import interval_grid
from scheduler.config import Channel, Config, OpeningHours, RosterSettings, ShiftTemplate

DAY = dt.date(2026, 11, 23)  # a Monday


def channel(name: str, model: str, **kwargs: object) -> Channel:
    defaults: dict[str, object] = {"aht_seconds": 360.0, "open": OpeningHours(open=dt.time(9), close=dt.time(17))}
    defaults.update(kwargs)
    return Channel(name=name, model=model, **defaults)  # type: ignore[arg-type]


def make_config(
    *channels: Channel, tz: str = "UTC", shrinkage: float = 0.25, max_occupancy: float = 0.85, interval: int = 60
) -> Config:
    return Config(
        path=Path("peakplan.toml"),  # named in error messages the tests check
        team_name="T",
        timezone=tz,
        interval_minutes=interval,
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
        channels=tuple(sorted(channels, key=lambda item: item.name)),
        roster=RosterSettings(shifts=(ShiftTemplate(name="day", hours=8, starts=(dt.time(9),)),)),
    )


def make_forecast(config: Config, volumes: dict[str, list[float]], days: int = 1, start: dt.date = DAY) -> pd.DataFrame:
    grid = interval_grid(start, days, config.timezone, config.interval_minutes)
    return pd.concat(
        [pd.DataFrame({"ds": grid, "queue": queue, "yhat": values}) for queue, values in volumes.items()],
        ignore_index=True,
    )


def hours(values: dict[int, float], length: int = 24) -> list[float]:
    """A day of hourly volumes: zero except ``{hour: volume}``."""
    return [float(values.get(hour, 0.0)) for hour in range(length)]
