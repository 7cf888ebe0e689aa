"""Regenerating over a published roster: stability and frozen days.

A weekly CI job regenerates a roster that agents have already seen. Shifts of
the previous roster are matched to shift options; the model then pays
``stability_weight`` for every agent-day whose shift changes. Days up to
``freeze_until`` are kept exactly: their rows are copied verbatim, their
coverage is subtracted from demand, and they still count for hours, rest and
consecutive-day rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

import numpy as np
import pandas as pd

from scheduler.errors import InputError
from scheduler.rostering.extract import roster_rows, shift_id
from scheduler.rostering.problem import RosterProblem, ShiftOption
from scheduler.rostering.shiftplan import ShiftPlan
from scheduler.rostering.shiftprogram import LUNCH


def _previous_shifts(previous: pd.DataFrame, tz: str) -> pd.DataFrame:
    """One row per previous shift: agent_id, shift_id, day (local date of its start), start, end, paid minutes."""
    missing = [c for c in ("agent_id", "activity", "start", "end", "shift_id") if c not in previous.columns]
    if missing:
        raise InputError(f"previous roster is missing column(s) {missing}")
    frame = previous.assign(minutes=(previous["end"] - previous["start"]).dt.total_seconds() / 60)
    frame = frame.assign(unpaid=np.where(frame["activity"] == "lunch", frame["minutes"], 0.0))
    shifts = frame.groupby(["agent_id", "shift_id"], as_index=False, sort=True).agg(
        start=("start", "min"), end=("end", "max"), unpaid=("unpaid", "sum")
    )
    shifts["day"] = shifts["start"].dt.tz_convert(tz).dt.date
    shifts["paid"] = ((shifts["end"] - shifts["start"]).dt.total_seconds() / 60 - shifts["unpaid"]).round().astype(int)
    return shifts


def apply_previous(
    problem: RosterProblem, previous: pd.DataFrame | None, freeze_until: dt.date | None
) -> RosterProblem:
    """Return ``problem`` with stability targets, frozen days and rest from the day before.

    Args:
        previous: an earlier roster (roster contract), or None; its shifts on
            the same days are kept where it costs little (stability).
        freeze_until: days up to and including this date keep the previous
            roster's rows exactly (already published).

    Raises:
        InputError: a freeze date without a previous roster (or one without shifts).
    """
    if previous is None:
        if freeze_until is not None:
            raise InputError("--freeze-until needs --previous: the roster whose days are kept")
        return problem
    if previous.empty:
        if freeze_until is not None:
            raise InputError("--freeze-until needs a previous roster with shifts; the previous roster is empty")
        return problem
    tz = problem.timezone
    shifts = _previous_shifts(previous, tz)
    day_index = {day: index for index, day in enumerate(problem.days)}
    agent_index = {agent.id: index for index, agent in enumerate(problem.agents)}
    by_key = {(o.day_index, o.start, o.end): o.index for o in problem.options}
    # A shift the previous run cut at its horizon end is stored with that end; match it
    # to the option cut at the same place (same horizon), not count it as changed.
    horizon_end = problem.grid[-1] + pd.Timedelta(minutes=problem.interval_minutes)
    for cut in problem.options:
        if cut.end > horizon_end:
            by_key.setdefault((cut.day_index, cut.start, horizon_end), cut.index)
    options = list(problem.options)
    allowed = [list(indices) for indices in problem.allowed]
    covered_days = set(pd.date_range(shifts["day"].min(), shifts["day"].max(), freq="D").date)

    stability: dict[int, dict[int, int | None]] = {}
    fixed: dict[int, dict[int, int | None]] = {}
    for a in range(len(problem.agents)):
        stability[a] = {d: None for day, d in day_index.items() if day in covered_days}
    for row in shifts.itertuples(index=False):
        agent_at, day_at = agent_index.get(row.agent_id), day_index.get(row.day)
        if agent_at is None or day_at is None:
            continue
        a, d = agent_at, day_at
        key = (d, row.start, row.end)
        o = by_key.get(key)
        if o is None and freeze_until is not None and row.day <= freeze_until:
            # A frozen shift no template produces any more: keep it as its own option.
            o = len(options)
            first = int(problem.grid.searchsorted(row.start))
            last = int(problem.grid.searchsorted(row.end))
            options.append(
                ShiftOption(
                    index=o,
                    day_index=d,
                    day=row.day,
                    template="previous",
                    start=row.start,
                    end=row.end,
                    first_interval=first,
                    last_interval=last,
                    paid_minutes=int(row.paid),
                    lunch_intervals=0,
                    lunch_starts=(),
                    breaks=0,
                    local_start=row.start.tz_convert(tz).time(),
                    late=False,
                    night=False,
                )
            )
            by_key[key] = o
        stability[a][d] = o if o is not None else -1  # -1: a shift no option reproduces
    frozen_days: set[int] = set()
    if freeze_until is not None:
        frozen_days = {d for day, d in day_index.items() if day <= freeze_until}
        uncovered = sorted(problem.days[d] for d in frozen_days if problem.days[d] not in covered_days)
        if uncovered:
            raise InputError(
                f"--freeze-until {freeze_until}: the previous roster does not cover {uncovered[0]}; "
                "freeze only days it planned"
            )
        for a in range(len(problem.agents)):
            fixed[a] = {d: stability[a].get(d) for d in sorted(frozen_days)}
            for d, kept in fixed[a].items():
                allowed[a] = [x for x in allowed[a] if options[x].day_index != d]
                if kept is not None:
                    allowed[a].append(kept)
        for a in fixed:
            for d in list(fixed[a]):
                if fixed[a][d] == -1:
                    fixed[a][d] = None
    # Rest against the last shift before the horizon.
    before = problem.days[0] - dt.timedelta(days=1)
    for row in shifts[shifts["day"] == before].itertuples(index=False):
        agent_at = agent_index.get(row.agent_id)
        if agent_at is None:
            continue
        rest = pd.Timedelta(minutes=problem.rules[agent_at].min_rest_minutes)
        allowed[agent_at] = [
            x for x in allowed[agent_at] if options[x].start - row.end >= rest or options[x].day_index > 0
        ]

    worked_before, off_before = _runs_before(problem, shifts, agent_index)

    required, minimum, frozen_rows = problem.required, problem.min_agents, None
    if frozen_days:
        # Whole shifts that start on a frozen day, also their blocks after midnight.
        frozen_dates = {problem.days[d] for d in frozen_days}
        frozen_rows = previous[previous["shift_id"].isin(shifts.loc[shifts["day"].isin(frozen_dates), "shift_id"])]
        coverage = _coverage(frozen_rows, problem)
        required = np.clip(problem.required - coverage, 0.0, None)
        minimum = np.clip(problem.min_agents - np.floor(coverage + 1e-9).astype(np.int64), 0, None)
    return dataclasses.replace(
        problem,
        options=tuple(options),
        allowed=tuple(tuple(sorted(set(indices))) for indices in allowed),
        previous={a: {d: o for d, o in days.items() if d not in frozen_days} for a, days in stability.items()},
        fixed=fixed,
        frozen_rows=frozen_rows,
        frozen_days=frozenset(frozen_days),
        required=required,
        min_agents=minimum,
        worked_before=worked_before,
        off_before=off_before,
    )


def _runs_before(
    problem: RosterProblem, shifts: pd.DataFrame, agent_index: dict[str, int]
) -> tuple[dict[int, int], dict[int, int]]:
    """Per agent, the run of worked days (or of days off after a worked day) ending the day before the horizon.

    A weekly job plans next week with last week's roster as ``--previous``:
    without these, an agent who worked Thursday to Sunday could be given
    Monday to Thursday too, eight days in a row.
    """
    worked_days: dict[int, set[dt.date]] = defaultdict(set)
    for row in shifts.itertuples(index=False):
        if row.agent_id in agent_index:
            worked_days[agent_index[row.agent_id]].add(row.day)
    worked_before: dict[int, int] = {}
    off_before: dict[int, int] = {}
    yesterday = problem.days[0] - dt.timedelta(days=1)
    first = min(shifts["day"])
    # The previous roster speaks for every day from its first one to the horizon: a day
    # without a shift is a day off (last week's roster has no rows for a quiet Sunday).
    known = {first + dt.timedelta(days=n) for n in range((yesterday - first).days + 1)}
    if yesterday not in known:
        return worked_before, off_before
    for a in range(len(problem.agents)):
        worked = worked_days.get(a, set())
        day, run = yesterday, 0
        if yesterday in worked:
            while day in known and day in worked:
                run, day = run + 1, day - dt.timedelta(days=1)
            worked_before[a] = run
            continue
        while day in known and day not in worked:
            run, day = run + 1, day - dt.timedelta(days=1)
        if day in known:  # the days off follow a worked day the roster shows
            off_before[a] = run
    return worked_before, off_before


def _coverage(rows: pd.DataFrame, problem: RosterProblem) -> np.ndarray:
    """Agents per queue and interval served by ``rows``: work, and short breaks on the queue worked before them.

    Breaks are shrinkage and count as coverage, as in :mod:`scheduler.coverage`; lunch does not.
    """
    coverage = np.zeros(problem.required.shape)
    step = pd.Timedelta(minutes=problem.interval_minutes)
    grid = problem.grid
    ordered = rows.sort_values(["shift_id", "start"], kind="stable")
    queue = ordered["queue"].fillna("").astype(str).where(ordered["activity"] == "work")
    ordered = ordered.assign(queue=queue.groupby(ordered["shift_id"]).ffill().fillna(""))
    for row in ordered[ordered["activity"].isin(("work", "break"))].itertuples(index=False):
        if row.queue not in problem.queues:
            continue
        q = problem.queues.index(row.queue)
        first = int(grid.searchsorted(row.start, side="right")) - 1
        last = int(grid.searchsorted(row.end))
        for t in range(max(first, 0), min(last, len(grid))):
            overlap = min(grid[t] + step, row.end) - max(grid[t], row.start)
            coverage[q, t] += max(overlap / step, 0.0)
    return coverage


# A shift kept at the same times whose queue blocks, breaks or lunch move is a smaller change than a
# moved shift (the agent's day is where it was) but still one every subscribed calendar shows; so the
# published roster stands unless the new one is better by more than this share of a changed shift each.
REPLANNED_SHIFT_SHARE = 0.25


def replanned_shifts(published: pd.DataFrame, written: pd.DataFrame) -> int:
    """Shifts at the same times in both rosters (same id, start and end) whose rows differ.

    Both in the roster contract, start and end tz-aware. A shift whose times moved is not counted here:
    the score's stability term already prices it.
    """
    before, after = _shift_rows(published), _shift_rows(written)
    return sum(
        1
        for name, rows in after.items()
        if name in before
        and before[name] != rows
        and (before[name][0][2], before[name][-1][3]) == (rows[0][2], rows[-1][3])
    )


def _shift_rows(frame: pd.DataFrame) -> dict[str, tuple[tuple[object, ...], ...]]:
    """Per shift id, its rows as (queue, activity, start, end), in order: what its calendar event shows."""
    ordered = frame.sort_values(["shift_id", "start", "end"], kind="stable")
    rows = zip(
        ordered["shift_id"],
        ordered["queue"].fillna("").astype(str),
        ordered["activity"],
        pd.to_datetime(ordered["start"], utc=True),
        pd.to_datetime(ordered["end"], utc=True),
        strict=True,
    )
    grouped: dict[str, list[tuple[object, ...]]] = {}
    for name, *row in rows:
        grouped.setdefault(name, []).append(tuple(row))
    return {name: tuple(items) for name, items in grouped.items()}


def published_plans(problem: RosterProblem, previous: pd.DataFrame | None) -> dict[tuple[int, int], ShiftPlan]:
    """The published plan (lunch start, queue per interval) of each shift the previous roster has at the same times.

    ``problem`` has been through :func:`apply_previous`: its ``previous`` names, per agent and day, the
    option the published shift matches. Each such shift's rows are read back into a plan (a break's
    intervals go to the queue worked around it, as the rows write them) and the plan is kept only
    where it serves the agent's queues while they are open, has a lunch its option allows, and gives
    back the published rows exactly when written (:func:`.extract.roster_rows`): keeping it then
    keeps the agent's calendar event as it is. Keyed ``(agent, option)``, as the activity stage's plans.
    """
    if previous is None or previous.empty or not problem.previous:
        return {}
    ids: dict[str, tuple[int, int]] = {}
    for a, days in sorted(problem.previous.items()):
        for _d, o in sorted(days.items()):
            if o is not None and o >= 0:
                ids[shift_id(problem, a, o)] = (a, o)
    rows = previous[previous["shift_id"].isin(list(ids))].sort_values(["shift_id", "start"], kind="stable")
    if rows.empty:
        return {}
    # Plain integers (ns since the epoch, grid indices): a pandas lookup per row and interval cost
    # 2 ms a shift, 20 s at 500 agents over 4 weeks.
    grid = problem.grid.as_unit("ns").asi8
    step = problem.interval_minutes * 60 * 10**9
    starts = pd.DatetimeIndex(pd.to_datetime(rows["start"], utc=True)).as_unit("ns").asi8
    ends = pd.DatetimeIndex(pd.to_datetime(rows["end"], utc=True)).as_unit("ns").asi8
    firsts = np.searchsorted(grid, starts, side="right") - 1
    lasts = np.searchsorted(grid, ends)
    index = {queue: q for q, queue in enumerate(problem.queues)}
    kinds = [
        None if activity == "break" else LUNCH if activity == "lunch" else index.get(queue, -2)
        for activity, queue in zip(rows["activity"], rows["queue"].fillna("").astype(str), strict=True)
    ]
    spans: dict[str, list[tuple[int | None, int, int, int, int]]] = defaultdict(list)
    for name, kind, begin, end, first, last in zip(
        rows["shift_id"], kinds, starts.tolist(), ends.tolist(), firsts.tolist(), lasts.tolist(), strict=True
    ):
        spans[str(name)].append((kind, begin, end, first, last))
    read: dict[tuple[int, int], ShiftPlan] = {}
    for name, shift_spans in spans.items():
        a, o = ids[name]
        plan = _read_plan(problem, a, o, shift_spans, grid, step)
        if plan is not None:
            read[a, o] = plan
    if not read:
        return {}
    published = _shift_rows(rows)
    written = _shift_rows(roster_rows(dataclasses.replace(problem, frozen_rows=None), read))
    return {
        key: plan
        for key, plan in read.items()
        if written.get(shift_id(problem, *key)) == published[shift_id(problem, *key)]
    }


def _read_plan(
    problem: RosterProblem,
    a: int,
    o: int,
    spans: list[tuple[int | None, int, int, int, int]],
    grid: np.ndarray,
    step: int,
) -> ShiftPlan | None:
    """One published shift's rows as a plan of option ``o``; None where no plan of it can write them.

    ``spans``: per row, its queue index (LUNCH for lunch, None for a break, -2 for a queue the team no
    longer has), start and end (ns) and the grid indices of its first interval and the one after its last.
    """
    option = problem.options[o]
    first, n = option.first_interval, option.last_interval - option.first_interval
    overlap: list[dict[int, int]] = [{} for _ in range(n)]
    for kind, begin, end, first_at, last_at in spans:
        if kind is None:
            continue  # a break: on the queue worked around it
        if kind == -2:
            return None
        for t in range(max(first_at, first), min(last_at, option.last_interval)):
            seconds = min(int(grid[t]) + step, end) - max(int(grid[t]), begin)
            if seconds > 0:
                overlap[t - first][kind] = overlap[t - first].get(kind, 0) + seconds
    queues: list[int] = []
    for i, shares in enumerate(overlap):
        if shares:
            queues.append(max(sorted(shares), key=lambda q: shares[q]))  # noqa: B023 - used at once
        elif queues and queues[-1] != LUNCH:
            queues.append(queues[-1])  # a whole interval on a break
        else:
            return None
        q = queues[-1]
        if q != LUNCH and not (problem.queues[q] in problem.agents[a].channels and problem.is_open[q, first + i]):
            return None
    lunch = first + queues.index(LUNCH) if LUNCH in queues else None
    if lunch is None:
        return None if option.lunch_starts else ShiftPlan(lunch=None, queues=tuple(queues))
    length = option.lunch_intervals
    at_lunch = [i for i, q in enumerate(queues) if q == LUNCH]
    if lunch not in option.lunch_starts or at_lunch != list(range(lunch - first, lunch - first + length)):
        return None
    return ShiftPlan(lunch=lunch, queues=tuple(queues))
