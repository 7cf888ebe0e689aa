"""Agents whose own models are alike share one build: each copy is the model its own build makes."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks.roster_instances import make_instance
from scheduler.rostering.agentmodels import AgentModels, _renamed
from scheduler.rostering.aggregate import agent_classes
from scheduler.rostering.problem import build_problem


def _problem(ids: tuple[str, ...] | None = None):  # noqa: ANN202
    config, team, requirements, start, days = make_instance(12, 1, seed=3)
    if ids is not None:
        agents = tuple(dataclasses.replace(agent, id=new) for agent, new in zip(team.agents, ids, strict=False))
        team = dataclasses.replace(team, agents=agents + team.agents[len(agents) :])
    return build_problem(config, team, requirements, start, days)


@pytest.mark.parametrize("ids", [None, ("7", "17", "a[7", "agent 7", "7,7", "shift")])
def test_a_copy_is_the_model_the_agent_s_own_build_makes(ids: tuple[str, ...] | None) -> None:
    problem = _problem(ids)
    assert any(len(members) > 1 for members in agent_classes(problem, by_skills=False))  # some are copied
    copies, builds = AgentModels(problem), AgentModels(problem)
    builds._alike = {}  # every agent built on its own
    for a in range(len(problem.agents)):
        copies.model(a)
        copies._set_objective(a, [3, 1])  # what the copied model carries from a solve is reset by the next
    for a in range(len(problem.agents)):
        for models in (copies, builds):
            model, _options, indices = models.model(a)
            models._set_objective(a, [5, 0, 7])
            models._hint(model, indices, [1] * len(indices))
        assert str(copies.model(a)[0].proto) == str(builds.model(a)[0].proto), problem.agents[a].id
        assert copies.model(a)[1:] == builds.model(a)[1:]
        assert copies.own_floor(a) == builds.own_floor(a)
    assert copies.deterministic_time == builds.deterministic_time  # charged as a build: the budget's path unchanged


def test_a_name_is_renamed_where_the_agent_is_named_only() -> None:
    assert _renamed("shift[7,2026-10-19,1400,late]", "7", "17") == "shift[17,2026-10-19,1400,late]"
    assert _renamed("agent 7: 11 h rest between shifts", "7", "a[7") == "agent a[7: 11 h rest between shifts"
    assert _renamed("under_target[7,14]", "7", "x") == "under_target[x,14]"
    assert _renamed("max_weekends[full]", "7", "x") == "max_weekends[full]"
