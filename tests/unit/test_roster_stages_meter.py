"""benchmarks/roster_stages.py: counted and CPU seconds booked per stage and part, programs recorded."""

from __future__ import annotations

import csv
from pathlib import Path

from ortools.linear_solver import linear_solver_pb2, pywraplp

from benchmarks.roster_stages import Meter, Programs


class _Worker:
    def __init__(self) -> None:
        self.seconds = 0.0

    def work(self, charge: float) -> float:
        self.seconds += charge
        return charge


def test_parts_are_booked_under_their_stage_and_the_rest_is_what_they_leave() -> None:
    meter = Meter()
    worker = _Worker()
    work = meter.part("work", _Worker.work, lambda owner, _result: owner.seconds)
    with meter.stage_of("polish"):
        work(worker, 0.25)
        work(worker, 0.5)
    meter.counted["polish", ""] += 2.0
    with meter.stage_of("descent"):
        work(worker, 1.0)
    meter.counted["descent", ""] += 1.0
    assert meter.counted["polish", "work"] == 0.75
    assert meter.calls["polish", "work"] == 2
    assert meter.counted["descent", "work"] == 1.0
    lines: list[str] = []
    meter.report(lines.append, 4.0)
    rest = [line for line in lines if line.strip().startswith("rest")]
    assert len(rest) == 2
    assert rest[0].split()[1] == "1.25"  # the polish's 2.0 less its parts' 0.75
    assert lines[-1] == "budget 4.00 counted: 1.00 left unused"


def test_programs_records_each_solve_with_its_size(tmp_path: Path) -> None:
    programs = Programs(Meter())
    load = programs.load(pywraplp.Solver.LoadModelFromProto)
    solve = programs.solve(pywraplp.Solver.Solve)
    model = linear_solver_pb2.MPModelProto(
        variable=[linear_solver_pb2.MPVariableProto(lower_bound=0, upper_bound=4, objective_coefficient=-1)] * 2,
        constraint=[linear_solver_pb2.MPConstraintProto(upper_bound=5, var_index=[0, 1], coefficient=[1, 2])],
    )
    solver = pywraplp.Solver.CreateSolver("GLOP")
    assert not load(solver, model)
    assert solve(solver) == pywraplp.Solver.OPTIMAL
    path = tmp_path / "programs.csv"
    programs.write(str(path))
    (row,) = list(csv.DictReader(path.open()))
    assert (row["stage"], row["solver"], row["rows"], row["columns"], row["nonzeros"]) == (
        "build",
        "Glop",
        "1",
        "2",
        "2",
    )


def test_the_meter_runs_an_unseen_team_or_a_benchmark_seed() -> None:
    from benchmarks.roster_stages import instance

    _config, team, _requirements, _start, days = instance("lon60", 100, 1, None)
    assert (len(team.agents), days) == (60, 7)  # the team's own size, seed 1
    _config, team, _requirements, _start, days = instance(None, 6, 1, 2)
    assert (len(team.agents), days) == (6, 7)
