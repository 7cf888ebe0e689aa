"""The answer-time outputs of a plan: ``response_times.csv``, the helpdesk feed ``response_times.json``, and ETA.

The CSV holds, per deferred queue and interval start, when a message received
then is answered (:mod:`scheduler.staffing.response_times`). The JSON feed is
what a helpdesk integration fetches to fill its auto-reply: per interval, the
answer time of a message received at the interval's *end*, the latest moment
the row covers (answer times only grow with the arrival time under FIFO), so
the promise holds for every message of the interval. :func:`plan_eta` answers
for any moment from the files of a plan folder alone.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from calendars.files import write_text_atomic
from forecasts.grid import zone
from scheduler.config import WEEKDAY_NAMES, Config
from scheduler.coverage import scheduled_agents
from scheduler.errors import InputError
from scheduler.staffing.response_times import (
    RESPONSE_TIME_COLUMNS,
    DeferredQueue,
    Scenarios,
    answer_times,
    deferred_queues,
    response_times,
    simulate,
)
from scheduler.tables import MAX_TABLE_COUNT, read_table, table_to_csv

CSV_FILE = "response_times.csv"
FEED_FILE = "response_times.json"
FEED_VERSION = 1
REPLY_BY_ROUNDING = pd.Timedelta(minutes=5)  # the promise in words is rounded up to this


@dataclass(frozen=True, slots=True, kw_only=True)
class Eta:
    """When a message received at ``received`` on ``queue`` is answered (``None`` beyond the plan)."""

    queue: str
    timezone: str
    received: dt.datetime
    expected_at: dt.datetime | None
    p80_at: dt.datetime | None

    def minutes(self, moment: dt.datetime | None) -> float | None:
        return None if moment is None else round((moment - self.received).total_seconds() / 60, 1)

    def as_json(self) -> dict[str, Any]:
        def iso(moment: dt.datetime | None) -> str | None:
            return None if moment is None else moment.isoformat()

        return {
            "queue": self.queue,
            "received_at": iso(self.received),
            "expected_at": iso(self.expected_at),
            "p80_at": iso(self.p80_at),
            "expected_minutes": self.minutes(self.expected_at),
            "p80_minutes": self.minutes(self.p80_at),
            "timezone": self.timezone,
        }


def deferred_queue_names(config: Config, queues: tuple[str, ...]) -> tuple[str, ...]:
    """The queues among ``queues`` answered later (email, social), not live."""
    return tuple(sorted(queue for queue in queues if not config.channel(queue).live))


def plan_answer_inputs(
    config: Config, forecast: pd.DataFrame, requirements: pd.DataFrame, roster: pd.DataFrame
) -> tuple[DeferredQueue, ...]:
    """The FIFO inputs of every deferred queue of a plan (tables as written)."""
    coverage = scheduled_agents(roster, requirements, config.interval_minutes)
    names = deferred_queue_names(config, tuple(str(queue) for queue in requirements["queue"].unique()))
    return deferred_queues(forecast, requirements, coverage, names, config.timezone)


def answer_feed(
    config: Config, queues: tuple[DeferredQueue, ...], simulated: dict[str, Scenarios] | None = None
) -> dict[str, Any]:
    """The helpdesk feed: per deferred queue and interval, when a message received in it is answered.

    ``simulated``: :func:`~scheduler.staffing.response_times.simulate` per queue name, if already run.
    """
    tz = config.timezone
    feed: dict[str, Any] = {
        "version": FEED_VERSION,
        "team": config.team_name,
        "timezone": tz,
        "interval_minutes": config.interval_minutes,
        "queues": {},
    }
    for queue in sorted(queues, key=lambda item: item.queue):
        ends = queue.starts + queue.step
        times = answer_times(queue, ends, simulated=simulated.get(queue.queue) if simulated else None)
        channel = config.channel(queue.queue)
        rows = []
        reply_by = _reply_by_all(times.p80_at, tz)
        columns = zip(
            _local_isos(queue.starts, tz),
            _local_isos(ends, tz),
            _local_isos(times.expected_at, tz),
            _local_isos(times.p80_at, tz),
            ends,
            times.p80_at,
            reply_by,
            strict=True,
        )
        for start, end, expected, p80, end_at, p80_at, words in columns:
            rows.append(
                {
                    "from": start,
                    "to": end,
                    "expected_at": expected,
                    "p80_at": p80,
                    "p80_minutes": None
                    if pd.isna(p80_at)
                    else int(math.ceil((p80_at - end_at) / pd.Timedelta(minutes=1))),
                    **words,
                }
            )
        feed["queues"][queue.queue] = {
            "open": str(channel.open),
            "open_days": [WEEKDAY_NAMES[day] for day in channel.open_days],
            "intervals": rows,
        }
    return feed


def _local_isos(moments: pd.DatetimeIndex, tz: str) -> list[str | None]:
    """Each moment in ISO 8601 with the UTC offset of ``tz`` (``None`` for NaT)."""
    return [None if pd.isna(moment) else moment.isoformat() for moment in moments.tz_convert(tz)]


def _reply_by_all(moments: pd.DatetimeIndex, tz: str) -> list[dict[str, str | None]]:
    """The P80 promise in words: local date, weekday and clock time, rounded up to five minutes (``None`` for NaT).

    Rounded in UTC: the same minutes as on the local clock (UTC offsets are whole
    quarter hours), and no ambiguous local time to resolve in the hour a DST
    change repeats.
    """
    local = moments.tz_convert("UTC").ceil(REPLY_BY_ROUNDING).tz_convert(tz)
    return [
        {"reply_by_date": None, "reply_by_day": None, "reply_by_time": None}
        if pd.isna(moment)
        else {
            "reply_by_date": moment.strftime("%Y-%m-%d"),
            "reply_by_day": moment.strftime("%A"),
            "reply_by_time": moment.strftime("%H:%M"),
        }
        for moment in local
    ]


def render_feed(feed: dict[str, Any]) -> str:
    """The feed as JSON text with one line per interval: small, and a changed plan diffs by the line."""
    header = {key: value for key, value in feed.items() if key != "queues"}
    lines = ["{"] + [f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}," for key, value in header.items()]
    lines.append(' "queues": {')
    names = list(feed["queues"])
    for number, name in enumerate(names):
        queue = feed["queues"][name]
        lines.append(f"  {json.dumps(name, ensure_ascii=False)}: {{")
        for key, value in queue.items():
            if key != "intervals":
                lines.append(f"   {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
        rows = [json.dumps(row, ensure_ascii=False) for row in queue["intervals"]]
        lines.append('   "intervals": [')
        lines.extend(f"    {row}{',' if index < len(rows) - 1 else ''}" for index, row in enumerate(rows))
        lines.append("   ]")
        lines.append("  }" + ("," if number < len(names) - 1 else ""))
    lines.append(" }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_answer_times(config: Config, queues: tuple[DeferredQueue, ...], out_dir: Path) -> pd.DataFrame:
    """Write ``response_times.csv`` and ``response_times.json`` into ``out_dir`` (each atomically)."""
    frame, files = answer_time_files(config, queues)
    for name, text in files.items():
        write_text_atomic(out_dir / name, text)
    return frame


def answer_time_files(config: Config, queues: tuple[DeferredQueue, ...]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The answer times per interval, and ``response_times.csv`` / ``.json`` as text by file name."""
    # Both files read the same seeded scenarios: draw and run them once per queue.
    simulated = {queue.queue: simulate(queue) for queue in queues}
    frame = response_times(queues, simulated=simulated)
    table = table_to_csv(frame.loc[:, list(RESPONSE_TIME_COLUMNS)], config.timezone, ("ds", "expected_at", "p80_at"))
    return frame, {CSV_FILE: table, FEED_FILE: render_feed(answer_feed(config, queues, simulated))}


