"""P80/P95 bands: the over-dispersion and quantiles calibrated from past errors (forecasts.bands)."""

from __future__ import annotations

import numpy as np
import pytest

from forecasts.bands import (
    P80,
    Calibration,
    calibration_from_errors,
    calibrations_by_type,
    poisson_quantile,
    prediction_bands,
    zero_floor,
)
from forecasts.daytypes import EVE, HOLIDAY, ORDINARY
from forecasts.predict import Prediction


def test_without_share_variance_the_over_dispersion_is_the_moment_estimate() -> None:
    rng = np.random.default_rng(3)
    yhat = rng.uniform(5.0, 50.0, 4000)
    y = rng.normal(yhat, np.sqrt(yhat + 0.04 * yhat**2))
    calibration = calibration_from_errors(y, yhat)
    expected = ((y - yhat) ** 2 - yhat).sum() / (yhat**2).sum()
    assert calibration.phi2 == pytest.approx(expected) and calibration.share_weight == 1.0
    assert calibration.phi2 == pytest.approx(0.04, abs=0.01)


def test_the_weight_of_the_share_variance_is_fitted_to_the_errors() -> None:
    # special days whose shares vary half as much as the prior says (variance weight 0.25), no over-dispersion
    rng = np.random.default_rng(5)
    yhat = rng.uniform(0.5, 60.0, 6000)
    extra = rng.uniform(0.0, 900.0, 6000)
    y = rng.normal(yhat, np.sqrt(yhat + 0.25 * extra))
    calibration = calibration_from_errors(y, yhat, extra)
    assert calibration.share_weight == pytest.approx(0.25, abs=0.05)
    assert calibration.phi2 < 0.02
    z = (y - yhat) / np.sqrt(yhat + calibration.phi2 * yhat**2 + calibration.share_weight * extra)
    assert np.mean((z >= calibration.quantiles[P80[0]]) & (z <= calibration.quantiles[P80[1]])) == pytest.approx(0.8)


def test_a_special_day_calibration_sets_only_the_band_of_days_priced_as_special() -> None:
    # two holiday intervals, one priced from past holidays, one forecast as an ordinary day (never seen): the
    # holiday calibration (narrow) sets the first, the ordinary one with the wide unseen spread the second
    n = 3
    prediction = Prediction(
        intervals=np.arange(n), baseline=np.full((1, n), 100.0), uplift=np.array([[0.1, 1.0, 1.0]]),
        spread=np.array([[0.5, 1.0, 0.0]]), names=np.array(["H", "H", ""], dtype=object),
        kind=np.array([HOLIDAY, HOLIDAY, ORDINARY]), extra_var=np.array([[400.0, 0.0, 0.0]]),
        priced=np.array([[True, False, False]]),
    )  # fmt: skip
    quantiles = {0.025: -2.0, 0.10: -1.0, 0.90: 1.0, 0.975: 2.0}
    holiday = Calibration(phi2=0.0, quantiles=quantiles, points=100, share_weight=0.25)
    calibration = Calibration(phi2=0.01, quantiles=quantiles, points=500, by_type={HOLIDAY: holiday})
    bands = prediction_bands(prediction, calibration)
    np.testing.assert_allclose(bands["yhat_hi"][0], [10 + np.sqrt(10 + 100), 100 + np.sqrt(100 + 1.01 * 100**2),
                                                     100 + np.sqrt(100 + 0.01 * 100**2)])  # fmt: skip


def test_poisson_quantile_is_the_smallest_count_reaching_the_level() -> None:
    mu = np.array([0.0, 0.3, 0.8, 2.0, 10.0, 1000.0])
    np.testing.assert_array_equal(poisson_quantile(mu, 0.10), [0, 0, 0, 0, 6, 959])
    np.testing.assert_array_equal(poisson_quantile(mu, 0.90), [0, 1, 2, 4, 14, 1041])
    np.testing.assert_array_equal(poisson_quantile(mu, 0.975), [0, 2, 3, 5, 17, 1062])


def _holiday_hours(yhat: np.ndarray) -> Prediction:
    n = len(yhat)
    return Prediction(
        intervals=np.arange(n), baseline=yhat[None, :], uplift=np.ones((1, n)), spread=np.zeros((1, n)),
        names=np.full(n, "H", dtype=object), kind=np.full(n, HOLIDAY), extra_var=np.zeros((1, n)),
        priced=np.ones((1, n), dtype=bool),
    )  # fmt: skip


