"""Day patterns: which days an agent can work over the horizon, for a stronger relaxation.

The aggregate relaxation (:mod:`.aggregate`) sums every day-level rule over
a class of agents and lets counts be fractions, so a class may work 5/7 of
an agent every day: that keeps "at most 5 days in a row", "weekends: at most
3 in 4" and "5 shifts a week" summed, yet no agent can work such a week. Where
days off come in pairs and runs are short (London's team: 4 days in a row at
most, days off in pairs) an agent can work 18-19 days in 28, the relaxation
counts 20, and the missing shifts are the peak hours a roster cannot cover.

Here a class's worked days are instead a mix of **day patterns**: sets of days
one agent may work under its own day-level rules (days it has options on,
frozen days, at most ``max_consecutive_days`` in a row counting the run
before the horizon, days off in blocks of ``min_consecutive_days_off``, at
most ``max_weekends`` weekends, at most ``max_shifts_per_week`` shifts and at
least the shifts its weekly minimum needs at its longest option). Every
agent's worked days in any roster form such a pattern, so linking a class's
counts per day to a convex mix of patterns keeps the relaxation valid. There
are too many patterns to list; :func:`cheapest_pattern` finds the one a set
of day prices makes cheapest (dynamic programming over the days), and
:func:`add_pattern_columns` grows the linear program's patterns from it
(column generation) until none would lower its optimum.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from scheduler.rostering.problem import RosterProblem


@dataclass(frozen=True, slots=True, kw_only=True)
class DayRules:
    """The rules that decide which sets of days agent ``a`` may work (one agent of a class speaks for all)."""

    can_work: tuple[bool, ...]  # per day: the agent has an option on it
    must_work: tuple[bool, ...]  # per day: frozen to a shift
    week_of: tuple[int, ...]  # per day
    last_of_week: tuple[bool, ...]  # per day
    min_shifts: tuple[int, ...]  # per week: the weekly minimum's shifts at the longest option
    max_shifts: tuple[int, ...]  # per week
    weekend_of: tuple[int, ...]  # per day: its weekend's index, -1 on weekdays
    first_of_weekend: tuple[bool, ...]
    max_weekends: int
    max_run: int
    min_off: int
    run_before: int  # days worked just before the horizon (capped at max_run)
    off_before: int  # days off just before the horizon that must still continue


def day_rules(problem: RosterProblem, a: int) -> DayRules:
    """Agent ``a``'s day-level rules, as :mod:`.model` enforces them."""
    rules = problem.rules[a]
    horizon = len(problem.days)
    can = [False] * horizon
    longest = [0] * len(problem.weeks)
    week_of = [0] * horizon
    for w, week in enumerate(problem.weeks):
        for d in week:
            week_of[d] = w
    for o in problem.allowed[a]:
        option = problem.options[o]
        can[option.day_index] = True
        w = week_of[option.day_index]
        longest[w] = max(longest[w], option.paid_minutes)
    must = [False] * horizon
    allowed = set(problem.allowed[a])
    for d, kept in problem.fixed.get(a, {}).items():
        if kept is None:
            can[d] = False
        elif kept in allowed:
            must[d] = True
    min_shifts = tuple(
        math.ceil(low / longest[w]) if low > 0 and longest[w] > 0 else 0
        for w, (low, _high, _target) in enumerate(rules.week_minutes)
    )
    weekend_of = [-1] * horizon
    first_of_weekend = [False] * horizon
    for j, days in enumerate(problem.weekends):
        for d in days:
            weekend_of[d] = j
        first_of_weekend[days[0]] = True
    off = problem.off_before.get(a, 0)
    return DayRules(
        can_work=tuple(can),
        must_work=tuple(must),
        week_of=tuple(week_of),
        last_of_week=tuple(d == week[-1] for week in problem.weeks for d in week),
        min_shifts=min_shifts,
        max_shifts=tuple(min(rules.max_shifts_per_week, len(week)) for week in problem.weeks),
        weekend_of=tuple(weekend_of),
        first_of_weekend=tuple(first_of_weekend),
        max_weekends=min(rules.max_weekends, len(problem.weekends)),
        max_run=rules.max_consecutive_days,
        min_off=rules.min_consecutive_days_off,
        run_before=min(problem.worked_before.get(a, 0), rules.max_consecutive_days),
        off_before=max(rules.min_consecutive_days_off - off, 0) if off else 0,
    )


