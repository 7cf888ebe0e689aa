"""The documented weekly job: examples/github-actions-weekly.yml and the script it runs.

The workflow's own steps (checkout, Pages, CalDAV) need GitHub; its peakplan
commands are in examples/weekly-plan.sh, which runs here on the `peakplan init`
starter project exactly as the workflow runs it on a team's inputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from cli_support import GENERATED_AT, REPO, WEEK

WORKFLOW = REPO / "examples" / "github-actions-weekly.yml"
SCRIPT = REPO / "examples" / "weekly-plan.sh"


def steps() -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["schedule"][0]["cron"] == "0 6 * * 4"
    assert "workflow_dispatch" in triggers
    (job,) = workflow["jobs"].values()
    return job["steps"]


def test_workflow_plans_with_the_script_publishes_and_fails_on_exit_5() -> None:
    names = {step.get("name", step.get("uses", "")): step for step in steps()}
    assert "python -m pip install --quiet -c constraints.txt ." in names["Install peakplan"]["run"]
    plan = names["Plan next week"]
    assert "bash examples/weekly-plan.sh" in plan["run"]
    assert plan["env"]["CONFIG"] == "team/peakplan.toml" and plan["env"]["OUT"] == "public"
    order = list(names)
    assert order.index("Plan next week") < order.index("Publish feeds and report on GitHub Pages")
    fail = names["Fail when coverage is unacceptable"]
    assert fail["if"] == "${{ steps.plan.outputs.exit_code == '5' }}"
    assert fail["run"].rstrip().endswith("exit 5")
    assert order.index("Publish feeds and report on GitHub Pages") < order.index("Fail when coverage is unacceptable")
    assert "peakplan publish --caldav" in names["Push shifts to CalDAV (optional)"]["run"]


def test_weekly_script_writes_the_plan_and_exits_5_when_understaffed(starter: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    env = {
        **os.environ,
        "CONFIG": str(starter / "peakplan.toml"),
        "WEEK": WEEK,
        "OUT": str(out),
        "GENERATED_AT": GENERATED_AT,
        "PEAKPLAN": f"{sys.executable} -m scheduler.cli",
        # 1% is stricter than the starter team can meet: the job must still write and then fail
        # (at any budget: a smaller one only leaves more uncovered; 0.1 s instead of 1 s, ~1.4 s of CPU less)
        "PEAKPLAN_ARGS": "--time-limit 0.1 --max-understaffed-share 0.01",
    }
    result = subprocess.run(
        ["bash", str(SCRIPT)], env=env, cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 5, (result.stdout, result.stderr)
    assert "Error: understaffed: " in result.stderr
    assert f"peakplan: plan for {WEEK} exited 5" in result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "understaffed" and summary["coverage"]["max_understaffed_share"] == 0.01
    for name in ("roster.csv", "report.html", "feeds/team.ics", "feeds/index.html", "feeds/alex.ics"):
        assert (out / name).is_file(), name


def test_weekly_script_stops_on_bad_input_before_planning(tmp_path: Path) -> None:
    env = {**os.environ, "CONFIG": str(tmp_path / "none.toml"), "WEEK": WEEK, "OUT": str(tmp_path / "public"),
           "PEAKPLAN": f"{sys.executable} -m scheduler.cli"}  # fmt: skip
    result = subprocess.run(["bash", str(SCRIPT)], env=env, cwd=REPO, capture_output=True, text=True, timeout=120,
                            check=False)  # fmt: skip
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "Error: config file" in result.stderr
    assert not (tmp_path / "public").exists()
