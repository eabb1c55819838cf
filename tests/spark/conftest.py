"""One local Spark session (local[2]) for every Spark test: starting one takes ~10 s.

The tests skip, saying why, when pyspark or a Java runtime is missing; CI has both
(``.ci/run`` installs Debian's openjdk-17-jre-headless, the dev extra pulls pyspark).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest

from geoflex import MissingDependencyError


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    try:
        import geoflex.spark as gs

        gs.check_java()
    except MissingDependencyError as exc:
        pytest.skip(f"no local Spark: {exc}")
    session = gs.session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    # Small test data: a few shuffle partitions, not Spark's default 200.
    session.conf.set("spark.sql.shuffle.partitions", "4")
    yield session
    session.stop()


def to_polars(sdf: Any) -> pl.DataFrame:
    """A (small, test-sized) Spark DataFrame as polars, through Arrow."""
    frame = pl.from_arrow(sdf.toArrow())
    assert isinstance(frame, pl.DataFrame)
    return frame


def plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Enums and categoricals as strings, as Spark holds them."""
    return frame.with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String))
