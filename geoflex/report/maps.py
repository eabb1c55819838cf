"""Maps of contact volume: choropleths of countries, US states, area codes and regions; bubbles.

Every function takes an aggregated polars frame (place -> metrics), returns a
``folium.Map`` and can instead draw onto an existing map (``m=``), so several layers share
one map with a layer control (:func:`layered_map`). folium is imported when a map is made,
never by ``import geoflex``.

Safety and size, by design:

* Every string that comes from data (place names, labels, region names, the metric name)
  is HTML-escaped before it reaches the page: folium's GeoJSON tooltips and popups insert
  property values as raw HTML.
* Each feature carries one property, its pre-escaped tooltip; coordinates are rounded to
  3 decimals. A page with the world, US states and area codes stays well under 5 MB.
* Pages load only Leaflet (JS + CSS) from its CDN, not folium's other defaults (jQuery,
  Bootstrap, Font Awesome...), which these maps do not use; no map tiles unless asked
  (``tiles=``), so opening a report sends no data to a tile server.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from geoflex._errors import ColumnError, DataError, require
from geoflex.report._escape import lines as html_lines
from geoflex.report._escape import text
from geoflex.report._geometry import bounds, compact, dissolve
from geoflex.report._legend import Legend, class_labels, colour_for, legend_html, palette
from geoflex.report._metrics import KNOWN_METRICS, Metric, MetricSpec, classify, metric_spec

if TYPE_CHECKING:
    import folium

__all__ = ["Level", "agents_vs_customers", "choropleth", "layered_map", "points", "to_iframe"]

Level = Literal["country", "us_state", "area_code", "region"]
Basemap = Literal["countries", "us_states", "none"]
FrameLike = pl.DataFrame | pl.LazyFrame

_KEYS: dict[str, str] = {
    "country": "country",
    "us_state": "state_code",
    "area_code": "npa",
    "region": "region",
}
_TITLES: dict[str, str] = {
    "country": "Countries",
    "us_state": "US states",
    "area_code": "Area codes",
    "region": "Regions",
}
_ATTRIBUTION: dict[str, str] = {
    "countries": "Natural Earth",
    "us_states": "US Census Bureau",
    "area_codes": "area-code-locator",
}
_LEAFLET_JS = ("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
_LEAFLET_CSS = ("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")
_OUTLINE = "#ffffff"
_MAX_TOOLTIP_CODES = 12
_POINTS_PANE = "geoflexPoints"


# -- frames -> per-place values ----------------------------------------------------------


@dataclass
class _Values:
    """Per-place metric values of one frame, after key normalisation."""

    by_place: dict[str, dict[str, float | None]]
    metrics: list[str]
    unplaced_rows: int = 0
    unplaced_keys: list[str] = field(default_factory=list)


def _collect(frame: FrameLike) -> pl.DataFrame:
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if isinstance(frame, pl.DataFrame):
        return frame
    raise TypeError(f"expected a polars DataFrame or LazyFrame, got {type(frame).__name__}")


def _normalise_key(level: Level, values: pl.Expr) -> pl.Expr:
    cleaned = values.cast(pl.String).str.strip_chars()
    if level == "country":
        return cleaned.str.to_uppercase()
    if level == "us_state":
        upper = cleaned.str.to_uppercase()
        # "WA" and "US-WA" both name Washington.
        return pl.when(upper.str.len_chars() == 2).then("US-" + upper).otherwise(upper)
    if level == "area_code":
        return cleaned.str.replace(r"\.0+$", "").str.zfill(3)
    return cleaned


def _values(
    frame: FrameLike, *, level: Level, key: str, metric: str, column: str | None
) -> _Values:
    data = _collect(frame)
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
    return _Values(by_place=by_place, metrics=columns, unplaced_rows=table.height - placed.height)


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


# -- places (shapes) per level ------------------------------------------------------------


@dataclass
class _Place:
    key: str
    name: str
    geometry: dict[str, Any]
    codes: list[str] = field(default_factory=list)  # area-code overlay members
    detail: str = ""  # e.g. the state of an area code
    spans: list[_Place] = field(default_factory=list)  # wide overlays drawn over this place
    drawn: bool = True  # False for a wide overlay folded into the places it spans


def _load_geojson(name: str) -> dict[str, Any]:
    from geoflex.reference import load_geojson

    data: dict[str, Any] = load_geojson(name)  # type: ignore[arg-type]
    return data


def _features(geometry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if geometry.get("type") != "FeatureCollection":
        raise DataError("geometry must be a GeoJSON FeatureCollection")
    return list(geometry.get("features") or [])


def _prop(feature: Mapping[str, Any], name: str) -> Any:
    return (feature.get("properties") or {}).get(name)


def _simple_places(
    geometry: Mapping[str, Any], *, key: str, name: str, level: Level
) -> list[_Place]:
    places = []
    for feature in _features(geometry):
        place = _prop(feature, key)
        shape = compact(feature.get("geometry"))
        if place is None or shape is None:
            continue
        place_key = str(place).strip()
        place_key = place_key.upper() if level in ("country", "us_state") else place_key
        places.append(_Place(place_key, str(_prop(feature, name) or place_key), shape))
    return places


def _area_code_places(geometry: Mapping[str, Any]) -> list[_Place]:
    """One place per overlay group: overlays share one polygon and list all their codes."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for feature in _features(geometry):
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
        places.append(_Place(group, ", ".join(codes), shape, codes=codes, detail=str(state)))
    return _layer_overlays(places)


