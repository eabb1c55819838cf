"""Deterministic writers (parquet, GeoJSON), point-inside-polygon helpers and the manifest merge."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

import polars as pl
import shapely
from shapely.geometry import Point
from shapely.ops import polylabel

COORD_DECIMALS = 4  # ~11 m: finer than any table here needs, and it compresses


# --- geometry -----------------------------------------------------------------------------


def largest_polygon(geom: Any) -> Any:
    """The largest part of a (multi)polygon, by area corrected for latitude."""
    parts = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    return max(parts, key=lambda p: p.area * math.cos(math.radians(p.centroid.y)))


def inner_point(geom: Any) -> tuple[float, float]:
    """A point well inside the largest part of ``geom``: its pole of inaccessibility.

    Unlike a centroid it is always inside (a crescent's centroid is not); unlike
    ``representative_point`` it sits in the visual middle. Returns ``(lat, lon)`` rounded.
    """
    poly = largest_polygon(geom)
    # Tolerance scaled to the polygon: a 1/50th of its smaller side, at most 0.05 degrees.
    minx, miny, maxx, maxy = poly.bounds
    tolerance = max(min(maxx - minx, maxy - miny, 2.5) / 50, 1e-4)
    point = polylabel(poly, tolerance=tolerance)
    if not poly.contains(point):  # polylabel is inside by construction; belt and braces
        point = poly.representative_point()
    return round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS)


def contains_point(geom: Any, lat: float, lon: float) -> bool:
    return bool(geom.covers(Point(lon, lat)))


def _rounded(coords: Any, decimals: int) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in coords:
        p = [round(x, decimals), round(y, decimals)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def geojson_geometry(geom: Any, *, tolerance: float, decimals: int = 3) -> dict[str, Any] | None:
    """Simplify, snap to a ``10**-decimals`` grid and return a GeoJSON geometry (None if empty)."""
    simple = shapely.simplify(geom, tolerance, preserve_topology=True)
    simple = shapely.set_precision(simple, 10.0**-decimals)
    simple = shapely.make_valid(simple)
    polys = [g for g in shapely.get_parts(simple) if g.geom_type == "Polygon" and not g.is_empty]
    rings = []
    for poly in sorted(polys, key=lambda p: (-p.area, p.bounds)):
        shell = _rounded(poly.exterior.coords, decimals)
        if len(shell) < 4:
            continue
        holes = [_rounded(r.coords, decimals) for r in poly.interiors]
        rings.append([shell, *[h for h in holes if len(h) >= 4]])
    if not rings:
        return None
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": rings[0]}
    return {"type": "MultiPolygon", "coordinates": rings}


def write_geojson(path: Path, features: list[dict[str, Any]]) -> int:
    """Write a FeatureCollection compactly with sorted keys, gzip-compressed (``.geojson.gz``;
    no name or time in the header, so the bytes are reproducible); return the feature count."""
    import gzip

    path.parent.mkdir(parents=True, exist_ok=True)
    fc = {"type": "FeatureCollection", "features": features}
    text = json.dumps(fc, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return len(features)


# --- tables -------------------------------------------------------------------------------


def write_parquet(
    path: Path, df: pl.DataFrame, *, sort_by: list[str], delta_strings: tuple[str, ...] = ()
) -> int:
    """Write ``df`` sorted, zstd-compressed, one row group, no statistics; return the row count.

    ``delta_strings`` are high-cardinality sorted string columns stored with DELTA_BYTE_ARRAY
    (prefix sharing; ~20% smaller than dictionaries for place names). Same input, same bytes.
    """
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    df = df.sort(sort_by, nulls_last=True, maintain_order=True)
    pq.write_table(
        df.to_arrow(),
        path,
        compression="zstd",
        compression_level=19,
        write_statistics=False,
        row_group_size=max(len(df), 1),
        # Dictionaries pay off for repetitive strings only; numbers compress better plain.
        use_dictionary=[
            c for c, t in df.schema.items() if t == pl.String and c not in delta_strings
        ],
        column_encoding=dict.fromkeys(delta_strings, "DELTA_BYTE_ARRAY") or None,
    )
    return len(df)


# --- manifest ------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_entry(data_dir: Path, path: Path, rows: int) -> dict[str, Any]:
    return {
        "name": path.relative_to(data_dir).as_posix(),
        "sha256": sha256_of(path),
        "bytes": path.stat().st_size,
        "rows": rows,
    }


def build_date() -> str:
    """Today (UTC) as an ISO date, or the date of ``SOURCE_DATE_EPOCH`` for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = (
        dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        if epoch
        else dt.datetime.now(dt.timezone.utc)
    )
    return now.date().isoformat()


def update_manifest(
    manifest_path: Path, *, sources: list[dict[str, Any]], files: list[dict[str, Any]]
) -> dict[str, Any]:
    """Merge source and file entries into ``manifest.json`` by ``name``, keeping everyone else's.

    The manifest is ``{"built": ISO date, "sources": [...], "files": [...]}``; both lists are
    kept sorted by name so the file is stable. Files listed that no longer exist are dropped.
    """
    current: dict[str, Any] = {"built": build_date(), "sources": [], "files": []}
    if manifest_path.exists():
        current.update(json.loads(manifest_path.read_text()))
    merged: dict[str, Any] = {"built": build_date()}
    for key, new in (("sources", sources), ("files", files)):
        by_name = {e["name"]: e for e in current.get(key, [])}
        by_name.update({e["name"]: e for e in new})
        entries = [by_name[n] for n in sorted(by_name)]
        if key == "files":
            entries = [e for e in entries if (manifest_path.parent / e["name"]).exists()]
        merged[key] = entries
    manifest_path.write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n")
    return merged
