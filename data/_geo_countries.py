"""countries.parquet and geo/countries.geojson."""

from __future__ import annotations

from typing import Any

import polars as pl
import pycountry
import shapely
from _geo_io import geojson_geometry, inner_point
from _geo_topo import topo_features
from _zones import own_zone

# pycountry's `common_name`, else its `name`, except where neither is what people write.
NAME_FIXES = {
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "KR": "South Korea",
    "KP": "North Korea",
    "MF": "Saint Martin",
    "PS": "Palestine",
    "RU": "Russia",
    "SH": "Saint Helena",
    "SX": "Sint Maarten",
    "TR": "Turkey",
    "VA": "Vatican City",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
}
# Region codes libphonenumber uses that ISO 3166-1 lacks (001 is non-geographic: left out).
EXTRA_COUNTRIES = {
    # code: (iso3, numeric, name, continent, geonames country holding its places, admin1)
    "XK": ("XKX", None, "Kosovo", "EU", "XK", None),
    "AC": (None, None, "Ascension Island", "AF", "SH", "01"),
    "TA": (None, None, "Tristan da Cunha", "AF", "SH", "03"),
}
# UN M49 sub-regions Caribbean and Central America (South America is geonames' continent SA).
UN_CARIBBEAN = {
    "AI", "AG", "AW", "BS", "BB", "BQ", "VG", "KY", "CU", "CW", "DM", "DO", "GD", "GP",
    "HT", "JM", "MQ", "MS", "PR", "BL", "KN", "LC", "MF", "VC", "SX", "TT", "TC", "VI",
}  # fmt: skip
UN_CENTRAL_AMERICA = {"BZ", "CR", "SV", "GT", "HN", "MX", "NI", "PA"}
NORTH_AMERICA = {"US", "CA", "BM", "GL", "PM"}
# Geonames puts these in its Antarctica continent; UN M49 places them elsewhere and so do we.
# AQ itself keeps the region "Antarctica" (no phone numbers, no customers, but a valid code).
ANTARCTIC_BY_UN = {"BV": "Latin America", "GS": "Latin America", "HM": "Australia", "TF": "Africa"}
CONTINENT_REGION = {"AF": "Africa", "AS": "Asia", "EU": "Europe", "OC": "Australia"}
# Natural Earth draws these inside their sovereign's feature: parts whose centroid falls in the
# box (lon_min, lat_min, lon_max, lat_max) are moved to their own ISO code.
SPLIT_PARTS = {
    "FR": {"GF": [(-55, 2, -51, 6.5)], "GP": [(-62, 15.8, -61, 16.6)],
           "MQ": [(-61.3, 14.3, -60.7, 15)], "RE": [(55, -21.5, 56, -20.8)],
           "YT": [(44.9, -13.1, 45.4, -12.5)]},
    "NL": {"BQ": [(-68.5, 11.9, -68.1, 12.4), (-63.3, 17.4, -62.9, 17.7)]},
    "NO": {"SJ": [(10, 74, 35, 81), (-9.2, 70.7, -7.8, 71.2)]},
}  # fmt: skip
# Neither a polygon in world-atlas 50m nor a city in geonames: a documented point each.
FALLBACK_POINTS = {"BV": (-54.42, 3.36), "UM": (19.28, 166.65)}  # Bouvet Island; Wake Island
# Features of world-atlas without an ISO numeric id.
UNNAMED_FEATURES = {"Kosovo": "XK", "Somaliland": "SO", "N. Cyprus": "CY"}


def flex_region(country: str, continent: str) -> str:
    """The Flex default region (DESIGN.md) of a country from its geonames continent."""
    if country in NORTH_AMERICA:
        return "North America"
    if country in UN_CARIBBEAN or country in UN_CENTRAL_AMERICA or continent == "SA":
        return "Latin America"
    if country in ANTARCTIC_BY_UN:
        return ANTARCTIC_BY_UN[country]
    if continent == "AN":
        return "Antarctica"
    if continent == "NA":  # nothing should be left here; fail loudly if geonames changes
        raise ValueError(f"{country}: North American country outside the Flex rules")
    return CONTINENT_REGION[continent]


