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

from scheduler.errors import InputError, Problems
from scheduler.staffing.erlang import required_servers
from scheduler.staffing.erlang_a import erlang_a, required_servers_a

MAX_AGENTS = 10_000
"""The calculator searches staffing up to this many agents."""
MAX_VOLUME = 1e9
"""Contacts in one interval at most, as for a history count (``forecasts.history.MAX_COUNT``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """What the calculator is asked about one interval (the options of ``peakplan erlang``)."""

    volume: float  # contacts arriving in the interval
    interval_minutes: float
    aht_seconds: float
    target_seconds: float  # the answer-time target
    agents: int | None = None  # a given staffing; None: the fewest meeting the target and the cap
    target_level: float = 0.8  # share to answer within the target
    max_occupancy: float = 0.85
    shrinkage: float | None = None  # also report agents / (1 - shrinkage)
    patience_seconds: float | None = None  # mean patience: Erlang A; None or inf: Erlang C

    @property
    def patient(self) -> bool:
        """Nobody abandons: Erlang C."""
        return self.patience_seconds is None or math.isinf(self.patience_seconds)

    @property
    def traffic_erlangs(self) -> float:
        return self.volume * self.aht_seconds / (self.interval_minutes * 60)

    @property
    def goal(self) -> str:
        return f"{self.target_level:.0%} within {self.target_seconds:g} s at <= {self.max_occupancy:.0%} occupancy"


@dataclass(frozen=True, slots=True, kw_only=True)
class Calculation:
    """One interval's staffing and what it gives (fractions and seconds)."""

    question: Question
    traffic_erlangs: float
    agents: int
    service_level: float
    asa_seconds: float
    p_wait: float
    occupancy: float
    abandon_rate: float | None  # Erlang A only

    @property
    def agents_given(self) -> bool:
        return self.question.agents is not None

    @property
    def staff_with_shrinkage(self) -> float | None:
        """agents / (1 - shrinkage), when a shrinkage is given."""
        shrinkage = self.question.shrinkage
        return None if shrinkage is None else self.agents / (1.0 - shrinkage)

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
        staff = self.staff_with_shrinkage
        if staff is not None:
            result["staff_with_shrinkage"] = round(staff, 4)
        return result


def _check(question: Question) -> None:
    """Every value out of range, listed at once (one line each)."""

    def finite(value: float) -> bool:
        return isinstance(value, int | float) and math.isfinite(value)

    q = question
    problems = Problems()
    if not finite(q.volume) or not 0 <= q.volume <= MAX_VOLUME:
        problems.add(f"--volume must be a number of contacts from 0 to {MAX_VOLUME:,.0f}, got {q.volume!r}")
    if not finite(q.interval_minutes) or q.interval_minutes <= 0:
        problems.add(f"--interval-minutes must be > 0, got {q.interval_minutes!r}")
    if not finite(q.aht_seconds) or q.aht_seconds <= 0:
        problems.add(f"--aht must be > 0 seconds (the average handle time of one contact), got {q.aht_seconds!r}")
    if not finite(q.target_seconds) or q.target_seconds < 0:
        problems.add(f"--target-seconds must be >= 0, got {q.target_seconds!r}")
    if not finite(q.target_level) or not 0 < q.target_level <= 1:
        problems.add(f"--service-level must be a fraction in (0, 1], got {q.target_level!r} (write 0.8 for 80%)")
    if not finite(q.max_occupancy) or not 0 < q.max_occupancy <= 1:
        problems.add(f"--max-occupancy must be a fraction in (0, 1], got {q.max_occupancy!r} (write 0.85 for 85%)")
    if q.shrinkage is not None and (not finite(q.shrinkage) or not 0 <= q.shrinkage < 1):
        problems.add(f"--shrinkage must be a fraction in [0, 1), got {q.shrinkage!r} (write 0.3 for 30%)")
    if q.patience_seconds is not None and (math.isnan(q.patience_seconds) or q.patience_seconds <= 0):
        problems.add(f"--patience must be > 0 seconds, got {q.patience_seconds!r}")
    # the figures sum over the agents one by one: a billion of them never returns
    if q.agents is not None and not 0 <= q.agents <= MAX_AGENTS:
        problems.add(f"--agents must be from 0 to {MAX_AGENTS:,}, got {q.agents:,}")
    problems.raise_if_any()


def _fewest_agents(question: Question) -> int:
    """The fewest agents meeting the target and the cap: Erlang A with a finite patience, else Erlang C.

    Raises:
        ValueError: no staffing up to :data:`MAX_AGENTS` does.
    """
    q = question
    load = np.array([q.traffic_erlangs])
    if q.patient:
        found = required_servers(load, q.aht_seconds, q.target_seconds, q.target_level, q.max_occupancy, MAX_AGENTS)
    else:
        assert q.patience_seconds is not None
        found = required_servers_a(
            load, q.aht_seconds, q.patience_seconds, q.target_seconds, q.target_level, q.max_occupancy, MAX_AGENTS
        )
    return int(found[0])


def calculate(question: Question) -> Calculation:
    """Figures of ``question.agents``, or of the fewest agents meeting its level and occupancy cap.

    Raises:
        InputError: a value out of range; with ``agents`` under Erlang C, traffic
            at or above the agents (an unstable queue: no finite wait); without,
            a target no staffing up to :data:`MAX_AGENTS` reaches.
    """
    _check(question)
    traffic = question.traffic_erlangs
    if question.agents is None:
        if question.target_level >= 1 and traffic > 0:
            raise InputError(
                "--service-level 1 cannot be reached: some contact always has to wait a little "
                "unless there are infinitely many agents (ask for e.g. 0.99)"
            )
        try:
            count = _fewest_agents(question)
        except ValueError:
            raise InputError(
                f"no staffing up to {MAX_AGENTS:,} agents reaches {question.goal} for {traffic:,.2f} Erlangs of "
                "traffic (split the queue, lower --service-level or raise --target-seconds)"
            ) from None
    else:
        count = question.agents
        if question.patient and traffic > 0 and count <= traffic:
            needed = ""
            try:
                needed = f"; {_fewest_agents(question):,} agents meet {question.goal}"
            except ValueError:
                pass
            raise InputError(
                f"unstable queue: {traffic:,.2f} Erlangs of traffic on {count:,} agents, who cannot keep up "
                "(the queue grows without bound: every contact waits and there is no finite ASA); "
                f"staff more than {math.floor(traffic):,} agents{needed}"
            )

    # erlang_a computes Erlang C itself for an infinite patience: one place for the figures of both models
    patience = math.inf if question.patience_seconds is None else question.patience_seconds
    figures = erlang_a(count, traffic, question.aht_seconds, patience, question.target_seconds)
    return Calculation(
        question=question,
        traffic_erlangs=traffic,
        agents=count,
        service_level=float(figures.service_level),
        asa_seconds=float(figures.asa_seconds),
        p_wait=float(figures.p_wait),
        occupancy=float(figures.occupancy),
        abandon_rate=None if question.patient else float(figures.abandon_rate),
    )
