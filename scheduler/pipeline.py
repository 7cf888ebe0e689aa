"""The whole weekly plan: history + sale calendar -> forecast -> staffing -> roster -> feeds.

Each stage function takes the previous stage's table and returns its own, so
the CLI can run one stage from a file or all of them in memory. Nothing is
written until every stage has succeeded: a bad input or an infeasible rule set
leaves the output folder as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import pandas as pd

from calendars.feed_folder import FeedsResult, PreparedFeeds, prepare_feeds
from calendars.feed_options import FeedOptions
from calendars.feeds import render_agent_feed
from calendars.files import replace_folder
from calendars.ics import ParsedEvent
from calendars.publish import (
    DEFAULT_PATH_TEMPLATE,
    AgentCalendar,
    CalDAVClient,
    PublishReport,
    calendar_from_feed,
    publish_calendars,
    read_feed_folder,
)
from calendars.shifts import FeedAgent, roster_days
from forecasts.backtest import BacktestResult
from forecasts.forecast import ForecastResult, forecast
from forecasts.history import LoadedHistory, read_interval_history, read_ticket_history
from forecasts.queue_shares import QUEUE_SCORE_COLUMNS, backtest_queues, learn_shares, split_forecast
from forecasts.routing import read_queue_counts
from forecasts.runs import Inputs, backtest_frames, load_calendar
from forecasts.settings import ModelOptions
from scheduler.actions import ActionsResult, propose_actions, read_actions
from scheduler.config import Config
from scheduler.coverage import Coverage, roster_coverage, scheduled_agents
from scheduler.errors import InputError
from scheduler.report.inputs import HISTORY_DAYS, ReportInputs
from scheduler.rostering import RosterResult, make_roster
from scheduler.staffing.answer_feed import CSV_FILE as ANSWERS_CSV
from scheduler.staffing.answer_feed import FEED_FILE as ANSWERS_FEED
from scheduler.staffing.answer_feed import answer_time_files, plan_answer_inputs
from scheduler.staffing.requirements import compute_requirements, evaluate_staffing
from scheduler.stage_files import (
    actions_csv,
    forecast_csv,
    read_forecast,
    read_requirements,
    read_roster,
    requirements_csv,
    roster_csv,
)
from scheduler.tables import as_written
from scheduler.team import Team, load_config_team

FEEDS_DIR = "feeds"
ACTIONS_FILE = "actions.csv"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanResult:
    forecast: ForecastResult
    requirements: pd.DataFrame
    roster: RosterResult
    coverage: Coverage
    actions: ActionsResult


def load_history(config: Config) -> pd.DataFrame:
    """Interval counts from the configured history file."""
    return read_history(config).frame


T = TypeVar("T")

# The last histories read, by file identity and reading options: a plan reads its history
# for the pre-flight check, the forecast and the report's actuals, and parsing a long ticket
# export dominates each. Small, so a process planning many teams (an org worker) stays lean.
_HISTORY_CACHE: dict[tuple[object, ...], object] = {}
_HISTORY_CACHE_SIZE = 4  # a team's channel counts and routed queue counts, and one more team's
_HISTORY_CACHE_LOCK = threading.Lock()


def read_history(config: Config) -> LoadedHistory:
    """Interval counts from the configured history file, with the loader's warnings (DST in exports).

    Read once per file version: a second call with the same file (same path, size and
    modification time) and the same reading options returns a copy of the first result.
    """
    loaded = _read_cached(config, "channels", _read_history_file)
    return dataclasses.replace(loaded, frame=loaded.frame.copy())


def _read_cached(config: Config, kind: str, read: Callable[[Config], T]) -> T:
    """``read(config)``, or what it returned for the same history file version and reading options."""
    try:
        stat = config.history_file().stat()
    except OSError:  # the reader names the missing or unreadable file
        return read(config)
    options = repr(_ticket_options(config))  # holds a dict (queue_map): compared as text
    key = (
        kind,
        str(config.history_file().resolve()),
        stat.st_mtime_ns,
        stat.st_size,
        config.history_format,
        config.queue_column,
        config.channel_names,
        options,
        repr(config.routing) if kind == "queues" else "",
    )
    with _HISTORY_CACHE_LOCK:
        cached = _HISTORY_CACHE.get(key)
    if cached is None:
        cached = read(config)
        with _HISTORY_CACHE_LOCK:
            _HISTORY_CACHE[key] = cached
            while len(_HISTORY_CACHE) > _HISTORY_CACHE_SIZE:
                del _HISTORY_CACHE[next(iter(_HISTORY_CACHE))]
    return cast(T, cached)


def _read_history_file(config: Config) -> LoadedHistory:
    if config.history_format == "intervals":
        return read_interval_history(
            config.history_file(),
            tz=config.timezone,
            interval_minutes=config.interval_minutes,
            queues=config.channel_names,
        )
    return read_ticket_history(
        config.history_file(), queue_column=config.queue_column, queues=config.channel_names, **_ticket_options(config)
    )


def _ticket_options(config: Config) -> dict[str, Any]:
    """How the config reads a ticket export, as the channel loader and the queue router both take it."""
    return {
        "tz": config.timezone,
        "interval_minutes": config.interval_minutes,
        "timestamp_column": config.timestamp_column,
        "export": config.export or None,
        "queue_map": dict(config.queue_map),
    }


def load_events(config: Config, first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    """Sale calendar events plus public holidays between ``first_day`` and ``last_day``."""
    return load_calendar(config.timezone, first_day, last_day, events_path=config.events, holidays=config.holidays)


def model_options(config: Config) -> ModelOptions:
    """The config's forecast options as :func:`forecast` and :func:`backtest_frames` take them."""
    return ModelOptions(
        tz=config.timezone,
        interval_minutes=config.interval_minutes,
        baseline_weeks=config.baseline_weeks,
        source=str(config.history_file()),
        special=config.special_days,
    )


