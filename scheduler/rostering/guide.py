"""The relaxation's shift counts as a target the descent pulls its roster towards.

The lower bound's first relaxation (:mod:`.bound`: whole agents per queue, per
week) is solved beside the search within seconds, and its optimum is within a
few percent of the best roster on every benchmark instance: a map of how many
agents of each class of interchangeable agents should work each shift option.
The descent builds its roster agent by agent and, from its construction on,
keeps the day and start mix that construction chose; on teams whose skills bind
(most agents know one queue) and whose sale cannot be covered, improving it
needs several agents re-placed together, which single moves rarely find.

So after construction the descent makes one *guided sweep*: each agent in turn
is re-placed against everyone else with every option worth, on top of the
coverage it saves, :data:`GUIDE_WEIGHT` times the share of an agent the
relaxation still wants there (its class's count on the option less the other
members on it, between 0 and 1). The roster moves to the relaxation's mix in
one pass while each agent keeps its own rules and soft costs; the ordinary
sweeps and exchanges go on from there and keep only what lowers the objective.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from scheduler.rostering.aggregate import COUNT_NOISE

# What a shift option the relaxation fills with a whole agent of the class is worth on top of its
# coverage saving in the guided sweep. Above what a shift saves where its queues are at most one
# agent short (an 8-hour shift at one agent short throughout, peak-weighted: 16 intervals x 20,000
# = 320k), so that the sweep follows the relaxation except where a shift covers a deeper
# shortfall; below the queue-minimum penalty of one agent-interval (50 x 200 x 100 = 1M), so that
# a minimum outweighs it (one the sweep leaves open all the same is repaired at once, descent.py).
GUIDE_WEIGHT = 500_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Guide:
    """The relaxation's agents per class and shift option (each week's own days, summed over the weeks).

    ``classes`` are :func:`~scheduler.rostering.aggregate.agent_classes`' (by
    skills), ``counts`` maps ``(class index, option)`` to the class's agents
    on that option; options it leaves empty are absent.
    """

    classes: tuple[tuple[int, ...], ...]
    counts: dict[tuple[int, int], float] = field(default_factory=dict)


class Pull:
    """How far each class is from the guide's counts as the roster stands; the worth of following it."""

    def __init__(self, guide: Guide, current: dict[int, list[int]]) -> None:
        self.guide = guide
        self.class_of = {a: c for c, members in enumerate(guide.classes) for a in members}
        self.on: Counter[tuple[int, int]] = Counter(
            (self.class_of[a], o) for a, shifts in current.items() for o in shifts
        )

    def take_out(self, a: int, shifts: Iterable[int]) -> None:
        c = self.class_of[a]
        for o in shifts:
            self.on[c, o] -= 1

    def put_back(self, a: int, shifts: Iterable[int]) -> None:
        c = self.class_of[a]
        for o in shifts:
            self.on[c, o] += 1

    def worth(self, a: int, options: Sequence[int]) -> dict[int, int]:
        """Per option of agent ``a`` (taken out): what following the guide is worth there (0 where it is full)."""
        c = self.class_of[a]
        counts = self.guide.counts
        worth = {}
        for o in options:
            wanted = counts.get((c, o), 0.0) - self.on[c, o]
            if wanted > COUNT_NOISE:
                worth[o] = round(GUIDE_WEIGHT * min(wanted, 1.0))
        return worth
