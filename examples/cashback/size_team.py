"""Head count of the example team, derived from the requirements of an ordinary week.

Run from the repository root (about half a minute: it forecasts the week)::

    .venv/bin/python examples/cashback/size_team.py [--week 2026-W48]

The rule (a planner's, not the solver's):

1. Requirements of an *ordinary* week: the forecast's ``baseline`` column (the
   week without its sale effects) through the staffing models, per queue
   (channel x language, ``[routing]``).
2. Whole agents where the customer waits: a live queue (chat) that is open
   needs a whole agent in each interval even when the workload is 0.4 of one
   (an agent serves one queue at a time), so its hours are the requirement
   rounded up per interval. Deferred work (email, social) can be batched
   within its target time, so it needs its required hours only.
3. The team's contracts at their *minimum* weekly hours must give at least
   those hours: an ordinary week is covered without anyone working more
   than the minimum, and the band up to the contracts' maxima is the
   flexibility the roster moves onto a peak.
4. The same per language: the queues only a group of speakers can serve
   (Spanish/Portuguese chat and email) need at most those speakers'
   minimum hours. A queue minimum (``roster.min_agents``) counts as staffed
   hours whenever the queue is open.

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
    need = ordinary["agents_required"].to_numpy()
    live = np.array([config.channel(queue).live for queue in ordinary["queue"]])
    minimum = dict(config.roster.min_agents)
    floor = np.array([minimum.get(queue, 0) for queue in ordinary["queue"]]) * ordinary["open"].to_numpy()
    ordinary["staff_hours"] = np.maximum(np.where(live, np.ceil(need - 1e-9), need), floor) * hours
    required = float(need.sum()) * hours
    staff = float(ordinary["staff_hours"].sum())
    low = sum(agent.contract.min_hours_per_week for agent in team.agents)
    high = sum(agent.contract.max_hours_per_week for agent in team.agents)
    full_time = max(agent.contract.min_hours_per_week for agent in team.agents)
    print(
        f"ordinary week from {start}: {required:,.1f} agent-hours required, {staff:,.1f} to staff "
        "(live queues as whole agents per interval, queue minimums)"
    )
    print(f"= {staff / full_time:.1f} agents at the full-time minimum of {full_time:g} h")
    print(
        f"team file: {len(team.agents)} agents, {low:,.0f} paid hours at the contracts' minimum, {high:,.0f} at their maximum"
    )
    short = low < staff
    per_queue = ordinary.groupby("queue", sort=True)["staff_hours"].sum()
    servers = {queue: {agent.id for agent in team.agents if queue in agent.channels} for queue in per_queue.index}
    hours_of = {agent.id: agent.contract.min_hours_per_week for agent in team.agents}
    for queue, own in per_queue.items():
        # The queues nobody outside this queue's speakers can serve must fit into their hours.
        bound = [other for other in per_queue.index if servers[other] <= servers[queue]]
        needed = float(per_queue[bound].sum())
        available = sum(hours_of[agent] for agent in servers[queue])
        print(
            f"  {queue}: {own:,.1f} h to staff; {len(servers[queue])} agents serve it, {available:,.0f} h at their "
            f"minimum for {needed:,.1f} h of the queues only they serve ({', '.join(bound)})"
        )
        short = short or available < needed
    if short:
        print("the team does not meet the rule (above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
