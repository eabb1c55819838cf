"""Maps: what each layer holds (values, colours, tooltips, legends), escaping, size."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import folium
import polars as pl
import pytest

from geoflex._errors import ColumnError, DataError
from geoflex.report import maps
from geoflex.report._legend import NO_DATA, palette

HOSTILE = "<img src=x onerror=alert(1)>"


def square(x: float, y: float, size: float = 5.0) -> dict[str, Any]:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def collection(*features: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
    }


COUNTRIES = collection(
    ({"country": "US", "country_name": "United States"}, square(-100, 35, 10)),
    ({"country": "CA", "country_name": "Canada"}, square(-100, 45, 10)),  # shares a border
    ({"country": "FR", "country_name": HOSTILE}, square(0, 43)),
    ({"country": "DE", "country_name": "Germany"}, square(6, 48)),
)
AREA_CODES = collection(
    (
        {
            "npa": "212",
            "codes": "212, 332, 646, 917",
            "overlay_group": "NY-212",
            "state_code": "US-NY",
            "country": "US",
        },
        square(-74.1, 40.6, 0.3),
    ),
    (
        {
            "npa": "415",
            "codes": "415, 628",
            "overlay_group": "CA-415",
            "state_code": "US-CA",
            "country": "US",
        },
        square(-122.6, 37.6, 0.4),
    ),
    (
        {
            "npa": "206",
            "codes": "206",
            "overlay_group": "WA-206",
            "state_code": "US-WA",
            "country": "US",
        },
        square(-122.5, 47.4, 0.4),
    ),
)


def geojson_layers(m: folium.Map) -> list[folium.GeoJson]:
    return [c for c in m._children.values() if isinstance(c, folium.GeoJson)]


def features_by_tooltip(m: folium.Map) -> dict[str, dict[str, Any]]:
    """First tooltip line (the escaped place name) -> feature, with its style."""
    (layer,) = [g for g in geojson_layers(m) if g.control]
    out = {}
    for feature in layer.data["features"]:
        title = re.match(r"<b>(.*?)</b>", feature["properties"]["tooltip"])
        assert title is not None
        out[title.group(1)] = {**feature, "style": layer.style_function(feature)}
    return out


def legend_texts(m: folium.Map) -> list[str]:
    return [c.html for c in m._children.values() if type(c).__name__ == "Legend"]


def test_map_pages_carry_leaflet_and_load_nothing_from_the_network() -> None:
    frame = pl.DataFrame({"country": ["US"], "conversations": [3]})
    page = maps.choropleth(frame, level="country", geometry=COUNTRIES).get_root().render()
    assert re.findall(r"<script[^>]+src=|<link[^>]+href=\"?https?:", page) == []
    assert "Leaflet" in page  # the inlined script
    assert "leaflet-container" in page  # and style
    assert "url(images/" not in page  # the stylesheet's images are inlined too


def test_choropleth_colours_by_class_and_greys_places_without_data() -> None:
    frame = pl.DataFrame({"country": ["US", "CA", "FR"], "conversations": [1000, 10, 1]})
    m = maps.choropleth(frame, level="country", geometry=COUNTRIES)
    features = features_by_tooltip(m)
    colours = palette(3)
    assert features["United States"]["style"]["fillColor"] == colours[-1]
    assert features["Germany"]["style"]["fillColor"] == NO_DATA
    assert NO_DATA not in colours
    assert "Data: none" in features["Germany"]["properties"]["tooltip"]
    assert (
        features["Canada"]["style"]["fillColor"] != features["United States"]["style"]["fillColor"]
    )


def test_every_data_string_is_escaped_in_tooltips_and_legends() -> None:
    frame = pl.DataFrame({"country": ["FR", HOSTILE], "conversations": [3, 4]})
    m = maps.choropleth(frame, level="country", geometry=COUNTRIES, metric="conversations")
    tooltip = features_by_tooltip(m)["&lt;img src=x onerror=alert(1)&gt;"]["properties"]["tooltip"]
    assert HOSTILE not in tooltip
    # the unknown key is listed in the legend, escaped
    (legend,) = legend_texts(m)
    assert "&lt;IMG SRC=X ONERROR=ALERT(1)&gt;" in legend
    assert "<img" not in legend.lower()
    page = m.get_root().render()
    assert "<img" not in page.lower()


def test_escaping_of_regions_points_and_metric_names() -> None:
    regions = {"US": HOSTILE, "CA": HOSTILE, "FR": "Europe", "DE": "Europe"}
    frame = pl.DataFrame({"region": [HOSTILE], HOSTILE: [5]})
    m = maps.choropleth(frame, level="region", metric=HOSTILE, regions=regions, geometry=COUNTRIES)
    points = pl.DataFrame(
        {"city": [HOSTILE], "latitude": [1.0], "longitude": [2.0], "conversations": [1]}
    )
    maps.points(points, m=m)
    page = m.get_root().render()
    assert "<img" not in page.lower()
    tooltips = [json.loads(f'"{t}"') for t in re.findall(r'"tooltip": ?"(.*?)"', page)]
    assert not [t for t in tooltips if HOSTILE in t]
    escaped = [t for t in tooltips if "<b>&lt;img src=x onerror=alert(1)&gt;</b>" in t]
    assert len(escaped) == 2  # the region and the city
    assert "&lt;img src=x onerror=alert(1)&gt;: 5" in escaped[0]  # the metric's name


def test_legend_states_units() -> None:
    frame = pl.DataFrame(
        {"state_code": ["WA", "US-CA"], "conversations": [10, 30], "handle_time": [3600.0, 36000.0]}
    )
    states = collection(
        ({"state_code": "US-WA", "state": "Washington"}, square(-124, 45.5, 7)),
        ({"state_code": "US-CA", "state": "California"}, square(-124, 32.5, 9)),
    )
    titles = {
        metric: legend_texts(
            maps.choropleth(frame, level="us_state", metric=metric, geometry=states)
        )[0]
        for metric in ("conversations", "handle_time", "average_handle_time", "share")
    }
    assert "Conversations (count)" in titles["conversations"]
    assert "Handle time (hours)" in titles["handle_time"]
    # durations as h:mm:ss, the tables' style (was "6.0 min" on maps, "0:06:00" in tables)
    assert "Average handle time (h:mm:ss)" in titles["average_handle_time"]  # 360 s and 1200 s
    assert "0:06:00 to " in titles["average_handle_time"]
    assert "Share of conversations (%)" in titles["share"]
    features = features_by_tooltip(
        maps.choropleth(frame, level="us_state", metric="share", geometry=states)
    )
    # "WA" was normalised to US-WA; the share and average are derived
    assert "Share of conversations: 25.0%" in features["Washington"]["properties"]["tooltip"]
    assert "Average handle time: 0:06:00" in features["Washington"]["properties"]["tooltip"]


def test_area_code_overlays_sum_on_one_polygon_and_list_codes() -> None:
    frame = pl.DataFrame({"npa": [212, 646, 332, 206, 999], "conversations": [10, 5, 1, 7, 2]})
    m = maps.choropleth(frame, level="area_code", geometry=AREA_CODES)
    features = features_by_tooltip(m)
    ny = features["Area codes 212, 332, 646, 917 (US-NY)"]["properties"]["tooltip"]
    assert "Conversations: 16" in ny
    assert "212: 10<br>332: 1<br>646: 5<br>917: no data" in ny
    assert features["Area codes 415, 628 (US-CA)"]["style"]["fillColor"] == NO_DATA
    assert features["Area code 206 (US-WA)"]["style"]["fillColor"] != NO_DATA
    (legend,) = legend_texts(m)
    assert "1 place(s) without a shape (999, 2 conversations)" in legend


def test_regions_are_dissolved_from_member_countries() -> None:
    regions = {"US": "North America", "CA": "North America", "FR": "Europe"}
    frame = pl.DataFrame({"region": ["North America", "Europe"], "conversations": [5, 9]})
    m = maps.choropleth(frame, level="region", regions=regions, geometry=COUNTRIES)
    features = features_by_tooltip(m)
    assert sorted(features) == ["Europe", "North America"]  # DE is in no region: not drawn
    north_america = features["North America"]["geometry"]
    assert north_america["type"] == "Polygon"  # the shared border is gone
    assert len(north_america["coordinates"]) == 1


def test_unplaced_rows_are_counted() -> None:
    frame = pl.DataFrame({"country": ["US", None, "ZZ"], "conversations": [1, 2, 3]})
    (legend,) = legend_texts(maps.choropleth(frame, level="country", geometry=COUNTRIES))
    assert "1 row(s) with no place" in legend
    assert "1 place(s) without a shape (ZZ, 3 conversations)" in legend


def test_bad_input_gets_clear_errors() -> None:
    frame = pl.DataFrame({"country": ["US", "us"], "conversations": [1, 2]})
    with pytest.raises(DataError, match="several rows for the same place"):
        maps.choropleth(frame, level="country", geometry=COUNTRIES)
    with pytest.raises(ColumnError, match="place column 'state_code'"):
        maps.choropleth(frame, level="us_state", geometry=COUNTRIES)
    with pytest.raises(ColumnError, match="metric 'handle_time' needs a column"):
        maps.choropleth(frame.head(1), level="country", metric="handle_time", geometry=COUNTRIES)
    with pytest.raises(ColumnError, match="'latitude'"):
        maps.points(pl.DataFrame({"city": ["x"]}))


def test_lazy_frames_are_accepted() -> None:
    frame = pl.LazyFrame({"country": ["US"], "conversations": [1]})
    features = features_by_tooltip(maps.choropleth(frame, level="country", geometry=COUNTRIES))
    assert "Conversations: 1" in features["United States"]["properties"]["tooltip"]


def test_points_merge_repeated_places_and_count_rows_without_coordinates() -> None:
    frame = pl.DataFrame(
        {
            "city": ["Lyon", "Lyon", "Paris", "Nowhere"],
            "latitude": [45.76, 45.76, 48.86, None],
            "longitude": [4.84, 4.84, 2.35, None],
            "conversations": [2, 3, 1, 9],
        }
    )
    m = maps.points(frame, basemap="none")
    features = features_by_tooltip(m)
    assert sorted(features) == ["Lyon", "Paris"]
    assert "Conversations: 5" in features["Lyon"]["properties"]["tooltip"]
    assert features["Lyon"]["style"]["radius"] > features["Paris"]["style"]["radius"]
    (legend,) = legend_texts(m)
    assert "1 row(s) without coordinates" in legend


def test_points_keep_the_largest_places_when_capped() -> None:
    frame = pl.DataFrame(
        {
            "city": [f"c{i}" for i in range(10)],
            "latitude": [float(i) for i in range(10)],
            "longitude": [0.0] * 10,
            "conversations": list(range(10)),
        }
    )
    m = maps.points(frame, max_points=3, basemap="none")
    assert sorted(features_by_tooltip(m)) == ["c7", "c8", "c9"]
    assert "Showing the 3 largest of 10 places (53% of conversations)" in legend_texts(m)[0]


def test_agents_vs_customers_names_the_nearest_agents() -> None:
    customers = pl.DataFrame(
        {
            "city": ["Lyon", "Boston"],
            "latitude": [45.76, 42.36],
            "longitude": [4.84, -71.06],
            "conversations": [3, 1],
        }
    )
    agents = pl.DataFrame(
        {
            "location": ["Paris", "Paris", "New York"],
            "latitude": [48.86, 48.86, 40.71],
            "longitude": [2.35, 2.35, -74.01],
        }
    )
    m = maps.agents_vs_customers(customers, agents, basemap="none")
    page = m.get_root().render()
    assert "Nearest agents: Paris, 392 km" in page
    assert "Nearest agents: New York, 306 km" in page
    assert "Agents: 2" in page  # two agent rows at Paris
    # weighted median: 3 of 4 conversations are 392 km away
    assert "Median distance to nearest agents: 392 km" in legend_texts(m)[0]


def test_layered_map_has_a_layer_per_frame_and_a_layer_control() -> None:
    m = maps.layered_map(
        countries=pl.DataFrame({"country": ["US"], "conversations": [1]}),
        regions=pl.DataFrame({"region": ["North America"], "conversations": [1]}),
        region_members={"US": "North America", "CA": "North America"},
        geometry={"country": COUNTRIES, "region": COUNTRIES},
    )
    names = [g.layer_name for g in geojson_layers(m)]
    assert names == ["Regions", "Countries"]
    assert [g.show for g in geojson_layers(m)] == [True, False]
    assert any(isinstance(c, folium.LayerControl) for c in m._children.values())


def test_to_iframe_escapes_the_document() -> None:
    frame = pl.DataFrame({"country": ["FR"], "conversations": [3]})
    html = maps.to_iframe(maps.choropleth(frame, level="country", geometry=COUNTRIES))
    assert html.startswith('<iframe title="Map" srcdoc="&lt;!DOCTYPE html&gt;')
    assert html.count('"') == 8  # 4 attributes: no quote inside srcdoc ends one early


def test_import_does_not_load_folium() -> None:
    code = (
        "import sys, geoflex.report.maps; print('folium' in sys.modules, 'shapely' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_rings_across_the_antimeridian_are_drawn_continuous() -> None:
    from geoflex.report._geometry import compact

    fiji = [[179.0, -16.0], [-179.5, -16.0], [-179.5, -17.0], [179.0, -17.0], [179.0, -16.0]]
    ring = compact({"type": "Polygon", "coordinates": [fiji]})["coordinates"][0]  # type: ignore[index]
    assert [p[0] for p in ring] == [179.0, 180.5, 180.5, 179.0, 179.0]
    # a ring starting west of the antimeridian is moved east, next to the rest of the world
    ring = compact({"type": "Polygon", "coordinates": [fiji[1:] + fiji[1:2]]})["coordinates"][0]  # type: ignore[index]
    assert min(p[0] for p in ring) == 179.0
    assert max(p[0] for p in ring) == 180.5
    # a ring that would span more than half the world is not a crossing: left as it is
    broken = [[0.0, 0.0], [170.0, 0.0], [-100.0, 0.0], [-100.0, 10.0], [170.0, 10.0], [0.0, 10.0]]
    broken.append(broken[0])
    ring = compact({"type": "Polygon", "coordinates": [broken]})["coordinates"][0]  # type: ignore[index]
    assert ring == broken


def test_empty_inputs_make_maps_that_say_so() -> None:
    empty = pl.DataFrame(schema={"country": pl.String, "conversations": pl.Int64})
    m = maps.choropleth(empty, level="country", geometry=COUNTRIES)
    assert "No data" in legend_texts(m)[0]
    assert {f["style"]["fillColor"] for f in features_by_tooltip(m).values()} == {NO_DATA}
    no_points = pl.DataFrame(
        schema={
            "latitude": pl.Float64,
            "longitude": pl.Float64,
            "city": pl.String,
            "conversations": pl.Int64,
        }
    )
    assert "<html>" in maps.points(no_points, basemap="none").get_root().render()
    m = maps.agents_vs_customers(no_points, no_points.rename({"city": "location"}), basemap="none")
    assert "No agent locations with coordinates" in legend_texts(m)[0]
    m.get_root().render()


def _fitted(m: folium.Map) -> list[list[float]]:
    (fit,) = [c for c in m._children.values() if type(c).__name__ == "FitBounds"]
    return fit.bounds


def test_points_fit_every_place_and_never_zoom_to_one_bubble() -> None:
    one = pl.DataFrame(
        {"place": ["Texas, US"], "latitude": [31.0], "longitude": [-99.0], "episodes": [1]}
    )
    (south, west), (north, east) = _fitted(maps.points(one, label="place", size="episodes"))
    assert north - south >= 14  # its surroundings, not 50 km of it
    assert east - west >= 24
    assert south < 31.0 < north
    assert west < -99.0 < east
    spread = pl.DataFrame(
        {
            "place": ["Texas, US", "Bavaria, DE", "New South Wales, AU"],
            "latitude": [31.0, 48.8, -32.0],
            "longitude": [-99.0, 11.5, 147.0],
            "episodes": [3, 1, 2],
        }
    )
    (south, west), (north, east) = _fitted(maps.points(spread, label="place", size="episodes"))
    assert south <= -32.0
    assert west <= -99.0
    assert north >= 48.8
    assert east >= 147.0


def test_one_legend_section_per_layer_with_units() -> None:
    m = maps.layered_map(
        countries=pl.DataFrame({"country": ["FR"], "conversations": [3]}),
        regions=pl.DataFrame({"region": ["Europe"], "conversations": [3]}),
        places=pl.DataFrame(
            {"city": ["Lyon"], "latitude": [45.76], "longitude": [4.84], "conversations": [3]}
        ),
        region_members={"FR": "Europe", "DE": "Europe"},
        geometry={"country": COUNTRIES, "region": COUNTRIES},
    )
    legends = legend_texts(m)
    assert len(legends) == 3  # sections of one legend panel, shown with their layers
    assert "Regions: Conversations (count)" in legends[0]
    assert "Countries: Conversations (count)" in legends[1]
    assert "bubble area ∝ conversations (count), largest 3" in legends[2]
    # the choropleths are base layers (one colour scale at a time), the bubbles an overlay
    overlays = {layer.layer_name: layer.overlay for layer in geojson_layers(m)}
    assert overlays == {"Regions": False, "Countries": False, "Places": True}


# -- states and provinces of the world -------------------------------------------------------

#: Landlines whose places the resolver puts in a state, in four countries beyond the US.
WORLD_PHONES = {
    "+61 7 3224 5000": "AU-QLD",  # Brisbane
    "+61 8 9222 1234": "AU-WA",  # Perth
    "+61 2 4929 1234": "AU-NSW",  # Newcastle
    "+49 89 233 00": "DE-BY",  # Munich
    "+49 30 1234567": "DE-BE",  # Berlin
    "+55 11 3091 1234": "BR-SP",  # São Paulo
    "+55 21 2332 1234": "BR-RJ",  # Rio de Janeiro
    "+91 11 2301 2345": "IN-DL",  # New Delhi
    "+91 22 2262 1234": "IN-MH",  # Mumbai
}


def world_states() -> pl.DataFrame:
    """Resolved conversations (Queensland busiest) aggregated by state, as reports do."""
    from geoflex import resolve
    from geoflex.aggregate import volume

    phones = [p for i, p in enumerate(WORLD_PHONES) for _ in range(len(WORLD_PHONES) - i)]
    phones.append("+61 412 345 678")  # an Australian mobile: no state
    resolved = resolve(pl.DataFrame({"phone": phones}), "phone")
    assert resolved.filter(pl.col("state_code").is_not_null())[
        "state_code"
    ].unique().sort().to_list() == sorted(WORLD_PHONES.values())
    return volume(resolved, ["state_code"])


def test_states_of_other_countries_are_coloured_from_resolved_numbers() -> None:
    m = maps.choropleth(world_states(), level="state")
    features = features_by_tooltip(m)
    colours = palette(6)
    queensland = features["Queensland, Australia"]
    assert "Conversations: 9" in queensland["properties"]["tooltip"]
    assert queensland["style"]["fillColor"] == colours[-1]
    for title, count in [
        ("Western Australia, Australia", 8),
        ("Bavaria, Germany", 6),
        ("São Paulo, Brazil", 4),
        ("Maharashtra, India", 1),
    ]:
        assert f"Conversations: {count}" in features[title]["properties"]["tooltip"], title
        assert features[title]["style"]["fillColor"] in colours
    # the other states of a country with data are grey, with their name
    assert features["Victoria, Australia"]["style"]["fillColor"] == NO_DATA
    assert "Data: none" in features["Victoria, Australia"]["properties"]["tooltip"]
    # a country without state data is one grey outline saying so
    assert features["France"]["style"]["fillColor"] == NO_DATA
    assert "States and provinces: none known" in features["France"]["properties"]["tooltip"]
    assert "Texas, United States" not in features  # no US data: the US is an outline
    (legend,) = legend_texts(m)
    assert "States and provinces: Conversations (count)" in legend
    assert "1 row(s) with no state or province (1 conversations)" in legend  # the mobile
    # fitted to the states with data: Brazil to Australia
    (south, west), (north, east) = _fitted(m)
    assert south < -30  # Australia
    assert west < -45  # Brazil
    assert north > 50  # Germany
    assert east > 150


def test_states_of_the_countries_asked_for_only() -> None:
    m = maps.choropleth(world_states(), level="state", countries=["de"])
    features = features_by_tooltip(m)
    assert "Bavaria, Germany" in features
    assert "Queensland, Australia" not in features
    assert "States and provinces: none known" in features["Australia"]["properties"]["tooltip"]
    (legend,) = legend_texts(m)
    assert "7 place(s) in countries not shown (AU-NSW, AU-QLD, AU-WA, BR-RJ, BR-SP, …" in legend
    (south, west), (north, east) = _fitted(m)  # Germany
    assert 47 < south < 48
    assert 5 < west < 6.5
    assert 54.5 < north < 55.5
    assert 14.5 < east < 15.5
    with pytest.raises(ValueError, match="no state or province shapes for ZZ"):
        maps.choropleth(world_states(), level="state", countries=["DE", "ZZ"])
    with pytest.raises(ValueError, match='countries= chooses the states of level="state"'):
        maps.choropleth(world_states(), level="country", countries=["DE"])


def test_states_of_every_country_stay_within_the_vertex_budget() -> None:
    from geoflex.reference import load_geojson
    from geoflex.report._map_states import MAX_STATE_VERTICES, _vertices

    codes = [f["properties"]["state_code"] for f in load_geojson("admin1")["features"]]
    frame = pl.DataFrame({"state_code": codes, "conversations": list(range(1, len(codes) + 1))})
    m = maps.choropleth(frame, level="state")
    features = features_by_tooltip(m)
    states = [
        f for f in features.values() if "States and provinces:" not in f["properties"]["tooltip"]
    ]
    assert 0 < sum(_vertices(f["geometry"]["coordinates"]) for f in states) <= MAX_STATE_VERTICES
    left_out = [
        f
        for f in features.values()
        if "not drawn, to keep the page small" in f["properties"]["tooltip"]
    ]
    (legend,) = legend_texts(m)
    match = re.search(r"the states of (\d+) more countries \(.*?, ([\d,]+) conversations\)", legend)
    assert match is not None, legend
    assert int(match.group(1)) >= len(left_out) > 20
    counts = [re.search(r"Conversations: ([\d,]+)", f["properties"]["tooltip"]) for f in states]
    drawn = sum(int(c.group(1).replace(",", "")) for c in counts if c)
    # every conversation is on the map or counted in the legend
    assert drawn + int(match.group(2).replace(",", "")) == frame["conversations"].sum()


def test_state_names_and_keys_from_data_are_escaped() -> None:
    shapes = collection(
        ({"state_code": "AU-QLD", "state": HOSTILE, "country": "AU"}, square(140, -28, 8)),
        ({"state_code": "AU-NSW", "state": "{{ 7*7 }}", "country": "AU"}, square(141, -37, 8)),
    )
    frame = pl.DataFrame(
        {"state_code": ["AU-QLD", "AU-NSW", f"AU-{HOSTILE}", None], "conversations": [5, 2, 3, 2]}
    )
    m = maps.choropleth(frame, level="state", geometry=shapes, countries=["AU"])
    features = features_by_tooltip(m)
    assert (
        "Conversations: 5"
        in features["&lt;img src=x onerror=alert(1)&gt;, Australia"]["properties"]["tooltip"]
    )
    (legend,) = legend_texts(m)
    assert (
        "1 place(s) without a shape (AU-&lt;IMG SRC=X ONERROR=ALERT(1)&gt;, 3 conversations)"
        in legend
    )
    assert "1 row(s) with no state or province (2 conversations)" in legend
    page = m.get_root().render()
    assert "<img" not in page.lower()
    assert "{{ 7*7 }}" not in page
    assert "49, Australia" not in page
    assert "&#123;&#123; 7*7 &#125;&#125;, Australia" in features  # shown as written


def test_us_state_level_is_unchanged() -> None:
    frame = pl.DataFrame({"state_code": ["WA", "US-TX"], "conversations": [3, 1]})
    features = features_by_tooltip(maps.choropleth(frame, level="us_state"))
    assert "Conversations: 3" in features["Washington"]["properties"]["tooltip"]
    assert "Data: none" in features["Ohio"]["properties"]["tooltip"]
    assert "France" not in features  # US states only, no outlines


def test_map_pages_write_compact_coordinates() -> None:
    frame = pl.DataFrame({"country": ["FR"], "conversations": [3]})
    page = maps.choropleth(frame, level="country", geometry=COUNTRIES).get_root().render()
    assert '"coordinates":[[[0.0,43.0],[5.0,43.0]' in page  # no spaces: a tenth of a page
    assert '"coordinates": [' not in page


def test_us_outlying_areas_are_states_of_the_us() -> None:
    # the resolver names Guam's state US-GU (ISO 3166-2:US); Natural Earth draws it as GU
    frame = pl.DataFrame({"state_code": ["US-GU", "US-VI", "US-WA"], "conversations": [3, 4, 5]})
    m = maps.choropleth(frame, level="state")
    features = features_by_tooltip(m)
    assert "Conversations: 3" in features["Guam, United States"]["properties"]["tooltip"]
    assert (
        "Conversations: 4"
        in features["U.S. Virgin Islands, United States"]["properties"]["tooltip"]
    )
    assert "Guam" not in features  # no outline under the state
    assert "Not on the map" not in legend_texts(m)[0]
