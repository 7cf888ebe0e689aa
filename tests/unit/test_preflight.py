"""The pre-flight pass: every input and output checked before work, every problem listed, warnings apart."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.validation.preflight import FILE, FOLDER, Output, Reads, check_inputs, output_problems

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cashback"
START = dt.date(2026, 11, 23)
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example with six weeks of history; returns its config."""
    folder = tmp_path / "cashback"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("history", "*.py"))
    lines = (EXAMPLE / "history" / "tickets.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "history").mkdir()
    (folder / "history" / "tickets.csv").write_text(
        lines[0] + "".join(line for line in lines[1:] if line.split(",")[1] >= "2026-10-12"), encoding="utf-8"
    )
    return folder / "peakplan.toml"


def replace(path: Path, old: str, new: str) -> None:
    """Replace the first occurrence of ``old`` (which must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_example_passes(example: Path, tmp_path: Path) -> None:
    result = check_inputs(example, start=START, outputs=[Output(path=tmp_path / "out", kind=FOLDER)], today=TODAY)
    assert result.ok, result.problems.items
    assert result.config is not None and result.team is not None and result.warnings == []


def test_problems_of_every_file_are_listed_together(example: Path, tmp_path: Path) -> None:
    replace(example, "shrinkage = 0.30", "shrinkage = 3")
    replace(example.parent / "team.toml", 'contract = "student"', 'contract = "studnet"')
    history = example.parent / "history" / "tickets.csv"
    lines = history.read_text(encoding="utf-8").split("\n")
    lines[5] = lines[5].replace("+03:00", "")
    history.write_text("\n".join(lines), encoding="utf-8")
    result = check_inputs(
        example, start=START, outputs=[Output(path=tmp_path, kind=FILE, example="forecast.csv")], today=TODAY
    )
    with pytest.raises(InputError) as error:
        result.raise_if_problems()
    text = str(error.value).splitlines()
    assert text[0] == f"--out {tmp_path} is a folder: give a file name (e.g. {tmp_path / 'forecast.csv'})"
    assert any("staffing.shrinkage = 3: must be >= 0 and <= 0.95" in line for line in text)
    assert any("team.toml" in line and "= 'studnet': unknown contract (did you mean 'student'?)" in line for line in text)
    assert any("tickets.csv row 6: created_at" in line and "has no UTC offset" in line for line in text)


def test_previous_roster_with_unknown_agent_and_queue(example: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "agent_id,queue,activity,start,end,shift_id\n"
        "a1,chat/ru,work,2026-11-20T09:00:00+03:00,2026-11-20T13:00:00+03:00,s1\n"
        "a02,chat/rus,work,2026-11-20T09:00:00+03:00,2026-11-20T13:00:00+03:00,s2\n",
        encoding="utf-8",
    )
    result = check_inputs(example, start=START, reads=Reads(previous=roster), today=TODAY)
    assert any(
        line.startswith(f"{roster}: agent id 'a1' is not in the team file {example.parent / 'team.toml'} (did you mean 'a")
        for line in result.problems.items
    ), result.problems.items
    assert any(line.startswith(f"{roster}: queue 'chat/rus' is not a channel") and "(did you mean 'chat/ru'?)" in line
               for line in result.problems.items)  # fmt: skip


def test_past_week_and_stale_history_are_warnings_not_problems(example: Path) -> None:
    result = check_inputs(example, start=dt.date(2027, 3, 1), today=dt.date(2027, 6, 1))
    assert result.ok, result.problems.items
    assert any("ends on 2026-11-22" in warning and "before the planned start 2027-03-01" in warning for warning in result.warnings)
    assert any("is in the past" in warning for warning in result.warnings)


def test_history_starting_after_the_planned_week_is_a_problem(example: Path) -> None:
    result = check_inputs(example, start=dt.date(2026, 1, 5), today=TODAY)
    assert any("no history before the planned start 2026-01-05 (the history starts on 2026-10-12)" in p
               for p in result.problems.items)  # fmt: skip


def test_a_sale_over_the_whole_history_is_blamed_on_the_calendar(example: Path) -> None:
    csv = example.parent / "sales.csv"
    csv.write_text("name,category,start,end\nForever sale,sale,2026-01-01,2026-12-31\n", encoding="utf-8")
    replace(example, 'events = "sales.ics"', 'events = "sales.csv"')
    result = check_inputs(example, start=START, today=TODAY)
    assert any(p.startswith(f"{csv}: event 'Forever sale'") and "covers the history" in p for p in result.problems.items)


def test_min_agents_above_the_skilled_agents(example: Path) -> None:
    replace(example, 'min_agents = { "chat/ru" = 1,', 'min_agents = { "chat/ru" = 40,')
    result = check_inputs(example, start=START, today=TODAY)
    assert any("roster.min_agents.chat/ru = 40, but only" in p for p in result.problems.items)


def a_file(folder: Path) -> Path:
    path = folder / "f.txt"
    path.write_text("x", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "kind", "fragment"),
    [
        (lambda tmp: tmp, FILE, "is a folder: give a file name"),
        (lambda tmp: a_file(tmp), FOLDER, "is a file: give a folder"),
        (lambda tmp: a_file(tmp) / "x", FOLDER, "f.txt is a file, not a folder"),
        (lambda tmp: a_file(tmp) / "x.csv", FILE, "f.txt is a file, not a folder"),
    ],
)
def test_output_paths(tmp_path: Path, make: object, kind: str, fragment: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    problems = output_problems(Output(path=path, kind=kind))
    assert len(problems) == 1 and fragment in problems[0], problems


def test_new_outputs_under_an_existing_folder_are_fine(tmp_path: Path) -> None:
    assert output_problems(Output(path=tmp_path / "a" / "b", kind=FOLDER)) == []
    assert output_problems(Output(path=tmp_path / "forecast.csv", kind=FILE)) == []
    assert output_problems(Output(path=tmp_path / "new" / "forecast.csv", kind=FILE)) == []  # folders are created
    assert output_problems(Output(path=a_file(tmp_path), kind=FILE)) == []  # an existing file is replaced


def test_routing_column_missing_is_found_before_the_forecast(example: Path) -> None:
    """[routing] reads each ticket's language: a history without that column used to pass the pass."""
    history = example.parent / "history" / "tickets.csv"
    replace(history, "ticket_id,created_at,channel,language", "ticket_id,created_at,channel,Language")
    result = check_inputs(example, start=START, today=TODAY)
    assert [line for line in result.problems.items if "missing column(s) ['language']" in line] == [
        f"{history}: missing column(s) ['language']; found ['ticket_id', 'created_at', 'channel', 'Language']; "
        "[routing] splits chat, email by language: set [routing] language_column / topic_column to the column "
        "naming each ticket's language or topic"
    ]


def test_stale_history_is_worded_as_the_forecast_words_it(example: Path) -> None:
    """One wording for the pass and the forecast, so a command that runs both prints it once."""
    from forecasts.history import stale_history_warning

    last, start = dt.date(2026, 11, 22), dt.date(2026, 12, 7)
    result = check_inputs(example, start=start, today=TODAY)
    expected = stale_history_warning(example.parent / "history" / "tickets.csv", last, start)
    assert expected is not None and expected in result.warnings


def test_a_device_named_as_an_input_is_refused_not_read(example: Path) -> None:
    """`history = "/dev/zero"` used to be read forever; /dev/null stands in here (it ends, so a regression fails)."""
    replace(example, 'history = "history/tickets.csv"', 'history = "/dev/null"')
    replace(example, 'file = "team.toml"', 'file = "/dev/null"')
    replace(example, 'events = "sales.ics"', 'events = "/dev/null"')
    result = check_inputs(example, start=START, today=TODAY)
    refused = [line for line in result.problems.items if "/dev/null is not a regular file (a device or pipe)" in line]
    assert len(refused) == 3, result.problems.items
    assert any("give the sale calendar as a file" in line for line in refused)


def test_a_channel_setting_mistake_does_not_hide_the_history(example: Path) -> None:
    """The history needs the channels' names only: a negative aht used to stop the pass before the history."""
    replace(example, "aht_seconds = 480", "aht_seconds = -480")
    history = example.parent / "history" / "tickets.csv"
    lines = history.read_text(encoding="utf-8").split("\n")
    lines[6] = lines[6].replace(lines[6].split(",")[1], "2026-10-12T25:99:00+03:00")
    history.write_text("\n".join(lines), encoding="utf-8")
    result = check_inputs(example, start=START, today=TODAY)
    assert any("channels.chat.aht_seconds = -480: must be > 0" in line for line in result.problems.items)
    assert any(line.startswith(f"{history} row 7: created_at '2026-10-12T25:99:00+03:00'") for line in result.problems.items)


def stage_file(tmp_path: Path, name: str, value_column: str, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / name
    lines = [f"ds,queue,{value_column}"] + [f"2026-11-23T10:00:00+03:00,{queue},{value}" for queue, value in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("kind", "column"), [("forecast", "yhat"), ("requirements", "agents_required")])
@pytest.mark.parametrize("value", ["1e308", "-1"])
def test_stage_file_numbers_out_of_range_are_named_with_their_row(
    example: Path, tmp_path: Path, kind: str, column: str, value: str
) -> None:
    """A hand-edited 1e308 in requirements.csv overflowed the solver (exit 1); -1 agents was planned."""
    path = stage_file(tmp_path, f"{kind}.csv", column, [("chat/ru", "3"), ("chat/ru", value)])
    reads = Reads(team=False, history=False, events=False, **{kind: path})
    result = check_inputs(example, reads=reads, today=TODAY)
    assert result.problems.items == [f"{path} row 3: {column} '{value}' must be from 0 to 1,000,000,000"]


def test_stage_file_queues_are_checked_against_the_config(example: Path, tmp_path: Path) -> None:
    path = stage_file(tmp_path, "forecast.csv", "yhat", [("chat/ru", "3"), ("chat/xx", "2")])
    result = check_inputs(example, reads=Reads(team=False, history=False, events=False, forecast=path), today=TODAY)
    assert len(result.problems.items) == 1
    assert result.problems.items[0].startswith(f"{path}: queue 'chat/xx' is not a channel of {example} (did you mean")
