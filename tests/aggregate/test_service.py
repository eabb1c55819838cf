"""Service metrics against hand-computed cases; volume counts conversations and segments."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import geoflex
import geoflex.sample
from geoflex import ColumnError, ConfigError

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # Mon 10:00 New York (EDT), 14:00 London


def _segments() -> pl.DataFrame:
    """Nine segments of seven conversations, worked by hand below."""
    rows = [
        # conversation, queue, country, wait, canceled, accepted, handle, minutes after T0
        ("c1", "Sales", "US", 5.0, False, True, 100.0, 0),  # answered within 20 s
        ("c2", "Sales", "US", 20.0, False, True, 200.0, 10),  # exactly 20 s: within
        ("c3", "Sales", "US", 45.0, False, True, 300.0, 70),  # answered late
        ("c4", "Sales", "US", 3.0, True, False, None, 75),  # short abandon (< 5 s)
        ("c5", "Sales", "US", 30.0, True, False, None, 80),  # abandoned
        ("c6", "Support", "GB", 10.0, False, True, 60.0, 5),  # answered within
        ("c6", "Sales", "GB", 40.0, False, True, 120.0, 15),  # transfer: answered late
        ("c7", "Support", "GB", 25.0, False, False, None, 20),  # completed, no agent
        ("c7", "Support", "GB", 5.0, True, False, None, 21),  # 5 s is not short: abandoned
    ]
    return pl.DataFrame(
        {
            "segment_id": [f"WT{i}" for i in range(len(rows))],
            "conversation_id": [r[0] for r in rows],
            "queue": [r[1] for r in rows],
            "country": [r[2] for r in rows],
            "wait_time": [r[3] for r in rows],
            "abandoned": [r[4] for r in rows],
            "accepted_at": [T0 if r[5] else None for r in rows],
            "handle_time": [r[6] for r in rows],
            "created_at": [T0 + dt.timedelta(minutes=r[7]) for r in rows],
            "timezone": ["America/New_York" if r[2] == "US" else "Europe/London" for r in rows],
        }
    )


def test_overall_by_hand() -> None:
    m = geoflex.service_metrics(_segments())
    assert m.height == 1
    row = m.row(0, named=True)
    # Offered = 5 answered (c1, c2, c3, c6 x2) + 2 counted abandons (c5, c7's second);
    # c4 is a short abandon; c7's first segment reached nobody and is in segments only.
    assert (row["conversations"], row["segments"]) == (7, 9)
    assert (row["answered"], row["abandoned"], row["short_abandons"], row["offered"]) == (
        5,
        2,
        1,
        7,
    )
    assert row["answered_within_threshold"] == 3  # c1 (5 s), c2 (20 s), c6 Support (10 s)
    assert row["service_level"] == pytest.approx(3 / 7)
    assert row["abandonment_rate"] == pytest.approx(2 / 7)
    assert row["average_speed_of_answer"] == pytest.approx((5 + 20 + 45 + 10 + 40) / 5)
    assert row["handle_time"] == pytest.approx(780.0)
    assert row["average_handle_time"] == pytest.approx(780.0 / 5)
    assert (row["abandoned_from_insights"], row["service_level_from_insights"]) == (0, 0)


def test_by_queue_place_and_thresholds() -> None:
    seg = _segments()
    by_queue = {r["queue"]: r for r in geoflex.service_metrics(seg, "queue").iter_rows(named=True)}
    sales, support = by_queue["Sales"], by_queue["Support"]
    # Sales: c1 c2 c3 answered, c4 short, c5 abandoned, c6's transfer answered late.
    assert (sales["conversations"], sales["segments"], sales["offered"]) == (6, 6, 5)
    assert sales["service_level"] == pytest.approx(2 / 5)
    assert sales["abandonment_rate"] == pytest.approx(1 / 5)
    # Support: c6 answered within, c7 no agent, c7 abandoned at 5 s.
    assert (support["conversations"], support["segments"], support["offered"]) == (2, 3, 2)
    assert support["service_level"] == pytest.approx(1 / 2)
    assert support["average_speed_of_answer"] == pytest.approx(10.0)
    by_country = geoflex.service_metrics(seg, ["country"])
    assert by_country["country"].to_list() == ["US", "GB"]  # by conversations, descending
    # Tighter threshold and a longer short-abandon rule change the hand counts as expected.
    strict = geoflex.service_metrics(seg, threshold_s=10, short_abandon_s=10).row(0, named=True)
    assert strict["short_abandons"] == 2
    assert strict["offered"] == 6
    assert strict["answered_within_threshold"] == 2  # c1, c6 Support
    assert strict["abandonment_rate"] == pytest.approx(1 / 6)


def test_by_local_interval() -> None:
    out = geoflex.service_metrics(_segments(), "country", every="60m", clock="customer")
    got = out.select(
        pl.col("interval_start").dt.strftime("%H:%M"), "country", "segments", "offered"
    ).rows()
    # US: c1, c2 at 10:00 New York, c3-c5 from 11:10; GB: c6, c7 (4 segments) at 14:00 London.
    assert got == [("10:00", "US", 2, 2), ("11:00", "US", 3, 2), ("14:00", "GB", 4, 3)]


def test_insights_attributes_win() -> None:
    seg = _segments().with_columns(
        # c1 says abandoned (the task was not canceled); c5 says not abandoned.
        conversations_abandoned=pl.Series(["Yes", None, None, None, "No", None, None, "", None]),
        conversations_abandoned_phase=pl.Series(
            [None, None, None, None, None, None, None, "Queue", None]
        ),
        conversations_service_level=pl.Series(
            [None, "No", "yes", None, None, None, None, None, None]
        ),
        conversations_in_business_hours=pl.Series(
            ["Yes", "Yes", "Yes", "No", "No", "Yes", "Yes", None, "Yes"]
        ),
    )
    row = geoflex.service_metrics(seg).row(0, named=True)
    # Insights says c1 abandoned (after 5 s: not short) and c5 not (never accepted: in
    # segments only); c7's first segment is abandoned by its phase (after 25 s).
    assert row["abandoned_from_insights"] == 3  # c1 "Yes", c5 "No", c7 phase ("" is no value)
    assert (row["answered"], row["abandoned"], row["short_abandons"]) == (4, 3, 1)
    assert row["offered"] == 7
    # Within: c2 "No" (Insights), c3 "yes" (Insights, though 45 s), c6 Support (10 s).
    assert row["answered_within_threshold"] == 2
    assert row["service_level_from_insights"] == 2
    hours = geoflex.service_metrics(seg, business_hours_only=True).row(0, named=True)
    assert hours["segments"] == 6  # "No" and empty rows are outside business hours
    with pytest.raises(ConfigError, match="in_business_hours"):
        geoflex.service_metrics(_segments(), business_hours_only=True)


def test_bad_input() -> None:
    with pytest.raises(ColumnError, match="wait_time"):
        geoflex.service_metrics(_segments().drop("wait_time"))
    with pytest.raises(ConfigError, match="thresholds"):
        geoflex.service_metrics(_segments(), threshold_s=-1)
    empty = geoflex.service_metrics(_segments().clear(), "queue")
    assert empty.height == 0
    # Nothing offered: rates are null, not a division by zero.
    only_short = geoflex.service_metrics(_segments().filter(pl.col("conversation_id") == "c4"))
    assert only_short.row(0, named=True)["service_level"] is None
    lazy = geoflex.service_metrics(_segments().lazy(), "queue")
    assert isinstance(lazy, pl.LazyFrame)


def test_volume_counts_conversations_and_segments() -> None:
    seg = _segments()
    by_queue = geoflex.volume(seg, "queue", measures=[])
    assert by_queue.select("queue", "conversations", "segments").rows() == [
        ("Sales", 6, 6),
        ("Support", 2, 3),
    ]
    data = geoflex.sample.load()
    total = geoflex.volume(data.segments.with_columns(all=pl.lit(1)), "all", measures=[])
    assert total.select("conversations", "segments").row(0) == (
        data.conversations.height,
        data.segments.height,
    )
    conv = geoflex.volume(data.conversations.with_columns(all=pl.lit(1)), "all", measures=[])
    assert conv.select("conversations", "segments").row(0) == (
        data.conversations.height,
        data.segments.height,
    )


def test_sample_metrics_add_up() -> None:
    seg = geoflex.sample.load().segments
    total = geoflex.service_metrics(seg).row(0, named=True)
    by_channel = geoflex.service_metrics(seg, "channel")
    for column in ("segments", "offered", "answered", "abandoned", "short_abandons"):
        assert by_channel[column].sum() == total[column]
    assert total["segments"] == seg.height
    assert 0 < total["service_level"] < 1
    assert 0 < total["abandonment_rate"] < 1
