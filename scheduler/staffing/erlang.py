"""Erlang C queueing formulas, numerically stable and vectorised over intervals.

Traffic ``A`` is the offered load in Erlangs (arrivals per second x handle time
in seconds). With ``N`` servers the Erlang B blocking probability follows the
recursion ``B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1))``, which never forms a
factorial or a power and stays in [0, 1] for any ``N`` (1 to 10,000 and more).
Erlang C (probability of waiting) is derived from it:
``C = N B / (N - A (1 - B))`` for ``N > A``; with ``N <= A`` the queue grows
without bound and every contact waits (``C = 1``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def erlang_b(servers: npt.ArrayLike, traffic: npt.ArrayLike) -> FloatArray:
    """Blocking probability of an M/M/N/N system, element-wise."""
    servers_arr, traffic_arr = np.broadcast_arrays(np.asarray(servers, dtype=np.int64), np.asarray(traffic, float))
    blocking = np.ones(traffic_arr.shape, dtype=float)
    top = int(servers_arr.max(initial=0))
    result = np.where(servers_arr == 0, 1.0, 0.0)
    for n in range(1, top + 1):
        blocking = traffic_arr * blocking / (n + traffic_arr * blocking)
        result = np.where(servers_arr == n, blocking, result)
    return result


def wait_probability(servers: npt.ArrayLike, traffic: npt.ArrayLike) -> FloatArray:
    """Erlang C: probability that a contact waits (1.0 when ``servers <= traffic``)."""
    servers_arr = np.asarray(servers, dtype=float)
    traffic_arr = np.asarray(traffic, dtype=float)
    blocking = erlang_b(servers_arr.astype(np.int64), traffic_arr)
    stable = servers_arr > traffic_arr
    with np.errstate(divide="ignore", invalid="ignore"):
        waiting = servers_arr * blocking / (servers_arr - traffic_arr * (1.0 - blocking))
    waiting = np.where(stable, waiting, 1.0)
    return np.where(traffic_arr <= 0, 0.0, np.clip(waiting, 0.0, 1.0))


def service_level(
    servers: npt.ArrayLike, traffic: npt.ArrayLike, aht_seconds: npt.ArrayLike, target_seconds: npt.ArrayLike
) -> FloatArray:
    """Share of contacts answered within ``target_seconds`` (0.0 when unstable)."""
    servers_arr = np.asarray(servers, dtype=float)
    traffic_arr = np.asarray(traffic, dtype=float)
    waiting = wait_probability(servers_arr, traffic_arr)
    # Clamp at 0: with servers <= traffic the level is 0 anyway, and exp(+large) would overflow.
    margin = np.maximum(servers_arr - traffic_arr, 0.0)
    decay = np.exp(-margin * np.asarray(target_seconds, float) / np.asarray(aht_seconds, float))
    level = 1.0 - waiting * decay
    level = np.where(servers_arr > traffic_arr, level, 0.0)
    return np.where(traffic_arr <= 0, 1.0, np.clip(level, 0.0, 1.0))


def average_speed_of_answer(servers: npt.ArrayLike, traffic: npt.ArrayLike, aht_seconds: npt.ArrayLike) -> FloatArray:
    """Mean wait in seconds over all contacts (``inf`` when unstable)."""
    servers_arr = np.asarray(servers, dtype=float)
    traffic_arr = np.asarray(traffic, dtype=float)
    waiting = wait_probability(servers_arr, traffic_arr)
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = waiting * np.asarray(aht_seconds, float) / (servers_arr - traffic_arr)
    return np.where(servers_arr > traffic_arr, asa, np.inf)


def occupancy(servers: npt.ArrayLike, traffic: npt.ArrayLike) -> FloatArray:
    """Share of server time spent handling contacts (capped at 1)."""
    servers_arr = np.asarray(servers, dtype=float)
    traffic_arr = np.asarray(traffic, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(servers_arr > 0, traffic_arr / servers_arr, 0.0)
    return np.clip(busy, 0.0, 1.0)


def required_servers(
    traffic: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    target_seconds: npt.ArrayLike,
    target_service_level: float,
    max_occupancy: float,
    max_servers: int = 100_000,
) -> npt.NDArray[np.int64]:
    """Fewest servers per interval meeting the service level and the occupancy cap.

    Walks ``n`` upward once for all intervals together, carrying the Erlang B
    recursion, so the cost is ``O(max result x intervals)``. Zero traffic needs
    zero servers.
    """
    traffic_arr = np.atleast_1d(np.asarray(traffic, dtype=float))
    aht = np.broadcast_to(np.asarray(aht_seconds, dtype=float), traffic_arr.shape)
    target = np.broadcast_to(np.asarray(target_seconds, dtype=float), traffic_arr.shape)
    result = np.zeros(traffic_arr.shape, dtype=np.int64)
    pending = traffic_arr > 0
    blocking = np.ones(traffic_arr.shape, dtype=float)
    n = 0
    while pending.any():
        n += 1
        if n > max_servers:
            raise ValueError(f"no staffing up to {max_servers} servers meets the target")
        blocking = traffic_arr * blocking / (n + traffic_arr * blocking)
        stable = n > traffic_arr
        with np.errstate(divide="ignore", invalid="ignore"):
            waiting = np.clip(n * blocking / (n - traffic_arr * (1.0 - blocking)), 0.0, 1.0)
            level = 1.0 - waiting * np.exp(-np.maximum(n - traffic_arr, 0.0) * target / aht)
        meets = pending & stable & (level >= target_service_level - 1e-12) & (traffic_arr / n <= max_occupancy + 1e-12)
        result[meets] = n
        pending &= ~meets
    return result.reshape(np.shape(traffic)) if np.ndim(traffic) else result
