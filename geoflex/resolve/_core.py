"""Phone strings → the resolver's geo columns (phone side only; overrides come after)."""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from geoflex.resolve import _tables
from geoflex.resolve._fastparse import fast_parse
from geoflex.resolve._lookup import gather, interval_index, length_key, padded
from geoflex.resolve._metadata import PhoneMetadata, load_metadata
from geoflex.resolve._parse import Parsed, parse_cached
from geoflex.resolve._schema import GEO_LEVELS, GEO_SCHEMA, GEO_SOURCES, GEO_STATUSES

# Flex identities and withheld callers: strings that are not phone numbers by intent.
# (libphonenumber would happily read "sip:+1415...@host" as a number; a SIP URI names an
# endpoint, not a caller's line, so it gets a status rather than a guess.)
_NOT_A_PHONE = (
    r"(?i)^\s*(?:client|sip|sips|mailto|whatsapp:client):|@|"
    r"^\s*(?:anonymous|restricted|private|unknown|unavailable|withheld|blocked|"
    r"no caller id|not available|null|none|n/?a)\s*$"
)
_GEOGRAPHIC_TYPES = ("fixed_line", "fixed_line_or_mobile")
#: Countries that are also US subdivisions (ISO 3166-2 US-PR...): their numbers name both.
US_TERRITORIES = ("AS", "GU", "MP", "PR", "VI")
PHONE_COLUMNS = [
    "phone_e164",
    "valid",
    "geo_status",
    "region",
    "country",
    "country_name",
    "state",
    "state_code",
    "city",
    "latitude",
    "longitude",
    "timezone",
    "geo_level",
]


def _parse_unique(raw: pl.Series, default_country: str, meta: PhoneMetadata) -> pl.DataFrame:
    """status / cc / nsn for each unique string: bulk where possible, else one by one."""
    parsed = fast_parse(raw, default_country, meta)
    slow = parsed.get_column("slow")
    if slow.any():
        texts = raw.filter(slow).to_list()
        results = [parse_cached(t, default_country, meta) for t in texts]
        patch = pl.DataFrame(
            {
                "status": [r if isinstance(r, str) else None for r in results],
                "cc": [r.calling_code if isinstance(r, Parsed) else None for r in results],
                "nsn": [r.national_number if isinstance(r, Parsed) else None for r in results],
            },
            schema={"status": pl.String, "cc": pl.Int32, "nsn": pl.String},
        )
        positions = slow.arg_true()
        parsed = parsed.with_columns(
            parsed.get_column(c).scatter(positions, patch.get_column(c))
            for c in ("status", "cc", "nsn")
        )
    not_phone = raw.str.contains(_NOT_A_PHONE).fill_null(False)
    return parsed.with_columns(
        status=pl.when(not_phone).then(pl.lit("not_a_phone")).otherwise("status"),
        cc=pl.when(not_phone).then(None).otherwise("cc"),
        nsn=pl.when(not_phone).then(None).otherwise("nsn"),
    ).drop("slow")


