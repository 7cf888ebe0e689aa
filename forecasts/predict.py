"""Baseline x effects for a range of dates, with the names and uplift table of what applied.

The effects of the event days (and timed events) come first, the
day-before/day-after effects only where no event runs; within a tier the
largest multiplier applies (a sale on a holiday is planned as the sale). A
day-before or day-after effect is used only where it stands out from the
queue's ordinary day-to-day variation. A stated uplift replaces the learned
effect of the event's days with a flat multiplier.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from forecasts.baseline import Fit
from forecasts.dayprofiles import (
    PRICED_SOURCES,
    SOURCE_GROUP,
    SOURCE_REST_DAY,
    DayPlan,
    eve_of_an_ordinary_holiday,
    eve_share,
    eves_of_holidays_like,
    plan_closed_weekday,
    plan_day,
    reference_weekday,
)
from forecasts.daytypes import DAY_TYPES, EVE, HOLIDAY, NO_SPECIAL_DAYS, PROFILED, SpecialDays
from forecasts.effects import sale_day_position
from forecasts.events import OFFSET_BEFORE, OFFSET_DURING, OFFSET_LABEL, TIMED, CalendarState
from forecasts.holidays_calendar import HOLIDAY_CATEGORY
from forecasts.monthcycle import cycle_factors
from forecasts.series import Series
from forecasts.settings import ModelSettings
from forecasts.special_days import SpecialDayForecast

SOURCE_LEARNED = "learned"
SOURCE_STATED = "stated"
SOURCE_NONE = "none"


@dataclass(slots=True, kw_only=True)
class Prediction:
    intervals: np.ndarray  # (n,) positions in the grid
    baseline: np.ndarray  # (Q, n)
    uplift: np.ndarray  # (Q, n)
    spread: np.ndarray  # (Q, n) log-scale spread of the applied effect, 0 where none
    names: np.ndarray  # (n,) object: ';'-joined names
    kind: np.ndarray  # (n,) day type code of each interval's date
    extra_var: np.ndarray  # (Q, n) variance of a special day's shares (sd_a * ordinary)^2 + (sd_b * reference)^2
    # (Q, n) a special day priced from past days of its kind or the config (dayprofiles.PRICED_SOURCES), not an
    # ordinary day for want of history (never seen) or a closed weekday: the special-day calibration sets its band
    priced: np.ndarray
    uplift_rows: list[dict[str, object]] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)
    special: list[SpecialDayForecast] = field(default_factory=list)  # profiled days in the window, per queue


def predict(
    series: Series,
    state: CalendarState,
    fit: Fit,
    target: np.ndarray,
    settings: ModelSettings,
    *,
    describe: bool = False,
    special: SpecialDays = NO_SPECIAL_DAYS,
) -> Prediction:
    """Baseline x effects for the dates ``target`` (ascending date indices).

    Holidays, eves, bridge days and holiday periods take their own profile
    (:mod:`forecasts.dayprofiles`) unless a sale or timed event runs on them;
    ``special`` holds what the team declared about its holidays.
    """
    intervals = series.intervals_of(target)
    days = series.interval_date[intervals]
    weekday = series.weekday[days]
    slot = series.interval_slot[intervals]
    month = cycle_factors(fit.month_factor, series.dates[days], state.types.kind[days])
    baseline = fit.level[:, None] * month * fit.day_mean[:, weekday] * fit.shape[:, weekday, slot]
    n_q = len(series.queues)
    uplift = np.ones_like(baseline)
    spread = np.zeros_like(baseline)
    extra_var = np.zeros_like(baseline)
    priced = np.zeros(baseline.shape, dtype=bool)
    names: list[list[str]] = [[] for _ in range(len(intervals))]
    ev = state.ev
    applied: dict[int, dict[str, dict[str, object]]] = {}  # event row -> queue -> its uplift-table entry
    missing: dict[str, list[str]] = {}
    special_days: list[SpecialDayForecast] = []
    pending_before: dict[tuple[int, str], float] = {}

    def resolve(
        row: int, offset: int, q: int, day: int | None = None
    ) -> tuple[float, np.ndarray | None, float, str, int]:
        """(daily ratio, per-slot ratio or None for flat, spread, source, occurrences).

        With ``day``, an all-day event's days take the effect of their position
        (first, middle, last day: sale day *k*) where it stands out from the
        event's pooled effect by more than day-to-day noise.
        """
        category = str(ev["category"].iat[row])
        stated = float(ev["uplift"].iat[row])
        key = (category, offset if ev["all_day"].iat[row] else TIMED)
        effect = fit.effects.get(key)
        count = int(effect.occurrences[q]) if effect is not None else 0
        if offset == OFFSET_DURING and not np.isnan(stated):
            return 1.0 + stated, None, settings.effect_log_sd, SOURCE_STATED, count
        if effect is None or count == 0:
            return 1.0, None, 0.0, SOURCE_NONE, 0
        ratio = float(effect.ratio[q])
        if offset != OFFSET_DURING:
            # a ramp-up or tail must stand out from ordinary day-to-day variation to be used
            noise = float(fit.day_noise[q]) / np.sqrt(effect.days)
            if abs(np.log(max(ratio, 1e-9))) < max(settings.side_effect_z * noise, settings.side_effect_min):
                return 1.0, None, 0.0, SOURCE_NONE, count
        if offset == OFFSET_DURING and day is not None and ev["all_day"].iat[row]:
            positional = fit.effects.get((category, sale_day_position(series, state, row, day)))
            if positional is not None and positional.occurrences[q] > 0:
                shift = abs(np.log(max(float(positional.ratio[q]), 1e-9) / max(ratio, 1e-9)))
                noise = float(fit.day_noise[q]) / np.sqrt(positional.days)
                if shift >= max(settings.side_effect_z * noise, settings.side_effect_min):
                    effect, ratio = positional, float(positional.ratio[q])
        # the spread of a handful of occurrences understates the next one's: never below the default
        psi = float(np.fmax(effect.log_sd[q], settings.effect_log_sd))
        return ratio, effect.slot[q] if effect.slot is not None else None, psi, SOURCE_LEARNED, count

    start = 0
    for d in target:
        n = series.day_start[d + 1] - series.day_start[d]
        span = slice(start, start + n)
        start += n
        entries = state.entries[d] if d < len(state.entries) else []
        timed_rows = [row for row, positions in state.timed.items() if positions[0] < series.day_start[d + 1]
                      and positions[-1] >= series.day_start[d]]  # fmt: skip
        if state.types.kind[d] in PROFILED and not timed_rows:
            found = _profile_day(series, state, fit, int(d), span, baseline, (uplift, spread, extra_var), settings,
                                 special)  # fmt: skip
            for q, (plan, _) in enumerate(found):
                priced[q, span] = plan.source in PRICED_SOURCES
            for i in range(n):
                names[span.start + i] = [str(state.types.name[d])]
            if describe:
                _describe_profiled(applied, found, state, int(d), series, special_days, pending_before)
            continue
        if not entries and not timed_rows:
            continue
        day_positions = np.arange(series.day_start[d], series.day_start[d + 1])
        labels: list[str] = [str(ev["name"].iat[row]) for row, offset in entries if offset == OFFSET_DURING]
        interval_labels: list[list[str]] = [[] for _ in range(n)]
        for q in range(n_q):
            queue = series.queues[q]
            best: dict[int, tuple[float, np.ndarray, float]] = {}  # tier -> (ratio, per-interval uplift, spread)
            for row, offset in entries:
                ratio, slot_ratio, psi, src, count = resolve(row, offset, q, int(d))
                if describe:
                    _describe(applied, missing, ev, row, queue, offset, resolve(row, OFFSET_DURING, q), ratio, src)
                if src == SOURCE_NONE:
                    continue
                if offset != OFFSET_DURING:
                    label = f"{ev['name'].iat[row]} ({OFFSET_LABEL[offset]})"
                    if label not in labels:
                        labels.append(label)
                tier = 0 if offset == OFFSET_DURING else 1
                if tier in best and best[tier][0] >= ratio:
                    continue
                base = baseline[q, span]
                if slot_ratio is None:
                    per = np.full(n, ratio)
                else:
                    raw = slot_ratio[slot[span]]
                    weight = float((base * raw).sum())
                    per = raw * (ratio * float(base.sum()) / weight) if weight > 0 else np.full(n, ratio)
                best[tier] = (ratio, per, psi)
            chosen = best.get(0) or best.get(1)
            per_interval = chosen[1].copy() if chosen else np.ones(n)
            psi_interval = np.full(n, chosen[2] if chosen else 0.0)
            tier_zero = np.full(n, 0 in best)
            for row in timed_rows:
                ratio, _, psi, src, count = resolve(row, OFFSET_DURING, q)
                if describe:
                    _describe(
                        applied, missing, ev, row, queue, OFFSET_DURING, (ratio, None, psi, src, count), ratio, src
                    )
                active = np.isin(day_positions, state.timed[row])
                for pos in np.flatnonzero(active):
                    if str(ev["name"].iat[row]) not in interval_labels[pos]:
                        interval_labels[pos].append(str(ev["name"].iat[row]))
                if src == SOURCE_NONE:
                    continue
                better = active & (~tier_zero | (ratio > per_interval))
                per_interval[better] = ratio
                psi_interval[better] = psi
                tier_zero |= active
            uplift[q, span] = per_interval
            spread[q, span] = psi_interval
        for i in range(n):
            names[span.start + i] = labels + [label for label in interval_labels[i] if label not in labels]
    # day-before/after names only where their effect applies, so "no event, no uplift" holds
    prediction = Prediction(
        intervals=intervals,
        baseline=baseline,
        uplift=uplift,
        spread=spread,
        names=np.array([";".join(n) for n in names], dtype=object),
        kind=state.types.kind[days],
        extra_var=extra_var,
        priced=priced,
    )
    if describe:
        prediction.uplift_rows = _flatten_rows([entry for _, entry in sorted(applied.items())])
        prediction.missing = missing
        prediction.special = special_days
    return prediction


def _profile_day(
    series: Series,
    state: CalendarState,
    fit: Fit,
    d: int,
    span: slice,
    baseline: np.ndarray,
    out: tuple[np.ndarray, np.ndarray, np.ndarray],
    settings: ModelSettings,
    special: SpecialDays,
) -> list[tuple[DayPlan, float]]:
    """Price one holiday/eve/bridge/period day as ``a * ordinary + b * reference``; (plan, share) per queue.

    Writes the day's span of ``out`` = (uplift, spread, extra variance).
    """
    uplift, spread, extra_var = out
    kind = int(state.types.kind[d])
    weekday = int(series.weekday[d])
    slots = series.interval_slot[series.day_start[d] : series.day_start[d + 1]]
    ref = reference_weekday(kind, fit.profiles, bool(state.types.closed_next[d]))
    declared = special.share(series.dates[d].astype(object), str(state.types.name[d])) if kind == HOLIDAY else np.nan
    closed_day = not state.open_weekday[weekday] and np.isnan(declared)
    # a closed weekday reopens at its end (a Saturday evening) unless a holiday follows: then it stays closed
    holiday_next = (
        closed_day
        and d + 1 < len(state.types.kind)
        and state.types.kind[d + 1] == HOLIDAY
        and (kind == HOLIDAY or closed_before_a_holiday(fit.shape[:, weekday, :], fit.day_mean[:, weekday]))
    )
    if holiday_next:
        ref = None
    found = []
    next_declared = (
        special.share(series.dates[d + 1].astype(object), str(state.types.name[d + 1]))
        if kind == EVE and d + 1 < len(series.dates)
        else np.nan
    )
    for q in range(len(series.queues)):
        profiles = fit.profiles
        if kind == EVE:
            closed = _holiday_closed(series, state, fit, d + 1, next_declared, q, settings)
            profiles = eves_of_holidays_like(fit.profiles, str(state.types.key[d]), closed, q)
        plan = plan_day(profiles, kind, str(state.types.key[d]), declared, q, settings)
        if kind == EVE and plan.source in (SOURCE_GROUP, SOURCE_REST_DAY):
            next_key = str(state.types.key[d + 1])
            plan = eve_of_an_ordinary_holiday(profiles, plan, next_key, next_declared, q, settings)
        if closed_day:
            plan = plan_closed_weekday(fit.profiles, str(state.types.key[d + 1]) if holiday_next else None, q, settings)
        ordinary = baseline[q, span]
        ref_q = ref
        # a first holiday followed by another closed day where the team has no closed run of weekdays: "closed all
        # day" is what past holidays would have to show; with none, it looks like the rest day (a shop open every
        # day works its New Year holidays like a Sunday, not as closed)
        if ref is None and plan.source == SOURCE_REST_DAY and kind == HOLIDAY and not holiday_next:
            ref_q = fit.profiles.rest
        if ref_q is None:
            reference: np.ndarray | float = 0.0
        elif ref_q == weekday:
            reference = ordinary  # the day's own weekday is its reference: the day is (a + b) of it
        else:
            reference = fit.level[q] * fit.day_mean[q, ref_q] * fit.shape[q, ref_q, slots]  # special days: no cycle
        if plan.toward_reference > 0 and ref_q is not None:
            # a holiday priced from a thin group leans on its reference day, the chain's fallback (reference_weight)
            keep = 1.0 - plan.toward_reference
            plan = replace(plan, a=keep * plan.a, b=keep * plan.b + plan.toward_reference)
        reference_total = float(np.sum(reference)) if ref_q is not None else 0.0
        if plan.in_reference_shape and reference_total > 0:
            # the group's share of an ordinary day, in the reference day's shape
            share = eve_share(plan, float(ordinary.sum()), reference_total, settings)
            plan = replace(plan, a=0.0, b=share * float(ordinary.sum()) / reference_total)
        yhat = plan.a * ordinary + plan.b * reference
        if plan.own_counts is not None:
            yhat = own_shape(yhat, plan.own_counts[slots] * (ordinary > 0), settings)
        if plan.slot_shape is not None:
            reshaped = yhat * plan.slot_shape[slots]
            weight = float(reshaped.sum())
            yhat = reshaped * (float(yhat.sum()) / weight) if weight > 0 else yhat
        # where the ordinary day has no volume the baseline is 0 and so is the forecast (yhat = baseline x uplift)
        uplift[q, span] = np.divide(yhat, ordinary, out=np.ones_like(ordinary), where=ordinary > 0)
        spread[q, span] = plan.spread
        extra_var[q, span] = ((plan.sd_a * ordinary) ** 2 + (plan.sd_b * reference) ** 2) * (ordinary > 0)
        total = float(ordinary.sum())
        found.append((plan, float((yhat * (ordinary > 0)).sum()) / total if total > 0 else 1.0))
    return found


END_OF_DAY = 0.75
"""The last quarter of a day (18:00 on): a closed weekday with most of its volume there reopens at its end."""


def closed_before_a_holiday(shape: np.ndarray, day_mean: np.ndarray) -> bool:
    """Whether a closed weekday followed by a holiday takes the holiday's share of itself (all queues' volume).

    A bank closed on Saturday until sundown reopens at the end of it, and a
    holiday the next day keeps it closed (``plan_closed_weekday``); so does a
    weekday of a few calls scattered over it (under one contact an interval on
    average: the holiday's share, near zero, misses a handful of scattered calls
    by less than their mean does, and a shape learned from so few calls has
    noise for hours). A weekday the team works for a few hours in its middle (a
    Sunday 10-16) has no reopening to lose: on the day before a holiday it stays
    as usual (a holiday falling on it, followed by another, keeps its share).
    """
    volume = (shape * day_mean[:, None]).sum(axis=0)
    total = float(volume.sum())
    if total < len(volume):  # under one contact an hour: scattered calls, not open hours
        return True
    return float(volume[int(END_OF_DAY * len(volume)) :].sum()) > total / 2


def _holiday_closed(
    series: Series, state: CalendarState, fit: Fit, d: int, declared: float, q: int, settings: ModelSettings
) -> bool | None:
    """Whether the holiday on date ``d`` is forecast closed, its mix leaning to its reference day (None: no holiday,
    or one on a weekday the team does not work, which is that weekday as usual and says nothing)."""
    if d >= len(series.dates) or state.types.kind[d] != HOLIDAY or not state.open_weekday[series.weekday[d]]:
        return None
    plan = plan_day(fit.profiles, HOLIDAY, str(state.types.key[d]), declared, q, settings)
    return plan.b > plan.a


def own_shape(mix: np.ndarray, counts: np.ndarray, settings: ModelSettings) -> np.ndarray:
    """The mix's volume in the intraday shape of the day's own past occurrences (``counts`` per slot).

    Two weekday profiles cannot draw every day: a US bank's Thanksgiving eve
    closes at 14:00 while its Friday does not. The own shape is shrunk towards the
    mix's with ``shape_prior_contacts`` pseudo-contacts, so a nearly empty past
    holiday (a dozen calls) does not dictate the hours of the next one.
    """
    total = float(mix.sum())
    if total <= 0 or float(counts.sum()) <= 0:
        return mix
    prior = settings.shape_prior_contacts
    shape = (counts + prior * mix / total) / (float(counts.sum()) + prior)
    return total * shape


def _describe_profiled(
    applied: dict[int, dict[str, dict[str, object]]],
    found: list[tuple[DayPlan, float]],
    state: CalendarState,
    d: int,
    series: Series,
    special_days: list[SpecialDayForecast],
    pending_before: dict[tuple[int, str], float],
) -> None:
    """Record a profiled day for the uplift table (holidays, with their eve) and the special-day list."""
    kind = int(state.types.kind[d])
    day = series.dates[d].astype(object)
    for q, (plan, share) in enumerate(found):
        queue = series.queues[q]
        special_days.append(SpecialDayForecast(
            date=day, day_type=DAY_TYPES[kind], name=str(state.types.name[d]), queue=queue,
            source=plan.source, share=share, occurrences=plan.occurrences,
        ))  # fmt: skip
        if kind not in (HOLIDAY, EVE):
            continue
        for row, offset in state.entries[d]:
            if offset != (OFFSET_DURING if kind == HOLIDAY else OFFSET_BEFORE):
                continue
            if str(state.ev["category"].iat[row]).casefold() != HOLIDAY_CATEGORY:
                continue
            if kind == EVE:
                pending_before[(row, queue)] = share  # the holiday's own row comes the next day
                continue
            applied.setdefault(row, {}).setdefault(queue, {
                "event_id": str(state.ev["event_id"].iat[row]), "name": str(state.ev["name"].iat[row]),
                "category": str(state.ev["category"].iat[row]), "queue": queue, "multiplier": share,
                "source": plan.source, "occurrences": plan.occurrences,
                "before": pending_before.get((row, queue), np.nan), "after": np.nan,
            })  # fmt: skip


def _describe(
    applied: dict[int, dict[str, dict[str, object]]],
    missing: dict[str, list[str]],
    ev: pd.DataFrame,
    row: int,
    queue: str,
    offset: int,
    during: tuple[float, np.ndarray | None, float, str, int],
    ratio: float,
    src: str,
) -> None:
    """Record how an event touching the window was priced for the uplift table and the warnings."""
    record = applied.setdefault(row, {}).setdefault(queue, {
        "event_id": str(ev["event_id"].iat[row]), "name": str(ev["name"].iat[row]),
        "category": str(ev["category"].iat[row]), "queue": queue, "multiplier": float(during[0]),
        "source": during[3], "occurrences": int(during[4]), "before": np.nan, "after": np.nan,
    })  # fmt: skip
    if offset == OFFSET_DURING:
        if src == SOURCE_NONE:
            queues = missing.setdefault(str(ev["category"].iat[row]), [])
            if queue not in queues:
                queues.append(queue)
    elif src == SOURCE_LEARNED:
        record["before" if offset == OFFSET_BEFORE else "after"] = float(ratio)


def _flatten_rows(entries: list[dict[str, dict[str, object]]]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for entry in entries:
        for queue in sorted(entry):
            rows.append(entry[queue])
    return rows
