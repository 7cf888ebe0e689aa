"""`peakplan report`: the HTML report of a plan folder, one self-contained file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import (
    ConfigOption,
    GeneratedAtOption,
    QuietOption,
    checked_config,
    handle_errors,
    parse_generated_at,
    print_warnings,
    stdout,
)


@handle_errors
def report(
    config: ConfigOption,
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out-dir", "-d", help="A plan output folder holding forecast.csv, requirements.csv and roster.csv."
        ),
    ],
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="The roster published before (roster.csv): the report lists what changed."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="HTML file to write (default: OUT_DIR/report.html).")
    ] = None,
    generated_at: GeneratedAtOption = None,
    quiet: QuietOption = False,
) -> None:
    """Write the HTML report of a plan (one self-contained file that opens offline) and its answer times.

    Charts: forecast vs recent history (sale events and holidays shaded),
    required vs scheduled agents per interval and queue (understaffing marked),
    predicted service level / ASA / backlog under the roster, hours, weekends
    and late shifts per agent, and what changed against --previous.

    Example: peakplan report --config examples/cashback/peakplan.toml --out-dir out/ --previous last-week/roster.csv
    """
    from calendars.files import write_text_atomic
    from scheduler.pipeline import load_report_inputs
    from scheduler.report.page import REPORT_FILE, render_report
    from scheduler.staffing.answer_feed import plan_answer_inputs, read_plan_tables, write_answer_times
    from scheduler.validation.preflight import FILE, Output, Reads

    target = out if out is not None else out_dir / REPORT_FILE
    stamp = parse_generated_at(generated_at) if generated_at is not None else None
    settings = checked_config(
        config,
        reads=Reads(history=False, events=False, previous=previous),
        outputs=[Output(path=target, kind=FILE, example="report.html")],
        quiet=quiet,
    )
    inputs = load_report_inputs(settings, out_dir, previous=previous, generated_at=stamp)
    write_text_atomic(target, render_report(inputs))
    # the auto-reply answer times of the folder's roster (docs/answer-times.md), as `plan` writes them
    write_answer_times(settings, plan_answer_inputs(settings, *read_plan_tables(out_dir)), out_dir)
    print_warnings(inputs.warnings, quiet)
    if not quiet:
        stdout.print(f"Wrote {target}", markup=False, soft_wrap=True)
