"""`peakplan init`: a starter project (config, team, sale calendar, sample history) to plan at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import QuietOption, check_inputs, handle_errors, parse_plan_week, stdout


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
    from scheduler.project.starter import next_monday, write_project
    from scheduler.validation.preflight import FOLDER, Output

    check_inputs(None, outputs=[Output(path=folder, kind=FOLDER, option="")])
    first_day = parse_plan_week(week) if week else next_monday(dt.date.today())
    files = write_project(folder, first_day, name=name, force=force)
    if not quiet:
        iso = first_day.isocalendar()
        stdout.print(f"Wrote {', '.join(str(path) for path in files)}", markup=False, soft_wrap=True)
        stdout.print(
            f"Next: peakplan validate --config {folder / 'peakplan.toml'} --week {iso.year}-W{iso.week:02d}",
            markup=False,
        )
