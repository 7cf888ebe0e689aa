"""The ``peakplan erlang`` calculator: one interval's staffing, checkable by hand.

Given the contacts in one interval, the handle time and the answer-time
target, either the fewest agents meeting the service level and the occupancy
cap, or the figures of a given number of agents. Erlang C by default; Erlang A
when a mean patience is given. Every figure is a fraction (0.8 = 80%) or
seconds, never NaN: an input without a finite answer is an
:class:`~scheduler.errors.InputError` that says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scheduler.errors import InputError
from scheduler.staffing.erlang import (
    average_speed_of_answer,
    occupancy,
    required_servers,
    service_level,
    wait_probability,
)
from scheduler.staffing.erlang_a import erlang_a, required_servers_a

MAX_AGENTS = 10_000
"""The calculator searches staffing up to this many agents."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Calculation:
    """One interval's staffing and what it gives (fractions and seconds)."""

    traffic_erlangs: float
    agents: int
    service_level: float
    asa_seconds: float
    p_wait: float
    occupancy: float
    abandon_rate: float | None  # Erlang A only
    staff_with_shrinkage: float | None  # agents / (1 - shrinkage), when a shrinkage is given
    agents_given: bool

    def as_json(self) -> dict[str, float | int]:
        """The ``--json`` object: ``agents, service_level, asa_seconds, p_wait, occupancy`` and extras."""
        result: dict[str, float | int] = {
            "agents": self.agents,
            "service_level": round(self.service_level, 6),
            "asa_seconds": round(self.asa_seconds, 3),
            "p_wait": round(self.p_wait, 6),
            "occupancy": round(self.occupancy, 6),
            "traffic_erlangs": round(self.traffic_erlangs, 6),
        }
        if self.abandon_rate is not None:
            result["abandon_rate"] = round(self.abandon_rate, 6)
        if self.staff_with_shrinkage is not None:
            result["staff_with_shrinkage"] = round(self.staff_with_shrinkage, 4)
        return result


def _check(
    volume: float,
    interval_minutes: float,
    aht_seconds: float,
    target_seconds: float,
    agents: int | None,
    target_level: float,
    max_occupancy: float,
    shrinkage: float | None,
    patience_seconds: float | None,
) -> None:
    def finite(value: float) -> bool:
        return isinstance(value, int | float) and math.isfinite(value)

    if not finite(volume) or volume < 0:
        raise InputError(f"--volume must be a number of contacts >= 0, got {volume!r}")
    if not finite(interval_minutes) or interval_minutes <= 0:
        raise InputError(f"--interval-minutes must be > 0, got {interval_minutes!r}")
    if not finite(aht_seconds) or aht_seconds <= 0:
        raise InputError(f"--aht must be > 0 seconds (the average handle time of one contact), got {aht_seconds!r}")
    if not finite(target_seconds) or target_seconds < 0:
        raise InputError(f"--target-seconds must be >= 0, got {target_seconds!r}")
    if not finite(target_level) or not 0 < target_level <= 1:
        raise InputError(f"--service-level must be a fraction in (0, 1], got {target_level!r} (write 0.8 for 80%)")
    if not finite(max_occupancy) or not 0 < max_occupancy <= 1:
        raise InputError(f"--max-occupancy must be a fraction in (0, 1], got {max_occupancy!r} (write 0.85 for 85%)")
    if shrinkage is not None and (not finite(shrinkage) or not 0 <= shrinkage < 1):
        raise InputError(f"--shrinkage must be a fraction in [0, 1), got {shrinkage!r} (write 0.3 for 30%)")
    if patience_seconds is not None and (math.isnan(patience_seconds) or patience_seconds <= 0):
        raise InputError(f"--patience must be > 0 seconds, got {patience_seconds!r}")
    if agents is not None and agents < 0:
        raise InputError(f"--agents must be >= 0, got {agents}")


