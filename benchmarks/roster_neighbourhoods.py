"""Is the written roster a local optimum of moves larger than the search makes? (issue 14)

The roster benchmark's binding-skill instances stay 1.8-2.1% above the
block-aware bound however long the search runs (budget 200 instead of 28:
-0.16%). This probe takes the roster ``make_roster`` writes within the
benchmark's budget, reads its plans back from the rows, and solves larger
neighbourhoods of it exactly with CP-SAT (one worker, deterministic time, the
written plans as a hint), everyone outside the neighbourhood fixed:

- ``day plans``: every shift of one day keeps its start; its lunch and queue
  plan are chosen jointly among all plans with at most one switch that keep
  the block rules (the activity stage and the polish move one shift, or one
  agent, at a time);
- ``day window``: on one day, the multi-skilled shifts over the interval of
  the largest weighted shortfall re-plan, and the 8 single-skilled shifts
  nearest it may also move their start (same template and day, the rest
  before and after kept) and lunch;
- ``agent pairs``: two single-skilled agents of the same queue re-choose
  their whole horizon jointly (their own models: every hard rule, their soft
  terms) with their lunches, against everyone else.

Each improvement found is applied, so later neighbourhoods start from it;
at the end the objective is recomputed from the rows and the roster checked
(the gain is the written roster's, not the sub-models'). Printed per
neighbourhood kind: how many were solved, proven optimal, improved, the gain
and the CPU seconds. Minutes of CPU per instance, outside any budget.

    .venv/bin/python -m benchmarks.roster_neighbourhoods [--sizes 100] [--seeds 2] [--limit 2] [--kinds plans windows pairs]
"""

from __future__ import annotations

import argparse
import math
import time
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from scheduler.rostering.activities import ServingCosts
from scheduler.rostering.shiftplan import (
    LUNCH,
    PlanRules,
    PlanShift,
    ShiftPlan,
    apply_plan,
    broken_rules,
    plan_rule_counts,
)

WINDOW_SINGLES = 8
PAIRS = 6


