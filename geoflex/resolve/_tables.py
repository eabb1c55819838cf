"""The resolver's compiled tables, read once from the package (see data/build_phone.py)."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import polars as pl


def _read(name: str) -> pl.DataFrame:
    with files("geoflex._data").joinpath(f"phone/{name}.parquet").open("rb") as fh:
        return pl.read_parquet(fh)


def _segments(name: str) -> pl.DataFrame:
    """A segment table (only starts stored) with its ``hi`` column restored."""
    frame = _read(name)
    return frame.with_columns(
        hi=(pl.col("lo").shift(-1) - 1).fill_null(pl.lit(2**63 - 1, pl.Int64))
    )


@lru_cache(maxsize=1)
def numbers() -> pl.DataFrame:
    """Key intervals → region, type, valid."""
    return _read("numbers")


@lru_cache(maxsize=1)
def general() -> pl.DataFrame:
    """Per region, key intervals of ``cc + x`` where ``x`` matches the general pattern."""
    return _read("general")


@lru_cache(maxsize=1)
def prefixes() -> pl.DataFrame:
    """Padded E.164 prefix segments → place_id (geocoder) and zones_id (timezone map)."""
    return _segments("prefixes")


@lru_cache(maxsize=1)
def places() -> pl.DataFrame:
    """place_id → place_city, place_state_code, place_lat, place_lon, place_level, place_zone."""
    return _read("places")


@lru_cache(maxsize=1)
def zone_lists() -> list[list[str]]:
    """zones_id → libphonenumber's list of IANA zones for that prefix."""
    return [z.split("|") for z in _read("zones").get_column("zones").to_list()]
