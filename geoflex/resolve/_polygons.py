"""Which country and US state a point lies in (for coordinates given as customer attributes).

Uses the shipped outlines (geoflex/_data/geo) with shapely's STRtree; shapely is imported
only when coordinates are used. The outlines are simplified (≈0.05° for countries), so a
point within 0.1° of exactly one outline but inside none (a coastal town) takes that one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import polars as pl

from geoflex.reference import load_geojson

_COAST = 0.1  # degrees


@lru_cache(maxsize=2)
def _tree(name: str, key: str) -> tuple[Any, list[str]]:
    from shapely import STRtree
    from shapely.geometry import shape

    features = load_geojson(name)["features"]  # type: ignore[arg-type]
    geoms = [shape(f["geometry"]) for f in features]
    return STRtree(geoms), [f["properties"][key] for f in features]


def _locate(lat: pl.Series, lon: pl.Series, name: str, key: str) -> pl.Series:
    import numpy as np
    import shapely

    tree, codes = _tree(name, key)
    out: list[str | None] = [None] * len(lat)
    known = (lat.is_not_null() & lon.is_not_null()).to_numpy()
    rows = np.flatnonzero(known)
    if len(rows):
        points = shapely.points(lon.to_numpy()[rows], lat.to_numpy()[rows])
        point_idx, geom_idx = tree.query(points, predicate="intersects")
        for p, g in zip(point_idx.tolist(), geom_idx.tolist(), strict=True):
            if out[rows[p]] is None:
                out[rows[p]] = codes[g]
        missing = [i for i, r in enumerate(rows) if out[r] is None]
        if missing:
            near_p, near_g = tree.query_nearest(points[missing], max_distance=_COAST)
            for p, g in zip(near_p.tolist(), near_g.tolist(), strict=True):
                out[rows[missing[p]]] = codes[g]
    return pl.Series(out, dtype=pl.String)


def places_at(points: pl.Series) -> pl.Series:
    """For a struct Series of ``lat``/``lon``: a struct of ``country`` and ``state_code``."""
    lat = points.struct.field("lat").cast(pl.Float64)
    lon = points.struct.field("lon").cast(pl.Float64)
    return pl.DataFrame(
        {
            "country": _locate(lat, lon, "countries", "country"),
            "state_code": _locate(lat, lon, "us_states", "state_code"),
        }
    ).to_struct("place")


PLACE_STRUCT = pl.Struct({"country": pl.String, "state_code": pl.String})
