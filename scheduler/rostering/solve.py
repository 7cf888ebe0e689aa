"""Solving the roster: agent-by-agent descent, a proven lower bound, the full model where it pays.

The whole roster stage lives within ``time_limit_seconds`` of *counted*
work: CP-SAT's and GLOP's deterministic time and counts of the Python work
(model building, bookkeeping, dynamic-program steps, rows checked), each
calibrated to CPU seconds on the 2-core benchmark machine. So the result is
the same on any machine and under any load, and the CPU time tracks the
budget (wall time too, on a machine that is not shared). The budget is
split so:

0. :func:`final_seconds` is reserved first, by the problem's size, for its
   building, the rows, their score and the independent check; :data:`ACTIVITY_SHARE` of the
   rest for lunch and queue blocks (:mod:`.activities`, in ``make_roster``),
   which also gets whatever solving leaves. Their first sweep always completes; where it is
   charged more than that share (15-minute grids with several queues an agent: many shapes of
   shift, each program compiled), the descent leaves it what it needs, read from the roster
   construction built (:func:`shift_stage_end`).
1. :func:`~scheduler.rostering.descent.descend` builds a roster agent by
   agent: a valid one first (one solve per class of identical agents, a few
   agents re-placed until every queue minimum holds), then ever better,
   within its share of :data:`SHARES` (large teams: all but
   :func:`polish_share`, kept for :mod:`.polish` after lunch and blocks; its
   first round of whole days may go on into that share as long as the polish
   keeps what the descent's last plain sweep was charged).
2. Small problems (up to ``DIRECT_MAX_AGENT_DAYS``): CP-SAT also searches the
   full model (lunch at the middle of its window), the descent's roster scored
   in the same model is the fallback and the better one wins. CP-SAT's own
   bound holds for the roster written only where no lunch can move (lunches
   are placed afterwards); otherwise it is reported as the search's
   diagnostic (``model_objective``/``model_bound``). Larger teams keep the
   descent's roster; should it miss a hard
   queue minimum, the full model searches instead.
3. The proven lower bound (:func:`~scheduler.rostering.bound.lower_bound`:
   linear relaxations over shift counts per class of interchangeable agents,
   per week, the largest kept). Large teams (:func:`parallel_bound`): beside
   the search on the second core (:mod:`.bound_job`), from the moment the
   problem is built, with a budget of its own as large as the roster stage's,
   so the search keeps the whole of its budget; ``make_roster`` waits for it
   once the roster is written. Small teams: within what the descent left (at
   least :data:`BOUND_SHARE`), CP-SAT's search using both cores. Nothing
   proven in its budget: the bound is 0 (reported as unavailable).

The floor: a valid first roster, one sweep of lunch and blocks, the rows,
score and check always complete, whatever the budget (at 500 agents over 4
weeks about 6 s of CPU).

Every solve uses a fixed seed, deterministic time limits and, with several
workers, interleaved search, so the roster is the same on any machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.errors import InfeasibleError, NoSolutionError
from scheduler.rostering.activities import floor_seconds
from scheduler.rostering.bound import Proven, lower_bound
from scheduler.rostering.bound_job import BoundJob
from scheduler.rostering.descent import AgentModels, DescentResult, descend
from scheduler.rostering.model import RosterModel, build_full_model
from scheduler.rostering.problem import RosterProblem
from scheduler.rostering.sat import make_solver

# Up to this many agent-days the full model is also searched directly: CP-SAT closes small
# gaps itself (example team, 10 agents x 7 days). Beyond, the descent wins: 25 agents x 28 days
# 1.97% in 8.5 s against 1.92% in 17 s with a first roster only after 12 s; 40 x 28: 1.27% in
# 19 s against 68% in 57 s.
DIRECT_MAX_AGENT_DAYS = 140
# Shares of the stage budget (what ``time_limit_seconds`` leaves after the rows, score and check
# are reserved, see :func:`final_seconds`), in counted seconds. Lunch and queue blocks get
# ACTIVITY_SHARE; of the rest, the descent gets its share and the bound all it leaves (small
# teams: the search its share and the bound the rest).
ACTIVITY_SHARE = 0.12
SHARES = {
    "direct": {"descent": 0.2, "search": 0.6},
    "descent": {"descent": 1.0, "search": 0.0},  # the bound's use counted in it
}
BOUND_SHARE = 0.2  # the least the bound gets (small teams)
# Large teams: kept from the descent for the polish (:mod:`.polish`), which re-chooses shifts with
# their lunch and queue blocks in the loop after the activity stage (and gets what it leaves):
# agent moves and whole days, each by what it gains per counted second. Half: the descent's last
# sweeps gain less per second than the polish's days (100 agents, 4 weeks, binding skills: the
# descent's fourth sweep about 40k per second, a day re-chosen jointly 100-250k; docs/roster-history.md
# has the shares measured). With the bound inside the budget (one core) the descent pays for the
# bound too, so the polish keeps a quarter there.
POLISH_SHARE = 0.5
POLISH_SHARE_BOUND_INSIDE = 0.25
# ... but the descent keeps at least what its construction and first sweep take (about 4.4 ms of
# CPU per agent-day at 100 agents over 4 weeks, binding skills), up to 1 - POLISH_SHARE_BOUND_INSIDE:
# the polish's moves pay only on a roster the descent has swept once (on a budget too small for
# that, such as the example team's week at 1 s, a larger polish share wrote worse rosters).
DESCENT_SECONDS_PER_AGENT_DAY = 4e-3
# Large teams without a bound beside the search (``solve_problem`` called alone, not through
# ``make_roster``): the most the bound may use; it runs after the first roster and the descent
# goes on with whatever it leaves.
BOUND_LIMIT = 0.5
# Seconds reserved per agent-day of the horizon for writing the rows, scoring and checking the
# roster and its coverage table: counted from the problem's size before solving (measured on the
# benchmark machine, 500 agents over 4 weeks: 1.75 s of CPU with plain 8-hour shifts, 5.2 s with
# lunch and two breaks per shift; 100 agents: 0.6-1.14 s, the upper end with an hour's lunch and two
# breaks, session 12; the reserve takes the upper ends).
FINAL_SECONDS_PER_AGENT_DAY = 4.2e-4
# The problem's building, before any stage runs (agents' shift options within their availability,
# demand): counted too, so that time_limit_seconds bounds the whole of make_roster. About 1.2 us per
# (agent, option) allowed plus a fixed 0.03 s (100 agents over 4 weeks: 69k-82k allowed, 0.13-0.15 s
# of CPU; 500 agents: 374k-378k, 0.44-0.47 s; session 12, load 4).
BUILD_SECONDS = 0.05
BUILD_SECONDS_PER_ALLOWED = 1.3e-6


def polish_share(problem: RosterProblem, budget: float | None = None) -> float:
    """The share of the shift stage's ``budget`` (default :func:`stage_budget`) kept for the polish.

    Large teams: :data:`POLISH_SHARE` with the bound beside the search, less where the descent's
    floor (:data:`DESCENT_SECONDS_PER_AGENT_DAY`) needs more, never below
    :data:`POLISH_SHARE_BOUND_INSIDE`, which is the share with the bound inside the budget.
    """
    if not parallel_bound(problem):
        return POLISH_SHARE_BOUND_INSIDE
    budget = stage_budget(problem) if budget is None else budget
    if budget <= 0:
        return POLISH_SHARE_BOUND_INSIDE
    floor = DESCENT_SECONDS_PER_AGENT_DAY * len(problem.agents) * len(problem.days)
    return min(POLISH_SHARE, max(POLISH_SHARE_BOUND_INSIDE, 1 - floor / budget))


def final_seconds(problem: RosterProblem) -> float:
    """The budget reserved outside the stages: the problem's building, the roster's rows, score and check.

    The rows' share twice over a previous roster: the published roster is checked and scored too
    (``make_roster``). The building has happened by the time this is read; it is counted all the same.
    """
    rows = FINAL_SECONDS_PER_AGENT_DAY * len(problem.agents) * len(problem.days) * (2 if problem.previous else 1)
    return rows + BUILD_SECONDS + BUILD_SECONDS_PER_ALLOWED * sum(len(options) for options in problem.allowed)


@dataclass(frozen=True, slots=True, kw_only=True)
class Solution:
    chosen: tuple[tuple[int, int], ...]  # (agent, option) worked, sorted
    lunch: dict[tuple[int, int], int | None]  # lunch start per chosen shift, as ``serve`` counts it
    # The shift stage's own figures where CP-SAT searched (small teams): lunch at the middle of
    # its window, queues split freely. A diagnostic of the search, not of the roster written.
    model_objective: float | None
    model_bound: float | None
    serve: dict[tuple[int, int, int], int]  # (skill group, interval, queue) -> agents serving
    bound: float  # proven lower bound on the objective; 0 when none was proven in its share
    bound_available: bool
    aggregate_bound: float
    first_feasible_seconds: float
    wall_seconds: float
    seconds: float = 0.0  # budget charged (counted: deterministic)
    # Large teams: the descent's agent models, for the polish after lunch and blocks (:mod:`.polish`).
    models: AgentModels | None = None
    # The bound is the job's (:mod:`.bound_job`), awaited by the caller: ``bound`` is 0 until then.
    bound_from_job: bool = False


class _ProgressReporter(cp_model.CpSolverSolutionCallback):
    """Passes each improving solution's objective, bound and gap to a progress callback."""

    def __init__(self, progress: Callable[[str], None], stage: str) -> None:
        super().__init__()
        self._progress = progress
        self._stage = stage

    def on_solution_callback(self) -> None:
        objective, bound = self.objective_value, self.best_objective_bound
        gap = 0.0 if objective <= 0 else max(0.0, (objective - bound) / objective)
        self._progress(f"{self._stage}: objective {objective:,.0f}, bound {bound:,.0f}, gap {gap:.1%}")


