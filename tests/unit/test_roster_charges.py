"""What an agent's solve is charged (scheduler/rostering/charges.py, agentmodels.AgentModels.solve_seconds)."""

from __future__ import annotations

from benchmarks.roster_instances import make_instance
from scheduler.rostering.agentmodels import AgentModels
from scheduler.rostering.charges import SOLVE_DETERMINISTIC_FACTOR, SOLVE_DETERMINISTIC_POWER
from scheduler.rostering.problem import build_problem


def test_an_agent_solve_is_charged_its_deterministic_time_at_what_it_costs() -> None:
    config, members, requirements, start, days = make_instance(4, weeks=1, seed=2, time_limit_seconds=1.0)
    models = AgentModels(build_problem(config, members, requirements, start, days))
    overhead = models.solve_overhead(0)
    assert models.solve_seconds(0.0, 0) == overhead
    # A deterministic millisecond costs several of CPU; a long solve fewer per deterministic second.
    short, long = (models.solve_seconds(d, 0) - overhead for d in (0.001, 0.1))
    assert short == SOLVE_DETERMINISTIC_FACTOR * 0.001**SOLVE_DETERMINISTIC_POWER
    assert short / 0.001 > 3
    assert long / 0.1 < short / 0.001
