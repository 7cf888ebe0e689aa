"""Roster benchmark on teams unlike the benchmark's own (issue 14's figures "on freshly generated instances").

The teams of :mod:`benchmarks.roster_unseen_instances` (a DST change inside
the 4 weeks, queues by language, a queue open around the clock with night
shifts, 15-, 30- and 60-minute grids, days off in pairs, preferences,
secondary languages; 30-300 agents), written as a user writes them and read
back through the project's loaders, each rostered in its own process with
the automatic budget. Printed per team, every figure from the roster written
and measured as :func:`benchmarks.roster_bench.measure` measures the
benchmark's instances: hard rules broken (the independent checker), the
objective of the roster, the bound proven within the budget and the gap
(``n/a`` / ``unknown`` when no bound was proven), switches per shift, the
shortest queue block, the first roster, wall and CPU time (the roster process
and the bound's child), peak memory.

Run with

    .venv/bin/python -m benchmarks.roster_unseen [--teams ny30 ber100 chi100 lon60 syd300] [--seed 1] [--independent]
        [--patterns]

About 6 minutes for the five default teams on 2 cores (300 agents: two of
them). ``--independent`` adds the relaxations solved to optimality outside the
budget (minutes more on the 15-minute grid). ``--patterns`` adds the day-pattern
relaxation (:mod:`scheduler.rostering.daypatterns`: the whole horizon, each
class's worked days a mix of day patterns its rules allow; minutes of CPU a
team) and the gap to it: the budget's bound does not know that days off in
pairs, short runs of days and the weekend cap bind across weeks, and on these
teams that is most of the printed gap (docs/roster-history.md, "Unseen teams,
diagnosed (session 15)"). ``--write DIR`` leaves each team's
``peakplan.toml``, ``team.toml`` and ``requirements.csv`` in ``DIR/<team>``
instead, for ``peakplan roster``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.roster_unseen_instances import DEFAULT_TEAMS, TEAMS

if TYPE_CHECKING:
    import pandas as pd

    from scheduler.config import Config
    from scheduler.team import Team

HEADER = (
    f"{'team':>7} {'agents':>6} {'grid':>4} {'budget':>6} {'viol':>4} {'objective':>13} {'bound':>13} {'gap':>7} "
    f"{'indep.bound':>13} {'sw/shift':>8} {'min blk':>7} {'first s':>7} {'wall s':>7} {'cpu s':>7} {'rst cpu':>7} "
    f"{'bnd cpu':>7} {'peak MB':>7} {'bnd MB':>7} {'load':>9}"
)


def run(name: str, seed: int, independent: bool, patterns: bool = False) -> dict[str, object]:
    from benchmarks.roster_bench import measure
    from benchmarks.roster_unseen_instances import describe, load_instance

    config, team, requirements, start, days = load_instance(name, seed)
    row = measure(config, team, requirements, start, days, independent=independent, tiny=False)
    if patterns:
        row.update(pattern_bound(config, team, requirements, start, days, float(row["objective"])))  # type: ignore[arg-type]
    return {**describe(name), "seed": seed, **row}


def pattern_bound(
    config: Config, team: Team, requirements: pd.DataFrame, start: dt.date, days: int, objective: float
) -> dict[str, float]:
    """The day-pattern relaxation (:mod:`scheduler.rostering.daypatterns`), outside the budget, and the gap to it."""
    from scheduler.rostering.aggregate import solve_aggregate
    from scheduler.rostering.previous import apply_previous
    from scheduler.rostering.problem import build_problem

    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    began = time.process_time()
    bound = solve_aggregate(problem, whole_queues=True, day_patterns=True).bound
    return {
        "pattern_bound": bound,
        "pattern_gap": max(0.0, (objective - bound) / objective) if objective > 0 else 0.0,
        "pattern_cpu_s": time.process_time() - began,
    }


def line(row: dict[str, object]) -> str:
    proven = bool(row["bound_available"])
    bound = f"{row['bound']:>13,.0f}" if proven else f"{'n/a':>13}"
    gap = f"{row['gap']:>7.2%}" if proven else f"{'unknown':>7}"
    return (
        f"{row['team']:>7} {row['agents']:>6} {row['grid']:>4} {row['budget']:>6g} {row['violations']:>4} "
        f"{row['objective']:>13,.0f} {bound} {gap} {row['independent_bound']:>13,.0f} "
        f"{row['switches_per_shift']:>8.2f} {row['shortest_block']:>7g} {row['first_s']:>7.1f} {row['total_s']:>7.1f} "
        f"{row['cpu_s']:>7.1f} {row['roster_cpu_s']:>7.1f} {row['bound_cpu_s']:>7.1f} {row['peak_mb']:>7.0f} "
        f"{row['child_peak_mb']:>7.0f} {row['load']:>9}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teams", nargs="+", default=list(DEFAULT_TEAMS), choices=sorted(TEAMS))
    parser.add_argument("--seed", type=int, default=1, help="draws the agents, their rules and the demand")
    parser.add_argument("--independent", action="store_true", help="also the relaxations solved outside the budget")
    parser.add_argument(
        "--patterns", action="store_true", help="also the day-pattern relaxation outside the budget (minutes a team)"
    )
    parser.add_argument("--write", type=Path, metavar="DIR", help="write each team's files to DIR/<team> and stop")
    parser.add_argument("--one", metavar="TEAM", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run(args.one, args.seed, args.independent, args.patterns)))
        return
    if args.write:
        from benchmarks.roster_unseen_instances import write_instance

        for name in args.teams:
            start, days = write_instance(name, args.write / name, args.seed)
            print(f"{args.write / name}: --start {start} --days {days}  ({TEAMS[name].summary})")
        return
    print(HEADER, flush=True)
    for name in args.teams:
        command = [sys.executable, "-m", "benchmarks.roster_unseen", "--one", name, "--seed", str(args.seed)]
        flags = [*(["--independent"] if args.independent else []), *(["--patterns"] if args.patterns else [])]
        done = subprocess.run([*command, *flags], capture_output=True, text=True, check=False)
        if done.returncode:  # measured, not hidden: this team got no roster
            print(f"{name:>7}  failed: {done.stderr.strip().splitlines()[-1:]}", flush=True)
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(line(row), flush=True)
        if "pattern_bound" in row:
            print(
                f"        day-pattern bound {row['pattern_bound']:,.0f}, gap {row['pattern_gap']:.2%} "
                f"({row['pattern_cpu_s']:.0f} s of CPU outside the budget)",
                flush=True,
            )
        if row["first_violation"]:
            print(f"        first violation: {row['first_violation']}", flush=True)


if __name__ == "__main__":
    main()
