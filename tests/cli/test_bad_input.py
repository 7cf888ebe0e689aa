"""Bad input: exit code 3 (2 for usage errors, 4 for infeasible rules), one 'Error: ...' line, no files written.

Every failing `plan` here writes into a folder that does not exist yet and must
not create it; the atomicity tests run failures over the outputs of an earlier
good run and require them to be byte-identical afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from cli_support import EXAMPLE, GENERATED_AT, WEEK, assert_clean_error, invoke, plan_args, snapshot

Edit = Callable[[Path, str, str], None]
INPUT_ERROR = 3
USAGE_ERROR = 2


def history_path(config: Path) -> Path:
    return config.parent / "history" / "tickets.csv"


def replace_line(path: Path, number: int, change: Callable[[str], str]) -> str:
    """Rewrite line ``number`` (1-based, header = line 1) of a CSV; return the new line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[number - 1] = change(lines[number - 1])
    path.write_text("\n".join(lines), encoding="utf-8")
    return lines[number - 1]


def set_created_at(value: str) -> Callable[[str], str]:
    def change(line: str) -> str:
        ticket_id, _created_at, *rest = line.split(",")
        return ",".join([ticket_id, value, *rest])

    return change


def run_plan(config: Path, out: Path, *extra: str, week: str = WEEK) -> Result:
    return invoke(plan_args(config, out, *extra, week=week))


# --- plan: each bad input fails before anything is written ---------------------------------------


def test_missing_config_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "peakplan.toml"
    result = run_plan(missing, tmp_path / "out")
    assert_clean_error(result, INPUT_ERROR, str(missing), "not found")
    assert snapshot(tmp_path / "out") is None


def test_config_with_unknown_key(small_example: Path, tmp_path: Path, edit: Edit) -> None:
    edit(small_example, "baseline_weeks = 8", "baseline_weeks = 8\nbaseline_wekes = 8")
    result = run_plan(small_example, tmp_path / "out")
    assert_clean_error(result, INPUT_ERROR, "'baseline_wekes'", "[forecast]", "baseline_weeks")
    assert snapshot(tmp_path / "out") is None


def test_history_missing_column(small_example: Path, tmp_path: Path) -> None:
    path = history_path(small_example)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:2]) for line in lines) + "\n", encoding="utf-8")
    result = run_plan(small_example, tmp_path / "out")
    assert_clean_error(result, INPUT_ERROR, "tickets.csv", "'channel'")
    assert snapshot(tmp_path / "out") is None


def test_history_unparsable_timestamp(small_example: Path, tmp_path: Path) -> None:
    replace_line(history_path(small_example), 7, set_created_at("2026-09-01T25:99:00+03:00"))
    result = run_plan(small_example, tmp_path / "out")
    assert_clean_error(result, INPUT_ERROR, "tickets.csv", "row 7", "'2026-09-01T25:99:00+03:00'")
    assert snapshot(tmp_path / "out") is None


def test_history_naive_timestamp(small_example: Path, tmp_path: Path) -> None:
    replace_line(history_path(small_example), 7, set_created_at("2026-09-01T01:02:03"))
    result = run_plan(small_example, tmp_path / "out")
    assert_clean_error(result, INPUT_ERROR, "tickets.csv", "row 7", "no UTC offset")
    assert snapshot(tmp_path / "out") is None


def test_history_unknown_queue(small_example: Path, tmp_path: Path) -> None:
    replace_line(history_path(small_example), 7, lambda line: ",".join([*line.split(",")[:2], "fax", "ru"]))
    result = run_plan(small_example, tmp_path / "out")
    assert_clean_error(result, INPUT_ERROR, "tickets.csv", "row 7", "'fax'")
    assert snapshot(tmp_path / "out") is None


def test_team_unknown_channel_names_agent(small_example: Path, tmp_path: Path, edit: Edit) -> None:
    edit(
        small_example.parent / "team.toml",
        'ivan.morozov@example.com"\ncontract = "full_time"\nchannels = ["email", "social"]',  # agent a04
        'ivan.morozov@example.com"\ncontract = "full_time"\nchannels = ["email", "phone"]',
    )
    result = run_plan(small_example, tmp_path / "out")
    assert_clean_error(result, INPUT_ERROR, "team.toml", "'a04'", "'phone'")
    assert snapshot(tmp_path / "out") is None


