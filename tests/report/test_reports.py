"""build_all and the four report pages: content, escaping, phone masking, sizes."""

from __future__ import annotations

import re

import polars as pl
import pytest

from geoflex._errors import ConfigError, DataError
from geoflex.report import REPORT_FILES, ReportConfig, build_all, load_config
from geoflex.report._base import vega_scripts
from tests.report.fake_data import HOSTILE, fake_flex_data

MAX_BYTES = 5 * 1024 * 1024


def page_text(path) -> str:
    """The page without the vendored Vega bundles (they contain markup-building code)."""
    text = path.read_text(encoding="utf-8")
    for bundle in vega_scripts():
        text = text.replace(bundle, "")
    return text


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return build_all(fake_flex_data(), out_dir=out)


def test_build_all_writes_every_report(built):
    assert [p.name for p in built] == [
        "index.html", "places.html", "staffing.html", "spikes.html", "glossary.html",
    ]  # fmt: skip
    assert {p.name for p in built} == {name for name, _ in REPORT_FILES}
    for path in built:
        assert path.stat().st_size <= MAX_BYTES
        text = path.read_text()
        assert text.startswith("<!DOCTYPE html>")
        for name, _ in REPORT_FILES:  # every page links to every other
            assert f'href="{name}"' in text


@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_hostile_string_reaches_any_page_unescaped(built, hostile):
    for path in built:
        text = page_text(path)
        assert hostile not in text, path.name
        assert "<img src=x" not in text, path.name
        assert "<svg onload" not in text, path.name


def test_script_elements_are_only_ours(built):
    for path in built:
        text = page_text(path)
        scripts = re.findall(r"<script[^>]*>", text)
        allowed = {"<script>", '<script type="application/json" id="'}
        assert all(
            s == "<script>" or s.startswith('<script type="application/json"') for s in scripts
        ), (path.name, scripts, allowed)


def test_no_raw_phone_numbers(built):
    for path in built:
        text = path.read_text()
        for digits in ("4155550123", "2125550188", "2079460000", "142685300", "312345678"):
            assert digits not in text, (path.name, digits)


def test_overview_content(built):
    text = page_text(built[0])
    assert "At a glance" in text
    assert "600" in text  # conversations
    assert "Data quality" in text
    assert "bad JSON &lt;img src=x onerror=alert(1)&gt;" in text  # problems, escaped
    assert "Geolocation status" in text
    assert "Queues and channels" in text
    assert "<td>&lt;img src=x onerror=alert(1)&gt;</td>" in text  # a hostile queue name


def test_staffing_content(built):
    text = page_text(built[2])
    assert "Recommendations" in text
    assert re.search(r"Add \d+ agents? in ", text)
    assert "Agents near customers" in text
    assert "Manila" in text


def test_spikes_and_places_content(built):
    assert "Conversations over time" in page_text(built[3])
    places = page_text(built[1])
    assert "<iframe" in places
    assert "Countries" in places


def test_build_all_needs_conversations(tmp_path):
    with pytest.raises(DataError, match="conversations"):
        build_all(object(), out_dir=tmp_path)


def test_build_all_from_real_ingest(tmp_path):
    from geoflex.ingest import read_events
    from geoflex.sample._generator import generate

    data = read_events(generate(400, seed=7))
    paths = build_all(
        data, out_dir=tmp_path, config=ReportConfig(centre_timezone="America/Chicago")
    )
    assert len(paths) == 5
    overview = page_text(paths[0])
    assert "400" in overview
    for path in paths:
        assert path.stat().st_size <= MAX_BYTES


# -- configuration ---------------------------------------------------------------------


def test_load_toml(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text(
        'title = "Acme"\nservice_level = 0.9\ntarget_answer_s = 30\n'
        'regions_fallback = "continents"\n'
        '[shifts.locations.Manila]\nstart = "22:00"\nend = "06:00"\ntimezone = "Asia/Manila"\n'
        '[regions]\nMX = "LATAM North"\n'
    )
    cfg = load_config(toml)
    assert cfg.title == "Acme"
    assert cfg.service_level == 0.9
    assert cfg.shifts.shift_for("Manila", None).timezone == "Asia/Manila"
    assert cfg.regions == {"MX": "LATAM North"}


@pytest.mark.parametrize(
    ("text", "suffix", "message"),
    [
        ("service_level = 2\n", ".toml", "service_level"),
        ("colour = 'red'\n", ".toml", "unknown setting"),
        ("[shifts.default]\nstart = 'nine'\n", ".toml", "shifts.default.start"),
        ("centre_timezone = 'Mars/Base'\n", ".toml", "unknown IANA timezone"),
        ("title = [\n", ".toml", "invalid TOML"),
        ("shrinkage: 0.25\n", ".yaml", "YAML is no longer read"),
        ("x", ".ini", "end in .toml"),
        ("show_phone_numbers = 'yes'\n", ".toml", "true or false"),
        ("interval_s = 7\n", ".toml", "interval_s"),
    ],
)
def test_bad_config_files(tmp_path, text, suffix, message):
    path = tmp_path / f"c{suffix}"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_place_tables_keep_every_conversation(built):
    from geoflex.report._compute import locate, place_frames

    data = fake_flex_data()
    frames = place_frames(locate(data.conversations, ReportConfig()))
    assert frames["countries"]["conversations"].sum() == data.conversations.height
    assert frames["regions"]["conversations"].sum() == data.conversations.height
    assert frames["regions"]["share"].sum() == pytest.approx(1.0)
    # every country's states, one row for the conversations without a state
    states = frames["states"]
    assert states["conversations"].sum() == data.conversations.height
    assert states["state_code"].is_duplicated().sum() == 0
    without = states.filter(pl.col("state_code").is_null())["conversations"].sum()
    assert without == data.conversations.filter(pl.col("state_code").is_null()).height


def test_places_page_maps_and_lists_the_states_of_every_country(tmp_path):
    import datetime as dt
    from types import SimpleNamespace

    phones = ["+49 89 233 00", "+49 89 233 01", "+61 7 3224 5000", "+55 11 3091 1234"]
    phones += ["+1 206 555 0100", "+61 412 345 678"]  # Seattle; an Australian mobile, no state
    conversations = pl.DataFrame(
        {
            "phone": phones,
            "started_at": [dt.datetime(2026, 11, 2, 9 + i) for i in range(len(phones))],
            "handle_time": [300.0] * len(phones),
        }
    )
    paths = build_all(SimpleNamespace(conversations=conversations), out_dir=tmp_path)
    places = page_text(next(p for p in paths if p.name == "places.html"))
    for state in (
        "Bavaria, Germany",
        "Queensland, Australia",
        "Paulo, Brazil",
    ):  # São, as JSON writes it: S\\u00e3o
        assert state in places, state
    assert "Washington, United States" in places
    assert "1 row(s) with no state or province (1 conversations)" in places
    assert '<p class="table-caption">States and provinces</p>' in places
    assert "US states" not in places
    # the table: every country's states, named, busiest first, without the unknown state
    table = places[places.index("States and provinces</p>") :]
    table = table[: table.index("</table>")]
    assert re.findall(r"<td>DE-BY</td><td>Bavaria</td><td>Germany</td><td[^>]*>2<", table)
    assert table.count("<tr>") == 1 + 4
