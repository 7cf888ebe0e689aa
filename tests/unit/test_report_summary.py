"""The solver's bound as the console and the report name it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from scheduler.report.summary import bound_text


def roster(**fields: Any) -> Any:
    return SimpleNamespace(**fields)  # bound_text reads these three fields only


def test_a_proven_bound_is_named_with_its_gap() -> None:
    assert bound_text(roster(bound_available=True, best_bound=117362292.4, gap=0.0092)) == (
        "best bound 117,362,292, gap 0.92%"
    )


def test_no_bound_in_the_budget_is_said_not_shown_as_zero_and_a_full_gap() -> None:
    # A bound of 0 is valid but proves nothing: "gap 100.00%" read as the roster being that far off.
    text = bound_text(roster(bound_available=False, best_bound=0.0, gap=1.0))
    assert text == "no lower bound proven within its share of the budget (gap unknown)"
    assert "100" not in text
