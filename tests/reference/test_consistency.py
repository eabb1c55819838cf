"""Every place the resolver can give is consistent: its point is within 50 km of the city it
names and inside its state's and country's shipped polygons (issue 15.3).

Walks the whole shipped phone place table. Polygons are simplified for display (0.03° for
subdivisions, 0.05° for countries), so a coastal point may sit just off the drawn outline:
"inside" allows 0.1° (about 11 km, the build's OUTLINE_MARGIN) around them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import polars as pl
import shapely
from shapely.geometry import shape

from geoflex.aggregate._accuracy import haversine_km
from geoflex.reference import load_geojson, load_table, place_key_expr
from geoflex.resolve import _tables

MARGIN = 0.1


@lru_cache(maxsize=1)
def _places() -> pl.DataFrame:
    return _tables.places().filter(pl.col("place_lat").is_not_null())


def _features(name: Any) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = load_geojson(name)["features"]
    return features


def _shapes(name: str, key: str) -> dict[str, Any]:
    return {f["properties"][key]: shape(f["geometry"]) for f in _features(name)}


def test_every_city_with_a_point_is_within_50_km_of_that_city() -> None:
    places = _places().filter(pl.col("place_city").is_not_null())
    gazetteer = load_table("places").select(
        pl.col("country").alias("place_country"), "key", "latitude", "longitude"
    )
    near = (
        places.with_columns(key=place_key_expr(pl.col("place_city")))
        .join(gazetteer, on=["place_country", "key"], how="left")
        .with_columns(
            km=haversine_km(
                pl.col("place_lat"), pl.col("place_lon"), pl.col("latitude"), pl.col("longitude")
            )
        )
        .group_by("place_id")
        .agg(pl.col("km").min(), pl.col("place_city").first(), pl.col("place_country").first())
    )
    far = near.filter(pl.col("km").is_null() | (pl.col("km") > 50))
    assert places.height > 10_000
    assert far.height == 0, far.head(20)


def test_every_point_is_inside_its_state_and_country() -> None:
    """Inside its state's polygon, and its country's: the 1:50m country outline or (small
    islands it leaves out: Block Island, Aegina) the 1:10m outline its subdivisions draw."""
    places = _places()
    states = _shapes("admin1", "state_code") | _shapes("us_states", "state_code")
    by_country: dict[str, list[Any]] = {}
    for f in _features("admin1"):
        by_country.setdefault(f["properties"]["country"], []).append(shape(f["geometry"]))
    countries = _shapes("countries", "country")
    bad = []
    checked = 0
    for row in places.iter_rows(named=True):
        point = shapely.Point(row["place_lon"], row["place_lat"])
        state, country = row["place_state_code"], row["place_country"]
        if state in states:
            checked += 1
            if states[state].distance(point) > MARGIN:
                bad.append((row["place_id"], state, row["place_city"]))
        outlines = [countries[country]] if country in countries else []
        outlines += by_country.get(country, [])
        if outlines:
            checked += 1
            if min(g.distance(point) for g in outlines) > MARGIN:
                bad.append((row["place_id"], country, row["place_city"]))
    assert checked > 10_000
    assert bad == []
