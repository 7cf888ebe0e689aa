"""The day-of-month cycle: busier at the start of a month, quieter at its end.

Banks, billing and payroll support see volume follow the month (salaries and
statements at its start, a lull before its end) on top of the weekly rhythm.
The baseline's weekday totals average over a month or two, so they cannot
show it. The month is cut into :data:`N_PHASES` phases of :data:`PHASE_DAYS`
days (days 1-5, 6-10, ..., 26 to the end), and each phase gets a multiplier
per queue learned from the normal days before the cutoff:

* each normal day gives ``log(actual / expected)``, ``expected`` being the
  mean of the normal same weekdays within four weeks either side (a local,
  month-averaged level, as for calendar effects);
* the days of one phase in one calendar month are averaged into one value,
  each day weighted by the inverse of its variance (Poisson noise of its
  count plus the day-to-day variation of busy days: a quiet weekday of a few
  contacts counts for little); the month, not the day, is the unit of
  evidence (the days of one week share whatever moved that week);
* a phase's effect is the mean over months, centred so the phases average to
  no change; it is used only when the phases differ by more than the
  month-to-month noise says they could by chance (a chi-square test at 95%
  over all phases at once, so six chances to be lucky do not add up; the
  noise is the residuals' of a month + phase model, never less than the
  median variance a cell's days give its mean on their own: a few months of
  residuals underestimate it often enough to pass a cycle out of noise) and
  with at least :attr:`~forecasts.settings.ModelSettings.month_cycle_min_months`
  months behind every phase; the effects are then shrunk towards none by
  empirical Bayes (``tau^2 / (tau^2 + se^2)``).

The cycle is applied to ordinary and sale days only. Holidays, eves, bridge
days, days inside a holiday period and the days after a holiday are measured
and forecast against the month-averaged level, as without a cycle: they are
learned from a handful of days that each fall in one phase (Passover always
early in the month), so a phase factor would only move their learned shares
about. (Technion, holiday+eve 78.9 -> 74.0 and after days 32.2 -> 29.8 with
them left out; the early origins that chose the settings gain too.)

A team with no such cycle, or with too little history, gets a multiplier of
exactly 1 everywhere. Nothing here is fitted to a series: the phase length is
a working week, the test level the usual 95%.
"""

from __future__ import annotations

import numpy as np

from forecasts.daytypes import AFTER, PROFILED
from forecasts.settings import ModelSettings

PHASE_DAYS = 5
N_PHASES = 6
# 95% quantile of the chi-square distribution with N_PHASES - 1 degrees of freedom (the phases are centred)
CHI2_95 = 11.0705
OFF_CYCLE = (*PROFILED, AFTER)
"""Day types the cycle does not apply to (see the module docstring)."""


