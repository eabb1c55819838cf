"""A real ``geoflex report`` run on events, config and file names full of hostile strings.

Every payload of `tests.hostile._payloads` is put into every place data enters a report:
worker attributes (location, flex_location, full_name, team), customer attributes used as
city/region overrides, queue, channel, the config's title, ``[regions]`` and
``agent_coordinates``, the Flex Location names of ``ui_attributes`` and the input file's
name. The pages must show each payload as text where that field is shown, evaluate none,
and run no script from data in Chromium.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import geoflex.sample
from geoflex.cli import main
from tests.hostile._pages import shown_text
from tests.hostile._payloads import EVALUATED, payloads
from tests.hostile.test_templates import injected

PAGES = ("index.html", "places.html", "staffing.html", "spikes.html")
# Countries of the sample's customers, all in one custom region with a hostile name.
COUNTRIES = ("US", "CA", "GB", "DE", "FR", "IE", "ES", "IT", "NL", "MX", "BR", "IN", "AU", "JP")
# Region names are at most 100 characters: one name with the template and markup payloads.
REGION = "custom:{{7*7}}{% for x in range(3) %}gfLOOP{% endfor %}{#<img src=x onerror=alert(1)>"
# The input file's name holds template and markup syntax (no "/" in a file name).
FILE_NAME = "{{7*7}}{% for x in range(3) %}gfLOOP{% endfor %}{#<img src=x onerror=alert(1)>.ndjson"


def _hostile_events(path: Path, values: list[str]) -> None:
    """The sample generator's events with hostile values in every attribute a page reads."""
    lines = geoflex.sample.generate(120, seed=7, dirt=False)["line"].to_list()
    tasks: dict[str, int] = {}
    workers: dict[str, int] = {}
    out = []
    for n, line in enumerate(lines):
        event = json.loads(line)
        payload = event["data"]["payload"]
        task = tasks.setdefault(payload["task_sid"], len(tasks))  # a task's events agree
        value = values[task % len(values)]
        payload["task_queue_name"] = f"queue:{value}"
        payload["task_channel_unique_name"] = f"channel:{value}"
        if "worker_attributes" in payload:
            worker = workers.setdefault(payload["worker_sid"], len(workers))
            attributes = json.loads(payload["worker_attributes"])
            mine = values[worker % len(values)]
            attributes.update(
                location=f"location:{mine}",
                flex_location=f"flex:{mine}",
                full_name=f"name:{mine}",
                team_name=f"team:{mine}",
            )
            payload["worker_attributes"] = json.dumps(attributes)
        if "task_attributes" in payload:
            attributes = json.loads(payload["task_attributes"])
            attributes["conversations"]["communication_channel"] = f"channel:{value}"
            if (task // len(values)) % 2 == 0:  # the others are named by [regions]
                attributes["customers"].update(city=f"city:{value}", region=f"region:{value}")
            payload["task_attributes"] = json.dumps(attributes)
        out.append(json.dumps(event))
        if n == 3:
            out.append("not an event: " + values[0])  # an input problem names the file
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _config(path: Path, values: list[str], ui_attributes: Path) -> None:
    regions = "\n".join(f"{code} = {_toml(REGION)}" for code in COUNTRIES)
    coordinates = "\n".join(
        f"{_toml(f'flex:{value}')} = [{-50 + 2 * i}, {-30 + 2 * i}]"
        for i, value in enumerate(values)
    )
    path.write_text(
        f"title = {_toml('title:' + values[0])}\n"
        f"ui_attributes = {_toml(str(ui_attributes))}\n"
        'regions_fallback = "continents"\n'
        '[overrides]\ncity = "customers_city"\nregion = "customers_region"\n'
        f"[regions]\n{regions}\n"
        f"[agent_coordinates]\n{coordinates}\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile_build")
    marker = tmp_path_factory.mktemp("marker") / "pwned"  # outside root: see the path test
    values = payloads(marker)
    events = root / FILE_NAME
    _hostile_events(events, values)
    ui = root / "ui_attributes.json"
    ui.write_text(
        json.dumps({"locations": [{"name": f"flex:{v}", "edge": ["ashburn"]} for v in values]}),
        encoding="utf-8",
    )
    config = root / "geoflex.toml"
    _config(config, values, ui)
    out = root / "reports"
    result = CliRunner().invoke(
        main, ["report", str(events), "--config", str(config), "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert result.exception is None
    pages = {name: (out / name).read_text(encoding="utf-8") for name in PAGES}
    return {"pages": pages, "values": values, "marker": marker, "out": out, "root": root}


def test_nothing_evaluates(hostile_build):
    assert not hostile_build["marker"].exists(), "a payload ran a shell command"
    for name, html in hostile_build["pages"].items():
        text = shown_text(html)
        for mark in EVALUATED:
            assert mark not in html, f"{name}: {mark}"
            assert mark not in text, f"{name}: {mark}"
        assert injected(html) == [], name


@pytest.mark.parametrize(
    ("field", "page"),
    [
        ("title", "index.html"),
        ("title", "spikes.html"),
        ("queue", "index.html"),
        ("channel", "index.html"),
        ("city", "places.html"),  # customer city override: tables and map bubbles
        ("city", "staffing.html"),  # ... and the agents-vs-customers map
        ("region", "places.html"),  # customer region override
        ("flex", "staffing.html"),  # worker flex_location, agent_coordinates, ui_attributes
    ],
)
def test_every_payload_shows_as_text(hostile_build, field, page):
    text = shown_text(hostile_build["pages"][page])
    values = hostile_build["values"][:1] if field == "title" else hostile_build["values"]
    if field == "channel":  # channel names are lower-cased on the way in
        text, values = text.lower(), [v.lower() for v in values]
    missing = [v for v in values if f"{field}:{v}" not in text]
    assert missing == [], f"{field} not shown as text on {page}: {missing}"


def test_custom_region_names_show_as_text(hostile_build):
    text = shown_text(hostile_build["pages"]["places.html"])
    assert REGION in text


def test_the_input_file_name_shows_as_text(hostile_build):
    text = shown_text(hostile_build["pages"]["index.html"])
    assert FILE_NAME in text
    # It was given as an absolute path: pages name it by its base name only.
    for html in hostile_build["pages"].values():
        assert str(hostile_build["root"]) not in html


@pytest.mark.browser
def test_hostile_pages_in_chromium(hostile_build, open_report):
    """No dialog fires (open_report fails the test on one), payloads read as text."""
    out = hostile_build["out"]
    values = hostile_build["values"]
    with open_report(out / "index.html") as page:
        body = page.page.locator("main").inner_text()
        for value in values:
            assert f"queue:{value}".replace("\u2028", "\n") in body.replace("\u2028", "\n")
        assert page.problems() == []
    with open_report(out / "staffing.html") as page:
        frame = page.wait_for_map(shapes=True)
        frame.frame_element().scroll_into_view_if_needed()
        # The first worker's Flex Location sits alone at (-50, -30) (see _config).
        i = 0
        page.hover_latlng(frame, -50, -30)
        tooltip = frame.locator(".leaflet-tooltip")
        tooltip.first.wait_for(state="visible", timeout=5_000)
        assert f"flex:{values[i]}" in tooltip.first.inner_text()
        assert tooltip.locator("img, svg, script").count() == 0
        page.screenshot("hostile_staffing")
        assert page.problems() == []
