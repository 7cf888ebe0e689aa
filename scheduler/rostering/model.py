"""The per-agent CP-SAT roster model: variables, one ``add_<rule>`` per labour rule, soft terms.

Decision variables
    ``shift[a, o]``  agent ``a`` works shift option ``o``; created only for the
    options :mod:`~scheduler.rostering.problem` allows the agent.
    ``serve[g, t, q]``  how many working agents of skill group ``g`` (agents
    with the same set of queues) serve queue ``q`` in interval ``t``. A
    multi-skilled agent serves one queue at a time, so an agent is counted
    once; agents of a group are interchangeable for coverage, which removes a
    large symmetry. Named agents get their queues after solving.

Hard rules each have an enforcement literal named after the rule and agent, so
an infeasible rule set can be explained. Soft rules add named, integer-weighted
penalty terms (:class:`SoftTerm`) that are reported after solving.

The same builder serves three uses: the full model (coverage on), the
one-agent models that explain infeasibility, and the per-class models that turn
aggregate shift counts into named shifts (coverage off, count targets on).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.config import RosterSettings
from scheduler.rostering.problem import SCALE, RosterProblem, preference_days, preference_matches, understaffing_weight

LinearExpr = cp_model.LinearExprT


@dataclass(slots=True)
class SoftTerm:
    """A named soft-rule penalty: ``weight * value`` enters the objective."""

    rule: str
    subject: str  # agent id, queue, or interval the penalty is about
    weight: int
    value: LinearExpr


@dataclass(slots=True)
class RosterModel:
    problem: RosterProblem
    agents: tuple[int, ...]  # indices into problem.agents covered by this model
    model: cp_model.CpModel
    shift: dict[tuple[int, int], cp_model.IntVar]
    works: dict[tuple[int, int], cp_model.IntVar]  # (agent, day) -> works that day
    serve: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)
    rule_literals: dict[str, cp_model.IntVar] = field(default_factory=dict)
    soft: list[SoftTerm] = field(default_factory=list)
    weekend_vars: dict[int, list[cp_model.IntVar]] = field(default_factory=dict)
    shifts_of: dict[int, list[tuple[int, cp_model.IntVar]]] = field(default_factory=dict)  # agent_shifts, cached

    def agent_shifts(self, a: int) -> list[tuple[int, cp_model.IntVar]]:
        """The agent's (option, shift variable) pairs in option order (read by several rules: listed once)."""
        if a not in self.shifts_of:
            self.shifts_of[a] = [(o, self.shift[a, o]) for o in self.problem.allowed[a] if (a, o) in self.shift]
        return self.shifts_of[a]

    def paid_minutes_by_week(self, a: int) -> list[LinearExpr]:
        """The agent's paid minutes in each of the problem's weeks (0 in a week without options, as ``sum`` gave)."""
        options, week_of = self.problem.options, {d: w for w, week in enumerate(self.problem.weeks) for d in week}
        split: list[list[tuple[int, cp_model.IntVar]]] = [[] for _ in self.problem.weeks]
        for o, var in self.agent_shifts(a):
            if options[o].day_index in week_of:
                split[week_of[options[o].day_index]].append((o, var))
        return [
            cp_model.LinearExpr.weighted_sum([v for _o, v in s], [options[o].paid_minutes for o, _v in s]) if s else 0
            for s in split
        ]

    def objective(self) -> LinearExpr:
        return sum(term.weight * term.value for term in self.soft)

    def penalise(self, rule: str, subject: str, weight: int, value: LinearExpr) -> None:
        """Add ``weight x value`` to the objective as a named soft term (the report's penalty list)."""
        self.soft.append(SoftTerm(rule=rule, subject=subject, weight=weight, value=value))


def skill_groups(problem: RosterProblem) -> tuple[tuple[str, ...], ...]:
    """Distinct skill sets (queues an agent may serve), sorted."""
    return tuple(sorted({agent.channels for agent in problem.agents}))


def rule_literal(roster: RosterModel, name: str) -> cp_model.IntVar:
    """Enforcement literal of a named rule instance (fixed true when solving normally)."""
    literal = roster.rule_literals.get(name)
    if literal is None:
        literal = roster.model.new_bool_var(name)
        roster.rule_literals[name] = literal
    return literal


