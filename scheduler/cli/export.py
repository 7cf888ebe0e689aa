"""`peakplan export`: one iCalendar feed per agent, a team feed and the subscribe page, from a roster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import (
    BaseUrlOption,
    ConfigOption,
    DaysOption,
    GeneratedAtOption,
    PreviousFeedsOption,
    QuietOption,
    StartOption,
    checked_config,
    handle_errors,
    parse_generated_at,
    print_feeds,
    read_team_roster,
    roster_span,
)


@handle_errors
def export(
    config: ConfigOption,
    roster: Annotated[Path, typer.Option("--roster", help="Roster CSV (from peakplan roster).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for <agent>.ics, team.ics and index.html.")],
    generated_at: GeneratedAtOption = None,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="ISO week the roster plans (default: the days its shifts start on); "
            "earlier feed events outside it are kept.",
        ),
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
    from scheduler.pipeline import ExportOptions, prepare_export
    from scheduler.team import load_config_team
    from scheduler.validation.preflight import FOLDER, Output, Reads

    stamp = parse_generated_at(generated_at)  # the options first, as plan does: no file is read for a typo
    settings = checked_config(
        config,
        reads=Reads(history=False, events=False, roster=roster, previous_feeds=previous_feeds),
        outputs=[Output(path=out, kind=FOLDER)],
        quiet=quiet,
    )
    team = load_config_team(settings)
    table = read_team_roster(roster, settings, team)
    span = roster_span(roster, table, settings.timezone, week, start, days)
    export = ExportOptions(generated_at=stamp, days=span, previous_feeds=previous_feeds, base_url=base_url)
    result = prepare_export(settings, team, table, out, export).write()
    if not quiet:
        print_feeds(result)
