"""`peakplan publish`: each agent's shifts pushed to their own calendar on a CalDAV server."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import (
    DaysOption,
    GeneratedAtOption,
    QuietOption,
    StartOption,
    handle_errors,
    parse_generated_at,
    read_team_roster,
    roster_span,
    stderr,
    stdout,
)
from scheduler.errors import InputError

# calendars.publish.DEFAULT_PATH_TEMPLATE, written out because importing calendars.publish here
# would load pandas for every command's start-up; tests/cli/test_startup.py keeps the two equal.
PATH_TEMPLATE = "{user}/{agent_id}/"


@handle_errors
def publish(
    caldav: Annotated[str, typer.Option("--caldav", help="CalDAV server URL, e.g. https://cal.example.com/.")],
    user: Annotated[str, typer.Option("--user", help="CalDAV account that owns the agents' calendars.")],
    password_env: Annotated[
        str, typer.Option("--password-env", help="Name of the environment variable holding the password.")
    ],
    feeds: Annotated[
        Path | None,
        typer.Option("--feeds", help="Publish the agent feeds in this folder (from export/plan) as they are."),
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
    ] = PATH_TEMPLATE,
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
    from calendars.publish import CalDAVClient
    from scheduler.config import load_config
    from scheduler.pipeline import publish_feed_folder, publish_roster
    from scheduler.team import load_config_team

    if (feeds is None) == (roster is None):
        raise InputError("give either --feeds DIR or --config C --roster R (what to publish)")
    if roster is not None and config is None:
        raise InputError("--roster needs --config (for the team, time zone and feed settings)")
    password = os.environ.get(password_env)
    if password is None:
        raise InputError(
            f"environment variable {password_env} (--password-env) is not set: export the CalDAV password in it"
        )
    client = CalDAVClient(caldav, user, password)
    if client.insecure and not quiet:
        stderr.print(f"Warning: {caldav} is plain http: the password is sent unencrypted", markup=False)
    if feeds is not None:
        report = publish_feed_folder(feeds, client, path_template=path_template, dry_run=dry_run)
    else:
        assert config is not None and roster is not None
        settings = load_config(config)
        team = load_config_team(settings)
        table = read_team_roster(roster, settings, team)
        report = publish_roster(
            settings,
            team,
            table,
            client,
            parse_generated_at(generated_at),
            days=roster_span(roster, table, settings.timezone, week, start, days),
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
        f"in {totals['calendars']} calendars" + ("" if dry_run else f"; {totals['writes']} write requests"),
        markup=False,
    )
