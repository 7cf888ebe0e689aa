"""Set-ups the roster's unit tests share: a small seeded problem and a day's relaxation stub."""

from __future__ import annotations

import numpy as np

from benchmarks.roster_instances import make_instance
from scheduler.rostering.days import Relaxed
from scheduler.rostering.previous import apply_previous
from scheduler.rostering.problem import build_problem


def small_problem(seed: int):  # noqa: ANN201
    """A 14-agent week of the benchmark's generator: (config, team, requirements, start, days, problem)."""
    config, team, requirements, start, days = make_instance(14, weeks=1, seed=seed, time_limit_seconds=2.0)
    return (
        config,
        team,
        requirements,
        start,
        days,
        apply_previous(build_problem(config, team, requirements, start, days), None, None),
    )


def relaxed_day(day: int, promise: float) -> Relaxed:
    """A relaxed day that promises ``promise`` and holds nothing else: what the move schedule reads."""
    return Relaxed(
        day=day,
        before=int(promise),
        bound=0.0,
        current={},
        offered={},
        hours={},
        keyed={},
        written={},
        base=np.zeros((1, 1)),
        reach=np.zeros(1, dtype=bool),
        x={},
        z={},
    )
