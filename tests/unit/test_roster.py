"""The CP-SAT roster: one tiny hand-built case per hard rule, exact penalties, infeasibility."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from forecasts.grid import interval_grid
from scheduler.config import Channel, Config, OpeningHours, RosterSettings, ShiftTemplate
from scheduler.coverage import scheduled_agents
from scheduler.errors import InfeasibleError, InputError
from scheduler.rostering import ROSTER_COLUMNS, make_roster
from scheduler.team import Agent, AvailabilityWindow, Contract, Team
from scheduler.rostering.checker import find_violations

MONDAY = dt.date(2026, 11, 23)
ANY_HOURS = Contract(name="flex", min_hours_per_week=0, max_hours_per_week=168, max_shifts_per_week=7)
ALL_DAY = OpeningHours(open=dt.time(0), close=dt.time(0))


def template(hours: float, *starts: int, name: str | None = None) -> ShiftTemplate:
    return ShiftTemplate(name=name or f"{hours:g}h", hours=hours, starts=tuple(dt.time(hour) for hour in starts))


def make_config(
    *shifts: ShiftTemplate,
    channels: dict[str, OpeningHours] | None = None,
    tz: str = "UTC",
    min_rest_hours: float = 11.0,
    max_consecutive_days: int = 5,
    **settings: object,
) -> Config:
    opening = channels or {"chat": ALL_DAY}
    settings.setdefault("switch_weight", 0)  # switches have tests of their own (test_roster_activities)
    return Config(
        team_name="T",
        timezone=tz,
        interval_minutes=60,
        shrinkage=0.0,
        max_occupancy=0.85,
        channels=tuple(
            Channel(name=name, model="erlang_c", aht_seconds=300.0, open=hours) for name, hours in sorted(opening.items())
        ),
        roster=RosterSettings(
            min_rest_hours=min_rest_hours,
            max_consecutive_days=max_consecutive_days,
            time_limit_seconds=5.0,
            understaffing_weight=100,
            overstaffing_weight=2,
            # The exact-penalty tests count understaffing and overstaffing only; the
            # other soft rules have tests of their own that switch them on.
            peak_weight=1,
            hours_weight=0,
            fairness_weight=0,
            shifts=shifts,
            **settings,  # type: ignore[arg-type]
        ),
    )


def agent(agent_id: str = "a1", contract: Contract = ANY_HOURS, channels: tuple[str, ...] = ("chat",), **kwargs: object) -> Agent:
    return Agent(id=agent_id, name=agent_id.upper(), email="", contract=contract, channels=channels, **kwargs)  # type: ignore[arg-type]


def team(*agents: Agent) -> Team:
    return Team(path=Path("team.toml"), contracts=(), agents=agents)


def demand(config: Config, days: int, needs: dict[str, dict[tuple[int, int], float]]) -> pd.DataFrame:
    """Requirements: ``{queue: {(day, local hour): agents}}``, zero elsewhere."""
    grid = interval_grid(MONDAY, days, config.timezone, config.interval_minutes)
    local = grid.tz_convert(config.timezone)
    frames = []
    for queue in config.queue_names:
        wanted = needs.get(queue, {})
        values = [wanted.get(((stamp.date() - MONDAY).days, stamp.hour), 0.0) for stamp in local]
        frames.append(pd.DataFrame({"ds": grid, "queue": queue, "agents_required": values}))
    return pd.concat(frames, ignore_index=True)


def hours(day: int, first: int, last: int, need: float = 1.0) -> dict[tuple[int, int], float]:
    """``need`` agents on ``day`` from ``first`` to ``last`` o'clock (exclusive)."""
    return {(day, hour): need for hour in range(first, last)}


def solve(config: Config, members: Team, requirements: pd.DataFrame, days: int):  # noqa: ANN201
    result = make_roster(config, members, requirements, MONDAY, days)
    assert find_violations(result.roster, members, config, MONDAY, days) == []
    return result


def shift_ids(roster: pd.DataFrame) -> list[str]:
    return sorted(set(roster["shift_id"]))


def test_exact_demand_is_met_at_zero_cost() -> None:
    config = make_config(template(4, 8, 10, 12))
    members = team(agent())
    result = solve(config, members, demand(config, 1, {"chat": hours(0, 10, 14)}), 1)
    assert result.status == "OPTIMAL"
    assert result.objective == 0
    assert (result.understaffed_intervals, result.understaffing_agent_hours) == (0, 0.0)
    assert list(result.roster.columns) == list(ROSTER_COLUMNS)
    assert result.roster.to_dict("records") == [
        {
            "agent_id": "a1",
            "queue": "chat",
            "activity": "work",
            "start": pd.Timestamp("2026-11-23T10:00Z"),
            "end": pd.Timestamp("2026-11-23T14:00Z"),
            "shift_id": "a1-2026-11-23-1000",
        }
    ]


