"""The org's plan and its validation: every team, then the index page.

:func:`plan_org` builds one :class:`~scheduler.org.task.TeamTask` per team,
hands them to an executor (serial or dask), writes ``<out>/index.html`` and
returns the outcomes with the exit code the org run ends with
(:attr:`OrgResult.exit_code`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from scheduler.errors import ExitCode
from scheduler.org.config import OrgConfig
from scheduler.org.executors import ProgressCallback
from scheduler.org.index import INDEX_FILE, render_index, write_index
from scheduler.org.task import FAILED, UNDERSTAFFED, TeamOutcome, TeamTask

if TYPE_CHECKING:
    from scheduler.validation.validate import Validation


class Executor(Protocol):
    def run(self, tasks: Sequence[TeamTask], progress: ProgressCallback | None = None) -> list[TeamOutcome]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgResult:
    outcomes: tuple[TeamOutcome, ...]  # sorted by team
    index: Path

    @property
    def failed(self) -> tuple[TeamOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.status == FAILED)

    @property
    def exit_code(self) -> ExitCode:
        """TEAMS_FAILED when any team failed, else UNDERSTAFFED when any team is short beyond its threshold, else OK."""
        if self.failed:
            return ExitCode.TEAMS_FAILED
        if any(outcome.status == UNDERSTAFFED for outcome in self.outcomes):
            return ExitCode.UNDERSTAFFED
        return ExitCode.OK


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgRun:
    """One org plan: the days planned, the output folder, and what the command line sets for every team."""

    start: dt.date
    days: int
    out: Path
    generated_at: dt.datetime
    time_limit_seconds: float | None = None  # overrides each team's roster.time_limit_seconds
    max_understaffed_share: float | None = None  # overrides each team's report.max_understaffed_share


def build_tasks(org: OrgConfig, run: OrgRun) -> list[TeamTask]:
    """One task per team, with absolute paths and this process's solver identity."""
    from scheduler.rostering.sat import solver_identity

    solver = solver_identity()
    root = run.out.resolve()
    return [
        TeamTask(
            team=team,
            out_dir=root / team.slug,
            start=run.start,
            days=run.days,
            generated_at=run.generated_at,
            defaults=org.defaults,
            time_limit_seconds=run.time_limit_seconds,
            max_understaffed_share=run.max_understaffed_share,
            solver=solver,
        )
        for team in org.teams
    ]


def plan_org(org: OrgConfig, executor: Executor, run: OrgRun, progress: ProgressCallback | None = None) -> OrgResult:
    """Plan every team of ``org`` into ``run.out/<team>/`` and write ``run.out/index.html``.

    A team that fails leaves its folder as it was and is listed as failed on the
    index page; the others are planned regardless.
    """
    outcomes = executor.run(build_tasks(org, run), progress)
    text = render_index(outcomes, org_name=org.name, start=run.start, days=run.days, generated_at=run.generated_at)
    index = write_index(run.out / INDEX_FILE, text)
    return OrgResult(outcomes=tuple(sorted(outcomes, key=lambda outcome: outcome.team)), index=index)


def validate_org(org: OrgConfig, start: dt.date, days: int) -> list[tuple[str, Validation]]:
    """Every team's pre-flight checks (:func:`scheduler.validation.validate.validate_inputs`), by team.

    Returns:
        (team, its Validation) for each team, sorted by team; nothing is solved
        or written.
    """
    from scheduler.validation.validate import validate_inputs

    return [(team.slug, validate_inputs(team.config, start, days)) for team in org.teams]
