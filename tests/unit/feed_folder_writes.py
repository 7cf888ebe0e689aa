"""The two writes of the feed-folder tests: two agents' feeds, then every shift an hour earlier.

Apart from test_feed_folder.py so that the killed-export children import only the writer
(this module, feed_rows.py and calendars), not pytest and the four parsers (~1 s of CPU).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from feed_rows import GENERATED_AT, roster

from calendars.feed_folder import write_feeds
from calendars.shifts import FeedAgent

TZ = "Europe/Berlin"
LATER = GENERATED_AT + timedelta(days=7)
ANNA = FeedAgent(agent_id="anna", name="Anna")
BOB = FeedAgent(agent_id="bob", name="Bob")
WEEK = (date(2026, 11, 23), date(2026, 11, 29))
ROWS = [
    ("anna", "chat", "2026-11-23T09:00:00+01:00", "2026-11-23T17:00:00+01:00", "anna-2026-11-23-0900"),
    ("bob", "chat", "2026-11-23T12:00:00+01:00", "2026-11-23T20:00:00+01:00", "bob-2026-11-23-1200"),
]
# Every shift an hour earlier: every feed changes.
MOVED = [(*r[:2], r[2].replace("T09:", "T08:").replace("T12:", "T11:"), r[3], r[4]) for r in ROWS]


def write(out: Path, rows=ROWS, at=GENERATED_AT):
    return write_feeds(roster(rows), (ANNA, BOB), out_dir=out, tz=TZ, team_name="T", generated_at=at, horizon=WEEK)
