"""Is the gap the bound's? The agent-week bound next to the first relaxation and main's bound (issue 14).

Per instance and week: the bound's first relaxation (whole agents per queue,
:func:`~scheduler.rostering.aggregate.solve_aggregate` over the week's block)
and the agent-week bound (:mod:`scheduler.rostering.agent_bound`: each
class's week a convex mix of whole agent-weeks its rules allow, column
generation, proven at every round), with the rounds, columns and CPU it took;
then the weeks summed, next to main's objective and bound in budget (session
26's final benchmark, docs/roster.md "Performance"), and the gap against each.
Minutes of CPU per week at 100 agents, outside any budget.

    .venv/bin/python -m benchmarks.roster_agent_bound [--size 100] [--seeds 5 3 9] [--weeks 0 1 2 3] [--limit 600]
"""

from __future__ import annotations

import argparse
import time

WEEKS = 4  # the benchmark's instances' horizon (benchmarks.roster_bench)

# Main's figures (docs/roster.md "Performance", session 26's final run on 3aa4350): objective, bound in budget.
MAIN = {
    (100, 1): (172_581_008, 172_260_257),
    (100, 2): (118_049_935, 117_061_333),
    (100, 3): (10_703_987, 9_549_877),
    (100, 4): (43_575_912, 42_559_931),
    (100, 5): (77_765_398, 74_116_205),
    (100, 6): (121_436_666, 120_536_128),
    (100, 7): (135_383_960, 134_530_980),
    (100, 8): (107_179_808, 105_357_159),
    (100, 9): (52_443_148, 50_872_261),
    (100, 20): (146_436_102, 145_760_982),
    (500, 2): (588_429_684, 586_048_093),
    (500, 5): (433_089_399, 417_667_912),
}


def measure(size: int, seed: int, weeks: list[int], limit: float) -> None:
    from benchmarks.roster_bench import budget_for
    from benchmarks.roster_instances import make_instance
    from scheduler.rostering.agent_bound import solve_agent_week
    from scheduler.rostering.aggregate import solve_aggregate
    from scheduler.rostering.bound import week_blocks
    from scheduler.rostering.previous import apply_previous
    from scheduler.rostering.problem import build_problem

    config, team, requirements, start, days = make_instance(size, WEEKS, seed=seed, time_limit_seconds=budget_for(size))
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    blocks = week_blocks(problem)
    first_total = agent_total = 0.0
    for w in weeks:
        began = time.process_time()
        first = solve_aggregate(problem, whole_queues=True, block=blocks[w])
        first_cpu = time.process_time() - began
        found = solve_agent_week(problem, blocks[w], w, max_seconds=limit)
        first_total += first.bound
        agent_total += found.bound
        print(
            f"{size}/{seed} week {w}: first relaxation {first.bound:,.0f} ({first_cpu:.1f} s CPU); "
            f"agent-week {found.bound:,.0f} ({found.bound - first.bound:+,.0f}, "
            f"{'converged' if found.converged else 'stopped'}, last optimum {found.optimum:,.0f}, "
            f"{found.rounds} rounds, {found.columns} columns, {found.seconds:.1f} s CPU)",
            flush=True,
        )
    print(
        f"{size}/{seed} weeks {weeks}: first relaxation {first_total:,.0f}, agent-week {agent_total:,.0f}", flush=True
    )
    if (size, seed) in MAIN and len(weeks) == len(blocks):
        objective, bound = MAIN[size, seed]
        print(
            f"{size}/{seed}: objective {objective:,.0f}; main's bound {bound:,.0f} (gap {gap(objective, bound)}); "
            f"agent-week {agent_total:,.0f} (gap {gap(objective, agent_total)}); "
            f"the larger {max(bound, agent_total):,.0f} (gap {gap(objective, max(bound, agent_total))})",
            flush=True,
        )


def gap(objective: float, bound: float) -> str:
    return f"{(objective - bound) / objective:.2%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[5, 3, 9])
    parser.add_argument("--weeks", type=int, nargs="+", default=[0, 1, 2, 3], choices=range(WEEKS))
    parser.add_argument("--limit", type=float, default=600.0, help="CPU seconds per week before pricing stops")
    args = parser.parse_args()
    for seed in args.seeds:
        measure(args.size, seed, args.weeks, args.limit)


if __name__ == "__main__":
    main()