def new_model(problem: RosterProblem, agents: Sequence[int] | None = None) -> RosterModel:
    """Shift variables and day indicators for ``agents`` (default: all)."""
    model = cp_model.CpModel()
    members = tuple(range(len(problem.agents))) if agents is None else tuple(agents)
    shift: dict[tuple[int, int], cp_model.IntVar] = {}
    works: dict[tuple[int, int], cp_model.IntVar] = {}
    for a in members:
        agent_id = problem.agents[a].id
        by_day = problem.options_by_day(a)
        for o in problem.allowed[a]:
            option = problem.options[o]
            shift[a, o] = model.new_bool_var(
                f"shift[{agent_id},{_option_label(option.day, option.local_start, option.template)}]"
            )
        for d in range(len(problem.days)):
            day_var = model.new_bool_var(f"works[{agent_id},{problem.days[d]}]")
            works[a, d] = day_var
            # One shift per day is structural: ``works`` is the day's shift count.
            model.add(cp_model.LinearExpr.sum([shift[a, o] for o in by_day.get(d, [])]) == day_var)
    return RosterModel(problem=problem, agents=members, model=model, shift=shift, works=works)


@functools.lru_cache(maxsize=1 << 16)
def _option_label(day: dt.date, start: dt.time, template: str) -> str:
    """An option's part of its shift variables' names (formatting the time was most of naming them)."""
    return f"{day},{start:%H%M},{template}"


# ---------------------------------------------------------------- hard rules


def _hours(minutes: int) -> str:
    """Paid minutes as a lead reads them: ``17 h 8 min`` rather than ``17.1333 h``."""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def add_weekly_hours(roster: RosterModel) -> None:
    """Paid minutes per ISO week within the contract (minimum pro-rated for leave and partial weeks)."""
    problem = roster.problem
    for a in roster.agents:
        agent = problem.agents[a]
        rules = problem.rules[a]
        paid = roster.paid_minutes_by_week(a)
        for week, (low, high, _target), worked in zip(problem.weeks, rules.week_minutes, paid, strict=True):
            label = problem.days[week[0]].isoformat()
            contract = agent.contract
            source = f"contract {contract.name}"
            if abs(low / 60 - contract.min_hours_per_week) > 0.01:
                source += f": {contract.min_hours_per_week:g} h/week pro-rated for leave and days outside the plan"
            roster.model.add(worked >= low).only_enforce_if(
                rule_literal(roster, f"agent {agent.id}: at least {_hours(low)} in week of {label} ({source})")
            )
            roster.model.add(worked <= high).only_enforce_if(
                rule_literal(
                    roster, f"agent {agent.id}: at most {_hours(high)} in week of {label} (contract {contract.name})"
                )
            )


def add_max_shifts_per_week(roster: RosterModel) -> None:
    problem = roster.problem
    for a in roster.agents:
        agent = problem.agents[a]
        limit = problem.rules[a].max_shifts_per_week
        for week in problem.weeks:
            if len(week) <= limit:
                continue
            label = problem.days[week[0]].isoformat()
            roster.model.add(sum(roster.works[a, d] for d in week) <= limit).only_enforce_if(
                rule_literal(
                    roster,
                    f"agent {agent.id}: at most {limit} shifts in week of {label} (contract {agent.contract.name})",
                )
            )


def add_min_rest(roster: RosterModel) -> None:
    """A shift and any next-day shift starting within the rest time exclude each other.

    With one shift per day, ``shift[o] + sum(conflicting next-day shifts) <= 1``
    is exact and needs one constraint per option instead of one per pair.
    """
    problem = roster.problem
    for a in roster.agents:
        agent = problem.agents[a]
        rest_minutes = problem.rules[a].min_rest_minutes
        literal = rule_literal(roster, f"agent {agent.id}: {rest_minutes / 60:g} h rest between shifts")
        by_day = problem.options_by_day(a)
        for d, today in sorted(by_day.items()):
            tomorrow = [(problem.options[o2].start_minute, roster.shift[a, o2]) for o2 in by_day.get(d + 1, [])]
            clashes: dict[int, list[cp_model.IntVar]] = {}  # by the end of rest: shifts ending alike clash alike
            for o in today:
                latest = problem.options[o].end_minute + rest_minutes
                if latest not in clashes:
                    clashes[latest] = [var for start, var in tomorrow if start < latest]
                clash = clashes[latest]
                if clash:
                    roster.model.add(cp_model.LinearExpr.sum([roster.shift[a, o], *clash]) <= 1).only_enforce_if(
                        literal
                    )


