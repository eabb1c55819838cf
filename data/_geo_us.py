"""subdivisions.parquet, zips.parquet and geo/us_states.geojson."""

from __future__ import annotations

import re
import statistics
from typing import Any

import polars as pl
import pycountry
from _geo_io import COORD_DECIMALS, geojson_geometry, inner_point
from _geo_topo import topo_features

# US territories with a us-atlas polygon: ISO 3166-2 code and the FIPS id us-atlas uses.
US_TERRITORY_FIPS = {"60": "AS", "66": "GU", "69": "MP", "72": "PR", "78": "VI"}
# pycountry names that are not the official English name people write.
SUBDIVISION_NAME_FIXES = {"US-VI": "U.S. Virgin Islands"}
# GeoNames admin1 codes of Canada's provinces and territories (checked against capitals below).
CA_GEONAMES_ADMIN1 = {
    "01": "AB", "02": "BC", "03": "MB", "04": "NB", "05": "NL", "07": "NS", "08": "ON",
    "09": "PE", "10": "QC", "11": "SK", "12": "YT", "13": "NT", "14": "NU",
}  # fmt: skip
_CA_CAPITALS = {
    "AB": "Edmonton", "BC": "Victoria", "MB": "Winnipeg", "NB": "Fredericton",
    "NL": "St. John's", "NS": "Halifax", "ON": "Toronto", "PE": "Charlottetown",
    "QC": "Québec", "SK": "Regina", "YT": "Whitehorse", "NT": "Yellowknife", "NU": "Iqaluit",
}  # fmt: skip


def geonames_state_code(city: dict[str, Any]) -> str | None:
    """ISO 3166-2 code of a geonames city in the US (admin1 = postal code) or Canada."""
    if city["countrycode"] == "US" and city["admin1code"]:
        return f"US-{city['admin1code']}"
    if city["countrycode"] == "CA" and city["admin1code"] in CA_GEONAMES_ADMIN1:
        return f"CA-{CA_GEONAMES_ADMIN1[city['admin1code']]}"
    if city["countrycode"] in US_TERRITORY_FIPS.values():
        return f"US-{city['countrycode']}"
    return None


def check_ca_admin1(cities: dict[str, dict[str, Any]]) -> None:
    """Fail the build if GeoNames' Canadian admin1 codes no longer mean what the table says."""
    for admin1, prov in CA_GEONAMES_ADMIN1.items():
        names = {
            c["name"]
            for c in cities.values()
            if c["countrycode"] == "CA" and c["admin1code"] == admin1
        }
        if _CA_CAPITALS[prov] not in names:
            raise ValueError(
                f"geonames CA admin1 {admin1} should hold {_CA_CAPITALS[prov]} ({prov})"
            )


def state_polygons(states_topo: dict[str, Any], fips_to_postal: dict[str, str]) -> dict[str, Any]:
    """ISO 3166-2 code → polygon for the 50 states, DC and the five inhabited territories."""
    out = {}
    for fid, _props, geom in topo_features(states_topo, "states"):
        postal = fips_to_postal.get(fid) or US_TERRITORY_FIPS[fid]
        out[f"US-{postal}"] = geom
    return out


def build_subdivisions(
    states_topo: dict[str, Any],
    us_states: dict[str, dict[str, Any]],
    cities: dict[str, dict[str, Any]],
    timezone_at: Any,
) -> tuple[pl.DataFrame, list[dict[str, Any]], dict[str, Any]]:
    check_ca_admin1(cities)
    polygons = state_polygons(states_topo, {s["fips"]: s["code"] for s in us_states.values()})
    largest: dict[str, dict[str, Any]] = {}
    for city in cities.values():
        code = geonames_state_code(city)
        if code is None:
            continue
        best = largest.get(code)
        if best is None or (-city["population"], city["geonameid"]) < (
            -best["population"],
            best["geonameid"],
        ):
            largest[code] = city

    wanted = [
        s
        for s in (
            *pycountry.subdivisions.get(country_code="US"),
            *pycountry.subdivisions.get(country_code="CA"),
        )
        if s.code != "US-UM"  # no polygon, no city, no phone numbering of its own
    ]
    rows = []
    for sub in wanted:
        city = largest[sub.code]
        if sub.code in polygons:
            lat, lon = inner_point(polygons[sub.code])
        else:  # Canada: no polygons in the sources, so the largest city stands for the province
            lat, lon = (
                round(city["latitude"], COORD_DECIMALS),
                round(city["longitude"], COORD_DECIMALS),
            )
        rows.append(
            {
                "country": sub.country_code,
                "state_code": sub.code,
                "state": SUBDIVISION_NAME_FIXES.get(sub.code, sub.name),
                "abbreviation": sub.code.split("-", 1)[1],
                "latitude": lat,
                "longitude": lon,
                "timezone": timezone_at(city["latitude"], city["longitude"]),
            }
        )
    df = pl.DataFrame(rows, infer_schema_length=None)
    names = dict(zip(df["state_code"], df["state"], strict=True))
    features = []
    for code in sorted(polygons):
        geometry = geojson_geometry(polygons[code], tolerance=0.02)
        if geometry is None:
            raise ValueError(f"{code}: polygon vanished when simplified")
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"state_code": code, "state": names[code]},
                "geometry": geometry,
            }
        )
    return df, features, polygons