def run_forecast(config: Config, start: dt.date, days: int, *, bands: bool = True) -> ForecastResult:
    loaded = read_history(config)
    history = loaded.frame
    first_day = history["ds"].min().tz_convert(config.timezone).date() if not history.empty else start
    # one day past the end: the eve of a holiday right after the window falls inside it
    events = load_events(config, min(first_day, start), start + dt.timedelta(days=days))
    result = forecast(history, events, start=start, days=days, options=model_options(config), bands=bands)
    return route_forecast(config, dataclasses.replace(result, warnings=loaded.warnings + result.warnings), start)


def queue_counts(config: Config) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Tickets per routed queue and interval (``[routing]``), and the routing warnings.

    Read once per file version, like :func:`read_history`: the pre-flight pass reads them
    to check the routing columns, the forecast to learn the queues' shares.
    """
    if config.history_format != "tickets":
        raise InputError(
            f"{config.path}: [routing] splits channels by the language/topic of each ticket: "
            'it needs history_format = "tickets"'
        )
    frame, warnings = _read_cached(config, "queues", _read_queue_counts)
    return frame.copy(), warnings


def _read_queue_counts(config: Config) -> tuple[pd.DataFrame, tuple[str, ...]]:
    return read_queue_counts(
        str(config.history_file()),
        channel_column=config.queue_column,
        routing=config.routing,
        **_ticket_options(config),
    )


def route_forecast(config: Config, result: ForecastResult, start: dt.date) -> ForecastResult:
    """Split the channels ``[routing]`` divides into their queues: channel forecast x learned shares."""
    if not config.routing.active:
        return result
    counts, warnings = queue_counts(config)
    shares = learn_shares(counts, config.routing, tz=config.timezone, before=start)
    frame = split_forecast(result.frame, shares, config.routing, tz=config.timezone)
    return dataclasses.replace(result, frame=frame, warnings=result.warnings + warnings)


def run_queue_backtest(config: Config, result: BacktestResult) -> pd.DataFrame:
    """Accuracy per routed queue of a channel backtest (empty without ``[routing]``)."""
    if not config.routing.active:
        return pd.DataFrame(columns=list(QUEUE_SCORE_COLUMNS))
    counts, _ = queue_counts(config)
    return backtest_queues(result.predictions, counts, config.routing, tz=config.timezone)


def run_backtest(
    config: Config, first_origin: dt.date | None, last_origin: dt.date | None, horizon_days: int = 7
) -> BacktestResult:
    """Backtest the forecast on the configured history from every Monday in the range (see forecasts.backtest)."""
    loaded = read_history(config)
    local = loaded.frame["ds"].dt.tz_convert(config.timezone)
    first_day, last_day = local.min().date(), local.max().date()
    events = load_events(config, first_day, last_day + dt.timedelta(days=horizon_days + 1))
    inputs = Inputs(
        history=loaded.frame, events=events, warnings=loaded.warnings, first_day=first_day, last_day=last_day
    )
    return backtest_frames(
        inputs,
        first_origin=first_origin,
        last_origin=last_origin,
        horizon_days=horizon_days,
        options=model_options(config),
    )


def coverage_of(config: Config, requirements: pd.DataFrame, roster: pd.DataFrame) -> Coverage:
    """Per-interval coverage and the per-day summary of a roster."""
    return roster_coverage(roster, requirements, config.interval_minutes, config.timezone)


def roster_service(config: Config, requirements: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """Predicted service level, ASA, abandonment and backlog of a roster per queue and interval.

    The roster's scheduled agents on each queue, evaluated against the
    requirements' volumes (:func:`scheduler.staffing.requirements.evaluate_staffing`);
    :func:`scheduler.staffing.requirements.summarize_evaluation` condenses it per queue.
    """
    coverage = scheduled_agents(roster, requirements, config.interval_minutes)
    return evaluate_staffing(requirements, coverage, config)


def run_plan(
    config: Config,
    start: dt.date,
    days: int = 7,
    *,
    previous: pd.DataFrame | None = None,
    freeze_until: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> PlanResult:
    """Run every stage in memory (nothing is written).

    Each stage gets the previous stage's table rounded as its CSV holds it, so the
    result equals running the single-stage commands one after another on the files.
    """
    team = load_config_team(config)
    forecast_result = run_forecast(config, start, days)
    requirements = as_written(compute_requirements(as_written(forecast_result.frame), config))
    roster = make_roster(
        config, team, requirements, start, days, previous=previous, freeze_until=freeze_until, progress=progress
    )
    coverage = coverage_of(config, requirements, roster.roster)
    if progress is not None:
        progress("pricing peak actions")
    actions = propose_actions(
        config, team, requirements, roster.roster, coverage.intervals, forecast_result.frame, start, days
    )
    return PlanResult(
        forecast=forecast_result, requirements=requirements, roster=roster, coverage=coverage, actions=actions
    )


def feed_agents(team: Team) -> list[FeedAgent]:
    return [FeedAgent(agent_id=agent.id, name=agent.name, email=agent.email) for agent in team.agents]


def feed_options(config: Config, base_url: str | None = None) -> FeedOptions:
    """``[feeds]`` of the config, with ``--base-url`` overriding ``base_url``."""
    if base_url is None:
        return config.feeds
    return dataclasses.replace(config.feeds, base_url=base_url)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportOptions:
    """How a roster's feeds are rendered, besides the config: what ``export`` and ``plan`` take from the command line."""

    generated_at: dt.datetime  # the run's time: DTSTAMP, and what counts as already begun
    days: tuple[dt.date, dt.date] | None = None  # first, last local day planned (None: the roster's own days)
    previous_feeds: Path | None = None  # the feeds to compare against (None: the ones already in the output folder)
    base_url: str | None = None  # overrides ``[feeds] base_url`` (``--base-url``)


