"""``geoflex report --engine spark``: the events read and the reports' frames computed on
Spark, the same pages written, and no row-level table collected to the driver."""

from __future__ import annotations

from click.testing import CliRunner

from geoflex.cli import main
from geoflex.sample._generator import write


def test_report_on_spark_writes_every_page_from_collected_aggregates_only(
    spark, tmp_path, monkeypatch
) -> None:
    # Every DataFrame brought to the driver is recorded (then really collected): the
    # methods of the session's own DataFrame class (pyspark 4's classic one).
    collected: list[list[str]] = []
    frames = type(spark.range(1))
    for method in ("toArrow", "collect", "toPandas", "toLocalIterator", "take", "tail"):
        real = getattr(frames, method)

        def spy(self, *args, _real=real, **kwargs):
            collected.append(self.columns)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(frames, method, spy)
    # The session fixture's Spark is the one the command gets (getOrCreate).
    events = tmp_path / "events.ndjson.gz"
    write(events, 300, seed=5)
    out = tmp_path / "site"
    args = ["report", str(events), "--engine", "spark", "--out", str(out), "--quiet"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "glossary.html",
        "index.html",
        "places.html",
        "spikes.html",
        "staffing.html",
    ]
    # Brought here: counts, the problems (capped), the agents (one row per worker), the
    # read's bookkeeping rows, and the aggregations' results (one payload per request and
    # partition, or one partial row per piece of rows). Never the events, segments,
    # conversations or customers (no event_sid, segment_id, conversation_id or phone).
    assert collected, "the spy saw nothing"
    row_level = {"event_sid", "segment_id", "conversation_id", "phone", "customers_phone"}
    assert not [c for c in collected if row_level & set(c)], collected
    assert any("__payload" in c for c in collected)  # the aggregates
    assert any("worker_sid" in c for c in collected)  # the agents
    missing = CliRunner().invoke(
        main, ["report", str(tmp_path / "nope.ndjson"), "--engine", "spark"]
    )
    assert missing.exit_code == 2
    assert "nope.ndjson" in missing.output


def test_report_on_spark_refuses_input_without_events(spark, tmp_path) -> None:
    junk = tmp_path / "junk.ndjson"
    junk.write_text('{"not": "an event"}\nnot json\n', "utf-8")
    result = CliRunner().invoke(main, ["report", str(junk), "--engine", "spark"])
    assert result.exit_code == 1, result.output
    assert "no TaskRouter events" in result.output


def test_report_on_spark_reads_a_fetched_folder_with_its_flex_files(spark, tmp_path) -> None:
    import datetime as dt

    from geoflex.collect._fetch import Credentials, fetch
    from tests.collect._twilio_api import PASSWORD, USER, WORKSPACE, FakeTwilio

    out = tmp_path / "twilio"  # written by `geoflex fetch`: events/, flex/, .geoflex/
    since = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    with FakeTwilio(40) as server:
        fetch(WORKSPACE, since=since, out=out, credentials=Credentials(USER, PASSWORD),
              base_url=server.url, page_size=100)  # fmt: skip
    site = tmp_path / "site"
    args = ["report", str(out), "--engine", "spark", "--out", str(site), "--quiet"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "could not be used" not in result.output  # no Flex or state file read as events
    pages = " ".join(p.read_text("utf-8") for p in site.glob("*.html"))
    assert "umatilla" in pages  # Seattle's edge: known only from the fetched ui_attributes
