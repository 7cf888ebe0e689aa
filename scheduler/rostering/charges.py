"""What the agent-by-agent descent charges to its counted budget (:mod:`.descent` and the stages reusing its models).

The budget is counted, not clocked, so the roster is the same on any machine; the counts are
calibrated to CPU seconds on the 2-core benchmark machine (100 agents, 4 weeks: 156 agent
solves took 2.3 s of CPU for 0.22 s of CP-SAT's deterministic time, the rest being its
set-up).

Charged per agent solve on top of CP-SAT's deterministic time: the solver's set-up
and the Python side of a solve (objective, hints); per shift option of an agent's model when
it is built; per unit of queue bookkeeping (an interval and queue added or removed, a move
weighed in a rebalance, an array pass). A solve's overhead grows with the agent's model. With
the agent solver's light presolve and no cuts (:func:`.sat.make_agent_solver`) and the objective
and hints written straight into the model, it measured 3.2-3.4 ms for 1-week models (170-190
options) and 11.3-12.8 ms for 4-week ones (735-820 options; 100 and 500 agents), against
24-26 ms before for the 4-week models, which a flat 18 ms cap had undercharged (at 500 agents
the descent used 67 s of CPU for 56 s charged); measured at load 5-6, which inflates CPU
(``benchmarks/roster_descent_charges.py --seeds 2 3 [--weeks 1 --limit 6] [--agents 500
--limit 56]``, 2026-12-01 23:35 UTC). Hence 1 ms + 15 us per option, uncapped.

Queue bookkeeping by what it does, fitted on the benchmark's 100-agent seeds (3 queues, 4-5
skill groups) and on queues by language (12 queues, 82 skill groups), where a count by queues
and moves had charged the rebalancing 9.8 times its CPU and a reachability pass 38 times
(``benchmarks/roster_descent_charges.py``, each kind of work apart). A rebalance: ~10 us per
interval and ~56 ns per step (a group's count read, a queue and group weighed in a chain
search, a queue reached). Adding or removing an agent: ~68 us of numpy calls and ~0.5 ns per
element of the [group, queue, interval] counts it sums. Reachability: ~120 us a call and
~19 us per group and round (a few passes over [queue, interval] arrays of 4 weeks).
"""

SOLVE_OVERHEAD = 0.001
SOLVE_OVERHEAD_PER_OPTION = 1.5e-5
BUILD_SECONDS_PER_OPTION = 2e-5
SECONDS_PER_WORK = 3.5e-7
REBALANCE_INTERVAL_STEPS = 180
REBALANCE_UNITS_PER_STEP = 0.16
CHANGE_UNITS = 194
CHANGE_ELEMENTS_PER_UNIT = 700
