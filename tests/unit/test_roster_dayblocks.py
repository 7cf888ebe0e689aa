"""Whole days re-chosen with their plans priced by the dynamic program (dayblocks.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.rostering.checker import find_violations
from scheduler.rostering.dayblocks import BlockDays
from scheduler.rostering.days import DayMoves, plan_of_column
from scheduler.rostering.extract import roster_rows
from scheduler.rostering.score import score_roster
from scheduler.rostering.shiftplan import broken_rules, PlanRules, PlanShift, charged_shapes
from tests.unit.roster_support import written_objective, written_week

_written = written_week  # one cache per worker, shared with the other day tests


@pytest.mark.parametrize("seed", [2, 3])  # lunch 30 min; 60 min and breaks
def test_every_day_replaced_keeps_every_rule_and_never_costs_more(seed: int) -> None:
    config, team, requirements, start, days, problem, chosen, plans = _written(seed)
    moves = BlockDays(problem, chosen, plans)

    def objective(frame: pd.DataFrame) -> float:
        return score_roster(frame, team, config, requirements, start, days).objective

    # Each roster is written and scored once: the cost after a day is the cost before the next
    # (nothing changes the plans in between), and the last day's is the final roster's.
    before = cost = written_objective(seed)
    replaced = 0
    for d in range(len(problem.days)):
        relaxed = moves.relax(d)
        assert relaxed is not None
        outcome = moves.settle(relaxed)
        assert outcome is not None
        replaced += outcome.replaced
        assert outcome.replaced == (outcome.gain > 0)
        frame = roster_rows(problem, moves.plans)
        after = objective(frame)
        # the days' own accounting is the objective's but for the spread of weekends and late shifts
        # among a contract's agents, which no single day prices
        assert after <= cost + 0.002 * cost
        assert find_violations(frame, team, config, start, days) == []
        cost = after
    assert replaced > 0 and cost < before
    assert set(moves.plans) == set(moves.chosen())


def test_priced_plans_keep_the_block_and_switch_rules_and_the_relaxation_only_falls() -> None:
    _config, _team, _requirements, _start, _days, problem, chosen, plans = _written(2)
    listed, priced = DayMoves(problem, chosen, plans), BlockDays(problem, chosen, plans)
    rules = PlanRules(
        switch=problem.settings.switch_weight,
        max_switches=problem.settings.max_switches_per_shift,
        penalty=math.inf,
    )
    blocks = np.array(priced.blocks, dtype=np.int64)
    for d in range(len(problem.days)):
        plain, relaxed = listed.relax(d), priced.relax(d)
        assert plain is not None and relaxed is not None
        assert relaxed.bound <= plain.bound + 1e-6 * max(abs(plain.bound), 1.0)  # more plans: never worse
        assert relaxed.before == plain.before
        for (g, o), columns in relaxed.choices.keyed.items():
            added = set(columns) - set(plain.choices.keyed[g, o])
            shift = PlanShift(problem, priced.standing[g], o, blocks)
            for column in added:
                assert broken_rules(shift, plan_of_column(problem, o, column), rules) == 0
    assert priced.added > 0  # some day's relaxation found plans beyond those changing queue at lunch


def test_days_with_priced_plans_are_deterministic() -> None:
    _config, _team, _requirements, _start, _days, problem, chosen, plans = _written(2)
    runs = []
    for _ in range(2):
        charged_shapes(problem).clear()  # as for a problem met afresh: its programs' compiling charged again
        moves = BlockDays(problem, chosen, plans)
        for d in range(3):
            relaxed = moves.relax(d)
            assert relaxed is not None
            moves.settle(relaxed)
        runs.append((moves.plans, moves.seconds))
    assert runs[0] == runs[1]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=st.integers(min_value=0, max_value=6), seed=st.sampled_from([2, 3]))
def test_a_settled_day_never_loses_a_queue_minimum(day: int, seed: int) -> None:
    _config, _team, _requirements, _start, _days, problem, chosen, plans = _written(seed)
    moves = BlockDays(problem, chosen, plans)
    missing = np.maximum(problem.min_agents - moves.counts, 0)
    relaxed = moves.relax(day)
    assert relaxed is not None
    outcome = moves.settle(relaxed)
    assert outcome is not None
    assert (np.maximum(problem.min_agents - moves.counts, 0) <= missing).all()
