"""Failure at every step of an atomic write: the harness the feed-folder and plan-folder tests share.

Every file operation the writer uses (``os`` calls, ``calendars.files``' open and its
atomic exchange) is counted; the write is run again and again, failing with
"No space left on device" at step 1, 2, 3, ... until a run completes before the
failing step. After each failure the folder must hold the old set or the new one,
never a mix, and the next (unfailing) run must repair it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from calendars import files

FILE_OPERATIONS = ("link", "rename", "fsync", "chmod", "mkdir", "rmdir")


def fail_at_every_step(
    monkeypatch: pytest.MonkeyPatch,
    out: Path,
    *,
    write: Callable[[], Any],
    read: Callable[[], Any],
    old: Any,
    new: Any,
    repaired: Callable[[], None],
) -> list[str]:
    """Fail ``write`` at each counted step in turn; returns "old"/"new" per failed run (what it left).

    ``read`` gives the folder's content, ``repaired`` asserts on the folder after the next run
    completed; between steps the folder goes back to its first state.
    """
    pristine = out.parent / f"{out.name}-pristine"
    shutil.copytree(out, pristine)
    step = {"now": 0, "fail_at": 0}

    def counting(function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            step["now"] += 1
            if step["now"] == step["fail_at"]:
                raise OSError(28, "No space left on device (injected)")
            return function(*args, **kwargs)

        return wrapper

    for name in FILE_OPERATIONS:
        monkeypatch.setattr(os, name, counting(getattr(os, name)))
    monkeypatch.setattr(files, "open", counting(open), raising=False)
    monkeypatch.setattr(files, "_exchange", counting(files._exchange))
    outcomes = []
    for fail_at in range(1, 200):
        step.update(now=0, fail_at=fail_at)
        try:
            write()
        except OSError:
            got = read()
            assert got in (old, new), f"a mix after a failure at step {fail_at}: {got!r}"
            outcomes.append("old" if got == old else "new")
        else:
            if step["now"] < fail_at:
                step["fail_at"] = 0
                shutil.rmtree(pristine)
                return outcomes  # the write completed before the step to fail: every step has been tried
            # A failure it got past (mkdir exist_ok, an unsyncable folder, an old copy it could not delete).
            assert read() == new
        step["fail_at"] = 0
        write()  # the next run completes and removes what the failed one left
        repaired()
        shutil.rmtree(out)
        shutil.copytree(pristine, out)  # back to the first run's folder for the next step
    pytest.fail("the write never completed")
