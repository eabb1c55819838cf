"""Exact float sums: the same on every run, and what polars gives where decimals cannot go."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from geoflex._sums import exact_mean, exact_sum


def test_edge_values_follow_polars() -> None:
    inf = float("inf")
    df = pl.DataFrame(
        {
            "k": ["nulls", "nulls", "inf", "inf", "neg", "neg", "huge", "mixed", "mixed"],
            "v": [None, None, inf, 1.0, -0.1, -0.2, -1e25, 1e17, 0.5],
        }
    )
    out = {
        k: (s, m)
        for k, s, m in df.group_by("k")
        .agg(exact_sum("v").alias("sum"), exact_mean("v").alias("mean"))
        .rows()
    }
    assert out["nulls"] == (0.0, None)
    assert out["inf"] == (inf, inf)
    assert out["neg"] == (-0.3, -0.15)
    assert out["huge"] == (-1e25, -1e25)
    assert out["mixed"][0] == 1e17  # 1e17 + 0.5, as a float


@pytest.mark.parametrize("engine", ["in-memory", "streaming"])
def test_same_on_every_run_and_exact(engine: str) -> None:
    rng = np.random.default_rng(3)
    n = 500_000
    df = pl.DataFrame({"k": rng.integers(0, 4, n), "v": np.round(rng.normal(0, 1e4, n), 3)})
    df = pl.concat([df.slice(i, 25_000) for i in range(0, n, 25_000)], rechunk=False)
    query = df.lazy().group_by("k").agg(exact_sum("v"), pl.col("v").alias("values")).sort("k")
    first = query.collect(engine=engine)
    for _ in range(5):
        assert query.collect(engine=engine).equals(first)
    for total, values in first.select("v", "values").rows():
        assert math.isclose(total, math.fsum(values), rel_tol=1e-15)