def _layer_overlays(places: list[_Place]) -> list[_Place]:
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


def _default_regions() -> dict[str, str]:
    from geoflex.reference import load_table

    table = load_table("countries").select("country", "region").drop_nulls()
    return dict(table.iter_rows())


def _region_places(geometry: Mapping[str, Any], regions: Mapping[str, str] | None) -> list[_Place]:
    members = dict(regions) if regions is not None else _default_regions()
    members = {str(k).strip().upper(): str(v) for k, v in members.items() if v is not None}
    shapes = dissolve(_features(geometry), members, key="country")
    return [_Place(region, region, shape) for region, shape in shapes.items()]


def _places(
    level: Level,
    geometry: Mapping[str, Any] | None,
    regions: Mapping[str, str] | None,
) -> tuple[list[_Place], str]:
    source = {"country": "countries", "us_state": "us_states", "area_code": "area_codes"}.get(
        level, "countries"
    )
    shapes = geometry if geometry is not None else _load_geojson(source)
    if level == "country":
        return _simple_places(shapes, key="country", name="country_name", level=level), source
    if level == "us_state":
        return _simple_places(shapes, key="state_code", name="state", level=level), source
    if level == "area_code":
        return _area_code_places(shapes), source
    return _region_places(shapes, regions), source


# -- building layers -----------------------------------------------------------------------


def _new_map(tiles: str | None, *, location: Sequence[float] = (20.0, 0.0), zoom: int = 2) -> Any:
    fm: Any = require("folium", "report")
    m = fm.Map(
        location=list(location),
        zoom_start=zoom,
        tiles=tiles,
        control_scale=True,
        prefer_canvas=False,
        zoom_snap=0.25,  # fit_bounds can then fill the frame instead of jumping a level
    )
    # These maps use Leaflet only; dropping folium's other CDN files (jQuery, Bootstrap,
    # Font Awesome, glyphicons...) makes pages lighter and less dependent on the network.
    m.default_js = [_LEAFLET_JS]
    m.default_css = [_LEAFLET_CSS]
    return m


def _combine(place: _Place, values: _Values, metrics: Sequence[str]) -> dict[str, float | None]:
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


