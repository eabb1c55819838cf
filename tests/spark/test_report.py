"""The report's frames computed on Spark equal those computed on polars, frame by frame.

The tables are handed to Spark as a SparkFlexData (what geoflex.spark.read_events gives;
its own equality with geoflex.read_events is tested in test_read_events.py), so these
tests time the report's computation alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import geoflex.sample
from geoflex.report import ReportConfig
from geoflex.report._compute import ReportFrames, compute_frames
from tests.report.fake_data import HOSTILE, fake_flex_data

_TABLES = ("segments", "conversations", "customers", "agents", "problems")
_CONFIG = ReportConfig(centre_timezone=geoflex.sample.CENTRE_TIMEZONE)


def _hostile_sample() -> geoflex.FlexData:
    """The sample with hostile rows: phones that are markup, words, nothing or unknown
    codes; a conversation with no start; no handle time; a customer ZIP that is markup."""
    data = geoflex.sample.load()
    conv = data.conversations
    n = conv.height
    phones = [HOSTILE[0], "anonymous", None, "+999123456", "client:bob", "+1 (206) 555-0100"]
    odd = pl.int_range(n).alias("__i")
    conv = (
        conv.with_columns(odd)
        .with_columns(
            phone=pl.when(pl.col("__i") < len(phones))
            .then(pl.col("__i").replace_strict(range(len(phones)), phones, default=None))
            .otherwise(pl.col("phone")),
            started_at=pl.when(pl.col("__i") == 7).then(None).otherwise(pl.col("started_at")),
            handle_time=pl.when(pl.col("__i") % 11 == 0).then(None).otherwise("handle_time"),
            customers_zip=pl.when(pl.col("__i") == 8)
            .then(pl.lit(HOSTILE[1]))
            .otherwise("customers_zip"),
        )
        .drop("__i")
    )
    segments = data.segments.with_columns(
        wait_time=pl.when(pl.int_range(pl.len()) % 13 == 0).then(None).otherwise("wait_time")
    )
    return dataclasses.replace(data, conversations=conv, segments=segments)


def _on_spark(spark, data):
    import geoflex.spark as gs
    from tests.spark.conftest import plain

    frames = {name: getattr(data, name) for name in _TABLES}
    on_spark = gs.SparkFlexData(
        **{
            name: spark.createDataFrame(plain(frame).to_arrow()).repartition(3)
            for name, frame in frames.items()
        },
        truncated=dict(getattr(data, "truncated", {}) or {}),
        counts=dict(getattr(data, "counts", {}) or {}),
    )
    on_spark._schemas = {name: dict(frame.schema) for name, frame in frames.items()}
    return on_spark


def _same_frame(got: pl.DataFrame | None, want: pl.DataFrame | None, what: str) -> None:
    if want is None:
        assert got is None, what
        return
    assert got is not None, what
    assert got.columns == want.columns, what
    assert got.height == want.height, what
    try:
        assert_frame_equal(got, want, rel_tol=1e-12, abs_tol=1e-9)
    except AssertionError as exc:
        raise AssertionError(f"{what}: {exc}") from None


def _same(got: ReportFrames, want: ReportFrames) -> None:
    for name in (f.name for f in dataclasses.fields(ReportFrames)):
        mine, theirs = getattr(got, name), getattr(want, name)
        if isinstance(theirs, dict):
            assert mine.keys() == theirs.keys(), name
            for key, value in theirs.items():
                if isinstance(value, pl.DataFrame) or value is None:
                    _same_frame(mine[key], value, f"{name}[{key!r}]")
                elif isinstance(value, float):
                    assert mine[key] == pytest.approx(value, rel=1e-12), (name, key)
                else:
                    assert mine[key] == value, (name, key)
        elif isinstance(theirs, pl.DataFrame) or name in ("accuracy", "queues", "agents"):
            _same_frame(mine, theirs, name)
        elif isinstance(theirs, float):
            assert mine == pytest.approx(theirs, rel=1e-12), name
        else:
            assert mine == theirs, name


@pytest.mark.parametrize(
    "make", [_hostile_sample, fake_flex_data], ids=["sample+hostile", "resolved+markup"]
)
def test_report_frames_on_spark_equal_polars(spark, make) -> None:
    data = make()
    want = compute_frames(data, _CONFIG)
    got = compute_frames(_on_spark(spark, data), _CONFIG)
    assert want.totals["conversations"] == data.conversations.height
    assert want.places["countries"].height > 1
    assert want.timeline.height > 0
    if make is _hostile_sample:  # every frame has something to compare
        assert want.accuracy is not None
        assert want.patience_s is not None
        assert want.spikes.height > 0
        assert {"local_hour", "queue", "area_code", "city"} <= want.service.keys()
    _same(got, want)


def test_report_frames_of_the_hostile_sample_count_every_row() -> None:
    data = _hostile_sample()
    frames = compute_frames(data, _CONFIG)
    statuses = dict(frames.quality["geo_status"].iter_rows())
    assert sum(statuses.values()) == data.conversations.height
    assert {"not_a_phone", "empty"} <= set(statuses)
    # The conversation without a start counts, but in no hour.
    assert frames.timeline["conversations"].sum() == data.conversations.height - 1
    assert frames.service["overall"]["segments"].item() == data.segments.height
    assert isinstance(frames.last_start, dt.datetime)
