"""Day patterns (scheduler/rostering/daypatterns.py): the cheapest pattern is the cheapest the rules allow."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from benchmarks.roster_instances import make_instance
from scheduler.rostering import make_roster
from scheduler.rostering.aggregate import solve_aggregate
from scheduler.rostering.daypatterns import CLOSE_ENOUGH, DayRules, cheapest_pattern, day_rules, most_days
from scheduler.rostering.previous import apply_previous
from scheduler.rostering.problem import build_problem


def _rules(horizon: int = 14, **changes: object) -> DayRules:
    """Two weeks from a Monday: weekends on days 5-6 and 12-13."""
    weeks = [list(range(w, min(w + 7, horizon))) for w in range(0, horizon, 7)]
    weekend_of = [(d // 7) if d % 7 >= 5 else -1 for d in range(horizon)]
    base: dict[str, object] = {
        "can_work": (True,) * horizon,
        "must_work": (False,) * horizon,
        "week_of": tuple(d // 7 for d in range(horizon)),
        "last_of_week": tuple(d == week[-1] for week in weeks for d in week),
        "min_shifts": (0,) * len(weeks),
        "max_shifts": (5,) * len(weeks),
        "weekend_of": tuple(weekend_of),
        "first_of_weekend": tuple(d % 7 == 5 for d in range(horizon)),
        "max_weekends": 2,
        "max_run": 5,
        "min_off": 1,
        "run_before": 0,
        "off_before": 0,
    }
    base.update(changes)
    return DayRules(**base)  # type: ignore[arg-type]


def _allowed(rules: DayRules, days: set[int]) -> bool:
    """The rules checked directly on a set of worked days (written apart from the dynamic program)."""
    horizon = len(rules.can_work)
    works = [d in days for d in range(horizon)]
    if any(w and not rules.can_work[d] for d, w in enumerate(works)):
        return False
    if any(rules.must_work[d] and not w for d, w in enumerate(works)):
        return False
    history = [True] * rules.run_before
    padded = history + works
    for start in range(len(padded) - rules.max_run):
        if all(padded[start : start + rules.max_run + 1]):
            return False
    for d in range(horizon):  # a day off after a worked day starts a block of min_off
        before = works[d - 1] if d > 0 else rules.run_before > 0
        if before and not works[d]:
            if any(works[d + j] for j in range(1, rules.min_off) if d + j < horizon):
                return False
    if any(works[d] for d in range(min(rules.off_before, horizon))):
        return False
    weeks = sorted(set(rules.week_of))
    for w in weeks:
        count = sum(works[d] for d in range(horizon) if rules.week_of[d] == w)
        if not rules.min_shifts[w] <= count <= rules.max_shifts[w]:
            return False
    weekends = sorted({j for j in rules.weekend_of if j >= 0})
    worked = sum(any(works[d] for d in range(horizon) if rules.weekend_of[d] == j) for j in weekends)
    return worked <= rules.max_weekends


CASES = {
    "plain": _rules(),
    "pairs, 4 in a row": _rules(max_run=4, min_off=2, max_weekends=1),
    "history and minimums": _rules(run_before=3, min_off=2, min_shifts=(3, 4), max_shifts=(4, 5)),
    "days off to finish": _rules(off_before=1, min_off=3, max_run=3),
    "leave and a frozen day": _rules(
        can_work=tuple(d not in (2, 3, 9) for d in range(14)),
        must_work=tuple(d == 11 for d in range(14)),
        min_off=2,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_cheapest_pattern_is_the_cheapest_allowed_set_of_days(name: str) -> None:
    rules = CASES[name]
    allowed = [
        set(days)
        for size in range(15)
        for days in itertools.combinations(range(14), size)
        if _allowed(rules, set(days))
    ]
    rng = np.random.default_rng(len(name))
    for _ in range(5):
        prices = rng.normal(0.0, 1.0, 14)
        found = cheapest_pattern(rules, prices)
        assert found is not None and allowed
        cost, days = found
        assert _allowed(rules, set(days))
        assert cost == pytest.approx(sum(prices[d] for d in days))
        assert cost == pytest.approx(min(sum(prices[d] for d in days) for days in allowed))


@pytest.mark.parametrize("name", sorted(CASES))
def test_most_days_is_the_largest_allowed_set(name: str) -> None:
    rules = CASES[name]
    largest = max(
        size for size in range(15) for days in itertools.combinations(range(14), size) if _allowed(rules, set(days))
    )
    assert most_days(rules) == largest


def test_no_pattern_when_the_rules_admit_none() -> None:
    assert cheapest_pattern(_rules(can_work=(False,) * 14, min_shifts=(1, 0)), np.zeros(14)) is None


def test_every_agent_of_a_roster_works_a_pattern() -> None:
    # Two weeks, so runs of days and days off cross a week's end; any roster must keep the patterns,
    # so a short budget tests the same claim.
    config, team, requirements, start, days = make_instance(8, 2, seed=4, time_limit_seconds=0.5)
    result = make_roster(config, team, requirements, start, days)
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    index = {day: d for d, day in enumerate(problem.days)}
    first = result.roster.groupby("shift_id")["start"].min().dt.tz_convert(problem.timezone)
    for a, agent in enumerate(problem.agents):
        worked = {index[stamp.date()] for shift_id, stamp in first.items() if shift_id.startswith(f"{agent.id}-")}
        rules = day_rules(problem, a)
        prices = np.array([-1.0 if d in worked else 1.0 for d in range(len(problem.days))])
        found = cheapest_pattern(rules, prices)
        assert found is not None and set(found[1]) == worked  # the roster's own days are the cheapest


def test_the_day_pattern_bound_lies_between_the_plain_relaxation_and_a_roster() -> None:
    # One week: the pattern relaxation over two weeks costs ~5 s of CPU, over one under a second.
    config, team, requirements, start, days = make_instance(8, 1, seed=4, time_limit_seconds=0.5)
    result = make_roster(config, team, requirements, start, days)
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    plain = solve_aggregate(problem, whole_queues=True).bound
    patterns = solve_aggregate(problem, whole_queues=True, day_patterns=True).bound
    # Pricing stops within CLOSE_ENOUGH of the optimum, which is never below the plain relaxation's.
    assert plain * (1 - 2 * CLOSE_ENOUGH) <= patterns <= result.objective


def test_day_patterns_need_the_whole_horizon_without_a_limit() -> None:
    config, team, requirements, start, days = make_instance(4, 1, seed=1, time_limit_seconds=1)
    problem = build_problem(config, team, requirements, start, days)
    with pytest.raises(ValueError, match="whole horizon"):
        solve_aggregate(problem, whole_queues=True, day_patterns=True, time_limit=5.0)
