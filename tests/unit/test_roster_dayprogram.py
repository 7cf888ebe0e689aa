"""One day's program written as arrays and solved (dayprogram.py)."""

from __future__ import annotations

from collections import defaultdict

from scheduler.rostering.dayprogram import solve_program
from scheduler.rostering.days import NODE_LIMIT, DayMoves
from tests.unit.roster_support import written_week as _written


def test_the_mip_keeps_its_rows_starts_from_the_hint_and_is_bounded_by_the_lp() -> None:
    _config, _team, _requirements, _start, _days, problem, chosen, plans = _written(2)
    moves = DayMoves(problem, chosen, plans)
    relaxed = moves.relax(2)
    assert relaxed is not None
    args = (moves.data, moves.counts, relaxed.choices)
    hint = (
        {(a, o): 1 for a, o in relaxed.current.items()},
        {(g, o, key): n for (g, o), written in relaxed.written.items() for key, n in written.items()},
    )
    lp, terms, entries, nodes = solve_program(*args, integer=False, parameters="max_deterministic_time: 2")
    mip, mip_terms, mip_entries, mip_nodes = solve_program(
        *args, integer=True, parameters=f"limits/nodes = {NODE_LIMIT}", hint=hint
    )
    assert lp is not None and mip is not None
    assert terms == mip_terms > 0 and entries > 0 and mip_entries > 0 and nodes == 0 and mip_nodes >= 1
    assert lp.value <= relaxed.bound + 1e-6  # the relaxation's bound adds the resting agents' hours
    assert mip.value >= lp.value - 1e-6  # the LP relaxes the MIP
    taken: dict[tuple[int, int], float] = defaultdict(float)
    for a, (options, may_rest) in relaxed.choices.offered.items():
        total = sum(mip.x[a, o] for o in options)
        assert all(abs(mip.x[a, o] - round(mip.x[a, o])) < 1e-6 for o in options)
        assert total <= 1 + 1e-6 and (may_rest or total >= 1 - 1e-6)
        for o in options:
            taken[moves.group_of[a], o] += mip.x[a, o]
    served: dict[tuple[int, int], float] = defaultdict(float)
    for (g, o, _key), value in mip.z.items():
        assert abs(value - round(value)) < 1e-6
        served[g, o] += value
    assert all(abs(served[key] - taken[key]) < 1e-6 for key in set(served) | set(taken))
