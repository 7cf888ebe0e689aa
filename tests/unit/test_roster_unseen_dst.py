"""A queue open around the clock with a minimum, on the night the clocks go back (helper "check", session 13).

Shifts last their hours in absolute time: in New York on 2026-11-01 (25 hours)
a 22:00 night shift of 8 hours ends at 05:00, so with the next start at 06:00
nobody can reach 05:00-06:00. That minimum is infeasible whatever else the
roster does; it is said at once, naming the DST day, instead of after the
search and the conflict explanation have spent more than the budget.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from forecasts.grid import interval_grid
from scheduler.errors import InfeasibleError, InputError
from scheduler.rostering import make_roster
from scheduler.rostering.problem import build_problem, uncovered_minimums
from tests.unit.test_roster import ALL_DAY, agent, make_config, team, template

SATURDAY = dt.date(2026, 10, 31)  # New York leaves daylight saving time at 02:00 on Sunday


def no_demand(config, days: int) -> pd.DataFrame:  # noqa: ANN001
    grid = interval_grid(SATURDAY, days, config.timezone, config.interval_minutes)
    return pd.DataFrame({"ds": grid, "queue": "chat", "agents_required": 0.0})


def test_a_minimum_no_shift_reaches_on_the_long_night_is_infeasible_at_once() -> None:
    config = make_config(template(8, 6, 14, 22), tz="America/New_York", min_agents=(("chat", 1),))
    members = team(*(agent(f"a{n}") for n in range(6)))
    problem = build_problem(config, members, no_demand(config, 2), SATURDAY, 2)
    assert uncovered_minimums(problem) == [
        "queue chat: at least 1 agent(s) whenever open cannot be met: no agent can work chat at 2026-11-01 05:00 "
        "(1 such intervals); 2026-11-01 has 25 hours (a DST change) and shifts last their hours in absolute time: "
        "add a shift start that reaches this hour"
    ]
    with pytest.raises(InfeasibleError, match="no agent can work chat at 2026-11-01 05:00"):
        make_roster(config, members, no_demand(config, 2), SATURDAY, 2)


def test_a_start_that_reaches_the_extra_hour_leaves_nothing_uncovered() -> None:
    config = make_config(template(8, 5, 6, 14, 22), tz="America/New_York", min_agents=(("chat", 1),))
    members = team(*(agent(f"a{n}") for n in range(6)))
    assert uncovered_minimums(build_problem(config, members, no_demand(config, 2), SATURDAY, 2)) == []


def test_an_agent_without_the_skill_does_not_reach_the_queue() -> None:
    config = make_config(template(8, 0, 8, 16), channels={"chat": ALL_DAY, "email": ALL_DAY}, min_agents=(("chat", 1),))
    members = team(agent("a1", channels=("email",)))
    grid = interval_grid(SATURDAY, 1, config.timezone, config.interval_minutes)
    needs = pd.concat(pd.DataFrame({"ds": grid, "queue": q, "agents_required": 0.0}) for q in ("chat", "email"))
    (message,) = uncovered_minimums(build_problem(config, members, needs, SATURDAY, 1))
    assert message.startswith("queue chat: at least 1 agent(s) whenever open cannot be met: no agent can work chat at")
    assert "DST" not in message


def test_requirements_written_once_for_the_repeated_hour_say_which_hour_comes_twice() -> None:
    config = make_config(template(8, 5, 6, 14, 22), tz="America/New_York")
    members = team(agent("a1"))
    needs = no_demand(config, 2)
    once = needs[needs["ds"] != pd.Timestamp("2026-11-01T06:00Z")]  # 01:00 EST, the second 01:00 of the night
    with pytest.raises(InputError, match=r"first 2026-11-01T01:00:00-05:00 \(the hour 01:00 comes twice on 2026-11-01"):
        build_problem(config, members, once, SATURDAY, 2)
    with pytest.raises(InputError, match=r"first 2026-10-31T12:00:00-04:00$"):  # an ordinary hour: no DST note
        build_problem(config, members, needs[needs["ds"] != pd.Timestamp("2026-10-31T16:00Z")], SATURDAY, 2)


def test_a_minimum_above_the_agents_who_can_reach_an_interval_is_infeasible_at_once() -> None:
    # Two chat agents for a minimum of two, one of them on leave on Sunday: only one can be there.
    config = make_config(template(8, 0, 8, 16), min_agents=(("chat", 2),))
    members = team(agent("a1"), agent("a2", time_off=(SATURDAY + dt.timedelta(days=1),)))
    (message,) = uncovered_minimums(build_problem(config, members, no_demand(config, 2), SATURDAY, 2))
    assert message == (
        "queue chat: at least 2 agent(s) whenever open cannot be met: only 1 agent(s) can work chat at "
        "2026-11-01 00:00 (24 such intervals)"  # all Sunday (UTC)
    )
