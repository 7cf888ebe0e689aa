"""Fine grids: the bound beside the search merges intervals in runs where the fine LP does not fit its share."""

from __future__ import annotations

import pytest

from benchmarks.roster_instances import make_instance
from scheduler.rostering import build_problem
from scheduler.rostering.aggregate import BUILD_SECONDS_PER_TERM, count_terms, solve_aggregate
from scheduler.rostering.bound import (
    MAX_RUN_MINUTES,
    MERGE_MARGIN,
    SOLVE_PER_BUILD,
    lower_bound,
    run_length,
    week_blocks,
)


@pytest.fixture(scope="module")
def problem():  # noqa: ANN201
    config, team, requirements, start, days = make_instance(14, weeks=2, seed=2, time_limit_seconds=1.0)
    return build_problem(config, team, requirements, start, days)


def test_runs_are_the_finest_that_fit_and_never_longer_than_two_hours(problem) -> None:  # noqa: ANN001
    block = week_blocks(problem)[0]
    fine = BUILD_SECONDS_PER_TERM * count_terms(problem, block)
    assert count_terms(problem, block, 2) < count_terms(problem, block)
    assert run_length(problem, block, share=10 * fine, rate=10.0) == 1
    assert run_length(problem, block, share=0.9 * 10 * fine, rate=10.0) >= 2
    assert run_length(problem, block, share=0.0, rate=10.0) * problem.interval_minutes == MAX_RUN_MINUTES
    # Never finer than the weeks before.
    assert run_length(problem, block, share=10 * fine, rate=10.0, merge=2) == 2


def test_a_budget_the_fine_weeks_do_not_fit_proves_a_merged_bound_below_the_fine_one(problem) -> None:  # noqa: ANN001
    blocks = week_blocks(problem)
    fine = [solve_aggregate(problem, whole_queues=True, block=block) for block in blocks]
    assert all(result.optimal for result in fine)
    # The first week's guess: the fine LP's size at SOLVE_PER_BUILD, MERGE_MARGIN times over.
    guess = MERGE_MARGIN * SOLVE_PER_BUILD * BUILD_SECONDS_PER_TERM * count_terms(problem, blocks[0])
    # Enough for the guess and the fine weeks: merged only with runs, and only on a tight budget.
    enough = 1.1 * guess * len(blocks) + sum(result.seconds for result in fine)
    generous = lower_bound(problem, enough, runs=True)
    assert generous == lower_bound(problem, enough)
    assert "runs" not in generous.relaxation
    tight = lower_bound(problem, 0.9 * guess * len(blocks), runs=True)
    assert tight.available and "intervals in runs of" in tight.relaxation
    assert tight.bound <= sum(result.bound for result in fine) * (1 + 1e-9)
    assert tight == lower_bound(problem, 0.9 * guess * len(blocks), runs=True)  # counted: the same every time
