"""Per day and queue: the service the roster gives (service level, ASA, backlog) and forecast against actual."""

from __future__ import annotations

import numpy as np
import pandas as pd

SERVICE_DAY_COLUMNS = ("date", "queue", "offered", "service_level", "asa_seconds", "max_backlog", "backlog_at_end")
ACCURACY_COLUMNS = ("date", "queue", "forecast", "actual", "error")


def service_by_day(evaluation: pd.DataFrame, tz: str) -> pd.DataFrame:
    """:func:`scheduler.staffing.evaluate_staffing` per local day and queue, offered-weighted."""
    frame = evaluation.assign(date=evaluation["ds"].dt.tz_convert(tz).dt.date)
    rows = []
    for (day, queue), part in frame.sort_values("ds").groupby(["date", "queue"], sort=True):
        offered = part["offered"].to_numpy(dtype=float)
        weight = offered.sum()
        level = float((part["service_level"] * offered).sum() / weight) if weight > 0 else 1.0
        asa = float((part["asa_seconds"] * offered).sum() / weight) if weight > 0 else 0.0
        rows.append(
            {"date": day.isoformat(), "queue": queue, "offered": float(weight), "service_level": level, "asa_seconds": asa,
             "max_backlog": float(part["backlog"].max()), "backlog_at_end": float(part["backlog"].iloc[-1])}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=list(SERVICE_DAY_COLUMNS))


def forecast_vs_actual(forecast: pd.DataFrame, history: pd.DataFrame | None, tz: str) -> pd.DataFrame:
    """Per day and queue where the history already covers the planned days: forecast, actual and the error (actual - forecast)."""
    if history is None or history.empty:
        return pd.DataFrame(columns=list(ACCURACY_COLUMNS))
    start, end = forecast["ds"].min(), forecast["ds"].max()
    actual = history[(history["ds"] >= start) & (history["ds"] <= end)]
    if actual.empty:
        return pd.DataFrame(columns=list(ACCURACY_COLUMNS))
    last_seen = actual["ds"].max()
    planned = forecast[forecast["ds"] <= last_seen]  # only days the history covers

    def daily(frame: pd.DataFrame, column: str) -> pd.Series:
        return frame.assign(date=frame["ds"].dt.tz_convert(tz).dt.date).groupby(["date", "queue"])[column].sum()

    table = pd.concat([daily(planned, "yhat").rename("forecast"), daily(actual, "y").rename("actual")], axis=1).fillna(
        0.0
    )
    table = table.reset_index()
    table["date"] = [day.isoformat() for day in table["date"]]
    table["error"] = table["actual"] - table["forecast"]
    return table.loc[:, list(ACCURACY_COLUMNS)]


def wape(table: pd.DataFrame) -> float:
    """Weighted absolute percentage error over the rows (NaN without actual volume)."""
    total = float(table["actual"].sum())
    return float(np.abs(table["error"]).sum() / total) if total > 0 else float("nan")
