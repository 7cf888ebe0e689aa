"""`peakplan diff`: per agent, the shifts added, removed or moved between two rosters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from scheduler.cli.common import handle_errors, stdout


@handle_errors
def diff(
    old: Annotated[Path, typer.Argument(help="The roster before (roster.csv).", show_default=False)],
    new: Annotated[Path, typer.Argument(help="The roster after (roster.csv).", show_default=False)],
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="Team config: local times in its timezone, agents' names.")
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="IANA timezone for local times (default: the config's, else NEW's UTC offset)."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object: totals and per-agent changes.")
    ] = False,
) -> None:
    """List per agent which shifts were added, removed or moved between two rosters (for notifications).

    Times are local. Exit code 0 whether or not anything changed (see the
    totals in --json), 3 for a missing or malformed file.

    Example: peakplan diff published/roster.csv out/roster.csv --config examples/cashback/peakplan.toml --json
    """
    from scheduler.config import load_config
    from scheduler.report.diff import diff_json, diff_lines, diff_rosters, roster_offset_zone
    from scheduler.stage_files import read_roster
    from scheduler.team import load_config_team

    names: dict[str, str] = {}
    zone_name: Any = tz
    if config is not None:
        settings = load_config(config)
        zone_name = zone_name or settings.timezone
        if settings.team_file.is_file():
            members = load_config_team(settings)
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
