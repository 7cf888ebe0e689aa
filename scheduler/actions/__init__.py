"""Peak actions: what a lead can do, priced, when the roster cannot cover an event.

- :mod:`.gap` – the shortfall per queue and interval and what an extra hour closes
- :mod:`.agents` – who can still give hours, within every labour rule
- :mod:`.candidates` – extensions, split and extra shifts, pool and new agents; the greedy
- :mod:`.propose` – the stages in order of cost and the ``actions.csv`` rows
- :mod:`.table` – the table's columns, per-day figures, reading it back, its JSON form
"""

from scheduler.actions.propose import propose_actions
from scheduler.actions.table import (
    ACTION_COLUMNS,
    DAY_COLUMNS,
    KINDS,
    ActionsResult,
    actions_json,
    day_figures,
    event_days,
    read_actions,
    remaining_agents,
)

__all__ = [
    "ACTION_COLUMNS",
    "DAY_COLUMNS",
    "KINDS",
    "ActionsResult",
    "actions_json",
    "day_figures",
    "event_days",
    "propose_actions",
    "read_actions",
    "remaining_agents",
]
