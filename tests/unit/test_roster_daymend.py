"""A settled day's plans mended by the activity stage's dynamic program (daymend.py)."""

from __future__ import annotations

import numpy as np
import pytest

from scheduler.rostering import daymend
from scheduler.rostering.checker import find_violations
from scheduler.rostering.daymend import DayMender
from scheduler.rostering.days import DayMoves
from scheduler.rostering.extract import roster_rows
from scheduler.rostering.score import score_roster
from scheduler.rostering.shiftplan import LUNCH
from tests.unit.roster_support import written_objective
from tests.unit.roster_support import written_week as _written


def _counts(problem, plans):  # noqa: ANN001, ANN202
    counts = np.zeros(problem.required.shape, dtype=np.int64)
    for (_a, o), plan in plans.items():
        for i, q in enumerate(plan.queues):
            if q != LUNCH:
                counts[q, problem.options[o].first_interval + i] += 1
    return counts


def _gains(problem, chosen, plans):  # noqa: ANN001, ANN202
    moves = DayMoves(problem, chosen, plans)
    gains = []
    for d in range(len(problem.days)):
        relaxed = moves.relax(d)
        assert relaxed is not None
        outcome = moves.settle(relaxed)
        assert outcome is not None
        gains.append(outcome.gain)
    return gains, moves


def test_settled_days_mended_gain_more_and_keep_every_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    config, team, requirements, start, days, problem, chosen, plans = _written(3)  # hour-long lunches
    before = written_objective(3)
    mended, moves = _gains(problem, chosen, plans)
    monkeypatch.setattr(daymend, "SWEEPS", 0)
    plain, _ = _gains(problem, chosen, plans)
    assert sum(mended) > sum(plain)  # 14 agents, one week: 1.05M against 0.95M
    frame = roster_rows(problem, moves.plans)
    assert find_violations(frame, team, config, start, days) == []
    assert score_roster(frame, team, config, requirements, start, days).objective < before
    assert (moves.counts == _counts(problem, moves.plans)).all()


def test_mending_never_raises_a_days_cost_and_is_deterministic() -> None:
    _config, _team, _requirements, _start, _days, problem, _chosen, plans = _written(2)
    results = []
    for _run in range(2):
        mender = DayMender(problem)
        mended, counts = dict(plans), _counts(problem, plans)
        costs = []
        for d in range(len(problem.days)):
            keys = [key for key in mended if problem.options[key[1]].day_index == d]
            before = int(mender.costs.cost(counts, slice(None)).sum())
            charged = mender.mend(mended, counts, keys)
            assert charged > 0
            costs.append(int(mender.costs.cost(counts, slice(None)).sum()))
            assert costs[-1] <= before
        assert (counts == _counts(problem, mended)).all()
        results.append((mended, costs, mender.seconds))
    assert results[0] == results[1]
