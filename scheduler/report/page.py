"""The HTML report a support lead opens: one self-contained file, its charts inline SVG.

Everything a lead asks about a week's plan, on one page that opens offline
(no script, no external file: the charts are ``<svg>`` elements written by
:mod:`scheduler.report.charts` and :mod:`scheduler.report.coverage_map`):

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

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from calendars.files import write_text_atomic
from scheduler.actions import day_figures, event_days, remaining_agents
from scheduler.coverage import roster_coverage
from scheduler.report.charts import PALETTE, fairness_chart, forecast_chart, local_naive, service_chart, staffing_chart
from scheduler.report.coverage_map import coverage_map_svg
from scheduler.report.daily import forecast_vs_actual, service_by_day, wape
from scheduler.report.diff import RosterDiff, change_text, diff_rosters
from scheduler.report.gaps import language_gaps
from scheduler.report.inputs import REPORT_FILE, ReportInputs
from scheduler.report.markup import Short, document_start, escape, table
from scheduler.report.sections import (
    LEVEL_TOLERANCE,
    SECTIONS_CSS,
    accuracy_section,
    actions_section,
    glance_section,
    service_cells,
    service_days_section,
    service_target,
)
from scheduler.report.summary import SHORTFALL_EPSILON, bound_text, understaffed_share
from scheduler.report.timeline import timeline_css, timeline_html
from scheduler.report.versions import run_provenance
from scheduler.staffing.requirements import evaluate_staffing, summarize_evaluation

__all__ = ["REPORT_FILE", "ReportInputs", "fairness_table", "render_report", "write_report"]

_FORECAST_NUMBERS = ("yhat", "baseline", "uplift", "yhat_lo", "yhat_hi", "yhat_lo95", "yhat_hi95")
_REQUIREMENT_NUMBERS = (
    "volume", "aht_seconds", "workload_hours", "agents_net", "service_level", "asa_seconds", "abandon_rate",
    "backlog", "occupancy", "max_occupancy", "shrinkage", "agents_required",
)  # fmt: skip


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


def fairness_table(inputs: ReportInputs) -> pd.DataFrame:
    """Per agent: shifts, paid hours, contract range over the span, weekend days and late shifts.

    One pass over the roster's shifts, not one per agent and shift (~0.15 s of the example's report).
    """
    config = inputs.config
    tz = config.timezone
    roster = inputs.roster
    days = max(1, len(pd.Series(local_naive(inputs.requirements["ds"], tz).dt.date).unique()))
    late_after = config.roster.late_end_after.hour * 60 + config.roster.late_end_after.minute
    agents = {agent.id: agent for agent in inputs.team.agents} if inputs.team is not None else {}
    ids = list(agents) or sorted(set(roster["agent_id"]))
    paid = roster[roster["activity"].isin(("work", "break"))]
    seconds = (paid["end"] - paid["start"]).dt.total_seconds().groupby(paid["agent_id"]).sum()
    spans = roster.groupby(["agent_id", "shift_id"], sort=True).agg(start=("start", "min"), end=("end", "max"))
    begin = spans["start"].dt.tz_convert(tz).dt.tz_localize(None)
    finish = spans["end"].dt.tz_convert(tz).dt.tz_localize(None)
    end_minutes = finish.dt.hour * 60 + finish.dt.minute + 1440 * (finish.dt.normalize() - begin.dt.normalize()).dt.days
    per_agent = (
        pd.DataFrame(
            {
                "shifts": 1,
                "weekend_days": (begin.dt.day_of_week >= 5).astype(int),
                "late_shifts": (end_minutes > late_after).astype(int),
            }
        )
        .groupby(level="agent_id")
        .sum()
    )
    scale = days / 7
    rows = []
    for agent_id in ids:
        agent = agents.get(agent_id)
        counts = per_agent.loc[agent_id] if agent_id in per_agent.index else None
        rows.append(
            {
                "agent_id": agent_id,
                "name": agent.name if agent else "",
                "contract": agent.contract.name if agent else "",
                "shifts": int(counts["shifts"]) if counts is not None else 0,
                "hours": float(seconds.get(agent_id, 0.0)) / 3600,
                "min_hours": agent.contract.min_hours_per_week * scale if agent else np.nan,
                "max_hours": agent.contract.max_hours_per_week * scale if agent else np.nan,
                "weekend_days": int(counts["weekend_days"]) if counts is not None else 0,
                "late_shifts": int(counts["late_shifts"]) if counts is not None else 0,
            }
        )
    return pd.DataFrame(rows)


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
svg.chart { display: block; width: 100%; height: auto; border: 1px solid #eee; }
ul.changes { font-family: ui-monospace, monospace; font-size: 0.85rem; }
.warn { color: #8a5a00; }
"""


