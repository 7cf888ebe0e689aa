"""Roster frames for the feed tests, without the parsers feeds_support.py loads.

A process that only writes feeds (the killed-export children of test_feed_folder.py) imports
this instead: the four iCalendar parsers cost ~1 s of CPU to import and are not needed there.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from calendars.shifts import ROSTER_COLUMNS

GENERATED_AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def roster(rows: list[tuple[str, str, str, str, str]], activities: list[str] | None = None) -> pd.DataFrame:
    """Rows of (agent_id, queue, start, end, shift_id), times ISO with offset.

    An empty queue means lunch unless ``activities`` says otherwise.
    """
    frame = pd.DataFrame(
        {
            "agent_id": [r[0] for r in rows],
            "queue": [r[1] for r in rows],
            "activity": activities if activities is not None else ["work" if r[1] else "lunch" for r in rows],
            "start": pd.to_datetime([r[2] for r in rows], utc=True),
            "end": pd.to_datetime([r[3] for r in rows], utc=True),
            "shift_id": [r[4] for r in rows],
        }
    )
    return frame[list(ROSTER_COLUMNS)]
