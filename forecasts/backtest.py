"""Rolling-origin backtest of the forecast against the two baselines support leads know.

At each origin (a Monday, as the weekly CI job plans) the model is fitted on
the history strictly before it and forecasts the next ``horizon_days`` days;
the same run scores, on the same intervals:

* ``seasonal_naive``: the same interval one week earlier (for days beyond the
  first week, the latest week before the origin);
* ``avg_8w``: the mean of the same weekday and interval over the 8 weeks
  before the origin, every day included (holidays, outages): the default
  forecast of commercial WFM tools;
* ``day_type_rule``: what a support lead does by hand: a holiday looks like
  the weekly rest day (the weekday with the least volume over the 8 weeks), an
  eve like the day before the rest day, each scaled by what past holidays
  (eves) did against that day's average; every other day is the 8-week
  same-weekday average of the days that were neither holidays nor eves;
* ``rest_day_rule``: the same rule unscaled (a holiday is the rest day's
  8-week average, an eve the day before it's): the issue's wording read
  without "scaled by what past holidays did". The two readings win on
  different teams (scaling helps a team that works its holidays at a reduced
  level, and hurts where the few past holidays were unlike the next one), so
  both are scored and a model must beat the stronger.

Scores (all intervals of all origins pooled):

* ``wape`` = sum |actual - forecast| / sum actual;
* ``bias`` = sum (forecast - actual) / sum actual (positive: over-forecast);
* ``coverage_p80`` / ``coverage_p95``: share of intervals whose actual lies in
  the model's band (``yhat_lo <= y <= yhat_hi``).

Each is given overall (``all``), on ``event`` days (an event or holiday runs on
the day, or it is the day before one: a holiday eve) and on ``normal`` days
(every other day, including the days after events).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calendars.errors import InputError
from forecasts.bands import calibrated_bands
from forecasts.baseline import fit_model
from forecasts.daytypes import DAY_TYPES, EVE, HOLIDAY, with_own_days
from forecasts.events import CalendarState, validate_events
from forecasts.grid import zone
from forecasts.predict import predict
from forecasts.series import Series
from forecasts.settings import MIN_NORMAL_OCCURRENCES, WEEKDAYS, ModelOptions

METHODS: tuple[str, ...] = ("model", "seasonal_naive", "avg_8w", "day_type_rule", "rest_day_rule")
"""Methods scored by :func:`backtest`, in report order."""

DAY_CLASSES: tuple[str, ...] = ("all", "event", "normal")
"""Groups of days each score is given for."""

SCORE_COLUMNS: tuple[str, ...] = (
    "method",
    "days",
    "wape",
    "bias",
    "coverage_p80",
    "coverage_p95",
    "intervals",
    "actual",
)
"""Columns of :attr:`BacktestResult.scores` (coverage is NaN for the baselines)."""

PREDICTION_COLUMNS: tuple[str, ...] = (
    "origin",
    "ds",
    "queue",
    "day_class",
    "y",
    "yhat",
    "yhat_lo",
    "yhat_hi",
    "yhat_lo95",
    "yhat_hi95",
    "seasonal_naive",
    "avg_8w",
    "day_type_rule",
    "rest_day_rule",
    "day_type",
    "holiday",
)
"""Columns of :attr:`BacktestResult.predictions`, one row per origin, interval and queue.

