"""Demand for staffing: conversations per hour of an average week, in UTC or local time.

Erlang C needs the volume of one typical interval, not the total over the data, so counts
per hour-of-week are divided by how many times that hour occurred in the data's period
(a period of 3 weeks and 2 days has 3 or 4 Mondays 09:00).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from geoflex._errors import ColumnError
from geoflex._sums import ordered_mean
from geoflex.staffing._shifts import HOURS_PER_WEEK

__all__ = [
    "demand_counts",
    "demand_grid",
    "demand_rows",
    "hour_of_week_expr",
    "weekly_demand",
]


def hour_of_week_expr(expr: pl.Expr) -> pl.Expr:
    """0 for Monday 00:00-01:00 ... 167 for Sunday 23:00-24:00, in the datetime's own zone.

    >>> import datetime as dt, polars as pl
    >>> pl.select(hour_of_week_expr(pl.lit(dt.datetime(2026, 1, 6, 9, 30)))).item()
    33
    >>> pl.select(hour_of_week_expr(pl.lit(dt.datetime(2026, 1, 11, 23, 59)))).item()
    167
    """
    # weekday() and hour() are Int8: widen before multiplying (Sunday 23:00 is 167 > 127).
    day = expr.dt.weekday().cast(pl.Int16) - 1
    return day * 24 + expr.dt.hour().cast(pl.Int16)


def _occurrences(first: dt.datetime, last: dt.datetime) -> pl.LazyFrame:
    """How many times each hour-of-week occurs between two instants (inclusive hours)."""
    start = first.replace(minute=0, second=0, microsecond=0)
    hours = int((last - start) // dt.timedelta(hours=1)) + 1
    weeks, rest = divmod(hours, HOURS_PER_WEEK)
    offset = start.weekday() * 24 + start.hour
    counts = [weeks] * HOURS_PER_WEEK
    for k in range(rest):
        counts[(offset + k) % HOURS_PER_WEEK] += 1
    return pl.LazyFrame(
        {"hour_of_week": range(HOURS_PER_WEEK), "weeks": counts},
        schema={"hour_of_week": pl.Int16, "weeks": pl.Int32},
    )


def weekly_demand(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    time: str = "started_at",
    handle_time: str | None = "handle_time",
    timezone: str | None = None,
) -> pl.DataFrame:
    """Average conversations (and handle time) per hour of the week.

    Parameters
    ----------
    frame
        One row per conversation with a start ``time`` (UTC; naive means UTC).
    handle_time
        Column of handle time in seconds, averaged into ``aht_s`` over the conversations
        with a positive handle time (None: no AHT column).
    timezone
        Column of IANA zones: count by each row's *local* hour of the week, one group per
        zone (rows without a zone go to ``timezone = null``, local hour = UTC hour).
        None: UTC hours, no ``timezone`` column.

    Returns
    -------
    DataFrame
        [``timezone``,] ``hour_of_week``, ``conversations`` (average per occurrence of that
        hour in the data's period), ``total`` (raw count) [, ``aht_s``]. All 168 hours per
        group, zero-filled; the ``total`` column sums to the number of rows with a time.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> df = pl.DataFrame({"started_at": [dt.datetime(2026, 1, 5, 9), dt.datetime(2026, 1, 12, 9),
    ...                                   dt.datetime(2026, 1, 12, 9, 40)],
    ...                    "handle_time": [100.0, 200.0, 300.0]})
    >>> weekly_demand(df).filter(pl.col("total") > 0).rows()
    [(9, 1.5, 3, 200.0)]
    """
    rows = demand_rows(frame, time=time, handle_time=handle_time, timezone=timezone)
    bounds = rows.select(pl.col("_t").min().alias("a"), pl.col("_t").max().alias("b")).collect()
    first, last = bounds.row(0)
    keys = ["timezone"] if timezone else []
    counted = demand_counts(rows, keys=keys, handle_time=handle_time is not None).collect()
    return demand_grid(counted, first, last, keys=keys, handle_time=handle_time is not None)


def demand_rows(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    time: str = "started_at",
    handle_time: str | None = "handle_time",
    timezone: str | None = None,
) -> pl.LazyFrame:
    """Each row with a time as `weekly_demand` counts it: ``_t`` (naive UTC), ``_h`` (the
    handle time), ``timezone``, ``hour_of_week`` (local with ``timezone``, else UTC)."""
    names = frame.collect_schema().names()
    wanted = [time] + ([handle_time] if handle_time else []) + ([timezone] if timezone else [])
    missing = [c for c in wanted if c not in names]
    if missing:
        raise ColumnError(f"weekly_demand needs columns {missing}; the frame has {names}")
    lazy = frame.lazy()
    stamp = pl.col(time)
    dtype = frame.collect_schema()[time]
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        stamp = stamp.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    lazy = lazy.select(
        stamp.alias("_t"),
        *([pl.col(handle_time).cast(pl.Float64).alias("_h")] if handle_time else []),
        *([pl.col(timezone).cast(pl.String).alias("timezone")] if timezone else []),
    ).drop_nulls("_t")
    if timezone:
        return _local_hours(lazy)
    return lazy.with_columns(hour_of_week_expr(pl.col("_t")).alias("hour_of_week"))


def demand_counts(rows: pl.LazyFrame, *, keys: list[str], handle_time: bool) -> pl.LazyFrame:
    """`demand_rows` counted per [``timezone``,] ``hour_of_week``: ``total`` [, ``aht_s``]."""
    # Abandoned conversations (handle time 0 or null) do not pull the AHT down.
    handled = pl.col("_h").filter(pl.col("_h") > 0)
    aggs = [pl.len().alias("total")] + (
        [ordered_mean(handled).alias("aht_s")] if handle_time else []
    )
    return rows.group_by(*keys, "hour_of_week").agg(aggs)


def demand_grid(
    counted: pl.DataFrame,
    first: dt.datetime | None,
    last: dt.datetime | None,
    *,
    keys: list[str],
    handle_time: bool,
) -> pl.DataFrame:
    """`demand_counts` on every hour of the week, as averages over the hours that occur
    between ``first`` and ``last`` (naive UTC: the rows' first and last times)."""
    if first is None or last is None:
        return counted.with_columns(conversations=pl.lit(0.0))
    grid = _occurrences(first, last)
    if keys:
        grid = counted.lazy().select("timezone").unique().join(grid, how="cross")
    out = (
        grid.join(counted.lazy(), on=[*keys, "hour_of_week"], how="left", nulls_equal=True)
        .with_columns(pl.col("total").fill_null(0).cast(pl.UInt32))
        .with_columns(
            conversations=pl.when(pl.col("weeks") > 0)
            .then(pl.col("total") / pl.col("weeks"))
            .otherwise(0.0)
        )
        .select(
            *keys, "hour_of_week", "conversations", "total", *(["aht_s"] if handle_time else [])
        )
        .sort(*keys, "hour_of_week", nulls_last=True)
    )
    return out.collect()


def _local_hours(lazy: pl.LazyFrame) -> pl.LazyFrame:
    """Local hour-of-week per row: convert each distinct (zone, UTC hour) once, then join."""
    pairs = (
        lazy.select("timezone", pl.col("_t").dt.truncate("1h").alias("_hour")).unique().collect()
    )
    parts = []
    for (zone,), group in pairs.group_by("timezone"):
        hours = pl.col("_hour").dt.replace_time_zone("UTC")
        local = hours.dt.convert_time_zone(zone) if zone is not None else hours
        parts.append(group.with_columns(hour_of_week=hour_of_week_expr(local)))
    table = pl.concat(parts) if parts else pairs.with_columns(hour_of_week=pl.lit(None, pl.Int16))
    return lazy.with_columns(pl.col("_t").dt.truncate("1h").alias("_hour")).join(
        table.lazy(), on=["timezone", "_hour"], how="left", nulls_equal=True
    )
