"""The whole weekly plan: history + sale calendar -> forecast -> staffing -> roster -> feeds.

Each stage function takes the previous stage's table and returns its own, so
the CLI can run one stage from a file or all of them in memory. Nothing is
written until every stage has succeeded: a bad input or an infeasible rule set
leaves the output folder as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from calendars.feeds import FeedAgent, write_feeds
from calendars.sales import load_sale_calendar
from forecasts.forecast import FORECAST_COLUMNS, ForecastResult, forecast
from forecasts.history import load_interval_history, load_ticket_history
from forecasts.holidays_calendar import holiday_events
from scheduler.config import Config
from scheduler.coverage import daily_summary, scheduled_agents
from scheduler.roster import ROSTER_COLUMNS, RosterResult, make_roster
from scheduler.staffing import REQUIREMENT_COLUMNS, compute_requirements
from scheduler.tables import as_written, read_table, write_table
from scheduler.team import Team, load_team

FEEDS_DIR = "feeds"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanResult:
    forecast: ForecastResult
    requirements: pd.DataFrame
    roster: RosterResult
    coverage: pd.DataFrame
    summary: pd.DataFrame


def load_history(config: Config) -> pd.DataFrame:
    """Interval counts from the configured history file."""
    if config.history_format == "intervals":
        return load_interval_history(
            config.history, tz=config.timezone, interval_minutes=config.interval_minutes, queues=config.queue_names
        )
    return load_ticket_history(
        config.history,
        tz=config.timezone,
        interval_minutes=config.interval_minutes,
        timestamp_column=config.timestamp_column,
        queue_column=config.queue_column,
        queues=config.queue_names,
    )


def load_events(config: Config, first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    """Sale calendar events plus public holidays between ``first_day`` and ``last_day``."""
    frames = []
    if config.events is not None:
        frames.append(load_sale_calendar(config.events, config.timezone))
    if config.holidays:
        frames.append(holiday_events(config.holidays, first_day, last_day, config.timezone))
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame()
    events = pd.concat(frames, ignore_index=True)
    return events.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)


def run_forecast(config: Config, start: dt.date, days: int) -> ForecastResult:
    history = load_history(config)
    first_day = history["ds"].min().tz_convert(config.timezone).date() if not history.empty else start
    events = load_events(config, min(first_day, start), start + dt.timedelta(days=days))
    return forecast(
        history,
        events,
        start=start,
        days=days,
        tz=config.timezone,
        interval_minutes=config.interval_minutes,
        baseline_weeks=config.baseline_weeks,
        source=str(config.history),
    )


def run_roster(config: Config, team: Team, requirements: pd.DataFrame, start: dt.date, days: int) -> RosterResult:
    return make_roster(config, team, requirements, start, days)


def coverage_of(config: Config, requirements: pd.DataFrame, roster: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-interval coverage and the per-day summary of a roster."""
    coverage = scheduled_agents(roster, requirements, config.interval_minutes)
    return coverage, daily_summary(coverage, config.interval_minutes, config.timezone)


def run_plan(config: Config, start: dt.date, days: int = 7) -> PlanResult:
    """Run every stage in memory (nothing is written).

    Each stage gets the previous stage's table rounded as its CSV holds it, so the
    result equals running the single-stage commands one after another on the files.
    """
    team = load_team(config.team_file, config.queue_names)
    forecast_result = run_forecast(config, start, days)
    requirements = as_written(compute_requirements(as_written(forecast_result.frame), config))
    roster = run_roster(config, team, requirements, start, days)
    coverage, summary = coverage_of(config, requirements, roster.roster)
    return PlanResult(
        forecast=forecast_result, requirements=requirements, roster=roster, coverage=coverage, summary=summary
    )


def feed_agents(team: Team) -> list[FeedAgent]:
    return [FeedAgent(agent_id=agent.id, name=agent.name, email=agent.email) for agent in team.agents]


def export_feeds(config: Config, team: Team, roster: pd.DataFrame, out_dir: Path, generated_at: dt.datetime) -> list[Path]:
    return write_feeds(
        roster,
        feed_agents(team),
        out_dir=out_dir,
        tz=config.timezone,
        team_name=config.team_name,
        generated_at=generated_at,
    )


def write_plan(config: Config, result: PlanResult, out_dir: Path, generated_at: dt.datetime) -> list[Path]:
    """Write forecast.csv, requirements.csv, roster.csv and the feeds, each atomically."""
    team = load_team(config.team_file, config.queue_names)
    paths = [out_dir / "forecast.csv", out_dir / "requirements.csv", out_dir / "roster.csv"]
    write_forecast(config, result.forecast.frame, paths[0])
    write_requirements(config, result.requirements, paths[1])
    write_roster(config, result.roster.roster, paths[2])
    paths.extend(export_feeds(config, team, result.roster.roster, out_dir / FEEDS_DIR, generated_at))
    return paths


def write_forecast(config: Config, frame: pd.DataFrame, path: Path) -> None:
    write_table(frame.loc[:, list(FORECAST_COLUMNS)], path, config.timezone, ("ds",))


def write_requirements(config: Config, frame: pd.DataFrame, path: Path) -> None:
    write_table(frame.loc[:, list(REQUIREMENT_COLUMNS)], path, config.timezone, ("ds",))


def write_roster(config: Config, frame: pd.DataFrame, path: Path) -> None:
    write_table(frame.loc[:, list(ROSTER_COLUMNS)], path, config.timezone, ("start", "end"))


def read_forecast(path: Path) -> pd.DataFrame:
    frame = read_table(path, ("ds", "queue", "yhat"), ("ds",), numeric_columns=("yhat",), what="forecast")
    return frame


def read_requirements(path: Path) -> pd.DataFrame:
    frame = read_table(
        path,
        ("ds", "queue", "agents_required"),
        ("ds",),
        numeric_columns=("agents_required",),
        what="requirements",
    )
    return frame


def read_roster(path: Path) -> pd.DataFrame:
    frame = read_table(path, ROSTER_COLUMNS, ("start", "end"), what="roster")
    frame["queue"] = frame["queue"].astype(str)
    return frame
