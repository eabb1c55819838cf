"""Put the geocoder's descriptions on the map: description → city, state, coordinates, zone.

libphonenumber's English geocoder names a place per number prefix: "Mountain View, CA"
(an exchange in North America), "California" (a whole area code), "Munich", "Berilo - MG",
"Shijiazhuang, Hebei". Here each (country, description) — and, for area-code-wide NANP
descriptions, each area code — becomes one place row with the most precise coordinates the
shipped gazetteer (geoflex/_data/places.parquet, built by build_geo.py) can give.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import polars as pl
from _zones import own_zone

from geoflex.resolve._core import US_TERRITORIES

# libphonenumber's spellings of NANP states/provinces that are not the official English name.
STATE_NAME_FIXES = {
    "Washington State": "US-WA",
    "Washington D.C.": "US-DC",
    "British Colombia": "CA-BC",
    "Nova Scotia/Prince Edward Island": "CA-NS",
    "Newfoundland": "CA-NL",
    "Yukon": "CA-YT",
    "Northwest Territories/Nunavut": "CA-NT",
    "Yukon/Northwest Territories/Nunavut": "CA-YT",
}
NANP_TERRITORIES = set(US_TERRITORIES)


def _nanp_region(npa: str, leading: list[tuple[str, re.Pattern[str]]]) -> str | None:
    for region, pattern in leading:
        if pattern.match(npa):
            return region
    return None


def build_places(
    geocode: list[tuple[int, int, str]],
    *,
    cc_to_regions: dict[int, list[str]],
    leading_digits: dict[str, str],
    tables: dict[str, pl.DataFrame],
    place_key: Any,
    timezone_at: Any,
) -> tuple[pl.DataFrame, list[int]]:
    """Places for the geocoder intervals, and the place id of each interval (same order)."""
    subdivisions = tables["subdivisions"]
    by_name = dict(zip(subdivisions["state"], subdivisions["state_code"], strict=True))
    by_name.update(STATE_NAME_FIXES)
    abbreviations = set(subdivisions["state_code"])
    state_points = {r["state_code"]: r for r in subdivisions.iter_rows(named=True)}
    area_codes = {r["npa"]: r for r in tables["area_codes"].iter_rows(named=True)}
    gazetteer = _gazetteer_index(tables["places"])
    country_names = set(tables["countries"]["country_name"])
    nanp_leading = [
        (r, re.compile(leading_digits[r])) for r in cc_to_regions[1] if leading_digits.get(r)
    ]
    # The principal city of an area code: the city most of its exchanges are named after.
    npa_cities: dict[str, Counter[str]] = {}
    for lo, _hi, desc in geocode:
        digits = str(lo)
        if digits.startswith("1") and ", " in desc:
            npa_cities.setdefault(digits[1:4], Counter())[desc.rsplit(", ", 1)[0]] += 1

    places: dict[tuple[str | None, str, str], int] = {}
    rows: list[dict[str, Any]] = []
    row_countries: list[str | None] = []
    ids: list[int] = []
    for lo, _hi, desc in geocode:
        digits = str(lo)
        if digits.startswith("1"):
            npa = digits[1:4]
            region = _nanp_region(npa, nanp_leading)
            abbr = desc.rpartition(", ")[2] if ", " in desc else ""
            if region is None:
                region = (
                    "CA"
                    if f"CA-{abbr}" in abbreviations or by_name.get(desc, "").startswith("CA-")
                    else "US"
                )
            key: tuple[str | None, str, str] = (region, desc, npa)
        else:
            region = _region_for(digits, cc_to_regions, leading_digits)
            key = (region, desc, "")
        if key not in places:
            places[key] = len(rows)
            row_countries.append(region)
            rows.append(
                _place(
                    key,
                    by_name,
                    abbreviations,
                    area_codes,
                    gazetteer,
                    country_names,
                    npa_cities,
                    place_key,
                    state_points,
                )
            )
        ids.append(places[key])

    frame = pl.DataFrame(
        rows,
        schema={
            "place_city": pl.String,
            "place_state_code": pl.String,
            "place_lat": pl.Float64,
            "place_lon": pl.Float64,
            "place_level": pl.String,
            "place_zone": pl.String,
        },
        orient="row",
    ).with_row_index("place_id")
    missing = frame.filter(pl.col("place_zone").is_null() & pl.col("place_lat").is_not_null())
    if len(missing):
        zones = {
            r["place_id"]: timezone_at(r["place_lat"], r["place_lon"])
            for r in missing.iter_rows(named=True)
        }
        frame = frame.with_columns(
            place_zone=pl.coalesce(
                "place_zone",
                pl.col("place_id").replace_strict(zones, default=None, return_dtype=pl.String),
            )
        )
    # One zone of the number's own country, by its current name (see _zones).
    frame = frame.with_columns(
        place_zone=pl.Series(
            [
                own_zone(zone, country, lat, lon)
                for zone, country, lat, lon in zip(
                    frame["place_zone"],
                    row_countries,
                    frame["place_lat"],
                    frame["place_lon"],
                    strict=True,
                )
            ],
            dtype=pl.String,
        )
    )
    return frame.with_columns(pl.col("place_id").cast(pl.Int32)), ids


def _region_for(
    digits: str, cc_to_regions: dict[int, list[str]], leading: dict[str, str]
) -> str | None:
    for n in (1, 2, 3):
        regions = cc_to_regions.get(int(digits[:n]))
        if regions:
            rest = digits[n:]
            for r in regions:
                if leading.get(r) and re.match(leading[r], rest):
                    return r
            return regions[0] if regions[0] != "001" else None
    return None


def _gazetteer_index(places: pl.DataFrame) -> dict[tuple[str, str | None, str], dict[str, Any]]:
    """(country, state_code or None, key) → the most populous place of that name."""
    index: dict[tuple[str, str | None, str], dict[str, Any]] = {}
    ordered = places.sort("population", descending=True, nulls_last=True)
    for row in ordered.iter_rows(named=True):
        for state in (row["state_code"], None):
            index.setdefault((row["country"], state, row["key"]), row)
    return index


def _place(
    key: tuple[str | None, str, str],
    by_name: dict[str, str],
    abbreviations: set[str],
    area_codes: dict[str, dict[str, Any]],
    gazetteer: dict[tuple[str, str | None, str], dict[str, Any]],
    country_names: set[str],
    npa_cities: dict[str, Counter[str]],
    place_key: Any,
    state_points: dict[str, dict[str, Any]],
) -> tuple[Any, ...]:
    region, desc, npa = key
    if npa:  # North America
        ac = area_codes.get(npa)
        # PR, VI, GU, AS and MP are countries of their own and also US subdivisions.
        territory = f"US-{region}" if region in NANP_TERRITORIES else None
        if ", " in desc:
            city, _, abbr = desc.rpartition(", ")
            own = f"{region}-{abbr}"
            state_code = territory or (own if own in abbreviations else None)
            hit = _lookup(gazetteer, region, None if territory else state_code, city, place_key)
            if hit is None and territory:
                hit = _lookup(gazetteer, "US", territory, city, place_key)
            if hit is not None:
                return (
                    city,
                    state_code,
                    hit["latitude"],
                    hit["longitude"],
                    "exchange",
                    hit["timezone"],
                )
            if ac is not None:
                return (
                    city,
                    state_code,
                    ac["latitude"],
                    ac["longitude"],
                    "area_code",
                    ac["timezone"],
                )
            return (city, state_code, None, None, "country", None)
        state_code = territory or by_name.get(desc)
        if state_code is not None and not (territory or state_code.startswith(f"{region}-")):
            state_code = None
        principal = npa_cities.get(npa, Counter()).most_common(1)
        city = principal[0][0] if principal else None
        if ac is not None and state_code is not None:
            return (city, state_code, ac["latitude"], ac["longitude"], "area_code", ac["timezone"])
        if state_code is not None and state_code in state_points:
            # A code with no known point yet (a new overlay): the state's own point.
            s = state_points[state_code]
            return (None, state_code, s["latitude"], s["longitude"], "state", s["timezone"])
        hit = _lookup(gazetteer, region, None, desc, place_key)
        if hit is not None:
            return (desc, state_code, hit["latitude"], hit["longitude"], "city", hit["timezone"])
        if ac is not None:
            return (city, state_code, ac["latitude"], ac["longitude"], "area_code", ac["timezone"])
        return (None, state_code, None, None, "country", None)
    if desc in country_names:
        return (None, None, None, None, "country", None)
    # "Shijiazhuang, Hebei", "Berilo - MG", "Aboyne/Ballater": the place comes first.
    city = re.split(r", | - ", desc, maxsplit=1)[0]
    for name in (desc, city, *city.split("/")):
        hit = _lookup(gazetteer, region, None, name.strip(), place_key)
        if hit is not None:
            return (city, None, hit["latitude"], hit["longitude"], "city", hit["timezone"])
    return (city, None, None, None, "country", None)


def _lookup(
    gazetteer: dict[tuple[str, str | None, str], dict[str, Any]],
    country: str | None,
    state_code: str | None,
    name: str,
    place_key: Any,
) -> dict[str, Any] | None:
    if country is None:
        return None
    return gazetteer.get((country, state_code, place_key(name)))
