"""P80/P95 bands calibrated on a rolling backtest of the model on the history itself.

The model is refitted at each of the last ``calibration_weeks`` weekly origins
before the start; its errors on normal days give the over-dispersion of the
counts (variance ``yhat + phi^2 yhat^2``) and the empirical quantiles of the
standardised errors. On event days the spread of the effect over its past
occurrences widens the band (``phi^2 + psi^2``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecasts.baseline import fit_model
from forecasts.events import CalendarState
from forecasts.predict import Prediction, predict
from forecasts.series import Series
from forecasts.settings import MIN_NORMAL_OCCURRENCES, ModelSettings

P80 = (0.10, 0.90)
P95 = (0.025, 0.975)
_NORMAL_QUANTILES = {0.10: -1.2816, 0.90: 1.2816, 0.025: -1.96, 0.975: 1.96}
_MIN_CALIBRATION_POINTS = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class Calibration:
    phi2: float  # over-dispersion: variance = yhat + phi2 * yhat^2
    quantiles: dict[float, float]  # standardised-error quantiles
    points: int  # intervals the calibration saw


def calibrate(
    series: Series, state: CalendarState, cutoff: int, horizon: int, weeks: int, settings: ModelSettings
) -> Calibration:
    """Errors of the model refitted at the last ``calibration_weeks`` weekly origins before ``cutoff``."""
    ys: list[np.ndarray] = []
    yhats: list[np.ndarray] = []
    for k in range(1, settings.calibration_weeks + 1):
        origin = cutoff - 7 * k
        if origin <= 0:
            break
        fit = fit_model(series, state, origin, weeks, settings)
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
    return calibration_from_errors(y, np.concatenate(yhats) if yhats else np.zeros(0))


def calibration_from_errors(y: np.ndarray, yhat: np.ndarray) -> Calibration:
    """Over-dispersion and standardised-error quantiles from paired actuals and forecasts."""
    keep = yhat > 0
    y, yhat = y[keep], yhat[keep]
    if len(y) < _MIN_CALIBRATION_POINTS:
        return Calibration(phi2=0.0, quantiles=dict(_NORMAL_QUANTILES), points=int(len(y)))
    resid = y - yhat
    phi2 = max(0.0, float(((resid**2 - yhat).sum()) / (yhat**2).sum()))
    z = resid / np.sqrt(yhat + phi2 * yhat**2)
    levels = sorted(_NORMAL_QUANTILES)
    quantiles = {p: float(np.quantile(z, p)) for p in levels}
    return Calibration(phi2=phi2, quantiles=quantiles, points=int(len(y)))


def prediction_bands(prediction: Prediction, calibration: Calibration) -> dict[str, np.ndarray]:
    yhat = prediction.baseline * prediction.uplift
    sd = np.sqrt(yhat + (calibration.phi2 + prediction.spread**2) * yhat**2)
    # a band always holds the point forecast, even if the calibration errors all lean one way
    q = {p: min(v, 0.0) if p < 0.5 else max(v, 0.0) for p, v in calibration.quantiles.items()}
    return {
        "yhat_lo": np.maximum(0.0, yhat + q[P80[0]] * sd),
        "yhat_hi": yhat + q[P80[1]] * sd,
        "yhat_lo95": np.maximum(0.0, yhat + q[P95[0]] * sd),
        "yhat_hi95": yhat + q[P95[1]] * sd,
    }
