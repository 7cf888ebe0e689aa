"""The fitted model: level x weekday total x weekday intraday shape, plus the learned effects.

The *weekday total* is the mean daily volume of the last ``baseline_weeks``
normal days of that weekday, with the weekdays' shares of the week read from
the last ``weekday_profile_weeks`` (:func:`rescaled_profile`); the *shape* is
each slot's share of the day over the same days, per weekday and queue, or
over only the last ``shape_short_weeks`` of them where that short window drew
the hours of the weekday's recent days better (:func:`shape_windows`: a bank
that reopens after sundown on Saturday, whose reopening moves with sunset and
jumps an hour with DST), pooled with the weekdays whose hours are the same
(:func:`pooled_shapes`). Normal days whose hours lie far from their
weekday's are left out first (:mod:`forecasts.unusual_days`). The *level* corrects the weekday totals for the last ``level_days``'
drift, damped by ``level_damping``. With a flat history the baseline is
exactly the 8-normal-weeks slot average.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from forecasts.dayprofiles import DayProfiles, learn_day_profiles
from forecasts.effects import Effect, learn_effects
from forecasts.events import CalendarState
from forecasts.monthcycle import cycle_factors, learn_month_cycle
from forecasts.series import Series
from forecasts.settings import ModelSettings
from forecasts.unusual_days import unusual_days


@dataclass(frozen=True, slots=True, kw_only=True)
class Fit:
    level: np.ndarray  # (Q,)
    day_mean: np.ndarray  # (Q, 7)
    shape: np.ndarray  # (Q, 7, S)
    used: list[int]
    effects: dict[tuple[str, int | str], Effect]  # (category, offset) of all-day events; (category, TIMED) for timed
    day_noise: np.ndarray  # (Q,) sd of log(actual / expected) over normal days: ordinary day-to-day variation
    profiles: DayProfiles  # holidays, eves, bridge days, holiday periods (forecasts.dayprofiles)
    month_factor: np.ndarray  # (Q, N_PHASES) day-of-month cycle (forecasts.monthcycle), ones where none
    unusual: np.ndarray  # (D,) normal days left out as unusual (forecasts.unusual_days)


def fit_model(series: Series, state: CalendarState, cutoff: int, weeks: int, settings: ModelSettings) -> Fit:
    normal = state.normal(series, cutoff)
    n_q, _, n_s = series.cube.shape
    # days whose hours lie far from their weekday's (an election day's morning rush, a one-hour flood) would move the
    # shape, the totals and the level of the weeks after them: left out (forecasts.unusual_days)
    unusual = unusual_days(
        series.cube.sum(axis=0), series.weekday, normal, settings.unusual_hours_spread, settings.effect_window_days
    )
    normal = normal & ~unusual
    counts = np.zeros((n_q, 7, n_s))
    used: list[int] = []
    level_days: list[np.ndarray] = []
    shape_weeks = settings.shape_weeks or weeks
    for w in range(7):
        idx = np.flatnonzero(normal & (series.weekday == w))
        level_idx = idx[-weeks:]
        used.append(len(level_idx))
        level_days.append(level_idx)
        if len(level_idx) == 0:
            continue
        windows = shape_windows(series.cube[:, idx, :], (shape_weeks, settings.shape_short_weeks), weeks)
        for q, window in enumerate(windows):
            counts[q, w] = series.cube[q, idx[-window:], :].sum(axis=0)
    shape = pooled_shapes(counts, settings.shape_pool_level)
    day_mean = _weekday_means(series.totals, level_days)
    expected_total = expected_totals(series, normal, day_mean, settings.effect_window_days)
    month_factor = learn_month_cycle(series.totals, expected_total, normal, series.dates, settings)
    cycle = cycle_factors(month_factor, series.dates, state.types.kind)  # (Q, D): ones where no cycle applies
    if (month_factor != 1.0).any():
        # weekday totals and the recent drift are measured on the days with the cycle taken out, so a window
        # that happens to hold more month-ends than month-starts does not read as a lower level
        day_mean = _weekday_means(series.totals / cycle, level_days)
        expected_total = expected_totals(series, normal, day_mean, settings.effect_window_days) * cycle

    if settings.weekday_profile_weeks > weeks:
        # each weekday's share of the week from twice as many weeks (the weekly pattern moves slowly; 8 days of a
        # weekday carry their own noise), scaled so the last `weeks` weeks keep their volume
        long_days = [
            np.flatnonzero(normal & (series.weekday == w))[-settings.weekday_profile_weeks :] for w in range(7)
        ]
        day_mean = rescaled_profile(_weekday_means(series.totals / cycle, long_days), day_mean, level_days)
        expected_total = expected_totals(series, normal, day_mean, settings.effect_window_days) * cycle

    recent = normal & (np.arange(len(series.dates)) >= cutoff - settings.level_days)
    expected_recent = (day_mean[:, series.weekday[recent]] * cycle[:, recent]).sum(axis=1)
    actual_recent = series.totals[:, recent].sum(axis=1)
    drift = np.divide(actual_recent, expected_recent, out=np.ones(n_q), where=expected_recent > 0)
    level = 1.0 + settings.level_damping * (drift - 1.0)

    effects = learn_effects(series, state, cutoff, expected_total, shape, settings)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log((series.totals[:, normal] + 0.5) / (expected_total[:, normal] + 0.5))
    day_noise = log_ratio.std(axis=1, ddof=1) if log_ratio.shape[1] >= 3 else np.full(n_q, np.inf)
    profiles = learn_day_profiles(series, state, cutoff, expected_total, day_mean, shape, day_noise, settings)
    return Fit(
        level=level, day_mean=day_mean, shape=shape, used=used, effects=effects, day_noise=day_noise,
        profiles=profiles, month_factor=month_factor, unusual=unusual,
    )  # fmt: skip


def shape_windows(days: np.ndarray, candidates: tuple[int, ...], checks: int) -> np.ndarray:
    """Per queue, how many recent normal days of a weekday its intraday shape is averaged over, (Q,).

    ``days`` (Q, n, S) are the weekday's normal days in date order. Each
    candidate window (the first is the default and wins ties) draws the hours
    of each of the last ``checks`` days from the days just before it; another
    window than the default is used where its shape missed fewer contacts
    (sum of |actual - the day's total x shape| over those days) and also had
    the smaller squared errors in units of Poisson noise (a queue with a few
    contacts a day would otherwise take a spiky two-day shape whose empty
    slots happen to match). Where the hours move from week to week
    (a bank that reopens after sundown on Saturday: sunset and a DST change
    move it by an hour within two months) the short window wins; where they
    stay put, Poisson noise makes the long one win.
    """
    n_q, n = days.shape[:2]
    longest = max(candidates)
    checked = range(max(longest, n - checks), n)
    if len(checked) < 2:
        return np.full(n_q, candidates[0])
    running = np.concatenate([np.zeros_like(days[:, :1]), np.cumsum(days, axis=1)], axis=1)
    actual = days[:, checked, :]  # (Q, C, S)
    drawn = []  # each candidate's hours of the checked days, given their totals
    for k in candidates:
        window = np.stack([running[:, j, :] - running[:, j - k, :] for j in checked], axis=1)
        total = window.sum(axis=2, keepdims=True)
        share = np.divide(window, total, out=np.zeros_like(window), where=total > 0)
        drawn.append(actual.sum(axis=2, keepdims=True) * share)
    missed = np.stack([np.abs(actual - mu).sum(axis=(1, 2)) for mu in drawn], axis=1)
    # contacts missed reward a spiky shape whose zeros happen to match a sparse queue's empty slots; squared errors
    # in units of Poisson noise do not: a window other than the default must win on both
    noise = drawn[0] + 1.0
    squared = np.stack([((actual - mu) ** 2 / noise).sum(axis=(1, 2)) for mu in drawn], axis=1)
    by_missed, by_squared = np.argmin(missed, axis=1), np.argmin(squared, axis=1)
    return np.asarray(candidates)[np.where(by_missed == by_squared, by_missed, 0)]


def pooled_shapes(counts: np.ndarray, level: float) -> np.ndarray:
    """(Q, 7, S) intraday shape of each weekday, pooled with the weekdays whose hours do not differ beyond noise.

    ``counts`` (Q, 7, S) are the contacts per slot over each weekday's shape
    window. A weekday's shape is the pooled shape of itself and every weekday
    whose slot counts a chi-square test of homogeneity cannot tell from its own
    at ``level`` (:func:`alike_weekdays`). Contacts are Poisson, so with a few
    thousand a day any real difference in the hours rejects and the weekday
    keeps its own shape (a bank's Friday and Saturday, and on the Technion
    nearly every weekday); a team whose weekdays share their hours averages
    them over several times as many days, and Poisson noise in its shape falls
    by as much. ``level`` 1 (or more) pools nothing.
    """
    n_q, _, n_s = counts.shape
    shape = np.zeros_like(counts)
    for q in range(n_q):
        total = counts[q].sum(axis=1)
        alike = alike_weekdays(counts[q], level)
        for w in range(7):
            pooled = counts[q, alike[w]].sum(axis=0)
            size = float(pooled.sum())
            shape[q, w] = pooled / size if size > 0 and total[w] > 0 else 0.0
    return shape


def alike_weekdays(counts: np.ndarray, level: float) -> np.ndarray:
    """(7, 7) which weekdays' slot counts (7, S) a chi-square test of homogeneity at ``level`` does not separate."""
    alike = np.eye(7, dtype=bool)
    if level >= 1.0:
        return alike
    total = counts.sum(axis=1)
    z = NormalDist().inv_cdf(level)
    for w in range(7):
        for v in range(w + 1, 7):
            if total[w] <= 0 or total[v] <= 0:
                continue
            both = counts[w] + counts[v]
            busy = both > 0
            dof = int(busy.sum()) - 1
            if dof < 1:
                continue
            share = np.array([total[w], total[v]])[:, None] / (total[w] + total[v])
            expected = share * both[busy][None, :]
            stat = float(((counts[[w, v]][:, busy] - expected) ** 2 / expected).sum())
            # Wilson-Hilferty: the chi-square quantile within 1% from 3 degrees of freedom (no scipy here)
            c = 2.0 / (9.0 * dof)
            alike[w, v] = alike[v, w] = stat <= dof * (1.0 - c + z * np.sqrt(c)) ** 3
    return alike


def rescaled_profile(long: np.ndarray, short: np.ndarray, days: list[np.ndarray]) -> np.ndarray:
    """(Q, 7) weekday means with the long window's weekly pattern and the short window's volume.

    ``long`` and ``short`` (Q, 7) are the weekday means over many and over the
    last ``baseline_weeks`` normal weeks; ``days`` the short window's days per
    weekday. The result is ``long`` scaled per queue so that, over the short
    window's days, it adds up to what ``short`` does: the level stays the
    recent one, only the weekdays' shares come from the longer history. A
    weekday only the short window has (none in the long one) keeps its mean.
    """
    n = np.array([len(d) for d in days], dtype=float)
    seen = long > 0
    base = (long * n).sum(axis=1)
    scale = np.divide(((short * seen) * n).sum(axis=1), base, out=np.ones(long.shape[0]), where=base > 0)
    return np.where(seen, long * scale[:, None], short)


def _weekday_means(totals: np.ndarray, days: list[np.ndarray]) -> np.ndarray:
    """(Q, 7) mean daily volume over the given days of each weekday (0 where a weekday has none)."""
    out = np.zeros((totals.shape[0], 7))
    for w, idx in enumerate(days):
        if len(idx):
            out[:, w] = totals[:, idx].mean(axis=1)
    return out


def expected_totals(series: Series, normal: np.ndarray, day_mean: np.ndarray, window: int) -> np.ndarray:
    """(Q, D) volume a date would have had as a normal day: mean of normal same weekdays within +-window days."""
    n_q, n_d = series.totals.shape
    sums = np.zeros((n_q, n_d))
    counts = np.zeros(n_d)
    masked = series.totals * normal
    for k in range(1, window // 7 + 1):
        shift = 7 * k
        if shift >= n_d:
            break
        sums[:, shift:] += masked[:, :-shift]
        counts[shift:] += normal[:-shift]
        sums[:, :-shift] += masked[:, shift:]
        counts[:-shift] += normal[shift:]
    fallback = day_mean[:, series.weekday]
    return np.where(counts > 0, sums / np.maximum(counts, 1), fallback)
