"""The pages an analyst reads, in headless Chromium on real ingested events: the service
numbers are there, every table's CSV decodes with all its rows, tables sort and filter,
every page links to the glossary, no console error and no network request."""

from __future__ import annotations

import base64
import io
import re

import polars as pl
import pytest

from geoflex.ingest import read_events
from geoflex.report import ReportConfig, build_all
from tests.report.browser import assert_one_clear_legend

pytestmark = pytest.mark.browser

# snake_case words not part of a dotted attribute path or a slashed timezone name
INTERNAL = re.compile(r"(?<![./\w])[a-z][a-z0-9]*_[a-z0-9_]+\b")
PAGES = ("index.html", "places.html", "staffing.html", "spikes.html", "glossary.html")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from geoflex.sample._generator import generate

    out = tmp_path_factory.mktemp("service_reports")
    data = read_events(generate(400, seed=7))
    config = ReportConfig(centre_timezone="America/Chicago")
    return {p.name: p for p in build_all(data, out_dir=out, config=config)}


def _csv(href: str) -> pl.DataFrame:
    prefix = "data:text/csv;charset=utf-8;base64,"
    assert href.startswith(prefix)
    return pl.read_csv(io.BytesIO(base64.b64decode(href[len(prefix) :])), infer_schema=False)


@pytest.mark.parametrize("name", PAGES)
def test_page_is_clean_links_glossary_and_exports_every_row(reports, open_report, name):
    with open_report(reports[name], timeout_ms=120_000) as page:
        page.page.wait_for_load_state("load")
        assert page.page.locator('nav a[href="glossary.html"]').count() == 1
        blocks = page.page.locator("div.table-block")
        for i in range(blocks.count()):
            block = blocks.nth(i)
            link = block.locator("a.csv")
            if not link.count():
                continue
            csv = _csv(link.get_attribute("href"))
            rows = block.locator("tbody tr:not([data-sort-method=none])").count()
            total = int(
                re.sub(r"\D", "", block.locator(".table-count").text_content().split("of")[1])
            )
            assert csv.height == total, (name, i)
            assert rows == total, (name, i)  # every row is on the page too
            headers = [h.text_content() for h in block.locator("thead th").all()]
            assert csv.columns == headers or name == "staffing.html", (name, i)
        charts = page.page.locator("figure.chart")
        for i in range(charts.count()):  # every chart offers its data
            link = charts.nth(i).locator("a.csv")
            data = _csv(link.get_attribute("href"))
            assert data.height == int(re.sub(r"\D", "", link.text_content())), (name, i)
            assert data.height > 0
        page.screenshot(f"service_{name.removesuffix('.html')}")
        maps = page.page.locator("iframe")
        for i in range(maps.count()):  # every map: one legend, clear of the map and controls
            maps.nth(i).scroll_into_view_if_needed()
            frame = maps.nth(i).element_handle().content_frame()
            frame.locator(".geoflex-legend-section").first.wait_for()
            assert_one_clear_legend(frame)
        # No internal name (a column, a status code) in words a person reads: snake_case
        # words other than a Flex attribute path's or a timezone's (after "." or "/").
        visible = page.page.locator("main").inner_text()
        assert INTERNAL.findall(visible) == [], name
        assert "/tmp/" not in visible
        assert page.problems() == []
        assert page.blocked == []


def test_overview_shows_service_numbers_with_denominators(reports, open_report):
    with open_report(reports["index.html"], timeout_ms=120_000) as page:
        metrics = page.page.locator(".metric").all_inner_texts()
        text = "\n".join(metrics)
        assert re.search(
            r"\d+\.\d%\s+Service level \(20 s\)\s+answered within 20 s, of [\d,]+ offered", text
        )
        assert re.search(
            r"\d+:\d\d:\d\d\s+Average speed of answer\s+mean wait of [\d,]+ answered", text
        )
        assert re.search(r"\d+\.\d%\s+Abandonment rate\s+[\d,]+ abandoned of [\d,]+ offered", text)
        assert re.search(r"\d+:\d\d:\d\d\s+Average handle time", text)
        headers = page.page.locator("thead th").all_inner_texts()
        assert "Service level (20 s)" in headers
        assert "Avg speed of answer" in headers
        # No internal column names or machine paths in the visible text.
        body = page.page.locator("main").inner_text()
        for internal in ("average_speed_of_answer", "abandonment_rate", "state_code", "/tmp/"):
            assert internal not in body


def test_tables_sort_and_filter(reports, open_report):
    with open_report(reports["places.html"], timeout_ms=120_000) as page:
        block = page.page.locator("div.table-block").filter(has_text="Countries").first
        table = block.locator("table")
        first = table.locator("tbody tr").first.locator("td").first.inner_text()
        header = table.locator("thead th").filter(has_text=re.compile(r"^Conversations$"))
        header.click()  # ascending by conversations
        ascending = [
            int(t.replace(",", ""))
            for t in table.locator("tbody tr td:nth-child(3)").all_inner_texts()
        ]
        assert ascending == sorted(ascending)
        header.click()
        descending = table.locator("tbody tr td:nth-child(3)").all_inner_texts()
        assert [int(t.replace(",", "")) for t in descending] == sorted(ascending, reverse=True)
        block.locator("input.table-filter").fill(first)
        visible = table.locator("tbody tr:visible")
        assert 1 <= visible.count() < table.locator("tbody tr").count()
        assert first in visible.first.inner_text()
        assert block.locator(".table-count span").inner_text() == str(visible.count())


def test_staffing_exports_the_schedule(reports, open_report):
    with open_report(reports["staffing.html"], timeout_ms=120_000) as page:
        block = page.page.locator("div.table-block").filter(has_text="Agents to schedule per hour")
        schedule = _csv(block.locator("a.csv").get_attribute("href"))
        assert schedule.height == 168
        assert schedule.columns[:5] == [
            "interval_start_utc", "interval_start_local", "timezone", "interval_minutes", "agents",
        ]  # fmt: skip
        assert schedule["interval_start_utc"][0].endswith("T00:00:00Z")
        assert schedule["interval_start_local"][0].endswith("-06:00")  # Chicago in winter
        assert "Erlang A" in page.page.locator("main").inner_text()
