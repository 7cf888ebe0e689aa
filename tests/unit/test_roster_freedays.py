"""Whole days re-chosen jointly inside the descent, queues split freely per skill group."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections import defaultdict

import numpy as np
import pytest

from benchmarks.roster_instances import make_instance
from scheduler.config import Config
from scheduler.rostering import solve
from scheduler.rostering.activities import plan_activities
from scheduler.rostering.checker import find_violations
from scheduler.rostering.coveragecost import CoverageCost
from scheduler.rostering.dayswitches import DaySwitches, following
from scheduler.rostering.descent import descend, round_affords
from scheduler.rostering.extract import roster_rows
from scheduler.rostering.freedays import FreeDays
from scheduler.rostering.lunches import Lunches
from scheduler.rostering.previous import apply_previous
from scheduler.rostering.problem import RosterProblem, build_problem
from scheduler.team import Team


@functools.cache
def _descended(seed: int):  # noqa: ANN202
    """A 14-agent week after a short descent (no whole days): the state the days start from."""
    config, team, requirements, start, days = make_instance(14, weeks=1, seed=seed, time_limit_seconds=2.0)
    problem = apply_previous(build_problem(config, team, requirements, start, days), None, None)
    result = descend(problem, 0.3)
    assert result is not None
    return config, team, start, days, problem, result


def _state(seed: int):  # noqa: ANN202
    config, team, start, days, problem, result = _descended(seed)
    coverage = CoverageCost(problem)
    coverage.served[...] = result.served
    lunches = Lunches(problem, movable=True)
    lunches.at.update({key: start for key, start in result.lunch.items() if start is not None})
    current: dict[int, list[int]] = defaultdict(list)
    for a, o in sorted(result.chosen):
        current[a].append(o)
    return config, team, start, days, problem, coverage, lunches, current


def _assert_counts_are_the_rosters(coverage: CoverageCost, lunches: Lunches, current: dict[int, list[int]]) -> None:
    """Each group's agents per interval are what the shifts and lunches give."""
    working = np.zeros(coverage.served.sum(axis=1).shape, dtype=np.int64)
    for a, shifts in current.items():
        for o in shifts:
            working[coverage.group_of[a], lunches.worked(a, o)] += 1
    assert (coverage.served.sum(axis=1) == working).all()


def _assert_roster_keeps_every_rule(
    config: Config,
    team: Team,
    start: dt.date,
    days: int,
    problem: RosterProblem,
    coverage: CoverageCost,
    lunches: Lunches,
    current: dict[int, list[int]],
) -> None:
    """The roster written from the state (plans in blocks on its shifts and split) passes the independent checker."""
    chosen = tuple(sorted((a, o) for a, shifts in current.items() for o in shifts))
    lunch = {(a, o): lunches.at.get((a, o), problem.options[o].nominal_lunch) for a, o in chosen}
    serve = {
        (int(g), int(t), int(q)): int(coverage.served[g, q, t])
        for g, q, t in zip(*coverage.served.nonzero(), strict=True)
    }
    plans = plan_activities(problem, chosen, lunch, serve, 0.2).plans
    assert find_violations(roster_rows(problem, plans), team, config, start, days) == []


@pytest.mark.parametrize("seed", [2, 3])  # lunch 30 min; lunch 60 min and breaks
def test_days_never_cost_more_keep_the_counts_and_every_rule(seed: int) -> None:
    config, team, start, days, problem, coverage, lunches, current = _state(seed)
    free = FreeDays(problem, coverage, lunches, switches=False)
    before = coverage.total()
    gained = 0
    for d in range(len(problem.days)):
        cost = coverage.total()
        outcome = free.improve(d, current)
        assert outcome is not None
        assert coverage.total() <= cost  # hours below target may trade against coverage, the sum never rises
        gained += outcome.gain
    assert gained > 0 and coverage.total() < before  # a short descent leaves room
    assert coverage.missing_minimum() == 0
    # The counts are the roster's: each group's agents per interval as the shifts and lunches give them.
    _assert_counts_are_the_rosters(coverage, lunches, current)
    # Every agent's rules hold: the roster written from them passes the independent checker.
    _assert_roster_keeps_every_rule(config, team, start, days, problem, coverage, lunches, current)


