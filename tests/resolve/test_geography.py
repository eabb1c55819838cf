"""Where numbers land: coordinates inside their state, precision levels, shipped provenance."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

import geoflex
from geoflex.reference import data_versions, load_geojson
from geoflex.resolve._metadata import load_metadata

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))


def test_us_and_canadian_points_lie_inside_their_state() -> None:
    shapely = pytest.importorskip("shapely")
    from corpus import phone_corpus
    from shapely.geometry import shape

    corpus = phone_corpus(3000, seed=7, geo_share=1.0, shapes=["e164"])
    out = geoflex.resolve(corpus.select("phone")).filter(
        pl.col("valid") & (pl.col("country") == "US") & pl.col("state_code").is_not_null()
    )
    states = {
        f["properties"]["state_code"]: shape(f["geometry"])
        for f in load_geojson("us_states")["features"]
    }
    assert out.height > 500
    inside = 0
    for code, lat, lon in out.select("state_code", "latitude", "longitude").iter_rows():
        polygon = states.get(code)
        # The shipped outlines are simplified: allow ~5 km for points on a coastline.
        if polygon is not None and polygon.buffer(0.05).contains(shapely.Point(lon, lat)):
            inside += 1
    assert inside / out.height >= 0.99, f"{out.height - inside} of {out.height} outside"


def test_levels_follow_what_is_known() -> None:
    out = geoflex.resolve(
        pl.DataFrame(
            {
                "phone": [
                    "+1 650 253 0000",  # an exchange the geocoder names
                    "+1 206 555 0100",  # only the area code's state
                    "+44 20 7946 0958",  # a city elsewhere
                    "+1 800 356 9377",  # toll-free: the country
                ]
            }
        )
    )
    assert out["geo_level"].to_list() == ["exchange", "area_code", "city", "country"]
    assert out["city"].to_list()[:3] == ["Mountain View", "Seattle", "London"]


def test_official_state_names_not_the_geocoders_spellings() -> None:
    out = geoflex.resolve(
        pl.DataFrame({"phone": ["+1 202 555 0100", "+1 206 555 0100", "+1 604 555 0100"]})
    )
    assert out["state"].to_list() == ["District of Columbia", "Washington", "British Columbia"]
    assert out["state_code"].to_list() == ["US-DC", "US-WA", "CA-BC"]


def test_one_timezone_where_phonenumbers_lists_many() -> None:
    # A US toll-free number: phonenumbers lists every NANP zone (42); we give one.
    assert geoflex.lookup("+1 800 356 9377").timezone == "America/New_York"
    # Australian and Russian mobiles: 8 and 16 zones listed; the country's principal zone.
    assert geoflex.lookup("+61 412 345 678").timezone == "Australia/Sydney"
    assert geoflex.lookup("+7 916 123 4567").timezone == "Europe/Moscow"


def test_tables_say_which_phonenumbers_release_built_them() -> None:
    version = load_metadata().phonenumbers_version
    assert data_versions()["phonenumbers"] == version
    phonenumbers = pytest.importorskip("phonenumbers")
    if phonenumbers.__version__ != version:
        pytest.skip(f"installed phonenumbers {phonenumbers.__version__} != tables' {version}")
