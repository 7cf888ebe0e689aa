"""One shift's dynamic program, compiled once per shape and run with numpy.

The activity stage's program (:func:`.shiftplan.cheapest_plan`) walks a shift's
intervals with states (queue, length of the current block capped at the queue's
minimum, whether the block began its stretch, switches so far) for every lunch
start. Which states exist, in which order, and which transitions reach each of
them depend only on the shift's *shape*: its length, lunch starts and length,
the queues it serves and when each is open, the blocks' minimums and the
rules. Only the costs (``delta``, what serving a queue in an interval costs
with every other shift fixed) change from one call to the next. In pure Python
the program cost 6 ms per multi-queue shift at 500 agents (the activity stage's
first sweep: 12 of its 26 s of CPU under a profiler), nearly all of it hashing
state tuples. So the walk is done once per shape (:func:`compile_program`),
recording per interval the states in the order the walk creates them and, per
state, its predecessors in the order the walk tries them; a call then takes,
per interval, the cheapest predecessor of every state at once with numpy.

Every plan is the one the walk chooses, ties included: the walk keeps the first
predecessor of least cost (``argmin`` keeps the first minimum), adds the same
numbers in the same order (float deltas give the same sums), ends each lunch
start at the least final cost and smallest state, and keeps the earliest lunch
start among equal costs (``tests/unit/test_roster_shiftprogram.py`` compares
it with the walk written out plainly). The lunch starts share the intervals
before their lunch (the walk computed that prefix once per lunch start), so a
call does less than the walk. A shape whose states all die inside the shift
(the strict rules, a queue closing on a block too short to end) cannot be
traced back; the walk failed on it, here that lunch start is skipped.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LUNCH = -1  # queue index of a lunch interval in a plan

State = tuple[int, int, bool, int]  # queue, block length (capped), began its stretch, switches (capped)
# Integer arithmetic while every sum stays below this (else float64, as the walk's floats would be).
_INT_LIMIT = 2**60
_PAD = 2**62  # value of a missing predecessor in the integer arithmetic: never the least
# Compiled shapes kept (about 100 kB each for a 9-hour shift on 30 minutes, 5 lunch starts, 3 queues;
# about 0.5 MB on 15 minutes). 128 held the benchmark's 30-minute teams but not a 15-minute one: the
# unseen Berlin team (benchmarks/roster_unseen.py) compiled 2,181 times in 6,788 requests, 41.5 s of
# uncharged CPU; at 512 it compiles each of its 481 shapes once (7.2 s), peak memory 739 MB, the
# roster identical (a cache changes no result).
CACHE_SIZE = 512

# Seconds charged for a program, calibrated to CPU seconds on the 2-core benchmark machine: a run per
# call, its compiling the first time a problem meets its shape (:func:`program_for`). Fitted per call
# (each run and compile timed) on four teams at once, the benchmark's 100-agent seed 3 and the unseen
# ny30, chi100 (30-minute grids) and ber100 (15 minutes: shifts of 30-33 intervals, 7-9 lunch starts,
# up to 300,000 predecessors a run), and brought to a quiet machine's level by the benchmark's own
# CPU per counted second in the same runs (1.23; docs/roster-history.md, "Honest budget on unseen
# teams (session 16)"). A run is numpy calls per interval and per lunch start, and its predecessors
# weighed: its CPU over the fit 0.84-1.05 on the four teams, where the walk's steps had charged
# 1.55-2.46 times less than it used (seed 3 1.68, chi100 2.46). Compiling is the walk in Python,
# per step and per predecessor recorded: ber100 compiles 481 shapes for 8.7 s of CPU (under load),
# uncharged until now; the benchmark's 30-minute seeds a few.
RUN_SECONDS = 4.8e-5
RUN_SECONDS_PER_LAYER = 5.1e-6
RUN_SECONDS_PER_ELEMENT = 7.3e-9
RUN_SECONDS_PER_OPTION = 2.6e-5
COMPILE_SECONDS = 1.0e-3
COMPILE_SECONDS_PER_STEP = 5.9e-7
COMPILE_SECONDS_PER_ELEMENT = 2.5e-7


@dataclass(frozen=True, slots=True)
class _Layer:
    """One interval: per state its predecessors in the previous interval's state vector (extended by 0, pad)."""

    pred: np.ndarray  # [states, width] int: index into the previous values extended by (0, pad)
    ending: np.ndarray | None  # [states, width]: cost of ending the block (None: all 0)
    change: np.ndarray | None  # [states, width]: cost of the change of queue (None: all 0)
    fixed: np.ndarray | None  # [states, width] int: the two together, for integer costs (None: all 0)
    queue: np.ndarray  # [states] queue whose delta the state adds (the extra column: carried over lunch, adds 0)
    carried: bool  # every state is its single predecessor carried over lunch (values copied)
    size: int  # states after this interval
    starts: np.ndarray  # [states] int: where each state's row begins in ``pred`` flattened (state x width)


