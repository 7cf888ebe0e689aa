"""Day types, the special-day fallback chain, and the team's declarations (issue 18)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars.errors import InputError
from forecasts.dayprofiles import (
    NO_GROUP_SHARE_SD,
    SOURCE_DECLARED,
    SOURCE_GROUP,
    SOURCE_NO_EFFECT,
    SOURCE_ORDINARY,
    SOURCE_OWN,
    SOURCE_REST_DAY,
    DayPlan,
    DayProfiles,
    PastDay,
    eve_share,
    mix_weights,
    plan_day,
    reference_weekdays,
)
from forecasts.daytypes import (
    AFTER,
    BRIDGE,
    DAY_TYPES,
    EVE,
    HOLIDAY,
    INSIDE,
    ORDINARY,
    SALE,
    assign_day_types,
    holiday_key,
    parse_special_days,
)
from forecasts.forecast import forecast
from forecasts.grid import interval_grid
from forecasts.settings import DEFAULT_SETTINGS, ModelOptions

WEEKEND_CLOSED = np.array([True] * 5 + [False, False])  # Mon-Fri open


def types_for(holidays: dict[int, str], n: int = 21, sale: tuple[int, ...] = (), after: tuple[int, ...] = ()):
    weekday = np.arange(n) % 7  # date 0 is a Monday
    names = [[holidays[d]] if d in holidays else [] for d in range(n)]
    sale_mask = np.isin(np.arange(n), sale)
    after_mask = np.isin(np.arange(n), after)
    return assign_day_types(weekday, names, sale_mask, after_mask, WEEKEND_CLOSED)


def test_holiday_eve_bridge_and_ordinary() -> None:
    types = types_for({3: "Feast"})  # a Thursday holiday
    assert DAY_TYPES[types.kind[3]] == "holiday" and types.key[3] == "Feast"
    assert types.kind[2] == EVE and types.key[2] == "Feast" and types.name[2] == "Feast (day before)"
    assert types.kind[4] == BRIDGE  # Friday between the holiday and the closed weekend
    assert types.kind[0] == ORDINARY and types.kind[7] == ORDINARY


def test_days_between_two_close_holidays_are_a_holiday_period() -> None:
    types = types_for({7: "Start", 13: "End"})  # Monday and Sunday of the same week
    assert types.kind[7] == HOLIDAY and types.kind[13] == HOLIDAY and types.kind[12] == EVE
    assert all(types.kind[d] == INSIDE for d in range(8, 12))
    assert types.name[9] == "Start (holiday period)"
    assert types.key[9] == "Start"  # learned as the period that Start opens, not as any holiday period
    assert types_for({3: "Feast"}).key[4] == "Feast"  # a bridge day: the holiday it joins to the weekend
    far = types_for({0: "A", 14: "B"})
    assert far.kind[7] == ORDINARY  # 14 days apart: no period


def test_sale_and_day_after_types_and_priority() -> None:
    types = types_for({3: "Feast"}, sale=(3, 9), after=(10,))
    assert types.kind[3] == HOLIDAY  # a holiday stays a holiday (a stated uplift makes it a sale upstream)
    assert types.kind[9] == SALE and types.kind[10] == AFTER


def test_holiday_key_drops_observed() -> None:
    assert holiday_key("Independence Day (observed)") == "Independence Day"
    assert holiday_key(" Christmas Day ") == "Christmas Day"
    assert holiday_key("Day off (substituted from 01/06/2024)") == "Day off"  # one kind of day, learned as one
    assert holiday_key("Eid al-Fitr (observed, estimated)") == "Eid al-Fitr"
    assert holiday_key("Chinese New Year (Spring Festival)") == "Chinese New Year (Spring Festival)"


def past(kind: int, key: str, a: float, b: float, ratio: float, *, on_reference: bool = False) -> PastDay:
    return PastDay(kind=kind, key=key, day=0, a=np.array([a]), b=np.array([b]), ratio=np.array([ratio]),
                   on_reference=on_reference)  # fmt: skip


def profiles(*days: PastDay) -> DayProfiles:
    return DayProfiles(rest=6, pre_rest=4, run_start=5, past=days, day_noise=np.array([0.1]))


def test_fallback_chain_declared_own_group_ordinary() -> None:
    closed = past(HOLIDAY, "Closed Day", 0.0, 0.8, 0.05)
    also_closed = past(HOLIDAY, "Other", 0.1, 0.6, 0.15)
    agreeing = profiles(closed, also_closed)
    declared = plan_day(agreeing, HOLIDAY, "Closed Day", 1.0, 0, DEFAULT_SETTINGS)
    assert declared.source == SOURCE_DECLARED and declared.a == 1.0 and declared.b == 0.0
    own = plan_day(agreeing, HOLIDAY, "Closed Day", np.nan, 0, DEFAULT_SETTINGS)
    assert own.source == SOURCE_OWN and own.occurrences == 1
    assert own.a == pytest.approx((0.0 + 0.05) / 2) and own.b == pytest.approx((0.8 + 0.7) / 2)  # shrunk to the group
    group = plan_day(agreeing, HOLIDAY, "Never Seen", np.nan, 0, DEFAULT_SETTINGS)
    assert group.source == SOURCE_GROUP and group.a == pytest.approx(0.05)
    open_day = past(HOLIDAY, "Open Day", 1.0, 0.0, 1.0)
    mixed = profiles(closed, open_day)  # closed on one, open on another: the group disagrees
    unseen = plan_day(mixed, HOLIDAY, "Never Seen", np.nan, 0, DEFAULT_SETTINGS)
    assert unseen.source == SOURCE_ORDINARY and (unseen.a, unseen.b) == (1.0, 0.0)
    assert unseen.spread == DEFAULT_SETTINGS.unseen_log_sd
    seen = plan_day(mixed, HOLIDAY, "Open Day", np.nan, 0, DEFAULT_SETTINGS)
    assert seen.source == SOURCE_NO_EFFECT and (seen.a, seen.b) == (1.0, 0.0)  # worked as normal: an ordinary day
    half = past(HOLIDAY, "Half Day", 0.5, 0.0, 0.5)
    seen = plan_day(profiles(closed, open_day, half), HOLIDAY, "Half Day", np.nan, 0, DEFAULT_SETTINGS)
    assert seen.source == SOURCE_OWN and seen.a == 0.5  # a disagreeing group does not pull a seen holiday


def test_the_first_holiday_and_eve_of_a_history_are_the_rest_day_and_the_day_before_it() -> None:
    # no past day of their type: no group to agree or disagree, so the chain's reference day, with a band that
    # spans closed to open; a past eve does not make a group for a holiday (and a past holiday none for an eve)
    for kind, other in ((HOLIDAY, EVE), (EVE, HOLIDAY)):
        for known in (profiles(), profiles(past(other, "Other", 0.0, 1.0, 0.1))):
            plan = plan_day(known, kind, "First", np.nan, 0, DEFAULT_SETTINGS)
            assert plan.source == SOURCE_REST_DAY and (plan.a, plan.b) == (0.0, 1.0) and plan.group == 0
            assert plan.sd_a == NO_GROUP_SHARE_SD and plan.spread == DEFAULT_SETTINGS.unseen_log_sd
    declared = plan_day(profiles(), HOLIDAY, "First", 1.0, 0, DEFAULT_SETTINGS)
    assert declared.source == SOURCE_DECLARED and (declared.a, declared.b) == (1.0, 0.0)  # the team's word wins
    bridge = plan_day(profiles(), BRIDGE, "", np.nan, 0, DEFAULT_SETTINGS)
    assert bridge.source == SOURCE_ORDINARY and (bridge.a, bridge.b) == (1.0, 0.0)  # no reference: a weekday


def test_a_holidays_group_says_what_most_past_holidays_did() -> None:
    # two closed past holidays and one the team half worked agree (ratios within 0.5): the group's share is
    # their median, so the half-worked one does not reopen the next holiday (a mean would say a = 0.1)
    group = profiles(
        past(HOLIDAY, "A", 0.0, 0.8, 0.05), past(HOLIDAY, "B", 0.02, 0.6, 0.07), past(HOLIDAY, "C", 0.3, 0.5, 0.35)
    )
    plan = plan_day(group, HOLIDAY, "Never Seen", np.nan, 0, DEFAULT_SETTINGS)
    assert plan.source == SOURCE_GROUP and (plan.a, plan.b) == pytest.approx((0.02, 0.6))
    eves = profiles(past(EVE, "A", 0.0, 0.8, 0.3), past(EVE, "B", 0.0, 0.6, 0.25), past(EVE, "C", 0.3, 0.3, 0.45))
    eve = plan_day(eves, EVE, "Never Seen", np.nan, 0, DEFAULT_SETTINGS)
    assert (eve.a, eve.b) == pytest.approx((0.1, 1.7 / 3))  # an eve's group volume is their mean mix


def test_a_long_history_with_one_odd_holiday_still_agrees() -> None:
    # ten closed holidays and one closed all day before a second holiday day (ratio 0.0) and one half worked on
    # a short day (0.55): the range is 0.55, but eleven of twelve lie within 0.5 of each other; with up to three
    # past holidays all must agree, as before
    closed = [past(HOLIDAY, f"H{i}", 0.0, 1.0, 0.08 + 0.005 * i) for i in range(10)]
    odd = [past(HOLIDAY, "All day", 0.0, 0.0, 0.0), past(HOLIDAY, "Short day", 0.5, 0.0, 0.55)]
    plan = plan_day(profiles(*closed, *odd), HOLIDAY, "Never Seen", np.nan, 0, DEFAULT_SETTINGS)
    assert plan.source == SOURCE_GROUP and (plan.a, plan.b) == pytest.approx((0.0, 1.0))
    few = plan_day(profiles(closed[0], *odd), HOLIDAY, "Never Seen", np.nan, 0, DEFAULT_SETTINGS)
    assert few.source == SOURCE_ORDINARY
    # closed on half of them and open on the other half: no three quarters agree, an ordinary day
    split = [past(HOLIDAY, f"C{i}", 0.0, 1.0, 0.05) for i in range(4)] + [
        past(HOLIDAY, f"O{i}", 1.0, 0.0, 1.0) for i in range(4)
    ]
    assert plan_day(profiles(*split), HOLIDAY, "Never Seen", np.nan, 0, DEFAULT_SETTINGS).source == SOURCE_ORDINARY


def test_a_past_day_on_its_reference_weekday_says_nothing_about_closing() -> None:
    # eves on the day before the rest day (a Friday that looks like a Friday: ratio 1, read as b = 1) agree with
    # mid-week eves that closed like a Friday (ratio 0.25) and do not vote on what the next mid-week eve does
    friday = [past(EVE, f"F{i}", 0.0, 1.0, 1.0, on_reference=True) for i in range(3)]
    midweek = [past(EVE, f"W{i}", 0.0, 1.0, 0.25) for i in range(3)]
    plan = plan_day(profiles(*friday, *midweek), EVE, "Never Seen", np.nan, 0, DEFAULT_SETTINGS)
    assert plan.source == SOURCE_GROUP and (plan.a, plan.b) == pytest.approx((0.0, 1.0))
    # an eve seen by name only on a Friday is that Friday's reading (like the day before the rest day), not "no
    # clear effect" because a Friday eve was as busy as a Friday
    own = plan_day(profiles(friday[0], *midweek), EVE, "F0", np.nan, 0, DEFAULT_SETTINGS)
    assert own.source == SOURCE_OWN and (own.a, own.b) == pytest.approx((0.0, 1.0))
    alone = plan_day(profiles(*friday), EVE, "Never Seen", np.nan, 0, DEFAULT_SETTINGS)
    assert alone.source == SOURCE_GROUP and alone.b == pytest.approx(1.0)  # a group of only such days agrees
    # where the eves on other weekdays show the team works them as usual, the same Friday reads "as usual": a
    # Saturday eve of that name is then a Saturday, not a Friday's volume (a Saudi desk's Eid eve)
    worked = [past(EVE, f"W{i}", 1.0, 0.0, 1.0) for i in range(3)]
    usual = plan_day(profiles(friday[0], *worked), EVE, "F0", np.nan, 0, DEFAULT_SETTINGS)
    assert usual.source == SOURCE_OWN and (usual.a, usual.b) == pytest.approx((1.0, 0.0))
    # ... and its hours are its weekday's, not its own: the mix keeps the day's own weekday shape
    hours = PastDay(kind=EVE, key="F0", day=0, a=np.array([0.0]), b=np.array([1.0]), ratio=np.array([1.0]),
                    counts=np.ones((1, 24)), on_reference=True)  # fmt: skip
    assert plan_day(profiles(hours, *worked), EVE, "F0", np.nan, 0, DEFAULT_SETTINGS).own_counts is None
    assert plan_day(profiles(hours, *midweek), EVE, "F0", np.nan, 0, DEFAULT_SETTINGS).own_counts is not None


def test_a_share_within_day_to_day_noise_is_an_ordinary_day() -> None:
    noisy = profiles(past(HOLIDAY, "A", 1.1, 0.0, 1.1), past(HOLIDAY, "B", 1.05, 0.0, 1.05))
    plan = plan_day(noisy, HOLIDAY, "C", np.nan, 0, DEFAULT_SETTINGS)  # 2 standard errors of 0.1/sqrt(2) = 0.14
    assert plan.source == SOURCE_NO_EFFECT and (plan.a, plan.b) == (1.0, 0.0)
    busy = profiles(past(HOLIDAY, "A", 1.5, 0.0, 1.5), past(HOLIDAY, "B", 1.4, 0.0, 1.4))
    assert plan_day(busy, HOLIDAY, "C", np.nan, 0, DEFAULT_SETTINGS).a == pytest.approx(1.45)


def test_an_eve_from_its_group_takes_the_median_of_its_mixes_and_the_day_before_the_rest_day() -> None:
    eves = profiles(past(EVE, "A", 0.0, 1.2, 0.4), past(EVE, "B", 0.05, 0.0, 0.05))  # ratios within 0.5: agree
    plan = plan_day(eves, EVE, "Never Seen", np.nan, 0, DEFAULT_SETTINGS)
    assert plan.source == SOURCE_GROUP and plan.in_reference_shape and plan.group == 2
    assert (plan.a, plan.b) == pytest.approx((0.025, 0.6))
    # ordinary day 1000, the day before the rest day 500: the past eves' mixes give 1.2 x 500 = 600 and
    # 0.05 x 1000 = 50, the day before the rest day itself one more: their median, 500
    assert eve_share(plan, 1000.0, 500.0, DEFAULT_SETTINGS) == pytest.approx(0.5)
    # an eve on the day before the rest day itself (ordinary = reference = 500): 600, 25 and 500
    assert eve_share(plan, 500.0, 500.0, DEFAULT_SETTINGS) == pytest.approx(1.0)
    # two past eves that closed like it (1.1 and 0.9 of it) and one worked a quarter of an ordinary day beyond it
    # (Memorial Day before Israel's Independence Day): the odd one does not lift the next eve
    closing = profiles(past(EVE, "A", 0.0, 1.1, 0.4), past(EVE, "B", 0.0, 0.9, 0.3), past(EVE, "C", 0.25, 0.75, 0.6))
    plan = plan_day(closing, EVE, "Never Seen", np.nan, 0, DEFAULT_SETTINGS)
    # mixes 660, 540 and 850 and the day before the rest day's 600: the median 630 (their mean mix, shrunk
    # towards 600 with one pseudo-occurrence, gave 662.5)
    assert eve_share(plan, 1600.0, 600.0, DEFAULT_SETTINGS) == pytest.approx(630.0 / 1600)
    holiday = plan_day(profiles(past(HOLIDAY, "A", 0.0, 0.8, 0.05)), HOLIDAY, "B", np.nan, 0, DEFAULT_SETTINGS)
    assert not holiday.in_reference_shape  # a holiday keeps its group's mix of ordinary and rest day
    declared = DayPlan(a=0.5, b=0.0, spread=0.5, sd_a=0.0, sd_b=0.0, source=SOURCE_DECLARED, occurrences=0, group=0)
    assert not declared.in_reference_shape


def test_a_holiday_from_its_group_leans_on_the_rest_day_as_much_as_the_group_is_thin() -> None:
    # the group's mean share is uncertain by tau^2 / n (tau: the spread of the past holidays' shares of an
    # ordinary day, shrunk towards mix_prior_sd with one pseudo-occurrence); the rest day is the prior,
    # mix_prior_sd from the truth: one past holiday weighs as much as the prior
    tau2 = DEFAULT_SETTINGS.mix_prior_sd**2
    one = plan_day(profiles(past(HOLIDAY, "A", 0.0, 0.5, 0.05)), HOLIDAY, "B", np.nan, 0, DEFAULT_SETTINGS)
    assert one.source == SOURCE_GROUP and one.toward_reference == pytest.approx(0.5)
    # two that differ (0.05 and 0.15 of an ordinary day) leave it less than one did
    two = profiles(past(HOLIDAY, "A", 0.0, 0.5, 0.05), past(HOLIDAY, "C", 0.0, 0.9, 0.15))
    spread = (np.var([0.05, 0.15], ddof=1) + tau2) / 2
    expected = (spread / 2) / (spread / 2 + tau2)
    plan = plan_day(two, HOLIDAY, "B", np.nan, 0, DEFAULT_SETTINGS)
    assert plan.toward_reference == pytest.approx(expected) and 0.2 < expected < 0.5
    # fifteen that agree closely outweigh it: a team that works every holiday at 30% keeps 30%
    many = [past(HOLIDAY, f"H{i}", 0.3, 0.0, 0.3 + 0.01 * (i % 3)) for i in range(15)]
    assert plan_day(profiles(*many), HOLIDAY, "B", np.nan, 0, DEFAULT_SETTINGS).toward_reference < 0.01
    # an eve from its group is shrunk by eve_share, a holiday learned by name towards its group: neither leans
    eves = profiles(past(EVE, "A", 0.0, 1.2, 0.4))
    assert plan_day(eves, EVE, "B", np.nan, 0, DEFAULT_SETTINGS).toward_reference == 0.0
    assert plan_day(profiles(*many), HOLIDAY, "H1", np.nan, 0, DEFAULT_SETTINGS).toward_reference == 0.0


def test_bridge_days_shrink_towards_an_ordinary_day_by_how_noisy_ordinary_days_are() -> None:
    bridge = past(BRIDGE, "", 0.5, 0.0, 0.5)
    plan = plan_day(profiles(bridge), BRIDGE, "", np.nan, 0, DEFAULT_SETTINGS)
    # one past bridge day at half a day; ordinary days vary by 0.1, a share a priori by 0.25 (mix_prior_sd):
    # the past day is weighted 0.25^2 / (0.25^2 + 0.1^2), not dropped for standing out by less than 2 sd
    weight = 0.25**2 / (0.25**2 + 0.1**2)
    assert plan.a == pytest.approx(1 - 0.5 * weight) and plan.b == 0.0 and plan.source == SOURCE_GROUP
    noisy = DayProfiles(rest=6, pre_rest=4, run_start=5, past=(bridge, bridge), day_noise=np.array([0.5]))
    assert plan_day(noisy, BRIDGE, "", np.nan, 0, DEFAULT_SETTINGS).a == pytest.approx(1 - 0.5 * 0.125 / 0.375)
    inside = profiles(past(INSIDE, "", 0.87, 0.0, 0.87))  # a 13% quieter day inside a holiday period is kept
    assert plan_day(inside, INSIDE, "", np.nan, 0, DEFAULT_SETTINGS).a < 0.9
    assert plan_day(profiles(), BRIDGE, "", np.nan, 0, DEFAULT_SETTINGS).a == 1.0


def test_a_day_inside_a_holiday_period_learns_only_from_the_same_period() -> None:
    # the days between Christmas and New Year at half a day say nothing about the days after Easter Monday
    christmas = profiles(past(INSIDE, "Christmas Day", 0.5, 0.0, 0.5), past(INSIDE, "Christmas Day", 0.5, 0.0, 0.5))
    easter = plan_day(christmas, INSIDE, "Easter Monday", np.nan, 0, DEFAULT_SETTINGS)
    assert easter.a == 1.0 and easter.source == SOURCE_ORDINARY and easter.slot_shape is None
    again = plan_day(christmas, INSIDE, "Christmas Day", np.nan, 0, DEFAULT_SETTINGS)
    assert again.a < 0.6 and again.source == SOURCE_GROUP and again.group == 2
    # bridge days pool every past bridge day (a team that takes its bridge days off takes them all)
    bridges = profiles(past(BRIDGE, "Ascension Day", 0.5, 0.0, 0.5))
    assert plan_day(bridges, BRIDGE, "Corpus Christi", np.nan, 0, DEFAULT_SETTINGS).a < 0.6


def test_days_inside_a_holiday_period_learn_their_hours_from_past_ones() -> None:
    ordinary = np.full((1, 24), 0.0)
    ordinary[0, 8:20] = 100.0
    short = ordinary.copy()
    short[0, 15:20] = 40.0  # past days inside the period closed their afternoon early
    days = [
        PastDay(kind=INSIDE, key="", day=d, a=np.array([0.8]), b=np.array([0.0]), ratio=np.array([0.8]),
                counts=short, ordinary=ordinary)  # fmt: skip
        for d in range(2)
    ]
    shape = plan_day(profiles(*days), INSIDE, "", np.nan, 0, DEFAULT_SETTINGS).slot_shape
    assert shape is not None
    morning, afternoon = float(shape[10]), float(shape[17])
    assert afternoon / morning == pytest.approx(0.4, abs=0.05) and morning > 1.0  # the level stays a's
    flat = PastDay(kind=BRIDGE, key="", day=0, a=np.array([0.8]), b=np.array([0.0]), ratio=np.array([0.8]),
                   counts=0.8 * ordinary, ordinary=ordinary)  # fmt: skip
    assert plan_day(profiles(flat), BRIDGE, "", np.nan, 0, DEFAULT_SETTINGS).slot_shape is None


def test_reference_weekdays_rest_day_and_the_day_before_it() -> None:
    day_mean = np.array([[100, 100, 100, 100, 50, 2, 90]], dtype=float)  # Saturday nearly closed
    open_weekday = np.array([True] * 5 + [False, True])
    assert reference_weekdays(day_mean, open_weekday) == (5, 4, None)
    western = np.array([[100, 100, 100, 100, 100, 10, 1]], dtype=float)
    assert reference_weekdays(western, WEEKEND_CLOSED) == (6, 4, 5)  # Saturday starts the closed run


def test_mix_weights_recover_a_mix_of_two_profiles() -> None:
    ordinary = np.array([[0, 10, 50, 80, 50, 10, 0, 0]], dtype=float)
    reference = np.array([[0, 0, 0, 0, 0, 20, 40, 20]], dtype=float)
    a, b = mix_weights(0.3 * ordinary + 0.9 * reference, ordinary, reference)
    assert a[0] == pytest.approx(0.3) and b[0] == pytest.approx(0.9)
    a, b = mix_weights(2 * ordinary, ordinary, 3 * ordinary)  # proportional profiles: only a
    assert a[0] == pytest.approx(2.0) and b[0] == 0.0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 200), min_size=6, max_size=6),
    st.lists(st.floats(0, 200), min_size=6, max_size=6),
    st.lists(st.floats(0, 200), min_size=6, max_size=6),
)
def test_mix_weights_are_never_negative_and_never_worse_than_either_profile(y, o, r) -> None:
    actual, ordinary, reference = (np.array([v]) for v in (y, o, r))
    a, b = mix_weights(actual, ordinary, reference)
    assert a[0] >= 0 and b[0] >= 0
    weight = 1.0 / (ordinary + reference + 1.0)

    def loss(fitted: np.ndarray) -> float:
        return float((weight * (actual - fitted) ** 2).sum())

    best = loss(a[0] * ordinary + b[0] * reference)
    oo = float((weight * ordinary**2).sum())
    only_a = float((weight * ordinary * actual).sum()) / oo if oo > 0 else 0.0
    assert best <= loss(max(only_a, 0.0) * ordinary) * (1 + 1e-6) + 1e-6


def test_parse_special_days_reads_names_dates_and_own_days() -> None:
    special = parse_special_days(
        {"Columbus Day": "open", "Thanksgiving Day": "closed", "2026-12-24": "reduced 40%", "Juneteenth": 0.5},
        {"2026-05-17": "Election day"},
        "team.toml",
    )
    assert special.share(dt.date(2026, 10, 12), "Columbus Day") == 1.0
    assert special.share(dt.date(2026, 11, 26), "Thanksgiving Day (observed)") == 0.0
    assert special.share(dt.date(2026, 12, 24), "Christmas Eve") == pytest.approx(0.4)
    assert special.share(dt.date(2026, 6, 19), "Juneteenth") == 0.5
    assert np.isnan(special.share(dt.date(2026, 1, 1), "New Year's Day"))
    assert special.own_days == ((dt.date(2026, 5, 17), "Election day"),)


def test_parse_special_days_lists_every_problem() -> None:
    with pytest.raises(InputError) as caught:
        parse_special_days({"Labor Day": "sometimes", "X": 1.5}, {"2026-13-01": "Bad", "2026-05-01": ""}, "team.toml")
    message = str(caught.value)
    assert "forecast.holidays.'Labor Day' = 'sometimes'" in message and "forecast.holidays.'X' = 1.5" in message
    assert "forecast.special_days.'2026-13-01'" in message and "forecast.special_days.'2026-05-01'" in message
    # a key shaped like a date that is none would otherwise be read as a holiday's name and match nothing
    with pytest.raises(InputError, match=r"forecast.holidays.'2026-13-01': not a date \(use YYYY-MM-DD\)"):
        parse_special_days({"2026-13-01": "open", "2026-12-24": "closed"}, {}, "team.toml")


def test_a_declared_holiday_name_that_matches_nothing_is_named_with_the_closest_names() -> None:
    from forecasts.daytypes import NO_SPECIAL_DAYS, unmatched_holiday_names
    from forecasts.holidays_calendar import holiday_events

    events = holiday_events("GB", dt.date(2025, 1, 1), dt.date(2026, 12, 31), "Europe/London")
    special = parse_special_days(
        {"Chrismas Day": "closed", "boxing day": "open", "Good Friday (observed)": 0.5, "Thanksgiving": "closed"},
        {}, "t.toml",
    )  # fmt: skip
    warnings = unmatched_holiday_names(special, events)
    assert len(warnings) == 2, warnings  # case and "(observed)" do not count, as in SpecialDays.share
    assert "'Chrismas Day' matches no holiday" in warnings[0] and "did you mean 'Christmas Day'" in warnings[0]
    assert "'Thanksgiving' matches no holiday" in warnings[1] and "did you mean" not in warnings[1]
    assert unmatched_holiday_names(special, None) and not unmatched_holiday_names(NO_SPECIAL_DAYS, events)


@settings(max_examples=80, deadline=None)
@given(st.sets(st.integers(0, 41), max_size=8), st.sets(st.integers(0, 41), max_size=6))
def test_every_date_gets_exactly_one_type_and_eves_precede_holidays(holiday_days, sale_days) -> None:
    types = types_for({d: f"H{d}" for d in holiday_days}, n=42, sale=tuple(sale_days))
    assert len(types.kind) == 42 and set(types.kind) <= set(range(len(DAY_TYPES)))
    for d in range(42):
        assert (types.kind[d] == HOLIDAY) == (d in holiday_days)
        if types.kind[d] == EVE:
            assert d + 1 in holiday_days and types.key[d] == f"H{d + 1}"
        elif d not in holiday_days and d + 1 in holiday_days:
            raise AssertionError(f"day {d} before a holiday is not an eve")
        if types.kind[d] in (BRIDGE, INSIDE):
            assert types.name[d] != ""  # every special day is named in the forecast's events column
        if types.kind[d] == SALE:
            assert d in sale_days


def test_declared_dates_without_a_holiday_become_special_days() -> None:
    from forecasts.daytypes import with_own_days
    from forecasts.holidays_calendar import holiday_events

    special = parse_special_days({"2026-12-31": "reduced 50%", "2026-12-25": "closed"}, {}, "t.toml")
    events = holiday_events("GB", dt.date(2026, 12, 1), dt.date(2026, 12, 31), "Europe/London")
    out = with_own_days(events, special, "Europe/London")
    added = out[out["event_id"].str.startswith("special-")]
    assert added["event_id"].tolist() == ["special-2026-12-31"]  # Christmas Day is a holiday already
    assert with_own_days(events, parse_special_days({}, {}, "t.toml"), "Europe/London") is events


def test_own_days_are_whole_local_days_like_public_holidays() -> None:
    """A special day runs from local midnight to the next, 25 hours on the autumn DST change."""
    from forecasts.daytypes import own_day_events
    from forecasts.holidays_calendar import EVENT_COLUMNS

    special = parse_special_days({}, {"2026-10-25": "Clocks back", "2026-05-17": "Election day"}, "t.toml")
    events = own_day_events(special, "Europe/London")
    assert tuple(events.columns) == EVENT_COLUMNS
    assert events["event_id"].tolist() == ["special-2026-05-17", "special-2026-10-25"]
    assert ((events["end"] - events["start"]) / np.timedelta64(1, "h")).tolist() == [24.0, 25.0]
    assert events["start"].iloc[1].tz_convert("Europe/London").hour == 0
    assert events["all_day"].all() and events["uplift"].isna().all()
    assert set(events["category"]) == {"holiday"}


def test_an_eve_seen_only_on_the_short_day_is_forecast_like_it_midweek() -> None:
    # a bank open Sunday-Thursday, short on Friday, reopening on Saturday evening; "Feast" fell on a Saturday
    # last time (its eve a Friday, which looked like a Friday) and falls on a Thursday now: its Wednesday eve is
    # a Friday's volume, not an ordinary Wednesday ("no clear effect" before the eve on a Friday was read as one)
    tz = "Asia/Jerusalem"
    first = dt.date(2026, 1, 4)  # a Sunday
    grid = interval_grid(first, 20 * 7, tz, 60).as_unit("ns")
    local = grid.tz_convert(tz)
    hour, weekday, date = local.hour.to_numpy(), local.day_of_week.to_numpy(), np.array(local.date)
    base = np.where((hour >= 8) & (hour < 20), 40.0, 1.0)
    friday = np.where((hour >= 8) & (hour < 13), 35.0, 1.0)
    saturday = np.where((hour >= 20) & (hour < 23), 20.0, 0.5)
    mean = np.where(weekday == 4, friday, np.where(weekday == 5, saturday, base))
    mean = np.where(date == dt.date(2026, 2, 17), saturday, mean)  # "Other" on a Tuesday: like a Saturday
    mean = np.where(date == dt.date(2026, 2, 16), friday, mean)  # ... its eve like a Friday
    y = np.random.default_rng(5).poisson(mean).astype(float)
    history = pd.DataFrame({"ds": grid, "queue": "calls", "y": y})
    days = [("Other", "2026-02-17"), ("Feast", "2026-03-14"), ("Feast", "2026-05-28")]  # a Tuesday, Saturday, Thursday
    events = pd.DataFrame({
        "event_id": [f"h{i}" for i in range(len(days))], "name": [name for name, _ in days], "category": "holiday",
        "start": [pd.Timestamp(day, tz=tz).tz_convert("UTC") for _, day in days],
        "end": [(pd.Timestamp(day, tz=tz) + pd.Timedelta(days=1)).tz_convert("UTC") for _, day in days],
        "all_day": True, "uplift": np.nan,
    })  # fmt: skip
    result = forecast(history, events, start=dt.date(2026, 5, 24), days=7, options=ModelOptions(tz=tz, interval_minutes=60))
    frame = result.frame.assign(day=result.frame["ds"].dt.tz_convert(tz).dt.date)
    daily = frame.groupby("day")["yhat"].sum()
    eve, ordinary, short = daily[dt.date(2026, 5, 27)], daily[dt.date(2026, 5, 26)], daily[dt.date(2026, 5, 29)]
    assert eve == pytest.approx(short, rel=0.25) and eve < 0.5 * ordinary


def test_an_own_occurrence_lends_its_hours_as_ratios_to_the_mix_it_was_read_as() -> None:
    # a past eve read as a Friday (b = 1) that closed at 14:00 where the Friday closes at 17:00: the next eve of that
    # name closes at 14:00 whatever weekdays its mix is drawn from; one that looked like its mix lends no hours
    friday = np.zeros((1, 24))
    friday[0, 8:17] = 60.0
    early = friday.copy()
    early[0, 14:17] = 0.0
    closed = PastDay(kind=EVE, key="E", day=0, a=np.array([0.0]), b=np.array([1.0]), ratio=np.array([0.5]),
                     counts=early, ordinary=2 * friday, fitted=friday)  # fmt: skip
    shape = plan_day(profiles(closed), EVE, "E", np.nan, 0, DEFAULT_SETTINGS).slot_shape
    assert shape is not None
    # the afternoon nearly gone (shrunk towards flat by the empirical Bayes prior), volume-neutral: the level is a, b's
    assert float(shape[15]) < 0.2 * float(shape[10]) and float(shape[10]) > 1.0
    usual = PastDay(kind=EVE, key="E", day=0, a=np.array([1.12]), b=np.array([0.0]), ratio=np.array([1.12]),
                    counts=1.12 * friday, ordinary=friday, fitted=1.12 * friday, on_reference=True)  # fmt: skip
    plan = plan_day(profiles(usual), EVE, "E", np.nan, 0, DEFAULT_SETTINGS)
    assert plan.slot_shape is None and plan.own_counts is None  # its hours were its mix's: the next one keeps its own
    # a closed holiday of a few calls has no ratios to read (under one contact expected per hour): its contacts
    quiet = PastDay(kind=HOLIDAY, key="H", day=0, a=np.array([0.0]), b=np.array([0.05]), ratio=np.array([0.02]),
                    counts=np.eye(1, 24, 10) * 6, ordinary=friday, fitted=0.01 * friday)  # fmt: skip
    held = plan_day(profiles(quiet), HOLIDAY, "H", np.nan, 0, DEFAULT_SETTINGS)
    assert held.slot_shape is None and held.own_counts is not None and float(held.own_counts[10]) == 6.0
