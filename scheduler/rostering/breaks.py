"""Short breaks.

Short paid breaks (15 minutes) are part of shrinkage: they are placed in the
middle of the work before and after lunch, and an agent on a break still
counts for the queue worked before it (coverage and queue minimums). Lunch is
placed with the queue blocks, by :mod:`.activities`.
"""

from __future__ import annotations

import pandas as pd

from scheduler.rostering.problem import ShiftOption

BREAK_MINUTES = 15


def break_times(
    option: ShiftOption, lunch_start: int | None, grid: pd.DatetimeIndex, interval_minutes: int
) -> list[pd.Timestamp]:
    """Start times of the shift's short breaks: the middle of each stretch of work."""
    if option.breaks <= 0:
        return []
    step = pd.Timedelta(minutes=interval_minutes)
    if lunch_start is None:
        stretches = [(option.start, option.end)]
    else:
        lunch_begin = grid[lunch_start]
        stretches = [(option.start, lunch_begin), (lunch_begin + option.lunch_intervals * step, option.end)]
    per_stretch = [
        option.breaks // len(stretches) + (1 if i < option.breaks % len(stretches) else 0)
        for i in range(len(stretches))
    ]
    starts = []
    quarter = pd.Timedelta(minutes=BREAK_MINUTES)
    for (begin, end), count in zip(stretches, per_stretch, strict=True):
        for number in range(count):
            middle = begin + (end - begin) * (number + 1) / (count + 1)
            # Round to the quarter hour so breaks start at readable times.
            rounded = pd.Timestamp(middle).floor(f"{BREAK_MINUTES}min")
            if begin <= rounded and rounded + quarter <= end:
                starts.append(rounded)
    return starts
