"""``geoflex fetch`` against a local server that answers like Twilio's REST APIs."""

from __future__ import annotations

import datetime as dt
import json
import time

import polars as pl
import pytest
from click.testing import CliRunner

import geoflex
from geoflex import DataError
from geoflex.cli import main
from geoflex.collect._fetch import Credentials, fetch
from tests.collect._twilio_api import PASSWORD, USER, WORKSPACE, FakeTwilio

SINCE = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
CREDENTIALS = Credentials(USER, PASSWORD)


def run(server, out, **kwargs):
    return fetch(WORKSPACE, since=SINCE, out=out, credentials=CREDENTIALS,
                 base_url=server.url, page_size=100, backoff_s=0.01, **kwargs)  # fmt: skip


def test_pages_retries_and_flex_data(tmp_path):
    # Request 2 is answered 429 (Retry-After: 1), request 4 drops the connection, 6 is a 503.
    faults = {2: "429", 4: "drop", 6: "500"}
    with FakeTwilio(450, faults=faults) as server:
        started = time.monotonic()
        result = run(server, tmp_path)
        elapsed = time.monotonic() - started
        first = server.requests[0]
    assert (result.pages, result.events, result.retries) == (5, 450, 3)
    assert elapsed >= 1.0  # the 429's Retry-After was honoured (other waits are 10-40 ms)
    assert "StartDate=2026-11-01T00%3A00%3A00Z" in first
    assert "EndDate=" in first
    assert "PageSize=100" in first
    data = geoflex.read_events(str(tmp_path / "events"))
    assert data.problems.height == 0
    assert data.counts["events"] == 450
    assert data.counts["duplicates"] == 0
    assert data.segments.height == 225
    # The Flex Locations and the workers, where `geoflex report DIR` finds them.
    locations = geoflex.read_ui_attributes(tmp_path / "flex" / "ui_attributes.json")
    assert locations["name"].to_list() == ["Seattle", "Dublin"]
    workers = json.loads((tmp_path / "flex" / "workers.json").read_text())["workers"]
    assert [json.loads(w["attributes"])["flex_location"] for w in workers] == ["Seattle", "Dublin"]
    assert (result.locations, result.workers) == (2, 2)
    # No temporary names among the event files.
    assert all(p.name.endswith(".json") for p in (tmp_path / "events").iterdir())


def test_an_interrupted_run_resumes_after_its_last_page(tmp_path):
    # Page 3 fails on every try: the run stops with pages 1-2 written.
    with FakeTwilio(450, faults={3: "500", 4: "500"}) as server:
        with pytest.raises(DataError, match="gave up after 1 retries"):
            run(server, tmp_path, retries=1)
        assert len(list((tmp_path / "events").iterdir())) == 2
        again = run(server, tmp_path)
        assert "PageToken=PT2" in server.requests[4]  # resumed at the third page
    assert again.resumed_at_page == 3
    assert (again.pages, again.events) == (3, 450)
    data = geoflex.read_events(str(tmp_path / "events"))
    assert data.counts["events"] == 450
    assert data.counts["duplicates"] == 0


