"""The versions a run depends on: peakplan's own, Python's and those of the libraries that shape a plan.

Rosters are byte-identical for the same inputs only under the same versions
(OR-Tools above all), so `peakplan --version` names them. They are read from
the installed distributions' metadata, never by importing the libraries: the
command must start in a fraction of a second.
"""

from __future__ import annotations

import platform
from importlib import metadata

NOT_INSTALLED = "not installed"
# Shown name -> distribution name, in the order they are printed.
DISTRIBUTIONS: tuple[tuple[str, str], ...] = (("OR-Tools", "ortools"), ("pandas", "pandas"), ("numpy", "numpy"))


def distribution_version(name: str) -> str:
    """The installed version of a distribution, or ``"not installed"``."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return NOT_INSTALLED


def runtime_versions() -> dict[str, str]:
    """peakplan, Python, OR-Tools, pandas and numpy versions, in that order."""
    versions = {"peakplan": distribution_version("peakplan"), "Python": platform.python_version()}
    versions.update((shown, distribution_version(name)) for shown, name in DISTRIBUTIONS)
    return versions


def run_provenance(time_limit_seconds: float | None) -> dict[str, object]:
    """What a plan ran with, for the report and `plan --json`: versions and the solver's settings.

    The same inputs give byte-identical rosters only under the same versions and
    settings, so a plan says which: the versions of :func:`runtime_versions`, and
    CP-SAT's deterministic budget (None: automatic, in proportion to the team and
    horizon; the same inputs give the same budget), search workers, seed and interleaving.
    """
    # imported here: the solver module loads OR-Tools, which `peakplan --version` must not
    from scheduler.rostering.sat import solver_identity

    solver = solver_identity()
    return {
        "versions": runtime_versions(),
        "solver": {
            "time_limit": "deterministic",
            "deterministic_time_limit_seconds": time_limit_seconds if time_limit_seconds is not None else "auto",
            "num_workers": solver.num_workers,
            "random_seed": solver.random_seed,
            "interleave_search": solver.interleave_search,
        },
    }
