"""area_codes.parquet and geo/area_codes.geojson (NANP).

Points come from the area-code-locator polygons (a point inside each code's polygon) and, for the
US overlay codes missing there, from the zipcodes package's per-ZIP area-code lists.
"""

from __future__ import annotations

import functools
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
import shapely
from _geo_io import COORD_DECIMALS, geojson_geometry, inner_point
from _geo_keys import place_key
from _geo_us import ZIP_COUNTRY_STATES, has_point
from _zones import own_zone
from shapely.geometry import Point

_US_TERRITORIES = {"PR", "VI", "GU", "AS", "MP"}


@functools.cache
def nanp_country(npa: str) -> str | None:
    """The region libphonenumber gives numbers of this area code (None: not in service).

    Validity needs a real exchange; a spread of 115 exchanges finds one in every code in service.
    """
    import phonenumbers

    for nxx in range(200, 1000, 7):
        number = phonenumbers.parse(f"+1{npa}{nxx}4567")
        if phonenumbers.is_valid_number(number):
            region = phonenumbers.region_code_for_number(number)
            return str(region) if region else None
    return None


def polygon_groups(parquet: Path) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """Code → polygon, code → overlay group id, group id → dissolved polygon.

    The source stacks an overlay as an identical copy of its parent's polygon (one code may
    have several rows). Codes sharing an identical polygon are one group (transitively); the
    group's id is its lowest code, which stays stable when an overlay is added.
    """
    import geopandas as gpd

    gdf = gpd.read_parquet(parquet)
    rows = list(zip(gdf["area_code"].astype(str), gdf.geometry, strict=True))
    parent: dict[str, str] = {}

    def find(code: str) -> str:
        while parent.setdefault(code, code) != code:
            code = parent[code]
        return code

    by_shape: dict[bytes, str] = {}
    for code, geom in rows:
        key = shapely.normalize(geom).wkb
        other = by_shape.setdefault(key, code)
        a, b = sorted((find(code), find(other)))
        parent[b] = a
    code_geom: dict[str, list[Any]] = {}
    for code, geom in rows:
        code_geom.setdefault(code, []).append(geom)
    polygons = {c: shapely.union_all(g) for c, g in code_geom.items()}
    group = {c: find(c) for c in polygons}
    members: dict[str, list[Any]] = {}
    for code, geom in rows:
        members.setdefault(group[code], []).append(geom)
    dissolved = {g: shapely.union_all(shapely.normalize(geoms)) for g, geoms in members.items()}
    return polygons, group, dissolved


