"""The ``peakplan`` command line: a thin typer layer over the library.

Only this package prints or exits. Each command (one module per command group)
parses options, loads inputs, calls one library function and writes its result.
A user mistake raises a :class:`~scheduler.errors.PeakplanError`; it is printed
as one ``Error: ...`` line on stderr with a named exit code
(:class:`~scheduler.errors.ExitCode`) by :func:`scheduler.cli.common.handle_errors`.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Annotated

import typer

from scheduler.cli import diff, erlang, eta, export, forecast, init, plan, publish, report, roster, staff, validate
from scheduler.cli.common import stderr

__all__ = ["app", "main"]

# The console script's garbage-collector thresholds (see main()).
GC_THRESHOLDS = (2000, 20, 20)

app = typer.Typer(
    name="peakplan",
    help="Plan customer-support staffing for peak loads: forecast -> staffing -> roster -> calendar feeds.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (docs/development.md)
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if not value:
        return
    from scheduler.report.versions import runtime_versions

    versions = runtime_versions()
    typer.echo(f"peakplan {versions.pop('peakplan')}")
    typer.echo(", ".join(f"{name} {version}" for name, version in versions.items()))
    raise typer.Exit()


@app.callback()
def peakplan(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print peakplan's version and those of Python, OR-Tools, pandas and numpy, then exit.",
        ),
    ] = False,
) -> None:
    # No work here: the commands do it. A callback is what gives the app its own options.
    pass


# The order of `peakplan --help`: the whole plan first, then the stages in pipeline order.
app.command()(plan.plan)
app.add_typer(forecast.app, name="forecast")
app.add_typer(staff.app, name="staff")
app.command()(erlang.erlang)
app.command()(eta.eta)
app.command()(roster.roster)
app.command()(export.export)
app.command()(publish.publish)
app.command()(report.report)
app.command()(diff.diff)
app.command()(validate.validate)
app.command()(init.init)


def main() -> None:
    """Console-script entry point."""
    # One OpenBLAS thread unless the user sets another count: peakplan's arithmetic is elementwise
    # and small (the example's plan writes the same bytes either way), and the default pool of one
    # thread per core costs ~70 ms of CPU at numpy's import, a quarter of `peakplan erlang`'s start.
    # Set here, before any command imports numpy (the commands import it only when they run).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # Fewer, larger collections (CPython's default is 700, 10, 10). A plan imports pandas, OR-Tools
    # and icalendar (a few hundred thousand long-lived objects) and then allocates heavily, so the
    # collector's full passes kept walking the imports: its CPU in a plan of the example week fell
    # from 0.36 s to 0.18 s. Set for the console script only: the library, an org's worker processes
    # and the in-process tests keep their own settings (the tests set the same numbers after collection).
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        app()
    except KeyboardInterrupt:
        stderr.print("Interrupted.")
        sys.exit(130)
