"""Two agents of one skill group re-choosing their shifts over the whole horizon jointly (issue 14, session 17).

A probe outside any budget (docs/roster-history.md, "Weeks joined (session 17)"). Session 16 found
that of Chicago's (``chi100``) week 2 gap at least 1.85M is how the week joins the others, and
proposed a move of two or three agents of one group re-choosing their day patterns across the
weeks jointly. This is that move for two agents (:class:`PairMoves`): both taken out, one CP-SAT
model with both agents' hard rules (:func:`~scheduler.rostering.model.build_full_model` over the
two) picks their shifts, each option worth what it saves as the first of the pair in its
intervals (with its best lunch), less, in every interval where both work, what the second saves
less than the first (:func:`pair_gains`); both put back with their best lunches and kept only when
the descent's objective (coverage plus both agents' own soft costs) strictly falls. It is charged
like the agent move (deterministic time at its CPU rate, building per option, bookkeeping).

The probe runs the descent (:func:`~scheduler.rostering.descent.descend`, no guide) on an unseen
team with ``--descent`` counted seconds, then tries ``--pairs`` pairs (each agent, fewest shifts
first, with the same-group agent whose worked days differ most) and prints the gain and its charge.
Measured on chi100 (session 17): after a 10 s descent (which stops after its second sweep) every
pair gains (2.05M in 21.2 s charged, 97k per s), but the descent itself gains 229k per s over the
same stretch (29.27M at 10 s, 22.40M at 40 s); after a 25 s descent (converged: whole days and
exchanges done) 30 pairs gain 17.6k in 21.7 s (811 per s). Not in the product.

    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.roster_pairs --team chi100 --descent 25 --pairs 30
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from scheduler.rostering.agentmodels import AgentModels
from scheduler.rostering.charges import BUILD_SECONDS_PER_OPTION
from scheduler.rostering.coveragecost import CoverageCost
from scheduler.rostering.descent import DescentResult
from scheduler.rostering.lunches import Lunches
from scheduler.rostering.model import build_full_model
from scheduler.rostering.problem import RosterProblem
from scheduler.rostering.sat import make_agent_solver

NEVER = np.iinfo(np.int64).min // 4
# Deterministic time one pair's solve may use (two agents' models at once).
PAIR_SOLVE_LIMIT = 0.2


def pair_gains(coverage: CoverageCost, group: int) -> tuple[np.ndarray, np.ndarray]:
    """Per interval, what one more agent of ``group`` saves, and what a second one saves after it."""
    staffed = coverage.served.sum(axis=0)
    reach = coverage.reachable(group)
    one = coverage.cost(staffed) - coverage.cost(staffed + 1)
    two = coverage.cost(staffed + 1) - coverage.cost(staffed + 2)
    coverage.work += 3 * coverage.served[0].size // 4
    one = np.where(reach, one, NEVER)
    first = one.max(axis=0)
    best = one.argmax(axis=0)
    columns = np.arange(one.shape[1])
    # The second agent either raises the same queue once more or the best other queue.
    again = np.where(reach, two, NEVER)[best, columns]
    others = one.copy()
    others[best, columns] = NEVER
    second = np.maximum(again, others.max(axis=0))
    return first, np.minimum(second, first)


class PairMoves:
    """Joint moves of two agents of one skill group, with the descent's bookkeeping."""

    def __init__(self, problem: RosterProblem, models: AgentModels) -> None:
        self.problem = problem
        self.models = models
        self.seconds = 0.0  # charged beyond what ``models`` and the coverage count themselves

    def _covering(self, a: int) -> dict[int, list[int]]:
        """Interval -> agent ``a``'s options spanning it (their nominal span, lunch included)."""
        spans: dict[int, list[int]] = {}
        for o in self.problem.allowed[a]:
            option = self.problem.options[o]
            for t in range(option.first_interval, option.last_interval):
                spans.setdefault(t, []).append(o)
        return spans

    def choose(
        self,
        pair: tuple[int, int],
        first: np.ndarray,
        second: np.ndarray,
        lunches: Lunches,
        current: dict[int, list[int]],
    ) -> dict[int, list[int]] | None:
        """Both agents' shifts from one model (None when it found none within its limit)."""
        problem = self.problem
        roster = build_full_model(problem, coverage=False, agents=pair)
        self.seconds += BUILD_SECONDS_PER_OPTION * sum(len(problem.allowed[a]) for a in pair)
        for literal in roster.rule_literals.values():
            roster.model.add(literal == 1)
        terms = []
        for a in pair:
            options = [o for o in problem.allowed[a] if (a, o) in roster.shift]
            value, _lunch = lunches.values(options, first)
            terms += [value[o] * roster.shift[a, o] for o in options if value[o]]
        penalty = first - second
        a, b = pair
        cover_a, cover_b = self._covering(a), self._covering(b)
        for t in np.flatnonzero(penalty > 0).tolist():
            if t not in cover_a or t not in cover_b:
                continue
            both = roster.model.new_bool_var(f"both[{t}]")
            roster.model.add(
                sum(roster.shift[a, o] for o in cover_a[t] if (a, o) in roster.shift)
                + sum(roster.shift[b, o] for o in cover_b[t] if (b, o) in roster.shift)
                - 1
                <= both
            )
            terms.append(-int(penalty[t]) * both)
        roster.model.minimize(roster.objective() - cp_model.LinearExpr.sum(terms))
        for (x, o), var in roster.shift.items():
            roster.model.add_hint(var, int(o in current[x]))
        solver = make_agent_solver(PAIR_SOLVE_LIMIT)
        status = solver.solve(roster.model)
        self.seconds += self.models.solve_seconds(solver.response_proto.deterministic_time, a)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return {
            x: sorted(o for (y, o), var in roster.shift.items() if y == x and solver.boolean_value(var)) for x in pair
        }

    def move(
        self, pair: tuple[int, int], coverage: CoverageCost, lunches: Lunches, current: dict[int, list[int]]
    ) -> bool:
        """Re-choose both agents' shifts jointly; True when kept (strictly better), else all restored."""
        models = self.models
        own = [models.remembered_cost(x) for x in pair]
        if None in own:
            return False
        group = coverage.group_of[pair[0]]
        before = coverage.total() + sum(c or 0 for c in own)
        missing = coverage.missing_minimum()
        saved = coverage.served.copy(), {x: list(current[x]) for x in pair}
        lunch_saved = {(x, o): lunches.at[x, o] for x in pair for o in current[x] if (x, o) in lunches.at}
        for x in pair:
            for o in current[x]:
                coverage.remove(group, lunches.worked(x, o))
        first, second = pair_gains(coverage, group)
        chosen = self.choose(pair, first, second, lunches, current)
        if chosen is not None and any(sorted(chosen[x]) != sorted(current[x]) for x in pair):
            for x in pair:
                _value, lunch = lunches.values(chosen[x], coverage.gains(group))
                for o in chosen[x]:
                    lunches.at[x, o] = lunch[o]
                    coverage.add(group, lunches.worked(x, o))
                models.remember(x, chosen[x])
            after = coverage.total() + sum(models.remembered_cost(x) or 0 for x in pair)
            if after < before and coverage.missing_minimum() <= missing:
                for x in pair:
                    current[x] = chosen[x]
                return True
        coverage.served[...] = saved[0]
        lunches.at.update(lunch_saved)
        for x, cost in zip(pair, own, strict=True):
            models.restore_cost(x, cost)
        return False


