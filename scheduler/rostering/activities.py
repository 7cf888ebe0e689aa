"""Activities inside fixed shifts: lunch and queue blocks, placed so no hard rule breaks.

Once the shifts are chosen, each shift still needs a lunch start within its
window and a queue for every interval it works. The roster model counts queue
service per skill group with lunch at the middle of its window; this stage
turns those counts into what an agent actually does:

- a queue block lasts at least ``min_block_minutes`` for its queue (a stretch
  of work between the shift's ends and lunch shorter than that is one block),
- each change of queue costs ``switch_weight`` (across lunch too), and a
  shift changes queue at most ``max_switches_per_shift`` times (a change away
  from a queue that has just closed is forced, so it does not count),
- coverage is charged as in the objective, and a queue below its hard
  minimum costs far more than anything else can save.

It is a descent over shifts, like :mod:`.descent` over agents: with every other
shift fixed, one shift's best lunch and queue sequence is an exact dynamic
program over its intervals (state: queue and length of the current block). A
shift's plan is replaced only on strict improvement of that total, so starting
from the model's split (which meets every queue minimum) no queue minimum can
be lost: one missing agent costs more than every short block and switch of a
shift together. Skills and opening hours are never broken: a shift only serves
queues its agent knows and that are open.

Shift by shift, a queue minimum and the block and switch rules can conflict:
the only plan of a shift keeping the minimums it holds may break a rule while
another shift could take a minimum over (its lunch elsewhere, say). Such a
shift is mended with the shifts overlapping it (:meth:`_Planner.repair`),
which keeps a change only when no minimum is lost and fewer rules are broken.
Everything is deterministic (fixed order, integer costs) and the work is
counted, so the stage stops within its share of the budget whatever the
machine, except that the first sweep and the mending always complete (the
starting split is not in blocks yet, and a broken rule outweighs any cost).
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.rostering.model import skill_groups
from scheduler.rostering.problem import SCALE, RosterProblem, understaffing_weight

LUNCH = -1  # queue index of a lunch interval in a plan
# Seconds of budget charged per elementary step of a shift's dynamic program (and per
# shift looked at): CPU time on the 2-core machine the benchmarks run on (500 agents, 4 weeks:
# one sweep 1.6 s), so the budget tracks time there while staying a count, not a clock.
SECONDS_PER_STEP = 6e-7
SECONDS_PER_SHIFT = 1e-4
# Passes over the shifts around a broken one when it is mended (each pass replans every one once).
REPAIR_ROUNDS = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftPlan:
    """What a shift does: its lunch start (grid index, None: no lunch) and a queue per interval."""

    lunch: int | None
    queues: tuple[int, ...]  # per interval first..last-1: queue index, or LUNCH


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityResult:
    plans: dict[tuple[int, int], ShiftPlan]  # (agent, option) -> plan
    missing_minimum: int  # agent-intervals missing from queue minimums (0 unless the split already missed)
    sweeps: int
    seconds: float  # budget charged (deterministic)


class _Costs:
    """Coverage cost per queue and interval as a function of the agents serving."""

    def __init__(self, problem: RosterProblem) -> None:
        settings = problem.settings
        self.need = np.rint(problem.required * SCALE).astype(np.int64)
        ordinary, peak = understaffing_weight(settings, False), understaffing_weight(settings, True)
        self.weight = np.where(problem.peak, peak, ordinary).astype(np.int64)
        self.over = int(settings.overstaffing_weight)
        self.minimum = problem.min_agents.astype(np.int64)
        longest = max((len(range(o.first_interval, o.last_interval)) for o in problem.options), default=1)
        # One short block outweighs anything a shift's coverage can gain; one agent missing
        # from a queue minimum outweighs every short block and extra switch of a shift.
        top = 4 * int(self.weight.max(initial=1)) * SCALE + settings.switch_weight
        self.short_block = 10 * top * longest
        self.missing = 1000 * self.short_block * longest

    def cost(self, counts: np.ndarray, t: np.ndarray | slice) -> np.ndarray:
        need, weight = self.need[:, t], self.weight[:, t]
        short = np.maximum(need - SCALE * counts, 0)
        return (
            weight * np.minimum(short, SCALE)
            + 2 * weight * np.maximum(short - SCALE, 0)
            + self.over * np.maximum(SCALE * counts - need, 0)
            + self.missing * np.maximum(self.minimum[:, t] - counts, 0)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Rules:
    switch: int  # cost of a change of queue
    max_switches: int  # changes of queue a shift may have
    penalty: float  # a short block, or a switch past the maximum (math.inf: not allowed at all)


def assign_queues(
    problem: RosterProblem, working: dict[int, list[int]], counts: dict[tuple[int, int], int]
) -> dict[tuple[int, int], int]:
    """Hand a skill group's per-interval queue counts to its named agents (the starting split).

    Walks the intervals in order and keeps every agent on the queue they served
    in the previous interval while that queue still needs them; the others take
    queues of their primary languages/topics first, a secondary skill only when
    no primary speaker of the group is left for the queue.
    """
    assignment: dict[tuple[int, int], int] = {}
    for t in sorted(working):
        remaining = {q: counts.get((t, q), 0) for q in range(len(problem.queues))}
        unassigned: list[int] = []
        for a in working[t]:
            q = assignment.get((a, t - 1), -1)
            if q >= 0 and remaining.get(q, 0) > 0:
                assignment[a, t] = q
                remaining[q] -= 1
            else:
                unassigned.append(a)
        # Primary skills first: each agent takes a queue they serve with a primary language/topic, the one
        # with the fewest other primary candidates; only then may anyone use a secondary skill.
        secondary = {agent: set(problem.agents[agent].secondary_queues) for agent in unassigned}

        def serves(agent: int, q: int, primary_only: bool) -> bool:
            queue = problem.queues[q]
            return queue in problem.agents[agent].channels and not (primary_only and queue in secondary[agent])  # noqa: B023 - called within this pass

        left: list[int] = []
        # primary speakers per queue among the unassigned, counted once: an agent's "other candidates"
        # for q are these less itself
        speakers = {q: sum(serves(b, q, True) for b in unassigned) for q in remaining}
        for a in unassigned:
            options = [q for q in sorted(remaining) if remaining[q] > 0 and serves(a, q, True)]
            if not options:
                left.append(a)
                continue
            q = min(options, key=lambda q: (speakers[q] - serves(a, q, True), q))
            assignment[a, t] = q
            remaining[q] -= 1
        for a in left:
            skilled = [q for q in sorted(remaining) if remaining[q] > 0 and serves(a, q, False)]
            if skilled:
                assignment[a, t] = skilled[0]
                remaining[skilled[0]] -= 1
            else:  # the counts came from a model that let agents idle: serve any open skill
                open_skills = [
                    q
                    for q, queue in enumerate(problem.queues)
                    if queue in problem.agents[a].channels and problem.is_open[q, t]
                ]
                assignment[a, t] = open_skills[0] if open_skills else LUNCH
    return assignment


class _Shift:
    """Static data of one shift for the dynamic program."""

    def __init__(self, problem: RosterProblem, a: int, o: int, block_lengths: np.ndarray) -> None:
        option = problem.options[o]
        self.key = (a, o)
        self.first, self.last = option.first_interval, option.last_interval
        self.t = np.arange(self.first, self.last)
        skills = np.array([queue in problem.agents[a].channels for queue in problem.queues])
        self.allowed = (problem.is_open[:, self.first : self.last].astype(bool) & skills[:, None]).T  # [i, q]
        self.lunch_starts: tuple[int | None, ...] = option.lunch_starts or (None,)
        self.lunch_length = option.lunch_intervals
        self.queues = [q for q in range(len(problem.queues)) if skills[q]]
        # Serving with a secondary language/topic costs secondary_skill_weight per interval, as scored.
        self.secondary = (
            np.array([queue in problem.agents[a].secondary_queues for queue in problem.queues])
            * problem.settings.secondary_skill_weight
        )
        self.blocks = block_lengths

    def lunch_set(self, lunch: int | None) -> range:
        return range(lunch, lunch + self.lunch_length) if lunch is not None else range(0)


def _best_plan(shift: _Shift, delta: np.ndarray, rules: _Rules) -> tuple[int, ShiftPlan | None, int]:
    """The cheapest plan of ``shift`` given ``delta[i, q]``, the cost of it serving q in its i-th interval.

    Returns ``(cost, plan, steps)``; ``plan`` is None only when ``rules.penalty``
    is infinite and no plan keeps the block and switch rules. A state is (queue, length of the current
    block capped at the queue's minimum, whether the block began its stretch,
    switches so far capped at the maximum). A block may end (switch, lunch,
    shift end) once it reached its minimum, or when it began its stretch and
    the stretch ends with it (a stretch shorter than the minimum); otherwise,
    and for a switch past the maximum, it pays ``rules.penalty``.
    """
    n = len(shift.t)
    queues = shift.queues
    cap = {q: max(int(shift.blocks[q]), 1) for q in queues}
    most, switch, penalty = rules.max_switches, rules.switch, rules.penalty
    infinite = math.inf
    best: tuple[float, ShiftPlan | None] = (infinite, None)
    steps = 0
    delta_rows = delta.tolist()
    allowed_rows = shift.allowed.tolist()
    State = tuple[int, int, bool, int]
    for lunch in shift.lunch_starts:
        at_lunch = shift.lunch_set(lunch)
        lunch_begin = at_lunch.start - shift.first if lunch is not None else n
        lunch_end = at_lunch.stop - shift.first if lunch is not None else n
        states: dict[State, float] = {}
        back: list[dict[State, State | None]] = []
        piece_start = True
        for i in range(n):
            if lunch_begin <= i < lunch_end:  # states carry over lunch; the next interval starts a stretch
                back.append({})
                piece_start = True
                continue
            allowed = allowed_rows[i]
            row = delta_rows[i]
            new: dict[State, float] = {}
            pointer: dict[State, State | None] = {}
            if not states:  # the shift's first interval
                for q in queues:
                    if allowed[q]:
                        new[q, 1, True, 0] = row[q]
                        pointer[q, 1, True, 0] = None
            else:
                for state, value in states.items():
                    q, r, whole, k = state
                    steps += len(queues)
                    # An ending block pays unless it reached its minimum (or, at lunch, began its stretch).
                    ending = 0 if r >= cap[q] or (piece_start and whole) else penalty
                    if allowed[q]:
                        change, k2 = switch + (penalty if k >= most else 0), min(k + 1, most)
                    else:  # q has closed: the change is forced by opening hours, not counted
                        change, k2 = switch, k
                    if not piece_start and allowed[q]:
                        r2 = min(r + 1, cap[q])
                        key = (q, r2, whole and r2 < cap[q], k)  # a block at its minimum may end anyway
                        cost = value + row[q]
                        if cost < new.get(key, infinite):
                            new[key], pointer[key] = cost, state
                    for q2 in queues:
                        if not allowed[q2]:
                            continue
                        if piece_start:  # after lunch: a new stretch, a switch only if the queue differs
                            key = (q2, 1, True, k2 if q2 != q else k)
                            cost = value + ending + (change if q2 != q else 0) + row[q2]
                        elif q2 != q:
                            key = (q2, 1, False, k2)
                            cost = value + ending + change + row[q2]
                        else:
                            continue
                        if cost < new.get(key, infinite):
                            new[key], pointer[key] = cost, state
            piece_start = False
            states = new
            back.append(pointer)
        if not states:
            continue
        finals = {key: value + (0 if key[1] >= cap[key[0]] or key[2] else penalty) for key, value in states.items()}
        end_key = min(finals, key=lambda key: (finals[key], key))
        if finals[end_key] < best[0]:
            plan = [LUNCH] * n
            trace: State | None = end_key
            for i in range(n - 1, -1, -1):
                if lunch_begin <= i < lunch_end:
                    continue
                assert trace is not None
                plan[i] = trace[0]
                trace = back[i][trace]
            best = (finals[end_key], ShiftPlan(lunch=lunch, queues=tuple(plan)))
    if best[1] is None:
        return 0, None, steps
    return int(best[0]), best[1], steps


def _plan_rules(shift: _Shift, plan: ShiftPlan) -> tuple[int, int, int]:
    """A plan's changes of queue, those counted against the cap (not forced by a closing queue), short blocks."""
    changes = counted = 0
    stretches: list[list[int]] = [[]]
    previous = None
    for i, q in enumerate(plan.queues):
        if q == LUNCH:
            if stretches[-1]:
                stretches.append([])
            continue
        if previous is not None and q != previous:
            changes += 1
            counted += int(shift.allowed[i, previous])  # leaving a closed queue is forced, not counted
        previous = q
        stretches[-1].append(q)
    short = 0
    for stretch in stretches:
        runs: list[list[int]] = []
        for q in stretch:
            if runs and runs[-1][0] == q:
                runs[-1][1] += 1
            else:
                runs.append([q, 1])
        if len(runs) > 1:  # a stretch worked on one queue is one block, however short
            short += sum(1 for q, length in runs if length < shift.blocks[q])
    return changes, counted, short


