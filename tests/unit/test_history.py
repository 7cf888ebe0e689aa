"""Loading ticket and interval history into interval counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from calendars.errors import InputError
from forecasts.grid import interval_grid
from forecasts.history import HISTORY_COLUMNS, load_interval_history, load_ticket_history

TZ = "Europe/Moscow"


def write(tmp_path: Path, text: str, name: str = "history.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tickets(tmp_path: Path, rows: list[str], header: str = "ticket_id,created_at,channel") -> Path:
    return write(tmp_path, "\n".join([header, *rows]) + "\n")


def test_counts_tickets_per_interval_on_a_zero_filled_grid_of_whole_days(tmp_path: Path) -> None:
    path = tickets(
        tmp_path,
        [
            "1,2026-11-02T09:05:00+03:00,chat",
            "2,2026-11-02T06:20:00Z,chat",  # 09:20 Moscow, same interval
            "3,2026-11-02T09:35:00+03:00,email",
            "4,2026-11-03T23:59:59+03:00,chat",
        ],
    )
    history = load_ticket_history(path, tz=TZ, interval_minutes=30)

    assert tuple(history.columns) == HISTORY_COLUMNS
    assert str(history["ds"].dtype) == "datetime64[ns, UTC]"
    assert history["y"].dtype == float
    grid = interval_grid(dt.date(2026, 11, 2), 2, TZ, 30)
    assert len(history) == 2 * len(grid)  # two queues, two whole days
    assert history["queue"].tolist() == ["chat"] * len(grid) + ["email"] * len(grid)
    assert (history.groupby("queue")["ds"].apply(lambda s: s.is_monotonic_increasing)).all()
    assert history["y"].sum() == 4
    at = history.set_index(["queue", "ds"])["y"]
    assert at[("chat", pd.Timestamp("2026-11-02T09:00:00+03:00"))] == 2.0
    assert at[("email", pd.Timestamp("2026-11-02T09:30:00+03:00"))] == 1.0
    assert at[("chat", pd.Timestamp("2026-11-03T23:30:00+03:00"))] == 1.0


def test_known_queues_without_tickets_are_zero_filled(tmp_path: Path) -> None:
    path = tickets(tmp_path, ["1,2026-11-02T09:05:00+03:00,chat"])
    history = load_ticket_history(path, tz=TZ, interval_minutes=60, queues=["social", "chat"])
    assert sorted(history["queue"].unique()) == ["chat", "social"]
    assert history.loc[history["queue"] == "social", "y"].sum() == 0
    assert len(history) == 2 * 24


def test_custom_column_names(tmp_path: Path) -> None:
    path = tickets(tmp_path, ["2026-11-02T09:05:00+03:00,voice"], header="opened,skill")
    history = load_ticket_history(path, tz=TZ, interval_minutes=15, timestamp_column="opened", queue_column="skill")
    assert history["queue"].unique().tolist() == ["voice"]
    assert len(history) == 96


def test_dst_day_has_25_hours_of_intervals(tmp_path: Path) -> None:
    path = tickets(
        tmp_path,
        ["1,2026-10-25T02:10:00+02:00,chat", "2,2026-10-25T02:10:00+01:00,chat"],  # the repeated hour, twice
    )
    history = load_ticket_history(path, tz="Europe/Berlin", interval_minutes=30)
    assert len(history) == 50
    assert history["y"].tolist().count(1.0) == 2


def test_half_hour_offset_zone_bins_from_local_midnight(tmp_path: Path) -> None:
    path = tickets(tmp_path, ["1,2026-11-02T00:45:00+05:30,chat"])
    history = load_ticket_history(path, tz="Asia/Kolkata", interval_minutes=60)
    hit = history.loc[history["y"] == 1, "ds"].iloc[0]
    assert hit == pd.Timestamp("2026-11-02T00:00:00+05:30")


def test_naive_timestamp_names_file_and_row(tmp_path: Path) -> None:
    path = tickets(tmp_path, ["1,2026-11-02T09:05:00+03:00,chat", "2,2026-11-02 09:00,chat", "3,2026-11-02,chat"])
    with pytest.raises(InputError, match=r"history\.csv row 3: created_at '2026-11-02 09:00' has no UTC offset"):
        load_ticket_history(path, tz=TZ, interval_minutes=30)


def test_date_without_time_is_not_taken_for_an_offset(tmp_path: Path) -> None:
    path = tickets(tmp_path, ["1,2026-11-02,chat"])
    with pytest.raises(InputError, match=r"history\.csv row 2: created_at '2026-11-02' has no UTC offset"):
        load_ticket_history(path, tz=TZ, interval_minutes=30)


def test_unparsable_timestamp_names_row(tmp_path: Path) -> None:
    path = tickets(tmp_path, ["1,2026-11-02T09:05:00+03:00,chat", "2,yesterday+03:00,chat", "3,,chat"])
    with pytest.raises(InputError, match=r"history\.csv row 3: created_at 'yesterday\+03:00' is not an ISO 8601"):
        load_ticket_history(path, tz=TZ, interval_minutes=30)


def test_missing_columns_are_listed_together_with_the_columns_found(tmp_path: Path) -> None:
    path = tickets(tmp_path, ["1,x"], header="ticket_id,subject")
    with pytest.raises(InputError) as info:
        load_ticket_history(path, tz=TZ, interval_minutes=30)
    message = str(info.value)
    assert message.endswith("history.csv: missing column(s) ['created_at', 'channel']; found ['ticket_id', 'subject']")
    assert "['ticket_id', 'subject']" in message


def test_unknown_queue_names_value_row_and_known_queues(tmp_path: Path) -> None:
    path = tickets(tmp_path, ["1,2026-11-02T09:05:00+03:00,chat", "2,2026-11-02T09:05:00+03:00,phone"])
    with pytest.raises(InputError, match=r"history\.csv row 3: unknown queue 'phone'.*known queues: chat, email"):
        load_ticket_history(path, tz=TZ, interval_minutes=30, queues=["email", "chat"])


def test_empty_queue_and_empty_file_and_missing_file(tmp_path: Path) -> None:
    path = tickets(tmp_path, ["1,2026-11-02T09:05:00+03:00,"])
    with pytest.raises(InputError, match=r"history\.csv row 2: column 'channel' is empty"):
        load_ticket_history(path, tz=TZ, interval_minutes=30)
    with pytest.raises(InputError, match="has no tickets"):
        load_ticket_history(tickets(tmp_path, []), tz=TZ, interval_minutes=30)
    with pytest.raises(InputError, match="not found"):
        load_ticket_history(tmp_path / "nope.csv", tz=TZ, interval_minutes=30)


def test_bad_timezone_and_interval(tmp_path: Path) -> None:
    path = tickets(tmp_path, ["1,2026-11-02T09:05:00+03:00,chat"])
    with pytest.raises(InputError, match="unknown timezone"):
        load_ticket_history(path, tz="Mars/Base", interval_minutes=30)
    with pytest.raises(InputError, match="must divide a day"):
        load_ticket_history(path, tz=TZ, interval_minutes=7)


# -- interval files -------------------------------------------------------------------


def test_interval_file_is_rebinned_by_summing(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ds,queue,y\n"
        "2026-11-02T09:00:00+03:00,chat,2\n"
        "2026-11-02T09:15:00+03:00,chat,3.5\n"
        "2026-11-02T06:30:00Z,chat,1\n",
        "intervals.csv",
    )
    history = load_interval_history(path, tz=TZ, interval_minutes=30)
    at = history.set_index("ds")["y"]
    assert at[pd.Timestamp("2026-11-02T09:00:00+03:00")] == 5.5
    assert at[pd.Timestamp("2026-11-02T09:30:00+03:00")] == 1.0
    assert len(history) == 48


def test_interval_file_without_queue_column_is_queue_all(tmp_path: Path) -> None:
    path = write(tmp_path, "ds,y\n2026-11-02T09:00:00+03:00,4\n", "intervals.csv")
    history = load_interval_history(path, tz=TZ, interval_minutes=60)
    assert history["queue"].unique().tolist() == ["all"]
    with pytest.raises(InputError, match="no 'queue' column"):
        load_interval_history(path, tz=TZ, interval_minutes=60, queues=["chat"])


@pytest.mark.parametrize(
    ("rows", "pattern"),
    [
        (["2026-11-02T09:00:00+03:00,chat,-1"], r"intervals\.csv row 2: y '-1' is negative"),
        (["2026-11-02T09:00:00+03:00,chat,many"], r"intervals\.csv row 2: y 'many' is not a number"),
        (["2026-11-02T09:00:00+03:00,chat,1", "2026-11-02T09:00:00+03:00,chat,2"], r"row 3: .* repeats row 2"),
        (["2026-11-02T09:00:00,chat,1"], r"intervals\.csv row 2: ds '2026-11-02T09:00:00' has no UTC offset"),
    ],
)
def test_interval_file_errors(tmp_path: Path, rows: list[str], pattern: str) -> None:
    path = write(tmp_path, "\n".join(["ds,queue,y", *rows]) + "\n", "intervals.csv")
    with pytest.raises(InputError, match=pattern):
        load_interval_history(path, tz=TZ, interval_minutes=30)


def test_interval_file_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "when,count\n", "intervals.csv")
    with pytest.raises(InputError, match=r"intervals\.csv: missing column\(s\) \['ds', 'y'\]"):
        load_interval_history(path, tz=TZ, interval_minutes=30)
