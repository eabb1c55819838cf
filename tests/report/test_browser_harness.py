"""The browser harness itself: it serves the CDN files offline and it catches what it must."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import folium
import pandas as pd
import pytest

from tests.report.browser import UNSERVED_FOLIUM_DEFAULTS, Browser, local_asset

pytestmark = pytest.mark.browser


def _cdn_urls(page: str) -> set[str]:
    return set(re.findall(r'(?:src|href)="(https?://[^"]+)"', page))


def _folium_page() -> str:
    m = folium.Map(tiles=None)
    folium.Marker([0, 0], icon=folium.Icon(icon="info-sign")).add_to(m)
    folium.LayerControl().add_to(m)
    return m.get_root().render()


def _altair_page() -> str:
    frame = pd.DataFrame(
        {"hour": list(range(24)), "conversations": [h * 3 % 17 for h in range(24)]}
    )
    chart = alt.Chart(frame).mark_bar().encode(x="hour:O", y="conversations:Q")
    return chart.to_html()


def test_every_cdn_file_of_folium_and_altair_pages_is_served_locally() -> None:
    urls = _cdn_urls(_folium_page()) | _cdn_urls(_altair_page())
    assert len(urls) >= 12  # folium's 10 defaults and altair's 3 (the schema URL aside)
    missing = [
        u
        for u in sorted(urls)
        if u not in UNSERVED_FOLIUM_DEFAULTS and not u.endswith(".json") and local_asset(u) is None
    ]
    assert missing == [], "run tests/report/install_browser_assets.sh, or update its versions"


def test_local_assets_are_the_right_files() -> None:
    leaflet = local_asset("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
    assert leaflet is not None
    assert leaflet.read_text()[:200].count("Leaflet 1.9.3") == 1
    vega = local_asset("https://cdn.jsdelivr.net/npm/vega@6")
    assert vega is not None
    assert vega.name == "vega.min.js"
    # another version than the one installed is not served in its place
    assert local_asset("https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js") is None
    assert local_asset("https://code.jquery.com/jquery-3.6.0.min.js") is None
    # nor anything outside the package folder
    assert local_asset("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/../jquery/package.json") is None


def test_harness_records_dialogs_errors_and_unexpected_requests(
    tmp_path: Path, chromium: Browser
) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><body>"
        '<img src="https://tile.openstreetmap.org/1/1/1.png">'
        "<script>alert('from data')</script>"
        "<script>throw new Error('boom')</script>"
        "<script>console.error('console says no')</script>"
        "</body></html>"
    )
    with chromium.open(page) as opened:
        opened.page.wait_for_timeout(200)
        problems = opened.problems()
    assert opened.dialogs == ["alert: from data"]
    assert any("boom" in e for e in opened.page_errors)
    assert "console error: console says no" in problems
    assert "unexpected request: https://tile.openstreetmap.org/1/1/1.png" in problems


def test_plain_folium_and_altair_pages_work_offline(tmp_path: Path, open_report) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "folium.html").write_text(_folium_page())
    with open_report(tmp_path / "folium.html") as opened:
        opened.wait_for_map(shapes=False)
        opened.page.locator(".awesome-marker-icon-blue").wait_for()  # Leaflet.awesome-markers ran
        assert opened.problems(allow_blocked=UNSERVED_FOLIUM_DEFAULTS) == []
    (tmp_path / "chart.html").write_text(_altair_page())
    with open_report(tmp_path / "chart.html") as opened:
        opened.page.locator("#vis canvas, #vis svg").first.wait_for()
        assert opened.problems() == []
        assert opened.blocked == []
