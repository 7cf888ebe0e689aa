"""Named-agent rosters with OR-Tools CP-SAT.

Modules, in the order a roster is made:

- :mod:`.problem` – agents, concrete shift options and demand, index-addressable
- :mod:`.previous` – stability against a published roster, frozen days
- :mod:`.model` – the per-agent model: one ``add_<rule>`` per labour rule, soft terms
- :mod:`.aggregate` – the relaxations over shift counts per class (:mod:`.aggregate_coverage`: their coverage rows)
- :mod:`.bound` – the proven lower bound: relaxations per week within a budget (:mod:`.bound_job`: beside the search)
- :mod:`.descent` – agent-by-agent descent: the roster for large teams
- :mod:`.coveragecost` – the descent's queue service counts and their exact marginal costs
- :mod:`.guide` – the first relaxation's shift counts as a target the descent pulls its roster towards
- :mod:`.sat` – CP-SAT solvers run reproducibly (seed, deterministic time)
- :mod:`.solve` – bound, then direct search or descent scored by the full model; infeasibility explained per agent
- :mod:`.activities` – lunch and queue blocks inside the chosen shifts (never breaking a hard rule)
- :mod:`.shiftplan` – one shift's plan and its best one by dynamic program
- :mod:`.shiftprogram` – that dynamic program compiled per shape of shift, run with numpy
- :mod:`.polish` – large teams: each agent's shifts re-chosen with their lunch and queue blocks in the loop
- :mod:`.days` – large teams: whole days re-chosen jointly (in the polish's share, by their promise)
- :mod:`.nextmove` – which the polish makes next: agent moves or a whole day (by gain per counted second)
- :mod:`.breaks` – short breaks
- :mod:`.extract` – roster rows
- :mod:`.checker` – independent check of every hard rule, from the rows alone
- :mod:`.score` – the objective recomputed from the rows: what is printed and stored
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

import pandas as pd

from scheduler.config import Config
from scheduler.coverage import scheduled_agents
from scheduler.errors import InfeasibleError
from scheduler.rostering.activities import plan_activities
from scheduler.rostering.bound_job import BoundJob
from scheduler.rostering.checker import find_violations
from scheduler.rostering.extract import ACTIVITIES, ROSTER_COLUMNS, roster_rows
from scheduler.rostering.mend import MendResult, mend
from scheduler.rostering.polish import polish
from scheduler.rostering.previous import REPLANNED_SHIFT_SHARE, apply_previous, published_plans, replanned_shifts
from scheduler.rostering.problem import SCALE, RosterProblem, build_problem, uncovered_minimums
from scheduler.rostering.republish import republish
from scheduler.rostering.score import score_roster
from scheduler.rostering.solve import (
    await_bound,
    final_seconds,
    parallel_bound,
    polish_share,
    rules_message,
    solve_problem,
    stage_budget,
)
from scheduler.team import Team

__all__ = ["ACTIVITIES", "ROSTER_COLUMNS", "RosterResult", "build_problem", "make_roster"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterResult:
    """A roster and how good it is, every figure computed from the roster written.

    ``objective`` and ``violations`` (soft-rule penalties by name, largest
    first, as ``(rule, subject, cost)``) are recomputed from the roster rows
    by :func:`~scheduler.rostering.score.score_roster`; ``best_bound`` is a
    proven lower bound on any roster's objective, ``gap`` the share between
    them. ``hard_violations`` is what the independent checker finds (empty).
    """

    roster: pd.DataFrame
    status: str
    objective: float
    best_bound: float
    gap: float
    bound_available: bool  # False: no bound proven within its share of the budget (best_bound 0, gap 100%)
    aggregate_bound: float
    first_feasible_seconds: float
    wall_seconds: float
    time_limit_seconds: float  # the budget it ran with: the team's own, or automatic (budget.py)
    understaffed_intervals: int
    understaffing_agent_hours: float
    queue_switches: int
    shifts: int
    shortest_block_minutes: float
    violations: tuple[tuple[str, str, float], ...]
    hard_violations: tuple[str, ...]
    # Small teams only: the gap of CP-SAT's shift search in its own model (lunch at the middle of
    # its window, queues split freely); a diagnostic of the search, not of the roster written.
    model_gap: float | None = None

    @property
    def hard_rule_warnings(self) -> tuple[str, ...]:
        """What a lead must be told when the written roster breaks a hard rule (empty when it keeps them).

        The shift stage meets queue minimums with its own split; the activity stage then keeps
        every hard rule it can, and where a queue minimum and the switch cap cannot both hold for
        the chosen shifts, the minimum wins. The checker finds it; the plan must say it.
        """
        if not self.hard_violations:
            return ()
        shown = "; ".join(self.hard_violations[:5])
        more = f" (and {len(self.hard_violations) - 5} more)" if len(self.hard_violations) > 5 else ""
        return (f"the written roster breaks {len(self.hard_violations)} hard rule(s): {shown}{more}",)


def _published_rows(previous: pd.DataFrame | None, problem: RosterProblem) -> pd.DataFrame | None:
    """The previous roster's shifts that start in the horizon, as roster rows (None: it plans none of its days)."""
    if previous is None or previous.empty:
        return None
    frame = previous.loc[:, list(ROSTER_COLUMNS)].copy()
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    frame["queue"] = frame["queue"].fillna("").astype(str)
    first = frame.groupby("shift_id")["start"].transform("min")
    horizon_end = problem.grid[-1] + pd.Timedelta(minutes=problem.interval_minutes)
    frame = frame[(first >= problem.grid[0]) & (first < horizon_end)]
    if frame.empty:
        return None
    return frame.sort_values(["agent_id", "start", "end"], kind="stable").reset_index(drop=True)


