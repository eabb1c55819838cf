"""`lookup`: one number, no DataFrame machinery (the vectorized path costs 10-15 ms a call).

Same tables, same rules as `_core`; `tests/resolve/test_lookup.py` checks the two agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from geoflex.resolve import _tables
from geoflex.resolve._core import (
    _GEOGRAPHIC_TYPES,
    _NOT_A_PHONE,
    US_TERRITORIES,
    _one_zone,
    state_names,
)
from geoflex.resolve._metadata import load_metadata
from geoflex.resolve._parse import Parsed, default_region, parse_cached


@dataclass(frozen=True, slots=True)
class GeoRecord:
    """What geoflex knows of one phone number (the columns `resolve` adds).

    The defaults describe a row of which nothing is known.
    """

    phone_e164: str | None = None
    valid: bool = False
    geo_status: str = "empty"
    region: str | None = None
    country: str | None = None
    country_name: str | None = None
    state: str | None = None
    state_code: str | None = None
    area: str | None = None
    zip: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    timezone: str | None = None
    geo_level: str | None = None
    geo_source: str = "phone"


@lru_cache(maxsize=1)
def _tables_py() -> dict[str, Any]:
    from geoflex.reference import load_table

    prefixes = _tables.prefixes()
    places = _tables.places()
    return {
        "prefixes": _tables.Intervals(
            prefixes["lo"].to_list(),
            prefixes["hi"].to_list(),
            list(zip(prefixes["place_id"], prefixes["zones_id"], strict=True)),
        ),
        "zone_lists": _tables.zone_lists(),
        "places": places.rows(named=True),
        "countries": {r["country"]: r for r in load_table("countries").iter_rows(named=True)},
        "states": state_names(),
    }


_NOT_A_PHONE_RE = re.compile(_NOT_A_PHONE)


def lookup(phone: str | None, *, default_country: str | None = "US") -> GeoRecord:
    """Resolve one phone number; under a millisecond once the tables are loaded.

    Examples
    --------
    >>> import geoflex
    >>> rec = geoflex.lookup("+1 (206) 555-0100")
    >>> rec.state, rec.city, rec.timezone, rec.geo_level
    ('Washington', 'Seattle', 'America/Los_Angeles', 'area_code')
    >>> geoflex.lookup("anonymous").geo_status
    'not_a_phone'
    """
    meta = load_metadata()
    t = _tables_py()
    empty = GeoRecord()
    if phone is None:
        return empty
    if _NOT_A_PHONE_RE.search(phone):
        return _replace(empty, geo_status="not_a_phone")
    parsed = parse_cached(phone, default_region(default_country), meta)
    if not isinstance(parsed, Parsed):
        return _replace(empty, geo_status=parsed)
    digits = f"{parsed.calling_code}{parsed.national_number}"
    facts = _tables.number_facts(digits)
    regions = meta.regions_by_code.get(parsed.calling_code, ())
    region_code, number_type, valid = facts if facts else (None, None, False)
    if region_code is None and len(regions) == 1:
        region_code = regions[0]
    country = None if region_code in (None, "001") else region_code
    info = t["countries"].get(country, {})
    status = "ok"
    if not valid:
        rules = meta.rules_for_code(parsed.calling_code)
        verdict = rules.length_verdict(parsed.national_number) if rules else None
        status = verdict if verdict in ("too_short", "too_long") else "invalid"
    base = _replace(
        empty,
        phone_e164="+" + digits,
        geo_status=status,
        valid=bool(valid),
        region=info.get("region"),
        country=country,
        country_name=info.get("country_name"),
    )
    if not valid:
        return base
    geographic = number_type in _GEOGRAPHIC_TYPES or (
        number_type == "mobile" and parsed.calling_code in meta.geo_mobile_codes
    )
    place = None
    zones: list[str] = meta.cc_timezones.get(parsed.calling_code, [])
    if geographic:
        key_digits = digits
        token = meta.mobile_tokens.get(parsed.calling_code)
        if token and digits.startswith(f"{parsed.calling_code}{token}"):
            key_digits = str(parsed.calling_code) + digits[len(str(parsed.calling_code)) + 1 :]
        place_id, zones_id = t["prefixes"].find(_tables.padded_key(key_digits)) or (None, None)
        place = t["places"][place_id] if place_id is not None else None
        zones = t["zone_lists"][zones_id] if zones_id is not None else []
    place_zone = place["place_zone"] if place else None
    if place_zone is not None and parsed.calling_code != 1:
        zone = place_zone  # as resolve does: outside NANP the place's own zone
    else:
        zone = _one_zone(
            list(zones), place_zone, info.get("timezone"), meta.country_zones.get(country or "")
        )
    found: dict[str, Any] = place or {}
    state_code = found.get("place_state_code")
    if state_code is None and country in US_TERRITORIES:
        state_code = f"US-{country}"
    precise = found.get("place_lat") is not None
    coarse_level = "country" if info.get("latitude") is not None else None
    city = found.get("place_city")
    # As in resolve: the country's point only where no place is named.
    if precise:
        point = (found["place_lat"], found["place_lon"])
    elif city is None:
        point = (info.get("latitude"), info.get("longitude"))
    else:
        point = (None, None)
    return _replace(
        base,
        state=t["states"].get(state_code) if state_code else None,
        state_code=state_code,
        city=city,
        latitude=point[0],
        longitude=point[1],
        timezone=zone,
        geo_level=found["place_level"] if precise else coarse_level,
    )


def _replace(record: GeoRecord, **changes: Any) -> GeoRecord:
    from dataclasses import replace

    return replace(record, **changes)
