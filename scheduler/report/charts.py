"""The report's charts: matplotlib figures rendered headless to base64 PNG (no script in the page)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scheduler.report.inputs import HISTORY_DAYS, ReportInputs
from scheduler.report.summary import SHORTFALL_EPSILON

DPI = 96
# Colour-blind-safe palette (Okabe-Ito) for queues, fixed order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
SALE_SHADE = "#E69F00"
HOLIDAY_SHADE = "#009E73"
SHORT_COLOUR = "#D55E00"
# One colour per role in the per-queue charts (the queue is each panel's label): a legend entry
# then matches the line in every panel. Blue is not a shade colour, so no series looks like an event.
SERIES_COLOUR = PALETTE[0]
MAX_DAY_LABELS = 8  # date labels on a time axis; more would overlap at the report's width


def local_naive(values: pd.Series | pd.DatetimeIndex, tz: str) -> pd.Series:
    """tz-aware stamps as naive local wall-clock time, for the x axes."""
    return pd.Series(pd.to_datetime(values, utc=True)).dt.tz_convert(tz).dt.tz_localize(None)


def png(figure: Figure) -> str:
    """A figure as base64 PNG, byte-stable (no software stamp, no time).

    The pixels ``savefig(dpi=DPI)`` draws, encoded as RGB at zlib level 3 instead of RGBA at
    level 6: the charts are opaque (a white figure), so the alpha channel was a quarter of the
    bytes to compress for nothing, and level 3 gives images the same size as before. Encoding was
    ~0.5 s of the example week's ~3 s report (CPU); now ~0.25 s.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    figure.set_dpi(DPI)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buffer, format="png", compress_level=3, dpi=(DPI, DPI))
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def fixed_layout(
    figure: Figure,
    rows: int,
    *,
    left: float = 0.95,
    right: float = 0.2,
    top: float = 0.5,
    bottom: float = 0.6,
    gap: float = 0.35,
) -> None:
    """Place ``rows`` stacked panels with fixed margins, in inches (figure size independent).

    Matplotlib's constrained layout measured every tick label of every panel in an extra
    draw: half of the report's rendering time (2.6 s of CPU per plan on the example). The
    charts here have known furniture (two-line y labels at 8 pt, one legend row below,
    a title above), so fixed margins fit them.
    """
    width, height = figure.get_size_inches()
    panel = (height - top - bottom - gap * (rows - 1)) / rows
    figure.subplots_adjust(
        left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height,
        hspace=gap / panel if rows > 1 else 0.0,
    )  # fmt: skip


def suptitle(figure: Figure, text: str) -> None:
    """The figure's title a fixed 0.1 inch from its top edge (the margins above leave it room)."""
    figure.suptitle(text, fontsize=10, y=1 - 0.1 / figure.get_size_inches()[1], va="top")


def _colour(queues: Sequence[str], queue: str) -> str:
    return PALETTE[list(queues).index(queue) % len(PALETTE)]


def _format_time_axis(axis: Any) -> None:
    """Midnight ticks, a label every few days so that at most MAX_DAY_LABELS fit (labels never overlap)."""
    import math

    import matplotlib.dates as mdates

    low, high = axis.get_xlim()  # matplotlib dates: days since 1970-01-01, so whole numbers are midnights
    step = max(1, math.ceil((high - low) / MAX_DAY_LABELS))
    axis.xaxis.set_major_locator(mdates.DayLocator(interval=step))
    axis.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b" if step == 1 else "%d %b"))
    axis.tick_params(axis="x", labelsize=8)
    axis.grid(True, which="major", color="#dddddd", linewidth=0.6)
    # Every midnight as one faint line collection rather than minor ticks: a tick is several artists
    # laid out one by one, and a month of them per panel cost ~0.6 s of CPU per report.
    midnights = np.arange(math.ceil(low), math.floor(high) + 1)
    axis.vlines(midnights, 0, 1, transform=axis.get_xaxis_transform(), color="#f0f0f0", linewidth=0.4, zorder=0)
    axis.set_xlim(low, high)
    axis.set_axisbelow(True)


def _plain_number(value: float, _position: float | None = None) -> str:
    """A tick label as a plain number: 0.5, 1, 10, 1000 (no exponent notation)."""
    return f"{value:,.10g}"


def _legend(figure: Figure, axes: Sequence[Any] | np.ndarray) -> None:
    """One legend below the charts, each label once (never over the data)."""
    seen: dict[str, Any] = {}
    for axis in axes:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, handle)
    if seen:
        figure.legend(list(seen.values()), list(seen), loc="lower center", bbox_to_anchor=(0.5, 0.0),
                      ncol=len(seen), fontsize=8, frameon=False)  # fmt: skip


