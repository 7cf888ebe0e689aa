"""The report's charts as inline SVG (:mod:`.svg` draws them; no plotting library, no script in the page).

Each function returns one ``<svg>`` element: the forecast against the recent history,
required against scheduled agents, the service under the roster, and hours, weekends
and late shifts per agent. Colours are the Okabe-Ito palette (colour-blind safe).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduler.report.inputs import HISTORY_DAYS, ReportInputs
from scheduler.report.summary import SHORTFALL_EPSILON
from scheduler.report.svg import WIDTH, Figure, LegendEntry, Panel, days_of, nice_ticks, nice_top, text_width

# Colour-blind-safe palette (Okabe-Ito) for queues, fixed order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
SALE_SHADE = "#E69F00"
HOLIDAY_SHADE = "#009E73"
SHORT_COLOUR = "#D55E00"
SHADE_OPACITY = 0.15
# One colour per role in the per-queue charts (the queue is each panel's label): a legend entry
# then matches the line in every panel. Blue is not a shade colour, so no series looks like an event.
SERIES_COLOUR = PALETTE[0]
HISTORY_COLOUR = "#888888"

LEFT, RIGHT, TOP = 96.0, 20.0, 40.0  # px around the panels: two-line y titles left, the title above
PANEL_HEIGHT = 170.0
AXIS_LABELS = 30.0  # px under the last panel for its dates
LEGEND_ROW = 26.0


def local_naive(values: pd.Series | pd.DatetimeIndex, tz: str) -> pd.Series:
    """tz-aware stamps as naive local wall-clock time, for the x axes."""
    return pd.Series(pd.to_datetime(values, utc=True)).dt.tz_convert(tz).dt.tz_localize(None)


def local_days(values: pd.Series | pd.DatetimeIndex, tz: str) -> np.ndarray:
    """tz-aware stamps as float days since 1970-01-01 in local wall-clock time (the time axes' unit)."""
    return days_of(local_naive(values, tz).to_numpy())


def _colour(queues: Sequence[str], queue: str) -> str:
    return PALETTE[list(queues).index(queue) % len(PALETTE)]


def _stacked(figure: Figure, rows: int, x_range: tuple[float, float], *, gap: float, height: float = PANEL_HEIGHT,
             top: float = TOP) -> list[Panel]:  # fmt: skip
    """``rows`` panels one under the other, full width, sharing the x range."""
    width = WIDTH - LEFT - RIGHT
    return [Panel(figure, LEFT, top + i * (height + gap), width, height, x_range, (0.0, 1.0)) for i in range(rows)]


def _y_range(panel: Panel, high: float, *, headroom: float = 1.0) -> None:
    """The panel's y axis from 0 to a round number above ``high × headroom``, its ticks drawn."""
    top = nice_top(float(high) * headroom) if np.isfinite(high) and high > 0 else 1.0
    panel.y_range = (0.0, top)
    panel.y_axis(nice_ticks(0.0, top))


@dataclass(frozen=True, slots=True, kw_only=True)
class Shade:
    """An event drawn as a shaded span: local days ``start`` to ``end``, its name on a line at the top."""

    start: float
    end: float
    name: str
    holiday: bool
    line: int


def event_shades(events: pd.DataFrame | None, start: pd.Timestamp, end: pd.Timestamp, tz: str) -> list[Shade]:
    """Events overlapping [start, end), cut to it; names closer than a sixth of the span go a line lower."""
    if events is None or events.empty:
        return []
    window = events[(events["end"] > start) & (events["start"] < end)]
    span = (end - start) / 6
    shades = []
    last_at: pd.Timestamp | None = None
    line = 0
    for row in window.itertuples(index=False):
        begin = max(pd.Timestamp(row.start), start)
        finish = min(pd.Timestamp(row.end), end)
        x0, x1 = local_days(pd.Series([begin, finish]), tz)
        line = (line + 1) % 3 if last_at is not None and begin - last_at < span else 0
        last_at = begin
        shades.append(Shade(start=float(x0), end=float(x1), name=str(row.name), holiday=str(row.category) == "holiday",
                            line=line))  # fmt: skip
    return shades


def _shade(panel: Panel, shades: Sequence[Shade]) -> None:
    """The events' spans on ``panel``, their names at its top (ending at its right edge when they would not fit)."""
    for shade in shades:
        panel.span(shade.start, shade.end, HOLIDAY_SHADE if shade.holiday else SALE_SHADE, SHADE_OPACITY)
    for shade in shades:
        x, y = panel.x(shade.start) + 2, panel.top + 10 + 10 * shade.line
        fits = x + text_width(shade.name, 9) < panel.right
        panel.figure.text(x if fits else panel.right - 2, y, shade.name, size=9, anchor="start" if fits else "end",
                          colour="#444444")  # fmt: skip


def forecast_chart(inputs: ReportInputs, queues: Sequence[str]) -> str:
    """Per queue: recent history (grey), the forecast and its P80 band, events and holidays shaded."""
    tz = inputs.config.timezone
    forecast = inputs.forecast
    start, end = forecast["ds"].min(), forecast["ds"].max() + pd.Timedelta(minutes=inputs.config.interval_minutes)
    history_start = start - pd.Timedelta(days=HISTORY_DAYS)
    history = inputs.history if inputs.history is not None and not inputs.history.empty else None
    drawn_from = history_start if inputs.history is not None else start
    x0, plan_start, x1 = local_days(pd.Series([drawn_from, start, end]), tz)
    gap = 14.0
    height = TOP + len(queues) * (PANEL_HEIGHT + gap) - gap + AXIS_LABELS + LEGEND_ROW
    title = f"Forecast vs the last {HISTORY_DAYS} days of history ({tz}); dashed line: start of the plan"
    figure = Figure(height, title, "Forecast vs history per queue: " + ", ".join(queues))
    figure.heading(title)
    panels = _stacked(figure, len(queues), (float(x0), float(x1)), gap=gap)
    shades = event_shades(inputs.events, drawn_from, end, tz)
    banded = "yhat_lo" in forecast.columns and "yhat_hi" in forecast.columns
    for i, (panel, queue) in enumerate(zip(panels, queues, strict=True)):
        part = forecast[forecast["queue"] == queue].sort_values("ds")
        x = local_days(part["ds"], tz)
        past = None
        if history is not None:
            past = history[
                (history["queue"] == queue) & (history["ds"] >= history_start) & (history["ds"] < start)
            ].sort_values("ds")
        highs = [
            part["yhat_hi"].max() if banded else np.nan,
            part["yhat"].max(),
            past["y"].max() if past is not None else np.nan,
        ]
        _y_range(
            panel, float(np.nanmax(np.array(highs, dtype=float))) if not np.isnan(highs).all() else 1.0, headroom=1.3
        )
        panel.time_axis(labels=i == len(queues) - 1)
        _shade(panel, shades)
        if past is not None and len(past):
            panel.line(local_days(past["ds"], tz), past["y"].to_numpy(dtype=float), HISTORY_COLOUR, width=0.7)
        if banded:
            panel.band(x, part["yhat_lo"].to_numpy(dtype=float), part["yhat_hi"].to_numpy(dtype=float), SERIES_COLOUR,
                       0.2)  # fmt: skip
        panel.line(x, part["yhat"].to_numpy(dtype=float), SERIES_COLOUR, width=1.0)
        panel.vline(float(plan_start), "#333333", width=0.8, dash="4 3")
        panel.y_title([queue, "contacts / interval"])
        panel.frame()
    entries = [LegendEntry(label="history", colour=HISTORY_COLOUR, width=0.7)] if history is not None else []
    if banded:
        entries.append(LegendEntry(label="P80 band", colour=SERIES_COLOUR, kind="area", opacity=0.2))
    entries.append(LegendEntry(label="forecast", colour=SERIES_COLOUR))
    for holiday, label, colour in ((True, "holiday", HOLIDAY_SHADE), (False, "sale event", SALE_SHADE)):
        if any(shade.holiday == holiday for shade in shades):
            entries.append(LegendEntry(label=label, colour=colour, kind="area", opacity=SHADE_OPACITY * 2))
    figure.legend(entries, y=height - LEGEND_ROW / 2)
    return figure.svg("chart-forecast")


def staffing_chart(inputs: ReportInputs, coverage: pd.DataFrame, queues: Sequence[str]) -> str:
    """Per queue: required vs scheduled agents per interval, shortfall filled and marked."""
    tz = inputs.config.timezone
    step_days = inputs.config.interval_minutes / 1440
    gap = 28.0  # room for each panel's title
    height = TOP + len(queues) * (PANEL_HEIGHT + gap) - gap + AXIS_LABELS + LEGEND_ROW
    title = "Required vs scheduled agents per interval (red: understaffed)"
    figure = Figure(height, title, "Required vs scheduled agents per queue: " + ", ".join(queues))
    figure.heading(title)
    x_all = local_days(coverage["ds"], tz) if len(coverage) else np.array([0.0])
    panels = _stacked(figure, len(queues), (float(x_all.min()), float(x_all.max()) + step_days), gap=gap, top=TOP + 8)
    for i, (panel, queue) in enumerate(zip(panels, queues, strict=True)):
        part = coverage[coverage["queue"] == queue].sort_values("ds")
        x = local_days(part["ds"], tz)
        required = part["agents_required"].to_numpy(dtype=float)
        scheduled = part["agents_scheduled"].to_numpy(dtype=float)
        high = max(required.max(initial=0.0), scheduled.max(initial=0.0))
        _y_range(panel, high, headroom=1.05)
        panel.time_axis(labels=i == len(queues) - 1)
        short = required - scheduled > SHORTFALL_EPSILON
        if len(x):
            end = float(x[-1]) + step_days
            panel.step_gaps(x, scheduled, required, end, short, SHORT_COLOUR, 0.35)
            panel.step(x, required, end, "#333333", width=1.0)
            panel.step(x, scheduled, end, SERIES_COLOUR, width=1.2)
            panel.ticks_at(x[short] + step_days / 2, SHORT_COLOUR)
        panel.y_title([queue, "agents"])
        panel.title(f"{queue}: {int(short.sum())} understaffed intervals", anchor="end")
        panel.frame()
    figure.legend(
        [
            LegendEntry(label="required", colour="#333333", width=1.0),
            LegendEntry(label="scheduled", colour=SERIES_COLOUR, width=1.2),
            LegendEntry(label="understaffed", colour=SHORT_COLOUR, kind="area", opacity=0.35),
        ],
        y=height - LEGEND_ROW / 2,
    )
    return figure.svg("chart-staffing")


def service_chart(inputs: ReportInputs, evaluation: pd.DataFrame, queues: Sequence[str]) -> str:
    """Service level, ASA and backlog per interval under the roster."""
    config = inputs.config
    tz = config.timezone
    step_days = config.interval_minutes / 1440
    gap, panel_height = 16.0, 200.0
    height = TOP + 3 * (panel_height + gap) - gap + AXIS_LABELS + LEGEND_ROW
    title = "Predicted service with the scheduled agents (open hours only)"
    figure = Figure(height, title, "Service level, ASA and backlog per interval and queue")
    figure.heading(title)
    x_all = local_days(evaluation["ds"], tz) if len(evaluation) else np.array([0.0])
    x_range = (float(x_all.min()), float(x_all.max()) + step_days)
    level_panel, asa_panel, backlog_panel = _stacked(figure, 3, x_range, gap=gap, height=panel_height)
    series = []
    for queue in queues:
        part = evaluation[evaluation["queue"] == queue].sort_values("ds")
        is_open = part["open"].to_numpy(dtype=bool)
        level = np.where(is_open, part["service_level"].to_numpy(dtype=float) * 100, np.nan)
        asa = np.where(is_open, part["asa_seconds"].to_numpy(dtype=float) / 60, np.nan)
        series.append((queue, local_days(part["ds"], tz), level, asa, part["backlog"].to_numpy(dtype=float)))
    level_panel.y_range = (-2.0, 102.0)
    level_panel.y_axis([0, 20, 40, 60, 80, 100])
    # Mean waits on a symmetric log scale (linear below a minute): plain minutes, 1, 10, 100.
    longest = max((float(np.nanmax(asa)) for *_, asa, _b in series if np.isfinite(asa).any()), default=1.0)
    decades = [0.0, 1.0] + [10.0**k for k in range(1, 7) if 10.0 ** (k - 1) < longest]
    asa_panel.log = True
    asa_panel.y_range = (0.0, max(longest, 1.0))
    asa_panel.y_axis([d for d in decades if d <= max(longest, 1.0)])
    _y_range(backlog_panel, max((float(np.nanmax(b)) for *_, b in series if len(b)), default=1.0), headroom=1.05)
    for i, panel in enumerate((level_panel, asa_panel, backlog_panel)):
        panel.time_axis(labels=i == 2)
    for queue, x, level, asa, backlog in series:
        if not len(x):
            continue
        colour = _colour(queues, queue)
        end = float(x[-1]) + step_days
        level_panel.step(x, level, end, colour)
        target = config.channel(queue).service_level
        if target is not None:
            level_panel.hline(target * 100, colour, width=0.8, dash="1.5 2")
        asa_panel.step(x, asa, end, colour)
        backlog_panel.step(x, backlog, end, colour)
    level_panel.y_title(["service level %", "(dotted: target)"])
    asa_panel.y_title(["mean wait, minutes", "(log scale)"])
    backlog_panel.y_title(["waiting contacts", "at interval end"])
    for panel in (level_panel, asa_panel, backlog_panel):
        panel.frame()
    figure.legend([LegendEntry(label=q, colour=_colour(queues, q)) for q in queues], y=height - LEGEND_ROW / 2)
    return figure.svg("chart-service")


def fairness_chart(fairness: pd.DataFrame) -> str:
    """Hours per agent against the contract range (outside it crossed); weekend days and late shifts."""
    n = len(fairness)
    left, right, panel_height, gap = 60.0, 190.0, 190.0, 44.0
    height = 34 + 2 * panel_height + gap + 30
    figure = Figure(height, "Fairness per agent", "Hours, weekends and late shifts per agent")
    x_range = (-0.75, n - 0.25) if n else (-1.0, 1.0)
    width = WIDTH - left - right
    hours_panel = Panel(figure, left, 34, width, panel_height, x_range, (0.0, 1.0))
    count_panel = Panel(figure, left, 34 + panel_height + gap, width, panel_height, x_range, (0.0, 1.0))
    x = np.arange(n, dtype=float)
    hours = fairness["hours"].to_numpy(dtype=float)
    low, high = fairness["min_hours"].to_numpy(dtype=float), fairness["max_hours"].to_numpy(dtype=float)
    ranged = bool(np.isfinite(high).any())
    top = max(hours.max(initial=0.0), np.nanmax(high) if ranged else 0.0)
    _y_range(hours_panel, top, headroom=1.05)
    hours_panel.bars(x, hours, 0.6, PALETTE[0])
    entries = [LegendEntry(label="scheduled paid hours", colour=PALETTE[0], kind="area")]
    if ranged:
        hours_panel.ranges(x, low, high, "#333333", width=3, opacity=0.45)
        outside = (hours < low - 1e-6) | (hours > high + 1e-6)
        hours_panel.crosses(x[outside], hours[outside], SHORT_COLOUR)
        entries += [
            LegendEntry(label="contract range (min-max)", colour="#333333", width=3, opacity=0.45),
            LegendEntry(label="outside contract", colour=SHORT_COLOUR, kind="mark"),
        ]
    hours_panel.y_title(["hours"], offset=34)
    hours_panel.title("Hours per agent against the contract (pro rata for the planned days)")
    hours_panel.frame()
    figure.legend(entries, y=44, x=hours_panel.right + 12, vertical=True)
    weekend, late = fairness["weekend_days"].to_numpy(dtype=float), fairness["late_shifts"].to_numpy(dtype=float)
    most = max(weekend.max(initial=0.0), late.max(initial=0.0), 1.0)
    count_panel.y_range = (0.0, nice_top(most * 1.05))
    count_panel.y_axis([t for t in nice_ticks(0.0, count_panel.y_range[1]) if float(t).is_integer()])
    count_panel.bars(x - 0.19, weekend, 0.38, PALETTE[1])
    count_panel.bars(x + 0.19, late, 0.38, PALETTE[3])
    count_panel.x_labels(list(x), [str(agent) for agent in fairness["agent_id"]])
    count_panel.y_title(["shifts"], offset=34)
    count_panel.title("Weekend days and late shifts per agent")
    count_panel.frame()
    figure.legend(
        [LegendEntry(label="weekend days", colour=PALETTE[1], kind="area"),
         LegendEntry(label="late shifts", colour=PALETTE[3], kind="area")],
        y=count_panel.top + 10, x=count_panel.right + 12, vertical=True,
    )  # fmt: skip
    return figure.svg("chart-fairness")
