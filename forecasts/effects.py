"""Calendar effects learned from the past occurrences of each event category.

Each effect is a daily ratio (actual volume / the volume expected from normal
same-weekday days around it) and, for all-day effects, an intraday profile
(per-slot ratios shrunk towards the daily ratio by empirical Bayes: flat when
the slots differ no more than noise), because a holiday eve closes early and a
holiday opens after sundown while a sale lifts every hour alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecasts.daytypes import PROFILED
from forecasts.events import OFFSET_DURING, TIMED, CalendarState
from forecasts.series import Series
from forecasts.settings import ModelSettings


@dataclass(frozen=True, slots=True, kw_only=True)
class Effect:
    ratio: np.ndarray  # (Q,) daily ratio actual / expected
    slot: np.ndarray | None  # (Q, S) per-slot ratio (all-day effects)
    occurrences: np.ndarray  # (Q,) past events (instances) it is drawn from; 0 = unknown for that queue
    log_sd: np.ndarray  # (Q,) spread of the instance ratios, log scale (NaN: fewer than 2)
    days: int  # past days it is measured on


def sale_day_position(series: Series, state: CalendarState, row: int, day: int) -> str:
    """``"first"``, ``"middle"`` or ``"last"``: where date ``day`` lies in the all-day event ``row``.

    Sale day *k* of an event: the first day of a sale often peaks, the last one
    too (ends tonight), the days between are quieter.
    """
    first, last = int(state.first_day[row]), int(state.last_day[row])
    return "first" if day <= first else "last" if day >= last else "middle"


def learn_effects(
    series: Series,
    state: CalendarState,
    cutoff: int,
    expected_total: np.ndarray,
    shape: np.ndarray,
    settings: ModelSettings,
) -> dict[tuple[str, int | str], Effect]:
    usable = series.present & ~state.outage
    usable[cutoff:] = False
    groups: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
    by_position: dict[tuple[str, str], tuple[list[int], list[int]]] = {}  # (category, sale day position)
    categories = state.ev["category"].to_numpy()
    for day in np.flatnonzero(usable):
        entries = state.entries[day]
        if not entries:
            continue
        has_during = any(offset == OFFSET_DURING for _, offset in entries) or bool(state.during[day])
        # a day-before/after effect under a running event is not measurable, and a holiday's eve, a bridge day
        # or a day inside a holiday period is its own day type (forecasts.dayprofiles), not a ramp-up or catch-up
        side_unmeasurable = has_during or state.types.kind[day] in PROFILED
        for row, offset in entries:
            if offset != OFFSET_DURING and side_unmeasurable:
                continue
            days, rows = groups.setdefault((str(categories[row]), offset), ([], []))
            if not days or days[-1] != day:
                days.append(int(day))
                rows.append(row)
            if offset == OFFSET_DURING:
                position = (str(categories[row]), sale_day_position(series, state, row, int(day)))
                days, rows = by_position.setdefault(position, ([], []))
                if not days or days[-1] != day:
                    days.append(int(day))
                    rows.append(row)
    effects: dict[tuple[str, int | str], Effect] = {}
    n_q = len(series.queues)
    prior = settings.shape_prior_contacts
    keyed: list[tuple[tuple[str, int | str], tuple[list[int], list[int]]]] = [
        *sorted(groups.items()),
        *sorted(by_position.items()),
    ]
    for key, (days, rows) in keyed:
        d = np.array(days)
        actual = series.totals[:, d]  # (Q, n)
        expected = expected_total[:, d]
        ratio, occurrences, log_sd = effect_ratios(actual, expected, np.array(rows))
        expected_slots = expected[:, :, None] * shape[:, series.weekday[d], :] * series.exists[d][None, :, :]
        slot = slot_ratios(
            series.cube[:, d, :].sum(axis=1), expected_slots.sum(axis=1), ratio, prior, settings.shape_min_variation
        )
        effects[key] = Effect(ratio=ratio, slot=slot, occurrences=occurrences, log_sd=log_sd, days=len(d))

    timed_groups: dict[str, list[tuple[int, np.ndarray]]] = {}
    for row, positions in state.timed.items():
        days = series.interval_date[positions]
        keep = usable[days]
        if keep.any():
            timed_groups.setdefault(str(categories[row]), []).append((row, positions[keep]))
    for category, instances in sorted(timed_groups.items()):
        actual = np.zeros((n_q, len(instances)))
        expected = np.zeros((n_q, len(instances)))
        for j, (_, positions) in enumerate(instances):
            days = series.interval_date[positions]
            slots = series.interval_slot[positions]
            actual[:, j] = series.y[:, positions].sum(axis=1)
            expected[:, j] = (expected_total[:, days] * shape[:, series.weekday[days], slots]).sum(axis=1)
        ratio, occurrences, log_sd = effect_ratios(actual, expected, np.arange(len(instances)))
        effects[(category, TIMED)] = Effect(
            ratio=ratio, slot=None, occurrences=occurrences, log_sd=log_sd, days=len(instances)
        )
    return effects


def slot_ratios(
    actual: np.ndarray, expected: np.ndarray, ratio: np.ndarray, prior: float, min_variation: float
) -> np.ndarray:
    """Per-slot ratios shrunk towards the daily ratio (empirical Bayes), (Q, S).

    Slot ``s`` gets ``(A_s + lam * r) / (E_s + lam)``: ``A_s`` actual, ``E_s``
    expected contacts, ``r`` the daily ratio. ``lam = 1 / (r * tau^2)`` where
    ``tau^2`` is the relative variation of the slot ratios beyond Poisson noise,
    estimated from the slots themselves: an effect that lifts every slot alike
    (a sale) stays flat, one that reshapes the day (an eve closing early) keeps
    its shape. ``prior`` (contacts) is the least shrinkage applied; a relative
    variation ``tau`` below ``min_variation`` is taken for noise (the expected
    volume is itself an estimate) and the effect stays flat.
    """
    n_q, n_s = actual.shape
    out = np.empty((n_q, n_s))
    for q in range(n_q):
        r = ratio[q]
        busy = expected[q] >= 1.0
        if r <= 0 or busy.sum() < 2:
            out[q] = r
            continue
        a, e = actual[q, busy], expected[q, busy]
        tau2 = ((a - r * e) ** 2 / e).sum() - r * busy.sum()
        tau2 /= r**2 * e.sum()
        if tau2 < min_variation**2:  # within the noise of the expected volume itself: a flat effect
            out[q] = r
            continue
        lam = max(prior, 1.0 / (r * tau2))
        out[q] = (actual[q] + lam * r) / (expected[q] + lam)
    return out


def effect_ratios(actual: np.ndarray, expected: np.ndarray, instance: np.ndarray) -> tuple[np.ndarray, ...]:
    """Ratio of sums per queue, the number of instances measured and the spread of their log ratios."""
    n_q = actual.shape[0]
    total_expected = expected.sum(axis=1)
    ratio = np.divide(actual.sum(axis=1), total_expected, out=np.ones(n_q), where=total_expected > 0)
    occurrences = np.zeros(n_q, dtype=int)
    log_sd = np.full(n_q, np.nan)
    ids = np.unique(instance)
    for q in range(n_q):
        per = []
        for i in ids:
            e = expected[q, instance == i].sum()
            if e > 0:
                per.append((actual[q, instance == i].sum() + 0.5) / (e + 0.5))
        occurrences[q] = len(per)
        if len(per) >= 2:
            log_sd[q] = float(np.std(np.log(per), ddof=1))
    return ratio, occurrences, log_sd
