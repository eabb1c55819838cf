"""Sums added in row order: the same on every run, polars' sums otherwise."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from geoflex._sums import ordered_mean, ordered_sum


def test_edge_values_follow_polars() -> None:
    inf = float("inf")
    df = pl.DataFrame(
        {
            "k": ["nulls", "nulls", "inf", "inf", "nan", "neg", "neg", "one", "empty"],
            "v": [None, None, inf, 1.0, float("nan"), -0.5, -0.25, 0.1, None],
        }
    ).filter(pl.col("k") != "empty")
    ours = df.group_by("k").agg(ordered_sum("v").alias("s"), ordered_mean("v").alias("m"))
    theirs = df.group_by("k").agg(pl.col("v").sum().alias("s"), pl.col("v").mean().alias("m"))
    assert ours.sort("k").equals(theirs.sort("k"))
    assert dict(ours.select("k", "s").rows())["nulls"] == 0.0
    assert dict(ours.select("k", "m").rows())["nulls"] is None
    # Over a whole frame too.
    assert math.isnan(df.select(ordered_sum("v")).item())
    assert pl.DataFrame({"v": [0.5, 0.25]}).select(ordered_mean("v")).item() == 0.375


@pytest.mark.parametrize("engine", ["in-memory", "streaming"])
def test_same_on_every_run(engine: str) -> None:
    # polars' own sums of this frame differ from run to run (several chunks, few groups).
    rng = np.random.default_rng(3)
    n = 500_000
    df = pl.DataFrame({"k": rng.integers(0, 4, n), "v": np.round(rng.normal(0, 1e4, n), 3)})
    df = pl.concat([df.slice(i, 25_000) for i in range(0, n, 25_000)], rechunk=False)
    query = df.lazy().group_by("k").agg(ordered_sum("v"), pl.col("v").alias("values")).sort("k")
    first = query.collect(engine=engine)
    for _ in range(5):
        assert query.collect(engine=engine).equals(first)
    for total, values in first.select("v", "values").rows():
        assert math.isclose(total, math.fsum(values), rel_tol=1e-12)


def test_a_group_of_one_value_sums_to_it() -> None:
    values = pl.Series(np.random.default_rng(4).random(50_000) * 1000)
    df = pl.DataFrame({"v": values}).with_row_index("k")
    out = df.group_by("k").agg(ordered_sum("v").alias("s"), ordered_mean("v").alias("m"))
    out = out.sort("k")
    assert out["s"].equals(values, check_names=False)
    assert out["m"].equals(values, check_names=False)
