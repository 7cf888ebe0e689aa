"""Which move the polish makes next: a day not yet relaxed is guessed by its cost."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest

from benchmarks.roster_instances import make_instance
from scheduler.rostering.coveragecost import CoverageCost
from scheduler.rostering.days import DayOutcome
from scheduler.rostering.nextmove import Schedule, block_loss
from scheduler.rostering.polish import plan_of
from scheduler.rostering.previous import apply_previous
from scheduler.rostering.problem import build_problem
from scheduler.rostering.shiftplan import LUNCH
from tests.unit.roster_support import relaxed_day


def test_a_day_not_yet_relaxed_is_expected_to_promise_in_proportion_to_its_cost() -> None:
    problem = SimpleNamespace(weeks=[list(range(7)), list(range(7, 14))])
    costs = np.array([1000.0, 100.0, 1000.0, 1000.0, 1000.0, 1000.0, 1000.0] + [5000.0] * 7)  # a short second week
    calls = []
    schedule = Schedule(problem, list(range(14)), lambda: calls.append(1) or costs)  # type: ignore[arg-type]
    assert schedule.next_day() == 0  # nothing relaxed yet: the earliest
    schedule.day_done(0, relaxed_day(0, 400), None, 0.1, 0.0)
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
    plain.day_done(0, relaxed_day(0, 400), None, 0.1, 0.0)
    assert plain._expected(9) == pytest.approx(400.0) and plain.next_day() == 1


def test_a_day_whose_settling_found_nothing_goes_last_until_relaxed_again() -> None:
    problem = SimpleNamespace(weeks=[list(range(7))])
    schedule = Schedule(problem, list(range(7)))  # type: ignore[arg-type]
    for d in range(7):
        schedule.day_done(d, relaxed_day(d, 100 + 10 * d), None, 0.1, 0.0)
    schedule.touch({3})  # every day of the week stale again
    assert schedule.next_day() == 6  # the largest promise
    schedule.day_done(6, relaxed_day(6, 160), DayOutcome(day=6, replaced=False, gain=0, moved={}), 0.1, 0.5)
    schedule.touch({2})  # a change near it: day 6 is stale again ...
    assert schedule._stale(6)
    assert schedule.next_day() == 5  # ... but settled in vain: the others first
    schedule.day_done(5, relaxed_day(5, 150), DayOutcome(day=5, replaced=True, gain=100, moved={}), 0.1, 0.5)
    assert schedule._expected(5) == 50  # what is left of its promise


def test_cheap_days_not_yet_relaxed_go_by_their_block_loss_and_a_settled_day_is_not_stale_by_itself() -> None:
    problem = SimpleNamespace(weeks=[list(range(7)), list(range(7, 14))])
    losses = np.array([float(d % 5) for d in range(14)])
    schedule = Schedule(problem, list(range(14)), day_losses=lambda: losses)  # type: ignore[arg-type]
    assert schedule.next_day() == 4  # all alike: the largest block loss, the earliest of equals
    schedule.day_done(4, relaxed_day(4, 300), DayOutcome(day=4, replaced=True, gain=100, moved={}), 0.1, 0.1)
    schedule.settled(4)
    assert not schedule._stale(4) and schedule._stale(3) and schedule._stale(5)  # its week moved, not its bound
    assert schedule.next_day() == 9  # the others still expect the mean first promise; 9 loses most of them


def _binding_problem():  # noqa: ANN202
    config, team, requirements, start, days = make_instance(25, weeks=1, seed=2, time_limit_seconds=2.0)
    return apply_previous(build_problem(config, team, requirements, start, days), None, None)


def test_block_loss_is_what_a_free_split_of_the_multi_skilled_agents_saves() -> None:
    """Two all-skills agents on the same shift, both on chat: per interval, the best re-split's saving."""
    problem = _binding_problem()
    coverage = CoverageCost(problem)
    multi = [a for a, agent in enumerate(problem.agents) if len(agent.channels) > 1]
    assert len(multi) >= 2
    shared = sorted(set(problem.allowed[multi[0]]) & set(problem.allowed[multi[1]]))
    o = next(o for o in shared if problem.options[o].day_index == 2)
    option = problem.options[o]
    chat = problem.queues.index("chat")
    plans = {(a, o): plan_of(problem, o, option.nominal_lunch, chat, chat, option.last_interval) for a in multi[:2]}
    counts = np.zeros(problem.required.shape, dtype=np.int64)
    for plan in plans.values():
        for i, q in enumerate(plan.queues):
            if q != LUNCH:
                counts[q, option.first_interval + i] += 1
    loss, seconds = block_loss(problem, coverage, counts, plans)
    assert seconds > 0
    charged = coverage.is_open | (coverage.need > 0)

    def cost(column: np.ndarray, t: int) -> int:
        return int(np.where(charged[:, t], coverage.cost(column, slice(None), t), 0).sum())

    expected = np.zeros(counts.shape[1])
    for t in np.flatnonzero(counts.sum(axis=0)).tolist():
        best = cost(counts[:, t], t)
        for split in itertools.product(range(len(problem.queues)), repeat=int(counts[:, t].sum())):
            if all(problem.is_open[q, t] for q in split):  # every split of the two among open queues
                best = min(best, cost(np.bincount(np.array(split), minlength=len(problem.queues)), t))
        expected[t] = cost(counts[:, t], t) - best
    assert loss == pytest.approx(expected)
    assert loss.sum() > 0  # both on chat is not the best split somewhere
