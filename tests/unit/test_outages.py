"""Hours the export lost: silence where many contacts are normal."""

from __future__ import annotations

import numpy as np

from forecasts.outages import silent_where_busy

TYPICAL = np.array([0, 0, 50, 100, 100, 100, 50, 20, 0, 0], dtype=float)


def test_silence_where_many_contacts_are_normal_is_lost() -> None:
    afternoon_lost = np.array([0, 0, 48, 97, 0, 0, 0, 0, 0, 0], dtype=float)
    assert silent_where_busy(afternoon_lost, TYPICAL, TYPICAL.sum())
    quiet_night = np.array([0, 0, 51, 99, 102, 98, 49, 21, 0, 0], dtype=float)
    assert not silent_where_busy(quiet_night, TYPICAL, TYPICAL.sum())  # silence only where none is normal


def test_one_silent_hour_of_a_small_queue_is_chance() -> None:
    small = TYPICAL / 20  # 5 contacts an hour at the peak: an empty hour happens
    assert not silent_where_busy(np.array([0, 0, 2, 0, 6, 5, 3, 1, 0, 0], dtype=float), small, small.sum())


def test_with_resumed_a_day_that_ends_early_is_not_lost_but_one_that_comes_back_is() -> None:
    closes_early = np.array([0, 0, 48, 97, 0, 0, 0, 0, 0, 0], dtype=float)  # an eve closing at noon
    assert not silent_where_busy(closes_early, TYPICAL, TYPICAL.sum(), resumed=True)
    lost_morning = np.array([0, 0, 0, 0, 0, 98, 49, 21, 0, 0], dtype=float)  # silent, then contacts again
    assert silent_where_busy(lost_morning, TYPICAL, TYPICAL.sum(), resumed=True)
