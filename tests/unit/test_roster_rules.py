"""One tiny hand-built roster per labour rule and soft rule: feasible, infeasible, exact penalty.

Every case switches off the soft rules it does not test (``make_config`` keeps
only understaffing and overstaffing), so each objective below is worked out by
hand in the comment next to it. Every roster also passes the independent
checker in :mod:`scheduler.rostering.checker`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from scheduler.config import Config, OpeningHours, ShiftTemplate, load_config
from scheduler.coverage import scheduled_agents
from scheduler.errors import InfeasibleError, InputError
from scheduler.rostering import RosterResult, make_roster
from scheduler.rostering.model import RosterModel, build_full_model
from scheduler.rostering.problem import build_problem
from scheduler.team import Contract, Preference, Team
from scheduler.rostering.checker import find_violations
from tests.unit.test_config import MINIMAL, write
from tests.unit.test_roster import MONDAY, agent, demand, hours, make_config, shift_ids, team, template

SHORT_HOUR = 100 * 100  # one agent missing for one interval: 100 hundredths x understaffing weight 100
OVER_HOUR = 100 * 2  # one agent too many for one interval: 100 hundredths x overstaffing weight 2


def configure(*shifts: ShiftTemplate, channels: dict[str, OpeningHours] | None = None, **roster: object) -> Config:
    """``make_config`` with further ``[roster]`` settings replaced."""
    config = make_config(*shifts, channels=channels)
    return dataclasses.replace(config, roster=dataclasses.replace(config.roster, **roster))  # type: ignore[arg-type]


def solve(config: Config, members: Team, needs: dict[str, dict[tuple[int, int], float]], days: int) -> RosterResult:
    result = make_roster(config, members, demand(config, days, needs), MONDAY, days)
    assert find_violations(result.roster, members, config, MONDAY, days) == []
    return result


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


def contract(**rules: object) -> Contract:
    """A contract with no hour limits, but ``rules``."""
    unlimited = Contract(name="c", min_hours_per_week=0, max_hours_per_week=168, max_shifts_per_week=7)
    return dataclasses.replace(unlimited, **rules)  # type: ignore[arg-type]


def rule_costs(result: RosterResult, rule: str) -> list[tuple[str, float]]:
    return sorted((subject, cost) for name, subject, cost in result.violations if name == rule)


# ---------------------------------------------------------------- min consecutive days off


MON_AND_WED = {"chat": hours(0, 8, 16) | hours(2, 8, 16)}


def test_two_days_off_in_a_row_forbid_work_off_work() -> None:
    one = configure(template(8, 8))
    assert shift_ids(solve(one, team(agent()), MON_AND_WED, 3).roster) == ["a1-2026-11-23-0800", "a1-2026-11-25-0800"]
    two = configure(template(8, 8), min_consecutive_days_off=2)
    result = solve(two, team(agent()), MON_AND_WED, 3)
    # Tuesday alone would be a one-day break: working it without demand (8 h over) beats 8 h short.
    assert len(shift_ids(result.roster)) == 3
    assert result.objective == 8 * OVER_HOUR
    busy_tuesday = team(agent(time_off=(day(1),)))  # leave is a day off too
    result = solve(two, busy_tuesday, MON_AND_WED, 3)
    assert len(shift_ids(result.roster)) == 1
    assert result.objective == 8 * SHORT_HOUR


def test_min_days_off_of_the_contract_overrides_the_settings() -> None:
    strict = team(agent(contract=contract(min_consecutive_days_off=2)))
    result = solve(configure(template(8, 8)), strict, MON_AND_WED, 3)
    assert len(shift_ids(result.roster)) == 3
    assert result.objective == 8 * OVER_HOUR
    relaxed = team(agent(contract=contract(min_consecutive_days_off=1)))
    result = solve(configure(template(8, 8), min_consecutive_days_off=2), relaxed, MON_AND_WED, 3)
    assert result.objective == 0


def test_days_off_block_of_exactly_k_days_is_allowed() -> None:
    config = configure(template(8, 8), min_consecutive_days_off=2)
    result = solve(config, team(agent()), {"chat": hours(0, 8, 16) | hours(3, 8, 16)}, 4)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0800", "a1-2026-11-26-0800"]  # Tue + Wed off
    assert result.objective == 0


def test_min_days_off_conflict_names_the_agent_and_the_rule() -> None:
    # Leave on Tuesday; 56 h/week over the 2 present days of 7 is 16 h: Monday and Wednesday, one day off between.
    config = configure(template(8, 8), min_consecutive_days_off=2)
    member = agent(
        "s1",
        contract=Contract(name="full", min_hours_per_week=56, max_hours_per_week=56, max_shifts_per_week=7),
        time_off=(day(1),),
    )
    with pytest.raises(InfeasibleError) as error:
        make_roster(config, team(member), demand(config, 3, {}), MONDAY, 3)
    assert str(error.value) == (
        "no roster satisfies the rules: agent s1: at least 16 h in week of 2026-11-23 (contract full: 56 h/week "
        "pro-rated for leave and days outside the plan) conflicts with days off in blocks of at least 2 "
        "(2 possible shifts within availability, time off and opening hours, one a day)"
    )


# ---------------------------------------------------------------- weekends


# Monday 23 November to Saturday 5 December: two weekends in the plan (28/29 November, 5 December).
WEEKEND_DAYS = {"chat": hours(5, 8, 16) | hours(6, 8, 16) | hours(12, 8, 16)}


@pytest.mark.parametrize(
    ("per_4_weeks", "worked", "objective"),
    [
        (3, ["a1-2026-11-28-0800", "a1-2026-11-29-0800", "a1-2026-12-05-0800"], 0),  # ceil(3 x 2/4) = 2 weekends
        (2, ["a1-2026-11-28-0800", "a1-2026-11-29-0800"], 8 * SHORT_HOUR),  # ceil(2 x 2/4) = 1: the two-day one
        (0, [], 3 * 8 * SHORT_HOUR),
    ],
)
def test_weekends_per_4_weeks_are_pro_rated_to_the_weekends_planned(per_4_weeks: int, worked: list[str], objective: int) -> None:
    config = configure(template(8, 8), max_weekends_per_4_weeks=per_4_weeks)
    result = solve(config, team(agent()), WEEKEND_DAYS, 13)
    assert shift_ids(result.roster) == worked
    assert result.objective == objective


def test_weekend_limit_of_the_contract_overrides_the_settings() -> None:
    config = configure(template(8, 8), max_weekends_per_4_weeks=4)
    result = solve(config, team(agent(contract=contract(max_weekends_per_4_weeks=1))), WEEKEND_DAYS, 13)
    assert shift_ids(result.roster) == ["a1-2026-11-28-0800", "a1-2026-11-29-0800"]


def test_weekend_conflict_names_the_agent_and_the_rule() -> None:
    # Leave Monday to Thursday: 40 h x 3/7 = 17.1 h needs three 8 h shifts, Friday to Sunday.
    config = configure(template(8, 8))
    member = agent(
        "p1",
        contract=Contract(
            name="full", min_hours_per_week=40, max_hours_per_week=40, max_shifts_per_week=5, max_weekends_per_4_weeks=0
        ),
        time_off=tuple(day(offset) for offset in range(4)),
    )
    with pytest.raises(InfeasibleError) as error:
        make_roster(config, team(member), demand(config, 7, {}), MONDAY, 7)
    assert str(error.value) == (
        "no roster satisfies the rules: agent p1: at least 17 h 8 min in week of 2026-11-23 (contract full: "
        "40 h/week pro-rated for leave and days outside the plan) conflicts with at most 0 weekends worked in 1 "
        "(3 possible shifts within availability, time off and opening hours, one a day)"
    )


# ---------------------------------------------------------------- night work


NIGHT_EDGES = {"chat": hours(0, 4, 12) | hours(1, 16, 24)}  # Monday from 04:00, Tuesday until midnight


def test_no_night_work_excludes_shifts_touching_the_night_window() -> None:
    config = configure(template(8, 4, 6, 14, 16), min_rest_hours=0)
    result = solve(config, team(agent()), NIGHT_EDGES, 2)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0400", "a1-2026-11-24-1600"]
    assert result.objective == 0
    daytime = team(agent(contract=contract(night_work=False)))
    result = solve(config, daytime, NIGHT_EDGES, 2)
    # 04:00-12:00 touches 22:00-06:00 before 06:00, 16:00-24:00 after 22:00; 14:00-22:00 just ends at it.
    assert shift_ids(result.roster) == ["a1-2026-11-23-0600", "a1-2026-11-24-1400"]
    assert result.objective == 2 * (2 * SHORT_HOUR + 2 * OVER_HOUR)


def test_night_window_that_does_not_wrap_midnight() -> None:
    config = configure(template(8, 4, 6, 14, 16), min_rest_hours=0, night_start=dt.time(0), night_end=dt.time(5))
    daytime = team(agent(contract=contract(night_work=False)))
    result = solve(config, daytime, NIGHT_EDGES, 2)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0600", "a1-2026-11-24-1600"]  # ends at 00:00, outside
    assert result.objective == 2 * SHORT_HOUR + 2 * OVER_HOUR


# ---------------------------------------------------------------- late shifts and fairness


LATE_EVERY_DAY = {"chat": {key: 1.0 for d in range(4) for key in hours(d, 14, 22)}}


def test_late_shifts_are_split_evenly() -> None:
    config = configure(template(8, 14), fairness_weight=20)  # 14:00-22:00 ends after 20:00: late
    result = solve(config, team(agent("a1"), agent("a2")), LATE_EVERY_DAY, 4)
    assert result.roster.groupby("agent_id")["shift_id"].nunique().to_dict() == {"a1": 2, "a2": 2}
    assert result.objective == 0
    assert result.violations == ()


def test_forced_uneven_late_shifts_are_reported() -> None:
    # a2 is on leave Tuesday to Thursday: 3 late shifts against 1, a spread of 2.
    config = configure(template(8, 14), fairness_weight=20)
    members = team(agent("a1"), agent("a2", time_off=(day(1), day(2), day(3))))
    result = solve(config, members, LATE_EVERY_DAY, 4)
    assert result.roster.groupby("agent_id")["shift_id"].nunique().to_dict() == {"a1": 3, "a2": 1}
    assert result.violations == (("uneven late shifts", "contract flex", 2 * 100 * 20),)
    assert result.objective == 4000


# ---------------------------------------------------------------- preferences


MONDAY_MORNING = {"chat": hours(0, 10, 14)}


def test_undesired_shift_is_left_to_a_colleague() -> None:
    config = configure(template(4, 10))
    avoids_monday = Preference(kind="avoid", weight=5, weekdays=(0,))
    result = solve(config, team(agent("a1", preferences=(avoids_monday,)), agent("a2")), MONDAY_MORNING, 1)
    assert shift_ids(result.roster) == ["a2-2026-11-23-1000"]
    assert result.objective == 0
    forced = team(agent("a1", preferences=(avoids_monday,)), agent("a2", time_off=(MONDAY,)))
    result = solve(config, forced, MONDAY_MORNING, 1)
    assert shift_ids(result.roster) == ["a1-2026-11-23-1000"]
    assert result.violations == (("undesired shift", "a1 2026-11-23", 5 * 100),)
    assert result.objective == 500


def test_undesired_late_shifts_by_kind() -> None:
    config = configure(template(8, 8, 14))
    no_late = Preference(kind="avoid", weight=1, shifts=("late",))
    members = team(agent("a1", preferences=(no_late,)), agent("a2"))
    result = solve(config, members, {"chat": hours(0, 8, 22)}, 1)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0800", "a2-2026-11-23-1400"]


def test_missed_preferred_shift_costs_its_weight() -> None:
    config = configure(template(4, 8, name="early"), template(4, 14, name="afternoon"))
    member = team(agent(preferences=(Preference(kind="prefer", weight=3, weekdays=(0,), shifts=("early",)),)))
    result = solve(config, member, {"chat": hours(0, 8, 12)}, 1)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0800"]
    assert result.objective == 0
    result = solve(config, member, {"chat": hours(0, 14, 18)}, 1)
    assert shift_ids(result.roster) == ["a1-2026-11-23-1400"]  # cheaper than 4 h short
    assert result.violations == (("preferred shift missed", "a1 2026-11-23", 3 * 100),)


def test_preferred_day_on_leave_costs_nothing() -> None:
    config = configure(template(4, 8))
    member = team(agent(time_off=(day(1),), preferences=(Preference(kind="prefer", weight=3, weekdays=(0, 1)),)))
    result = solve(config, member, {"chat": hours(0, 8, 12)}, 2)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0800"]
    assert result.violations == ()


# ---------------------------------------------------------------- hours near the target


def test_hours_below_target_cost_hours_weight_per_minute() -> None:
    config = configure(template(4, 8), hours_weight=3, overstaffing_weight=1)
    # No demand, target 8 h: two 4 h shifts cost 8 x 100 overstaffing; one costs 400 + 240 min x 3.
    flexible = team(agent(contract=contract(max_hours_per_week=40, target_hours_per_week=8)))
    result = solve(config, flexible, {}, 7)
    assert len(shift_ids(result.roster)) == 2
    assert result.objective == 800
    capped = team(agent(contract=contract(max_hours_per_week=40, max_shifts_per_week=1, target_hours_per_week=8)))
    result = solve(config, capped, {}, 7)
    assert len(shift_ids(result.roster)) == 1
    assert rule_costs(result, "hours below target") == [("a1 week of 2026-11-23", 240 * 3)]
    assert result.objective == 400 + 720


# ---------------------------------------------------------------- understaffing shape


PEAK_CASE = {"chat": hours(0, 8, 10, 0.6) | hours(0, 12, 13, 1.0)}  # 1.0 >= 1.5 x median 0.6: a peak


@pytest.mark.parametrize(
    ("peak_weight", "worked", "objective"),
    [
        # 08-10: the peak hour short (100 x 100) and 2 x 40 hundredths over (x 2).
        (1, ["a1-2026-11-23-0800"], SHORT_HOUR + 160),
        # 12-13: 2 x 60 hundredths short (x 100), cheaper than the peak hour at twice the weight.
        (2, ["a1-2026-11-23-1200"], 2 * 60 * 100),
    ],
)
def test_understaffing_in_a_peak_costs_peak_weight_times_more(peak_weight: int, worked: list[str], objective: int) -> None:
    config = configure(template(2, 8), template(1, 12), peak_weight=peak_weight)
    result = solve(config, team(agent()), PEAK_CASE, 1)
    assert shift_ids(result.roster) == worked
    assert result.objective == objective


def test_a_peak_weight_below_one_keeps_agents_on_ordinary_intervals() -> None:
    # Ordinary 08-10 at 1.0 and a 12-13 peak at 3.0 (>= 1.5 x the median 1.0); one agent, one shift.
    # peak_weight 0.4: the peak's first missing agent costs 40 a hundredth, the further ones 80,
    # both less than the ordinary hours' 100, so the agent covers 08-10 and the peak stays short.
    case = {"chat": hours(0, 8, 10, 1.0) | hours(0, 12, 13, 3.0)}
    config = configure(template(2, 8), template(1, 12), peak_weight=0.4)
    result = solve(config, team(agent()), case, 1)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0800"]
    assert rule_costs(result, "understaffing") == [("chat 2026-11-23 12:00", 100 * 40 + 200 * 80)]
    # At the default weight 2 the same agent goes to the peak: 2 x 100 x 100 short at 08-10 is cheaper.
    config = configure(template(2, 8), template(1, 12), peak_weight=2)
    assert shift_ids(solve(config, team(agent()), case, 1).roster) == ["a1-2026-11-23-1200"]


def test_exact_peak_penalty_with_nobody_working() -> None:
    config = configure(template(2, 8), peak_weight=3)
    result = solve(config, team(agent(time_off=(MONDAY,))), PEAK_CASE, 1)
    assert rule_costs(result, "understaffing") == [
        ("chat 2026-11-23 08:00", 60 * 100),
        ("chat 2026-11-23 09:00", 60 * 100),
        ("chat 2026-11-23 12:00", 3 * SHORT_HOUR),
    ]


def test_second_missing_agent_costs_twice_the_first() -> None:
    config = configure(template(1, 10))
    nobody = team(agent(time_off=(MONDAY,)))
    result = solve(config, nobody, {"chat": hours(0, 10, 11, 2.0) | hours(0, 12, 13, 1.5)}, 1)
    assert rule_costs(result, "understaffing") == [
        ("chat 2026-11-23 10:00", SHORT_HOUR + 2 * SHORT_HOUR),
        ("chat 2026-11-23 12:00", SHORT_HOUR + 50 * 200),
    ]
    one = solve(config, team(agent()), {"chat": hours(0, 10, 11, 2.0)}, 1)
    assert one.objective == SHORT_HOUR  # one agent there: only the cheaper first shortfall is left


# ---------------------------------------------------------------- hard minimum per queue


EIGHT_TO_FOUR = {"chat": OpeningHours(open=dt.time(8), close=dt.time(16))}


def test_queue_minimum_is_met_without_demand() -> None:
    free = configure(template(8, 8), channels=EIGHT_TO_FOUR)
    empty = solve(free, team(agent()), {}, 1).roster
    assert empty.empty
    config = configure(template(8, 8), channels=EIGHT_TO_FOUR, min_agents=(("chat", 1),))
    assert len(find_violations(empty, team(agent()), config, MONDAY, 1)) == 8  # the validator sees the minimum
    result = solve(config, team(agent()), {}, 1)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0800"]
    assert result.objective == 8 * OVER_HOUR


def test_queue_minimum_nobody_can_serve_names_the_queue() -> None:
    config = configure(template(8, 8), channels=EIGHT_TO_FOUR, min_agents=(("chat", 1),))
    with pytest.raises(InfeasibleError) as error:
        make_roster(config, team(agent(time_off=(MONDAY,))), demand(config, 1, {}), MONDAY, 1)
    assert str(error.value) == (
        "no roster satisfies the rules: queue chat: at least 1 agent(s) whenever open cannot be met: "
        "no agent can work chat at 2026-11-23 08:00 (8 such intervals)"
    )


def test_queue_minimum_coverable_hour_by_hour_but_not_all_day_names_the_queue() -> None:
    # Open 08-20, one agent, 8 h shifts from 08:00 or 12:00: every hour can be covered, never all of them.
    config = configure(
        template(8, 8, 12),
        channels={"chat": OpeningHours(open=dt.time(8), close=dt.time(20))},
        min_agents=(("chat", 1),),
    )
    with pytest.raises(InfeasibleError) as error:
        make_roster(config, team(agent()), demand(config, 1, {}), MONDAY, 1)
    assert str(error.value) == (
        "no roster satisfies the rules: queue chat: at least 1 agent(s) whenever open cannot be met: "
        "the agents' shifts, availability and contracts leave open intervals uncovered"
    )


def test_around_the_clock_minimum_leaves_the_first_night_to_the_previous_plan() -> None:
    """Open 24/7, one agent always, shifts 06-14, 14-22 and 22-06: the plan's first hours (00-06) are
    the tail of the previous plan's Sunday night shift, which no shift of this plan reaches."""
    config = configure(template(8, 6, 14, 22), min_agents=(("chat", 1),))
    members = team(*(agent(f"a{n}") for n in range(1, 5)))
    result = solve(config, members, {"chat": hours(0, 0, 24) | hours(1, 0, 24)}, 2)
    # Every interval from 06:00 on is held; 00-06 on the first day neither costs nor counts.
    starts = sorted(stamp.hour for stamp in pd.to_datetime(result.roster.drop_duplicates("shift_id")["start"]))
    assert starts == [6, 6, 14, 14, 22, 22]
    assert result.objective == 0
    empty = result.roster.iloc[0:0]
    missing = find_violations(empty, members, config, MONDAY, 2)
    assert len(missing) == 42  # 48 hours less the carried-in six, each "chat: 0 agent(s) at ..."
    assert missing[0] == "queue chat: 0 agent(s) at 2026-11-23 06:00:00+00:00, minimum 1"


