"""Whole days' lunches and queue plans chosen jointly: a linear program per day, the shifts fixed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scheduler.rostering import solve
from scheduler.rostering.checker import find_violations
from scheduler.rostering.dayplans import lunch_plans, replan_days
from scheduler.rostering.extract import roster_rows
from scheduler.rostering.polish import plan_of
from scheduler.rostering.score import score_roster
from scheduler.rostering.shiftplan import LUNCH, _breaks, _Rules, _Shift
from tests.unit.roster_support import small_problem, solved_small


@pytest.mark.parametrize("seed", [2, 3])  # lunch 30 min, lunch 60 min
def test_the_candidates_are_every_plan_with_one_queue_per_stretch(seed: int) -> None:
    """Against a brute force over every (lunch, first queue, second queue, switch): the plans whose only
    change (if any) is at lunch, every one within the rules (skills, opening hours, blocks, the cap)."""
    problem = small_problem(seed)[-1]
    settings = problem.settings
    blocks = np.array([math.ceil(settings.min_block(queue) / problem.interval_minutes) for queue in problem.queues])
    rules = _Rules(switch=settings.switch_weight, max_switches=settings.max_switches_per_shift, penalty=math.inf)
    agent = next(a for a, member in enumerate(problem.agents) if len(member.channels) >= 2)
    checked = 0
    for o in problem.allowed[agent][::9]:
        shift = _Shift(problem, agent, o, blocks)
        option = problem.options[o]
        brute = set()
        for lunch in option.lunch_starts or (None,):
            for first in shift.queues:
                for second in shift.queues:
                    for switch in range(option.first_interval + 1, option.last_interval + 1):
                        plan = plan_of(problem, o, lunch, first, second, switch)
                        opened = all(q == LUNCH or shift.allowed[i, q] for i, q in enumerate(plan.queues))
                        runs = [q for i, q in enumerate(plan.queues) if i == 0 or q != plan.queues[i - 1]]
                        at_lunch = len(runs) <= 3 and (first == second or runs == [first, LUNCH, second])
                        if opened and at_lunch and not _breaks(shift, plan, rules):
                            brute.add(plan)
        found = lunch_plans(shift, rules)
        assert len(found) == len(set(found))
        assert set(found) == brute
        assert all(plan.lunch in (option.lunch_starts or (None,)) for plan in found)
        checked += 1
    assert checked >= 3
    none = _Rules(switch=settings.switch_weight, max_switches=0, penalty=math.inf)
    shift = _Shift(problem, agent, problem.allowed[agent][0], blocks)
    assert all(len({q for q in plan.queues if q != LUNCH}) == 1 for plan in lunch_plans(shift, none))


def test_whole_days_replanned_keep_every_rule_the_shifts_and_never_do_worse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve, "DIRECT_MAX_AGENT_DAYS", 0)  # this small team takes the large-team path
    # hour-long lunches: where each falls depends on the others'
    (config, team, requirements, start, days, problem), _solution, activities = solved_small(3)
    before = score_roster(roster_rows(problem, activities.plans), team, config, requirements, start, days)
    result = replan_days(problem, activities.plans, 5.0)
    frame = roster_rows(problem, result.plans)
    assert find_violations(frame, team, config, start, days) == []
    after = score_roster(frame, team, config, requirements, start, days)
    assert after.objective < before.objective  # moving one shift at a time leaves days to improve
    assert result.days_improved > 0
    assert set(result.plans) == set(activities.plans)  # the shifts stay: only lunches and queues move
    assert replan_days(problem, activities.plans, 5.0).plans == result.plans  # deterministic
    untouched = replan_days(problem, activities.plans, 0.0)  # no budget: nothing tried
    assert untouched.days_tried == 0 and untouched.plans == activities.plans


@pytest.mark.parametrize("seed", [1, 3])  # no lunch, lunch 60 min
def test_pricing_finds_the_cheapest_plan_with_one_switch(seed: int) -> None:
    """Against a brute force over every valid plan with one change: the least reduced cost, found at once."""
    from types import SimpleNamespace

    from scheduler.rostering.dayplans import _cheapest_plan

    problem = small_problem(seed)[-1]
    settings = problem.settings
    blocks = np.array([math.ceil(settings.min_block(queue) / problem.interval_minutes) for queue in problem.queues])
    rules = _Rules(switch=settings.switch_weight, max_switches=1, penalty=math.inf)
    agent = next(a for a, member in enumerate(problem.agents) if len(member.channels) >= 3)
    rng = np.random.default_rng(seed)
    checked = 0
    for o in problem.allowed[agent][::11]:
        shift = _Shift(problem, agent, o, blocks)
        planner = SimpleNamespace(shifts={(agent, o): shift}, rules=rules)
        option = problem.options[o]
        price = rng.integers(-20_000, 20_000, size=(len(shift.t), len(problem.queues))).astype(float)
        best = math.inf
        for lunch in option.lunch_starts or (None,):
            for first in shift.queues:
                for second in shift.queues:
                    for switch in range(option.first_interval + 1, option.last_interval):
                        plan = plan_of(problem, o, lunch, first, second, switch)
                        worked = [(i, q) for i, q in enumerate(plan.queues) if q != LUNCH]
                        changes = sum(1 for (_i, q), (_j, r) in zip(worked, worked[1:], strict=False) if q != r)
                        if (
                            changes != 1
                            or not all(shift.allowed[i, q] for i, q in worked)
                            or _breaks(shift, plan, rules)
                        ):
                            continue
                        best = min(best, sum(price[i, q] for i, q in worked) + rules.switch)
        found = _cheapest_plan(planner, (agent, o), price, dual=1e12)  # any plan beats so high a dual
        if best == math.inf:
            assert found is None
            continue
        assert found is not None and not _breaks(shift, found, rules)
        cost = sum(price[i, q] for i, q in enumerate(found.queues) if q != LUNCH) + rules.switch
        assert cost == pytest.approx(best)
        assert _cheapest_plan(planner, (agent, o), price, dual=best) is None  # none strictly below the dual
        checked += 1
    assert checked >= 3
