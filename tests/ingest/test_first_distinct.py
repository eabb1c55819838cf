"""The hash-assisted duplicate test equals polars' is_first_distinct."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_series_equal

from geoflex.ingest._read import _first_distinct


@pytest.mark.parametrize(
    "values",
    [[], ["a"], [None], [None, None, "a", "a", None], ["x", "y", "x", "z", "y", "x"]],
)
def test_small_cases(values: list[str | None]) -> None:
    s = pl.Series("sid", values, dtype=pl.String)
    assert_series_equal(_first_distinct(s), s.is_first_distinct(), check_names=False)


@pytest.mark.parametrize("seed", range(30))
def test_random_repeats(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    s = pl.Series("sid", rng.integers(0, int(rng.integers(1, 400)), n).astype(str).tolist())
    s = s.scatter(rng.integers(0, n, min(3, n)), None)
    assert_series_equal(_first_distinct(s), s.is_first_distinct(), check_names=False)
