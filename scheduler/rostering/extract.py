"""From solved variables to roster rows (the roster contract)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import pandas as pd

from scheduler.rostering.breaks import BREAK_MINUTES, break_times
from scheduler.rostering.model import skill_groups
from scheduler.rostering.problem import RosterProblem

ROSTER_COLUMNS = ("agent_id", "queue", "activity", "start", "end", "shift_id")
ACTIVITIES = ("work", "lunch", "break")


def assign_queues(
    problem: RosterProblem, working: dict[int, list[int]], counts: dict[tuple[int, int], int]
) -> dict[tuple[int, int], str]:
    """Hand a skill group's per-interval queue counts to its named agents.

    Walks the intervals in order and keeps every agent on the queue they served
    in the previous interval while that queue still needs them, so shifts come
    out as a few long blocks rather than a new queue every half hour.
    """
    assignment: dict[tuple[int, int], str] = {}
    for t in sorted(working):
        remaining = {q: counts.get((t, q), 0) for q in range(len(problem.queues))}
        unassigned: list[int] = []
        for a in working[t]:
            previous = assignment.get((a, t - 1))
            q = problem.queues.index(previous) if previous else -1
            if q >= 0 and remaining.get(q, 0) > 0:
                assignment[a, t] = problem.queues[q]
                remaining[q] -= 1
            else:
                unassigned.append(a)
        # Primary skills first: each agent takes a queue they serve with a primary language/topic, the one
        # with the fewest other primary candidates; only then may anyone use a secondary skill.
        secondary = {agent: set(problem.agents[agent].secondary_queues) for agent in unassigned}

        def serves(agent: int, q: int, primary_only: bool) -> bool:
            queue = problem.queues[q]
            return queue in problem.agents[agent].channels and not (primary_only and queue in secondary[agent])

        left: list[int] = []
        for a in unassigned:
            options = [q for q in sorted(remaining) if remaining[q] > 0 and serves(a, q, True)]
            if not options:
                left.append(a)
                continue
            q = min(options, key=lambda q: (sum(serves(b, q, True) for b in unassigned if b != a), q))
            assignment[a, t] = problem.queues[q]
            remaining[q] -= 1
        for a in left:
            skilled = [q for q in sorted(remaining) if remaining[q] > 0 and serves(a, q, False)]
            if skilled:
                assignment[a, t] = problem.queues[skilled[0]]
                remaining[skilled[0]] -= 1
            else:  # counts are exact, so this only happens for float noise; keep the agent on a skill
                open_skills = [q for q, queue in enumerate(problem.queues) if queue in problem.agents[a].channels and problem.is_open[q, t]]
                assignment[a, t] = problem.queues[open_skills[0]] if open_skills else ""
    return assignment


def roster_rows(
    problem: RosterProblem,
    chosen: Sequence[tuple[int, int]],
    lunch: dict[tuple[int, int], int | None],
    serve: dict[tuple[int, int, int], int],
) -> tuple[pd.DataFrame, int]:
    """Rows of the roster contract and the number of queue switches inside shifts."""
    live = [key for key in chosen if problem.options[key[1]].day_index not in problem.frozen_days]
    queue_of: dict[tuple[int, int], str] = {}
    for g, skills in enumerate(skill_groups(problem)):
        working: dict[int, list[int]] = defaultdict(list)
        for a, o in live:
            if problem.agents[a].channels == skills:
                for t in problem.options[o].working_intervals(lunch.get((a, o))):
                    working[t].append(a)
        counts = {(t, q): value for (group, t, q), value in serve.items() if group == g}
        queue_of.update(assign_queues(problem, working, counts))

    step = pd.Timedelta(minutes=problem.interval_minutes)
    rows: list[dict[str, object]] = []
    switches = 0
    for a, o in live:
        agent = problem.agents[a]
        option = problem.options[o]
        shift_id = f"{agent.id}-{option.day.isoformat()}-{option.local_start:%H%M}"
        lunch_start = lunch.get((a, o))
        blocks: list[list[object]] = []  # [activity, queue, begin, end]
        lunch_intervals = set(range(lunch_start, lunch_start + option.lunch_intervals)) if lunch_start is not None else set()
        for t in range(option.first_interval, option.last_interval):
            activity = "lunch" if t in lunch_intervals else "work"
            queue = "" if activity == "lunch" else queue_of.get((a, t), "")
            begin = problem.grid[t]
            if blocks and blocks[-1][0] == activity and blocks[-1][1] == queue:
                blocks[-1][3] = begin + step
            else:
                blocks.append([activity, queue, begin, begin + step])
        blocks[-1][3] = min(blocks[-1][3], option.end)
        switches += sum(1 for first, second in zip(blocks, blocks[1:]) if first[0] == second[0] == "work")
        for break_start in break_times(option, lunch_start, problem.grid, problem.interval_minutes):
            blocks = _cut(blocks, break_start, break_start + pd.Timedelta(minutes=BREAK_MINUTES))
        for activity, queue, begin, end in blocks:
            rows.append({"agent_id": agent.id, "queue": queue, "activity": activity, "start": begin, "end": end, "shift_id": shift_id})
    frame = pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))
    if problem.frozen_rows is not None and not problem.frozen_rows.empty:
        frame = pd.concat([frame, problem.frozen_rows.loc[:, list(ROSTER_COLUMNS)]], ignore_index=True)
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    frame["queue"] = frame["queue"].fillna("").astype(str)
    frame = frame.sort_values(["agent_id", "start", "end"], kind="stable").reset_index(drop=True)
    return frame, switches


def _cut(blocks: list[list[object]], begin: pd.Timestamp, end: pd.Timestamp) -> list[list[object]]:
    """Insert a break [begin, end) into the work blocks it falls in."""
    result: list[list[object]] = []
    for activity, queue, start, stop in blocks:
        if activity != "work" or stop <= begin or start >= end:  # type: ignore[operator]
            result.append([activity, queue, start, stop])
            continue
        if start < begin:  # type: ignore[operator]
            result.append([activity, queue, start, begin])
        result.append(["break", "", max(start, begin), min(stop, end)])  # type: ignore[type-var]
        if stop > end:  # type: ignore[operator]
            result.append([activity, queue, end, stop])
    merged: list[list[object]] = []
    for block in result:
        if merged and merged[-1][0] == block[0] == "break" and merged[-1][3] == block[2]:
            merged[-1][3] = block[3]
        else:
            merged.append(block)
    return merged