def _tooltip(
    place: _Place,
    level: Level,
    values: dict[str, float | None],
    specs: Mapping[str, MetricSpec],
    metric: str,
    per_code: Mapping[str, dict[str, float | None]],
) -> str:
    if level == "area_code":
        title = f"Area code{'s' if len(place.codes) > 1 else ''} {place.name}"
        if place.detail:
            title += f" ({place.detail})"
    else:
        title = place.name
    order = [metric, *[m for m in specs if m != metric]]
    if all(values.get(m) is None for m in order):
        rows = [("Data", "none")]
    else:
        rows = [(specs[m].label, specs[m].format(values.get(m))) for m in order]
    html = html_lines(title, rows)
    if level == "area_code" and len(place.codes) > 1:
        spec = specs[metric]
        shown = place.codes[:_MAX_TOOLTIP_CODES]
        code_rows = [
            f"{text(code)}: {text(spec.format(per_code.get(code, {}).get(metric)))}"
            for code in shown
        ]
        if len(place.codes) > len(shown):
            code_rows.append(f"… {len(place.codes) - len(shown)} more")
        html += f"<br><i>{text(spec.label)} by code</i><br>" + "<br>".join(code_rows)
    return html


def _unplaced_note(values: _Values, placed: set[str], spec: MetricSpec | None) -> list[str]:
    missing = sorted(k for k in values.by_place if k not in placed)
    notes = []
    if missing:
        shown = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
        amount = ""
        if spec is not None:
            total = sum(values.by_place[k].get("conversations") or 0.0 for k in missing)
            amount = f", {spec.format(total)} conversations"
        notes.append(f"Not on the map: {len(missing)} place(s) without a shape ({shown}{amount})")
    if values.unplaced_rows:
        notes.append(f"Not on the map: {values.unplaced_rows} row(s) with no place")
    return notes


