"""The compiled shift program (:mod:`scheduler.rostering.shiftprogram`) chooses the walk's plans, ties included.

The oracle is the dynamic program as the activity stage ran it before it was
compiled: one state at a time, in dictionaries. Costs from a small set of
whole numbers make ties common, so the order in which predecessors, final
states and lunch starts are preferred is exercised, not only the optimum.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.rostering.activities import ServingCosts
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan, cheapest_plan, PlanRules
from scheduler.rostering.shiftprogram import _CACHE, CACHE_SIZE


class _FakeShift:
    """The attributes of ``shiftplan.PlanShift`` the planners read."""

    def __init__(self, n, queues, allowed, lunch_starts, lunch_length, blocks, first=100) -> None:
        self.first, self.last = first, first + n
        self.t = np.arange(self.first, self.last)
        self.allowed = allowed
        self.queues = queues
        self.lunch_starts = lunch_starts
        self.lunch_length = lunch_length
        self.blocks = blocks
        self.charged: set[object] = set()  # shapes whose compiling was charged (one problem's)

    def lunch_set(self, lunch):
        return range(lunch, lunch + self.lunch_length) if lunch is not None else range(0)


def _walked_plan(
    shift: _FakeShift, delta: np.ndarray, rules: PlanRules, lunches: tuple[int | None, ...] | None = None
) -> tuple[int, ShiftPlan | None, int]:
    """The dynamic program written out one state at a time, as the activity stage ran it until session 12."""
    n = len(shift.t)
    queues = shift.queues
    cap = {q: max(int(shift.blocks[q]), 1) for q in queues}
    most, switch, penalty = rules.max_switches, rules.switch, rules.penalty
    infinite = math.inf
    best: tuple[float, ShiftPlan | None] = (infinite, None)
    steps = 0
    delta_rows = delta.tolist()
    allowed_rows = shift.allowed.tolist()
    State = tuple[int, int, bool, int]
    for lunch in shift.lunch_starts if lunches is None else lunches:
        at_lunch = shift.lunch_set(lunch)
        lunch_begin = at_lunch.start - shift.first if lunch is not None else n
        lunch_end = at_lunch.stop - shift.first if lunch is not None else n
        states: dict[State, float] = {}
        back: list[dict[State, State | None]] = []
        piece_start = True
        for i in range(n):
            if lunch_begin <= i < lunch_end:  # states carry over lunch; the next interval starts a stretch
                back.append({})
                piece_start = True
                continue
            allowed = allowed_rows[i]
            row = delta_rows[i]
            new: dict[State, float] = {}
            pointer: dict[State, State | None] = {}
            if not states:  # the shift's first interval
                for q in queues:
                    if allowed[q]:
                        new[q, 1, True, 0] = row[q]
                        pointer[q, 1, True, 0] = None
            else:
                for state, value in states.items():
                    q, r, whole, k = state
                    steps += len(queues)
                    # An ending block pays unless it reached its minimum (or, at lunch, began its stretch).
                    ending = 0 if r >= cap[q] or (piece_start and whole) else penalty
                    if allowed[q]:
                        change, k2 = switch + (penalty if k >= most else 0), min(k + 1, most)
                    else:  # q has closed: the change is forced by opening hours, not counted
                        change, k2 = switch, k
                    if not piece_start and allowed[q]:
                        r2 = min(r + 1, cap[q])
                        key = (q, r2, whole and r2 < cap[q], k)  # a block at its minimum may end anyway
                        cost = value + row[q]
                        if cost < new.get(key, infinite):
                            new[key], pointer[key] = cost, state
                    for q2 in queues:
                        if not allowed[q2]:
                            continue
                        if piece_start:  # after lunch: a new stretch, a switch only if the queue differs
                            key = (q2, 1, True, k2 if q2 != q else k)
                            cost = value + ending + (change if q2 != q else 0) + row[q2]
                        elif q2 != q:
                            key = (q2, 1, False, k2)
                            cost = value + ending + change + row[q2]
                        else:
                            continue
                        if cost < new.get(key, infinite):
                            new[key], pointer[key] = cost, state
            piece_start = False
            states = new
            back.append(pointer)
        if not states:
            continue
        finals = {key: value + (0 if key[1] >= cap[key[0]] or key[2] else penalty) for key, value in states.items()}
        end_key = min(finals, key=lambda key: (finals[key], key))
        if finals[end_key] < best[0]:
            plan = [LUNCH] * n
            trace: State | None = end_key
            for i in range(n - 1, -1, -1):
                if lunch_begin <= i < lunch_end:
                    continue
                assert trace is not None
                plan[i] = trace[0]
                trace = back[i][trace]
            best = (finals[end_key], ShiftPlan(lunch=lunch, queues=tuple(plan)))
    if best[1] is None:
        return 0, None, steps
    return int(best[0]), best[1], steps


@st.composite
def _cases(draw):
    n = draw(st.integers(2, 20))
    width = draw(st.integers(2, 4))
    queues = sorted(draw(st.sets(st.integers(0, width - 1), min_size=2, max_size=width)))
    allowed = np.zeros((n, width), dtype=bool)
    for q in queues:
        if draw(st.booleans()):
            allowed[:, q] = True
        else:  # open part of the shift only: forced changes, queues closing on short blocks
            begin = draw(st.integers(0, n))
            allowed[begin : draw(st.integers(begin, n)), q] = True
    for i in range(n):
        if not allowed[i, queues].any():
            allowed[i, queues[draw(st.integers(0, len(queues) - 1))]] = True
    lunch_length = draw(st.integers(0, 3))
    if lunch_length and draw(st.booleans()):
        starts = tuple(sorted(draw(st.sets(st.integers(100, 100 + n + 1), min_size=1, max_size=6))))
    else:
        starts = (None,)
    blocks = np.array(draw(st.lists(st.integers(1, 4), min_size=width, max_size=width)))
    rules = PlanRules(
        switch=draw(st.sampled_from([0, 1, 30, 500])),
        max_switches=draw(st.integers(0, 2)),
        penalty=draw(st.sampled_from([50, 10**6, math.inf])),
    )
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if draw(st.booleans()):  # few distinct whole costs: ties everywhere
        delta = rng.integers(-2, 3, size=(n, width)).astype(np.int64) * draw(st.sampled_from([1, 25, 10**9]))
    else:  # fractions (secondary-skill weights): the sums must round alike
        delta = rng.integers(-500, 500, size=(n, width)) + rng.random((n, width)) * 7.3
    given_lunch = draw(st.booleans()) and starts != (None,)
    shift = _FakeShift(n, queues, allowed, starts, lunch_length, blocks, first=draw(st.sampled_from([0, 100])))
    return shift, delta, rules, (starts[-1],) if given_lunch else None


@settings(max_examples=250, deadline=None)
@given(case=_cases())
def test_the_compiled_program_chooses_the_walks_plan(case) -> None:
    shift, delta, rules, lunches = case
    try:
        walked = _walked_plan(shift, delta, rules, lunches)
    except AssertionError:  # the walk's states all died inside the shift: it could not trace a plan back
        return
    cost, plan, seconds = cheapest_plan(shift, delta, rules, lunches)
    assert (cost, plan) == walked[:2]
    program = next(reversed(_CACHE.values()))  # the one just used
    assert program.steps == walked[2]  # the walk's steps, which its compiling is charged by
    assert seconds == program.run_seconds + program.compile_seconds  # a new problem's first use of the shape
    assert cheapest_plan(shift, delta, rules, lunches)[2] == program.run_seconds  # then the run alone


def test_a_plan_whose_states_die_inside_the_shift_is_not_chosen() -> None:
    # Queue 0 alone open for one interval, then closed: its block (minimum 2) cannot end, no state lives on
    # under the strict rules; queue 1 opens after. The walk restarted and failed to trace it back.
    allowed = np.array([[True, False], [False, True], [False, True]])
    shift = _FakeShift(3, [0, 1], allowed, (None,), 0, np.array([2, 1]))
    rules = PlanRules(switch=1, max_switches=1, penalty=math.inf)
    cost, plan, _steps = cheapest_plan(shift, np.zeros((3, 2), dtype=np.int64), rules)
    assert plan is None and cost == 0
    finite = PlanRules(switch=1, max_switches=1, penalty=50)
    assert cheapest_plan(shift, np.zeros((3, 2), dtype=np.int64), finite)[:2] == (
        51,
        ShiftPlan(lunch=None, queues=(0, 1, 1)),
    )


def test_shapes_are_compiled_once_and_the_cache_is_bounded() -> None:
    allowed = np.ones((6, 2), dtype=bool)
    rules = PlanRules(switch=1, max_switches=1, penalty=50)
    delta = np.arange(12, dtype=np.int64).reshape(6, 2)
    for first in (0, 7, 20):  # the same shape anywhere on the grid: one program
        cheapest_plan(_FakeShift(6, [0, 1], allowed, (first + 2,), 1, np.array([2, 2]), first=first), delta, rules)
    sizes = len(_CACHE)
    cheapest_plan(_FakeShift(6, [0, 1], allowed, (9,), 1, np.array([2, 2]), first=7), delta, rules)
    assert len(_CACHE) == sizes <= CACHE_SIZE
    plan = cheapest_plan(_FakeShift(6, [0, 1], allowed, (22,), 1, np.array([2, 2]), first=20), delta, rules)[1]
    assert plan is not None and plan.lunch == 22 and plan.queues[2] == LUNCH


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(st.integers(0, 6), min_size=6, max_size=6),
    need=st.lists(st.integers(0, 700), min_size=6, max_size=6),
    minimum=st.lists(st.integers(0, 3), min_size=6, max_size=6),
    over=st.integers(0, 50),
)
def test_the_marginal_cost_is_the_difference_of_costs(counts, need, minimum, over) -> None:
    costs = object.__new__(ServingCosts)  # the grid's arrays set by hand: one queue, six intervals
    costs.need = np.array([need], dtype=np.int64)
    costs.weight = np.array([[1, 3, 1, 3, 1, 3]], dtype=np.int64)
    costs.over = over
    costs.minimum = np.array([minimum], dtype=np.int64)
    costs.missing = 10**9
    served = np.array([counts], dtype=np.int64)
    every = np.arange(6)
    expected = costs.cost(served + 1, every) - costs.cost(served, every)
    assert np.array_equal(costs.marginal(served, 0, 6), expected)


def test_a_shapes_compiling_is_charged_once_per_problem_whatever_the_cache_holds() -> None:
    allowed = np.ones((8, 2), dtype=bool)
    rules = PlanRules(switch=1, max_switches=1, penalty=50)
    delta = np.arange(16, dtype=np.int64).reshape(8, 2)
    one = _FakeShift(8, [0, 1], allowed, (103, 104), 1, np.array([2, 3]))
    other = _FakeShift(8, [0, 1], allowed, (203, 204), 1, np.array([2, 3]), first=200)
    other.charged = one.charged  # another shift of the same problem, the same shape
    first = cheapest_plan(one, delta, rules)[2]
    again = cheapest_plan(other, delta, rules)[2]
    program = next(reversed(_CACHE.values()))
    assert program.compile_seconds > 0 and program.run_seconds > 0
    assert (first, again) == (program.run_seconds + program.compile_seconds, program.run_seconds)
    fresh = _FakeShift(8, [0, 1], allowed, (103, 104), 1, np.array([2, 3]))  # another problem: cached, charged
    assert cheapest_plan(fresh, delta, rules)[2] == first
