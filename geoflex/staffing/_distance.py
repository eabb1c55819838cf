"""Demand against agent sites: how far each place's customers are from the nearest agents."""

from __future__ import annotations

import polars as pl

from geoflex._errors import ColumnError
from geoflex._sums import ordered_mean

__all__ = ["nearest_sites"]


def nearest_sites(
    places: pl.DataFrame,
    agents: pl.DataFrame,
    *,
    site: str = "flex_location",
    volume: str = "conversations",
) -> pl.DataFrame:
    """For each place of demand, the nearest agent site and its great-circle distance.

    Parameters
    ----------
    places
        One row per place with ``latitude``, ``longitude`` and ``volume`` (rows without
        coordinates get null distances).
    agents
        Agents with ``latitude``, ``longitude`` and a ``site`` column; a site sits at the
        mean position of its placed agents.

    Returns
    -------
    DataFrame
        ``places`` (same rows, same order) with ``nearest_site``, ``nearest_site_agents``
        and ``distance_km`` appended.

    Examples
    --------
    >>> places = pl.DataFrame({"place": ["Lyon", "Tokyo"], "latitude": [45.76, 35.68],
    ...                        "longitude": [4.84, 139.69], "conversations": [10, 3]})
    >>> agents = pl.DataFrame({"flex_location": ["Paris", "Paris"],
    ...                        "latitude": [48.86, 48.86], "longitude": [2.35, 2.35]})
    >>> out = nearest_sites(places, agents)
    >>> out.select("place", "nearest_site", (pl.col("distance_km") / 10).round() * 10).rows()
    [('Lyon', 'Paris', 390.0), ('Tokyo', 'Paris', 9710.0)]
    """
    from geoflex.aggregate import haversine_km

    for frame, cols, what in (
        (places, ("latitude", "longitude", volume), "places"),
        (agents, ("latitude", "longitude", site), "agents"),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ColumnError(f"nearest_sites: {what} need columns {missing}")
    sites = (
        agents.filter(pl.col("latitude").is_not_null(), pl.col("longitude").is_not_null())
        .group_by(pl.col(site).cast(pl.String).alias("_site"))
        .agg(
            pl.len().alias("_agents"),
            ordered_mean("latitude").alias("_slat"),
            ordered_mean("longitude").alias("_slon"),
        )
    )
    indexed = places.with_row_index("_row")
    if sites.is_empty():
        return places.with_columns(
            nearest_site=pl.lit(None, pl.String),
            nearest_site_agents=pl.lit(None, pl.UInt32),
            distance_km=pl.lit(None, pl.Float64),
        )
    best = (
        indexed.select("_row", "latitude", "longitude")
        .drop_nulls()
        .join(sites, how="cross")
        .with_columns(
            _km=haversine_km(
                pl.col("latitude"), pl.col("longitude"), pl.col("_slat"), pl.col("_slon")
            )
        )
        .sort("_row", "_km", "_site")
        .group_by("_row", maintain_order=True)
        .first()
        .select(
            "_row",
            pl.col("_site").alias("nearest_site"),
            pl.col("_agents").alias("nearest_site_agents"),
            pl.col("_km").alias("distance_km"),
        )
    )
    return indexed.join(best, on="_row", how="left").sort("_row").drop("_row")
