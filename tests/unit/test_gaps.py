"""Language gaps: a routed queue open with contacts and nobody on it (scheduler.report.gaps)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scheduler.report.gaps import GAP_COLUMNS, language_gaps
from scheduler.team import Agent, Contract, Team

CONTRACT = Contract(name="ft", min_hours_per_week=0, max_hours_per_week=40, max_shifts_per_week=5)


def agent(agent_id: str, channels: tuple[str, ...]) -> Agent:
    return Agent(id=agent_id, name=agent_id, email="", contract=CONTRACT, channels=channels)


def test_gaps_are_runs_of_open_intervals_with_contacts_and_nobody() -> None:
    ds = pd.date_range("2026-11-23T06:00Z", periods=6, freq="30min")
    requirements = pd.DataFrame(
        {"ds": list(ds) * 2, "queue": ["chat/es+pt"] * 6 + ["chat/ru"] * 6,
         "volume": [1.0, 1.0, 0.0, 1.0, 1.0, 1.0] * 2, "open": [True] * 5 + [False] + [True] * 6}
    )  # fmt: skip
    coverage = pd.DataFrame(
        {"ds": list(ds) * 2, "queue": requirements["queue"], "agents_scheduled": [0, 0, 0, 1, 0, 0] + [1] * 6}
    )
    team = Team(path=Path("team.toml"), contracts=(CONTRACT,), agents=(agent("a07", ("chat/ru", "chat/es+pt")), agent("a01", ("chat/ru",))))
    roster = pd.DataFrame(
        {"agent_id": ["a07"], "queue": ["chat/ru"], "activity": ["work"],
         "start": [pd.Timestamp("2026-11-23T06:00Z")], "end": [pd.Timestamp("2026-11-23T07:00Z")]}
    )  # fmt: skip
    gaps = language_gaps(coverage, requirements, team, "Europe/Moscow", roster)
    assert list(gaps.columns) == list(GAP_COLUMNS)
    # 06:00-07:00 (the 07:00 interval has no contacts), 08:00-08:30 (08:30 is closed); chat/ru is never routed out
    assert [(row.start.hour, row.start.minute, row.end.hour, row.end.minute) for row in gaps.itertuples()] == [
        (6, 0, 7, 0), (8, 0, 8, 30),
    ]
    assert set(gaps["queue"]) == {"chat/es+pt"} and gaps["speakers"].iloc[0] == "a07"
    assert "a07 on chat/ru" in gaps["action"].iloc[0] and "es/pt" in gaps["action"].iloc[0]
    assert "add or move a shift of a07" in gaps["action"].iloc[1]


def test_unrouted_queues_have_no_gaps() -> None:
    ds = pd.date_range("2026-11-23T06:00Z", periods=2, freq="30min")
    requirements = pd.DataFrame({"ds": ds, "queue": "chat", "volume": 1.0, "open": True})
    coverage = pd.DataFrame({"ds": ds, "queue": "chat", "agents_scheduled": 0.0})
    team = Team(path=Path("team.toml"), contracts=(CONTRACT,), agents=())
    assert language_gaps(coverage, requirements, team, "UTC").empty


def test_a_busy_speaker_is_named_with_the_queue_they_serve_longest_in_the_gap() -> None:
    """Only the overlap with the gap counts: a07 works chat/ru 06:00-06:40 and email 06:40-09:00, 30 minutes of
    it inside the 06:00-07:00 gap each way but 10 more on chat/ru; a tie goes to the first queue by name."""
    ds = pd.date_range("2026-11-23T06:00Z", periods=2, freq="30min")
    requirements = pd.DataFrame({"ds": ds, "queue": "chat/es+pt", "volume": 1.0, "open": True})
    coverage = pd.DataFrame({"ds": ds, "queue": "chat/es+pt", "agents_scheduled": 0.0})
    team = Team(path=Path("team.toml"), contracts=(CONTRACT,),
                agents=(agent("a07", ("chat/ru", "email", "chat/es+pt")), agent("a02", ("chat/es+pt", "x", "y"))))  # fmt: skip
    at = pd.Timestamp("2026-11-23T06:00Z")
    minutes = pd.Timedelta(minutes=1)
    roster = pd.DataFrame(
        {"agent_id": ["a07", "a07", "a02", "a02", "a03"], "queue": ["chat/ru", "email", "y", "x", "chat/ru"],
         "activity": "work",
         "start": [at, at + 40 * minutes, at - 60 * minutes, at + 30 * minutes, at],
         "end": [at + 40 * minutes, at + 180 * minutes, at + 30 * minutes, at + 120 * minutes, at + 60 * minutes]}
    )  # fmt: skip
    gaps = language_gaps(coverage, requirements, team, "UTC", roster)
    assert len(gaps) == 1
    assert "(a02 on x, a07 on chat/ru)" in gaps["action"].iloc[0]  # a03 speaks no es/pt: not named
