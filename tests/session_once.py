"""Work the whole test session shares, done once however many xdist workers ask for it.

A full plan costs seconds of CPU; with ``-n 2`` a session- or module-scoped fixture
runs once per worker that needs it, and the suite's two workers often both do.
Here the first worker to take a file lock does the work into a shared folder and
pickles its value beside it; the others wait for the lock and read the value.
"""

from __future__ import annotations

import fcntl
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")


def once_per_session(tmp_path_factory: pytest.TempPathFactory, name: str, work: Callable[[Path], T]) -> tuple[Path, T]:
    """``work(folder)`` run once per session into ``folder``; returns the folder and the value (picklable).

    Tests must not change the folder (copy it first).
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the workers' base folders share this parent
    folder = root / f"shared-{name}"
    with open(root / f"shared-{name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = folder.with_name(f"{folder.name}.pickle")
        if not saved.exists():
            folder.mkdir(parents=True, exist_ok=True)
            partial = saved.with_suffix(".part")
            partial.write_bytes(pickle.dumps(work(folder)))
            partial.replace(saved)
    return folder, pickle.loads(saved.read_bytes())
