"""Which move the polish makes next: a day not yet relaxed is guessed by its cost."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from scheduler.rostering.days import DayOutcome, Relaxed
from scheduler.rostering.nextmove import Schedule


def _relaxed(day: int, promise: float) -> Relaxed:
    return Relaxed(
        day=day,
        before=int(promise),
        bound=0.0,
        current={},
        offered={},
        hours={},
        keyed={},
        written={},
        base=np.zeros((1, 1)),
        reach=np.zeros(1, dtype=bool),
        x={},
        z={},
    )


def test_a_day_not_yet_relaxed_is_expected_to_promise_in_proportion_to_its_cost() -> None:
    problem = SimpleNamespace(weeks=[list(range(7)), list(range(7, 14))])
    costs = np.array([1000.0, 100.0, 1000.0, 1000.0, 1000.0, 1000.0, 1000.0] + [5000.0] * 7)  # a short second week
    calls = []
    schedule = Schedule(problem, list(range(14)), lambda: calls.append(1) or costs)  # type: ignore[arg-type]
    assert schedule.next_day() == 0  # nothing relaxed yet: the earliest
    schedule.day_done(0, _relaxed(0, 400), None, 0.1, 0.0)
    # 400 promised on a day costing 1000: a day costing 5000 is expected to promise 2000 ...
    assert schedule._expected(9) == pytest.approx(2000.0)
    # ... and a cheap day at least the mean first promise (it may still hold what the costly ones did)
    assert schedule._expected(1) == pytest.approx(400.0)
    assert schedule.next_day() == 7  # the short week first
    calls.clear()
    schedule.next_day()
    assert calls == []  # the costs are taken again only once something changed
    schedule.touch({3})
    schedule.next_day()
    assert calls == [1]
    # Without costs (the earlier rule): every day not yet relaxed expects the mean first promise.
    plain = Schedule(problem, list(range(14)))  # type: ignore[arg-type]
    plain.day_done(0, _relaxed(0, 400), None, 0.1, 0.0)
    assert plain._expected(9) == pytest.approx(400.0) and plain.next_day() == 1


def test_a_day_whose_settling_found_nothing_goes_last_until_relaxed_again() -> None:
    problem = SimpleNamespace(weeks=[list(range(7))])
    schedule = Schedule(problem, list(range(7)))  # type: ignore[arg-type]
    for d in range(7):
        schedule.day_done(d, _relaxed(d, 100 + 10 * d), None, 0.1, 0.0)
    schedule.touch({3})  # every day of the week stale again
    assert schedule.next_day() == 6  # the largest promise
    schedule.day_done(6, _relaxed(6, 160), DayOutcome(day=6, replaced=False, gain=0, moved={}), 0.1, 0.5)
    schedule.touch({2})  # a change near it: day 6 is stale again ...
    assert schedule._stale(6)
    assert schedule.next_day() == 5  # ... but settled in vain: the others first
    schedule.day_done(5, _relaxed(5, 150), DayOutcome(day=5, replaced=True, gain=100, moved={}), 0.1, 0.5)
    assert schedule._expected(5) == 50  # what is left of its promise