def test_errors_are_clear(tmp_path):
    with FakeTwilio(10) as server:
        with pytest.raises(DataError, match="HTTP 401: Authenticate"):
            fetch(WORKSPACE, since=SINCE, out=tmp_path, credentials=Credentials(USER, "bad"),
                  base_url=server.url)  # fmt: skip
        with pytest.raises(DataError, match="check the workspace SID"):
            fetch("WS" + "b" * 32, since=SINCE, out=tmp_path, credentials=CREDENTIALS,
                  base_url=server.url)  # fmt: skip
    with pytest.raises(geoflex.GeoflexError, match="workspace SID"):
        fetch("../etc", since=SINCE, out=tmp_path, credentials=CREDENTIALS)
    with pytest.raises(geoflex.GeoflexError, match="TWILIO_ACCOUNT_SID"):
        Credentials.from_env({})
    assert (
        Credentials.from_env({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"}).username
        == "AC1"
    )
    key = {"TWILIO_API_KEY": "SK1", "TWILIO_API_SECRET": "s", "TWILIO_ACCOUNT_SID": "AC1",
           "TWILIO_AUTH_TOKEN": "t"}  # fmt: skip
    assert Credentials.from_env(key).username == "SK1"


def test_a_next_page_on_another_host_is_refused(tmp_path):
    with FakeTwilio(150) as server:
        server.url = "http://127.0.0.2:9"  # the pages now point elsewhere
        base = f"http://127.0.0.1:{server.server.server_address[1]}"
        with pytest.raises(DataError, match="refusing to follow"):
            fetch(WORKSPACE, since=SINCE, out=tmp_path, credentials=CREDENTIALS, base_url=base,
                  page_size=100)  # fmt: skip


def test_the_command_then_report(tmp_path):
    out = tmp_path / "twilio"
    env = {"TWILIO_API_KEY": USER, "TWILIO_API_SECRET": PASSWORD}
    with FakeTwilio(40) as server:
        result = CliRunner().invoke(
            main,
            ["fetch", "--workspace", WORKSPACE, "--since", "2026-11-01", "--out", str(out),
             "--base-url", server.url],
            env=env,
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Wrote 40 events in 1 new pages" in result.output
    assert "2 Flex Locations and 2 workers" in result.output
    assert f"geoflex report {out}" in result.output
    # The second command: the fetched folder -> reports, agents placed at their Flex Locations.
    site = tmp_path / "site"
    report = CliRunner().invoke(main, ["report", str(out), "--out", str(site), "-q"])
    assert report.exit_code == 0, report.output
    pages = " ".join(p.read_text() for p in site.glob("*.html"))
    assert "umatilla" in pages  # Seattle's edge: known only from the fetched ui_attributes
    missing = CliRunner().invoke(
        main, ["fetch", "--workspace", WORKSPACE, "--since", "2026-11-01", "--out", str(out)],
        env={"TWILIO_API_KEY": "", "TWILIO_ACCOUNT_SID": ""},
    )  # fmt: skip
    assert missing.exit_code == 2
    assert "TWILIO_ACCOUNT_SID" in missing.output


def test_workers_fill_and_extend_the_agents_from_events(tmp_path):
    from geoflex.ingest._workers import add_workers

    data = geoflex.read_events("tests/fixtures/rest_page.json")
    workers = tmp_path / "workers.json"
    listed = [
        {"sid": "WK1", "friendly_name": "grace", "attributes": json.dumps(
            {"flex_location": "Elsewhere", "email": "grace@example.com"})},
        {"sid": "WK9", "friendly_name": "idle", "attributes": json.dumps(
            {"full_name": "<b>Idle</b>", "flex_location": "Dublin"})},
        {"sid": "WKbad", "attributes": "{not json"},
        {"friendly_name": "no sid"},
        "not a worker",
    ]  # fmt: skip
    workers.write_text(json.dumps({"workers": listed}))
    merged = add_workers(data, workers)
    agents = {row["worker_sid"]: row for row in merged.agents.iter_rows(named=True)}
    # Events win (Seattle, as in the period); the list fills what they lack (e-mail).
    assert agents["WK1"]["flex_location"] == "Seattle"
    assert agents["WK1"]["email"] == "grace@example.com"
    assert agents["WK9"]["flex_location"] == "Dublin"
    assert agents["WK9"]["segments"] == 0
    assert (
        agents["WK1"]["segments"]
        == data.agents.filter(pl.col("worker_sid") == "WK1")["segments"][0]
    )
    reasons = merged.problems.filter(pl.col("file") == str(workers))["reason"].to_list()
    assert len(reasons) == 3
    assert any("attributes ignored" in r for r in reasons)
    broken = tmp_path / "broken.json"
    broken.write_text('{"workers": 5}')
    with pytest.raises(DataError, match="TaskRouter Workers list"):
        add_workers(data, broken)
