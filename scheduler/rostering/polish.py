"""Shifts re-chosen with their activities in the loop: the descent again, on the plans as written.

The descent (:mod:`.descent`) chooses shifts as if a multi-skilled agent could
change queue every interval; the activity stage (:mod:`.activities`) then
holds every shift to queue blocks and the switch cap. Where multi-skilled
agents filled gaps interval by interval that costs coverage (100 agents,
binding skills, benchmark seed 2: 117.7M with free switching, 121.0M with
60-minute blocks and one switch per shift, the activity stage within 0.6% of
the best plans for those shifts). So this stage repeats the descent's move on
the written plans: each agent in turn is taken out, every shift option it may
work is valued by its best *plan* against everyone else's plans (lunch start,
one queue or two with one switch, blocks at least their minimum: a subset of
what the activity stage allows, so every plan keeps the block and switch
rules), the agent's own model picks its shifts with those values, and the
result is kept only when it is strictly better and no queue minimum is lost.

Whole days re-chosen jointly (:mod:`.days`, their plans priced by the dynamic
program: :mod:`.dayblocks`) reach what single agent moves cannot; the two kinds of move share the stage's budget by what each has been
gaining per counted second (:class:`~scheduler.rostering.nextmove.Schedule`).

Everything is deterministic (fixed order, integer costs, CP-SAT's
deterministic time) and the work is counted, so the stage stops within its
share of the budget whatever the machine.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.rostering.coveragecost import CoverageCost
from scheduler.rostering.dayblocks import BlockDays
from scheduler.rostering.descent import AGENT_SOLVE_LIMIT, AgentModels
from scheduler.rostering.nextmove import AGENT_BATCHES, Schedule, block_loss
from scheduler.rostering.plans import block_lengths
from scheduler.rostering.problem import RosterProblem
from scheduler.rostering.shiftplan import LUNCH, ShiftPlan, plan_breaks

# An interval an agent cannot serve on a queue (not skilled, closed) is worth this much less:
# far below any coverage saving, small enough that a shift's sum stays a safe CP-SAT coefficient.
UNSERVABLE = 10**9
# Seconds of budget charged, calibrated to CPU time on the 2-core benchmark machine (100 agents,
# 4 weeks, seed 2: 400 agent moves, 1.2 s valuing plans, 0.5 s of bookkeeping): per agent valued
# (its arrays' set-up: prefix sums, the loop over its shapes), per option valued, per lunch
# placement of a shape valued, per element of the plan-value arrays, and per queue-interval of
# bookkeeping (costs and minimums over the grid). The agents' own solves are charged as in the
# descent. Without the per-agent term a valuation ran 1.04-1.44 times its charge (2.4-3.2 ms of
# CPU; 100 agents seeds 1, 3, 4, 5, 9 and 500 agents seed 5 at load 8, session 13: 1.1 ms a
# call in a fit over 522 calls; docs/roster-history.md, "Polish charges (session 13)").
SECONDS_PER_VALUATION = 1e-3
SECONDS_PER_OPTION = 2e-6
SECONDS_PER_PLACEMENT = 1e-4
SECONDS_PER_ELEMENT = 5e-9
SECONDS_PER_INTERVAL = 1e-7
# Per agent move on top of its solve's charge: what a polish move's solve costs beyond the
# descent's calibration (:mod:`.charges`). It was 5 ms when that calibration charged a flat 18 ms
# a solve; with the solve's overhead charged per option (session 12), a move's bookkeeping ran
# 1.0-1.4 ms of CPU for the 1.9 ms its queue-intervals charge, and its solve 0.8-1.2 times its
# charge at 100 agents, 1.23 times at 500 (15.5 ms of CPU for 12.6 ms; session 13, load 8): so
# 3 ms covers the slow side, and a move costs about 2 ms less than it did.
SECONDS_PER_MOVE = 0.003
# A move's ceiling (:meth:`OptionPlanner.ceiling`): per call and per option of the agent, fitted to its CPU
# beside the valuation's in the same runs (100 agents, seeds 3 and 5, a slow phase: 0.20 s of CPU for
# 236 ceilings, 0.167 s charged, where the valuations ran 0.98 s for 0.84 s charged).
SECONDS_PER_CEILING = 3e-4
SECONDS_PER_CEILING_OPTION = 5e-7
PRICES = 5  # positive prices per minute tried in a ceiling, halving from the steepest worth per minute
CEILING_SLACK = 0.01  # what the ceiling's floating-point sums may round away (worths below 1e10)


@dataclass(frozen=True, slots=True, kw_only=True)
class PolishResult:
    chosen: tuple[tuple[int, int], ...]  # (agent, option) worked, sorted
    plans: dict[tuple[int, int], ShiftPlan]  # the live shifts' plans (frozen days are kept verbatim)
    moves: int  # agents whose shifts or plans changed
    sweeps: int
    days_improved: int  # days re-chosen jointly and replaced (:mod:`.days`)
    seconds: float  # budget charged (deterministic)


@dataclass(slots=True, kw_only=True)
class PolishState:
    """The roster the polish moves on: plans, the coverage they give, each agent's shifts."""

    coverage: CoverageCost  # its cost(): the objective's coverage terms plus the minimum penalty
    planner: OptionPlanner
    counts: np.ndarray  # [queue, interval] agents serving
    plans: dict[tuple[int, int], ShiftPlan]
    current: dict[int, list[int]]  # agent -> options worked
    skills: list[np.ndarray]  # per agent, the queues it serves
    secondary: list[np.ndarray]  # per agent and queue, whether it is a secondary skill
    weight: int  # secondary_skill_weight

    @classmethod
    def of(
        cls, problem: RosterProblem, chosen: Sequence[tuple[int, int]], plans: dict[tuple[int, int], ShiftPlan]
    ) -> PolishState:
        counts = np.zeros(problem.required.shape, dtype=np.int64)
        for (_a, o), plan in plans.items():
            apply_option_plan(counts, problem, o, plan, +1)
        current: dict[int, list[int]] = defaultdict(list)
        for a, o in chosen:
            current[a].append(o)
        return cls(
            coverage=CoverageCost(problem),
            planner=OptionPlanner(problem),
            counts=counts,
            plans=dict(plans),
            current=current,
            skills=[
                np.array([q for q, queue in enumerate(problem.queues) if queue in agent.channels], dtype=np.int64)
                for agent in problem.agents
            ],
            secondary=[
                np.array([queue in agent.secondary_queues for queue in problem.queues], dtype=bool)
                for agent in problem.agents
            ],
            weight=problem.settings.secondary_skill_weight,
        )


