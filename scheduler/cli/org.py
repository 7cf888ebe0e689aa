"""`peakplan plan --org` and `peakplan validate --org`: every team of an org file in one run.

Called by the `plan` and `validate` commands when they get ``--org`` instead of
``--config``; the library is :mod:`scheduler.org`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from scheduler.cli.common import finish_checks, print_checks, stderr, stdout
from scheduler.errors import ExitCode

DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds (scheduler.org.executors.DEFAULT_CONNECT_TIMEOUT, without importing it)

EXECUTORS = ("serial", "dask")

OneConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="peakplan TOML config (paths inside are relative to it); or --org."),
]
OrgOption = Annotated[
    Path | None,
    typer.Option(
        "--org",
        help="Org file listing the teams' configs (instead of --config): plans every team into --out/<team>/ "
        "and writes --out/index.html. See docs/org.md.",
    ),
]
ExecutorOption = Annotated[
    str,
    typer.Option(
        "--executor",
        help="With --org: 'serial' (one team after another here) or 'dask' (on a dask.distributed cluster: "
        "--scheduler, else the dask config / DASK_SCHEDULER_ADDRESS, else a local cluster).",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option("--scheduler", help="With --executor dask: address of a running scheduler, e.g. tcp://10.0.0.5:8786."),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers", min=1, help="With --executor dask and no scheduler: worker processes of the local cluster."
    ),
]
ConnectTimeoutOption = Annotated[
    float,
    typer.Option(
        "--connect-timeout", min=0.1, help="Seconds to wait for the dask scheduler before giving up (exit 3)."
    ),
]


def usage_error(message: str) -> typer.Exit:
    """Options that do not go together: printed as one error line, exit 2 like a missing option."""
    stderr.print(f"Error: {message}", markup=False, soft_wrap=True)
    return typer.Exit(int(ExitCode.USAGE))


def one_of_config_or_org(config: Path | None, org: Path | None) -> str:
    """'config' or 'org': exactly one of the two options must be given."""
    if config is not None and org is not None:
        raise usage_error("give either --config (one team) or --org (many teams), not both")
    if config is None and org is None:
        raise usage_error("give --config (one team) or --org (many teams)")
    return "config" if config is not None else "org"


def make_executor(executor: str, scheduler: str | None, workers: int | None, connect_timeout: float) -> Any:
    from scheduler.org import DaskExecutor, SerialExecutor

    if executor not in EXECUTORS:
        raise usage_error(f"--executor {executor!r}: choose one of {', '.join(EXECUTORS)}")
    if executor == "serial":
        if scheduler is not None or workers is not None:
            raise usage_error("--scheduler and --workers go with --executor dask")
        return SerialExecutor()
    if scheduler is not None and workers is not None:
        raise usage_error("--workers sizes a local cluster: it does not go with --scheduler (start workers there)")
    return DaskExecutor(scheduler, n_workers=workers, connect_timeout=connect_timeout)


def _print_outcome(progress: Any, quiet: bool) -> None:
    outcome = progress.finished
    if quiet or outcome is None:
        return
    where = f"{outcome.wall_seconds:.1f} s on {outcome.worker}"
    if outcome.status == "failed":
        stderr.print(f"[{progress}] {outcome.team}: failed (exit {outcome.exit_code}, {where}): {outcome.error}",
                     markup=False, soft_wrap=True)  # fmt: skip
    else:
        stderr.print(
            f"[{progress}] {outcome.team}: {outcome.status}, {outcome.scheduled_hours:,.1f} of "
            f"{outcome.required_hours:,.1f} required agent-hours scheduled ({where})",
            markup=False, soft_wrap=True,
        )  # fmt: skip


def _outcome_json(outcome: Any) -> dict[str, Any]:
    """One team in `plan --org --json` (deterministic: no wall time, no worker)."""
    return {
        "team": outcome.team,
        "name": outcome.team_name,
        "timezone": outcome.timezone,
        "status": outcome.status,
        "exit_code": outcome.exit_code,
        "error": outcome.error,
        "required_hours": round(outcome.required_hours, 2),
        "scheduled_hours": round(outcome.scheduled_hours, 2),
        "understaffed_hours": round(outcome.understaffed_hours, 2),
        "understaffed_share": round(outcome.understaffed_share, 4),
        "actions": outcome.actions,
        "solver_status": outcome.solver_status,
        "time_limit_seconds": outcome.time_limit_seconds,
        "files": list(outcome.files),
    }


def plan_org_command(
    *,
    org: Path,
    out: Path,
    first_day: dt.date,
    days: int,
    generated_at: dt.datetime,
    time_limit: float | None,
    max_understaffed_share: float | None,
    executor: str,
    scheduler: str | None,
    workers: int | None,
    connect_timeout: float,
    json_output: bool,
    quiet: bool,
) -> None:
    from rich.table import Table

    from scheduler.org import OrgRun, load_org, plan_org

    settings = load_org(org)
    runner = make_executor(executor, scheduler, workers, connect_timeout)
    silent = quiet or json_output
    with runner:
        if not silent:
            stderr.print(
                f"Planning {len(settings.teams)} teams, {days} days from {first_day}, {runner.describe()}",
                markup=False, soft_wrap=True,
            )  # fmt: skip
        run = OrgRun(
            start=first_day, days=days, out=out, generated_at=generated_at, time_limit_seconds=time_limit,
            max_understaffed_share=max_understaffed_share,
        )  # fmt: skip
        result = plan_org(settings, runner, run, progress=lambda progress: _print_outcome(progress, silent))
    for outcome in result.outcomes:
        if outcome.traceback:  # a bug, not a user mistake: the traceback is for the report
            stderr.print(f"{outcome.team}: {outcome.traceback}", markup=False, soft_wrap=True)
    if json_output:
        payload = {
            "org": settings.name,
            "start": str(first_day),
            "days": days,
            "exit_code": int(result.exit_code),
            "index": str(result.index),
            "teams": [_outcome_json(outcome) for outcome in result.outcomes],
        }
        typer.echo(json.dumps(payload, indent=2))
    elif not quiet:
        table = Table(title=f"{settings.name or settings.path}: {len(result.outcomes)} teams")
        for column in ("team", "status", "req. h", "sched. h", "short h", "actions", "time", "worker"):
            table.add_column(column, justify="left" if column in ("team", "status", "worker") else "right",
                             no_wrap=column in ("team", "worker"))  # fmt: skip
        for outcome in result.outcomes:
            planned = outcome.status != "failed"
            table.add_row(
                outcome.team,
                outcome.status if planned else f"[red]failed (exit {outcome.exit_code})[/red]",
                f"{outcome.required_hours:,.1f}" if planned else "",
                f"{outcome.scheduled_hours:,.1f}" if planned else "",
                f"{outcome.understaffed_hours:,.1f}" if planned else "",
                "" if outcome.actions is None else str(outcome.actions),
                f"{outcome.wall_seconds:.1f} s",
                outcome.worker,
            )
        stdout.print(table)
        stdout.print(f"Wrote {out}/<team>/ for {len(result.outcomes) - len(result.failed)} teams and {result.index}",
                     markup=False)  # fmt: skip
    for outcome in result.failed:
        stderr.print(f"Error: team {outcome.team}: {outcome.error}", markup=False, soft_wrap=True)
    if result.exit_code != ExitCode.OK:
        raise typer.Exit(int(result.exit_code))


def validate_org_command(*, org: Path, first_day: dt.date, days: int, json_output: bool, quiet: bool) -> None:
    """Every team's checks; exit 3 if any input is bad, else 4 if any team's rules admit no roster."""
    from scheduler.org import load_org, validate_org

    settings = load_org(org)
    results = validate_org(settings, first_day, days)
    codes = [result.exit_code for _, result in results]
    code = ExitCode.INPUT if ExitCode.INPUT in codes else max(codes, default=ExitCode.OK)
    if json_output:
        payload = {
            "ok": code == ExitCode.OK,
            "exit_code": int(code),
            "teams": {team: result.as_json() for team, result in results},
        }
        typer.echo(json.dumps(payload, indent=2))
    elif not quiet:
        for team, result in results:
            print_checks(result, f"{team}: {settings.team(team).config}, {days} days from {first_day}")
            for warning in result.warnings:
                stderr.print(f"Warning: {team}: {warning}", markup=False, soft_wrap=True)
    finish_checks(
        [(f"{team}: ", result) for team, result in results], code,
        valid=f"All inputs of the {len(results)} teams are valid: `peakplan plan --org` can run.",
        quiet=quiet, json_output=json_output,
    )  # fmt: skip
