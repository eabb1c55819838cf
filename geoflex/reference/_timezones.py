"""Point → IANA timezone with tzfpy (its data ships in its wheel; nothing is downloaded)."""

from __future__ import annotations

import math

import polars as pl
import tzfpy

__all__ = ["timezone_at", "timezone_at_expr"]


def timezone_at(lat: float | None, lon: float | None) -> str | None:
    """The IANA timezone at a point.

    Parameters
    ----------
    lat, lon
        WGS84 degrees. Null, NaN or out-of-range coordinates give ``None``.

    Returns
    -------
    str or None
        The zone name; at sea tzfpy answers with an ``Etc/GMT±N`` zone.

    Examples
    --------
    >>> timezone_at(37.7725, -122.4147)
    'America/Los_Angeles'
    >>> timezone_at(51.5, -0.12)
    'Europe/London'
    >>> timezone_at(None, 3.0) is None
    True
    """
    if lat is None or lon is None:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    zone = tzfpy.get_tz(float(lon), float(lat))
    return zone or None


def _zones_of(points: pl.Series) -> pl.Series:
    # tzfpy has no batch call: look up each distinct point once, then gather.
    frame = points.struct.unnest()
    frame.columns = ["lat", "lon"]
    frame = frame.with_columns(pl.col("lat", "lon").cast(pl.Float64))
    distinct = frame.unique(maintain_order=True)
    zones = [
        timezone_at(lat, lon)
        for lat, lon in zip(distinct["lat"].to_list(), distinct["lon"].to_list(), strict=True)
    ]
    lookup = distinct.with_columns(timezone=pl.Series(zones, dtype=pl.String))
    joined = frame.join(
        lookup, on=["lat", "lon"], how="left", nulls_equal=True, maintain_order="left"
    )
    return joined["timezone"].rename(points.name)


def timezone_at_expr(lat: pl.Expr | str, lon: pl.Expr | str) -> pl.Expr:
    """A polars expression of :func:`timezone_at` per row (each distinct point looked up once).

    Parameters
    ----------
    lat, lon
        Expressions or column names of latitude and longitude in degrees.

    Returns
    -------
    polars.Expr
        A String expression; null where the point is null or out of range.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"lat": [40.7, 40.7, None], "lon": [-74.0, -74.0, 1.0]})
    >>> df.select(tz=timezone_at_expr("lat", "lon"))["tz"].to_list()
    ['America/New_York', 'America/New_York', None]
    """
    lat_e = pl.col(lat) if isinstance(lat, str) else lat
    lon_e = pl.col(lon) if isinstance(lon, str) else lon
    return pl.struct(lat_e.alias("lat"), lon_e.alias("lon")).map_batches(
        _zones_of, return_dtype=pl.String, is_elementwise=True
    )
