"""Bound or search? A weekly MIP over named agents with queues switching freely (issue 14).

The binding-skill instance (100 agents, seed 2) stays 1.8% above the bound
proven in the budget, and nothing measured told whether the bound (classes
of agents summed, counts fractional, lunches smeared) or the search is what
misses. This probe solves, per week, a mixed-integer program over the
*named* agents, with a MIP solver (SCIP through ``pywraplp``):

- each agent's shifts are booleans, with its rules inside the week (one
  shift a day, weekly paid minutes and shift count, rest between consecutive
  days, consecutive days worked) and its hours below target;
- lunch starts are whole agents per skill group and option, anywhere in the
  window; the agents of a group working serve its open queues in whole
  numbers (no idling), the queue minimums are hard;
- coverage is charged per queue and interval exactly as the objective does
  (two tiers of understaffing, overstaffing), over the intervals the week
  owns.

Queues may change every interval (no blocks, no switch cost) and the rules
spanning weeks (rest into Monday, consecutive days and weekends across the
boundary, fairness) are dropped, so the week's optimum is at most the
written roster's share of it, and the weeks' dual bounds add up to a lower
bound on any roster (the blocks and switches the roster pays come on top).
The written roster (shifts, lunches and queue split as written) is the
MIP's hint: its best solution shows how much better shifts could do.

Printed per week: the written roster's cost there (coverage as written and
hours below target, no switches), the same shifts and lunches with the
queues re-split freely (the MIP with the shifts fixed), the MIP's best
solution and its dual bound, and the LP relaxation. Minutes of CPU per week,
outside any budget.

    .venv/bin/python -m benchmarks.roster_week_mip [--size 100] [--seed 2] [--weeks 0 1 2 3] [--limit 300]

or on a team of your own, from a config and the requirements a plan wrote (secondary skills and
preferences, which the probe does not model, are dropped from the team first, and the roster is
made again without them, so that both sides price the same problem):

    .venv/bin/python -m benchmarks.roster_week_mip --config examples/cashback/peakplan.toml \
        --requirements out/requirements.csv --start 2026-11-23 --horizon-weeks 1
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import pickle
import time
from collections import defaultdict

import numpy as np
from ortools.linear_solver import pywraplp

from scheduler.rostering.aggregate import agent_classes
from scheduler.rostering.model import skill_groups
from scheduler.rostering.problem import SCALE, RosterProblem, understaffing_weight
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan


class WeekModel:
    """One week's named-agent program (see the module docstring); ``integer`` False gives its LP."""

    def __init__(
        self, problem: RosterProblem, week: int, solver: str, *, integer: bool = True, classes: bool = False
    ) -> None:
        self.problem = problem
        self.lp = pywraplp.Solver.CreateSolver(solver if integer else "GLOP")
        lp, inf = self.lp, self.lp.infinity()
        settings = problem.settings
        days = set(problem.weeks[week])
        self.days = days
        # The week's intervals: from its first day's midnight to the next week's (local days).
        day_of = np.array([d.tz_convert(problem.timezone).date() for d in problem.grid])
        owned = np.array([d in {problem.days[x] for x in days} for d in day_of])
        for option in problem.options:  # an option of another week reaching in would need keeping: none here
            if option.day_index not in days and owned[option.first_interval : option.last_interval].any():
                raise ValueError("a shift of another week reaches into this one: not supported by this probe")
        self.owned = owned
        groups = skill_groups(problem)
        group_of = [groups.index(agent.channels) for agent in problem.agents]
        self.group_of = group_of
        objective = lp.Objective()
        objective.SetMinimization()
        self.x: dict[tuple[int, int], pywraplp.Variable] = {}
        working: dict[tuple[int, int], list[tuple[float, pywraplp.Variable]]] = defaultdict(list)
        by_group_option: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
        # Units: each named agent, or (``classes``) each class of interchangeable agents with whole
        # counts per option and its rules summed (a relaxation of the named program: fewer, larger
        # variables and no symmetry among the class's members).
        self.units = agent_classes(problem) if classes else tuple((a,) for a in range(len(problem.agents)))
        self.unit_of = {a: u for u, members in enumerate(self.units) for a in members}
        for members in self.units:
            a, size = members[0], len(members)
            agent = problem.agents[a]
            if agent.secondary_queues or agent.preferences:
                raise ValueError("secondary skills and preferences are not modelled by this probe")
            rules = problem.rules[a]
            mine = [o for o in problem.allowed[a] if problem.options[o].day_index in days]
            for o in mine:
                if integer:
                    var = lp.BoolVar(f"x[{a},{o}]") if size == 1 else lp.IntVar(0, size, f"x[{a},{o}]")
                else:
                    var = lp.NumVar(0, size, f"x[{a},{o}]")
                self.x[a, o] = var
                by_group_option[group_of[a], o].append(var)
                option = problem.options[o]
                for t in range(option.first_interval, option.last_interval):
                    working[group_of[a], t].append((1.0, var))
            by_day = defaultdict(list)
            for o in mine:
                by_day[problem.options[o].day_index].append(o)
            for options in by_day.values():
                self._row(-inf, size, [(1.0, self.x[a, o]) for o in options])
            week_index = sorted(problem.weeks[week])
            low, high, target = rules.week_minutes[week]
            paid = [(float(problem.options[o].paid_minutes), self.x[a, o]) for o in mine]
            self._row(size * low, size * high, paid)
            self._row(-inf, size * rules.max_shifts_per_week, [(1.0, self.x[a, o]) for o in mine])
            if settings.hours_weight and target > low:
                under = lp.NumVar(0, inf, f"under[{a}]")
                self._row(size * target, inf, [(1.0, under), *paid])
                objective.SetCoefficient(under, settings.hours_weight)
            for d in week_index:
                for o in by_day.get(d, []):
                    latest = problem.options[o].end_minute + rules.min_rest_minutes
                    clash = [self.x[a, o2] for o2 in by_day.get(d + 1, []) if problem.options[o2].start_minute < latest]
                    if clash:
                        self._row(-inf, size, [(1.0, self.x[a, o]), *((1.0, var) for var in clash)])
            limit = rules.max_consecutive_days
            for begin in range(week_index[0], week_index[-1] - limit + 1):
                window = [(1.0, self.x[a, o]) for d in range(begin, begin + limit + 1) for o in by_day.get(d, [])]
                self._row(-inf, size * limit, window)
        # Lunch: whole agents of a group on an option per start.
        self.y: dict[tuple[int, int, int], pywraplp.Variable] = {}
        for (g, o), members in sorted(by_group_option.items()):
            option = problem.options[o]
            if not option.lunch_starts:
                continue
            starts = []
            for start in option.lunch_starts:
                var = lp.IntVar(0, inf, f"y[{g},{o},{start}]") if integer else lp.NumVar(0, inf, "y")
                self.y[g, o, start] = var
                starts.append((1.0, var))
                for t in range(start, start + option.lunch_intervals):
                    working[g, t].append((-1.0, var))
            self._row(0, 0, [*starts, *((-1.0, var) for var in members)])
        # Serving: the group's working agents split among its open queues, whole agents.
        staffed: dict[tuple[int, int], list[tuple[float, pywraplp.Variable]]] = defaultdict(list)
        self.s: dict[tuple[int, int, int], pywraplp.Variable] = {}
        queue_index = {queue: q for q, queue in enumerate(problem.queues)}
        for (g, t), terms in sorted(working.items(), key=lambda item: item[0]):
            if not owned[t]:
                continue
            queues = [queue_index[queue] for queue in groups[g] if problem.is_open[queue_index[queue], t]]
            serve = []
            for q in queues:
                var = lp.IntVar(0, inf, f"s[{g},{q},{t}]") if integer else lp.NumVar(0, inf, "s")
                self.s[g, q, t] = var
                serve.append((1.0, var))
                staffed[q, t].append((1.0, var))
            self._row(0, 0, [*serve, *((-coef, var) for coef, var in terms)])
        # Coverage: need - SCALE * staffed = short1 + short2 - over, as the objective charges it.
        need = np.rint(problem.required * SCALE).astype(np.int64)
        ordinary, peak = understaffing_weight(settings, False), understaffing_weight(settings, True)
        weight = np.where(problem.peak, peak, ordinary)
        self.constant = 0.0
        for q in range(len(problem.queues)):
            for t in np.nonzero(owned)[0].tolist():
                if not (problem.is_open[q, t] or need[q, t] > 0):
                    continue
                terms = staffed.get((q, t), [])
                if problem.min_agents[q, t] > 0:
                    self._row(float(problem.min_agents[q, t]), inf, terms)
                # whole hundredths (the need is in whole hundredths): CP-SAT takes integer variables only
                number = lp.IntVar if integer else lp.NumVar
                short1 = number(0, SCALE, f"u1[{q},{t}]")
                short2 = number(0, inf, f"u2[{q},{t}]")
                over = number(0, inf, f"v[{q},{t}]")
                self._row(
                    float(need[q, t]),
                    float(need[q, t]),
                    [*((SCALE * coef, var) for coef, var in terms), (1.0, short1), (1.0, short2), (-1.0, over)],
                )
                objective.SetCoefficient(short1, float(weight[q, t]))
                objective.SetCoefficient(short2, 2.0 * float(weight[q, t]))
                objective.SetCoefficient(over, float(settings.overstaffing_weight))

    def _row(self, low: float, high: float, terms) -> None:
        row = self.lp.Constraint(low, high)
        for coef, var in terms:
            row.SetCoefficient(var, row.GetCoefficient(var) + coef)

    def hint(
        self, plans: dict[tuple[int, int], ShiftPlan], *, fix_shifts: bool = False, split: WeekModel | None = None
    ) -> None:
        """The written roster as a hint (or, ``fix_shifts``, its shifts and lunches fixed)."""
        variables, values = [], []
        lunch_counts: dict[tuple[int, int, int], int] = defaultdict(int)
        serve: dict[tuple[int, int, int], int] = defaultdict(int)
        worked: dict[tuple[int, int], int] = defaultdict(int)
        for a, o in plans:
            worked[self.units[self.unit_of[a]][0], o] += 1
        for (a, o), var in sorted(self.x.items()):
            value = float(worked.get((a, o), 0))
            variables.append(var)
            values.append(value)
            if fix_shifts:
                var.SetBounds(value, value)
        for (a, o), plan in plans.items():
            if (self.units[self.unit_of[a]][0], o) not in self.x:
                continue
            g = self.group_of[a]
            if plan.lunch is not None:
                lunch_counts[g, o, plan.lunch] += 1
            first = self.problem.options[o].first_interval
            for i, q in enumerate(plan.queues):
                if q != LUNCH:
                    serve[g, q, first + i] += 1
        for key, var in sorted(self.y.items()):
            variables.append(var)
            values.append(float(lunch_counts.get(key, 0)))
            if fix_shifts:
                var.SetBounds(values[-1], values[-1])
        for key, var in sorted(self.s.items()):
            variables.append(var)
            # the re-split's queue counts when given (the same shifts, queues split at their best)
            values.append(round(split.s[key].solution_value()) if split is not None else float(serve.get(key, 0)))
        self.lp.SetHint(variables, values)

    def written_cost(self, plans: dict[tuple[int, int], ShiftPlan]) -> float:
        """The objective of this program at the written roster (coverage as written, hours below target)."""
        counts = np.zeros(self.problem.required.shape, dtype=np.int64)
        minutes: dict[int, int] = defaultdict(int)
        for (a, o), plan in plans.items():
            option = self.problem.options[o]
            if option.day_index not in self.days:
                continue
            minutes[a] += option.paid_minutes
            for i, q in enumerate(plan.queues):
                if q != LUNCH:
                    counts[q, option.first_interval + i] += 1
        from scheduler.rostering.coveragecost import CoverageCost

        cost = CoverageCost(self.problem)
        values = np.where(self.problem.is_open | (cost.need > 0), cost.cost(counts), 0)[:, self.owned]
        settings = self.problem.settings
        hours = 0
        week = next(w for w, days in enumerate(self.problem.weeks) if set(days) == self.days)
        for a in range(len(self.problem.agents)):
            low, _high, target = self.problem.rules[a].week_minutes[week]
            if settings.hours_weight and target > low:
                hours += settings.hours_weight * max(target - minutes.get(a, 0), 0)
        return float(values.sum() + hours)

    def solve(self, seconds: float) -> tuple[float, float, str, float]:
        self.lp.SetTimeLimit(int(seconds * 1000))
        if self.lp.SolverVersion().startswith("CP-SAT") or "sat" in self.lp.SolverVersion().lower():
            self.lp.SetSolverSpecificParametersAsString("num_workers: 2")
        began = time.process_time()
        status = self.lp.Solve()
        cpu = time.process_time() - began
        names = {pywraplp.Solver.OPTIMAL: "optimal", pywraplp.Solver.FEASIBLE: "feasible"}
        if status not in names:
            return float("nan"), float("nan"), f"status {status}", cpu
        objective = self.lp.Objective()
        bound = objective.BestBound() if self.lp.IsMip() else objective.Value()
        return objective.Value(), bound, names[status], cpu


