"""The ``peakplan`` command line: a thin typer layer over the library.

Only this module prints or exits. Each command parses options, loads inputs,
calls one library function and writes its result. A user mistake raises a
:class:`~scheduler.errors.PeakplanError`; it is printed as one ``Error: ...``
line on stderr with a named exit code (:class:`~scheduler.errors.ExitCode`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from forecasts.backtest import METHOD_NAMES, BacktestResult, backtest_summary, format_breakdown
from forecasts.forecast import FORECAST_COLUMNS
from forecasts.grid import parse_week
from forecasts.runs import backtest_file, forecast_file, parse_horizon, parse_interval
from scheduler.config import Config, load_config
from scheduler.errors import ExitCode, InputError, PeakplanError, exit_code_for
from calendars.feed_folder import FeedsResult
from calendars.publish import DEFAULT_PATH_TEMPLATE, CalDAVClient
from scheduler.pipeline import (
    FEEDS_DIR,
    coverage_of,
    export_feeds,
    publish_feed_folder,
    publish_roster,
    read_forecast,
    read_requirements,
    read_roster,
    roster_service,
    run_backtest,
    run_forecast,
    run_plan,
    write_forecast,
    write_plan,
    write_requirements,
    write_roster,
)
from scheduler.roster import RosterResult, make_roster
from scheduler.calculator import Calculation, calculate
from scheduler.staffing import compute_requirements
from scheduler.whatif import WhatIfResult, parse_uplift, what_if, write_whatif
from scheduler.diff import diff_json, diff_lines, diff_rosters, roster_offset_zone
from scheduler.init_project import next_monday, write_project
from scheduler.report import REPORT_FILE, load_report_inputs, render_report, report_inputs_for_plan
from scheduler.summary import check_understaffing, plan_json
from scheduler.validate import ERROR, OK, WARNING, validate_inputs
from calendars.files import write_text_atomic
from scheduler.tables import write_table
from scheduler.team import Team, load_team

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
PreviousFeedsOption = Annotated[
    Path | None,
    typer.Option(
        "--previous-feeds",
        help="Folder with the feeds as last published (default: the feeds already in the output folder). "
        "Unchanged events keep their bytes; SEQUENCE goes up only for moved shifts.",
    ),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="URL where the feed folder is served, e.g. https://example.com/feeds/ (overrides [feeds] base_url): "
        "subscribe links in index.html and SOURCE in each feed.",
    ),
]
TimeLimitOption = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        min=0.01,
        help="Solver budget in CP-SAT deterministic seconds (overrides roster.time_limit_seconds); "
        "deterministic, so the same roster on any machine.",
    ),
]


JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout (for CI); warnings go into it.")]
MaxUnderstaffedOption = Annotated[
    float | None,
    typer.Option(
        "--max-understaffed-share",
        min=0.0,
        max=1.0,
        help="Exit with code 5 (after writing the plan) when more than this share of the required agent-hours "
        "is unscheduled; overrides the config's report.max_understaffed_share.",
    ),
]


PreviousOption = Annotated[
    Path | None,
    typer.Option(
        "--previous",
        help="The roster published before (roster.csv): changed shifts cost roster.stability_weight each; "
        "its days before the plan count for rest and consecutive working days.",
    ),
]
FreezeOption = Annotated[
    str | None,
    typer.Option("--freeze-until", help="Keep the --previous roster exactly up to and including this date (YYYY-MM-DD)."),
]


def _previous(path: Path | None) -> pd.DataFrame | None:
    return read_roster(path) if path is not None else None


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date like 2026-11-25") from None


def _print_violations(result: RosterResult, limit: int = 8) -> None:
    """Soft-rule penalties by rule (total), then the largest single ones."""
    if not result.violations:
        return
    totals: dict[str, tuple[int, float]] = {}
    for rule, _subject, cost in result.violations:
        count, total = totals.get(rule, (0, 0.0))
        totals[rule] = (count + 1, total + cost)
    parts = [f"{rule}: {count} ({total:,.0f})" for rule, (count, total) in sorted(totals.items(), key=lambda item: -item[1][1])]
    stdout.print("Soft-rule penalties: " + "; ".join(parts), markup=False)
    for rule, subject, cost in result.violations[:limit]:
        stdout.print(f"  {rule} - {subject}: {cost:,.0f}", markup=False)


@contextlib.contextmanager
def _progress(silent: bool, message: str) -> Iterator[Callable[[str], None] | None]:
    """A spinner with elapsed time on stderr while a long stage runs (only on a terminal).

    Yields an update function for the solver's status line (objective, bound,
    gap), or None when nothing is shown.
    """
    if silent or not stderr.is_terminal:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=stderr,
                  transient=True) as progress:  # fmt: skip
        task = progress.add_task(message, total=None)
        yield lambda text: progress.update(task, description=f"{message} {text}")


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
    previous_feeds: PreviousFeedsOption = None,
    base_url: BaseUrlOption = None,
    previous: PreviousOption = None,
    freeze_until: FreezeOption = None,
    max_understaffed_share: MaxUnderstaffedOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Run every stage: forecast, staffing, roster, calendar feeds and the HTML report.

    Writes forecast.csv, requirements.csv, roster.csv, report.html, feeds/<agent>.ics,
    feeds/team.ics and feeds/index.html into --out, and prints required vs
    scheduled agent-hours. Exit codes: 0 ok, 3 bad input, 4 infeasible rules,
    5 written but understaffed beyond report.max_understaffed_share.

    Example: peakplan plan --config examples/cashback/peakplan.toml --week 2026-W48 --out out/

    Example (CI): peakplan plan --config team/peakplan.toml --week 2026-W48 --out public/
    --generated-at 2026-11-20T00:00:00Z --max-understaffed-share 0.1 --json > summary.json
    """
    settings = _with_time_limit(load_config(config), time_limit)
    first_day, length = _horizon(week, start, days)
    stamp = _generated_at(generated_at)
    previous_roster = _previous(previous)
    with _progress(
        quiet or json_output,
        f"Planning {length} days from {first_day} (CP-SAT budget {settings.roster.time_limit_seconds:g} s):",
    ) as update:
        result = run_plan(
            settings,
            first_day,
            length,
            previous=previous_roster,
            freeze_until=_date(freeze_until, "--freeze-until"),
            progress=update,
        )
    _print_warnings(result.forecast.warnings, quiet or json_output)
    # The report is rendered before anything is written: a failure leaves the folder as it was.
    report_html = render_report(report_inputs_for_plan(settings, result, previous=previous_roster, generated_at=stamp))
    feeds = write_plan(
        settings,
        result,
        out,
        stamp,
        days=(first_day, first_day + dt.timedelta(days=length - 1)),
        previous_feeds=previous_feeds,
        base_url=base_url,
    )
    write_text_atomic(out / REPORT_FILE, report_html)
    limit = max_understaffed_share if max_understaffed_share is not None else settings.max_understaffed_share
    if json_output:
        files = [out / name for name in ("forecast.csv", "requirements.csv", "roster.csv", REPORT_FILE)]
        evaluation = roster_service(settings, result.requirements, result.roster.roster)
        payload = plan_json(
            settings, first_day=first_day, days=length, coverage=result.coverage, daily=result.summary,
            evaluation=evaluation, roster=result.roster, files=files + list(feeds.paths),
            warnings=result.forecast.warnings, max_understaffed_share=limit, feeds=feeds.totals(),
        )  # fmt: skip
        typer.echo(json.dumps(payload, indent=2))
    elif not quiet:
        _print_summary(settings, result.summary, result.roster)
        _print_violations(result.roster)
        stdout.print(
            f"Wrote {out}/forecast.csv, requirements.csv, roster.csv, {REPORT_FILE} and {out}/{FEEDS_DIR}/", markup=False
        )
        _print_feeds(feeds)
    check_understaffing(result.coverage, settings.interval_minutes, limit)


