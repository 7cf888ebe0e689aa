"""The plan in numbers: what `peakplan plan --json` prints and what the CI threshold checks.

Library code: builds plain dicts and floats; the CLI prints them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from scheduler.config import Config
from scheduler.errors import UnderstaffedError
from scheduler.report.versions import run_provenance
from scheduler.rostering import RosterResult
from scheduler.staffing.requirements import summarize_evaluation

SHORTFALL_EPSILON = 1e-9


def understaffed_share(coverage: pd.DataFrame) -> float:
    """Share of the required agent-hours the roster leaves unscheduled (0 when nothing is required)."""
    required = float(coverage["agents_required"].sum())
    if required <= 0:
        return 0.0
    return float(coverage["shortfall"].sum()) / required


def check_understaffing(coverage: pd.DataFrame, interval_minutes: int, limit: float | None) -> None:
    """Raise :class:`UnderstaffedError` when the unscheduled share exceeds ``limit`` (None: never)."""
    if limit is None:
        return
    share = understaffed_share(coverage)
    if share > limit + 1e-12:
        hours = float(coverage["shortfall"].sum()) * interval_minutes / 60
        intervals = int((coverage["shortfall"] > SHORTFALL_EPSILON).sum())
        raise UnderstaffedError(
            f"understaffed: {share:.1%} of the required agent-hours are unscheduled ({hours:,.1f} h in "
            f"{intervals} queue-intervals), more than max_understaffed_share {limit:.1%} "
            "(the plan was written; add agents or hours, or raise [report] max_understaffed_share)"
        )


def _round(value: float, digits: int = 4) -> float:
    return round(float(value), digits)


def understaffed_intervals(coverage: pd.DataFrame, tz: str) -> list[dict[str, Any]]:
    """Every interval and queue with a shortfall, in local time, sorted by time then queue."""
    short = coverage[coverage["shortfall"] > SHORTFALL_EPSILON].sort_values(["ds", "queue"], kind="stable")
    return [
        {
            "ds": row.ds.tz_convert(tz).isoformat(),
            "queue": str(row.queue),
            "required": _round(row.agents_required),
            "scheduled": _round(row.agents_scheduled),
            "shortfall": _round(row.shortfall),
        }
        for row in short.itertuples(index=False)
    ]


def violations_json(violations: Sequence[tuple[str, str, float]]) -> dict[str, Any]:
    by_rule: dict[str, dict[str, float]] = {}
    for rule, _subject, cost in violations:
        entry = by_rule.setdefault(rule, {"count": 0, "cost": 0.0})
        entry["count"] += 1
        entry["cost"] += float(cost)
    return {
        "count": len(violations),
        "by_rule": {
            rule: {"count": int(v["count"]), "cost": _round(v["cost"], 2)} for rule, v in sorted(by_rule.items())
        },
    }


def service_json(evaluation: pd.DataFrame) -> list[dict[str, Any]]:
    """Per queue, the predicted service under the roster (offered-weighted), from :func:`evaluate_staffing`."""
    summary = summarize_evaluation(evaluation)
    return [
        {
            "queue": str(row.queue),
            "offered": _round(row.offered, 2),
            "service_level": _round(row.service_level),
            "asa_seconds": _round(row.asa_seconds, 1),
            "abandon_rate": _round(row.abandon_rate),
            "max_backlog": _round(row.max_backlog, 2),
        }
        for row in summary.itertuples(index=False)
    ]


def plan_json(
    config: Config,
    *,
    first_day: Any,
    days: int,
    coverage: pd.DataFrame,
    daily: pd.DataFrame,
    evaluation: pd.DataFrame,
    roster: RosterResult,
    files: Sequence[Path],
    warnings: Sequence[str],
    max_understaffed_share: float | None,
    feeds: dict[str, int] | None = None,
    actions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The one JSON object `plan --json` prints (deterministic: no wall-clock times).

    ``actions`` is :func:`scheduler.actions.actions_json` of the plan: per-day
    shortfall, the priced actions and the agents still to find.
    """
    hours = config.interval_minutes / 60
    share = understaffed_share(coverage)
    over = max_understaffed_share is not None and share > max_understaffed_share + 1e-12
    return {
        "team": config.team_name,
        "timezone": config.timezone,
        "start": str(first_day),
        "days": days,
        "status": "understaffed" if over else "ok",
        "files": [str(path) for path in files],
        "coverage": {
            "required_hours": _round(coverage["agents_required"].sum() * hours, 2),
            "scheduled_hours": _round(coverage["agents_scheduled"].sum() * hours, 2),
            "understaffed_hours": _round(coverage["shortfall"].sum() * hours, 2),
            "understaffed_share": _round(share),
            "max_understaffed_share": max_understaffed_share,
            "understaffed_intervals": int((coverage["shortfall"] > SHORTFALL_EPSILON).sum()),
        },
        "per_day": [
            {
                "day": str(row.day),
                "queue": str(row.queue),
                "required_hours": _round(row.required_hours, 2),
                "scheduled_hours": _round(row.scheduled_hours, 2),
                "understaffed_intervals": int(row.understaffed_intervals),
            }
            for row in daily.itertuples(index=False)
        ],
        "understaffed": understaffed_intervals(coverage, config.timezone),
        "solver": {
            "status": roster.status,
            "objective": _round(roster.objective, 2),
            "best_bound": _round(roster.best_bound, 2),
            "gap": _round(roster.gap, 6),
        },
        "service": service_json(evaluation),
        "violations": violations_json(roster.violations),
        "feeds": dict(sorted((feeds or {}).items())),
        "warnings": list(warnings),
        "actions": actions if actions is not None else {},
        # The versions and solver settings this plan ran with: the same inputs give the same roster only under these.
        "provenance": run_provenance(roster.time_limit_seconds),
    }


def bound_text(roster: RosterResult) -> str:
    """'best bound B, gap G', or that none was proven: a bound of 0 and a gap of 100% would read as a result."""
    if not roster.bound_available:
        return "no lower bound proven within its share of the budget (gap unknown)"
    return f"best bound {roster.best_bound:,.0f}, gap {roster.gap:.2%}"
