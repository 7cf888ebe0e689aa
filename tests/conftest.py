"""Hypothesis profiles and the garbage collector: settings for the whole test session.

``make test`` (and CI) runs the property and fuzz tests derandomized: the same
examples on every machine and every run, so a commit that passes keeps passing.
``make explore`` runs them with fresh random examples and more of them, to find
new counterexamples (each one found becomes a regression test).
"""

from __future__ import annotations

import gc
import os
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from scheduler.report.inputs import ReportInputs

settings.register_profile("reproducible", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))

# Allocations between young-generation collections (CPython's default is 700), and how many young
# and middle collections before the next older one (default 10 each). See pytest_collection_finish.
GC_THRESHOLDS = (2000, 20, 20)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fresh_forecast: the CLI tests' forecast memo is off (tests/cli/conftest.py): the test's claim is that a run gives the same bytes again",
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep the collector off what collection built (modules, test items) for the rest of the session.

    A test worker holds ~300,000 objects after collecting the suite, and every full collection
    walked them all: 4.5 s of a 32 s run of four plan tests went to the collector, 3.9 s of it
    in 22 full collections while plans and charts allocate. Frozen (``gc.freeze``), they are
    never walked again; with fewer, larger young collections the same run spent 2.1 s
    (gc callbacks timing each collection). Garbage is still collected: only the objects that
    exist now are exempt, and they live until the session ends anyway.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@pytest.fixture
def report_not_drawn(monkeypatch: pytest.MonkeyPatch) -> list[ReportInputs]:
    """Plans in this test write a one-line report.html; returns the inputs each plan gave the report.

    For tests that check what a plan does besides its report (a rerun's kept shifts, a warning):
    rendering the report is ~0.5 s of CPU per plan. The report itself is checked on the
    session's shared plans (tests/cli/test_report.py, test_peak_example.py, the browser tests), and a test
    can still check here what the plan handed it (a previous roster, warnings).
    """
    import scheduler.report.page  # here, not above: the report's modules load only for the tests that plan

    received: list[ReportInputs] = []

    def record(inputs: ReportInputs) -> str:
        received.append(inputs)
        return "<!doctype html><title>not drawn in this test</title>\n"

    monkeypatch.setattr(scheduler.report.page, "render_report", record)
    return received