forecast_app = typer.Typer(no_args_is_help=False, add_completion=False, pretty_exceptions_enable=False)
app.add_typer(forecast_app, name="forecast")

HistoryOption = Annotated[
    Path | None,
    typer.Option(
        "--history",
        help="History CSV with ds,y (optionally queue), instead of --config; ds with a UTC offset or local time in --tz.",
    ),
]
TzOption = Annotated[str | None, typer.Option("--tz", help="IANA timezone of the team, e.g. Asia/Jerusalem (with --history).")]
IntervalOption = Annotated[
    str | None, typer.Option("--interval", help="Interval length: 15min, 30min or 60min (with --history; default 60min).")
]
EventsOption = Annotated[Path | None, typer.Option("--events", help="Sale calendar, .ics or .csv (with --history).")]
HolidaysOption = Annotated[
    str | None, typer.Option("--holidays", help="Public holidays by ISO country code, e.g. IL (with --history).")
]
HorizonOption = Annotated[str | None, typer.Option("--horizon", help="Days to forecast from each start: 7d, 14d, 2w (default 7d).")]


def _forecast_days(days: int | None, horizon: str | None) -> int:
    if days is not None and horizon is not None and parse_horizon(horizon) != days:
        raise InputError(f"--days {days} and --horizon {horizon} disagree: give one of them")
    if horizon is not None:
        return parse_horizon(horizon)
    return days if days is not None else 7


