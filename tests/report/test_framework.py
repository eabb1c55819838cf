"""The report framework: environment, blocks, Report pages, escaping, vendored Vega."""

from __future__ import annotations

import datetime as dt
import json
import re

import jinja2
import polars as pl
import pytest

from geoflex.report import (
    Bullets,
    Chart,
    Embed,
    Links,
    Metric,
    Metrics,
    Paragraphs,
    Report,
    Section,
    Table,
)
from geoflex.report._base import vega_scripts
from geoflex.report._charts import (
    bar_chart,
    hour_of_week_heatmap,
    staffing_chart,
    timeline_chart,
    timezone_heatmap,
)
from geoflex.report._env import environment, script_json
from tests.report.fake_data import HOSTILE, PHONE, QUOTES, SCRIPT_END, XSS


def test_environment_is_strict_and_autoescapes():
    env = environment()
    assert env is environment()  # one shared Environment
    assert env.autoescape is True
    assert env.undefined is jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("blocks/paragraphs.html.j2").render(block_id="x")


@pytest.mark.parametrize(
    "name",
    [
        "page.html.j2",
        *(
            f"blocks/{b}.html.j2"
            for b in ("metrics", "table", "chart", "embed", "paragraphs", "bullets", "links")
        ),
    ],
)
def test_every_template_loads_from_the_package(name):
    assert environment().get_template(name).filename.endswith(name)


def test_script_json_cannot_close_a_script_element():
    text = script_json({"a": SCRIPT_END, "b": "x & y", "c": "\u2028"})
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert json.loads(text) == {"a": SCRIPT_END, "b": "x & y", "c": "\u2028"}


def hostile_report() -> Report:
    frame = pl.DataFrame(
        {"place": list(HOSTILE), "conversations": [3, 2, 1], "caller": [PHONE, PHONE, PHONE]}
    )
    chart = bar_chart(frame, category="place", value="conversations", title=f"Title {XSS}")
    return Report(
        f"Report {XSS}",
        [
            Section(
                f"Section {QUOTES}",
                [
                    Metrics([Metric(XSS, 12, note=SCRIPT_END)]),
                    Table(frame, caption=f"Caption {XSS}"),
                    Chart(chart, caption=QUOTES),
                    Paragraphs([SCRIPT_END]),
                    Bullets([XSS, f"call {PHONE}"]),
                    Links([("places.html", XSS)]),
                    Embed(f"<html><body><p>{XSS}</p></body></html>", caption=XSS),
                ],
                intro=XSS,
            ),
        ],
        subtitle=QUOTES,
        links=[("index.html", SCRIPT_END)],
    )


def without_vendored_js(page: str) -> str:
    from geoflex.report._vendored import inline_script

    for bundle in (*vega_scripts(), inline_script("tablesort.min.js")):
        assert bundle in page
        page = page.replace(bundle, "")
    return page


def test_hostile_strings_never_appear_unescaped():
    page = without_vendored_js(hostile_report().html())
    for hostile in HOSTILE:
        assert hostile not in page
    assert "<img" not in page
    assert "<svg onload" not in page
    # Besides the 4 vendored bundles the only script elements are the chart spec, the
    # tables' sort/search set-up and the embed call.
    assert page.count("<script") == 3
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_phone_numbers_are_masked_everywhere_by_default():
    page = hostile_report().html()
    assert "4155550123" not in page
    assert "5550123" not in page
    shown = Report(
        "r", [Section("s", [Table(pl.DataFrame({"customer": [PHONE]}), show_phone_numbers=True)])]
    ).html()
    assert PHONE in shown


def test_chart_spec_embedded_as_escaped_json():
    page = hostile_report().html()
    specs = re.findall(
        r'<script type="application/json" id="(b\d+)-spec">(.*?)</script>', page, flags=re.S
    )
    assert len(specs) == 1
    block_id, text = specs[0]
    spec = json.loads(text)
    assert f'<div class="vega" id="{block_id}">' in page
    assert spec["title"] == f"Title {XSS}"  # Vega draws it as text, not markup
    values = spec["data"]["values"] if "data" in spec else next(iter(spec["datasets"].values()))
    assert {v["place"] for v in values} == set(HOSTILE)


