"""The report's peak sections: the week at a glance, the priced actions, service per day, forecast vs actual.

The service figures of a queue (contacts, level against its target, mean wait)
are written by :func:`service_cells` for the per-queue and the per-day table alike.

Each function returns an HTML fragment (escaped, no script) that
:func:`scheduler.report.page.render_report` places on the page; the numbers
come from :mod:`scheduler.actions` and :mod:`scheduler.report.daily`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from scheduler.config import Config
from scheduler.report.markup import Cell, Short, cell, escape, head, table_row, wait_text

# A day whose unscheduled share of the required agent-hours is above this is flagged: a few
# percent of scattered half-agents is what whole agents per queue leave even on a good roster.
COVERED_SHARE = 0.03

LEVEL_TOLERANCE = 1e-9
"""A service level this close below its target meets it (float noise of the offered-weighted mean)."""

SECTIONS_CSS = """
tr.action td { white-space: nowrap; }
tr.action td.note { white-space: normal; text-align: left; font-size: 0.8rem; color: #444; min-width: 16rem; }
.scroll { overflow-x: auto; }
"""


def glance_section(days: pd.DataFrame) -> str:
    """Per day: events, required and scheduled agent-hours, the shortfall and its share (flagged above 3%)."""
    rows = []
    for row in days.itertuples(index=False):
        day = dt.date.fromisoformat(row.date)
        short = row.short_share > COVERED_SHARE
        share = f"{row.short_share:.1%}"
        rows.append(
            table_row([f"{day:%a %d %b}", row.events or "–", f"{row.required_hours:.1f}", f"{row.scheduled_hours:.1f}",
                       f"{row.short_hours:.1f}", Short(share) if short else share], left=2)
        )  # fmt: skip
    return (
        '<h2 id="glance">The week at a glance</h2><div class="scroll"><table>'
        + head("day", "events", "required h", "scheduled h", "short h", "short", left=2)
        + f"<tbody>{''.join(rows)}</tbody></table></div>"
        + f'<p class="meta">Flagged: more than {COVERED_SHARE:.0%} of the day\'s required agent-hours unscheduled.</p>'
    )


def actions_section(actions: pd.DataFrame | None, currency: str) -> str:
    """The priced actions, cheapest first, as ``actions.csv`` holds them."""
    title = '<h2 id="actions">Peak actions, cheapest first</h2>'
    if actions is None:
        return title + "<p>No actions file (<code>plan</code> writes <code>actions.csv</code> next to the roster).</p>"
    proposed = actions[actions["kind"] != "uncovered"]
    if proposed.empty and actions.empty:
        return title + "<p>Nothing to propose: the roster covers the week.</p>"
    unit = f" {currency}" if currency else ""
    paid = proposed[proposed["kind"] != "move_days_off"]
    summary = (
        f"<p>{len(proposed)} proposals: {paid['agent_hours'].sum():,.1f} extra agent-hours for "
        f"{paid['cost'].sum():,.0f}{escape(unit)}, covering {proposed['closes_hours'].sum():,.1f} required agent-hours. "
        "<code>remaining_gap</code> rows are agents still to find; <code>uncovered</code> rows what nobody is "
        "proposed for (single intervals short by less than half an agent).</p>"
    )
    rows = []
    for row in actions.itertuples(index=False):
        rows.append(
            '<tr class="action">' + cell(str(row.date), "l") + cell(str(row.queue), "l") + cell(str(row.kind), "l")
            + cell(str(int(row.agents))) + cell(f"{row.agent_hours:.1f}") + cell(f"{row.closes_hours:.1f}")
            + cell(f"{row.cost:,.0f}") + cell(str(row.note), "note") + "</tr>"
        )  # fmt: skip
    table = (
        '<div class="scroll"><table>'
        + head("date", "queue", "kind", "agents", "agent-hours", "covers h", f"cost{unit}", "note", left=3)
        + f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return title + summary + table


def service_target(config: Config, queue: str) -> float:
    """The queue's service-level target; 0 where its channel sets none (then never short of it)."""
    return config.channel(queue).service_level or 0.0


def service_cells(row: Any, config: Config) -> list[Cell]:
    """Contacts, service level (below the target beyond float noise: marked), target and mean wait.

    ``row`` has ``queue``, ``offered``, ``service_level`` and ``asa_seconds``
    (:func:`scheduler.staffing.requirements.summarize_evaluation` per queue,
    :func:`scheduler.report.daily.service_by_day` per day).
    """
    target = service_target(config, str(row.queue))
    level = f"{row.service_level:.1%}"
    short = row.service_level < target - LEVEL_TOLERANCE
    return [f"{row.offered:,.0f}", Short(level) if short else level, f"{target:.0%}", wait_text(float(row.asa_seconds))]


def service_days_section(table: pd.DataFrame, config: Config) -> str:
    """Service level, mean wait and backlog per day and queue under the roster."""
    rows = [
        table_row([f"{dt.date.fromisoformat(row.date):%a %d}", str(row.queue), *service_cells(row, config),
                   f"{row.max_backlog:,.0f}", f"{row.backlog_at_end:,.0f}"], left=2)
        for row in table.itertuples(index=False)
    ]  # fmt: skip
    return (
        '<h3 id="service-days">Per day</h3><div class="scroll"><table>'
        + head(
            "day",
            "queue",
            "contacts",
            "service level",
            "target",
            "mean wait",
            "max backlog",
            "backlog at day end",
            left=2,
        )  # fmt: skip
        + f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def accuracy_section(table: pd.DataFrame, wape: float) -> str:
    """Forecast against actual for the planned days the history already covers (empty: nothing)."""
    if table.empty:
        return ""
    rows = [
        table_row([f"{dt.date.fromisoformat(row.date):%a %d %b}", str(row.queue), f"{row.forecast:,.0f}",
                   f"{row.actual:,.0f}", f"{row.error:+,.0f}"], left=2)
        for row in table.itertuples(index=False)
    ]  # fmt: skip
    return (
        '<h2 id="accuracy">Forecast against actual</h2>'
        f"<p>The history already covers {table['date'].nunique()} planned day(s): daily contacts per queue, "
        f'WAPE {wape:.1%}.</p><div class="scroll"><table>'
        + head("day", "queue", "forecast", "actual", "actual − forecast", left=2)
        + f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
