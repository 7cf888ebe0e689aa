"""Peak actions on hand-built rosters: each stage, its price, its rules and its order of cost.

The rosters are written by hand (no solver), so every figure below is worked
out in the comment next to it. Hourly intervals, UTC, one queue unless said.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from scheduler.actions import ACTION_COLUMNS, propose_actions, remaining_agents
from scheduler.config import Config, OpeningHours, PeakSettings, PoolEntry, load_config
from scheduler.coverage import scheduled_agents
from scheduler.errors import InputError
from scheduler.team import Contract
from tests.unit.test_config import MINIMAL, write
from tests.unit.test_roster import MONDAY, agent, demand, hours, make_config, team, template

FORTY = Contract(name="forty", min_hours_per_week=0, max_hours_per_week=8, max_shifts_per_week=5)
TEN = dataclasses.replace(FORTY, max_hours_per_week=10)


def shift(agent_id: str, day: int, first: int, last: int, queue: str = "chat") -> dict[str, object]:
    begin = pd.Timestamp(dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(first)), tz="UTC")
    return {
        "agent_id": agent_id,
        "queue": queue,
        "activity": "work",
        "start": begin,
        "end": begin + pd.Timedelta(hours=last - first),
        "shift_id": f"{agent_id}-{day}-{first}",
    }


def configure(peak: PeakSettings, **channels: OpeningHours) -> Config:
    config = make_config(template(8, 8, 10), template(4, 8, 12, 14), channels=channels or None)
    return dataclasses.replace(config, peak=peak)


def forecast(config: Config, days: int, events: dict[int, str] | None = None) -> pd.DataFrame:
    frame = demand(config, days, {})
    local = frame["ds"].dt.tz_convert(config.timezone).dt.date
    offsets = [(day - MONDAY).days for day in local]
    frame["events"] = [(events or {}).get(offset, "") for offset in offsets]
    return frame


def propose(config: Config, members, rows: list[dict[str, object]], needs, days: int = 2, events=None):  # noqa: ANN001, ANN201
    requirements = demand(config, days, needs)
    roster = pd.DataFrame(rows, columns=["agent_id", "queue", "activity", "start", "end", "shift_id"])
    coverage = scheduled_agents(roster, requirements, config.interval_minutes)
    return propose_actions(
        config, members, requirements, roster, coverage, forecast(config, days, events), MONDAY, days
    )


def records(result) -> list[tuple]:  # noqa: ANN001
    return [
        (row.date, row.queue, row.kind, row.agents, row.agent_hours, row.closes_hours, row.cost)
        for row in result.actions.itertuples(index=False)
    ]


def test_hours_left_in_the_contract_extend_the_shift_at_the_hourly_cost() -> None:
    # a1 works 08-16 (8 h of 10): chat needs one agent 08-18, so 16-18 is the gap.
    config = configure(PeakSettings(hourly_cost=10.0))
    result = propose(config, team(agent(contract=TEN)), [shift("a1", 0, 8, 16)], {"chat": hours(0, 8, 18)})
    assert list(result.actions.columns) == list(ACTION_COLUMNS)
    assert records(result) == [("2026-11-23", "chat", "add_hours", 1, 2.0, 2.0, 20.0)]
    assert result.actions.loc[0, "note"] == "a1 16:00-18:00"
    assert (result.short_hours, result.short_after_hours) == (2.0, 0.0)


def test_beyond_the_contract_maximum_only_overtime_at_its_premium() -> None:
    no_overtime = configure(PeakSettings(hourly_cost=10.0))
    members = team(agent(contract=FORTY))  # 8 h of 8
    result = propose(no_overtime, members, [shift("a1", 0, 8, 16)], {"chat": hours(0, 8, 18)})
    # Nothing the agent may give: the two hours are the remaining gap, and one 4 h shift (14-18) closes them.
    assert records(result) == [("2026-11-23", "chat", "remaining_gap", 1, 4.0, 2.0, 40.0)]
    assert remaining_agents(result.actions) == {"chat": 1}
    overtime = configure(PeakSettings(hourly_cost=10.0, overtime_premium=1.5, overtime_hours_per_week=1))
    result = propose(overtime, members, [shift("a1", 0, 8, 16)], {"chat": hours(0, 8, 18)})
    # One overtime hour (16-17) at 15; the last hour alone is left (a 4 h shift would mostly overstaff).
    assert records(result) == [
        ("2026-11-23", "chat", "overtime", 1, 1.0, 1.0, 15.0),
        ("2026-11-23", "chat", "uncovered", 0, 0.0, 0.0, 0.0),
    ]
    assert result.actions.loc[1, "note"] == "1.0 h short in 1 interval(s), at most 1.00 of an agent each"
    assert result.short_after_hours == 1.0


def test_rest_between_shifts_limits_an_extension() -> None:
    # a1 works Mon 08-16 and Tue 04-08 (4 h shift at 04: a template start is not needed for rostered shifts).
    # 11 h rest: Monday may end at 17:00 at the latest.
    config = configure(PeakSettings(hourly_cost=10.0))
    rows = [shift("a1", 0, 8, 16), shift("a1", 1, 4, 8)]
    members = team(agent(contract=dataclasses.replace(TEN, max_hours_per_week=20)))
    result = propose(config, members, rows, {"chat": hours(0, 8, 18) | hours(1, 4, 8)})
    extended = result.actions[result.actions["kind"] == "add_hours"]
    assert extended["note"].tolist() == ["a1 16:00-17:00"]


def test_an_extra_shift_on_a_day_off_respects_shifts_per_week() -> None:
    config = configure(PeakSettings(hourly_cost=10.0))
    roomy = dataclasses.replace(FORTY, max_hours_per_week=40)
    result = propose(
        config, team(agent(contract=roomy)), [shift("a1", 0, 8, 16)], {"chat": hours(0, 8, 16) | hours(1, 10, 18)}
    )
    assert records(result) == [("2026-11-24", "chat", "add_hours", 1, 8.0, 8.0, 80.0)]
    assert result.actions.loc[0, "note"] == "a1 10:00-18:00 (extra shift)"
    one_shift = dataclasses.replace(roomy, max_shifts_per_week=1)
    result = propose(
        config, team(agent(contract=one_shift)), [shift("a1", 0, 8, 16)], {"chat": hours(0, 8, 16) | hours(1, 10, 18)}
    )
    assert [row[2] for row in records(result)] == ["remaining_gap"]


def test_a_split_shift_covers_an_evening_peak_the_morning_shift_cannot_reach() -> None:
    # a1 works 08-12 (4 h of 10); chat needs one agent 08-12 and 17-20. Extending to 20:00 would add 8 h
    # (more than the 6 h left) for 3 h of need; a second part 17-20 closes it at the hourly cost.
    config = configure(PeakSettings(hourly_cost=10.0))
    result = propose(
        config, team(agent(contract=TEN)), [shift("a1", 0, 8, 12)], {"chat": hours(0, 8, 12) | hours(0, 17, 20)}
    )
    assert records(result) == [("2026-11-23", "chat", "add_hours", 1, 3.0, 3.0, 30.0)]
    assert result.actions.loc[0, "note"] == "a1 17:00-20:00 (split shift)"
    # max_shift_hours 6: both parts together may be paid 6 h at most, so only 2 of the 3 hours.
    short_days = configure(PeakSettings(hourly_cost=10.0, max_shift_hours=6))
    result = propose(
        short_days, team(agent(contract=TEN)), [shift("a1", 0, 8, 12)], {"chat": hours(0, 8, 12) | hours(0, 17, 20)}
    )
    assert records(result)[0][2:5] == ("add_hours", 1, 2.0)


def test_pool_agents_bring_their_skills_and_come_before_dearer_overtime() -> None:
    pool = (
        PoolEntry(name="Agency", agents=2, channels=("chat",), hours_per_week=8, cost_per_hour=12.0),
        PoolEntry(name="Email desk", agents=1, channels=("email",), hours_per_week=8, cost_per_hour=5.0),
    )
    peak = PeakSettings(hourly_cost=10.0, overtime_premium=1.5, overtime_hours_per_week=8, pool=pool)
    config = configure(peak, chat=OpeningHours(open=dt.time(0), close=dt.time(0)))
    # Nobody rostered; chat needs one agent 10-18 on Tuesday. The agent has no contract hours left
    # (only overtime, 15/h); the email desk cannot serve chat; the agency (12/h) comes first.
    no_hours = dataclasses.replace(FORTY, max_hours_per_week=0)
    result = propose(config, team(agent(contract=no_hours)), [], {"chat": hours(1, 10, 18)})
    assert records(result) == [("2026-11-24", "chat", "temp_agents", 1, 8.0, 8.0, 96.0)]
    assert result.actions.loc[0, "note"] == "Agency: Agency #1 10:00-18:00"


def test_half_an_agent_is_not_worth_calling_someone_in() -> None:
    config = configure(PeakSettings(hourly_cost=10.0))
    result = propose(
        config, team(agent(contract=TEN)), [shift("a1", 0, 8, 16)], {"chat": hours(0, 8, 16) | hours(0, 16, 18, 0.4)}
    )
    # Nothing to propose: the 0.8 h left are listed as uncovered, at no cost.
    assert records(result) == [("2026-11-23", "chat", "uncovered", 0, 0.0, 0.0, 0.0)]
    assert result.actions.loc[0, "note"] == "0.8 h short in 2 interval(s), at most 0.40 of an agent each"
    assert result.short_hours == pytest.approx(0.8)


def test_days_off_moved_to_ordinary_days_are_reported_free() -> None:
    config = configure(PeakSettings(hourly_cost=10.0))
    members = team(agent("a1"), agent("a2"))
    # Monday ordinary (one agent), Tuesday a sale (both work): +1 agent, +8 h, all of it covering demand.
    rows = [shift("a1", 0, 8, 16), shift("a1", 1, 8, 16), shift("a2", 1, 8, 16)]
    result = propose(config, members, rows, {"chat": hours(0, 8, 16) | hours(1, 8, 16, 2.0)}, events={1: "Sale"})
    assert records(result) == [("2026-11-24", "all", "move_days_off", 1, 8.0, 8.0, 0.0)]
    assert result.days["events"].tolist() == ["", "Sale"]
    assert result.days["short_share"].tolist() == [0.0, 0.0]


def test_peak_config_is_parsed_and_checked(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """
[peak]
currency = "EUR"
hourly_cost = 30
overtime_hours_per_week = 6

