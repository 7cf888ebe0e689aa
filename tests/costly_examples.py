"""How many examples a costly property test draws: fewer in `make test` than in `make explore`.

A roster or bound property's example solves a model (0.1-0.3 s of CPU each). `make test` runs the
derandomized profile: the same examples on every run, so a count there is a fixed regression
set, not a search; `make explore` (``HYPOTHESIS_PROFILE=explore``) draws the larger count afresh
to look for new counterexamples. Read when the test module is imported, after tests/conftest.py
loaded the profile.
"""

from __future__ import annotations

from hypothesis import settings


def examples(*, ci: int, explore: int) -> int:
    """``explore`` examples under the explore profile, ``ci`` under every other (``make test``, CI)."""
    return explore if settings.get_current_profile_name() == "explore" else ci