def add_max_consecutive_days(roster: RosterModel) -> None:
    """At most ``limit`` working days in any ``limit + 1``, counting the run the previous roster ends with."""
    problem = roster.problem
    horizon = len(problem.days)
    for a in roster.agents:
        limit = problem.rules[a].max_consecutive_days
        before = min(problem.worked_before.get(a, 0), limit)
        if limit >= horizon and not before:
            continue
        literal = rule_literal(roster, f"agent {problem.agents[a].id}: at most {limit} consecutive working days")
        for first in range(horizon - limit):
            window = [roster.works[a, d] for d in range(first, first + limit + 1)]
            roster.model.add(sum(window) <= limit).only_enforce_if(literal)
        # Windows that start in the worked run before the horizon: s days of it are in the window.
        for s in range(1, before + 1):
            window = [roster.works[a, d] for d in range(min(limit - s + 1, horizon))]
            if len(window) > limit - s:
                roster.model.add(sum(window) <= limit - s).only_enforce_if(literal)


def add_min_consecutive_days_off(roster: RosterModel) -> None:
    """Days off come in blocks of at least ``k``: after a worked day, a day off is followed by k-1 more.

    The previous roster's last days count: a worked day before the horizon
    starts a block if the first day is off, and a block of days off it ends
    with continues until it has ``k`` days.
    """
    problem = roster.problem
    horizon = len(problem.days)
    for a in roster.agents:
        k = problem.rules[a].min_consecutive_days_off
        if k <= 1:
            continue
        literal = rule_literal(roster, f"agent {problem.agents[a].id}: days off in blocks of at least {k}")
        works = roster.works
        for d in range(1, horizon):
            for j in range(1, k):
                if d + j >= horizon:
                    break
                # works[d-1] and not works[d]  =>  not works[d+j]
                roster.model.add_bool_or([works[a, d - 1].Not(), works[a, d], works[a, d + j].Not(), literal.Not()])
        if problem.worked_before.get(a):
            for j in range(1, min(k, horizon)):
                roster.model.add_bool_or([works[a, 0], works[a, j].Not(), literal.Not()])
        off = problem.off_before.get(a, 0)
        for d in range(min(max(k - off, 0), horizon) if off else 0):
            roster.model.add(works[a, d] == 0).only_enforce_if(literal)


def add_max_weekends(roster: RosterModel) -> None:
    problem = roster.problem
    if not problem.weekends:
        return
    for a in roster.agents:
        limit = problem.rules[a].max_weekends
        if limit >= len(problem.weekends):
            continue
        literal = rule_literal(
            roster, f"agent {problem.agents[a].id}: at most {limit} weekends worked in {len(problem.weekends)}"
        )
        worked = weekend_indicators(roster, a)
        roster.model.add(sum(worked) <= limit).only_enforce_if(literal)


def add_fixed_days(roster: RosterModel) -> None:
    """Frozen (already published) days keep the previous roster's shift or day off."""
    problem = roster.problem
    for a in roster.agents:
        for d, o in sorted(problem.fixed.get(a, {}).items()):
            literal = rule_literal(roster, f"agent {problem.agents[a].id}: frozen {problem.days[d]} kept as published")
            if o is None:
                roster.model.add(roster.works[a, d] == 0).only_enforce_if(literal)
            elif (a, o) in roster.shift:
                roster.model.add(roster.shift[a, o] == 1).only_enforce_if(literal)


HARD_RULES: tuple[Callable[[RosterModel], None], ...] = (
    add_weekly_hours,
    add_max_shifts_per_week,
    add_min_rest,
    add_max_consecutive_days,
    add_min_consecutive_days_off,
    add_max_weekends,
    add_fixed_days,
)


def weekend_indicators(roster: RosterModel, a: int) -> list[cp_model.IntVar]:
    """One bool per weekend of the horizon: the agent works on it (cached on the model)."""
    if a in roster.weekend_vars:
        return roster.weekend_vars[a]
    problem = roster.problem
    result = []
    for days in problem.weekends:
        indicator = roster.model.new_bool_var(f"weekend[{problem.agents[a].id},{problem.days[days[0]]}]")
        roster.model.add_max_equality(indicator, [roster.works[a, d] for d in days])
        result.append(indicator)
    roster.weekend_vars[a] = result
    return result


