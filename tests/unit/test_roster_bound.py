"""The lower bounds the roster gap is measured against."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks.roster_instances import make_instance
from scheduler.rostering import build_problem, make_roster
from scheduler.rostering.aggregate import build_seconds, solve_aggregate, solve_seconds
from scheduler.rostering.aggregate_coverage import segment_lines
from scheduler.rostering.checker import find_violations


def test_segment_lines_keep_one_line_per_slope() -> None:
    # Need 2.4 agents at weight 100, overstaffing 2: costs for 0..4 agents.
    curve = [38_000, 18_000, 4_000, 120, 320]
    assert segment_lines(curve) == [(0, 38_000, -20_000), (1, 18_000, -14_000), (2, 4_000, -3_880), (3, 120, 200)]
    assert segment_lines([0, 5, 10, 15]) == [(0, 0, 5)]


@pytest.fixture(scope="module")
def small_instance():  # noqa: ANN201
    return make_instance(
        14, weeks=1, seed=1, time_limit_seconds=0.5
    )  # mixed skills, no lunch: whole agents bind more than skills


def test_whole_agent_bound_is_stronger_and_still_below_a_roster(small_instance) -> None:  # noqa: ANN001
    config, team, requirements, start, days = small_instance
    problem = build_problem(config, team, requirements, start, days)
    fractional = solve_aggregate(problem).bound
    whole = solve_aggregate(problem, whole_agents=True).bound
    stages: list[str] = []
    roster = make_roster(config, team, requirements, start, days, progress=stages.append)
    # Fractional agents cover this week's fractional requirements exactly; whole ones cannot.
    assert fractional < whole <= roster.objective
    # Even on a budget this tight there is a valid roster: the descent's, made before CP-SAT searches.
    assert stages[0] == "roster: agent-by-agent descent"
    assert find_violations(roster.roster, team, config, start, days) == []


def test_per_queue_bound_knows_skills_and_the_roster_reports_the_larger(small_instance) -> None:  # noqa: ANN001
    """Chat-only agents cannot touch email or social demand: only the per-queue bound knows it."""
    config, team, requirements, start, days = small_instance
    chat_only = dataclasses.replace(
        team, agents=tuple(dataclasses.replace(agent, channels=("chat",)) for agent in team.agents)
    )
    problem = build_problem(config, chat_only, requirements, start, days)
    per_queue = solve_aggregate(problem).bound
    whole = solve_aggregate(problem, whole_agents=True).bound
    assert per_queue > whole
    roster = make_roster(config, chat_only, requirements, start, days)
    assert per_queue <= roster.best_bound <= roster.objective  # CP-SAT may prove more on a small team


def test_whole_queue_bound_is_the_strongest_and_still_below_a_roster(small_instance) -> None:  # noqa: ANN001
    """Whole agents per queue: above the fractional per-queue bound by construction, below any roster."""
    config, team, requirements, start, days = small_instance
    problem = build_problem(config, team, requirements, start, days)
    whole_queues = solve_aggregate(problem, whole_queues=True)
    assert whole_queues.optimal
    assert whole_queues.bound >= solve_aggregate(problem).bound
    generous = dataclasses.replace(
        config, roster=dataclasses.replace(config.roster, time_limit_seconds=2.0)
    )  # enough for the bound's share (counted work: the same on any machine)
    roster = make_roster(generous, team, requirements, start, days)
    assert whole_queues.bound <= roster.objective
    assert roster.bound_available and roster.best_bound >= whole_queues.bound * (1 - 1e-9)  # the roster reports it


def test_a_bound_that_cannot_be_built_in_its_budget_is_not_built(small_instance) -> None:  # noqa: ANN001
    config, team, requirements, start, days = small_instance
    problem = build_problem(config, team, requirements, start, days)
    result = solve_aggregate(problem, whole_queues=True, time_limit=build_seconds(problem) * 0.99)
    assert not result.optimal and result.bound == 0.0


def test_a_long_simplex_solve_is_charged_more_per_iteration() -> None:
    """GLOP's iterations get dearer as the basis fills: twice the iterations cost more than twice."""
    rows = 4_000
    assert solve_seconds(0, rows) == 0.0
    assert solve_seconds(20_000, rows) > 2 * solve_seconds(10_000, rows)
    assert solve_seconds(10_000, 2 * rows) > solve_seconds(10_000, rows)