def _date_option(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date like 1999-09-06") from None


def _standalone_only(config: Path | None, tz: str | None, interval: str | None, events: Path | None,
                     holidays: str | None) -> None:  # fmt: skip
    """--tz, --interval, --events and --holidays describe a --history file; a config names its own."""
    given = [name for name, value in (("--tz", tz), ("--interval", interval), ("--events", events),
             ("--holidays", holidays)) if value is not None]  # fmt: skip
    if config is not None and given:
        raise InputError(f"{', '.join(given)} go with --history; with --config the config names the inputs")


@forecast_app.callback(invoke_without_command=True)
@handle_errors
def forecast_command(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="peakplan TOML config (paths inside are relative to it).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Forecast CSV to write.")] = None,
    week: WeekOption = None,
    start: StartOption = None,
    days: Annotated[int | None, typer.Option("--days", min=1, max=366, help="Number of days to forecast (default 7).")] = None,
    horizon: HorizonOption = None,
    history: HistoryOption = None,
    tz: TzOption = None,
    interval: IntervalOption = None,
    events: EventsOption = None,
    holidays: HolidaysOption = None,
    quiet: QuietOption = False,
) -> None:
    """Forecast contacts per interval and queue from the history and the sale calendar.

    Writes ds, queue, yhat (expected contacts), baseline, uplift, events and the
    P80 (yhat_lo, yhat_hi) and P95 (yhat_lo95, yhat_hi95) bands. Either from a
    team config, or standalone from a history CSV (ds,y): everything before
    --start trains. `peakplan forecast backtest` scores the forecast on past weeks.

    Example: peakplan forecast --config examples/cashback/peakplan.toml --week 2026-W48 --out forecast.csv

    Example: peakplan forecast --history calls.csv --start 1999-09-06 --horizon 7d --interval 60min
    --tz Asia/Jerusalem --holidays IL --out forecast.csv
    """
    if ctx.invoked_subcommand is not None:
        return
    if out is None:
        ctx.fail("Missing option '--out'.")
    assert out is not None
    length = _forecast_days(days, horizon)
    _standalone_only(config, tz, interval, events, holidays)
    if history is not None:
        if config is not None or week is not None:
            raise InputError("give either --config (with --week or --start) or --history (with --start), not both")
        if start is None or tz is None:
            raise InputError("with --history give --start (the first day to forecast, e.g. 1999-09-06) and --tz")
        first_day = _date_option(start, "--start")
        assert first_day is not None
        result = forecast_file(
            history, start=first_day, days=length, tz=tz, interval_minutes=parse_interval(interval or "60min"),
            events_path=events, holidays=holidays or "",
        )  # fmt: skip
        _print_warnings(result.warnings, quiet)
        write_table(result.frame.loc[:, list(FORECAST_COLUMNS)], out, tz, ("ds",))
    else:
        if config is None:
            ctx.fail("Missing option '--config' (or give --history).")
        assert config is not None
        settings = load_config(config)
        first_day, length = _horizon(week, start, length)
        result = run_forecast(settings, first_day, length)
        _print_warnings(result.warnings, quiet)
        write_forecast(settings, result.frame, out)
    if not quiet:
        stdout.print(f"Wrote {out} ({len(result.frame)} rows)", markup=False)


def _print_backtest(result: BacktestResult, horizon_days: int) -> None:
    origins = result.origins
    table = Table(
        title=f"Backtest: {len(origins)} weekly origins {origins[0]}..{origins[-1]}, {horizon_days}-day horizon, "
        "per interval"
    )
    for column in ("method", "WAPE", "event days", "normal days", "bias", "P80 cov.", "P95 cov."):
        table.add_column(column, justify="left" if column == "method" else "right", no_wrap=column == "method")
    names = METHOD_NAMES

    def pct(value: float, sign: str = "") -> str:
        return "-" if pd.isna(value) else f"{100 * value:{sign}.1f}%"

    for method, name in names.items():
        every, event, normal = (result.score(method, days) for days in ("all", "event", "normal"))
        table.add_row(
            name, pct(every["wape"]), pct(event["wape"]), pct(normal["wape"]), pct(every["bias"], "+"),
            pct(every["coverage_p80"]), pct(every["coverage_p95"]),
        )  # fmt: skip
    stdout.print(table)
    stdout.print(format_breakdown(result), markup=False)
    shown = ", ".join(str(day) for day in result.event_days[:12]) + (", ..." if len(result.event_days) > 12 else "")
    stdout.print(
        f"event days (an event or holiday, or the day before one): {shown or 'none'}; WAPE = sum|error| / sum actual, "
        "bias = sum(forecast - actual) / sum actual; P80/P95 cov. = share of actuals inside the model's bands; "
        "seasonal naive = the same interval a week earlier; 8-week average = the same weekday and interval "
        "over the 8 weeks before the origin; day-type rule = a holiday like the weekly rest day, an eve like the day "
        "before it, each scaled by what past ones did",
        markup=False,
    )


