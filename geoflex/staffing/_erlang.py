"""Erlang C: the fewest agents that answer a share of contacts within a target time.

The model: contacts arrive at random (Poisson) during an interval, each takes an
exponentially distributed handle time with mean ``aht_s``, and callers wait in one queue.
Traffic ``A = volume * aht_s / interval_s`` erlangs. For ``N > A`` agents:

* Erlang B by the recurrence ``B(0) = 1``, ``B(n) = A B(n-1) / (n + A B(n-1))``. Every step
  stays in [0, 1], so thousands of erlangs neither overflow nor lose precision (the textbook
  ``A**N / N!`` form overflows a float beyond ~170 agents).
* Erlang C (probability of waiting) from B: ``C = N B / (N - A (1 - B))``.
* Service level: ``1 - C exp(-(N - A) T / aht_s)`` for a target answer time ``T``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from geoflex._errors import ConfigError

__all__ = ["ErlangResult", "erlang_c"]


@dataclass(frozen=True, slots=True)
class ErlangResult:
    """Staffing needed for one interval (see `erlang_c`).

    Attributes
    ----------
    agents
        Fewest agents on the phones meeting the service level and the occupancy cap.
    scheduled
        Agents to schedule so that ``agents`` remain after shrinkage.
    service_level
        Share of contacts answered within the target time with ``agents`` agents.
    occupancy
        Share of agent time spent handling contacts (traffic / agents).
    wait_probability
        Probability that a contact waits at all (Erlang C).
    traffic_erlangs
        Offered load: ``volume * aht_s / interval_s``.
    average_speed_of_answer_s
        Mean wait in seconds over all contacts.
    """

    agents: int
    scheduled: int
    service_level: float
    occupancy: float
    wait_probability: float
    traffic_erlangs: float
    average_speed_of_answer_s: float


def _exact(value: float | int, name: str) -> Fraction:
    """The decimal the user wrote (0.15 -> 3/20), so later arithmetic has no float artefacts."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be finite, got {value!r}")
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


def _validate(
    volume: float,
    aht_s: float,
    interval_s: float,
    target_answer_s: float,
    service_level: float,
    shrinkage: float,
    max_occupancy: float,
) -> tuple[Fraction, Fraction, Fraction]:
    """Check every input; return exact traffic, shrinkage and occupancy cap."""
    vol = _exact(volume, "volume")
    aht = _exact(aht_s, "aht_s")
    interval = _exact(interval_s, "interval_s")
    target = _exact(target_answer_s, "target_answer_s")
    level = _exact(service_level, "service_level")
    shrink = _exact(shrinkage, "shrinkage")
    occupancy = _exact(max_occupancy, "max_occupancy")
    if vol < 0:
        raise ConfigError(f"volume must be >= 0 contacts, got {volume!r}")
    if aht <= 0:
        raise ConfigError(f"aht_s (average handle time) must be > 0 seconds, got {aht_s!r}")
    if interval <= 0:
        raise ConfigError(f"interval_s must be > 0 seconds, got {interval_s!r}")
    if target < 0:
        raise ConfigError(f"target_answer_s must be >= 0 seconds, got {target_answer_s!r}")
    if not 0 < level < 1:
        raise ConfigError(
            f"service_level must be a share between 0 and 1 (exclusive), e.g. 0.8 for 80%; "
            f"got {service_level!r}"
        )
    if not 0 <= shrink < 1:
        raise ConfigError(
            f"shrinkage must be a share in [0, 1), e.g. 0.3 for 30%; got {shrinkage!r}"
        )
    if not 0 < occupancy <= 1:
        raise ConfigError(
            f"max_occupancy must be a share in (0, 1], e.g. 0.85 for 85%; got {max_occupancy!r}"
        )
    return vol * aht / interval, shrink, occupancy


def _scheduled(agents: int, shrinkage: Fraction) -> int:
    """``ceil(agents / (1 - shrinkage))`` in exact arithmetic: 17 @ 15% -> 20, 10 @ 50% -> 20."""
    return _ceil(Fraction(agents) / (1 - shrinkage))


def _solve(
    traffic: Fraction,
    *,
    aht_s: float,
    target_answer_s: float,
    service_level: float,
    max_occupancy: Fraction,
) -> tuple[int, float, float, float]:
    """Return (agents, service level, wait probability, average speed of answer)."""
    a = float(traffic)
    # Occupancy cap: a / n <= max_occupancy  <=>  n >= a / max_occupancy (exact).
    floor_occupancy = _ceil(traffic / max_occupancy)
    # Erlang C needs n > a (otherwise the queue grows without bound).
    floor_stable = math.floor(traffic) + 1
    erlang_b = 1.0
    n = 0
    while True:
        n += 1
        erlang_b = a * erlang_b / (n + a * erlang_b)
        if n < floor_stable:
            continue
        wait = n * erlang_b / (n - a * (1.0 - erlang_b))
        level = 1.0 - wait * math.exp(-(n - a) * target_answer_s / aht_s)
        if level >= service_level and n >= floor_occupancy:
            return n, level, wait, wait * aht_s / (n - a)


def erlang_c(
    volume: float,
    *,
    aht_s: float,
    interval_s: float,
    target_answer_s: float,
    service_level: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> ErlangResult:
    """Agents needed for one interval by Erlang C.

    Parameters
    ----------
    volume
        Contacts arriving in the interval (may be fractional, e.g. an average).
    aht_s
        Average handle time in seconds.
    interval_s
        Length of the interval in seconds (1800 for half-hours, 3600 for hours).
    target_answer_s
        Answer within this many seconds...
    service_level
        ...for at least this share of contacts (0.8 for "80/20").
    shrinkage
        Share of paid time agents are unavailable (breaks, training), in [0, 1).
    max_occupancy
        Highest acceptable share of time busy with contacts, in (0, 1].

    Returns
    -------
    ErlangResult
        ``agents`` is the fewest agents meeting the service level, raised until occupancy
        is at most ``max_occupancy``; ``scheduled`` adds shrinkage, rounded up exactly.

    Raises
    ------
    ConfigError
        When an input is out of range (negative volume, service level outside (0, 1)...).

    Examples
    --------
    The classic example: 100 calls in 30 minutes, 3-minute handle time, 80% in 20 s.

    >>> r = erlang_c(100, aht_s=180, interval_s=1800, target_answer_s=20, service_level=0.8)
    >>> r.agents, r.traffic_erlangs, round(r.service_level, 3)
    (14, 10.0, 0.888)
    >>> erlang_c(0, aht_s=180, interval_s=1800, target_answer_s=20, service_level=0.8).agents
    0
    """
    traffic, shrink, occupancy = _validate(
        volume, aht_s, interval_s, target_answer_s, service_level, shrinkage, max_occupancy
    )
    if traffic == 0:
        return ErlangResult(0, 0, 1.0, 0.0, 0.0, 0.0, 0.0)
    agents, level, wait, asa = _solve(
        traffic,
        aht_s=float(aht_s),
        target_answer_s=float(target_answer_s),
        service_level=float(service_level),
        max_occupancy=occupancy,
    )
    return ErlangResult(
        agents=agents,
        scheduled=_scheduled(agents, shrink),
        service_level=level,
        occupancy=float(traffic / agents),
        wait_probability=wait,
        traffic_erlangs=float(traffic),
        average_speed_of_answer_s=asa,
    )