def parallel_bound(problem: RosterProblem) -> bool:
    """Whether the bound runs beside the search (:mod:`.bound_job`) rather than inside its budget.

    Large teams: the descent is single-threaded and the bound needs a core's
    worth of GLOP. Small teams keep it in the budget: CP-SAT searches with
    several workers and the bound takes a second or less. ``roster.workers
    = 1`` keeps it in the budget for every team (one core).
    """
    return problem.settings.workers > 1 and len(problem.agents) * len(problem.days) > DIRECT_MAX_AGENT_DAYS


def solve_problem(
    problem: RosterProblem,
    progress: Callable[[str], None] | None = None,
    *,
    time_limit: float | None = None,
    bound_job: BoundJob | None = None,
) -> Solution:
    """Choose the shifts and prove a bound within ``time_limit`` counted seconds.

    Args:
        progress: called with a one-line status (stage, objective, bound, gap)
            whenever the solver improves; for a terminal display.
        time_limit: this stage's budget; default: ``settings.time_limit_seconds``
            less what :func:`make_roster` keeps for the other stages.
        bound_job: the bound computed beside the search (large teams, see
            :func:`parallel_bound`): the whole budget goes to the search and
            the returned solution's bound is the job's (``bound_from_job``;
            the caller waits for it once the roster is written).

    Raises:
        InfeasibleError: naming the agents and rules that cannot all hold.
        NoSolutionError: no roster found within the budget, no conflict proven.
    """
    started = time.perf_counter()
    report = progress or (lambda _text: None)
    budget = stage_budget(problem) if time_limit is None else time_limit
    first_feasible = float("nan")

    def mark_first_feasible() -> None:
        nonlocal first_feasible
        first_feasible = time.perf_counter() - started

    direct = len(problem.agents) * len(problem.days) <= DIRECT_MAX_AGENT_DAYS
    shares = SHARES["direct" if direct else "descent"]
    proven: list[tuple[float, bool, float]] = []

    def prove(bound_budget: float) -> float:
        report(f"lower bound: linear relaxations, at most {bound_budget:.1f} s")
        try:
            result = lower_bound(problem, bound_budget)
        except InfeasibleError:
            raise InfeasibleError(explain(problem, "the rules admit no roster")) from None
        proven.append((result.bound, result.available, result.seconds))
        return result.seconds

    def await_job(job: BoundJob) -> None:
        result = await_bound(problem, job)
        proven.append((result.bound, result.available, 0.0))

    report("roster: agent-by-agent descent")
    if direct:
        # The full model scores the descent's roster with lunch at the middle of its window.
        descent = descend(
            problem, budget * shares["descent"], report, on_first_feasible=mark_first_feasible, move_lunch=False
        )
    else:
        # The bound runs beside the search (bound_job), or once the first roster exists, the descent
        # continuing with what it leaves.
        descent = descend(
            problem,
            budget * (1 - (polish_share(problem, budget) if bound_job is not None else POLISH_SHARE_BOUND_INSIDE)),
            report,
            on_first_feasible=mark_first_feasible,
            between=None if bound_job is not None else lambda: prove(budget * BOUND_LIMIT),
            guide=bound_job.guide if bound_job is not None else None,  # the relaxation's counts steer it
            whole_days=True,
            # Its first round of whole days may go on into the polish's share, leaving it a sweep's charge.
            first_days_limit=budget if bound_job is not None else None,
            stage_end=lambda shifts: shift_stage_end(problem, budget, shifts),
        )
    if descent is None:  # some agent got no shifts: a conflict in their rules, or a hard model
        conflicts = agent_rule_conflicts(problem)
        if conflicts:
            raise InfeasibleError(rules_message(conflicts))
    spent = descent.seconds if descent is not None else budget * shares["descent"]
    from_job = bound_job is not None and descent is not None and not direct and descent.missing_minimum == 0
    if bound_job is not None and not from_job:
        await_job(bound_job)  # the full model searches: its bound is compared with the relaxation's
    if not proven and not from_job:
        # Small teams (or no first roster): the bound gets what the descent and the search's share
        # leave, and at least its own share should the first roster have taken more.
        spent += prove(max(budget - spent - budget * shares["search"], budget * BOUND_SHARE))
    lower, available, _charged = proven[-1] if proven else (0.0, False, 0.0)

    if descent is not None and not direct and descent.missing_minimum == 0:
        # Large teams: the descent's roster, its queue split and the lunches it placed.
        chosen = tuple(sorted(descent.chosen))
        served = descent.served
        return Solution(
            chosen=chosen,
            lunch={key: descent.lunch[key] for key in chosen},
            model_objective=None,
            model_bound=None,
            serve={(int(g), int(t), int(q)): int(served[g, q, t]) for g, q, t in zip(*served.nonzero(), strict=True)},
            bound=lower,
            bound_available=available,
            aggregate_bound=lower,
            bound_from_job=from_job,
            first_feasible_seconds=first_feasible,
            wall_seconds=time.perf_counter() - started,
            seconds=spent,
            models=descent.models,
        )

    roster = build_full_model(problem, through_counts=not direct)
    for literal in roster.rule_literals.values():
        roster.model.add(literal == 1)
    search_budget = budget * (shares["search"] or shares["descent"] / 2)
    solver: cp_model.CpSolver | None = None
    bound = model_bound = lower
    if descent is not None and descent.missing_minimum == 0:
        solver = score(roster, descent, budget)
    if solver is None or direct:
        # Small teams: CP-SAT searches the full model itself (from scratch: handed the descent's
        # roster as a hint it did worse, 4.39% against 0.12% on the example) and proves its own
        # bound; the descent's roster stays the answer should the search do worse.
        roster.model.clear_hints()
        polish = make_solver(search_budget)
        report("roster model: searching")
        status = polish.solve(roster.model, _ProgressReporter(report, "roster") if progress else None)
        if status == cp_model.INFEASIBLE:
            raise InfeasibleError(explain(problem, "the rules admit no roster"))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            model_bound = max(bound, polish.best_objective_bound)
            # The model puts lunch at the middle of its window; the roster may move it, so
            # CP-SAT's bound holds for the roster written only when no lunch can move.
            if all(len(option.lunch_starts) <= 1 for option in problem.options):
                bound, available = model_bound, True
            if solver is None or polish.objective_value <= solver.objective_value:
                solver = polish
    if solver is None:
        # Objective-driven search found nothing: find any roster first, then improve it.
        solver = optimise_from_feasible(roster.model, roster.objective(), search_budget)
    if solver is None:
        conflicts = agent_rule_conflicts(problem)
        if conflicts:
            raise InfeasibleError(rules_message(conflicts))
        raise NoSolutionError(
            f"no roster found within {budget:g} s of deterministic time and no rule conflict was proven; "
            "raise roster.time_limit_seconds (or --time-limit)"
        )
    if first_feasible != first_feasible:  # NaN: the full model found the first roster
        first_feasible = time.perf_counter() - started
    chosen = tuple(sorted(key for key, var in roster.shift.items() if solver.boolean_value(var)))
    lunch = {key: problem.options[key[1]].nominal_lunch for key in chosen}
    report(f"roster model: objective {solver.objective_value:,.0f}, bound {bound:,.0f}")
    return Solution(
        chosen=chosen,
        lunch=lunch,
        model_objective=solver.objective_value if direct else None,
        model_bound=model_bound if direct else None,
        serve={key: int(solver.value(var)) for key, var in roster.serve.items()},
        bound=bound,
        bound_available=available,
        aggregate_bound=lower,
        first_feasible_seconds=first_feasible,
        wall_seconds=time.perf_counter() - started,
        seconds=budget,  # the search and scoring solves are charged their full limits
    )


