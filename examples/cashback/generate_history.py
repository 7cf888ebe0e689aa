"""Generate the bundled ticket history of the example cashback support desk.

Writes ``history/tickets.csv`` (next to this script): one row per ticket with
columns ``ticket_id,created_at,channel,language``. ``created_at`` is ISO 8601
in Moscow time with its offset and seconds (``2025-07-01T09:14:27+03:00``).
Rows are sorted by ``created_at`` then ``ticket_id``. The output is
byte-identical on every run (fixed numpy seed, fixed line endings).

Sale dates are read from ``sales.ics`` (next to this script) so the history and
the calendar cannot drift apart: move an event in the calendar, regenerate, and
the peak moves with it.

Volume model (the ground truth a forecast should learn)
-------------------------------------------------------
The expected number of tickets of channel ``c`` in the 5-minute slot ``s`` of
local day ``d`` is::

    rate = BASE_TICKETS_PER_MONTH / 30.4375          # tickets per average day
         * trend(d)                                  # linear, 1.0 -> 1 + TREND
         * WEEKDAY_FACTOR[weekday(d)]                # weekly rhythm, mean 1.0
         * CHANNEL_SHARE[c]
         * INTRADAY[c][hour(s)] / 12                 # hourly shape, mean 1.0
         * holiday(d)                                # HOLIDAY_FACTOR on RU public holidays
         * (1 + sale(d, s) * CHANNEL_SALE_SENSITIVITY[c])
         * outage(s)                                 # 0 during OUTAGES

``sale(d, s)`` is the uplift (a fraction, 2.0 = +200%) of the event active at
that moment, from ``SALE_EFFECTS`` by the event's first CATEGORIES value: the
``uplift`` on the event's own days, ``before`` on the days just before it
(ramp-up) and ``after`` on the days just after its exclusive end (tail). A
timed event raises volume from its start to ``extend_hours`` after its end.
Where effects overlap (the Black Friday tail falls on Cyber Monday) the
largest one applies; they do not add up. Holidays multiply with sales.

Counts per slot and channel are Poisson draws with that rate; each ticket gets
a uniform second within its slot and a language drawn from LANGUAGE_MIX.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import icalendar
import numpy as np
import pandas as pd

# --- Where ---------------------------------------------------------------------------
HERE = Path(__file__).resolve().parent
CALENDAR_PATH = HERE / "sales.ics"
OUTPUT_PATH = HERE / "history" / "tickets.csv"

# --- Span and randomness -------------------------------------------------------------
SEED = 20251128
TIMEZONE = "Europe/Moscow"  # UTC+3 all year, no DST
FIRST_DAY = dt.date(2025, 7, 1)
LAST_DAY = dt.date(2026, 11, 22)  # inclusive: the Sunday before ISO week 2026-W48
SLOT_MINUTES = 5

# --- Normal volume -------------------------------------------------------------------
BASE_TICKETS_PER_MONTH = 5_750  # all channels, normal weeks, at FIRST_DAY
TREND = 0.10  # +10% linear growth from FIRST_DAY to LAST_DAY (~6,000/month on average)

# Weekly rhythm, Monday first; normalised to a mean of 1.0 below.
# Monday is the busiest day (weekend backlog); weekends are ~65% of a weekday.
WEEKDAY_FACTOR_RAW = [1.18, 1.06, 1.02, 1.00, 0.98, 0.67, 0.65]

CHANNEL_SHARE = {"chat": 0.45, "email": 0.40, "social": 0.15}

# Hourly shape per channel (local hour 0..23); normalised to a mean of 1.0 below.
# chat: peaks 11-14 and 19-22; email: office hours; social: afternoon/evening.
# Night (01-07) is very low but never zero.
INTRADAY_RAW = {
    #        00   01   02   03   04   05   06   07   08   09   10   11
    #        12   13   14   15   16   17   18   19   20   21   22   23
    "chat": [0.6, 0.3, 0.15, 0.1, 0.1, 0.1, 0.2, 0.45, 0.9, 1.3, 1.6, 2.0,
             2.1, 2.0, 1.9, 1.5, 1.4, 1.4, 1.6, 1.9, 2.0, 2.0, 1.8, 1.1],
    "email": [0.35, 0.2, 0.12, 0.1, 0.1, 0.12, 0.25, 0.6, 1.2, 2.0, 2.3, 2.2,
              2.0, 2.0, 2.0, 1.9, 1.8, 1.6, 1.3, 1.1, 0.95, 0.8, 0.6, 0.45],
    "social": [0.7, 0.35, 0.2, 0.12, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.3, 1.5,
               1.6, 1.6, 1.5, 1.4, 1.4, 1.5, 1.7, 1.9, 2.0, 1.9, 1.6, 1.1],
}

LANGUAGE_MIX = {"ru": 0.85, "en": 0.12, "es": 0.02, "pt": 0.01}

# --- Injected effects (ground truth) --------------------------------------------------
HOLIDAY_COUNTRY = "RU"
HOLIDAY_FACTOR = 0.60  # volume on a public holiday (incl. New Year holidays Jan 1-8)

# Uplift as a fraction (2.0 = +200%) by event category.
#   uplift: on the event's days (timed events: during it and `extend_hours` after)
#   before: on the days before the first day, nearest first
#   after:  on the days after the last day, nearest first
SALE_EFFECTS: dict[str, dict] = {
    "black-friday": {"uplift": 2.00, "before": [0.40], "after": [0.60, 0.25]},
    "cyber-monday": {"uplift": 1.20, "before": [], "after": []},
    "11.11": {"uplift": 1.50, "before": [0.30], "after": [0.40]},
    "summer-sale": {"uplift": 1.00, "before": [], "after": []},
    "new-year-sale": {"uplift": 0.60, "before": [], "after": []},
    "flash-sale": {"uplift": 0.80, "extend_hours": 1},
}
# Share of the stated uplift each channel gets: chat rises more than email.
CHANNEL_SALE_SENSITIVITY = {"chat": 1.15, "email": 0.90, "social": 1.00}

# Local [start, end) windows with no tickets at all (helpdesk export outage).
OUTAGES = [(dt.datetime(2026, 3, 17, 10, 0), dt.datetime(2026, 3, 17, 16, 0))]

CSV_COLUMNS = ["ticket_id", "created_at", "channel", "language"]


def _normalised(values: list[float]) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    return arr / arr.mean()


def read_sales(path: Path, tz: ZoneInfo) -> list[dict]:
    """Return the calendar's events as dicts: uid, category, start, end (local naive), all_day."""
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = []
    for ev in cal.walk("VEVENT"):
        cats = ev.categories
        category = str(cats[0]).strip().lower() if cats else str(ev["SUMMARY"]).strip().lower()
        start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
        all_day = not isinstance(start, dt.datetime)
        if all_day:
            start = dt.datetime.combine(start, dt.time())
            end = dt.datetime.combine(end, dt.time())
        else:
            if start.tzinfo is None or end.tzinfo is None:
                raise ValueError(f"{ev['UID']}: timed events must carry a TZID")
            start = start.astimezone(tz).replace(tzinfo=None)
            end = end.astimezone(tz).replace(tzinfo=None)
        events.append(
            {"uid": str(ev["UID"]), "category": category, "start": start, "end": end, "all_day": all_day}
        )
    events.sort(key=lambda e: (e["start"], e["uid"]))
    return events


