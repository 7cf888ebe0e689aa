"""`peakplan validate`: every input of a plan checked without solving."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import (
    DaysOption,
    PreviousFeedsOption,
    PreviousOption,
    QuietOption,
    StartOption,
    WeekOption,
    finish_checks,
    handle_errors,
    plan_horizon,
    print_checks,
    print_error,
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
        typer.Option(
            "--requirements", "-r", help="Check this requirements CSV covers the horizon (default: forecast now)."
        ),
    ] = None,
    previous: PreviousOption = None,
    previous_feeds: PreviousFeedsOption = None,
    inputs_only: Annotated[
        bool,
        typer.Option(
            "--inputs-only",
            help="Stop after the pre-flight pass every command runs (files, keys, rows, cross-references): "
            "no forecast, no rule check.",
        ),
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the checks as one JSON object.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Check every input of a plan without solving: config, team, history, events, requirements, rules.

    First the pre-flight pass every command runs before any work: it lists
    every problem at once (file, row or key, value, what is allowed) and exits
    3. Then, unless --inputs-only, the forecast and requirements over the
    period and each agent's hard rules. Exit code 0 when `plan` can run, 3 when
    an input is missing or malformed, 4 when the rules cannot hold. Warnings
    (a past week, an old history, a team too small for the requirements) never fail it.

    With --org, every team of the org file is checked and every problem of every
    team is listed (exit 3 if any team has a bad input, 4 if any team's rules admit no roster).

    Example: peakplan validate --config examples/cashback/peakplan.toml --week 2026-W48

    Example: peakplan validate --org examples/org/org.toml --week 2026-W48
    """
    from scheduler.validation.validate import validate_inputs

    one_team = one_of_config_or_org(config, org) == "config"
    first_day, length = plan_horizon(week, start, days)
    if not one_team:
        if requirements is not None:
            raise usage_error("--requirements goes with --config (one team), not with --org")
        assert org is not None
        validate_org_command(org=org, first_day=first_day, days=length, json_output=json_output, quiet=quiet)
        return
    assert config is not None
    from scheduler.validation.preflight import Reads, check_inputs

    checked = check_inputs(
        config,
        start=first_day,
        days=length,
        # With --requirements nothing is forecast: a config without a history validates too.
        reads=Reads(
            history=requirements is None, previous=previous, previous_feeds=previous_feeds, requirements=requirements
        ),
    )
    if not checked.ok:
        if json_output:
            payload = {"ok": False, "exit_code": int(ExitCode.INPUT), "problems": checked.problems.items,
                       "warnings": checked.warnings}  # fmt: skip
            typer.echo(json.dumps(payload, indent=2))
        print_error(checked.problems.error())
        raise typer.Exit(int(ExitCode.INPUT))
    if inputs_only:
        if json_output:
            typer.echo(json.dumps({"ok": True, "exit_code": 0, "problems": [], "warnings": checked.warnings}, indent=2))
        elif not quiet:
            for warning in checked.warnings:
                stderr.print(f"Warning: {warning}", markup=False, soft_wrap=True)
            stdout.print("All inputs are readable and consistent (forecast and rules not checked).", markup=False)
        return
    result = validate_inputs(config, first_day, length, requirements_path=requirements)
    warnings = list(dict.fromkeys([*checked.warnings, *result.warnings]))
    code = result.exit_code
    if json_output:
        payload = result.as_json()
        payload["warnings"] = warnings
        typer.echo(json.dumps(payload, indent=2))
    elif not quiet:
        print_checks(result, f"peakplan validate: {config}, {length} days from {first_day}")
        for warning in warnings:
            stderr.print(f"Warning: {warning}", markup=False, soft_wrap=True)
    finish_checks(
        [("", result)],
        code,
        valid="All inputs are valid: `peakplan plan` can run.",
        quiet=quiet,
        json_output=json_output,
    )