def choropleth(
    frame: FrameLike,
    *,
    level: Level,
    metric: Metric | str = "conversations",
    key: str | None = None,
    column: str | None = None,
    unit: str | None = None,
    regions: Mapping[str, str] | None = None,
    geometry: Mapping[str, Any] | None = None,
    name: str | None = None,
    classes: int = 6,
    show: bool = True,
    tiles: str | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """Colour places by a metric: countries, US states, NANP area codes or regions.

    Parameters
    ----------
    frame
        One row per place: the place key (see ``key``) and metric columns. Known metrics
        are ``conversations`` (count), ``handle_time`` (total, in seconds),
        ``average_handle_time`` (seconds) and ``share`` (fraction 0-1); ``share`` and
        ``average_handle_time`` are derived from ``conversations``/``handle_time`` when
        absent. Any other numeric column can be mapped by naming it as ``metric``.
    level
        ``"country"`` (key: ISO alpha-2), ``"us_state"`` (``"US-WA"`` or ``"WA"``),
        ``"area_code"`` (NPA, e.g. ``"212"``) or ``"region"`` (region name; polygons are
        dissolved from member countries).
    metric
        What colours the map; the legend states its unit (count, hours, minutes or seconds,
        %). Tooltips show every known metric present.
    key
        Place column; default ``country``, ``state_code``, ``npa`` or ``region``.
    column
        Column holding ``metric`` when it is named differently.
    unit
        Unit shown in the legend for a custom metric.
    regions
        For ``level="region"``: country ISO2 -> region name. Default: the Flex continents
        of ``geoflex.reference.load_table("countries")``.
    geometry
        A GeoJSON FeatureCollection to use instead of the shipped shapes (same properties).
    name
        Layer name in the layer control; default from the level.
    classes
        Number of colour classes (quantile breaks, rounded).
    show
        Whether the layer is visible initially (when adding to a map with ``m=``).
    tiles
        A folium tile set name/URL for a background; None (default) draws no tiles.
    m
        Draw onto this map instead of a new one.

    Returns
    -------
    folium.Map
        The map. Places without data are grey (never the top colour); places in the frame
        that have no shape, and rows without a place, are counted in the legend.

    Examples
    --------
    >>> import polars as pl
    >>> shapes = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"country": "FR", "country_name": "France"},
    ...      "geometry": {"type": "Polygon",
    ...                   "coordinates": [[[0, 43], [7, 43], [7, 50], [0, 43]]]}}]}
    >>> m = choropleth(pl.DataFrame({"country": ["FR"], "conversations": [12]}),
    ...                level="country", geometry=shapes)
    >>> "France" in m.get_root().render()
    True
    """
    if level not in _KEYS:
        raise ValueError(f"level must be one of {sorted(_KEYS)}, got {level!r}")
    if classes < 1:
        raise ValueError("classes must be at least 1")
    fm: Any = require("folium", "report")
    values = _values(frame, level=level, key=key or _KEYS[level], metric=metric, column=column)
    places, source = _places(level, geometry, regions)

    per_place = [_combine(p, values, values.metrics) for p in places]
    specs = {
        mt: metric_spec(mt, [v.get(mt) for v in per_place], unit=unit if mt == metric else None)
        for mt in [metric, *[x for x in values.metrics if x != metric]]
    }
    data_values = [
        v[metric]
        for p, v in zip(places, per_place, strict=True)
        if p.drawn and v.get(metric) is not None
    ]
    breaks = classify([x for x in data_values if x is not None], classes=classes)
    colours = palette(max(len(breaks) - 1, 1))

    features: list[dict[str, Any]] = []
    styles: dict[str, dict[str, Any]] = {}
    with_data: list[dict[str, Any]] = []
    values_of = {id(p): v for p, v in zip(places, per_place, strict=True)}
    for i, (place, place_values) in enumerate(zip(places, per_place, strict=True)):
        if not place.drawn:
            continue
        fid = str(i)
        value = place_values.get(metric)
        tooltip = _tooltip(place, level, place_values, specs, metric, values.by_place)
        for overlay in place.spans:
            amount = specs[metric].format(values_of[id(overlay)].get(metric))
            tooltip += (
                f"<br><i>Also served by overlay {text(overlay.name)} "
                f"(spans several areas): {text(amount)}</i>"
            )
        features.append(
            {
                "type": "Feature",
                "id": fid,
                "properties": {"tooltip": tooltip},
                "geometry": place.geometry,
            }
        )
        styles[fid] = {
            "fillColor": colour_for(value, breaks, colours),
            "color": _OUTLINE,
            "weight": 0.6,
            "fillOpacity": 0.85,
        }
        if value is not None:
            with_data.append(place.geometry)

    placed_keys = {c for p in places for c in (p.codes or [p.key])}
    conversations_spec = specs.get("conversations")
    notes = _unplaced_note(values, placed_keys, conversations_spec)

    new = m is None
    target = _new_map(tiles) if m is None else m
    layer = fm.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name or _TITLES[level],
        show=show,
        style_function=lambda feature: styles[feature["id"]],
        highlight_function=lambda feature: {"weight": 2.5, "color": "#333333"},
        tooltip=fm.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
        attribution=_ATTRIBUTION.get(source),
    )
    layer.add_to(target)
    entries = list(zip(colours, class_labels(breaks, specs[metric]), strict=False))
    legend = legend_html(
        f"{_TITLES[level]}: {specs[metric].title}"
        if not name
        else f"{name}: {specs[metric].title}",
        entries,
        notes=notes,
    )
    Legend(legend, layer_name=layer.get_name()).add_to(target)
    if new:
        box = bounds(with_data) or bounds(f["geometry"] for f in features)
        if box:
            target.fit_bounds(box)
    return target


# -- points ---------------------------------------------------------------------------------


@dataclass
class _PointTable:
    frame: pl.DataFrame  # _lat, _lon, _label, _value (one row per place)
    unplaced_rows: int
    total_rows: int


Label = str | Sequence[str] | None


def _label_expr(label: Label) -> pl.Expr:
    """One label column, or several joined with ", " ("Springfield, US-IL"), nulls skipped."""
    if label is None:
        return pl.lit(None, pl.String)
    columns = [label] if isinstance(label, str) else list(label)
    joined = pl.concat_str(
        [pl.col(c).cast(pl.String) for c in columns], separator=", ", ignore_nulls=True
    )
    return pl.when(joined != "").then(joined)


