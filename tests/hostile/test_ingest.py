"""Hostile inputs to read_events: each kind of bad line, value or file gets its own test.

Every test checks the accounting identity (every line is an event, a blank line or one
``problems`` row) and that the good rows are kept exactly: the tables equal those read
from the good lines alone.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import geoflex
import geoflex.sample
from geoflex import DataError
from geoflex.ingest import PROBLEM_KINDS, UNUSED_KINDS, _files

# 40 conversations of clean events (about 160 lines): the good rows every test keeps.
GOOD = [line.encode() for line in geoflex.sample.generate(40, seed=11, dirt=False)["line"]]
TABLES = ("segments", "conversations", "customers", "agents")


def _tables(data: geoflex.FlexData) -> dict[str, pl.DataFrame]:
    # Line numbers move when bad lines are inserted; everything else must be the same.
    return {
        name: getattr(data, name).drop("source_file", "source_line", strict=False)
        for name in TABLES
    }


@pytest.fixture(scope="module")
def expected() -> dict[str, pl.DataFrame]:
    return _tables(geoflex.read_events(pl.DataFrame({"line": [g.decode() for g in GOOD]})))


def _accounted(data: geoflex.FlexData) -> None:
    """Every line is an event, a blank line or a problem (listed, or counted past the cap)."""
    c = data.counts
    unused = data.problems.filter(pl.col("kind").cast(pl.String).is_in(UNUSED_KINDS))
    assert c["lines"] == c["events"] + c["blank_lines"] + unused["count"].sum(), (
        c,
        data.problems.rows(),
    )


def _good_kept(data: geoflex.FlexData, expected: dict[str, pl.DataFrame]) -> None:
    got = _tables(data)
    for name in TABLES:
        assert_frame_equal(got[name], expected[name])


def _with_bad(tmp_path: Path, bad: list[bytes], *, name: str = "events.ndjson") -> Path:
    """The good lines with ``bad`` lines spread among them (one after every 50th)."""
    lines = list(GOOD)
    for k, line in enumerate(bad):
        lines.insert(min(len(lines), 1 + 51 * k), line)
    path = tmp_path / name
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _event(**payload: object) -> bytes:
    """The first good event with payload fields replaced (a fresh event sid)."""
    value = json.loads(GOOD[0])
    value["data"]["payload"].update(payload, sid="EVhostile" + str(len(str(payload))))
    value["id"] = value["data"]["payload"]["sid"]
    return json.dumps(value).encode()


def _reasons(data: geoflex.FlexData) -> list[str]:
    return data.problems["reason"].to_list()


@pytest.mark.parametrize(
    "timestamp",
    [1e30, -1e20, 2**63, 2**64 + 5, "NaN", "inf", "-inf", "1e308", "yesterday", "", -1],
    ids=repr,
)
def test_an_unusable_timestamp_is_one_problem(tmp_path, expected, timestamp) -> None:
    path = _with_bad(tmp_path, [_event(timestamp=timestamp, timestamp_ms=None)])
    data = geoflex.read_events(path)
    _accounted(data)
    _good_kept(data, expected)
    assert len(_reasons(data)) == 1
    assert "no usable timestamp" in _reasons(data)[0]


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999", b"1" * 400])
def test_a_non_json_number_is_one_problem(tmp_path, expected, literal) -> None:
    line = _event(timestamp=1767808522796).replace(b"1767808522796", literal, 1)
    data = geoflex.read_events(_with_bad(tmp_path, [line]))
    _accounted(data)
    _good_kept(data, expected)
    assert data.problems.height == 1


@pytest.mark.parametrize("depth", [100, 5_000, 200_000])
@pytest.mark.parametrize("opener", [b'{"a":', b"[", b'{"data":'])
def test_deep_nesting_is_one_problem(tmp_path, expected, depth, opener) -> None:
    closer = b"}" if opener.startswith(b"{") else b"]"
    deep = opener * depth + b"1" + closer * depth
    data = geoflex.read_events(_with_bad(tmp_path, [deep]))
    _accounted(data)
    _good_kept(data, expected)
    assert data.problems.height == 1


def test_max_depth_is_a_limit_the_caller_sets(tmp_path, expected) -> None:
    # An event whose queue name is an object nested 10 levels: read as its JSON text by
    # default, a problem at max_depth=5.
    nest: object = 1
    for _ in range(10):
        nest = {"x": nest}
    path = _with_bad(tmp_path, [_event(task_queue_name=nest)])
    assert geoflex.read_events(path).problems.height == 0
    data = geoflex.read_events(path, max_depth=5)
    _accounted(data)
    _good_kept(data, expected)
    assert len(_reasons(data)) == 1
    assert "nested deeper than max_depth=5" in _reasons(data)[0]


def test_deep_task_attributes_are_one_problem(tmp_path, expected) -> None:
    # Deep under an attribute geoflex reads ("from"), and deep under one it skips.
    attrs = '{"from":' + '{"a":' * 50_000 + "1" + "}" * 50_001
    attrs += ',"b":' + "[" * 50_000 + "]" * 50_000 + "}"
    line = _event(eventtype="task.completed", task_sid="WTdeep", task_attributes=attrs)
    data = geoflex.read_events(_with_bad(tmp_path, [line]))
    # The event is good (a completed task without a creation); its attributes are a problem.
    assert len(_reasons(data)) == 1
    assert "task_attributes of WTdeep ignored" in _reasons(data)[0]
    assert data.segments.filter(pl.col("segment_id") == "WTdeep").height == 1


def test_bad_utf8_is_one_problem(tmp_path, expected) -> None:
    lines = [GOOD[0].replace(b"taskrouter", b"task\xff\xferouter"), b"\xc3\x28{}", b"\xed\xa0\x80"]
    data = geoflex.read_events(_with_bad(tmp_path, lines))
    _accounted(data)
    _good_kept(data, expected)
    assert data.problems.height == 3


def test_a_torn_tail_is_one_problem_and_the_rows_before_it_are_kept(tmp_path, expected) -> None:
    # The last line cut mid-JSON, without a newline (a writer that crashed): crash recovery
    # of the collector relies on this.
    path = tmp_path / "torn.ndjson"
    path.write_bytes(b"\n".join(GOOD) + b"\n" + GOOD[5][: len(GOOD[5]) // 2])
    data = geoflex.read_events(path)
    _accounted(data)
    _good_kept(data, expected)
    assert data.problems.rows() == [
        (str(path), len(GOOD) + 1, "not_json", data.problems["reason"][0], 1)
    ]


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_a_truncated_gzip_keeps_the_rows_before_the_damage(tmp_path, cut) -> None:
    whole = gzip.compress(b"\n".join(GOOD) + b"\n")
    path = tmp_path / "events.ndjson.gz"
    path.write_bytes(whole[: int(len(whole) * cut)])
    data = geoflex.read_events(path)
    _accounted(data)
    last = data.problems.row(-1, named=True)
    assert last["file"] == str(path)
    assert "unreadable gzip data" in last["reason"]
    # The complete lines before the damage are all events.
    assert data.counts["events"] >= data.counts["lines"] - 2
    assert data.counts["events"] > 0 or cut < 0.5


def test_corrupt_gzip_data_is_one_problem(tmp_path) -> None:
    whole = bytearray(gzip.compress(b"\n".join(GOOD) + b"\n"))
    whole[len(whole) // 2 : len(whole) // 2 + 20] = b"\x00" * 20
    path = tmp_path / "damaged.gz"
    path.write_bytes(bytes(whole))
    data = geoflex.read_events(path)
    _accounted(data)
    assert "unreadable gzip data" in _reasons(data)[-1]


@pytest.mark.parametrize(
    "content", [b"\x1f\x8b", b"\x1f\x8bgarbage" * 10, b"\x1f\x8b\x08" + bytes(30)]
)
def test_a_fake_gzip_is_one_problem_naming_the_file(tmp_path, content) -> None:
    path = tmp_path / "fake.ndjson.gz"
    path.write_bytes(content)
    data = geoflex.read_events(path)
    _accounted(data)
    assert data.problems["file"].to_list() == [str(path)]
    assert "unreadable gzip data" in _reasons(data)[0]


def test_a_gzip_named_file_that_is_plain_is_read(tmp_path, expected) -> None:
    path = tmp_path / "plain.ndjson.gz"
    path.write_bytes(b"\n".join(GOOD) + b"\n")
    _good_kept(geoflex.read_events(path), expected)


def test_a_pipe_is_read(tmp_path, expected) -> None:
    # A named pipe says it has size 0; its content is read all the same.
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as out:
            out.write(b"\n".join(GOOD) + b"\n")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        data = geoflex.read_events(fifo)
    finally:
        writer.join()
    _accounted(data)
    _good_kept(data, expected)


def test_a_proc_file_is_read() -> None:
    # /proc files say they have size 0 and have content: every line is read (as problems).
    data = geoflex.read_events("/proc/self/status")
    _accounted(data)
    assert data.counts["lines"] > 5
    assert data.problems.height == data.counts["lines"]


def test_an_empty_file_has_no_lines(tmp_path) -> None:
    path = tmp_path / "empty.ndjson"
    path.write_bytes(b"")
    data = geoflex.read_events(path)
    assert (data.counts["lines"], data.problems.height, data.segments.height) == (0, 0, 0)


def test_missing_files_and_directories_are_errors_naming_them(tmp_path) -> None:
    with pytest.raises(DataError, match=r"no such file.*nothing-here"):
        geoflex.read_events(tmp_path / "nothing-here.ndjson")
    (tmp_path / "empty-dir").mkdir()
    with pytest.raises(DataError, match="empty-dir"):
        geoflex.read_events(tmp_path / "empty-dir")


@pytest.mark.parametrize("closed", ["file", "directory"])
def test_an_unreadable_file_is_an_error_naming_it(closed) -> None:
    # Not under pytest's tmp_path: its parents may be closed to the unprivileged user.
    import shutil
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="geoflex-hostile-"))
    top.chmod(0o755)
    (top / "inner").mkdir()
    path = top / "inner" / "secret.ndjson"
    path.write_bytes(b"\n".join(GOOD) + b"\n")
    (path if closed == "file" else top / "inner").chmod(0)
    # root reads any file: the child then reads it as an unprivileged user, once everything
    # it needs is imported (Python's own files may not be readable to that user).
    code = (
        "import gzip, os, sys, geoflex, polars as pl\n"
        "geoflex.read_events(pl.DataFrame({'line': ['{}']}))\n"
        "if os.geteuid() == 0:\n"
        "    os.setuid(65534)\n"
        "try:\n"
        f"    geoflex.read_events({str(path)!r})\n"
        "except geoflex.DataError as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    (top / "inner").chmod(0o755)
    shutil.rmtree(top)
    assert run.returncode == 3, run.stderr
    assert "secret.ndjson" in run.stdout
    assert "cannot open: Permission denied" in run.stdout


def test_max_file_bytes_stops_a_file_and_keeps_what_came_before(tmp_path) -> None:
    path = tmp_path / "big.ndjson"
    path.write_bytes(b"\n".join(GOOD) + b"\n")
    limit = sum(len(g) + 1 for g in GOOD[:30]) + 10  # ten bytes into line 31
    data = geoflex.read_events(path, max_file_bytes=limit)
    _accounted(data)
    assert data.counts["events"] == 30
    assert f"max_file_bytes={limit:,}" in _reasons(data)[-1]
    assert data.problems["line"].to_list() == [31, 32]  # the cut line, then the limit


def test_a_gzip_bomb_stops_at_max_file_bytes(tmp_path) -> None:
    path = tmp_path / "bomb.ndjson.gz"
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(b"\n".join(GOOD) + b"\n")
        for _ in range(64):
            out.write(b"\n" * (1 << 20))
    assert path.stat().st_size < 200_000
    data = geoflex.read_events(path, max_file_bytes=8 << 20)
    _accounted(data)
    assert data.counts["events"] == len(GOOD)
    assert "max_file_bytes=8,388,608 bytes after decompression" in _reasons(data)[-1]


def test_a_document_over_max_document_bytes_is_one_problem(tmp_path) -> None:
    path = tmp_path / "events.json"
    path.write_bytes(b"[\n" + b",\n".join(GOOD) + b"\n]\n")
    assert geoflex.read_events(path).counts["events"] == len(GOOD)
    data = geoflex.read_events(path, max_document_bytes=10_000)
    _accounted(data)
    assert "max_document_bytes=10,000" in _reasons(data)[0]


@pytest.mark.parametrize("limit", [0, -1, 1.5, True, "10"])
def test_a_limit_must_be_a_positive_integer(limit) -> None:
    with pytest.raises(ValueError, match="max_depth"):
        geoflex.read_events(pl.DataFrame({"line": ["{}"]}), max_depth=limit)


def _cold(path: Path) -> bool:
    """Drop the file from the page cache; whether that worked (the kernel may keep it)."""
    with open(path, "rb") as stream:
        os.fsync(stream.fileno())
        os.posix_fadvise(stream.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        return not _files._cached(stream.fileno(), path.stat().st_size)


@pytest.mark.parametrize("reader", ["mapped", "direct", "gzip", "document?"])
@pytest.mark.parametrize("long", [150_000, 1_000_000])
def test_a_line_over_max_line_bytes_is_one_problem_and_not_held(
    tmp_path, expected, monkeypatch, reader, long
) -> None:
    # Small reads, so that the long line spans many of them, as a 2 GiB line spans 32 MB
    # reads (benchmarks/bench_hostile_memory.py reads those).
    monkeypatch.setattr(_files, "_READ_BYTES", 1 << 16)
    monkeypatch.setattr(_files, "_CARRY_BYTES", 4096)
    huge = b'{"id": "' + b"x" * (long - 10) + b'"}'
    # A line longer than a read but within the limit is read as usual.
    within = _event(task_queue_name="q" * 80_000)
    lines = [huge, within] if reader != "document?" else [huge[:-1], within]
    path = _with_bad(tmp_path, lines)
    if reader == "gzip":
        path.write_bytes(gzip.compress(path.read_bytes()))
    if reader == "direct" and not _cold(path):
        pytest.skip("the kernel kept the file cached")
    if reader == "document?":  # a first line that is broken: read as NDJSON after all
        path.write_bytes(b"{" + path.read_bytes())
    data = geoflex.read_events(path, max_line_bytes=100_000)
    _accounted(data)
    if reader != "document?":
        _good_kept(data, _tables(geoflex.read_events(_with_bad(tmp_path, [within]))))
    assert sum(f"a line of {len(lines[0]):,} bytes" in r for r in _reasons(data)) == 1
    assert all("max_line_bytes=100,000" in r for r in _reasons(data) if "a line of" in r)


_CSV_HEADER = b"EventType,Sid,Timestamp,TaskSid,TaskQueueName,TaskAttributes"


def _csv_rows(n: int) -> list[bytes]:
    """Created and completed events of ``n`` tasks as Event Callback CSV rows."""
    rows = []
    for k in range(n):
        attrs = json.dumps({"from": f"+1206555{k:04d}", "conversations": {"hold_time": k}})
        quoted = '"' + attrs.replace('"', '""') + '"'
        for j, kind in enumerate(("task.created", "task.completed")):
            ts = 1767625200 + 60 * k + 30 * j
            rows.append(f"{kind},EV{k}x{j},{ts},WT{k},Support,{quoted}".encode())
    return rows


@pytest.mark.parametrize(
    "bad",
    [
        b'task.created,EVbad,1767625200,WTbad,"Support,{}',  # an unterminated quote
        b'task.created,EVbad,1767625200,WTbad,Sup"port,"{}',  # a stray quote inside a cell
        b"task.created,EVbad," + b"9" * 200_000 + b",WTbad,Support,{}",  # over csv's limit
        b'"' + b"x" * 200_000,  # a quoted field over the limit, never closed
        b"only,three,fields",
    ],
    ids=["unterminated", "stray", "huge-field", "huge-unterminated", "short"],
)
@pytest.mark.parametrize("where", ["middle", "last"])
def test_a_csv_quoting_error_is_confined_to_its_record(tmp_path, bad, where) -> None:
    good = _csv_rows(30)
    expected = _tables(geoflex.read_events(_write(tmp_path / "good.csv", [_CSV_HEADER, *good])))
    rows = [*good[:20], bad, *good[20:]] if where == "middle" else [*good, bad]
    data = geoflex.read_events(_write(tmp_path / "events.csv", [_CSV_HEADER, *rows]))
    _accounted(data)
    _good_kept(data, expected)
    if bad.endswith(b'"{}') and where == "last":
        # The quote opened at the last cell runs to the end of the file: a record of the
        # header's width, as the csv module reads it (an event, without a problem).
        assert data.problems.height == 0
        return
    assert data.problems.height == 1
    assert data.problems["line"][0] == (22 if where == "middle" else len(good) + 2)


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


_HOSTILE_LINES = st.one_of(
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b" ")),  # any bytes
    st.sampled_from(
        [
            b"{",
            b"}",
            b"[]",
            b"[1]",  # (an array a line is several events at one line: one element here)
            b"null",
            b'{"id": 1e999}',
            b"\xff\xfe{}",
            b"[" * 3000 + b"]" * 3000,
            b'{"a":' * 3000 + b"1" + b"}" * 3000,
            b'{"data": {"payload": {"timestamp": NaN}}}',
            b"<html><body>502 Bad Gateway</body></html>",
            b"   ",
            b"\r",
        ]
    ),
    st.integers(0, len(GOOD) - 1).map(lambda k: GOOD[k][: len(GOOD[k]) // 2]),  # cut lines
    st.sampled_from([1e30, -5, 2**63, "NaN", "soon"]).map(
        lambda ts: _event(timestamp=ts, timestamp_ms=None)
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bad=st.lists(_HOSTILE_LINES, min_size=1, max_size=6), gz=st.booleans())
def test_fuzzed_lines_are_each_accounted_for(bad, gz, expected) -> None:
    # Good lines with random hostile lines spread among them (gzipped or not): every line is
    # an event, a blank line or one problem, and the good rows are the same.
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = _with_bad(Path(tmp), bad)
        if gz:
            path.write_bytes(gzip.compress(path.read_bytes()))
        data = geoflex.read_events(path)
    _accounted(data)
    _good_kept(data, expected)


def _completed(**conversations: object) -> list[bytes]:
    """The good lines with the first completed task's conversations attributes updated."""
    lines, changed = [], False
    for good in GOOD:
        event = json.loads(good)
        payload = event["data"]["payload"]
        if payload.get("eventtype") == "task.completed" and not changed:
            attributes = json.loads(payload["task_attributes"])
            attributes.setdefault("conversations", {}).update(conversations)
            payload["task_attributes"] = json.dumps(attributes)
            changed = True
        lines.append(json.dumps(event).encode())
    return lines


