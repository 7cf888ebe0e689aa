"""Rolling-origin backtest: the baselines, the scores, the origins, and a known injected effect."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from calendars.errors import InputError
from forecasts.backtest import (
    PREDICTION_COLUMNS,
    SCORE_COLUMNS,
    backtest,
    backtest_summary,
    format_event_days,
    weekly_origins,
)
from forecasts.grid import interval_grid
from forecasts.settings import ModelOptions

TZ = "Europe/Berlin"
HOURLY = ModelOptions(tz=TZ, interval_minutes=60)


def weekly_history(first: dt.date, weeks: int, *, rng: np.random.Generator | None = None) -> pd.DataFrame:
    """Hourly volume with a weekday x hour pattern; week k scaled by 1 + k / 10 (a visible trend)."""
    grid = interval_grid(first, weeks * 7, TZ, 60).as_unit("ns")
    local = grid.tz_convert(TZ)
    week = (np.asarray(local.normalize().tz_localize(None) - pd.Timestamp(first)).astype("timedelta64[D]").astype(int)) // 7
    y = (5.0 + 10.0 * np.sin(np.pi * local.hour.to_numpy() / 24)) * (1 + local.day_of_week.to_numpy() / 7)
    y = y * (1.0 + week / 10.0)
    if rng is not None:
        y = rng.poisson(y).astype(float)
    return pd.DataFrame({"ds": grid, "queue": "calls", "y": y})


def closures(days: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": [f"closed-{d}" for d in days],
            "name": ["Closed"] * len(days),
            "category": "holiday",
            "start": [pd.Timestamp(d, tz=TZ).tz_convert("UTC") for d in days],
            "end": [(pd.Timestamp(d, tz=TZ) + pd.Timedelta(days=1)).tz_convert("UTC") for d in days],
            "all_day": True,
            "uplift": np.nan,
        }
    )


def test_weekly_origins_are_the_mondays_in_the_range() -> None:
    assert weekly_origins(dt.date(1999, 4, 1), dt.date(1999, 4, 30)) == (
        dt.date(1999, 4, 5), dt.date(1999, 4, 12), dt.date(1999, 4, 19), dt.date(1999, 4, 26),
    )  # fmt: skip
    assert weekly_origins(dt.date(1999, 4, 5), dt.date(1999, 4, 5)) == (dt.date(1999, 4, 5),)
    assert weekly_origins(dt.date(1999, 4, 6), dt.date(1999, 4, 11)) == ()


def test_baselines_are_last_week_and_the_8_week_mean() -> None:
    history = weekly_history(dt.date(2025, 11, 3), 12)  # no DST change inside: every day has 24 hours
    origin = dt.date(2026, 1, 19)  # week 11: 11 weeks of history before it
    result = backtest(history, None, origins=[origin], horizon_days=7, options=HOURLY)
    p = result.predictions
    assert tuple(p.columns) == PREDICTION_COLUMNS
    assert len(p) == 7 * 24 and (p["origin"] == origin).all()
    shape = history["y"].to_numpy() / (1.0 + np.repeat(np.arange(12), 7 * 24) / 10.0)
    this_week = shape[11 * 7 * 24 :]
    np.testing.assert_allclose(p["y"], this_week * 2.1)
    np.testing.assert_allclose(p["seasonal_naive"], this_week * 2.0)  # week 10
    np.testing.assert_allclose(p["avg_8w"], this_week * np.mean([1 + k / 10 for k in range(3, 11)]))


def test_scores_are_computed_from_the_scored_intervals() -> None:
    history = weekly_history(dt.date(2026, 1, 5), 14, rng=np.random.default_rng(1))
    events = closures(["2026-03-25"])
    result = backtest(
        history, events, origins=weekly_origins(dt.date(2026, 3, 16), dt.date(2026, 4, 6)), options=HOURLY
    )
    scores = result.scores
    assert tuple(scores.columns) == SCORE_COLUMNS
    assert result.event_days == (dt.date(2026, 3, 24), dt.date(2026, 3, 25))  # the eve and the day
    p = result.predictions
    for method, column in (("model", "yhat"), ("seasonal_naive", "seasonal_naive"), ("avg_8w", "avg_8w")):
        for days, part in (("all", p), ("event", p[p["day_class"] == "event"]), ("normal", p[p["day_class"] == "normal"])):
            row = result.score(method, days)
            assert row["wape"] == pytest.approx(np.abs(part["y"] - part[column]).sum() / part["y"].sum())
            assert row["bias"] == pytest.approx((part[column] - part["y"]).sum() / part["y"].sum())
            assert row["intervals"] == len(part)
    inside = (p["y"] >= p["yhat_lo"] - 1e-9) & (p["y"] <= p["yhat_hi"] + 1e-9)
    assert result.score("model")["coverage_p80"] == pytest.approx(inside.mean())
    assert np.isnan(result.score("avg_8w")["coverage_p80"])


def test_days_past_the_history_are_not_scored() -> None:
    history = weekly_history(dt.date(2025, 11, 3), 12)  # to 2026-01-25
    result = backtest(history, None, origins=[dt.date(2026, 1, 19)], horizon_days=14, options=HOURLY)
    assert len(result.predictions) == 7 * 24
    assert result.predictions["ds"].max() == history["ds"].max()


def test_a_known_recurring_closure_is_learned_and_beats_the_8_week_average() -> None:
    history = weekly_history(dt.date(2026, 1, 5), 20, rng=np.random.default_rng(2))
    days = ["2026-02-11", "2026-03-11", "2026-04-08", "2026-05-06"]  # Wednesdays, volume x0.1
    local = history["ds"].dt.tz_convert(TZ).dt.strftime("%Y-%m-%d")
    history.loc[local.isin(days), "y"] = np.round(history.loc[local.isin(days), "y"] * 0.1)
    result = backtest(
        history, closures(days), origins=weekly_origins(dt.date(2026, 4, 6), dt.date(2026, 5, 18)), options=HOURLY,
    )  # fmt: skip
    model, average = result.score("model", "event"), result.score("avg_8w", "event")
    assert model["wape"] < 0.5 * average["wape"]
    assert result.score("model", "normal")["wape"] <= result.score("avg_8w", "normal")["wape"]
    closed = result.predictions[result.predictions["ds"].dt.tz_convert(TZ).dt.strftime("%Y-%m-%d").isin(days)]
    assert closed["yhat"].sum() == pytest.approx(closed["y"].sum(), rel=0.25)


def test_the_unscaled_rule_is_the_rest_days_average_and_the_scaled_one_its_multiple() -> None:
    history = weekly_history(dt.date(2025, 11, 3), 12)  # the quietest weekday (the rest day) is Monday
    local = history["ds"].dt.tz_convert(TZ)
    past = local.dt.strftime("%Y-%m-%d") == "2026-01-07"  # a past holiday at 40% of its own weekday
    history.loc[past, "y"] *= 0.4
    result = backtest(history, closures(["2026-01-07", "2026-01-21"]), origins=[dt.date(2026, 1, 19)], options=HOURLY)
    p = result.predictions
    on = p["ds"].dt.tz_convert(TZ).dt.strftime("%Y-%m-%d")
    holiday, normal = p[on == "2026-01-21"], p[(p["day_class"] == "normal")]
    mondays = [local.dt.strftime("%Y-%m-%d") == str(dt.date(2026, 1, 19) - dt.timedelta(weeks=k)) for k in range(1, 9)]
    rest_day = np.mean([history.loc[m, "y"].to_numpy() for m in mondays], axis=0)
    np.testing.assert_allclose(holiday["rest_day_rule"], rest_day)  # the rest day as it was, unscaled
    scale = holiday["day_type_rule"].to_numpy() / rest_day
    np.testing.assert_allclose(scale, scale[0])  # one factor for the day: what the past holiday did
    assert scale[0] == pytest.approx(history.loc[past, "y"].sum() / rest_day.sum())
    np.testing.assert_allclose(normal["rest_day_rule"], normal["day_type_rule"])  # other days: the same average


def test_event_days_are_listed_one_line_per_local_date_with_each_methods_error() -> None:
    history = weekly_history(dt.date(2026, 1, 5), 12, rng=np.random.default_rng(4))
    result = backtest(history, closures(["2026-03-18"]), origins=[dt.date(2026, 3, 16)], options=HOURLY)
    lines = format_event_days(result, TZ).splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["2026-03-17", "2026-03-18"]  # the eve and the holiday
    part = result.predictions[result.predictions["ds"].dt.tz_convert(TZ).dt.strftime("%Y-%m-%d") == "2026-03-18"]
    error = float((part["y"] - part["avg_8w"]).abs().sum())
    share = 100 * error / float(result.predictions.loc[result.predictions["day_class"] == "event", "y"].sum())
    assert lines[2].startswith("  2026-03-18 holiday 'Closed': actual " + f"{part['y'].sum():.0f};")
    assert f"8-week average {part['avg_8w'].sum():.0f} / {error:.0f} ({share:.1f}%)" in lines[2]
    assert format_event_days(backtest(history, None, origins=[dt.date(2026, 3, 16)], options=HOURLY), TZ) == ""


def test_summary_is_json_ready() -> None:
    history = weekly_history(dt.date(2026, 1, 5), 12)
    result = backtest(history, None, origins=[dt.date(2026, 3, 16)], options=HOURLY)
    summary = json.loads(json.dumps(backtest_summary(result)))
    assert summary["origins"] == ["2026-03-16"]
    assert set(summary["scores"]) == {"model", "seasonal_naive", "avg_8w", "day_type_rule", "rest_day_rule"}
    assert set(summary["scores"]["model"]["all"]) == {"wape", "bias", "intervals", "actual", "coverage_p80", "coverage_p95"}
    assert summary["scores"]["model"]["event"]["wape"] is None  # no event days: no score, not NaN
    assert set(summary["wape_by_origin"]["2026-03-16"]) == {"model", "seasonal_naive", "avg_8w", "day_type_rule", "rest_day_rule"}


def test_bad_origins_are_input_errors() -> None:
    history = weekly_history(dt.date(2026, 1, 5), 12)
    with pytest.raises(InputError, match="no backtest origins"):
        backtest(history, None, origins=[], options=HOURLY)
    with pytest.raises(InputError, match=r"origin 2026-06-01 is outside the history .*2026-01-05\.\.2026-03-29"):
        backtest(history, None, origins=[dt.date(2026, 6, 1)], options=HOURLY)
    with pytest.raises(InputError, match=r"origin 2026-01-12: need at least 2 normal weeks before it .*1 normal Monday"):
        backtest(history, None, origins=[dt.date(2026, 1, 12)], options=HOURLY)
