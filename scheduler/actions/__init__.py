"""Peak actions: what a lead can do, priced, when the roster cannot cover an event.

- :mod:`.gap` – the shortfall per queue and interval and what an extra hour closes
- :mod:`.agents` – who can still give hours, within every labour rule
- :mod:`.propose` – the stages in order of cost, ``actions.csv`` rows and per-day figures
"""

from scheduler.actions.propose import (
    ACTION_COLUMNS,
    DAY_COLUMNS,
    KINDS,
    ActionsResult,
    actions_json,
    day_figures,
    event_days,
    propose_actions,
    read_actions,
    remaining_agents,
)

__all__ = ["ACTION_COLUMNS", "DAY_COLUMNS", "KINDS", "ActionsResult", "actions_json", "day_figures", "event_days", "propose_actions", "read_actions", "remaining_agents"]
