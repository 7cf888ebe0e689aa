"""Synthetic hourly series with other countries' holidays and customs, for the forecast benchmark.

Each series is a Poisson draw around a mean written from a team's custom (its
opening hours, what it does on each kind of holiday, eves, catch-up days, periods
the ``holidays`` calendar does not name), with only ``holidays CC`` given to the
model: the held-out scoring of issue 18 in miniature. The generators are not the
model: each was written before it was first run, and not changed after (the
tenth pass's six, Brazil, India, China, France, Korea and Australia, were
written before the model was run on them; the eleventh pass's three, a US retailer with its sale calendar, a
Bavarian team and a Dutch team whose history starts before Christmas, too).

    python -m benchmarks.forecast_synthetic       # or: make bench

prints, per series, the model's and the baselines' hourly WAPE overall, on event days and on normal days, per day
type and per holiday; the first holiday weeks of a short history; and every two-year series again with a short
history. Exit status 0 when the model beats the 8-week average and both readings of the day-type rule, overall and
on event days, on every series (the held-out scoring of issue 18), 1 otherwise.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.synthetic_customs import (
    AU_TZ,
    BR_TZ,
    BY_TZ,
    CN_TZ,
    EU_TZ,
    FR_TZ,
    IL_TZ,
    IN_TZ,
    JP_TZ,
    KR_TZ,
    NL_TZ,
    RETAIL_TZ,
    RU_TZ,
    SA_TZ,
    SYNTH_CLOSED,
    SYNTH_TZ,
    UK_TZ,
    MeanOf,
    australian_centre,
    bavarian_team,
    brazilian_centre,
    chinese_shop,
    dutch_team,
    french_team,
    german_team,
    indian_helpdesk,
    israeli_bank,
    japanese_desk,
    korean_desk,
    retail_sales,
    russian_shop,
    saudi_desk,
    uk_team,
    us_bank,
    us_retailer,
)

if TYPE_CHECKING:  # imported for real by the caller, after it pinned itself to one core
    from forecasts.backtest import BacktestResult

INTERVAL = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class Synthetic:
    """One synthetic series: where it lives, how it was drawn, which Mondays score it."""

    name: str  # short name in the target lines
    title: str  # what the team does, printed above its scores
    country: str  # the ``holidays`` code the model is given, and nothing else
    tz: str
    seed: int
    mean_of: MeanOf  # the Poisson mean of every hour (hour, weekday, date, holiday rows)
    first: dt.date = dt.date(2023, 1, 2)  # first day of the history
    days: int = 2 * 364 + 7
    origins: tuple[dt.date, dt.date] = (dt.date(2024, 1, 1), dt.date(2024, 12, 23))  # first and last Monday scored
    # the team's own calendar (sales), given to the model with its holidays: (first, last day, tz) -> events rows
    calendar: Callable[[dt.date, dt.date, str], pd.DataFrame] | None = None


SYNTHETIC_SERIES = (
    Synthetic(
        name="US bank",
        title=f"synthetic US bank (closed on {len(SYNTH_CLOSED)} federal holidays, open on the rest)",
        country="US",
        tz=SYNTH_TZ,
        seed=0,
        mean_of=us_bank,
    ),
    Synthetic(
        name="German team",
        title="synthetic German team (closed weekends and holidays, bridge days, Christmas period)",
        country="DE",
        tz=EU_TZ,
        seed=1,
        mean_of=german_team,
    ),
    Synthetic(
        name="UK team",
        title="synthetic UK team (closed on bank holidays, short Christmas Eve, a quiet Christmas week)",
        country="GB",
        tz=UK_TZ,
        seed=2,
        mean_of=uk_team,
    ),
    Synthetic(
        name="Russian shop",
        title="synthetic Russian shop (open every day, holidays worked at 60%, long New Year holidays)",
        country="RU",
        tz=RU_TZ,
        seed=3,
        mean_of=russian_shop,
    ),
    Synthetic(
        name="Israeli bank",
        title="synthetic Israeli bank (holidays like its Saturday, eves like its Friday, 2023-2024)",
        country="IL",
        tz=IL_TZ,
        seed=4,
        mean_of=israeli_bank,
    ),
    Synthetic(
        name="Saudi desk",
        title="synthetic Saudi desk (Friday closed, closed on every holiday, multi-day Eids, catch-up after)",
        country="SA",
        tz=SA_TZ,
        seed=5,
        mean_of=saudi_desk,
    ),
    Synthetic(
        name="Japanese desk",
        title="synthetic Japanese desk (weekends and holidays closed, Golden Week, year-end closure)",
        country="JP",
        tz=JP_TZ,
        seed=6,
        mean_of=japanese_desk,
    ),
    Synthetic(
        name="Brazilian centre",
        title="synthetic Brazilian centre (history from April 2024; three holidays "
        "closed, the rest like a Saturday; unnamed Carnival)",
        country="BR",
        tz=BR_TZ,
        seed=7,
        mean_of=brazilian_centre,
        first=dt.date(2024, 4, 1),
        days=53 * 7,
        origins=(dt.date(2024, 9, 2), dt.date(2025, 3, 31)),
    ),
    Synthetic(
        name="Indian helpdesk",
        title="synthetic Indian helpdesk (history from January 2024; holidays closed, at 60%, from 14:00 or as usual)",
        country="IN",
        tz=IN_TZ,
        seed=8,
        mean_of=indian_helpdesk,
        first=dt.date(2024, 1, 1),
        days=53 * 7,
        origins=(dt.date(2024, 6, 3), dt.date(2024, 12, 30)),
    ),
    Synthetic(
        name="Chinese shop",
        title="synthetic Chinese shop (open daily; reduced staff on breaks, Spring "
        "Festival at 15%, make-up working weekends)",
        country="CN",
        tz=CN_TZ,
        seed=9,
        mean_of=chinese_shop,
    ),
    Synthetic(
        name="French team",
        title="synthetic French team (history from March 2024; Pentecost Monday worked, a bridge Friday, August at 60%)",
        country="FR",
        tz=FR_TZ,
        seed=10,
        mean_of=french_team,
        first=dt.date(2024, 3, 4),
        days=60 * 7,
        origins=(dt.date(2024, 7, 1), dt.date(2025, 4, 21)),
    ),
    Synthetic(
        name="Korean desk",
        title="synthetic Korean desk (three-day Seollal and Chuseok, election days from 13:00, catch-up after)",
        country="KR",
        tz=KR_TZ,
        seed=11,
        mean_of=korean_desk,
        days=2 * 364 + 7 + 35,
        origins=(dt.date(2024, 1, 1), dt.date(2025, 1, 27)),
    ),
    Synthetic(
        name="Australian centre",
        title="synthetic Australian centre (history from February 2024; open daily, holidays with Sunday hours)",
        country="AU",
        tz=AU_TZ,
        seed=12,
        mean_of=australian_centre,
        first=dt.date(2024, 2, 5),
        days=70 * 7,
        origins=(dt.date(2024, 7, 1), dt.date(2025, 5, 26)),
    ),
    Synthetic(
        name="US retailer",
        title="synthetic US online retailer (open daily; its sale calendar given: Black Friday, Cyber Monday, "
        "seasonal sales; Thanksgiving at 35%, Christmas closed, a December season not named)",
        country="US",
        tz=RETAIL_TZ,
        seed=13,
        mean_of=us_retailer,
        calendar=retail_sales,
    ),
    Synthetic(
        name="Bavarian team",
        title="synthetic Bavarian team (regional holidays and a 24 Dec-1 Jan closure the national calendar does not "
        "name, bridge Fridays, catch-up after)",
        country="DE",
        tz=BY_TZ,
        seed=14,
        mean_of=bavarian_team,
    ),
    Synthetic(
        name="Dutch team",
        title="synthetic Dutch team (history from three weeks before Christmas 2024; holidays closed except King's "
        "Day at half, Liberation Day, Good Friday at 70%)",
        country="NL",
        tz=NL_TZ,
        seed=15,
        mean_of=dutch_team,
        first=dt.date(2024, 11, 25),
        days=32 * 7,
        origins=(dt.date(2024, 12, 16), dt.date(2025, 6, 30)),
    ),
)
"""The held-out-style series, the last six added in the tenth pass of issue 18."""


def synthetic_series(series: Synthetic) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The hourly Poisson counts of ``series`` around its mean, and its country's holidays."""
    from forecasts.grid import interval_grid
    from forecasts.holidays_calendar import holiday_events

    grid = interval_grid(series.first, series.days, series.tz, INTERVAL).as_unit("ns")
    local = grid.tz_convert(series.tz)
    last = series.first + dt.timedelta(days=series.days)
    events = holiday_events(series.country, series.first, last, series.tz)
    if series.calendar is not None:
        events = pd.concat([events, series.calendar(series.first, last, series.tz)], ignore_index=True)
        events = events.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)
    mean = series.mean_of(local.hour.to_numpy(), local.day_of_week.to_numpy(), np.array(local.date), events)
    y = np.random.default_rng(series.seed).poisson(mean).astype(float)
    return pd.DataFrame({"ds": grid, "queue": "calls", "y": y}), events


