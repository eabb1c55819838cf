"""`resolve`: add the geo columns to a frame of any common kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Union, overload

import polars as pl

from geoflex._errors import ColumnError, ConfigError
from geoflex.resolve._core import PHONE_COLUMNS, resolve_phones, state_names
from geoflex.resolve._overrides import apply_overrides, check_overrides, override_inputs
from geoflex.resolve._parse import default_region
from geoflex.resolve._schema import GEO_COLUMNS, GEO_SCHEMA

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

RegionKey = Union[str, tuple[str, str]]  # noqa: UP007  (a runtime alias on Python 3.10)
Regions = Union[Mapping[RegionKey, str], pl.Expr]  # noqa: UP007

_STRING_TYPES = (pl.String, pl.Categorical, pl.Enum, pl.Null)
PHONE_STRUCT = pl.Struct({c: GEO_SCHEMA[c] for c in PHONE_COLUMNS})


def phone_struct(phones: pl.Series, default_country: str) -> pl.Series:
    """The phone-derived geo columns of ``phones`` as one struct Series."""
    geo = resolve_phones(phones.cast(pl.String), default_country=default_country)
    return geo.to_struct("__geo")


def _check_phone_column(schema: pl.Schema, phone: str) -> None:
    if phone not in schema:
        raise ColumnError(
            f"phone column {phone!r} not found; available columns: {', '.join(schema.names())}"
        )
    dtype = schema[phone]
    if not isinstance(dtype, _STRING_TYPES):
        raise ColumnError(
            f"phone column {phone!r} has type {dtype}, expected text (String); numbers stored "
            f"as integers lose their '+' and leading zeros: cast or re-read the column as String"
        )


def _region_expr(regions: Regions | None, state_codes: dict[str, str]) -> pl.Expr | None:
    """The user's regions as an expression over the geo columns (null: not mapped)."""
    if regions is None:
        return None
    if isinstance(regions, pl.Expr):
        return regions
    by_country: dict[str, str] = {}
    by_state: dict[str, str] = {}
    for key, name in regions.items():
        if not isinstance(name, str):
            raise ConfigError(f"regions: the region for {key!r} must be a string, got {name!r}")
        if isinstance(key, tuple) and len(key) == 2:
            country, state = key[0].upper(), key[1]
            code = state_codes.get(f"{country}:{state.upper()}") or state_codes.get(state.upper())
            if code is None:
                raise ConfigError(f"regions: unknown state {state!r} of country {country!r}")
            by_state[code] = name
        elif isinstance(key, str) and len(key) == 2:
            by_country[key.upper()] = name
        else:
            raise ConfigError(
                f"regions: keys are ISO 3166-1 alpha-2 codes or (country, state) pairs, got {key!r}"
            )
    expr = pl.col("country").replace_strict(by_country, default=None, return_dtype=pl.String)
    if by_state:
        by_code = pl.col("state_code").replace_strict(
            by_state, default=None, return_dtype=pl.String
        )
        expr = pl.coalesce(by_code, expr)
    return expr


def _state_code_index() -> dict[str, str]:
    from geoflex.reference import load_table

    subs = load_table("subdivisions")
    index: dict[str, str] = {}
    for row in subs.iter_rows(named=True):
        index[row["state_code"].upper()] = row["state_code"]
        index[f"{row['country']}:{row['abbreviation'].upper()}"] = row["state_code"]
        index[f"{row['country']}:{row['state'].upper()}"] = row["state_code"]
    return index


def _resolve_lazy(
    lf: pl.LazyFrame,
    phone: str,
    default_country: str,
    regions: Regions | None,
    overrides: Mapping[str, str] | None,
) -> pl.LazyFrame:
    schema = lf.collect_schema()
    _check_phone_column(schema, phone)
    fields = check_overrides(overrides, schema.names())
    consumed = set(fields.values())
    clashes = [c for c in GEO_COLUMNS if c in schema and c not in consumed and c != phone]
    if clashes:
        raise ColumnError(
            f"the data already has column(s) {', '.join(clashes)} that resolve adds; rename them, "
            f"or pass them as overrides (e.g. overrides={{'{clashes[0]}': '{clashes[0]}'}})"
        )
    original = [c for c in schema.names() if c not in GEO_COLUMNS or c == phone]
    geo = (
        pl.col(phone)
        .map_batches(
            lambda s: phone_struct(s, default_country),
            return_dtype=PHONE_STRUCT,
            is_elementwise=False,  # whole column: repeats are resolved once
        )
        .alias("__geo")
    )
    out = (
        lf.with_columns(*override_inputs(fields), geo)
        .with_columns(pl.col("__geo").struct.unnest())
        .with_columns(
            area=pl.lit(None, pl.String),
            zip=pl.lit(None, pl.String),
            geo_source=pl.lit("phone", GEO_SCHEMA["geo_source"]),
        )
    )
    out = apply_overrides(out, set(fields))
    region = _region_expr(regions, _state_code_index() if regions is not None else {})
    if region is not None:
        # A region given per row in the customer's attributes beats the mapping.
        row_region = pl.col("__ov_region") if "region" in fields else pl.lit(None, pl.String)
        out = out.with_columns(region=pl.coalesce(row_region, region, pl.col("region")))
    if fields:  # overrides may have moved the state: name it from its code again
        out = out.with_columns(
            state=pl.col("state_code").replace_strict(
                state_names(), default=None, return_dtype=pl.String
            )
        )
    return out.select(*original, *(pl.col(c).cast(GEO_SCHEMA[c]) for c in GEO_COLUMNS))


