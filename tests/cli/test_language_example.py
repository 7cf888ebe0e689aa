"""The bundled example plans queues by language (examples/cashback/peakplan.toml, [routing])."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from cli_support import EXAMPLE, PlanRun, by_channel, invoke
from scheduler.config import load_config
from scheduler.coverage import scheduled_agents
from scheduler.report.gaps import language_gaps
from scheduler.tables import read_table
from scheduler.team import load_team

CONFIG = EXAMPLE / "peakplan.toml"
QUEUES = {"chat/ru", "chat/en", "chat/es+pt", "email/ru", "email/en", "email/es+pt", "social"}


def test_language_queues_add_up_to_the_channel_forecast(small_example: Path, tmp_path: Path) -> None:
    channels_only = small_example.with_name("peakplan.channels.toml")
    channels_only.write_text(by_channel(small_example.read_text(encoding="utf-8")), encoding="utf-8")
    for config, name in ((channels_only, "channels.csv"), (small_example, "queues.csv")):
        result = invoke(["forecast", "--config", config, "--week", "2026-W48", "--out", tmp_path / name, "--quiet"])
        assert result.exit_code == 0, result.output
    channels = pd.read_csv(tmp_path / "channels.csv")
    queues = pd.read_csv(tmp_path / "queues.csv")
    assert set(queues["queue"]) == QUEUES
    queues["channel"] = queues["queue"].str.split("/").str[0]
    totals = queues.groupby(["channel", "ds"])["yhat"].sum()
    expected = channels.set_index(["queue", "ds"])["yhat"].rename_axis(["channel", "ds"])
    assert (totals - expected.reindex(totals.index)).abs().max() < 1e-3  # CSV rounding only
    share = queues[queues["queue"] == "email/es+pt"]["yhat"].sum() / channels[channels["queue"] == "email"]["yhat"].sum()
    assert 0.01 < share < 0.06  # the pooled Spanish/Portuguese share of the history (about 3%)


def test_language_plan_puts_only_speakers_on_language_queues_and_flags_the_gaps(example_plan: PlanRun) -> None:
    """On the session's plan of the example week (a plan of its own cost ~6 s of CPU, report included)."""
    out = example_plan.out
    assert example_plan.result.exit_code in (0, 5), example_plan.result.output
    roster = read_table(out / "roster.csv", ("agent_id", "queue", "activity", "start", "end"), ("start", "end"))
    spoken = {
        agent["id"]: {*agent.get("languages", []), *agent.get("secondary_languages", [])}
        for agent in tomllib.loads((EXAMPLE / "team.toml").read_text(encoding="utf-8"))["agents"]
    }
    work = roster[roster["activity"] == "work"]
    assert set(work["queue"]) <= QUEUES
    for row in work.itertuples(index=False):
        needed = set(row.queue.split("/")[1].split("+")) if "/" in row.queue else set()
        assert needed <= spoken[row.agent_id], (row.agent_id, row.queue)
    # every open interval of a language queue with contacts and nobody on it is listed in the report
    config = load_config(CONFIG)
    numbers = ("volume", "agents_required")
    requirements = read_table(out / "requirements.csv", ("ds", "queue", "open", *numbers), ("ds",), numeric_columns=numbers)
    roster["queue"] = roster["queue"].astype(str)
    coverage = scheduled_agents(roster, requirements, config.interval_minutes)
    team = load_team(config.team_file, config.queue_names, shifts=config.shift_names)
    gaps = language_gaps(coverage, requirements, team, config.timezone, roster)
    merged = requirements.merge(coverage, on=["ds", "queue"])
    empty = merged[
        merged["queue"].str.contains("/") & (merged["open"] == "True") & (merged["volume"] > 0)
        & (merged["agents_scheduled"] < 1e-9)
    ]  # fmt: skip
    assert int(gaps["intervals"].sum()) == len(empty)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="gaps"' in html
    for row in gaps.head(3).itertuples(index=False):
        assert row.queue in html
