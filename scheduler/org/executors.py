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
- a scheduler address that cannot be reached within ``connect_timeout``
  seconds is an :class:`~scheduler.errors.InputError` naming the address,
  raised before any team runs.
"""

from __future__ import annotations

import contextlib
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
        address = self.address or dask.config.get("scheduler-address", None)
        try:
            if address:
                self.address = str(address)
                self.client = self._stack.enter_context(_connect(distributed, self.address, self.connect_timeout))
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
        futures = {
            self.client.submit(
                self.run_team, task, key=f"peakplan-team-{task.team.slug}-{run}", retries=self.retries, pure=False
            ): task
            for task in sorted(tasks, key=lambda task: task.team.slug)
        }
        slugs = {future.key: task.team.slug for future, task in futures.items()}
        pending = set(futures)
        while pending:
            try:
                done, pending = distributed.wait(pending, timeout=POLL_SECONDS, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            for future in sorted(done, key=lambda future: slugs[future.key]):
                tracker.finish(_outcome(future, futures[future]))
            tracker.set_running(self._running(slugs))
        return tracker.result()

    def _running(self, slugs: dict[Any, str]) -> list[str]:
        """Teams a worker is computing now (asked from the scheduler)."""
        try:
            processing = self.client.processing()
        except Exception:  # progress is best effort; the results come from the futures
            return []
        return [slugs[key] for keys in processing.values() for key in keys if key in slugs]


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


@contextlib.contextmanager
def _connect(distributed: Any, address: str, timeout: float) -> Iterator[Any]:
    """A client of the scheduler at ``address``, or one InputError naming it."""
    try:
        client = distributed.Client(address, timeout=timeout)
    except Exception as error:  # refused, timed out, bad scheme, or something that is not a dask scheduler
        reason = (str(error).strip() or type(error).__name__)[:300]
        if not isinstance(error, OSError | TimeoutError | ValueError):
            reason = f"something answered that is not a dask scheduler: {type(error).__name__}"
        raise InputError(
            f"cannot reach the dask scheduler at {address} within {timeout:g} s ({reason}); "
            "start one with `dask scheduler` and workers with `dask worker ADDRESS`, or drop --scheduler "
            "to plan on a local cluster"
        ) from None
    try:
        yield client
    finally:
        client.close()
