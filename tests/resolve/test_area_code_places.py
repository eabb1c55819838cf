"""Outside North America, a number the geocoder leaves at the country takes its area code's
principal place (issue 15 item 2; data/_phone_area_codes.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

import geoflex
from geoflex.aggregate import haversine_km
from geoflex.reference import load_table, place_key

phonenumbers = pytest.importorskip("phonenumbers")
sys.path.insert(0, str(Path(__file__).parents[2] / "data"))
from _phone_area_codes import area_codes, with_area_code_places  # noqa: E402
from _phone_places import PLACE_SCHEMA  # noqa: E402
from build_phone import number_rows  # noqa: E402

# Valid fixed lines that libphonenumber's geocoder describes only by their country.
CASES = [
    # phone, country, city, state_code, timezone
    ("+61 3 5123 4567", "AU", "Melbourne", "AU-VIC", "Australia/Melbourne"),
    ("+33 1 23 45 67 89", "FR", "Paris", "FR-IDF", "Europe/Paris"),
    ("+95 1 234528", "MM", "Yangon", "MM-06", "Asia/Yangon"),
]


def _libphonenumber(phone: str) -> tuple[str, str, int, object]:
    from phonenumbers import geocoder

    number = phonenumbers.parse(phone)
    return (
        geocoder.description_for_number(number, "en"),
        geocoder.country_name_for_number(number, "en"),
        phonenumbers.length_of_geographical_area_code(number),
        phonenumbers.number_type(number),
    )


@pytest.mark.parametrize(("phone", "country", "city", "state_code", "zone"), CASES)
def test_a_number_described_only_by_its_country_is_at_its_area_codes_principal_place(
    phone: str, country: str, city: str, state_code: str, zone: str
) -> None:
    description, country_name, area_code, kind = _libphonenumber(phone)
    assert description == country_name
    assert area_code > 0
    assert kind == phonenumbers.PhoneNumberType.FIXED_LINE
    row = geoflex.resolve(pl.DataFrame({"phone": [phone]})).row(0, named=True)
    assert (row["country"], row["city"], row["state_code"], row["timezone"]) == (
        country,
        city,
        state_code,
        zone,
    )
    assert row["geo_level"] == "area_code"
    assert row["state"] is not None
    # The point is the named city's (the gazetteer's most populous city of that name).
    gazetteer = load_table("places").filter(country=country, key=place_key(city))
    best = gazetteer.sort("population", descending=True).row(0, named=True)
    km = pl.select(
        haversine_km(
            pl.lit(row["latitude"]),
            pl.lit(row["longitude"]),
            pl.lit(best["latitude"]),
            pl.lit(best["longitude"]),
        )
    ).item()
    assert km < 1


def test_mobiles_and_area_codes_without_a_principal_place_stay_at_the_country() -> None:
    phones = [
        "+61 412 345 678",  # a mobile: no area code
        "+61 8 8123 4567",  # 08 spans WA, SA and NT: no place stands for it
        "+49 731 123456",  # a place the gazetteer does not know keeps its name, no point
    ]
    assert _libphonenumber(phones[0])[2] == 0
    assert _libphonenumber(phones[1])[0] == "Australia"
    rows = geoflex.resolve(pl.DataFrame({"phone": phones}))
    assert rows["geo_level"].to_list() == ["country", "country", "country"]
    assert rows["city"].to_list() == [None, None, "Ulm Donau"]
    assert rows["state_code"].to_list() == [None, None, None]
    assert rows["timezone"].to_list()[:2] == ["Australia/Sydney", "Australia/Adelaide"]


def test_a_description_that_names_a_state_is_that_state_not_a_town_elsewhere() -> None:
    # "Baja California" is a state and a hamlet in Chiapas: the number is the state's
    # (and its clock is Tijuana's, not Mexico City's).
    row = geoflex.resolve(pl.DataFrame({"phone": ["+52 658 616 1331"]})).row(0, named=True)
    assert _libphonenumber("+52 658 616 1331")[0] == "Baja California"
    assert (row["state_code"], row["city"], row["geo_level"], row["timezone"]) == (
        "MX-BCN",
        None,
        "state",
        "America/Tijuana",
    )


def test_area_codes_are_libphonenumbers() -> None:
    regions = {61: ["AU", "CC", "CX"], 33: ["FR"], 34: ["ES"], 229: ["BJ"]}
    codes = area_codes(number_rows(regions))
    assert {"612", "613", "617", "618", "331", "335"} <= codes
    assert not any(c.startswith("614") for c in codes)  # mobiles
    assert not any(c.startswith("34") for c in codes)  # Spain dials without area codes
    # Every fixed line of Benin has the area code 01: it says no more than the country.
    bj = phonenumbers.parse("+229 01 21 30 12 34")
    assert phonenumbers.length_of_geographical_area_code(bj) == 2
    assert not any(c.startswith("229") for c in codes)


def _places(rows: list[tuple[str | None, str | None, float | None, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (i, city, state, lat, lat, level, "Etc/UTC", country)
            for i, (city, state, lat, level, country) in enumerate(rows)
        ],
        schema={"place_id": pl.Int32, **PLACE_SCHEMA, "place_country": pl.String},
        orient="row",
    )


def test_what_the_principal_place_replaces() -> None:
    places = _places(
        [
            ("Big", "S1", 1.0, "city", "XA"),  # 0
            ("Small", "S1", 2.0, "city", "XA"),  # 1
            (None, None, None, "country", "XA"),  # 2: only the country
            ("Unknown", None, None, "country", "XA"),  # 3: a name the gazetteer lacks
            (None, "S1", 3.0, "state", "XA"),  # 4: a state
            ("Other", "S2", 4.0, "city", "XB"),  # 5: another region's city
        ]
    )
    populations = {0: 1000, 1: 10, 5: 10**6}
    # One area code "99" over keys 0..99; segments (start, (place, code, region)).
    merged = [
        (0, (1, "99", "XA")),
        (10, (None, "99", "XA")),  # no geocoder entry
        (20, (0, "99", "XA")),
        (30, (2, "99", "XA")),  # a longer prefix naming only the country
        (40, (3, "99", "XA")),
        (50, (4, "99", "XA")),
        (60, (5, "99", "XB")),
        (70, (None, "99", "XB")),  # another region's numbers: its own area code places
        (80, (2, None, "XA")),  # outside every area code
        (100, (None, None, None)),
    ]
    out, segments = with_area_code_places(merged, places, populations)
    assert out.height == places.height + 2
    new = out.filter(pl.col("place_level") == "area_code")
    assert new["place_city"].to_list() == ["Big", "Other"]  # the most populous
    big, other = new["place_id"].to_list()
    assert segments == [
        (0, 1),
        (10, big),
        (20, 0),  # the city's own prefix keeps its city level
        (30, big),
        (40, 3),
        (50, 4),
        (60, 5),
        (70, other),
        (80, 2),
        (100, None),
    ]


def test_an_area_code_spread_over_states_keeps_the_country() -> None:
    places = _places(
        [
            ("Big", "S1", 1.0, "city", "XA"),
            ("Mid", "S2", 2.0, "city", "XA"),
            (None, None, None, "country", "XA"),
        ]
    )
    # S1 holds 60% of the placed numbers: less than the two thirds a principal place needs.
    merged = [(0, (0, "9", "XA")), (60, (1, "9", "XA")), (100, (None, "9", "XA"))]
    out, segments = with_area_code_places(
        [*merged, (110, (None, None, None))], places, {0: 1000, 1: 500}
    )
    assert out.height == places.height
    assert segments == [(0, 0), (60, 1), (100, None)]