``day_type`` is the date's type (:data:`forecasts.daytypes.DAY_TYPES`), ``holiday``
the name a holiday or eve is learned under ("" otherwise).
"""

BREAKDOWN_COLUMNS: tuple[str, ...] = ("method", "group", "wape", "bias", "coverage_p80", "intervals", "actual")
"""Columns of :attr:`BacktestResult.by_day_type` and :attr:`BacktestResult.by_holiday`."""

AVERAGE_WEEKS = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class BacktestResult:
    """What :func:`backtest` returns.

    Attributes:
        scores: one row per method and day class, columns :data:`SCORE_COLUMNS`.
        by_origin: WAPE per origin and method (columns ``origin``, ``method``, ``wape``).
        by_day_type: scores per method and day type, columns :data:`BREAKDOWN_COLUMNS`
            (``group`` is the day type).
        by_holiday: scores per method and named holiday (its days and its eve).
        predictions: every scored interval, columns :data:`PREDICTION_COLUMNS`.
        origins: the origins used.
        event_days: the local dates scored as event days.
        warnings: what loading the inputs had to say (the file-level entry points fill it).
    """

    scores: pd.DataFrame
    by_origin: pd.DataFrame
    by_day_type: pd.DataFrame
    by_holiday: pd.DataFrame
    predictions: pd.DataFrame
    origins: tuple[dt.date, ...]
    event_days: tuple[dt.date, ...]
    warnings: tuple[str, ...] = ()

    def score(self, method: str, days: str = "all") -> pd.Series:
        """The score row of ``method`` on ``days``."""
        rows = self.scores[(self.scores["method"] == method) & (self.scores["days"] == days)]
        return rows.iloc[0]


def weekly_origins(first: dt.date, last: dt.date, weekday: int = 0) -> tuple[dt.date, ...]:
    """Every ``weekday`` (0 = Monday) from ``first`` to ``last``, both included."""
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    out = []
    while day <= last:
        out.append(day)
        day += dt.timedelta(days=7)
    return tuple(out)


def backtest(
    history: pd.DataFrame,
    events: pd.DataFrame | None,
    *,
    origins: Sequence[dt.date],
    horizon_days: int = 7,
    options: ModelOptions,
) -> BacktestResult:
    """Score the model and both baselines from every origin, in one pass over the history.

    Args:
        history: interval counts (``ds`` UTC, ``queue``, ``y``) covering the
            origins and their horizons.
        events: the events table (sales and holidays), or None.
        origins: local dates to forecast from; each needs history before it
            and at least one day of actuals after it.
        horizon_days: days forecast from each origin (days beyond the history
            are not scored).
        options: as in :func:`forecasts.forecast.forecast`.

    Returns:
        A :class:`BacktestResult`.

    Raises:
        InputError: no origins, an origin outside the history, or too little
            history before an origin.
    """
    zone(options.tz)
    if not origins:
        raise InputError("no backtest origins: give a range that contains at least one Monday inside the history")
    if horizon_days < 1:
        raise InputError(f"backtest horizon must be at least one day, got {horizon_days}")
    series = Series.build(history, tz=options.tz, interval_minutes=options.interval_minutes, source=options.source)
    ev = validate_events(with_own_days(events, options.special, options.tz), options.tz)
    history_days = series.dates[series.present]
    first_day, last_day = history_days[0].astype(object), history_days[-1].astype(object)
    rows: list[pd.DataFrame] = []
    event_days: set[dt.date] = set()
    for origin in sorted(set(origins)):
        cutoff = series.index_of(origin)
        if cutoff <= 0 or origin > last_day:
            raise InputError(
                f"backtest origin {origin} is outside the history in {options.source} ({first_day}..{last_day}): "
                "origins need history before them and actuals after them"
            )
        state = CalendarState.prepare(series, ev, cutoff)
        fit = fit_model(series, state, cutoff, options.baseline_weeks, options.settings)
        if min(fit.used) < MIN_NORMAL_OCCURRENCES:
            short = ", ".join(
                f"{count} normal {day}" for count, day in zip(fit.used, WEEKDAYS, strict=True)
                if count < MIN_NORMAL_OCCURRENCES
            )  # fmt: skip
            raise InputError(
                f"backtest origin {origin}: need at least {MIN_NORMAL_OCCURRENCES} normal weeks before it in "
                f"{options.source}, only {short}: start the origins later"
            )
        target = np.arange(cutoff, min(cutoff + horizon_days, len(series.dates)))
        target = target[series.present[target]]
        prediction = predict(series, state, fit, target, options.settings, special=options.special)
        bands = calibrated_bands(series, state, fit, prediction, cutoff, horizon_days, options)
        naive, average = _baselines(series, prediction.intervals, cutoff)
        rule = _day_type_rule(series, state, prediction.intervals, cutoff)
        rest_rule = _day_type_rule(series, state, prediction.intervals, cutoff, scaled=False)
        days = series.interval_date[prediction.intervals]
        is_event = state.during[days] | state.eve[days]
        event_days.update(d.astype(object) for d in series.dates[np.unique(days[is_event])])
        for q, queue in enumerate(series.queues):
            rows.append(
                pd.DataFrame(
                    {
                        "origin": origin,
                        "ds": series.grid[prediction.intervals],
                        "queue": queue,
                        "day_class": np.where(is_event, "event", "normal"),
                        "y": series.y[q, prediction.intervals],
                        "yhat": prediction.baseline[q] * prediction.uplift[q],
                        "yhat_lo": bands["yhat_lo"][q],
                        "yhat_hi": bands["yhat_hi"][q],
                        "yhat_lo95": bands["yhat_lo95"][q],
                        "yhat_hi95": bands["yhat_hi95"][q],
                        "seasonal_naive": naive[q],
                        "avg_8w": average[q],
                        "day_type_rule": rule[q],
                        "rest_day_rule": rest_rule[q],
                        "day_type": np.array(DAY_TYPES, dtype=object)[state.types.kind[days]],
                        "holiday": np.where(np.isin(state.types.kind[days], (HOLIDAY, EVE)), state.types.key[days], ""),
                    }
                )
            )
    predictions = pd.concat(rows, ignore_index=True).loc[:, list(PREDICTION_COLUMNS)]
    return BacktestResult(
        scores=_scores(predictions),
        by_day_type=_breakdown(predictions, "day_type"),
        by_holiday=_breakdown(predictions[predictions["holiday"] != ""], "holiday"),
        by_origin=_by_origin(predictions),
        predictions=predictions,
        origins=tuple(sorted(set(origins))),
        event_days=tuple(sorted(event_days)),
    )


def backtest_summary(result: BacktestResult) -> dict[str, object]:
    """The scores as plain JSON-ready data (``peakplan forecast backtest --json``).

    ``scores[method][days]`` holds ``wape``, ``bias`` (fractions, not
    percent), ``intervals`` and ``actual``, plus ``coverage_p80``/``coverage_p95``
    for the model; a score with no actual volume is ``null``.
    ``by_day_type[type][method]`` and ``by_holiday[name][method]`` hold the same
    per day type and per named holiday (its days and its eve).
    """

    def plain(value: object) -> object:
        if isinstance(value, float | np.floating):
            return None if np.isnan(value) else round(float(value), 6)
        if isinstance(value, np.integer):
            return int(value)
        return value

    scores: dict[str, dict[str, dict[str, object]]] = {}
    for row in result.scores.to_dict(orient="records"):
        entry = {key: plain(row[key]) for key in ("wape", "bias", "intervals", "actual")}
        if row["method"] == "model":
            entry.update(coverage_p80=plain(row["coverage_p80"]), coverage_p95=plain(row["coverage_p95"]))
        scores.setdefault(str(row["method"]), {})[str(row["days"])] = entry
    breakdowns: dict[str, dict[str, dict[str, dict[str, object]]]] = {"by_day_type": {}, "by_holiday": {}}
    for key, table in (("by_day_type", result.by_day_type), ("by_holiday", result.by_holiday)):
        for row in table.to_dict(orient="records"):
            entry = {name: plain(row[name]) for name in ("wape", "bias", "intervals", "actual")}
            if row["method"] == "model":
                entry["coverage_p80"] = plain(row["coverage_p80"])
            breakdowns[key].setdefault(str(row["group"]), {})[str(row["method"])] = entry
    by_origin: dict[str, dict[str, object]] = {}
    for row in result.by_origin.to_dict(orient="records"):
        by_origin.setdefault(row["origin"].isoformat(), {})[str(row["method"])] = plain(row["wape"])
    return {
        "origins": [origin.isoformat() for origin in result.origins],
        "event_days": [day.isoformat() for day in result.event_days],
        "scores": scores,
        **breakdowns,
        "wape_by_origin": by_origin,
        "warnings": list(result.warnings),
    }


METHOD_COLUMNS = {"model": "yhat", "seasonal_naive": "seasonal_naive", "avg_8w": "avg_8w",
                  "day_type_rule": "day_type_rule", "rest_day_rule": "rest_day_rule"}  # fmt: skip
"""The column of :attr:`BacktestResult.predictions` that holds each method's forecast."""