def test_days_are_deterministic_and_charged() -> None:
    *_rest, problem, coverage, lunches, current = _state(2)
    free = FreeDays(problem, coverage, lunches, switches=False)
    outcomes = [free.improve(d, current) for d in range(len(problem.days))]
    *_rest, problem, coverage2, lunches2, current2 = _state(2)
    again = FreeDays(problem, coverage2, lunches2, switches=False)
    assert [again.improve(d, current2) for d in range(len(problem.days))] == outcomes
    assert (coverage.served == coverage2.served).all() and current == current2
    assert again.seconds == free.seconds > 0


def test_the_descent_with_whole_days_makes_a_valid_roster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve, "DIRECT_MAX_AGENT_DAYS", 0)
    config, team, start, days, problem, _result = _descended(3)
    result = descend(problem, 1.0, whole_days=True)
    assert result is not None and result.missing_minimum == 0
    served = result.served
    serve = {(int(g), int(t), int(q)): int(served[g, q, t]) for g, q, t in zip(*served.nonzero(), strict=True)}
    plans = plan_activities(problem, tuple(sorted(result.chosen)), result.lunch, serve, 0.2).plans
    assert find_violations(roster_rows(problem, plans), team, config, start, days) == []


def _rounds(messages: list[str]) -> list[tuple[str, int, float]]:
    """(kind, coverage cost, counted seconds) of each descent round reported."""
    found = re.findall(
        r"^descent (\w+)[^:]*: coverage cost ([\d,]+),.*\(([\d.]+) s counted\)$", "\n".join(messages), re.M
    )
    return [(kind, int(cost.replace(",", "")), float(seconds)) for kind, cost, seconds in found]


def test_the_first_round_of_whole_days_goes_past_the_share_but_leaves_the_polish_a_sweep() -> None:
    """Past the descent's share, its first round of whole days goes on up to ``first_days_limit`` less what its
    last plain sweep was charged (the polish's first sweep); no round follows it."""
    *_rest, problem, _result = _descended(3)
    share = 0.3  # ends within the first round of whole days on this week
    cut: list[str] = []
    descend(problem, share, cut.append, whole_days=True)
    assert [kind for kind, *_ in _rounds(cut)] == ["sweep", "sweep", "whole"]
    sweep = _rounds(cut)[1][2] - _rounds(cut)[0][2]  # sweep 2's charge (no guide here)
    full: list[str] = []
    result = descend(problem, share, full.append, whole_days=True, first_days_limit=10.0)
    assert result is not None and result.missing_minimum == 0
    assert [kind for kind, *_ in _rounds(full)] == ["sweep", "sweep", "whole"]
    assert _rounds(full)[-1][1] < _rounds(cut)[-1][1]  # the round went on, and gained
    assert share < result.seconds < 10.0 - sweep  # ended by itself, every day tried
    # A limit that would leave the polish less than that sweep gives the round nothing past the share.
    kept: list[str] = []
    descend(problem, share, kept.append, whole_days=True, first_days_limit=share + sweep / 2)
    assert kept == cut


def _switch_cost(free: FreeDays, current: dict[int, list[int]]) -> int:
    """What the whole roster's split is charged for switches, as a priced day counts them (every interval)."""
    coverage, lunches = free.coverage, free.lunches
    ts = np.arange(coverage.served.shape[2])
    none = np.zeros(coverage.served.sum(axis=1).shape, dtype=np.int64)
    weight = free.problem.settings.switch_weight
    switches = DaySwitches(priced=following(coverage, ts), fixed=none, now=none, weight=weight)
    shifts = [(coverage.group_of[a], lunches.worked(a, o)) for a, options in current.items() for o in options]
    return switches.charge(coverage.served, switches.arrivals(shifts))


