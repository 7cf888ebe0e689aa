"""Executors without solving: progress, a bug in one team, an unreachable scheduler."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from org_support import DAYS, EXAMPLE_ORG, GENERATED_AT, START

from scheduler.errors import ExitCode, InputError
from scheduler.org import (
    FAILED,
    OK,
    DaskExecutor,
    OrgRun,
    Progress,
    SerialExecutor,
    TeamOutcome,
    TeamTask,
    build_tasks,
    load_org,
)


def tasks(tmp_path: Path) -> list[TeamTask]:
    return build_tasks(
        load_org(EXAMPLE_ORG / "org.toml"), OrgRun(start=START, days=DAYS, out=tmp_path, generated_at=GENERATED_AT)
    )


def fake_run(task: TeamTask) -> TeamOutcome:
    if task.team.slug == "apac":
        raise ZeroDivisionError("a bug")
    return TeamOutcome(team=task.team.slug, status=OK, exit_code=0, required_hours=10.0, scheduled_hours=9.0)


def test_tasks_carry_absolute_paths_and_the_solver_identity(tmp_path: Path) -> None:
    built = tasks(tmp_path)
    assert [task.team.slug for task in built] == ["americas", "apac", "emea"]
    assert all(task.out_dir == tmp_path.resolve() / task.team.slug for task in built)
    solver = built[0].solver
    assert solver.num_workers >= 1 and solver.random_seed == 0 and solver.ortools_version


def test_serial_reports_progress_and_a_bug_fails_only_its_team(tmp_path: Path) -> None:
    seen: list[Progress] = []
    with SerialExecutor(run=fake_run) as executor:
        outcomes = executor.run(tasks(tmp_path), seen.append)
    assert [(outcome.team, outcome.status) for outcome in outcomes] == [
        ("americas", OK),
        ("apac", FAILED),
        ("emea", OK),
    ]
    apac = outcomes[1]
    assert apac.exit_code == ExitCode.INTERNAL
    assert apac.error == "internal error: ZeroDivisionError: a bug"
    assert "ZeroDivisionError: a bug" in apac.traceback
    assert [str(state) for state in seen] == [
        "0/3 teams done, 0 running, 0 failed, 3 waiting",
        "0/3 teams done, 1 running, 0 failed, 2 waiting",
        "1/3 teams done, 0 running, 0 failed, 2 waiting",
        "1/3 teams done, 1 running, 0 failed, 1 waiting",
        "1/3 teams done, 0 running, 1 failed, 1 waiting",
        "1/3 teams done, 1 running, 1 failed",
        "2/3 teams done, 0 running, 1 failed",
    ]
    assert [state.finished.team for state in seen if state.finished] == ["americas", "apac", "emea"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again on exit: nothing listens there


def test_an_unreachable_scheduler_is_one_error_naming_it() -> None:
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(InputError) as caught, DaskExecutor(address, connect_timeout=1):
        pass
    assert str(caught.value).startswith(f"cannot reach the dask scheduler at {address} (connection refused")


def test_a_refused_connection_fails_at_once_not_after_the_timeout() -> None:
    """dask itself retries a refused connection until the timeout: the probe says "refused" first."""
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(InputError) as caught, DaskExecutor(address, connect_timeout=60):
        pass
    assert str(caught.value) == (
        f"cannot reach the dask scheduler at {address} (connection refused: nothing listens there); "
        "start one with `dask scheduler` and workers with `dask worker ADDRESS`, or drop --scheduler "
        "to plan on a local cluster"
    )


def test_a_listener_that_never_answers_is_reported_after_the_timeout() -> None:
    pytest.importorskip("distributed")
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(InputError) as caught, DaskExecutor(address, connect_timeout=0.5):
            pass
    assert str(caught.value).startswith(f"cannot reach the dask scheduler at {address} within 0.5 s (")
    assert str(caught.value).endswith("or drop --scheduler to plan on a local cluster")


def test_a_worker_with_other_solver_settings_refuses_the_team(tmp_path: Path) -> None:
    import dataclasses

    from scheduler.org import run_team

    task = tasks(tmp_path)[0]
    other = dataclasses.replace(task, solver=dataclasses.replace(task.solver, num_workers=task.solver.num_workers + 1))
    outcome = run_team(other)
    assert outcome.status == FAILED and outcome.exit_code == ExitCode.INPUT
    assert "its rosters would differ; install the same locked versions on every worker" in outcome.error
    assert not (tmp_path / task.team.slug).exists()


def test_the_dask_config_address_is_used_when_no_scheduler_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    dask = pytest.importorskip("dask")
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    address = f"tcp://127.0.0.1:{_closed_port()}"
    with dask.config.set({"scheduler-address": address}):
        with pytest.raises(InputError) as caught, DaskExecutor(connect_timeout=1):
            pass
    message = str(caught.value)
    assert message.startswith(
        f"cannot reach the dask scheduler at {address} (from scheduler-address in the dask config)"
    )
    assert "or remove scheduler-address from the dask config to plan on a local cluster" in message


def test_the_environment_variable_is_named_when_it_gave_the_address(monkeypatch: pytest.MonkeyPatch) -> None:
    dask = pytest.importorskip("dask")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", address)
    with dask.config.set({"scheduler-address": address}):  # what dask reads DASK_SCHEDULER_ADDRESS into
        with pytest.raises(InputError) as caught, DaskExecutor(connect_timeout=1):
            pass
    assert f"at {address} (from DASK_SCHEDULER_ADDRESS) (connection refused" in str(caught.value)
    assert "or unset DASK_SCHEDULER_ADDRESS to plan on a local cluster" in str(caught.value)
