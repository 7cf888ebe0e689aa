"""Fine grids and large teams: the bound beside the search pools classes and merges intervals in runs
where the exact LP does not fit its share."""

from __future__ import annotations

import dataclasses
import datetime as dt
from unittest import mock

import pytest

from benchmarks.roster_instances import make_instance
from scheduler.rostering import bound as bound_module
from scheduler.rostering import build_problem
from scheduler.rostering.aggregate import BUILD_SECONDS_PER_TERM, agent_classes, count_terms, solve_aggregate
from scheduler.rostering.bound import (
    EXACT,
    LAST_RESORT_RUN_MINUTES,
    MAX_RUN_MINUTES,
    MERGE_MARGIN,
    SOLVE_PER_BUILD,
    Coarsening,
    at_rate,
    coarsening,
    coarsenings,
    lower_bound,
    week_blocks,
)
from scheduler.team import Preference


@pytest.fixture(scope="module")
def problem():  # noqa: ANN201
    config, team, requirements, start, days = make_instance(14, weeks=2, seed=2, time_limit_seconds=1.0)
    return build_problem(config, team, requirements, start, days)


@pytest.fixture(scope="module")
def wished():  # noqa: ANN201
    """The same team, two agents in three wishing (avoid Saturdays; some also prefer early Mondays): more classes."""
    config, team, requirements, start, days = make_instance(14, weeks=2, seed=2, time_limit_seconds=1.0)
    wishes = (
        Preference(kind="avoid", weight=5, weekdays=(5,)),
        Preference(kind="prefer", weight=3, weekdays=(0,), start_to=dt.time(10)),
    )
    agents = tuple(
        dataclasses.replace(agent, preferences=wishes[: 1 + i % 2]) if i % 3 else agent
        for i, agent in enumerate(team.agents)
    )
    return build_problem(config, dataclasses.replace(team, agents=agents), requirements, start, days)


def test_runs_are_the_finest_that_fit_and_never_longer_than_two_hours(problem) -> None:  # noqa: ANN001
    block = week_blocks(problem)[0]
    fine = BUILD_SECONDS_PER_TERM * count_terms(problem, block)
    assert count_terms(problem, block, 2) < count_terms(problem, block)
    # No preferences: no class to pool, runs straight after the exact LP.
    assert [level.merge for level in coarsenings(problem)] == [1, 2, 4]
    assert coarsening(problem, block, share=10 * fine, expected=at_rate(problem, 10.0)) == EXACT
    assert coarsening(problem, block, share=0.9 * 10 * fine, expected=at_rate(problem, 10.0)).merge >= 2
    assert (
        coarsening(problem, block, share=0.0, expected=at_rate(problem, 10.0)).merge * problem.interval_minutes
        == MAX_RUN_MINUTES
    )
    # Four hours only as a last resort, for a week that would otherwise count 0.
    assert coarsenings(problem, last_resort=True)[-1].merge * problem.interval_minutes == LAST_RESORT_RUN_MINUTES
    # Never finer than the weeks before.
    assert (
        coarsening(problem, block, share=10 * fine, expected=at_rate(problem, 10.0), start=Coarsening(merge=2)).merge
        == 2
    )


def test_classes_pooled_across_preferences_come_before_runs_and_bound_below_the_exact_weeks(wished) -> None:  # noqa: ANN001
    assert len(agent_classes(wished, preferences=False)) < len(agent_classes(wished))
    ladder = coarsenings(wished)
    # Each run length with the exact classes first, then pooled.
    assert ladder[:4] == (EXACT, Coarsening(pooled=True), Coarsening(merge=2), Coarsening(pooled=True, merge=2))
    for block in week_blocks(wished):
        exact = solve_aggregate(wished, whole_queues=True, block=block)
        pooled = solve_aggregate(wished, whole_queues=True, block=block, preferences=False)
        assert exact.optimal and pooled.optimal
        # Fewer columns, a smaller charge, and no preference charged: below the exact week (which
        # test_bound_properties.py checks against the optimum), and here strictly.
        assert count_terms(wished, block, preferences=False) < count_terms(wished, block)
        assert pooled.seconds < exact.seconds
        assert 0 < pooled.bound < exact.bound
        # The pooled LP is chosen where the exact one does not fit its share and the pooled one does.
        size = BUILD_SECONDS_PER_TERM * count_terms(wished, block)
        assert coarsening(wished, block, share=0.99 * size, expected=at_rate(wished, 1.0)) == Coarsening(pooled=True)


def test_a_budget_the_fine_weeks_do_not_fit_proves_a_merged_bound_below_the_fine_one(problem) -> None:  # noqa: ANN001
    blocks = week_blocks(problem)
    fine = [solve_aggregate(problem, whole_queues=True, block=block) for block in blocks]
    assert all(result.optimal for result in fine)
    # The first week's guess: the fine LP's size at SOLVE_PER_BUILD, MERGE_MARGIN times over.
    guess = MERGE_MARGIN * SOLVE_PER_BUILD * BUILD_SECONDS_PER_TERM * count_terms(problem, blocks[0])
    # Enough for the guess and the fine weeks: merged only with runs, and only on a tight budget.
    enough = 1.1 * guess * len(blocks) + sum(result.seconds for result in fine)
    generous = lower_bound(problem, enough, runs=True)
    # The same bound as in the budget (which also solves the whole horizon: the weeks' sum again).
    assert generous.bound == pytest.approx(lower_bound(problem, enough).bound, rel=1e-9)
    assert "runs" not in generous.relaxation
    tight = lower_bound(problem, 0.9 * guess * len(blocks), runs=True)
    assert tight.available and "intervals in runs of" in tight.relaxation
    assert tight.bound <= sum(result.bound for result in fine) * (1 + 1e-9)
    assert tight == lower_bound(problem, 0.9 * guess * len(blocks), runs=True)  # counted: the same every time


