"""GeoJSON helpers for maps: rounding coordinates, bounds, and dissolving countries into regions.

Maps embed their GeoJSON in the page, so every coordinate costs bytes. The shipped shapes
are simplified at 0.02-0.05° (2-5 km), so rounding a polygon at least half a degree across
to 2 decimals (about 1 km) changes nothing visible and saves a tenth of the page; smaller
polygons (islands, city states, Maltese councils) keep 3 decimals (about 100 m) so that
rounding cannot collapse them. Points that rounding makes repeat are dropped.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["bounds", "compact", "dissolve", "polygonal"]

Ring = list[list[float]]
#: Gaps between neighbouring countries narrower than twice this (degrees) close on dissolve.
_GAP = 0.03
#: Polygons at least this wide or tall (degrees) are rounded to 2 decimals, smaller ones to 3.
_COARSE_EXTENT = 0.5
#: Regions are continents: their dissolved outlines are simplified this much (degrees).
_REGION_TOLERANCE = 0.1


def _ring(points: Iterable[Sequence[float]], digits: int) -> Ring:
    out: Ring = []
    for point in points:
        rounded = [round(float(point[0]), digits), round(float(point[1]), digits)]
        if not out or out[-1] != rounded:
            out.append(rounded)
    return out


def _unwrap(ring: Ring) -> Ring:
    """Make a ring that crosses the antimeridian continuous (170 .. 190 instead of 170, -170).

    Leaflet joins consecutive points with straight lines, so a ring jumping from +180 to
    -180 draws a band across the whole world. Rings that cross an odd number of times go
    round a pole (Antarctica) and are left as they are, and so are rings that would come
    out wider than 180° (not a local crossing: a broken ring).
    """
    jumps = sum(1 for a, b in itertools.pairwise(ring) if abs(a[0] - b[0]) > 180)
    if jumps == 0 or jumps % 2:
        return ring
    out = [ring[0]]
    shift = 0.0
    for previous, point in itertools.pairwise(ring):
        step = point[0] - previous[0]
        if step > 180:
            shift -= 360.0
        elif step < -180:
            shift += 360.0
        out.append([round(point[0] + shift, 6), point[1]])
    west, east = min(p[0] for p in out), max(p[0] for p in out)
    if east - west > 180:  # a real crossing (Fiji, Russia) spans less; this ring is broken
        return ring
    if west < -180:  # draw it east of the antimeridian, next to the rest of the world
        out = [[round(p[0] + 360.0, 6), p[1]] for p in out]
    return out


def _digits_for(rings: Sequence[Sequence[Sequence[float]]]) -> int:
    """2 decimals for a polygon whose outer ring spans `_COARSE_EXTENT`, else 3."""
    outer = rings[0] if rings else []
    if not outer:
        return 3
    xs = [float(p[0]) for p in outer]
    ys = [float(p[1]) for p in outer]
    return 2 if max(max(xs) - min(xs), max(ys) - min(ys)) >= _COARSE_EXTENT else 3


def _polygon(rings: Iterable[Iterable[Sequence[float]]], digits: int | None) -> list[Ring] | None:
    listed = [list(r) for r in rings]
    places = _digits_for(listed) if digits is None else digits
    kept = [_unwrap(r) for r in (_ring(ring, places) for ring in listed) if len(r) >= 4]
    return kept or None


def compact(
    geometry: Mapping[str, Any] | None, *, digits: int | None = None
) -> dict[str, Any] | None:
    """Round a geometry's coordinates and drop repeated/degenerate parts.

    ``digits`` None rounds each polygon by its size (2 decimals from half a degree across,
    else 3: see the module doc) and points and lines to 3. Returns None when nothing
    drawable is left.

    Examples
    --------
    >>> ring = [[0, 0], [1.00001, 0], [1, 0], [1, 1.004], [0, 0]]
    >>> compact({"type": "Polygon", "coordinates": [ring]})
    {'type': 'Polygon', 'coordinates': [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]}
    >>> small = [[0, 0], [0.1, 0], [0.1, 0.1234], [0, 0]]
    >>> compact({"type": "Polygon", "coordinates": [small]})["coordinates"][0][2]
    [0.1, 0.123]
    """
    if not geometry:
        return None
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        polygon = _polygon(coordinates or [], digits)
        return {"type": "Polygon", "coordinates": polygon} if polygon else None
    if kind == "MultiPolygon":
        parts = [p for p in (_polygon(rings, digits) for rings in coordinates or []) if p]
        if not parts:
            return None
        if len(parts) == 1:
            return {"type": "Polygon", "coordinates": parts[0]}
        return {"type": "MultiPolygon", "coordinates": parts}
    if kind == "Point" and coordinates is not None:
        return {"type": "Point", "coordinates": _ring([coordinates], digits or 3)[0]}
    if kind == "LineString" and coordinates is not None:
        line = _ring(coordinates, digits or 3)
        return {"type": "LineString", "coordinates": line} if len(line) >= 2 else None
    if kind == "GeometryCollection":
        # Leaflet tooltips do not work on collections: keep the polygonal members only.
        return polygonal(geometry, digits=digits)
    return None


def polygonal(geometry: Mapping[str, Any], *, digits: int | None = None) -> dict[str, Any] | None:
    """The polygons of any geometry (collections included) as one compact (Multi)Polygon."""
    parts: list[Any] = []

    def collect(g: Mapping[str, Any]) -> None:
        kind = g.get("type")
        if kind == "Polygon":
            parts.append(g["coordinates"])
        elif kind == "MultiPolygon":
            parts.extend(g["coordinates"])
        elif kind == "GeometryCollection":
            for member in g.get("geometries", []):
                collect(member)

    collect(geometry)
    return compact({"type": "MultiPolygon", "coordinates": parts}, digits=digits)


def bounds(geometries: Iterable[Mapping[str, Any] | None]) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of some GeoJSON geometries, None if there are none.

    Examples
    --------
    >>> bounds([{"type": "Point", "coordinates": [10.0, 50.0]},
    ...         {"type": "Point", "coordinates": [-5.0, 40.0]}])
    [[40.0, -5.0], [50.0, 10.0]]
    """
    west = south = float("inf")
    east = north = float("-inf")

    def walk(node: Any) -> None:
        nonlocal west, south, east, north
        if node and isinstance(node[0], (int, float)):
            lon, lat = float(node[0]), float(node[1])
            west, east = min(west, lon), max(east, lon)
            south, north = min(south, lat), max(north, lat)
        else:
            for child in node:
                walk(child)

    for geometry in geometries:
        if geometry and geometry.get("coordinates") is not None:
            walk(geometry["coordinates"])
    if west == float("inf"):
        return None
    # Rings unwrapped across the antimeridian reach past ±180: frame the usual world.
    return [[max(south, -90.0), max(west, -180.0)], [min(north, 90.0), min(east, 180.0)]]


