"""Time to read sale calendars that used to hang or crawl: many events, rules without end, impossible rules.

``python -m benchmarks.sales_calendar_bench [--timeout S]`` writes each calendar
to a temporary folder and reads it with ``load_sale_calendar`` over the days a
plan asks for (history from 2025-06-01 to the planned week 2026-W48), each in
its own process (a hang is cut at ``--timeout`` seconds and shown as such).
Prints seconds and the outcome per case.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = (ROOT / "examples" / "cashback" / "sales.ics").read_text(encoding="utf-8")


def _with(events: str) -> str:
    return BASE.replace("END:VCALENDAR", events + "END:VCALENDAR")


def _many(count: int, nested: bool) -> str:
    events = "".join(
        f"BEGIN:VEVENT\nUID:e{i}\nDTSTART;VALUE=DATE:2026{i % 12 + 1:02d}{i % 28 + 1:02d}\nSUMMARY:e{i}\nEND:VEVENT\n"
        for i in range(count)
    )
    if nested:
        events = "BEGIN:VEVENT\nUID:outer\nDTSTART;VALUE=DATE:20261127\n" + events + "END:VEVENT\n"
    return _with(events)


def _rule(rule: str) -> str:
    return _with(f"BEGIN:VEVENT\nUID:r\nDTSTART:20261101T000000Z\nDTEND:20261101T000100Z\nRRULE:{rule}\nSUMMARY:r\nEND:VEVENT\n")


CASES = {
    "example (12 events)": BASE,
    "3,000 events": _many(3000, nested=False),
    "3,000 events in a nested VEVENT": _many(3000, nested=True),
    "RRULE:FREQ=MINUTELY (no end)": _rule("FREQ=MINUTELY"),
    "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30": _rule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"),
    "RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30": _rule("FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30"),
    "DTSTART;VALUE=DATE:16010713": _with("BEGIN:VEVENT\nUID:o\nDTSTART;VALUE=DATE:16010713\nSUMMARY:o\nEND:VEVENT\n"),
}
READ = """
import sys, time
from datetime import date
from calendars.errors import PeakplanError
from calendars.sales import load_sale_calendar
began = time.perf_counter()
try:
    try:
        frame = load_sale_calendar(sys.argv[1], "Europe/Moscow", days=(date(2025, 6, 1), date(2026, 11, 29)))
    except TypeError:  # a version without ``days``
        frame = load_sale_calendar(sys.argv[1], "Europe/Moscow")
    outcome = f"ok, {len(frame)} events"
except PeakplanError as exc:
    outcome = "input error: " + str(exc).split(": ", 2)[-1][:70]
except Exception as exc:
    outcome = f"crash: {type(exc).__name__}: {str(exc)[:60]}"
print(f"{time.perf_counter() - began:.2f}\\t{outcome}")
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        for name, text in CASES.items():
            path = Path(folder) / "sales.ics"
            path.write_text(text, encoding="utf-8")
            began = time.perf_counter()
            try:
                done = subprocess.run(
                    [sys.executable, "-c", READ, str(path)], capture_output=True, text=True, timeout=args.timeout, check=False
                )
                seconds, _, outcome = done.stdout.strip().partition("\t")
                if not outcome:
                    seconds, outcome = f"{time.perf_counter() - began:.2f}", f"failed: {done.stderr.strip()[-80:]}"
            except subprocess.TimeoutExpired:
                seconds, outcome = f">{args.timeout:.0f}", "still running: stopped"
            print(f"{name:45s} {seconds:>7s} s  {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