def _baselines(series: Series, intervals: np.ndarray, cutoff: int) -> tuple[np.ndarray, np.ndarray]:
    """Seasonal naive and 8-week same-weekday average for the given intervals, (Q, n) each.

    Both read the same wall-clock slot on earlier dates (DST days match by
    local time); only dates before ``cutoff`` are used.
    """
    days = series.interval_date[intervals]
    slots = series.interval_slot[intervals]
    weeks_back = (days - cutoff) // 7 + 1  # the latest week before the origin
    first = days - 7 * weeks_back
    naive = np.where(first >= 0, series.cube[:, np.maximum(first, 0), slots], 0.0)
    total = np.zeros_like(naive)
    count = np.zeros(len(intervals))
    for j in range(AVERAGE_WEEKS):
        back = first - 7 * j
        ok = (back >= 0) & series.present[np.maximum(back, 0)]
        total += np.where(ok, series.cube[:, np.maximum(back, 0), slots], 0.0)
        count += ok
    average = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
    return naive, average


METHOD_NAMES = {"model": "peakplan model", "seasonal_naive": "seasonal naive", "avg_8w": "8-week average",
                "day_type_rule": "day-type rule", "rest_day_rule": "unscaled rule"}  # fmt: skip
"""How each method is called in printed reports."""


