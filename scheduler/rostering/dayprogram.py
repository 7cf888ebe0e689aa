"""One day's program (:mod:`.days`) built as arrays and solved: its LP (GLOP) or, in whole agents, its MIP (SCIP).

Each agent takes one of its options that day or rests; the agents of a skill
group on an option split among its plans; per queue and interval the cost is
the objective's (first missing agent, further ones twice, overstaffing), and a
queue minimum never falls below what the day gives it now.

The program is written as an ``MPModelProto`` (rows as index and coefficient
lists) and loaded into the solver at once: setting its tens of thousands of
coefficients one call at a time took a third of a day's relaxation (100
agents, binding skills: 3-4 us per term against about 1 us this way).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from scheduler.rostering.problem import SCALE, RosterProblem

Column = tuple[int | None, tuple[tuple[int, int], ...]]  # lunch start, (interval, queue) worked


@dataclass(frozen=True, slots=True, kw_only=True)
class DayData:
    """What every day's program shares: the grid's costs and each agent's skill group."""

    problem: RosterProblem
    group_of: list[int]
    need: np.ndarray  # hundredths of an agent required, [queue, interval]
    weight: np.ndarray  # understaffing weight per hundredth, [queue, interval]
    charged: np.ndarray  # intervals the objective charges, [queue, interval]


@dataclass(frozen=True, slots=True, kw_only=True)
class DayChoices:
    """What one day's program chooses among, and the coverage the rest of the roster gives."""

    offered: dict[int, tuple[list[int], bool]]  # agent -> (options it may take, whether it may rest)
    hours: dict[int, dict[int | None, int]]  # agent -> choice -> hours below target
    keyed: dict[tuple[int, int], dict[Column, int]]  # (group, option) -> plan -> switches
    base: np.ndarray  # coverage counts without the day's shifts, [queue, interval]
    reach: np.ndarray  # intervals the day's shifts may reach (bool per interval)


@dataclass(frozen=True, slots=True, kw_only=True)
class Program:
    """A day's program written as arrays, and the places of its variables and rows in them."""

    model: linear_solver_pb2.MPModelProto
    x_index: dict[tuple[int, int], int]  # (agent, option) -> variable
    z_index: dict[tuple[int, int, Column], int]  # (group, option, plan) -> variable
    cover_rows: dict[tuple[int, int], int]  # (queue, interval) -> its coverage row
    floor_rows: dict[tuple[int, int], int]  # (queue, interval) -> its minimum's floor row
    link_rows: dict[tuple[int, int], int]  # (group, option) -> the row tying its plans to its agents
    terms: int  # coefficients written in Python
    nonzeros: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Solved:
    value: float  # the optimum (without the hours of those who rest)
    x: dict[tuple[int, int], float]  # (agent, option) -> value
    z: dict[tuple[int, int, Column], float]  # (group, option, plan) -> agents