def day_moves(
    problem: RosterProblem, week: int, plans: dict[tuple[int, int], ShiftPlan], limit: float
) -> tuple[set[tuple[int, int]], dict[tuple[int, int, int], float], dict[tuple[int, int, int], int]]:
    """Each day of the week re-chosen exactly, everyone's other days fixed (named agents, free split).

    Every agent may change its shift that day (or work or not), within its rules given its other
    days; lunches and the queue split follow. One MIP per day, small enough to solve to optimality:
    how far a roster whose shifts are fixed on all days but one is from that day's best.
    """
    model = WeekModel(problem, week, "SCIP")
    current = {key: 1.0 for key in plans if key in model.x}
    model.hint(plans)
    lunches = {key: 0.0 for key in model.y}
    for (a, o), plan in plans.items():
        if (a, o) in model.x and plan.lunch is not None:
            lunches[model.group_of[a], o, plan.lunch] += 1
    start = None
    for d in sorted(model.days):
        # built again per day: SCIP's interface cannot widen a variable it once extracted as binary
        model = WeekModel(problem, week, "SCIP")
        for (a, o), var in model.x.items():
            free = problem.options[o].day_index == d
            var.SetBounds(0.0, 1.0) if free else var.SetBounds(current.get((a, o), 0.0), current.get((a, o), 0.0))
        for (g, o, begin), var in model.y.items():
            free = problem.options[o].day_index == d
            var.SetBounds(0.0, float(len(problem.agents))) if free else var.SetBounds(
                lunches[g, o, begin], lunches[g, o, begin]
            )
        names = list(model.x.items()) + list(model.y.items())
        model.lp.SetHint(
            [var for _key, var in names],
            [current.get(key, 0.0) for key, _var in model.x.items()] + [lunches[key] for key in model.y],
        )
        value, bound, status, cpu = model.solve(limit)
        if start is None:
            start = value  # not quite: the first day's solve already moved it; the written re-split is printed apart
        if status in ("optimal", "feasible"):
            new = {key: round(var.solution_value()) for key, var in model.x.items()}
            before = {a: o for (a, o), v in current.items() if v and problem.options[o].day_index == d}
            after = {a: o for (a, o), v in new.items() if v and problem.options[o].day_index == d}
            kinds: dict[str, int] = defaultdict(int)
            for a in set(before) | set(after):
                if a not in after:
                    kinds["off"] += 1
                elif a not in before:
                    kinds["on"] += 1
                elif before[a] != after[a]:
                    old_option, new_option = problem.options[before[a]], problem.options[after[a]]
                    kinds["template" if old_option.template != new_option.template else "start"] += 1
                    kinds["moved minutes"] += abs(new_option.start_minute - old_option.start_minute)
            print(f"      changes: {dict(sorted(kinds.items()))}", flush=True)
            current = new
            lunches = {key: float(round(var.solution_value())) for key, var in model.y.items()}
        print(f"    day {d}: {value:,.0f} (bound {bound:,.0f}, {status}, {cpu:.0f} s)", flush=True)
        split = {key: round(var.solution_value()) for key, var in model.s.items()}
    return {key for key, value in current.items() if value}, lunches, split


