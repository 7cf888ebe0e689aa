"""Coverage heat map: per queue, day x time of day, scheduled ÷ required agents.

Red where the roster is short, white where it matches, blue where it is over;
grey where nothing is required (closed, or no demand). The lead sees at once
which hours of which days the peak actions are about.

Drawn as inline SVG: per colour one path of runs (neighbouring cells of a row with
the same colour are one rectangle), so a month of 15-minute cells stays small, and
each run's hover title gives the day, the hours and the ratio.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import pandas as pd

from scheduler.report.svg import WIDTH, Figure, num, tenth

Key = TypeVar("Key", int, bool)
MAX_RATIO = 2.0  # ratios above this are drawn as this (double the need is already plainly over)
# ColorBrewer's RdBu (matplotlib's "RdBu"), short (red) to over (blue); 1 (covered) is its middle.
RDBU = (
    "#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7",
    "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061",
)  # fmt: skip
NOTHING_REQUIRED = "#eeeeee"
LEVELS = 40  # colours in the scale: a ratio is drawn as the nearest of 0, 0.05, ..., 2
ROW = 18.0  # px per day
LEFT, RIGHT = 62.0, 96.0  # px: day labels left, the colour scale right


def coverage_grid(
    coverage: pd.DataFrame, queue: str, tz: str, interval_minutes: int
) -> tuple[list, list[str], np.ndarray]:
    """Days, interval labels and scheduled/required per day (rows) and time of day (columns); NaN where nothing is required.

    A day on which nothing is required is left out; an interval a DST day repeats is the mean of both.
    """
    return coverage_grids(coverage, [queue], tz, interval_minutes)[0]


def coverage_grids(
    coverage: pd.DataFrame, queues: Sequence[str], tz: str, interval_minutes: int
) -> list[tuple[list, list[str], np.ndarray]]:
    """:func:`coverage_grid` of each queue, from one pass over the coverage (local times converted once)."""
    local = coverage["ds"].dt.tz_convert(tz)
    minutes = local.dt.hour * 60 + local.dt.minute
    required = coverage["agents_required"]
    frame = pd.DataFrame(
        {
            "queue": coverage["queue"].to_numpy(),
            "day": local.dt.date.to_numpy(),
            "slot": (minutes // interval_minutes).to_numpy(),
            "ratio": np.where(
                required > 1e-9, coverage["agents_scheduled"] / required.where(required > 1e-9, 1.0), np.nan
            ),
        }
    )
    # the mean per cell, cells with nothing required dropped (and with them a day that requires nothing)
    cells = frame.groupby(["queue", "day", "slot"], sort=True)["ratio"].mean().dropna()
    slots = list(range(24 * 60 // interval_minutes))
    labels = [f"{slot * interval_minutes // 60:02d}:{slot * interval_minutes % 60:02d}" for slot in slots]
    present = set(cells.index.get_level_values("queue"))
    grids = []
    for queue in queues:
        if queue in present:
            table = cells.xs(queue, level="queue").unstack("slot").reindex(columns=slots)
            grids.append((list(table.index), labels, table.to_numpy(dtype=float)))
        else:
            grids.append(([], labels, np.full((0, len(slots)), np.nan)))
    return grids


def ratio_colour(ratio: float) -> str:
    """The colour of a scheduled ÷ required ratio: RdBu over [0, 2] with 1 at its middle, in LEVELS steps."""
    level = int(round(min(max(ratio, 0.0), MAX_RATIO) / MAX_RATIO * LEVELS))
    at = level / LEVELS * (len(RDBU) - 1)
    low = min(int(at), len(RDBU) - 2)
    share = at - low
    a, b = RDBU[low], RDBU[low + 1]
    channels = (
        round(int(a[k : k + 2], 16) * (1 - share) + int(b[k : k + 2], 16) * share) for k in (1, 3, 5)
    )  # fmt: skip
    return "#" + "".join(f"{c:02x}" for c in channels)


def _level(ratio: float) -> int:
    return int(round(min(max(ratio, 0.0), MAX_RATIO) / MAX_RATIO * LEVELS))


def coverage_map_svg(coverage: pd.DataFrame, queues: Sequence[str], tz: str, interval_minutes: int) -> str:
    """The heat map as one inline ``<svg>``: a panel per queue, a row per day, a column per interval."""
    grids = coverage_grids(coverage, queues, tz, interval_minutes)
    # Draw only the hours something is required in some queue.
    used = np.zeros(len(grids[0][1]), dtype=bool)
    for _days, _labels, values in grids:
        used |= ~np.isnan(values).all(axis=0)
    columns = np.flatnonzero(used) if used.any() else np.arange(len(used))
    first, last = int(columns.min()), int(columns.max()) + 1
    title_gap, label_gap = 22.0, 18.0
    height = 40 + sum(title_gap + max(1, len(days)) * ROW + label_gap for days, _l, _v in grids)
    title = "Coverage per queue, day and interval (red: short, blue: over)"
    figure = Figure(height, title, "Scheduled ÷ required per queue, day and interval: " + ", ".join(queues))
    figure.heading(title)
    width = WIDTH - LEFT - RIGHT
    cell = width / (last - first)
    step = max(1, int(round(60 / interval_minutes)))  # one label an hour, every other hour when dense
    if (last - first) / step > 14:
        step *= 2
    top = 40.0
    for queue, (days, labels, values) in zip(queues, grids, strict=True):
        top += title_gap
        figure.text(LEFT, top - 5, f"{queue}: scheduled ÷ required (grey: nothing required)", size=11)
        rows = max(1, len(days))
        figure.add(
            f'<rect x="{num(LEFT)}" y="{num(top)}" width="{num(width)}" height="{num(rows * ROW)}" '
            f'fill="{NOTHING_REQUIRED}"/>'
        )
        _cells(figure, days, labels, values[:, first:last], first, top, cell, interval_minutes)
        for r, day in enumerate(days):
            figure.text(LEFT - 5, top + r * ROW + ROW / 2 + 3.5, f"{day:%a %d}", size=10, anchor="end")
        bottom = top + rows * ROW
        ticks = [i for i in range(last - first + 1) if (first + i) % step == 0 and first + i < len(labels)]
        figure.add(
            '<path d="'
            + "".join(f"M{num(LEFT + i * cell)} {num(bottom)}v4" for i in ticks)
            + '" stroke="#333333" stroke-width="0.8" fill="none"/>'
            + "".join(
                f'<text x="{num(LEFT + i * cell)}" y="{num(bottom + 14)}" font-size="10" text-anchor="middle">'
                f"{labels[first + i]}</text>"
                for i in ticks
            )
        )
        figure.add(
            f'<rect x="{num(LEFT)}" y="{num(top)}" width="{num(width)}" height="{num(rows * ROW)}" fill="none" '
            'stroke="#333333" stroke-width="0.8"/>'
        )
        top = bottom + label_gap
    _scale(figure, LEFT + width + 16, 62.0, min(360.0, height - 90))
    return figure.svg("chart-coverage")


def _cells(figure: Figure, days: list, labels: list[str], values: np.ndarray, first: int, top: float, cell: float,
           interval_minutes: int) -> None:  # fmt: skip
    """Runs of equal colour per row, one path per colour (sorted); each short stretch titled for a hover."""
    runs: dict[int, list[str]] = {}
    titles: list[str] = []
    y_tenths = [int(round((top + r * ROW) * 10)) for r in range(len(days) + 1)]
    x_tenths = [int(round((LEFT + c * cell) * 10)) for c in range(values.shape[1] + 1)]
    for r, day in enumerate(days):
        row = values[r]
        levels = [-1 if np.isnan(v) else _level(float(v)) for v in row.tolist()]
        y0, y1 = y_tenths[r], y_tenths[r + 1]
        for c, end, level in _stretches(levels, lambda level: level):
            if level >= 0:
                x0, x1 = x_tenths[c], x_tenths[end]
                runs.setdefault(level, []).append(
                    f"M{tenth(x0)} {tenth(y0)}h{tenth(x1 - x0)}v{tenth(y1 - y0)}h{tenth(x0 - x1)}z"
                )
        # A hover per stretch of short cells (whatever their shades): its day, hours and lowest ratio.
        for c, end, short in _stretches(levels, lambda level: 0 <= level < LEVELS // 2):
            if short:
                x0, x1 = x_tenths[c], x_tenths[end]
                start, stop = (first + c) * interval_minutes, (first + end) * interval_minutes
                titles.append(
                    f'<rect x="{tenth(x0)}" y="{tenth(y0)}" width="{tenth(x1 - x0)}" height="{tenth(y1 - y0)}" '
                    f'fill="none" pointer-events="all"><title>{day:%a %d %b} {start // 60:02d}:{start % 60:02d}-'
                    f"{stop // 60 % 24:02d}:{stop % 60:02d}: {float(np.nanmin(row[c:end])):.2f} of the agents required"
                    "</title></rect>"
                )
    for level in sorted(runs):
        figure.add(
            f'<path class="cells" fill="{ratio_colour(level / LEVELS * MAX_RATIO)}" d="{"".join(runs[level])}"/>'
        )
    figure.add("".join(titles))


def _stretches(levels: list[int], key: Callable[[int], Key]) -> list[tuple[int, int, Key]]:
    """(start, end, key) of each stretch of neighbouring ``levels`` with the same ``key``."""
    stretches = []
    c = 0
    while c < len(levels):
        value, end = key(levels[c]), c + 1
        while end < len(levels) and key(levels[end]) == value:
            end += 1
        stretches.append((c, end, value))
        c = end
    return stretches


def _scale(figure: Figure, left: float, top: float, height: float) -> None:
    """The colour scale: LEVELS bands from 0 (bottom) to 2 (top), labelled 0, ½, 1 (covered), 1½, ≥ 2."""
    band = height / (LEVELS + 1)
    parts = []
    for level in range(LEVELS + 1):
        y = top + height - (level + 1) * band
        parts.append(
            f'<rect x="{num(left)}" y="{num(y)}" width="14" height="{num(band + 0.3)}" '
            f'fill="{ratio_colour(level / LEVELS * MAX_RATIO)}"/>'
        )
    parts.append(
        f'<rect x="{num(left)}" y="{num(top)}" width="14" height="{num(height)}" fill="none" stroke="#333333" stroke-width="0.6"/>'
    )
    for value, label in ((0.0, "0"), (0.5, "½"), (1.0, "1 (covered)"), (1.5, "1½"), (2.0, "≥ 2")):
        y = top + height - (value / MAX_RATIO * LEVELS + 0.5) * band
        parts.append(f'<text x="{num(left + 18)}" y="{num(y + 3.5)}" font-size="10">{label}</text>')
    figure.add("".join(parts))
