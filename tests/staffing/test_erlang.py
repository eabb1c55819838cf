"""Erlang C against published values and an independent brute-force exact formula."""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal, localcontext
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoflex._errors import ColumnError, ConfigError
from geoflex.staffing import ErlangResult, erlang_c, required_agents
from geoflex.staffing._erlang import _scheduled


def exact_service_level(n: int, traffic: Fraction, target: Fraction, aht: Fraction) -> Decimal:
    """Textbook Erlang C with exact rationals (A^N/N! summed), exp in 60-digit Decimal."""
    terms = [traffic**k / math.factorial(k) for k in range(n)]
    top = traffic**n / math.factorial(n) * Fraction(n) / (n - traffic)
    wait = top / (sum(terms) + top)
    with localcontext() as ctx:
        ctx.prec = 60
        decay = (-(Decimal(n) - _dec(traffic)) * _dec(target) / _dec(aht)).exp()
        return 1 - _dec(wait) * decay


def _dec(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def brute_force_agents(volume, aht, interval, target, level, max_occupancy=1.0) -> int:
    traffic = Fraction(repr(volume)) * Fraction(repr(aht)) / Fraction(repr(interval))
    if traffic == 0:
        return 0
    n = math.floor(traffic) + 1
    while True:
        ok_level = exact_service_level(n, traffic, Fraction(repr(target)), Fraction(repr(aht)))
        if ok_level >= Decimal(repr(level)) and traffic / n <= Fraction(repr(max_occupancy)):
            return n
        n += 1


def test_classic_published_example():
    # 100 calls in 30 minutes, AHT 3 minutes, 80% answered in 20 seconds: 14 agents.
    r = erlang_c(100, aht_s=180, interval_s=1800, target_answer_s=20, service_level=0.8)
    assert r.agents == 14
    assert r.traffic_erlangs == 10.0
    assert r.occupancy == pytest.approx(10 / 14)
    assert r.service_level >= 0.8
    # 13 agents would not do: check the level there with the exact formula.
    assert exact_service_level(13, Fraction(10), Fraction(20), Fraction(180)) < Decimal("0.8")


def test_textbook_wait_probability_10_erlangs_11_agents():
    # Erlang C tables: A = 10 erlangs, N = 11 servers -> P(wait) = 0.6821.
    r = erlang_c(200, aht_s=180, interval_s=3600, target_answer_s=0, service_level=0.1)
    assert r.agents == 11
    assert r.wait_probability == pytest.approx(0.6821, abs=5e-5)
    assert r.service_level == pytest.approx(1 - r.wait_probability)
    assert r.average_speed_of_answer_s == pytest.approx(0.6821 * 180 / 1, rel=1e-3)


@pytest.mark.parametrize("volume", [1, 3, 17.5, 40, 100, 250, 420])
@pytest.mark.parametrize(
    ("aht", "target", "level"), [(180, 20, 0.8), (300, 30, 0.9), (45, 10, 0.5)]
)
def test_agrees_with_exact_formula(volume, aht, target, level):
    expected = brute_force_agents(volume, aht, 1800, target, level)
    r = erlang_c(volume, aht_s=aht, interval_s=1800, target_answer_s=target, service_level=level)
    assert r.agents == expected
    exact = exact_service_level(
        r.agents, Fraction(repr(volume)) * aht / 1800, Fraction(target), Fraction(aht)
    )
    assert r.service_level == pytest.approx(float(exact), rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    volume=st.integers(min_value=0, max_value=300),
    aht=st.integers(min_value=10, max_value=900),
    target=st.integers(min_value=0, max_value=120),
    level=st.sampled_from([0.5, 0.7, 0.8, 0.9, 0.95]),
    occupancy=st.sampled_from([1.0, 0.9, 0.85, 0.7]),
)
def test_property_matches_brute_force(volume, aht, target, level, occupancy):
    r = erlang_c(
        volume,
        aht_s=aht,
        interval_s=1800,
        target_answer_s=target,
        service_level=level,
        max_occupancy=occupancy,
    )
    assert r.agents == brute_force_agents(volume, aht, 1800, target, level, occupancy)
    assert r.occupancy <= occupancy + 1e-12


def test_volume_zero_needs_nobody():
    r = erlang_c(0, aht_s=180, interval_s=1800, target_answer_s=20, service_level=0.8)
    assert (r.agents, r.scheduled, r.occupancy, r.wait_probability) == (0, 0, 0.0, 0.0)
    assert r.service_level == 1.0


def test_thousands_of_erlangs_do_not_overflow():
    # 20,000 erlangs: the A**N / N! form overflows a float long before this.
    r = erlang_c(400_000, aht_s=180, interval_s=3600, target_answer_s=20, service_level=0.8)
    assert r.traffic_erlangs == 20_000
    assert 20_000 < r.agents < 20_200
    assert 0.8 <= r.service_level < 1
    assert math.isfinite(r.wait_probability)
    assert 0 < r.wait_probability <= 1
    smaller = erlang_c(399_000, aht_s=180, interval_s=3600, target_answer_s=20, service_level=0.8)
    assert smaller.agents <= r.agents


def test_more_volume_never_needs_fewer_agents():
    agents = [
        erlang_c(v, aht_s=240, interval_s=1800, target_answer_s=20, service_level=0.8).agents
        for v in range(0, 400, 7)
    ]
    assert agents == sorted(agents)


def test_scheduled_rounds_up_without_float_artefacts():
    assert _scheduled(17, Fraction(repr(0.15))) == 20  # 17 / 0.85 = 20 exactly
    assert _scheduled(10, Fraction(repr(0.5))) == 20  # not 21
    assert _scheduled(21, Fraction(repr(0.3))) == 30  # 21 / 0.7 = 30 exactly...
    assert math.ceil(21 / (1 - 0.3)) == 31  # ...which naive float arithmetic rounds to 31
    assert _scheduled(14, Fraction(repr(0.3))) == 20
    assert _scheduled(15, Fraction(repr(0.3))) == 22


def test_scheduled_through_public_api():
    # Find a volume needing 17 agents; with 15% shrinkage that is 20 scheduled.
    for volume in range(100, 400):
        r = erlang_c(
            volume,
            aht_s=180,
            interval_s=1800,
            target_answer_s=20,
            service_level=0.8,
            shrinkage=0.15,
        )
        if r.agents == 17:
            assert r.scheduled == 20
            break
    else:
        pytest.fail("no volume needed 17 agents")


def test_max_occupancy_raises_agents_exactly():
    # Traffic 7 erlangs, a loose service level: occupancy 70% means 7 / 0.7 = 10 agents.
    r = erlang_c(
        7, aht_s=3600, interval_s=3600, target_answer_s=0, service_level=0.01, max_occupancy=0.7
    )
    assert r.agents == 10
    assert r.occupancy == pytest.approx(0.7)
    loose = erlang_c(7, aht_s=3600, interval_s=3600, target_answer_s=0, service_level=0.01)
    assert loose.agents == 8


def test_result_is_frozen():
    r = erlang_c(10, aht_s=180, interval_s=1800, target_answer_s=20, service_level=0.8)
    assert isinstance(r, ErlangResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.agents = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"volume": -1}, "volume must be >= 0"),
        ({"volume": float("nan")}, "volume must be finite"),
        ({"volume": "10"}, "volume must be a number"),
        ({"volume": True}, "volume must be a number"),
        ({"aht_s": 0}, "aht_s"),
        ({"interval_s": -5}, "interval_s"),
        ({"target_answer_s": -1}, "target_answer_s"),
        ({"service_level": 1.0}, "service_level"),
        ({"service_level": 0}, "service_level"),
        ({"service_level": 80}, "0.8 for 80%"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"shrinkage": -0.1}, "shrinkage"),
        ({"max_occupancy": 0}, "max_occupancy"),
        ({"max_occupancy": 1.2}, "max_occupancy"),
        ({"aht_s": float("inf")}, "aht_s must be finite"),
    ],
)
def test_invalid_inputs_raise_config_error(kwargs, message):
    args = {
        "volume": 10,
        "aht_s": 180,
        "interval_s": 1800,
        "target_answer_s": 20,
        "service_level": 0.8,
    } | kwargs
    volume = args.pop("volume")
    with pytest.raises(ConfigError, match=message):
        erlang_c(volume, **args)


