"""Whole days re-chosen jointly: every agent's shift on a day and the plans of its shifts."""

from __future__ import annotations

import pytest

from scheduler.rostering import daymend
from scheduler.rostering.checker import find_violations
from scheduler.rostering.days import DayMoves, changes_at_lunch, improve_days
from scheduler.rostering.extract import roster_rows
from scheduler.rostering.plans import PlanColumn
from scheduler.rostering.score import score_roster
from tests.unit.roster_support import written_objective, written_week

_written = written_week  # one cache per worker for this file, test_roster_daymend.py and test_roster_dayprogram.py


@pytest.mark.parametrize(
    ("seed", "budget"),
    [(2, 0.7), pytest.param(2, 100.0, marks=pytest.mark.slow), pytest.param(3, 100.0, marks=pytest.mark.slow)],
)  # lunch 30 min; 60 min and breaks; a few days, or the whole week
def test_days_keep_every_rule_never_do_worse_and_improve(seed: int, budget: float) -> None:
    config, team, requirements, start, days, problem, chosen, plans = _written(seed)
    before = written_objective(seed)
    result = improve_days(problem, chosen, plans, budget)
    frame = roster_rows(problem, result.plans)
    assert find_violations(frame, team, config, start, days) == []
    after = score_roster(frame, team, config, requirements, start, days).objective
    assert after <= before
    assert result.solved == len(problem.days) or budget < 100
    assert result.improved > 0 and after < before  # the descent after half a second leaves room
    assert set(result.plans) == set(result.chosen)


def test_days_stop_within_their_budget_and_are_deterministic() -> None:
    _config, _team, _requirements, _start, _days, problem, chosen, plans = _written(2)
    first = improve_days(problem, chosen, plans, 0.4)
    assert 0 < first.solved < len(problem.days)  # the budget ran out before the week did
    again = improve_days(problem, chosen, plans, 0.4)
    assert again.plans == first.plans and again.seconds == first.seconds


def test_no_budget_no_change() -> None:
    _config, _team, _requirements, _start, _days, problem, chosen, plans = _written(2)
    result = improve_days(problem, chosen, plans, 0.0)
    assert result.solved == 0 and result.plans == plans and result.chosen == tuple(sorted(chosen))


def test_offered_plans_change_queue_only_across_lunch() -> None:
    lunch_at_3 = ((1, 0), (2, 0), (4, 1), (5, 1))  # interval 3 is lunch
    assert changes_at_lunch(PlanColumn(lunch=3, cover=lunch_at_3, switches=1))
    assert changes_at_lunch(PlanColumn(lunch=3, cover=((1, 0), (2, 0), (4, 0), (5, 0)), switches=0))
    assert not changes_at_lunch(PlanColumn(lunch=3, cover=((1, 0), (2, 1), (4, 1), (5, 1)), switches=1))


def test_a_day_gains_at_most_what_its_relaxation_promised_and_keeps_every_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    # The relaxation's plans change queue at lunch only; the mending after a settling (daymend.py)
    # may find plans beyond them, so the promise bounds the program's own gain, without mending.
    monkeypatch.setattr(daymend, "SWEEPS", 0)
    config, team, requirements, start, days, problem, chosen, plans = _written(2)
    moves = DayMoves(problem, chosen, plans)
    before = written_objective(2)
    gained = 0
    for d in range(len(problem.days)):
        relaxed = moves.relax(d)
        assert (
            relaxed is not None and relaxed.before >= relaxed.bound - 1e-6
        )  # the day as it is is one of its solutions
        outcome = moves.settle(relaxed)
        assert outcome is not None and outcome.replaced == (outcome.gain > 0)
        assert outcome.gain <= relaxed.promise + 1e-6
        gained += outcome.gain
    frame = roster_rows(problem, moves.plans)
    assert find_violations(frame, team, config, start, days) == []
    after = score_roster(frame, team, config, requirements, start, days).objective
    # the days' own accounting (coverage, hours below target, switches) is the objective's but for the
    # spread of weekends and late shifts among a contract's agents, which no single day prices
    assert gained > 0 and after < before and abs(after - (before - gained)) <= 0.002 * before


def test_a_settled_day_reports_the_hours_change_of_each_agent_it_moved() -> None:
    _config, _team, _requirements, _start, _days, problem, chosen, plans = _written(2)
    moves = DayMoves(problem, chosen, plans)
    for d in range(len(problem.days)):
        relaxed = moves.relax(d)
        assert relaxed is not None
        outcome = moves.settle(relaxed)
        assert outcome is not None
        after = {a: o for (a, day), o in moves.shift_on.items() if day == d}
        for a, change in outcome.moved.items():
            assert relaxed.current.get(a) != after.get(a)
            assert change == relaxed.choices.hours[a].get(after.get(a), 0) - relaxed.choices.hours[a].get(relaxed.current.get(a), 0)
        unmoved = set(relaxed.current) | set(after)
        assert {a for a in unmoved if relaxed.current.get(a) != after.get(a)} == set(outcome.moved)


def test_loading_a_roster_again_gives_the_same_days() -> None:
    _config, _team, _requirements, _start, _days, problem, chosen, plans = _written(2)
    fresh = DayMoves(problem, chosen, plans)
    reused = DayMoves(problem, [], {})
    reused.load(chosen, plans)
    first, second = fresh.relax(3), reused.relax(3)
    assert first is not None and second is not None
    assert (first.before, first.bound) == (second.before, second.bound)
