"""What every command shares: the consoles, the error boundary, the common options and their parsing.

Heavy libraries (pandas, OR-Tools, icalendar, holidays) are imported inside
the functions that need them, so that `peakplan --help` and the Erlang
calculator start without them (see benchmarks/cli_startup.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from scheduler.errors import ExitCode, InputError, PeakplanError, exit_code_for

if TYPE_CHECKING:
    import pandas as pd

    from calendars.feed_folder import FeedsResult
    from scheduler.actions import ActionsResult
    from scheduler.config import Config
    from scheduler.rostering import RosterResult
    from scheduler.team import Team
    from scheduler.validation.preflight import InputCheck, Output, Reads

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)

F = TypeVar("F", bound=Callable[..., Any])

CONFIG_HELP = "peakplan TOML config (paths inside are relative to it)."
ConfigOption = Annotated[Path, typer.Option("--config", "-c", help=CONFIG_HELP)]
# For commands and groups that also run without a config (--history) or only have subcommands.
OptionalConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help=CONFIG_HELP)]
WeekOption = Annotated[
    str | None,
    typer.Option("--week", help="ISO week to plan, e.g. 2026-W48 (Monday to Sunday in the team's timezone)."),
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
        help="URL where the feed folder is served, e.g. https://example.com/feeds/ (overrides base_url of the config's feeds table): "
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
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout (for CI); warnings go into it.")
]
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
    typer.Option(
        "--freeze-until", help="Keep the --previous roster exactly up to and including this date (YYYY-MM-DD)."
    ),
]


def command_group() -> typer.Typer:
    """A command with subcommands (``forecast backtest``, ``staff whatif``), joined to the app with ``add_typer``.

    The group's own options sit on its ``@app.callback(invoke_without_command=True)``; completion
    belongs to the top app, and tracebacks go through :func:`handle_errors`, never typer's.
    """
    return typer.Typer(no_args_is_help=False, add_completion=False, pretty_exceptions_enable=False)


DEBUG_ENV = "PEAKPLAN_DEBUG"
"""Set to 1 to print a bug's traceback instead of writing it to a file."""


def print_error(error: PeakplanError) -> None:
    """One ``Error: ...`` line, or a short list when the error holds several problems (one per line)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()] or [type(error).__name__]
    if len(lines) == 1:
        stderr.print(f"Error: {lines[0]}", markup=False, soft_wrap=True)
        return
    if lines[0].endswith(":"):  # a message with its own heading, e.g. the rule conflicts of an infeasible roster
        heading, items = lines[0], lines[1:]
    else:
        counted = [line for line in lines if not line.startswith("... and ")]
        heading, items = f"{len(counted)} problems (fix them, then rerun):", lines
    stderr.print(f"Error: {heading}", markup=False, soft_wrap=True)
    for line in items:
        stderr.print(f"  {line}", markup=False, soft_wrap=True)


def report_bug(error: BaseException) -> None:
    """A bug: one line saying so and where the traceback is (a file, or stderr with PEAKPLAN_DEBUG=1)."""
    import tempfile
    import traceback

    text = "".join(traceback.format_exception(error))
    if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
        stderr.print(text, markup=False, soft_wrap=True)
        where = "the traceback is above"
    else:
        try:
            with tempfile.NamedTemporaryFile(
                "w", prefix="peakplan-crash-", suffix=".txt", delete=False, encoding="utf-8"
            ) as file:
                file.write(f"peakplan {' '.join(sys.argv[1:])}\n\n{text}")
            where = f"the traceback is in {file.name} (or rerun with {DEBUG_ENV}=1 to print it)"
        except OSError:
            where = f"rerun with {DEBUG_ENV}=1 to print the traceback"
    stderr.print(
        f"Error: internal error ({type(error).__name__}: {str(error)[:200]}): this is a bug in peakplan, "
        f"not a problem with your input; {where}. Please report it.",
        markup=False,
        soft_wrap=True,
    )


def _click_exceptions() -> tuple[type[BaseException], ...]:
    """Usage errors (``ctx.fail``): click's, and the copy typer vendors from 0.2x on."""
    import click

    classes: list[type[BaseException]] = [click.exceptions.ClickException]
    try:
        from typer._click.exceptions import ClickException as VendoredClickException
    except ImportError:  # a typer that uses click itself
        pass
    else:
        classes.append(VendoredClickException)
    return tuple(classes)


def _passthrough_exceptions() -> tuple[type[BaseException], ...]:
    """typer's own exits and the usage errors: the boundary lets them through to typer."""
    return (typer.Exit, typer.Abort, *_click_exceptions())


