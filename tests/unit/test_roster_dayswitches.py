"""A multi-skilled group's queue switches between intervals, as a day's program prices them."""

from __future__ import annotations

import numpy as np

from scheduler.rostering.dayswitches import DaySwitches, arriving


def test_a_shift_arrives_where_it_works_without_the_interval_before() -> None:
    # works 1-2, lunch at 3, works 4-5: arrives at 1 and (back from lunch) at 4
    assert arriving(np.array([1, 2, 4, 5]), 7).tolist() == [1, 4]
    assert arriving(np.array([0, 1]), 3).tolist() == []  # the day's first interval starts afresh


def test_a_rise_beyond_the_arrivals_is_charged_as_switches() -> None:
    # one group, two queues, three intervals; its two agents move from queue 0 to queue 1
    served = np.array([[[2, 1, 0], [0, 1, 2]]])
    priced = np.array([[False, True, True]])
    none = np.zeros((1, 3), dtype=np.int64)
    switches = DaySwitches(priced=priced, fixed=none, now=none, weight=500)
    assert switches.charge(served, none) == 1000  # a switch at each step
    # an agent arriving at 1 (another taking lunch at 1 and leaving queue 0) covers the first rise
    assert switches.charge(served, switches.arrivals([(0, np.array([1, 2]))])) == 500
    # the other way round (queue 1 to queue 0) likewise: queue 1 may lose agents freely, queue 0 gains them
    assert switches.charge(served[:, ::-1, :], none) == 1000
    # where the split starts afresh nothing is charged
    assert DaySwitches(priced=np.zeros((1, 3), dtype=bool), fixed=none, now=none, weight=500).charge(served, none) == 0
