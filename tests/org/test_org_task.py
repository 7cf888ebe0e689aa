"""One team's task: a budget far too small still gives a valid roster, never a made-up rule conflict."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from org_support import EXAMPLE_ORG, org_run

from scheduler.org import OK, build_tasks, load_org, run_team


def test_a_tiny_budget_still_plans_the_team_rather_than_reporting_a_conflict(
    tmp_path: Path, report_not_drawn: list
) -> None:
    """The first org benchmark (1 s for 100 agents) had half its teams fail with "queue chat: at least
    1 agent(s) whenever open cannot be met" though a roster existed; the roster stage now always
    completes a valid first roster. emea keeps at least one agent on chat whenever it is open."""
    org = load_org(EXAMPLE_ORG / "org.toml")
    emea = dataclasses.replace(org, teams=(org.team("emea"),))
    (task,) = build_tasks(emea, dataclasses.replace(org_run(tmp_path), time_limit_seconds=0.001))
    outcome = run_team(task)
    assert outcome.status == OK, outcome.error
    assert outcome.time_limit_seconds == 0.001
    assert (tmp_path / "emea" / "roster.csv").is_file()
