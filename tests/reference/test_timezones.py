"""timezone_at and timezone_at_expr (tzfpy)."""

from __future__ import annotations

import math

import polars as pl

from geoflex.reference import timezone_at, timezone_at_expr


def test_known_points() -> None:
    assert timezone_at(40.7128, -74.006) == "America/New_York"
    assert timezone_at(35.6762, 139.6503) == "Asia/Tokyo"
    assert timezone_at(-33.8688, 151.2093) == "Australia/Sydney"
    assert timezone_at(33.4484, -112.074) == "America/Phoenix"


def test_bad_points_give_none() -> None:
    assert timezone_at(None, 1.0) is None
    assert timezone_at(math.nan, 1.0) is None
    assert timezone_at(91.0, 0.0) is None
    assert timezone_at(0.0, 181.0) is None


def test_expression_agrees_with_scalar_and_keeps_rows() -> None:
    lats = [40.7128, 35.6762, None, 40.7128, 95.0, 51.5072]
    lons = [-74.006, 139.6503, 3.0, -74.006, 0.0, -0.1276]
    df = pl.DataFrame({"lat": lats, "lon": lons})
    got = df.select(tz=timezone_at_expr("lat", "lon"))["tz"].to_list()
    assert got == [timezone_at(a, b) for a, b in zip(lats, lons, strict=True)]
    lazy = df.lazy().with_columns(tz=timezone_at_expr(pl.col("lat"), pl.col("lon"))).collect()
    assert lazy["tz"].to_list() == got


def test_expression_on_integer_columns_and_empty_frames() -> None:
    df = pl.DataFrame({"lat": [48], "lon": [2]})
    assert df.select(timezone_at_expr("lat", "lon")).item() == "Europe/Paris"
    empty = pl.DataFrame({"lat": [], "lon": []}, schema={"lat": pl.Float64, "lon": pl.Float64})
    assert empty.select(tz=timezone_at_expr("lat", "lon")).height == 0
