"""`peakplan diff OLD NEW`: per agent, the shifts added, removed, moved or moved to other queues, in local time."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from cli_support import EXAMPLE, PlanRun, assert_clean_error, invoke
from scheduler.report.diff import diff_rosters

CONFIG = EXAMPLE / "peakplan.toml"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def shift_ids(rows: list[dict[str, str]], agent_id: str) -> list[str]:
    return list(dict.fromkeys(row["shift_id"] for row in rows if row["agent_id"] == agent_id))


def later(stamp: str, hours: int) -> str:
    return (dt.datetime.fromisoformat(stamp) + dt.timedelta(hours=hours)).isoformat()


@pytest.fixture
def edited(example_plan: PlanRun, tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """The example roster and a copy with a01's first shift removed, a02's first moved 1 h later, a03's first on email."""
    assert example_plan.result.exit_code == 0, example_plan.result.output
    old = example_plan.out / "roster.csv"
    rows = read_rows(old)
    removed, moved, requeued = shift_ids(rows, "a01")[0], shift_ids(rows, "a02")[0], shift_ids(rows, "a03")[0]
    new_rows = []
    for row in rows:
        if row["shift_id"] == removed:
            continue
        if row["shift_id"] == moved:
            row = {**row, "start": later(row["start"], 1), "end": later(row["end"], 1)}
        if row["shift_id"] == requeued and row["activity"] == "work":
            row = {**row, "queue": "email"}
        new_rows.append(row)
    return old, write_rows(tmp_path / "new.csv", new_rows), {"removed": removed, "moved": moved, "queues": requeued}


def test_identical_rosters_have_no_changes(example_plan: PlanRun) -> None:
    roster = example_plan.out / "roster.csv"
    result = invoke(["diff", roster, roster])
    assert result.exit_code == 0, result.output
    shifts = len({row["shift_id"] for row in read_rows(roster)})
    assert result.stdout.strip() == f"0 added, 0 removed, 0 moved, 0 with other queues, {shifts} unchanged; 0 agents affected"


def test_diff_lists_each_agents_changes_in_local_time(edited: tuple[Path, Path, dict[str, str]]) -> None:
    old, new, ids = edited
    result = invoke(["diff", old, new, "--config", CONFIG])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "a01 (Anna Petrova): 1 change"
    assert lines[1].startswith("  - removed: ")
    assert lines[2] == "a02 (Dmitry Sokolov): 1 change"
    assert lines[3].startswith("  ~ moved:   ") and " -> " in lines[3]
    assert lines[4] == "a03 (Elena Kuznetsova): 1 change"
    assert lines[5].startswith("  ~ queues:  ") and lines[5].endswith(" email")
    assert lines[-1].startswith("0 added, 1 removed, 1 moved, 1 with other queues, ")
    # Local (Moscow) wall-clock times from the shift ids: <agent>-<date>-<HHMM>
    _agent, year, month, day, hhmm = ids["moved"].split("-")
    start = f"{hhmm[:2]}:{hhmm[2:]}"
    moved_to = f"{int(hhmm[:2]) + 1:02d}:{hhmm[2:]}"
    assert f"{year}-{month}-{day} {start}-" in lines[3] and f"-> {moved_to}-" in lines[3]


def test_diff_json_for_notifications(edited: tuple[Path, Path, dict[str, str]]) -> None:
    old, new, ids = edited
    result = invoke(["diff", old, new, "--config", CONFIG, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["totals"]["removed"] == 1 and payload["totals"]["moved"] == 1 and payload["totals"]["queues"] == 1
    assert payload["totals"]["added"] == 0 and payload["totals"]["agents_affected"] == 3
    by_agent = {agent["agent_id"]: agent for agent in payload["agents"]}
    assert by_agent["a01"]["name"] == "Anna Petrova"
    (removal,) = by_agent["a01"]["changes"]
    assert removal["kind"] == "removed" and removal["new"] is None and removal["old"]["shift_id"] == ids["removed"]
    (move,) = by_agent["a02"]["changes"]
    assert move["kind"] == "moved"
    assert move["old"]["start"].endswith("+03:00") and move["new"]["start"].endswith("+03:00")
    assert later(move["old"]["start"], 1) == move["new"]["start"]
    (requeue,) = by_agent["a03"]["changes"]
    assert requeue["kind"] == "queues" and requeue["new"]["queues"] == ["email"]


def test_reverse_diff_adds_what_was_removed(edited: tuple[Path, Path, dict[str, str]]) -> None:
    old, new, _ids = edited
    payload = json.loads(invoke(["diff", new, old, "--json"]).stdout)  # no --config: the file's own UTC offset
    assert payload["totals"]["added"] == 1 and payload["totals"]["removed"] == 0
    added = payload["agents"][0]["changes"][0]
    assert added["kind"] == "added" and added["new"]["start"].endswith("+03:00")


def test_missing_roster_file_exits_3(example_plan: PlanRun, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    result = invoke(["diff", missing, example_plan.out / "roster.csv"])
    assert_clean_error(result, 3, f"roster file {missing} not found")


def test_roster_without_columns_exits_3(example_plan: PlanRun, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("agent_id,start\na01,2026-11-23T09:00:00+03:00\n", encoding="utf-8")
    result = invoke(["diff", bad, example_plan.out / "roster.csv"])
    assert_clean_error(result, 3, str(bad), "missing column(s)")


def test_unknown_timezone_exits_3(example_plan: PlanRun) -> None:
    roster = example_plan.out / "roster.csv"
    result = invoke(["diff", roster, roster, "--tz", "Mars/Olympus"])
    assert result.exit_code == 3 and "Mars/Olympus" in result.stderr


def _roster(*shifts: tuple[str, str, str, str, str]) -> pd.DataFrame:
    rows = [
        {"agent_id": agent, "queue": queue, "activity": "work", "start": pd.Timestamp(start), "end": pd.Timestamp(end),
         "shift_id": shift_id}  # fmt: skip
        for agent, queue, start, end, shift_id in shifts
    ]
    frame = pd.DataFrame(rows)
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    return frame


def test_night_shift_across_the_berlin_dst_change_keeps_its_local_day() -> None:
    # 22:00 CEST on 24 October to 07:00 CET on 25 October: 10 hours, starting on the 24th.
    old = _roster(("n", "chat", "2026-10-24T22:00:00+02:00", "2026-10-25T07:00:00+01:00", "n-2026-10-24-2200"))
    new = _roster(("n", "chat", "2026-10-24T23:00:00+02:00", "2026-10-25T07:00:00+01:00", "n-2026-10-24-2300"))
    diff = diff_rosters(old, new, "Europe/Berlin")
    (change,) = diff.changes
    assert change.kind == "moved" and change.day == dt.date(2026, 10, 24)
    from scheduler.report.diff import change_text

    assert change_text(change, "Europe/Berlin") == (
        "~ moved:   Sat 2026-10-24 22:00-07:00 (+1) chat -> 23:00-07:00 (+1) chat"
    )
