"""The report's peak pieces on hand-built tables: timeline blocks, heat-map grid, per-day service, forecast vs actual."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from scheduler.report.coverage_map import coverage_grid
from scheduler.report.daily import forecast_vs_actual, service_by_day, wape
from scheduler.report.sections import actions_section, glance_section
from scheduler.report.timeline import timeline_html

TZ = "Europe/Moscow"
MONDAY = dt.date(2026, 11, 23)


def stamp(day: int, hour: float) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time()), tz=TZ) + pd.Timedelta(
        hours=hour
    )


def block(agent: str, activity: str, queue: str, day: int, start: float, end: float) -> dict[str, object]:
    return {"agent_id": agent, "queue": queue, "activity": activity, "start": stamp(day, start).tz_convert("UTC"),
            "end": stamp(day, end).tz_convert("UTC"), "shift_id": f"{agent}-{day}"}  # fmt: skip


def test_timeline_places_blocks_by_time_and_gives_every_agent_a_row() -> None:
    roster = pd.DataFrame(
        [
            block("a1", "work", "chat", 0, 8, 12),
            block("a1", "lunch", "", 0, 12, 13),
            block("a1", "work", "email", 0, 13, 16),
        ]
        + [block("a2", "work", "chat", 1, 14, 20)]
    )
    html = timeline_html(roster, [MONDAY, MONDAY + dt.timedelta(days=1)], [("a1", "Ann"), ("a2", "Bo"), ("a3", "Cy")],
                         ["chat", "email"], TZ)  # fmt: skip
    assert re.findall(r'<tr id="tl-(\w+)">', html) == ["a1", "a2", "a3"]
    # The drawn window is 08:00-20:00 (12 h): chat 08-12 starts at 0% and is a third wide.
    assert '<span class="tl-b tl-q0" style="left:0.000%;width:33.333%" title="chat 08:00-12:00">' in html
    assert 'class="tl-b tl-lunch" style="left:33.333%;width:8.333%" title="lunch 12:00-13:00"' in html
    assert 'class="tl-b tl-q1" style="left:41.667%;width:25.000%" title="email 13:00-16:00"' in html
    assert "7.0 h" in html and "6.0 h" in html and "0.0 h" in html  # paid hours, lunch not counted
    assert html.count('<span class="tl-b ') == 4


def test_coverage_grid_is_scheduled_over_required_with_gaps_where_nothing_is_needed() -> None:
    ds = pd.DatetimeIndex([stamp(0, 9), stamp(0, 9.5), stamp(1, 9)]).tz_convert("UTC")
    coverage = pd.DataFrame(
        {"ds": ds, "queue": "chat", "agents_required": [2.0, 0.0, 4.0], "agents_scheduled": [1.0, 1.0, 6.0]}
    )
    days, labels, values = coverage_grid(coverage, "chat", TZ, 30)
    assert days == [MONDAY, MONDAY + dt.timedelta(days=1)]
    assert labels[18] == "09:00" and len(labels) == 48
    assert values[0, 18] == 0.5 and np.isnan(values[0, 19]) and values[1, 18] == 1.5
    assert np.isnan(values[:, :18]).all()


def test_coverage_grid_averages_an_interval_dst_repeats_and_leaves_out_days_nothing_is_required() -> None:
    # Berlin, 25 October 2026: 02:00-03:00 happens twice (CEST, then CET); 26 October requires nothing.
    ds = pd.DatetimeIndex(
        ["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z", "2026-10-26T08:00:00Z"]
    )
    coverage = pd.DataFrame(
        {"ds": ds, "queue": "chat", "agents_required": [2.0, 4.0, 2.0, 0.0], "agents_scheduled": [2.0, 1.0, 2.0, 3.0]}
    )
    days, _labels, values = coverage_grid(coverage, "chat", "Europe/Berlin", 60)
    assert days == [dt.date(2026, 10, 25)] and values.shape == (1, 24)
    assert values[0, 2] == 0.625  # 02:00 local twice: 2/2 (CEST) and 1/4 (CET), their mean
    assert values[0, 3] == 1.0 and np.isnan(values[0, :2]).all() and np.isnan(values[0, 4:]).all()


def test_service_per_day_is_weighted_by_offered_contacts() -> None:
    evaluation = pd.DataFrame(
        {
            "ds": pd.DatetimeIndex([stamp(0, 9), stamp(0, 10), stamp(1, 9)]).tz_convert("UTC"),
            "queue": "chat",
            "offered": [30.0, 10.0, 0.0],
            "service_level": [0.9, 0.5, 1.0],
            "asa_seconds": [10.0, 50.0, 0.0],
            "backlog": [2.0, 5.0, 1.0],
        }
    )
    table = service_by_day(evaluation, TZ)
    assert table["date"].tolist() == ["2026-11-23", "2026-11-24"]
    assert table.loc[0, "service_level"] == pytest.approx(0.8)  # (30 x 0.9 + 10 x 0.5) / 40
    assert table.loc[0, "asa_seconds"] == pytest.approx(20.0)
    assert (table.loc[0, "max_backlog"], table.loc[0, "backlog_at_end"]) == (5.0, 5.0)
    assert table.loc[1, "service_level"] == 1.0  # nothing offered: nothing missed


def test_forecast_vs_actual_only_for_days_the_history_covers() -> None:
    forecast = pd.DataFrame(
        {"ds": pd.DatetimeIndex([stamp(0, 9), stamp(0, 10), stamp(1, 9)]).tz_convert("UTC"), "queue": "chat",
         "yhat": [10.0, 10.0, 7.0]}
    )  # fmt: skip
    history = pd.DataFrame(
        {"ds": pd.DatetimeIndex([stamp(0, 9), stamp(0, 10)]).tz_convert("UTC"), "queue": "chat", "y": [12.0, 13.0]}
    )
    table = forecast_vs_actual(forecast, history, TZ)
    assert table.to_dict("records") == [
        {"date": "2026-11-23", "queue": "chat", "forecast": 20.0, "actual": 25.0, "error": 5.0}
    ]
    assert wape(table) == pytest.approx(0.2)
    assert forecast_vs_actual(forecast, history.iloc[0:0], TZ).empty
    assert forecast_vs_actual(forecast, None, TZ).empty


def test_glance_flags_days_short_by_more_than_three_percent_and_actions_are_escaped() -> None:
    days = pd.DataFrame(
        {"date": ["2026-11-23", "2026-11-27"], "events": ["", "Black <Friday>"], "required_hours": [50.0, 100.0],
         "scheduled_hours": [60.0, 90.0], "short_hours": [1.0, 10.0], "short_share": [0.02, 0.10]}
    )  # fmt: skip
    html = glance_section(days)
    assert "<td>2.0%</td>" in html and '<td class="short">10.0%</td>' in html
    assert "Black &lt;Friday&gt;" in html
    actions = pd.DataFrame(
        [{"date": "2026-11-27", "queue": "chat", "kind": "overtime", "agents": 1, "agent_hours": 2.0,
          "closes_hours": 1.5, "cost": 30.0, "note": "a1 <19:00-21:00>"}]
    )  # fmt: skip
    html = actions_section(actions, "EUR")
    assert html.count('<tr class="action">') == 1
    assert "a1 &lt;19:00-21:00&gt;" in html and "2.0 extra agent-hours for 30 EUR" in html
