"""Named-agent rosters: the public entry points (the model lives in :mod:`scheduler.rostering`)."""

from __future__ import annotations

from scheduler.rostering import ACTIVITIES, ROSTER_COLUMNS, RosterResult, build_problem, make_roster

__all__ = ["ACTIVITIES", "ROSTER_COLUMNS", "RosterResult", "build_problem", "make_roster"]
