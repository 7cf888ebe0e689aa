"""Bound or roster? A team's weeks as mixed-integer programs over named agents (issue 14, session 16).

The budget's bound (:mod:`scheduler.rostering.bound`) solves, per week, a linear
relaxation over *classes* of agents with fractional counts. On the unseen teams
(:mod:`benchmarks.roster_unseen_instances`) it stays 35-48% below the roster,
and the day-pattern relaxation that settled London's gap does not finish on
New York and Chicago. This probe takes the same program for one week
(:func:`~scheduler.rostering.aggregate.solve_aggregate`, whole agents per
queue, the week's intervals) and makes it a MIP over **named** agents (HiGHS):

- ``week``: each agent's shifts, the agents serving each queue in each
  interval and the lunch starts in whole numbers, and days off in blocks of
  two inside the week (``w[d-1] - w[d] + w[d+1] <= 1``: every roster keeps it,
  time off included: ``model.add_min_consecutive_days_off``). Any roster's
  week is a solution (its queues split interval by interval, no blocks, no
  switch cost, the rules across the week's edges dropped), so the MIP's dual
  bound is a valid bound on the week's share of the objective, and the weeks'
  dual bounds add up to a valid bound on the roster (the blocks' argument of
  :mod:`scheduler.rostering.aggregate`).
- ``fixed`` (with a roster): the roster's own shifts, queues and lunches
  re-chosen freely: what its shifts cost on the MIP's terms.
- ``hood`` (with a roster): the other weeks fixed to the roster's shifts and
  every rule across the week's edges kept exactly (rest into and out of the
  week, days in a row, days off in blocks, the weekend cap given the other
  weekends): the best week the roster could have with its other weeks as they
  are. Below ``fixed`` by what re-choosing this week's shifts would gain.

Printed per week: the roster's coverage cost in the week (as written), the
class LP (the budget's fine relaxation), the named MIP's dual / primal, and
with a roster ``fixed`` and ``hood``. Minutes of CPU per week and mode,
outside any budget.

    .venv/bin/python -m benchmarks.roster_unseen_mip --team ny30 [--weeks 0 1 2 3] [--limit 300]
        [--modes week fixed hood] [--roster PICKLE | --save PICKLE]

Without ``--roster`` the roster is made first with the automatic budget (a
pickled :class:`~scheduler.rostering.RosterResult`; ``--save`` keeps it).
"""

from __future__ import annotations

import argparse
import pickle
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from ortools.linear_solver import pywraplp

from benchmarks.roster_unseen_instances import TEAMS, load_instance
from scheduler.rostering.aggregate import Block, solve_aggregate
from scheduler.rostering.bound import week_blocks
from scheduler.rostering.previous import apply_previous
from scheduler.rostering.problem import RosterProblem, build_problem

INTEGER = ("count[", "serve[", "lunch[")  # agents on an option, serving a queue, starting lunch
Chosen = dict[tuple[int, int], int]  # (agent, day) -> option worked


def roster_shifts(problem: RosterProblem, roster: pd.DataFrame) -> Chosen:
    """The option each agent works on each day of a written roster (a shift clipped at the horizon's end too)."""
    span = roster.groupby(["agent_id", "shift_id"]).agg(start=("start", "min"), end=("end", "max")).reset_index()
    ids = {agent.id: a for a, agent in enumerate(problem.agents)}
    chosen: Chosen = {}
    for row in span.itertuples():
        a = ids[str(row.agent_id)]
        begin, end = pd.Timestamp(row.start).tz_convert("UTC"), pd.Timestamp(row.end).tz_convert("UTC")
        starting = [o for o in problem.allowed[a] if problem.options[o].start == begin]
        hits = [o for o in starting if problem.options[o].end == end] or [
            o for o in starting if problem.options[o].end >= end
        ]
        if len(hits) != 1:
            raise ValueError(f"shift {row.shift_id}: {len(hits)} options match")
        chosen[a, problem.options[hits[0]].day_index] = hits[0]
    return chosen


def week_costs(problem: RosterProblem, violations: tuple[tuple[str, str, float], ...]) -> dict[int, float]:
    """The roster's coverage cost (under- and overstaffing) per week that owns the interval."""
    local = problem.grid.tz_convert(problem.timezone)
    label = {stamp.strftime("%Y-%m-%d %H:%M"): t for t, stamp in enumerate(local)}
    owner = {t: w for w, block in enumerate(week_blocks(problem)) for t in block.intervals}
    cost: dict[int, float] = defaultdict(float)
    for rule, subject, value in violations:
        if rule in ("understaffing", "overstaffing"):
            _queue, day, clock = subject.split(" ")
            cost[owner[label[f"{day} {clock}"]]] += value
    return cost


