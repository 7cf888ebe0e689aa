"""Named-agent rosters with OR-Tools CP-SAT.

Three steps kept apart: :func:`build_model` turns a :class:`RosterProblem`
into a CP-SAT model, :func:`solve` runs it deterministically and
:func:`extract` turns the assignment into the roster contract.

Decision variables
    ``shift[a, d, s]``  agent ``a`` works shift option ``s`` (template start
    and length) on local day ``d``; created only where the agent is available.
    ``serve[g, t, q]``  how many working agents of skill group ``g`` serve
    queue ``q`` in interval ``t``; a multi-skilled agent serves one queue at a
    time, so an agent is counted once, never in every skill.

Hard rules (each a named ``add_<rule>`` function): one shift per day, weekly
hours within the contract, max shifts per week, minimum rest between shifts,
max consecutive working days, and an agent who works serves exactly one open
queue they are skilled for. Soft rules: understaffing (heavy) and overstaffing
(light) per queue and interval.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from forecasts.grid import interval_grid, zone
from scheduler.config import Config, ShiftTemplate
from scheduler.errors import InfeasibleError, InputError
from scheduler.staffing import open_mask
from scheduler.team import Agent, Team

ROSTER_COLUMNS = ("agent_id", "queue", "activity", "start", "end", "shift_id")
# Requirements are fractional agents; the model counts in hundredths of an agent.
SCALE = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftOption:
    """One concrete shift an agent could work: a template start on a local day."""

    day_index: int
    day: dt.date
    template: str
    start: pd.Timestamp  # UTC
    end: pd.Timestamp  # UTC
    first_interval: int
    last_interval: int  # exclusive; clipped to the horizon

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterProblem:
    """Everything the roster model needs, with sorted, index-addressable data."""

    agents: tuple[Agent, ...]
    queues: tuple[str, ...]
    days: tuple[dt.date, ...]
    grid: pd.DatetimeIndex  # interval starts, UTC
    interval_minutes: int
    timezone: str
    options: tuple[ShiftOption, ...]
    required: np.ndarray  # [queue, interval] agents to schedule (fractional)
    is_open: np.ndarray  # [queue, interval] bool
    min_rest_hours: float
    max_consecutive_days: int
    understaffing_weight: int
    overstaffing_weight: int
    time_limit_seconds: float


@dataclass(slots=True)
class RosterModel:
    problem: RosterProblem
    model: cp_model.CpModel
    shift: dict[tuple[int, int], cp_model.IntVar]  # (agent, option) -> bool
    serve: dict[tuple[int, int, int], cp_model.IntVar]  # (agent, interval, queue) -> bool
    short: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    over: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    # rule name -> enforcement literal, used to explain infeasibility
    rule_literals: dict[str, cp_model.IntVar] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterResult:
    roster: pd.DataFrame
    status: str
    objective: float
    best_bound: float
    gap: float
    wall_seconds: float
    understaffed_intervals: int
    understaffing_agent_hours: float
    queue_switches: int


def build_problem(config: Config, team: Team, requirements: pd.DataFrame, start: dt.date, days: int) -> RosterProblem:
    """Assemble the roster problem for ``days`` local days from ``start``.

    Raises:
        InputError: the requirements do not cover the horizon's intervals or
            name a queue the config does not define.
    """
    grid = interval_grid(start, days, config.timezone, config.interval_minutes)
    queues = config.queue_names
    missing = [column for column in ("ds", "queue", "agents_required") if column not in requirements.columns]
    if missing:
        raise InputError(f"requirements are missing column(s) {missing}")
    unknown = sorted(set(requirements["queue"]) - set(queues))
    if unknown:
        raise InputError(f"requirements have queue(s) {unknown} with no [channels.<name>] in {config.path}")
    table = requirements.pivot_table(index="ds", columns="queue", values="agents_required", aggfunc="sum")
    table = table.reindex(index=grid, columns=list(queues))
    absent = table.index[table.isna().all(axis=1)]
    if len(absent):
        raise InputError(
            f"requirements have no rows for {len(absent)} interval(s) of the roster horizon, "
            f"first {absent[0].tz_convert(config.timezone).isoformat()}"
        )
    required = table.fillna(0.0).to_numpy(dtype=float).T
    is_open = np.vstack([open_mask(grid, config.channel(queue), config.timezone) for queue in queues])
    day_list = tuple(start + dt.timedelta(days=offset) for offset in range(days))
    return RosterProblem(
        agents=team.agents,
        queues=queues,
        days=day_list,
        grid=grid,
        interval_minutes=config.interval_minutes,
        timezone=config.timezone,
        options=tuple(_shift_options(day_list, config.roster.shifts, grid, config)),
        required=required,
        is_open=is_open,
        min_rest_hours=config.roster.min_rest_hours,
        max_consecutive_days=config.roster.max_consecutive_days,
        understaffing_weight=config.roster.understaffing_weight,
        overstaffing_weight=config.roster.overstaffing_weight,
        time_limit_seconds=config.roster.time_limit_seconds,
    )


def _shift_options(
    days: Sequence[dt.date], templates: Sequence[ShiftTemplate], grid: pd.DatetimeIndex, config: Config
) -> list[ShiftOption]:
    tz = zone(config.timezone)
    options: dict[tuple[int, pd.Timestamp, pd.Timestamp], ShiftOption] = {}
    for day_index, day in enumerate(days):
        for template in templates:
            for start_time in template.starts:
                # Shift length is absolute time: an 8 h shift across a DST change is 8 h worked.
                start = pd.Timestamp(dt.datetime.combine(day, start_time, tzinfo=tz)).tz_convert("UTC")
                end = start + pd.Timedelta(hours=template.hours)
                first = int(grid.searchsorted(start))
                last = int(grid.searchsorted(end))
                if first >= len(grid) or first == last:
                    continue
                if grid[first] != start:  # a start inside a skipped DST hour
                    continue
                key = (day_index, start, end)
                options.setdefault(
                    key,
                    ShiftOption(
                        day_index=day_index,
                        day=day,
                        template=template.name,
                        start=start,
                        end=end,
                        first_interval=first,
                        last_interval=last,
                    ),
                )
    return sorted(options.values(), key=lambda option: (option.day_index, option.start, option.end))


def _agent_may_work(agent: Agent, option: ShiftOption, problem: RosterProblem) -> bool:
    """The agent is available for the whole shift and one of their queues is open in every interval of it.

    A shift reaching into hours when none of the agent's queues is open would be
    paid time with nothing to serve, so such options are not offered.
    """
    local_start = option.start.tz_convert(problem.timezone)
    if not agent.available(option.day, local_start.time(), option.minutes):
        return False
    skills = [q for q, queue in enumerate(problem.queues) if queue in agent.channels]
    if not skills:
        return False
    return bool(problem.is_open[skills, option.first_interval : option.last_interval].any(axis=0).all())


def skill_groups(problem: RosterProblem) -> tuple[tuple[str, ...], ...]:
    """Distinct skill sets (queues an agent may serve), sorted."""
    return tuple(sorted({agent.channels for agent in problem.agents}))


def build_model(problem: RosterProblem) -> RosterModel:
    """Create variables, hard rules and the objective.

    Queue assignment is modelled per *skill group* (agents with the same set of
    queues), not per agent: ``serve[g, t, q]`` counts the group's working agents
    serving ``q`` in interval ``t``. Agents of a group are interchangeable for
    coverage, so this is exact for the coverage rules, removes a large
    symmetry and keeps the LP bound tight. :func:`extract` then hands the
    counts to named agents, keeping each on the queue they served before.
    """
    model = cp_model.CpModel()
    shift: dict[tuple[int, int], cp_model.IntVar] = {}
    for a, agent in enumerate(problem.agents):
        for o, option in enumerate(problem.options):
            if _agent_may_work(agent, option, problem):
                shift[a, o] = model.new_bool_var(f"shift[{agent.id},{option.start.isoformat()},{option.minutes}m]")
    serve: dict[tuple[int, int, int], cp_model.IntVar] = {}
    roster = RosterModel(problem=problem, model=model, shift=shift, serve=serve)
    groups = skill_groups(problem)
    for g, skills in enumerate(groups):
        members = [a for a, agent in enumerate(problem.agents) if agent.channels == skills]
        working = _working_by_interval(roster, members)
        skill_queues = [q for q, queue in enumerate(problem.queues) if queue in skills]
        for t in sorted(working):
            for q in skill_queues:
                if problem.is_open[q, t]:
                    serve[g, t, q] = model.new_int_var(0, len(members), f"serve[{'+'.join(skills)},{t},{problem.queues[q]}]")
    for add_rule in HARD_RULES:
        add_rule(roster)
    add_objective(roster)
    return roster


def _working_by_interval(roster: RosterModel, agents: Sequence[int]) -> dict[int, list[cp_model.IntVar]]:
    """Shift variables of ``agents`` that cover each interval."""
    working: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    members = set(agents)
    for (a, o), var in roster.shift.items():
        if a in members:
            option = roster.problem.options[o]
            for t in range(option.first_interval, option.last_interval):
                working[t].append(var)
    return working


def _rule_literal(roster: RosterModel, name: str) -> cp_model.IntVar:
    """Enforcement literal of a named rule instance; fixed true unless explaining infeasibility."""
    literal = roster.rule_literals.get(name)
    if literal is None:
        literal = roster.model.new_bool_var(name)
        roster.rule_literals[name] = literal
    return literal


def _agent_shifts(roster: RosterModel, a: int) -> list[tuple[int, cp_model.IntVar]]:
    return [(o, var) for (agent_index, o), var in roster.shift.items() if agent_index == a]


def _weeks(problem: RosterProblem) -> list[list[int]]:
    """Day indices grouped by ISO week (the horizon may start mid-week)."""
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, day in enumerate(problem.days):
        groups[day.isocalendar()[:2]].append(index)
    return [groups[key] for key in sorted(groups)]


def add_one_shift_per_day(roster: RosterModel) -> None:
    for a, agent in enumerate(roster.problem.agents):
        by_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for o, var in _agent_shifts(roster, a):
            by_day[roster.problem.options[o].day_index].append(var)
        literal = _rule_literal(roster, f"agent {agent.id}: one shift per day")
        for day_index in sorted(by_day):
            roster.model.add(sum(by_day[day_index]) <= 1).only_enforce_if(literal)


def add_weekly_hours(roster: RosterModel) -> None:
    problem = roster.problem
    for a, agent in enumerate(problem.agents):
        contract = agent.contract
        shifts = _agent_shifts(roster, a)
        for week in _weeks(problem):
            # A horizon covering part of a week pro-rates the weekly minimum; the
            # maximum stays whole, since the days outside the horizon are unknown.
            share = len(week) / 7
            minutes = [
                (problem.options[o].minutes, var) for o, var in shifts if problem.options[o].day_index in week
            ]
            worked = sum(length * var for length, var in minutes)
            label = problem.days[week[0]].isoformat()
            low = math.floor(contract.min_hours_per_week * share * 60)
            high = math.floor(contract.max_hours_per_week * 60)
            roster.model.add(worked >= low).only_enforce_if(
                _rule_literal(roster, f"agent {agent.id}: at least {contract.min_hours_per_week:g} h in week of {label} (contract {contract.name})")
            )
            roster.model.add(worked <= high).only_enforce_if(
                _rule_literal(roster, f"agent {agent.id}: at most {contract.max_hours_per_week:g} h in week of {label} (contract {contract.name})")
            )


def add_max_shifts_per_week(roster: RosterModel) -> None:
    problem = roster.problem
    for a, agent in enumerate(problem.agents):
        shifts = _agent_shifts(roster, a)
        for week in _weeks(problem):
            in_week = [var for o, var in shifts if problem.options[o].day_index in week]
            label = problem.days[week[0]].isoformat()
            roster.model.add(sum(in_week) <= agent.contract.max_shifts_per_week).only_enforce_if(
                _rule_literal(
                    roster,
                    f"agent {agent.id}: at most {agent.contract.max_shifts_per_week} shifts in week of {label} "
                    f"(contract {agent.contract.name})",
                )
            )


def add_min_rest(roster: RosterModel) -> None:
    problem = roster.problem
    rest = pd.Timedelta(hours=problem.min_rest_hours)
    for a, agent in enumerate(problem.agents):
        shifts = _agent_shifts(roster, a)
        literal = _rule_literal(roster, f"agent {agent.id}: {problem.min_rest_hours:g} h rest between shifts")
        for first_position, (o1, var1) in enumerate(shifts):
            first = problem.options[o1]
            for o2, var2 in shifts[first_position + 1 :]:
                second = problem.options[o2]
                if second.day_index <= first.day_index:
                    continue
                if second.start - first.end < rest:
                    roster.model.add_bool_or([var1.Not(), var2.Not(), literal.Not()])


def add_max_consecutive_days(roster: RosterModel) -> None:
    problem = roster.problem
    limit = problem.max_consecutive_days
    if limit >= len(problem.days):
        return
    for a, agent in enumerate(problem.agents):
        works_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for o, var in _agent_shifts(roster, a):
            works_day[problem.options[o].day_index].append(var)
        literal = _rule_literal(roster, f"agent {agent.id}: at most {limit} consecutive working days")
        for first in range(len(problem.days) - limit):
            window = [var for day in range(first, first + limit + 1) for var in works_day.get(day, [])]
            if window:
                roster.model.add(sum(window) <= limit).only_enforce_if(literal)


def add_serve_one_queue_while_working(roster: RosterModel) -> None:
    """Each working agent serves exactly one open queue of their skills (per skill group)."""
    problem = roster.problem
    for g, skills in enumerate(skill_groups(problem)):
        members = [a for a, agent in enumerate(problem.agents) if agent.channels == skills]
        working = _working_by_interval(roster, members)
        for t in sorted(working):
            serving = [roster.serve[g, t, q] for q in range(len(problem.queues)) if (g, t, q) in roster.serve]
            if serving:
                roster.model.add(sum(serving) == sum(working[t]))


HARD_RULES = (
    add_one_shift_per_day,
    add_weekly_hours,
    add_max_shifts_per_week,
    add_min_rest,
    add_max_consecutive_days,
    add_serve_one_queue_while_working,
)


def add_objective(roster: RosterModel) -> None:
    """Understaffing (heavy) and overstaffing (light), in hundredths of an agent per interval."""
    problem = roster.problem
    model = roster.model
    by_slot: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    for (g, t, q), var in sorted(roster.serve.items()):
        by_slot[t, q].append(var)
    for q in range(len(problem.queues)):
        for t in range(len(problem.grid)):
            need = int(round(problem.required[q, t] * SCALE))
            staff = by_slot.get((t, q), [])
            if need == 0 and not staff:
                continue
            covered = SCALE * sum(staff) if staff else 0
            short = model.new_int_var(0, need, f"short[{problem.queues[q]},{t}]")
            model.add(short >= need - covered)
            roster.short[t, q] = short
            if staff:
                over = model.new_int_var(0, SCALE * len(problem.agents), f"over[{problem.queues[q]},{t}]")
                model.add(over >= covered - need)
                roster.over[t, q] = over
    model.minimize(
        problem.understaffing_weight * sum(roster.short.values())
        + problem.overstaffing_weight * sum(roster.over.values())
    )


def _solver(problem: RosterProblem) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.random_seed = 0
    # Deterministic time (not wall time) and interleaved search: the portfolio of
    # 8 subsolvers (LP-based ones give the bound) runs in a fixed order, so the
    # same roster comes out on any machine and any load. On the example week a
    # single worker stalled at a 24% gap after 60 deterministic seconds; the
    # interleaved portfolio reached 0.15% in 5.
    params.max_deterministic_time = problem.time_limit_seconds
    params.num_workers = 8
    params.interleave_search = True
    return solver


def solve(roster: RosterModel) -> tuple[cp_model.CpSolver, int]:
    """Solve with every rule enforced; on infeasibility raise an explanation.

    Raises:
        InfeasibleError: naming the rules (and agents) that cannot all hold.
    """
    for literal in roster.rule_literals.values():
        roster.model.add(literal == 1)
    solver = _solver(roster.problem)
    status = solver.solve(roster.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver, status
    # Infeasible, or no roster found in the budget: explain by agent where a conflict can be proven.
    conflicts = agent_rule_conflicts(roster.problem)
    if conflicts:
        raise InfeasibleError("no roster satisfies the rules: " + "; ".join(conflicts))
    if status == cp_model.INFEASIBLE:
        raise InfeasibleError("the rules admit no roster, though each agent's rules hold on their own")
    raise InfeasibleError(
        f"the solver found no roster within {roster.problem.time_limit_seconds:g} s of deterministic time "
        f"(status {solver.status_name(status)}); raise roster.time_limit_seconds"
    )


def agent_rule_conflicts(problem: RosterProblem) -> list[str]:
    """Per agent, a minimal set of hard rules that cannot hold together, as readable text.

    Every hard rule concerns one agent (coverage is soft), so the rule set is
    infeasible exactly when some agent's own rules are. Each agent's model is
    tiny (their shift options and rules, no coverage). An infeasible one is
    shrunk by deletion: drop each rule in turn and keep it out if the rest is
    still infeasible; what remains is a minimal conflicting set. Solving with
    the rules fixed (rather than as assumptions) keeps presolve and the LP
    strong, so each proof takes milliseconds.
    """
    conflicts: list[str] = []
    for agent in problem.agents:
        single = dataclasses.replace(problem, agents=(agent,))
        names = sorted(build_model(single).rule_literals)
        if _rules_feasible(single, names):
            continue
        needed = list(names)
        for name in names:
            trial = [other for other in needed if other != name]
            if not _rules_feasible(single, trial):
                needed = trial
        options = sum(1 for _ in build_model(single).shift)
        limits = (
            f"{options} possible shifts within availability, time off and opening hours"
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
    return conflicts


def _rules_feasible(problem: RosterProblem, enforced: Sequence[str]) -> bool:
    """Whether the (one-agent) problem is feasible with only the ``enforced`` rules."""
    roster = build_model(problem)
    roster.model.clear_objective()
    keep = set(enforced)
    for name, literal in sorted(roster.rule_literals.items()):
        roster.model.add(literal == (1 if name in keep else 0))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = 10.0
    status = solver.solve(roster.model)
    # UNKNOWN (budget exhausted) counts as feasible: only proven conflicts are reported.
    return status != cp_model.INFEASIBLE


def _assign_queues(
    problem: RosterProblem, working: dict[int, list[int]], counts: dict[tuple[int, int], int]
) -> dict[tuple[int, int], str]:
    """Hand a skill group's per-interval queue counts to its named agents.

    Walks the intervals in order and keeps every agent on the queue they served
    in the previous interval while that queue still needs them, so shifts come
    out as a few long blocks rather than a new queue every half hour.
    """
    assignment: dict[tuple[int, int], str] = {}
    for t in sorted(working):
        remaining = {q: counts.get((t, q), 0) for q in range(len(problem.queues))}
        unassigned: list[int] = []
        for a in working[t]:
            previous = assignment.get((a, t - 1))
            q = problem.queues.index(previous) if previous else -1
            if q >= 0 and remaining.get(q, 0) > 0:
                assignment[a, t] = previous  # type: ignore[assignment]
                remaining[q] -= 1
            else:
                unassigned.append(a)
        for a in unassigned:
            q = next((q for q in sorted(remaining) if remaining[q] > 0), None)
            assignment[a, t] = problem.queues[q] if q is not None else ""
            if q is not None:
                remaining[q] -= 1
    return assignment


def extract(roster: RosterModel, solver: cp_model.CpSolver, status: int, wall_seconds: float) -> RosterResult:
    """Turn the solved model into roster rows and solution statistics."""
    problem = roster.problem
    chosen = sorted((a, o) for (a, o), var in roster.shift.items() if solver.boolean_value(var))
    queue_of: dict[tuple[int, int], str] = {}
    for g, skills in enumerate(skill_groups(problem)):
        working: dict[int, list[int]] = defaultdict(list)
        for a, o in chosen:
            if problem.agents[a].channels == skills:
                option = problem.options[o]
                for t in range(option.first_interval, option.last_interval):
                    working[t].append(a)
        counts = {(t, q): int(solver.value(var)) for (group, t, q), var in roster.serve.items() if group == g}
        queue_of.update(_assign_queues(problem, working, counts))

    rows: list[dict[str, object]] = []
    step = pd.Timedelta(minutes=problem.interval_minutes)
    switches = 0
    for a, o in chosen:
        agent = problem.agents[a]
        option = problem.options[o]
        local_start = option.start.tz_convert(problem.timezone)
        shift_id = f"{agent.id}-{option.day.isoformat()}-{local_start:%H%M}"
        blocks: list[list[object]] = []
        for t in range(option.first_interval, option.last_interval):
            queue = queue_of.get((a, t), "")
            begin = problem.grid[t]
            if blocks and blocks[-1][0] == queue:
                blocks[-1][2] = begin + step
            else:
                blocks.append([queue, begin, begin + step])
        blocks[-1][2] = min(blocks[-1][2], option.end)
        switches += len(blocks) - 1
        for queue, begin, end in blocks:
            rows.append(
                {"agent_id": agent.id, "queue": queue, "activity": "work", "start": begin, "end": end, "shift_id": shift_id}
            )
    frame = pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    frame = frame.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
    shortfall = {key: solver.value(var) for key, var in roster.short.items()}
    objective = solver.objective_value
    bound = solver.best_objective_bound
    gap = 0.0 if objective <= 0 else max(0.0, (objective - bound) / objective)
    return RosterResult(
        roster=frame,
        status=solver.status_name(status),
        objective=objective,
        best_bound=bound,
        gap=gap,
        wall_seconds=wall_seconds,
        understaffed_intervals=sum(1 for value in shortfall.values() if value > 0),
        understaffing_agent_hours=sum(shortfall.values()) / SCALE * problem.interval_minutes / 60,
        queue_switches=switches,
    )


def make_roster(config: Config, team: Team, requirements: pd.DataFrame, start: dt.date, days: int) -> RosterResult:
    """Build, solve and extract a roster for ``days`` local days from ``start``."""
    problem = build_problem(config, team, requirements, start, days)
    roster = build_model(problem)
    solver, status = solve(roster)
    return extract(roster, solver, status, solver.wall_time)