def dissolve(
    features: Sequence[Mapping[str, Any]],
    members: Mapping[str, str],
    *,
    key: str,
) -> dict[str, dict[str, Any]]:
    """Union the geometries of ``features`` by ``members[feature.properties[key]]``.

    Returns region -> compact GeoJSON (Multi)Polygon. Features whose key is not in
    ``members`` are left out. Shared borders disappear instead of leaving slivers: gaps
    narrower than 0.06° between neighbours are closed, and the outlines are simplified at
    0.1° (regions are continents).
    Results are cached per (geometry, mapping), the union being the slow part.
    """
    # Compact first: unwrapping antimeridian crossings before the planar union keeps
    # Fiji or Chukotka from being read as bands around the world.
    geometry_json = json.dumps(
        [(f["properties"].get(key), compact(f.get("geometry"))) for f in features],
        sort_keys=True,
    )
    return dict(_dissolve_cached(geometry_json, tuple(sorted(members.items()))))


@functools.lru_cache(maxsize=8)
def _dissolve_cached(
    geometry_json: str, members: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, dict[str, Any]], ...]:
    import shapely
    from shapely.geometry import mapping, shape

    region_of = dict(members)
    shapes: dict[str, list[Any]] = {}
    for place, geometry in json.loads(geometry_json):
        region = region_of.get(place)
        if region is None or not geometry:
            continue
        shapes.setdefault(region, []).append(shapely.make_valid(shape(geometry)))
    out = []
    for region, parts in sorted(shapes.items()):
        # Neighbours were simplified one by one, so their borders leave hairline gaps;
        # growing every part by 0.03° before the union and shrinking the result closes
        # them (a mitre join keeps coastline corners where they were).
        grown = [shapely.buffer(p, _GAP, join_style="mitre") for p in parts]
        union = shapely.buffer(shapely.union_all(grown), -_GAP, join_style="mitre")
        simple = shapely.simplify(union, _REGION_TOLERANCE, preserve_topology=True)
        geometry = polygonal(mapping(simple))
        if geometry is not None:
            out.append((region, geometry))
    return tuple(out)