# A state of the dynamic program: (days worked in a row, days that must still be off, weekends
# worked, shifts this week, today's weekend already counted).
_State = tuple[int, int, int, int, int]


def cheapest_pattern(rules: DayRules, prices: np.ndarray) -> tuple[float, tuple[int, ...]] | None:
    """The pattern (days worked) of least summed ``prices`` under ``rules``; None when no pattern exists.

    Dynamic programming over the days; the states (:data:`_State`) are what
    the rules need to know of the days before.
    """
    horizon = len(rules.can_work)
    states: dict[_State, float] = {(rules.run_before, rules.off_before, 0, 0, 0): 0.0}
    back: list[dict[_State, tuple[_State, int]]] = []
    for d in range(horizon):
        reached: dict[_State, float] = {}
        came: dict[_State, tuple[_State, int]] = {}
        weekend = rules.weekend_of[d]
        week = rules.week_of[d]
        for key, cost in states.items():
            run, block, weekends, shifts, counted = key
            if rules.first_of_weekend[d]:
                counted = 0
            moves: list[tuple[int, _State, float]] = []
            if rules.can_work[d] and block == 0 and run < rules.max_run and shifts < rules.max_shifts[week]:
                worked, now = weekends, counted
                if weekend >= 0 and not counted:
                    worked, now = weekends + 1, 1
                if worked <= rules.max_weekends:
                    moves.append((1, (run + 1, 0, worked, shifts + 1, now), cost + float(prices[d])))
            if not rules.must_work[d]:
                left = block - 1 if block > 0 else (rules.min_off - 1 if run > 0 else 0)
                moves.append((0, (0, max(left, 0), weekends, shifts, counted), cost))
            for works, state, value in moves:
                if rules.last_of_week[d]:
                    if state[3] < rules.min_shifts[week]:
                        continue
                    state = (state[0], state[1], state[2], 0, state[4])
                if state not in reached or value < reached[state]:
                    reached[state] = value
                    came[state] = (key, works)
        back.append(came)
        states = reached
    if not states:
        return None
    state = min(states, key=lambda key: (states[key], key))
    total = states[state]
    days = []
    for d in range(horizon - 1, -1, -1):
        state, works = back[d][state]
        if works:
            days.append(d)
    return total, tuple(sorted(days))


@functools.lru_cache(maxsize=4096)
def most_days(rules: DayRules) -> int | None:
    """The most days one agent may work under ``rules`` (None: no pattern at all); classes share rules."""
    found = cheapest_pattern(rules, np.full(len(rules.can_work), -1.0))
    return None if found is None else len(found[1])


# Cost of one agent-day of a class's counts not matched by its patterns (the artificial columns
# that keep the first restricted program feasible). Any value gives a valid bound (the patterns'
# Lagrangian bound, :meth:`PatternColumns.solve`); a large one drives them out.
UNMATCHED_DAY_COST = 1e6
# A pattern enters when its reduced cost is below this share of the program's optimum (or 1).
REDUCED_COST_TOLERANCE = 1e-7
# Pricing stops once the Lagrangian bound is within this share of the program's optimum: the last
# rounds move it by less (London's team: 47 rounds to 0.15% of the optimum, 85 to close it).
CLOSE_ENOUGH = 1e-4


