"""Shifts whose plan breaks a block or switch rule, mended by choosing shifts again.

The activity stage (:mod:`.activities`) breaks a block or switch rule only where no plan of a
shift keeps both the rules and the queue minimums it holds and mending other plans around it
found no way out; the minimum wins. Plans alone cannot mend that, shifts can: this stage runs
after the activity stage and again after the polish (:mod:`.polish`, whose agent move it uses),
whatever the budget left, as a broken hard rule outweighs any cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.rostering.agentmodels import AgentModels
from scheduler.rostering.descent import AGENT_SOLVE_LIMIT
from scheduler.rostering.polish import (
    SECONDS_PER_INTERVAL,
    OptionPlanner,
    PolishState,
    apply_option_plan,
    minimum_shortfall,
    reseat_agent,
)
from scheduler.rostering.problem import RosterProblem
from scheduler.rostering.shiftplan import ShiftPlan, plan_breaks


@dataclass(frozen=True, slots=True, kw_only=True)
class MendResult:
    chosen: tuple[tuple[int, int], ...]  # (agent, option) worked, sorted
    plans: dict[tuple[int, int], ShiftPlan]  # the live shifts' plans, as :class:`PolishResult`'s
    broken: int  # shifts whose plan broke a block or switch rule before the mending
    mended: int  # of those, how many keep every rule now
    seconds: float  # budget charged (deterministic; the mending runs whatever is left)


def mend(
    problem: RosterProblem,
    models: AgentModels | None,
    chosen: Sequence[tuple[int, int]],
    plans: dict[tuple[int, int], ShiftPlan],
) -> MendResult:
    """Shifts whose plan breaks a block or switch rule, mended by choosing shifts again (after the activity stage and after the polish).

    The activity stage breaks a rule only where no plan of a shift keeps both the rules and the
    queue minimums it holds, and its repair (other plans around it) found no way out either: on a
    15-minute grid with two queue minimums, an agent held on one queue until it closes and on the
    other minimum for the quarter hour its shift runs past (docs/roster-history.md, "A short block
    the plans could not mend (session 20)"). Plans alone cannot mend that; shifts can. For each
    broken shift, in order: its agent is placed again at its best shifts with plans that keep the
    rules (the polish's agent move, the broken plan not kept, a loss accepted); failing that, the
    shift's plan is taken out, the agents working beside it that share a queue with it move first
    (the minimum it held is worth covering now), then the agent is placed again. A mending is kept
    only when every plan it touched keeps the rules and the queue minimums miss no more than before;
    otherwise everything goes back. It runs whatever the budget left (like the activity stage's
    first sweep): a broken hard rule outweighs any cost. Deterministic: fixed order, the agent
    models' deterministic time, whole-number costs.
    """
    planner = OptionPlanner(problem)
    broken = [key for key in sorted(plans) if plan_breaks(problem, planner.blocks, key[1], plans[key])]
    if not broken:
        return MendResult(chosen=tuple(sorted(chosen)), plans=plans, broken=0, mended=0, seconds=0.0)
    models = AgentModels(problem) if models is None else models  # small teams: CP-SAT chose the shifts
    state = PolishState.of(problem, chosen, plans)
    start_time = models.deterministic_time
    mended = 0
    for a, o in broken:
        plan = state.plans.get((a, o))
        if plan is None or not plan_breaks(problem, state.planner.blocks, o, plan):
            mended += plan is not None or o not in state.current[a]  # an earlier mending moved it
            continue
        mended += _mend_shift(problem, models, state, a, o)
    seconds = models.deterministic_time - start_time + state.planner.seconds
    return MendResult(
        chosen=tuple(sorted((a, o) for a, options in state.current.items() for o in options)),
        plans=state.plans,
        broken=len(broken),
        mended=mended,
        seconds=seconds + state.coverage.work * SECONDS_PER_INTERVAL,
    )


# Agents who move first when a broken shift's agent alone cannot mend it: those sharing a queue with
# it whose shifts that day overlap it most (each move one agent solve: a mending is tens of solves).
MEND_HELPERS = 12


def _mend_shift(problem: RosterProblem, models: AgentModels, state: PolishState, a: int, o: int) -> bool:
    """Shift ``(a, o)``'s broken plan mended (:func:`mend`); False: everything as it was."""
    option = problem.options[o]
    helpers = sorted(
        (
            (-(min(option.last_interval, other.last_interval) - max(option.first_interval, other.first_interval)), b)
            for b, worked in state.current.items()
            if b != a and np.intersect1d(state.skills[b], state.skills[a]).size
            for other in (problem.options[p] for p in worked)
            if other.day_index == option.day_index
            and other.first_interval < option.last_interval
            and option.first_interval < other.last_interval
        )
    )
    agents = [a, *dict.fromkeys(b for _overlap, b in helpers[:MEND_HELPERS])]
    saved_plans, saved_counts = dict(state.plans), state.counts.copy()
    saved_current = {b: list(state.current[b]) for b in agents}
    saved_costs = {b: models.remembered_cost(b) for b in agents}
    limit = minimum_shortfall(state.coverage, state.counts)

    def place(b: int, missing_limit: int | None) -> None:
        reseat_agent(
            problem,
            models,
            state.planner,
            state.coverage,
            state.counts,
            state.plans,
            state.current,
            b,
            state.skills[b],
            state.secondary[b],
            state.weight,
            AGENT_SOLVE_LIMIT,
            set(),
            missing_limit,
        )

    def kept() -> bool:
        whole = all((b, p) in state.plans for b in agents for p in state.current[b] if p in state.planner.shape_of)
        return (
            whole
            and not any(
                plan_breaks(problem, state.planner.blocks, p, state.plans[b, p])
                for b in agents
                for p in state.current[b]
                if (b, p) in state.plans
            )
            and minimum_shortfall(state.coverage, state.counts) <= limit
        )

    def restore() -> None:
        state.plans.clear()
        state.plans.update(saved_plans)
        state.counts[:] = saved_counts
        for b in agents:
            state.current[b] = list(saved_current[b])
            models.restore_cost(b, saved_costs[b])

    place(a, limit)
    if kept():
        return True
    restore()
    apply_option_plan(state.counts, problem, o, state.plans.pop((a, o)), -1)  # out while the others move
    for b in agents[1:]:
        place(b, None)
    place(a, limit)
    if kept():
        return True
    restore()
    return False
