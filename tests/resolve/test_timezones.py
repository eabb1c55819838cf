"""One zone per number: the number's own country's, by its current IANA name (issue 15.4)."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

import geoflex
from geoflex.resolve import _tables
from geoflex.resolve._metadata import load_metadata

sys.path.insert(0, str(Path(__file__).parents[2] / "data"))
from _zones import canonical

# libphonenumber gives these calling codes a neighbour's zone (or a legacy name).
CASES = [
    ("+218 21 123 4567", "LY", "Africa/Tripoli"),  # libphonenumber: Europe/Bucharest
    ("+372 612 3456", "EE", "Europe/Tallinn"),  # libphonenumber: Europe/Bucharest
    ("+375 17 123 4567", "BY", "Europe/Minsk"),  # libphonenumber: Europe/Moscow
    ("+850 2 381 2345", "KP", "Asia/Pyongyang"),  # libphonenumber: Asia/Seoul
    ("+245 443 201 234", "GW", "Africa/Bissau"),  # libphonenumber: Atlantic/Reykjavik
    ("+91 11 2345 6789", "IN", "Asia/Kolkata"),  # libphonenumber: Asia/Calcutta
    ("+95 1 234 567", "MM", "Asia/Yangon"),  # libphonenumber: Asia/Rangoon
    ("+54 11 4123 4567", "AR", "America/Argentina/Buenos_Aires"),
    ("+299 32 1000", "GL", "America/Nuuk"),  # libphonenumber: America/Godthab
]


@pytest.mark.parametrize(("phone", "country", "zone"), CASES)
def test_neighbours_zones_and_legacy_names_are_replaced(
    phone: str, country: str, zone: str
) -> None:
    row = geoflex.resolve(pl.DataFrame({"phone": [phone]})).row(0, named=True)
    assert (row["valid"], row["country"], row["timezone"]) == (True, country, zone)


def _shipped_zones() -> set[str]:
    from geoflex.reference import load_table

    zones = {z for zs in _tables.zone_lists() for z in zs}
    zones |= set(_tables.places().get_column("place_zone").drop_nulls())
    for name in ("countries", "subdivisions", "area_codes", "places", "zips"):
        zones |= set(load_table(name).get_column("timezone").drop_nulls())
    return zones


def test_no_shipped_zone_is_a_legacy_alias() -> None:
    legacy = sorted(z for z in _shipped_zones() if canonical(z) != z)
    assert legacy == []


def test_countries_and_area_codes_have_zones_of_their_own_country() -> None:
    """A capital or area-code point on a border or at sea gets tzfpy's neighbour's zone or
    Etc/GMT±N; the build replaces it with the country's nearest own zone."""
    from geoflex.reference import load_table

    own = load_metadata().country_zones
    for name in ("countries", "area_codes"):
        table = load_table(name)
        bad = [
            (c, z)
            for c, z in zip(table["country"], table["timezone"], strict=True)
            if c in own and z not in own[c]
        ]
        assert bad == [], name
