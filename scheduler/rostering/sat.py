"""CP-SAT solvers configured the one way every roster stage runs them: reproducibly."""

from __future__ import annotations

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
    return solver