def test_shortfall_is_counted_in_hundredths_of_an_agent() -> None:
    config = make_config(template(4, 8, 10, 12))
    members = team(agent())
    result = solve(config, members, demand(config, 1, {"chat": hours(0, 10, 14, need=2.0)}), 1)
    # One agent short in 4 intervals: 4 x 100 (hundredths) x 100 (weight).
    assert result.objective == 40_000
    assert (result.understaffed_intervals, result.understaffing_agent_hours) == (4, 4.0)
    assert shift_ids(result.roster) == ["a1-2026-11-23-1000"]


def test_overstaffing_costs_its_weight() -> None:
    config = make_config(template(4, 10))
    members = team(agent())
    result = solve(config, members, demand(config, 1, {"chat": hours(0, 10, 14, need=0.75)}), 1)
    # Working covers 100 of 75 hundredths: 4 x 25 x 2 = 200, cheaper than 4 x 75 x 100 short.
    assert result.objective == 200
    assert result.understaffed_intervals == 0


def test_one_shift_per_day() -> None:
    # A morning and an afternoon shift do not overlap, but only one may be worked a day.
    config = make_config(template(4, 8, 14))
    members = team(agent())
    result = solve(config, members, demand(config, 1, {"chat": hours(0, 8, 12) | hours(0, 14, 18)}), 1)
    assert len(shift_ids(result.roster)) == 1
    assert result.objective == 4 * 100 * 100


def test_one_shift_per_day_also_for_overlapping_templates() -> None:
    # Two agents in one skill group: an 8 h and a 4 h shift of a1 from 08:00 must not count twice.
    config = make_config(template(8, 8), template(4, 8, 12))
    members = team(agent("a1"), agent("a2", time_off=(MONDAY,)))
    result = solve(config, members, demand(config, 1, {"chat": hours(0, 8, 16, need=2.0)}), 1)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0800"]
    assert result.roster["end"].max() == pd.Timestamp("2026-11-23T16:00Z")
    assert result.objective == 8 * 100 * 100


def test_weekly_max_hours_are_not_pro_rated_to_the_horizon() -> None:
    # Two days of a week: the days outside the horizon are unknown, so the whole
    # weekly maximum applies; 12 h allows one of the two 8 h shifts, 16 h both.
    config = make_config(template(8, 8))
    needs = {"chat": hours(0, 8, 16) | hours(1, 8, 16)}
    capped = team(agent(contract=Contract(name="short", min_hours_per_week=0, max_hours_per_week=12, max_shifts_per_week=7)))
    result = solve(config, capped, demand(config, 2, needs), 2)
    assert len(shift_ids(result.roster)) == 1
    assert result.objective == 8 * 100 * 100
    roomy = team(agent(contract=Contract(name="long", min_hours_per_week=0, max_hours_per_week=16, max_shifts_per_week=7)))
    result = solve(config, roomy, demand(config, 2, needs), 2)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0800", "a1-2026-11-24-0800"]
    assert result.objective == 0


def test_weekly_min_hours_force_work_without_demand() -> None:
    config = make_config(template(8, 8))
    members = team(agent(contract=Contract(name="min", min_hours_per_week=28, max_hours_per_week=56, max_shifts_per_week=7)))
    result = solve(config, members, demand(config, 2, {}), 2)
    assert len(shift_ids(result.roster)) == 1  # 28 x 2/7 = 8 h, no more: overstaffing costs
    assert result.objective == 8 * 100 * 2


def test_max_shifts_per_week() -> None:
    config = make_config(template(4, 8))
    members = team(agent(contract=Contract(name="one", min_hours_per_week=0, max_hours_per_week=168, max_shifts_per_week=1)))
    needs = {"chat": hours(0, 8, 12) | hours(1, 8, 12) | hours(2, 8, 12)}
    result = solve(config, members, demand(config, 3, needs), 3)
    assert len(shift_ids(result.roster)) == 1
    assert result.objective == 2 * 4 * 100 * 100


def test_min_rest_forbids_late_then_early() -> None:
    config = make_config(template(8, 8, 14), min_rest_hours=11)
    members = team(agent())
    needs = {"chat": hours(0, 14, 22) | hours(1, 8, 16)}
    result = solve(config, members, demand(config, 2, needs), 2)
    # 22:00 to 08:00 is 10 h of rest: never late on Monday and early on Tuesday.
    assert shift_ids(result.roster) != ["a1-2026-11-23-1400", "a1-2026-11-24-0800"]
    # Best without it: two shifts of the same kind, 2 of 8 hours covered on one day (6 short, 6 over).
    assert result.objective == 6 * 100 * 100 + 6 * 100 * 2
    rested = make_config(template(8, 8, 14), min_rest_hours=0)
    result = solve(rested, members, demand(rested, 2, needs), 2)
    assert shift_ids(result.roster) == ["a1-2026-11-23-1400", "a1-2026-11-24-0800"]
    assert result.objective == 0


