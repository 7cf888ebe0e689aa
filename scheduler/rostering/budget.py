"""The roster stage's budget when the team does not set one: in proportion to the work.

A fixed default fits one size only. On the benchmark's 4-week instances (seed 2,
`/tmp/me/budget.py` over `make_roster`, objectives deterministic) 20 counted seconds left
500 agents at a 56% gap (the descent does not finish its first sweep) where 110 s give
1.1%, while a 10-agent week needs a few seconds. So, unset (or ``"auto"``), the budget
is 0.01 s per agent-day between 5 and 110 s: 28 s for 100 agents over 4 weeks, 110 s for
500 (the wall-time targets of 30 s and 120 s less the problem's building and the
written roster's checks), 7 s for 100 agents over one week. A team sets
``roster.time_limit_seconds`` (or ``--time-limit``) to trade time for quality itself.
"""

from __future__ import annotations

from scheduler.config import RosterSettings

AUTO_SECONDS_PER_AGENT_DAY = 0.01
AUTO_MIN_SECONDS = 5.0
AUTO_MAX_SECONDS = 110.0


def auto_time_limit(agents: int, days: int) -> float:
    """The budget, in counted seconds, for ``agents`` planned over ``days`` days."""
    return min(AUTO_MAX_SECONDS, max(AUTO_MIN_SECONDS, AUTO_SECONDS_PER_AGENT_DAY * agents * days))


def time_limit(settings: RosterSettings, agents: int, days: int) -> float:
    """The team's own ``time_limit_seconds``, or the automatic budget when it sets none."""
    if settings.time_limit_seconds is not None:
        return settings.time_limit_seconds
    return auto_time_limit(agents, days)


def describe_time_limit(settings: RosterSettings, agents: int, days: int) -> str:
    """The budget as the plan's progress line names it: '28 s' or '28 s, automatic for 100 agents x 28 days'."""
    seconds = time_limit(settings, agents, days)
    if settings.time_limit_seconds is not None:
        return f"{seconds:g} s"
    return f"{seconds:g} s, automatic for {agents} agents x {days} days"