@forecast_app.command("backtest")
@handle_errors
def forecast_backtest(
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="peakplan TOML config (paths inside are relative to it).")
    ] = None,
    history: HistoryOption = None,
    tz: TzOption = None,
    interval: IntervalOption = None,
    events: EventsOption = None,
    holidays: HolidaysOption = None,
    from_day: Annotated[
        str | None, typer.Option("--from", help="Origins are the Mondays from this date (default: 8 weeks into the history).")
    ] = None,
    to_day: Annotated[
        str | None, typer.Option("--to", help="... up to this date (default: the end of the history).")
    ] = None,
    horizon: HorizonOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="CSV of every scored interval: actual, model, bands, baselines.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Score the forecast on past weeks against seasonal naive and the 8-week average.

    From every Monday between --from and --to: fit on the history before it and
    forecast the next 7 days, as the weekly CI job does. Prints WAPE and bias
    overall, on event and holiday days (and their eves) and on normal days, for
    the model and both baselines computed in the same run, and the coverage of
    the model's P80/P95 bands.

    Example: peakplan forecast backtest --history calls.csv --tz Asia/Jerusalem --interval 60min --holidays IL
    --from 1999-04-01 --to 1999-06-30

    Example: peakplan forecast backtest --config examples/cashback/peakplan.toml --from 2026-06-01 --json
    """
    horizon_days = _forecast_days(None, horizon)
    first, last = _date_option(from_day, "--from"), _date_option(to_day, "--to")
    _standalone_only(config, tz, interval, events, holidays)
    if (config is None) == (history is None):
        raise InputError("give either --config or --history (with --tz)")
    if history is not None:
        if tz is None:
            raise InputError("with --history give --tz, the team's IANA timezone (e.g. Asia/Jerusalem)")
        result = backtest_file(
            history, first_origin=first, last_origin=last, horizon_days=horizon_days, tz=tz,
            interval_minutes=parse_interval(interval or "60min"), events_path=events, holidays=holidays or "",
        )  # fmt: skip
        zone_name = tz
    else:
        assert config is not None
        settings = load_config(config)
        result = run_backtest(settings, first, last, horizon_days)
        zone_name = settings.timezone
    if out is not None:
        write_table(result.predictions, out, zone_name, ("ds",))
    if json_output:
        typer.echo(json.dumps(backtest_summary(result), indent=2, sort_keys=True))
        return
    _print_warnings(result.warnings, quiet)
    if not quiet:
        _print_backtest(result, horizon_days)
        if out is not None:
            stdout.print(f"Wrote {out} ({len(result.predictions)} rows)", markup=False)


staff_app = typer.Typer(no_args_is_help=False, add_completion=False, pretty_exceptions_enable=False)
app.add_typer(staff_app, name="staff")


@staff_app.callback(invoke_without_command=True)
@handle_errors
def staff(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="peakplan TOML config (paths inside are relative to it).")
    ] = None,
    forecast: Annotated[Path | None, typer.Option("--forecast", "-f", help="Forecast CSV (from peakplan forecast).")] = None,
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
    for value, name in ((config, "--config"), (forecast, "--forecast"), (out, "--out")):
        if value is None:
            ctx.fail(f"Missing option '{name}'.")
    assert config is not None and forecast is not None and out is not None
    settings = load_config(config)
    requirements = compute_requirements(read_forecast(forecast), settings)
    write_requirements(settings, requirements, out)
    if not quiet:
        stdout.print(f"Wrote {out} ({len(requirements)} rows)", markup=False)


def _fte_hours(settings: Config, fte_hours: float | None) -> float:
    """--fte-hours, else the longest contract week in the team file, else 40."""
    if fte_hours is not None:
        return fte_hours
    if not settings.team_file.is_file():
        return 40.0
    contracts = load_team(settings.team_file, settings.queue_names, shifts=settings.shift_names).contracts
    return max((contract.max_hours_per_week for contract in contracts), default=40.0) or 40.0


def _print_whatif(result: WhatIfResult, tz: str) -> None:
    def share(value: float) -> str:
        return "-" if pd.isna(value) else f"{value:.1%}"

    def seconds(value: float) -> str:
        if pd.isna(value):
            return "-"
        if value < 120:
            return f"{value:,.0f} s"
        return f"{value / 60:,.0f} min" if value < 7200 else f"{value / 3600:,.1f} h"

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


@staff_app.command("whatif")
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
        str | None, typer.Option("--from", help="First local day of the uplift, YYYY-MM-DD (default: the forecast's first).")
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", min=1, max=366, help="Days of uplift from --from (default: to the forecast's end).")
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option("--roster", help="Roster CSV in place (default: the team staffed exactly to the baseline requirements)."),
    ] = None,
    fte_hours: Annotated[
        float | None,
        typer.Option("--fte-hours", help="Weekly hours of one extra agent (default: the longest contract in the team file)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="CSV of the window's intervals to write.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Price a peak: extra agent-hours, extra agents or overtime, and the service if nobody is added.

    Example: peakplan staff whatif --config examples/cashback/peakplan.toml --week 2026-W48
    --uplift chat=+200% --from 2026-11-27 --days 3
    """
    settings = load_config(config)
    if (forecast is None) == (week is None):
        raise InputError("give the baseline as either --forecast forecast.csv or --week 2026-W48")
    try:
        first = dt.date.fromisoformat(from_day) if from_day else None
    except ValueError:
        raise InputError(f"--from {from_day!r} is not a date like 2026-11-27") from None
    if forecast is not None:
        baseline = read_forecast(forecast)
    else:
        assert week is not None
        forecast_result = run_forecast(settings, parse_week(week), 7)
        _print_warnings(forecast_result.warnings, quiet or json_output)
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
            stdout.print(f"Wrote {out} ({len(result.intervals)} rows)", markup=False)