def handle_errors(command: F) -> F:
    """The one error boundary of every command.

    A user mistake (:class:`PeakplanError`) is printed as one ``Error:`` line
    (or a short list) and exits with its code; an operating-system refusal to
    read or write a named file is a user-side problem too (exit 3); typer's own
    exits and usage errors pass through; anything else is a bug: exit 1 with
    one line saying where the traceback is, never a raw traceback.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _printed_warnings.clear()  # a new command (tests run many in one process)
        try:
            return command(*args, **kwargs)
        except PeakplanError as error:
            print_error(error)
            raise typer.Exit(int(exit_code_for(error))) from None
        except _passthrough_exceptions():  # evaluated only when something is raised
            raise
        except OSError as error:
            if error.filename is None:
                report_bug(error)
                raise typer.Exit(int(ExitCode.INTERNAL)) from None
            stderr.print(f"Error: {error.filename}: {error.strerror or error}", markup=False, soft_wrap=True)
            raise typer.Exit(int(ExitCode.INPUT)) from None
        except Exception as error:  # the boundary: anything else is a bug, reported as one
            report_bug(error)
            raise typer.Exit(int(ExitCode.INTERNAL)) from None

    return wrapper  # type: ignore[return-value]


def check_inputs(
    config: Path | None,
    *,
    start: dt.date | None = None,
    days: int = 7,
    reads: Reads | None = None,
    outputs: Sequence[Output] = (),
    quiet: bool = False,
) -> InputCheck:
    """The pre-flight pass (:func:`scheduler.validation.preflight.check_inputs`) before a command does any work.

    Prints its warnings (unless ``quiet``) and raises one InputError listing
    every problem.
    """
    from scheduler.validation.preflight import Reads as _Reads
    from scheduler.validation.preflight import check_inputs as _check

    result = _check(config, start=start, days=days, reads=reads or _Reads(), outputs=outputs)
    result.raise_if_problems()
    print_warnings(result.warnings, quiet)
    return result


def checked_config(
    config: Path,
    *,
    start: dt.date | None = None,
    days: int = 7,
    reads: Reads | None = None,
    outputs: Sequence[Output] = (),
    quiet: bool = False,
    time_limit: float | None = None,
) -> Config:
    """The config a command runs on, once :func:`check_inputs` has passed; ``time_limit`` is ``--time-limit``.

    ``--time-limit`` overrides ``roster.time_limit_seconds`` (None: the config's own).
    """
    checked = check_inputs(config, start=start, days=days, reads=reads, outputs=outputs, quiet=quiet)
    settings = checked.loaded_config
    if time_limit is None:
        return settings
    return dataclasses.replace(settings, roster=dataclasses.replace(settings.roster, time_limit_seconds=time_limit))


def parse_date(text: str | None, option: str, example: str = "2026-11-25") -> dt.date | None:
    """An option's YYYY-MM-DD value, None when not given; a readable error naming the option otherwise."""
    if text is None:
        return None
    from forecasts.timestamps import MAX_YEAR, MIN_YEAR

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date like {example}") from None
    if not MIN_YEAR <= day.year < MAX_YEAR:  # no history, sale or shift lies there; a day past 9999 overflows
        raise InputError(f"{option} {text!r} lies outside the years {MIN_YEAR}-{MAX_YEAR - 1} (a typo in the year?)")
    return day


def plan_horizon(week: str | None, start: str | None, days: int) -> tuple[dt.date, int]:
    """First day and length from --week or --start (exactly one of them) and --days."""
    if week and start:
        raise InputError("give either --week or --start, not both")
    if not week and not start:
        raise InputError("give the period to plan: --week 2026-W48 or --start 2026-11-23")
    if start:
        first_day = parse_date(start, "--start", "2026-11-23")
        assert first_day is not None
        return first_day, days
    return parse_plan_week(str(week)), days


def parse_plan_week(week: str) -> dt.date:
    """The Monday of --week, within the years a plan can hold (as :func:`parse_date`)."""
    from forecasts.grid import parse_week
    from forecasts.timestamps import MAX_YEAR, MIN_YEAR

    first_day = parse_week(week)
    if not MIN_YEAR <= first_day.year < MAX_YEAR:
        raise InputError(f"--week {week!r} lies outside the years {MIN_YEAR}-{MAX_YEAR - 1} (a typo in the year?)")
    return first_day


def planned_days(week: str | None, start: str | None, days: int) -> tuple[dt.date, dt.date] | None:
    """First and last day given by --week/--start, or None to take the roster's own days."""
    if week is None and start is None:
        return None
    first_day, length = plan_horizon(week, start, days)
    return first_day, first_day + dt.timedelta(days=length - 1)


def roster_span(
    path: Path, roster: pd.DataFrame, tz: str, week: str | None, start: str | None, days: int
) -> tuple[dt.date, dt.date] | None:
    """The days --week/--start give (None: the roster's own), which must hold every shift of the roster.

    The feeds replace the events of those days and keep the rest: a roster for
    another week would be added beside the events it was meant to replace, so a
    shift starting outside them is a mistake in the options (e.g. last week's file).
    """
    span = planned_days(week, start, days)
    if span is None:
        return None
    from zoneinfo import ZoneInfo

    from calendars.shifts import roster_shifts

    shifts = roster_shifts(roster, str(path))
    zone = ZoneInfo(tz)
    starts = (shift.start.astimezone(zone).date() for shift in shifts)
    outside = sorted(day for day in starts if not span[0] <= day <= span[1])
    if outside:
        given = f"--week {week}" if week is not None else f"--start {start} --days {days}"
        raise InputError(
            f"{path}: {len(outside)} of its {len(shifts)} shifts start outside {given} ({span[0]} to {span[1]}), "
            f"on {outside[0]}"
            + (f" to {outside[-1]}" if outside[-1] != outside[0] else "")
            + ": give the days the roster plans, or leave --week/--start out to take its own"
        )
    return span


def parse_timestamp(text: str | None, option: str, example: str) -> dt.datetime:
    """An option's ISO 8601 timestamp; now (UTC, whole seconds) when not given."""
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    from forecasts.timestamps import MAX_YEAR, MIN_YEAR

    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r} is not an ISO 8601 timestamp like {example}") from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:  # pandas holds no time past 2262; no plan lies there
        raise InputError(f"{option} {text!r} lies outside the years {MIN_YEAR}-{MAX_YEAR} (a typo in the year?)")
    return value


