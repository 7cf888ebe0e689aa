"""Errors and the CLI's exit codes.

The exception classes are defined in :mod:`calendars.errors` (the bottom of the
import graph) and re-exported here so scheduler code and the CLI import them
from one place.
"""

from __future__ import annotations

from enum import IntEnum

from calendars.errors import InfeasibleError, InputError, PeakplanError

__all__ = ["ExitCode", "InfeasibleError", "InputError", "PeakplanError", "exit_code_for"]


class ExitCode(IntEnum):
    """Stable process exit codes; CI jobs branch on them."""

    OK = 0
    INTERNAL = 1  # a bug: Python printed a traceback
    USAGE = 2  # typer/click: unknown option, missing argument
    INPUT = 3  # a file or option is missing, malformed or inconsistent
    INFEASIBLE = 4  # the rules admit no roster


def exit_code_for(error: PeakplanError) -> ExitCode:
    if isinstance(error, InfeasibleError):
        return ExitCode.INFEASIBLE
    return ExitCode.INPUT
