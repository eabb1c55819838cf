"""No data string is ever compiled as a template: maps, pages, charts, Jupyter display.

Every payload of `tests.hostile._payloads` goes into every string a map or page takes from
data; each rendering path (``render()``, ``to_iframe``, ``_repr_html_``, ``Report.html``)
must neither evaluate it (no mark, no file, no exception) nor let it become markup, and
must show it, as text, where the data is shown.
"""

from __future__ import annotations

from pathlib import Path

import jinja2.sandbox
import polars as pl
import pytest
from branca.element import Element

from geoflex.report import (
    Bullets,
    Chart,
    Embed,
    Metric,
    Metrics,
    Paragraphs,
    Report,
    Section,
    Table,
    maps,
)
from geoflex.report._charts import bar_chart
from geoflex.report._env import environment
from geoflex.report._map_render import render_map
from tests.hostile._pages import elements, shown_text
from tests.hostile._payloads import EVALUATED, payloads, touch_payload
from tests.report.test_maps import COUNTRIES

MARKER_NAME = "pwned"


@pytest.fixture(params=range(len(payloads(Path("x")))), ids=lambda i: f"payload{i}")
def payload(request, tmp_path):
    """One hostile string; the test fails afterwards if its shell command ran."""
    marker = tmp_path / MARKER_NAME
    yield payloads(marker)[request.param]
    assert not marker.exists(), "a template payload ran a shell command"


def injected(html: str) -> list[str]:
    """Elements only a hostile string could have made: event handlers, images."""
    found = []
    for tag, attrs in elements(html):
        handlers = [a for a in attrs if a.lower().startswith("on")]
        if handlers or tag == "img":
            found.append(f"<{tag} {attrs}>")
    return found


def assert_inert(html: str, *shown: str) -> None:
    """Nothing evaluated or became markup, and each of ``shown`` is visible as text."""
    text = shown_text(html)
    for mark in EVALUATED:
        assert mark not in html, f"template evaluated: {mark}"
        assert mark not in text, f"template evaluated: {mark}"
    assert injected(html) == []
    for value in shown:
        assert value in text, f"{value!r} is not shown as text"


def _renderings(m) -> list[str]:
    """Every way a map becomes HTML: its document, an iframe for a page, Jupyter's view."""
    return [render_map(m), m.get_root().render(), maps.to_iframe(m), m._repr_html_()]


# -- maps ------------------------------------------------------------------------------


def test_choropleth_region_names_and_layer_name(payload):
    frame = pl.DataFrame({"region": [payload, "Rest"], "conversations": [5, 3]})
    m = maps.choropleth(
        frame,
        level="region",
        regions={"FR": payload, "DE": payload, "US": "Rest"},
        geometry=COUNTRIES,
        name=payload,
    )
    for html in _renderings(m):
        assert_inert(html, payload, f"{payload}: Conversations (count)")


def test_points_labels_and_layer_name(payload):
    frame = pl.DataFrame(
        {"city": [payload, "Lyon"], "latitude": [45.7, 45.8], "longitude": [4.8, 4.9], "n": [3, 1]}
    )
    m = maps.points(frame, size="n", unit=payload, name=payload, basemap="none")
    for html in _renderings(m):
        assert_inert(html, payload)


def test_agents_vs_customers_labels(payload):
    customers = pl.DataFrame(
        {"city": [payload], "latitude": [45.76], "longitude": [4.84], "conversations": [3]}
    )
    agents = pl.DataFrame({"location": [payload], "latitude": [48.86], "longitude": [2.35]})
    m = maps.agents_vs_customers(customers, agents, basemap="none")
    for html in _renderings(m):
        assert_inert(html, payload, f"{payload} → {payload}")


def test_layered_map_with_every_layer(payload):
    countries = pl.DataFrame({"country": ["FR", "DE"], "conversations": [4, 2]})
    regions = pl.DataFrame({"region": [payload], "conversations": [6]})
    places = pl.DataFrame(
        {
            "city": [payload],
            "state_code": [payload],
            "latitude": [45.7],
            "longitude": [4.8],
            "conversations": [2],
        }
    )
    m = maps.layered_map(
        countries=countries,
        regions=regions,
        places=places,
        region_members={"FR": payload, "DE": payload},
        geometry={"country": COUNTRIES, "region": COUNTRIES},
    )
    for html in _renderings(m):
        assert_inert(html, payload, f"{payload}, {payload}")


def test_a_callers_own_map_is_made_safe_too(payload):
    """Drawing onto a folium map made elsewhere (``m=``) isolates it as well."""
    import folium

    own = folium.Map(tiles=None)
    frame = pl.DataFrame({"city": [payload], "latitude": [1.0], "longitude": [2.0]})
    maps.points(frame, size=None, m=own)
    for html in _renderings(own):
        assert_inert(html, payload)


def test_finished_text_in_a_map_is_never_rendered_as_a_template(tmp_path):
    """The deeper defence alone: text that reached branca with template syntax in it."""
    import folium

    marker = tmp_path / MARKER_NAME
    m = maps.points(
        pl.DataFrame({"city": ["x"], "latitude": [1.0], "longitude": [2.0]}),
        size=None,
        basemap="none",
    )
    raw = f"{{{{ 'gf' ~ 'EVAL' ~ 'ED' }}}} {touch_payload(marker)}"
    m.get_root().html.add_child(Element(f"<p>{raw}</p>"))
    folium.Marker([1, 2]).add_to(m)  # a folium element rendered through its own template
    for html in _renderings(m):
        assert_inert(html, raw)
    assert not marker.exists()


# -- pages -----------------------------------------------------------------------------


def test_report_page_blocks(payload):
    frame = pl.DataFrame({"name": [payload], "value": [1]})
    chart = bar_chart(frame, category="name", value="value", title=payload)
    m = maps.points(
        pl.DataFrame({"city": [payload], "latitude": [1.0], "longitude": [2.0]}),
        size=None,
        basemap="none",
    )
    report = Report(
        payload,
        [
            Section(
                payload,
                [
                    Table(frame, caption=payload),
                    Paragraphs([payload]),
                    Bullets([payload], caption=payload),
                    Metrics([Metric(payload, 1, note=payload)]),
                    Chart(chart, caption=payload),
                    Embed(render_map(m), caption=payload),
                ],
                intro=payload,
            )
        ],
        subtitle=payload,
        links=[("index.html", payload)],
    )
    page = report.html()
    assert_inert(page, payload)
    # Jupyter shows the same page inside an iframe.
    assert_inert(report._repr_html_(), payload)


def test_report_environment_is_sandboxed_and_autoescapes():
    env = environment()
    assert isinstance(env, jinja2.sandbox.ImmutableSandboxedEnvironment)
    assert env.autoescape is True
    # Even a template written with an unsafe attribute cannot reach Python internals.
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.from_string("{{ x.__class__.__mro__ }}").render(x="")
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.from_string("{{ items.append(1) }}").render(items=[])
