"""Where the teams' tasks run: one after another in this process, or on a dask.distributed cluster.

Both executors run the same :func:`scheduler.org.task.run_team` on the same
:class:`~scheduler.org.task.TeamTask` values, so a team's files are the same
bytes either way. Each reports progress (teams done, running, failed) through
a callback and returns one :class:`~scheduler.org.task.TeamOutcome` per team,
sorted by team.

Faults on a cluster:

- a worker process that dies while planning a team (killed, out of memory):
  the scheduler gives the team to another worker, up to dask's
  ``distributed.scheduler.allowed-failures`` times (default 3), then the team
  fails with ``KilledWorker``;
- an exception other than a user mistake (a shared file system hiccup, a bug):
  the task is run again ``retries`` times (dask's ``retries=``), then the team
  fails with the error and its traceback;
- a user mistake in a team's inputs is not retried: the team fails alone with
  its message (:func:`~scheduler.org.task.run_team` returns it as an outcome);
- a scheduler address that cannot be reached is an
  :class:`~scheduler.errors.InputError` naming the address (and where it came
  from), raised before any team runs: at once when nothing listens there (the
  connection is refused), after ``connect_timeout`` seconds when nothing
  answers.

"Running" means started on a worker: each task announces its start as a dask
event (:class:`_Announced`). The scheduler's own "processing" would count
teams queued on a worker behind the one it computes (dask gives a worker
slightly more tasks than threads).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from scheduler.errors import ExitCode, InputError
from scheduler.org.task import FAILED, TeamOutcome, TeamTask, failed, run_team

DEFAULT_RETRIES = 2
DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds; a scheduler that does not answer by then is unreachable
POLL_SECONDS = 1.0  # how often the dask executor refreshes "running" while nothing finishes

TeamRunner = Callable[[TeamTask], TeamOutcome]


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress:
    """The state of an org run after each change: team names, sorted."""

    total: int
    done: tuple[str, ...] = ()  # planned and written (ok or understaffed)
    running: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    finished: TeamOutcome | None = None  # the team that has just finished, if this update is about one

    @property
    def waiting(self) -> int:
        return self.total - len(self.done) - len(self.running) - len(self.failed)

    def __str__(self) -> str:
        return f"{len(self.done)}/{self.total} teams done, {len(self.running)} running, {len(self.failed)} failed" + (
            f", {self.waiting} waiting" if self.waiting else ""
        )


ProgressCallback = Callable[[Progress], None]


class _Tracker:
    """Keeps the outcomes and tells the callback about every change."""

    def __init__(self, tasks: Sequence[TeamTask], progress: ProgressCallback | None) -> None:
        self.total = len(tasks)
        self.outcomes: dict[str, TeamOutcome] = {}
        self.running: tuple[str, ...] = ()
        self.callback = progress

    def state(self, finished: TeamOutcome | None = None) -> Progress:
        done = tuple(sorted(team for team, outcome in self.outcomes.items() if outcome.status != FAILED))
        broken = tuple(sorted(team for team, outcome in self.outcomes.items() if outcome.status == FAILED))
        return Progress(total=self.total, done=done, running=self.running, failed=broken, finished=finished)

    def set_running(self, running: Sequence[str]) -> None:
        running = tuple(sorted(set(running) - set(self.outcomes)))
        if running != self.running:
            self.running = running
            self.report()

    def finish(self, outcome: TeamOutcome) -> None:
        self.outcomes[outcome.team] = outcome
        self.running = tuple(team for team in self.running if team != outcome.team)
        self.report(outcome)

    def report(self, finished: TeamOutcome | None = None) -> None:
        if self.callback is not None:
            self.callback(self.state(finished))

    def result(self) -> list[TeamOutcome]:
        return [self.outcomes[team] for team in sorted(self.outcomes)]


def _internal(task: TeamTask, error: BaseException, tb: Any = None, *, what: str = "internal error") -> TeamOutcome:
    """A FAILED outcome for an exception that is not a user mistake, with its traceback."""
    text = "".join(traceback.format_exception(type(error), error, tb if tb is not None else error.__traceback__))
    outcome = failed(task, f"{what}: {type(error).__name__}: {error}", ExitCode.INTERNAL)
    return _with_traceback(outcome, text)


def _with_traceback(outcome: TeamOutcome, text: str) -> TeamOutcome:
    import dataclasses

    return dataclasses.replace(outcome, traceback=text)


class SerialExecutor:
    """Plans the teams one after another in this process."""

    name = "serial"

    def __init__(self, *, run: TeamRunner = run_team) -> None:
        self.run_team = run

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def describe(self) -> str:
        return "serially in this process"

    def run(self, tasks: Sequence[TeamTask], progress: ProgressCallback | None = None) -> list[TeamOutcome]:
        tracker = _Tracker(tasks, progress)
        tracker.report()
        for task in sorted(tasks, key=lambda task: task.team.slug):
            tracker.set_running([task.team.slug])
            try:
                outcome = self.run_team(task)
            except Exception as error:  # a bug in one team must not hide the others' plans
                outcome = _internal(task, error)
            tracker.finish(outcome)
        return tracker.result()


class DaskExecutor:
    """Plans the teams on a dask.distributed cluster: an existing scheduler, or a local cluster.

    Args:
        address: ``tcp://host:port`` of a running scheduler; None takes dask's
            own setting (``scheduler-address`` in the dask config, or the
            ``DASK_SCHEDULER_ADDRESS`` environment variable), and without one
            starts a :class:`distributed.LocalCluster` of ``n_workers``
            single-threaded worker processes on this machine.
        connect_timeout: seconds to wait for the scheduler before giving up.
        retries: re-runs of a task that raised (not of a user mistake).
        run: the task function (tests pass a wrapper; it must be picklable).
    """

    name = "dask"

    def __init__(
        self,
        address: str | None = None,
        *,
        n_workers: int | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        run: TeamRunner = run_team,
    ) -> None:
        self.address = address
        self.n_workers = n_workers
        self.connect_timeout = connect_timeout
        self.retries = retries
        self.run_team = run
        self._stack = contextlib.ExitStack()
        self.client: Any = None

    def __enter__(self) -> DaskExecutor:
        try:
            import dask
            import distributed
        except ImportError:
            raise InputError("--executor dask needs dask.distributed: pip install 'peakplan[dask]'") from None
        address, source = self.address, "option"
        if not address:
            address = dask.config.get("scheduler-address", None)
            from_env = address and os.environ.get("DASK_SCHEDULER_ADDRESS", "").strip() == str(address).strip()
            source = "env" if from_env else "config"
        try:
            if address:
                self.address = str(address)
                self.client = self._stack.enter_context(
                    _connect(distributed, self.address, self.connect_timeout, source)
                )
            else:
                cluster = self._stack.enter_context(
                    distributed.LocalCluster(
                        n_workers=self.n_workers, threads_per_worker=1, processes=True, dashboard_address=":0"
                    )
                )
                self.client = self._stack.enter_context(distributed.Client(cluster))
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def describe(self) -> str:
        workers = self.client.scheduler_info().get("workers", {}) if self.client is not None else {}
        where = f"the dask scheduler at {self.address}" if self.address else "a local dask cluster"
        return f"on {where} ({len(workers)} workers)"

    def run(self, tasks: Sequence[TeamTask], progress: ProgressCallback | None = None) -> list[TeamOutcome]:
        import distributed

        if self.client is None:
            raise RuntimeError("use DaskExecutor as a context manager: `with DaskExecutor(...) as executor:`")
        tracker = _Tracker(tasks, progress)
        tracker.report()
        run = uuid.uuid4().hex[:12]
        announced = _Announced(run=self.run_team, topic=f"peakplan-started-{run}")
        futures = {
            self.client.submit(
                announced, task, key=f"peakplan-team-{task.team.slug}-{run}", retries=self.retries, pure=False
            ): task
            for task in sorted(tasks, key=lambda task: task.team.slug)
        }
        pending = set(futures)
        while pending:
            try:
                done, pending = distributed.wait(pending, timeout=POLL_SECONDS, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            for future in sorted(done, key=lambda future: futures[future].team.slug):
                tracker.finish(_outcome(future, futures[future]))
            tracker.set_running(self._started(announced.topic))
        return tracker.result()

    def _started(self, topic: str) -> list[str]:
        """Teams a worker has started (the tracker leaves out those finished since)."""
        try:
            events = self.client.get_events(topic)
        except Exception:  # progress is best effort; the results come from the futures
            return []
        return [str(message) for _time, message in events]


@dataclass(frozen=True, slots=True)
class _Announced:
    """The task function on a worker: says "started" (a dask event on ``topic``), then plans the team."""

    run: TeamRunner
    topic: str

    def __call__(self, task: TeamTask) -> TeamOutcome:
        from distributed import get_worker

        try:
            get_worker().log_event(self.topic, task.team.slug)
        except ValueError:  # not on a worker (never with dask.distributed; kept for other runners)
            pass
        return self.run(task)


def _outcome(future: Any, task: TeamTask) -> TeamOutcome:
    if future.status == "finished":
        return future.result()
    if future.status == "cancelled":
        return failed(task, "the dask scheduler cancelled the task (was it restarted?)", ExitCode.INTERNAL)
    error = future.exception()
    if type(error).__name__ == "KilledWorker":
        return failed(
            task,
            f"the workers planning it died too often ({error}); see distributed.scheduler.allowed-failures",
            ExitCode.INTERNAL,
        )
    return _internal(task, error, future.traceback(), what="failed on the cluster")


# Where the scheduler's address came from: (said after the address, the way back to a local cluster).
_SOURCES = {
    "option": ("", "drop --scheduler"),
    "env": (" (from DASK_SCHEDULER_ADDRESS)", "unset DASK_SCHEDULER_ADDRESS"),
    "config": (" (from scheduler-address in the dask config)", "remove scheduler-address from the dask config"),
}


@contextlib.contextmanager
def _connect(distributed: Any, address: str, timeout: float, source: str = "option") -> Iterator[Any]:
    """A client of the scheduler at ``address`` (given by ``source``), or one InputError naming both."""
    try:
        _probe(distributed, address, timeout)
        client = _client_within(distributed, address, timeout)
    except Exception as error:  # refused, timed out, bad scheme, or something that is not a dask scheduler
        reason = f"within {timeout:g} s ({(str(error).strip() or type(error).__name__)[:300]})"
        if isinstance(error, ConnectionRefusedError):
            reason = "(connection refused: nothing listens there)"
        elif not isinstance(error, OSError | TimeoutError | ValueError):
            reason = f"within {timeout:g} s (something answered that is not a dask scheduler: {type(error).__name__})"
        origin, drop = _SOURCES[source]
        raise InputError(
            f"cannot reach the dask scheduler at {address}{origin} {reason}; "
            f"start one with `dask scheduler` and workers with `dask worker ADDRESS`, or {drop} "
            "to plan on a local cluster"
        ) from None
    try:
        yield client
    finally:
        client.close()


def _probe(distributed: Any, address: str, timeout: float) -> None:
    """One plain TCP connection to a ``tcp://`` or ``tls://`` address: a refused one fails at once.

    dask's own client retries a refused connection until its timeout runs out
    (a scheduler may still be starting); on the command line, an address where
    nothing listens is a mistake to report now, not after ``timeout`` seconds.
    Other schemes are left to dask.
    """
    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address)
    if scheme not in ("tcp", "tls"):
        return
    host, port = parse_host_port(location, default_port=8786)  # dask's default port
    with socket.create_connection((host, port), timeout=timeout):
        pass


def _client_within(distributed: Any, address: str, timeout: float) -> Any:
    """``distributed.Client(address)``, or TimeoutError when it is not connected within ``timeout`` (+1 s).

    dask's own timeout covers the TCP connection, not its handshake: a peer
    that accepts the connection and never answers (a firewall, a port
    forward to nothing, another service) would keep the client waiting for
    ever. So the client is made in a daemon thread and given up after the
    timeout; should it still connect later, the thread closes it.
    """
    made: dict[str, Any] = {}
    settled = threading.Event()
    lock = threading.Lock()

    def connect() -> None:
        try:
            client = distributed.Client(address, timeout=timeout)
        except BaseException as error:  # handed to the waiting thread
            made["error"] = error
        else:
            with lock:
                if made.get("abandoned"):
                    client.close()
                    return
                made["client"] = client
        settled.set()

    threading.Thread(target=connect, name=f"peakplan-connect-{address}", daemon=True).start()
    settled.wait(timeout + 1.0)
    with lock:
        if "client" in made:
            return made["client"]
        if "error" in made:
            raise made["error"]
        made["abandoned"] = True
    raise TimeoutError("connected, but nothing answered the way a dask scheduler does")
