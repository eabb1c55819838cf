"""Erlang A (M/M/n+M): Erlang C with callers who hang up when they have waited too long.

The model: contacts arrive at random (rate ``lam``), handle times are exponential (rate
``mu = 1 / aht``), and each caller's patience is exponential with mean ``patience_s``
(rate ``theta``): a caller still waiting when patience runs out abandons. Unlike Erlang C
the queue is stable with any number of agents, and fewer agents are needed, because some
of the load leaves on its own.

The number in the system is a birth-death chain: births at ``lam``, deaths at
``min(k, n) mu + max(k - n, 0) theta``. Its stationary distribution ``pi`` (computed in
logs, truncated where the tail is below 1e-15) gives, by PASTA, what an arrival finds:

* ``P(wait) = sum_{k >= n} pi_k``.
* An arrival that finds ``j`` callers queued ahead moves up at rate ``r_i = n mu + i theta``
  while ``i`` are ahead (an agent frees up, or one ahead abandons) and abandons itself at
  rate ``theta``. Since competing exponentials decide *which* event comes independently of
  *when*, it is answered with probability ``L_j = prod_{i=0..j} r_i / (r_i + theta)``, and
  when it is, its wait is the sum ``H_j`` of exponentials of rates ``r_i + theta``:
  answered within ``T`` with probability ``L_j P(H_j <= T)``. ``P(H_j <= T)`` for every
  ``j`` at once comes from uniformizing the pure-death chain (one vector step per Poisson
  term). The mean wait of the answered is ``sum_i 1 / (r_i + theta)`` along the way.
* Service level (as the reports define it) = answered within ``T`` / all arrivals;
  abandonment = 1 - answered share; occupancy = busy agents / agents.

Mandelbaum and Zeltyn's estimator gives the mean patience from data: total waiting time of
every offered contact (answered waits are patience censored by the answer) divided by the
number of abandons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from geoflex._errors import ConfigError
from geoflex.staffing._erlang import _ceil, _exact, _scheduled, _validate

if TYPE_CHECKING:
    import numpy as np

__all__ = ["ErlangAResult", "erlang_a", "patience", "patience_from_waits"]

_TAIL = 1e-15


@dataclass(frozen=True, slots=True)
class ErlangAResult:
    """Staffing needed for one interval by Erlang A (see `erlang_a`).

    Attributes
    ----------
    agents
        Fewest agents on the phones meeting the service level and the occupancy cap.
    scheduled
        Agents to schedule so that ``agents`` remain after shrinkage.
    service_level
        Share of arriving contacts answered within the target time.
    abandon_probability
        Share of arriving contacts that hang up before an answer.
    occupancy
        Share of agent time spent handling contacts.
    wait_probability
        Probability that a contact waits at all.
    traffic_erlangs
        Offered load: ``volume * aht_s / interval_s``.
    average_speed_of_answer_s
        Mean wait in seconds of the answered contacts.
    """

    agents: int
    scheduled: int
    service_level: float
    abandon_probability: float
    occupancy: float
    wait_probability: float
    traffic_erlangs: float
    average_speed_of_answer_s: float


@dataclass(frozen=True, slots=True)
class _Performance:
    service_level: float
    abandon: float
    occupancy: float
    wait: float
    asa: float


def _stationary(lam: float, mu: float, theta: float, n: int) -> np.ndarray:
    """``pi_0 .. pi_K`` of the birth-death chain, K where the tail is negligible."""
    import numpy as np  # here: `import geoflex` stays without numpy

    logs = [0.0]
    k = 0
    # The tail beyond n decays at least geometrically once (k - n) theta > lam; stop when
    # a term is 1e-15 below the largest and falling.
    while True:
        k += 1
        death = min(k, n) * mu + max(k - n, 0) * theta
        logs.append(logs[-1] + math.log(lam) - math.log(death))
        if k > n and death > lam and logs[-1] < max(logs) + math.log(_TAIL):
            break
    values = np.exp(np.array(logs) - max(logs))
    return np.asarray(values / values.sum())


def _reach_within(rates: np.ndarray, target_s: float) -> np.ndarray:
    """``P(H_j <= T)`` for every j, ``H_j`` the sum of exponentials of ``rates[0..j]``.

    The chain "j steps to go" leaves j at ``rates[j]``; ``1 - P`` solves
    ``p_j' = -rates_j p_j + rates_j p_{j-1}`` with ``p_{-1} = 0``: uniformized, each
    Poisson term is one vector step.
    """
    import numpy as np  # here: `import geoflex` stays without numpy

    if target_s <= 0:
        return np.zeros(len(rates))
    big = float(rates.max())
    step = rates / big
    x = big * target_s
    terms = int(x + 12 * math.sqrt(x) + 30)
    v = np.ones(len(rates))  # P(not yet absorbed) after m uniformized jumps, from each j
    still = np.zeros(len(rates))
    for m in range(terms + 1):
        weight = math.exp(-x + m * math.log(x) - math.lgamma(m + 1)) if x > 0 else float(m == 0)
        still += weight * v
        shifted = np.concatenate(([0.0], v[:-1]))
        v = (1 - step) * v + step * shifted
    return np.asarray(np.clip(1.0 - still, 0.0, 1.0))


def _performance(lam: float, mu: float, theta: float, n: int, target_s: float) -> _Performance:
    """Service level, abandonment, occupancy, P(wait) and ASA of ``n`` agents."""
    import numpy as np  # here: `import geoflex` stays without numpy

    if n == 0:
        return _Performance(0.0, 1.0, 0.0, 1.0, 0.0)
    pi = _stationary(lam, mu, theta, n)
    queued = pi[n:]  # arrival finds j = 0, 1, ... callers ahead
    j = np.arange(len(queued))
    rates = n * mu + j * theta  # r_i for i ahead
    total = rates + theta
    answered_given_j = np.cumprod(rates / total)  # L_j
    mean_wait_given_j = np.cumsum(1.0 / total)  # E[H_j]
    within = _reach_within(total, target_s)
    p_wait = float(queued.sum())
    p_no_wait = 1.0 - p_wait
    answered = p_no_wait + float((queued * answered_given_j).sum())
    sl = p_no_wait + float((queued * answered_given_j * within).sum())
    waited = float((queued * answered_given_j * mean_wait_given_j).sum())
    busy = float((np.minimum(np.arange(len(pi)), n) * pi).sum())
    return _Performance(
        service_level=min(sl, 1.0),
        abandon=max(1.0 - answered, 0.0),
        occupancy=busy / n,
        wait=p_wait,
        asa=waited / answered if answered > 0 else 0.0,
    )


def erlang_a(
    volume: float,
    *,
    aht_s: float,
    patience_s: float,
    interval_s: float,
    target_answer_s: float,
    service_level: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> ErlangAResult:
    """Agents needed for one interval by Erlang A (Erlang C with abandonment).

    Parameters
    ----------
    volume, aht_s, interval_s, target_answer_s, service_level, shrinkage, max_occupancy
        As in `erlang_c`; the service level counts every arriving contact (abandons
        included) in its denominator.
    patience_s
        Mean time callers wait before hanging up, in seconds (``patience_from_waits``
        estimates it from the segments).

    Returns
    -------
    ErlangAResult
        The fewest agents meeting the service level with at most ``max_occupancy``;
        ``scheduled`` adds shrinkage, rounded up exactly.

    Examples
    --------
    100 calls in 30 minutes, 3-minute handle time, 80% in 20 s; callers wait 2 minutes on
    average before hanging up. Erlang C says 14 agents; abandonment relieves the queue:

    >>> r = erlang_a(100, aht_s=180, patience_s=120, interval_s=1800, target_answer_s=20,
    ...              service_level=0.8)
    >>> r.agents, round(r.service_level, 3), round(r.abandon_probability, 3)
    (12, 0.826, 0.062)
    """
    traffic, shrink, occupancy_cap = _validate(
        volume, aht_s, interval_s, target_answer_s, service_level, shrinkage, max_occupancy
    )
    patience = _exact(patience_s, "patience_s")
    if patience <= 0:
        raise ConfigError(f"patience_s must be > 0 seconds, got {patience_s!r}")
    if traffic == 0:
        return ErlangAResult(0, 0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    lam = float(volume) / float(interval_s)
    mu = 1.0 / float(aht_s)
    theta = 1.0 / float(patience_s)
    target = float(target_answer_s)
    level = float(service_level)

    def good(n: int) -> tuple[bool, _Performance]:
        perf = _performance(lam, mu, theta, n, target)
        return perf.service_level >= level and perf.occupancy <= float(occupancy_cap), perf

    # Both tests are monotone in n: double until one passes, then bisect.
    low, high = 0, max(1, _ceil(traffic))
    while not good(high)[0]:
        low, high = high, high * 2
    while high - low > 1:
        mid = (low + high) // 2
        if good(mid)[0]:
            high = mid
        else:
            low = mid
    perf = good(high)[1]
    return ErlangAResult(
        agents=high,
        scheduled=_scheduled(high, shrink),
        service_level=perf.service_level,
        abandon_probability=perf.abandon,
        occupancy=perf.occupancy,
        wait_probability=perf.wait,
        traffic_erlangs=float(traffic),
        average_speed_of_answer_s=perf.asa,
    )


def patience_from_waits(
    segments: pl.DataFrame | pl.LazyFrame,
    *,
    short_abandon_s: float | None = None,
) -> float | None:
    """Mean caller patience in seconds: total wait of the offered contacts / abandons.

    Answered contacts' waits are patience cut short by the answer (censored), so they
    count in the total; short abandons (see `geoflex.service_metrics`) are left out.
    None when nothing was abandoned (patience cannot be told from the data).

    Examples
    --------
    >>> import polars as pl
    >>> seg = pl.DataFrame({"wait_time": [10.0, 50.0, 60.0, 2.0],
    ...                     "abandoned": [False, False, True, True],
    ...                     "handle_time": [100.0, 80.0, None, None]})
    >>> patience_from_waits(seg)  # (10 + 50 + 60) s / 1 abandon; the 2 s one is short
    120.0
    """
    from geoflex.aggregate._service import DEFAULT_SHORT_ABANDON_S, offered_waits

    short = DEFAULT_SHORT_ABANDON_S if short_abandon_s is None else short_abandon_s
    return patience(*offered_waits(segments, short_abandon_s=short))


def patience(total_wait_s: float, abandons: int) -> float | None:
    """Mean caller patience from the offered contacts' total wait and their abandons
    (None without abandons): the estimate of :func:`patience_from_waits`."""
    return total_wait_s / abandons if abandons else None