def apply_weeks(problem: RosterProblem, plans, moved, limit: float):
    """The written plans with the moved weeks' shifts, lunches and split put through the activity stage.

    Returns the plans of both (the written shifts through the same stage, for a like comparison).
    """
    from scheduler.rostering.activities import plan_activities
    from scheduler.rostering.model import skill_groups

    groups = skill_groups(problem)
    group_of = [groups.index(agent.channels) for agent in problem.agents]
    results = []
    for changed in (False, True):
        chosen, lunch, serve = [], {}, defaultdict(int)
        weeks = {w for w, _moved in moved} if changed else set()
        days = {d for w in weeks for d in problem.weeks[w]}
        for (a, o), plan in plans.items():
            if problem.options[o].day_index in days:
                continue
            chosen.append((a, o))
            lunch[a, o] = plan.lunch
            first = problem.options[o].first_interval
            for i, q in enumerate(plan.queues):
                if q != LUNCH:
                    serve[group_of[a], first + i, q] += 1
        for _w, (shifts, lunches, split) in moved if changed else ():
            left = {key: int(value) for key, value in lunches.items()}
            for a, o in sorted(shifts):
                chosen.append((a, o))
                starts = problem.options[o].lunch_starts
                at = next((begin for begin in starts if left.get((group_of[a], o, begin), 0) > 0), None)
                if at is not None:
                    left[group_of[a], o, at] -= 1
                lunch[a, o] = at
            for (g, q, t), count in split.items():
                serve[g, t, q] += count
        done = plan_activities(problem, sorted(chosen), lunch, dict(serve), limit)
        results.append(done.plans)
    return results


