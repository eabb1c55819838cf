"""The staffing requirement in the shape scheduling tools import: one row per interval."""

from __future__ import annotations

import datetime as dt

import polars as pl

from geoflex._errors import ColumnError, ConfigError

__all__ = ["requirement_schedule"]


def requirement_schedule(
    required: pl.DataFrame,
    *,
    week_of: dt.date,
    timezone: str = "UTC",
) -> pl.DataFrame:
    """Agents per hour of one concrete week, with interval starts in UTC and local time.

    Parameters
    ----------
    required
        `required_agents` over `weekly_demand` (UTC hours of the week): ``hour_of_week``
        (0 = Monday 00:00 UTC), ``agents`` and ``scheduled`` (Erlang C), and when present
        ``agents_erlang_a`` and ``scheduled_erlang_a``.
    week_of
        Any day of the week to plan; the rows start on its Monday, 00:00 UTC.
    timezone
        IANA zone for ``interval_start_local`` (the contact centre's, usually).

    Returns
    -------
    DataFrame
        ``interval_start_utc`` (ISO 8601, ``Z``), ``interval_start_local`` (ISO 8601 with
        the zone's offset), ``timezone``, ``interval_minutes`` (60), ``agents`` (to
        schedule: Erlang A's when present, else Erlang C's, shrinkage included),
        ``agents_on_phones`` (before shrinkage), ``agents_erlang_c`` and, when present,
        ``agents_erlang_a`` (both scheduled, shrinkage included); sorted by time.
        ``write_csv`` gives the file scheduling tools take.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> req = pl.DataFrame({"hour_of_week": [0, 14], "agents": [2, 9], "scheduled": [3, 12]})
    >>> out = requirement_schedule(req, week_of=dt.date(2026, 1, 7), timezone="America/New_York")
    >>> out.select("interval_start_utc", "interval_start_local", "agents").rows()[1]
    ('2026-01-05T14:00:00Z', '2026-01-05T09:00:00-05:00', 12)
    """
    needed = {"hour_of_week", "agents", "scheduled"}
    if missing := sorted(needed - set(required.columns)):
        raise ColumnError(f"requirement_schedule needs columns {missing}; got {required.columns}")
    try:
        pl.select(pl.lit(dt.datetime(2026, 1, 1)).dt.replace_time_zone(timezone))
    except pl.exceptions.ComputeError:
        raise ConfigError(f"requirement_schedule: unknown timezone {timezone!r}") from None
    monday = week_of - dt.timedelta(days=week_of.weekday())
    start = dt.datetime(monday.year, monday.month, monday.day, tzinfo=dt.timezone.utc)
    erlang_a = "agents_erlang_a" in required.columns
    utc = pl.lit(start) + pl.duration(hours=pl.col("hour_of_week").cast(pl.Int64))
    local = utc.dt.convert_time_zone(timezone)
    return required.sort("hour_of_week").select(
        utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias("interval_start_utc"),
        local.dt.strftime("%Y-%m-%dT%H:%M:%S%:z").alias("interval_start_local"),
        pl.lit(timezone).alias("timezone"),
        pl.lit(60, dtype=pl.Int64).alias("interval_minutes"),
        pl.col("scheduled_erlang_a" if erlang_a else "scheduled").cast(pl.Int64).alias("agents"),
        pl.col("agents_erlang_a" if erlang_a else "agents")
        .cast(pl.Int64)
        .alias("agents_on_phones"),
        pl.col("scheduled").cast(pl.Int64).alias("agents_erlang_c"),
        *(
            [pl.col("scheduled_erlang_a").cast(pl.Int64).alias("agents_erlang_a")]
            if erlang_a
            else []
        ),
    )
