"""Customer attributes override what the phone says.

Precedence, most precise first (each row independently; null or unusable values are skipped):

1. ``latitude`` + ``longitude`` (both, in range): the point itself (``geo_level`` "coordinates");
   its timezone from the shipped timezone polygons (tzfpy), and its country and US state from
   the shipped outlines (shapely) unless those are given too.
2. ``zip`` (a US ZIP code, "94103" or "94103-1234"): city, county (``area``), state,
   coordinates and timezone of the ZIP ("zip").
3. ``city``: the named city, placed from the gazetteer within the row's country (and state when
   known) ("city"); an unknown city is kept as written, with coarser coordinates.
4. ``state`` (a name, "WA" or "US-WA") and ``country`` (ISO2 or English name): the state's or
   country's representative point and principal zone ("state" / "country"). When an override
   agrees with the phone (same country, same state), the phone's finer places are kept.
5. ``area`` and ``region`` set those fields only.

A field given explicitly always wins over one derived from a coarser or finer override
(a ``city`` column beats the ZIP's city). ``geo_source`` is "customer_attributes" on every row
where at least one override value was used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

import polars as pl

from geoflex._errors import ConfigError
from geoflex.reference import load_table, place_key_expr, timezone_at_expr

OverrideField = Literal[
    "zip", "region", "country", "state", "area", "city", "latitude", "longitude"
]
OVERRIDE_FIELDS: tuple[str, ...] = get_args(OverrideField)
_PREFIX = "__ov_"


def check_overrides(overrides: Mapping[str, str] | None, columns: list[str]) -> dict[str, str]:
    """Validate an ``overrides`` mapping (geo field → column) against the data's columns."""
    if not overrides:
        return {}
    out: dict[str, str] = {}
    for field, column in overrides.items():
        if field not in OVERRIDE_FIELDS:
            raise ConfigError(
                f"overrides: unknown field {field!r}; expected one of {', '.join(OVERRIDE_FIELDS)}"
            )
        if column not in columns:
            raise ConfigError(
                f"overrides: column {column!r} (for {field!r}) is not in the data; "
                f"available columns: {', '.join(columns)}"
            )
        out[field] = column
    if ("latitude" in out) != ("longitude" in out):
        raise ConfigError("overrides: 'latitude' and 'longitude' must be given together")
    return out


def _clean_text(expr: pl.Expr) -> pl.Expr:
    """Strings as customers typed them: trimmed, empty → null, capped at 255 characters."""
    text = expr.cast(pl.String).str.strip_chars().str.slice(0, 255)
    return pl.when(text.str.len_chars() > 0).then(text)


def override_inputs(overrides: dict[str, str]) -> list[pl.Expr]:
    """Normalized override columns (``__ov_<field>``) from the user's columns."""
    exprs: list[pl.Expr] = []
    for field, column in overrides.items():
        col = pl.col(column)
        if field in ("latitude", "longitude"):
            value = col.cast(pl.Float64, strict=False)
            bound = 90.0 if field == "latitude" else 180.0
            exprs.append(
                pl.when(value.is_finite() & (value.abs() <= bound))
                .then(value)
                .alias(_PREFIX + field)
            )
        elif field == "zip":
            text = col.cast(pl.String).str.strip_chars()
            five = text.str.extract(r"^(\d{5})(?:[- ]?\d{4})?$", 1)
            exprs.append(five.alias(_PREFIX + field))
        else:
            exprs.append(_clean_text(col).alias(_PREFIX + field))
    return exprs


def _renamed(table: pl.DataFrame | pl.LazyFrame, **names: str) -> pl.LazyFrame:
    """Some columns of a reference table under the private names the joins use."""
    return table.lazy().select(pl.col(src).alias(dst) for src, dst in names.items())


def _country_lookup() -> pl.DataFrame:
    countries = load_table("countries").select(
        "country", "country_name", "region", "latitude", "longitude", "timezone"
    )
    by_code = countries.with_columns(key=pl.col("country"))
    by_name = countries.with_columns(key=pl.col("country_name").str.to_uppercase())
    return pl.concat([by_code, by_name]).unique("key", keep="first")


def _state_lookup() -> pl.DataFrame:
    subs = load_table("subdivisions").select(
        "country", "state_code", "state", "abbreviation", "latitude", "longitude", "timezone"
    )
    keys = [
        subs.with_columns(key=pl.col("state_code")),
        subs.with_columns(key=pl.col("country") + ":" + pl.col("abbreviation")),
        subs.with_columns(key=pl.col("country") + ":" + pl.col("state").str.to_uppercase()),
    ]
    return pl.concat(keys).unique("key", keep="first")


