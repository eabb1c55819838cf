"""Places of demand against agent sites."""

from __future__ import annotations

import polars as pl
import pytest

from geoflex._errors import ColumnError
from geoflex.staffing import nearest_sites


def test_nearest_site_per_place_keeps_rows_and_order():
    places = pl.DataFrame(
        {
            "place": ["Dublin", "Nowhere", "Manila", "Austin"],
            "latitude": [53.35, None, 14.6, 30.27],
            "longitude": [-6.26, None, 121.0, -97.74],
            "conversations": [5, 2, 7, 9],
        }
    )
    agents = pl.DataFrame(
        {
            "flex_location": ["Dublin", "Dublin", "Austin", "Remote"],
            "latitude": [53.35, 53.35, 30.27, None],
            "longitude": [-6.26, -6.26, -97.74, None],
        }
    )
    out = nearest_sites(places, agents)
    assert out["place"].to_list() == places["place"].to_list()
    assert out["nearest_site"].to_list() == ["Dublin", None, "Dublin", "Austin"]
    assert out["nearest_site_agents"].to_list() == [2, None, 2, 1]
    assert out["distance_km"][0] == pytest.approx(0.0)
    assert out["distance_km"][2] > 10_000  # Manila is far from both sites


def test_no_placed_agents_gives_null_distances():
    places = pl.DataFrame({"latitude": [1.0], "longitude": [2.0], "conversations": [1]})
    agents = pl.DataFrame(
        {"flex_location": ["X"], "latitude": [None], "longitude": [None]},
        schema={"flex_location": pl.String, "latitude": pl.Float64, "longitude": pl.Float64},
    )
    assert nearest_sites(places, agents)["distance_km"].to_list() == [None]


def test_columns_are_checked():
    with pytest.raises(ColumnError, match="conversations"):
        nearest_sites(
            pl.DataFrame({"latitude": [1.0], "longitude": [1.0]}),
            pl.DataFrame({"flex_location": [], "latitude": [], "longitude": []}),
        )