def test_vega_is_inlined_only_when_a_chart_needs_it():
    with_chart = hostile_report().html()
    for bundle in vega_scripts():
        assert bundle[:200] in with_chart
    plain = Report("plain", [Section("s", [Paragraphs(["hi"])])]).html()
    assert "vegaEmbed" not in plain
    assert len(plain) < 20_000
    total = sum(len(b) for b in vega_scripts())
    assert 500_000 < total < 1_000_000


def test_repr_html_is_a_str_iframe_with_the_page():
    report = hostile_report()
    html = report._repr_html_()
    assert isinstance(html, str)
    assert html.startswith("<iframe")
    assert "srcdoc=" in html
    assert "<img" not in html  # the page inside is escaped once more as an attribute


def test_save_to_file_and_directory(tmp_path):
    report = Report("r", [Section("s", [Paragraphs(["hi"])])], filename="x.html")
    assert report.save(tmp_path / "a" / "y.html").read_text().startswith("<!DOCTYPE html>")
    assert report.save(tmp_path) == tmp_path / "x.html"


def test_table_formats_and_truncation():
    frame = pl.DataFrame(
        {
            "n": list(range(60)),
            "share": [0.5] * 60,
            "t": [7200.0] * 60,
            "aht": [95.4] * 60,
            "name": [None] * 60,
        }
    )
    html = Table(
        frame, max_rows=10, formats={"share": "percent", "t": "hours", "aht": "seconds"}
    ).render(block_id="t")
    assert "50.0%" in html
    assert "2.0 h" in html
    assert "0:01:35" in html  # durations as h:mm:ss
    assert "Showing the first 10 of 60 rows; the CSV has all 60." in html
    assert html.count("<tr>") == 11  # header + 10 rows
    # The CSV link holds every row, raw numbers, headers as shown.
    import base64
    import re

    href = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', html)
    assert href is not None
    csv = pl.read_csv(base64.b64decode(href.group(1)))
    assert csv.height == 60
    assert csv.columns == ["N", "Share", "T", "Aht", "Name"]
    assert csv["Aht"][0] == 95.4
    # Numbers sort by their raw values.
    assert 'data-sort="95.4"' in html
    assert 'data-sort-method="number"' in html
    assert html.count("<tr>") == Table(frame).render(block_id="a").count("<tr>") - 50
    assert "\u2013" in html  # nulls print as a dash
    empty = Table(frame.head(0)).render(block_id="e")
    assert "No rows." in empty
    folded = Table(frame, collapsed=True, caption="All").render(block_id="f")
    assert folded.startswith("<details><summary>All (60 rows)</summary>")


@pytest.mark.parametrize(
    "chart",
    [
        lambda: hour_of_week_heatmap(
            pl.DataFrame({"hour_of_week": range(168), "v": [1.0] * 168}), value="v", title="t"
        ),
        lambda: hour_of_week_heatmap(
            pl.DataFrame({"hour_of_week": range(168), "v": [-1.0] * 168}),
            value="v",
            title="t",
            diverging=True,
        ),
        lambda: timezone_heatmap(
            pl.DataFrame({"tz": [XSS] * 168, "hour_of_week": range(168), "v": [1.0] * 168}),
            zone="tz",
            value="v",
            title="t",
        ),
        lambda: staffing_chart(
            pl.DataFrame(
                {"hour_of_week": range(168), "required": [2.0] * 168, "scheduled": [1.0] * 168}
            ),
            title="t",
        ),
        lambda: timeline_chart(
            pl.DataFrame(
                {
                    "t": pl.datetime_range(
                        pl.datetime(2026, 1, 1),
                        pl.datetime(2026, 1, 2),
                        "1h",
                        eager=True,
                        time_zone="UTC",
                    ),
                    "v": range(25),
                }
            ),
            time="t",
            value="v",
            title="t",
            marks=pl.DataFrame({"t": [dt.datetime(2026, 1, 1, 5)], "v": [5], "p": [XSS]}),
            mark_label="p",
        ),
    ],
)
def test_charts_produce_valid_vega_lite(chart):
    spec = chart().to_dict()  # Altair validates against the Vega-Lite schema
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    assert script_json(spec)
