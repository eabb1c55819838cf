"""The resolver's compiled tables, read once from the package (see data/build_phone.py)."""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from importlib.resources import files
from typing import Any

import polars as pl

from geoflex.resolve._lookup import BLOCK, WIDTH


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


class Intervals:
    """A sorted, disjoint interval table as Python lists, for bisect (one key at a time)."""

    def __init__(self, lo: list[int], hi: list[int], values: list[Any]) -> None:
        self.lo, self.hi, self.values = lo, hi, values

    def find(self, key: int) -> Any:
        i = bisect_right(self.lo, key) - 1
        if i >= 0 and key <= self.hi[i]:
            return self.values[i]
        return None


def padded_key(digits: str) -> int:
    """The prefix tables' key of an E.164 digit string (see `_lookup.padded`)."""
    return int(digits[:WIDTH].ljust(WIDTH, "0"))


@lru_cache(maxsize=1)
def _number_intervals() -> Intervals:
    table = numbers()
    return Intervals(
        table["lo"].to_list(),
        table["hi"].to_list(),
        list(zip(table["region"], table["type"], table["valid"], strict=True)),
    )


def number_facts(digits: str) -> tuple[str | None, str | None, bool] | None:
    """(region, type, valid) of an E.164 digit string from `numbers`, or None."""
    facts: tuple[str | None, str | None, bool] | None = _number_intervals().find(
        len(digits) * BLOCK + padded_key(digits)
    )
    return facts


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
    """place_id → place_country, place_city, place_state_code, place_lat, place_lon,
    place_level, place_zone."""
    return _read("places")


@lru_cache(maxsize=1)
def zone_lists() -> list[list[str]]:
    """zones_id → libphonenumber's list of IANA zones for that prefix."""
    return [z.split("|") for z in _read("zones").get_column("zones").to_list()]
