"""geoflex.spark.resolve gives geoflex.resolve's answers, column for column, on local Spark."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import geoflex
import geoflex.sample
from geoflex.resolve import GEO_COLUMNS
from tests.spark.conftest import plain, to_polars

NASTY = [
    json.loads(line)["input"]
    for line in (Path(__file__).parent.parent / "resolve" / "nasty_inputs.jsonl")
    .read_text("utf-8")
    .splitlines()
]
OVERRIDES = {
    "zip": "c_zip",
    "city": "c_city",
    "state": "c_state",
    "country": "c_country",
    "area": "c_area",
    "region": "c_region",
    "latitude": "c_lat",
    "longitude": "c_lon",
}


def _phones() -> list[str | None]:
    """The committed sample's phones, every hostile input the polars tests use, and huge and
    control-character strings, with repeats."""
    sample = geoflex.sample.load().segments["phone"].to_list()[:600]
    hostile = ["\x00+1 206 555 0100\x07", "+" + "9" * 5000, "<script>alert(1)</script>"]
    return [*sample, *NASTY, *hostile, *NASTY[:10]]


def _frame() -> pl.DataFrame:
    phones = _phones()
    n = len(phones)

    def sparse(values: list[object]) -> list[object]:
        # Mostly null, as customer attributes are: the join back must be null-safe.
        return [values[i % len(values)] if i % 7 == 0 else None for i in range(n)]

    return pl.DataFrame(
        {
            "id": range(n),
            "phone": phones,
            "c_zip": sparse(["98101", "  ", "nope", "10001-1234", "94103"]),
            "c_city": sparse(["Portland", "<b>x</b>" * 100, "", "Springfield"]),
            "c_state": sparse(["WA", "US-OR", "Texas", "Nowhere"]),
            "c_country": sparse(["US", "France", "ZZ", "gb"]),
            "c_area": sparse(["x" * 1000, "King County"]),
            "c_region": sparse(["West", None]),
            "c_lat": sparse([47.6, float("nan"), 91.0, 51.5]),
            "c_lon": sparse([-122.3, 0.0, float("nan"), -0.12]),
        },
        schema_overrides={"c_lat": pl.Float64, "c_lon": pl.Float64},
    )


def _same(spark_out, expected: pl.DataFrame) -> None:
    got = to_polars(spark_out).sort("id")
    assert got.columns == expected.columns
    assert_frame_equal(got, plain(expected), check_dtypes=False)


def test_every_column_matches_polars_with_overrides_and_regions(spark) -> None:
    import geoflex.spark as gs

    frame = _frame()
    regions = {"US": "Americas", ("US", "WA"): "Cascadia", "GB": "EMEA"}
    sdf = spark.createDataFrame(frame.to_arrow()).repartition(3)
    out = gs.resolve(sdf, overrides=OVERRIDES, regions=regions, default_country="gb")
    expected = geoflex.resolve(frame, overrides=OVERRIDES, regions=regions, default_country="gb")
    _same(out, expected)


def test_plain_phones_every_row_kept_and_plan_runs_in_arrow(spark) -> None:
    import geoflex.spark as gs

    # A timestamp column travels too (Arrow schemas with times need the session zone).
    frame = _frame().select(
        "id", "phone", at=pl.datetime(2026, 1, 5, 15, time_zone="UTC") + pl.duration(hours="id")
    )
    out = gs.resolve(spark.createDataFrame(frame.to_arrow()))
    plan = out._jdf.queryExecution().executedPlan().toString()
    assert "MapInArrow" in plan  # resolved on the executors, in Arrow batches
    _same(out, geoflex.resolve(frame))
    assert [f.name for f in out.schema] == ["id", "phone", "at", *GEO_COLUMNS]


def test_errors_are_geoflex_errors_before_any_job(spark) -> None:
    import geoflex.spark as gs

    sdf = spark.createDataFrame([(1, "+1 206 555 0100", "x")], "n long, phone string, city string")
    with pytest.raises(geoflex.ColumnError, match="phone column 'tel' not found"):
        gs.resolve(sdf, "tel")
    with pytest.raises(geoflex.ColumnError, match="has type Int64"):
        gs.resolve(sdf, "n")
    with pytest.raises(geoflex.ColumnError, match="already has column"):
        gs.resolve(sdf)
    with pytest.raises(geoflex.ConfigError, match="unknown field 'postcode'"):
        gs.resolve(sdf, overrides={"postcode": "city"})
    with pytest.raises(geoflex.ConfigError, match="default_country"):
        gs.resolve(sdf.drop("city"), default_country="USA")


@pytest.mark.parametrize(
    ("join", "limit", "planned"),
    [
        ("auto", 100_000, "BroadcastHashJoin"),
        ("auto", 10, "SortMergeJoin"),  # more distinct values than the limit
        ("broadcast", 0, "BroadcastHashJoin"),
        ("shuffle", 100_000, "SortMergeJoin"),
    ],
)
def test_every_join_gives_the_same_rows(spark, join, limit, planned) -> None:
    import geoflex.spark as gs

    frame = _frame()
    sdf = spark.createDataFrame(frame.to_arrow()).repartition(3)
    out = gs.resolve(sdf, overrides=OVERRIDES, join=join, broadcast_limit=limit)
    plan = out._jdf.queryExecution().executedPlan().toString()
    assert planned in plan, plan
    if planned == "BroadcastHashJoin":  # the rows are not shuffled: only the distinct values
        assert plan.count("Exchange hashpartitioning") == 1, plan
    _same(out, geoflex.resolve(frame, overrides=OVERRIDES))


def test_join_choices_are_checked(spark) -> None:
    import geoflex.spark as gs

    sdf = spark.createDataFrame([("+1 206 555 0100",)], "phone string")
    with pytest.raises(geoflex.ConfigError, match="join must be one of 'auto'"):
        gs.resolve(sdf, join="hash")  # type: ignore[arg-type]
    with pytest.raises(geoflex.ConfigError, match="broadcast_limit must be 0 or more"):
        gs.resolve(sdf, broadcast_limit=-1)
