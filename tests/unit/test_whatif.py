"""What-if for peaks: uplift parsing, the extra hours, overtime and the service if nobody is added."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from scheduler.errors import InputError
from scheduler.staffing.whatif import SUMMARY_COLUMNS, Uplift, multipliers, parse_uplift, what_if
from staffing_support import DAY, channel, hours, make_config, make_forecast


@pytest.mark.parametrize(
    ("text", "queue", "multiplier"),
    [
        ("chat=+200%", "chat", 3.0),
        ("chat=-20%", "chat", 0.8),
        ("email = 2", "email", 3.0),  # a bare number is a change, as X-PEAKPLAN-UPLIFT in the sale calendar
        ("chat=x3", "chat", 3.0),
        ("all=+50%", "all", 1.5),
        ("chat=0%", "chat", 1.0),
    ],
)
def test_parse_uplift(text: str, queue: str, multiplier: float) -> None:
    assert parse_uplift(text) == Uplift(queue=queue, multiplier=pytest.approx(multiplier))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("chat", "is not QUEUE=CHANGE like chat=+200%"),
        ("chat=lots", "is not an uplift: write +80% (percentage)"),
        ("chat=-150%", "must be above -100%"),
        ("chat=80", "looks like a percentage without its '%'"),  # the sale calendar's convention: not x81
    ],
)
def test_parse_uplift_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        parse_uplift(text)


def test_multipliers_combine_all_and_one_queue() -> None:
    factors = multipliers([Uplift(queue="all", multiplier=1.5), Uplift(queue="chat", multiplier=2.0)], ["chat", "email"])
    assert factors == {"chat": 3.0, "email": 1.5}
    with pytest.raises(InputError, match=r"unknown queue\(s\) \['fax'\]; queues: chat, email \(or all\)"):
        multipliers([Uplift(queue="fax", multiplier=2.0)], ["chat", "email"])


def two_day_team() -> tuple[pd.DataFrame, object]:
    chat = channel("chat", "erlang_a", aht_seconds=180.0, target_seconds=20.0, patience_seconds=120.0)
    email = channel("email", "deferred", target_hours=2.0, service_level=0.9)
    config = make_config(chat, email, shrinkage=0.3)
    day = hours({9: 100.0, 10: 150.0, 11: 120.0, 14: 80.0})
    forecast = make_forecast(config, {"chat": day * 2, "email": [value / 5 for value in day] * 2}, days=2)
    return forecast, config


def test_what_if_prices_a_one_day_peak() -> None:
    forecast, config = two_day_team()
    result = what_if(forecast, config, [parse_uplift("chat=+200%")], start=DAY + dt.timedelta(days=1), days=1)
    assert list(result.summary.columns) == list(SUMMARY_COLUMNS)
    assert result.summary["queue"].tolist() == ["chat", "email", "total"]
    assert result.start == pd.Timestamp("2026-11-24T00:00Z") and result.end == pd.Timestamp("2026-11-25T00:00Z")
    assert len(result.intervals) == 48  # the window's intervals only, both queues
    chat = result.summary.set_index("queue").loc["chat"]
    email = result.summary.set_index("queue").loc["email"]
    assert chat["multiplier"] == 3.0 and email["multiplier"] == 1.0
    assert chat["volume"] == pytest.approx(3 * chat["volume_base"]) == pytest.approx(3 * 450.0)
    # Extra agent-hours: scenario minus baseline requirements, interval by interval inside the window.
    rows = result.intervals[result.intervals["queue"] == "chat"]
    assert chat["extra_hours"] == pytest.approx((rows["agents_required"] - rows["agents_required_base"]).sum())
    assert chat["extra_hours"] > 0
    # Staffed to the baseline plan, the overtime is exactly what the scenario needs on top.
    assert chat["staffed_hours"] == pytest.approx(chat["required_hours_base"])
    assert chat["overtime_hours"] == pytest.approx(chat["extra_hours"])
    assert chat["extra_fte"] == pytest.approx(chat["overtime_hours"] / (40 * 1 / 7))
    assert chat["peak_extra_agents"] == pytest.approx(rows["shortfall"].max())
    # Nobody added: triple chat volume on the baseline staffing loses service, abandonment grows.
    assert chat["service_level_base"] >= 0.8
    assert chat["service_level"] < 0.5
    assert chat["abandon_rate"] > 0.3
    assert chat["asa_seconds"] > chat["asa_seconds_base"]
    # Email is untouched.
    assert email["extra_hours"] == pytest.approx(0.0) and email["overtime_hours"] == pytest.approx(0.0)
    assert email["service_level"] == pytest.approx(email["service_level_base"])
    total = result.summary.set_index("queue").loc["total"]
    assert total["extra_hours"] == pytest.approx(chat["extra_hours"] + email["extra_hours"])
    assert np.isnan(total["service_level"])  # shares of different channels do not add up
    numbers = result.intervals.select_dtypes("number").to_numpy()
    assert np.isfinite(numbers).all()


def test_no_uplift_changes_nothing() -> None:
    forecast, config = two_day_team()
    result = what_if(forecast, config, [parse_uplift("all=0%")])
    summary = result.summary.set_index("queue")
    assert result.days == 2.0
    assert summary["extra_hours"].abs().max() == pytest.approx(0.0)
    assert summary["overtime_hours"].max() == pytest.approx(0.0, abs=1e-9)
    queues = summary.drop(index="total")
    np.testing.assert_allclose(queues["service_level"], queues["service_level_base"])


def test_a_roster_in_place_is_the_staffing() -> None:
    forecast, config = two_day_team()
    # Four chat agents 09:00-17:00 on the first day only.
    roster = pd.DataFrame(
        {
            "agent_id": ["a1", "a2", "a3", "a4"],
            "queue": "chat",
            "activity": "work",
            "start": pd.Timestamp("2026-11-23T09:00Z"),
            "end": pd.Timestamp("2026-11-23T17:00Z"),
            "shift_id": ["a1-x", "a2-x", "a3-x", "a4-x"],
        }
    )
    result = what_if(forecast, config, [parse_uplift("chat=+100%")], start=DAY, days=1, roster=roster, fte_hours=35)
    chat = result.summary.set_index("queue").loc["chat"]
    assert result.staffed_from == "roster"
    assert chat["staffed_hours"] == pytest.approx(4 * 8)
    rows = result.intervals[result.intervals["queue"] == "chat"]
    assert chat["overtime_hours"] == pytest.approx((rows["agents_required"] - rows["agents_scheduled"]).clip(lower=0).sum())
    assert chat["extra_fte"] == pytest.approx(chat["overtime_hours"] / 5.0)  # 35 h a week = 5 h a day


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": dt.date(2027, 1, 1), "days": 2}, "lies outside the forecast"),
        ({"fte_hours": 0.0}, "--fte-hours must be > 0"),
    ],
)
def test_what_if_input_errors(kwargs: dict[str, object], message: str) -> None:
    forecast, config = two_day_team()
    with pytest.raises(InputError, match=message):
        what_if(forecast, config, [parse_uplift("chat=+10%")], **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="give at least one --uplift"):
        what_if(forecast, config, [])
