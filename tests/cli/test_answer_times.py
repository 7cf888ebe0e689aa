"""Answer times of the example plan: response_times.csv/json, `peakplan eta`, and a ticket simulation check."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cli_support import PlanRun, assert_clean_error, invoke
from scheduler.coverage import scheduled_agents
from scheduler.staffing.answer_check import simulated_days
from scheduler.staffing.response_times import deferred_queues
from scheduler.tables import read_table

TZ = "Europe/Moscow"
SIMULATED_WEEKS = 60


def plan_tables(out: object) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    forecast = read_table(
        out / "forecast.csv", ("ds", "queue", "yhat", "yhat_hi", "events"), ("ds",), numeric_columns=("yhat", "yhat_hi")
    )
    numbers = ("volume", "aht_seconds", "shrinkage", "max_occupancy", "agents_required")
    requirements = read_table(out / "requirements.csv", ("ds", "queue", "open", *numbers), ("ds",), numeric_columns=numbers)
    roster = read_table(out / "roster.csv", ("agent_id", "queue", "activity", "start", "end"), ("start", "end"))
    roster["queue"] = roster["queue"].astype(str)
    times = read_table(
        out / "response_times.csv", ("queue", "ds", "expected_minutes", "p80_minutes", "expected_at", "p80_at"), ("ds",)
    )
    return forecast, requirements, roster, times


def test_plan_writes_answer_times_for_every_deferred_queue(example_plan: PlanRun) -> None:
    assert example_plan.result.exit_code == 0, example_plan.result.output
    _, requirements, _, times = plan_tables(example_plan.out)
    deferred = sorted(queue for queue in times["queue"].unique())
    assert deferred and all(queue.split("/")[0] in ("email", "social") for queue in deferred)
    assert len(times) == len(requirements[requirements["queue"].isin(deferred)])
    feed = json.loads((example_plan.out / "response_times.json").read_text(encoding="utf-8"))
    assert feed["timezone"] == TZ and sorted(feed["queues"]) == deferred and "generated_at" not in feed
    row = feed["queues"][deferred[0]]["intervals"][0]
    assert set(row) >= {"from", "to", "expected_at", "p80_at", "reply_by_day", "reply_by_time"}


def test_simulated_first_response_times_agree_with_the_csv(example_plan: PlanRun) -> None:
    """Per normal day and deferred queue, the mean first-response time of simulated tickets
    (discrete events, shared by no code with the fluid model) against the volume-weighted
    response_times.csv; the median relative difference must be within 10%."""
    forecast, requirements, roster, times = plan_tables(example_plan.out)
    coverage = scheduled_agents(roster, requirements, 30)
    names = tuple(sorted(times["queue"].unique()))
    frames = []
    for queue in deferred_queues(forecast, requirements, coverage, names, TZ):
        events = forecast[forecast["queue"] == queue.queue].sort_values("ds")["events"].astype(str).replace("nan", "")
        normal = pd.Series(events.to_numpy() == "").groupby(queue.day).all().to_numpy()
        days = simulated_days(queue, times[times["queue"] == queue.queue], weeks=SIMULATED_WEEKS)
        frames.append(days[normal])
    checked = pd.concat(frames).dropna(subset=["difference"])
    assert len(checked) >= 3, checked
    assert float(checked["difference"].abs().median()) <= 0.10, checked


def test_eta_prints_the_csv_row_at_an_interval_start(example_plan: PlanRun) -> None:
    *_, times = plan_tables(example_plan.out)
    row = times[(times["queue"] == times["queue"].iloc[0]) & times["p80_at"].astype(str).str.len().gt(0)].iloc[40]
    at = row["ds"].tz_convert(TZ).isoformat()
    result = invoke(["eta", "--plan", example_plan.out, "--queue", row["queue"], "--at", at, "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["expected_at"] == row["expected_at"] and answer["p80_at"] == row["p80_at"]
    assert answer["received_at"] == at
    text = invoke(["eta", "--plan", example_plan.out, "--queue", row["queue"], "--at", at])
    assert text.exit_code == 0 and "answered by" in text.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--queue", "chat/ru", "--at", "2026-11-24T10:00:00+03:00"], "has no answer times"),
        (["--queue", "social", "--at", "2027-01-01T10:00:00+03:00"], "outside the plan"),
        (["--queue", "social", "--at", "tomorrow"], "--at 'tomorrow'"),
    ],
)
def test_eta_errors_are_one_line(example_plan: PlanRun, args: list[str], fragment: str) -> None:
    result = invoke(["eta", "--plan", example_plan.out, *args])
    assert_clean_error(result, 3, fragment)