def _report_mending(mended: MendResult, report: Callable[[str], None]) -> None:
    """The mending's progress line, where it had something to mend."""
    if mended.broken:
        report(
            f"roster: {mended.mended} of {mended.broken} shift(s) breaking a block or switch rule mended"
            f" by choosing shifts again ({mended.seconds:.2f} s counted)"
        )


def make_roster(
    config: Config,
    team: Team,
    requirements: pd.DataFrame,
    start: dt.date,
    days: int,
    *,
    previous: pd.DataFrame | None = None,
    freeze_until: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> RosterResult:
    """Build, solve and extract a roster for ``days`` local days from ``start``.

    Raises:
        InputError: requirements or previous roster that do not fit the horizon.
        InfeasibleError: the hard rules admit no roster; the message names the
            agents and rules in conflict.
    """
    began = time.perf_counter()
    problem: RosterProblem = apply_previous(
        build_problem(config, team, requirements, start, days), previous, freeze_until
    )
    building = time.perf_counter() - began  # counted in the time to a first roster: the user waits for it too
    uncovered = uncovered_minimums(problem)
    if uncovered:
        raise InfeasibleError(rules_message(uncovered))
    report = progress or (lambda _text: None)
    # The budget, in counted seconds: the rows, score and check reserved by size; of the rest, the
    # shifts and bound (solve_problem) and then lunch and queue blocks, which get what solving left.
    # Large teams: the bound runs beside all of it on the second core, with as much budget again.
    stages = max(problem.time_limit_seconds - final_seconds(problem), 0.0)
    # Its budget: the stages' (time_limit_seconds less the rows, score and check), so that it ends
    # by the time the roster is written and checked, when make_roster waits for it: the reserve
    # is its margin for starting after the problem is built and for charges that miss its CPU.
    beside = stages
    # The first relaxation's counts (the guide) steer the descent, which waits for them; past the shift stage's
    # budget, the latest its guided sweep may end (descent.py, follow_end), they could steer nothing: the
    # descent gets None once the child is charged more (syd300 waited 70 s for counts it did not get).
    job = BoundJob(problem, beside, guide_limit=stage_budget(problem)) if parallel_bound(problem) else None
    if job is not None:
        report(f"lower bound: linear relaxations beside the search ({job.mode}), at most {beside:.1f} s")
    with job if job is not None else nullcontext():
        solution = solve_problem(problem, progress, time_limit=stage_budget(problem), bound_job=job)
        report("roster: lunch and queue blocks")
        # The polish's share (large teams) is kept from lunch and blocks, whose regrouping would use it all.
        # Large teams sweep until a sweep changes nothing and leave the rest of lunch and blocks' share
        # to the polish, not to regrouping (nor to whole days' lunches and plans, removed: measured
        # in docs/roster-history.md, "Hand-over to the blocks (session 14)").
        large = solution.models is not None
        reserved = stage_budget(problem) * polish_share(problem) if large else 0.0
        lunch_share = max(stages - solution.seconds - reserved, 0.0)
        # A kept shift's published plan stands unless changing it pays what make_roster charges below
        # for a re-planned shift (its calendar event changes).
        kept_plans = published_plans(problem, previous) if config.roster.stability_weight else {}
        charge = REPLANNED_SHIFT_SHARE * SCALE * config.roster.stability_weight
        activities = plan_activities(
            problem,
            solution.chosen,
            solution.lunch,
            solution.serve,
            lunch_share,
            regroup=not large,
            published=kept_plans,
            replan_charge=charge,
        )
        report(f"roster: lunch and queue blocks, {activities.sweeps} sweep(s), {activities.seconds:.1f} s counted")
        # Plans the activity stage had to leave breaking a rule are mended first (the polish then works
        # on a valid roster, and its plans keep the rules), and once more at the end, should any remain.
        mended = mend(problem, solution.models, solution.chosen, activities.plans)
        _report_mending(mended, report)
        plans, chosen = mended.plans, mended.chosen
        left = stages - solution.seconds - activities.seconds - mended.seconds
        if solution.models is not None and left > 0:
            polished = polish(problem, solution.models, chosen, plans, left)
            report(f"roster: shifts with their blocks, {polished.moves} move(s) in {polished.sweeps} sweep(s)")
            mended = mend(problem, solution.models, polished.chosen, polished.plans)
            _report_mending(mended, report)
            plans = mended.plans
        # The polish and the mending re-plan shifts without the charge: kept shifts go back where that pays.
        plans, restored, _seconds = republish(problem, plans, kept_plans, charge)
        if restored:
            report(f"roster: {restored} kept shift(s) back on their published plans")
        frame = roster_rows(problem, plans)
        horizon = requirements[(requirements["ds"] >= problem.grid[0]) & (requirements["ds"] <= problem.grid[-1])]
        score = score_roster(frame, team, config, horizon, start, days, previous=previous, freeze_until=freeze_until)
        hard = find_violations(frame, team, config, start, days, previous=previous)
        published = _published_rows(previous, problem)
        if published is not None and not find_violations(published, team, config, start, days, previous=previous):
            kept = score_roster(
                published, team, config, horizon, start, days, previous=previous, freeze_until=freeze_until
            )
            replanned = replanned_shifts(published, frame)
            churn = REPLANNED_SHIFT_SHARE * SCALE * config.roster.stability_weight * replanned
            if kept.objective <= score.objective + churn:
                # The published roster still keeps every rule and the new one is no better once
                # written (lunch, blocks, the shifts it moves, the plans it changes within kept shifts):
                # agents keep what they have seen.
                report(
                    f"roster: the published roster stands (objective {kept.objective:,.0f} against {score.objective:,.0f},"
                    f" which re-plans {replanned} kept shift(s))"
                )
                frame, score, hard = published, kept, []
        if solution.bound_from_job and job is not None:
            proven = await_bound(problem, job)
            solution = dataclasses.replace(
                solution, bound=proven.bound, bound_available=proven.available, aggregate_bound=proven.bound
            )
    coverage = scheduled_agents(frame, horizon, config.interval_minutes)
    short = coverage["shortfall"]
    bound = min(solution.bound, score.objective)  # 0 when no relaxation finished in its share
    gap = 0.0 if score.objective <= 0 else max(0.0, (score.objective - bound) / score.objective)
    report(f"roster: objective {score.objective:,.0f} (recomputed from the roster), bound {bound:,.0f}, gap {gap:.2%}")
    return RosterResult(
        roster=frame,
        status="OPTIMAL" if score.objective <= solution.bound + 1e-6 else "FEASIBLE",
        objective=score.objective,
        best_bound=bound,
        gap=gap,
        bound_available=solution.bound_available,
        aggregate_bound=solution.aggregate_bound,
        first_feasible_seconds=building + solution.first_feasible_seconds,
        wall_seconds=time.perf_counter() - began,
        time_limit_seconds=problem.time_limit_seconds,
        understaffed_intervals=int((short > 1e-9).sum()),
        understaffing_agent_hours=float(short.sum()) * config.interval_minutes / 60,
        queue_switches=score.switches,
        shifts=score.shifts,
        shortest_block_minutes=score.shortest_block_minutes,
        violations=score.penalties,
        hard_violations=tuple(hard),
        model_gap=None
        if solution.model_objective is None or solution.model_bound is None
        else max(0.0, (solution.model_objective - solution.model_bound) / solution.model_objective)
        if solution.model_objective > 0
        else 0.0,
    )
