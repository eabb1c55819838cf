"""Decode TopoJSON (the format of npm world-atlas / us-atlas) into shapely geometries."""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon


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


def _polygon(rings: list[list[int]], arcs: list[list[tuple[float, float]]]) -> Polygon | None:
    # Quantization can collapse a tiny island to fewer than 4 points: such rings are dropped.
    shell, *holes = (_ring(r, arcs) for r in rings)
    if len(shell) < 4:
        return None
    return Polygon(shell, [h for h in holes if len(h) >= 4])


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
            geom = MultiPolygon(parts) if parts else None
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
