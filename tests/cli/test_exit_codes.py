"""CI mode: the documented exit codes, `plan --json`, `--quiet` and no colour codes off a terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli_support import EXAMPLE, PlanRun, assert_clean_error, invoke
from scheduler.actions import ACTION_COLUMNS, KINDS
from scheduler.cli import app
from scheduler.errors import (
    ExitCode,
    InfeasibleError,
    InputError,
    NoSolutionError,
    PublishError,
    UnderstaffedError,
    exit_code_for,
)

ANSI = re.compile(r"\x1b\[")


def test_exit_codes_are_the_documented_numbers() -> None:
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0, "INTERNAL": 1, "USAGE": 2, "INPUT": 3, "INFEASIBLE": 4, "UNDERSTAFFED": 5, "PUBLISH": 6,
        "NO_SOLUTION": 7, "TEAMS_FAILED": 8,
    }  # fmt: skip
    assert exit_code_for(InputError("x")) == ExitCode.INPUT
    assert exit_code_for(InfeasibleError("x")) == ExitCode.INFEASIBLE
    assert exit_code_for(UnderstaffedError("x")) == ExitCode.UNDERSTAFFED
    assert exit_code_for(PublishError("x")) == ExitCode.PUBLISH
    assert exit_code_for(NoSolutionError("x")) == ExitCode.NO_SOLUTION


def test_readme_documents_every_exit_code() -> None:
    readme = (EXAMPLE.parents[1] / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \|", readme, re.MULTILINE), f"exit code {int(code)} not in the README table"


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--bogus"],
        ["report", "--config", "x.toml"],  # --out-dir missing
        ["diff", "only-one.csv"],
        ["validate"],
        ["init"],
    ],
    ids=["plan", "report", "diff", "validate", "init"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = invoke(args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Traceback" not in result.output


def test_plan_understaffed_beyond_the_limit_writes_the_plan_and_exits_5(understaffed_day: PlanRun) -> None:
    result = understaffed_day.result
    assert result.exit_code == ExitCode.UNDERSTAFFED, result.output
    for name in ("forecast.csv", "requirements.csv", "roster.csv", "report.html", "feeds/team.ics"):
        assert (understaffed_day.out / name).is_file(), name
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("Error: understaffed: "), result.stderr
    assert "more than max_understaffed_share 1.0%" in lines[-1]
    assert "Traceback" not in result.output


QUEUES = ("chat/ru", "chat/en", "chat/es+pt", "email/ru", "email/en", "email/es+pt", "social")  # the example's


def test_plan_json_is_one_object_with_the_ci_figures(understaffed_day: PlanRun) -> None:
    payload = json.loads(understaffed_day.result.stdout)  # stdout holds the JSON and nothing else
    assert payload["status"] == "understaffed"
    assert payload["start"] == "2026-11-27" and payload["days"] == 1
    coverage = payload["coverage"]
    assert coverage["max_understaffed_share"] == 0.01
    assert coverage["understaffed_share"] > 0.01
    assert coverage["understaffed_intervals"] == len(payload["understaffed"]) > 0
    assert coverage["understaffed_hours"] == pytest.approx(
        sum(row["shortfall"] for row in payload["understaffed"]) * 0.5, abs=0.05
    )
    assert {row["queue"] for row in payload["per_day"]} == set(QUEUES)
    assert all(row["day"] == "2026-11-27 Fri" for row in payload["per_day"])
    first = payload["understaffed"][0]
    assert set(first) == {"ds", "queue", "required", "scheduled", "shortfall"}
    assert first["ds"].startswith("2026-11-27T") and first["ds"].endswith("+03:00")
    assert set(payload["solver"]) == {"status", "objective", "best_bound", "gap"}
    assert payload["solver"]["status"] in ("OPTIMAL", "FEASIBLE")
    assert [row["queue"] for row in payload["service"]] == sorted(QUEUES)
    for row in payload["service"]:
        assert 0 <= row["service_level"] <= 1 and row["asa_seconds"] >= 0
    assert payload["violations"]["count"] == sum(rule["count"] for rule in payload["violations"]["by_rule"].values())
    assert any(path.endswith("report.html") for path in payload["files"])
    assert any(path.endswith("feeds/team.ics") for path in payload["files"])
    assert isinstance(payload["warnings"], list)


def test_config_threshold_out_of_range_is_an_input_error(small_example: Path, tmp_path: Path) -> None:
    small_example.write_text(
        small_example.read_text(encoding="utf-8") + "\n[report]\nmax_understaffed_share = 1.5\n", encoding="utf-8"
    )
    result = invoke(["validate", "--config", small_example, "--week", "2026-W48"])
    assert result.exit_code == ExitCode.INPUT
    assert "report.max_understaffed_share = 1.5: must be >= 0 and <= 1" in result.stderr


def test_no_colour_codes_when_not_a_terminal(example_plan: PlanRun) -> None:
    assert example_plan.result.exit_code == 0, example_plan.result.output
    assert not ANSI.search(example_plan.result.output)
    assert "required vs scheduled agent-hours" in example_plan.result.stdout


def test_publish_to_an_unreachable_server_exits_6(example_plan: PlanRun) -> None:
    assert example_plan.result.exit_code == 0
    args = ["publish", "--caldav", "http://127.0.0.1:9/", "--user", "peakplan", "--password-env", "PEAKPLAN_TEST_PW",
            "--feeds", str(example_plan.out / "feeds")]  # fmt: skip
    result = CliRunner().invoke(app, args, env={"PEAKPLAN_TEST_PW": "x"})
    assert_clean_error(result, ExitCode.PUBLISH, "cannot reach CalDAV server 127.0.0.1:9")


def test_plan_json_and_folder_carry_the_peak_actions(understaffed_day: PlanRun) -> None:
    payload = json.loads(understaffed_day.result.stdout)
    actions = payload["actions"]
    assert [day["date"] for day in actions["days"]] == ["2026-11-27"]
    assert actions["days"][0]["events"] == "Black Friday 2026"
    assert actions["days"][0]["short_share"] == pytest.approx(payload["coverage"]["understaffed_share"], abs=1e-4)
    assert actions["currency"] == "RUB"
    assert {row["kind"] for row in actions["proposed"]} <= set(KINDS)
    assert all(row["date"] == "2026-11-27" for row in actions["proposed"])
    assert any(path.endswith("actions.csv") for path in payload["files"])
    lines = (understaffed_day.out / "actions.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(ACTION_COLUMNS)
    assert len(lines) == 1 + len(actions["proposed"])