def _shade_events(axis: Any, events: pd.DataFrame | None, start: pd.Timestamp, end: pd.Timestamp, tz: str) -> list[str]:
    """Shade events overlapping [start, end); returns the legend labels used."""
    if events is None or events.empty:
        return []
    used: list[str] = []
    window = events[(events["end"] > start) & (events["start"] < end)]
    span = (end - start) / 6  # names closer than this to the previous one go a line lower
    last_at: pd.Timestamp | None = None
    line = 0
    for row in window.itertuples(index=False):
        holiday = str(row.category) == "holiday"
        begin = max(pd.Timestamp(row.start), start).tz_convert(tz).tz_localize(None)
        finish = min(pd.Timestamp(row.end), end).tz_convert(tz).tz_localize(None)
        label = "holiday" if holiday else "sale event"
        axis.axvspan(
            begin, finish, color=HOLIDAY_SHADE if holiday else SALE_SHADE, alpha=0.15, linewidth=0,
            label=label if label not in used else None,
        )  # fmt: skip
        if label not in used:
            used.append(label)
        at = max(pd.Timestamp(row.start), start)
        line = (line + 1) % 3 if last_at is not None and at - last_at < span else 0
        last_at = at
        axis.annotate(
            str(row.name), xy=(begin, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -2 - 9 * line),
            textcoords="offset points", fontsize=7, va="top", color="#444444", clip_on=True,
        )  # fmt: skip
    return used


def forecast_chart(inputs: ReportInputs, queues: Sequence[str]) -> str:
    """Per queue: recent history (grey), the forecast and its P80 band, events and holidays shaded."""
    tz = inputs.config.timezone
    forecast = inputs.forecast
    start, end = forecast["ds"].min(), forecast["ds"].max() + pd.Timedelta(minutes=inputs.config.interval_minutes)
    history_start = start - pd.Timedelta(days=HISTORY_DAYS)
    figure = Figure(figsize=(11, 2.3 * len(queues) + 0.6))
    axes = figure.subplots(len(queues), 1, sharex=True, squeeze=False)[:, 0]
    fixed_layout(figure, len(queues), gap=0.15)
    for axis, queue in zip(axes, queues, strict=True):
        part = forecast[forecast["queue"] == queue].sort_values("ds")
        x = local_naive(part["ds"], tz)
        if inputs.history is not None and not inputs.history.empty:
            past = inputs.history[
                (inputs.history["queue"] == queue)
                & (inputs.history["ds"] >= history_start)
                & (inputs.history["ds"] < start)
            ].sort_values("ds")
            axis.plot(local_naive(past["ds"], tz), past["y"], color="#888888", linewidth=0.7, label="history")
        if "yhat_lo" in part.columns and "yhat_hi" in part.columns:
            # numpy datetimes: matplotlib converts a pandas Series one Timestamp at a time here.
            axis.fill_between(x.to_numpy(), part["yhat_lo"], part["yhat_hi"], color=SERIES_COLOUR, alpha=0.2,
                              linewidth=0, label="P80 band")  # fmt: skip
        axis.plot(x, part["yhat"], color=SERIES_COLOUR, linewidth=1.0, label="forecast")
        _shade_events(axis, inputs.events, history_start if inputs.history is not None else start, end, tz)
        axis.set_ylabel(f"{queue}\ncontacts / interval", fontsize=8)
        axis.set_ylim(bottom=0, top=axis.get_ylim()[1] * 1.3)  # room for up to three lines of event names
        axis.axvline(local_naive(pd.Series([start]), tz).iloc[0], color="#333333", linestyle="--", linewidth=0.8)
        _format_time_axis(axis)
    _legend(figure, axes)
    suptitle(figure, f"Forecast vs the last {HISTORY_DAYS} days of history ({tz}); dashed line: start of the plan")
    return png(figure)


def staffing_chart(inputs: ReportInputs, coverage: pd.DataFrame, queues: Sequence[str]) -> str:
    """Per queue: required vs scheduled agents per interval, shortfall filled and marked."""
    tz = inputs.config.timezone
    step = pd.Timedelta(minutes=inputs.config.interval_minutes)
    figure = Figure(figsize=(11, 2.3 * len(queues) + 0.6))
    axes = figure.subplots(len(queues), 1, sharex=True, squeeze=False)[:, 0]
    fixed_layout(figure, len(queues), gap=0.3)  # room for each panel's title
    for axis, queue in zip(axes, queues, strict=True):
        part = coverage[coverage["queue"] == queue].sort_values("ds")
        x = local_naive(part["ds"], tz)
        required = part["agents_required"].to_numpy(dtype=float)
        scheduled = part["agents_scheduled"].to_numpy(dtype=float)
        axis.step(x, required, where="post", color="#333333", linewidth=1.0, label="required")
        axis.step(x, scheduled, where="post", color=SERIES_COLOUR, linewidth=1.2, label="scheduled")
        short = required - scheduled > SHORTFALL_EPSILON
        axis.fill_between(x.to_numpy(), scheduled, required, where=short, step="post", color=SHORT_COLOUR, alpha=0.35,
                          linewidth=0, label="understaffed")  # fmt: skip
        if short.any():
            marks = x[short]
            axis.plot(marks + step / 2, np.zeros(len(marks)), linestyle="none", marker="|", markersize=8,
                      color=SHORT_COLOUR)  # fmt: skip
        axis.set_ylabel(f"{queue}\nagents", fontsize=8)
        axis.set_ylim(bottom=0)
        _format_time_axis(axis)
        axis.set_title(f"{queue}: {int(short.sum())} understaffed intervals", fontsize=8, loc="right", y=1.0)
    _legend(figure, axes)
    suptitle(figure, "Required vs scheduled agents per interval (red: understaffed)")
    return png(figure)


