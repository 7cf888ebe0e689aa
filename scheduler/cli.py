"""The ``peakplan`` command line: a thin typer layer over the library.

Only this module prints or exits. Each command parses options, loads inputs,
calls one library function and writes its result. A user mistake raises a
:class:`~scheduler.errors.PeakplanError`; it is printed as one ``Error: ...``
line on stderr with a named exit code (:class:`~scheduler.errors.ExitCode`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from forecasts.grid import parse_week
from scheduler.config import Config, load_config
from scheduler.errors import ExitCode, InputError, PeakplanError, exit_code_for
from scheduler.pipeline import (
    FEEDS_DIR,
    coverage_of,
    export_feeds,
    read_forecast,
    read_requirements,
    read_roster,
    run_forecast,
    run_plan,
    run_roster,
    write_forecast,
    write_plan,
    write_requirements,
    write_roster,
)
from scheduler.roster import RosterResult
from scheduler.staffing import compute_requirements
from scheduler.team import load_team

app = typer.Typer(
    name="peakplan",
    help="Plan customer-support staffing for peak loads: forecast -> staffing -> roster -> calendar feeds.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)

F = TypeVar("F", bound=Callable[..., Any])

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="peakplan TOML config (paths inside are relative to it).")]
WeekOption = Annotated[
    str | None, typer.Option("--week", help="ISO week to plan, e.g. 2026-W48 (Monday to Sunday in the team's timezone).")
]
StartOption = Annotated[str | None, typer.Option("--start", help="First day to plan, YYYY-MM-DD (instead of --week).")]
DaysOption = Annotated[int, typer.Option("--days", min=1, max=366, help="Number of days to plan from the start.")]
GeneratedAtOption = Annotated[
    str | None,
    typer.Option(
        "--generated-at",
        help="Timestamp stamped into the feeds (DTSTAMP), ISO 8601 with offset. "
        "Pass it in CI for byte-identical output; default: now.",
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
TimeLimitOption = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        min=0.01,
        help="Solver budget in CP-SAT deterministic seconds (overrides roster.time_limit_seconds); "
        "deterministic, so the same roster on any machine.",
    ),
]


def _with_time_limit(config: Config, time_limit: float | None) -> Config:
    if time_limit is None:
        return config
    return dataclasses.replace(config, roster=dataclasses.replace(config.roster, time_limit_seconds=time_limit))


def handle_errors(command: F) -> F:
    """Turn PeakplanError into one 'Error: ...' line and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PeakplanError as error:
            stderr.print(f"Error: {error}", markup=False, soft_wrap=True)
            raise typer.Exit(int(exit_code_for(error))) from None

    return wrapper  # type: ignore[return-value]


def _horizon(week: str | None, start: str | None, days: int) -> tuple[dt.date, int]:
    if week and start:
        raise InputError("give either --week or --start, not both")
    if week:
        return parse_week(week), days
    if start:
        try:
            return dt.date.fromisoformat(start), days
        except ValueError:
            raise InputError(f"--start {start!r} is not a date like 2026-11-23") from None
    raise InputError("give the period to plan: --week 2026-W48 or --start 2026-11-23")


