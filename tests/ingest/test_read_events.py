"""read_events on the committed fixtures (every shape), hostile input, and frames."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import geoflex
import geoflex.sample
from geoflex import DataError
from geoflex.ingest import _read
from geoflex.ingest._attributes import MAX_ATTRIBUTE_CHARS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CLOUD = FIXTURES / "cloudevents.ndjson"
SHAPES = [
    "cloudevents.ndjson",
    "cloudevents.ndjson.gz",
    "cloudevents_array.json",
    "callbacks.ndjson",
    "callbacks.csv",
    "rest_page.json",
]


def _segment(data: geoflex.FlexData, sid: str) -> dict[str, object]:
    return data.segments.filter(pl.col("segment_id") == sid).row(0, named=True)


@pytest.mark.parametrize("name", SHAPES)
def test_every_shape_gives_the_same_tables(name: str) -> None:
    data = geoflex.read_events(FIXTURES / name)
    assert data.segments["segment_id"].sort().to_list() == ["WTa", "WTb", "WTc", "WTd"]
    assert data.conversations.height == 3
    conv1 = data.conversations.filter(pl.col("conversation_id") == "CONV1").row(0, named=True)
    assert conv1["segments"] == 2
    assert conv1["transfers"] == 1
    a = _segment(data, "WTa")
    # created T, accepted T+30, wrap-up T+330, completed T+390
    assert (a["wait_time"], a["talk_time"], a["handle_time"]) == (30.0, 300.0, 360.0)
    assert a["hold_time"] == 20.0
    assert a["ivr_time"] == 10.0
    assert a["worker_sid"] == "WK1"
    assert a["phone"] == "+12065550123"
    assert a["customers_zip"] == "98101"
    # The update 2 minutes after completion counts; the one 10 minutes after does not.
    assert a["outcome"] == "Resolved-updated"
    assert a["conversations_conversation_measure_1"] == 5.0
    assert data.counts["late_updates_ignored"] == 1
    assert data.counts["duplicates"] == 1
    assert data.counts["open_tasks"] == 1
    c = _segment(data, "WTc")
    assert c["status"] == "canceled"
    assert c["abandoned"] is True
    assert c["wait_time"] == 60.0
    assert c["handle_time"] is None
    assert c["phone"] == "client:visitor1"
    # Transfer delivered before its own created event: out of order is fine.
    b = _segment(data, "WTb")
    assert (b["wait_time"], b["handle_time"]) == (10.0, 255.0)
    assert data.truncated == {"conversations_conversation_attribute_1": 1}
    assert len(a["conversations_conversation_attribute_1"]) == MAX_ATTRIBUTE_CHARS
    # Unknown attributes are kept in the raw JSON.
    assert json.loads(a["attributes"])["crm_case_id"] == "CS-1"


def test_broken_lines_become_problems_with_line_numbers() -> None:
    data = geoflex.read_events(CLOUD)
    problems = {
        (r["line"], r["reason"].split(" (")[0].split(":")[0]) for r in data.problems.to_dicts()
    }
    assert (6, "not a usable JSON object") in problems  # truncated line
    assert (7, "not a usable JSON object") in problems  # an HTML error page
    assert data.counts["blank_lines"] == 1  # line 8, not a problem
    reasons = dict(zip(data.problems["line"], data.problems["reason"], strict=True))
    assert "no event type" in reasons[9]
    assert "without a task sid" in reasons[10]
    assert "no usable timestamp" in reasons[11]
    assert "task_attributes.customers of WTd ignored" in reasons[21]
    assert set(data.problems["file"]) == {str(CLOUD)}
    # Line 12 is a worker event: used for agents (its snapshot is the latest), not a problem.
    assert 12 not in reasons
    assert data.counts["other_events"] == 1
    wk1 = data.agents.filter(pl.col("worker_sid") == "WK1").row(0, named=True)
    assert (wk1["team_name"], wk1["segments"]) == ("Delta", 1)
    # Every line is accounted for.
    assert data.counts["lines"] == 22


def test_hostile_attribute_part_loses_only_that_part() -> None:
    d = _segment(geoflex.read_events(CLOUD), "WTd")
    assert d["phone"] == "+442071234567"  # from the top level, which is fine
    assert d["customers_name"] is None


def test_strict_raises_at_the_first_problem_with_its_location() -> None:
    with pytest.raises(DataError, match=r"cloudevents\.ndjson:6: not a usable JSON object"):
        geoflex.read_events(CLOUD, strict=True)
    # A clean file reads fine in strict mode.
    clean = geoflex.read_events(geoflex.sample.generate(30, seed=5, dirt=False), strict=True)
    assert clean.problems.height == 0


def test_gzip_equals_plain() -> None:
    plain = geoflex.read_events(CLOUD)
    gz = geoflex.read_events(FIXTURES / "cloudevents.ndjson.gz")
    assert plain.segments.drop("source_file").equals(gz.segments.drop("source_file"))


def test_plain_and_gzip_files_read_alike_with_dirt(tmp_path: Path) -> None:
    # A plain file is read into buffers the parser may overwrite (odd lines blanked, one
    # pyarrow call per batch); a gzip stream is not (run by run): same tables, same problems.
    plain = tmp_path / "events.ndjson"
    geoflex.sample.write(plain, 400, seed=3)
    gz = tmp_path / "events.ndjson.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    a, b = geoflex.read_events(plain), geoflex.read_events(gz)
    assert a.problems.height > 0
    for name in ("segments", "conversations", "customers", "agents"):
        assert_frame_equal(
            getattr(a, name).drop("source_file", strict=False),
            getattr(b, name).drop("source_file", strict=False),
        )
    assert_frame_equal(a.problems.drop("file"), b.problems.drop("file"))
    assert (a.counts, a.truncated) == (b.counts, b.truncated)


def test_lists_globs_and_directories(tmp_path: Path) -> None:
    for name in ("cloudevents.ndjson", "callbacks.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    by_list = geoflex.read_events([tmp_path / "cloudevents.ndjson", tmp_path / "callbacks.csv"])
    by_glob = geoflex.read_events(str(tmp_path / "*"))
    by_dir = geoflex.read_events(tmp_path)
    for data in (by_list, by_glob, by_dir):
        # The same events twice (same sids) count once.
        assert data.segments.height == 4
        assert data.counts["duplicates"] >= 15
    with pytest.raises(DataError, match="no files match"):
        geoflex.read_events(str(tmp_path / "*.nothing"))
    with pytest.raises(DataError, match="no such file"):
        geoflex.read_events(tmp_path / "missing.ndjson")


def test_frames_in() -> None:
    lines = geoflex.sample.generate(40, seed=2, dirt=False)
    assert geoflex.read_events(lines).conversations.height == 40
    assert geoflex.read_events(lines.lazy()).conversations.height == 40
    callbacks = pl.read_csv(FIXTURES / "callbacks.csv", infer_schema=False).head(15)
    assert geoflex.read_events(callbacks).segments.height == 4
    with pytest.raises(DataError, match="no TaskRouter event columns"):
        geoflex.read_events(pl.DataFrame({"a": [1], "b": [2]}))
    with pytest.raises(TypeError, match="source must be"):
        geoflex.read_events(42)  # type: ignore[arg-type]


def _event(sid: str, etype: str, ts: int, attrs: object) -> str:
    payload = {"eventtype": etype, "timestamp": ts, "sid": sid, "task_sid": "WT1"}
    if attrs is not None:
        payload["task_attributes"] = attrs if isinstance(attrs, str) else json.dumps(attrs)
    return json.dumps(
        {"type": "com.twilio.taskrouter." + etype, "id": sid, "data": {"payload": payload}}
    )


def test_update_window_boundary_and_late_updates(tmp_path: Path) -> None:
    t = 1_767_625_200_000
    lines = [
        _event("E1", "task.created", t, {"conversations": {"outcome": "start"}}),
        _event("E2", "task.completed", t + 60_000, {"conversations": {"outcome": "done"}}),
        _event("E3", "task.updated", t + 60_000 + 300_000, {"conversations": {"outcome": "at5"}}),
        _event("E4", "task.updated", t + 60_000 + 300_001, {"conversations": {"outcome": "late"}}),
    ]
    path = tmp_path / "e.ndjson"
    path.write_text("\n".join(reversed(lines)))  # reversed: out of order, no final newline
    data = geoflex.read_events(path)
    assert data.segments["outcome"].to_list() == ["at5"]
    assert data.counts["late_updates_ignored"] == 1
    assert data.problems.height == 0


def test_huge_and_hostile_values(tmp_path: Path) -> None:
    t = 1_767_625_200_000
    huge = {"customers": {"name": "<script>" + "A" * 100_000, "zip": ["not", "a", "string"]},
            "conversations": {"hold_time": "ten", "outcome": "\u0000\u202eok"}}  # fmt: skip
    lines = [
        _event("E1", "task.completed", t, huge),
        _event("E2", "task.completed", t, "{not json"),
        _event("E3", "task.completed", t, "[1, 2, 3]"),
        b"\xff\xfe not utf8".decode("latin-1"),
        json.dumps({"nested": {"deep": [[[[[[[[[[1]]]]]]]]]]}}),
    ]
    path = tmp_path / "hostile.ndjson"
    path.write_bytes("\n".join(lines).encode("utf-8") + b"\n\xff\xfe{bad bytes}\n")
    data = geoflex.read_events(path)
    seg = data.segments.row(0, named=True)
    assert len(seg["customers_name"]) == MAX_ATTRIBUTE_CHARS
    # A list where a string belongs is kept as its JSON text.
    assert seg["customers_zip"] == '["not", "a", "string"]'
    assert seg["hold_time"] == 0.0  # "ten" is not a number: no hold time, not a crash
    assert seg["outcome"] == "\x00\u202eok"  # kept as sent (escaped in reports)
    assert data.truncated["customers_name"] == 1
    reasons = " ".join(data.problems["reason"])
    assert "not a usable JSON object" in reasons
    # Line 1's hold time "ten" is no number, 4 is not JSON, 5 is JSON but no event, 6 is not
    # UTF-8.
    assert data.problems["line"].to_list() == [1, 4, 5, 6]
    assert data.problems["kind"].to_list() == [
        "bad_measure",
        "not_json",
        "not_an_event",
        "not_json",
    ]
    # E2 and E3 share the task sid: the first end event counts, E2's attributes are bad.
    assert data.segments.height == 1


def test_crlf_and_whitespace_lines(tmp_path: Path) -> None:
    text = CLOUD.read_text().replace("\n", "\r\n")
    path = tmp_path / "crlf.ndjson"
    path.write_text(text, newline="")
    data = geoflex.read_events(path)
    assert data.segments.height == 4
    assert data.problems["line"].to_list() == geoflex.read_events(CLOUD).problems["line"].to_list()


def test_gzip_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "no_suffix"
    path.write_bytes(gzip.compress(CLOUD.read_bytes()))
    assert geoflex.read_events(path).segments.height == 4


def test_empty_input(tmp_path: Path) -> None:
    path = tmp_path / "empty.ndjson"
    path.write_text("")
    data = geoflex.read_events(path)
    assert data.segments.height == 0
    assert data.problems.height == 0
    assert "segment_id" in data.segments.columns


def test_csv_with_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "partial.csv"
    path.write_text("EventType,Timestamp\ntask.completed,1767625200\nworker.created,1767625200\n")
    data = geoflex.read_events(path)
    assert data.segments.height == 0
    assert data.problems.rows() == [
        (str(path), 2, "no_sid", "task.completed: task or reservation event without a task sid", 1)
    ]
    assert data.counts["other_events"] == 1


def test_frame_of_one_event_column_is_not_taken_for_json_lines() -> None:
    data = geoflex.read_events(pl.DataFrame({"EventType": ["task.created"]}))
    assert data.problems["reason"].to_list() == ["task.created: no usable timestamp"]


def test_pretty_printed_json_per_row() -> None:
    lines = geoflex.sample.generate(10, seed=9, dirt=False)
    pretty = lines.select(
        pl.col("line").map_elements(
            lambda s: json.dumps(json.loads(s), indent=2), return_dtype=pl.String
        )
    )
    assert geoflex.read_events(pretty).segments.equals(geoflex.read_events(lines).segments)


def test_bad_worker_attributes_are_reported_at_the_event_that_carried_them(
    tmp_path: Path,
) -> None:
    t = 1_767_625_200_000

    def worker_event(sid: str, etype: str, ts: int, attrs: str | None) -> str:
        payload = {"eventtype": etype, "timestamp": ts, "sid": sid, "worker_sid": "WK9"}
        if attrs is not None:
            payload["worker_attributes"] = attrs
        if etype.startswith("reservation."):
            payload["task_sid"] = "WT1"
        return json.dumps(
            {"type": "com.twilio.taskrouter." + etype, "id": sid, "data": {"payload": payload}}
        )

    lines = [
        worker_event("E1", "worker.activity.update", t, '{"full_name": "Ana"}'),
        worker_event("E2", "worker.attributes.update", t + 1_000, '{"full_name": '),
        # Later, a reservation event without attributes: the snapshot keeps line 2's.
        worker_event("E3", "reservation.completed", t + 2_000, None),
    ]
    path = tmp_path / "workers.ndjson"
    path.write_text("\n".join(lines) + "\n")
    data = geoflex.read_events(path)
    assert data.problems["line"].to_list() == [2]
    assert data.problems["reason"].item().startswith("worker_attributes of WK9 ignored")
    assert data.agents.select("worker_sid", "full_name").rows() == [("WK9", None)]


def test_totals_of_one_segment_are_its_values() -> None:
    # A conversation's, customer's or agent's total is its segments' values added in order:
    # one segment's total is that segment's value, to the last bit.
    data = geoflex.sample.load()
    seg = data.segments
    one = data.conversations.filter(pl.col("segments") == 1)
    measures = ["wait_time", "talk_time", "wrapup_time", "handle_time", "hold_time", "ivr_time"]
    joined = one.join(seg, on="conversation_id", suffix="_segment")
    assert joined.height == one.height > 1000
    for m in measures:
        assert joined[m].equals(joined[f"{m}_segment"].fill_null(0.0), check_names=False), m
    # Read twice, every total is the same.
    again = geoflex.sample.load()
    assert again.conversations.equals(data.conversations)
    assert again.agents.equals(data.agents)


def test_a_json_array_reads_as_its_lines(tmp_path: Path) -> None:
    # polars' document reader takes a valid array whole; each element gives the row its line
    # would (the sample's duplicates, late updates, long values and bad attributes included).
    lines = []
    for line in geoflex.sample.generate(300, seed=5)["line"].to_list():
        try:
            json.loads(line)
        except ValueError:
            continue  # a broken line would break the whole document
        lines.append(line)
    ndjson, array = tmp_path / "e.ndjson", tmp_path / "e.json"
    ndjson.write_text("\n".join(lines) + "\n")
    array.write_text("[\n" + ",\n".join(lines) + "\n]\n")
    assert _read._array_events(array.read_bytes(), "e.json") is not None  # read whole
    a, b = geoflex.read_events(ndjson), geoflex.read_events(array)
    for table in ("segments", "conversations", "customers", "agents"):
        x, y = getattr(a, table), getattr(b, table)
        assert x.drop("source_file", strict=False).equals(y.drop("source_file", strict=False))
    assert a.problems.drop("file").equals(b.problems.drop("file"))
    assert (a.counts, a.truncated) == (b.counts, b.truncated)
    assert b.counts["duplicates"] > 0


def test_a_json_array_with_odd_elements_names_each_one(tmp_path: Path) -> None:
    t = 1_767_625_200_000
    good = _event("E1", "task.completed", t, {"conversations": {"outcome": "done"}})
    path = tmp_path / "odd.json"
    path.write_text(f'[{good}, null, 5, {{}}, {{"type": {{"nested": 1}}}}]')
    assert _read._array_events(path.read_bytes(), "odd.json") is None  # element by element
    data = geoflex.read_events(path)
    assert data.segments.height == 1
    reasons = dict(zip(data.problems["line"], data.problems["reason"], strict=True))
    assert sorted(reasons) == [2, 3, 4, 5]
    assert reasons[2].startswith("event #2: not a usable JSON object")
    assert reasons[3].startswith("event #3: not a usable JSON object")
    assert "no event type" in reasons[4]
    broken = tmp_path / "broken.json"
    broken.write_text(f"[{good},\n{good[:-5]}]")
    data = geoflex.read_events(broken)
    assert data.problems["reason"].item().startswith("invalid JSON document")
    assert data.problems["line"].item() == 2


def test_json_lines_of_arrays_read_as_their_events(tmp_path: Path) -> None:
    # Event Streams webhook deliveries (a JSON array of events each) logged one a line.
    lines = geoflex.sample.generate(300, seed=5)["line"].to_list()  # broken lines included
    plain, one_each = tmp_path / "plain.ndjson", tmp_path / "one_each.ndjson"
    plain.write_text("\n".join(lines) + "\n")
    one_each.write_text("".join(f"[{line}]\n" for line in lines))  # blank lines become []
    a, b = geoflex.read_events(plain), geoflex.read_events(one_each)
    for table in ("segments", "conversations", "customers", "agents"):
        x, y = getattr(a, table), getattr(b, table)
        assert x.drop("source_file", strict=False).equals(y.drop("source_file", strict=False))
    assert (a.counts, a.truncated) == (b.counts, b.truncated)
    assert a.problems["line"].to_list() == b.problems["line"].to_list()
    # Several events a line, as deliveries come; gzip (read-only batches) reads alike.
    clean = geoflex.sample.generate(300, seed=6, dirt=False)["line"].to_list()
    batches = [clean[i : i + 37] for i in range(0, len(clean), 37)]
    many = tmp_path / "many.ndjson"
    many.write_text("".join("[" + ", ".join(batch) + "]\n" for batch in batches))
    zipped = tmp_path / "many.ndjson.gz"
    zipped.write_bytes(gzip.compress(many.read_bytes()))
    reference = geoflex.read_events(pl.DataFrame({"line": clean}))
    for path in (many, zipped):
        data = geoflex.read_events(path)
        assert data.segments.drop("source_file", "source_line").equals(
            reference.segments.drop("source_file", "source_line")
        )
        assert data.conversations.equals(reference.conversations)
        assert data.counts["lines"] == len(batches)
        assert data.counts["events"] == len(clean)
        # An event's line is its delivery's line.
        first = data.segments.sort("source_line").row(0, named=True)
        assert first["source_line"] == 1


def test_odd_elements_of_an_array_line_are_problems_at_its_line(tmp_path: Path) -> None:
    t = 1_767_625_200_000
    good = _event("E1", "task.completed", t, {"conversations": {"outcome": "done"}})
    other = _event("E2", "task.completed", t, None).replace('"WT1"', '"WT2"')
    nested = '{"type": {"not": "text"}, "id": "E3"}'  # an object where a field holds text
    huge = "[" + ", ".join([other] * 200) + "]"  # a first line longer than the head looked at
    lines = [huge, f"[{good}, 5, null, {{}}]", "[]", f"[{good}, {{broken]", f"[{nested}]"]
    path = tmp_path / "arrays.ndjson"
    path.write_text("\n".join(lines) + "\n")
    data = geoflex.read_events(path)
    assert data.counts["lines"] == 5
    assert data.counts["blank_lines"] == 1  # the empty delivery
    assert data.counts["duplicates"] == 199  # E2 again (E1 on the broken line 4 is not read)
    reasons = data.problems.select("line", "reason").rows()
    assert (2, "event #2 of the line's array is not a JSON object: 5") in reasons
    assert (2, "event #3 of the line's array is not a JSON object: null") in reasons
    assert [r for line, r in reasons if line == 2 and "no event type" in r]  # the {} element
    assert [r for line, r in reasons if line == 4 and r.startswith("not a usable JSON")]
    # Read element by element: the object is kept as its JSON text, as on a line of its own.
    assert (5, '{"not": "text"}: no usable timestamp') in reasons
    assert data.segments["segment_id"].sort().to_list() == ["WT1", "WT2"]
