"""Generate the interval histories of the example org's teams (seeded, byte-identical on every run).

Writes ``<team>/history.csv`` for each team in :data:`TEAMS`: columns
``ds,queue,y`` (``history_format = "intervals"``), one row per local interval
and queue, ``ds`` in the team's local time with its UTC offset. A DST day has
23 or 25 hours of rows.

The volume model is the example cashback desk's (``examples/cashback/generate_history.py``:
weekly rhythm, hourly shape per channel, sale effects read from ``sales.ics``),
applied in each team's own timezone and holiday calendar and scaled to the
team's size, so the three teams peak at their own local hours and on their own
public holidays. Counts per interval are Poisson draws.

Run ``python examples/org/generate_history.py`` after changing :data:`TEAMS` or ``sales.ics``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
CASHBACK = HERE.parent / "cashback" / "generate_history.py"
CALENDAR_PATH = HERE / "sales.ics"

FIRST_DAY = dt.date(2026, 7, 27)  # a Monday: 17 weeks of history before 2026-W48
LAST_DAY = dt.date(2026, 11, 22)  # inclusive: the Sunday before ISO week 2026-W48
HOLIDAY_FACTOR = 0.6

# team folder: timezone, holiday country, tickets per month (normal weeks), queues, interval, seed
TEAMS: dict[str, dict] = {
    "emea": {
        "timezone": "Europe/Berlin",
        "holidays": "DE",
        "tickets_per_month": 1_500,
        "queues": ("chat", "email"),
        "interval_minutes": 30,
        "seed": 20260101,
    },
    "americas": {
        "timezone": "America/New_York",
        "holidays": "US",
        "tickets_per_month": 1_800,
        "queues": ("chat", "email", "social"),
        "interval_minutes": 30,
        "seed": 20260102,
    },
    "apac": {
        "timezone": "Asia/Tokyo",
        "holidays": "JP",
        "tickets_per_month": 1_200,
        "queues": ("chat", "email"),
        "interval_minutes": 60,
        "seed": 20260103,
    },
}


def _cashback_model():
    """The cashback generator as a module: its volume model and sale effects, one source of truth."""
    spec = importlib.util.spec_from_file_location("cashback_generate_history", CASHBACK)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def team_history(model, team: dict) -> pd.DataFrame:
    tz = team["timezone"]
    step = team["interval_minutes"]
    starts = pd.date_range(
        pd.Timestamp(FIRST_DAY, tz=tz),
        pd.Timestamp(LAST_DAY + dt.timedelta(days=1), tz=tz),
        freq=f"{step}min",
        inclusive="left",
    )
    local = starts.tz_localize(None)
    days = local.normalize()
    weekday = model._normalised(model.WEEKDAY_FACTOR_RAW)[np.asarray(local.day_of_week)]
    years = range(FIRST_DAY.year, LAST_DAY.year + 1)
    hol_dates = [pd.Timestamp(day) for day in holidays.country_holidays(team["holidays"], years=years)]
    holiday = np.where(days.isin(hol_dates), HOLIDAY_FACTOR, 1.0)
    sale = model.sale_uplift(local, model.read_sales(CALENDAR_PATH, starts.tz))
    per_interval = team["tickets_per_month"] / 30.4375 * step / (24 * 60)
    shares = np.asarray([model.CHANNEL_SHARE[queue] for queue in team["queues"]])
    shares = shares / shares.sum()
    hours = np.asarray(local.hour)
    rng = np.random.default_rng(team["seed"])
    frames = []
    for queue, share in zip(team["queues"], shares, strict=True):
        shape = model._normalised(model.INTRADAY_RAW[queue])[hours]
        rate = per_interval * weekday * holiday * share * shape * (1.0 + sale * model.CHANNEL_SALE_SENSITIVITY[queue])
        stamp = starts.strftime("%Y-%m-%dT%H:%M:%S%z")
        frames.append(
            pd.DataFrame(
                {
                    "at": starts,
                    "ds": [text[:-2] + ":" + text[-2:] for text in stamp],
                    "queue": queue,
                    "y": rng.poisson(rate),
                }
            )
        )
    # in time order (not text order: the repeated hour of a DST change sorts wrong as text)
    frame = pd.concat(frames, ignore_index=True).sort_values(["at", "queue"], kind="stable")
    return frame.loc[:, ["ds", "queue", "y"]]


def main() -> int:
    model = _cashback_model()
    for name, team in TEAMS.items():
        path = HERE / name / "history.csv"
        frame = team_history(model, team)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".csv.tmp")
        tmp.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        tmp.replace(path)
        print(
            f"wrote {int(frame['y'].sum()):,} contacts in {len(frame):,} rows "
            f"to {path.relative_to(HERE.parent.parent)}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
