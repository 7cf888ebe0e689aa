"""The org's index page: ``<out>/index.html`` links every team's report with the org's totals.

One self-contained HTML file (no script, no external file), rendered from the
teams' outcomes only, sorted by team, with the run's ``--generated-at``: the
same plans give the same bytes whichever executor ran them. Run facts (wall
time, worker) stay out of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from calendars.files import write_text_atomic
from scheduler.org.task import FAILED, UNDERSTAFFED, TeamOutcome
from scheduler.report.markup import document_start, escape

INDEX_FILE = "index.html"
REPORT_LINK = "report.html"
FEEDS_LINK = "feeds/index.html"

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem; color: #1a1a1a; }
h1 { font-size: 1.5rem; margin-bottom: 0.25rem; }
.meta { color: #555; margin-top: 0; }
.kpis { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 1rem 0; }
.kpi { border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 0.75rem; min-width: 9rem; }
.kpi b { display: block; font-size: 1.25rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; }
th, td { padding: 0.35rem 0.6rem; border-bottom: 1px solid #e5e5e5; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, td.text { text-align: left; }
tfoot td { font-weight: bold; border-top: 2px solid #999; }
.ok { color: #00734d; } .understaffed { color: #a05a00; } .failed { color: #b00020; font-weight: bold; }
td.error { white-space: pre-wrap; text-align: left; color: #b00020; max-width: 60rem; }
"""


def _hours(value: float) -> str:
    return f"{value:,.1f}"


def render_index(
    outcomes: Sequence[TeamOutcome],
    *,
    org_name: str,
    start: dt.date,
    days: int,
    generated_at: dt.datetime,
) -> str:
    """The page's HTML text (deterministic: outcomes sorted by team, no run facts)."""
    teams = sorted(outcomes, key=lambda outcome: outcome.team)
    planned = [outcome for outcome in teams if outcome.status != FAILED]
    broken = [outcome for outcome in teams if outcome.status == FAILED]
    short = [outcome for outcome in teams if outcome.status == UNDERSTAFFED]
    required = sum(outcome.required_hours for outcome in planned)
    scheduled = sum(outcome.scheduled_hours for outcome in planned)
    shortfall = sum(outcome.understaffed_hours for outcome in planned)
    known_actions = [outcome.actions for outcome in planned if outcome.actions is not None]
    last = start + dt.timedelta(days=days - 1)
    title = org_name or "Organisation plan"

    rows = []
    for outcome in teams:
        if outcome.status == FAILED:
            rows.append(
                f'<tr><td>{escape(outcome.team)}</td><td class="text"></td><td class="text"></td>'
                f'<td class="text failed">failed (exit {outcome.exit_code})</td>'
                '<td></td><td></td><td></td><td></td><td></td><td class="text"></td></tr>'
                f'<tr><td></td><td class="error" colspan="9">{escape(outcome.error)}</td></tr>'
            )
            continue
        share = outcome.understaffed_hours / outcome.required_hours if outcome.required_hours > 0 else 0.0
        actions = "–" if outcome.actions is None else str(outcome.actions)
        slug = escape(outcome.team)
        rows.append(
            f'<tr><td><a href="{slug}/{REPORT_LINK}">{slug}</a></td><td class="text">{escape(outcome.team_name)}</td>'
            f'<td class="text">{escape(outcome.timezone)}</td><td class="text {outcome.status}">{escape(outcome.status)}</td>'
            f"<td>{_hours(outcome.required_hours)}</td><td>{_hours(outcome.scheduled_hours)}</td>"
            f"<td>{_hours(outcome.understaffed_hours)}</td><td>{share:.1%}</td><td>{actions}</td>"
            f'<td class="text"><a href="{slug}/{FEEDS_LINK}">calendars</a></td></tr>'
        )
        if outcome.status == UNDERSTAFFED and outcome.error:
            rows.append(f'<tr><td></td><td class="error" colspan="9">{escape(outcome.error)}</td></tr>')
    total_share = shortfall / required if required > 0 else 0.0
    total_actions = str(sum(known_actions)) if known_actions else "–"
    footer = (
        f'<tr><td>total</td><td class="text">{len(planned)} of {len(teams)} teams planned</td><td></td><td></td>'
        f"<td>{_hours(required)}</td><td>{_hours(scheduled)}</td><td>{_hours(shortfall)}</td>"
        f"<td>{total_share:.1%}</td><td>{total_actions}</td><td></td></tr>"
    )
    kpis = [
        ("teams planned", f"{len(planned)} of {len(teams)}"),
        ("failed", str(len(broken))),
        ("understaffed beyond threshold", str(len(short))),
        ("required agent-hours", _hours(required)),
        ("scheduled agent-hours", _hours(scheduled)),
        ("shortfall", f"{_hours(shortfall)} h ({total_share:.1%})"),
        ("actions proposed", total_actions),
    ]
    parts = [
        document_start(f"{title}: plan {start} to {last}", _STYLE),
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">Plan for {start} to {last} ({days} days, each team in its own timezone); '
        f"generated {escape(generated_at.isoformat())}. Totals count the planned teams only.</p>",
        '<div class="kpis">'
        + "".join(f'<div class="kpi">{escape(label)}<b>{escape(value)}</b></div>' for label, value in kpis)
        + "</div>",
        '<div class="scroll"><table><thead><tr><th>team</th><th>name</th><th>timezone</th><th>status</th>'
        "<th>required h</th><th>scheduled h</th><th>shortfall h</th><th>shortfall</th><th>actions</th>"
        "<th>feeds</th></tr></thead>",
        "<tbody>" + "".join(rows) + "</tbody>",
        f"<tfoot>{footer}</tfoot></table></div>",
        '<p class="meta">Shortfall: required agent-hours the roster leaves unscheduled. Each team\'s folder holds '
        "its forecast, requirements, roster, report and calendar feeds, as <code>peakplan plan</code> writes them.</p>",
        "</body></html>",
        "",
    ]
    return "\n".join(parts)


def write_index(path: Path, text: str) -> Path:
    write_text_atomic(path, text)
    return path
