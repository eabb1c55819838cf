"""The resolver's output contract: column names, dtypes and the vocabularies of status/level."""

from __future__ import annotations

from typing import Literal

import polars as pl

GeoStatus = Literal[
    "ok",  # a valid number (by libphonenumber's rules)
    "invalid",  # parsed, but not a valid number for its country
    "empty",  # null, empty or only punctuation/whitespace
    "not_a_phone",  # client:, sip:, e-mail, "anonymous", "restricted"...
    "unknown_calling_code",  # +<digits> whose calling code is not assigned
    "too_short",  # too few digits to be a number
    "too_long",  # too many digits to be a number
    "unparseable",  # anything else libphonenumber cannot parse
]
GEO_STATUSES: tuple[GeoStatus, ...] = (
    "ok",
    "invalid",
    "empty",
    "not_a_phone",
    "unknown_calling_code",
    "too_short",
    "too_long",
    "unparseable",
)

GeoLevel = Literal["country", "state", "area_code", "exchange", "city", "zip", "coordinates"]
# Ordered from least to most precise.
GEO_LEVELS: tuple[GeoLevel, ...] = (
    "country",
    "state",
    "area_code",
    "exchange",
    "city",
    "zip",
    "coordinates",
)

GeoSource = Literal["phone", "customer_attributes"]
GEO_SOURCES: tuple[GeoSource, ...] = ("phone", "customer_attributes")

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
