"""The HTML report a support lead opens: one self-contained file, charts drawn by matplotlib.

Everything a lead asks about a week's plan, on one page that opens offline
(no script, no external file: the charts are PNG images inlined as base64):

- the forecast against the recent history, sale events and holidays shaded;
- required against scheduled agents per interval and queue, understaffed
  intervals marked;
- the service the roster gives per interval (service level, ASA, backlog);
- hours per agent against the contract, weekend days and late shifts (fairness);
- what changed against the previous roster, per agent.

Library code: :func:`render_report` returns the HTML text and
:func:`write_report` writes it atomically; nothing here prints.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from calendars.files import write_text_atomic
from scheduler.config import Config
from scheduler.coverage import daily_summary, scheduled_agents
from scheduler.diff import RosterDiff, change_text, diff_rosters
from scheduler.roster import RosterResult
from scheduler.staffing import evaluate_staffing, summarize_evaluation
from scheduler.summary import SHORTFALL_EPSILON, understaffed_share
from scheduler.team import Team

REPORT_FILE = "report.html"
HISTORY_DAYS = 21  # days of history drawn before the planned span
DPI = 96
# Colour-blind-safe palette (Okabe-Ito) for queues, fixed order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
SALE_SHADE = "#E69F00"
HOLIDAY_SHADE = "#009E73"
SHORT_COLOUR = "#D55E00"

_FORECAST_NUMBERS = ("yhat", "baseline", "uplift", "yhat_lo", "yhat_hi", "yhat_lo95", "yhat_hi95")
_REQUIREMENT_NUMBERS = (
    "volume", "aht_seconds", "workload_hours", "agents_net", "service_level", "asa_seconds", "abandon_rate",
    "backlog", "occupancy", "max_occupancy", "shrinkage", "agents_required",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportInputs:
    """What the report is drawn from; only ``forecast``, ``requirements`` and ``roster`` are required.

    Tables as the stage files hold them (strings are converted), timestamps tz-aware.
    """

    config: Config
    forecast: pd.DataFrame
    requirements: pd.DataFrame
    roster: pd.DataFrame
    team: Team | None = None
    history: pd.DataFrame | None = None  # interval counts ds, queue, y
    events: pd.DataFrame | None = None  # sale calendar + holidays (pipeline.load_events)
    previous: pd.DataFrame | None = None  # the roster published before
    solver: RosterResult | None = None  # from a plan run: status, objective, bound, gap, violations
    warnings: tuple[str, ...] = ()
    generated_at: dt.datetime | None = None


def _numeric(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0.0).astype(float)
    return frame


def _open_flags(values: pd.Series) -> pd.Series:
    if values.dtype == bool:
        return values
    return values.astype(str).str.strip().str.lower().isin(("true", "1", "yes"))


def _local(values: pd.Series | pd.DatetimeIndex, tz: str) -> pd.Series:
    """tz-aware stamps as naive local wall-clock time, for the x axes."""
    return pd.Series(pd.to_datetime(values, utc=True)).dt.tz_convert(tz).dt.tz_localize(None)


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _colour(queues: Sequence[str], queue: str) -> str:
    return PALETTE[list(queues).index(queue) % len(PALETTE)]


def _format_time_axis(axis: Any) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=5, maxticks=12)
    axis.xaxis.set_major_locator(locator)
    axis.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
    axis.grid(True, color="#dddddd", linewidth=0.6)
    axis.set_axisbelow(True)


def _legend(figure: Figure, axes: Sequence[Any]) -> None:
    """One legend below the charts, each label once (never over the data)."""
    seen: dict[str, Any] = {}
    for axis in axes:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, handle)
    if seen:
        figure.legend(list(seen.values()), list(seen), loc="outside lower center", ncol=len(seen), fontsize=8,
                      frameon=False)  # fmt: skip


def _shade_events(axis: Any, events: pd.DataFrame | None, start: pd.Timestamp, end: pd.Timestamp, tz: str) -> list[str]:
    """Shade events overlapping [start, end); returns the legend labels used."""
    if events is None or events.empty:
        return []
    used: list[str] = []
    window = events[(events["end"] > start) & (events["start"] < end)]
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
        axis.annotate(
            str(row.name), xy=(begin, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -2),
            textcoords="offset points", fontsize=7, va="top", color="#444444", clip_on=True,
        )  # fmt: skip
    return used


def forecast_chart(inputs: ReportInputs, queues: Sequence[str]) -> str:
    """Per queue: recent history (grey), the forecast and its P80 band, events and holidays shaded."""
    tz = inputs.config.timezone
    forecast = inputs.forecast
    start, end = forecast["ds"].min(), forecast["ds"].max() + pd.Timedelta(minutes=inputs.config.interval_minutes)
    history_start = start - pd.Timedelta(days=HISTORY_DAYS)
    figure = Figure(figsize=(11, 2.3 * len(queues) + 0.6), layout="constrained")
    axes = figure.subplots(len(queues), 1, sharex=True, squeeze=False)[:, 0]
    for axis, queue in zip(axes, queues, strict=True):
        part = forecast[forecast["queue"] == queue].sort_values("ds")
        x = _local(part["ds"], tz)
        if inputs.history is not None and not inputs.history.empty:
            past = inputs.history[
                (inputs.history["queue"] == queue) & (inputs.history["ds"] >= history_start) & (inputs.history["ds"] < start)
            ].sort_values("ds")
            axis.plot(_local(past["ds"], tz), past["y"], color="#888888", linewidth=0.7, label="history")
        if "yhat_lo" in part.columns and "yhat_hi" in part.columns:
            axis.fill_between(x, part["yhat_lo"], part["yhat_hi"], color=_colour(queues, queue), alpha=0.2,
                              linewidth=0, label="P80 band")  # fmt: skip
        axis.plot(x, part["yhat"], color=_colour(queues, queue), linewidth=1.0, label="forecast")
        _shade_events(axis, inputs.events, history_start if inputs.history is not None else start, end, tz)
        axis.set_ylabel(f"{queue}\ncontacts / interval", fontsize=8)
        axis.set_ylim(bottom=0, top=axis.get_ylim()[1] * 1.12)  # room for the event names
        axis.axvline(_local(pd.Series([start]), tz).iloc[0], color="#333333", linestyle="--", linewidth=0.8)
        _format_time_axis(axis)
    _legend(figure, axes)
    figure.suptitle(f"Forecast vs the last {HISTORY_DAYS} days of history ({tz}); dashed line: start of the plan",
                    fontsize=10)  # fmt: skip
    return _png(figure)


def staffing_chart(inputs: ReportInputs, coverage: pd.DataFrame, queues: Sequence[str]) -> str:
    """Per queue: required vs scheduled agents per interval, shortfall filled and marked."""
    tz = inputs.config.timezone
    step = pd.Timedelta(minutes=inputs.config.interval_minutes)
    figure = Figure(figsize=(11, 2.3 * len(queues) + 0.6), layout="constrained")
    axes = figure.subplots(len(queues), 1, sharex=True, squeeze=False)[:, 0]
    for axis, queue in zip(axes, queues, strict=True):
        part = coverage[coverage["queue"] == queue].sort_values("ds")
        x = _local(part["ds"], tz)
        required = part["agents_required"].to_numpy(dtype=float)
        scheduled = part["agents_scheduled"].to_numpy(dtype=float)
        axis.step(x, required, where="post", color="#333333", linewidth=1.0, label="required")
        axis.step(x, scheduled, where="post", color=_colour(queues, queue), linewidth=1.2, label="scheduled")
        short = required - scheduled > SHORTFALL_EPSILON
        axis.fill_between(x, scheduled, required, where=short, step="post", color=SHORT_COLOUR, alpha=0.35,
                          linewidth=0, label="understaffed")  # fmt: skip
        if short.any():
            marks = x[short]
            axis.plot(marks + step / 2, np.zeros(len(marks)), linestyle="none", marker="|", markersize=8,
                      color=SHORT_COLOUR)  # fmt: skip
        axis.set_ylabel(f"{queue}\nagents", fontsize=8)
        axis.set_ylim(bottom=0)
        _format_time_axis(axis)
        axis.set_title(f"{queue}: {int(short.sum())} understaffed intervals", fontsize=8, loc="right")
    _legend(figure, axes)
    figure.suptitle("Required vs scheduled agents per interval (red: understaffed)", fontsize=10)
    return _png(figure)


def service_chart(inputs: ReportInputs, evaluation: pd.DataFrame, queues: Sequence[str]) -> str:
    """Service level, ASA and backlog per interval under the roster."""
    config = inputs.config
    tz = config.timezone
    figure = Figure(figsize=(11, 7.2), layout="constrained")
    level_axis, asa_axis, backlog_axis = figure.subplots(3, 1, sharex=True)
    for queue in queues:
        part = evaluation[(evaluation["queue"] == queue)].sort_values("ds")
        colour = _colour(queues, queue)
        x = _local(part["ds"], tz)
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
    asa_axis.set_ylim(bottom=0)
    backlog_axis.set_ylabel("waiting contacts\nat interval end", fontsize=8)
    backlog_axis.set_ylim(bottom=0)
    for axis in (level_axis, asa_axis, backlog_axis):
        _format_time_axis(axis)
    _legend(figure, [level_axis])
    figure.suptitle("Predicted service with the scheduled agents (open hours only)", fontsize=10)
    return _png(figure)


def fairness_table(inputs: ReportInputs) -> pd.DataFrame:
    """Per agent: shifts, paid hours, contract range over the span, weekend days and late shifts."""
    config = inputs.config
    tz = config.timezone
    roster = inputs.roster
    days = max(1, len(pd.Series(_local(inputs.requirements["ds"], tz).dt.date).unique()))
    late_after = config.roster.late_end_after.hour * 60 + config.roster.late_end_after.minute
    agents = list(inputs.team.agents) if inputs.team is not None else []
    ids = [agent.id for agent in agents] or sorted(set(roster["agent_id"]))
    rows = []
    for agent_id in ids:
        own = roster[roster["agent_id"] == agent_id]
        paid = own[own["activity"].isin(("work", "break"))]
        hours = float(((paid["end"] - paid["start"]).dt.total_seconds()).sum()) / 3600 if len(paid) else 0.0
        weekend_days = 0
        late = 0
        shifts = 0
        for _shift_id, rows_of_shift in own.groupby("shift_id", sort=True):
            shifts += 1
            begin = pd.Timestamp(rows_of_shift["start"].min()).tz_convert(tz)
            finish = pd.Timestamp(rows_of_shift["end"].max()).tz_convert(tz)
            weekend_days += begin.weekday() >= 5
            end_minutes = finish.hour * 60 + finish.minute + 1440 * (finish.date() - begin.date()).days
            late += end_minutes > late_after
        agent = next((a for a in agents if a.id == agent_id), None)
        scale = days / 7
        rows.append(
            {
                "agent_id": agent_id,
                "name": agent.name if agent else "",
                "contract": agent.contract.name if agent else "",
                "shifts": shifts,
                "hours": hours,
                "min_hours": agent.contract.min_hours_per_week * scale if agent else np.nan,
                "max_hours": agent.contract.max_hours_per_week * scale if agent else np.nan,
                "weekend_days": int(weekend_days),
                "late_shifts": int(late),
            }
        )
    return pd.DataFrame(rows)


def fairness_chart(fairness: pd.DataFrame) -> str:
    figure = Figure(figsize=(11, 5.4), layout="constrained")
    hours_axis, count_axis = figure.subplots(2, 1, sharex=True)
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
    hours_axis.set_title("Hours per agent against the contract (pro rata for the planned days)", fontsize=9)
    width = 0.38
    count_axis.bar(x - width / 2, fairness["weekend_days"], width=width, color=PALETTE[1], label="weekend days")
    count_axis.bar(x + width / 2, fairness["late_shifts"], width=width, color=PALETTE[3], label="late shifts")
    count_axis.set_ylabel("shifts", fontsize=8)
    count_axis.set_xticks(x, labels, fontsize=8)
    count_axis.yaxis.get_major_locator().set_params(integer=True)
    count_axis.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7, frameon=False)
    count_axis.set_title("Weekend days and late shifts per agent", fontsize=9)
    for axis in (hours_axis, count_axis):
        axis.grid(True, axis="y", color="#dddddd", linewidth=0.6)
        axis.set_axisbelow(True)
    return _png(figure)


# --- HTML ------------------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1100px;
       padding: 1rem 1.5rem 3rem; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.meta { color: #666; font-size: 0.9rem; }
.kpis { display: flex; flex-wrap: wrap; gap: 0.8rem; margin: 1rem 0; }
.kpi { border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 0.8rem; min-width: 9rem; }
.kpi b { display: block; font-size: 1.3rem; } .kpi span { color: #666; font-size: 0.8rem; }
.bad b { color: #b33c00; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { border-bottom: 1px solid #eee; padding: 0.2rem 0.6rem; text-align: right; }
th { background: #f6f6f6; } td.l, th.l { text-align: left; }
td.short { color: #b33c00; font-weight: bold; }
img.chart { width: 100%; height: auto; border: 1px solid #eee; }
ul.changes { font-family: ui-monospace, monospace; font-size: 0.85rem; }
.warn { color: #8a5a00; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1, cls: str = "") -> str:
    head = "".join(f'<th class="l">{_e(h)}</th>' if i < left else f"<th>{_e(h)}</th>" for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            css = "l" if i < left else ""
            if cell.startswith("!"):
                css, cell = (css + " short").strip(), cell[1:]
            cells.append(f'<td class="{css}">{_e(cell)}</td>' if css else f"<td>{_e(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _chart(data: str, alt: str, chart_id: str) -> str:
    return f'<img class="chart" id="{chart_id}" alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _kpi(label: str, value: str, bad: bool = False) -> str:
    return f'<div class="kpi{" bad" if bad else ""}"><b>{_e(value)}</b><span>{_e(label)}</span></div>'


def _seconds(value: float) -> str:
    if value < 120:
        return f"{value:,.0f} s"
    return f"{value / 60:,.0f} min" if value < 7200 else f"{value / 3600:,.1f} h"


def _changes_section(diff: RosterDiff | None, names: dict[str, str]) -> str:
    if diff is None:
        return "<p>No previous roster given (<code>--previous roster.csv</code> shows what changed).</p>"
    totals = diff.totals()
    summary = (
        f"<p>{totals['added']} added, {totals['removed']} removed, {totals['moved']} moved, "
        f"{totals['queues']} with other queues, {totals['unchanged']} unchanged; "
        f"{totals['agents_affected']} agents affected.</p>"
    )
    items = []
    for agent_id, changes in diff.by_agent().items():
        name = f" ({names[agent_id]})" if names.get(agent_id) else ""
        lines = "".join(f"<li>{_e(change_text(change, diff.tz))}</li>" for change in changes)
        items.append(f"<li><b>{_e(agent_id + name)}</b><ul class=\"changes\">{lines}</ul></li>")
    return summary + (f"<ul>{''.join(items)}</ul>" if items else "")


def render_report(inputs: ReportInputs) -> str:
    """The report as one self-contained HTML document (UTF-8 text, no script, no external reference)."""
    config = inputs.config
    tz = config.timezone
    forecast = _numeric(inputs.forecast, _FORECAST_NUMBERS)
    requirements = _numeric(inputs.requirements, _REQUIREMENT_NUMBERS)
    requirements["open"] = _open_flags(requirements["open"]) if "open" in requirements.columns else True
    inputs = _replace(inputs, forecast=forecast, requirements=requirements)
    queues = [queue for queue in config.queue_names if queue in set(requirements["queue"])]
    coverage = scheduled_agents(inputs.roster, requirements, config.interval_minutes)
    daily = daily_summary(coverage, config.interval_minutes, tz)
    evaluation = evaluate_staffing(requirements, coverage, config)
    service = summarize_evaluation(evaluation)
    fairness = fairness_table(inputs)
    names = {agent.id: agent.name for agent in inputs.team.agents} if inputs.team else {}
    diff = diff_rosters(inputs.previous, inputs.roster, tz) if inputs.previous is not None else None

    hours = config.interval_minutes / 60
    share = understaffed_share(coverage)
    limit = config.max_understaffed_share
    local_days = _local(requirements["ds"], tz)
    first, last = local_days.min().date(), local_days.max().date()
    short_intervals = int((coverage["shortfall"] > SHORTFALL_EPSILON).sum())

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(config.team_name)}: staffing plan {first} to {last}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_e(config.team_name)}: staffing plan {first} to {last}</h1>",
        f'<p class="meta">Time zone {_e(tz)}; {config.interval_minutes}-minute intervals; queues {_e(", ".join(queues))}'
        + (f"; generated {_e(inputs.generated_at.isoformat())}" if inputs.generated_at else "")
        + ".</p>",
        '<div class="kpis">',
        _kpi("agent-hours required", f"{coverage['agents_required'].sum() * hours:,.1f}"),
        _kpi("agent-hours scheduled", f"{coverage['agents_scheduled'].sum() * hours:,.1f}"),
        _kpi(
            "of required hours unscheduled" + (f" (limit {limit:.0%})" if limit is not None else ""),
            f"{share:.1%}",
            bad=limit is not None and share > limit,
        ),
        _kpi("understaffed queue-intervals", f"{short_intervals:,}", bad=short_intervals > 0),
    ]
    if inputs.solver is not None:
        parts.append(_kpi(f"solver {inputs.solver.status}, gap", f"{inputs.solver.gap:.1%}"))
    parts.append("</div>")
    if inputs.warnings:
        parts.append("<ul>" + "".join(f'<li class="warn">{_e(w)}</li>' for w in inputs.warnings) + "</ul>")

    parts.append('<h2 id="forecast">Forecast</h2>')
    parts.append(
        "<p>Contacts per interval and queue: the forecast with its P80 band (80% of intervals are expected inside) "
        "after the recent history, sale events and public holidays shaded.</p>"
    )
    parts.append(_chart(forecast_chart(inputs, queues), "Forecast vs history per queue", "chart-forecast"))

    parts.append('<h2 id="staffing">Required vs scheduled agents</h2>')
    parts.append(_chart(staffing_chart(inputs, coverage, queues), "Required vs scheduled agents", "chart-staffing"))
    rows = [
        [
            str(row.day), str(row.queue), f"{row.required_hours:.1f}", f"{row.scheduled_hours:.1f}",
            (f"!{int(row.understaffed_intervals)}" if row.understaffed_intervals else "0"),
        ]  # fmt: skip
        for row in daily.itertuples(index=False)
    ]
    parts.append(_table(["day", "queue", "required h", "scheduled h", "understaffed intervals"], rows, left=2))

    parts.append('<h2 id="service">Predicted service under this roster</h2>')
    parts.append(_chart(service_chart(inputs, evaluation, queues), "Service level, ASA and backlog", "chart-service"))
    service_rows = []
    for row in service.itertuples(index=False):
        channel = config.channel(str(row.queue))
        target = channel.service_level or 0.0
        level = f"{row.service_level:.1%}"
        service_rows.append(
            [
                str(row.queue), channel.model, f"{row.offered:,.0f}", ("!" + level) if row.service_level < target else level,
                f"{target:.0%}", _seconds(float(row.asa_seconds)), f"{row.abandon_rate:.1%}", f"{row.max_backlog:,.0f}",
            ]  # fmt: skip
        )
    parts.append(
        _table(["queue", "model", "contacts", "service level", "target", "mean wait", "abandoned", "max backlog"],
               service_rows, left=2)  # fmt: skip
    )

    parts.append('<h2 id="fairness">Fairness: hours, weekends and late shifts per agent</h2>')
    parts.append(_chart(fairness_chart(fairness), "Hours, weekends and late shifts per agent", "chart-fairness"))
    fair_rows = []
    for row in fairness.itertuples(index=False):
        outside = not np.isnan(row.min_hours) and not (row.min_hours - 1e-6 <= row.hours <= row.max_hours + 1e-6)
        contract = "" if np.isnan(row.min_hours) else f"{row.min_hours:.0f}-{row.max_hours:.0f}"
        fair_rows.append(
            [
                row.agent_id, row.name, row.contract, str(row.shifts), ("!" if outside else "") + f"{row.hours:.1f}",
                contract, str(row.weekend_days), str(row.late_shifts),
            ]  # fmt: skip
        )
    parts.append(
        _table(["agent", "name", "contract", "shifts", "paid hours", "contract hours", "weekend days", "late shifts"],
               fair_rows, left=3)  # fmt: skip
    )

    if inputs.solver is not None:
        solver = inputs.solver
        parts.append('<h2 id="solver">Solver</h2>')
        parts.append(
            f"<p>{_e(solver.status)}: objective {solver.objective:,.0f}, best bound {solver.best_bound:,.0f}, "
            f"gap {solver.gap:.2%}; understaffing {solver.understaffing_agent_hours:,.1f} agent-hours in "
            f"{solver.understaffed_intervals} queue-intervals.</p>"
        )
        if solver.violations:
            totals: dict[str, list[float]] = {}
            for rule, _subject, cost in solver.violations:
                entry = totals.setdefault(rule, [0, 0.0])
                entry[0] += 1
                entry[1] += cost
            parts.append(
                _table(["soft rule", "count", "penalty"],
                       [[rule, f"{int(c)}", f"{p:,.0f}"] for rule, (c, p) in sorted(totals.items(), key=lambda i: -i[1][1])])
            )  # fmt: skip

    parts.append('<h2 id="changes">What changed against the previous roster</h2>')
    parts.append(_changes_section(diff, names))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _replace(inputs: ReportInputs, **changes: Any) -> ReportInputs:
    import dataclasses

    return dataclasses.replace(inputs, **changes)


def write_report(inputs: ReportInputs, path: Path) -> Path:
    """Render and write the report atomically; returns the path."""
    write_text_atomic(path, render_report(inputs))
    return path


def load_report_inputs(
    config: Config,
    folder: Path,
    *,
    previous: Path | None = None,
    team: Team | None = None,
    generated_at: dt.datetime | None = None,
) -> ReportInputs:
    """Report inputs from a plan output folder (forecast.csv, requirements.csv, roster.csv) and the config.

    The history and the sale calendar come from the config; a history that
    cannot be read is left out of the chart with a warning (the plan's own
    files are what the report is about).

    Raises:
        InputError: a missing or malformed stage file, config or team file.
    """
    from scheduler.errors import InputError
    from scheduler.pipeline import load_events, read_forecast, read_history, read_requirements, read_roster
    from scheduler.team import load_team

    forecast = read_forecast(folder / "forecast.csv")
    requirements = read_requirements(folder / "requirements.csv")
    roster = read_roster(folder / "roster.csv")
    team = team or load_team(config.team_file, config.queue_names, shifts=config.shift_names)
    warnings: list[str] = []
    history: pd.DataFrame | None = None
    try:
        history = read_history(config).frame
    except InputError as error:
        warnings.append(f"history not drawn: {error}")
    local = forecast["ds"].dt.tz_convert(config.timezone)
    first, last = local.min().date(), local.max().date()
    events = load_events(config, first - dt.timedelta(days=HISTORY_DAYS + 1), last + dt.timedelta(days=1))
    return ReportInputs(
        config=config,
        forecast=forecast,
        requirements=requirements,
        roster=roster,
        team=team,
        history=history,
        events=events if not events.empty else None,
        previous=read_roster(previous) if previous is not None else None,
        warnings=tuple(warnings),
        generated_at=generated_at,
    )


def report_inputs_for_plan(
    config: Config,
    result: Any,
    *,
    previous: pd.DataFrame | None = None,
    generated_at: dt.datetime | None = None,
) -> ReportInputs:
    """Report inputs from an in-memory :class:`scheduler.pipeline.PlanResult` (what `plan` writes)."""
    from scheduler.errors import InputError
    from scheduler.pipeline import load_events, read_history
    from scheduler.team import load_team

    warnings = list(result.forecast.warnings)
    history: pd.DataFrame | None = None
    try:
        history = read_history(config).frame
    except InputError as error:  # pragma: no cover - the forecast just read it
        warnings.append(f"history not drawn: {error}")
    local = result.forecast.frame["ds"].dt.tz_convert(config.timezone)
    first, last = local.min().date(), local.max().date()
    events = load_events(config, first - dt.timedelta(days=HISTORY_DAYS + 1), last + dt.timedelta(days=1))
    return ReportInputs(
        config=config,
        forecast=result.forecast.frame,
        requirements=result.requirements,
        roster=result.roster.roster,
        team=load_team(config.team_file, config.queue_names, shifts=config.shift_names),
        history=history,
        events=events if not events.empty else None,
        previous=previous,
        solver=result.roster,
        warnings=tuple(warnings),
        generated_at=generated_at,
    )
