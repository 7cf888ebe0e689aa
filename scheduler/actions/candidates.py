"""Candidate actions and the greedy that applies them: extensions, split shifts, extra shifts, new agents.

Every generator yields ``(shortfall closed, tie key, apply)`` for what one
worker could still do within the rules (:mod:`scheduler.actions.agents`);
:func:`greedy` applies the best until nothing closes at least half an agent
on average (:meth:`scheduler.actions.gap.Gap.worth_it`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from scheduler.actions.agents import Shift, Worker, option_ok, rest_ok, week_of, window_ok
from scheduler.actions.gap import Gap
from scheduler.config import PoolEntry
from scheduler.rostering.problem import RosterProblem, ShiftOption

# A split shift's second part: an hour or more after (or before) the first, 2 to 4 hours long.
SPLIT_GAP_MINUTES = 60
SPLIT_PART_MINUTES = (120, 180, 240)


@dataclass(slots=True)
class Step:
    """One proposal applied to the gap."""

    kind: str
    day_index: int
    who: str
    first: int
    last: int
    paid_minutes: int
    closed: dict[str, float]
    unit_cost: float
    source: str = ""
    shape: str = ""  # "split" (a second part of the day) or "shift" (an extra day); "" extends a shift


# What a stage offers: called again after every applied proposal, it yields each candidate as
# (shortfall closed in agent-intervals, deterministic tie key, apply).
Candidates = Callable[[], Iterator[tuple[float, tuple, Callable[[], Step]]]]


def greedy(gap: Gap, candidates: Candidates) -> list[Step]:
    """Apply the best candidate (most shortfall closed) until none is worth it; deterministic ties."""
    steps: list[Step] = []
    while True:
        best: tuple[float, tuple, Callable[[], Step]] | None = None
        for gain, key, make in candidates():
            if best is None or gain > best[0] + 1e-9 or (abs(gain - best[0]) <= 1e-9 and key < best[1]):
                best = (gain, key, make)
        if best is None:
            return steps
        steps.append(best[2]())


def extensions(problem: RosterProblem, gap: Gap, workers: list[Worker], caps: list[list[int]], max_shift_minutes: int,
                kind: str, unit_cost: float) -> Candidates:  # fmt: skip
    """Candidates: a shift started earlier or ended later, within ``caps`` (paid minutes per worker and week)."""
    step = problem.interval_minutes
    horizon = len(problem.grid)

    def generate() -> Iterator[tuple[float, tuple, Callable[[], Step]]]:
        for w, worker in enumerate(workers):
            rows = gap.rows(worker.skills)
            # Once per worker and pass (the gap changes only when a candidate is applied, after
            # the pass): each extension's gain is then a slice's sum, not a fresh submatrix.
            closes = gap.per_interval(rows)
            for d, shift in sorted(worker.shifts.items()):
                if shift.parts:
                    continue  # a split shift keeps its parts as proposed
                week = week_of(problem, d)
                room = caps[w][week] - worker.week_minutes(problem, week)
                longest = min(room, max_shift_minutes - (shift.last - shift.first) * step) // step
                for side in (0, 1):
                    best_k, best_gain = 0, 0.0
                    for k in range(1, int(longest) + 1):
                        first, last = (shift.first - k, shift.last) if side == 0 else (shift.first, shift.last + k)
                        if first < 0 or last > horizon:
                            break
                        if not (
                            rest_ok(problem, worker, d, first, last) and window_ok(problem, worker, d, first, last)
                        ):
                            break
                        value = float(
                            closes[first : shift.first].sum() if side == 0 else closes[shift.last : last].sum()
                        )
                        if gap.worth_it(value, k) and value > best_gain + 1e-9:
                            best_k, best_gain = k, value
                    if best_k:
                        yield (
                            best_gain,
                            (w, d, side),
                            _extend(problem, gap, worker, shift, rows, side, best_k, kind, unit_cost),
                        )

    return generate


def _extend(problem: RosterProblem, gap: Gap, worker: Worker, shift: Shift, rows: np.ndarray, side: int, k: int,
            kind: str, unit_cost: float) -> Callable[[], Step]:  # fmt: skip
    def apply() -> Step:
        if side == 0:
            added = list(range(shift.first - k, shift.first))
            shift.first -= k
        else:
            added = list(range(shift.last, shift.last + k))
            shift.last += k
        shift.paid_minutes += k * problem.interval_minutes
        closed = gap.apply(rows, added)
        return Step(kind=kind, day_index=shift.day_index, who=worker.label, first=added[0], last=added[-1] + 1,
                     paid_minutes=k * problem.interval_minutes, closed=closed, unit_cost=unit_cost)  # fmt: skip

    return apply


def split_parts(problem: RosterProblem, gap: Gap, workers: list[Worker], caps: list[list[int]], max_shift_minutes: int,
                 kind: str, unit_cost: float) -> Candidates:  # fmt: skip
    """Candidates: a second part of a worked day (a split shift), at least an hour from the first part.

    Both parts together are paid at most ``max_shift_minutes``; rest to the
    neighbouring days and availability count from the first start to the last end.
    """
    step = problem.interval_minutes
    gap_intervals = max(1, SPLIT_GAP_MINUTES // step)
    lengths = sorted({max(1, minutes // step) for minutes in SPLIT_PART_MINUTES})
    # Grid intervals of each local day: a part starts on the day of its shift.
    local_days = problem.grid.tz_convert(problem.timezone).date
    day_intervals = {d: np.flatnonzero(local_days == day) for d, day in enumerate(problem.days)}

    def generate() -> Iterator[tuple[float, tuple, Callable[[], Step]]]:
        for w, worker in enumerate(workers):
            rows = gap.rows(worker.skills)
            if rows.size == 0:
                continue
            cumulative = gap.cumulative(rows)
            for d, shift in sorted(worker.shifts.items()):
                if shift.parts:
                    continue
                room = min(caps[w][week_of(problem, d)] - worker.week_minutes(problem, week_of(problem, d)),
                           max_shift_minutes - shift.paid_minutes)  # fmt: skip
                for k in lengths:
                    if k * step > room:
                        continue
                    own_day = day_intervals[d]
                    starts = own_day[
                        ((own_day >= shift.last + gap_intervals) | (own_day + k + gap_intervals <= shift.first))
                        & (own_day + k <= len(cumulative) - 1)
                    ]
                    for first in starts.tolist():
                        last = first + k
                        value = float(cumulative[last] - cumulative[first])
                        if not gap.worth_it(value, k):
                            continue
                        begin, end = min(first, shift.first), max(last, shift.last)
                        if rest_ok(problem, worker, d, begin, end) and window_ok(problem, worker, d, begin, end):
                            yield (
                                value,
                                (k, w, d, first),
                                _split(problem, gap, worker, shift, rows, first, last, kind, unit_cost),
                            )

    return generate


def _split(problem: RosterProblem, gap: Gap, worker: Worker, shift: Shift, rows: np.ndarray, first: int, last: int,
           kind: str, unit_cost: float) -> Callable[[], Step]:  # fmt: skip
    def apply() -> Step:
        shift.parts.append((first, last))
        shift.paid_minutes += (last - first) * problem.interval_minutes
        closed = gap.apply(rows, list(range(first, last)))
        return Step(kind=kind, day_index=shift.day_index, who=worker.label, first=first, last=last,
                     paid_minutes=(last - first) * problem.interval_minutes, closed=closed, unit_cost=unit_cost,
                     shape="split")  # fmt: skip

    return apply


def extra_shifts(problem: RosterProblem, gap: Gap, workers: list[Worker], caps: list[list[int]],
                  options: list[list[ShiftOption]], kind: str, unit_cost: float,
                  source: str = "") -> Candidates:  # fmt: skip
    """Candidates: one more shift for a worker on a day off, from the worker's allowed ``options``."""

    def generate() -> Iterator[tuple[float, tuple, Callable[[], Step]]]:
        for w, worker in enumerate(workers):
            rows = gap.rows(worker.skills)
            for option in options[w]:
                if not option_ok(problem, worker, option, caps[w][week_of(problem, option.day_index)]):
                    continue
                intervals = option.working_intervals(option.nominal_lunch)
                value = gap.gain(rows, intervals)
                if gap.worth_it(value, len(intervals)):
                    yield value, (w, option.index), _add(problem, gap, worker, option, rows, kind, unit_cost, source)

    return generate


