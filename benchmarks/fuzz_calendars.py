"""Long fuzz run over the calendars stage's inputs: sale calendars (.ics, .csv) and previous feeds.

``python -m benchmarks.fuzz_calendars [--cases N] [--seed S] [--kind NAME]``
runs N seeded cases of every mutation of every input kind (see
``tests/fuzz/mutations_calendars.py``) and prints, per input kind, the count
of each outcome (``ok``, ``input_error`` naming the file, ``unnamed_error``,
``crash:<type>``), the slowest case and the cases over 10 s. Every case that
is not ``ok`` or ``input_error`` is printed with its mutation and seed, so it
can be replayed. Exit status 1 if there is any such case or any case over 10 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

FUZZ = Path(__file__).resolve().parents[1] / "tests" / "fuzz"
sys.path.insert(0, str(FUZZ))

import mutations_calendars  # noqa: E402

SLOW_SECONDS = 10.0
GOOD = ("ok", "input_error")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=150, help="cases per mutation (default 150)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kind", action="append", help="only these input kinds (sales_ics, sales_csv, previous_feed, published_feed)")
    args = parser.parse_args(argv)
    status = 0
    began = time.perf_counter()
    for kind in mutations_calendars.KINDS:
        if args.kind and kind.name not in args.kind:
            continue
        with tempfile.TemporaryDirectory(prefix=f"fuzz-{kind.name}-") as folder:
            results = mutations_calendars.run_kind(kind, Path(folder), per_mutation=args.cases, seed=args.seed)
        outcomes = Counter(result.outcome for result in results)
        slowest = max(results, key=lambda r: r.seconds)
        slow = [r for r in results if r.seconds > SLOW_SECONDS]
        print(
            f"{kind.name}: {len(results)} cases: "
            + ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items()))
            + f"; slowest {slowest.seconds:.2f}s ({slowest.case.kind} seed {slowest.case.seed}); over {SLOW_SECONDS:.0f}s: {len(slow)}"
        )
        for result in results:
            if result.outcome not in GOOD or result.seconds > SLOW_SECONDS:
                status = 1
                print(f"  {result.outcome} {result.seconds:.2f}s {result.case.kind} seed {result.case.seed}: {result.message}")
    print(f"total {time.perf_counter() - began:.1f}s (seed {args.seed}, {args.cases} cases per mutation)")
    return status


if __name__ == "__main__":
    sys.exit(main())
