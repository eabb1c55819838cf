"""Aggregations: volume, intervals in three clocks, hour of week, spikes, accuracy."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import geoflex
import geoflex.sample
from geoflex import ColumnError, ConfigError
from geoflex.aggregate import with_area_code

UTC = dt.timezone.utc


def _segments() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "created_at": [
                dt.datetime(2026, 3, 7, 14, 5, tzinfo=UTC),  # Sat 09:05 New York (EST)
                dt.datetime(2026, 3, 9, 13, 5, tzinfo=UTC),  # Mon 09:05 New York (EDT)
                dt.datetime(2026, 3, 9, 13, 20, tzinfo=UTC),  # Mon 13:20 London
                dt.datetime(2026, 3, 9, 13, 50, tzinfo=UTC),  # Mon 19:20 Kolkata
            ],
            "timezone": ["America/New_York", "America/New_York", "Europe/London", "Asia/Kolkata"],
            "state_code": ["US-NY", "US-NY", None, None],
            "country": ["US", "US", "GB", "IN"],
            "queue": ["Sales", "Support", "Sales", "Sales"],
            "phone_e164": ["+12125550100", "+13475550100", "+442071234567", "+911123456789"],
            "handle_time": [100.0, 200.0, 300.0, None],
            "wait_time": [10.0, 20.0, 30.0, 40.0],
            "abandoned": [False, False, False, True],
        }
    )


def test_volume_by_place_and_any_column() -> None:
    seg = _segments()
    by_country = geoflex.volume(seg, "country")
    assert by_country.columns == [
        "country", "conversations", "abandoned", "handle_time", "avg_handle_time", "wait_time",
        "avg_wait_time",
    ]  # fmt: skip
    assert by_country.row(0) == ("US", 2, 0, 300.0, 150.0, 30.0, 15.0)
    by_queue = geoflex.volume(seg, ["queue", "country"], measures=["wait_time"])
    assert by_queue.select("queue", "country", "conversations").rows()[0] == ("Sales", "GB", 1)
    # Area code is derived from phone_e164 for NANP numbers.
    codes = geoflex.volume(seg, "area_code")
    assert dict(codes.select("area_code", "conversations").iter_rows()) == {
        "212": 1,
        "347": 1,
        None: 2,
    }
    with pytest.raises(ColumnError, match=r"geoflex\.resolve"):
        geoflex.volume(seg.drop("country"), "country")


def test_sums_are_the_same_on_every_run() -> None:
    # polars adds floats in whatever order its threads finish, so its sums of many rows
    # change in their last bits from run to run; geoflex's must not.
    rng = np.random.default_rng(5)
    n = 600_000
    seg = pl.DataFrame(
        {
            "created_at": pl.datetime_range(
                dt.datetime(2026, 3, 2, tzinfo=UTC),
                dt.datetime(2026, 3, 2, tzinfo=UTC) + dt.timedelta(seconds=n - 1),
                "1s",
                eager=True,
            ),
            "state_code": rng.choice(["US-NY", "US-TX", "US-WA"], n),
            "handle_time": np.round(rng.random(n) * 600, 3),
        }
    )
    seg = pl.concat([seg.slice(i, 50_000) for i in range(0, n, 50_000)], rechunk=False)
    runs = [
        (geoflex.volume(seg, "state_code"), geoflex.hour_of_week(seg, clock="utc"))
        for _ in range(8)
    ]
    for volume, hours in runs[1:]:
        assert volume.equals(runs[0][0])
        assert hours.equals(runs[0][1])
    for code, total in runs[0][0].select("state_code", "handle_time").rows():
        values = seg.filter(pl.col("state_code") == code)["handle_time"]
        assert total == pytest.approx(math.fsum(values), rel=1e-12, abs=0)


def test_lazy_in_lazy_out() -> None:
    seg = _segments()
    lazy = geoflex.volume(seg.lazy(), "country")
    assert isinstance(lazy, pl.LazyFrame)
    assert_frame_equal(lazy.collect(), geoflex.volume(seg, "country"))
    interval = geoflex.by_interval(seg.lazy(), clock="customer")
    assert isinstance(interval, pl.LazyFrame)
    assert_frame_equal(interval.collect(), geoflex.by_interval(seg, clock="customer"))
    assert isinstance(geoflex.spikes(seg.lazy(), "country"), pl.LazyFrame)
    assert isinstance(geoflex.hour_of_week(seg.lazy()), pl.LazyFrame)


def test_intervals_in_three_clocks() -> None:
    seg = _segments()
    utc = geoflex.by_interval(seg, every="60m")
    assert utc.select(pl.col("interval_start").dt.hour(), "conversations").rows() == [
        (14, 1),
        (13, 3),
    ]
    centre = geoflex.by_interval(
        seg, every="30m", clock="centre", centre_timezone="America/Chicago"
    )
    assert centre["interval_start"].dt.strftime("%a %H:%M").to_list() == [
        "Sat 08:00", "Mon 08:00", "Mon 08:30",
    ]  # fmt: skip
    local = geoflex.by_interval(seg, every="15m", clock="customer")
    # New York switched to daylight time on 8 March: both calls are 09:05 local.
    assert local["interval_start"].dt.strftime("%a %H:%M").to_list() == [
        "Sat 09:00", "Mon 09:00", "Mon 13:15", "Mon 19:15",
    ]  # fmt: skip
    by_country = geoflex.by_interval(seg, every="1h", clock="customer", by="country")
    assert by_country.columns[:3] == ["interval_start", "country", "conversations"]
    with pytest.raises(ConfigError, match="every must be"):
        geoflex.by_interval(seg, every="7m")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="centre_timezone"):
        geoflex.by_interval(seg, clock="centre")
    with pytest.raises(ConfigError, match="clock must be"):
        geoflex.by_interval(seg, clock="mars")  # type: ignore[arg-type]


def test_local_time_dst_and_half_hour_zones() -> None:
    df = pl.DataFrame(
        {
            "created_at": [
                dt.datetime(2026, 3, 8, 6, 59, tzinfo=UTC),  # 01:59 EST
                dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # 03:00 EDT
                dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 EDT
                dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC),  # 01:30 EST
                dt.datetime(2026, 3, 8, 5, 31, tzinfo=UTC),  # 03:01 NDT (St John's, -2:30)
            ],
            "timezone": ["America/New_York"] * 4 + ["America/St_Johns"],
        }
    )
    out = geoflex.local_time(df)["local_time"].dt.strftime("%H:%M").to_list()
    assert out == ["01:59", "03:00", "01:30", "01:30", "03:01"]
    naive = df.with_columns(pl.col("created_at").dt.replace_time_zone(None))
    assert geoflex.local_time(naive)["local_time"].equals(geoflex.local_time(df)["local_time"])
    with pytest.raises(ConfigError, match="unknown timezone"):
        geoflex.local_time(df.with_columns(timezone=pl.lit("Mars/Olympus")))


def test_hour_of_week() -> None:
    seg = _segments()
    long = geoflex.hour_of_week(seg, by="country")
    assert long.height == 3 * 168
    nonzero = long.filter(pl.col("conversations") > 0).select("country", "weekday", "hour").rows()
    assert sorted(nonzero) == [("GB", 1, 13), ("IN", 1, 19), ("US", 1, 9), ("US", 6, 9)]
    wide = geoflex.hour_of_week(seg, shape="wide", value="conversations")
    assert wide.shape == (7, 25)
    assert wide.filter(pl.col("weekday") == "Mon")["09"].item() == 1
    assert wide.select(pl.exclude("weekday")).sum_horizontal().sum() == 4
    with pytest.raises(ConfigError, match="value must be"):
        geoflex.hour_of_week(seg, shape="wide", value="nope")


def test_spikes_finds_a_burst_and_not_noise() -> None:
    base = dt.datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for day in range(14):
        for hour in range(24):
            n = 3 if 9 <= hour < 17 else 1
            rows += [("US-TX", base + dt.timedelta(days=day, hours=hour))] * n
            rows += [("US-WA", base + dt.timedelta(days=day, hours=hour))] * n
    rows += [("US-TX", base + dt.timedelta(days=12, hours=15, minutes=5))] * 20
    seg = pl.DataFrame(rows, schema=["state_code", "created_at"], orient="row")
    daily = {"season": "day", "window": 7, "min_history": 3}
    found = geoflex.spikes(seg, **daily)  # type: ignore[arg-type]
    assert found.select("state_code", "observed", "expected", "intervals").rows() == [
        ("US-TX", 23, 3.0, 1)
    ]
    assert found["start"].item() == base + dt.timedelta(days=12, hours=15)
    assert found["timezone"].item() == "UTC"  # no zone column: shown in UTC
    everything = geoflex.spikes(seg, only_spikes=False, **daily)  # type: ignore[arg-type]
    assert everything.height == 2 * 14 * 24
    assert everything["spike"].sum() == 1
    # The daily rhythm alone (busier 9-17) is not a spike with the seasonal baseline.
    wa = seg.filter(pl.col("state_code") == "US-WA")
    assert geoflex.spikes(wa, **daily).height == 0  # type: ignore[arg-type]
    # By weekday and hour, two weeks are too little history (2 earlier weeks needed).
    assert geoflex.spikes(seg).height == 0
    with pytest.raises(ConfigError, match="window"):
        geoflex.spikes(seg, window=2, min_history=3)


def test_spike_episodes_in_local_time() -> None:
    # Six weeks of 2 conversations an hour in Chicago; in week 6 a storm of 5 hours with a
    # dip in its fourth hour, and a second, separate burst later that day.
    base = dt.datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
    rows = [
        ("US-TX", "America/Chicago", base + dt.timedelta(hours=h, minutes=m))
        for h in range(6 * 7 * 24)
        for m in (10, 40)
    ]
    storm = base + dt.timedelta(weeks=5, days=2, hours=15)  # Wed 09:00 Chicago (CST)
    extra = [20, 25, 18, 4, 22]  # the fourth hour dips but stays elevated
    for hour, n in enumerate(extra):
        rows += [("US-TX", "America/Chicago", storm + dt.timedelta(hours=hour, minutes=5))] * n
    later = storm + dt.timedelta(hours=8)
    rows += [("US-TX", "America/Chicago", later + dt.timedelta(minutes=20))] * 15
    seg = pl.DataFrame(rows, schema=["state_code", "timezone", "created_at"], orient="row")
    found = geoflex.spikes(seg).sort("start")
    assert found.height == 2
    first = found.row(0, named=True)
    assert first["intervals"] == 5
    assert (first["observed"], first["expected"]) == (sum(extra) + 10, 10.0)
    assert first["start_local"] == dt.datetime(2026, 2, 11, 9)
    assert first["end_local"] == dt.datetime(2026, 2, 11, 14)
    assert first["reason"].startswith(
        "99 conversations in 5 hours from Wed 11 Feb 2026 09:00 to 14:00 (America/Chicago), "
        "against 10.0 expected (the median of the same weekday and hour over the previous "
        "4 weeks): 89.0 more, 9.9×"
    )
    assert found.row(1, named=True)["intervals"] == 1
    by_excess = geoflex.spikes(seg)
    assert by_excess["excess"].to_list() == sorted(by_excess["excess"].to_list(), reverse=True)


def test_sample_storm_is_found_in_texas() -> None:
    data = geoflex.sample.load()
    geo = geoflex.resolve(data.conversations, "phone")
    found = geoflex.spikes(
        geo, "state_code", time="started_at", season="day", window=7, min_history=3
    )
    # The sample's storm: one Texas episode of six hours in Central time.
    assert found.select("state_code", "intervals", "timezone").row(0) == (
        "US-TX",
        6,
        "America/Chicago",
    )


def test_geolocation_accuracy_on_the_sample() -> None:
    data = geoflex.sample.load()
    acc = geoflex.geolocation_accuracy(data.customers)
    summary = acc.summary.row(0, named=True)
    assert summary["with_phone_and_zip"] > 300
    # Chat visitors (client:...) and anonymous callers have a ZIP but no usable number.
    assert 0.7 * summary["with_phone_and_zip"] < summary["compared"] < summary["with_phone_and_zip"]
    unusable = acc.rows.filter(pl.col("state_match").is_null())["phone"]
    assert (
        unusable.str.starts_with("client:")
        | unusable.is_in(["anonymous", "restricted", "+266696687"])
    ).mean() > 0.9
    # 7% of the sample's ZIP customers moved away from their number's area.
    assert 0.85 < summary["state_match_share"] < 0.99
    assert summary["distance_km_median"] < 100
    assert acc.distances["rows"].sum() == acc.rows["distance_km"].is_not_null().sum()
    assert acc.distances["share"].sum() == pytest.approx(1.0)


def test_with_area_code_custom_names() -> None:
    df = pl.DataFrame({"e164": ["+14155550100", "+4420"]})
    assert with_area_code(df, phone="e164", name="npa")["npa"].to_list() == ["415", None]
