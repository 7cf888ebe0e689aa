"""Coverage counts every agent in every interval by the share of it they work a queue, whatever the blocks.

The reference below is the definition, interval by interval and block by block;
:func:`scheduler.coverage.scheduled_agents` looks only at the intervals each block
touches, and must give the same numbers to the bit (the report, the checker and
the peak actions all read them).
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.coverage import scheduled_agents

TZ = "Europe/Berlin"  # 2026-03-29 02:00 does not exist: the grid crosses a DST change


def reference(roster: pd.DataFrame, requirements: pd.DataFrame, interval_minutes: int) -> list[float]:
    step = pd.Timedelta(minutes=interval_minutes)
    work = [(row.queue, row.start, row.end) for row in roster.itertuples(index=False) if row.activity == "work"]
    totals = []
    for queue, ds in requirements.sort_values(["queue", "ds"])[["queue", "ds"]].itertuples(index=False, name=None):
        total = 0.0
        for served, start, end in work:
            if served == queue:
                total += min(max((min(ds + step, end) - max(ds, start)) / step, 0.0), 1.0)
        totals.append(total)
    return totals


blocks = st.lists(
    st.tuples(
        st.integers(min_value=-180, max_value=1500),  # start, minutes from the first interval
        st.integers(min_value=1, max_value=600),  # length in minutes
        st.sampled_from(["chat", "email", ""]),
        st.sampled_from(["work", "work", "lunch"]),
    ),
    max_size=15,
)


@settings(max_examples=40, deadline=None)
@given(blocks=blocks, interval_minutes=st.sampled_from([15, 20, 30, 60]), intervals=st.integers(1, 60))
def test_scheduled_agents_is_the_overlap_of_every_block_with_every_interval(
    blocks: list[tuple[int, int, str, str]], interval_minutes: int, intervals: int
) -> None:
    grid = pd.date_range("2026-03-28 22:00", periods=intervals, freq=f"{interval_minutes}min", tz=TZ)
    requirements = pd.concat(
        [pd.DataFrame({"ds": grid, "queue": queue, "agents_required": 1.0}) for queue in ("email", "chat")],
        ignore_index=True,
    )
    first = grid[0]
    roster = pd.DataFrame(
        [
            {"agent_id": f"a{i % 4}", "shift_id": f"s{i}", "start": first + pd.Timedelta(minutes=start),
             "end": first + pd.Timedelta(minutes=start + length), "activity": activity, "queue": queue}  # fmt: skip
            for i, (start, length, queue, activity) in enumerate(blocks)
        ],
        columns=["agent_id", "shift_id", "start", "end", "activity", "queue"],
    )
    coverage = scheduled_agents(roster, requirements, interval_minutes)
    assert coverage["agents_scheduled"].tolist() == reference(roster, requirements, interval_minutes)