def run_synthetic(series: Synthetic, *, show: bool = True) -> BacktestResult:
    """Backtest ``series`` from every Monday of its scored range, only its holidays given; print the scores."""
    from forecasts.backtest import backtest, weekly_origins
    from forecasts.settings import ModelOptions

    history, events = synthetic_series(series)
    origins = weekly_origins(*series.origins)
    result = backtest(history, events, origins=origins, options=ModelOptions(tz=series.tz, interval_minutes=INTERVAL))
    if show:
        print_generalisation(series, origins, result)
    return result


def print_generalisation(series: Synthetic, origins: tuple[dt.date, ...], result: BacktestResult) -> None:
    from forecasts.backtest import METHOD_NAMES, format_breakdown

    print()
    print(f"generalisation: {series.title}, {len(origins)} Mondays {origins[0]}..{origins[-1]}, only holidays "
          f"{series.country} given")  # fmt: skip
    print(f"{'hourly, all origins':<20} {'WAPE %':>8} {'holiday+eve':>12} {'normal':>8} {'bias %':>8} {'P80 cov':>8}")
    for method, name in METHOD_NAMES.items():
        row = {d: result.score(method, d) for d in ("all", "event", "normal")}
        cover = f"{100 * row['all']['coverage_p80']:>7.0f}%" if method == "model" else ""
        print(f"{name:<20} {100 * row['all']['wape']:>8.1f} {100 * row['event']['wape']:>12.1f} "
              f"{100 * row['normal']['wape']:>8.1f} {100 * row['all']['bias']:>+8.1f} {cover}")  # fmt: skip
    print(format_breakdown(result))
    print(f"{'':<20} {format_event_coverage(result)}")


