"""``geoflex report --engine spark``: the events read on Spark, the same reports written."""

from __future__ import annotations

from click.testing import CliRunner

from geoflex.cli import main
from geoflex.sample._generator import write


def test_report_on_spark_writes_every_page(spark, tmp_path) -> None:
    # The session fixture's Spark is the one the command gets (getOrCreate).
    events = tmp_path / "events.ndjson.gz"
    write(events, 300, seed=5)
    out = tmp_path / "site"
    args = ["report", str(events), "--engine", "spark", "--out", str(out), "--quiet"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "places.html",
        "spikes.html",
        "staffing.html",
    ]
    missing = CliRunner().invoke(
        main, ["report", str(tmp_path / "nope.ndjson"), "--engine", "spark"]
    )
    assert missing.exit_code == 2
    assert "nope.ndjson" in missing.output