@overload
def resolve(
    data: pl.DataFrame,
    phone: str = ...,
    *,
    default_country: str | None = ...,
    regions: Regions | None = ...,
    overrides: Mapping[str, str] | None = ...,
) -> pl.DataFrame: ...
@overload
def resolve(
    data: pl.LazyFrame,
    phone: str = ...,
    *,
    default_country: str | None = ...,
    regions: Regions | None = ...,
    overrides: Mapping[str, str] | None = ...,
) -> pl.LazyFrame: ...
@overload
def resolve(
    data: pd.DataFrame,
    phone: str = ...,
    *,
    default_country: str | None = ...,
    regions: Regions | None = ...,
    overrides: Mapping[str, str] | None = ...,
) -> pd.DataFrame: ...
@overload
def resolve(
    data: pa.Table,
    phone: str = ...,
    *,
    default_country: str | None = ...,
    regions: Regions | None = ...,
    overrides: Mapping[str, str] | None = ...,
) -> pa.Table: ...
def resolve(
    data: Any,
    phone: str = "phone",
    *,
    default_country: str | None = "US",
    regions: Regions | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Any:
    """Add geography to every row from its phone number and customer attributes.

    Parameters
    ----------
    data
        A polars DataFrame or LazyFrame, a pandas DataFrame or a pyarrow Table. The result is
        of the same kind (a LazyFrame stays lazy), with every input row kept, in order.
    phone
        The column holding phone numbers as text, in any common shape: E.164, national or
        international with any punctuation, ``tel:`` URIs, ``whatsapp:+...``, ``011``/``00``
        prefixes, extensions, full-width digits.
    default_country
        ISO 3166-1 alpha-2 code of the country whose national format numbers without a
        country code are read in (and whose international prefix is recognised). ``None``:
        no default, so only numbers written with their calling code (``+``, ``00``) resolve.
    regions
        Custom regions: a mapping from a country code (``"US"``) or a ``(country, state)`` pair
        (``("US", "WA")``) to a region name, or a polars expression over the geo columns.
        Unmapped rows keep the default Flex continent.
    overrides
        Customer attributes that override the phone: a mapping from a geo field (``zip``,
        ``region``, ``country``, ``state``, ``area``, ``city``, ``latitude``, ``longitude``)
        to a column of ``data``. Precedence is documented in ``geoflex.resolve._overrides``.

    Returns
    -------
    The data with the columns ``phone_e164``, ``valid``, ``geo_status``, ``region``,
    ``country``, ``country_name``, ``state``, ``state_code``, ``area``, ``zip``, ``city``,
    ``latitude``, ``longitude``, ``timezone``, ``geo_level`` and ``geo_source`` added.

    Notes
    -----
    The distinct phones of the last large call (50,000 strings or more) and their results
    are kept until the next such call: resolving a dataset's segments, then its
    conversations, then its customers looks each phone up once and finds it again by a join
    (for a call at least half the size of the remembered one; a smaller call is resolved
    afresh, which is then cheaper than the join).
    A result depends only on the string, ``default_country`` and the shipped data, so a
    remembered row is exactly what resolving it again would give;
    :func:`geoflex.clear_resolve_cache` frees them.

    Examples
    --------
    >>> import polars as pl
    >>> import geoflex
    >>> df = pl.DataFrame({"phone": ["+1 415-555-0132", "(206) 555 0100", "client:alice"]})
    >>> geoflex.resolve(df).select("phone_e164", "geo_status", "state_code", "city", "timezone")
    shape: (3, 5)
    ┌──────────────┬─────────────┬────────────┬───────────────┬─────────────────────┐
    │ phone_e164   ┆ geo_status  ┆ state_code ┆ city          ┆ timezone            │
    │ ---          ┆ ---         ┆ ---        ┆ ---           ┆ ---                 │
    │ str          ┆ enum        ┆ str        ┆ str           ┆ str                 │
    ╞══════════════╪═════════════╪════════════╪═══════════════╪═════════════════════╡
    │ +14155550132 ┆ ok          ┆ US-CA      ┆ San Francisco ┆ America/Los_Angeles │
    │ +12065550100 ┆ ok          ┆ US-WA      ┆ Seattle       ┆ America/Los_Angeles │
    │ null         ┆ not_a_phone ┆ null       ┆ null          ┆ null                │
    └──────────────┴─────────────┴────────────┴───────────────┴─────────────────────┘
    """
    region = default_region(default_country)
    if isinstance(data, pl.LazyFrame):
        return _resolve_lazy(data, phone, region, regions, overrides)
    if isinstance(data, pl.DataFrame):
        return _resolve_lazy(data.lazy(), phone, region, regions, overrides).collect()
    kind = type(data).__module__.split(".")[0]
    if kind == "pandas":
        frame = pl.from_pandas(data)
        out = resolve(
            frame, phone, default_country=default_country, regions=regions, overrides=overrides
        )
        return out.to_pandas()
    if kind == "pyarrow":
        table = pl.from_arrow(data)
        assert isinstance(table, pl.DataFrame)
        out = resolve(
            table, phone, default_country=default_country, regions=regions, overrides=overrides
        )
        return out.to_arrow()
    raise TypeError(
        f"resolve takes a polars DataFrame/LazyFrame, a pandas DataFrame or a pyarrow Table, "
        f"not {type(data).__name__}"
    )
