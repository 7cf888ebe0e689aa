"""Read the columns of a user's CSV file safely: every problem names the file and the line.

pandas' reader is fast, but on hostile input it is slow or vague: a data line
with 100,000 extra commas makes ``read_csv(usecols=...)`` run for minutes, a
ragged line is silently padded, and its messages name no file. This reader
streams the file through :mod:`csv` (C code) and checks what pandas lets pass:

* the text is UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured), with no
  NUL byte;
* every data line has as many fields as the header (blank lines are skipped);
* the header names each needed column exactly once; a file written with ``;``
  or tabs is named as such.

The result is a DataFrame of strings holding the wanted columns, indexed by
the 1-based line number of each row in the file (the header is line 1), so a
message can say ``row 12`` even when a quoted field spans lines.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from _csv import Reader  # what csv.reader returns (typeshed's name; the class is private at run time)

from calendars.errors import InputError
from calendars.files import refuse_special_file

MAX_FIELD_CHARS = 100_000
"""Longest field accepted: a ticket export has no field near this long."""

MAX_COLUMNS = 1_000
"""Most columns in a header: helpdesk exports have dozens; a stray run of commas has thousands."""

_SHOWN_COLUMNS = 12

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n|\n[ \t\r\f\v]+\Z")  # a line of nothing or only spaces

FAST_FROM_CHARS = 1_000_000
"""Files this long or longer go through pyarrow when it is installed (below, csv is as quick)."""


def read_csv_columns(
    path: str | os.PathLike[str],
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    what: str = "file",
    all_columns: bool = False,
) -> pd.DataFrame:
    """The ``required`` and (present) ``optional`` columns of a CSV file, as strings.

    Args:
        path: the CSV file.
        required: columns that must be present; all missing ones are listed.
        optional: columns read when present.
        what: what the file is, for "not found" messages ("history file").
        all_columns: return every column of the file, not only the named ones.

    Returns:
        A DataFrame of ``str`` columns (``required``, then the present
        ``optional`` ones), indexed by the line number of each row.

    Raises:
        InputError: the file is missing, a folder, unreadable, not UTF-8, has a
            NUL byte, no header, a line with a wrong number of fields or a
            huge field, or lacks a required column. The message names the file
            and the line.
    """
    name = os.fspath(path)
    text = _read_text(path, name, what)
    fast = _read_with_pyarrow(text, name, list(required), list(optional), all_columns)
    if fast is not None:
        return fast
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    previous_limit = csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        return _columns(reader, name, list(required), list(optional), all_columns)
    except csv.Error as error:
        line = reader.line_num
        detail = f"a field is longer than {MAX_FIELD_CHARS:,} characters" if "field larger" in str(error) else error
        raise InputError(f"{name} line {line}: cannot read as CSV: {detail}") from None
    finally:
        csv.field_size_limit(previous_limit)


def _read_text(path: str | os.PathLike[str], name: str, what: str) -> str:
    refuse_special_file(path, what)
    try:
        data = open(path, "rb").read()  # noqa: SIM115 - read whole, closed by refcount
    except FileNotFoundError:
        raise InputError(f"{what} {name} not found") from None
    except IsADirectoryError:
        raise InputError(f"{name} is a folder, not a CSV {what}") from None
    except OSError as error:
        raise InputError(f"cannot read {what} {name}: {error.strerror or error}") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"{name} line {line}: not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start}); "
            "save the file as UTF-8 (CSV UTF-8 in spreadsheet programs)"
        ) from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise InputError(f"{name} line {line}: contains a NUL byte: this is not a text CSV file")
    return text


def _columns(reader: Reader, name: str, required: list[str], optional: list[str], all_columns: bool) -> pd.DataFrame:
    header: list[str] | None = None
    for row in reader:
        if row and any(cell.strip() for cell in row):
            header = [cell.strip() for cell in row]
            break
    if header is None:
        raise InputError(f"{name} is empty: expected a CSV header with columns {required}")
    header_line = reader.line_num
    wanted = _wanted_columns(header, header_line, name, required, optional, all_columns)
    positions = [header.index(column) for column in wanted]
    width = len(header)
    lines: list[int] = []
    cells: list[list[str]] = [[] for _ in wanted]
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != width:
            raise InputError(
                f"{name} line {reader.line_num}: {len(row):,} fields, but the header (line {header_line}) has "
                f"{width}: a stray or missing delimiter, or an unquoted comma in a value"
            )
        lines.append(reader.line_num)
        for store, position in zip(cells, positions, strict=True):
            store.append(row[position])
    index = pd.Index(lines, dtype="int64", name="line")
    return pd.DataFrame(
        {column: pd.Series(store, index=index, dtype=str) for column, store in zip(wanted, cells, strict=True)},
        index=index,
    )


def _wanted_columns(
    header: list[str], header_line: int, name: str, required: list[str], optional: list[str], all_columns: bool
) -> list[str]:
    """The columns to read, in order; checks the header (size, required columns, names given twice)."""
    if len(header) > MAX_COLUMNS:
        raise InputError(
            f"{name} line {header_line}: the header has {len(header):,} columns (at most {MAX_COLUMNS:,}): "
            "a stray run of delimiters, or not a CSV file"
        )
    missing = [column for column in required if column not in header]
    if missing:
        found = header[:_SHOWN_COLUMNS] + ([f"... ({len(header)} in all)"] if len(header) > _SHOWN_COLUMNS else [])
        hint = _delimiter_hint(header)
        raise InputError(f"{name}: missing column(s) {missing}; found {found}{hint}")
    if all_columns:
        optional = [column for column in header if column not in required]
    twice = sorted({column for column in (*required, *optional) if header.count(column) > 1})
    if twice:
        raise InputError(f"{name} line {header_line}: column(s) {twice} appear more than once in the header")
    return [column for column in (*required, *optional) if column in header]


def _read_with_pyarrow(
    text: str, name: str, required: list[str], optional: list[str], all_columns: bool
) -> pd.DataFrame | None:
    """The same table through pyarrow's multi-threaded CSV parser, for large plain files.

    Used when pyarrow is installed (the ``fast-csv`` extra) and the file is at least
    FAST_FROM_CHARS long. "Plain" means: the header is the first line and unquoted, no
    line is longer than MAX_FIELD_CHARS, and every other line is exactly one data row
    (no blank lines, no quoted line breaks), so a row's line number is its position.
    Anything else, and any error pyarrow raises (a ragged line, say), returns None: the
    streaming reader then reads the file and names the problem as it always does. The
    values are the same strings either way (tests/unit/test_csvread_fast.py).
    """
    if len(text) < FAST_FROM_CHARS:
        return None
    try:
        import pyarrow as pa
        from pyarrow import csv as arrow_csv
    except ImportError:
        return None
    first_end = text.find("\n")
    first = text[:first_end] if first_end >= 0 else text
    if not first.strip() or '"' in first or "\r" in first.rstrip("\r"):
        return None
    header = [cell.strip() for cell in first.rstrip("\r").split(",")]
    if len(header) < 2 or len(header) > MAX_COLUMNS:  # one column: blank lines would be rows
        return None  # the streaming reader names it
    wanted = _wanted_columns(header, 1, name, required, optional, all_columns)
    if _BLANK_LINE.search(text):  # csv skips blank lines; pyarrow would make rows of them
        return None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    data = text.encode("utf-8")
    if _longest_line_bytes(data) > MAX_FIELD_CHARS:  # may hold a field over the limit: let csv say
        return None
    keys = [f"c{position}" for position in range(len(header))]
    picked = [keys[header.index(column)] for column in wanted]
    try:
        table = arrow_csv.read_csv(
            io.BytesIO(data),
            read_options=arrow_csv.ReadOptions(skip_rows=1, column_names=keys),
            parse_options=arrow_csv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=arrow_csv.ConvertOptions(
                include_columns=picked,
                column_types=dict.fromkeys(picked, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if table.num_rows != lines - 1:
        return None
    frame = table.select(picked).to_pandas()
    frame.columns = pd.Index(wanted)
    frame.index = pd.Index(range(2, table.num_rows + 2), dtype="int64", name="line")
    return frame.astype(str)


def _longest_line_bytes(data: bytes) -> int:
    """Bytes in the longest line of ``data`` (vectorised: a Python loop over lines costs seconds)."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    bounds = np.concatenate(([-1], ends, [len(data)]))
    return int(np.diff(bounds).max()) - 1


def _delimiter_hint(header: list[str]) -> str:
    if len(header) != 1:
        return ""
    for delimiter, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'")):
        if delimiter in header[0]:
            return f" (the header looks separated by {label}: save the file comma-separated)"
    return ""


__all__ = ("MAX_FIELD_CHARS", "read_csv_columns")