def _kpi(label: str, value: str, bad: bool = False) -> str:
    return f'<div class="kpi{" bad" if bad else ""}"><b>{escape(value)}</b><span>{escape(label)}</span></div>'


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
        lines = "".join(f"<li>{escape(change_text(change, diff.tz))}</li>" for change in changes)
        items.append(f'<li><b>{escape(agent_id + name)}</b><ul class="changes">{lines}</ul></li>')
    return summary + (f"<ul>{''.join(items)}</ul>" if items else "")


def _gaps_section(gaps: pd.DataFrame, tz: str) -> str:
    """Language/topic queues open with contacts and nobody on them who speaks the language."""
    head = '<h2 id="gaps">Language and topic gaps</h2>'
    if gaps.empty:
        return head + "<p>None: in every open interval with contacts, each language queue has a speaker on it.</p>"
    rows = [
        [
            str(row.queue),
            f"{row.start.tz_convert(tz):%a %d %b %H:%M}-{row.end.tz_convert(tz):%H:%M}",
            f"{row.volume:.1f}",
            str(row.speakers) or "nobody",
            str(row.action),
        ]  # fmt: skip
        for row in gaps.itertuples(index=False)
    ]
    note = (
        f"<p>{len(gaps)} stretches where a queue is open, contacts are expected and nobody who speaks its "
        "language is on it (agents are never put on a language they do not speak). Close them as listed, or "
        "route those contacts elsewhere for these hours.</p>"
    )
    return head + note + table(["queue", "when", "contacts", "speakers in the team", "action"], rows, left=2)


def _service_section(inputs: ReportInputs, evaluation: pd.DataFrame, service: pd.DataFrame, queues: list[str]) -> str:
    """Service per queue under the roster (a level below target marked), then per day."""
    config = inputs.config
    rows = [
        [str(row.queue), config.channel(str(row.queue)).model, *service_cells(row, config),
         f"{row.abandon_rate:.1%}", f"{row.max_backlog:,.0f}"]
        for row in service.itertuples(index=False)
    ]  # fmt: skip
    headers = ["queue", "model", "contacts", "service level", "target", "mean wait", "abandoned", "max backlog"]
    return "\n".join(
        [
            '<h2 id="service">Predicted service under this roster</h2>',
            service_chart(inputs, evaluation, queues),
            table(headers, rows, left=2),
            service_days_section(service_by_day(evaluation, config.timezone), config),
        ]
    )


def _fairness_section(fairness: pd.DataFrame) -> str:
    """Hours per agent against the contract (outside it marked), weekend days and late shifts."""
    rows = []
    for row in fairness.itertuples(index=False):
        outside = not np.isnan(row.min_hours) and not (row.min_hours - 1e-6 <= row.hours <= row.max_hours + 1e-6)
        contract = "" if np.isnan(row.min_hours) else f"{row.min_hours:.0f}-{row.max_hours:.0f}"
        rows.append(
            [
                row.agent_id,
                row.name,
                row.contract,
                str(row.shifts),
                Short(f"{row.hours:.1f}") if outside else f"{row.hours:.1f}",
                contract,
                str(row.weekend_days),
                str(row.late_shifts),
            ]  # fmt: skip
        )
    headers = ["agent", "name", "contract", "shifts", "paid hours", "contract hours", "weekend days", "late shifts"]
    return "\n".join(
        [
            '<h2 id="fairness">Fairness: hours, weekends and late shifts per agent</h2>',
            fairness_chart(fairness),
            table(headers, rows, left=3),
        ]
    )