def zip_area_code_points(zips: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per area code listed by ZIPs: the ZIP nearest those ZIPs' median, their state, co-codes."""
    listed: dict[str, list[dict[str, Any]]] = {}
    for z in zips:
        if z["active"] and has_point(z) and z["state"] not in ZIP_COUNTRY_STATES:
            for npa in z["area_codes"]:
                listed.setdefault(npa, []).append(z)
    out = {}
    for npa, zs in sorted(listed.items()):
        pts = [(float(z["lat"]), float(z["long"])) for z in zs]
        mlat = statistics.median(p[0] for p in pts)
        mlon = statistics.median(p[1] for p in pts)
        nearest = min(
            zs,
            key=lambda z: (
                (float(z["lat"]) - mlat) ** 2 + (float(z["long"]) - mlon) ** 2,
                z["zip_code"],
            ),
        )
        states = Counter(z["state"] for z in zs)
        co_codes = Counter(c for z in zs for c in z["area_codes"] if c != npa)
        out[npa] = {
            "latitude": round(float(nearest["lat"]), COORD_DECIMALS),
            "longitude": round(float(nearest["long"]), COORD_DECIMALS),
            "state": max(states, key=lambda s: (states[s], s)),
            "co_codes": co_codes,
            "zips": len(zs),
        }
    return out


def geocoder_city_point(
    description: str, country: str, places: pl.DataFrame
) -> tuple[float, float] | None:
    """The place point of a "City, ST" description (None for a state-only description)."""
    if ", " not in description:  # a state or province only: no point finer than the state's
        return None
    city, state = description.rsplit(", ", 1)
    hit = places.filter(
        pl.col("country") == country,
        pl.col("state_code") == f"{country}-{state}",
        pl.col("key") == place_key(city),
    )
    if hit.is_empty():
        return None
    return float(hit["latitude"][0]), float(hit["longitude"][0])


# libphonenumber's spellings of a few state names.
_STATE_ALIASES = {
    "british colombia": "CA-BC",
    "washington state": "US-WA",
    "washington dc": "US-DC",
}


def add_geocoder_points(
    rows: list[dict[str, Any]],
    places: pl.DataFrame,
    group_index: list[tuple[str, Any]],
    stats: Counter[str],
    missing: list[str],
) -> None:
    """Place in-service US/CA codes that neither polygons nor ZIPs place, from libphonenumber.

    Its description of the whole code is a city ("Toronto, ON": the city's place point,
    ``geocoder_city``) or a state/province. A province whose polygon codes form a single
    overlay group (MB 204, SK 306, NB 506, NS/PE 902, NL 709) has only one area an overlay can
    cover: that group's point (``geocoder_state``). Any other code stays unplaced.
    """
    from phonenumbers.geodata import GEOCODE_DATA

    placed = {r["npa"] for r in rows}
    group_country = {r["overlay_group"]: r["country"] for r in rows}
    groups_of_state: dict[str, set[str]] = {}
    for r in rows:
        if r["source"] == "polygon" and r["state_code"]:
            groups_of_state.setdefault(r["state_code"], set()).add(r["overlay_group"])
    head = {r["overlay_group"]: r for r in rows if r["npa"] == r["overlay_group"]}
    for npa in range(200, 1000):
        code = str(npa)
        if code in placed or code[1:] == "11":
            continue
        country = nanp_country(code)
        if country not in ("US", "CA"):
            continue
        description = GEOCODE_DATA.get(f"1{code}", {}).get("en", "")
        point = geocoder_city_point(description, country, places)
        if point is not None:
            p = Point(point[1], point[0])
            inside = [
                g for g, geom in group_index if geom.covers(p) and group_country.get(g) == country
            ]
            state = f"{country}-{description.rsplit(', ', 1)[1]}"
            rows.append({"npa": code, "country": country, "latitude": point[0],
                         "longitude": point[1], "overlay_group": min(inside) if inside else code,
                         "source": "geocoder_city", "state_code": state})  # fmt: skip
            stats["geocoder_city"] += 1
            continue
        state = _state_code_named(description, country)
        groups = groups_of_state.get(state or "", set())
        if len(groups) == 1:
            group = head[next(iter(groups))]
            rows.append({"npa": code, "country": country, "latitude": group["latitude"],
                         "longitude": group["longitude"], "overlay_group": group["npa"],
                         "source": "geocoder_state", "state_code": state})  # fmt: skip
            stats["geocoder_state"] += 1
            continue
        stats["in_service_without_point"] += 1
        missing.append(code)


def _state_code_named(name: str, country: str) -> str | None:
    import pycountry

    key = place_key(name)
    if key in _STATE_ALIASES:
        return _STATE_ALIASES[key]
    for sub in pycountry.subdivisions.get(country_code=country):
        if place_key(sub.name) == key:
            return str(sub.code)
    return None


def build_area_codes(
    parquet: Path,
    places: pl.DataFrame,
    zips: list[dict[str, Any]],
    state_polygons: dict[str, Any],
    ca_cities: list[dict[str, Any]],
    timezone_at: Any,
) -> tuple[pl.DataFrame, list[dict[str, Any]], dict[str, Any]]:
    polygons, group, dissolved = polygon_groups(parquet)
    from_zips = zip_area_code_points(zips)
    state_index = sorted(state_polygons.items())

    def us_state_at(lat: float, lon: float) -> str | None:
        point = Point(lon, lat)
        return next((code for code, geom in state_index if geom.covers(point)), None)

    def ca_province_near(lat: float, lon: float) -> str:
        # No province polygons in the sources: the nearest Canadian city's province.
        city = min(
            ca_cities, key=lambda c: (c["latitude"] - lat) ** 2 + (c["longitude"] - lon) ** 2
        )
        return str(city["state_code"])

    def state_of(row: dict[str, Any]) -> str | None:
        lat, lon, country = row["latitude"], row["longitude"], row["country"]
        if country == "US":
            state = us_state_at(lat, lon)
            if state is None and row["source"] == "zip_area_codes":
                state = f"US-{from_zips[row['npa']]['state']}"
            if state is None:
                stats["us_point_outside_states"] += 1
            return state
        if country == "CA":
            return ca_province_near(lat, lon)
        return f"US-{country}" if country in _US_TERRITORIES else None

    rows = []
    stats: Counter[str] = Counter()
    for npa in sorted(polygons):
        country = nanp_country(npa)
        if country is None:
            stats["polygon_not_in_service"] += 1
            continue
        lat, lon = inner_point(polygons[npa])
        rows.append({"npa": npa, "country": country, "latitude": lat, "longitude": lon,
                     "overlay_group": group[npa], "source": "polygon"})  # fmt: skip
        stats["polygon"] += 1
    group_index = sorted(dissolved.items())
    stats_missing: list[str] = []
    for npa, z in from_zips.items():
        if npa in polygons:
            continue
        country = nanp_country(npa)
        if country != "US":
            # US ZIPs near the border list Canadian codes too; those are placed below, or not.
            stats["zip_listed_not_us"] += 1
            continue
        point = Point(z["longitude"], z["latitude"])
        inside = [g for g, geom in group_index if geom.covers(point)]
        co = z["co_codes"]
        score = {g: sum(co[c] for c in group if group[c] == g) for g in {group[c] for c in group}}
        if inside:
            # Overlapping polygons of different groups: the group whose codes the ZIPs list most.
            overlay = max(inside, key=lambda g: (score.get(g, 0), -int(g)))
        else:
            overlay = (
                max(score, key=lambda g: (score[g], -int(g)))
                if score and max(score.values())
                else npa
            )
            stats["zip_point_outside_polygons"] += 1
        rows.append({"npa": npa, "country": country, "latitude": z["latitude"],
                     "longitude": z["longitude"], "overlay_group": overlay,
                     "source": "zip_area_codes"})  # fmt: skip
        stats["zip_area_codes"] += 1
    for row in rows:
        row["state_code"] = state_of(row)
    add_geocoder_points(rows, places, group_index, stats, stats_missing)
    for row in rows:
        lat, lon = row["latitude"], row["longitude"]
        row["timezone"] = own_zone(timezone_at(lat, lon), row["country"], lat, lon)
    stats["missing"] = ",".join(stats_missing)  # type: ignore[assignment]
    df = pl.DataFrame(rows, infer_schema_length=None).select(
        "npa",
        "country",
        "state_code",
        "latitude",
        "longitude",
        "overlay_group",
        "source",
        "timezone",
    )
    features = []
    codes_of = df.group_by("overlay_group").agg(pl.col("npa").sort().str.join(", ").alias("codes"))
    codes = dict(zip(codes_of["overlay_group"], codes_of["codes"], strict=True))
    first = df.sort("npa").unique("overlay_group", keep="first", maintain_order=True)
    head = {r["overlay_group"]: r for r in first.iter_rows(named=True)}
    for g, geom in group_index:
        if g not in head:  # every code of the group is out of service
            continue
        geometry = geojson_geometry(geom, tolerance=0.02)
        if geometry is None:
            continue
        r = head[g]
        props = {"npa": g, "codes": codes[g], "overlay_group": g,
                 "state_code": r["state_code"], "country": r["country"]}  # fmt: skip
        features.append({"type": "Feature", "id": g, "properties": props, "geometry": geometry})
    return df, features, dict(stats)
