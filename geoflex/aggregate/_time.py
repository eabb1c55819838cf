"""Time in three clocks: UTC, the contact centre's zone, and each customer's own zone."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl

from geoflex._errors import ConfigError
from geoflex.aggregate._frames import FrameT, check_columns, like_input

__all__ = [
    "Clock",
    "Every",
    "clock_time",
    "interval_duration",
    "interval_time",
    "local_time",
    "utc_expr",
]

Clock = Literal["utc", "centre", "customer"]
Every = Literal["15m", "30m", "60m", "1h"]
_EVERY = {"15m": "15m", "30m": "30m", "60m": "1h", "1h": "1h"}
# Offsets are looked up per 15 minutes: every zone's transitions fall on a quarter hour.
_STEP = dt.timedelta(minutes=15)


def interval_duration(every: str) -> str:
    """The polars duration string of an interval choice ('15m', '30m', '60m' or '1h')."""
    try:
        return _EVERY[every]
    except KeyError:
        raise ConfigError(f"every must be one of {', '.join(_EVERY)}, got {every!r}") from None


def _offsets(zones: list[str], start: dt.datetime, quarters: int) -> pl.Series:
    """Wall-clock offset of zone ``z`` at UTC quarter hour ``q`` (from ``start``), at index
    ``z * quarters + q``: one flat table, so each row's offset is one gather."""
    grid = pl.datetime_range(
        start, start + _STEP * (quarters - 1), _STEP, time_unit="ms", time_zone="UTC", eager=True
    )
    naive = grid.dt.replace_time_zone(None)
    parts = [grid.dt.convert_time_zone(zone).dt.replace_time_zone(None) - naive for zone in zones]
    return pl.concat(parts).rename("__offset")


def local_time(
    frame: FrameT,
    *,
    time: str = "created_at",
    timezone: str = "timezone",
    name: str = "local_time",
) -> FrameT:
    """Add each row's wall-clock time in its own zone (naive datetime; null zone -> null).

    polars converts a whole column to one zone at a time, so the distinct zones and the time
    range are collected first (cheap), then each row takes its offset from a (zone, quarter
    hour) table.

    Parameters
    ----------
    frame
        Rows with a UTC datetime column and a column of IANA zone names.
    time
        The datetime column (timezone-aware or naive UTC).
    timezone
        The column of zone names, e.g. the ``timezone`` that :func:`geoflex.resolve` adds.
    name
        Name of the new column.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> df = pl.DataFrame({
    ...     "created_at": [dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.timezone.utc)] * 3,
    ...     "timezone": ["America/New_York", "Asia/Kolkata", None],
    ... })
    >>> local_time(df)["local_time"].dt.strftime("%H:%M").to_list()
    ['10:00', '20:30', None]
    """
    check_columns(frame, [time, timezone], "local_time")
    lf = frame.lazy().with_columns(__t=utc_expr(frame, time).dt.cast_time_unit("ms"))
    facts = lf.select(
        pl.col(timezone).drop_nulls().unique().implode().alias("zones"),
        pl.col("__t").min().dt.truncate("15m").alias("lo"),
        pl.col("__t").max().alias("hi"),
    ).collect()
    zones = sorted(z for z in facts["zones"][0] if z)
    lo, hi = facts["lo"][0], facts["hi"][0]
    if not zones or lo is None:
        out = lf.with_columns(pl.lit(None, dtype=pl.Datetime("ms")).alias(name)).drop("__t")
        return like_input(out, frame)
    quarters = (hi - lo) // _STEP + 1
    try:
        offsets = _offsets(zones, lo, quarters)
    except pl.exceptions.ComputeError as exc:
        raise ConfigError(f"local_time: unknown timezone in column {timezone!r}: {exc}") from None
    # Row -> (zone number, quarter number) -> its offset: integer arithmetic and one gather,
    # far cheaper than joining on (zone name, time) for millions of rows.
    zone_number = pl.col(timezone).replace_strict(
        zones, list(range(len(zones))), default=None, return_dtype=pl.Int64
    )
    quarter = (pl.col("__t") - pl.lit(lo)).dt.total_milliseconds() // (
        _STEP // dt.timedelta(milliseconds=1)
    )
    out = lf.with_columns(
        (
            pl.col("__t").dt.replace_time_zone(None)
            + pl.lit(offsets).gather(zone_number * quarters + quarter)
        )
        .dt.cast_time_unit("ms")
        .alias(name)
    ).drop("__t")
    return like_input(out, frame)


def utc_expr(frame: pl.DataFrame | pl.LazyFrame, time: str) -> pl.Expr:
    """``time`` as a UTC-aware datetime (naive values are taken to be UTC already)."""
    dtype = frame.collect_schema()[time]
    if not isinstance(dtype, pl.Datetime):
        raise ConfigError(f"column {time!r} must be a datetime, not {dtype}")
    col = pl.col(time)
    return col.dt.convert_time_zone("UTC") if dtype.time_zone else col.dt.replace_time_zone("UTC")


def clock_time(
    frame: FrameT,
    *,
    clock: Clock,
    time: str,
    centre_timezone: str | None,
    timezone: str,
    name: str,
) -> FrameT:
    """Add ``name``: the time in the chosen clock (UTC, the centre's zone, the customer's)."""
    check_columns(frame, [time], "clock")
    if clock == "utc":
        out = frame.lazy().with_columns(
            utc_expr(frame, time).dt.replace_time_zone(None).alias(name)
        )
        return like_input(out, frame)
    if clock == "centre":
        if not centre_timezone:
            raise ConfigError("clock='centre' needs centre_timezone, e.g. 'America/Chicago'")
        out = frame.lazy().with_columns(
            utc_expr(frame, time)
            .dt.convert_time_zone(centre_timezone)
            .dt.replace_time_zone(None)
            .alias(name)
        )
        return like_input(out, frame)
    if clock == "customer":
        return local_time(frame, time=time, timezone=timezone, name=name)
    raise ConfigError(f"clock must be 'utc', 'centre' or 'customer', got {clock!r}")


def interval_time(
    frame: FrameT,
    *,
    every: str,
    clock: Clock,
    time: str,
    centre_timezone: str | None,
    timezone: str,
    name: str,
) -> FrameT:
    """Add ``name``: the start of each row's interval of length ``every`` in the chosen clock
    (naive wall-clock time; intervals are cut from midnight of that clock)."""
    step = interval_duration(every)
    timed = clock_time(
        frame.lazy(),
        clock=clock,
        time=time,
        centre_timezone=centre_timezone,
        timezone=timezone,
        name=name,
    )
    return like_input(timed.with_columns(pl.col(name).dt.truncate(step)), frame)