def _fewest_agents(
    traffic: float,
    aht_seconds: float,
    patience_seconds: float | None,
    target_seconds: float,
    target_level: float,
    max_occupancy: float,
) -> int:
    """The fewest agents meeting the target and the cap: Erlang A with a finite patience, else Erlang C.

    Raises:
        ValueError: no staffing up to :data:`MAX_AGENTS` does.
    """
    load = np.array([traffic])
    if patience_seconds is None or math.isinf(patience_seconds):
        found = required_servers(load, aht_seconds, target_seconds, target_level, max_occupancy, MAX_AGENTS)
    else:
        found = required_servers_a(
            load, aht_seconds, patience_seconds, target_seconds, target_level, max_occupancy, MAX_AGENTS
        )
    return int(found[0])


def calculate(
    *,
    volume: float,
    interval_minutes: float,
    aht_seconds: float,
    target_seconds: float,
    agents: int | None = None,
    target_level: float = 0.8,
    max_occupancy: float = 0.85,
    shrinkage: float | None = None,
    patience_seconds: float | None = None,
) -> Calculation:
    """Figures of ``agents``, or of the fewest agents meeting ``target_level`` and ``max_occupancy``.

    Raises:
        InputError: a value out of range; with ``agents`` under Erlang C, traffic
            at or above the agents (an unstable queue: no finite wait); without,
            a target no staffing up to :data:`MAX_AGENTS` reaches.
    """
    _check(
        volume,
        interval_minutes,
        aht_seconds,
        target_seconds,
        agents,
        target_level,
        max_occupancy,
        shrinkage,
        patience_seconds,
    )
    traffic = volume * aht_seconds / (interval_minutes * 60)
    patient = patience_seconds is None or math.isinf(patience_seconds)
    goal = f"{target_level:.0%} within {target_seconds:g} s at <= {max_occupancy:.0%} occupancy"

    if agents is None:
        if target_level >= 1 and traffic > 0:
            raise InputError(
                "--service-level 1 cannot be reached: some contact always has to wait a little "
                "unless there are infinitely many agents (ask for e.g. 0.99)"
            )
        try:
            count = _fewest_agents(traffic, aht_seconds, patience_seconds, target_seconds, target_level, max_occupancy)
        except ValueError:
            raise InputError(
                f"no staffing up to {MAX_AGENTS:,} agents reaches {goal} for {traffic:,.2f} Erlangs of traffic "
                "(split the queue, lower --service-level or raise --target-seconds)"
            ) from None
    else:
        count = agents
        if patient and traffic > 0 and count <= traffic:
            needed = ""
            try:
                least = _fewest_agents(
                    traffic, aht_seconds, patience_seconds, target_seconds, target_level, max_occupancy
                )
                needed = f"; {least:,} agents meet {goal}"
            except ValueError:
                pass
            raise InputError(
                f"unstable queue: {traffic:,.2f} Erlangs of traffic on {count:,} agents, who cannot keep up "
                "(the queue grows without bound: every contact waits and there is no finite ASA); "
                f"staff more than {math.floor(traffic):,} agents{needed}"
            )

    if patient:
        figures = {
            "p_wait": float(wait_probability(count, traffic)),
            "service_level": float(service_level(count, traffic, aht_seconds, target_seconds)),
            "asa_seconds": float(average_speed_of_answer(count, traffic, aht_seconds)) if traffic > 0 else 0.0,
            "occupancy": float(occupancy(count, traffic)),
        }
        abandon = None
    else:
        assert patience_seconds is not None
        result = erlang_a(count, traffic, aht_seconds, patience_seconds, target_seconds)
        figures = {
            "p_wait": float(result.p_wait),
            "service_level": float(result.service_level),
            "asa_seconds": float(result.asa_seconds),
            "occupancy": float(result.occupancy),
        }
        abandon = float(result.abandon_rate)
    return Calculation(
        traffic_erlangs=traffic,
        agents=count,
        service_level=figures["service_level"],
        asa_seconds=figures["asa_seconds"],
        p_wait=figures["p_wait"],
        occupancy=figures["occupancy"],
        abandon_rate=abandon,
        staff_with_shrinkage=None if shrinkage is None else count / (1.0 - shrinkage),
        agents_given=agents is not None,
    )
