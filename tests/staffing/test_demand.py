"""Demand per hour of an average week, in UTC and in local time."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from geoflex._errors import ColumnError
from geoflex.staffing import hour_of_week_expr, weekly_demand


def test_hour_of_week_covers_the_whole_week():
    days = pl.datetime_range(
        dt.datetime(2026, 1, 5), dt.datetime(2026, 1, 11, 23), "1h", eager=True
    )
    assert pl.select(hour_of_week_expr(pl.lit(days))).to_series().to_list() == list(range(168))


def test_weekly_demand_averages_over_occurrences():
    # Two full weeks: every hour-of-week occurs twice.
    times = [
        dt.datetime(2026, 1, 5, 9, 10),
        dt.datetime(2026, 1, 12, 9, 50),
        dt.datetime(2026, 1, 11, 23, 5),
        dt.datetime(2026, 1, 18, 23, 59),
    ]
    df = pl.DataFrame({"started_at": times, "handle_time": [60.0, 120.0, 30.0, None]})
    out = weekly_demand(df)
    assert out.height == 168
    assert out["total"].sum() == 4
    assert out.row(9, named=True) == {
        "hour_of_week": 9,
        "conversations": 1.0,
        "total": 2,
        "aht_s": 90.0,
    }
    sunday = out.row(167, named=True)
    assert (sunday["conversations"], sunday["total"], sunday["aht_s"]) == (1.0, 2, 30.0)


def test_partial_weeks_count_each_hour_as_often_as_it_occurred():
    # Monday 00:00 to Tuesday 23:59 of week 1 and Monday of week 2: Mondays occur twice.
    times = [dt.datetime(2026, 1, 5, 0), dt.datetime(2026, 1, 6, 5), dt.datetime(2026, 1, 12, 0)]
    out = weekly_demand(pl.DataFrame({"started_at": times}), handle_time=None)
    assert out.row(0, named=True)["conversations"] == 1.0  # 2 conversations / 2 Mondays
    assert out.row(29, named=True)["conversations"] == 1.0  # 1 conversation / 1 Tuesday
    assert "aht_s" not in out.columns


def test_aware_times_are_converted_to_utc():
    df = pl.DataFrame({"started_at": [dt.datetime(2026, 1, 5, 10)]}).with_columns(
        pl.col("started_at").dt.replace_time_zone("Europe/Paris")
    )
    out = weekly_demand(df, handle_time=None)
    assert out.filter(pl.col("total") > 0)["hour_of_week"].to_list() == [9]


def test_local_demand_per_timezone():
    t = dt.datetime(2026, 1, 5, 14)  # Monday 14:00 UTC
    df = pl.DataFrame({"started_at": [t, t, t], "tz": ["Asia/Tokyo", "America/Chicago", None]})
    out = weekly_demand(df, handle_time=None, timezone="tz")
    seen = out.filter(pl.col("total") > 0).select("timezone", "hour_of_week").rows()
    assert sorted(seen, key=str) == sorted(
        [("Asia/Tokyo", 23), ("America/Chicago", 8), (None, 14)], key=str
    )
    assert out.height == 3 * 168
    assert out["total"].sum() == 3


def test_missing_columns():
    with pytest.raises(ColumnError, match="started_at"):
        weekly_demand(pl.DataFrame({"x": [1]}))