def test_week_without_history(small_example: Path, tmp_path: Path) -> None:
    result = run_plan(small_example, tmp_path / "out", week="2020-W10")
    assert_clean_error(result, INPUT_ERROR, "no history", "tickets.csv")
    assert snapshot(tmp_path / "out") is None


@pytest.mark.parametrize("week", ["2026-48", "2026-W60", "W48"])
def test_bad_week(small_example: Path, tmp_path: Path, week: str) -> None:
    result = run_plan(small_example, tmp_path / "out", week=week)
    assert_clean_error(result, INPUT_ERROR, repr(week))
    assert snapshot(tmp_path / "out") is None


def test_generated_at_without_offset(small_example: Path, tmp_path: Path) -> None:
    args = plan_args(small_example, tmp_path / "out")
    args[args.index("--generated-at") + 1] = "2026-11-20T09:00:00"
    result = invoke(args)
    assert_clean_error(result, INPUT_ERROR, "--generated-at", "no UTC offset")
    assert snapshot(tmp_path / "out") is None


def test_missing_required_option_is_a_usage_error(small_example: Path, tmp_path: Path) -> None:
    result = invoke(["plan", "--config", small_example, "--week", WEEK])
    assert result.exit_code == USAGE_ERROR, result.output
    assert "Traceback" not in result.output
    assert "--out" in result.stderr


# --- single stages -------------------------------------------------------------------------------


def test_export_roster_with_unknown_agent(small_example: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "agent_id,queue,activity,start,end,shift_id\n"
        "zz99,chat/ru,work,2026-11-23T09:00:00+03:00,2026-11-23T17:00:00+03:00,zz99-2026-11-23-0900\n",
        encoding="utf-8",
    )
    out = tmp_path / "feeds"
    result = invoke(["export", "--config", small_example, "--roster", roster, "--out", out, "--generated-at", GENERATED_AT])
    assert_clean_error(result, INPUT_ERROR, "'zz99'", "roster.csv")
    assert snapshot(out) is None