@dataclass(frozen=True, slots=True)
class _Option:
    """One lunch start: where its states end, and its lunch's intervals."""

    lunch: int | None  # grid index of the lunch start (as given)
    lunch_begin: int  # offsets within the shift
    lunch_end: int
    final: np.ndarray  # indices of its states in the last interval's vector
    final_penalty: np.ndarray  # per final state: 0, or the penalty of ending on a short block
    rank: np.ndarray  # per final state: its place among the final states' keys, sorted
    usable: bool  # False: its states died inside the shift (no plan can be traced back)


@dataclass(frozen=True, slots=True)
class Program:
    layers: tuple[_Layer, ...]
    options: tuple[_Option, ...]
    queues: tuple[np.ndarray, ...]  # per interval, the queue of each state (LUNCH: carried over lunch)
    steps: int  # the walk's elementary steps (what the activity stage charges)
    limit: float  # the largest |sum| the arithmetic may meet per unit of |delta| (for the integer check)
    penalties: float  # the largest sum of the fixed costs (penalties, switches) along a plan
    run_seconds: float  # what a run is charged (:data:`RUN_SECONDS` and the rest)
    compile_seconds: float  # what compiling it is charged


def _walk(
    states: list[State],
    begin: int,
    end: int,
    lunch: tuple[int, int],
    *,
    allowed: Sequence[Sequence[bool]],
    queues: Sequence[int],
    cap: dict[int, int],
    most: int,
    switch: int,
    penalty: float,
    processed: bool,
) -> tuple[list[tuple[list[State], list[list[tuple[int, float, float]]], bool]], int, bool, bool]:
    """The walk of :func:`.shiftplan.cheapest_plan` over intervals ``begin..end-1``, without costs.

    ``states`` enter in the walk's order; ``processed``: whether a worked interval came before.
    Returns per interval (states in creation order, per state its predecessors as (position in
    the previous interval, ending cost, change cost), whether it is carried over lunch); the steps
    the walk counts; whether a worked interval was met; whether the states died and restarted
    after one (the walk cannot trace such a plan back).
    """
    lunch_begin, lunch_end = lunch
    layers: list[tuple[list[State], list[list[tuple[int, float, float]]], bool]] = []
    steps = 0
    broken = False
    piece_start = True  # the shift's first interval, or (a lunch start's own walk) its lunch's first
    for i in range(begin, end):
        if lunch_begin <= i < lunch_end:
            layers.append((list(states), [[(p, 0, 0)] for p in range(len(states))], True))
            piece_start = True
            continue
        row = allowed[i]
        new: dict[State, list[tuple[int, float, float]]] = {}
        if not states:
            broken = broken or processed
            for q in queues:
                if row[q]:
                    new[q, 1, True, 0] = [(-1, 0, 0)]  # -1: the first interval (value 0 before it)
        else:
            for p, (q, r, whole, k) in enumerate(states):
                steps += len(queues)
                ending = 0 if r >= cap[q] or (piece_start and whole) else penalty
                if row[q]:
                    change, k2 = switch + (penalty if k >= most else 0), min(k + 1, most)
                else:  # q has closed: the change is forced by opening hours, not counted
                    change, k2 = switch, k
                if not piece_start and row[q]:
                    r2 = min(r + 1, cap[q])
                    new.setdefault((q, r2, whole and r2 < cap[q], k), []).append((p, 0, 0))
                for q2 in queues:
                    if not row[q2]:
                        continue
                    if piece_start:
                        key, cost = (q2, 1, True, k2 if q2 != q else k), (ending, change if q2 != q else 0)
                    elif q2 != q:
                        key, cost = (q2, 1, False, k2), (ending, change)
                    else:
                        continue
                    if math.isinf(cost[0] + cost[1]):
                        continue  # the walk never takes an infinite cost
                    new.setdefault(key, []).append((p, cost[0], cost[1]))
        processed = True
        piece_start = False
        states = list(new)
        layers.append((states, list(new.values()), False))
    return layers, steps, processed, broken


