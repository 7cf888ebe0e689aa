"""The one error boundary: user mistakes exit 3 with a readable block, bugs exit 1 saying where the traceback is."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_support import WEEK, invoke

INPUT_ERROR = 3


def test_a_bug_exits_1_with_one_line_and_a_traceback_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import scheduler.validation.preflight as preflight

    def broken(path: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(preflight, "read_config", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.delenv("PEAKPLAN_DEBUG", raising=False)
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = invoke(["validate", "--config", "examples/cashback/peakplan.toml", "--week", WEEK])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: internal error (ZeroDivisionError: boom): this is a bug")
    crash = sorted(tmp_path.glob("peakplan-crash-*.txt"))
    assert len(crash) == 1 and "ZeroDivisionError: boom" in crash[0].read_text(encoding="utf-8")
    assert "Traceback" not in result.stderr


def test_debug_env_prints_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import scheduler.validation.preflight as preflight

    def broken(path: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(preflight, "read_config", broken)
    monkeypatch.setenv("PEAKPLAN_DEBUG", "1")
    result = invoke(["validate", "--config", "examples/cashback/peakplan.toml", "--week", WEEK])
    assert result.exit_code == 1 and "Traceback" in result.stderr and "this is a bug" in result.stderr


def test_several_problems_are_one_block(tmp_path: Path) -> None:
    config = tmp_path / "peakplan.toml"
    text = Path("examples/cashback/peakplan.toml").read_text(encoding="utf-8")
    text = text.replace("shrinkage = 0.30", "shrinkage = 3").replace("interval_minutes = 30", "interval_minutes = 45")
    text = text.replace('timezone = "Europe/Moscow"', 'timezone = "Europe/Moscw"')
    config.write_text(text, encoding="utf-8")
    result = invoke(["validate", "--config", config, "--week", WEEK, "--inputs-only"])
    assert result.exit_code == INPUT_ERROR
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: 3 problems (fix them, then rerun):"
    assert len(lines) == 4 and all(line.startswith(f"  {config}: ") for line in lines[1:])
    assert len(set(lines)) == len(lines)  # no line twice


@pytest.mark.parametrize("command", ["forecast", "staff", "roster"])
def test_out_naming_a_folder_fails_before_any_work(command: str, tmp_path: Path) -> None:
    config = "examples/cashback/peakplan.toml"
    args = {
        "forecast": ["forecast", "--config", config, "--week", WEEK, "--out", tmp_path],
        "staff": ["staff", "--config", config, "--forecast", tmp_path / "f.csv", "--out", tmp_path],
        "roster": ["roster", "--config", config, "--requirements", tmp_path / "r.csv", "--week", WEEK, "--out", tmp_path],
    }[command]
    result = invoke(args)
    assert result.exit_code == INPUT_ERROR, result.output
    assert f"--out {tmp_path} is a folder: give a file name" in result.stderr
    assert "Traceback" not in result.output


def test_plan_out_under_a_file_fails_before_forecasting(tmp_path: Path) -> None:
    blocker = tmp_path / "some_file.txt"
    blocker.write_text("x", encoding="utf-8")
    result = invoke(["plan", "--config", "examples/cashback/peakplan.toml", "--week", WEEK, "--out", blocker / "x"])
    assert result.exit_code == INPUT_ERROR
    assert result.stderr.strip() == f"Error: --out {blocker / 'x'}: {blocker} is a file, not a folder, so nothing can be written under it"


def test_validate_config_naming_a_folder(tmp_path: Path) -> None:
    result = invoke(["validate", "--config", tmp_path, "--week", WEEK])
    assert result.exit_code == INPUT_ERROR
    assert result.stderr.strip() == f"Error: {tmp_path} is a folder: give the config file (a .toml file)"


def test_init_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "some_file.txt"
    blocker.write_text("x", encoding="utf-8")
    result = invoke(["init", str(blocker / "team"), "--week", WEEK])
    assert result.exit_code == INPUT_ERROR
    assert f"{blocker} is a file, not a folder" in result.stderr