def _print_calculation(result: Calculation, target_seconds: float, level: float, cap: float, shrinkage: float | None) -> None:
    table = Table(title="Erlang A (with abandonment)" if result.abandon_rate is not None else "Erlang C")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("note")
    table.add_row("traffic", f"{result.traffic_erlangs:,.2f} Erlangs", "contacts x AHT / interval length")
    how = "given" if result.agents_given else f"fewest for {level:.0%} within {target_seconds:g} s and occupancy <= {cap:.0%}"
    table.add_row("agents", f"{result.agents:,}", how)
    table.add_row("service level", f"{result.service_level:.2%}", f"answered within {target_seconds:g} s")
    table.add_row("ASA", f"{result.asa_seconds:,.1f} s", "average speed of answer")
    table.add_row("P(wait)", f"{result.p_wait:.2%}", "contacts that wait at all")
    table.add_row("occupancy", f"{result.occupancy:.2%}", f"cap {cap:.0%}")
    if result.abandon_rate is not None:
        table.add_row("abandoned", f"{result.abandon_rate:.2%}", "give up before an answer")
    if result.staff_with_shrinkage is not None and shrinkage is not None:
        table.add_row("staff with shrinkage", f"{result.staff_with_shrinkage:,.2f}", f"agents / (1 - {shrinkage:.0%})")
    stdout.print(table)


@app.command()
@handle_errors
def erlang(
    volume: Annotated[float, typer.Option("--volume", help="Contacts arriving in the interval.")],
    interval_minutes: Annotated[float, typer.Option("--interval-minutes", help="Interval length in minutes.")],
    aht: Annotated[float, typer.Option("--aht", help="Average handle time of one contact, seconds.")],
    target_seconds: Annotated[float, typer.Option("--target-seconds", help="Answer-time target, seconds.")],
    agents: Annotated[
        int | None, typer.Option("--agents", help="Report this staffing's figures instead of finding the fewest agents.")
    ] = None,
    service_level: Annotated[
        float, typer.Option("--service-level", help="Share to answer within the target (fraction).")
    ] = 0.8,
    max_occupancy: Annotated[float, typer.Option("--max-occupancy", help="Occupancy cap (fraction).")] = 0.85,
    shrinkage: Annotated[
        float | None, typer.Option("--shrinkage", help="Shrinkage (fraction): also report agents / (1 - shrinkage).")
    ] = None,
    patience: Annotated[
        float | None, typer.Option("--patience", help="Mean customer patience in seconds: Erlang A instead of Erlang C.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object (fractions, seconds).")] = False,
) -> None:
    """Erlang calculator for one interval: the fewest agents for a target, or a staffing's figures.

    Example: peakplan erlang --volume 200 --interval-minutes 60 --aht 180 --target-seconds 20
    """
    result = calculate(
        volume=volume,
        interval_minutes=interval_minutes,
        aht_seconds=aht,
        target_seconds=target_seconds,
        agents=agents,
        target_level=service_level,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
        patience_seconds=patience,
    )
    if json_output:
        typer.echo(json.dumps(result.as_json()))
    else:
        _print_calculation(result, target_seconds, service_level, max_occupancy, shrinkage)


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
    weeks: Annotated[int | None, typer.Option("--weeks", min=1, max=52, help="Plan this many weeks from the start (instead of --days).")] = None,
    previous: PreviousOption = None,
    freeze_until: FreezeOption = None,
    time_limit: TimeLimitOption = None,
    quiet: QuietOption = False,
) -> None:
    """Build a roster of named agents covering the requirements (CP-SAT).

    Example: peakplan roster --config examples/cashback/peakplan.toml --requirements requirements.csv
    --start 2026-11-23 --weeks 1 --previous old/roster.csv --out roster.csv
    """
    settings = _with_time_limit(load_config(config), time_limit)
    first_day, length = _horizon(week, start, 7 * weeks if weeks else days)
    agents = load_team(team or settings.team_file, settings.queue_names, shifts=settings.shift_names)
    table = read_requirements(requirements)
    result = make_roster(
        settings, agents, table, first_day, length, previous=_previous(previous), freeze_until=_date(freeze_until, "--freeze-until")
    )
    write_roster(settings, result.roster, out)
    if not quiet:
        _coverage, summary = coverage_of(settings, table, result.roster)
        _print_summary(settings, summary, result)
        _print_violations(result)
        stdout.print(f"Wrote {out} ({len(result.roster)} rows)", markup=False)


