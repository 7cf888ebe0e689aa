"""One agent's own CP-SAT model, solved for its best shifts against everyone else (the descent's move).

An agent's hard rules and personal soft rules concern that agent alone, so its best
shifts, each worth the coverage cost it saves, is a small exact problem (about 700
booleans over 4 weeks) solved thousands of times by the descent and the polish: the
solver is set up for that (:func:`.sat.make_agent_solver`) and each solve is charged
its deterministic time (at the CPU it costs) plus a measured overhead (:mod:`.charges`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from scheduler.rostering.aggregate import agent_classes
from scheduler.rostering.charges import (
    BUILD_SECONDS_PER_OPTION,
    SOLVE_DETERMINISTIC_FACTOR,
    SOLVE_DETERMINISTIC_POWER,
    SOLVE_OVERHEAD,
    SOLVE_OVERHEAD_PER_OPTION,
)
from scheduler.rostering.model import build_full_model
from scheduler.rostering.problem import RosterProblem
from scheduler.rostering.sat import make_agent_solver

# Deterministic time one agent's solve may use; these models are solved in milliseconds.
AGENT_SOLVE_LIMIT = 0.5


class AgentModels:
    """One small CP-SAT model per agent (hard rules, personal soft rules), built on first use.

    Agents whose own models are alike (:func:`~.aggregate.agent_classes` without skills: same
    options, rules, preferences, contract and history) get a copy of the first one built, its
    variables renamed: the same model as a build of their own, at a fraction of its CPU (on a
    300-agent team, building took about as long as solving). It is charged as a build.
    """

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = problem
        # Per agent: its model, its shift options, and their variables' indices in the model (same order).
        self._models: dict[int, tuple[cp_model.CpModel, list[int], list[int]]] = {}
        # Per agent, the agents whose own models are alike (itself included): a built one is copied.
        self._alike: dict[int, tuple[int, ...]] = {
            a: members for members in agent_classes(problem, by_skills=False) for a in members
        }
        # Per agent, its own soft terms flattened once (variable index -> coefficient, offset):
        # each solve only adds the shifts' worth to them (see _set_objective).
        self._own_objective: dict[int, tuple[dict[int, int], int]] = {}
        self.deterministic_time = 0.0  # seconds charged: CP-SAT's deterministic time at its CPU rate, overheads
        self._own_cost: dict[int, int] = {}  # the agent's soft cost of its current shifts
        self._floor: dict[int, int] = {}  # the least its own soft cost can be (:meth:`own_floor`)

    def model(self, a: int) -> tuple[cp_model.CpModel, list[int], list[int]]:
        if a not in self._models:
            self.deterministic_time += BUILD_SECONDS_PER_OPTION * len(self.problem.allowed[a])
            like = next((b for b in self._alike.get(a, ()) if b in self._models), None)
            if like is not None:
                self._copy(like, a)
                return self._models[a]
            roster = build_full_model(self.problem, coverage=False, agents=(a,))
            for literal in roster.rule_literals.values():
                roster.model.add(literal == 1)
            options = [o for o in self.problem.allowed[a] if (a, o) in roster.shift]
            self._models[a] = (roster.model, options, [roster.shift[a, o].index for o in options])
            roster.model.minimize(roster.objective())
            flat = roster.model.model_proto.objective
            self._own_objective[a] = (
                dict(zip(list(flat.vars), list(flat.coeffs), strict=True)),
                int(flat.offset),
            )
        return self._models[a]

    def _copy(self, like: int, a: int) -> None:
        """Agent ``a``'s model as a copy of alike agent ``like``'s, named as its own build names it.

        The objective and hints the copy carries are ``like``'s last solve's: every solve sets both.
        """
        model, options, shift_indices = self._models[like]
        copy = model.clone()
        old, new = self.problem.agents[like].id, self.problem.agents[a].id
        for variable in copy.proto.variables:
            variable.name = _renamed(variable.name, old, new)
        self._models[a] = (copy, options, shift_indices)
        self._own_objective[a] = self._own_objective[like]

    def _set_objective(self, a: int, worth: Sequence[int] = ()) -> None:
        """Minimise the agent's own soft costs less ``worth`` per shift option (in ``options`` order).

        Written into the model's objective directly: building the expression anew and
        flattening it cost about 2 ms a solve, a third of what CP-SAT then needs.
        """
        model, _options, shift_indices = self._models[a]
        coefficients, offset = self._own_objective[a]
        merged = dict(coefficients)
        for index, amount in zip(shift_indices, worth, strict=False):
            if amount:
                merged[index] = merged.get(index, 0) - amount
        model.clear_objective()
        objective = model.model_proto.objective
        objective.vars.extend(list(merged))
        objective.coeffs.extend(list(merged.values()))
        objective.offset = offset
        objective.scaling_factor = 1.0

    @staticmethod
    def _hint(model: cp_model.CpModel, shift_indices: Sequence[int], values: Sequence[int]) -> None:
        """Hint the shift variables at once (``add_hint`` one by one took 5 ms for 800 options)."""
        model.clear_hints()
        hint = model.model_proto.solution_hint
        hint.vars.extend(shift_indices)
        hint.values.extend(values)

    def solve_overhead(self, a: int) -> float:
        """Seconds charged for one solve of agent ``a``'s model beyond CP-SAT's deterministic time."""
        return SOLVE_OVERHEAD + SOLVE_OVERHEAD_PER_OPTION * len(self.problem.allowed[a])

    def solve_seconds(self, deterministic: float, a: int) -> float:
        """Seconds charged for a solve of agent ``a``'s model that took ``deterministic`` of CP-SAT's time."""
        return SOLVE_DETERMINISTIC_FACTOR * deterministic**SOLVE_DETERMINISTIC_POWER + self.solve_overhead(a)

    def own_floor(self, a: int) -> int:
        """The least the agent's own soft cost can be: each term of its objective at its cheaper bound.

        Read once per agent (a loop over its objective's terms, a few tens of microseconds: not charged).
        """
        if a not in self._floor:
            model, _options, _vars = self.model(a)
            coefficients, offset = self._own_objective[a]
            variables = model.model_proto.variables
            floor = offset
            for index, coefficient in coefficients.items():
                domain = variables[index].domain
                floor += min(coefficient * domain[0], coefficient * domain[-1])
            self._floor[a] = floor
        return self._floor[a]

    def remembered_cost(self, a: int) -> int | None:
        """The agent's own soft cost of its current shifts, as the last solve that chose them found it."""
        return self._own_cost.get(a)

    def restore_cost(self, a: int, cost: int | None) -> None:
        """Put back a remembered own cost (a move that chose other shifts was undone)."""
        if cost is None:
            self._own_cost.pop(a, None)
        else:
            self._own_cost[a] = cost

    def forget(self) -> None:
        """Drop every remembered own cost (the shifts they belong to were replaced)."""
        self._own_cost.clear()

    def remember(self, a: int, shifts: Sequence[int]) -> None:
        """Find and remember the agent's own soft cost of ``shifts`` (its model solved with them fixed)."""
        model, options, shift_indices = self.model(a)
        self._set_objective(a)
        worked = set(shifts)
        self._hint(model, shift_indices, [1 if o in worked else 0 for o in options])
        solver = make_agent_solver(AGENT_SOLVE_LIMIT)
        solver.parameters.fix_variables_to_their_hinted_value = True
        status = solver.solve(model)
        self.deterministic_time += self.solve_seconds(solver.response_proto.deterministic_time, a)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._own_cost[a] = round(solver.objective_value)

    def best_shifts(self, a: int, value: dict[int, int], current: Sequence[int], time_limit: float) -> list[int] | None:
        """The agent's options maximising ``value`` minus its own soft costs, if strictly better than ``current``.

        Returns None when nothing better was found (or, without ``current``,
        when the agent has no roster at all). An agent's soft costs depend on
        its own shifts only, so the cost of ``current`` is remembered from the
        solve that chose it and compared exactly: ties keep the current shifts,
        which is what lets the sweeps stop.
        """
        model, options, shift_indices = self.model(a)
        self._set_objective(a, [int(value.get(o, 0)) for o in options])
        chosen = set(current)
        self._hint(model, shift_indices, [1 if o in chosen else 0 for o in options])
        solver = make_agent_solver(time_limit)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.deterministic_time += self.solve_seconds(time_limit, a)  # it ran out of its limit
            return None
        self.deterministic_time += self.solve_seconds(solver.response_proto.deterministic_time, a)
        # Read from the response at once: boolean_value per variable cost about 2.5 ms a solve for 850
        # options (uncharged CPU beyond the per-option overhead), the solution array 1.6 ms.
        solution = solver.response_proto.solution
        shifts = [o for o, index in zip(options, shift_indices, strict=True) if solution[index]]
        own_cost = round(solver.objective_value) + sum(value.get(o, 0) for o in shifts)
        if a in self._own_cost and round(solver.objective_value) >= self._own_cost[a] - sum(
            value.get(o, 0) for o in current
        ):
            return None
        self._own_cost[a] = own_cost
        return shifts


def _renamed(name: str, old: str, new: str) -> str:
    """A variable's name in agent ``old``'s model as agent ``new``'s names it.

    The one-agent model names its variables ``kind[agent,...]`` and its rule
    literals ``agent <agent>: ...`` (:mod:`.model`).
    """
    if name.startswith(f"agent {old}: "):
        return f"agent {new}{name[len(old) + 6 :]}"
    return name.replace(f"[{old},", f"[{new},", 1)
