"""Holidays, eves, bridge days and holiday periods: each with its own intraday shape and level.

A special day is forecast as a mix of two profiles of the same date, with
volumes per slot (``O`` and ``R``) taken from the fitted baseline:

    yhat[s] = a * O[s] + b * R[s]

* ``O`` is the ordinary day: the date's own weekday (its total and shape);
* ``R`` is the *reference* day of the type: for a holiday the team's quietest
  regular weekday (its weekly rest day: a bank that opens after sundown on
  Saturday opens after sundown on a holiday), for an eve the last open weekday
  before that rest day (an eve closes early like a Friday); a team whose past
  holidays that short day draws better than its rest day (closed on Sunday,
  working its holidays with Saturday hours) has it as every holiday's reference
  (:func:`forecasts.references.holiday_reference`). A holiday followed
  by another closed day does not reopen at its end: its reference is a closed
  weekday followed by a closed weekday (Saturday of a Saturday-Sunday
  weekend), or nothing where the team has no such weekday. Bridge days and
  days inside a holiday period have no reference: a reduced (or busier)
  ordinary weekday.

``a`` is the share of an ordinary day the team still works, ``b`` how much of
the rest day's pattern it shows: a closed holiday is ``a = 0, b ~ 1``, a
holiday worked as normal ``a = 1, b = 0``, Independence Day in a bank a bit of
both. Each past special day gives one ``(a, b)`` per queue (non-negative least
squares over its slots, Poisson-weighted), and the forecast of a date chooses,
in this order (the *fallback chain*):

1. what the team declared for it (``[forecast.holidays]``: closed = share 0,
   open = 1, reduced = the share; the closed part keeps the rest-day pattern);
2. its own past occurrences (the holiday by name; eves by their holiday's
   name), shrunk towards its group's mean in proportion to how few there are
   (``prior_occurrences`` pseudo-occurrences of the group); the mix gives the
   volume, the own occurrences' per-slot ratios to the mix each was read as
   (shrunk towards flat, as a sale's profile) the intraday shape; a nearly
   empty occurrence (under one contact expected per hour) lends its contacts
   per slot (``forecasts.predict.own_shape``);
3. the group (all past holidays, or all past eves) when its members agree: their
   daily ratios (actual / ordinary volume) lie within ``group_agreement`` of
   each other (all of up to three, ``group_majority`` of more: :func:`agreeing`;
   a past day on its own reference weekday, an eve on a Friday, cannot say
   whether the team closes and stays out of the vote; for its own name it is
   read as worked as usual where the group's other days lean that way, else
   as its reference day, ``b``). An eve priced from its group takes
   the volume its past eves' mixes give on its own date, ``a * O + b * R``
   each (their median, the day before the rest day counted as
   ``prior_occurrences`` of them), in
   the shape of the reference day (the day before the rest day), not the mixes'
   shape, which belong to other holidays. A holiday priced from its group
   leans on its reference day (the rest day) the same way, by precision: as
   much as one past holiday, less as more that agree are seen
   (:func:`reference_weight`). The volume is the mix's, not a share
   of an ordinary day: past eves that closed at 13:00 like a Friday say the
   next eve is a Friday's volume, which on a Friday is the whole Friday, not
   the share a Wednesday kept. A bank closed
   on some holidays and open on others does not agree, and a holiday never
   seen is then
4. an ordinary day (``a = 1, b = 0``) with a wider band (``unseen_log_sd``)
   and a warning naming the holiday and the config key that settles it.

A holiday or eve with no past day of its type at all (the history's first
holiday: there is no group to agree or disagree) is its reference day
(``a = 0, b = 1``: the rest day, the day before it for an eve; a first holiday
followed by another closed day where the team has no closed run of weekdays
takes the rest day too, not "nothing": closed all day is for past holidays to
show), with the same
wide band and a share uncertainty that spans closed to open
(:data:`NO_GROUP_SHARE_SD`), and a warning naming the holiday and the key
that says the team works it. Measured on the first holiday weeks of a short
history (``docs/forecast-history.md``, "Fifth pass"), the rest
day missed less than the ordinary day on the Technion bank and on all four
synthetic teams, the US bank that works five of its eleven holidays included:
most teams close on most public holidays, and a closed day forecast as open
misses by a whole day as an open one forecast closed does. The eve of such a
holiday follows it (an eve of a holiday forecast as an ordinary day is one).

A special day on a weekday the team does not work (a holiday on a Sunday) is
that weekday as usual, and such days are not learned from: they show the
closed weekday, not the day type. The exception is a closed weekday that
would reopen at its end (Saturday evening after the Sabbath) when a holiday
follows it: it stays closed, at the holiday's share of an ordinary day.

Bridge days and days inside a holiday period learn one pooled ``a`` and the
hours of their type: ``a`` is shrunk towards 1 (an ordinary day) by how noisy
ordinary days are, ``n tau^2 / (n tau^2 + sigma^2)`` of the way to the past
days' mean (``tau`` = ``mix_prior_sd``, ``sigma`` the queue's day-to-day
variation, ``n`` past days): a day inside Passover 13% quieter than its weekday
is kept (its ``a`` is 0.89, not "no clear effect"), one within the noise of a
volatile queue is nearly ignored. Their hours are the per-slot ratios of past
days of the type to their ordinary days, shrunk towards flat by empirical Bayes
as a sale's profile (:func:`forecasts.effects.slot_ratios`): the intermediate
days of Passover close their afternoon early, the days between Christmas and
New Year are a smaller ordinary day.

Whatever the source (2 or 3), a holiday's or eve's learned share is used only
where the past days it rests on stand out from the queue's ordinary day-to-day
variation, as for the day-before/after effects (``side_effect_z`` standard
errors, at least ``side_effect_min``); otherwise the day is an ordinary one
("no clear effect").
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from forecasts.daytypes import BRIDGE, EVE, HOLIDAY, INSIDE, PROFILED
from forecasts.effects import slot_ratios
from forecasts.events import CalendarState
from forecasts.outages import silent_where_busy
from forecasts.references import holiday_reference, mix_weights, reference_profile, reference_weekdays
from forecasts.series import Series
from forecasts.settings import ModelSettings

SOURCE_DECLARED = "declared"
SOURCE_OWN = "learned"
SOURCE_GROUP = "group"
SOURCE_ORDINARY = "none"
SOURCE_NO_EFFECT = "no clear effect"  # past ones did not differ from an ordinary day by more than day-to-day noise
SOURCE_CLOSED_WEEKDAY = "closed weekday"  # a special day on a weekday the team does not work: that weekday as usual
SOURCE_REST_DAY = (
    "rest day"  # no past day of its type at all: the reference day (rest day; the day before it for an eve)
)
# the uncertainty of the share an ordinary day keeps when nothing says whether the team closes or works: closed
# (0) and open (1) equally likely, a two-point spread, so the band reaches an ordinary day's volume
NO_GROUP_SHARE_SD = 0.5
# a day forecast from these priced it from past days of its kind (an ordinary day included, where past ones showed
# no effect) or from the config; its band takes the special-day calibration (forecasts.bands)
PRICED_SOURCES = (SOURCE_DECLARED, SOURCE_OWN, SOURCE_GROUP, SOURCE_NO_EFFECT)


@dataclass(frozen=True, slots=True, kw_only=True)
class PastDay:
    """One past special day and what it showed, per queue."""

    kind: int
    key: str
    day: int  # date index
    a: np.ndarray  # (Q,) share of the ordinary day
    b: np.ndarray  # (Q,) share of the reference day
    ratio: np.ndarray  # (Q,) actual / ordinary volume of the day
    counts: np.ndarray | None = None  # (Q, S) the day's contacts per wall-clock slot: its own intraday shape
    ordinary: np.ndarray | None = None  # (Q, S) its ordinary day per slot (what it would have been as a normal day)
    fitted: np.ndarray | None = None  # (Q, S) the mix a * ordinary + b * reference it was read as, per slot
    # it fell on its own reference weekday (an eve on a Friday): closed like the reference day and worked as
    # usual are the same day there, so it says nothing about which the team does (see plan_day)
    on_reference: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DayProfiles:
    """What history says about special days, as of one cutoff."""

    rest: int  # weekday a closed holiday looks like
    pre_rest: int  # weekday an eve looks like
    run_start: int | None  # a closed weekday followed by a closed weekday (None: the team has none)
    past: tuple[PastDay, ...]
    day_noise: np.ndarray  # (Q,) sd of log(actual / expected) over normal days: ordinary day-to-day variation
    lost: tuple[int, ...] = ()  # past special days (date indices) not learned from: hours the export lost
    # weekday a holiday looks like: the rest day (a holiday followed by a closed day: run_start), or the short day
    # (pre_rest) for every holiday where that draws past holidays better (references.holiday_reference); None: rest
    holiday_ref: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DayPlan:
    """How one special day of one queue is forecast."""

    a: float
    b: float
    spread: float  # log-scale spread for the band
    sd_a: float  # uncertainty of a and b for the next occurrence (the band's share-of-day term)
    sd_b: float
    source: str  # declared / learned / group / none
    occurrences: int  # past occurrences of the day itself (by name)
    group: int  # past days of its type
    # an eve priced from its group: the mix's volume (shrunk towards the reference day), all in the reference
    # day's shape (False: a * ordinary + b * reference); see plan_day and eve_share
    in_reference_shape: bool = False
    # a holiday or eve learned from its own past occurrences: their contacts per wall-clock slot (None: the mix's
    # shape); the forecast keeps the mix's volume and takes this shape, shrunk towards the mix's
    own_counts: np.ndarray | None = None
    # a bridge day or a day inside a holiday period: per-slot multipliers of the ordinary day learned from past
    # days of its type (volume-neutral: the level is a; None: the ordinary day's shape)
    slot_shape: np.ndarray | None = None
    # a holiday priced from its group: the weight of its reference day (the rest day) in the forecast, by how
    # little and how scattered the group's evidence is (see reference_weight); applied where the day has one
    toward_reference: float = 0.0
    # an eve priced from its group: each agreeing past eve's (a, b), whose mixes' median is its volume (eve_share)
    members: tuple[tuple[float, float], ...] = ()


def reference_weekday(kind: int, profiles: DayProfiles, closed_next: bool) -> int | None:
    """The weekday whose profile is ``R`` for a day of ``kind`` (None: no reference).

    Where it is the day's own weekday (an eve on a Friday), ``R`` is the ordinary
    day itself and the day is ``(a + b)`` of it.
    """
    if kind == HOLIDAY:
        if profiles.holiday_ref is not None and profiles.holiday_ref != profiles.rest:
            return profiles.holiday_ref  # the short day: followed by a closed or rest day itself
        return profiles.run_start if closed_next else profiles.rest
    return profiles.pre_rest if kind == EVE else None


def learn_day_profiles(
    series: Series,
    state: CalendarState,
    cutoff: int,
    expected_total: np.ndarray,
    day_mean: np.ndarray,
    shape: np.ndarray,
    day_noise: np.ndarray,
    settings: ModelSettings,
) -> DayProfiles:
    """Fit ``(a, b)`` on every usable past special day before ``cutoff``."""
    rest, pre_rest, run_start = reference_weekdays(day_mean, state.open_weekday)
    kinds = state.types.kind
    # a special day on a weekday the team does not work shows the closed weekday, not the day type
    usable = series.present & ~state.outage & np.isin(kinds, PROFILED) & state.open_weekday[series.weekday]
    usable[cutoff:] = False
    holiday_ref = holiday_reference(
        series, state, usable, expected_total, day_mean, shape, (rest, pre_rest, run_start), settings.side_effect_z
    )
    profiles = DayProfiles(rest=rest, pre_rest=pre_rest, run_start=run_start, past=(), day_noise=day_noise,
                           holiday_ref=holiday_ref)  # fmt: skip
    past: list[PastDay] = []
    lost: list[int] = []
    for d in np.flatnonzero(usable):
        w = int(series.weekday[d])
        ref = reference_weekday(int(kinds[d]), profiles, bool(state.types.closed_next[d]))
        actual = series.cube[:, d, :]
        ordinary, reference = reference_profile(series, int(d), ref, expected_total, day_mean, shape)
        if ref is not None and silent_where_busy(actual.sum(axis=0), np.minimum(ordinary, reference).sum(axis=0),
                                                 float(ordinary.sum()), resumed=True):  # fmt: skip
            # hours without a contact where the ordinary day and the reference day are both busy, and contacts
            # again after them (an eve silent all morning, open in the afternoon): the export lost those hours, as
            # on a partial-outage day; an eve that closes early and stays closed is kept (its own shape is learned)
            lost.append(int(d))
            continue
        if ref is None or ref == w:
            # one scale only (on the reference weekday itself the two profiles coincide); the forecast of such a
            # day takes (a + b) of it, so it still follows what other days learned. On the reference weekday the
            # scale is kept as b: the day's type read as its reference day (an eve on a Friday is "a Friday"),
            # which is what it says about the same holiday's eve on a Wednesday; a bridge day keeps it as a
            a, b = mix_weights(actual, ordinary, np.zeros_like(ordinary))
            if ref is not None:
                a, b = b, a
        else:
            a, b = mix_weights(actual, ordinary, reference)
        total = ordinary.sum(axis=1)
        ratio = np.divide(actual.sum(axis=1), total, out=np.ones_like(total), where=total > 0)
        # on its reference weekday (or with none) the day was read as (a + b) of its ordinary day
        fitted = (
            (a + b)[:, None] * ordinary if ref is None or ref == w else a[:, None] * ordinary + b[:, None] * reference
        )
        past.append(PastDay(kind=int(kinds[d]), key=str(state.types.key[d]), day=int(d), a=a, b=b, ratio=ratio,
                            counts=actual.copy(), ordinary=ordinary, fitted=fitted, on_reference=ref == w))  # fmt: skip
    return DayProfiles(rest=rest, pre_rest=pre_rest, run_start=run_start, past=tuple(past), day_noise=day_noise,
                       lost=tuple(lost), holiday_ref=holiday_ref)  # fmt: skip


def plan_day(
    profiles: DayProfiles,
    kind: int,
    key: str,
    declared: float,
    q: int,
    settings: ModelSettings,
) -> DayPlan:
    """Walk the fallback chain for one special day and queue (see the module docstring)."""
    group = [p for p in profiles.past if p.kind == kind]
    own = [p for p in group if p.key == key] if kind in (HOLIDAY, EVE) else []
    basis = own if len(own) >= 2 else group
    sd_a = _shrunk_sd([p.a[q] for p in basis], settings)
    sd_b = _shrunk_sd([p.b[q] for p in basis], settings)
    ratios = np.array([p.ratio[q] for p in group])
    members = agreeing(group, q, settings)
    agree = len(group) > 0 and members is not None
    # a holiday's group says what most past holidays did: the median, so one the team half-worked among closed
    # ones does not reopen the next closed one (the point forecast that minimises absolute error is a median)
    centre = np.median if kind == HOLIDAY else np.mean
    voters = members or group
    group_ab = (
        (float(centre([p.a[q] for p in voters])), float(centre([p.b[q] for p in voters]))) if group else (1.0, 0.0)
    )
    spread = _log_spread([p.ratio[q] for p in own] if len(own) >= 2 else list(ratios), settings)
    if kind == HOLIDAY and not np.isnan(declared):
        closed = [p.b[q] for p in group if p.ratio[q] < 0.5]
        b_closed = float(np.mean(closed)) if closed else 1.0
        return DayPlan(sd_a=sd_a, sd_b=sd_b, a=declared, b=(1.0 - declared) * b_closed, spread=settings.effect_log_sd,
                       source=SOURCE_DECLARED, occurrences=len(own), group=len(group))  # fmt: skip
    prior = settings.prior_occurrences
    if kind in (BRIDGE, INSIDE):
        # a day inside a holiday period learns from past days of the same period only (the days after Christmas
        # are not the days after Easter; a period never seen is an ordinary day); a bridge day from every past
        # bridge day (the chain's "reduced weekday": a team that takes its bridge days off takes them all)
        days = [p for p in group if p.key == key] if kind == INSIDE else group
        n = len(days)
        mean_a = group_ab[0] if kind == BRIDGE else (float(np.mean([p.a[q] for p in days])) if days else 1.0)
        tau2, sigma2 = settings.mix_prior_sd**2, float(profiles.day_noise[q]) ** 2
        weight = n * tau2 / (n * tau2 + sigma2) if n and np.isfinite(sigma2) else 0.0
        a = 1.0 + weight * (mean_a - 1.0)
        spread = _log_spread([p.ratio[q] for p in days], settings) if days else spread
        return DayPlan(sd_a=sd_a, sd_b=sd_b, a=a, b=0.0, spread=spread if n else settings.effect_log_sd,
                       source=SOURCE_GROUP if n else SOURCE_ORDINARY, occurrences=0, group=n,
                       slot_shape=_type_shape(days, q, settings))  # fmt: skip
    if not group and kind in (HOLIDAY, EVE):
        # the history's first holiday (or eve): no group to agree, the chain's reference day (module docstring)
        return DayPlan(sd_a=NO_GROUP_SHARE_SD, sd_b=0.0, a=0.0, b=1.0, spread=settings.unseen_log_sd,
                       source=SOURCE_REST_DAY, occurrences=0, group=0)  # fmt: skip
    if own:
        n = len(own)
        k = prior if agree else 0.0
        # an occurrence on its own reference weekday shows only a + b (closed like that weekday and worked as usual
        # are the same day there): read as worked as usual where the group's other days say the team works them
        # (their centre leans to the ordinary day), else as the reference day (the chain's fallback)
        usual = agree and any(not p.on_reference for p in voters) and group_ab[0] > group_ab[1]
        read = [(p.a[q] + p.b[q], 0.0) if p.on_reference and usual else (p.a[q], p.b[q]) for p in own]
        a = (n * float(np.mean([r[0] for r in read])) + k * group_ab[0]) / (n + k)
        b = (n * float(np.mean([r[1] for r in read])) + k * group_ab[1]) / (n + k)
        # its hours: where past occurrences drew them unlike the mix each was read as (per-slot ratios to that mix,
        # shrunk towards flat), so they carry over to a mix of other weekdays: a Thursday eve worked as usual lends
        # a Saturday eve no Thursday hours, a Thanksgiving eve that closed at 14:00 closes the next one at 14:00.
        # An occurrence whose mix expects under one contact in all hours but one (a closed holiday) has no ratios
        # to read: its contacts per slot, shrunk towards the mix's shape (forecasts.predict.own_shape)
        readable = [p for p in own if p.fitted is not None and int((p.fitted[q] >= 1.0).sum()) >= 2]
        counts = [p.counts[q] for p in own if all(p is not r for r in readable) and p.counts is not None
                  and not (p.on_reference and usual)]  # fmt: skip
        plan = DayPlan(sd_a=sd_a, sd_b=sd_b, a=a, b=b, spread=spread, source=SOURCE_OWN, occurrences=n,
                       group=len(group), slot_shape=_type_shape(readable, q, settings, against_mix=True),
                       own_counts=np.sum(counts, axis=0) if counts else None)  # fmt: skip
        return _unless_noise(plan, [p.ratio[q] for p in own if not p.on_reference], profiles, q, settings)
    if agree:
        # the group says how much volume an eve keeps, not its shape: past eves belong to other holidays (one
        # closed at 13:00, another worked half a day) and their mixes' shape would spread an ordinary afternoon
        # over every eve; an eve closes like the day before the rest day (the chain's fallback)
        toward = reference_weight(voters, q, settings) if kind == HOLIDAY else 0.0
        plan = DayPlan(sd_a=sd_a, sd_b=sd_b, a=group_ab[0], b=group_ab[1], spread=spread, source=SOURCE_GROUP,
                       occurrences=0, group=len(group), in_reference_shape=kind == EVE,
                       toward_reference=toward, members=tuple((float(p.a[q]), float(p.b[q])) for p in voters))  # fmt: skip
        return _unless_noise(plan, [p.ratio[q] for p in voters if not p.on_reference], profiles, q, settings)
    return DayPlan(sd_a=sd_a, sd_b=sd_b, a=1.0, b=0.0, spread=settings.unseen_log_sd, source=SOURCE_ORDINARY,
                   occurrences=0, group=len(group))  # fmt: skip


def agreeing(group: list[PastDay], q: int, settings: ModelSettings) -> list[PastDay] | None:
    """The past days of a type that agree on what the team does (queue ``q``), or None when they do not.

    Days agree when their daily ratios (actual / ordinary volume) lie within
    ``group_agreement`` of each other: all of them when there are up to three,
    and at least ``group_majority`` of them beyond (the largest such set, the
    lowest ratios first on a tie), so that a long history with one odd holiday
    (closed all day before a second holiday day, half worked on a Friday) still
    says what most holidays are, as the group's median does; a team closed on
    some holidays and open on others (no window holds three quarters) does not
    agree. Days on their own reference weekday say nothing either way (an eve
    on the day before the rest day is that day, closed like it or not): they
    agree with any group and are left out of it; a group of only such days
    agrees (and is returned whole).
    """
    informative = [p for p in group if not p.on_reference]
    if not informative:
        return list(group)
    ordered = sorted(informative, key=lambda p: float(p.ratio[q]))
    ratios = [float(p.ratio[q]) for p in ordered]
    n = len(ordered)
    need = n if n <= 3 else int(np.ceil(settings.group_majority * n))
    best: list[PastDay] = []
    for i, low in enumerate(ratios):
        inside = [p for p, r in zip(ordered[i:], ratios[i:], strict=True) if r - low <= settings.group_agreement]
        if len(inside) > len(best):
            best = inside
    if len(best) < need:
        return None
    return best


def reference_weight(voters: list[PastDay], q: int, settings: ModelSettings) -> float:
    """How much of a holiday priced from its group is its reference day (the rest day), the chain's fallback.

    Two-level, as a named holiday is shrunk to its group: the group's centre is
    uncertain by ``tau^2 / n`` (``n`` agreeing past holidays, ``tau`` the spread
    of their shares of an ordinary day shrunk towards ``mix_prior_sd`` with one
    pseudo-occurrence), the rest day is ``mix_prior_sd`` from the truth: one
    past holiday weighs as much as the rest day, fifteen that agree outweigh it.
    The spread is in shares of an ordinary day (``mix_prior_sd``'s unit): ``b``
    of a rest day with a handful of calls scatters widely, its volume does not.
    """
    informative = [p for p in voters if not p.on_reference] or voters
    n = len(informative)
    if not n:
        return 1.0
    tau2 = _shrunk_sd([p.ratio[q] for p in informative], settings) ** 2
    return float(tau2 / n / (tau2 / n + settings.mix_prior_sd**2))


def _type_shape(
    group: list[PastDay], q: int, settings: ModelSettings, *, against_mix: bool = False
) -> np.ndarray | None:
    """Per-slot multipliers of the ordinary day shown by past days of a type (volume-neutral), or None.

    ``against_mix``: of the mix each day was read as (``a * ordinary + b *
    reference``), for a holiday's or eve's own occurrences.

    The per-slot ratios actual / ordinary over the past days, shrunk towards
    their daily ratio by empirical Bayes as a sale's profile is
    (:func:`forecasts.effects.slot_ratios`): flat unless the days reshape the
    hours by more than noise.
    """
    days = [p for p in group if p.counts is not None and (p.fitted if against_mix else p.ordinary) is not None]
    if not days:
        return None
    actual = np.sum([p.counts[q] for p in days], axis=0)[None, :]  # type: ignore[index]
    ordinary = np.sum([(p.fitted if against_mix else p.ordinary)[q] for p in days], axis=0)[None, :]  # type: ignore[index]
    total = float(ordinary.sum())
    if total <= 0 or float(actual.sum()) <= 0:
        return None
    ratio = np.array([float(actual.sum()) / total])
    slot = slot_ratios(actual, ordinary, ratio, settings.shape_prior_contacts, settings.shape_min_variation)[0]
    return None if np.allclose(slot, ratio[0]) else slot / ratio[0]


def eve_share(plan: DayPlan, ordinary_total: float, reference_total: float, settings: ModelSettings) -> float:
    """The share of an ordinary day an eve priced from its group keeps (``plan.in_reference_shape``).

    The median of the volumes the group's past eves' mixes give on this date
    (``a * ordinary + b * reference`` each), with the day before the rest day
    itself (the chain's fallback: an eve is the team's short day) counted as
    ``prior_occurrences`` of them: what most past eves did, as a holiday's group
    gives its median. Two or three past eves of other holidays are weak
    evidence, and one unlike the others (Memorial Day before Israel's
    Independence Day, worked a quarter of an ordinary day beyond a Friday) does
    not lift the next eve of a closed holiday above the short day. Measured as
    a mix rather than a share of an ordinary day, an eve on the short day itself
    keeps that day.
    """
    members = plan.members or ((plan.a, plan.b),) * plan.group  # a plan written by hand: its mean mix
    mixes = [a * ordinary_total + b * reference_total for a, b in members]
    volume = float(np.median(mixes + [reference_total] * max(1, round(settings.prior_occurrences))))
    return volume / ordinary_total if ordinary_total > 0 else plan.a + plan.b


def _unless_noise(
    plan: DayPlan, ratios: list[float], profiles: DayProfiles, q: int, settings: ModelSettings
) -> DayPlan:
    """``plan``, or an ordinary day where the past days it rests on did not stand out from ordinary variation.

    The same test as for day-before/after effects: the mean daily ratio must
    differ from 1 by more than ``side_effect_z`` standard errors of the queue's
    day-to-day variation (and by more than ``side_effect_min``); a holiday a
    team works as normal then does not pick up the noise of its few past
    occurrences.
    """
    if not ratios:
        return plan
    noise = float(profiles.day_noise[q]) / np.sqrt(len(ratios))
    if abs(np.log(max(float(np.mean(ratios)), 1e-9))) >= max(settings.side_effect_z * noise, settings.side_effect_min):
        return plan
    return DayPlan(sd_a=plan.sd_a, sd_b=plan.sd_b, a=1.0, b=0.0, spread=settings.effect_log_sd,
                   source=SOURCE_NO_EFFECT, occurrences=plan.occurrences, group=plan.group)  # fmt: skip


def eve_of_an_ordinary_holiday(
    profiles: DayProfiles, eve: DayPlan, holiday_key_: str, declared: float, q: int, settings: ModelSettings
) -> DayPlan:
    """An eve priced from its group, unless its holiday is forecast as an ordinary day.

    Past eves say how the team winds down before the holidays it closes; before
    a holiday it works as normal (declared open, no clear effect in its past
    days) or one history cannot place (never seen, the group disagrees), there
    is nothing to wind down for, and the eve is an ordinary day too.
    """
    holiday = plan_day(profiles, HOLIDAY, holiday_key_, declared, q, settings)
    worked = holiday.source == SOURCE_DECLARED and holiday.a >= 1.0
    if not worked and holiday.source not in (SOURCE_ORDINARY, SOURCE_NO_EFFECT):
        return eve
    return DayPlan(a=1.0, b=0.0, spread=holiday.spread, sd_a=eve.sd_a, sd_b=0.0, source=SOURCE_NO_EFFECT,
                   occurrences=0, group=eve.group)  # fmt: skip


def eves_of_holidays_like(profiles: DayProfiles, key: str, closed: bool | None, q: int) -> DayProfiles:
    """``profiles`` with only the past eves whose holiday the team handled like the one ahead (closed or not).

    An eve winds down before a holiday the team closes and is an ordinary day
    before one it works (an Israeli bank's eve of a closed holiday closes like a
    Friday, Memorial Day before the worked Independence Day does not): eves of
    the other kind say nothing about this one. A holiday is *closed* where its
    mix leans to its reference day (``b > a``: closed like the rest day), worked
    where it leans to the ordinary day (Independence Day worked at 40% all day);
    ``closed`` says which the holiday ahead is forecast as (None: unknown,
    nothing is left out). A past eve whose holiday was not learned from (a
    closed weekday, lost hours) stays; where no past eve is left, all stay. An eve
    seen before by name (``key``) is learned from its own past as before.
    """
    if closed is None or any(p.kind == EVE and p.key == key for p in profiles.past):
        return profiles
    holidays = {p.day: p for p in profiles.past if p.kind == HOLIDAY}

    def like(p: PastDay) -> bool:
        holiday = holidays.get(p.day + 1)
        return p.kind != EVE or holiday is None or bool(holiday.b[q] > holiday.a[q]) == closed

    past = tuple(p for p in profiles.past if like(p))
    return replace(profiles, past=past) if any(p.kind == EVE for p in past) else profiles


def plan_closed_weekday(profiles: DayProfiles, next_holiday: str | None, q: int, settings: ModelSettings) -> DayPlan:
    """A special day on a weekday the team does not work.

    It is that weekday as usual, unless a holiday follows (``next_holiday``, its
    key): then the weekday's reopening at its end does not come, and the day is
    the share of an ordinary day the team works on that holiday (``a`` of its
    plan, no reference), or as usual where that holiday would be an ordinary day.
    """
    usual = DayPlan(a=1.0, b=0.0, spread=settings.effect_log_sd, sd_a=0.0, sd_b=0.0, source=SOURCE_CLOSED_WEEKDAY,
                    occurrences=0, group=0)  # fmt: skip
    if next_holiday is None:
        return usual
    holiday = plan_day(profiles, HOLIDAY, next_holiday, np.nan, q, settings)
    if holiday.source == SOURCE_ORDINARY:
        return usual
    return DayPlan(a=holiday.a, b=0.0, spread=holiday.spread, sd_a=holiday.sd_a, sd_b=0.0,
                   source=SOURCE_CLOSED_WEEKDAY, occurrences=0, group=holiday.group)  # fmt: skip


def _shrunk_sd(values: list[float], settings: ModelSettings) -> float:
    """Spread of a share over past occurrences, shrunk towards ``mix_prior_sd`` (one pseudo-occurrence)."""
    n = len(values)
    sample = float(np.var(values, ddof=1)) if n >= 2 else 0.0
    return float(np.sqrt((max(n - 1, 0) * sample + settings.mix_prior_sd**2) / max(n, 1)))


def _log_spread(ratios: list[float], settings: ModelSettings) -> float:
    """Spread of past daily ratios on the log scale, never below ``effect_log_sd``."""
    if len(ratios) < 2:
        return settings.effect_log_sd
    return max(float(np.std(np.log(np.asarray(ratios) + 0.05), ddof=1)), settings.effect_log_sd)


__all__ = (
    "NO_GROUP_SHARE_SD",
    "SOURCE_REST_DAY",
    "DayPlan",
    "DayProfiles",
    "PastDay",
    "learn_day_profiles",
    "mix_weights",
    "eve_of_an_ordinary_holiday",
    "eve_share",
    "eves_of_holidays_like",
    "plan_closed_weekday",
    "plan_day",
    "reference_weekdays",
)
