"""Kept shifts back on their published plans after the polish and the mending, where that pays."""

from __future__ import annotations

import dataclasses

from scheduler.rostering.problem import build_problem
from scheduler.rostering.republish import republish
from scheduler.rostering.shiftplan import ShiftPlan
from tests.unit.test_roster import ALL_DAY, MONDAY, agent, demand, hours, make_config, team, template


def test_a_re_planned_kept_shift_goes_back_only_where_that_pays() -> None:
    # A tenth of an agent on chat and on email 08-12. The published plan (chat then email) costs one switch,
    # 3,000, more than chat alone, which a later stage chose: less than the 5,000 charged for re-planning a
    # kept shift (back), more than a 2,000 charge (stays).
    config = make_config(template(4, 8), channels={"chat": ALL_DAY, "email": ALL_DAY})
    config = dataclasses.replace(config, roster=dataclasses.replace(config.roster, switch_weight=3_000))
    needs = {"chat": hours(0, 8, 12, 0.1), "email": hours(0, 8, 12, 0.1)}
    problem = build_problem(config, team(agent(channels=("chat", "email"))), demand(config, 1, needs), MONDAY, 1)
    (option,) = problem.allowed[0]
    chat, email = problem.queues.index("chat"), problem.queues.index("email")
    published = {(0, option): ShiftPlan(lunch=None, queues=(chat, chat, email, email))}
    chat_only = {(0, option): ShiftPlan(lunch=None, queues=(chat,) * 4)}
    plans, restored, _seconds = republish(problem, chat_only, published, 5_000.0)
    assert (plans, restored) == (published, 1)
    assert republish(problem, chat_only, published, 2_000.0)[:2] == (chat_only, 0)
    assert republish(problem, chat_only, {}, 5_000.0)[:2] == (chat_only, 0)  # no previous roster: nothing to do