def _point_table(
    frame: FrameLike, *, lat: str, lon: str, label: Label, size: str | None
) -> _PointTable:
    data = _collect(frame)
    labels = [label] if isinstance(label, str) else list(label or [])
    for needed in (lat, lon, *labels, size):
        if needed is not None and needed not in data.columns:
            raise ColumnError(f"points need a column {needed!r}; columns are {data.columns}")
    table = data.select(
        pl.col(lat).cast(pl.Float64).round(4).alias("_lat"),
        pl.col(lon).cast(pl.Float64).round(4).alias("_lon"),
        _label_expr(label).alias("_label"),
        (pl.col(size).cast(pl.Float64) if size else pl.lit(1.0)).alias("_value"),
    )
    usable = (
        pl.col("_lat").is_between(-90, 90)
        & pl.col("_lon").is_between(-180, 180)
        & pl.col("_lat").is_not_nan()
        & pl.col("_lon").is_not_nan()
    )
    placed = table.filter(usable.fill_null(value=False))
    grouped = (
        placed.group_by("_lat", "_lon", "_label")
        .agg(pl.col("_value").sum())
        .sort("_value", "_label", "_lat", "_lon", descending=[True, False, False, False])
    )
    return _PointTable(grouped, table.height - placed.height, table.height)


def _radius(value: float, top: float, *, largest: float = 24.0, smallest: float = 3.0) -> float:
    """Bubble radius in pixels: area proportional to value."""
    if top <= 0 or value <= 0:
        return smallest
    return round(smallest + (largest - smallest) * math.sqrt(value / top), 1)


def _point_layer(
    table: pl.DataFrame,
    *,
    spec: MetricSpec,
    name: str,
    colour: str,
    target: Any,
    extra: Sequence[Sequence[tuple[str, str]]] | None = None,
    show: bool = True,
) -> Any:
    fm: Any = require("folium", "report")
    _points_pane(target)
    top = float(table["_value"].fill_null(0.0).max() or 0.0) if table.height else 0.0  # type: ignore[arg-type]
    features = []
    styles: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(table.iter_rows(named=True)):
        fid = str(i)
        rows = [(spec.label, spec.format(row["_value"])), *(extra[i] if extra else [])]
        title = row["_label"] if row["_label"] is not None else f"{row['_lat']}, {row['_lon']}"
        features.append(
            {
                "type": "Feature",
                "id": fid,
                "properties": {"tooltip": html_lines(title, rows)},
                "geometry": {"type": "Point", "coordinates": [row["_lon"], row["_lat"]]},
            }
        )
        styles[fid] = {"radius": _radius(row["_value"], top)}
    base = {"color": colour, "weight": 1, "fillColor": colour, "fillOpacity": 0.55}
    return fm.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        show=show,
        marker=fm.CircleMarker(**base, pane=_POINTS_PANE),
        style_function=lambda feature: {**base, **styles[feature["id"]]},
        highlight_function=lambda feature: {"weight": 3, "fillOpacity": 0.8},
        tooltip=fm.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
        popup=fm.GeoJsonPopup(fields=["tooltip"], labels=False),
    )


def _points_pane(target: Any) -> None:
    """Bubbles live in their own pane above the choropleths' overlay pane, so a choropleth
    switched on later in the layer control is drawn under them, not over them."""
    fm: Any = require("folium", "report")
    if not any(getattr(c, "_geoflex_points_pane", False) for c in target._children.values()):
        pane = fm.map.CustomPane(_POINTS_PANE, z_index=450)
        pane._geoflex_points_pane = True
        pane.add_to(target)


