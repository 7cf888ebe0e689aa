"""The shift plans the block-aware bound enumerates: exactly the plans the block and switch rules allow."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from benchmarks.roster_instances import make_instance
from scheduler.rostering import build_problem, make_roster
from scheduler.rostering.aggregate import solve_aggregate
from scheduler.rostering.days import changes_at_lunch
from scheduler.rostering.plans import block_lengths, lunch_change_plans, option_plans, option_queues
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan, plan_rule_counts, PlanShift


@pytest.fixture(scope="module")
def binding():  # noqa: ANN201
    return make_instance(14, weeks=1, seed=2, time_limit_seconds=2.0)  # binding skills, 30-minute lunch


def _allowed_by_brute_force(problem, a, o, queues, blocks) -> set[tuple[int | None, tuple[int, ...]]]:  # noqa: ANN001
    """Every queue sequence over the worked intervals that the activity stage's own rule check accepts."""
    shift = PlanShift(problem, a, o, np.asarray(blocks))
    option = problem.options[o]
    allowed = set()
    for lunch in option.lunch_starts or (None,):
        worked = option.working_intervals(lunch)
        for sequence in itertools.product(queues, repeat=len(worked)):
            by_interval = dict(zip(worked, sequence, strict=True))
            plan = ShiftPlan(lunch=lunch, queues=tuple(by_interval.get(t, LUNCH) for t in shift.t))
            _changes, counted, short = plan_rule_counts(shift, plan)
            if counted <= problem.settings.max_switches_per_shift and short == 0:
                allowed.add((lunch, plan.queues))
    return allowed


def test_the_plans_are_exactly_those_the_rules_allow(binding) -> None:  # noqa: ANN001
    config, team, requirements, start, days = binding
    problem = build_problem(config, team, requirements, start, days)
    a = next(a for a, agent in enumerate(problem.agents) if len(agent.channels) == 3)
    o = next(o for o in problem.allowed[a] if len(problem.options[o].lunch_starts) > 1)
    option = problem.options[o]
    # Shortened to 10 intervals with two lunch starts, so that every sequence can be tried.
    short = dataclasses.replace(option, last_interval=option.first_interval + 10, lunch_starts=option.lunch_starts[:2])
    options = list(problem.options)
    options[o] = short
    problem = dataclasses.replace(problem, options=tuple(options))
    queues = option_queues(problem, problem.agents[a].channels, o)
    assert queues == [0, 1, 2]
    blocks = block_lengths(problem)
    enumerated = option_plans(problem, o, queues, blocks)
    as_sequences = {
        (plan.lunch, tuple(dict(plan.cover).get(t, LUNCH) for t in range(short.first_interval, short.last_interval)))
        for plan in enumerated
    }
    assert len(as_sequences) == len(enumerated)  # no plan twice
    assert as_sequences == _allowed_by_brute_force(problem, a, o, queues, blocks)
    for plan in enumerated:
        assert plan.switches == len({q for _t, q in plan.cover}) - 1


def test_plans_changing_at_lunch_are_those_of_every_plan_that_do_in_the_same_order(binding) -> None:  # noqa: ANN001
    config, team, requirements, start, days = binding
    problem = build_problem(config, team, requirements, start, days)
    blocks = block_lengths(problem)
    tried = 0
    for agent in sorted({agent.channels for agent in problem.agents}):
        for o in range(0, len(problem.options), 7):  # every seventh option: all templates and days
            queues = option_queues(problem, agent, o)
            if queues is None:
                continue
            kept = [plan for plan in option_plans(problem, o, queues, blocks) if changes_at_lunch(plan)]
            assert lunch_change_plans(problem, o, queues) == kept
            tried += len(queues) > 1 and any(plan.switches for plan in kept)
    assert tried > 0  # multi-skilled options with a change at lunch were among them


def test_a_queue_opening_inside_the_shift_keeps_the_free_split(binding) -> None:  # noqa: ANN001
    config, team, requirements, start, days = binding
    problem = build_problem(config, team, requirements, start, days)
    option = problem.options[0]
    is_open = problem.is_open.copy()
    is_open[1, option.first_interval] = 0  # email opens an interval after the shift starts
    problem = dataclasses.replace(problem, is_open=is_open)
    assert option_queues(problem, ("chat", "email"), 0) is None
    assert option_queues(problem, ("chat", "social"), 0) == [0, 2]


def test_the_block_aware_bound_is_stronger_and_still_below_a_roster(binding) -> None:  # noqa: ANN001
    config, team, requirements, start, _days = binding
    days = 2  # the plan columns grow with the options, not the agents: two days keep the test fast
    problem = build_problem(config, team, requirements, start, days)
    free = solve_aggregate(problem, whole_queues=True)
    planned = solve_aggregate(problem, whole_queues=True, plans="exact")
    assert free.optimal and planned.optimal
    assert planned.bound > free.bound
    roster = make_roster(config, team, requirements, start, days)
    assert planned.bound <= roster.objective


def test_plans_need_per_queue_coverage(binding) -> None:  # noqa: ANN001
    config, team, requirements, start, _days = binding
    problem = build_problem(config, team, requirements, start, 1)
    with pytest.raises(ValueError, match="per-queue coverage"):
        solve_aggregate(problem, whole_agents=True, plans="exact")