def service_chart(inputs: ReportInputs, evaluation: pd.DataFrame, queues: Sequence[str]) -> str:
    """Service level, ASA and backlog per interval under the roster."""
    config = inputs.config
    tz = config.timezone
    figure = Figure(figsize=(11, 7.2))
    level_axis, asa_axis, backlog_axis = figure.subplots(3, 1, sharex=True)
    fixed_layout(figure, 3, gap=0.15)
    for queue in queues:
        part = evaluation[(evaluation["queue"] == queue)].sort_values("ds")
        colour = _colour(queues, queue)
        x = local_naive(part["ds"], tz)
        is_open = part["open"].to_numpy(dtype=bool)
        level = np.where(is_open, part["service_level"].to_numpy(dtype=float) * 100, np.nan)
        level_axis.step(x, level, where="post", color=colour, linewidth=1.0, label=queue)
        target = config.channel(queue).service_level
        if target is not None:
            level_axis.axhline(target * 100, color=colour, linestyle=":", linewidth=0.8)
        asa = np.where(is_open, part["asa_seconds"].to_numpy(dtype=float) / 60, np.nan)
        asa_axis.step(x, asa, where="post", color=colour, linewidth=1.0, label=queue)
        backlog_axis.step(x, part["backlog"].to_numpy(dtype=float), where="post", color=colour, linewidth=1.0,
                          label=queue)  # fmt: skip
    level_axis.set_ylabel("service level %\n(dotted: target)", fontsize=8)
    level_axis.set_ylim(-2, 102)
    asa_axis.set_ylabel("mean wait, minutes\n(log scale)", fontsize=8)
    asa_axis.set_yscale("symlog", linthresh=1.0)
    # Plain numbers (1, 10, 100 minutes), not symlog's default 10^k labels: a lead reads minutes, and
    # those labels are typeset by mathtext, whose parser costs ~0.5 s of CPU per report to set up.
    asa_axis.yaxis.set_major_formatter(_plain_number)
    asa_axis.set_ylim(bottom=0)
    backlog_axis.set_ylabel("waiting contacts\nat interval end", fontsize=8)
    backlog_axis.set_ylim(bottom=0)
    for axis in (level_axis, asa_axis, backlog_axis):
        _format_time_axis(axis)
    _legend(figure, [level_axis])
    suptitle(figure, "Predicted service with the scheduled agents (open hours only)")
    return png(figure)


def fairness_chart(fairness: pd.DataFrame) -> str:
    figure = Figure(figsize=(11, 5.4))
    hours_axis, count_axis = figure.subplots(2, 1, sharex=True)
    fixed_layout(figure, 2, left=0.6, right=1.9, top=0.35, bottom=0.45, gap=0.4)  # legends right of the panels
    x = np.arange(len(fairness))
    labels = fairness["agent_id"].tolist()
    hours_axis.bar(x, fairness["hours"], color=PALETTE[0], width=0.6, label="scheduled paid hours")
    if fairness["min_hours"].notna().any():
        low, high = fairness["min_hours"].to_numpy(dtype=float), fairness["max_hours"].to_numpy(dtype=float)
        hours_axis.vlines(x, low, high, color="#333333", linewidth=3, alpha=0.45, label="contract range (min-max)")
        outside = (fairness["hours"] < low - 1e-6) | (fairness["hours"] > high + 1e-6)
        hours_axis.plot(x[outside.to_numpy()], fairness["hours"][outside], linestyle="none", marker="x",
                        color=SHORT_COLOUR, label="outside contract")  # fmt: skip
    hours_axis.set_ylabel("hours", fontsize=8)
    hours_axis.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7, frameon=False)
    hours_axis.set_title("Hours per agent against the contract (pro rata for the planned days)", fontsize=9, y=1.0)
    width = 0.38
    count_axis.bar(x - width / 2, fairness["weekend_days"], width=width, color=PALETTE[1], label="weekend days")
    count_axis.bar(x + width / 2, fairness["late_shifts"], width=width, color=PALETTE[3], label="late shifts")
    count_axis.set_ylabel("shifts", fontsize=8)
    count_axis.set_xticks(x, labels, fontsize=8)
    count_axis.yaxis.get_major_locator().set_params(integer=True)
    count_axis.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7, frameon=False)
    count_axis.set_title("Weekend days and late shifts per agent", fontsize=9, y=1.0)
    for axis in (hours_axis, count_axis):
        axis.grid(True, axis="y", color="#dddddd", linewidth=0.6)
        axis.set_axisbelow(True)
    return png(figure)
