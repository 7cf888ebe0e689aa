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
