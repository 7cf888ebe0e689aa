"""Erlang A (M/M/N+M): Erlang C with customers who give up waiting.

Contacts arrive at rate ``lambda``, ``N`` servers each finish one at rate
``mu = 1 / aht``, and every waiting contact abandons at rate
``theta = 1 / patience`` (exponential patience with mean ``patience_seconds``).
Abandonment keeps the queue stable at any staffing, so unlike Erlang C there
is always an answer, even with fewer servers than Erlangs of traffic.

The number of contacts in the system is a birth-death chain. With
``A = lambda / mu``, ``x = lambda / theta`` and ``y = N mu / theta``:

- below ``N`` the chain is the Erlang loss system: ``sum_{n<=N} pi_n / pi_N = 1 / B(N, A)``
  (Erlang B from the stable recursion in :mod:`scheduler.staffing.erlang`);
- above ``N``, ``pi_{N+k} / pi_N = t_k = prod_{i=1..k} x / (y + i)``, summed term
  by term until the remaining tail is below ``1e-13`` of the sum (the ratio of
  successive terms falls below 1 once ``k > x - y``, after which the tail is
  bounded by a geometric series). Terms are rescaled when they grow large, so
  nothing overflows; no factorial or incomplete gamma function is formed.

From the chain (arrivals see the stationary state, PASTA):

- ``p_wait = P(n >= N) = S / (1/B - 1 + S)`` with ``S = sum_k t_k``;
- mean queue ``E[Q] = p_wait * sum_k k t_k / S``; ``abandon_rate = E[Q] / x``
  (abandonments per arrival) and ``asa_seconds = E[Q] / lambda`` (Little's law:
  the mean wait of *all* offered contacts, until answered or abandoned; equal
  to the usual ASA when nobody abandons);
- ``service_level`` = share of offered contacts *answered* within the target
  (a contact that abandons counts as missed). A contact that finds ``k``
  waiting moves up when a server frees or someone ahead abandons; with its own
  patience competing, it is answered with probability ``y / (y + k + 1)`` and
  its ``k + 1`` steps take the ``(k+1)``-th order statistic of ``y + k + 1``
  unit exponentials (Renyi), so ``P(answered within t | k) =
  y / (y + k + 1) * P(NegBin(y + 1, e^{-theta t}) > k)``, a negative-binomial
  tail evaluated by the same term-by-term loop in log space;
- ``occupancy`` = answered traffic per server, ``A (1 - abandon_rate) / N``.

As ``patience -> inf`` every figure tends to Erlang C's (the tests check it);
``patience_seconds = inf`` is computed by Erlang C directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scheduler.staffing.erlang import (
    average_speed_of_answer,
    erlang_b,
    occupancy,
    required_servers,
    service_level,
    wait_probability,
)

FloatArray = npt.NDArray[np.float64]

_TOLERANCE = 1e-13
_RESCALE_ABOVE = 1e200
_MAX_TERMS = 1_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class ErlangAFigures:
    """Steady-state figures per element (all fractions, seconds for the ASA)."""

    p_wait: FloatArray
    service_level: FloatArray
    asa_seconds: FloatArray
    abandon_rate: FloatArray
    occupancy: FloatArray


def erlang_a(
    servers: npt.ArrayLike,
    traffic: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    patience_seconds: npt.ArrayLike,
    target_seconds: npt.ArrayLike,
) -> ErlangAFigures:
    """Erlang A figures, element-wise over broadcast arrays.

    Args:
        servers: whole servers (agents x concurrency), ``>= 0``.
        traffic: offered load in Erlangs (arrivals per second x ``aht_seconds``).
        aht_seconds: handle time of one contact, ``> 0``.
        patience_seconds: mean patience, ``> 0``; ``inf`` means nobody abandons (Erlang C).
        target_seconds: answer-time target of the service level, ``>= 0``.

    Returns:
        :class:`ErlangAFigures`; zero traffic gives a perfect, idle queue.

    Raises:
        ValueError: the chain needs more than a million terms (an absurd input
            such as hours of patience on a hugely overloaded queue).
    """
    n, a, aht, patience, target = (
        np.atleast_1d(array).astype(float)
        for array in np.broadcast_arrays(
            np.asarray(servers, float),
            np.asarray(traffic, float),
            np.asarray(aht_seconds, float),
            np.asarray(patience_seconds, float),
            np.asarray(target_seconds, float),
        )
    )
    shape = np.broadcast_shapes(
        *(np.shape(value) for value in (servers, traffic, aht_seconds, patience_seconds, target_seconds))
    )
    p_wait = np.zeros(n.shape)
    level = np.ones(n.shape)
    asa = np.zeros(n.shape)
    abandon = np.zeros(n.shape)
    busy = occupancy(n, a)

    patient = (a > 0) & np.isinf(patience)
    if patient.any():  # Erlang C (unstable stays unstable: waits forever, nobody leaves)
        p_wait[patient] = wait_probability(n[patient], a[patient])
        level[patient] = service_level(n[patient], a[patient], aht[patient], target[patient])
        asa[patient] = average_speed_of_answer(n[patient], a[patient], aht[patient])

    chain = np.flatnonzero((a > 0) & np.isfinite(patience))
    if chain.size:
        figures = _chain_figures(n[chain], a[chain], aht[chain], patience[chain], target[chain])
        p_wait[chain], level[chain], asa[chain], abandon[chain] = figures
        with np.errstate(divide="ignore", invalid="ignore"):
            answered = a[chain] * (1.0 - abandon[chain])
            busy[chain] = np.where(n[chain] > 0, np.clip(answered / n[chain], 0.0, 1.0), 0.0)

    def shaped(values: FloatArray) -> FloatArray:
        return values.reshape(shape)

    return ErlangAFigures(
        p_wait=shaped(p_wait),
        service_level=shaped(level),
        asa_seconds=shaped(asa),
        abandon_rate=shaped(abandon),
        occupancy=shaped(busy),
    )


def _chain_figures(
    n: FloatArray, a: FloatArray, aht: FloatArray, patience: FloatArray, target: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """p_wait, service level, ASA, abandon rate for positive traffic and finite patience."""
    x = a * patience / aht  # lambda / theta
    y = n * patience / aht  # N mu / theta
    tau = target / patience
    blocking = erlang_b(n.astype(np.int64), a)
    with np.errstate(divide="ignore"):
        log_rest = np.log1p(-blocking) - np.log(blocking)  # log(1/B - 1); -inf when N = 0
        log_step = np.log(-np.expm1(-tau))  # log(1 - e^{-theta t}); -inf for a zero target

    size = n.size
    sums = np.ones(size)  # S / e^M, the scaled sum of t_k
    queue = np.zeros(size)  # sum k t_k, same scale
    answered = np.zeros(size)  # sum t_k P(answered within target | k), same scale
    log_scale = np.zeros(size)
    # k = 0: t_0 = 1; NegBin(y + 1, z) pmf at 0 is z^(y+1).
    log_pmf = -(y + 1.0) * tau
    cdf = np.exp(log_pmf)
    answered += y / (y + 1.0) * np.clip(1.0 - cdf, 0.0, 1.0)
    term = np.ones(size)

    out_sums, out_queue, out_answered, out_scale = (np.empty(size) for _ in range(4))
    active = np.arange(size)
    k = 0
    while active.size:
        k += 1
        if k > _MAX_TERMS:
            raise ValueError("Erlang A did not converge within a million queue states")
        xa, ya = x[active], y[active]
        term *= xa / (ya + k)
        log_pmf += np.log(ya + k) - np.log(k) + log_step[active]
        cdf += np.exp(log_pmf)
        sums += term
        queue += k * term
        answered += term * (ya / (ya + k + 1.0)) * np.clip(1.0 - cdf, 0.0, 1.0)
        big = term > _RESCALE_ABOVE
        if big.any():
            factor = term[big]
            for values in (sums, queue, answered):
                values[big] /= factor
            log_scale[active[big]] += np.log(factor)
            term[big] = 1.0
        ratio = xa / (ya + k + 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            tail = term * (k * ratio / (1.0 - ratio) + ratio / (1.0 - ratio) ** 2)
        done = (ratio < 1.0) & (tail <= _TOLERANCE * sums)
        if done.any():
            finished = active[done]
            out_sums[finished] = sums[done]
            out_queue[finished] = queue[done]
            out_answered[finished] = answered[done]
            out_scale[finished] = log_scale[finished]
            keep = ~done
            active = active[keep]
            term, sums, queue, answered = term[keep], sums[keep], queue[keep], answered[keep]
            log_pmf, cdf = log_pmf[keep], cdf[keep]

    with np.errstate(over="ignore"):
        rest_over_sum = np.exp(log_rest - out_scale - np.log(out_sums))
    p_wait = 1.0 / (1.0 + rest_over_sum)
    mean_queue = p_wait * out_queue / out_sums
    level = np.clip(1.0 - p_wait + p_wait * out_answered / out_sums, 0.0, 1.0)
    abandon = np.clip(mean_queue / x, 0.0, 1.0)
    asa = mean_queue * aht / a
    return p_wait, level, asa, abandon


def required_servers_a(
    traffic: npt.ArrayLike,
    aht_seconds: float,
    patience_seconds: float,
    target_seconds: float,
    target_service_level: float,
    max_occupancy: float,
    max_servers: int = 100_000,
) -> npt.NDArray[np.int64]:
    """Fewest servers per element meeting the service level and the occupancy cap under Erlang A.

    Starts from the Erlang C answer (close for realistic patience) and walks
    down while the staffing still meets the target, or up until it does. Zero
    traffic needs zero servers.

    Raises:
        ValueError: no staffing up to ``max_servers`` meets the target.
    """
    traffic_arr = np.atleast_1d(np.asarray(traffic, dtype=float))
    servers = np.zeros(traffic_arr.shape, dtype=np.int64)
    busy = np.flatnonzero(traffic_arr > 0)
    if busy.size == 0:
        return servers.reshape(np.shape(traffic)) if np.ndim(traffic) else servers
    load = traffic_arr[busy]

    def meets(count: npt.NDArray[np.int64], rows: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        figures = erlang_a(count, load[rows], aht_seconds, patience_seconds, target_seconds)
        return (figures.service_level >= target_service_level - 1e-12) & (figures.occupancy <= max_occupancy + 1e-12)

    start = required_servers(load, aht_seconds, target_seconds, target_service_level, max_occupancy, max_servers)
    rows = np.arange(load.size)
    ok = meets(start, rows)
    # Downward from Erlang C while one server fewer still meets the target.
    down = rows[ok & (start > 1)]
    while down.size:
        fewer = start[down] - 1
        still = meets(fewer, down)
        start[down[still]] = fewer[still]
        down = down[still & (fewer > 1)]
    # Upward where Erlang C's staffing falls short (patience shorter than the target).
    up = rows[~ok]
    while up.size:
        start[up] += 1
        if (start[up] > max_servers).any():
            raise ValueError(f"no staffing up to {max_servers} servers meets the target")
        up = up[~meets(start[up], up)]
    servers[busy] = start
    return servers.reshape(np.shape(traffic)) if np.ndim(traffic) else servers
