"""Run every benchmark: ``python -m benchmarks [NAME ...]`` (``make bench``).

A benchmark is a module of this folder with an ``if __name__ == "__main__":``
block (``forecast_technion.py``, ``*_bench.py``, ...); helper modules without
one (instance generators) are skipped. Each runs in its own process, so one
benchmark's CPU pinning or imports cannot skew another. With NAMEs, only the
modules whose name contains one of them run. The exit status is the first
non-zero status of a benchmark, else 0.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def benchmark_modules(names: list[str] | None = None) -> list[str]:
    """Module names (``benchmarks.x``) of the runnable benchmarks, sorted."""
    found = []
    for path in sorted(FOLDER.glob("*.py")):
        if path.name.startswith("_"):
            continue
        if 'if __name__ == "__main__":' not in path.read_text(encoding="utf-8"):
            continue
        if names and not any(name in path.stem for name in names):
            continue
        found.append(f"{FOLDER.name}.{path.stem}")
    return found


def main(argv: list[str]) -> int:
    modules = benchmark_modules(argv or None)
    if not modules:
        print(f"no benchmark matches {argv}" if argv else "no benchmarks found", file=sys.stderr)
        return 2
    status = 0
    for module in modules:
        print(f"== {module}", flush=True)
        code = subprocess.call([sys.executable, "-m", module], cwd=FOLDER.parent)
        if code and not status:
            status = code
        print(flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