@app.command()
@handle_errors
def export(
    config: ConfigOption,
    roster: Annotated[Path, typer.Option("--roster", help="Roster CSV (from peakplan roster).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for <agent>.ics, team.ics and index.html.")],
    generated_at: GeneratedAtOption = None,
    week: Annotated[
        str | None,
        typer.Option("--week", help="ISO week the roster plans (default: the days its shifts start on); "
                     "earlier feed events outside it are kept."),
    ] = None,
    start: StartOption = None,
    days: DaysOption = 7,
    previous_feeds: PreviousFeedsOption = None,
    base_url: BaseUrlOption = None,
    quiet: QuietOption = False,
) -> None:
    """Write one iCalendar feed per agent, a team feed and index.html (subscribe links) from a roster.

    Example: peakplan export --config examples/cashback/peakplan.toml --roster roster.csv --out feeds/
    """
    settings = load_config(config)
    stamp = _generated_at(generated_at)
    team = load_team(settings.team_file, settings.queue_names, shifts=settings.shift_names)
    table = _read_team_roster(roster, settings, team)
    span = _planned_days(week, start, days)
    result = export_feeds(
        settings, team, table, out, stamp, days=span, previous_feeds=previous_feeds, base_url=base_url
    )
    if not quiet:
        _print_feeds(result)


def _read_team_roster(path: Path, settings: Config, team: Team) -> pd.DataFrame:
    table = read_roster(path)
    unknown = sorted(set(table["agent_id"]) - {agent.id for agent in team.agents})
    if unknown:
        raise InputError(f"{path}: agent id(s) {unknown} are not in the team file {settings.team_file}")
    return table


def _planned_days(week: str | None, start: str | None, days: int) -> tuple[dt.date, dt.date] | None:
    """First and last day given by --week/--start, or None to take the roster's own days."""
    if week is None and start is None:
        return None
    first_day, length = _horizon(week, start, days)
    return first_day, first_day + dt.timedelta(days=length - 1)


def _print_feeds(result: FeedsResult) -> None:
    totals = result.totals()
    parts = [
        f"{totals.get('added', 0)} new",
        f"{totals.get('rescheduled', 0)} rescheduled (SEQUENCE+1)",
        f"{totals.get('changed', 0)} changed",
        f"{totals.get('unchanged', 0)} unchanged",
        f"{totals.get('removed', 0)} removed",
    ]
    if totals.get("kept"):
        parts.append(f"{totals['kept']} kept from other days")
    folder = result.paths[0].parent if result.paths else Path(".")
    stdout.print(
        f"Feeds in {folder}: {len(result.feeds)} calendars, index.html; "
        f"{len(result.written)} of {len(result.paths)} files rewritten. Shifts: " + ", ".join(parts),
        markup=False,
    )