def parse_generated_at(text: str | None) -> dt.datetime:
    """--generated-at as an aware timestamp; now (UTC, whole seconds) when not given."""
    value = parse_timestamp(text, "--generated-at", "2026-11-20T09:00:00+03:00")
    if value.tzinfo is None:
        raise InputError(f"--generated-at {text!r} has no UTC offset (add e.g. +03:00 or Z)")
    return value


def read_previous(path: Path | None) -> pd.DataFrame | None:
    from scheduler.stage_files import read_roster

    return read_roster(path) if path is not None else None


def read_team_roster(path: Path, settings: Config, team: Team) -> pd.DataFrame:
    """A roster CSV whose agents must all be in the team file."""
    from scheduler.stage_files import read_roster

    table = read_roster(path)
    unknown = sorted(set(table["agent_id"]) - {agent.id for agent in team.agents})
    if unknown:
        raise InputError(f"{path}: agent id(s) {unknown} are not in the team file {settings.team_file}")
    return table


@contextlib.contextmanager
def progress(silent: bool, message: str) -> Iterator[Callable[[str], None] | None]:
    """A spinner with elapsed time on stderr while a long stage runs (only on a terminal).

    Yields an update function for the solver's status line (objective, bound,
    gap), or None when nothing is shown.
    """
    if silent or not stderr.is_terminal:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=stderr,
                  transient=True) as bar:  # fmt: skip
        task = bar.add_task(message, total=None)
        yield lambda text: bar.update(task, description=f"{message} {text}")


# The warnings a command has printed: the pre-flight pass and the stages it runs read the same
# files, and a warning both find (an old row ignored, a stale history) is printed once.
_printed_warnings: set[str] = set()


def print_warnings(warnings: tuple[str, ...] | list[str], quiet: bool) -> None:
    if quiet:
        return
    for warning in warnings:
        if warning in _printed_warnings:
            continue
        _printed_warnings.add(warning)
        stderr.print(f"Warning: {warning}", markup=False, soft_wrap=True)


def print_violations(result: RosterResult, limit: int = 8) -> None:
    """Soft-rule penalties by rule (total), then the largest single ones."""
    if not result.violations:
        return
    totals: dict[str, tuple[int, float]] = {}
    for rule, _subject, cost in result.violations:
        count, total = totals.get(rule, (0, 0.0))
        totals[rule] = (count + 1, total + cost)
    parts = [
        f"{rule}: {count} ({total:,.0f})"
        for rule, (count, total) in sorted(totals.items(), key=lambda item: -item[1][1])
    ]
    stdout.print("Soft-rule penalties: " + "; ".join(parts), markup=False)
    for rule, subject, cost in result.violations[:limit]:
        stdout.print(f"  {rule} - {subject}: {cost:,.0f}", markup=False)


# A day short by more than this share of its required agent-hours is printed red.
SHORT_DAY_SHARE = 0.03


