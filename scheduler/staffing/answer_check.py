"""Check answer times against a discrete-event simulation of individual tickets.

:func:`simulated_days` follows simulated tickets through the roster's capacity
with :func:`scheduler.staffing.simulation.simulate_deferred` (FIFO, one ticket
at a time, no shared code with the fluid model) and compares, per local day,
their mean first-response time with the volume-weighted expected minutes of
``response_times.csv``, and the share answered by the CSV's P80.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scheduler.staffing.response_times import DeferredQueue, scenario_tickets
from scheduler.staffing.simulation import simulate_deferred

CHECK_COLUMNS = ("queue", "day", "tickets", "simulated_minutes", "csv_minutes", "difference", "p80_met")
"""Per queue and local day: simulated and CSV mean first-response minutes, relative difference, share within P80."""


def simulated_days(queue: DeferredQueue, times: pd.DataFrame, weeks: int = 60, seed: int = 2024) -> pd.DataFrame:
    """Simulated vs ``response_times.csv`` per local day of ``queue`` (:data:`CHECK_COLUMNS`).

    Args:
        queue: the queue's FIFO inputs (:func:`~scheduler.staffing.response_times.deferred_queues`).
        times: its rows of ``response_times.csv`` (``ds`` order), ``expected_minutes`` and ``p80_minutes``.
        weeks: simulated weeks; volumes drawn as the model draws them, with another seed.

    Days where a simulated ticket or the CSV runs past the horizon get NaN figures.
    """
    rows = times.sort_values("ds")
    expected = pd.to_numeric(rows["expected_minutes"], errors="coerce").to_numpy(dtype=float)
    p80 = pd.to_numeric(rows["p80_minutes"], errors="coerce").to_numpy(dtype=float)
    n = queue.volume.size
    days = int(queue.day.max()) + 1
    step_minutes = queue.step / pd.Timedelta(minutes=1)
    counts = scenario_tickets(queue, weeks, seed=seed)
    rng = np.random.default_rng(seed + 1)
    waited_sum, tickets, met = np.zeros(days), np.zeros(days), np.zeros(days)
    unanswered = np.zeros(days, dtype=bool)
    for week in range(weeks):
        slot = np.repeat(np.arange(n), counts[week].astype(int))
        run = simulate_deferred(slot + rng.random(slot.size), queue.ticket_hours, queue.capacity, queue.is_open, 10**6)
        index = np.floor(run.arrival).astype(int)
        day = queue.day[index]
        waited = (run.answered - run.arrival) * step_minutes
        fraction = run.arrival - index
        promised = p80[index] * (1 - fraction) + p80[np.minimum(index + 1, n - 1)] * fraction  # minutes from arrival
        unanswered |= np.bincount(day, weights=np.isnan(waited), minlength=days) > 0
        waited_sum += np.bincount(day, weights=np.nan_to_num(waited), minlength=days)
        met += np.bincount(day, weights=(waited <= promised + 1e-9), minlength=days)
        tickets += np.bincount(day, minlength=days)
    # the CSV is for a message at each interval start: a ticket arrives anywhere in its interval
    midpoint = (expected + np.append(expected[1:], np.nan)) / 2
    result = []
    for day in range(days):
        inside = queue.day == day
        weight = queue.volume[inside]
        known = np.isfinite(midpoint[inside]).all() and not unanswered[day] and tickets[day] > 0
        from_csv = float((midpoint[inside] * weight).sum() / weight.sum()) if known and weight.sum() > 0 else np.nan
        simulated = waited_sum[day] / tickets[day] if known else np.nan
        result.append(
            {
                "queue": queue.queue,
                "day": queue.starts[inside][0],
                "tickets": float(tickets[day]),
                "simulated_minutes": simulated,
                "csv_minutes": from_csv,
                "difference": (from_csv - simulated) / simulated if known and simulated > 0 else np.nan,
                "p80_met": met[day] / tickets[day] if tickets[day] > 0 else np.nan,
            }
        )
    return pd.DataFrame(result, columns=list(CHECK_COLUMNS))
