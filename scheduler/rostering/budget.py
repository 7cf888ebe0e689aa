"""The roster stage's budget when the team does not set one: in proportion to the work.

A fixed default fits one size only. On the benchmark's 4-week instances (seed 2,
`/tmp/me/budget.py` over `make_roster`, objectives deterministic) 20 counted seconds left
500 agents at a 56% gap (the descent does not finish its first sweep) where 110 s give
1.1%, while a 10-agent week needs a few seconds. So, unset (or ``"auto"``), the budget
is 0.009 s per agent-day between 5 and 100 s: 25.2 s for 100 agents over 4 weeks, 100 s for
500, 6.3 s for 100 agents over one week. A team sets ``roster.time_limit_seconds`` (or
``--time-limit``) to trade time for quality itself.

Why below the wall-time targets (30 s at 100 agents, 120 s at 500): the budget is counted
work calibrated to CPU seconds, and the same counted work took 0.77-1.23 times its CPU on
the 2-core benchmark VM within one session, as the VM's speed drifted (a fixed pure-Python
loop took 2.4-3.95 s; docs/roster-history.md, "Honest budget (session 12)"). At 0.01 s per agent-day
(28 s) the roster process of 100 agents ran 33.9 s in a slow phase; at 25.2 s it ran 26.1 s
(seed 2) and 30.9 s (seed 7, the loop at 3.95 s). The margin costs search: seed 2 0.92% ->
0.97%, 500 agents' seed 2 0.51% -> 0.93% at 95 s (session 12).
"""

from __future__ import annotations

from scheduler.config import RosterSettings

AUTO_SECONDS_PER_AGENT_DAY = 0.009
AUTO_MIN_SECONDS = 5.0
AUTO_MAX_SECONDS = 100.0


def auto_time_limit(agents: int, days: int) -> float:
    """The budget, in counted seconds, for ``agents`` planned over ``days`` days."""
    return min(AUTO_MAX_SECONDS, max(AUTO_MIN_SECONDS, AUTO_SECONDS_PER_AGENT_DAY * agents * days))


def time_limit(settings: RosterSettings, agents: int, days: int) -> float:
    """The team's own ``time_limit_seconds``, or the automatic budget when it sets none."""
    if settings.time_limit_seconds is not None:
        return settings.time_limit_seconds
    return auto_time_limit(agents, days)


def describe_time_limit(settings: RosterSettings, agents: int, days: int) -> str:
    """The budget as the plan's progress line names it: '28 s' or '25.2 s, automatic for 100 agents x 28 days'."""
    seconds = time_limit(settings, agents, days)
    if settings.time_limit_seconds is not None:
        return f"{seconds:g} s"
    return f"{seconds:g} s, automatic for {agents} agents x {days} days"
