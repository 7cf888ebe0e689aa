"""Answer times of a plan folder: computing time and the agreement with a ticket simulation.

    .venv/bin/python -m benchmarks.answer_times OUT_DIR --config C.toml [--weeks 60]

OUT_DIR is the output of ``peakplan plan``. Prints the seconds to compute
``response_times.csv`` for every deferred queue (best of 3), then per queue and
local day: simulated tickets' mean first-response minutes (discrete events,
:mod:`scheduler.staffing.answer_check`), the CSV's volume-weighted expected
minutes, their relative difference, and the share of simulated tickets
answered by the CSV's P80; finally the median absolute difference on normal
days (no event in the forecast's ``events``), the tests' target being 10%.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from scheduler.config import load_config
from scheduler.staffing.answer_check import simulated_days
from scheduler.staffing.answer_feed import plan_answer_inputs, read_plan_tables
from scheduler.staffing.response_times import response_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--weeks", type=int, default=60)
    args = parser.parse_args()
    config = load_config(args.config)
    forecast, requirements, roster = read_plan_tables(args.out_dir)
    best = float("inf")
    for _ in range(3):
        begin = time.perf_counter()
        queues = plan_answer_inputs(config, forecast, requirements, roster)
        times = response_times(queues)
        best = min(best, time.perf_counter() - begin)
    print(f"response times for {len(queues)} deferred queue(s), {len(times)} rows: {best:.2f} s (best of 3)")
    events = forecast.assign(events=forecast.get("events", "").astype(str).replace("nan", ""))
    frames = []
    for queue in queues:
        days = simulated_days(queue, times[times["queue"] == queue.queue], weeks=args.weeks)
        marks = events[events["queue"] == queue.queue].sort_values("ds")["events"].to_numpy()
        normal = pd.Series(marks == "").groupby(queue.day).all().to_numpy()
        frames.append(days.assign(normal=normal))
    table = pd.concat(frames, ignore_index=True)
    table["day"] = table["day"].dt.tz_convert(config.timezone).dt.strftime("%a %d %b")
    with pd.option_context("display.width", 160, "display.max_rows", 200):
        print(table.round({"simulated_minutes": 1, "csv_minutes": 1, "difference": 3, "p80_met": 3}).to_string(index=False))
    normal = table[table["normal"]].dropna(subset=["difference"])
    print(
        f"normal days compared: {len(normal)}; median |difference| {normal['difference'].abs().median():.1%}; "
        f"max {normal['difference'].abs().max():.1%}; tickets answered by the P80: "
        f"{(normal['p80_met'] * normal['tickets']).sum() / normal['tickets'].sum():.1%}"
    )


if __name__ == "__main__":
    main()