def _breaks(shift: _Shift, plan: ShiftPlan, rules: _Rules) -> int:
    """How many block and switch rules a plan breaks (short blocks, switches past the cap)."""
    _changes, counted, short = _plan_rules(shift, plan)
    return short + max(counted - rules.max_switches, 0)


def _plan_cost(shift: _Shift, plan: ShiftPlan, delta: np.ndarray, rules: _Rules) -> float:
    """The dynamic program's objective for a given plan (to compare it with the best one)."""
    total = sum(int(delta[i, q]) for i, q in enumerate(plan.queues) if q != LUNCH)
    changes, _counted, _short = _plan_rules(shift, plan)
    broken = _breaks(shift, plan, rules)
    return total + rules.switch * changes + (rules.penalty * broken if broken else 0)


def plan_activities(
    problem: RosterProblem,
    chosen: Sequence[tuple[int, int]],
    lunch: dict[tuple[int, int], int | None],
    serve: dict[tuple[int, int, int], int],
    time_limit: float,
    *,
    move_lunch: bool = True,
) -> ActivityResult:
    """Lunch and queue blocks for every chosen shift, within ``time_limit`` seconds of counted work.

    Args:
        chosen: ``(agent, option)`` worked; frozen days are left out (kept verbatim).
        lunch: the model's lunch start per shift (None: no lunch).
        serve: the model's split with those lunches, agents of skill group
            ``g`` serving queue ``q`` in interval ``t`` as ``(g, t, q) -> count``;
            it is the starting point.
        move_lunch: lunches may move within their windows (False: they stay
            where ``lunch`` has them, e.g. where a bound relies on it).
    """
    settings = problem.settings
    costs = _Costs(problem)
    step = problem.interval_minutes
    blocks = np.array([math.ceil(settings.min_block(queue) / step) for queue in problem.queues], dtype=np.int64)
    live = sorted(key for key in chosen if problem.options[key[1]].day_index not in problem.frozen_days)
    shifts = {key: _Shift(problem, key[0], key[1], blocks) for key in live}
    if not move_lunch:
        for key, shift in shifts.items():
            shift.lunch_starts = (lunch.get(key),)
    rules = _Rules(
        switch=settings.switch_weight, max_switches=settings.max_switches_per_shift, penalty=costs.short_block
    )

    # Starting plans: nominal lunch, the model's split handed to named agents.
    group_of = {skills: g for g, skills in enumerate(skill_groups(problem))}
    plans: dict[tuple[int, int], ShiftPlan] = {}
    for g, _skills in enumerate(skill_groups(problem)):
        working: dict[int, list[int]] = defaultdict(list)
        members = [key for key in live if group_of[problem.agents[key[0]].channels] == g]
        for a, o in members:
            for t in problem.options[o].working_intervals(lunch.get((a, o))):
                working[t].append(a)
        assignment = assign_queues(problem, working, {(t, q): n for (group, t, q), n in serve.items() if group == g})
        for a, o in members:
            option = problem.options[o]
            at_lunch = shifts[a, o].lunch_set(lunch.get((a, o)))
            plans[a, o] = ShiftPlan(
                lunch=lunch.get((a, o)),
                queues=tuple(
                    LUNCH if t in at_lunch else assignment[a, t]
                    for t in range(option.first_interval, option.last_interval)
                ),
            )
    counts = np.zeros(problem.required.shape, dtype=np.int64)
    for key, plan in plans.items():
        _apply(counts, shifts[key], plan, +1)

    planner = _Planner(costs=costs, shifts=shifts, plans=plans, counts=counts, rules=rules)
    # Sweeps, then the repair of shifts that had to break a block or switch rule to keep a queue
    # minimum, then more sweeps while the budget lasts. The first sweep and the repair always
    # complete: the starting split is not in blocks yet, and a broken rule is worse than any cost.
    sweeps = 0
    while sweeps == 0 or planner.seconds < time_limit:
        sweeps += 1
        changes = planner.sweep(live, time_limit if sweeps > 1 else math.inf)
        repaired = planner.repair(live)
        if changes == 0 and repaired == 0:
            break
    missing = int(np.maximum(costs.minimum - counts, 0).sum())
    return ActivityResult(plans=plans, missing_minimum=missing, sweeps=sweeps, seconds=planner.seconds)


