"""The relaxation's counts steering the descent: where they come from, what they are worth, what they change."""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from unittest import mock

import pytest

from scheduler.rostering import bound as bound_module
from scheduler.rostering import bound_job as bound_job_module
from scheduler.rostering import build_problem
from scheduler.rostering.aggregate import agent_classes, solve_aggregate
from scheduler.rostering.bound import first_guide, lower_bound
from scheduler.rostering.bound_job import BoundJob, can_fork
from scheduler.rostering.descent import AgentModels, descend
from scheduler.rostering.guide import GUIDE_WEIGHT, Guide, Pull
from tests.unit.roster_support import two_weeks_bound, two_weeks_inputs


@pytest.fixture(scope="module")
def problem():  # noqa: ANN201
    """Two ISO weeks of a 14-agent team, shifts starting every two hours: small LPs (test_roster_bound_weeks.py's)."""
    return build_problem(*two_weeks_inputs())


@pytest.fixture(scope="module")
def guide(problem):  # noqa: ANN001, ANN201
    found = first_guide(problem, 1.0)
    assert found is not None
    return found


def test_the_counts_are_a_split_of_each_class_among_its_own_options(problem, guide) -> None:  # noqa: ANN001
    assert guide.classes == agent_classes(problem)
    assert guide.counts and all(value > 0 for value in guide.counts.values())
    per_day: dict[tuple[int, int], float] = defaultdict(float)
    for (c, o), value in guide.counts.items():
        members = guide.classes[c]
        assert o in problem.allowed[members[0]]
        per_day[c, problem.options[o].day_index] += value
    for (c, _day), total in per_day.items():
        assert total <= len(guide.classes[c]) + 1e-6  # one shift a day each
    # Every day of the horizon is some week's own: all of them are counted.
    assert {problem.options[o].day_index for _c, o in guide.counts} == set(range(len(problem.days)))


def test_no_counts_without_the_budget_for_them(problem) -> None:  # noqa: ANN001
    assert first_guide(problem, 0.0) is None
    calls = []
    assert not lower_bound(problem, 0.0, on_guide=calls.append).available
    assert calls == [None]  # always answered, once


def _heard(problem, guide_limit: float | None):  # noqa: ANN001, ANN202
    """The first relaxation alone: what ``on_guide`` heard after how many weeks, the bound, each week's charge."""
    charges: list[float] = []
    heard: list[tuple[int, Guide | None]] = []

    def record(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        result = solve_aggregate(*args, **kwargs)
        charges.append(result.seconds)
        return result

    with (
        mock.patch.object(bound_module, "RELAXATIONS", bound_module.RELAXATIONS[:1]),
        mock.patch.object(bound_module, "solve_aggregate", side_effect=record),
    ):
        proven = lower_bound(
            problem, 1.0, on_guide=lambda found: heard.append((len(charges), found)), guide_limit=guide_limit
        )
    return heard, proven, charges


def test_counts_past_the_guides_limit_are_no_guide_sent_at_once_and_the_bound_goes_on(problem, guide) -> None:  # noqa: ANN001
    heard, bound, charges = _heard(problem, None)
    assert heard == [(2, guide)] and len(charges) == 2
    first, both = charges[0], charges[0] + charges[1]
    # Within the limit (charged exactly it): the same counts, so the same guided descent.
    assert _heard(problem, both)[:2] == ([(2, guide)], bound)
    # Past it: None as soon as the week that passed it is done, the bound as before.
    assert _heard(problem, (first + both) / 2)[:2] == ([(2, None)], bound)
    assert _heard(problem, first / 2)[:2] == ([(1, None)], bound)
    # Beside the search (a thread here): the search gets None, which it sweeps unguided
    # (test_a_guided_descent_is_valid_and_the_same_on_every_run), and the same bound.
    with (
        mock.patch.object(bound_module, "RELAXATIONS", bound_module.RELAXATIONS[:1]),
        BoundJob(problem, 1.0, process=False, guide_limit=first / 2) as job,
    ):
        assert job.guide() is None and job.result() == bound


def test_a_child_that_dies_first_leaves_the_same_counts(problem, guide, tmp_path_factory) -> None:  # noqa: ANN001
    if not can_fork():
        pytest.skip("no fork here")
    real = bound_job_module.lower_bound

    def dies_in_the_child(*args, on_guide=None, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if on_guide is not None:  # only the child asks for the counts this way
            os._exit(1)
        return real(*args, **kwargs)

    with (
        mock.patch.object(bound_job_module, "lower_bound", dies_in_the_child),
        BoundJob(problem, 1.0, process=True) as job,
    ):
        assert job.guide() == guide
        assert job.result() == two_weeks_bound(tmp_path_factory, problem)  # lower_bound(problem, 1.0), once per session
    assert not multiprocessing.active_children()
    # The counts beside the search in a child or a thread, asked for or not: tests/unit/test_roster_bound_weeks.py.


def test_the_pull_is_what_the_class_still_lacks_at_most_one_agent() -> None:
    guide = Guide(classes=((0, 1, 2), (3,)), counts={(0, 5): 1.5, (0, 6): 0.25, (1, 5): 1.0})
    pull = Pull(guide, {0: [5], 1: [6], 2: [], 3: []})
    assert pull.worth(2, [5, 6, 7]) == {5: GUIDE_WEIGHT // 2}  # 1.5 wanted, one there; 6 is over-full
    pull.take_out(0, [5])
    assert pull.worth(0, [5, 6, 7]) == {5: GUIDE_WEIGHT}  # at most a whole agent's worth
    pull.put_back(0, [5])
    pull.take_out(1, [6])
    assert pull.worth(1, [6]) == {6: GUIDE_WEIGHT // 4}
    assert pull.worth(3, [5]) == {5: GUIDE_WEIGHT}  # its own class's count


def test_a_guided_descent_is_valid_and_the_same_on_every_run(problem, guide) -> None:  # noqa: ANN001
    runs = [descend(problem, 0.5, guide=lambda: guide) for _ in range(2)]
    plain = descend(problem, 0.5)
    unguided = descend(problem, 0.5, guide=lambda: None)
    assert all(run is not None and run.missing_minimum == 0 for run in [*runs, plain, unguided])
    assert runs[0].chosen == runs[1].chosen and (runs[0].served == runs[1].served).all()  # type: ignore[union-attr]
    assert unguided.chosen == plain.chosen  # type: ignore[union-attr]


def test_a_guided_descent_completes_the_plain_sweep_after_the_guided_one(problem, guide) -> None:  # noqa: ANN001
    # At 0.2 counted s the guided sweep ends the descent's share on this team; the plain sweep after
    # it is still made for every agent (issue 14: Chicago's descent stopped there with nothing swept).
    calls: list[int] = []
    marks: list[int] = []
    real = AgentModels.best_shifts

    def counted(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls.append(args[0])
        return real(self, *args, **kwargs)

    def report(line: str) -> None:
        if line.startswith("descent guided"):
            marks.append(len(calls))

    with mock.patch.object(AgentModels, "best_shifts", counted):
        result = descend(problem, 0.2, report, guide=lambda: guide)
    assert result is not None and result.missing_minimum == 0 and marks
    assert set(calls[marks[0] :]) == set(range(len(problem.agents)))