def prepare_export(
    config: Config, team: Team, roster: pd.DataFrame, out_dir: Path, export: ExportOptions
) -> PreparedFeeds:
    """Render the feeds (nothing written): against ``export.previous_feeds`` or the feeds in ``out_dir``.

    ``.write()`` on the result writes the agent feeds, team feed and index.html.
    """
    return prepare_feeds(
        roster,
        feed_agents(team),
        out_dir=out_dir,
        tz=config.timezone,
        team_name=config.team_name,
        generated_at=export.generated_at,
        previous_dir=export.previous_feeds,
        horizon=export.days if export.days is not None else roster_days(roster, config.timezone),
        options=feed_options(config, export.base_url),
    )


def write_plan(
    config: Config, result: PlanResult, out_dir: Path, export: ExportOptions, extra: Mapping[str, str] | None = None
) -> FeedsResult:
    """Write forecast.csv, requirements.csv, roster.csv, actions.csv, the answer times, the feeds and ``extra``.

    Everything is rendered first (the feeds read the previous ones), then the
    output folder is replaced as a whole (:func:`calendars.files.replace_folder`):
    a failure, or a kill at any moment, leaves the previous complete plan,
    never a mix of old and new files.
    """
    team = load_config_team(config)
    answers = plan_answer_inputs(config, as_written(result.forecast.frame), result.requirements, result.roster.roster)
    feeds = prepare_export(config, team, result.roster.roster, out_dir / FEEDS_DIR, export)
    texts = {
        "forecast.csv": forecast_csv(config, result.forecast.frame),
        "requirements.csv": requirements_csv(config, result.requirements),
        "roster.csv": roster_csv(config, result.roster.roster),
        ACTIONS_FILE: actions_csv(result.actions.actions),
        **answer_time_files(config, answers)[1],
        **(extra or {}),
    }
    files = {name: text.encode("utf-8") for name, text in texts.items()}
    if (out_dir / FEEDS_DIR).is_symlink():  # a feed folder linked into a web root is replaced where it is
        replace_folder(out_dir, files)
        return feeds.write()
    files.update({f"{FEEDS_DIR}/{path.name}": data for path, data in feeds.files})
    changed = replace_folder(out_dir, files)
    prefix = f"{FEEDS_DIR}/"
    return feeds.written(name.removeprefix(prefix) for name in changed if name.startswith(prefix))


