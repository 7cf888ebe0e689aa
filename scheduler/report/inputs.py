"""What the HTML report is drawn from: :class:`ReportInputs`, filled by :mod:`scheduler.pipeline`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from scheduler.config import Config
from scheduler.rostering import RosterResult
from scheduler.team import Team

REPORT_FILE = "report.html"
HISTORY_DAYS = 21  # days of history drawn before the planned span


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportInputs:
    """What the report is drawn from; only ``forecast``, ``requirements`` and ``roster`` are required.

    Tables as the stage files hold them (strings are converted), timestamps tz-aware.
    """

    config: Config
    forecast: pd.DataFrame
    requirements: pd.DataFrame
    roster: pd.DataFrame
    team: Team | None = None
    history: pd.DataFrame | None = None  # interval counts ds, queue, y
    events: pd.DataFrame | None = None  # sale calendar + holidays (pipeline.load_events)
    previous: pd.DataFrame | None = None  # the roster published before
    solver: RosterResult | None = None  # from a plan run: status, objective, bound, gap, violations
    actions: pd.DataFrame | None = None  # the priced peak actions (scheduler.actions.ACTION_COLUMNS)
    warnings: tuple[str, ...] = ()
    generated_at: dt.datetime | None = None