def country_polygons(world_topo: dict[str, Any]) -> dict[str, Any]:
    """ISO2 → (multi)polygon from world-atlas countries-50m (features of one code are merged)."""
    parts: dict[str, list[Any]] = {}
    for fid, props, geom in topo_features(world_topo, "countries"):
        if fid is not None:
            c = pycountry.countries.get(numeric=str(fid))
            code = c.alpha_2 if c else None
        else:
            code = UNNAMED_FEATURES.get(props.get("name", ""))
        if fid is None and props.get("name") == "Indian Ocean Ter.":
            # Christmas Island (east of 100E) and the Cocos (Keeling) Islands (west of it).
            for poly in shapely.get_parts(geom):
                parts.setdefault("CX" if poly.centroid.x > 100 else "CC", []).append(poly)
            continue
        if code is None or geom.is_empty:  # Siachen Glacier (disputed), nothing else
            continue
        parts.setdefault(code, []).append(geom)
    for sovereign, territories in SPLIT_PARTS.items():
        pieces = shapely.get_parts(shapely.union_all(parts[sovereign]))
        kept = []
        for piece in pieces:
            c = piece.centroid
            owner = next(
                (code for code, boxes in territories.items()
                 for x0, y0, x1, y1 in boxes if x0 <= c.x <= x1 and y0 <= c.y <= y1),
                sovereign,
            )  # fmt: skip
            (kept if owner == sovereign else parts.setdefault(owner, [])).append(piece)
        parts[sovereign] = kept
    return {code: shapely.union_all(geoms) for code, geoms in sorted(parts.items())}


def build_countries(
    world_topo: dict[str, Any],
    geonames_countries: dict[str, dict[str, Any]],
    cities: dict[str, dict[str, Any]],
    timezone_at: Any,
) -> tuple[pl.DataFrame, list[dict[str, Any]], dict[str, Any]]:
    polygons = country_polygons(world_topo)
    by_country: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    for city in cities.values():
        by_country.setdefault((city["countrycode"], None), []).append(city)
        by_country.setdefault((city["countrycode"], city["admin1code"]), []).append(city)

    rows = []
    codes = {c.alpha_2: c for c in pycountry.countries}
    for code in sorted([*codes, *EXTRA_COUNTRIES]):
        if code in EXTRA_COUNTRIES:
            iso3, numeric, name, continent, gn_country, admin1 = EXTRA_COUNTRIES[code]
        else:
            c = codes[code]
            iso3, numeric = c.alpha_3, c.numeric
            name = NAME_FIXES.get(code) or getattr(c, "common_name", None) or c.name
            continent = geonames_countries[code]["continentcode"]
            gn_country, admin1 = code, None
        gn = geonames_countries.get(code, {})
        places = sorted(
            by_country.get((gn_country, admin1), []),
            key=lambda p: (-p["population"], p["geonameid"]),
        )
        capital = next(
            (p for p in places if gn.get("capital") and p["name"] == gn["capital"]), None
        )
        principal = capital or (places[0] if places else None)
        if code in polygons:
            lat, lon = inner_point(polygons[code])
            point_source = "polygon"
        elif principal is not None:
            lat, lon = round(principal["latitude"], 4), round(principal["longitude"], 4)
            point_source = "capital" if capital else "largest_city"
        elif code in FALLBACK_POINTS:
            lat, lon = FALLBACK_POINTS[code]
            point_source = "fixed"
        else:
            raise ValueError(f"{code}: neither a polygon nor a city to place it")
        tz_point = (principal["latitude"], principal["longitude"]) if principal else (lat, lon)
        rows.append(
            {
                "country": code,
                "iso3": iso3,
                "numeric": numeric,
                "country_name": name,
                "continent": continent,
                "region": flex_region(code, continent),
                "latitude": lat,
                "longitude": lon,
                "timezone": own_zone(timezone_at(*tz_point), code, *tz_point),
                "point_source": point_source,
            }
        )
    df = pl.DataFrame(
        rows, infer_schema_length=None, schema_overrides={"numeric": pl.String, "iso3": pl.String}
    )
    features = []
    names = dict(zip(df["country"], df["country_name"], strict=True))
    for code in sorted(polygons):
        if code not in names:
            continue
        geometry = geojson_geometry(polygons[code], tolerance=0.05)
        if geometry is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"country": code, "country_name": names[code]},
                "geometry": geometry,
            }
        )
    return df, features, polygons
