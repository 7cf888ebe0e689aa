"""The polish: shifts re-chosen with their lunch and queue blocks in the loop."""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pytest

from benchmarks.roster_instances import make_instance
from scheduler.rostering import solve
from scheduler.rostering.checker import find_violations
from scheduler.rostering.days import DayOutcome
from scheduler.rostering.descent import AgentModels
from scheduler.rostering.extract import roster_rows
from scheduler.rostering.nextmove import AGENT_BATCHES, Schedule
from scheduler.rostering.polish import SECONDS_PER_OPTION, SECONDS_PER_VALUATION, OptionPlanner, _worth, plan_of, polish
from scheduler.rostering.previous import apply_previous
from scheduler.rostering.problem import build_problem
from scheduler.rostering.score import score_roster
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan, plan_cost, PlanRules, PlanShift
from tests.unit.roster_support import relaxed_day, small_problem, solved_small


def _one_switch_plans(problem, a: int, o: int):  # noqa: ANN001, ANN202
    """Every plan of one queue, or two with one switch, at every lunch start (valid or not)."""
    option = problem.options[o]
    skills = [q for q, queue in enumerate(problem.queues) if queue in problem.agents[a].channels]
    for lunch in option.lunch_starts or (None,):
        for first in skills:
            for second in skills:
                for switch in (
                    range(option.first_interval + 1, option.last_interval + 1)
                    if first != second
                    else (option.last_interval,)
                ):
                    yield plan_of(problem, o, lunch, first, second, switch)


@pytest.mark.parametrize("seed", [2, 3, 1])  # lunch 30 min, lunch 60 min, no lunch
def test_each_option_gets_the_best_valid_plan_of_one_switch(seed: int) -> None:
    """Against random gains, the vectorised valuation equals a brute force over plans the block rules allow."""
    _config, _team, _requirements, _start, _days, problem = small_problem(seed)
    planner = OptionPlanner(problem)
    blocks = np.array(
        [math.ceil(problem.settings.min_block(queue) / problem.interval_minutes) for queue in problem.queues]
    )
    rules = PlanRules(switch=0, max_switches=problem.settings.max_switches_per_shift, penalty=1)
    rng = np.random.default_rng(seed)
    agent = next(a for a, member in enumerate(problem.agents) if len(member.channels) >= 2)
    queues = np.array([q for q, queue in enumerate(problem.queues) if queue in problem.agents[agent].channels])
    gain = rng.integers(-5_000, 20_000, size=(len(queues), len(problem.grid)))
    values, plans = planner.best(agent, queues, gain)
    checked = 0
    for o in problem.allowed[agent][::7]:
        shift = PlanShift(problem, agent, o, blocks)
        zero = np.zeros((len(shift.t), len(problem.queues)), dtype=np.int64)
        valid = [plan for plan in _one_switch_plans(problem, agent, o) if plan_cost(shift, plan, zero, rules) == 0]
        best = max(_worth(problem, o, plan, gain, queues, planner.switch) for plan in valid)
        chosen = plan_of(problem, o, *plans[o])
        assert plan_cost(shift, chosen, zero, rules) == 0  # keeps blocks and the switch cap
        assert values[o] == _worth(problem, o, chosen, gain, queues, planner.switch) == best
        checked += 1
    assert checked > 5


def test_a_valuation_is_charged_its_set_up_besides_its_options_and_arrays() -> None:
    """Each agent valued pays SECONDS_PER_VALUATION on top of its per-option and per-element charges."""
    _config, _team, _requirements, _start, _days, problem = small_problem(2)
    planner = OptionPlanner(problem)
    agent = next(a for a, member in enumerate(problem.agents) if len(member.channels) >= 2)
    queues = np.array([q for q, queue in enumerate(problem.queues) if queue in problem.agents[agent].channels])
    gain = np.ones((len(queues), len(problem.grid)), dtype=np.int64)
    planner.best(agent, queues, gain)
    once = planner.seconds
    planner.best(agent, queues, gain)
    assert planner.seconds == pytest.approx(2 * once)
    options = sum(len(group) for _shape, group in planner.groups(agent))
    assert once > SECONDS_PER_VALUATION + SECONDS_PER_OPTION * options


