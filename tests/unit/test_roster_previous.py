"""Regenerating over a published roster: stability, frozen days, rest against the day before."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from scheduler.config import Config, ShiftTemplate
from scheduler.errors import InputError
from scheduler.rostering import ROSTER_COLUMNS, RosterResult, make_roster
from scheduler.rostering.checker import find_violations
from scheduler.rostering.previous import replanned_shifts
from scheduler.team import Contract, Team
from tests.unit.test_roster import ALL_DAY, MONDAY, agent, demand, hours, make_config, shift_ids, team, template

SHORT_HOUR = 100 * 100
OVER_HOUR = 100 * 2
CHANGED = 200 * 100  # stability_weight x 100


def configure(*shifts: ShiftTemplate, **roster: object) -> Config:
    config = make_config(*shifts, channels={"chat": ALL_DAY, "email": ALL_DAY})
    return dataclasses.replace(config, roster=dataclasses.replace(config.roster, **roster))  # type: ignore[arg-type]


def solve(
    config: Config,
    members: Team,
    needs: dict[str, dict[tuple[int, int], float]],
    days: int,
    previous: pd.DataFrame | None = None,
    freeze_until: dt.date | None = None,
) -> RosterResult:
    result = make_roster(
        config, members, demand(config, days, needs), MONDAY, days, previous=previous, freeze_until=freeze_until
    )
    assert find_violations(result.roster, members, config, MONDAY, days) == []
    return result


def published(*shifts: tuple[str, str, list[tuple[str, str, str, str]]]) -> pd.DataFrame:
    """A previous roster: ``(agent, "YYYY-MM-DDTHH:MM" shift start, [(activity, queue, start, end)])`` in UTC."""
    rows = []
    for agent_id, begin, blocks in shifts:
        shift_id = f"{agent_id}-{begin[:10]}-{begin[11:13]}{begin[14:16]}"
        for activity, queue, start, end in blocks:
            rows.append(
                {
                    "agent_id": agent_id,
                    "queue": queue,
                    "activity": activity,
                    "start": pd.Timestamp(f"{start}Z"),
                    "end": pd.Timestamp(f"{end}Z"),
                    "shift_id": shift_id,
                }
            )
    return pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))


def changed(result: RosterResult) -> list[tuple[str, float]]:
    return [(subject, cost) for rule, subject, cost in result.violations if rule == "changed shift"]


def test_unchanged_demand_gives_the_identical_roster() -> None:
    # Lunch, breaks, two queues and a last shift cut at the horizon end (22:00 + 8 h): all kept as they were.
    day = ShiftTemplate(
        name="day", hours=8, starts=(dt.time(8),), lunch_minutes=60, lunch_after_hours=(3.0, 5.0), breaks=2
    )
    late = ShiftTemplate(name="late", hours=8, starts=(dt.time(16),), breaks=1)
    config = configure(day, late, min_rest_hours=0)
    members = team(agent("a1", channels=("chat", "email")), agent("a2"))
    needs = {
        "chat": hours(0, 8, 16) | hours(1, 16, 24) | hours(1, 8, 16, 0.5),
        "email": hours(0, 10, 14) | hours(1, 9, 11),
    }
    first = solve(config, members, needs, 2)
    again = solve(config, members, needs, 2, previous=first.roster)
    pd.testing.assert_frame_equal(again.roster, first.roster)
    assert changed(again) == []
    assert again.objective == first.objective


def test_shift_cut_at_the_horizon_end_is_not_a_change() -> None:
    config = configure(template(8, 20))
    first = solve(config, team(agent()), {"chat": hours(0, 20, 24)}, 1)
    assert first.roster["end"].tolist() == [pd.Timestamp("2026-11-24T00:00Z")]  # cut at the end of the plan
    again = solve(config, team(agent()), {"chat": hours(0, 20, 24)}, 1, previous=first.roster)
    pd.testing.assert_frame_equal(again.roster, first.roster)
    assert changed(again) == []
    assert again.objective == first.objective == 0


def test_equal_choice_follows_the_previous_roster() -> None:
    config = configure(template(4, 8))
    members = team(agent("a1"), agent("a2"))
    needs = {"chat": hours(0, 8, 12)}
    first = solve(config, members, needs, 1)
    (worker,) = set(first.roster["agent_id"])
    other = "a2" if worker == "a1" else "a1"
    previous = published((other, "2026-11-23T08:00", [("work", "chat", "2026-11-23T08:00", "2026-11-23T12:00")]))
    result = solve(config, members, needs, 1, previous=previous)
    pd.testing.assert_frame_equal(result.roster, previous)
    assert result.objective == 0


def test_previous_shift_that_costs_little_to_keep_is_kept() -> None:
    # Half an agent 08-12; the published shift is 10-14. Keeping it: 2 x 50 short (x 100) + 2 x 50 and
    # 2 x 100 over (x 2) = 10 600; moving to 08-12: 4 x 50 over = 400, plus 20 000 for the change.
    previous = published(("a1", "2026-11-23T10:00", [("work", "chat", "2026-11-23T10:00", "2026-11-23T14:00")]))
    needs = {"chat": hours(0, 8, 12, 0.5)}
    stable = configure(template(4, 8, 10))
    result = solve(stable, team(agent()), needs, 1, previous=previous)
    assert shift_ids(result.roster) == ["a1-2026-11-23-1000"]
    assert result.objective == 10_600
    loose = configure(template(4, 8, 10), stability_weight=0)
    result = solve(loose, team(agent()), needs, 1, previous=previous)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0800"]
    assert result.objective == 400


@pytest.mark.parametrize("begin", ["09", "11"])
def test_published_roster_stands_when_the_new_one_is_no_better(begin: str) -> None:
    # 09:00-13:00 and 11:00-15:00 leave two hours of 09:00-15:00 short alike. Without a
    # stability cost the solver alone has no reason to pick either; whichever was published
    # stays, since the new roster is no better once written: nothing forces a change.
    blocks = [("work", "chat", f"2026-11-23T{begin}:00", f"2026-11-23T{int(begin) + 4}:00")]
    previous = published(("a1", f"2026-11-23T{begin}:00", blocks))
    config = configure(template(4, 9, 11), stability_weight=0)
    result = solve(config, team(agent()), {"chat": hours(0, 9, 15)}, 1, previous=previous)
    pd.testing.assert_frame_equal(result.roster, previous)
    assert result.objective == 2 * SHORT_HOUR


def test_published_roster_that_breaks_a_rule_now_is_replaced() -> None:
    # The agent has since taken the day off: the published shift cannot stand.
    previous = published(("a1", "2026-11-23T08:00", [("work", "chat", "2026-11-23T08:00", "2026-11-23T12:00")]))
    members = team(agent(time_off=(MONDAY,)), agent("a2"))
    result = solve(configure(template(4, 8)), members, {"chat": hours(0, 8, 12)}, 1, previous=previous)
    assert shift_ids(result.roster) == ["a2-2026-11-23-0800"]


def test_changing_a_published_shift_costs_stability_weight() -> None:
    previous = published(("a1", "2026-11-23T08:00", [("work", "chat", "2026-11-23T08:00", "2026-11-23T12:00")]))
    result = solve(configure(template(4, 8, 14)), team(agent()), {"chat": hours(0, 14, 18)}, 1, previous=previous)
    assert shift_ids(result.roster) == ["a1-2026-11-23-1400"]  # 4 h short would cost 40 000
    assert changed(result) == [("a1 2026-11-23", CHANGED)]
    assert result.objective == CHANGED


# ---------------------------------------------------------------- frozen days


def test_frozen_day_keeps_its_rows_and_the_rest_is_planned_again() -> None:
    config = configure(template(4, 8, 12))
    member = team(agent(channels=("chat", "email")))
    previous = published(
        ("a1", "2026-11-23T08:00", [("work", "chat", "2026-11-23T08:00", "2026-11-23T10:00"), ("work", "email", "2026-11-23T10:00", "2026-11-23T12:00")]),
        ("a1", "2026-11-24T08:00", [("work", "chat", "2026-11-24T08:00", "2026-11-24T12:00")]),
    )  # fmt: skip
    # New demand wants the afternoons on both days; Monday is published and stays.
    needs = {"email": hours(0, 12, 16) | hours(1, 12, 16)}
    result = solve(config, member, needs, 2, previous=previous, freeze_until=MONDAY)
    monday = result.roster[result.roster["shift_id"] == "a1-2026-11-23-0800"].reset_index(drop=True)
    pd.testing.assert_frame_equal(monday, previous.iloc[:2].reset_index(drop=True))
    tuesday = result.roster[result.roster["shift_id"] != "a1-2026-11-23-0800"]
    assert tuesday[["queue", "start", "end"]].values.tolist() == [
        ["email", pd.Timestamp("2026-11-24T12:00Z"), pd.Timestamp("2026-11-24T16:00Z")]
    ]
    # Monday 12-16 stays short (4 x 100 x 100) and Tuesday changed. The objective is the written
    # roster's, frozen rows included: their 4 h over demand (4 x 100 x 2) and their change of queue.
    assert result.objective == 4 * SHORT_HOUR + CHANGED + 4 * 200 + config.roster.switch_weight


def test_frozen_shift_counts_for_the_weekly_rules() -> None:
    config = configure(template(4, 8))
    one_shift = team(
        agent(contract=Contract(name="one", min_hours_per_week=0, max_hours_per_week=40, max_shifts_per_week=1))
    )
    previous = published(("a1", "2026-11-23T08:00", [("work", "chat", "2026-11-23T08:00", "2026-11-23T12:00")]))
    result = solve(config, one_shift, {"chat": hours(1, 8, 12)}, 2, previous=previous, freeze_until=MONDAY)
    assert shift_ids(result.roster) == ["a1-2026-11-23-0800"]  # the week's one shift is the published one
    assert result.objective == 4 * SHORT_HOUR + 4 * 200  # Tuesday short; the frozen Monday shift over demand


def test_frozen_late_shift_keeps_its_blocks_after_midnight_and_its_breaks_cover() -> None:
    late = ShiftTemplate(
        name="late", hours=8, starts=(dt.time(18),), lunch_minutes=60, lunch_after_hours=(4.0, 5.0), breaks=2
    )
    config = configure(late, min_rest_hours=0)
    needs = {"chat": hours(0, 18, 24) | hours(1, 0, 2) | hours(1, 18, 24)}
    first = solve(config, team(agent()), needs, 2)
    monday_shift = first.roster[first.roster["shift_id"] == "a1-2026-11-23-1800"].reset_index(drop=True)
    assert (monday_shift["start"] >= pd.Timestamp("2026-11-24T00:00Z")).sum() >= 1  # work and a break after midnight
    result = solve(config, team(agent()), needs, 2, previous=first.roster, freeze_until=MONDAY)
    kept = result.roster[result.roster["shift_id"] == "a1-2026-11-23-1800"].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, monday_shift)
    # Only the frozen lunch hour is short on the frozen shift: its breaks count as coverage.
    lunch = monday_shift.loc[monday_shift["activity"] == "lunch", "start"].iloc[0]
    frozen_short = [
        subject
        for rule, subject, _ in result.violations
        if rule == "understaffing" and subject < "chat 2026-11-24 02:00"
    ]
    assert frozen_short == [f"chat {lunch:%Y-%m-%d %H:%M}"]
    assert changed(result) == []


def test_freeze_needs_a_previous_roster() -> None:
    config = configure(template(4, 8))
    with pytest.raises(InputError) as error:
        make_roster(config, team(agent()), demand(config, 1, {}), MONDAY, 1, freeze_until=MONDAY)
    assert str(error.value) == "--freeze-until needs --previous: the roster whose days are kept"
    empty = pd.DataFrame(columns=list(ROSTER_COLUMNS))
    with pytest.raises(InputError) as error:
        make_roster(config, team(agent()), demand(config, 1, {}), MONDAY, 1, previous=empty, freeze_until=MONDAY)
    assert str(error.value) == "--freeze-until needs a previous roster with shifts; the previous roster is empty"


# ---------------------------------------------------------------- rest against the day before


@pytest.mark.parametrize(
    ("sunday_end", "first_start", "objective"),
    [
        ("22:00", "1000", 2 * SHORT_HOUR + 2 * OVER_HOUR),  # 08:00 would leave 10 h of rest
        ("21:00", "0800", 0),  # exactly 11 h
    ],
)
def test_rest_after_the_last_shift_before_the_plan(sunday_end: str, first_start: str, objective: int) -> None:
    begin = f"{int(sunday_end[:2]) - 8:02d}:00"
    previous = published(
        ("a1", f"2026-11-22T{begin}", [("work", "chat", f"2026-11-22T{begin}", f"2026-11-22T{sunday_end}")])
    )
    config = configure(template(8, 8, 10))
    result = solve(config, team(agent()), {"chat": hours(0, 8, 16)}, 1, previous=previous)
    assert shift_ids(result.roster) == [f"a1-2026-11-23-{first_start}"]
    assert result.objective == objective


# ---------------------------------------------------------------- consecutive days across the plan start


def worked_days(agent_id: str, *days: str) -> list[tuple[str, str, list[tuple[str, str, str, str]]]]:
    """Shifts 08:00-16:00 UTC on ``days`` (YYYY-MM-DD) for a previous roster."""
    return [(agent_id, f"{day}T08:00", [("work", "chat", f"{day}T08:00", f"{day}T16:00")]) for day in days]


def worked_on(result: RosterResult) -> list[int]:
    """Day offsets from MONDAY with a shift."""
    starts = result.roster.loc[result.roster["activity"] == "work", "start"].dt.date
    return sorted({(day - MONDAY).days for day in starts})


def test_run_worked_before_the_plan_counts_toward_max_consecutive_days() -> None:
    # Worked Thursday to Sunday; at most 5 in a row: of Monday and Tuesday only one may be worked.
    previous = published(*worked_days("a1", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22"))
    config = configure(template(8, 8), max_consecutive_days=5, min_consecutive_days_off=1)
    needs = {"chat": hours(0, 8, 16) | hours(1, 8, 16) | hours(2, 8, 16)}
    result = solve(config, team(agent()), needs, 3, previous=previous)
    assert worked_on(result) in ([0, 2], [1, 2])
    assert result.objective == SHORT_HOUR * 8
    assert find_violations(result.roster, team(agent()), config, MONDAY, 3, previous=previous) == []
    # Without the history the plan works all three days, which the validator flags given the history.
    unaware = solve(config, team(agent()), needs, 3)
    assert worked_on(unaware) == [0, 1, 2]
    assert find_violations(unaware.roster, team(agent()), config, MONDAY, 3, previous=previous) != []


def test_days_off_block_begun_before_the_plan_continues() -> None:
    # Worked Friday, off Saturday and Sunday; days off in blocks of 3: Monday must be off too.
    previous = published(*worked_days("a1", "2026-11-20"))
    config = configure(template(8, 8), min_consecutive_days_off=3)
    needs = {"chat": hours(0, 8, 16) | hours(1, 8, 16)}
    result = solve(config, team(agent()), needs, 2, previous=previous)
    assert worked_on(result) == [1]
    assert find_violations(result.roster, team(agent()), config, MONDAY, 2, previous=previous) == []


def test_day_off_after_a_run_before_the_plan_starts_a_block() -> None:
    # Worked Sunday; days off in blocks of 2: off Monday means off Tuesday as well.
    previous = published(*worked_days("a1", "2026-11-22"))
    config = configure(template(8, 8), min_consecutive_days_off=2)
    needs = {"chat": hours(1, 8, 16) | hours(2, 8, 16)}  # nothing to do on Monday
    # Without the history Monday would be off; with it, a day off Monday means Tuesday off too,
    # so working an idle Monday (8 h overstaffed) is the cheaper way to cover Tuesday.
    assert worked_on(solve(config, team(agent()), needs, 3)) == [1, 2]
    result = solve(config, team(agent()), needs, 3, previous=previous)
    assert worked_on(result) == [0, 1, 2]
    assert result.objective == 8 * OVER_HOUR


def test_a_kept_shift_with_other_blocks_counts_as_replanned_and_a_moved_one_does_not() -> None:
    morning = [
        ("work", "chat", "2026-11-23T08:00", "2026-11-23T10:00"),
        ("work", "email", "2026-11-23T10:00", "2026-11-23T12:00"),
    ]
    swapped = [
        ("work", "email", "2026-11-23T08:00", "2026-11-23T10:00"),
        ("work", "chat", "2026-11-23T10:00", "2026-11-23T12:00"),
    ]
    later = [("work", "chat", "2026-11-23T09:00", "2026-11-23T13:00")]
    before = published(("a1", "2026-11-23T08:00", morning), ("a2", "2026-11-23T08:00", morning))
    assert replanned_shifts(before, before) == 0
    after = published(("a1", "2026-11-23T08:00", swapped), ("a2", "2026-11-23T08:00", morning))
    assert replanned_shifts(before, after) == 1
    # a2's shift moved: the score's stability term prices that, not this count
    moved = published(("a1", "2026-11-23T08:00", swapped), ("a2", "2026-11-23T09:00", later))
    assert replanned_shifts(before, moved) == 1


def test_a_kept_shifts_published_blocks_stand_after_another_agents_day_off() -> None:
    # a2 has since taken Monday off, so the published roster cannot stand and a new one is written.
    # a1's shift stays at its times; its published chat-then-email plan costs one switch (3,000) more
    # than a single queue for a tenth of an agent on each, less than re-planning a kept shift
    # (a quarter of a changed shift: 5,000), so its blocks stand too (its calendar event is unchanged).
    split = [("work", "chat", "2026-11-23T08:00", "2026-11-23T10:00"), ("work", "email", "2026-11-23T10:00", "2026-11-23T12:00")]
    previous = published(("a1", "2026-11-23T08:00", split), ("a2", "2026-11-23T14:00", [("work", "chat", "2026-11-23T14:00", "2026-11-23T18:00")]))
    members = team(agent("a1", channels=("chat", "email")), agent("a2", time_off=(MONDAY,)))
    needs = {"chat": hours(0, 8, 12, 0.1), "email": hours(0, 8, 12, 0.1)}
    kept = solve(configure(template(4, 8, 14), switch_weight=3_000), members, needs, 1, previous=previous)
    pd.testing.assert_frame_equal(kept.roster, previous[previous["agent_id"] == "a1"].reset_index(drop=True))
    assert kept.objective == 4 * 10 * 100 + 4 * 90 * 2 + 3_000 + CHANGED  # short, over, the switch, a2
    # Where re-planning is free (stability_weight 0), the same shift is planned afresh: one queue.
    free = solve(configure(template(4, 8, 14), switch_weight=3_000, stability_weight=0), members, needs, 1, previous=previous)
    assert shift_ids(free.roster) == ["a1-2026-11-23-0800"]
    assert free.queue_switches == 0 and replanned_shifts(previous, free.roster) == 1