[[peak.pool]]
name = "Agency"
agents = 3
channels = ["chat"]
days = ["sat", "fri"]
cost_per_hour = 45
"""
    )
    peak = load_config(write(tmp_path, text)).peak
    assert (peak.currency, peak.hourly_cost, peak.overtime_premium, peak.overtime_hours_per_week) == (
        "EUR",
        30.0,
        1.5,
        6.0,
    )
    assert peak.pool == (
        PoolEntry(name="Agency", agents=3, channels=("chat",), hours_per_week=40.0, days=(4, 5), cost_per_hour=45.0),
    )
    with pytest.raises(InputError, match=r"peak.pool\[0\].channels \['phone'\] have no \[channels.<name>\]"):
        load_config(write(tmp_path, text.replace('channels = ["chat"]', 'channels = ["phone"]')))
    with pytest.raises(InputError, match=r"unknown key 'cost' in \[peak\]"):
        load_config(write(tmp_path, MINIMAL + "\n[peak]\ncost = 3\n"))


def test_a_pool_on_a_routed_channel_serves_the_queues_of_its_languages(tmp_path: Path) -> None:
    from tests.unit.test_routing_config import ROUTING, load

    pool = """
[[peak.pool]]
name = "Agency"
agents = 2
channels = ["chat", "social"]
languages = ["ru", "es", "pt"]

[[peak.pool]]
name = "English email"
agents = 1
channels = ["email/en"]
languages = ["en"]
"""
    first, second = load(tmp_path, ROUTING + pool).peak.pool
    # chat/en needs English, which the agency does not list; es+pt needs both, which it does
    assert first.channels == ("chat/ru", "chat/es+pt", "social")
    assert second.channels == ("email/en",)
