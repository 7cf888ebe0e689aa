"""Fuzz inputs of the calendars stage: sale calendars (.ics, .csv) and previous feeds.

Each input kind is a :class:`CalendarKind` (sale calendar .ics and .csv, the
previous feed ``export`` renders against, a feed ``publish --feeds`` sends):
the file it starts from (the
bundled example's sale calendar; a CSV and a feed like the ones peakplan
writes), its mutations (the generic ones of ``mutate.py`` plus what goes wrong
in calendars: RRULEs without end, broken VTIMEZONEs, absurd dates and
numbers, naive or malformed times, nesting), and how one case is run.
Used by ``test_fuzz_calendars.py`` (a bounded run) and
``benchmarks/fuzz_calendars.py`` (the long run).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

import mutate
from calendars.errors import PeakplanError
from calendars.feed_folder import prepare_feeds
from calendars.feeds import render_agent_feed
from calendars.publish import event_object, read_feed_folder
from calendars.sales import load_sale_calendar
from calendars.shifts import ROSTER_COLUMNS, FeedAgent

ROOT = Path(__file__).resolve().parents[2]
TZ = "Europe/Berlin"
INPUT_ERRORS = (PeakplanError,)
GENERATED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
WEEK = (date(2026, 11, 23), date(2026, 11, 29))
HISTORY_DAYS = (date(2025, 6, 1), date(2026, 11, 29))

RRULES = (
    "FREQ=MINUTELY",
    "FREQ=SECONDLY",
    "FREQ=HOURLY",
    "FREQ=DAILY",
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=SECONDLY;BYSETPOS=-1;BYMONTH=4;BYMONTHDAY=31",
    "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=9",
    "FREQ=DAILY;BYWEEKNO=1;BYMONTH=6",
    "FREQ=YEARLY;COUNT=999999999",
    "FREQ=MONTHLY;BYDAY=5FR;INTERVAL=7",
    "FREQ=DAILY;UNTIL=99991231T235959Z",
    "FREQ=DAILY;UNTIL=00010101",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=DAILY;INTERVAL=-1",
    "FREQ=DAILY;BYHOUR=99",
    "FREQ=FOO",
    "FREQ=WEEKLY;COUNT=3;UNTIL=20261231",
    "",
)
ICS_DATES = (
    "16010713", "00010101", "99991231", "20261301", "20260230", "22620412", "21001231", "18991231",
    "99991231T235959Z", "00010101T000000Z", "2026-11-27", "0", "-20261122", "20261127T2500", "20261127T090000",
)  # fmt: skip
UPLIFTS = ("80", "-20", "+80%", "x3", "1.5", "1e308", "nan", "inf", "-1", "9223372036854775808", "", "1,5", "0x10", "½")
VTIMEZONES = (
    "BEGIN:VTIMEZONE\nTZID:Broken\nBEGIN:STANDARD\nDTSTART:99999999T999999\nTZOFFSETFROM:+2500\nTZOFFSETTO:junk\nEND:STANDARD\nEND:VTIMEZONE",
    "BEGIN:VTIMEZONE\nTZID:Broken\nBEGIN:DAYLIGHT\nDTSTART:16010101T000000\nRRULE:FREQ=MINUTELY\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:DAYLIGHT\nEND:VTIMEZONE",
    "BEGIN:VTIMEZONE\nTZID:Broken\nEND:VTIMEZONE",
    "BEGIN:VTIMEZONE\nTZID:Broken\nBEGIN:STANDARD\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE",
    "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+9999\nTZOFFSETTO:-9999\nEND:STANDARD\nEND:VTIMEZONE",
    "BEGIN:VTIMEZONE\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD",
)
ICS_TIMES = (
    "DTSTART:20261127T0900",
    "DTSTART:20261127T090000",
    "DTSTART;TZID=Nowhere/Zone:20261127T090000",
    "DTSTART;TZID=Broken:20261127T090000",
    "DTSTART;TZID=Europe/Berlin:20260329T023000",
    "DTSTART;TZID=Europe/Berlin:20261025T023000",
    "DTSTART;VALUE=DATE:2026112",
    "DTSTART;VALUE=PERIOD:20261127T090000Z/PT1H",
    "DURATION:P-1D",
    "DURATION:P99999999D",
    "DURATION:PT",
    "DTEND;VALUE=DATE:20200101",
    "RECURRENCE-ID:99991231T235959Z",
    "RECURRENCE-ID;VALUE=PERIOD:20261127T090000Z/PT1H",
    "EXDATE:00010101",
    "RDATE:99991231",
    "RDATE;VALUE=PERIOD:20261127T090000Z/P99999999D",
)
NESTING = (
    "BEGIN:VEVENT",
    "END:VEVENT",
    "BEGIN:VCALENDAR",
    "END:VCALENDAR",
    "BEGIN:VEVENT\nUID:nested\nDTSTART;VALUE=DATE:20261127\nEND:VEVENT",
    "BEGIN:VALARM\nTRIGGER:-PT15M\nEND:VALARM",
    "BEGIN:X-THING\nBEGIN:VEVENT\nEND:X-THING",
)
CSV_DATES = (
    "0001-01-01", "1601-07-13", "9999-12-31", "2262-04-12", "2026-02-30", "2026-13-01", "-2026-11-22", "20261127",
    "27/11/2026", "2026-11-27T25:00", "2026-03-29T02:30", "2026-10-25T02:30", "2026-11-27T09:00+99:00",
    "2026-11-27T09:00:00Z", "", "NaN", "2026-11-27 09:00",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarKind:
    """One input kind: its base file, its mutations and how a case runs."""

    name: str
    file_name: str
    base: Callable[[], bytes]
    mutations: Callable[[], dict[str, mutate.Mutation]]
    run: Callable[[Path], object]  # given the mutated file's path


def _insert_after(pattern: bytes, lines: tuple[str, ...]) -> mutate.Mutation:
    """Insert one of ``lines`` right after a random line starting with ``pattern``."""

    def mutation(data: bytes, rng: random.Random) -> bytes:
        rows = data.splitlines(keepends=True)
        spots = [i for i, row in enumerate(rows) if row.startswith(pattern)] or [0]
        spot = rng.choice(spots) + 1
        ending = b"\r\n" if b"\r\n" in data else b"\n"
        text = rng.choice(lines).replace("\n", ending.decode()).encode("utf-8")
        return b"".join(rows[:spot] + [text + ending] + rows[spot:])

    return mutation


def _replace(pattern: bytes, values: tuple[str, ...]) -> mutate.Mutation:
    return lambda data, rng: mutate.replace_values(data, rng, pattern, values)


def _with_generic(specific: dict[str, mutate.Mutation]) -> dict[str, mutate.Mutation]:
    return {**mutate.generic_mutations(), **specific}


# ---------------------------------------------------------------- sale calendar, .ics


def _ics_base() -> bytes:
    return (ROOT / "examples" / "cashback" / "sales.ics").read_bytes()


def _many_events(data: bytes, rng: random.Random) -> bytes:
    """3,000 events and a VEVENT nested in one of them (a slow case once)."""
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:e{i}\r\nDTSTART;VALUE=DATE:2026{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}\r\n"
        f"SUMMARY:e{i}\r\nEND:VEVENT\r\n"
        for i in range(3000)
    )
    nested = "BEGIN:VEVENT\r\nUID:outer\r\nDTSTART;VALUE=DATE:20261127\r\n" + events + "END:VEVENT\r\n"
    return data.replace(b"END:VCALENDAR", nested.encode() + b"END:VCALENDAR")


def _vtimezone(data: bytes, rng: random.Random) -> bytes:
    block = rng.choice(VTIMEZONES).replace("\n", "\r\n").encode() + b"\r\n"
    data = data.replace(b"BEGIN:VEVENT", block + b"BEGIN:VEVENT", 1)
    return mutate.replace_values(data, rng, rb"DTSTART[^\r\n]*", ("DTSTART;TZID=Broken:20261127T090000",))


def _ics_mutations() -> dict[str, mutate.Mutation]:
    return _with_generic(
        {
            "rrule": _insert_after(b"BEGIN:VEVENT", tuple(f"RRULE:{rule}" for rule in RRULES)),
            "vtimezone": _vtimezone,
            "dates": _replace(rb"(?<=[:])\d{8}(T\d{6}Z?)?", ICS_DATES),
            "uplift": _insert_after(b"BEGIN:VEVENT", tuple(f"X-PEAKPLAN-UPLIFT:{u}" for u in UPLIFTS)),
            "times": _insert_after(b"UID:", ICS_TIMES),
            "nesting": _insert_after(b"", NESTING),
            "many_events": _many_events,
        }
    )


# ---------------------------------------------------------------- sale calendar, .csv


def _csv_base() -> bytes:
    return (
        "name,category,start,end,uplift\n"
        "Summer Sale 2025,summer-sale,2025-07-14,2025-07-18,\n"
        "Flash sale livestream,flash-sale,2025-09-18T19:00:00+03:00,2025-09-18T22:00:00+03:00,\n"
        "11.11 Singles' Day,11-11,2025-11-11,,+80%\n"
        "Black Friday,black-friday,2026-11-27,2026-11-30,1.5\n"
        '"Cyber Monday, online",cyber-monday,2026-11-30,2026-11-30,x2\n'
        "12.12,12-12,2026-12-12,,1.0\n"
    ).encode()


def _csv_mutations() -> dict[str, mutate.Mutation]:
    return _with_generic(
        {
            "delimiter": lambda data, rng: data.replace(b",", rng.choice((b";", b"\t", b"|", b", "))),
            "header": _replace(rb"name|category|start|end|uplift", ("", "Name", "start_date", "end,end", "x", "uplift,extra")),
            "dates": _replace(rb"\d{4}-\d{2}-\d{2}(T[\d:]+(\+\d\d:\d\d)?)?", CSV_DATES),
            "uplift": _replace(rb"(?<=,)(\+80%|1\.5|x2|1\.0)?(?=\r?\n|$)", UPLIFTS),
            "quotes": _insert_after(b"", ('"unclosed,x,2026-11-27,,', '"a""b",c,2026-11-27,2026-11-26,', ",,,,", "\x00,\x00,\x00,\x00,\x00")),
        }
    )


# ---------------------------------------------------------------- previous feed


def _roster() -> pd.DataFrame:
    starts = pd.to_datetime(["2026-11-23T08:00:00+01:00", "2026-11-24T08:00:00+01:00"], utc=True)
    return pd.DataFrame(
        {
            "agent_id": ["a01", "a01"],
            "queue": ["chat", "email"],
            "activity": ["work", "work"],
            "start": starts,
            "end": starts + pd.Timedelta(hours=8),
            "shift_id": ["a01-2026-11-23", "a01-2026-11-24"],
        }
    )[list(ROSTER_COLUMNS)]


AGENT = FeedAgent(agent_id="a01", name="Ada")


@functools.cache
def _feed_base() -> bytes:
    """A feed as peakplan writes it, with an event of last week (kept) and one of this week (compared)."""
    earlier = _roster().assign(
        start=lambda f: f["start"] - pd.Timedelta(days=7),
        end=lambda f: f["end"] - pd.Timedelta(days=7),
        shift_id=["a01-2026-11-16", "a01-2026-11-17"],
    )
    frame = pd.concat([earlier, _roster()], ignore_index=True)
    return render_agent_feed(frame, AGENT, tz=TZ, team_name="T", generated_at=GENERATED_AT - pd.Timedelta(days=7))


def _feed_mutations() -> dict[str, mutate.Mutation]:
    return _with_generic(
        {
            "dates": _replace(rb"(?<=:)\d{8}T\d{6}Z?", tuple(d for d in ICS_DATES if "T" in d) + ("21991231T000000", "19000101T000000")),
            "vtimezone": _replace(rb"TZOFFSET(FROM|TO):[+-]\d{4}", ("TZOFFSETFROM:+2500", "TZOFFSETTO:junk", "TZOFFSETFROM:")),
            "tzid": _replace(rb"TZID=[A-Za-z/_]+", ("TZID=Nowhere/Zone", "TZID=", 'TZID="Europe/Berlin"', "TZID=../../etc")),
            "sequence": _replace(rb"SEQUENCE:\d+", tuple(f"SEQUENCE:{n}" for n in mutate.ABSURD_NUMBERS + ("9" * 5000,))),
            "uid": _replace(rb"UID:[^\r\n]+", ("UID:", "UID:a01-2026-11-23@peakplan", "UID:\x00", "UID:" + "x" * 10000)),
            "nesting": _insert_after(b"", NESTING),
            "rrule": _insert_after(b"BEGIN:VEVENT", tuple(f"RRULE:{rule}" for rule in RRULES)),
        }
    )


def _run_previous_feed(path: Path) -> object:
    prepared = prepare_feeds(
        _roster(), (AGENT,), out_dir=path.parent, tz=TZ, team_name="T", generated_at=GENERATED_AT, horizon=WEEK
    )
    return prepared.write()


def _run_published_feed(path: Path) -> object:
    """``publish --feeds``: the folder's agent feeds as the CalDAV objects that would be PUT."""
    return [event_object(event) for calendar in read_feed_folder(path.parent) for event in calendar.events]


