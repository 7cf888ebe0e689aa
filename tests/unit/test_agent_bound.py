"""The agent-week bound: its pricing against enumeration, and the bound between the relaxation and a roster."""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest

from benchmarks.roster_instances import make_instance
from scheduler.rostering import make_roster
from scheduler.rostering.agent_bound import (
    CLOSE_ENOUGH,
    WeekRules,
    cheapest_week,
    hours_cost,
    solve_agent_week,
    week_rules,
)
from scheduler.rostering.aggregate import solve_aggregate
from scheduler.rostering.bound import week_blocks
from scheduler.rostering.previous import apply_previous
from scheduler.rostering.problem import build_problem


def _rules(**changes: object) -> WeekRules:
    # Five days, three options a day: early (6-14), mid (10-16), late (14-22), paid 480 / 360 / 480.
    days = tuple(range(5))
    options, start, end, paid = [], {}, {}, {}
    for d in days:
        today = []
        for k, (begin, finish, minutes) in enumerate(((6, 14, 480), (10, 16, 360), (14, 22, 480))):
            o = 3 * d + k
            today.append(o)
            start[o], end[o], paid[o] = (24 * d + begin) * 60, (24 * d + finish) * 60, minutes
        options.append(tuple(today))
    values: dict[str, object] = dict(
        days=days,
        options=tuple(options),
        start=start,
        end=end,
        paid=paid,
        must=(None,) * 5,
        low=840,
        high=1800,
        target=1800,
        hours_weight=1,
        max_shifts=4,
        max_run=3,
        min_off=2,
        run_before=0,
        rest=11 * 60,
    )
    values.update(changes)
    return WeekRules(**values)  # type: ignore[arg-type]


def _allowed(rules: WeekRules, choice: tuple[int | None, ...]) -> bool:
    """The rules checked directly on one choice per day (None: off)."""
    worked = [o for o in choice if o is not None]
    minutes = sum(rules.paid[o] for o in worked)
    if len(worked) > rules.max_shifts or not rules.low <= minutes <= rules.high:
        return False
    if any(must is not None and must != o for must, o in zip(rules.must, choice, strict=True)):
        return False
    run = rules.run_before
    for i, o in enumerate(choice):
        run = run + 1 if o is not None else 0
        if run > rules.max_run:
            return False
        if i and o is not None and choice[i - 1] is not None and rules.start[o] < rules.end[choice[i - 1]] + rules.rest:
            return False
    works = [rules.run_before > 0] + [o is not None for o in choice]  # the day before the week first
    for i in range(1, len(works)):  # an off block after a worked day lasts min_off days, but at the week's end
        if works[i - 1] and not works[i] and any(works[i + j] for j in range(1, rules.min_off) if i + j < len(works)):
            return False
    return True


@pytest.mark.parametrize(
    "changes",
    [{}, {"min_off": 1, "max_run": 2}, {"must": (None, 5, None, None, None)}, {"run_before": 2, "low": 0}],
    ids=["days-off-in-pairs", "short-runs", "frozen", "run-before"],
)
def test_the_cheapest_week_is_the_cheapest_allowed_one(changes: dict[str, object]) -> None:
    rules = _rules(**changes)
    generator = random.Random(5)
    for _ in range(20):
        prices = {o: generator.uniform(-300.0, 300.0) for today in rules.options for o in today}
        best = min(
            (
                sum(prices[o] for o in choice if o is not None)
                + hours_cost(rules, sum(rules.paid[o] for o in choice if o is not None)),
                choice,
            )
            for choice in itertools.product(*((None, *today) for today in rules.options))
            if _allowed(rules, choice)
        )
        found = cheapest_week(rules, prices, 3)
        assert found[0][0] == pytest.approx(best[0])
        assert _allowed(rules, tuple(next((o for o in found[0][1] if o in today), None) for today in rules.options))
        assert [cost for cost, _worked in found] == sorted(cost for cost, _worked in found)


def test_no_week_when_the_rules_admit_none() -> None:
    assert cheapest_week(_rules(low=2000, high=2400), {}) == []


@pytest.fixture(scope="module")
def roster_week():
    # One week of 8 agents, every sixth shift start kept and no queue minimum (so that the few
    # starts leave none uncovered) (pricing converges in about 15 rounds, under a
    # second; with every start, in minutes): a roster within half a second's budget and its problem.
    config, team, requirements, start, days = make_instance(8, 1, seed=4, time_limit_seconds=0.5)
    shifts = tuple(dataclasses.replace(template, starts=template.starts[::6]) for template in config.roster.shifts)
    config = dataclasses.replace(config, roster=dataclasses.replace(config.roster, shifts=shifts, min_agents=()))
    result = make_roster(config, team, requirements, start, days)
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    return result, problem


def test_every_agent_of_a_roster_works_an_agent_week(roster_week) -> None:
    result, problem = roster_week
    spans = result.roster.groupby(["agent_id", "shift_id"]).agg(start=("start", "min"), end=("end", "max"))
    for a, agent in enumerate(problem.agents):
        worked = {
            o
            for (agent_id, _shift), row in spans.iterrows()
            if agent_id == agent.id
            for o in problem.allowed[a]
            if problem.options[o].start == row["start"] and problem.options[o].end == row["end"]
        }
        rules = week_rules(problem, a, 0)
        prices = {o: (-1e5 if o in worked else 1e5) for today in rules.options for o in today}
        found = cheapest_week(rules, prices, 1)
        # The roster's own week is the cheapest (its prices far above any hours cost).
        assert found and set(found[0][1]) == worked


def test_the_agent_week_bound_lies_between_the_relaxation_and_a_roster(roster_week) -> None:
    result, problem = roster_week
    block = week_blocks(problem)[0]
    first = solve_aggregate(problem, whole_queues=True, block=block).bound
    found = solve_agent_week(problem, block, 0, max_seconds=30.0)
    assert found.converged
    # Pricing stops within CLOSE_ENOUGH of the optimum, which is never below the aggregate's.
    assert first * (1 - 2 * CLOSE_ENOUGH) <= found.bound <= result.objective
    assert found.first == pytest.approx(first, rel=1e-6)


def test_the_agent_week_bound_takes_one_week() -> None:
    config, team, requirements, start, days = make_instance(4, 2, seed=1, time_limit_seconds=1)
    problem = build_problem(config, team, requirements, start, days)
    block = week_blocks(problem)[0]
    with pytest.raises(ValueError, match="one week"):
        solve_agent_week(problem, block, 1)
