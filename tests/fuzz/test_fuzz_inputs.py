"""Seeded mutations of the example's inputs through the real CLI: success or exit 3 naming the file, never a bug.

A few seeds per input kind on the validate path and a few on the forecast path
(which must also leave no output behind when it fails); `python -m
benchmarks.fuzz --cases N` runs many more. The generator and the outcome
classes are in ``mutations_inputs.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mutations_inputs import (
    ACCEPTABLE,
    FORECAST_HISTORY_FROM,
    KINDS,
    build_template,
    mutate,
    run_case,
)

SEEDS_PER_KIND = 6  # cases per kind in `make test`; the benchmark runs hundreds
FORECAST_CASES = (("tickets", 1), ("intervals", 2), ("zendesk", 3))


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fuzz_templates")
    return {kind: build_template(root / kind, kind).parent for kind in KINDS}


@pytest.mark.parametrize("kind", KINDS)
def test_unmutated_template_is_valid(templates: dict[str, Path], kind: str, tmp_path: Path) -> None:
    # seed -1 is no case of the suite: run the template itself through the same runner with no mutation
    result = run_case(kind, -1, templates[kind], tmp_path, mutate_file=False)
    assert result.outcome == "ok", result


@pytest.mark.parametrize("kind", KINDS)
def test_mutated_inputs_end_in_success_or_a_named_input_error(templates: dict[str, Path], kind: str, tmp_path: Path) -> None:
    results = [run_case(kind, seed, templates[kind], tmp_path) for seed in range(SEEDS_PER_KIND)]
    bad = [result for result in results if result.outcome not in ACCEPTABLE]
    assert not bad, "\n".join(f"{r.kind} seed {r.seed} ({r.mutation}): {r.outcome}: {r.message}" for r in bad)


@pytest.mark.parametrize(("kind", "seed"), FORECAST_CASES)
def test_forecast_path_fails_cleanly_or_writes_its_file(kind: str, seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    template = build_template(tmp_path_factory.mktemp("forecast") / kind, kind, since=FORECAST_HISTORY_FROM).parent
    result = run_case(kind, seed, template, tmp_path_factory.mktemp("cases"), path="forecast")
    assert result.outcome in ACCEPTABLE, result


def test_mutations_are_seeded() -> None:
    data = b"ds,queue,y\n2026-11-01T10:00:00+03:00,chat,4\n2026-11-01T10:30:00+03:00,chat,5\n"
    assert mutate("intervals", 7, data) == mutate("intervals", 7, data)
    assert len({mutate("intervals", seed, data) for seed in range(20)}) > 5