def _basemap(target: Any, basemap: Basemap) -> None:
    """Light, non-interactive outlines so bubbles have context without web tiles."""
    if basemap == "none":
        return
    fm: Any = require("folium", "report")
    source = "countries" if basemap == "countries" else "us_states"
    features = [
        {"type": "Feature", "id": str(i), "properties": {}, "geometry": shape}
        for i, shape in enumerate(
            s for s in (compact(f.get("geometry")) for f in _features(_load_geojson(source))) if s
        )
    ]
    style = {"fillColor": "#f7f7f4", "color": "#b5b5b5", "weight": 0.5, "fillOpacity": 1}
    fm.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Outlines",
        control=False,
        interactive=False,
        style_function=lambda feature: style,
        attribution=_ATTRIBUTION[source],
    ).add_to(target)


def _fit(target: Any, table: pl.DataFrame) -> None:
    if table.height:
        south, north = float(table["_lat"].min()), float(table["_lat"].max())  # type: ignore[arg-type]
        west, east = float(table["_lon"].min()), float(table["_lon"].max())  # type: ignore[arg-type]
        pad = 0.5
        target.fit_bounds([[south - pad, west - pad], [north + pad, east + pad]], max_zoom=8)


def _truncate(
    table: _PointTable, max_points: int, spec: MetricSpec
) -> tuple[pl.DataFrame, list[str]]:
    notes = []
    frame = table.frame
    if frame.height > max_points:
        total = float(frame["_value"].sum())
        kept = frame.head(max_points)
        covered = float(kept["_value"].sum()) / total if total else 1.0
        notes.append(
            f"Showing the {max_points:,} largest of {frame.height:,} places "
            f"({covered:.0%} of {spec.label.lower()})"
        )
        frame = kept
    if table.unplaced_rows:
        notes.append(f"Not on the map: {table.unplaced_rows:,} row(s) without coordinates")
    return frame, notes


