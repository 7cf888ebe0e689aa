"""Long fuzz run over the example's inputs: the count of cases per outcome per input kind.

    python -m benchmarks.fuzz --cases 150            # 150 seeds per kind, validate path
    python -m benchmarks.fuzz --cases 20 --path forecast --kinds tickets intervals

Every case is one seeded mutation run through the real CLI in process
(``tests/fuzz/mutations_inputs.py``); only "ok" and "input error" are acceptable.
Prints one row per kind, the slowest case, and every unacceptable case with
its seed so it can be replayed (``--kinds KIND --first SEED --cases 1 --show``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

FUZZ = Path(__file__).resolve().parents[1] / "tests" / "fuzz"
sys.path.insert(0, str(FUZZ))

from mutations_inputs import ACCEPTABLE, FORECAST_HISTORY_FROM, HISTORY_FROM, KINDS, build_template, run_case  # noqa: E402

OUTCOMES = ("ok", "input error", "unnamed", "traceback", "hang", "half-written", "other")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=150, help="seeds per kind (default 150)")
    parser.add_argument("--first", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--kinds", nargs="*", default=list(KINDS), choices=KINDS)
    parser.add_argument("--path", choices=("validate", "forecast"), default="validate")
    parser.add_argument("--show", action="store_true", help="print every case, not only the unacceptable ones")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    failures = []
    rows = []
    with tempfile.TemporaryDirectory(prefix="peakplan-fuzz-") as root:
        for kind in args.kinds:
            since = FORECAST_HISTORY_FROM if args.path == "forecast" else HISTORY_FROM
            template = build_template(Path(root) / "templates" / kind, kind, since=since).parent
            work = Path(root) / "cases"
            work.mkdir(exist_ok=True)
            counts: Counter[str] = Counter()
            seconds = []
            for seed in range(args.first, args.first + args.cases):
                result = run_case(kind, seed, template, work, path=args.path)
                counts[result.outcome] += 1
                seconds.append(result.seconds)
                if args.show or result.outcome not in ACCEPTABLE:
                    print(f"{kind} seed {seed}: {result.outcome} in {result.seconds:.2f} s ({result.mutation}): "
                          f"{result.message[:300]}", flush=True)  # fmt: skip
                if result.outcome not in ACCEPTABLE:
                    failures.append(result)
            rows.append((kind, counts, max(seconds), statistics.median(seconds)))
    print()
    print(f"peakplan fuzz ({args.path} path): {args.cases} cases per kind from seed {args.first}")
    header = f"{'kind':<10}" + "".join(f"{name:>14}" for name in OUTCOMES) + f"{'median s':>10}{'max s':>8}"
    print(header)
    for kind, counts, slowest, median in rows:
        print(f"{kind:<10}" + "".join(f"{counts.get(name, 0):>14}" for name in OUTCOMES) + f"{median:>10.2f}{slowest:>8.2f}")
    total = Counter()
    for _, counts, _, _ in rows:
        total.update(counts)
    print(f"{'all':<10}" + "".join(f"{total.get(name, 0):>14}" for name in OUTCOMES))
    print(f"{sum(total.values())} cases, {len(failures)} unacceptable, {time.perf_counter() - began:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
