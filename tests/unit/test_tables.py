"""Stage tables written as CSV with offsets and read back as UTC."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.errors import InputError
from scheduler.tables import FLOAT_DECIMALS, as_written, format_timestamps, read_table, table_to_csv, write_table


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ds": pd.to_datetime(["2026-11-27T06:30:00Z", "2026-11-27T07:00:00Z"], utc=True),
            "queue": ["chat", "email"],
            "agents_required": [1.23456789, -0.00001],
        }
    )


def test_csv_text_uses_the_team_offset_and_fixed_decimals() -> None:
    text = table_to_csv(frame(), "Europe/Moscow", ["ds"])
    assert text == (
        "ds,queue,agents_required\n"
        "2026-11-27T09:30:00+03:00,chat,1.2346\n"
        "2026-11-27T10:00:00+03:00,email,0.0000\n"  # -0.00001 rounds to 0.0000, not -0.0000
    )


def test_negative_and_half_hour_offsets() -> None:
    values = pd.Series(pd.to_datetime(["2026-07-01T12:00:00Z"], utc=True))
    assert format_timestamps(values, "America/New_York").tolist() == ["2026-07-01T08:00:00-04:00"]
    assert format_timestamps(values, "Asia/Kolkata").tolist() == ["2026-07-01T17:30:00+05:30"]


def test_write_then_read_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "requirements.csv"
    original = frame()
    original["agents_required"] = [1.25, 3.0]
    write_table(original, path, "Europe/Moscow", ["ds"])
    back = read_table(path, ["ds", "queue", "agents_required"], ["ds"], numeric_columns=["agents_required"])
    assert str(back["ds"].dt.tz) == "UTC"
    assert back["ds"].tolist() == original["ds"].tolist()
    assert back["queue"].tolist() == ["chat", "email"]
    assert back["agents_required"].tolist() == [1.25, 3.0]
    # Writing what was read gives the same bytes.
    again = tmp_path / "again.csv"
    write_table(back, again, "Europe/Moscow", ["ds"])
    assert again.read_bytes() == path.read_bytes()


def test_reader_accepts_any_offset_and_z(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("ds,y\n2026-11-27T09:30:00+03:00,1\n2026-11-27T06:30:00Z,2\n2026-11-27T07:30:00+0100,3\n")
    back = read_table(path, ["ds", "y"], ["ds"], numeric_columns=["y"])
    assert back["ds"].tolist() == [pd.Timestamp("2026-11-27T06:30:00Z")] * 3
    assert back["y"].tolist() == [1.0, 2.0, 3.0]


def test_naive_timestamp_names_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "forecast.csv"
    path.write_text("ds,y\n2026-11-27T09:30:00+03:00,1\n2026-11-27T10:00:00+03:00,2\n2026-11-27T10:30:00,3\n")
    with pytest.raises(InputError) as error:
        read_table(path, ["ds", "y"], ["ds"])
    assert str(error.value) == (
        f"{path} row 4: ds '2026-11-27T10:30:00' has no UTC offset (write e.g. 2026-11-27T09:30:00+03:00)"
    )


def test_unparseable_timestamp_and_number(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("ds,y\n2026-13-45T09:30:00+03:00,1\n")
    with pytest.raises(InputError) as error:
        read_table(path, ["ds", "y"], ["ds"])
    assert str(error.value) == f"{path} row 2: ds '2026-13-45T09:30:00+03:00' is not an ISO 8601 timestamp"
    path.write_text("ds,y\n2026-11-27T09:30:00+03:00,1\n2026-11-27T10:00:00+03:00,many\n")
    with pytest.raises(InputError) as error:
        read_table(path, ["ds", "y"], ["ds"], numeric_columns=["y"])
    assert str(error.value) == f"{path} row 3: y 'many' is not a number"


def test_missing_columns_are_all_listed(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("agent_id,begin\na1,2026-11-27T09:30:00+03:00\n")
    with pytest.raises(InputError) as error:
        read_table(path, ["agent_id", "queue", "start", "end"], ["start", "end"])
    assert str(error.value) == f"{path}: missing column(s) ['queue', 'start', 'end']; found ['agent_id', 'begin']"


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        read_table(tmp_path / "nope.csv", ["ds"], ["ds"], what="roster")
    assert str(error.value) == f"roster file {tmp_path / 'nope.csv'} not found"
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="is empty: expected a CSV header"):
        read_table(empty, ["ds"], ["ds"])


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2262-04-12T10:00:00+03:00", "lies outside the years 1900-2200"),
        ("9999-12-31T10:00:00+03:00", "lies outside the years 1900-2200"),
        ("0001-01-01T00:00:00Z", "lies outside the years 1900-2200"),
        ("-2026-11-22T10:00:00+03:00", "is not an ISO 8601 timestamp"),
    ],
)
def test_years_outside_the_supported_range_name_the_row(tmp_path: Path, value: str, reason: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(f"agent_id,start\na1,2026-11-27T09:30:00+03:00\na2,{value}\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_table(path, ["agent_id", "start"], ["start"])
    assert str(error.value) == f"{path} row 3: start {value!r} {reason}"


def test_ragged_and_huge_lines_are_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("agent_id,start\na1,2026-11-27T09:30:00+03:00" + "," * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"roster\.csv line 2: 100,002 fields, but the header \(line 1\) has 2"):
        read_table(path, ["agent_id", "start"], ["start"])


def test_infinite_number_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "forecast.csv"
    path.write_text("ds,yhat\n2026-11-27T09:30:00+03:00,inf\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"forecast\.csv row 2: yhat 'inf' is not a number"):
        read_table(path, ["ds", "yhat"], ["ds"], numeric_columns=["yhat"])


def _read_back(values: pd.Series) -> np.ndarray:
    """What a float column's CSV text parses back to (the definition as_written must meet)."""
    text = (values.round(FLOAT_DECIMALS) + 0.0).map(lambda value: f"{value:.{FLOAT_DECIMALS}f}")
    return pd.to_numeric(text).astype(float).to_numpy()


@given(
    st.lists(
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)
        | st.integers(-(10**9), 10**9).map(lambda k: k / 10**FLOAT_DECIMALS)
        | st.integers(-(10**9), 10**9).map(lambda k: (k + 0.5) / 10**FLOAT_DECIMALS),
        min_size=1,
        max_size=50,
    )
)
def test_as_written_equals_the_csv_text_read_back_bit_for_bit(values: list[float]) -> None:
    column = pd.Series(values, dtype=float)
    written = as_written(pd.DataFrame({"x": column}))["x"].to_numpy()
    assert written.tobytes() == _read_back(column).tobytes()


def test_as_written_on_many_magnitudes_is_bit_identical() -> None:
    rng = np.random.default_rng(7)
    column = pd.Series(
        np.concatenate([10 ** rng.uniform(-8, 12, 20_000), rng.uniform(-5, 5, 20_000), [0.0, -0.0, -4e-5]])
    )
    written = as_written(pd.DataFrame({"x": column}))["x"].to_numpy()
    assert written.tobytes() == _read_back(column).tobytes()