# ZIP "states" that are countries of their own (Compact of Free Association).
ZIP_COUNTRY_STATES = {"FM": "FM", "MH": "MH", "PW": "PW"}


MILITARY_STATES = {"AA", "AE", "AP"}


def has_point(z: dict[str, Any]) -> bool:
    """Military ZIPs (APO/FPO/DPO, "states" AA/AE/AP) carry 0,0 or nothing as coordinates."""
    if z["state"] in MILITARY_STATES or not z["lat"] or not z["long"]:
        return False
    return (float(z["lat"]), float(z["long"])) != (0.0, 0.0)


def proper_city(city: str) -> str:
    """zipcodes writes a few hyphenated names with a lower-case second part ("Winston-salem")."""
    return re.sub(r"-([a-z])", lambda m: "-" + m.group(1).upper(), city)


def build_zips(
    zips: list[dict[str, Any]], timezone_at: Any, valid_zones: set[str]
) -> tuple[pl.DataFrame, dict[str, int]]:
    """One row per ZIP that has coordinates (active or not: old ZIPs still appear in CRMs).

    Military ZIPs (AA/AE/AP) have no coordinates and are left out.
    """
    rows = []
    stats = {"zips_in_source": len(zips), "no_coordinates": 0, "inactive_kept": 0}
    stats |= {"timezone_from_zipcodes": 0, "timezone_from_tzfpy": 0, "tzfpy_disagrees": 0}
    for z in zips:
        if not has_point(z):
            stats["no_coordinates"] += 1
            continue
        lat, lon = round(float(z["lat"]), COORD_DECIMALS), round(float(z["long"]), COORD_DECIMALS)
        at_point = timezone_at(lat, lon)
        tz = z["timezone"] if z["timezone"] in valid_zones else at_point
        stats["timezone_from_zipcodes" if tz == z["timezone"] else "timezone_from_tzfpy"] += 1
        stats["tzfpy_disagrees"] += int(tz != at_point)
        stats["inactive_kept"] += int(not z["active"])
        # Territories are countries of their own in ISO 3166-1 and libphonenumber ("PR"), and
        # keep their US-XX state code; freely associated states (FM, MH, PW) have none.
        territory = z["state"] in US_TERRITORY_FIPS.values()
        country = z["state"] if territory else ZIP_COUNTRY_STATES.get(z["state"], "US")
        rows.append(
            {
                "zip": z["zip_code"],
                "city": proper_city(z["city"]),
                "state_code": f"US-{z['state']}" if country == "US" or territory else None,
                "county": z["county"] or None,
                "latitude": lat,
                "longitude": lon,
                "timezone": tz,
                "country": country,
                "active": bool(z["active"]),
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None), stats


def zip_city_points(zips: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """US cities from ZIPs: per (state, city) the ZIP nearest the mean of the city's ZIPs."""
    groups: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for z in zips:
        if z["active"] and has_point(z) and z["state"] not in ZIP_COUNTRY_STATES:
            point = (float(z["lat"]), float(z["long"]))
            groups.setdefault((z["state"], proper_city(z["city"])), []).append(point)
    out = []
    for (state, city), points in sorted(groups.items()):
        mlat = statistics.fmean(p[0] for p in points)
        mlon = statistics.fmean(p[1] for p in points)
        lat, lon = min(points, key=lambda p: ((p[0] - mlat) ** 2 + (p[1] - mlon) ** 2, p))
        out.append({"state": state, "city": city, "latitude": lat, "longitude": lon})
    return out
