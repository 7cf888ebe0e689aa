"""A starter project for a new team: what `peakplan init DIR` writes.

A commented config, a team file, a small sale calendar and a synthetic but
plausible contact history (seeded, so the same week gives the same files),
sized so that `peakplan validate` passes and `peakplan plan` runs on it at
once. The team then replaces the history with its own export and edits the
team file. Everything is generated here (no file is copied from the source
tree), so it works from an installed wheel too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from calendars.files import write_text_atomic
from scheduler.errors import InputError

HISTORY_WEEKS = 10
SEED = 20261123
TIMEZONE = "Europe/Berlin"
# Contacts per day on a normal Monday, and the weekday profile (Monday = 1.0).
DAILY = {"chat": 100.0, "email": 70.0}
WEEKDAY = (1.0, 0.95, 0.95, 0.9, 0.85, 0.55, 0.5)
SALE_UPLIFT = 1.0  # the past flash sale doubled the volume (+100%)

CONFIG = """\
# peakplan configuration, written by `peakplan init`. Paths are relative to this file.
# Every key is described in peakplan's README ("Configuration"); unknown keys are errors.

[team]
name = "{name}"
timezone = "{timezone}"          # IANA time zone: shifts, opening hours and CSV timestamps use it
file = "team.toml"                  # agents and contracts

[inputs]
# Contacts per interval: ds (interval start with UTC offset), queue, y. Replace it by your own:
# one row per ticket works too (history_format = "tickets", created_at + channel columns), and
# helpdesk exports are read with `export = "zendesk"` / "freshdesk" / "helpscout".
history = "history/contacts.csv"
history_format = "intervals"
events = "sales.csv"                # the marketing sale calendar: name,category,start,end[,uplift]
holidays = "DE"                     # public holidays by ISO country code ("" for none)

[forecast]
interval_minutes = 30               # 15, 30 or 60
baseline_weeks = 8                  # normal weeks averaged per weekday and interval

[staffing]
shrinkage = 0.30                    # share of paid time not available for contacts (breaks, meetings, ...)
max_occupancy = 0.85                # an agent is busy at most this share of an interval

[channels.chat]
model = "erlang_c"                  # live: Erlang C (or "erlang_a" with patience_seconds)
aht_seconds = 420                   # handle time of one chat when worked `concurrency` at a time
concurrency = 2
service_level = 0.80                # 80% answered within target_seconds
target_seconds = 60
open = "08:00-20:00"

[channels.email]
model = "deferred"                  # backlog work: answered within target_hours of open time
aht_seconds = 300
target_hours = 8
open = "09:00-18:00"
open_days = ["mon", "tue", "wed", "thu", "fri", "sat"]

# Queues by language (a Spanish email reaches someone who reads Spanish): with a ticket history
# that has a language column (history_format = "tickets"), split channels into queues such as
# email/de and email/en, and give agents `languages` in team.toml (peakplan's docs/queues.md).
# [routing]
# by = "language"
# languages = ["de", "en"]
# open = {{ "chat/en" = "10:00-18:00" }}   # a small language's queue may keep shorter hours

[roster]
min_rest_hours = 11
max_consecutive_days = 5
late_end_after = "19:00"            # shifts ending later count as late shifts (fairness)
min_agents = {{ chat = 1 }}           # hard: someone is always on chat while it is open
time_limit_seconds = 5              # CP-SAT deterministic seconds: the same roster on any machine
understaffing_weight = 100
overstaffing_weight = 2

[[roster.shifts]]
name = "day"
hours = 8.5                         # 8 paid hours and an unpaid half-hour lunch
lunch_minutes = 30
lunch_after_hours = [3, 5]
breaks = 2
starts = ["08:00", "09:00", "10:00", "11:00", "11:30"]

[[roster.shifts]]
name = "half"
hours = 4
breaks = 1
starts = ["08:00", "12:00", "16:00"]

[report]
# `peakplan plan` exits with code 5 when more than this share of the required
# agent-hours is left unscheduled (CI alerts on it); remove the key to never fail.
max_understaffed_share = 0.25
"""

TEAM_HEADER = """\
# The team file, written by `peakplan init`: contracts, then one [[agents]] table per person.
# Hours are paid hours per ISO week; `channels` are the queues an agent may serve.
"""
# name, min and max paid hours a week
CONTRACTS = (("full_time", 32, 40), ("part_time", 12, 20))
MAX_SHIFTS_PER_WEEK = 5
# id, contract, channels; the name and e-mail follow from the id
AGENTS = (
    ("alex", "full_time", ("chat", "email")),
    ("bea", "full_time", ("chat", "email")),
    ("chris", "full_time", ("chat",)),
    ("dana", "full_time", ("chat", "email")),
    ("gus", "full_time", ("chat", "email")),
    ("eli", "part_time", ("chat", "email")),
    ("fay", "part_time", ("email",)),
)
# Comments in the team file start in this column; the first agent's id and two agents'
# optional keys show a newcomer what else a team file may say.
NOTE_COLUMN = 37
ID_NOTE = "# letters, digits, - and _: names the agent's calendar feed"
AGENT_EXTRAS = {
    "eli": (
        ("availability = [", "# optional weekly windows (local time); absent = any time"),
        ('  { days = ["mon", "tue", "wed", "thu", "fri"], from = "12:00", to = "20:00" },', ""),
        ("]", ""),
    ),
    "fay": (("time_off = []", '# dates off, e.g. ["{day_off}"]'),),
}


def _line(text: str, note: str = "") -> str:
    return f"{text:<{NOTE_COLUMN}}{note}" if note else text


def team_text(day_off: dt.date) -> str:
    """The starter team file; ``day_off`` is the example date in a comment."""
    blocks = [TEAM_HEADER]
    for name, low, high in CONTRACTS:
        blocks.append(
            f'[[contracts]]\nname = "{name}"\nmin_hours_per_week = {low}\nmax_hours_per_week = {high}\n'
            f"max_shifts_per_week = {MAX_SHIFTS_PER_WEEK}\n"
        )
    for index, (agent_id, contract, channels) in enumerate(AGENTS):
        lines = [
            "[[agents]]",
            _line(f'id = "{agent_id}"', ID_NOTE if index == 0 else ""),
            f'name = "{agent_id.capitalize()} Example"',
            f'email = "{agent_id}@example.com"',
            f'contract = "{contract}"',
            "channels = [" + ", ".join(f'"{channel}"' for channel in channels) + "]",
        ]
        lines += [_line(text, note.format(day_off=day_off)) for text, note in AGENT_EXTRAS.get(agent_id, ())]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


README = """\
# {name}: peakplan starter

