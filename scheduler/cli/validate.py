"""`peakplan validate`: every input of a plan checked without solving."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import (
    DaysOption,
    QuietOption,
    StartOption,
    WeekOption,
    handle_errors,
    plan_horizon,
    print_checks,
    stderr,
    stdout,
)
from scheduler.cli.org import OneConfigOption, OrgOption, one_of_config_or_org, usage_error, validate_org_command
from scheduler.errors import ExitCode


@handle_errors
def validate(
    config: OneConfigOption = None,
    org: OrgOption = None,
    week: WeekOption = None,
    start: StartOption = None,
    days: DaysOption = 7,
    requirements: Annotated[
        Path | None,
        typer.Option("--requirements", "-r", help="Check this requirements CSV covers the horizon (default: forecast now)."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the checks as one JSON object.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Check every input of a plan without solving: config, team, history, events, requirements, rules.

    Exit code 0 when `plan` can run, 3 when an input is missing or malformed,
    4 when some agent's own hard rules cannot hold. Each problem is one
    'Error: ...' line on stderr; a team too small for the requirements is a warning.

    With --org, every team of the org file is checked and every problem of every
    team is listed (exit 3 if any team has a bad input, 4 if any team's rules admit no roster).

    Example: peakplan validate --config examples/cashback/peakplan.toml --week 2026-W48

    Example: peakplan validate --org examples/org/org.toml --week 2026-W48
    """
    from scheduler.validation.validate import ERROR, validate_inputs

    one_team = one_of_config_or_org(config, org) == "config"
    first_day, length = plan_horizon(week, start, days)
    if not one_team:
        if requirements is not None:
            raise usage_error("--requirements goes with --config (one team), not with --org")
        assert org is not None
        validate_org_command(org=org, first_day=first_day, days=length, json_output=json_output, quiet=quiet)
        return
    assert config is not None
    result = validate_inputs(config, first_day, length, requirements_path=requirements)
    code = result.exit_code
    if json_output:
        typer.echo(json.dumps(result.as_json(), indent=2))
    elif not quiet:
        print_checks(result, f"peakplan validate: {config}, {length} days from {first_day}")
        for warning in result.warnings:
            stderr.print(f"Warning: {warning}", markup=False, soft_wrap=True)
    for check in result.checks:
        if check.status == ERROR:
            stderr.print(f"Error: {check.name}: {check.detail}", markup=False, soft_wrap=True)
    if code != ExitCode.OK:
        raise typer.Exit(int(code))
    if not quiet and not json_output:
        stdout.print("All inputs are valid: `peakplan plan` can run.", markup=False)
