"""One team's plan as a task: plain data in, plain data out, the same bytes on any machine.

:func:`run_team` is what every executor runs (serially in this process, or on a
dask worker): it reads the team's config, plans, writes ``<out>/<team>/``
exactly as ``peakplan plan`` does (:func:`scheduler.pipeline.plan_to_folder`)
and returns a :class:`TeamOutcome`. The task and the outcome are frozen
dataclasses of strings, numbers and dates, so they pickle anywhere; every
OR-Tools and pandas object lives and dies inside the call.

Why the roster is the same wherever it runs: CP-SAT's result depends on its
parameters, not on the machine, as long as they are fixed. The solver budget
is deterministic time, resolved on the client and carried in the task; the
number of search workers, the seed and interleaved search are set by
:func:`scheduler.rostering.sat.make_solver` regardless of the worker's core
count. The task also carries the client's :class:`~scheduler.rostering.sat.SolverIdentity` (those
settings and the OR-Tools version); a worker whose own identity differs refuses
the team instead of returning a different roster.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scheduler.errors import ExitCode, InputError, PeakplanError, exit_code_for
from scheduler.org.config import OrgDefaults, OrgTeam, team_config

if TYPE_CHECKING:  # the solver module loads OR-Tools; tasks are built and pickled without it
    from scheduler.rostering.sat import SolverIdentity

OK, UNDERSTAFFED, FAILED = "ok", "understaffed", "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamTask:
    """Everything a worker needs to plan one team (absolute paths: workers may run elsewhere)."""

    team: OrgTeam
    out_dir: Path  # <out>/<team>
    start: dt.date
    days: int
    generated_at: dt.datetime
    defaults: OrgDefaults
    time_limit_seconds: float | None = None  # --time-limit: overrides the team's and the org's
    max_understaffed_share: float | None = None  # --max-understaffed-share: overrides the team's
    solver: SolverIdentity


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamOutcome:
    """What became of one team: its status, the totals of index.html, and where it ran.

    ``status`` is OK, UNDERSTAFFED (written, but short beyond the team's
    threshold) or FAILED (nothing written; ``error`` says why and
    ``exit_code`` is what ``peakplan plan`` would have exited with).
    ``wall_seconds`` and ``worker`` describe the run, not the plan: they are
    printed, never written into the plan's files.
    """

    team: str
    status: str
    exit_code: int
    error: str = ""
    team_name: str = ""
    timezone: str = ""
    required_hours: float = 0.0
    scheduled_hours: float = 0.0
    understaffed_hours: float = 0.0
    understaffed_share: float = 0.0
    actions: int | None = None  # peak actions proposed (rows of actions.csv)
    solver_status: str = ""
    time_limit_seconds: float = 0.0
    files: tuple[str, ...] = ()
    wall_seconds: float = 0.0
    worker: str = ""
    traceback: str = ""  # for an internal error (a bug): printed, never written


def _where() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def failed(task: TeamTask, error: str, exit_code: int, *, wall_seconds: float = 0.0, worker: str = "") -> TeamOutcome:
    return TeamOutcome(
        team=task.team.slug, status=FAILED, exit_code=int(exit_code), error=error, wall_seconds=wall_seconds,
        worker=worker,
    )  # fmt: skip


def run_team(task: TeamTask) -> TeamOutcome:
    """Plan one team and write its folder; a user mistake becomes a FAILED outcome, not an exception.

    Other exceptions (a bug, a file system that went away) propagate, so that
    the executor can retry the task elsewhere and report it.
    """
    from scheduler.pipeline import plan_to_folder
    from scheduler.report.summary import check_understaffing, understaffed_share

    began = time.perf_counter()
    worker = _where()
    try:
        from scheduler.rostering.sat import solver_identity

        here = solver_identity()
        if here != task.solver:
            raise InputError(
                f"the worker {worker} solves with {here}, the client with {task.solver}: its rosters would differ; "
                "install the same locked versions on every worker"
            )
        config = team_config(task.team, task.defaults, time_limit_seconds=task.time_limit_seconds)
        written = plan_to_folder(config, task.start, task.days, task.out_dir, task.generated_at)
    except PeakplanError as error:
        return failed(task, str(error), exit_code_for(error), wall_seconds=time.perf_counter() - began, worker=worker)
    coverage = written.result.coverage.intervals
    hours = config.interval_minutes / 60
    limit = task.max_understaffed_share if task.max_understaffed_share is not None else config.max_understaffed_share
    status, message, code = OK, "", ExitCode.OK
    try:
        check_understaffing(coverage, config.interval_minutes, limit)
    except PeakplanError as short:
        status, message, code = UNDERSTAFFED, str(short), exit_code_for(short)
    return TeamOutcome(
        team=task.team.slug,
        status=status,
        exit_code=int(code),
        error=message,
        team_name=config.team_name,
        timezone=config.timezone,
        required_hours=float(coverage["agents_required"].sum()) * hours,
        scheduled_hours=float(coverage["agents_scheduled"].sum()) * hours,
        understaffed_hours=float(coverage["shortfall"].sum()) * hours,
        understaffed_share=understaffed_share(coverage),
        actions=len(written.result.actions.actions),
        solver_status=written.result.roster.status,
        time_limit_seconds=written.result.roster.time_limit_seconds,
        files=tuple(str(path) for path in (*written.files, *written.feeds.paths)),
        wall_seconds=time.perf_counter() - began,
        worker=worker,
    )
