"""Reading a large ticket export: the streaming csv reader against the pyarrow fast path.

Builds a ticket export of ``--copies`` times the bundled example's tickets (about
105,000 rows each; ticket ids made unique) in a temporary folder, then reads it
with :func:`forecasts.history.read_ticket_history` twice: once with pyarrow off
(the reader every install has) and once with pyarrow, if installed (the
``fast-csv`` extra). Prints the seconds of the CSV step and of the whole read
(best of ``--runs``), and checks that both give the same interval counts.

    python -m benchmarks.history_read --copies 20 --runs 3
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from unittest import mock

import pandas as pd

from forecasts import csvread
from forecasts.history import read_ticket_history

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cashback" / "history" / "tickets.csv"


def build_export(folder: Path, copies: int) -> Path:
    header, *rows = EXAMPLE.read_text(encoding="utf-8").splitlines()
    path = folder / "tickets.csv"
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(header + "\n")
        for copy in range(copies):
            handle.writelines(f"C{copy:03d}{row}\n" for row in rows)  # T0000001 -> C000T0000001
    return path


def best_of(runs: int, read) -> tuple[float, object]:  # noqa: ANN001
    best, value = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        value = read()
        best = min(best, time.perf_counter() - started)
    return best, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    try:
        import pyarrow
    except ImportError:
        pyarrow = None
    with tempfile.TemporaryDirectory() as folder:
        path = build_export(Path(folder), options.copies)
        size = path.stat().st_size
        lines = sum(1 for _ in path.open(encoding="utf-8")) - 1
        print(f"ticket export: {lines:,} rows, {size / 1e6:.1f} MB")

        def csv_step() -> pd.DataFrame:
            return csvread.read_csv_columns(path, required=["created_at", "channel"])

        def whole() -> pd.DataFrame:
            return read_ticket_history(path, tz="Europe/Moscow", interval_minutes=30, queues=None).frame

        with mock.patch.object(csvread, "FAST_FROM_CHARS", float("inf")):
            plain_csv, plain_table = best_of(options.runs, csv_step)
            plain_whole, plain_counts = best_of(options.runs, whole)
        print(f"streaming csv reader: csv step {plain_csv:.2f} s, whole read {plain_whole:.2f} s")
        if pyarrow is None:
            print("pyarrow not installed (pip install 'peakplan[fast-csv]'): no fast path to compare")
            return
        fast_csv, fast_table = best_of(options.runs, csv_step)
        fast_whole, fast_counts = best_of(options.runs, whole)
        print(f"pyarrow {pyarrow.__version__}: csv step {fast_csv:.2f} s, whole read {fast_whole:.2f} s")
        print(f"speed-up: csv step x{plain_csv / fast_csv:.1f}, whole read x{plain_whole / fast_whole:.1f}")
        pd.testing.assert_frame_equal(plain_table, fast_table)
        pd.testing.assert_frame_equal(plain_counts, fast_counts)
        print("same table and same interval counts from both readers")


if __name__ == "__main__":
    main()
