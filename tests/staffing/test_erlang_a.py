"""Erlang A against a discrete-event simulation of M/M/n+M, and its limits."""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np
import polars as pl
import pytest

from geoflex import ConfigError
from geoflex.staffing import erlang_a, erlang_c, patience_from_waits
from geoflex.staffing._erlang_a import _performance


def _simulate(
    lam: float, aht_s: float, patience_s: float, agents: int, target_s: float, *, seed: int
) -> dict[str, float]:
    """M/M/n+M, first come first served: shares of arrivals answered within ``target_s``
    and abandoned, mean wait of the answered, agent occupancy (after a warm-up)."""
    rng = np.random.default_rng(seed)
    n_arrivals = 60_000
    arrivals = np.cumsum(rng.exponential(1 / lam, n_arrivals))
    services = rng.exponential(aht_s, n_arrivals)
    deadlines = arrivals + rng.exponential(patience_s, n_arrivals)
    warm = n_arrivals // 10
    busy_until: list[float] = []  # heap of busy agents' completion times
    queue: deque[int] = deque()
    answered_within = abandoned = answered = 0
    waited = 0.0
    busy_time = 0.0

    def serve(i: int, at: float) -> None:
        nonlocal answered_within, answered, waited, busy_time
        heapq.heappush(busy_until, at + services[i])
        if i >= warm:
            answered += 1
            waited += at - arrivals[i]
            answered_within += at - arrivals[i] <= target_s
            busy_time += services[i]

    def free_agent(at: float) -> None:
        nonlocal abandoned
        while queue and deadlines[queue[0]] <= at:  # left before this agent was free
            abandoned += queue.popleft() >= warm
        if queue:
            serve(queue.popleft(), at)
        else:
            heapq.heappush(busy_until, at)  # idle from now: a "completion" in the past

    idle = agents
    for i in range(n_arrivals):
        t = arrivals[i]
        while busy_until and busy_until[0] <= t:
            done = heapq.heappop(busy_until)
            if queue:
                free_agent(done)
            else:
                idle += 1
        # Agents idle since a completion with an empty queue were counted in idle.
        if idle > 0:
            idle -= 1
            serve(i, t)
        else:
            queue.append(i)
    counted = n_arrivals - warm - sum(1 for i in queue if i >= warm)
    span = arrivals[-1] - arrivals[warm]
    return {
        "service_level": answered_within / counted,
        "abandon": abandoned / counted,
        "asa": waited / answered,
        "occupancy": busy_time / (agents * span),
    }


@pytest.mark.parametrize(
    ("per_hour", "aht_s", "patience_s", "agents"),
    [
        (200, 180, 120, 12),  # the classic 10-erlang example, callers patient for 2 min
        (200, 180, 60, 10),  # as many agents as erlangs: Erlang C has no answer here
        (720, 240, 300, 50),  # 48 erlangs, patient callers
    ],
)
def test_erlang_a_matches_simulation(
    per_hour: int, aht_s: float, patience_s: float, agents: int
) -> None:
    # Two seeded runs of 54k counted arrivals each, averaged. Tolerance: 0.02 absolute on
    # the shares, 12% on the mean wait, 0.01 on occupancy; one run's own spread over seeds
    # is up to about 0.025 and 13% at 92% occupancy, and averaging two runs narrows it.
    lam = per_hour / 3600
    model = _performance(lam, 1 / aht_s, 1 / patience_s, agents, 20.0)
    runs = [_simulate(lam, aht_s, patience_s, agents, 20.0, seed=seed) for seed in (0, 1)]
    sim = {key: (runs[0][key] + runs[1][key]) / 2 for key in runs[0]}
    assert model.service_level == pytest.approx(sim["service_level"], abs=0.02)
    assert model.abandon == pytest.approx(sim["abandon"], abs=0.02)
    assert model.asa == pytest.approx(sim["asa"], rel=0.12)
    assert model.occupancy == pytest.approx(sim["occupancy"], abs=0.01)


def test_patient_callers_give_erlang_c() -> None:
    kwargs = {"aht_s": 180, "interval_s": 1800, "target_answer_s": 20, "service_level": 0.8}
    c = erlang_c(100, **kwargs)
    a = erlang_a(100, patience_s=1e7, **kwargs)
    assert a.agents == c.agents == 14
    assert a.service_level == pytest.approx(c.service_level, abs=1e-4)
    assert a.wait_probability == pytest.approx(c.wait_probability, abs=1e-4)
    assert a.average_speed_of_answer_s == pytest.approx(c.average_speed_of_answer_s, rel=1e-3)
    assert a.abandon_probability < 1e-4


