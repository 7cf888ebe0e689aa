"""Loading ticket and interval history into interval counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from calendars.errors import InputError
from forecasts.grid import interval_grid
from forecasts.history import HISTORY_COLUMNS, load_interval_history, load_ticket_history, read_interval_history

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


# -- naive local times and DST (the standalone `peakplan forecast --history`) ---------------

JERUSALEM = "Asia/Jerusalem"


def hourly_rows(day: str, counts: list[int], hours: list[str] | None = None) -> list[str]:
    hours = hours or [f"{h:02d}:00" for h in range(len(counts))]
    return [f"{day}T{hour}:00,{count}" for hour, count in zip(hours, counts, strict=True)]


def test_naive_local_times_load_in_the_given_zone(tmp_path: Path) -> None:
    path = write(tmp_path, "ds,y\n" + "\n".join(hourly_rows("1999-03-01", [1] * 24)) + "\n", "calls.csv")
    loaded = read_interval_history(path, tz=JERUSALEM, interval_minutes=60, local_naive=True)
    assert loaded.warnings == ()
    first = loaded.frame["ds"].iloc[0]
    assert first == pd.Timestamp("1999-03-01T00:00:00+02:00")
    assert len(loaded.frame) == 24 and loaded.frame["y"].sum() == 24


def test_dst_gap_hour_counts_in_the_next_interval_and_warns(tmp_path: Path) -> None:
    # 1999-04-02 in Israel: 02:00 -> 03:00; the source still lists an 02:00 row
    counts = [5, 4, 7, 6] + [1] * 20
    path = write(tmp_path, "ds,y\n" + "\n".join(hourly_rows("1999-04-02", counts)) + "\n", "calls.csv")
    loaded = read_interval_history(path, tz=JERUSALEM, interval_minutes=60, local_naive=True)
    day = loaded.frame
    assert len(day) == 23  # the short day
    at = day.set_index("ds")["y"]
    assert at[pd.Timestamp("1999-04-02T03:00:00+03:00")] == 7 + 6  # the 02:00 row joins the 03:00 interval
    assert day["y"].sum() == sum(counts)
    assert len(loaded.warnings) == 1
    assert "1999-04-02 02:00:00 do not exist in Asia/Jerusalem" in loaded.warnings[0]


def test_repeated_hour_listed_twice_loads_both_hours(tmp_path: Path) -> None:
    # 1999-09-03 in Israel: 02:00 summer time -> 01:00 standard time; 01:00 happens twice
    hours = ["00:00", "01:00", "01:00", *[f"{h:02d}:00" for h in range(2, 24)]]
    counts = [3, 10, 20, *[1] * 22]
    path = write(tmp_path, "ds,y\n" + "\n".join(hourly_rows("1999-09-03", counts, hours)) + "\n", "calls.csv")
    loaded = read_interval_history(path, tz=JERUSALEM, interval_minutes=60, local_naive=True)
    assert loaded.warnings == ()
    at = loaded.frame.set_index("ds")["y"]
    assert len(at) == 25
    assert at[pd.Timestamp("1999-09-03T01:00:00+03:00")] == 10
    assert at[pd.Timestamp("1999-09-03T01:00:00+02:00")] == 20


def test_repeated_hour_listed_once_is_the_first_hour_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "ds,y\n" + "\n".join(hourly_rows("1999-09-03", [1] * 24)) + "\n", "calls.csv")
    loaded = read_interval_history(path, tz=JERUSALEM, interval_minutes=60, local_naive=True)
    at = loaded.frame.set_index("ds")["y"]
    assert at[pd.Timestamp("1999-09-03T01:00:00+03:00")] == 1
    assert at[pd.Timestamp("1999-09-03T01:00:00+02:00")] == 0
    assert "occur twice in Asia/Jerusalem (DST ends) but once in the file" in loaded.warnings[0]


@pytest.mark.parametrize(
    ("rows", "pattern"),
    [
        (
            ["1999-03-01T10:00:00,1", "1999-03-01T09:00:00,1"],
            r"calls\.csv row 3: interval '1999-03-01T09:00:00' of queue 'all' is earlier than row 2 "
            r"\('1999-03-01T10:00:00'\): the file is not in time order",
        ),
        (["1999-03-01T10:00:00,1", "1999-03-01T10:00:00,2"], r"calls\.csv row 3: .* repeats row 2"),
        (
            ["1999-09-03T01:00:00,1", "1999-09-03T01:00:00,1", "1999-09-03T01:00:00,1"],
            r"calls\.csv row 4: ds '1999-09-03T01:00:00' occurs a third time",
        ),
        (["1999-04-02T02:00:00,1", "1999-04-02T02:00:00,1"], r"calls\.csv row 3: .* repeats row 2"),
        (["1999-03-01T10:00:00,-3"], r"calls\.csv row 2: y '-3' is negative"),
        (["yesterday,1"], r"calls\.csv row 2: ds 'yesterday' is not an ISO 8601 date and time"),
    ],
)
def test_bad_naive_history_names_the_row(tmp_path: Path, rows: list[str], pattern: str) -> None:
    path = write(tmp_path, "\n".join(["ds,y", *rows]) + "\n", "calls.csv")
    with pytest.raises(InputError, match=pattern):
        load_interval_history(path, tz=JERUSALEM, interval_minutes=60, local_naive=True)


def test_unsorted_interval_file_with_offsets_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ds,queue,y\n2026-11-02T10:00:00+03:00,chat,1\n2026-11-02T09:00:00+03:00,chat,1\n"
        "2026-11-02T09:00:00+03:00,email,1\n",
        "intervals.csv",
    )
    with pytest.raises(InputError, match=r"row 3: .*'chat' is earlier than row 2 .* sort it by ds"):
        load_interval_history(path, tz=TZ, interval_minutes=60)


def test_queues_may_interleave_when_each_is_in_time_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ds,queue,y\n2026-11-02T09:00:00+03:00,email,1\n2026-11-02T09:00:00+03:00,chat,2\n"
        "2026-11-02T10:00:00+03:00,email,3\n",
        "intervals.csv",
    )
    history = load_interval_history(path, tz=TZ, interval_minutes=60)
    assert history.groupby("queue")["y"].sum().to_dict() == {"chat": 2.0, "email": 4.0}


# -- helpdesk exports -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("export", "header", "rows", "expected"),
    [
        (
            "zendesk",
            "Id,Subject,Created at,Via",
            ["1,Refund,2026-11-02 09:05:00 +0300,Web form", "2,Hi,2026-11-02 09:10,Chat", "3,X,2026-11-02 09:40,Email"],
            {"web_form": 1.0, "chat": 1.0, "email": 1.0},
        ),
        (
            "freshdesk",
            "Ticket ID,Subject,Created time,Source",
            ["7,Where is my cashback,2026-11-02 09:05:00,Email", "8,Hello,2026-11-02 09:45:00,Feedback Widget"],
            {"email": 1.0, "feedback_widget": 1.0},
        ),
        (
            "helpscout",
            "Conversation ID,Created At,Type",
            ["10,2026-11-02T06:05:00Z,email", "11,2026-11-02T09:15:00,chat"],
            {"email": 1.0, "chat": 1.0},
        ),
    ],
)
def test_helpdesk_export_presets(
    tmp_path: Path, export: str, header: str, rows: list[str], expected: dict[str, float]
) -> None:
    path = tickets(tmp_path, rows, header=header)
    history = load_ticket_history(path, tz=TZ, interval_minutes=60, export=export)
    assert history.groupby("queue")["y"].sum().to_dict() == expected
    nine = history[history["ds"] == pd.Timestamp("2026-11-02T09:00:00+03:00")]
    assert nine["y"].sum() == sum(expected.values())  # naive times read in Moscow time, offsets honoured


def test_export_queue_map_folds_helpdesk_channels_into_configured_queues(tmp_path: Path) -> None:
    path = tickets(
        tmp_path,
        ["1,2026-11-02 09:05,Web form", "2,2026-11-02 09:10,Email", "3,2026-11-02 09:20,Chat"],
        header="Id,Created at,Via",
    )
    history = load_ticket_history(
        path, tz=TZ, interval_minutes=60, export="zendesk", queue_map={"Web form": "email"}, queues=["chat", "email"]
    )
    assert history.groupby("queue")["y"].sum().to_dict() == {"chat": 1.0, "email": 2.0}
    with pytest.raises(InputError, match=r"row 2: unknown queue 'web_form' in column 'Via'"):
        load_ticket_history(path, tz=TZ, interval_minutes=60, export="zendesk", queues=["chat", "email"])


def test_unknown_export_preset_lists_the_known_ones(tmp_path: Path) -> None:
    path = tickets(tmp_path, ["1,2026-11-02T09:05:00+03:00,chat"])
    with pytest.raises(InputError, match=r"unknown helpdesk export 'kayako': use one of freshdesk, helpscout, zendesk"):
        load_ticket_history(path, tz=TZ, interval_minutes=60, export="kayako")


def test_config_export_key_sets_the_columns(tmp_path: Path) -> None:
    from scheduler.config import load_config

    example = Path(__file__).resolve().parents[2] / "examples" / "cashback" / "peakplan.toml"
    text = example.read_text(encoding="utf-8").replace(
        'timestamp_column = "created_at"\nqueue_column = "channel"\n',
        'export = "freshdesk"\nqueue_map = { portal = "email", phone = "chat" }\n',
    )
    assert 'export = "freshdesk"' in text
    config_path = tmp_path / "peakplan.toml"
    config_path.write_text(text, encoding="utf-8")
    config = load_config(config_path)
    assert (config.export, config.timestamp_column, config.queue_column) == ("freshdesk", "Created time", "Source")
    assert dict(config.queue_map) == {"phone": "chat", "portal": "email"}
    config_path.write_text(text.replace('export = "freshdesk"', 'export = "otrs"'), encoding="utf-8")
    with pytest.raises(InputError, match=r"inputs\.export = 'otrs': unknown helpdesk export"):
        load_config(config_path)
