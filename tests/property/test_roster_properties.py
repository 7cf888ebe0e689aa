"""Every roster the solver returns keeps the hard rules, checked by an independent validator."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from forecasts.grid import interval_grid
from scheduler.config import Channel, Config, OpeningHours, RosterSettings, ShiftTemplate
from scheduler.coverage import scheduled_agents
from scheduler.errors import InfeasibleError
from scheduler.rostering import make_roster
from scheduler.rostering import solve
from scheduler.team import Agent, AvailabilityWindow, Contract, Team
from scheduler.rostering.checker import find_violations
from tests.costly_examples import examples

ZONES = ("UTC", "Europe/Berlin", "Europe/Moscow", "America/New_York")
QUEUES = ("chat", "email")


@st.composite
def shift_templates(draw: st.DrawFn, name: str, hours: int) -> ShiftTemplate:
    """Shifts from 00:00 to late evening (some cross midnight or the horizon end), some with lunch and breaks."""
    starts = tuple(sorted({dt.time(hour) for hour in draw(st.lists(st.integers(0, 22), min_size=1, max_size=3))}))
    lunch_minutes, window = 0, (3.0, 5.0)
    if hours >= 4 and draw(st.booleans()):
        # The lunch hour starts at least an hour in and ends at least an hour before the end.
        earliest = draw(st.integers(min_value=1, max_value=hours - 2))
        latest = draw(st.integers(min_value=earliest, max_value=hours - 2))
        lunch_minutes, window = 60, (float(earliest), float(latest))
    return ShiftTemplate(
        name=name,
        hours=hours,
        starts=starts,
        lunch_minutes=lunch_minutes,
        lunch_after_hours=window,
        breaks=draw(st.integers(min_value=0, max_value=2)),
    )


@st.composite
def problems(draw: st.DrawFn) -> dict[str, object]:
    tz = draw(st.sampled_from(ZONES))
    days = draw(st.integers(min_value=1, max_value=4))
    start = draw(st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 28)))
    channels = []
    for name in QUEUES:
        opens = draw(st.integers(min_value=0, max_value=9))
        closes = draw(st.integers(min_value=15, max_value=24))
        channels.append(
            Channel(name=name, model="erlang_c", aht_seconds=300.0, open=OpeningHours(open=dt.time(opens), close=dt.time(closes % 24)))
        )
    templates = tuple(
        draw(shift_templates(f"t{index}", hours))
        for index, hours in enumerate(draw(st.lists(st.sampled_from((3, 4, 6, 8)), min_size=1, max_size=2)))
    )
    night_start, night_end = draw(st.sampled_from(((22, 6), (22, 6), (0, 5), (20, 23))))
    config = Config(
        team_name="T",
        timezone=tz,
        interval_minutes=60,
        shrinkage=0.0,
        max_occupancy=0.85,
        channels=tuple(channels),
        roster=RosterSettings(
            min_rest_hours=draw(st.sampled_from((0.0, 8.0, 11.0, 14.0))),
            max_consecutive_days=draw(st.integers(min_value=1, max_value=3)),
            min_consecutive_days_off=draw(st.sampled_from((1, 1, 2))),
            max_weekends_per_4_weeks=draw(st.sampled_from((0, 2, 4))),
            night_start=dt.time(night_start),
            night_end=dt.time(night_end),
            time_limit_seconds=0.5,
            understaffing_weight=100,
            overstaffing_weight=draw(st.sampled_from((0, 2))),
            fairness_weight=draw(st.sampled_from((0, 20))),
            min_agents=(("chat", 1),) if draw(st.sampled_from((False, False, False, False, False, True))) else (),
            shifts=templates,
        ),
    )
    horizon = [start + dt.timedelta(days=offset) for offset in range(days)]
    agents = []
    for number in range(draw(st.integers(min_value=2, max_value=4))):
        # Weekly hours are pro-rated to the horizon: 1 day of 40 h is 5.7 h, of 80 h is 11.4 h.
        max_hours = draw(st.sampled_from((20, 40, 60, 80)))
        contract = Contract(
            name=f"c{max_hours}",
            min_hours_per_week=draw(st.sampled_from((0, 0, 0, 0, 0, 0, 5))),
            max_hours_per_week=max_hours,
            max_shifts_per_week=draw(st.integers(min_value=1, max_value=5)),
            min_rest_hours=draw(st.sampled_from((None, None, 9.0, 12.0))),
            max_consecutive_days=draw(st.sampled_from((None, None, 2))),
            min_consecutive_days_off=draw(st.sampled_from((None, None, 1, 2))),
            max_weekends_per_4_weeks=draw(st.sampled_from((None, None, 0, 1))),
            night_work=draw(st.sampled_from((True, True, False))),
        )
        windows: tuple[AvailabilityWindow, ...] = ()
        if draw(st.integers(0, 2)) == 0:
            begin = draw(st.integers(min_value=0, max_value=14))
            windows = (
                AvailabilityWindow(
                    weekdays=tuple(sorted(set(draw(st.lists(st.integers(0, 6), min_size=1, max_size=7))))),
                    start=dt.time(begin),
                    end=dt.time(draw(st.integers(min_value=begin + 1, max_value=24)) % 24),
                ),
            )
        agents.append(
            Agent(
                id=f"a{number}",
                name=f"Agent {number}",
                email="",
                contract=contract,
                channels=tuple(draw(st.lists(st.sampled_from(QUEUES), min_size=1, max_size=2, unique=True).map(sorted))),
                availability=windows,
                time_off=tuple(sorted(set(draw(st.lists(st.sampled_from(horizon), max_size=1))))),
            )
        )
    team = Team(path=Path("team.toml"), contracts=(), agents=tuple(agents))
    grid = interval_grid(start, days, tz, 60)
    rng = np.random.default_rng(draw(st.integers(min_value=0, max_value=2**32 - 1)))
    requirements = pd.concat(
        [
            pd.DataFrame({"ds": grid, "queue": queue, "agents_required": rng.choice([0.0, 0.5, 1.0, 1.3, 2.0], len(grid))})
            for queue in QUEUES
        ],
        ignore_index=True,
    )
    replan = draw(st.integers(0, 2)) == 0
    return {"config": config, "team": team, "requirements": requirements, "start": start, "days": days, "replan": replan}


@settings(max_examples=examples(ci=20, explore=40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(problem=problems())
def test_every_roster_keeps_the_hard_rules(problem: dict[str, object]) -> None:
    check_hard_rules(problem)


@settings(max_examples=examples(ci=12, explore=25), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(problem=problems())
def test_every_descent_roster_keeps_the_hard_rules(problem: dict[str, object]) -> None:
    """The same on the large-team path: agent-by-agent descent scored by the full model."""
    with mock.patch.object(solve, "DIRECT_MAX_AGENT_DAYS", 0):
        check_hard_rules(problem)


def instance(problem: dict[str, object]) -> tuple[Config, Team, pd.DataFrame, dt.date, int]:
    """A drawn problem's planning inputs, typed: config, team, requirements, first day, days."""
    keys = ("config", "team", "requirements", "start", "days")
    return tuple(problem[key] for key in keys)  # type: ignore[return-value]


