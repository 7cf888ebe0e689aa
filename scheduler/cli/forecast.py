"""`peakplan forecast` and `peakplan forecast backtest`: contacts per interval and queue, and their score."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scheduler.cli.common import (
    OptionalConfigOption,
    QuietOption,
    StartOption,
    WeekOption,
    check_inputs,
    checked_config,
    command_group,
    handle_errors,
    parse_date,
    plan_horizon,
    print_warnings,
    stdout,
)
from scheduler.errors import InputError

if TYPE_CHECKING:
    from forecasts.backtest import BacktestResult

app = command_group()

HISTORY_EXAMPLE_DAY = "1999-09-06"  # the error messages' example date, in the style of a call-centre history

HistoryOption = Annotated[
    Path | None,
    typer.Option(
        "--history",
        help="History CSV with ds,y (optionally queue), instead of --config; ds with a UTC offset or local time in --tz.",
    ),
]
TzOption = Annotated[
    str | None, typer.Option("--tz", help="IANA timezone of the team, e.g. Asia/Jerusalem (with --history).")
]
IntervalOption = Annotated[
    str | None,
    typer.Option("--interval", help="Interval length: 15min, 30min or 60min (with --history; default 60min)."),
]
EventsOption = Annotated[Path | None, typer.Option("--events", help="Sale calendar, .ics or .csv (with --history).")]
HolidaysOption = Annotated[
    str | None, typer.Option("--holidays", help="Public holidays by ISO country code, e.g. IL (with --history).")
]
HorizonOption = Annotated[
    str | None, typer.Option("--horizon", help="Days to forecast from each start: 7d, 14d, 2w (default 7d).")
]


def _forecast_days(days: int | None, horizon: str | None) -> int:
    from forecasts.runs import parse_horizon

    if days is not None and horizon is not None and parse_horizon(horizon) != days:
        raise InputError(f"--days {days} and --horizon {horizon} disagree: give one of them")
    if horizon is not None:
        return parse_horizon(horizon)
    return days if days is not None else 7


def _standalone_only(config: Path | None, tz: str | None, interval: str | None, events: Path | None,
                     holidays: str | None) -> None:  # fmt: skip
    """--tz, --interval, --events and --holidays describe a --history file; a config names its own."""
    given = [name for name, value in (("--tz", tz), ("--interval", interval), ("--events", events),
             ("--holidays", holidays)) if value is not None]  # fmt: skip
    if config is not None and given:
        raise InputError(f"{', '.join(given)} go with --history; with --config the config names the inputs")


@app.callback(invoke_without_command=True)
@handle_errors
def forecast_command(
    ctx: typer.Context,
    config: OptionalConfigOption = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Forecast CSV to write.")] = None,
    week: WeekOption = None,
    start: StartOption = None,
    days: Annotated[
        int | None, typer.Option("--days", min=1, max=366, help="Number of days to forecast (default 7).")
    ] = None,
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
    from forecasts.forecast import FORECAST_COLUMNS
    from forecasts.runs import forecast_file, parse_interval
    from forecasts.settings import ModelOptions
    from scheduler.pipeline import run_forecast
    from scheduler.stage_files import write_forecast
    from scheduler.tables import write_table
    from scheduler.validation.preflight import FILE, Output, Reads

    if out is None:
        ctx.fail("Missing option '--out'.")
    assert out is not None
    length = _forecast_days(days, horizon)
    _standalone_only(config, tz, interval, events, holidays)
    if history is not None:
        if config is not None:
            raise InputError("give either --config (with --week or --start) or --history (with --start), not both")
        missing = [option for option, value in (("--start", start), ("--tz", tz)) if value is None]
        if week is not None or missing:
            raise InputError(
                f"with --history give --start (the first day to forecast, e.g. {HISTORY_EXAMPLE_DAY}) and --tz"
                + (f"; missing {' and '.join(missing)}" if missing else "")
                + ("; --week is read only with --config" if week is not None else "")
            )
        assert start is not None and tz is not None
        first_day = parse_date(start, "--start", HISTORY_EXAMPLE_DAY)
        assert first_day is not None
        check_inputs(None, outputs=[Output(path=out, kind=FILE, example="forecast.csv")])
        result = forecast_file(
            history, start=first_day, days=length,
            options=ModelOptions(tz=tz, interval_minutes=parse_interval(interval or "60min")), events_path=events,
            holidays=holidays or "",
        )  # fmt: skip
        print_warnings(result.warnings, quiet)
        write_table(result.frame.loc[:, list(FORECAST_COLUMNS)], out, tz, ("ds",))
    else:
        if config is None:
            ctx.fail("Missing option '--config' (or give --history).")
        assert config is not None
        first_day, length = plan_horizon(week, start, length)
        settings = checked_config(
            config,
            start=first_day,
            days=length,
            reads=Reads(team=False),
            outputs=[Output(path=out, kind=FILE, example="forecast.csv")],
            quiet=quiet,
        )
        result = run_forecast(settings, first_day, length)
        print_warnings(result.warnings, quiet)
        write_forecast(settings, result.frame, out)
    if not quiet:
        stdout.print(f"Wrote {out} ({len(result.frame)} rows)", markup=False, soft_wrap=True)


def _print_backtest(result: BacktestResult, horizon_days: int) -> None:
    import pandas as pd
    from rich.table import Table

    from forecasts.backtest import METHOD_NAMES, format_breakdown

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
        "before it, each scaled by what past ones did; unscaled rule = the same without the scaling",
        markup=False,
    )


def _queue_scores_json(scores: Any) -> dict[str, dict[str, dict[str, float]]]:
    result: dict[str, dict[str, dict[str, float]]] = {}
    for row in scores.itertuples(index=False):
        result.setdefault(str(row.queue), {})[str(row.days)] = {
            "wape": round(float(row.wape), 4), "wape_daily": round(float(row.wape_daily), 4),
            "bias": round(float(row.bias), 4), "actual": float(row.actual), "share": round(float(row.share), 4),
        }  # fmt: skip
    return result


def _print_queue_scores(scores: Any) -> None:
    from rich.table import Table

    table = Table(title="Routed queues: channel forecast x learned share (model), per queue")
    for column in ("queue", "share", "WAPE", "normal days", "daily WAPE", "daily, normal", "bias"):
        table.add_column(column, justify="left" if column == "queue" else "right", no_wrap=column == "queue")
    for queue, part in scores.groupby("queue", sort=False):
        every = part[part["days"] == "all"].iloc[0]
        normal = part[part["days"] == "normal"].iloc[0]
        table.add_row(
            str(queue), f"{100 * every['share']:.1f}%", f"{100 * every['wape']:.1f}%", f"{100 * normal['wape']:.1f}%",
            f"{100 * every['wape_daily']:.1f}%", f"{100 * normal['wape_daily']:.1f}%", f"{100 * every['bias']:+.1f}%",
        )  # fmt: skip
    stdout.print(table)


@app.command("backtest")
@handle_errors
def forecast_backtest(
    config: OptionalConfigOption = None,
    history: HistoryOption = None,
    tz: TzOption = None,
    interval: IntervalOption = None,
    events: EventsOption = None,
    holidays: HolidaysOption = None,
    from_day: Annotated[
        str | None,
        typer.Option("--from", help="Origins are the Mondays from this date (default: 8 weeks into the history)."),
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
    from forecasts.backtest import backtest_summary
    from forecasts.runs import backtest_file, parse_interval
    from forecasts.settings import ModelOptions
    from scheduler.config import load_config
    from scheduler.pipeline import run_backtest, run_queue_backtest
    from scheduler.tables import write_table

    horizon_days = _forecast_days(None, horizon)
    first, last = parse_date(from_day, "--from", HISTORY_EXAMPLE_DAY), parse_date(to_day, "--to", HISTORY_EXAMPLE_DAY)
    _standalone_only(config, tz, interval, events, holidays)
    if (config is None) == (history is None):
        raise InputError("give either --config or --history (with --tz)")
    if history is not None:
        if tz is None:
            raise InputError("with --history give --tz, the team's IANA timezone (e.g. Asia/Jerusalem)")
        result = backtest_file(
            history, first_origin=first, last_origin=last, horizon_days=horizon_days,
            options=ModelOptions(tz=tz, interval_minutes=parse_interval(interval or "60min")), events_path=events,
            holidays=holidays or "",
        )  # fmt: skip
        zone_name = tz
    else:
        assert config is not None
        settings = load_config(config)
        result = run_backtest(settings, first, last, horizon_days)
        zone_name = settings.timezone
        queues = run_queue_backtest(settings, result)  # per [routing] queue: the channel forecast x learned share
    if out is not None:
        write_table(result.predictions, out, zone_name, ("ds",))
    if history is not None:
        queues = None
    if json_output:
        summary = backtest_summary(result)
        if queues is not None and not queues.empty:
            summary["queues"] = _queue_scores_json(queues)
        typer.echo(json.dumps(summary, indent=2, sort_keys=True))
        return
    print_warnings(result.warnings, quiet)
    if not quiet:
        _print_backtest(result, horizon_days)
        if queues is not None and not queues.empty:
            _print_queue_scores(queues)
        if out is not None:
            stdout.print(f"Wrote {out} ({len(result.predictions)} rows)", markup=False, soft_wrap=True)