def _covered(bands: dict[str, np.ndarray], y: np.ndarray, low: str, high: str) -> float:
    return float(np.mean((y >= bands[low][0]) & (y <= bands[high][0])))


def test_a_closed_day_of_few_contacts_is_covered_at_the_nominal_level() -> None:
    # a closed holiday: most hours forecast at under one contact, a few busy ones. Read as if counts were
    # continuous, the quantiles of the pooled errors cover the next such day at 90%; on counts, at 80%
    rng = np.random.default_rng(11)
    yhat = np.tile(np.r_[np.full(18, 0.8), np.full(3, 2.0), np.full(3, 40.0)], 60)
    past, ahead = rng.poisson(yhat).astype(float), rng.poisson(yhat).astype(float)
    cover = {}
    for counts in (False, True):
        holiday = calibration_from_errors(past, yhat, counts=counts)
        calibration = Calibration(phi2=0.0, quantiles=holiday.quantiles, points=100, by_type={HOLIDAY: holiday})
        bands = prediction_bands(_holiday_hours(yhat), calibration)
        cover[counts] = (_covered(bands, ahead, "yhat_lo", "yhat_hi"), _covered(bands, ahead, "yhat_lo95", "yhat_hi95"))
    assert cover[True][0] == pytest.approx(0.80, abs=0.03)
    assert cover[False][0] > 0.86
    assert cover[True][1] >= 0.95  # a P95 is never narrower than the Poisson noise of its own forecast


def test_busy_hours_of_a_closed_day_are_calibrated_apart_from_its_empty_ones() -> None:
    # a closed holiday's hours at a fifth of a contact cannot fall below a band that starts at 0, so in one pool
    # of errors every miss of the lower tail falls on its few busy hours (covered at 73% here); read apart, the
    # busy hours are covered at 80% and the empty ones as whole counts allow (P(0) = 82% at 0.2 contacts)
    rng = np.random.default_rng(7)
    yhat = np.tile(np.r_[np.full(18, 0.2), np.full(6, 40.0)], 80)
    past, ahead = rng.poisson(yhat).astype(float), rng.poisson(yhat).astype(float)
    busy = ~zero_floor(yhat)
    assert busy.sum() == 6 * 80
    pooled = calibration_from_errors(past, yhat, counts=True)
    apart = calibrations_by_type({HOLIDAY: (past, yhat, np.zeros_like(yhat))})[HOLIDAY]
    assert apart.few is not None and apart.quantiles != pooled.quantiles
    cover = {}
    for name, holiday in (("pooled", pooled), ("apart", apart)):
        calibration = Calibration(phi2=0.0, quantiles=holiday.quantiles, points=100, by_type={HOLIDAY: holiday})
        bands = prediction_bands(_holiday_hours(yhat), calibration)
        inside = (ahead >= bands["yhat_lo"][0]) & (ahead <= bands["yhat_hi"][0])
        cover[name] = (float(inside[busy].mean()), float(inside[~busy].mean()))
    assert cover["pooled"][0] < 0.75
    assert cover["apart"][0] == pytest.approx(0.80, abs=0.04)
    assert cover["apart"][1] == pytest.approx(np.exp(-0.2), abs=0.03)


def test_a_day_type_with_few_busy_hours_reads_them_from_all_special_days() -> None:
    # holidays: 20 closed days of hours at a fifth of a contact and ten busy hours in all; their busy quantiles
    # come from every special day's busy hours (here the eves'), their empty hours' quantiles from their own
    rng = np.random.default_rng(5)
    closed = np.tile(np.r_[np.full(23, 0.2), [30.0]], 10)
    holiday_hours = np.r_[closed, np.full(230, 0.2)]
    holidays = (rng.poisson(holiday_hours).astype(float), holiday_hours, np.zeros_like(holiday_hours))
    eve_hours = np.full(240, 30.0)
    read = {}
    for spread in (0.05, 0.4):  # eves that miss by 5% or by 40% of their volume
        eves = (np.round(eve_hours * rng.lognormal(0.0, spread, 240)), eve_hours, np.zeros_like(eve_hours))
        read[spread] = calibrations_by_type({HOLIDAY: holidays, EVE: eves})[HOLIDAY]
    assert read[0.4].quantiles[P80[1]] > read[0.05].quantiles[P80[1]] + 0.5
    assert read[0.4].few == read[0.05].few  # 460 hours of its own that start at 0: the eves do not move them