def compile_program(
    n: int,
    allowed: np.ndarray,
    queues: Sequence[int],
    cap: dict[int, int],
    lunches: Sequence[int | None],
    first: int,
    lunch_length: int,
    *,
    switch: int,
    most: int,
    penalty: float,
) -> Program:
    """The program of a shift of ``n`` intervals from grid index ``first``, for the lunch starts ``lunches``.

    ``allowed[i, q]``: whether the shift may serve ``q`` in its ``i``-th interval.
    """
    rows = allowed.tolist()
    walk = {"allowed": rows, "queues": queues, "cap": cap, "most": most, "switch": switch, "penalty": penalty}
    spans: list[tuple[int | None, int, int]] = []
    for lunch in lunches:
        if lunch is None or lunch_length == 0 or lunch - first >= n:
            spans.append((lunch, n, n))  # no interval at lunch: the plain walk
        else:
            spans.append((lunch, lunch - first, min(lunch - first + lunch_length, n)))
    # The intervals before the latest lunch are walked once: the trunk every lunch start shares.
    trunk_end = max(begin for _lunch, begin, _end in spans)
    trunk, _steps, _processed, _broken = _walk([], 0, trunk_end, (n, n), processed=False, **walk)
    trunk_steps = [0]
    trunk_processed = [False]
    trunk_broken = [False]
    for i in range(trunk_end):  # per prefix: steps, whether worked, whether broken (the same walk, cumulated)
        states_before = trunk[i - 1][0] if i else []
        layer_steps = 0 if not states_before else len(states_before) * len(queues)
        restarted = not states_before and trunk_processed[-1]
        trunk_steps.append(trunk_steps[-1] + layer_steps)
        trunk_processed.append(True)
        trunk_broken.append(trunk_broken[-1] or restarted)
    # Each lunch start's own intervals, from its lunch to the shift's end.
    own: list[list[tuple[list[State], list[list[tuple[int, float, float]]], bool]]] = []
    steps = 0
    broken_at: list[bool] = []
    for _lunch, begin, end in spans:
        entering = trunk[begin - 1][0] if begin else []
        layers, own_steps, _processed, broken = _walk(
            entering, begin, n, (begin, end), processed=trunk_processed[begin], **walk
        )
        own.append(layers)
        steps += trunk_steps[begin] + own_steps
        broken_at.append(trunk_broken[begin] or broken)
    # One vector per interval: the trunk's states (while some lunch start has not begun), then each
    # lunch start's own states from its lunch on. Predecessors point into the previous vector.
    column = allowed.shape[1]  # the extra row entry: adds 0
    layers_out: list[_Layer] = []
    queue_out: list[np.ndarray] = []
    previous_offset: dict[object, int] = {}
    previous_size = 0
    for i in range(n):
        offsets: dict[object, int] = {}
        entries: list[tuple[State, list[tuple[int, float, float]], bool, object]] = []
        if i < trunk_end:
            offsets["trunk"] = 0
            states, cands, carried = trunk[i]
            entries.extend((s, c, carried, "trunk") for s, c in zip(states, cands, strict=True))
        for k, (_lunch, begin, _end) in enumerate(spans):
            if i >= begin and begin < n:
                offsets[k] = len(entries)
                states, cands, carried = own[k][i - begin]
                entries.extend((s, c, carried, k) for s, c in zip(states, cands, strict=True))
        width = max((len(c) for _s, c, _carried, _owner in entries), default=1)
        size = len(entries)
        pred = np.full((size, width), previous_size + 1, dtype=np.int64)  # the pad
        ending = np.zeros((size, width))
        change = np.zeros((size, width))
        queue = np.empty(size, dtype=np.int64)
        plan_queue = np.empty(size, dtype=np.int64)
        for e, (state, candidates, carried, owner) in enumerate(entries):
            # A lunch start's first own interval reads the trunk's states; later ones its own.
            source = owner if owner in previous_offset else "trunk"
            base = previous_offset.get(source, 0)
            for j, (p, end_cost, change_cost) in enumerate(candidates):
                pred[e, j] = previous_size if p < 0 else base + p  # previous_size: the 0 before the first
                ending[e, j], change[e, j] = end_cost, change_cost
            queue[e] = column if carried else state[0]
            plan_queue[e] = LUNCH if carried else state[0]
        carried_all = bool(entries) and all(carried for _s, _c, carried, _o in entries)
        layers_out.append(
            _Layer(
                pred=pred,
                ending=ending if ending.any() else None,
                change=change if change.any() else None,
                fixed=(ending + change).astype(np.int64) if (ending.any() or change.any()) else None,
                queue=queue,
                carried=carried_all,
                size=size,
                starts=np.arange(size, dtype=np.int64) * width,
            )
        )
        queue_out.append(plan_queue)
        previous_offset, previous_size = offsets, size
    options: list[_Option] = []
    for k, (lunch, begin, end) in enumerate(spans):
        holder: object = k if begin < n else "trunk"
        if holder == "trunk" and trunk_end < n:  # the plain walk reaches past the trunk: impossible by its end
            raise AssertionError("a lunch start without lunch must end the trunk")
        last = trunk[n - 1][0] if holder == "trunk" else own[k][-1][0]
        offset = previous_offset.get(holder, 0)
        keep = [(index, 0.0 if state[1] >= cap[state[0]] or state[2] else penalty) for index, state in enumerate(last)]
        keep = [(index, fine) for index, fine in keep if not math.isinf(fine)]  # the walk's final cost would be inf
        order = sorted(range(len(keep)), key=lambda m: last[keep[m][0]])
        rank = np.empty(len(keep), dtype=np.int64)
        rank[order] = np.arange(len(keep))
        options.append(
            _Option(
                lunch=lunch,
                lunch_begin=begin,
                lunch_end=end,
                final=np.array([offset + index for index, _fine in keep], dtype=np.int64),
                final_penalty=np.array([fine for _index, fine in keep]),
                rank=rank,
                usable=not broken_at[k],
            )
        )
    fixed = (0.0 if math.isinf(penalty) else penalty) * 2 + switch + 1
    elements = sum(layer.pred.size for layer in layers_out)
    return Program(
        layers=tuple(layers_out),
        options=tuple(options),
        queues=tuple(queue_out),
        steps=steps,
        limit=float(n),
        penalties=fixed * n,
        run_seconds=RUN_SECONDS
        + RUN_SECONDS_PER_LAYER * n
        + RUN_SECONDS_PER_ELEMENT * elements
        + RUN_SECONDS_PER_OPTION * len(options),
        compile_seconds=COMPILE_SECONDS + COMPILE_SECONDS_PER_STEP * steps + COMPILE_SECONDS_PER_ELEMENT * elements,
    )


