"""`peakplan roster`: named agents' shifts covering a requirements file (CP-SAT)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scheduler.cli.common import (
    ConfigOption,
    DaysOption,
    FreezeOption,
    JsonOption,
    PreviousOption,
    QuietOption,
    StartOption,
    TimeLimitOption,
    WeekOption,
    checked_config,
    handle_errors,
    parse_date,
    plan_horizon,
    print_summary,
    print_violations,
    print_warnings,
    read_previous,
    stdout,
)

if TYPE_CHECKING:
    from scheduler.rostering import RosterResult


@handle_errors
def roster(
    config: ConfigOption,
    requirements: Annotated[Path, typer.Option("--requirements", "-r", help="Requirements CSV (from peakplan staff).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Roster CSV to write.")],
    team: Annotated[Path | None, typer.Option("--team", help="Team TOML (default: the config's team.file).")] = None,
    week: WeekOption = None,
    start: StartOption = None,
    days: DaysOption = 7,
    weeks: Annotated[
        int | None,
        typer.Option("--weeks", min=1, max=52, help="Plan this many weeks from the start (instead of --days)."),
    ] = None,
    previous: PreviousOption = None,
    freeze_until: FreezeOption = None,
    time_limit: TimeLimitOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Build a roster of named agents covering the requirements (CP-SAT).

    Example: peakplan roster --config examples/cashback/peakplan.toml --requirements requirements.csv
    --start 2026-11-23 --weeks 1 --previous old/roster.csv --out roster.csv

    With --json: the roster's figures as one JSON object (objective, bound, gap,
    blocks, hard-rule violations, penalties by rule); its "seconds" are the
    run's own and vary between runs, everything else is deterministic.
    """
    from scheduler.pipeline import coverage_of
    from scheduler.rostering import make_roster
    from scheduler.stage_files import read_requirements, write_roster
    from scheduler.team import load_config_team
    from scheduler.validation.preflight import FILE, Output, Reads

    first_day, length = plan_horizon(week, start, 7 * weeks if weeks else days)
    settings = checked_config(
        config,
        start=first_day,
        days=length,
        reads=Reads(team=team is None, history=False, events=False, previous=previous, requirements=requirements),
        outputs=[Output(path=out, kind=FILE, example="roster.csv")],
        quiet=quiet or json_output,
        time_limit=time_limit,
    )
    agents = load_config_team(settings, team)
    table = read_requirements(requirements)
    result = make_roster(
        settings,
        agents,
        table,
        first_day,
        length,
        previous=read_previous(previous),
        freeze_until=parse_date(freeze_until, "--freeze-until"),
    )
    write_roster(settings, result.roster, out)
    print_warnings(result.hard_rule_warnings, quiet or json_output)
    if json_output:
        typer.echo(json.dumps(roster_json(result, out), indent=2))
    elif not quiet:
        print_summary(settings, coverage_of(settings, table, result.roster).daily, result)
        print_violations(result)
        stdout.print(f"Wrote {out} ({len(result.roster)} rows)", markup=False, soft_wrap=True)


def roster_json(result: RosterResult, out: Path) -> dict[str, Any]:
    """What `roster --json` prints: the written roster's figures (score.py and checker.py recompute them from it)."""
    from scheduler.report.summary import violations_json

    def number(value: float) -> float | None:  # JSON has no infinity (no two-block shift: no shortest block)
        return round(float(value), 6) if math.isfinite(value) else None

    return {
        "file": str(out),
        "rows": len(result.roster),
        "solver": {
            "status": result.status,
            "objective": number(result.objective),
            "best_bound": number(result.best_bound) if result.bound_available else None,
            "gap": number(result.gap) if result.bound_available else None,
        },
        "coverage": {
            "understaffed_intervals": result.understaffed_intervals,
            "understaffing_agent_hours": number(result.understaffing_agent_hours),
        },
        "blocks": {
            "shifts": result.shifts,
            "queue_switches": result.queue_switches,
            "switches_per_shift": number(result.queue_switches / result.shifts) if result.shifts else 0.0,
            "shortest_block_minutes": number(result.shortest_block_minutes),
        },
        "hard_violations": list(result.hard_violations),
        "violations": violations_json(result.violations),
        "warnings": list(result.hard_rule_warnings),
        "seconds": {
            "budget": number(result.time_limit_seconds),
            "wall": number(result.wall_seconds),
            "first_roster": number(result.first_feasible_seconds),
        },
    }