def points(
    frame: FrameLike,
    *,
    lat: str = "latitude",
    lon: str = "longitude",
    label: Label = "city",
    size: str | None = "conversations",
    unit: str | None = None,
    name: str = "Places",
    colour: str = "#2b6cb0",
    max_points: int = 5000,
    basemap: Basemap = "countries",
    show: bool = True,
    tiles: str | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """Bubbles for cities or coordinates, area proportional to ``size``.

    Parameters
    ----------
    frame
        Rows with coordinates; rows sharing coordinates and label are summed into one
        bubble. Rows without usable coordinates are counted in the legend.
    lat, lon
        Coordinate columns (degrees).
    label
        Column naming each place in its tooltip/popup (escaped), or several joined with
        ", " (e.g. ``["city", "state_code"]``); None shows coordinates.
    size
        Column the bubble area follows (e.g. ``conversations``); None counts rows.
    unit
        Unit of a custom ``size`` metric, shown in the legend and tooltips.
    name
        Layer name in the layer control.
    colour
        Bubble colour (a CSS colour written by the caller, not data).
    max_points
        Keep the largest places only, so pages stay small; the legend says how many.
    basemap
        Outlines drawn under the bubbles when there are no tiles: ``"countries"``,
        ``"us_states"`` or ``"none"``.
    show, tiles, m
        As in :func:`choropleth`.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"city": ["Lyon"], "latitude": [45.76], "longitude": [4.84],
    ...                       "conversations": [3]})
    >>> "Lyon" in points(frame, basemap="none").get_root().render()
    True
    """
    metric_name = size or "conversations"
    table = _point_table(frame, lat=lat, lon=lon, label=label, size=size)
    spec = metric_spec(metric_name, table.frame["_value"].to_list(), unit=unit)
    shown, notes = _truncate(table, max_points, spec)
    new = m is None
    target = _new_map(tiles) if m is None else m
    if new and tiles is None:
        _basemap(target, basemap)
    layer = _point_layer(shown, spec=spec, name=name, colour=colour, show=show, target=target)
    layer.add_to(target)
    html = legend_html(
        f"{name}: {spec.title}", [(colour, "bubble area ∝ value")], notes=notes, no_data=False
    )
    Legend(html, layer_name=layer.get_name(), position="bottomleft").add_to(target)
    if new:
        _fit(target, shown)
    return target


def _haversine_km(
    lat1: Any, lon1: Any, lat2: Any, lon2: Any
) -> Any:  # numpy arrays in, numpy array out
    import numpy as np

    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def agents_vs_customers(
    customers: FrameLike,
    agents: FrameLike,
    *,
    lat: str = "latitude",
    lon: str = "longitude",
    customer_label: Label = "city",
    customer_size: str | None = "conversations",
    agent_label: Label = "location",
    lines: bool = True,
    max_lines: int = 100,
    max_points: int = 5000,
    basemap: Basemap = "countries",
    tiles: str | None = None,
) -> folium.Map:
    """Agent locations over customer demand, with the distance to the nearest agents.

    Customer places are orange bubbles (area ∝ ``customer_size``), agent locations blue
    bubbles (area ∝ number of agent rows there). Each customer tooltip names the nearest
    agent location and its great-circle distance; with ``lines=True`` the ``max_lines``
    largest customer places are joined to it. The legend gives the conversation-weighted
    median distance and the share of demand more than 1,000 km from any agents.

    Examples
    --------
    >>> import polars as pl
    >>> customers = pl.DataFrame({"city": ["Lyon"], "latitude": [45.76], "longitude": [4.84],
    ...                           "conversations": [3]})
    >>> agents = pl.DataFrame({"location": ["Paris"], "latitude": [48.86], "longitude": [2.35]})
    >>> "392 km" in agents_vs_customers(customers, agents, basemap="none").get_root().render()
    True
    """
    import numpy as np

    fm: Any = require("folium", "report")
    demand = _point_table(customers, lat=lat, lon=lon, label=customer_label, size=customer_size)
    sites = _point_table(agents, lat=lat, lon=lon, label=agent_label, size=None)
    spec = metric_spec(customer_size or "conversations", demand.frame["_value"].to_list())
    shown, notes = _truncate(demand, max_points, spec)
    target = _new_map(tiles)
    if tiles is None:
        _basemap(target, basemap)

    extra: list[list[tuple[str, str]]] = [[] for _ in range(shown.height)]
    nearest_lines = []
    if sites.frame.height and shown.height:
        distance = _haversine_km(
            shown["_lat"].to_numpy()[:, None],
            shown["_lon"].to_numpy()[:, None],
            sites.frame["_lat"].to_numpy()[None, :],
            sites.frame["_lon"].to_numpy()[None, :],
        )
        nearest = distance.argmin(axis=1)
        km = distance[np.arange(shown.height), nearest]
        site_rows = sites.frame.rows(named=True)
        for i, (j, d) in enumerate(zip(nearest.tolist(), km.tolist(), strict=True)):
            site = site_rows[j]
            where = site["_label"] or f"{site['_lat']}, {site['_lon']}"
            extra[i] = [("Nearest agents", f"{where}, {d:,.0f} km")]
            if i < max_lines:
                nearest_lines.append((i, site, d))
        weights = shown["_value"].to_numpy()
        order = np.argsort(km)
        cumulative = np.cumsum(weights[order])
        if cumulative[-1] > 0:
            median = float(km[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
            far = float(weights[km > 1000].sum() / cumulative[-1])
            notes.insert(0, f"Median distance to nearest agents: {median:,.0f} km")
            notes.insert(1, f"Demand more than 1,000 km from agents: {far:.0%}")
    elif not sites.frame.height:
        notes.insert(0, "No agent locations with coordinates")

    demand_layer = _point_layer(
        shown, spec=spec, name="Customer demand", colour="#dd6b20", extra=extra, target=target
    )
    demand_layer.add_to(target)
    if lines and nearest_lines:
        rows = shown.rows(named=True)
        features = []
        for n, (i, site, d) in enumerate(nearest_lines):
            row = rows[i]
            title = f"{row['_label'] or 'customers'} → {site['_label'] or 'agents'}"
            features.append(
                {
                    "type": "Feature",
                    "id": str(n),
                    "properties": {"tooltip": html_lines(title, [("Distance", f"{d:,.0f} km")])},
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[row["_lon"], row["_lat"]], [site["_lon"], site["_lat"]]],
                    },
                }
            )
        style = {"color": "#555555", "weight": 1, "opacity": 0.6, "dashArray": "4 4"}
        fm.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name="Distance to nearest agents",
            style_function=lambda feature: style,
            tooltip=fm.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
        ).add_to(target)
    agent_spec = MetricSpec("agents", "Agents", "count")
    agent_layer = _point_layer(
        sites.frame, spec=agent_spec, name="Agents", colour="#2b6cb0", target=target
    )
    agent_layer.add_to(target)
    html = legend_html(
        "Agents vs customers",
        [("#dd6b20", f"Customer demand ({spec.title.lower()})"), ("#2b6cb0", "Agents (count)")],
        notes=notes
        + (
            [f"{sites.unplaced_rows:,} agent row(s) without coordinates"]
            if sites.unplaced_rows
            else []
        ),
        no_data=False,
    )
    Legend(html, layer_name=None, position="bottomleft").add_to(target)
    fm.LayerControl(collapsed=False).add_to(target)
    both = pl.concat([shown.select("_lat", "_lon"), sites.frame.select("_lat", "_lon")])
    _fit(target, both)
    return target  # type: ignore[no-any-return]