def check_hard_rules(problem: dict[str, object]) -> None:
    config, team, requirements, start, days = instance(problem)
    try:
        result = make_roster(config, team, requirements, start, days)
    except InfeasibleError as error:
        event("infeasible")
        text = str(error)  # one conflict on the heading line, several one per line below it
        assert text.startswith("no roster satisfies the rules") and ("agent a" in text or "queue chat: at least 1" in text)
        return
    event(f"{len(result.roster)} blocks")
    assert find_violations(result.roster, team, config, start, days) == []
    # Coverage from the table agrees with the solver's own shortfall count.
    coverage = scheduled_agents(result.roster, requirements, config.interval_minutes)
    short_hours = (np.ceil(coverage["shortfall"] * 100 - 1e-6) / 100).sum() * config.interval_minutes / 60
    assert np.isclose(short_hours, result.understaffing_agent_hours)
    first_day = result.roster["start"].dt.tz_convert(config.timezone).dt.date == start
    # A roster file carries no horizon: the days it planned run from its first shift to its last.
    if problem["replan"] and first_day.any():
        # Planning again over the published roster with its first day frozen: that day's rows
        # stay exactly as they were (also blocks after midnight), and the whole is still valid.
        again = make_roster(config, team, requirements, start, days, previous=result.roster, freeze_until=start)
        event("replanned")
        assert find_violations(again.roster, team, config, start, days) == []
        frozen_ids = set(result.roster.loc[first_day, "shift_id"])
        kept = again.roster[again.roster["shift_id"].isin(frozen_ids)]
        assert kept.to_dict("records") == result.roster[result.roster["shift_id"].isin(frozen_ids)].to_dict("records")
        new_first_day = again.roster["start"].dt.tz_convert(config.timezone).dt.date == start
        assert set(again.roster.loc[new_first_day, "shift_id"]) == frozen_ids
