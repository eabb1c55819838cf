"""geoflex.spark.read_events gives geoflex.read_events' tables, column for column."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import geoflex
import geoflex.sample
from tests.spark.conftest import plain, to_polars

FIXTURES = Path(__file__).parent.parent / "fixtures"
SHAPES = [
    "cloudevents.ndjson",
    "cloudevents.ndjson.gz",
    "cloudevents_array.json",
    "rest_page.json",
    "callbacks.csv",
    "callbacks.ndjson",
]
# How each table's rows are told apart (Spark keeps no row order).
KEYS = {
    "segments": ["segment_id"],
    "conversations": ["conversation_id"],
    "customers": ["customer"],
    "agents": ["worker_sid"],
    "problems": ["file", "line", "reason"],
}


def _local(frame: pl.DataFrame) -> pl.DataFrame:
    """Spark's file URIs (file:/...) as the local paths polars was given."""
    paths = [c for c in ("file", "source_file") if c in frame.columns]
    return frame.with_columns(pl.col(c).str.strip_prefix("file:") for c in paths)


def _same_tables(got, expected: geoflex.FlexData) -> None:
    for name, keys in KEYS.items():
        want = plain(getattr(expected, name))
        have = _local(to_polars(getattr(got, name)))
        assert have.columns == want.columns, name
        assert_frame_equal(
            have.sort(keys, nulls_last=True),
            want.sort(keys, nulls_last=True),
            check_dtypes=False,
            check_exact=True,
        )
    assert got.counts == expected.counts
    assert got.truncated == expected.truncated


def _read_both(spark, paths: list[Path]):
    import geoflex.spark as gs

    ordered = sorted(str(p) for p in paths)
    got = gs.read_events(spark, ordered)
    return got, geoflex.read_events(ordered)


def test_every_shape_and_its_dirt_as_polars_reads_them(spark, tmp_path) -> None:
    paths = [shutil.copy(FIXTURES / name, tmp_path / name) for name in SHAPES]
    got, expected = _read_both(spark, [Path(p) for p in paths])
    assert expected.problems.height > 0
    assert expected.counts["late_updates_ignored"] > 0
    _same_tables(got, expected)
    got.unpersist()


def test_generated_dirty_events_across_files(spark, tmp_path) -> None:
    # Duplicates, reordered events, late updates, hostile attributes, broken lines: the
    # generator's dirt, split over files so that one task's events are in several files.
    lines = geoflex.sample.generate(1500, seed=11).to_series()
    paths = []
    for k in range(3):
        path = tmp_path / f"part-{k}.ndjson"
        path.write_text("\n".join(lines.gather_every(3, offset=k).to_list()) + "\n", "utf-8")
        paths.append(path)
    got, expected = _read_both(spark, paths)
    assert expected.counts["duplicates"] > 0
    _same_tables(got, expected)
    # The tables are read from persisted stages: the events were parsed and the segments
    # built by Arrow/Python stages (MapInArrow) inside the cached relation, on executors.
    plan = got.segments._jdf.queryExecution().executedPlan().toString()
    cached = plan[plan.index("InMemoryRelation") :]
    assert cached.count("MapInArrow") >= 3, plan  # parse, screen, build segments
    got.unpersist()


def test_missing_path_is_a_clear_error(spark, tmp_path) -> None:
    import geoflex.spark as gs

    with pytest.raises(geoflex.DataError, match="no such file"):
        gs.read_events(spark, str(tmp_path / "nothing.ndjson"))


def test_folders_globs_and_a_fetched_folder_as_polars_reads_them(spark, tmp_path) -> None:
    import datetime as dt

    import geoflex.spark as gs
    from geoflex.collect._fetch import Credentials, fetch
    from geoflex.collect._layout import Layout
    from geoflex.ingest._workers import add_workers
    from tests.collect._twilio_api import PASSWORD, USER, WORKSPACE, FakeTwilio

    # A folder written by geoflex's own writers (`geoflex fetch` from a local stand-in for
    # Twilio's APIs): events, the Flex files and the fetcher's state.
    with FakeTwilio(120) as server:
        fetch(WORKSPACE, since=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc),
              out=tmp_path / "twilio", credentials=Credentials(USER, PASSWORD),
              base_url=server.url, page_size=50)  # fmt: skip
    layout = Layout(tmp_path / "twilio")
    # A folder of exports among other files, one at depth with glob characters in its name,
    # and a glob.
    exports = tmp_path / "exports"
    (exports / "2026" / "11").mkdir(parents=True)
    shutil.copy(FIXTURES / "cloudevents.ndjson.gz", exports / "2026" / "11" / "part[1].ndjson.gz")
    shutil.copy(FIXTURES / "rest_page.json", exports / "page.json")
    (exports / "README.md").write_text("not events", "utf-8")
    shutil.copy(FIXTURES / "callbacks.csv", tmp_path / "callbacks-1.csv")
    # In path order: Spark takes files in path order, polars in the order given.
    inputs = [str(tmp_path / "callbacks-*.csv"), str(exports), str(layout.events)]
    got = gs.read_events(spark, inputs).add_workers(layout.workers)
    expected = add_workers(geoflex.read_events(inputs), layout.workers)
    assert expected.counts["events"] > 120
    assert expected.agents.height > got.agents.filter("segments > 0").count()  # idle workers
    _same_tables(got, expected)
    got.unpersist()
    with pytest.raises(geoflex.DataError, match="no files match"):
        gs.read_events(spark, str(tmp_path / "nothing-*.ndjson"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(geoflex.DataError, match="no event files"):
        gs.read_events(spark, str(tmp_path / "empty"))
    nothing = gs.read_events(spark, [])  # as polars: empty tables
    assert nothing.counts == geoflex.read_events([]).counts
    assert nothing.segments.count() == 0
