"""Coverage heat map: per queue, day x time of day, scheduled ÷ required agents.

Red where the roster is short, white where it matches, blue where it is over;
grey where nothing is required (closed, or no demand). The lead sees at once
which hours of which days the peak actions are about.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from scheduler.report.charts import fixed_layout, png, suptitle

MAX_RATIO = 2.0  # ratios above this are drawn as this (double the need is already plainly over)


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


def heatmap_figure(coverage: pd.DataFrame, queues: Sequence[str], tz: str, interval_minutes: int) -> Figure:
    grids = coverage_grids(coverage, queues, tz, interval_minutes)
    # Draw only the hours something is required in some queue.
    used = np.zeros(len(grids[0][1]), dtype=bool)
    for _days, _labels, values in grids:
        used |= ~np.isnan(values).all(axis=0)
    columns = np.flatnonzero(used) if used.any() else np.arange(len(used))
    first, last = int(columns.min()), int(columns.max()) + 1
    rows = sum(len(days) for days, _l, _v in grids)
    figure = Figure(figsize=(11, 0.9 + 0.26 * rows + 0.45 * len(queues)))
    axes = figure.subplots(len(queues), 1, squeeze=False)[:, 0]
    fixed_layout(figure, len(queues), left=0.7, right=0.2, top=0.55, bottom=0.3, gap=0.45)
    norm = TwoSlopeNorm(vmin=0.0, vcenter=1.0, vmax=MAX_RATIO)
    cmap = _colormap()
    image = None
    for axis, queue, (days, labels, values) in zip(axes, queues, grids, strict=True):
        shown = np.clip(values[:, first:last], 0.0, MAX_RATIO)
        image = axis.imshow(np.ma.masked_invalid(shown), aspect="auto", cmap=cmap, norm=norm, interpolation="nearest")
        axis.set_facecolor("#eeeeee")
        axis.set_yticks(range(len(days)), [f"{day:%a %d}" for day in days], fontsize=7)
        step = max(1, int(round(60 / interval_minutes)))  # one label an hour, every other hour when dense
        if (last - first) / step > 14:
            step *= 2
        ticks = [i for i in range(last - first) if (first + i) % step == 0]
        axis.set_xticks([i - 0.5 for i in ticks], [labels[first + i] for i in ticks], fontsize=7)
        axis.set_title(f"{queue}: scheduled ÷ required (grey: nothing required)", fontsize=8, loc="left", y=1.0)
    if image is not None:
        bar = figure.colorbar(image, ax=list(axes), shrink=0.8, pad=0.01)
        bar.set_ticks([0, 0.5, 1, 1.5, 2])
        bar.set_ticklabels(["0", "½", "1 (covered)", "1½", "≥ 2"], fontsize=7)
    suptitle(figure, "Coverage per queue, day and interval (red: short, blue: over)")
    return figure


def _colormap():  # noqa: ANN202
    from matplotlib import colormaps

    return colormaps["RdBu"]


def coverage_map_png(coverage: pd.DataFrame, queues: Sequence[str], tz: str, interval_minutes: int) -> str:
    """The heat map as base64 PNG for the page."""
    return png(heatmap_figure(coverage, queues, tz, interval_minutes))
