"""A roster that breaks a hard rule is never written silently: plan and roster say so (and --json carries it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import invoke

import scheduler.rostering


@pytest.fixture
def breaking_checker(monkeypatch: pytest.MonkeyPatch) -> str:
    finding = "shift a01-2026-11-23-0900: 2 changes of queue, at most 1"
    monkeypatch.setattr(scheduler.rostering, "find_violations", lambda *args, **kwargs: [finding])
    return finding


def test_plan_warns_and_reports_a_broken_hard_rule(
    small_example: Path, tmp_path: Path, breaking_checker: str, report_not_drawn: list
) -> None:
    # The checker is replaced, so the roster's quality does not matter: the smallest budget (0.5 s cost ~1 s of CPU more).
    result = invoke([
        "plan", "--config", small_example, "--start", "2026-11-23", "--days", "1", "--out", tmp_path / "out",
        "--generated-at", "2026-11-20T09:00:00+03:00", "--time-limit", "0.1", "--json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    expected = f"the written roster breaks 1 hard rule(s): {breaking_checker}"
    assert expected in json.loads(result.stdout)["warnings"]
    printed = invoke(
        ["plan", "--config", small_example, "--start", "2026-11-23", "--days", "1", "--out", tmp_path / "out2",
         "--generated-at", "2026-11-20T09:00:00+03:00", "--time-limit", "0.1"]  # fmt: skip
    )
    assert printed.exit_code == 0, printed.output
    assert f"Warning: {expected}" in printed.stderr