# -- the vectorized form --------------------------------------------------------------


def test_required_agents_matches_scalar_per_row_and_keeps_order():
    frame = pl.DataFrame(
        {
            "slot": [3, 1, 2, 0, 4],
            "conversations": [100, 0, 17, 250, 100],
            "aht_s": [180.0, None, 240.0, 300.0, 180.0],
        }
    )
    out = required_agents(
        frame, interval_s=1800, target_answer_s=20, service_level=0.8, shrinkage=0.25
    )
    assert out["slot"].to_list() == [3, 1, 2, 0, 4]
    assert out.columns == [
        "slot",
        "conversations",
        "aht_s",
        "traffic_erlangs",
        "agents",
        "scheduled",
        "service_level",
        "occupancy",
        "wait_probability",
    ]
    for row in out.iter_rows(named=True):
        if row["conversations"] == 0:
            assert (row["agents"], row["scheduled"]) == (0, 0)
            continue
        r = erlang_c(
            row["conversations"],
            aht_s=row["aht_s"],
            interval_s=1800,
            target_answer_s=20,
            service_level=0.8,
            shrinkage=0.25,
        )
        assert (row["agents"], row["scheduled"]) == (r.agents, r.scheduled)
        assert row["service_level"] == r.service_level


def test_required_agents_lazy_in_lazy_out():
    lazy = pl.LazyFrame({"calls": [100], "handle": [180]})
    out = required_agents(
        lazy, volume="calls", aht="handle", interval_s=1800, target_answer_s=20, service_level=0.8
    )
    assert isinstance(out, pl.LazyFrame)
    assert out.collect()["agents"].to_list() == [14]


def test_required_agents_null_handle_time():
    frame = pl.DataFrame({"conversations": [100, None], "aht_s": [None, None]})
    with pytest.raises(ConfigError, match="default_aht_s"):
        required_agents(frame, interval_s=1800, target_answer_s=20, service_level=0.8)
    out = required_agents(
        frame, interval_s=1800, target_answer_s=20, service_level=0.8, default_aht_s=180
    )
    assert out["agents"].to_list() == [14, None]


def test_required_agents_errors():
    frame = pl.DataFrame({"conversations": [1]})
    with pytest.raises(ColumnError, match="aht_s"):
        required_agents(frame, interval_s=1800, target_answer_s=20, service_level=0.8)
    with pytest.raises(ConfigError, match="service_level"):
        required_agents(
            frame.with_columns(aht_s=pl.lit(1.0)),
            interval_s=1800,
            target_answer_s=20,
            service_level=2,
        )


def test_required_agents_empty_frame():
    frame = pl.DataFrame(
        {"conversations": [], "aht_s": []}, schema={"conversations": pl.Int64, "aht_s": pl.Float64}
    )
    out = required_agents(frame, interval_s=1800, target_answer_s=20, service_level=0.8)
    assert out.height == 0
    assert "agents" in out.columns