def test_overnight_opening_hours_are_rostered_past_midnight() -> None:
    """Chat 08:00-02:00 with 9-hour shifts from 08:00 and 17:00: the small hours are open and served."""
    late_night = {"chat": OpeningHours(open=dt.time(8), close=dt.time(2))}
    config = configure(template(9, 8, 17), channels=late_night, min_agents=(("chat", 1),))
    members = team(agent("a1"), agent("a2"))
    result = solve(config, members, {}, 1)
    assert sorted(shift_id[-4:] for shift_id in shift_ids(result.roster)) == ["0800", "1700"]
    # The last shift ends with the horizon at midnight; the hours after it are the next plan's first.
    assert pd.to_datetime(result.roster["end"]).max() == pd.Timestamp("2026-11-24T00:00Z")


# ---------------------------------------------------------------- lunch and breaks


def day_shift(hours_: float = 8, *, lunch_minutes: int = 60, breaks: int = 0) -> ShiftTemplate:
    return ShiftTemplate(
        name="day", hours=hours_, starts=(dt.time(8),), lunch_minutes=lunch_minutes, lunch_after_hours=(3.0, 5.0), breaks=breaks
    )


def rows(result: RosterResult) -> list[tuple[str, str, str, str]]:
    return [
        (row.agent_id, row.activity, f"{row.start:%H:%M}", f"{row.end:%H:%M}")
        for row in result.roster.itertuples(index=False)
    ]


