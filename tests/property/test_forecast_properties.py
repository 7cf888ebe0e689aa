"""Invariants of the forecast on random histories and events."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from calendars.errors import InputError
from forecasts.forecast import FORECAST_COLUMNS, forecast
from forecasts.grid import interval_grid
from forecasts.settings import ModelOptions

ZONES = ("Europe/Berlin", "Europe/Moscow", "America/New_York", "Asia/Kolkata", "UTC")
CATEGORIES = ("sale", "holiday", "flash")


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    tz = draw(st.sampled_from(ZONES))
    interval = draw(st.sampled_from((30, 60)))
    first = draw(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 12, 1)))
    history_days = draw(st.integers(min_value=14, max_value=35))
    queues = draw(st.lists(st.sampled_from(("chat", "email", "social")), min_size=1, max_size=3, unique=True))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)
    grid = interval_grid(first, history_days, tz, interval).as_unit("ns")
    history = pd.concat(
        [pd.DataFrame({"ds": grid, "queue": q, "y": rng.poisson(rng.uniform(0, 20), len(grid)).astype(float)}) for q in queues],
        ignore_index=True,
    )
    start = first + dt.timedelta(days=history_days + draw(st.integers(min_value=0, max_value=10)))
    days = draw(st.integers(min_value=1, max_value=8))
    events = []
    for i in range(draw(st.integers(min_value=0, max_value=5))):
        offset = draw(st.integers(min_value=0, max_value=history_days + 20))
        length_h = draw(st.integers(min_value=1, max_value=72))
        begin = pd.Timestamp(dt.datetime.combine(first, dt.time(0)), tz=tz) + pd.Timedelta(hours=offset * 24 + draw(st.integers(0, 23)))
        stated = draw(st.one_of(st.just(np.nan), st.floats(min_value=-1.0, max_value=5.0)))
        events.append(
            {
                "event_id": f"e{i}",
                "name": f"Event {i}",
                "category": draw(st.sampled_from(CATEGORIES)),
                "start": begin.tz_convert("UTC"),
                "end": (begin + pd.Timedelta(hours=length_h)).tz_convert("UTC"),
                "all_day": draw(st.booleans()),
                "uplift": stated,
            }
        )
    frame = pd.DataFrame(events, columns=["event_id", "name", "category", "start", "end", "all_day", "uplift"])
    if len(frame):
        frame["start"] = pd.to_datetime(frame["start"], utc=True)
        frame["end"] = pd.to_datetime(frame["end"], utc=True)
    return {"history": history, "events": frame if len(frame) else None, "start": start, "days": days,
            "tz": tz, "interval": interval, "queues": sorted(queues)}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_forecast_invariants(case: dict[str, object]) -> None:
    try:
        result = forecast(
            case["history"],
            case["events"],
            start=case["start"],
            days=case["days"],
            options=ModelOptions(tz=case["tz"], interval_minutes=case["interval"]),
        )
    except InputError as exc:  # too few normal weeks is a legitimate refusal
        assert "need at least 2 normal weeks" in str(exc)
        event("refused: too few normal weeks")
        return
    event("forecast made")
    frame = result.frame
    assert tuple(frame.columns) == FORECAST_COLUMNS
    grid = interval_grid(case["start"], case["days"], case["tz"], case["interval"])
    assert len(frame) == len(grid) * len(case["queues"])
    for queue in case["queues"]:
        assert frame.loc[frame["queue"] == queue, "ds"].tolist() == list(grid)
    assert frame["queue"].tolist() == sorted(frame["queue"].tolist())
    assert not frame.duplicated(["queue", "ds"]).any()
    assert (frame["yhat"] >= 0).all() and (frame["baseline"] >= 0).all()
    assert np.allclose(frame["yhat"], frame["baseline"] * (1.0 + frame["uplift"]))
    assert np.isfinite(frame[["yhat", "baseline", "uplift"]].to_numpy()).all()
    assert ((frame["events"] == "") <= (frame["uplift"] == 0.0)).all()  # no event, no uplift
    bands = frame[["yhat_lo95", "yhat_lo", "yhat", "yhat_hi", "yhat_hi95"]].to_numpy()
    assert np.isfinite(bands).all() and (bands[:, 0] >= 0).all()
    assert (np.diff(bands, axis=1) >= -1e-9).all()  # lo95 <= lo <= yhat <= hi <= hi95
    assert ((frame["yhat"] == 0) <= (frame["yhat_hi95"] == 0)).all()  # a closed interval has no band