class PatternColumns:
    """Each class's counts per day tied to a convex mix of its members' day patterns, grown by pricing.

    Rows: per class, its patterns' weights sum to its size; per class and day,
    the class's counts on the day's options equal the weight of the patterns
    that work it (give or take the unmatched columns, which cost
    :data:`UNMATCHED_DAY_COST` an agent-day).
    """

    def __init__(self, lp: pywraplp.Solver, problem: RosterProblem, classes: tuple[tuple[int, ...], ...]) -> None:
        self.lp = lp
        self.problem = problem
        self.classes = classes
        self.rules = [day_rules(problem, members[0]) for members in classes]
        self.links: list[list[pywraplp.Constraint]] = []
        self.sizes: list[pywraplp.Constraint] = []
        self.patterns: list[dict[tuple[int, ...], pywraplp.Variable]] = [{} for _ in classes]
        self.iterations = 0

    def link(self, c: int, day_counts: dict[int, list[pywraplp.Variable]]) -> None:
        """Rows of class ``c``: its counts by day (day -> count variables), its size; two first patterns."""
        lp = self.lp
        horizon = len(self.problem.days)
        objective = lp.Objective()
        rows = []
        for d in range(horizon):
            row = lp.Constraint(0.0, 0.0)
            for var in day_counts.get(d, []):
                row.SetCoefficient(var, 1.0)
            for sign in (1.0, -1.0):
                if day_counts.get(d):
                    slack = lp.NumVar(0.0, lp.infinity(), "")
                    row.SetCoefficient(slack, sign)
                    objective.SetCoefficient(slack, UNMATCHED_DAY_COST)
            rows.append(row)
        self.links.append(rows)
        self.sizes.append(lp.Constraint(len(self.classes[c]), len(self.classes[c])))
        for price in (-1.0, 1.0):  # the most and the fewest days the rules allow
            found = cheapest_pattern(self.rules[c], np.full(horizon, price))
            if found is not None:
                self._add(c, found[1])

    def _add(self, c: int, days: tuple[int, ...]) -> bool:
        if days in self.patterns[c]:
            return False
        lp = self.lp
        var = lp.NumVar(0.0, lp.infinity(), "")
        self.sizes[c].SetCoefficient(var, 1.0)
        for d in days:
            self.links[c][d].SetCoefficient(var, -1.0)
        self.patterns[c][days] = var
        return True

    def solve(self, solve_once: Callable[[], float | None], max_rounds: int = 1000) -> float | None:
        """Price and re-solve until no pattern lowers the optimum; the best Lagrangian bound (None: not solved).

        ``solve_once()`` solves the program and returns its optimum (None when
        not optimal). After each solve, every class's cheapest pattern at the
        duals gives a lower bound on the program with all patterns (the optimum
        plus, per class, its size times the least reduced cost when negative):
        valid at any round, and equal to the optimum once nothing prices out.
        """
        best: float | None = None
        for _ in range(max_rounds):
            self.iterations += 1
            value = solve_once()
            if value is None:
                return best
            duals = [
                ([row.dual_value() for row in rows], size.dual_value())
                for rows, size in zip(self.links, self.sizes, strict=True)
            ]
            bound = value
            entering = []
            tolerance = REDUCED_COST_TOLERANCE * max(1.0, abs(value))
            for c, (prices, weight) in enumerate(duals):
                found = cheapest_pattern(self.rules[c], np.asarray(prices))
                if found is None:
                    continue
                reduced = found[0] - weight  # the column: +1 in the size row, -1 in its days' rows
                if reduced < -tolerance:
                    bound += len(self.classes[c]) * reduced
                    entering.append((c, found[1]))
            best = bound if best is None else max(best, bound)
            if value - best <= CLOSE_ENOUGH * abs(value):
                return best
            if not sum(self._add(c, days) for c, days in entering):
                # Every pattern that prices out is in the program already: its reduced cost there is
                # the simplex's tolerance, so the optimum is the program's with all patterns.
                return max(best, value)
        return best