class WeekMip:
    """``on_solve`` for :func:`solve_aggregate`: integers, the mode's rows, the time limit."""

    def __init__(
        self,
        problem: RosterProblem,
        block: Block,
        mode: str,
        limit: float,
        chosen: Chosen | None,
        verbose: bool,
        fix: bool = False,
    ) -> None:
        self.problem, self.block, self.mode, self.limit, self.chosen = problem, block, mode, limit, chosen or {}
        self.verbose, self.fix = verbose, fix
        self.lp: pywraplp.Solver | None = None

    def __call__(self, lp: pywraplp.Solver) -> None:
        self.lp = lp
        problem, own = self.problem, sorted(self.block.days)
        counts: dict[tuple[int, int], pywraplp.Variable] = {}
        for var in lp.variables():
            name = var.name()
            if name.startswith(INTEGER):
                var.SetInteger(True)
            if name.startswith("count["):
                a, o = (int(part) for part in name[6:-1].split(","))
                counts[a, o] = var
        by_day: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
        for (a, o), var in counts.items():
            by_day[a, problem.options[o].day_index].append(var)
        if self.mode == "fixed" or self.fix:
            for (a, o), var in counts.items():
                worked = float(self.chosen.get((a, problem.options[o].day_index)) == o)
                var.SetBounds(worked, worked)
        if self.mode == "hood":
            self._edges(lp, counts, by_day, own)
        elif self.mode == "week":
            self._pairs(lp, by_day, own, lambda a, d: None)
        lp.SetTimeLimit(int(self.limit * 1000))
        if self.verbose:
            lp.EnableOutput()

    def _pairs(
        self,
        lp: pywraplp.Solver,
        by_day: dict[tuple[int, int], list[pywraplp.Variable]],
        own: list[int],
        outside: Callable[[int, int], int | None],
    ) -> None:
        """Days off in blocks of two: no worked, off, worked triple (days outside the week: ``outside``'s 0/1, or skipped)."""
        problem = self.problem
        for a in range(len(problem.agents)):
            if problem.rules[a].min_consecutive_days_off < 2:
                continue
            for d in range(max(own[0] - 1, 1), min(own[-1] + 2, len(problem.days) - 1)):
                triple = ((d - 1, 1.0), (d, -1.0), (d + 1, 1.0))
                known = [outside(a, x) for x, _sign in triple if x not in own]
                if None in known or all(x not in own for x, _sign in triple):
                    continue
                constant = sum(sign * (outside(a, x) or 0) for x, sign in triple if x not in own)
                row = lp.Constraint(-lp.infinity(), 1 - constant)
                for x, sign in triple:
                    if x in own:
                        for var in by_day.get((a, x), []):
                            row.SetCoefficient(var, sign)

    def _edges(
        self,
        lp: pywraplp.Solver,
        counts: dict[tuple[int, int], pywraplp.Variable],
        by_day: dict[tuple[int, int], list[pywraplp.Variable]],
        own: list[int],
    ) -> None:
        """The other weeks as the roster has them, every rule across the week's edges kept."""
        problem, chosen = self.problem, self.chosen
        days = len(problem.days)

        def outside(a: int, d: int) -> int:
            return int((a, d) in chosen)

        for (a, o), var in counts.items():
            option = problem.options[o]
            d = option.day_index
            if d not in own:  # a shift of the day before reaching in: the roster's
                worked = float(chosen.get((a, d)) == o)
                var.SetBounds(worked, worked)
                continue
            rest = problem.rules[a].min_rest_minutes
            before, after = chosen.get((a, d - 1)), chosen.get((a, d + 1))
            if d == own[0] and before is not None and option.start_minute < problem.options[before].end_minute + rest:
                var.SetBounds(0, 0)
            if d == own[-1] and after is not None and problem.options[after].start_minute < option.end_minute + rest:
                var.SetBounds(0, 0)
        for a in range(len(problem.agents)):
            limit = problem.rules[a].max_consecutive_days
            for begin in range(own[0] - limit, own[-1] + 1):
                span = [d for d in range(begin, begin + limit + 1) if 0 <= d < days]
                if len(span) < limit + 1 or not any(d in own for d in span):
                    continue
                row = lp.Constraint(-lp.infinity(), limit - sum(outside(a, d) for d in span if d not in own))
                for d in span:
                    for var in by_day.get((a, d), []) if d in own else []:
                        row.SetCoefficient(var, 1.0)
            weekends = [days_ for days_ in problem.weekends if not set(days_) <= set(own)]
            if sum(any(outside(a, d) for d in days_) for days_ in weekends) >= problem.rules[a].max_weekends:
                for days_ in problem.weekends:
                    if set(days_) <= set(own):
                        for d in days_:
                            for var in by_day.get((a, d), []):
                                var.SetBounds(0, 0)
        self._pairs(lp, by_day, own, outside)