def test_erlang_a_needs_fewer_agents_and_honours_caps() -> None:
    kwargs = {"aht_s": 180, "interval_s": 1800, "target_answer_s": 20, "service_level": 0.8}
    impatient = erlang_a(100, patience_s=60, **kwargs)
    assert impatient.agents <= erlang_c(100, **kwargs).agents
    capped = erlang_a(100, patience_s=60, max_occupancy=0.7, **kwargs)
    assert capped.occupancy <= 0.7
    assert capped.agents > impatient.agents
    shrunk = erlang_a(100, patience_s=60, shrinkage=0.3, **kwargs)
    assert shrunk.scheduled == -(-impatient.agents * 10 // 7)
    assert erlang_a(0, patience_s=60, **kwargs).agents == 0
    with pytest.raises(ConfigError, match="patience_s"):
        erlang_a(10, patience_s=0, **kwargs)
    with pytest.raises(ConfigError, match="service_level"):
        erlang_a(10, patience_s=60, **{**kwargs, "service_level": 1.5})


def test_patience_from_waits() -> None:
    seg = pl.DataFrame(
        {
            "wait_time": [10.0, 50.0, 60.0, 2.0, 30.0],
            "abandoned": [False, False, True, True, True],
            "handle_time": [100.0, 80.0, None, None, None],
        }
    )
    # (10 + 50 + 60 + 30) s of offered waiting / 2 abandons; the 2 s abandon is short.
    assert patience_from_waits(seg) == pytest.approx(75.0)
    assert patience_from_waits(seg, short_abandon_s=0) == pytest.approx(152 / 3)
    assert patience_from_waits(seg.filter(~pl.col("abandoned"))) is None


def test_patience_estimate_recovers_simulated_patience() -> None:
    # Exponential patience of mean 90 s, censored by answers after exponential waits.
    rng = np.random.default_rng(7)
    patience = rng.exponential(90, 50_000)
    answer_after = rng.exponential(40, 50_000)
    seg = pl.DataFrame(
        {
            "wait_time": np.minimum(patience, answer_after),
            "abandoned": patience < answer_after,
            "handle_time": np.where(patience < answer_after, np.nan, 100.0),
        }
    ).with_columns(pl.col("handle_time").fill_nan(None))
    assert patience_from_waits(seg, short_abandon_s=0) == pytest.approx(90, rel=0.03)


def test_required_agents_both_models_and_schedule_export() -> None:
    import datetime as dt

    from geoflex.staffing import required_agents, requirement_schedule

    demand = pl.DataFrame(
        {"hour_of_week": [14, 0, 15], "conversations": [200, 0, 50]}
    ).with_columns(aht_s=pl.lit(180.0))
    req = required_agents(
        demand, interval_s=3600, target_answer_s=20, service_level=0.8, shrinkage=0.25,
        patience_s=120,
    )  # fmt: skip
    assert req["agents"].to_list() == [14, 0, 5]  # Erlang C
    a = erlang_a(200, aht_s=180, patience_s=120, interval_s=3600, target_answer_s=20,
                 service_level=0.8, shrinkage=0.25)  # fmt: skip
    assert req["agents_erlang_a"].to_list()[0] == a.agents
    assert req["scheduled_erlang_a"].to_list()[0] == a.scheduled
    out = requirement_schedule(req, week_of=dt.date(2026, 7, 9), timezone="Europe/Paris")
    assert out.columns == [
        "interval_start_utc", "interval_start_local", "timezone", "interval_minutes", "agents",
        "agents_on_phones", "agents_erlang_c", "agents_erlang_a",
    ]  # fmt: skip
    assert out.rows()[0][:2] == ("2026-07-06T00:00:00Z", "2026-07-06T02:00:00+02:00")
    assert out["agents"].to_list() == [0, a.scheduled, req["scheduled_erlang_a"][2]]
    assert out["agents_erlang_c"].to_list() == [0, 19, 7]  # 14 / 0.75 -> 19, 5 / 0.75 -> 7
    parsed = pl.read_csv(out.write_csv().encode())
    assert parsed.height == 3
    assert parsed["agents"].to_list() == out["agents"].to_list()
    with pytest.raises(ConfigError, match="timezone"):
        requirement_schedule(req, week_of=dt.date(2026, 7, 9), timezone="Mars/Olympus")
