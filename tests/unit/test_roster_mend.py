"""The mending: shifts whose plan breaks a block or switch rule, mended by choosing shifts again."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from scheduler.rostering.checker import find_violations
from scheduler.rostering.descent import AgentModels
from scheduler.rostering.extract import roster_rows
from scheduler.rostering.mend import mend
from scheduler.rostering.polish import OptionPlanner, plan_of
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan, plan_breaks
from tests.unit.roster_support import written_week

# (``scheduler.rostering.polish`` and ``.mend`` the attributes are the functions: the modules by their names)
polish_module = importlib.import_module("scheduler.rostering.polish")
mend_module = importlib.import_module("scheduler.rostering.mend")
BLOCK_OR_SWITCH = ("block on", "changes of queue")


def _rule_problems(frame, team, config, start, days) -> list[str]:  # noqa: ANN001
    return [
        problem
        for problem in find_violations(frame, team, config, start, days)
        if any(k in problem for k in BLOCK_OR_SWITCH)
    ]


def _missing(problem, plans) -> int:  # noqa: ANN001
    counts = np.zeros(problem.required.shape, dtype=np.int64)
    for (_a, o), plan in plans.items():
        polish_module.apply_option_plan(counts, problem, o, plan, +1)
    minimum = polish_module.CoverageCost(problem).minimum
    return int(np.maximum(minimum - counts, 0).sum())


def _broken_week():  # noqa: ANN202
    """``written_week(2)`` with one multi-skilled shift's plan broken: a one-interval block on its second queue
    in the middle of its first stretch (two changes of queue, a short block). Returns the week and the key."""
    config, team, requirements, start, days, problem, chosen, plans = written_week(2)
    plans = dict(plans)
    key = next(
        (a, o)
        for (a, o), plan in sorted(plans.items())
        if len({q for q in plan.queues if q != LUNCH}) == 1
        and sum(queue in problem.agents[a].channels for queue in problem.queues) >= 2
        and problem.is_open[:, problem.options[o].first_interval : problem.options[o].last_interval].all()
    )
    a, o = key
    plan = plans[key]
    queue = next(q for q in plan.queues if q != LUNCH)
    other = next(q for q, name in enumerate(problem.queues) if name in problem.agents[a].channels and q != queue)
    queues = list(plan.queues)
    middle = next(i for i in range(2, len(queues)) if queues[i - 2 : i + 3].count(queue) == 5)
    queues[middle] = other
    plans[key] = ShiftPlan(lunch=plan.lunch, queues=tuple(queues))
    return config, team, requirements, start, days, problem, chosen, plans, key


def test_the_planner_reads_a_plan_broken_as_the_checker_does() -> None:
    """`plan_breaks` flags exactly the written shifts the checker finds a block or switch problem in."""
    config, team, _requirements, start, days, problem, _chosen, plans, key = _broken_week()
    planner = OptionPlanner(problem)
    flagged = {k for k, plan in plans.items() if plan_breaks(problem, planner.blocks, k[1], plan)}
    assert flagged == {key}
    frame = roster_rows(problem, plans)
    found = _rule_problems(frame, team, config, start, days)
    shift_ids = {text.split(":")[0].removeprefix("shift ") for text in found}
    a, o = key
    day = problem.grid[problem.options[o].first_interval].tz_convert(problem.timezone).date()
    assert len(shift_ids) == 1 and next(iter(shift_ids)).startswith(f"{problem.agents[a].id}-{day.isoformat()}-")
    # Every plan the polish would write keeps the rules, by the same reading.
    option = problem.options[o]
    skills = [q for q, queue in enumerate(problem.queues) if queue in problem.agents[a].channels]
    lunch = option.lunch_starts[0] if option.lunch_starts else None
    whole = plan_of(problem, o, lunch, skills[0], skills[0], option.last_interval)
    assert not plan_breaks(problem, planner.blocks, o, whole)


def test_a_broken_plan_is_mended_and_no_queue_minimum_is_lost() -> None:
    config, team, _requirements, start, days, problem, chosen, plans, _key = _broken_week()
    assert _rule_problems(roster_rows(problem, plans), team, config, start, days)  # the test can fail
    before = _missing(problem, plans)
    result = mend(problem, AgentModels(problem), chosen, plans)
    assert (result.broken, result.mended) == (1, 1)
    frame = roster_rows(problem, result.plans)
    assert find_violations(frame, team, config, start, days) == []
    assert _missing(problem, result.plans) <= before
    assert result.seconds > 0


def test_where_the_agent_alone_cannot_the_agents_beside_it_move_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second way: the broken plan taken out, the agents working beside it moved, then the agent placed again."""
    config, team, _requirements, start, days, problem, chosen, plans, key = _broken_week()
    move = polish_module.reseat_agent
    calls: list[tuple[int, bool]] = []

    def first_try_fails(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        a, mending = args[7], args[-1] is not None
        calls.append((a, mending))
        if a == key[0] and mending and calls.count((a, True)) == 1:
            return None  # the agent's own move found nothing
        return move(*args, **kwargs)

    monkeypatch.setattr(mend_module, "reseat_agent", first_try_fails)
    result = mend(problem, AgentModels(problem), chosen, plans)
    assert (result.broken, result.mended) == (1, 1)
    assert any(not mending for _a, mending in calls)  # helpers moved
    assert calls[-1] == (key[0], True)
    assert find_violations(roster_rows(problem, result.plans), team, config, start, days) == []


def test_a_mending_that_fails_puts_everything_back(monkeypatch: pytest.MonkeyPatch) -> None:
    _config, _team, _requirements, _start, _days, problem, chosen, plans, key = _broken_week()
    monkeypatch.setattr(mend_module, "reseat_agent", lambda *args, **kwargs: None)
    result = mend(problem, AgentModels(problem), chosen, plans)
    assert (result.broken, result.mended) == (1, 0)
    assert result.plans == plans  # the broken plan too: nothing half-moved


def test_a_roster_keeping_every_rule_is_left_alone() -> None:
    _config, _team, _requirements, _start, _days, problem, chosen, plans = written_week(2)
    result = mend(problem, None, chosen, plans)
    assert (result.broken, result.mended, result.seconds) == (0, 0, 0.0)
    assert result.plans is plans
