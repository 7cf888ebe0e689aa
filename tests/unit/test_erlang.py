"""Erlang B / C formulas against published and hand-computed values."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.staffing.erlang import (
    average_speed_of_answer,
    erlang_b,
    occupancy,
    required_servers,
    service_level,
    wait_probability,
)

# The textbook example: 10 Erlangs of traffic, 180 s handle time, 20 s target.
TRAFFIC, AHT, TARGET = 10.0, 180.0, 20.0


def test_published_values_for_13_and_14_agents() -> None:
    assert wait_probability(13, TRAFFIC) == pytest.approx(0.2853, abs=5e-5)
    assert service_level(13, TRAFFIC, AHT, TARGET) == pytest.approx(0.7956, abs=5e-5)
    assert average_speed_of_answer(13, TRAFFIC, AHT) == pytest.approx(17.1, abs=0.05)
    assert service_level(14, TRAFFIC, AHT, TARGET) == pytest.approx(0.8884, abs=5e-5)
    assert occupancy(13, TRAFFIC) == pytest.approx(10 / 13)


def test_single_agent_is_mm1() -> None:
    # M/M/1: P(wait) = utilisation.
    assert wait_probability(1, 0.5) == pytest.approx(0.5, abs=1e-15)
    assert average_speed_of_answer(1, 0.5, 100) == pytest.approx(100.0)  # rho / (1 - rho) * AHT


@pytest.mark.parametrize(
    ("servers", "traffic", "expected"),
    [(0, 1.0, 1.0), (1, 1.0, 0.5), (2, 1.0, 0.2), (3, 2.0, 4 / 19), (1, 0.0, 0.0)],
)
def test_erlang_b_by_hand(servers: int, traffic: float, expected: float) -> None:
    # B(2, 1) = (1/2) / (1 + 1 + 1/2); B(3, 2) = (8/6) / (1 + 2 + 2 + 8/6).
    assert erlang_b(servers, traffic) == pytest.approx(expected, abs=1e-15)


def test_erlang_b_is_element_wise() -> None:
    np.testing.assert_allclose(erlang_b([1, 2, 0], [1.0, 1.0, 5.0]), [0.5, 0.2, 1.0])


def test_unstable_queue_waits_always_and_misses_the_target() -> None:
    assert wait_probability(10, TRAFFIC) == 1.0
    assert service_level(9, TRAFFIC, AHT, TARGET) == 0.0
    assert average_speed_of_answer(10, TRAFFIC, AHT) == np.inf


def test_zero_traffic() -> None:
    assert wait_probability(0, 0.0) == 0.0
    assert service_level(0, 0.0, AHT, TARGET) == 1.0
    assert occupancy(0, 0.0) == 0.0
    assert required_servers(np.array([0.0, 0.0]), AHT, TARGET, 0.8, 0.85).tolist() == [0, 0]


def test_required_servers_for_the_textbook_example() -> None:
    # 13 agents give 79.6% < 80%, so 14; 14 agents are 71% busy, under the 85% cap.
    assert required_servers(np.array([TRAFFIC]), AHT, TARGET, 0.8, 0.85).tolist() == [14]
    # 13 agents reach 70% within 20 s.
    assert required_servers(np.array([TRAFFIC]), AHT, TARGET, 0.7, 0.85).tolist() == [13]


def test_required_servers_respects_the_occupancy_cap() -> None:
    # A loose target is met by 11 agents, but 10/11 = 91% busy breaks a 85% cap: 12 (83%).
    assert required_servers(np.array([TRAFFIC]), AHT, TARGET, 0.1, 0.85).tolist() == [12]
    assert required_servers(np.array([TRAFFIC]), AHT, TARGET, 0.1, 1.0).tolist() == [11]


def test_required_servers_vectorised_matches_one_by_one() -> None:
    traffic = np.array([0.0, 0.3, 2.5, 10.0, 37.2])
    together = required_servers(traffic, AHT, TARGET, 0.8, 0.85)
    alone = [int(required_servers(np.array([value]), AHT, TARGET, 0.8, 0.85)[0]) for value in traffic]
    assert together.tolist() == alone
    assert together.dtype == np.int64


def test_required_servers_gives_up_at_max_servers() -> None:
    with pytest.raises(ValueError, match="no staffing up to 5 servers meets the target"):
        required_servers(np.array([TRAFFIC]), AHT, TARGET, 0.8, 0.85, max_servers=5)


def test_large_systems_stay_finite() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or invalid-value warnings either
        blocking = erlang_b(10_000, 9_900.0)
        waiting = wait_probability(10_000, 9_900.0)
        level = service_level(10_000, 9_900.0, AHT, TARGET)
        asa = average_speed_of_answer(10_000, 9_900.0, AHT)
        needed = required_servers(np.array([9_900.0]), AHT, TARGET, 0.8, 1.0)
    for value in (blocking, waiting, level, asa):
        assert np.isfinite(value)
    assert 0.0 < float(blocking) < 0.01
    assert 0.0 < float(waiting) < 1.0
    assert float(level) > 0.99
    assert 9_900 < int(needed[0]) <= 10_000


def test_no_overflow_warning_far_below_the_traffic() -> None:
    # A thousand Erlangs on a few servers: exp(+(A - n) t / aht) overflows unless guarded.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert service_level(2, 1_000.0, 10.0, 60.0) == 0.0
        assert required_servers(np.array([1_000.0]), 10.0, 60.0, 0.8, 0.85).tolist() == [1_177]


finite_traffic = st.floats(min_value=0.01, max_value=200.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(traffic=finite_traffic, servers=st.integers(min_value=0, max_value=300))
def test_wait_probability_is_a_probability(traffic: float, servers: int) -> None:
    waiting = float(wait_probability(servers, traffic))
    assert 0.0 <= waiting <= 1.0
    assert 0.0 <= float(erlang_b(servers, traffic)) <= 1.0
    if servers <= traffic:
        assert waiting == 1.0


@settings(max_examples=60, deadline=None)
@given(traffic=finite_traffic, servers=st.integers(min_value=1, max_value=300))
def test_service_level_grows_with_agents(traffic: float, servers: int) -> None:
    fewer = float(service_level(servers, traffic, AHT, TARGET))
    more = float(service_level(servers + 1, traffic, AHT, TARGET))
    assert more >= fewer - 1e-12
    assert float(wait_probability(servers + 1, traffic)) <= float(wait_probability(servers, traffic)) + 1e-12


@settings(max_examples=60, deadline=None)
@given(traffic=finite_traffic, extra=st.floats(min_value=0.0, max_value=50.0), servers=st.integers(1, 300))
def test_service_level_falls_with_traffic(traffic: float, extra: float, servers: int) -> None:
    assert float(service_level(servers, traffic + extra, AHT, TARGET)) <= float(
        service_level(servers, traffic, AHT, TARGET)
    ) + 1e-12


@settings(max_examples=40, deadline=None)
@given(traffic=finite_traffic, target=st.floats(min_value=0.5, max_value=0.99))
def test_required_servers_is_the_fewest_that_meet_the_target(traffic: float, target: float) -> None:
    needed = int(required_servers(np.array([traffic]), AHT, TARGET, target, 0.85)[0])
    assert float(service_level(needed, traffic, AHT, TARGET)) >= target - 1e-9
    assert traffic / needed <= 0.85 + 1e-9
    fewer = needed - 1
    assert fewer == 0 or float(service_level(fewer, traffic, AHT, TARGET)) < target or traffic / fewer > 0.85
