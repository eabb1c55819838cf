"""The resolver's output contract: column names, dtypes and the vocabularies of status/level."""

from __future__ import annotations

from typing import Literal

import polars as pl

GeoStatus = Literal[
    "ok",
    "invalid",
    "empty",
    "not_a_phone",
    "unknown_calling_code",
    "too_short",
    "too_long",
    "unparseable",
]
#: Each ``geo_status`` and what it means (the documentation's table is generated from it).
STATUS_MEANINGS: dict[GeoStatus, str] = {
    "ok": "a valid number by libphonenumber's rules",
    "invalid": "parsed, but not a valid number for its country (the calling code's country "
    "is kept, as libphonenumber does; no coordinates)",
    "empty": "null, blank, or only punctuation and whitespace",
    "not_a_phone": "a Flex `client:` identity, a `sip:` URI, an e-mail address, "
    '"anonymous", "restricted" or other words',
    "unknown_calling_code": "`+` and digits whose calling code is not assigned",
    "too_short": "too few digits to be a number",
    "too_long": "too many digits to be a number",
    "unparseable": "anything else libphonenumber cannot parse",
}
GEO_STATUSES: tuple[GeoStatus, ...] = tuple(STATUS_MEANINGS)

GeoLevel = Literal["country", "state", "area_code", "exchange", "city", "zip", "coordinates"]
#: Each ``geo_level``, ordered from least to most precise, and what it means.
LEVEL_MEANINGS: dict[GeoLevel, str] = {
    "country": "only the country is known (from the calling code, or a country override); "
    "the point is the country's, except where the geocoder names a place the gazetteer "
    "cannot place: then `city` is that name and there is no point",
    "state": "a state or province: from customer attributes, or named by the geocoder's "
    "description (at the state's point); or the geocoder names a place the gazetteer has "
    "not got there, in a state its description names or all its neighbouring number blocks "
    "lie in: then `city` is that name, with that state and no point",
    "area_code": "the area code's principal place, for a number the geocoder places no finer: "
    "in NANP its principal city (else a point inside its polygon); elsewhere, for a fixed line "
    "the geocoder describes only by its country, the most populous city the geocoder names "
    "in that area code, when its state holds at least two thirds of the code's placed numbers",
    "exchange": "NANP: the city libphonenumber's geocoder names for the number's NPA-NXX, "
    "placed from the gazetteer",
    "city": "a city: the geocoder's city outside NANP, or a city override",
    "zip": "a US ZIP from customer attributes (its city, county as `area`, state, point, zone)",
    "coordinates": "latitude and longitude from customer attributes",
}
GEO_LEVELS: tuple[GeoLevel, ...] = tuple(LEVEL_MEANINGS)

GeoSource = Literal["phone", "customer_attributes"]
#: Each ``geo_source`` and what it means.
SOURCE_MEANINGS: dict[GeoSource, str] = {
    "phone": "everything came from the phone number",
    "customer_attributes": "at least one customer attribute (override) was used",
}
GEO_SOURCES: tuple[GeoSource, ...] = tuple(SOURCE_MEANINGS)

#: The columns `resolve` adds, in order, with their dtypes.
GEO_SCHEMA: dict[str, pl.DataType] = {
    "phone_e164": pl.String(),
    "valid": pl.Boolean(),
    "geo_status": pl.Enum(GEO_STATUSES),
    "region": pl.String(),
    "country": pl.String(),
    "country_name": pl.String(),
    "state": pl.String(),
    "state_code": pl.String(),
    "area": pl.String(),
    "zip": pl.String(),
    "city": pl.String(),
    "latitude": pl.Float64(),
    "longitude": pl.Float64(),
    "timezone": pl.String(),
    "geo_level": pl.Enum(GEO_LEVELS),
    "geo_source": pl.Enum(GEO_SOURCES),
}
GEO_COLUMNS: tuple[str, ...] = tuple(GEO_SCHEMA)

#: What each column `resolve` adds means (the documentation's table is generated from it).
COLUMN_MEANINGS: dict[str, str] = {
    "phone_e164": "the number in E.164 (`+` and digits); null when nothing parseable",
    "valid": "the number is valid by libphonenumber's rules",
    "geo_status": "why the row has (or has no) geography: see Statuses",
    "region": "the Flex region: a default continent, or the user's custom region",
    "country": "ISO 3166-1 alpha-2 code",
    "country_name": "the country's English name",
    "state": 'the state or province\'s official English name ("Washington", "British Columbia")',
    "state_code": 'ISO 3166-2 code ("US-WA")',
    "area": "district, county or province: from customer attributes (or a US ZIP's county)",
    "zip": "postal code: from customer attributes",
    "city": "the closest major city (exchange level in North America)",
    "latitude": "latitude of the most precise place known, in degrees",
    "longitude": "longitude of the most precise place known, in degrees",
    "timezone": "one IANA timezone for the number's place",
    "geo_level": "how precise the place is: see Statuses and precision levels",
    "geo_source": "`phone`, or `customer_attributes` when an override was used",
}