def test_lunch_goes_where_demand_allows_inside_its_window() -> None:
    config = configure(day_shift())
    result = solve(config, team(agent()), {"chat": hours(0, 8, 12) | hours(0, 13, 16)}, 1)
    assert rows(result) == [("a1", "work", "08:00", "12:00"), ("a1", "lunch", "12:00", "13:00"), ("a1", "work", "13:00", "16:00")]
    assert result.understaffed_intervals == 0


def test_lunches_of_equal_shifts_are_staggered() -> None:
    config = configure(day_shift())
    result = solve(config, team(agent("a1"), agent("a2")), {"chat": hours(0, 8, 16, 2.0)}, 1)
    lunches = result.roster[result.roster["activity"] == "lunch"]
    assert lunches["agent_id"].tolist() == ["a1", "a2"]
    assert lunches["start"].nunique() == 2
    # Staggered: one agent short in two hours (2 x 100 x 100), not both agents in one (100 x 100 + 100 x 200).
    assert (result.understaffed_intervals, result.understaffing_agent_hours) == (2, 2.0)


def test_contract_hours_count_paid_time_without_lunch() -> None:
    # 9 h shifts with an unpaid hour are 8 paid hours: two fit 16 h a week, although they span 18 h.
    config = configure(day_shift(9))
    needs = {"chat": hours(0, 8, 17) | hours(1, 8, 17)}
    sixteen = team(agent(contract=Contract(name="c", min_hours_per_week=0, max_hours_per_week=16, max_shifts_per_week=7)))
    result = solve(config, sixteen, needs, 2)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0800", "a1-2026-11-24-0800"]
    fifteen = team(agent(contract=Contract(name="c", min_hours_per_week=0, max_hours_per_week=15, max_shifts_per_week=7)))
    assert len(shift_ids(solve(config, fifteen, needs, 2).roster)) == 1


