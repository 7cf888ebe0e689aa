"""Routing tickets to queues and the top-down split of a channel forecast (forecasts.routing, forecasts.queue_shares)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calendars.errors import InputError
from forecasts.queue_shares import backtest_queues, learn_shares, split_forecast
from forecasts.routing import Dimension, Routing, read_queue_counts, route_tickets

TZ = "Europe/Moscow"
LANGUAGE = Dimension(name="language", groups=(("ru",), ("en",), ("es", "pt")), other="ru", column="language")
ROUTING = Routing(channels=("chat", "email"), dimensions=(LANGUAGE,))


def test_queue_ids_are_readable_and_in_declared_order() -> None:
    assert ROUTING.queue_ids("email") == ("email/ru", "email/en", "email/es+pt")
    assert ROUTING.queue_ids("social") == ("social",)
    both = Routing(
        channels=("email",),
        dimensions=(LANGUAGE, Dimension(name="topic", groups=(("billing",), ("other",)), other="other", column="topic")),
    )
    assert both.queue_ids("email")[:2] == ("email/ru/billing", "email/ru/other")
    assert both.requirements_of("email/es+pt/billing") == {"language": ("es", "pt"), "topic": ("billing",)}
    assert Routing().queue_ids("email") == ("email",)


def test_tickets_are_routed_with_pools_value_maps_and_other() -> None:
    dimension = Dimension(
        name="language", groups=LANGUAGE.groups, other="ru", column="language", value_map=(("spanish", "es"),)
    )
    routing = Routing(channels=("email",), dimensions=(dimension,))
    frame = pd.DataFrame({"channel": ["email", "email", "email", "email", "social"], "language": ["pt", "Spanish", " EN", "de", "de"]})
    queue, warnings = route_tickets(frame, "channel", routing)
    assert list(queue) == ["email/es+pt", "email/es+pt", "email/en", "email/ru", "social"]
    assert warnings == ("1 ticket(s) with language 'de' not in [routing] languages: counted as 'ru'",)


def test_a_missing_routing_column_is_named() -> None:
    with pytest.raises(InputError, match=r"missing column\(s\) \['language'\]"):
        route_tickets(pd.DataFrame({"channel": ["email"]}), "channel", ROUTING)


def test_read_queue_counts_bins_local_intervals(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(
        "created_at,channel,language\n"
        "2026-11-02T10:05:00+03:00,email,es\n"
        "2026-11-02T10:29:59+03:00,email,pt\n"
        "2026-11-02T10:30:00+03:00,chat,ru\n",
        encoding="utf-8",
    )
    counts, _ = read_queue_counts(
        str(path), tz=TZ, interval_minutes=30, timestamp_column="created_at", channel_column="channel", routing=ROUTING
    )
    assert counts.to_dict("records") == [
        {"ds": pd.Timestamp("2026-11-02T07:30:00Z"), "queue": "chat/ru", "y": 1.0},
        {"ds": pd.Timestamp("2026-11-02T07:00:00Z"), "queue": "email/es+pt", "y": 2.0},
    ]


def history_with(shares_by_hour: dict[int, float], weeks: int = 16, per_hour: int = 40, seed: int = 3) -> pd.DataFrame:
    """Hourly chat counts split between chat/en and chat/ru with the given en share per local hour."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-07-06", tz=TZ)
    hours = pd.date_range(start, periods=weeks * 7 * 24, freq="h")
    share = np.array([shares_by_hour.get(hour, 0.1) for hour in hours.hour])
    en = rng.binomial(per_hour, share)
    frame = pd.concat(
        [
            pd.DataFrame({"ds": hours.tz_convert("UTC"), "queue": "chat/en", "y": en.astype(float)}),
            pd.DataFrame({"ds": hours.tz_convert("UTC"), "queue": "chat/ru", "y": (per_hour - en).astype(float)}),
            pd.DataFrame({"ds": hours.tz_convert("UTC"), "queue": "chat/es+pt", "y": 0.0}),
        ]
    )
    return frame