def written(size: int, seed: int, weeks: int):
    """The instance and the plans ``make_roster`` writes within the benchmark's budget (cached in /tmp)."""
    from benchmarks.roster_bench import budget_for
    from benchmarks.roster_instances import make_instance
    from benchmarks.roster_neighbourhoods import written_plans
    from scheduler.rostering import make_roster
    from scheduler.rostering.previous import apply_previous
    from scheduler.rostering.problem import build_problem

    config, team, requirements, start, days = make_instance(size, weeks, seed=seed, time_limit_seconds=budget_for(size))
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    cache = os.environ.get("ROSTER_CACHE")
    if cache and os.path.exists(cache):
        with open(cache, "rb") as handle:
            objective, plans = pickle.load(handle)
    else:
        result = make_roster(config, team, requirements, start, days)
        objective, plans = result.objective, written_plans(problem, result.roster)
        if cache:
            with open(cache, "wb") as handle:
                pickle.dump((objective, plans), handle)
    return problem, objective, plans


def _report_applied(problem, args, plans, moved) -> None:
    """The moved weeks in blocks: the written objective of both rosters after the same activity stage."""
    from benchmarks.roster_bench import budget_for
    from benchmarks.roster_instances import make_instance
    from scheduler.rostering.checker import find_violations
    from scheduler.rostering.extract import roster_rows
    from scheduler.rostering.score import score_roster

    config, team, requirements, start, days = make_instance(
        args.size, args.horizon_weeks, seed=args.seed, time_limit_seconds=budget_for(args.size)
    )
    horizon = requirements[(requirements["ds"] >= problem.grid[0]) & (requirements["ds"] <= problem.grid[-1])]
    for name, planned in zip(("written shifts", "moved shifts"), apply_weeks(problem, plans, moved, 20.0), strict=True):
        frame = roster_rows(problem, planned)
        objective = score_roster(frame, team, config, horizon, start, days).objective
        violations = find_violations(frame, team, config, start, days)
        print(f"  {name}, activity stage again: objective {objective:,.0f}, {len(violations)} violations", flush=True)