def _generated_at(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--generated-at {text!r} is not an ISO 8601 timestamp like 2026-11-20T09:00:00+03:00") from None
    if value.tzinfo is None:
        raise InputError(f"--generated-at {text!r} has no UTC offset (add e.g. +03:00 or Z)")
    return value


def _print_warnings(warnings: tuple[str, ...] | list[str], quiet: bool) -> None:
    if quiet:
        return
    for warning in warnings:
        stderr.print(f"Warning: {warning}", markup=False, soft_wrap=True)


def _print_summary(config: Config, summary: pd.DataFrame, roster: RosterResult | None) -> None:
    table = Table(title=f"{config.team_name}: required vs scheduled agent-hours")
    table.add_column("day")
    table.add_column("queue")
    table.add_column("required h", justify="right")
    table.add_column("scheduled h", justify="right")
    table.add_column("understaffed intervals", justify="right")
    for row in summary.itertuples(index=False):
        short = int(row.understaffed_intervals)
        table.add_row(
            row.day,
            row.queue,
            f"{row.required_hours:.1f}",
            f"{row.scheduled_hours:.1f}",
            f"[red]{short}[/red]" if short else "0",
        )
    table.add_section()
    table.add_row(
        "total",
        "",
        f"{summary['required_hours'].sum():.1f}",
        f"{summary['scheduled_hours'].sum():.1f}",
        str(int(summary["understaffed_intervals"].sum())),
    )
    stdout.print(table)
    if roster is not None:
        stdout.print(
            f"Solver: {roster.status}, objective {roster.objective:,.0f}, best bound {roster.best_bound:,.0f}, "
            f"gap {roster.gap:.2%}, {roster.wall_seconds:.1f} s; "
            f"understaffing {roster.understaffing_agent_hours:.1f} agent-hours in {roster.understaffed_intervals} "
            "queue-intervals",
            markup=False,
        )


@app.command()
@handle_errors
def plan(
    config: ConfigOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    week: WeekOption = None,
    start: StartOption = None,
    days: DaysOption = 7,
    generated_at: GeneratedAtOption = None,
    time_limit: TimeLimitOption = None,
    quiet: QuietOption = False,
) -> None:
    """Run every stage: forecast, staffing, roster and calendar feeds.

    Writes forecast.csv, requirements.csv, roster.csv, feeds/<agent>.ics and
    feeds/team.ics into --out, and prints required vs scheduled agent-hours.

    Example: peakplan plan --config examples/cashback/peakplan.toml --week 2026-W48 --out out/
    """
    settings = _with_time_limit(load_config(config), time_limit)
    first_day, length = _horizon(week, start, days)
    stamp = _generated_at(generated_at)
    result = run_plan(settings, first_day, length)
    _print_warnings(result.forecast.warnings, quiet)
    write_plan(settings, result, out, stamp)
    if not quiet:
        _print_summary(settings, result.summary, result.roster)
        stdout.print(f"Wrote {out}/forecast.csv, requirements.csv, roster.csv and {out}/{FEEDS_DIR}/", markup=False)


@app.command("forecast")
@handle_errors
def forecast_command(
    config: ConfigOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Forecast CSV to write.")],
    week: WeekOption = None,
    start: StartOption = None,
    days: DaysOption = 7,
    quiet: QuietOption = False,
) -> None:
    """Forecast contacts per interval and queue from the history and the sale calendar.

    Example: peakplan forecast --config examples/cashback/peakplan.toml --week 2026-W48 --out forecast.csv
    """
    settings = load_config(config)
    first_day, length = _horizon(week, start, days)
    result = run_forecast(settings, first_day, length)
    _print_warnings(result.warnings, quiet)
    write_forecast(settings, result.frame, out)
    if not quiet:
        stdout.print(f"Wrote {out} ({len(result.frame)} rows)", markup=False)


@app.command()
@handle_errors
def staff(
    config: ConfigOption,
    forecast: Annotated[Path, typer.Option("--forecast", "-f", help="Forecast CSV (from peakplan forecast).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Requirements CSV to write.")],
    quiet: QuietOption = False,
) -> None:
    """Turn a forecast into required agents per interval and queue.

    Example: peakplan staff --config examples/cashback/peakplan.toml --forecast forecast.csv --out requirements.csv
    """
    settings = load_config(config)
    requirements = compute_requirements(read_forecast(forecast), settings)
    write_requirements(settings, requirements, out)
    if not quiet:
        stdout.print(f"Wrote {out} ({len(requirements)} rows)", markup=False)


@app.command()
@handle_errors
def roster(
    config: ConfigOption,
    requirements: Annotated[Path, typer.Option("--requirements", "-r", help="Requirements CSV (from peakplan staff).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Roster CSV to write.")],
    team: Annotated[Path | None, typer.Option("--team", help="Team TOML (default: the config's team.file).")] = None,
    week: WeekOption = None,
    start: StartOption = None,
    days: DaysOption = 7,
    time_limit: TimeLimitOption = None,
    quiet: QuietOption = False,
) -> None:
    """Build a roster of named agents covering the requirements (CP-SAT).

    Example: peakplan roster --config examples/cashback/peakplan.toml --requirements requirements.csv
    --week 2026-W48 --out roster.csv
    """
    settings = _with_time_limit(load_config(config), time_limit)
    first_day, length = _horizon(week, start, days)
    agents = load_team(team or settings.team_file, settings.queue_names)
    table = read_requirements(requirements)
    result = run_roster(settings, agents, table, first_day, length)
    write_roster(settings, result.roster, out)
    if not quiet:
        _coverage, summary = coverage_of(settings, table, result.roster)
        _print_summary(settings, summary, result)
        stdout.print(f"Wrote {out} ({len(result.roster)} rows)", markup=False)


@app.command()
@handle_errors
def export(
    config: ConfigOption,
    roster: Annotated[Path, typer.Option("--roster", help="Roster CSV (from peakplan roster).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for <agent>.ics and team.ics.")],
    generated_at: GeneratedAtOption = None,
    quiet: QuietOption = False,
) -> None:
    """Write one iCalendar feed per agent and a team feed from a roster.

    Example: peakplan export --config examples/cashback/peakplan.toml --roster roster.csv --out feeds/
    """
    settings = load_config(config)
    stamp = _generated_at(generated_at)
    team = load_team(settings.team_file, settings.queue_names)
    table = read_roster(roster)
    unknown = sorted(set(table["agent_id"]) - {agent.id for agent in team.agents})
    if unknown:
        raise InputError(f"{roster}: agent id(s) {unknown} are not in the team file {settings.team_file}")
    paths = export_feeds(settings, team, table, out, stamp)
    if not quiet:
        stdout.print(f"Wrote {len(paths)} feeds to {out}", markup=False)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        stderr.print("Interrupted.")
        sys.exit(130)


if __name__ == "__main__":
    main()