def sale_uplift(local: pd.DatetimeIndex, events: list[dict]) -> np.ndarray:
    """Stated uplift fraction active at each local (naive) slot start; overlaps take the max."""
    uplift = np.zeros(len(local))
    history_start = dt.datetime.combine(FIRST_DAY, dt.time())
    history_end = dt.datetime.combine(LAST_DAY + dt.timedelta(days=1), dt.time())
    one_day = dt.timedelta(days=1)

    def apply(start: dt.datetime, end: dt.datetime, value: float) -> None:
        mask = (local >= start) & (local < end)
        np.maximum(uplift, np.where(mask, value, 0.0), out=uplift)

    for ev in events:
        effect = SALE_EFFECTS.get(ev["category"])
        touches_history = ev["start"] < history_end + 3 * one_day and ev["end"] > history_start - 3 * one_day
        if effect is None:
            if touches_history:
                raise ValueError(f"{ev['uid']}: no SALE_EFFECTS entry for category {ev['category']!r}")
            continue  # an upcoming category with no past occurrence (e.g. 12.12)
        if ev["all_day"]:
            apply(ev["start"], ev["end"], effect["uplift"])
            for i, value in enumerate(effect.get("before", [])):
                apply(ev["start"] - (i + 1) * one_day, ev["start"] - i * one_day, value)
            for i, value in enumerate(effect.get("after", [])):
                apply(ev["end"] + i * one_day, ev["end"] + (i + 1) * one_day, value)
        else:
            extend = dt.timedelta(hours=effect.get("extend_hours", 0))
            apply(ev["start"], ev["end"] + extend, effect["uplift"])
    return uplift


