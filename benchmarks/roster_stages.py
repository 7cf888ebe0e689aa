"""Where a benchmark instance's roster cost goes, stage by stage.

Runs ``make_roster`` on one seeded instance (:mod:`benchmarks.roster_instances`,
automatic budget, as the roster benchmark does) and prints, with the process's
CPU seconds so far:

- the progress lines of the run (the descent's sweeps with its coverage cost:
  queues split freely per skill group, lunch where the descent placed it),
- after lunch and queue blocks and after the polish:
  the coverage cost of the plans as they stand plus their switches (the
  objective's coverage and switch terms; hours below target and the other
  personal terms are not in it),
- the written roster's objective, bound and gap.

So one run shows what holding the descent's roster to queue blocks costs and
what each later stage wins back. Objectives are deterministic; the CPU column
is the machine's.

Run with

    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.roster_stages --agents 100 --seed 3
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import numpy as np

import scheduler.rostering as rostering
from benchmarks.roster_instances import make_instance
from scheduler.rostering.coveragecost import CoverageCost
from scheduler.rostering.problem import RosterProblem
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan


def plans_cost(problem: RosterProblem, plans: dict[tuple[int, int], ShiftPlan]) -> int:
    """Coverage cost of ``plans`` over the grid (queue minimums' penalty included) plus their switches."""
    coverage = CoverageCost(problem)
    counts = np.zeros(problem.required.shape, dtype=np.int64)
    switches = 0
    for (_a, o), plan in plans.items():
        first = problem.options[o].first_interval
        queues = np.asarray(plan.queues)
        working = queues != LUNCH
        np.add.at(counts, (queues[working], first + np.nonzero(working)[0]), 1)
        worked = queues[working].tolist()
        switches += sum(1 for before, after in zip(worked, worked[1:], strict=False) if before != after)
    cover = int(np.where(coverage.is_open | (coverage.need > 0), coverage.cost(counts), 0).sum())
    return cover + problem.settings.switch_weight * switches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()
    began = time.process_time()

    def say(text: str) -> None:
        print(f"{time.process_time() - began:8.2f}  {text}", flush=True)

    def traced(name: str) -> Callable[..., Any]:
        stage = getattr(rostering, name)

        def run(problem: RosterProblem, *args: Any, **kwargs: Any) -> Any:
            result = stage(problem, *args, **kwargs)
            say(f"{name}: plans cost {plans_cost(problem, result.plans):,} ({result.seconds:.1f} s counted)")
            return result

        return run

    config, team, requirements, start, days = make_instance(
        args.agents, args.weeks, seed=args.seed, time_limit_seconds=None
    )
    with (
        mock.patch.object(rostering, "plan_activities", traced("plan_activities")),
        mock.patch.object(rostering, "polish", traced("polish")),
    ):
        result = rostering.make_roster(config, team, requirements, start, days, progress=say)
    say(f"written: objective {result.objective:,.0f}, bound {result.best_bound:,.0f}, gap {result.gap:.2%}")


if __name__ == "__main__":
    main()
