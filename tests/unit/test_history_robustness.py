"""History readers on hostile input: every problem is an InputError naming the file and row, fast.

The cases come from a seeded fuzz run over the bundled example (issue 12):
timestamps past pandas' range, ancient tickets that used to make a grid of
centuries, absurd counts, a line with 100,000 commas, files in other encodings.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest

from calendars.errors import InputError
from forecasts.csvread import read_csv_columns
from forecasts.history import HISTORY_KEEP_DAYS, read_interval_history, read_ticket_history
from forecasts.routing import Dimension, Routing, read_queue_counts

TZ = "Europe/Moscow"
HEADER = "ticket_id,created_at,channel"
GOOD = "2,2026-11-01T10:00:00+03:00,chat"


def write(tmp_path: Path, lines: list[str], name: str = "tickets.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def error_of(path: Path, **options: object) -> str:
    with pytest.raises(InputError) as error:
        read_ticket_history(path, tz=TZ, interval_minutes=30, queues=["chat", "email"], **options)  # type: ignore[arg-type]
    return str(error.value)


@pytest.mark.parametrize(
    "value", ["2262-04-12T10:00:00+03:00", "2262-04-11T23:50:00-03:00", "9999-12-31T10:00:00+03:00", "2201-01-01T00:00:00Z"]
)
@pytest.mark.parametrize("export", [None, "zendesk"])
def test_timestamp_past_pandas_range_is_refused_with_its_row(tmp_path: Path, value: str, export: str | None) -> None:
    path = write(tmp_path, [HEADER, GOOD, f"3,{value},chat"])
    options = {"export": export, "timestamp_column": "created_at", "queue_column": "channel"} if export else {}
    text = error_of(path, **options)
    assert text == f"{path} row 3: created_at {value!r} lies after the year 2200: not a real contact time"


@pytest.mark.parametrize("value", ["-2026-11-22T10:00:00+03:00", "+12026-11-22T10:00:00+03:00", "2026-02-30T10:00:00Z"])
def test_malformed_timestamp_names_row_and_value(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, [HEADER, GOOD, f"3,{value},chat"])
    text = error_of(path)
    assert text.startswith(f"{path} row 3: created_at {value!r} is not an ISO 8601 timestamp"), text


@pytest.mark.parametrize("old", ["1678-01-01T10:00:00+03:00", "1800-06-01T10:00:00+03:00", "0001-01-01T00:00:00Z"])
def test_ancient_ticket_is_dropped_with_a_warning_not_gridded(tmp_path: Path, old: str) -> None:
    path = write(tmp_path, [HEADER, f"1,{old},chat", GOOD])
    loaded = read_ticket_history(path, tz=TZ, interval_minutes=30, queues=["chat"])
    assert len(loaded.frame) == 48  # one local day, not centuries of intervals
    assert loaded.frame["y"].sum() == 1
    assert len(loaded.warnings) == 1
    assert loaded.warnings[0].startswith(f"{path}: ignored 1 row(s) dated before ")
    assert f"row 2, {old!r}" in loaded.warnings[0]


def test_rows_older_than_the_kept_window_are_dropped(tmp_path: Path) -> None:
    last = pd.Timestamp("2026-11-01T10:00:00+03:00")
    old = last - pd.Timedelta(days=HISTORY_KEEP_DAYS + 2)
    kept = last - pd.Timedelta(days=HISTORY_KEEP_DAYS - 2)
    path = write(tmp_path, [HEADER, f"1,{old.isoformat()},chat", f"2,{kept.isoformat()},chat", GOOD])
    loaded = read_ticket_history(path, tz=TZ, interval_minutes=60, queues=["chat"])
    assert loaded.frame["y"].sum() == 2
    assert "ignored 1 row(s)" in loaded.warnings[0]


def test_every_row_ancient_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, "1,1700-01-01T10:00:00Z,chat"])
    assert error_of(path).startswith(f"{path}: every row is dated before 1900")


def test_one_row_far_after_all_others_is_refused(tmp_path: Path) -> None:
    rows = [f"{n},2026-10-{1 + n % 28:02d}T10:00:00+03:00,chat" for n in range(200)]
    path = write(tmp_path, [HEADER, *rows, "999,2199-01-01T10:00:00+03:00,chat"])
    text = error_of(path)
    assert text.startswith(f"{path} row 202: '2199-01-01T10:00:00+03:00' lies more than a year after"), text


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("nan", "is not a number"),
        ("inf", "is not a number"),
        ("-inf", "is not a number"),
        ("1e308", "is not a plausible count"),
        ("9223372036854775808", "is not a plausible count"),
        ("-3", "is negative"),
        ("", "is not a number"),
    ],
)
def test_absurd_interval_counts_are_refused_with_the_row(tmp_path: Path, value: str, reason: str) -> None:
    path = write(
        tmp_path,
        ["ds,queue,y", "2026-11-01T10:00:00+03:00,chat,4", f"2026-11-01T10:30:00+03:00,chat,{value}"],
        "intervals.csv",
    )
    with pytest.raises(InputError) as error:
        read_interval_history(path, tz=TZ, interval_minutes=30, queues=["chat"])
    assert str(error.value).startswith(f"{path} row 3: y {value!r} {reason}"), str(error.value)


def test_bad_counts_and_bad_timestamps_are_reported_together(tmp_path: Path) -> None:
    path = write(tmp_path, ["ds,queue,y", "2026-11-01T10:00:00,chat,4", "2026-11-01T10:30:00+03:00,chat,inf"], "i.csv")
    with pytest.raises(InputError) as error:
        read_interval_history(path, tz=TZ, interval_minutes=30, queues=["chat"])
    lines = str(error.value).splitlines()
    assert len(lines) == 2 and "row 2: ds" in lines[0] and "row 3: y 'inf'" in lines[1]


def test_half_hour_counts_are_spread_over_quarter_hours(tmp_path: Path) -> None:
    starts = pd.date_range("2026-11-01T00:00:00+03:00", periods=48, freq="30min")
    rows = [f"{start.isoformat()},chat,{2 * (n % 5)}" for n, start in enumerate(starts)]
    path = write(tmp_path, ["ds,queue,y", *rows], "intervals.csv")
    loaded = read_interval_history(path, tz=TZ, interval_minutes=15, queues=["chat"])
    y = loaded.frame["y"].to_numpy()
    assert len(y) == 96 and y.sum() == sum(2 * (n % 5) for n in range(48))
    assert (y[0::2] == y[1::2]).all()  # :00 and :15 (and :30 and :45) share their half hour evenly
    assert (y[2:4] == 1.0).all()  # the second half hour held 2 contacts: 1 + 1
    assert "spread evenly over its 2 15-minute intervals" in loaded.warnings[0]


def test_daily_counts_are_refused_naming_the_interval(tmp_path: Path) -> None:
    days = pd.date_range("2026-10-01T00:00:00+03:00", periods=20, freq="D")
    path = write(tmp_path, ["ds,queue,y", *[f"{day.isoformat()},chat,50" for day in days]], "daily.csv")
    with pytest.raises(InputError, match=r"daily\.csv: the file's intervals are 1440 minutes, coarser than"):
        read_interval_history(path, tz=TZ, interval_minutes=30, queues=["chat"])


def test_sparse_file_is_not_mistaken_for_a_coarse_one(tmp_path: Path) -> None:
    path = write(tmp_path, ["ds,queue,y", "2026-11-01T09:00:00+03:00,chat,3", "2026-11-01T17:00:00+03:00,chat,2"], "i.csv")
    loaded = read_interval_history(path, tz=TZ, interval_minutes=30, queues=["chat"])
    assert loaded.frame["y"].sum() == 5 and not loaded.warnings


def test_line_with_100000_commas_is_refused_at_once(tmp_path: Path) -> None:
    rows = [f"{n},2026-11-01T10:00:00,email" for n in range(3000)]
    rows[10] += "," * 100_000
    path = write(tmp_path, ["Conversation ID,Created At,Type", *rows], "helpscout.csv")
    with pytest.raises(InputError) as error:
        read_ticket_history(path, tz=TZ, interval_minutes=30, queues=["email"], export="helpscout")
    assert str(error.value).startswith(f"{path} line 12: 100,003 fields, but the header (line 1) has 3")


def test_short_line_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, GOOD, "3,2026-11-01T10:00:00+03:00"])
    assert error_of(path).startswith(f"{path} line 3: 2 fields, but the header (line 1) has 3")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("ticket_id,created_at,channel\n1,2026-11-01T10:00:00+03:00,caf\xe9\n".encode("latin-1"), "line 2: not UTF-8 text"),
        (b"ticket_id,created_at,channel\n1,2026\x00-11-01,chat\n", "line 2: contains a NUL byte"),
        (b"", "is empty: expected a CSV header"),
        (b"ticket_id;created_at;channel\n1;2026-11-01T10:00:00+03:00;chat\n", "separated by semicolons"),
    ],
)
def test_unreadable_files_name_the_problem(tmp_path: Path, data: bytes, fragment: str) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes(data)
    text = error_of(path)
    assert text.startswith(str(path)) and fragment in text, text


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, b""])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_bom_and_line_endings_are_accepted(tmp_path: Path, bom: bytes, newline: str) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes(bom + newline.join([HEADER, GOOD, ""]).encode("utf-8"))
    assert read_ticket_history(path, tz=TZ, interval_minutes=30, queues=["chat"]).frame["y"].sum() == 1


def test_utf16_export_is_read(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes("\n".join([HEADER, GOOD, ""]).encode("utf-16"))
    assert read_ticket_history(path, tz=TZ, interval_minutes=30, queues=["chat"]).frame["y"].sum() == 1


def test_reader_keeps_file_line_numbers_across_blank_and_quoted_lines(tmp_path: Path) -> None:
    path = write(tmp_path, ["a,b", "1,2", "", '"x\ny",3', "4,5"])
    frame = read_csv_columns(path, required=("a", "b"))
    assert frame.index.tolist() == [2, 5, 6]
    assert frame["a"].tolist() == ["1", "x\ny", "4"]


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder, not a CSV history file"):
        read_csv_columns(tmp_path, required=("a",), what="history file")


def test_unknown_queue_suggests_the_near_miss(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, GOOD, "3,2026-11-01T10:00:00+03:00,emial"])
    assert "unknown queue 'emial' in column 'channel' (did you mean 'email'?)" in error_of(path)


ROUTED_HEADER = "ticket_id,created_at,channel,language"


def language_routing() -> Routing:
    dimension = Dimension(name="language", groups=(("ru",), ("en",)), other="en", column="language")
    return Routing(channels=("chat",), dimensions=(dimension,))


def test_routing_reads_the_encodings_the_channel_loader_reads(tmp_path: Path) -> None:
    """The queue router used pandas' own reader: a UTF-16 export the channel loader accepted crashed it."""
    path = tmp_path / "tickets.csv"
    path.write_bytes("\n".join([ROUTED_HEADER, GOOD + ",ru", GOOD + ",en", ""]).encode("utf-16"))
    counts, _ = read_queue_counts(
        str(path), tz=TZ, interval_minutes=30, timestamp_column="created_at", channel_column="channel",
        routing=language_routing(),
    )  # fmt: skip
    assert dict(zip(counts["queue"], counts["y"], strict=True)) == {"chat/en": 1.0, "chat/ru": 1.0}


def test_routing_column_missing_names_the_file_its_columns_and_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, ["ticket_id,created_at,channel,Lang", GOOD + ",ru"])
    with pytest.raises(InputError) as error:
        read_queue_counts(
            str(path), tz=TZ, interval_minutes=30, timestamp_column="created_at", channel_column="channel",
            routing=language_routing(),
        )  # fmt: skip
    assert str(error.value).startswith(f"{path}: missing column(s) ['language']; found ['ticket_id', 'created_at'")
    assert "'Lang'" in str(error.value) and "set [routing] language_column" in str(error.value)
