"""Flex Locations (ui_attributes) validation and agent placement."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import geoflex
import geoflex.sample
from geoflex import ConfigError, read_ui_attributes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_reads_file_text_and_mapping() -> None:
    from_file = read_ui_attributes(FIXTURES / "ui_attributes.json")
    from_text = read_ui_attributes((FIXTURES / "ui_attributes.json").read_text())
    from_map = read_ui_attributes(json.loads((FIXTURES / "ui_attributes.json").read_text()))
    assert from_file.equals(from_text)
    assert from_file.equals(from_map)
    assert from_file.rows() == [
        ("Seattle", ["umatilla", "roaming"], "umatilla"),
        ("Dublin", ["dublin", "london-ix"], "dublin"),
    ]


def test_both_san_jose_spellings_and_roaming_are_accepted() -> None:
    ui = {
        "locations": [
            {"name": "A", "edge": ["sanjose-ix"]},
            {"name": "B", "edge": ["San-Jose-IX", "roaming"]},
            {"name": "C", "edge": "roaming"},
        ]
    }
    assert read_ui_attributes(ui)["primary_edge"].to_list() == [
        "sanjose-ix",
        "san-jose-ix",
        "roaming",
    ]


@pytest.mark.parametrize(
    ("locations", "message"),
    [
        ([{"name": "Lima", "edge": ["lima"]}], r"location 'Lima': unknown edge 'lima'"),
        ([{"name": "A", "edge": ["dublin"]}, {"name": "a", "edge": ["tokyo"]}], "defined twice"),
        ([{"name": "A", "edge": []}], "location 'A': edge must be a non-empty list"),
        ([{"name": "A", "edge": ["tokyo", "tokyo"]}], "edge 'tokyo' is listed twice"),
        ([{"edge": ["tokyo"]}], r"locations\[0\] has no name"),
        ([{"name": "A", "edge": [7]}], "location 'A': unknown edge 7"),
        (["Seattle"], r"locations\[0\] must be an object"),
        ({"name": "A"}, "must be a list"),
    ],
)
def test_errors_name_the_location_and_the_edge(locations: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read_ui_attributes({"locations": locations})


def test_no_locations_and_bad_json(tmp_path: Path) -> None:
    assert read_ui_attributes({"colorTheme": {}}).height == 0
    with pytest.raises(ConfigError, match="not valid JSON"):
        read_ui_attributes("{not json")
    with pytest.raises(ConfigError, match="no such ui_attributes file"):
        read_ui_attributes(tmp_path / "missing.json")


def test_sample_agents_are_placed() -> None:
    data = geoflex.sample.load()
    locations = read_ui_attributes(geoflex.sample.ui_attributes())
    placed = geoflex.place_agents(data.agents, locations=locations)
    by_location = dict(
        placed.group_by("flex_location").agg(pl.col("place_status").first()).iter_rows()
    )
    # Every sample location but "Remote" ("Home office") is in the gazetteer.
    assert by_location["Remote"] == "unknown_place"
    assert {v for k, v in by_location.items() if k != "Remote"} == {"gazetteer"}
    seattle = placed.filter(pl.col("flex_location") == "Seattle").row(0, named=True)
    assert seattle["timezone"] == "America/Los_Angeles"
    assert abs(seattle["latitude"] - 47.6) < 0.2
    assert seattle["primary_edge"] == "umatilla"
    assert placed["flex_location_known"].all()
    toronto = placed.filter(pl.col("flex_location") == "Toronto").row(0, named=True)
    assert toronto["timezone"] == "America/Toronto"
    # Given coordinates win, and place the unknown ones.
    placed = geoflex.place_agents(data.agents, coordinates={"Remote": (41.88, -87.63)})
    remote = placed.filter(pl.col("flex_location") == "Remote").row(0, named=True)
    assert (remote["place_status"], remote["timezone"]) == ("coordinates", "America/Chicago")


def test_place_agents_statuses_and_errors() -> None:
    agents = pl.DataFrame(
        {
            "location": ["Portland, OR", "Portland, ME, US", "Nowhere Town", None, "Paris, FR"],
            "flex_location": ["X", "X", "X", "X", "Gone"],
        }
    )
    placed = geoflex.place_agents(
        agents, locations=read_ui_attributes({"locations": [{"name": "X", "edge": ["ashburn"]}]})
    )
    assert placed["place_status"].to_list() == [
        "gazetteer", "gazetteer", "unknown_place", "no_location", "gazetteer",
    ]  # fmt: skip
    assert placed["timezone"].to_list()[:2] == ["America/Los_Angeles", "America/New_York"]
    assert placed["flex_location_known"].to_list() == [True, True, True, True, False]
    with pytest.raises(ConfigError, match="out of range"):
        geoflex.place_agents(agents, coordinates={"X": (91.0, 0.0)})
    with pytest.raises(geoflex.ColumnError, match="location"):
        geoflex.place_agents(pl.DataFrame({"a": [1]}))