class Probe:
    """The written roster's plans and coverage, with exact CP-SAT solves of neighbourhoods of it."""

    def __init__(self, problem, plans: dict[tuple[int, int], ShiftPlan], limit: float) -> None:
        self.problem, self.plans, self.limit = problem, dict(plans), limit
        settings = problem.settings
        self.costs = ServingCosts(problem)
        step = problem.interval_minutes
        self.blocks = np.array([math.ceil(settings.min_block(queue) / step) for queue in problem.queues])
        self.strict = PlanRules(
            switch=settings.switch_weight, max_switches=settings.max_switches_per_shift, penalty=math.inf
        )
        self.shifts: dict[tuple[int, int], PlanShift] = {}
        self.counts = np.zeros(problem.required.shape, dtype=np.int64)
        for key, plan in self.plans.items():
            apply_plan(self.counts, self.shift(key), plan, +1)
        self.skills = [
            [q for q, queue in enumerate(problem.queues) if queue in agent.channels] for agent in problem.agents
        ]
        self.stats: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0.0, 0.0])

    def shift(self, key: tuple[int, int]) -> PlanShift:
        if key not in self.shifts:
            self.shifts[key] = PlanShift(self.problem, key[0], key[1], self.blocks)
        return self.shifts[key]

    def extra(self, key: tuple[int, int], plan: ShiftPlan) -> int:
        """A plan's cost besides coverage: its switches and secondary-skill intervals, as scored."""
        shift = self.shift(key)
        changes = plan_rule_counts(shift, plan)[0]
        return self.strict.switch * changes + int(sum(int(shift.secondary[q]) for q in plan.queues if q != LUNCH))

    def one_switch_plans(self, key: tuple[int, int]) -> list[ShiftPlan]:
        """Every plan of the shift with one queue, or two with one switch, keeping skills, hours and blocks."""
        shift = self.shift(key)
        n = len(shift.t)
        found = []
        for lunch in shift.lunch_starts:
            at = shift.lunch_set(lunch)
            for first in shift.queues:
                for second in shift.queues:
                    for switch in [n] if first == second else range(1, n):
                        queues = tuple(
                            LUNCH if shift.first + i in at else (first if i < switch else second) for i in range(n)
                        )
                        if first != second and (first not in queues[:switch] or second not in queues[switch:]):
                            continue
                        if any(q != LUNCH and not shift.allowed[i, q] for i, q in enumerate(queues)):
                            continue
                        plan = ShiftPlan(lunch=lunch, queues=queues)
                        if not broken_rules(shift, plan, self.strict):
                            found.append(plan)
        return list(dict.fromkeys(found))

    def solve(
        self,
        kind: str,
        model: cp_model.CpModel,
        choices: dict[int, tuple[tuple[int, int], ShiftPlan]],
        leaving: Sequence[tuple[int, int]],
        own: cp_model.LinearExprT = 0,
    ) -> None:
        """Add coverage to ``model`` (the shifts in ``leaving`` out, ``choices`` in), solve, apply an improvement.

        ``choices``: proto index of a boolean -> (shift, plan) it puts in. The
        current roster is hinted and its cost in the same model is the reference.
        """
        began = time.process_time()
        base = self.counts.copy()
        for key in leaving:
            apply_plan(base, self.shift(key), self.plans[key], -1)
        cover: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        terms: list[cp_model.LinearExprT] = [own]
        for index, (key, plan) in choices.items():
            var = model.get_bool_var_from_proto_index(index)
            if extra := self.extra(key, plan):
                terms.append(extra * var)
            for i, q in enumerate(plan.queues):
                if q != LUNCH:
                    cover[q, self.shift(key).first + i].append(var)
        constant = self.costs.cost(base, slice(None))
        queues = base.shape[0]
        for (q, t), served in sorted(cover.items()):
            low = int(base[q, t])
            values = self.costs.cost(np.tile(np.arange(low, low + len(served) + 1), (queues, 1)), np.array([t]))[q]
            constant[q, t] = 0
            count = model.new_int_var(0, len(served), "")
            model.add(count == sum(served))
            cost = model.new_int_var(int(values.min()), int(values.max()), "")
            for j in range(len(values) - 1):  # convex in whole agents: the largest of its chords
                model.add(cost >= int(values[j]) + int(values[j + 1] - values[j]) * (count - j))
            terms.append(cost)
        model.minimize(sum(terms) + int(constant.sum()))
        reference = cp_model.CpSolver()
        reference.parameters.fix_variables_to_their_hinted_value = True
        reference.parameters.num_workers = 1
        before = reference.solve(model)
        solver = cp_model.CpSolver()
        solver.parameters.max_deterministic_time = self.limit
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 0
        status = solver.solve(model)
        stats = self.stats[kind]
        stats[0] += 1
        stats[1] += status == cp_model.OPTIMAL
        if before in (cp_model.OPTIMAL, cp_model.FEASIBLE) and status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            gain = reference.objective_value - solver.objective_value
            if gain > 0:
                stats[2] += 1
                stats[3] += gain
                for key in leaving:
                    apply_plan(self.counts, self.shift(key), self.plans.pop(key), -1)
                for index, (key, plan) in choices.items():
                    if solver.boolean_value(model.get_bool_var_from_proto_index(index)):
                        self.plans[key] = plan
                        apply_plan(self.counts, self.shift(key), plan, +1)
        stats[4] += time.process_time() - began


def _choose_one_plan(
    model: cp_model.CpModel, probe: Probe, key: tuple[int, int], choices: dict[int, tuple[tuple[int, int], ShiftPlan]]
) -> None:
    """One boolean per one-switch plan of shift ``key`` (its written plan included, hinted), exactly one chosen."""
    plans = probe.one_switch_plans(key)
    if probe.plans[key] not in plans:
        plans.append(probe.plans[key])
    chosen = []
    for plan in plans:
        var = model.new_bool_var("")
        model.add_hint(var, plan == probe.plans[key])
        choices[var.index] = (key, plan)
        chosen.append(var)
    model.add_exactly_one(chosen)