def event_coverage(result: BacktestResult) -> tuple[float, float]:
    """The model's P80 and P95 coverage of event-day hours (holidays, eves, sales)."""
    row = result.score("model", "event")
    return float(row["coverage_p80"]), float(row["coverage_p95"])


def format_event_coverage(result: BacktestResult) -> str:
    p80, p95 = event_coverage(result)
    return f"event-hour coverage P80 {100 * p80:.1f}%, P95 {100 * p95:.1f}%"


NOMINAL_P80 = (0.75, 0.85)
"""The P80 coverage of special-day hours issue 18 asks for (printed per series, not an exit condition: hours of a
fraction of a contact are covered as whole counts allow, see docs/forecast.md, Bands)."""


def format_coverage_summary(results: list[tuple[str, BacktestResult]]) -> str:
    """How many readings have event-hour P80 coverage outside :data:`NOMINAL_P80`, and the mean distances."""
    covers = {name: event_coverage(result) for name, result in results}
    # to the whole percent, as the tables of docs/forecast-history.md have read them since the thirteenth pass
    outside = [n for n, (p80, _) in covers.items() if not NOMINAL_P80[0] - 0.005 <= p80 < NOMINAL_P80[1] + 0.005]
    p80_gap = np.mean([abs(p80 - 0.80) for p80, _ in covers.values()])
    p95_gap = np.mean([abs(p95 - 0.95) for _, p95 in covers.values()])
    return (
        f"event-hour P80 coverage outside {100 * NOMINAL_P80[0]:.0f}-{100 * NOMINAL_P80[1]:.0f}%: {len(outside)} of "
        f"{len(covers)} readings ({', '.join(outside) or 'none'}); mean distance from nominal P80 "
        f"{100 * p80_gap:.2f} points, P95 {100 * p95_gap:.2f}"
    )


SHORT_FIRST, SHORT_ORIGINS = dt.date(2024, 1, 1), (dt.date(2024, 6, 3), dt.date(2024, 12, 23))
"""The short-history reading of a two-year series: history from January 2024, scored June-December 2024."""


def short_histories() -> tuple[Synthetic, ...]:
    """Every two-year series again with only five months of history before its first origin (a new team's year)."""
    return tuple(
        replace(series, first=SHORT_FIRST, days=(SHORT_ORIGINS[1] - SHORT_FIRST).days + 14, origins=SHORT_ORIGINS)
        for series in SYNTHETIC_SERIES
        if series.first < SHORT_FIRST
    )


def format_short_history(series: Synthetic, result: BacktestResult) -> str:
    """One line: overall / holiday+eve WAPE % of the model, the 8-week average and both rules, and the verdict."""
    cells = [
        f"{name} {100 * result.score(m, 'all')['wape']:.2f} / {100 * result.score(m, 'event')['wape']:.1f}"
        for m, name in (
            ("model", "model"),
            ("avg_8w", "8-week average"),
            *zip(RULES, ("rule", "unscaled rule"), strict=True),
        )
    ]
    verdict = "beats all three" if beats_baselines(result) else "does NOT beat all three"
    return f"  {series.name}: " + ", ".join(cells) + f"; {verdict}; {format_event_coverage(result)}"


