"""Vectorized lookups of parsed numbers in the compiled interval tables.

A number is its calling code ``cc`` and national significant number, held as an integer
value and a digit count (leading zeros are in the count). Keys (see data/_regex_intervals.py):
``padded`` is the first 17 digits of the E.164 digit string, right-padded with zeros;
``length key`` is ``len * 10**17 + padded``, so numbers of one length form one block.
"""

from __future__ import annotations

import polars as pl

WIDTH = 17
BLOCK = 10**WIDTH
_POW10 = pl.Series("pow10", [10**k for k in range(19)], dtype=pl.Int64)


def pow10(k: pl.Expr) -> pl.Expr:
    """10**k as Int64 for k in 0..18 (clipped: callers guard the rows where k is outside)."""
    return pl.lit(_POW10).gather(k.cast(pl.Int64).clip(0, 18).fill_null(0))


def code_length(cc: pl.Expr) -> pl.Expr:
    """Digits in a calling code (1-3)."""
    return pl.when(cc < 10).then(1).when(cc < 100).then(2).otherwise(3).cast(pl.Int64)


def padded(cc: pl.Expr, value: pl.Expr, length: pl.Expr) -> pl.Expr:
    """The prefix tables' key of the number ``cc`` + (``value``, ``length`` digits)."""
    room = WIDTH - code_length(cc)
    head = (
        pl.when(length <= room)
        .then(value * pow10(room - length))
        .otherwise(value // pow10(length - room))
    )
    key: pl.Expr = cc.cast(pl.Int64) * pow10(room) + head
    return key


def digits_key(cc: pl.Expr, value: pl.Expr, length: pl.Expr) -> pl.Expr:
    """The numbers table's (length-qualified) key of ``cc`` + (``value``, ``length`` digits)."""
    key: pl.Expr = (code_length(cc) + length) * BLOCK + padded(cc, value, length)
    return key


def interval_index(keys: pl.Series, table: pl.DataFrame) -> pl.Series:
    """Row of ``table`` (sorted, disjoint ``lo``..``hi``) containing each key, or null."""
    lo = pl.lit(table.get_column("lo"))
    hi = pl.lit(table.get_column("hi"))
    key, pos = pl.col("key"), pl.col("pos")
    found = (
        pl.LazyFrame({"key": keys})
        .with_columns(pos=lo.search_sorted(key.fill_null(-1), side="right").cast(pl.Int64) - 1)
        .select(pl.when((pos >= 0) & (key <= hi.gather(pos.clip(lower_bound=0)))).then(pos))
        .collect()
    )
    return found.to_series().alias("row")


def gather(table: pl.DataFrame, rows: pl.Series, columns: list[str]) -> pl.DataFrame:
    """Columns of ``table`` at ``rows`` (null rows give nulls)."""
    idx = rows.cast(pl.UInt32)
    return pl.DataFrame([table.get_column(c).gather(idx) for c in columns])
