"""Places keyed by identity: one row per place per level, names in one case."""

from __future__ import annotations

import polars as pl
import pytest

import geoflex
import geoflex.sample
from geoflex import ColumnError
from geoflex.aggregate import place_metrics


def _segments() -> pl.DataFrame:
    rows = [
        # country, state_code, state, city, conversation
        ("US", "US-NY", "New York", "New York", "c1"),  # from the phone
        ("US", "US-NY", "New York", "new york", "c2"),  # from a ZIP override, other case
        ("US", "US-OR", "Oregon", "Portland", "c3"),
        ("US", "US-ME", "Maine", "Portland", "c4"),  # same name, another state
        ("US", "US-TX", "Texas", None, "c5"),  # known to the state only
        ("AE", None, None, "Abu dhabi", "c6"),
        ("AE", None, None, "Abu Dhabi", "c6"),  # a transfer: one conversation, 2 segments
        (None, None, None, None, "c7"),  # nowhere
    ]
    return pl.DataFrame(
        {
            "country": [r[0] for r in rows],
            "country_name": [
                {"US": "United States", "AE": "United Arab Emirates"}.get(r[0] or "") for r in rows
            ],
            "state_code": [r[1] for r in rows],
            "state": [r[2] for r in rows],
            "city": [r[3] for r in rows],
            "conversation_id": [r[4] for r in rows],
            "segment_id": [f"WT{i}" for i in range(len(rows))],
            "wait_time": [10.0] * len(rows),
            "abandoned": [False] * len(rows),
            "handle_time": [100.0] * len(rows),
        }
    )


def test_cities_by_identity() -> None:
    cities = place_metrics(_segments(), "city")
    got = cities.select("country", "state_code", "place", "state", "conversations", "segments")
    assert sorted(got.rows(), key=str) == sorted(
        [
            ("US", "US-NY", "New York", "New York", 2, 2),
            ("US", "US-OR", "Portland", "Oregon", 1, 1),
            ("US", "US-ME", "Portland", "Maine", 1, 1),
            ("AE", None, "Abu Dhabi", None, 1, 2),
        ],
        key=str,
    )
    # Texas (state only) and the unplaced row are not cities.
    assert cities["segments"].sum() == 6


def test_each_level_its_own_list() -> None:
    seg = _segments()
    states = place_metrics(seg, "state")
    assert states.select("state_code", "place").rows() == [
        ("US-NY", "New York"), ("US-ME", "Maine"), ("US-OR", "Oregon"), ("US-TX", "Texas"),
    ]  # fmt: skip
    countries = place_metrics(seg, "country")
    assert countries.select("country", "place", "conversations").rows() == [
        ("US", "United States", 5),
        ("AE", "United Arab Emirates", 1),
    ]
    with pytest.raises(ColumnError, match="region"):
        place_metrics(seg, "region")


def test_sample_cities_never_repeat() -> None:
    data = geoflex.sample.load()
    seg = geoflex.resolve(data.segments, "phone", overrides={"zip": "customers_zip"})
    for level in ("country", "state", "city", "area_code", "region"):
        out = place_metrics(seg, level)
        keys = list(geoflex.aggregate.PLACE_KEYS[level])
        assert out.select(keys).is_duplicated().sum() == 0, level
        assert out["place"].null_count() == 0, level
    cities = place_metrics(seg, "city")
    # No name differs from another only by case within one state.
    folded = cities.select("country", "state_code", pl.col("place").str.to_lowercase())
    assert folded.is_duplicated().sum() == 0
