"""Bound or search? Each day of the written roster re-chosen exactly, in queue blocks (issue 14).

A large neighbourhood the search never takes: one whole day, every agent at
once. With every agent's other days fixed as written, each agent may take any
shift that day (or none) that keeps its rules given those days (rest to the
day before and after, weekly hours and shift count, consecutive days,
weekends, hours below target), and every shift worked that day follows one
of the plans the block and switch rules allow (lunch start, one queue or two
with one change, blocks at least their minimum: :func:`~scheduler.rostering.plans.option_plans`,
each plan charged its switches). The agents of a skill group on an option
split among its plans in whole numbers. Coverage is charged per queue and
interval as the objective does. A mixed-integer program per day (SCIP through
``pywraplp``), the written plans as its hint; each day's answer is applied
before the next day is solved, and at the end the roster is written, its
objective recomputed from the rows and checked (0 violations expected).

So the figure printed is a real roster's objective: how far the written
roster is from one that no single day of can improve, which tells whether the
missing points lie in the search (they do where this finds them) or in the
bound. Minutes of CPU, outside any budget.

    .venv/bin/python -m benchmarks.roster_day_mip [--size 100] [--seed 2] [--passes 1] [--limit 60]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np
from ortools.linear_solver import pywraplp

from scheduler.rostering.days import DayMoves, changes_at_lunch, column_of, plan_of_column
from scheduler.rostering.model import skill_groups
from scheduler.rostering.plans import PlanColumn, block_lengths, option_plans, option_queues
from scheduler.rostering.problem import SCALE, RosterProblem, understaffing_weight
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan


class Day:
    """The day-``d`` program around ``plans`` (see the module docstring)."""

    def __init__(
        self,
        problem: RosterProblem,
        plans: dict[tuple[int, int], ShiftPlan],
        d: int,
        solver: str = "SCIP",
        *,
        fix_multi: bool = False,
        few_plans: bool = False,
    ) -> None:
        self.problem, self.d = problem, d
        settings = problem.settings
        groups = skill_groups(problem)
        self.group_of = [groups.index(agent.channels) for agent in problem.agents]
        shift_on: dict[tuple[int, int], int] = {(a, problem.options[o].day_index): o for a, o in plans}
        self.current = {a: o for (a, day), o in shift_on.items() if day == d}
        base = np.zeros(problem.required.shape, dtype=np.int64)
        for (_a, o), plan in plans.items():
            if problem.options[o].day_index == d:
                continue
            first = problem.options[o].first_interval
            for i, q in enumerate(plan.queues):
                if q != LUNCH:
                    base[q, first + i] += 1
        blocks = block_lengths(problem)
        lp = pywraplp.Solver.CreateSolver(solver)
        self.solver = solver
        self.lp = lp
        inf = lp.infinity()
        objective = lp.Objective()
        objective.SetMinimization()
        self.x: dict[tuple[int, int], pywraplp.Variable] = {}
        members: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
        self.hours_cost: dict[int, dict[int | None, float]] = {}
        # Each agent's choices that day within its rules given its other days, as the product's days
        # stage weighs them (agents it cannot model exactly keep their day).
        context = DayMoves(problem, sorted(plans), plans)
        for a, agent in enumerate(problem.agents):
            candidates, may_rest, costs = context.choices(a, d)
            if fix_multi and len(agent.channels) > 1:  # kept as written, plan included
                candidates = [self.current[a]] if a in self.current else []
                may_rest = a not in self.current
            self.hours_cost[a] = {o: cost for o, cost in costs.items() if o is not None or may_rest}
            row = lp.Constraint(0 if may_rest else 1, 1)
            for o in candidates:
                var = lp.BoolVar(f"x[{a},{o}]")
                self.x[a, o] = var
                row.SetCoefficient(var, 1)
                members[self.group_of[a], o].append(var)
                objective.SetCoefficient(var, costs[o] - (costs[None] if may_rest else 0))
        # the hours' cost of those who may rest, resting (the objective counts the change from it)
        self.hours_base = sum(costs[None] for costs in self.hours_cost.values() if None in costs)
        # Plans: whole agents of a group on an option per plan.
        self.z: dict[tuple[int, int], list[tuple[PlanColumn, pywraplp.Variable]]] = {}
        staffed: dict[tuple[int, int], list[tuple[float, pywraplp.Variable]]] = defaultdict(list)
        for (g, o), variables in sorted(members.items(), key=lambda item: item[0]):
            queues = option_queues(problem, groups[g], o)
            if queues is None:
                for var in variables:
                    var.SetBounds(0, 0)  # a queue opening or closing inside: not enumerated, not offered
                continue
            link = lp.Constraint(0, 0)
            for var in variables:
                link.SetCoefficient(var, -1)
            columns = []
            offered = option_plans(problem, o, queues, blocks)
            if few_plans and len(groups[g]) > 1:  # one queue, or a change at lunch only
                written_columns = {
                    column_of(problem, o, plans[a, o])
                    for a, o2 in self.current.items()
                    if o2 == o and self.group_of[a] == g
                }
                offered = [
                    column
                    for column in offered
                    if (column.lunch, column.cover) in written_columns or changes_at_lunch(column)
                ]
            if fix_multi and len(groups[g]) > 1:
                mine = {
                    column_of(problem, o, plans[a, o])
                    for (a, o2) in [(a, self.current.get(a)) for a in range(len(problem.agents))]
                    if o2 == o and self.group_of[a] == g
                }
                offered = [column for column in offered if (column.lunch, column.cover) in mine]
            for p, column in enumerate(offered):
                var = lp.IntVar(0, len(variables), f"z[{g},{o},{p}]")
                link.SetCoefficient(var, 1)
                objective.SetCoefficient(var, float(settings.switch_weight * column.switches))
                for t, q in column.cover:
                    staffed[q, t].append((1.0, var))
                columns.append((column, var))
            self.z[g, o] = columns
        # Coverage over the intervals the day's shifts (written or candidate) reach.
        reach = np.zeros(len(problem.grid), dtype=bool)
        for _a, o in self.x:
            reach[problem.options[o].first_interval : problem.options[o].last_interval] = True
        for o in self.current.values():
            reach[problem.options[o].first_interval : problem.options[o].last_interval] = True
        self.reach = reach
        self.need = np.rint(problem.required * SCALE).astype(np.int64)
        ordinary, peak = understaffing_weight(settings, False), understaffing_weight(settings, True)
        self.weight = np.where(problem.peak, peak, ordinary)
        self.base = base
        self.slack: dict[tuple[int, int], tuple[pywraplp.Variable, pywraplp.Variable, pywraplp.Variable]] = {}
        for q in range(len(problem.queues)):
            for t in np.flatnonzero(reach).tolist():
                if not (problem.is_open[q, t] or self.need[q, t] > 0):
                    continue
                terms = staffed.get((q, t), [])
                if problem.min_agents[q, t] > 0:
                    row = lp.Constraint(float(problem.min_agents[q, t] - base[q, t]), inf)
                    for coef, var in terms:
                        row.SetCoefficient(var, row.GetCoefficient(var) + coef)
                number = lp.IntVar if solver == "CP_SAT" else lp.NumVar  # CP-SAT: integers only (whole hundredths)
                short1 = number(0, SCALE, "")
                short2 = number(0, inf, "")
                over = number(0, inf, "")
                rest = float(self.need[q, t] - SCALE * base[q, t])
                row = lp.Constraint(rest, rest)
                for coef, var in terms:
                    row.SetCoefficient(var, row.GetCoefficient(var) + SCALE * coef)
                self.slack[q, t] = (short1, short2, over)
                row.SetCoefficient(short1, 1)
                row.SetCoefficient(short2, 1)
                row.SetCoefficient(over, -1)
                objective.SetCoefficient(short1, float(self.weight[q, t]))
                objective.SetCoefficient(short2, 2.0 * float(self.weight[q, t]))
                objective.SetCoefficient(over, float(settings.overstaffing_weight))

    def hint(self, plans: dict[tuple[int, int], ShiftPlan]) -> None:
        variables, values = [], []
        for (a, o), var in self.x.items():
            variables.append(var)
            values.append(1.0 if self.current.get(a) == o else 0.0)
        counts: dict[tuple[int, int, tuple], int] = defaultdict(int)
        for a, o in self.current.items():
            counts[self.group_of[a], o, column_of(self.problem, o, plans[a, o])] += 1
        for (g, o), columns in self.z.items():
            for column, var in columns:
                variables.append(var)
                values.append(float(counts.get((g, o, (column.lunch, column.cover)), 0)))
        staffed = self.base.copy()
        for a, o in self.current.items():
            first = self.problem.options[o].first_interval
            for i, q in enumerate(plans[a, o].queues):
                if q != LUNCH:
                    staffed[q, first + i] += 1
        for (q, t), (short1, short2, over) in self.slack.items():  # a complete hint (CP-SAT needs one)
            short = int(self.need[q, t] - SCALE * staffed[q, t])
            variables.extend((short1, short2, over))
            values.extend((float(min(max(short, 0), SCALE)), float(max(short - SCALE, 0)), float(max(-short, 0))))
        self.lp.SetHint(variables, values)

    def local_cost(self, plans: dict[tuple[int, int], ShiftPlan]) -> float:
        """What the program's objective charges for ``plans`` on this day (its constant part included)."""
        problem = self.problem
        counts = self.base.copy()
        switches = 0
        hours = 0.0
        working = {a: o for (a, o) in plans if problem.options[o].day_index == self.d}
        for a, o in working.items():
            plan = plans[a, o]
            first = problem.options[o].first_interval
            previous = None
            for i, q in enumerate(plan.queues):
                if q == LUNCH:
                    continue
                counts[q, first + i] += 1
                switches += previous is not None and q != previous
                previous = q
        for a, costs in self.hours_cost.items():
            hours += costs.get(working.get(a), 0.0)
        need, weight = self.need[:, self.reach], self.weight[:, self.reach]
        staffed = counts[:, self.reach]
        short = np.maximum(need - SCALE * staffed, 0)
        cover = (
            weight * np.minimum(short, SCALE)
            + 2 * weight * np.maximum(short - SCALE, 0)
            + problem.settings.overstaffing_weight * np.maximum(SCALE * staffed - need, 0)
        )
        charged = problem.is_open[:, self.reach].astype(bool) | (need > 0)
        return float(cover[charged].sum() + problem.settings.switch_weight * switches + hours)

    def solve(self, seconds: float) -> tuple[str, float, float]:
        if self.solver == "CP_SAT":  # deterministic: one worker, fixed seed, deterministic time
            self.lp.SetSolverSpecificParametersAsString(
                f"max_deterministic_time: {seconds} num_workers: 1 random_seed: 1"
            )
        else:
            self.lp.SetTimeLimit(int(seconds * 1000))
        began = time.process_time()
        status = self.lp.Solve()
        names = {pywraplp.Solver.OPTIMAL: "optimal", pywraplp.Solver.FEASIBLE: "feasible"}
        return names.get(status, f"status {status}"), self.lp.Objective().BestBound(), time.process_time() - began

    def apply(self, plans: dict[tuple[int, int], ShiftPlan]) -> dict[tuple[int, int], ShiftPlan]:
        """``plans`` with this day's shifts and plans as solved (agents keep their plan where it is chosen)."""
        problem = self.problem
        result = {key: plan for key, plan in plans.items() if problem.options[key[1]].day_index != self.d}
        on: dict[tuple[int, int], list[int]] = defaultdict(list)
        for (a, o), var in sorted(self.x.items()):
            if var.solution_value() > 0.5:
                on[self.group_of[a], o].append(a)
        for (g, o), agents in on.items():
            pool: list[PlanColumn] = []
            for column, var in self.z[g, o]:
                pool.extend([column] * round(var.solution_value()))
            assert len(pool) == len(agents), (g, o, len(pool), len(agents))
            waiting = []
            for a in agents:  # an agent whose written plan is among the chosen keeps it
                mine = column_of(problem, o, plans[a, o]) if (a, o) in plans else None
                match = next((i for i, c in enumerate(pool) if (c.lunch, c.cover) == mine), None)
                if match is None:
                    waiting.append(a)
                else:
                    result[a, o] = plan_of_column(problem, o, (lambda c: (c.lunch, c.cover))(pool.pop(match)))
            for a, column in zip(waiting, pool, strict=True):
                result[a, o] = plan_of_column(problem, o, (column.lunch, column.cover))
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--passes", type=int, default=1, help="passes over the days")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per day's MIP")
    parser.add_argument("--few-plans", action="store_true", help="multi-skilled plans: one queue or a change at lunch")
    parser.add_argument("--fix-multi", action="store_true", help="multi-skilled agents kept as written")
    parser.add_argument("--solver", default="SCIP", help="SCIP, or CP_SAT (deterministic time --limit)")
    parser.add_argument("--days", type=int, nargs="+", default=None, help="only these days (default: all)")
    args = parser.parse_args()

    from benchmarks.roster_bench import budget_for
    from benchmarks.roster_instances import make_instance
    from benchmarks.roster_week_mip import written
    from scheduler.rostering.checker import find_violations
    from scheduler.rostering.extract import roster_rows
    from scheduler.rostering.score import score_roster

    problem, objective, plans = written(args.size, args.seed, args.weeks)
    config, team, requirements, start, days = make_instance(
        args.size, args.weeks, seed=args.seed, time_limit_seconds=budget_for(args.size)
    )
    horizon = requirements[(requirements["ds"] >= problem.grid[0]) & (requirements["ds"] <= problem.grid[-1])]
    print(f"{args.size} agents, seed {args.seed}: written objective {objective:,.0f}", flush=True)
    cpu = 0.0
    for number in range(args.passes):
        gained = 0.0
        for d in args.days if args.days is not None else range(len(problem.days)):
            day = Day(problem, plans, d, args.solver, fix_multi=args.fix_multi, few_plans=args.few_plans)
            before = day.local_cost(plans)
            day.hint(plans)
            status, bound, seconds = day.solve(args.limit)
            cpu += seconds
            if status not in ("optimal", "feasible"):
                print(f"  day {d}: {status}", flush=True)
                continue
            trial = day.apply(plans)
            after = day.local_cost(trial)
            if after < before:
                plans = trial
                gained += before - after
            print(
                f"  pass {number + 1} day {d}: {before:,.0f} -> {min(after, before):,.0f} "
                f"(MIP {day.lp.Objective().Value() + day.hours_base:,.0f}, bound {bound + day.hours_base:,.0f}, {status}, {seconds:.0f} s)",
                flush=True,
            )
        frame = roster_rows(problem, plans)
        rewritten = score_roster(frame, team, config, horizon, start, days).objective
        violations = find_violations(frame, team, config, start, days)
        print(
            f"pass {number + 1}: gained {gained:,.0f}; written again: objective {rewritten:,.0f} "
            f"({(rewritten - objective) / objective:+.2%}), {len(violations)} violations, {cpu:.0f} s CPU in the MIPs",
            flush=True,
        )


if __name__ == "__main__":
    main()