def estimated_seconds(
    allowed: np.ndarray, caps: Sequence[int] | np.ndarray, lunches: Sequence[int | None], lunch_length: int, most: int
) -> tuple[float, float]:
    """What a shape's program would be charged (its run, its compiling), read from the shape without compiling it.

    The same formulas as :func:`compile_program`'s, with the walk's states counted from the shape:
    ``allowed[i, k]`` whether the shift may serve its ``k``-th queue in its ``i``-th interval (its
    queues only), ``caps[k]`` that queue's block in intervals, ``lunches`` the lunch starts as offsets
    within the shift (None: no lunch). A queue open in an interval holds a state for every switch count
    above 0 and block length up to its cap, and one more for the block the shift began with (the
    states of a block that began its stretch live only in the intervals after a start, left out). Every
    state is weighed against each queue of the shift (the walk's steps) and takes the states of the
    other open queues as predecessors (the widest row of the layer). Against the compiled programs of
    every multi-queue shape in a 15-minute roster of 100 agents (342 shapes): steps 1.11-1.37 times the
    compiled ones (10th-90th percentile), elements 0.86-1.35, the compiling's charge 1.02-1.26.
    """
    n, width_queues = allowed.shape
    per_queue = 1 + most * np.maximum(np.asarray(caps, dtype=np.int64), 1)
    states = allowed.astype(np.int64) @ per_queue  # per interval
    least = np.where(allowed, per_queue, np.iinfo(np.int64).max).min(axis=1, initial=np.iinfo(np.int64).max)
    least = np.where(allowed.any(axis=1), least, 0)
    steps_at = np.zeros(n, dtype=np.int64)
    steps_at[1:] = states[:-1] * width_queues
    walked = np.concatenate(([0], np.cumsum(steps_at)))
    begins = [n if lunch is None or lunch_length == 0 or lunch >= n else lunch for lunch in lunches]
    walks = np.zeros(n, dtype=np.int64)  # the walks an interval's vector holds: the trunk and each lunch start's own
    walks[: max(begins, default=n)] += 1
    steps = 0
    for begin in begins:
        steps += int(walked[begin] + walked[n] - walked[min(begin + lunch_length, n)])
        walks[begin:] += 1
    width = np.maximum(np.concatenate(([1], (states - least)[:-1])), 1)
    elements = float((states * walks * width).sum())
    run = (
        RUN_SECONDS
        + RUN_SECONDS_PER_LAYER * n
        + RUN_SECONDS_PER_ELEMENT * elements
        + RUN_SECONDS_PER_OPTION * len(lunches)
    )
    return run, COMPILE_SECONDS + COMPILE_SECONDS_PER_STEP * steps + COMPILE_SECONDS_PER_ELEMENT * elements


