"""The activity stage's floor read before it runs, and the shift stage leaving it (issue 14: the whole roster stage
within ``time_limit_seconds``): on a 15-minute grid with several queues an agent, lunch and queue blocks' first sweep
is charged more than their share, and the descent stops early enough for it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks.roster_instances import make_instance
from benchmarks.roster_unseen_instances import load_instance
from scheduler.rostering.activities import floor_seconds
from scheduler.rostering.aggregate import agent_classes
from scheduler.rostering.descent import descend
from scheduler.rostering.guide import Guide
from scheduler.rostering.problem import RosterProblem, build_problem
from scheduler.rostering.shiftprogram import compile_program, estimated_seconds
from scheduler.rostering.solve import ACTIVITY_SHARE, final_seconds, shift_stage_end, stage_budget


@pytest.fixture(scope="module")
def berlin() -> RosterProblem:
    """The unseen Berlin team's first week: 100 agents, 15-minute grid, queues by language."""
    config, team, requirements, start, days = load_instance("ber100", 1, weeks=1)
    return build_problem(config, team, requirements, start, days)


def some_shifts(problem: RosterProblem, per_agent: int, step: int = 1) -> list[tuple[int, int]]:
    """Every ``step``-th agent's middle option on its first ``per_agent`` days (a roster's size and mix, unsolved)."""
    shifts = []
    for a in range(0, len(problem.agents), step):
        by_day = problem.options_by_day(a)
        shifts.extend((a, by_day[d][len(by_day[d]) // 2]) for d in sorted(by_day)[:per_agent])
    return shifts


def test_a_programs_charges_are_read_from_its_shape_within_a_third(berlin: RosterProblem) -> None:
    settings = berlin.settings
    caps = np.array([max(math.ceil(settings.min_block(q) / berlin.interval_minutes), 1) for q in berlin.queues])
    seen = set()
    for a, o in some_shifts(berlin, 2, step=9):
        option = berlin.options[o]
        queues = [q for q, queue in enumerate(berlin.queues) if queue in berlin.agents[a].channels]
        allowed = berlin.is_open[queues, option.first_interval : option.last_interval].astype(bool).T
        lunches = [None if s is None else s - option.first_interval for s in option.lunch_starts or (None,)]
        key = (len(allowed), tuple(queues), allowed.tobytes(), tuple(lunches))
        if len(queues) < 2 or key in seen:
            continue
        seen.add(key)
        n, lunch = len(allowed), option.lunch_intervals
        cap = {q: int(caps[q]) for q in range(len(queues))}
        program = compile_program(n, allowed, range(len(queues)), cap, lunches, 0, lunch, switch=1, most=1, penalty=1e9)
        run, compiling = estimated_seconds(allowed, caps[queues], lunches, lunch, settings.max_switches_per_shift)
        assert 0.75 <= compiling / program.compile_seconds <= 1.6
        assert 0.75 <= run / program.run_seconds <= 1.6
    assert len(seen) >= 4


def test_the_shift_stage_leaves_a_15_minute_team_its_floor_and_a_30_minute_team_its_whole_budget(
    berlin: RosterProblem,
) -> None:
    shifts = some_shifts(berlin, 5)
    floor, reading = floor_seconds(berlin, shifts)
    budget = stage_budget(berlin)
    stages = berlin.time_limit_seconds - final_seconds(berlin)
    assert floor > 1.5 * ACTIVITY_SHARE * stages  # the programs of many shapes: more than the stage's share
    end = shift_stage_end(berlin, budget, shifts)
    assert end == pytest.approx(stages - floor - reading)
    assert end < budget
    config, team, requirements, start, days = make_instance(30, weeks=1, seed=3, time_limit_seconds=None)
    benchmark = build_problem(config, team, requirements, start, days)
    shifts = some_shifts(benchmark, 5)
    assert floor_seconds(benchmark, shifts)[0] < ACTIVITY_SHARE * (
        benchmark.time_limit_seconds - final_seconds(benchmark)
    )
    assert shift_stage_end(benchmark, stage_budget(benchmark), shifts) == stage_budget(benchmark)


def test_the_descent_stops_where_the_stages_after_it_need_their_floor() -> None:
    """The sweep after construction goes on past the descent's share (up to the shift stage's budget, 1 s
    here) unless the stages after it need the rest: then it stops at the end it is handed, cut short."""
    config, team, requirements, start, days = make_instance(30, weeks=1, seed=3, time_limit_seconds=1.0)
    problem = build_problem(config, team, requirements, start, days)
    guide = Guide(classes=agent_classes(problem), counts={})
    handed: list[list[tuple[int, int]]] = []

    def end(shifts: list[tuple[int, int]]) -> float:
        handed.append(shifts)
        return 0.3

    messages: list[str] = []
    result = descend(
        problem, 0.15, messages.append, guide=lambda: guide, whole_days=True, first_days_limit=1.0, stage_end=end
    )
    assert result is not None
    assert len(handed) == 1 and len(handed[0]) > len(problem.agents)  # once, the roster construction built
    assert result.seconds <= 0.3 + 0.05  # the last agent solve's charge past it at most
    assert any(message.startswith("descent: stops by 0.30") for message in messages)
    assert result.missing_minimum == 0


def test_the_descent_runs_as_before_where_not_even_its_share_leaves_the_floor_room() -> None:
    """An end before the descent's own share cannot make the stage honest (ber100 seed 2): cutting the sweep after
    construction would only make the roster worse, so the descent runs as without an end and says so."""
    config, team, requirements, start, days = make_instance(30, weeks=1, seed=3, time_limit_seconds=1.0)
    problem = build_problem(config, team, requirements, start, days)
    guide = Guide(classes=agent_classes(problem), counts={})

    def run(stage_end: object) -> tuple[object, list[str]]:
        messages: list[str] = []
        result = descend(
            problem,
            0.15,
            messages.append,
            guide=lambda: guide,
            whole_days=True,
            first_days_limit=1.0,
            stage_end=stage_end,  # type: ignore[arg-type]
        )
        assert result is not None
        return result, messages

    unbounded, _ = run(None)
    bounded, messages = run(lambda _shifts: 0.1)
    assert bounded.seconds == unbounded.seconds > 0.3  # type: ignore[attr-defined]
    assert bounded.chosen == unbounded.chosen  # type: ignore[attr-defined]
    assert any("does not fit the budget (room to 0.10 s)" in message for message in messages)