def test_two_breaks_sit_in_the_work_before_and_after_lunch() -> None:
    config = configure(day_shift(breaks=2))
    requirements = demand(config, 1, {"chat": hours(0, 8, 11) | hours(0, 12, 16)})
    result = make_roster(config, team(agent()), requirements, MONDAY, 1)
    assert find_violations(result.roster, team(agent()), config, MONDAY, 1) == []
    assert rows(result) == [
        ("a1", "work", "08:00", "09:30"),
        ("a1", "break", "09:30", "09:45"),
        ("a1", "work", "09:45", "11:00"),
        ("a1", "lunch", "11:00", "12:00"),
        ("a1", "work", "12:00", "14:00"),
        ("a1", "break", "14:00", "14:15"),
        ("a1", "work", "14:15", "16:00"),
    ]
    # Short breaks are shrinkage: the agent still counts; at lunch they do not.
    coverage = scheduled_agents(result.roster, requirements, 60).set_index("ds")["agents_scheduled"]
    assert coverage[pd.Timestamp("2026-11-23T09:00Z")] == 1.0
    assert coverage[pd.Timestamp("2026-11-23T11:00Z")] == 0.0
    assert coverage[pd.Timestamp("2026-11-23T14:00Z")] == 1.0
    assert result.understaffed_intervals == 0


