"""Maps opened in headless Chromium: shapes drawn, tooltips escaped, no script from data runs.

Screenshots land in tests/_artifacts/ (maps_*.png) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from geoflex.reference import load_geojson, load_table
from geoflex.report import maps
from geoflex.report._legend import NO_DATA
from tests.report.browser import ORIGIN, assert_one_clear_legend

pytestmark = pytest.mark.browser

# Runs script through an image error handler; also requests http://.../x, which the harness
# blocks and records.
HOSTILE = "<img src=x onerror=alert(1)>"
# A second payload that would leave a trace without a dialog.
HOSTILE_SILENT = '"><svg onload="document.body.dataset.pwned=1">'


def _square(x: float, y: float, size: float) -> dict[str, object]:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _injected(frame) -> int:  # type: ignore[no-untyped-def]
    return int(
        frame.evaluate(
            """() => document.querySelectorAll('img[src="x"], [onerror], [onload]').length
                     + (document.body.dataset.pwned ? 1 : 0)"""
        )
    )


def _tooltip_text(page, frame) -> str:  # type: ignore[no-untyped-def]
    page.page.wait_for_timeout(150)
    texts = frame.locator(".leaflet-tooltip").all_inner_texts()
    assert texts, "no tooltip shown on hover"
    return str(texts[-1])


def test_hostile_names_show_as_text_in_tooltips(tmp_path: Path, open_report) -> None:  # type: ignore[no-untyped-def]
    shapes = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"country": "FR", "country_name": HOSTILE},
                "geometry": _square(0, 40, 8),
            },
            {
                "type": "Feature",
                "properties": {"country": "DE", "country_name": HOSTILE_SILENT},
                "geometry": _square(10, 40, 8),
            },
        ],
    }
    frame = pl.DataFrame({"country": ["FR", "DE"], "conversations": [3, 1]})
    m = maps.choropleth(frame, level="country", geometry=shapes)
    places = pl.DataFrame(
        {"city": [HOSTILE], "latitude": [47.0], "longitude": [9.0], "conversations": [2]}
    )
    maps.points(places, m=m, name="Cities")
    path = tmp_path / "hostile.html"
    m.save(str(path))

    with open_report(path) as page:
        frame_ = page.wait_for_map()
        assert frame_.locator("path.leaflet-interactive").count() == 3
        page.hover_latlng(frame_, 44.0, 4.0)
        assert _tooltip_text(page, frame_).startswith(HOSTILE + "\nConversations: 3")
        page.hover_latlng(frame_, 44.0, 14.0)
        assert _tooltip_text(page, frame_).startswith(HOSTILE_SILENT)
        page.hover_latlng(frame_, 47.0, 9.0)
        assert _tooltip_text(page, frame_).startswith(HOSTILE + "\nConversations: 2")
        page.page.mouse.click(*_client_point(page, frame_, 47.0, 9.0))  # open the popup
        frame_.locator(".leaflet-popup-content").wait_for()
        assert HOSTILE in frame_.locator(".leaflet-popup-content").inner_text()
        page.screenshot("maps_hostile")
        assert _injected(frame_) == 0
        assert page.problems() == []
        assert page.dialogs == []


def test_hostile_state_names_and_keys_show_as_text(tmp_path: Path, open_report) -> None:  # type: ignore[no-untyped-def]
    shapes = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"state_code": "AU-QLD", "state": HOSTILE, "country": "AU"},
                "geometry": _square(140, -28, 8),
            },
            {
                "type": "Feature",
                "properties": {"state_code": "AU-NSW", "state": HOSTILE_SILENT, "country": "AU"},
                "geometry": _square(141, -38, 8),
            },
        ],
    }
    frame = pl.DataFrame(
        {"state_code": ["AU-QLD", "AU-NSW", f"AU-{HOSTILE_SILENT}"], "conversations": [5, 2, 3]}
    )
    path = tmp_path / "hostile_states.html"
    maps.choropleth(frame, level="state", geometry=shapes, countries=["AU"]).save(str(path))

    with open_report(path) as page:
        frame_ = page.wait_for_map()
        page.hover_latlng(frame_, -24.0, 144.0)
        assert _tooltip_text(page, frame_).startswith(f"{HOSTILE}, Australia\nConversations: 5")
        page.hover_latlng(frame_, -34.0, 145.0)
        assert _tooltip_text(page, frame_).startswith(f"{HOSTILE_SILENT}, Australia")
        note = frame_.locator(".geoflex-legend-note").first.inner_text()
        assert f"AU-{HOSTILE_SILENT.upper()}, 3 conversations" in note, note
        page.screenshot("maps_hostile_states")
        assert _injected(frame_) == 0
        assert page.problems() == []
        assert page.dialogs == []


def _fit(page, box: list[list[float]]) -> None:  # type: ignore[no-untyped-def]
    page.page.evaluate(
        """(box) => { const map = window[Object.keys(window).find(
            (k) => k.startsWith("map_") && window[k] instanceof L.Map)];
            map.fitBounds(box); }""",
        box,
    )
    page.page.wait_for_timeout(300)


def _fill_at(frame, lat: float, lon: float) -> str:  # type: ignore[no-untyped-def]
    """The fill colour of the shape drawn at a point (the topmost path there)."""
    return str(
        frame.evaluate(
            """([lat, lon]) => {
                const map = window[Object.keys(window).find(
                    (k) => k.startsWith("map_") && window[k] instanceof L.Map)];
                const p = map.latLngToContainerPoint([lat, lon]);
                const box = map.getContainer().getBoundingClientRect();
                const hit = document.elementFromPoint(box.left + p.x, box.top + p.y);
                return hit ? hit.getAttribute("fill") : null;
            }""",
            [lat, lon],
        )
    )


def _client_point(page, frame, lat: float, lon: float) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    page.hover_latlng(frame, lat, lon)
    return frame.evaluate(
        """([lat, lon]) => {
            const map = window[Object.keys(window).find(
                (k) => k.startsWith("map_") && window[k] instanceof L.Map)];
            const p = map.latLngToContainerPoint([lat, lon]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        [lat, lon],
    )


def _world_states() -> pl.DataFrame:
    """States of four countries from resolved landlines (Bavaria busiest), and one row for
    conversations without a state, as the places report aggregates them."""
    from geoflex import resolve
    from geoflex.aggregate import volume

    phones = {
        "+49 89 233 00": 12,  # Munich, Bavaria
        "+49 30 1234567": 3,  # Berlin
        "+61 7 3224 5000": 7,  # Brisbane, Queensland
        "+55 11 3091 1234": 5,  # São Paulo
        "+91 22 2262 1234": 2,  # Mumbai, Maharashtra
        "+1 206 555 0100": 4,  # Seattle, Washington
        "+61 412 345 678": 6,  # an Australian mobile: no state
    }
    frame = pl.DataFrame({"phone": [p for p, n in phones.items() for _ in range(n)]})
    return volume(resolve(frame, "phone"), ["state_code"])


@pytest.fixture(scope="module")
def world_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full layered map from the shipped shapes: world, regions, states of the world, US
    states, area codes."""
    countries = load_table("countries").select("country").with_row_index("i")
    countries = countries.filter(pl.col("country") != "BR").select(
        "country", conversations=(pl.col("i") * 7 % 113 + 1)
    )
    states = [f["properties"]["state_code"] for f in load_geojson("us_states")["features"]]
    npas = sorted({str(n) for n in load_table("area_codes")["npa"].to_list()})
    m = maps.layered_map(
        countries=countries,
        regions=pl.DataFrame(
            {"region": ["North America", "Europe", "Asia", "Africa"], "conversations": [9, 5, 3, 1]}
        ),
        states=_world_states(),
        us_states=pl.DataFrame(
            {
                "state_code": [s for s in states if s != "US-TX"],
                "conversations": [i % 37 + 1 for i, s in enumerate(states) if s != "US-TX"],
                "handle_time": [(i % 37 + 1) * 420.0 for i, s in enumerate(states) if s != "US-TX"],
            }
        ),
        area_codes=pl.DataFrame(
            {"npa": npas, "conversations": [i % 53 + 1 for i in range(len(npas))]}
        ),
        places=pl.DataFrame(
            {
                "city": ["Seattle", "Paris", HOSTILE],
                "latitude": [47.61, 48.86, -33.87],
                "longitude": [-122.33, 2.35, 151.21],
                "conversations": [40, 12, 5],
            }
        ),
    )
    path = tmp_path_factory.mktemp("maps") / "world.html"
    m.save(str(path))
    return path


def test_full_world_page_is_small(world_page: Path) -> None:
    size = world_page.stat().st_size
    assert size <= 5_000_000, f"{size / 1e6:.1f} MB"


def test_layered_world_map_draws_and_switches_layers(world_page: Path, open_report) -> None:  # type: ignore[no-untyped-def]
    with open_report(world_page) as page:
        frame = page.wait_for_map()
        shown_first = frame.locator("path.leaflet-interactive").count()
        assert shown_first >= 5 + 3  # the regions layer and the bubbles
        page.screenshot("maps_world_regions")
        # switch to the countries (one coloured layer at a time): their legend replaces
        frame.get_by_label("Countries").check()
        frame.locator(".geoflex-legend-title", has_text="Countries").wait_for()
        assert frame.locator(".geoflex-legend-title", has_text="Regions").count() == 0
        assert frame.locator("path.leaflet-interactive").count() >= 200
        page.hover_latlng(frame, -10.0, -52.0)  # Brazil has no data: grey, "Data: none"
        text = frame.locator(".leaflet-tooltip").last.inner_text()
        assert text.startswith("Brazil")
        assert "Data: none" in text
        page.screenshot("maps_world_countries")
        frame.get_by_label("States and provinces").check()
        frame.locator(".geoflex-legend-title", has_text="States and provinces").wait_for()
        note = frame.locator(".geoflex-legend-note").first.inner_text()
        assert "1 row(s) with no state or province (6 conversations)" in note, note
        _fit(page, [[46.5, 5.0], [55.5, 16.0]])  # Germany, at state zoom
        page.hover_latlng(frame, 48.5, 11.5)
        text = frame.locator(".leaflet-tooltip").last.inner_text()
        assert text.startswith("Bavaria, Germany\nConversations: 12"), text
        bavaria = _fill_at(frame, 48.5, 11.5)
        page.hover_latlng(frame, 50.9, 11.0)  # Thuringia: no data, grey
        text = frame.locator(".leaflet-tooltip").last.inner_text()
        assert text.startswith("Thuringia, Germany\nData: none"), text
        page.hover_latlng(frame, 52.0, 19.5)  # Poland, without data: one outline
        text = frame.locator(".leaflet-tooltip").last.inner_text()
        assert text == "Poland\nStates and provinces: none known", text
        page.screenshot("maps_states_germany")
        _fit(page, [[-44.0, 112.0], [-10.0, 154.0]])  # Australia
        page.hover_latlng(frame, -23.0, 145.0)
        text = frame.locator(".leaflet-tooltip").last.inner_text()
        assert text.startswith("Queensland, Australia\nConversations: 7"), text
        assert _fill_at(frame, -23.0, 145.0) not in (bavaria, NO_DATA)
        page.hover_latlng(frame, -25.0, 122.0)
        assert (
            frame.locator(".leaflet-tooltip")
            .last.inner_text()
            .startswith("Western Australia, Australia\nData: none")
        )
        page.screenshot("maps_states_australia")
        frame.get_by_label("US states").check()
        page.page.evaluate(
            """() => { const map = window[Object.keys(window).find(
                (k) => k.startsWith("map_") && window[k] instanceof L.Map)];
                map.fitBounds([[24, -125], [50, -66]]); }"""
        )
        page.page.wait_for_timeout(300)
        page.hover_latlng(frame, 39.0, -98.0)
        assert frame.locator(".leaflet-tooltip").last.inner_text().startswith("Kansas")
        page.screenshot("maps_us_states")
        frame.get_by_label("Area codes").check()
        page.page.evaluate(
            """() => { const map = window[Object.keys(window).find(
                (k) => k.startsWith("map_") && window[k] instanceof L.Map)];
                map.fitBounds([[40.4, -74.6], [41.0, -73.5]]); }"""
        )
        page.page.wait_for_timeout(300)
        page.hover_latlng(frame, 40.78, -73.97)  # Manhattan: the 212 overlay group
        text = frame.locator(".leaflet-tooltip").last.inner_text()
        assert text.startswith("Area codes 212, 332, 646 (US-NY)"), text
        assert "Conversations by code" in text
        assert "Also served by overlay 917 (spans several areas)" in text
        page.screenshot("maps_area_codes_nyc")
        assert _injected(frame) == 0
        assert page.problems() == []
        assert page.served[0] == f"{ORIGIN}/world.html"


@pytest.mark.parametrize(
    ("layer", "title"),
    [
        ("Regions", "Regions: Conversations (count)"),
        ("Countries", "Countries: Conversations (count)"),
        ("States and provinces", "States and provinces: Conversations (count)"),
        ("US states", "US states: Conversations (count)"),
        ("Area codes", "Area codes: Conversations (count)"),
    ],
)
def test_one_legend_below_the_map_for_every_layer(  # type: ignore[no-untyped-def]
    world_page: Path, open_report, layer: str, title: str
) -> None:
    with open_report(world_page) as page:
        frame = page.wait_for_map()
        frame.get_by_label(layer).check()
        frame.locator(".geoflex-legend-title", has_text=title).wait_for()
        page.page.wait_for_timeout(100)
        layout = assert_one_clear_legend(frame)
        # one colour scale (the layer shown) and the bubbles' key, each with its unit
        assert len(layout["sections"]) == 2, layout["sections"]
        assert layout["sections"][0].startswith(title)
        assert "bubble area ∝ conversations (count), largest 40" in layout["sections"][1]
        # the layer control is clickable: its checkbox is the topmost element at its centre
        places = frame.get_by_label("Places")
        assert places.evaluate(
            """(e) => { const r = e.getBoundingClientRect();
                return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
                    === e; }"""
        )
        places.uncheck()  # the bubbles' section leaves the legend with them
        page.page.wait_for_timeout(100)
        layout = assert_one_clear_legend(frame)
        assert len(layout["sections"]) == 1
        page.screenshot(f"maps_legend_{layer.replace(' ', '_').lower()}")
        assert page.problems() == []


@pytest.mark.parametrize(
    "places",
    [
        {"place": ["Texas, US"], "latitude": [31.0], "longitude": [-99.0], "episodes": [1]},
        {
            "place": ["Texas, US", "Bavaria, DE", "New South Wales, AU"],
            "latitude": [31.0, 48.8, -32.0],
            "longitude": [-99.0, 11.5, 147.0],
            "episodes": [3, 1, 2],
        },
    ],
)
def test_spike_map_shows_every_episode_in_context(tmp_path: Path, open_report, places) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "spikes.html"
    maps.points(pl.DataFrame(places), label="place", size="episodes", name="Spike episodes").save(
        str(path)
    )
    with open_report(path) as page:
        frame = page.wait_for_map()
        view = frame.evaluate(
            """() => { const map = window[Object.keys(window).find(
                (k) => k.startsWith("map_") && window[k] instanceof L.Map)];
                const b = map.getBounds();
                return {zoom: map.getZoom(), height: b.getNorth() - b.getSouth(),
                        shown: [...document.querySelectorAll("path.leaflet-interactive")].length};
            }"""
        )
        inside = [
            frame.evaluate(
                """([lat, lon]) => { const map = window[Object.keys(window).find(
                    (k) => k.startsWith("map_") && window[k] instanceof L.Map)];
                    return map.getBounds().contains([lat, lon]); }""",
                [lat, lon],
            )
            for lat, lon in zip(places["latitude"], places["longitude"], strict=True)
        ]
        assert all(inside)  # the map fits every episode
        assert view["height"] >= 14  # one bubble is shown with its surroundings
        assert view["zoom"] <= 6
        assert view["shown"] == len(places["place"])
        assert_one_clear_legend(frame)
        assert "bubble area ∝ episodes" in frame.locator(".geoflex-legend").inner_text()
        page.screenshot(f"maps_spikes_{len(places['place'])}")
        assert page.problems() == []


def test_agents_vs_customers_draws_both_layers(tmp_path: Path, open_report) -> None:  # type: ignore[no-untyped-def]
    customers = pl.DataFrame(
        {
            "city": ["Dallas", "Boston", "Miami", "Denver"],
            "latitude": [32.78, 42.36, 25.76, 39.74],
            "longitude": [-96.8, -71.06, -80.19, -104.99],
            "conversations": [120, 40, 60, 10],
        }
    )
    agents = pl.DataFrame(
        {
            "location": ["Seattle"] * 3 + ["Atlanta"],
            "latitude": [47.61] * 3 + [33.75],
            "longitude": [-122.33] * 3 + [-84.39],
        }
    )
    path = tmp_path / "agents.html"
    maps.agents_vs_customers(customers, agents, basemap="us_states").save(str(path))
    with open_report(path) as page:
        frame = page.wait_for_map()
        # 4 customer bubbles + 2 agent bubbles + 4 distance lines
        assert frame.locator("path.leaflet-interactive").count() == 10
        page.hover_latlng(frame, 32.78, -96.8)
        text = _tooltip_text(page, frame)
        assert text.startswith("Dallas")
        assert "Nearest agents: Atlanta, 1,158 km" in text
        page.screenshot("maps_agents_vs_customers")
        assert page.problems() == []
