"""Sums of floats that come out the same on every run.

polars' group-by adds floats in whatever order its threads finish (with either engine), so
one sum can differ in its last bits from one run to the next: tables and reports would not
reproduce. Summed as decimals, 9 places after the point (a nanosecond, for durations in
seconds), a sum is exact, so the order does not matter; it is then converted to a float
(within a unit in its last place of the exact sum).
"""

from __future__ import annotations

import polars as pl

__all__ = ["exact_mean", "exact_sum"]

# Values a decimal sum holds: 38 digits, 9 of them after the point, leave 29 before it, so
# a billion values under this bound cannot overflow.
_LIMIT = 1e18


def exact_sum(column: str | pl.Expr) -> pl.Expr:
    """The sum of a float column or expression (in a group-by or over the frame), the same
    on every run; named as the column.

    A group holding a value a decimal cannot hold (NaN, infinity, or 1e18 or more in size)
    gets polars' float sum, which is then NaN or infinite (or too large for its last bits
    to matter). An empty or all-null group sums to 0, as in polars.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"k": ["a", "a", "b", "c"], "v": [0.1, 0.2, float("nan"), 1e300]})
    >>> df.group_by("k").agg(exact_sum("v")).sort("k").rows()
    [('a', 0.3), ('b', nan), ('c', 1e+300)]
    >>> df.select(pl.col("v").head(2).sum()).item()  # the float sum, for comparison
    0.30000000000000004
    """
    value = pl.col(column) if isinstance(column, str) else column
    # False for NaN and infinities too. Values out of range are kept from the cast, which
    # raises on them even when not strict.
    fits = value.abs() < _LIMIT
    exact = pl.when(fits).then(value).cast(pl.Decimal(38, 9)).sum().cast(pl.Float64)
    return pl.when(fits.all()).then(exact).otherwise(value.sum())


def exact_mean(column: str | pl.Expr) -> pl.Expr:
    """The mean of a float column or expression, the same on every run: :func:`exact_sum`
    over the count of non-null values (null when there are none, as in polars).

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"v": [0.1, 0.2, None]})
    >>> df.select(exact_mean("v")).item()
    0.15
    """
    value = pl.col(column) if isinstance(column, str) else column
    count = value.count()
    return pl.when(count > 0).then(exact_sum(value) / count)
