"""A sale calendar kept as a spreadsheet: ``name,category,start,end[,uplift]`` rows in, sales out.

Date-only values are all-day in the team zone and ``end`` is the **inclusive last
day** (``2026-11-27`` to ``2026-11-30`` is four days), because that is how people
write sale dates in a spreadsheet. Datetime values use an exclusive ``end``;
without an offset they are read in the team zone. An empty ``end`` on a date-only
row means one day. The event id is ``<name>@<start>``. ``;`` and tab separated
files (what spreadsheets in many locales save as "CSV") are read too.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from calendars.errors import InputError
from calendars.sale_event import SaleEvent, calendar_text, check_years
from calendars.uplift import UpliftValueError, parse_uplift

CSV_COLUMNS = ("name", "category", "start", "end")  # plus optional "uplift"
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")

_MAX_FIELD_CHARS = 100_000  # no name or date comes near; a longer field is not a sale calendar


def read_sales_csv(file: Path, zone: ZoneInfo) -> list[SaleEvent]:
    try:
        text = calendar_text(file.read_bytes(), file)
    except OSError as exc:
        raise InputError(f"sale calendar {file}: cannot read ({exc.strerror})") from exc
    header = text.split("\n", 1)[0]
    # Spreadsheets in many locales save "CSV" with ';' (or tabs): the header tells.
    sep = next((s for s in (",", ";", "\t") if s in header), ",")
    columns, records = _csv_records(text, sep, file)
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise InputError(f"sale calendar {file}: column(s) {twice} appear more than once in the header")
    missing = [c for c in CSV_COLUMNS if c not in columns]
    if missing:
        raise InputError(
            f"missing columns {missing} in sale calendar {file} (expected {','.join(CSV_COLUMNS)}[,uplift])"
        )
    has_uplift = "uplift" in columns
    events = []
    for row, record in records:
        where = f"sale calendar {file}, row {row}"
        name = record["name"].strip()
        if not name:
            raise InputError(f"{where}: name is empty")
        where = f"{where} ({name!r})"
        start_value = _parse_when(record["start"], "start", where)
        check_years(where, "start", start_value)
        end_raw = record["end"].strip()
        if end_raw:
            end_value = _parse_when(end_raw, "end", where)
            check_years(where, "end", end_value)
        elif not isinstance(start_value, datetime):
            end_value = start_value  # one day: the end column is inclusive for dates
        else:
            raise InputError(f"{where}: end is empty; give the exclusive end time")
        if isinstance(start_value, datetime) != isinstance(end_value, datetime):
            raise InputError(f"{where}: start and end must both be dates or both be date-times")
        all_day = not isinstance(start_value, datetime)
        if all_day:
            if end_value < start_value:
                raise InputError(f"{where}: last day {end_value} is before the first day {start_value}")
            start = datetime.combine(start_value, time(0), tzinfo=zone)
            end = datetime.combine(end_value + timedelta(days=1), time(0), tzinfo=zone)
            event_id = f"{name}@{start_value.isoformat()}"
        else:
            assert isinstance(start_value, datetime) and isinstance(
                end_value, datetime
            )  # both or neither: checked above
            start = start_value if start_value.tzinfo else start_value.replace(tzinfo=zone)
            end = end_value if end_value.tzinfo else end_value.replace(tzinfo=zone)
            if end < start:
                raise InputError(f"{where}: end {end.isoformat()} is before start {start.isoformat()}")
            event_id = f"{name}@{start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
        uplift = None
        if has_uplift and record["uplift"].strip():
            try:
                uplift = parse_uplift(record["uplift"])
            except UpliftValueError as exc:
                raise InputError(f"{where}: column uplift: {exc}") from exc
        category = record["category"].strip().lower() or name.lower()
        events.append(
            SaleEvent(
                event_id=event_id, name=name, category=category, start=start, end=end, all_day=all_day, uplift=uplift
            )
        )
    return events


def _csv_records(text: str, sep: str, file: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header's columns (lower case) and each row as (line number, column -> text), through :mod:`csv`
    (pandas took minutes over a line of 100,000 commas). A row with more fields than the header is refused
    (its values would land in the wrong columns); missing trailing fields are empty."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    previous_limit = csv.field_size_limit(_MAX_FIELD_CHARS)
    columns: list[str] | None = None
    records: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = [cell.strip().lower() for cell in cells]
                continue
            if len(cells) > len(columns):
                raise InputError(
                    f"sale calendar {file} line {reader.line_num}: {len(cells):,} fields, but the header has "
                    f"{len(columns)}: a stray delimiter, or an unquoted {sep!r} in a value"
                )
            cells += [""] * (len(columns) - len(cells))
            records.append((reader.line_num, dict(zip(columns, cells, strict=True))))
    except csv.Error as exc:
        raise InputError(f"sale calendar {file} line {reader.line_num}: cannot read as CSV: {exc}") from None
    finally:
        csv.field_size_limit(previous_limit)
    if columns is None:
        raise InputError(f"sale calendar {file} is empty: expected a header {','.join(CSV_COLUMNS)}[,uplift]")
    return columns, records


def _parse_when(raw: str, column: str, where: str) -> date | datetime:
    text = raw.strip()
    try:
        if _DATE_ONLY.fullmatch(text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            f"{where}: {column} {raw!r} is not an ISO date (2026-11-27) or date-time (2026-11-27T09:00+03:00)"
        ) from exc