def day_plans(probe: Probe) -> None:
    problem = probe.problem
    for d in range(len(problem.days)):
        keys = sorted(key for key in probe.plans if problem.options[key[1]].day_index == d)
        if not keys:
            continue
        model = cp_model.CpModel()
        choices: dict[int, tuple[tuple[int, int], ShiftPlan]] = {}
        for key in keys:
            _choose_one_plan(model, probe, key, choices)
        probe.solve("day plans", model, choices, keys)


def day_windows(probe: Probe) -> None:
    problem = probe.problem
    worked = {(a, problem.options[o].day_index): o for a, o in probe.plans}
    for d in range(len(problem.days)):
        keys = sorted(key for key in probe.plans if problem.options[key[1]].day_index == d)
        if not keys:
            continue
        first = min(probe.shift(key).first for key in keys)
        last = max(probe.shift(key).last for key in keys)
        short = np.maximum(probe.costs.need[:, first:last] - 100 * probe.counts[:, first:last], 0)
        centre = first + int((short * probe.costs.weight[:, first:last]).sum(axis=0).argmax())
        around = [key for key in keys if probe.shift(key).first <= centre < probe.shift(key).last]
        multi = [key for key in around if len(probe.skills[key[0]]) > 1]
        single = sorted(
            (key for key in around if len(probe.skills[key[0]]) == 1),
            key=lambda key: (abs(probe.shift(key).first + probe.shift(key).last - 2 * centre), key),
        )[:WINDOW_SINGLES]
        model = cp_model.CpModel()
        choices: dict[int, tuple[tuple[int, int], ShiftPlan]] = {}
        for key in multi:
            _choose_one_plan(model, probe, key, choices)
        for a, o in single:
            option = problem.options[o]
            rest = problem.rules[a].min_rest_minutes
            before, after = worked.get((a, d - 1)), worked.get((a, d + 1))
            chosen = []
            for o2 in problem.allowed[a]:
                other = problem.options[o2]
                if other.day_index != d or other.template != option.template:
                    continue
                if before is not None and problem.options[before].end_minute + rest > other.start_minute:
                    continue
                if after is not None and other.end_minute + rest > problem.options[after].start_minute:
                    continue
                shift = probe.shift((a, o2))
                for lunch in shift.lunch_starts:
                    at = shift.lunch_set(lunch)
                    queue = probe.skills[a][0]
                    plan = ShiftPlan(
                        lunch=lunch,
                        queues=tuple(LUNCH if shift.first + i in at else queue for i in range(len(shift.t))),
                    )
                    var = model.new_bool_var("")
                    model.add_hint(var, o2 == o and plan == probe.plans[a, o])
                    choices[var.index] = ((a, o2), plan)
                    chosen.append(var)
            model.add_exactly_one(chosen)
        probe.solve("day window", model, choices, [*multi, *single])
        worked = {(a, problem.options[o].day_index): o for a, o in probe.plans}  # starts may have moved


def agent_pairs(probe: Probe) -> None:
    from scheduler.rostering.model import build_full_model

    problem = probe.problem
    single = sorted(
        (a for a in range(len(problem.agents)) if len(probe.skills[a]) == 1),
        key=lambda a: (probe.skills[a][0], problem.agents[a].contract.name, problem.agents[a].id),
    )
    pairs = [
        pair for pair in zip(single[::2], single[1::2], strict=False) if probe.skills[pair[0]] == probe.skills[pair[1]]
    ]
    for pair in pairs[:PAIRS]:
        roster = build_full_model(problem, coverage=False, agents=pair)
        model = roster.model
        for literal in roster.rule_literals.values():
            model.add(literal == 1)
        choices: dict[int, tuple[tuple[int, int], ShiftPlan]] = {}
        for (a, o), works in sorted(roster.shift.items()):
            model.add_hint(works, (a, o) in probe.plans)
            shift = probe.shift((a, o))
            lunches = []
            for lunch in shift.lunch_starts:
                at = shift.lunch_set(lunch)
                queue = probe.skills[a][0]
                plan = ShiftPlan(
                    lunch=lunch, queues=tuple(LUNCH if shift.first + i in at else queue for i in range(len(shift.t)))
                )
                var = model.new_bool_var("")
                model.add_hint(var, probe.plans.get((a, o)) == plan)
                choices[var.index] = ((a, o), plan)
                lunches.append(var)
            model.add(sum(lunches) == works)
        leaving = [key for key in probe.plans if key[0] in pair]
        probe.solve("agent pairs", model, choices, leaving, roster.objective())