# -- several layers on one map ----------------------------------------------------------


def layered_map(
    *,
    countries: FrameLike | None = None,
    us_states: FrameLike | None = None,
    area_codes: FrameLike | None = None,
    regions: FrameLike | None = None,
    places: FrameLike | None = None,
    metric: Metric | str = "conversations",
    region_members: Mapping[str, str] | None = None,
    geometry: Mapping[Level, Mapping[str, Any]] | None = None,
    tiles: str | None = None,
) -> folium.Map:
    """One map with a layer per given frame and a layer control.

    The first choropleth given is shown, the others can be switched on; each legend shows
    with its layer. ``places`` (cities/coordinates with ``latitude``/``longitude``, labelled
    "city, state_code" from the columns present) is drawn as bubbles on top. ``geometry``
    replaces the shipped shapes per level.
    """
    fm: Any = require("folium", "report")
    target = _new_map(tiles)
    candidates: tuple[tuple[Level, FrameLike | None], ...] = (
        ("region", regions),
        ("country", countries),
        ("us_state", us_states),
        ("area_code", area_codes),
    )
    levels = [(level, frame) for level, frame in candidates if frame is not None]
    if not levels and places is None:
        raise ValueError("layered_map needs at least one frame")
    for i, (level, frame) in enumerate(levels):
        choropleth(
            frame,
            level=level,
            metric=metric,
            regions=region_members if level == "region" else None,
            geometry=(geometry or {}).get(level),
            show=i == 0,
            m=target,
        )
    if places is not None:
        columns = places.collect_schema().names()
        size = "conversations" if "conversations" in columns else None
        label = [c for c in ("city", "state_code", "country") if c in columns][:2] or None
        points(places, size=size, label=label, m=target, show=True)
    fm.LayerControl(collapsed=False).add_to(target)
    return target  # type: ignore[no-any-return]


def to_iframe(m: folium.Map, *, height: str = "520px", title: str = "Map") -> str:
    """The map as an ``<iframe srcdoc=...>`` string, its own document inside a report page.

    An iframe keeps Leaflet's CSS and the map's element ids apart from the page and from
    other maps. The result is already escaped HTML: mark it safe in a template
    (``markupsafe.Markup``) rather than escaping it again.

    Examples
    --------
    >>> import folium
    >>> html = to_iframe(folium.Map(tiles=None), title='A "map"')
    >>> html.startswith('<iframe title="A &quot;map&quot;"')
    True
    """
    document = m.get_root().render()
    return (
        f'<iframe title="{text(title)}" srcdoc="{text(document)}" '
        f'style="width:100%;height:{text(height)};border:0" loading="lazy"></iframe>'
    )
