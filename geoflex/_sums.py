"""Sums and means of floats that come out the same on every run.

polars' group-by adds floats in whatever order its threads finish (with either engine), so
one sum can differ in its last bits from one run to the next: tables and reports would not
reproduce. Here each group's values are gathered in their row order (polars keeps the rows
of a group in order) and added as one list, the same way every time: a sum depends on the
data alone, and a group of one value sums to that value.

(Summing as decimals was tried: exact, but polars' conversions between decimals and floats
do not give back the float they were given, so a one-segment conversation's total would
differ from its segment's duration in the last bit.)
"""

from __future__ import annotations

import polars as pl

__all__ = ["ordered_mean", "ordered_sum"]


def _values(column: str | pl.Expr) -> pl.Expr:
    return pl.col(column) if isinstance(column, str) else column


def ordered_sum(column: str | pl.Expr) -> pl.Expr:
    """The sum of a float column or expression (in a group-by or over the frame), the same
    on every run; named as the column. Nulls are skipped (all-null sums to 0), NaN and
    infinities propagate, as in polars' sum.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"k": ["a", "a", "b", "c"], "v": [1.5, 2.0, float("nan"), None]})
    >>> df.group_by("k").agg(ordered_sum("v")).sort("k").rows()
    [('a', 3.5), ('b', nan), ('c', 0.0)]
    """
    return _values(column).implode().list.sum()


def ordered_mean(column: str | pl.Expr) -> pl.Expr:
    """The mean of a float column or expression, the same on every run (null when there is
    no value, as in polars).

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"v": [1.0, 2.0, None]})
    >>> df.select(ordered_mean("v")).item()
    1.5
    """
    return _values(column).implode().list.mean()
