"""Error types shared by every peakplan stage.

They live in ``calendars`` because it is the bottom of the import graph
(``calendars`` <- ``forecasts`` <- ``scheduler``): every stage can raise them
without importing upward. ``scheduler.errors`` re-exports them next to the
CLI's exit codes.
"""

from __future__ import annotations


class PeakplanError(Exception):
    """A problem the user can fix: the message says what, where and how."""


class InputError(PeakplanError):
    """An input file or option is missing, malformed or inconsistent."""


class InfeasibleError(PeakplanError):
    """The rules admit no solution (e.g. a roster no agent assignment satisfies)."""


class PublishError(PeakplanError):
    """A CalDAV server refused or failed a request (wrong password, no rights, server error)."""