def build_program(
    data: DayData,
    counts: np.ndarray,
    choices: DayChoices,
    *,
    integer: bool,
) -> Program:
    """The day's program as arrays, and where its variables and rows are (see :func:`solve_program`)."""
    problem = data.problem
    offered, hours, keyed, base, reach = choices.offered, choices.hours, choices.keyed, choices.base, choices.reach
    model = linear_solver_pb2.MPModelProto()
    variables: list[linear_solver_pb2.MPVariableProto] = []
    rows: list[linear_solver_pb2.MPConstraintProto] = []
    x_index: dict[tuple[int, int], int] = {}
    members: dict[tuple[int, int], list[int]] = defaultdict(list)
    for a, (options, may_rest) in offered.items():
        costs = hours[a]
        rest = costs[None] if may_rest else 0
        first = len(variables)
        for o in options:
            x_index[a, o] = len(variables)
            members[data.group_of[a], o].append(len(variables))
            variables.append(
                linear_solver_pb2.MPVariableProto(
                    lower_bound=0.0, upper_bound=1.0, objective_coefficient=float(costs[o] - rest), is_integer=integer
                )
            )
        span = list(range(first, len(variables)))
        rows.append(
            linear_solver_pb2.MPConstraintProto(
                lower_bound=0.0 if may_rest else 1.0, upper_bound=1.0, var_index=span, coefficient=[1.0] * len(span)
            )
        )
    # Coverage rows: need - SCALE * served = short1 + short2 - over (their variables first), floors.
    cover: dict[tuple[int, int], list[int]] = {}
    floors: dict[tuple[int, int], list[int]] = {}
    heads: list[tuple[tuple[int, int], float, int]] = []  # (queue, interval), need, first of its three variables
    over_weight = float(problem.settings.overstaffing_weight)
    infinity = float("inf")
    for q in range(len(problem.queues)):
        for t in np.flatnonzero(reach & data.charged[q]).tolist():
            weight = float(data.weight[q, t])
            heads.append(((q, t), float(data.need[q, t] - SCALE * base[q, t]), len(variables)))
            variables.append(
                linear_solver_pb2.MPVariableProto(lower_bound=0.0, upper_bound=SCALE, objective_coefficient=weight)
            )
            variables.append(
                linear_solver_pb2.MPVariableProto(
                    lower_bound=0.0, upper_bound=infinity, objective_coefficient=2 * weight
                )
            )
            variables.append(
                linear_solver_pb2.MPVariableProto(
                    lower_bound=0.0, upper_bound=infinity, objective_coefficient=over_weight
                )
            )
            cover[q, t] = []
            # A queue minimum never falls below what the day gives it now.
            if min(int(problem.min_agents[q, t]), int(counts[q, t])) - int(base[q, t]) > 0:
                floors[q, t] = []
    z_index: dict[tuple[int, int, Column], int] = {}
    links: list[tuple[tuple[int, int], list[int], list[int]]] = []
    switch_weight = float(problem.settings.switch_weight)
    terms = 0
    for (g, o), agents in sorted(members.items()):
        plans: list[int] = []
        for key, switches in keyed[g, o].items():
            z = len(variables)
            z_index[g, o, key] = z
            plans.append(z)
            variables.append(
                linear_solver_pb2.MPVariableProto(
                    lower_bound=0.0,
                    upper_bound=float(len(agents)) if integer else infinity,
                    objective_coefficient=switch_weight * switches,
                    is_integer=integer,
                )
            )
            for t, q in key[1]:
                served = cover.get((q, t))
                if served is not None:
                    served.append(z)
                    floor = floors.get((q, t))
                    if floor is not None:
                        floor.append(z)
            terms += len(key[1])
        links.append(((g, o), agents, plans))
    cover_rows: dict[tuple[int, int], int] = {}
    floor_rows: dict[tuple[int, int], int] = {}
    link_rows: dict[tuple[int, int], int] = {}
    for (q, t), need, first in heads:
        served = cover[q, t]
        cover_rows[q, t] = len(rows)
        rows.append(
            linear_solver_pb2.MPConstraintProto(
                lower_bound=need,
                upper_bound=need,
                var_index=[first, first + 1, first + 2, *served],
                coefficient=[1.0, 1.0, -1.0, *([float(SCALE)] * len(served))],
            )
        )
        floor = floors.get((q, t))
        if floor is not None:
            minimum = min(int(problem.min_agents[q, t]), int(counts[q, t])) - int(base[q, t])
            floor_rows[q, t] = len(rows)
            rows.append(
                linear_solver_pb2.MPConstraintProto(
                    lower_bound=float(minimum), upper_bound=infinity, var_index=floor, coefficient=[1.0] * len(floor)
                )
            )
    for group_option, agents, plans in links:
        link_rows[group_option] = len(rows)
        rows.append(
            linear_solver_pb2.MPConstraintProto(
                lower_bound=0.0,
                upper_bound=0.0,
                var_index=[*agents, *plans],
                coefficient=[-1.0] * len(agents) + [1.0] * len(plans),
            )
        )
    model.variable.extend(variables)
    model.constraint.extend(rows)
    terms += len(x_index)
    return Program(
        model=model,
        x_index=x_index,
        z_index=z_index,
        cover_rows=cover_rows,
        floor_rows=floor_rows,
        link_rows=link_rows,
        terms=terms,
        nonzeros=sum(len(row.var_index) for row in rows),
    )


def solve_program(
    data: DayData,
    counts: np.ndarray,
    choices: DayChoices,
    *,
    integer: bool,
    parameters: str,
    hint: tuple[dict[tuple[int, int], int], dict[tuple[int, int, Column], int]] | None = None,
) -> tuple[Solved | None, int, int, int]:
    """The day's program solved. Returns it (None: not solved) and its terms, entries and nodes.

    ``entries``: the LP's simplex iterations times its rows and columns; the MIP's iterations
    (its root's LPs) times its nonzeros.

    Args:
        counts: agents serving per queue and interval with the day as it is (the minimums' floors).
        choices: the agents' options and hours, the plans offered, the coverage around the day.
        parameters: the solver's own parameters (a limit: deterministic time, nodes).
        hint: a solution to start from (agents' choices, plans' agent counts; the others 0).
    """
    program = build_program(data, counts, choices, integer=integer)
    x_index, z_index, terms = program.x_index, program.z_index, program.terms
    lp = pywraplp.Solver.CreateSolver("SCIP" if integer else "GLOP")
    error = lp.LoadModelFromProto(program.model)
    if error:
        return None, terms, 0, 0
    lp.SetSolverSpecificParametersAsString(parameters)
    if hint is not None:
        hinted_x, hinted_z = hint
        every = lp.variables()
        pairs = [(every[i], float(hinted_x.get(key, 0))) for key, i in x_index.items()]
        pairs += [(every[i], float(hinted_z.get(key, 0))) for key, i in z_index.items()]
        lp.SetHint([var for var, _value in pairs], [value for _var, value in pairs])
    status = lp.Solve()
    # GLOP's work per iteration grows with the rows and columns; SCIP's root (its LPs, cuts and
    # heuristics) with the nonzeros: iterations times rows and columns charged it 0.55-1.1 times its
    # CPU from one day to another, iterations times nonzeros 0.9-1.15 (:mod:`.days`).
    width = program.nonzeros if integer else lp.NumConstraints() + lp.NumVariables()
    entries = lp.iterations() * width
    nodes = lp.nodes() if integer else 0
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None, terms, entries, nodes
    response = linear_solver_pb2.MPSolutionResponse()
    lp.FillSolutionResponseProto(response)
    values = response.variable_value
    solved = Solved(
        value=lp.Objective().Value(),
        x={key: values[i] for key, i in x_index.items()},
        z={key: values[i] for key, i in z_index.items()},
    )
    return solved, terms, entries, nodes
