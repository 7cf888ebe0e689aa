"""CPU time the `peakplan` command line takes to start, per command (issue 11: at most 0.3 s).

Each command runs in a fresh interpreter (`python -m scheduler.cli ...`, what the
`peakplan` script does), several times; the figure is the best run's user + system
CPU seconds of the child process (resource.getrusage(RUSAGE_CHILDREN)), which a
busy machine inflates less than wall-clock time. A bare interpreter start is
printed for scale.

    python -m benchmarks.cli_startup [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import sys

from benchmarks.child_cpu import best_and_median, child_cpu_seconds

TARGET_SECONDS = 0.3
COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("python -c pass (interpreter alone)", ()),
    ("peakplan --help", ("--help",)),
    ("peakplan --version", ("--version",)),
    (
        "peakplan erlang ...",
        ("erlang", "--volume", "200", "--interval-minutes", "60", "--aht", "180", "--target-seconds", "20"),
    ),  # fmt: skip
    ("peakplan validate --help", ("validate", "--help")),
)


def cpu_seconds(args: tuple[str, ...]) -> float:
    """User + system CPU seconds of one child process running the command."""
    return child_cpu_seconds([sys.executable, "-m", "scheduler.cli", *args] if args else [sys.executable, "-c", "pass"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command; the best one counts (default 7)")
    runs = parser.parse_args().runs
    print(f"CLI start-up, CPU seconds (user + sys) of a fresh process, best and median of {runs} runs; "
          f"target {TARGET_SECONDS:.2f} s; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    for name, args in COMMANDS:
        best, median = best_and_median(lambda args=args: cpu_seconds(args), runs)
        verdict = "" if not args else ("  ok" if best <= TARGET_SECONDS else "  OVER TARGET")
        print(f"  {name:<38} best {best:.3f} s   median {median:.3f} s{verdict}")


if __name__ == "__main__":
    main()
