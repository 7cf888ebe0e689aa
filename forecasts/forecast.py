"""Demand forecast: level x weekday profile x learned calendar effects, with calibrated intervals.

The model is one a support lead can follow by hand, and it beats the 8-week
same-weekday average that commercial WFM tools default to on real call-centre
data (README, "Forecast accuracy"), because the calendar enters explicitly.
Per queue:

* **Normal days.** A day is *normal* when no event, holiday, eve or day-after
  touches it and it is not an outage (:func:`detect_outage_days`: a day below
  20% of the same weekday around it, or one with hours of silence where there
  are normally many contacts). Only normal days train the baseline, less
  the *unusual* ones whose hours lie far from their weekday's usual shape
  (:mod:`forecasts.unusual_days`: an election day's morning rush).
* **Baseline** = level x weekday total x weekday intraday shape.
  The *weekday total* is the mean daily volume of the last ``baseline_weeks``
  normal days of that weekday (the weekdays' shares of the week from the last
  16 weeks); the *shape* is each slot's share of the day over the same days,
  per weekday (a bank closes early on Friday, a shop is busiest on Sunday
  evening), pooled across weekdays whose hours do not differ beyond noise. Slots are local wall-clock times, so DST days
  work: on a 25-hour day both ``02:30`` intervals get the ``02:30`` value; on a
  23-hour day the skipped hour has no interval. The *level* corrects the
  weekday totals for the last four weeks' drift: the ratio of the recent
  normal days' volume to their weekday totals, halfway (damped to 1). With a
  flat history the baseline is exactly the old 8-normal-weeks slot average.
* **Special days** (:mod:`forecasts.daytypes`, :mod:`forecasts.dayprofiles`).
  Every date has a day type; a public holiday, its eve, a bridge day and a day
  inside a holiday period each have their own intraday shape and level: a mix
  ``a x ordinary day + b x reference day`` (the weekly rest day for a holiday,
  the day before it for an eve), ``(a, b)`` learned per named holiday and
  shrunk to its group, with a fallback chain (declared in the config -> own
  past occurrences -> the group when its past holidays agree -> an ordinary
  day with a wider band and a warning).
* **Calendar effects** (sales, campaigns, holidays with a stated uplift, and
  the day after a holiday). Every other all-day event has three effects per
  ``(category, queue)``: the *day before* (ramp-up), the *days of the event*,
  and the *day after* (the next open weekday: catch-up, post-sale tail). Each
  effect is learned from the past occurrences of the category in the history:
  a daily ratio (actual volume / the volume expected from normal same-weekday
  days within four weeks either side) and an intraday profile (per slot,
  actual / expected, shrunk towards the daily ratio by empirical Bayes: flat
  when the slots differ no more than noise). A timed event (a three-hour flash
  sale) multiplies only the intervals it overlaps, learned the same way. A
  day-before or day-after effect is used only where it stands out from the
  queue's ordinary day-to-day variation (two standard errors, measured on its
  normal days) and by more than 5%: one past occurrence of a small queue
  proves little. An uplift stated for an event (``X-PEAKPLAN-UPLIFT``, the CSV
  ``uplift`` column) replaces the learned effect of its days with a flat
  multiplier. A category with neither gets x1.0 and a warning.
* **Overlaps.** The effects of the event days (and timed events) come first,
  the day-before/day-after effects only where no event runs; within a tier
  the largest multiplier applies (a sale on a holiday is planned as the sale).
* **Intervals.** P80 (``yhat_lo``/``yhat_hi``) and P95 bands come from a
  rolling backtest on the history itself: the model is refitted at each of the
  last ``calibration_weeks`` weekly origins before ``start`` and its errors on
  normal days give the over-dispersion of the counts (variance ``yhat +
  phi^2 yhat^2``) and the empirical quantiles of the standardised errors. On
  event days the spread of the effect over its past occurrences widens the
  band (``phi^2 + psi^2``, ``psi`` at least 0.5: a handful of occurrences
  understates the next one's spread); special days are calibrated per day
  type on the errors made on past special days (:mod:`forecasts.bands`). A
  band always holds ``yhat``.

Only history strictly before ``start`` is used, so a backtest on a longer
history is honest.

Where each part lives: the history cube in :mod:`forecasts.series`, outage
days in :mod:`forecasts.outages`, the calendar laid over the dates in
:mod:`forecasts.events`, the baseline fit in :mod:`forecasts.baseline`, the
learned effects in :mod:`forecasts.effects`, the special days in
:mod:`forecasts.daytypes` and :mod:`forecasts.dayprofiles`, baseline x effects in
:mod:`forecasts.predict`, the bands in :mod:`forecasts.bands`; this module
assembles them into the forecast table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calendars.errors import InputError
from forecasts.bands import calibrated_bands
from forecasts.baseline import fit_model
from forecasts.daytypes import unmatched_holiday_names, with_own_days
from forecasts.events import CalendarState, validate_events
from forecasts.grid import zone
from forecasts.history import stale_history_warning
from forecasts.outages import OUTAGE_SHARE
from forecasts.predict import predict
from forecasts.queue_shares import BAND_COLUMNS
from forecasts.series import Series, check_history_columns, guess_interval, utc_column
from forecasts.settings import DEFAULT_SETTINGS, MIN_NORMAL_OCCURRENCES, WEEKDAYS, ModelOptions, ModelSettings
from forecasts.special_days import SpecialDayForecast, unseen_holiday_warnings

FORECAST_COLUMNS: tuple[str, ...] = (
    "ds",
    "queue",
    "yhat",
    "baseline",
    "uplift",
    "events",
    "yhat_lo",
    "yhat_hi",
    "yhat_lo95",
    "yhat_hi95",
)
"""Columns of the forecast table (README, "Data contracts"), in order."""

UPLIFT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "name",
    "category",
    "queue",
    "multiplier",
    "source",
    "occurrences",
    "before",
    "after",
)
"""Columns of :attr:`ForecastResult.uplifts`: one row per event in the window and queue.

