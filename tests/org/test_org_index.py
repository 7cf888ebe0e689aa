"""index.html: one row per team sorted, totals of the planned teams, failures shown, run facts left out."""

from __future__ import annotations

import dataclasses

from org_support import DAYS, GENERATED_AT, START

from scheduler.org import FAILED, OK, UNDERSTAFFED, TeamOutcome
from scheduler.org.index import render_index

TEAMS = [
    TeamOutcome(team="emea", status=OK, exit_code=0, team_name="EMEA <desk>", timezone="Europe/Berlin",
                required_hours=100.0, scheduled_hours=95.0, understaffed_hours=5.0, actions=3, wall_seconds=12.5,
                worker="host-a:1"),
    TeamOutcome(team="apac", status=UNDERSTAFFED, exit_code=5, error="understaffed: 20.0% ...", team_name="APAC",
                timezone="Asia/Tokyo", required_hours=50.0, scheduled_hours=40.0, understaffed_hours=10.0),
    TeamOutcome(team="broken", status=FAILED, exit_code=3, error="config file x not found"),
]  # fmt: skip


def render(outcomes: list[TeamOutcome]) -> str:
    return render_index(outcomes, org_name="Group & Co", start=START, days=DAYS, generated_at=GENERATED_AT)


def test_rows_sorted_with_totals_of_planned_teams() -> None:
    page = render(TEAMS)
    assert page.index('href="apac/report.html"') < page.index('href="emea/report.html"')
    assert "<title>Group &amp; Co: plan 2026-11-27 to 2026-11-28</title>" in page
    assert "EMEA &lt;desk&gt;" in page
    total = (
        '<tr><td>total</td><td class="text">2 of 3 teams planned</td><td></td><td></td>'
        "<td>150.0</td><td>135.0</td><td>15.0</td><td>10.0%</td><td>3</td>"
    )
    assert total in page
    assert "failed (exit 3)" in page and "config file x not found" in page
    assert 'href="broken/' not in page  # a failed team's folder holds no new plan
    assert "understaffed: 20.0% ..." in page


def test_same_outcomes_same_bytes_whatever_ran_them() -> None:
    elsewhere = [dataclasses.replace(outcome, wall_seconds=99.0, worker="host-b:2") for outcome in reversed(TEAMS)]
    assert render(elsewhere) == render(TEAMS)
    assert "host-a" not in render(TEAMS)
