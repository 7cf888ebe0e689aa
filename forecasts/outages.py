"""Outage days: days the phone system or the export lost, kept out of training.

A day is an outage when its total is below ``OUTAGE_SHARE`` of the same
weekday around it, or when it has a run of slots without a single contact
where the same weekday normally has many (the system was down for the
afternoon).
"""

from __future__ import annotations

import numpy as np

from forecasts.settings import MIN_NORMAL_OCCURRENCES

OUTAGE_SHARE = 0.2
OUTAGE_WINDOW_DAYS = 28  # "surrounding 8 weeks": 4 weeks either side
PARTIAL_OUTAGE_CONTACTS = 20.0  # silence where >= this many contacts are normal cannot be chance (P < 1e-8)
PARTIAL_OUTAGE_SHARE = 0.1  # ... and where at least this share of the day's volume normally arrives


def outage_mask(
    totals: np.ndarray, slots: np.ndarray, dates: np.ndarray, weekday: np.ndarray, excluded: np.ndarray
) -> np.ndarray:
    """Days below ``OUTAGE_SHARE`` of the same weekday nearby, or silent for hours that are normally busy.

    ``totals`` (D,) and ``slots`` (D, S) are volumes over all queues.
    """
    mask = np.zeros(len(dates), dtype=bool)
    day = dates.astype("datetime64[D]").astype(np.int64)
    index = np.arange(len(dates))
    for i in np.flatnonzero(~excluded):
        near = ~excluded & (weekday == weekday[i]) & (np.abs(day - day[i]) <= OUTAGE_WINDOW_DAYS) & (index != i)
        if near.sum() < MIN_NORMAL_OCCURRENCES:
            continue
        median = float(np.median(totals[near]))
        if median <= 0:
            continue
        if totals[i] < OUTAGE_SHARE * median:
            mask[i] = True
            continue
        mask[i] = silent_where_busy(slots[i], np.median(slots[near], axis=0), median)
    return mask


def silent_where_busy(actual: np.ndarray, typical: np.ndarray, day_volume: float, *, resumed: bool = False) -> bool:
    """A run of slots without a single contact where ``typical`` expects many: hours the export lost.

    Many means at least ``PARTIAL_OUTAGE_CONTACTS`` and ``PARTIAL_OUTAGE_SHARE``
    of ``day_volume`` over the run. With ``resumed``, contacts must also come
    back after the run (at least ``PARTIAL_OUTAGE_CONTACTS`` of them): a day
    that simply ends early (an eve closing at 14:00) is not a lost export.
    """
    run, end = _longest_silence(actual, typical)
    if run < max(PARTIAL_OUTAGE_CONTACTS, PARTIAL_OUTAGE_SHARE * day_volume):
        return False
    return not resumed or float(actual[end:].sum()) >= PARTIAL_OUTAGE_CONTACTS


def _longest_silence(actual: np.ndarray, typical: np.ndarray) -> tuple[float, int]:
    """The largest typical volume of a run of consecutive slots without a single contact, and where it ends."""
    best = run = 0.0
    end = 0
    for i, (value, expected) in enumerate(zip(actual, typical, strict=True)):
        if value == 0:
            run += expected
            if run > best:
                best, end = run, i + 1
        else:
            run = 0.0
    return best, end