@dataclass(frozen=True, slots=True)
class _Shape:
    """Options alike relative to their start: length, lunch offsets and length."""

    length: int
    lunch_offsets: tuple[int, ...]
    lunch_length: int


class OptionPlanner:
    """Every shift option's best plan for one agent, from per-queue gains, vectorised over options of one shape."""

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = problem
        settings = problem.settings
        self.blocks = block_lengths(problem)
        self.switch = settings.switch_weight
        self.may_switch = settings.max_switches_per_shift >= 1
        self.shape_of: dict[int, _Shape] = {}
        for option in problem.options:
            if option.day_index in problem.frozen_days:
                continue
            self.shape_of[option.index] = _Shape(
                length=option.last_interval - option.first_interval,
                lunch_offsets=tuple(start - option.first_interval for start in option.lunch_starts),
                lunch_length=option.lunch_intervals,
            )
        self._groups: dict[int, list[tuple[_Shape, np.ndarray]]] = {}
        self._days: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # per agent: options, days, minutes
        self.seconds = 0.0  # budget charged for valuing plans

    def groups(self, a: int) -> list[tuple[_Shape, np.ndarray]]:
        """The agent's live options by shape (cached: what an agent may work does not change)."""
        if a not in self._groups:
            by_shape: dict[_Shape, list[int]] = defaultdict(list)
            for o in self.problem.allowed[a]:
                if o in self.shape_of:
                    by_shape[self.shape_of[o]].append(o)
            self._groups[a] = [
                (shape, np.array(options, dtype=np.int64))
                for shape, options in sorted(by_shape.items(), key=lambda item: item[1][0])
            ]
        return self._groups[a]

    def ceiling(self, a: int, value: dict[int, int]) -> int:
        """At least what the agent's best shifts under ``value`` are worth less their hours below target.

        Per week: one shift a day, at most the week's shift count, its paid minutes at most the week's
        maximum and below its target priced as the objective prices them, the agent's other rules left
        out; minutes by a Lagrangian bound, the least over a few prices ``p`` per minute of each day's
        best option worth less ``p`` times its minutes, its best days summed, plus ``p`` times the
        maximum (``p`` >= 0) or the target (``-hours_weight`` <= ``p`` < 0). So no choice the agent's
        own model allows is worth more than this less :meth:`AgentModels.own_floor` of the other terms:
        a move whose ceiling is below its current shifts' worth less their own cost plus one cannot
        gain and needs no solve.
        """
        problem = self.problem
        if a not in self._days:
            options = np.array(problem.allowed[a], dtype=np.int64)
            days = np.array([problem.options[o].day_index for o in options.tolist()], dtype=np.int64)
            minutes = np.array([problem.options[o].paid_minutes for o in options.tolist()], dtype=np.float64)
            self._days[a] = (options, days, minutes)
        options, days, minutes = self._days[a]
        self.seconds += SECONDS_PER_CEILING + SECONDS_PER_CEILING_OPTION * len(options)
        worth = np.array([value.get(o, 0) for o in options.tolist()], dtype=np.float64)
        steepest = float(np.max(worth / np.maximum(minutes, 1.0), initial=0.0))
        hours = float(problem.settings.hours_weight)
        prices = np.array([0.0, -hours, -hours / 2] + [steepest / 2**k for k in range(PRICES)])
        priced = worth[None, :] - prices[:, None] * minutes[None, :]  # [price, option]
        best = np.zeros((len(prices), len(problem.days)))  # resting is worth 0
        np.maximum.at(best, (np.arange(len(prices))[:, None], days[None, :]), priced)
        rules = problem.rules[a]
        total = 0.0
        for week, (low, high, target) in zip(problem.weeks, rules.week_minutes, strict=True):
            in_week = -np.sort(-best[:, list(week)], axis=1)[:, : rules.max_shifts_per_week].sum(axis=1)
            priced_minutes = np.where(prices >= 0, prices * high, prices * target)
            if not hours or target <= low:  # no hours below target priced this week
                priced_minutes = np.where(prices >= 0, priced_minutes, np.inf)
            total += float(np.min(in_week + priced_minutes))
        return math.floor(total + CEILING_SLACK)  # worths are whole: the best choice is at most this

    def best(
        self, a: int, queues: np.ndarray, gain: np.ndarray
    ) -> tuple[dict[int, int], dict[int, tuple[int | None, int, int, int]]]:
        """Per live option: its best plan's worth and the plan as ``(lunch start, A, B, switch)``.

        ``gain[k, t]``: what the agent serving ``queues[k]`` in interval ``t``
        saves (switch cost not included). A plan serves queue A from the shift's
        start and queue B from grid interval ``switch`` on (A == B: no switch).
        """
        prefix = np.zeros((len(queues), gain.shape[1] + 1), dtype=np.int64)
        np.cumsum(gain, axis=1, out=prefix[:, 1:])
        caps = np.array([self.blocks[q] for q in queues], dtype=np.int64)
        queue_ids = queues.tolist()
        values: dict[int, int] = {}
        plans: dict[int, tuple[int | None, int, int, int]] = {}
        self.seconds += SECONDS_PER_VALUATION
        for shape, options in self.groups(a):
            self.seconds += SECONDS_PER_OPTION * len(options)
            firsts = np.array([self.problem.options[o].first_interval for o in options.tolist()], dtype=np.int64)
            best_value = np.full(len(options), np.iinfo(np.int64).min, dtype=np.int64)
            best_plan = np.zeros((len(options), 4), dtype=np.int64)  # lunch offset (-1: none), A, B, switch offset
            for lunch in shape.lunch_offsets or (None,):
                pieces = (
                    [(0, shape.length)] if lunch is None else [(0, lunch), (lunch + shape.lunch_length, shape.length)]
                )
                for value, (first_queue, second_queue, switch) in self._candidates(prefix, firsts, pieces, caps):
                    better = value > best_value
                    best_value = np.where(better, value, best_value)
                    best_plan[better, 0] = -1 if lunch is None else lunch
                    best_plan[better, 1] = first_queue[better]
                    best_plan[better, 2] = second_queue[better]
                    best_plan[better, 3] = switch[better]
            # Read as lists at once (a numpy scalar or row per option was most of this loop).
            for o, worth, (offset, row_a, row_b, switch_offset), first in zip(
                options.tolist(), best_value.tolist(), best_plan.tolist(), firsts.tolist(), strict=True
            ):
                values[o] = worth
                plans[o] = (
                    None if offset < 0 else first + offset,
                    queue_ids[row_a],
                    queue_ids[row_b],
                    first + switch_offset,
                )
        return values, plans

    def _candidates(
        self, prefix: np.ndarray, firsts: np.ndarray, pieces: list[tuple[int, int]], caps: np.ndarray
    ) -> list[tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]]:
        """For one lunch placement: the best one-queue plan and the best plan switching in each place.

        Each entry is ``(worth per option, (A, B, switch offset) per option)``; a
        run inside a stretch of work (between the shift's ends and lunch) that
        does not fill the stretch lasts at least its queue's minimum block.
        """

        def span(begin: int, end: int) -> np.ndarray:  # [queue, option]: gains over offsets begin..end-1
            return prefix[:, firsts + end] - prefix[:, firsts + begin]

        whole = [span(begin, end) for begin, end in pieces]
        total = np.sum(whole, axis=0)  # [queue, option]
        count = len(caps)
        self.seconds += SECONDS_PER_PLACEMENT + SECONDS_PER_ELEMENT * total.size * (len(pieces) + 1)
        single = total.argmax(axis=0)
        results: list[tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]] = []
        # switch offset for a single-queue plan: the shift's end (never reached)
        results.append((total.max(axis=0), (single, single, np.full_like(single, pieces[-1][1]))))
        if count < 2 or not self.may_switch:
            return results
        different = ~np.eye(count, dtype=bool)[:, :, None]  # [A, B, 1]
        if len(pieces) == 2:  # at lunch: A before, B after
            at_lunch = whole[0][:, None, :] + whole[1][None, :, :] - self.switch
            at_lunch = np.where(different, at_lunch, np.iinfo(np.int64).min // 2).reshape(count * count, -1)
            pick = at_lunch.argmax(axis=0)
            results.append((at_lunch.max(axis=0), (pick // count, pick % count, np.full_like(pick, pieces[1][0]))))
        for p, (begin, end) in enumerate(pieces):
            switches = np.arange(begin + 1, end)
            if not len(switches):
                continue
            # Before the switch: A over the earlier pieces and begin..switch; after: B to the shift's end.
            before = np.sum(whole[:p], axis=0) if p else np.zeros_like(total)
            at = prefix[:, firsts[:, None] + switches[None, :]]  # [queue, option, switch]
            head = at - prefix[:, firsts + begin][:, :, None] + before[:, :, None]  # A: [queue, option, switch]
            after = np.sum(whole[p + 1 :], axis=0) if p + 1 < len(pieces) else np.zeros_like(total)
            tail = prefix[:, firsts + end][:, :, None] - at + after[:, :, None]  # B: [queue, option, switch]
            fits = ((switches[None, :] - begin) >= caps[:, None])[:, None, :] & (
                (end - switches[None, :]) >= caps[:, None]
            )[None, :, :]  # [A, B, switch]
            allowed = fits & different
            combined = head[:, None, :, :] + tail[None, :, :, :] - self.switch  # [A, B, option, switch]
            self.seconds += SECONDS_PER_ELEMENT * combined.size
            combined = np.where(allowed[:, :, None, :], combined, np.iinfo(np.int64).min // 2)
            flat = combined.transpose(2, 0, 1, 3).reshape(len(firsts), -1)  # [option, A*B*switch]
            pick = flat.argmax(axis=1)
            value = flat[np.arange(len(firsts)), pick]
            first_queue, rest = np.divmod(pick, count * len(switches))
            second_queue, where = np.divmod(rest, len(switches))
            results.append((value, (first_queue, second_queue, switches[where])))
        return results


def plan_of(problem: RosterProblem, o: int, lunch: int | None, first: int, second: int, switch: int) -> ShiftPlan:
    """The plan serving ``first`` until grid interval ``switch``, then ``second``, lunch at ``lunch``."""
    option = problem.options[o]
    length = problem.options[o].lunch_intervals
    queues = tuple(
        LUNCH if lunch is not None and lunch <= t < lunch + length else (first if t < switch else second)
        for t in range(option.first_interval, option.last_interval)
    )
    return ShiftPlan(lunch=lunch, queues=queues)


def polish(
    problem: RosterProblem,
    models: AgentModels,
    chosen: Sequence[tuple[int, int]],
    plans: dict[tuple[int, int], ShiftPlan],
    time_limit: float,
) -> PolishResult:
    """Agent moves and whole days on the written plans within ``time_limit`` counted seconds.

    Two kinds of move share the budget by what each has been gaining per
    charged second (:class:`~scheduler.rostering.nextmove.Schedule`): a batch of agent moves, or one day
    re-chosen jointly (:mod:`.dayblocks`), the day whose relaxation promised most.

    Args:
        models: the descent's agent models (their remembered own costs belong to
            the shifts in ``chosen``).
        chosen: every ``(agent, option)`` worked, frozen days included.
        plans: the activity stage's plans of the live shifts; the starting point.
    """
    state = PolishState.of(problem, chosen, plans)
    coverage, planner, counts, plans, current = state.coverage, state.planner, state.counts, state.plans, state.current
    skills, secondary, weight = state.skills, state.secondary, state.weight
    start_time = models.deterministic_time
    live = [d for d in range(len(problem.days)) if d not in problem.frozen_days]
    local = {day: d for d, day in enumerate(problem.days)}
    last_day = len(problem.days) - 1  # hours past the last midnight count for the last day
    day_of = np.array([local.get(stamp.date(), last_day) for stamp in problem.grid.tz_convert(problem.timezone)])

    def day_costs() -> np.ndarray:  # each local day's coverage cost as it is: what guesses a day's promise
        coverage.work += counts.size
        cost = np.where(coverage.is_open | (coverage.need > 0), coverage.cost(counts), 0).sum(axis=0)
        return np.bincount(day_of, weights=cost, minlength=len(problem.days))

    estimated = [0.0]  # seconds charged for the days' block losses

    def day_losses() -> np.ndarray:  # each local day's block loss: which cheap day not yet relaxed goes first
        loss, seconds = block_loss(problem, coverage, counts, plans)
        estimated[0] += seconds
        return np.bincount(day_of, weights=loss, minlength=len(problem.days))

    schedule = Schedule(problem, live, day_costs, day_losses)
    days: BlockDays | None = None

    def spent() -> float:
        return (
            models.deterministic_time
            - start_time
            + planner.seconds
            + coverage.work * SECONDS_PER_INTERVAL
            + (days.seconds if days is not None else 0.0)
            + estimated[0]
        )

    order = sorted(range(len(problem.agents)), key=lambda a: (len(problem.allowed[a]), problem.agents[a].id))
    batch = max(1, math.ceil(len(order) / AGENT_BATCHES))
    moves = sweeps = days_improved = 0
    position = 0  # the next agent in ``order``
    unchanged = 0  # agents in a row whose move changed nothing
    loaded = False  # whether ``days`` holds the roster as it is

    while spent() < time_limit:
        kind = schedule.next_kind(agents_idle=unchanged >= len(order), left=time_limit - spent())
        if kind is None:
            break
        began = spent()
        if kind == "agents":
            gain = 0
            for _ in range(batch):
                if spent() >= time_limit or unchanged >= len(order):
                    break
                a = order[position]
                position = (position + 1) % len(order)
                sweeps += position == 0
                touched: set[int] = set()
                step = reseat_agent(
                    problem,
                    models,
                    planner,
                    coverage,
                    counts,
                    plans,
                    current,
                    a,
                    skills[a],
                    secondary[a],
                    weight,
                    time_limit - spent(),
                    touched,
                )
                if step is None:
                    unchanged += 1
                    continue
                unchanged = 0
                moves += 1
                loaded = False
                gain += step
                schedule.touch(touched)
            schedule.agents_done(gain, spent() - began)
            continue
        if days is None:
            days = BlockDays(problem, [(a, o) for a, options in current.items() for o in options], plans)
            loaded = True
        elif not loaded:
            days.load([(a, o) for a, options in current.items() for o in options], plans)
            loaded = True
        d = schedule.next_day()
        relaxed = days.relax(d)
        relaxing = spent() - began
        outcome = days.settle(relaxed) if relaxed is not None and schedule.worth_settling(relaxed) else None
        schedule.day_done(d, relaxed, outcome, relaxing, spent() - began - relaxing)
        if outcome is not None and outcome.replaced:
            days_improved += 1
            schedule.settled(d)
            plans = dict(days.plans)
            current = defaultdict(list)
            for a, o in days.chosen():
                current[a].append(o)
            counts[:] = days.counts
            coverage.work += counts.size
            for a, change in outcome.moved.items():  # their own costs, as the day's program priced them
                remembered = models.remembered_cost(a)
                models.restore_cost(a, None if remembered is None else remembered + change)
            unchanged = 0
    return PolishResult(
        chosen=tuple(sorted((a, o) for a, options in current.items() for o in options)),
        plans=plans,
        moves=moves,
        sweeps=sweeps,
        days_improved=days_improved,
        seconds=spent(),
    )


def reseat_agent(
    problem: RosterProblem,
    models: AgentModels,
    planner: OptionPlanner,
    coverage: CoverageCost,
    counts: np.ndarray,
    plans: dict[tuple[int, int], ShiftPlan],
    current: dict[int, list[int]],
    a: int,
    queues: np.ndarray,
    secondary: np.ndarray,
    secondary_weight: int,
    budget_left: float,
    touched: set[int],
    missing_limit: int | None = None,
) -> int | None:
    """Agent ``a`` taken out and put back at its best shifts and plans.

    Returns what that gained (coverage, switches and the agent's own soft terms;
    None: nothing changed) and adds the days it changed to ``touched``.

    ``missing_limit`` (the mending, :func:`~scheduler.rostering.mend.mend`): the agent's plans that break a block or
    switch rule are not kept as they are, and the move is kept whatever it gains as long as
    the queue minimums miss at most that many agent-intervals.
    """
    old = {o: plans[a, o] for o in current[a] if (a, o) in plans}
    missing_before = minimum_shortfall(coverage, counts) if missing_limit is None else missing_limit
    cost_before = _total(coverage, counts) + planner.switch * sum(_switch_count(plan) for plan in old.values())
    for o, plan in old.items():
        apply_option_plan(counts, problem, o, plan, -1)
    coverage.work += counts.size + round(SECONDS_PER_MOVE / SECONDS_PER_INTERVAL)
    saving = coverage.cost(counts) - coverage.cost(counts + 1)  # [queue, interval]
    gain = (
        np.where(problem.is_open[queues], saving[queues], -UNSERVABLE) - secondary_weight * secondary[queues][:, None]
    )
    value, best = planner.best(a, queues, gain)
    own = {
        o: _worth(problem, o, plan, gain, queues, planner.switch)
        for o, plan in old.items()
        if missing_limit is None or not plan_breaks(problem, planner.blocks, o, plan)
    }
    for o, worth in own.items():
        if worth >= value[o]:  # the plan it has is as good: it stays
            value[o] = worth
    if models.remembered_cost(a) is None:  # its current shifts' own cost is what a move must beat
        models.remember(a, current[a])
    remembered = models.remembered_cost(a)
    # A move that cannot gain skips its solve (a third to a half of the polish's agent moves at its end).
    hope = planner.ceiling(a, value) - sum(value.get(o, 0) for o in current[a]) - models.own_floor(a)
    if remembered is not None and hope + remembered < 1 and missing_limit is None:
        shifts = None
    else:
        shifts = models.best_shifts(a, value, current[a], min(AGENT_SOLVE_LIMIT, max(budget_left, 0.01)))
    new_shifts = shifts if shifts is not None else current[a]
    new: dict[int, ShiftPlan] = {}
    for o in new_shifts:
        if o not in planner.shape_of:
            continue  # a frozen day: kept verbatim, no plan
        if o in own and own[o] >= value[o]:
            new[o] = old[o]
        elif value[o] <= -UNSERVABLE // 2:
            new = old  # no plan in reach keeps the rules for this option: the agent stays as it was
            new_shifts = current[a]
            break
        else:
            new[o] = plan_of(problem, o, *best[o])
    for o, plan in new.items():
        apply_option_plan(counts, problem, o, plan, +1)
    if minimum_shortfall(coverage, counts) > missing_before:
        for o, plan in new.items():  # a queue minimum would be lost: undo
            apply_option_plan(counts, problem, o, plan, -1)
        for o, plan in old.items():
            apply_option_plan(counts, problem, o, plan, +1)
        models.restore_cost(a, remembered)
        return None
    for o in old:
        del plans[a, o]
    for o, plan in new.items():
        plans[a, o] = plan
    changed = sorted(new_shifts) != sorted(current[a]) or any(new[o] != old.get(o) for o in new)
    if not changed:
        current[a] = list(new_shifts)
        return None
    touched.update(problem.options[o].day_index for o in {*current[a], *new_shifts})
    current[a] = list(new_shifts)
    cost_after = _total(coverage, counts) + planner.switch * sum(_switch_count(plan) for plan in new.values())
    own_before, own_after = remembered or 0, models.remembered_cost(a) or 0
    return cost_before - cost_after + own_before - own_after


def _total(coverage: CoverageCost, counts: np.ndarray) -> int:
    """The coverage cost of ``counts`` over the grid (with the queue-minimum penalty)."""
    coverage.work += counts.size
    return int(np.where(coverage.is_open | (coverage.need > 0), coverage.cost(counts), 0).sum())


def _switch_count(plan: ShiftPlan) -> int:
    worked = [q for q in plan.queues if q != LUNCH]
    return sum(1 for before, after in zip(worked, worked[1:], strict=False) if before != after)


def _worth(problem: RosterProblem, o: int, plan: ShiftPlan, gain: np.ndarray, queues: np.ndarray, switch: int) -> int:
    """What a given plan saves against ``gain`` (its switches charged as the objective does)."""
    first = problem.options[o].first_interval
    rows = {int(q): k for k, q in enumerate(queues.tolist())}
    total = 0
    previous = None
    for i, q in enumerate(plan.queues):
        if q == LUNCH:
            continue
        total += int(gain[rows[q], first + i])
        if previous is not None and q != previous:
            total -= switch
        previous = q
    return total


def minimum_shortfall(coverage: CoverageCost, counts: np.ndarray) -> int:
    """Agent-intervals missing from the queue minimums."""
    coverage.work += counts.size
    return int(np.maximum(coverage.minimum - counts, 0).sum())


def apply_option_plan(counts: np.ndarray, problem: RosterProblem, o: int, plan: ShiftPlan, sign: int) -> None:
    first = problem.options[o].first_interval
    queues = np.asarray(plan.queues)
    working = queues != LUNCH
    np.add.at(counts, (queues[working], first + np.nonzero(working)[0]), sign)