def test_a_plan_serves_its_first_queue_until_the_switch_and_leaves_lunch_free() -> None:
    _config, _team, _requirements, _start, _days, problem = small_problem(2)
    option = next(option for option in problem.options if option.lunch_starts)
    lunch = option.lunch_starts[0]
    plan = plan_of(problem, option.index, lunch, 0, 1, lunch + option.lunch_intervals)
    offset = lunch - option.first_interval
    assert plan == ShiftPlan(
        lunch=lunch,
        queues=(0,) * offset
        + (LUNCH,) * option.lunch_intervals
        + (1,) * (len(plan.queues) - offset - option.lunch_intervals),
    )


@pytest.mark.parametrize("seed", [2, 3])
def test_polish_keeps_every_rule_and_never_does_worse(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the activity stage's plans: the written roster keeps every hard rule and scores no worse."""
    monkeypatch.setattr(solve, "DIRECT_MAX_AGENT_DAYS", 0)  # this small team takes the large-team path
    (config, team, requirements, start, days, problem), solution, activities = solved_small(seed)
    assert solution.models is not None  # this team is rostered by the descent
    before = score_roster(roster_rows(problem, activities.plans), team, config, requirements, start, days)
    result = polish(problem, solution.models, solution.chosen, activities.plans, 1.0)
    frame = roster_rows(problem, result.plans)
    assert find_violations(frame, team, config, start, days) == []
    after = score_roster(frame, team, config, requirements, start, days)
    assert after.objective <= before.objective
    assert result.moves > 0  # it found something to improve (the activity stage alone leaves room)
    assert set(result.plans) == {key for key in result.chosen}
    if seed == 2:  # deterministic: from the same start (a fresh copy of the unpolished models), the same moves
        _instance, fresh, fresh_activities = solved_small(seed)  # not a second 1 s solve (~1.5 s of CPU)
        assert fresh.models is not solution.models
        again = polish(problem, fresh.models, fresh.chosen, fresh_activities.plans, 1.0)
        assert again.plans == result.plans


def test_after_agent_moves_and_days_each_agent_remembers_its_own_cost_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    """A day that moves an agent updates its remembered own cost (hours below target) instead of forgetting it."""
    monkeypatch.setattr(solve, "DIRECT_MAX_AGENT_DAYS", 0)
    (_config, _team, _requirements, _start, _days, problem), solution, activities = solved_small(2)
    assert solution.models is not None
    result = polish(problem, solution.models, solution.chosen, activities.plans, 3.0)
    assert result.days_improved > 0  # the days ran and changed something
    fresh = AgentModels(problem)
    shifts: dict[int, list[int]] = {}
    for a, o in result.chosen:
        shifts.setdefault(a, []).append(o)
    checked = 0
    for a in range(len(problem.agents)):
        remembered = solution.models.remembered_cost(a)
        if remembered is None:
            continue
        fresh.remember(a, shifts.get(a, []))
        assert remembered == fresh.remembered_cost(a), problem.agents[a].id
        checked += 1
    assert checked > len(problem.agents) // 2


def _schedule(days: int = 14) -> Schedule:
    problem = SimpleNamespace(weeks=[list(range(0, 7)), list(range(7, 14))][: (days + 6) // 7])
    return Schedule(problem, list(range(days)))  # type: ignore[arg-type]


def test_the_schedule_starts_with_agents_measures_the_days_then_follows_the_larger_rate() -> None:
    schedule = _schedule()
    for _batch in range(AGENT_BATCHES):  # a whole sweep of agent moves first
        assert schedule.next_kind(agents_idle=False, left=10.0) == "agents"
        schedule.agents_done(gain=1000, seconds=1.0)
    assert schedule.next_kind(agents_idle=False, left=10.0) == "days"  # not measured yet
    assert schedule.next_day() == 0  # nothing known: the earliest
    schedule.day_done(0, relaxed_day(0, 400), DayOutcome(day=0, replaced=True, gain=200, moved={}), 0.2, 0.9)
    # measured for as long as the first agent batch: half of 400 promised per 1.1 s, against 1000 per s
    assert schedule.day_rate() == pytest.approx(0.5 * 400 / 1.1)
    assert schedule.next_kind(agents_idle=False, left=10.0) == "agents"
    schedule.agents_done(gain=50, seconds=1.0)
    assert schedule.next_kind(agents_idle=False, left=10.0) == "days"
    assert schedule.worth_settling(relaxed_day(1, 50))  # a relaxed day is settled whenever it promises something
    assert not schedule.worth_settling(relaxed_day(1, 0.5))  # nothing to gain
    assert schedule.next_kind(agents_idle=False, left=1.0) == "agents"  # too little left for a day


def test_a_day_is_solved_again_only_after_its_week_or_its_neighbours_changed() -> None:
    schedule = _schedule()
    for d in range(14):
        schedule.day_done(d, relaxed_day(d, 100 + d), None, 0.1, 0.0)
    assert schedule.day_rate() == 0.0 and schedule.next_kind(agents_idle=True, left=10.0) is None
    schedule.touch({9})  # a change in the second week
    stale = [d for d in range(14) if schedule._stale(d)]
    assert stale == [7, 8, 9, 10, 11, 12, 13]
    assert schedule.next_day() == 13  # the largest promise among them
    schedule.touch({7})
    assert schedule._stale(6)  # next to day 7


def test_the_polish_takes_half_the_shift_budget_once_the_descent_has_its_floor() -> None:
    config, team, requirements, start, days = make_instance(25, weeks=1, seed=2, time_limit_seconds=10.0)
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    assert solve.parallel_bound(problem)  # 175 agent-days, two workers: the bound runs beside
    floor = solve.DESCENT_SECONDS_PER_AGENT_DAY * 25 * 7
    assert solve.polish_share(problem, 4 * floor) == solve.POLISH_SHARE == 0.5
    assert solve.polish_share(problem, floor) == solve.POLISH_SHARE_BOUND_INSIDE  # a tiny budget: as before
    assert solve.polish_share(problem, 1.5 * floor) == pytest.approx(1 - 1 / 1.5)
    one_core = dataclasses.replace(problem, settings=dataclasses.replace(problem.settings, workers=1))
    assert solve.polish_share(one_core, 4 * floor) == solve.POLISH_SHARE_BOUND_INSIDE


@pytest.mark.parametrize("seed", [2, 3])
def test_a_moves_ceiling_is_never_below_what_the_agents_own_model_finds(seed: int) -> None:
    """Against random worths (some negative, some large), no shifts the agent's model allows are worth more
    than the ceiling less the least its own cost can be; and the ceiling is not looser than one best option a day."""
    _config, _team, _requirements, _start, _days, problem = small_problem(seed)
    planner = OptionPlanner(problem)
    models = AgentModels(problem)
    rng = np.random.default_rng(seed)
    for a in range(0, len(problem.agents), 3):
        options = problem.allowed[a]
        value = {o: int(v) for o, v in zip(options, rng.integers(-20_000, 400_000, size=len(options)), strict=True)}
        shifts = models.best_shifts(a, value, (), 1.0)
        assert shifts is not None
        best = sum(value[o] for o in shifts) - models.remembered_cost(a)
        ceiling = planner.ceiling(a, value)
        assert ceiling - models.own_floor(a) >= best
        days = {problem.options[o].day_index for o in options}
        loose = sum(max(0, *(value[o] for o in options if problem.options[o].day_index == d)) for d in days)
        assert ceiling <= loose
