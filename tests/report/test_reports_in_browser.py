"""Every report opened in headless Chromium, offline: charts and maps draw, no script from
data runs, hostile strings show as text. Uses the harness in tests/report/browser.py."""

from __future__ import annotations

import pytest

from geoflex.report import build_all
from tests.report.fake_data import SCRIPT_END, XSS, fake_flex_data

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser_reports")
    return {p.name: p for p in build_all(fake_flex_data(), out_dir=out)}


def _injected(frame) -> int:
    """Elements a hostile string would have created had it not been escaped."""
    return frame.evaluate(
        "() => document.querySelectorAll('img[src=x], svg[onload], script:not([type])')"
        ".length - document.querySelectorAll('head script:not([type]), body > script').length"
    )


@pytest.mark.parametrize("name", ["index.html", "places.html", "staffing.html", "spikes.html"])
def test_report_draws_offline_without_problems(reports, open_report, name):
    with open_report(reports[name]) as page:
        page.page.wait_for_load_state("load")
        charts = page.page.locator("div.vega")
        for i in range(charts.count()):  # every chart drew an SVG
            charts.nth(i).locator("svg").first.wait_for(timeout=15_000)
        if page.page.locator("iframe.map").count():
            frame = page.wait_for_map(shapes=True)
            assert _injected(frame) == 0
        assert _injected(page.page.main_frame) == 0
        page.screenshot(f"report_{name.removesuffix('.html')}")
        assert page.problems() == []


def test_hostile_strings_show_as_text(reports, open_report):
    with open_report(reports["index.html"]) as page:
        body = page.page.locator("main").inner_text()
        assert XSS in body  # shown literally, as text
        assert SCRIPT_END in body
        assert page.dialogs == []


def test_chart_labels_from_data_are_text(reports, open_report):
    with open_report(reports["staffing.html"]) as page:
        page.page.locator("div.vega svg").first.wait_for(timeout=15_000)
        labels = page.page.locator("div.vega svg text").count()
        assert labels > 10  # axes and titles drew
        assert page.page.locator("div.vega svg img, div.vega svg foreignObject").count() == 0
        assert page.problems() == []


def test_chart_tooltips_show_hostile_labels_as_text(tmp_path, open_report):
    import polars as pl

    from geoflex.report import Chart, Report, Section
    from geoflex.report._charts import bar_chart

    frame = pl.DataFrame({"region": [XSS, SCRIPT_END], "conversations": [10, 5]})
    chart = bar_chart(frame, category="region", value="conversations", title=XSS)
    path = Report("Tooltips", [Section("Chart", [Chart(chart)])]).save(tmp_path / "t.html")
    with open_report(path) as page:
        svg = page.page.locator("div.vega svg").first
        svg.wait_for(timeout=15_000)
        bar = page.page.locator("div.vega svg path[aria-roledescription='bar']").first
        bar.hover()
        tooltip = page.page.locator("#vg-tooltip-element")
        tooltip.wait_for(state="visible", timeout=5_000)
        assert XSS in tooltip.inner_text()  # literal text...
        assert tooltip.locator("img").count() == 0  # ...not an element
        svg_text = page.page.evaluate(
            "() => [...document.querySelectorAll('div.vega svg text')]"
            ".map((t) => t.textContent).join(' ')"
        )
        assert XSS in svg_text  # axis labels and the title drawn as SVG text
        page.screenshot("report_chart_tooltip")
        assert page.problems() == []