def from_descent(problem: RosterProblem, result: DescentResult) -> tuple[CoverageCost, Lunches, dict[int, list[int]]]:
    """The descent's roster as its bookkeeping: coverage counts, lunches and each agent's shifts."""
    coverage, lunches = CoverageCost(problem), Lunches(problem, movable=True)
    current: dict[int, list[int]] = {a: [] for a in range(len(problem.agents))}
    for a, o in result.chosen:
        current[a].append(o)
    for key, start_at in result.lunch.items():
        if start_at is not None:
            lunches.at[key] = start_at
    for a, shifts in current.items():
        for o in shifts:
            coverage.add(coverage.group_of[a], lunches.worked(a, o), rebalance=False)
    coverage.rebalance(np.arange(len(problem.grid)))
    return coverage, lunches, current


def main() -> None:
    import argparse
    import time

    from benchmarks.roster_unseen_instances import TEAMS, load_instance
    from scheduler.rostering.charges import SECONDS_PER_WORK
    from scheduler.rostering.descent import descend
    from scheduler.rostering.previous import apply_previous
    from scheduler.rostering.problem import build_problem

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--team", default="chi100", choices=sorted(TEAMS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--descent", type=float, default=25.0, help="the descent's counted seconds first")
    parser.add_argument("--pairs", type=int, default=30)
    args = parser.parse_args()
    config, team, requirements, start, days = load_instance(args.team, args.seed)
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    began = time.process_time()
    result = descend(problem, args.descent, whole_days=True)
    assert result is not None
    print(f"descent: {result.seconds:.2f} s charged, {time.process_time() - began:.1f} s CPU", flush=True)
    models = result.models
    assert models is not None
    coverage, lunches, current = from_descent(problem, result)

    def objective() -> int:
        return coverage.total() + sum(models.remembered_cost(a) or 0 for a in current)

    def days_of(a: int) -> int:
        return sum(1 << problem.options[o].day_index for o in set(current[a]))

    moves = PairMoves(problem, models)
    charged_before, work_before = models.deterministic_time, coverage.work
    first = objective()
    kept = tried = 0
    began = time.process_time()
    for a in sorted(current, key=lambda a: (len(current[a]), a)):
        same = [b for b in current if b != a and coverage.group_of[b] == coverage.group_of[a]]
        if tried >= args.pairs or not same:
            continue
        b = max(same, key=lambda b: ((days_of(a) ^ days_of(b)).bit_count(), -b))
        tried += 1
        kept += moves.move((a, b), coverage, lunches, current)
    charged = (
        models.deterministic_time - charged_before + (coverage.work - work_before) * SECONDS_PER_WORK + moves.seconds
    )
    gain = first - objective()
    print(
        f"{tried} pairs, {kept} kept: objective {first:,} -> {objective():,} ({gain:,}); "
        f"{charged:.2f} s charged, {time.process_time() - began:.1f} s CPU, {gain / max(charged, 1e-9):,.0f} per charged s"
    )


if __name__ == "__main__":
    main()
