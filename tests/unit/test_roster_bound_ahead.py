"""The first relaxation's later weeks solved ahead while the search waits: the same bound and guide."""

from __future__ import annotations

import functools
import threading
from unittest import mock

import pytest

from benchmarks.roster_instances import make_instance
from scheduler.rostering import bound as bound_module
from scheduler.rostering import build_problem
from scheduler.rostering.aggregate import solve_aggregate
from scheduler.rostering.bound import lower_bound, week_blocks
from scheduler.rostering.bound_ahead import Ahead
from scheduler.rostering.guide import Guide


@pytest.fixture(scope="module")
def problem():  # noqa: ANN201
    config, team, requirements, start, days = make_instance(10, weeks=3, seed=2, time_limit_seconds=10.0)
    return build_problem(config, team, requirements, start, days)


def _bound(problem, ahead: Ahead | None):  # noqa: ANN001, ANN202
    """The first relaxation alone (the later ones are never solved ahead)."""
    guides: list[Guide | None] = []
    with mock.patch.object(bound_module, "RELAXATIONS", bound_module.RELAXATIONS[:1]):
        proven = lower_bound(problem, 10.0, on_guide=guides.append, runs=True, ahead=ahead)
    return proven, guides


def test_weeks_solved_ahead_give_the_same_bound_and_guide(problem) -> None:  # noqa: ANN001
    alone, alone_guides = _bound(problem, None)
    waiting = threading.Event()
    waiting.set()  # the search waits from the start: every week after the first may be solved ahead
    ahead = Ahead(waiting)
    beside, beside_guides = _bound(problem, ahead)
    assert ahead.used >= 1
    assert (beside.bound, beside.seconds, beside.relaxation) == (alone.bound, alone.seconds, alone.relaxation)
    assert alone_guides[0] is not None and beside_guides[0] is not None
    assert beside_guides[0].counts == alone_guides[0].counts


def test_a_week_is_taken_only_at_its_level_and_within_the_limit_it_was_given(problem) -> None:  # noqa: ANN001
    waiting = threading.Event()
    waiting.set()
    block = week_blocks(problem)[2]
    alone = solve_aggregate(problem, whole_queues=True, block=block, time_limit=1.5, keep_counts=True)

    def solved_ahead() -> Ahead:
        ahead = Ahead(waiting)
        solve = functools.partial(solve_aggregate, problem, whole_queues=True, keep_counts=True)
        ahead.plan([(2, block)], 2.0, (1, False), [0.1], solve)  # limit 2.0 - 2 x 0.1 = 1.8
        while ahead._busy is not None or 2 not in ahead._solved:  # noqa: SLF001 - wait for the thread
            threading.Event().wait(0.01)
        return ahead

    assert solved_ahead().take(2, 1, False, left=1.7) is None  # given more than the loop would: not the same solve
    assert solved_ahead().take(2, 2, False, left=1.9) is None  # another level
    taken = solved_ahead().take(2, 1, False, left=1.9)
    assert taken is not None
    assert (taken.bound, taken.seconds, taken.counts) == (alone.bound, alone.seconds, alone.counts)
