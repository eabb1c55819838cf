"""File batches: a regular file read directly or memory-mapped, a stream's pieces otherwise."""

from __future__ import annotations

import errno
import io
import os
import random
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest

import geoflex
import geoflex.sample
from geoflex.ingest import _files


def _mapped(path: Path) -> list[memoryview]:
    with open(path, "rb") as stream:
        return list(_files.mapped_batches(stream.fileno()))


def _direct(path: Path, reuse_after: int = 2) -> list[bytes]:
    """Direct batches, each copied as it comes (its buffer is used again later)."""
    direct = _files._open_direct(str(path))
    assert direct is not None, "this file system reads directly"
    with open(path, "rb") as stream:
        return [bytes(b) for b in _files._direct_batches(direct, stream.fileno(), reuse_after)]


def _cold(path: Path) -> None:
    """Drop the file's pages from the page cache (the kernel may keep some)."""
    with open(path, "rb") as stream:
        os.fsync(stream.fileno())
        os.posix_fadvise(stream.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


@pytest.mark.parametrize("seed", range(12))
def test_mapped_batches_cover_the_file_in_whole_lines(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    # Windows of a few kB start at offsets that are not multiples of the map granularity;
    # some lines are longer than a window.
    window = rng.choice([1000, 5000, 9000, 20000])
    monkeypatch.setattr(_files, "_READ_BYTES", window)
    lengths = [0, 1, 5, 90, 700, 3000, 25000]
    lines = [b"x" * rng.choice(lengths) for _ in range(rng.randint(0, 200))]
    data = b"\n".join(lines) + rng.choice([b"", b"\n", b"\n\n"])
    path = tmp_path / "events.ndjson"
    path.write_bytes(data)
    batches = _mapped(path)
    assert b"".join(bytes(b) for b in batches) == data
    for batch in batches[:-1]:
        assert bytes(batch).endswith(b"\n")
        # A batch is one window, unless its first line alone is longer.
        assert len(batch) <= window or b"\n" not in bytes(batch[:-1])[:window]
    # The streaming reader (pipes, gzip) covers the same bytes.
    stream_batches = list(_files.stream_batches(io.BytesIO(data)))
    assert b"".join(stream_batches) == data


@pytest.mark.parametrize("seed", range(12))
def test_direct_batches_cover_the_file_in_whole_lines(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    # Reads of a few pages; lines longer than a read, and longer than the room kept before
    # a read for the previous batch's unfinished line.
    read = rng.choice([4096, 8192, 3 * 4096])
    monkeypatch.setattr(_files, "_READ_BYTES", read)
    monkeypatch.setattr(_files, "_CARRY_BYTES", 4096)
    lengths = [0, 1, 5, 90, 700, 3000, 5000, 25000]
    lines = [b"x" * rng.choice(lengths) for _ in range(rng.randint(0, 200))]
    data = b"\n".join(lines) + rng.choice([b"", b"\n", b"\n\n"])
    path = tmp_path / "events.ndjson"
    path.write_bytes(data)
    batches = _direct(path)
    assert b"".join(batches) == data
    for batch in batches[:-1]:
        assert batch.endswith(b"\n")
        # A batch is the previous read's unfinished line and one read, up to its last line.
        assert len(batch) - batch.index(b"\n") - 1 <= read


def test_a_cold_file_is_read_directly_and_a_cached_one_mapped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.ndjson"
    data = b'{"a": 1}\n' * 200_000
    path.write_bytes(data)
    chosen: list[str] = []

    def recorded(name: str) -> Callable[..., Iterator[memoryview]]:
        reader = getattr(_files, name)

        def run(*args: int) -> Iterator[memoryview]:
            chosen.append(name)
            return reader(*args)  # type: ignore[no-any-return]

        return run

    for name in ("_direct_batches", "mapped_batches"):  # the real readers, recorded
        monkeypatch.setattr(_files, name, recorded(name))

    def read() -> bytes:
        with open(path, "rb") as stream:
            batches = _files.file_batches(str(path), stream, reuse_after=2, max_bytes=1 << 40)
            assert batches is not None
            return b"".join(bytes(b) for b in batches)

    path.read_bytes()  # now in the page cache
    assert read() == data
    assert chosen == ["mapped_batches"]
    _cold(path)
    with open(path, "rb") as stream:
        if _files._cached(stream.fileno(), len(data)):
            pytest.skip("the kernel kept the file cached")
    assert read() == data
    assert chosen == ["mapped_batches", "_direct_batches"]


def test_direct_reads_refused_fall_back_to_the_page_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Some file systems open files for direct reads but refuse the reads (EINVAL); this
    # one does not, so the refusal is simulated.
    path = tmp_path / "events.ndjson"
    data = b"".join(b'{"a": %d}\n' % i for i in range(50_000))
    path.write_bytes(data)
    real_preadv = os.preadv
    direct = _files._open_direct(str(path))
    assert direct is not None

    def preadv(fd: int, buffers: list[memoryview], offset: int, *flags: int) -> int:
        if fd == direct and offset > 0:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_preadv(fd, buffers, offset, *flags)

    monkeypatch.setattr(os, "preadv", preadv)
    monkeypatch.setattr(_files, "_READ_BYTES", 1 << 16)
    with open(path, "rb") as stream:
        batches = [bytes(b) for b in _files._direct_batches(direct, stream.fileno(), 2)]
    assert b"".join(batches) == data


def test_reused_direct_buffers_do_not_change_what_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches in a ring as short as read_events allows: were any table to keep a view
    # of a batch's buffer, a later batch would overwrite it and the tables would differ.
    lines = geoflex.sample.generate(300, seed=5)
    text = "\n".join(lines.to_series().to_list()).encode() + b"\n"
    path = tmp_path / "events.ndjson"
    path.write_bytes(text)
    expected = geoflex.read_events(lines)
    monkeypatch.setattr(_files, "_READ_BYTES", 1 << 14)
    monkeypatch.setattr(_files, "_cached", lambda fd, size: False)
    read = geoflex.read_events(path)
    assert read.segments.drop("source_file").equals(expected.segments.drop("source_file"))
    assert read.agents.equals(expected.agents)
    assert read.counts == expected.counts
    assert read.problems["line"].to_list() == expected.problems["line"].to_list()


def test_blanking_a_mapped_batch_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_bytes(b'{"a": 1}\n<html>\n{"a": 2}\n')
    (batch,) = _mapped(path)
    batch[9:15] = b"      "  # what the parser does to an odd line
    assert bytes(batch) == b'{"a": 1}\n      \n{"a": 2}\n'
    assert path.read_bytes() == b'{"a": 1}\n<html>\n{"a": 2}\n'


def test_mapped_batches_of_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.ndjson"
    path.write_bytes(b"")
    assert _mapped(path) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_read_as_a_stream(tmp_path: Path) -> None:
    # Not a regular file: no memory map, the streaming reader takes it.
    lines = geoflex.sample.generate(40, seed=2)
    text = "\n".join(lines.to_series().to_list()).encode() + b"\n"
    pipe = tmp_path / "events.ndjson"
    os.mkfifo(pipe)
    writer = threading.Thread(target=pipe.write_bytes, args=(text,))
    writer.start()
    from_pipe = geoflex.read_events(pipe)
    writer.join()
    plain = tmp_path / "plain.ndjson"
    plain.write_bytes(text)
    from_file = geoflex.read_events(plain)
    assert from_pipe.segments.drop("source_file").equals(from_file.segments.drop("source_file"))
    assert from_pipe.counts == from_file.counts
    assert from_pipe.problems["line"].to_list() == from_file.problems["line"].to_list()


def test_frames_are_read_in_batches_like_files(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = geoflex.sample.generate(300, seed=5)  # dirty: broken lines, duplicates...
    # A null row and a row broken over lines stay one line each: line numbers are rows.
    extra = ["{not json", None, '{"type": "x",\n "data": {}}']
    lines = pl.concat([lines, pl.DataFrame({"line": extra})])
    whole = geoflex.read_events(lines)  # one batch
    monkeypatch.setattr(_files, "_READ_BYTES", 1 << 14)
    assert len(list(_files.frame_batches(lines, lines="line"))) > 10
    batched = geoflex.read_events(lines)
    for table in ("segments", "conversations", "customers", "agents", "problems"):
        assert getattr(batched, table).equals(getattr(whole, table)), table
    assert (batched.counts, batched.truncated) == (whole.counts, whole.truncated)
    assert batched.counts["lines"] == lines.height
    assert batched.problems.filter(pl.col("line") > lines.height - 3)["line"].to_list() == [
        lines.height - 2,
        lines.height,
    ]
    # Rows of event columns (as a CSV or a table gives them) are batched the same way.
    rows = pl.DataFrame(
        {"EventType": ["task.created", "task.completed"] * 400, "TaskSid": ["WT1", "WT1"] * 400}
    ).with_columns(Timestamp=pl.int_range(1_767_625_200, 1_767_625_200 + 800).cast(pl.String))
    assert len(list(_files.frame_batches(rows))) > 1
    assert geoflex.read_events(rows).problems.height == 0
    assert geoflex.read_events(rows).counts["lines"] == 800