def print_peak(config: Config, actions: ActionsResult, top: int = 5) -> None:
    """The answer first: shortfall per day (events named), what the roster already did, the cheapest actions."""
    from rich.table import Table

    from scheduler.actions import remaining_agents

    table = Table(title=f"{config.team_name}: the week at a glance")
    table.add_column("day", no_wrap=True)
    # Numbers never fold: the event names give way on a narrow terminal.
    table.add_column("events", overflow="ellipsis", no_wrap=True, max_width=22)
    for name in ("required h", "scheduled h", "short h", "short"):
        table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    for row in actions.days.itertuples(index=False):
        share = f"{row.short_share:.1%}"
        table.add_row(
            f"{dt.date.fromisoformat(row.date):%a %d}", row.events or "-", f"{row.required_hours:.1f}",
            f"{row.scheduled_hours:.1f}", f"{row.short_hours:.1f}",
            f"[red]{share}[/red]" if row.short_share > SHORT_DAY_SHARE else share,
        )  # fmt: skip
    stdout.print(table)
    frame = actions.actions
    moved = frame[frame["kind"] == "move_days_off"]
    if not moved.empty:
        stdout.print(
            "The roster already staffs up (days off moved to ordinary days): "
            + ", ".join(f"{dt.date.fromisoformat(r.date):%a %d} +{r.agents} agents, +{r.agent_hours:.1f} h" for r in moved.itertuples()),
            markup=False,
        )  # fmt: skip
    priced = frame[~frame["kind"].isin(("move_days_off", "uncovered", "remaining_gap"))]
    currency = f" {actions.currency}" if actions.currency else ""
    stdout.print(
        f"Peak actions, cheapest first ({len(priced)} priced in actions.csv): {priced['agent_hours'].sum():.1f} agent-hours "
        f"for {priced['cost'].sum():,.0f}{currency}; short {actions.short_hours:.1f} h before, "
        f"{actions.short_after_hours:.1f} h after",
        markup=False,
    )
    for row in priced.head(top).itertuples(index=False):
        stdout.print(
            f"  {row.date} {row.kind} {row.queue}: {row.agents} agent(s), {row.agent_hours:.1f} h, "
            f"{row.cost:,.0f}{currency} - {row.note}",
            markup=False,
        )
    needed = remaining_agents(frame)
    if needed:
        stdout.print("Still to find: " + ", ".join(f"{count} more {queue} agent(s)" for queue, count in needed.items())
                     + " on the busiest day (remaining_gap rows in actions.csv)", markup=False)  # fmt: skip
    elif actions.short_after_hours > 0:
        stdout.print(f"No further agent would pay off: {actions.short_after_hours:.1f} h left in scattered intervals "
                     "(uncovered rows)", markup=False)  # fmt: skip


def print_summary(config: Config, summary: pd.DataFrame, roster: RosterResult | None) -> None:
    """Required vs scheduled agent-hours per day and queue, then the solver's figures."""
    from rich.table import Table

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
        from scheduler.report.summary import bound_text

        stdout.print(
            f"Solver: {roster.status}, objective {roster.objective:,.0f}, {bound_text(roster)}, "
            f"{roster.wall_seconds:.1f} s (a valid roster after "
            f"{roster.first_feasible_seconds:.1f} s); "
            f"understaffing {roster.understaffing_agent_hours:.1f} agent-hours in {roster.understaffed_intervals} "
            "queue-intervals",
            markup=False,
        )


def print_feeds(result: FeedsResult) -> None:
    """What a feed export wrote: calendars, files rewritten, shifts by kind of change."""
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


def finish_checks(
    results: Sequence[tuple[str, Any]], code: ExitCode, *, valid: str, quiet: bool, json_output: bool
) -> None:
    """The end of `validate` (one config) and `validate --org` (one result per team).

    Each failed check as one ``Error:`` line on stderr (``prefix`` before its
    name: the team, or nothing), then exit with ``code``, or print ``valid``
    when every check passed.
    """
    from scheduler.validation.validate import ERROR

    for prefix, result in results:
        for check in result.checks:
            if check.status == ERROR:  # a detail of several problems names the team on each of its lines
                detail = check.detail.replace("\n", "\n" + prefix)
                stderr.print(f"Error: {prefix}{check.name}: {detail}", markup=False, soft_wrap=True)
    if code != ExitCode.OK:
        raise typer.Exit(int(code))
    if not quiet and not json_output:
        stdout.print(valid, markup=False)


def print_checks(result: Any, title: str) -> None:
    """The checks of one validation as a table on stdout (also one table per team of `validate --org`)."""
    from rich.markup import escape
    from rich.table import Table

    from scheduler.validation.validate import ERROR, OK, WARNING

    table = Table(title=title)
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail")
    styles = {OK: "green", WARNING: "yellow", ERROR: "red"}
    for check in result.checks:
        style = styles.get(check.status, "dim")
        # an error's text is printed once, on its Error line below the table, not in the table as well
        detail = "see below" if check.status == ERROR else check.detail
        table.add_row(check.name, f"[{style}]{check.status}[/{style}]", escape(detail))
    stdout.print(table)