def read_plan_tables(out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``forecast.csv``, ``requirements.csv`` and ``roster.csv`` of a plan folder, with what answer times need."""
    forecast = read_table(
        out_dir / "forecast.csv",
        ("ds", "queue", "yhat", "yhat_hi"),
        ("ds",),
        numeric_columns=("yhat", "yhat_hi"),
        maximum=MAX_TABLE_COUNT,
        what="forecast",
    )
    numbers = ("volume", "aht_seconds", "shrinkage", "max_occupancy", "agents_required")
    requirements = read_table(
        out_dir / "requirements.csv",
        ("ds", "queue", "open", *numbers),
        ("ds",),
        numeric_columns=numbers,
        what="requirements",
    )
    roster = read_table(
        out_dir / "roster.csv",
        ("agent_id", "queue", "activity", "start", "end", "shift_id"),
        ("start", "end"),
        what="roster",
    )
    roster["queue"] = roster["queue"].astype(str).replace("nan", "")
    return forecast, requirements, roster


def plan_eta(out_dir: Path, queue: str, received: dt.datetime) -> Eta:
    """When a message received at ``received`` on ``queue`` is answered, from a plan folder's files.

    Reads ``response_times.json`` (timezone, deferred queues), ``forecast.csv``,
    ``requirements.csv`` and ``roster.csv``, and evaluates the same model that
    wrote ``response_times.csv`` at that exact moment.

    Raises:
        InputError: a file is missing or unreadable, the queue is not a
            deferred queue of the plan, or the moment is outside the plan.
    """
    feed_path = out_dir / FEED_FILE
    try:
        feed = json.loads(feed_path.read_text(encoding="utf-8"))
        tz = str(feed["timezone"])
        known = sorted(feed["queues"])
    except FileNotFoundError:
        raise InputError(f"{feed_path} not found: run `peakplan plan` into {out_dir} first") from None
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"{feed_path}: not a peakplan answer-time feed ({error})") from None
    try:
        zone(tz)
    except InputError as error:
        raise InputError(f"{feed_path}: timezone: {error}") from None
    if queue not in known:
        raise InputError(
            f"queue {queue!r} has no answer times in {out_dir}; deferred queues: {', '.join(known) or 'none'}"
        )
    if received.tzinfo is None:
        raise InputError(f"--at {received.isoformat()} has no UTC offset (write e.g. 2026-11-27T22:10:00+03:00)")
    forecast, requirements, roster = read_plan_tables(out_dir)
    starts = pd.to_datetime(requirements.loc[requirements["queue"] == queue, "ds"], utc=True).sort_values()
    interval_minutes = int((starts.iloc[1] - starts.iloc[0]) / pd.Timedelta(minutes=1)) if len(starts) > 1 else 30
    coverage = scheduled_agents(roster, requirements, interval_minutes)
    (inputs,) = deferred_queues(forecast, requirements, coverage, (queue,), tz)
    times = answer_times(inputs, pd.DatetimeIndex([pd.Timestamp(received)]))
    return Eta(
        queue=queue,
        timezone=tz,
        received=pd.Timestamp(received).tz_convert(tz).to_pydatetime(),
        expected_at=_as_local(times.expected_at[0], tz),
        p80_at=_as_local(times.p80_at[0], tz),
    )


def _as_local(moment: Any, tz: str) -> dt.datetime | None:
    return None if pd.isna(moment) else pd.Timestamp(moment).tz_convert(tz).to_pydatetime()


__all__ = [
    "CSV_FILE",
    "FEED_FILE",
    "Eta",
    "answer_feed",
    "deferred_queue_names",
    "plan_answer_inputs",
    "plan_eta",
    "read_plan_tables",
    "render_feed",
    "answer_time_files",
    "write_answer_times",
]