def written_plans(problem, frame: pd.DataFrame) -> dict[tuple[int, int], ShiftPlan]:
    """The plan of every shift in the roster rows (a break counts for the queue worked before it)."""
    index = {agent.id: a for a, agent in enumerate(problem.agents)}
    position = {stamp: t for t, stamp in enumerate(problem.grid)}
    queue_index = {queue: q for q, queue in enumerate(problem.queues)}
    plans = {}
    for (_shift_id, agent_id), rows in frame.groupby(["shift_id", "agent_id"], sort=True):
        a = index[agent_id]
        begin, end = rows["start"].min(), rows["end"].max()
        o = next(o for o in problem.allowed[a] if problem.options[o].start == begin and problem.options[o].end == end)
        option = problem.options[o]
        queues, lunch, previous = [], None, LUNCH
        for t in range(option.first_interval, option.last_interval):
            row = rows[(rows["start"] <= problem.grid[t]) & (rows["end"] > problem.grid[t])].iloc[0]
            if row["activity"] == "lunch":
                lunch = position[row["start"]] if lunch is None else lunch
                queues.append(LUNCH)
            else:
                previous = queue_index[row["queue"]] if row["activity"] == "work" else previous
                queues.append(previous)
        plans[a, o] = ShiftPlan(lunch=lunch, queues=tuple(queues))
    return plans


KINDS = {"plans": day_plans, "windows": day_windows, "pairs": agent_pairs}


def run(size: int, seed: int, weeks: int, limit: float, kinds: Sequence[str] = tuple(KINDS)) -> None:
    from benchmarks.roster_bench import budget_for
    from benchmarks.roster_instances import make_instance
    from scheduler.rostering import make_roster
    from scheduler.rostering.checker import find_violations
    from scheduler.rostering.extract import roster_rows
    from scheduler.rostering.previous import apply_previous
    from scheduler.rostering.problem import build_problem
    from scheduler.rostering.score import score_roster

    config, team, requirements, start, days = make_instance(size, weeks, seed=seed, time_limit_seconds=budget_for(size))
    result = make_roster(config, team, requirements, start, days)
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    probe = Probe(problem, written_plans(problem, result.roster), limit)
    horizon = requirements[(requirements["ds"] >= problem.grid[0]) & (requirements["ds"] <= problem.grid[-1])]
    rebuilt = score_roster(roster_rows(problem, probe.plans), team, config, horizon, start, days).objective
    print(f"{size} agents, seed {seed}: written objective {result.objective:,.0f} (rows read back: {rebuilt:,.0f})")
    for kind in kinds:
        KINDS[kind](probe)
    for kind, (solved, optimal, improved, gain, cpu) in probe.stats.items():
        print(
            f"  {kind:<12} {solved:>3.0f} solved, {optimal:>3.0f} proven optimal, {improved:>3.0f} improved, "
            f"gain {gain:>11,.0f} ({gain / result.objective:.3%}), {cpu:.0f} s CPU"
        )
    frame = roster_rows(problem, probe.plans)
    after = score_roster(frame, team, config, horizon, start, days).objective
    violations = find_violations(frame, team, config, start, days)
    print(
        f"  after all: objective {after:,.0f} ({(after - result.objective) / result.objective:+.3%}), "
        f"{len(violations)} violations"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100])
    parser.add_argument("--seeds", type=int, nargs="+", default=[2])
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--limit", type=float, default=2.0, help="deterministic seconds per neighbourhood solve")
    parser.add_argument(
        "--kinds", nargs="+", choices=sorted(KINDS), default=list(KINDS), help="neighbourhoods to probe"
    )
    args = parser.parse_args()
    for size in args.sizes:
        for seed in args.seeds:
            run(size, seed, args.weeks, args.limit, args.kinds)


if __name__ == "__main__":
    main()