# ---------------------------------------------------------------- coverage


def add_coverage(
    roster: RosterModel, working: dict[int, dict[int, list[tuple[int, LinearExpr]]]], *, exact: bool = True
) -> None:
    """Queue assignment per skill group and the understaffing/overstaffing terms.

    Args:
        working: per group, per interval: ``(coefficient, variable)`` pairs
            whose sum is the number of the group's agents working then.
        exact: working agents must serve (full model); otherwise they may idle.
    """
    problem = roster.problem
    model = roster.model
    groups = skill_groups(problem)
    by_slot: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    for g, skills in enumerate(groups):
        skill_queues = [q for q, queue in enumerate(problem.queues) if queue in skills]
        size = sum(1 for agent in problem.agents if agent.channels == skills)
        for t, terms in sorted(working.get(g, {}).items()):
            serving = []
            for q in skill_queues:
                if problem.is_open[q, t]:
                    var = model.new_int_var(0, size, f"serve[{'+'.join(skills)},{t},{problem.queues[q]}]")
                    roster.serve[g, t, q] = var
                    serving.append(var)
                    by_slot[t, q].append(var)
            present = sum(coef * var for coef, var in terms)
            # exact: every working agent serves a queue. The relaxation lets agents idle
            # (``<=``), which keeps it a valid lower bound and makes any count feasible.
            model.add(sum(serving) == present if exact else sum(serving) <= present)
        add_secondary_skill_use(roster, g, skills)
    settings = problem.settings
    for q, queue in enumerate(problem.queues):
        for t in range(len(problem.grid)):
            need = int(round(problem.required[q, t] * SCALE))
            staff = by_slot.get((t, q), [])
            minimum = int(problem.min_agents[q, t])
            if minimum:
                literal = rule_literal(roster, f"queue {queue}: at least {minimum} agent(s) whenever open")
                model.add(sum(staff) >= minimum).only_enforce_if(literal)
            if need == 0 and not staff:
                continue
            covered = SCALE * sum(staff) if staff else 0
            label = f"{problem.grid[t].tz_convert(problem.timezone):%Y-%m-%d %H:%M}"
            # Convex: the first agent missing costs the base weight, every further one twice that.
            first = model.new_int_var(0, min(need, SCALE), f"short1[{queue},{t}]")
            rest = model.new_int_var(0, max(need - SCALE, 0), f"short2[{queue},{t}]")
            model.add(first + rest >= need - covered)
            weight = understaffing_weight(settings, bool(problem.peak[q, t]))
            roster.penalise(rule="understaffing", subject=f"{queue} {label}", weight=weight, value=first)
            if need > SCALE:
                roster.penalise(rule="understaffing", subject=f"{queue} {label}", weight=2 * weight, value=rest)
            if staff and settings.overstaffing_weight:
                over = model.new_int_var(0, SCALE * len(problem.agents), f"over[{queue},{t}]")
                model.add(over >= covered - need)
                roster.penalise(
                    rule="overstaffing", subject=f"{queue} {label}", weight=settings.overstaffing_weight, value=over
                )


def add_secondary_skill_use(roster: RosterModel, g: int, skills: tuple[str, ...]) -> None:
    """Soft: ``secondary_skill_weight`` per agent-interval a group serves a queue with a secondary skill only.

    The group's agents are interchangeable for coverage, so which of them serves
    is decided after solving, primary speakers first (:mod:`.activities`). The
    term charges what the group must serve beyond its primary speakers of the
    queue: exact when none or all of them speak it as a primary skill, a lower
    bound otherwise (the named roster is scored exactly, :mod:`.score`).
    """
    problem = roster.problem
    weight = problem.settings.secondary_skill_weight
    members = [agent for agent in problem.agents if agent.channels == skills]
    for q, queue in enumerate(problem.queues):
        helpers = sum(1 for agent in members if queue in agent.secondary_queues)
        if not weight or not helpers:
            continue
        primary = len(members) - helpers
        for t in range(len(problem.grid)):
            serve = roster.serve.get((g, t, q))
            if serve is None:
                continue
            if primary:
                beyond = roster.model.new_int_var(0, helpers, f"secondary[{'+'.join(skills)},{t},{queue}]")
                roster.model.add(beyond >= serve - primary)
                serve = beyond
            label = f"{problem.grid[t].tz_convert(problem.timezone):%Y-%m-%d %H:%M}"
            roster.penalise(rule="secondary skill", subject=f"{queue} {label}", weight=weight, value=serve)


