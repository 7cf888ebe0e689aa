"""Reading and writing the stage tables (forecast, requirements, roster) as CSV.

Timestamps are written as ISO 8601 in the team's timezone with its UTC offset
(``2026-11-27T09:30:00+03:00``) and read back as UTC; a timestamp without an
offset is an error, because a roster must never depend on the reader's clock.
Floats are rounded to a fixed number of decimals so files are byte-stable.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from calendars.files import write_text_atomic
from forecasts.csvread import read_csv_columns
from forecasts.timestamps import MAX_YEAR, MIN_YEAR
from scheduler.errors import InputError

FLOAT_DECIMALS = 4


def format_timestamps(values: pd.Series, tz: str) -> pd.Series:
    """ISO 8601 with offset in ``tz``, seconds included."""
    local = pd.to_datetime(values, utc=True).dt.tz_convert(tz)
    # Each distinct moment formatted once (strftime runs in Python per value, and a stage table
    # repeats every interval once per queue), then spread back to the rows.
    codes, moments = pd.factorize(local)
    text = pd.Series(pd.DatetimeIndex(moments).strftime("%Y-%m-%dT%H:%M:%S%z"), dtype=object)
    # strftime gives +0300; RFC 3339 / ISO 8601 extended form wants +03:00.
    text = text.str.slice(0, -2) + ":" + text.str.slice(-2)
    spread = np.where(codes >= 0, text.to_numpy(dtype=object)[np.maximum(codes, 0)] if len(text) else None, None)
    return pd.Series(spread, index=values.index, dtype=object)  # missing moments stay missing (empty cells)


def table_to_csv(frame: pd.DataFrame, tz: str, time_columns: Sequence[str]) -> str:
    """Render a stage table as CSV text with stable formatting."""
    out = frame.copy()
    for column in time_columns:
        out[column] = format_timestamps(out[column], tz)
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(FLOAT_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\n", float_format=f"%.{FLOAT_DECIMALS}f")
    return buffer.getvalue()


def as_written(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its float columns as :func:`read_table` would read them back from the CSV.

    ``plan`` computes each stage from the previous stage's table as written, so
    its outputs equal those of the single-stage commands that read the files.
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            rounded = out[column].round(FLOAT_DECIMALS) + 0.0
            if rounded.dtype == np.float64 and not rounded.isna().any():
                # A float64 rounded to 4 decimals reads back as itself: it is the double nearest k / 10^4,
                # which prints as k / 10^4 exactly (or, where doubles are sparser than 10^-4, prints within
                # half their spacing) and parses back to the same double. tests/unit/test_tables.py checks it.
                out[column] = rounded
                continue
            text = rounded.map(lambda value: f"{value:.{FLOAT_DECIMALS}f}")
            out[column] = pd.to_numeric(text).astype(float)
    return out


def write_table(frame: pd.DataFrame, path: str | Path, tz: str, time_columns: Sequence[str]) -> None:
    """Write a stage table atomically."""
    write_text_atomic(path, table_to_csv(frame, tz, time_columns))


def parse_timestamps(values: pd.Series, source: str, column: str) -> pd.Series:
    """Parse ISO 8601 strings that carry an offset; name the first bad row otherwise.

    Row numbers are the index of ``values`` (file lines, the header being line 1,
    as :func:`forecasts.csvread.read_csv_columns` gives them). Years outside
    1900-2200 are refused: no shift or forecast lies there, and pandas cannot
    hold times past 2262.
    """
    text = values.astype("string").str.strip()
    has_offset = text.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True, na=False)
    if not has_offset.all():
        position = int(np.flatnonzero(~has_offset.to_numpy())[0])
        raise InputError(
            f"{source} row {values.index[position]}: {column} {values.iloc[position]!r} has no UTC offset "
            "(write e.g. 2026-11-27T09:30:00+03:00)"
        )
    year = pd.to_numeric(text.str.extract(r"^(\d{4})-", expand=False), errors="coerce")
    outside = (year.isna() | (year < MIN_YEAR) | (year > MAX_YEAR)).to_numpy()
    parsed = pd.to_datetime(text.where(~outside), utc=True, format="ISO8601", errors="coerce")
    if parsed.isna().any():
        position = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        value = values.iloc[position]
        reason = (
            f"lies outside the years {MIN_YEAR}-{MAX_YEAR}" if outside[position] and not pd.isna(year.iloc[position])
            else "is not an ISO 8601 timestamp"
        )  # fmt: skip
        raise InputError(f"{source} row {values.index[position]}: {column} {value!r} {reason}")
    return parsed


MAX_TABLE_COUNT = 1e9
"""Contacts or agents of one interval at most (a hand-edited 1e308 overflowed the solver)."""


def read_table(
    path: str | Path,
    required: Sequence[str],
    time_columns: Sequence[str],
    *,
    numeric_columns: Sequence[str] = (),
    maximum: float | None = None,
    what: str = "table",
) -> pd.DataFrame:
    """Read a stage table, checking columns, timestamps and numbers.

    Every number of a stage table is a count, an amount or a share: ``numeric_columns``
    must hold finite values >= 0 (and <= ``maximum`` when given).

    Raises:
        InputError: missing file, a folder, unreadable CSV, missing columns (all
            listed), bad timestamp or number (first bad row named).
    """
    source = Path(path)
    frame = read_csv_columns(source, required=required, what=f"{what} file", all_columns=True)
    for column in time_columns:
        frame[column] = parse_timestamps(frame[column], str(source), column)
    for column in numeric_columns:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = ~np.isfinite(numbers.to_numpy(dtype=float))
        if bad.any():
            position = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{source} row {frame.index[position]}: {column} {frame[column].iloc[position]!r} is not a number"
            )
        values = numbers.to_numpy(dtype=float)
        outside = (values < 0) | (values > maximum if maximum is not None else False)
        if outside.any():
            position = int(np.flatnonzero(outside)[0])
            limit = f"from 0 to {maximum:,.0f}" if maximum is not None else ">= 0"
            raise InputError(
                f"{source} row {frame.index[position]}: {column} {frame[column].iloc[position]!r} must be {limit}"
            )
        frame[column] = numbers.astype(float)
    return frame.reset_index(drop=True)
