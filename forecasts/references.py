"""Which weekday a special day looks like, and how a past one is read as a mix of two profiles.

A holiday or eve is forecast as ``a * O + b * R`` (``forecasts.dayprofiles``):
``O`` its ordinary day, ``R`` the profile of a *reference* weekday. This module
says which weekdays those are and fits ``(a, b)``:

* the *rest day* is the team's quietest weekday and the *short day* the last
  open weekday before it (:func:`reference_weekdays`); an eve looks like the
  short day;
* a holiday looks like the rest day (a bank that opens after sundown on
  Saturday opens after sundown on a holiday), unless the short day draws the
  team's past holidays better (:func:`holiday_reference`): a contact centre
  closed on Sunday that works its holidays with Saturday hours. A holiday on
  the rest day or the short day is that day whether the team closes or works
  it, and does not take part in the choice.
"""

from __future__ import annotations

import numpy as np

from forecasts.daytypes import HOLIDAY
from forecasts.events import CalendarState
from forecasts.series import Series


def reference_weekdays(day_mean: np.ndarray, open_weekday: np.ndarray) -> tuple[int, int, int | None]:
    """The rest day (quietest weekday over all queues), the last open weekday before it, a closed-run start."""
    totals = day_mean.sum(axis=0)
    rest = int(np.argmin(np.where(totals > 0, totals, np.inf))) if (totals > 0).any() else 6
    pre = (rest - 1) % 7
    while not open_weekday[pre] and pre != rest:
        pre = (pre - 1) % 7
    starts = [w for w in range(7) if not open_weekday[w] and not open_weekday[(w + 1) % 7] and w != rest]
    return rest, pre, (starts[0] if starts else None)


def mix_weights(actual: np.ndarray, ordinary: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative ``(a, b)`` per queue with ``actual ~ a * ordinary + b * reference`` over the slots.

    Weighted least squares with Poisson weights ``1 / (ordinary + reference + 1)``.
    Where the two profiles are nearly proportional (cosine above 0.98) only
    ``a`` is fitted: the split would be arbitrary.
    """
    n_q = actual.shape[0]
    a = np.zeros(n_q)
    b = np.zeros(n_q)
    for q in range(n_q):
        y, o, r = actual[q], ordinary[q], reference[q]
        w = 1.0 / (o + r + 1.0)
        oo, rr, orr = float((w * o * o).sum()), float((w * r * r).sum()), float((w * o * r).sum())
        oy, ry = float((w * o * y).sum()), float((w * r * y).sum())
        single_a = oy / oo if oo > 0 else 0.0
        if rr <= 0 or oo <= 0 or orr / np.sqrt(oo * rr) > 0.98:
            a[q] = max(single_a, 0.0)
            continue
        det = oo * rr - orr * orr
        a_q, b_q = (rr * oy - orr * ry) / det, (oo * ry - orr * oy) / det
        if a_q < 0:
            a_q, b_q = 0.0, max(ry / rr, 0.0)
        elif b_q < 0:
            a_q, b_q = max(single_a, 0.0), 0.0
        a[q], b[q] = a_q, b_q
    return a, b


def reference_profile(
    series: Series, d: int, ref: int | None, expected_total: np.ndarray, day_mean: np.ndarray, shape: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The ordinary day ``O`` of past date ``d`` and its reference day ``R`` (weekday ``ref``), (Q, S) each.

    ``R`` is the reference weekday's profile at the date's level (the ordinary
    day's expected total over its weekday's mean); with no reference, or on the
    reference weekday itself, it is ``O``.
    """
    w = int(series.weekday[d])
    ordinary = expected_total[:, d, None] * shape[:, w, :] * series.exists[d][None, :]
    if ref is None or ref == w:
        return ordinary, ordinary
    scale = np.divide(expected_total[:, d], day_mean[:, w], out=np.ones(len(series.queues)), where=day_mean[:, w] > 0)
    return ordinary, (scale * day_mean[:, ref])[:, None] * shape[:, ref, :] * series.exists[d][None, :]


def holiday_reference(
    series: Series,
    state: CalendarState,
    usable: np.ndarray,
    expected_total: np.ndarray,
    day_mean: np.ndarray,
    shape: np.ndarray,
    weekdays: tuple[int, int, int | None],
    z: float,
) -> int:
    """The weekday a holiday looks like: the rest day, or the short day where it draws past holidays better.

    ``weekdays`` = (rest day, short day, closed-run start) as
    :func:`reference_weekdays` gives them. Two readings of the team's past
    holidays (``usable``: a date mask) are compared: the rest day's (a holiday
    followed by another closed day takes the closed run's start, or no
    reference where the team has none) and the short day's (every holiday: the
    short day is itself followed by a closed or rest day, so it draws one that
    does not reopen). Each past holiday on neither weekday is read as a mix of
    its ordinary day with each (:func:`mix_weights`, two shares either way) and
    the reading with the smaller total Poisson deviance wins; on a tie, or with
    no such holiday, the rest day (the chain's fallback). A team closed on its
    holidays draws them as its closed rest day; one that works them with
    Saturday hours, as its Saturday. Returns the rest day or the short day.
    """
    rest, short, run_start = weekdays
    if short == rest:
        return rest
    gains: list[np.ndarray] = []  # per slot: the rest day's reading's deviance less the short day's
    for d in np.flatnonzero(usable):
        w = int(series.weekday[d])
        chain = run_start if state.types.closed_next[d] else rest
        if state.types.kind[d] != HOLIDAY or w in (rest, short) or w == chain:
            continue
        actual = series.cube[:, d, :]
        deviance = []
        for ref in (chain, short):
            ordinary, reference = reference_profile(series, int(d), ref, expected_total, day_mean, shape)
            if ref is None:
                reference = np.zeros_like(ordinary)
            a, b = mix_weights(actual, ordinary, reference)
            deviance.append(poisson_deviance(actual, a[:, None] * ordinary + b[:, None] * reference))
        gains.append((deviance[0] - deviance[1])[:, series.exists[d]].ravel())
    gain = np.concatenate(gains) if gains else np.zeros(0)
    if len(gain) < 2 or float(gain.sum()) <= 0:
        return rest
    error = float(gain.std(ddof=1)) * np.sqrt(len(gain))
    return short if float(gain.sum()) > z * error else rest


POISSON_FLOOR = 1 / 16
"""A fitted hour below half a contact counts as half a contact in :func:`poisson_deviance` (an hour fitted empty that
had a contact is a poor fit, not an infinitely poor one)."""


def poisson_deviance(actual: np.ndarray, fitted: np.ndarray) -> np.ndarray:
    """Poisson deviance of every count of ``actual`` around ``fitted`` (same shape, elementwise)."""
    mu = np.maximum(fitted, POISSON_FLOOR)
    term = np.where(actual > 0, actual * np.log(np.where(actual > 0, actual, 1.0) / mu), 0.0)
    return 2.0 * (term - (actual - mu))


__all__ = ("holiday_reference", "mix_weights", "poisson_deviance", "reference_profile", "reference_weekdays")