def test_min_rest_is_kept_when_it_just_fits() -> None:
    config = make_config(template(8, 8, 13), min_rest_hours=11)
    members = team(agent())
    needs = {"chat": hours(0, 13, 21) | hours(1, 8, 16)}
    result = solve(config, members, demand(config, 2, needs), 2)
    assert shift_ids(result.roster) == ["a1-2026-11-23-1300", "a1-2026-11-24-0800"]  # exactly 11 h
    assert result.objective == 0


def test_max_consecutive_days() -> None:
    config = make_config(template(8, 8), max_consecutive_days=2)
    members = team(agent())
    needs = {"chat": hours(0, 8, 16) | hours(1, 8, 16) | hours(2, 8, 16)}
    result = solve(config, members, demand(config, 3, needs), 3)
    assert len(shift_ids(result.roster)) == 2
    assert result.objective == 8 * 100 * 100


def test_availability_keeps_a_student_to_the_afternoon() -> None:
    config = make_config(template(4, 8, 10, 12, 13, 14, 15))
    student = agent(
        "s1", availability=(AvailabilityWindow(weekdays=(0,), start=dt.time(13), end=dt.time(18)),)
    )
    result = solve(config, team(student), demand(config, 2, {"chat": hours(0, 8, 18) | hours(1, 8, 18)}), 2)
    assert len(result.roster) == 1
    row = result.roster.iloc[0]
    assert row["start"] >= pd.Timestamp("2026-11-23T13:00Z")
    assert row["end"] <= pd.Timestamp("2026-11-23T18:00Z")
    assert result.objective == (6 + 10) * 100 * 100


def test_availability_in_the_local_timezone() -> None:
    config = make_config(template(4, 9, 13), tz="Europe/Moscow")
    student = agent("s1", availability=(AvailabilityWindow(weekdays=(0,), start=dt.time(13), end=dt.time(17)),))
    result = solve(config, team(student), demand(config, 1, {"chat": hours(0, 9, 17)}), 1)
    assert result.roster["shift_id"].tolist() == ["s1-2026-11-23-1300"]
    assert result.roster["start"].tolist() == [pd.Timestamp("2026-11-23T10:00Z")]  # 13:00 Moscow


def test_time_off() -> None:
    config = make_config(template(8, 8))
    members = team(agent(time_off=(dt.date(2026, 11, 24),)))
    result = solve(config, members, demand(config, 2, {"chat": hours(0, 8, 16) | hours(1, 8, 16)}), 2)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0800"]
    assert result.objective == 8 * 100 * 100


def test_infeasible_contract_names_the_agent_and_the_rule() -> None:
    # Only Monday 13-18 is available, one 4 h shift; the contract wants 28 x 2/7 = 8 h.
    config = make_config(template(4, 13, 14))
    student = agent(
        "s1",
        contract=Contract(name="student", min_hours_per_week=28, max_hours_per_week=40, max_shifts_per_week=5),
        availability=(AvailabilityWindow(weekdays=(0,), start=dt.time(13), end=dt.time(18)),),
    )
    with pytest.raises(InfeasibleError) as error:
        make_roster(config, team(agent("a1"), student), demand(config, 2, {}), MONDAY, 2)
    message = str(error.value)
    assert message == (
        "no roster satisfies the rules: agent s1: at least 8 h in week of 2026-11-23 (contract student: "
        "28 h/week pro-rated for leave and days outside the plan) cannot be met "
        "(2 possible shifts within availability, time off and opening hours, one a day)"
    )
    assert "agent a1" not in message


def test_multi_skilled_agent_serves_one_queue_at_a_time() -> None:
    config = make_config(template(4, 10), channels={"chat": ALL_DAY, "email": ALL_DAY})
    members = team(agent(channels=("chat", "email")))
    requirements = demand(config, 1, {"chat": hours(0, 10, 14), "email": hours(0, 10, 14)})
    result = solve(config, members, requirements, 1)
    assert result.objective == 4 * 100 * 100  # one queue is short in every interval
    assert result.understaffed_intervals == 4
    coverage = scheduled_agents(result.roster, requirements, 60)
    per_interval = coverage.groupby("ds")["agents_scheduled"].sum()
    assert per_interval[per_interval > 0].tolist() == [1.0] * 4
    assert coverage["shortfall"].sum() == 4.0