def agent_working(roster: RosterModel, *, through_counts: bool) -> dict[int, dict[int, list[tuple[int, LinearExpr]]]]:
    """Per skill group and interval, how many of its agents work then (nominal lunch).

    With ``through_counts`` coverage goes through one count per group and
    shift option, ``staffed[g, o] = sum(shift[a, o] for a in g)``, instead of
    every agent's shift variable in every interval it covers: a shift spans 16
    intervals, so on 100 agents over 4 weeks this cuts the model from 1.5M
    terms to 668k and halves building it. The large-team path only scores a
    finished roster in this model, so that is all it needs. For the small
    teams CP-SAT searches directly, the per-agent sums search much better
    (example team: objective 4.31M and gap 0.12% against 5.19M and 17.9% in the
    same budget), so they are kept there.
    """
    problem = roster.problem
    group_of = {skills: g for g, skills in enumerate(skill_groups(problem))}
    members: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    for (a, o), var in sorted(roster.shift.items()):
        members[group_of[problem.agents[a].channels], o].append(var)
    working: dict[int, dict[int, list[tuple[int, LinearExpr]]]] = defaultdict(lambda: defaultdict(list))
    for (g, o), shift_vars in sorted(members.items()):
        option = problem.options[o]
        covered = problem.covering_intervals(o)
        if not covered:
            continue  # a frozen day's shift
        staffed: list[LinearExpr] = list(shift_vars)
        if through_counts and len(shift_vars) > 1:
            count = roster.model.new_int_var(
                0, len(shift_vars), f"staffed[{g},{option.day},{option.local_start:%H%M},{option.template}]"
            )
            roster.model.add(count == sum(shift_vars))
            staffed = [count]
        for t in covered:
            working[g][t].extend((1, var) for var in staffed)
    return working


# ---------------------------------------------------------------- soft rules


def team_weighted(
    weight_of: Callable[[RosterSettings], int],
) -> Callable[[Callable[[RosterModel, int], None]], Callable[[RosterModel], None]]:
    """A soft rule with one team-wide weight, read by ``weight_of`` and passed to the rule.

    A weight of 0 switches the rule off: it adds no variables and no terms, so
    a team that does not care about it solves the smaller model.
    """

    def decorate(rule: Callable[[RosterModel, int], None]) -> Callable[[RosterModel], None]:
        @functools.wraps(rule)
        def add_rule(roster: RosterModel) -> None:
            weight = weight_of(roster.problem.settings)
            if weight:
                rule(roster, weight)

        return add_rule

    return decorate


def add_preferences(roster: RosterModel) -> None:
    problem = roster.problem
    for a in roster.agents:
        agent = problem.agents[a]
        shifts = roster.agent_shifts(a)
        for number, preference in enumerate(agent.preferences):
            matching = [(o, var) for o, var in shifts if preference_matches(preference, problem.options[o])]
            if preference.kind == "avoid":
                for o, var in matching:
                    roster.penalise(
                        rule="undesired shift",
                        subject=f"{agent.id} {problem.options[o].day}",
                        weight=SCALE * preference.weight,
                        value=var,
                    )
                continue
            for d in preference_days(preference, problem.days):
                if problem.days[d] in agent.time_off:
                    continue  # on leave: nothing to wish for, and no cost the roster could avoid
                on_day = [var for o, var in matching if problem.options[o].day_index == d]
                missed = roster.model.new_bool_var(f"missed_preference[{agent.id},{number},{d}]")
                roster.model.add(missed + sum(on_day) >= 1)
                roster.penalise(
                    rule="preferred shift missed",
                    subject=f"{agent.id} {problem.days[d]}",
                    weight=SCALE * preference.weight,
                    value=missed,
                )