def format_breakdown(result: BacktestResult) -> str:
    """WAPE and bias per day type and per named holiday for every method, as plain text lines."""
    lines = []
    for title, table in (("day type", result.by_day_type), ("holiday (its days and eve)", result.by_holiday)):
        if table.empty:
            continue
        lines.append(f"WAPE % (bias %) per {title}; model P80 coverage")
        for group, part in table.groupby("group", sort=True):
            cells = []
            for method in METHODS:
                row = part[part["method"] == method].iloc[0]
                cells.append(f"{METHOD_NAMES[method]} {100 * row['wape']:.1f} ({100 * row['bias']:+.1f})")
            cover = part[part["method"] == "model"].iloc[0]["coverage_p80"]
            lines.append(
                f"  {group}: " + ", ".join(cells) + f"; P80 {100 * cover:.0f}% of {int(part.iloc[0]['intervals'])}"
            )
    return "\n".join(lines)


def format_event_days(result: BacktestResult, tz: str) -> str:
    """One line per scored event date (``tz``'s dates): its actual volume, each method's forecast and error.

    In calls; the error share is of all event-day volume, so the lines say
    which days carry the event-day WAPE. A date scored from two origins (a
    horizon beyond a week) is summed over them.
    """
    part = result.predictions[result.predictions["day_class"] == "event"]
    if part.empty:
        return ""
    total = float(part["y"].sum())
    dates = part["ds"].dt.tz_convert(tz).dt.date
    lines = ["calls per holiday or eve date: actual; forecast / absolute error (share of all event-day volume)"]
    for day, rows in part.groupby(dates, sort=True):
        y = rows["y"].to_numpy()
        cells = []
        for method in METHODS:
            forecast = rows[METHOD_COLUMNS[method]].to_numpy()
            error = float(np.abs(y - forecast).sum())
            share = f" ({100 * error / total:.1f}%)" if total > 0 else ""
            cells.append(f"{METHOD_NAMES[method]} {forecast.sum():.0f} / {error:.0f}{share}")
        kind, name = rows["day_type"].iloc[0], rows["holiday"].iloc[0]
        lines.append(f"  {day} {kind} {name!r}: actual {y.sum():.0f}; " + ", ".join(cells))
    return "\n".join(lines)


