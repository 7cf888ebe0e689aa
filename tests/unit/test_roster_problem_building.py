"""Building the roster problem: the shortcuts that find each agent's options agree with the rule itself."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from benchmarks.roster_instances import make_instance
from scheduler.rostering.problem import _may_work, _servable_options, build_problem


def test_an_option_is_servable_when_every_interval_has_a_skill_open() -> None:
    rng = np.random.default_rng(5)
    queues = ("chat", "email", "voice")
    is_open = rng.random((3, 40)) < 0.8
    options = [
        SimpleNamespace(index=i, first_interval=first, last_interval=min(first + length, 40))
        for i, (first, length) in enumerate((int(f), int(n)) for f, n in rng.integers(0, 40, size=(300, 2)))
    ]
    for skills in (("chat",), ("email", "voice"), ("chat", "email", "voice"), ("social",)):
        rows = [q for q, queue in enumerate(queues) if queue in skills]
        expected = {
            option.index
            for option in options
            if rows and is_open[rows, option.first_interval : option.last_interval].any(axis=0).all()
        }
        assert _servable_options(options, skills, is_open, queues) == expected, skills  # type: ignore[arg-type]


def test_each_agent_s_options_are_those_it_may_work() -> None:
    config, team, requirements, start, days = make_instance(24, 1, seed=4)
    problem = build_problem(config, team, requirements, start, days)
    servable = {
        skills: _servable_options(problem.options, skills, problem.is_open, problem.queues)
        for skills in {agent.channels for agent in team.agents}
    }
    assert any(agent.time_off for agent in team.agents)  # days off taken out per agent
    for a, agent in enumerate(team.agents):
        expected = tuple(
            option.index for option in problem.options if _may_work(agent, option, servable[agent.channels])
        )
        assert problem.allowed[a] == expected, agent.id
