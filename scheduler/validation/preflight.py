"""The pre-flight pass: every input a command will read and every output it will write, checked before any work.

Each command calls :func:`check_inputs` first; ``peakplan validate`` runs the same
pass. It reads the config and the team file, the history, the sale calendar
and holidays, the previous roster and the previous feeds, checks the
cross-references between them (agent ids, queues, skills, contracts, shift
names, with "did you mean" for near misses) and the output paths (a folder
where a file is wanted, a file in the way of a folder, a parent that does not
exist or cannot be written). It never forecasts or solves, so it takes about a
second on the example.

Every problem is collected (up to :data:`~scheduler.errors.MAX_PROBLEMS`),
one line each naming the file, row or key, the value and what is allowed;
warnings (a planned week in the past, a history ending long before it) are
kept apart and never stop a run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from scheduler.config import Config, read_config
from scheduler.errors import InputError, Problems
from scheduler.team import Team, load_config_team
from scheduler.tomlfile import did_you_mean

FILE, FOLDER = "file", "folder"


@dataclass(frozen=True, slots=True, kw_only=True)
class Output:
    """A path a command will write: a ``file`` or a ``folder`` (created when missing), named by ``option`` ("" for none)."""

    path: Path
    kind: str  # FILE or FOLDER
    option: str = "--out"
    example: str = ""  # a file name to suggest when a folder is given for a file ("roster.csv")


@dataclass(frozen=True, slots=True, kw_only=True)
class Reads:
    """What a command reads besides the config (each ``True`` / path is checked)."""

    team: bool = True
    history: bool = True
    events: bool = True
    previous: Path | None = None  # --previous roster.csv
    previous_feeds: Path | None = None  # --previous-feeds folder
    roster: Path | None = None  # a roster to export or publish
    forecast: Path | None = None  # staff --forecast
    requirements: Path | None = None  # roster/validate --requirements


@dataclass(slots=True, kw_only=True)
class InputCheck:
    """What the pass found: the config and team when they could be read, problems and warnings."""

    config: Config | None = None
    team: Team | None = None
    problems: Problems = field(default_factory=Problems)
    warnings: list[str] = field(default_factory=list)
    history_days: tuple[dt.date, dt.date] | None = None  # first and last local day of the history

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_if_problems(self) -> None:
        self.problems.raise_if_any()

    @property
    def loaded_config(self) -> Config:
        """The config of a command that named one, once :meth:`raise_if_problems` has passed."""
        if self.config is None:  # a bug: a readable config is what "no problems" means for such a command
            raise RuntimeError("the pre-flight pass read no config")
        return self.config


def check_inputs(
    config_path: Path | None,
    *,
    start: dt.date | None = None,
    days: int = 7,
    reads: Reads = Reads(),
    outputs: Sequence[Output] = (),
    today: dt.date | None = None,
) -> InputCheck:
    """Check everything a command will read and write; never raises for a user mistake.

    Args:
        config_path: the config, or None for a command without one (its outputs are still checked).
        start, days: the planned period (None: the command plans nothing).
        reads: which inputs besides the config the command reads.
        outputs: the files and folders it will write.
        today: the date "now" (default: the system date) for the past-week warning.
    """
    result = InputCheck()
    failed: list[Path] = []
    for output in outputs:
        if any(output.path.is_relative_to(path) for path in failed):
            continue  # a folder inside a refused one: the first message says it all
        problems = output_problems(output)
        if problems:
            failed.append(output.path)
        for problem in problems:
            result.problems.add(problem)
    if config_path is None:
        return result
    try:
        read = read_config(config_path)
    except InputError as error:
        result.problems.add(str(error))
        return result
    for problem in read.problems:
        result.problems.add(problem)
    if not read.usable:
        return result  # the other files' paths or rules are unknown: check them once the config is fixed
    config = read.config
    result.config = config if not read.problems else None
    if reads.team:
        _check_team(result, config)
    if reads.history:
        _check_history(result, config, start)
    if reads.events:
        _check_events(result, config, start, days)
    if reads.previous is not None:
        _check_roster(result, config, reads.previous, what="--previous")
    if reads.roster is not None:
        _check_roster(result, config, reads.roster, what="--roster")
    if reads.previous_feeds is not None:
        _check_previous_feeds(result, reads.previous_feeds)
    if reads.forecast is not None:
        _check_stage_table(result, config, reads.forecast, what="--forecast")
    if reads.requirements is not None:
        _check_stage_table(result, config, reads.requirements, what="--requirements")
    if start is not None:
        _check_period(result, start, days, today or dt.date.today())
    return result


# -- outputs ------------------------------------------------------------------------------------------


def output_problems(output: Output) -> list[str]:
    """Why ``output`` cannot be written (empty when it can): checked on the file system, nothing created."""
    path = output.path
    label = f"{output.option} {path}" if output.option else str(path)
    if output.kind == FILE and path.is_dir():
        hint = f" (e.g. {path / output.example})" if output.example else ""
        return [f"{label} is a folder: give a file name{hint}"]
    if output.kind == FOLDER and path.exists() and not path.is_dir():
        return [f"{label} is a file: give a folder (it is created when missing)"]
    # the nearest existing folder the output goes into (missing folders below it are created)
    existing = path if output.kind == FOLDER and path.exists() else path.parent
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        return [f"{label}: {existing} is a file, not a folder, so nothing can be written under it"]
    if not os.access(existing, os.W_OK | os.X_OK):
        return [f"{label}: folder {existing} is not writable"]
    return []


# -- inputs -------------------------------------------------------------------------------------------


def _check_team(result: InputCheck, config: Config) -> None:
    try:
        result.team = load_config_team(config)
    except InputError as error:
        result.problems.add(str(error))
        return
    for queue, count in config.roster.min_agents:
        skilled = [agent.id for agent in result.team.agents if queue in agent.channels]
        if count > len(skilled):
            result.problems.add(
                f"{config.path}: roster.min_agents.{queue} = {count}, but only {len(skilled)} agent(s) of "
                f"{config.team_file} serve {queue} ({', '.join(skilled) or 'none'})"
            )
    unserved = [queue for queue in config.queue_names if not any(queue in a.channels for a in result.team.agents)]
    if unserved:
        result.warnings.append(
            f"{config.team_file}: no agent serves {', '.join(unserved)}: the roster will leave "
            f"{'it' if len(unserved) == 1 else 'them'} unstaffed"
        )


def _check_history(result: InputCheck, config: Config, start: dt.date | None) -> None:
    from forecasts.history import stale_history_warning
    from scheduler.pipeline import read_history

    try:
        loaded = read_history(config)
    except InputError as error:
        result.problems.add(str(error))
        return
    result.warnings.extend(loaded.warnings)
    if config.routing.active:
        from scheduler.pipeline import queue_counts

        try:  # the routing columns and values, read as the forecast will (cached for it)
            result.warnings.extend(queue_counts(config)[1])
        except InputError as error:
            result.problems.add(str(error))
            return
    frame = loaded.frame
    if frame.empty or float(frame["y"].sum()) <= 0:
        result.problems.add(f"{config.history}: no contacts in the history: nothing to forecast from")
        return
    local = frame.loc[frame["y"] > 0, "ds"].dt.tz_convert(config.timezone)
    first, last = local.min().date(), local.max().date()
    result.history_days = (first, last)
    if start is None:
        return
    if first >= start:
        result.problems.add(
            f"{config.history}: no history before the planned start {start} (the history starts on {first}): "
            "the forecast learns from the weeks before the one it plans"
        )
    else:
        stale = stale_history_warning(config.history_file(), last, start)
        if stale:
            result.warnings.append(stale)


def _check_events(result: InputCheck, config: Config, start: dt.date | None, days: int) -> None:
    from scheduler.pipeline import load_events

    if config.events is None and not config.holidays:
        return
    first = result.history_days[0] if result.history_days else (start or dt.date.today()) - dt.timedelta(days=400)
    last = (start + dt.timedelta(days=days)) if start else (result.history_days[1] if result.history_days else first)
    try:
        events = load_events(config, min(first, last), max(first, last))
    except InputError as error:
        result.problems.add(
            str(error) if config.events is None or str(config.events) in str(error) else f"{config.events}: {error}"
        )
        return
    if events.empty or result.history_days is None or config.events is None:
        return
    _check_sales_cover_history(result, config, events)


def _check_sales_cover_history(result: InputCheck, config: Config, events: pd.DataFrame) -> None:
    """A sale spanning (nearly) the whole history leaves no normal day to learn from: blame the calendar, not the history."""
    assert result.history_days is not None
    first, last = result.history_days
    span = (last - first).days + 1
    sales = events[events["category"] != "holiday"] if "category" in events.columns else events
    for row in sales.itertuples(index=False):
        begin = pd.Timestamp(row.start).tz_convert(config.timezone).date()
        end = (pd.Timestamp(row.end).tz_convert(config.timezone) - pd.Timedelta(seconds=1)).date()
        covered = (min(end, last) - max(begin, first)).days + 1
        if span >= 14 and covered >= span - 13:
            result.problems.add(
                f"{config.events}: event {row.name!r} ({begin} to {end}) covers the history ({first} to {last}) "
                "but for less than two weeks: the forecast needs normal weeks to learn from; check the event's dates"
            )


def _check_roster(result: InputCheck, config: Config, path: Path, *, what: str) -> None:
    from scheduler.stage_files import read_roster

    if path.is_dir():
        result.problems.add(f"{what} {path} is a folder: give the roster file (roster.csv)")
        return
    try:
        roster = read_roster(path)
    except InputError as error:
        result.problems.add(str(error))
        return
    if result.team is not None:
        ids = [agent.id for agent in result.team.agents]
        for agent_id in sorted(set(roster["agent_id"]) - set(ids)):
            result.problems.add(
                f"{path}: agent id {agent_id!r} is not in the team file {config.team_file}{did_you_mean(agent_id, ids)}"
            )
    queues = set(config.queue_names) | {""}
    for queue in sorted(set(roster["queue"]) - queues):
        result.problems.add(
            f"{path}: queue {queue!r} is not a channel of {config.path}{did_you_mean(queue, config.queue_names)}; "
            f"channels: {', '.join(config.queue_names)}"
        )


def _check_stage_table(result: InputCheck, config: Config, path: Path, *, what: str) -> None:
    """A forecast or requirements file given to a stage: readable, numbers in range, queues of the config."""
    from scheduler.stage_files import read_forecast, read_requirements

    if path.is_dir():
        result.problems.add(f"{what} {path} is a folder: give the {what.strip('-')} file (a .csv file)")
        return
    try:
        table = read_forecast(path) if what == "--forecast" else read_requirements(path)
    except InputError as error:
        result.problems.add(str(error))
        return
    for queue in sorted(set(table["queue"]) - set(config.queue_names)):
        result.problems.add(
            f"{path}: queue {queue!r} is not a channel of {config.path}{did_you_mean(queue, config.queue_names)}; "
            f"channels: {', '.join(config.queue_names)}"
        )
    _check_repeated_intervals(result, table, path)


def _check_repeated_intervals(result: InputCheck, table: pd.DataFrame, path: Path) -> None:
    """One row per queue and interval: a repeated one was read two ways (the roster's model added
    the rows up, its score counted each apart), so the printed objective was not the one solved."""
    keys = pd.DataFrame({"ds": pd.to_datetime(table["ds"], utc=True), "queue": table["queue"].astype(str)})
    repeated = keys.duplicated(keep="first")
    if not repeated.any():
        return
    row = int(repeated.to_numpy().nonzero()[0][0])
    first = keys.iloc[: row + 1].duplicated(keep="last").to_numpy().nonzero()[0][0]  # the row it repeats
    count = int(repeated.sum())
    result.problems.add(
        f"{path} row {row + 2}: ds {pd.Timestamp(keys['ds'].iloc[row]).isoformat()}, queue {keys['queue'].iloc[row]!r} repeats row {first + 2}"
        f"{f' (and {count - 1} more repeated rows)' if count > 1 else ''}: give one row per queue and interval "
        "(add the numbers up if both are meant)"
    )


def _check_previous_feeds(result: InputCheck, folder: Path) -> None:
    from calendars.updates import read_previous_feeds

    if not folder.exists():
        result.problems.add(f"--previous-feeds {folder} not found: give the folder of the feeds as last published")
        return
    if not folder.is_dir():
        result.problems.add(f"--previous-feeds {folder} is a file: give the folder of the feeds as last published")
        return
    names = [path.name for path in sorted(folder.glob("*.ics"))]
    try:
        read_previous_feeds(folder, names)
    except InputError as error:
        result.problems.add(str(error))


def _check_period(result: InputCheck, start: dt.date, days: int, today: dt.date) -> None:
    last = start + dt.timedelta(days=days - 1)
    if last < today:
        result.warnings.append(f"the planned period {start} to {last} is in the past (today is {today})")


__all__ = ("FILE", "FOLDER", "Output", "InputCheck", "Reads", "output_problems", "check_inputs")
