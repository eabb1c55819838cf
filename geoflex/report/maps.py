"""Maps of contact volume: choropleths of countries, states and provinces, US states, area codes
and regions; bubbles.

Every function takes an aggregated polars frame (place -> metrics), returns a
``folium.Map`` and can instead draw onto an existing map (``m=``), so several layers share
one map with a layer control (:func:`layered_map`). folium is imported when a map is made,
never by ``import geoflex``.

Safety and size, by design:

* Every string that comes from data (place names, labels, region names, the metric name)
  is HTML-escaped before it reaches the page: folium's GeoJSON tooltips and popups insert
  property values as raw HTML.
* Each feature carries one property, its pre-escaped tooltip; coordinates are rounded to
  about 1 km (100 m for small polygons) and written without spaces; a states map draws
  at most 60,000 vertices of states (the busiest countries'). A page with the world,
  regions, four countries' states, US states and every area code is 2.5 MB.
* Pages carry Leaflet (JS + CSS, vendored by data/build_js.py) inline and none of folium's
  other defaults (jQuery, Bootstrap, Font Awesome...), which these maps do not use; no map
  tiles unless asked (``tiles=``). A report draws its maps offline and opening it sends no
  request anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from geoflex._errors import require
from geoflex.aggregate._accuracy import haversine_km_array
from geoflex.report._escape import lines as html_lines
from geoflex.report._escape import text
from geoflex.report._geometry import bounds
from geoflex.report._legend import Legend, class_labels, colour_for, legend_html, palette
from geoflex.report._map_data import (
    FrameLike,
    Level,
    Place,
    PlaceValues,
    combine,
    country_of,
    place_values,
    places_for_level,
)
from geoflex.report._map_layers import (
    ATTRIBUTION,
    Basemap,
    Label,
    bubble_entries,
    draw_basemap,
    fit_points,
    geojson_layer,
    new_map,
    point_layer,
    point_table,
    tooltip_of,
    truncate_points,
)
from geoflex.report._map_render import isolate, render_map
from geoflex.report._map_states import StateSelection, select_states
from geoflex.report._metrics import Metric, MetricSpec, classify, metric_spec

if TYPE_CHECKING:
    import folium

__all__ = [
    "Basemap",
    "Level",
    "Metric",
    "agents_vs_customers",
    "choropleth",
    "layered_map",
    "points",
    "to_iframe",
]


_KEYS: dict[str, str] = {
    "country": "country",
    "state": "state_code",
    "us_state": "state_code",
    "area_code": "npa",
    "region": "region",
}
_TITLES: dict[str, str] = {
    "country": "Countries",
    "state": "States and provinces",
    "us_state": "US states",
    "area_code": "Area codes",
    "region": "Regions",
}
_OUTLINE = "#ffffff"
_MAX_TOOLTIP_CODES = 12


# -- choropleths ---------------------------------------------------------------------------


def _tooltip(
    place: Place,
    level: Level,
    values: dict[str, float | None],
    specs: Mapping[str, MetricSpec],
    metric: str,
    per_code: Mapping[str, dict[str, float | None]],
) -> str:
    if place.outline:  # a country around a states map, drawn without data
        return html_lines(place.name, [("States and provinces", place.detail)])
    if level == "area_code":
        title = f"Area code{'s' if len(place.codes) > 1 else ''} {place.name}"
        if place.detail:
            title += f" ({place.detail})"
    elif level == "state" and place.detail:
        title = f"{place.name}, {place.detail}"  # "Punjab, India" / "Punjab, Pakistan"
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


def _amount(values: PlaceValues, keys: Sequence[str], spec: MetricSpec | None) -> str:
    if spec is None:
        return ""
    total = sum(values.by_place[k].get("conversations") or 0.0 for k in keys)
    return f", {spec.format(total)} conversations"


def _listed(keys: Sequence[str]) -> str:
    return ", ".join(keys[:5]) + (", …" if len(keys) > 5 else "")


def _unplaced_note(
    values: PlaceValues,
    placed: set[str],
    spec: MetricSpec | None,
    *,
    level: Level,
    states: StateSelection | None = None,
) -> list[str]:
    """What the legend says is not on the map: places without a shape, places of countries
    whose states are not drawn, and rows without a place, with their conversations."""
    missing = sorted(k for k in values.by_place if k not in placed)
    notes = []
    if states is not None:  # states of countries not drawn: not "without a shape"
        drawn = set(states.drawn_countries)
        elsewhere = [k for k in missing if country_of(k) not in drawn]
        missing = [k for k in missing if country_of(k) in drawn]
        left_out = sorted({country_of(k) for k in elsewhere} & set(states.over_budget))
        if left_out:
            keys = [k for k in elsewhere if country_of(k) in left_out]
            notes.append(
                f"Not on the map: the states of {len(left_out)} more countries "
                f"({_listed(left_out)}{_amount(values, keys, spec)}), to keep the page "
                "small; the Countries layer shows them"
            )
        others = [k for k in elsewhere if country_of(k) not in left_out]
        if others:
            notes.append(
                f"Not on the map: {len(others)} place(s) in countries not shown "
                f"({_listed(others)}{_amount(values, others, spec)})"
            )
    if missing:
        notes.append(
            f"Not on the map: {len(missing)} place(s) without a shape "
            f"({_listed(missing)}{_amount(values, missing, spec)})"
        )
    if values.unplaced_rows:
        what = "state or province" if level == "state" else "place"
        note = f"Not on the map: {values.unplaced_rows} row(s) with no {what}"
        if values.unplaced_conversations is not None and spec is not None:
            note += f" ({spec.format(values.unplaced_conversations)} conversations)"
        notes.append(note)
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
    countries: Sequence[str] | None = None,
    geometry: Mapping[str, Any] | None = None,
    name: str | None = None,
    classes: int = 6,
    show: bool = True,
    overlay: bool = True,
    tiles: str | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """Colour places by a metric: countries, states and provinces, NANP area codes or regions.

    Parameters
    ----------
    frame
        One row per place: the place key (see ``key``) and metric columns. Known metrics
        are ``conversations`` (count), ``handle_time`` (total, in seconds),
        ``average_handle_time`` (seconds) and ``share`` (fraction 0-1); ``share`` and
        ``average_handle_time`` are derived from ``conversations``/``handle_time`` when
        absent. Any other numeric column can be mapped by naming it as ``metric``.
    level
        ``"country"`` (key: ISO alpha-2), ``"state"`` (states and provinces of every
        country: ISO 3166-2, e.g. ``"DE-BY"``, ``"US-WA"``; see ``countries``),
        ``"us_state"`` (US states alone: ``"US-WA"`` or ``"WA"``), ``"area_code"`` (NPA, e.g.
        ``"212"``) or ``"region"`` (region name; polygons are dissolved from member
        countries).
    metric
        What colours the map; the legend states its unit (count, hours, minutes or seconds,
        %). Tooltips show every known metric present.
    key
        Place column; default ``country``, ``state_code``, ``npa`` or ``region``.
    column
        Column holding ``metric`` when it is named differently; a ``"state"`` frame may
        have rows without a state (a null key), which the legend counts.
    unit
        Unit shown in the legend for a custom metric.
    regions
        For ``level="region"``: country ISO2 -> region name. Default: the Flex continents
        of ``geoflex.reference.load_table("countries")``.
    countries
        For ``level="state"``: draw these countries' states (ISO alpha-2; a new map is
        fitted to them) and every other country as a grey outline. Default: the states of
        the countries in the frame, busiest first, up to 60,000 vertices (about 0.9 MB of
        page; the countries left out are drawn whole and named in the legend).
    geometry
        A GeoJSON FeatureCollection to use instead of the shipped shapes (same properties;
        for ``"state"``: ``state_code``, ``state`` and optionally ``country``).
    name
        Layer name in the layer control; default from the level.
    classes
        Number of colour classes (quantile breaks, rounded).
    show
        Whether the layer is visible initially (when adding to a map with ``m=``).
    overlay
        False makes the layer a base layer: the layer control then shows one base layer
        at a time (radio buttons), so one colour scale is on the map and in its legend.
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

    One country's states, the rest of the world as outlines:

    >>> m = choropleth(pl.DataFrame({"state_code": ["AU-NSW", "AU-VIC", None],
    ...                              "conversations": [40, 25, 3]}),
    ...                level="state", countries=["AU"])
    >>> page = m.get_root().render()
    >>> "New South Wales, Australia" in page, "1 row(s) with no state or province" in page
    (True, True)
    """
    if level not in _KEYS:
        raise ValueError(f"level must be one of {sorted(_KEYS)}, got {level!r}")
    if classes < 1:
        raise ValueError("classes must be at least 1")
    if countries is not None and level != "state":
        raise ValueError(f'countries= chooses the states of level="state", not {level!r}')
    fm: Any = require("folium", "report")
    values = place_values(frame, level=level, key=key or _KEYS[level], metric=metric, column=column)
    places, source = places_for_level(level, geometry, regions)
    states = None
    if level == "state":
        states = select_states(places, values, countries=countries, metric=metric)
        places = states.places

    per_place = [{} if p.outline else combine(p, values, values.metrics) for p in places]
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
    for i, (place, here) in enumerate(zip(places, per_place, strict=True)):
        if not place.drawn:
            continue
        fid = str(i)
        value = here.get(metric)
        tooltip = _tooltip(place, level, here, specs, metric, values.by_place)
        for spanning in place.spans:
            amount = specs[metric].format(values_of[id(spanning)].get(metric))
            tooltip += (
                f"<br><i>Also served by overlay {text(spanning.name)} "
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

    placed_keys = {c for p in places if not p.outline for c in (p.codes or [p.key])}
    conversations_spec = specs.get("conversations")
    notes = _unplaced_note(values, placed_keys, conversations_spec, level=level, states=states)

    new = m is None
    target = new_map(tiles) if m is None else isolate(m)
    layer = geojson_layer(
        features,
        name=name or _TITLES[level],
        show=show,
        overlay=overlay,
        style_function=lambda feature: styles[feature["id"]],
        highlight_function=lambda feature: {"weight": 2.5, "color": "#333333"},
        tooltip=tooltip_of(fm, features),
        attribution=ATTRIBUTION.get(source),
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
        chosen = (
            [p.geometry for p in places if not p.outline] if countries is not None else with_data
        )
        box = bounds(chosen) or bounds(f["geometry"] for f in features)
        if box:
            target.fit_bounds(box)
    return target


# -- points ---------------------------------------------------------------------------------


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
    table = point_table(frame, lat=lat, lon=lon, label=label, size=size)
    spec = metric_spec(metric_name, table.frame["_value"].to_list(), unit=unit)
    shown, notes = truncate_points(table, max_points, spec)
    new = m is None
    target = new_map(tiles) if m is None else isolate(m)
    if new and tiles is None:
        draw_basemap(target, basemap)
    layer = point_layer(shown, spec=spec, name=name, colour=colour, show=show, target=target)
    layer.add_to(target)
    html = legend_html(name, bubble_entries(shown, spec, colour), notes=notes, no_data=False)
    Legend(html, layer_name=layer.get_name()).add_to(target)
    if new:
        fit_points(target, shown)
    return target


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
    demand = point_table(customers, lat=lat, lon=lon, label=customer_label, size=customer_size)
    sites = point_table(agents, lat=lat, lon=lon, label=agent_label, size=None)
    spec = metric_spec(customer_size or "conversations", demand.frame["_value"].to_list())
    shown, notes = truncate_points(demand, max_points, spec)
    target = new_map(tiles)
    if tiles is None:
        draw_basemap(target, basemap)

    extra: list[list[tuple[str, str]]] = [[] for _ in range(shown.height)]
    nearest_lines = []
    if sites.frame.height and shown.height:
        distance = haversine_km_array(
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

    demand_layer = point_layer(
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
        geojson_layer(
            features,
            name="Distance to nearest agents",
            style_function=lambda feature: style,
            tooltip=tooltip_of(fm, features),
        ).add_to(target)
    agent_spec = MetricSpec("agents", "Agents", "count")
    agent_layer = point_layer(
        sites.frame, spec=agent_spec, name="Agents", colour="#2b6cb0", target=target
    )
    agent_layer.add_to(target)
    html = legend_html(
        "Agents vs customers",
        [("#dd6b20", f"Customer demand ({spec.label.lower()})"), ("#2b6cb0", "Agents")],
        notes=notes
        + (
            [f"{sites.unplaced_rows:,} agent row(s) without coordinates"]
            if sites.unplaced_rows
            else []
        ),
        no_data=False,
    )
    Legend(html, layer_name=None).add_to(target)
    fm.LayerControl(collapsed=False).add_to(target)
    both = pl.concat([shown.select("_lat", "_lon"), sites.frame.select("_lat", "_lon")])
    fit_points(target, both)
    return target  # type: ignore[no-any-return]


# -- several layers on one map ----------------------------------------------------------


def layered_map(
    *,
    countries: FrameLike | None = None,
    states: FrameLike | None = None,
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

    The choropleths are base layers: the layer control shows one at a time (the first
    given to start with), so the map and its one legend (below the map) carry one colour
    scale; the bubbles can be switched on and off beside it. ``states`` is the world's
    states and provinces (``level="state"``: the countries with data, keyed by ISO 3166-2
    ``state_code``), ``us_states`` the US states alone. ``places``
    (cities/coordinates with ``latitude``/``longitude``, labelled "city, state_code" from
    the columns present) is drawn as bubbles on top. ``geometry`` replaces the shipped
    shapes per level.
    """
    fm: Any = require("folium", "report")
    target = new_map(tiles)
    candidates: tuple[tuple[Level, FrameLike | None], ...] = (
        ("region", regions),
        ("country", countries),
        ("state", states),
        ("us_state", us_states),
        ("area_code", area_codes),
    )
    levels = [(level, frame) for level, frame in candidates if frame is not None]
    if not levels and places is None:
        raise ValueError("layered_map needs at least one frame")
    if not levels and tiles is None:
        draw_basemap(target, "countries")
    for i, (level, frame) in enumerate(levels):
        choropleth(
            frame,
            level=level,
            metric=metric,
            regions=region_members if level == "region" else None,
            geometry=(geometry or {}).get(level),
            show=i == 0,
            overlay=False,
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
    document = render_map(m)
    return (
        f'<iframe title="{text(title)}" srcdoc="{text(document)}" '
        f'style="width:100%;height:{text(height)};border:0" loading="lazy"></iframe>'
    )