def solve_week(
    problem: RosterProblem,
    block: Block,
    mode: str,
    limit: float,
    chosen: Chosen | None,
    verbose: bool = False,
    *,
    fix: bool = False,
) -> tuple[float | None, float]:
    """(primal or None, dual bound) of one week's named MIP in ``mode``.

    ``verbose``: HiGHS's log. ``fix``: the mode's rows with the roster's shifts besides (a check
    that the rows admit them: the result is then ``fixed``'s). Without a solution HiGHS reports
    no dual bound through pywraplp (0 is returned; its log has it).
    """
    mip = WeekMip(problem, block, mode, limit, chosen, verbose, fix)
    result = solve_aggregate(problem, whole_queues=True, block=block, named=True, solver="HIGHS", on_solve=mip)
    assert mip.lp is not None
    objective = mip.lp.Objective()
    if result.optimal:
        return objective.Value(), objective.Value()
    primal = objective.Value() if objective.Value() > 0 else None
    return primal, objective.BestBound()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--team", default="ny30", choices=sorted(TEAMS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--weeks", type=int, nargs="+", default=[0, 1, 2, 3])
    parser.add_argument("--limit", type=float, default=300.0, help="seconds per MIP (wall, HiGHS)")
    parser.add_argument("--modes", nargs="+", default=["week"], choices=["week", "fixed", "hood"])
    parser.add_argument("--roster", type=Path, help="a pickled RosterResult of this team and seed")
    parser.add_argument("--save", type=Path, help="pickle the roster made here")
    parser.add_argument("--horizon", action="store_true", help="one MIP over the whole horizon (mode week) instead")
    parser.add_argument("--verbose", action="store_true", help="HiGHS's log")
    args = parser.parse_args()
    config, team, requirements, start, days = load_instance(args.team, args.seed)
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    result = None
    if args.roster is not None:
        result = pickle.loads(args.roster.read_bytes())
    elif {"fixed", "hood"} & set(args.modes):
        from scheduler.rostering import make_roster

        result = make_roster(config, team, requirements, start, days)
        if args.save is not None:
            args.save.write_bytes(pickle.dumps(result))
    chosen = roster_shifts(problem, result.roster) if result is not None else None
    costs = week_costs(problem, result.violations) if result is not None else {}
    if result is not None:
        print(f"{args.team}: roster {result.objective:,.0f}, budget's bound {result.best_bound:,.0f}", flush=True)
    blocks = week_blocks(problem)
    if args.horizon:
        began = time.process_time()
        whole = Block(days=tuple(range(len(problem.days))), intervals=tuple(range(len(problem.grid))))
        primal, dual = solve_week(problem, whole, "week", args.limit, None, args.verbose)
        shown = f"{primal:,.0f}" if primal is not None else "none"
        print(f"whole horizon: named MIP {dual:,.0f} / {shown}  ({time.process_time() - began:.0f} s CPU)")
        return
    for w in args.weeks:
        began = time.process_time()
        lp = solve_aggregate(problem, whole_queues=True, block=blocks[w]).bound
        line = f"week {w}: roster coverage {costs.get(w, float('nan')):>12,.0f}  class LP {lp:>12,.0f}"
        for mode in args.modes:
            primal, dual = solve_week(problem, blocks[w], mode, args.limit, chosen, args.verbose)
            shown = f"{primal:,.0f}" if primal is not None else "none"
            line += f"  {mode} {dual:>12,.0f} / {shown}"
        print(f"{line}  ({time.process_time() - began:.0f} s CPU)", flush=True)


if __name__ == "__main__":
    main()
