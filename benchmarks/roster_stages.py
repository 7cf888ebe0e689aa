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
- the written roster's objective, bound and gap,
- a table of counted seconds against CPU seconds per stage (the shift stage,
  lunch and blocks, the polish, the build, rows, score and check) and, inside the
  stages, per kind of work (agent solves, the descent's and the polish's whole
  days, the polish's plan valuations and block losses; "rest": the counted
  bookkeeping and whatever is not metered apart), with the budget left unused.

So one run shows what holding the descent's roster to queue blocks costs and
what each later stage wins back. Objectives are deterministic; the CPU column
is the machine's.

Run with

    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.roster_stages --agents 100 --seed 3

or, on one of the teams unlike the benchmark's (:mod:`benchmarks.roster_unseen_instances`,
its seed 1 unless ``--seed`` says otherwise; ``--agents`` and ``--weeks`` are the team's own),

    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.roster_stages --team ber100
"""

from __future__ import annotations

import argparse
import csv
import importlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

import numpy as np
from ortools.linear_solver import pywraplp

import scheduler.rostering as rostering
from benchmarks.roster_instances import make_instance
from benchmarks.roster_unseen_instances import TEAMS, load_instance
from scheduler.rostering.agentmodels import AgentModels
from scheduler.rostering.coveragecost import CoverageCost
from scheduler.rostering.dayblocks import BlockDays
from scheduler.rostering.days import DayMoves
from scheduler.rostering.freedays import FreeDays
from scheduler.rostering.problem import RosterProblem
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan
from scheduler.rostering.solve import final_seconds

# (``scheduler.rostering.polish`` the attribute is the function: the module by its name)
polish_module = importlib.import_module("scheduler.rostering.polish")


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


class Meter:
    """Counted and CPU seconds per stage and, inside it, per kind of work.

    A stage is a call of ``make_roster``'s own (its counted seconds: what it returns);
    a part is a method whose charge is the change of a counter on its object (or
    what it returns), booked under the stage running it. Parts do not nest.
    """

    def __init__(self) -> None:
        self.stage = "build"
        self.counted: dict[tuple[str, str], float] = defaultdict(float)
        self.cpu: dict[tuple[str, str], float] = defaultdict(float)
        self.calls: dict[tuple[str, str], int] = defaultdict(int)
        self.inside = False

    @contextmanager
    def stage_of(self, name: str) -> Iterator[None]:
        before, self.stage = self.stage, name
        began = time.process_time()
        try:
            yield
        finally:
            self.cpu[name, ""] += time.process_time() - began
            self.calls[name, ""] += 1
            self.stage = before

    def part(self, name: str, method: Callable[..., Any], counter: Callable[[Any, Any], float]) -> Callable[..., Any]:
        """``method`` metered as ``name``; ``counter(self_or_none, result)`` reads the charge so far."""

        def run(*args: Any, **kwargs: Any) -> Any:
            if self.inside:
                return method(*args, **kwargs)
            owner = args[0] if args else None
            before = counter(owner, None)
            self.inside = True
            began = time.process_time()
            try:
                result = method(*args, **kwargs)
            finally:
                self.inside = False
            key = (self.stage, name)
            self.cpu[key] += time.process_time() - began
            self.counted[key] += counter(owner, result) - before
            self.calls[key] += 1
            return result

        return run

    def report(self, say: Callable[[str], None], budget: float) -> None:
        def row(label: str, calls: object, counted: float, cpu: float) -> None:
            say(f"{label:<34}{calls!s:>8}{counted:>10.2f}{cpu:>9.2f}{cpu / max(counted, 1e-9):>13.2f}")

        say(f"{'stage / part':<34}{'calls':>8}{'counted':>10}{'CPU':>9}{'CPU/counted':>13}")
        stages = list(dict.fromkeys(name for name, part in self.counted if not part))
        for name in stages:
            counted, cpu = self.counted[name, ""], self.cpu[name, ""]
            row(name, self.calls[name, ""], counted, cpu)
            parts = [part for stage, part in self.counted if stage == name and part]
            for part in parts:
                key = (name, part)
                counted -= self.counted[key]
                cpu -= self.cpu[key]
                row(f"  {part}", self.calls[key], self.counted[key], self.cpu[key])
            if parts:
                row("  rest", "", counted, cpu)
        total_counted = sum(self.counted[name, ""] for name in stages)
        row("all stages", "", total_counted, sum(self.cpu[name, ""] for name in stages))
        say(f"budget {budget:.2f} counted: {budget - total_counted:.2f} left unused")


class Programs:
    """Every linear program and program in whole numbers solved in this process (``--programs``): size, work, CPU.

    What the LP and MIP charges (:mod:`scheduler.rostering.days`, :mod:`scheduler.rostering.freedays`)
    are fitted on: the solver's load and solve CPU against its rows, columns, nonzeros,
    iterations and nodes, by the stage that ran it.
    """

    FIELDS = ("stage", "solver", "rows", "columns", "nonzeros", "iterations", "nodes", "load_cpu", "solve_cpu")

    def __init__(self, meter: Meter) -> None:
        self.meter = meter
        self.rows: list[dict[str, object]] = []
        self.loaded: dict[int, tuple[int, float]] = {}  # id(solver) -> (nonzeros, load CPU)

    def load(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def run(solver: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            result = method(solver, model, *args, **kwargs)
            nonzeros = sum(len(row.var_index) for row in model.constraint)
            self.loaded[id(solver)] = (nonzeros, time.process_time() - began)
            return result

        return run

    def solve(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def run(solver: Any, *args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            status = method(solver, *args, **kwargs)
            cpu = time.process_time() - began
            nonzeros, load_cpu = self.loaded.pop(id(solver), (-1, 0.0))
            name = solver.SolverVersion().split()[0]
            self.rows.append(
                {
                    "stage": self.meter.stage,
                    "solver": name,
                    "rows": solver.NumConstraints(),
                    "columns": solver.NumVariables(),
                    "nonzeros": nonzeros,
                    "iterations": solver.iterations(),
                    "nodes": solver.nodes() if name == "SCIP" else 0,  # (GLOP logs an error when asked)
                    "load_cpu": round(load_cpu, 6),
                    "solve_cpu": round(cpu, 6),
                }
            )
            return status

        return run

    def write(self, path: str) -> None:
        with open(path, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=self.FIELDS)
            writer.writeheader()
            writer.writerows(self.rows)


def instance(team: str | None, agents: int, weeks: int, seed: int | None) -> tuple[Any, Any, Any, Any, int]:
    """(config, team, requirements, start, days): an unseen ``team`` (seed 1 by default) or a benchmark instance."""
    if team is not None:
        return load_instance(team, 1 if seed is None else seed, weeks)
    return make_instance(agents, weeks, seed=3 if seed is None else seed, time_limit_seconds=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--seed", type=int, help="the instance's seed (default 3; a --team's: 1)")
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--team", choices=sorted(TEAMS), help="an unseen team (roster_unseen_instances) instead")
    parser.add_argument("--programs", help="write every LP and MIP solved (size, work, CPU) to this CSV file")
    args = parser.parse_args()
    began = time.process_time()

    def say(text: str) -> None:
        print(f"{time.process_time() - began:8.2f}  {text}", flush=True)

    meter = Meter()
    problems: list[RosterProblem] = []

    def traced(name: str) -> Callable[..., Any]:
        stage = getattr(rostering, name)

        def run(problem: RosterProblem, *args: Any, **kwargs: Any) -> Any:
            with meter.stage_of(name):
                result = stage(problem, *args, **kwargs)
            meter.counted[name, ""] += result.seconds
            if name != "solve_problem":
                say(f"{name}: plans cost {plans_cost(problem, result.plans):,} ({result.seconds:.1f} s counted)")
            else:
                problems.append(problem)
                say(f"{name}: {result.seconds:.1f} s counted")
            return result

        return run

    def final(name: str) -> Callable[..., Any]:
        step = getattr(rostering, name)

        def run(*args: Any, **kwargs: Any) -> Any:
            with meter.stage_of("build, rows, score, check"):
                return step(*args, **kwargs)

        return run

    def seconds(owner: Any, _result: Any) -> float:
        return float(owner.seconds)

    config, team, requirements, start, days = instance(args.team, args.agents, args.weeks, args.seed)
    parts = [
        (AgentModels, "best_shifts", "agent solves", lambda owner, _r: owner.deterministic_time),
        (AgentModels, "remember", "agent solves", lambda owner, _r: owner.deterministic_time),
        (FreeDays, "improve", "whole days (free split)", seconds),
        (DayMoves, "__init__", "whole days (plans)", lambda owner, _r: getattr(owner, "seconds", 0.0)),
        (DayMoves, "load", "whole days (plans)", seconds),
        (BlockDays, "relax", "whole days (plans): relax", seconds),
        (BlockDays, "settle", "whole days (plans): settle", seconds),
        (DayMoves, "relax", "whole days (plans): relax", seconds),
        (DayMoves, "settle", "whole days (plans): settle", seconds),
        (polish_module.OptionPlanner, "best", "plan valuations", seconds),
    ]
    programs = Programs(meter)
    with ExitStack() as stack:
        if args.programs:
            for method, wrap in (("LoadModelFromProto", programs.load), ("Solve", programs.solve)):
                stack.enter_context(mock.patch.object(pywraplp.Solver, method, wrap(getattr(pywraplp.Solver, method))))
        for owner, method, name, counter in parts:
            stack.enter_context(mock.patch.object(owner, method, meter.part(name, getattr(owner, method), counter)))
        stack.enter_context(
            mock.patch.object(
                polish_module,
                "block_loss",
                meter.part("block losses", polish_module.block_loss, lambda _o, r: 0.0 if r is None else r[1]),
            )
        )
        for name in ("solve_problem", "plan_activities", "polish"):
            stack.enter_context(mock.patch.object(rostering, name, traced(name)))
        for name in ("build_problem", "roster_rows", "score_roster", "find_violations"):
            stack.enter_context(mock.patch.object(rostering, name, final(name)))
        result = rostering.make_roster(config, team, requirements, start, days, progress=say)
    say(f"written: objective {result.objective:,.0f}, bound {result.best_bound:,.0f}, gap {result.gap:.2%}")
    if problems:
        meter.counted["build, rows, score, check", ""] += final_seconds(problems[0])  # building included
    meter.report(say, result.time_limit_seconds)
    if args.programs:
        programs.write(args.programs)
        say(f"{len(programs.rows)} programs written to {args.programs}")


if __name__ == "__main__":
    main()
