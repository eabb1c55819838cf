"""``geoflex report --engine spark``: the events read on Spark, the same reports written,
and no event collected to the driver."""

from __future__ import annotations

from click.testing import CliRunner

from geoflex.cli import main
from geoflex.sample._generator import write


def test_report_on_spark_writes_every_page_from_collected_tables_only(
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
    assert any({"conversation_id", "started_at"} <= set(c) for c in collected)  # conversations
    # No events (event_sid) and, of the segments, only the columns service metrics read
    # (not their attributes): the tables the reports read, and the stages' bookkeeping rows.
    assert not [c for c in collected if "event_sid" in c]
    segments = [c for c in collected if "segment_id" in c]
    assert len(segments) == 1
    assert "attributes" not in segments[0]
    assert "phone" not in segments[0]
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
