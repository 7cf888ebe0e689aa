"""Hypothesis profiles: the suite is reproducible by default, exploration is a separate command.

``make test`` (and CI) runs the property and fuzz tests derandomized: the same
examples on every machine and every run, so a commit that passes keeps passing.
``make explore`` runs them with fresh random examples and more of them, to find
new counterexamples (each one found becomes a regression test).
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("reproducible", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))