def _add(problem: RosterProblem, gap: Gap, worker: Worker, option: ShiftOption, rows: np.ndarray, kind: str,
         unit_cost: float, source: str) -> Callable[[], Step]:  # fmt: skip
    def apply() -> Step:
        lunch = option.nominal_lunch
        intervals = option.working_intervals(lunch)
        worker.shifts[option.day_index] = Shift(
            day_index=option.day_index, first=option.first_interval, last=option.last_interval,
            paid_minutes=option.paid_minutes,
            lunch=frozenset(range(lunch, lunch + option.lunch_intervals)) if lunch is not None else frozenset(),
        )  # fmt: skip
        closed = gap.apply(rows, intervals)
        return Step(kind=kind, day_index=option.day_index, who=worker.label, first=option.first_interval,
                     last=option.last_interval, paid_minutes=option.paid_minutes, closed=closed,
                     unit_cost=unit_cost, source=source, shape="shift" if worker.agent is not None else "")  # fmt: skip

    return apply


def servable(problem: RosterProblem, skills: tuple[str, ...]) -> list[ShiftOption]:
    """Shift options whose every interval has one of ``skills`` open, not touching the night window."""
    rows = [q for q, queue in enumerate(problem.queues) if queue in skills]
    if not rows:
        return []
    return [
        option
        for option in problem.options
        if not option.night and problem.is_open[rows, option.first_interval : option.last_interval].any(axis=0).all()
    ]