def publish_roster(
    config: Config,
    team: Team,
    roster: pd.DataFrame,
    client: CalDAVClient,
    generated_at: dt.datetime,
    *,
    days: tuple[dt.date, dt.date] | None = None,
    path_template: str = DEFAULT_PATH_TEMPLATE,
    dry_run: bool = False,
) -> PublishReport:
    """Publish each agent's shifts of ``roster`` to their CalDAV calendar.

    Each agent's feed is rendered against the events already on the server
    (as ``export`` renders against the previous feed files), so SEQUENCE and
    DTSTAMP continue from what agents' clients have seen.
    """
    agents = {agent.agent_id: agent for agent in feed_agents(team)}
    options = feed_options(config)
    horizon = days if days is not None else roster_days(roster, config.timezone)
    own_rows = {agent_id: roster[roster["agent_id"] == agent_id] for agent_id in agents}

    def calendar_for(agent_id: str, on_server: tuple[ParsedEvent, ...]) -> AgentCalendar:
        data = render_agent_feed(
            own_rows[agent_id],
            agents[agent_id],
            tz=config.timezone,
            team_name=config.team_name,
            generated_at=generated_at,
            previous=on_server,
            horizon=horizon,
            options=options,
        )
        return calendar_from_feed(agent_id, data, f"feed of {agent_id}")

    return publish_calendars(client, sorted(agents), calendar_for, path_template=path_template, dry_run=dry_run)


