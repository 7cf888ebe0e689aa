"""Agent-by-agent descent: a fast first roster and steady improvement for large teams.

The full model of a large team (100 agents over 4 weeks: 93k variables) is
too big for CP-SAT to improve quickly on two cores, and its own bound stays
far below the linear relaxation's. But coverage cost is a sum over queue and
interval of a convex function of the agents serving, and every hard rule but
the queue minimums concerns a single agent. So one agent's best shifts, with
everyone else fixed, is a small exact problem: the agent's own model (hard
rules and personal soft rules, about 700 booleans) with each shift worth the
coverage cost it saves. Solving that for each agent in turn, and again until no
agent changes, is a descent on the full objective that never gets worse.

Stages, all deterministic (CP-SAT deterministic time, fixed order):

1. **First roster**: one solve per class of interchangeable agents (see
   :func:`~scheduler.rostering.aggregate.agent_classes`), its shifts copied to
   every member. Every member obeys its rules, so this is a valid roster in a
   fraction of a second; it is what a tiny budget returns.
2. **Construction**: agents enter one at a time, least flexible first, each
   choosing the shifts that save most against those already placed.
   Then, where the lower bound runs beside the search, one **guided sweep**: each
   agent re-placed with the first relaxation's shift counts as a pull
   (:mod:`.guide`), which moves the roster to the relaxation's day and start mix.
3. **Sweeps**: each agent in turn is taken out and put back at its best, and from
   the second sweep on **exchanges**: an agent out, a partner of another skill group
   sharing a queue (worked days most unlike its own) put back without it, then the
   agent, then the partner again; kept when the objective falls. Each kind of round
   goes next by its last gain per counted second, until neither gains.

Queue assignment is tracked as counts per skill group, queue and interval; an
agent put back is worth, in each interval, what the best re-split saves (it may
free a multi-skilled agent for a needier queue, :meth:`.CoverageCost.gains`),
and the touched intervals are rebalanced by chains of moves between queues
until no move lowers the cost. Each agent also places its lunches where it is
missed least (:class:`Lunches`). On 100 agents with binding skills (benchmark
seed 2) these two took the descent's coverage cost from 120.6M to 117.3M
against a bound of 116.3M (fixed points at 22 s).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.rostering.agentmodels import AGENT_SOLVE_LIMIT, AgentModels
from scheduler.rostering.aggregate import agent_classes
from scheduler.rostering.charges import CHANGE_ELEMENTS_PER_UNIT, SECONDS_PER_WORK
from scheduler.rostering.coveragecost import CoverageCost
from scheduler.rostering.freedays import LEAST_DAY_SECONDS, FreeDays
from scheduler.rostering.guide import Guide, Pull
from scheduler.rostering.lunches import Lunches
from scheduler.rostering.problem import RosterProblem

# Exchanges: a round tries one pair for this fraction of the agents that have partners (a pair is
# three agent solves, so a round costs about what a sweep does); weighing a partner's worked days
# is charged this many units of bookkeeping.
EXCHANGE_ROUND_FRACTION = 3
EXCHANGE_UNITS_PER_PARTNER = 3
# Past the descent's share, its first round of whole days leaves the polish this many plain sweeps' charge
# (the last sweep's, measured in the run).
KEPT_SWEEPS = 1
# The first roster's solves (one per class, coverage not valued) need a valid week, not a proof that
# its own soft cost is least: construction re-solves every agent with coverage valued. On a team with
# day-off pairs and 12-hour rest (lon60), the optimum was found within this limit on every class
# and proving it took the rest of the 0.5 s limit: 7.34 counted s for 31 solves, against 1.37 s at
# 0.01 s and 2.37 s at 0.05 s with the same own costs; on the other teams and seeds every class solve
# ends well within it. A class whose solve finds nothing in it gets the full limit.
FIRST_ROSTER_SOLVE_LIMIT = 0.05


@dataclass(frozen=True, slots=True, kw_only=True)
class DescentResult:
    chosen: dict[tuple[int, int], int]  # (agent, option) -> 1 for every shift worked
    served: np.ndarray  # [skill group, queue, interval] agents serving
    missing_minimum: int  # agent-intervals missing from the hard queue minimums (0: the roster is valid)
    lunch: dict[tuple[int, int], int | None]  # lunch start per shift worked, as ``served`` counts it
    seconds: float = 0.0  # budget charged (deterministic: CP-SAT's time and counted work)
    models: AgentModels | None = None  # the agents' own models, their own costs those of ``chosen``


def descend(
    problem: RosterProblem,
    time_limit: float,
    progress: Callable[[str], None] | None = None,
    on_first_feasible: Callable[[], None] | None = None,
    between: Callable[[], float] | None = None,
    *,
    move_lunch: bool = True,
    guide: Callable[[], Guide | None] | None = None,
    whole_days: bool = False,
    first_days_limit: float | None = None,
    stage_end: Callable[[list[tuple[int, int]]], float] | None = None,
) -> DescentResult | None:
    """Run the three stages within ``time_limit`` of summed deterministic time.

    ``move_lunch``: each agent places its lunches where it is missed least
    (:class:`Lunches`); False keeps them at the middle of their windows.
    ``between`` runs once the first valid roster exists, before construction
    (the lower bound, so that what it leaves of a shared budget goes to the
    descent); it returns the seconds it charged, counted in ``time_limit``.
    ``guide`` is called once construction is done (it may wait for the bound
    beside the search: :mod:`.bound_job`); the relaxation's counts it returns
    steer one guided sweep (:mod:`.guide`). ``whole_days``: from the second sweep on, whole days are
    re-chosen jointly too (:mod:`.freedays`), by what they gain per counted second like the other rounds.
    ``first_days_limit`` (the whole shift stage's budget, where the polish follows): the first round of
    whole days goes on past ``time_limit`` up to it, less what the last plain sweep was charged (what the
    polish's first sweep of agent moves needs, measured in the run): the round gains several times what
    the polish's last moves do, where the polish is not short of a sweep.
    ``stage_end`` is called once construction is done, with the shifts worked: it returns the most the
    descent may be charged in all, what the stages after it must have left (the activity
    stage's first sweep, read from these shifts). Nothing of the descent, the sweep after construction
    included, goes past it: a sweep cut short leaves the agents it did not reach as they were. An end
    before the descent's own share (``time_limit``) is ignored: no cut can make the stage honest there.

    Returns None when some class's agent got no shifts at all within its
    limit: its rules conflict, or its model is too hard for the budget.
    """
    report = progress or (lambda _text: None)
    models = AgentModels(problem)
    coverage = CoverageCost(problem)
    lunches = Lunches(problem, movable=move_lunch)

    # 1. First roster: one solve per class, copied to its members. Coverage is not valued yet, so
    # agents whose own models are alike share a solve whatever queues they serve (a team with
    # queues by language has nearly one skill class per agent), and whatever their preferences:
    # those are soft, so the first member's shifts keep every member's hard rules (a 300-agent team
    # with 76 sets of preferences: 126 solves and models before its first roster, 50 pooled).
    current: dict[int, list[int]] = {}
    for members in agent_classes(problem, by_skills=False, preferences=False):
        shifts = models.best_shifts(members[0], {}, (), FIRST_ROSTER_SOLVE_LIMIT)
        if shifts is None:
            shifts = models.best_shifts(members[0], {}, (), AGENT_SOLVE_LIMIT)
        if shifts is None:
            return None
        for a in members:
            current[a] = shifts
    copied = CoverageCost(problem)
    for a, shifts in current.items():
        copied.add_shifts(copied.group_of[a], [lunches.worked(a, o) for o in shifts])
    copied.rebalance(np.arange(len(problem.grid)))
    order = sorted(range(len(problem.agents)), key=lambda a: (len(problem.allowed[a]), problem.agents[a].id))
    if copied.missing_minimum():
        _repair(problem, models, copied, current, lunches, order)
    feasible = copied.missing_minimum() == 0
    # The best valid roster so far: what is returned should the budget end before construction does.
    fallback = (dict(current), copied.served.copy(), copied.total(), dict(lunches.at)) if feasible else None
    if feasible and on_first_feasible:
        on_first_feasible()
    elsewhere = between() if between is not None else 0.0
    placed: set[int] = set()

    days = FreeDays(problem, coverage, lunches) if whole_days else None

    def spent() -> float:
        """Budget used so far: CP-SAT's deterministic time, the counted Python work and ``between``'s."""
        joint = days.seconds if days is not None else 0.0
        return models.deterministic_time + (coverage.work + copied.work) * SECONDS_PER_WORK + elsewhere + joint

    def place(a: int, budget_left: float, pull: Pull | None = None) -> bool:
        group = coverage.group_of[a]
        if a in placed:  # (its shifts at once: as a remove per shift, the same counts and charges)
            coverage.remove_shifts(group, [lunches.worked(a, o) for o in current[a]])
        value, lunch = lunches.values(problem.allowed[a], coverage.gains(group))
        coverage.work += len(problem.allowed[a]) * lunches.starts.shape[1]
        if pull is not None:  # the guided sweep: following the relaxation is worth something too
            pull.take_out(a, current[a])
            for o, worth in pull.worth(a, problem.allowed[a]).items():
                value[o] += worth
            coverage.work += len(problem.allowed[a])
        shifts = models.best_shifts(a, value, current[a], min(AGENT_SOLVE_LIMIT, max(budget_left, 0.01)))
        changed = shifts is not None and sorted(shifts) != sorted(current[a])
        if shifts is not None and changed:
            current[a] = shifts
        for o in current[a]:
            lunches.at[a, o] = lunch[o]
        coverage.add_shifts(group, [lunches.worked(a, o) for o in current[a]], rebalance=True)
        placed.add(a)
        if pull is not None:
            pull.put_back(a, current[a])
        return changed

    def objective() -> int:
        """The descent's objective: coverage and every agent's own soft cost (as remembered)."""
        coverage.work += coverage.served.size // CHANGE_ELEMENTS_PER_UNIT + len(order)
        return coverage.total() + sum(models.remembered_cost(a) or 0 for a in order)

    def exchange(a: int, b: int, budget_left: float) -> bool:
        """``a`` and ``b`` re-placed together: ``b``'s best without ``a``, then ``a``'s, then ``b``'s again.

        A move one agent at a time cannot make: a chat-only agent taking a Saturday that a
        multi-skilled agent leaves for a Monday it was needed on, neither change paying alone.
        Kept when the objective falls, undone otherwise.
        """
        own_a, own_b = models.remembered_cost(a), models.remembered_cost(b)
        if own_a is None or own_b is None:
            return False
        before = coverage.total() + own_a + own_b
        saved = coverage.served.copy(), list(current[a]), list(current[b])
        lunch_saved = {
            key: lunches.at[key] for key in [(x, o) for x in (a, b) for o in current[x]] if key in lunches.at
        }
        for o in current[a]:
            coverage.remove(coverage.group_of[a], lunches.worked(a, o))
        placed.discard(a)
        for agent in (b, a, b):
            place(agent, budget_left)
        after = coverage.total() + (models.remembered_cost(a) or 0) + (models.remembered_cost(b) or 0)
        if after < before:
            return True
        coverage.served[...] = saved[0]
        current[a], current[b] = saved[1], saved[2]
        lunches.at.update(lunch_saved)
        models.restore_cost(a, own_a)
        models.restore_cost(b, own_b)
        return False

    # Exchange partners: agents of another skill group sharing a queue (same-group agents have the
    # same worth in every interval, so exchanging their days changes no coverage).
    queues_of = [set(coverage.group_queues[coverage.group_of[a]].tolist()) for a in range(len(problem.agents))]
    partners = {
        a: [b for b in order if coverage.group_of[b] != coverage.group_of[a] and queues_of[a] & queues_of[b]]
        for a in order
    }
    coverage.work += sum(len(candidates) for candidates in partners.values())
    takers = [a for a in order if partners[a]]
    failed: set[tuple[int, int]] = set()  # pairs tried without gain since the last change

    def days_worked(a: int) -> int:
        """Agent ``a``'s worked days as bits."""
        return sum(1 << problem.options[o].day_index for o in set(current[a]))

    def partner(a: int) -> int | None:
        """The untried partner whose worked days differ most from ``a``'s: where an exchange can help."""
        mine = days_worked(a)
        best, best_key = None, (-1, 0)
        for rank, b in enumerate(partners[a]):
            if (a, b) in failed:
                continue
            key = ((mine ^ worked_days[b]).bit_count(), -rank)
            if key > best_key:
                best, best_key = b, key
        coverage.work += EXCHANGE_UNITS_PER_PARTNER * len(partners[a])
        return best

    def _guided_sweep(target: Guide) -> None:
        """Every agent re-placed once with the relaxation's counts as a pull (:mod:`.guide`); minimums kept."""
        pull = Pull(target, current)
        coverage.work += sum(len(shifts) for shifts in current.values())
        moved = 0
        for a in order:
            left = time_limit - spent()
            if left <= 0:
                break
            moved += place(a, left, pull)
        keep_unplaced()  # the repair below takes every agent's shifts out before re-placing it
        if coverage.missing_minimum():
            _repair(problem, models, coverage, current, lunches, order)
        report(
            f"descent guided by the relaxation: coverage cost {coverage.total():,}, {moved} agents changed"
            f" ({spent():.2f} s counted)"
        )

    def _days_round(limit: float) -> int:
        """Each live day re-chosen jointly (:mod:`.freedays`), the costliest first, within ``limit``; the days replaced."""
        assert days is not None
        staffed = coverage.cost(coverage.served.sum(axis=0)).sum(axis=0)
        coverage.work += coverage.served.size // CHANGE_ELEMENTS_PER_UNIT
        worth = {d: int(staffed[spans[d][0] : spans[d][1]].sum()) for d in live_days}
        replaced = 0
        order = sorted(live_days, key=lambda d: (-worth[d], d))
        priced, charged = True, 0.0
        for done, d in enumerate(order):
            if spent() >= limit:
                break
            priced = priced and round_affords(charged, done, len(order) - done, limit - spent())
            before = days.seconds
            share = (limit - spent()) / (len(order) - done)
            outcome = days.improve(d, current, priced=priced, share=share)
            charged += days.seconds - before
            # A day expected dearer than its share (its priced program built, not solved): the days after it,
            # of the same team and with no more room each, take the free split without building theirs (syd300).
            priced = priced and not days.dear
            if outcome is None or not outcome.gain:
                continue
            replaced += 1
            for a, change in outcome.own.items():
                own = models.remembered_cost(a)
                if own is not None:
                    models.restore_cost(a, own + change)
        return replaced

    # Each day's intervals (the options starting that day), for the order of the days' round.
    live_days = [d for d in range(len(problem.days)) if d not in problem.frozen_days]
    spans = {d: (len(problem.grid), 0) for d in range(len(problem.days))}
    for option in problem.options:
        first, last = spans[option.day_index]
        spans[option.day_index] = (min(first, option.first_interval), max(last, option.last_interval))

    # 2. Construction, 3. sweeps, and from the second sweep on 4. exchanges and whole days: each kind of
    # round next by what its last round gained per counted second (whole days first tried once sweep 2 is
    # done, then exchanges).
    sweeps = exchanges = rounds = cursor = 0
    rate = {"sweep": float("inf"), "exchange": float("inf"), "days": float("inf") if days else 0.0}
    # With a guide, the first plain sweep after construction (and the guided sweep) always completes,
    # past the descent's share if need be (the polish gets what is left): chi100, issue 14, session 17.
    follow = guide is not None
    # ... but not past the whole shift stage's budget: on a team whose coverage bookkeeping is dear (lon60's
    # queues by language, 24/7), a sweep after a construction cut short ran for minutes of CPU. Nor past
    # ``stage_end``'s answer once construction is done (lunch and blocks' first sweep kept: ber100, session 21).
    follow_end = first_days_limit if first_days_limit is not None else float("inf")

    def following() -> bool:
        """Whether the sweep after construction (and the guided sweep) must go on past the descent's share."""
        return sweeps == 1 and follow and spent() < follow_end

    # The first round of whole days goes on past the share up to ``first_days_limit`` less a plain sweep's charge.
    sweep_charge = 0.0

    def keep_unplaced() -> None:
        """Agents no sweep has reached yet (the budget ran out) keep the first roster's shifts, counted in coverage.

        Until then a sweep simply adds them; but a repair of the minimums and the rounds of
        exchanges and whole days take an agent's shifts out of the coverage before re-placing it,
        and taking out shifts never counted drove a group's count below zero, where the queues'
        rebalancing looped for ever (lon60 with a quicker first roster, session 19). So they are
        counted before any of those.
        """
        unplaced = [a for a in order if a not in placed]
        for a in unplaced:
            for o in current[a]:
                coverage.add(coverage.group_of[a], lunches.worked(a, o), rebalance=False)
            placed.add(a)
        if unplaced:
            coverage.rebalance(np.arange(len(problem.grid)))
            if coverage.missing_minimum():  # a construction cut short may leave a minimum open: mend it the same way
                _repair(problem, models, coverage, current, lunches, order)

    def first_days_end() -> float:
        if first_days_limit is None or days is None:
            return time_limit
        return max(time_limit, first_days_limit - KEPT_SWEEPS * sweep_charge)

    while (
        spent() < time_limit
        or (sweeps == 0 and not feasible)
        or following()
        or (sweeps >= 2 and rounds == 0 and spent() < first_days_end())
    ):
        if sweeps == 1 and stage_end is not None:
            end = stage_end(sorted((a, o) for a, shifts in current.items() for o in shifts))
            stage_end = None
            if end < time_limit:
                # Not even the descent's own share leaves the floor room (ber100 seed 2: a 16-19 s floor
                # beside an 11 s construction): cutting the sweep after construction would not make the
                # stage honest and cost a third of the roster's quality there, so the descent runs as before.
                report(f"descent: lunch and queue blocks' first sweep does not fit the budget (room to {end:.2f} s)")
            else:
                if end < (follow_end if follow else time_limit):
                    report(f"descent: stops by {end:.2f} s counted, leaving lunch and queue blocks their first sweep")
                follow_end = min(follow_end, end)
                if first_days_limit is not None:
                    first_days_limit = min(first_days_limit, end)
        if sweeps == 1 and guide is not None:
            target, guide = guide(), None
            if target is not None:
                _guided_sweep(target)
        began, before = spent(), objective() if sweeps >= 1 else 0
        changes = 0
        if sweeps >= 2 and days is not None and rate["days"] >= max(rate["sweep"], rate["exchange"]):
            kind = "days"
            changes = _days_round(first_days_end() if rounds == 0 else time_limit)
            rounds += 1
            if changes:
                failed.clear()
            report(
                f"descent whole days {rounds}: coverage cost {coverage.total():,}, {changes} days changed"
                f" ({spent():.2f} s counted)"
            )
        elif sweeps >= 2 and takers and rate["exchange"] > rate["sweep"]:
            kind = "exchange"
            worked_days = [days_worked(x) for x in range(len(problem.agents))]
            coverage.work += EXCHANGE_UNITS_PER_PARTNER * len(worked_days)
            for _ in range(max(1, len(takers) // EXCHANGE_ROUND_FRACTION)):
                left = time_limit - spent()
                if left <= 0:
                    break
                a = takers[cursor % len(takers)]
                cursor += 1
                b = partner(a)
                if b is None:
                    continue
                if exchange(a, b, max(left, 0.05)):
                    changes += 1
                    failed.clear()
                    worked_days[a], worked_days[b] = days_worked(a), days_worked(b)
                else:
                    failed.add((a, b))
            exchanges += 1
            report(
                f"descent exchanges {exchanges}: coverage cost {coverage.total():,}, {changes} pairs changed"
                f" ({spent():.2f} s counted)"
            )
        else:
            kind = "sweep"
            for a in order:
                left = time_limit - spent()
                if left <= 0 and (sweeps > 0 or feasible) and not following():
                    break
                # Construction finishes even past the budget when the first roster misses a queue
                # minimum: a valid roster comes first (it takes one pass, well under a second per 20 agents).
                changes += place(a, max(left, 0.05))
            sweeps += 1
            sweep_charge = spent() - began
            if sweeps >= 2:  # the sweep after construction stopped at the stage's budget: the rounds need everyone
                keep_unplaced()
            if changes:
                failed.clear()
            report(
                f"descent sweep {sweeps}: coverage cost {coverage.total():,}, {changes} agents changed"
                f" ({spent():.2f} s counted)"
            )
            if not feasible and coverage.missing_minimum() == 0:
                feasible = True
                if on_first_feasible:
                    on_first_feasible()
        if sweeps >= 2:
            rate[kind] = (before - objective()) / max(spent() - began, 1e-9) if changes else 0.0
        if sweeps > 1 and not any(rate.values()):
            break
        if sweeps > 1 and changes == 0 and kind == "sweep" and not takers and not rate["days"]:
            break
    keep_unplaced()
    if fallback is not None and (coverage.missing_minimum() > 0 or coverage.total() > fallback[2]):
        # Construction cut short by the budget did worse (or broke a minimum): the first valid roster stands.
        report(f"descent: keeping the first valid roster, coverage cost {fallback[2]:,}")
        current, served, lunches.at = fallback[0], fallback[1], fallback[3]
        models.forget()  # the remembered own costs belong to the shifts construction chose
    else:
        served = coverage.served
    chosen = {(a, o): 1 for a, shifts in current.items() for o in shifts}
    lunch = {
        (a, o): lunches.at.get((a, o), problem.options[o].nominal_lunch) if problem.options[o].lunch_starts else None
        for a, o in chosen
    }
    missing = int(np.maximum(coverage.minimum - served.sum(axis=0), 0).sum())
    return DescentResult(
        chosen=chosen, served=served, missing_minimum=missing, lunch=lunch, seconds=spent(), models=models
    )


def round_affords(charged: float, done: int, to_come: int, room: float) -> bool:
    """Whether a round of whole days may go on pricing switches (:class:`~.freedays.FreeDays`).

    ``charged`` for the ``done`` days priced so far: at their mean charge, the ``to_come`` days still
    to come (this one included) must fit the ``room`` left before the round's limit; otherwise the
    round goes on with the free split, several times cheaper on a large multi-skilled team, so that
    every day is still re-chosen (syd300, session 25). Before any day is priced, the least a day in
    whole numbers is charged (its two programs built and the second's overhead) stands for the mean:
    a round cut short soon after it starts (chi100's, 0.3 s for 28 days) is left to the free split.
    """
    mean = charged / done if done else LEAST_DAY_SECONDS
    return mean * to_come <= room


def _repair(
    problem: RosterProblem,
    models: AgentModels,
    coverage: CoverageCost,
    current: dict[int, list[int]],
    lunches: Lunches,
    order: Sequence[int],
) -> None:
    """Re-place agents who know a queue below its minimum until no minimum is missed (or none is left to try).

    The copied first roster puts a whole class on the same shifts, which can
    leave an early or late interval without its minimum. Each agent re-placed
    against everyone else sees the minimum's penalty in its shift values, so a
    few such solves make the roster valid: a valid roster in seconds at 500
    agents, where a full construction pass takes half a minute. The most
    flexible agents go first (they can reach odd hours). ``current`` and
    ``coverage`` are updated in place.
    """
    for a in reversed(order):
        short = (coverage.minimum > coverage.served.sum(axis=0)).any(axis=1)
        if not short.any():
            return
        if not any(short[q] for q in coverage.group_queues[coverage.group_of[a]]):
            continue
        group = coverage.group_of[a]
        for o in current[a]:
            coverage.remove(group, lunches.worked(a, o))
        value, lunch = lunches.values(problem.allowed[a], coverage.gains(group))
        shifts = models.best_shifts(a, value, current[a], AGENT_SOLVE_LIMIT)
        if shifts is not None:
            current[a] = shifts
        for o in current[a]:
            lunches.at[a, o] = lunch[o]
            coverage.add(group, lunches.worked(a, o))
