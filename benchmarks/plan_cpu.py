"""CPU time one `peakplan plan` of the bundled example takes, solver included (issue 11: the suite runs ~40 plans).

Each plan runs in a fresh interpreter (`python -m scheduler.cli plan ...`) into a
new temporary folder (so no previous roster is planned over), several times; the
figure is the best run's user + system CPU seconds of the child process
(resource.getrusage(RUSAGE_CHILDREN)), which a busy machine inflates less than
wall-clock time. Two plans: one day with a 0.5 s solver budget (what most tests
run, so the work outside the solver dominates) and the `make demo` week with a
5 s budget.

    python -m benchmarks.plan_cpu [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from benchmarks.child_cpu import ROOT, best_and_median, child_cpu_seconds

CONFIG = ROOT / "examples" / "cashback" / "peakplan.toml"
GENERATED_AT = "2026-11-20T09:00:00+03:00"
PLANS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("one day, --time-limit 0.5", ("--start", "2026-11-23", "--days", "1", "--time-limit", "0.5")),
    ("week 2026-W48, --time-limit 5", ("--week", "2026-W48", "--time-limit", "5")),
)


def cpu_seconds(args: tuple[str, ...]) -> float:
    """User + system CPU seconds of one child process planning the example into a fresh folder."""
    with tempfile.TemporaryDirectory(prefix="peakplan-plan-cpu-") as out:
        return child_cpu_seconds([sys.executable, "-m", "scheduler.cli", "plan", "--config", str(CONFIG), "--out", out,
                                  "--generated-at", GENERATED_AT, *args])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per plan; the best one counts (default 3)")
    runs = parser.parse_args().runs
    print(f"peakplan plan of the example, CPU seconds (user + sys) of a fresh process, best and median of {runs} "
          f"runs; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    for name, args in PLANS:
        best, median = best_and_median(lambda args=args: cpu_seconds(args), runs)
        print(f"  {name:<32} best {best:.2f} s   median {median:.2f} s")


if __name__ == "__main__":
    main()
