"""Roster benchmark: seeded instances (several per size), 30-minute intervals, 4-week horizons.

Each instance runs in its own process (so its peak memory is its own) with
the team's whole roster stage inside ``time_limit_seconds``. Printed per
instance, every figure from the roster written:

- hard-rule violations found by the independent checker (must be 0),
- the objective recomputed from the roster rows, and the lower bound proven
  within the budget; the gap between them, and the gap without the switch
  cost (no bound knows about switches: it is what coverage and the other
  soft rules leave open),
- an independent bound: the three relaxations solved to optimality outside
  the budget, and the gap to it; with ``--block-bound`` also the block-aware
  bound (multi-skilled agents split among whole-shift plans that keep the
  block and switch rules, :mod:`scheduler.rostering.plans`; minutes of CPU)
  and the gap of the whole objective to it,
- queue switches per shift, the shortest queue block, the time to the first
  roster: ``first`` the time until the run held a valid roster (every hard
  rule, queue minimums included; problem building counted), ``tiny`` the whole
  of ``make_roster`` with a budget of 0.01 s (first roster, one sweep of lunch
  and blocks, rows, score and check; checked too), the wall and CPU time of
  ``make_roster`` with the automatic budget a team that sets none gets
  (:mod:`scheduler.rostering.budget`: 25.2 s at 100 agents over 4 weeks, 100 s
  at 500; CPU of all its processes, and apart
  the roster process's and the lower bound's child process's, which runs
  beside the search on the second core for large teams: each has a budget of
  its own, so wall time on a quiet machine is about the larger), the process's peak memory and apart the child's
  (forked: the pages they share count in both).

``--loose-rules`` runs the same instances with the queue block and switch rules
loosened (:func:`loosened`: no shortest block, a switch every interval allowed
and free): the first relaxation and the independent bound
do not change (the span-plan relaxation, which knows blocks, may), and the
roster's gap then says what those hard rules cost against bounds that split
multi-skilled agents among queues interval by interval (session 23: 9 of seed 3's 12.16
points, docs/roster-history.md "The gap is the block rules' (session 23)").

The budget is counted work calibrated to CPU seconds on the 2-core benchmark
machine, so the CPU column tracks it whatever the load; wall time is CPU time
stretched by the machine's load (printed: the 1-minute load average before
and after each instance).

Run with

    .venv/bin/python -m benchmarks.roster_bench [--sizes 100 500] [--seeds 1 2 3 4 5 6 7 8 9 20] [--weeks 4] [--block-bound]
        [--loose-rules]

The default seeds draw every skill mix and shift set of
:mod:`benchmarks.roster_instances` (seeds 1-9: mixed skills with each of the three shift sets,
binding skills with the two lunch sets; seed 20: binding skills with 8-hour shifts), sales of one
to three days from +55% to +150%, on a weekday, a weekend or across a week's end. At 100 agents
an instance takes about a minute (the roster, the tiny run and the independent bound); at 500
about four.

Targets (issue 14, 2 cores): 0 violations; 100 agents within 1% of a proven
lower bound in at most 30 s; 500 agents within 2% in at most 120 s; a first
roster in under 5 s; at most one queue switch per shift on average.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from scheduler.config import Config
    from scheduler.team import Team

# Every skill mix and shift set the generator draws (describe(seed)); seed 20 is the first with
# binding skills and 8-hour shifts.
DEFAULT_SEEDS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 20)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def budget_for(size: int, weeks: int = 4) -> float:
    """The automatic budget a team of ``size`` agents gets over ``weeks`` weeks when it sets none."""
    from scheduler.rostering.budget import auto_time_limit

    return auto_time_limit(size, 7 * weeks)


def loosened(config: Config) -> Config:
    """``config`` with the queue block and switch rules loosened: no shortest block (one interval,
    or the 15 minutes a break leaves of it), a switch every interval allowed (a day holds at most
    24 x 60 / interval of them) and free."""
    roster = dataclasses.replace(
        config.roster,
        min_block_minutes=1,
        min_block_by_queue=(),
        max_switches_per_shift=24 * 60 // config.interval_minutes,
        switch_weight=0,
    )
    return dataclasses.replace(config, roster=roster)


def run(size: int, weeks: int, seed: int, block_bound: bool = False, loose: bool = False) -> dict[str, object]:
    from benchmarks.roster_instances import describe, make_instance

    # No time limit in the config: the automatic budget, as a team that sets none gets it.
    config, team, requirements, start, days = make_instance(size, weeks, seed=seed, time_limit_seconds=None)
    if loose:
        config = loosened(config)
    row = measure(config, team, requirements, start, days, block_bound=block_bound)
    return {"agents": size, "seed": seed, **describe(seed), **row}


def measure(
    config: Config,
    team: Team,
    requirements: pd.DataFrame,
    start: dt.date,
    days: int,
    *,
    independent: bool = True,
    block_bound: bool = False,
    tiny: bool = True,
) -> dict[str, object]:
    """The figures of one instance (the module docstring), every one from the roster written.

    ``independent``: also the three relaxations solved to optimality outside the budget;
    ``tiny``: also ``make_roster`` at a budget of 0.01 s first (the floor).
    """
    from scheduler.rostering import make_roster
    from scheduler.rostering.aggregate import solve_aggregate
    from scheduler.rostering.checker import find_violations
    from scheduler.rostering.previous import apply_previous
    from scheduler.rostering.problem import build_problem

    # The first roster: what make_roster returns with next to no budget (every stage at its minimum:
    # the descent's first pass, one sweep of lunch and blocks), checked like the real one.
    load_before = os.getloadavg()[0]
    tiny_s, tiny_objective, quick_violations = float("nan"), float("nan"), []
    if tiny:
        floor = dataclasses.replace(config, roster=dataclasses.replace(config.roster, time_limit_seconds=0.01))
        began = time.perf_counter()
        quick = make_roster(floor, team, requirements, start, days)
        tiny_s, tiny_objective = time.perf_counter() - began, quick.objective
        quick_violations = find_violations(quick.roster, team, config, start, days)
    began, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    result = make_roster(config, team, requirements, start, days)
    total, cpu = time.perf_counter() - began, time.process_time() - cpu
    bound_cpu = _children_cpu() - children  # the bound's child process (large teams), joined by make_roster
    load_after = os.getloadavg()[0]
    violations = find_violations(result.roster, team, config, start, days)
    # The roster's own peak, before the independent bounds (the block-aware one alone takes ~0.8 GB);
    # the bound's child's peak apart (forked: the pages it shares with this process count in both).
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    independent_bound = (
        max(
            solve_aggregate(problem, whole_agents=True).bound,
            solve_aggregate(problem).bound,
            solve_aggregate(problem, whole_queues=True).bound,
        )
        if independent
        else float("nan")
    )
    # The block-aware relaxation (multi-skilled agents split among whole-shift plans that keep the
    # block and switch rules, switches charged): the strongest, and far too slow for the budget.
    planned = solve_aggregate(problem, whole_queues=True, plans="exact").bound if block_bound else float("nan")
    switch_cost = sum(cost for rule, _subject, cost in result.violations if rule == "queue switch")
    without_switches = result.objective - switch_cost
    return {
        "budget": result.time_limit_seconds,
        "violations": len(violations),
        "objective": result.objective,
        "bound": result.best_bound,
        "bound_available": result.bound_available,
        "gap": result.gap,
        "gap_no_switch": max(0.0, (without_switches - result.best_bound) / without_switches)
        if without_switches > 0
        else 0.0,
        "independent_bound": independent_bound,
        "independent_gap": max(0.0, (without_switches - independent_bound) / without_switches)
        if without_switches > 0 and independent
        else 0.0,
        # The block-aware bound charges switches too, so its gap is against the whole objective.
        "planned_bound": planned,
        "planned_gap": max(0.0, (result.objective - planned) / result.objective)
        if block_bound and result.objective > 0
        else float("nan"),
        "switches_per_shift": result.queue_switches / max(result.shifts, 1),
        "shortest_block": result.shortest_block_minutes,
        "first_s": result.first_feasible_seconds,
        "tiny_s": tiny_s,
        "tiny_objective": tiny_objective,
        "first_violations": len(quick_violations),
        "total_s": total,
        "cpu_s": cpu + bound_cpu,
        "roster_cpu_s": cpu,  # this process alone: the search and the rows (its budget: time_limit_seconds)
        "bound_cpu_s": bound_cpu,
        "load": f"{load_before:.1f}/{load_after:.1f}",
        "peak_mb": peak_mb,
        "child_peak_mb": child_peak_mb,
        "first_violation": violations[0] if violations else "",
    }


HEADER = (
    f"{'agents':>6} {'seed':>4} {'skills':>7} {'shifts':>16} {'budget':>6} {'viol':>4} {'objective':>13} {'bound':>13} "
    f"{'gap':>7} {'gap-sw':>7} {'indep.bound':>13} {'gap-ind':>7} {'block bound':>13} {'gap-blk':>7} {'sw/shift':>8} {'min blk':>7} {'first s':>7} "
    f"{'tiny s':>7} {'wall s':>7} {'cpu s':>7} {'rst cpu':>7} {'bnd cpu':>7} {'peak MB':>7} {'bnd MB':>7} {'load':>9}"
)


def line(row: dict[str, object]) -> str:
    bound = f"{row['bound']:>13,.0f}" if row["bound_available"] else f"{'n/a':>13}"
    return (
        f"{row['agents']:>6} {row['seed']:>4} {row['skills']:>7} {row['shifts']:>16} {row['budget']:>6g} {row['violations']:>4} "
        f"{row['objective']:>13,.0f} {bound} {row['gap']:>7.2%} {row['gap_no_switch']:>7.2%} "
        f"{row['independent_bound']:>13,.0f} {row['independent_gap']:>7.2%} "
        f"{row['planned_bound']:>13,.0f} {row['planned_gap']:>7.2%} {row['switches_per_shift']:>8.2f} "
        f"{row['shortest_block']:>7g} {row['first_s']:>7.1f} {row['tiny_s']:>7.1f} {row['total_s']:>7.1f} "
        f"{row['cpu_s']:>7.1f} {row['roster_cpu_s']:>7.1f} {row['bound_cpu_s']:>7.1f} {row['peak_mb']:>7.0f} {row['child_peak_mb']:>7.0f} {row['load']:>9}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument(
        "--block-bound",
        action="store_true",
        help="also the block-aware bound (minutes of CPU and ~1 GB per instance, outside the budget)",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="also print the instances as the Markdown table of docs/roster.md at the end",
    )
    parser.add_argument(
        "--loose-rules",
        action="store_true",
        help="the queue block and switch rules loosened (what they cost the gap; the independent bound does not change)",
    )
    parser.add_argument("--one", type=int, nargs=2, metavar=("SIZE", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run(args.one[0], args.weeks, args.one[1], args.block_bound, args.loose_rules)))
        return
    print(HEADER, flush=True)
    rows: list[dict[str, object]] = []
    for size in args.sizes:
        for seed in args.seeds:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.roster_bench",
                    "--one",
                    str(size),
                    str(seed),
                    "--weeks",
                    str(args.weeks),
                    *(["--block-bound"] if args.block_bound else []),
                    *(["--loose-rules"] if args.loose_rules else []),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:  # measured, not hidden: this instance found no roster
                print(f"{size:>6} {seed:>4}  failed: {done.stderr.strip().splitlines()[-1:]}", flush=True)
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(line(row), flush=True)
            if row["first_violations"]:
                print(f"       first roster: {row['first_violations']} violations", flush=True)
            if row["first_violation"]:
                print(f"       first violation: {row['first_violation']}", flush=True)
    if args.markdown:
        print()
        print(MARKDOWN_HEADER)
        for row in rows:
            print(markdown_line(row))


MARKDOWN_HEADER = (
    "| agents | seed | skills, shifts | viol | objective | bound in budget | gap | independent bound | sw/shift "
    "| min block | first | tiny | wall | CPU roster / bound child | peak MB roster / child |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def markdown_line(row: dict[str, object]) -> str:
    """One instance as a row of the docs' table; gaps within the issue's targets in bold."""
    target = 0.01 if int(str(row["agents"])) <= 100 else 0.02
    gap = f"{row['gap']:.2%}"
    if float(str(row["gap"])) <= target:
        gap = f"**{gap}**"
    bound = f"{row['bound']:,.0f}" if row["bound_available"] else "n/a"
    return (
        f"| {row['agents']} | {row['seed']} | {row['skills']}, {row['shifts']} | {row['violations']} "
        f"| {row['objective']:,.0f} | {bound} | {gap} | {row['independent_bound']:,.0f} "
        f"| {row['switches_per_shift']:.2f} | {row['shortest_block']:g} min | {row['first_s']:.1f} s "
        f"| {row['tiny_s']:.1f} s | {row['total_s']:.1f} s | {row['roster_cpu_s']:.1f} / {row['bound_cpu_s']:.1f} s "
        f"| {row['peak_mb']:.0f} / {row['child_peak_mb']:.0f} |"
    )


if __name__ == "__main__":
    main()