def pool_workers(problem: RosterProblem, entry: PoolEntry) -> list[Worker]:
    settings = problem.settings
    cap = int(round(entry.hours_per_week * 60))
    return [
        Worker(
            label=f"{entry.name} #{i + 1}",
            skills=entry.channels,
            agent=None,
            max_consecutive_days=settings.max_consecutive_days,
            min_consecutive_days_off=1,
            min_rest_minutes=int(round(settings.min_rest_hours * 60)),
            max_shifts_per_week=7,
            week_cap_minutes=[cap for _ in problem.weeks],
            weekdays=entry.days,
            night_work=False,
        )
        for i in range(entry.agents)
    ]


def remaining_agents_needed(problem: RosterProblem, gap: Gap, hourly_cost: float) -> list[Step]:
    """Hypothetical one-skill agents, one shift each, until each queue's gap is closed to scattered remnants."""
    steps: list[Step] = []
    for q, queue in enumerate(problem.queues):
        steps.extend(_new_agents(problem, gap, q, queue, hourly_cost))
    return steps


def _new_agents(problem: RosterProblem, gap: Gap, q: int, queue: str, hourly_cost: float) -> list[Step]:
    rows = np.array([q], dtype=np.int64)
    options = servable(problem, (queue,))
    count = 0

    def generate() -> Iterator[tuple[float, tuple, Callable[[], Step]]]:
        for option in options:
            intervals = option.working_intervals(option.nominal_lunch)
            value = gap.gain(rows, intervals)
            if gap.worth_it(value, len(intervals)):
                yield value, (option.index,), new_agent(option, intervals)

    def new_agent(option: ShiftOption, intervals: list[int]) -> Callable[[], Step]:
        def apply() -> Step:
            nonlocal count
            count += 1
            closed = gap.apply(rows, intervals)
            return Step(kind="remaining_gap", day_index=option.day_index, who=f"new {queue} agent {count}",
                        first=option.first_interval, last=option.last_interval, paid_minutes=option.paid_minutes,
                        closed=closed, unit_cost=hourly_cost)  # fmt: skip

        return apply

    return greedy(gap, generate)