@app.command()
@handle_errors
def publish(
    caldav: Annotated[str, typer.Option("--caldav", help="CalDAV server URL, e.g. https://cal.example.com/.")],
    user: Annotated[str, typer.Option("--user", help="CalDAV account that owns the agents' calendars.")],
    password_env: Annotated[
        str, typer.Option("--password-env", help="Name of the environment variable holding the password.")
    ],
    feeds: Annotated[
        Path | None, typer.Option("--feeds", help="Publish the agent feeds in this folder (from export/plan) as they are.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="With --roster: render the feeds from the roster instead.")
    ] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="Roster CSV (with --config).")] = None,
    week: Annotated[
        str | None, typer.Option("--week", help="With --roster: ISO week it plans (default: its shifts' days).")
    ] = None,
    start: StartOption = None,
    days: DaysOption = 7,
    generated_at: GeneratedAtOption = None,
    path_template: Annotated[
        str,
        typer.Option(
            "--path-template",
            help="Where each agent's calendar lives under the server URL; {user} and {agent_id} are replaced.",
        ),
    ] = DEFAULT_PATH_TEMPLATE,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read the server and report; change nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Push each agent's shifts to their own calendar on a CalDAV server.

    Creates the calendars and events that are new, updates what changed and
    deletes shifts no longer planned; sends nothing when nothing changed.

    Example: peakplan publish --config examples/cashback/peakplan.toml --roster out/roster.csv
    --caldav https://cal.example.com/ --user peakplan --password-env CALDAV_PASSWORD
    """
    if (feeds is None) == (roster is None):
        raise InputError("give either --feeds DIR or --config C --roster R (what to publish)")
    if roster is not None and config is None:
        raise InputError("--roster needs --config (for the team, time zone and feed settings)")
    password = os.environ.get(password_env)
    if password is None:
        raise InputError(f"environment variable {password_env} (--password-env) is not set: export the CalDAV password in it")
    client = CalDAVClient(caldav, user, password)
    if client.insecure and not quiet:
        stderr.print(f"Warning: {caldav} is plain http: the password is sent unencrypted", markup=False)
    if feeds is not None:
        report = publish_feed_folder(feeds, client, path_template=path_template, dry_run=dry_run)
    else:
        assert config is not None and roster is not None
        settings = load_config(config)
        team = load_team(settings.team_file, settings.queue_names, shifts=settings.shift_names)
        table = _read_team_roster(roster, settings, team)
        report = publish_roster(
            settings,
            team,
            table,
            client,
            _generated_at(generated_at),
            days=_planned_days(week, start, days),
            path_template=path_template,
            dry_run=dry_run,
        )
    if as_json:
        payload = {
            "dry_run": report.dry_run,
            "totals": report.totals(),
            "requests": dict(report.requests),
            "calendars": [
                {
                    "agent_id": c.agent_id,
                    "url": c.url,
                    "calendar_created": c.calendar_created,
                    "calendar_updated": c.calendar_updated,
                    "created": len(c.created),
                    "updated": len(c.updated),
                    "deleted": len(c.deleted),
                    "unchanged": c.unchanged,
                    "foreign": c.foreign,
                }
                for c in report.calendars
            ],
        }
        typer.echo(json.dumps(payload, indent=2, sort_keys=True))
        return
    if quiet:
        return
    totals = report.totals()
    verb = "Would send" if dry_run else "Sent"
    for c in report.calendars:
        if c.calendar_created or c.calendar_updated or c.created or c.updated or c.deleted:
            note = " (new calendar)" if c.calendar_created else " (name/colour updated)" if c.calendar_updated else ""
            stdout.print(
                f"{c.agent_id}: {len(c.created)} created, {len(c.updated)} updated, {len(c.deleted)} deleted, "
                f"{c.unchanged} unchanged{note}",
                markup=False,
            )
    stdout.print(
        f"{verb}: {totals['calendars_created']} calendars created, {totals['created']} events created, "
        f"{totals['updated']} updated, {totals['deleted']} deleted, {totals['unchanged']} unchanged "
        f"in {totals['calendars']} calendars"
        + ("" if dry_run else f"; {totals['writes']} write requests"),
        markup=False,
    )


@app.command()
@handle_errors
def report(
    config: ConfigOption,
    out_dir: Annotated[
        Path, typer.Option("--out-dir", "-d", help="A plan output folder holding forecast.csv, requirements.csv and roster.csv.")
    ],
    previous: Annotated[
        Path | None, typer.Option("--previous", help="The roster published before (roster.csv): the report lists what changed.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="HTML file to write (default: OUT_DIR/report.html).")] = None,
    generated_at: GeneratedAtOption = None,
    quiet: QuietOption = False,
) -> None:
    """Write the HTML report of a plan: one self-contained file that opens offline.

    Charts: forecast vs recent history (sale events and holidays shaded),
    required vs scheduled agents per interval and queue (understaffing marked),
    predicted service level / ASA / backlog under the roster, hours, weekends
    and late shifts per agent, and what changed against --previous.

    Example: peakplan report --config examples/cashback/peakplan.toml --out-dir out/ --previous last-week/roster.csv
    """
    settings = load_config(config)
    stamp = _generated_at(generated_at) if generated_at is not None else None
    inputs = load_report_inputs(settings, out_dir, previous=previous, generated_at=stamp)
    target = out if out is not None else out_dir / REPORT_FILE
    write_text_atomic(target, render_report(inputs))
    _print_warnings(inputs.warnings, quiet)
    if not quiet:
        stdout.print(f"Wrote {target}", markup=False)


@app.command()
@handle_errors
def diff(
    old: Annotated[Path, typer.Argument(help="The roster before (roster.csv).", show_default=False)],
    new: Annotated[Path, typer.Argument(help="The roster after (roster.csv).", show_default=False)],
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="Team config: local times in its timezone, agents' names.")
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="IANA timezone for local times (default: the config's, else NEW's UTC offset).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object: totals and per-agent changes.")] = False,
) -> None:
    """List per agent which shifts were added, removed or moved between two rosters (for notifications).

    Times are local. Exit code 0 whether or not anything changed (see the
    totals in --json), 3 for a missing or malformed file.

    Example: peakplan diff published/roster.csv out/roster.csv --config examples/cashback/peakplan.toml --json
    """
    names: dict[str, str] = {}
    zone_name: Any = tz
    if config is not None:
        settings = load_config(config)
        zone_name = zone_name or settings.timezone
        if settings.team_file.is_file():
            members = load_team(settings.team_file, settings.queue_names, shifts=settings.shift_names)
            names = {agent.id: agent.name for agent in members.agents}
    if zone_name is not None:
        from forecasts.grid import zone

        zone(str(zone_name))  # a readable error for an unknown zone
    before, after = read_roster(old), read_roster(new)
    result = diff_rosters(before, after, zone_name if zone_name is not None else roster_offset_zone(new))
    if json_output:
        typer.echo(json.dumps(diff_json(result, names), indent=2, ensure_ascii=False))
        return
    totals = result.totals()
    for line in diff_lines(result, names):
        stdout.print(line, markup=False, soft_wrap=True)
    stdout.print(
        f"{totals['added']} added, {totals['removed']} removed, {totals['moved']} moved, {totals['queues']} with "
        f"other queues, {totals['unchanged']} unchanged; {totals['agents_affected']} agents affected",
        markup=False,
        soft_wrap=True,
    )


@app.command()
@handle_errors
def validate(
    config: ConfigOption,
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

    Example: peakplan validate --config examples/cashback/peakplan.toml --week 2026-W48
    """
    first_day, length = _horizon(week, start, days)
    result = validate_inputs(config, first_day, length, requirements_path=requirements)
    code = result.exit_code
    if json_output:
        typer.echo(json.dumps(result.as_json(), indent=2))
    elif not quiet:
        table = Table(title=f"peakplan validate: {config}, {length} days from {first_day}")
        table.add_column("check")
        table.add_column("status")
        table.add_column("detail")
        styles = {OK: "green", WARNING: "yellow", ERROR: "red"}
        for check in result.checks:
            style = styles.get(check.status, "dim")
            table.add_row(check.name, f"[{style}]{check.status}[/{style}]", escape(check.detail))
        stdout.print(table)
        for warning in result.warnings:
            stderr.print(f"Warning: {warning}", markup=False, soft_wrap=True)
    for check in result.checks:
        if check.status == ERROR:
            stderr.print(f"Error: {check.name}: {check.detail}", markup=False, soft_wrap=True)
    if code != ExitCode.OK:
        raise typer.Exit(int(code))
    if not quiet and not json_output:
        stdout.print("All inputs are valid: `peakplan plan` can run.", markup=False)


