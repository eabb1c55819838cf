"""Flex Locations against Twilio edges."""

from __future__ import annotations

import polars as pl
import pytest

from geoflex._errors import ColumnError
from geoflex.staffing import EDGE_COORDINATES, review_flex_locations


def agents() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "flex_location": ["Dublin", "Dublin", "Manila", "Remote", "Ghost", None],
            "latitude": [53.35, 53.3, 14.6, None, 40.0, 51.5],
            "longitude": [-6.26, -6.2, 121.0, None, -74.0, -0.1],
        }
    )


def locations() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "name": ["Dublin", "Manila", "Remote"],
            "edges": [["dublin", "frankfurt"], ["umatilla", "singapore"], ["roaming"]],
            "primary_edge": ["dublin", "umatilla", "roaming"],
        }
    )


def test_review_flags_misconfigurations():
    review = review_flex_locations(agents(), locations())
    by_name = {r["flex_location"]: r for r in review.iter_rows(named=True)}
    assert review["agents"].sum() == agents().height  # every agent accounted for
    dublin = by_name["Dublin"]
    assert (dublin["nearest_edge"], dublin["issue"]) == ("dublin", None)
    assert dublin["edges"] == "dublin, frankfurt"
    manila = by_name["Manila"]
    assert manila["nearest_edge"] == "singapore"
    assert manila["issue"].startswith("primary edge umatilla is")
    assert by_name["Remote"]["issue"] == "no agent of this location could be placed"
    assert by_name["Ghost"]["issue"] == "not defined in ui_attributes.locations"
    assert by_name[None]["issue"] == "agents without a flex_location attribute"


def test_review_without_ui_attributes_only_measures():
    review = review_flex_locations(agents())
    assert review.filter(pl.col("flex_location") == "Ghost")["nearest_edge"].item() == "ashburn"
    assert review["primary_edge"].null_count() == review.height


def test_every_documented_edge_has_coordinates():
    for edge in (
        "ashburn",
        "dublin",
        "frankfurt",
        "sao-paulo",
        "singapore",
        "sydney",
        "tokyo",
        "umatilla",
        "sanjose-ix",
        "san-jose-ix",
        "london-ix",
    ):
        lat, lon = EDGE_COORDINATES[edge]
        assert -90 <= lat <= 90
        assert -180 <= lon <= 180


def test_review_needs_columns():
    with pytest.raises(ColumnError, match="latitude"):
        review_flex_locations(pl.DataFrame({"flex_location": ["x"]}))
