"""A one-queue shift's plan without the dynamic program is the program's plan, to the float."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.rostering.shiftplan import LUNCH, cheapest_plan, PlanRules, _single_queue_plan


class _FakeShift:
    """The attributes of ``shiftplan.PlanShift`` the planners read, for a shift of ``n`` intervals."""

    def __init__(self, n: int, queues: list[int], allowed: np.ndarray, lunch_starts, lunch_length: int) -> None:
        self.first, self.last = 100, 100 + n
        self.t = np.arange(self.first, self.last)
        self.allowed = allowed
        self.queues = queues
        self.lunch_starts = lunch_starts
        self.lunch_length = lunch_length
        self.blocks = np.full(allowed.shape[1], 2)
        self.charged: set[object] = set()

    def lunch_set(self, lunch):
        return range(lunch, lunch + self.lunch_length) if lunch is not None else range(0)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(4, 20),
    lunch_length=st.integers(0, 2),
    seed=st.integers(0, 2**16),
    whole_numbers=st.booleans(),
    penalty=st.sampled_from([50.0, math.inf]),
)
def test_a_one_queue_shift_gets_the_programs_plan(n, lunch_length, seed, whole_numbers, penalty) -> None:
    rng = np.random.default_rng(seed)
    delta = rng.integers(-500, 500, size=(n, 2)).astype(float)
    if not whole_numbers:
        delta += rng.random((n, 2)) * 7.3  # secondary-skill weights make fractions: the sums must match exactly
    lunches = tuple(range(101, 100 + n - lunch_length)) if lunch_length else (None,)
    rules = PlanRules(switch=30, max_switches=1, penalty=penalty)
    # queue 1 exists but is never allowed: the program runs (two queues) and can only plan queue 0
    allowed = np.zeros((n, 2), dtype=bool)
    allowed[:, 0] = True
    by_program = cheapest_plan(_FakeShift(n, [0, 1], allowed, lunches, lunch_length), delta, rules)
    one = _FakeShift(n, [0], allowed, lunches, lunch_length)
    direct = _single_queue_plan(one, delta, None)
    assert direct is not None and by_program[1] is not None
    assert direct[:2] == by_program[:2]
    assert cheapest_plan(one, delta, rules)[:2] == by_program[:2]  # the program's entry takes the short way
    assert direct[1].queues.count(LUNCH) == lunch_length
    # with the lunch kept (the stage's keep_lunch), both read the same given start
    given_lunch = (lunches[-1],)
    assert (
        _single_queue_plan(one, delta, given_lunch)[:2]
        == cheapest_plan(_FakeShift(n, [0, 1], allowed, lunches, lunch_length), delta, rules, given_lunch)[:2]
    )


def test_a_queue_closing_inside_the_shift_is_left_to_the_program() -> None:
    allowed = np.ones((6, 1), dtype=bool)
    allowed[4:, 0] = False
    shift = _FakeShift(6, [0], allowed, (None,), 0)
    assert _single_queue_plan(shift, np.zeros((6, 1)), None) is None


def test_the_shapes_charged_are_kept_per_problem_and_dropped_with_it() -> None:
    import dataclasses
    import gc

    from benchmarks.roster_instances import make_instance
    from scheduler.rostering.problem import build_problem
    from scheduler.rostering.shiftplan import _CHARGED, charged_shapes

    config, members, requirements, start, days = make_instance(6, weeks=1, seed=2, time_limit_seconds=1.0)
    problem = build_problem(config, members, requirements, start, days)
    other = build_problem(config, members, requirements, start, days)
    shapes = charged_shapes(problem)
    shapes.add("a shape")
    assert charged_shapes(problem) is shapes
    assert charged_shapes(dataclasses.replace(problem, frozen_days=frozenset())) is shapes  # the same demand
    assert charged_shapes(other) == set()  # another problem is charged anew, whatever the cache holds
    held = len(_CHARGED)
    del problem, other, shapes
    gc.collect()
    assert len(_CHARGED) == held - 2
