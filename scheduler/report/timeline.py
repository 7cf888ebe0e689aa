"""Every agent's week at a glance: one row per agent, one cell per day, shifts drawn as HTML blocks.

Plain HTML and CSS (no image, no script): block positions are percentages of
the day's drawn window, so the timeline stays sharp at any width, and each
block's title names the activity, queue and times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from scheduler.report.markup import escape

TIMELINE_CSS = """
.tl-wrap { overflow-x: auto; }
table.timeline { width: 100%; min-width: 56rem; table-layout: fixed; }
table.timeline th.agent { width: 10rem; text-align: left; font-weight: normal; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
table.timeline td { padding: 2px 1px; border-left: 1px solid #eee; }
.tl-day { position: relative; height: 1.1rem; background: #fafafa; }
.tl-b { position: absolute; top: 0; bottom: 0; }
.tl-break { background: #9e9e9e; } .tl-lunch { background: #fff; outline: 1px solid #bbb; outline-offset: -1px; }
.tl-legend span { display: inline-block; width: 0.9rem; height: 0.9rem; vertical-align: middle; margin: 0 0.3rem 0 0.9rem; }
table.timeline td.hours { width: 3.5rem; text-align: right; }
"""


def timeline_css(queues: Sequence[str], colours: Sequence[str]) -> str:
    """The timeline's style sheet, one block colour per queue (the charts' colours)."""
    return TIMELINE_CSS + "".join(
        f".tl-q{i} {{ background: {colour}; }}\n" for i, colour in enumerate(colours[: len(queues)])
    )


def timeline_html(roster: pd.DataFrame, days: Sequence[dt.date], agents: Sequence[tuple[str, str]], queues: Sequence[str],
                  tz: str) -> str:  # fmt: skip
    """The per-agent week: ``agents`` as (id, name) rows, ``days`` as columns, blocks coloured by queue.

    Every agent of the team gets a row, also one with no shift this week.
    """
    local = roster.assign(
        start=pd.to_datetime(roster["start"], utc=True).dt.tz_convert(tz),
        end=pd.to_datetime(roster["end"], utc=True).dt.tz_convert(tz),
    )
    local["shift_day"] = local.groupby("shift_id")["start"].transform("min").dt.date if len(local) else []
    if local.empty:
        first_hour, last_hour = 8, 20
    else:
        first_hour = int(local["start"].dt.hour.min())
        ends = (
            local["end"].dt.hour + (local["end"].dt.minute > 0) + 24 * (local["end"].dt.date > local["start"].dt.date)
        )
        last_hour = int(min(48, ends.max()))
    span = (last_hour - first_hour) * 60
    head = "".join(f"<th>{day:%a %d}</th>" for day in days)
    # One pass over the roster, grouped by agent and shift day (filtering the frame per agent
    # and day cost a third of the report's rendering time on a 23-agent week).
    blocks_of: dict[tuple[str, dt.date], list[str]] = {}
    paid_minutes: dict[str, float] = {}
    queue_index = {queue: i for i, queue in enumerate(queues)}
    midnights: dict[dt.date, pd.Timestamp] = {}
    columns = ["agent_id", "shift_day", "start", "end", "activity", "queue"]
    for agent_id, day, start, end, activity, queue in local.sort_values(["agent_id", "start"], kind="stable")[
        columns
    ].itertuples(index=False, name=None):
        minutes = (end - start).total_seconds() / 60
        if activity != "lunch":
            paid_minutes[agent_id] = paid_minutes.get(agent_id, 0.0) + minutes
        # A shift belongs to the day it starts; a block past midnight stays in that day's cell.
        if day not in midnights:
            midnights[day] = pd.Timestamp(dt.datetime.combine(day, dt.time()), tz=tz)
        begin = (start - midnights[day]).total_seconds() / 60 - first_hour * 60
        left, size = 100 * begin / span, 100 * minutes / span
        if activity == "work":
            css, what = f"tl-b tl-q{queue_index.get(queue, 0)}", queue or "work"
        else:
            css, what = f"tl-b tl-{activity}", activity
        blocks_of.setdefault((agent_id, day), []).append(
            f'<span class="{css}" style="left:{left:.3f}%;width:{size:.3f}%" '
            f'title="{escape(what)} {start:%H:%M}-{end:%H:%M}"></span>'
        )
    rows = []
    for agent_id, name in agents:
        cells = "".join(
            f'<td><div class="tl-day">{"".join(blocks_of.get((agent_id, day), []))}</div></td>' for day in days
        )
        hours = paid_minutes.get(agent_id, 0.0) / 60
        label = f"{agent_id} {name}".strip()
        rows.append(f'<tr id="tl-{escape(agent_id)}"><th class="agent" title="{escape(label)}">{escape(label)}</th>{cells}'
                    f'<td class="hours">{hours:.1f} h</td></tr>')  # fmt: skip
    legend = "".join(f'<span class="tl-q{i}"></span>{escape(q)}' for i, q in enumerate(queues))
    legend += '<span class="tl-break"></span>break<span class="tl-lunch"></span>lunch'
    return (
        f'<p class="tl-legend">{first_hour:02d}:00 to {last_hour % 24:02d}:00 each day. {legend}</p>'
        f'<div class="tl-wrap"><table class="timeline"><thead><tr><th class="agent">agent</th>{head}'
        f"<th>paid</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