def test_shares_follow_hours_that_really_differ_and_pool_where_they_do_not() -> None:
    before = dt.date(2026, 10, 26)
    flat = learn_shares(history_with({}), ROUTING, tz=TZ, before=before)
    en = flat[(flat["queue"] == "chat/en")]["share"]
    assert en.max() - en.min() < 0.01  # binomial noise only: every cell gets the overall share
    assert en.mean() == pytest.approx(0.1, abs=0.01)

    evening = learn_shares(history_with({22: 0.5, 23: 0.5}), ROUTING, tz=TZ, before=before)
    en = evening[evening["queue"] == "chat/en"].set_index(["weekday", "hour"])["share"]
    assert en.loc[(2, 22)] == pytest.approx(0.5, abs=0.05)
    assert en.loc[(2, 12)] == pytest.approx(0.1, abs=0.02)
    sums = evening[evening["channel"] == "chat"].groupby(["weekday", "hour"])["share"].sum()
    assert np.allclose(sums, 1.0)  # reconciled


def channel_forecast() -> pd.DataFrame:
    ds = pd.date_range("2026-11-23", periods=48, freq="30min", tz=TZ).tz_convert("UTC")
    yhat = np.linspace(2.0, 30.0, 48)
    sd = np.sqrt(yhat + 0.04 * yhat**2)
    return pd.DataFrame(
        {
            "ds": ds,
            "queue": "chat",
            "yhat": yhat,
            "baseline": yhat,
            "uplift": 1.0,
            "events": "",
            "yhat_lo": np.maximum(yhat - 1.2816 * sd, 0),
            "yhat_hi": yhat + 1.2816 * sd,
            "yhat_lo95": np.maximum(yhat - 1.96 * sd, 0),
            "yhat_hi95": yhat + 1.96 * sd,
        }
    )


def test_split_adds_up_to_the_channel_and_widens_small_queue_bands() -> None:
    shares = learn_shares(history_with({22: 0.5}), ROUTING, tz=TZ, before=dt.date(2026, 10, 26))
    forecast = channel_forecast()
    split = split_forecast(forecast, shares, ROUTING, tz=TZ)
    assert sorted(split["queue"].unique()) == ["chat/en", "chat/es+pt", "chat/ru"]
    total = split.groupby("ds")["yhat"].sum().to_numpy()
    assert np.allclose(total, forecast["yhat"].to_numpy())
    en = split[split["queue"] == "chat/en"]
    assert (en["yhat_lo"] <= en["yhat"]).all() and (en["yhat"] <= en["yhat_hi"]).all()
    # relative width of a 10% queue is wider than the channel's (Poisson thinning)
    channel_width = ((forecast["yhat_hi"] - forecast["yhat"]) / forecast["yhat"]).to_numpy()
    en_width = ((en["yhat_hi"] - en["yhat"]) / en["yhat"]).to_numpy()
    assert (en_width > channel_width).all()


def test_backtest_scores_each_queue() -> None:
    history = history_with({22: 0.5}, weeks=20)
    chat = history.groupby("ds", as_index=False)["y"].sum().assign(queue="chat")
    origin = dt.date(2026, 11, 16)
    start = pd.Timestamp(origin, tz=TZ).tz_convert("UTC")
    week = chat[(chat["ds"] >= start) & (chat["ds"] < start + pd.Timedelta(days=7))]
    predictions = week.assign(
        origin=origin, day_class="normal", yhat=40.0, yhat_lo=30.0, yhat_hi=50.0, yhat_lo95=25.0, yhat_hi95=55.0,
        baseline=40.0, uplift=1.0, events="",
    )  # fmt: skip
    scores = backtest_queues(predictions, history, ROUTING, tz=TZ)
    normal = scores[scores["days"] == "normal"].set_index("queue")
    assert set(normal.index) == {"chat/en", "chat/ru", "chat/es+pt"}
    assert normal.loc["chat/ru", "wape"] < 0.15
    assert normal.loc["chat/en", "wape"] < 0.6  # ~4 tickets an hour: mostly Poisson noise
    assert normal.loc["chat/en", "wape_daily"] < 0.1