@app.command()
@handle_errors
def init(
    folder: Annotated[Path, typer.Argument(help="Folder to write the starter project into (created if missing).")],
    week: Annotated[
        str | None, typer.Option("--week", help="ISO week the sample history leads up to (default: next week).")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="The team's name in the config.")] = "Example Support",
    force: Annotated[bool, typer.Option("--force", help="Overwrite the starter files of an earlier init.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Write a starter project: a commented config, a team file, a sale calendar and a sample history.

    `peakplan validate` passes on it and `peakplan plan` runs on it; then
    replace the history with your helpdesk export and the agents with yours.

    Example: peakplan init my-team --week 2026-W48 && peakplan plan --config my-team/peakplan.toml --week 2026-W48 --out my-team/out
    """
    first_day = parse_week(week) if week else next_monday(dt.date.today())
    files = write_project(folder, first_day, name=name, force=force)
    if not quiet:
        iso = first_day.isocalendar()
        stdout.print(f"Wrote {', '.join(str(path) for path in files)}", markup=False, soft_wrap=True)
        stdout.print(
            f"Next: peakplan validate --config {folder / 'peakplan.toml'} --week {iso.year}-W{iso.week:02d}", markup=False
        )


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        stderr.print("Interrupted.")
        sys.exit(130)


if __name__ == "__main__":
    main()
