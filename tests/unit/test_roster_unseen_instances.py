"""The unseen teams' generator (benchmarks/roster_unseen_instances.py): files a user could write, read back alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from benchmarks.roster_unseen_instances import TEAMS, load_instance, write_instance
from forecasts.grid import interval_grid
from scheduler.rostering.problem import build_problem, uncovered_minimums


@pytest.mark.parametrize("name", sorted(TEAMS))
def test_every_team_reads_back_with_a_dst_change_and_reachable_minimums(name: str) -> None:
    config, team, requirements, start, days = load_instance(name, weeks=1)
    shape = TEAMS[name]
    assert (config.timezone, config.interval_minutes, len(team.agents)) == (
        shape.timezone,
        shape.interval,
        shape.agents,
    )
    assert set(requirements["queue"]) <= set(config.queue_names)
    assert any("/" in queue for queue in config.queue_names)  # queues by language
    assert any(agent.preferences for agent in team.agents) and any(agent.secondary_queues for agent in team.agents)
    # The first week holds the day the clocks change: a day of 23 or 25 hours' intervals.
    per_day = [
        len(interval_grid(start + dt.timedelta(days=d), 1, config.timezone, config.interval_minutes))
        for d in range(days)
    ]
    assert len(set(per_day)) == 2
    problem = build_problem(config, team, requirements, start, days)
    assert uncovered_minimums(problem) == []


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    write_instance("lon60", tmp_path / "a", seed=3, weeks=1)
    write_instance("lon60", tmp_path / "b", seed=3, weeks=1)
    write_instance("lon60", tmp_path / "c", seed=4, weeks=1)
    for name in ("peakplan.toml", "team.toml", "requirements.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "team.toml").read_bytes() != (tmp_path / "c" / "team.toml").read_bytes()