_CACHE: OrderedDict[tuple[object, ...], Program] = OrderedDict()


def program_for(
    n: int,
    allowed: np.ndarray,
    queues: Sequence[int],
    cap: dict[int, int],
    lunches: Sequence[int | None],
    first: int,
    lunch_length: int,
    *,
    switch: int,
    most: int,
    penalty: float,
    charged: set[object] | None = None,
) -> tuple[Program, float]:
    """:func:`compile_program`, kept for the next shift of the same shape (the last :data:`CACHE_SIZE` shapes).

    Returns the program and what its use is charged: its run, and its compiling the first time
    the shapes already ``charged`` (a set kept per problem, which this adds to) lack its shape.
    What is charged so depends on the problem alone, not on what the cache held before (a
    roster is the same in a fresh process or after another roster); a shape compiled again
    after the cache dropped it is not charged again.
    """
    relative = tuple(None if lunch is None else lunch - first for lunch in lunches)
    key = (
        n,
        allowed.shape,
        np.packbits(allowed).tobytes(),
        tuple(queues),
        tuple(cap[q] for q in queues),
        relative,
        lunch_length,
        switch,
        most,
        penalty,
    )
    program = _CACHE.get(key)
    if program is None:
        # Compiled at offset 0: only offsets matter, the lunch value is set back per option below.
        program = compile_program(
            n,
            allowed,
            queues,
            cap,
            list(relative),
            0,
            lunch_length,
            switch=switch,
            most=most,
            penalty=penalty,
        )
        _CACHE[key] = program
        if len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    seconds = program.run_seconds
    if charged is not None and key not in charged:
        charged.add(key)
        seconds += program.compile_seconds
    return program, seconds


