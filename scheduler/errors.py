"""Errors and the CLI's exit codes.

The exception classes are defined in :mod:`calendars.errors` (the bottom of the
import graph) and re-exported here so scheduler code and the CLI import them
from one place.

Exit codes are a stable interface: CI jobs branch on them, so a code never
changes meaning and new codes are only ever added.

====  ==============  =============================================================
code  name            meaning
====  ==============  =============================================================
0     OK              success (plan written, inputs valid, ...)
1     INTERNAL        a bug: Python printed a traceback (please report it)
2     USAGE           unknown option, missing argument (typer/click)
3     INPUT           a file or option is missing, malformed or inconsistent
4     INFEASIBLE      the labour rules admit no roster
5     UNDERSTAFFED    the plan was written, but more of the required agent-hours
                      are unscheduled than ``[report] max_understaffed_share``
                      (or ``--max-understaffed-share``) allows
6     PUBLISH         a CalDAV server refused or could not be reached
7     NO_SOLUTION     the solver found no roster within its budget, although no
                      rule conflict was proven: raise ``roster.time_limit_seconds``
8     TEAMS_FAILED    ``plan --org``: one or more teams failed (each with its own
                      error and code in the summary); the other teams' plans and
                      the org's index.html were written
====  ==============  =============================================================
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import TypeVar

from calendars.errors import InfeasibleError, InputError, PeakplanError, PublishError

__all__ = [
    "ExitCode",
    "InfeasibleError",
    "InputError",
    "MAX_PROBLEMS",
    "NoSolutionError",
    "PeakplanError",
    "Problems",
    "PublishError",
    "UnderstaffedError",
    "exit_code_for",
]


class ExitCode(IntEnum):
    """Stable process exit codes; CI jobs branch on them (see the module docstring)."""

    OK = 0
    INTERNAL = 1  # a bug: Python printed a traceback
    USAGE = 2  # typer/click: unknown option, missing argument
    INPUT = 3  # a file or option is missing, malformed or inconsistent
    INFEASIBLE = 4  # the rules admit no roster
    UNDERSTAFFED = 5  # plan written, but understaffed beyond the configured share
    PUBLISH = 6  # a CalDAV server refused a request or cannot be reached
    NO_SOLUTION = 7  # no roster found within the solver budget (no conflict proven)
    TEAMS_FAILED = 8  # plan --org: some teams failed, the others were written


T = TypeVar("T")

MAX_PROBLEMS = 50
"""Problems listed in one error; more are counted, not shown (the first ones are usually the cause)."""


class Problems:
    """User mistakes collected while reading inputs, raised together as one :class:`InputError`.

    Convention: an :class:`InputError` whose message has several lines lists
    one problem per line (the readers in ``forecasts`` and ``calendars`` cannot
    import this class, so they join their problems that way). Repeated lines
    are kept once, so a problem seen by two checks is printed once.
    """

    def __init__(self, cap: int = MAX_PROBLEMS) -> None:
        self.cap = cap
        self.items: list[str] = []
        self.total = 0

    def add(self, message: str) -> None:
        for line in str(message).splitlines():
            line = line.strip()
            if not line or line in self.items:
                continue
            self.total += 1
            if len(self.items) < self.cap:
                self.items.append(line)

    def attempt(self, check: Callable[[], T], fallback: T | None = None) -> T | None:
        """``check()``, or ``fallback`` after recording the InputError it raised."""
        try:
            return check()
        except InputError as error:
            self.add(str(error))
            return fallback

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return self.total

    def error(self) -> InputError:
        hidden = self.total - len(self.items)
        more = [f"... and {hidden} more problem(s): fix these first"] if hidden else []
        return InputError("\n".join(self.items + more))

    def raise_if_any(self) -> None:
        if self.items:
            raise self.error()


class NoSolutionError(PeakplanError):
    """The solver ran out of its budget before finding any roster.

    Not an infeasibility: no rule conflict was proven, so a larger
    ``roster.time_limit_seconds`` (or a smaller problem) may succeed.
    """


class UnderstaffedError(PeakplanError):
    """The roster leaves more required agent-hours uncovered than the configured threshold.

    Raised after the plan's files are written: the roster is still the best the
    team can do, and agents need their shifts; the exit code tells CI to alert.
    """


def exit_code_for(error: PeakplanError) -> ExitCode:
    if isinstance(error, NoSolutionError):
        return ExitCode.NO_SOLUTION
    if isinstance(error, InfeasibleError):
        return ExitCode.INFEASIBLE
    if isinstance(error, UnderstaffedError):
        return ExitCode.UNDERSTAFFED
    if isinstance(error, PublishError):
        return ExitCode.PUBLISH
    return ExitCode.INPUT