def apply_overrides(frame: pl.LazyFrame, fields: set[str]) -> pl.LazyFrame:
    """Combine the phone's geo columns with the ``__ov_*`` columns (see module docstring)."""
    if not fields:
        return frame
    ov = {f: pl.col(_PREFIX + f) for f in fields}
    lf = frame

    # Country: explicit override (code or name), else the phone's.
    if "country" in fields:
        lf = lf.join(
            _country_lookup()
            .lazy()
            .select(
                pl.col("key").alias("__cty_key"),
                pl.col("country").alias("__cty"),
            ),
            left_on=ov["country"].str.to_uppercase(),
            right_on="__cty_key",
            how="left",
            maintain_order="left",
        )
    else:
        lf = lf.with_columns(__cty=pl.lit(None, pl.String))
    # Coordinates name their country and US state (given ones win).
    if "latitude" in fields:
        from geoflex.resolve._polygons import PLACE_STRUCT, places_at

        lf = lf.with_columns(
            __pt=pl.struct(lat=ov["latitude"], lon=ov["longitude"]).map_batches(
                places_at, return_dtype=PLACE_STRUCT
            )
        ).with_columns(
            __pt_country=pl.col("__pt").struct.field("country"),
            __pt_state=pl.col("__pt").struct.field("state_code"),
        )
    else:
        lf = lf.with_columns(
            __pt_country=pl.lit(None, pl.String), __pt_state=pl.lit(None, pl.String)
        )
    lf = lf.with_columns(__cty=pl.coalesce("__cty", "__pt_country"))
    lf = lf.with_columns(__country=pl.coalesce("__cty", "country"))

    # ZIP → US place.
    if "zip" in fields:
        zips = _renamed(
            load_table("zips"),
            zip="__zip",
            city="__zip_city",
            county="__zip_area",
            state_code="__zip_state_code",
            latitude="__zip_lat",
            longitude="__zip_lon",
            timezone="__zip_zone",
        )
        lf = lf.join(zips, left_on=ov["zip"], right_on="__zip", how="left", maintain_order="left")
    else:
        lf = lf.with_columns(
            pl.lit(None, pl.String).alias(c)
            for c in ("__zip_city", "__zip_area", "__zip_state_code", "__zip_zone")
        ).with_columns(pl.lit(None, pl.Float64).alias(c) for c in ("__zip_lat", "__zip_lon"))
    zip_hit = pl.col("__zip_lat").is_not_null()
    lf = lf.with_columns(
        __country=pl.when(zip_hit & pl.col("__cty").is_null())
        .then(pl.lit("US"))
        .otherwise("__country")
    )

    # State: explicit (code, abbreviation or name within the country), else ZIP's.
    if "state" in fields:
        state_key = (
            pl.when(ov["state"].str.contains(r"^[A-Za-z]{2}-"))
            .then(ov["state"].str.to_uppercase())
            .otherwise(pl.col("__country") + ":" + ov["state"].str.to_uppercase())
        )
        lf = lf.join(
            _state_lookup()
            .lazy()
            .select(pl.col("key").alias("__st_key"), pl.col("state_code").alias("__st_code")),
            left_on=state_key,
            right_on="__st_key",
            how="left",
            maintain_order="left",
        )
    else:
        lf = lf.with_columns(__st_code=pl.lit(None, pl.String))
    lf = lf.with_columns(__state_code=pl.coalesce("__st_code", "__pt_state", "__zip_state_code"))

    # City: explicit, placed from the gazetteer within the country (and state when known).
    city = ov.get("city", pl.lit(None, pl.String))
    if "city" in fields:
        places = (
            load_table("places")
            .lazy()
            .select(
                "country", "state_code", "key", "latitude", "longitude", "timezone", "population"
            )
            .sort("population", descending=True)
        )
        by_state = places.unique(
            ["country", "state_code", "key"], keep="first", maintain_order=True
        )
        by_country = places.unique(["country", "key"], keep="first", maintain_order=True)
        lf = lf.with_columns(__city_key=place_key_expr(city))
        lf = (
            lf.join(
                _renamed(
                    by_state,
                    country="__c1",
                    state_code="__s1",
                    key="__k1",
                    latitude="__city_lat1",
                    longitude="__city_lon1",
                    timezone="__city_zone1",
                ),
                left_on=[
                    pl.col("__country"),
                    pl.coalesce("__state_code", "state_code"),
                    "__city_key",
                ],
                right_on=["__c1", "__s1", "__k1"],
                how="left",
                maintain_order="left",
            )
            .join(
                _renamed(
                    by_country,
                    country="__c2",
                    key="__k2",
                    state_code="__city_state2",
                    latitude="__city_lat2",
                    longitude="__city_lon2",
                    timezone="__city_zone2",
                ),
                left_on=["__country", "__city_key"],
                right_on=["__c2", "__k2"],
                how="left",
                maintain_order="left",
            )
            .with_columns(
                __city_lat=pl.coalesce("__city_lat1", "__city_lat2"),
                __city_lon=pl.coalesce("__city_lon1", "__city_lon2"),
                __city_zone=pl.coalesce("__city_zone1", "__city_zone2"),
                __city_state=pl.when(pl.col("__city_lat1").is_null()).then("__city_state2"),
            )
        )
    else:
        lf = lf.with_columns(
            pl.lit(None, pl.Float64).alias("__city_lat"),
            pl.lit(None, pl.Float64).alias("__city_lon"),
            pl.lit(None, pl.String).alias("__city_zone"),
            pl.lit(None, pl.String).alias("__city_state"),
        )
    lf = lf.with_columns(__state_code=pl.coalesce("__state_code", "__city_state"))

    # Coordinates.
    has_point = (
        ov["latitude"].is_not_null() & ov["longitude"].is_not_null()
        if "latitude" in fields
        else pl.lit(False)
    )
    point_zone = (
        timezone_at_expr(ov["latitude"], ov["longitude"])
        if "latitude" in fields
        else pl.lit(None, pl.String)
    )

    states = _renamed(
        load_table("subdivisions"),
        state_code="__sub_code",
        latitude="__state_lat",
        longitude="__state_lon",
        timezone="__state_zone",
    )
    countries = _renamed(
        load_table("countries"),
        country="__cc",
        country_name="__country_name",
        region="__region",
        latitude="__country_lat",
        longitude="__country_lon",
        timezone="__country_zone",
    )
    lf = lf.join(
        states, left_on="__state_code", right_on="__sub_code", how="left", maintain_order="left"
    )
    lf = lf.join(countries, left_on="__country", right_on="__cc", how="left", maintain_order="left")

    same_country = pl.col("__country").eq_missing(pl.col("country"))
    new_state = pl.col("__state_code").is_not_null() & pl.col("__state_code").ne_missing(
        pl.col("state_code")
    )
    phone_kept = same_country & ~new_state  # the phone's finer geography still applies
    city_hit = pl.col("__city_lat").is_not_null()
    # The precedence ladder, most precise first: (applies, level, lat, lon, zone).
    ladder: list[tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr, pl.Expr]] = [
        (
            has_point,
            pl.lit("coordinates"),
            ov.get("latitude", pl.lit(None)),
            ov.get("longitude", pl.lit(None)),
            point_zone,
        ),
        (zip_hit, pl.lit("zip"), pl.col("__zip_lat"), pl.col("__zip_lon"), pl.col("__zip_zone")),
        (
            city_hit,
            pl.lit("city"),
            pl.col("__city_lat"),
            pl.col("__city_lon"),
            pl.col("__city_zone"),
        ),
        (
            phone_kept & pl.col("latitude").is_not_null(),
            pl.col("geo_level").cast(pl.String),
            pl.col("latitude"),
            pl.col("longitude"),
            pl.col("timezone"),
        ),
        (
            pl.col("__state_lat").is_not_null(),
            pl.lit("state"),
            pl.col("__state_lat"),
            pl.col("__state_lon"),
            pl.col("__state_zone"),
        ),
        (
            pl.col("__country_lat").is_not_null(),
            pl.lit("country"),
            pl.col("__country_lat"),
            pl.col("__country_lon"),
            pl.col("__country_zone"),
        ),
    ]

    def first(field: int) -> pl.Expr:
        expr: pl.Expr = pl.lit(None)
        for step in reversed(ladder):  # built inside out: the first step is checked first
            expr = pl.when(step[0]).then(step[field]).otherwise(expr)
        return expr

    level, lat, lon, zone = first(1), first(2), first(3), first(4)
    used = pl.any_horizontal([v.is_not_null() for v in ov.values()])
    new_city = pl.coalesce(
        city, pl.when(zip_hit).then("__zip_city"), pl.when(phone_kept).then("city")
    )
    new_area = pl.coalesce(ov.get("area", pl.lit(None, pl.String)), "__zip_area")
    lf = lf.with_columns(
        __used=used,
        __level=level,
        __lat=lat,
        __lon=lon,
        __zone=zone,
        __city=new_city,
        __area=new_area,
        __new_state=pl.when(phone_kept)
        .then(pl.coalesce("__state_code", "state_code"))
        .otherwise("__state_code"),
    )

    def pick(new: pl.Expr, old: pl.Expr) -> pl.Expr:
        return pl.when(pl.col("__used")).then(new).otherwise(old)

    region_override = ov.get("region", pl.lit(None, pl.String))
    return lf.with_columns(
        country=pick(pl.col("__country"), pl.col("country")),
        country_name=pick(pl.col("__country_name"), pl.col("country_name")),
        region=pick(pl.coalesce(region_override, "__region"), pl.col("region")),
        state_code=pick(pl.col("__new_state"), pl.col("state_code")),
        area=pick(pl.col("__area"), pl.col("area")),
        zip=pick(ov.get("zip", pl.lit(None, pl.String)), pl.col("zip")),
        city=pick(pl.col("__city"), pl.col("city")),
        latitude=pick(pl.col("__lat"), pl.col("latitude")),
        longitude=pick(pl.col("__lon"), pl.col("longitude")),
        timezone=pick(pl.col("__zone"), pl.col("timezone")),
        geo_level=pick(pl.col("__level"), pl.col("geo_level").cast(pl.String)),
        geo_source=pl.when(used).then(pl.lit("customer_attributes")).otherwise(pl.lit("phone")),
    )