``multiplier`` is the daily ratio of the event's days; ``before``/``after`` the
daily ratios of the day before and the day after (NaN when none applies).
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class ForecastResult:
    """What :func:`forecast` returns.

    Attributes:
        frame: the forecast table, columns :data:`FORECAST_COLUMNS`, sorted by ``queue, ds``.
        uplifts: how each event in the window was priced, columns :data:`UPLIFT_COLUMNS`,
            sorted by event ``start, event_id`` then ``queue``; ``source`` is
            ``learned``, ``stated`` or ``none``; ``occurrences`` counts the past
            events of the category the learned multiplier is drawn from.
        warnings: human-readable warnings for the caller to show, in a fixed order.
        outage_days: local dates left out of training as outages.
        special_days: the holidays, eves, bridge days and holiday-period days of the
            window and how each is forecast, per queue (``peakplan validate`` lists them).
    """

    frame: pd.DataFrame
    uplifts: pd.DataFrame
    warnings: tuple[str, ...]
    outage_days: tuple[dt.date, ...]
    special_days: tuple[SpecialDayForecast, ...] = ()


def forecast(
    history: pd.DataFrame,
    events: pd.DataFrame | None,
    *,
    start: dt.date,
    days: int,
    options: ModelOptions,
    bands: bool = True,
) -> ForecastResult:
    """Forecast contacts per interval and queue for ``days`` local days from ``start``.

    Args:
        history: interval counts (``ds`` UTC, ``queue``, ``y``) as loaded by
            :mod:`forecasts.history`; intervals missing from it count as zero.
        events: the events table (sales and holidays, past and future), or None.
        start: first local date of the forecast.
        days: number of local days to forecast.
        options: the team's grid, the baseline window, the model knobs and the
            declared special days (:class:`forecasts.settings.ModelOptions`).
        bands: False leaves the P80/P95 band columns NaN, for callers that read the
            point forecast only (``validate``): their calibration replays the
            weekly origins before ``start`` and costs about as much as the rest.

    Returns:
        A :class:`ForecastResult`.

    Raises:
        InputError: malformed history or events, no history before ``start``, or
            fewer than 2 normal days of some weekday before ``start``.
    """
    zone(options.tz)
    if days <= 0:
        raise InputError(f"forecast length must be at least one day, got {days}")
    if options.baseline_weeks < 1:
        raise InputError(f"baseline_weeks must be at least 1, got {options.baseline_weeks}")
    series = Series.build(
        history, tz=options.tz, interval_minutes=options.interval_minutes, source=options.source, before=start,
        until=start + dt.timedelta(days=days),  # one day more: a holiday right after the window makes an eve
    )  # fmt: skip
    ev = validate_events(with_own_days(events, options.special, options.tz), options.tz)
    cutoff = series.index_of(start)
    state = CalendarState.prepare(series, ev, cutoff)
    warnings: list[str] = unmatched_holiday_names(options.special, ev)

    fit = fit_model(series, state, cutoff, options.baseline_weeks, options.settings)
    short = [w for w in range(7) if fit.used[w] < MIN_NORMAL_OCCURRENCES]
    if short:
        detail = ", ".join(f"{fit.used[w]} normal {WEEKDAYS[w]}" for w in short)
        history_days = series.present[:cutoff]
        first, last = series.dates[:cutoff][history_days][[0, -1]]
        raise InputError(
            f"need at least {MIN_NORMAL_OCCURRENCES} normal weeks before {start} in {options.source}: only {detail} "
            f"(history {first}..{last}; {int((state.touched[:cutoff] & history_days).sum())} event days and "
            f"{int(state.outage.sum())} outage days do not count): load a longer history"
        )
    thin = [w for w in range(7) if fit.used[w] < options.baseline_weeks]
    if thin:
        detail = ", ".join(f"{WEEKDAYS[w]} {fit.used[w]}" for w in thin)
        warnings.append(f"baseline uses fewer than {options.baseline_weeks} normal weeks for some weekdays ({detail})")

    last_day = series.dates[:cutoff][series.present[:cutoff]][-1].astype(object)
    stale = stale_history_warning(options.source, last_day, start)
    if stale:
        warnings.append(stale)
    outage_days = tuple(d.astype(object) for d in series.dates[state.outage])
    if outage_days:
        shown = ", ".join(str(d) for d in outage_days[:10]) + (", ..." if len(outage_days) > 10 else "")
        warnings.append(
            f"{len(outage_days)} outage day(s) in {options.source} left out of training "
            f"(volume below {OUTAGE_SHARE:.0%} of the same weekday around them, or hours without contacts "
            f"when there normally are many): {shown}"
        )

    unusual = series.dates[fit.unusual]
    if len(unusual):
        shown = ", ".join(str(d) for d in unusual[:10]) + (", ..." if len(unusual) > 10 else "")
        warnings.append(
            f"{len(unusual)} unusual day(s) in {options.source} left out of the baseline (their hours lie far from "
            f"the same weekday's usual ones: an event not in the calendar?): {shown}; add it to the calendar file "
            "if it will come back"
        )

    target = np.arange(cutoff, cutoff + days)
    prediction = predict(series, state, fit, target, options.settings, describe=True, special=options.special)
    if bands:
        band = calibrated_bands(series, state, fit, prediction, cutoff, days, options)
    else:
        band = dict.fromkeys(BAND_COLUMNS, np.full(prediction.baseline.shape, np.nan))

    warnings.extend(unseen_holiday_warnings(prediction.special))
    for category, queues in prediction.missing.items():
        warnings.append(
            f"no past {category!r} event in {options.source} and no stated uplift: forecast without uplift (x1.0) "
            f"for queues {', '.join(queues)}; state an uplift for the event or load history covering a past one"
        )

    grid = series.grid[prediction.intervals]
    frames = []
    for q, queue in enumerate(series.queues):
        base = prediction.baseline[q]
        mult = prediction.uplift[q]
        frames.append(
            pd.DataFrame(
                {
                    "ds": grid,
                    "queue": queue,
                    "yhat": base * mult,
                    "baseline": base,
                    # the public convention (calendars/uplift.py): the extra volume, 0.8 = +80 %
                    "uplift": mult - 1.0,
                    "events": prediction.names,
                    "yhat_lo": band["yhat_lo"][q],
                    "yhat_hi": band["yhat_hi"][q],
                    "yhat_lo95": band["yhat_lo95"][q],
                    "yhat_hi95": band["yhat_hi95"][q],
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True).loc[:, list(FORECAST_COLUMNS)]
    frame["ds"] = frame["ds"].astype("datetime64[ns, UTC]")
    frame["queue"] = frame["queue"].astype(str)
    frame["events"] = frame["events"].astype(str)
    uplifts = pd.DataFrame(prediction.uplift_rows, columns=list(UPLIFT_COLUMNS))
    for column in ("multiplier", "before", "after"):
        uplifts[column] = uplifts[column].astype(float)
    uplifts["occurrences"] = uplifts["occurrences"].astype(int)
    return ForecastResult(
        frame=frame, uplifts=uplifts, warnings=tuple(warnings), outage_days=outage_days,
        special_days=tuple(prediction.special),
    )  # fmt: skip


def detect_outage_days(
    history: pd.DataFrame,
    tz: str,
    *,
    events: pd.DataFrame | None = None,
) -> tuple[dt.date, ...]:
    """Local dates whose volume (all queues) looks like an outage.

    A day is an outage when its total is below 20% of the median total of the
    same weekday within 4 weeks either side (at least 2 such days needed), or
    when it has a run of intervals without a single contact where the same
    weekday around it normally has at least 20 contacts and 10% of its volume
    (the phone system was down for the afternoon). Days touched by an event
    (or its day before/after) are neither judged nor used as references: a
    closed holiday is an event, not an outage.
    """
    zone(tz)
    check_history_columns(history, "history")
    ds = utc_column(history["ds"], "history", "ds")
    if len(ds) == 0:
        return ()
    interval = guess_interval(pd.DatetimeIndex(ds))
    series = Series.build(history, tz=tz, interval_minutes=interval, source="history")
    state = CalendarState.prepare(series, validate_events(events, tz), len(series.dates))
    return tuple(d.astype(object) for d in series.dates[state.outage])


__all__ = (
    "DEFAULT_SETTINGS",
    "FORECAST_COLUMNS",
    "ForecastResult",
    "ModelOptions",
    "ModelSettings",
    "UPLIFT_COLUMNS",
    "detect_outage_days",
    "forecast",
)