def _provenance_section(provenance: dict[str, Any]) -> str:
    """Versions and solver settings: the same inputs give the same roster only under these."""
    versions = ", ".join(f"{name} {version}" for name, version in provenance["versions"].items())
    solver = provenance["solver"]
    budget = solver["deterministic_time_limit_seconds"]
    budget_text = "an automatic budget" if budget == "auto" else f"{budget:g} s"
    return (
        '<h2 id="provenance">Versions and solver settings</h2>'
        f"<p>{escape(versions)}. CP-SAT: {budget_text} of deterministic time, "
        f"{solver['num_workers']} search workers, seed {solver['random_seed']}, "
        f"interleaved search {'on' if solver['interleave_search'] else 'off'}. The same inputs under the same "
        "locked versions give the same roster, byte for byte.</p>"
    )


def render_report(inputs: ReportInputs) -> str:
    """The report as one self-contained HTML document (UTF-8 text, no script, no external reference)."""
    config = inputs.config
    tz = config.timezone
    forecast = _numeric(inputs.forecast, _FORECAST_NUMBERS)
    requirements = _numeric(inputs.requirements, _REQUIREMENT_NUMBERS)
    requirements["open"] = _open_flags(requirements["open"]) if "open" in requirements.columns else True
    inputs = _replace(inputs, forecast=forecast, requirements=requirements)
    queues = [queue for queue in config.queue_names if queue in set(requirements["queue"])]
    covered = roster_coverage(inputs.roster, requirements, config.interval_minutes, tz)
    coverage, daily = covered.intervals, covered.daily
    evaluation = evaluate_staffing(requirements, coverage, config)
    service = summarize_evaluation(evaluation)
    fairness = fairness_table(inputs)
    names = {agent.id: agent.name for agent in inputs.team.agents} if inputs.team else {}
    diff = diff_rosters(inputs.previous, inputs.roster, tz) if inputs.previous is not None else None

    hours = config.interval_minutes / 60
    share = understaffed_share(coverage)
    limit = config.max_understaffed_share
    local_days = local_naive(requirements["ds"], tz)
    first, last = local_days.min().date(), local_days.max().date()
    short_intervals = int((coverage["shortfall"] > SHORTFALL_EPSILON).sum())
    glance = day_figures(coverage, event_days(forecast, tz), tz, config.interval_minutes)
    actions = inputs.actions
    proposed = actions[actions["kind"] != "uncovered"] if actions is not None else None

    parts = [
        document_start(
            f"{config.team_name}: staffing plan {first} to {last}", _CSS + SECTIONS_CSS + timeline_css(queues, PALETTE)
        ),
        f"<h1>{escape(config.team_name)}: staffing plan {first} to {last}</h1>",
        f'<p class="meta">Time zone {escape(tz)}; {config.interval_minutes}-minute intervals; queues {escape(", ".join(queues))}'
        + (f"; generated {escape(inputs.generated_at.isoformat())}" if inputs.generated_at else "")
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
    for row in service.itertuples(index=False):
        target = service_target(config, str(row.queue))
        parts.append(_kpi(f"{row.queue} service level (target {target:.0%})", f"{row.service_level:.1%}",
                          bad=row.service_level < target - LEVEL_TOLERANCE))  # fmt: skip
    if proposed is not None:
        paid = proposed[proposed["kind"] != "move_days_off"]
        currency = f" {config.peak.currency}" if config.peak.currency else ""
        parts.append(_kpi(f"actions proposed, {paid['cost'].sum():,.0f}{currency}", f"{len(proposed)}"))
        needed = remaining_agents(actions) if actions is not None else {}
        if needed:
            parts.append(_kpi("agents still to find (" + ", ".join(needed) + ")", f"{sum(needed.values())}", bad=True))
    if inputs.solver is not None:
        parts.append(_kpi(f"solver {inputs.solver.status}, gap", f"{inputs.solver.gap:.1%}"))
    parts.append("</div>")
    if inputs.warnings:
        parts.append("<ul>" + "".join(f'<li class="warn">{escape(w)}</li>' for w in inputs.warnings) + "</ul>")

    parts.append(glance_section(glance))
    parts.append(actions_section(actions, config.peak.currency))
    days = [dt.date.fromisoformat(day) for day in glance["date"]]
    agents = [(agent.id, agent.name) for agent in inputs.team.agents] if inputs.team else [
        (agent_id, "") for agent_id in sorted(set(inputs.roster["agent_id"]))
    ]  # fmt: skip
    parts.append('<h2 id="timeline">Every agent\'s week</h2>')
    parts.append(timeline_html(inputs.roster, days, agents, queues, tz))
    parts.append('<h2 id="coverage">Coverage heat map</h2>')
    parts.append(coverage_map_svg(coverage, queues, tz, config.interval_minutes))

    parts.append('<h2 id="forecast">Forecast</h2>')
    parts.append(
        "<p>Contacts per interval and queue: the forecast with its P80 band (80% of intervals are expected inside) "
        "after the recent history, sale events and public holidays shaded.</p>"
    )
    parts.append(forecast_chart(inputs, queues))

    parts.append('<h2 id="staffing">Required vs scheduled agents</h2>')
    parts.append(staffing_chart(inputs, coverage, queues))
    rows = [
        [
            str(row.day),
            str(row.queue),
            f"{row.required_hours:.1f}",
            f"{row.scheduled_hours:.1f}",
            (Short(str(int(row.understaffed_intervals))) if row.understaffed_intervals else "0"),
        ]  # fmt: skip
        for row in daily.itertuples(index=False)
    ]
    parts.append(table(["day", "queue", "required h", "scheduled h", "understaffed intervals"], rows, left=2))

    if inputs.team is not None and any("/" in queue for queue in queues):
        parts.append(_gaps_section(language_gaps(coverage, requirements, inputs.team, tz, inputs.roster), tz))

    parts.append(_service_section(inputs, evaluation, service, queues))
    parts.append(_fairness_section(fairness))

    if inputs.solver is not None:
        solver = inputs.solver
        parts.append('<h2 id="solver">Solver</h2>')
        parts.append(
            f"<p>{escape(solver.status)}: objective {solver.objective:,.0f}, {escape(bound_text(solver))}; understaffing {solver.understaffing_agent_hours:,.1f} agent-hours in "
            f"{solver.understaffed_intervals} queue-intervals.</p>"
        )
        if solver.violations:
            totals: dict[str, list[float]] = {}
            for rule, _subject, cost in solver.violations:
                entry = totals.setdefault(rule, [0, 0.0])
                entry[0] += 1
                entry[1] += cost
            parts.append(
                table(["soft rule", "count", "penalty"],
                       [[rule, f"{int(c)}", f"{p:,.0f}"] for rule, (c, p) in sorted(totals.items(), key=lambda i: -i[1][1])])
            )  # fmt: skip

    budget = inputs.solver.time_limit_seconds if inputs.solver is not None else config.roster.time_limit_seconds
    parts.append(_provenance_section(run_provenance(budget)))
    parts.append('<h2 id="changes">What changed against the previous roster</h2>')
    parts.append(_changes_section(diff, names))
    accuracy = forecast_vs_actual(forecast, inputs.history, tz)
    parts.append(accuracy_section(accuracy, wape(accuracy)))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _replace(inputs: ReportInputs, **changes: Any) -> ReportInputs:
    import dataclasses

    return dataclasses.replace(inputs, **changes)


def write_report(inputs: ReportInputs, path: Path) -> Path:
    """Render and write the report atomically; returns the path."""
    write_text_atomic(path, render_report(inputs))
    return path
