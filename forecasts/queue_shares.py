"""Top-down forecasts of small queues: the channel's forecast times a learned, shrunk share.

A language or topic queue with a few percent of a channel's volume is mostly
noise when forecast alone. Each split channel is forecast as a whole
(:mod:`forecasts.forecast`) and divided among its queues
(:mod:`forecasts.routing`) by shares learned from the last
:data:`SHARE_WEEKS` weeks of history before the forecast start:

* per queue, the overall share of the channel;
* per local hour of the day, shrunk towards the overall share;
* per weekday and hour, shrunk towards the hour's share.

Shrinkage is empirical Bayes (beta-binomial): a cell with ``n`` contacts of
which ``x`` in the queue gets ``(x + a * prior) / (n + a)``, with the prior
strength ``a`` estimated per channel and level by the method of moments
from how much the cells' shares vary beyond binomial noise. Where cells differ
no more than noise, ``a`` is large and every cell gets the overall share;
where the hours really differ (Spanish chats in the evening), ``a`` is small
and the data speaks. The shares of a cell are then rescaled to add up to one,
so the queues add up to the channel exactly.

Bands: a queue's count is a thinned channel count, so its variance is
``s * yhat + k * s^2 * yhat^2`` with the channel's over-dispersion ``k``; the
channel's band offsets are scaled by the ratio of standard deviations.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from forecasts.routing import Routing

SHARE_WEEKS = 16
"""Weeks of history the shares are learned from (more than the baseline: small queues need the data)."""

SHARE_COLUMNS = ("channel", "queue", "weekday", "hour", "share")
"""Columns of the learned shares table, one row per queue, local weekday (0 = Monday) and hour."""

BAND_COLUMNS = ("yhat_lo", "yhat_hi", "yhat_lo95", "yhat_hi95")
_Z90 = 1.2816


def _prior_strength(counts: np.ndarray, totals: np.ndarray, prior: np.ndarray) -> float:
    """Beta-binomial prior strength ``a`` by the method of moments (cells x queues arrays).

    Returns a large number when the cells vary no more than binomial noise.
    """
    keep = totals > 1
    if not keep.any():
        return 1e9
    n = np.broadcast_to(totals[:, None], counts.shape)[keep]
    x = counts[keep]
    p = np.broadcast_to(prior, counts.shape)[keep]
    variance = p * (1.0 - p)
    usable = variance > 0
    if not usable.any():
        return 1e9
    n, x, p, variance = n[usable], x[usable], p[usable], variance[usable]
    excess = float((((x / n - p) ** 2) * n / variance).sum() - n.size)
    rho = excess / float((n - 1).sum()) if (n - 1).sum() > 0 else 0.0
    if rho <= 1e-9:
        return 1e9
    return max(1.0 / min(rho, 1.0) - 1.0, 1e-3)


def learn_shares(
    history: pd.DataFrame, routing: Routing, *, tz: str, before: dt.date, weeks: int = SHARE_WEEKS
) -> pd.DataFrame:
    """Shares of each split channel's queues per local weekday and hour (:data:`SHARE_COLUMNS`).

    Args:
        history: interval counts per queue id (``ds, queue, y``), e.g. from
            :func:`forecasts.routing.read_queue_counts`.
        before: only history before this local date is used.
    """
    return _learn(_local_cells(history, tz), routing, tz=tz, before=before, weeks=weeks)


def _local_cells(history: pd.DataFrame, tz: str) -> pd.DataFrame:
    local = pd.to_datetime(history["ds"], utc=True).dt.tz_convert(tz)
    return pd.DataFrame(
        {
            "local": local,
            "queue": history["queue"],
            "y": history["y"],
            "weekday": local.dt.day_of_week,
            "hour": local.dt.hour,
        }
    )


def _learn(cells: pd.DataFrame, routing: Routing, *, tz: str, before: dt.date, weeks: int) -> pd.DataFrame:
    first = pd.Timestamp(before - dt.timedelta(weeks=weeks), tz=tz)
    last = pd.Timestamp(before, tz=tz)
    window = cells[(cells["local"] >= first) & (cells["local"] < last)]
    index = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    rows = []
    for channel in routing.channels:
        queues = routing.queue_ids(channel)
        part = window[window["queue"].isin(queues)]
        counts = (
            part.groupby(["weekday", "hour", "queue"])["y"].sum().unstack("queue")
            .reindex(index=index, columns=list(queues)).fillna(0.0).to_numpy(dtype=float)
        )  # 168 cells x queues  # fmt: skip
        shares = _shrunk_shares(counts)
        for cell, (weekday, hour) in enumerate(index):
            for column, queue in enumerate(queues):
                rows.append((channel, queue, weekday, hour, float(shares[cell, column])))
    return pd.DataFrame(rows, columns=list(SHARE_COLUMNS))


def _shrunk_shares(counts: np.ndarray) -> np.ndarray:
    """Weekday-hour shares (168 x queues) shrunk towards the hour's, the hour's towards the overall."""
    queues = counts.shape[1]
    total = counts.sum()
    overall = counts.sum(axis=0) / total if total > 0 else np.full(queues, 1.0 / queues)
    by_hour = counts.reshape(7, 24, queues).sum(axis=0)  # 24 x queues
    hour_totals = by_hour.sum(axis=1)
    strength = _prior_strength(by_hour, hour_totals, overall[None, :])
    hour_share = (by_hour + strength * overall[None, :]) / (hour_totals[:, None] + strength)
    prior = np.tile(hour_share, (7, 1))  # cells are weekday-major: cell = weekday * 24 + hour
    cell_totals = counts.sum(axis=1)
    strength = _prior_strength(counts, cell_totals, prior)
    shares = (counts + strength * prior) / (cell_totals[:, None] + strength)
    return shares / shares.sum(axis=1, keepdims=True)


def split_forecast(forecast: pd.DataFrame, shares: pd.DataFrame, routing: Routing, *, tz: str) -> pd.DataFrame:
    """The channel forecast with every split channel replaced by its queues' rows (same columns).

    ``yhat`` and ``baseline`` are multiplied by the share of the interval's local
    weekday and hour, so the queues add up to the channel; bands are rescaled
    as a thinned count (see the module docstring). Unsplit channels pass through.
    """
    frames = [forecast[~forecast["queue"].isin(routing.channels)]]
    local = pd.to_datetime(forecast["ds"], utc=True).dt.tz_convert(tz)
    keyed = forecast.assign(weekday=local.dt.day_of_week.to_numpy(), hour=local.dt.hour.to_numpy())
    for channel in routing.channels:
        part = keyed[keyed["queue"] == channel]
        if part.empty:
            continue
        yhat = part["yhat"].to_numpy(dtype=float)
        sd_channel = np.maximum(part["yhat_hi"].to_numpy(dtype=float) - yhat, 0.0) / _Z90
        with np.errstate(divide="ignore", invalid="ignore"):
            dispersion = np.where(yhat > 0, np.clip((sd_channel**2 - yhat) / yhat**2, 0.0, None), 0.0)
        table = shares[shares["channel"] == channel].set_index(["weekday", "hour", "queue"])["share"]
        for queue in routing.queue_ids(channel):
            index = pd.MultiIndex.from_arrays([part["weekday"], part["hour"], np.full(len(part), queue)])
            share = table.reindex(index).fillna(0.0).to_numpy(dtype=float)
            mean = share * yhat
            sd_queue = np.sqrt(mean + dispersion * mean**2)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(sd_channel > 0, sd_queue / sd_channel, 0.0)
            out = part.drop(columns=["weekday", "hour"]).copy()
            out["queue"] = queue
            out["yhat"] = mean
            out["baseline"] = share * part["baseline"].to_numpy(dtype=float)
            for column in BAND_COLUMNS:
                offset = part[column].to_numpy(dtype=float) - yhat
                bound = mean + offset * ratio
                out[column] = np.maximum(bound, 0.0) if column.endswith(("lo", "lo95")) else np.maximum(bound, mean)
            frames.append(out)
    result = pd.concat(frames, ignore_index=True)
    return result.sort_values(["queue", "ds"], kind="stable").reset_index(drop=True)


QUEUE_SCORE_COLUMNS = ("queue", "days", "wape", "wape_daily", "bias", "actual", "share")
"""Per-queue backtest scores: interval and daily WAPE of the top-down split, on all and on normal days."""


def backtest_queues(
    predictions: pd.DataFrame, history: pd.DataFrame, routing: Routing, *, tz: str, weeks: int = SHARE_WEEKS
) -> pd.DataFrame:
    """Accuracy of the split per queue over a channel backtest (:data:`QUEUE_SCORE_COLUMNS`).

    Args:
        predictions: the channel backtest's predictions (``origin, ds, queue, day_class, yhat``
            and the bands), :attr:`forecasts.backtest.BacktestResult.predictions`.
        history: interval counts per queue id; shares are relearned at every
            origin from the weeks before it, as a live forecast would.
    """
    actual = history.assign(ds=pd.to_datetime(history["ds"], utc=True)).set_index(["queue", "ds"])["y"]
    split_rows = []
    channel_rows = predictions[predictions["queue"].isin(routing.channels)]
    cells = _local_cells(history, tz)
    for origin, part in channel_rows.groupby("origin", sort=True):
        shares = _learn(cells, routing, tz=tz, before=origin, weeks=weeks)
        forecast = part.assign(baseline=part["yhat"])
        split = split_forecast(forecast, shares, routing, tz=tz)
        split_rows.append(split[split["queue"].str.contains("/", regex=False)])
    if not split_rows:
        return pd.DataFrame(columns=list(QUEUE_SCORE_COLUMNS))
    scored = pd.concat(split_rows, ignore_index=True)
    index = pd.MultiIndex.from_arrays([scored["queue"], pd.to_datetime(scored["ds"], utc=True)])
    scored["y"] = actual.reindex(index).fillna(0.0).to_numpy(dtype=float)
    scored["day"] = pd.to_datetime(scored["ds"], utc=True).dt.tz_convert(tz).dt.date
    rows = []
    for queue, part in scored.groupby("queue", sort=True):
        channel_total = float(scored.loc[scored["queue"].str.startswith(routing.channel_of(queue) + "/"), "y"].sum())
        for days in ("all", "normal"):
            chosen = part if days == "all" else part[part["day_class"] == "normal"]
            total = float(chosen["y"].sum())
            daily = chosen.groupby(["origin", "day"])[["y", "yhat"]].sum()
            rows.append(
                {
                    "queue": str(queue),
                    "days": days,
                    "wape": _wape(chosen["y"], chosen["yhat"]),
                    "wape_daily": _wape(daily["y"], daily["yhat"]),
                    "bias": float((chosen["yhat"].sum() - total) / total) if total > 0 else float("nan"),
                    "actual": total,
                    "share": float(part["y"].sum() / channel_total) if channel_total > 0 else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=list(QUEUE_SCORE_COLUMNS))


def _wape(actual: pd.Series, predicted: pd.Series) -> float:
    total = float(np.abs(actual.to_numpy(dtype=float)).sum())
    error = float(np.abs(actual.to_numpy(dtype=float) - predicted.to_numpy(dtype=float)).sum())
    return error / total if total > 0 else float("nan")