def _day_type_rule(
    series: Series, state: CalendarState, intervals: np.ndarray, cutoff: int, *, scaled: bool = True
) -> np.ndarray:
    """The hand rule of the module docstring for the given intervals, (Q, n); unscaled: ``rest_day_rule``."""
    kind = state.types.kind
    plain = series.present & ~np.isin(kind, (HOLIDAY, EVE))
    recent = np.arange(max(0, cutoff - 7 * AVERAGE_WEEKS), cutoff)
    n_q = len(series.queues)
    profile = np.zeros((n_q, 7, len(series.slots)))  # 8-week slot average per weekday, plain days only
    for w in range(7):
        days = recent[(series.weekday[recent] == w) & plain[recent]]
        if len(days):
            profile[:, w, :] = series.cube[:, days, :].mean(axis=1)
    daily = profile.sum(axis=2)
    rest = int(np.argmin(daily.sum(axis=0)))
    reference = {HOLIDAY: rest, EVE: (rest - 1) % 7}
    scale = {}
    for day_kind, w in reference.items():
        past = np.flatnonzero(series.present[:cutoff] & (kind[:cutoff] == day_kind) & scaled)
        expected = daily[:, w] * len(past)
        scale[day_kind] = np.divide(series.totals[:, past].sum(axis=1), expected, out=np.ones(n_q), where=expected > 0)
    days = series.interval_date[intervals]
    slots = series.interval_slot[intervals]
    weekday = series.weekday[days].copy()
    factor = np.ones((n_q, len(intervals)))
    for day_kind, w in reference.items():
        hit = kind[days] == day_kind
        weekday[hit] = w
        factor[:, hit] = scale[day_kind][:, None]
    return profile[:, weekday, slots] * factor


def _breakdown(predictions: pd.DataFrame, column: str) -> pd.DataFrame:
    rows = []
    for group, part in predictions.groupby(column, sort=True):
        actual = float(part["y"].sum())
        y = part["y"].to_numpy()
        for method in METHODS:
            forecast = part[METHOD_COLUMNS[method]].to_numpy()
            rows.append({
                "method": method, "group": str(group),
                "wape": float(np.abs(y - forecast).sum() / actual) if actual > 0 else np.nan,
                "bias": float((forecast - y).sum() / actual) if actual > 0 else np.nan,
                "coverage_p80": _coverage(part, "yhat_lo", "yhat_hi") if method == "model" else np.nan,
                "intervals": len(part), "actual": actual,
            })  # fmt: skip
    return pd.DataFrame(rows, columns=list(BREAKDOWN_COLUMNS))


def _scores(predictions: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for method in METHODS:
        column = METHOD_COLUMNS[method]
        for days in DAY_CLASSES:
            part = predictions if days == "all" else predictions[predictions["day_class"] == days]
            actual = float(part["y"].sum())
            forecast = part[column].to_numpy()
            y = part["y"].to_numpy()
            rows.append(
                {
                    "method": method,
                    "days": days,
                    "wape": float(np.abs(y - forecast).sum() / actual) if actual > 0 else np.nan,
                    "bias": float((forecast - y).sum() / actual) if actual > 0 else np.nan,
                    "coverage_p80": _coverage(part, "yhat_lo", "yhat_hi") if method == "model" else np.nan,
                    "coverage_p95": _coverage(part, "yhat_lo95", "yhat_hi95") if method == "model" else np.nan,
                    "intervals": len(part),
                    "actual": actual,
                }
            )
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS))


def _coverage(part: pd.DataFrame, low: str, high: str) -> float:
    if len(part) == 0:
        return np.nan
    inside = (part["y"] >= part[low] - 1e-9) & (part["y"] <= part[high] + 1e-9)
    return float(inside.mean())


def _by_origin(predictions: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for origin, part in predictions.groupby("origin", sort=True):
        actual = float(part["y"].sum())
        for method in METHODS:
            error = float(np.abs(part["y"] - part[METHOD_COLUMNS[method]]).sum())
            rows.append({"origin": origin, "method": method, "wape": error / actual if actual > 0 else np.nan})
    return pd.DataFrame(rows, columns=["origin", "method", "wape"])


__all__ = (
    "DAY_CLASSES",
    "METHODS",
    "METHOD_COLUMNS",
    "PREDICTION_COLUMNS",
    "SCORE_COLUMNS",
    "BREAKDOWN_COLUMNS",
    "BacktestResult",
    "backtest",
    "backtest_summary",
    "format_breakdown",
    "format_event_days",
    "weekly_origins",
)
