"""The report's SVG charts on hand-built tables: they show the data (panels per queue, an event's shading,
the shortfall), escape names, and give the same bytes for the same inputs."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd

from scheduler.report.charts import (
    SALE_SHADE,
    SHORT_COLOUR,
    fairness_chart,
    forecast_chart,
    local_days,
    service_chart,
    staffing_chart,
)
from scheduler.report.coverage_map import coverage_map_svg, ratio_colour
from scheduler.report.inputs import ReportInputs
from scheduler.report.svg import _thin, num, tenth

TZ = "Europe/Moscow"
MONDAY = dt.date(2026, 11, 23)
QUEUES = ["chat", 'email <b>"vip"</b>']  # a queue name as a user might write it: escaped everywhere


def grid(days: int = 3, minutes: int = 60) -> pd.DatetimeIndex:
    first = pd.Timestamp(dt.datetime.combine(MONDAY, dt.time()), tz=TZ)
    return pd.date_range(first, periods=days * 24 * 60 // minutes, freq=f"{minutes}min").tz_convert("UTC")


def config() -> SimpleNamespace:
    channel = SimpleNamespace(service_level=0.8)
    return SimpleNamespace(timezone=TZ, interval_minutes=60, channel=lambda _queue: channel)


def coverage(short_at: int = 34) -> pd.DataFrame:
    """Both queues need 2 agents 08:00-20:00 and have 2; ``chat`` has 1 at interval ``short_at`` (day 2, 10:00)."""
    frames = []
    for queue in QUEUES:
        ds = grid()
        hour = ds.tz_convert(TZ).hour
        required = np.where((hour >= 8) & (hour < 20), 2.0, 0.0)
        scheduled = required.copy()
        if queue == "chat":
            scheduled[short_at] = 1.0
        frames.append(pd.DataFrame({"ds": ds, "queue": queue, "agents_required": required,
                                    "agents_scheduled": scheduled}))  # fmt: skip
    frame = pd.concat(frames, ignore_index=True)
    frame["shortfall"] = (frame["agents_required"] - frame["agents_scheduled"]).clip(lower=0)
    return frame


def inputs(events: pd.DataFrame | None = None) -> ReportInputs:
    rows = []
    for queue in QUEUES:
        for i, ds in enumerate(grid()):
            rows.append({"ds": ds, "queue": queue, "yhat": 5.0 + i % 7, "yhat_lo": 3.0, "yhat_hi": 14.0})
    forecast = pd.DataFrame(rows)
    history = pd.DataFrame({"ds": grid(2) - pd.Timedelta(days=2), "queue": "chat", "y": 4.0})
    return ReportInputs(config=config(), forecast=forecast, requirements=forecast, roster=pd.DataFrame(),  # type: ignore[arg-type]
                        history=history, events=events)  # fmt: skip


def sale(day: int) -> pd.DataFrame:
    start = pd.Timestamp(dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time()), tz=TZ)
    return pd.DataFrame([{"event_id": "bf", "name": "Black <Friday>", "category": "sale", "start": start,
                          "end": start + pd.Timedelta(days=1), "all_day": True, "uplift": 1.5}])  # fmt: skip


def test_numbers_are_tenths_without_noise() -> None:
    assert [num(v) for v in (12.34, 12.0, -0.04, -0.06, 0.07, 1e-9)] == ["12.3", "12", "0", "-0.1", "0.1", "0"]
    assert [tenth(v) for v in (123, 120, -4, 0)] == ["12.3", "12", "-0.4", "0"]


def test_thinning_keeps_each_pixel_columns_lowest_and_highest_point() -> None:
    x = np.arange(0, 400)  # tenths: 40 px, ten points in each column
    y = (np.arange(400) * 37) % 101
    kept_x, kept_y = _thin(x.astype(float), y.astype(float))
    assert len(kept_x) == 80
    for column in range(40):
        part = y[column * 10 : column * 10 + 10]
        shown = kept_y[kept_x // 10 == column]
        assert shown.min() == part.min() and shown.max() == part.max()


def test_forecast_chart_has_a_panel_per_queue_and_shades_the_sale_day() -> None:
    svg = forecast_chart(inputs(sale(1)), QUEUES)
    frames = re.findall(r'<rect [^>]*fill="none" stroke="#333333"', svg)
    assert len(frames) == len(QUEUES)
    spans = re.findall(rf'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="170" fill="{SALE_SHADE}"', svg)
    assert len(spans) == len(QUEUES)  # the sale in every panel
    # the span covers Tuesday: history from 21 days before Monday, the plan 3 days, so day 22 of 24
    left, width = (float(v) for v in spans[0])
    panel = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="[\d.]+" fill="none"', svg)
    assert panel is not None
    x0, full = float(panel.group(1)), float(panel.group(2))
    assert abs((left - x0) / full - 22 / 24) < 0.002 and abs(width / full - 1 / 24) < 0.002
    assert "Black &lt;Friday&gt;" in svg and "<Friday>" not in svg
    assert "email &lt;b&gt;&quot;vip&quot;&lt;/b&gt;" in svg and "<b>" not in svg
    assert ">sale event</text>" in svg and ">holiday</text>" not in svg  # the legend names what is shaded
    assert forecast_chart(inputs(sale(1)), QUEUES) == svg  # the same bytes again


def test_forecast_chart_without_events_shades_nothing() -> None:
    svg = forecast_chart(inputs(), QUEUES)
    assert SALE_SHADE not in svg and ">sale event</text>" not in svg


def test_staffing_chart_fills_and_marks_the_short_interval_only() -> None:
    svg = staffing_chart(inputs(), coverage(), QUEUES)
    assert len(re.findall(r'<rect [^>]*fill="none" stroke="#333333"', svg)) == len(QUEUES)
    assert ">chat: 1 understaffed intervals</text>" in svg
    assert ">email &lt;b&gt;&quot;vip&quot;&lt;/b&gt;: 0 understaffed intervals</text>" in svg
    fills = re.findall(rf'<path d="([^"]*)" fill="{SHORT_COLOUR}"', svg)
    assert len(fills) == 1 and fills[0].count("z") == 1  # one interval filled
    # the fill spans one interval: 1/72 of the panel's width
    width = float(re.search(r"h([\d.]+)v", fills[0]).group(1))  # type: ignore[union-attr]
    panel = float(re.search(r'<rect [^>]*width="([\d.]+)" height="[\d.]+" fill="none"', svg).group(1))  # type: ignore[union-attr]
    assert abs(width - panel / 72) < 0.2
    assert staffing_chart(inputs(), coverage(short_at=35), QUEUES) != svg


def test_heat_map_draws_the_short_cell_in_the_short_colour() -> None:
    svg = coverage_map_svg(coverage(), QUEUES, TZ, 60)
    short = ratio_colour(0.5)
    assert short == "#e58268"  # RdBu at a quarter: between its 3rd and 4th colours, as matplotlib's RdBu
    runs: dict[str, int] = {}
    for colour, path in re.findall(r'<path class="cells" fill="(#[0-9a-f]{6})" d="([^"]*)"', svg):
        runs[colour] = runs.get(colour, 0) + path.count("z")
    # one short cell (chat, Tuesday 10:00); covered: a run per day and queue, chat's Tuesday in two
    assert runs == {short: 1, ratio_colour(1.0): 3 * 2 + 1}
    assert "Tue 24 Nov 10:00-11:00: 0.50 of the agents required" in svg
    assert len(re.findall(r">(Mon 23|Tue 24|Wed 25)</text>", svg)) == 3 * len(QUEUES)  # a row per day per queue
    assert coverage_map_svg(coverage(), QUEUES, TZ, 60) == svg


def test_heat_map_colours_run_from_red_through_white_to_blue() -> None:
    assert ratio_colour(0.0) == "#67001f" and ratio_colour(1.0) == "#f7f7f7" and ratio_colour(2.0) == "#053061"
    assert ratio_colour(7.0) == ratio_colour(2.0) and ratio_colour(-1.0) == ratio_colour(0.0)


def test_service_chart_draws_a_line_per_queue_in_each_panel() -> None:
    cov = coverage()
    hour = cov["ds"].dt.tz_convert(TZ).dt.hour
    evaluation = cov.assign(open=(hour >= 8) & (hour < 20), service_level=0.9, asa_seconds=30.0, backlog=0.0)
    svg = service_chart(inputs(), evaluation, QUEUES)
    assert len(re.findall(r'<path d="M[^"]*" fill="none" stroke="#0072B2" stroke-width="1"/>', svg)) == 3
    assert len(re.findall(r'<path d="M[^"]*" fill="none" stroke="#E69F00" stroke-width="1"/>', svg)) == 3
    assert 'stroke-dasharray="1.5 2"' in svg  # the dotted target


def test_fairness_chart_has_a_bar_per_agent_and_crosses_the_one_outside_the_contract() -> None:
    fairness = pd.DataFrame({"agent_id": ["a1", "a2", "a3"], "hours": [40.0, 20.0, 30.0],
                             "min_hours": [32.0, 16.0, 32.0], "max_hours": [40.0, 24.0, 40.0],
                             "weekend_days": [1, 0, 2], "late_shifts": [0, 3, 1]})  # fmt: skip
    svg = fairness_chart(fairness)
    bars = re.search(r'<path d="([^"]*)" fill="#0072B2"/>', svg)
    assert bars is not None and bars.group(1).count("z") == 3
    assert svg.count(f'stroke="{SHORT_COLOUR}" stroke-width="1.5"') == 2  # a3's 30 h against 32-40, and the legend
    assert [t for t in re.findall(r">(a\d)</text>", svg)] == ["a1", "a2", "a3"]


def test_local_days_are_wall_clock_days() -> None:
    stamps = pd.Series([pd.Timestamp("2026-11-23 00:00", tz=TZ), pd.Timestamp("2026-11-23 12:00", tz=TZ)])
    days = local_days(stamps, TZ)
    assert days[0] == (MONDAY - dt.date(1970, 1, 1)).days and days[1] - days[0] == 0.5