@pytest.mark.parametrize("seed", [2, 3])
def test_priced_days_never_cost_more_with_their_switches_and_switch_less_than_the_free_split(seed: int) -> None:
    """Issue 14: a group's split changes between intervals only as its agents arrive or switch queue, each
    switch charged ``switch_weight``; a day is replaced only when that sum falls, and the split is handed
    over as the program chose it."""
    config, team, start, days, problem, coverage, lunches, current = _state(seed)
    priced = FreeDays(problem, coverage, lunches)
    for d in range(len(problem.days)):
        cost = coverage.total() + _switch_cost(priced, current)
        outcome = priced.improve(d, current)
        assert outcome is not None
        assert coverage.total() + _switch_cost(priced, current) <= cost
    assert coverage.missing_minimum() == 0
    _assert_counts_are_the_rosters(coverage, lunches, current)
    *_rest, coverage2, lunches2, current2 = _state(seed)
    free = FreeDays(problem, coverage2, lunches2, switches=False)
    for d in range(len(problem.days)):
        free.improve(d, current2)
    # the free split follows its need interval by interval; the priced one switches less
    assert _switch_cost(priced, current) < _switch_cost(free, current2)
    _assert_roster_keeps_every_rule(config, team, start, days, problem, coverage, lunches, current)


def test_kept_shifts_switches_are_not_priced_again() -> None:
    """Over a published roster a kept shift's plan is the published one (the activity stage charges
    changing it): its agent may switch freely in the day's program, so with every shift kept a priced
    day is the free split's (session 26: priced, the example's replan after a day off re-planned 11
    kept shifts where the test allows 10, the descent's budget going to programs that price nothing real)."""
    *_rest, problem, coverage, lunches, current = _state(3)
    kept = {a: {problem.options[o].day_index: o for o in shifts} for a, shifts in current.items()}
    problem = dataclasses.replace(problem, previous=kept)
    priced = FreeDays(problem, coverage, lunches)
    outcomes = [priced.improve(d, current) for d in range(len(problem.days))]
    *_rest, coverage2, lunches2, current2 = _state(3)
    free = FreeDays(problem, coverage2, lunches2, switches=False)
    assert [free.improve(d, current2) for d in range(len(problem.days))] == outcomes
    assert (coverage.served == coverage2.served).all() and priced.seconds == free.seconds
    # with no shift kept the same days are priced, and their programs are dearer
    *_rest, problem, coverage3, lunches3, current3 = _state(3)
    dearer = FreeDays(problem, coverage3, lunches3)
    for d in range(len(problem.days)):
        dearer.improve(d, current3)
    assert dearer.seconds > free.seconds


def test_a_priced_day_expected_dearer_than_its_share_takes_the_free_split() -> None:
    """A round with little room left (the example at 1 s: 0.35 s for 7 days) re-chooses its days on the
    free split rather than spend it on one priced program (session 26: 1 day changed instead of 5)."""
    *_rest, problem, coverage, lunches, current = _state(3)
    priced = FreeDays(problem, coverage, lunches)
    outcomes = []
    for d in range(len(problem.days)):
        outcomes.append(priced.improve(d, current, share=0.0))
        assert priced.dear  # told, so that the round's days after it take the free split without building theirs
    *_rest, coverage2, lunches2, current2 = _state(3)
    free = FreeDays(problem, coverage2, lunches2, switches=False)
    assert [free.improve(d, current2) for d in range(len(problem.days))] == outcomes
    assert (coverage.served == coverage2.served).all()
    assert priced.seconds > free.seconds  # the priced programs were built, and charged
    *_rest, coverage3, lunches3, current3 = _state(3)
    roomy = FreeDays(problem, coverage3, lunches3)
    assert [roomy.improve(d, current3, share=10.0) for d in range(len(problem.days))] != outcomes
    assert not roomy.dear


@pytest.mark.parametrize(
    ("charged", "done", "to_come", "room", "affords"),
    [
        (0.0, 0, 28, 1.0, True),  # before any day: the least a day is charged (0.019 s) stands for the mean
        (0.0, 0, 28, 0.3, False),  # chi100's round, cut short after 0.3 s: left to the free split
        (1.0, 2, 10, 5.0, True),  # 0.5 a day, 10 to come: 5.0
        (1.0, 2, 11, 5.0, False),
        (6.0, 1, 27, 30.0, False),  # syd300: one day at six times the free program's charge
    ],
)
def test_a_round_prices_switches_while_its_mean_charge_leaves_room(
    charged: float, done: int, to_come: int, room: float, affords: bool
) -> None:
    assert round_affords(charged, done, to_come, room) is affords
