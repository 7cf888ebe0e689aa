"""The lower bound computed beside the search, on the second core.

The roster search is single-threaded and the bound needs only the problem,
so for large teams (:func:`~scheduler.rostering.solve.parallel_bound`) the
bound runs from the moment the problem is built, with its own deterministic
budget, while the search gets the whole of its own. Nothing the search does
reads the bound, and the bound depends only on the problem and its budget
(GLOP's deterministic time and counted work, :mod:`.bound`), so the roster
and the printed bound are the same whatever the two take in wall time.

Where it runs:

- a forked child process (Linux, not inside a daemonic process), which shares
  the parent's pages; the result comes back through a pipe;
- a thread otherwise (a dask worker's daemonic process may not fork
  children; other platforms): GLOP releases the GIL while it solves, only
  building the LPs competes with the search. Same computation, same result.

For the job's length the cyclic garbage collector works less, in the search and in the child
(:class:`Collector`): the objects alive at its start (the problem, the caller's) are frozen out of
its sight, so that its full collections pass over what the search creates only and the child's
leave the parent's pages unwritten, and its youngest generation is collected every
:data:`YOUNG_THRESHOLD` allocations rather than 700. Seed 3 at 100 agents (session 25): the
collector's CPU 0.71 -> 0.07 s in the search, 0.61 -> 0.08 s in the child. Nothing counted or solved
depends on when the collector runs.

The child is terminated and joined on every way out of the ``with`` block
(an exception, ``KeyboardInterrupt``: the child ignores SIGINT, the parent
ends it); a thread's solve is interrupted (GLOP supports it) and no other
starts. Should the child die
without answering, the bound is computed again in this process: the same
result, later.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import sys
import threading
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from types import TracebackType

from ortools.linear_solver import pywraplp

from scheduler.errors import InfeasibleError
from scheduler.rostering.bound import Proven, first_guide, lower_bound
from scheduler.rostering.bound_ahead import Ahead, Waiting
from scheduler.rostering.guide import Guide
from scheduler.rostering.problem import RosterProblem

# The youngest generation's collection threshold while a job runs (Python's default is 700): the
# search's allocations of short-lived containers made 1,400 collections on seed 3 (0.15 s of CPU).
YOUNG_THRESHOLD = 10_000


class Collector:
    """The cyclic garbage collector quieted for a job's length, then as the caller had it.

    What the caller set itself is left alone: a freeze of its own (unfreezing would undo it),
    a youngest threshold above :data:`YOUNG_THRESHOLD`, a threshold changed meanwhile.
    """

    def __init__(self) -> None:
        self._froze = False
        self._threshold: tuple[int, int, int] | None = None  # the caller's, to restore

    def quiet(self) -> None:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            self._froze = True
        young, *older = gc.get_threshold()
        if 0 < young < YOUNG_THRESHOLD:
            self._threshold = gc.get_threshold()
            gc.set_threshold(YOUNG_THRESHOLD, *older)

    def restore(self) -> None:
        if self._froze:
            self._froze = False
            gc.unfreeze()  # the objects frozen at the start are collected again as before
        if self._threshold is not None:
            if gc.get_threshold()[0] == YOUNG_THRESHOLD:
                gc.set_threshold(*self._threshold)
            self._threshold = None


def _child(
    connection: Connection, problem: RosterProblem, time_limit: float, guide_limit: float | None, waiting: Waiting
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent ends the child

    def send_guide(guide: Guide | None) -> None:
        try:
            connection.send(("guide", guide))
        except OSError:  # the parent is gone (it ends this child next): the bound goes unread too
            pass

    try:
        ahead = Ahead(waiting)  # the waiting search's idle core solves weeks ahead (same answers)
        proven = lower_bound(problem, time_limit, on_guide=send_guide, runs=True, guide_limit=guide_limit, ahead=ahead)
        connection.send(("proven", proven))
    except InfeasibleError as error:
        connection.send(("infeasible", str(error)))
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which computes it again
        connection.send(("failed", repr(error)))
    finally:
        connection.close()


def can_fork() -> bool:
    """Whether a child process may be forked here (Linux, and not inside a daemonic process)."""
    return sys.platform.startswith("linux") and not multiprocessing.current_process().daemon


class BoundJob:
    """:func:`~scheduler.rostering.bound.lower_bound` of ``problem`` computed beside the caller.

    Use as a context manager; :meth:`result` waits for it. ``guide_limit``: the most the first
    relaxation may be charged for its counts to be handed to the search (:meth:`guide`), counted
    seconds; past it the search gets None at once and sweeps unguided, the bound going on as before.
    """

    def __init__(
        self,
        problem: RosterProblem,
        time_limit: float,
        *,
        process: bool | None = None,
        guide_limit: float | None = None,
    ) -> None:
        self._problem = problem
        self._time_limit = time_limit
        self._guide_limit = guide_limit
        self._answer: tuple[str, object] | None = None
        self._cancelled = threading.Event()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self._waiting: Event | None = None  # process: set once the search waits for the guide
        self._thread: threading.Thread | None = None
        self._solver: pywraplp.Solver | None = None  # thread: the LP being solved, to interrupt
        self._guide: tuple[Guide | None] | None = None  # the first relaxation's counts, once known
        self._guided = threading.Event()  # thread: set once they are known (or the thread ended)
        self._collector = Collector()
        self.mode = "process" if (can_fork() if process is None else process) else "thread"

    def __enter__(self) -> BoundJob:
        self._collector.quiet()  # before the fork: the child inherits it
        try:
            self._start()
        except BaseException:
            self._collector.restore()
            raise
        return self

    def _start(self) -> None:
        if self.mode == "process":
            context = multiprocessing.get_context("fork")
            receiver, sender = context.Pipe(duplex=False)
            self._waiting = context.Event()
            self._process = context.Process(
                target=_child,
                args=(sender, self._problem, self._time_limit, self._guide_limit, self._waiting),
                name="peakplan-bound",
                daemon=True,
            )
            self._process.start()
            sender.close()
            self._connection = receiver
        else:
            self._thread = threading.Thread(target=self._run_here, name="peakplan-bound", daemon=True)
            self._thread.start()

    def _run_here(self) -> None:
        try:
            proven = lower_bound(
                self._problem,
                self._time_limit,
                self._cancelled,
                self._watch,
                self._found,
                runs=True,
                guide_limit=self._guide_limit,
            )
            self._answer = ("proven", proven)
        except InfeasibleError as error:
            self._answer = ("infeasible", str(error))
        except BaseException as error:  # noqa: BLE001 - re-raised by result()
            self._answer = ("failed", repr(error))
        finally:
            self._guided.set()

    def _found(self, guide: Guide | None) -> None:
        self._guide = (guide,)
        self._guided.set()

    def guide(self) -> Guide | None:
        """Wait for the first relaxation's counts (:mod:`.guide`; None: not exact, or not within the budget or the guide's limit).

        The same on every run: should the job end without them (it died, or failed), they are
        computed here, by the same computation.
        """
        if self._guide is None and self._connection is not None:
            if self._waiting is not None:
                self._waiting.set()  # the child may use this process's core until the counts come
            kind, value = self._receive()
            if kind == "guide":
                self._guide = (value if isinstance(value, Guide) else None,)
            else:
                self._answer = (kind, value)
                self._close_process()
        if self._guide is None and self._thread is not None:
            self._guided.wait()
        if self._guide is None:
            infeasible = self._answer is not None and self._answer[0] == "infeasible"
            self._guide = (
                None
                if infeasible
                else first_guide(self._problem, self._time_limit, runs=True, guide_limit=self._guide_limit),
            )
        return self._guide[0]

    def _receive(self) -> tuple[str, object]:
        """The child's next message (``("died", "")`` when it ended without one)."""
        assert self._connection is not None
        try:
            kind, value = self._connection.recv()
        except (EOFError, OSError):
            return "died", ""
        return str(kind), value

    def _watch(self, solver: pywraplp.Solver) -> None:
        self._solver = solver
        if self._cancelled.is_set():
            solver.InterruptSolve()

    def result(self) -> Proven:
        """Wait for the bound.

        Raises:
            InfeasibleError: the summed rules admit no roster.
        """
        while self._answer is None and self._connection is not None:
            kind, value = self._receive()
            if kind == "guide":  # not asked for: the answer follows
                self._guide = (value if isinstance(value, Guide) else None,)
                continue
            self._answer = (kind, value)
            self._close_process()
        if self._answer is None and self._thread is not None:
            self._thread.join()
        kind, value = self._answer if self._answer is not None else ("died", "")
        if kind == "infeasible":
            raise InfeasibleError(str(value))
        if kind == "proven" and isinstance(value, Proven):
            return value
        if kind == "failed" and self.mode == "thread":
            raise RuntimeError(f"the lower bound failed: {value}")
        # The child died or failed: the same computation here gives the same bound (or the error).
        return lower_bound(self._problem, self._time_limit, runs=True)

    def _close_process(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process.close()
            self._process = None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._cancelled.set()
        solver = self._solver
        if solver is not None and self._thread is not None and self._thread.is_alive():
            solver.InterruptSolve()  # GLOP stops at its next check; the thread ends soon after
        self._close_process()
        self._collector.restore()
