"""CPU seconds of one child process: what the start-up and plan benchmarks measure.

User + system time from ``resource.getrusage(RUSAGE_CHILDREN)`` around the run, which
a busy machine inflates less than wall-clock time. The child runs from the checkout
(its root first on ``PYTHONPATH``), output discarded; a failing child raises.
"""

from __future__ import annotations

import os
import resource
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child_cpu_seconds(command: Sequence[str]) -> float:
    """User + system CPU seconds of ``command`` run to completion as a child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(list(command), cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_and_median(measure: Callable[[], float], runs: int) -> tuple[float, float]:
    """The smallest and the median of ``runs`` measurements (the best is the least disturbed by load)."""
    times = sorted(measure() for _ in range(runs))
    return times[0], times[len(times) // 2]
