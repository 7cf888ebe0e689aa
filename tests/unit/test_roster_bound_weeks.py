"""The bound per week and beside the search: valid, deterministic, and its child process never left behind."""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
from unittest import mock

import numpy as np
import pytest

from scheduler.rostering import bound as bound_module
from scheduler.rostering import bound_job as bound_job_module
from scheduler.rostering import build_problem, make_roster, solve
from scheduler.rostering.aggregate import (
    BUILD_SECONDS_PER_TERM,
    _included,
    agent_classes,
    build_seconds,
    count_terms,
    day_cap,
    solve_aggregate,
)
from scheduler.rostering.bound import first_guide, horizon_may_gain, lower_bound, week_blocks
from scheduler.rostering.bound_job import BoundJob, can_fork
from tests.session_once import once_per_session
from tests.unit.roster_support import two_weeks_bound, two_weeks_inputs


@pytest.fixture(scope="module")
def two_weeks():  # noqa: ANN201
    """Thursday to the next Wednesday (two ISO weeks), shifts starting every two hours: small LPs."""
    instance = two_weeks_inputs()
    return instance, build_problem(*instance)


def test_every_interval_is_charged_in_exactly_one_week(two_weeks) -> None:  # noqa: ANN001
    _instance, problem = two_weeks
    blocks = week_blocks(problem)
    assert [block.days for block in blocks] == list(problem.weeks)
    charged = np.concatenate([np.asarray(block.intervals) for block in blocks])
    assert sorted(charged.tolist()) == list(range(len(problem.grid)))
    # A shift running past Sunday midnight takes those hours into its own week.
    for option in problem.options:
        week = next(w for w, block in enumerate(blocks) if option.day_index in block.days)
        if week + 1 < len(blocks):
            assert not set(range(option.first_interval, option.last_interval)) & set(blocks[week + 1].intervals)


def test_a_week_includes_its_days_options_and_those_reaching_into_its_intervals(two_weeks) -> None:  # noqa: ANN001
    _instance, problem = two_weeks
    for block in week_blocks(problem):
        owned = set(block.intervals)
        expected = [
            option.day_index in block.days or bool(owned & set(range(option.first_interval, option.last_interval)))
            for option in problem.options
        ]
        assert _included(problem, block).tolist() == expected
        assert not all(expected)  # the other week's options stay out
        # count terms: per class, its allowed options in the block, each the runs of two it reaches
        spans = [
            (problem.options[o].last_interval - 1) // 2 - problem.options[o].first_interval // 2 + 1
            for members in agent_classes(problem)
            for o in problem.allowed[members[0]]
            if expected[o]
        ]
        assert count_terms(problem, block, 2) == sum(spans) > 0


