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
shift is mended with the shifts overlapping it (:meth:`ShiftPlanner.repair`),
which keeps a change only when no minimum is lost and fewer rules are broken.
Where coverage is short and one shift at a time improves nothing, shifts are
regrouped with those around them (:meth:`ShiftPlanner.regroup`) while the budget lasts.
Over a published roster, a shift kept at its times starts from its published plan and any
other plan of it costs what ``make_roster`` charges a re-planned shift (its calendar event changes).
Everything is deterministic (fixed order, integer costs) and the work is
counted, so the stage stops within its share of the budget whatever the
machine, except that the first sweep and the mending always complete (the
starting split is not in blocks yet, and a broken rule outweighs any cost).
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.rostering.model import skill_groups
from scheduler.rostering.plans import block_lengths
from scheduler.rostering.problem import SCALE, RosterProblem, understaffing_weight
from scheduler.rostering.shiftplan import (
    LUNCH,
    SINGLE_SECONDS,
    SINGLE_SECONDS_PER_TERM,
    PlanRules,
    PlanShift,
    ShiftPlan,
    apply_plan,
    broken_rules,
    cheapest_plan,
    counts_of,
    plan_cost,
    plan_rule_counts,
    shifts_of,
)
from scheduler.rostering.shiftprogram import estimated_seconds

__all__ = ["LUNCH", "ActivityResult", "ShiftPlan", "assign_queues", "floor_seconds", "plan_activities"]

# Seconds of budget charged, calibrated to CPU time on the 2-core machine the benchmarks run on,
# so the budget tracks time there while staying a count, not a clock: per shift looked at (its
# costs, its plan's cost, the bookkeeping; fitted per call on the first sweeps of 500 agents seed 2
# and 100 agents seeds 1 and 3, load 2.5) on top of what its plan's dynamic program is charged
# (:func:`.shiftplan.cheapest_plan`: the compiled program's run, by its intervals, lunch starts and
# predecessors, and its compiling once per shape, :mod:`.shiftprogram`). Per shift checked or
# scanned (the repair, the regrouping's neighbours), per interval.
SECONDS_PER_SHIFT = 7e-5
SECONDS_PER_SCANNED = 6e-7
# Per live shift, the stage's set-up: its static data, the starting split handed to named agents and
# the counts (0.1 s at 100 agents over 4 weeks, 0.5 s at 500; uncharged until session 12).
SECONDS_PER_SHIFT_SET_UP = 5e-5
# Passes over the shifts around a broken one when it is mended (each pass replans every one once).
REPAIR_ROUNDS = 3
# What :func:`floor_seconds` is charged per shift it reads (its shape's key; each new shape's formula
# besides): 100 agents over 4 weeks on 15 minutes, about 2,000 shifts and 340 shapes, 0.056 s of CPU.
FLOOR_SECONDS_PER_SHIFT = 3e-5
# Per published plan handed in: reading it back from the rows and writing it again (:func:`.previous.published_plans`,
# before the stage); the example's 114 shifts, 0.044-0.049 s of CPU with the speed probe at 4.0 s.
SECONDS_PER_PUBLISHED_PLAN = 3e-4
REGROUP_ROUNDS = 3
REGROUP_HELPERS = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityResult:
    plans: dict[tuple[int, int], ShiftPlan]  # (agent, option) -> plan
    missing_minimum: int  # agent-intervals missing from queue minimums (0 unless the split already missed)
    sweeps: int
    seconds: float  # budget charged (deterministic)


class ServingCosts:
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

    def marginal(self, counts: np.ndarray, first: int, last: int) -> np.ndarray:
        """``cost(counts + 1) - cost(counts)`` over intervals ``first..last-1``, in one pass.

        With ``s`` the shortfall, the understaffing part is ``w * (2 s - min(s, SCALE))``, and one
        more agent lowers a missing minimum by one exactly when below it; the same integers.
        """
        need, weight = self.need[:, first:last], self.weight[:, first:last]
        served = SCALE * counts
        before = np.maximum(need - served, 0)
        after = np.maximum(before - SCALE, 0)
        under = weight * (2 * (after - before) - np.minimum(after, SCALE) + np.minimum(before, SCALE))
        over = self.over * (np.maximum(served + SCALE - need, 0) - np.maximum(served - need, 0))
        return under + over - self.missing * (counts < self.minimum[:, first:last])


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


