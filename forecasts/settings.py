"""Knobs of the forecast model and the few limits every part of it shares."""

from __future__ import annotations

from dataclasses import dataclass

from forecasts.daytypes import NO_SPECIAL_DAYS, SpecialDays

MIN_NORMAL_OCCURRENCES = 2  # normal days of a weekday needed to forecast it (and to judge an outage)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelSettings:
    """Knobs of the model; the defaults are the ones the README's figures were measured with.

    They were chosen on origins January-March 1999 of the Technion data and
    then scored on April-June (``benchmarks/forecast_technion.py``).
    """

    level_days: int = 28  # recent normal days whose volume sets the level
    level_damping: float = 0.5  # share of the recent drift applied (0 = none, 1 = all)
    # each weekday's share of the week from this many normal weeks (twice baseline_weeks), rescaled to the volume of
    # the last baseline_weeks ones; baseline_weeks or fewer: the weekday means of the last baseline_weeks alone
    weekday_profile_weeks: int = 16
    shape_weeks: int | None = None  # normal days per weekday for the intraday shape (None: baseline_weeks)
    # ... or only this many, for a weekday whose recent days' hours the short window drew better (baseline.py)
    shape_short_weeks: int = 2
    shape_pool_level: float = 0.95  # weekdays whose hours a chi-square test at this level cannot tell apart pool them
    effect_window_days: int = 28  # expected volume of a past event day: normal same weekdays within +-this
    shape_prior_contacts: float = 10.0  # per-slot effect shrunk to the daily ratio with at least this many contacts
    shape_min_variation: float = 0.15  # an effect's per-slot ratios varying less than this (relative) are flat
    side_effect_min: float = 0.05  # day-before/after effects within this of x1 (log) are none
    side_effect_z: float = 2.0  # ... or within this many standard errors of ordinary day-to-day variation
    calibration_weeks: int = 8  # weekly origins of the internal backtest that calibrates the intervals
    effect_log_sd: float = 0.5  # spread of an effect seen once (or stated), log scale
    # special days (forecasts.dayprofiles); fixed by reasoning, not fitted:
    prior_occurrences: float = 1.0  # a holiday seen n times is shrunk to its group with this many pseudo-occurrences
    group_agreement: float = 0.5  # past holidays agree when their daily ratios lie within this of each other ...
    group_majority: float = 0.75  # ... all of them up to 3, at least this share of them beyond (dayprofiles.py)
    special_calibration_weeks: int = 52  # past special days within this many weeks calibrate their bands
    mix_prior_sd: float = 0.25  # prior uncertainty of a special day's share of an ordinary (or rest) day
    unseen_log_sd: float = 1.0  # spread of a holiday forecast as an ordinary day (never seen, group disagrees)
    # the day-of-month cycle (forecasts.monthcycle); fixed by reasoning, not fitted:
    month_cycle_min_months: int = 2  # calendar months behind every phase before a cycle can be learned
    # unusual days (forecasts.unusual_days): a normal day whose hours lie this many times further from its weekday's
    # shape than the weekday's typical day is left out of the baseline (chosen on the early origins, as above)
    unusual_hours_spread: float = 10.0


DEFAULT_SETTINGS = ModelSettings()


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelOptions:
    """Everything a forecast or a backtest runs with besides its data and its dates.

    One object that the entry points (:func:`forecasts.forecast.forecast`,
    :func:`forecasts.backtest.backtest`, :mod:`forecasts.runs`) and
    ``scheduler.pipeline`` pass along, so an option is added in one place.
    """

    tz: str  # the team's IANA timezone
    interval_minutes: int  # interval length; the history must be on this grid
    baseline_weeks: int = 8  # normal same-weekday days averaged for the baseline
    source: str = "history"  # name of the history input for messages (e.g. ``tickets.csv``)
    settings: ModelSettings = DEFAULT_SETTINGS  # model knobs (the defaults are the measured ones)
    # what the team declared about its holidays and its own special days (forecasts.daytypes.parse_special_days)
    special: SpecialDays = NO_SPECIAL_DAYS
