"""Unusual days: normal days whose hours lie far from their weekday's shape, kept out of the baseline.

A real history holds days nothing in the calendar explains: an election day
that brings a rush at 07:00 and a quiet afternoon, a news item or a mailing
that floods one evening hour. Taken as normal days they move the weekday's
shape (and its total) for the next ``baseline_weeks`` weeks and the level for
the next four. The Technion bank's 17 May 1999, the day of Israel's general
election, had 406 calls at 07:00 where about 40 are usual and 955 in the day
where about 1,550 are; for the next six Mondays every forecast that averaged
it in drew 80-100 calls at 07:00.

A normal day is *unusual* when its team-wide hours, drawn from its own total
in the shape of the normal same weekdays within four weeks either side, miss
by more than ``unusual_hours_spread`` times what its weekday's days typically
miss by (the Pearson statistic ``sum((y - mu)^2 / (mu + 1))`` against the
median of that weekday's days). The comparison is with the team's own days,
so over-dispersion, volume and the width of a slot need no model: a queue
whose hours wander a lot has a large median and keeps its days. Judged on the
hours, not the total: a day that is busy or quiet throughout is what the level
and the month cycle are for (a test on the day's total at 3-4 standard
deviations of day-to-day noise was measured and not kept, see
docs/forecast-history.md, "Twelfth pass"). Unusual days are listed as a warning, left
out of the weekday totals, the shapes, the level and the month cycle, and
still calibrate the bands (they are part of what the team's days do).
"""

from __future__ import annotations

import numpy as np

MIN_DAYS_PER_WEEKDAY = 4  # days of a weekday with a distance before its median says what is typical


def unusual_days(slots: np.ndarray, weekday: np.ndarray, normal: np.ndarray, spread: float, window: int) -> np.ndarray:
    """(D,) normal days whose hours lie ``spread`` times further from their weekday's shape than its typical day.

    Args:
        slots: (D, S) team-wide volume per date and wall-clock slot.
        weekday: (D,) weekday of each date, 0 = Monday.
        normal: (D,) the days to judge, and the only days a shape is drawn from.
        spread: how many times the weekday's median distance makes a day unusual (``inf``: none).
        window: the shape of a day is that of the normal same weekdays within this many days either side.
    """
    n_d = len(normal)
    out = np.zeros(n_d, dtype=bool)
    if not np.isfinite(spread):
        return out
    distance = day_distances(slots, weekday, normal, window)
    for w in range(7):
        mine = normal & (weekday == w) & ~np.isnan(distance)
        if mine.sum() >= MIN_DAYS_PER_WEEKDAY:
            typical = float(np.median(distance[mine]))
            out[mine] = distance[mine] > spread * max(typical, 1e-9)
    return out


def day_distances(slots: np.ndarray, weekday: np.ndarray, normal: np.ndarray, window: int) -> np.ndarray:
    """(D,) Pearson distance of each normal day's slots from its neighbours' shape (NaN: not judged).

    The day's own total is spread in the pooled shape of the normal same
    weekdays within ``window`` days either side (the day itself left out; at
    least two of them), and ``sum((y - mu)^2 / (mu + 1))`` is taken over its
    slots (the ``+ 1`` keeps slots that are nearly always empty from counting
    a stray contact as a thousand-sigma event).
    """
    n_d = len(normal)
    distance = np.full(n_d, np.nan)
    weeks = window // 7  # same weekdays within the window: this many weeks either side
    for w in range(7):
        days = np.flatnonzero(weekday == w)  # consecutive same weekdays, a week apart
        if len(days) == 0:
            continue
        own = slots[days] * normal[days, None]
        running = np.concatenate([np.zeros((weeks + 1, own.shape[1])), np.cumsum(own, axis=0)])
        counts = np.concatenate([np.zeros(weeks + 1), np.cumsum(normal[days])])
        k = np.arange(len(days))
        hi = weeks + 1 + np.minimum(k + weeks, len(days) - 1)  # running's row through the day `weeks` weeks on
        lo = k  # ... and through the day before `weeks` weeks back (the zero padding absorbs the start)
        pooled = running[hi] - running[lo] - own
        near = counts[hi] - counts[lo] - normal[days]
        size = pooled.sum(axis=1)
        judged = normal[days] & (near >= 2) & (size > 0)
        total = slots[days].sum(axis=1)
        mu = total[:, None] * pooled / np.where(size > 0, size, 1.0)[:, None]
        pearson = ((slots[days] - mu) ** 2 / (mu + 1.0)).sum(axis=1)
        distance[days[judged]] = pearson[judged]
    return distance


__all__ = ("day_distances", "unusual_days")