def test_lunch_is_never_the_first_or_last_hour_of_a_shift() -> None:
    # The window allows 0-3 h after 08:00; demand ends at 11:00, so a lunch 11-12 would cost nothing,
    # but a lunch at either edge only shortens the shift and leaves no room for a break.
    edge = ShiftTemplate(name="short", hours=4, starts=(dt.time(8),), lunch_minutes=60, lunch_after_hours=(0.0, 3.0), breaks=2)
    config = configure(edge)
    result = solve(config, team(agent()), {"chat": hours(0, 8, 11)}, 1)
    activities = result.roster["activity"].tolist()
    assert (activities[0], activities[-1], activities.count("lunch"), activities.count("break")) == ("work", "work", 1, 2)


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ("[0, 2]", "the lunch window must start after the shift starts (lunch_after_hours > 0)"),
        ("[3, 7]", "the lunch window must end before the shift ends"),
    ],
)
def test_lunch_window_at_the_edge_of_the_shift_is_refused(tmp_path: Path, window: str, message: str) -> None:
    text = MINIMAL.replace('starts = ["08:00", "12:00"]', f'starts = ["08:00"]\nlunch_minutes = 60\nlunch_after_hours = {window}')
    path = write(tmp_path, text)
    with pytest.raises(InputError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: roster.shifts[0]: {message}"
    assert load_config(write(tmp_path, text.replace(window, "[1, 6]"))).roster.shifts[0].lunch_after_hours == (1.0, 6.0)


# ---------------------------------------------------------------- leave and minimum hours


@pytest.mark.parametrize(("leave_days", "shifts"), [(2, 5), (3, 4)])
def test_minimum_hours_are_pro_rated_for_leave(leave_days: int, shifts: int) -> None:
    # 35 h a week less 1/7 per day of leave: 25 h (five 5 h shifts) or 20 h (four).
    config = configure(template(5, 8))
    member = agent(
        contract=Contract(name="c", min_hours_per_week=35, max_hours_per_week=40, max_shifts_per_week=5),
        time_off=tuple(day(offset) for offset in range(leave_days)),
    )
    result = solve(config, team(member), {}, 7)
    assert len(shift_ids(result.roster)) == shifts
    assert result.objective == shifts * 5 * OVER_HOUR


# ---------------------------------------------------------------- the validator itself


def test_validator_finds_broken_lunches_breaks_and_rules() -> None:
    config = configure(day_shift(breaks=2), min_consecutive_days_off=2, max_weekends_per_4_weeks=0)
    members = team(agent(contract=contract(night_work=False)))
    stamp = pd.Timestamp

    def shift(date: str, *blocks: tuple[str, str, str, str]) -> list[dict[str, object]]:
        return [
            {
                "agent_id": "a1",
                "queue": queue,
                "activity": activity,
                "start": stamp(f"{date}T{begin}Z"),
                "end": stamp(f"{date}T{end}Z"),
                "shift_id": f"a1-{date}-0800",
            }
            for activity, queue, begin, end in blocks
        ]

    good = [
        ("work", "chat", "08:00", "09:30"),
        ("break", "", "09:30", "09:45"),
        ("work", "chat", "09:45", "12:00"),
        ("lunch", "", "12:00", "13:00"),
        ("work", "chat", "13:00", "14:00"),
        ("break", "", "14:00", "14:15"),
        ("work", "chat", "14:15", "16:00"),
    ]
    early_lunch = [("work", "chat", "08:00", "10:00"), ("lunch", "", "10:00", "11:00"), ("work", "chat", "11:00", "16:00")]
    long_break = [("work", "chat", "08:00", "09:30"), ("break", "", "09:30", "10:00"), ("work", "chat", "10:00", "12:00"),
                  ("lunch", "", "12:00", "13:00"), ("work", "chat", "13:00", "14:00"), ("break", "", "14:00", "14:15"),
                  ("work", "chat", "14:15", "16:00")]  # fmt: skip
    roster = pd.DataFrame(
        shift("2026-11-23", *good) + shift("2026-11-25", *early_lunch) + shift("2026-11-28", *long_break),
        columns=["agent_id", "queue", "activity", "start", "end", "shift_id"],
    )
    assert find_violations(roster, members, config, MONDAY, 7) == [
        "shift a1-2026-11-25-0800: lunch 2 h after the start, outside 3-5 h",
        "shift a1-2026-11-25-0800: 0 breaks, template 'day' has 2",
        "shift a1-2026-11-28-0800: break at 2026-11-28 09:30:00+00:00 lasts 0 days 00:30:00, not 0 days 00:15:00",
        "agent a1: only 1 day(s) off between 2026-11-23 and 2026-11-25, contract wants blocks of 2",
        "agent a1: works 1 of 1 weekends, at most 0",
    ]
    # Counted by span instead of paid time, the three 8 h shifts with lunch would exceed 21 h.
    tight = team(agent(contract=Contract(name="c", min_hours_per_week=0, max_hours_per_week=21, max_shifts_per_week=7)))
    assert [v for v in find_violations(roster, tight, config, MONDAY, 7) if "paid min" in v] == []
    night = dataclasses.replace(config, roster=dataclasses.replace(config.roster, night_start=dt.time(15), night_end=dt.time(6)))
    assert "shift a1-2026-11-23-0800: touches the night window but a1 does no night work" in find_violations(
        roster, members, night, MONDAY, 7
    )


def test_no_roster_within_the_budget_is_not_called_infeasible(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every solve "runs out of budget": feasible rules must give NoSolutionError (exit 7), not InfeasibleError.
    from ortools.sat.python import cp_model

    from scheduler.errors import NoSolutionError
    from scheduler.rostering import solve as solve_module

    real_solve = cp_model.CpSolver.solve

    def budget_exhausted(self: cp_model.CpSolver, model: cp_model.CpModel, *args: object) -> int:
        if model.has_objective():
            return cp_model.UNKNOWN
        return real_solve(self, model)  # the per-agent conflict checks still run for real

    monkeypatch.setattr(cp_model.CpSolver, "solve", budget_exhausted)
    monkeypatch.setattr(solve_module, "optimise_from_feasible", lambda *args, **kwargs: None)
    config = make_config(template(8, 8))
    with pytest.raises(NoSolutionError, match="no rule conflict was proven; raise roster.time_limit_seconds"):
        make_roster(config, team(agent()), demand(config, 1, {"chat": hours(0, 8, 16)}), MONDAY, 1)


def test_a_zero_team_weight_leaves_its_soft_rule_out_of_the_model() -> None:
    # The forced-uneven case above: with fairness_weight 0 its rule adds no term and no variable.
    members = team(agent("a1"), agent("a2", time_off=(day(1), day(2), day(3))))

    def model(fairness_weight: int) -> RosterModel:
        config = configure(template(8, 14), fairness_weight=fairness_weight)
        return build_full_model(build_problem(config, members, demand(config, 4, LATE_EVERY_DAY), MONDAY, 4))

    weighted, off = model(20), model(0)
    assert "uneven late shifts" in {term.rule for term in weighted.soft}
    assert not any(term.rule.startswith("uneven") for term in off.soft)
    assert len(off.model.proto.variables) < len(weighted.model.proto.variables)