def build_rates(events: list[dict]) -> tuple[pd.DatetimeIndex, dict[str, np.ndarray]]:
    """Slot starts (tz-aware, local) and the expected tickets per slot for each channel."""
    slots = pd.date_range(
        pd.Timestamp(FIRST_DAY, tz=TIMEZONE),
        pd.Timestamp(LAST_DAY + dt.timedelta(days=1), tz=TIMEZONE),
        freq=f"{SLOT_MINUTES}min",
        inclusive="left",
    )
    local = slots.tz_localize(None)
    days = local.normalize()
    span_days = (LAST_DAY - FIRST_DAY).days
    elapsed = np.asarray((days - pd.Timestamp(FIRST_DAY)).days, dtype=float)
    trend = 1.0 + TREND * elapsed / span_days
    weekday = _normalised(WEEKDAY_FACTOR_RAW)[np.asarray(local.day_of_week)]
    per_slot_day = BASE_TICKETS_PER_MONTH / 30.4375 * (SLOT_MINUTES / (24 * 60))

    years = range(FIRST_DAY.year, LAST_DAY.year + 1)
    hol_dates = {pd.Timestamp(d) for d in holidays.country_holidays(HOLIDAY_COUNTRY, years=years)}
    holiday = np.where(days.isin(list(hol_dates)), HOLIDAY_FACTOR, 1.0)

    outage = np.ones(len(local))
    for start, end in OUTAGES:
        outage[(local >= start) & (local < end)] = 0.0

    sale = sale_uplift(local, events)
    hours = np.asarray(local.hour)
    common = per_slot_day * trend * weekday * holiday * outage
    rates = {}
    for channel, share in CHANNEL_SHARE.items():
        shape = _normalised(INTRADAY_RAW[channel])[hours]
        rates[channel] = common * share * shape * (1.0 + sale * CHANNEL_SALE_SENSITIVITY[channel])
    return slots, rates


def generate() -> pd.DataFrame:
    events = read_sales(CALENDAR_PATH, ZoneInfo(TIMEZONE))
    slots, rates = build_rates(events)
    rng = np.random.default_rng(SEED)

    slot_seconds = SLOT_MINUTES * 60
    # slot starts as epoch seconds (independent of the index's internal unit)
    starts_s = np.asarray(slots.tz_convert("UTC").tz_localize(None).astype("datetime64[s]").astype(np.int64))
    parts_t, parts_c = [], []
    channels = list(CHANNEL_SHARE)
    for code, channel in enumerate(channels):
        counts = rng.poisson(rates[channel])
        t = np.repeat(starts_s, counts) + rng.integers(0, slot_seconds, size=int(counts.sum()))
        parts_t.append(t)
        parts_c.append(np.full(len(t), code, dtype=np.int8))
    epoch = np.concatenate(parts_t)
    chan = np.concatenate(parts_c)
    order = np.lexsort((chan, epoch))  # by time, then channel: ids follow the sort
    epoch, chan = epoch[order], chan[order]

    langs = list(LANGUAGE_MIX)
    lang = rng.choice(len(langs), size=len(epoch), p=np.asarray(list(LANGUAGE_MIX.values())))

    created = pd.DatetimeIndex(epoch.astype("datetime64[s]")).tz_localize("UTC").tz_convert(TIMEZONE)
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S%z")
    created_at = [s[:-2] + ":" + s[-2:] for s in stamp]
    return pd.DataFrame(
        {
            "ticket_id": [f"T{i:07d}" for i in range(1, len(epoch) + 1)],
            "created_at": created_at,
            "channel": np.asarray(channels, dtype=object)[chan],
            "language": np.asarray(langs, dtype=object)[lang],
        },
        columns=CSV_COLUMNS,
    )


def main() -> int:
    frame = generate()
    OUTPUT_PATH.parent.mkdir(parents=True, exist_ok=True)
    text = frame.to_csv(index=False, lineterminator="\n")
    tmp = OUTPUT_PATH.with_suffix(".csv.tmp")
    tmp.write_bytes(text.encode("utf-8"))
    tmp.replace(OUTPUT_PATH)
    print(f"wrote {len(frame):,} tickets to {OUTPUT_PATH.relative_to(HERE.parent.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