def plan_activities(
    problem: RosterProblem,
    chosen: Sequence[tuple[int, int]],
    lunch: dict[tuple[int, int], int | None],
    serve: dict[tuple[int, int, int], int],
    time_limit: float,
    *,
    move_lunch: bool = True,
    regroup: bool = True,
    published: Mapping[tuple[int, int], ShiftPlan] | None = None,
    replan_charge: float = 0.0,
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
        regroup: once a sweep changes nothing, regroup shifts while the budget
            lasts (False: stop there; large teams leave the rest to the polish).
        published: the published plan of each kept shift (same agent and times as the previous
            roster's, :func:`.previous.published_plans`); such a shift starts from it (unless that
            loses a queue minimum the model's split keeps) and any other plan of it costs
            ``replan_charge`` more, so it changes only where that pays (its calendar event changes).
    """
    settings = problem.settings
    costs = ServingCosts(problem)
    live = sorted(key for key in chosen if problem.options[key[1]].day_index not in problem.frozen_days)
    shifts = shifts_of(problem, live)
    if not move_lunch:
        for key, shift in shifts.items():
            shift.lunch_starts = (lunch.get(key),)
    rules = PlanRules(
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
    kept = {key: plan for key, plan in (published or {}).items() if key in shifts} if replan_charge > 0 else {}
    counts = counts_of(shifts, plans, problem.required.shape)
    if kept:
        # Kept shifts start from their published plans, unless those lose a queue minimum the split keeps
        # (the agent off that day held it, say): then from the split, and the sweeps bring back what pays.
        republished = {**plans, **kept}
        again = counts_of(shifts, republished, problem.required.shape)
        if np.maximum(costs.minimum - again, 0).sum() <= np.maximum(costs.minimum - counts, 0).sum():
            plans, counts = republished, again

    planner = ShiftPlanner(costs=costs, shifts=shifts, plans=plans, counts=counts, rules=rules, published=kept)
    planner.charge = replan_charge  # any other plan of a kept shift costs this more
    planner.seconds += SECONDS_PER_SHIFT_SET_UP * len(live) + SECONDS_PER_PUBLISHED_PLAN * len(published or {})
    # Sweeps, then the repair of shifts that had to break a block or switch rule to keep a queue
    # minimum, then more sweeps while the budget lasts; once one shift at a time improves nothing,
    # shifts are regrouped with those around them (``regroup`` off: the stage stops there). The
    # first sweep and the repair always complete: the starting split is not in blocks yet, and a
    # broken rule is worse than any cost.
    sweeps = 0
    while sweeps == 0 or planner.seconds < time_limit:
        sweeps += 1
        changes = planner.sweep(live, time_limit if sweeps > 1 else math.inf)
        repaired = planner.repair(live)
        if changes == 0 and repaired == 0:
            if planner.seconds >= time_limit or not regroup or not planner.regroup(live, time_limit):
                break
    missing = int(np.maximum(costs.minimum - counts, 0).sum())
    return ActivityResult(plans=plans, missing_minimum=missing, sweeps=sweeps, seconds=planner.seconds)


def floor_seconds(problem: RosterProblem, chosen: Sequence[tuple[int, int]]) -> tuple[float, float]:
    """What :func:`plan_activities`' floor (its set-up and first sweep) would be charged for these shifts.

    Read from the shifts without planning them: per shift what the sweep charges for looking at it, its
    plan's run (:func:`.shiftprogram.estimated_seconds`, or the one-queue sum where the program is not
    needed) and the repair's scan; per shape of shift met, its program's compiling, charged once. On a
    15-minute grid with several queues per agent the shapes are many (opening hours differ by day and
    start) and their compiling is most of the floor: 100 agents over 4 weeks, about 8 counted seconds
    where the stage's share is 3. Returns the estimate and what reading it is charged.
    """
    settings = problem.settings
    caps = np.array(block_lengths(problem), dtype=np.int64)
    live = [key for key in chosen if problem.options[key[1]].day_index not in problem.frozen_days]
    skills = {
        a: tuple(q for q, queue in enumerate(problem.queues) if queue in problem.agents[a].channels)
        for a in sorted({a for a, _o in live})
    }
    seconds = SECONDS_PER_SHIFT_SET_UP * len(live)
    shapes: dict[tuple[object, ...], tuple[float, float]] = {}
    for a, o in live:
        option = problem.options[o]
        queues = skills[a]
        n = option.last_interval - option.first_interval
        lunches = option.lunch_starts or (None,)
        allowed = problem.is_open[list(queues), option.first_interval : option.last_interval].astype(bool).T
        seconds += SECONDS_PER_SHIFT + SECONDS_PER_SCANNED * n
        if len(queues) == 1 and allowed.all():
            seconds += SINGLE_SECONDS + SINGLE_SECONDS_PER_TERM * n * len(lunches)
            continue
        relative = tuple(None if lunch is None else lunch - option.first_interval for lunch in lunches)
        key = (n, queues, allowed.tobytes(), relative, option.lunch_intervals)
        charges = shapes.get(key)
        if charges is None:
            charges = estimated_seconds(
                allowed, caps[list(queues)], relative, option.lunch_intervals, settings.max_switches_per_shift
            )
            shapes[key] = charges
            seconds += charges[1]
        seconds += charges[0]
    return seconds, FLOOR_SECONDS_PER_SHIFT * len(live)


class ShiftPlanner:
    """The shifts' current plans and the coverage they give, improved one shift (or a few) at a time."""

    def __init__(
        self,
        *,
        costs: ServingCosts,
        shifts: dict[tuple[int, int], PlanShift],
        plans: dict[tuple[int, int], ShiftPlan],
        counts: np.ndarray,
        rules: PlanRules,
        published: Mapping[tuple[int, int], ShiftPlan] | None = None,
    ) -> None:
        self.costs, self.shifts, self.plans, self.counts, self.rules = costs, shifts, plans, counts, rules
        self.published, self.charge = dict(published or {}), 0.0  # kept shifts' published plans; any other costs charge
        self.strict = dataclasses.replace(rules, penalty=math.inf)  # no plan breaking a block or switch rule
        self.seconds = 0.0
        self.move = 1
        self.changed_at = np.zeros(counts.shape[1], dtype=np.int64)  # move number of the last change per interval
        self.seen: dict[tuple[int, int], int] = {}
        self.unchecked = set(plans)  # shifts whose plan changed since the last repair looked at them

    def _best(
        self, key: tuple[int, int], rules: PlanRules, *, keep_lunch: bool = False
    ) -> tuple[float, ShiftPlan | None, np.ndarray]:
        """The shift's best plan with every other shift as it is (the shift itself taken out of the counts)."""
        shift = self.shifts[key]
        served = self.counts[:, shift.first : shift.last]
        delta = self.costs.marginal(served, shift.first, shift.last).T + shift.secondary  # [i, q]
        lunches = (self.plans[key].lunch,) if keep_lunch and self.plans[key].queues.count(LUNCH) else None
        cost, best, seconds = cheapest_plan(shift, delta, rules, lunches)
        self.seconds += SECONDS_PER_SHIFT + seconds
        return cost, best, delta

    def _charged(self, key: tuple[int, int], plan: ShiftPlan) -> float:
        """What ``plan`` costs beyond its coverage and rules: ``charge`` if it re-plans a kept shift."""
        kept = self.published.get(key)
        return self.charge if kept is not None and plan != kept else 0.0

    def _better(
        self,
        key: tuple[int, int],
        cost: float,
        best: ShiftPlan | None,
        delta: np.ndarray,
        rules: PlanRules,
        *,
        keep_lunch: bool = False,
    ) -> ShiftPlan | None:
        """The plan to replace the shift's own with on strict improvement, or None: the program's ``best``
        (costing ``cost``) or the published plan, with their charges. Exact: any other plan pays the charge
        and costs no less than ``best``."""
        shift, plan = self.shifts[key], self.plans[key]
        current = plan_cost(shift, plan, delta, rules) + self._charged(key, plan)
        if best is not None:
            cost += self._charged(key, best)
        kept = self.published.get(key)
        if kept is not None and kept not in (best, plan) and not (keep_lunch and kept.lunch != plan.lunch):
            self.seconds += len(shift.t) * SECONDS_PER_SCANNED
            kept_cost = plan_cost(shift, kept, delta, rules)
            if best is None or kept_cost <= cost:
                best, cost = kept, kept_cost
        return best if best is not None and cost < current else None

    def _set(self, key: tuple[int, int], plan: ShiftPlan) -> None:
        shift = self.shifts[key]
        apply_plan(self.counts, shift, self.plans[key], -1)
        self.plans[key] = plan
        apply_plan(self.counts, shift, plan, +1)
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
            apply_plan(self.counts, shift, plan, -1)
            cost, best, delta = self._best(key, self.rules)
            apply_plan(self.counts, shift, plan, +1)
            better = self._better(key, cost, best, delta, self.rules)
            if better is not None:
                self._set(key, better)
                changes += 1
        return changes

    def _strict_sweep(
        self, keys: Sequence[tuple[int, int]], visited: dict[tuple[int, int], int], *, keep_lunch: bool = False
    ) -> int:
        """One pass of :meth:`sweep` over ``keys`` in which no plan may break a block or switch rule.

        ``visited``: the move number at which each shift was last planned in this series of passes;
        a shift is skipped when nothing changed in its span since (its best plan is the same).
        """
        changes = 0
        for key in keys:
            shift, plan = self.shifts[key], self.plans[key]
            if key in visited and self.changed_at[shift.first : shift.last].max() < visited[key]:
                continue
            visited[key] = self.move
            apply_plan(self.counts, shift, plan, -1)
            cost, best, delta = self._best(key, self.strict, keep_lunch=keep_lunch)
            apply_plan(self.counts, shift, plan, +1)
            better = self._better(key, cost, best, delta, self.strict, keep_lunch=keep_lunch)
            if better is not None:
                self._set(key, better)
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
            self.seconds += len(self.shifts[key].t) * SECONDS_PER_SCANNED
            if not broken_rules(self.shifts[key], self.plans[key], self.rules):
                continue
            if self._mend(key, ()) or self._mend(key, self._overlapping(key, live)):
                repaired += 1
            else:  # tried again once the shifts around it have moved
                self.unchecked.add(key)
        return repaired

    def regroup(self, live: Sequence[tuple[int, int]], time_limit: float) -> int:
        """Moves of several shifts at once, where coverage is short; returns how many were kept.

        One shift at a time stops where a better plan needs two shifts to move together (with at
        most one switch, an agent covering Spanish chat in the morning and English chat at noon
        must hand one of them to a colleague who moves too). Each shift whose span is short of
        cover, the shortest first, is taken out while the shifts overlapping it that share a queue
        with it are planned again, then put back; the move is kept when the cost of all of them
        (coverage over their spans, switches, secondary skills) falls. Plans stay within the
        rules; the pass stops when the budget is spent.
        """
        # Per interval, what the shortfall costs, in the share agents over their queue's need could
        # close: where every queue is short, moving agents only moves the shortfall (a peak the team
        # cannot cover), and a peak interval's shortfall weighs peak_weight as in the objective.
        served = SCALE * self.counts
        short = np.maximum(self.costs.need - served, 0)
        spare = np.maximum(served - self.costs.need, 0).sum(axis=0)
        total = short.sum(axis=0)
        movable = (short * self.costs.weight).sum(axis=0) * np.minimum(spare, total) / np.maximum(total, 1)
        spans = {key: int(movable[self.shifts[key].first : self.shifts[key].last].sum()) for key in live}
        kept = 0
        for key in sorted((key for key in live if spans[key] > 0), key=lambda key: (-spans[key], key)):
            if self.seconds >= time_limit:
                break
            queues = set(self.shifts[key].queues)
            shift = self.shifts[key]
            helpers = sorted(
                (other for other in self._overlapping(key, live) if queues.intersection(self.shifts[other].queues)),
                key=lambda other: (
                    -(min(shift.last, self.shifts[other].last) - max(shift.first, self.shifts[other].first)),
                    other,
                ),
            )[:REGROUP_HELPERS]
            if helpers and self._regroup(key, helpers):
                kept += 1
        return kept

    def _local_cost(self, keys: Sequence[tuple[int, int]]) -> float:
        """Coverage cost over the spans of ``keys`` plus their plans' switches, secondary skills and breaks."""
        first = min(self.shifts[key].first for key in keys)
        last = max(self.shifts[key].last for key in keys)
        total = float(self.costs.cost(self.counts[:, first:last], slice(first, last)).sum())
        for key in keys:
            shift, plan = self.shifts[key], self.plans[key]
            changes, _counted, _short = plan_rule_counts(shift, plan)
            broken = broken_rules(shift, plan, self.rules)
            total += self.rules.switch * changes + (self.rules.penalty * broken if broken else 0)
            total += float(sum(int(shift.secondary[q]) for q in plan.queues if q != LUNCH))
            total += self._charged(key, plan)
        return total

    def _regroup(self, key: tuple[int, int], helpers: Sequence[tuple[int, int]]) -> bool:
        touched = [*helpers, key]
        saved = {other: self.plans[other] for other in touched}
        before = self._local_cost(touched)
        shift = self.shifts[key]
        self._set(key, ShiftPlan(lunch=None, queues=(LUNCH,) * len(shift.t)))
        visited: dict[tuple[int, int], int] = {}
        for _round in range(REGROUP_ROUNDS):
            if not self._strict_sweep(helpers, visited, keep_lunch=True):
                break
        _cost, best, _delta = self._best(key, self.strict)  # key is out of the counts
        if best is not None:
            self._set(key, best)
            for _round in range(REGROUP_ROUNDS):
                if not self._strict_sweep(touched, visited, keep_lunch=True):
                    break
            if self._local_cost(touched) < before:
                return True
        for other in touched:
            if self.plans[other] != saved[other]:
                self._set(other, saved[other])
        return False

    def _overlapping(self, key: tuple[int, int], live: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        shift = self.shifts[key]
        self.seconds += len(live) * SECONDS_PER_SCANNED  # a scan of every shift
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
        broken_before = sum(broken_rules(self.shifts[k], self.plans[k], self.rules) for k in touched)
        self._set(key, ShiftPlan(lunch=None, queues=(LUNCH,) * len(shift.t)))  # out while the others move
        visited: dict[tuple[int, int], int] = {}
        for _round in range(REPAIR_ROUNDS if helpers else 0):
            if not self._strict_sweep(helpers, visited):
                break
        _cost, best, _delta = self._best(key, self.strict)  # key is out of the counts
        if best is not None:
            self._set(key, best)
            for _round in range(REPAIR_ROUNDS if helpers else 0):
                if not self._strict_sweep(touched, visited):
                    break
            broken_after = sum(broken_rules(self.shifts[k], self.plans[k], self.rules) for k in touched)
            missing_after = int(np.maximum(minimum - self.counts, 0).sum())
            if missing_after <= missing_before and broken_after < broken_before:
                return True
        for other in touched:  # no better: everything back as it was
            if self.plans[other] != saved[other]:
                self._set(other, saved[other])
        return False
