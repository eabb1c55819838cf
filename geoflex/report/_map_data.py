"""Map data: aggregated frames to per-place values, and the shapes of each map level.

Keys are normalised per level ("WA" and "US-WA" are one US state, "de-by" and "DE-BY" one
state of the world, 212 and "212" one area code); area-code overlays are grouped on one
polygon and overlays spanning several areas are folded into the places they cover; regions
are dissolved from member countries.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from geoflex._errors import ColumnError, DataError, require
from geoflex.report._geometry import compact, dissolve
from geoflex.report._metrics import KNOWN_METRICS

__all__ = [
    "FrameLike",
    "Level",
    "Place",
    "PlaceValues",
    "collect",
    "combine",
    "country_of",
    "default_regions",
    "features_of",
    "load_shapes",
    "place_values",
    "places_for_level",
]

Level = Literal["country", "state", "us_state", "area_code", "region"]
FrameLike = pl.DataFrame | pl.LazyFrame


@dataclass
class PlaceValues:
    """Per-place metric values of one frame, after key normalisation."""

    by_place: dict[str, dict[str, float | None]]
    metrics: list[str]
    unplaced_rows: int = 0
    #: Conversations on the rows without a place (None when the frame has no such column).
    unplaced_conversations: float | None = None


def collect(frame: FrameLike) -> pl.DataFrame:
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if isinstance(frame, pl.DataFrame):
        return frame
    raise TypeError(f"expected a polars DataFrame or LazyFrame, got {type(frame).__name__}")


def _normalise_key(level: Level, values: pl.Expr) -> pl.Expr:
    cleaned = values.cast(pl.String).str.strip_chars()
    if level in ("country", "state"):
        return cleaned.str.to_uppercase()
    if level == "us_state":
        upper = cleaned.str.to_uppercase()
        # "WA" and "US-WA" both name Washington.
        return pl.when(upper.str.len_chars() == 2).then("US-" + upper).otherwise(upper)
    if level == "area_code":
        return cleaned.str.replace(r"\.0+$", "").str.zfill(3)
    return cleaned


def place_values(
    frame: FrameLike, *, level: Level, key: str, metric: str, column: str | None
) -> PlaceValues:
    data = collect(frame)
    if key not in data.columns:
        raise ColumnError(
            f"the {level} map needs a place column {key!r} (pass key=...); "
            f"columns are {data.columns}"
        )
    wanted = column or metric
    present = [m for m in KNOWN_METRICS if m in data.columns]
    if wanted not in data.columns and wanted not in present:
        derivable = (metric == "share" and "conversations" in data.columns) or (
            metric == "average_handle_time"
            and {"handle_time", "conversations"} <= set(data.columns)
        )
        if not derivable:
            raise ColumnError(
                f"metric {metric!r} needs a column {wanted!r}"
                + (
                    " (or 'conversations' to derive it)"
                    if metric == "share"
                    else " (or 'handle_time' and 'conversations' to derive it)"
                    if metric == "average_handle_time"
                    else ""
                )
                + f"; columns are {data.columns}"
            )
    columns = [*present, *([wanted] if wanted not in present and wanted in data.columns else [])]
    table = data.select(
        _normalise_key(level, pl.col(key)).alias("_place"),
        *[pl.col(c).cast(pl.Float64) for c in columns],
    )
    if column and column != metric:
        table = table.rename({column: metric})
        columns = [metric if c == column else c for c in columns]
    if "conversations" in columns:
        if "share" not in columns:
            total = table["conversations"].sum()
            table = table.with_columns(
                (pl.col("conversations") / total if total else pl.lit(None, pl.Float64)).alias(
                    "share"
                )
            )
            columns.append("share")
        if "handle_time" in columns and "average_handle_time" not in columns:
            table = table.with_columns(
                pl.when(pl.col("conversations") > 0)
                .then(pl.col("handle_time") / pl.col("conversations"))
                .alias("average_handle_time")
            )
            columns.append("average_handle_time")
    placed = table.filter(pl.col("_place").is_not_null() & (pl.col("_place") != ""))
    duplicated = placed.filter(pl.col("_place").is_duplicated())["_place"].unique().sort()
    if len(duplicated):
        raise DataError(
            f"the {level} frame has several rows for the same place "
            f"({', '.join(duplicated.head(5).to_list())}); aggregate it to one row per place"
        )
    by_place = {
        row["_place"]: {c: _finite(row[c]) for c in columns} for row in placed.iter_rows(named=True)
    }
    unplaced = table.filter(pl.col("_place").is_null() | (pl.col("_place") == ""))
    return PlaceValues(
        by_place=by_place,
        metrics=columns,
        unplaced_rows=unplaced.height,
        unplaced_conversations=float(unplaced["conversations"].fill_nan(None).sum())
        if "conversations" in columns
        else None,
    )


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def combine(place: Place, values: PlaceValues, metrics: Sequence[str]) -> dict[str, float | None]:
    """Values of one place; an overlay group sums its codes (averages are recomputed)."""
    if not place.codes:
        return dict(values.by_place.get(place.key, {}))
    rows = [values.by_place[c] for c in place.codes if c in values.by_place]
    combined: dict[str, float | None] = {}
    for metric in metrics:
        numbers = [r[metric] for r in rows if r.get(metric) is not None]
        combined[metric] = sum(n for n in numbers if n is not None) if numbers else None
    if combined.get("conversations") and "average_handle_time" in metrics:
        if combined.get("handle_time") is not None:
            combined["average_handle_time"] = combined["handle_time"] / combined["conversations"]  # type: ignore[operator]
        else:  # weight each code's average by its conversations
            pairs = [
                (r["average_handle_time"], r.get("conversations") or 0.0)
                for r in rows
                if r.get("average_handle_time") is not None
            ]
            weight = sum(w for _, w in pairs)
            combined["average_handle_time"] = (
                sum(a * w for a, w in pairs if a is not None) / weight if weight else None
            )
    return combined


@dataclass
class Place:
    key: str
    name: str
    geometry: dict[str, Any]
    codes: list[str] = field(default_factory=list)  # area-code overlay members
    detail: str = ""  # e.g. the state of an area code
    spans: list[Place] = field(default_factory=list)  # wide overlays drawn over this place
    drawn: bool = True  # False for a wide overlay folded into the places it spans
    country: str = ""  # ISO alpha-2 of a state of the world
    outline: bool = False  # a country drawn whole, without data, around a states map


def load_shapes(name: str) -> dict[str, Any]:
    from geoflex.reference import load_geojson

    data: dict[str, Any] = load_geojson(name)  # type: ignore[arg-type]
    return data


def features_of(geometry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if geometry.get("type") != "FeatureCollection":
        raise DataError("geometry must be a GeoJSON FeatureCollection")
    return list(geometry.get("features") or [])


def _prop(feature: Mapping[str, Any], name: str) -> Any:
    return (feature.get("properties") or {}).get(name)


def _simple_places(
    geometry: Mapping[str, Any], *, key: str, name: str, level: Level
) -> list[Place]:
    places = []
    for feature in features_of(geometry):
        place = _prop(feature, key)
        shape = compact(feature.get("geometry"))
        if place is None or shape is None:
            continue
        place_key = str(place).strip()
        place_key = place_key.upper() if level in ("country", "us_state") else place_key
        places.append(Place(place_key, str(_prop(feature, name) or place_key), shape))
    return places


def country_of(state_code: str) -> str:
    """The ISO 3166-1 country of an ISO 3166-2 code ("DE-BY" -> "DE").

    Examples
    --------
    >>> country_of("DE-BY"), country_of(" gb-eng")
    ('DE', 'GB')
    """
    return state_code.split("-", 1)[0].strip().upper()


def _state_places(geometry: Mapping[str, Any]) -> list[Place]:
    """One place per subdivision (``state_code``, ``state``; ``country`` or the code's)."""
    places = []
    for feature in features_of(geometry):
        code = _prop(feature, "state_code")
        shape = compact(feature.get("geometry"))
        if code is None or shape is None or not str(code).strip():
            continue
        key = str(code).strip().upper()
        country = str(_prop(feature, "country") or country_of(key)).strip().upper()
        places.append(Place(key, str(_prop(feature, "state") or key), shape, country=country))
    return places


def _area_code_places(geometry: Mapping[str, Any]) -> list[Place]:
    """One place per overlay group: overlays share one polygon and list all their codes."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for feature in features_of(geometry):
        npa = _prop(feature, "npa")
        if npa is None:
            continue
        group = _prop(feature, "overlay_group") or _prop(feature, "codes") or npa
        groups.setdefault(str(group), []).append(feature)
    places = []
    for group, members in groups.items():
        codes: list[str] = []
        for feature in members:
            listed = str(_prop(feature, "codes") or "").replace(";", ",").split(",")
            for code in [str(_prop(feature, "npa")), *listed]:
                code = code.strip()
                if code and code not in codes:
                    codes.append(code.zfill(3))
        shapes = [g for g in (compact(f.get("geometry")) for f in members) if g]
        if not shapes:
            continue
        shape = shapes[0] if all(s == shapes[0] for s in shapes) else _union(shapes)
        if shape is None:
            continue
        codes.sort()
        state = _prop(members[0], "state_code") or _prop(members[0], "country") or ""
        places.append(Place(group, ", ".join(codes), shape, codes=codes, detail=str(state)))
    return _layer_overlays(places)


def _layer_overlays(places: list[Place]) -> list[Place]:
    """Order area codes so none hides another, and fold wide overlays into what they cover.

    Some overlays span several older areas (917 over both 212 and 718 in New York City).
    Drawn as their own polygon they would hide those areas, so a place at least 90% covered
    by smaller places is not drawn: its codes and values are listed in the tooltips of the
    places it covers (``spans``). The rest are drawn largest first, smallest on top.
    """
    shapely: Any = require("shapely", "report")
    geometry: Any = require("shapely.geometry", "report")
    shapes = [shapely.make_valid(geometry.shape(p.geometry)) for p in places]
    areas = [float(s.area) for s in shapes]
    tree = shapely.STRtree(shapes)
    hidden: set[int] = set()
    for i, shape in enumerate(shapes):
        smaller = [int(j) for j in tree.query(shape, predicate="intersects") if areas[j] < areas[i]]
        if len(smaller) < 2 or not areas[i]:
            continue
        covered = shapely.intersection(shape, shapely.union_all([shapes[j] for j in smaller]))
        if covered.area / areas[i] < 0.9:
            continue
        hidden.add(i)
        places[i].drawn = False
        for j in smaller:
            if shapely.intersection(shapes[j], shape).area > 0.5 * areas[j]:
                places[j].spans.append(places[i])
    drawn = [i for i in range(len(places)) if i not in hidden]
    return [places[i] for i in sorted(drawn, key=lambda i: -areas[i])] + [
        places[i] for i in sorted(hidden)
    ]


def _union(shapes: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    from geoflex.report._geometry import polygonal

    shapely = require("shapely", "report")
    geometry = require("shapely.geometry", "report")
    union = shapely.union_all([geometry.shape(s) for s in shapes], grid_size=0.001)  # type: ignore[attr-defined]
    return polygonal(geometry.mapping(union))  # type: ignore[attr-defined]


def default_regions() -> dict[str, str]:
    from geoflex.reference import load_table

    table = load_table("countries").select("country", "region").drop_nulls()
    return dict(table.iter_rows())


def _region_places(geometry: Mapping[str, Any], regions: Mapping[str, str] | None) -> list[Place]:
    members = dict(regions) if regions is not None else default_regions()
    members = {str(k).strip().upper(): str(v) for k, v in members.items() if v is not None}
    shapes = dissolve(features_of(geometry), members, key="country")
    return [Place(region, region, shape) for region, shape in shapes.items()]


def places_for_level(
    level: Level,
    geometry: Mapping[str, Any] | None,
    regions: Mapping[str, str] | None,
) -> tuple[list[Place], str]:
    source = {
        "country": "countries",
        "state": "admin1",
        "us_state": "us_states",
        "area_code": "area_codes",
    }.get(level, "countries")
    shapes = geometry if geometry is not None else load_shapes(source)
    if level == "country":
        return _simple_places(shapes, key="country", name="country_name", level=level), source
    if level == "state":
        return _state_places(shapes), source
    if level == "us_state":
        return _simple_places(shapes, key="state_code", name="state", level=level), source
    if level == "area_code":
        return _area_code_places(shapes), source
    return _region_places(shapes, regions), source