@pytest.mark.parametrize("value", ["NaN", "inf", "-Infinity", "soon", '{"x": 1}'])
def test_a_measure_that_is_no_finite_number_is_one_problem(tmp_path, expected, value) -> None:
    # The segment is kept (its measure null); the value is one problem at its end event.
    data = geoflex.read_events(_write(tmp_path / "e.ndjson", _completed(hold_time=value)))
    _accounted(data)
    assert data.segments.height == expected["segments"].height
    assert data.problems.select("kind", "count").rows() == [("bad_measure", 1)]
    assert "conversations.hold_time of WT" in _reasons(data)[0]
    assert repr(value)[:40] in _reasons(data)[0]
    assert data.segments["hold_time"].is_finite().all()  # no hold time given: 0 seconds
    # A finite number given as text is a number, not a problem.
    fine = geoflex.read_events(_write(tmp_path / "f.ndjson", _completed(hold_time=" 12.5 ")))
    assert fine.problems.height == 0
    assert 12.5 in fine.segments["hold_time"].to_list()


def _kind_inputs(tmp_path: Path) -> dict[str, tuple[Path, dict[str, int]]]:
    """An input (and read_events limits) that gives each kind of problem."""
    deep = b"[" * 100 + b"]" * 100  # (deep under a field geoflex skips is not built)
    torn = tmp_path / "torn.ndjson.gz"
    torn.write_bytes(gzip.compress(b"\n".join(GOOD) + b"\n")[:-30])
    bad_attributes = json.loads(GOOD[3])
    bad_attributes["data"]["payload"]["task_attributes"] = "not an object"
    no_attributes = [json.dumps(bad_attributes).encode()]
    document = tmp_path / "events.json"
    document.write_bytes(b"[" + b",".join(GOOD) + b"]")
    long_line = b'{"a": "' + b"x" * 300 + b'"}'
    no_time = _event(timestamp="soon", timestamp_ms=None)
    return {
        "not_json": (_with_bad(tmp_path, [b"not json"], name="a.ndjson"), {}),
        "too_long": (_write(tmp_path / "b.ndjson", [long_line]), {"max_line_bytes": 200}),
        "too_deep": (_with_bad(tmp_path, [deep], name="c.ndjson"), {}),
        "too_large": (document, {"max_document_bytes": 1_000}),
        "damaged_file": (torn, {}),
        "bad_csv": (_write(tmp_path / "d.csv", [_CSV_HEADER, *_csv_rows(3), b"a,b"]), {}),
        "not_an_event": (_with_bad(tmp_path, [b'{"a": 1}'], name="e.ndjson"), {}),
        "bad_timestamp": (_with_bad(tmp_path, [no_time], name="f.ndjson"), {}),
        "no_sid": (_with_bad(tmp_path, [_event(task_sid=None)], name="g.ndjson"), {}),
        "bad_attributes": (_write(tmp_path / "h.ndjson", no_attributes), {}),
        "bad_measure": (_write(tmp_path / "i.ndjson", _completed(talk_time="NaN")), {}),
    }


