"""The stage files a plan writes and reads back, and the published roster a rerun plans over.

``forecast.csv``, ``requirements.csv``, ``roster.csv`` and ``actions.csv`` are
written by the stage commands one at a time and by ``plan`` together (their text
swapped in as one folder); ``read_*`` checks each file's contract where the file
is named. ``find_previous_roster`` picks the roster a plan regenerates over.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from calendars.files import write_text_atomic
from calendars.shifts import roster_shifts
from forecasts.forecast import FORECAST_COLUMNS
from forecasts.grid import zone
from scheduler.actions import ACTION_COLUMNS
from scheduler.config import Config
from scheduler.errors import InputError
from scheduler.rostering import ROSTER_COLUMNS
from scheduler.staffing.requirements import REQUIREMENT_COLUMNS
from scheduler.tables import MAX_TABLE_COUNT, read_table, table_to_csv


def write_actions(frame: pd.DataFrame, path: Path) -> None:
    write_text_atomic(path, actions_csv(frame))


def write_forecast(config: Config, frame: pd.DataFrame, path: Path) -> None:
    write_text_atomic(path, forecast_csv(config, frame))


def write_requirements(config: Config, frame: pd.DataFrame, path: Path) -> None:
    write_text_atomic(path, requirements_csv(config, frame))


def write_roster(config: Config, frame: pd.DataFrame, path: Path) -> None:
    write_text_atomic(path, roster_csv(config, frame))


# The stage files' text, for the writers above and for a plan, which swaps them in together.
def actions_csv(frame: pd.DataFrame) -> str:
    return table_to_csv(frame.loc[:, list(ACTION_COLUMNS)], "UTC", ())


def forecast_csv(config: Config, frame: pd.DataFrame) -> str:
    return table_to_csv(frame.loc[:, list(FORECAST_COLUMNS)], config.timezone, ("ds",))


def requirements_csv(config: Config, frame: pd.DataFrame) -> str:
    return table_to_csv(frame.loc[:, list(REQUIREMENT_COLUMNS)], config.timezone, ("ds",))


def roster_csv(config: Config, frame: pd.DataFrame) -> str:
    return table_to_csv(frame.loc[:, list(ROSTER_COLUMNS)], config.timezone, ("start", "end"))


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviousRoster:
    """The roster a plan regenerates over, where it came from, and the days it keeps as worked."""

    roster: pd.DataFrame
    path: Path
    published: bool  # found in the output folder (not passed with --previous)
    freeze_until: dt.date | None  # the last day already begun at --generated-at, if the roster planned it


def find_previous_roster(
    config: Config,
    out_dir: Path,
    start: dt.date,
    days: int,
    generated_at: dt.datetime,
    *,
    explicit: Path | None = None,
    use_published: bool = True,
    freeze_until: dt.date | None = None,
) -> PreviousRoster | None:
    """The roster to plan against: ``explicit`` (``--previous``), else the ``roster.csv`` published in ``out_dir``.

    Stable by default: agents have seen the published roster, so a rerun into
    the same folder keeps its shifts unless something forces a change (each
    change costs ``stability_weight``). Days already begun at
    ``generated_at`` (team time) are frozen unless ``freeze_until`` says
    otherwise: regenerating mid-week does not move shifts already worked.

    Returns None when there is nothing to plan against (or ``use_published``
    is off and nothing was passed).
    """
    path = explicit if explicit is not None else out_dir / "roster.csv"
    if explicit is None and (not use_published or not path.is_file()):
        return None
    frame = read_roster(path)
    if freeze_until is None and not frame.empty:
        today = generated_at.astimezone(zone(config.timezone)).date()
        planned = set(frame["start"].dt.tz_convert(config.timezone).dt.date)
        # Freeze only days the published roster planned: a day it never covered has nothing to keep.
        last = min(today, start + dt.timedelta(days=days - 1), max(planned))
        if start <= last and min(planned) <= start:
            freeze_until = last
    return PreviousRoster(roster=frame, path=path, published=explicit is None, freeze_until=freeze_until)


# A column only one stage's file has, and how to name that file: a file handed to the wrong
# option ("--requirements forecast.csv") is named for what it is, not only for what it lacks.
_STAGE_SIGNATURES = (
    ("forecast", "yhat", "a forecast (forecast.csv, from `peakplan forecast`)"),
    ("requirements", "agents_required", "requirements (requirements.csv, from `peakplan staff`)"),
    ("roster", "activity", "a roster (roster.csv, from `peakplan roster`)"),
)


def _other_stage(path: Path, kind: str) -> str | None:
    """What another stage's file ``path`` looks like, judged by its header; None if it looks like none."""
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            header = next(csv.reader([handle.readline()]), [])
    except OSError:
        return None
    columns = {column.strip() for column in header}
    own = {stage: column for stage, column, _ in _STAGE_SIGNATURES}
    if own[kind] in columns:
        return None
    return next((name for stage, column, name in _STAGE_SIGNATURES if stage != kind and column in columns), None)


def _read_stage_table(
    path: Path, kind: str, required: Sequence[str], time_columns: Sequence[str], **options: Any
) -> pd.DataFrame:
    try:
        return read_table(path, required, time_columns, what=kind, **options)
    except InputError as error:
        other = _other_stage(Path(path), kind)
        if other is None:
            raise
        wanted = {"forecast": "a forecast", "roster": "a roster"}.get(kind, kind)
        raise InputError(f"{error}: the file holds {other}, not {wanted}") from None


def read_forecast(path: Path) -> pd.DataFrame:
    return _read_stage_table(
        path, "forecast", ("ds", "queue", "yhat"), ("ds",), numeric_columns=("yhat",), maximum=MAX_TABLE_COUNT
    )


def read_requirements(path: Path) -> pd.DataFrame:
    return _read_stage_table(
        path,
        "requirements",
        ("ds", "queue", "agents_required"),
        ("ds",),
        numeric_columns=("agents_required",),
        maximum=MAX_TABLE_COUNT,
    )


def read_roster(path: Path) -> pd.DataFrame:
    frame = _read_stage_table(path, "roster", ROSTER_COLUMNS, ("start", "end"))
    frame["queue"] = frame["queue"].astype(str)
    roster_shifts(frame, source=str(path))  # the roster contract, checked where the file is named
    return frame
