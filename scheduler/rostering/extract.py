"""From solved variables to roster rows (the roster contract)."""

from __future__ import annotations

import pandas as pd

from scheduler.rostering.activities import LUNCH, ShiftPlan
from scheduler.rostering.breaks import BREAK_MINUTES, break_times
from scheduler.rostering.problem import RosterProblem

ROSTER_COLUMNS = ("agent_id", "queue", "activity", "start", "end", "shift_id")
ACTIVITIES = ("work", "lunch", "break")


def shift_id(problem: RosterProblem, a: int, o: int) -> str:
    """The id of agent ``a``'s shift on option ``o``: agent, local day and start (stable across regenerations)."""
    option = problem.options[o]
    return f"{problem.agents[a].id}-{option.day.isoformat()}-{option.local_start:%H%M}"


def roster_rows(problem: RosterProblem, plans: dict[tuple[int, int], ShiftPlan]) -> pd.DataFrame:
    """Rows of the roster contract for the planned shifts, plus the frozen days' rows verbatim."""
    step = pd.Timedelta(minutes=problem.interval_minutes)
    rows: list[dict[str, object]] = []
    grid = list(problem.grid)  # indexing a DatetimeIndex per interval costs more than the rest of the rows
    # Per option and lunch start, the breaks' starts: agents on the same option share them (a shift's
    # timestamps were most of the rows' CPU).
    breaks: dict[tuple[int, int | None], list[pd.Timestamp]] = {}
    for (a, o), plan in sorted(plans.items()):
        agent = problem.agents[a]
        option = problem.options[o]
        this_id = shift_id(problem, a, o)
        runs: list[tuple[str, str, int]] = []  # (activity, queue, first interval), ...
        lasts: list[int] = []  # ... and each run's last interval
        for t, q in zip(range(option.first_interval, option.last_interval), plan.queues, strict=True):
            activity = "lunch" if q == LUNCH else "work"
            queue = "" if q == LUNCH else problem.queues[q]
            if runs and runs[-1][0] == activity and runs[-1][1] == queue:
                lasts[-1] = t
            else:
                runs.append((activity, queue, t))
                lasts.append(t)
        # [activity, queue, begin, end]: timestamps made per block, not per interval (most of the rows' CPU)
        blocks: list[list[object]] = [
            [activity, queue, grid[first], grid[last] + step]
            for (activity, queue, first), last in zip(runs, lasts, strict=True)
        ]
        blocks[-1][3] = min(blocks[-1][3], option.end)
        if (o, plan.lunch) not in breaks:
            breaks[o, plan.lunch] = break_times(option, plan.lunch, problem.grid, problem.interval_minutes)
        for break_start in breaks[o, plan.lunch]:
            break_start = _inside_block(blocks, break_start)
            blocks = _cut(blocks, break_start, break_start + pd.Timedelta(minutes=BREAK_MINUTES))
        for block in blocks:
            kind, block_queue, block_begin, block_end = block
            rows.append(
                {
                    "agent_id": agent.id,
                    "queue": block_queue,
                    "activity": kind,
                    "start": block_begin,
                    "end": block_end,
                    "shift_id": this_id,
                }
            )
    frame = pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))
    if problem.frozen_rows is not None and not problem.frozen_rows.empty:
        frame = pd.concat([frame, problem.frozen_rows.loc[:, list(ROSTER_COLUMNS)]], ignore_index=True)
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    frame["queue"] = frame["queue"].fillna("").astype(str)
    return frame.sort_values(["agent_id", "start", "end"], kind="stable").reset_index(drop=True)


def _inside_block(blocks: list[list[object]], begin: pd.Timestamp) -> pd.Timestamp:
    """Move a break off the edges of the queue block it falls in, so it interrupts one block.

    A break right at a change of queue would shorten the block after it (an
    agent on a break counts for the queue worked before it). Blocks are at
    least ``min_block_minutes``, so there is room inside for a 15-minute break.
    """
    quarter = pd.Timedelta(minutes=BREAK_MINUTES)
    for activity, _queue, start, stop in blocks:
        if activity != "work" or not start <= begin < stop:
            continue
        if stop - start < 3 * quarter:  # type: ignore[operator]
            return begin  # too short to keep work on both sides: leave it where it was
        return min(max(begin, start + quarter), stop - 2 * quarter)
    return begin


def _cut(blocks: list[list[object]], begin: pd.Timestamp, end: pd.Timestamp) -> list[list[object]]:
    """Insert a break [begin, end) into the work blocks it falls in."""
    result: list[list[object]] = []
    for activity, queue, start, stop in blocks:
        if activity != "work" or stop <= begin or start >= end:
            result.append([activity, queue, start, stop])
            continue
        if start < begin:
            result.append([activity, queue, start, begin])
        result.append(["break", "", max(start, begin), min(stop, end)])
        if stop > end:
            result.append([activity, queue, end, stop])
    merged: list[list[object]] = []
    for block in result:
        if merged and merged[-1][0] == block[0] == "break" and merged[-1][3] == block[2]:
            merged[-1][3] = block[3]
        else:
            merged.append(block)
    return merged