def test_every_kind_of_problem_is_named_and_documented(tmp_path) -> None:
    # The vocabulary is closed: each kind has a meaning, each is what its input gives, and
    # the problems column's type lists exactly these kinds.
    inputs = _kind_inputs(tmp_path)
    assert set(inputs) == set(PROBLEM_KINDS)
    for kind, (path, limits) in inputs.items():
        data = geoflex.read_events(path, **limits)
        _accounted(data)
        # (A damaged gzip stream also tears the line it ends in.)
        torn = ["not_json"] if kind == "damaged_file" else []
        kinds = data.problems["kind"].cast(pl.String).to_list()
        assert kinds == [*torn, kind], (kind, data.problems)
        assert data.problems.schema["kind"] == pl.Enum(list(PROBLEM_KINDS))
        assert PROBLEM_KINDS[kind].endswith(".")
    assert set(PROBLEM_KINDS) - {"bad_attributes", "bad_measure"} == UNUSED_KINDS


@pytest.mark.parametrize("gz", [False, True])
def test_past_max_problems_problems_are_counted_not_listed(tmp_path, expected, gz) -> None:
    # 3,000 bad lines of four kinds among the good ones, at most 50 listed: the rest are
    # one row per kind, whose count makes the sum every problem; no good row is lost.
    # (Deep under a field geoflex skips is not built: an object without an event type.)
    deep, deep_skipped = b"[" * 70 + b"]" * 70, b'{"a":' * 70 + b"1" + b"}" * 70
    bad = [(b"x", b'{"broken', deep, deep_skipped)[k % 4] for k in range(3_000)]
    lines = list(GOOD)
    for k, line in enumerate(bad):
        lines.insert(min(len(lines), k // 20), line)
    path = tmp_path / ("events.ndjson.gz" if gz else "events.ndjson")
    text = b"\n".join(lines) + b"\n"
    path.write_bytes(gzip.compress(text) if gz else text)
    data = geoflex.read_events(path, max_problems=50)
    _accounted(data)
    _good_kept(data, expected)
    listed = data.problems.filter(pl.col("count") == 1)
    counted = data.problems.filter(pl.col("count") > 1)
    assert listed.height == 50
    assert data.problems["count"].sum() == 3_000
    assert sorted(counted["kind"].cast(pl.String)) == ["not_an_event", "not_json", "too_deep"]
    assert counted.group_by("kind").len()["len"].max() == 1  # one row per file and kind
    assert all("not listed (max_problems=50)" in r for r in counted["reason"])
    # The file's problems are found first (its lines), the unusable events after.
    assert set(listed["kind"].cast(pl.String)) <= {"not_json", "too_deep"}
    everything = geoflex.read_events(path)
    assert everything.problems.height == 3_000
    assert everything.problems["count"].sum() == 3_000


def test_max_problems_holds_for_csv_and_unusable_events(tmp_path) -> None:
    rows = [_CSV_HEADER, *_csv_rows(5), *[b"a,b"] * 400]
    data = geoflex.read_events(_write(tmp_path / "e.csv", rows), max_problems=7)
    _accounted(data)
    assert data.problems.height == 8
    assert data.problems["count"].sum() == 400
    events = [_event(task_sid=None).replace(b"EVhostile", f"EV{k}x".encode()) for k in range(300)]
    data = geoflex.read_events(_with_bad(tmp_path, events), max_problems=7)
    _accounted(data)
    assert data.problems.height == 8
    assert data.problems.filter(pl.col("count") > 1).rows()[0][2:5:2] == ("no_sid", 293)


def test_a_flood_of_short_objects_is_parsed_piece_by_piece(tmp_path, expected) -> None:
    # 1,000 objects that are no events ({"a":1}, 8 bytes) before each good line: more lines
    # than one piece of a batch (65,536), so line numbers cross pieces; each object is one
    # problem at its own line, and the good rows are kept exactly.
    lines: list[bytes] = []
    for k, good in enumerate(GOOD):
        lines += [b'{"a":%d}' % k] * 1_000 + [good]
    path = _write(tmp_path / "flood.ndjson", lines)
    data = geoflex.read_events(path, max_problems=200_000)
    _accounted(data)
    _good_kept(data, expected)
    assert data.problems.height == 1_000 * len(GOOD) > 65_536
    assert set(data.problems["kind"].cast(pl.String)) == {"not_an_event"}
    good_lines = set(range(1_001, 1_001 * len(GOOD) + 1, 1_001))
    assert set(data.segments["source_line"]) <= good_lines
    assert not set(data.problems["line"]) & good_lines