def _run_sales(path: Path) -> object:
    """The sale calendar as a plan reads it: over the history and the planned week."""
    return load_sale_calendar(path, TZ, days=HISTORY_DAYS)


KINDS = tuple(
    CalendarKind(name=name, file_name=file_name, base=base, mutations=mutations, run=run)
    for name, file_name, base, mutations, run in (
        ("sales_ics", "sales.ics", _ics_base, _ics_mutations, _run_sales),
        ("sales_csv", "sales.csv", _csv_base, _csv_mutations, _run_sales),
        ("previous_feed", "a01.ics", _feed_base, _feed_mutations, _run_previous_feed),
        ("published_feed", "a01.ics", _feed_base, _feed_mutations, _run_published_feed),
    )
)
# Slow by design (3,000 events): a few cases are enough to keep the time in check.
FEW_CASES = {"many_events": 2}


def run_kind(kind: CalendarKind, folder: Path, *, per_mutation: int, seed: int) -> list[mutate.CaseResult]:
    """Run ``per_mutation`` cases of every mutation of ``kind`` in ``folder`` (one subfolder per case)."""
    results = []
    mutations = kind.mutations()
    base = kind.base()
    for name in sorted(mutations):
        count = min(per_mutation, FEW_CASES.get(name, per_mutation))
        for case in mutate.cases(base, {name: mutations[name]}, per_kind=count, seed=seed):
            case_folder = folder / f"{kind.name}-{case.kind}-{case.seed}"
            case_folder.mkdir(parents=True)
            path = case_folder / kind.file_name
            path.write_bytes(case.data)
            results.append(
                mutate.run_case(case, lambda _case, path=path: kind.run(path), [kind.file_name], input_errors=INPUT_ERRORS)
            )
    return results
