"""What each agent may do on one day with its other days fixed: its options, whether it may rest, their costs.

The whole days of the polish (:mod:`.days`) and of the descent (:mod:`.freedays`)
re-choose every agent's shift on one day jointly; both take each agent's
choices that day from here: the options its rules allow given its other days
(rest to the shifts of the day before and after, weekly paid minutes and shift
count, consecutive days, weekends, days off in blocks), and what each choice
costs it (hours below target, preferences), as the objective charges them.
"""

from __future__ import annotations

from collections import defaultdict

from scheduler.rostering.problem import SCALE, RosterProblem, preference_days, preference_matches

# Seconds of budget charged per agent option weighed for a day (calibrated with :mod:`.days`' charges).
SECONDS_PER_OPTION = 2e-6


class DayRules:
    """What each agent may do on one day with its other days fixed: its options, whether it may rest, their costs.

    ``shift_on`` maps ``(agent, day)`` to the option worked; the caller keeps it up to date.
    Shared by the polish's whole days (:class:`~.days.DayMoves`) and the descent's (:mod:`.freedays`).
    """

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = problem
        self.week_of = {d: w for w, days in enumerate(problem.weeks) for d in days}
        self.on_day: list[dict[int, list[int]]] = []  # per agent: day -> its options that day
        for a in range(len(problem.agents)):
            by_day: dict[int, list[int]] = defaultdict(list)
            for o in problem.allowed[a]:
                by_day[problem.options[o].day_index].append(o)
            self.on_day.append(by_day)
        self.seconds = 0.0
        # Agents kept as they are: what this model does not price or check exactly (a secondary
        # skill's cost depends on the plan an agent follows, not only on its shift).
        self.kept = {
            a
            for a, agent in enumerate(problem.agents)
            if agent.secondary_queues or problem.fixed.get(a) or problem.previous.get(a)
        }
        # Per agent, its preferences and the days a preferred shift is missed on if not worked.
        self.wishes = [
            [(preference, set(preference_days(preference, problem.days))) for preference in agent.preferences]
            for agent in problem.agents
        ]
        self.shift_on: dict[tuple[int, int], int] = {}

    def choices(self, a: int, d: int) -> tuple[list[int], bool, dict[int | None, int]]:
        """Agent ``a``'s options on day ``d`` within its rules given its other days, whether it may rest,
        and the hours-below-target cost of each choice."""
        problem = self.problem
        current = self.shift_on.get((a, d))
        if a in self.kept:
            return ([current] if current is not None else []), current is None, {current: 0}
        rules = problem.rules[a]
        week = self.week_of[d]
        low, high, target = rules.week_minutes[week]
        other = [self.shift_on[a, day] for day in problem.weeks[week] if day != d and (a, day) in self.shift_on]
        minutes = sum(problem.options[o].paid_minutes for o in other)
        before, after = self.shift_on.get((a, d - 1)), self.shift_on.get((a, d + 1))
        left = 0
        while (a, d - 1 - left) in self.shift_on:
            left += 1
        if left == d:
            left += problem.worked_before.get(a, 0)
        right = 0
        while (a, d + 1 + right) in self.shift_on:
            right += 1
        weekend = next((days for days in problem.weekends if d in days), None)
        others = sum(1 for days in problem.weekends if days != weekend and any((a, x) in self.shift_on for x in days))
        weekend_taken = weekend is not None and any((a, x) in self.shift_on for x in weekend if x != d)
        may_work = len(other) + 1 <= rules.max_shifts_per_week and left + 1 + right <= rules.max_consecutive_days
        if weekend is not None and not weekend_taken and others + 1 > rules.max_weekends:
            may_work = False
        weight = problem.settings.hours_weight if target > low else 0

        def hours(paid: int) -> int:
            return weight * max(target - minutes - paid, 0)

        options = []
        for o in self.on_day[a].get(d, ()) if may_work else ():
            option = problem.options[o]
            if not low <= minutes + option.paid_minutes <= high:
                continue
            if before is not None and option.start_minute < problem.options[before].end_minute + rules.min_rest_minutes:
                continue
            if after is not None and problem.options[after].start_minute < option.end_minute + rules.min_rest_minutes:
                continue
            options.append(o)
        self.seconds += SECONDS_PER_OPTION * len(self.on_day[a].get(d, ()))
        if current is not None and current not in options:  # the day as it is stays possible
            options.append(current)
        may_rest = low <= minutes <= high or current is None
        # Changing whether the day is worked must keep the days off in blocks of their length.
        if rules.min_consecutive_days_off > 1 and not self._days_off_hold(a, d, working=current is None):
            if current is None:
                options = []
            else:
                may_rest = False
        costs: dict[int | None, int] = {o: hours(problem.options[o].paid_minutes) for o in options}
        costs[None] = hours(0)
        self._price_preferences(a, d, costs)
        return options, may_rest, costs

    def _price_preferences(self, a: int, d: int, costs: dict[int | None, int]) -> None:
        """Add each choice's preference cost as the objective charges it (``score.py``)."""
        problem = self.problem
        for preference, days in self.wishes[a]:
            avoid = preference.kind == "avoid"
            if not avoid and d not in days:
                continue
            for o in costs:
                # An avoided shift costs when worked; a preferred one when the day's choice is not one.
                if (o is not None and preference_matches(preference, problem.options[o])) == avoid:
                    costs[o] += SCALE * preference.weight

    def _days_off_hold(self, a: int, d: int, *, working: bool) -> bool:
        """Whether agent ``a``'s days off stay in blocks of its length with day ``d`` worked or not.

        The same rule as the model's (``model.add_min_consecutive_days_off``), the previous
        roster's last days included, on the agent's days as they are but ``d``.
        """
        problem = self.problem
        horizon = len(problem.days)
        k = problem.rules[a].min_consecutive_days_off
        works = [(a, day) in self.shift_on for day in range(horizon)]
        works[d] = working
        self.seconds += SECONDS_PER_OPTION * horizon
        for day in range(1, horizon):
            if works[day - 1] and not works[day] and any(works[day + j] for j in range(1, k) if day + j < horizon):
                return False
        if problem.worked_before.get(a) and not works[0] and any(works[1:k]):
            return False
        off = problem.off_before.get(a, 0)
        return not (off and any(works[: max(k - off, 0)]))