@team_weighted(lambda settings: settings.hours_weight)
def add_hours_near_target(roster: RosterModel, weight: int) -> None:
    """Paid minutes below the contract's target hours (the maximum unless stated) cost a little."""
    problem = roster.problem
    for a in roster.agents:
        agent = problem.agents[a]
        paid = roster.paid_minutes_by_week(a)
        for week, (low, _high, target), worked in zip(problem.weeks, problem.rules[a].week_minutes, paid, strict=True):
            if target <= low:
                continue
            under = roster.model.new_int_var(0, target, f"under_target[{agent.id},{week[0]}]")
            roster.model.add(under >= target - worked)
            roster.penalise(
                rule="hours below target",
                subject=f"{agent.id} week of {problem.days[week[0]]}",
                weight=weight,
                value=under,
            )


@team_weighted(lambda settings: settings.fairness_weight)
def add_fairness(roster: RosterModel, weight: int) -> None:
    """Weekends, late shifts and undesired shifts spread evenly among agents on the same contract."""
    problem = roster.problem
    by_contract: dict[str, list[int]] = defaultdict(list)
    for a in roster.agents:
        by_contract[problem.agents[a].contract.name].append(a)
    for contract, members in sorted(by_contract.items()):
        if len(members) < 2:
            continue
        counts: dict[str, list[LinearExpr]] = {"weekends": [], "late shifts": [], "undesired shifts": []}
        for a in members:
            counts["weekends"].append(sum(weekend_indicators(roster, a)) if problem.weekends else 0)
            counts["late shifts"].append(sum(var for o, var in roster.agent_shifts(a) if problem.options[o].late))
            counts["undesired shifts"].append(
                sum(
                    var
                    for o, var in roster.agent_shifts(a)
                    for preference in problem.agents[a].preferences
                    if preference.kind == "avoid" and preference_matches(preference, problem.options[o])
                )
            )
        for what, values in counts.items():
            if all(isinstance(value, int) for value in values):
                continue
            top = roster.model.new_int_var(0, len(problem.days), f"max_{what}[{contract}]")
            bottom = roster.model.new_int_var(0, len(problem.days), f"min_{what}[{contract}]")
            for value in values:
                roster.model.add(top >= value)
                roster.model.add(bottom <= value)
            spread = roster.model.new_int_var(0, len(problem.days), f"spread_{what}[{contract}]")
            roster.model.add(spread == top - bottom)
            roster.penalise(rule=f"uneven {what}", subject=f"contract {contract}", weight=SCALE * weight, value=spread)


@team_weighted(lambda settings: settings.stability_weight)
def add_stability(roster: RosterModel, weight: int) -> None:
    """Each agent-day whose shift differs from the previous roster costs ``stability_weight``."""
    problem = roster.problem
    if not problem.previous:
        return
    for a in roster.agents:
        agent = problem.agents[a]
        for d, o in sorted(problem.previous.get(a, {}).items()):
            if o is None:
                changed: LinearExpr = roster.works[a, d]
            elif o >= 0 and (a, o) in roster.shift:
                changed = 1 - roster.shift[a, o]
            else:
                changed = 1  # the previous shift cannot be reproduced
            roster.penalise(
                rule="changed shift", subject=f"{agent.id} {problem.days[d]}", weight=SCALE * weight, value=changed
            )


SOFT_RULES: tuple[Callable[[RosterModel], None], ...] = (
    add_preferences,
    add_hours_near_target,
    add_fairness,
    add_stability,
)


def build_full_model(
    problem: RosterProblem, *, coverage: bool = True, agents: Sequence[int] | None = None, through_counts: bool = False
) -> RosterModel:
    """The per-agent model: hard rules, coverage (optional) and soft rules, objective set.

    ``through_counts``: coverage through per-group shift counts (see :func:`agent_working`).
    """
    roster = new_model(problem, agents)
    for add_rule in HARD_RULES:
        add_rule(roster)
    if coverage:
        add_coverage(roster, agent_working(roster, through_counts=through_counts))
    for add_soft in SOFT_RULES:
        add_soft(roster)
    roster.model.minimize(roster.objective())
    return roster


def evaluate(terms: Iterable[SoftTerm], value: Callable[[LinearExpr], float]) -> list[tuple[str, str, float]]:
    """Violated soft rules as ``(rule, subject, cost)``, one per rule and subject, largest cost first."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for term in terms:
        amount = value(term.value) if not isinstance(term.value, int | float) else float(term.value)
        if amount > 0:
            totals[term.rule, term.subject] += term.weight * amount
    return sorted(
        ((rule, subject, cost) for (rule, subject), cost in totals.items()),
        key=lambda item: (-item[2], item[0], item[1]),
    )