def publish_feed_folder(
    folder: Path, client: CalDAVClient, *, path_template: str = DEFAULT_PATH_TEMPLATE, dry_run: bool = False
) -> PublishReport:
    """Publish the agent feeds already written in ``folder`` (``export``/``plan`` output) as they are."""
    calendars = {calendar.agent_id: calendar for calendar in read_feed_folder(folder)}
    return publish_calendars(
        client, sorted(calendars), lambda agent_id, _: calendars[agent_id], path_template=path_template, dry_run=dry_run
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class WrittenPlan:
    """What :func:`plan_to_folder` planned and wrote."""

    result: PlanResult
    feeds: FeedsResult
    files: tuple[Path, ...]  # the stage tables, report.html and response_times.* (the feeds are in ``feeds``)


def plan_to_folder(
    config: Config,
    start: dt.date,
    days: int,
    out_dir: Path,
    generated_at: dt.datetime,
    *,
    previous: pd.DataFrame | None = None,
    freeze_until: dt.date | None = None,
    previous_feeds: Path | None = None,
    base_url: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> WrittenPlan:
    """Everything `peakplan plan` writes for one team: the stage tables, the feeds and report.html.

    One function for the single-team command and each team of an org plan
    (:mod:`scheduler.org`), so a team's folder is the same bytes either way.
    The report is rendered before anything is written: a failure leaves the
    folder as it was.
    """
    # imported here: only the commands that plan or report need the report's modules
    from scheduler.report.page import REPORT_FILE, render_report

    result = run_plan(config, start, days, previous=previous, freeze_until=freeze_until, progress=progress)
    report_html = render_report(report_inputs_for_plan(config, result, previous=previous, generated_at=generated_at))
    export = ExportOptions(
        generated_at=generated_at,
        days=(start, start + dt.timedelta(days=days - 1)),
        previous_feeds=previous_feeds,
        base_url=base_url,
    )
    feeds = write_plan(config, result, out_dir, export, extra={REPORT_FILE: report_html})
    names = ("forecast.csv", "requirements.csv", "roster.csv", ACTIONS_FILE, REPORT_FILE, ANSWERS_CSV, ANSWERS_FEED)
    files = tuple(out_dir / name for name in names)
    return WrittenPlan(result=result, feeds=feeds, files=files)


def _with_history_and_events(inputs: ReportInputs) -> ReportInputs:
    """``inputs`` with the history drawn before the plan and the events around it.

    A history that cannot be read is left out of the chart with a warning (the
    plan's own tables are what the report is about).
    """
    config = inputs.config
    warnings = list(inputs.warnings)
    history: pd.DataFrame | None = None
    try:
        history = history_by_queue(config, read_history(config).frame)
    except InputError as error:
        warnings.append(f"history not drawn: {error}")
    local = inputs.forecast["ds"].dt.tz_convert(config.timezone)
    first, last = local.min().date(), local.max().date()
    events = load_events(config, first - dt.timedelta(days=HISTORY_DAYS + 1), last + dt.timedelta(days=1))
    return dataclasses.replace(
        inputs, history=history, events=events if not events.empty else None, warnings=tuple(warnings)
    )


def history_by_queue(config: Config, history: pd.DataFrame) -> pd.DataFrame:
    """The channel history (``ds, queue, y``) per planned queue: each routed channel split into its queues.

    The routed counts hold only intervals with tickets; each queue gets its channel's intervals, zero
    where it had none, so a chart draws quiet hours as zero rather than a line across them.
    """
    if not config.routing.active:
        return history
    routed, _ = queue_counts(config)
    routed["ds"] = routed["ds"].astype(history["ds"].dtype)
    split = set(config.routing.channels)
    parts = [history[~history["queue"].isin(split)]]
    for queue in config.queue_names:
        channel = config.routing.channel_of(queue)
        if channel not in split:
            continue
        grid = history.loc[history["queue"] == channel, ["ds"]]
        counts = routed.loc[routed["queue"] == queue, ["ds", "y"]]
        part = grid.merge(counts, on="ds", how="left").fillna({"y": 0.0})
        parts.append(part.assign(queue=queue))
    return pd.concat(parts, ignore_index=True)[list(history.columns)]


def load_report_inputs(
    config: Config,
    folder: Path,
    *,
    previous: Path | None = None,
    team: Team | None = None,
    generated_at: dt.datetime | None = None,
) -> ReportInputs:
    """Report inputs from a plan output folder (forecast.csv, requirements.csv, roster.csv, actions.csv if
    there is one) and the config.

    The history and the sale calendar come from the config (see :func:`_with_history_and_events`).

    Raises:
        InputError: a missing or malformed stage file, config or team file.
    """
    actions = folder / ACTIONS_FILE
    tables = ReportInputs(
        config=config,
        forecast=read_forecast(folder / "forecast.csv"),
        requirements=read_requirements(folder / "requirements.csv"),
        roster=read_roster(folder / "roster.csv"),
        actions=read_actions(actions) if actions.is_file() else None,
        team=team or load_config_team(config),
        previous=read_roster(previous) if previous is not None else None,
        generated_at=generated_at,
    )
    return _with_history_and_events(tables)


def report_inputs_for_plan(
    config: Config,
    result: PlanResult,
    *,
    previous: pd.DataFrame | None = None,
    generated_at: dt.datetime | None = None,
) -> ReportInputs:
    """Report inputs from an in-memory :class:`PlanResult` (what `plan` writes)."""
    tables = ReportInputs(
        config=config,
        forecast=result.forecast.frame,
        requirements=result.requirements,
        roster=result.roster.roster,
        team=load_config_team(config),
        previous=previous,
        solver=result.roster,
        actions=result.actions.actions,
        warnings=result.forecast.warnings,
        generated_at=generated_at,
    )
    return _with_history_and_events(tables)