def await_bound(problem: RosterProblem, job: BoundJob) -> Proven:
    """The bound computed beside the search, once it is done.

    Raises:
        InfeasibleError: the rules admit no roster (explained per agent).
    """
    try:
        return job.result()
    except InfeasibleError:
        raise InfeasibleError(explain(problem, "the rules admit no roster")) from None


def shift_stage_end(problem: RosterProblem, budget: float, shifts: Sequence[tuple[int, int]]) -> float:
    """The most the shift stage may be charged with these shifts worked.

    ``budget`` is the shift stage's (:func:`stage_budget`), beside which lunch and queue blocks keep
    :data:`ACTIVITY_SHARE` of the stages. Their first sweep always completes (:mod:`.activities`); where
    it is charged more than that share (15-minute grids, several queues an agent: the programs of many
    shapes of shift compiled), the shift stage leaves it what it needs
    (:func:`~scheduler.rostering.activities.floor_seconds`), so that ``time_limit_seconds`` bounds the whole.
    Elsewhere the end is ``budget``, as before. Reading the floor is charged where it binds (kept from
    the shift stage with the floor); elsewhere its few hundredths of a second fall in the activity
    stage's slack, so that a roster within its budget stays the same to the unit.
    """
    floor, reading = floor_seconds(problem, shifts)
    return min(budget, budget / (1 - ACTIVITY_SHARE) - floor - reading)