def test_roster_requirements_missing_column(small_example: Path, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.csv"
    requirements.write_text("ds,queue,volume\n2026-11-23T00:00:00+03:00,chat,1.0\n", encoding="utf-8")
    out = tmp_path / "out" / "roster.csv"
    result = invoke(
        ["roster", "--config", small_example, "--requirements", requirements, "--week", WEEK, "--out", out]
    )
    assert_clean_error(result, INPUT_ERROR, "requirements.csv", "'agents_required'")
    assert snapshot(tmp_path / "out") is None


# --- atomicity: a failing run leaves an earlier good run's files as they were --------------------


@pytest.mark.parametrize("case", ["unknown config key", "bad history row", "naive --generated-at", "unknown team channel"])
def test_failed_plan_keeps_previous_outputs(small_example: Path, previous_run: Path, edit: Edit, case: str) -> None:
    before = snapshot(previous_run)
    args = plan_args(small_example, previous_run)
    if case == "unknown config key":
        edit(small_example, "[roster]\n", "[roster]\nmin_rest = 11\n")
    elif case == "bad history row":
        replace_line(history_path(small_example), 500, set_created_at("not a time+03:00"))
    elif case == "naive --generated-at":
        args[args.index("--generated-at") + 1] = "2026-11-20T09:00:00"
    else:
        edit(small_example.parent / "team.toml", 'channels = ["email", "chat"]', 'channels = ["email", "voice"]')
    assert_clean_error(invoke(args), INPUT_ERROR)
    assert snapshot(previous_run) == before


def test_failed_export_keeps_previous_feeds(small_example: Path, previous_run: Path) -> None:
    before = snapshot(previous_run)
    roster = previous_run / "roster.csv"
    bad_roster = previous_run.parent / "bad_roster.csv"
    bad_roster.write_text(roster.read_text(encoding="utf-8").replace("\na01,", "\nx01,"), encoding="utf-8")
    result = invoke(
        ["export", "--config", small_example, "--roster", bad_roster, "--out", previous_run / "feeds",
         "--generated-at", GENERATED_AT]
    )  # fmt: skip
    assert_clean_error(result, INPUT_ERROR, "'x01'")
    assert snapshot(previous_run) == before


@pytest.mark.parametrize(
    ("days", "fragment"),
    [
        (["--week", "2026-W49"], "start outside --week 2026-W49 (2026-11-30 to 2026-12-06), on 2026-11-23 to 2026-11-29"),
        (["--start", "2026-11-23", "--days", "3"], "start outside --start 2026-11-23 --days 3 (2026-11-23 to 2026-11-25), on 2026-11-26 to"),
    ],
)  # fmt: skip
def test_export_of_a_roster_outside_the_given_days_keeps_the_feeds(
    small_example: Path, previous_run: Path, days: list[str], fragment: str
) -> None:
    """Last week's roster.csv with this week's --week would add its shifts beside the events it replaces."""
    before = snapshot(previous_run)
    roster = previous_run / "roster.csv"
    result = invoke(
        ["export", "--config", small_example, "--roster", roster, "--out", previous_run / "feeds", *days,
         "--generated-at", GENERATED_AT]
    )  # fmt: skip
    assert_clean_error(result, INPUT_ERROR, f"{roster}: ", fragment, "leave --week/--start out")
    assert snapshot(previous_run) == before


def test_failed_roster_keeps_previous_roster(small_example: Path, previous_run: Path) -> None:
    before = snapshot(previous_run)
    requirements = previous_run.parent / "requirements.csv"
    lines = (previous_run / "requirements.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    requirements.write_text(lines[0] + lines[1].replace("+03:00", "", 1) + "".join(lines[2:]), encoding="utf-8")
    result = invoke(
        ["roster", "--config", small_example, "--requirements", requirements, "--week", WEEK,
         "--out", previous_run / "roster.csv"]
    )  # fmt: skip
    assert_clean_error(result, INPUT_ERROR, "requirements.csv", "row 2", "no UTC offset")
    assert snapshot(previous_run) == before


def test_forecast_history_with_week_names_the_option(tmp_path: Path) -> None:
    """--week is read with --config only; it used to be blamed as '--config and --history, not both'."""
    args = ["forecast", "--history", tmp_path / "h.csv", "--tz", "Europe/Moscow", "--week", WEEK,
            "--out", tmp_path / "f.csv"]  # fmt: skip
    result = invoke(args)
    assert_clean_error(result, INPUT_ERROR, "with --history give --start", "--week is read only with --config")
    assert "not both" not in result.stderr


def test_a_warning_found_twice_is_printed_once(small_example: Path, tmp_path: Path) -> None:
    """The pass and the forecast both see an ignored ancient row and the stale history: one line each."""
    replace_line(history_path(small_example), 3, set_created_at("1678-01-01T10:00:00+03:00"))
    result = invoke(["forecast", "--config", small_example, "--week", "2026-W50", "--out", tmp_path / "f.csv"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == len(set(warnings)), warnings
    assert sum("1678-01-01" in line for line in warnings) == 1
    assert sum("ends on 2026-11-22" in line for line in warnings) == 1


@pytest.mark.parametrize("option", ["--at", "--generated-at"])
def test_timestamp_option_beyond_the_years_a_plan_can_hold(tmp_path: Path, option: str) -> None:
    """`eta --at 9999-12-31T23:00:00+03:00` was an internal error (pandas holds no time past 2262)."""
    stamp = "9999-12-31T23:00:00+03:00"
    if option == "--at":
        args = ["eta", "--plan", tmp_path, "--queue", "email", "--at", stamp]
    else:
        args = ["export", "--config", EXAMPLE / "peakplan.toml", "--roster", tmp_path / "roster.csv", "--out", tmp_path / "feeds",
                "--generated-at", stamp]  # fmt: skip
    result = invoke(args)
    assert_clean_error(result, INPUT_ERROR, f"{option} '{stamp}' lies outside the years 1900-2200")


@pytest.mark.parametrize(("option", "value"), [("--week", "9999-W01"), ("--start", "9999-12-31"), ("--start", "0001-01-01")])
def test_planned_period_beyond_the_years_a_plan_can_hold(small_example: Path, option: str, value: str) -> None:
    """`validate --start 9999-12-31` was an internal error (the day after overflows); `--week 9999-W01` passed."""
    result = invoke(["validate", "--config", small_example, option, value, "--inputs-only"])
    assert_clean_error(result, INPUT_ERROR, f"{option} '{value}' lies outside the years 1900-2199")


def test_init_refuses_a_week_no_plan_can_hold(tmp_path: Path) -> None:
    """`init --week 9999-W01` wrote a starter project that every later command refused."""
    result = invoke(["init", tmp_path / "team", "--week", "9999-W01"])
    assert_clean_error(result, INPUT_ERROR, "--week '9999-W01' lies outside the years 1900-2199")
    assert not (tmp_path / "team" / "peakplan.toml").exists()
