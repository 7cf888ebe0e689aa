"""The org on a real dask.distributed cluster (two worker processes on 127.0.0.1) against the serial run.

The checks share one serial and one cluster run of the whole example org plus a
team whose history is missing: the planned teams' folders and index.html must be
the same bytes, and the broken team must fail alone; and one kills a worker
mid-solve. Everything on the cluster is one test (see test_the_org_on_a_cluster).
(They are slow: `make test-fast` leaves the cluster out.)
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from org_support import EXAMPLE_ORG, org_run, org_with_broken_team, snapshot
from session_once import once_per_session

from scheduler.errors import ExitCode
from scheduler.org import (
    FAILED,
    OK,
    DaskExecutor,
    OrgResult,
    Progress,
    SerialExecutor,
    TeamTask,
    load_org,
    plan_org,
    run_team,
)


def _distributed():  # noqa: ANN202
    """dask.distributed, imported by the xdist worker that runs the cluster, not at collection by both (0.38 s of CPU on its own)."""
    return pytest.importorskip("distributed")


# Two good teams (two timezones, one with DST) and the broken one: enough to show the cluster writes
# what the serial run writes and a failure stays alone; a third good team cost 6 s of the suite's CPU.
GOOD = ("americas", "apac")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    with _distributed().LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def org_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy for the session: the broken team's error names its path, and both runs must name the same."""
    _, path = once_per_session(tmp_path_factory, "org-with-broken-team", _org_without_emea)
    return path


def _org_without_emea(folder: Path) -> Path:
    org = org_with_broken_team(folder / "org")
    org.write_text(org.read_text(encoding="utf-8").replace('emea = "emea/peakplan.toml"\n', ""), encoding="utf-8")
    return org


def _plan(
    org_file: Path, executor: SerialExecutor | DaskExecutor, out: Path, seen: list[Progress] | None = None
) -> OrgResult:
    with executor:
        return plan_org(load_org(org_file), executor, org_run(out), None if seen is None else seen.append)


@pytest.fixture(scope="module")
def serial_run(org_file: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[OrgResult, Path]:
    """Planned once for the session: the tests needing it may land on both xdist workers."""
    folder, result = once_per_session(
        tmp_path_factory, "org-serial", lambda folder: _plan(org_file, SerialExecutor(), folder / "out")
    )
    return result, folder / "out"


@pytest.fixture(scope="module")
def dask_progress() -> list[Progress]:
    return []


@pytest.fixture(scope="module")
def dask_run(
    org_file: Path, cluster: str, tmp_path_factory: pytest.TempPathFactory, dask_progress: list[Progress]
) -> tuple[OrgResult, Path]:
    out = tmp_path_factory.mktemp("dask")
    return _plan(org_file, DaskExecutor(cluster), out, dask_progress), out


@pytest.mark.slow
def test_the_org_on_a_cluster(
    serial_run, dask_run, dask_progress: list[Progress], cluster: str, tmp_path: Path
) -> None:
    """Every check on the cluster in one test, in this order (the last one kills a worker).

    Separate tests of one module can land on both xdist workers (work stealing moves tests
    between them), and each worker that runs one starts a cluster of its own and plans the org
    on it again: 8-10 s of CPU (the worker processes import the planner). One test keeps it to
    one cluster; each check is a function below, named as the test it was.
    """
    cluster_and_serial_runs_write_the_same_bytes(serial_run, dask_run)
    the_teams_ran_on_the_cluster_workers(dask_run, cluster)
    progress_counts_only_teams_a_worker_has_started(dask_progress)
    a_team_with_wrong_inputs_fails_alone(*dask_run)
    a_worker_dying_mid_solve_is_retried_on_another(cluster, serial_run, tmp_path)


@pytest.mark.slow
def test_a_team_with_wrong_inputs_fails_alone_in_the_serial_run(serial_run) -> None:
    a_team_with_wrong_inputs_fails_alone(*serial_run)


def cluster_and_serial_runs_write_the_same_bytes(serial_run, dask_run) -> None:  # noqa: ANN001
    (_, serial_out), (_, dask_out) = serial_run, dask_run
    for team in GOOD:
        serial_files = snapshot(serial_out / team)
        assert {"forecast.csv", "requirements.csv", "roster.csv", "report.html", "feeds/index.html"} <= set(
            serial_files
        )
        assert snapshot(dask_out / team) == serial_files, team
    assert (dask_out / "index.html").read_bytes() == (serial_out / "index.html").read_bytes()


def the_teams_ran_on_the_cluster_workers(dask_run, cluster: str) -> None:  # noqa: ANN001
    result, _ = dask_run
    with _distributed().Client(cluster) as client:
        pids = set(client.run(os.getpid).values())
    ran = {int(outcome.worker.rsplit(":", 1)[1]) for outcome in result.outcomes}
    assert ran <= pids and os.getpid() not in ran


def progress_counts_only_teams_a_worker_has_started(dask_progress: list[Progress]) -> None:
    """Two single-threaded workers run at most two teams at once, though dask queues more on them."""
    assert dask_progress and str(dask_progress[0]) == "0/3 teams done, 0 running, 0 failed, 3 waiting"
    assert max(len(state.running) for state in dask_progress) <= 2
    assert str(dask_progress[-1]) == "2/3 teams done, 0 running, 1 failed"
    for state in dask_progress:
        assert not set(state.running) & (set(state.done) | set(state.failed)), state


def a_team_with_wrong_inputs_fails_alone(result: OrgResult, out: Path) -> None:
    statuses = {outcome.team: outcome.status for outcome in result.outcomes}
    assert statuses == {"americas": OK, "apac": OK, "broken": FAILED}
    broken = next(outcome for outcome in result.outcomes if outcome.team == "broken")
    assert "broken/history.csv" in broken.error and broken.exit_code == ExitCode.INPUT
    assert result.exit_code == ExitCode.TEAMS_FAILED
    assert not (out / "broken").exists()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "2 of 3 teams planned" in page and "failed (exit 3)" in page


def a_worker_dying_mid_solve_is_retried_on_another(cluster: str, serial_run, tmp_path: Path) -> None:  # noqa: ANN001
    """The first CP-SAT solve on the cluster kills its worker process; the team is planned elsewhere."""
    marker = tmp_path / "died"

    def die_once_mid_solve(task: TeamTask):  # pickled by value: it runs on the worker
        from ortools.sat.python import cp_model

        if not marker.exists():

            def crash(self, *args, **kwargs):
                marker.write_text(str(os.getpid()), encoding="utf-8")
                os._exit(1)

            cp_model.CpSolver.solve = crash
        return run_team(task)

    org = load_org(EXAMPLE_ORG / "org.toml")
    one_team = dataclasses.replace(org, teams=(org.team("apac"),))
    with DaskExecutor(cluster, run=die_once_mid_solve) as executor:
        result = plan_org(one_team, executor, org_run(tmp_path / "out"))
    (outcome,) = result.outcomes
    dead = int(marker.read_text(encoding="utf-8"))
    assert outcome.status == OK, outcome.error
    assert int(outcome.worker.rsplit(":", 1)[1]) != dead
    _, serial_out = serial_run
    assert snapshot(tmp_path / "out" / "apac") == snapshot(serial_out / "apac")
