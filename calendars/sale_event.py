"""One sale as peakplan reads it from any calendar file, and the events table it becomes.

The table follows the ``events`` contract in docs/data-contracts.md (``EVENT_COLUMNS``).
:mod:`calendars.sales` reads ``.ics`` files into :class:`SaleEvent`, :mod:`calendars.sales_csv`
spreadsheets; both check years and decode text here, so the two readers agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from calendars.errors import InputError
from calendars.ics import FIRST_YEAR, LAST_YEAR

EVENT_COLUMNS = ("event_id", "name", "category", "start", "end", "all_day", "uplift")


@dataclass(frozen=True, slots=True, kw_only=True)
class SaleEvent:
    """One sale or campaign (one instance of a recurring one).

    ``start``/``end`` are tz-aware; ``end`` is exclusive. ``uplift`` is the
    stated extra volume as a fraction (1.5 = +150 %), ``None`` to learn it.
    """

    event_id: str
    name: str
    category: str
    start: datetime
    end: datetime
    all_day: bool
    uplift: float | None = None


def check_years(where: str, what: str, value: date | datetime) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InputError(
            f"{where}: {what} {value.isoformat()} is outside the years {FIRST_YEAR}-{LAST_YEAR} peakplan reads "
            "(a typo in the year?)"
        )


def events_frame(events: Iterable[SaleEvent]) -> pd.DataFrame:
    """The events table for ``events``, typed and sorted as the contract says."""
    events = list(events)
    frame = pd.DataFrame(
        {
            "event_id": pd.Series([e.event_id for e in events], dtype="str"),
            "name": pd.Series([e.name for e in events], dtype="str"),
            "category": pd.Series([e.category for e in events], dtype="str"),
            "start": pd.Series([e.start.astimezone(UTC) for e in events], dtype="datetime64[ns, UTC]"),
            "end": pd.Series([e.end.astimezone(UTC) for e in events], dtype="datetime64[ns, UTC]"),
            "all_day": pd.Series([e.all_day for e in events], dtype="bool"),
            "uplift": pd.Series([math.nan if e.uplift is None else e.uplift for e in events], dtype="float64"),
        },
        columns=list(EVENT_COLUMNS),
    )
    return frame.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)


def calendar_text(data: bytes, file: Path) -> str:
    """The file's text: UTF-8 (BOM or not) or UTF-16 with its BOM.

    Raises:
        InputError: another encoding (Latin-1, cp1252, ...), naming the byte.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"sale calendar {file} is not {encoding.removesuffix('-sig').upper()} text (byte {data[exc.start : exc.start + 1]!r} "
            f"at position {exc.start}): save it as UTF-8"
        ) from None