class _Planner:
    """The shifts' current plans and the coverage they give, improved one shift (or a few) at a time."""

    def __init__(
        self,
        *,
        costs: _Costs,
        shifts: dict[tuple[int, int], _Shift],
        plans: dict[tuple[int, int], ShiftPlan],
        counts: np.ndarray,
        rules: _Rules,
    ) -> None:
        self.costs, self.shifts, self.plans, self.counts, self.rules = costs, shifts, plans, counts, rules
        self.strict = dataclasses.replace(rules, penalty=math.inf)  # no plan breaking a block or switch rule
        self.seconds = 0.0
        self.move = 1
        self.changed_at = np.zeros(counts.shape[1], dtype=np.int64)  # move number of the last change per interval
        self.seen: dict[tuple[int, int], int] = {}
        self.unchecked = set(plans)  # shifts whose plan changed since the last repair looked at them

    def _best(self, key: tuple[int, int], rules: _Rules) -> tuple[float, ShiftPlan | None, np.ndarray]:
        """The shift's best plan with every other shift as it is (the shift itself taken out of the counts)."""
        shift = self.shifts[key]
        served = self.counts[:, shift.first : shift.last]
        delta = (self.costs.cost(served + 1, shift.t) - self.costs.cost(served, shift.t)).T + shift.secondary  # [i, q]
        cost, best, steps = _best_plan(shift, delta, rules)
        self.seconds += SECONDS_PER_SHIFT + steps * SECONDS_PER_STEP
        return cost, best, delta

    def _set(self, key: tuple[int, int], plan: ShiftPlan) -> None:
        shift = self.shifts[key]
        _apply(self.counts, shift, self.plans[key], -1)
        self.plans[key] = plan
        _apply(self.counts, shift, plan, +1)
        self.unchecked.add(key)
        self.changed_at[shift.first : shift.last] = self.move
        self.move += 1

    def sweep(self, live: Sequence[tuple[int, int]], time_limit: float) -> int:
        """Each shift in turn replaced by its best plan on strict improvement; returns how many changed.

        A shift is looked at again only when coverage changed somewhere in its span.
        """
        changes = 0
        for key in live:
            if self.seconds >= time_limit:
                break
            shift = self.shifts[key]
            if key in self.seen and self.changed_at[shift.first : shift.last].max() < self.seen[key]:
                continue
            self.seen[key] = self.move
            plan = self.plans[key]
            _apply(self.counts, shift, plan, -1)
            cost, best, delta = self._best(key, self.rules)
            _apply(self.counts, shift, plan, +1)
            if best is not None and cost < _plan_cost(shift, plan, delta, self.rules):
                self._set(key, best)
                changes += 1
        return changes

    def _strict_sweep(self, keys: Sequence[tuple[int, int]]) -> int:
        """One pass of :meth:`sweep` over ``keys`` in which no plan may break a block or switch rule."""
        changes = 0
        for key in keys:
            shift, plan = self.shifts[key], self.plans[key]
            _apply(self.counts, shift, plan, -1)
            cost, best, delta = self._best(key, self.strict)
            _apply(self.counts, shift, plan, +1)
            if best is not None and cost < _plan_cost(shift, plan, delta, self.strict):
                self._set(key, best)
                changes += 1
        return changes

    def repair(self, live: Sequence[tuple[int, int]]) -> int:
        """Shifts breaking a block or switch rule, mended with other shifts' help; returns how many.

        A shift breaks a rule only when no plan of its own keeps both the rules and the
        queue minimums it holds (one agent missing from a minimum costs more than a short
        block). Other shifts may take those minimums over: the broken shift is taken out,
        the shifts overlapping it are planned again within the rules (filling what it
        leaves where they can, in a few passes), the broken shift is put back within the
        rules, and all of them get a last pass. The result is kept only if no queue minimum
        is lost and fewer rules are broken.
        """
        repaired = 0
        for key in [key for key in live if key in self.unchecked]:
            self.unchecked.discard(key)
            self.seconds += len(self.shifts[key].t) * SECONDS_PER_STEP
            if not _breaks(self.shifts[key], self.plans[key], self.rules):
                continue
            if self._mend(key, ()) or self._mend(key, self._overlapping(key, live)):
                repaired += 1
            else:  # tried again once the shifts around it have moved
                self.unchecked.add(key)
        return repaired

    def _overlapping(self, key: tuple[int, int], live: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        shift = self.shifts[key]
        return [
            other
            for other in live
            if other != key and self.shifts[other].first < shift.last and shift.first < self.shifts[other].last
        ]

    def _mend(self, key: tuple[int, int], helpers: Sequence[tuple[int, int]]) -> bool:
        """Plan ``key`` again within the rules, ``helpers`` first with it taken out; keep it if no better.

        Kept when no queue minimum is lost and fewer rules are broken among them; else all restored.
        """
        minimum = self.costs.minimum
        shift = self.shifts[key]
        touched = [*helpers, key]
        saved = {other: self.plans[other] for other in touched}
        missing_before = int(np.maximum(minimum - self.counts, 0).sum())
        broken_before = sum(_breaks(self.shifts[k], self.plans[k], self.rules) for k in touched)
        self._set(key, ShiftPlan(lunch=None, queues=(LUNCH,) * len(shift.t)))  # out while the others move
        for _round in range(REPAIR_ROUNDS if helpers else 0):
            if not self._strict_sweep(helpers):
                break
        _cost, best, _delta = self._best(key, self.strict)  # key is out of the counts
        if best is not None:
            self._set(key, best)
            for _round in range(REPAIR_ROUNDS if helpers else 0):
                if not self._strict_sweep(touched):
                    break
            broken_after = sum(_breaks(self.shifts[k], self.plans[k], self.rules) for k in touched)
            missing_after = int(np.maximum(minimum - self.counts, 0).sum())
            if missing_after <= missing_before and broken_after < broken_before:
                return True
        for other in touched:  # no better: everything back as it was
            if self.plans[other] != saved[other]:
                self._set(other, saved[other])
        return False


def _apply(counts: np.ndarray, shift: _Shift, plan: ShiftPlan, sign: int) -> None:
    queues = np.asarray(plan.queues)
    working = queues != LUNCH
    np.add.at(counts, (queues[working], shift.t[working]), sign)
