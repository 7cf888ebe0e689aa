"""`peakplan roster`: named agents' shifts covering a requirements file (CP-SAT)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import (
    ConfigOption,
    DaysOption,
    FreezeOption,
    PreviousOption,
    QuietOption,
    StartOption,
    TimeLimitOption,
    WeekOption,
    checked_config,
    handle_errors,
    parse_date,
    plan_horizon,
    print_summary,
    print_violations,
    print_warnings,
    read_previous,
    stdout,
)


@handle_errors
def roster(
    config: ConfigOption,
    requirements: Annotated[Path, typer.Option("--requirements", "-r", help="Requirements CSV (from peakplan staff).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Roster CSV to write.")],
    team: Annotated[Path | None, typer.Option("--team", help="Team TOML (default: the config's team.file).")] = None,
    week: WeekOption = None,
    start: StartOption = None,
    days: DaysOption = 7,
    weeks: Annotated[
        int | None,
        typer.Option("--weeks", min=1, max=52, help="Plan this many weeks from the start (instead of --days)."),
    ] = None,
    previous: PreviousOption = None,
    freeze_until: FreezeOption = None,
    time_limit: TimeLimitOption = None,
    quiet: QuietOption = False,
) -> None:
    """Build a roster of named agents covering the requirements (CP-SAT).

    Example: peakplan roster --config examples/cashback/peakplan.toml --requirements requirements.csv
    --start 2026-11-23 --weeks 1 --previous old/roster.csv --out roster.csv
    """
    from scheduler.pipeline import coverage_of
    from scheduler.rostering import make_roster
    from scheduler.stage_files import read_requirements, write_roster
    from scheduler.team import load_config_team
    from scheduler.validation.preflight import FILE, Output, Reads

    first_day, length = plan_horizon(week, start, 7 * weeks if weeks else days)
    settings = checked_config(
        config,
        start=first_day,
        days=length,
        reads=Reads(team=team is None, history=False, events=False, previous=previous, requirements=requirements),
        outputs=[Output(path=out, kind=FILE, example="roster.csv")],
        quiet=quiet,
        time_limit=time_limit,
    )
    agents = load_config_team(settings, team)
    table = read_requirements(requirements)
    result = make_roster(
        settings,
        agents,
        table,
        first_day,
        length,
        previous=read_previous(previous),
        freeze_until=parse_date(freeze_until, "--freeze-until"),
    )
    write_roster(settings, result.roster, out)
    print_warnings(result.hard_rule_warnings, quiet)
    if not quiet:
        print_summary(settings, coverage_of(settings, table, result.roster).daily, result)
        print_violations(result)
        stdout.print(f"Wrote {out} ({len(result.roster)} rows)", markup=False, soft_wrap=True)