def own_team(config_path: str, requirements_path: str, start: dt.date, weeks: int):
    """A team of one's own, without what the probe does not model, and the plans ``make_roster`` writes for it."""
    from benchmarks.roster_neighbourhoods import written_plans
    from scheduler.config.read import load_config
    from scheduler.rostering import make_roster
    from scheduler.rostering.previous import apply_previous
    from scheduler.rostering.problem import build_problem
    from scheduler.stage_files import read_requirements
    from scheduler.team import load_config_team

    config = load_config(config_path)
    team = load_config_team(config, None)
    dropped = sum(1 for agent in team.agents if agent.secondary_queues or agent.preferences)
    plain = tuple(
        dataclasses.replace(
            agent,
            channels=tuple(c for c in agent.channels if c not in agent.secondary_queues),
            secondary_languages=(),
            secondary_topics=(),
            secondary_queues=(),
            preferences=(),
        )
        for agent in team.agents
    )
    team = dataclasses.replace(team, agents=plain)
    print(f"{config_path}: secondary skills and preferences dropped from {dropped} of {len(plain)} agents", flush=True)
    requirements = read_requirements(requirements_path)
    days = 7 * weeks
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    result = make_roster(config, team, requirements, start, days)
    print(f"roster: objective {result.objective:,.0f}, bound in budget {result.best_bound:,.0f}", flush=True)
    return problem, result.objective, written_plans(problem, result.roster)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--horizon-weeks", type=int, default=4)
    parser.add_argument("--weeks", type=int, nargs="+", default=None, help="which weeks (default: all)")
    parser.add_argument("--limit", type=float, default=300.0, help="seconds per week's MIP")
    parser.add_argument("--solver", default="SCIP")
    parser.add_argument("--classes", action="store_true", help="whole counts per class of agents (a relaxation)")
    parser.add_argument("--days", action="store_true", help="each day re-chosen exactly, the other days fixed")
    parser.add_argument("--verbose", action="store_true", help="the MIP solver's log")
    parser.add_argument("--config", help="a team of your own: its config (with --requirements and --start)")
    parser.add_argument("--requirements", help="the requirements.csv a plan wrote for that team")
    parser.add_argument("--start", type=dt.date.fromisoformat, help="the first day planned (a Monday)")
    args = parser.parse_args()
    if args.config:
        if not (args.requirements and args.start):
            parser.error("--config needs --requirements and --start")
        if args.days:
            parser.error("--days runs on the benchmark's instances only")
        problem, objective, plans = own_team(args.config, args.requirements, args.start, args.horizon_weeks)
    else:
        problem, objective, plans = written(args.size, args.seed, args.horizon_weeks)
        print(f"{args.size} agents, seed {args.seed}: written objective {objective:,.0f}", flush=True)
    if args.days:
        moved = []
        for week in args.weeks if args.weeks is not None else range(len(problem.weeks)):
            print(f"  week {week}: each day re-chosen exactly", flush=True)
            moved.append((week, day_moves(problem, week, plans, args.limit)))
        _report_applied(problem, args, plans, moved)
        return
    totals = defaultdict(float)
    for week in args.weeks if args.weeks is not None else range(len(problem.weeks)):
        relaxed = WeekModel(problem, week, args.solver, integer=False, classes=args.classes)
        lp_value, _b, lp_status, lp_cpu = relaxed.solve(args.limit)
        resplit = WeekModel(problem, week, args.solver, classes=args.classes)
        resplit.hint(plans, fix_shifts=True)
        free_value, _fb, free_status, free_cpu = resplit.solve(min(args.limit, 120.0))
        model = WeekModel(problem, week, args.solver, classes=args.classes)
        cost = model.written_cost(plans)
        if args.verbose:
            model.lp.EnableOutput()
        model.hint(plans, split=resplit if free_status in ("optimal", "feasible") else None)
        value, bound, status, cpu = model.solve(args.limit)
        for name, figure in (
            ("written", cost),
            ("resplit", free_value),
            ("mip", value),
            ("bound", bound),
            ("lp", lp_value),
        ):
            totals[name] += figure
        print(
            f"  week {week}: written {cost:,.0f}; same shifts re-split {free_value:,.0f} ({free_status}, {free_cpu:.0f} s); "
            f"MIP {value:,.0f} / bound {bound:,.0f} ({status}, {cpu:.0f} s CPU); LP {lp_value:,.0f} ({lp_status}, {lp_cpu:.0f} s)",
            flush=True,
        )
    print(
        "  sum: written {written:,.0f}, re-split {resplit:,.0f}, MIP {mip:,.0f}, MIP bound {bound:,.0f}, LP {lp:,.0f}".format(
            **totals
        )
    )


if __name__ == "__main__":
    main()
