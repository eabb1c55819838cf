"""places.parquet: the gazetteer that puts coordinates on geocoder descriptions and city names."""

from __future__ import annotations

import unicodedata
from typing import Any

import polars as pl
from _geo_io import COORD_DECIMALS
from _geo_keys import place_key
from _geo_us import US_TERRITORY_FIPS, geonames_state_code

_LATIN_EXTRA = set("ßæœøđðłþıħŧŋ")
_US_TERRITORIES = set(US_TERRITORY_FIPS.values())


def is_latin(name: str) -> bool:
    """True when every letter of ``name`` is a Latin letter (accents allowed)."""
    for ch in unicodedata.normalize("NFKD", name):
        if unicodedata.category(ch).startswith("M") or not ch.isalpha():
            continue
        low = ch.lower()
        if not ("a" <= low <= "z" or low in _LATIN_EXTRA):
            return False
    return True


def usable_alternate(alt: str) -> bool:
    """Alternate names worth a row: Latin script, no digits, not an airport-style code ("SFO")."""
    if any(ch.isdigit() for ch in alt) or (alt.isupper() and len(alt) <= 4):
        return False
    return is_latin(alt)


def build_places(
    cities: dict[str, dict[str, Any]],
    zip_cities: list[dict[str, Any]],
    timezone_at: Any,
    valid_zones: set[str],
    *,
    alternates_min_population: int,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """One row per (country, state_code, key).

    Candidates: every geonames city (population >= 500) under its name, its ASCII name and, for
    cities of at least ``alternates_min_population``, its Latin-script alternate names; and every
    US city of the zipcodes package (population 0: unknown). Among candidates of one key a
    city's own name beats an alternate name, then the larger population wins, then geonames
    before zipcodes, then the lower geonames id.
    """
    rows = []
    for city in cities.values():
        country = city["countrycode"]
        lat = round(city["latitude"], COORD_DECIMALS)
        lon = round(city["longitude"], COORD_DECIMALS)
        tz = city["timezone"] if city["timezone"] in valid_zones else timezone_at(lat, lon)
        base = {
            "country": country,
            "state_code": geonames_state_code(city),
            "name": city["name"],
            "latitude": lat,
            "longitude": lon,
            "population": int(city["population"]),
            "timezone": tz,
            "_source": 0,
            "_id": int(city["geonameid"]),
        }
        names = {city["name"]: 0}
        if city["population"] >= alternates_min_population:
            for alt in city.get("alternatenames", []):
                if usable_alternate(alt):
                    names.setdefault(alt, 1)
        for name, is_alternate in names.items():
            rows.append({**base, "key": place_key(name), "_alternate": is_alternate})
    for i, zc in enumerate(zip_cities):
        state = zc["state"]
        lat, lon = round(zc["latitude"], COORD_DECIMALS), round(zc["longitude"], COORD_DECIMALS)
        rows.append(
            {
                "country": state if state in _US_TERRITORIES else "US",
                "state_code": f"US-{state}",
                "name": zc["city"],
                "latitude": lat,
                "longitude": lon,
                "population": 0,
                "timezone": timezone_at(lat, lon),
                "_source": 1,
                "_id": i,
                "key": place_key(zc["city"]),
                "_alternate": 0,
            }
        )
    candidates = pl.DataFrame(rows, infer_schema_length=None).filter(pl.col("key") != "")
    places = (
        candidates.sort(
            ["country", "state_code", "key", "_alternate", "population", "_source", "_id"],
            descending=[False, False, False, False, True, False, False],
            nulls_last=True,
        )
        .unique(["country", "state_code", "key"], keep="first", maintain_order=True)
        .select(
            "country",
            "state_code",
            "name",
            "key",
            "latitude",
            "longitude",
            "population",
            "timezone",
        )
        .with_columns(pl.col("population").cast(pl.Int32))
    )
    stats = {
        "candidates": len(candidates),
        "rows": len(places),
        "geonames_cities": len(cities),
        "zipcodes_cities": len(zip_cities),
    }
    return places, stats
