"""Rules that admit no roster: exit code 4, one 'Error: ...' line naming the agent and rule, nothing written."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import pytest
from typer.testing import Result

from cli_support import EXAMPLE, PlanRun, Snapshot, assert_clean_error, invoke, plan_args, snapshot

INFEASIBLE = 4
# One agent's contract asks for 60 h, but the longest shift is 8 h and at most
# one shift a day is allowed, so 7 x 8 = 56 h is the most anyone can work.
OVERTIME_CONTRACT = """[[contracts]]
name = "overtime"
min_hours_per_week = 60
max_hours_per_week = 60
max_shifts_per_week = 7

"""


@dataclass(frozen=True, slots=True, kw_only=True)
class FailedRun:
    result: Result
    before: Snapshot
    after: Snapshot


@pytest.fixture(scope="module")
def infeasible_run(tmp_path_factory: pytest.TempPathFactory, truncated_history: str, example_plan: PlanRun) -> FailedRun:
    """`plan` with an unsatisfiable contract for agent a10, over the outputs of an earlier good run."""
    folder = tmp_path_factory.mktemp("infeasible") / "cashback"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("history", "__pycache__"))
    (folder / "history").mkdir()
    (folder / "history" / "tickets.csv").write_text(truncated_history, encoding="utf-8")
    team = folder / "team.toml"
    text = team.read_text(encoding="utf-8")
    assert text.count('contract = "part_time"') == 3  # agents a10, a18 and a23
    assert text.index('id = "a10"') < text.index('contract = "part_time"') < text.index('id = "a11"')
    text = text.replace("[[agents]]", OVERTIME_CONTRACT + "[[agents]]", 1).replace(
        'contract = "part_time"', 'contract = "overtime"', 1
    )
    team.write_text(text, encoding="utf-8")

    assert example_plan.result.exit_code == 0, example_plan.result.output
    out = folder.parent / "out"
    shutil.copytree(example_plan.out, out)
    before = snapshot(out)
    args = plan_args(folder / "peakplan.toml", out)
    args[args.index("--time-limit") + 1] = "0.5"  # infeasibility is proved in presolve
    result = invoke(args)
    return FailedRun(result=result, before=before, after=snapshot(out))


def test_infeasible_contract_exits_4_and_keeps_previous_outputs(infeasible_run: FailedRun) -> None:
    line = assert_clean_error(infeasible_run.result, INFEASIBLE)
    assert "roster" in line
    assert infeasible_run.after == infeasible_run.before


def test_infeasible_message_names_agent_and_rule(infeasible_run: FailedRun) -> None:
    line = assert_clean_error(infeasible_run.result, INFEASIBLE)
    assert line == (
        "Error: no roster satisfies the rules: agent a10: at least 60 h in week of 2026-11-23 (contract overtime) "
        "cannot be met (91 possible shifts within availability, time off and opening hours, one a day)"
    )
