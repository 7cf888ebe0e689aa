"""Erlang A (M/M/N+M) against Erlang C, hand-checkable limits and a discrete-event simulation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.staffing.erlang import average_speed_of_answer, service_level, wait_probability
from scheduler.staffing.erlang_a import erlang_a, required_servers_a
from scheduler.staffing.simulation import simulate_live

AHT, TARGET = 180.0, 20.0


@pytest.mark.parametrize(("servers", "traffic"), [(1, 0.5), (14, 10.0), (13, 10.0), (120, 100.0), (3, 2.9)])
def test_endless_patience_approaches_erlang_c(servers: int, traffic: float) -> None:
    figures = erlang_a(servers, traffic, AHT, 1e12, TARGET)
    assert float(figures.p_wait) == pytest.approx(float(wait_probability(servers, traffic)), rel=1e-5)
    assert float(figures.service_level) == pytest.approx(float(service_level(servers, traffic, AHT, TARGET)), rel=1e-5)
    assert float(figures.asa_seconds) == pytest.approx(float(average_speed_of_answer(servers, traffic, AHT)), rel=1e-4)
    assert float(figures.abandon_rate) < 1e-5
    exact = erlang_a(servers, traffic, AHT, np.inf, TARGET)  # computed by Erlang C itself
    assert float(exact.p_wait) == float(wait_probability(servers, traffic))
    assert float(exact.abandon_rate) == 0.0


def test_single_agent_with_endless_patience_waits_half_the_time() -> None:
    # M/M/1 at 50% load: P(wait) = 0.5 and ASA = rho / (1 - rho) x AHT.
    figures = erlang_a(1, 0.5, 100.0, 1e12, 0.0)
    assert float(figures.p_wait) == pytest.approx(0.5, abs=1e-9)
    assert float(figures.asa_seconds) == pytest.approx(100.0, rel=1e-6)


@pytest.mark.parametrize("patience", [30.0, 120.0, 600.0])
def test_abandonment_reduces_waiting(patience: float) -> None:
    impatient = erlang_a(13, 10.0, AHT, patience, TARGET)
    assert float(impatient.p_wait) < float(wait_probability(13, 10.0))
    assert float(impatient.asa_seconds) < float(average_speed_of_answer(13, 10.0, AHT))
    assert 0.0 < float(impatient.abandon_rate) < 1.0
    # Less patience, more abandonment and shorter waits.
    more_patient = erlang_a(13, 10.0, AHT, patience * 2, TARGET)
    assert float(impatient.abandon_rate) > float(more_patient.abandon_rate)
    assert float(impatient.asa_seconds) < float(more_patient.asa_seconds)


def test_nobody_to_answer_means_everyone_abandons_after_their_patience() -> None:
    figures = erlang_a(0, 4.0, AHT, 90.0, TARGET)
    assert float(figures.p_wait) == 1.0
    assert float(figures.service_level) == 0.0
    assert float(figures.abandon_rate) == pytest.approx(1.0)
    assert float(figures.asa_seconds) == pytest.approx(90.0)  # each waits out its mean patience
    assert float(figures.occupancy) == 0.0


def test_overload_is_stable_and_abandons_the_excess() -> None:
    # 30 Erlangs on 10 servers: roughly two thirds must abandon (fluid limit 1 - N/A).
    figures = erlang_a(10, 30.0, AHT, 60.0, TARGET)
    assert float(figures.abandon_rate) == pytest.approx(1 - 10 / 30, abs=0.02)
    assert float(figures.occupancy) == pytest.approx(1.0, abs=0.01)
    assert np.isfinite(figures.asa_seconds)
    assert float(figures.asa_seconds) < 60.0


def test_zero_traffic_is_a_perfect_idle_queue() -> None:
    figures = erlang_a([0, 3], [0.0, 0.0], AHT, 60.0, TARGET)
    assert figures.p_wait.tolist() == [0.0, 0.0]
    assert figures.service_level.tolist() == [1.0, 1.0]
    assert figures.asa_seconds.tolist() == [0.0, 0.0]
    assert figures.abandon_rate.tolist() == [0.0, 0.0]


def test_element_wise_and_large_systems_stay_finite() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures = erlang_a([14, 10_000, 2], [10.0, 9_900.0, 1_000.0], [AHT, AHT, 10.0], [120.0, 300.0, 60.0], TARGET)
    for values in (figures.p_wait, figures.service_level, figures.asa_seconds, figures.abandon_rate, figures.occupancy):
        assert values.shape == (3,)
        assert np.isfinite(values).all()
    single = erlang_a(14, 10.0, AHT, 120.0, TARGET)
    assert float(single.service_level) == pytest.approx(float(figures.service_level[0]))


@pytest.mark.parametrize(
    ("servers", "traffic", "aht", "patience", "target", "seed"),
    [(12, 10.0, 180.0, 120.0, 20.0, 1), (3, 2.0, 100.0, 50.0, 30.0, 2), (8, 10.0, 180.0, 60.0, 20.0, 3)],
)
def test_matches_a_discrete_event_simulation(
    servers: int, traffic: float, aht: float, patience: float, target: float, seed: int
) -> None:
    figures = erlang_a(servers, traffic, aht, patience, target)
    run = simulate_live(servers, traffic / aht, aht, patience, target, contacts=200_000, seed=seed)
    assert run.p_wait == pytest.approx(float(figures.p_wait), abs=0.01)
    assert run.service_level == pytest.approx(float(figures.service_level), abs=0.01)
    assert run.abandon_rate == pytest.approx(float(figures.abandon_rate), abs=0.01)
    assert run.asa_seconds == pytest.approx(float(figures.asa_seconds), rel=0.06)


def test_required_servers_is_the_fewest_meeting_the_target() -> None:
    traffic = np.array([0.0, 0.3, 2.5, 10.0, 37.2, 150.0])
    needed = required_servers_a(traffic, AHT, 120.0, TARGET, 0.8, 0.85)
    assert needed.dtype == np.int64
    assert needed[0] == 0
    for load, count in zip(traffic[1:], needed[1:], strict=True):
        enough = erlang_a(count, load, AHT, 120.0, TARGET)
        assert float(enough.service_level) >= 0.8 and float(enough.occupancy) <= 0.85 + 1e-12
        fewer = erlang_a(count - 1, load, AHT, 120.0, TARGET)
        assert count == 1 or float(fewer.service_level) < 0.8 or float(fewer.occupancy) > 0.85
    alone = [int(required_servers_a(np.array([value]), AHT, 120.0, TARGET, 0.8, 0.85)[0]) for value in traffic]
    assert needed.tolist() == alone


def test_required_servers_gives_up_at_max_servers() -> None:
    with pytest.raises(ValueError, match="no staffing up to 5 servers meets the target"):
        required_servers_a(np.array([10.0]), AHT, 120.0, TARGET, 0.8, 0.85, max_servers=5)


traffic_values = st.floats(min_value=0.05, max_value=80.0, allow_nan=False)
patience_values = st.floats(min_value=5.0, max_value=3_600.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(traffic=traffic_values, servers=st.integers(min_value=0, max_value=120), patience=patience_values)
def test_more_servers_never_hurt(traffic: float, servers: int, patience: float) -> None:
    fewer = erlang_a(servers, traffic, AHT, patience, TARGET)
    more = erlang_a(servers + 1, traffic, AHT, patience, TARGET)
    assert float(more.service_level) >= float(fewer.service_level) - 1e-9
    assert float(more.p_wait) <= float(fewer.p_wait) + 1e-9
    assert float(more.abandon_rate) <= float(fewer.abandon_rate) + 1e-9
    assert float(more.asa_seconds) <= float(fewer.asa_seconds) + 1e-6
    for figures in (fewer, more):
        for value in (figures.p_wait, figures.service_level, figures.abandon_rate, figures.occupancy):
            assert 0.0 <= float(value) <= 1.0
        assert 0.0 <= float(figures.asa_seconds) <= patience * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(traffic=traffic_values, extra=st.floats(min_value=0.0, max_value=20.0), servers=st.integers(1, 120), patience=patience_values)
def test_more_traffic_never_helps(traffic: float, extra: float, servers: int, patience: float) -> None:
    base = erlang_a(servers, traffic, AHT, patience, TARGET)
    busier = erlang_a(servers, traffic + extra, AHT, patience, TARGET)
    assert float(busier.service_level) <= float(base.service_level) + 1e-9
    assert float(busier.abandon_rate) >= float(base.abandon_rate) - 1e-9
