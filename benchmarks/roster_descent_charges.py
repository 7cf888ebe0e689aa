"""The descent's counted budget against the CPU it uses: per seed, per kind of work.

The roster's budget is counted work calibrated to CPU seconds (so a roster is
the same on any machine); when the counts undercharge, the stage runs past its
share and the wall time past ``time_limit_seconds``. This runs the agent-by-agent
descent alone on the benchmark's 100-agent instances with a fixed limit and
prints, for the agent solves (their models' building included), the queue
rebalancing and the rest, the CPU used and the seconds charged, and what one
agent solve costs beyond CP-SAT's own deterministic time against the size of the
agent's model (its allowed shift options).

    .venv/bin/python -m benchmarks.roster_descent_charges [--seeds 1 2 3] [--limit 21] [--languages] [--weeks 1] [--agents 500]
    .venv/bin/python -m benchmarks.roster_descent_charges --teams chi100 ber100 [--limit 11]

``--languages`` runs the same seeds with queues by language (12 queues, dozens of
skill groups: :mod:`benchmarks.roster_language_instances`), where the queue
bookkeeping weighs most; ``--teams`` runs unseen teams instead
(:mod:`benchmarks.roster_unseen_instances`, seed 1). Each kind of work is timed apart (its own CPU, without
what it calls that is timed too).

Read it on a quiet machine: CPU seconds stretch with the load, the charges do not.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

import scheduler.rostering.charges as charges
import scheduler.rostering.descent as descent

_open_calls: list[list[Any]] = []  # per timed call in progress: [kind, CPU and charge of the timed calls inside]


def _timed(owner: type, name: str, totals: Counter, kind: str, charged: Callable[[Any], float]) -> None:
    """Wrap ``owner.name`` so that its own CPU and charge (without the timed calls inside) add up in ``totals``.

    ``kind`` names the counter it charges; a call inside of the same kind is
    subtracted from its charge too, one of another kind from its CPU only.
    """
    original = getattr(owner, name)

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        cpu, before = time.process_time(), charged(self)
        _open_calls.append([kind, 0.0, 0.0])
        try:
            return original(self, *args, **kwargs)
        finally:
            _kind, inner_cpu, inner_charged = _open_calls.pop()
            spent, charge = time.process_time() - cpu, charged(self) - before
            totals[f"{name} cpu"] += spent - inner_cpu
            totals[f"{name} charged"] += charge - inner_charged
            totals[f"{name} calls"] += 1
            if _open_calls:
                _open_calls[-1][1] += spent
                if _open_calls[-1][0] == kind:
                    _open_calls[-1][2] += charge

    setattr(owner, name, wrapper)


BOOKKEEPING = ("rebalance", "add", "remove", "gains", "reachable")


def measure(
    seed: int, limit: float, languages: bool = False, weeks: int = 4, agents: int = 100, team_name: str | None = None
) -> dict[str, float]:
    from benchmarks.roster_instances import make_instance
    from benchmarks.roster_language_instances import make_language_instance
    from benchmarks.roster_unseen_instances import load_instance
    from scheduler.rostering.previous import apply_previous
    from scheduler.rostering.problem import build_problem

    if team_name is not None:
        config, team, requirements, start, days = load_instance(team_name, seed, weeks)
    else:
        maker = make_language_instance if languages else make_instance
        config, team, requirements, start, days = maker(agents, weeks, seed=seed, time_limit_seconds=28)
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    totals: Counter = Counter()
    overheads: list[tuple[float, int]] = []  # per agent solve: CPU beyond CP-SAT's deterministic time, options
    solve = descent.AgentModels.best_shifts

    def best_shifts(self: Any, a: int, *args: Any, **kwargs: Any) -> Any:
        self.model(a)  # built (and charged) apart: the solve's own overhead is what is fitted
        cpu, before = time.process_time(), self.deterministic_time
        result = solve(self, a, *args, **kwargs)
        spent = time.process_time() - cpu
        own = self.deterministic_time - before - self.solve_overhead(a)
        overheads.append((spent - own, len(self.problem.allowed[a])))
        return result

    originals = {name: getattr(descent.CoverageCost, name) for name in BOOKKEEPING}
    descent.AgentModels.best_shifts = best_shifts  # type: ignore[method-assign]
    _timed(descent.AgentModels, "best_shifts", totals, "solve", lambda models: models.deterministic_time)
    for name in BOOKKEEPING:
        _timed(descent.CoverageCost, name, totals, "work", lambda cost: cost.work * charges.SECONDS_PER_WORK)
    try:
        cpu = time.process_time()
        result = descent.descend(problem, limit)
        cpu = time.process_time() - cpu
    finally:
        descent.AgentModels.best_shifts = solve  # type: ignore[method-assign]
        for name, method in originals.items():
            setattr(descent.CoverageCost, name, method)
    assert result is not None
    extra = np.array([o for o, _ in overheads])
    options = np.array([n for _, n in overheads], dtype=float)
    return {
        "cpu": cpu,
        "charged": result.seconds,
        "solves": totals["best_shifts calls"],
        "solve cpu": totals["best_shifts cpu"],
        "solve charged": totals["best_shifts charged"],
        **{f"{name} {what}": totals[f"{name} {what}"] for name in BOOKKEEPING for what in ("cpu", "charged")},
        "overhead per solve": float(extra.mean()),
        "overhead per option": float(extra.sum() / options.sum()),
        "options per solve": float(options.mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--limit", type=float, default=21.0, help="the descent's limit (28 s budget less the polish)")
    parser.add_argument("--languages", action="store_true", help="12 queues by language, dozens of skill groups")
    parser.add_argument("--weeks", type=int, default=4, help="the horizon (1: a weekly plan's smaller agent models)")
    parser.add_argument("--agents", type=int, default=100, help="the team's size (500: the large benchmark instance)")
    parser.add_argument("--teams", nargs="+", help="unseen teams (roster_unseen_instances, seed 1) instead of seeds")
    arguments = parser.parse_args()
    shape = "12 language queues" if arguments.languages else "3 queues"
    print(f"descent alone, {arguments.agents} agents, {arguments.weeks} week(s), {shape}, limit {arguments.limit:g} s; charge per solve "
          f"{charges.SOLVE_OVERHEAD:g} s + {charges.SOLVE_OVERHEAD_PER_OPTION:g} s per option + "
          f"{charges.SOLVE_DETERMINISTIC_FACTOR:g} x deterministic^{charges.SOLVE_DETERMINISTIC_POWER:g}, per unit of bookkeeping "
          f"{charges.SECONDS_PER_WORK:g} s")  # fmt: skip
    print("seed | CPU / charged | agent solves: n, CPU / charged | " + " | ".join(f"{name} CPU / charged" for name in BOOKKEEPING)
          + " | overhead per solve (per option, options)")  # fmt: skip
    runs = [(1, team) for team in arguments.teams] if arguments.teams else [(seed, None) for seed in arguments.seeds]
    for seed, team in runs:
        row = measure(seed, arguments.limit, arguments.languages, arguments.weeks, arguments.agents, team)
        bookkeeping = " | ".join(f"{row[f'{name} cpu']:.2f} / {row[f'{name} charged']:.2f} s" for name in BOOKKEEPING)
        print(
            f"{team or seed} | {row['cpu']:.2f} / {row['charged']:.2f} s | {row['solves']:.0f}, {row['solve cpu']:.2f} / "
            f"{row['solve charged']:.2f} s | {bookkeeping} | "
            f"{row['overhead per solve'] * 1000:.1f} ms ({row['overhead per option'] * 1e6:.1f} us, "
            f"{row['options per solve']:.0f})"
        )


if __name__ == "__main__":
    main()