Written by `peakplan init` for ISO week {week}. Edit, then:

```sh
peakplan validate --config peakplan.toml --week {week}
peakplan plan --config peakplan.toml --week {week} --out out/
open out/report.html
```

| file | what to do with it |
|---|---|
| `peakplan.toml` | the planning config: opening hours, service targets, shifts, rules |
| `team.toml` | your agents and contracts |
| `sales.csv` | marketing's sale calendar: past sales (learned from the history) and upcoming ones |
| `history/contacts.csv` | synthetic contacts per interval: replace with your helpdesk export |
"""


def _intraday(queue: str, minutes: np.ndarray) -> np.ndarray:
    """A smooth daily shape (relative weights) for a queue: a late-morning and an evening peak."""
    hours = minutes / 60.0
    morning = np.exp(-0.5 * ((hours - 11.0) / 2.0) ** 2)
    evening = np.exp(-0.5 * ((hours - 17.5) / 2.2) ** 2) * (0.8 if queue == "chat" else 0.5)
    night = 0.03 if queue == "chat" else 0.06  # email arrives around the clock
    return morning + evening + night


def sample_history(first_day: dt.date, weeks: int, tz: str, sale_days: set[dt.date]) -> str:
    """Seeded Poisson contacts per 30-minute interval and queue, ``weeks`` weeks from ``first_day``."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    rng = np.random.default_rng(SEED)
    lines = ["ds,queue,y"]
    for queue in sorted(DAILY):
        for offset in range(weeks * 7):
            day = first_day + dt.timedelta(days=offset)
            starts = [dt.datetime.combine(day, dt.time(0), tzinfo=zone)]
            while True:  # wall-clock 30-minute grid of the local day, 23 or 25 hours on DST days
                following = (starts[-1].astimezone(dt.UTC) + dt.timedelta(minutes=30)).astimezone(zone)
                if following.date() != day:
                    break
                starts.append(following)
            minutes = np.array([s.hour * 60 + s.minute for s in starts], dtype=float)
            shape = _intraday(queue, minutes)
            total = DAILY[queue] * WEEKDAY[day.weekday()] * (1.0 + SALE_UPLIFT if day in sale_days else 1.0)
            counts = rng.poisson(total * shape / shape.sum())
            lines.extend(f"{s.isoformat()},{queue},{int(c)}" for s, c in zip(starts, counts, strict=True))
    return "\n".join(lines) + "\n"


def write_project(
    folder: Path, week_start: dt.date, *, name: str = "Example Support", force: bool = False
) -> list[Path]:
    """Write the starter files into ``folder`` for planning the ISO week starting ``week_start``.

    Raises:
        InputError: ``folder`` already holds a peakplan.toml (and not ``force``).
    """
    if week_start.weekday() != 0:
        raise InputError(f"the week must start on a Monday, got {week_start}")
    config_path = folder / "peakplan.toml"
    if config_path.exists() and not force:
        raise InputError(f"{config_path} already exists (use --force to overwrite the starter files)")
    first_day = week_start - dt.timedelta(weeks=HISTORY_WEEKS)
    # A past flash sale (a Thursday, five weeks back) the forecast learns from, and the next one in the planned week.
    past_sale = week_start - dt.timedelta(weeks=5) + dt.timedelta(days=3)
    next_sale = week_start + dt.timedelta(days=4)
    sales = (
        "name,category,start,end,uplift\n"
        f"Flash sale {past_sale:%B},flash-sale,{past_sale},{past_sale},\n"
        f"Flash sale {next_sale:%B},flash-sale,{next_sale},{next_sale},\n"
    )
    iso = week_start.isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    files = {
        config_path: CONFIG.format(name=name, timezone=TIMEZONE),
        folder / "team.toml": team_text(next_sale + dt.timedelta(days=1)),
        folder / "sales.csv": sales,
        folder / "history" / "contacts.csv": sample_history(first_day, HISTORY_WEEKS, TIMEZONE, {past_sale}),
        folder / "README.md": README.format(name=name, week=week),
    }
    for path, text in files.items():
        write_text_atomic(path, text)
    return list(files)


def next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=7 - today.weekday())
