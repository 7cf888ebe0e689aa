"""Check every input of a plan without solving: what `peakplan validate` runs.

Each check runs on its own and records its outcome, so one run lists every
problem it can find: the config, the team file, the history, the sale
calendar, the forecast and requirements over the horizon, the roster problem
(shift options per agent) and each agent's hard rules on their own (the
deletion filter of :func:`scheduler.rostering.solve.agent_rule_conflicts`).
Nothing is written and the roster is not solved, so it takes seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from scheduler.config import Config, load_config
from scheduler.errors import ExitCode, InfeasibleError, InputError
from scheduler.team import Team, load_config_team

OK, WARNING, ERROR, SKIPPED = "ok", "warning", "error", "skipped"
RULES_TIME_LIMIT = 5.0  # CP-SAT deterministic seconds for the joint feasibility check


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    name: str
    status: str  # OK, WARNING, ERROR or SKIPPED
    detail: str
    infeasible: bool = False  # an ERROR that means "no roster", not a bad input


@dataclass(slots=True, kw_only=True)
class Validation:
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, name: str, status: str, detail: str, *, infeasible: bool = False) -> None:
        self.checks.append(Check(name=name, status=status, detail=detail, infeasible=infeasible))

    @property
    def exit_code(self) -> ExitCode:
        """INPUT when any input is bad, else INFEASIBLE when the rules admit no roster, else OK."""
        errors = [check for check in self.checks if check.status == ERROR]
        if any(not check.infeasible for check in errors):
            return ExitCode.INPUT
        if errors:
            return ExitCode.INFEASIBLE
        return ExitCode.OK

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.exit_code == ExitCode.OK,
            "exit_code": int(self.exit_code),
            "checks": [{"name": check.name, "status": check.status, "detail": check.detail} for check in self.checks],
            "warnings": list(self.warnings),
        }


def _paid_hours_capacity(team: Team, days: int) -> float:
    """Most paid hours the whole team may work in ``days`` days (contract maxima, pro rata)."""
    return sum(agent.contract.max_hours_per_week for agent in team.agents) * days / 7


def validate_inputs(
    config_path: Path,
    start: dt.date,
    days: int,
    *,
    requirements_path: Path | None = None,
    team_path: Path | None = None,
) -> Validation:
    """Run every check for planning ``days`` days from ``start``; never raises for bad inputs."""
    from forecasts.queue_shares import BAND_COLUMNS
    from forecasts.special_days import describe_special_days
    from scheduler.pipeline import load_events, read_history, run_forecast
    from scheduler.rostering.problem import build_problem
    from scheduler.staffing.requirements import compute_requirements
    from scheduler.stage_files import read_requirements
    from scheduler.tables import as_written

    report = Validation()
    try:
        config: Config = load_config(config_path)
    except InputError as error:
        report.add("config", ERROR, str(error))
        return report
    report.add(
        "config",
        OK,
        f"{config_path}: team {config.team_name!r}, {config.timezone}, queues {', '.join(config.queue_names)}",
    )

    team: Team | None = None
    try:
        team = load_config_team(config, team_path)
        contracts = sorted({agent.contract.name for agent in team.agents})
        report.add("team", OK, f"{team.path}: {len(team.agents)} agents, contracts {', '.join(contracts)}")
    except InputError as error:
        report.add("team", ERROR, str(error))

    history_ok = False
    try:
        if requirements_path is not None and config.history is None:
            raise _NotNeeded
        loaded = read_history(config)
        report.warnings.extend(loaded.warnings)
        frame = loaded.frame
        if frame.empty:
            report.add("history", ERROR, f"{config.history}: no contacts")
        else:
            local = frame["ds"].dt.tz_convert(config.timezone)
            history_ok = True
            report.add(
                "history", OK,
                f"{config.history}: {float(frame['y'].sum()):,.0f} contacts, {local.min().date()} to {local.max().date()}",
            )  # fmt: skip
    except _NotNeeded:
        report.add("history", SKIPPED, "none in the config, not needed with --requirements")
    except InputError as error:
        report.add("history", ERROR, str(error))

    last_day = start + dt.timedelta(days=days - 1)
    try:
        events = load_events(config, start - dt.timedelta(days=400), last_day + dt.timedelta(days=1))
        inside = events[(events["end"] > pd.Timestamp(start, tz=config.timezone)) &
                        (events["start"] < pd.Timestamp(last_day + dt.timedelta(days=1), tz=config.timezone))] \
            if not events.empty else events  # fmt: skip
        names = ", ".join(dict.fromkeys(str(name) for name in inside["name"])) if not inside.empty else "none"
        source = str(config.events) if config.events else "no sale calendar"
        report.add("events", OK, f"{source}; holidays {config.holidays or 'none'}; in the horizon: {names}")
    except InputError as error:
        report.add("events", ERROR, str(error))

    requirements: pd.DataFrame | None = None
    if requirements_path is not None:
        try:
            requirements = read_requirements(requirements_path)
            report.add("requirements", OK, f"{requirements_path}: {len(requirements)} rows")
        except InputError as error:
            report.add("requirements", ERROR, str(error))
    elif history_ok:
        try:
            result = run_forecast(config, start, days, bands=False)  # requirements read the point forecast only
            report.warnings.extend(result.warnings)
            point = result.frame.drop(columns=list(BAND_COLUMNS))  # NaN without their calibration
            requirements = as_written(compute_requirements(as_written(point), config))
            hours = float(requirements["agents_required"].sum()) * config.interval_minutes / 60
            report.add(
                "forecast",
                OK,
                f"{float(result.frame['yhat'].sum()):,.0f} contacts forecast from {start} for {days} days",
            )
            for line in describe_special_days(result.special_days):  # holidays, eves, ... and how each is forecast
                report.add("special day", OK, line)
            report.add("requirements", OK, f"{hours:,.1f} agent-hours required")
        except InputError as error:
            report.add("forecast", ERROR, str(error))
    else:
        report.add("forecast", SKIPPED, "needs a readable history")

    if team is None or requirements is None:
        report.add("roster rules", SKIPPED, "needs the team file and the requirements")
        return report
    try:
        problem = build_problem(config, team, requirements, start, days)
    except InputError as error:
        report.add("horizon", ERROR, str(error))
        return report
    except InfeasibleError as error:
        report.add("horizon", ERROR, str(error), infeasible=True)
        return report
    without = [agent.id for a, agent in enumerate(problem.agents) if not problem.allowed[a]]
    report.add(
        "horizon", OK,
        f"requirements cover {start} to {last_day}; {len(problem.options)} shift options"
        + (f"; no possible shift for {', '.join(without)}" if without else ""),
    )  # fmt: skip
    _check_rules(report, problem)

    required = float(requirements["agents_required"].sum()) * config.interval_minutes / 60
    capacity = _paid_hours_capacity(team, days)
    if required > capacity:
        short = (required - capacity) / required
        text = (
            f"the team may work at most {capacity:,.1f} paid hours but {required:,.1f} agent-hours are required: "
            f"at least {short:.0%} will be understaffed"
        )
        limit = config.max_understaffed_share
        if limit is not None and short > limit:
            text += f" (more than [report] max_understaffed_share {limit:.0%}: plan will exit 5)"
        report.add("capacity", WARNING, text)
        report.warnings.append(text)
    else:
        report.add("capacity", OK, f"up to {capacity:,.1f} paid hours for {required:,.1f} agent-hours required")
    return report


class _NotNeeded(Exception):
    """The config names no history and --requirements makes it unnecessary."""


def _check_rules(report: Validation, problem: Any) -> None:
    """Every hard rule together (queue minimums too), without an objective; explained per agent when none holds.

    One feasibility solve of the full model comes first: a roster keeping every
    rule keeps each agent's own, so in the usual case nothing else runs (the
    per-agent check built two models per agent). When the solve finds no
    roster, :func:`agent_rule_conflicts` with the queue minimums set aside names
    a minimal conflicting rule set per agent; when it proves there is none and
    each agent's rules hold alone, the same function names the minimums.
    """
    import dataclasses

    import numpy as np
    from ortools.sat.python import cp_model

    from scheduler.rostering.model import build_full_model
    from scheduler.rostering.problem import uncovered_minimums
    from scheduler.rostering.sat import make_solver
    from scheduler.rostering.solve import agent_rule_conflicts

    uncovered = uncovered_minimums(problem)  # no solver needed, and a DST day is named
    if uncovered:
        report.add("roster rules", ERROR, "no roster satisfies the rules: " + "; ".join(uncovered), infeasible=True)
        return
    roster = build_full_model(problem)
    roster.model.clear_objective()
    for literal in roster.rule_literals.values():
        roster.model.add(literal == 1)
    status = make_solver(RULES_TIME_LIMIT).solve(roster.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        report.add("roster rules", OK, f"a roster satisfying every hard rule exists ({len(problem.agents)} agents)")
        return
    alone = dataclasses.replace(problem, min_agents=np.zeros_like(problem.min_agents))
    conflicts = agent_rule_conflicts(alone)
    if conflicts:
        report.add("roster rules", ERROR, "no roster satisfies the rules: " + "; ".join(conflicts), infeasible=True)
    elif status == cp_model.INFEASIBLE:
        explained = agent_rule_conflicts(problem) or ["the hard rules cannot all hold together"]
        report.add("roster rules", ERROR, "no roster satisfies the rules: " + "; ".join(explained), infeasible=True)
    else:
        report.add(
            "roster rules", WARNING,
            f"each agent's own rules can hold; no roster satisfying every rule together found within "
            f"{RULES_TIME_LIMIT:g} s (plan may still find one with its larger budget)",
        )  # fmt: skip
