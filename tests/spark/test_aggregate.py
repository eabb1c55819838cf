"""geoflex.spark's aggregations give geoflex.aggregate's tables (floats to Spark's sums)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import geoflex
import geoflex.sample


@pytest.fixture(scope="module")
def segments() -> pl.DataFrame:
    """The sample's segments with geography, and hostile rows: null and unknown places,
    null times and zones, all-null measures in a group."""
    data = geoflex.sample.load()
    seg = geoflex.resolve(data.segments.head(1500), overrides={"zip": "customers_zip"})
    odd = seg.head(4).with_columns(
        state_code=pl.lit("<b>ZZ</b>"),
        handle_time=pl.lit(None, pl.Float64),
        timezone=pl.Series([None, "Asia/Kolkata", "Pacific/Chatham", None]),
    )
    nulls = seg.head(2).with_columns(created_at=pl.lit(None, seg.schema["created_at"]))
    return pl.concat([seg, odd, nulls])


@pytest.fixture(scope="module")
def sdf(spark, segments):
    from tests.spark.conftest import plain

    return spark.createDataFrame(plain(segments).to_arrow()).repartition(3).cache()


def _same(got: pl.DataFrame, want: pl.DataFrame) -> None:
    want = want.with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String))
    assert got.columns == want.columns
    assert_frame_equal(got, want, check_dtypes=False, rel_tol=1e-12, abs_tol=1e-9)


@pytest.mark.parametrize("by", ["state_code", ["country", "city"], "area_code", "queue"])
def test_volume(sdf, segments, by) -> None:
    import geoflex.spark as gs

    _same(gs.volume(sdf, by), geoflex.volume(segments, by))


@pytest.mark.parametrize(
    ("clock", "every", "by"),
    [("utc", "30m", None), ("customer", "15m", "country"), ("centre", "60m", None)],
)
def test_by_interval(sdf, segments, clock, every, by) -> None:
    import geoflex.spark as gs

    kwargs = {"clock": clock, "every": every, "by": by, "centre_timezone": "America/Chicago"}
    _same(gs.by_interval(sdf, **kwargs), geoflex.by_interval(segments, **kwargs))


@pytest.mark.parametrize("shape", ["long", "wide"])
def test_hour_of_week(sdf, segments, shape) -> None:
    import geoflex.spark as gs

    got = gs.hour_of_week(sdf, by="region", shape=shape)
    _same(got, geoflex.hour_of_week(segments, by="region", shape=shape))


@pytest.mark.parametrize("only_spikes", [True, False])
def test_spikes(sdf, segments, only_spikes) -> None:
    import geoflex.spark as gs

    kwargs = {"season": None, "window": 3, "min_history": 1, "threshold": 0.5, "min_count": 1}
    got = gs.spikes(sdf, "state_code", only_spikes=only_spikes, **kwargs)
    assert got.height > 0
    _same(got, geoflex.spikes(segments, "state_code", only_spikes=only_spikes, **kwargs))


def test_missing_columns_are_column_errors(sdf) -> None:
    import geoflex.spark as gs

    with pytest.raises(geoflex.ColumnError, match="'nope'"):
        gs.volume(sdf, "nope")
    with pytest.raises(geoflex.ConfigError, match="centre_timezone"):
        gs.by_interval(sdf, clock="centre")
    with pytest.raises(geoflex.ConfigError, match="window"):
        gs.spikes(sdf, window=0)


def test_an_error_on_an_executor_is_geoflex_own(spark, segments) -> None:
    import geoflex.spark as gs
    from tests.spark.conftest import plain

    # Only the data knows this zone is unknown: the error is raised on an executor.
    bad = plain(segments.head(20)).with_columns(timezone=pl.lit("Mars/Olympus"))
    sdf = spark.createDataFrame(bad.to_arrow())
    with pytest.raises(geoflex.ConfigError, match=r"unknown timezone.*Mars/Olympus") as info:
        gs.by_interval(sdf, clock="customer")
    with pytest.raises(geoflex.ConfigError, match=r"unknown timezone.*Mars/Olympus") as polars:
        geoflex.by_interval(bad, clock="customer")
    assert str(info.value) == str(polars.value)  # the same message, word for word


@pytest.mark.parametrize(
    ("by", "every"), [(None, None), ("state_code", None), (["queue", "country"], "60m")]
)
def test_service_metrics(sdf, segments, by, every) -> None:
    import geoflex.spark as gs

    got = gs.service_metrics(sdf, by, every=every)
    _same(got, geoflex.service_metrics(segments, by, every=every))