RULES = ("day_type_rule", "rest_day_rule")
"""The day-type rule read two ways (scaled by past holidays as worded, and unscaled): the targets take the stronger."""


def beats_baselines(result: BacktestResult) -> bool:
    """The model beats the 8-week average and both readings of the day-type rule, overall and on event days."""
    return all(
        result.score("model", d)["wape"] < min(result.score(m, d)["wape"] for m in ("avg_8w", *RULES))
        for d in ("all", "event")
    )


FIRST_HOLIDAY_WEEKS = 4  # the history a team has when it starts: its first holidays have no past one to learn from


def first_holidays(history: pd.DataFrame, events: pd.DataFrame, tz: str) -> tuple[int, float, dict[str, float]]:
    """The event-day WAPE of every method in the weeks of a history's first holidays.

    For each holiday, the Monday of its week is an origin when the
    :data:`FIRST_HOLIDAY_WEEKS` weeks before it hold no holiday and no eve; the
    model is fitted on those weeks only (a team that has just started) and the
    holidays and eves of the week are scored. Returns (weeks, actual calls,
    WAPE per method).
    """
    from forecasts.backtest import METHOD_COLUMNS, METHODS, backtest
    from forecasts.holidays_calendar import HOLIDAY_CATEGORY
    from forecasts.settings import ModelOptions

    local = history["ds"].dt.tz_convert(tz).dt.date
    holidays_ = events[events["category"].str.casefold() == HOLIDAY_CATEGORY]
    days = sorted({row.start.tz_convert(tz).date() for row in holidays_.itertuples()})
    error = dict.fromkeys(METHODS, 0.0)
    actual, origins = 0.0, set()
    for day in days:
        origin = day - dt.timedelta(days=day.weekday())
        start = origin - dt.timedelta(weeks=FIRST_HOLIDAY_WEEKS)
        seen = any(start - dt.timedelta(days=1) <= d < origin for d in days)  # a holiday, or its eve, before
        if origin in origins or seen or start < local.min() or day > local.max():
            continue
        origins.add(origin)
        part = history[(local >= start) & (local < origin + dt.timedelta(days=7))]
        scored = backtest(part, events, origins=[origin], options=ModelOptions(tz=tz, interval_minutes=INTERVAL))
        rows = scored.predictions[scored.predictions["day_class"] == "event"]
        actual += float(rows["y"].sum())
        for method in METHODS:
            error[method] += float((rows["y"] - rows[METHOD_COLUMNS[method]]).abs().sum())
    return len(origins), actual, {method: e / actual if actual > 0 else np.nan for method, e in error.items()}


def main() -> int:
    """Score every series, its first holidays and its short-history reading; 0 when every series beats all."""
    from forecasts.backtest import METHOD_NAMES, weekly_origins

    print("peakplan forecast benchmark: held-out-style synthetic series, only holidays CC given (issue 18)")
    results = [(series.name, run_synthetic(series)) for series in SYNTHETIC_SERIES]
    print()
    print(f"first holidays of a history: the week of each holiday with no holiday or eve in the {FIRST_HOLIDAY_WEEKS} "
          "weeks of history before it (fitted on those weeks only; not a target); holiday+eve WAPE %")  # fmt: skip
    for series in SYNTHETIC_SERIES:
        history, events = synthetic_series(series)
        weeks, calls, wape = first_holidays(history, events, series.tz)
        print(f"  {series.name}: {weeks} week{'s' if weeks != 1 else ''}, {calls:,.0f} calls: "
              + ", ".join(f"{METHOD_NAMES[m]} {100 * w:.1f}" for m, w in wape.items()))  # fmt: skip
    print()
    print(f"short histories: each two-year synthetic series with history from {SHORT_FIRST} only, "
          f"{len(weekly_origins(*SHORT_ORIGINS))} Mondays {SHORT_ORIGINS[0]}..{SHORT_ORIGINS[1]} "
          "(not a target); hourly WAPE % all / holiday+eve")  # fmt: skip
    shorts = []
    for series in short_histories():
        shorts.append((f"short {series.name}", run_synthetic(series, show=False)))
        print(format_short_history(series, shorts[-1][1]))
    print()
    print(format_coverage_summary(results + shorts))
    print()
    for name, result in results:
        ok = beats_baselines(result)
        print(f"{'met ' if ok else 'MISSED'} synthetic {name}: beats the 8-week average and both day-type rules, "
              "overall and on event days: see above")  # fmt: skip
    return 0 if all(beats_baselines(result) for _, result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
