"""Staffing benchmark: a year of 15-minute intervals x 3 queues through the staffing models.

    .venv/bin/python -m benchmarks.staffing_bench [--repeat 3]

Target (issue 4): requirements for a year of 15-minute intervals and three
queues (chat on Erlang C with concurrency 2, email and social on the deferred
backlog model) in under 1 s. Also timed: the same with chat on Erlang A, and
the inverse (service level, ASA and backlog of a given staffing). The volumes
are seeded: daily and weekly rhythm, Poisson noise and a +200% Black Friday.
Prints the best of ``--repeat`` runs; exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import platform
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from forecasts.grid import interval_grid
from scheduler.config import Channel, Config, OpeningHours, RosterSettings, ShiftTemplate
from scheduler.staffing.requirements import compute_requirements, evaluate_staffing

TARGET_SECONDS = 1.0
TIMEZONE = "Europe/Moscow"
START = dt.date(2026, 1, 1)
DAYS = 365
DAILY_CONTACTS = {"chat": 1_500.0, "email": 600.0, "social": 200.0}


def make_config(chat_model: str = "erlang_c") -> Config:
    chat = Channel(
        name="chat",
        model=chat_model,
        aht_seconds=400.0,
        open=OpeningHours(open=dt.time(8), close=dt.time(0)),
        concurrency=2,
        concurrency_aht_growth=0.2,
        service_level=0.8,
        target_seconds=30.0,
        patience_seconds=180.0 if chat_model == "erlang_a" else None,
    )
    email = Channel(
        name="email",
        model="deferred",
        aht_seconds=360.0,
        open=OpeningHours(open=dt.time(9), close=dt.time(21)),
        open_days=(0, 1, 2, 3, 4),
        service_level=0.9,
        target_hours=4.0,
    )
    social = Channel(
        name="social",
        model="deferred",
        aht_seconds=300.0,
        open=OpeningHours(open=dt.time(9), close=dt.time(21)),
        target_hours=2.0,
    )
    return Config(
        team_name="Benchmark",
        timezone=TIMEZONE,
        interval_minutes=15,
        shrinkage=0.3,
        max_occupancy=0.85,
        channels=(chat, email, social),
        roster=RosterSettings(shifts=(ShiftTemplate(name="day", hours=8, starts=(dt.time(9),)),)),
    )


def make_forecast(seed: int = 7) -> pd.DataFrame:
    """A year of 15-minute volumes per queue with daily and weekly rhythm and a Black Friday peak."""
    grid = interval_grid(START, DAYS, TIMEZONE, 15)
    local = grid.tz_convert(TIMEZONE)
    hour = np.asarray(local.hour + local.minute / 60)
    weekday = np.asarray(local.day_of_week)
    rhythm = np.exp(-(((hour - 14.0) / 5.0) ** 2)) + 0.05
    rhythm /= rhythm.sum() / len(grid) * 96  # mean 1/96 of a day per interval
    weekly = np.where(weekday >= 5, 0.7, 1.0)
    days = np.asarray([(day - START).days for day in local.date])
    black_friday = (days >= (dt.date(2026, 11, 27) - START).days) & (days < (dt.date(2026, 11, 30) - START).days)
    rng = np.random.default_rng(seed)
    frames = []
    for queue, daily in DAILY_CONTACTS.items():
        mean = daily * rhythm * weekly * np.where(black_friday, 3.0, 1.0)
        frames.append(pd.DataFrame({"ds": grid, "queue": queue, "yhat": rng.poisson(mean).astype(float)}))
    return pd.concat(frames, ignore_index=True)


def best_of(repeat: int, work: Callable[[], pd.DataFrame]) -> tuple[float, pd.DataFrame]:
    times, result = [], pd.DataFrame()
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is printed")
    args = parser.parse_args()
    forecast = make_forecast()
    intervals = forecast.groupby("queue").size().iloc[0]
    print(
        f"{DAYS} days x {intervals // DAYS} intervals/day x {forecast['queue'].nunique()} queues = {len(forecast):,} rows "
        f"(Python {platform.python_version()}, {platform.machine()})"
    )

    config = make_config("erlang_c")
    seconds, requirements = best_of(args.repeat, lambda: compute_requirements(forecast, config))
    verdict = "OK" if seconds < TARGET_SECONDS else "MISSED"
    print(f"requirements, chat Erlang C + email/social backlog: {seconds:.3f} s  (target < {TARGET_SECONDS:.0f} s: {verdict})")

    config_a = dataclasses.replace(config, channels=make_config("erlang_a").channels)
    seconds_a, requirements_a = best_of(args.repeat, lambda: compute_requirements(forecast, config_a))
    print(f"requirements, chat Erlang A (patience 180 s):       {seconds_a:.3f} s")

    staffing = requirements.loc[:, ["ds", "queue"]].assign(agents_scheduled=np.floor(requirements["agents_required"] * 0.9))
    seconds_e, evaluation = best_of(args.repeat, lambda: evaluate_staffing(forecast, staffing, config))
    print(f"evaluate a staffing (10% short), Erlang C + backlog: {seconds_e:.3f} s")

    for name, frame in (("requirements", requirements), ("requirements (Erlang A)", requirements_a), ("evaluation", evaluation)):
        numbers = frame.select_dtypes("number").to_numpy()
        assert np.isfinite(numbers).all(), f"{name}: NaN or inf in the output"
    hours = 0.25
    print(
        "year totals: "
        + ", ".join(
            f"{queue} {part['agents_required'].sum() * hours:,.0f} agent-h"
            for queue, part in requirements.groupby("queue", sort=True)
        )
    )
    return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