def test_queue_blocks_follow_the_opening_hours() -> None:
    # chat is open all day, email only 10-12: the agent moves to email and back.
    config = make_config(
        template(4, 9),
        channels={"chat": ALL_DAY, "email": OpeningHours(open=dt.time(10), close=dt.time(12))},
        max_switches_per_shift=2,
    )
    members = team(agent(channels=("chat", "email")))
    requirements = demand(config, 1, {"chat": hours(0, 9, 13, 0.5), "email": hours(0, 10, 12)})
    result = solve(config, members, requirements, 1)
    assert result.roster[["queue", "start", "end"]].values.tolist() == [
        ["chat", pd.Timestamp("2026-11-23T09:00Z"), pd.Timestamp("2026-11-23T10:00Z")],
        ["email", pd.Timestamp("2026-11-23T10:00Z"), pd.Timestamp("2026-11-23T12:00Z")],
        ["chat", pd.Timestamp("2026-11-23T12:00Z"), pd.Timestamp("2026-11-23T13:00Z")],
    ]
    assert result.queue_switches == 2


def test_no_work_while_all_of_the_agents_queues_are_closed() -> None:
    # email opens at 09:00; an 08:00-16:00 shift would start with an hour on no queue. A work
    # block must name an open queue of the agent's skills, so that shift is not worked.
    email_hours = OpeningHours(open=dt.time(9), close=dt.time(17))
    config = make_config(template(8, 8), channels={"email": email_hours})
    members = team(agent(channels=("email",)))
    result = solve(config, members, demand(config, 1, {"email": hours(0, 9, 16)}), 1)
    assert result.roster.empty
    assert result.objective == 7 * 100 * 100
    later = make_config(template(8, 8, 9), channels={"email": email_hours})
    result = solve(later, members, demand(later, 1, {"email": hours(0, 9, 16)}), 1)
    assert result.roster["shift_id"].tolist() == ["a1-2026-11-23-0900"]
    assert result.objective == 100 * 2  # 16:00 is open and worked without demand


def test_deterministic() -> None:
    config = make_config(template(4, 8, 10, 12, 14), template(8, 8, 10))
    members = team(agent("a1"), agent("a2"), agent("a3", channels=("chat",)))
    needs = {"chat": hours(0, 8, 18, 1.5) | hours(1, 9, 17, 2.0)}
    requirements = demand(config, 2, needs)
    first = solve(config, members, requirements, 2)
    second = solve(config, members, requirements, 2)
    pd.testing.assert_frame_equal(first.roster, second.roster)
    assert first.objective == second.objective


def test_requirements_must_cover_the_horizon() -> None:
    config = make_config(template(4, 8))
    requirements = demand(config, 1, {})
    with pytest.raises(InputError) as error:
        make_roster(config, team(agent()), requirements, MONDAY, 2)
    assert str(error.value) == (
        "requirements have no rows for 24 interval(s) of the roster horizon, first 2026-11-24T00:00:00+00:00"
    )
    unknown = requirements.assign(queue="phone")
    with pytest.raises(InputError, match=re.escape("requirements have queue(s) ['phone'] with no [channels.<name>]")):
        make_roster(config, team(agent()), unknown, MONDAY, 1)


def test_secondary_skill_use_costs_its_weight_per_interval() -> None:
    # The only agent reads email as a secondary skill: covering it beats leaving it short,
    # and each of the 4 intervals costs secondary_skill_weight.
    config = make_config(template(4, 10), channels={"chat": ALL_DAY, "email": ALL_DAY}, secondary_skill_weight=30)
    members = team(agent(channels=("chat", "email"), secondary_queues=("email",)))
    result = solve(config, members, demand(config, 1, {"email": hours(0, 10, 14)}), 1)
    assert result.objective == 4 * 30
    assert result.violations == (("secondary skill", "a1 email", 120.0),)


def test_the_solver_prefers_a_primary_speaker_over_a_secondary_one() -> None:
    # Either agent alone covers email exactly; only the secondary-skill cost tells them apart.
    config = make_config(
        template(4, 10), channels={"chat": ALL_DAY, "email": ALL_DAY, "social": ALL_DAY}, secondary_skill_weight=30
    )
    members = team(
        agent("a1", channels=("email", "social")),
        agent("a2", channels=("chat", "email"), secondary_queues=("email",)),
    )
    result = solve(config, members, demand(config, 1, {"email": hours(0, 10, 14)}), 1)
    assert result.objective == 0
    assert shift_ids(result.roster) == ["a1-2026-11-23-1000"]
