"""CPU per test, for finding what makes `make test` slow (a pytest plugin, off unless asked for).

    PYTHONPATH=$PWD python -m pytest -q -n 2 --dist worksteal -p tests.cpu_per_test
    python -m tests.cpu_per_test 30     # in all, by folder, by file, the 30 costliest tests

The rows go to $CPU_PER_TEST_DIR (default: peakplan-cpu-per-test in the temporary folder).

Each worker writes one JSON line per test: CPU of the worker itself and of the child processes
it waited for during the test (``getrusage``: user + system), and wall time. CPU, not wall time:
the machine is shared and its speed drifts, and CPU moves far less with both. A session-scoped
fixture's cost lands on the first test that asks for it on each worker; the pool of a dask
cluster or a server lands on the test during which it is reaped.
"""

from __future__ import annotations

import collections
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

FOLDER = Path(os.environ.get("CPU_PER_TEST_DIR", Path(tempfile.gettempdir()) / "peakplan-cpu-per-test"))
_out: IO[str] | None = None


def _cpu() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def pytest_configure(config: pytest.Config) -> None:
    global _out
    FOLDER.mkdir(parents=True, exist_ok=True)
    _out = (FOLDER / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.jsonl").open("w", encoding="utf-8")


def pytest_collection_finish(session: pytest.Session) -> None:
    assert _out is not None
    own, children = _cpu()
    _out.write(json.dumps({"event": "collected", "self": own, "children": children}) + "\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    own, children, wall = *_cpu(), time.perf_counter()
    yield
    own_after, children_after = _cpu()
    assert _out is not None
    row = {"id": item.nodeid, "self": own_after - own, "children": children_after - children,
           "wall": time.perf_counter() - wall}  # fmt: skip
    _out.write(json.dumps(row) + "\n")
    _out.flush()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _out is not None:
        own, children = _cpu()
        _out.write(json.dumps({"event": "end", "self": own, "children": children}) + "\n")
        _out.close()


def summary(folder: Path, top: int) -> str:
    """What the workers in ``folder`` spent: in all, per test folder, per file and the ``top`` tests."""
    rows: list[dict[str, Any]] = []
    lines = []
    for path in sorted(folder.glob("*.jsonl")):
        events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        rows += [event for event in events if "id" in event]
        marks = {event["event"]: event for event in events if "event" in event}
        if "end" in marks and "collected" in marks:
            lines.append(f"{path.stem}: {marks['end']['self']:.1f} s own, {marks['end']['children']:.1f} s children, "
                         f"collection {marks['collected']['self']:.1f} s")  # fmt: skip

    def cpu(row: dict[str, Any]) -> float:
        return float(row["self"] + row["children"])

    lines.insert(0, f"{len(rows)} tests, {sum(map(cpu, rows)):.1f} s of CPU in tests")
    for title, parts in (("folder", 2), ("file", None)):
        totals: collections.Counter[str] = collections.Counter()
        for row in rows:
            path = row["id"].split("::")[0]
            totals["/".join(path.split("/")[:parts])] += cpu(row)
        lines += [f"by {title}:"] + [f"  {value:7.1f}  {name}" for name, value in totals.most_common(top)]
    lines.append(f"top {top} tests (children's share in brackets):")
    costliest = sorted(rows, key=cpu, reverse=True)[:top]
    lines += [f"  {cpu(row):7.2f} ({row['children']:5.2f})  {row['id']}" for row in costliest]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(FOLDER, int(sys.argv[1]) if len(sys.argv) > 1 else 30))
