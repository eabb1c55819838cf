"""Decode TopoJSON (the format of npm world-atlas / us-atlas) into shapely geometries."""

from __future__ import annotations

from typing import Any

import shapely
from shapely.affinity import translate
from shapely.geometry import Polygon


def _decode_arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    # Quantized TopoJSON: each arc is delta-encoded integers scaled by the transform.
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arc_ids: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in arc_ids:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        # Consecutive arcs share their joining point.
        points.extend(arc[1:] if points else arc)
    return points


def _unwrap(ring: list[tuple[float, float]]) -> tuple[list[tuple[float, float]], float]:
    """Make longitudes continuous across the antimeridian (179 → -179 becomes 179 → 181).

    world-atlas is made for spherical rendering: its rings cross ±180 freely. Returns the ring
    and the total shift at its end (non-zero when the ring goes round a pole: Antarctica).
    """
    out: list[tuple[float, float]] = []
    shift = 0.0
    for i, (x, y) in enumerate(ring):
        if i:
            previous = ring[i - 1][0]
            if x - previous > 180:
                shift -= 360
            elif previous - x > 180:
                shift += 360
        out.append((x + shift, y))
    return out, shift


def _polygon(rings: list[list[int]], arcs: list[list[tuple[float, float]]]) -> Any:
    # Quantization can collapse a tiny island to fewer than 4 points: such rings are dropped.
    shell, *holes = (_ring(r, arcs) for r in rings)
    if len(shell) < 4:
        return None
    shell, shift = _unwrap(shell)
    if shift:  # round a pole: close the ring along the pole's parallel
        pole = -90.0 if sum(y for _, y in shell) < 0 else 90.0
        shell = [*shell[:-1], (shell[-2][0], pole), (shell[0][0], pole), shell[0]]
    holes = [_unwrap(h)[0] for h in holes if len(h) >= 4]
    polygon = shapely.make_valid(Polygon(shell, holes))
    return _fold_into_world(polygon)


def _fold_into_world(geom: Any) -> Any:
    """Cut a geometry at ±180 and shift the parts outside [-180, 180] back by 360 degrees."""
    minx, _, maxx, _ = geom.bounds
    if minx >= -180 and maxx <= 180:
        return geom
    parts = []
    for offset in (-720, -360, 0, 360, 720):
        window = shapely.box(-180 - offset, -90, 180 - offset, 90)
        piece = shapely.intersection(geom, window)
        if not piece.is_empty:
            parts.append(translate(piece, xoff=offset))
    return polygonal(shapely.union_all(parts))


def topo_features(topo: dict[str, Any], object_name: str) -> list[tuple[Any, dict[str, Any], Any]]:
    """Return ``(id, properties, geometry)`` for every geometry of one TopoJSON object.

    Geometries are made valid (``shapely.make_valid``) and keep only their polygonal parts.
    """
    arcs = _decode_arcs(topo)
    out = []
    for g in topo["objects"][object_name]["geometries"]:
        if g["type"] == "Polygon":
            geom = _polygon(g["arcs"], arcs)
        elif g["type"] == "MultiPolygon":
            parts = [p for p in (_polygon(p, arcs) for p in g["arcs"]) if p is not None]
            geom = shapely.union_all(parts) if parts else None
        else:  # null geometries carry no shape
            continue
        if geom is None:
            continue
        out.append((g.get("id"), g.get("properties") or {}, polygonal(shapely.make_valid(geom))))
    return out


def polygonal(geom: Any) -> Any:
    """Keep only the (multi)polygon parts of a geometry (make_valid may add lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else Polygon()