@lru_cache(maxsize=1)
def _code_tables() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(calling code → its single region; country → name, region, principal zone, point)."""
    meta = load_metadata()
    codes = pl.DataFrame(
        {
            "cc": list(meta.regions_by_code),
            "single_region": [r[0] if len(r) == 1 else None for r in meta.regions_by_code.values()],
        },
        schema={"cc": pl.Int32, "single_region": pl.String},
    )
    from geoflex.reference import load_table

    countries = load_table("countries").select(
        "country",
        "country_name",
        pl.col("region").alias("default_region"),
        pl.col("latitude").alias("country_lat"),
        pl.col("longitude").alias("country_lon"),
        pl.col("timezone").alias("country_zone"),
    )
    return codes, countries


def _geography(parsed: pl.DataFrame, meta: PhoneMetadata) -> pl.DataFrame:
    """Everything the phone says, for parsed unique numbers (one row per row of ``parsed``)."""
    codes, countries = _code_tables()
    digits = parsed.select(pl.concat_str(pl.col("cc").cast(pl.String), "nsn")).to_series()
    facts = gather(
        _tables.numbers(),
        interval_index(pl.select(length_key(pl.lit(digits))).to_series(), _tables.numbers()),
        ["region", "type", "valid"],
    )
    frame = (
        pl.concat([parsed, facts], how="horizontal")
        .with_columns(digits=digits)
        .join(codes, on="cc", how="left", maintain_order="left")
        .with_columns(
            valid=pl.col("valid").fill_null(False),
            country=pl.coalesce("region", "single_region").replace("001", None),
        )
        .with_columns(
            geographic=pl.col("valid")
            & (
                pl.col("type").is_in(_GEOGRAPHIC_TYPES)
                | ((pl.col("type") == "mobile") & pl.col("cc").is_in(list(meta.geo_mobile_codes)))
            )
        )
    )
    # Argentina writes a mobile token after the calling code; the geocoder keys omit it.
    token_free = pl.col("digits")
    for cc, token in meta.mobile_tokens.items():
        head = f"{cc}{token}"
        token_free = (
            pl.when(pl.col("digits").str.starts_with(head))
            .then(pl.lit(str(cc)) + pl.col("digits").str.slice(len(head)))
            .otherwise(token_free)
        )
    geo_digits = frame.select(pl.when(pl.col("geographic")).then(token_free)).to_series()
    place_rows = interval_index(
        pl.select(padded(pl.lit(geo_digits))).to_series(), _tables.geocode()
    )
    place_id = gather(_tables.geocode(), place_rows, ["place_id"]).get_column("place_id")
    tz_rows = interval_index(pl.select(padded(pl.lit(geo_digits))).to_series(), _tables.timezones())
    frame = (
        frame.with_columns(place_id=place_id, tz_row=tz_rows)
        .join(_tables.places(), on="place_id", how="left", maintain_order="left")
        .join(countries, on="country", how="left", maintain_order="left")
    )
    frame = _choose_zones(frame, meta)
    ok = pl.col("valid")
    has_place = ok & pl.col("place_level").is_not_null()
    precise = has_place & pl.col("place_lat").is_not_null()
    return frame.select(
        pl.when(pl.col("cc").is_not_null())
        .then(pl.lit("+") + pl.col("digits"))
        .alias("phone_e164"),
        pl.col("valid"),
        pl.when(ok)
        .then(pl.lit("ok"))
        .when(pl.col("status").is_null())
        .then(pl.lit("invalid"))
        .otherwise("status")
        .alias("geo_status"),
        pl.col("default_region").alias("region"),
        pl.col("country"),
        pl.col("country_name"),
        pl.when(has_place)
        .then(pl.col("place_state_code"))
        .when(ok & pl.col("country").is_in(US_TERRITORIES))
        .then(pl.lit("US-") + pl.col("country"))
        .alias("state_code"),
        pl.when(has_place).then(pl.col("place_city")).alias("city"),
        pl.when(precise)
        .then(pl.col("place_lat"))
        .when(ok)
        .then(pl.col("country_lat"))
        .alias("latitude"),
        pl.when(precise)
        .then(pl.col("place_lon"))
        .when(ok)
        .then(pl.col("country_lon"))
        .alias("longitude"),
        pl.when(ok).then(pl.col("zone")).alias("timezone"),
        pl.when(precise)
        .then(pl.col("place_level"))
        .when(ok & pl.col("country_lat").is_not_null())
        .then(pl.lit("country"))
        .alias("geo_level"),
    )


def _choose_zones(frame: pl.DataFrame, meta: PhoneMetadata) -> pl.DataFrame:
    """One IANA zone per valid number (column ``zone``).

    libphonenumber's zone list for the number's prefix (for numbers that are not geographic:
    for its calling code); when it has several, the zone at the number's place if it is one of
    them, else the country's principal zone if it is one of them, else the place's zone, else
    the country's principal zone, else the first listed.
    """
    keys = ["tz_row", "zone_cc", "place_zone", "country_zone"]
    frame = frame.with_columns(
        zone_cc=pl.when(pl.col("valid") & ~pl.col("geographic")).then(pl.col("cc"))
    )
    combos = frame.filter(pl.col("valid")).select(keys).unique()
    table = _tables.timezones().get_column("timezones")
    chosen = []
    for tz_row, zone_cc, place_zone, country_zone in combos.iter_rows():
        if zone_cc is not None:
            zones = meta.cc_timezones.get(zone_cc, [])
        else:
            zones = (
                table[tz_row].to_list() if tz_row is not None and table[tz_row] is not None else []
            )
        chosen.append(_one_zone(zones, place_zone, country_zone))
    combos = combos.with_columns(zone=pl.Series(chosen, dtype=pl.String))
    return frame.join(combos, on=keys, how="left", maintain_order="left", nulls_equal=True)


def _one_zone(zones: list[str], place_zone: str | None, country_zone: str | None) -> str | None:
    zones = [z for z in zones if z != "Etc/Unknown"]
    if len(zones) == 1:
        return zones[0]
    for candidate in (place_zone, country_zone):
        if candidate is not None and candidate in zones:
            return candidate
    return place_zone or country_zone or (zones[0] if zones else None)


def resolve_phones(phones: pl.Series, *, default_country: str) -> pl.DataFrame:
    """The phone-derived geo columns for every element of ``phones`` (a String Series), in order.

    Repeated strings are parsed and looked up once.
    """
    meta = load_metadata()
    raw = phones.rename("raw")
    unique = raw.drop_nulls().unique()
    parsed = _parse_unique(unique, default_country.upper(), meta)
    geo = _geography(parsed, meta).with_columns(raw=unique)
    geo = geo.with_columns(state=_state_names(pl.col("state_code")))
    out = raw.to_frame().join(geo, on="raw", how="left", maintain_order="left")
    return out.select(
        pl.col("phone_e164"),
        pl.col("valid").fill_null(False),
        pl.col("geo_status").fill_null("empty").cast(GEO_SCHEMA["geo_status"]),
        *(pl.col(c) for c in ("region", "country", "country_name", "state", "state_code", "city")),
        pl.col("latitude", "longitude"),
        pl.col("timezone"),
        pl.col("geo_level").cast(GEO_SCHEMA["geo_level"]),
    )


def _state_names(code: pl.Expr) -> pl.Expr:
    from geoflex.reference import load_table

    table = load_table("subdivisions")
    mapping = dict(zip(table.get_column("state_code"), table.get_column("state"), strict=True))
    return code.replace_strict(mapping, default=None, return_dtype=pl.String)


__all__ = ["GEO_LEVELS", "GEO_SOURCES", "GEO_STATUSES", "PHONE_COLUMNS", "resolve_phones"]
