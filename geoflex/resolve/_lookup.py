"""Vectorized lookups of parsed numbers in the compiled interval tables."""

from __future__ import annotations

import polars as pl

from geoflex.resolve import _tables

WIDTH = 17
BLOCK = 10**WIDTH


def padded(e164_digits: pl.Expr) -> pl.Expr:
    """The first 17 digits, right-padded with zeros, as Int64 (the prefix tables' key)."""
    key: pl.Expr = e164_digits.str.slice(0, WIDTH).str.pad_end(WIDTH, "0").cast(pl.Int64)
    return key


def length_key(e164_digits: pl.Expr) -> pl.Expr:
    """Length-qualified key: numbers of one length form one block (the numbers table's key)."""
    key: pl.Expr = e164_digits.str.len_bytes().cast(pl.Int64) * BLOCK + padded(e164_digits)
    return key


def interval_index(keys: pl.Series, table: pl.DataFrame) -> pl.Series:
    """Row of ``table`` (sorted, disjoint ``lo``..``hi``) containing each key, or null."""
    lo = table.get_column("lo")
    hi = table.get_column("hi")
    filled = keys.fill_null(-1)
    pos = lo.search_sorted(filled, side="right").cast(pl.Int64) - 1
    safe = pos.clip(lower_bound=0)
    hit = (pos >= 0) & (filled <= hi.gather(safe)) & keys.is_not_null()
    return pl.select(pl.when(hit).then(safe).otherwise(None)).to_series().alias("row")


def gather(table: pl.DataFrame, rows: pl.Series, columns: list[str]) -> pl.DataFrame:
    """Columns of ``table`` at ``rows`` (null rows give nulls)."""
    idx = rows.cast(pl.UInt32)
    return pl.DataFrame([table.get_column(c).gather(idx) for c in columns])


def number_facts(e164_digits: pl.Series) -> pl.DataFrame:
    """region, type, valid for E.164 digit strings (null in, null out)."""
    table = _tables.numbers()
    keys = pl.select(length_key(pl.lit(e164_digits))).to_series()
    rows = interval_index(keys, table)
    return gather(table, rows, ["region", "type", "valid"])


def prefix_value(e164_digits: pl.Series, table: pl.DataFrame, column: str) -> pl.Series:
    """Longest-prefix value of ``table`` for each digit string."""
    keys = pl.select(padded(pl.lit(e164_digits))).to_series()
    rows = interval_index(keys, table)
    return gather(table, rows, [column]).get_column(column)
