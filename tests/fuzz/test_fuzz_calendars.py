"""Seeded fuzz of the calendars stage's inputs: every case ends in success or an input error naming the file.

A bounded run (``PEAKPLAN_FUZZ_CASES`` cases per mutation, default 8: about
100 cases per input kind); the long run with counts per outcome is
``python -m benchmarks.fuzz_calendars``. Durations are not asserted here (no
wall-clock limits in tests); an alarm turns a hang into a failure instead of
a stuck CI job, and the benchmark reports cases over 10 s.
"""

from __future__ import annotations

import os
import signal

import pytest

import mutations_calendars

CASES = int(os.environ.get("PEAKPLAN_FUZZ_CASES", "8"))
SEED = int(os.environ.get("PEAKPLAN_FUZZ_SEED", "20261127"))
HANG_SECONDS = 120


@pytest.fixture
def hang_guard():
    def hung(signum, frame):
        raise TimeoutError(f"a fuzz case ran past {HANG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("kind", mutations_calendars.KINDS, ids=lambda kind: kind.name)
def test_every_case_succeeds_or_names_the_file(kind, tmp_path, hang_guard):
    results = mutations_calendars.run_kind(kind, tmp_path, per_mutation=CASES, seed=SEED)
    bad = [r for r in results if r.outcome not in ("ok", "input_error")]
    assert not bad, "\n".join(f"{r.outcome} {r.case.kind} seed {r.case.seed}: {r.message}" for r in bad)
    outcomes = {r.outcome for r in results}
    assert outcomes == {"ok", "input_error"}, f"the mutations should reach both outcomes, got {outcomes}"
    assert len({r.case.kind for r in results}) == len(kind.mutations())


def test_a_case_is_reproducible_from_its_seed():
    kind = mutations_calendars.KINDS[0]
    mutations = kind.mutations()
    first = list(mutations_calendars.mutate.cases(kind.base(), mutations, per_kind=3, seed=SEED))
    again = list(mutations_calendars.mutate.cases(kind.base(), mutations, per_kind=3, seed=SEED))
    assert first == again and len({case.data for case in first}) > len(mutations)
