"""benchmarks/roster_pairs.py: two agents of one skill group re-chosen jointly never raise the descent's objective."""

from __future__ import annotations

import numpy as np

from benchmarks.roster_pairs import PairMoves, from_descent, pair_gains
from scheduler.rostering import build_problem
from scheduler.rostering.descent import descend
from tests.unit.roster_support import two_weeks_inputs


def test_pairs_keep_only_what_lowers_the_objective_and_restore_the_rest() -> None:
    problem = build_problem(*two_weeks_inputs())
    result = descend(problem, 0.1)
    assert result is not None
    coverage, lunches, current = from_descent(problem, result)
    assert (coverage.served.sum(axis=0) == result.served.sum(axis=0)).all()
    models = result.models
    assert models is not None

    def objective() -> int:
        return coverage.total() + sum(models.remembered_cost(a) or 0 for a in current)

    moves = PairMoves(problem, models)
    missing = coverage.missing_minimum()
    group = coverage.group_of[0]
    first, second = pair_gains(coverage, group)
    assert (second <= first).all()
    same = [a for a in current if coverage.group_of[a] == group]
    kept = 0
    for a, b in list(zip(same, same[1:], strict=False))[:2]:
        before, served, shifts = objective(), coverage.served.copy(), {x: list(current[x]) for x in (a, b)}
        if moves.move((a, b), coverage, lunches, current):
            kept += 1
            assert objective() < before
        else:
            assert objective() == before and np.array_equal(coverage.served, served)
            assert all(current[x] == shifts[x] for x in (a, b))
    assert kept and moves.seconds > 0 and coverage.missing_minimum() <= missing