def _forward(program: Program, rows: np.ndarray, integral: bool) -> tuple[np.ndarray, list[np.ndarray | None]]:
    """The last interval's least cost per state, and per interval each state's best predecessor (None: the only one).

    In integers a state's own cost (its queue's delta, the same whichever predecessor leads to it) is
    added once its best predecessor is picked: integers add exactly in any order, so the pick is the
    same as with it added before, ties included, at half the numpy work. Floats add in the walk's
    order, so that their sums round alike. The previous values, then 0 (nothing worked before) and
    the pad, sit in one buffer reused from interval to interval.
    """
    extended = np.empty(max((layer.size for layer in program.layers), default=0) + 2, dtype=rows.dtype)
    pad = _PAD if integral else math.inf
    values = extended[:0]
    chosen: list[np.ndarray | None] = []
    for i, layer in enumerate(program.layers):
        size = len(values)
        extended[:size] = values
        extended[size : size + 2] = (0, pad)
        if layer.carried:
            values = extended[layer.pred[:, 0]]
            chosen.append(None)
            continue
        full = extended[layer.pred]
        if integral:
            if layer.fixed is not None:
                full += layer.fixed
        else:
            if layer.ending is not None:
                full += layer.ending
            if layer.change is not None:
                full += layer.change
            full += rows[i, layer.queue][:, None]
        if full.shape[1] == 1:
            values = full.ravel()
            chosen.append(None)
        else:
            best = full.argmin(axis=1)
            values = full.ravel()[layer.starts + best]
            chosen.append(best)
        if integral:
            values += rows[i, layer.queue]
    return values, chosen


def run_program(
    program: Program, delta: np.ndarray, lunches: Sequence[int | None]
) -> tuple[float, int | None, tuple[int, ...]] | None:
    """The least cost, its lunch start (from ``lunches``, in the program's order) and its queues per interval.

    None when no lunch start has a plan (the strict rules admit none).
    """
    n = len(program.layers)
    integral = delta.dtype.kind in "iu"
    if integral:
        top = float(np.abs(delta).max(initial=0)) * program.limit + program.penalties
        integral = top < _INT_LIMIT
    dtype = np.int64 if integral else np.float64
    rows = np.zeros((n, delta.shape[1] + 1), dtype=dtype)  # the extra column: carried over lunch, adds 0
    rows[:, :-1] = delta
    values, chosen = _forward(program, rows, integral)
    found: tuple[float, int] | None = None  # cost, option
    end_state = 0
    for k, option in enumerate(program.options):
        if not option.usable or not len(option.final):
            continue
        finals = values[option.final] + (option.final_penalty.astype(dtype) if integral else option.final_penalty)
        least = finals.min()
        tied = np.flatnonzero(finals == least)
        m = int(tied[np.argmin(option.rank[tied])])
        if found is None or least < found[0]:
            found, end_state = (least, k), int(option.final[m])
    if found is None:
        return None
    cost, k = found
    option = program.options[k]
    # Back through the intervals: this lunch start's states, then the trunk's before its lunch.
    plan = [LUNCH] * n
    state = end_state
    for i in range(n - 1, -1, -1):
        layer = program.layers[i]
        if option.lunch_begin <= i < option.lunch_end:
            plan[i] = LUNCH
        else:
            plan[i] = int(program.queues[i][state])
        pick = chosen[i]
        previous = int(layer.pred[state, 0 if pick is None else pick[state]])
        if i and previous >= program.layers[i - 1].size:  # the first interval worked: nothing before it
            break
        state = previous
    return np.asarray(cost).item(), lunches[k], tuple(plan)