@pytest.fixture(scope="module")
def bound_in_process(two_weeks, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN001, ANN201
    """The bound of the two-week problem with a 1-second budget, computed here (no job), once per session:
    work stealing may give this module's tests to both xdist workers, and test_roster_guide.py reads it too."""
    _instance, problem = two_weeks
    return two_weeks_bound(tmp_path_factory, problem)


@pytest.fixture(scope="module")
def rosters(two_weeks, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN001, ANN201
    """The roster with its bound beside the search, in a child process and in a thread (once per session)."""
    (config, team, requirements, start, days), _problem = two_weeks

    def solve_both(_folder):  # noqa: ANN001, ANN202
        with mock.patch.object(solve, "DIRECT_MAX_AGENT_DAYS", 0):  # the large-team path: the bound beside it
            in_process = make_roster(config, team, requirements, start, days)
            with mock.patch.object(bound_job_module, "can_fork", return_value=False):
                in_thread = make_roster(config, team, requirements, start, days)
        return {"process": in_process, "thread": in_thread}

    return once_per_session(tmp_path_factory, "roster-weeks-rosters", solve_both)[1]


@pytest.fixture(scope="module")
def span(two_weeks):  # noqa: ANN001, ANN201
    """Each week's whole-queue relaxation with span plans (solved once for the two tests that read it)."""
    _instance, problem = two_weeks
    return [solve_aggregate(problem, whole_queues=True, plans="span", block=block) for block in week_blocks(problem)]


def test_the_weeks_add_up_to_at_most_the_whole_horizon_and_the_roster(two_weeks, span, rosters) -> None:  # noqa: ANN001
    _instance, problem = two_weeks
    whole = solve_aggregate(problem, whole_queues=True)
    weekly = [solve_aggregate(problem, whole_queues=True, block=block) for block in week_blocks(problem)]
    assert all(result.optimal for result in [whole, *weekly, *span])
    assert sum(result.bound for result in weekly) <= whole.bound * (1 + 1e-9)
    for free, planned in zip(weekly, span, strict=True):
        # Span plans restrict the multi-skilled agents' free split and charge its switches.
        assert planned.bound >= free.bound * (1 - 1e-9)
    roster = rosters["process"]
    assert sum(result.bound for result in span) <= roster.objective
    assert roster.bound_available and roster.best_bound <= roster.objective


@pytest.fixture(scope="module")
def ample(two_weeks):  # noqa: ANN001, ANN201
    """``lower_bound(problem, 1e6)``: every week proven (two tests read it; each computed it, 0.6 s of CPU)."""
    _instance, problem = two_weeks
    return lower_bound(problem, 1e6)


def test_the_bound_takes_each_weeks_best_and_none_without_budget(two_weeks, span, ample) -> None:  # noqa: ANN001
    _instance, problem = two_weeks
    assert ample.available and ample.bound >= sum(result.bound for result in span) * (1 - 1e-9)
    assert not lower_bound(problem, 0.0).available


def test_a_week_the_budget_leaves_unproven_counts_zero(two_weeks, ample) -> None:  # noqa: ANN001
    """Out of budget in the last week: the weeks proven still bound the objective (its terms are >= 0)."""
    _instance, problem = two_weeks
    calls: list[float] = []

    def first_week_only(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        result = solve_aggregate(*args, **kwargs)
        calls.append(result.bound)
        return result if len(calls) == 1 else dataclasses.replace(result, bound=0.0, optimal=False)

    with mock.patch.object(bound_module, "solve_aggregate", first_week_only):
        partial = lower_bound(problem, 1e6)
    assert partial.available and partial.bound == calls[0] > 0
    assert "1 of 2 weeks" in partial.relaxation
    assert partial.bound <= ample.bound


def test_a_later_relaxations_week_is_not_started_where_its_own_rate_says_it_cannot_finish(two_weeks) -> None:  # noqa: ANN001
    """Span plans charged ten times over: their second week fits at the first relaxation's rate, not at their own."""
    _instance, problem = two_weeks
    blocks = week_blocks(problem)
    calls: list[tuple[str | None, float]] = []

    def dear_spans(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        result = solve_aggregate(*args, **kwargs)
        if kwargs.get("plans"):
            result = dataclasses.replace(result, seconds=10 * result.seconds)
        calls.append((kwargs.get("plans"), result.seconds))
        return result

    with mock.patch.object(bound_module, "solve_aggregate", dear_spans):
        lower_bound(problem, 1e6, runs=True)
    first = [seconds for plans, seconds in calls if not plans][: len(blocks)]
    spans = [seconds for plans, seconds in calls if plans]
    first_rate = sum(first) / sum(BUILD_SECONDS_PER_TERM * count_terms(problem, block) for block in blocks)
    at_first_rate = first_rate * build_seconds(problem, blocks[1], "span")
    budget = sum(first) + spans[0] + 1.05 * at_first_rate
    assert 1.05 * at_first_rate < spans[1]  # it would not finish
    calls.clear()
    with mock.patch.object(bound_module, "solve_aggregate", dear_spans):
        tight = lower_bound(problem, budget, runs=True)
    assert [plans for plans, _seconds in calls if plans] == ["span"]  # the second span week not started
    assert tight.available and tight.seconds < budget


def test_the_whole_horizon_is_tried_beside_the_search_only_where_the_weeks_break_a_rule_across_them(two_weeks) -> None:  # noqa: ANN001
    _instance, problem = two_weeks
    classes = agent_classes(problem)
    # One weekend, one allowed: no weekend cap; no agent-days: every day cap kept.
    assert not horizon_may_gain(problem, {})
    c, members = next((c, members) for c, members in enumerate(classes) if day_cap(problem, members[0]) is not None)
    most = day_cap(problem, members[0])
    assert most is not None
    option = problem.allowed[members[0]][0]
    assert horizon_may_gain(problem, {(c, option): len(members) * most + 1.0})
    assert not horizon_may_gain(problem, {(c, option): float(len(members) * most)})
    weeks = [
        solve_aggregate(problem, whole_queues=True, block=block, keep_counts=True) for block in week_blocks(problem)
    ]
    whole = solve_aggregate(problem, whole_queues=True)
    summed = sum(result.bound for result in weeks)
    assert whole.bound >= summed * (1 - 1e-9)
    gain = horizon_may_gain(problem, {key: value for result in weeks for key, value in result.counts.items()})
    if not gain:  # the weeks' optima together are the whole horizon's
        assert whole.bound <= summed * (1 + 1e-6) + 1e-3
    calls: list[bool] = []

    def record(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(kwargs.get("block") is None)
        return solve_aggregate(*args, **kwargs)

    with mock.patch.object(bound_module, "solve_aggregate", record):
        lower_bound(problem, 1e6, runs=True)
    assert any(calls) == gain


@pytest.mark.parametrize("process", [True, False])
def test_the_bound_beside_the_search_is_the_bound_in_process(two_weeks, bound_in_process, process: bool) -> None:  # noqa: ANN001
    _instance, problem = two_weeks
    if process and not can_fork():
        pytest.skip("no fork here")
    with BoundJob(problem, 1.0, process=process) as job:
        assert job.mode == ("process" if process else "thread")
        assert job.result() == bound_in_process  # the counts' message, not asked for, skipped
    assert not multiprocessing.active_children()
    with BoundJob(problem, 1.0, process=process) as job:
        # The first relaxation's counts (guide.py) first, then the bound: both as computed here.
        assert job.guide() == job.guide() == first_guide(problem, 1.0)
        assert job.result() == bound_in_process
    assert not multiprocessing.active_children()


def test_the_child_is_ended_on_an_error_and_on_ctrl_c(two_weeks) -> None:  # noqa: ANN001
    _instance, problem = two_weeks
    if not can_fork():
        pytest.skip("no fork here")
    for interruption in (RuntimeError("search failed"), KeyboardInterrupt()):
        with pytest.raises(type(interruption)), BoundJob(problem, 1e6, process=True) as job:
            assert job.mode == "process"
            raise interruption
        assert not multiprocessing.active_children()


@pytest.mark.parametrize("process", [True, False])
def test_the_collector_is_quieted_for_the_jobs_length_only(two_weeks, process: bool) -> None:  # noqa: ANN001
    _instance, problem = two_weeks
    if process and not can_fork():
        pytest.skip("no fork here")
    gc.unfreeze()
    threshold = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with pytest.raises(RuntimeError), BoundJob(problem, 1e6, process=process):
            # The objects alive at the start out of the collector's sight, the young collected less often.
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold() == (bound_job_module.YOUNG_THRESHOLD, 10, 10)
            raise RuntimeError("search failed")
        assert gc.get_freeze_count() == 0  # as before once it ends, whichever way
        assert gc.get_threshold() == (700, 10, 10)
        gc.freeze()  # what a caller set itself is the caller's: left as it was
        gc.set_threshold(50_000, 5, 5)
        with BoundJob(problem, 1e6, process=process):
            assert gc.get_threshold() == (50_000, 5, 5)
        assert gc.get_freeze_count() > 0  # (fewer: frozen objects freed since are gone from it)
        assert gc.get_threshold() == (50_000, 5, 5)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_a_thread_stops_when_the_search_fails(two_weeks) -> None:  # noqa: ANN001
    _instance, problem = two_weeks
    with pytest.raises(RuntimeError), BoundJob(problem, 1e6, process=False) as job:
        raise RuntimeError("search failed")
    assert job._thread is not None
    job._thread.join(timeout=60)  # its solve interrupted, no other started
    assert not job._thread.is_alive()


def _bound_inside_a_daemon(problem, answers) -> None:  # noqa: ANN001
    with BoundJob(problem, 1.0) as job:
        answers.put((can_fork(), job.mode, job.result()))


def test_a_daemonic_process_computes_the_same_bound_in_a_thread(two_weeks, bound_in_process) -> None:  # noqa: ANN001
    """A dask worker is a daemonic process, which may not fork children: the bound runs in a thread there."""
    _instance, problem = two_weeks
    if not can_fork():
        pytest.skip("no fork here")
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    worker = context.Process(target=_bound_inside_a_daemon, args=(problem, answers), daemon=True)
    worker.start()
    forkable, mode, proven = answers.get(timeout=300)
    worker.join()
    assert (forkable, mode) == (False, "thread")
    assert proven == bound_in_process


def test_a_roster_is_the_same_whether_its_bound_ran_in_a_process_or_a_thread(rosters) -> None:  # noqa: ANN001
    in_process, in_thread = rosters["process"], rosters["thread"]
    assert in_process.roster.equals(in_thread.roster)
    assert (in_process.objective, in_process.best_bound) == (in_thread.objective, in_thread.best_bound)
    assert in_process.bound_available


def test_one_worker_keeps_the_bound_in_the_budget(two_weeks) -> None:  # noqa: ANN001
    """``roster.workers = 1`` (a one-core machine): no child, no thread; the bound is proven in turn."""
    (config, team, requirements, start, days), _problem = two_weeks
    one = dataclasses.replace(config, roster=dataclasses.replace(config.roster, workers=1))
    with (
        mock.patch.object(solve, "DIRECT_MAX_AGENT_DAYS", 0),
        mock.patch("scheduler.rostering.BoundJob", side_effect=AssertionError("no bound beside the search")),
    ):
        result = make_roster(one, team, requirements, start, days)
    assert result.best_bound <= result.objective
    assert not multiprocessing.active_children()


@pytest.mark.parametrize(("value", "fine"), [("1", True), ("2", True), ("0", False), ("3", False)])
def test_workers_is_read_from_the_roster_section(tmp_path, value: str, fine: bool) -> None:  # noqa: ANN001
    from tests.unit.test_routing_config import error, load

    if fine:
        assert load(tmp_path, f"[roster]\nworkers = {value}\n").roster.workers == int(value)  # type: ignore[attr-defined]
    else:
        assert "roster.workers" in error(tmp_path, f"[roster]\nworkers = {value}\n")
