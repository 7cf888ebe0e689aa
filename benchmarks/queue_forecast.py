"""Small queues: top-down (channel forecast x learned share) against forecasting each queue alone.

    .venv/bin/python -m benchmarks.queue_forecast [--config examples/cashback/peakplan.toml]

Runs the config's channel backtest (every Monday origin, 7-day horizon), splits
it by the shares learned before each origin (what ``forecast backtest`` prints
per queue), and backtests the same model on each routed queue's own history
over the same origins. Prints interval and daily WAPE on normal days for both,
and the Poisson floor of the daily WAPE (``E|X - m| / m`` for a Poisson count
with the queue's mean daily volume): no forecast of the mean beats it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecasts.backtest import backtest
from scheduler.config import load_config
from scheduler.pipeline import load_events, model_options, queue_counts, read_history, run_backtest, run_queue_backtest

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "examples" / "cashback" / "peakplan.toml"


def poisson_floor(mean: float) -> float:
    """Expected |X - mean| / mean for X ~ Poisson(mean)."""
    values = np.arange(0, int(mean + 20 * math.sqrt(mean) + 20))
    pmf = np.exp(values * math.log(mean) - mean - np.array([math.lgamma(k + 1) for k in values]))
    return float((pmf * np.abs(values - mean)).sum() / mean)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    args = parser.parse_args()
    config = load_config(args.config)
    begin = time.perf_counter()
    channel = run_backtest(config, None, None)
    top_down = run_queue_backtest(config, channel)
    print(f"channel backtest and split: {time.perf_counter() - begin:.1f} s, {len(channel.origins)} origins")

    counts, _ = queue_counts(config)
    grid = read_history(config).frame
    frames = []
    for queue in sorted(top_down["queue"].unique()):
        cells = grid[grid["queue"] == config.routing.channel_of(queue)][["ds"]]
        own = cells.merge(counts[counts["queue"] == queue][["ds", "y"]], on="ds", how="left").fillna({"y": 0.0})
        frames.append(own.assign(queue=queue)[["ds", "queue", "y"]])
    history = pd.concat(frames, ignore_index=True)
    local = history["ds"].dt.tz_convert(config.timezone)
    events = load_events(config, local.min().date(), local.max().date() + dt.timedelta(days=8))
    begin = time.perf_counter()
    alone = backtest(history, events, origins=channel.origins, horizon_days=7, options=model_options(config))
    print(f"queues alone: {time.perf_counter() - begin:.1f} s")
    predictions = alone.predictions[alone.predictions["day_class"] == "normal"].copy()
    predictions["day"] = predictions["ds"].dt.tz_convert(config.timezone).dt.date
    print(f"{'queue':12s} {'share':>6s} {'top-down WAPE':>14s} {'alone':>7s} {'daily top-down':>15s} {'alone':>7s} {'Poisson floor':>14s}")
    for queue, part in predictions.groupby("queue", sort=True):
        daily = part.groupby(["origin", "day"])[["y", "yhat"]].sum()
        wape = float(np.abs(part["y"] - part["yhat"]).sum() / part["y"].sum())
        wape_daily = float(np.abs(daily["y"] - daily["yhat"]).sum() / daily["y"].sum())
        split = top_down[(top_down["queue"] == queue) & (top_down["days"] == "normal")].iloc[0]
        floor = poisson_floor(float(daily["y"].mean()))
        print(
            f"{queue:12s} {split['share']:6.1%} {split['wape']:14.1%} {wape:7.1%} {split['wape_daily']:15.1%} "
            f"{wape_daily:7.1%} {floor:14.1%}"
        )


if __name__ == "__main__":
    main()
