"""Head count of the example team, derived from the requirements of an ordinary week.

Run from the repository root (about half a minute: it forecasts the week)::

    .venv/bin/python examples/cashback/size_team.py [--week 2026-W48]

The rule (a planner's, not the solver's):

1. Requirements of an *ordinary* week: the forecast's ``baseline`` column (the
   week without its sale effects) through the staffing models.
2. Whole agents: a queue that is open needs a whole agent in each interval
   even when the workload is 0.4 of one (an agent serves one queue at a
   time), so the hours to staff are the sum over queue and interval of the
   requirement rounded up.
3. The team's contracts at their *minimum* weekly hours must give at least
   those hours: an ordinary week is covered without anyone working more
   than the minimum, and the band up to the contracts' maxima is the
   flexibility the roster moves onto a peak.

It prints the figures and the team file's minimum and maximum paid hours, and
exits 1 if the team file no longer meets the rule.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # run from a checkout without installing

from scheduler.config import load_config  # noqa: E402
from scheduler.pipeline import run_forecast  # noqa: E402
from scheduler.staffing.requirements import compute_requirements  # noqa: E402
from scheduler.tables import as_written  # noqa: E402
from scheduler.team import load_team  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--week", default="2026-W48", help="ISO week whose ordinary (baseline) demand sizes the team")
    args = parser.parse_args()
    year, week = args.week.split("-W")
    start = dt.date.fromisocalendar(int(year), int(week), 1)
    config = load_config(HERE / "peakplan.toml")
    team = load_team(config.team_file, config.queue_names, shifts=config.shift_names)
    forecast = run_forecast(config, start, 7).frame
    ordinary = as_written(compute_requirements(as_written(forecast.assign(yhat=forecast["baseline"])), config))
    hours = config.interval_minutes / 60
    required = float(ordinary["agents_required"].sum()) * hours
    whole = float(np.ceil(ordinary["agents_required"].to_numpy() - 1e-9).sum()) * hours
    low = sum(agent.contract.min_hours_per_week for agent in team.agents)
    high = sum(agent.contract.max_hours_per_week for agent in team.agents)
    full_time = max(agent.contract.min_hours_per_week for agent in team.agents)
    print(f"ordinary week from {start}: {required:,.1f} agent-hours required, {whole:,.1f} as whole agents per queue and interval")
    print(f"= {whole / full_time:.1f} agents at the full-time minimum of {full_time:g} h")
    print(f"team file: {len(team.agents)} agents, {low:,.0f} paid hours at the contracts' minimum, {high:,.0f} at their maximum")
    if low < whole:
        print(f"the team is {math.ceil((whole - low) / full_time)} full-time agent(s) short of the rule", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