def test_a_budget_the_exact_weeks_do_not_fit_pools_classes_before_merging_runs(wished) -> None:  # noqa: ANN001
    blocks = week_blocks(wished)
    exact = [solve_aggregate(wished, whole_queues=True, block=block) for block in blocks]
    assert all(result.optimal for result in exact)
    # The first week's share holds the pooled LP at the guessed rate, not the exact one.
    guess = MERGE_MARGIN * SOLVE_PER_BUILD * BUILD_SECONDS_PER_TERM
    sizes = count_terms(wished, blocks[0]) + count_terms(wished, blocks[0], preferences=False)
    budget = len(blocks) * guess * sizes / 2
    with mock.patch.object(bound_module, "RELAXATIONS", bound_module.RELAXATIONS[:1]):
        tight = lower_bound(wished, budget, runs=True)
    assert tight.available and tight.relaxation.endswith("classes pooled across preferences")
    # Below the exact weeks, whose relaxation test_bound_properties.py checks against the optimum.
    assert tight.bound <= sum(result.bound for result in exact)


def _first_relaxations_lps(problem, budget: float) -> tuple[list[tuple[int, int]], object]:  # noqa: ANN001
    """(first day, merge) of each LP the first relaxation solves beside the search, and the bound."""
    solved: list[tuple[int, int]] = []

    def traced(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        solved.append((kwargs["block"].days[0], kwargs["merge"]))
        return solve_aggregate(*args, **kwargs)

    with (
        mock.patch.object(bound_module, "RELAXATIONS", bound_module.RELAXATIONS[:1]),
        mock.patch.object(bound_module, "solve_aggregate", side_effect=traced),
    ):
        proven = lower_bound(problem, budget, runs=True)
    return solved, proven


def test_where_the_guess_coarsens_the_first_week_it_is_probed_coarsest_and_solved_again_with_what_is_left(
    problem,  # noqa: ANN001
) -> None:
    blocks = week_blocks(problem)
    first, second = (block.days[0] for block in blocks)
    guess = at_rate(problem, MERGE_MARGIN * SOLVE_PER_BUILD)
    budget = 0.9 * guess(blocks[0], EXACT) * len(blocks)  # the guess coarsens the first week: runs of 2
    guessed = coarsening(problem, blocks[0], budget / len(blocks), expected=guess)
    assert guessed == Coarsening(merge=2)
    probe = coarsenings(problem, last_resort=True)[-1]
    solved, proven = _first_relaxations_lps(problem, budget)
    # The first week at the coarsest level (its charge measures the rate), the second as fine as the
    # guess said (this tiny team's LPs are far cheaper than guessed), the first again at that level.
    assert solved == [(first, probe.merge), (second, guessed.merge), (first, guessed.merge)]
    weeks = [solve_aggregate(problem, whole_queues=True, block=block, merge=guessed.merge) for block in blocks]
    assert proven.bound == pytest.approx(sum(week.bound for week in weeks), rel=1e-9)
    assert proven.seconds <= budget
    # No probe where the budget would not hold it beside every week at the guessed level, should
    # the guess be right (New York's team): the first week at the guessed level straight away.
    tight = 1.01 * len(blocks) * guess(blocks[0], guessed)
    assert coarsening(problem, blocks[0], tight / len(blocks), expected=guess) == guessed
    solved, _proven = _first_relaxations_lps(problem, tight)
    assert solved[0] == (first, guessed.merge)


def test_coarsened_counts_are_no_guide_and_the_search_hears_so_before_the_first_lp(problem) -> None:  # noqa: ANN001
    # The search beside the bound waits for the first relaxation's counts: where the first week is
    # coarsened they can be no guide, and it hears None then, not once every week is solved (syd300
    # waited 70 s for the three pooled weeks after its first, session 22).
    blocks = week_blocks(problem)
    budget = 0.9 * at_rate(problem, MERGE_MARGIN * SOLVE_PER_BUILD)(blocks[0], EXACT) * len(blocks)
    solved: list[int] = []
    heard: list[tuple[int, object]] = []

    def traced(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        solved.append(kwargs["block"].days[0])
        return solve_aggregate(*args, **kwargs)

    with (
        mock.patch.object(bound_module, "RELAXATIONS", bound_module.RELAXATIONS[:1]),
        mock.patch.object(bound_module, "solve_aggregate", side_effect=traced),
    ):
        proven = lower_bound(problem, budget, on_guide=lambda found: heard.append((len(solved), found)), runs=True)
    assert heard == [(0, None)] and len(solved) == 3  # the bound goes on: probe, second week, first again
    assert proven == _first_relaxations_lps(problem, budget)[1]