def stage_budget(problem: RosterProblem) -> float:
    """What :func:`solve_problem` may use of ``time_limit_seconds``: all but the final and activity shares."""
    return max(problem.time_limit_seconds - final_seconds(problem), 0.0) * (1 - ACTIVITY_SHARE)


def score(roster: RosterModel, descent: DescentResult, budget: float) -> cp_model.CpSolver | None:
    """The full model's exact objective for the descent's roster (shifts and queue split fixed).

    Fairness and every soft term come out of the full model, so the objective
    is the real one. None when the roster misses a hard queue minimum.
    """
    roster.model.clear_hints()
    for key, var in roster.shift.items():
        roster.model.add_hint(var, descent.chosen.get(key, 0))
    for (g, t, q), var in roster.serve.items():
        roster.model.add_hint(var, int(descent.served[g, q, t]))
    scorer = make_solver(budget * 0.05 + 0.5, workers=1)  # everything fixed: one worker is fastest
    scorer.parameters.fix_variables_to_their_hinted_value = True
    if scorer.solve(roster.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return scorer
    roster.model.clear_hints()
    return None


def optimise_from_feasible(
    model: cp_model.CpModel, objective: cp_model.LinearExprT, time_limit: float, *, workers: int = 8
) -> cp_model.CpSolver | None:
    """Find any solution first, then minimise ``objective`` starting from it.

    Objective-driven search on these models can spend its whole budget without
    a first solution, while plain feasibility takes milliseconds; the feasible
    solution becomes a complete hint for the optimisation.
    """
    model.clear_objective()
    model.clear_hints()
    # Plain feasibility takes milliseconds, but a tiny budget must not make it fail.
    starter = make_solver(max(time_limit * 0.3, 0.5), workers=1)
    if starter.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    for index in range(len(model.proto.variables)):
        var = model.get_int_var_from_proto_index(index)
        model.add_hint(var, starter.value(var))
    model.minimize(objective)
    solver = make_solver(time_limit * 0.7, workers=workers)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return solver


def explain(problem: RosterProblem, fallback: str) -> str:
    conflicts = agent_rule_conflicts(problem)
    if conflicts:
        return rules_message(conflicts)
    return fallback


def rules_message(conflicts: list[str]) -> str:
    """One conflict on one line; several as a short list, one (rule, agent, days) per line (the CLI prints it so)."""
    if len(conflicts) == 1:
        return f"no roster satisfies the rules: {conflicts[0]}"
    return "\n".join([f"no roster satisfies the rules of {len(conflicts)} agents or queues:", *conflicts])


def agent_rule_conflicts(problem: RosterProblem) -> list[str]:
    """Per agent, a minimal set of hard rules that cannot hold together, as readable text.

    Every hard rule but the queue minimums concerns one agent, so a rule set is
    infeasible when some agent's own rules are. Each one-agent model is tiny.
    An infeasible one is shrunk by deletion: drop each rule in turn and keep it
    out if the rest is still infeasible; what remains is a minimal conflicting
    set. Solving with the rules fixed (not as assumptions) keeps presolve and
    the LP strong, so each proof takes milliseconds.
    """
    conflicts: list[str] = []
    for a, agent in enumerate(problem.agents):
        names = sorted(build_full_model(problem, coverage=False, agents=(a,)).rule_literals)
        if _rules_feasible(problem, a, names):
            continue
        needed = list(names)
        for name in names:
            trial = [other for other in needed if other != name]
            if not _rules_feasible(problem, a, trial):
                needed = trial
        options = len(problem.allowed[a])
        limits = (
            f"{options} possible shifts within availability, time off and opening hours, one a day"
            if options
            else "no possible shift at all within availability, time off and opening hours"
        )
        rules = [name.removeprefix(f"agent {agent.id}: ") for name in needed]
        if len(rules) == 1:
            text = f"{rules[0]} cannot be met"
        elif rules:
            text = f"{rules[0]} conflicts with " + " and ".join(rules[1:])
        else:
            text = "no shift assignment satisfies the contract"
        conflicts.append(f"agent {agent.id}: {text} ({limits})")
    if not conflicts:
        conflicts.extend(_minimum_conflicts(problem))
    return conflicts


def _rules_feasible(problem: RosterProblem, agent: int, enforced: Sequence[str]) -> bool:
    roster = build_full_model(problem, coverage=False, agents=(agent,))
    roster.model.clear_objective()
    keep = set(enforced)
    for name, literal in sorted(roster.rule_literals.items()):
        roster.model.add(literal == (1 if name in keep else 0))
    solver = make_solver(10.0, workers=1)
    # UNKNOWN (budget exhausted) counts as feasible: only proven conflicts are reported.
    return solver.solve(roster.model) != cp_model.INFEASIBLE


def _minimum_conflicts(problem: RosterProblem) -> list[str]:
    """Queue minimums no agent can meet: open intervals where no skilled agent has any shift."""
    messages = []
    for q, queue in enumerate(problem.queues):
        needed = problem.min_agents[q] > 0
        if not needed.any():
            continue
        coverable = [False] * len(problem.grid)
        for a, agent in enumerate(problem.agents):
            if queue not in agent.channels:
                continue
            for o in problem.allowed[a]:
                option = problem.options[o]
                for t in range(option.first_interval, option.last_interval):
                    coverable[t] = True
        gaps = [t for t in range(len(problem.grid)) if needed[t] and not coverable[t]]
        if gaps:
            first = problem.grid[gaps[0]].tz_convert(problem.timezone)
            messages.append(
                f"queue {queue}: at least {int(problem.min_agents[q, gaps[0]])} agent(s) whenever open cannot be met: "
                f"no agent can work {queue} at {first:%Y-%m-%d %H:%M} ({len(gaps)} such intervals)"
            )
    if not messages:
        messages.extend(_minimum_conflicts_together(problem))
    return messages


def _minimum_conflicts_together(problem: RosterProblem) -> list[str]:
    """Queue minimums each interval of which someone could cover, but not all of them at once.

    A minimum is named when the roster becomes feasible without it (the
    agents' own rules are feasible, see :func:`agent_rule_conflicts`).
    """
    everything = build_full_model(problem)
    everything.model.clear_objective()
    for literal in everything.rule_literals.values():
        everything.model.add(literal == 1)
    if make_solver(10.0).solve(everything.model) != cp_model.INFEASIBLE:
        return []  # not proven infeasible (or a roster exists): no conflict to name
    names = sorted(name for name in everything.rule_literals if name.startswith("queue "))
    messages = []
    for name in names:
        roster = build_full_model(problem)
        roster.model.clear_objective()
        for other, literal in sorted(roster.rule_literals.items()):
            roster.model.add(literal == (0 if other == name else 1))
        if make_solver(10.0).solve(roster.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            messages.append(
                f"{name} cannot be met: the agents' shifts, availability and contracts leave open intervals uncovered"
            )
    return messages
