"""`peakplan plan`: every stage in one run, from the config to the feeds and the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import (
    BaseUrlOption,
    DaysOption,
    FreezeOption,
    GeneratedAtOption,
    JsonOption,
    MaxUnderstaffedOption,
    PreviousFeedsOption,
    PreviousOption,
    QuietOption,
    StartOption,
    TimeLimitOption,
    WeekOption,
    checked_config,
    handle_errors,
    parse_date,
    parse_generated_at,
    plan_horizon,
    print_feeds,
    print_peak,
    print_summary,
    print_violations,
    print_warnings,
    progress,
    stdout,
)
from scheduler.cli.org import (
    DEFAULT_CONNECT_TIMEOUT,
    ConnectTimeoutOption,
    ExecutorOption,
    OneConfigOption,
    OrgOption,
    SchedulerOption,
    WorkersOption,
    one_of_config_or_org,
    plan_org_command,
    usage_error,
)


@handle_errors
def plan(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    config: OneConfigOption = None,
    org: OrgOption = None,
    week: WeekOption = None,
    start: StartOption = None,
    days: DaysOption = 7,
    generated_at: GeneratedAtOption = None,
    time_limit: TimeLimitOption = None,
    previous_feeds: PreviousFeedsOption = None,
    base_url: BaseUrlOption = None,
    previous: PreviousOption = None,
    freeze_until: FreezeOption = None,
    no_previous: Annotated[
        bool,
        typer.Option(
            "--no-previous",
            help="Ignore the roster.csv already published in --out (by default it is the previous roster: "
            "its shifts are kept unless something forces a change, and days already begun stay as they are).",
        ),
    ] = False,
    max_understaffed_share: MaxUnderstaffedOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    executor: ExecutorOption = "serial",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    connect_timeout: ConnectTimeoutOption = DEFAULT_CONNECT_TIMEOUT,
) -> None:
    """Run every stage: forecast, staffing, roster, calendar feeds and the HTML report.

    Writes forecast.csv, requirements.csv, roster.csv, actions.csv (the priced peak
    actions), report.html, feeds/<agent>.ics, feeds/team.ics and feeds/index.html
    into --out, and prints the shortfall per day and the cheapest actions first,
    then required vs scheduled agent-hours. Exit codes: 0 ok, 3 bad input, 4 infeasible rules,
    5 written but understaffed beyond report.max_understaffed_share.

    A roster.csv already in --out is the previous roster unless --no-previous
    (or --previous names another): a rerun keeps the published shifts unless
    something forces a change, and days already begun at --generated-at stay.

    Example: peakplan plan --config examples/cashback/peakplan.toml --week 2026-W48 --out out/

    Example (CI): peakplan plan --config team/peakplan.toml --week 2026-W48 --out public/
    --generated-at 2026-11-20T00:00:00Z --max-understaffed-share 0.1 --json > summary.json

    With --org, every team of the org file is planned into --out/<team>/ (as above) and
    --out/index.html links them with the org's totals; --executor dask plans the teams on a
    dask.distributed cluster. Exit code 8 when some teams failed (the others are written).

    Example: peakplan plan --org examples/org/org.toml --week 2026-W48 --out out/org --executor dask
    """
    one_team = one_of_config_or_org(config, org) == "config"
    first_day, length = plan_horizon(week, start, days)
    stamp = parse_generated_at(generated_at)
    freeze = parse_date(freeze_until, "--freeze-until")
    if not one_team:
        one_team_only = [name for name, value in (("--previous", previous), ("--previous-feeds", previous_feeds),
                         ("--freeze-until", freeze_until), ("--base-url", base_url)) if value is not None]  # fmt: skip
        if one_team_only:
            raise usage_error(f"{', '.join(one_team_only)} go with --config (one team), not with --org")
        assert org is not None
        plan_org_command(
            org=org, out=out, first_day=first_day, days=length, generated_at=stamp, time_limit=time_limit,
            max_understaffed_share=max_understaffed_share, executor=executor, scheduler=scheduler, workers=workers,
            connect_timeout=connect_timeout, json_output=json_output, quiet=quiet,
        )  # fmt: skip
        return
    if executor != "serial" or scheduler is not None or workers is not None:
        raise usage_error("--executor, --scheduler and --workers go with --org")
    # Imported here, not above: an org run imports what it needs itself, and a scheduler it cannot
    # reach is reported before the heavy modules load (seconds on a busy machine).
    from scheduler.actions import actions_json
    from scheduler.pipeline import ACTIONS_FILE, FEEDS_DIR, plan_to_folder, roster_service
    from scheduler.report.page import REPORT_FILE
    from scheduler.report.summary import check_understaffing, plan_json
    from scheduler.rostering.budget import describe_time_limit
    from scheduler.stage_files import find_previous_roster
    from scheduler.team import load_config_team
    from scheduler.validation.preflight import FOLDER, Output, Reads

    assert config is not None
    # the options first (no file is read for them), then every input and output, then the work
    settings = checked_config(
        config,
        start=first_day,
        days=length,
        reads=Reads(previous=previous, previous_feeds=previous_feeds),
        outputs=[Output(path=out, kind=FOLDER), Output(path=out / FEEDS_DIR, kind=FOLDER)],
        quiet=quiet or json_output,
        time_limit=time_limit,
    )
    found = find_previous_roster(
        settings, out, first_day, length, stamp, explicit=previous, use_published=not no_previous, freeze_until=freeze
    )
    if found is not None and found.published and not quiet:
        kept = f"; days up to {found.freeze_until} kept as published" if found.freeze_until else ""
        typer.echo(
            f"Note: planning over the published roster {found.path} (--no-previous to ignore it){kept}", err=True
        )
    with progress(
        quiet or json_output,
        f"Planning {length} days from {first_day} "
        f"(CP-SAT budget {describe_time_limit(settings.roster, len(load_config_team(settings).agents), length)}):",
    ) as update:
        written = plan_to_folder(
            settings,
            first_day,
            length,
            out,
            stamp,
            previous=found.roster if found is not None else None,
            freeze_until=found.freeze_until if found is not None else freeze,
            previous_feeds=previous_feeds,
            base_url=base_url,
            progress=update,
        )
    result, feeds = written.result, written.feeds
    warnings = (*result.forecast.warnings, *result.roster.hard_rule_warnings)
    print_warnings(warnings, quiet or json_output)
    limit = max_understaffed_share if max_understaffed_share is not None else settings.max_understaffed_share
    if json_output:
        evaluation = roster_service(settings, result.requirements, result.roster.roster)
        payload = plan_json(
            settings, first_day=first_day, days=length, coverage=result.coverage.intervals, daily=result.coverage.daily,
            evaluation=evaluation, roster=result.roster, files=list(written.files) + list(feeds.paths),
            warnings=warnings, max_understaffed_share=limit, feeds=feeds.totals(),
            actions=actions_json(result.actions),
        )  # fmt: skip
        typer.echo(json.dumps(payload, indent=2))
    elif not quiet:
        print_peak(settings, result.actions)  # the answer first: shortfall per day, the cheapest actions
        print_summary(settings, result.coverage.daily, result.roster)
        print_violations(result.roster)
        stdout.print(
            f"Wrote {out}/forecast.csv, requirements.csv, roster.csv, {ACTIONS_FILE}, response_times.csv/.json, "
            f"{REPORT_FILE} and {out}/{FEEDS_DIR}/",
            markup=False,
        )
        print_feeds(feeds)
    check_understaffing(result.coverage.intervals, settings.interval_minutes, limit)
