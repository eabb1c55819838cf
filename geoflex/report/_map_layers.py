"""folium building blocks shared by the maps: the base map, bubbles, outlines, tooltips."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from geoflex._errors import ColumnError, require
from geoflex.report._escape import inert_feature, text
from geoflex.report._escape import lines as html_lines
from geoflex.report._geometry import compact
from geoflex.report._map_data import FrameLike, collect, features_of, load_shapes
from geoflex.report._map_render import isolate
from geoflex.report._metrics import MetricSpec
from geoflex.report._vendored import inline_script, inline_style

__all__ = [
    "ATTRIBUTION",
    "Basemap",
    "Label",
    "PointTable",
    "bubble_entries",
    "draw_basemap",
    "fit_points",
    "geojson_layer",
    "new_map",
    "point_layer",
    "point_table",
    "tooltip_of",
    "truncate_points",
]

Basemap = Literal["countries", "us_states", "none"]
ATTRIBUTION: dict[str, str] = {
    "countries": "Natural Earth",
    "admin1": "Natural Earth",
    "us_states": "US Census Bureau",
    "area_codes": "area-code-locator",
}
_POINTS_PANE = "geoflexPoints"


def tooltip_of(fm: Any, features: Sequence[Mapping[str, Any]]) -> Any:
    """The pre-escaped ``tooltip`` property as a sticky tooltip (None if nothing to show)."""
    if not features:  # folium refuses tooltip fields on an empty collection
        return None
    return fm.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True)


def geojson_layer(features: Sequence[Mapping[str, Any]], *, name: str, **options: Any) -> Any:
    """A ``folium.GeoJson`` layer of ``features``: every map layer geoflex draws is made here.

    The layer name is shown by Leaflet's layer control as HTML, so it is escaped like any
    data string; feature ids and properties pass `inert_feature` (no template braces).
    """
    collection = {"type": "FeatureCollection", "features": [inert_feature(f) for f in features]}
    return _compact_geojson_class()(collection, name=text(name), **options)


@functools.cache
def _compact_geojson_class() -> type[Any]:
    """``folium.GeoJson`` writing its data as compact JSON (no space after "," and ":").

    folium writes a layer's data with jinja's ``tojson`` (``", "`` and ``": "``): a tenth of
    a map page is those spaces. After folium renders the layer, its finished script has that
    exact text swapped for the compact one (the same JSON value); if folium ever writes it
    differently nothing is found and the page is only larger.
    """
    fm: Any = require("folium", "report")
    from markupsafe import Markup

    def as_written(data: Any, **options: Any) -> str:
        # jinja's tojson filter, with folium's sort_keys policy
        return str(Markup(htmlsafe_json_dumps(data, sort_keys=True, **options)))

    class CompactGeoJson(fm.GeoJson):  # type: ignore[misc]
        def render(self, **kwargs: Any) -> None:
            super().render(**kwargs)
            script = self.get_root().script._children.get(self.get_name())
            written = getattr(script, "_template_str", None)
            if written:
                loose, tight = as_written(self.data), as_written(self.data, separators=(",", ":"))
                script._template_str = written.replace(loose, tight, 1)

    from jinja2.utils import htmlsafe_json_dumps

    return CompactGeoJson


def new_map(tiles: str | None, *, location: Sequence[float] = (20.0, 0.0), zoom: int = 2) -> Any:
    fm: Any = require("folium", "report")
    m = fm.Map(
        location=list(location),
        zoom_start=zoom,
        tiles=tiles,
        control_scale=True,
        prefer_canvas=False,
        zoom_snap=0.25,  # fit_bounds can then fill the frame instead of jumping a level
    )
    # These maps use Leaflet only, inlined from the vendored copy: no CDN files at all
    # (folium would link Leaflet, jQuery, Bootstrap, Font Awesome...), so a report mailed
    # around draws its maps offline too.
    m.default_js = []
    m.default_css = []
    header = m.get_root().header
    header.add_child(fm.Element(inline_style("leaflet.min.css")), name="leaflet_css")
    header.add_child(fm.Element(inline_script("leaflet.min.js")), name="leaflet")
    return isolate(m)


@dataclass
class PointTable:
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


def point_table(
    frame: FrameLike, *, lat: str, lon: str, label: Label, size: str | None
) -> PointTable:
    data = collect(frame)
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
    return PointTable(grouped, table.height - placed.height, table.height)


def _radius(value: float, top: float, *, largest: float = 24.0, smallest: float = 3.0) -> float:
    """Bubble radius in pixels: area proportional to value."""
    if top <= 0 or value <= 0:
        return smallest
    return round(smallest + (largest - smallest) * math.sqrt(value / top), 1)


def bubble_entries(table: pl.DataFrame, spec: MetricSpec, colour: str) -> list[tuple[str, str]]:
    """The legend's bubble key: what the area follows, with its unit, and the largest value.

    Examples
    --------
    >>> from geoflex.report._metrics import metric_spec
    >>> frame = pl.DataFrame({"_value": [3.0, 1240.0]})
    >>> bubble_entries(frame, metric_spec("conversations", [3.0, 1240.0]), "#2b6cb0")
    [('#2b6cb0', 'bubble area ∝ conversations (count), largest 1,240')]
    """
    title = spec.title[:1].lower() + spec.title[1:]
    top = float(table["_value"].max() or 0.0) if table.height else None  # type: ignore[arg-type]
    largest = f", largest {spec.format(top)}" if top is not None else ""
    return [(colour, f"bubble area ∝ {title}{largest}")]


def point_layer(
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
    return geojson_layer(
        features,
        name=name,
        show=show,
        marker=fm.CircleMarker(**base, pane=_POINTS_PANE),
        style_function=lambda feature: {**base, **styles[feature["id"]]},
        highlight_function=lambda feature: {"weight": 3, "fillOpacity": 0.8},
        tooltip=tooltip_of(fm, features),
        popup=fm.GeoJsonPopup(fields=["tooltip"], labels=False) if features else None,
    )


def _points_pane(target: Any) -> None:
    """Bubbles live in their own pane above the choropleths' overlay pane, so a choropleth
    switched on later in the layer control is drawn under them, not over them."""
    fm: Any = require("folium", "report")
    if not any(getattr(c, "_geoflex_points_pane", False) for c in target._children.values()):
        pane = fm.map.CustomPane(_POINTS_PANE, z_index=450)
        pane._geoflex_points_pane = True
        pane.add_to(target)


def draw_basemap(target: Any, basemap: Basemap) -> None:
    """Light, non-interactive outlines so bubbles have context without web tiles.

    ``"countries"`` draws the countries with the US states' lines inside them (much of a
    Flex contact centre's demand is in the US, and a state-level view of it would otherwise
    be one blank country); ``"us_states"`` the US states alone.
    """
    if basemap == "none":
        return
    sources = ("countries", "us_states") if basemap == "countries" else ("us_states",)
    for source in sources:
        features = [
            {"type": "Feature", "id": str(i), "properties": {}, "geometry": shape}
            for i, shape in enumerate(
                s
                for s in (compact(f.get("geometry")) for f in features_of(load_shapes(source)))
                if s
            )
        ]
        inner = source == "us_states" and basemap == "countries"
        style = {
            "fillColor": "#f7f7f4",
            "color": "#cfcfcf" if inner else "#b5b5b5",
            "weight": 0.4 if inner else 0.5,
            "fillOpacity": 0 if inner else 1,
        }
        geojson_layer(
            features,
            name="Outlines",
            control=False,
            interactive=False,
            style_function=lambda feature, style=style: style,
            attribution=ATTRIBUTION[source],
        ).add_to(target)


#: The smallest view fit_points gives, in degrees of latitude and longitude: one place
#: (a single spike, one city) is shown with its surroundings, not alone at street level.
MIN_VIEW_DEGREES = (14.0, 24.0)


def fit_points(target: Any, table: pl.DataFrame) -> None:
    """Fit the map to every point (half a degree around them), at least `MIN_VIEW_DEGREES`."""
    if not table.height:
        return
    pad = 0.5
    south = float(table["_lat"].min()) - pad  # type: ignore[arg-type]
    north = float(table["_lat"].max()) + pad  # type: ignore[arg-type]
    west = float(table["_lon"].min()) - pad  # type: ignore[arg-type]
    east = float(table["_lon"].max()) + pad  # type: ignore[arg-type]
    min_lat, min_lon = MIN_VIEW_DEGREES
    if north - south < min_lat:
        middle = (north + south) / 2
        south, north = max(middle - min_lat / 2, -85.0), min(middle + min_lat / 2, 85.0)
    if east - west < min_lon:
        middle = (east + west) / 2
        west, east = middle - min_lon / 2, middle + min_lon / 2
    target.fit_bounds([[south, west], [north, east]], max_zoom=8)


def truncate_points(
    table: PointTable, max_points: int, spec: MetricSpec
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
