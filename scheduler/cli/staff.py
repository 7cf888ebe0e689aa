"""`peakplan staff` and `peakplan staff whatif`: required agents per interval, and the price of a peak."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scheduler.cli.common import (
    ConfigOption,
    OptionalConfigOption,
    QuietOption,
    WeekOption,
    checked_config,
    command_group,
    handle_errors,
    parse_date,
    print_warnings,
    stdout,
)
from scheduler.errors import InputError

if TYPE_CHECKING:
    from scheduler.config import Config
    from scheduler.staffing.whatif import WhatIfResult

app = command_group()


@app.callback(invoke_without_command=True)
@handle_errors
def staff(
    ctx: typer.Context,
    config: OptionalConfigOption = None,
    forecast: Annotated[
        Path | None, typer.Option("--forecast", "-f", help="Forecast CSV (from peakplan forecast).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Requirements CSV to write.")] = None,
    quiet: QuietOption = False,
) -> None:
    """Turn a forecast into required agents per interval and queue (requirements.csv).

    Each row holds the agents to schedule (shrinkage and occupancy cap
    applied) and the service level, ASA, abandonment and backlog they give.
    `peakplan staff whatif` prices a peak scenario.

    Example: peakplan staff --config examples/cashback/peakplan.toml --forecast forecast.csv --out requirements.csv
    """
    if ctx.invoked_subcommand is not None:
        return
    from scheduler.staffing.requirements import compute_requirements
    from scheduler.stage_files import read_forecast, write_requirements
    from scheduler.validation.preflight import FILE, Output, Reads

    for value, name in ((config, "--config"), (forecast, "--forecast"), (out, "--out")):
        if value is None:
            ctx.fail(f"Missing option '{name}'.")
    assert config is not None and forecast is not None and out is not None
    settings = checked_config(
        config,
        reads=Reads(team=False, history=False, events=False, forecast=forecast),
        outputs=[Output(path=out, kind=FILE, example="requirements.csv")],
        quiet=quiet,
    )
    requirements = compute_requirements(read_forecast(forecast), settings)
    write_requirements(settings, requirements, out)
    if not quiet:
        stdout.print(f"Wrote {out} ({len(requirements)} rows)", markup=False, soft_wrap=True)


def _fte_hours(settings: Config, fte_hours: float | None) -> float:
    """--fte-hours, else the longest contract week in the team file, else 40."""
    from scheduler.team import load_config_team

    if fte_hours is not None:
        return fte_hours
    if not settings.team_file.is_file():
        return 40.0
    contracts = load_config_team(settings).contracts
    return max((contract.max_hours_per_week for contract in contracts), default=40.0) or 40.0


def _print_whatif(result: WhatIfResult, tz: str) -> None:
    import pandas as pd
    from rich.table import Table

    from scheduler.report.markup import wait_text

    def share(value: float) -> str:
        return "-" if pd.isna(value) else f"{value:.1%}"

    def seconds(value: float) -> str:
        return "-" if pd.isna(value) else wait_text(value)

    last_day = (result.end.tz_convert(tz) - dt.timedelta(seconds=1)).date()
    period = f"{result.start.tz_convert(tz):%Y-%m-%d} to {last_day} ({result.days:g} days, {tz})"
    cost = Table(title=f"What the scenario takes, {period}")
    for column in ("queue", "x", "contacts", "required h", "extra h", "overtime h", "extra FTE", "peak +agents"):
        cost.add_column(column, justify="left" if column == "queue" else "right")
    for row in result.summary.itertuples(index=False):
        cost.add_row(
            row.queue,
            "" if pd.isna(row.multiplier) else f"x{row.multiplier:g}",
            f"{row.volume_base:,.0f} -> {row.volume:,.0f}",
            f"{row.required_hours_base:,.1f} -> {row.required_hours:,.1f}",
            f"{row.extra_hours:+,.1f}",
            f"{row.overtime_hours:,.1f}",
            f"{row.extra_fte:,.1f}",
            f"{row.peak_extra_agents:,.1f}",
        )
    stdout.print(cost)
    stdout.print(
        f"extra FTE = overtime hours / ({result.fte_hours:g} h a week x {result.days:g} / 7 days); "
        f"staffing in place: {result.staffed_from}",
        markup=False,
    )
    service = Table(title="If nobody is added (staffing in place, baseline -> scenario volume)")
    for column in ("queue", "service level", "ASA", "abandoned", "max backlog"):
        service.add_column(column, justify="left" if column == "queue" else "right")
    for row in result.summary[result.summary["queue"] != "total"].itertuples(index=False):
        service.add_row(
            row.queue,
            f"{share(row.service_level_base)} -> {share(row.service_level)}",
            f"{seconds(row.asa_seconds_base)} -> {seconds(row.asa_seconds)}",
            share(row.abandon_rate),
            f"{row.max_backlog:,.0f}",
        )
    stdout.print(service)


@app.command("whatif")
@handle_errors
def staff_whatif(
    config: ConfigOption,
    uplift: Annotated[
        list[str],
        typer.Option(
            "--uplift",
            "-u",
            help="QUEUE=CHANGE, repeatable: chat=+200% (x3), email=-20%, chat=x3, all=+50%; "
            "a bare number is a change as in the sale calendar (2 = +200%).",
        ),
    ],
    forecast: Annotated[
        Path | None, typer.Option("--forecast", "-f", help="Baseline forecast CSV (or give --week to forecast now).")
    ] = None,
    week: WeekOption = None,
    from_day: Annotated[
        str | None,
        typer.Option("--from", help="First local day of the uplift, YYYY-MM-DD (default: the forecast's first)."),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option("--days", min=1, max=366, help="Days of uplift from --from (default: to the forecast's end)."),
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option(
            "--roster", help="Roster CSV in place (default: the team staffed exactly to the baseline requirements)."
        ),
    ] = None,
    fte_hours: Annotated[
        float | None,
        typer.Option(
            "--fte-hours", help="Weekly hours of one extra agent (default: the longest contract in the team file)."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="CSV of the window's intervals to write.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Price a peak: extra agent-hours, extra agents or overtime, and the service if nobody is added.

    Example: peakplan staff whatif --config examples/cashback/peakplan.toml --week 2026-W48
    --uplift chat=+200% --from 2026-11-27 --days 3
    """
    from forecasts.grid import parse_week
    from scheduler.pipeline import run_forecast
    from scheduler.staffing.whatif import parse_uplift, what_if, write_whatif
    from scheduler.stage_files import read_forecast, read_roster
    from scheduler.validation.preflight import FILE, Output, Reads

    settings = checked_config(
        config,
        reads=Reads(team=False, history=week is not None, events=week is not None, forecast=forecast),
        outputs=[Output(path=out, kind=FILE)] if out is not None else [],
        quiet=quiet or json_output,
    )
    if (forecast is None) == (week is None):
        raise InputError("give the baseline as either --forecast forecast.csv or --week 2026-W48")
    first = parse_date(from_day or None, "--from", "2026-11-27")
    if forecast is not None:
        baseline = read_forecast(forecast)
    else:
        assert week is not None
        forecast_result = run_forecast(settings, parse_week(week), 7)
        print_warnings(forecast_result.warnings, quiet or json_output)
        baseline = forecast_result.frame
    result = what_if(
        baseline,
        settings,
        [parse_uplift(text) for text in uplift],
        start=first,
        days=days,
        roster=read_roster(roster) if roster is not None else None,
        fte_hours=_fte_hours(settings, fte_hours),
    )
    if out is not None:
        write_whatif(result, out, settings.timezone)
    if json_output:
        rounded = result.summary.round(4)
        summary = rounded.astype(object).where(rounded.notna(), None)  # JSON has no NaN: null
        payload = {
            "start": result.start.tz_convert(settings.timezone).isoformat(),
            "end": result.end.tz_convert(settings.timezone).isoformat(),
            "days": result.days,
            "fte_hours": result.fte_hours,
            "staffed_from": result.staffed_from,
            "queues": summary.to_dict(orient="records"),
        }
        typer.echo(json.dumps(payload, indent=2))
    elif not quiet:
        _print_whatif(result, settings.timezone)
        if out is not None:
            stdout.print(f"Wrote {out} ({len(result.intervals)} rows)", markup=False, soft_wrap=True)