def month_phase(dates: np.ndarray) -> np.ndarray:
    """Phase of each date (``datetime64[D]``) in its month: 0 for days 1-5 ... 5 for days 26 to the end."""
    day = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    return np.minimum((day - 1) // PHASE_DAYS, N_PHASES - 1)


def cycle_factors(month_factor: np.ndarray, dates: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """(Q, n) multiplier of each date: its phase's factor, 1 on special days and days after a holiday.

    Args:
        month_factor: (Q, N_PHASES) from :func:`learn_month_cycle`.
        dates: (n,) ``datetime64[D]`` dates.
        kind: (n,) their day types (:data:`forecasts.daytypes.DAY_TYPES` codes).
    """
    factor = month_factor[:, month_phase(dates)]
    return np.where(np.isin(kind, OFF_CYCLE)[None, :], 1.0, factor)


def learn_month_cycle(
    totals: np.ndarray,
    expected_total: np.ndarray,
    normal: np.ndarray,
    dates: np.ndarray,
    settings: ModelSettings,
) -> np.ndarray:
    """Multiplier per queue and month phase, (Q, N_PHASES); ones where no cycle is shown.

    Args:
        totals: (Q, D) daily volumes.
        expected_total: (Q, D) what each date would have had as a normal day.
        normal: (D,) the normal days that may be learned from (before the cutoff).
        dates: (D,) ``datetime64[D]`` dates.
        settings: ``month_cycle_min_months``.
    """
    n_q = totals.shape[0]
    factor = np.ones((n_q, N_PHASES))
    idx = np.flatnonzero(normal)
    if len(idx) == 0:
        return factor
    phase = month_phase(dates[idx])
    month = dates[idx].astype("datetime64[M]").astype(int)
    months = np.unique(month)
    if len(months) < settings.month_cycle_min_months:
        return factor
    for q in range(n_q):
        busy = expected_total[q, idx] >= 1.0
        if not busy.any():
            continue
        log_ratio = np.log((totals[q, idx] + 0.5) / (expected_total[q, idx] + 0.5))
        weight = _precision(log_ratio[busy], expected_total[q, idx][busy])
        cells = np.full((len(months), N_PHASES), np.nan)  # mean log ratio per calendar month and phase
        cell_var = np.full((len(months), N_PHASES), np.nan)  # ... and its variance by its days' own noise
        for i, m in enumerate(months):
            for p in range(N_PHASES):
                hit = (month[busy] == m) & (phase[busy] == p)
                if hit.any():
                    cells[i, p] = float(np.average(log_ratio[busy][hit], weights=weight[hit]))
                    cell_var[i, p] = 1.0 / float(weight[hit].sum())
        keep = ~np.isnan(cells).all(axis=1)
        cells, cell_var = cells[keep], cell_var[keep]
        seen = (~np.isnan(cells)).sum(axis=0)
        if seen.min() < max(settings.month_cycle_min_months, 1):
            continue
        effect, residual = _two_way(cells)
        dof = int(seen.sum() - len(cells) - N_PHASES + 1)
        if dof < 2:
            continue
        # month-to-month noise of one phase's mean, pooled (a noise-free history: any cycle is certain)
        # ... never below what a cell's own days say its mean varies by: with a few months the residuals have a
        # few degrees of freedom and now and then come out small by chance, which passed a cycle out of noise in
        # one short history in seven (docs/forecast-history.md, "Eleventh pass")
        variance = max(float(np.nansum(residual**2)) / dof, float(np.nanmedian(cell_var)), 1e-12)
        se2 = variance / seen
        effect = effect - float(np.average(effect, weights=seen))
        if float((effect**2 / se2).sum()) < CHI2_95:
            continue
        tau2 = max(float(np.mean(effect**2 - se2)), 0.0)
        factor[q] = np.exp(effect * tau2 / (tau2 + se2))
    return factor


def _precision(log_ratio: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Weight of each day's log ratio in its month and phase: the inverse of its variance.

    A day's ``log(actual / expected)`` varies by the Poisson noise of its
    count (``1 / expected``) plus what moves whole days (the day-to-day
    variation of busy days, estimated as the ratios' variance beyond the
    Poisson part). A team's busy weekdays weigh alike, as an unweighted mean
    would weigh them; a weekday of a handful of contacts (a Sunday of two
    calls, whose ratio swings by +-60%) weighs as little as it says: an
    unweighted mean let such days draw a cycle out of noise (the synthetic UK
    team's short history, see docs/forecast-history.md, "Eleventh pass").
    """
    poisson = 1.0 / (expected + 0.5)
    # the variation beyond Poisson noise, each day weighted by its volume: a few quiet days' wild ratios say
    # little about how much busy days move
    volume = expected + 0.5
    centre = float(np.average(log_ratio, weights=volume))
    between_days = max(float(np.average((log_ratio - centre) ** 2 - poisson, weights=volume)), 1e-4)
    return 1.0 / (poisson + between_days)


def _two_way(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Phase effects and residuals of ``cells ~ month + phase`` (NaN: no day), by alternating means.

    The month term takes out a month that was busy throughout (and the partial
    months at the ends of the history), so only the shape within the month
    counts as a phase effect.
    """
    seen = ~np.isnan(cells)
    month = np.zeros(cells.shape[0])
    effect = np.zeros(cells.shape[1])
    for _ in range(50):
        month = np.nanmean(cells - effect[None, :], axis=1)
        updated = np.nanmean(cells - month[:, None], axis=0)
        if np.allclose(updated, effect, atol=1e-9):
            effect = updated
            break
        effect = updated
    residual = np.where(seen, cells - month[:, None] - effect[None, :], 0.0)
    return effect, residual


__all__ = ("N_PHASES", "OFF_CYCLE", "PHASE_DAYS", "cycle_factors", "learn_month_cycle", "month_phase")
