"""CP-SAT solvers configured the one way every roster stage runs them: reproducibly."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version

from ortools.sat.python import cp_model


def make_solver(time_limit: float, *, workers: int = 8) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.random_seed = 0
    # Deterministic time (not wall time) and interleaved search: the portfolio of
    # subsolvers runs in a fixed order, so the same roster comes out on any
    # machine and under any load.
    params.max_deterministic_time = max(time_limit, 0.01)
    params.num_workers = workers
    params.interleave_search = workers > 1
    # One subsolver task per batch: the deterministic limit is checked between batches, and
    # with the default (a batch per worker) the search ran far past it (8-agent starter
    # team: 9.2 deterministic s and 20 s of CPU on a 2.6 s limit), so the budget meant nothing.
    params.interleave_batch_size = 1
    return solver


def make_agent_solver(time_limit: float) -> cp_model.CpSolver:
    """One worker for one agent's small model (a few hundred shift options), solved thousands of times.

    Such a model is solved to optimality in milliseconds, and most of a solve's CPU was
    CP-SAT's set-up: on 400 models taken from the 100- and 500-agent benchmark descents,
    the default presolve and cuts cost 16-28 ms of CPU a solve, these settings 8-14 ms
    (40-50% less), with the same optimal objective on every model (/tmp script timing each
    setting on the same models; docs/roster-history.md, "Agent solves"). Probing, symmetry, a
    second presolve pass, the big-linear-overlap search and most of the LP's cuts pay on large
    models, not on one agent's, whose presolve already removes four fifths of the options.
    Chvátal-Gomory cuts are the exception (the comment below says why).
    """
    solver = make_solver(time_limit, workers=1)
    params = solver.parameters
    params.cp_model_probing_level = 0
    params.symmetry_level = 0
    params.max_presolve_iterations = 1
    params.find_big_linear_overlap = False
    # Chvátal-Gomory cuts stay on: an agent whose weekly hours, days-off blocks and preferences
    # interact (a generated 100-agent team on a 15-minute grid, session 13) took 0.27-0.63
    # deterministic s a solve without them, 0.005-0.026 s with them, and they cost nothing
    # measurable on the benchmark's agents (150 solves: 1.84 s of CPU against 1.87 s without).
    params.add_cg_cuts = True
    params.add_mir_cuts = False
    params.add_zero_half_cuts = False
    params.add_clique_cuts = False
    return solver


@dataclass(frozen=True, slots=True, kw_only=True)
class SolverIdentity:
    """The CP-SAT settings a roster depends on, besides its inputs and the deterministic budget.

    Two runs with equal identities and inputs write the same roster; plans record
    it, and an org plan refuses a worker whose identity differs from the client's.
    """

    ortools_version: str
    num_workers: int
    random_seed: int
    interleave_search: bool


def solver_identity() -> SolverIdentity:
    """This process's solver settings, read from the solver every roster stage builds."""
    params = make_solver(1.0).parameters
    return SolverIdentity(
        ortools_version=version("ortools"),
        num_workers=int(params.num_workers),
        random_seed=int(params.random_seed),
        interleave_search=bool(params.interleave_search),
    )
