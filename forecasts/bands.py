"""P80/P95 bands calibrated on a rolling backtest of the model on the history itself.

The model is refitted at each of the last ``calibration_weeks`` weekly origins
before the start; its errors on normal days give the over-dispersion of the
counts (variance ``yhat + phi^2 yhat^2``) and the empirical quantiles of the
standardised errors. On event days the spread of the effect over its past
occurrences widens the band (``phi^2 + psi^2``).

Holidays, eves, bridge days and holiday periods get their own calibration:
the model is refitted at the weekly origin just before each past special day
(within ``special_calibration_weeks``) and the errors it made on those days,
learning curve included, give the over-dispersion, the weight of the shares'
uncertainty and the quantiles of each day type (all special days pooled where
a type has fewer than ``_MIN_CALIBRATION_POINTS`` intervals; ``phi^2 + psi^2``
where even the pool is that small). Only the days the model *priced* as
special days count, and only those it sets the band of: a holiday it forecast
as an ordinary day (never seen, the group disagreeing) misses by a whole
closed day, which says nothing about how far a holiday priced from its past
occurrences misses; such a day keeps the ordinary calibration with its wide
``unseen_log_sd`` spread. Special days with hours the export lost
(:attr:`forecasts.dayprofiles.DayProfiles.lost`) are left out, as outages are
from the calibration of normal days.

The variance of a special day's interval is ``yhat + phi^2 yhat^2 + w *
extra``: ``extra`` is the variance of its shares ``(sd_a * ordinary)^2 +
(sd_b * reference)^2`` (a prior: one pseudo-occurrence at ``mix_prior_sd``),
and ``phi^2, w >= 0`` are fitted to the squared errors by least squares, so
the residuals say how much of that prior width the day type needs. The
quantiles of a special day are read apart for hours whose P80 starts at 0
whatever the errors (a closed day's fraction of a contact) and for the others
(:func:`by_floor`): in one pool the busy hours took every miss of the lower
tail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from forecasts.baseline import Fit, fit_model
from forecasts.daytypes import NO_SPECIAL_DAYS, PROFILED, SpecialDays
from forecasts.events import CalendarState
from forecasts.predict import Prediction, predict
from forecasts.series import Series
from forecasts.settings import MIN_NORMAL_OCCURRENCES, ModelOptions, ModelSettings

P80 = (0.10, 0.90)
P95 = (0.025, 0.975)
_NORMAL_QUANTILES = {0.10: -1.2816, 0.90: 1.2816, 0.025: -1.96, 0.975: 1.96}
_MIN_CALIBRATION_POINTS = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class Calibration:
    phi2: float  # over-dispersion: variance = yhat + phi2 * yhat^2 (+ share_weight * the shares' variance)
    quantiles: dict[float, float]  # standardised-error quantiles
    points: int  # intervals the calibration saw
    by_type: dict[int, Calibration] = field(default_factory=dict)  # day type code -> its own calibration
    share_weight: float = 1.0  # weight of a special day's share variance (extra_var) in the variance
    counts: bool = False  # the band's lower end reaches the Poisson quantile of its forecast (special days)
    few: dict[float, float] | None = None  # quantiles of the hours whose P80 lower end is 0 anyway (zero_floor)


def calibrate(
    series: Series,
    state: CalendarState,
    cutoff: int,
    horizon: int,
    weeks: int,
    settings: ModelSettings,
    special: SpecialDays = NO_SPECIAL_DAYS,
    *,
    lost: tuple[int, ...] = (),
) -> Calibration:
    """Errors of the model refitted at the last ``calibration_weeks`` weekly origins before ``cutoff``."""
    ys: list[np.ndarray] = []
    yhats: list[np.ndarray] = []
    fits = _FitCache(series, state, weeks, settings)
    for k in range(1, settings.calibration_weeks + 1):
        origin = cutoff - 7 * k
        if origin <= 0:
            break
        fit = fits.at(origin)
        if min(fit.used) < MIN_NORMAL_OCCURRENCES:
            break
        target = np.arange(origin, min(origin + horizon, cutoff))
        target = target[series.present[target] & ~state.outage[target] & ~state.touched[target]]
        if len(target) == 0:
            continue
        prediction = predict(series, state, fit, target, settings)
        yhats.append((prediction.baseline * prediction.uplift).ravel())
        ys.append(series.y[:, prediction.intervals].ravel())
    y = np.concatenate(ys) if ys else np.zeros(0)
    normal = calibration_from_errors(y, np.concatenate(yhats) if yhats else np.zeros(0))
    by_type = _special_calibration(series, state, cutoff, settings, special, lost, fits)
    return Calibration(phi2=normal.phi2, quantiles=normal.quantiles, points=normal.points, by_type=by_type)


class _FitCache:
    """The model refitted at weekly origins of one calibration, each origin fitted once.

    The origins of the special days' calibration are weekly origins before the
    cutoff too, so they mostly repeat those of the normal days'; a fit depends
    only on the origin here (same history, calendar, window and settings).
    """

    def __init__(self, series: Series, state: CalendarState, weeks: int, settings: ModelSettings) -> None:
        self._args = (series, state)
        self._weeks = weeks
        self._settings = settings
        self._fits: dict[int, Fit] = {}

    def at(self, origin: int) -> Fit:
        if origin not in self._fits:
            self._fits[origin] = fit_model(*self._args, origin, self._weeks, self._settings)
        return self._fits[origin]


def _special_calibration(
    series: Series,
    state: CalendarState,
    cutoff: int,
    settings: ModelSettings,
    special: SpecialDays,
    lost: tuple[int, ...],
    fits: _FitCache,
) -> dict[int, Calibration]:
    """Per day type, the errors on past special days forecast from the weekly origin before each."""
    return calibrations_by_type(special_errors(series, state, cutoff, settings, special, lost, fits))


SpecialErrors = dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]
"""Per day type code: actuals, forecasts and share variances of the priced intervals of past special days."""

_NO_ERRORS = (np.zeros(0), np.zeros(0), np.zeros(0))


def special_errors(
    series: Series,
    state: CalendarState,
    cutoff: int,
    settings: ModelSettings,
    special: SpecialDays,
    lost: tuple[int, ...],
    fits: _FitCache,
) -> SpecialErrors:
    """The model's errors on past special days, each forecast from the weekly origin before it, per day type."""
    kinds = state.types.kind
    by_origin: dict[int, list[int]] = {}
    for d in special_calibration_days(series, state, cutoff, settings, lost):
        by_origin.setdefault(int(cutoff - 7 * -(-(cutoff - d) // 7)), []).append(int(d))
    parts: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for origin, days in sorted(by_origin.items()):
        if origin <= 0:
            continue
        fit = fits.at(origin)
        if min(fit.used) < MIN_NORMAL_OCCURRENCES:
            continue
        prediction = predict(series, state, fit, np.array(days), settings, special=special)
        kind_of = np.broadcast_to(kinds[series.interval_date[prediction.intervals]], prediction.priced.shape)
        yhat = prediction.baseline * prediction.uplift
        y = series.y[:, prediction.intervals]
        for kind in np.unique(kind_of):
            hit = (kind_of == kind) & prediction.priced
            parts.setdefault(int(kind), []).append((y[hit], yhat[hit], prediction.extra_var[hit]))
    return {kind: _joined(chunks) for kind, chunks in sorted(parts.items())}


def _joined(chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.concatenate([c[0] for c in chunks]),
        np.concatenate([c[1] for c in chunks]),
        np.concatenate([c[2] for c in chunks]),
    )


def calibrations_by_type(errors: SpecialErrors) -> dict[int, Calibration]:
    """Each profiled day type's calibration from its own errors, or from all special days' where it has few.

    The variance (``phi2``, the share weight) is the type's where it has
    ``_MIN_CALIBRATION_POINTS`` intervals, else all special days'; the
    quantiles are then read apart for the hours whose band's lower end is 0
    whatever the errors say and for the others (:func:`by_floor`), each from
    the type's own hours of that kind where it has enough, else from all
    special days' hours of that kind.
    """
    if not errors:
        return {}
    pooled_errors = _joined(list(errors.values()))
    pooled = calibration_from_errors(*pooled_errors, counts=True)
    out: dict[int, Calibration] = {}
    for kind in PROFILED:
        own_errors = errors.get(kind, _NO_ERRORS)
        own = calibration_from_errors(*own_errors, counts=True)
        chosen = own if own.points >= _MIN_CALIBRATION_POINTS else pooled
        if chosen.points >= _MIN_CALIBRATION_POINTS:
            out[kind] = by_floor(chosen, own_errors, pooled_errors)
    return out


def zero_floor(yhat: np.ndarray) -> np.ndarray:
    """Hours whose P80 cannot miss low: the Poisson 10% quantile of the forecast is 0 (under ~2.3 contacts)."""
    return poisson_quantile(yhat, P80[0]) < 1


def by_floor(
    calibration: Calibration,
    own: tuple[np.ndarray, np.ndarray, np.ndarray],
    pooled: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> Calibration:
    """``calibration`` with its quantiles read apart for hours whose P80 can fall to 0 (:func:`zero_floor`).

    Such an hour (a closed day's, a fraction of a contact forecast) cannot miss
    below its band: read with busy hours in one pool (:func:`count_quantiles`),
    the busy ones take every miss of the lower tail, and on the Technion and
    the synthetic series busy special-day hours were covered at 70-76% while
    the hours of a few contacts were at 84% (the fourteenth pass of issue 18).
    Apart, each kind of hour covers its nominal share of its own past errors,
    as far as whole counts allow (split-conformal per group, "Mondrian").
    Each group's quantiles come from ``own`` (the day type's errors) where it
    has ``_MIN_CALIBRATION_POINTS`` of that kind of hour, else from ``pooled``
    (all special days'), else they stay the calibration's single set.
    """
    quantiles: dict[bool, dict[float, float]] = {}
    floors = [zero_floor(yhat) for _y, yhat, _extra in (own, pooled)]  # once each, not once per kind of hour
    for zero in (True, False):
        for (y, yhat, extra), floor in zip((own, pooled), floors, strict=True):
            hit = (yhat > 0) & (floor == zero)
            if hit.sum() >= _MIN_CALIBRATION_POINTS:
                y, yhat, extra = y[hit], yhat[hit], extra[hit]
                sd = np.sqrt(yhat + calibration.phi2 * yhat**2 + calibration.share_weight * extra)
                quantiles[zero] = count_quantiles((y - yhat) / sd, y, yhat)
                break
    return replace(
        calibration,
        quantiles=quantiles.get(False, calibration.quantiles),
        few=quantiles.get(True, calibration.quantiles),
    )


def special_calibration_days(
    series: Series, state: CalendarState, cutoff: int, settings: ModelSettings, lost: tuple[int, ...] = ()
) -> np.ndarray:
    """Past special days (date indices) whose errors calibrate the bands of special days.

    Those within ``special_calibration_weeks`` before ``cutoff`` with data,
    except outage days and ``lost`` (special days with hours the export lost,
    which the model does not learn from either: :attr:`DayProfiles.lost`).
    """
    first = max(1, cutoff - 7 * settings.special_calibration_weeks)
    past = np.arange(first, cutoff)
    keep = series.present[past] & ~state.outage[past] & np.isin(state.types.kind[past], PROFILED)
    return past[keep & ~np.isin(past, np.asarray(lost, dtype=int))]


def calibration_from_errors(
    y: np.ndarray, yhat: np.ndarray, extra: np.ndarray | None = None, *, counts: bool = False
) -> Calibration:
    """Over-dispersion and standardised-error quantiles from paired actuals and forecasts.

    ``extra`` is variance known beforehand (a special day's share uncertainty), kept out of ``phi2``.
    ``counts``: the band's lower end reaches the Poisson quantile of its forecast (:func:`count_quantiles`).
    """
    extra = np.zeros_like(yhat) if extra is None else extra
    keep = yhat > 0
    y, yhat, extra = y[keep], yhat[keep], extra[keep]
    if len(y) < _MIN_CALIBRATION_POINTS:
        return Calibration(phi2=0.0, quantiles=dict(_NORMAL_QUANTILES), points=int(len(y)))
    resid = y - yhat
    phi2, weight = _dispersion(resid**2 - yhat, yhat**2, extra)
    z = resid / np.sqrt(yhat + phi2 * yhat**2 + weight * extra)
    if counts:
        quantiles = count_quantiles(z, y, yhat)
    else:
        quantiles = {p: float(np.quantile(z, p)) for p in sorted(_NORMAL_QUANTILES)}
    return Calibration(phi2=phi2, quantiles=quantiles, points=int(len(y)), share_weight=weight, counts=counts)


def count_quantiles(z: np.ndarray, y: np.ndarray, yhat: np.ndarray) -> dict[float, float]:
    """Standardised-error quantiles of a band whose lower end reaches the Poisson quantile of its forecast.

    A holiday the team closes is a day of hours forecast at a fraction of a
    contact: a band ``yhat +- q sd`` read as if counts were continuous starts
    above 0 at 0.8 contacts and misses the 45% of such hours that have none,
    while busy hours are missed less; the pooled quantiles cover 80% of the
    calibration's hours but not of a closed day's. So the lower end is the
    further of ``yhat + q sd`` and the Poisson quantile of the forecast
    (:func:`poisson_quantile`: 0 wherever a count of 0 is likelier than the
    tail), and the quantiles are read as split-conformal calibration reads
    them, from the errors that end does not already hold: ``q_lo`` is the
    level of those errors at which all the calibration's errors miss the lower
    tail's share, or as many as can; the upper tail misses the rest of the
    band's share (``P80``: 20% in all), so the band covers its nominal share of
    the calibration's errors, hours of a few contacts and busy ones in the
    proportion they came in.
    """
    out: dict[float, float] = {}
    floor = poisson_quantiles(yhat, COUNT_ENDS)
    for low, high in (P80, P95):
        below = z[y < floor[low]]  # only these can fall below the band, whatever q_lo is
        if len(below) == 0:
            out[low], missed = float(np.quantile(z, low)), 0.0
        else:
            share = min(1.0, low * len(z) / len(below))
            out[low] = float(np.quantile(below, share))
            missed = float(np.mean(below < out[low])) * len(below) / len(z)
        tail = max(1.0 - high, low + 1.0 - high - missed)  # what the upper end misses: the rest of the band's share
        above = z[y > floor[high]] if high in floor else z
        if len(above) == 0:
            out[high] = float(np.quantile(z, high))
        else:
            out[high] = float(np.quantile(above, max(0.0, 1.0 - tail * len(z) / len(above))))
    return out


COUNT_ENDS = (P80[0], P95[0], P95[1])
"""Band ends that reach the Poisson quantile of the forecast on special days: both lower ends, and the P95's upper
end (P80's is left to the errors: at a fraction of a contact its Poisson quantile, 1 or 2, covers 95%)."""


_POISSON_EXACT = 60.0  # forecasts up to this many contacts get the exact Poisson quantile, beyond it the normal one
_POISSON_K = np.arange(0, 181)
_LOG_FACTORIAL = np.array([math.lgamma(k + 1.0) for k in _POISSON_K])


def poisson_quantile(mu: np.ndarray, p: float) -> np.ndarray:
    """The ``p`` quantile of a Poisson count of mean ``mu`` (the smallest ``k`` with ``P(Y <= k) >= p``), per entry."""
    return poisson_quantiles(mu, (p,))[p]


def poisson_quantiles(mu: np.ndarray, ps: tuple[float, ...]) -> dict[float, np.ndarray]:
    """:func:`poisson_quantile` at each of ``ps``, the Poisson CDF of ``mu`` computed once for all of them.

    The CDF (an exponential per entry and count) is most of the cost: count_quantiles reads three
    quantiles of the same forecasts, in every calibration of a forecast.
    """
    mu = np.asarray(mu, dtype=float)
    small = (mu > 0) & (mu <= _POISSON_EXACT)
    cdf = None
    if small.any():
        m = mu[small][:, None]
        cdf = np.cumsum(np.exp(_POISSON_K * np.log(m) - m - _LOG_FACTORIAL), axis=1)
    quantiles = {}
    for p in ps:
        out = np.floor(mu + _NORMAL_QUANTILES.get(p, 0.0) * np.sqrt(np.maximum(mu, 0.0)) + 0.5)
        if cdf is not None:
            out[small] = (cdf < p - 1e-12).sum(axis=1)
        out[mu <= 0] = 0.0
        quantiles[p] = np.maximum(out, 0.0)
    return quantiles


def _dispersion(excess: np.ndarray, square: np.ndarray, extra: np.ndarray) -> tuple[float, float]:
    """Non-negative ``(phi2, weight)`` with ``excess ~ phi2 * square + weight * extra``.

    Least squares weighted by ``1 / (square + extra)``: with no ``extra`` this is
    the moment estimate ``sum(excess) / sum(square)`` of the normal days, and
    ``weight`` stays 1 (nothing to scale).
    """
    if not (extra > 0).any():
        return max(0.0, float(excess.sum() / square.sum())), 1.0
    w = 1.0 / (square + extra)
    ss, ee, se = float((w * square * square).sum()), float((w * extra * extra).sum()), float((w * square * extra).sum())
    sy, ey = float((w * square * excess).sum()), float((w * extra * excess).sum())
    candidates = [(max(0.0, sy / ss), 0.0), (0.0, max(0.0, ey / ee))]
    det = ss * ee - se * se
    if det > 1e-12 * ss * ee:
        joint = ((ee * sy - se * ey) / det, (ss * ey - se * sy) / det)
        if min(joint) >= 0:
            candidates.append(joint)

    def loss(phi2: float, weight: float) -> float:
        return float((w * (excess - phi2 * square - weight * extra) ** 2).sum())

    return min(candidates, key=lambda c: loss(*c))


def calibrated_bands(
    series: Series,
    state: CalendarState,
    fit: Fit,
    prediction: Prediction,
    cutoff: int,
    horizon: int,
    options: ModelOptions,
) -> dict[str, np.ndarray]:
    """The prediction's bands, calibrated at the weekly origins before ``cutoff`` (the forecast and the backtest alike).

    The calibration looks at most a week ahead of each origin, as the weekly plan does.
    """
    calibration = calibrate(
        series, state, cutoff, min(horizon, 7), options.baseline_weeks, options.settings, options.special,
        lost=fit.profiles.lost,
    )  # fmt: skip
    return prediction_bands(prediction, calibration)


def prediction_bands(prediction: Prediction, calibration: Calibration) -> dict[str, np.ndarray]:
    yhat = prediction.baseline * prediction.uplift
    phi2 = np.broadcast_to(calibration.phi2 + prediction.spread**2, yhat.shape).copy()
    weight = np.ones(yhat.shape)
    quantiles = {p: np.full(yhat.shape, v) for p, v in calibration.quantiles.items()}
    counts = np.full(yhat.shape, calibration.counts)
    zero = zero_floor(yhat) if any(own.few is not None for own in calibration.by_type.values()) else None
    for kind, own in calibration.by_type.items():
        hit = (prediction.kind == kind)[None, :] & prediction.priced
        phi2[hit] = own.phi2
        weight[hit] = own.share_weight
        counts[hit] = own.counts
        for p, v in own.quantiles.items():
            quantiles[p][hit] = v
        if own.few is not None and zero is not None:
            for p, v in own.few.items():
                quantiles[p][hit & zero] = v
    sd = np.sqrt(yhat + phi2 * yhat**2 + weight * prediction.extra_var)
    # a band always holds the point forecast, even if the calibration errors all lean one way
    q = {p: np.minimum(v, 0.0) if p < 0.5 else np.maximum(v, 0.0) for p, v in quantiles.items()}

    def end(p: float) -> np.ndarray:
        # where calibrated on counts, as far out as the Poisson quantile of the forecast (count_quantiles)
        value = yhat + q[p] * sd
        if p in COUNT_ENDS:
            count = poisson_quantile(yhat, p)
            value = np.where(counts, np.minimum(value, count) if p < 0.5 else np.maximum(value, count), value)
        return np.maximum(0.0, value)

    return {"yhat_lo": end(P80[0]), "yhat_hi": end(P80[1]), "yhat_lo95": end(P95[0]), "yhat_hi95": end(P95[1])}
